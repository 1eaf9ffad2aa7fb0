"""Each export format, read back by its real consumer, on text that breaks naive offsets."""

import io
import json
import sys

import pytest

from reader.io.export import (
    ENTITY,
    FORMATS,
    SEGMENT,
    ExportRecord,
    ExportSpan,
    export,
    get_format,
)
from reader.io.export import spacy_docbin
from reader.io.export.labelstudio import result_id
from reader.io.validate import validate_jsonl

# Line endings came in as CRLF and were normalised at import; offsets are into this text.
TEXT = (
    "Kim Jong-un met O'Neill's aide in the U.S. on Tuesday.\r\n"
    "The 👨‍👩‍👧 family and the 🇬🇧 team cheered, which was wonderful.\r\n"
    "Café owner Zoe\u0301 said: 👨🏻‍🚒 firefighters arrived."
).replace("\r\n", "\n")
FACT = (0, TEXT.index("\n"))
OPINION = (FACT[1] + 1, TEXT.index("\n", FACT[1] + 1))
# Emoji before "firefighters": family (3 astral), flag (2), firefighter (3): 8 extra UTF-16 units.
ASTRAL_BEFORE_FIREFIGHTERS = 8


def at(word, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return start, start + len(word)


def span(edges, label, layer):
    return ExportSpan(edges[0], edges[1], label, layer)


def record(annotator, spans, article_id=7):
    return ExportRecord(
        article_id=article_id, title="Talks “resume”", source="Example News", url=None,
        sha256="ab" * 32, status="done", text=TEXT, annotator=annotator,
        spans=sorted(spans, key=lambda s: (s.start, s.end, s.label)),
    )


ALICE = [
    span(FACT, "fact", SEGMENT),
    span(at("Kim Jong-un"), "PERSON", ENTITY),  # an entity inside the fact
    span(at("O'Neill"), "PERSON", ENTITY),
    span(OPINION, "opinion", SEGMENT),
    span(at("🇬🇧"), "GPE", ENTITY),
    span(at("Zoe\u0301"), "PERSON", ENTITY),
    span(at("firefighters"), "ROLE", ENTITY),
]
# "fire" ends inside the token "firefighters": no tokenizer can keep it as it is.
FIRE = at("fire")
BOB = [
    span(FACT, "fact", SEGMENT),
    span(at("Kim Jong-un"), "PERSON", ENTITY),
    span(FIRE, "ROLE", ENTITY),
]


def records():
    return [record("alice", ALICE), record("bob", BOB)]


def run(name, recs=None, **options):
    fmt = get_format(name)
    out = io.BytesIO() if fmt.binary else io.StringIO()
    summary = export(name, records() if recs is None else recs, out, **options)
    data = out.getvalue()
    if name == "jsonl":
        data = data.decode("utf-8")  # written as UTF-8 bytes; read back as text like the others
    return data, summary


def lines(data):
    return [json.loads(line) for line in data.splitlines()]


def utf16(i):
    return len(TEXT[:i].encode("utf-16-le")) // 2


def test_registry():
    assert set(FORMATS) == {"jsonl", "doccano", "labelstudio", "spacy", "conll", "sentences"}
    assert get_format("spacy").binary and not get_format("doccano").binary
    assert get_format("jsonl").binary  # UTF-8 straight from orjson
    with pytest.raises(ValueError, match="unknown export format 'brat'"):
        get_format("brat")
    with pytest.raises(ValueError, match="does not take tokens"):
        export("doccano", [], io.StringIO(), tokens=True)


# -------------------------------------------------------------------------------------------
# jsonl


def test_jsonl_lines_hold_text_spans_and_meta():
    data, summary = run("jsonl")
    first, second = lines(data)
    assert first["text"] == TEXT
    assert first["meta"] == {
        "id": 7, "title": "Talks “resume”", "source": "Example News", "url": None,
        "sha256": "ab" * 32, "status": "done", "annotator": "alice",
    }
    assert first["spans"] == [
        {"start": s.start, "end": s.end, "label": s.label, "annotator": "alice",
         "text": TEXT[s.start : s.end]}
        for s in record("alice", ALICE).spans
    ]
    # Sorted by (start, end, label): the entity at the start of the fact comes first.
    assert [s["text"] for s in first["spans"]][:3] == ["Kim Jong-un", TEXT[: FACT[1]], "O'Neill"]
    assert second["meta"]["annotator"] == "bob" and len(second["spans"]) == 3
    assert "tokens" not in first
    assert "👨‍👩‍👧" in data  # not \u-escaped
    assert summary.articles == summary.items == 2
    assert summary.spans == {"PERSON": 4, "fact": 2, "opinion": 1, "GPE": 1, "ROLE": 2}
    assert summary.total_skipped == 0
    assert validate_jsonl(data.splitlines(), None, {"PERSON", "GPE", "ROLE"}) == []


def test_jsonl_tokens_and_misaligned_spans_are_reported():
    data, summary = run("jsonl", tokens=True)
    first, second = lines(data)
    tokens = first["tokens"]
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    assert all(TEXT[t["start"] : t["end"]] == t["text"] for t in tokens)
    by_text = {s["text"]: s for s in first["spans"]}
    kim = by_text["Kim Jong-un"]
    assert [t["text"] for t in tokens[kim["token_start"] : kim["token_end"] + 1]] == [
        "Kim", "Jong", "-", "un",
    ]
    assert tokens[by_text["🇬🇧"]["token_start"]]["text"] == "🇬🇧"
    assert by_text["🇬🇧"]["token_start"] == by_text["🇬🇧"]["token_end"]
    for s in first["spans"] + second["spans"]:
        assert tokens[s["token_start"]]["start"] == s["start"]
        assert tokens[s["token_end"]]["end"] == s["end"]
    # bob's "fire" is not on token edges: left out, and said so.
    assert [s["text"] for s in second["spans"]] == ["Kim Jong-un", TEXT[: FACT[1]]]
    assert summary.skipped == {"not on token boundaries": 1}
    assert [(e.article_id, e.start, e.end, e.label) for e in summary.examples] == [
        (7, FIRE[0], FIRE[1], "ROLE")
    ]
    assert summary.spans["ROLE"] == 1
    assert validate_jsonl(data.splitlines(), None, {"PERSON", "GPE", "ROLE"}) == []


def test_jsonl_expand_snaps_outward_and_counts_it():
    data, summary = run("jsonl", tokens=True, misaligned="expand")
    second = lines(data)[1]
    role = [s for s in second["spans"] if s["label"] == "ROLE"]
    assert [(s["start"], s["end"], s["text"]) for s in role] == [
        (*at("firefighters"), "firefighters")
    ]
    assert summary.snapped == {"not on token boundaries": 1}
    assert summary.total_skipped == 0


def test_jsonl_utf16_offsets():
    data, _ = run("jsonl", offsets="utf16", tokens=True)
    first = lines(data)[0]
    assert first["meta"]["offsets"] == "utf16"
    by_text = {s["text"]: s for s in first["spans"]}
    start, end = at("firefighters")
    assert (by_text["firefighters"]["start"], by_text["firefighters"]["end"]) == (
        start + ASTRAL_BEFORE_FIREFIGHTERS, end + ASTRAL_BEFORE_FIREFIGHTERS,
    )
    assert (by_text["Kim Jong-un"]["start"], by_text["Kim Jong-un"]["end"]) == at("Kim Jong-un")
    assert by_text["🇬🇧"]["end"] - by_text["🇬🇧"]["start"] == 4
    token = first["tokens"][by_text["firefighters"]["token_start"]]
    assert token["start"] == start + ASTRAL_BEFORE_FIREFIGHTERS
    # What a JavaScript front end would slice with these offsets.
    units = TEXT.encode("utf-16-le")
    s = by_text["firefighters"]
    assert units[2 * s["start"] : 2 * s["end"]].decode("utf-16-le") == "firefighters"
    assert validate_jsonl(data.splitlines(), None, {"PERSON", "GPE", "ROLE"}) == []


def test_jsonl_utf8_offsets():
    data, _ = run("jsonl", offsets="utf8")
    first = lines(data)[0]
    raw = TEXT.encode("utf-8")
    for s in first["spans"]:
        assert raw[s["start"] : s["end"]].decode("utf-8") == s["text"]


def test_jsonl_escapes_span_texts_that_need_it():
    text = 'He said "no" \\ then\tleft.\nNext line \x07 here é.'
    spans = [ExportSpan(0, 12, "fact", SEGMENT), ExportSpan(8, 9, "q", ENTITY),
             ExportSpan(13, 19, "b", ENTITY), ExportSpan(20, 35, "c", SEGMENT),
             ExportSpan(len(text) - 6, len(text), "d", SEGMENT)]
    rec = ExportRecord(1, 't"', None, None, "cd" * 32, "done", text, 'an"n', spans)
    first = lines(run("jsonl", [rec])[0])[0]
    assert first["text"] == text
    assert [s["text"] for s in first["spans"]] == [text[s.start : s.end] for s in spans]
    assert first["meta"]["title"] == 't"'


# Every code point (lone surrogates cannot come out of SQLite), plus the ones JSON escapes.
ALL_CODE_POINTS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
ESCAPES = 'a"b\\c\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f \u2028\u2029 \ufeff 😀 👨‍👩‍👧 🇬🇧 é'


@pytest.mark.parametrize(
    "options", [{}, {"tokens": True}, {"offsets": "utf16"}, {"offsets": "utf8", "tokens": True}]
)
def test_jsonl_bytes_are_those_of_json_dumps(options):
    # The line is what json.dumps writes for the same object, escapes and separators included,
    # so switching serialisers never changes an exported file.
    text = ESCAPES + " " + ALL_CODE_POINTS[:70_000] + " " + ESCAPES
    spans = [ExportSpan(0, 5, 'q"\\', ENTITY), ExportSpan(0, len(ESCAPES), "fact", SEGMENT),
             ExportSpan(len(ESCAPES) - 10, len(ESCAPES) + 900, "op\u2028", SEGMENT),
             ExportSpan(len(text) - len(ESCAPES), len(text), "fact", SEGMENT)]
    rec = ExportRecord(3, ESCAPES, "s\\", 'u"', "cd" * 32, "done", text, 'an"n\x01', spans)
    data, _ = run("jsonl", [rec], **options)
    line, rest = data.split("\n")  # not splitlines: U+2028 and \x0b are written as they are
    assert rest == ""
    assert line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))
    assert json.loads(line)["meta"]["title"] == ESCAPES


