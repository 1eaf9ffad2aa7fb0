"""Find an article's title in its first lines, the way a reader's eye does on a scraped page.

Scraped text rarely starts with the headline: a site's tagline, a breadcrumb, a section name or
kicker, a date, "Advertisement", a row of share buttons or a byline often come first. The
heuristic skips such page cruft, then takes the most headline-like of the lines left before the
body starts (short, no final full stop, title or sentence case; the line a byline or date follows
is the surest). Without one, the title is the first sentence, cut at a word boundary to about
80 characters with an ellipsis; with no text to go on, the file name.

Pure: strings in, a string out. The article's text is never changed.
"""

from __future__ import annotations

import os
import re

__all__ = ["TITLE_TARGET", "choose_title", "page_title", "shorten", "is_cruft", "is_headline"]

TITLE_TARGET = 80  # characters a sentence used as a title is cut to
LOOK_AT = 15  # first non-empty lines examined
LOOK_CHARS = 6000  # and no further into the text: a 20 MB one-line file is not read whole
HEADLINE_MAX_WORDS = 22
HEADLINE_MAX_CHARS = 160

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAYS = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?"
_DATE = re.compile(
    rf"""^(?:(?:published|updated|posted|last\s+updated|first\s+published|modified)\s*:?\s*(?:on\s+)?)?
    (?:{_DAYS}\s+)?
    (?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s+\d{{4}}
      |{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}
      |\d{{4}}-\d{{2}}-\d{{2}}
      |\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}})
    [\s,·|\-–—]*(?:(?:at\s+)?\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?\s*[A-Z]{{0,4}}[^a-z]*)?$""",
    re.IGNORECASE | re.VERBOSE,
)
_RELATIVE_TIME = re.compile(
    r"^(?:(?:published|updated|posted)\s+)?(?:\d+|an?|one)\s+(?:minute|hour|day|week)s?\s+ago$"
    r"|^(?:published|updated|posted|last updated)\b.{0,40}$"
    r"|^\d+\s+min(?:ute)?s?\s+read$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|words by|reporting by|written by|from|von|par|por)\s+[A-Z\u00c0-\u024f][\w.'’\-]*"
    r"|^(?:staff|our)\s+(?:reporter|correspondent|writer)s?\b"
    r"|\b(?:correspondent|reporter|editor|staff writer)\s*$",
    re.IGNORECASE,
)
# Lines that are the page around the article, matched whole (case-insensitive).
_CRUFT_WORDS = {
    "advertisement", "advert", "ad", "sponsored", "sponsored content", "promoted", "partner content",
    "skip to content", "skip to main content", "menu", "search", "sign in", "log in", "login",
    "subscribe", "register", "home", "close", "share", "share this", "share this article",
    "share on facebook", "share on twitter", "comments", "print", "email", "save", "listen",
    "listen to this article", "copy link", "read more", "most read", "related", "trending",
    "newsletter", "live", "breaking", "breaking news", "exclusive", "analysis", "opinion",
    "comment", "explainer", "watch", "video", "photos", "gallery", "world", "uk", "us", "news",
    "local news", "politics", "business", "sport", "sports", "culture", "science", "health",
    "technology", "tech", "weather", "europe", "africa", "asia", "americas", "middle east",
    "climate", "environment", "education", "money", "travel", "lifestyle", "entertainment",
    "a", "a a", "aa", "a+ a-", "+", "-", "|",
}
_SHARE_WORDS = {
    "share", "tweet", "email", "e-mail", "facebook", "twitter", "x", "whatsapp", "linkedin",
    "print", "copy", "link", "save", "reddit", "pinterest", "telegram", "messenger", "comments",
    "comment", "mail", "bluesky", "threads", "flipboard", "copied", "gift", "article",
}
_BREADCRUMB = re.compile(r"\s(?:›|»|>|/|\|)\s|^[^.!?]{1,60}(?:\s[›»>]\s[^.!?]{1,40})+$")
_TAGLINE = re.compile(
    r"\bsince\s+(?:1[6-9]|20)\d\d\b|\best(?:ablished|\.)\s+(?:in\s+)?\d{4}\b|\bfounded\s+in\s+\d{4}\b"
    r"|\byour\s+(?:trusted|local|daily|source|home)\b|\bnews\s+you\s+can\b|\bthe\s+voice\s+of\b"
    r"|\bindependent\s+(?:journalism|reporting|news)\b|\b(?:news|stories)\s+that\s+matters?\b"
    r"|\bof\s+record\b|\bevery\s+(?:day|morning|week)\b.*\b(?:news|stories)\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(r"^(?:photo|photograph|image|picture|illustration)s?\s*(?::|by\b)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’\-]*|\d[\d,.:%]*")
