"""What a file is, when it is not what the user or the sniffers expected (issue 10, item 5).

Three questions, each answered with a sentence a user can act on:

* ``file_kind``: what the bytes are (CSV text, JSON, an Excel 2003 XML spreadsheet, an .xlsx workbook,
  an HTML table, a zip, gzip, PDF ...), from magic bytes and the first characters, never the file name
  alone;
* ``forced``: a ``--format`` that cannot fit the file is refused before reading, naming what the file
  is ("this is an XML spreadsheet (Excel 2003 XML), not a CSV: ...") or the format its header matches
  ("the header matches zendesk_csv (Id, Via, Created at, Status), not freshdesk_csv ..."), instead of
  the reader's "missing required column(s)". A forced format whose own header columns are present, or
  whose sniff accepts the file, is never second-guessed (``salesforce_bulk`` on a Data Export file is
  read as asked), nor is the generic mapping (the user described the columns);
* ``unrecognised``: why no sniffer took a file, with the closest formats by how many of the header
  columns each sniff looks for (``Connector.columns``) are present, and what their header would need.

Formats seen in real exports that no connector reads yet (``UNREAD``) are named too, so a ServiceNow
list is not answered with "closest: zendesk_csv".
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from connectors.base import Connector, FormatError, HeaderSpec
from connectors.textfile import BOM, sniff_delimiter

THRESHOLD = 0.5  # the registry's SNIFF_THRESHOLD (a sniff at or above it recognises the file)
SAVE_AS_CSV = ("save it as CSV UTF-8 (Excel: File > Save As > \"CSV UTF-8 (Comma delimited)\") "
               "and load that file")
MAPPING = "describe it with a --mapping file (docs/generic-mapping.md)"
CLOSEST = 3  # formats named in "closest: ..."
SHOWN = 4  # header cells quoted from a file


@dataclass(frozen=True)
class Kind:
    """What a file is. ``name`` is one of csv, text, json, empty, binary, xml_spreadsheet, xlsx, xls,
    ods, html, xml, zip, gzip, pdf."""

    name: str
    what: str  # "an XML spreadsheet (Excel 2003 XML)": completes "this is ..."
    advice: str = ""  # what to do instead ("save it as CSV UTF-8 ...")
    inner: Kind | None = None  # what a gzip file holds, as far as its head tells

    @property
    def text(self) -> bool:
        return self.name in ("csv", "text")


# Formats a real export showed but no connector reads yet (export-formats.md, ../shared/samples):
# (what it is, header columns that identify it). Remove an entry when its connector arrives.
UNREAD: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a ServiceNow incident list", ("number", "opened_at", "short_description")),
    ("an Asterisk/FreePBX CDR table with a header row", ("calldate", "clid", "src", "dst", "disposition",
                                                          "billsec")),
    ("a Jira issue export", ("Issue key", "Summary", "Created")),
    ("a Spanish Jira issue export", ("Clave de incidencia", "Resumen", "Creada")),
)


def _zip_names(head: bytes) -> list[str]:
    """File names of the zip's local headers found in ``head`` (enough to tell .xlsx from a zip of CSVs)."""
    names: list[str] = []
    for m in re.finditer(rb"PK\x03\x04", head):
        at = m.start()
        if at + 30 > len(head):
            break
        name_len = struct.unpack_from("<H", head, at + 26)[0]
        raw = head[at + 30: at + 30 + name_len]
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if name and name.isprintable():
            names.append(name)
    return names


def _text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="ignore")
    return head.removeprefix(BOM).decode("utf-8", errors="replace")


JSON_START = re.compile(r'\{\s*("|\})|\[\s*(\{|\[|"|\]|-?\d|true\b|false\b|null\b)')


