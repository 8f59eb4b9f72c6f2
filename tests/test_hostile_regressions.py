"""The per-document time limit, and one test for each crash or hang the hostile corpus and the fuzzers found.

Every input is written inline; the slow documents are real slow paths, not stand-ins.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import zipfile
from pathlib import Path

import pytest

from solidarity_atlas import api, kb, settings
from solidarity_atlas.api import extract_bytes, extract_file, time_limit
from solidarity_atlas.errors import InputError
from solidarity_atlas.ingest.boilerplate import recurring_lines
from solidarity_atlas.ingest.reader import read_bytes
from solidarity_atlas.ingest.sources import iter_sources

# A list of 200,000 empty items after "Signed by": a few seconds of Python-level work in the extractors.
SLOW_DOCUMENT = b"Solidarity with the dockers of Malaga\n\nSigned by " + b", " * 200_000 + b"and PAME.\n"


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    api.warm_up()  # the models load once, outside every time limit


def _spin(*_args: object, **_kwargs: object) -> None:
    while True:  # CPU-bound Python code: the handler runs between two bytecodes
        pass


# --------------------------------------------------------------------------- the time limit


def test_a_slow_document_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_DOC_TIMEOUT", "0.5")
    started = time.monotonic()
    outcome = extract_bytes("slow.txt", SLOW_DOCUMENT)
    assert outcome.record is None
    assert outcome.error == "timed out after 0.5 s"
    assert time.monotonic() - started < 3


def test_the_same_document_passes_without_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_DOC_TIMEOUT", "0")
    outcome = extract_bytes("slow.txt", SLOW_DOCUMENT)
    assert outcome.record is not None, outcome.error


def test_extract_file_times_out_on_endless_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("Solidarity with the miners of Soma\n\nWe demand their release.\n", encoding="utf-8")
    monkeypatch.setenv("SOLIDARITY_DOC_TIMEOUT", "0.2")
    monkeypatch.setattr(api, "extract", _spin)
    previous = signal.getsignal(signal.SIGALRM)
    outcome = extract_file(str(path))
    assert outcome.error == "timed out after 0.2 s"
    assert signal.getsignal(signal.SIGALRM) is previous  # the handler is put back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # and no timer is left armed


def test_ingest_worker_quarantines_a_timed_out_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_DOC_TIMEOUT", "0.2")
    monkeypatch.setattr(kb, "extract", _spin)
    task = kb.ToExtract("doc.txt", "doc.txt", b"Solidarity with the nurses of Izmir\n", None, None, frozenset())
    failed = kb._extract_one(task)
    assert isinstance(failed, kb.Failed)
    assert failed.reason == "timed out after 0.2 s"
    assert failed.content_hash and failed.size == len(task.data)


def test_no_limit_off_the_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signals reach only the main thread: elsewhere (a Dask worker's thread) documents run without a limit."""
    monkeypatch.setenv("SOLIDARITY_DOC_TIMEOUT", "0.05")
    real = api.extract

    def slow(page):  # noqa: ANN001, ANN202
        time.sleep(0.3)
        return real(page)

    monkeypatch.setattr(api, "extract", slow)
    outcomes = []
    thread = threading.Thread(target=lambda: outcomes.append(extract_bytes("t.txt", b"Solidarity with Kiel\n")))
    thread.start()
    thread.join()
    assert outcomes[0].record is not None, outcomes[0].error


def test_a_timer_of_the_caller_is_left_alone() -> None:
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with time_limit(0.05):
            time.sleep(0.1)  # no DocumentTimeout: the caller's timer is armed, so no limit is set
        time.sleep(0.4)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("value", ["-1", "abc", "nan", "inf"])
def test_bad_time_limit_setting_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SOLIDARITY_DOC_TIMEOUT", value)
    with pytest.raises(ValueError, match="SOLIDARITY_DOC_TIMEOUT"):
        settings.validate()


# --------------------------------------------------------------------------- crashes and hangs found


