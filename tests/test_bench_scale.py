"""bench.scale: the bigger warehouses of issue 13's sizes are the 1M data set's canonical rows
copied k times with new identities, moved in time inside the same history."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from bench import scale


def test_copies_have_new_identities_and_stay_inside_the_history(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from demo_warehouse import demo_db

    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(tmp_path_factory), db)
    con = duckdb.connect(str(db))
    contacts, responses, first, last = con.execute(
        "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM survey_responses), "
        "CAST(min(opened_at) AS DATE), CAST(max(opened_at) AS DATE) FROM contacts").fetchall()[0]
    span = (last - first).days + 1
    for table in ("survey_responses", "customers", "contacts"):  # as scale.build orders them
        con.execute(scale.copy_sql(table, scale.COPIES[table], 3, str(first), span))
    # 3 copies, each contact and response once per copy, identities unique
    assert con.execute("SELECT count(*), count(DISTINCT contact_id) FROM contacts").fetchall() \
        == [(3 * contacts, 3 * contacts)]
    assert con.execute("SELECT count(DISTINCT response_id) FROM survey_responses").fetchall() \
        == [(3 * responses,)]
    # moved, but inside the history's days; copy 1 is not copy 0 shifted out of range
    low, high, days = con.execute(
        "SELECT CAST(min(opened_at) AS DATE), CAST(max(opened_at) AS DATE), "
        "count(DISTINCT CAST(opened_at AS DATE)) FROM contacts WHERE contact_id LIKE '%~1'"
    ).fetchall()[0]
    assert first <= low and high <= last and days > 1
    moved = con.execute(
        "SELECT count(*) FROM contacts a JOIN contacts b ON b.contact_id = a.contact_id || '~1' "
        "WHERE CAST(b.opened_at AS DATE) <> CAST(a.opened_at AS DATE)").fetchall()[0][0]
    assert moved == contacts
    # a response moves with its contact: none lands before the contact it answers
    early = con.execute(
        "SELECT count(*) FROM survey_responses s JOIN contacts c USING (contact_id) "
        "WHERE s.responded_at < c.opened_at - INTERVAL 1 DAY").fetchall()[0][0]
    assert early == 0
    con.close()
