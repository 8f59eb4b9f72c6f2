"""HTML pages to located text blocks, with trafilatura deciding the main text.

The page is rendered to text block by block (headings, paragraphs, list
items, table cells, ``<br>``-separated lines), so every block has offsets in
:attr:`Page.text`.  trafilatura picks the main content; blocks it dropped
but that stand inside the same content region and outside any navigation,
sidebar or footer container are restored, because trafilatura loses
signatory lists in table layouts on about one page in seven.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.metadata import examine_meta, extract_sitename

from solidarity_atlas.errors import InputError
from solidarity_atlas.ingest.decode import normalise
from solidarity_atlas.model import Block, BlockKind, PageHints

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "select", "button"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_KIND: dict[str, BlockKind] = {
    **{h: "heading" for h in _HEADINGS},
    "li": "item", "dt": "item", "dd": "item",
    "td": "cell", "th": "cell",
    "p": "paragraph", "blockquote": "paragraph", "pre": "paragraph", "figcaption": "line",
    "caption": "line", "address": "paragraph", "div": "paragraph", "section": "paragraph",
    "article": "paragraph", "main": "paragraph", "header": "paragraph", "footer": "paragraph",
    "nav": "paragraph", "aside": "paragraph", "form": "paragraph", "ul": "paragraph", "ol": "paragraph",
    "table": "paragraph", "tr": "paragraph", "tbody": "paragraph", "thead": "paragraph", "body": "paragraph",
    "center": "paragraph", "fieldset": "paragraph", "figure": "paragraph", "dl": "paragraph",
}
# Landmarks and class/id words that mark site chrome around the article.
_CHROME_TAGS = {"nav", "aside", "footer", "form"}
_CHROME_WORDS = re.compile(
    r"cookie|consent|gdpr|banner|menu|navbar|\bnav\b|navigation|breadcrumb|sidebar|widget|related|"
    r"relacionad|share|sharedaddy|social|partilhar|compartir|teilen|\btags?\b|tags-links|cat-links|"
    r"etiquetas|comment|newsletter|subscribe|\bfooter\b|masthead|site-title|site-description|\blogo\b|"
    r"lang-switch|language|post-navigation|pagination|lateral|moduletable|advert|\bpromo",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")


@dataclass(slots=True)
class _Raw:
    """A rendered block before the main-text decision."""

    text: str
    kind: BlockKind
    level: int
    element: etree._Element
    chrome: str | None
    container: str


@dataclass(slots=True)
class RenderedHtml:
    text: str
    blocks: list[Block]
    hints: PageHints = field(default_factory=PageHints)


# An XML declaration before the markup (XHTML pages): the text is decoded already, and lxml refuses a string that
# still declares an encoding.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]*\?>", re.IGNORECASE)


def parse(html: str) -> etree._Element:
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        parser = lxml.html.HTMLParser(remove_comments=True, huge_tree=True)
        root = lxml.html.document_fromstring(html, parser=parser)
    except etree.ParserError as exc:
        if "empty" in str(exc).lower():  # nothing but a doctype, a comment or a cut-off tag
            raise InputError("no text content") from None
        raise InputError(f"unparsable HTML ({exc})") from None
    except ValueError as exc:
        raise InputError(f"unparsable HTML ({exc})") from None
    if root is None:
        raise InputError("no text content")
    return root


def _chrome_of(el: etree._Element) -> str | None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _CHROME_TAGS:
        return tag
    if tag == "header" and el.xpath("ancestor::article") == []:
        return "header"
    attrs = f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}"
    if attrs.strip() and (m := _CHROME_WORDS.search(attrs)):
        return m.group(0).lower()
    return None


def _render(root: etree._Element) -> list[_Raw]:
    """Walk the tree without recursion (pages nest 10,000 levels deep) and cut blocks."""
    out: list[_Raw] = []
    parts: list[str] = []
    stack: list[tuple[etree._Element, str | None, str]] = []  # element, chrome reason, container

    def flush(el: etree._Element) -> None:
        text = _WS.sub(" ", "".join(parts)).strip()
        parts.clear()
        if not text:
            return
        owner = el
        tag = owner.tag if isinstance(owner.tag, str) else "div"
        chrome = next((c for _, c, _ in reversed(stack) if c), None)
        container = stack[-1][2] if stack else ""
        out.append(_Raw(text, _BLOCK_KIND.get(tag, "paragraph"), _HEADINGS.get(tag, 0), owner, chrome, container))

    skip_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skip_depth or tag in _SKIP or not tag:
                skip_depth += 1
                continue
            if tag in _BLOCK_KIND or tag == "br":
                flush(stack[-1][0] if stack else el)
            if tag == "br":
                continue
            chrome = _chrome_of(el)
            parent_container = stack[-1][2] if stack else ""
            container = f"{parent_container}/{chrome}" if chrome else parent_container
            stack.append((el, chrome, container))
            if el.text:
                parts.append(el.text)
        else:
            if skip_depth:
                skip_depth -= 1
                if skip_depth == 0 and el.tail and stack:
                    parts.append(el.tail)
                continue
            if tag == "br":
                if el.tail:
                    parts.append(el.tail)
                continue
            if tag in _BLOCK_KIND:
                flush(el)
            if stack and stack[-1][0] is el:
                stack.pop()
            if el.tail:
                parts.append(el.tail)
    if stack:
        flush(stack[-1][0])
    return out


def _key(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def _main_content(tree: etree._Element, raws: list[_Raw]) -> tuple[set[int], str]:
    """Indexes of blocks that are main text, and which method decided.

    A page that marks its article (one ``<article>``, or one ``<main>``) says
    where the text is; the container rules then suffice and trafilatura (4 ms
    a page, most of the cost of an HTML page) is spared.  Elsewhere, in table
    and ``<div>`` layouts, trafilatura finds the text.
    """
    marked = _marked_article(tree)
    if marked is not None:
        inside = set(marked.iter())
        keep = {i for i, r in enumerate(raws) if r.chrome is None and r.element in inside}
        if keep:
            return keep, "article markup"
    try:
        extracted = trafilatura.extract(
            tree, include_comments=False, include_tables=True, favor_recall=True, deduplicate=False,
            fast=True,  # no readability/justext fallbacks: the restoring step below recovers what it misses
        )
    except Exception:  # noqa: BLE001 - trafilatura bugs must not lose the page; the fallback decides
        extracted = None
    candidates = [i for i, r in enumerate(raws) if r.chrome is None]
    if not extracted:
        return set(candidates), "fallback"
    found = _key(extracted)
    lines = {_key(line) for line in extracted.splitlines() if line.strip()}
    hits = [
        i for i in candidates
        if _key(raws[i].text) in lines or (len(raws[i].text) > 20 and _key(raws[i].text) in found)
    ]
    if not hits:
        return set(candidates), "fallback"
    region = _common_ancestor([raws[i].element for i in hits])
    if region is not None and not any(raws[i].level for i in hits):
        # The headline and posting line usually stand just above the content <div>.
        parent = region.getparent()
        region = parent if parent is not None and parent.tag not in ("html", "body") else region
    inside = set(region.iter()) if region is not None else set()
    keep = set(hits)
    for i in candidates:
        if raws[i].element in inside:
            keep.add(i)  # restored: in the article's region, outside chrome, dropped by trafilatura
    return keep, "trafilatura"


def _marked_article(tree: etree._Element) -> etree._Element | None:
    for tag in ("article", "main"):
        found = tree.xpath(f"//{tag} | //*[@role='{'article' if tag == 'article' else 'main'}']")
        if len(found) == 1:
            return found[0]
    return None


def _common_ancestor(elements: list[etree._Element]) -> etree._Element | None:
    if not elements:
        return None
    chain = list(elements[0].iterancestors())[::-1] + [elements[0]]
    common = len(chain)
    for el in elements[1:]:
        anc = set(el.iterancestors()) | {el}
        while common and chain[common - 1] not in anc:
            common -= 1
    region = chain[common - 1] if common else None
    if region is not None and region.tag in ("html", "body"):
        return None  # the whole page: container rules alone decide
    return region


def _hints(tree: etree._Element, raws: list[_Raw], keep: set[int]) -> PageHints:
    hints = PageHints()
    title_el = tree.find(".//title")
    if title_el is not None:
        hints.html_title = normalise(_WS.sub(" ", title_el.text_content()).strip()) or None
    hints.lang = (tree.get("lang") or "").split("-")[0].lower() or None
    try:
        meta = examine_meta(tree)
        hints.meta_title = meta.title
        hints.sitename = meta.sitename or extract_sitename(tree)
        hints.meta_date = meta.date
    except Exception:  # noqa: BLE001 - metadata is a hint only
        pass
    times = tree.xpath("//time/@datetime")
    if times and not hints.meta_date:
        hints.meta_date = str(times[0])
    hints.headings = [r.text for i, r in enumerate(raws) if r.level and (i in keep or r.chrome is None)]
    return hints


_SCRIPT = re.compile(r"<(script|style|noscript|template)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>?")
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|li|h[1-6]|tr|td|br|table|ul|ol|section|article)\b)[^>]*>?", re.IGNORECASE)


def _stripped(html: str) -> RenderedHtml:
    """Fallback when the parser keeps no text (libxml2 drops nodes nested too deep)."""
    import html as html_lib

    text = _BLOCK_TAG.sub("\n", _SCRIPT.sub(" ", html))
    text = html_lib.unescape(_TAG.sub(" ", text))
    lines = [normalise(_WS.sub(" ", line).strip()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise InputError("no text content")
    out = "\n".join(lines) + "\n"
    blocks, pos = [], 0
    for line in lines:
        blocks.append(Block(pos, pos + len(line), "paragraph", 0, None, "stripped"))
        pos += len(line) + 1
    return RenderedHtml(out, blocks)


def render(html: str) -> RenderedHtml:
    """Render an HTML page to text and blocks, marking chrome with a reason."""
    tree = parse(html)
    raws = [r for r in _render(tree) if r.text]
    raws = [_Raw(normalise(r.text), r.kind, r.level, r.element, r.chrome, r.container) for r in raws]
    if not any(r.text.strip() for r in raws):
        return _stripped(html)
    keep, method = _main_content(tree, raws)
    pieces: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for i, r in enumerate(raws):
        start = pos
        pieces.append(r.text)
        pos += len(r.text)
        drop = None if i in keep else (f"container:{r.chrome}" if r.chrome else f"not main text ({method})")
        blocks.append(Block(start, pos, r.kind, r.level, drop, r.container))
        pieces.append("\n")
        pos += 1
    return RenderedHtml("".join(pieces), blocks, _hints(tree, raws, keep))
