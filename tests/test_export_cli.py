import json

import pytest
from click.testing import CliRunner

from db import NewArticle, Store
from reader.cli import main
from reader.labels import default_label_file, load_labels

TEXTS = [
    "Zoë Ball met 👨‍👩‍👧 fans in Łódź.\nShe said it was “wonderful”. Everyone agreed.",
    "Cafe\u0301 owners in 東京 cheered.\nPrices rose 3.5% in May 🇬🇧. That is too much.",
    "Line one from a CRLF file.\nLine two, from the same file.",
    "A fourth article about the Bank of England.",
]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "export.db"
    with Store.open(path) as store:
        store.set_labels(load_labels(default_label_file()))
        ids = store.add_articles([NewArticle(f"T{i}", t) for i, t in enumerate(TEXTS)]).ids
        t0 = TEXTS[0]
        store.tag(ids[0], 0, t0.index("\n"), "fact", "kim")
        store.tag(ids[0], 0, len("Zoë Ball"), "entity", "kim")
        store.tag(ids[0], t0.index("Łódź"), t0.index("Łódź") + 4, "entity", "kim")
        store.tag(ids[0], t0.index("She"), t0.index("Everyone") - 1, "opinion", "lee")
        t1 = TEXTS[1]
        store.tag(ids[1], 0, t1.index("\n"), "fact", "kim")
        store.tag(ids[1], t1.index("東京"), t1.index("東京") + 2, "entity", "kim")
        store.tag(ids[1], t1.index("That"), len(t1), "opinion", "kim")
        store.tag(ids[2], 0, len(TEXTS[2]), "boilerplate", "kim")
        store.set_status(ids[2], "done", annotator="kim")
    return path


def run(db, *args, input=None):
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input, catch_exceptions=False)


