"""Human judgements on organisations, kept as data and applied on every run.

One JSON object a line in ``judgements.jsonl`` (``SOLIDARITY_JUDGEMENTS``),
appended to, never rewritten, so a file under version control shows who
decided what, when and why — the pattern of nomenklatura's resolver:

    {"op": "merge", "ids": ["a", "b"], "into": "a", "who": "...", "when": "...", "why": "..."}
    {"op": "split", "id": "a", "raw": "CP of X", "new_id": "...", "name": "...", "country": "XX", ...}
    {"op": "alias", "id": "a", "alias": "Partido Comunista de X", ...}
    {"op": "rename", "id": "a", "name": "...", "country": "XX", ...}

A later line wins over an earlier one about the same thing.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from solidarity_atlas.errors import AtlasError
from solidarity_atlas.resolve.text import fold

OPS = ("merge", "split", "alias", "rename")


class JudgementError(AtlasError):
    """A judgements file that cannot be read, or a judgement that makes no sense."""


@dataclass(slots=True)
class Judgements:
    parent: dict[str, str] = field(default_factory=dict)  # merged id -> the id it was merged into
    splits: dict[str, dict[str, Any]] = field(default_factory=dict)  # folded raw -> the org it belongs to
    aliases: dict[str, list[str]] = field(default_factory=dict)  # id -> names people added
    renames: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> new name and country
    count: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)

    def about(self, org_id: str) -> list[str]:
        """One line of text per judgement that names this id."""
        out = []
        for line in self.lines:
            ids = {line.get("id"), line.get("into"), line.get("new_id"), *(line.get("ids") or [])}
            if org_id in ids:
                out.append(f"{line['op']} by {line.get('who', '?')} on {line.get('when', '?')}: {line.get('why', '')}")
        return out

    def canonical(self, org_id: str) -> str:
        seen = set()
        while org_id in self.parent and org_id not in seen:
            seen.add(org_id)
            org_id = self.parent[org_id]
        return org_id

    def apply(self, line: dict[str, Any]) -> None:
        op = line.get("op")
        if op == "merge":
            into = str(line["into"])
            self.parent.pop(into, None)
            for org_id in line["ids"]:
                if org_id != into:
                    self.parent[str(org_id)] = into
        elif op == "split":
            self.splits[fold(str(line["raw"]))] = line
            self.parent.pop(str(line["new_id"]), None)
        elif op == "alias":
            self.aliases.setdefault(str(line["id"]), []).append(str(line["alias"]))
        elif op == "rename":
            self.renames[str(line["id"])] = line
        else:
            raise JudgementError(f"unknown judgement {op!r}; expected one of {', '.join(OPS)}")
        self.count += 1
        self.lines.append(line)


def load(path: Path) -> Judgements:
    judgements = Judgements()
    if not path.exists():
        return judgements
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                judgements.apply(json.loads(text))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise JudgementError(f"{path}: line {number}: not a judgement ({exc})") from None
    return judgements


def record(path: Path, op: str, why: str | None = None, **fields: Any) -> dict[str, Any]:
    """Append one judgement, stamped with who and when."""
    if op not in OPS:
        raise JudgementError(f"unknown judgement {op!r}")
    line = {"op": op, **fields, "who": getpass.getuser(), "when": datetime.now(UTC).isoformat(timespec="seconds")}
    if why:
        line["why"] = why
    Judgements().apply(line)  # refuse a malformed judgement before it is written
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return line
