"""Headline, date and place of issue, and kind of a document.

Dates are read in roles: a *dateline* ("Athens, 11th of December 2011",
usually at the end), a *date line* (a line that is only a date), a *posting
stamp* ("Published on 12.09.2020", "12/23/11, 3:47 PM") and dates in running
text.  A statement is dated by its adoption (dateline, then date line), a
news report by its publication (stamp first); a text with neither takes its
first day-and-month in the body, with the year from the text itself
("the 5-year anniversary of ... December 2011" gives 2016).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from solidarity_atlas.extract.dates import DateMention, find_dates
from solidarity_atlas.lexicons import load
from solidarity_atlas.model import Block, Page, Span
from solidarity_atlas.resolve.places import gazetteer

SHORT_LINE = 160  # stamps, datelines and date lines are shorter than this
DATELINE_HEAD = 80  # a news dateline opens its paragraph within this many characters
MAX_TITLE_CHARS = 220  # a longer first line is a paragraph: the page has no headline
MAX_TITLE_WORDS = 32
_US_STAMP = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d\d\s*[AP]\.?M\.?$", re.IGNORECASE)
# A place of one to four words, each capitalised or a short connector ("Ciudad de México").
_PLACE_WORDS = r"[^\W\d_][\w'’.-]*(?:\s+(?:[^\W\d_a-zа-яα-ω][\w'’.-]*|de|del|la|le|am|upon|on|di|do|da)){0,3}"
_DATELINE_PLACE = re.compile(
    rf"^(?P<place>{_PLACE_WORDS}(?:\s*[–—-]\s*{_PLACE_WORDS})?)\s*(?:,|\s[–—-])\s*"
    r"(?:(?:le|den|am|the|on|el|il|a)\s+)?$",
)
_AFTER_DATE = re.compile(r"^\s*(?:г\.|года|год)?\s*[.!]?\s*$")
_NEWS_DASH = re.compile(r"^\s*(?:г\.|года)?\s*(?:[.,]?\s*[–—-]|\.)\s+\S")
_ANNIVERSARY = re.compile(
    r"(?P<n>\d{1,3})\s*(?:-\s*)?(?:years?|year's|th|st|nd|rd)?\s*(?:anniversary|years? (?:later|since|after|on|ago))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DatedLine:
    role: str  # dateline, dateonly, stamp, text
    mention: DateMention
    place: Span | None
    block: int


def _lines(page: Page, blocks: list[Block]) -> list[str]:
    return [page.block_text(b) for b in blocks]


def title(page: Page, blocks: list[Block]) -> Span | None:
    """The document's own headline, not the site's name or a menu line."""
    if page.fmt == "html":
        found = _html_title(page)
        if found:
            return found
    headings = [b for b in blocks if b.level in (1, 2)]
    if headings:  # Markdown: the first top-level heading
        first = min(headings, key=lambda b: (b.level, b.start))
        return Span(page.block_text(first), first.start, first.end)
    for block in blocks:
        text = page.block_text(block).strip()
        if _is_meta_line(text):
            continue
        if len(text) > MAX_TITLE_CHARS or len(text.split()) > MAX_TITLE_WORDS:
            return None  # the text opens with a paragraph: no headline
        return Span(text, block.start, block.end)
    return None


def _is_meta_line(text: str) -> bool:
    """Stamps, date lines and label lines that stand above a headline."""
    if _US_STAMP.match(text):
        return True
    mentions = find_dates(text)
    if mentions and sum(m.end - m.start for m in mentions) >= len(text) * 0.5:
        return True
    return bool(load().pattern("published.labels", at_start=True).match(text))


def _html_title(page: Page) -> Span | None:
    hints = page.hints
    heads = [(b, page.block_text(b)) for b in page.blocks if b.level and not (b.drop or "").startswith("container")]
    doc_title = (hints.html_title or "").casefold()
    chosen: tuple[Block, str] | None = None
    for block, text in heads:
        if doc_title and text.casefold() in doc_title and len(text) > 3:
            chosen = (block, text)
            break
    if chosen is None:
        h1 = [(b, t) for b, t in heads if b.level == 1]
        chosen = h1[0] if h1 else (heads[0] if heads else None)
    if chosen is not None:
        return Span(chosen[1], chosen[0].start, chosen[0].end)
    fallback = hints.meta_title or hints.html_title
    return Span(fallback, -1, -1) if fallback else None


def dated_lines(page: Page, blocks: list[Block], *, running_text: bool = False) -> list[DatedLine]:
    """Dates of the main text with the role their line gives them.

    By default only short lines and the opening words of paragraphs are read
    (stamps, datelines and date lines stand there); ``running_text=True``
    reads every paragraph whole.
    """
    published = load().pattern("published.labels")
    out: list[DatedLine] = []
    for index, block in enumerate(blocks):
        text = page.block_text(block)
        if not running_text and len(text) > SHORT_LINE:
            text = text[:DATELINE_HEAD]  # "Soma, May 17, 2014 – The death toll..."
        for mention in find_dates(text):
            before, after = text[: mention.start], text[mention.end :]
            role, place = "text", None
            if _US_STAMP.match(text.strip()) or (published.search(before) and len(before) <= 40):
                role = "stamp"
            elif not before.strip() and _AFTER_DATE.match(after):
                role = "dateonly"
            elif (m := _DATELINE_PLACE.match(before)) and (
                _AFTER_DATE.match(after) or _NEWS_DASH.match(after)
                or (text[: mention.end].endswith(".") and after[:1].isspace())  # "Шымкент, 25 июля. Сегодня..."
            ):
                role = "dateline"
                place = Span(m.group("place"), block.start + m.start("place"), block.start + m.end("place"))
            out.append(DatedLine(role, DateMention(mention.value, block.start + mention.start,
                                                   block.start + mention.end, mention.precision), place, index))
    return out


def document_year(page: Page, blocks: list[Block], lines: list[DatedLine]) -> int | None:
    """The year a text without a full date was written, from its own arithmetic."""
    text = "\n".join(page.block_text(b) for b in blocks)
    years = [int(line.mention.value[:4]) for line in lines if line.mention.has_year]
    match = _ANNIVERSARY.search(text)
    if match and years:
        return min(years) + int(match.group("n"))
    return None


def choose_date(lines: list[DatedLine], doc_type: str, year: int | None) -> DateMention | None:
    full = [line for line in lines if line.mention.has_year and line.mention.precision == "day"]
    by_role = {role: [line for line in full if line.role == role] for role in ("dateline", "dateonly", "stamp")}
    order = ("stamp", "dateline", "dateonly") if doc_type == "news_report" else ("dateline", "dateonly", "stamp")
    for role in order:
        if by_role[role]:
            # The last dateline signs the text; of several date lines the last is the signing date.
            return by_role[role][-1].mention if role != "stamp" else by_role[role][0].mention
    partial = [line.mention for line in lines if not line.mention.has_year]
    if partial and year:
        return partial[0].with_year(year)
    return None


def dateline_place(lines: list[DatedLine]) -> Span | None:
    for line in reversed(lines):
        if line.role == "dateline" and line.place:
            return line.place
    return None


def place_name(raw: str) -> str | None:
    """English name of a dateline place; None when it names two places."""
    raw = re.sub(r"^(?:le|den|am)\s+", "", raw.strip(), flags=re.IGNORECASE)
    if re.search(r"\s[–—-]\s", raw):
        return None  # "Athens – Istanbul": issued in two places
    found = gazetteer().lookup(raw)
    if found:
        return found.name
    words = raw.split()
    return raw if 0 < len(words) <= 3 and raw[:1].isupper() else None


def place_in_text(page: Page, blocks: list[Block], max_blocks: int = 4) -> Span | None:
    """The first known city after "in"/"em"/"στην"... in the first paragraphs."""
    preps = load().get("place.prepositions")
    if not preps:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(set(preps), key=len, reverse=True))
    pattern = re.compile(
        rf"(?<!\w)(?:{alternatives})\s+(?P<city>[^\W\d_][\w'’-]+(?:\s+[^\W\d_][\w'’-]+)?)", re.IGNORECASE
    )
    gaz = gazetteer()
    prose = [b for b in blocks if len(page.block_text(b)) >= 80][:max_blocks]
    for block in prose:
        text = page.block_text(block)
        for match in pattern.finditer(text):
            for candidate in (match.group("city"), match.group("city").split()[0]):
                if candidate[:1].isupper() and gaz.lookup(candidate):
                    start = block.start + match.start("city")
                    return Span(candidate, start, start + len(candidate))
    return None
