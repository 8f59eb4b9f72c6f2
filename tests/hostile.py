"""A corpus of hostile inputs, generated at test time: nothing binary is committed.

Each :class:`Case` is a file (or a folder entry, an archive, a WARC file) written under a root folder, or a URL
given to ``solidarity ingest`` as an argument, with what must become of it: for every input the case yields (a
file is one input; an archive or WARC file one per member or record, and maybe one for the container itself), the
outcome ``stored``, ``duplicate`` or ``quarantined: <part of the reason>``.

The giants are few and cheap: the 200 MB single-line file is written a mebibyte at a time and must be refused by
the size cap before it is read; the bombs are compressed streams of zeros written in chunks.  Runs use a smaller
cap (:data:`CAP`, through ``SOLIDARITY_MAX_BYTES``) so that a line just under it exercises the long-line paths in
seconds.

``python tests/hostile.py DIR`` writes the corpus to DIR and prints the URL cases, for trying it by hand.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import random
import socket
import sys
import tarfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from solidarity_atlas.ingest.reader import printable

MIB = 1024 * 1024
CAP = 3 * MIB  # SOLIDARITY_MAX_BYTES for the hostile runs
GIANT = 200 * MIB

Writer = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile input and what must become of it.

    ``path``: the file's path under the corpus root (posix form), or the URL.  ``content``: the bytes, a function
    that writes the file at the given path, or None for a URL.  ``expect``: (uri suffix, outcome) pairs; the suffix
    is added to the input's uri (the file's path, or the URL): "" is the input itself, "!member" an archive
    member, "#..." a WARC record; a suffix ending in "*" stands for every uri that starts with it.  Every uri the
    input yields must match one pair, and every pair must match at least one uri.
    """

    path: str
    content: bytes | Writer | None
    expect: tuple[tuple[str, str], ...]
    why: str = ""

    @property
    def is_url(self) -> bool:
        return self.content is None


STORED = (("", "stored"),)


def stored(path: str, content: bytes | Writer, why: str = "") -> Case:
    return Case(path, content, STORED, why)


def quarantined(path: str, content: bytes | Writer, reason: str, why: str = "") -> Case:
    return Case(path, content, (("", f"quarantined: {reason}"),), why)


def refused(url: str, reason: str) -> Case:
    return Case(url, None, (("", f"quarantined: {reason}"),), "a URL that must not be fetched")


# --------------------------------------------------------------------------- text to build on


def statement(tag: str, lines: int = 3) -> str:
    """A short English statement whose every line names ``tag``: no line recurs across the corpus (a recurring line
    is taken for site chrome) and no two cases have the same bytes (same bytes are a duplicate)."""
    body = [
        f"Solidarity with the workers of {tag}",
        "",
        f"The dockers of {tag} went on strike on 3 March 2021 against dismissals and unpaid wages.",
        f"We demand the release of the detained workers of {tag} and the reinstatement of all those dismissed.",
        f"Issued by the {tag} Workers Council, Athens, 5 March 2021",
    ]
    return "\n".join(body[: 2 + lines]) + "\n"


TEXTS = {
    "en": "Solidarity with the dockers of {t}\n\nThe dockers of {t} went on strike against dismissals. "
          "We demand the release of the detained workers of {t}.\n",
    "ru": "Солидарность с рабочими {t}\n\nРабочие {t} объявили забастовку против увольнений. "
          "Мы требуем освободить задержанных рабочих {t}.\n",
    "uk": "Солідарність з робітниками {t}\n\nРобітники {t} оголосили страйк проти звільнень. "
          "Ми вимагаємо звільнити затриманих робітників {t}.\n",
    "bg": "Солидарност с работниците от {t}\n\nРаботниците от {t} стачкуват срещу съкращенията. "
          "Настояваме за освобождаване на задържаните работници от {t}.\n",
    "el": "Αλληλεγγύη στους εργάτες του {t}\n\nΟι λιμενεργάτες του {t} απεργούν ενάντια στις απολύσεις. "
          "Απαιτούμε την απελευθέρωση των συλληφθέντων εργατών του {t}.\n",
    "tr": "{t} işçileriyle dayanışma\n\n{t} liman işçileri işten çıkarmalara karşı greve çıktı. "
          "Gözaltına alınan {t} işçilerinin serbest bırakılmasını talep ediyoruz.\n",
    "de": "Solidarität mit den Arbeitern von {t}\n\nDie Hafenarbeiter von {t} streiken gegen Entlassungen. "
          "Wir fordern die Freilassung der verhafteten Arbeiter von {t}. Straße, Größe, Übel.\n",
    "fr": "Solidarité avec les travailleurs de {t}\n\nLes dockers de {t} sont en grève contre les licenciements. "
          "Nous exigeons la libération des travailleurs détenus de {t}. Être, garçon, élève.\n",
    "es": "Solidaridad con los trabajadores de {t}\n\nLos estibadores de {t} están en huelga contra los despidos. "
          "Exigimos la liberación de los trabajadores detenidos de {t}. Año, señor, ¿qué?\n",
    "pl": "Solidarność z robotnikami {t}\n\nDokerzy z {t} strajkują przeciwko zwolnieniom. "
          "Żądamy uwolnienia zatrzymanych robotników z {t}. Łódź, źródło, gęś.\n",
    "cs": "Solidarita s dělníky z {t}\n\nPřístavní dělníci z {t} stávkují proti propouštění. "
          "Požadujeme propuštění zadržených dělníků z {t}. Příliš žluťoučký kůň.\n",
    "hu": "Szolidaritás a {t} munkásaival\n\nA {t} dokkmunkásai sztrájkolnak az elbocsátások ellen. "
          "Követeljük az őrizetbe vett {t} munkások szabadon bocsátását. Árvíztűrő tükörfúrógép.\n",
    "ar": "التضامن مع عمال {t}\n\nأضرب عمال الميناء في {t} ضد الفصل التعسفي. "
          "نطالب بالإفراج عن العمال المعتقلين في {t}.\n",
    "fa": "همبستگی با کارگران {t}\n\nکارگران بندر {t} در برابر اخراج‌ها اعتصاب کرده‌اند. "
          "ما خواهان آزادی کارگران بازداشت‌شده {t} هستیم.\n",
    "he": "סולידריות עם העובדים של {t}\n\nעובדי הנמל של {t} שובתים נגד פיטורים. "
          "אנו דורשים לשחרר את העובדים העצורים של {t}.\n",
}