def test_jsonl_escapes_every_code_point_as_json_dumps_does():
    rec = ExportRecord(1, "t", None, None, "cd" * 32, "done", ALL_CODE_POINTS, "a",
                       [ExportSpan(0, len(ALL_CODE_POINTS), "fact", SEGMENT)])
    data, _ = run("jsonl", [rec])
    expected = {
        "text": ALL_CODE_POINTS,
        "spans": [{"start": 0, "end": len(ALL_CODE_POINTS), "label": "fact", "annotator": "a",
                   "text": ALL_CODE_POINTS}],
        "meta": {"id": 1, "title": "t", "source": None, "url": None, "sha256": "cd" * 32,
                 "status": "done", "annotator": "a"},
    }
    assert data == json.dumps(expected, ensure_ascii=False, separators=(",", ":")) + "\n"


def test_spans_outside_the_text_are_skipped_not_written():
    bad = record("alice", [span((5, len(TEXT) + 3), "fact", SEGMENT)])
    data, summary = run("jsonl", [bad])
    assert lines(data)[0]["spans"] == []
    assert summary.skipped == {"outside the text": 1}


# -------------------------------------------------------------------------------------------
# doccano


def test_doccano_defaults_to_utf16_offsets():
    data, summary = run("doccano")
    first, second = lines(data)
    assert first["text"] == TEXT
    assert first["label"] == [
        [utf16(s.start), utf16(s.end), s.label] for s in record("alice", ALICE).spans
    ]
    start, end = at("firefighters")
    assert [start + 8, end + 8, "ROLE"] in first["label"]
    assert first["article_id"] == 7 and first["annotator"] == "alice"
    assert first["title"] == "Talks “resume”" and first["url"] is None
    assert "id" not in first
    assert second["label"][-1] == [utf16(FIRE[0]), utf16(FIRE[1]), "ROLE"]
    assert summary.spans["ROLE"] == 2


