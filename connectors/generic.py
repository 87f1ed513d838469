"""The generic mapping connector: any CSV, described by a small YAML file (docs/generic-mapping.md).

Tools without a connector of their own (a home-grown helpdesk, a BI extract, a survey tool nobody wrote
a connector for) are read through a mapping: canonical field -> source column, optional value maps,
constants, the date format and the time zone. It is never sniffed (``sniff`` is 0): it runs only with
``--format generic`` or ``--mapping FILE``. ``load_mapping`` checks the whole YAML before any file is
read, so a typo in a field name is reported once, by name, instead of as thousands of rejected rows.

Kinds: ``contacts`` (CONTACT_COLUMNS), ``surveys`` (SURVEY_COLUMNS) and ``both``: a contact log that
also carries the customer's rating (CSAT, NPS, CES, resolved, comment). ``both`` stores every row as a
contact and, where the row holds a rating or comment, a survey response linked to that contact (same
record id; responded at = the mapped ``responded_at``, else closed_at, else opened_at).

Values: durations as ``HH:MM:SS``, ``MM:SS`` or plain seconds; booleans yes/no, true/false, 1/0, ja/nein;
numbers with either decimal separator; channel words (Telefon, E-Mail, Live Chat...) are recognised,
others need a value map, and a contact whose channel or direction stays unknown is rejected naming the
value. Timestamps use ``date_format`` (one strftime format, or one per field) or have their day/month
order decided once per column (``connectors.dates``; ``dates: dmy|mdy|ymd`` or ``dayfirst`` for columns
of only ambiguous dates); naive ones are read in ``timezone`` (which wins over ``--tz``, because the
mapping describes the source). YAML reads unquoted Yes/No/On/Off as booleans: quote them in value maps.

What real files need: ``header: false`` with columns by position (1 = first column); a list of columns
(``opened_at: [Date, Time]`` joins a date and a time column; ``source_record_id: [Call, Leg]`` builds an
id from several columns, joined with ``|``); ``source_record_id: "#row"`` numbers the rows by their line
when a file has no id (a warning says such rows cannot be de-duplicated); ``csat_scale: 2`` for
good/bad ratings (1 good, 0 bad; a map onto 1/2 is read as bad = 1, good = 2); a rating value that maps
to nothing is counted in ``Parsed.warnings``, never dropped silently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import yaml

from connectors import values as v
from connectors.base import (
    CHANNELS,
    CONTACT_COLUMNS,
    SURVEY_COLUMNS,
    Connector,
    FormatError,
    Parsed,
    ReadOptions,
    Reject,
)
from connectors.dates import ORDERS, Dates
from connectors.survey import measures
from connectors.textfile import checked_text, records, sniff_delimiter

TOP_KEYS = ("name", "kind", "description", "delimiter", "header", "date_format", "timezone", "dates",
            "dayfirst", "columns", "values", "defaults")
ROW_NUMBER = "#row"  # source_record_id: "#row" = the row's line in the file (a file without ids)
ID_FIELDS = ("source_record_id", "case_id", "contact_record_id")
CSAT_SCALES = (2, 5, 10)
# Good/bad answers on csat_scale 2 (1 good, 0 bad), used when the scale is stated as 2.
TWO_POINT = {"good": 1, "bad": 0, "positive": 1, "negative": 0, "satisfied": 1, "dissatisfied": 0,
             "unsatisfied": 0, "thumbs up": 1, "thumbs down": 0, "\U0001f44d": 1, "\U0001f44e": 0,
             "yes": 1, "no": 0, "gut": 1, "schlecht": 0, "zufrieden": 1, "unzufrieden": 0}
EMPTY_WORDS = {"null", "n/a", "na", "-", "none"}  # literal empties, not ratings that map to nothing
KINDS = ("contacts", "surveys", "both", "questions")
RATINGS = ("csat", "nps", "ces", "resolved", "comment")
TYPES: dict[str, dict[str, str]] = {
    "contacts": {k: t for k, t in CONTACT_COLUMNS.items() if k != "line"},
    "surveys": {k: t for k, t in SURVEY_COLUMNS.items() if k != "line"},
}
TYPES["both"] = {**TYPES["contacts"], **{k: SURVEY_COLUMNS[k] for k in
                                         ("responded_at", *RATINGS, "csat_scale")}}
TYPES["questions"] = {k: SURVEY_COLUMNS[k] for k in measures.OVERRIDE_KEYS}
DIRECTION_WORDS = {"inbound": "inbound", "in": "inbound", "incoming": "inbound", "eingehend": "inbound",
                   "outbound": "outbound", "out": "outbound", "outgoing": "outbound",
                   "ausgehend": "outbound", "outcall": "outbound"}


def _fail(origin: str, message: str) -> FormatError:
    return FormatError(f"generic mapping {origin}: {message}")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def validate(raw: Any, origin: str = "", default_name: str = "generic") -> dict[str, Any]:
    """Check a parsed mapping and return it normalised; every problem names the key to fix."""
    if not isinstance(raw, dict):
        raise _fail(origin, "the YAML must be a mapping of keys (name, kind, columns, ...)")
    unknown = [k for k in raw if k not in TOP_KEYS]
    if unknown:
        raise _fail(origin, f"unknown key(s) {', '.join(map(str, unknown))}; "
                            f"allowed: {', '.join(TOP_KEYS)}")
    name = str(raw.get("name") or default_name).strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
        raise _fail(origin, f"name '{name}' must be a word of letters, digits, _ or - "
                            "(it becomes the source system)")
    kind = raw.get("kind", "contacts")
    if kind not in KINDS:
        raise _fail(origin, f"kind '{kind}' must be one of {', '.join(KINDS)}")
    types = TYPES[kind]
    allowed = ", ".join(types)

    def fields(key: str) -> dict[str, Any]:
        section = raw.get(key) or {}
        if not isinstance(section, dict):
            raise _fail(origin, f"'{key}' must map canonical fields to values")
        bad = [str(f) for f in section if f not in types]
        if bad:
            raise _fail(origin, f"unknown canonical field(s) under {key}: {', '.join(bad)} "
                                f"(kind {kind} knows: {allowed})")
        return section

    header = raw.get("header", True)
    if not isinstance(header, bool):
        raise _fail(origin, "header must be true or false (false: columns are given by position)")
    section = fields("columns")
    if kind == "questions":
        columns: dict[str, Any] = {f: _scalar(c).strip() for f, c in section.items()}
        if any(not c for c in columns.values()):
            raise _fail(origin, "'columns' must name a source column for each canonical field")
    else:
        columns = {f: _column_spec(origin, f, c, types[f], header) for f, c in section.items()}
    if not columns:
        raise _fail(origin, "'columns' must name a source column for each canonical field")
    if "csat_scale" in columns:
        raise _fail(origin, "csat_scale is a constant: give it under defaults, not columns")
    value_maps: dict[str, dict[str, str]] = {}
    for f, vm in fields("values").items():
        if not isinstance(vm, dict):
            raise _fail(origin, f"values: {f} must map source values to canonical ones")
        value_maps[f] = {_scalar(k): _scalar(x) for k, x in vm.items()}
    defaults = {f: _scalar(x) for f, x in fields("defaults").items()}
    _check_csat(origin, columns, value_maps, defaults)
    need = {"contacts": ["source_record_id", "opened_at"], "both": ["source_record_id", "opened_at"],
            "surveys": ["source_record_id", "responded_at"], "questions": []}[kind]
    lacking = [f for f in need if f not in columns]
    if kind in ("contacts", "both"):
        lacking += [f for f in ("channel", "direction") if f not in columns and f not in defaults]
    if lacking:
        raise _fail(origin, f"kind {kind} needs {', '.join(lacking)} (map a column"
                            f"{'' if kind == 'surveys' else ' or give a default'})")
    fmt = raw.get("date_format")
    if fmt is not None and not isinstance(fmt, str | dict):
        raise _fail(origin, "date_format must be a strftime format or a map field -> format")
    if isinstance(fmt, dict):
        fmt = {f: str(x) for f, x in fields("date_format").items()}
    tz = str(raw.get("timezone") or "")
    if tz:
        try:
            ZoneInfo(tz)
        except (KeyError, ValueError):
            raise _fail(origin, f"unknown timezone '{tz}' (use an IANA name like Europe/Berlin)") \
                from None
    delimiter = raw.get("delimiter")
    delimiter = "\t" if delimiter in ("tab", "\\t") else delimiter
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise _fail(origin, "delimiter must be one character (or 'tab')")
    dayfirst = raw.get("dayfirst")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise _fail(origin, "dayfirst must be true or false")
    order = raw.get("dates")
    if order is not None and order not in ORDERS:
        raise _fail(origin, f"dates must be one of {', '.join(ORDERS)} (the order of ambiguous dates)")
    return {"name": name, "kind": kind, "delimiter": delimiter, "header": header, "date_format": fmt,
            "timezone": tz or None, "dates": order, "dayfirst": dayfirst, "columns": columns,
            "values": value_maps, "defaults": defaults, "generic_mapping": True}


def _column_spec(origin: str, field: str, raw: Any, typ: str, header: bool) -> list[str | int]:
    """A field's source: a column name, a position (1 = first column), or a list of them."""
    parts = raw if isinstance(raw, list) else [raw]
    if isinstance(raw, list) and len(raw) < 2:
        raise _fail(origin, f"columns: {field}: a list needs two or more columns")
    if isinstance(raw, list) and typ not in ("TIMESTAMP", "TEXT"):
        raise _fail(origin, f"columns: {field}: only a timestamp (date + time) or a text field such "
                            "as an id can be made from several columns")
    out: list[str | int] = []
    for part in parts:
        if isinstance(part, bool) or part is None or isinstance(part, list | dict | float):
            raise _fail(origin, f"columns: {field}: '{part}' is not a column name or position")
        if isinstance(part, int):
            if part < 1:
                raise _fail(origin, f"columns: {field}: position {part} must be 1 or more "
                                    "(1 = the first column)")
            out.append(part)
            continue
        name = str(part).strip()
        if not name:
            raise _fail(origin, "'columns' must name a source column for each canonical field")
        if name == ROW_NUMBER and (field != "source_record_id" or isinstance(raw, list)):
            raise _fail(origin, f"columns: {field}: {ROW_NUMBER} (the row's line) is only for "
                                "source_record_id, on its own")
        if not header and name != ROW_NUMBER:
            raise _fail(origin, f"columns: {field}: '{name}' is a name, but header is false: give "
                                "the column's position (1 = the first column)")
        out.append(name)
    return out


