"""The one definition of a masked identifier, usable from Python and from DuckDB SQL.

Pages never see a raw contact id, customer key, case id, agent or response id: they see a stable
pseudonym, ``#`` and the first ``HEX_DIGITS`` hex digits of the SHA-256 of the value's text (UTF-8).
The same input always gives the same mask, and the mask cannot be turned back into the value. A
page that links to one contact (``journey?contact=#1a2b3c4d``) carries the mask; the journey finds
the contact again by computing the same mask in SQL over the model (``sql_mask``), so both sides
read the constants below and cannot drift apart (tests/test_journey.py compares them).

The mask is short on purpose (readable in a table, a URL, a screenshot), so two contacts of a big
warehouse can share one: whoever looks a mask up must expect more than one match.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

PREFIX = "#"
HEX_DIGITS = 8
PATTERN = re.compile(rf"{re.escape(PREFIX)}[0-9a-f]{{{HEX_DIGITS}}}")


def mask(value: object) -> str | None:
    """A stable pseudonym for an identifier (None for a missing value): same input, same mask."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    digest = hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:HEX_DIGITS]
    return f"{PREFIX}{digest}"


def sql_mask(column: str) -> str:
    """The same mask as a DuckDB SQL expression over ``column`` (a trusted column name, never a
    value from a user): DuckDB's ``sha256`` of the text is the same lowercase hex digest."""
    return f"('{PREFIX}' || left(sha256(CAST({column} AS VARCHAR)), {HEX_DIGITS}))"


def parse(text: object) -> str | None:
    """A mask as typed or linked (``#1A2B3C4D``, ``1a2b3c4d``, with spaces around) in its one
    canonical form, or None when the text cannot be a mask."""
    if not isinstance(text, str):
        return None
    candidate = text.strip().lower()
    if not candidate.startswith(PREFIX):
        candidate = PREFIX + candidate
    return candidate if PATTERN.fullmatch(candidate) else None