# (language, codec) pairs that encode the text exactly; a few are chosen to be confused with each other.
ENCODINGS = [
    ("en", "ascii"), ("en", "utf-16"), ("en", "utf-32"), ("en", "utf-8-sig"), ("en", "cp037"),
    ("ru", "utf-8"), ("ru", "utf-8-sig"), ("ru", "utf-16"), ("ru", "utf-16-be-bom"), ("ru", "utf-32"),
    ("ru", "cp1251"), ("ru", "koi8_r"), ("ru", "iso8859_5"), ("ru", "mac_cyrillic"), ("ru", "cp866"),
    ("uk", "koi8_u"), ("uk", "cp1251"), ("bg", "cp1251"), ("bg", "iso8859_5"),
    ("el", "utf-8"), ("el", "iso8859_7"), ("el", "cp1253"), ("el", "utf-16"),
    ("tr", "cp1254"), ("tr", "iso8859_9"), ("de", "latin_1"), ("de", "cp1252"), ("de", "cp850"),
    ("fr", "latin_1"), ("fr", "iso8859_15"), ("fr", "mac_roman"), ("es", "cp1252"),
    ("pl", "cp1250"), ("pl", "iso8859_2"), ("cs", "cp1250"), ("hu", "iso8859_2"),
    ("ar", "utf-8"), ("ar", "cp1256"), ("ar", "iso8859_6"), ("fa", "utf-8"), ("fa", "utf-16"),
    ("he", "utf-8"), ("he", "cp1255"), ("he", "iso8859_8"),
]


def encoded(lang: str, codec: str, tag: str) -> bytes:
    text = TEXTS[lang].format(t=tag)
    if codec == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(codec)


# --------------------------------------------------------------------------- writers for the big ones


def repeated(chunk: bytes, size: int, *, tail: bytes = b"") -> Writer:
    """Write ``size`` bytes made of ``chunk`` over and over (then ``tail``), a mebibyte at a time."""

    def write(path: Path) -> None:
        block = chunk * max(1, MIB // len(chunk))
        with path.open("wb") as handle:
            left = size - len(tail)
            while left > 0:
                left -= handle.write(block[:left])
            handle.write(tail)

    return write


def words_line(size: int, seed: int) -> Writer:
    """One line of ``size`` bytes of words, no newline: the long-line paths of the reader and extractors."""

    def write(path: Path) -> None:
        rng = random.Random(seed)
        vocabulary = ("workers union strike solidarity party communist dockers miners police detained release "
                      "demand Athens Piraeus Soma Zhanaozen wages dismissal 1917 2011 the of and").split()
        with path.open("wb") as handle:
            left = size
            while left > 0:
                piece = (" ".join(rng.choice(vocabulary) for _ in range(20000)) + " ").encode()
                left -= handle.write(piece[:left])

    return write


# --------------------------------------------------------------------------- archives


def zip_of(members: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", method) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": a duplicate name is one of the traps
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, (2021, 3, 5, 0, 0, 0)), data)
    return buffer.getvalue()


def zip_bomb(members: int, each: int) -> Writer:
    """A zip whose members are ``each`` bytes of zeros: a thousand times smaller than what it expands to."""

    def write(path: Path) -> None:
        zeros = b"\0" * MIB
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for i in range(members):
                with archive.open(f"bomb/{i:03d}.txt", "w") as stream:
                    left = each
                    while left > 0:
                        left -= stream.write(zeros[:left])

    return write


def tar_of(members: list[tarfile.TarInfo | tuple[str, bytes]], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.PAX_FORMAT) as archive:  # type: ignore[call-overload]
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(data), 1_615_000_000
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tar_entry(name: str, kind: bytes, *, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mtime = kind, link, 1_615_000_000
    return info


def tar_bomb(size: int) -> Writer:
    """A .tar.gz with one member of ``size`` zeros, streamed through gzip a mebibyte at a time."""

    def write(path: Path) -> None:
        class Zeros(io.RawIOBase):
            left = size

            def readable(self) -> bool:
                return True

            def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
                n = min(len(buffer), self.left)
                buffer[:n] = b"\0" * n
                self.left -= n
                return n

        with tarfile.open(path, "w:gz", compresslevel=6) as archive:
            info = tarfile.TarInfo("bomb.txt")
            info.size = size
            archive.addfile(info, io.BufferedReader(Zeros(), MIB))

    return write


# --------------------------------------------------------------------------- WARC files, written by hand


def warc_record(kind: str, block: bytes, *, record_id: str | None, url: str = "http://example.org/",
                headers: dict[str, str] | None = None, length: int | None = None) -> bytes:
    fields = {"WARC-Type": kind, "WARC-Date": "2021-03-05T00:00:00Z", "WARC-Target-URI": url}
    if record_id is not None:
        fields["WARC-Record-ID"] = f"<urn:uuid:{record_id}>"
    if kind == "response":
        fields["Content-Type"] = "application/http; msgtype=response"
    fields.update(headers or {})
    fields["Content-Length"] = str(len(block) if length is None else length)
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v) + "\r\n"
    return head.encode() + block + b"\r\n\r\n"


