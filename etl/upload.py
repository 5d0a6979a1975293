"""Upload as a library: save a supervisor's files, preview what the load would do, then run it."""

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

from etl import profiles
from etl.load import LoadRefused, LoadSummary, load
from etl.loss import Loss, loss_of
from etl.profiles.dates import ORDER_NAMES
from etl.readers import InputError, entity_for, normalize_name, time_budget
from etl.stage import ImportOptions, StagedFile, stage_file
from service_quality.accounts import User, audit
from service_quality.database import db_path
from service_quality.files import dir_mode, make_dirs, write_bytes
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



def may_upload(user: User) -> bool:
    """Only a supervisor adds data: the one role check, used by the page and by confirm."""
    return user.role == "supervisor"


# ── files on disk ──────────────────────────────────────────────────────────────────────────────

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
    if not may_upload(user):
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
