"""Fuzz the HTML path: bytes -> decode (meta charset) -> lxml and trafilatura -> blocks -> every extractor.

Only :class:`InputError` may come out of reading, and nothing out of extraction.  See fuzz/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import main  # noqa: E402

from solidarity_atlas.errors import InputError  # noqa: E402
from solidarity_atlas.extract.pipeline import extract  # noqa: E402
from solidarity_atlas.ingest.reader import page_from_bytes  # noqa: E402


def one_input(data: bytes) -> None:
    try:
        page = page_from_bytes("fuzz.html", data, is_html=True)
    except InputError:
        return
    extract(page)


if __name__ == "__main__":
    from solidarity_atlas.api import warm_up

    warm_up()
    main(one_input)