_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "off", "on",
    "or", "over", "per", "the", "to", "up", "vs", "via", "with", "after", "before", "amid",
    "is", "are", "be", "its", "than", "that", "this", "after", "over", "under", "out",
}
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?=\s+[\"'“‘(]?[A-Z0-9\u00c0-\u024f])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|Inc|Ltd|Co|No|vs|U\.S|U\.K|a\.m|p\.m|e\.g|i\.e)|\b[A-Z])\.$"
)
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MARKDOWN_MARKS = re.compile(r"[*_`]+|\[([^\]]*)\]\([^)]*\)")


def _norm(line: str) -> str:
    return " ".join(line.split())


def _words(line: str) -> list[str]:
    return _WORD.findall(line)


def is_cruft(line: str) -> bool:
    """Whether a line is page furniture rather than the article: a byline, a date or time, a
    section name or kicker, a breadcrumb, "Advertisement", a row of share buttons, a credit."""
    text = _norm(line).strip(" :|·•-–—")
    if not text or _is_furniture(text):
        return True
    words = _words(text)
    # A kicker or section label: one or two words, or a short line in capitals.
    if len(words) <= 2 and not re.search(r"[.!?]$", text) and len(text) <= 24:
        return True
    letters = [c for c in text if c.isalpha()]
    if letters and len(words) <= 5 and all(c.isupper() for c in letters):
        return True
    return False


def _is_furniture(text: str) -> bool:
    """The part of `is_cruft` that never names an article, however short the page is."""
    low = text.lower()
    if low in _CRUFT_WORDS:
        return True
    if _DATE.match(text) or _RELATIVE_TIME.match(text) or _BYLINE.search(text):
        return True
    if _COPYRIGHT.match(text) or _PHOTO_CREDIT.match(text):
        return True
    tokens = re.findall(r"[\w+\-]+", low)
    if tokens and len(tokens) <= 12 and all(t in _SHARE_WORDS or t.isdigit() for t in tokens):
        return True
    if _BREADCRUMB.search(text) and len(_words(text)) <= 10 and not text.endswith((".", "?", "!")):
        parts = [p for p in re.split(r"\s(?:›|»|>|/|\|)\s", text) if p.strip()]
        if len(parts) >= 2 and all(len(_words(p)) <= 4 for p in parts):
            return True
    return False


def is_tagline(line: str) -> bool:
    """A site's motto or description: "Independent reporting from the valley since 1998"."""
    return bool(_TAGLINE.search(line))


def is_headline(line: str) -> bool:
    """Headline-shaped: short, no final full stop, starting with a capital or digit, in title or
    sentence case, and not page cruft."""
    text = _norm(line)
    if not text or len(text) > HEADLINE_MAX_CHARS or is_cruft(text):
        return False
    words = _words(text)
    if not 3 <= len(words) <= HEADLINE_MAX_WORDS:
        return False
    if text.endswith(".") and not text.endswith("...") and not _ABBREVIATION.search(text):
        return False
    if text.endswith((",", ";", ":")):
        return False
    first = text.lstrip("\"'“‘(")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    # More than one sentence is a paragraph, whatever its length.
    if _SENTENCE_END.search(text) and len(words) > 12:
        return False
    return True


def _title_case_share(line: str) -> float:
    words = [w for w in _words(line)[1:] if w.lower() not in _SMALL_WORDS and not w[0].isdigit()]
    if not words:
        return 0.0
    return sum(1 for w in words if w[0].isupper()) / len(words)


def _is_body(line: str) -> bool:
    text = _norm(line)
    return len(_words(text)) > HEADLINE_MAX_WORDS or (
        text.endswith((".", "!", "?", ".”", ".\"", "?”", "!”")) and len(_words(text)) >= 6
    )


