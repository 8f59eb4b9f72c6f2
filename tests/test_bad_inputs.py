"""Bad, odd and bulky inputs given to ``solidarity extract``, run as a subprocess.

Every input is generated in a temporary folder; nothing binary is committed.  Each CLI start loads the
language models, so several inputs share one run wherever the assertions allow: the module-scoped
fixtures run the CLI once and several tests read the result.
"""

from __future__ import annotations

import json
import os
import random
import re
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REQUIRED_KEYS = frozenset(
    {
        "source",
        "title",
        "date",
        "place",
        "languages",
        "doc_type",
        "issuers",
        "signatories",
        "persons",
        "demands",
        "events",
        "flags",
    }
)
SUMMARY_RE = re.compile(r"^solidarity: (\d+) processed, (\d+) skipped, (\d+) failed$")
TIMEOUT = 600  # seconds for one ordinary CLI run; model loading dominates
MIB = 1024 * 1024


# --------------------------------------------------------------------------- running the CLI


@dataclass(frozen=True)
class CliRun:
    """The outcome of one ``solidarity extract`` subprocess."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float

    def describe(self) -> str:
        return (
            f"command: solidarity {' '.join(self.args)}\nexit: {self.returncode}\n"
            f"--- stdout (first 2000 chars)\n{self.stdout[:2000]}\n--- stderr (last 4000 chars)\n"
            f"{self.stderr[-4000:]}"
        )

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every stdout line, parsed; fails the test if any line is not a JSON object."""
        return parse_jsonl(self.stdout, self.describe())

    @property
    def sources(self) -> list[str]:
        return [rec["source"] for rec in self.records]

    def record_for(self, path: Path) -> dict[str, Any]:
        matches = [rec for rec in self.records if rec["source"] == str(path)]
        assert len(matches) == 1, f"expected one record for {path}, got {len(matches)}\n{self.describe()}"
        return matches[0]

    def summary(self) -> tuple[int, int, int]:
        """(processed, skipped, failed) from the closing summary line, which must be stderr's last line."""
        found = [m for m in map(SUMMARY_RE.match, self.stderr_lines) if m]
        assert len(found) == 1, f"expected exactly one summary line\n{self.describe()}"
        assert SUMMARY_RE.match(self.stderr_lines[-1]), f"summary is not the last line\n{self.describe()}"
        processed, skipped, failed = (int(g) for g in found[0].groups())
        return processed, skipped, failed

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr_lines if line.startswith("solidarity: error: ")]

    def skip_lines(self) -> list[str]:
        return [line for line in self.stderr_lines if line.startswith("solidarity: skipped ")]

    def error_reason(self, path: Path | str) -> str:
        """The reason of the one error line naming ``path``."""
        prefix = f"solidarity: error: {path}: "
        lines = [line for line in self.stderr_lines if line.startswith(prefix)]
        assert len(lines) == 1, f"expected one error line for {path}, got {len(lines)}\n{self.describe()}"
        return lines[0][len(prefix) :]

    def assert_no_traceback(self) -> None:
        assert "Traceback (most recent call last)" not in self.stderr, self.describe()


def parse_jsonl(text: str, context: str = "") -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"output line {number} is not JSON ({exc}): {line[:200]!r}\n{context}")
        assert isinstance(value, dict), f"output line {number} is not a JSON object: {line[:200]!r}"
        missing = REQUIRED_KEYS - value.keys()
        assert not missing, f"output line {number} lacks keys {sorted(missing)}"
        records.append(value)
    return records


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SOLIDARITY_MAX_BYTES", None)  # the default limit unless a test sets one
    env.update(extra or {})
    return env


