"""The web server: Streamlit serving dashboard.py, plus the sign-in cookie endpoints.

Start it with `streamlit run app.py` (the same options as for dashboard.py). Streamlit's st.App
serves the app and the two routes of ui/session_routes.py that set and clear the HttpOnly
cookie keeping a browser signed in across reloads and bookmarks. `streamlit run dashboard.py`
still works, but then each sign-in lasts only as long as its browser tab.
"""

from pathlib import Path

import streamlit as st

from ui.session_routes import routes

app = st.App(Path(__file__).resolve().parent / "dashboard.py", routes=routes())
