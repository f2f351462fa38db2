"""What a file on disk is, and how DuckDB reads a canonical CSV file as text rows.

One job: turn a path into something safe to read. A file name is a name, never a glob; special files are
refused; compressed CSV is read through gzip; a zip, a workbook or another binary file is named for what it
is; and a row's physical line is found even when quoted values hold newlines or blank lines are skipped.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import numpy as np

MAX_LINE_BYTES = 2_000_000  # a longer line is rejected (DuckDB's own default), never loaded
_GZIP = b"\x1f\x8b"


class NotReadable(Exception):
    """The file cannot be read as text rows at all; the message says what it is and what to do."""


@dataclass(frozen=True)
class FileStamp:
    """What identifies a file's content on disk cheaply: a change between two stamps means it was rewritten."""
    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


def refuse_special(path: Path) -> None:
    """Raise NotReadable unless `path` is a regular file (a FIFO would block a load while it holds the database)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise NotReadable(f"{path}: no such file") from None
    except OSError as err:  # a symlink loop, a permission problem …
        raise NotReadable(f"{path}: cannot be opened ({err.strerror})") from None
    if stat.S_ISDIR(mode):
        raise NotReadable(f"{path}: is a folder; give the folder itself to load every export in it")
    if not stat.S_ISREG(mode):
        what = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise NotReadable(f"{path.name}: is {what}, not a regular file; refused")


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == _GZIP


def what_binary(path: Path) -> str | None:
    """What a file is when it is not text Floorview reads (None for text, gzip included)."""
    try:
        with open_bytes(path) as fh:  # a gzip file by what it holds
            start = fh.read(4096)
    except (OSError, EOFError):
        return "a damaged gzip file"
    if start.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return "a damaged zip archive"
        if any(n.startswith("xl/") for n in names):
            return "an Excel workbook (.xlsx): load it as it is (its first sheet, or the sheet a profile names)"
        return f"a zip archive of {len(names)} file(s); unzip it and load the files inside"
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Excel (.xls) or other Office file; save the sheet as \"CSV UTF-8\", then load that"
    if start.startswith(b"PAR1"):
        return "a Parquet file; name it with the .parquet extension"
    if start.startswith(b"%PDF"):
        return "a PDF document, not a data export"
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text; save the file as UTF-8"
    if b"\x00" in start:
        return "a binary file, not text"
    return None


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, gzip read through; the caller closes it."""
    if is_gzip(path):
        return cast(BinaryIO, gzip.open(path, "rb"))  # noqa: SIM115 - returned to the caller
    return path.open("rb")  # noqa: SIM115


def open_text(path: Path) -> io.TextIOBase:
    """The file as UTF-8 text (gzip read through), BOM dropped; the caller closes it."""
    return io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", newline="")


def header_line(path: Path) -> str:
    """The first line, as text; raises NotReadable for empty, binary or non-UTF-8 files."""
    binary = what_binary(path)
    if binary:
        raise NotReadable(f"{path.name}: is {binary}")
    try:
        with open_bytes(path) as fh:
            first = fh.readline(MAX_LINE_BYTES)
    except (OSError, EOFError) as err:
        raise NotReadable(f"{path.name}: cannot be read ({err})") from None
    if not first.strip():
        raise NotReadable(f"{path.name}: the file is empty (no header line)")
    try:
        return first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise NotReadable(f"{path.name}:1: the header line is not UTF-8; save the file as UTF-8") from None


@contextlib.contextmanager
def literal_source(path: Path, suffix: str) -> Iterator[str]:
    """A path DuckDB reads as exactly this file: a symlink with a plain name in a private folder, so that
    `*`, `?` or `[` in the real name are never expanded as a glob."""
    with tempfile.TemporaryDirectory(prefix="floorview-src-") as folder:
        link = Path(folder) / f"source{suffix}"
        link.symlink_to(path.resolve())
        yield str(link)


def csv_rows_sql(header: list[str], gz: bool) -> tuple[str, list[Any]]:
    """read_csv over one file (the first parameter is its path) with the dialect fixed rather than sniffed, so a
    bad line is a rejected line, never a file that cannot be read; and the parameters after the path."""
    sql = ("read_csv(?, header = true, all_varchar = true, store_rejects = true, auto_detect = false, delim = ',', "
           "quote = '\"', escape = '\"', columns = ?, max_line_size = ?, compression = ?)")
    return sql, [{name: "VARCHAR" for name in header}, MAX_LINE_BYTES, "gzip" if gz else "none"]


def physical_lines(path: Path, n_rows: int, reject_offsets: list[int]) -> tuple[np.ndarray, list[int]] | None:
    """Where records start when some record is not one line (quoted newlines, blank lines): (the physical line
    of each row read, in order; the physical line of each unparseable record, from DuckDB's 1-based byte
    offsets), or None when every record is one line, so that record numbers are line numbers.

    Only such a file is read again, with Python's csv reader, which follows the same quoting."""
    newlines, last = 0, b"\n"
    with open_bytes(path) as fh:
        while chunk := fh.read(1 << 22):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    if newlines + (last != b"\n") == 1 + n_rows + len(set(reject_offsets)):
        return None
    reject_lines = _lines_at(path, reject_offsets)
    bad = set(reject_lines)
    starts: list[int] = []
    csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_LINE_BYTES))  # a long line is DuckDB's to reject
    with open_text(path) as fh:
        reader = csv.reader(fh)
        previous = 0
        try:
            for row in reader:
                if row and previous + 1 not in bad:  # DuckDB skips blank lines too
                    starts.append(previous + 1)
                previous = reader.line_num
        except csv.Error:
            pass  # an open quote at the end: DuckDB rejected that record too
    rows = np.array(starts[1:], dtype=np.int64)  # the header is no row
    return (rows, reject_lines) if len(rows) == n_rows else None


def _lines_at(path: Path, offsets: list[int]) -> list[int]:
    """The physical line at each 1-based byte offset (of the decompressed text)."""
    wanted = sorted(set(offsets))
    found: dict[int, int] = {}
    read, lines = 0, 1
    with open_bytes(path) as fh:
        while wanted and (chunk := fh.read(1 << 22)):
            while wanted and wanted[0] - 1 <= read + len(chunk):
                found[wanted[0]] = lines + chunk.count(b"\n", 0, wanted[0] - 1 - read)
                wanted.pop(0)
            lines += chunk.count(b"\n")
            read += len(chunk)
    return [found.get(o, lines) for o in offsets]
