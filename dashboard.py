"""服务质量监督看板 — the frame: page config, first-start build, shared filters, navigation."""

from pathlib import Path

import streamlit as st

from service_quality.database import db_path
from service_quality.messages import t
from ui.data import ensure_database
from ui.frame import render_frame

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title=t("app_title"), page_icon=":material/fact_check:", layout="wide")

if ensure_database() is None:
    st.error(t("no_db", db=db_path()))
    st.stop()

ctx = render_frame(entrypoint=True)
pages = [
    st.Page(PAGES / "overview.py", title=ctx.t("page_overview"), icon=":material/dashboard:",
            url_path="overview", default=True),
    st.Page(PAGES / "sla.py", title=ctx.t("page_sla"), icon=":material/timer:", url_path="sla"),
    st.Page(PAGES / "severity.py", title=ctx.t("page_severity"), icon=":material/warning:",
            url_path="severity"),
    st.Page(PAGES / "satisfaction.py", title=ctx.t("page_satisfaction"),
            icon=":material/sentiment_satisfied:", url_path="satisfaction"),
    st.Page(PAGES / "complaints.py", title=ctx.t("page_complaints"), icon=":material/feedback:",
            url_path="complaints"),
    st.Page(PAGES / "actions.py", title=ctx.t("page_actions"), icon=":material/task_alt:",
            url_path="actions"),
    st.Page(PAGES / "fault_reports.py", title=ctx.t("page_fault_reports"),
            icon=":material/description:", url_path="fault_reports"),
    st.Page(PAGES / "report.py", title=ctx.t("page_report"), icon=":material/summarize:",
            url_path="report"),
    st.Page(PAGES / "process.py", title=ctx.t("page_process"), icon=":material/route:",
            url_path="process"),
    st.Page(PAGES / "data.py", title=ctx.t("page_data"), icon=":material/database:",
            url_path="data"),
]
st.navigation(pages).run()