def _check_csat(origin: str, columns: dict[str, Any], value_maps: dict[str, dict[str, str]],
                defaults: dict[str, str]) -> None:
    """The CSAT scale must be stated where a value map makes it two-point (Good=2, Bad=1)."""
    raw = defaults.get("csat_scale")
    scale = None
    if raw:
        try:
            scale = int(float(raw))
        except ValueError:
            scale = None
        if scale not in CSAT_SCALES:
            raise _fail(origin, f"defaults: csat_scale '{raw}' must be 2 (good/bad), 5 or 10")
    targets = sorted({x.strip() for x in value_maps.get("csat", {}).values() if x.strip()})
    if "csat" not in columns or not targets:
        return
    numbers = {float(x) for x in targets if re.fullmatch(r"-?\d+(\.\d+)?", x)}
    shown = ", ".join(f"{k}={x}" for k, x in value_maps["csat"].items())
    if scale is None and len(targets) == 2:
        raise _fail(origin, f"values: csat maps onto two values ({shown}): state the scale under "
                            "defaults, csat_scale: 2 for good/bad (1 good, 0 bad), or 5 / 10")
    if scale == 2 and not (numbers <= {0.0, 1.0} or numbers <= {1.0, 2.0}):
        raise _fail(origin, f"values: csat ({shown}) on csat_scale 2 must map good to 1 and bad to 0 "
                            "(or good to 2 and bad to 1)")


