"""Sizes of the in-process caches of extraction.

Every cache is bounded, and small enough to be full after a few thousand documents: a worker's memory then
stays flat however many documents it reads (``bench/ingest_throughput.py`` measures it at 10,000 and 100,000).

- ``TEXTS``: caches keyed by sentences, lines, list items or names as written.  What repeats is near: the same
  sentence read by several extractors of one document, a site's boilerplate over a run of its pages.  Hit rates
  on the benchmark corpus barely move above a few thousand entries (``_dates_in`` 0.85 at 4,096, 0.92 at 65,536),
  while each entry holds a text of a hundred characters or more.
- ``WORDS``: caches keyed by one word or a short key; a language's vocabulary fills them, entries are small.
- ``NAMES``: organisation names as written, resolved (the costliest answers: a fuzzy search of the registry).
"""

from __future__ import annotations

TEXTS = 4096
WORDS = 16384
NAMES = 16384
