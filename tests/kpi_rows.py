"""Tiny warehouses from a list of contact dicts, for hand-counted KPI and scorecard tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metrics import facade
from sql import warehouse

DEFAULTS: dict[str, Any] = {
    "source": "t", "channel": "phone", "direction": "inbound", "customer_key": None,
    "queued": None, "answered_at": None, "abandoned": None, "transferred": None,
    "self_service": None, "status": None, "outcome": None, "reason": None, "handle_seconds": None,
    "wait_seconds": None, "reopened_count": None, "closed_at": None, "ticket": None,
    "agent_requested": None,
}


def make(tmp_path: Path, contacts: list[dict[str, Any]], costs: list[tuple] = (),
         reasons: list[tuple] = (), demand: list[tuple] = (), extra: list[str] = ()) -> Path:
    """A warehouse holding ``contacts`` (dicts over DEFAULTS; ``id`` and ``opened_at`` required),
    the given reference rows and ``extra`` SQL statements."""
    path = tmp_path / "w.duckdb"
    con = warehouse.connect(path)
    try:
        warehouse.set_setting(con, "business_timezone", "UTC")
        for given in contacts:
            row = {**DEFAULTS, **given}
            cid = row.pop("id")
            columns = ["contact_id", "source_record_id", *row]
            con.execute(f"INSERT INTO contacts ({', '.join(columns)}) VALUES "
                        f"({', '.join('?' for _ in columns)})", [f"t:{cid}", cid, *row.values()])
        for cost in costs:
            con.execute("INSERT INTO channel_costs (channel, cost_per_minute, cost_per_contact) "
                        "VALUES (?, ?, ?)", list(cost))
        for reason in reasons:
            con.execute("INSERT INTO reason_map (reason, department, avoidable) VALUES (?, ?, ?)",
                        list(reason))
        for row in demand:
            con.execute("INSERT INTO demand VALUES (?, ?, ?, ?)", list(row))
        for statement in extra:  # targets, audit findings ...
            con.execute(statement)
        warehouse.refresh_models(con)
    finally:
        con.close()
    facade.clear_caches()
    return path
