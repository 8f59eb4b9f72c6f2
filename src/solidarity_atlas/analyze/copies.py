"""Copies of one statement: the same text reposted, or the same list of signatories in another language.

A text is summarised by a MinHash signature (datasketch, CRC-32 as the base
hash: fast, and good enough for sets of a few hundred shingles) over its word
shingles; locality-sensitive hashing cuts the signature into bands, and two
texts that agree on a whole band are candidates, confirmed when their
signatures agree on at least :data:`COPY_SIMILARITY` of the positions (an
estimate of the Jaccard similarity of their shingles).  The bands live in
the database (``lsh_bands``), so candidates are one indexed query away at any
size.  A translation shares no shingles with its original, so a second test
compares signatory sets: the same organisations, a different language, days
apart at most.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Collection
from functools import cache

import numpy as np

NUM_PERM = 60  # signature length: 60 permutations estimate a similarity to about +-0.06
# 10 bands of 6 rows: a text 80% alike shares a band with 95% chance, 90% alike 99.5%; one 50% alike 15%, one
# 30% alike (texts of one genre share that much: greetings, closing formulas) 0.7% -- so on a large atlas the
# candidates stay few.  (16 bands of 4 made every fifth text of a genre a candidate.)
BANDS = 10
ROWS = NUM_PERM // BANDS
SHINGLE = 4  # words per shingle
COPY_SIMILARITY = 0.8  # estimated Jaccard similarity from which two texts are one statement
MIN_SHINGLES = 8  # a shorter text (a few words) says too little to call anything its copy
TRANSLATION_OVERLAP = 0.8  # share of the union of two signatory sets both must have, for a translation
TRANSLATION_MIN_SIGNATORIES = 3
TRANSLATION_DAYS = 3
SIGNER_BANDS = 100  # band numbers from here on hold signatory-set signatures, below it text signatures
_WORD = re.compile(r"\w+")


def shingles(text: str) -> list[bytes]:
    """The distinct runs of SHINGLE words of a text, casefolded, each as UTF-8 bytes with one space between words."""
    words = [word.encode() for word in _WORD.findall(text.casefold())]
    if len(words) < SHINGLE:
        return [b" ".join(words)] if words else []
    # zip of the word list with itself shifted: each run of SHINGLE words, without slicing a list for each
    return list({b" ".join(run) for run in zip(*(words[i:] for i in range(SHINGLE)), strict=False)})


def signature(text: str) -> tuple[bytes, list[int]] | None:
    """The MinHash signature of a text (as bytes) and its band hashes; None for a text too short to compare."""
    from datasketch import MinHash

    parts = shingles(text)
    if len(parts) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=_permutations())
    minhash.update_batch(parts)
    values = minhash.hashvalues.astype(np.uint32)
    return values.tobytes(), band_hashes(values)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The random permutations of a signature, drawn once (drawing them costs more than hashing a text)."""
    from datasketch import MinHash

    perms: tuple[np.ndarray, np.ndarray] = MinHash(num_perm=NUM_PERM, seed=1).permutations
    return perms


def signatory_signature(org_ids: Collection[str]) -> tuple[bytes, list[int]] | None:
    """A MinHash signature of a signatory set, banded like a text's (bands numbered from SIGNER_BANDS): the
    versions of one statement in two languages share no words but the same list of signatories."""
    from datasketch import MinHash

    if len(set(org_ids)) < TRANSLATION_MIN_SIGNATORIES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=_permutations())
    minhash.update_batch([org.encode() for org in sorted(set(org_ids))])
    values = minhash.hashvalues.astype(np.uint32)
    return values.tobytes(), band_hashes(values)


def band_hashes(values: np.ndarray) -> list[int]:
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).digest()
        out.append(int.from_bytes(digest, "big", signed=True))  # a signed 64-bit integer fits BIGINT everywhere
    return out


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    x, y = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    if len(x) != len(y) or not len(x):
        return 0.0
    return float(np.count_nonzero(x == y)) / len(x)


def same_signatories(a: Collection[str], b: Collection[str]) -> bool:
    """Two signatory sets close enough for one statement in two languages."""
    sa, sb = set(a), set(b)
    if min(len(sa), len(sb)) < TRANSLATION_MIN_SIGNATORIES:
        return False
    return len(sa & sb) / len(sa | sb) >= TRANSLATION_OVERLAP


def days_apart(a: str | None, b: str | None) -> int | None:
    """Days between two ISO dates of day precision; None when either is missing or less precise."""
    from datetime import date

    if not a or not b or len(a) != 10 or len(b) != 10:
        return None
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
    except ValueError:
        return None
