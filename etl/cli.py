"""The command line: python -m etl load | sample | report | user."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

import duckdb

from service_quality.database import DEFAULT_DB
from service_quality.settings import load_settings

from .load import LoadRefused, LoadSummary, load
from .profiles import BUILTIN, DATE_ORDERS
from .stage import ImportOptions


def _as_of(text: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"cannot read {text!r}; write it as \"YYYY-MM-DD HH:MM\"")


def _mapping(text: str) -> tuple[str, str]:
    canonical, sep, source = text.partition("=")
    if not sep or not canonical.strip() or not source.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: write --map canonical=source_column, "
                                         "e.g. --map customer_id=Company")
    return canonical.strip(), source.strip()


def import_options(args) -> ImportOptions | None:
    """The load's ImportOptions from --profile/--map/--null/--date-order, None when none given."""
    options = ImportOptions(args.profile, tuple(args.maps), tuple(args.nulls), args.date_order)
    return None if options == ImportOptions() else options


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m etl`."""
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("load", help="load input files or folders into the database")
    p.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file "
                   "(default data/service.duckdb)")
    p.add_argument("--as-of", type=_as_of, dest="as_of",
                   help='"now" for pending/overdue judgements (default: the export\'s '
                        "extraction time, else the time of the load), China time")
    p.add_argument("--settings", type=Path, help="settings file (default settings.toml)")
    p.add_argument("--profile", metavar="NAME|FILE.toml",
                   help="read exports of another system: " + ", ".join(BUILTIN)
                        + ", or your own profile file (docs/import-profiles.md)")
    p.add_argument("--map", action="append", type=_mapping, default=[], dest="maps",
                   metavar="CANONICAL=COLUMN",
                   help="read a canonical column from this column of the file (repeatable; "
                        "surveys.customer_id=… for one table only)")
    p.add_argument("--null", action="append", default=[], dest="nulls", metavar="TOKEN",
                   help="a cell holding exactly this text is empty (repeatable), e.g. --null N/A")
    p.add_argument("--date-order", choices=DATE_ORDERS, dest="date_order",
                   help="order of day and month in dates like 05/03/2025: dmy, mdy or ymd "
                        "(default: decided by the data, refused when it cannot tell)")

    p = sub.add_parser("sample", help="write realistic synthetic input files")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    p.add_argument("--tickets", type=int, default=6000)
    p.add_argument("--seed", type=int, default=20251001)
    p.add_argument("--csv-only", action="store_true", dest="csv_only",
                   help="write the workbook entities as UTF-8 CSV too (large samples, benchmarks)")

    p = sub.add_parser("report", help="write the customer periodic report (xlsx + PDF)")
    p.add_argument("--period", required=True, help="a month (2026-10) or a quarter (2026-Q3)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", help="one customer id")
    who.add_argument("--all", action="store_true", help="every customer")
    p.add_argument("--out", type=Path, required=True, help="folder for the files")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file "
                   "(default data/service.duckdb)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")

    _add_user_parser(sub)
    return parser


def _add_user_parser(sub) -> None:
    """`python -m etl user add|passwd|remove|list`: the dashboard's users file."""
    p = sub.add_parser("user", help="manage dashboard users (the users file)")
    actions = p.add_subparsers(dest="user_command", required=True)
    users_help = "users file (default $DASHBOARD_USERS)"
    a = actions.add_parser("add", help="add a user; the password is read from standard input "
                                       "when it is not a terminal, else asked twice")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--role", required=True, help="supervisor, manager or customer")
    a.add_argument("--customer", help="the customer id a customer user may see")
    a.add_argument("--db", type=Path, help="check --customer against this database")
    a.add_argument("--users", type=Path, help=users_help)
    a = actions.add_parser("passwd", help="set a user's password")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--users", type=Path, help=users_help)
    a = actions.add_parser("remove", help="remove a user")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--users", type=Path, help=users_help)
    a = actions.add_parser("list", help="list users: name, role, customer")
    a.add_argument("--users", type=Path, help=users_help)


def _progress(done: int, total: int, label: str, out=None) -> None:
    """A one-line text progress bar on stderr, redrawn in place."""
    out = out or sys.stderr
    width = 20
    filled = round(width * done / total) if total else width
    end = "\n" if done == total else ""
    print(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} {label}"[:100].ljust(100),
          end=end, file=out, flush=True)


def _write_report(db_path: Path, customer_id: str, stem: str, period: str, lang: str,
                  out: Path) -> list[Path]:
    """Write one customer's xlsx and PDF as OUT/STEM_PERIOD.*; return the files."""
    from service_quality import files
    from service_quality.database import Database
    from service_quality.reports.customer import customer_report, report_pdf, report_xlsx

    paths = [out / f"{stem}_{period}.{ext}" for ext in ("xlsx", "pdf")]
    if any(p.parent != out or "/" in p.name or p.name.startswith(".") for p in paths):
        # STEM is one safe name part (files.name_part): the files land in OUT itself.
        raise ValueError(f"{stem!r} is not a file name")
    db = Database(db_path)
    try:
        report = customer_report(db, customer_id, period, lang)
        files.write_bytes(paths[0], report_xlsx(report, lang))
        files.write_bytes(paths[1], report_pdf(report, lang))
    finally:
        db.close()
    return paths


def report_command(args) -> int:
    """Write <customer>_<period>.xlsx and .pdf per customer; 2 with a message when refused,
    1 when some customer's report failed (the others are written)."""
    from service_quality import files
    from service_quality.database import Database, db_version
    from service_quality.queries import Scope
    from service_quality.queries.report import report_customers
    from service_quality.reports.customer import report_period

    try:
        _, _, period = report_period(args.period)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if db_version(args.db) is None:
        print(f"error: no database at {args.db}; build it with "
              "`python -m etl load SOURCE --db PATH`", file=sys.stderr)
        return 2
    db = Database(args.db)
    try:
        known = report_customers(db, Scope.everyone())
        if args.customer is not None and args.customer not in set(known["customer_id"]):
            print(f"error: unknown customer {args.customer!r}; known: "
                  + ", ".join(known["customer_id"]), file=sys.stderr)
            return 2
    finally:
        db.close()
    ids = list(known["customer_id"]) if args.all else [args.customer]
    names = dict(zip(known["customer_id"], known["name"], strict=True))
    # Names for every known customer at once: the same customer gets the same file name
    # whichever customers a run writes, and no two customers ever share one.
    stems = files.unique_name_parts(known["customer_id"])
    try:
        out = files.make_dirs(args.out)
    except (OSError, ValueError) as e:
        print(f"error: cannot use {args.out} for the reports: {e}", file=sys.stderr)
        return 2
    written, failed = 0, []
    _progress(0, len(ids), "")
    for n, customer_id in enumerate(ids, start=1):
        if stems[customer_id] != customer_id:
            print(f"\nnote: customer {customer_id!r} is not a safe file name; its files are "
                  f"{stems[customer_id]}_{period}.*", file=sys.stderr)
        try:
            written += len(_write_report(args.db, customer_id, stems[customer_id], period,
                                         args.lang, out))
        except Exception as e:  # one customer's failure is reported; the batch goes on
            failed.append(customer_id)
            print(f"\nerror: the report of customer {customer_id!r} failed: "
                  f"{type(e).__name__}: {e}", file=sys.stderr)
        _progress(n, len(ids), f"{customer_id} {names[customer_id]}")
    print(f"{len(ids) - len(failed)} customer(s): {written} files in {out}")
    if failed:
        print(f"error: {len(failed)} report(s) failed: " + ", ".join(map(repr, failed)),
              file=sys.stderr)
        return 1
    return 0


class UserError(Exception):
    """A mistake in a `user` command, reported as one line and exit status 2."""


def _read_password(stdin=None) -> str:
    """The new password: stdin's first line when piped, else asked twice without echo."""
    import getpass

    stdin = stdin or sys.stdin
    if not stdin.isatty():
        line = stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat the password: "):
        raise UserError("the passwords do not match")
    return first


def _os_user() -> str:
    """Who ran the command, for the audit log."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return str(os.getuid())


def _check_customer(db_path: Path, customer_id: str) -> None:
    """UserError unless the database at DB_PATH knows CUSTOMER_ID."""
    from service_quality.database import Database, db_version
    from service_quality.queries import Scope
    from service_quality.queries.report import report_customers

    if db_version(db_path) is None:
        raise UserError(f"no database at {db_path}")
    db = Database(db_path)
    try:
        known = list(report_customers(db, Scope.everyone())["customer_id"])
    finally:
        db.close()
    if customer_id not in known:
        raise UserError(f"unknown customer {customer_id!r} in {db_path}; known: "
                        + ", ".join(known))


def user_command(args, stdin=None) -> int:
    """Change or list the users file; 2 with a one-line message for a user's mistake."""
    from service_quality import accounts

    try:
        path = args.users or accounts.users_path()
        if path is None:
            raise UserError("no users file: give --users PATH or set DASHBOARD_USERS")
        store = accounts.UserStore.open(path)
        if args.user_command == "list":
            users = store.users()
            if not users:
                print(f"no users in {path}")
            width = max([len(u.username) for u in users] + [4])
            for n, u in enumerate(users):
                if n == 0:
                    print(f"{'name':<{width}}  {'role':<10}  customer")
                print(f"{u.username:<{width}}  {u.role:<10}  {u.customer_id or ''}")
            return 0
        name = args.name
        # Every check that can fail comes before the password is asked for.
        if not Path(path).parent.is_dir():
            raise UserError(f"no folder {Path(path).parent} for the users file")
        if args.user_command == "add":
            accounts.check_user(name, args.role, args.customer)
            if store.get(name) is not None:
                raise UserError(f"user {name!r} already exists")
            if args.db is not None:
                _check_customer(args.db, args.customer)
            store.add(name, args.role, _read_password(stdin), customer_id=args.customer)
            details = {"role": args.role, "customer_id": args.customer}
            done = f"added {args.role} {name!r}" + (
                f" for customer {args.customer}" if args.customer else "")
        elif store.get(name) is None:
            raise UserError(f"no user {name!r} in {path}")
        elif args.user_command == "passwd":
            store.set_password(name, _read_password(stdin))
            details, done = {}, f"changed the password of {name!r}"
        else:
            store.remove(name)
            details, done = {}, f"removed {name!r}"
        store.save()
    except (UserError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write the users file: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("\ncancelled; nothing was changed", file=sys.stderr)
        return 2
    print(f"{done}; users file {path}")
    try:
        accounts.audit_to(accounts.audit_path(path), f"user_{args.user_command}", _os_user(),
                          account=name, **details)
    except OSError as e:
        print(f"error: the change was saved but the audit log could not be written: {e}",
              file=sys.stderr)
        return 2
    return 0


def print_summary(s: LoadSummary, out=None) -> None:
    """The load summary: one line per file, then warnings."""
    out = out or sys.stdout
    print(f"Loaded into {s.db} (batch {s.batch_id}) in {s.seconds:.1f} s; "
          f"judged as of {s.as_of:%Y-%m-%d %H:%M} ({s.as_of_source}).", file=out)
    width = max(len(f.file) for f in s.files)
    print(f"{'file':<{width}}  {'entity':<13} {'encoding':<9} {'read':>8} {'loaded':>8} "
          f"{'rejected':>8}", file=out)
    for f in s.files:
        print(f"{f.file:<{width}}  {f.entity:<13} {f.encoding:<9} {f.rows_read:>8} "
              f"{f.rows_loaded:>8} {f.rows_rejected:>8}", file=out)
        for note in f.notes:
            print(f"  note: {note}", file=out)
        for w in f.warnings:
            print(f"  warning: {w}", file=out)
    rejected = sum(f.rows_rejected for f in s.files)
    if rejected:
        print(f"{rejected} rows were rejected; each is kept whole with its reason in the table "
              "rejected_rows (Data page / 数据).", file=out)
    for w in s.calendar_warnings:
        print(f"warning: {w}", file=out)
    for w in s.settings_warnings:
        print(f"warning: {w}", file=out)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the return value is the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "load":
        try:
            settings = load_settings(args.settings)
            summary = load(args.sources, args.db, settings, args.as_of,
                           progress=lambda msg: print(msg, file=sys.stderr),
                           options=import_options(args))
        except (LoadRefused, ValueError) as e:
            # ValueError here is a settings file the user must fix, named in the message.
            print(f"error: {e}", file=sys.stderr)
            print("Nothing was loaded; the database is unchanged.", file=sys.stderr)
            return 2
        except (duckdb.InterruptException, RuntimeError) as e:
            # Ctrl-C while DuckDB runs a query arrives as DuckDB's exception, not as
            # KeyboardInterrupt (DuckDB 2.0 raises a bare RuntimeError when fetching).
            if type(e) is RuntimeError and str(e) != "Query interrupted":
                raise
            print("\ninterrupted: nothing was loaded; the database is unchanged.", file=sys.stderr)
            return 130
        except (duckdb.Error, OSError) as e:
            # A full disk or a failing file system: the swap never happened.
            print(f"error: the load failed: {e}", file=sys.stderr)
            print("Nothing was loaded; the database is unchanged.", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted: nothing was loaded; the database is unchanged.", file=sys.stderr)
            return 130
        print_summary(summary)
    elif args.command == "report":
        return report_command(args)
    elif args.command == "user":
        return user_command(args)
    elif args.command == "sample":
        from .sample import write_sample

        if args.tickets < 1:
            parser.error("--tickets must be at least 1")
        counts = write_sample(args.out_dir, tickets=args.tickets, seed=args.seed,
                              csv_only=args.csv_only)
        for name, n in counts.items():
            print(f"{args.out_dir / name}: {n} rows")
    return 0
