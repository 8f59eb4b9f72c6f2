"""Read one input file into a :class:`~solidarity_atlas.model.Page`."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from solidarity_atlas import settings
from solidarity_atlas.errors import InputError
from solidarity_atlas.ingest import html as html_reader
from solidarity_atlas.ingest.decode import decode
from solidarity_atlas.ingest.markdown import render as render_markdown
from solidarity_atlas.ingest.text import blocks_of
from solidarity_atlas.model import Page

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt", ".text"}) | MARKDOWN_SUFFIXES
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES


_SPECIAL_FILES = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "named pipe",
    stat.S_IFSOCK: "socket",
}


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading; anything else raises :class:`InputError` without being read.

    The file is opened without blocking and checked on the open descriptor: opening a named pipe in the ordinary
    way waits for a writer forever, and a name that was a file when listed may be a pipe or a device by now.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a directory")
        if not stat.S_ISREG(mode):
            raise InputError(f"not a regular file ({_SPECIAL_FILES.get(stat.S_IFMT(mode), 'special file')})")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, refusing files over the size limit before reading them."""
    limit = settings.max_bytes() if limit is None else limit
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise InputError(f"file too large ({size / 2**20:.1f} MiB > {limit / 2**20:.1f} MiB)")
            return handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file or directory") from None
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None


def printable(name: str) -> str:
    """``name`` as valid Unicode: a lone surrogate written as ``\\xNN`` (a byte of a file name that is not UTF-8, as
    :func:`os.fsdecode` keeps it) or ``\\uNNNN``; other names unchanged.

    A database and a UTF-8 output refuse lone surrogates, and the same name gives the same text on every run.
    """
    if not any("\ud800" <= c <= "\udfff" for c in name):
        return name
    return "".join(
        c if not "\ud800" <= c <= "\udfff" else f"\\x{ord(c) - 0xDC00:02x}" if "\udc80" <= c <= "\udcff"
        else f"\\u{ord(c):04x}"
        for c in name
    )


def page_from_bytes(
    source: str, data: bytes, *, is_html: bool, markdown: bool = False, recurring: frozenset[int] = frozenset()
) -> Page:
    """Decode and split bytes; ``recurring`` is the folder's chrome-line signal."""
    source = printable(source)
    text, encoding = decode(data, html=is_html)
    digest = hashlib.sha256(data).hexdigest()
    if is_html or _looks_like_html(text):
        try:
            rendered = html_reader.render(text)
        except InputError:
            if is_html:
                raise
            rendered = None  # a text file that only began like HTML ("<html is ..."): read it as text
        if rendered is not None:
            page = Page(source, rendered.text, rendered.blocks, "html", encoding, digest, len(data), rendered.hints)
            _apply_line_rules(page)
            return page
    headings: dict[int, int] = {}
    if markdown:
        text, headings = render_markdown(text)
    blocks = blocks_of(text, recurring, headings)
    if not blocks:
        raise InputError("no text content")
    return Page(source, text, blocks, "text", encoding, digest, len(data))


def _apply_line_rules(page: Page) -> None:
    """Chrome that trafilatura kept in the article (a share line, a file name)."""
    from dataclasses import replace

    from solidarity_atlas.ingest.chrome import line_reason

    for i, block in enumerate(page.blocks):
        if block.drop is None and (reason := line_reason(page.block_text(block))):
            page.blocks[i] = replace(block, drop=reason)


def _looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text[-2048:])


def read_page(path: str | os.PathLike[str], recurring: frozenset[int] = frozenset()) -> Page:
    """Read, decode and split one file; raise :class:`InputError` with the reason."""
    return page_of_file(str(path), read_bytes(Path(path)), recurring)


def page_of_file(path: str, data: bytes, recurring: frozenset[int] = frozenset()) -> Page:
    """Decode and split the bytes of the file ``path``, read elsewhere (the suffix tells HTML and Markdown)."""
    suffix = Path(path).suffix.lower()
    return page_from_bytes(
        path, data, is_html=suffix in HTML_SUFFIXES, markdown=suffix in MARKDOWN_SUFFIXES, recurring=recurring
    )
