"""The customer periodic report (客户服务报告): one customer's month or quarter, as data, xlsx, PDF.

Written for the customer: every query runs with `Scope.customer(customer_id)`, and nothing names
an engineer, ranks anyone, or shows the supervision worklist.
"""

from __future__ import annotations

import io
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import columns
from ..charts import escape_figure
from ..database import Database
from ..excel import Chart, Sheet, workbook_bytes
from ..filters import Filters, shift_month
from ..messages import t
from ..queries import Scope, load_info, scope_params
from ..queries.actions import ActionDrill, action_list
from ..queries.complaints import complaint_compliance, complaint_list, open_complaints
from ..queries.customer_report import (
    open_tickets,
    report_customers,
    satisfaction_months,
    service_summary,
    severe_faults,
)
from ..queries.fault_reports import reports_due_by_stage
from ..queries.overview import compliance
from ..queries.satisfaction import satisfaction_summary
from ..queries.severity import severity_summary
from ..queries.sla import sla_by
from ..queries.terms import terms_in_force
from ..terms import TermsInForce, terms_items

TREND_MONTHS = 12
TICKET_METRICS = ("response", "arrival", "confirm", "report", "upgrade", "handling")
COMPLAINT_METRICS = ("complaint_first_reply", "complaint_resolution")
# Open items look back this far: a ticket or report still open is due whenever it came in.
HISTORY_START = "2000-01"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}
# Index of the Simplified Chinese face in the Noto Sans CJK collections (JP, KR, SC, TC, HK).
FONT_INDEX = 2
# Rows of one list printed in the PDF (a month's severe faults at a large customer run to
# hundreds); the note under the title says how many there are, the workbook lists them.
PDF_ROWS = 50
HEADING_FILL = (221, 235, 247)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


def report_period(text: str) -> tuple[str, str, str]:
    """("YYYY-MM" | "YYYY-Qn") → (start month, end month, label); ValueError when unreadable."""
    text = (text or "").strip()
    if m := _MONTH.match(text):
        return text, text, text
    if m := _QUARTER.match(text):
        year, q = int(m.group(1)), int(m.group(2))
        start = f"{year}-{3 * q - 2:02d}"
        return start, shift_month(start, 2), f"{year}-Q{q}"
    raise ValueError(f"bad period {text!r}: expected a month like 2026-10 or a quarter like "
                     "2026-Q3")


def period_choices(first_month: str, last_month: str, kind: str) -> list[str]:
    """Months ("YYYY-MM") or quarters ("YYYY-Qn") from first to last, newest first."""
    periods = pd.period_range(first_month, last_month, freq="M" if kind == "month" else "Q")
    labels = [str(p) if kind == "month" else f"{p.year}-Q{p.quarter}" for p in periods]
    return labels[::-1]


def default_period(as_of: pd.Timestamp, kind: str) -> str:
    """The last full month (or quarter) before as_of."""
    if kind == "month":
        return str(pd.Timestamp(as_of).to_period("M") - 1)
    q = pd.Timestamp(as_of).to_period("Q") - 1
    return f"{q.year}-Q{q.quarter}"


@dataclass(frozen=True)
class CustomerReport:
    """One customer's report for one period: facts and small frames, codes not yet labelled."""

    customer_id: str
    name: str
    contract: dict  # region, contract_start, contract_end, project_manager
    period: str  # the label, "2026-10" or "2026-Q3"
    start: str
    end: str
    as_of: pd.Timestamp
    lang: str
    summary: dict  # tickets, onsite_visits, finished, faults, severe, complaints, csat, …
    by_category: pd.DataFrame  # category, tickets, onsite_visits, finished
    by_mode: pd.DataFrame  # service_mode, tickets
    sla: pd.DataFrame  # metric, met, breached, no_record, pending, na, compliance
    sla_trend: pd.DataFrame  # month, metric, compliance, judged (12 months to the period end)
    severity: pd.DataFrame  # severity, faults, share
    severe_faults: pd.DataFrame
    complaints: pd.DataFrame
    satisfaction_trend: pd.DataFrame  # month, sent, answered, mean_score, csat, response_rate
    actions: pd.DataFrame
    open_tickets: pd.DataFrame
    open_reports: pd.DataFrame
    open_complaints: pd.DataFrame
    open_actions: pd.DataFrame
    open_counts: dict = field(default_factory=dict)  # tickets, reports, complaints, actions
    # The customer's own terms, as its data was judged: the report's labels state them.
    terms: TermsInForce | None = None