def load_mapping(path: Path) -> dict[str, Any]:
    """Read and check a mapping YAML; the source name defaults to the file's stem."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise _fail(Path(path).name, f"not valid YAML{where}: {problem}") from exc
    stem = re.sub(r"[^a-z0-9_-]+", "_", Path(path).stem.lower()).strip("_") or "generic"
    return validate(raw, Path(path).name, stem if stem[0].isalpha() else "generic")


def _convert(field: str, s: pd.Series, kind: str) -> pd.Series:
    """Every field but timestamps and CSAT (those are read per column and per scale in ``read``)."""
    typ = TYPES[kind][field]
    if field.endswith("_seconds"):
        return v.hms_seconds(s)
    if field in ("nps", "ces", "resolved"):
        return getattr(measures, field)(s)
    if field == "channel":
        return measures.channel(s, unknown=None if kind != "surveys" else "other")
    if field == "direction":
        low = v.blank_to_na(s).str.lower()
        return low.map(DIRECTION_WORDS).where(low.map(DIRECTION_WORDS).notna(), low)
    if typ == "BOOLEAN":
        return v.booleans(s)
    if typ == "INTEGER":
        return v.numbers(s).round().astype("Int64")
    if typ == "DOUBLE":
        return v.numbers(s)
    return v.text(s)


def _resolve(header: list[str], columns: dict[str, list[str | int]], origin: str,
             named: bool) -> dict[str, list[str]]:
    """Field -> the frame's column names (positions and names resolved; ``#row`` kept)."""
    low = {h.strip().lower(): h for h in reversed(header)}
    found: dict[str, list[str]] = {}
    missing = []
    for field, parts in columns.items():
        hits: list[str] = []
        for part in parts:
            if part == ROW_NUMBER:
                hits.append(ROW_NUMBER)
            elif isinstance(part, int):
                if part > len(header):
                    missing.append(f"position {part} (for {field}; the file has {len(header)} columns)")
                else:
                    hits.append(header[part - 1])
            else:
                hit = part if part in header else low.get(part.strip().lower())
                if hit is None:
                    missing.append(f"'{part}' (for {field})")
                else:
                    hits.append(hit)
        found[field] = hits
    if missing:
        has = f"the file has: {', '.join(header)}" if named else f"the file has {len(header)} columns"
        raise FormatError(f"generic ({origin}): column(s) not in the file: {', '.join(missing)}; {has}",
                          1 if named else None)
    return found


