"""Upload in the app: save a supervisor's files, preview what the load would do, then run it."""

from __future__ import annotations

import functools
import os
import re
import secrets
import shutil
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from etl import profiles
from etl.load import LoadRefused, LoadSummary, load
from etl.loss import Loss, loss_of, warning_block
from etl.profiles.dates import ORDER_NAMES
from etl.readers import InputError, entity_for, normalize_name, time_budget
from etl.stage import ImportOptions, StagedFile, stage_file
from service_quality.accounts import User, audit
from service_quality.database import db_path
from service_quality.files import dir_mode, make_dirs, write_bytes
from service_quality.messages import has
from service_quality.schema import ENTITIES
from service_quality.settings import load_settings

DATA_SUFFIXES = (".csv", ".xlsx")
PENDING = ".pending"
MB = 1 << 20
PREVIEW_ROWS = 20
REJECTED_SHOWN = 500
# The most time the preview spends reading one file (workbooks: see etl.readers' limits).
PREVIEW_SECONDS = 60
# An abandoned preview (tab closed, files never confirmed) is removed by the next upload after this.
STALE_SECONDS = 6 * 3600
DATE_ORDERS = ("auto", "dmy", "mdy", "ymd")
PROFILE_NAMES = {"servicenow": "ServiceNow", "jira": "Jira Service Management",
                 "zammad": "Zammad", "glpi": "GLPI"}
_FOLDER = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")

_UPLOADER = "upload_files"
_GEN = "_upload_generation"
_SAVED = "_upload_saved"
_PREVIEW = "_upload_preview"
_JOB = "_upload_job"
_RESULT = "_upload_result"
_REFUSED = "_upload_refused"
_BUSY = "_upload_busy"


# ── files on disk ──────────────────────────────────────────────────────────────────────────────

def limit_mb() -> int:
    """The upload limit in force (server.maxUploadSize in .streamlit/config.toml), in MB."""
    return int(st.get_option("server.maxUploadSize"))


def uploads_root() -> Path:
    """Where uploaded files are kept: beside the database, in uploads/."""
    return db_path().parent / "uploads"


def safe_name(name: str, suffixes=DATA_SUFFIXES) -> str:
    """A file name from a browser made safe to write: one component, no dots in front."""
    # Browsers send a bare name, but nothing forces them to: keep only the last component of
    # either kind of path, and only letters, digits and a few marks, so no path can be formed.
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name))[-1]
    base = "".join(c if c.isalnum() or c in "-_.() " else "_" for c in base)
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in suffixes:
        stem, suffix = base, suffixes[0][1:]
    stem = stem.strip(" ._")[:100] or "upload"
    return f"{stem}.{suffix.lower()}"


def _new_folder(root: Path) -> Path:
    # Owner-only (0700, files 0600) unless $DASHBOARD_FILE_MODE says otherwise: the files are
    # customers' data.
    make_dirs(root)
    folder = root / f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    folder.mkdir(mode=dir_mode())
    os.chmod(folder, dir_mode())
    return folder


def discard(folder: Path | None) -> None:
    """Remove an unconfirmed preview's folder (only ever one of ours under uploads/.pending)."""
    if folder is not None and folder.parent == uploads_root() / PENDING \
            and _FOLDER.match(folder.name) and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def sweep(now: float | None = None) -> None:
    """Remove previews nobody confirmed for STALE_SECONDS (their sessions are gone)."""
    pending = uploads_root() / PENDING
    now = time.time() if now is None else now
    for folder in pending.glob("*") if pending.is_dir() else ():
        try:
            stale = now - folder.stat().st_mtime > STALE_SECONDS
        except OSError:
            continue
        if stale:
            discard(folder)


@dataclass(frozen=True)
class Upload:
    """One upload's files as saved in a pending folder: (name as uploaded, saved path)."""

    folder: Path
    files: tuple[tuple[str, Path], ...]
    profile_file: Path | None = None


def save_upload(files, profile_file=None) -> Upload:
    """Write (name, bytes) pairs into a new pending folder under safe, distinct names."""
    sweep()
    folder = _new_folder(uploads_root() / PENDING)
    saved, used = [], set()
    for name, data in files:
        target = safe_name(name)
        stem, suffix = target.rsplit(".", 1)
        k = 2
        while target.lower() in used:
            target = f"{stem} ({k}).{suffix}"
            k += 1
        used.add(target.lower())
        write_bytes(folder / target, data)
        saved.append((name, folder / target))
    toml = None
    if profile_file is not None:
        name, data = profile_file
        toml = folder / f"profile-{safe_name(name, ('.toml',))}"
        write_bytes(toml, data)
    return Upload(folder, tuple(saved), toml)


