"""The KPI definitions an independent recomputation caught (issue 9), each on a few hand-made rows.

Every test builds its own tiny warehouse (business time zone UTC, so dates read as written) and
counts the expected answer in a comment. Each failed on the definitions before the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kpi_rows import make

from metrics import facade
from metrics.query import Query


def kpi(db: Path, kpi_id: str, **query: Any) -> list[tuple]:
    """(dimension values..., value, n) rows of one KPI over the whole range."""
    frame = facade.run(Query.of(kpi_id, grain="all", **query), db)
    dims = list(query.get("dimensions", ()))
    out = []
    for row in frame.to_dict("records"):
        v = row["value"]
        out.append((*[row[d] for d in dims], None if v != v or v is None else round(float(v), 4),
                    int(row["n"]) if row["n"] == row["n"] and row["n"] is not None else None))
    return out


def test_unreachable_counts_only_attempts_to_reach_a_person(tmp_path: Path) -> None:
    db = make(tmp_path, [
        # answered call: attempt, reached
        {"id": "a", "opened_at": "2024-01-01 10:00", "queued": True,
         "answered_at": "2024-01-01 10:01", "outcome": "answered"},
        # abandoned in queue: attempt, failed
        {"id": "b", "opened_at": "2024-01-01 11:00", "queued": True, "abandoned": True,
         "outcome": "abandoned"},
        # IVR-only call, nobody asked for an agent: not an attempt
        {"id": "c", "opened_at": "2024-01-01 12:00", "self_service": True, "outcome": "ivr",
         "agent_requested": False},
        # IVR-only call where the caller pressed for an agent and was cut off: attempt, failed
        {"id": "d", "opened_at": "2024-01-01 13:00", "self_service": True, "outcome": "ivr",
         "agent_requested": True},
        # bot chat whose source does not record a hand-off request: not an attempt
        {"id": "e", "channel": "chat", "opened_at": "2024-01-01 14:00", "self_service": True,
         "outcome": "bot"},
        # bot chat, customer asked for an agent, the bot ended it: attempt, failed
        {"id": "f", "channel": "self_service", "opened_at": "2024-01-01 15:00",
         "self_service": True, "outcome": "bot", "agent_requested": True},
        # chat ticket of a helpdesk, answered: attempt, reached
        {"id": "g", "channel": "chat", "opened_at": "2024-01-01 16:00", "ticket": True,
         "outcome": "handled", "status": "solved"},
        # a call whose dial to the agents failed (Asterisk FAILED): attempt, failed
        {"id": "h", "opened_at": "2024-01-01 17:00", "outcome": "failed", "agent_requested": True},
        # a phone contact of a generic mapping that only says "asked for an agent": attempt, failed
        {"id": "i", "opened_at": "2024-01-01 18:00", "agent_requested": True},
    ])
    # attempts a b d f g h i; failed b d f h i -> 5/7 (before: every phone/chat row,
    # a b c d e g h i, 6 failed)
    assert kpi(db, "unreachable_rate") == [(71.4286, 7)]


def test_transfer_rate_leaves_out_sources_that_do_not_record_transfers(tmp_path: Path) -> None:
    db = make(tmp_path, [
        {"id": "call1", "opened_at": "2024-01-01 10:00", "outcome": "answered", "queued": True,
         "answered_at": "2024-01-01 10:01", "transferred": True},
        {"id": "call2", "opened_at": "2024-01-01 11:00", "outcome": "answered", "queued": True,
         "answered_at": "2024-01-01 11:01", "transferred": False},
        # two e-mail tickets from an export without transfer data: transferred is NULL
        {"id": "t1", "channel": "email", "opened_at": "2024-01-01 12:00", "ticket": True,
         "status": "solved", "outcome": "handled"},
        {"id": "t2", "channel": "email", "opened_at": "2024-01-01 13:00", "ticket": True,
         "status": "solved", "outcome": "handled"},
    ])
    # recorded: call1 (yes), call2 (no) -> 1/2 (before: 1/4, the tickets as "not transferred")
    assert kpi(db, "transfer_rate") == [(50.0, 2)]
    # per channel: email records nothing, so it has no value ("–"), never a green 0 %
    assert kpi(db, "transfer_rate", dimensions=["channel"]) == [("email", None, 0),
                                                               ("phone", 50.0, 2)]


def test_reopen_rate_counts_chat_and_phone_tickets(tmp_path: Path) -> None:
    db = make(tmp_path, [
        {"id": "e1", "channel": "email", "opened_at": "2024-01-01 10:00", "ticket": True,
         "status": "solved", "reopened_count": 0},
        {"id": "c1", "channel": "chat", "opened_at": "2024-01-01 11:00", "ticket": True,
         "status": "solved", "reopened_count": 1},
        {"id": "p1", "channel": "phone", "opened_at": "2024-01-01 12:00", "ticket": True,
         "status": "closed", "reopened_count": 2},
        # a telephony call record is not a ticket, even with a status
        {"id": "call", "channel": "phone", "opened_at": "2024-01-01 13:00", "ticket": False,
         "status": "closed", "reopened_count": 1},
    ])
    # solved tickets e1 c1 p1; reopened c1 p1 -> 2/3 (before: e1 only, 0/1)
    assert kpi(db, "reopen_rate") == [(66.6667, 3)]


def test_aht_is_inbound_only(tmp_path: Path) -> None:
    db = make(tmp_path, [
        {"id": "in1", "opened_at": "2024-01-01 10:00", "outcome": "answered", "queued": True,
         "answered_at": "2024-01-01 10:00:05", "handle_seconds": 200},
        {"id": "in2", "opened_at": "2024-01-01 11:00", "outcome": "answered", "queued": True,
         "answered_at": "2024-01-01 11:00:05", "handle_seconds": 400},
        {"id": "out", "opened_at": "2024-01-01 12:00", "direction": "outbound",
         "outcome": "handled", "handle_seconds": 1500},
    ])
    # (200 + 400) / 2 = 300 (before: (200 + 400 + 1500) / 3 = 700)
    assert kpi(db, "aht") == [(300.0, 2)]


def _tie_contacts() -> list[dict[str, Any]]:
    """Customer k: a phone call and a self-service session at the SAME second (10:00), then an
    e-mail two days later. Customer m: one call, nothing after."""
    return [
        {"id": "call", "opened_at": "2024-01-01 10:00", "customer_key": "k", "queued": True,
         "answered_at": "2024-01-01 10:01", "outcome": "answered"},
        {"id": "bot", "channel": "self_service", "opened_at": "2024-01-01 10:00",
         "customer_key": "k", "self_service": True, "outcome": "bot"},
        {"id": "mail", "channel": "email", "opened_at": "2024-01-01 20:00", "customer_key": "k",
         "ticket": True, "status": "solved", "outcome": "handled"},
        {"id": "m1", "opened_at": "2024-01-01 09:00", "customer_key": "m", "queued": True,
         "answered_at": "2024-01-01 09:01", "outcome": "answered"},
    ]


def test_contacts_in_the_same_second_are_a_tie(tmp_path: Path) -> None:
    db = make(tmp_path, [
        {"id": "x", "opened_at": "2024-01-01 10:00:00.200", "customer_key": "k"},
        {"id": "y", "opened_at": "2024-01-01 10:00:00.700", "customer_key": "k"},
    ])
    # 0.5 s apart but in the same second: neither repeats the other (kpis.md "same second")
    assert kpi(db, "repeat_rate") == [(0.0, 2)]


def test_ties_do_not_hide_a_repeat(tmp_path: Path) -> None:
    db = make(tmp_path, _tie_contacts())
    # repeat: mail (10 h after call and bot) -> 1 of 4 known-customer contacts; the tie at 10:00
    # makes neither call nor bot a repeat of the other
    assert kpi(db, "repeat_rate") == [(25.0, 4)]
    # fcr over handled known: call (followed by mail within 7 days: not resolved), mail, m1 -> 2/3;
    # before, "call" sorted after "bot" looked only at the next row and could miss the mail
    assert kpi(db, "fcr") == [(66.6667, 3)]
    # switching: call -> mail (email), bot -> mail: 2 of 4 (the tie is not a switch)
    assert kpi(db, "channel_switch_rate") == [(50.0, 4)]
    # false containment: bot followed by an assisted contact (mail, 10 h) within 24 h -> 1/1; the
    # call at the same second is not "after" it
    assert kpi(db, "false_containment") == [(100.0, 1)]


def test_cpx_uses_each_departments_own_driver_and_counts_a_driver_once(tmp_path: Path) -> None:
    contacts = ([{"id": f"b{i}", "opened_at": "2024-01-05 10:00", "reason": "bill"}
                 for i in range(6)]
                + [{"id": f"d{i}", "opened_at": "2024-01-06 10:00", "reason": "where"}
                   for i in range(4)]
                + [{"id": "s1", "opened_at": "2024-01-07 10:00", "reason": "sales"}])
    db = make(tmp_path, contacts,
              reasons=[("bill", "Finance", True), ("where", "Logistics", True),
                       ("sales", "Sales", False)],
              demand=[("2024-01-01", "*", "orders", 100.0),
                      ("2024-01-01", "Finance", "invoices", 60.0),
                      ("2024-01-01", "Logistics", "shipments", 40.0),
                      ("2024-01-01", "Fulfilment", "shipments", 40.0)])
    # company: 11 contacts / 100 orders
    assert kpi(db, "cpx") == [(0.11, 11)]
    # company per shipment: 11 / 40 (the shipments listed under Logistics AND Fulfilment are the
    # same 40 shipments; before: 11 / 80)
    assert kpi(db, "cpx", params={"driver": "shipments"}) == [(0.275, 11)]
    # per department, its own driver: Finance 6 / 60 invoices, Logistics 4 / 40 shipments; Sales
    # has no demand: no value (before: Finance and Logistics had no orders, and a "(none)" row
    # showed 0); Fulfilment has demand but no contacts: 0 / 40
    by_department = {r[0]: r[1:] for r in kpi(db, "cpx", dimensions=["department"])}
    assert by_department["Finance"] == (0.1, 6)
    assert by_department["Logistics"] == (0.1, 4)
    assert by_department["Sales"] == (None, 1)
    assert by_department["Fulfilment"] == (0.0, 0)
    assert all(v is None for k, (v, _) in by_department.items() if k is None)
    # and the scorecard leaves that non-member out of a department breakdown
    scored = facade.scorecard(Query.of("cpx", grain="all", dimensions=["department"]), db)
    assert scored["department"].notna().all()
    # filtered to Finance it is Finance's own driver too
    assert kpi(db, "cpx", filters={"department": "Finance"}) == [(0.1, 6)]


def test_self_service_sessions_are_costed_at_the_self_service_rate(tmp_path: Path) -> None:
    db = make(tmp_path, [
        {"id": "call", "opened_at": "2024-01-01 10:00", "queued": True, "outcome": "answered",
         "answered_at": "2024-01-01 10:00:10", "handle_seconds": 120},
        # an IVR-only call and a bot chat: self-service sessions on the phone and chat channels
        {"id": "ivr", "opened_at": "2024-01-01 11:00", "self_service": True, "outcome": "ivr",
         "handle_seconds": 60},
        {"id": "bot", "channel": "chat", "opened_at": "2024-01-01 12:00", "self_service": True,
         "outcome": "bot"},
    ], costs=[("phone", 1.0, 0.5), ("chat", 0.8, 0.4), ("self_service", 0.0, 0.1)])
    # call 2 min x 1.00 + 0.50 = 2.50; ivr and bot at self_service: 0.10 each -> 2.70 / 3 = 0.90
    # (before: ivr at phone 1 min x 1.00 + 0.50 = 1.50, bot at chat 0.40 -> 4.40 / 3)
    assert kpi(db, "cost_per_contact") == [(0.9, 3)]


def test_before_the_self_service_rate_starts_sessions_keep_their_channel_rate(
        tmp_path: Path) -> None:
    path = make(tmp_path, [
        {"id": "march", "opened_at": "2024-03-01 11:00", "self_service": True, "outcome": "ivr"},
        {"id": "july", "opened_at": "2024-07-01 11:00", "self_service": True, "outcome": "ivr"},
    ], costs=[("phone", 1.0, 0.5)],
        extra=["INSERT INTO channel_costs (channel, cost_per_minute, cost_per_contact, valid_from) "
               "VALUES ('self_service', 0, 0.1, DATE '2024-06-01')"])
    # March: no self_service rate yet -> phone 0.50 (never 0); July: 0.10 -> 0.60 / 2 = 0.30
    assert kpi(path, "cost_per_contact") == [(0.3, 2)]


def test_values_stored_before_the_import_blanked_them_never_reach_a_kpi(tmp_path: Path) -> None:
    db = make(tmp_path, [
        {"id": f"t{i}", "channel": "email", "ticket": True, "opened_at": "2024-01-10 10:00",
         "status": "solved", "closed_at": "2024-01-10 12:00", "handle_seconds": 300}
        for i in range(3)] + [
        # written by an older release: closed 415 days before it was opened, a negative duration
        {"id": "bad", "channel": "email", "ticket": True, "opened_at": "2024-01-10 10:00",
         "status": "solved", "closed_at": "2022-12-21 10:00", "handle_seconds": -50}])
    # the bad ticket has no resolution time and no handle time: median of 3 x 7200 s, AHT 300 s
    assert kpi(db, "resolution_time") == [(7200.0, 3)]
    assert kpi(db, "aht") == [(300.0, 3)]


def test_without_a_self_service_rate_sessions_keep_their_channel_rate(tmp_path: Path) -> None:
    db = make(tmp_path, [
        {"id": "ivr", "opened_at": "2024-01-01 11:00", "self_service": True, "outcome": "ivr"},
    ], costs=[("phone", 1.0, 0.5)])
    # no self_service row in the cost table: the phone rate, 0 min + 0.50
    assert kpi(db, "cost_per_contact") == [(0.5, 1)]


@pytest.mark.parametrize("kpi_id", ["fcr", "channel_switch_rate", "false_containment",
                                    "resolution_time"])
def test_forward_looking_kpis_declare_their_window(kpi_id: str, tmp_path: Path) -> None:
    found = facade.catalog(make(tmp_path, [])).kpis[kpi_id]
    assert found.looks_forward is not None


def test_cross_department_and_cross_channel_kpis_declare_what_they_cannot_be_split_by(
        tmp_path: Path) -> None:
    kpis = facade.catalog(make(tmp_path, [])).kpis
    assert "department" not in kpis["service_caused_share"].dimensions
    assert "channel" not in kpis["channel_consistency_gap"].dimensions
    assert kpis["cpx"].dimensions == ("department",)
    assert "channel" in kpis["csat"].dimensions
    # breakdowns that can only read 0 % or 100 %: a failed attempt or abandon has no team, a reason
    # is avoidable or not
    for kpi_id in ("unreachable_rate", "abandon_rate", "service_level"):
        assert "team" not in kpis[kpi_id].dimensions and "queue" in kpis[kpi_id].dimensions
    assert "reason" not in kpis["avoidable_rate"].dimensions
