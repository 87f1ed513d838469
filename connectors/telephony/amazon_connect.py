"""Amazon Connect contact records (CTR), export-formats.md 2.4.

Quirks handled:
* three delivery shapes (JSON array, NDJSON, Firehose objects glued with no separator; gzip too), read by
  ``json_records``; unknown keys are ignored, because AWS adds fields over time;
* at-least-once delivery and re-emission after updates (ACW, attribute changes): one contact per
  ``ContactId``, the version with the latest ``LastUpdateTimestamp`` (exact duplicates collapse too);
  ``version_at`` carries it so a later file with an older version changes nothing;
* ``Agent`` / ``Queue`` are null objects for IVR-only, bot and abandoned contacts:
  Agent connected -> answered (wait = Queue.Duration, talk/hold/wrap from the Agent durations,
  handle = their sum); Queue without Agent -> abandoned in queue (wait = Queue.Duration);
  neither -> self-service (outcome ``ivr`` for VOICE, ``bot`` for CHAT; a TASK/EMAIL with neither is
  ``unhandled``; outbound contacts are never self-service);
* ``InitiationMethod``: INBOUND, TRANSFER, QUEUE_TRANSFER, CALLBACK, API, WEBRTC_API -> inbound;
  OUTBOUND, EXTERNAL_OUTBOUND, AGENT_REPLY, FLOW -> outbound. MONITOR (a supervisor listening in) and
  DISCONNECT (a contact the disconnect flow creates) are no customer contacts: they are skipped (counted in
  rows read, not loaded, not rejected). Unknown methods keep no direction, so the loader rejects the row.
  A transfer creates a new ContactId (InitiationMethod TRANSFER) chained by ``InitialContactId``: both
  records are loaded (case_id = ContactId, so post-contact surveys link), the first one is ``transferred``;
* ``agent_requested`` (an attempt to reach a person, kpis.md ``unreachable_rate``; docs/recorded-fields.md):
  true for an inbound contact that was queued (``Queue`` with a name, ARN or enqueue time) or offered
  to an agent (an ``Agent`` object, ``AgentConnectionAttempts`` > 0); otherwise, for IVR and bot
  sessions, what the flow wrote into the contact attributes: a hand-off flag (``AgentRequested``,
  ``Escalate``, ``Handoff``... = true/yes/1 or false/no/0) first, else the Lex intent the flow copied
  (a key containing "intent", e.g. ``IntentName`` from ``$.Lex.IntentName``): ``TransferToAgent``,
  ``SpeakToAgent`` (the AWS admin guide's sample intent), ``TalkToAgent``, ``LiveAgent``... = true, any
  other intent = false (the customer wanted something else). Keys and values are compared without
  case, spaces, ``_``, ``-`` or ``.``. Nothing of that: NULL (not recorded). Outbound contacts: NULL;
* free-form ``Attributes`` (all strings): the contact reason is the first non-empty attribute whose key
  contains "reason", the e-mail the first whose key contains "email", the account the first whose key is
  customer id / account id / account number (any case, ``_``/``-``/space ignored).
Timestamps are ISO-8601 UTC (``2022-01-05T17:12:59Z``), durations integer seconds.

The record keys read are listed once (``PATHS``, ``connectors.columns.Path``): the careful ``read``
digs them out of each record, and ``stage`` (the DuckDB fast path) builds its ``read_json`` struct type
(``COLUMNS``) and its field access from the same list; ``STAMPS``, ``DURATIONS``, the queue and transfer
markers and the lookup tables (``CHANNEL``, ``DIRECTION``, ``SKIPPED``, the attribute keys and intents) are
shared too. The rules that combine fields (outcome, self-service, agent_requested, attributes) are
written in both Python and SQL, kept equal by ``tests/test_fast_paths.py``.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import pandas as pd

from connectors import sqlread as q
from connectors.base import Connector, Parsed, ReadOptions, Reject
from connectors.columns import Path, json_sql, json_struct
from connectors.dates import Dates
from connectors.telephony.json_records import dig, head_text, values

WHAT = "amazon_connect"
CHANNEL = {"VOICE": "phone", "CHAT": "chat", "TASK": "other", "EMAIL": "email"}
DIRECTION = {
    "INBOUND": "inbound", "TRANSFER": "inbound", "QUEUE_TRANSFER": "inbound", "CALLBACK": "inbound",
    "API": "inbound", "WEBRTC_API": "inbound",
    "OUTBOUND": "outbound", "EXTERNAL_OUTBOUND": "outbound", "AGENT_REPLY": "outbound", "FLOW": "outbound",
}
SKIPPED = {"MONITOR", "DISCONNECT"}
ACCOUNT_KEYS = {"customerid", "accountid", "account", "accountnumber", "customernumber", "customerno",
                "accountno"}
# Attributes a flow sets when the customer asks for a person (squashed: lower case, no " _-.").
HANDOFF_KEYS = {"agentrequested", "agentrequest", "requestedagent", "askedforagent", "wantsagent",
                "handoff", "handoffrequested", "escalate", "escalated", "escalation",
                "escalationrequested", "transfertoagent", "liveagent", "liveagentrequested",
                "speaktoagent", "talktoagent"}
# Lex intents that mean "a person, please" (squashed likewise); any other intent name means no.
AGENT_INTENTS = {"transfertoagent", "speaktoagent", "talktoagent", "agent", "liveagent", "humanagent",
                 "requestagent", "agenttransfer", "connecttoagent", "escalate", "escalatetoagent",
                 "escalation", "handoff", "speaktohuman", "talktohuman", "speaktoperson",
                 "talktoperson", "speaktorepresentative", "representative", "operator"}
YES = ("true", "yes", "y", "1")
NO = ("false", "no", "n", "0")
SQUASH = r"[\s_\-.]"
SIGNATURE = re.compile(r'"ContactId"\s*:')
MARKERS = ('"AWSContactTraceRecordFormatVersion"', '"InitiationMethod"', '"InitiationTimestamp"')
# The record's keys, for both the careful reader (json_records.dig) and the fast path (DuckDB's struct
# type and field access), connectors.columns. Unknown keys are not read by either.
PATHS = (
    Path("source_record_id", ("ContactId",)),
    Path("channel_raw", ("Channel",)),
    Path("method", ("InitiationMethod",)),
    Path("opened_at", ("InitiationTimestamp",)),
    Path("closed_at", ("DisconnectTimestamp",)),
    Path("version_at", ("LastUpdateTimestamp",)),
    Path("transfer_completed_at", ("TransferCompletedTimestamp",)),
    Path("next_contact", ("NextContactId",)),
    Path("transferred_to", ("TransferredToEndpoint", "Address")),
    Path("endpoint_address", ("CustomerEndpoint", "Address")),
    Path("endpoint_type", ("CustomerEndpoint", "Type")),
    Path("agent", ("Agent", "Username")),
    Path("answered_at", ("Agent", "ConnectedToAgentTimestamp")),
    Path("talk_seconds", ("Agent", "AgentInteractionDuration")),
    Path("hold_seconds", ("Agent", "CustomerHoldDuration")),
    Path("wrap_seconds", ("Agent", "AfterContactWorkDuration")),
    Path("routing_profile", ("Agent", "RoutingProfile", "Name")),
    Path("hierarchy_group", ("Agent", "HierarchyGroups", "Level1", "GroupName")),
    Path("queue", ("Queue", "Name")),
    Path("queue_arn", ("Queue", "ARN")),
    Path("enqueued_at", ("Queue", "EnqueueTimestamp")),
    Path("wait_seconds", ("Queue", "Duration")),
    Path("connection_attempts", ("AgentConnectionAttempts",)),
)
KEYS = {p.field: p.keys for p in PATHS}
STAMPS = ("opened_at", "answered_at", "closed_at", "version_at")  # ISO 8601 UTC
DURATIONS = ("wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds")  # seconds
QUEUE_MARKS = ("queue", "queue_arn", "enqueued_at")  # any of them filled: the contact was queued
TRANSFER_MARKS = ("transfer_completed_at", "next_contact", "transferred_to")  # any filled: transferred


def sniff(head: bytes, file_name: str) -> float:
    text = head_text(head).lstrip()
    if not text.startswith(("[", "{")) or not SIGNATURE.search(text):
        return 0.0
    found = sum(marker in text for marker in MARKERS)
    return 0.97 if found >= 2 else 0.9 if found == 1 else 0.0


def _attributes(attrs: Any) -> tuple[str | None, str | None, str | None]:
    """(reason, account, email) from the flow attributes."""
    reason = account = email = None
    if not isinstance(attrs, dict):
        return None, None, None
    for key, value in attrs.items():
        if not isinstance(value, str | int) or str(value).strip() == "":
            continue
        low = str(key).lower()
        squashed = re.sub(r"[\s_\-]", "", low)
        if reason is None and "reason" in low:
            reason = str(value)
        if email is None and "email" in low:
            email = str(value)
        if account is None and squashed in ACCOUNT_KEYS:
            account = str(value)
    return reason, account, email


def _squash(value: Any) -> str:
    return re.sub(SQUASH, "", str(value).strip().lower())


def _asked(attrs: Any) -> bool | None:
    """Did the customer ask for a person, as the flow attributes say? None: they do not say."""
    if not isinstance(attrs, dict):
        return None
    usable = [(_squash(k), str(x).strip()) for k, x in attrs.items()
              if isinstance(x, str | int) and str(x).strip() != ""]
    flag = next((x.lower() for k, x in usable if k in HANDOFF_KEYS and x.lower() in YES + NO), None)
    if flag is not None:
        return flag in YES
    intent = next((x for k, x in usable if "intent" in k), None)
    return None if intent is None else _squash(intent) in AGENT_INTENTS


def _row(n: int, rec: dict[str, Any]) -> dict[str, Any]:
    def at(field: str) -> Any:
        return dig(rec, *KEYS[field])
    agent = rec.get("Agent") if isinstance(rec.get("Agent"), dict) else None
    reason, account, email = _attributes(rec.get("Attributes"))
    return {
        "source_record_id": at("source_record_id"),
        "channel_raw": str(at("channel_raw") or "").upper(),
        "method": str(at("method") or "").upper(),
        **{k: at(k) for k in STAMPS},
        "has_agent": at("answered_at") is not None,
        "has_queue": any(at(k) for k in QUEUE_MARKS),
        "queue": at("queue"),
        "agent": at("agent"),
        "team": at("routing_profile") or at("hierarchy_group"),
        **{k: at(k) for k in DURATIONS},
        "transferred": any(at(k) for k in TRANSFER_MARKS),
        "offered": agent is not None or (_number(at("connection_attempts")) or 0) > 0,
        "asked": _asked(rec.get("Attributes")),
        "reason": reason, "account": account, "email": email,
        "phone": at("endpoint_address") if at("endpoint_type") == "TELEPHONE_NUMBER" else None,
        "line": n,
    }


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _seconds(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def read(data: bytes, opts: ReadOptions) -> Parsed:
    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    n = 0
    skipped: list[Reject] = []
    for n, rec in enumerate(values(data, WHAT), start=1):
        if not isinstance(rec, dict) or not dig(rec, *KEYS["source_record_id"]):
            rejects.append(Reject(n, f"{WHAT}: record {n} is not a contact record (no ContactId)",
                                  str(rec)[:200]))
            continue
        method = dig(rec, *KEYS["method"])
        if str(method or "").upper() in SKIPPED:
            skipped.append(Reject(n, _skip_reason(method), str(dig(rec, *KEYS["source_record_id"]))))
            continue
        rows.append(_row(n, rec))
    f = pd.DataFrame(rows, columns=list(_row(0, {}).keys()))
    f["source_record_id"] = f["source_record_id"].astype("string")
    # ISO 8601 UTC by the data model; any other shape is decided per column (connectors.dates).
    dates = Dates(opts, tz="UTC")
    stamps = dates.columns({col: f[col].astype("string") for col in STAMPS}, lines=f["line"])
    for col, parsed in stamps.items():
        f[col] = parsed
    # Re-sent versions and exact duplicates: keep the latest LastUpdateTimestamp (then the later record).
    versions = len(f)
    f = (f.sort_values(["version_at", "line"], na_position="first")
         .drop_duplicates("source_record_id", keep="last").sort_values("line").reset_index(drop=True))
    merged = versions - len(f)
    has_agent = f["has_agent"].astype(bool)
    queued = f["has_queue"].astype(bool)
    direction = f["method"].map(DIRECTION)
    inbound = (direction == "inbound").fillna(False).astype(bool)
    abandoned = queued & ~has_agent
    self_service = ~queued & ~has_agent & inbound & f["channel_raw"].isin(["VOICE", "CHAT"])
    outcome = pd.Series("unhandled", index=f.index, dtype="object")
    outcome[has_agent] = "answered"
    outcome[abandoned] = "abandoned"
    outcome[self_service & (f["channel_raw"] == "VOICE")] = "ivr"
    outcome[self_service & (f["channel_raw"] == "CHAT")] = "bot"
    talk, hold, wrap = (_seconds(f[c]) for c in ("talk_seconds", "hold_seconds", "wrap_seconds"))
    parts = pd.concat([talk, hold, wrap], axis=1)
    handle = parts.sum(axis=1, min_count=1).where(has_agent)
    asked = f["asked"].astype("boolean").mask(queued | f["offered"].astype(bool), True)
    contacts = pd.DataFrame({
        "source_record_id": f["source_record_id"],
        "case_id": f["source_record_id"],
        "channel": f["channel_raw"].map(CHANNEL),
        "direction": direction,
        "opened_at": f["opened_at"],
        "answered_at": f["answered_at"].where(has_agent),
        "closed_at": f["closed_at"],
        "queue": f["queue"], "team": f["team"], "agent": f["agent"].where(has_agent),
        "wait_seconds": _seconds(f["wait_seconds"]).where(queued),
        "talk_seconds": talk.where(has_agent), "hold_seconds": hold.where(has_agent),
        "wrap_seconds": wrap.where(has_agent), "handle_seconds": handle,
        "queued": queued, "abandoned": abandoned,
        "transferred": f["transferred"].astype(bool), "self_service": self_service,
        "agent_requested": asked.where(inbound, pd.NA),
        "outcome": outcome, "reason": f["reason"],
        "version_at": f["version_at"],
        "email": f["email"], "phone": f["phone"], "account": f["account"],
        "line": f["line"].astype("int64"),
    })
    return Parsed("amazon_connect", n, contacts, rejects=rejects, skipped=skipped, rows_merged=merged, notes=dates.notes, warnings=dates.warnings)


COLUMNS = json_struct(PATHS, {"Attributes": "MAP(VARCHAR, VARCHAR)"})  # DuckDB's read_json columns


def _attribute(test: str) -> str:
    """SQL: the value of the first non-empty attribute whose key passes ``test`` (on ``x.key``)."""
    return (f"list_filter(map_entries(Attributes), "
            f"lambda x: ({test}) AND trim(x.value) <> '')[1].value")


ACCOUNT_TEST = r"regexp_replace(lower(x.key), '[\s_\-]', '', 'g') IN ({keys})"


def _squashed(expr: str) -> str:
    """SQL twin of ``_squash`` (lower case, without spaces, ``_``, ``-`` and ``.``)."""
    return f"regexp_replace(lower({expr}), '{SQUASH}', '', 'g')"


def _words(values: Any) -> str:
    return ", ".join(q.literal(x) for x in sorted(values))


HANDOFF_TEST = (f"{_squashed('x.key')} IN ({_words(HANDOFF_KEYS)}) "
                f"AND lower(trim(x.value)) IN ({_words(YES + NO)})")
ASKED_SQL = f"""CASE WHEN queued OR offered THEN true
                     WHEN handoff IS NOT NULL THEN lower(trim(handoff)) IN ({_words(YES)})
                     WHEN intent IS NOT NULL THEN {_squashed('intent')} IN ({_words(AGENT_INTENTS)})
                END"""


def _filled(expr: str) -> str:
    return f"coalesce({expr}, '') <> ''"


def stage(con: duckdb.DuckDBPyConnection, data: bytes, opts: ReadOptions) -> Parsed | None:
    """``read`` done by DuckDB (the fast path for big record files); None where ``read`` decides:
    gzip, several arrays, records that are not contact records, timestamps DuckDB does not read."""
    if not q.json_rows(con, data, opts, COLUMNS):
        return None
    x = {p.field: json_sql(p) for p in PATHS}
    stamps = {k: x[k] for k in STAMPS}
    checks = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE coalesce({x['source_record_id']}, '') = ''), "
        "count(*) FILTER (WHERE "
        + " OR ".join(f"({c} IS NOT NULL AND {q.utc_timestamp(q.text(c))} IS NULL)"
                      for c in stamps.values()) + ") FROM _raw").fetchall()[0]
    if checks[1] or checks[2]:
        con.execute("DROP TABLE temp._raw")
        return None
    method, channel = (f"upper(coalesce({x[k]}, ''))" for k in ("method", "channel_raw"))
    account_keys = ", ".join(q.literal(k) for k in sorted(ACCOUNT_KEYS))
    skipped = [Reject(int(n), _skip_reason(m), str(i)) for n, m, i in con.execute(
        f"SELECT rowid + 1, {method}, {x['source_record_id']} FROM _raw WHERE {method} IN "
        f"({SKIPPED_SQL}) ORDER BY 1").fetchall()]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cr AS
        SELECT rowid + 1 AS line, {x["source_record_id"]} AS id, {channel} AS channel_raw,
               CASE {method} {" ".join(f"WHEN '{k}' THEN '{d}'" for k, d in DIRECTION.items())}
               END AS direction,
               {", ".join(f"{q.utc_timestamp(q.text(c))} AS {k}" for k, c in stamps.items())},
               Agent IS NOT NULL AND {x["answered_at"]} IS NOT NULL AS has_agent,
               Queue IS NOT NULL AND ({" OR ".join(_filled(x[k]) for k in QUEUE_MARKS)}) AS queued,
               {x["queue"]} AS queue, {x["agent"]} AS agent,
               coalesce(nullif({x["routing_profile"]}, ''), {x["hierarchy_group"]}) AS team,
               {", ".join(f"TRY_CAST({x[k]} AS DOUBLE) AS {k}" for k in DURATIONS)},
               {" OR ".join(_filled(x[k]) for k in TRANSFER_MARKS)} AS transferred,
               Agent IS NOT NULL OR coalesce(TRY_CAST({x["connection_attempts"]} AS DOUBLE), 0) > 0
                   AS offered,
               {_attribute(HANDOFF_TEST)} AS handoff,
               {_attribute("contains(" + _squashed("x.key") + ", 'intent')")} AS intent,
               {_attribute("contains(lower(x.key), 'reason')")} AS reason,
               {_attribute("contains(lower(x.key), 'email')")} AS email,
               {_attribute(ACCOUNT_TEST.format(keys=account_keys))} AS account,
               CASE WHEN {x["endpoint_type"]} = 'TELEPHONE_NUMBER' THEN {x["endpoint_address"]} END
                   AS phone
        FROM _raw
        WHERE {method} NOT IN ({", ".join(q.literal(m) for m in sorted(SKIPPED))})
        QUALIFY row_number() OVER (PARTITION BY {x["source_record_id"]}
                                   ORDER BY version_at DESC NULLS LAST, line DESC) = 1""")
    con.execute("DROP TABLE temp._raw")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _in_contacts AS
        SELECT id AS source_record_id, id AS case_id,
               CASE channel_raw {" ".join(f"WHEN '{k}' THEN '{c}'" for k, c in CHANNEL.items())}
               END AS channel,
               direction, opened_at, CASE WHEN has_agent THEN answered_at END AS answered_at,
               closed_at, queue, team, CASE WHEN has_agent THEN agent END AS agent,
               CASE WHEN queued THEN wait_seconds END AS wait_seconds,
               CASE WHEN has_agent THEN talk_seconds END AS talk_seconds,
               CASE WHEN has_agent THEN hold_seconds END AS hold_seconds,
               CASE WHEN has_agent THEN wrap_seconds END AS wrap_seconds,
               CASE WHEN has_agent AND coalesce(talk_seconds, hold_seconds, wrap_seconds) IS NOT NULL
                    THEN coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0)
                         + coalesce(wrap_seconds, 0) END AS handle_seconds,
               queued, queued AND NOT has_agent AS abandoned, transferred,
               {SELF_SERVICE} AS self_service,
               CASE WHEN direction = 'inbound' THEN {ASKED_SQL} END AS agent_requested,
               CASE WHEN has_agent THEN 'answered'
                    WHEN queued THEN 'abandoned'
                    WHEN {SELF_SERVICE} AND channel_raw = 'VOICE' THEN 'ivr'
                    WHEN {SELF_SERVICE} AND channel_raw = 'CHAT' THEN 'bot'
                    ELSE 'unhandled' END AS outcome,
               reason, version_at, email, phone, account, line
        FROM _cr ORDER BY line""")
    con.execute("DROP TABLE temp._cr")
    kept = con.execute("SELECT count(*) FROM _in_contacts").fetchall()[0][0]
    return Parsed("amazon_connect", int(checks[0]), staged=True, skipped=skipped,
                  rows_merged=int(checks[0]) - len(skipped) - int(kept))  # re-sent versions


SKIPPED_SQL = ", ".join(q.literal(m) for m in sorted(SKIPPED))


def _skip_reason(method: object) -> str:
    return f"{str(method).upper()} contact record, not a customer contact"


SELF_SERVICE = ("(NOT queued AND NOT has_agent AND coalesce(direction = 'inbound', false) "
                "AND channel_raw IN ('VOICE', 'CHAT'))")


CONNECTOR = Connector(
    name="amazon_connect",
    kind="telephony",
    source="amazon_connect",
    description="Amazon Connect contact records (JSON array, NDJSON or Firehose-concatenated; gzip ok)",
    sniff=sniff,
    read=read,
    stage=stage,
    extensions=(".json", ".jsonl", ".ndjson", ".gz", ""),  # Firehose objects have no suffix
)
