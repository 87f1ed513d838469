"""The warehouse summary (counts, first and last contact) that app.py, every page and the sidebar
ask for on every rerun is read once, and read again after any write."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import connection, facade, imports
from sql import warehouse


def test_the_summary_is_read_once_until_the_next_write(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    reads: list[str] = []
    real = imports._frame
    monkeypatch.setattr(imports, "_frame", lambda sql, params=None, db=None: (
        reads.append(sql), real(sql, params, db))[1])
    first = imports.warehouse_summary(db)
    assert imports.warehouse_summary(db) == first and first["contacts"] == 0
    assert len(reads) == 1  # three askers per rerun, one query
    with connection.writer(db):  # an import or an edit: every cache forgets
        pass
    imports.warehouse_summary(db)
    assert len(reads) == 2
    facade.clear_caches()  # and so does clearing the facade's caches
    imports.warehouse_summary(db)
    assert len(reads) == 3