# ── the preview ────────────────────────────────────────────────────────────────────────────────

@dataclass
class FilePreview:
    """What the load would do with one table of one uploaded file."""

    number: int
    original: str
    path: Path
    profile: str | None
    entity: str | None = None
    load_name: str = ""  # the file's name in the load log
    encoding: str | None = None
    sheet: str | None = None
    date_order: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    mapping: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    head: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    unknown_columns: list[str] = field(default_factory=list)
    error: str | None = None  # the loader's own message: the file cannot be loaded at all
    needs_entity: bool = False
    loss: Loss | None = None  # more than LOSS_THRESHOLD of the rows would be rejected


@dataclass
class Preview:
    """An upload checked as the load would check it; `problems` are message keys."""

    upload: Upload
    profile: str | None  # a built-in name, "file" (the upload's .toml) or None (canonical)
    date_order: str | None
    maps: tuple[tuple[str, str], ...]
    nulls: tuple[str, ...]
    files: list[FilePreview]
    problems: list[str]
    values: tuple[tuple[str, str, str], ...] = ()  # field, value, canonical value (--value)

    @property
    def ready(self) -> bool:
        """Whether Confirm may run the load."""
        return not self.problems and bool(self.files)

    def options(self, folder: Path | None = None) -> ImportOptions | None:
        """The loader's options, the profile file taken from FOLDER (where the files are now)."""
        profile = self.profile
        if profile == "file":
            toml = self.upload.profile_file
            profile = str((folder or toml.parent) / toml.name)
        if profile is None and not (self.maps or self.nulls or self.date_order or self.values):
            return None
        return ImportOptions(profile, self.maps, self.nulls, self.date_order, self.values)


