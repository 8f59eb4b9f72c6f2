"""What a statement demands, as the codes of SCHEMA.md.

Demands are found where the text makes them: sentences with a demand cue
("we demand", "calls for", "требуем", "exigimos", "απαιτούμε", "fordern"),
and the items of a list that a cue line introduces ("We demand:" followed by
bullets).  Each demand is coded by the cue words of ``data/cues/<lang>.toml``
(``[demand_codes]``); a demand that fits none of the codes is ``other``.
"""

from __future__ import annotations

from dataclasses import dataclass

from solidarity_atlas.extract.sentences import Sentence
from solidarity_atlas.lexicons import matcher, sentence_cues
from solidarity_atlas.model import Span

CODES = (
    "release_prisoners", "end_persecution", "union_rights", "strike_rights", "assembly_rights", "party_rights",
    "accountability", "reinstate_workers", "labour_conditions", "end_intervention", "self_determination",
)
MIN_OTHER_WORDS = 4  # a shorter demand that fits no code is a fragment, not a demand of its own


@dataclass(frozen=True, slots=True)
class Demand:
    code: str
    evidence: Span




_RIGHTS = {"union": "union_rights", "strike": "strike_rights", "assembly": "assembly_rights", "party": "party_rights"}


_CODE_KEYS = tuple(f"demand_codes.{code}" for code in CODES) + ("rights.marker",) + tuple(
    f"rights.{key}" for key in _RIGHTS
)


def codes_of(text: str) -> list[str]:
    keys = {h.key for h in matcher(_CODE_KEYS).hits(text.casefold())}
    codes = {key.removeprefix("demand_codes.") for key in keys if key.startswith("demand_codes.")}
    # "the right to unite in trade unions, to carry out meetings and strikes": each right it lists.
    if "rights.marker" in keys:
        codes.update(code for key, code in _RIGHTS.items() if f"rights.{key}" in keys)
    return [code for code in CODES if code in codes]


def find_demands(sentences: list[Sentence]) -> list[Demand]:
    """Demands in sentence order, each code once (its first evidence kept)."""
    cues = sentence_cues()
    found: list[Demand] = []
    seen: set[str] = set()
    in_list = False
    list_block = -1
    for sentence in sentences:
        folded = sentence.text.casefold()
        kinds = {h.key for h in cues.hits(folded) if h.key.startswith("demands.")}
        opens_list = folded.rstrip().endswith(":") and bool(kinds)
        cue = "demands.intro" in kinds or opens_list
        is_item = in_list and sentence.block != list_block and sentence.listed and len(sentence.text) <= 400
        if cue:
            # The whole sentence: in Turkish, Greek or German the verb of demanding may close it.
            text = "" if opens_list and len(folded) < 60 else sentence.text
            in_list = opens_list
            list_block = sentence.block
        elif is_item:
            text = sentence.text
        else:
            in_list = False
            continue
        codes = codes_of(text)
        if not codes and is_item and len(text.split()) >= MIN_OTHER_WORDS:
            codes = ["other"]  # an item of a list of demands that fits no code; a call in a sentence may be no demand
        for code in codes:
            if code not in seen:
                seen.add(code)
                found.append(Demand(code, Span(sentence.text, sentence.start, sentence.end)))
        if is_item:
            list_block = sentence.block
    return found
