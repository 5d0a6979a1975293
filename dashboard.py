"""服务质量监督看板 — the frame: page config, first build, sign-in, filters, navigation.

`streamlit run dashboard.py` finds `app` at the end and serves it: Streamlit running main()
(through entry/script.py) as every session's script, plus the routes that set and clear the
sign-in cookie.
"""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"


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
    from service_quality import pages as registry
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
    default = default_page(user)

    pages = []
    # Every page of the registry, in its order; the navigation shows those the role may open.
    for page in registry.PAGES:
        name, title, icon, stem = page.file, page.title, page.icon, page.stem
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

    # The session script is entry/script.py (it calls main()), not this file: see its docstring.
    app = st.App(Path(__file__).resolve().parent / "entry" / "script.py", routes=routes())
