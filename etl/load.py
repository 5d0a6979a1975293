"""Load input files into a new copy of the database, compute the rules, swap it in atomically."""

from __future__ import annotations

import ctypes
import hashlib
import json
import queue
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa

from service_quality import rules
from service_quality.calendar import build_calendar
from service_quality.database import (
    ENTITY_SQL,
    MACROS,
    REPLACE_DERIVED,
    SCHEMA_VERSION,
    create_tables,
    damage,
    stored_schema_version,
)
from service_quality.migrations import NewerSchema, migrate
from service_quality.queries import sql
from service_quality.schema import DATE, DTYPES, ENTITIES, RELATIONS, STR, TIMESTAMP
from service_quality.settings import Settings

from .loss import Loss, loss_of
from .readers import InputError, RawTable, entity_for
from .stage import ImportOptions, StagedFile, stage_for_load
from .swap import (
    acquire_lock,
    clean_leftovers,
    discard,
    publish,
    release_lock,
    spill_path,
    tmp_path,
)

CHINA = ZoneInfo("Asia/Shanghai")
EXPORT_INFO = "export_info.json"
INPUT_SUFFIXES = {".csv", ".xlsx"}
# Deadlines run past the last report (the next working day after a long holiday, 72 h reports).
CALENDAR_MARGIN = timedelta(days=60)
# The memory DuckDB may use in a load; what does not fit goes to a folder beside the copy
# (swap.spill_path), so a load of 10 M tickets needs a few GB, not what DuckDB would take.
MEMORY_LIMIT = "500MB"
# Judging the rules needs more at once (hash tables over every ticket), when Python holds little.
DERIVE_MEMORY_LIMIT = "800MB"


class LoadRefused(Exception):
    """The load cannot go ahead; the database was not touched. str() is the message."""


@dataclass
class FileResult:
    """What happened to one input file."""

    file: str
    entity: str
    encoding: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the file was read (import profiles)
    loss: Loss | None = None  # set when more than LOSS_THRESHOLD of the rows were rejected


@dataclass
class LoadSummary:
    """What one load did, for the CLI and the app to print."""

    batch_id: str
    db: Path
    as_of: datetime
    as_of_source: str
    files: list[FileResult]
    calendar_warnings: list[str]
    seconds: float = 0.0
    # A customer the settings give its own terms but no loaded file names (settings.toml).
    settings_warnings: list[str] = field(default_factory=list)


def find_inputs(sources: list[Path], any_name: bool = False) -> list[tuple[Path, str | None]]:
    """Expand files and folders into (file, entity) pairs, refusing what is not an input file.

    any_name: every .csv/.xlsx is an input, entity None (an import profile decides what it holds).
    """
    found = []
    for src in sources:
        if src.is_dir():
            files = sorted(p for p in src.iterdir() if p.suffix.lower() in INPUT_SUFFIXES)
            # Office lock files (~$tickets.xlsx) sit beside open workbooks; they are not data.
            files = [p for p in files if not p.name.startswith(("~$", "."))]
            picked = [(p, entity_for(p)) for p in files]
            found += [(p, e) for p, e in picked if e or any_name]
        elif src.is_file():
            entity = entity_for(src)
            if src.suffix.lower() not in INPUT_SUFFIXES:
                raise LoadRefused(f"{src}: not a .csv or .xlsx file")
            if not entity and not any_name:
                names = ", ".join(f"{e.name} ({e.zh})" for e in ENTITIES.values())
                raise LoadRefused(f"{src}: the file name does not say what it holds; "
                                  f"name it after one of: {names}")
            found.append((src, entity))
        else:
            raise LoadRefused(f"{src}: no such file or folder")
    if not found:
        raise LoadRefused("no input files found in " + ", ".join(map(str, sources)))
    return found


def export_as_of(sources: list[Path]) -> datetime | None:
    """The latest extraction moment recorded beside the inputs (export_info.json), if any."""
    moments = []
    for src in sources:
        info = (src if src.is_dir() else src.parent) / EXPORT_INFO
        if info.is_file():
            try:
                moment = datetime.fromisoformat(json.loads(info.read_text())["extracted_at"])
            except (ValueError, KeyError, TypeError) as e:
                raise LoadRefused(f"{info}: cannot read extracted_at ({e})") from None
            if moment.tzinfo is not None:   # stored times are China time, naive
                moment = moment.astimezone(CHINA).replace(tzinfo=None)
            moments.append(moment)
    return max(moments) if moments else None


