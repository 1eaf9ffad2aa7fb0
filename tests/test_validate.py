"""Validation of JSONL exports: each kind of problem, reported with its line number."""

import json

from reader.io.validate import Problem, validate_jsonl

TEXT = "Kim met 👨🏻‍🚒 Zoe in Paris."
LABELS = {"fact", "opinion", "PERSON", "GPE"}
ENTITIES = {"PERSON", "GPE"}


def line(spans, text=TEXT, **extra):
    return json.dumps({"text": text, "spans": spans, **extra}, ensure_ascii=False)


def span(word, label, **extra):
    start = TEXT.index(word)
    return {"start": start, "end": start + len(word), "label": label, "text": word, **extra}


def check(*lines):
    return [(p.line, p.message) for p in validate_jsonl(list(lines), LABELS, ENTITIES)]


def test_a_good_file_has_no_problems():
    good = line([span("Kim", "PERSON"), span("Kim met", "fact"), span("Zoe", "PERSON")])
    assert check(good, "", good) == []


def test_invalid_json_and_shapes():
    problems = check(line([]), "{not json", "[1, 2]", '{"spans": []}', '{"text": "a", "spans": 3}')
    assert [n for n, _ in problems] == [2, 3, 4, 5]
    assert problems[0][1].startswith("not valid JSON")
    assert problems[1][1] == "a line must be a JSON object, not list"
    assert problems[2][1] == 'no "text" string'
    assert problems[3][1] == '"spans" must be a list'


def test_bytes_lines_and_bad_utf8():
    assert validate_jsonl([line([]).encode(), b"\xff\xfe"], LABELS, ENTITIES) == [
        Problem(2, "not UTF-8: invalid start byte at byte 0")
    ]


def test_offsets_must_be_integers_in_order_inside_the_text():
    problems = check(
        line([{"start": "0", "end": 3, "label": "PERSON"}]),
        line([{"start": True, "end": 3, "label": "PERSON"}]),
        line([{"start": -1, "end": 3, "label": "PERSON"}]),
        line([{"start": 3, "end": 3, "label": "PERSON"}]),
        line([{"start": 20, "end": len(TEXT) + 1, "label": "GPE"}]),
        line([{"start": 0, "end": 3.0, "label": "PERSON"}]),
    )
    assert problems == [
        (1, "span 1: start and end must be integers, not '0' and 3"),
        (2, "span 1: start and end must be integers, not True and 3"),
        (3, "span 1: start -1 is negative"),
        (4, "span 1: start 3 is not before end 3"),
        (5, f"span 1: end {len(TEXT) + 1} is past the end of the text ({len(TEXT)})"),
        (6, "span 1: start and end must be integers, not 0 and 3.0"),
    ]


def test_span_text_must_match_the_slice():
    wrong = span("Zoe", "PERSON")
    wrong["start"] += 3  # offsets counted as UTF-16 in a code point file, as it were
    wrong["end"] += 3
    problems = check(line([span("Kim", "PERSON")]), line([wrong]))
    assert len(problems) == 1 and problems[0][0] == 2
    assert problems[0][1].startswith("span 1: text 'Zoe' differs from the text at")


def test_unknown_labels():
    problems = check(line([span("Kim", "PERSN"), span("Paris", "GPE")]))
    assert problems == [(1, "span 1: unknown label 'PERSN'")]
    assert validate_jsonl([line([span("Kim", "PERSN")])], None, ENTITIES) == []


def test_overlapping_entities_but_not_segments():
    overlapping = line([span("Kim", "PERSON"), span("Kim met", "GPE"), span("Kim met", "fact")])
    problems = check(line([]), overlapping)
    assert problems == [
        (2, "span 2 (GPE 0-7) overlaps span 1 (PERSON 0-3)"),
    ]
    nested = line([span("Kim met", "fact"), span("Kim", "PERSON"), span("met", "PERSON")])
    assert check(nested) == []


def test_utf16_offsets_declared_in_meta():
    start = TEXT.index("Zoe")
    utf16 = {"start": start + 3, "end": start + 6, "label": "PERSON", "text": "Zoe"}
    assert check(line([utf16], meta={"offsets": "utf16"})) == []
    inside_pair = {"start": 9, "end": 12, "label": "PERSON"}  # 9 splits the first emoji's pair
    problems = check(line([inside_pair], meta={"offsets": "utf16"}))
    assert problems == [(1, "span 1: UTF-16 offset 9 falls inside a surrogate pair")]
    assert check(line([], meta={"offsets": "bytes"})) == [
        (1, "unknown offset unit 'bytes' in meta.offsets")
    ]


def test_token_indices_must_match_the_offsets():
    tokens = [{"text": "Kim", "start": 0, "end": 3, "id": 0, "ws": True},
              {"text": "met", "start": 4, "end": 7, "id": 1, "ws": True}]
    good = span("Kim met", "fact", token_start=0, token_end=1)
    off = span("Kim", "PERSON", token_start=1, token_end=1)
    missing = span("met", "PERSON", token_start=1, token_end=5)
    problems = check(line([good, off, missing], tokens=tokens))
    assert problems == [
        (1, "span 2: tokens 1-1 span 4-7, not 0-3"),
        (1, "span 3: token_start 1 and token_end 5 do not name tokens in order"),
    ]


def test_problem_str():
    assert str(Problem(3, "oops")) == "line 3: oops"


def test_overlapping_segments_of_one_annotator_as_import_refuses():
    both = line([span("Kim met", "fact"), span("met", "opinion")])
    assert check(both) == [(1, "span 2 (opinion 4-7) overlaps span 1 (fact 0-7)")]
    apart = line([span("Kim met", "fact", annotator="a"), span("met", "opinion", annotator="b")])
    assert check(apart) == []


def test_lines_import_would_refuse_are_reported():
    # Whitespace-only text passes the shape checks; import's own parser refuses it.
    assert check(line([], text="   ")) == [(1, 'reader import refuses it: "text" is empty')]


def test_detect_by_content_and_name():
    from reader.io.validate import detect

    assert detect(b'{"text": "a", "spans": []}\n') == "jsonl"
    assert detect(b'{"text": "a", "label": [[0, 1, "fact"]]}\n') == "doccano"
    assert detect(b'{"text": "a", "label": "fact", "context": "a"}\n') == "sentences"
    assert detect(b'{"data": {"text": "a"}, "annotations": []}\n') == "labelstudio-lines"
    assert detect(b'[{"data": {"text": "a"}}]') == "labelstudio"
    assert detect(b'[1, 2]\n', "odd.jsonl") == "jsonl"
    assert detect(b"-DOCSTART- -X- O O\n\nKim B-entity\n") == "conll"
    assert detect(b"Kim B-entity\nmet O\nhim O\n") == "conll"
    assert detect(b"\x78\x9c\x00\x01") == "spacy"
    assert detect(b"", "train.spacy") == "spacy"
    assert detect(b"Dear diary, today was fine.\n") is None
