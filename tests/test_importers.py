"""Importing text, Markdown, HTML and JSON Lines into ParsedArticle objects."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import subprocess
import sys

import pytest

from reader.io.importers import (
    collect_inputs,
    count_inputs,
    parse_paths,
)
from reader.io.parsed import ParsedSpan
from reader.io.problem import ImportProblem
from db import Store
from reader.io.parse_html import MAIN_EXTRA_MESSAGE

LABELS = {"fact", "opinion", "boilerplate", "entity"}


def parse_one(path, **kwargs):
    articles = list(parse_paths([str(path)], **kwargs))
    assert len(articles) == 1
    return articles[0]


def problem(paths, **kwargs) -> ImportProblem:
    with pytest.raises(ImportProblem) as info:
        list(parse_paths([str(p) for p in paths], **kwargs))
    assert "\n" not in str(info.value)
    return info.value


def write_jsonl(path, *records):
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- text and Markdown ------------------------------------------------------------------------


def test_text_file_is_the_whole_article(tmp_path):
    data = b"\n  Storm hits coast  \r\nWinds reached\t120 km/h.\r\n"
    path = tmp_path / "storm.txt"
    path.write_bytes(data)
    article = parse_one(path)
    assert article.text == "\n  Storm hits coast  \nWinds reached 120 km/h.\n"
    assert article.title == "Storm hits coast"
    assert article.raw_sha256 == hashlib.sha256(data).hexdigest()
    assert (article.encoding, article.origin, article.spans) == ("utf-8", str(path), [])
    # The file is recorded, and its name is the source (there is none better in a text file).
    assert article.source == "storm.txt" and article.url is None
    assert article.meta["import_file"] == str(path)
    assert article.report.newlines == 2 and article.report.tabs == 1


def test_markdown_title_drops_heading_marks_but_text_keeps_them(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("## Rates held steady ##\n\nThe bank *held*.\n", encoding="utf-8")
    article = parse_one(path)
    assert article.title == "Rates held steady"
    assert article.text.startswith("## Rates held steady ##\n")
    assert article.meta["import_format"] == "markdown"


def test_legacy_encoding_text_file(tmp_path):
    text = "Le ministre a déclaré que l'économie française était « solide » malgré l'été."
    path = tmp_path / "fr.txt"
    path.write_bytes(text.encode("cp1252"))
    article = parse_one(path)
    assert article.text == text
    # chardet may name a sibling Latin codec; any that gives back the text is right.
    assert article.encoding in {"cp1252", "iso8859-15", "latin_1"}
    assert any("guessed" in w for w in article.meta["import_warnings"])


def test_escape_sequences_are_removed_from_text_files(tmp_path):
    path = tmp_path / "log.txt"
    path.write_bytes(b"\x1b]0;owned\x07Title\n\x1b[31mred\x1b[0m words\n")
    article = parse_one(path)
    assert article.text == "Title\nred words\n"
    assert article.report.escape_sequences == 3


def test_long_first_line_makes_a_short_title(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("word " * 200, encoding="utf-8")
    article = parse_one(path)
    assert len(article.title) <= 201 and article.title.endswith("…")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \r\n\t\n", "empty text"),
        (b"\x1b[2J\x1b[H\r\n", "empty text"),
        (b"%PDF-1.4\n%plain ascii pdf\n", "binary data (a PDF document)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data (a PNG image)"),
    ],
)
def test_unreadable_text_files(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    error = problem([path])
    assert (error.origin, error.reason) == (str(path), reason)
    assert str(error) == f"{path}: {reason}"


# --- walking inputs ---------------------------------------------------------------------------


def test_directories_are_walked_sorted_skipping_hidden_and_unknown(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Z")
    (tmp_path / "a" / "y.MD").write_text("Y")
    (tmp_path / "x.html").write_text("<p>X</p>")
    (tmp_path / ".hidden.txt").write_text("H")
    (tmp_path / ".git" / "HEAD.txt").write_text("G")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "package.json").write_text('{"name": "x"}')
    write_jsonl(tmp_path / "w.jsonl", {"text": "W1"}, {"text": "W2"})

    expected = [
        str(tmp_path / "w.jsonl"),
        str(tmp_path / "x.html"),
        str(tmp_path / "a" / "y.MD"),
        str(tmp_path / "b" / "z.txt"),
    ]
    assert collect_inputs([str(tmp_path)]) == expected
    assert count_inputs([str(tmp_path)]) == 4
    done: list[str] = []
    articles = list(parse_paths([str(tmp_path)], on_input_done=done.append))
    assert [a.text for a in articles] == ["W1", "W2", "X", "Y", "Z"]
    assert done == expected


def test_missing_path_is_a_problem(tmp_path):
    error = problem([tmp_path / "nope.txt"])
    assert error.reason == "no such file or directory"
    with pytest.raises(ImportProblem):
        count_inputs([str(tmp_path / "nope")])


def test_named_file_with_unknown_suffix_is_sniffed(tmp_path):
    path = tmp_path / "export.data"
    write_jsonl(path, {"text": "From a file named oddly"})
    article = parse_one(path)
    assert (article.text, article.origin) == ("From a file named oddly", f"{path}:1")


def test_named_json_file_reads_as_json_lines(tmp_path):
    path = write_jsonl(tmp_path / "one.json", {"text": "Single"})
    assert parse_one(path).text == "Single"


# --- standard input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "origin"),
    [
        (b'  {"text": "From a pipe"}\n', "From a pipe", "<stdin>:1"),
        (b"<!DOCTYPE html><html><body><p>Piped page</p></body></html>", "Piped page", "<stdin>"),
        (b"<div>Bare fragment</div>", "Bare fragment", "<stdin>"),
        (b"<3 plain text, not markup\n", "<3 plain text, not markup\n", "<stdin>"),
        (b"Just words\r\n", "Just words\n", "<stdin>"),
    ],
)
def test_stdin_is_sniffed(data, text, origin):
    articles = list(parse_paths(["-"], stdin=io.BytesIO(data)))
    assert [(a.text, a.origin) for a in articles] == [(text, origin)]


# --- HTML -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<title>Storm closes ports | Daily Planet</title>
<meta property="og:site_name" content="Daily Planet">
<meta property="og:url" content="https://planet.example/og">
<link rel="canonical" href="https://planet.example/storm">
<style>body { color: red } .STYLETEXT {}</style>
<script>var SCRIPTTEXT = 1;</script>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "JSONLDTEXT"}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Storm <em>closes</em> ports</h1>
<p>Winds of 120 km/h closed three ports on Tuesday.</p>
<p hidden>HIDDENTEXT</p>
<div style="display: none">DISPLAYNONETEXT</div>
<div style="visibility:hidden">INVISIBLETEXT</div>
<div hidden="until-found">Collapsed answer</div>
<p>Officials said <span aria-hidden="true">★</span> they would reopen them.</p>
<noscript>NOSCRIPTTEXT</noscript>
<template><p>TEMPLATETEXT</p></template>
<svg><title>SVGTEXT</title></svg>
<script>document.write("INLINESCRIPT")</script>tail after script.
</article>
<footer>© Daily Planet</footer>
</body></html>
"""