def _joined(f: pd.DataFrame, parts: list[str], line: pd.Series, typ: str) -> pd.Series:
    """One source: a column, the row's line (``#row``), or several columns joined (a date and a time
    with a space; id parts with ``|``; blank when every part is blank)."""
    cells = [line.astype("string") if p == ROW_NUMBER else f[p].astype("string").str.strip()
             for p in parts]
    if len(cells) == 1:
        return cells[0]
    if typ == "TIMESTAMP":
        out = cells[0]
        for c in cells[1:]:
            out = (out + " " + c).where(c.fillna("") != "", out)
        return out.where(cells[0].fillna("") != "", "")
    filled = pd.concat([c.fillna("") for c in cells], axis=1)
    joined = filled.agg("|".join, axis=1).astype("string")
    return joined.where((filled != "").any(axis=1), "")


def _csat(raw: pd.Series, scale: int | None, mapped_onto: set[str], name: str) -> tuple[pd.Series, int]:
    """CSAT on its scale. On csat_scale 2 good/bad words are 1/0, and a 1/2 numbering (Good=2, Bad=1)
    becomes 1/0, so 'bad' can never count as satisfied; a column mixing 0 and 2 is refused."""
    if scale != 2:
        return measures.csat(raw, scale)
    low = v.blank_to_na(raw).str.lower()
    words = low.map(TWO_POINT).astype("float64")
    number = v.numbers(raw.where(words.isna(), ""))
    seen = set(number.dropna().unique())
    if {0.0, 2.0} <= seen:
        raise FormatError(f"generic ({name}): csat on csat_scale 2 holds 0, 1 and 2: map good to 1 "
                          "and bad to 0 under values: csat")
    shifted = 2.0 in seen or bool(mapped_onto) and mapped_onto <= {"1", "2"} and "2" in mapped_onto
    if shifted:
        number = number - 1
    return words.fillna(number), 2


