"""The ``solidarity`` command: a thin layer over :mod:`solidarity_atlas.api`.

Commands parse their arguments, call the library and print.  Errors about
one input become one line on stderr; the batch goes on.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from solidarity_atlas import __version__, api, settings
from solidarity_atlas.ingest.boilerplate import recurring_lines
from solidarity_atlas.ingest.files import discover
from solidarity_atlas.model import Record
from solidarity_atlas.parallel import ClusterError

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


class EngineKind(StrEnum):
    local = "local"
    dask = "dask"


# --engine and --scheduler, the same for every command that extracts (extract, ingest, reextract)
EngineOption = Annotated[EngineKind | None, typer.Option(
    "--engine", help="local: --jobs processes on this machine; dask: the workers of a Dask cluster (the one at "
                     "--scheduler, else --jobs local worker processes). Default: dask with --scheduler, else local.")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Address of a Dask scheduler (tcp://HOST:8786) whose workers extract; they need this "
                        "package installed, not the inputs: this command reads them and sends their bytes.")]


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
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
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
    if engine is EngineKind.local and scheduler:
        _say("error: --scheduler is for --engine dask")
        raise typer.Exit(2)
    engine = engine or (EngineKind.dask if scheduler else EngineKind.local)
    failed = skipped = processed = total = 0

    def listed() -> Iterator[str]:  # the files, once, reporting what is skipped or missing on the way
        nonlocal failed, skipped, total
        for item in discover(paths):
            if item.status == "skipped":
                skipped += 1
                _say(f"skipped {item.path}: {item.reason}")
            elif item.status == "missing":
                failed += 1
                _say(f"error: {item.path}: {item.reason}")
            else:
                total += 1
                yield item.path

    # Two walks over the inputs, never a list of them: the first finds the recurring lines and counts the files,
    # the second feeds the extraction.
    recurring = recurring_lines(listed())
    files = (f.path for f in discover(paths) if f.status == "file")
    stream: TextIO = output.open("w", encoding="utf-8") if output else sys.stdout
    records: list[Record] = []
    err = Console(stderr=True)
    show = err.is_terminal if progress is None else progress
    bar = Progress(
        TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True, disable=not (show and total > HANDFUL),
    )
    try:
        with bar:
            task = bar.add_task("extract", total=total)
            for outcome in api.extract_files(files, jobs=jobs, recurring=recurring, engine=engine.value,
                                             scheduler=scheduler):
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
    except ClusterError as exc:
        _say(f"error: {exc}; {processed} processed before it")
        raise typer.Exit(1) from None
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


org_app = typer.Typer(
    help="Organisations: list and show the registry, and record human judgements (merge, split, alias, "
    "rename) in the judgements file, applied on every run.",
    no_args_is_help=True,
)
app.add_typer(org_app, name="org")
JudgementsOption = Annotated[
    Path | None,
    typer.Option("--judgements", help="Judgements file (default: $SOLIDARITY_JUDGEMENTS or ./judgements.jsonl)."),
]
WhyOption = Annotated[str | None, typer.Option("--why", help="The reason, kept with the judgement.")]


def _judgements_path(path: Path | None) -> Path:
    return path or settings.judgements_path()


def _fail(message: str, code: int = 1) -> None:
    _say(f"error: {message}")
    raise typer.Exit(code)


def _judge(path: Path | None, op: str, why: str | None, **fields: Any) -> dict[str, Any]:
    """Append one judgement; a malformed one is a one-line error."""
    from solidarity_atlas.resolve.judgements import JudgementError, record

    try:
        return record(_judgements_path(path), op, why, **fields)
    except JudgementError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


@org_app.command("list")
def org_list(
    country: Annotated[str | None, typer.Option("--country", "-c", help="ISO 3166-1 alpha-2 code.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="party, union, front, youth, international...")] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text in any of the names.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """List the organisations of the registry, optionally filtered.

    Example: solidarity org list --country GR
    """
    from solidarity_atlas.resolve import orgs as orgs_mod

    entries = orgs_mod.list_orgs(country=country, kind=kind, search=search)
    if as_json:
        for entry in entries:
            print(json.dumps(orgs_mod.entry_json(entry), ensure_ascii=False))
        return
    table = Table("id", "name", "country", "kind", "acronyms", title=f"{len(entries)} organisations")
    for e in entries:
        table.add_row(e.id, e.name, e.country or "–", e.kind, ", ".join(e.acronyms))
    Console().print(table)


@org_app.command("show")
def org_show(
    names: Annotated[list[str], typer.Argument(help="Ids, or names as a list would write them.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
    db: Annotated[str | None, typer.Option(
        "--db", help="Knowledge base to read the statements from (default: $SOLIDARITY_DB, else ./atlas.db "
                     "when it exists).")] = None,
) -> None:
    """Show how names resolve (the organisation, its country and id, and by which rule), and, from the
    knowledge base, the statements it signed or issued by year, its top co-signers, first and last dates.

    Example: solidarity org show "CP of Greece" "Κομμουνιστικό Κόμμα Ελλάδας" KKE
    """
    from solidarity_atlas.resolve import orgs as orgs_mod

    use_db = _knowledge_base(db)
    for name in names:
        info = orgs_mod.describe(name)
        if as_json:
            if use_db:
                from solidarity_atlas.kbcli import open_db
                from solidarity_atlas.store import queries

                engine = open_db(db)
                org_id = queries.find_org(engine, name)
                info["knowledge_base"] = queries.org_profile(engine, org_id) if org_id else None
            print(json.dumps(info, ensure_ascii=False))
            continue
        where = info["country"] or "no country"
        print(f"{name!r} -> {info['org_id']}  {info['name']}  ({where}; resolved by {info['method']})")
        for key in ("acronyms", "native", "aliases", "judgements"):
            if info.get(key):
                print(f"    {key}: {', '.join(map(str, info[key]))}")
        if use_db:
            from solidarity_atlas.kbcli import org_profile_lines

            for line in org_profile_lines(db, name) or []:
                print(line)


def _knowledge_base(db: str | None) -> bool:
    """Whether ``org show`` reads a knowledge base: one named, or the default SQLite file when it exists."""
    if db or os.environ.get("SOLIDARITY_DB"):
        return True
    from solidarity_atlas.store.db import url_of

    url = url_of(None)
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()


@org_app.command("merge")
def org_merge(
    ids: Annotated[list[str], typer.Argument(help="Ids of organisations that are one and the same.")],
    into: Annotated[str | None, typer.Option("--into", help="The id that stays (default: the first).")] = None,
    why: WhyOption = None,
    judgements: JudgementsOption = None,
) -> None:
    """Record that several ids are one organisation; every run resolves them to one id.

    Example: solidarity org merge communist-party-of-atlantis-xx cp-atlantis-xx --why "same party"
    """
    if len(ids) < 2:
        _fail("merge needs two ids or more", 2)
    line = _judge(judgements, "merge", why, ids=ids, into=into or ids[0])
    _say(f"merged {', '.join(ids)} into {line['into']}")


@org_app.command("split")
def org_split(
    org_id: Annotated[str, typer.Argument(help="The id a name was wrongly resolved to.")],
    raw: Annotated[str, typer.Option("--raw", help="The name, as lists write it, that is another organisation.")],
    name: Annotated[str | None, typer.Option("--name", help="Canonical name of the other organisation.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Its ISO country code.")] = None,
    why: WhyOption = None,
    judgements: JudgementsOption = None,
) -> None:
    """Record that a name resolved to an organisation is in fact another one.

    Example: solidarity org split communist-party-of-denmark-dk --raw "CP in Denmark" --country DK
    """
    from solidarity_atlas.resolve.orgs import new_org_id

    code = country.upper() if country else None
    new_id = new_org_id(name or raw, code)
    _judge(judgements, "split", why, id=org_id, raw=raw, new_id=new_id, name=name or raw, country=code)
    _say(f"split {raw!r} from {org_id} as {new_id}")


@org_app.command("alias")
def org_alias(
    org_id: Annotated[str, typer.Argument(help="The organisation's id.")],
    alias: Annotated[str, typer.Argument(help="Another name it goes by.")],
    why: WhyOption = None,
    judgements: JudgementsOption = None,
) -> None:
    """Record another name of an organisation; lists that write it resolve to the organisation.

    Example: solidarity org alias communist-party-of-greece-gr "Partito Comunista di Grecia"
    """
    _judge(judgements, "alias", why, id=org_id, alias=alias)
    _say(f"{alias!r} is now a name of {org_id}")


@org_app.command("rename")
def org_rename(
    org_id: Annotated[str, typer.Argument(help="The organisation's id.")],
    name: Annotated[str, typer.Argument(help="Its canonical English name.")],
    country: Annotated[str | None, typer.Option("--country", help="Its ISO country code.")] = None,
    why: WhyOption = None,
    judgements: JudgementsOption = None,
) -> None:
    """Record an organisation's canonical name (and country); the id stays.

    Example: solidarity org rename federation-of-building-workers-gr "Federation of Building Workers of Greece"
    """
    fields: dict[str, str] = {"id": org_id, "name": name}
    if country:
        fields["country"] = country.upper()
    _judge(judgements, "rename", why, **fields)
    _say(f"{org_id} is now named {name!r}")


@app.command("settings")
def settings_command() -> None:
    """List the SOLIDARITY_* environment settings with their values and help.

    Example: SOLIDARITY_LANGUAGES=en,ru solidarity settings
    """
    table = Table("setting", "value", "help")
    for s in settings.SETTINGS.values():
        table.add_row(s.name, s.value, s.help)
    Console().print(table)


from solidarity_atlas import kbcli as _kbcli  # noqa: E402,F401 - registers the knowledge-base commands
