"""Serving the project with `streamlit run` and driving Debian's Chromium: the browser tests' tools.

The fixtures built on them (`browser`, `app_url`) are in tests/conftest.py.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def need_browser():
    """Skip without Chromium on a developer machine; CI installs it, so there it must be found."""
    missing = shutil.which("chromium") is None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and playwright (see .ci/run)")
        pytest.skip("chromium or playwright not installed")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path, db: Path | None = None, args: tuple[str, ...] = (),
          script: str = "dashboard.py"):
    """Start `streamlit run dashboard.py` (as the README says; or SCRIPT) in `folder` with ARGS
    (more options); yield its URL; stop it (only it)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_DB"}
    if db is not None:
        env["DASHBOARD_DB"] = str(db)
    # One log per server: servers of parallel test workers may share a folder (the project).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(360):   # 3 minutes: a slow machine running tests in parallel
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start: " + log_path.read_text())
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under the artefacts folder and say where."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def wait_idle(page, timeout: int = 60_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=timeout)
    page.wait_for_timeout(300)
