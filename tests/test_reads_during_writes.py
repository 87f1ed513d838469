"""Reads never fail because of a write (issue 13 item 4): sessions reading the scorecard while an
upload is imported get no error, wait while the file commits, and see its rows afterwards; the
gate between reads and writes neither deadlocks on nested reads nor starves a writer."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from connectors.demo import writers
from connectors.demo.simulate import simulate
from metrics import connection, facade, imports
from metrics.query import Query

READERS = 6


def test_readers_on_many_threads_survive_an_upload_and_then_see_it(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from demo_warehouse import demo_db

    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(tmp_path_factory), db)
    # another month of tickets, as a user would upload it
    sim = simulate(1500, date(2026, 7, 1), date(2026, 7, 31), seed=21)
    (tmp_path / "upload").mkdir()
    upload = writers.write_zendesk(sim, tmp_path / "upload", sim.customers)[0]
    ids = list(facade.catalog(db).kpis)
    before = imports.warehouse_summary(db)["contacts"]
    errors: list[BaseException] = []
    reads = [0] * READERS
    stop = threading.Event()

    def read(i: int) -> None:
        months = [date(2025, m, 1) for m in range(1, 13)]
        while not stop.is_set():
            month = months[reads[i] % len(months)]
            end = date(month.year, month.month, 28)
            try:  # reader 0 keeps the caches empty: the reads reach the warehouse
                if i == 0:
                    facade.clear_caches()
                facade.scorecard(Query.of(ids, grain="all", start=month, end=end,
                                          filters={"channel": [("phone", "email", "chat")[i % 3]]}),
                                 db, ("prev",))
            except BaseException as error:  # noqa: BLE001 - the test collects every failure
                errors.append(error)
                return
            reads[i] += 1

    threads = [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        results = imports.import_uploads([(upload.name, upload.read_bytes())], db=db)
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert not errors, errors[:3]
    assert all(reads), reads  # every reader read, before and after the write
    assert results[0].status == "loaded", results[0].message
    assert imports.warehouse_summary(db)["contacts"] > before
    july = facade.run(Query.of(["contacts"], grain="all", start=date(2026, 7, 1),
                               end=date(2026, 7, 31)), db)
    assert float(july["value"].iloc[0]) > 0  # the upload's month is visible to every reader


def test_nested_reads_pass_a_waiting_writer_and_a_reading_thread_cannot_write(
        tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    facade.catalog(db)  # creates the warehouse
    entered = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def writer() -> None:
        entered.wait(10)
        with connection.writer(db):
            order.append("write")

    thread = threading.Thread(target=writer)
    thread.start()
    with connection.reading(db):
        entered.set()
        time.sleep(0.3)  # the writer is waiting now
        with connection.reading(db) as cursor:  # nested: not held back by the waiting writer
            assert cursor.execute("SELECT 1").fetchall() == [(1,)]
            order.append("nested read")
        with pytest.raises(RuntimeError, match="cannot write"):
            with connection.writer(db):
                pass
        release.set()
    thread.join(10)
    assert order == ["nested read", "write"]
