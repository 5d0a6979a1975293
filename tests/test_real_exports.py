"""Real exports load through their profiles with no ticket lost; one test per expectations file
(tests/data/real/*.toml), so a new file is a new test.

The exports themselves are public data brought with the search tool's fetch, which may not be
committed: each .toml names its file and SHA-256, and the file is read from $SQ_REAL_EXPORTS
(default tests/data/real/) when it is there; tests/data/README.md says where to get each one."""

import hashlib
import os
import tomllib
from datetime import datetime as D
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.cli import main

REAL = Path(__file__).parent / "data" / "real"
FOLDER = Path(os.environ.get("SQ_REAL_EXPORTS") or REAL)
SPECS = sorted(REAL.glob("*.toml"))
EXPORTS = [FOLDER / tomllib.loads(s.read_text(encoding="utf-8"))["file"] for s in SPECS]


def present(export: Path) -> Path:
    """EXPORT when it is here and is the published file (its SHA-256), else skip saying why."""
    if not export.is_file():
        pytest.skip(f"{export.name} is not here: real exports are not committed; put it in "
                    f"{FOLDER} (or set SQ_REAL_EXPORTS) — where to get it: tests/data/README.md")
    spec = tomllib.loads((REAL / f"{export.stem}.toml").read_text(encoding="utf-8"))
    assert hashlib.sha256(export.read_bytes()).hexdigest() == spec["sha256"], export
    return export


def load(capsys, tmp_path, export: Path):
    """Load EXPORT as its .toml says: (exit status, stdout, the expectations, the database)."""
    spec = tomllib.loads((REAL / f"{export.stem}.toml").read_text(encoding="utf-8"))
    db = tmp_path / "db.duckdb"
    status = main(["load", str(export), "--profile", spec["profile"], *spec.get("options", []),
                   "--db", str(db), "--as-of", spec["as_of"]])
    return status, capsys.readouterr().out, spec, db


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_real_export_has_its_expectations_and_origin():
    readme = (REAL.parent / "README.md").read_text(encoding="utf-8")
    assert EXPORTS
    for spec, export in zip(SPECS, EXPORTS, strict=True):
        assert export.stem == spec.stem, spec.name
        assert f"real/{export.name}" in readme, export.name
        sha = tomllib.loads(spec.read_text(encoding="utf-8"))["sha256"]
        assert sha in readme, export.name
    # fetched data is never committed (the search tool's rule); only its expectations are
    assert not [p for p in REAL.iterdir() if p.suffix in (".csv", ".xlsx", ".xls")
                and p.resolve().parent == REAL.resolve() and tracked(p)]


def tracked(path: Path) -> bool:
    """Whether git tracks PATH (False outside a git checkout)."""
    import subprocess

    out = subprocess.run(["git", "ls-files", "--error-unmatch", str(path)], cwd=REAL,
                         capture_output=True)
    return out.returncode == 0


@pytest.mark.parametrize("export", EXPORTS, ids=[p.name for p in EXPORTS])
def test_a_real_export_loads_with_no_ticket_lost(capsys, tmp_path, export):
    status, out, spec, db = load(capsys, tmp_path, present(export))
    assert status == 0, out
    assert "warning" not in out
    loaded = {e: [r, lo, rej] for e, r, lo, rej in query(
        db, "SELECT entity, rows_read, rows_loaded, rows_rejected FROM load_batches")}
    assert loaded == spec["counts"]


def test_the_servicenow_event_log_loads_each_incidents_latest_update(capsys, tmp_path):
    export = present(FOLDER / "servicenow_incident_event_log.csv")
    status, out, _, db = load(capsys, tmp_path, export)
    assert status == 0
    assert ("198 rows are updates of 32 tickets: each ticket is loaded from its latest update "
            "(by column sys_updated_at); 166 earlier rows folded in") in out
    assert ("dates read as day/month/year: decided by the data — '29/2/2016 01:16' (column "
            "opened_at, row 2) has a first number above 12") in out
    # Independently: the row of each incident with the latest sys_updated_at (the later row of
    # the file on a tie), read with pandas.
    log = pd.read_csv(export, dtype=str, keep_default_na=False)
    log["updated"] = pd.to_datetime(log["sys_updated_at"], format="%d/%m/%Y %H:%M")
    log["position"] = range(len(log))
    latest = log.sort_values(["number", "updated", "position"]).groupby("number").tail(1)
    expected = sorted(
        (r.number, r.location, None if r.assigned_to == "?" else r.assigned_to,
         None if r.resolved_at == "?" else pd.Timestamp(
             pd.to_datetime(r.resolved_at, format="%d/%m/%Y %H:%M")).to_pydatetime(),
         int(r.reassignment_count))
        for r in latest.itertuples())
    assert len(expected) == log["number"].nunique() == 32
    assert query(db, "SELECT ticket_id, customer_id, engineer_id, resolved_at, transfers "
                     "FROM tickets ORDER BY 1") == expected
    # the first incident: opened 29/2 01:16, resolved 11:29, closed 5/3 12:00 — its last state
    assert query(db, "SELECT reported_at, resolved_at, closed_at, channel, reported_severity, "
                     "category FROM tickets WHERE ticket_id = 'INC0000045'") == [
        (D(2016, 2, 29, 1, 16), D(2016, 2, 29, 11, 29), D(2016, 3, 5, 12), "phone", "general",
         "fault")]
    # Awaiting User Info at 09:14 (after an Active update of the same minute), Resolved 09:52
    assert query(db, 'SELECT "at", event, note FROM ticket_events '
                     "WHERE ticket_id = 'INC0000047' ORDER BY 1") == [
        (D(2016, 3, 1, 9, 14), "pause", "status: Awaiting User Info"),
        (D(2016, 3, 1, 9, 52), "resume", "status: Resolved")]
    assert query(db, "SELECT event, count(*) FROM ticket_events GROUP BY 1 ORDER BY 1") == [
        ("pause", 8), ("resume", 8)]
