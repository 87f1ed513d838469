"""Vectorised conversions from export strings to canonical values.

Every converter takes a pandas Series of strings (empty string = missing) and returns a Series, with
NaT/NaN/None where a value could not be read, so a connector can turn the unreadable ones into rejects.
Timestamps come back as naive UTC (the warehouse stores UTC).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from connectors.dates import ISO, Dates

TRUE = {"true", "1", "yes", "y", "t", "ja", "oui", "si", "sí"}
FALSE = {"false", "0", "no", "n", "f", "nein", "non"}


def blank_to_na(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip()
    return s.mask(s == "", pd.NA)


def timestamps(s: pd.Series, fmt: str | None = None, tz: str = "UTC", dayfirst: bool = False,
               dates: Dates | None = None, name: str = "", lines: pd.Series | None = None) -> pd.Series:
    """Parse timestamps. Values with an offset are converted to UTC; naive ones are read in ``tz``.

    With ``fmt`` every value must have that strftime format (or ISO8601). Without it the day/month
    order is decided once for the whole column (``connectors.dates``), never per value; pass the
    file's ``dates`` (and the column's ``name`` and ``lines``) so the decision is said in its notes.
    ``dayfirst=True`` (without ``dates``) reads an all-ambiguous column day-first."""
    if fmt is not None and fmt.upper() == "ISO8601":  # ISO only: anything else is unreadable
        s = blank_to_na(s)
        s = s.where(s.str.match(ISO.pattern).fillna(False).astype(bool))
    if fmt is None or fmt.upper() == "ISO8601":
        decider = dates or Dates(explicit="dmy" if dayfirst else None, tz=tz)
        return decider.column(s, name or str(s.name or "timestamp"), lines, tz=tz)
    s = blank_to_na(s)
    try:
        parsed = pd.to_datetime(s, format=fmt, errors="coerce", utc=False)
    except ValueError:
        # pandas >= 3 raises on mixed offsets (+10:00 / +11:00 across DST) instead of returning objects.
        parsed = pd.to_datetime(s, errors="coerce", format=fmt, utc=True)
        return parsed.dt.tz_localize(None).astype("datetime64[us]")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
    parsed = parsed.astype("datetime64[us]")
    if tz and tz.upper() != "UTC":
        # The repeated hour when clocks go back is read as standard time (an export has no way to
        # tell); the skipped hour in spring is shifted forward. Neither is a reason to reject a row.
        parsed = parsed.dt.tz_localize(tz, ambiguous=np.zeros(len(parsed), dtype=bool),
                                       nonexistent="shift_forward")
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed


def epoch_seconds(s: pd.Series) -> pd.Series:
    num = pd.to_numeric(blank_to_na(s), errors="coerce")
    return pd.to_datetime(num, unit="s", errors="coerce").astype("datetime64[us]")


def numbers(s: pd.Series) -> pd.Series:
    """Numbers with either decimal separator (``1.234,5`` and ``1,234.5``)."""
    s = blank_to_na(s)
    comma_decimal = s.str.contains(r"^-?[\d.]*,\d+$", regex=True, na=False)
    fixed = s.where(~comma_decimal, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    fixed = fixed.str.replace(",", "", regex=False)
    return pd.to_numeric(fixed, errors="coerce").astype("float64")


def hms_seconds(s: pd.Series) -> pd.Series:
    """``HH:MM:SS`` (or ``MM:SS``) strings to seconds; plain numbers pass through. A leading minus
    signs the whole duration (``-0:30`` is -30 s), so the loader can see it is impossible."""
    s = blank_to_na(s)
    negative = s.str.strip().str.startswith("-").fillna(False).astype(bool)
    parts = s.str.strip().str.lstrip("-").str.split(":", expand=True)
    if parts.shape[1] <= 1:  # no ":" anywhere (or no rows at all)
        return numbers(s)
    parts = parts.apply(pd.to_numeric, errors="coerce").astype("float64")  # Int64 + 1.5 fails
    if parts.shape[1] == 2:
        total = parts[0] * 60 + parts[1]
    else:
        total = parts[0] * 3600 + parts[1] * 60 + parts[2]
        total = total.where(parts[2].notna(), parts[0] * 60 + parts[1])  # MM:SS among HH:MM:SS
    total = total.where(~negative, -total)
    plain = s.notna() & ~s.str.contains(":", na=False)
    return total.where(~plain, numbers(s)).astype("float64")


def booleans(s: pd.Series) -> pd.Series:
    low = blank_to_na(s).str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[low.isin(TRUE).fillna(False).astype(bool)] = True
    out[low.isin(FALSE).fillna(False).astype(bool)] = False
    return out


def mapped(s: pd.Series, mapping: Mapping[str, str], default: str | None = None) -> pd.Series:
    """Map labels case-insensitively; unmapped non-empty values get ``default`` (or stay as they are)."""
    low = {k.lower(): v for k, v in mapping.items()}
    clean = blank_to_na(s)
    out = clean.str.lower().map(low)
    if default is not None:
        out = out.where(out.notna() | clean.isna(), default)
    else:
        out = out.where(out.notna(), clean)
    return out.astype("string")


def text(s: pd.Series) -> pd.Series:
    return blank_to_na(s)


def frame(rows: list[list[str]], header: list[str]) -> pd.DataFrame:
    """Rows of cells to a frame of strings; short rows are padded, long ones cut to the header."""
    width = len(header)
    fixed = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in rows]
    arr = np.array(fixed, dtype=object) if fixed else np.empty((0, width), dtype=object)
    return pd.DataFrame(arr, columns=pd.Index(range(width))).set_axis(
        pd.Index(_unique(header)), axis=1
    )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out
