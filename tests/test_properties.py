"""Properties of the readers, the extractors and the resolver, tried on generated inputs (hypothesis).

Bounded to run in well under a minute on one core: few examples each, no deadline (the first examples load the
models and the registry).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidarity_atlas.errors import InputError
from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.ingest import html as html_reader
from solidarity_atlas.ingest.decode import decode
from solidarity_atlas.ingest.reader import page_from_bytes
from solidarity_atlas.resolve.orgs import resolver

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of markup, broken on purpose: tags left open, comments and CDATA never closed, bad entities.
MARKUP = st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<b>", "<table><tr><td>", "</td>", "<li>", "<ul>", "<br>", "<h1>", "</h1>",
    "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0' encoding='utf-16'?>", "<!DOCTYPE html>", "<html>",
    "<body>", "<script>", "</script>", "<style>", "<title>", "</title>", "<nav>", "<footer>", "&amp;", "&#0;",
    "&#xD800;", "&#99999999;", "&bogus;", "<", ">", "'", '"', "=", "\x00", "\u202e", "<a href='javascript:x'>",
    "<meta charset='koi8-r'>", "<svg>", "<math>", "<frameset>", "<template>", "<noscript>",
])
WORDS = st.sampled_from([
    "Solidarity", "with", "the", "workers", "of", "Piraeus", "Signed by:", "Communist Party of Greece", "PAME",
    "31.02.2011", "5 March 2021", "detained", "strike", "Москва", "Κομμουνιστικό Κόμμα", "حزب", "\n", "\n\n", ", ",
    ". ", "- ", "1.", "comrade", "Maria Petrova", "demand", "release", "12", "9" * 40, "…", "«", "»", "(", ")",
])
TEXTISH = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=60).map("".join)
MARKUPISH = st.lists(st.one_of(MARKUP, WORDS, st.text(max_size=8)), max_size=80).map("".join)


@SOME
@given(st.binary(max_size=3000), st.booleans())
def test_decode_raises_only_input_error(data: bytes, html: bool) -> None:
    try:
        text, encoding = decode(data, html=html)
    except InputError:
        return
    assert isinstance(text, str) and encoding
    assert "\x00" not in text


@SOME
@given(st.binary(max_size=3000), st.sampled_from(["page.txt", "page.md", "page.html"]))
def test_reading_arbitrary_bytes_raises_only_input_error(data: bytes, name: str) -> None:
    try:
        page = page_from_bytes(name, data, is_html=name.endswith(".html"), markdown=name.endswith(".md"))
    except InputError:
        return
    assert page.blocks
    for block in page.blocks:
        assert 0 <= block.start <= block.end <= len(page.text)


@SOME
@given(MARKUPISH)
def test_html_render_raises_only_input_error(markup: str) -> None:
    try:
        rendered = html_reader.render(markup)
    except InputError:
        return
    for block in rendered.blocks:
        assert 0 <= block.start <= block.end <= len(rendered.text)


@FEW
@given(st.one_of(TEXTISH, MARKUPISH), st.booleans())
def test_extract_never_raises_and_is_deterministic(text: str, as_html: bool) -> None:
    data = text.encode("utf-8", "surrogatepass")
    try:
        first_page = page_from_bytes("doc.html" if as_html else "doc.txt", data, is_html=as_html)
    except InputError:
        return
    second_page = page_from_bytes("doc.html" if as_html else "doc.txt", data, is_html=as_html)
    first, second = extract(first_page), extract(second_page)
    assert first.to_contract() == second.to_contract()
    assert first.evidence_json() == second.evidence_json()


# --- organisation ids


def _registry_names() -> list[str]:
    names = []
    for entry in resolver().registry.entries.values():
        names.extend(n for n in (entry.name, *entry.aliases) if len(n.split()) >= 2)
    return sorted(set(names))


REGISTRY_NAMES = _registry_names()
# Invented words: an unknown organisation, never an acronym or a name in the registry.
NONCE = ["Zorvaki", "Klemptar", "Vustrelo", "Quandrip", "Morbelin", "Tessivar", "Ulgrotha", "Brennikov"]
KINDS = ["Workers Union", "Party", "Committee", "Federation", "Collective"]
UNKNOWN_NAMES = st.builds(lambda words, kind, quoted: f"{' '.join(words)} {kind}" + (" 'Unity'" if quoted else ""),
                          st.lists(st.sampled_from(NONCE), min_size=1, max_size=3, unique=True),
                          st.sampled_from(KINDS), st.booleans())
SPACE = st.sampled_from([" ", "  ", "\t", " \t ", "\u00a0", "   "])


@st.composite
def variant(draw: st.DrawFn, name: str) -> str:
    """The name in another case, with other runs of white space and the other style of quotes."""
    case = draw(st.sampled_from([str.upper, str.lower, str.casefold, lambda s: s]))
    changed = case(name)
    changed = re.sub(r" ", lambda _m: draw(SPACE), changed)
    if draw(st.booleans()):
        changed = changed.replace("'", "\u2019").replace('"', "\u201c")
    return draw(SPACE) + changed + draw(SPACE)


def _org_id(raw: str) -> str:
    return resolver().resolve(raw).org.org_id


@SOME
@given(st.data())
def test_org_id_of_a_registry_name_is_stable(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(REGISTRY_NAMES))
    assert _org_id(data.draw(variant(name))) == _org_id(name), name


@SOME
@given(st.data())
def test_org_id_of_an_unknown_name_is_stable(data: st.DataObject) -> None:
    name = data.draw(UNKNOWN_NAMES)
    assert _org_id(data.draw(variant(name))) == _org_id(name), name
