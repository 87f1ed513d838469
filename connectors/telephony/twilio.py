"""Twilio call logs: Calls JSON (API pages, arrays, BulkExport NDJSON) and the Calls CSV, export-formats.md 2.3.

Quirks handled:
* JSON arrives as API pages ``{"calls": [...], "next_page_uri": ...}`` (several pages glued in one file
  too), as a bare array, or as BulkExport Day files (gzip, one record per line); ``json_records`` reads
  them all. The CSV (``Calls.csv``) has a PascalCase header (``ParentCallSid``, ``StartTime``), mapped to
  the JSON names, and is read by name, so missing optional columns do no harm;
* dates are RFC 2822 in GMT (``Sat, 07 Feb 2009 13:15:19 +0000``), ISO-8601 is accepted too;
  ``duration`` is a string of seconds (null or 0 for calls that never connected);
* **parent and child calls are one contact**: a ``<Dial>`` creates child calls (``parent_call_sid``);
  the parent's sid is the record id (and case id), talk time is the children's. An inbound call that
  dialled someone is ``queued`` (the caller waits for a person): a completed child = answered
  (answered_at = child end - child duration, wait = answered_at - parent start, agent = the child's
  ``to`` without ``client:``/``sip:``), more than one completed child = transferred; no completed child:
  a canceled child (the caller hung up while it rang) = abandoned, else no-answer / busy / failed from the
  children (a parent canceled before anything answered it is abandoned too, and counted as queued).
  An inbound call that dialled nobody was handled by the TwiML application alone (IVR,
  voicemail): outcome ``ivr``, self-service (Flex / TaskRouter agent legs are conference calls, not
  children: such set-ups need their own export). Outbound calls (``outbound-api``, ``outbound-dial``)
  are answered when completed with a duration; busy / no-answer / failed map to themselves and canceled
  to no_answer. Calls still ``queued`` / ``ringing`` / ``in-progress`` get no outcome; ``date_updated``
  is the version, so the next export replaces them;
* ``direction``: ``inbound`` and ``trunking-originating`` (Elastic SIP Trunking origination: PSTN -> your
  PBX) are inbound; ``outbound-*`` and ``trunking-terminating`` (your PBX -> PSTN) are outbound. The
  customer's number is ``from`` inbound and ``to`` outbound. A child whose parent is not in the file
  stands for its call (keyed by the parent's sid) with the child's own direction.
* ``agent_requested`` (docs/recorded-fields.md): an inbound call that dialled someone (``queued`` above)
  was an attempt to reach a person; a call the TwiML application handled alone is NULL (the call log
  does not record a ``<Gather>`` choice), outbound calls too. ``transferred`` is recorded: more than one
  completed child.
Handle time = talk when answered (Twilio has no hold or wrap-up), NULL otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from connectors import values as v
from connectors.base import Connector, Parsed, ReadOptions, Reject
from connectors.dates import Dates
from connectors.telephony.json_records import head_text, values
from connectors.textfile import header_fields, read_table, require_columns

FIELDS = ["sid", "parent_call_sid", "date_created", "date_updated", "to", "from", "status",
          "start_time", "end_time", "duration", "direction"]
INBOUND = {"inbound", "trunking-originating"}
RFC2822 = "%a, %d %b %Y %H:%M:%S %z"
SID = re.compile(r'"sid"\s*:\s*"CA[0-9a-fA-F]{32}"')
CSV_SIGNATURE = ("Sid", "ParentCallSid", "Status", "Direction", "StartTime")


def sniff_json(head: bytes, file_name: str) -> float:
    text = head_text(head).lstrip()
    if not text.startswith(("[", "{")) or not SID.search(text):
        return 0.0
    return 0.95 if '"parent_call_sid"' in text or '"calls"' in text else 0.6


def sniff_csv(head: bytes, file_name: str) -> float:
    return 0.95 if set(CSV_SIGNATURE) <= {h.strip() for h in header_fields(head)} else 0.0


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.strip()).lower()


def _contacts(f: pd.DataFrame, dates: Dates) -> pd.DataFrame:
    """One row per call (parent plus its children) from a frame of call records (strings, ``line``).

    Dates are RFC 2822 (JSON) or ISO (CSV); any other shape is read per column (``connectors.dates``)."""
    stamps = dates.columns({c: f[c].astype("string") for c in
                            ("start_time", "date_created", "end_time", "date_updated")},
                           lines=pd.Series(list(f["line"]), index=f.index))

    def _times(col: str) -> pd.Series:
        return stamps[col]
    f = f.assign(
        sid=v.text(f["sid"]), parent=v.text(f["parent_call_sid"]),
        status=v.text(f["status"]).str.lower(), direction=v.text(f["direction"]).str.lower(),
        start=_times("start_time").fillna(_times("date_created")),
        end=_times("end_time"), updated=_times("date_updated"),
        duration=v.numbers(f["duration"]),
    )
    f = f[f["sid"].notna()]
    f = f.assign(key=f["parent"].fillna(f["sid"]), is_child=f["parent"].notna())
    # Newest version of each call record first, so a re-sent record counts once.
    f = f.sort_values(["updated", "line"], na_position="first").drop_duplicates("sid", keep="last")
    f = f.sort_values(["key", "is_child", "start", "line"])
    head = f.drop_duplicates("key").set_index("key")  # the parent, or the first child if it is missing
    kids = f[f["is_child"]]
    done = kids[(kids["status"] == "completed") & (kids["duration"].fillna(0) > 0)]
    done = done.assign(answer=done["end"] - pd.to_timedelta(done["duration"], unit="s"))
    first_done = done.sort_values(["key", "answer"]).drop_duplicates("key").set_index("key")
    idx = head.index
    n_kids = kids.groupby("key").size().reindex(idx, fill_value=0)
    n_done = done.groupby("key").size().reindex(idx, fill_value=0)
    kid_status = {s: kids["status"].eq(s).groupby(kids["key"]).any().reindex(idx, fill_value=False)
                  for s in ("canceled", "no-answer", "busy", "failed")}
    inbound = head["direction"].isin(INBOUND)
    status = head["status"]
    live = status.isin(["queued", "ringing", "in-progress"]) & (n_done == 0)
    self_done = (status == "completed") & (head["duration"].fillna(0) > 0)
    queued = inbound & (n_kids > 0)
    answered = (n_done > 0) | (~inbound & self_done)
    ivr = inbound & (n_kids == 0) & self_done
    picked = np.select(
        [live, answered, queued & kid_status["canceled"], ivr,
         kid_status["no-answer"] | (status == "no-answer") | (~inbound & (status == "canceled")),
         kid_status["busy"] | (status == "busy"), kid_status["failed"] | (status == "failed"),
         inbound & (status == "canceled")],
        ["", "answered", "abandoned", "ivr", "no_answer", "busy", "failed", "abandoned"], default="")
    outcome = pd.Series(picked, index=idx).replace("", None)
    abandoned = outcome == "abandoned"
    queued = queued | abandoned
    own_answer = head["end"] - pd.to_timedelta(head["duration"], unit="s")
    answered_at = first_done["answer"].reindex(idx).where(n_done > 0, own_answer.where(answered))
    talk = done.groupby("key")["duration"].sum().reindex(idx).where(n_done > 0, head["duration"])
    talk = talk.where(answered)
    closed = f.groupby("key")["end"].max().reindex(idx)
    opened = head["start"]
    wait = (answered_at - opened).dt.total_seconds().clip(lower=0)
    wait = wait.where(answered, (closed - opened).dt.total_seconds()).where(queued)
    agent = first_done["to"].reindex(idx).astype("string")
    agent = agent.str.replace(r"^(client|sip):", "", regex=True).str.replace(r"@.*$", "", regex=True)
    return pd.DataFrame({
        "source_record_id": idx, "case_id": idx, "channel": "phone",
        "direction": np.where(inbound, "inbound", "outbound"),
        "opened_at": opened, "answered_at": answered_at, "closed_at": closed,
        "agent": agent, "wait_seconds": wait, "talk_seconds": talk, "handle_seconds": talk,
        "queued": queued, "abandoned": abandoned, "transferred": n_done > 1,
        "self_service": ivr, "outcome": outcome,
        "agent_requested": pd.Series(True, index=idx, dtype="boolean").where(inbound & queued),
        "version_at": f.groupby("key")["updated"].max().reindex(idx),
        "phone": v.text(head["from"]).where(inbound, v.text(head["to"])),
        "line": f.groupby("key")["line"].min().reindex(idx),
    }).reset_index(drop=True)


def _calls(*args: Any, **kwargs: Any) -> Parsed:
    """``Parsed`` of call records: every record not rejected is one call or folded into one (a child
    call of its parent, an older version of the same record): those are merged."""
    parsed = Parsed(*args, **kwargs)
    parsed.rows_merged = parsed.rows_read - len(parsed.rejects) - len(parsed.contacts)
    return parsed

def _frame(records: list[dict[str, Any]], lines: list[int]) -> pd.DataFrame:
    cols = {c: [("" if r.get(c) is None else str(r.get(c))) for r in records] for c in FIELDS}
    return pd.DataFrame(cols, dtype="object").assign(line=lines)


def read_json(data: bytes, opts: ReadOptions) -> Parsed:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    rejects: list[Reject] = []
    n = 0
    for value in values(data, "twilio_json"):
        page = value.get("calls") if isinstance(value, dict) and "sid" not in value else [value]
        for rec in page if isinstance(page, list) else [value]:
            n += 1
            if isinstance(rec, dict) and rec.get("sid"):
                records.append(rec)
                lines.append(n)
            else:
                rejects.append(Reject(n, f"twilio_json: record {n} is not a call (no sid)", str(rec)[:200]))
    dates = Dates(opts, tz="UTC")
    return _calls("twilio", n, _contacts(_frame(records, lines), dates), rejects=rejects,
                  notes=dates.notes, warnings=dates.warnings)


def read_csv(data: bytes, opts: ReadOptions) -> Parsed:
    header, rows = read_table(data, what="twilio_csv")
    require_columns(header, ["Sid", "Status", "Direction", "StartTime"], "twilio_csv")
    short = [(n, cells) for n, cells in rows if len(cells) < len(header)]
    rejects = [Reject(n, f"twilio_csv: the line has {len(cells)} of {len(header)} columns (cut off?)",
                      ",".join(cells)[:200]) for n, cells in short]
    rows = [(n, cells) for n, cells in rows if len(cells) >= len(header)]
    f = v.frame([cells for _, cells in rows], [_snake(h) for h in header])
    for col in FIELDS:
        if col not in f.columns:
            f[col] = ""
    f["line"] = [n for n, _ in rows]
    rejects += [Reject(int(n), "twilio_csv: no Sid (not a call record)", "")
                for n in f.loc[v.blank_to_na(f["sid"]).isna(), "line"]]
    dates = Dates(opts, tz="UTC")
    return _calls("twilio", len(rows) + len(short), _contacts(f, dates), rejects=rejects,
                  notes=dates.notes, warnings=dates.warnings)


CONNECTORS = [
    Connector(name="twilio_json", kind="telephony", source="twilio",
              description="Twilio Calls JSON (API pages, arrays, BulkExport NDJSON/gzip; parent+child = 1 call)",
              sniff=sniff_json, read=read_json, extensions=(".json", ".jsonl", ".ndjson", ".gz")),
    Connector(name="twilio_csv", kind="telephony", source="twilio",
              description="Twilio Calls.csv (PascalCase header, RFC 2822 dates; parent+child = 1 call)",
              sniff=sniff_csv, read=read_csv, columns=CSV_SIGNATURE),
]
