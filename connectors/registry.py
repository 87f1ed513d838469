"""Every connector the loader knows, and format sniffing across them.

A connector module exposes ``CONNECTOR``. Adding a format = writing the module and listing it here.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from connectors import detect
from connectors.base import Connector, FormatError

MODULES = (
    "connectors.crm.zendesk_csv",
    "connectors.crm.zendesk_json",
    "connectors.crm.salesforce",
    "connectors.crm.freshdesk",
    "connectors.telephony.asterisk",
    "connectors.telephony.amazon_connect",
    "connectors.telephony.twilio",
    "connectors.survey.qualtrics",
    "connectors.survey.surveymonkey",
    "connectors.survey.typeform",
    "connectors.generic",
)

SNIFF_THRESHOLD = detect.THRESHOLD


@lru_cache(maxsize=1)
def connectors() -> tuple[Connector, ...]:
    found: list[Connector] = []
    for module in MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue  # not written yet
            raise
        value = getattr(mod, "CONNECTORS", None) or [mod.CONNECTOR]
        found.extend(value)
    return tuple(found)


def names() -> list[str]:
    return [c.name for c in connectors()]


def by_name(name: str) -> Connector:
    for c in connectors():
        if c.name == name:
            return c
    raise FormatError(f"unknown format '{name}' (known: {', '.join(names())})")


def sniff(head: bytes, file_name: str) -> Connector:
    """The connector most sure the file is its format; refuse when none is sure enough."""
    scored = sorted(((c.sniff(head, file_name), i, c) for i, c in enumerate(connectors())),
                    key=lambda t: (-t[0], t[1]))
    if not scored or scored[0][0] < SNIFF_THRESHOLD:
        raise FormatError(detect.unrecognised(head, file_name, connectors()))
    return scored[0][2]


def forced(connector: Connector, head: bytes, file_name: str) -> Connector:
    """The connector a user named with --format, unless the file cannot be its format: then a FormatError
    saying what the file is (XML spreadsheet, JSON, the header of another format ...)."""
    return detect.forced(connector, head, file_name, connectors())
