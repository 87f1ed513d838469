"""Saving KPI files from the metric editor: validate first, keep every previous version, revert.

Where the history lives: beside the files, as plain files, ``<kpi dir>/.history/<id>/<UTC
timestamp>.sql`` (one file per replaced version, the text exactly as it was). Files rather than a
``kpi_history`` table because the KPI files themselves are files (an analyst can diff, grep and copy
them, and the warehouse can be rebuilt from exports without losing metric history); ``load_catalog``
globs ``*.sql`` in the KPI directory only, so the history folder is never read as KPIs.

Rules:
* A text is written only if ``parse_kpi`` finds no problem against the model schema: a KPI that
  fails validation is never saved over a working one (nor saved at all).
* ... and only if it RUNS: sqlglot validates names and shapes, not types, so ``sum(status)`` over a
  text column validates and then fails in DuckDB. The caller passes ``check`` (the facade runs the
  parsed KPI on small queries against the read-only warehouse, ``trial.trial``); any problem it
  returns blocks the save like a validation problem, with its line and column in the file.
* The file is replaced atomically (write a temporary file, then ``os.replace``), after the old text
  has been copied into the history.
* Reverting is a save of an old version's text: validated again against today's models (a version
  that used a column that no longer exists is refused) and the current text goes into the history.
* The KPI directory is ``SCORECARD_KPI_DIR`` when set (tests and experiments use a copy), else
  ``sql/kpis``. Ids and version names are checked against strict patterns, so no path escapes it.

Pure of Streamlit and of the database: the caller passes the schema and clears its caches.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from metrics.catalog import KPI, KPI_DIR, Problem, parse_kpi

HISTORY = ".history"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_VERSION = re.compile(r"^\d{8}T\d{6}\d{6}Z(?:-\d+)?$")


Check = Callable[[KPI], list[Problem]]


class EditorError(ValueError):
    """A request the editor refuses (bad id, unknown version)."""


@dataclass(frozen=True)
class Version:
    """One archived text of a KPI file: ``name`` is its UTC timestamp (sortable)."""

    kpi: str
    name: str
    path: Path
    saved_at: datetime


@dataclass(frozen=True)
class SaveResult:
    saved: bool
    kpi: KPI | None
    problems: list[Problem] = field(default_factory=list)
    archived: Version | None = None
    message: str = ""


def kpi_dir(directory: str | Path | None = None) -> Path:
    """The KPI directory: the argument, else ``SCORECARD_KPI_DIR``, else the shipped ``sql/kpis``."""
    if directory is not None:
        return Path(directory)
    env = os.environ.get("SCORECARD_KPI_DIR", "").strip()
    return Path(env) if env else KPI_DIR


def _checked_id(kpi_id: str) -> str:
    if not _ID.match(kpi_id or ""):
        raise EditorError(f"'{kpi_id}' is not a KPI id (lower-case letters, digits and _)")
    return kpi_id


def kpi_path(kpi_id: str, directory: str | Path | None = None) -> Path:
    return kpi_dir(directory) / f"{_checked_id(kpi_id)}.sql"


def read_text(kpi_id: str, directory: str | Path | None = None) -> str:
    """The saved text of a KPI file ('' when it does not exist yet)."""
    path = kpi_path(kpi_id, directory)
    return path.read_text(encoding="utf-8") if path.exists() else ""


def history(kpi_id: str, directory: str | Path | None = None) -> list[Version]:
    """The archived versions of a KPI, newest first."""
    folder = kpi_dir(directory) / HISTORY / _checked_id(kpi_id)
    versions = []
    for path in folder.glob("*.sql") if folder.is_dir() else []:
        if _VERSION.match(path.stem):
            stamp = datetime.strptime(path.stem.split("-")[0], "%Y%m%dT%H%M%S%fZ")
            versions.append(Version(kpi_id, path.stem, path, stamp.replace(tzinfo=UTC)))
    return sorted(versions, key=lambda v: v.name, reverse=True)


def version_text(kpi_id: str, name: str, directory: str | Path | None = None) -> str:
    if not _VERSION.match(name or ""):
        raise EditorError(f"'{name}' is not a version name")
    path = kpi_dir(directory) / HISTORY / _checked_id(kpi_id) / f"{name}.sql"
    if not path.exists():
        raise EditorError(f"{kpi_id} has no version {name}")
    return path.read_text(encoding="utf-8")


def _archive(kpi_id: str, text: str, directory: Path, now: datetime) -> Version:
    folder = directory / HISTORY / kpi_id
    folder.mkdir(parents=True, exist_ok=True)
    base = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name, counter = base, 1
    while (folder / f"{name}.sql").exists():
        name, counter = f"{base}-{counter}", counter + 1
    path = folder / f"{name}.sql"
    path.write_text(text, encoding="utf-8")
    return Version(kpi_id, name, path, now.astimezone(UTC))


def save(kpi_id: str, text: str, schema: Mapping[str, Mapping[str, str]],
         directory: str | Path | None = None, now: datetime | None = None,
         check: Check | None = None) -> SaveResult:
    """Validate ``text`` as ``<kpi_id>.sql`` and, only if it has no problem and ``check`` (does
    it run?) finds none either, archive the current file and write the new text. Returns what
    happened; never raises on a bad text."""
    path = kpi_path(kpi_id, directory)
    kpi, problems = parse_kpi(path.name, text, schema)
    if kpi is None or problems:
        return SaveResult(False, None, problems,
                          message=f"not saved: {len(problems)} problem(s); the saved file is unchanged")
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == text:
        return SaveResult(False, kpi, [], message="no change: the text equals the saved file")
    failures = check(kpi) if check is not None else []
    if failures:
        return SaveResult(False, None, failures,
                          message=f"not saved: {path.name} does not run on the warehouse "
                                  f"({failures[0]}); the saved file is unchanged")
    archived = None
    if current is not None:
        archived = _archive(kpi_id, current, path.parent, now or datetime.now(UTC))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return SaveResult(True, kpi, [], archived,
                      message=f"saved {path.name}" + (f"; previous version kept as {archived.name}"
                                                      if archived else " (new KPI)"))


def revert(kpi_id: str, name: str, schema: Mapping[str, Mapping[str, str]],
           directory: str | Path | None = None, now: datetime | None = None,
           check: Check | None = None) -> SaveResult:
    """Make an archived version current again (validated and run-checked like any save; the
    current text is archived first, so a revert can itself be reverted)."""
    return save(kpi_id, version_text(kpi_id, name, directory), schema, directory, now, check)
