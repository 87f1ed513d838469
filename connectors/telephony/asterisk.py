"""Asterisk CDR files: cdr_csv ``Master.csv`` and the cdr_custom default profile (export-formats.md 2.1).

Quirks handled:
* **no header**: the layout is chosen by column count. cdr_csv writes the 16 base columns, then
  ``uniqueid`` (loguniqueid), ``userfield`` (loguserfield), then ``peeraccount, linkedid, sequence``
  (newcdrcolumns), in that order (cdr_csv.c), so 16 = base, 17 = +uniqueid, 18 = +uniqueid, userfield,
  19 = base + peeraccount, linkedid, sequence, 20 = +uniqueid + the three, 21 = all. cdr_custom's default
  template is its own 19-column order (clid first, start in column 9, every value quoted); the sniffers
  tell the two 19-column files apart by where the start time sits, never by count alone;
* a file whose rows mostly have a column count no layout knows is refused (``asterisk: expected 16-21
  columns, line 3 has 9``); a few odd rows (at most 10 %) are rejected one by one with their line, and a
  last line cut off mid-record (a log copied while Asterisk writes it) is rejected as truncated, so the
  complete calls before it still load;
* times are ``%Y-%m-%d %H:%M:%S`` in server local time unless ``usegmtime=yes``: read in ``--tz``;
  ``answer`` is empty for unanswered legs; raw non-UTF-8 caller names survive (``textfile.decode``);
* **several rows per call**: legs with the same ``linkedid`` (else ``uniqueid``; a 16-column file has
  neither, so each row is one call keyed by channel and start) are ONE contact: opened = first start,
  closed = last end, answered = first leg bridged to a person (ANSWERED with a ``dstchannel``; for an
  outbound call any ANSWERED leg), talk = billsec of those legs, transferred = more than one of them.
  Exact duplicate rows (overlapping log copies) count once;
* an inbound leg that Asterisk itself answered (IVR, ``Queue``, voicemail: ANSWERED without a peer) is no
  answer by an agent: queued (a ``Queue`` leg) and never bridged -> abandoned (wait = the queue leg's
  length); answered by an application only -> ``ivr``, self-service; otherwise NO ANSWER -> no_answer,
  BUSY -> busy, FAILED / CONGESTION -> failed. Wait of an answered call = answer - start of the answering
  leg (CDRs know no queue entry time; queue_log would); of an unanswered one = the call's length;
  IVR-only calls have no wait;
* direction: inbound when the first leg's ``dcontext`` looks like a trunk context (from-trunk, from-pstn,
  from-external, from-did, incoming, inbound, ext-queues) or ``src`` is a long external number calling a
  short extension or queue; otherwise outbound (internal calls included). The customer's number is ``src``
  inbound and ``dst`` outbound; the agent is the peer of ``dstchannel`` (inbound) or ``channel``
  (outbound) without technology and channel suffix (``PJSIP/client2-00000003`` -> ``client2``).
* ``agent_requested`` (docs/recorded-fields.md): an inbound call that rang a person is an attempt to reach
  one: a ``Queue`` leg, a ``Dial`` leg, or any leg with a ``dstchannel`` (a peer was rung), whatever the
  disposition. An inbound call that only an application answered (IVR, announcement, voicemail) is NULL:
  a CDR does not record the caller's menu choice, so whether they asked for an agent is unknown.
  Outbound calls: NULL. ``transferred`` is recorded (false unless two legs reached people).
Handle time = talk when answered, NULL otherwise (CDRs record no hold or wrap-up).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from connectors import values as v
from connectors.base import Connector, FormatError, Parsed, ReadOptions, Reject
from connectors.textfile import decode, head_text, records

BASE = ["accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
        "start", "answer", "end", "duration", "billsec", "disposition", "amaflags"]
NEW = ["peeraccount", "linkedid", "sequence"]
CSV_LAYOUTS = {16: BASE, 17: BASE + ["uniqueid"], 18: BASE + ["uniqueid", "userfield"], 19: BASE + NEW,
               20: BASE + ["uniqueid"] + NEW, 21: BASE + ["uniqueid", "userfield"] + NEW}
CUSTOM = ["clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start",
          "answer", "end", "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid",
          "userfield", "sequence"]
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
INT = re.compile(r"^\d+$")
DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}
INBOUND_CONTEXT = r"from-(?:trunk|pstn|external|did)|incoming|inbound|ext-queues"
FMT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Profile:
    name: str
    layouts: dict[int, list[str]]
    expected: str  # how the column counts are named in messages

    def fits(self, cells: list[str]) -> bool:
        """A record of this profile: known count, times and integers where the layout puts them."""
        cols = self.layouts.get(len(cells))
        if cols is None:
            return False
        at = {c: cells[i].strip() for i, c in enumerate(cols)}
        return bool(TIME.match(at["start"]) and TIME.match(at["end"])
                    and (at["answer"] == "" or TIME.match(at["answer"]))
                    and INT.match(at["duration"]) and INT.match(at["billsec"])
                    and at["disposition"].upper() in DISPOSITIONS)


CSV_PROFILE = Profile("asterisk_csv", CSV_LAYOUTS, "16-21")
CUSTOM_PROFILE = Profile("asterisk_custom", {19: CUSTOM}, "19")


def _sniff(profile: Profile, head: bytes) -> float:
    lines = head_text(head).splitlines()
    if len(head) >= 65536 and len(lines) > 1:
        lines = lines[:-1]  # the head cut the last line
    sample = [ln for ln in lines if ln.strip()][:50]
    if not sample:
        return 0.0
    parsed = list(csv.reader(sample))
    fit = [profile.fits(cells) for cells in parsed]
    if not fit[0]:
        return 0.0
    # Mostly good lines: surely ours; some odd ones: still ours, so that read names the bad line.
    return 0.95 if sum(fit) >= 0.8 * len(fit) else 0.7 if sum(fit) >= 0.5 * len(fit) else 0.0


def _rows(profile: Profile, text: str) -> tuple[list[tuple[int, list[str]]], list[Reject], list[str]]:
    """The records of the file's layout, the rejected odd ones, and the layout's column names."""
    rejects: list[Reject] = []
    body = text.rstrip("\r\n")
    if body.count('"') % 2 == 1:  # the last record ends inside a quoted field: cut off
        cut = body.rfind("\n")
        if cut < 0 or body[:cut].count('"') % 2 == 1:
            raise FormatError(f"{profile.name}: the file ends inside a quoted field (truncated export?)")
        line = body.count("\n") + 1
        rejects.append(Reject(line, f"{profile.name}: truncated last line", body[cut + 1:][:200]))
        body = body[:cut]
    rows = list(records(body, ","))
    if not rows:
        raise FormatError(f"{profile.name}: the file holds no records")
    width = Counter(len(cells) for _, cells in rows).most_common(1)[0][0]
    odd = [(n, cells) for n, cells in rows if len(cells) != width]
    if width not in profile.layouts or len(odd) > len(rows) // 10:
        bad = [(n, c) for n, c in rows if len(c) not in profile.layouts] or odd
        n, cells = bad[0]
        raise FormatError(f"asterisk: expected {profile.expected} columns, line {n} has {len(cells)}", n)
    truncated = rows[-1][0] if len(rows[-1][1]) < width else None
    for n, cells in odd:
        reason = "truncated last line" if n == truncated else f"expected {width} columns, the line has {len(cells)}"
        rejects.append(Reject(n, f"{profile.name}: {reason}", ",".join(cells)[:200]))
    good = [(n, cells) for n, cells in rows if len(cells) == width]
    if not any(profile.fits(cells) for _, cells in good[:50]):
        n, cells = good[0]
        raise FormatError(f"{profile.name}: line {n} is not a {profile.name} record (no start time, "
                          f"durations and disposition where the {width}-column layout puts them)", n)
    return good, rejects, profile.layouts[width]


def _peer(channel: pd.Series) -> pd.Series:
    """``PJSIP/client2-00000003`` -> ``client2``; ``Local/101@from-queue-0000001;1`` -> ``101``."""
    peer = channel.str.replace(r"^[^/]*/", "", regex=True).str.replace(r"@.*$", "", regex=True)
    peer = peer.str.replace(r"-[0-9a-fA-F]+(;\d+)?$", "", regex=True)
    return peer.mask(peer == "", pd.NA)


def _col(f: pd.DataFrame, name: str) -> pd.Series:
    return f[name] if name in f.columns else pd.Series("", index=f.index, dtype="object")


def _read(profile: Profile, data: bytes, opts: ReadOptions) -> Parsed:
    text = decode(data)
    if not text.strip():
        raise FormatError(f"{profile.name}: the file is empty")
    rows, rejects, cols = _rows(profile, text)
    rows_read = len(rows) + len(rejects)
    f = v.frame([cells for _, cells in rows], cols)
    f["line"] = [n for n, _ in rows]
    f = f.drop_duplicates(subset=cols).reset_index(drop=True)  # the same leg in two log copies
    start = v.timestamps(f["start"], fmt=FMT, tz=opts.tz)
    for n, raw in zip(f["line"][start.isna()], f["start"][start.isna()], strict=True):
        rejects.append(Reject(int(n), f"{profile.name}: unreadable start time '{raw}'", raw))
    d = pd.DataFrame({
        "key": v.text(_col(f, "linkedid")).fillna(v.text(_col(f, "uniqueid")))
        .fillna(v.text(f["channel"]) + "@" + f["start"].str.strip()),
        "line": f["line"].astype("int64"), "start": start,
        "answer": v.timestamps(f["answer"], fmt=FMT, tz=opts.tz),
        "end": v.timestamps(f["end"], fmt=FMT, tz=opts.tz),
        "duration": v.numbers(f["duration"]), "billsec": v.numbers(f["billsec"]),
        "disposition": f["disposition"].str.strip().str.upper(),
        "is_queue": f["lastapp"].str.strip().str.lower() == "queue",
        "is_dial": f["lastapp"].str.strip().str.lower() == "dial",
        "lastdata": f["lastdata"], "dcontext": f["dcontext"].str.lower(),
        "src": v.text(f["src"]), "dst": v.text(f["dst"]),
        "channel": v.text(f["channel"]), "dstchannel": v.text(f["dstchannel"]),
        "seq": v.numbers(_col(f, "sequence")).fillna(0),
    })[start.notna()]
    d["end"] = d["end"].fillna(d["start"] + pd.to_timedelta(d["duration"].fillna(0), unit="s"))
    d = d.sort_values(["key", "start", "seq", "line"]).reset_index(drop=True)
    first = d.drop_duplicates("key").set_index("key")
    digits = first["src"].fillna("").str.replace(r"^\+", "", regex=True)
    external = digits.str.fullmatch(r"\d{7,}") & (first["dst"].fillna("").str.len() <= 6)
    inbound = first["dcontext"].str.contains(INBOUND_CONTEXT, regex=True) | external
    d["inbound"] = d["key"].map(inbound).astype(bool)
    d["answered"] = (d["disposition"] == "ANSWERED") & d["answer"].notna()
    d["person"] = d["answered"] & (d["dstchannel"].notna() | ~d["inbound"])
    d["no_answer"] = d["disposition"] == "NO ANSWER"
    d["busy"] = d["disposition"] == "BUSY"
    d["failed"] = d["disposition"].isin(["FAILED", "CONGESTION"])
    d["rang"] = d["is_queue"] | d["is_dial"] | d["dstchannel"].notna()
    g = d.groupby("key", sort=False)
    agg = g.agg(opened=("start", "min"), closed=("end", "max"), line=("line", "min"),
                people=("person", "sum"), queued=("is_queue", "any"), app=("answered", "any"),
                no_answer=("no_answer", "any"), busy=("busy", "any"), failed=("failed", "any"),
                rang=("rang", "any"))
    legs = d[d["person"]].sort_values(["key", "answer", "line"]).drop_duplicates("key").set_index("key")
    queue_legs = d[d["is_queue"]].drop_duplicates("key").set_index("key")
    idx = agg.index
    answered = agg["people"] > 0
    inbound = inbound.reindex(idx).astype(bool)
    abandoned = ~answered & agg["queued"]
    ivr = ~answered & ~abandoned & agg["app"] & inbound
    outcome = np.select(
        [answered, abandoned, ivr, agg["no_answer"], agg["busy"], agg["failed"]],
        ["answered", "abandoned", "ivr", "no_answer", "busy", "failed"], default="failed")
    answered_at = legs["answer"].reindex(idx)
    queue_len = (queue_legs["end"] - queue_legs["start"]).reindex(idx).dt.total_seconds()
    call_len = (agg["closed"] - agg["opened"]).dt.total_seconds()
    wait = (answered_at - legs["start"].reindex(idx)).dt.total_seconds()
    wait = wait.where(answered, queue_len.where(abandoned, call_len.where(~ivr)))
    talk = d["billsec"].where(d["person"]).groupby(d["key"], sort=False).sum(min_count=1).reindex(idx)
    agent = _peer(legs["dstchannel"].where(inbound.reindex(legs.index), legs["channel"]).astype("string"))
    queue = queue_legs["lastdata"].str.split(r"[,|]", regex=True).str[0].str.strip().reindex(idx)
    contacts = pd.DataFrame({
        "source_record_id": idx, "case_id": idx, "channel": "phone",
        "direction": np.where(inbound, "inbound", "outbound"),
        "opened_at": agg["opened"], "answered_at": answered_at, "closed_at": agg["closed"],
        "queue": queue.mask(queue == "", None), "agent": agent.reindex(idx),
        "wait_seconds": wait, "talk_seconds": talk.where(answered),
        "handle_seconds": talk.where(answered),
        "queued": agg["queued"], "abandoned": abandoned, "transferred": agg["people"] > 1,
        "self_service": ivr, "outcome": outcome, "version_at": agg["closed"],
        "agent_requested": pd.Series(True, index=idx, dtype="boolean").where(inbound & agg["rang"]),
        "phone": first["src"].where(inbound, first["dst"]).reindex(idx),
        "line": agg["line"],
    }).reset_index(drop=True)
    return _calls("asterisk", rows_read, contacts, rejects=rejects)


def _calls(*args: Any, **kwargs: Any) -> Parsed:
    """``Parsed`` of CDR legs: every leg not rejected is one call or folded into one (another leg
    of the same call, the same leg twice in overlapping log copies): those are merged."""
    parsed = Parsed(*args, **kwargs)
    parsed.rows_merged = parsed.rows_read - len(parsed.rejects) - len(parsed.contacts)
    return parsed

def _connector(profile: Profile, description: str) -> Connector:
    return Connector(
        name=profile.name, kind="telephony", source="asterisk", description=description,
        sniff=lambda head, _name: _sniff(profile, head),
        read=lambda data, opts: _read(profile, data, opts),
        extensions=(".csv", ".1", ""),  # Master.csv, Master.csv.1 (rotated)
    )


CONNECTORS = [
    _connector(CSV_PROFILE, "Asterisk cdr_csv Master.csv (no header, 16-21 columns, legs -> calls)"),
    _connector(CUSTOM_PROFILE, "Asterisk cdr_custom default profile (no header, 19 quoted columns)"),
]
