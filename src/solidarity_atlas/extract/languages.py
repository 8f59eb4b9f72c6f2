"""Language of each main-text block, and of the document.

lingua decides among the configured languages only (``SOLIDARITY_LANGUAGES``,
about twenty): over all 75 it costs five times more.  Greek script needs no
model.  A document reports every language that carries at least
``MIN_SHARE`` of its main text, so a statement printed in English and in
Russian reports both.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from solidarity_atlas import settings

MIN_SHARE = 0.15  # below this a language is a quotation or a name, not a version of the text
MIN_LETTERS = 25  # shorter blocks say little about the language
MIN_COUNTED = 60  # shorter blocks (list items: party names in their own language) do not vote
SAMPLE = 240  # characters of a block given to the detector; enough for a stable vote
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _detector():
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = []
    for code in settings.languages():
        try:
            languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    if len(languages) < 2:
        languages = [Language.ENGLISH, *languages] if languages else [Language.ENGLISH, Language.RUSSIAN]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def block_language(text: str) -> str | None:
    """ISO 639-1 code of one block, or None when it is too short to tell."""
    sample = text[:SAMPLE]
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return None
    if len(_GREEK.findall(sample)) > letters / 2:
        return "el"
    language = _detector().detect_language_of(sample)
    return language.iso_code_639_1.name.lower() if language is not None else None


def document_languages(blocks: Iterable[str]) -> tuple[list[str], list[str | None]]:
    """Languages of the document, most text first, and each block's language."""
    weights: Counter[str] = Counter()
    per_block: list[str | None] = []
    for text in blocks:
        code = block_language(text)
        per_block.append(code)
        if code and len(text) >= MIN_COUNTED:
            weights[code] += len(text)
    total = sum(weights.values())
    if not total:
        return [], per_block
    ranked = [code for code, weight in weights.most_common() if weight / total >= MIN_SHARE]
    return ranked, per_block
