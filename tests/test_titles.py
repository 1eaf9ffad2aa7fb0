"""The title heuristic on realistic first lines (tests/data/title_cases.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from reader.io.importers import parse_bytes
from reader.text.titles import choose_title, first_sentence, is_cruft, is_headline, shorten

CASES = tomllib.loads((Path(__file__).parent / "data" / "title_cases.toml").read_text("utf-8"))["case"]


def test_there_are_enough_cases():
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_title_cases_through_the_importers(case):
    origin = case.get("file", "page." + {"text": "txt", "markdown": "md", "html": "html"}[case["kind"]])
    (article,) = parse_bytes(case["input"].encode("utf-8"), origin, kind=case["kind"])
    assert article.title == case["title"]
    # The text stays as written: the heuristic only reads it.
    if case["kind"] != "html":
        assert article.text == case["input"]


def test_first_sentence_is_cut_at_a_word_boundary_with_an_ellipsis():
    long = "Word " * 40
    assert shorten(long) .endswith("…")
    assert len(shorten(long)) <= 81
    assert not shorten(long)[:-1].endswith(" ")
    assert first_sentence("Short one. Then more.") == "Short one."
    assert first_sentence("Mr. Lee spoke. Then more.") == "Mr. Lee spoke."


def test_helpers_on_single_lines():
    assert is_cruft("By Ann Lee")
    assert is_cruft("Advertisement")
    assert is_cruft("12 March 2026")
    assert not is_cruft("Council backs four-day week trial")
    assert is_headline("Council backs four-day week trial")
    assert not is_headline("The council backs a four-day week trial for depot staff.")


def test_file_name_is_the_last_resort():
    assert choose_title("Share\nAdvertisement\n", file_name="dir/my_story.txt") == "my story"
    assert choose_title("", file_name=None) == ""
