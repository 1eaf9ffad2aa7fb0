"""decode_bytes: samples in many encodings must come back as the text they were made from."""

from __future__ import annotations

import codecs
import random
import struct

import pytest

from reader.text.decode import DecodeError, check_not_binary, decode_bytes, decode_declared

FRENCH = (
    "Le café où l'élève a lu « Les Misérables » coûte 3 €. Où est la fenêtre ? "
    "Ça dépend de l'été, répond-il."
)
SPANISH = "El niño comió en la montaña; mañana será otro día, ¿verdad? ¡Qué señorío tenía!"
GERMAN = "Die Größe der Straße überrascht Herrn Müller; er äußert sich später über die Brücke."
RUSSIAN = "Президент заявил, что правительство примет новые меры для поддержки экономики страны."
JAPANESE = "日本政府は新しい経済対策を発表しました。専門家は効果について意見が分かれています。"
CHINESE = "中国政府宣布了新的经济刺激计划，专家们对其效果看法不一。"
ENGLISH = "Markets rallied on Tuesday after the central bank held rates.\nAnalysts were surprised."
EMOJI = "Fire crews 👨🏻‍🚒 arrived at 10:42 — “quickly”, said O'Neill. ✓"

# (id, text, how to make the bytes, expected codec or None when any is fine)
SAMPLES = [
    ("ascii", ENGLISH, lambda t: t.encode("ascii"), "utf-8"),
    ("utf8", FRENCH, lambda t: t.encode("utf-8"), "utf-8"),
    ("utf8-emoji", EMOJI, lambda t: t.encode("utf-8"), "utf-8"),
    ("utf8-bom", GERMAN, lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8"),
    ("utf8-russian", RUSSIAN, lambda t: t.encode("utf-8"), "utf-8"),
    ("utf16le-bom", FRENCH, lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16-le"),
    ("utf16be-bom", JAPANESE, lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16-be"),
    ("utf16le", FRENCH, lambda t: t.encode("utf-16-le"), "utf-16-le"),
    ("utf16be", SPANISH, lambda t: t.encode("utf-16-be"), "utf-16-be"),
    ("utf16le-russian", RUSSIAN, lambda t: t.encode("utf-16-le"), "utf-16-le"),
    ("utf16le-japanese", JAPANESE, lambda t: t.encode("utf-16-le"), "utf-16-le"),
    ("utf16le-emoji", EMOJI, lambda t: t.encode("utf-16-le"), "utf-16-le"),
    ("utf32le-bom", EMOJI, lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"), "utf-32-le"),
    ("utf32be-bom", RUSSIAN, lambda t: codecs.BOM_UTF32_BE + t.encode("utf-32-be"), "utf-32-be"),
    ("cp1252-french", FRENCH, lambda t: t.encode("cp1252"), None),
    ("cp1252-spanish", SPANISH, lambda t: t.encode("cp1252"), None),
    ("cp1252-german", GERMAN, lambda t: t.encode("cp1252"), None),
    ("latin1-german", GERMAN, lambda t: t.encode("latin-1"), None),
    ("cp1252-quotes", "“Smart” quotes – a dash — 5 €", lambda t: t.encode("cp1252"), None),
    ("cp1251-russian", RUSSIAN, lambda t: t.encode("cp1251"), "cp1251"),
    ("koi8r-russian", RUSSIAN, lambda t: t.encode("koi8-r"), "koi8-r"),
    ("shiftjis", JAPANESE, lambda t: t.encode("shift_jis"), None),
    ("gb18030", CHINESE, lambda t: t.encode("gb18030"), "gb18030"),
    ("short-cp1252-fr", "Ça va, l'élève?", lambda t: t.encode("cp1252"), None),
    ("short-cp1252-es", "Mañana, señor.", lambda t: t.encode("cp1252"), None),
    ("short-cp1252-de", "Größe: 5 Fuß", lambda t: t.encode("cp1252"), None),
    ("short-cp1251", "Привет, мир!", lambda t: t.encode("cp1251"), "cp1251"),
    ("short-shiftjis", "東京都の天気", lambda t: t.encode("shift_jis"), None),
    ("short-gb18030", "中文新闻", lambda t: t.encode("gb18030"), "gb18030"),
    ("short-utf8", "née", lambda t: t.encode("utf-8"), "utf-8"),
    ("short-utf16le", "Hi there", lambda t: t.encode("utf-16-le"), "utf-16-le"),
    ("crlf-utf8", "one\r\ntwo\r\n", lambda t: t.encode("utf-8"), "utf-8"),
    ("escapes-utf8", "red \x1b[31mtext\x1b[0m", lambda t: t.encode("utf-8"), "utf-8"),
]


@pytest.mark.parametrize(
    ("text", "make", "codec"), [s[1:] for s in SAMPLES], ids=[s[0] for s in SAMPLES]
)
def test_sample_round_trips(text, make, codec):
    data = make(text)
    if codec is None:
        # Short or single-byte samples may legitimately decode under a compatible codec.
        assert len(data) < 200
    decoded = decode_bytes(data)
    assert decoded.text == text
    if codec is not None:
        assert codecs.lookup(decoded.encoding).name == codecs.lookup(codec).name


def test_guessed_encodings_say_so():
    decoded = decode_bytes(FRENCH.encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert any("guessed" in w for w in decoded.warnings)
    assert decode_bytes(FRENCH.encode("utf-8")).warnings == []


@pytest.mark.xfail(strict=True, reason="six bytes of Shift-JIS also read as cp1252 text")
def test_tiny_cjk_is_a_known_limit():
    assert decode_bytes("日本語".encode("shift_jis")).text == "日本語"


def _pe_file() -> bytes:
    header = bytearray(b"MZ" + b"\x90" * 62)
    struct.pack_into("<I", header, 0x3C, 64)
    return bytes(header) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def _noise(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


BINARIES = [
    ("png", b"\x89PNG\r\n\x1a\n" + _noise(300, 1), "PNG"),
    ("pdf-ascii", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "PDF"),
    ("zip", b"PK\x03\x04" + _noise(300, 2), "ZIP"),
    ("gzip", b"\x1f\x8b\x08\x00" + _noise(300, 3), "gzip"),
    ("bzip2", b"BZh91AY&SY" + _noise(300, 4), "bzip2"),
    ("xz", b"\xfd7zXZ\x00" + _noise(300, 5), "xz"),
    ("7z", b"7z\xbc\xaf\x27\x1c" + _noise(300, 6), "7-Zip"),
    ("jpeg", b"\xff\xd8\xff\xe0" + _noise(300, 7), "JPEG"),
    ("gif", b"GIF89a" + _noise(300, 8), "GIF"),
    ("elf", b"\x7fELF\x02\x01\x01" + b"\x00" * 300, "ELF"),
    ("sqlite", b"SQLite format 3\x00" + b"\x10\x00" + b"\x00" * 300, "SQLite"),
    ("macho", b"\xcf\xfa\xed\xfe" + _noise(300, 9), "Mach-O"),
    ("pe", _pe_file(), "Windows"),
    ("random", _noise(4000, 10), "binary"),
    ("nul-heavy", b"abc\x00\x00\x01\x00def\x00\x00" * 40, "binary"),
    ("all-bytes", bytes(range(256)) * 4, "binary"),
]


@pytest.mark.parametrize(("data", "word"), [b[1:] for b in BINARIES], ids=[b[0] for b in BINARIES])
def test_binaries_are_refused(data, word):
    with pytest.raises(DecodeError) as info:
        decode_bytes(data)
    message = str(info.value)
    assert message.startswith("binary data")
    assert word in message
    assert "\n" not in message


def test_empty_input_is_refused():
    with pytest.raises(DecodeError, match="^empty file$"):
        decode_bytes(b"")


def test_text_starting_like_a_signature_is_not_refused():
    # "MZ" without a PE header, "BZh" without the block magic: ordinary words.
    for text in ("MZ is a word here, long enough to have an 0x3C offset in it.....", "BZh9 rocks"):
        assert decode_bytes(text.encode()).text == text


def test_a_few_nul_bytes_are_dropped_with_a_warning():
    decoded = decode_bytes(b"hello\x00 world, this is text with one stray NUL")
    assert decoded.text == "hello world, this is text with one stray NUL"
    assert decoded.warnings == ["dropped 1 NUL byte"]


def test_stray_nuls_on_one_side_do_not_make_utf8_into_utf16():
    # Both NULs sit at odd offsets, as in UTF-16 LE, but the rest is plainly UTF-8.
    data = b"Stray\x00 bytes in an otherwise ordinary line of UTF-8 text, caf\xc3\xa9!!\x00"
    assert data.index(b"\x00") % 2 == 1 and data.rindex(b"\x00") % 2 == 1 and len(data) % 2 == 0
    decoded = decode_bytes(data)
    assert decoded.text == "Stray bytes in an otherwise ordinary line of UTF-8 text, café!!"
    assert decoded.encoding == "utf-8"


def test_utf16_cjk_with_a_few_ascii_characters():
    text = "日本政府は新しい経済対策を発表しました。\n専門家は効果について意見が分かれています。\n"
    decoded = decode_bytes(text.encode("utf-16-le"))
    assert (decoded.text, decoded.encoding) == (text, "utf-16-le")


def test_bom_decides_even_against_content():
    # A UTF-8 BOM before invalid UTF-8 is refused rather than guessed around.
    with pytest.raises(DecodeError, match="UTF-8"):
        decode_bytes(codecs.BOM_UTF8 + b"caf\xe9")
    assert decode_bytes(codecs.BOM_UTF8).text == ""


def test_utf32_bom_is_checked_before_utf16():
    decoded = decode_bytes(codecs.BOM_UTF32_LE + "A".encode("utf-32-le"))
    assert (decoded.text, decoded.encoding) == ("A", "utf-32-le")


def test_check_not_binary_passes_text():
    check_not_binary(b"Plain words, nothing else.")
    with pytest.raises(DecodeError):
        check_not_binary(b"%PDF-1.7")


def test_decode_declared_maps_latin1_to_cp1252_and_rejects_misfits():
    data = "“Quote” – café".encode("cp1252")
    decoded = decode_declared(data, "ISO-8859-1")
    assert decoded is not None
    assert (decoded.text, decoded.encoding) == ("“Quote” – café", "cp1252")
    assert decode_declared(data, "utf-8") is None
    assert decode_declared(data, "no-such-charset") is None