# The columns each customer-facing table keeps (no engineer, owner or other customer).
SEVERE_COLUMNS = ("ticket_id", "reported_at", "site", "device", "resolved_at", "report_due_at",
                  "first_submitted_at", "report_status", "versions", "decision", "reject_reasons")
COMPLAINT_COLUMNS = ("complaint_id", "received_at", "category", "channel", "ticket_id",
                     "first_reply_at", "first_reply_minutes", "first_reply_status", "resolved_at",
                     "resolution_days", "resolution_status", "description", "resolution")
ACTION_COLUMNS = ("action_id", "source_type", "problem_category", "measure", "status",
                  "created_at", "due_date", "completed_at", "completion", "result",
                  "customer_notified_at")
OPEN_TICKET_COLUMNS = ("ticket_id", "reported_at", "category", "service_mode", "rule_severity",
                       "days_open", "confirm_status", "arrival_status")
OPEN_REPORT_COLUMNS = ("ticket_id", "reported_at", "resolved_at", "report_due_at", "stage",
                       "days_past_due")
OPEN_COMPLAINT_COLUMNS = ("complaint_id", "received_at", "category", "first_reply_at",
                          "first_reply_due", "first_reply_status", "resolution_due",
                          "resolution_days_left", "resolution_status", "description")
OPEN_ACTION_COLUMNS = ("action_id", "source_type", "problem_category", "measure", "status",
                       "created_at", "due_date", "days_overdue")


def _matching(frame: pd.DataFrame) -> int:
    return int(frame["matching"].iloc[0]) if len(frame) else 0