def test_doccano_code_point_offsets_when_asked():
    first = lines(run("doccano", offsets="codepoint")[0])[0]
    assert first["label"] == [[s.start, s.end, s.label] for s in record("alice", ALICE).spans]


# -------------------------------------------------------------------------------------------
# Label Studio


def test_labelstudio_one_task_per_article_with_an_annotation_per_annotator():
    data, summary = run("labelstudio")
    tasks = json.loads(data)
    assert len(tasks) == 1 and summary.items == 1 and summary.articles == 2
    task = tasks[0]
    assert task["id"] == 7
    assert task["data"] == {"text": TEXT, "title": "Talks “resume”", "source": "Example News",
                            "url": None}
    assert task["meta"]["annotators"] == ["alice", "bob"]
    alice, bob = task["annotations"]
    assert len(alice["result"]) == len(ALICE) and len(bob["result"]) == len(BOB)
    for result, s in zip(alice["result"], record("alice", ALICE).spans):
        assert result["from_name"] == "label" and result["to_name"] == "text"
        assert result["type"] == "labels" and result["origin"] == "manual"
        assert result["value"] == {"start": s.start, "end": s.end,
                                   "text": TEXT[s.start : s.end], "labels": [s.label]}
        assert len(result["id"]) == 10
    ids = [r["id"] for r in alice["result"] + bob["result"]]
    assert len(set(ids)) == len(ids)
    # The same data gives the same ids.
    assert [r["id"] for r in json.loads(run("labelstudio")[0])[0]["annotations"][0]["result"]] \
        == [r["id"] for r in alice["result"]]


