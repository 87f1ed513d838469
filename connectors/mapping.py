"""The generic connector's mapping file: read the YAML and check all of it before any file is read
(docs/generic-mapping.md), so a typo in a field name is reported once, by name, instead of as
thousands of rejected rows. ``connectors.generic`` reads files with the checked mapping."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from connectors import base
from connectors.base import CONTACT_COLUMNS, SURVEY_COLUMNS, FormatError
from connectors.dates import ORDERS
from connectors.survey import measures

TOP_KEYS = ("name", "kind", "description", "delimiter", "header", "date_format", "timezone", "dates",
            "dayfirst", "columns", "values", "defaults")
ROW_NUMBER = "#row"  # source_record_id: "#row" = the row's line in the file (a file without ids)
ID_FIELDS = ("source_record_id", "case_id", "contact_record_id")
CSAT_SCALES = (2, 5, 10)
# Good/bad answers on csat_scale 2 (1 good, 0 bad), used when the scale is stated as 2.
TWO_POINT = {"good": 1, "bad": 0, "positive": 1, "negative": 0, "satisfied": 1, "dissatisfied": 0,
             "unsatisfied": 0, "thumbs up": 1, "thumbs down": 0, "\U0001f44d": 1, "\U0001f44e": 0,
             "yes": 1, "no": 0, "gut": 1, "schlecht": 0, "zufrieden": 1, "unzufrieden": 0}
# literal empties, not ratings that map to nothing ("none" and "na" too: as a rating they say no rating)
EMPTY_WORDS = base.EMPTY_WORDS | {"na", "none"}
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