def test_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """Found by the corpus: reading a FIFO named *.txt waited forever, in extract and in the chrome-line signal."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for i in range(4):
        (tmp_path / f"doc{i}.txt").write_text(f"Statement {i}\n\nSolidarity with the miners of Soma {i}.\n")
    with pytest.raises(InputError, match=r"not a regular file \(named pipe\)"):
        read_bytes(fifo)
    recurring_lines([str(p) for p in sorted(tmp_path.iterdir())])  # returns: the pipe is passed over
    assert extract_file(str(fifo)).error == "not a regular file (named pipe)"


def test_device_is_refused_not_read(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="character device"):
        read_bytes(link)


def test_file_name_that_is_not_utf8_is_stored_under_a_printable_uri(atlas_url: str, tmp_path: Path) -> None:
    """Found by the corpus: a file name with bytes that are not UTF-8 crashed the ingest in the database."""
    from solidarity_atlas.store.db import connect
    from solidarity_atlas.store.queries import stats

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\udcff\udcfe.txt").write_bytes(b"Solidarity with the dockers of Gdansk\n\nWe demand.\n")
    engine = connect(atlas_url)
    counts = kb.ingest([str(folder)], engine)
    assert (counts.stored, counts.quarantined) == (1, 0)
    assert stats(engine)["inputs_stored"] == 1
    assert extract_file(str(folder / "bad\udcff\udcfe.txt")).source == str(folder) + "/bad\\xff\\xfe.txt"


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_repeated_member_names_get_a_uri_each(tmp_path: Path) -> None:
    """Found by the corpus: two members of one name in a zip crashed the writer (one uri, two documents)."""
    archive = tmp_path / "twice.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("same.txt", b"Solidarity with the dockers of Piraeus\n")
        z.writestr("same.txt", b"Solidarity with the dockers of Volos\n")
    items = list(iter_sources([str(archive)]))
    assert [i.uri for i in items] == [f"{archive}!same.txt", f"{archive}!same.txt!copy-2"]
    assert items[0].error is None
    assert items[1].error == "the name is used 2 times in this file: only the first is read"


def test_a_number_of_thousands_of_digits_is_not_a_crash() -> None:
    """Found by the corpus: int() of a 5,000-digit number raised ValueError (Python's 4,300-digit limit)."""
    outcome = extract_bytes("n.txt", f"Solidarity\n\n{'9' * 5000} workers were detained in Soma.\n".encode())
    assert outcome.record is not None, outcome.error


def test_a_run_of_dots_is_not_quadratic() -> None:
    """Found by the corpus: 500,000 dots took hours in the sentence splitter's regex (no time limit stops C)."""
    started = time.monotonic()
    outcome = extract_bytes("dots.txt", b"Solidarity with Leon.\n\n" + b"." * 500_000 + b"\n")
    assert outcome.record is not None, outcome.error
    assert time.monotonic() - started < 10


def test_text_that_only_begins_like_html_is_read_as_text() -> None:
    """Found by the corpus: "<html is ..." at the top of a .txt file made it unparsable HTML, and it was lost."""
    outcome = extract_bytes("t.txt", b"<html is not a tag here\n\nSolidarity with the workers of Kilkis.\n")
    assert outcome.record is not None, outcome.error
    assert extract_bytes("t.html", b"<html is not a tag here").error is not None  # a real .html stays HTML


# --------------------------------------------------------------------------- XHTML, line breaks, small archives


def test_an_xhtml_page_with_an_xml_declaration_is_read() -> None:
    page = (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
            b"<head><title>Solidarity with the oil workers of Zhanaozen</title></head><body><h1>Solidarity with "
            b"the oil workers of Zhanaozen</h1><p>Athens, 20 December 2011</p><p>We condemn the killing of "
            b"striking oil workers.</p><p>Signed by:</p><ol><li>Communist Party of Greece</li>"
            b"<li>Portuguese Communist Party</li></ol></body></html>")
    outcome = extract_bytes("statement.xhtml.html", page)
    assert outcome.record is not None, outcome.error
    assert outcome.record.title == "Solidarity with the oil workers of Zhanaozen"
    assert [s.name for s in outcome.record.signatories] == ["Communist Party of Greece", "Portuguese Communist Party"]


def test_a_page_of_nothing_but_a_doctype_has_no_text_content() -> None:
    assert extract_bytes("empty.html", b"<!DOCTYPE html>").error == "no text content"


def test_vertical_tabs_and_unicode_line_separators_break_lines_instead_of_gluing_words() -> None:
    text = "Solidarity with the dockers\x0bof Piraeus\u2028on strike\u2029We demand the release of the workers.\n"
    outcome = extract_bytes("breaks.txt", text.encode())
    assert outcome.record is not None, outcome.error
    assert outcome.record.title == "Solidarity with the dockers"


def test_a_small_archive_of_a_repetitive_text_is_not_taken_for_a_bomb(tmp_path: Path) -> None:
    path = tmp_path / "list.zip"
    text = b"Solidarity with the striking miners of Asturias.\n\n" + b"We demand the release of the miners.\n" * 4000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("list.txt", text)  # 150 KB in about 1 KB: over 100 times, under the 1 MiB floor
    assert path.stat().st_size * 100 < len(text)
    items = list(iter_sources([str(path)]))
    assert [(item.error, item.data) for item in items] == [(None, text)]
