"""What keeps memory flat over a long run: inputs listed a folder at a time in sorted order, the recurring-line
sample bounded, the resolver's memo bounded (bench/ingest_throughput.py measures the whole at 10,000 and
100,000 documents)."""

from __future__ import annotations

import os
from pathlib import Path

from solidarity_atlas import memo
from solidarity_atlas.ingest import boilerplate
from solidarity_atlas.ingest.files import discover
from solidarity_atlas.resolve.judgements import Judgements
from solidarity_atlas.resolve.orgs import Resolver
from solidarity_atlas.resolve.registry import registry


def _sorted_walk(folder: Path) -> list[str]:
    """The order inputs had when the whole tree was listed and sorted (os.walk, hidden entries left out)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [os.path.join(root, name) for name in files if not name.startswith(".")]
    return sorted(found)


def test_a_folder_is_listed_in_the_order_of_its_sorted_paths(tmp_path: Path) -> None:
    # "b.txt" < "b/…" < "b0.txt" and "b-x.txt" < "b/…": a folder's files and subfolders interleave by full path
    for name in ("b.txt", "b/c.txt", "b-x.txt", "b0.txt", "b/d/e.txt", "bb/x.txt", "B.txt", "b/ä.txt", "b/a b.txt",
                 "b!/q.txt", "z.txt", ".hidden/x.txt", "a/.hidden.txt", "a/b/.q.txt"):
        path = tmp_path / "top" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("text\n", encoding="utf-8")
    (tmp_path / "top" / "a" / "link-to-b").symlink_to(tmp_path / "top" / "b")  # not followed, as os.walk
    (tmp_path / "top" / "a" / "file-link.txt").symlink_to(tmp_path / "top" / "z.txt")
    listed = [found.path for found in discover([str(tmp_path / "top")])]
    assert listed == _sorted_walk(tmp_path / "top")
    assert len(listed) == 12
    # a glob over several folders, and a file named twice: each once
    again = [found.path for found in discover([str(tmp_path / "top" / "b*"), str(tmp_path / "top" / "b.txt")])]
    assert len(again) == len(set(again))
    assert sorted(again) == [p for p in listed if os.path.relpath(p, tmp_path / "top").startswith("b")]


def test_the_recurring_line_sample_of_a_folder_is_bounded_and_evenly_spread() -> None:
    sample = boilerplate._Sample()
    for i in range(5_000):
        sample.add(f"folder/{i:05d}.txt")
    assert sample.seen == 5_000
    assert boilerplate.SAMPLE <= len(sample.kept) <= 2 * boilerplate.SAMPLE
    numbers = [int(Path(p).stem) for p in sample.kept]
    assert numbers[0] == 0
    assert len({b - a for a, b in zip(numbers, numbers[1:], strict=False)}) == 1  # one stride throughout
    small = boilerplate._Sample()
    for i in range(300):
        small.add(f"folder/{i}.txt")
    assert len(small.kept) == 300  # every file of a small folder is read


def test_the_resolver_remembers_a_bounded_number_of_names(monkeypatch) -> None:
    monkeypatch.setattr(memo, "NAMES", 8)
    resolver = Resolver(registry(), Judgements())
    names = ["Communist Party of Greece", "KKE", "Portuguese Communist Party", "PAME"] + \
        [f"Tenants' Union of Block {i}" for i in range(40)]
    first = [resolver.resolve(name) for name in names]
    assert len(resolver._cache) <= 8
    assert [resolver.resolve(name) for name in names] == first  # forgotten names resolve as before
    assert first[0].org.org_id == first[1].org.org_id
