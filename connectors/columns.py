"""Per-format column specs: where each field of a format comes from and how it is converted, written once.

A format with both a careful Python reader (``Connector.read``) and a DuckDB fast path
(``Connector.stage``) lists its source columns here as ``Col`` specs (field, source column, conversion
kind). ``frame_values`` builds the pandas Series the reader works with and ``sql_values`` the SQL
expressions the fast path selects, both from the same list, so a renamed export column or another
conversion is changed in one place for both paths. Each kind pairs a converter of ``values.py`` with its
SQL twin in ``sqlread.py`` (kept equal there and by ``tests/test_fast_paths.py``):

* ``text``: trimmed, empty is NULL (``values.text`` / ``sqlread.text``);
* ``lower``: ``text`` in lower case (labels compared without case);
* ``number``: either decimal separator (``values.numbers`` / ``sqlread.number``);
* ``count``: a ``number`` the warehouse stores as an integer (the SQL casts it, pandas leaves it to the
  writer's cast);
* ``timestamp``: the cell's text; the reader passes it to ``connectors.dates`` (the order decided per
  column) and the fast path to ``sqlread.local_timestamp`` / ``utc_timestamp``, which send any shape
  needing a decision the careful way.

What a format derives from several fields (outcome, transferred, the CSAT scale) stays in its module, in
pandas and in SQL; the lookup tables those derivations use (a ``Via`` label map...) are shared values.
JSON formats describe nested keys with ``Path`` (see ``telephony/amazon_connect.py``): the key path feeds
``json_records.dig`` in the reader and DuckDB's struct type (``json_struct``) and field access
(``json_sql``) in the fast path. New formats with a fast path follow the same pattern.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from connectors import sqlread as q
from connectors import values as v

Finder = Callable[[Sequence[str]], "str | None"]

PANDAS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "text": v.text,
    "lower": lambda s: v.text(s).str.lower(),
    "number": v.numbers,
    "count": v.numbers,
    "timestamp": lambda s: s,
}
SQL: dict[str, Callable[[str], str]] = {
    "text": q.text,
    "lower": lambda e: f"lower({q.text(e)})",
    "number": q.number,
    "count": lambda e: f"TRY_CAST({q.number(e)} AS INTEGER)",
    "timestamp": q.text,
}


@dataclass(frozen=True)
class Col:
    """One source column of a tabular format.

    ``source`` is the header name, or a finder that picks one from the header (a custom field whose title
    contains "reason"). A column missing from the file is NULL in both paths; in pandas an ``optional``
    one is left out of ``frame_values`` (None: the field is not in the export at all) rather than a
    column of NA."""

    field: str
    source: str | Finder
    kind: str = "text"
    optional: bool = False

    def name(self, header: Sequence[str]) -> str | None:
        if callable(self.source):
            return self.source(header)
        return self.source if self.source in header else None


def containing(word: str) -> Finder:
    """The first header name containing ``word`` (any case)."""
    return lambda header: next((h for h in header if word in h.lower()), None)


def starting(prefix: str) -> Finder:
    """The first header name starting with ``prefix`` (any case)."""
    return lambda header: next((h for h in header if h.lower().startswith(prefix)), None)


def frame_values(f: pd.DataFrame, spec: Iterable[Col]) -> dict[str, pd.Series]:
    """The careful reader's converted Series per field (timestamps as raw text, for ``Dates``); an
    ``optional`` field the file lacks is left out (``.get`` gives None)."""
    header = list(f.columns)
    out: dict[str, pd.Series] = {}
    for c in spec:
        name = c.name(header)
        if name is None:
            if not c.optional:
                out[c.field] = PANDAS[c.kind](pd.Series("", index=f.index))
        else:
            out[c.field] = PANDAS[c.kind](f[name])
    return out


def date_sources(header: Sequence[str], spec: Iterable[Col]) -> dict[str, str]:
    """field -> the column name ``Dates`` reports on, for the timestamp columns of ``spec``."""
    return {c.field: c.name(header) or (c.source if isinstance(c.source, str) else c.field)
            for c in spec if c.kind == "timestamp"}


def sql_values(header: Sequence[str], spec: Iterable[Col]) -> dict[str, str]:
    """The fast path's SQL expression per field, over the view ``sqlread.csv_rows`` makes."""
    out = {}
    for c in spec:
        name = c.name(header)
        out[c.field] = SQL[c.kind](q.ident(name) if name else "NULL")
    return out


@dataclass(frozen=True)
class Path:
    """One key path of a JSON record format (``("Agent", "Username")``) read as DuckDB ``sql_type``."""

    field: str
    keys: tuple[str, ...]
    sql_type: str = "VARCHAR"


def json_struct(paths: Iterable[Path], extra: dict[str, str] | None = None) -> str:
    """DuckDB's ``columns`` struct for ``read_json`` holding exactly the key paths of ``paths``
    (nested keys become nested STRUCTs), plus ``extra`` top-level keys with their own types."""
    tree: dict[str, object] = {}
    for p in paths:
        node = tree
        for key in p.keys[:-1]:
            child = node.setdefault(key, {})
            assert isinstance(child, dict), p.keys
            node = child
        node.setdefault(p.keys[-1], p.sql_type)

    def struct(node: dict[str, object]) -> str:
        return "STRUCT(" + ", ".join(f"{q.ident(k)} {x if isinstance(x, str) else struct(x)}"  # type: ignore[arg-type]
                                     for k, x in node.items()) + ")"
    top = [f"{q.literal(k)}: {q.literal(x if isinstance(x, str) else struct(x))}"  # type: ignore[arg-type]
           for k, x in tree.items()]
    top += [f"{q.literal(k)}: {q.literal(t)}" for k, t in (extra or {}).items()]
    return "{" + ", ".join(top) + "}"


def json_sql(path: Path) -> str:
    """SQL of the value at ``path`` in ``_raw`` (NULL where a parent object is null)."""
    return ".".join(q.ident(k) for k in path.keys)
