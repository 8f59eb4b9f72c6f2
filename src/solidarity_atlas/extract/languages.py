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
FIRST_VOTERS = 2  # blocks asked first: the first and the last; a bilingual text differs there
MAX_VOTERS = 10  # blocks asked when the first ones disagree (a text printed in two languages)
SAMPLE = 140  # characters of a block given to the detector: enough for a stable vote, and cheap
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
    """Languages of the document, most text first, and the language of each sampled block.

    A few blocks spread over the document are asked first; only when they
    disagree (a bilingual text) are up to :data:`MAX_VOTERS` asked.
    """
    texts = list(blocks)
    voters = [i for i, text in enumerate(texts) if len(text) >= MIN_COUNTED]
    per_block: list[str | None] = [None] * len(texts)
    asked: set[int] = set()
    for limit in (FIRST_VOTERS, MAX_VOTERS):
        step = max(1, -(-len(voters) // limit))
        for i in voters[::step]:
            if i not in asked:
                asked.add(i)
                per_block[i] = block_language(texts[i])
        if len({code for code in per_block if code}) <= 1 and len(asked) >= min(len(voters), FIRST_VOTERS):
            break
    weights: Counter[str] = Counter()
    for i in asked:
        if per_block[i]:
            weights[per_block[i]] += len(texts[i])  # type: ignore[index]
    total = sum(weights.values())
    if not total:
        return [], per_block
    ranked = [code for code, weight in weights.most_common() if weight / total >= MIN_SHARE]
    return ranked, per_block
