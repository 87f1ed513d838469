"""Write a simulation as the exports real systems produce.

* tickets (e-mail, web form, chat, social) as Zendesk Support CSV exports in the account's time zone,
  two yearly exports that overlap by two weeks (the later one holds newer versions of the same tickets);
* calls and chatbot sessions as Amazon Connect contact records: one record per line, one quarter glued
  together without separators (as Kinesis Firehose writes them), and some records re-sent (at least once
  delivery, an earlier version before after-contact work). What the flows know about asking for a
  person is in the contact attributes, as a flow would set them: IVR calls carry ``AgentRequested``
  (true / false), bot sessions the Lex intent as ``IntentName`` (``TransferToAgent`` when the customer
  asked for an agent); a bot session handed to an agent has a ``Queue`` (and an ``Agent`` when answered),
  one whose hand-off failed ends in the flow (``CONTACT_FLOW_DISCONNECT``);
* post-contact surveys as a Qualtrics CSV with its three header rows, plus two preview responses;
* reference data (reason map, channel costs, monthly demand, targets) as the CSVs of docs/reference-data.md.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from connectors.demo.company import COSTS, DEPARTMENT_TARGETS, REASONS, TARGETS
from connectors.demo.simulate import TZ, Simulation

VIA = {"email": "Mail", "web": "Web Form", "chat": "Chat", "social": "Facebook"}
# The chatbot's Lex intent per contact reason (docs/recorded-fields.md: any intent but an agent one
# means the customer did not ask for a person).
BOT_INTENTS = {"delivery_status": "TrackOrder", "invoice_copy": "InvoiceCopy",
               "password_reset": "ResetPassword", "order_change": "ChangeOrder",
               "return_request": "StartReturn"}
ACCOUNT = "123456789012"
INSTANCE = f"arn:aws:connect:eu-central-1:{ACCOUNT}:instance/5e1f0c1e-northwind"


def _format(ts: pd.Series, sep: str, suffix: str) -> pd.Series:
    # numpy's formatter is ~10x faster than strftime on hundreds of thousands of rows
    text = np.datetime_as_string(ts.to_numpy().astype("datetime64[s]"), unit="s")
    out = pd.Series(np.char.add(np.char.replace(text, "T", sep), suffix), index=ts.index, dtype=object)
    return out.where(ts.notna(), "")


def _local(ts: pd.Series) -> pd.Series:
    local = ts.dt.tz_localize("UTC").dt.tz_convert(TZ).dt.tz_localize(None)
    return _format(local, " ", "")


def _iso(ts: pd.Series) -> pd.Series:
    return _format(ts, "T", "Z")


def ticket_ids(sim: Simulation) -> pd.Series:
    return 100000 + sim.contacts["contact_no"]


def contact_uuid(numbers: np.ndarray, seed: int) -> list[str]:
    rng = np.random.default_rng(seed + 1)
    raw = rng.integers(0, 2**63, size=(len(numbers), 2), dtype=np.int64)
    out = []
    for a, b in raw:
        h = f"{a:016x}{b:016x}"
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}")
    return out


def write_zendesk(sim: Simulation, out: Path, customers: pd.DataFrame) -> list[Path]:
    c = sim.contacts[sim.contacts["ticket"]].copy()
    cust = customers.set_index("customer")
    c["Id"] = ticket_ids(sim)[c.index]
    rows = pd.DataFrame({
        "Id": c["Id"],
        "Requester": cust["name"].reindex(c["customer"]).to_numpy(),
        "Requester id": 900000 + c["customer"],
        "Requester external id": cust["account"].reindex(c["customer"]).to_numpy(),
        "Requester email": cust["email"].reindex(c["customer"]).str.title().to_numpy(),  # mixed case
        "Group": c["team"], "Assignee": c["agent"],
        "Subject": c["reason"].map({r.code: r.label for r in REASONS}),
        "Tags": c["reason"], "Priority": "Normal",
        "Via": c["channel"].map(VIA).fillna("Mail"), "Ticket type": "question",
        "Created at": _local(c["opened_at"]),
        "Reopens": c["reopened"].astype(int), "Replies": np.where(c["reopened"], 3, 1),
        "First reply time in minutes": c["first_reply_minutes"].round().astype(int),
        "Full resolution time in minutes": (c["solve_hours"] * 60).round().astype(int),
        "Total time spent (sec)": (c["agent_minutes"] * 60).round().astype(int),
        "Contact reason [list]": c["reason"],
    })
    solved = c["opened_at"] + pd.to_timedelta(c["solve_hours"], unit="h")
    updated = solved + pd.Timedelta(hours=1)
    score = pd.Series("Offered", index=c.index)
    rated = np.random.default_rng(len(c)).random(len(c)) < 0.06
    good = c["reason"].map({r.code: not r.avoidable for r in REASONS}) | ~c["followed"]
    score[rated] = np.where(good[rated], "Good", "Bad")
    end = pd.Timestamp(sim.last) + pd.Timedelta(days=1)
    mid = pd.Timestamp(sim.first) + (end - pd.Timestamp(sim.first)) / 2
    paths = []
    for i, (lo, hi, export_at) in enumerate([(pd.Timestamp(sim.first), mid + pd.Timedelta(days=14),
                                             mid + pd.Timedelta(days=14)), (mid, end, end)]):
        part = (c["opened_at"] >= lo) & (c["opened_at"] < hi)
        done = part & (solved < export_at)
        frame = rows[part].copy()
        frame["Status"] = np.where(done[part], "Closed", "Open")
        frame["Updated at"] = np.where(done[part], _local(updated[part]), frame["Created at"])
        frame["Solved at"] = np.where(done[part], _local(solved[part]), "")
        frame["Satisfaction Score"] = np.where(done[part], score[part], "Not Offered")
        frame["Full resolution time in minutes"] = frame["Full resolution time in minutes"].where(
            done[part], None).astype("Int64")
        order = ["Id", "Requester", "Requester id", "Requester external id", "Requester email",
                 "Group", "Assignee", "Subject", "Tags", "Status", "Priority", "Via", "Ticket type",
                 "Created at", "Updated at", "Solved at", "Satisfaction Score", "Reopens", "Replies",
                 "First reply time in minutes", "Full resolution time in minutes",
                 "Total time spent (sec)", "Contact reason [list]"]
        path = out / f"zendesk_tickets_export_{i + 1}.csv"
        frame[order].to_csv(path, index=False, lineterminator="\r\n")
        paths.append(path)
    return paths


def write_connect(sim: Simulation, out: Path, customers: pd.DataFrame, seed: int) -> list[Path]:
    c = sim.contacts[sim.contacts["phone"] | (sim.contacts["channel"] == "self_service")].copy()
    ids = contact_uuid(c["contact_no"].to_numpy(), seed)
    cust = customers.set_index("customer")
    phone = cust["phone"].reindex(c["customer"]).to_numpy()
    account = cust["account"].reindex(c["customer"]).to_numpy()
    identified = cust["identified"].reindex(c["customer"]).to_numpy()
    opened = c["opened_at"]
    enq = opened + pd.to_timedelta(c["ivr_seconds"], unit="s")
    deq = enq + pd.to_timedelta(c["wait"].fillna(0), unit="s")
    talk_end = deq + pd.to_timedelta(c["talk"].fillna(0) + c["hold"].fillna(0), unit="s")
    acw_end = talk_end + pd.to_timedelta(c["wrap"].fillna(0), unit="s")
    in_flow = c["ivr_only"] | ((c["channel"] == "self_service") & ~c["handoff"])  # never queued
    end = np.where(c["answered"], talk_end, np.where(in_flow, enq, deq))
    cols = {k: _iso(v).to_numpy() for k, v in
            {"opened": opened, "enq": enq, "deq": deq, "talk_end": talk_end, "acw_end": acw_end,
             "end": pd.Series(end, index=c.index), "upd": acw_end + pd.Timedelta(minutes=1)}.items()}
    rng = np.random.default_rng(seed + 2)
    resend = rng.random(len(c)) < 0.03
    records: list[tuple[str, str]] = []
    for i, row in enumerate(c.itertuples(index=False)):
        bot = row.channel == "self_service"
        rec: dict = {
            "AWSAccountId": ACCOUNT, "AWSContactTraceRecordFormatVersion": "2017-03-10",
            "Agent": None, "AgentConnectionAttempts": 1 if row.answered else 0,
            "Attributes": {"ContactReason": row.reason, "Language": "de-DE"},
            "Channel": "CHAT" if bot else "VOICE",
            "ConnectedToSystemTimestamp": cols["opened"][i], "ContactId": ids[i],
            "CustomerEndpoint": None if bot else {"Address": str(phone[i]).replace(" ", ""),
                                                  "Type": "TELEPHONE_NUMBER"},
            "DisconnectReason": "CUSTOMER_DISCONNECT" if not row.answered else "AGENT_DISCONNECT",
            "DisconnectTimestamp": cols["end"][i], "InitialContactId": None,
            "InitiationMethod": "INBOUND", "InitiationTimestamp": cols["opened"][i],
            "InstanceARN": INSTANCE, "LastUpdateTimestamp": cols["upd"][i],
            "NextContactId": None, "PreviousContactId": None, "Queue": None,
            "TransferCompletedTimestamp": cols["talk_end"][i] if row.transferred else None,
        }
        if bot or identified[i]:
            rec["Attributes"]["CustomerId"] = account[i]
        _flow_attributes(rec, row, bot, i)
        if (not bot and not row.ivr_only) or row.handoff:
            rec["Queue"] = {"ARN": f"{INSTANCE}/queue/{row.queue.lower()}", "Name": row.queue,
                            "EnqueueTimestamp": cols["enq"][i], "DequeueTimestamp": cols["deq"][i],
                            "Duration": int(round(row.wait))}
        if row.answered:
            rec["Agent"] = {
                "Username": row.agent, "ConnectedToAgentTimestamp": cols["deq"][i],
                "AgentInteractionDuration": int(round(row.talk)),
                "CustomerHoldDuration": int(round(row.hold)), "NumberOfHolds": int(row.hold > 0),
                "AfterContactWorkStartTimestamp": cols["talk_end"][i],
                "AfterContactWorkEndTimestamp": cols["acw_end"][i],
                "AfterContactWorkDuration": int(round(row.wrap)),
                "RoutingProfile": {"Name": row.team},
                "HierarchyGroups": {"Level1": {"GroupName": row.team}},
            }
        text = json.dumps(rec, separators=(",", ":"))
        records.append((cols["opened"][i][:7], text))
        if resend[i] and row.answered:  # an earlier version, delivered again after the final one
            early = dict(rec, LastUpdateTimestamp=cols["talk_end"][i])
            early["Agent"] = dict(rec["Agent"], AfterContactWorkDuration=None,
                                  AfterContactWorkEndTimestamp=None)
            records.append((cols["opened"][i][:7], json.dumps(early, separators=(",", ":"))))
    by_quarter: dict[str, list[str]] = {}
    for month, text in records:
        y, m = month.split("-")
        by_quarter.setdefault(f"{y}-Q{(int(m) - 1) // 3 + 1}", []).append(text)
    paths = []
    quarters = sorted(by_quarter)
    for q in quarters:
        glued = q == quarters[len(quarters) // 2]  # one quarter as Firehose writes it: no separators
        path = out / f"amazon_connect_ctr_{q}.json"
        path.write_text(("" if glued else "\n").join(by_quarter[q]) + ("" if glued else "\n"),
                        encoding="utf-8")
        paths.append(path)
    return paths


def _flow_attributes(rec: dict, row: Any, bot: bool, i: int) -> None:
    """What the IVR or bot flow recorded about asking for a person (see the module doc)."""
    if bot:
        rec["Attributes"]["IntentName"] = ("TransferToAgent" if row.bot_asked
                                           else BOT_INTENTS.get(row.reason, "FallbackIntent"))
        if row.handoff_failed:
            rec["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"
    elif row.ivr_only:
        rec["Attributes"]["AgentRequested"] = "true" if row.ivr_asked else "false"
        if row.ivr_asked and i % 3 == 0:
            rec["DisconnectReason"] = "CONTACT_FLOW_DISCONNECT"  # cut off; the others hung up


def write_qualtrics(sim: Simulation, out: Path, customers: pd.DataFrame, seed: int) -> Path:
    s = sim.surveys
    c = sim.contacts.set_index("contact_no")
    cust = customers.set_index("customer")
    channel = c["channel"].reindex(s["contact_no"]).to_numpy()
    is_call = np.isin(channel, ["phone", "self_service"])
    call_ids = dict(zip(sim.contacts.loc[sim.contacts["phone"] | (sim.contacts["channel"] == "self_service"), "contact_no"],
                        contact_uuid(sim.contacts.loc[sim.contacts["phone"] | (sim.contacts["channel"] == "self_service"), "contact_no"].to_numpy(), seed), strict=True))
    ticket = np.where(is_call, [call_ids.get(n, "") for n in s["contact_no"]],
                      (100000 + s["contact_no"]).astype(str))
    recorded = _local(pd.Series(s["responded_at"]))
    start = _local(pd.Series(s["responded_at"]) - pd.Timedelta(seconds=95))
    nps_group = np.select([s["nps"] >= 9, s["nps"] >= 7], [3, 2], 1)
    rows = pd.DataFrame({
        "StartDate": start, "EndDate": recorded, "Status": 0, "IPAddress": "",
        "Progress": 100, "Duration (in seconds)": 95, "Finished": 1, "RecordedDate": recorded,
        "ResponseId": [f"R_{seed:02d}{i:09d}" for i in range(len(s))],
        "RecipientLastName": "", "RecipientFirstName": "",
        "RecipientEmail": cust["email"].reindex(s["customer"]).to_numpy(),
        "ExternalReference": "", "LocationLatitude": "", "LocationLongitude": "",
        "DistributionChannel": "email", "UserLanguage": "DE",
        "Q1": s["csat"], "Q2": s["nps"], "Q2_NPS_GROUP": nps_group, "Q3": s["ces"],
        "Q4": np.where(s["resolved"], "Yes", "No"), "Q5": s["comment"],
        "TicketId": ticket, "Channel": s["channel"],
    })
    preview = rows.head(2).copy()
    preview["Status"] = 1  # Survey Preview: the importer must drop these
    preview["ResponseId"] = ["R_preview000001", "R_preview000002"]
    rows = pd.concat([preview, rows], ignore_index=True)
    labels = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
              "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
              "Recipient Last Name", "Recipient First Name", "Recipient Email",
              "External Data Reference", "Location Latitude", "Location Longitude",
              "Distribution Channel", "User Language",
              "How satisfied were you with our service?",
              "How likely are you to recommend Northwind Home to a friend or colleague?",
              "How likely are you to recommend Northwind Home to a friend or colleague? - Group",
              "Northwind Home made it easy for me to handle my issue.",
              "Was your issue resolved?", "Anything else you would like to tell us?",
              "TicketId", "Channel"]
    ids = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished",
           "recordedDate", "_recordId", "recipientLastName", "recipientFirstName", "recipientEmail",
           "externalDataReference", "locationLatitude", "locationLongitude", "distributionChannel",
           "userLanguage", "QID1", "QID2", "QID2_NPS_GROUP", "QID3", "QID4", "QID5_TEXT",
           "TicketId", "Channel"]
    import_ids = [json.dumps({"ImportId": i, "timeZone": TZ} if i.endswith("Date") else {"ImportId": i},
                             separators=(",", ":")) for i in ids]
    path = out / "qualtrics_post_contact_survey.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(rows.columns)
        w.writerow(labels)
        w.writerow(import_ids)
        w.writerows(rows.itertuples(index=False))
    return path


def write_reference(sim: Simulation, out: Path) -> dict[str, Path]:
    ref = out / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    paths = {}
    reason = pd.DataFrame([{"reason": r.code, "label": r.label, "department": r.department,
                            "avoidable": str(r.avoidable).lower(), "quadrant": r.quadrant,
                            "valid_from": "1900-01-01", "valid_to": "9999-12-31"} for r in REASONS])
    paths["reason_map"] = ref / "reason_map.csv"
    reason.to_csv(paths["reason_map"], index=False)
    raise_day = date(sim.last.year, 1, 1)
    costs = [{"channel": k.channel, "cost_per_minute": k.per_minute, "cost_per_contact": k.per_contact,
              "valid_from": "1900-01-01", "currency": "EUR"} for k in COSTS]
    costs += [{"channel": "phone", "cost_per_minute": 1.16, "cost_per_contact": 0.6,
               "valid_from": raise_day.isoformat(), "currency": "EUR"}]  # new telephony contract
    paths["channel_costs"] = ref / "channel_costs.csv"
    pd.DataFrame(costs).to_csv(paths["channel_costs"], index=False)
    paths["demand"] = ref / "demand.csv"
    _demand(sim).to_csv(paths["demand"], index=False)
    paths["targets"] = ref / "targets.csv"
    rows = [(k, "*", t, r) for k, t, r in TARGETS] + list(DEPARTMENT_TARGETS)
    pd.DataFrame([{"kpi": k, "channel": "*", "department": d, "valid_from": "1900-01-01",
                   "valid_to": "9999-12-31", "target": t, "red_flag": r, "weight": 1.0}
                  for k, d, t, r in rows]).to_csv(paths["targets"], index=False)
    return paths


def _demand(sim: Simulation) -> pd.DataFrame:
    """Monthly orders (the company's main driver), shipments and invoices: smooth business volume.

    Orders follow the season but not the incidents, so contacts per order shows the failures."""
    c = sim.contacts
    month = c["opened_at"].dt.to_period("M")
    base = c[~c["reason"].isin(["billing_error", "delivery_status", "wrong_item"])].groupby(
        month.loc[c.index][~c["reason"].isin(["billing_error", "delivery_status", "wrong_item"])]).size()
    orders = (base * 4.2).round()
    rows = []
    for period, value in orders.items():
        first_day = period.start_time.date().isoformat()
        rows.append({"period": first_day, "department": "*", "driver": "orders", "value": value})
        rows.append({"period": first_day, "department": "Logistics", "driver": "shipments",
                     "value": round(value * 1.3)})
        rows.append({"period": first_day, "department": "Fulfilment", "driver": "shipments",
                     "value": round(value * 1.3)})
        rows.append({"period": first_day, "department": "Finance", "driver": "invoices",
                     "value": round(value * 1.05)})
    return pd.DataFrame(rows)


def default_period(end: date | None) -> tuple[date, date]:
    """Two years up to ``end`` (default yesterday), starting on the first day of a month, so a
    year compared with the year before is covered by data from its first day."""
    last = end or (date.today() - timedelta(days=1))
    return date(last.year - 2, last.month, 1), last
