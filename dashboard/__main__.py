"""Command line: `python -m dashboard COMMAND --help` explains each command."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from dashboard.data import audit, ingest, mappings, snapshots, store
from dashboard.data.contract import KINDS
from dashboard.data.ingest.mapping import Mapping, MappingError
from dashboard.data.ingest.mapping import parse as parse_mapping
from dashboard.devtools import bench, demo
from dashboard.measures.disclosure import OFF, PROTECTED
from dashboard.output import boardpack, images, report, summary

DESCRIPTION = """\
Social prescribing commissioner dashboard.

Commands:
  demo     build a database of synthetic data (an ICB of about 30 PCNs, three years)
  serve    fill an empty database with synthetic data, then run the dashboard
  load     validate extract files (CSV, XLSX, Parquet) and load them
  summary  print the headline figures of every page as JSON
  report   write the board pack (PowerPoint or PDF) for a filter
  bench    measure load, queries, pages and memory at scale, against plain pandas
  history  list the published snapshots of the data (time, files loaded, rows, disk)
  rollback republish an earlier snapshot as the current data (undo a bad load)

The database is --db, else $SP_DASHBOARD_DB, else data/dashboard.duckdb.
"""


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $SP_DASHBOARD_DB, else data/dashboard.duckdb)",
    )


def _filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pcn", nargs="+", default=[], metavar="CODE", help="PCN codes (default: whole ICB)"
    )
    parser.add_argument(
        "--from",
        dest="date_from",
        type=_iso_date,
        metavar="DATE",
        help="first day, inclusive, as 2025-04-01 (default: the latest whole financial year)",
    )
    parser.add_argument(
        "--to", dest="date_to", type=_iso_date, metavar="DATE", help="last day, inclusive"
    )


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-04-01") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a whole number, 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo_parser = commands.add_parser(
        "demo",
        help="build a database of synthetic data",
        description=(
            "Generate a synthetic ICB (PCNs, referrals, outcomes, utilisation, VCSE services "
            "and onward referrals) and write it to the database. Deterministic for a seed. "
            "Refuses to overwrite a database that holds data unless --replace is given."
        ),
    )
    _db_argument(demo_parser)
    demo_parser.add_argument(
        "--referrals",
        type=_positive,
        metavar="N",
        help="how many referrals to make (default: about 42,000 from realistic rates; "
        "above 42,000 the ICB grows to more PCNs)",
    )
    demo_parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    mode = demo_parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--replace", action="store_true", help="replace a database that already holds data"
    )
    mode.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing, successfully, when the database already holds data",
    )

    serve_parser = commands.add_parser(
        "serve",
        help="run the dashboard (filling an empty database with synthetic data first)",
        description=(
            "Fill the database with synthetic data if it is empty, then run the dashboard "
            "with streamlit. Streamlit's STREAMLIT_* environment settings (port, headless, ...) "
            "apply as usual."
        ),
    )
    _db_argument(serve_parser)

    load_parser = commands.add_parser(
        "load",
        help="validate extract files and load them",
        description=(
            "Validate extract files (CSV, XLSX or Parquet) against the data contract and load "
            "them in one transaction: rows are upserted by key, so reloading a file changes "
            "nothing and a corrected row replaces the old one. Rejected rows are reported "
            "with their row number, column, value and reason; the other rows load. A refused "
            "file (unreadable, missing a required column, carrying patient identifiers) stops "
            "the whole load. Exit status: 0 when the load committed, 2 when it did not (a file "
            "was refused, or --strict met a rejected row). NHS Digital's GP registration files "
            "load as pcns: give the practice mapping and gp-reg-pat-prac-all.csv together."
        ),
    )
    load_parser.add_argument(
        "kind",
        metavar="KIND",
        choices=[*KINDS, "auto"],
        help=f"extract kind: {', '.join(KINDS)}, or auto to recognise each file by its headers",
    )
    load_parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files to load")
    _db_argument(load_parser)
    load_parser.add_argument(
        "--strict", action="store_true", help="load nothing if any row would be rejected"
    )
    load_parser.add_argument(
        "--json",
        action="store_true",
        help="standard output carries only JSON: one object per file, one line each",
    )
    load_parser.add_argument(
        "--wait",
        action="store_true",
        help="when another load is running, wait for it instead of stopping",
    )
    load_parser.add_argument(
        "--mapping",
        type=Path,
        metavar="MAPPING.toml",
        help="read the files with this mapping of a source system's headers, codes and dates "
        "(the README's format; the Data page downloads one). Without it, a file whose headers "
        "match a mapping saved on the Data page is read with that mapping",
    )

    history_parser = commands.add_parser(
        "history",
        help="list the published snapshots of the data",
        description=(
            "Every committed load publishes a read-only snapshot that the dashboard, summary "
            "and report read; the last load.keep_snapshots (settings.toml) are kept. Lists them, "
            "newest first, "
            "with the current one marked."
        ),
    )
    _db_argument(history_parser)

    rollback_parser = commands.add_parser(
        "rollback",
        help="republish an earlier snapshot as the current data",
        description=(
            "Undo a bad load: make an earlier snapshot (by default the one before the current) "
            "the working database and publish it as current. Running dashboards switch to it "
            "within seconds. The rollback is itself a snapshot, so it can be undone."
        ),
    )
    rollback_parser.add_argument(
        "--to", type=int, metavar="ID", help="the snapshot to return to (see history)"
    )
    _db_argument(rollback_parser)
    rollback_parser.add_argument(
        "--wait", action="store_true", help="when a load is running, wait for it"
    )

    summary_parser = commands.add_parser(
        "summary",
        help="print the headline figures of every page as JSON",
        description=(
            "Print the headline figures of every page as one JSON object on standard output, "
            'for scripted monthly reporting. Counts of 1 to 7 are shown as "*" and other '
            "counts rounded to the nearest 5, unless --no-suppression."
        ),
    )
    _db_argument(summary_parser)
    _filter_arguments(summary_parser)
    summary_parser.add_argument(
        "--no-suppression",
        action="store_true",
        help="for analysts: no small-number suppression and no rounding",
    )
    summary_parser.add_argument(
        "--json", action="store_true", help="JSON on standard output (the only format)"
    )

    report_parser = commands.add_parser(
        "report",
        help="write the board pack (PowerPoint or PDF) for a filter",
        description=(
            "Write the board pack for a filter, as a board paper: a front sheet (ICB, owner, "
            "dates, version, classification), an executive summary with the board's ask, a "
            "slide or two per question with its funnel or SPC chart, finance, equity, data "
            "quality and an appendix of definitions. Small-number suppression and rounding to "
            "5 always apply. Chart images need chromium."
        ),
    )
    report_parser.add_argument("--out", required=True, metavar="FILE", help="FILE.pptx or FILE.pdf")
    _db_argument(report_parser)
    _filter_arguments(report_parser)

    bench_parser = commands.add_parser(
        "bench",
        help="measure load, queries, pages and memory at scale, against plain pandas",
        description=(
            "Generate synthetic data at scale into a temporary database, then measure (median "
            "of --runs): DuckDB's own read of the referrals CSV and loading it as the load "
            "command does, every named query with and without a PCN "
            "filter, every page's server-side run, the headline figures against the plain "
            "pandas way, and peak memory. Prints a table against the targets; with --json, "
            "standard output carries only one JSON line. At 1,000,000 referrals it takes "
            "several minutes."
        ),
    )
    bench_parser.add_argument(
        "--referrals",
        type=_positive,
        default=bench.DEFAULT_REFERRALS,
        metavar="N",
        help=f"how many synthetic referrals (default {bench.DEFAULT_REFERRALS:,})",
    )
    bench_parser.add_argument(
        "--runs",
        type=_positive,
        default=bench.DEFAULT_RUNS,
        metavar="R",
        help=f"runs of each measurement; the median is reported (default {bench.DEFAULT_RUNS})",
    )
    bench_parser.add_argument(
        "--json",
        action="store_true",
        help="standard output carries only one JSON line; the table goes to standard error",
    )
    bench_parser.add_argument(
        "--browser",
        action="store_true",
        help="also time in chromium, until every chart is drawn: a first page in a new "
        "browser, each page from its link, and each page after choosing a PCN",
    )
    bench_parser.add_argument(
        "--demo",
        action="store_true",
        help="benchmark the default synthetic ICB (the data `make run` shows), not --referrals",
    )
    return parser


def _holds_data(path) -> bool:
    if not path.exists():
        return False
    with store.open_db(path, read_only=True) as con:
        try:
            return not store.is_empty(con)
        except Exception:  # a file without our schema holds nothing of ours
            return False


def command_demo(args: argparse.Namespace) -> int:
    path = store.resolve_db_path(args.db)
    if _holds_data(path):
        if args.if_empty:
            print(f"{path} already holds data; left as it is.", file=sys.stderr)
            return 0
        if not args.replace:
            print(
                f"{path} already holds data. Use --replace to overwrite it with synthetic data, "
                "or --db to write elsewhere.",
                file=sys.stderr,
            )
            return 2
    print(f"Generating synthetic data into {path} ...", file=sys.stderr)
    counts, seconds = demo.timed_build(path, referrals=args.referrals, seed=args.seed)
    for kind, rows in counts.items():
        print(f"  {kind:<17} {rows:>12,} rows", file=sys.stderr)
    print(f"Done in {seconds:.1f} s.", file=sys.stderr)
    return 0


def command_serve(args: argparse.Namespace) -> int:
    import os
    import subprocess

    path = store.resolve_db_path(args.db)
    status = command_demo(
        argparse.Namespace(db=str(path), referrals=None, seed=2024, if_empty=True, replace=False)
    )
    if status:
        return status
    env = {**os.environ, store.DB_ENV: str(path)}
    app = store.ROOT / "dashboard" / "app.py"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app)], env=env, cwd=store.ROOT
    )

    def stop(signum: int, frame: object) -> None:
        # SIGTERM (a service manager, `kill`) or SIGINT (Ctrl+C): stop Streamlit too, so the
        # port and the files are released, instead of leaving it running orphaned.
        if server.poll() is None:
            server.terminate()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    try:
        return server.wait(timeout=None)
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


class _Refused(Exception):
    """A command cannot go on; its message says why."""


def _filters_from_args(con, args: argparse.Namespace):
    pcns = tuple(code.upper() for code in args.pcn)
    loaded = set(con.execute("select pcn_code from pcns").df()["pcn_code"])
    unknown = sorted(set(pcns) - loaded)
    if unknown:
        raise _Refused(f"No PCN with code {', '.join(unknown)} is loaded.")
    try:
        return summary.resolve_filters(con, pcns, args.date_from, args.date_to)
    except ValueError:
        raise _Refused("--from is after --to.") from None


def _existing_db(args: argparse.Namespace):
    path = store.resolve_db_path(args.db)
    if not path.exists():
        raise _Refused(f"No database at {path}. Load extracts first, or give --db.")
    return path


def command_summary(args: argparse.Namespace) -> int:
    path = _existing_db(args)
    with store.reading(path) as con:
        filters = _filters_from_args(con, args)
        result = summary.build(con, filters, OFF if args.no_suppression else PROTECTED)
    exact = " --no-suppression" if args.no_suppression else ""
    audit.record_command(path, "export", f"summary --json{exact}", filters.described())
    print(json.dumps(result, default=str, separators=(",", ":")))
    return 0


def command_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    writers = {".pptx": boardpack.to_pptx, ".pdf": boardpack.to_pdf}
    if out.suffix.lower() not in writers:
        raise _Refused(f"--out must end in .pptx or .pdf, not {out.name!r}.")
    try:
        images.require_browser()
        path = _existing_db(args)
        with store.reading(path) as con:
            filters = _filters_from_args(con, args)
            pack = report.build_pack(con, filters)
        content = writers[out.suffix.lower()](pack, images.png)
    except images.BrowserMissing as error:
        raise _Refused(str(error)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    audit.record_command(path, "export", f"report {out.name}", filters.described())
    pages = boardpack.page_count(content, out.suffix)
    unit = "slide" if out.suffix.lower() == ".pptx" else "page"
    print(f"Wrote {out} ({pages} {unit}{'s' * (pages != 1)}).", file=sys.stderr)
    return 0


def command_bench(args: argparse.Namespace) -> int:
    measured = bench.run(
        None if args.demo else args.referrals,
        args.runs,
        browser=args.browser,
        say=lambda message: print(message, file=sys.stderr, flush=True),
    )
    table = bench.table(measured["result"], measured["context"])
    if args.json:
        print(table, file=sys.stderr)
        print(json.dumps(measured["result"], separators=(",", ":")))
    else:
        print(table)
    return 0


_SHOWN_ERRORS = 20


def _print_report(outcome: ingest.Report) -> None:
    state = "loaded" if outcome.loaded else "not loaded"
    if outcome.refused:
        print(f"{outcome.file}: refused. {outcome.refused}")
        return
    print(
        f"{outcome.file}: {outcome.kind}, {outcome.rows_read:,} rows read, {outcome.accepted:,} "
        f"accepted, {outcome.rejected:,} rejected ({state})."
    )
    for row, column, value, reason in outcome.errors.head(_SHOWN_ERRORS).itertuples(index=False):
        where = f"row {row}" + (f", {column}" if isinstance(column, str) else "")
        shown = f" {value!r}" if isinstance(value, str) else ""
        print(f"  rejected: {where}:{shown} {reason}")
    if len(outcome.errors) > _SHOWN_ERRORS:
        print(f"  ... and {len(outcome.errors) - _SHOWN_ERRORS:,} more (--json lists every one).")
    for warning in outcome.warnings[:_SHOWN_ERRORS]:
        where = f"row {warning['row']}, " if warning["row"] is not None else ""
        print(f"  warning: {where}{warning['column']}: {warning['reason']}")
    if len(outcome.warnings) > _SHOWN_ERRORS:
        print(f"  ... and {len(outcome.warnings) - _SHOWN_ERRORS:,} more warnings.")


def _mapping(path: Path | None, kind: str | None) -> Mapping | None:
    """The mapping file given with --mapping, read and checked, or MappingError."""
    if path is None:
        return None
    if not path.is_file():
        raise MappingError(f"No such mapping file: {path}.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise MappingError(f"{path} cannot be read as UTF-8 text: {error}.") from None
    mapping = parse_mapping(text, str(path))
    if kind and mapping.kind != kind:
        raise MappingError(
            f"{path}: the mapping '{mapping.name}' is for {mapping.kind}, not {kind}: give "
            f"`load {mapping.kind}` or `load auto`."
        )
    return mapping


def command_load(args: argparse.Namespace) -> int:
    missing = [str(path) for path in args.paths if not path.is_file()]
    if missing:
        print(f"No such file: {', '.join(missing)}. Nothing was loaded.", file=sys.stderr)
        return 2
    path = store.resolve_db_path(args.db)
    kind = None if args.kind == "auto" else args.kind
    try:
        mapping = _mapping(args.mapping, kind)
    except (MappingError, OSError) as error:
        print(f"{error} Nothing was loaded.", file=sys.stderr)
        return 2
    if mapping:
        kind = mapping.kind
    extracts = [ingest.Extract(p.name, p, kind, mapping) for p in args.paths]
    incoming = sum(p.stat().st_size for p in args.paths)
    with store.writing(path, wait=args.wait, incoming_bytes=incoming) as con:
        outcomes = ingest.load(
            con,
            extracts,
            strict=args.strict,
            progress=lambda message: print(message, file=sys.stderr),
            mappings=mappings.saved(path),
        )
        if all(outcome.loaded for outcome in outcomes):
            published = snapshots.publish(
                con, path, "load: " + ", ".join(a.name for a in args.paths)
            )
            print(f"Published as snapshot {published.id}.", file=sys.stderr)
    for outcome in outcomes:
        for notice in outcome.notices:
            print(notice, file=sys.stderr)
        if args.json:
            print(json.dumps(outcome.as_json(), default=str, separators=(",", ":")))
        else:
            _print_report(outcome)
    committed = all(outcome.loaded for outcome in outcomes)
    audit.record_command(path, "load", audit.load_note(outcomes, committed))
    if not committed:
        reason = "a file was refused" if any(o.refused for o in outcomes) else "--strict"
        print(f"Nothing was loaded into {path} ({reason}).", file=sys.stderr)
    return 0 if committed else 2


def command_history(args: argparse.Namespace) -> int:
    path = _existing_db(args)
    store.published(path)
    chosen = snapshots.current(path)
    for snap in snapshots.history(path):
        mark = "*" if chosen and snap.id == chosen.id else " "
        rows = sum(snap.rows.values())
        print(f"{mark} {snap.id:>4}  {snap.published_at}  {rows:>12,} rows  "
              f"{snap.bytes / 1e6:>8.1f} MB  {snap.note}")  # fmt: skip
    print(
        f"{len(snapshots.history(path))} snapshots kept (at most {snapshots.keep()}), "
        f"{snapshots.disk_bytes(path) / 1e6:.1f} MB; * is current.",
        file=sys.stderr,
    )
    return 0


def command_rollback(args: argparse.Namespace) -> int:
    path = _existing_db(args)
    store.published(path)
    try:
        snap = snapshots.rollback(path, args.to, wait=args.wait)
    except ValueError as error:
        raise _Refused(str(error)) from None
    audit.record_command(path, "rollback", snap.note)
    print(f"Published snapshot {snap.id}: {snap.note}.", file=sys.stderr)
    return 0


COMMANDS = {
    "demo": command_demo,
    "serve": command_serve,
    "load": command_load,
    "summary": command_summary,
    "report": command_report,
    "bench": command_bench,
    "history": command_history,
    "rollback": command_rollback,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (store.DatabaseInUse, snapshots.WriterBusy, snapshots.DiskFull, _Refused) as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