def run_cli(
    *args: str | Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    python_args: Sequence[str] = ("-m", "solidarity_atlas"),
) -> CliRun:
    """Run ``python -m solidarity_atlas extract ARGS`` and capture its output as UTF-8."""
    str_args = ("extract", *map(str, args))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, *python_args, *str_args],
        cwd=cwd,
        env=cli_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.monotonic() - started
    stdout = proc.stdout.decode("utf-8")  # the output must be valid UTF-8; a decode error fails the test
    stderr = proc.stderr.decode("utf-8", errors="replace")
    return CliRun(str_args, proc.returncode, stdout, stderr, elapsed)


def run_usage(*args: str | Path, cwd: Path) -> CliRun:
    """A run expected to stop at argument parsing, so given a shorter time limit."""
    return run_cli(*args, cwd=cwd, timeout=120)


# Runs the CLI in-process via runpy and writes the peak resident memory (KiB, this process and its
# reaped children) to the file named by the first argument when the interpreter exits.
PEAK_RSS_WRAPPER = """
import atexit, resource, runpy, sys
_out = sys.argv.pop(1)
def _report():
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    with open(_out, "w") as fh:
        fh.write(str(peak))
atexit.register(_report)
sys.argv[0] = "solidarity"
runpy.run_module("solidarity_atlas", run_name="__main__", alter_sys=True)
"""


def run_with_peak_rss(*args: str | Path, cwd: Path, rss_file: Path) -> tuple[CliRun, int]:
    run = run_cli(*args, cwd=cwd, python_args=("-c", PEAK_RSS_WRAPPER, str(rss_file)))
    assert rss_file.exists(), f"the peak-memory wrapper did not report\n{run.describe()}"
    return run, int(rss_file.read_text())


def all_strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)


# --------------------------------------------------------------------------- generating inputs


def en_statement(title: str, tag: str) -> str:
    """A short English solidarity statement; ``tag`` makes every line unique to this document.

    Unique lines matter: a line recurring across the text files of one folder is taken for site chrome.
    """
    return (
        f"{title}\n\n"
        f"The dockers of {tag} went on strike on 3 March 2021 against mass dismissals and unpaid wages. "
        f"The police detained twelve members of the {tag} union at the port gates.\n\n"
        f"We demand the immediate release of the detained {tag} workers and the reinstatement of all those "
        "dismissed. We call on trade unions everywhere to send messages of solidarity.\n\n"
        f"Issued by the {tag} Workers Council, Athens, 5 March 2021\n"
    )


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def write_statement(path: Path, title: str | None = None) -> Path:
    return write(path, en_statement(title or f"Solidarity statement {path.stem}", path.stem))


def png_bytes(width: int = 32, height: int = 32) -> bytes:
    """A valid RGB PNG with noisy pixels, built in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rng = random.Random(20111216)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


HTML_TITLE = "Stop the repression of the miners of Soma"
HTML_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{HTML_TITLE} | Workers Solidarity Network</title>
</head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/contact">Contact</a></nav>
<article>
<h1>{HTML_TITLE}</h1>
<p class="date">Published 16 May 2014</p>
<p>On 13 May 2014 an explosion and fire in the coal mine of Soma killed 301 miners. The mine owners had
ignored repeated warnings about safety; the inspections ordered by the government were a formality.</p>
<p>When the miners and their families protested in Soma on 15 May 2014, the police attacked them with
tear gas and water cannon and detained dozens of people, among them lawyers of the miners' union.</p>
<p>We demand the release of all those detained, a full and independent investigation, and the
punishment of everyone responsible for the deaths of the miners.</p>
<p class="late">We call on all trade unions to hold protest actions in front of the embassies of
Turkey and to send messages of solidarity to the miners of Soma.</p>
<ul><li>Miners' Union of Soma</li><li>Workers Solidarity Network</li></ul>
</article>
<footer>Copyright Workers Solidarity Network</footer>
</body>
</html>
"""


def truncated_html() -> str:
    """The page cut off in the middle of a tag, after the title and most of the text."""
    cut = HTML_PAGE.index('<p class="late">') + len("<p cla")
    return HTML_PAGE[:cut]


