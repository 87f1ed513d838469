"""What a connector is: a name, a kind, a sniff and a read. Nothing else.

A connector knows one file format. ``sniff`` says how sure it is (0..1) that the bytes are its format;
``read`` turns the whole file into canonical rows (pandas frames whose columns are named as in
``CONTACT_COLUMNS`` / ``SURVEY_COLUMNS``; missing ones are filled with NULL by the loader) plus rejects.
A connector may also have a ``stage``: the same result computed by DuckDB straight from the file (the
fast path for big exports), which the loader prefers when it is there and falls back from.
A file that cannot be read at all raises ``FormatError`` with a message a user can act on. The loader does
everything else (transaction, upsert, identities, import log, audits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

KINDS = ("crm", "telephony", "survey", "generic")
CHANNELS = ("phone", "email", "web", "chat", "social", "messaging", "self_service", "other")
DIRECTIONS = ("inbound", "outbound")
# Cells that say "no value" in words: empty in every format (staging's casts, the generic mapping,
# the date columns), never a value of their own.
EMPTY_WORDS = frozenset({"null", "n/a", "-"})

# Canonical contact columns a connector may fill. Identity columns (email, phone, account) are turned into
# customer keys by the loader and are not stored on the contact itself.
CONTACT_COLUMNS: dict[str, str] = {
    "source_record_id": "TEXT",
    "case_id": "TEXT",
    "channel": "TEXT",
    "direction": "TEXT",
    "opened_at": "TIMESTAMP",
    "answered_at": "TIMESTAMP",
    "first_response_at": "TIMESTAMP",
    "closed_at": "TIMESTAMP",
    "queue": "TEXT",
    "team": "TEXT",
    "agent": "TEXT",
    "wait_seconds": "DOUBLE",
    "talk_seconds": "DOUBLE",
    "hold_seconds": "DOUBLE",
    "wrap_seconds": "DOUBLE",
    "handle_seconds": "DOUBLE",
    "queued": "BOOLEAN",
    "abandoned": "BOOLEAN",
    "transferred": "BOOLEAN",
    "self_service": "BOOLEAN",
    # NULL = the source does not record it (kpis.md "records X"); docs/recorded-fields.md says which
    # field of each format fills them. ``ticket`` left NULL is set by the loader from the kind.
    "agent_requested": "BOOLEAN",
    "ticket": "BOOLEAN",
    "reopened_count": "INTEGER",
    "status": "TEXT",
    "outcome": "TEXT",
    "reason": "TEXT",
    "version_at": "TIMESTAMP",
    "email": "TEXT",
    "phone": "TEXT",
    "account": "TEXT",
    "line": "BIGINT",
}

SURVEY_COLUMNS: dict[str, str] = {
    "source_record_id": "TEXT",
    "contact_record_id": "TEXT",  # the source record id of the linked contact, same source system
    "case_id": "TEXT",
    "channel": "TEXT",
    "responded_at": "TIMESTAMP",
    "csat": "DOUBLE",
    "csat_scale": "INTEGER",
    "nps": "INTEGER",
    "ces": "INTEGER",
    "resolved": "BOOLEAN",
    "comment": "TEXT",
    "version_at": "TIMESTAMP",
    "email": "TEXT",
    "phone": "TEXT",
    "account": "TEXT",
    "line": "BIGINT",
}


class FormatError(Exception):
    """The file cannot be read at all. The message names the problem (and the line where known)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Reject:
    line: int | None
    reason: str
    raw: str = ""


@dataclass(frozen=True)
class ReadOptions:
    """What a connector may need beyond the bytes."""

    file_name: str = ""
    tz: str = "UTC"  # zone of timestamps that carry no offset (Zendesk CSV, Asterisk local time...)
    mapping: Mapping[str, Any] | None = None  # the generic connector's YAML, parsed
    dayfirst: bool = False  # alias of date_order="dmy" (kept for callers of before connectors.dates)
    # The day/month order of a date column of only ambiguous values (connectors.dates): date_order is
    # the user's choice (--dates dmy|mdy|ymd) and wins over the format's convention; the warehouse's
    # date_order setting comes after the convention. A column's own unambiguous values always decide.
    date_order: str | None = None
    date_order_setting: str | None = None
    progress: Callable[[float, str], None] | None = None
    path: str = ""  # where the bytes are on disk, if they are (lets a fast path read the file itself)


@dataclass
class Parsed:
    """What ``read`` returns: canonical rows, rejects, and how many records the file held."""

    source: str  # the source system; contact ids are source:source_record_id
    rows_read: int
    contacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    surveys: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejects: list[Reject] = field(default_factory=list)
    # True when the connector's fast path wrote its rows to the temp tables _in_contacts / _in_surveys
    # (canonical column names, row order = file order) instead of returning frames.
    staged: bool = False
    # What the reader decided or had to assume, said with the result ("Created: day-first, decided by
    # line 7 '14/01/2025'"), and what KPIs will miss because of this file ("no Source column: ...").
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Rows of the file folded into another row of the same record by the reader itself (CDR legs of
    # one call, child calls, older versions it dropped) and rows deliberately not loaded, with their
    # reason (survey previews). The loader's promise (README "Importing") rests on this contract:
    # every one of ``rows_read`` is exactly one of a reject, a skipped row, a merged row, or the
    # ``line`` of at least one canonical row (a ticket and its rating share their line); the loader
    # counts its own rejects and de-duplication by line and warns when the sum does not match.
    rows_merged: int = 0
    skipped: list[Reject] = field(default_factory=list)


HeaderSpec = tuple[str | tuple[str, ...], ...]


@dataclass(frozen=True)
class Connector:
    name: str  # the format name, used by --format
    kind: str
    source: str  # the system it comes from (zendesk, amazon_connect, ...)
    description: str
    sniff: Callable[[bytes, str], float]  # (first 64 KiB, file name) -> confidence 0..1
    read: Callable[[bytes, ReadOptions], Parsed]
    extensions: tuple[str, ...] = (".csv",)
    # The header columns ``sniff`` recognises the format by (a tuple inside = one of these), for the
    # messages that say which format a file is closest to and what its header lacks (connectors.detect).
    # Empty for formats without a header row or not told apart by columns (JSON, headerless CDRs).
    columns: HeaderSpec = ()
    # Optional fast path: read the file with DuckDB itself into _in_contacts / _in_surveys and return
    # ``Parsed(staged=True)``; return None for a file it does not handle exactly like ``read`` (the loader
    # then calls ``read``). It must give the same rows as ``read`` (tests/test_fast_paths.py checks).
    stage: Callable[[duckdb.DuckDBPyConnection, bytes, ReadOptions], Parsed | None] | None = None
