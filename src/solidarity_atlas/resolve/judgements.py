"""Human judgements on organisations and documents, kept as data and applied on every run.

One JSON object a line in ``judgements.jsonl`` (``SOLIDARITY_JUDGEMENTS``),
appended to, never rewritten, so a file under version control shows who
decided what, when and why — the pattern of nomenklatura's resolver:

    {"op": "merge", "ids": ["a", "b"], "into": "a", "who": "...", "when": "...", "why": "..."}
    {"op": "split", "id": "a", "raw": "CP of X", "new_id": "...", "name": "...", "country": "XX", ...}
    {"op": "alias", "id": "a", "alias": "Partido Comunista de X", ...}
    {"op": "rename", "id": "a", "name": "...", "country": "XX", ...}
    {"op": "signatory", "document": "<sha256>", "raw": "CP of X", "org_id": "b", "name": "...", "country": "XX", ...}
    {"op": "signatory", "document": "<sha256>", "raw": "Dear comrades", "org_id": null, ...}
    {"op": "not_statement", "document": "<sha256>", ...}

The first four are about organisations wherever they appear; the last two
about one document, named by the SHA-256 of its raw bytes (the
``content_hash`` of the knowledge base, ``Page.sha256`` in extraction): the
one identity of a document that re-extraction, a re-ingest of the same
bytes and a fresh knowledge base all give it again, where a row id would
not.  A ``signatory`` judgement points the name as a list in that document
writes it at another organisation, or (``org_id`` null) says that it names
no signatory at all; ``not_statement`` says the document is no statement
(a menu, a news digest), so it is extracted as kind ``other``, with no
signatories, persons, demands or events.

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

OPS = ("merge", "split", "alias", "rename", "signatory", "not_statement")


class JudgementError(AtlasError):
    """A judgements file that cannot be read, or a judgement that makes no sense."""


@dataclass(slots=True)
class Judgements:
    parent: dict[str, str] = field(default_factory=dict)  # merged id -> the id it was merged into
    splits: dict[str, dict[str, Any]] = field(default_factory=dict)  # folded raw -> the org it belongs to
    aliases: dict[str, list[str]] = field(default_factory=dict)  # id -> names people added
    renames: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> new name and country
    # document hash -> folded raw name -> the judgement about that signature (its org_id None: no signatory)
    signatories: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    not_statements: dict[str, dict[str, Any]] = field(default_factory=dict)  # document hash -> the judgement
    count: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)

    def about(self, org_id: str) -> list[str]:
        """One line of text per judgement that names this id."""
        out = []
        for line in self.lines:
            ids = {line.get("id"), line.get("into"), line.get("new_id"), line.get("org_id"), *(line.get("ids") or [])}
            if org_id in ids:
                out.append(f"{line['op']} by {line.get('who', '?')} on {line.get('when', '?')}: {line.get('why', '')}")
        return out

    def signatory(self, document: str, raw: str) -> dict[str, Any] | None:
        """The judgement about the signature ``raw`` of the document whose hash is ``document``, if any."""
        fixes = self.signatories.get(document)
        return fixes.get(fold(raw)) if fixes else None

    def not_statement(self, document: str) -> bool:
        """Whether a person judged the document whose hash is ``document`` to be no statement."""
        return document in self.not_statements

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
        elif op == "signatory":
            document, raw, target = _text(line, "document"), _text(line, "raw"), line["org_id"]
            if target is not None and not (isinstance(target, str) and target):
                raise JudgementError("a signatory judgement's org_id is an organisation's id, or null")
            self.signatories.setdefault(document, {})[fold(raw)] = line
        elif op == "not_statement":
            self.not_statements[_text(line, "document")] = line
        else:
            raise JudgementError(f"unknown judgement {op!r}; expected one of {', '.join(OPS)}")
        self.count += 1
        self.lines.append(line)


def _text(line: dict[str, Any], key: str) -> str:
    value = line[key]
    if not isinstance(value, str) or not value.strip():
        raise JudgementError(f"a {line.get('op')} judgement's {key} must be a non-empty string")
    return value


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
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                raise JudgementError(f"{path}: line {number}: not a judgement ({exc})") from None
            except JudgementError as exc:
                raise JudgementError(f"{path}: line {number}: {exc}") from None
    return judgements


def record(path: Path, op: str, why: str | None = None, *, who: str | None = None, **fields: Any) -> dict[str, Any]:
    """Append one judgement, stamped with who (the login name of this process unless ``who`` is given) and when."""
    if op not in OPS:
        raise JudgementError(f"unknown judgement {op!r}")
    line = {"op": op, **fields, "who": who or getpass.getuser(),
            "when": datetime.now(UTC).isoformat(timespec="seconds")}
    if why:
        line["why"] = why
    try:
        Judgements().apply(line)  # refuse a malformed judgement before it is written
    except (KeyError, TypeError, AttributeError) as exc:
        raise JudgementError(f"a {op} judgement needs {exc}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return line
