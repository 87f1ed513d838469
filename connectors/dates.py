"""Dates read per column, never per value: the day/month order of a column is decided once.

Export dates such as ``08/01/2025`` are ambiguous (8 January or 1 August). Reading each value on its own
(pandas' ``format="mixed"``) lets ``14/01/2025`` be read day-first and ``08/01/2025`` month-first in the
same column. Here every date column of a file is looked at as a whole:

* ISO ``YYYY-MM-DD`` (and ``YYYY/MM/DD``, named months, RFC 2822) needs no decision;
* a value that can only be day-first (``14/01/2025``) decides day-first, one that can only be month-first
  (``01/14/2025``) decides month-first, and both in one column refuse the file (``FormatError`` naming
  one line of each);
* a column of only ambiguous values follows, in this order: the user's ``--dates`` choice
  (``ReadOptions.date_order``; ``dayfirst=True`` is an alias of ``dmy``), another column of the same
  file that was decided by its values, the format's documented convention (``Convention``, declared by
  the connector module as ``DATE_CONVENTION``), the dotted notation ``dd.mm.yyyy`` (day-first wherever it
  is used), and last the warehouse's ``date_order`` setting (``ReadOptions.date_order_setting``, default
  month-first). Every assumption is said in the notes, with what to set if it is wrong.

``Dates`` collects the notes of one file; ``connectors.base.Parsed.notes`` carries them with the result.
Timestamps come back as naive UTC; naive values are read in ``tz`` with the rules of
``values.timestamps`` (the repeated autumn hour is standard time, the skipped spring hour moves forward).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from connectors.base import EMPTY_WORDS, FormatError, ReadOptions

ORDERS = ("dmy", "mdy", "ymd")
DEFAULT_ORDER = "mdy"
WORDS = {"dmy": "day-first", "mdy": "month-first", "ymd": "year-first"}
OTHER = {"dmy": "mdy", "mdy": "dmy", "ymd": "dmy"}


@dataclass(frozen=True)
class Convention:
    """A format's documented order for ambiguous numeric dates, and where that is documented."""

    order: str
    why: str  # "SurveyMonkey exports MM/DD/YYYY", said in the note


_TIME = (r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
         r"\s*(?P<P>[AaPp]\.?[Mm]\.?)?)?")
_OFFSET = r"(?:\s*(?P<Z>Z|z|[+-]\d{2}:?\d{2}|[+-]\d{2}|(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?))?"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
                 r"(?:\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?))?$")
YMD = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + _OFFSET + "$")
NUMERIC = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
                     + _TIME + _OFFSET + "$")
_WEEKDAY = r"(?:[A-Za-z]{2,9}\.?,?\s+)?"
DAY_NAMED = re.compile(r"^" + _WEEKDAY + r"(?P<d>\d{1,2})[-/. ]+(?P<mon>[^\W\d_]{3,9})\.?[-/. ,]+"
                       r"(?P<y>\d{4}|\d{2})" + _TIME + _OFFSET + "$")
NAMED_DAY = re.compile(r"^" + _WEEKDAY + r"(?P<mon>[^\W\d_]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?"
                       r"\s+(?P<y>\d{4})" + _TIME + _OFFSET + "$")
MONTHS: dict[str, int] = {}
for _n, _names in enumerate([
        "jan january januar janv janvier ene enero jän jänner gen",
        "feb february februar févr fev février febrero",
        "mar march märz mrz mär mars marzo",
        "apr april avr avril abr abril",
        "may mai mayo",
        "jun june juni juin junio",
        "jul july juli juil juillet julio",
        "aug august août aout ago agosto",
        "sep sept september septembre septiembre set",
        "oct october okt oktober octobre octubre",
        "nov november novembre noviembre",
        "dec december dez dezember déc décembre dic diciembre"], start=1):
    for _w in _names.split():
        MONTHS[_w] = _n


@dataclass
class _Column:
    name: str
    evidence: dict[str, tuple[int | None, str]] = field(default_factory=dict)  # order -> (line, value)
    ambiguous: tuple[int | None, str] | None = None  # first ambiguous d/m value
    year_first_short: bool = False


