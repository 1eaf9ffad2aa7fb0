import json
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import Store
from reader.cli import main, seed_samples

SAMPLES = Path(str(files("reader.assets") / "articles"))


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "cli.db"

    def invoke(*args, input=None, db_path=db):
        runner = CliRunner()
        result = runner.invoke(main, ["--db", str(db_path), *args], input=input, catch_exceptions=False)
        return result

    invoke.db = db
    return invoke


def article_count(db) -> int:
    with Store.open(db) as store:
        return store.count_articles()


def test_import_folder_then_reimport_skips_duplicates(run):
    first = run("import", str(SAMPLES))
    assert first.exit_code == 0, first.output
    n = len(list(SAMPLES.iterdir()))
    assert first.output.strip().startswith(f"imported {n} articles; 0 duplicates skipped")
    again = run("import", str(SAMPLES))
    assert again.exit_code == 0
    assert f"imported 0 articles; {n} duplicates skipped" in again.output


def test_import_lists_correct_titles(run, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Site | A page</title><script>var x = 'hidden';</script></head>"
        "<body><h1>Minister resigns over expenses</h1><p>The minister resigned on Monday.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    note = tmp_path / "note.md"
    note.write_text("# Floods close the A59\n\nThe road shut at 6 a.m.\n", encoding="utf-8")
    assert run("import", str(page), str(note)).exit_code == 0
    rows = [json.loads(line) for line in run("list", "--json").output.splitlines()]
    assert [r["title"] for r in rows] == ["Minister resigns over expenses", "Floods close the A59"]


def test_binary_file_is_refused_and_nothing_is_written(run, tmp_path):
    assert run("import", str(SAMPLES / "01-council-budget.txt")).exit_code == 0
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SAMPLES / "02-fraud-trial-verdict.txt", folder / "a.txt")
    (folder / "b.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n")
    result = run("import", str(folder))
    assert result.exit_code == 1
    assert "b.txt" in result.output and "PDF" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert article_count(run.db) == 1


def test_bad_jsonl_line_names_file_and_line(run, tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text(
        json.dumps({"text": "Apple hired Tim Cook.", "spans": [{"start": 0, "end": 5, "label": "entity"}]})
        + "\n"
        + '{"text": "broken"\n',
        encoding="utf-8",
    )
    result = run("import", str(data))
    assert result.exit_code == 1
    assert f"{data}:2:" in result.output
    assert article_count(run.db) == 0


def test_jsonl_spans_are_imported(run, tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text(
        json.dumps(
            {"text": "Apple hired Tim Cook.", "label": [[0, 5, "entity"], [12, 20, "entity"]]}
        )
        + "\n",
        encoding="utf-8",
    )
    result = run("import", str(data))
    assert "2 spans imported" in result.output
    shown = run("--annotator", "imported", "show", "1")
    assert shown.output.strip() == "{entity: Apple} hired {entity: Tim Cook}."


def test_unknown_label_in_jsonl(run, tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"text": "Apple.", "label": [[0, 5, "ORG"]]}) + "\n", encoding="utf-8")
    result = run("import", str(data))
    assert result.exit_code == 1
    assert "ORG" in result.output


def test_import_from_stdin(run):
    result = run("import", "-", input="Storm warning\n\nHigh winds are expected tonight.\n")
    assert result.exit_code == 0
    assert "imported 1 article;" in result.output
    assert json.loads(run("list", "--json").output)["title"] == "Storm warning"


def test_list_filters_and_table(run):
    run("import", str(SAMPLES))
    table = run("list", "--query", "relegation").output.splitlines()
    assert table[0].split() == ["id", "status", "words", "spans", "title"]
    assert len(table) == 2 and "Okonkwo" in table[1]
    assert run("list", "--status", "done").output.splitlines()[1:] == []
    bad = run("list", "--query", '"unclosed')
    assert bad.exit_code == 3 and "cannot search" in bad.output


