"""sanitize: hostile text in, terminal-safe text out, offsets carried across."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.text.sanitize import SanitizeReport, sanitize

CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("a\x85b\x0bc\x0cd", "a\nb\nc\nd"),
        ("\r\n\r\n", "\n\n"),
        ("\r\r\n", "\n\n"),
        ("col1\tcol2", "col1 col2"),
        ("red \x1b[31;1mtext\x1b[0m.", "red text."),
        ("\x1b[?25l\x1b[2J\x1b[Hhome", "home"),
        ("title\x1b]0;pwned\x07 ok", "title ok"),
        ("clip\x1b]52;c;ZXZpbA==\x1b\\ ok", "clip ok"),
        ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("dcs\x1bPq#0;2;0;0;0\x1b\\ end", "dcs end"),
        ("apc\x1b_Gf=100;AAAA\x1b\\ end", "apc end"),
        ("pm\x1b^private\x1b\\ sos\x1bXstring\x9c", "pm sos"),
        ("charset\x1b(B ok", "charset ok"),
        ("keypad\x1b= save\x1b7 restore\x1b8", "keypad save restore"),
        ("c1 csi\x9b2J ok", "c1 csi ok"),
        ("c1 osc\x9d0;title\x9c ok", "c1 osc ok"),
        ("c1 dcs\x90data\x9c ok", "c1 dcs ok"),
        ("lone esc\x1b", "lone esc"),
        ("unterminated\x1b]0;title\nnext line", "unterminated\nnext line"),
        ("bell\x07 bs\x08 nul\x00 del\x7f", "bell bs nul del"),
        ("\u202eevil\u202c \u2066iso\u2069 \u200emark\u200f \u061carabic", "evil iso mark arabic"),
        ("e\u0301 👨\u200d👩\u200d👧 🇫🇷", "e\u0301 👨\u200d👩\u200d👧 🇫🇷"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("", ""),
    ],
)
def test_rules(raw, expected):
    assert sanitize(raw).text == expected


def test_report_counts_each_kind():
    raw = "a\r\nb\rc\td\x1b[1me\x1b]0;t\x07f\x01g\x7fh\u202ei\u200f"
    report = sanitize(raw).report
    assert report == SanitizeReport(
        escape_sequences=2, control_characters=2, bidi_controls=2, tabs=1, newlines=2
    )
    assert report.changed


def test_summary_is_short_and_plural_aware():
    report = sanitize("\x1b[1mA\x1b[0m\x1b[2J\x01\x02").report
    assert report.summary() == "removed 3 escape sequences, 2 control characters"
    assert sanitize("a\x01\tb").report.summary() == "removed 1 control character; replaced 1 tab"
    assert sanitize("plain").report.summary() == "no changes"
    assert not sanitize("plain").report.changed


def test_report_add_sums_counts():
    total = SanitizeReport()
    total.add(sanitize("\x1b[1m\t").report)
    total.add(sanitize("\x1b[1m\r\n").report)
    assert (total.escape_sequences, total.tabs, total.newlines) == (2, 1, 1)


def test_spans_move_past_removed_sequences():
    raw = "\x1b[31mRed\x1b[0m alert\r\nfor Bob"
    cleaned = sanitize(raw)
    for word in ("Red", "alert", "Bob"):
        start = raw.index(word)
        mapped = cleaned.map_span(start, start + len(word))
        assert mapped is not None
        assert cleaned.text[mapped[0]:mapped[1]] == word


def test_span_over_a_removed_sequence_keeps_its_visible_text():
    raw = "bold \x1b[1mword\x1b[0m here"
    cleaned = sanitize(raw)
    start = raw.index("bold")
    end = raw.index(" here")
    mapped = cleaned.map_span(start, end)
    assert mapped is not None
    assert cleaned.text[mapped[0]:mapped[1]] == "bold word"


def test_spans_that_cannot_move_exactly_give_none():
    raw = "ab\x1b[31mcd\r\nef"
    cleaned = sanitize(raw)
    esc = raw.index("\x1b")
    assert cleaned.map_span(esc + 2, esc + 6) is None  # starts inside the escape sequence
    assert cleaned.map_span(0, esc + 1) is None  # ends inside it
    assert cleaned.map_span(esc, esc + 5) is None  # covers only removed characters
    cr = raw.index("\r")
    assert cleaned.map_span(0, cr + 1) is None  # ends between CR and LF
    assert cleaned.map_span(3, 2) is None
    assert cleaned.map_span(0, len(raw) + 1) is None
    assert cleaned.map_span(0, len(raw)) == (0, len(cleaned.text))


def test_tabs_and_lone_newlines_keep_offsets():
    raw = "a\tb\rc\u2028d"
    cleaned = sanitize(raw)
    assert len(cleaned.text) == len(raw)
    assert all(cleaned.map_offset(i) == i for i in range(len(raw) + 1))


def test_large_clean_text_is_fast_enough():
    import time

    big = ("Lorem ipsum dolor sit amet, consectetur adipiscing. " * 20 + "\n") * 1000
    started = time.perf_counter()
    cleaned = sanitize(big)
    assert cleaned.text == big
    assert time.perf_counter() - started < 0.5


# Text drawn from a mix of plain characters and everything sanitising cares about.
HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            list("\x1b\x07\x9b\x9c\x9d\x90\r\n\t\x0b\x0c\x85\u2028\u2029\u202e\u2066\u200f")
            + list("[]P^_X\\;0m")
        ),
    ),
    max_size=200,
)
PLAIN = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=("Cc", "Cs"),
        exclude_characters="\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        "\u200e\u200f\u061c",
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_output_has_no_controls_but_newline(raw):
    text = sanitize(raw).text
    assert not CONTROLS.search(text)
    assert "\x1b" not in text
    assert "\r" not in text
    text.encode("utf-8")  # no lone surrogates left


@settings(max_examples=300, deadline=None)
@given(HOSTILE, PLAIN, HOSTILE)
def test_span_over_plain_text_maps_to_the_same_characters(before, plain, after):
    # An unterminated OSC/DCS string in `before` would legitimately swallow `plain`; end it.
    before = before + "\n"
    raw = before + plain + after
    cleaned = sanitize(raw)
    mapped = cleaned.map_span(len(before), len(before) + len(plain))
    assert mapped is not None
    assert cleaned.text[mapped[0]:mapped[1]] == plain


@settings(max_examples=200, deadline=None)
@given(HOSTILE)
def test_mapped_offsets_are_monotonic_and_in_range(raw):
    cleaned = sanitize(raw)
    previous = 0
    for offset in range(len(raw) + 1):
        mapped = cleaned.map_offset(offset)
        if mapped is None:
            continue
        assert previous <= mapped <= len(cleaned.text)
        previous = mapped
    assert cleaned.map_offset(len(raw)) == len(cleaned.text)