def file_kind(head: bytes, file_name: str = "") -> Kind:
    """What the first bytes of a file say it is."""
    lower_name = file_name.lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        names = _zip_names(head)
        if b"opendocument.spreadsheet" in head[:200]:
            return Kind("ods", "an OpenDocument spreadsheet (.ods)", SAVE_AS_CSV.replace(
                "(Excel: File > Save As > \"CSV UTF-8 (Comma delimited)\")", "(Text CSV, UTF-8)"))
        if any(n.startswith("xl/") for n in names) or lower_name.endswith((".xlsx", ".xlsm")):
            return Kind("xlsx", "an Excel workbook (.xlsx)", SAVE_AS_CSV)
        inside = [n for n in names if not n.endswith("/")]
        held = f" holding {', '.join(inside[:3])}{', ...' if len(inside) > 3 else ''}" if inside else ""
        return Kind("zip", f"a zip archive{held}", "unzip it and load the files inside")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Kind("xls", "an Excel 97-2003 workbook (.xls)", SAVE_AS_CSV)
    if head.startswith(b"%PDF"):
        return Kind("pdf", "a PDF document", "export the data as CSV from the system it came from")
    if head.startswith(b"\x1f\x8b"):
        try:
            inner_head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 65536)
        except zlib.error:
            inner_head = b""
        inner = file_kind(inner_head) if inner_head else None
        holding = f" ({inner.what})" if inner and inner.name not in ("empty", "binary") else ""
        return Kind("gzip", f"a gzip-compressed file{holding}", "unpack it (gunzip) and load the file inside",
                    inner)
    text = _text(head)
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Kind("binary", "a binary file (it contains NUL bytes)", "export the data as CSV or JSON")
    start = text.lstrip()
    if not start:
        return Kind("empty", "an empty file")
    low = start[:4096].lower()
    if start.startswith("<"):
        if ("<workbook" in low or "urn:schemas-microsoft-com:office:spreadsheet" in low
                or 'progid="excel.sheet"' in low):
            return Kind("xml_spreadsheet", "an XML spreadsheet (Excel 2003 XML)", SAVE_AS_CSV)
        if low.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body")) or "<table" in low:
            return Kind("html", "an HTML table (a web page; \"Export to Excel\" often saves one as .xls)",
                        "open it in Excel and save it as CSV UTF-8, or export CSV from the system")
        return Kind("xml", "an XML file", "export the data as CSV or JSON")
    if JSON_START.match(start):
        return Kind("json", "JSON")
    first = start.split("\n", 1)[0]
    if any(d in first for d in (",", ";", "\t")):
        return Kind("csv", "a CSV")
    return Kind("text", "plain text")


def _cells(head: bytes) -> list[str]:
    """The cells of the first record, stripped (UTF-16 decoded; [] when there is none)."""
    text = _text(head).lstrip("\r\n")
    try:
        row = next(csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text.split("\n", 1)[0])))
    except (StopIteration, csv.Error):
        return []
    return [c.strip() for c in row]


def _quote(cells: Sequence[str]) -> str:
    shown = [c for c in cells if c][:SHOWN]
    return ", ".join(shown) + (", ..." if len([c for c in cells if c]) > SHOWN else "")


@dataclass(frozen=True)
class Match:
    """How much of a format's header a file has."""

    connector: Connector
    has: list[str]
    needs: list[str]

    @property
    def score(self) -> int:
        return len(self.has)

    def describe(self) -> str:
        parts = []
        if self.has:
            parts.append("has " + ", ".join(self.has))
        if self.needs:
            parts.append("needs " + ", ".join(self.needs))
        return f"{self.connector.name} ({'; '.join(parts)})"


def match(spec: HeaderSpec, cells: Iterable[str]) -> tuple[list[str], list[str]]:
    """(columns of ``spec`` the header has, what it would still need). A needed column the header
    has in another case or spacing is named with what the file has (names are compared exactly)."""
    present = [c.strip() for c in cells]
    exact = set(present)
    folded = {" ".join(c.lower().split()): c for c in present}
    has: list[str] = []
    needs: list[str] = []
    for want in spec:
        options = (want,) if isinstance(want, str) else want
        found = next((o for o in options if o in exact), None)
        if found is not None:
            has.append(found)
            continue
        near = next((folded[k] for o in options if (k := " ".join(o.lower().split())) in folded), None)
        label = options[0] if len(options) == 1 else "one of " + " / ".join(options)
        needs.append(f'{label} (the file has "{near}")' if near is not None else label)
    return has, needs


def _unread(cells: Sequence[str]) -> tuple[str, list[str]] | None:
    present = set(cells)
    for what, columns in UNREAD:
        if all(c in present for c in columns):
            return what, list(columns)
    return None


def closest(cells: Sequence[str], connectors: Iterable[Connector], n: int = CLOSEST) -> list[Match]:
    """The formats whose header columns the file has most of (at least one), best first."""
    found = []
    for i, c in enumerate(connectors):
        if not c.columns:
            continue
        has, needs = match(c.columns, cells)
        near = sum("(the file has" in x for x in needs)
        if has or near:
            found.append((-(len(has) + near), len(needs), i, Match(c, has, needs)))
    found.sort(key=lambda t: t[:3])
    return [m for *_, m in found[:n]]


def container(connector: Connector) -> str:
    """"json" for a format read from JSON, else "csv" (text records, with or without a header)."""
    return "json" if any(e in (".json", ".jsonl", ".ndjson") for e in connector.extensions) else "csv"


def _best(head: bytes, file_name: str, connectors: Iterable[Connector], skip: str) -> Connector | None:
    scored = [(c.sniff(head, file_name), i, c) for i, c in enumerate(connectors) if c.name != skip]
    scored = [t for t in scored if t[0] >= THRESHOLD]
    return min(scored, key=lambda t: (-t[0], t[1]))[2] if scored else None


def _use(other: Connector) -> str:
    return f"load it with --format {other.name}, or without --format"


