"""The kind of a document, decided from cues in its head and body.

Cue phrases per language live in the lexicons (``doctype.*``).  The head
(headline and the lines just below it) names the kind outright in most
statements ("Joint statement of ...", "Resolution on ...", "Offener Brief
an ..."); the body decides the rest: a salutation to an ambassador makes a
petition, the participants of a meeting a resolution, a list of signing
organisations a joint statement, and first-person demands tell a
declaration from a third-person news report.
"""

from __future__ import annotations

import re

from solidarity_atlas.lexicons import load, matcher
from solidarity_atlas.model import Block, Page

HEAD_LINES = 4  # headline, sub-headline, stamp: the short lines above the text
HEAD_MAX_CHARS = 200  # a longer line is the text itself, which may mention "a resolution"
MIN_PROSE_CHARS = 250  # less running text than this is a menu, calendar or index page (a news brief has more)
SHORT_PAGE = 800  # below this much running text, a page that is mostly list lines is a menu or calendar
MIN_PROSE_SHARE = 0.4
_ORG_HEAD = re.compile(
    r"(?<!\w)(?:party|parti|partido|partei|partij|partia|partito|partisi|партия|партии|κόμμα|"
    r"union|unión|união|gewerkschaft|синдикат|профсоюз|federation|federación|federação|fédération|"
    r"ομοσπονδία|confederation|confederación|confederação|front|frente|фронт|μέτωπο|league|liga|"
    r"movement|movimiento|movimento|mouvement|движение|communist|comunista|communiste|kommunist\w*|"
    r"коммунист\w*|κομμουνιστικό)(?!\w)",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"^[\W\d]*[A-ZΑ-ΩА-Я][A-ZΑ-ΩА-Я\-()]{1,9}(?:\s*[-–,(]\s*[\w ()]+)?$")


_CUES = ("doctype.resolution", "doctype.resolution_body", "doctype.petition", "doctype.salutation",
         "doctype.first_person", "doctype.joint_statement", "doctype.addressee", "doctype.declaration")


def _cues_in(folded_text: str) -> set[str]:
    """The doctype cue lists with a phrase in the text, found in one pass."""
    return {hit.key for hit in matcher(_CUES).find(folded_text)}


def org_lines(texts: list[str]) -> int:
    """How many short lines read like an organisation's name (a signatory list)."""
    count = 0
    for text in texts:
        t = text.strip()
        if 2 <= len(t) <= 120 and not t.endswith((".", ":")) and (_ORG_HEAD.search(t) or _ACRONYM.match(t)):
            count += 1
    return count


def _signing_cue(texts: list[str]) -> bool:
    cue = load().pattern("signatures.intro", folded=True)
    return any(len(t) <= 120 and cue.search(t.casefold()) for t in texts)


def classify(page: Page, blocks: list[Block]) -> str:
    texts = [page.block_text(b) for b in blocks]
    prose = sum(len(t) for t in texts if len(t) >= 100)
    share = prose / max(1, sum(len(t) for t in texts))
    # A menu, calendar or index page is mostly short lines; a news brief is mostly prose. A short statement
    # followed by "Signed by:" and its list is still a statement.
    if (prose < MIN_PROSE_CHARS or (prose < SHORT_PAGE and share < MIN_PROSE_SHARE)) and not _signing_cue(texts):
        return "other"
    head_lines: list[str] = []
    for text in texts[:HEAD_LINES]:
        if len(text) > HEAD_MAX_CHARS:
            break
        head_lines.append(text)
    head = "\n".join(head_lines).casefold()
    body = "\n".join(texts).casefold()
    in_head, in_body = _cues_in(head), _cues_in(body)
    if "doctype.resolution" in in_head or "doctype.resolution_body" in in_body:
        return "resolution"
    if "doctype.petition" in in_head or "doctype.salutation" in in_body:
        return "petition"
    signing = org_lines(texts) >= 3
    first_person = "doctype.first_person" in in_body
    if "doctype.joint_statement" in in_head or (signing and first_person):
        return "joint_statement"
    if "doctype.addressee" in in_body and first_person:
        return "petition"
    declaration = 2 * ("doctype.declaration" in in_head) + ("doctype.declaration" in in_body) + first_person
    news = len({m.group(0).casefold() for m in load().pattern("doctype.news_report", folded=True).finditer(body)})
    if news >= 2 and news > declaration:
        return "news_report"
    return "declaration" if declaration else "news_report"