def china_now() -> datetime:
    """The current time in China, naive, to the minute."""
    return china_clock().replace(second=0, microsecond=0)


def china_clock() -> datetime:
    """Now in China, naive: stored moments are China time whatever zone the server runs in."""
    return datetime.now(CHINA).replace(tzinfo=None)


def load(
    sources: list[Path],
    db: Path,
    settings: Settings,
    as_of: datetime | None = None,
    progress: Callable[[str], None] = lambda msg: None,
    options: ImportOptions | None = None,
) -> LoadSummary:
    """Load `sources` into `db`; the file is replaced only when everything succeeded."""
    started = china_clock()
    inputs = find_inputs(sources, any_name=bool(options and options.profile))
    as_of_source = "--as-of"
    if as_of is None:
        as_of = export_as_of(sources)
        as_of_source = EXPORT_INFO
    if as_of is None:
        as_of, as_of_source = china_now(), "time of the load"

    batch_id = started.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(db, batch_id)
    # One load at a time: a second one would copy the file before the first swapped it in.
    lock = acquire_lock(db, progress)
    try:
        clean_leftovers(db, progress)
        if db.exists():
            shutil.copyfile(db, tmp)
        con = _open_copy(tmp, db)
        try:
            check_schema(con, db, progress)
            create_tables(con)
            results = []
            for st, loaded, sha in _read_inputs(con, inputs, options, progress):
                progress(f"loading {st.path.name}")
                results.append(_upsert(con, batch_id, st.path, st.table, loaded, st.rejected,
                                       sha, as_of, started))
                results[-1].notes = list(st.notes)
                results[-1].loss = loss_of(str(st.path), st.entity, results[-1].rows_read,
                                           st.rejected["reason"],
                                           options.profile if options else None)
            _let_go()
            progress("computing the agreement's rules")
            con.execute(f"SET memory_limit = '{DERIVE_MEMORY_LIMIT}'")
            warnings, terms_warnings = derive(con, settings, as_of)
            # The terms judged with are in the table customer_terms, not repeated here.
            _set_info(con, {"schema_version": str(SCHEMA_VERSION), "as_of": str(as_of),
                            "as_of_source": as_of_source, "loaded_at": str(china_clock()),
                            "calendar_warnings": json.dumps(warnings, ensure_ascii=False)})
            con.execute("DELETE FROM load_info WHERE key = 'settings'")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        publish(tmp, db, progress)
    finally:
        discard(tmp)
        release_lock(db, lock)
    seconds = (china_clock() - started).total_seconds()
    return LoadSummary(batch_id, db, as_of, as_of_source, results, warnings, seconds,
                       terms_warnings)


def _open_copy(tmp: Path, db: Path) -> duckdb.DuckDBPyConnection:
    """A write connection to the load's copy of DB; LoadRefused when DB is not readable."""
    how = (f"move it away (mv {db} {db}.broken) and load every export again to rebuild it; "
           "the file was left as it is")
    try:
        con = duckdb.connect(str(tmp), config={"memory_limit": MEMORY_LIMIT,
                                                "temp_directory": str(spill_path(tmp))})
    except duckdb.Error as e:
        detail = str(e).replace(str(tmp), str(db))
        raise LoadRefused(f"{db}: not a database this project can read ({detail}); {how}") from None
    try:
        problem = damage(con, tmp.stat().st_size)
    except duckdb.Error as e:
        problem = str(e)
    if problem:
        con.close()
        raise LoadRefused(f"{db}: damaged, not a database this project can read ({problem}); "
                          f"{how}")
    return con


def _stage(path: Path, entity: str, options: ImportOptions | None,
           writer: _RowWriter) -> list[StagedFile]:
    """One file read and judged, its good rows handed to WRITER; the rejections are kept."""
    files = stage_for_load(path, entity, options, writer)
    for st in files:
        # The text as read is let go, so staging every file does not hold each one twice.
        st.table.release_rows()
    return files