def explicit_order(opts: ReadOptions) -> str | None:
    """The order the user chose (``--dates``), with ``dayfirst=True`` as an alias of ``dmy``."""
    order = opts.date_order or ("dmy" if opts.dayfirst else None)
    if order is not None and order not in ORDERS:
        raise FormatError(f"date order '{order}' must be one of {', '.join(ORDERS)}")
    return order


class Dates:
    """The date decisions of one file: parse its date columns, collect the notes."""

    def __init__(self, opts: ReadOptions | None = None, convention: Convention | None = None,
                 tz: str | None = None, explicit: str | None = None,
                 refuse_ambiguous: bool = False) -> None:
        opts = opts or ReadOptions()
        self.refuse_ambiguous = refuse_ambiguous  # no assumption allowed (reference data: ISO only)
        self.tz = tz if tz is not None else opts.tz
        self.explicit = explicit if explicit is not None else explicit_order(opts)
        # How notes name the user's choice: "--dates dmy", "--dayfirst", "the mapping (dates: dmy)".
        self.explicit_from = f"--dates {self.explicit}" if opts.date_order or explicit is not None \
            else "--dayfirst"
        setting = opts.date_order_setting
        if setting is not None and setting not in ORDERS:
            raise FormatError(f"the date_order setting '{setting}' must be one of {', '.join(ORDERS)}")
        self.setting = setting or DEFAULT_ORDER
        self.convention = convention
        self.notes: list[str] = []
        self.warnings: list[str] = []  # values present but unreadable as a date: lost, so said
        self.decided: dict[str, str] = {}  # column -> order decided by its own values

    # -- public -----------------------------------------------------------------------------------

    def column(self, s: pd.Series, name: str, lines: pd.Series | None = None,
               tz: str | None = None) -> pd.Series:
        return self.columns({name: s}, lines, tz)[name]

    def columns(self, cols: Mapping[str, pd.Series], lines: pd.Series | None = None,
                tz: str | None = None) -> dict[str, pd.Series]:
        """Parse several date columns of one file: first every column's own evidence, then the
        assumptions of the ambiguous ones (which may follow a column decided by its values)."""
        seen: dict[str, tuple[pd.Series, pd.DataFrame, _Column]] = {}
        for name, s in cols.items():
            clean = _clean(s)
            parts, info = _examine(clean, name, lines)
            seen[name] = (clean, parts, info)
            if self.explicit == "ymd" and not parts.empty and bool((parts["y"].str.len() == 2).all()):
                # yy/mm/dd as the user says: the first number is a year, so it is no evidence of a day.
                self.decided[name] = "ymd"
                self.notes.append(f"{name}: read year-first (yy/mm/dd) as {self.explicit_from} says")
                continue
            if len(info.evidence) == 2:
                (l1, v1), (l2, v2) = info.evidence["dmy"], info.evidence["mdy"]
                raise FormatError(
                    f"{name}: dates in both orders in one column: line {l1} '{v1}' can only be "
                    f"day-first, line {l2} '{v2}' can only be month-first; the column cannot be read "
                    f"(fix the export or map the column with a date_format)", l1)
            if info.evidence:
                order, (line, value) = next(iter(info.evidence.items()))
                self.decided[name] = order
                self.notes.append(f"{name}: {WORDS[order]}, decided by line {line} '{value}'")
        out = {}
        for name, (clean, parts, info) in seen.items():
            chosen = self.decided.get(name)
            if chosen is None and info.ambiguous is not None:
                chosen = self._assume(info)
            out[name] = _build(clean, parts, chosen, self.tz if tz is None else tz)
            self._unread(name, clean, out[name], lines)
        return out

    def _unread(self, name: str, clean: pd.Series, got: pd.Series,
                lines: pd.Series | None) -> None:
        """A cell that holds something but reads as no date is a value lost: count it, show one."""
        lost = clean.notna() & got.isna()
        if not bool(lost.any()):
            return
        first = lost.idxmax()
        where = f"line {int(lines.loc[first])} " if lines is not None else ""
        self.warnings.append(
            f"{name}: {int(lost.sum()):,} value(s) are no date this reader knows and were left "
            f"empty (first: {where}'{clean.loc[first]}'); map the column with a date_format")

    # -- internals --------------------------------------------------------------------------------

    def _assume(self, info: _Column) -> str:
        line, value = info.ambiguous or (None, "")
        head = f"{info.name}: only ambiguous dates (e.g. line {line} '{value}')"
        if self.refuse_ambiguous:
            raise FormatError(f"{head}: day or month first cannot be told; write the dates as "
                              f"YYYY-MM-DD", line)
        if self.explicit is not None:
            order, why = self.explicit, f"as {self.explicit_from} says"
            if order == "ymd" and not info.year_first_short:
                raise FormatError(f"{info.name}: line {line} '{value}' ends with the year, so "
                                  f"--dates ymd cannot read it; use --dates dmy or mdy", line)
            self.notes.append(f"{head}; read {WORDS[order]} {why}")
            return order
        other = next(((c, o) for c, o in self.decided.items() if o != "ymd"), None)
        if other is not None:
            self.notes.append(f"{head}; read {WORDS[other[1]]} like {other[0]} in the same file; "
                              f"set --dates {OTHER[other[1]]} if wrong")
            return other[1]
        if self.convention is not None and self.convention.order != "ymd":
            order = self.convention.order
            self.notes.append(f"{head}; assumed {WORDS[order]} ({self.convention.why}); "
                              f"set --dates {OTHER[order]} if wrong")
            return order
        if "." in value:
            self.notes.append(f"{head}; assumed day-first (dotted dates dd.mm.yyyy are day-first); "
                              f"set --dates mdy if wrong")
            return "dmy"
        order = self.setting
        if order == "ymd" and not info.year_first_short:
            order = DEFAULT_ORDER
        self.notes.append(f"{head}; assumed {WORDS[order]} (the date_order setting); "
                          f"set --dates {OTHER[order]} if wrong")
        return order


