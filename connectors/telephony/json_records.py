"""JSON record streams as telephony platforms deliver them (export-formats.md 2.3, 2.4).

One reader for the three shapes the same records arrive in: a JSON array (API dumps), one record per
line (NDJSON: Twilio BulkExport, Firehose with a newline processor) and records glued together with no
separator at all (Kinesis Firehose to S3 writes ``{...}{...}``). A ``json.JSONDecoder.raw_decode`` loop
reads all three, and walks into top-level arrays element by element, so a file of several arrays
(``[...][...]``, Firehose batches) is read too. gzip files (BulkExport Day files, compressed Firehose
objects) are unpacked first. A file whose JSON breaks off (a truncated download) is refused naming the
line, because a half-read stream cannot say how many records were lost.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

from connectors.base import FormatError
from connectors.textfile import decode

GZIP_MAGIC = b"\x1f\x8b"
WHITESPACE = " \t\r\n"


def unpack(data: bytes, what: str) -> bytes:
    """The bytes of a file, gunzipped when they are gzip."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise FormatError(f"{what}: the gzip file cannot be unpacked (truncated download?): {exc}") from exc


def head_text(head: bytes) -> str:
    """The start of a file as text for sniffing, gunzipping what a partial gzip head allows."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 262144)
        except zlib.error:
            return ""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.decode("utf-8", errors="replace")


def values(data: bytes, what: str) -> Iterator[Any]:
    """Every top-level JSON value of the file, with top-level arrays flattened into their elements."""
    text = decode(unpack(data, what))
    if not text.strip():
        raise FormatError(f"{what}: the file is empty")
    decoder = json.JSONDecoder()
    pos, end, depth = 0, len(text), 0  # depth: inside how many top-level brackets we are
    while True:
        while pos < end and (text[pos] in WHITESPACE or (depth and text[pos] == ",")):
            pos += 1
        if pos >= end:
            break
        char = text[pos]
        if char == "[":
            depth += 1
            pos += 1
            continue
        if char == "]" and depth:
            depth -= 1
            pos += 1
            continue
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise FormatError(f"{what}: the JSON breaks off or is invalid at line {exc.lineno} "
                              f"column {exc.colno}: {exc.msg} (truncated export?)", exc.lineno) from exc
        yield value
    if depth:
        line = text.count("\n") + 1
        raise FormatError(f"{what}: the JSON array is not closed at the end of the file, line {line} "
                          "(truncated export?)", line)


def dig(record: Any, *path: str) -> Any:
    """``record[a][b]...`` or None where any step is missing or null (CTRs null whole objects)."""
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record