# Files read at once: the second core judges another file (1 M tickets: the load in ~2/3 of
# the time), while the chunks keep the memory of each small.
READERS = 2


def _read_inputs(con, inputs, options, progress) -> list[tuple[StagedFile, int, str]]:
    """Read, judge and write every input file into the copy: (staged file, rows written, the
    file's SHA-256) in the order given. A refused file raises LoadRefused with the message of
    the first refused file in that order, as reading them one by one would.

    Each file's rows go in as it is read (a second thread inserts a chunk while the next is
    judged), one transaction per file. Files of one table are read one after the other, in
    order (a later export replaces a row); different tables are read at once by READERS
    threads. Progress lines are passed on from this thread.
    """
    groups: dict[str | None, list[int]] = {}
    for i, (_, entity) in enumerate(inputs):
        # Through an import profile a file may hold several tables: those go one by one.
        groups.setdefault(entity if entity and not (options and options.profile) else None,
                          []).append(i)
    outcome: dict[int, list[tuple[StagedFile, int, str]] | InputError] = {}
    messages: queue.Queue = queue.Queue()
    refused = [len(inputs)]  # the first refused file's position so far
    lock = threading.Lock()

    def read_group(positions: list[int]) -> None:
        for i in positions:
            if i > refused[0]:
                return   # a file before it is refused already: its message is the one said
            path, entity = inputs[i]
            messages.put(f"reading {path.name}")
            writer = _RowWriter(con)
            try:
                staged = _stage(path, entity, options, writer)
                writer.commit()
                sha = _sha256(path)
                outcome[i] = [(st, writer.rows[st.entity], sha) for st in staged]
            except InputError as e:
                outcome[i] = e
                with lock:
                    refused[0] = min(refused[0], i)
                return
            finally:
                writer.close()

    order = sorted(groups.values(), key=lambda g: -sum(_size(inputs[i][0]) for i in g))
    if len(order) == 1 or READERS == 1:
        for group in order:
            read_group(group)
            _drain(messages, progress)
    else:
        with ThreadPoolExecutor(READERS, thread_name_prefix="etl-file") as pool:
            futures = [pool.submit(read_group, group) for group in order]
            while not all(f.done() for f in futures):
                _drain(messages, progress, wait=0.1)
            _drain(messages, progress)
            for f in futures:
                f.result()   # anything but a refusal is raised as it is
    if refused[0] < len(inputs):
        raise LoadRefused(str(outcome[refused[0]])) from None
    return [pair for i in range(len(inputs)) for pair in outcome[i]]


def _sha256(path: Path) -> str:
    with path.open("rb") as f:  # in blocks: a 10 M-ticket file is 2 GB
        return hashlib.file_digest(f, "sha256").hexdigest()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _drain(messages: queue.Queue, progress, wait: float | None = None) -> None:
    """Pass on the progress lines waiting (after WAIT seconds for the first, if given)."""
    try:
        if wait is not None:
            progress(messages.get(timeout=wait))
        while True:
            progress(messages.get_nowait())
    except queue.Empty:
        pass


def _let_go() -> None:
    """Hand freed memory back to the system before DuckDB's part of the load."""
    # Arrow's allocator keeps freed memory for reuse, and so does the C library's.
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc


# Rows per transaction of a file's inserts: four of DuckDB's row groups (122,880 rows each).
# Committing each chunk (under a row group) sent it through the write-ahead log and a
# checkpoint, twice the insert's own cost; whole row groups inserted in a transaction go
# straight to the file. One transaction per file raised the peak memory of 2 M tickets by a
# third.
COMMIT_ROWS = 4 * 122_880


