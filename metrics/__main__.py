"""Command line of the metrics layer (DESIGN.md "Command line"; scripts and tests rely on it).

    python -m metrics validate [--db PATH] [--kpi-dir DIR]
        prints every problem as file:line:col: message; exit 1 if any.
    python -m metrics scorecard [--db PATH] [--by channel|department|reason]
        [--grain day|week|month|quarter|all] [--channel C...] [--department D...] [--from DATE] [--to DATE] [--kpi ID...] [--format json|csv]
        prints rows of kpi, period, dimension, value, numerator, denominator, n, target,
        target_source, status, applicable, provisional, final_on, data_issues, mix_effect, note,
        error (the page's semantics: a provisional or not-applicable value has status grey).

``--kpi-dir`` (or ``SCORECARD_KPI_DIR``) points validate at another catalog, e.g. an analyst's
working copy. Exit 2 on bad usage (argparse) or an unknown KPI/grain.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb

from metrics import catalog as catalog_module
from metrics import facade
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
