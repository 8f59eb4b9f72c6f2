"""Knowledge-base commands of ``solidarity``: ingest, reextract, search, timeline, network, stats, failures.

Registered on the application of :mod:`solidarity_atlas.cli`; like the rest
of the CLI they parse, call the library and print (a table, or JSON with
``--json``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from solidarity_atlas.cli import EngineKind, EngineOption, SchedulerOption, _fail, _say, app
from solidarity_atlas.parallel import ClusterError, DaskSpec
from solidarity_atlas.store.db import DatabaseError, connect, url_of

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file (default: $SOLIDARITY_DB, else sqlite:///atlas.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of a table.")]


def open_db(db: str | None, *, must_exist: bool = True) -> Engine:
    """The database, migrated; a missing SQLite file is an error for the commands that only read."""
    from sqlalchemy.engine import make_url

    from solidarity_atlas import settings

    try:
        settings.validate()
    except ValueError as exc:
        _fail(str(exc), 2)
    url = url_of(db)
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - reported below by connect()
        parsed = None
    if must_exist and parsed is not None and parsed.get_backend_name() == "sqlite":
        from pathlib import Path

        if parsed.database and parsed.database != ":memory:" and not Path(parsed.database).expanduser().exists():
            _fail(f"no database at {parsed.database}: run 'solidarity ingest' first, or give --db")
    try:
        return connect(url)
    except DatabaseError as exc:
        _fail(str(exc))
        raise  # unreachable


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _dask_spec(kind: EngineKind | None, scheduler: str | None, jobs: int) -> DaskSpec | None:
    if kind is EngineKind.local and scheduler:
        _fail("--scheduler is for --engine dask", 2)
    if kind is EngineKind.dask or scheduler:
        return DaskSpec(scheduler, jobs)
    return None


@app.command("ingest")
def ingest_command(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs, .zip/.tar.gz archives, .warc(.gz) "
                                                     "files, and http(s) URLs of pages, RSS/Atom feeds or sitemaps.")],
    db: DbOption = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=256, help="Extraction processes.")] = 1,
    engine_kind: EngineOption = None,
    scheduler: SchedulerOption = None,
    rate_limit: Annotated[float, typer.Option("--rate-limit", min=0.0,
                                              help="Seconds between two requests to one web host.")] = 1.0,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a web server.")] = 20.0,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private-hosts", help="Also fetch URLs on loopback, private and link-local addresses (refused by "
                                      "default: a URL in a feed must not reach the machine's own network).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No line per quarantined input.")] = False,
) -> None:
    """Store documents and everything extracted from them in the knowledge base.

    Re-running is safe: inputs stored with the same bytes are left alone, changed ones are extracted again,
    bytes already stored from another input count as duplicates, and inputs that are not documents are
    quarantined with the reason ('solidarity failures' lists them). Each batch is one transaction.

    Example: solidarity ingest examples/corpus --db atlas.db
    """
    from solidarity_atlas import kb
    from solidarity_atlas.ingest.sources import Fetcher

    engine = open_db(db, must_exist=False)
    fetcher = Fetcher(rate_limit=rate_limit, timeout=timeout, allow_private=allow_private)

    def tell(uri: str, status: str) -> None:
        if status.startswith("quarantined") and not quiet:
            _say(f"{status.split(':', 1)[0]} {uri}:{status.split(':', 1)[1] if ':' in status else ''}")

    dask = _dask_spec(engine_kind, scheduler, jobs)
    try:
        counts = kb.ingest(inputs, engine, jobs=jobs, fetcher=fetcher, on_item=tell, dask=dask)
    except ClusterError as exc:
        _fail(f"{exc} (the batches written before it are kept; run the same command again to finish)")
        raise  # unreachable: _fail exits
    _say(f"{counts.stored} stored, {counts.unchanged} unchanged, {counts.duplicate} duplicate, "
         f"{counts.quarantined} quarantined")


@app.command("reextract")
def reextract_command(
    db: DbOption = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=256, help="Extraction processes.")] = 1,
    engine_kind: EngineOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Run extraction again over the stored text of every document (after an upgrade or new judgements).

    Human judgements (the judgements file) are applied again; ids, inputs and statements are kept.

    Example: solidarity reextract --db atlas.db
    """
    from solidarity_atlas import kb

    dask = _dask_spec(engine_kind, scheduler, jobs)
    try:
        done = kb.reextract(open_db(db), jobs=jobs, dask=dask)
    except ClusterError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    _say(f"{done} documents extracted again")