def test_jsonl_export_shape(db, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run(db, "export", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("exported 4 records")
    lines = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [(l["meta"]["id"], l["meta"]["annotator"]) for l in lines] == [
        (1, "kim"), (1, "lee"), (2, "kim"), (3, "kim"),
    ]
    first = lines[0]
    assert [s["text"] for s in first["spans"]] == [
        "Zoë Ball", "Zoë Ball met 👨‍👩‍👧 fans in Łódź.", "Łódź",
    ]
    for line in lines:
        for span in line["spans"]:
            assert line["text"][span["start"] : span["end"]] == span["text"]
    assert lines[3]["meta"]["status"] == "done"


def test_jsonl_round_trip_gives_the_same_file(db, tmp_path):
    first = tmp_path / "first.jsonl"
    assert run(db, "export", str(first)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    imported = run(fresh, "import", str(first))
    assert imported.exit_code == 0, imported.output
    second = tmp_path / "second.jsonl"
    assert run(fresh, "export", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


def test_filters_by_status_label_and_annotator(db):
    done = run(db, "export", "-", "--status", "done").output
    assert [json.loads(l)["meta"]["id"] for l in done.splitlines() if l.startswith("{")] == [3]
    ents = [json.loads(l) for l in run(db, "export", "-", "--label", "entity").output.splitlines() if l.startswith("{")]
    assert {s["label"] for l in ents for s in l["spans"]} == {"entity"}
    lee = [json.loads(l) for l in run(db, "export", "-", "--annotator", "lee").output.splitlines() if l.startswith("{")]
    assert [l["meta"]["annotator"] for l in lee] == ["lee"]


def test_doccano_utf16_offsets(db):
    lines = [
        json.loads(l)
        for l in run(db, "export", "-", "--format", "doccano", "--offsets", "utf16").output.splitlines()
        if l.startswith("{")
    ]
    text = lines[0]["text"]
    encoded = text.encode("utf-16-le")
    for start, end, label in lines[0]["label"]:
        piece = encoded[start * 2 : end * 2].decode("utf-16-le")
        assert piece in text
    lodz = [l for l in lines[0]["label"] if l[2] == "entity"][-1]
    assert encoded[lodz[0] * 2 : lodz[1] * 2].decode("utf-16-le") == "Łódź"


def test_split_is_stable_and_leak_free(db, tmp_path):
    args = ["export", str(tmp_path / "d.jsonl"), "--split", "train=0.5,dev=0.25,test=0.25", "--seed", "7"]
    assert run(db, *args).exit_code == 0
    parts = {}
    for name in ("train", "dev", "test"):
        path = tmp_path / f"d.{name}.jsonl"
        if path.exists():  # a part no article fell in has no file
            parts[name] = path.read_bytes()
    ids = {
        name: {json.loads(l)["meta"]["id"] for l in data.decode().splitlines()}
        for name, data in parts.items()
    }
    assert set().union(*ids.values()) == {1, 2, 3}
    assert sum(len(v) for v in ids.values()) == 3  # no article in two parts
    assert run(db, *args).exit_code == 0
    for name, data in parts.items():
        assert (tmp_path / f"d.{name}.jsonl").read_bytes() == data


def test_failed_export_leaves_earlier_file(db, tmp_path, monkeypatch):
    out = tmp_path / "keep.jsonl"
    out.write_text("earlier export\n", encoding="utf-8")

    import reader.exporting as exporting

    real = exporting.export

    def broken(name, records, stream, **options):
        def halfway():
            for i, record in enumerate(records):
                if i == 2:
                    raise OSError(28, "No space left on device")
                yield record

        return real(name, halfway(), stream, **options)

    monkeypatch.setattr(exporting, "export", broken)
    result = run(db, "export", str(out))
    assert result.exit_code == 4
    assert "No space left on device" in result.output
    assert out.read_text(encoding="utf-8") == "earlier export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("keep")] == ["keep.jsonl"]


def test_unwritable_path(db, tmp_path):
    result = run(db, "export", str(tmp_path / "no" / "such" / "dir" / "x.jsonl"))
    assert result.exit_code == 4
    assert "nothing written" in result.output


def test_spacy_export_loads_in_spacy(db, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    result = run(db, "export", str(out), "--format", "spacy")
    assert result.exit_code == 0, result.output
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 4
    assert [e.text for e in docs[0].ents] == ["Zoë Ball", "Łódź"]
    assert [s.label_ for s in docs[0].spans["sc"]] == ["fact"]


def test_validate_export(db, tmp_path):
    out = tmp_path / "v.jsonl"
    run(db, "export", str(out))
    assert run(db, "validate", str(out)).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[0])
    broken["spans"][0]["end"] = 10_000
    lines[0] = json.dumps(broken, ensure_ascii=False)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(db, "validate", str(out))
    assert result.exit_code == 1
    assert f"{out}:1:" in result.output


def test_spacy_format_without_spacy_is_one_line_and_exit_2(db, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "train.spacy"
    no_spacy = "import sys; sys.modules['spacy'] = None; from reader.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", no_spacy, "--db", str(db), "export", str(out), "--format", "spacy"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "reader: the spacy format needs the 'spacy' extra: pip install 'reader-annotate[spacy]'"
    ]
    assert done.stdout == ""
    assert list(tmp_path.glob("*train.spacy*")) == []


def test_a_split_part_no_article_falls_in_gets_no_file(db, tmp_path):
    # Four articles with spans; with this seed none of them falls in "dev".
    from reader.io.split import part_of, parse_split

    with Store.open(db) as store:
        shas = store.export_shas()
    parts = parse_split("train=0.8,dev=0.1,test=0.1")
    seed = next(s for s in range(100) if "dev" not in {part_of(h, parts, s) for h in shas})
    out = tmp_path / "d.jsonl"
    result = run(db, "export", str(out), "--split", "train=0.8,dev=0.1,test=0.1", "--seed", str(seed))
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "d.dev.jsonl").exists()
    written = sorted(p.name for p in tmp_path.glob("d.*.jsonl"))
    assert "d.train.jsonl" in written and all(p.stat().st_size > 0 for p in tmp_path.glob("d.*.jsonl"))
    assert "split: train " in result.output and ", dev 0, " in result.output
    assert "no article fell in dev, so no file was written for it" in result.output
    # An earlier dev file is not mistaken for part of this split without a word.
    (tmp_path / "d.dev.jsonl").write_text("old\n", encoding="utf-8")
    result = run(db, "export", str(out), "--split", "train=0.8,dev=0.1,test=0.1", "--seed", str(seed))
    assert f"(the earlier {tmp_path / 'd.dev.jsonl'} is left as it was)" in result.output


@pytest.mark.parametrize("spec, message", [
    ("", "--split needs parts"),
    ("  ", "--split needs parts"),
    ("train=0.5", "--split: split fractions add up to 0.5, not 1"),
    ("train", "--split: split parts look like name=fraction"),
])
def test_bad_split_is_a_usage_error(db, tmp_path, spec, message):
    result = run(db, "export", str(tmp_path / "x.jsonl"), "--split", spec)
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.glob("x*")) == []


def test_source_filter(tmp_path):
    path = tmp_path / "sources.db"
    text = "Ines Duarte opened the harbour office. Traders called it overdue."
    with Store.open(path) as store:
        store.set_labels(load_labels(default_label_file()))
        from db import NewSpan

        (aid,) = store.add_articles(
            [NewArticle("Harbour", text, spans=[NewSpan(0, 11, "entity", "kim")])]
        ).ids
        store.tag(aid, 0, 38, "fact", "kim")
        store.tag(aid, 39, len(text), "opinion", "kim")
        with store.conn:
            store.conn.execute("UPDATE annotations SET source = 'suggested' WHERE label = 'opinion'")

    def labels(*options):
        out = tmp_path / "s.jsonl"
        result = run(path, "export", str(out), *options)
        assert result.exit_code == 0, result.output
        return [[s["label"] for s in json.loads(l)["spans"]] for l in out.read_text().splitlines()]

    assert labels() == [["entity", "fact", "opinion"]]
    assert labels("--source", "manual") == [["fact"]]
    assert labels("--source", "imported") == [["entity"]]
    assert labels("--source", "suggested") == [["opinion"]]
    assert labels("--source", "manual", "--source", "suggested") == [["fact", "opinion"]]
    split = run(path, "export", str(tmp_path / "p.jsonl"), "--source", "suggested",
                "--split", "a=0.5,b=0.5")
    assert split.exit_code == 0, split.output
    (part,) = tmp_path.glob("p.*.jsonl")  # one article: one part gets it, the other no file
    assert [s["label"] for s in json.loads(part.read_text())["spans"]] == ["opinion"]
    bad = run(path, "export", str(tmp_path / "x.jsonl"), "--source", "model")
    assert bad.exit_code == 2
