"""The app's pages, once: file, address, title key, icon and the roles that may open each.

dashboard.py's navigation, the role check in ui/auth.py, the digest's links and the tests all
read this list. It is Streamlit-free so the digest (sent from the command line) can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("supervisor", "manager", "customer")
_STAFF = frozenset({"supervisor", "manager"})


@dataclass(frozen=True)
class Page:
    """One page: pages/<stem>.py, served at /<stem>; `title` is its message key."""

    stem: str
    title: str
    icon: str
    roles: frozenset[str] = _STAFF

    @property
    def file(self) -> str:
        """Its file name in pages/."""
        return f"{self.stem}.py"


# In the navigation's order.
PAGES: tuple[Page, ...] = (
    Page("overview", "page_overview", ":material/dashboard:"),
    Page("sla", "page_sla", ":material/timer:"),
    Page("severity", "page_severity", ":material/warning:"),
    Page("satisfaction", "page_satisfaction", ":material/sentiment_satisfied:"),
    Page("complaints", "page_complaints", ":material/feedback:"),
    Page("actions", "page_actions", ":material/task_alt:"),
    Page("fault_reports", "page_fault_reports", ":material/description:"),
    # A customer's one page: its own periodic report.
    Page("report", "page_report", ":material/summarize:", frozenset(ROLES)),
    Page("process", "page_process", ":material/route:"),
    # Loads and upload: a supervisor's alone.
    Page("data", "page_data", ":material/database:", frozenset({"supervisor"})),
)
BY_STEM = {p.stem: p for p in PAGES}


def stems() -> list[str]:
    """Every page's stem, in the navigation's order."""
    return [p.stem for p in PAGES]


def allowed(role: str) -> set[str]:
    """The page stems ROLE may open."""
    return {p.stem for p in PAGES if role in p.roles}


def url_path(stem: str) -> str:
    """The address of page STEM (KeyError for a page that does not exist)."""
    return BY_STEM[stem].stem