@app.command("stats")
def stats_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Counts of what the knowledge base holds.

    Example: solidarity stats --json
    """
    from solidarity_atlas.store import queries

    data = queries.stats(open_db(db))
    if as_json:
        _print_json(data)
        return
    table = Table("what", "count")
    for key, value in data.items():
        table.add_row(key.replace("_", " "), str(value))
    Console().print(table)


@app.command("failures")
def failures_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Quarantined inputs, each with the reason.

    Example: solidarity failures --json
    """
    from solidarity_atlas.store import queries

    rows = queries.failures(open_db(db))
    if as_json:
        _print_json(rows)
        return
    table = Table("input", "reason", title=f"{len(rows)} quarantined inputs")
    for row in rows:
        table.add_row(row["input"], row["reason"])
    Console().print(table)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words that must all appear (title or main text).")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Most results shown.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over the stored documents, best matches first (the latest first for words found in more
    than 5,000 documents), with snippets.

    Example: solidarity search Zhanaozen
    """
    from solidarity_atlas.store import queries

    rows = queries.search(open_db(db), query, limit)
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "date", "kind", "title", "snippet", title=f"{len(rows)} documents for {query!r}")
    for r in rows:
        table.add_row(str(r["id"]), r["date"] or "–", r["doc_type"] or "", r["title"] or r["source"], r["snippet"])
    Console().print(table)


@app.command("timeline")
def timeline_command(
    country: Annotated[str, typer.Option("--country", "-c", help="ISO 3166-1 alpha-2 code, e.g. KZ.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Events in a country and statements issued there, in date order; each event with every source's figure.

    Example: solidarity timeline --country KZ
    """
    from solidarity_atlas.store import queries

    rows = queries.timeline(open_db(db), country)
    if as_json:
        _print_json(rows)
        return
    table = Table("date", "what", "where", "claims", title=f"Timeline of {country.upper()}")
    for r in rows:
        if r["kind"] == "event":
            said = "; ".join(
                f"{c['claim'] or (c['count'] if c['count'] is not None else 'no figure')} — "
                f"{c['by'] or c['title'] or c['source']} {(c['published'] or '')[:4]}".strip()
                for c in r["claims"]
            )
            table.add_row(r["date"] or "–", r["type"], r["place"] or r["country"], said)
        else:
            table.add_row(r["date"] or "–", r["type"] or "statement", "", r["title"] or "")
    Console().print(table)


