"""Scorecard semantics (kpis.md): provisional values, filters that do not apply, comparison periods,
scoring that does not flatter, mix effects, where a target comes from, audit findings on a KPI.

Each test builds a tiny warehouse (business time zone UTC) and counts its answer in a comment.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from kpi_rows import make

from metrics import facade, quantiles, semantics
from metrics.query import Query


def answered(cid: str, opened: str, customer: str | None = None, **more: Any) -> dict[str, Any]:
    return {"id": cid, "opened_at": opened, "customer_key": customer or cid, "queued": True,
            "answered_at": opened, "outcome": "answered", **more}


def row(frame: pd.DataFrame, kpi: str, period: str | None = None) -> dict[str, Any]:
    rows = frame[frame["kpi"] == kpi]
    if period is not None:
        rows = rows[rows["period"].astype(str) == period]
    assert len(rows) == 1, rows
    return rows.iloc[0].to_dict()


# --- provisional ------------------------------------------------------------------------------

def test_forward_looking_kpi_is_provisional_near_the_newest_data(tmp_path: Path) -> None:
    # 40 answered calls of 40 customers on 2024-12-10 and 40 on 2025-01-20; the newest data is
    # 2025-01-20 12:00. fcr looks 7 days forward: December ended (2025-01-01) before
    # 2025-01-13 12:00 (newest - 7 days), so it is final; January holds contacts after that.
    contacts = ([answered(f"d{i}", "2024-12-10 10:00") for i in range(40)]
                + [answered(f"j{i}", "2025-01-20 12:00") for i in range(40)])
    db = make(tmp_path, contacts)
    frame = facade.scorecard(Query.of(["fcr", "repeat_rate"], grain="month"), db)
    december, january = row(frame, "fcr", "2024-12-01"), row(frame, "fcr", "2025-01-01")
    # December: 40 handled, none followed -> 100 % >= target 75: green, final
    assert (december["value"], december["provisional"], december["status"]) == (100.0, False,
                                                                                  "green")
    # January: shown (100 %), provisional until 2025-02-01 + 7 days, no status, no score
    assert january["value"] == 100.0 and january["provisional"]
    assert january["final_on"] == date(2025, 2, 8)
    assert january["status"] == "grey" and pd.isna(january["score"])
    assert january["note"] == "provisional until 2025-02-08"
    # repeat_rate looks back: always final
    assert not row(frame, "repeat_rate", "2025-01-01")["provisional"]


def test_resolution_time_is_provisional_while_tickets_of_the_period_are_open(
        tmp_path: Path) -> None:
    tickets = [{"id": f"t{i}", "channel": "email", "ticket": True, "opened_at": "2024-03-05 10:00",
                "status": "solved", "closed_at": "2024-03-05 12:00"} for i in range(30)]
    tickets += [{"id": "open1", "channel": "email", "ticket": True,
                 "opened_at": "2024-03-06 10:00", "status": "open"},
                {"id": "feb", "channel": "email", "ticket": True, "opened_at": "2024-02-06 10:00",
                 "status": "solved", "closed_at": "2024-02-06 11:00"}]
    db = make(tmp_path, tickets)
    frame = facade.scorecard(Query.of("resolution_time", grain="month"), db)
    march = row(frame, "resolution_time", "2024-03-01")
    # 30 solved after 2 h (median 7200 s), 1 still open -> provisional, no status
    assert march["value"] == 7200.0 and march["provisional"] and march["open_tickets"] == 1
    assert march["status"] == "grey" and march["note"] == "provisional: 1 ticket still open"
    assert not row(frame, "resolution_time", "2024-02-01")["provisional"]


# --- filters that do not apply ----------------------------------------------------------------

def _avoidable(tmp_path: Path) -> Path:
    # 30 avoidable Finance contacts (phone), 10 avoidable Customer Service contacts (chat)
    contacts = ([answered(f"f{i}", "2024-01-05 10:00", reason="bill") for i in range(30)]
                + [answered(f"s{i}", "2024-01-06 10:00", reason="pwd", channel="chat")
                   for i in range(10)])
    return make(tmp_path, contacts, reasons=[("bill", "Finance", True),
                                             ("pwd", "Customer Service", True)])


def test_service_caused_share_is_not_applicable_under_a_department_filter(tmp_path: Path) -> None:
    db = _avoidable(tmp_path)
    whole = row(facade.scorecard(Query.of("service_caused_share", grain="all"), db),
                "service_caused_share")
    # 10 of 40 avoidable contacts are Customer Service's -> 25 %, applicable
    assert whole["value"] == 25.0 and whole["applicable"]
    finance = row(facade.scorecard(Query.of("service_caused_share", grain="all",
                                            filters={"department": "Finance"}), db),
                  "service_caused_share")
    # before: Finance 0 % in green; now no value, no status, no score
    assert not finance["applicable"] and pd.isna(finance["value"])
    assert finance["status"] == "grey" and pd.isna(finance["score"])
    assert finance["note"] == "not applicable to this selection"
    by_department = facade.scorecard(Query.of("service_caused_share", grain="all",
                                              dimensions=["department"]), db)
    assert not by_department["applicable"].any() and by_department["value"].isna().all()
    # a channel filter is fine: phone holds the 30 Finance contacts -> 0 of 30 is a real 0 %
    phone = row(facade.scorecard(Query.of("service_caused_share", grain="all",
                                          filters={"channel": "phone"}), db), "service_caused_share")
    assert phone["applicable"] and phone["value"] == 0.0


def test_channel_gap_is_not_applicable_to_one_channel(tmp_path: Path) -> None:
    surveys = [f"INSERT INTO survey_responses (response_id, source, source_record_id, channel, "
               f"responded_at, csat, csat_scale) VALUES ('t:r{i}', 't', 'r{i}', "
               f"'{'chat' if i % 2 else 'phone'}', TIMESTAMP '2024-01-10', {4 + i % 2}, 5)"
               for i in range(80)]
    db = make(tmp_path, [], extra=surveys)
    # 40 phone and 40 chat responses, all satisfied: gap 0 points across the two channels
    assert row(facade.scorecard(Query.of("channel_consistency_gap", grain="all"), db),
               "channel_consistency_gap")["value"] == 0.0
    frame = facade.scorecard(Query.of("channel_consistency_gap", grain="all",
                                      filters={"channel": "chat"}), db)
    assert not row(frame, "channel_consistency_gap")["applicable"]
    # two channels: the gap between them is still a gap
    both = facade.scorecard(Query.of("channel_consistency_gap", grain="all",
                                     filters={"channel": ["chat", "phone"]}), db)
    assert row(both, "channel_consistency_gap")["applicable"]


# --- previous period --------------------------------------------------------------------------

def test_comparison_ranges_follow_the_calendar() -> None:
    # March is compared with February (not the 31 days before, 29 Jan - 28 Feb)
    assert facade.comparison_range(date(2025, 3, 1), date(2025, 3, 31), "prev") == (
        date(2025, 2, 1), date(2025, 2, 28))
    # Q2 -> Q1
    assert facade.comparison_range(date(2025, 4, 1), date(2025, 6, 30), "prev") == (
        date(2025, 1, 1), date(2025, 3, 31))
    # 10 days -> the 10 days before
    assert facade.comparison_range(date(2025, 3, 11), date(2025, 3, 20), "prev") == (
        date(2025, 3, 1), date(2025, 3, 10))
    # February 2025 a year earlier keeps 29 February 2024
    assert facade.comparison_range(date(2025, 2, 1), date(2025, 2, 28), "yoy") == (
        date(2024, 2, 1), date(2024, 2, 29))


def test_change_against_the_previous_calendar_month(tmp_path: Path) -> None:
    contacts = ([answered(f"j{i}", "2025-01-30 10:00") for i in range(2)]
                + [answered(f"f{i}", "2025-02-10 10:00") for i in range(3)]
                + [answered(f"m{i}", "2025-03-10 10:00") for i in range(5)])
    db = make(tmp_path, contacts)
    march = row(facade.scorecard(Query.of("contacts", grain="all", start="2025-03-01",
                                          end="2025-03-31"), db), "contacts")
    # 5 in March - 3 in February = +2 (before: the 31 days before March took 30 Jan too: 5 - 5)
    assert march["change_prev"] == 2.0


def test_no_change_when_the_comparison_period_has_no_data(tmp_path: Path) -> None:
    db = make(tmp_path, [answered(f"m{i}", "2025-03-10 10:00") for i in range(5)])
    march = row(facade.scorecard(Query.of("contacts", grain="all", start="2025-03-01",
                                          end="2025-03-31"), db), "contacts")
    # the data starts in March: no "+5 vs previous"
    assert pd.isna(march["change_prev"]) and pd.isna(march["change_yoy"])
    trend = facade.scorecard(Query.of("contacts", grain="month"), db)
    assert trend["change_prev"].isna().all()


# --- scoring ----------------------------------------------------------------------------------

def test_additive_targets_are_monthly_and_prorated(tmp_path: Path) -> None:
    # three contacts on 1 January, three on 28 February: the data covers both months
    db = make(tmp_path, [answered(f"c{i}", ("2025-01-01 10:00", "2025-02-28 10:00")[i % 2])
                         for i in range(6)],
              extra=["INSERT INTO targets (kpi, target, red_flag) VALUES ('contacts', 2, 4)"])
    two_months = row(facade.scorecard(Query.of("contacts", grain="all", start="2025-01-01",
                                               end="2025-02-28"), db), "contacts")
    # 6 contacts over two months; a monthly target of 2 and red flag 4 -> 4 and 8 for the range:
    # amber between them (before: 6 against 2/4 was red)
    assert (two_months["target"], two_months["red_flag"]) == (4.0, 8.0)
    assert two_months["status"] == "amber"
    assert two_months["target_source"] == "targets table (all channels, all departments)"


def test_target_source_says_file_or_table(tmp_path: Path) -> None:
    calls = [answered(f"c{i}", "2025-01-10 10:00", handle_seconds=300) for i in range(30)]
    db = make(tmp_path, calls, extra=[
        "INSERT INTO targets (kpi, department, valid_from, target, red_flag) "
        "VALUES ('aht', 'Finance', '2025-01-01', 420, 540)"])
    frame = facade.scorecard(Query.of(["aht", "asa"], grain="all"), db)
    # no department in scope: the Finance row does not apply, the KPI file's 360 s does
    assert (row(frame, "aht")["target"], row(frame, "aht")["target_source"]) == (360.0,
                                                                                  "KPI file")
    finance = facade.scorecard(Query.of("aht", grain="all", filters={"department": "Finance"}), db)
    assert row(finance, "aht")["target"] == 420.0
    assert row(finance, "aht")["target_source"] == (
        "targets table (all channels, department Finance, from 2025-01-01)")


# --- mix effects ------------------------------------------------------------------------------

def test_a_total_that_moves_against_every_channel_says_so(tmp_path: Path) -> None:
    def reply(cid: str, opened: str, channel: str, seconds: int) -> dict[str, Any]:
        stamp = pd.Timestamp(opened) + pd.Timedelta(seconds=seconds)
        return {"id": cid, "opened_at": opened, "channel": channel, "ticket": channel == "email",
                "first_response_at": str(stamp), "outcome": "handled"}
    # January (the data starts on the 1st, so January is a whole comparison month): 40 chats
    # answered in 10 s, 31 e-mails in 3600 s -> median 10 s
    # February: 31 chats in 8 s, 40 e-mails in 3000 s -> median 3000 s: worse, while chat
    # (10 -> 8) and e-mail (3600 -> 3000) both improved
    contacts = ([reply(f"jc{i}", "2025-01-01 10:00", "chat", 10) for i in range(40)]
                + [reply(f"je{i}", "2025-01-11 10:00", "email", 3600) for i in range(31)]
                + [reply(f"fc{i}", "2025-02-10 10:00", "chat", 8) for i in range(31)]
                + [reply(f"fe{i}", "2025-02-11 10:00", "email", 3000) for i in range(40)])
    db = make(tmp_path, contacts)
    feb = row(facade.scorecard(Query.of("first_response_time", grain="all", start="2025-02-01",
                                        end="2025-02-28"), db), "first_response_time")
    # whole months by channel: the medians come from the monthly histograms, each within
    # quantiles.BOUND of the exact 3000 s and 10 s (metrics/quantiles.py)
    assert abs(feb["change_prev"] - 2990.0) <= quantiles.BOUND * (3000 + 10)
    assert facade.explain(Query.of("first_response_time", grain="all", start="2025-02-01",
                                   end="2025-02-28"), db)[0].source == "q_m_contacts"
    assert feb["mix_effect"] == ("The total got worse while each of its 2 channels improved: "
                                 "the mix of channels moved, not the channels.")
    by_month = facade.scorecard(Query.of("first_response_time", grain="month"), db)
    assert row(by_month, "first_response_time", "2025-02-01")["mix_effect"].startswith(
        "The total got worse")


# --- audit findings ---------------------------------------------------------------------------

def test_audit_findings_show_on_the_kpis_they_touch(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantics, "audit_kpis",
                        lambda: {"contacts_end_before_start": ("resolution_time", "aht")})
    db = make(tmp_path, [answered("a", "2025-01-10 10:00")], extra=[
        "INSERT INTO audit_findings VALUES (1, 'contacts_end_before_start', 0, '', "
        "TIMESTAMP '2025-01-01')",
        "INSERT INTO audit_findings VALUES (2, 'contacts_end_before_start', 12, '', "
        "TIMESTAMP '2025-01-02')"])
    frame = facade.scorecard(Query.of(["resolution_time", "aht", "csat"], grain="all"), db)
    # the latest finding (12 rows) counts; csat is not touched
    assert row(frame, "aht")["data_issues"] == "12 rows in contacts_end_before_start"
    assert row(frame, "csat")["data_issues"] == ""


def test_a_company_budget_does_not_judge_one_departments_part(tmp_path: Path) -> None:
    # Finance's calls on 1 January, Logistics' on 31 January: the data covers the month
    calls = ([answered(f"f{i}", "2025-01-01 10:00", reason="bill", handle_seconds=60)
              for i in range(20)]
             + [answered(f"l{i}", "2025-01-31 10:00", reason="where", handle_seconds=60)
                for i in range(10)])
    db = make(tmp_path, calls, costs=[("phone", 1.0, 0.0)],
              reasons=[("bill", "Finance", True), ("where", "Logistics", True)],
              extra=["INSERT INTO targets (kpi, target, red_flag) VALUES ('avoidable_cost', 25, 40)",
                     "INSERT INTO targets (kpi, department, target, red_flag) "
                     "VALUES ('avoidable_cost', 'Finance', 15, 25)"])
    q = Query.of("avoidable_cost", grain="all", start="2025-01-01", end="2025-01-31")
    # company: 30 avoidable calls x 1 min x 1.00 = 30 against 25 / 40: amber
    assert row(facade.scorecard(q, db), "avoidable_cost")["status"] == "amber"
    by_department = facade.scorecard(q.with_(dimensions=("department",)), db)
    finance = by_department[by_department["department"] == "Finance"].iloc[0]
    logistics = by_department[by_department["department"] == "Logistics"].iloc[0]
    # Finance has a row of its own: 20 against 15 / 25 -> amber; Logistics' 10 is not judged by
    # the company's 25 (before: "green", as if a tenth of the budget were a success)
    assert (finance["target"], finance["status"]) == (15.0, "amber")
    assert pd.isna(logistics["target"]) and logistics["status"] == "grey"
    by_reason = facade.scorecard(q.with_(dimensions=("reason",)), db)
    assert by_reason["target"].isna().all()


def test_budgets_of_sums_cover_only_the_days_the_data_covers(tmp_path: Path) -> None:
    # contacts on 2025-01-01 .. 2025-01-15 (newest 2025-01-15 10:00), a budget of 31 a month
    db = make(tmp_path, [answered(f"c{d}", f"2025-01-{d:02d} 10:00") for d in range(1, 16)],
              extra=["INSERT INTO targets (kpi, target, red_flag) VALUES ('contacts', 31, 62)"])
    january = row(facade.scorecard(Query.of("contacts", grain="month"), db), "contacts",
                  "2025-01-01")
    # January is covered up to the 15th: 15 days of 31 -> target 15 (before: the whole 31, a
    # half-covered month always looked good)
    assert round(january["target"], 6) == 15.0
    everything = row(facade.scorecard(Query.of("contacts", grain="all"), db), "contacts")
    # no date range: the data's span, the same 15 days (before: one month's budget for all time)
    assert round(everything["target"], 6) == 15.0


def test_a_budget_does_not_judge_a_filter_of_several_departments(tmp_path: Path) -> None:
    calls = [answered(f"c{i}", "2025-01-10 10:00", reason=("bill", "where", "sales")[i % 3])
             for i in range(9)]
    db = make(tmp_path, calls, reasons=[("bill", "Finance", True), ("where", "Logistics", True),
                                        ("sales", "Sales", False)],
              extra=["INSERT INTO targets (kpi, target, red_flag) VALUES ('contacts', 20, 40)"])
    two = row(facade.scorecard(Query.of("contacts", grain="all", start="2025-01-01",
                                        end="2025-01-31",
                                        filters={"department": ["Finance", "Logistics"]}), db),
              "contacts")
    # 6 of the company's 9 contacts: the company's budget does not apply to them
    assert two["value"] == 6.0 and pd.isna(two["target"]) and two["status"] == "grey"
