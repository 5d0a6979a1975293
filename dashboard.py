"""服务质量监督看板 — the frame: page config, first-start build, navigation."""

from pathlib import Path

import streamlit as st

from service_quality.messages import t
from ui.data import ensure_database

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title=t("app_title"), page_icon=":material/fact_check:", layout="wide")

if ensure_database() is None:
    from service_quality.database import db_path

    st.error(t("no_db", db=db_path()))
    st.stop()

pages = [
    st.Page(HERE / "pages" / "overview.py", title=t("page_overview"),
            icon=":material/dashboard:", default=True),
]
st.navigation(pages).run()
