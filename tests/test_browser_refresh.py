"""Loads swap the database in while two browser sessions keep using the app: no session sees an
error, a lock message or half a load, and both show the new data without a restart."""

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest

from service_quality.messages import t
from tests.support.browser import ROOT, need_browser, serve, shot, wait_idle

pytestmark = pytest.mark.browser

# Pages that print the moment of judgement (as_of), so each view says which load it shows.
PAGES = [t("page_overview"), t("page_complaints"), t("page_process"), t("page_data")]
LOADS = 3
# Every error element Streamlit draws, recorded the moment it appears, even if a rerun removes
# it again before the test looks.
WATCH = """
window.__bad = [];
new MutationObserver(() => {
  for (const el of document.querySelectorAll(
      "[data-testid='stException'], [data-testid='stAlertContentError']")) {
    if (!el.dataset.seen) { el.dataset.seen = "1"; window.__bad.push(el.innerText.slice(0, 400)); }
  }
}).observe(document, {subtree: true, childList: true});
"""
BAD_TEXT = re.compile(r"Traceback|\block(ed)?\b|Conflicting lock|IO Error|Catalog Error|"
                      r"Could not set lock", re.IGNORECASE)
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture(scope="module")
def refresh_app(fixture_db, tmp_path_factory):
    """The app served on a private copy of the fixture database, which the test reloads."""
    need_browser()
    db = tmp_path_factory.mktemp("refresh") / "service.duckdb"
    shutil.copyfile(fixture_db, db)
    for url in serve(ROOT, db):
        yield url, db


def _load_all(sample_dir, db, moments: list[str], done: list[str], failures: list[str]) -> None:
    for moment in moments:
        time.sleep(1.0)   # let both sessions run a few pages on each version
        proc = subprocess.run([sys.executable, "-m", "etl", "load", str(sample_dir), "--db",
                               str(db), "--as-of", moment], cwd=ROOT, capture_output=True,
                              text=True, timeout=180)
        if proc.returncode != 0:
            failures.append(proc.stderr)
            return
        done.append(moment)


def _visit(page, title: str, moments: list[str]) -> str | None:
    """Open TITLE through the sidebar (the same session), wait for it; the as_of it shows."""
    link = page.locator("[data-testid='stSidebarNavLink']", has_text=title).first
    try:
        link.click(timeout=30_000)
        page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    except Exception:
        shot(page, "refresh_stuck")
        raise
    wait_idle(page)
    body = page.locator("body").inner_text()
    bad = BAD_TEXT.search(body)
    if bad:
        shot(page, "refresh_error")
    assert bad is None, f"{title}: {body[max(0, bad.start() - 300):bad.end() + 600]!r}"
    shown = [m for m in moments if m in body]
    assert len(shown) <= 1, f"{title}: two loads on one page: {shown}"
    return shown[0] if shown else None


def test_loads_while_two_sessions_browse(refresh_app, browser, sample_dir):
    url, db = refresh_app
    extracted = json.loads((sample_dir / "export_info.json").read_text())["extracted_at"]
    first = datetime.fromisoformat(extracted).replace(tzinfo=None, second=0, microsecond=0)
    moments = [f"{first:%Y-%m-%d %H:%M}"] + [
        f"{first + timedelta(hours=n):%Y-%m-%d %H:%M}" for n in range(1, LOADS + 1)]

    sessions = []
    for name in ("a", "b"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(WATCH)
        page = context.new_page()
        page.goto(url)
        page.get_by_role("heading", name=PAGES[0]).first.wait_for(timeout=60_000)
        wait_idle(page)
        sessions.append({"name": name, "context": context, "page": page, "seen": []})

    done: list[str] = []
    failures: list[str] = []
    loader = threading.Thread(target=_load_all, args=(sample_dir, db, moments[1:], done, failures))
    loader.start()
    step, last_swap = 0, None
    try:
        # Browse until every load is in and each session has shown the last one.
        while loader.is_alive() or any(moments[-1] not in s["seen"] for s in sessions):
            if last_swap is None and not loader.is_alive():
                last_swap = step
            # Counted in page views, not seconds: the next view after a swap shows it; a slow
            # machine takes longer per view, never more views.
            assert last_swap is None or step - last_swap < 2 * len(PAGES), (
                f"loads {done} were swapped in, but the sessions kept showing "
                + str([sorted(set(s["seen"])) for s in sessions]))
            for s in sessions:
                shown = _visit(s["page"], PAGES[(step + (s["name"] == "b")) % len(PAGES)],
                               moments)
                if shown:
                    s["seen"].append(shown)
            step += 1
    finally:
        loader.join()
    assert not failures, failures
    assert done == moments[1:]

    for s in sessions:
        bad = s["page"].evaluate("window.__bad")
        shot(s["page"], f"refresh_{s['name']}")
        assert bad == [], f"session {s['name']} showed an error: {bad}"
        seen = [moments.index(m) for m in s["seen"]]
        # A session never goes back to an older load, and it ends on the last one.
        assert seen == sorted(seen), f"session {s['name']} went back: {s['seen']}"
        assert seen[-1] == LOADS
        # At least one load in between was shown too: the app followed the loads as they came.
        assert len(set(seen)) >= 2, s["seen"]
        s["context"].close()
