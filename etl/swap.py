"""The load's file handling: one load at a time, a temporary copy, the atomic swap, leftovers."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path


def lock_path(db: Path) -> Path:
    """The lock file beside DB that one load at a time holds; removed when that load ends."""
    return db.with_name(f".{db.name}.lock")


def tmp_path(db: Path, batch_id: str) -> Path:
    """The hidden copy a load writes: .{name}.{pid}.{batch}.tmp beside DB."""
    return db.with_name(f".{db.name}.{os.getpid()}.{batch_id}.tmp")


def spill_path(tmp: Path) -> Path:
    """The folder beside a load's copy TMP where DuckDB puts what does not fit in its memory."""
    return tmp.with_name(tmp.name.removesuffix(".tmp") + ".spill.tmp")


def acquire_lock(db: Path, progress: Callable[[str], None]) -> int:
    """Take DB's load lock and return its descriptor; a second load waits, saying so."""
    path, said = lock_path(db), False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not said:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    progress(f"another load into {db} is running (pid {holder}); "
                             "waiting for it to finish")
                    said = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            # The holder removes the file when it ends: a lock on a removed file guards nothing.
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode(), 0)
                return fd
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def release_lock(db: Path, fd: int) -> None:
    """Let the next load go: remove the lock file, then unlock (the kernel unlocks a dead load)."""
    lock_path(db).unlink(missing_ok=True)
    os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(db: Path, progress: Callable[[str], None]) -> list[Path]:
    """Remove temporary files of earlier loads into DB whose process is gone; return them."""
    pattern = re.compile(rf"^\.{re.escape(db.name)}\.(\d+)\..+\.tmp(\.wal)?$")
    removed = []
    for path in sorted(db.parent.glob(f".{db.name}.*.tmp*")):
        match = pattern.match(path.name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            if path.is_dir():   # DuckDB's spill folder
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        progress(f"removed {len(removed)} temporary file(s) left by an interrupted load: "
                 + ", ".join(p.name for p in removed))
    return removed


def publish(tmp: Path, db: Path, progress: Callable[[str], None] = lambda msg: None) -> None:
    """Sync TMP, rename it over DB in one step, and sync the folder so the rename lasts.

    The new file keeps the replaced one's mode and owner (a 0600 database stays 0600).
    """
    keep_access(db, tmp, progress)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, db)
    fd = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def discard(tmp: Path) -> None:
    """Remove a load's temporary file, its write-ahead log and spill folder, if still there."""
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    shutil.rmtree(spill_path(tmp), ignore_errors=True)


def keep_access(old: Path, new: Path, progress: Callable[[str], None]) -> None:
    """Give NEW the mode, owner and group of OLD (nothing when OLD does not exist)."""
    try:
        st = os.stat(old)
    except FileNotFoundError:
        return
    os.chmod(new, stat.S_IMODE(st.st_mode))
    mine = os.stat(new)
    if (mine.st_uid, mine.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.chown(new, st.st_uid, st.st_gid)
    except PermissionError:
        # Only root may give a file away: say so rather than fail the load.
        progress(f"note: {old} now belongs to uid {mine.st_uid}, gid {mine.st_gid} (was "
                 f"{st.st_uid}, {st.st_gid}); only root can keep the owner")