def test_html_whole_page_without_invisible_parts(tmp_path):
    path = tmp_path / "storm.html"
    path.write_text(PAGE, encoding="utf-8")
    article = parse_one(path)
    for hidden in (
        "STYLETEXT",
        "SCRIPTTEXT",
        "JSONLDTEXT",
        "HIDDENTEXT",
        "DISPLAYNONETEXT",
        "INVISIBLETEXT",
        "NOSCRIPTTEXT",
        "TEMPLATETEXT",
        "SVGTEXT",
        "INLINESCRIPT",
        "Storm closes ports |",  # the <title> is not page text
    ):
        assert hidden not in article.text
    paragraphs = article.text.split("\n\n")
    assert "Storm closes ports" in paragraphs
    assert "Winds of 120 km/h closed three ports on Tuesday." in paragraphs
    assert "Home World" in article.text  # boilerplate is kept for tagging
    assert "★" in article.text  # aria-hidden is still visible
    assert "Collapsed answer" in article.text  # found by in-page search, so content
    assert "tail after script." in article.text
    assert article.text.endswith("© Daily Planet")
    assert article.title == "Storm closes ports"
    assert article.source == "Daily Planet"
    assert article.url == "https://planet.example/storm"
    assert article.meta["import_format"] == "html"


def test_html_title_and_url_fallbacks(tmp_path):
    path = tmp_path / "p.htm"
    path.write_text(
        '<html><head><title>Only  a\ntitle</title><link rel="canonical" href="/relative">'
        '<meta property="og:url" content="https://x.example/a"></head>'
        "<body><p>Body text.</p></body></html>",
        encoding="utf-8",
    )
    article = parse_one(path)
    assert (article.title, article.url, article.source) == (
        "Only a title",
        "https://x.example/a",
        "p.htm",
    )