def read(data: bytes, opts: ReadOptions) -> Parsed:
    if not opts.mapping:
        raise FormatError("generic: no mapping given; describe the file with --mapping FILE "
                          "(see docs/generic-mapping.md)")
    mp = dict(opts.mapping) if opts.mapping.get("generic_mapping") else validate(opts.mapping)
    name, kind = mp["name"], mp["kind"]
    if kind == "questions":
        raise FormatError(f"generic ({name}): this mapping (kind questions) only names survey "
                          "questions; load the file with --format qualtrics, surveymonkey or typeform")
    text = checked_text(data, f"generic ({name})")
    named = mp.get("header", True)
    rows = list(records(text, mp["delimiter"] or sniff_delimiter(text.split("\n", 1)[0])))
    if named:
        header, body = [h.strip() for h in rows[0][1]], rows[1:]
    else:
        width = max((len(r) for _, r in rows), default=0)
        header, body = [f"column {i}" for i in range(1, width + 1)], rows
    f = v.frame([r for _, r in body], header)
    columns = {k: (c if isinstance(c, list) else [c]) for k, c in mp["columns"].items()}
    cols = _resolve(list(f.columns), columns, name, named)
    line = pd.Series([n for n, _ in body], dtype="int64", index=f.index)
    tz = mp["timezone"] or opts.tz
    explicit = mp.get("dates") or ("dmy" if mp["dayfirst"] else "mdy" if mp["dayfirst"] is False
                                   else None)
    dates = Dates(opts, tz=tz, explicit=explicit)
    if explicit is not None:
        dates.explicit_from = f"the mapping (dates: {explicit})"
    warnings: list[str] = []
    types = TYPES[kind]
    raws: dict[str, pd.Series] = {}
    for field in dict.fromkeys([*cols, *mp["defaults"]]):
        raw = _joined(f, cols[field], line, types[field]) if field in cols \
            else pd.Series("", index=f.index, dtype="string")
        if field in mp["values"]:
            raw = v.mapped(raw, mp["values"][field]).fillna("")
        if field in mp["defaults"]:
            raw = raw.mask(v.blank_to_na(raw).isna(), mp["defaults"][field])
        raws[field] = raw
    fmt = mp["date_format"]
    stamps = [k for k in raws if types[k] == "TIMESTAMP"]
    lenient = {k: raws[k] for k in stamps if (fmt.get(k) if isinstance(fmt, dict) else fmt) is None}
    labels: dict[str, str] = {}  # field -> how notes name it (unique: two fields may share a column)
    for k in lenient:
        label = _label(cols, k)
        labels[k] = label if label not in labels.values() else f"{label} ({k})"
    parsed = dates.columns({labels[k]: s for k, s in lenient.items()}, line) if lenient else {}
    out = pd.DataFrame(index=f.index)
    for field, raw in raws.items():
        if field in lenient:
            out[field] = parsed[labels[field]]
        elif field in stamps:
            one = fmt.get(field) if isinstance(fmt, dict) else fmt
            out[field] = v.timestamps(raw, fmt=one, tz=tz)
        elif field == "csat":
            scale = mp["defaults"].get("csat_scale")
            onto = {x.strip() for x in mp["values"].get("csat", {}).values()}
            out["csat"], found = _csat(raw, int(float(scale)) if scale else None, onto, name)
            out["csat_scale"] = pd.Series(found, index=f.index).where(out["csat"].notna())
        elif field != "csat_scale":
            out[field] = _convert(field, raw, kind)
        if field in RATINGS and field != "comment":
            warnings += _unmapped(field, raw, out[field], line, _label(cols, field))
    if cols.get("source_record_id") == [ROW_NUMBER]:
        warnings.append(f"no record id: each row's id is its line number ({ROW_NUMBER}), so rows "
                        "could not be de-duplicated (a row exported twice, or the same file edited "
                        "and loaded again, gives contacts twice)")
    out["line"] = line
    if kind == "surveys":
        return Parsed(name, len(body), surveys=out, notes=dates.notes, warnings=warnings)
    rejects: list[Reject] = []
    keep = pd.Series(True, index=f.index)
    for field, canon in (("channel", CHANNELS), ("direction", ("inbound", "outbound"))):
        bad = out[field].notna() & ~out[field].isin(canon) & keep
        for i in f.index[bad.fillna(False).astype(bool)]:
            rejects.append(Reject(int(out["line"][i]), f"unknown {field} '{out[field][i]}' "
                                  f"(add it under values: {field})", str(out.get(
                                      "source_record_id", pd.Series(""))[i])))
        keep &= ~bad.fillna(False).astype(bool)
    out = out[keep]
    contacts = out[[c for c in out.columns if c in CONTACT_COLUMNS]].reset_index(drop=True)
    surveys = pd.DataFrame()
    if kind == "both":
        surveys = _ratings(out)
    return Parsed(name, len(body), contacts=contacts, surveys=surveys,
                  rejects=sorted(rejects, key=lambda r: r.line or 0), notes=dates.notes,
                  warnings=warnings)


