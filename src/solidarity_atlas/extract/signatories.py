"""Signatory lists: every item of every list of signing organisations.

The grammar, in the order it is applied:

1. Lines are cut into *items*: a list marker (``1.``, ``1)``, ``(1)``,
   ``1 -``, ``•``, ``▪``, ``-``, ``*``) is taken off, and a line holding two
   columns (runs of three or more spaces, as PDF text has) becomes two items,
   the left column read before the right one.
2. Each line is classified: an *item* (short, not a sentence), a *cue*
   ("Signed by:", "Firman:", "Подписали:"), a *sub-heading* (a region such as
   "Europe" between blocks of a list), or *text* (a paragraph, a date line),
   which ends a list.
3. Runs of items form lists; a list is kept when its items read like
   organisations' names (a head word such as "party", "union", "фронт",
   "κόμμα" in any lexicon language, an acronym, an abbreviation such as
   "CP"), more surely after a cue.  Demand bullets, tag lines and menus are
   sentences, lower-case phrases or bare country names, and are left out.
4. Lists written in a sentence ("signed by A, B and C", "subscrita pela A,
   pelo B e pela C", "signed by: A; B; C") are split at semicolons, or at
   commas and the last "and", with leading articles taken off.

``raw`` is the item exactly as written, minus its marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from solidarity_atlas import memo
from solidarity_atlas.extract.dates import find_dates
from solidarity_atlas.lexicons import load, matcher
from solidarity_atlas.model import Block, Page
from solidarity_atlas.resolve.text import script
from solidarity_atlas.shapes import abbreviation_pattern, is_acronym

MAX_ITEM = 160  # a longer line is a paragraph, not a list item
UNCUED_MIN = 4  # in a declaration, a list with no "Signed by:" above it needs this many organisations
_MARKER = re.compile(
    r"^(?:(?P<num>\d{1,3})\s*(?:[.)]|\s[-–—]|:)\s+|\((?P<pnum>\d{1,3})\)\s*|(?P<bullet>[•▪●◦‣∙·■□►▸✓*\-–—])\s*)"
)
_COLUMNS = re.compile(r"\S(?:\s{3,}|\t+)\S")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_SENTENCE_END = re.compile(r"[.!?;]\s*$")
# Acronyms that name states or alliances, not signing organisations.
_NOT_ORGS = frozenset(
    {"USA", "US", "UK", "EU", "UN", "NATO", "IMF", "USSR", "CIA", "EE.UU.", "EUA", "ΗΠΑ", "США", "ABD"}
)


@dataclass(frozen=True, slots=True)
class Item:
    """One list item: the raw text as written and where it stands in the page."""

    raw: str
    start: int
    end: int
    number: int | None = None
    inline: bool = False


@dataclass(slots=True)
class _Line:
    text: str
    start: int
    end: int
    marker: str | None = None
    number: int | None = None
    column: int = 0
    columns: int = 1  # cells of the row this line was cut from
    row: int = 0
    heading: bool = False


@dataclass(slots=True)
class _Run:
    items: list[_Line] = field(default_factory=list)
    cue: bool = False


def _words(key: str) -> re.Pattern[str]:
    """A lexicon's phrases, for casefolded text (much faster than a case-insensitive search)."""
    return load().pattern(key, folded=True)


@lru_cache(maxsize=memo.TEXTS)
def org_score(text: str) -> float:
    """How much a short text reads like an organisation's name: 1, 0.6 or 0."""
    t = text.strip().strip("\"'«»“”")
    if not t or len(t) > MAX_ITEM:
        return 0.0
    words = _WORD.findall(t)
    if not words:
        return 0.0
    first = t.split()[0].strip("([«\"'")
    acronym_first = is_acronym(first) and first.strip("()[]«»\"'.,;:") not in _NOT_ORGS
    long_words = [w for w in words if len(w) > 3]
    capitalised = sum(w[0].isupper() for w in long_words) / len(long_words) if long_words else 1.0
    sentence = bool(_SENTENCE_END.search(t)) and len(words) >= 6
    if sentence or not (first[:1].isupper() or first[:1].isdigit() or acronym_first):
        return 0.0
    folded = t.casefold()
    if _words("org.person_titles").match(folded):
        return 0.0  # "President X Y on behalf of ...": a person
    if _words("org.heads").search(folded) or _abbreviation(t):
        # Russian names capitalise the first word only ("Российская коммунистическая рабочая партия").
        needed = 0.2 if script(t) == "cyrillic" else 0.3
        return 1.0 if capitalised >= needed else 0.0
    if acronym_first and len(words) <= 4:
        return 1.0  # "PAME", "AKEL, Cyprus", "PEO – Cyprus", "PPP Guyana"
    if len(words) >= 2 and capitalised >= 0.6 and len(words) <= 10:
        return 0.6
    return 0.0


def _abbreviation(text: str) -> bool:
    return bool(abbreviation_pattern().search(text))