def choose_title(text: str, *, markdown: bool = False, file_name: str | None = None) -> str:
    """The title for an article whose text is `text` (see the module's docstring).

    `markdown`: heading marks are not part of the title, and a `#` heading among the first
    lines wins over other headline-shaped lines. `file_name`: the last resort.
    """
    lines: list[str] = []
    headings: set[int] = set()
    for raw in text[:LOOK_CHARS].split("\n"):
        line = raw.strip()
        if markdown:
            heading = _MARKDOWN_HEADING.match(raw)
            if heading:
                line = heading.group(1).strip()
                headings.add(len(lines))
            line = _MARKDOWN_MARKS.sub(lambda m: m.group(1) or "", line).strip()
        line = _norm(line)
        if line:
            lines.append(line)
        if len(lines) >= LOOK_AT:
            break
    best, best_score = None, float("-inf")
    for i, line in enumerate(lines):
        if _is_body(line) and i not in headings:
            break  # the article has started; a headline comes before its first paragraph
        if not is_headline(line) and not (i in headings and line and not is_cruft(line)):
            continue
        score = -0.4 * i
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if following and (_BYLINE.search(following) or _DATE.match(following)
                          or _RELATIVE_TIME.match(following)):
            score += 3
        elif following and _is_body(following):
            score += 1.5
        if i > 0 and is_headline(lines[i - 1]) and not is_tagline(lines[i - 1]):
            score -= 4  # a standfirst under its headline
        if is_tagline(line):
            score -= 6
        if i in headings:
            score += 4
        score += _title_case_share(line)
        n = len(_words(line))
        if n >= 5:
            score += 0.5
        if score > best_score:
            best, best_score = line, score
    if best is not None:
        return best
    for i, line in enumerate(lines):
        if _is_body(line):
            break
        # A short headline ("Storm warning") looks like a kicker, but no headline follows it.
        if not _is_furniture(line) and not is_tagline(line) and _words(line):
            return line
    for line in lines:
        if not is_cruft(line) and not is_tagline(line):
            return first_sentence(line)
    for line in lines:
        if not _is_furniture(line) and _words(line):
            return first_sentence(line)
    if file_name:
        return _file_title(file_name)
    return first_sentence(lines[0]) if lines else ""


def page_title(
    headings: list[str],
    title_tag: str | None,
    site_name: str | None,
    text: str,
    *,
    file_name: str | None = None,
) -> str:
    """The title of an HTML page: the `<h1>` that names the article (not the site's logo), else
    the `<title>` without the site's name, else what `choose_title` finds in the text."""
    site = _norm(site_name or "").lower()
    tag = _norm(title_tag or "")
    tag_parts = [p.strip() for p in re.split(r"\s+[|–—·:»-]\s+|\s+::\s+", tag) if p.strip()]
    good = [
        _norm(h) for h in headings
        if _norm(h) and _norm(h).lower() != site and not is_tagline(h) and not is_cruft(h)
        and len(_norm(h)) <= HEADLINE_MAX_CHARS * 2
    ]
    for heading in good:
        if tag and heading.lower() in tag.lower():
            return heading
    if good:
        return good[0]
    parts = [p for p in tag_parts if p.lower() != site and not is_tagline(p)]
    if parts:
        # "Headline | Site" and "Site - Headline": the longest part is the headline.
        return max(parts, key=len)
    return choose_title(text, file_name=file_name)


def first_sentence(line: str, limit: int = TITLE_TARGET) -> str:
    """The first sentence of `line`, shortened to about `limit` characters."""
    text = _norm(line)
    for match in _SENTENCE_END.finditer(text):
        candidate = text[: match.end()]
        if not _ABBREVIATION.search(candidate.rstrip("\"'”’)]")):
            text = candidate
            break
    return shorten(text, limit)


def shorten(text: str, limit: int = TITLE_TARGET) -> str:
    """`text` cut at the last word boundary within `limit` characters, with an ellipsis."""
    text = _norm(text)
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut.rstrip(" ,;:–—-") + "…"


def _file_title(file_name: str) -> str:
    stem = os.path.splitext(os.path.basename(file_name))[0]
    return shorten(" ".join(stem.replace("_", " ").split()) or stem)