class _RowWriter:
    """Writes one file's good rows into the load's copy in a second thread, so that DuckDB
    inserts a chunk while Python reads the next. The rows are committed every COMMIT_ROWS rows
    and at the file's end: a failed load throws the copy away anyway, and a file read again
    whole (rollback) replaces what it wrote."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._cur = con.cursor()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="etl-insert")
        self._pending: Future | None = None
        self._had_rows: dict[str, bool] = {}
        self._uncommitted = 0   # rows inserted in the open transaction
        self._open = False
        self.rows: Counter[str] = Counter()

    def _submit(self, fn, *args) -> None:
        # One insert in flight at a time: a chunk waits for the one before, so at most two
        # chunks are in memory.
        self._wait()
        self._pending = self._pool.submit(fn, *args)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def begin(self) -> None:
        """A file starts."""
        self.rows.clear()

    def write(self, entity: str, table: pa.Table) -> None:
        """Insert TABLE's rows of ENTITY, replacing rows of earlier loads with the same key."""
        self.rows[entity] += table.num_rows
        self._submit(self._insert, entity, table)

    def _insert(self, entity: str, table: pa.Table) -> None:
        statements = ENTITY_SQL[entity]
        if not self._open:
            self._cur.execute("BEGIN TRANSACTION")
            self._open = True
        if entity not in self._had_rows:
            self._had_rows[entity] = bool(self._cur.execute(statements["count"]).fetchall()[0][0])
        self._cur.register("staged", table.select(ENTITIES[entity].column_names))
        try:
            # Keys are unique among a file's good rows: deleting a chunk's keys before it is
            # inserted is the file's upsert (a later export replaces a row), chunk by chunk.
            if self._had_rows[entity]:
                self._cur.execute(statements["delete_staged"])
            self._cur.execute(statements["insert_staged"])
        finally:
            self._cur.unregister("staged")
        self._uncommitted += table.num_rows
        if self._uncommitted >= COMMIT_ROWS:
            self._commit()

    def _commit(self) -> None:
        if self._open:
            self._cur.execute("COMMIT")
            self._open = False
            self._uncommitted = 0

    def rollback(self) -> None:
        """The file is read again whole: its rows will replace those written so far."""
        self._wait()
        for entity in self.rows:
            self._had_rows[entity] = True

    def commit(self) -> None:
        """Wait until every row is in, and commit them."""
        self._wait()
        self._commit()

    def close(self) -> None:
        """Wait for the thread and let it go (a failed insert raises here if not before)."""
        try:
            self._wait()
        finally:
            self._pool.shutdown()
            self._cur.close()


def check_schema(con: duckdb.DuckDBPyConnection, db: Path,
                 progress: Callable[[str], None] = lambda msg: None) -> None:
    """Migrate a database written with an older table layout; refuse one of another project."""
    try:
        message = migrate(con)
    except NewerSchema as e:
        raise LoadRefused(f"{db}: {e}; update the project, or move the file away and load "
                          "again") from None
    except duckdb.Error as e:
        raise LoadRefused(f"{db}: cannot migrate it to schema {SCHEMA_VERSION} ({e}); move it "
                          "away and load every export again to rebuild it") from None
    if message is None and stored_schema_version(con) is None:
        foreign = con.execute("SELECT count(*) FROM duckdb_tables() "
                              "WHERE database_name = current_database()").fetchall()[0][0]
        if foreign:
            raise LoadRefused(f"{db}: a DuckDB file, but not one this project wrote (no "
                              "load_info); give another --db or move it away")
    if message:
        progress(message)


def _upsert(con, batch_id, path, table: RawTable, loaded: int, rejected, sha: str, as_of,
            started) -> FileResult:
    """The rejections and the batch record of one staged file (its rows are in already)."""
    entity = ENTITIES[table.entity]
    # A file loaded again replaces its earlier rejections, so fixed rows disappear from the list.
    # Keyed by the resolved path: "in/tickets.csv" and its absolute path are one file.
    file = str(path.resolve())
    # Per entity: one export read through a profile yields tickets and surveys of the same file.
    con.execute("DELETE FROM rejected_rows WHERE file = ? AND entity = ?", [file, entity.name])
    rej = pd.DataFrame({
        "batch_id": batch_id, "file": file, "entity": entity.name,
        "row_number": rejected["row_number"].astype("int64"),
        "reason": rejected["reason"], "raw": rejected["raw"],
    })
    con.register("rej", rej)
    con.execute("INSERT INTO rejected_rows BY NAME SELECT * FROM rej")
    con.unregister("rej")
    result = FileResult(str(path), entity.name, table.encoding, sha, loaded + len(rejected),
                        loaded, len(rejected))
    if table.unknown_columns:
        result.warnings.append("columns not in the contract, kept only in rejected rows' raw text: "
                               + ", ".join(table.unknown_columns))
    con.execute(
        "INSERT INTO load_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, file, entity.name, table.encoding, sha, result.rows_read,
         result.rows_loaded, result.rows_rejected, started, china_clock(), as_of],
    )
    return result


