"""Checks over the sample articles and the default label set shipped in reader.assets."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from html.parser import HTMLParser
from importlib.resources import files
from importlib.resources.abc import Traversable

import pytest

from reader.keymap import label_key_clash, taken_keys
from reader.labels import default_label_file, key_name, load_labels

ASSETS = files("reader.assets")
ARTICLE_NAME = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.(?:txt|md|html)$")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Keys the reader keeps for moving, selecting, searching and quitting, plus the digits,
# which label order hands out.

# Page furniture a scraper drags along; every article should carry some of it so the
# boilerplate label has work in each one.
CRUFT_MARKERS = (
    "Subscribe",
    "Sign up",
    "Share",
    "Copy link",
    "Photograph:",
    "Read more",
    "More on this story",
    "RELATED COVERAGE",
    "Most read",
    "Advertisement",
    "cookies",
    "Comments",
    "©",
    "Listen",
)


class _VisibleText(HTMLParser):
    """Collects the text a browser would show: everything outside <script>, <style> and <head>."""

    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []
        self.tags: dict[str, list[str]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.depth += 1
        self._current = tag
        self.tags.setdefault(tag, [])
        if tag in ("meta", "link", "script"):
            self.tags[tag].append(" ".join(f"{k}={v}" for k, v in attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.depth -= 1
        self._current = None

    def handle_data(self, data: str) -> None:
        if self._current in ("title", "h1"):
            self.tags[self._current].append(data)
        if self.depth == 0:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"[ \t]*\n\s*", "\n", "".join(self.parts)).strip()


def _articles() -> list[Traversable]:
    folder = ASSETS / "articles"
    return sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name)


def _text(path: Traversable) -> str:
    return path.read_bytes().decode("utf-8")


def _visible(path: Traversable) -> str:
    """The readable text of an article: the page text for HTML, the file as it is otherwise."""
    raw = _text(path)
    if not path.name.endswith(".html"):
        return raw
    parser = _VisibleText()
    parser.feed(raw)
    parser.close()
    return parser.text


def _non_empty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: float, b: float) -> float:
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F300 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF


ARTICLES = _articles()
ALL_TEXT = "\n".join(_text(p) for p in ARTICLES)


def test_at_least_six_articles_in_three_formats():
    assert len(ARTICLES) >= 6
    suffixes = {p.name.rsplit(".", 1)[1] for p in ARTICLES}
    assert {"txt", "md", "html"} <= suffixes


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_article_file_is_clean_utf8(path: Traversable):
    assert ARTICLE_NAME.match(path.name), path.name
    data = path.read_bytes()
    assert data, "empty file"
    assert not data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM"
    assert b"\r" not in data, "line endings must be \\n"
    text = data.decode("utf-8")  # strict: raises on invalid UTF-8
    assert text.strip()
    assert text.endswith("\n")
    controls = {ch for ch in text if unicodedata.category(ch) == "Cc" and ch != "\n"}
    assert not controls, f"control characters {controls!r}"


@pytest.mark.parametrize(
    "path", [p for p in ARTICLES if not p.name.endswith(".html")], ids=lambda p: p.name
)
def test_plain_article_starts_with_headline_then_byline(path: Traversable):
    lines = _non_empty_lines(_text(path))
    headline = lines[0].lstrip("#").strip()
    assert 20 <= len(headline) <= 120, headline
    assert headline[0].isupper()
    assert not headline.endswith("."), "a headline, not a sentence of body text"
    assert any(line.lstrip("*").startswith("By ") for line in lines[1:3]), lines[1:3]
    # A dateline close under the byline.
    assert re.search(r"\b20\d\d\b", "\n".join(lines[1:4])), lines[1:4]


def test_html_article_has_page_structure():
    pages = [p for p in ARTICLES if p.name.endswith(".html")]
    assert pages
    for path in pages:
        raw = _text(path)
        parser = _VisibleText()
        parser.feed(raw)
        parser.close()
        title = "".join(parser.tags["title"]).strip()
        h1 = "".join(parser.tags["h1"]).strip()
        assert h1 and title.startswith(h1), (title, h1)
        assert any("property=og:site_name" in m for m in parser.tags["meta"])
        assert any("rel=canonical" in m for m in parser.tags["link"])
        assert any("application/ld+json" in s for s in parser.tags["script"])
        assert re.search(r'<time datetime="20\d\d-', raw)
        assert re.search(r">By\b", raw), "byline"
        for tag in ("<nav", "<style", "<footer", "<aside", "cookie"):
            assert tag in raw, tag
        visible = parser.text
        # What must stay hidden does, and the story is there.
        assert "@context" not in visible and "font-family" not in visible
        assert "dataLayer" not in visible
        assert h1 in visible
        assert sum(1 for line in visible.split("\n") if len(line) > 200) >= 5


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_article_reads_like_a_scraped_news_page(path: Traversable):
    text = _visible(path)
    words = len(text.split())
    assert 400 <= words <= 1000, words
    assert re.search(r"\d", text)
    assert "“" in text and "”" in text, "quoted speech"
    assert any(marker in text for marker in CRUFT_MARKERS), "no page furniture"


def _headline(path: Traversable) -> str:
    """The <h1> of an HTML page, or the first non-empty line of any other article."""
    if path.name.endswith(".html"):
        parser = _VisibleText()
        parser.feed(_text(path))
        parser.close()
        return "".join(parser.tags["h1"]).strip()
    return _non_empty_lines(_text(path))[0].lstrip("#").strip()


def test_headlines_are_distinct():
    headlines = [_headline(p) for p in ARTICLES]
    assert all(headlines)
    assert len(set(headlines)) == len(headlines)


@pytest.mark.parametrize(
    "needle",
    ["“", "”", "‘", "’", "–", "—", "£", "€", "$", "\u00a0", "Comments are closed"],
    ids=repr,
)
def test_hostile_and_typographic_characters_present(needle: str):
    assert needle in ALL_TEXT


def test_dashes_used_in_ranges_and_prose():
    assert re.search(r"\d–\d", ALL_TEXT), "en dash in a numeric range"
    assert re.search(r"\w \u2014 \w", ALL_TEXT), "em dash in prose"


def test_emoji_of_several_shapes():
    assert any(_is_emoji(ch) for ch in ALL_TEXT)
    # A ZWJ sequence, a skin-tone modifier and a regional-indicator flag all span
    # several code points that must stay one grapheme.
    assert "\u200d" in ALL_TEXT
    assert any(0x1F3FB <= ord(ch) <= 0x1F3FF for ch in ALL_TEXT)
    assert re.search("[\U0001F1E6-\U0001F1FF]{2}", ALL_TEXT)


def test_non_ascii_names_including_a_combining_accent():
    assert any(unicodedata.combining(ch) for ch in ALL_TEXT), "decomposed accent"
    for name in ("Zoë", "José", "Łódź"):
        assert name in ALL_TEXT


def test_stray_single_letter_lines():
    lines = [line.strip() for line in ALL_TEXT.split("\n")]
    assert any(len(line) == 1 and line.isalpha() for line in lines)


def test_copyright_lines():
    lines = _non_empty_lines(ALL_TEXT)
    copyright = [line for line in lines if "©" in line or line.startswith("&copy;")]
    assert len(copyright) >= 3
    assert any("All rights reserved" in line for line in copyright)


def test_reader_remark_tacked_on_at_the_end():
    endings = [_non_empty_lines(_visible(p))[-1] for p in ARTICLES]
    assert any(re.match(r"I\b", line) and "honestly" in line for line in endings)


def _labels_text() -> str:
    return (ASSETS / "labels.toml").read_bytes().decode("utf-8")


def _labels() -> list[dict]:
    return tomllib.loads(_labels_text())["label"]


def test_labels_file_starts_with_a_field_guide():
    text = _labels_text()
    header = text.split("\n[[label]]", 1)[0]
    assert header.startswith("#")
    for field in ("name", "key", "colour", "layer", "unit", "description"):
        assert re.search(rf"^#\s+{field}\b", header, re.MULTILINE), field


def test_default_labels_in_order():
    labels = _labels()
    assert [label["name"] for label in labels] == ["fact", "opinion", "boilerplate", "entity"]
    assert [label["layer"] for label in labels] == ["segment", "segment", "segment", "entity"]
    assert [label["unit"] for label in labels] == ["sentence", "sentence", "paragraph", "word"]


def test_label_keys_are_unique_single_free_keys():
    keys = [label["key"] for label in _labels()]
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert len(key) == 1 and key.isprintable() and not key.isspace()
    # And no binding where label keys work has taken them (derived from the bindings in force;
    # label_key_clash takes this for granted for the built-in keys).
    taken = taken_keys()
    assert [key for key in keys if key_name(key) in taken] == []
    assert label_key_clash(load_labels(default_label_file())) is None


def test_label_colours_readable_on_dark_and_light_themes():
    colours = [label["colour"] for label in _labels()]
    assert len({c.lower() for c in colours}) == len(colours)
    for colour in colours:
        assert HEX_COLOUR.match(colour), colour
        luminance = _relative_luminance(colour)
        # Mid-tones: enough contrast against both a black and a white terminal background.
        assert _contrast(luminance, 0.0) >= 3.5, colour
        assert _contrast(luminance, 1.0) >= 3.5, colour


def test_label_descriptions_are_one_line_guidelines():
    for label in _labels():
        description = label["description"]
        assert description.strip() and "\n" not in description
        assert len(description) <= 200
        assert set(label) <= {"name", "key", "colour", "layer", "unit", "description"}
