"""SIGKILL of `python -m etl load` at several points: the old file serves, the next load works."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from etl.load import load
from etl.sample import write_sample
from etl.swap import acquire_lock, release_lock
from service_quality.database import Database
from service_quality.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
COUNTS = ("SELECT (SELECT count(*) FROM tickets) AS tickets, "
          "(SELECT count(*) FROM ticket_facts) AS facts, "
          "(SELECT count(DISTINCT batch_id) FROM load_batches) AS batches, "
          "(SELECT value FROM load_info WHERE key = 'loaded_at') AS loaded_at")


@pytest.fixture(scope="module")
def big_sample(tmp_path_factory) -> Path:
    """A 20 000-ticket sample: a load long enough to be killed in each of its phases."""
    out = tmp_path_factory.mktemp("big")
    write_sample(out, tickets=20_000, seed=11)
    return out


def counts(db: Path) -> dict:
    """Row counts through the app's read-only access (which also checks size and schema)."""
    d = Database(db)
    try:
        return d.query(COUNTS).iloc[0].to_dict()
    finally:
        d.close()


def leftovers(db: Path) -> list[str]:
    """Every hidden file a load leaves beside DB: temporary copies, their logs, the lock."""
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(f".{db.name}."))


class Lines(list):
    """A load's stderr lines as they come; `ended` is set once the last one is in."""

    def __init__(self):
        super().__init__()
        self.ended = threading.Event()


def start_load(source: Path, db: Path) -> tuple[subprocess.Popen, Lines]:
    """`python -m etl load` in its own process; its stderr lines collected as they come."""
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(source), "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = Lines()

    def read():
        for line in proc.stderr:
            lines.append(line.strip())
        lines.ended.set()
    threading.Thread(target=read, daemon=True).start()
    return proc, lines


def wait_for(lines: list[str], text: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Until a progress line starts with TEXT (fails if the load ends first)."""
    deadline = time.monotonic() + timeout
    while not any(line.startswith(text) for line in lines):
        assert proc.poll() is None, f"the load ended before {text!r}: {lines}"
        assert time.monotonic() < deadline, f"no {text!r} in {lines}"
        time.sleep(0.005)


@pytest.mark.parametrize("point", [
    ("after", 0.2),                      # still starting: nothing written yet
    ("after", 1.0),                      # reading the files
    ("line", "loading tickets.csv"),     # writing the copy
    ("line", "computing"),               # deriving the rules in the copy
    ("line+", "computing", 0.4),         # later in the derive, or checkpointing
])
def test_a_killed_load_leaves_the_old_database_and_the_next_load_cleans_up(
        point, big_sample, sample_dir, tmp_path):
    db = tmp_path / "service.duckdb"
    load([sample_dir], db, load_settings())
    before, old_bytes = counts(db), db.read_bytes()

    proc, lines = start_load(big_sample, db)
    if point[0] == "after":
        time.sleep(point[1])
    else:
        wait_for(lines, point[1], proc)
        if point[0] == "line+":
            time.sleep(point[2])
    assert proc.poll() is None, f"the load finished before it could be killed: {lines}"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    # The file the app reads is untouched and still opens read-only with the old rows.
    assert db.read_bytes() == old_bytes
    assert counts(db) == before
    left = [name for name in leftovers(db) if name.endswith(".tmp")]
    if point[0] != "after":
        # Past the copy: the killed load's temporary file is still there for the next to remove.
        assert left == [name for name in left if f".{proc.pid}." in name] != [], left

    # The next load (the small sample again, to keep the test short) goes through.
    proc, lines = start_load(sample_dir, db)
    assert proc.wait(timeout=120) == 0, lines
    after = counts(db)
    assert after["tickets"] == before["tickets"]
    assert after["batches"] == before["batches"] + 1
    assert after["loaded_at"] != before["loaded_at"]
    assert leftovers(db) == [], "temporary files of the killed load are still there"
    if left:
        assert any(line.startswith("removed ") and "interrupted load" in line for line in lines)


def test_a_temporary_file_of_a_running_load_is_kept(sample_dir, tmp_path):
    db = tmp_path / "service.duckdb"
    # A temporary file named for a live process (this one) is another load's work in progress.
    live = tmp_path / f".{db.name}.{os.getpid()}.20250101-000000-abcdef.tmp"
    live.write_bytes(b"in progress")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f".{db.name}.{dead.pid}.20250101-000000-fedcba.tmp"
    gone.write_bytes(b"left behind")
    gone.with_name(gone.name + ".wal").write_bytes(b"left behind")
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(sample_dir), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert live.exists()
    assert not gone.exists() and not gone.with_name(gone.name + ".wal").exists()
    assert "removed 2 temporary file(s) left by an interrupted load" in proc.stderr


def test_two_loads_at_once_run_one_after_the_other(big_sample, sample_dir, tmp_path):
    db = tmp_path / "service.duckdb"
    load([sample_dir], db, load_settings())
    # This test holds the lock as a running load would, so both loads must queue behind it.
    lock = acquire_lock(db, print)
    try:
        loads = [start_load(big_sample, db), start_load(sample_dir, db)]
        for proc, lines in loads:
            wait_for(lines, f"another load into {db} is running (pid {os.getpid()})", proc)
    finally:
        release_lock(db, lock)
    for proc, lines in loads:
        assert proc.wait(timeout=120) == 0, lines
    # Neither load lost the other's work: the later one copied the file the earlier swapped in.
    assert counts(db)["batches"] == 3
    assert leftovers(db) == []


def test_ctrl_c_during_a_load_says_so_and_leaves_nothing_behind(big_sample, sample_dir, tmp_path):
    db = tmp_path / "service.duckdb"
    load([sample_dir], db, load_settings())
    old_bytes = db.read_bytes()
    proc, lines = start_load(big_sample, db)
    wait_for(lines, "computing", proc)
    os.kill(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 130, lines[-4:]
    assert lines.ended.wait(60)   # the reader thread has taken the last line
    assert "interrupted: nothing was loaded; the database is unchanged." in lines
    assert not any("Traceback" in line for line in lines)
    assert db.read_bytes() == old_bytes
    assert leftovers(db) == []
