"""A warehouse written by an older release is upgraded when it is opened: migrations run, and the
models are rebuilt so they carry the columns (and definitions) the KPIs of this release read."""

from __future__ import annotations

from pathlib import Path

from sql import warehouse


def test_an_old_warehouse_gets_new_models_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = warehouse.connect(path)
    # make it look like a release-1 warehouse: schema version 1, its models without `attempt`
    con.execute("DELETE FROM schema_version WHERE version > 1")
    con.execute("ALTER TABLE contacts DROP COLUMN agent_requested")
    con.execute("ALTER TABLE contacts DROP COLUMN ticket")
    con.execute("DROP TABLE IF EXISTS blanked_values")
    con.execute("ALTER TABLE import_log DROP COLUMN values_blanked")
    con.execute("CREATE OR REPLACE TABLE m_contacts AS SELECT 1 AS contact_id")
    con.close()
    con = warehouse.connect(path)
    try:
        assert warehouse.schema_version(con) == len(warehouse.migrations())
        columns = {r[0] for r in con.execute("DESCRIBE m_contacts").fetchall()}
        assert {"attempt", "agent_requested", "is_ticket"} <= columns
    finally:
        con.close()


def test_opening_an_up_to_date_warehouse_leaves_its_models_alone(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    warehouse.connect(path).close()
    con = warehouse.connect(path)
    con.execute("CREATE OR REPLACE TABLE m_contacts AS SELECT * FROM m_contacts LIMIT 0")
    con.execute("ALTER TABLE m_contacts ADD COLUMN marker INTEGER")
    con.close()
    con = warehouse.connect(path)
    try:  # no migration ran: no rebuild (opening must stay cheap for every page and import)
        assert "marker" in {r[0] for r in con.execute("DESCRIBE m_contacts").fetchall()}
    finally:
        con.close()


def test_a_file_imported_before_can_be_read_again(tmp_path: Path) -> None:
    from connectors.base import ReadOptions
    from connectors.loader import load_file

    fixture = Path(__file__).parent / "fixtures" / "telephony" / "connect_ctr.json"
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        first = load_file(con, fixture, None, ReadOptions(file_name=fixture.name))
        con.execute("UPDATE contacts SET agent_requested = NULL")  # as an older release left it
        assert load_file(con, fixture, None, ReadOptions(file_name=fixture.name)).status == "skipped"
        again = load_file(con, fixture, None, ReadOptions(file_name=fixture.name), again=True)
        assert again.status == "loaded"
        # the same records, not twice as many; the field the older release lacked is filled again
        assert con.execute("SELECT count(*) FROM contacts").fetchall()[0][0] == first.rows_loaded
        assert con.execute("SELECT count(agent_requested) FROM contacts").fetchall()[0][0] > 0
    finally:
        con.close()
