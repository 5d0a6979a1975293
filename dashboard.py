"""服务质量监督看板 — the frame: page config, first build, sign-in, filters, navigation.

`streamlit run dashboard.py` finds `app` at the end and serves it: Streamlit running this file as
every session's script, plus the two routes that set and clear the sign-in cookie.
"""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"
# Every page: file, title key, icon. The navigation shows those the user's role may open.
ALL_PAGES = [
    ("overview.py", "page_overview", ":material/dashboard:"),
    ("sla.py", "page_sla", ":material/timer:"),
    ("severity.py", "page_severity", ":material/warning:"),
    ("satisfaction.py", "page_satisfaction", ":material/sentiment_satisfied:"),
    ("complaints.py", "page_complaints", ":material/feedback:"),
    ("actions.py", "page_actions", ":material/task_alt:"),
    ("fault_reports.py", "page_fault_reports", ":material/description:"),
    ("report.py", "page_report", ":material/summarize:"),
    ("process.py", "page_process", ":material/route:"),
    ("data.py", "page_data", ":material/database:"),
]


def refusal(user, stem: str):
    """A hidden page at a forbidden page's address: typing /sla says no instead of running it."""
    from ui.auth import require_page

    def refuse() -> None:
        require_page(user, stem)
    return refuse


def main() -> None:
    """One run of the frame: sign-in, the database, the filters, then the page."""
    # Imported here, not above: the server imports this file for `app` alone, before Streamlit's
    # runtime exists, and these modules declare cached functions.
    from service_quality.database import DatabaseUnusable
    from service_quality.messages import t
    from ui.auth import allowed_pages, current_user, default_page, local_banner
    from ui.data import ensure_database, show_no_database, show_unusable
    from ui.frame import render_frame

    st.set_page_config(page_title=t("app_title"), page_icon=":material/fact_check:", layout="wide")

    # Sign-in first: before it, nothing about the data (not even that it is missing) is shown.
    user = current_user(entrypoint=True)
    try:
        version = ensure_database()
    except DatabaseUnusable as e:   # damaged, not DuckDB, or another schema: say how to rebuild it
        show_unusable(e, entrypoint=True)
    if version is None:
        show_no_database(entrypoint=True)
    ctx = render_frame(user, entrypoint=True)
    local_banner()   # below the filters: a reminder, not in the way of the daily work
    allowed = allowed_pages(user)
    stems = [Path(name).stem for name, _, _ in ALL_PAGES]
    default = default_page(user)

    pages = []
    for (name, title, icon), stem in zip(ALL_PAGES, stems, strict=True):
        if stem == default:
            # The default page is served at "/"; a typed or bookmarked /overview would otherwise say
            # "Page not found". A hidden twin answers at its own name (hashes come from url_path).
            pages.append(st.Page(PAGES / name, title=ctx.t(title), icon=icon,
                                 url_path=f"{stem}-default", default=True))
            pages.append(st.Page(PAGES / name, title=ctx.t(title), icon=icon, url_path=stem,
                                 visibility="hidden"))
        elif stem in allowed:
            pages.append(st.Page(PAGES / name, title=ctx.t(title), icon=icon, url_path=stem))
        else:
            pages.append(st.Page(refusal(user, stem), title=ctx.t(title), url_path=stem,
                                 visibility="hidden"))
    st.navigation(pages).run()


if __name__ == "__main__":
    # Streamlit runs this file as each session's script.
    main()
else:
    # Imported by the server that `streamlit run dashboard.py` starts: the app it serves.
    from ui.session_routes import routes

    app = st.App(Path(__file__).resolve(), routes=routes())