def _lines(page: Page, blocks: list[Block]) -> list[_Line]:
    out: list[_Line] = []
    for row, block in enumerate(blocks):
        text = page.block_text(block)
        cells = _cells(text) if len(text) <= 2 * MAX_ITEM else [(0, len(text))]
        for column, (s, e) in enumerate(cells):
            cell = text[s:e]
            line = _Line(cell, block.start + s, block.start + e, column=column, columns=len(cells), row=row,
                         heading=block.level > 0)
            if m := _MARKER.match(cell):
                number = m.group("num") or m.group("pnum")
                line.marker = "number" if number else "bullet"
                line.number = int(number) if number else None
                line.start += m.end()
                line.text = cell[m.end():]
            if line.text.strip():
                out.append(line)
    return out


def _cells(text: str) -> list[tuple[int, int]]:
    """Column spans of a line laid out in columns; the whole line otherwise."""
    if not _COLUMNS.search(text):
        return [(0, len(text))]
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+(?:\s{1,2}\S+)*", text)]
    if len(spans) < 2 or any(e - s > MAX_ITEM for s, e in spans):
        return [(0, len(text))]
    return spans


def _kind(line: _Line) -> str:
    text = line.text.strip()
    if len(text) > MAX_ITEM:
        return "text"
    lowered = text.casefold()
    if (text.endswith(":") or len(text) <= 40) and matcher(("signatures.intro",)).find(lowered):
        return "cue"
    if text.endswith(":"):
        return "subheading" if len(text.split()) <= 4 else "text"
    if lowered.strip(" :") in load().words("signatures.regions"):
        return "subheading"  # "Latin America", "Middle East"
    dates = find_dates(text)
    if dates and sum(d.end - d.start for d in dates) >= len(text) * 0.4:
        return "text"  # a date line or dateline closes the list above it
    words = text.split()
    if line.marker is None and not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'«“("):
        return "text"  # "…the statement is open for further endorsement", a sentence going on
    if line.marker is None and len(words) <= 4 and not is_acronym(words[0]) and (
        line.heading or org_score(text) == 0 or words[-1].casefold() in load().words("org.plurals")
    ):
        return "subheading"  # "Europe", "Latin America", "SolidNet Parties"
    if _SENTENCE_END.search(text) and len(words) >= 8 or len(words) > 16:
        return "text"
    return "item"


def _runs(lines: list[_Line]) -> list[_Run]:
    runs: list[_Run] = []
    current = _Run()
    for line in lines:
        kind = _kind(line)
        if kind == "item":
            current.items.append(line)
            continue
        if kind == "subheading" and current.items:
            continue  # "Europe", "Asia": the list goes on below
        if current.items:
            runs.append(current)
        current = _Run(cue=kind == "cue")
    if current.items:
        runs.append(current)
    return runs


def _accept(run: _Run) -> list[_Line]:
    scored = [(line, org_score(line.text)) for line in run.items]
    for i in range(len(scored) - 1):
        if scored[i][1] == 0 and scored[i + 1][1] == 0 and any(score for _, score in scored[:i]):
            scored = scored[:i]  # two lines in a row that name no organisation: the list has ended (tags, menus)
            break
    kept = [line for line, score in scored if score > 0]
    if not kept:
        return []
    share = len(kept) / len(scored)
    strong = sum(score == 1.0 for _, score in scored) / len(scored)
    if run.cue and share >= 0.4:
        return kept
    if len(scored) >= 3 and share >= 0.75 and strong >= 0.5:
        return kept
    if len(scored) >= 2 and strong == 1.0:
        return kept
    return []


def _column_order(lines: list[_Line]) -> list[_Line]:
    """Left column first, then the right one, in each stretch of rows laid out in columns."""
    ordered: list[_Line] = []
    group: list[_Line] = []
    for line in lines:
        if line.columns > 1:
            group.append(line)
            continue
        ordered.extend(sorted(group, key=lambda x: (x.column, x.row)))
        group = []
        ordered.append(line)
    ordered.extend(sorted(group, key=lambda x: (x.column, x.row)))
    return ordered


def list_items(page: Page, blocks: list[Block], *, cue_required: bool = False) -> list[Item]:
    """Items of the signatory lists laid out as lists (one item a line).

    ``cue_required``: a short list counts only when a cue ("Signed by:")
    introduces it; a declaration's closing lines name its author, not signatories.
    """
    items: list[Item] = []
    for run in _runs(_lines(page, blocks)):
        accepted = _accept(run)
        if cue_required and not run.cue and len(accepted) < UNCUED_MIN:
            continue  # "Türkiye Komünist Partisi / Merkez Komitesi": the author's signature, not a list
        for line in _column_order(accepted):
            raw = line.text.strip()
            lead = len(line.text) - len(line.text.lstrip())
            items.append(Item(raw, line.start + lead, line.start + lead + len(raw), line.number))
    return items


def inline_items(page: Page, blocks: list[Block]) -> list[Item]:
    """Items of lists written in sentences: "signed by A, B and C"."""
    lexicon = load()
    cue = lexicon.pattern("signatures.inline")
    quick = matcher(("signatures.inline",))
    items: list[Item] = []
    for block in blocks:
        text = page.block_text(block)
        if len(text) <= MAX_ITEM and not text.rstrip().endswith("."):
            continue  # a list line, not a sentence
        if not quick.find(text.casefold()):
            continue  # the case-insensitive search, for offsets, only where a cue stands
        for match in cue.finditer(text):
            start = match.end()
            while start < len(text) and text[start] in " :":
                start += 1
            end = _sentence_end(text, start)
            items.extend(_split_inline(text, start, end, block.start))
    return items