def _label(cols: dict[str, list[str]], field: str) -> str:
    """How notes and warnings name a field's source: its column(s), or the field."""
    parts = [p for p in cols.get(field, []) if p != ROW_NUMBER]
    return " + ".join(parts) if parts else field


def _unmapped(field: str, raw: pd.Series, got: pd.Series, line: pd.Series, source: str) -> list[str]:
    """A rating cell with text that maps to nothing is counted and named, never dropped silently."""
    text = v.blank_to_na(raw)
    lost = text.notna() & ~text.str.lower().isin(EMPTY_WORDS).fillna(False) & got.isna()
    lost = lost.fillna(False).astype(bool)
    if not lost.any():
        return []
    counts = text[lost].value_counts()
    shown = ", ".join(f"'{val}' x{n}" for val, n in counts.head(5).items())
    more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
    first = int(line[lost].iloc[0])
    return [f"{field} ({source}): {int(lost.sum())} value(s) map to no {field} and were left empty: "
            f"{shown}{more} (first on line {first}); add them under values: {field}"]


def _ratings(out: pd.DataFrame) -> pd.DataFrame:
    """kind both: a survey response, linked to its contact, for every row with a rating or comment."""
    rated = out[[c for c in RATINGS if c in out.columns]].notna().any(axis=1)
    rows = out[rated]
    when = rows["responded_at"] if "responded_at" in rows else pd.Series(pd.NaT, index=rows.index)
    for fallback in ("closed_at", "opened_at"):
        if fallback in rows:
            when = when.fillna(rows[fallback])
    surveys = rows[[c for c in rows.columns if c in SURVEY_COLUMNS]].copy()
    surveys["contact_record_id"] = rows["source_record_id"]
    surveys["responded_at"] = when
    return surveys.reset_index(drop=True)


CONNECTOR = Connector(
    name="generic",
    kind="generic",
    source="generic",
    description="any CSV described by a YAML mapping (--mapping FILE, docs/generic-mapping.md)",
    sniff=lambda head, file_name: 0.0,
    read=read,
)