def test_html_without_any_title_uses_first_line(tmp_path):
    path = tmp_path / "p.html"
    path.write_text("<p>First para</p><p>Second</p>", encoding="utf-8")
    assert parse_one(path).title == "First para"


def test_html_meta_charset_is_honoured_for_non_utf8_bytes(tmp_path):
    body = "Правительство объявило о новых мерах."
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{body}</p></body></html>'
    path = tmp_path / "ru.html"
    path.write_bytes(page.encode("cp1251"))
    article = parse_one(path)
    assert (article.text, article.encoding) == (body, "cp1251")


def test_html_latin1_declaration_reads_as_cp1252(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><p>“Quoted” – café</p></body></html>"
    )
    path = tmp_path / "q.html"
    path.write_bytes(page.encode("cp1252"))
    assert parse_one(path).text == "“Quoted” – café"


def test_html_valid_utf8_wins_over_a_wrong_declaration(tmp_path):
    page = '<meta charset="iso-8859-1"><p>Zürich — naïve</p>'
    path = tmp_path / "u.html"
    path.write_bytes(page.encode("utf-8"))
    article = parse_one(path)
    assert (article.text, article.encoding) == ("Zürich — naïve", "utf-8")


def test_html_text_is_sanitised(tmp_path):
    path = tmp_path / "e.html"
    path.write_text("<p>safe&#x1b;[2J text\u202e</p>", encoding="utf-8")
    article = parse_one(path)
    assert article.text == "safe text"
    assert article.report.escape_sequences == 1 and article.report.bidi_controls == 1


def test_html_with_nothing_visible_is_empty(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>T</title></head><body><script>x()</script></body></html>")
    assert problem([path]).reason == "empty text"


def test_main_only_without_the_extra_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes the import fail
    path = tmp_path / "p.html"
    path.write_text(PAGE, encoding="utf-8")
    error = problem([path], main_only=True)
    assert error.reason == MAIN_EXTRA_MESSAGE


@pytest.mark.skipif(importlib.util.find_spec("trafilatura") is None, reason="needs [main]")
def test_main_only_keeps_the_article_body(tmp_path):
    page = PAGE.replace(
        "<p>Winds of 120 km/h closed three ports on Tuesday.</p>",
        "<p>Winds of 120 km/h closed three ports on Tuesday, stranding ferries and freight "
        "across the region for most of the day.</p><p>Harbour masters expect the weather "
        "to ease by Thursday, when the first ships may leave again under escort.</p>",
    )
    path = tmp_path / "p.html"
    path.write_text(page, encoding="utf-8")
    article = parse_one(path, main_only=True)
    assert "Harbour masters expect" in article.text
    assert "\n\n" in article.text
    assert "Home World" not in article.text
    assert article.meta["import_main_only"] is True
    assert article.source == "Daily Planet"


# --- JSON Lines -------------------------------------------------------------------------------


def test_prodigy_lines(tmp_path):
    record = {
        "text": "Uber’s Lesson",
        "meta": {"source": "The New York Times", "section": "tech"},
        "_input_hash": 1886699658,
        "tokens": [{"text": "Uber", "start": 0, "end": 4, "id": 0}],
        "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": "entity"}],
        "answer": "accept",
    }
    path = write_jsonl(tmp_path / "p.jsonl", record)
    article = parse_one(path, known_labels=LABELS)
    assert article.text == "Uber’s Lesson"
    assert article.title == "Uber’s Lesson"
    assert article.source == "The New York Times"
    assert article.spans == [ParsedSpan(0, 4, "entity")]
    assert article.meta["section"] == "tech" and article.meta["answer"] == "accept"
    assert article.origin == f"{path}:1"
    line = path.read_bytes().split(b"\n")[0]
    assert article.raw_sha256 == hashlib.sha256(line).hexdigest()


