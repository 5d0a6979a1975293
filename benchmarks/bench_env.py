"""What every benchmark records beside its figures: the machine, how busy it was, the code."""

from __future__ import annotations

import io
import os
import platform
import subprocess
import tarfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict:
    """CPU, memory, versions and load average (the machine may be shared: read them together)."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {}
    for name in ("duckdb", "pandas", "xlsxwriter", "streamlit", "fpdf2", "kaleido", "plotly"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"cpus": os.cpu_count(), "cpu_model": model or platform.processor(),
            "ram_gib": round(ram_gb, 1), "python": platform.python_version(), **versions,
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def commit() -> str:
    """The checkout's commit, "+changes" when the timed code differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout
    changed = git("status", "--porcelain", "--", "pages", "ui", "service_quality").strip()
    return git("rev-parse", "--short", "HEAD").strip() + ("+changes" if changed else "")


def loadavg() -> float:
    """The 1-minute load average now."""
    return round(os.getloadavg()[0], 2)


def export(ref: str, into: Path) -> str:
    """The files of git revision `ref` under `into` (to time older code); its short hash."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