def _clean(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip()
    low = s.str.lower()
    return s.mask((s == "") | low.isin([*EMPTY_WORDS, "na", "none", "nat"]), pd.NA)


def _examine(s: pd.Series, name: str, lines: pd.Series | None) -> tuple[pd.DataFrame, _Column]:
    """The d/m/y parts of the numeric ``a/b/y`` values of ``s`` and what they say about the order."""
    info = _Column(name)
    numeric = s.str.match(NUMERIC.pattern).fillna(False).astype(bool)
    if not numeric.any():
        return pd.DataFrame(index=s.index[:0]), info
    parts = s[numeric].str.extract(NUMERIC.pattern)
    a, b = parts["a"].astype(int), parts["b"].astype(int)
    where = (lines if lines is not None else pd.Series(s.index + 1, index=s.index))
    for order, hit in (("dmy", (a > 12) & (b <= 12)), ("mdy", (b > 12) & (a <= 12))):
        if hit.any():
            i = hit.idxmax()
            line = where.get(i)
            info.evidence[order] = (None if line is None or pd.isna(line) else int(line), str(s[i]))
    ambiguous = (a <= 12) & (b <= 12) & (a != b)
    if ambiguous.any():
        i = ambiguous.idxmax()
        line = where.get(i)
        info.ambiguous = (None if line is None or pd.isna(line) else int(line), str(s[i]))
        info.year_first_short = bool((parts["y"].str.len() == 2).all())
    return parts, info


def _iso_text(y: pd.Series, m: pd.Series, d: pd.Series, parts: pd.DataFrame) -> pd.Series:
    """ISO text from parts (strings or ints); invalid parts give text pandas will not read."""
    hour = pd.to_numeric(parts["H"], errors="coerce").fillna(0).astype(int)
    ampm = parts["P"].fillna("").str.lower().str[:1].fillna("").astype(object)
    bad_ampm = (ampm != "") & ((hour > 12) | (hour == 0))
    hour = hour.where(ampm != "p", hour % 12 + 12).where(ampm != "a", hour % 12)
    frac = parts["F"].fillna("").str[:6]
    frac = ("." + frac).where(frac != "", "")
    zone = parts["Z"].fillna("").map(_offset)
    text = (y.astype(str).str.zfill(4) + "-" + m.astype(str).str.zfill(2) + "-"
            + d.astype(str).str.zfill(2) + "T" + hour.astype(str).str.zfill(2) + ":"
            + parts["M"].fillna("00") + ":" + parts["S"].fillna("00") + frac + zone)
    return text.mask(bad_ampm, "invalid")


def _offset(z: str) -> str:
    if not z:
        return ""
    if z in ("Z", "z") or z.upper() in ("GMT", "UTC"):
        return "+00:00"
    z = z.upper().removeprefix("GMT").removeprefix("UTC")
    sign, rest = z[0], z[1:].replace(":", "")
    if len(rest) <= 2:
        hh, mm = rest, "00"
    else:
        hh, mm = rest[:-2], rest[-2:]
    return f"{sign}{int(hh):02d}:{mm}"


def _build(s: pd.Series, numeric: pd.DataFrame, order: str | None, tz: str) -> pd.Series:
    """Every value of ``s`` as ISO text (NA where unreadable), then to naive UTC."""
    iso = pd.Series(pd.NA, index=s.index, dtype="string")
    present = s.notna()
    plain = present & s.str.match(ISO.pattern).fillna(False).astype(bool)
    iso[plain] = s[plain].str.replace(" ", "T", n=1, regex=False).str.replace(r"\s+", "", regex=True)
    if not numeric.empty:
        a, b = numeric["a"].astype(int), numeric["b"].astype(int)
        y = numeric["y"].astype(int)
        if order == "ymd":
            yy, m, d = a, b, y
        elif order == "dmy":
            yy, m, d = y, b, a
        else:  # mdy, or a column whose values were all a == b (or no decision needed)
            yy, m, d = y, a, b
        yy = yy.where(yy >= 100, yy + 2000).where(~((yy < 100) & (yy >= 69)), yy + 1900)
        iso[numeric.index] = _iso_text(yy, m, d, numeric)
    rest = present & iso.isna()
    for pattern in (YMD, DAY_NAMED, NAMED_DAY):
        hit = rest & s.str.match(pattern.pattern).fillna(False).astype(bool)
        if not hit.any():
            continue
        parts = s[hit].str.extract(pattern.pattern)
        if "mon" in parts:
            month = parts["mon"].str.lower().str.rstrip(".").map(MONTHS)
            ok = month.notna()
            parts, month = parts[ok], month[ok].astype(int)
            year = parts["y"].astype(int)
            year = year.where(year >= 100, year + 2000).where(~((year < 100) & (year >= 69)), year + 1900)
        else:
            month, year = parts["m"], parts["y"]
        if not parts.empty:
            iso[parts.index] = _iso_text(year, month, parts["d"], parts)
        rest &= iso.isna()
    return _to_utc(iso, tz)


def _to_utc(iso: pd.Series, tz: str) -> pd.Series:
    out = pd.Series(pd.NaT, index=iso.index, dtype="datetime64[us]")
    has = iso.notna()
    zoned = has & iso.str.contains(r"T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}(?::?\d{2})?|[Zz])$",
                                   regex=True).fillna(False).astype(bool)
    naive = has & ~zoned
    if zoned.any():
        parsed = pd.to_datetime(iso[zoned], format="ISO8601", errors="coerce", utc=True)
        out[zoned] = parsed.dt.tz_localize(None).astype("datetime64[us]")
    if naive.any():
        parsed = pd.to_datetime(iso[naive], format="ISO8601", errors="coerce").astype("datetime64[us]")
        if tz and tz.upper() != "UTC":
            # The repeated hour when clocks go back is read as standard time (an export has no way
            # to tell); the skipped hour in spring is shifted forward. Neither rejects a row.
            parsed = parsed.dt.tz_localize(tz, ambiguous=np.zeros(len(parsed), dtype=bool),
                                           nonexistent="shift_forward")
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        out[naive] = parsed
    return out
