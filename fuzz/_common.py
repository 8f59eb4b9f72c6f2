"""What the fuzzers share: the bounded default run, and a plain random mode for machines without atheris."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

SEEDS = [
    b"Solidarity with the dockers of Piraeus\n\nSigned by: Communist Party of Greece, PAME and the WFTU.\n",
    "Свободу политзаключённым!\n\nМосква, 31.02.2011\n\nПодписали: КПРФ, РКРП\n".encode("cp1251"),
    b"<!DOCTYPE html><html><head><meta charset='koi8-r'><title>x</title></head><body><article><h1>Solidarity</h1>"
    b"<p>We demand the release of 12 workers detained on 5 March 2021.</p><ul><li>PAME</li></ul></article></body>",
    "# Αλληλεγγύη\n\n- Κομμουνιστικό Κόμμα Ελλάδας\n- PAME\n\nΑθήνα, 5 Μαρτίου 2021\n".encode("utf-16"),
]
DEFAULT_SECONDS = 60


def _mutate(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        what = rng.random()
        at = rng.randrange(len(data) + 1)
        if what < 0.3 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif what < 0.5:
            data[at:at] = rng.randbytes(rng.randint(1, 16))
        elif what < 0.7 and data:
            del data[at : at + rng.randint(1, 32)]
        elif what < 0.85:
            piece = bytes(data[at : at + rng.randint(1, 64)])
            data[at:at] = piece * rng.randint(2, 200)  # runs: the quadratic paths live there
        else:
            data[at:at] = rng.choice([b"<div>", b"</p>", b"<!--", b"&#0;", b"\x00", b", ", b".", b"Signed by:",
                                      b"\xff\xfe", b"\xef\xbb\xbf", b"31.02.2011", b"<html>", b"\n\n"])
    return bytes(data[: 1 << 16])


def plain_run(one_input: Callable[[bytes], None], seconds: float, seed: int = 0) -> int:
    """Random and mutated inputs for ``seconds``; the number of executions.  A crash propagates."""
    rng = random.Random(seed)
    pool = list(SEEDS)
    runs = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = rng.randbytes(rng.randint(0, 512)) if rng.random() < 0.2 else _mutate(rng, rng.choice(pool))
        one_input(data)
        runs += 1
        if rng.random() < 0.05:
            pool.append(data)
            del pool[: max(0, len(pool) - 200)]
    return runs


def main(one_input: Callable[[bytes], None]) -> None:
    """``python fuzz/fuzz_X.py [libFuzzer options]``: atheris when installed, else ``--plain SECONDS`` mode."""
    argv = sys.argv
    if "--plain" in argv or not _has_atheris():
        at = argv.index("--plain") if "--plain" in argv else -1
        seconds = float(argv[at + 1]) if at >= 0 and len(argv) > at + 1 else DEFAULT_SECONDS
        runs = plain_run(one_input, seconds)
        print(f"plain mode: {runs} inputs in {seconds:g} s, no crash")
        return
    import atheris

    atheris.instrument_all()  # coverage of the package's Python code (loaded by now), which guides the mutations
    if not any(a.startswith(("-max_total_time=", "-runs=")) for a in argv):
        argv = [*argv, f"-max_total_time={DEFAULT_SECONDS}"]
    if not any(a.startswith("-timeout=") for a in argv):
        argv = [*argv, "-timeout=30"]  # an input slower than this is reported as a hang
    if not any(a.startswith("-max_len=") for a in argv):
        argv = [*argv, "-max_len=65536"]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def _has_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True