def test_labelstudio_json_lines_and_empty():
    data, _ = run("labelstudio", [record("alice", ALICE, 1), record("bob", BOB, 2)],
                  json_lines=True)
    tasks = lines(data)
    assert [t["id"] for t in tasks] == [1, 2]
    assert json.loads(run("labelstudio", [])[0]) == []
    assert run("labelstudio", [], json_lines=True)[0] == ""


def test_labelstudio_streams_tasks():
    out = io.StringIO()
    seen = []

    def source():
        for n in range(1, 4):
            seen.append(out.getvalue().count('"annotations"'))
            yield record("alice", ALICE, n)

    export("labelstudio", source(), out)
    # When the third record was asked for, the first task was already written.
    assert seen == [0, 0, 1]
    assert [t["id"] for t in json.loads(out.getvalue())] == [1, 2, 3]


def test_labelstudio_result_id_depends_on_every_part():
    s = span(at("O'Neill"), "PERSON", ENTITY)
    base = result_id(7, "alice", s)
    assert base == result_id(7, "alice", s)
    assert base != result_id(8, "alice", s)
    assert base != result_id(7, "bob", s)
    assert base != result_id(7, "alice", span(at("O'Neill"), "ORG", ENTITY))


# -------------------------------------------------------------------------------------------
# spaCy


def test_spacy_docbin_loads_with_entities_and_spans(tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    data, summary = run("spacy", spans_key="segments")
    path = tmp_path / "train.spacy"
    path.write_bytes(data)
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 2
    alice, bob = docs
    assert alice.text == TEXT
    assert [(e.text, e.label_) for e in alice.ents] == [
        ("Kim Jong-un", "PERSON"), ("O'Neill", "PERSON"), ("🇬🇧", "GPE"),
        ("Zoe\u0301", "PERSON"), ("firefighters", "ROLE"),
    ]
    assert [(e.start_char, e.end_char) for e in alice.ents][-1] == at("firefighters")
    assert [(s.text, s.label_) for s in alice.spans["segments"]] == [
        (TEXT[: FACT[1]], "fact"), (TEXT[OPINION[0] : OPINION[1]], "opinion"),
    ]
    assert alice.user_data["article_id"] == 7 and alice.user_data["annotator"] == "alice"
    # "fire" cannot be a span of whole spaCy tokens: left out, counted.
    assert [(e.text, e.label_) for e in bob.ents] == [("Kim Jong-un", "PERSON")]
    assert summary.skipped == {"not on spaCy token boundaries": 1}
    assert summary.spans == {"PERSON": 4, "GPE": 1, "ROLE": 1, "fact": 2, "opinion": 1}


def test_spacy_missing_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(spacy_docbin.MissingExtra, match=r"pip install 'reader-annotate\[spacy\]'"):
        spacy_docbin.write(records(), io.BytesIO())


# -------------------------------------------------------------------------------------------
# CoNLL


def conll_rows(data):
    return [line.split(" ") for line in data.splitlines() if line and not line.startswith("-DOC")]


def test_conll_iob_tags_and_layout():
    data, summary = run("conll", [record("alice", ALICE)])
    assert data.startswith("-DOCSTART- -X- O O\n\n")
    rows = conll_rows(data)
    assert all(len(row) == 2 for row in rows)
    tagged = [(tok, tag) for tok, tag in rows if tag != "O"]
    assert tagged == [
        ("Kim", "B-PERSON"), ("Jong", "I-PERSON"), ("-", "I-PERSON"), ("un", "I-PERSON"),
        ("O'Neill", "B-PERSON"), ("🇬🇧", "B-GPE"), ("Zoe\u0301", "B-PERSON"),
        ("firefighters", "B-ROLE"),
    ]
    # Three sentences, one per line of the article, each followed by a blank line.
    body = data.split("-DOCSTART- -X- O O\n\n", 1)[1]
    assert body.count("\n\n") == 3 and body.endswith("\n\n")
    assert summary.spans == {"PERSON": 3, "GPE": 1, "ROLE": 1}


def test_conll_reads_back_with_spacy_converter():
    pytest.importorskip("spacy")
    from spacy.training.converters import conll_ner_to_docs

    data, summary = run("conll")
    docs = list(conll_ner_to_docs(data, n_sents=0, no_print=True))
    assert len(docs) == 2
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Kim Jong - un", "PERSON"), ("O'Neill", "PERSON"), ("🇬🇧", "GPE"),
        ("Zoe\u0301", "PERSON"), ("firefighters", "ROLE"),
    ]
    assert [(e.text, e.label_) for e in docs[1].ents] == [("Kim Jong - un", "PERSON")]
    assert summary.skipped == {"not on token boundaries": 1}


