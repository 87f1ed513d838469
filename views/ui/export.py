"""CSV downloads that are safe to open in a spreadsheet.

Text cells that start with ``=``, ``+``, ``-``, ``@`` (or tab / carriage return) are formulas to Excel and
LibreOffice; a leading apostrophe makes them text (OWASP "CSV injection"). Numbers are left alone.
"""

from __future__ import annotations

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(defuse)
    return out.to_csv(index=False).encode("utf-8-sig")
