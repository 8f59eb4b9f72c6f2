"""Bytes to clean Unicode: encoding detection, NFC, control characters.

Sites of the movement publish in UTF-8, UTF-16, cp1251, koi8-r, iso-8859-7 /
cp1253 and latin-1.  A byte-order mark or valid UTF-8 decides at once; then an
encoding declared in the HTML; charset-normalizer guesses the rest.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from solidarity_atlas.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))  # 11: a line break of word processors
_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"%PDF-": "PDF document",
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"\xff\xd8\xff": "JPEG image",
    b"PK\x03\x04": "zip archive",
    b"\x1f\x8b": "gzip data",
    b"\x7fELF": "executable",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Control characters other than tab, newline and form feed (kept: a page break is a line break).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b\ufeff]")


def sniff_binary(data: bytes) -> str | None:
    """Name the kind of binary content, or None when the bytes may be text."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:4096]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    # 0.1: text in UTF-16 without BOM has NULs in every other byte; we do not guess that.
    if head and head.count(0) / len(head) > 0.1:
        return "binary content"
    # Text has almost no C0 control bytes besides tab, newline, carriage return and form feed.
    if head and sum(head.count(b) for b in _CONTROL_BYTES) / len(head) > 0.05:
        return "binary content"
    return None


def declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode bytes to a normalised string; return it with the encoding used."""
    if not data.strip():
        raise InputError("empty file")
    kind = sniff_binary(data)
    if kind:
        raise InputError(kind if kind == "binary content" else f"binary content ({kind})")
    text, encoding = _decode_raw(data, html=html)
    return normalise(text), encoding


def _decode_raw(data: bytes, *, html: bool) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few stray bytes (a truncated upload, a bad copy): keep UTF-8 when valid
    # multi-byte sequences show the file is UTF-8 and the bad bytes are rare.
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if bad <= max(4, len(lenient) // 100) and any(ord(c) > 127 and c != "\ufffd" for c in lenient):
        return lenient, "utf-8 (with replacements)"
    if html and (declared := declared_charset(data)) and declared not in ("utf-8", "utf_8"):
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass
    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is not None and best.encoding:
        if best.encoding in _CYRILLIC_PAIR:
            return _cyrillic(data)
        return str(best), best.encoding
    # Mostly UTF-8 with stray bytes: keep what can be read.
    return data.decode("utf-8", errors="replace"), "utf-8 (with replacements)"


# The legacy code pages of the sites this corpus comes from (Europe, Turkey, the former USSR,
# the Middle East). Guessing among all of them makes East Asian code pages win on Cyrillic.
LEGACY_ENCODINGS = (
    "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "koi8_u", "iso8859_5",
    "cp1253", "iso8859_7", "cp1254", "iso8859_9", "cp1256", "iso8859_6", "cp1257", "iso8859_13", "mac_cyrillic",
)
_CYRILLIC_PAIR = ("cp1251", "koi8_r", "koi8_u", "mac_cyrillic", "cp866", "iso8859_5")


def _cyrillic(data: bytes) -> tuple[str, str]:
    """cp1251 or koi8-r: the right one gives mostly lower-case letters, as running text has."""
    best: tuple[float, str, str] | None = None
    for encoding in ("cp1251", "koi8_r"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        letters = [c for c in text if "\u0400" <= c <= "\u04ff"]
        share = sum(c.islower() for c in letters) / len(letters) if letters else 0.0
        if best is None or share > best[0]:
            best = (share, text, encoding)
    if best is None:
        return data.decode("cp1251", errors="replace"), "cp1251"
    return best[1], best[2]


def normalise(text: str) -> str:
    """NFC, Unix newlines, no NULs or other control characters, no trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\f")
    # Line breaks of word processors (vertical tab) and of Unicode: breaks, not characters to drop.
    text = text.replace("\x0b", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)
