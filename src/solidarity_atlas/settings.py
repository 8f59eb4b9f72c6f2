"""All settings in one place: ``SOLIDARITY_*`` environment variables.

Each has a default that works with nothing set.  ``solidarity settings``
prints them with their help lines and current values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def value(self) -> str:
        return os.environ.get(self.name, self.default)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "SOLIDARITY_LANGUAGES",
            "en,ru,el,tr,de,es,pt,fr,it,uk,bg,sr,pl,cs,nl,sv,da,ar,fa,hu,ro,kk",
            "ISO 639-1 codes the language detector chooses among (fewer is faster).",
        ),
        Setting(
            "SOLIDARITY_MAX_BYTES",
            str(10 * 1024 * 1024),
            "Inputs larger than this many bytes are refused as too large for one document.",
        ),
        Setting(
            "SOLIDARITY_BOILERPLATE_SHARE",
            "0.4",
            "A line found in at least this share of the text files of one folder is site chrome.",
        ),
        Setting(
            "SOLIDARITY_BOILERPLATE_MIN_DOCS",
            "4",
            "The cross-document chrome signal needs at least this many files in a folder, "
            "and a line must recur in at least 3 of them.",
        ),
        Setting(
            "SOLIDARITY_CACHE_DIR",
            str(Path.home() / ".cache" / "solidarity-atlas"),
            "Folder for tables derived from installed data (gazetteer, registry, first names); safe to delete.",
        ),
        Setting(
            "SOLIDARITY_JUDGEMENTS",
            "judgements.jsonl",
            "File of human judgements on organisations (merge, split, alias, rename), applied on every run.",
        ),
        Setting(
            "SOLIDARITY_DB",
            "sqlite:///atlas.db",
            "Database URL (SQLAlchemy form, or a SQLite file path) for the knowledge base.",
        ),
        Setting(
            "SOLIDARITY_INGEST_BATCH",
            "1000",
            "Documents written per transaction by 'solidarity ingest' (a crash loses at most one batch).",
        ),
        Setting(
            "SOLIDARITY_DOC_TIMEOUT",
            "60",
            "Seconds one document may take to read and extract in a worker process before it fails as timed out "
            "(0: no limit; not enforced on Dask workers).",
        ),
    )
}


def get(name: str) -> str:
    return SETTINGS[name].value


def languages() -> list[str]:
    return [c.strip() for c in get("SOLIDARITY_LANGUAGES").split(",") if c.strip()]


def max_bytes() -> int:
    return int(get("SOLIDARITY_MAX_BYTES"))


def boilerplate_share() -> float:
    return float(get("SOLIDARITY_BOILERPLATE_SHARE"))


def judgements_path() -> Path:
    return Path(get("SOLIDARITY_JUDGEMENTS")).expanduser()


def cache_dir() -> Path:
    return Path(get("SOLIDARITY_CACHE_DIR")).expanduser()


def ingest_batch() -> int:
    return int(get("SOLIDARITY_INGEST_BATCH"))


def doc_timeout() -> float:
    return float(get("SOLIDARITY_DOC_TIMEOUT"))


def boilerplate_min_docs() -> int:
    return int(get("SOLIDARITY_BOILERPLATE_MIN_DOCS"))


def validate() -> None:
    """Raise ValueError naming the first setting whose value cannot be used."""
    for name, check in (
        ("SOLIDARITY_MAX_BYTES", lambda v: int(v) > 0),
        ("SOLIDARITY_BOILERPLATE_SHARE", lambda v: 0 < float(v) <= 1),
        ("SOLIDARITY_BOILERPLATE_MIN_DOCS", lambda v: int(v) >= 2),
        ("SOLIDARITY_INGEST_BATCH", lambda v: int(v) >= 1),
        ("SOLIDARITY_DOC_TIMEOUT", lambda v: 0 <= float(v) < 10**6),
        ("SOLIDARITY_LANGUAGES", lambda v: bool(v.strip())),
    ):
        value = get(name)
        try:
            ok = check(value)
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{name}={value!r} is not a valid value ({SETTINGS[name].help})")