def forced(connector: Connector, head: bytes, file_name: str, connectors: Sequence[Connector]) -> Connector:
    """``connector`` when the file can be of its format; otherwise a FormatError saying what it is."""
    kind = file_kind(head, file_name)
    want = container(connector)
    name = connector.name
    if kind.name in ("empty", "binary"):
        return connector  # the reader says so in its own words
    if want == "json" and kind.name == "gzip" and ".gz" in connector.extensions:
        if kind.inner is None or kind.inner.name in ("json", "empty"):
            return connector
    if want == "csv" and not kind.text or want == "json" and kind.name != "json":
        expected = "a CSV" if want == "csv" else "JSON"
        what = kind.what
        if kind.text:
            cells = _cells(head)
            what = f"{kind.what} (header: {_quote(cells)})" if kind.name == "csv" and cells else kind.what
        message = f"{name}: this is {what}, not {expected}"
        other = _best(head, file_name, connectors, name) if kind.name in ("json", "csv", "text", "gzip") else None
        if other is not None:
            return _refuse(f"{message}; it looks like {other.name}: {_use(other)}")
        if kind.name == "json":
            known = [c.name for c in connectors if container(c) == "json"]
            return _refuse(f"{message}, and no JSON format recognises it (JSON formats: {', '.join(known)})")
        return _refuse(f"{message}: {kind.advice}" if kind.advice else message)
    if connector.kind == "generic" or connector.sniff(head, file_name) >= THRESHOLD:
        return connector
    cells = _cells(head) if kind.text else []
    if connector.columns and not match(connector.columns, cells)[1]:
        return connector  # its header is there: read it as asked
    own = f" (which needs {', '.join(match(connector.columns, cells)[1])})" if connector.columns else ""
    other = _best(head, file_name, connectors, name)
    if other is not None:
        has = match(other.columns, cells)[0] if other.columns else []
        seen = f"header matches {other.name} ({', '.join(has)})" if has else f"file matches {other.name}"
        return _refuse(f"{name}: the {seen}, not {name}{own}: {_use(other)}")
    unread = _unread(cells)
    if unread is not None:
        what, columns = unread
        return _refuse(f"{name}: the header looks like {what} ({', '.join(columns)}), not {name}{own}; "
                       f"no connector reads it yet: {MAPPING}")
    return connector


def _refuse(message: str) -> Connector:
    raise FormatError(message, 1)


def unrecognised(head: bytes, file_name: str, connectors: Sequence[Connector]) -> str:
    """Why no connector recognises the file, and what would make one do so."""
    label = file_name or "this file"
    known = ", ".join(c.name for c in connectors)
    usage = f"name it with --format (known formats: {known}) or {MAPPING}"
    kind = file_kind(head, file_name)
    if kind.name == "empty":
        return f"no connector recognises {label}: the file is empty"
    if not kind.text and kind.name != "json":
        return f"no connector recognises {label}: this is {kind.what}, not a CSV or JSON export" + (
            f": {kind.advice}" if kind.advice else "")
    if kind.name == "json":
        keys = _json_keys(head)
        shown = f" (keys: {_quote(keys)})" if keys else ""
        json_formats = ", ".join(c.name for c in connectors if container(c) == "json")
        return (f"no connector recognises {label}: it is JSON{shown}, but none of the JSON formats "
                f"({json_formats}) knows its keys; name it with --format if it is one of them")
    cells = _cells(head)
    unread = _unread(cells)
    if unread is not None:
        what, columns = unread
        return (f"no connector recognises {label}: the header looks like {what} ({', '.join(columns)}), "
                f"which no connector reads yet; {MAPPING}")
    near = closest(cells, connectors)
    hint = f"; closest: {', '.join(m.describe() for m in near)}" if near else ""
    return f"no connector recognises {label}{hint}; {usage}"


def _json_keys(head: bytes) -> list[str]:
    """The top-level keys (of the first object, for an array or NDJSON), when the head parses."""
    text = _text(head).lstrip()
    try:
        doc, _ = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError:
        return _scan_keys(text)  # the head cut the document: the keys seen so far
    if isinstance(doc, list):
        doc = next((d for d in doc if isinstance(d, dict)), {})
    return [str(k) for k in doc] if isinstance(doc, dict) else []


def _scan_keys(text: str) -> list[str]:
    """Keys of the first object (at its own level) of a JSON text that may be cut off."""
    keys: list[str] = []
    depth, base, i = 0, None, 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if depth == base and text[end + 1:].lstrip().startswith(":"):
                keys.append(text[i + 1:end])
            i = end + 1
            continue
        if ch in "{[":
            depth += 1
            if ch == "{" and base is None:
                base = depth
        elif ch in "}]":
            if depth == base:
                break
            depth -= 1
        i += 1
    return keys
