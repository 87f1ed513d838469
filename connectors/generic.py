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
value. Timestamps use ``date_format`` (one strftime format, or one per field) or are parsed leniently
(``dayfirst``); naive ones are read in ``timezone`` (which wins over ``--tz``, because the mapping
describes the source). YAML reads unquoted Yes/No/On/Off as booleans: quote them in value maps.
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
from connectors.survey import measures
from connectors.textfile import checked_text, records, sniff_delimiter

TOP_KEYS = ("name", "kind", "description", "delimiter", "date_format", "timezone", "dayfirst",
            "columns", "values", "defaults")
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

    columns = {f: _scalar(c).strip() for f, c in fields("columns").items()}
    if not columns or any(not c for c in columns.values()):
        raise _fail(origin, "'columns' must name a source column for each canonical field")
    if "csat_scale" in columns:
        raise _fail(origin, "csat_scale is a constant: give it under defaults, not columns")
    value_maps: dict[str, dict[str, str]] = {}
    for f, vm in fields("values").items():
        if not isinstance(vm, dict):
            raise _fail(origin, f"values: {f} must map source values to canonical ones")
        value_maps[f] = {_scalar(k): _scalar(x) for k, x in vm.items()}
    defaults = {f: _scalar(x) for f, x in fields("defaults").items()}
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
    return {"name": name, "kind": kind, "delimiter": delimiter, "date_format": fmt,
            "timezone": tz or None, "dayfirst": dayfirst, "columns": columns,
            "values": value_maps, "defaults": defaults, "generic_mapping": True}


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


def _convert(field: str, s: pd.Series, kind: str, mp: dict[str, Any], tz: str,
             dayfirst: bool) -> pd.Series:
    typ = TYPES[kind][field]
    if typ == "TIMESTAMP":
        fmt = mp["date_format"]
        fmt = fmt.get(field) if isinstance(fmt, dict) else fmt
        return v.timestamps(s, fmt=fmt, tz=tz, dayfirst=dayfirst)
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


def _resolve(header: list[str], columns: dict[str, str], origin: str) -> dict[str, str]:
    low = {h.strip().lower(): h for h in reversed(header)}
    found, missing = {}, []
    for field, col in columns.items():
        hit = col if col in header else low.get(col.strip().lower())
        if hit is None:
            missing.append(f"'{col}' (for {field})")
        else:
            found[field] = hit
    if missing:
        raise FormatError(f"generic ({origin}): column(s) not in the file: {', '.join(missing)}; "
                          f"the file has: {', '.join(header)}", 1)
    return found


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
    rows = list(records(text, mp["delimiter"] or sniff_delimiter(text.split("\n", 1)[0])))
    header, body = [h.strip() for h in rows[0][1]], rows[1:]
    f = v.frame([r for _, r in body], header)
    cols = _resolve(list(f.columns), mp["columns"], name)
    tz = mp["timezone"] or opts.tz
    dayfirst = opts.dayfirst if mp["dayfirst"] is None else mp["dayfirst"]
    out = pd.DataFrame(index=f.index)
    for field in dict.fromkeys([*cols, *mp["defaults"]]):
        raw = f[cols[field]] if field in cols else pd.Series("", index=f.index, dtype="string")
        if field in mp["values"]:
            raw = v.mapped(raw, mp["values"][field]).fillna("")
        if field in mp["defaults"]:
            raw = raw.mask(v.blank_to_na(raw).isna(), mp["defaults"][field])
        if field not in ("csat", "csat_scale"):
            out[field] = _convert(field, raw, kind, mp, tz, dayfirst)
        elif field == "csat":
            scale = mp["defaults"].get("csat_scale")
            out["csat"], found = measures.csat(raw, int(float(scale)) if scale else None)
            out["csat_scale"] = pd.Series(found, index=f.index).where(out["csat"].notna())
    out["line"] = pd.Series([n for n, _ in body], dtype="int64", index=f.index)
    if kind == "surveys":
        return Parsed(name, len(body), surveys=out)
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
                  rejects=sorted(rejects, key=lambda r: r.line or 0))


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