SCRIPT_ONLY_HTML = """<!DOCTYPE html>
<html><head>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>
</head><body><script src="/static/app.js"></script>
<script>document.addEventListener("DOMContentLoaded", function () { renderApp("Solidarity"); });</script>
</body></html>
"""
BARE_SCRIPT_HTML = '<script>var text = "Solidarity with the strikers"; console.log(text);</script>\n'

NUL_TITLE = "Solidarity with the striking dockers of Piraeus"
UTF8_TITLE = "Solidarity with the metalworkers of São Paulo"


def few_nuls_text() -> bytes:
    """A normal statement with two NUL bytes: one ending the title line, one inside the body."""
    text = en_statement(NUL_TITLE, "Piraeus")
    text = text.replace(NUL_TITLE + "\n", NUL_TITLE + "\x00\n", 1)
    return text.replace("detained twelve", "detained\x00 twelve").encode("utf-8")


def mostly_nuls() -> bytes:
    return b"Solidarity statement\n" + b"\x00" * 8192 + b"\nend of statement\n"


def invalid_utf8_text() -> bytes:
    """UTF-8 English with a few non-ASCII letters and stray 0xff 0xfe bytes inside the body."""
    text = en_statement(UTF8_TITLE, "São Paulo").replace("wages.", "wages — and for the right to organise.")
    data = text.encode("utf-8")
    first, second = data.index(b"The police"), data.index(b"We demand")
    return data[:first] + b"\xff\xfe " + data[first:second] + b"\xff" + data[second:]


# Texts in legacy encodings: (file name, encoding, title, full text, language code).
RU_TITLE_1 = "Свободу политическим заключённым Казахстана"
RU_TEXT_1 = f"""{RU_TITLE_1}

16 декабря 2011 года в Жанаозене полиция открыла огонь по бастующим нефтяникам и жителям города,
собравшимся на центральной площади. По официальным данным, погибли шестнадцать человек.

Мы требуем немедленно освободить всех задержанных и осуждённых участников забастовки, провести
независимое расследование и наказать виновных в расстреле рабочих.

Москва, 20 декабря 2011 года
"""
RU_TITLE_2 = "Руки прочь от профсоюза нефтяников"
RU_TEXT_2 = f"""{RU_TITLE_2}

Рабочие нефтяной компании бастовали с мая, требуя повышения заработной платы и права на
независимый профсоюз. Вместо переговоров власти ответили увольнениями и судами над активистами.

Юрист профсоюза была приговорена к шести годам лишения свободы. Мы выражаем солидарность с
нефтяниками и призываем прекратить преследование профсоюзных активистов.

Санкт-Петербург, 22 декабря 2011 года
"""
EL_TITLE = "Αλληλεγγύη στους απεργούς λιμενεργάτες του Πειραιά"
EL_TEXT = f"""{EL_TITLE}

Οι λιμενεργάτες του Πειραιά βρίσκονται σε απεργία εδώ και δέκα μέρες, διεκδικώντας συλλογική σύμβαση
εργασίας και μέτρα προστασίας της ζωής τους μετά τον θάνατο ενός συναδέλφου τους στο λιμάνι.

Η εργοδοσία απάντησε με απολύσεις και η αστυνομία συνέλαβε έξι συνδικαλιστές. Απαιτούμε την άμεση
απελευθέρωσή τους και την επαναπρόσληψη όλων των απολυμένων εργατών.

Αθήνα, 5 Νοεμβρίου 2021
"""
FR_TITLE = "Solidarité avec les travailleurs licenciés de l'usine de Lyon"
FR_TEXT = f"""{FR_TITLE}

Les ouvrières et les ouvriers de l'usine de Lyon ont été licenciés après une grève de trois semaines
pour de meilleurs salaires. La direction a refusé toute négociation et a fait appel à la police.

Nous exigeons la réintégration immédiate de tous les salariés licenciés, l'arrêt des poursuites contre
les délégués syndicaux et l'ouverture de véritables négociations sur les salaires.

Fait à Lyon, le 12 février 2019
"""
EN_UTF16_TITLE = "Free the jailed union leaders of Zhanaozen"
EN_UTF8_BOM_TITLE = "End the blockade of Cuba now"
ENCODED_CASES: list[tuple[str, str, str, str, str]] = [
    ("ru-cp1251.txt", "cp1251", RU_TITLE_1, RU_TEXT_1, "ru"),
    ("ru-koi8r.txt", "koi8-r", RU_TITLE_2, RU_TEXT_2, "ru"),
    ("el-iso8859-7.txt", "iso-8859-7", EL_TITLE, EL_TEXT, "el"),
    ("en-utf16-bom.txt", "utf-16", EN_UTF16_TITLE, en_statement(EN_UTF16_TITLE, "Zhanaozen"), "en"),
    ("en-utf8-bom.txt", "utf-8-sig", EN_UTF8_BOM_TITLE, en_statement(EN_UTF8_BOM_TITLE, "Havana"), "en"),
    ("fr-latin1.txt", "latin-1", FR_TITLE, FR_TEXT, "fr"),
]


