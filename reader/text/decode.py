"""Turn the bytes of a file of unknown encoding into text, or refuse them.

The order of the checks matters:

1. a byte-order mark decides outright;
2. known binary signatures are refused (a PDF is plain ASCII and would pass as UTF-8);
3. NUL bytes are looked at before UTF-8 (NUL is valid UTF-8): on alternate positions they mean
   UTF-16 without a BOM, in bulk they mean binary, a stray few are dropped;
4. strict UTF-8;
5. chardet, falling back to cp1252 when chardet is only guessing. chardet's confidence runs low
   even when it is right, so only a very low score (< 0.1) is overruled.
"""

from __future__ import annotations

import codecs
import re
import struct
from dataclasses import dataclass, field

__all__ = ["Decoded", "DecodeError", "decode_bytes", "check_not_binary", "decode_declared"]


class DecodeError(ValueError):
    """The bytes are not text we can read; the message is a one-line reason."""


@dataclass
class Decoded:
    """Decoded text, the Python codec name used, and anything worth telling the user."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


# Longest first where one is a prefix of another: UTF-32 LE's BOM starts with UTF-16 LE's.
_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# (prefix, what it is). Only signatures that cannot plausibly start a text file.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or docx/epub/odt)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x7fELF", "an ELF executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x00asm", "a WebAssembly module"),
    (b"OggS\x00", "an Ogg media file"),
    (b"fLaC", "a FLAC audio file"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
]
# Signatures that need more than a prefix to be sure.
_BZIP2 = re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)")
_RIFF = re.compile(rb"RIFF....(WEBP|WAVE|AVI )", re.DOTALL)
_MP4 = re.compile(rb"....ftyp(isom|iso2|mp4|M4A|M4V|qt  |heic|avif|3gp)", re.DOTALL)

# C0 controls that never occur in text, even text captured from a terminal. TAB, LF, VT, FF, CR
# and ESC are allowed: they occur in real files and are handled by sanitising.
_BINARY_CONTROLS = bytes(b for b in range(1, 32) if b not in (9, 10, 11, 12, 13, 27))

# Above this share of NUL bytes (not laid out like UTF-16) the data is binary.
_NUL_BINARY_SHARE = 0.01
_CHARDET_LOW_CONFIDENCE = 0.1
# What a wrong codec tends to produce: C0 controls, DEL and C1 controls, private-use characters.
_IMPLAUSIBLE = re.compile(
    "[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ue000-\uf8ff\U000f0000-\U0010ffff]"
)
# ASCII text, CJK punctuation, kana, CJK ideographs, Hangul and full-width forms.
_COMMON_CJK = re.compile("[\t\n\r -~\u3000-\u30ff\u4e00-\u9fff\uac00-\ud7a3\uff00-\uffef]")
# Single-byte labels that browsers (and we) read as windows-1252, whose bytes 0x80–0x9F are
# letters and punctuation rather than C1 controls.
_AS_CP1252 = {"latin_1", "iso8859-1", "ascii", "iso8859_1"}


def decode_bytes(data: bytes) -> Decoded:
    """Decode `data` following the fixed procedure in the module docstring.

    Raises DecodeError with a one-line reason for empty input, binary data and bytes that fit no
    encoding plausibly.
    """
    if not data:
        raise DecodeError("empty file")

    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom):], encoding, after_bom=True)

    check_not_binary(data)

    warnings: list[str] = []
    nul_count = data.count(0)
    if nul_count:
        wide = _guess_wide_encoding(data)
        if wide is not None:
            return wide
        if nul_count > 2 and nul_count / len(data) > _NUL_BINARY_SHARE:
            raise DecodeError(f"binary data ({nul_count} NUL bytes)")
        data = data.replace(b"\x00", b"")
        warnings.append(f"dropped {nul_count} NUL byte{'s' if nul_count != 1 else ''}")
        if not data:
            raise DecodeError("binary data (only NUL bytes)")

    try:
        return Decoded(data.decode("utf-8"), "utf-8", warnings)
    except UnicodeDecodeError:
        pass

    try:
        _check_control_bytes(data)
        return _decode_guessed(data, warnings)
    except DecodeError:
        # CJK in UTF-16 has no NUL bytes at all and its low bytes look like controls (、 is
        # 01 30). It is tried last: legacy CJK encodings also read as UTF-16 ideographs.
        wide = None if nul_count else _guess_cjk_utf16(data)
        if wide is None:
            raise
        return wide


def decode_declared(data: bytes, label: str) -> Decoded | None:
    """Decode `data` with a declared charset `label` (as in HTML `<meta charset>`).

    Returns None when the label is unknown or does not decode the bytes strictly, so the caller
    can fall back to `decode_bytes`. Binary data is still refused.
    """
    check_not_binary(data)
    try:
        encoding = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    if encoding in _AS_CP1252:
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return Decoded(text, encoding, [])


def check_not_binary(data: bytes) -> None:
    """Raise DecodeError when `data` starts with the signature of a known binary format."""
    head = data[:64]
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise DecodeError(f"binary data ({what})")
    if _BZIP2.match(head):
        raise DecodeError("binary data (bzip2-compressed data)")
    if _RIFF.match(head) or _MP4.match(head):
        raise DecodeError("binary data (a media file)")
    if _is_pe(data):
        raise DecodeError("binary data (a Windows executable)")


def _is_pe(data: bytes) -> bool:
    # "MZ" alone starts ordinary words; a real PE file points at "PE\0\0" from offset 0x3C.
    if not data.startswith(b"MZ") or len(data) < 0x40:
        return False
    (offset,) = struct.unpack_from("<I", data, 0x3C)
    return data[offset:offset + 4] == b"PE\x00\x00"


def _decode_strict(data: bytes, encoding: str, *, after_bom: bool = False) -> Decoded:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        where = " after its byte-order mark" if after_bom else ""
        raise DecodeError(f"not valid {_pretty(encoding)}{where} (byte {exc.start})") from None
    return Decoded(text, encoding, [])


def _guess_wide_encoding(data: bytes) -> Decoded | None:
    """Recognise UTF-16/UTF-32 without a BOM by where their NUL bytes sit.

    Latin-script UTF-16 has a NUL in every high byte; Cyrillic and Greek still have one per space
    and punctuation mark, always on the same side.
    """
    size = len(data)
    if size % 4 == 0 and size >= 4:
        # ASCII-range UTF-32: the two high bytes of every unit are NUL.
        if data[2::4].count(0) == size // 4 and data[3::4].count(0) == size // 4:
            candidate = _try_wide(data, "utf-32-le")
            if candidate:
                return candidate
        if data[0::4].count(0) == size // 4 and data[1::4].count(0) == size // 4:
            candidate = _try_wide(data, "utf-32-be")
            if candidate:
                return candidate
    if size % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    total = even + odd
    # Mostly one side: at least 90 % of the NULs, and at least 2 of them.
    if total < 2 or max(even, odd) < 0.9 * total:
        return None
    # A few stray NULs in UTF-8 text land on one side half the time, and English read as UTF-16
    # is valid "CJK". Latin UTF-16 has a NUL in nearly every unit; when they are sparser and the
    # rest reads as plausible UTF-8, it is UTF-8. (Cyrillic UTF-16 minus its NULs is valid UTF-8
    # too, but full of 0x04 controls, so not plausible.)
    if total < 0.3 * (size // 2) and _plausible_utf8(data.replace(b"\x00", b"")):
        return None
    return _try_wide(data, "utf-16-le" if odd > even else "utf-16-be")


def _plausible_utf8(data: bytes) -> bool:
    try:
        return _plausible(data.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _guess_cjk_utf16(data: bytes) -> Decoded | None:
    """UTF-16 without BOM or NULs: accept only when nearly every character is common CJK or ASCII.

    Random bytes read as UTF-16 land all over the code space, so a 90 % share is a safe bar.
    """
    if len(data) % 2 or len(data) < 4:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        common = len(_COMMON_CJK.findall(text))
        if common >= 0.9 * len(text) and _plausible(text):
            return Decoded(text, encoding, [f"no byte-order mark; read as {_pretty(encoding)}"])
    return None


def _try_wide(data: bytes, encoding: str) -> Decoded | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if not _plausible(text):
        return None
    return Decoded(text, encoding, [f"no byte-order mark; read as {_pretty(encoding)}"])


def _plausible(text: str) -> bool:
    """Text, not binary read through the wrong codec: few controls and no unassigned junk."""
    if not text:
        return False
    bad = len(_IMPLAUSIBLE.findall(text))
    return bad <= max(2, len(text) // 100)


def _check_control_bytes(data: bytes) -> None:
    # In every ASCII-compatible encoding (UTF-8, the single-byte ones, Shift-JIS, GB18030) bytes
    # below 0x20 are only ever controls, so counting them needs no decoding.
    count = len(data) - len(data.translate(None, _BINARY_CONTROLS))
    if count > 8 and count > len(data) // 100:
        raise DecodeError(f"binary data ({count} control bytes)")


def _decode_guessed(data: bytes, warnings: list[str]) -> Decoded:
    import chardet  # imported here: only files that are not UTF-8 need it

    result = chardet.detect(data)
    guess = result.get("encoding")
    confidence = result.get("confidence") or 0.0
    if guess is None:
        mime = result.get("mime_type") or "unknown"
        if not mime.startswith("text/"):
            raise DecodeError(f"binary data ({mime})")

    candidates: list[str] = []
    if guess is None or confidence < _CHARDET_LOW_CONFIDENCE:
        candidates.append("cp1252")
    if guess is not None:
        try:
            name = codecs.lookup(guess).name
        except LookupError:
            name = None
        if name is not None:
            candidates.append("cp1252" if name in _AS_CP1252 else name)
    candidates.append("cp1252")

    for encoding in dict.fromkeys(candidates):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            note = f"encoding guessed as {_pretty(encoding)}"
            if guess is not None and encoding != "cp1252":
                note += f" (confidence {confidence:.2f})"
            return Decoded(text, encoding, [*warnings, note])
    shown = f"; best guess {guess}" if guess else ""
    raise DecodeError(f"not UTF-8 and no encoding fits the bytes{shown}")


def _pretty(encoding: str) -> str:
    return encoding.upper().replace("_", "-") if encoding.startswith("utf") else encoding