# The columns each step in pandas reads (the calendar): fetching only these leaves the rest in
# DuckDB.
_RULE_INPUTS = {
    "calendar": ("date", "kind", "note"),
}


def _table(con, name: str) -> pd.DataFrame:
    """The columns the rules read of one entity table, in the contract's dtypes (as conform)."""
    return _typed(con.sql(_rule_inputs_query(name)).to_arrow_table().to_pandas(), name)


def _rule_inputs_query(name: str) -> str:
    return "SELECT {} FROM {}".format(  # noqa: S608 - identifiers from our constants
        ", ".join(f'"{c}"' for c in _RULE_INPUTS[name]), name)


def _typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    entity = ENTITIES[name]
    for name_ in _RULE_INPUTS[name]:
        kind = entity.column(name_).kind
        values = frame[name_]
        if kind in (TIMESTAMP, DATE):
            values = pd.to_datetime(values).astype("datetime64[ns]")
        elif kind == STR:
            values = values.astype("object").where(values.notna(), None)
        frame[name_] = values.astype(DTYPES[kind])
    return frame


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """A derived relation as Arrow, which DuckDB scans without touching Python objects."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def derive(con: duckdb.DuckDBPyConnection, settings: Settings,
           as_of: datetime) -> tuple[list[str], list[str]]:
    """Recompute calendar_days, customer_terms and the rule relations; return the calendar
    warnings and the settings' warnings (a customer id in no loaded file)."""
    stamp = pd.Timestamp(as_of)
    span = "SELECT min(reported_at), max(reported_at) FROM tickets"
    first, last = con.execute(span).fetchall()[0]
    first = stamp if first is None else pd.Timestamp(first)
    last = max(stamp if last is None else pd.Timestamp(last), stamp)
    start = (min(first, stamp) - timedelta(days=1)).date()
    cal = build_calendar(start, (last + CALENDAR_MARGIN).date(), settings.working_hours,
                         _table(con, "calendar"))
    _replace(con, "calendar_days", cal.days.assign(date=cal.days["date"].dt.date))
    # Every rule is judged in SQL, each row by its own customer's terms (customer_terms): a
    # million tickets never become Python objects.
    terms_warnings = rules.customer_terms_in_db(con, settings)
    rules.ticket_facts_in_db(con, stamp)
    rules.complaint_sla_in_db(con, stamp)
    rules.action_status_in_db(con, stamp)
    rules.survey_facts_in_db(con)
    con.execute(MACROS)   # build_monthly.sql uses the macros (report_stage, the overdue span)
    con.execute(sql("build_monthly"))
    con.execute(sql("build_filter_choices"))
    con.execute(sql("build_worklist"), {"as_of": stamp.to_pydatetime()})
    estimated = con.execute("SELECT count(*) FROM ticket_sla WHERE calendar_estimated").fetchall()
    return calendar_warnings(estimated[0][0], cal), terms_warnings


def _replace(con, name: str, frame: pd.DataFrame) -> None:
    """Replace derived relation `name` by `frame`."""
    assert name == "calendar_days" or tuple(frame.columns) == RELATIONS[name]
    con.register("derived", _arrow(frame))
    try:
        for statement in REPLACE_DERIVED[name]:
            con.execute(statement)
    finally:
        con.unregister("derived")


def calendar_warnings(estimated: int, cal) -> list[str]:
    """One warning per year that tickets were judged on the Monday–Friday fallback."""
    if not estimated:
        return []
    years = sorted(set(cal.estimated_years))
    return [f"{estimated} tickets were judged on an estimated calendar: no official calendar for "
            f"{', '.join(map(str, years))}, so Monday–Friday was assumed. Add that year's holidays "
            "and make-up working days in a calendar file (calendar.csv: date, kind, note) and "
            "load again."]


def _set_info(con, values: dict[str, str]) -> None:
    for key, value in values.items():
        con.execute("INSERT OR REPLACE INTO load_info VALUES (?, ?)", [key, value])
