"""Command line: ``python -m connectors load|formats|demo`` (the contract in DESIGN.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from connectors import registry
from connectors.base import FormatError, ReadOptions
from connectors.loader import audit_after, load_file
from sql import warehouse


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    def report(fraction: float, message: str) -> None:
        if enabled:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)
    return report


def cmd_load(args: argparse.Namespace) -> int:
    mapping = None
    if args.mapping:
        from connectors.generic import load_mapping

        try:
            mapping = load_mapping(Path(args.mapping))
        except (OSError, FormatError) as exc:
            print(f"error: --mapping: {exc}", file=sys.stderr)
            return 2
    if args.format:
        try:
            registry.by_name(args.format)
        except FormatError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    fmt = args.format or ("generic" if mapping else None)
    con = warehouse.connect(args.db)
    show = sys.stderr.isatty() or args.progress
    failed = False
    results = []
    for f in args.files:
        opts = ReadOptions(file_name=Path(f).name, tz=args.tz or _default_tz(con), mapping=mapping,
                           dayfirst=args.dayfirst, date_order=args.dates,
                           date_order_setting=_date_order(con), progress=_progress(show))
        result = load_file(con, f, fmt, opts, again=args.again, dry_run=args.dry_run,
                           audit=False)
        results.append(result)
        failed |= result.status in ("failed", "empty")  # refused, or no row of it could be used
        print(json.dumps(result.as_dict(), default=str), flush=True)
    if not args.dry_run:
        audit_after(con, results)
    con.close()
    return 1 if failed else 0


def _default_tz(con) -> str:  # type: ignore[no-untyped-def]
    return warehouse.get_setting(con, "import_timezone", "UTC") or "UTC"


def _date_order(con) -> str | None:  # type: ignore[no-untyped-def]
    return warehouse.get_setting(con, "date_order", None) or None


def cmd_formats(_args: argparse.Namespace) -> int:
    for c in registry.connectors():
        print(f"{c.name:24} {c.kind:10} {c.description}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from connectors.demo import main as demo_main

    return demo_main(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m connectors", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="import export files into the warehouse")
    load.add_argument("files", nargs="+", metavar="FILE")
    load.add_argument("--db", default=None, help="warehouse path (default: $SCORECARD_DB or data/scorecard.duckdb)")
    load.add_argument("--format", default=None, help="skip sniffing: the format name (see 'formats')")
    load.add_argument("--mapping", default=None, help="YAML mapping for the generic connector")
    load.add_argument("--tz", default=None, help="time zone of timestamps without offset (e.g. Europe/Berlin)")
    load.add_argument("--dayfirst", action="store_true", help="same as --dates dmy")
    load.add_argument("--dates", choices=("dmy", "mdy", "ymd"), default=None,
                      help="order of date columns holding only ambiguous dates (08/01/2025); a "
                           "column's own unambiguous dates (14/01/2025) always decide")
    load.add_argument("--progress", action="store_true", help="print progress to stderr")
    load.add_argument("--dry-run", action="store_true",
                      help="read and check the files, write nothing: the format chosen and why, the "
                           "date-order decisions, the row counts, warnings and the first rows")
    load.add_argument("--again", action="store_true",
                      help="read files imported before once more (fills fields a newer release "
                           "reads, such as agent_requested)")
    load.set_defaults(func=cmd_load)
    fmts = sub.add_parser("formats", help="list the formats that can be read")
    fmts.set_defaults(func=cmd_formats)
    demo = sub.add_parser("demo", help="write and load the demo company's exports")
    demo.add_argument("--db", default=None)
    demo.add_argument("--contacts", type=int, default=300_000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", default="data/demo")
    demo.add_argument("--end", default=None, help="last day of the demo data (default: yesterday)")
    demo.add_argument("--if-empty", action="store_true",
                      help="do nothing when the warehouse already holds contacts (make run uses it)")
    demo.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
