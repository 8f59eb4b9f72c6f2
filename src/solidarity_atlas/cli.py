"""The ``solidarity`` command: a thin layer over :mod:`solidarity_atlas.api`.

Commands parse their arguments, call the library and print.  Errors about
one input become one line on stderr; the batch goes on.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from solidarity_atlas import __version__, api, settings
from solidarity_atlas.ingest.boilerplate import recurring_lines
from solidarity_atlas.ingest.files import discover
from solidarity_atlas.model import Record

app = typer.Typer(
    help="Solidarity Atlas: statements, resolutions, petitions and news of the labour and communist "
    "movement as a linked, queryable dataset.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
HANDFUL = 5  # more inputs than this get a progress bar (on a terminal)


class Format(StrEnum):
    jsonl = "jsonl"
    table = "table"


def _say(message: str) -> None:
    print(f"solidarity: {message}", file=sys.stderr, flush=True)


def _version(value: bool) -> None:
    if value:
        print(f"solidarity {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Solidarity Atlas command line."""


@app.command("extract")
def extract_command(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (searched recursively) or glob patterns.")],
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="jsonl: one JSON object per document; table: a summary.")
    ] = Format.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=256, help="Worker processes.")] = 1,
    evidence: Annotated[
        bool, typer.Option("--evidence", help="Add an 'evidence' object: the quoted text and offsets of each value.")
    ] = False,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Progress bar on stderr (default: on a terminal).")
    ] = None,
) -> None:
    """Extract title, date, place, languages and kind of each document, as JSON Lines.

    Reads .txt, .md, .html and .htm files; other files are skipped with a notice.
    Each failed input gets one line on stderr and the rest go on; a summary line
    closes the run. Exit status: 0 all processed, 1 some inputs failed, 2 usage error.

    Example: solidarity extract examples/corpus --format table
    """
    try:
        settings.validate()
    except ValueError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(2) from None
    if output is not None and not output.parent.is_dir():
        _say(f"error: {output}: the folder for the output does not exist")
        raise typer.Exit(2)
    found = list(discover(paths))
    files = [f.path for f in found if f.status == "file"]
    failed = skipped = processed = 0
    for item in found:
        if item.status == "skipped":
            skipped += 1
            _say(f"skipped {item.path}: {item.reason}")
        elif item.status == "missing":
            failed += 1
            _say(f"error: {item.path}: {item.reason}")
    recurring = recurring_lines(files) if len(files) >= settings.boilerplate_min_docs() else {}
    stream: TextIO = output.open("w", encoding="utf-8") if output else sys.stdout
    records: list[Record] = []
    err = Console(stderr=True)
    show = err.is_terminal if progress is None else progress
    bar = Progress(
        TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True, disable=not (show and len(files) > HANDFUL),
    )
    try:
        with bar:
            task = bar.add_task("extract", total=len(files))
            for outcome in api.extract_files(files, jobs=jobs, recurring=recurring):
                bar.advance(task)
                if outcome.record is None:
                    failed += 1
                    _say(f"error: {outcome.source}: {outcome.error}")
                    continue
                processed += 1
                if fmt is Format.jsonl:
                    data = outcome.record.to_contract()
                    if evidence:
                        data["evidence"] = outcome.record.evidence_json()
                    stream.write(json.dumps(data, ensure_ascii=False) + "\n")
                else:
                    records.append(outcome.record)
        if fmt is Format.table:
            _table(records, stream)
    finally:
        if output:
            stream.close()
        else:
            stream.flush()
    _say(f"{processed} processed, {skipped} skipped, {failed} failed")
    if failed:
        raise typer.Exit(1)


def _table(records: list[Record], stream: TextIO) -> None:
    table = Table(title=f"{len(records)} documents", show_lines=False, expand=False)
    for column in ("document", "kind", "date", "place", "lang", "title"):
        table.add_column(column, overflow="fold")
    for r in records:
        table.add_row(
            Path(r.source).name, r.doc_type, r.date or "–", r.place or "–", ",".join(r.languages),
            (r.title or "–")[:80],
        )
    Console(file=stream, width=None if stream.isatty() else 160).print(table)


@app.command("settings")
def settings_command() -> None:
    """List the SOLIDARITY_* environment settings with their values and help.

    Example: SOLIDARITY_LANGUAGES=en,ru solidarity settings
    """
    table = Table("setting", "value", "help")
    for s in settings.SETTINGS.values():
        table.add_row(s.name, s.value, s.help)
    Console().print(table)