def parse_maps(text: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """`canonical=source` lines → pairs, and the lines that are not of that form."""
    pairs, bad = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        canonical, eq, source = line.partition("=")
        if not eq or not canonical.strip() or not source.strip():
            bad.append(line)
        else:
            pairs.append((canonical.strip(), source.strip()))
    return tuple(pairs), bad


def parse_values(text: str) -> tuple[tuple[tuple[str, str, str], ...], list[str]]:
    """`field:value=canonical` lines → triples (as --value), and the lines not of that form."""
    triples, bad = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        field, colon, rest = line.partition(":")
        source, eq, canonical = rest.rpartition("=")
        if not colon or not eq or not field.strip() or not source.strip():
            bad.append(line)
        else:
            triples.append((field.strip(), source.strip(), canonical.strip()))
    return tuple(triples), bad


def parse_nulls(text: str) -> tuple[str, ...]:
    """Comma-separated null markers."""
    return tuple(t.strip() for t in text.split(",") if t.strip())


def detected_profile(path: Path) -> str | None:
    """The built-in profile a file's headers match, or None (canonical or unknown)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _detected(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _detected(path: str, mtime_ns: int, size: int) -> str | None:
    # Reading the header parses the whole file: once per saved file, not on every rerun.
    try:
        with time_budget(PREVIEW_SECONDS):
            return profiles.detect_profile(profiles.read_header(Path(path)))
    except (InputError, ValueError, OSError):
        return None  # the preview's staging reports why the file cannot be read


def _mapping(staged: StagedFile) -> pd.DataFrame:
    mapping = dict(staged.mapping)
    if not mapping and staged.table.as_read is not None:
        # A canonical file: its headers are the contract's names or their Chinese names.
        names = {normalize_name(alias): col.name for col in ENTITIES[staged.entity].columns
                 for alias in (col.name, *col.zh)}
        for header in staged.table.as_read.column_names:
            name = names.get(normalize_name(header))
            if name and name not in mapping:
                mapping[name] = header
    zh = {c.name: c.zh[0] if c.zh else "" for c in ENTITIES[staged.entity].columns}
    return pd.DataFrame({"canonical": list(mapping), "zh": [zh.get(c, "") for c in mapping],
                         "source": [str(v) for v in mapping.values()]})


def _date_order(staged: StagedFile) -> str | None:
    # The profile code says which order it used in a note ("dates read as day/month/year …").
    for note in staged.notes:
        for order, name in ORDER_NAMES.items():
            if note.startswith(f"dates read as {name}"):
                return order
    return None


def _file_preview(number: int, original: str, path: Path, profile: str | None,
                  staged: StagedFile) -> FilePreview:
    good, rejected = staged.good, staged.rejected
    head = good.head(PREVIEW_ROWS)
    if "row_number" in head.columns:
        head = head[["row_number", *[c for c in head.columns if c != "row_number"]]]
    rej = rejected.head(REJECTED_SHOWN)
    load_name = path.name
    if profile is None and entity_for(path) is None:
        load_name = f"{staged.entity}_{path.name}"
    return FilePreview(
        number, original, path, profile, staged.entity, load_name, staged.table.encoding,
        staged.table.sheet, _date_order(staged), len(good) + len(rejected), len(good),
        len(rejected), _mapping(staged), list(staged.notes), head.reset_index(drop=True),
        pd.DataFrame({"file": load_name, "row_number": rej["row_number"].astype("int64"),
                      "reason": rej["reason"].astype(str)}),
        list(staged.table.unknown_columns),
        loss=loss_of(load_name, staged.entity, len(good) + len(rejected), rejected["reason"],
                     profile))


def _unique_load_names(files: list[FilePreview]) -> None:
    """Give every renamed file a name no other file of the upload has or takes.

    A file renamed after its table (a.csv chosen as tickets → tickets_a.csv) would otherwise
    replace an uploaded tickets_a.csv when the upload is confirmed.
    """
    taken = {f.path.name.casefold() for f in files}
    renamed: dict[Path, str] = {}
    for f in files:
        if not f.load_name or f.load_name == f.path.name:
            continue
        if f.path not in renamed:
            stem, dot, suffix = f.load_name.rpartition(".")
            name, k = f.load_name, 2
            while name.casefold() in taken:
                name, k = f"{stem} ({k}){dot}{suffix}", k + 1
            taken.add(name.casefold())
            renamed[f.path] = name
        f.load_name = renamed[f.path]
        f.rejected["file"] = f.load_name


def build_preview(upload: Upload, choice: str = "auto", date_order: str | None = None,
                  maps=(), nulls=(), entities: dict | None = None, values=()) -> Preview:
    """Check every uploaded file as the load would, writing nothing to the database.

    CHOICE is "auto" (detect from the headers), "canonical", a built-in profile name or "file"
    (the upload's own .toml); ENTITIES maps a saved path to the table the user picked for it.
    """
    entities = entities or {}
    problems: list[str] = []
    if choice == "auto":
        wanted = [detected_profile(path) for _, path in upload.files]
        if len(set(wanted)) > 1:
            problems.append("upload_problem_mixed")
    else:
        fixed = None if choice == "canonical" else choice
        wanted = [fixed] * len(upload.files)
    if choice == "file" and upload.profile_file is None:
        return Preview(upload, "file", date_order, tuple(maps), tuple(nulls), [],
                       ["upload_problem_no_profile_file"], tuple(values))
    files: list[FilePreview] = []
    for number, ((original, path), profile) in enumerate(zip(upload.files, wanted,
                                                             strict=True), 1):
        preview = Preview(upload, profile, date_order, tuple(maps), tuple(nulls), [], [],
                          tuple(values))
        options = preview.options()
        entity = entities.get(path) if profile is None else None
        if profile is None and entity is None and entity_for(path) is None \
                and path.suffix.lower() == ".csv":
            files.append(FilePreview(number, original, path, profile, needs_entity=True))
            continue
        try:
            # Workbooks are read cell by cell: past the budget the file is refused with a
            # message (Confirm disabled) rather than holding the page for minutes.
            with time_budget(PREVIEW_SECONDS):
                staged = stage_file(path, entity, options)
        except (InputError, ValueError) as e:
            # ValueError: a profile file that is not valid TOML or names unknown columns.
            files.append(FilePreview(number, original, path, profile, error=str(e)))
            continue
        files += [_file_preview(number, original, path, profile, s) for s in staged]
    _unique_load_names(files)
    if any(f.needs_entity for f in files):
        problems.append("upload_problem_pick_entity")
    if any(f.error for f in files):
        problems.append("upload_problem_errors")
    profile = wanted[0] if wanted and len(set(wanted)) == 1 else None
    return Preview(upload, profile, date_order, tuple(maps), tuple(nulls), files, problems,
                   tuple(values))


# ── the load ───────────────────────────────────────────────────────────────────────────────────

def confirm(preview: Preview, user: User, progress: Callable[[str], None] = lambda m: None,
            db: Path | None = None) -> LoadSummary:
    """Move the upload out of pending and load it with the same loader as the command line."""
    if user.role != "supervisor":
        raise PermissionError("only a supervisor may load data")
    if not preview.ready:
        raise LoadRefused("the preview has problems: " + ", ".join(preview.problems))
    pending = preview.upload.folder
    if not pending.is_dir():
        raise LoadRefused("the uploaded files are gone (an old preview); upload them again")
    final = uploads_root() / pending.name
    os.replace(pending, final)
    try:
        paths = []
        for saved in dict.fromkeys((f.path.name, f.load_name) for f in preview.files):
            name, load_name = saved
            if load_name != name:
                if (final / load_name).exists():
                    # Never one file over another (the preview gave them distinct names).
                    raise LoadRefused(f"two uploaded files would both be {load_name}")
                (final / name).rename(final / load_name)
            paths.append(final / load_name)
        paths = list(dict.fromkeys(paths))
        summary = load(paths, db or db_path(), load_settings(), progress=progress,
                       options=preview.options(final))
    except BaseException:
        # Nothing was loaded: no file of this upload is named in the load log.
        shutil.rmtree(final, ignore_errors=True)
        raise
    audit("upload", user.username, batch=summary.batch_id,
          files=[Path(f.file).name for f in summary.files],
          rows_loaded=sum(f.rows_loaded for f in summary.files),
          rows_rejected=sum(f.rows_rejected for f in summary.files))
    return summary


@dataclass
class Job:
    """A load running in its own thread, so a rerun of the page cannot interrupt it halfway."""

    db: str
    messages: list[str] = field(default_factory=list)
    summary: LoadSummary | None = None
    refused: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


_jobs_lock = threading.Lock()
_running: dict[str, Job] = {}  # database file → its load; one at a time, or one load's file
# replaces the other's (each copies the database, adds its files and swaps the copy in)


def start(preview: Preview, user: User) -> Job | None:
    """Start loading PREVIEW in a thread; None when this database is being loaded already."""
    db = str(db_path().resolve())
    with _jobs_lock:
        if db in _running:
            return None
        job = _running[db] = Job(db)

    def run() -> None:
        try:
            job.summary = confirm(preview, user, job.messages.append, Path(db))
        except (LoadRefused, InputError, PermissionError) as e:
            job.refused = str(e)
        except Exception as e:  # shown to the supervisor; the database is untouched
            job.refused = f"{type(e).__name__}: {e}"
        finally:
            with _jobs_lock:
                _running.pop(db, None)
            job.done.set()

    threading.Thread(target=run, name="upload-load", daemon=True).start()
    return job


# ── the page section ───────────────────────────────────────────────────────────────────────────

def may_upload(user: User) -> bool:
    """Only a supervisor adds data."""
    return user.role == "supervisor"


def _on_confirm(user: User) -> None:
    # A callback runs before the script, one at a time per session: a second click of Confirm
    # finds the first load's job and does nothing.
    state = st.session_state
    held = state.get(_PREVIEW)
    if state.get(_JOB) is not None or held is None or not held[1].ready \
            or not may_upload(user):
        return
    job = start(held[1], user)
    state[_BUSY] = job is None
    state[_JOB] = job
    state.pop(_REFUSED, None)


def _follow(ctx, job: Job) -> None:
    """Show the running load's progress until it ends, then rerun with the new database."""
    with st.status(ctx.t("upload_running"), expanded=True) as status:
        log = st.empty()
        shown = -1
        while not job.done.wait(0.25):
            if len(job.messages) != shown:
                shown = len(job.messages)
                # The loader's messages name the files: shown literally.
                log.code("\n".join(job.messages), language=None)
        log.code("\n".join(job.messages), language=None)
        status.update(state="complete" if job.summary else "error")
    st.session_state[_JOB] = None
    if job.summary is not None:
        st.session_state[_RESULT] = job.summary
        st.session_state.pop(_SAVED, None)
        st.session_state.pop(_PREVIEW, None)
        # A new uploader key empties the uploader: the loaded files are not offered again.
        st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1
    else:
        st.session_state[_REFUSED] = job.refused
    # The page drew its figures from the old file; the rerun draws them from the new one.
    st.rerun()


def _show_result(ctx, summary: LoadSummary) -> None:
    files = summary.files
    st.success(ctx.t("upload_done", files=len(files), loaded=sum(f.rows_loaded for f in files),
                     rejected=sum(f.rows_rejected for f in files), seconds=summary.seconds,
                     batch=summary.batch_id))
    _table(pd.DataFrame({
        ctx.t("upload_col_saved_as"): [Path(f.file).name for f in files],
        ctx.t("upload_col_entity"): [f.entity for f in files],
        ctx.t("upload_col_encoding"): [f.encoding for f in files],
        ctx.t("upload_col_rows_read"): [f.rows_read for f in files],
        ctx.t("upload_col_loaded"): [f.rows_loaded for f in files],
        ctx.t("upload_col_rejected"): [f.rows_rejected for f in files],
        ctx.t("upload_col_warnings"): ["; ".join(f.warnings) for f in files],
    }), hide_index=True, width="stretch", key="upload_result_table")


def _table(data: pd.DataFrame, key: str, **kwargs) -> None:
    # In a keyed container, so tests and the browser find the table by its key.
    with st.container(key=key):
        st.dataframe(data, **kwargs)


def _entity_label(ctx, entity: str | None) -> str:
    if entity is None:
        return "—"
    return f"{ENTITIES[entity].zh}（{entity}）" if ctx.lang == "zh" else entity


def _profile_label(ctx, profile: str | None) -> str:
    if profile is None:
        return ctx.t("upload_profile_canonical")
    if profile == "file":
        return ctx.t("upload_profile_file")
    return PROFILE_NAMES.get(profile, profile)


def _status(ctx, f: FilePreview) -> str:
    if f.needs_entity:
        return ctx.t("upload_status_pick")
    return ctx.t("upload_status_error" if f.error else "upload_status_ok")


def _date_label(ctx, order: str | None) -> str:
    if not order:
        return "—"
    return ctx.t(f"upload_date_order_{order}") if has(f"upload_date_order_{order}") else order


def _draw_preview(ctx, preview: Preview) -> None:
    st.subheader(ctx.t("upload_preview_title"))
    st.caption(ctx.t("upload_preview_caption"))
    files = preview.files
    # File names, headers, cells and reasons come from the files: tables show them literally.
    _table(pd.DataFrame({
        ctx.t("upload_col_number"): [f.number for f in files],
        ctx.t("upload_col_file"): [f.original for f in files],
        ctx.t("upload_col_saved_as"): [f.load_name or f.path.name for f in files],
        ctx.t("upload_col_entity"): [_entity_label(ctx, f.entity) for f in files],
        ctx.t("upload_col_profile"): [_profile_label(ctx, f.profile) for f in files],
        ctx.t("upload_col_encoding"): [f.encoding or "—" for f in files],
        ctx.t("upload_col_date_order"): [_date_label(ctx, f.date_order) for f in files],
        ctx.t("upload_col_rows_read"): [f.rows_read for f in files],
        ctx.t("upload_col_rows_loaded"): [f.rows_loaded for f in files],
        ctx.t("upload_col_rows_rejected"): [f.rows_rejected for f in files],
        ctx.t("upload_col_status"): [_status(ctx, f) for f in files],
    }), hide_index=True, width="stretch", key="upload_summary_table")
    for problem in preview.problems:
        st.warning(ctx.t(problem))
    losses = [f.loss for f in files if f.loss is not None]
    if losses:
        # Before Confirm, as the command line ends with it; the block quotes the files: literal.
        st.warning(ctx.t("upload_loss"))
        with st.container(key="upload_loss"):
            st.code("\n".join(warning_block(losses)[1:]), language=None, wrap_lines=True)
    for i, f in enumerate(files):
        if f.needs_entity:
            continue
        title = ctx.t("upload_file_title", n=f.number, entity=_entity_label(ctx, f.entity))
        with st.expander(title, expanded=len(files) == 1 or bool(f.error)):
            if f.error:
                st.error(ctx.t("upload_error"))
                st.code(f.error, language=None, wrap_lines=True)
                if "--date-order" in f.error:
                    st.info(ctx.t("upload_hint_date_order"))
                continue
            facts = {
                "upload_col_file": f.original, "upload_col_saved_as": f.load_name,
                "upload_col_entity": _entity_label(ctx, f.entity),
                "upload_col_profile": _profile_label(ctx, f.profile),
                "upload_col_encoding": f.encoding or "—", "upload_col_sheet": f.sheet or "—",
                "upload_col_date_order": _date_label(ctx, f.date_order),
                "upload_col_rows_read": str(f.rows_read),
                "upload_col_rows_loaded": str(f.rows_loaded),
                "upload_col_rows_rejected": str(f.rows_rejected),
                "upload_col_unknown": ", ".join(f.unknown_columns) or "—",
            }
            st.caption(ctx.t("upload_facts"))
            _table(pd.DataFrame({ctx.t("upload_col_fact"): [ctx.t(k) for k in facts],
                                 ctx.t("upload_col_value"): list(facts.values())}),
                   hide_index=True, width="stretch", key=f"upload_facts_{i}")
            if f.notes:
                st.caption(ctx.t("upload_notes"))
                st.code("\n".join(f.notes), language=None, wrap_lines=True)
            st.caption(ctx.t("upload_mapping"))
            if f.mapping.empty:
                st.info(ctx.t("upload_mapping_none"))
            else:
                _table(f.mapping.rename(columns={
                    "canonical": ctx.t("upload_col_canonical"),
                    "zh": ctx.t("upload_col_canonical_zh"),
                    "source": ctx.t("upload_col_source")}),
                    hide_index=True, width="stretch", key=f"upload_mapping_{i}")
            st.caption(ctx.t("upload_first_rows", n=min(PREVIEW_ROWS, f.rows_loaded)))
            if f.head.empty:
                st.info(ctx.t("upload_no_good_rows"))
            else:
                _table(f.head.rename(columns={"row_number": ctx.t("upload_col_row")}),
                       hide_index=True, width="stretch", key=f"upload_head_{i}")
            st.caption(ctx.t("upload_rejected", shown=len(f.rejected), total=f.rows_rejected))
            if f.rejected.empty:
                st.success(ctx.t("upload_no_rejected"))
            else:
                _table(f.rejected.rename(columns={
                    "file": ctx.t("upload_col_saved_as"), "row_number": ctx.t("upload_col_row"),
                    "reason": ctx.t("upload_col_reason")}),
                    hide_index=True, width="stretch", key=f"upload_rejected_{i}",
                    column_config={ctx.t("upload_col_reason"): st.column_config.TextColumn(
                        width="large")})


def _saved(files, profile_file) -> Upload:
    """This session's upload on disk: saved once per set of files, the old set removed."""
    signature = (tuple((f.file_id, f.name, f.size) for f in files),
                 None if profile_file is None else (profile_file.file_id, profile_file.size))
    held = st.session_state.get(_SAVED)
    if held is not None and held[0] == signature and held[1].folder.is_dir():
        return held[1]
    if held is not None:
        discard(held[1].folder)
    upload = save_upload([(f.name, f.getbuffer()) for f in files],
                         None if profile_file is None
                         else (profile_file.name, profile_file.getbuffer()))
    st.session_state[_SAVED] = (signature, upload)
    st.session_state.pop(_PREVIEW, None)
    # The table picked for "file 1" of the last upload is not the table of this one's file 1.
    for key in [k for k in st.session_state if str(k).startswith("upload_entity_")]:
        del st.session_state[key]
    return upload


def _forget() -> None:
    held = st.session_state.pop(_SAVED, None)
    if held is not None:
        discard(held[1].folder)
    st.session_state.pop(_PREVIEW, None)


def render(ctx) -> None:
    """The upload section of the Data page: files, profile, preview, confirm, result."""
    if not may_upload(ctx.user) or ctx.scope.customers is not None:
        st.info(ctx.t("upload_supervisor_only"))
        return
    state = st.session_state
    st.caption(ctx.t("upload_intro"))
    if state.pop(_BUSY, False):
        st.warning(ctx.t("upload_busy"))
    if state.get(_REFUSED):
        st.error(ctx.t("upload_refused"))
        st.code(state[_REFUSED], language=None, wrap_lines=True)
    if state.get(_RESULT) is not None:
        st.caption(ctx.t("upload_result_title"))
        _show_result(ctx, state[_RESULT])
    job = state.get(_JOB)
    preview = _choose(ctx, loading=job is not None)
    if job is not None:
        # Where Confirm was, so the progress shows where the supervisor is looking.
        _follow(ctx, job)
    elif preview is not None:
        st.button(ctx.t("upload_confirm"), key="upload_confirm", type="primary",
                  help=ctx.t("upload_confirm_help"), icon=":material/upload:",
                  disabled=not preview.ready, on_click=_on_confirm, args=(ctx.user,))


def _choose(ctx, loading: bool) -> Preview | None:
    """The uploader, the profile and options, and the preview of the files chosen."""
    state = st.session_state
    mb = limit_mb()
    gen = state.get(_GEN, 0)
    files = st.file_uploader(
        ctx.t("upload_files"), type=[s[1:] for s in DATA_SUFFIXES], accept_multiple_files=True,
        key=_UPLOADER if gen == 0 else f"{_UPLOADER}_{gen}", max_upload_size=mb,
        help=ctx.t("upload_files_help", mb=mb), disabled=loading)
    st.caption(ctx.t("upload_limit", mb=mb))
    choices = ["auto", "canonical", *profiles.BUILTIN, "file"]
    left, right = st.columns(2)
    choice = left.selectbox(
        ctx.t("upload_profile"), choices, key="upload_profile", help=ctx.t("upload_profile_help"),
        format_func=lambda c: ctx.t(f"upload_profile_{c}") if c in ("auto", "canonical", "file")
        else PROFILE_NAMES.get(c, c), disabled=loading)
    order = right.selectbox(
        ctx.t("upload_date_order"), DATE_ORDERS, key="upload_date_order",
        help=ctx.t("upload_date_order_help"), disabled=loading,
        format_func=lambda o: ctx.t(f"upload_date_order_{o}"))
    date_order = None if order == "auto" else order
    profile_file = None
    if choice == "file":
        profile_file = st.file_uploader(ctx.t("upload_profile_toml"), type=["toml"],
                                        key="upload_profile_file", max_upload_size=1,
                                        disabled=loading)
    with st.expander(ctx.t("upload_advanced")):
        maps_text = st.text_area(ctx.t("upload_maps"), key="upload_maps",
                                 help=ctx.t("upload_maps_help"), disabled=loading)
        values_text = st.text_area(ctx.t("upload_values"), key="upload_values",
                                   help=ctx.t("upload_values_help"), disabled=loading)
        nulls_text = st.text_input(ctx.t("upload_nulls"), key="upload_nulls",
                                   help=ctx.t("upload_nulls_help"), disabled=loading)
    if loading:
        # The files are being loaded from where the preview saved them: show that preview,
        # neither save them again nor check them again.
        held = state.get(_PREVIEW)
        if held is not None:
            _draw_preview(ctx, held[1])
        return None
    if not files:
        _forget()
        return None
    state.pop(_RESULT, None)
    too_big = [f for f in files if f.size > mb * MB]
    if too_big:
        _forget()
        st.error(ctx.t("upload_too_big", mb=mb))
        _table(pd.DataFrame({
            ctx.t("upload_col_file"): [f.name for f in too_big],
            ctx.t("upload_col_size"): [round(f.size / MB, 1) for f in too_big],
        }), hide_index=True, key="upload_too_big_table")
        return None
    maps, bad = parse_maps(maps_text)
    if bad:
        st.error(ctx.t("upload_bad_maps"))
        st.code("\n".join(bad), language=None)
        return None
    values, bad = parse_values(values_text)
    if bad:
        st.error(ctx.t("upload_bad_values"))
        st.code("\n".join(bad), language=None)
        return None
    nulls = parse_nulls(nulls_text)
    upload = _saved(files, profile_file)
    entities = {}
    if choice in ("auto", "canonical"):
        for number, (_, path) in enumerate(upload.files, 1):
            if entity_for(path) is None and detected_profile(path) is None:
                csv = path.suffix.lower() == ".csv"
                entities[path] = st.selectbox(
                    ctx.t("upload_entity", n=number), [None, *ENTITIES],
                    key=f"upload_entity_{number}", help=ctx.t("upload_entity_help"),
                    format_func=lambda e, csv=csv: _entity_label(ctx, e) if e else ctx.t(
                        "upload_entity_pick" if csv else "upload_entity_from_sheets"))
    key = (upload, choice, date_order, maps, nulls,
           tuple(sorted((str(p), e) for p, e in entities.items() if e)), values)
    held = state.get(_PREVIEW)
    if held is None or held[0] != key:
        with st.spinner(ctx.t("upload_checking")):
            preview = build_preview(upload, choice, date_order, maps, nulls, entities, values)
        state[_PREVIEW] = held = (key, preview)
    _draw_preview(ctx, held[1])
    return held[1]