def _keep(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    return frame[list(columns)].reset_index(drop=True)


def customer_report(db: Database, customer_id: str, period: str, lang: str = "zh"
                    ) -> CustomerReport:
    """Build the report of `customer_id` for `period`; LookupError for an unknown customer."""
    start, end, label = report_period(period)
    scope = Scope.customer(customer_id)
    info = report_customers(db, scope)
    if info.empty:
        raise LookupError(f"unknown customer {customer_id!r}")
    row = info.iloc[0]
    as_of = pd.Timestamp(load_info(db)["as_of"])
    filters = Filters(start, end, customers=(customer_id,))
    trend = filters.trend(TREND_MONTHS)
    history = Filters(HISTORY_START, max(end, str(as_of.to_period("M"))),
                      customers=(customer_id,))

    service = service_summary(db, scope, filters)
    by_category = (service.groupby("category", as_index=False)[
        ["tickets", "onsite_visits", "finished"]].sum())
    by_mode = (service.groupby("service_mode", as_index=False)["tickets"].sum()
               .sort_values("tickets", ascending=False, ignore_index=True))

    sla = compliance(db, scope, filters)
    # Upgrade and handling are promised only where they apply: leave them out when nothing
    # was judged (no upgrade in the period; no handling target set).
    judged = sla[["met", "breached", "no_record", "pending"]].sum(axis=1)
    shown = sla["metric"].isin(COMPLAINT_METRICS) | ~(
        sla["metric"].isin(("upgrade", "handling")) & (judged == 0))
    sla = sla[shown].reset_index(drop=True)

    months = pd.DataFrame({"month": trend.months})
    parts = []
    for metric in sla["metric"]:
        if metric in COMPLAINT_METRICS:
            continue
        frame = sla_by(db, scope, trend, metric, "month").rename(columns={"grp": "month"})
        parts.append(months.merge(frame, on="month", how="left").assign(metric=metric))
    by_month = complaint_compliance(db, scope, trend, "month")
    for promise in ("first_reply", "resolution"):
        frame = by_month[by_month["promise"] == promise].rename(columns={"grp": "month"})
        parts.append(months.merge(frame.drop(columns=["promise"]), on="month", how="left")
                     .assign(metric=f"complaint_{promise}"))
    sla_trend = pd.concat(parts, ignore_index=True)
    sla_trend["judged"] = sla_trend[["met", "breached", "no_record"]].fillna(0).sum(axis=1) \
        .astype("int64")
    sla_trend = sla_trend[["month", "metric", "compliance", "judged"]]

    sev = severity_summary(db, scope, filters)
    severity = pd.DataFrame({"severity": list(sev.rule), "faults": list(sev.rule.values())})
    severity["share"] = severity["faults"] / severity["faults"].sum() if sev.faults else None

    severe = _keep(severe_faults(db, scope, filters), SEVERE_COLUMNS)
    complaints = _keep(complaint_list(db, scope, filters), COMPLAINT_COLUMNS)
    surveys = satisfaction_summary(db, scope, filters).set_index("survey_type").loc["all"]
    sat_trend = months.merge(satisfaction_months(db, scope, trend), on="month", how="left")
    actions = _keep(action_list(db, scope, filters), ACTION_COLUMNS)

    o_tickets = open_tickets(db, scope, history)
    due = list(reports_due_by_stage(db, scope, history, ("due", "overdue")).values())
    o_reports = pd.concat(due, ignore_index=True)
    o_complaints = open_complaints(db, scope, filters, whole_history=True)
    o_actions = action_list(db, scope, filters, ActionDrill(completion="open"),
                            whole_history=True)
    # Each list carries how many rows match in all (`matching`), however many it holds.
    open_counts = {"tickets": _matching(o_tickets), "reports": sum(map(_matching, due)),
                   "complaints": _matching(o_complaints), "actions": _matching(o_actions)}

    summary = {
        "tickets": int(service["tickets"].sum()),
        "onsite_visits": int(service["onsite_visits"].sum()),
        "finished": int(service["finished"].sum()),
        "faults": sev.faults,
        "severe": sev.rule.get("severe", 0),
        "complaints": int(sla.set_index("metric").loc["complaint_resolution",
                                                        ["met", "breached", "no_record",
                                                         "pending", "na"]].sum()),
        "surveys_sent": int(surveys["sent"]),
        "surveys_answered": int(surveys["answered"]),
        "csat": None if pd.isna(surveys["csat"]) else float(surveys["csat"]),
        "mean_score": None if pd.isna(surveys["mean_score"]) else float(surveys["mean_score"]),
        "response_rate": None if pd.isna(surveys["response_rate"])
        else float(surveys["response_rate"]),
        "actions": len(actions),
    }
    return CustomerReport(
        customer_id=customer_id, name=str(row["name"]),
        contract={k: (None if pd.isna(row[k]) else row[k])
                  for k in ("region", "contract_start", "contract_end", "project_manager")},
        period=label, start=start, end=end, as_of=as_of, lang=lang, summary=summary,
        by_category=by_category, by_mode=by_mode, sla=sla, sla_trend=sla_trend,
        severity=severity, severe_faults=severe, complaints=complaints,
        satisfaction_trend=sat_trend, actions=actions,
        open_tickets=_keep(o_tickets, OPEN_TICKET_COLUMNS),
        open_reports=_keep(o_reports, OPEN_REPORT_COLUMNS),
        open_complaints=_keep(o_complaints, OPEN_COMPLAINT_COLUMNS),
        open_actions=_keep(o_actions, OPEN_ACTION_COLUMNS),
        open_counts=open_counts,
        terms=terms_in_force(db, scope, filters),
    )


# ---- Presentation: the same labelled sections for the screen, the workbook and the PDF ----

# The sections on screen, a tab each group (message report_tab_<key>), in reading order.
TABS = {
    "service": ("by_category", "by_mode"),
    "sla": ("terms", "sla", "sla_trend"),
    "severity": ("severity", "severe_faults"),
    "complaints": ("complaints",),
    "satisfaction": ("satisfaction",),
    "actions": ("actions",),
    "open": ("open_tickets", "open_reports", "open_complaints", "open_actions"),
}



@dataclass(frozen=True)
class Section:
    """One table of the report: its key, title, raw frame and how to label and format it."""

    key: str
    title: str
    frame: pd.DataFrame  # codes, as queried
    chart: str | None = None  # the chart builder in charts.customer_report that draws it, if any
    note: str | None = None  # a line under the title (e.g. "first 200 of 340")
    total: int | None = None  # rows the list has in all, when the frame holds fewer
    terms: TermsInForce | None = None  # the customer's terms, which some labels state



def scoped_customer_report(db: Database, scope: Scope, filters, customer_id: str, period: str,
                           lang: str = "zh") -> CustomerReport:
    """The customer's periodic report, if the customer is in SCOPE (PermissionError if not)."""
    allowed = scope_params(scope)["customers"]  # TypeError without a scope
    if allowed is not None and customer_id not in allowed:
        raise PermissionError(f"customer {customer_id!r} is outside the caller's scope")
    return customer_report(db, customer_id, period, lang)

def localise(frame: pd.DataFrame, lang: str, terms: TermsInForce | None = None) -> pd.DataFrame:
    """Code values shown in the language (statuses, categories, modes…); numbers untouched."""
    return columns.in_words(frame, lang, terms)


def column_label(column: str, lang: str, terms: TermsInForce | None = None) -> str:
    """A column heading, from the column catalogue."""
    return columns.label(column, lang, terms)


def sla_trend_wide(report: CustomerReport, lang: str) -> pd.DataFrame:
    """The 12-month trend as month × promise compliance (for a sheet and its chart)."""
    wide = report.sla_trend.pivot(index="month", columns="metric", values="compliance")
    order = [m for m in report.sla["metric"] if m in wide.columns]
    wide = wide[order].rename(columns=lambda m: t(f"metric_{m}", lang, terms=report.terms))
    wide = wide.reset_index()
    wide.columns.name = None
    return wide.astype({c: "float64" for c in wide.columns if c != "month"})


def promise_trend(report: CustomerReport) -> dict[str, list[float]]:
    """Each promise's compliance over the 12 months to the period end (NaN: nothing judged)."""
    wide = report.sla_trend.pivot(index="month", columns="metric", values="compliance")
    return {m: wide[m].astype("float64").tolist() for m in wide.columns}


def summary_frame(report: CustomerReport, lang: str) -> pd.DataFrame:
    """The headline figures as rows: item, value (numbers; rates as fractions)."""
    s = report.summary
    rows = [("tickets", s["tickets"]), ("onsite_visits", s["onsite_visits"]),
            ("finished", s["finished"]), ("faults", s["faults"]), ("severe", s["severe"]),
            ("complaints", s["complaints"]), ("surveys_sent", s["surveys_sent"]),
            ("surveys_answered", s["surveys_answered"]), ("mean_score", s["mean_score"]),
            ("actions", s["actions"])]
    frame = pd.DataFrame({"item": [t(f"customer_report_kpi_{k}", lang) for k, _ in rows],
                          "value": pd.array([v for _, v in rows], dtype="Float64")})
    return frame


def info_frame(report: CustomerReport, lang: str) -> pd.DataFrame:
    """Customer, contract and period facts as item / value text rows."""
    c = report.contract

    def text(v):
        return "" if v is None else str(pd.Timestamp(v).date()) if hasattr(v, "year") else str(v)

    rows = [("customer", f"{report.name} ({report.customer_id})"),
            ("region", text(c.get("region"))),
            ("contract", f"{text(c.get('contract_start'))} ~ {text(c.get('contract_end'))}"),
            ("project_manager", text(c.get("project_manager"))),
            ("period", report.period + (f" ({report.start} ~ {report.end})"
                                        if report.start != report.end else "")),
            ("as_of", report.as_of.strftime("%Y-%m-%d %H:%M"))]
    return pd.DataFrame({"item": [t(f"customer_report_info_{k}", lang) for k, _ in rows],
                         "value": [v for _, v in rows]})


def _limited(frame: pd.DataFrame, total: int, lang: str) -> str | None:
    if total <= len(frame):
        return None
    return t("customer_report_first_rows", lang, shown=len(frame), total=total)


def sections(report: CustomerReport, lang: str) -> list[Section]:
    """Every section of the report in reading order (frames still in codes)."""
    sat = report.satisfaction_trend
    sla = report.sla.copy()
    found = [
        Section("info", t("customer_report_sec_info", lang), info_frame(report, lang)),
        Section("summary", t("customer_report_sec_summary", lang), summary_frame(report, lang)),
        Section("by_category", t("customer_report_sec_by_category", lang), report.by_category,
                chart="category"),
        Section("by_mode", t("customer_report_sec_by_mode", lang), report.by_mode),
        Section("terms", t("customer_report_sec_terms", lang),
                terms_items(report.terms.single(), lang)),
        Section("sla", t("customer_report_sec_sla", lang), sla, chart="sla"),
        Section("sla_trend", t("customer_report_sec_sla_trend", lang), sla_trend_wide(report, lang),
                chart="sla_trend"),
        Section("severity", t("customer_report_sec_severity", lang), report.severity,
                chart="severity"),
        Section("severe_faults", t("customer_report_sec_severe_faults", lang),
                report.severe_faults),
        Section("complaints", t("customer_report_sec_complaints", lang), report.complaints),
        Section("satisfaction", t("customer_report_sec_satisfaction", lang), sat,
                chart="satisfaction"),
        Section("actions", t("customer_report_sec_actions", lang), report.actions),
        Section("open_tickets", t("customer_report_sec_open_tickets", lang), report.open_tickets,
                note=_limited(report.open_tickets, report.open_counts["tickets"], lang),
                total=report.open_counts["tickets"]),
        Section("open_reports", t("customer_report_sec_open_reports", lang), report.open_reports,
                note=_limited(report.open_reports, report.open_counts["reports"], lang),
                total=report.open_counts["reports"]),
        Section("open_complaints", t("customer_report_sec_open_complaints", lang),
                report.open_complaints,
                note=_limited(report.open_complaints, report.open_counts["complaints"], lang),
                total=report.open_counts["complaints"]),
        Section("open_actions", t("customer_report_sec_open_actions", lang), report.open_actions,
                note=_limited(report.open_actions, report.open_counts["actions"], lang),
                total=report.open_counts["actions"]),
    ]
    return [replace(section, terms=report.terms) for section in found]


def display_frame(section: Section, lang: str) -> pd.DataFrame:
    """The section's table as shown: codes in words, headings in the language."""
    frame = localise(section.frame, lang, section.terms)
    if section.key == "sla_trend":
        return frame.rename(columns={"month": column_label("month", lang)})
    return frame.rename(columns={c: column_label(c, lang, section.terms) for c in frame.columns})


def percent_columns(section: Section, lang: str) -> list[str]:
    """Labelled columns holding 0–1 rates."""
    if section.key == "sla_trend":
        return [c for c in display_frame(section, lang).columns
                if c != column_label("month", lang)]
    return [column_label(c, lang, section.terms) for c in columns.percent(section.frame.columns)]


# ---- Excel ----

def report_xlsx(report: CustomerReport, lang: str) -> bytes:
    """The report as a workbook: one sheet per section, headers in the language, trend charts."""
    sheets = []
    for section in sections(report, lang):
        frame = display_frame(section, lang)
        # Red by the column's name, never by the words in its cells.
        flags = {column_label(c, lang, section.terms): words for c, words in
                 columns.red_flags(section.frame.columns, lang, section.terms).items()}
        charts = []
        if section.key == "sla_trend" and len(frame.columns) > 1:
            charts.append(Chart(section.title, list(frame.columns[1:]), "line", percent=True))
        if section.key == "satisfaction":
            charts.append(Chart(t("customer_report_chart_csat", lang),
                                [column_label(c, lang) for c in ("csat", "response_rate")],
                                "line", percent=True))
        title = f"{report.name} · {report.period} · {section.title}"
        if section.note:
            title += f" ({section.note})"
        sheets.append(Sheet(section.title, frame, percent=percent_columns(section, lang),
                            flag_values=flags, charts=charts, title=title))
    return workbook_bytes(sheets)


# ---- PDF ----

def _font_paths() -> dict[str, Path]:
    paths = {style: FONT_DIR / name for style, name in FONT_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise RuntimeError("the Chinese font Noto Sans CJK is missing (" + ", ".join(missing)
                           + "); install it with: apt-get install fonts-noto-cjk")
    return paths


def _display_len(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _cell_text(value, column: str, percent: set[str], lang: str = "zh") -> str:
    if isinstance(value, bool):
        return t("customer_report_yes" if value else "customer_report_no", lang)
    if value is None or (not isinstance(value, str | list) and pd.isna(value)):
        return ""
    if column in percent:
        return f"{float(value):.1%}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


_PNG_SERVER: list[bool] = []
# kaleido's one server hands each caller the next result in its queue, whoever asked for it:
# two PDFs drawn at once (two users clicking) would swap charts. One image at a time.
_PNG_LOCK = threading.Lock()


def chart_png(fig) -> bytes | None:
    """A plotly figure as PNG via kaleido and Chromium; None when they cannot run."""
    try:
        import kaleido
        import plotly.graph_objects as go

        # The section heading above names the chart already.
        fig = escape_figure(go.Figure(fig).update_layout(title=None, margin=dict(t=30)))
        with _PNG_LOCK:
            if not _PNG_SERVER:
                # One browser for every image: later images take ~0.2 s instead of ~2 s.
                kaleido.start_sync_server(silence_warnings=True)
                _PNG_SERVER.append(True)
            return kaleido.calc_fig_sync(fig, opts={"format": "png", "width": 900,
                                                    "height": 380, "scale": 1.5})
    except Exception:  # noqa: BLE001 — no Chromium, no kaleido: the report goes without charts
        return None


def _section_png(section: Section, report: CustomerReport, lang: str
                 ) -> tuple[bool, bytes | None]:
    """(whether the section has a chart, its PNG or None)."""
    from ..charts import customer_report as report_charts

    fig = report_charts.BUILDERS[section.chart](report, lang)
    return fig is not None, chart_png(fig) if fig is not None else None


def report_pdf(report: CustomerReport, lang: str) -> bytes:
    """The report as an A4 PDF with the CJK font embedded, chart images and page numbers."""
    from fpdf import FPDF

    fonts = _font_paths()
    heading = f"{t('customer_report_title', lang)} · {report.name} · {report.period}"
    page_label = t("customer_report_page_of", lang, n="{n}", m="{nb}")

    class ReportPDF(FPDF):
        def header(self):
            self.set_font("cjk", size=8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(2)
            self.set_text_color(0, 0, 0)

        def footer(self):
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.cell(0, 8, page_label.replace("{n}", str(self.page_no())), align="C")

    parts = sections(report, lang)
    with ThreadPoolExecutor(max_workers=1) as charts:
        # Chromium draws the charts while this thread loads the fonts and lays out the tables.
        pngs = {p.key: charts.submit(_section_png, p, report, lang) for p in parts if p.chart}
        pdf = ReportPDF(format="A4")
        pdf.set_title(heading)
        pdf.set_creator("服务质量监督看板")
        for style, path in fonts.items():
            pdf.add_font("cjk", style=style, fname=str(path), collection_font_number=FONT_INDEX)
        for font in pdf.fonts.values():
            # The embedded subset keeps the whole font's bounding box (a valid superset) instead
            # of measuring every glyph's outline again: a third of the subsetting time.
            font.ttfont.recalcBBoxes = False
        pdf.set_auto_page_break(True, margin=16)
        pdf.add_page()
        pdf.set_font("cjk", "B", 18)
        pdf.multi_cell(0, 10, t("customer_report_title", lang), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", "B", 14)
        pdf.multi_cell(0, 8, f"{report.name} · {report.period}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        missing_chart = False
        for section in parts:
            missing_chart |= _pdf_section(pdf, section, pngs.get(section.key), lang)
    if missing_chart:
        pdf.set_font("cjk", size=8)
        pdf.multi_cell(0, 5, t("customer_report_chart_missing", lang), new_x="LMARGIN",
                       new_y="NEXT")
    return bytes(pdf.output())


def _pdf_section(pdf, section: Section, png: Future | None, lang: str) -> bool:
    """One section: title, note, chart, table; True when its chart could not be drawn."""
    frame = display_frame(section, lang)
    percent = set(percent_columns(section, lang))
    note = section.note
    total = section.total if section.total is not None else len(frame)
    if len(frame) > PDF_ROWS:
        # A list on paper stops at PDF_ROWS rows; the workbook holds the rest.
        frame = frame.head(PDF_ROWS)
        note = t("customer_report_pdf_first_rows", lang, shown=PDF_ROWS, total=total)
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.set_font("cjk", "B", 12)
    pdf.multi_cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8)
    if note:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    missing_chart = False
    if png is not None:
        has_chart, image = png.result()
        if image:
            if pdf.get_y() > pdf.h - 95:
                pdf.add_page()
            pdf.image(io.BytesIO(image), w=pdf.epw)
        missing_chart = has_chart and not image
    if frame.empty:
        pdf.multi_cell(0, 6, t("customer_report_none_open" if section.key.startswith("open_")
                               else "customer_report_empty", lang), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return missing_chart
    if section.key == "sla_trend":
        # Twelve months × up to eight promises: months across would not fit A4, so turn it.
        frame = frame.set_index(column_label("month", lang)).T.reset_index(
            names=column_label("metric", lang))
        percent = set(frame.columns[1:])
    _table(pdf, frame, percent, lang)
    pdf.ln(3)
    return missing_chart


def _column_widths(pdf, frame: pd.DataFrame, texts: list[list[str]], padding: float
                   ) -> list[float]:
    """Column widths in mm filling the page width.

    Each column gets at least its longest unbreakable token (an id, a date, a number) so those
    never split; the room left goes to the columns whose text would wrap (descriptions,
    measures, results) in proportion to what they would need on one line.
    """
    extra = 2 * padding + 1
    least, natural = [], []
    for i, c in enumerate(frame.columns):
        cells = [row[i] for row in texts[:200]]
        words = [w for text in (*cells, str(c)) for w in text.split()]
        # Chinese text wraps anywhere, so count a CJK run as one character wide.
        token = max([pdf.get_string_width(w) if _display_len(w) == len(w)
                     else pdf.get_string_width(w[:2]) for w in words] + [0])
        least.append(token + extra)
        line = max([pdf.get_string_width(x) for x in cells] + [0])
        heading = pdf.get_string_width(str(c)) / 2  # a heading may take two lines
        natural.append(max(line, heading, token) + extra)
    total = sum(natural)
    if total <= pdf.epw:
        return [w * pdf.epw / total for w in natural]
    floor = sum(least)
    if floor >= pdf.epw:
        return [w * pdf.epw / floor for w in least]
    room, want = pdf.epw - floor, total - floor
    return [lo + (w - lo) * room / want for lo, w in zip(least, natural, strict=True)]


def _table(pdf, frame: pd.DataFrame, percent: set[str], lang: str) -> None:
    """A bordered table, its heading filled and repeated on each page it runs onto.

    Drawn line by line with FPDF.text (fpdf2's table() lays out every cell twice through
    multi_cell: ~0.2 ms a cell, seconds for a report's lists).
    """
    columns = list(frame.columns)
    size = 7 if len(columns) <= 8 else 6
    padding = 0.8
    line_height = size * 0.55
    pdf.set_font("cjk", size=size)
    values = frame.astype("object").where(frame.notna(), None).to_numpy()
    texts = [[_cell_text(v, c, percent, lang) for c, v in zip(columns, row, strict=True)]
             for row in values]
    widths = _column_widths(pdf, frame, texts, padding)
    room = pdf.page_break_trigger - pdf.t_margin - 20  # the most a row may take on a page

    def row(cells: list[str], heading: bool) -> None:
        pdf.set_font("cjk", "B" if heading else "", size)
        lines = [_wrap(pdf, text, w - 2 * padding) for text, w in zip(cells, widths, strict=True)]
        most = max(1, int((room - 2 * padding) / line_height))
        lines = [ls if len(ls) <= most else [*ls[:most - 1], ls[most - 1] + "…"] for ls in lines]
        height = max(map(len, lines)) * line_height + 2 * padding
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if not heading:
                row([str(c) for c in columns], True)
                pdf.set_font("cjk", "", size)
        x, y = pdf.l_margin, pdf.get_y()
        if heading:
            pdf.set_fill_color(*HEADING_FILL)
            pdf.rect(x, y, sum(widths), height, style="F")
        for width, cell in zip(widths, lines, strict=True):
            pdf.rect(x, y, width, height)
            for k, text in enumerate(cell):
                if text:
                    # The baseline where FPDF.cell puts it in a line of that height.
                    pdf.text(x + padding, y + padding + (k + 0.5) * line_height
                             + 0.3 * pdf.font_size, text)
            x += width
        pdf.set_y(y + height)

    row([str(c) for c in columns], True)
    for cells in texts:
        row(cells, False)


def _wrap(pdf, text: str, width: float) -> list[str]:
    """The lines of `text` in the current font no wider than `width` (mm): broken at a space
    when the word fits on the next line, else between any two characters (Chinese text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    widths = pdf.current_font.cw
    scale = pdf.font_size_pt * 0.001 / pdf.k
    out = []
    for paragraph in text.split("\n"):
        if sum(widths[ord(ch)] for ch in paragraph) * scale <= width:
            out.append(paragraph)
            continue
        line, used = "", 0.0
        for ch in paragraph:
            w = widths[ord(ch)] * scale
            if line and used + w > width:
                cut = line.rfind(" ")
                if ch == " ":
                    out.append(line)
                    line, used = "", 0.0
                    continue
                if cut > 0 and ord(ch) < 0x2E80:
                    # Move the unfinished word down with this character.
                    out.append(line[:cut])
                    line = line[cut + 1:]
                    used = sum(widths[ord(c)] for c in line) * scale
                else:
                    out.append(line)
                    line, used = "", 0.0
            line += ch
            used += w
        out.append(line)
    return out


REPORT_FILE_KINDS = ("xlsx", "pdf")


def customer_report_file(db: Database, scope: Scope, filters, customer_id: str, period: str,
                         lang: str, kind: str) -> bytes:
    """The customer's report for PERIOD as an xlsx or PDF file, if the customer is in SCOPE."""
    if kind not in REPORT_FILE_KINDS:
        raise ValueError(f"unknown report file kind {kind!r}")
    report = scoped_customer_report(db, scope, filters, customer_id, period, lang)
    return report_xlsx(report, lang) if kind == "xlsx" else report_pdf(report, lang)


def report_periods(first_month: str | None, last_month: str | None, as_of: pd.Timestamp,
                   kind: str) -> tuple[list[str], str]:
    """The periods a customer's report is offered for, newest first, and the default one.

    From the customer's first month of data to the later of its last month and as_of's month;
    the default (the last full period before as_of) is offered even without data.
    """
    default = default_period(as_of, kind)
    first = first_month or default[:4] + "-01"
    last = max(last_month or default[:7], str(pd.Timestamp(as_of).to_period("M")))
    choices = period_choices(first, last, kind)
    return (choices if default in choices else [default, *choices]), default
