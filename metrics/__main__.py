"""Command line of the metrics layer (DESIGN.md "Command line"; scripts and tests rely on it).

    python -m metrics validate [--db PATH] [--kpi-dir DIR]
        prints every problem as file:line:col: message; exit 1 if any.
    python -m metrics scorecard [--db PATH] [--by channel|department|reason]
        [--grain day|week|month|quarter|all] [--channel C...] [--department D...] [--from DATE] [--to DATE] [--kpi ID...] [--format json|csv]
        prints rows of kpi, period, dimension, value, numerator, denominator, n, target,
        target_source, status, applicable, provisional, final_on, data_issues, mix_effect, note,
        error (the page's semantics: a provisional or not-applicable value has status grey).
    python -m metrics boardpack --out FILE.pdf [--db PATH] [--period FROM:TO | --from DATE --to DATE]
        [--channel C...] [--department D...] [--cmp prev|yoy]
        writes the board pack PDF (views.ui.boardpack); without a period, the dashboard's default
        (the ``default_period`` setting's whole months up to the newest data).
    python -m metrics rollups [--db PATH]
        builds the rollups and histograms the KPI files define when the warehouse's differ
        (``make run`` does it after the demo build, so the first visit does not wait for it).

``--kpi-dir`` (or ``SCORECARD_KPI_DIR``) points validate at another catalog, e.g. an analyst's
working copy. Exit 2 on bad usage (argparse) or an unknown KPI/grain.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb

from metrics import catalog as catalog_module
from metrics import facade, imports
from metrics.query import Query, QueryError
from sql import warehouse

OUTPUT_COLUMNS = ["kpi", "period", "dimension", "value", "numerator", "denominator", "n",
                  "target", "target_source", "status", "applicable", "provisional", "final_on",
                  "data_issues", "mix_effect", "note", "error"]


def _schema(db: str | None) -> dict[str, dict[str, str]]:
    path = Path(db) if db else warehouse.default_db_path()
    if path.exists():
        try:
            con = duckdb.connect(str(path), read_only=True)
            try:
                schema = catalog_module.schema_of(con)
            finally:
                con.close()
            if schema:
                return schema
        except duckdb.Error:
            pass
    return catalog_module.model_schema()


def validate(args: argparse.Namespace) -> int:
    directory = Path(args.kpi_dir or os.environ.get("SCORECARD_KPI_DIR") or catalog_module.KPI_DIR)
    cat = catalog_module.load_catalog(directory, _schema(args.db))
    for problem in cat.problems:
        print(problem)
    print(f"{len(cat.kpis)} KPIs valid, {len(cat.problems)} problems", file=sys.stderr)
    return 1 if cat.problems else 0


def scorecard(args: argparse.Namespace) -> int:
    db = args.db or str(warehouse.default_db_path())
    try:
        kpis = args.kpi or list(facade.catalog(db).kpis)
        filters = {dim: values for dim, values in (("channel", args.channel),
                                                   ("department", args.department)) if values}
        query = Query.of(kpis, grain=args.grain, start=args.start, end=args.end,
                         dimensions=[args.by] if args.by else [], filters=filters)
        frame = facade.scorecard(query, db)
    except (QueryError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in facade.kpi_problems(db):  # a KPI left out must not go unnoticed
        print(f"warning: left out: {problem}", file=sys.stderr)
    frame = frame[OUTPUT_COLUMNS].copy()
    for column in ("period", "final_on"):
        frame[column] = frame[column].map(lambda p: p.isoformat() if hasattr(p, "isoformat") else p)
    if args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        for record in json.loads(frame.to_json(orient="records", double_precision=10)):
            print(json.dumps(record))
    return 0


def _period(args: argparse.Namespace, db: str) -> tuple[date, date]:
    """--period FROM:TO, else --from/--to, else (for what is missing) the dashboard's default."""
    from views.ui.state import default_filters  # an entry point may compose layers

    start, end = args.start, args.end
    if args.period:
        start, _, end = args.period.partition(":")
        if not start or not end:
            raise ValueError(f"--period {args.period!r}: use FROM:TO, e.g. 2026-06-01:2026-11-30")
    last = imports.warehouse_summary(db).get("last_contact")
    last_day = last.date() if isinstance(last, datetime) else last if isinstance(last, date) else None
    default = default_filters(last_day, date.today(),
                              facade.settings(db).get("default_period", "last_6_months"))
    first = date.fromisoformat(start) if start else default.start
    final = date.fromisoformat(end) if end else default.end
    if first > final:
        raise ValueError(f"the period ends ({final}) before it starts ({first})")
    return first, final


def boardpack(args: argparse.Namespace) -> int:
    # The board pack is presentation (views.ui); this entry point composes the layers, so the
    # view is imported here, lazily, and only by this subcommand.
    from views.ui import boardpack as pack_module
    from views.ui.state import Filters

    db = args.db or str(warehouse.default_db_path())
    try:
        start, end = _period(args, db)
        filters = Filters(start=start, end=end, cmp=args.cmp,
                          channels=tuple(args.channel or ()), departments=tuple(args.department or ()))
        data = pack_module.pdf_bytes(filters, db)
    except (QueryError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in facade.kpi_problems(db):
        print(f"warning: left out: {problem}", file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes): {start} to {end}", file=sys.stderr)
    return 0


def build_rollups(args: argparse.Namespace) -> int:
    """(Re)build the rollups and histograms the KPI files define, when they differ from what the
    warehouse holds (the app would do it on its first read: after a bulk build, that first visit
    would wait for it)."""
    db = args.db or str(warehouse.default_db_path())
    built = facade.rollups_built(db)
    print(f"rollups: {', '.join(sorted(r.table for r in built.values())) or 'none'}",
          file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m metrics", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="validate every KPI file")
    v.add_argument("--db", help="warehouse whose model schema to check against")
    v.add_argument("--kpi-dir", help="directory of KPI files (default sql/kpis)")
    v.set_defaults(func=validate)
    s = sub.add_parser("scorecard", help="print the scorecard")
    s.add_argument("--db")
    s.add_argument("--by", choices=["channel", "department", "reason"])
    s.add_argument("--grain", default="month", choices=["day", "week", "month", "quarter", "all"])
    s.add_argument("--channel", nargs="+", help="only these channels")
    s.add_argument("--department", nargs="+", help="only these owning departments")
    s.add_argument("--from", dest="start")
    s.add_argument("--to", dest="end")
    s.add_argument("--kpi", nargs="+")
    s.add_argument("--format", default="json", choices=["json", "csv"])
    s.set_defaults(func=scorecard)
    b = sub.add_parser("boardpack", help="write the board pack PDF (A4 landscape)")
    b.add_argument("--db")
    b.add_argument("--period", help="FROM:TO, e.g. 2026-06-01:2026-11-30 (default: the dashboard's)")
    b.add_argument("--from", dest="start")
    b.add_argument("--to", dest="end")
    b.add_argument("--channel", nargs="+", help="only these channels")
    b.add_argument("--department", nargs="+", help="only these owning departments")
    b.add_argument("--cmp", default="prev", choices=["prev", "yoy"],
                   help="compare with the previous period or the same period last year")
    b.add_argument("--out", required=True, help="the PDF file to write")
    b.set_defaults(func=boardpack)
    r = sub.add_parser("rollups", help="build the rollups the KPI files define, if they changed")
    r.add_argument("--db")
    r.set_defaults(func=build_rollups)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