def test_rejected_prodigy_task_keeps_text_but_not_spans(tmp_path):
    path = write_jsonl(
        tmp_path / "r.jsonl",
        {
            "text": "Wrong tag",
            "spans": [{"start": 0, "end": 5, "label": "fact"}],
            "answer": "reject",
        },
    )
    article = parse_one(path)
    assert article.spans == [] and article.meta["import_warnings"]


def test_doccano_shapes(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl",
        {
            "text": "EU rejects German call to boycott British lamb.",
            "label": [[0, 2, "ORG"], [11, 17, "MISC"]],
        },
        {"text": "Old release", "labels": [[0, 3, "X"]]},
        {
            "text": "Google was founded in California.",
            "entities": [
                {"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
                {"id": 1, "start_offset": 22, "end_offset": 32, "label": "LOC"},
            ],
            "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "foundedAt"}],
        },
        {"text": "A classified document", "label": ["POSITIVE"]},
    )
    articles = list(parse_paths([str(path)]))
    assert [a.spans for a in articles] == [
        [ParsedSpan(0, 2, "ORG"), ParsedSpan(11, 17, "MISC")],
        [ParsedSpan(0, 3, "X")],
        [ParsedSpan(0, 6, "ORG"), ParsedSpan(22, 32, "LOC")],
        [],
    ]
    assert articles[3].meta["categories"] == ["POSITIVE"]
    assert [a.origin for a in articles] == [f"{path}:{n}" for n in (1, 2, 3, 4)]


def test_own_export_shape_round_trips(tmp_path):
    text = "The minister said taxes will fall. That is unlikely."
    path = write_jsonl(
        tmp_path / "ours.jsonl",
        {
            "text": text,
            "meta": {"title": "Taxes", "source": "Wire", "url": "https://wire.example/t"},
            "spans": [
                {"start": 0, "end": 34, "label": "fact", "text": text[:34], "annotator": "ann"},
                {"start": 35, "end": 52, "label": "opinion", "text": text[35:52]},
            ],
        },
    )
    article = parse_one(path, known_labels=LABELS)
    assert (article.title, article.source) == ("Taxes", "Wire")
    assert article.url == "https://wire.example/t"
    assert article.spans == [ParsedSpan(0, 34, "fact", "ann"), ParsedSpan(35, 52, "opinion")]


def test_blank_lines_and_crlf_endings(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'\r\n{"text": "one"}\r\n   \r\n{"text": "two\\r\\nlines"}\r\n\r\n')
    articles = list(parse_paths([str(path)]))
    assert [(a.text, a.origin) for a in articles] == [
        ("one", f"{path}:2"),
        ("two\nlines", f"{path}:4"),
    ]
    assert articles[0].raw_sha256 == hashlib.sha256(b'{"text": "one"}').hexdigest()


def test_emoji_combining_marks_and_escapes_move_spans(tmp_path):
    raw = "👨🏻‍🚒 Cafe\u0301\r\n\x1b[1mBob\x1b[0m\tO'Neill \u202eok"
    spans = []
    for word in ("👨🏻‍🚒", "Cafe\u0301", "Bob", "O'Neill", "ok"):
        start = raw.index(word)
        spans.append({"start": start, "end": start + len(word), "label": "entity", "text": word})
    path = write_jsonl(tmp_path / "e.jsonl", {"text": raw, "spans": spans})
    article = parse_one(path)
    assert article.text == "👨🏻‍🚒 Cafe\u0301\nBob O'Neill ok"
    assert [article.text[s.start:s.end] for s in article.spans] == [
        "👨🏻‍🚒",
        "Cafe\u0301",
        "Bob",
        "O'Neill",
        "ok",
    ]
    assert article.report.escape_sequences == 2


def test_stdin_jsonl_with_several_lines():
    data = b'{"text": "a"}\n{"text": "b", "meta": {"title": "B title"}}\n'
    articles = list(parse_paths(["-"], stdin=io.BytesIO(data)))
    assert [(a.title, a.origin) for a in articles] == [("a", "<stdin>:1"), ("B title", "<stdin>:2")]


def test_utf16_jsonl_with_bom(tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_bytes(b"\xff\xfe" + '{"text": "wide"}\n'.encode("utf-16-le"))
    article = parse_one(path)
    assert (article.text, article.encoding) == ("wide", "utf-16-le")


BAD_LINES = [
    ("{not json", "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
    ("[1, 2]", "expected a JSON object, got an array"),
    ('"text"', "expected a JSON object, got a string"),
    ('{"title": "x"}', 'missing "text"'),
    ('{"text": ""}', '"text" is empty'),
    ('{"text": " \\n\\t "}', '"text" is empty'),
    ('{"text": "\\u001b[2J"}', "empty text"),
    ('{"text": 5}', '"text" must be a string, got a number'),
    ('{"text": null}', '"text" must be a string, got null'),
    ('{"text": "abc", "meta": []}', '"meta" must be an object, got an array'),
    ('{"text": "abc", "spans": {}}', '"spans" must be an array, got an object'),
    ('{"text": "abc", "spans": [3]}', "spans[0] must be an object, got a number"),
    ('{"text": "abc", "spans": [{"end": 1, "label": "fact"}]}', 'spans[0]: missing "start"'),
    ('{"text": "abc", "spans": [{"start": "0", "end": 1, "label": "fact"}]}',
     'spans[0]: start must be an integer, got "0"'),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1.0, "label": "fact"}]}',
     "spans[0]: end must be an integer, got 1.0"),
    ('{"text": "abc", "spans": [{"start": false, "end": 1, "label": "fact"}]}',
     "spans[0]: start must be an integer, got false"),
    ('{"text": "abc", "spans": [{"start": -1, "end": 1, "label": "fact"}]}',
     "spans[0]: start is negative (-1)"),
    ('{"text": "abc", "spans": [{"start": 2, "end": 1, "label": "fact"}]}',
     "spans[0]: start 2 is after end 1"),
    ('{"text": "abc", "spans": [{"start": 1, "end": 1, "label": "fact"}]}',
     "spans[0]: empty span at 1"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 4, "label": "fact"}]}',
     "spans[0]: end 4 is past the end of the text (length 3)"),
    ('{"text": "abc", "label": [[0, 100000000000000000000000000000000000000, "fact"]]}',
     "label[0]: end 1" + "0" * 28 + "… is past the end of the text (length 3)"),
    ('{"text": "abc", "label": [[0, 1]]}', "label[0] must be [start, end, label]"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": ""}]}',
     "spans[0]: label must be a non-empty string"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "FACT"}]}',
     "spans[0]: unknown label 'FACT' (known: boilerplate, entity, fact, opinion)"),
    ('{"text": "abc", "entities": [{"start_offset": 0, "end_offset": 2, "label": "ORG"}]}',
     "entities[0]: unknown label 'ORG' (known: boilerplate, entity, fact, opinion)"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 2, "label": "fact", "text": "ac"}]}',
     "spans[0]: text 'ac' does not match the text at 0-2: 'ab'"),
    ('{"text": "a\\u001b[1mb", "spans": [{"start": 2, "end": 5, "label": "fact"}]}',
     "spans[0]: span 2-5 (fact) cannot be moved onto the cleaned text: it starts or ends inside "
     "a removed escape sequence or a CRLF pair"),
    ('{"text": "a\\u001b[1mb", "spans": [{"start": 1, "end": 5, "label": "fact"}]}',
     "spans[0]: span 1-5 (fact) cannot be moved onto the cleaned text: it covers only characters "
     "that cleaning removed"),
    ('{"text": "a\\r\\nb", "spans": [{"start": 0, "end": 2, "label": "fact"}]}',
     "spans[0]: span 0-2 (fact) cannot be moved onto the cleaned text: it starts or ends inside "
     "a removed escape sequence or a CRLF pair"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_bad_lines_name_path_and_line(tmp_path, line, reason):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n\n' + line + "\n", encoding="utf-8")
    error = problem([path], known_labels=LABELS)
    assert error.origin == f"{path}:3"
    assert error.reason == reason
    assert str(error) == f"{path}:3: {reason}"


def test_integers_beyond_the_digit_limit(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text('{"text": "abc", "label": [[0, ' + "9" * 5000 + ', "fact"]]}\n')
    error = problem([path])
    assert error.origin == f"{path}:1"
    assert error.reason.startswith("invalid JSON:")


def test_deeply_nested_json(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "abc", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    assert problem([path]).reason == "invalid JSON: nested too deeply"


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    error = problem([path])
    assert (error.origin, error.reason) == (f"{path}:2", "not valid UTF-8 (byte 0xe9 at byte 14)")


def test_empty_jsonl_file(tmp_path):
    path = tmp_path / "none.jsonl"
    path.write_text("\n  \n")
    assert problem([path]).reason == "empty file"


def test_gzip_named_jsonl_is_refused(tmp_path):
    path = tmp_path / "z.jsonl"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))
    error = problem([path])
    assert (error.origin, error.reason) == (str(path), "binary data (gzip-compressed data)")


def test_problem_is_raised_before_later_articles(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", {"text": "good"}, "oops")
    (tmp_path / "b.txt").write_text("never reached")
    seen = []
    with pytest.raises(ImportProblem) as info:
        for article in parse_paths([str(tmp_path)]):
            seen.append(article.text)
    assert seen == ["good"]
    assert info.value.origin.endswith("a.jsonl:2")


def _nested_page(depth: int, words_per_level: int = 3) -> str:
    words = " ".join(["harbour"] * words_per_level)
    return (
        "<html><head><title>Deep page</title></head><body>"
        + "".join(f"<div>level {i} {words}" for i in range(depth))
        + "</div>" * depth
        + "</body></html>"
    )


def test_html_nested_deeply_keeps_all_of_its_text(tmp_path):
    # Far past libxml2's default limit of 256 levels, which cut such a page off silently.
    path = tmp_path / "deep.html"
    path.write_text(_nested_page(2000))
    article = parse_one(path)
    assert "level 0 harbour" in article.text
    assert "level 1999 harbour" in article.text
    assert article.text.count("harbour") == 2000 * 3


def test_html_nested_past_the_parser_limit_is_refused_naming_it(tmp_path):
    # 10,000 nested divs holding 30 MB of text: refused, not cut to what fits.
    path = tmp_path / "deeper.html"
    path.write_text(_nested_page(10_000, words_per_level=380))
    assert path.stat().st_size > 30_000_000
    with pytest.raises(ImportProblem, match=r"deeper than 2,048 levels"):
        parse_one(path)


def test_cli_refuses_a_page_nested_too_deeply_and_writes_nothing(tmp_path):
    from click.testing import CliRunner

    from reader.cli import main

    path = tmp_path / "deeper.html"
    path.write_text(_nested_page(3000))
    db_path = tmp_path / "x.db"
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 1
    assert "2,048 levels" in result.output and len(result.output.strip().splitlines()) == 1
    assert Store.open(db_path).count_articles() == 0


# --- limits -------------------------------------------------------------------------------------


def test_a_line_with_more_spans_than_the_limit_is_refused_before_it_is_parsed(tmp_path):
    from reader.io.parsed import MAX_SPANS

    text = "word " * 200_000
    spans = ",".join(f"[{i * 5},{i * 5 + 4},\"entity\"]" for i in range(MAX_SPANS + 1))
    path = tmp_path / "many.jsonl"
    path.write_text('{"text": "%s", "label": [%s]}\n' % (text, spans))
    found = problem([path], known_labels=LABELS)
    assert found.origin.endswith("many.jsonl:1")
    assert "more spans than the limit of 100,000 per article" in found.reason


def test_spans_up_to_the_limit_import(tmp_path):
    text = "word " * 20_000
    records = {"text": text, "label": [[i * 5, i * 5 + 4, "entity"] for i in range(20_000)]}
    article = parse_one(write_jsonl(tmp_path / "ok.jsonl", records), known_labels=LABELS)
    assert len(article.spans) == 20_000


def test_a_line_longer_than_the_limit_is_refused_naming_it(tmp_path, monkeypatch):
    from reader.io import parse_jsonl

    monkeypatch.setattr(parse_jsonl, "MAX_LINE_BYTES", 1000)
    path = write_jsonl(tmp_path / "long.jsonl", {"text": "short"}, {"text": "x" * 2000}, {"text": "never read"})
    found = problem([path])
    assert found.origin.endswith("long.jsonl:2")
    assert found.reason.startswith("line longer than the limit of")


def test_the_stated_line_limit_is_enforced(tmp_path):
    from reader.io.parsed import MAX_LINE_BYTES

    path = tmp_path / "huge.jsonl"
    with open(path, "w") as out:
        out.write('{"text": "' + "y" * (MAX_LINE_BYTES + 10) + '"}\n')
    found = problem([path])
    assert found.reason == "line longer than the limit of 32 MiB per record"


def test_a_file_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    from reader.io import importers

    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 10_000)
    path = tmp_path / "big.txt"
    path.write_text("Big file\n" + "word " * 5000)
    assert "larger than the limit" in problem([path]).reason


HUGE_LINE_CHILD = """
import sys

def peak_mb():
    # VmHWM starts afresh at exec; getrusage's ru_maxrss keeps the parent's (pytest's) figure.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
from reader.io.importers import parse_paths, ImportProblem
try:
    for _ in parse_paths([sys.argv[1]], known_labels={"entity"}):
        pass
    print("imported")
except ImportProblem as exc:
    print(exc)
print(peak_mb())
"""


def test_a_million_spans_on_one_line_are_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "million.jsonl"
    with open(path, "w") as out:
        out.write('{"text": "' + "word " * 1_000_000 + '", "label": [')
        out.write(",".join(f'[{i * 5},{i * 5 + 4},"entity"]' for i in range(1_000_000)))
        out.write("]}\n")
    proc = subprocess.run([sys.executable, "-c", HUGE_LINE_CHILD, str(path)], capture_output=True, text=True, check=True)
    message, peak_mb = proc.stdout.strip().splitlines()
    assert "more spans than the limit of 100,000 per article" in message
    # The 23 MB line is read and counted, never parsed into a million objects.
    assert int(peak_mb) < 150


# --- one URL rule for every format ----------------------------------------------------------------

URL_CASES = [
    ("https://news.example.org/2026/harbour", "https://news.example.org/2026/harbour"),
    ("HTTP://Example.com/a?b=c#d", "HTTP://Example.com/a?b=c#d"),
    ("  https://example.com/with space  ", "https://example.com/withspace"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(document.cookie)", None),
    ("data:text/html;base64,PHNjcmlwdD4=", None),
    ("file:///etc/passwd", None),
    ("ftp://example.com/file", None),
    ("/relative/path", None),
    ("//example.com/no-scheme", None),
    ("https://", None),
    ("https://exa\x1b]0;title\x07mple.com/", "https://example.com/"),
]


@pytest.mark.parametrize("given, kept", URL_CASES)
def test_the_same_url_rule_for_jsonl_and_html(tmp_path, given, kept):
    from reader.io.parsed import clean_url

    assert clean_url(given) == kept
    in_meta = parse_one(write_jsonl(tmp_path / "a.jsonl", {"text": "Body.", "meta": {"url": given}}))
    at_top = parse_one(write_jsonl(tmp_path / "b.jsonl", {"text": "Body.", "url": given}))
    page = tmp_path / "c.html"
    page.write_text(f'<html><head><link rel="canonical" href="{given}"></head><body><p>Body.</p></body></html>')
    og = tmp_path / "d.html"
    og.write_text(f'<html><head><meta property="og:url" content="{given}"></head><body><p>Body.</p></body></html>')
    assert [a.url for a in (in_meta, at_top, parse_one(page), parse_one(og))] == [kept] * 4
    if kept is None:
        # Not kept in the meta either, and the import says what it left out.
        assert "url" not in in_meta.meta
        assert any("left out" in w for w in in_meta.meta["import_warnings"])