# --------------------------------------------------------------------------- one mixed run of bad inputs


@dataclass(frozen=True)
class Batch:
    run: CliRun
    paths: dict[str, Path]
    expected_order: list[Path]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Good and bad inputs interleaved in one run with ``--jobs 2``."""
    root = tmp_path_factory.mktemp("batch")
    png = png_bytes()
    paths = {
        "good_txt": write_statement(root / "good.txt", "Solidarity with the teachers of Oaxaca"),
        "empty": write(root / "empty.txt", b""),
        "png_txt": write(root / "x.txt", png),
        "png": write(root / "x.png", png),
        "mostly_nul": write(root / "mostly-nul.txt", mostly_nuls()),
        "few_nul": write(root / "few-nul.txt", few_nuls_text()),
        "missing": root / "does-not-exist.txt",
        "script_only": write(root / "script-only.html", SCRIPT_ONLY_HTML),
        "bare_script": write(root / "bare-script.htm", BARE_SCRIPT_HTML),
        "truncated": write(root / "truncated.html", truncated_html()),
        "invalid_utf8": write(root / "invalid-utf8.txt", invalid_utf8_text()),
        "good_md": write(root / "good.md", "# " + en_statement("Hands off the unions of Belarus", "Minsk")),
    }
    run = run_cli("--jobs", "2", *paths.values(), cwd=root)
    good = ("good_txt", "few_nul", "truncated", "invalid_utf8", "good_md")
    return Batch(run, paths, [paths[name] for name in good])


BATCH_FAILURES = {
    "empty": "empty file",
    "png_txt": "binary content",
    "mostly_nul": "binary content",
    "missing": "no such file or directory",
    "script_only": "no text content",
    "bare_script": "no text content",
}


def test_mixed_batch_exit_status_and_summary(batch: Batch) -> None:
    run = batch.run
    run.assert_no_traceback()
    assert run.returncode == 1, run.describe()
    assert run.summary() == (len(batch.expected_order), 1, len(BATCH_FAILURES)), run.describe()
    assert len(run.error_lines()) == len(BATCH_FAILURES), run.describe()


def test_mixed_batch_good_inputs_all_output_in_input_order(batch: Batch) -> None:
    assert batch.run.sources == [str(p) for p in batch.expected_order], batch.run.describe()


@pytest.mark.parametrize("name", sorted(BATCH_FAILURES))
def test_each_bad_input_gets_one_error_line(batch: Batch, name: str) -> None:
    reason = batch.run.error_reason(batch.paths[name])
    assert reason.startswith(BATCH_FAILURES[name]), batch.run.describe()  # e.g. "binary content (PNG image)"


def test_png_extension_is_skipped_not_failed(batch: Batch) -> None:
    png = batch.paths["png"]
    assert batch.run.skip_lines() == [f"solidarity: skipped {png}: unsupported file type (.png)"]
    assert f"solidarity: error: {png}:" not in batch.run.stderr
    assert str(png) not in batch.run.sources


def test_stdout_is_only_json_lines_despite_errors(batch: Batch) -> None:
    lines = batch.run.stdout.splitlines()
    assert len(lines) == len(batch.expected_order), batch.run.describe()
    assert all(json.loads(line) for line in lines)  # parse_jsonl has checked keys; this checks line count
    assert "solidarity:" not in batch.run.stdout


def test_few_nul_bytes_are_removed_and_text_processed(batch: Batch) -> None:
    record = batch.run.record_for(batch.paths["few_nul"])
    assert record["title"] == NUL_TITLE
    assert not [s for s in all_strings(record) if "\x00" in s], record
    line = next(line for line in batch.run.stdout.splitlines() if "few-nul" in line)
    assert "\\u0000" not in line


def test_truncated_html_is_processed_and_title_found(batch: Batch) -> None:
    record = batch.run.record_for(batch.paths["truncated"])
    assert record["title"] == HTML_TITLE
    assert "en" in record["languages"]


def test_invalid_utf8_bytes_are_decoded_not_failed(batch: Batch) -> None:
    record = batch.run.record_for(batch.paths["invalid_utf8"])
    assert "en" in record["languages"]


def test_invalid_utf8_bytes_do_not_turn_valid_utf8_into_mojibake(batch: Batch) -> None:
    # A few stray bytes in otherwise valid UTF-8 must not make a detector pick a legacy code page
    # (charset-normalizer alone picks cp1250 here and yields "SĂŁo Paulo").
    record = batch.run.record_for(batch.paths["invalid_utf8"])
    assert record["title"] == UTF8_TITLE


def test_missing_path_is_named_and_others_still_processed(batch: Batch) -> None:
    missing = batch.paths["missing"]
    assert batch.run.error_reason(missing) == "no such file or directory"
    assert len(batch.run.records) == len(batch.expected_order)


# --------------------------------------------------------------------------- encodings


@pytest.fixture(scope="module")
def encoded_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[CliRun, Path]:
    root = tmp_path_factory.mktemp("encodings")
    paths = [write(root / name, text, encoding) for name, encoding, _title, text, _lang in ENCODED_CASES]
    return run_cli(*paths, cwd=root), root


def test_encoded_texts_all_processed(encoded_run: tuple[CliRun, Path]) -> None:
    run, _root = encoded_run
    run.assert_no_traceback()
    assert run.returncode == 0, run.describe()
    assert run.summary() == (len(ENCODED_CASES), 0, 0), run.describe()


@pytest.mark.parametrize(
    ("name", "title", "lang"),
    [(name, title, lang) for name, _enc, title, _text, lang in ENCODED_CASES],
    ids=[case[1] for case in ENCODED_CASES],
)
def test_encoded_title_decodes_to_right_unicode(
    encoded_run: tuple[CliRun, Path], name: str, title: str, lang: str
) -> None:
    run, root = encoded_run
    record = run.record_for(root / name)
    assert record["title"] == title
    assert not [s for s in all_strings(record) if "\ufffd" in s or "\ufeff" in s], record
    assert lang in record["languages"], record["languages"]


# --------------------------------------------------------------------------- size limit


def write_large_text(path: Path, size: int) -> Path:
    """Write exactly ``size`` bytes of repeated text lines, a megabyte at a time."""
    line = b"Workers of all countries, unite! This line is repeated to make a very large input file.\n"
    block = line * (MIB // len(line))
    with path.open("wb") as fh:
        written = 0
        while written < size:
            written += fh.write(block[: size - written])
    return path


def test_fifty_megabyte_file_fails_fast_without_being_read(tmp_path: Path) -> None:
    small = write_statement(tmp_path / "small.txt", "Solidarity with the nurses of Izmir")
    big = write_large_text(tmp_path / "big.txt", 50 * MIB)
    assert big.stat().st_size == 50 * MIB

    baseline, baseline_rss = run_with_peak_rss(small, cwd=tmp_path, rss_file=tmp_path / "rss-small")
    assert baseline.returncode == 0, baseline.describe()
    run, rss = run_with_peak_rss(big, small, cwd=tmp_path, rss_file=tmp_path / "rss-big")

    run.assert_no_traceback()
    assert run.returncode == 1, run.describe()
    assert run.error_reason(big).startswith("file too large"), run.describe()
    assert run.summary() == (1, 0, 1)
    assert run.sources == [str(small)]
    # Reading the file would add at least its 50 MiB to the peak; allow 20 MiB of noise between runs.
    assert rss - baseline_rss < 20 * 1024, f"peak RSS {rss} KiB vs {baseline_rss} KiB without the big file"
    assert run.elapsed < baseline.elapsed + 10, f"{run.elapsed:.1f}s vs {baseline.elapsed:.1f}s without it"


def test_size_limit_from_environment(tmp_path: Path) -> None:
    five_kb = write_large_text(tmp_path / "five-kb.txt", 5000)
    at_limit = write(tmp_path / "at-limit.txt", en_statement("Solidarity at the limit", "Patras").ljust(1000))
    small = write(tmp_path / "small.md", "# Small statement\n\nWorkers of Volos demand safe jobs.\n")
    assert at_limit.stat().st_size == 1000

    run = run_cli(five_kb, at_limit, small, cwd=tmp_path, env={"SOLIDARITY_MAX_BYTES": "1000"})

    run.assert_no_traceback()
    assert run.returncode == 1, run.describe()
    assert run.error_reason(five_kb).startswith("file too large"), run.describe()
    assert run.sources == [str(at_limit), str(small)]  # "larger than" the limit: exactly 1000 bytes passes
    assert run.summary() == (2, 0, 1)


# --------------------------------------------------------------------------- unreadable and usage errors


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="running as root: root can read a chmod 000 file, so it cannot be made unreadable",
)
def test_unreadable_file_fails_and_others_still_processed(tmp_path: Path) -> None:
    locked = write_statement(tmp_path / "locked.txt")
    good = write_statement(tmp_path / "good.txt")
    locked.chmod(0)
    try:
        run = run_cli(locked, good, cwd=tmp_path)
    finally:
        locked.chmod(0o644)

    run.assert_no_traceback()
    assert run.returncode == 1, run.describe()
    assert "permission denied" in run.error_reason(locked)
    assert run.sources == [str(good)]
    assert run.summary() == (1, 0, 1)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--format", "xml"], id="format-xml"),
        pytest.param(["--jobs", "0"], id="jobs-0"),
        pytest.param(["--no-such-option"], id="unknown-option"),
        pytest.param(None, id="no-path"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str] | None) -> None:
    good = write_statement(tmp_path / "good.txt")
    argv = [] if args is None else [*args, str(good)]
    run = run_usage(*argv, cwd=tmp_path)
    run.assert_no_traceback()
    assert run.returncode == 2, run.describe()
    assert run.stdout == "", run.describe()
    assert run.stderr.strip(), "a usage error must say what is wrong"


# --------------------------------------------------------------------------- paths, globs, order, output


def test_glob_patterns_and_recursive_folders(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.md", "d.html"):
        write_statement(tmp_path / name)
    folder = tmp_path / "folder"
    nested = [
        write_statement(folder / "a.md"),
        write_statement(folder / "b.txt"),
        write(folder / "notes.pdf", b"%PDF-1.4\n"),
        write(folder / "sub" / "c.htm", f"<html><body><h1>Nested</h1><p>{en_statement('', 'Bilbao')}</p>"),
        write_statement(folder / "sub" / "deeper" / "d.txt"),
        write(folder / "sub" / "image.png", png_bytes(4, 4)),
    ]

    run = run_cli(str(tmp_path / "*.txt"), folder, cwd=tmp_path)  # the pattern is passed literally

    run.assert_no_traceback()
    assert run.returncode == 0, run.describe()
    globbed, walked = run.sources[:2], run.sources[2:]
    assert sorted(globbed) == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], run.describe()
    assert walked == [str(p) for p in nested if p.suffix not in (".pdf", ".png")], run.describe()
    assert sorted(run.skip_lines()) == [
        f"solidarity: skipped {folder / 'notes.pdf'}: unsupported file type (.pdf)",
        f"solidarity: skipped {folder / 'sub' / 'image.png'}: unsupported file type (.png)",
    ]
    assert run.summary() == (6, 2, 0)


def test_output_order_equals_input_order_with_two_jobs(tmp_path: Path) -> None:
    explicit_dir, folder = tmp_path / "explicit", tmp_path / "folder"
    # The first input is much longer than the rest, so a worker finishing early cannot overtake it unnoticed.
    long_body = "".join(en_statement(f"Part {i}", f"Harbour{i}") for i in range(150))
    explicit = [write(explicit_dir / "long.txt", en_statement("The long statement", "Volos") + long_body)]
    explicit += [write_statement(explicit_dir / f"e{i:02d}.txt") for i in range(8)]
    tail = explicit[1:]
    random.Random(1917).shuffle(tail)
    explicit[1:] = tail
    in_folder = [write_statement(folder / f"f{i:02d}.md") for i in range(10)]

    run = run_cli("--jobs", "2", *explicit, folder, cwd=tmp_path)

    run.assert_no_traceback()
    assert run.returncode == 0, run.describe()
    assert run.sources == [str(p) for p in explicit + in_folder], run.describe()
    assert run.summary() == (len(explicit) + len(in_folder), 0, 0)


def test_output_file_gets_json_and_stdout_stays_empty(tmp_path: Path) -> None:
    good = write_statement(tmp_path / "good.txt", "Solidarity with the railway workers of Tbilisi")
    empty = write(tmp_path / "empty.md", b"")
    out = tmp_path / "out" / "result.jsonl"
    out.parent.mkdir()

    run = run_cli(good, empty, "--output", out, cwd=tmp_path)

    run.assert_no_traceback()
    assert run.returncode == 1, run.describe()
    assert run.stdout == "", run.describe()
    records = parse_jsonl(out.read_text(encoding="utf-8"))
    assert [rec["source"] for rec in records] == [str(good)]
    assert records[0]["title"] == "Solidarity with the railway workers of Tbilisi"
    assert run.error_reason(empty) == "empty file"
    assert run.summary() == (1, 0, 1)


def test_output_file_in_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    good = write_statement(tmp_path / "good.txt")
    out = tmp_path / "no-such-folder" / "result.jsonl"

    run = run_cli(good, "--output", out, cwd=tmp_path)

    run.assert_no_traceback()
    assert run.returncode != 0, run.describe()
    assert run.stdout == "", run.describe()
    named = [line for line in run.stderr_lines if line.startswith("solidarity:") and str(out) in line]
    assert named, run.describe()


# --------------------------------------------------------------------------- many files


@pytest.mark.slow
def test_ten_thousand_tiny_files_with_two_jobs(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    count = 10_000
    for i in range(count):
        (folder / f"doc-{i:05d}.txt").write_text(
            f"Statement {i} of solidarity\nThe workers of workshop {i} demand their unpaid wages.\n",
            encoding="utf-8",
        )

    run = run_cli("--jobs", "2", folder, cwd=tmp_path, timeout=3 * 3600)

    run.assert_no_traceback()
    assert run.returncode == 0, run.describe()
    assert run.summary() == (count, 0, 0)
    assert run.sources == [str(folder / f"doc-{i:05d}.txt") for i in range(count)]
    assert not run.error_lines()