def test_show_and_stats(run):
    run("import", str(SAMPLES / "01-council-budget.txt"))
    with Store.open(run.db) as store:
        text = store.article(1).text
        store.tag(1, 0, text.index("\n"), "fact", "kim")
    shown = run("--annotator", "kim", "show", "1").output
    assert shown.startswith("{fact: " + text[: text.index("\n")] + "}")
    stats = json.loads(run("stats", "--json").output)
    assert stats["by_label"]["fact"] == 1
    assert stats["by_annotator"] == {"kim": 1}
    assert stats["by_status"]["in_progress"] == 1
    human = run("stats").output
    assert "articles: 1 (new 0, in progress 1, done 0)" in human


def test_show_missing_article(run):
    result = run("show", "42")
    assert result.exit_code == 3
    assert "no article with id 42" in result.output


def test_labels_command_and_custom_label_file(run, tmp_path):
    out = run("labels").output
    assert "1/f" in out and "fact" in out and "entity" in out
    custom = tmp_path / "labels.toml"
    custom.write_text(
        '[[label]]\nname = "claim"\nkey = "c"\ncolour = "#336699"\n'
        '[[label]]\nname = "person"\nlayer = "entity"\ncolour = "#993366"\n',
        encoding="utf-8",
    )
    out = run("--labels", str(custom), "labels").output
    assert "claim" in out and "person" in out and "fact" not in out


def test_label_file_missing_a_used_label_is_refused(run, tmp_path):
    run("import", str(SAMPLES / "01-council-budget.txt"))
    with Store.open(run.db) as store:
        store.tag(1, 0, 5, "opinion", "kim")
    custom = tmp_path / "labels.toml"
    custom.write_text('[[label]]\nname = "fact"\n', encoding="utf-8")
    result = run("--labels", str(custom), "stats")
    assert result.exit_code == 3
    assert "'opinion'" in result.output


def test_not_a_database(run, tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"hello, I am a text file and not SQLite" * 30)
    result = run("stats", db_path=bogus)
    assert result.exit_code == 3
    assert "not a reader database" in result.output


def test_segment_command(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Headline here\nMr. Lee arrived at 9 a.m. on Monday. He left.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["segment", str(path), "--unit", "sentence"])
    lines = [json.loads(l) for l in result.output.splitlines()]
    assert [l["text"] for l in lines] == [
        "Headline here",
        "Mr. Lee arrived at 9 a.m. on Monday.",
        "He left.",
    ]
    text = path.read_text(encoding="utf-8")
    assert all(text[l["start"] : l["end"]] == l["text"] for l in lines)


def test_segment_command_names(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "Talks in Geneva\nChancellor Olaf Scholz met Merkel's aides. However, Oxfam left.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["segment", str(path), "--unit", "name"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(l) for l in result.output.splitlines()]
    assert [l["text"] for l in lines] == ["Geneva", "Olaf Scholz", "Merkel", "Oxfam"]
    assert {l["path"] for l in lines} == {str(path)}
    text = path.read_text(encoding="utf-8")
    assert all(text[l["start"] : l["end"]] == l["text"] for l in lines)


def test_default_database_is_seeded_with_samples_on_first_run(monkeypatch):
    # Opening the app on the built-in default database fills it with the samples first.
    calls = []
    monkeypatch.setattr("reader.app.run_app", lambda store, **kw: calls.append(store.count_articles()))
    result = CliRunner().invoke(main, [], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert calls == [len(list(SAMPLES.iterdir()))]
    from reader.config import default_db_path

    assert default_db_path().exists()


def test_seed_samples_titles(tmp_path):
    with Store.open(tmp_path / "s.db") as store:
        from reader.labels import default_label_file, load_labels

        store.set_labels(load_labels(default_label_file()))
        assert seed_samples(store) == len(list(SAMPLES.iterdir()))
        titles = [r.title for r in store.list_articles()]
        assert all(t and "\n" not in t for t in titles)


def test_an_older_database_is_upgraded_with_a_message(run):
    import sqlite3

    from db import schema

    conn = sqlite3.connect(run.db)
    schema.apply(conn, stop_before="0003_search_prefix_index")
    conn.close()
    first = run("list")
    assert first.exit_code == 0
    assert (
        f"reader: upgrading {run.db} from schema 0002_library_sort_indexes; "
        f"the old copy is {run.db}.0002_library_sort_indexes.bak" in first.stderr
    )
    assert Path(f"{run.db}.0002_library_sort_indexes.bak").exists()
    again = run("list")
    assert "upgrading" not in again.stderr