@app.command("network")
def network_command(
    db: DbOption = None,
    since: Annotated[int | None, typer.Option("--since", help="First year of statements counted.")] = None,
    until: Annotated[int | None, typer.Option("--until", help="Last year of statements counted.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Organisations listed.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """The co-signature network: organisations, communities (Louvain) and centralities.

    An edge's weight is the number of statements two organisations signed together.

    Example: solidarity network --since 2011 --top 10
    """
    from solidarity_atlas.analyze.network import analyse, cosignature_graph

    graph = cosignature_graph(open_db(db), since=since, until=until)
    summary = analyse(graph)
    summary["top"] = summary["top"][:top]
    if as_json:
        _print_json(summary)
        return
    print(f"{summary['nodes']} organisations, {summary['edges']} links, {len(summary['communities'])} communities"
          + (f", modularity {summary['modularity']}" if summary["nodes"] else ""))
    table = Table("organisation", "country", "statements", "co-signers", "weight", "betweenness", "community")
    for node in summary["top"]:
        table.add_row(node["name"], node["country"] or "–", str(node["statements"]), str(node["degree"]),
                      str(node["strength"]), f"{node['betweenness']:.3f}", str(node["community"]))
    Console().print(table)


def org_profile_lines(db: str | None, name: str) -> list[str] | None:
    """The knowledge-base part of ``org show``: None when there is no database."""
    from solidarity_atlas.store import queries

    engine = open_db(db)
    org_id = queries.find_org(engine, name)
    profile = queries.org_profile(engine, org_id) if org_id else None
    if profile is None:
        return [f"    no statements of {name!r} in the knowledge base"]
    shown = len(profile["statements"])
    lines = [f"    statements: {profile['statement_count']} (first {profile['first'] or '–'}, "
             f"last {profile['last'] or '–'})" + (f"; the latest {shown} below" if shown < profile["statement_count"]
                                                   else "")]
    if profile["by_year"]:
        lines.append("    by year: " + ", ".join(f"{y}: {n}" for y, n in profile["by_year"].items()))
    for s in profile["statements"]:
        lines.append(f"    {s['date'] or '----------'}  {'/'.join(s['roles']):18s} {s['doc_type'] or '':16s} "
                     f"{s['title'] or s['sources'][0]}")
    if profile["co_signers"]:
        together = ", ".join(f"{c['name']} ({c['together']})" for c in profile["co_signers"])
        lines.append(f"    top co-signers: {together}")
    return lines


# The export command's types, imported here so that the command stays appended to this file.
from pathlib import Path  # noqa: E402

from solidarity_atlas.export.formats import ExportFormat  # noqa: E402


@app.command("export")
def export_command(
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="csv, jsonl or parquet: one file per table; graphml or gexf: the co-signature "
                               "network (Gephi); popolo: organisations, persons and memberships (Popolo JSON); "
                               "datasette: metadata.json describing the database for Datasette.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into (created if missing; its "
                                                                 "parent must exist). Files there are replaced.")],
    db: DbOption = None,
) -> None:
    """Write the knowledge base out for other tools: tables for pandas, R or OpenRefine, the network for Gephi,
    Popolo JSON, or Datasette metadata.

    CSV leaves out the documents' main text (JSON Lines and Parquet keep it); no format carries the raw page
    text or the copy-detection data.

    Example: solidarity export --format parquet --output atlas-export
    """
    from solidarity_atlas.export.formats import ExportError, check_folder, export

    try:
        check_folder(output)
    except ExportError as exc:
        _fail(str(exc))
    engine = open_db(db)
    try:
        written = export(engine, fmt, output)
    except ExportError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    for item in written:
        _say(f"wrote {item.path} ({item.summary})")


@app.command("serve")
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 every interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, max=64, help="Server processes, each using one core at a time (default: one per CPU, "
                                         "at most 8).")] = None,
    threads: Annotated[int | None, typer.Option(
        "--threads", min=1, max=256, help="Requests each process works on at once (default 2: pages are CPU work, "
                                          "more threads only take turns at one core).")] = None,
    admin_token_file: Annotated[Path | None, typer.Option(
        "--admin-token-file", help="File whose first line is the admin token (at least 16 characters), which may "
                                   "make corrections: 'Authorization: Bearer <token>' on the API, or the name "
                                   "'admin' and the token as password on /login. Default: $SOLIDARITY_ADMIN_TOKEN."
    )] = None,
    secure_cookies: Annotated[bool | None, typer.Option(
        "--secure-cookies/--no-secure-cookies",
        help="Mark the session cookie Secure even on plain HTTP, as behind a proxy that adds HTTPS (default: "
             "$SOLIDARITY_SECURE_COOKIES, else only on HTTPS).")] = None,
) -> None:
    """Serve the knowledge base as a website and JSON API, with curation for those signed in.

    Pages for statements, organisations, countries, persons, events, the co-signature network and timelines work
    without JavaScript; the same data is JSON under /api/v1, described at /openapi.json. Curators sign in at /login
    (users of 'solidarity user add', or the admin token) to merge, split, alias and rename organisations, fix
    signatories and mark documents as not statements; each correction is written to the judgements file and the
    audit log. With no admin token and no user, the site is read-only. To publish it, put it behind a reverse
    proxy that adds HTTPS.

    Example: solidarity serve --db atlas.db --admin-token-file ~/.atlas-token
    """
    from solidarity_atlas.web import server
    from solidarity_atlas.web.auth import AuthError, auth_config, read_token_file, users_exist

    engine = open_db(db)
    token_file = str(admin_token_file.expanduser()) if admin_token_file else None
    try:
        config = auth_config(read_token_file(token_file) if token_file else None, secure_cookies)
    except AuthError as exc:
        _fail(str(exc), 2)
        raise  # unreachable: _fail exits
    editors = " and ".join((["admin token"] if config.admin_token else []) + (["users"] if users_exist(engine) else []))
    count = workers or server.default_workers()
    threads = threads or server.THREADS
    _say(f"serving {engine.url.render_as_string(hide_password=True)} at http://{host}:{port}/ with {count} "
         f"process{'es' if count > 1 else ''} of {threads} thread{'s' if threads > 1 else ''} "
         f"({'curation by ' + editors if editors else 'read-only: no admin token or user'})")
    server.serve(engine.url.render_as_string(hide_password=False), host=host, port=port, workers=count,
                 threads=threads, admin_token_file=token_file, secure_cookies=secure_cookies)


user_app = typer.Typer(
    help="Users who may sign in to 'solidarity serve' and make corrections (passwords kept as argon2id hashes).",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The name to sign in with: letters, digits and . _ @ - (not 'admin').")],
    db: DbOption = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input instead of asking twice.")
    ] = False,
) -> None:
    """Add a user; the password is asked twice (hidden), or read from standard input.

    Example: solidarity user add maria --db atlas.db
    """
    import sys

    from solidarity_atlas.web.auth import AuthError, add_user, check_new_user

    engine = open_db(db, must_exist=False)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_new_user(name, password)
        add_user(engine, name, password)
    except AuthError as exc:
        _fail(str(exc))
    _say(f"added user {name}")


@user_app.command("list")
def user_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the users, when each was added and how many sessions each has open.

    Example: solidarity user list --db atlas.db
    """
    from solidarity_atlas.web.auth import list_users

    rows = list_users(open_db(db))
    if as_json:
        _print_json(rows)
        return
    table = Table("name", "added", "open sessions", title=f"{len(rows)} users")
    for row in rows:
        table.add_row(row["name"], row["created_at"], str(row["sessions"]))
    Console().print(table)


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    db: DbOption = None,
) -> None:
    """Remove a user and end their sessions (their judgements and audit entries stay).

    Example: solidarity user remove maria --db atlas.db
    """
    from solidarity_atlas.web.auth import AuthError, remove_user

    try:
        remove_user(open_db(db), name)
    except AuthError as exc:
        _fail(str(exc))
    _say(f"removed user {name}")
