"""Fields whose absence must not read as "no" (kpis.md "records X"): ``ticket``, ``transferred`` and
``agent_requested`` are filled where a format records them and NULL where it does not.

docs/recorded-fields.md says which field of each format is read; these tests hold it to its word.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from connectors.base import ReadOptions
from connectors.generic import validate
from connectors.loader import load_file as _load_file
from tests.test_fast_paths import load_both, write

load_file = partial(_load_file, refresh=False)  # the models are not asserted here

TICKETS = [("crm", "zendesk_tickets.csv"), ("crm", "zendesk_tickets.ndjson"),
           ("crm", "zendesk_incremental_cursor.json"), ("crm", "salesforce_case_bulk.csv"),
           ("crm", "freshdesk_search.json"), ("crm", "freshdesk_tickets.csv")]
CALLS = [("telephony", "connect_ctr.json"), ("telephony", "asterisk_master_21col.csv"),
         ("telephony", "twilio_calls_pages.json")]


def _fields(con, source: str) -> set[tuple]:
    return set(con.execute("SELECT ticket, transferred, agent_requested FROM contacts WHERE source = ?",
                           [source]).fetchall())


@pytest.mark.parametrize(("folder", "name"), TICKETS)
def test_every_ticket_is_a_ticket_and_records_no_transfer_or_agent_request(con, fixtures, folder, name):
    """None of these ticket fixtures carries stations or a hand-off: ticket true, the rest NULL."""
    result = load_file(con, fixtures / folder / name, options=ReadOptions(tz="Europe/Berlin"))
    assert result.status == "loaded" and result.rows_loaded, result.message
    source = con.execute("SELECT any_value(source) FROM contacts").fetchall()[0][0]
    assert _fields(con, source) == {(True, None, None)}


@pytest.mark.parametrize(("folder", "name"), CALLS)
def test_call_records_are_no_tickets_and_record_transfers(con, fixtures, folder, name):
    result = load_file(con, fixtures / folder / name, options=ReadOptions(tz="Europe/Berlin"))
    assert result.status == "loaded", result.message
    rows = con.execute("SELECT DISTINCT ticket, transferred IS NULL FROM contacts").fetchall()
    assert rows == [(False, False)]  # every call says whether it was transferred


def test_zendesk_json_stations_record_transfers(con, tmp_path: Path):
    """3 tickets: stations 1/1 (not transferred), 2 groups (transferred), no metric set (unknown)."""
    def ticket(i: int, **metric: int) -> str:
        t = {"id": i, "created_at": "2025-04-01T09:00:00Z", "updated_at": "2025-04-01T10:00:00Z",
             "status": "solved", "requester_id": 9100 + i, "via": {"channel": "email"}}
        if metric:
            t["metric_set"] = metric
        return json.dumps(t)
    f = tmp_path / "tickets.ndjson"
    f.write_text("\n".join([ticket(1, group_stations=1, assignee_stations=1),
                            ticket(2, group_stations=2, assignee_stations=1),
                            ticket(3)]) + "\n")
    assert load_file(con, f).status == "loaded"
    rows = con.execute("SELECT source_record_id, transferred FROM contacts ORDER BY 1").fetchall()
    assert rows == [("1", False), ("2", True), ("3", None)]


def test_zendesk_csv_stations_where_exported_fast_and_careful_alike(tmp_path, monkeypatch):
    """Group / Assignee stations 1,1 -> not transferred; 1,3 -> transferred; blank -> NULL."""
    header = "Id,Requester email,Via,Status,Created at,Updated at,Group stations,Assignee stations"
    rows = ["1,a@example.com,Mail,Solved,2025-03-03 10:00:00,2025-03-03 11:00:00,1,1",
            "2,b@example.com,Mail,Solved,2025-03-03 10:00:00,2025-03-03 11:00:00,1,3",
            "3,c@example.com,Mail,Open,2025-03-03 10:00:00,2025-03-03 11:00:00,,"]
    f = write(tmp_path / "tickets.csv", rows, header=header)
    fast, careful, staged = load_both(tmp_path, monkeypatch, [f])
    assert staged == [True] and fast == careful
    transferred = {r[2]: r[21] for r in fast["contacts"]}
    assert transferred == {"1": False, "2": True, "3": None}


MAPPING = {"name": "home_grown", "columns": {"source_record_id": "Id", "opened_at": "Opened",
                                             "channel": "Channel", "transferred": "Transferred",
                                             "agent_requested": "Asked for agent"},
           "defaults": {"direction": "inbound"}}
GENERIC_ROWS = ("Id,Opened,Channel,Transferred,Asked for agent\n"
                "1,2025-03-03 10:00,phone,yes,yes\n"
                "2,2025-03-03 11:00,chat,no,no\n"
                "3,2025-03-03 12:00,phone,,\n")


@pytest.mark.parametrize(("defaults", "tickets"), [({}, [None, None, None]),
                                                   ({"ticket": "true"}, [True, True, True])])
def test_generic_mapping_says_what_it_maps_and_nothing_else(con, tmp_path, defaults, tickets):
    """Blank cells stay NULL (no default false); ticket only where the mapping sets it."""
    f = tmp_path / "log.csv"
    f.write_text(GENERIC_ROWS)
    mapping = validate({**MAPPING, "defaults": {**MAPPING["defaults"], **defaults}})
    assert load_file(con, f, "generic", ReadOptions(mapping=mapping)).status == "loaded"
    rows = con.execute("SELECT transferred, agent_requested, ticket FROM contacts "
                       "ORDER BY source_record_id").fetchall()
    assert [r[:2] for r in rows] == [(True, True), (False, False), (None, None)]
    assert [r[2] for r in rows] == tickets
