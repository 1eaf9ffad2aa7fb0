"""`reader validate` on real files written by `reader export` in every format, and its agreement
with `reader import` on the files import reads."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from db import NewArticle, Store
from reader.cli import main
from reader.labels import default_label_file, load_labels

APP = [sys.executable, "-c", "from reader.cli import main; main()"]
TEXTS = [
    "Zoë Ball met 👨‍👩‍👧 fans in Łódź.\nShe said it was “wonderful”. Everyone agreed.",
    "Harbour fees in 🇳🇴 Bergen rose 4% in June.\nThat is far too much, traders say.",
]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "v.db"
    with Store.open(path) as store:
        store.set_labels(load_labels(default_label_file()))
        a, b = store.add_articles([NewArticle(f"T{i}", t) for i, t in enumerate(TEXTS)]).ids
        t0, t1 = TEXTS
        store.tag(a, 0, t0.index("\n"), "fact", "kim")
        store.tag(a, 0, len("Zoë Ball"), "entity", "kim")
        store.tag(a, t0.index("Łódź"), t0.index("Łódź") + 4, "entity", "kim")
        store.tag(a, t0.index("She"), t0.index(" Everyone"), "opinion", "lee")
        store.tag(b, 0, t1.index("\n"), "fact", "kim")
        store.tag(b, t1.index("Bergen"), t1.index("Bergen") + 6, "entity", "kim")
        store.tag(b, t1.index("That"), len(t1), "opinion", "kim")
    return path


def run(db, *args, input=None):
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input, catch_exceptions=False)


EXPORTS = [
    ("out.jsonl", [], "JSONL tasks (reader jsonl / Prodigy), 3 lines, 7 spans"),
    ("utf16.jsonl", ["--offsets", "utf16", "--tokens"], "JSONL tasks (reader jsonl / Prodigy), 3 lines"),
    ("doccano.jsonl", ["--format", "doccano"], "doccano JSONL, 3 lines, 7 spans"),
    ("doccano16.jsonl", ["--format", "doccano", "--offsets", "utf16"], "doccano JSONL, 3 lines"),
    ("doccano8.jsonl", ["--format", "doccano", "--offsets", "utf8"], "doccano JSONL, 3 lines"),
    ("labelstudio.json", ["--format", "labelstudio"], "Label Studio JSON, 2 tasks, 7 spans"),
    ("ls16.json", ["--format", "labelstudio", "--offsets", "utf16"], "Label Studio JSON, 2 tasks"),
    ("ner.conll", ["--format", "conll"], "CoNLL IOB"),
    ("sentences.jsonl", ["--format", "sentences"], "reader sentences JSONL, 4 lines, 4 spans"),
    ("s16.jsonl", ["--format", "sentences", "--offsets", "utf16"], "reader sentences JSONL, 4 lines"),
    ("train.spacy", ["--format", "spacy"], "spaCy DocBin, 3 docs, 7 spans"),
]


@pytest.mark.parametrize("name, options, summary", EXPORTS, ids=[e[0] for e in EXPORTS])
def test_every_export_validates(db, tmp_path, name, options, summary):
    out = tmp_path / name
    exported = run(db, "export", str(out), *options)
    assert exported.exit_code == 0, exported.output
    result = run(db, "validate", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{out}: ok: {summary}"), lines
    # Detection is by content: the same file under a neutral name says the same.
    plain = tmp_path / "data.bin"
    plain.write_bytes(out.read_bytes())
    if not name.endswith(".spacy"):
        again = run(db, "validate", str(plain))
        assert again.exit_code == 0 and summary in again.output, again.output


def test_conll_counts_entities_and_tokens(db, tmp_path):
    out = tmp_path / "ner.conll"
    run(db, "export", str(out), "--format", "conll")
    result = run(db, "validate", str(out))
    tokens = sum(1 for l in out.read_text().splitlines() if l.strip() and not l.startswith("-DOCSTART-"))
    assert f"CoNLL IOB, {tokens} tokens, 3 spans" in result.output


def test_doccano_records_its_offset_unit_and_imports_back(db, tmp_path):
    out = tmp_path / "doccano.jsonl"
    run(db, "export", str(out), "--format", "doccano", "--offsets", "utf16")
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["offsets"] == "utf16"
    # UTF-16 offsets: Łódź comes after a 5-code-point emoji of 8 units.
    lodz = TEXTS[0].index("Łódź")
    assert [lodz + 3, lodz + 7, "entity"] in first["label"]
    fresh = tmp_path / "fresh.db"
    result = run(fresh, "import", str(out))
    assert result.exit_code == 0, result.output
    with Store.open(fresh) as store:
        spans = store.spans(1, None)
        text = store.article(1).text
    assert text == TEXTS[0]
    assert sorted(text[s.start:s.end] for s in spans) == sorted(
        ["Zoë Ball", "Łódź", TEXTS[0][: TEXTS[0].index("\n")], "She said it was “wonderful”."]
    )


def test_jsonl_utf16_export_imports_back(db, tmp_path):
    out = tmp_path / "u.jsonl"
    run(db, "export", str(out), "--offsets", "utf16")
    fresh = tmp_path / "fresh.db"
    assert run(fresh, "import", str(out)).exit_code == 0
    back = tmp_path / "back.jsonl"
    run(fresh, "export", str(back))
    original = tmp_path / "orig.jsonl"
    run(db, "export", str(original))
    def spans(p):
        return [[(s["start"], s["end"], s["label"]) for s in json.loads(l)["spans"]]
                for l in p.read_text(encoding="utf-8").splitlines()]

    assert spans(back) == spans(original)


BAD_LINES = {
    "unknown label": {"text": "Ines Duarte spoke.", "label": [[0, 11, "person"]]},
    "overlapping entities": {"text": "Ines Duarte spoke.", "label": [[0, 11, "entity"], [5, 11, "entity"]]},
    "overlapping segments": {"text": "One. Two.", "label": [[0, 4, "fact"], [2, 9, "opinion"]]},
    "past the end": {"text": "Short.", "label": [[0, 60, "fact"]]},
    "backwards": {"text": "Short text.", "label": [[5, 2, "fact"]]},
    "span text differs": {"text": "Short text.", "spans": [{"start": 0, "end": 5, "label": "fact", "text": "Other"}]},
    "empty text": {"text": "   ", "spans": []},
    "not an object": [1, 2],
    "unknown unit": {"text": "Short.", "label": [[0, 6, "fact"]], "offsets": "bytes"},
    "inside a surrogate pair": {"text": "👍 Good.", "label": [[1, 7, "opinion"]], "offsets": "utf16"},
    "label not a string": {"text": "Short.", "spans": [{"start": 0, "end": 6, "label": 3}]},
}
GOOD_LINES = {
    "nested entity in a segment": {"text": "Ines Duarte spoke.", "label": [[0, 18, "fact"], [0, 11, "entity"]]},
    "two annotators overlapping": {"text": "One. Two.", "spans": [
        {"start": 0, "end": 9, "label": "fact", "annotator": "a"},
        {"start": 0, "end": 4, "label": "opinion", "annotator": "b"}]},
    "utf16 after an emoji": {"text": "👍 Good.", "label": [[3, 8, "opinion"]], "offsets": "utf16"},
}


@pytest.mark.parametrize("case", sorted(BAD_LINES) + sorted(GOOD_LINES))
def test_validate_and_import_agree(db, tmp_path, case):
    task = BAD_LINES.get(case) or GOOD_LINES[case]
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(task, ensure_ascii=False) + "\n", encoding="utf-8")
    validated = run(db, "validate", str(path))
    imported = run(tmp_path / f"fresh-{abs(hash(case))}.db", "import", str(path))
    expect_ok = case in GOOD_LINES
    assert (validated.exit_code == 0) == expect_ok, validated.output
    assert (imported.exit_code == 0) == expect_ok, imported.output
    if not expect_ok:
        assert validated.exit_code == imported.exit_code == 1
        assert validated.output.startswith(f"{path}:1: ")


def test_validate_reports_the_doccano_unknown_label_line(db, tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [{"text": "Ines Duarte spoke.", "label": [[0, 11, "entity"]]}, BAD_LINES["unknown label"]]
    path.write_text("".join(json.dumps(l) + "\n" for l in lines), encoding="utf-8")
    result = run(db, "validate", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:2: span 1: unknown label 'person'",
        f"reader: 1 problem in {path} (doccano JSONL)",
    ]


def test_broken_label_studio_file(db, tmp_path):
    out = tmp_path / "ls.json"
    run(db, "export", str(out), "--format", "labelstudio")
    tasks = json.loads(out.read_text(encoding="utf-8"))
    tasks[1]["annotations"][0]["result"][0]["value"]["labels"] = ["claim"]
    tasks[0]["annotations"][0]["result"][1]["value"]["text"] = "Zoe Ball"
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    result = run(db, "validate", str(out))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{out}: task 1: annotations[1] result 2: text 'Zoe Ball' differs")
    assert lines[1] == f"{out}: task 2: annotations[1] result 1: unknown label 'claim'"
    assert lines[2] == f"reader: 2 problems in {out} (Label Studio JSON)"


def test_broken_conll_file(db, tmp_path):
    out = tmp_path / "ner.conll"
    out.write_text("-DOCSTART- -X- O O\n\nInes B-entity\nDuarte I-entity\nsaid O\n"
                   "Oslo I-entity\nport B-place\nfees B-fact\nrose X\n", encoding="utf-8")
    result = run(db, "validate", str(out))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{out}:6: tag 'I-entity' continues no 'entity' entity (it needs B-entity first)",
        f"{out}:7: tag 'B-place': 'place' is an unknown label",
        f"{out}:8: tag 'B-fact': 'fact' is a segment label, not an entity label",
        f"{out}:9: tag 'X' is not O, B-LABEL or I-LABEL",
        f"reader: 4 problems in {out} (CoNLL IOB)",
    ]


def test_broken_sentences_file(db, tmp_path):
    out = tmp_path / "s.jsonl"
    run(db, "export", str(out), "--format", "sentences")
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    rows[0]["start"] += 1
    rows[1]["label"] = "rumour"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = run(db, "validate", str(out))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{out}:1: text ") and "differs from the context" in lines[0]
    assert lines[1] == f"{out}:2: unknown label 'rumour'"


def test_broken_docbin(db, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc = nlp.make_doc("Ines Duarte opened the new harbour office.")
    doc.ents = [doc.char_span(0, 11, label="person")]
    doc.spans["sc"] = [doc.char_span(0, 22, label="fact"), doc.char_span(12, 42, label="opinion")]
    out = tmp_path / "bad.spacy"
    out.write_bytes(DocBin(docs=[doc]).to_bytes())
    result = run(db, "validate", str(out))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{out}: doc 1: entity 'Ines Duarte': unknown label 'person'",
        f"{out}: doc 1: spans['sc'] opinion 12-42 overlaps fact 0-22",
        f"reader: 2 problems in {out} (spaCy DocBin)",
    ]


def test_docbin_without_spacy_is_one_line_and_exit_2(db, tmp_path):
    pytest.importorskip("spacy")
    out = tmp_path / "train.spacy"
    assert run(db, "export", str(out), "--format", "spacy").exit_code == 0
    no_spacy = "import sys; sys.modules['spacy'] = None; from reader.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", no_spacy, "--db", str(db), "validate", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"reader: {out}: a spaCy DocBin file; checking it needs the 'spacy' extra: "
        "pip install 'reader-annotate[spacy]'"
    ]


def test_a_file_of_another_kind_is_one_line(db, tmp_path):
    out = tmp_path / "notes.txt"
    out.write_text("Shopping list\nmilk and bread\n", encoding="utf-8")
    result = run(db, "validate", str(out))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"reader: {out}: not a format reader reads or writes (jsonl, doccano, sentences, "
        "Label Studio JSON, CoNLL, spaCy DocBin)"
    ]


def test_many_problems_are_capped(db, tmp_path):
    out = tmp_path / "many.jsonl"
    out.write_text("{oops\n" * 80, encoding="utf-8")
    lines = run(db, "validate", str(out)).output.splitlines()
    assert len(lines) == 52 and lines[-2] == "... and 30 more"
    assert lines[-1] == f"reader: 80 problems in {out} (JSONL tasks (reader jsonl / Prodigy))"
