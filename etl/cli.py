"""The command line: python -m etl load | sample | report | digest | user."""

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
from .loss import warning_block
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


def _value_map(text: str) -> tuple[str, str, str]:
    field, colon, rest = text.partition(":")
    source, eq, canonical = rest.rpartition("=")
    if not colon or not eq or not field.strip() or not source.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: write --value FIELD:VALUE=CANONICAL, "
                                         'e.g. --value "channel:Walk in=phone"')
    return field.strip(), source.strip(), canonical.strip()


def import_options(args) -> ImportOptions | None:
    """The load's ImportOptions from --profile/--map/--null/--date-order/--value, None when none
    given."""
    options = ImportOptions(args.profile, tuple(args.maps), tuple(args.nulls), args.date_order,
                            tuple(args.values))
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
                        "surveys.customer_id=… for one table only; updated_at=… names the "
                        "update time of a history export)")
    p.add_argument("--null", action="append", default=[], dest="nulls", metavar="TOKEN",
                   help="a cell holding exactly this text is empty (repeatable), e.g. --null N/A")
    p.add_argument("--value", action="append", type=_value_map, default=[], dest="values",
                   metavar="FIELD:VALUE=CANONICAL",
                   help='read this value of a column as a canonical value (repeatable), e.g. '
                        '--value "channel:Walk in=phone"; nothing after = leaves it empty')
    p.add_argument("--date-order", choices=DATE_ORDERS, dest="date_order",
                   help="order of day and month in dates like 05/03/2025: dmy, mdy or ymd "
                        "(default: decided by the data, refused when it cannot tell)")

    p = sub.add_parser("sample", help="write realistic synthetic input files")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    p.add_argument("--tickets", type=int, default=6000)
    p.add_argument("--seed", type=int, default=20251001)
    p.add_argument("--csv-only", action="store_true", dest="csv_only",
                   help="write the workbook entities as UTF-8 CSV too (large samples, benchmarks)")

    p = sub.add_parser("report", help="write the customer periodic report (xlsx + PDF), or "
                                      "mail it to each customer's report_emails (--send)")
    p.add_argument("--period", required=True, help="a month (2026-10), a quarter (2026-Q3), "
                   "last-month or last-quarter (before today)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", help="one customer id")
    who.add_argument("--all", action="store_true", help="every customer")
    p.add_argument("--out", type=Path, help="folder for the files (needed unless --send or "
                   "--dry-run; with --send, a copy of what was mailed)")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file "
                   "(default data/service.duckdb)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    _add_send_arguments(p, "the report")

    p = sub.add_parser("digest", help="the supervision worklist as of the last load, for the "
                                      "supervisors: printed, or mailed with --send")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file "
                   "(default data/service.duckdb)")
    p.add_argument("--users", type=Path, help="users file whose supervisors with an e-mail get "
                   "the digest (default $DASHBOARD_USERS)")
    p.add_argument("--to", action="append", default=[], metavar="ADDRESS",
                   help="send to this address instead of the supervisors (repeatable)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    _add_send_arguments(p, "the digest")

    _add_user_parser(sub)
    return parser


def _add_send_arguments(p, what: str) -> None:
    """--send, --dry-run, --force and --settings of the commands that mail."""
    how = p.add_mutually_exclusive_group()
    how.add_argument("--send", action="store_true",
                     help=f"mail {what} (SMTP_* environment or [smtp] in settings.toml)")
    how.add_argument("--dry-run", action="store_true", dest="dry_run",
                     help="list who would get what; send and record nothing")
    p.add_argument("--force", action="store_true",
                   help="send again to addresses that already got it")
    p.add_argument("--settings", type=Path, help="settings file (default settings.toml)")


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
    a.add_argument("--email", help="the user's e-mail address (supervisors get the digest)")
    a.add_argument("--users", type=Path, help=users_help)
    a = actions.add_parser("passwd", help="set a user's password")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--users", type=Path, help=users_help)
    a = actions.add_parser("remove", help="remove a user")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--users", type=Path, help=users_help)
    a = actions.add_parser("list", help="list users: name, role, customer")
    a.add_argument("--users", type=Path, help=users_help)
    a = actions.add_parser("email", help="set a user's e-mail address (empty: remove it)")
    a.add_argument("name", metavar="NAME")
    a.add_argument("email", metavar="ADDRESS", nargs="?", default="")
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
    from service_quality.reports.customer_report import customer_report, report_pdf, report_xlsx

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
    """Write <customer>_<period>.xlsx and .pdf per customer, or mail them (--send); 2 with a
    message when refused, 1 when some customer's report or mail failed (the others go on)."""
    from service_quality import files
    from service_quality.database import Database, db_version
    from service_quality.delivery.customer_reports import resolve_period, today_in_china
    from service_quality.queries import Scope
    from service_quality.queries.customer_report import report_customers

    try:
        period = resolve_period(args.period, today_in_china())
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    mailing = args.send or args.dry_run
    if not mailing and args.out is None:
        print("error: give --out FOLDER for the files, or --send to mail them", file=sys.stderr)
        return 2
    if args.force and not mailing:
        print("error: --force goes with --send (send again what already went out)",
              file=sys.stderr)
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
    if mailing:
        return mail_command(args, None if args.all else ids, period)
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


def _outcome_line(o) -> str:
    """One customer's line of the mailing summary."""
    who = f"{o.customer_id} {o.name}: "
    to = ", ".join(o.addresses)
    if o.status == "sent":
        return who + f"sent to {to} ({', '.join(o.files)})"
    if o.status == "partial":
        refused = "; ".join(f"{a}: {why}" for a, why in o.refused.items())
        return who + f"sent to {', '.join(o.delivered)}; NOT to {refused}"
    if o.status == "failed":
        return who + f"FAILED, nothing sent to {to}: {o.note}"
    if o.status == "no_address":
        return who + "no address (customers file, column report_emails / 报告邮箱); not sent"
    if o.status == "already_sent":
        return who + f"already sent to {o.note} (--force sends again)"
    return who + f"would send {', '.join(o.files)} to {to}"


def _log_writable(log) -> bool:
    """Whether the delivery log can be written; says why not (then nothing may be sent)."""
    import sqlite3

    try:
        log.ensure()
    except (OSError, sqlite3.Error) as e:
        print(f"error: cannot write the delivery log {log.path}: {e}", file=sys.stderr)
        print("Nothing was sent.", file=sys.stderr)
        return False
    return True


def mail_command(args, customer_ids: list[str] | None, period: str) -> int:
    """Mail (or, with --dry-run, list) PERIOD's reports; 1 when any mail failed."""
    from service_quality.delivery.config import smtp_config
    from service_quality.delivery.customer_reports import data_before_period_end, mail_reports
    from service_quality.delivery.log import DeliveryLog, deliveries_path

    try:
        smtp = smtp_config(args.settings)
    except ValueError as e:
        if args.send:
            print(f"error: {e}", file=sys.stderr)
            print("Nothing was sent.", file=sys.stderr)
            return 2
        smtp = None
        print(f"note: --send would refuse: {e}")
    log = DeliveryLog(deliveries_path(args.db))
    if not args.dry_run and not _log_writable(log):
        return 2
    if smtp is not None:
        print(f"{'Dry run: would mail' if args.dry_run else 'Mailing'} the {period} reports "
              f"via {smtp.describe()}")
    try:
        result = mail_reports(args.db, customer_ids, period, log=log, smtp=smtp, lang=args.lang,
                              dry_run=args.dry_run, force=args.force, out=args.out,
                              progress=lambda o: print(_outcome_line(o), flush=True))
    except KeyboardInterrupt:
        print("\ninterrupted: what was sent so far is recorded in " + str(log.path),
              file=sys.stderr)
        return 130
    if data_before_period_end(result.as_of, period):
        print(f"warning: the data is as of {result.as_of:%Y-%m-%d %H:%M}, before {period} "
              "ended: the report covers only part of the period", file=sys.stderr)
    counts = ", ".join(f"{result.count(s)} {label}" for s, label in (
        ("sent", "sent"), ("partial", "partly sent"), ("failed", "failed"),
        ("no_address", "without an address"), ("already_sent", "already sent"),
        ("would_send", "would be sent"))
        if result.count(s) or (s in ("sent", "failed") and not args.dry_run))
    print(f"{len(result.outcomes)} customer(s): {counts}.")
    if not args.dry_run:
        print(f"Every attempt is recorded in {log.path} (Data page, 发送记录 Deliveries).")
    return 1 if result.failed else 0


def digest_command(args) -> int:
    """Print the digest, or mail it to the supervisors (--send); 2 when refused, 1 on failure."""
    from service_quality import accounts
    from service_quality.database import Database, db_version
    from service_quality.delivery.config import digest_config, smtp_config
    from service_quality.delivery.digest import build_digest, send_digest
    from service_quality.delivery.log import DeliveryLog, deliveries_path

    def refuse(message: str) -> int:
        print(f"error: {message}", file=sys.stderr)
        if args.send:
            print("Nothing was sent.", file=sys.stderr)
        return 2

    if db_version(args.db) is None:
        return refuse(f"no database at {args.db}; build it with "
                      "`python -m etl load SOURCE --db PATH`")
    try:
        config = digest_config(args.settings)
    except ValueError as e:
        return refuse(str(e))
    db = Database(args.db)
    try:
        digest = build_digest(db, config.base_url, args.lang)
    finally:
        db.close()
    if not (args.send or args.dry_run):
        print(f"Subject: {digest.subject}\n")
        print(digest.text(), end="")
        return 0
    recipients = list(args.to)
    if not recipients:
        recipients = list(config.recipients)
        path = args.users or accounts.users_path()
        if path is not None:
            try:
                store = accounts.UserStore.open(path)
            except ValueError as e:
                return refuse(str(e))
            recipients += [store.email(u.username) for u in store.users()
                           if u.role == "supervisor" and store.email(u.username)]
    if not recipients and not config.webhook_url:
        return refuse("nobody to send the digest to: give a supervisor an address "
                      "(python -m etl user email NAME ADDRESS), list them under [digest] "
                      "recipients in settings.toml, or set DIGEST_WEBHOOK_URL")
    smtp = None
    if recipients:
        try:
            smtp = smtp_config(args.settings)
        except ValueError as e:
            if args.send:
                return refuse(str(e))
            print(f"note: --send would refuse: {e}")
    print(f"Digest as of {digest.period}: {digest.total} item(s) to follow up ("
          + ", ".join(f"{s.title} {s.count}" for s in digest.sections) + ")")
    log = DeliveryLog(deliveries_path(args.db))
    if not args.dry_run and not _log_writable(log):
        return 2
    runs = send_digest(digest, recipients, log=log, smtp=smtp, config=config,
                       dry_run=args.dry_run, force=args.force)
    for run in runs:
        what = "e-mail" if run.channel == "email" else "robot webhook"
        to = ", ".join(run.recipients)
        print(f"{what}: " + {
            "sent": f"sent to {to}",
            "partial": f"sent to {', '.join(run.delivered)}; FAILED for the others: {run.note}",
            "failed": f"FAILED, nothing sent to {to}: {run.note}",
            "already_sent": f"already sent to {to} for this load (--force sends again)",
            "would_send": f"would send to {to}",
        }[run.status])
    if not args.dry_run and any(r.status in ("sent", "partial", "failed") for r in runs):
        print(f"Every attempt is recorded in {log.path} (Data page, 发送记录 Deliveries).")
    return 1 if any(r.status in ("failed", "partial") for r in runs) else 0


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
    from service_quality.queries.customer_report import report_customers

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
            # The e-mail column only when someone has an address (most files have none).
            emails = {u.username: store.email(u.username) or "" for u in users}
            extra = max(len(c or "") for c in [u.customer_id for u in users] + ["customer"]) \
                if any(emails.values()) else 0
            for n, u in enumerate(users):
                if n == 0:
                    print(f"{'name':<{width}}  {'role':<10}  "
                          + (f"{'customer':<{extra}}  email" if extra else "customer"))
                customer = u.customer_id or ""
                print(f"{u.username:<{width}}  {u.role:<10}  "
                      + (f"{customer:<{extra}}  {emails[u.username]}" if extra else customer))
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
            if args.email:
                accounts.check_email(args.email)
            store.add(name, args.role, _read_password(stdin), customer_id=args.customer)
            if args.email:
                store.set_email(name, args.email)
            details = {"role": args.role, "customer_id": args.customer}
            done = f"added {args.role} {name!r}" + (
                f" for customer {args.customer}" if args.customer else "")
        elif store.get(name) is None:
            raise UserError(f"no user {name!r} in {path}")
        elif args.user_command == "email":
            store.set_email(name, args.email.strip() or None)
            details = {"email": args.email.strip() or None}
            done = (f"set the e-mail of {name!r} to {args.email.strip()}" if args.email.strip()
                    else f"removed the e-mail of {name!r}")
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
    # Last, where it is seen: a file that lost much is a file whose figures cannot be trusted.
    for line in warning_block([f.loss for f in s.files if f.loss is not None]):
        print(line, file=out)


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
    elif args.command == "digest":
        return digest_command(args)
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