def _sentence_end(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c in ".!?" and depth == 0 and (i + 1 == len(text) or text[i + 1].isspace()):
            return i
    return len(text)


def _split_inline(text: str, start: int, end: int, offset: int) -> list[Item]:
    lexicon = load()
    segment = text[start:end]
    clause = lexicon.pattern("signatures.clause", folded=True)
    # Only the words just after a comma can open a clause: casefolding all the rest of the list at every comma was
    # quadratic (a list of 40,000 names in one sentence took most of a minute).  One character past the longest
    # phrase is enough to see where its word ends.
    window = max((len(p) for p in lexicon.get("signatures.clause")), default=0) + 1
    for m in re.finditer(r",\s*", segment):
        if clause.match(segment[m.end() : m.end() + window].casefold()):
            segment = segment[: m.start()]
            break
    separator = ";" if ";" in segment else ","
    pieces = _split_outside_brackets(segment, separator)
    # A piece may hold "A and B": split at the joining word before an article, else at the last one.
    pieces = [part for s, e in pieces for part in _split_and(segment, s, e)]
    items: list[Item] = []
    strong = 0
    for s, e in pieces:
        s, e = _strip_article(segment, s, e)
        raw = segment[s:e].strip().rstrip(".")
        if not raw:
            continue
        score = org_score(raw)
        if score == 0:
            break  # the sentence went on past the list
        strong += score == 1.0
        lead = len(segment[s:e]) - len(segment[s:e].lstrip())
        begin = offset + start + s + lead
        items.append(Item(raw, begin, begin + len(raw), inline=True))
    # In running text "signed by" is often followed by a person ("signed by President X"): a list in a
    # sentence counts when most of its items carry an organisation's marks.
    return items if items and strong * 2 >= len(items) + (len(items) == 1) else []


def _split_outside_brackets(segment: str, separator: str) -> list[tuple[int, int]]:
    spans, depth, begin = [], 0, 0
    for i, c in enumerate(segment):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == separator and depth == 0:
            spans.append((begin, i))
            begin = i + 1
    spans.append((begin, len(segment)))
    return spans


@cache
def _join_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """"and"/"e"/"и" before an article ("and the", "e pela"), and any of them."""
    lexicon = load()
    joins = "|".join(re.escape(w) for w in lexicon.get("signatures.and"))
    articles = "|".join(re.escape(w) for w in sorted(lexicon.get("signatures.articles"), key=len, reverse=True))
    return (
        re.compile(rf"\s(?:{joins})\s+(?=(?:{articles})\s)", re.IGNORECASE),
        re.compile(rf"\s(?:{joins})\s+", re.IGNORECASE),
    )


def _split_and(segment: str, s: int, e: int) -> list[tuple[int, int]]:
    before_article, any_join = _join_patterns()
    piece = segment[s:e]
    matches = list(before_article.finditer(piece))
    if not matches:
        matches = list(any_join.finditer(piece))
        # Only where what follows starts a name: "A and B", not "Peace and Cooperation (CPPC)".
        matches = [m for m in matches if piece[m.end():m.end() + 1].isupper() and org_score(piece[m.end():]) > 0
                   and org_score(_without_article(piece[:m.start()])) > 0]
    if not matches:
        return [(s, e)]
    m = matches[-1]
    return [(s, s + m.start()), (s + m.end(), e)]


def _without_article(text: str) -> str:
    folded = text.lstrip().casefold()
    for article in sorted(load().get("signatures.articles"), key=len, reverse=True):
        if folded.startswith(article + " "):
            return text.lstrip()[len(article) + 1:]
    return text.strip()


def _strip_article(segment: str, s: int, e: int) -> tuple[int, int]:
    """Take "the", "pela", "pelo"... off the front of an item of a list in a sentence."""
    piece = segment[s:e]
    lead = len(piece) - len(piece.lstrip())
    folded = piece[lead:].casefold()
    for article in sorted(load().get("signatures.articles"), key=len, reverse=True):
        if folded.startswith(article + " ") and org_score(piece[lead + len(article) + 1:]) > 0:
            return s + lead + len(article) + 1, e
    return s, e


def flags(items: list[Item]) -> list[str]:
    """Numbering gaps and repeats, and organisations listed twice."""
    out: list[str] = []
    numbers = [i.number for i in items if i.number is not None]
    seen_numbers: set[int] = set()
    for previous, number in zip(numbers, numbers[1:], strict=False):
        if number == previous:
            out.append(f"numbering_duplicate:{number}")
        elif number > previous + 1:
            out.extend(f"numbering_gap:{n}" for n in range(previous + 1, number))
    seen_numbers.update(numbers)
    seen: set[str] = set()
    for item in items:
        k = " ".join(item.raw.casefold().split())
        if k in seen:
            out.append(f"duplicate_signatory:{item.raw}")
        seen.add(k)
    return out
