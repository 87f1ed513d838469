"""Bytes to text and CSV records, with the quirks every export has (export-formats.md, section 0).

* a UTF-8 BOM is stripped; UTF-8 is tried first and each line that is not UTF-8 falls back to cp1252
  (then latin-1, which never fails), so a raw 0xA5 in an Asterisk caller name survives as a character;
* the delimiter is sniffed among ``,`` ``;`` and tab from the header line;
* CSV is parsed with the csv module (RFC 4180: quoted commas, doubled quotes, newlines), and every
  record keeps the physical line it starts on, so rejects point at the line a user sees in an editor.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from connectors.base import FormatError

BOM = b"\xef\xbb\xbf"


def decode(data: bytes) -> str:
    """Decode an export: strip a BOM, UTF-8 where possible, cp1252/latin-1 per line where not."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    if b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        raise FormatError("the file is binary (it contains NUL bytes), not a text export")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = []
    for raw in data.splitlines(keepends=True):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("cp1252"))
            except UnicodeDecodeError:
                lines.append(raw.decode("latin-1"))
    return "".join(lines)


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def head_text(head: bytes) -> str:
    """Decode the first bytes of a file for sniffing (never raises)."""
    if head.startswith(BOM):
        head = head[len(BOM):]
    return head.decode("utf-8", errors="replace")


def first_line(head: bytes) -> str:
    return head_text(head).split("\n", 1)[0].rstrip("\r")


def header_fields(head: bytes) -> list[str]:
    """The cells of the first CSV record in ``head`` (for sniffing by header signature)."""
    text = head_text(head)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (StopIteration, csv.Error):
        return []


def records(text: str, delimiter: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number where the record starts, cells) for every record, skipping blank lines."""
    if delimiter is None:
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter, strict=False)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FormatError(f"CSV cannot be parsed at line {reader.line_num}: {exc}",
                              reader.line_num) from exc
        start = line
        line = reader.line_num + 1
        if not row or all(not c.strip() for c in row):
            continue
        yield start, row


def checked_text(data: bytes, what: str) -> str:
    """Decode an export and refuse an empty one or one cut off inside a quoted field."""
    text = decode(data)
    if not text.strip():
        raise FormatError(f"{what}: the file is empty")
    if text.count('"') % 2 == 1:
        # An odd number of quote characters: a quoted field never ends (the export was cut off).
        last_line = text.count("\n") + 1
        raise FormatError(f"{what}: the file ends inside a quoted field (truncated export?) "
                          f"near line {last_line}", last_line)
    return text


def read_table(data: bytes, header_rows: int = 1, what: str = "CSV") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Parse a CSV with a header: (header from the first row, [(line, cells)] of the data rows).

    Rows of ``header_rows`` beyond the first are skipped (they are labels / import ids).
    A file with an unterminated quote at the end (a truncated export) is refused.
    """
    text = checked_text(data, what)
    rows = list(records(text))
    if len(rows) < header_rows:
        raise FormatError(f"{what}: expected {header_rows} header row(s), the file has {len(rows)}")
    header = [h.strip() for h in rows[0][1]]
    return header, rows[header_rows:]


def require_columns(header: list[str], required: list[str], what: str) -> dict[str, int]:
    """Map column names to positions; refuse the file naming every required column that is missing."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(name, i)
    missing = [c for c in required if c not in positions]
    if missing:
        raise FormatError(f"{what}: missing required column(s): {', '.join(missing)}", 1)
    return positions
