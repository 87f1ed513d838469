"""The text a PDF shows, for tests of the PDFs we write (fpdf2, Helvetica, Latin-1).

Every content stream is inflated and its string operands (``(...) Tj``) are read, unescaped. A
stream is taken up to ``endstream`` and inflated with a decompress object, which stops at the end of
the zlib data, so compressed bytes that happen to end in a carriage return are not cut short. One
definition for the board pack's and the charge-back statement's tests.
"""

from __future__ import annotations

import re
import zlib


def pdf_text(data: bytes) -> str:
    chunks: list[bytes] = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        raw = match.group(1)
        try:
            raw = zlib.decompressobj().decompress(raw)
        except zlib.error:
            pass
        chunks += re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", raw)
    return " ".join(re.sub(r"\\(.)", r"\1", c.decode("latin-1")) for c in chunks)