def test_conll_never_breaks_a_sentence_inside_an_entity():
    text = "It was Dr. Sam Lee. Then\nNew York replied."
    cross = ExportRecord(1, "t", None, None, "cd" * 32, "done", text, "a", [
        ExportSpan(text.index("Lee"), text.index("York") + 4, "ODD", ENTITY),
    ])
    data, summary = run("conll", [cross])
    body = data.split("\n\n", 1)[1]
    block = next(b for b in body.split("\n\n") if "B-ODD" in b)
    rows = block.splitlines()
    # Both sentence breaks inside the entity were held back: Lee .. York is one block.
    assert rows[rows.index("Lee B-ODD") :] == [
        "Lee B-ODD", ". I-ODD", "Then I-ODD", "New I-ODD", "York I-ODD", "replied O", ". O",
    ]
    assert summary.spans == {"ODD": 1}


def test_conll_labels_with_spaces_keep_two_columns():
    text = "Acme Corp rose."
    rec = ExportRecord(1, "t", None, None, "cd" * 32, "done", text, "a",
                       [ExportSpan(0, 9, "big company", ENTITY)])
    assert conll_rows(run("conll", [rec])[0])[:2] == [["Acme", "B-big_company"],
                                                      ["Corp", "I-big_company"]]


# -------------------------------------------------------------------------------------------
# sentences


def test_sentences_one_line_per_segment_span():
    data, summary = run("sentences", context_sentences=0)
    rows = lines(data)
    assert [(r["label"], r["annotator"], r["text"]) for r in rows] == [
        ("fact", "alice", TEXT[: FACT[1]]),
        ("opinion", "alice", TEXT[OPINION[0] : OPINION[1]]),
        ("fact", "bob", TEXT[: FACT[1]]),
    ]
    for r in rows:
        assert TEXT[r["start"] : r["end"]] == r["text"]
        assert r["context"] == r["text"] and r["context_start"] == r["start"]
    assert summary.items == 3 and summary.spans == {"fact": 2, "opinion": 1}


def test_sentences_context_and_uniform_schema():
    short = ExportSpan(*at("wonderful"), "opinion", SEGMENT)
    rec = record("alice", [short, span(FACT, "fact", SEGMENT)])
    rows = lines(run("sentences", [rec])[0])
    by_text = {r["text"]: r for r in rows}
    ctx = by_text["wonderful"]
    # The span's own sentence plus one on each side.
    assert ctx["context_start"] == 0
    assert ctx["context"] == TEXT[: TEXT.index("arrived.") + len("arrived.")]
    assert TEXT[ctx["context_start"] :].startswith(ctx["context"])
    keys = {tuple((k, type(v).__name__) for k, v in r.items()) for r in rows}
    assert len(keys) == 1  # same keys, same types on every line
    assert all(v is not None for r in rows for v in r.values())
    assert list(rows[0]) == ["text", "label", "article_id", "start", "end", "annotator",
                             "context", "context_start"]


def test_sentences_utf16_offsets():
    rec = record("alice", [span(OPINION, "opinion", SEGMENT)])
    row = lines(run("sentences", [rec], offsets="utf16", context_sentences=0)[0])[0]
    assert (row["start"], row["end"]) == (utf16(OPINION[0]), utf16(OPINION[1]))
    assert row["end"] - row["start"] == OPINION[1] - OPINION[0] + 5