def http_block(body: bytes, *, status: str = "200 OK", content_type: str | None = "text/html; charset=utf-8",
               extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\n" + (f"Content-Type: {content_type}\r\n" if content_type else "") + extra
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def html_page(tag: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>Dockers of {tag}</title></head><body><article>"
            f"<h1>Solidarity with the dockers of {tag}</h1><p>The dockers of {tag} went on strike on 3 March 2021. "
            f"We demand the release of the detained workers of {tag}.</p></article></body></html>").encode()


def uuid_of(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def warc_gz(records: list[bytes]) -> bytes:
    """Record by record, each its own gzip member, as crawlers write them."""
    return b"".join(gzip.compress(r, mtime=0) for r in records)


def warc_bomb(path: Path) -> None:
    """A response whose body is a gzip stream of 64 MiB of zeros, sent with Content-Encoding: gzip."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * MIB
    body = b"".join(compressor.compress(zeros) for _ in range(64)) + compressor.flush()
    block = http_block(body, extra="Content-Encoding: gzip\r\n")
    path.write_bytes(warc_record("response", block, record_id=uuid_of(900)) +
                     warc_record("response", http_block(html_page("Gdansk")), record_id=uuid_of(901)))


# --------------------------------------------------------------------------- the cases


def encoding_cases() -> Iterator[Case]:
    for i, (lang, codec) in enumerate(ENCODINGS):
        yield stored(f"enc/{lang}-{codec}.txt", encoded(lang, codec, f"Port{i:02d}"), f"{lang} in {codec}")
    en = statement("Volos").encode()
    traps: list[tuple[str, bytes, str | None]] = [
        # (name, bytes, None = stored, else a part of the quarantine reason)
        ("utf16le-no-bom", statement("Larissa").encode("utf-16-le"), "binary content"),
        ("utf16be-no-bom", statement("Larnaca").encode("utf-16-be"), "binary content"),
        ("utf32le-no-bom", statement("Lamia").encode("utf-32-le"), "binary content"),
        ("utf16-bom-odd-length", codecs.BOM_UTF16_LE + statement("Chania").encode("utf-16-le")[:-1], None),
        ("utf16-bom-lone-surrogate", codecs.BOM_UTF16_LE + statement("Corfu").encode("utf-16-le") + b"\x00\xd8",
         None),
        ("utf32-bom-out-of-range", codecs.BOM_UTF32_LE + statement("Kozani").encode("utf-32-le")
         + b"\xff\xff\xff\x7f", None),
        ("utf16le-bom-then-nul", b"\xff\xfe\x00\x00" + statement("Kavala").encode("utf-16-le"), None),
        ("utf8-overlong", statement("Drama").encode().replace(b"strike", b"str\xc0\xa9ke\xe0\x80\xaf"), None),
        ("utf8-surrogates", statement("Xanthi").encode().replace(b"wages", b"wa\xed\xa0\x80ges\xed\xbf\xbf"), None),
        ("utf8-five-six-byte", statement("Serres").encode() + b"\xf8\x88\x80\x80\x80\xfc\x84\x80\x80\x80\x80", None),
        ("utf8-lone-continuation", statement("Veria").encode().replace(b" ", b" \x80", 3), None),
        ("utf8-truncated-end", "Солидарность с рабочими Тулы\n\nМы требуем освободить рабочих Тулы.\n"
         .encode()[:-2] + "ы".encode()[:1], None),
        ("utf8-above-max", statement("Edessa").encode() + b"\xf4\x90\x80\x80 \xf5\x80\x80\x80", None),
        ("bom-in-the-middle", en[:40] + codecs.BOM_UTF8 + en[40:] + codecs.BOM_UTF8, None),
        ("double-bom", codecs.BOM_UTF8 + codecs.BOM_UTF8 + statement("Trikala").encode(), None),
        ("utf8-bom-cp1251-body", codecs.BOM_UTF8 + TEXTS["ru"].format(t="Омска").encode("cp1251"), None),
        ("utf16-bom-utf8-body", codecs.BOM_UTF16_LE + statement("Karditsa").encode(), None),
        ("mixed-cp1251-and-utf8", TEXTS["ru"].format(t="Томска").encode() + TEXTS["ru"].format(t="Перми")
         .encode("cp1251"), None),
        ("double-encoded-utf8", TEXTS["ru"].format(t="Курска").encode().decode("latin-1").encode(), None),
        ("utf7", TEXTS["de"].format(t="Kiel").encode("utf-7"), None),
        ("shift-jis", "東京の労働者との連帯\n\n港湾労働者はストライキを行った。拘束された労働者の釈放を要求する。\n"
         .encode("shift_jis"), None),
        ("euc-kr", "서울 노동자들과의 연대\n\n부두 노동자들이 파업에 들어갔다. 구속된 노동자들의 석방을 요구한다.\n"
         .encode("euc_kr"), None),
        ("gb18030", "与广州工人团结\n\n码头工人举行罢工。我们要求释放被拘留的工人。\n".encode("gb18030"), None),
        ("big5", "與高雄工人團結\n\n碼頭工人舉行罷工。我們要求釋放被拘留的工人。\n".encode("big5"), None),
        ("iso2022-jp", "大阪の労働者との連帯\n\n港湾労働者はストライキを行った。\n".encode("iso2022_jp"), None),
        ("all-high-bytes", bytes(range(0x80, 0x100)) * 8 + b"\n" + statement("Arta").encode(), None),
        ("every-byte-once", bytes(range(256)) + b"\n" + statement("Preveza").encode(), None),
        ("random-latin1-noise", bytes(random.Random(7).randrange(0x20, 0x100) for _ in range(4000)), None),
    ]
    for name, data, reason in traps:
        yield stored(f"enc/{name}.txt", data) if reason is None else quarantined(f"enc/{name}.txt", data, reason)
    charset = [
        ("meta-koi8-utf8-body", "koi8-r", TEXTS["ru"].format(t="Самары").encode()),
        ("meta-utf8-cp1251-body", "utf-8", TEXTS["ru"].format(t="Уфы").encode("cp1251")),
        ("meta-bogus", "x-no-such-charset", TEXTS["el"].format(t="Πάτρας").encode("iso8859_7")),
        ("meta-utf16-ascii-body", "utf-16", statement("Argos").encode()),
        ("meta-utf7", "utf-7", TEXTS["fr"].format(t="Brest").encode("latin-1")),
        ("meta-replacement", "replacement", TEXTS["de"].format(t="Jena").encode("latin-1")),
        ("meta-charset-very-long", "a" * 5000, statement("Nafplio").encode()),
    ]
    for name, charset_name, body in charset:
        page = (f'<html><head><meta charset="{charset_name}"><title>x</title></head><body><p>').encode() + body + \
            b"</p></body></html>"
        yield stored(f"enc/{name}.html", page)
    unicode_traps = {
        "nfd-decomposed": "Solidarite\u0301 avec les travailleurs de Nantes\n\nNous exige\u0301ons la libe\u0301ration "
                          "des de\u0301tenus de Nantes.\n",
        "zalgo": "S\u0337\u0334\u0335o\u0336\u0338lidarity " * 3 + "with the miners of Soma" + "\u0300" * 3000 + "\n",
        "combining-only": "\u0301\u0302\u0303\u0304" * 2000 + "\n",
        "private-use": "\ue000\ue001\uf8ff Solidarity with the bakers of Izmir \U000f0000\U0010fffd\n",
        "noncharacters": "Solidarity \ufdd0\ufdef with the nurses of Bursa \U0001fffe\U0010ffff\n",
        "emoji-zwj": "✊🏽 Solidarity 👩‍👩‍👧‍👦 with the teachers of Oaxaca 🏳️‍🌈 🇬🇷🇹🇷\n\nWe demand ✊.\n",
        "tag-characters": "Solidarity with the rail workers of Leeds\U000e0001\U000e0067\U000e0062\U000e007f\n",
        "replacement-chars": "Solidarity with the \ufffd\ufffd\ufffd workers of Porto \ufffd\n\nWe demand \ufffd.\n",
        "fullwidth": "Ｓｏｌｉｄａｒｉｔｙ ｗｉｔｈ ｔｈｅ ｗｏｒｋｅｒｓ ｏｆ Ｋｏｂｅ\n\n"
                     "Ｗｅ ｄｅｍａｎｄ ｔｈｅ ｒｅｌｅａｓｅ.\n",
        "math-alphanumeric": "𝐒𝐨𝐥𝐢𝐝𝐚𝐫𝐢𝐭𝐲 𝔴𝔦𝔱𝔥 𝓽𝓱𝓮 𝖜𝖔𝖗𝖐𝖊𝖗𝖘 of Turin\n\n𝟑𝟏.𝟎𝟐.𝟐𝟎𝟏𝟏\n",
        "ligatures": "Solidarity with the ﬁremen and ﬂight attendants of Oslo. Strasse ß ẞ İstanbul ı.\n",
    }
    for name, text in unicode_traps.items():
        yield stored(f"enc/{name}.txt", text.encode())


def control_cases() -> Iterator[Case]:
    yield quarantined("ctl/only-spaces.txt", b" \t \n" * 5000, "empty file")
    yield quarantined("ctl/only-newlines.txt", b"\n\r\n\r" * 5000, "empty file")
    yield quarantined("ctl/mostly-nul.txt", b"Solidarity\n" + b"\0" * 5000, "binary content")
    yield quarantined("ctl/control-soup.txt", bytes(random.Random(3).randrange(0, 32) for _ in range(4000)),
                      "binary content")
    yield quarantined("ctl/only-zero-width.txt", "\u200b\ufeff\u2028\u2029".encode() * 3000, "no text content")
    yield quarantined("ctl/c1-controls-only.txt", "\x85\x90\x9f\x80".encode() * 2000, "no text content")
    yield stored("ctl/few-nul.txt", statement("Ioannina").encode().replace(b" strike", b"\0 strike\0"))
    yield stored("ctl/nul-every-line.txt", b"\0\n".join(statement("Kalamata").encode().split(b"\n")))
    yield stored("ctl/form-feeds.txt", b"\f" * 3000 + statement("Sparta").encode() + b"\f" * 3000)
    yield stored("ctl/vertical-tabs.txt", statement("Rhodes").encode().replace(b" ", b"\x0b"))
    yield stored("ctl/cr-only.txt", statement("Kos").encode().replace(b"\n", b"\r"))
    yield stored("ctl/escape-sequences.txt", b"\x1b[31m" + statement("Chios").encode() + b"\x1b[0m\x1b]0;pwned\x07")
    yield stored("ctl/bidi-override.txt", ("\u202eSolidarity with the workers of Tabriz\u202c\n\n\u2066We demand "
                                           "\u2067the release\u2069 of the \u200fdetained\u200e.\n").encode())
    yield stored("ctl/million-spaces-then-text.txt", b" " * MIB + statement("Samos").encode())
    yield stored("ctl/zero-width-joiners.txt", ("Soli\u200ddarity with the \u200cworkers\u2060 of Lesbos\n" * 3
                                                + "\u200d" * 50000).encode())


def text_cases() -> Iterator[Case]:
    dates = ["31.02.2011", "29.02.2013", "2011-02-31", "00.00.0000", "32.13.2020", "31 February 2011",
             "30 février 2011", "31 апреля 2011", "0 March 0", "5 March 99999", "-44-03-15", "2011-13-45T25:61:61Z",
             "31/02/2011", "February 30th, 2012", "9999999999999999999-01-01", "1.1.1", "٣١/٠٢/٢٠١١", "۳۱.۰۲.۲۰۱۱"]
    for i, date in enumerate(dates):
        yield stored(f"text/date-{i:02d}.txt", f"Statement on the repression in Town{i}\n\nAthens, {date}\n\n"
                                                f"On {date} the police detained the strikers of Town{i}.\n".encode())
    many_dates = "\n".join(f"Meeting on {d}.{m}.{2000 + y} in Hall{d}{m}{y}" for d in range(1, 33)
                           for m in range(0, 14) for y in range(0, 30, 3))
    yield stored("text/ten-thousand-dates.txt", f"Dates of meetings\n\n{many_dates}\n".encode())
    yield stored("text/huge-numbers.txt", (f"{'9' * 5000} workers were detained on 1e308 occasions; "
                                          f"{'1,' * 3000}000 strikers.\n\nSolidarity with them.\n").encode())
    yield stored("text/homoglyphs.txt", "Solidarity with the Соmmunist Раrty of Grеесе and КПРФ Ρarty\n\n"
                                        "Signed by:\nСоmmunist Раrty of Grеесе\nCommunist Party of Greece\n".encode())
    scripts = {
        "rtl-arabic": TEXTS["ar"].format(t="حيفا") * 3,
        "rtl-hebrew-with-marks": "\u200f" + TEXTS["he"].format(t="חיפה") + "\u200e(ICFTU)\u200f",
        "rtl-persian-ltr-mix": TEXTS["fa"].format(t="Abadan") + "Signed by: Workers Union of Abadan, حزب توده\n",
        "urdu": "کراچی کے مزدوروں کے ساتھ یکجہتی\n\nہم گرفتار مزدوروں کی رہائی کا مطالبہ کرتے ہیں۔\n",
        "devanagari": "मुंबई के मज़दूरों के साथ एकजुटता\n\nहम गिरफ़्तार मज़दूरों की रिहाई की माँग करते हैं।\n",
        "thai": "ความสามัคคีกับคนงานกรุงเทพ\n\nเราเรียกร้องให้ปล่อยตัวคนงานที่ถูกจับกุม\n",
        "georgian-armenian": "სოლიდარობა თბილისის მუშებთან\n\nՀամերաշխություն Երևանի բանվորների հետ\n",
        "every-script-one-line": "Solidarity Солидарность Αλληλεγγύη تضامن סולידריות 团结 連帯 연대 एकजुटता "
                                 "ความสามัคคี სოლიდარობა Համերաշխություն ᏌᎳᏗ ⵜⴰⵎⴰⵖⵓⵍⵜ\n",
        "mixed-scripts-in-words": "Solidarность with the wоrkers оf Мinsk and the ΚΚΕ Party\n\nWe dеmand.\n",
    }
    for name, text in scripts.items():
        yield stored(f"text/{name}.txt", text.encode())
    yield stored("text/one-long-word.txt", ("Solidarity\n\n" + "a" * MIB + "\n").encode())
    yield stored("text/long-line-under-cap.txt", words_line(CAP - 64, 1), "one line just under the size cap")
    # 20,000 distinct organisations, a megabyte of list: stored whole, no co-signature pairs (past MAX_COSIGNERS;
    # their number grows with the square of the list: 200 million pairs once took the writer to 16 GB).
    names = "\n".join(f"{i}. Workers Union of Factory {i} ({['Greece', 'Turkey', 'Spain', 'Brazil'][i % 4]})"
                      for i in range(20000))
    yield stored("text/megabyte-signatory-list.txt",
                 f"Solidarity with the strikers of Aliaga\n\nWe stand with you.\n\nSigned by:\n{names}\n".encode())
    inline = ", ".join(f"Workers Union {i % 500} of Larissa" for i in range(30000))
    yield stored("text/megabyte-inline-signatories.txt",
                 f"Solidarity with Izmir\n\nThe statement is signed by {inline}.\n".encode())
    yield stored("text/signed-by-repeated.txt", ("Solidarity with Bilbao\n\n" + "Signed by:\n" * 20000).encode())
    yield stored("text/empty-bullets.txt", ("Solidarity with Vigo\n\nSigned by:\n" + "- \n* \n1.\n" * 10000).encode())
    yield stored("text/unbalanced-brackets.txt",
                 ("Solidarity with Cadiz\n\nSigned by: " + "(" * 50000 + "Communist Party" + "]" * 50000).encode())
    yield stored("text/commas.txt", ("Solidarity with Malaga\n\nSigned by " + ", " * 200000 + "and PAME.\n").encode())
    yield stored("text/dots.txt", ("Solidarity with Leon.\n\n" + "." * 500000 + "\n").encode())
    yield stored("text/repeated-a-bang.txt", ("Solidarity with Lugo\n\n" + "a" * 100000 + "!\n").encode())
    yield stored("text/hundred-thousand-lines.txt",
                 ("Solidarity with Burgos\n\n" + "".join(f"{i}\n" for i in range(100000))).encode())
    yield stored("text/quote-soup.txt", ("Solidarity with \"\u201c\u201d\u00ab\u00bb\u2018'" * 20000 + "\n").encode())
    yield stored("text/persons-soup.txt",
                 ("Solidarity with Zaragoza\n\n" + " ".join(f"comrade Maria{i} Petrova{i}," for i in range(20000))
                  + "\n").encode())
    yield stored("text/looks-like-html.txt", b"<html is not a tag here\n\n" + statement("Kilkis").encode())
    yield stored("text/markdown-deep-quotes.md", (">" * 10000 + " Solidarity with Cork\n\nWe demand.\n").encode())
    yield stored("text/markdown-deep-list.md",
                 ("# Solidarity with Galway\n\n" + "".join(" " * (2 * i) + f"- item {i}\n" for i in range(1000)))
                 .encode())
    yield stored("text/markdown-link-soup.md", ("# Solidarity with Derry\n\n" + "[a](" * 20000 + "\n").encode())
    yield stored("text/markdown-hashes.md", ("#" * 10000 + " Solidarity with Sligo\n\nWe demand the release.\n")
                 .encode())
    yield stored("text/markdown-html-inside.md",
                 b"# Solidarity with Limerick\n\n<script>alert(1)</script><div><p>We demand.</p></div>\n")


def html_cases() -> Iterator[Case]:
    length = len(html_page("Cut0"))
    for i, cut in enumerate((1, 9, 30, 50, 90, 140, 200, length - 20, length - 3)):
        data = html_page(f"Cut{i}")[:cut] + f" Cut{i} text".encode()
        # Cut inside the doctype or a tag of the head, the words after it are inside markup: a browser shows nothing.
        yield stored(f"html/truncated-{i}.html", data) if cut not in (9, 30) else \
            quarantined(f"html/truncated-{i}.html", data, "no text content")
    p = "<p>Solidarity with the dockers of Piraeus on 5 March 2021.</p>"
    nested = {
        "nested-div-10000": "<html><body>" + "<div>" * 10000 + p + "</div>" * 10000 + "</body></html>",
        "nested-div-unclosed": "<html><body>" + "<div><span>Solidarity " * 10000,
        "nested-b-10000": "<html><body><p>" + "<b>" * 10000 + "Solidarity with Kiev" + "</b>" * 10000 + "</p>",
        "nested-table-3000": "<html><body>" + "<table><tr><td>" * 3000 + "Solidarity with Lviv" + "</td></tr></table>"
                             * 3000,
        "nested-list-5000": "<html><body>" + "<ul><li>" * 5000 + "Solidarity with Odessa" + "</li></ul>" * 5000,
        "nested-inline-mix": "<html><body>" + "<a href='#'><i><em><u>" * 2500 + "Solidarity with Kharkiv",
        "unclosed-p-100000": "<html><body>" + "<p>Solidarity with Dnipro " * 20000,
        "br-100000": "<html><body><p>Solidarity with Mariupol" + "<br>" * 100000 + "</p></body></html>",
    }
    for name, text in nested.items():
        yield stored(f"html/{name}.html", text.encode())
    traps = {
        "unclosed-comment": ("<html><body><!-- Solidarity with the miners " + p, "no text content"),
        "script-only": ("<html><head><script>var a = 'Solidarity';</script></head><body><script>x()</script>",
                        "no text content"),
        "style-only": ("<html><head><style>body{}</style></head><body><style>p{color:red}</style></body></html>",
                       "no text content"),
        "empty-body": ("<!DOCTYPE html><html><head></head><body></body></html>", "no text content"),
        "comment-only": ("<html><body><!-- nothing --></body></html>", "no text content"),
        # HTML has no CDATA sections: a browser shows nothing of it (a bogus comment), and neither does the reader.
        "cdata-only": ("<html><body><![CDATA[ Solidarity ]]></body></html>", "no text content"),
        "frameset": ("<html><frameset><frame src='file:///etc/passwd'></frameset></html>", "no text content"),
    }
    for name, (text, reason) in traps.items():
        yield stored(f"html/{name}.html", text.encode()) if reason is None else \
            quarantined(f"html/{name}.html", text.encode(), reason)
    pages = {
        "huge-attribute": f"<html><body><div title='{'x' * MIB}'>{p}</div></body></html>",
        # libxml2 checks each attribute against the ones before it: 50,000 attributes cost it most of a minute in C,
        # where no time limit can stop it (see SECURITY.md); 5,000 cost half a second.
        "many-attributes": "<html><body><div " + " ".join(f"a{i}='{i}'" for i in range(5000)) + f">{p}</div>",
        "long-tag-name": f"<html><body><{'x' * 100000}>{p}</{'x' * 100000}></body></html>",
        "unicode-tag-names": f"<html><body><статья><Ωμέγα>{p}</Ωμέγα></статья></body></html>",
        "entities-invalid": "<html><body><p>Solidarity &#0; &#xD800; &#99999999; &#x110000; &bogus; &amp &#; "
                            "with Bari</p></body></html>",
        "entity-billion-laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "'
                                 + "&lol;" * 10 + '"><!ENTITY lol3 "' + "&lol2;" * 10 + '">]><html><body><p>&lol3; '
                                 "Solidarity with Lecce</p></body></html>",
        "xml-declaration-utf16": '<?xml version="1.0" encoding="utf-16"?><html xmlns="http://www.w3.org/1999/xhtml">'
                                 f"<body>{p}</body></html>",
        "external-entity": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                           "<html><body><p>&xxe; Solidarity with Taranto</p></body></html>",
        "meta-refresh-metadata": '<html><head><meta http-equiv="refresh" content="0;url=http://169.254.169.254/">'
                                 f'<base href="file:///"></head><body>{p}</body></html>',
        "xss-payloads": "<html><body><h1>Solidarity <img src=x onerror=alert(1)></h1><p>We demand <a href="
                        "'javascript:alert(1)'>release</a> of the workers of Messina</p><svg onload=alert(1)>"
                        "<iframe src='file:///etc/passwd'></iframe></body></html>",
        "processing-instructions": "<?php system('id'); ?><html><?xml-stylesheet href='a'?><body>"
                                   "<p>Solidarity with Siena<?pi ?></p></body></html>",
        "nul-in-tags": f"<ht\0ml><bo\0dy><p\0>Solidarity with Pisa\0 workers</p\0>{p}</body></html>",
        "svg-math-soup": "<html><body><svg><foreignObject><p>Solidarity with Genoa</p></foreignObject></svg>"
                         "<math><mi>x</mi><mtext><p>We demand</p></mtext></math></body></html>",
        "thousand-titles": "<html><head>" + "".join(f"<title>Title {i}</title>" for i in range(1000)) +
                           f"</head><body>{p}</body></html>",
        # 20,000 cells of distinct names (see the megabyte signatory list in text_cases).
        "big-table": "<html><body><table>" + "".join("<tr>" + "".join(f"<td>Union {r}-{c}</td>" for c in range(50))
                                                     + "</tr>" for r in range(400)) + "</table></body></html>",
        "data-url-megabyte": f"<html><body><img src='data:image/png;base64,{'A' * MIB}'>{p}</body></html>",
        "html-in-html": f"<html><body><html><body><html><head><title>x</title></head>{p}</html></body></html>",
        "rtl-html": '<html dir="rtl" lang="ar"><body><h1>التضامن مع عمال غزة</h1><p>\u202eنطالب\u202c بالإفراج '
                    "عن العمال.</p></body></html>",
        "mixed-encoding-declarations": '<?xml version="1.0" encoding="koi8-r"?><html><head><meta charset="utf-8">'
                                       '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-7">'
                                       f"</head><body>{p}</body></html>",
        "bare-text-no-tags-html-suffix": "Solidarity with the dockers of Naples\n\nWe demand the release.\n",
        "only-doctype": "<!DOCTYPE html>",
        "attribute-quote-soup": "<html><body><p class=\"a'b\" id='c\"d' data-x=e\"f>Solidarity with Rimini</p>"
                                "<p title=\"" + "'" * 10000 + "\">x</p></body></html>",
    }
    for name, text in pages.items():
        reason = "no text content" if name == "only-doctype" else None
        yield stored(f"html/{name}.html", text.encode()) if reason is None else \
            quarantined(f"html/{name}.html", text.encode(), reason)


def giant_cases() -> Iterator[Case]:
    yield quarantined("big/two-hundred-mb-one-line.txt", repeated(b"workers of the world unite ", GIANT),
                      f"larger than {CAP} bytes", "200 MB, one line: refused before it is read")
    yield quarantined("big/cap-plus-one.txt", repeated(b"solidarity ", CAP + 1), f"larger than {CAP} bytes")
    yield quarantined("big/giant-html.html", repeated(b"<div>", 20 * MIB), f"larger than {CAP} bytes")


def archive_cases() -> Iterator[Case]:
    good = html_page("ArchivePort")
    yield Case("arc/traversal.zip", zip_of([
        ("../escape.html", html_page("Escape1")), ("../../../../etc/cron.d/x.txt", b"* * * * * root id\n"),
        ("/etc/passwd.txt", b"root:x:0:0\n"), ("C:\\Windows\\evil.txt", b"evil\n"), ("a/../../b.txt", b"b\n"),
        ("ok/statement.html", good),
    ]), (("!../escape.html", "quarantined: "), ("!../../../../etc/cron.d/x.txt", "quarantined: "),
         ("!/etc/passwd.txt", "quarantined: "), ("!C:\\Windows\\evil.txt", "quarantined: "),
         ("!a/../../b.txt", "quarantined: "), ("!ok/statement.html", "stored")), "member names that escape")
    yield Case("arc/traversal.tar", tar_of([
        ("../escape.txt", statement("TarEscape").encode()), ("/abs/path.txt", b"x\n"),
        tar_entry("link.txt", tarfile.SYMTYPE, link="/etc/passwd"), tar_entry("hard.txt", tarfile.LNKTYPE,
                                                                             link="/etc/shadow"),
        tar_entry("fifo.txt", tarfile.FIFOTYPE), tar_entry("dev.txt", tarfile.CHRTYPE),
        ("fine.txt", statement("TarFine").encode()),
    ]), (("!../escape.txt", "quarantined: "), ("!/abs/path.txt", "quarantined: "),
         ("!link.txt", "quarantined: not a regular file (symbolic link)"),
         ("!hard.txt", "quarantined: not a regular file (hard link)"),
         ("!fifo.txt", "quarantined: not a regular file"), ("!dev.txt", "quarantined: not a regular file"),
         ("!fine.txt", "stored")))
    yield Case("arc/zip-bomb.zip", zip_bomb(40, 2 * MIB),
               (("!bomb/*", "quarantined: binary content"), ("", "quarantined: archive expands beyond")),
               "a zip bomb: 80 MiB of zeros in 80 KiB")
    yield Case("arc/zip-bomb-one-member.zip", zip_bomb(1, 64 * MIB),
               (("!bomb/000.txt", f"quarantined: larger than {CAP} bytes"),), "one member far over the cap")
    yield Case("arc/tar-gz-bomb.tar.gz", tar_bomb(256 * MIB),
               (("", "quarantined: archive expands beyond"),), "a gzip bomb: 256 MiB of zeros")
    yield quarantined("arc/gzip-bomb.txt.gz", gzip.compress(b"\0" * (8 * MIB), 9, mtime=0),
                      "unsupported file type (.gz)")
    nested = zip_of([("inner.zip", zip_of([("deep.txt", statement("Deep").encode())]))])
    yield Case("arc/nested.zip", nested, (("!inner.zip", "quarantined: "),), "an archive inside an archive")
    yield quarantined("arc/truncated.zip", zip_of([("a.txt", statement("Trunc").encode())] * 1)[:-30],
                      "corrupt or truncated zip archive")
    yield quarantined("arc/empty.zip", zip_of([]), "archive holds no files")
    yield quarantined("arc/not-a-zip.zip", statement("NotZip").encode(), "corrupt or truncated zip archive")
    bad_crc = bytearray(zip_of([("crc.txt", statement("Crc").encode())], method=zipfile.ZIP_STORED))
    bad_crc[40] ^= 0xFF  # a byte of the stored member's data
    yield Case("arc/bad-crc.zip", bytes(bad_crc), (("!crc.txt", "quarantined: corrupt member"),))
    yield Case("arc/duplicate-members.zip", zip_of([("same.txt", statement("DupA").encode()),
                                                    ("same.txt", statement("DupB").encode())]),
               (("!same.txt", "stored"), ("!same.txt!copy-2", "quarantined: the name is used 2 times")),
               "one name twice: the first is read, the second has a uri of its own")
    yield Case("arc/weird-names.zip", zip_of([
        ("name with spaces and ünïcödé.txt", statement("Unicode").encode()),
        ("x" * 250 + ".txt", statement("LongName").encode()), ("tab\tand\nnewline.txt", statement("Tab").encode()),
        ("noext", statement("NoExt").encode()), (".hidden.txt", statement("Hidden").encode()),
    ]), (("!name with spaces and ünïcödé.txt", "stored"), ("!" + "x" * 250 + ".txt", "stored"),
         ("!tab\tand\nnewline.txt", "stored"), ("!noext", "quarantined: "),
         ("!.hidden.txt", "quarantined: hidden file not read")))  # as a folder's dot-files: .DS_Store and the like
    yield Case("arc/encrypted-flag.zip", _encrypted_zip(),
               (("!secret.txt", "quarantined: encrypted member not read"),))
    yield Case("zz-dup/copy-of-a-file.zip", zip_of([("copy.txt", encoded("en", "ascii", "Port00"))]),
               (("!copy.txt", "duplicate"),), "the bytes of enc/en-ascii.txt, read before it")
    yield quarantined("arc/truncated.tar.gz", tar_of([("t.txt", statement("TarTrunc").encode() * 200)], "w:gz")[:300],
                      "corrupt or truncated tar archive")
    # Ten blocks of zeros end a tar archive: what follows is never reached.
    yield quarantined("arc/not-a-tar.tar", b"\0" * 10240 + statement("NotTar").encode(), "archive holds no files")
    yield quarantined("arc/empty.tar", tar_of([]), "archive holds no files")
    yield quarantined("arc/archive.tar.xz", b"\xfd7zXZ\0" + b"\0" * 100, "unsupported file type (.xz)")
    yield Case("arc/many-members.zip", zip_of([(f"m/{i:04d}.txt", f"Solidarity note {i} from Kars\n".encode())
                                              for i in range(300)]), (("!m/*", "stored"),), "300 small members")
    gz_tar = tar_of([("pax-unicode-Ω.txt", statement("PaxOmega").encode())], "w:gz")
    yield Case("arc/unicode-member.tar.gz", gz_tar, (("!pax-unicode-Ω.txt", "stored"),))
    yield Case("arc/bad-bytes-member.tar", _tar_with_raw_name(b"bad\xff\xfename.txt", statement("RawName").encode()),
               (("!bad\\xff\\xfename.txt", "stored"),), "a member name that is not UTF-8")


def _encrypted_zip() -> bytes:
    data = bytearray(zip_of([("secret.txt", statement("Secret").encode())], method=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in the local header (offset 6) and the central directory entry.
    data[6] |= 1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    return bytes(data)


def _tar_with_raw_name(name: bytes, data: bytes) -> bytes:
    """A ustar archive whose member name is raw bytes (not UTF-8), as an old tool on another system writes it."""
    info = tarfile.TarInfo(name.decode("utf-8", "surrogateescape"))
    info.size, info.mtime = len(data), 1_615_000_000
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as archive:
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def warc_cases() -> Iterator[Case]:
    def rid(n: int) -> str:
        return f"#urn:uuid:{uuid_of(n)}"

    ok = warc_record("response", http_block(html_page("WarcOne")), record_id=uuid_of(1))
    info = warc_record("warcinfo", b"software: hostile\r\n", record_id=uuid_of(2),
                       headers={"Content-Type": "application/warc-fields"})
    yield Case("warc/good-then-garbage.warc", ok + b"\x00garbage that is not a record" * 20,
               ((rid(1), "stored"), ("#offset-*", "quarantined: broken WARC record")))
    yield Case("warc/header-cut.warc", ok + warc_record("response", http_block(html_page("WarcCut")),
                                                         record_id=uuid_of(3))[:60],
               ((rid(1), "duplicate"), ("#offset-*", "quarantined: broken WARC record")),
               "the same page as good-then-garbage: a duplicate")
    yield Case("warc/length-too-long.warc", warc_record("response", http_block(html_page("WarcLong")),
                                                         record_id=uuid_of(4), length=100000),
               ((rid(4), "quarantined: truncated"),))
    yield Case("warc/length-not-a-number.warc", warc_record("response", b"x", record_id=uuid_of(5),
                                                             headers={"Content-Length": ""}) .replace(
        b"Content-Length: 1", b"Content-Length: eleven"), (("#offset-*", "quarantined: broken WARC record"),))
    yield Case("warc/no-type.warc", warc_record("", http_block(html_page("WarcNoType")), record_id=uuid_of(6)),
               (("#offset-*", "quarantined: broken WARC record"),))
    yield Case("warc/odd-types.warc", info + warc_record("conversion", b"text", record_id=uuid_of(7)) +
               warc_record("response", http_block(b"gone", status="404 Not Found"), record_id=uuid_of(8)) +
               warc_record("response", b"not http at all", record_id=uuid_of(9)) +
               warc_record("response", http_block(b"\x89PNG\r\n", content_type="image/png"), record_id=uuid_of(10)) +
               warc_record("response", http_block(b"x", extra="Content-Encoding: zstd-made-up\r\n"),
                           record_id=uuid_of(11)) +
               warc_record("resource", statement("WarcResource").encode(), record_id=uuid_of(12),
                           headers={"Content-Type": "text/plain"}),
               ((rid(7), "quarantined: WARC record type not read"), (rid(8), "quarantined: HTTP 404"),
                (rid(9), "quarantined: "), (rid(10), "quarantined: not a text page"),
                (rid(11), "quarantined: content encoding not supported"), (rid(12), "stored")))
    yield Case("warc/broken-gzip-body.warc",
               warc_record("response", http_block(b"\x1f\x8b\x08\x00garbage", extra="Content-Encoding: gzip\r\n"),
                           record_id=uuid_of(13)), ((rid(13), "quarantined: "),))
    yield Case("warc/gzip-bomb-body.warc", warc_bomb,
               ((rid(900), f"quarantined: larger than {CAP} bytes"), (rid(901), "stored")),
               "a 64 MiB gzip bomb as a response body")
    yield Case("warc/record-gzip-truncated.warc.gz", warc_gz([
        warc_record("response", http_block(html_page("WarcGzA")), record_id=uuid_of(20)),
        warc_record("response", http_block(html_page("WarcGzB")), record_id=uuid_of(21))])[:-25],
               ((rid(20), "stored"), ("#*", "quarantined: broken WARC record")), "the second record cut short")
    yield Case("warc/whole-file-gzip.warc.gz", gzip.compress(
        warc_record("response", http_block(html_page("WarcWhole")), record_id=uuid_of(14)) + info, mtime=0),
        ((rid(14), "stored"),))
    yield Case("warc/repeated-record-id.warc",
               warc_record("response", http_block(html_page("WarcSameA")), record_id=uuid_of(30)) +
               warc_record("response", http_block(html_page("WarcSameB")), record_id=uuid_of(30)),
               ((rid(30), "stored"), (rid(30) + "!copy-2", "quarantined: the name is used 2 times")))
    yield quarantined("warc/empty.warc", b"", "no page records in this WARC file")
    yield quarantined("warc/only-warcinfo.warc", info, "no page records in this WARC file")
    yield Case("warc/not-a-warc.warc", statement("NotWarc").encode(),
               (("#offset-*", "quarantined: broken WARC record"),))
    yield Case("warc/chunked-broken.warc", warc_record("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                                       b"Transfer-Encoding: chunked\r\n\r\nZZZ\r\nnot chunks",
                                                       record_id=uuid_of(15)), ((rid(15), "stored"),))
    yield Case("warc/huge-header.warc", warc_record("response", http_block(html_page("WarcHdr"),
                                                                           extra="X-Long: " + "a" * 200000 + "\r\n"),
                                                    record_id=uuid_of(16)), ((rid(16), "stored"),))
    yield Case("warc/target-uri-hostile.warc", warc_record("response", http_block(html_page("WarcUri")),
                                                           record_id=uuid_of(17), url="file:///etc/passwd"),
               ((rid(17), "quarantined: not an HTTP response"),),
               "a WARC record's URL is metadata: never fetched; a response record for a file:// URL holds no HTTP")
    many = b"".join(warc_record("resource", f"Note {i} of solidarity with Gdynia\n".encode(),
                                record_id=uuid_of(100 + i), headers={"Content-Type": "text/plain"})
                    for i in range(200))
    yield Case("warc/two-hundred-records.warc", many, (("#urn:uuid:*", "stored"),))


def special_cases() -> Iterator[Case]:
    def fifo(path: Path) -> None:
        os.mkfifo(path)

    def symlink(target: str) -> Writer:
        return lambda path: path.symlink_to(target)

    def socket_file(path: Path) -> None:
        # A Unix socket's path is limited to about 100 bytes: bind from inside the folder.
        here = os.getcwd()
        os.chdir(path.parent)
        try:
            server = socket.socket(socket.AF_UNIX)
            server.bind(path.name)
            server.close()
        finally:
            os.chdir(here)

    yield quarantined("special/fifo.txt", fifo, "not a regular file (named pipe)", "opening a pipe waits forever")
    yield quarantined("special/dev-zero.txt", symlink("/dev/zero"), "not a regular file (character device)")
    yield quarantined("special/dev-urandom.html", symlink("/dev/urandom"), "not a regular file (character device)")
    yield quarantined("special/dangling.txt", symlink("no-such-target"), "no such file or directory")
    yield quarantined("special/loop.txt", symlink("loop.txt"), "cannot read")
    yield quarantined("special/socket.txt", socket_file, "not a regular file (socket)")
    yield Case("special/bad\udcff\udcfename.txt", statement("BadName").encode(), STORED,
               "a file name that is not UTF-8")
    yield stored("special/new\nline.txt", statement("NewLine").encode())
    yield stored("special/" + "n" * 240 + ".txt", statement("LongFileName").encode())
    yield stored("special/-rf --help.txt", statement("DashName").encode())
    yield stored("special/ünïcödé-ΝΦΚ-нфк.md", statement("UnicodeName").encode())


def url_cases() -> Iterator[Case]:
    private = "refused: private or local address"
    for url in ("http://169.254.169.254/latest/meta-data/", "http://169.254.169.254:8080/computeMetadata/v1/",
                "http://[fd00:ec2::254]/latest/", "http://10.0.0.1/", "http://10.255.255.254:8443/admin",
                "http://172.16.0.1/", "http://172.31.255.254/", "http://192.168.0.1/", "http://192.168.255.254/x",
                "http://127.0.0.1/", "http://127.0.0.1:6379/", "http://127.1/", "http://0.0.0.0/",
                "http://[::1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",
                "http://localhost:8000/", "http://2130706433/", "http://0x7f000001/", "http://100.64.0.1/",
                "http://198.18.0.1/", "http://224.0.0.1/", "http://[fe80::1]/", "http://[fc00::1]/",
                "http://[2002:a9fe:a9fe::]/", "https://127.0.0.1:443/", "http://user:pass@10.1.2.3/",
                "http://240.0.0.1/"):
        yield refused(url, private)
    for url in ("file:///etc/passwd", "file://localhost/etc/shadow", "ftp://127.0.0.1/pub", "gopher://127.0.0.1:25/",
                "javascript:alert(1)", "data:text/html,<h1>Solidarity</h1>", "dict://127.0.0.1:11211/"):
        yield refused(url, "only http and https URLs are fetched")
    yield refused("http:///no-host", "URL has no host")


def cases() -> list[Case]:
    found = [*encoding_cases(), *control_cases(), *text_cases(), *html_cases(), *giant_cases(), *archive_cases(),
             *warc_cases(), *special_cases(), *url_cases()]
    names = [c.path for c in found]
    assert len(names) == len(set(names)), "two cases with one path"
    return found


@dataclass
class Corpus:
    root: Path
    cases: list[Case] = field(default_factory=list)

    @property
    def files(self) -> list[Case]:
        return [c for c in self.cases if not c.is_url]

    @property
    def urls(self) -> list[Case]:
        return [c for c in self.cases if c.is_url]

    def base(self, case: Case) -> str:
        """The uri of the input itself, as ``solidarity ingest`` names it."""
        if case.is_url:
            return case.path
        return printable(str(self.root / case.path))


def write_corpus(root: Path) -> Corpus:
    corpus = Corpus(root, cases())
    for case in corpus.files:
        path = root / case.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(case.content, bytes):
            path.write_bytes(case.content)
        elif case.content is not None:
            case.content(path)
    return corpus


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    target.mkdir(parents=True, exist_ok=True)
    written = write_corpus(target)
    print(f"{len(written.files)} files under {target}; URLs:")
    for case in written.urls:
        print(case.path)
