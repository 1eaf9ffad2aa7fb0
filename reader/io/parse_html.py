"""HTML pages: the whole visible page in reading order, or only its main text.

The whole page keeps navigation, teasers and footers on purpose: readers tag boilerplate too.
What a browser would not show is removed before extracting: the `<head>`, scripts, styles
(JSON-LD is a script), `<noscript>`, `<template>`, `<svg>`, `<select>`, elements with the `hidden`
attribute and elements styled `display: none` or `visibility: hidden`. Elements marked
`aria-hidden="true"` are kept: they are hidden from screen readers, not from the eye.
"""

from __future__ import annotations

import codecs
import hashlib
import re

from reader.io.parsed import (
    ParsedArticle,
    check_text,
    clean_label_text,
    clean_url,
    file_meta,
)
from reader.io.problem import ImportProblem
from reader.text import titles
from reader.text.decode import Decoded, DecodeError, decode_bytes, decode_declared
from reader.text.sanitize import sanitize

MAIN_EXTRA_MESSAGE = "--main-only needs the 'main' extra: pip install 'reader-annotate[main]'"

# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">, and an XML
# declaration's encoding="x". Browsers look in the first 1024 bytes; pages with long comments
# first exist, so a little more is read.
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_INVISIBLE_TAGS = {"head", "script", "style", "noscript", "template", "svg", "select", "datalist"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def parse_html(data: bytes, origin: str, *, main_only: bool = False) -> ParsedArticle:
    """Turn an HTML page into one article.

    Title from the `<h1>` that names the article, else `<title>` without the site's name, else
    the first lines of text (reader.text.titles); source from `og:site_name`, else the file
    name; url from `<link rel="canonical">`, else `og:url`.
    """
    import html_text  # lxml is heavy to import; only HTML needs it

    try:
        decoded = decode_html_bytes(data)
    except DecodeError as exc:
        raise ImportProblem(origin, str(exc)) from None

    root = _parse_tree(decoded.text, origin)
    page_title = _first_text(root, "//title[not(ancestor::svg)]")
    source = _meta_content(root, "og:site_name")
    url = _canonical_url(root)

    _remove_invisible(root)
    headings = _all_text(root, "//h1")
    if main_only:
        raw_text, main_title, main_source, main_url = _main_text(decoded.text, origin)
        # trafilatura's own title can be the site-name half of <title>; an <h1> is surer.
        headings = headings or ([main_title] if main_title else [])
        source = source or main_source
        url = url or main_url
    else:
        raw_text = html_text.extract_text(root, guess_layout=True)

    cleaned = sanitize(raw_text)
    check_text(cleaned.text, origin)
    recorded, file_name = file_meta(origin)
    title = clean_label_text(
        titles.page_title(headings, page_title, source, cleaned.text, file_name=file_name)
    )
    meta: dict = {"import_format": "html", **recorded}
    if main_only:
        meta["import_main_only"] = True
    if decoded.warnings:
        meta["import_warnings"] = list(decoded.warnings)
    return ParsedArticle(
        title=title,
        text=cleaned.text,
        source=clean_label_text(source or "") or file_name,
        url=url,
        raw_sha256=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        meta=meta,
        spans=[],
        origin=origin,
        report=cleaned.report,
    )


# libxml2's HTML parser stops at this depth of nested elements even with XML_PARSE_HUGE and
# drops the rest of the page without failing; such a page is refused rather than cut.
MAX_DEPTH = 2048


def _parse_tree(html: str, origin: str):
    """The page as an lxml tree, as html_text.parse_html builds it, but with libxml2's size
    limits lifted (a text node over 10 MB, a page nested deeper than 256) and a refusal when a
    limit still cuts the page short."""
    import lxml.etree
    import lxml.html

    body = html.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = lxml.etree.fromstring(body, parser=parser)
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message:
            raise ImportProblem(
                origin,
                f"elements nested deeper than {MAX_DEPTH:,} levels, the limit of the HTML "
                "parser; nothing past that depth could be read, so the page is not imported",
            )
    if root is None:
        root = lxml.etree.fromstring(b"<html/>", parser=parser)
    return root


def decode_html_bytes(data: bytes) -> Decoded:
    """Decode an HTML page: a declared charset counts when there is no BOM and the bytes are not
    valid UTF-8; otherwise, and when the declaration does not fit, `decode_bytes` decides."""
    if not data.startswith(_BOMS):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            match = _DECLARED_CHARSET.search(data[:4096])
            if match:
                label = (match.group(1) or match.group(2)).decode("ascii")
                declared = decode_declared(data, label)
                if declared is not None:
                    return declared
                decoded = decode_bytes(data)
                decoded.warnings.insert(0, f"declared charset {label!r} does not fit the bytes")
                return decoded
    return decode_bytes(data)


def _remove_invisible(root) -> None:
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if element.tag.lower() in _INVISIBLE_TAGS:
            doomed.append(element)
        elif element.get("hidden") is not None and element.get("hidden") != "until-found":
            doomed.append(element)
        elif _HIDDEN_STYLE.search(element.get("style") or ""):
            doomed.append(element)
    for element in doomed:
        # drop_tree keeps the element's tail text, which belongs to the parent.
        if element.getparent() is not None:
            element.drop_tree()


def _first_text(root, xpath: str) -> str | None:
    for element in root.xpath(xpath):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _all_text(root, xpath: str) -> list[str]:
    found = []
    for element in root.xpath(xpath):
        text = " ".join(element.text_content().split())
        if text:
            found.append(text)
    return found


def _meta_content(root, prop: str) -> str | None:
    for element in root.iter("meta"):
        if prop in ((element.get("property") or ""), (element.get("name") or "")):
            content = (element.get("content") or "").strip()
            if content:
                return content
    return None


def _canonical_url(root) -> str | None:
    for element in root.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split():
            url = _absolute_url(element.get("href"))
            if url:
                return url
    return _absolute_url(_meta_content(root, "og:url"))


def _absolute_url(value: str | None) -> str | None:
    # A relative canonical link names nothing without the page's own address, which we lack.
    return clean_url(value)


def _main_text(html: str, origin: str) -> tuple[str, str | None, str | None, str | None]:
    try:
        from trafilatura import bare_extraction
    except ImportError:
        raise ImportProblem(origin, MAIN_EXTRA_MESSAGE) from None
    document = bare_extraction(html, with_metadata=True, include_comments=False)
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise ImportProblem(origin, "no main text found (try without --main-only)")
    # trafilatura puts one paragraph per line; blank lines between them match the whole-page form.
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    return (
        "\n\n".join(paragraphs),
        getattr(document, "title", None),
        getattr(document, "sitename", None),
        _absolute_url(getattr(document, "url", None)),
    )
