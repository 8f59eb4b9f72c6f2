"""Every command and setting is documented, and evidence offsets cite the page."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from solidarity_atlas import settings
from solidarity_atlas.cli import app
from solidarity_atlas.ingest.reader import read_page

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


def test_every_setting_is_in_the_readme() -> None:
    for name in settings.SETTINGS:
        assert name in README, name


def test_every_command_has_help_with_an_example() -> None:
    for command in app.registered_commands:
        name = command.name or ""
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output, name
        assert f"solidarity {name}" in README, name


def test_evidence_offsets_point_at_the_quoted_text(tmp_path: Path) -> None:
    doc = tmp_path / "statement.txt"
    doc.write_text(
        "Home | News | Statements | Contact\n\nHands off the unions of Kazakhstan!\n\n"
        "We, the undersigned parties, condemn the ban on the independent unions and demand it be lifted.\n\n"
        "Athens, 11 December 2011\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", str(doc), "--evidence"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    text = read_page(str(doc)).text
    assert record["date"] == "2011-12-11" and record["place"] == "Athens"
    for field in ("title", "date", "place"):
        span = record["evidence"][field]
        assert text[span["start"] : span["end"]] == span["text"], field
