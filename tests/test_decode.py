import codecs

import pytest

from solidarity_atlas.errors import InputError
from solidarity_atlas.ingest.decode import decode, normalise

RU = "Солидарность с рабочими Казахстана. Заявление участников встречи коммунистических партий."
EL = "Αλληλεγγύη στους απεργούς πετρελαιάδες του Καζακστάν. Ψήφισμα της συνάντησης των συνδικάτων."
FR = "Solidarité avec les travailleurs du Kazakhstan : déclaration à l'ambassade, grève générale."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(RU, "cp1251"), (RU, "koi8-r"), (EL, "iso-8859-7"), (EL, "cp1253"), (FR, "latin-1"), (FR, "utf-8")],
)
def test_legacy_encodings_decode_to_the_same_text(text: str, encoding: str) -> None:
    decoded, _ = decode(((text + "\n") * 3).encode(encoding))
    assert decoded.splitlines()[0] == text


def test_utf16_with_bom() -> None:
    decoded, encoding = decode(codecs.BOM_UTF16_LE + "Hands off Cuba!\n".encode("utf-16-le"))
    assert decoded == "Hands off Cuba!\n"
    assert encoding == "utf-16"


def test_html_meta_charset_is_used_for_legacy_pages() -> None:
    html = f'<html><head><meta charset="windows-1251"></head><body><p>{RU}</p></body></html>'
    decoded, encoding = decode(html.encode("cp1251"), html=True)
    assert RU in decoded
    assert encoding == "cp1251"


def test_nul_and_control_characters_are_dropped_and_text_is_nfc() -> None:
    assert normalise("Cafe\u0301\x00 bar\x07\r\nnext") == "Café bar\nnext"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty file"), (b"  \n\t ", "empty file"), (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
     (bytes(range(256)) * 20, "binary")],
)
def test_unreadable_content_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        decode(data)
