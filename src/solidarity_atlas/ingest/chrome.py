"""Line rules that tell site chrome from the text of a statement.

Each rule looks at one line (or block) and its neighbours and returns the
reason it is chrome, or None.  The rules are language-independent shapes
(menus, file names, calendars) plus the cue phrases of the lexicons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from solidarity_atlas.lexicons import load

_NAV_SPLIT = re.compile(r"\s+(?:\||»|›|>|/|·|•|\\)\s+|\s*\|\s*")
_BREADCRUMB = re.compile(r"\s(?:>|»|›)\s")
_LANG_SWITCH = re.compile(r"^[•·*\-]?\s*(?:[A-ZΑ-Ω][a-zα-ωA-ZΑ-Ω]?\.?\s*[|/]?\s*){2,8}$")
_IMAGE = re.compile(
    r"^(?:[\w ]{1,20}:\s*)?[\w.()\-]+\.(?:jpe?g|png|gif|webp|bmp|tiff?|svg)$", re.IGNORECASE
)
# Photo ids as social networks name them: 12249714_721192111315519_7712115224384555031_n
GLUED_PHOTO_ID = re.compile(r"^(?:\d{5,}_){2,}\d{5,}_[a-z](?=\S)")
_MONTHS = (
    r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*"
)
_CALENDAR = re.compile(
    rf"^(?:(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\.?\s+(?:{_MONTHS})\s+\d{{4}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})"
    r"\s*[-–—]\s*\S",
    re.IGNORECASE,
)
_PAGE_WORD = r"(?:page|página|pagina|seite|стр\.?|страница|σελίδα|sayfa)"
_PAGE_OF = r"(?:\s*(?:of|de|di|von|из|/)\s*\d{1,4})?"
_PAGE_NUMBER = re.compile(rf"^[-–—(\[]?\s*\d{{1,4}}\s*[-–—)\]]?$|^{_PAGE_WORD}\s*\d{{1,4}}{_PAGE_OF}$", re.IGNORECASE)
# A header or footer repeated on every page of a PDF: "... page 2", "... – 3 –".
_RUNNING_HEADER = re.compile(rf"\s{{3,}}{_PAGE_WORD}?\s*\d{{1,4}}{_PAGE_OF}\s*$", re.IGNORECASE)
_COOKIE = re.compile(r"\bcookies?\b|\bкуки\b", re.IGNORECASE)
_TEASER_END = re.compile(r"(?:\.\.\.|…)\s*$")
_SENTENCE = re.compile(r"[.!?;:]\s*$")


_PHOTO_ID = re.compile(r"(?:\d{5,}_){2,}\d{5,}_[a-z]")  # "12345_67890_11111_n": a photo's file id
MAX_CHROME_LINE = 400  # no rule marks a longer line: it is a paragraph


def nav_line(line: str) -> bool:
    """A menu or breadcrumb: three or more short items between separators."""
    if len(line) > 200 or not _NAV_SPLIT.search(line):
        return False  # a paragraph, or no separator: one item, no menu
    parts = [p.strip() for p in _NAV_SPLIT.split(line.strip()) if p.strip()]
    breadcrumb = bool(_BREADCRUMB.search(line)) and len(parts) == 2 and all(len(p.split()) <= 3 for p in parts)
    if len(parts) < 3 and not breadcrumb:
        return False
    return all(len(p) <= 40 and len(p.split()) <= 5 and not p.endswith((".", ",")) for p in parts)


def language_switch(line: str) -> bool:
    """"• En Es Ru": two-letter language codes linking to other versions."""
    if len(line) > 40:
        return False
    words = [w.strip("•·*-|/.") for w in line.split()]
    words = [w for w in words if w]
    return len(words) >= 2 and all(len(w) <= 2 and w.isalpha() for w in words) \
        and bool(_LANG_SWITCH.match(line))


def image_name(line: str) -> bool:
    stripped = line.strip()
    return bool(_IMAGE.match(stripped)) or bool(_PHOTO_ID.fullmatch(stripped))


def line_reason(line: str) -> str | None:
    """Chrome judged from the line alone."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_CHROME_LINE:
        return None
    if stripped == "\f":
        return "page break"
    if nav_line(stripped):
        return "navigation"
    if language_switch(stripped):
        return "language switch"
    if image_name(stripped):
        return "image file name"
    if _PAGE_NUMBER.match(stripped):
        return "page number"
    if len(stripped) <= 160 and _RUNNING_HEADER.search(stripped):
        return "running header"
    if stripped.startswith("©"):
        return "copyright"
    if len(stripped) <= 400 and _COOKIE.search(stripped):
        return "cookie notice"
    if _CALENDAR.match(stripped) and not _SENTENCE.search(stripped):
        return "calendar"
    lex = load()
    if len(stripped) <= 160 and lex.pattern("chrome.prefixes", at_start=True).match(stripped):
        return "chrome phrase"
    if len(stripped) <= 80 and lex.pattern("chrome.related", at_start=True).match(stripped):
        return "related posts"
    return None


def related_header(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= 80 and bool(load().pattern("chrome.related", at_start=True).match(stripped))


def mark_lines(lines: Sequence[str]) -> list[str | None]:
    """A reason (or None) for every line of a text page.

    Beyond single-line rules: the site header above a menu line at the top,
    the headlines after a "Related posts" header, and teaser pairs (a headline
    followed by a truncated first sentence ending in "...").
    """
    reasons = [line_reason(line) for line in lines]
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    # Site header: a short line or two above a menu line at the very top.
    for rank, i in enumerate(nonblank[:4]):
        if reasons[i] == "navigation":
            for j in nonblank[:rank]:
                if len(lines[j]) <= 100 and reasons[j] is None:
                    reasons[j] = "site header"
            break
    # After a related-posts header: the rest is other pages' headlines.
    half = len(nonblank) // 2
    for rank, i in enumerate(nonblank):
        if rank >= half and related_header(lines[i]):
            for j in nonblank[rank + 1 :]:
                if reasons[j] is None and len(lines[j]) <= 300:
                    reasons[j] = "related posts"
            break
    # Running headers: a line repeated next to a page number or page break.
    breaks = {i for i in nonblank if reasons[i] in ("page number", "page break")}
    counts: dict[str, int] = {}
    for i in nonblank:
        counts[lines[i].strip()] = counts.get(lines[i].strip(), 0) + 1
    for rank, i in enumerate(nonblank):
        near = {nonblank[r] for r in (rank - 1, rank + 1) if 0 <= r < len(nonblank)}
        if reasons[i] is None and counts[lines[i].strip()] > 1 and near & breaks and len(lines[i]) <= 160:
            for j in nonblank:
                if lines[j].strip() == lines[i].strip():
                    reasons[j] = "running header"
    # Teasers: "Headline" + "First words of the article..."
    for rank, i in enumerate(nonblank):
        if reasons[i] is None and _TEASER_END.search(lines[i]) and len(lines[i]) <= 300:
            reasons[i] = "related teaser"
            if rank and reasons[nonblank[rank - 1]] is None and len(lines[nonblank[rank - 1]]) <= 120:
                reasons[nonblank[rank - 1]] = "related headline"
    return reasons
