"""The management workbook (管理报表): the period's figures against the previous period, as Excel.

Every number comes from the query functions the pages use (or, for whole lists, from
queries.management_workbook); this module only chooses columns, puts codes into words and lays
out sheets.
"""

from __future__ import annotations

import pandas as pd

from .. import columns
from ..database import Database
from ..excel import DECIMAL, INTEGER, PERCENT, Chart, Sheet, workbook_bytes
from ..filters import LIST_FIELDS, Filters
from ..messages import has, t
from ..queries import Scope, actions, complaints, load_info, overview, satisfaction, severity
from ..queries import fault_reports as reports
from ..queries.management_workbook import (
    SHEET_ROWS,
    breach_list,
    fault_report_status,
    severity_audit,
)
from ..queries.terms import terms_in_force
from ..settings import TERMS
from ..terms import terms_words_frame

SUMMARY_KPIS = ("tickets", "response", "arrival", "confirm", "report", "upgrade", "handling",
                "complaint_first_reply", "complaint_resolution", "csat", "survey_response",
                "overdue_actions")
TICKET_TREND = ("response", "arrival", "confirm", "report", "upgrade", "handling")
SERVICE_TREND = ("complaint_first_reply", "complaint_resolution", "csat", "survey_response")

# The summary's rows name the KPIs, and the trend's columns (one per KPI, a pivot) take the
# same names: a promise's words (metric_*), else the workbook's own, else the column's heading.
KPI_KEYS = ("metric_{}", "management_workbook_kpi_{}")
FLAGS = ("system_down", "network_down", "key_device_down", "imminent_outage")


class _Book:
    """One workbook's language, period and database: turns query frames into sheets."""

    def __init__(self, db: Database, scope: Scope, filters: Filters, lang: str):
        self.db, self.scope, self.filters, self.lang = db, scope, filters, lang
        self.as_of = pd.Timestamp(load_info(db)["as_of"])
        self.period = {"start": filters.start, "end": filters.end}
        # The terms of the customers in the workbook: its labels state them where they agree.
        self.terms = terms_in_force(db, scope, filters)

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, terms=self.terms, **values)

    def labels(self, frame: pd.DataFrame) -> dict[str, str]:
        """Each column's heading from the column catalogue."""
        return columns.labels(frame.columns, self.lang, self.terms)

    def kpi(self, name: str) -> str:
        """A KPI's name (a summary row, a trend column)."""
        key = next((k.format(name) for k in KPI_KEYS if has(k.format(name))), None)
        return self.t(key) if key else columns.label(name, self.lang, self.terms)

    def words(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Codes put into words in the UI language; flags as yes / no."""
        frame = columns.in_words(frame, self.lang, self.terms)
        for col in FLAGS:
            if col in frame.columns:
                frame[col] = frame[col].astype("object").map(
                    {True: self.t("management_workbook_yes"),
                     False: self.t("management_workbook_no")})
        return frame

    def title(self, key: str, frame: pd.DataFrame | None = None) -> str:
        text = self.t(key, **self.period, as_of=f"{self.as_of:%Y-%m-%d %H:%M}")
        if frame is not None and "matching" in frame.columns and len(frame):
            matching = int(frame["matching"].iloc[0])
            if matching > len(frame):
                text += " " + self.t("management_workbook_rows_cut", matching=matching,
                                     shown=len(frame))
        return text

    def table(self, key: str, frame: pd.DataFrame, **kw) -> Sheet:
        """A sheet (or a table below one) of `frame` with localised headers and a title; red
        flags and rates by column name from the catalogue."""
        shown = frame.drop(columns=["matching"], errors="ignore")
        labels = kw.pop("labels", None) or {}
        names = list(shown.columns)
        kw["percent"] = [*kw.get("percent", ()), *columns.percent(names)]
        return Sheet(self.t(key) if key.startswith("management_workbook_sheet_") else "", shown,
                     {**self.labels(shown), **labels}, title=kw.pop("title", None),
                     flag_values=columns.red_flags(names, self.lang, self.terms),
                     flag_negative=columns.signed(names, "below_zero"),
                     flag_positive=columns.signed(names, "above_zero"), **kw)

    # The sheets, in the workbook's order.

    def summary(self) -> Sheet:
        cards = overview.kpi_cards(self.db, self.scope, self.filters)
        if "upgrade" not in set(cards["kpi"]):
            # kpi_cards leaves upgrade out when none was judged; the report lists it anyway.
            now, before = (overview.compliance(self.db, self.scope, f).set_index("metric")
                           .loc["upgrade"] for f in (self.filters, self.filters.previous()))
            row = {"kpi": "upgrade", "unit": "rate", "value": now["compliance"],
                   "previous": before["compliance"],
                   **{s: now[s] for s in ("met", "breached", "no_record", "pending")},
                   "numerator": now["met"],
                   "denominator": now["met"] + now["breached"] + now["no_record"]}
            cards = pd.concat([cards, pd.DataFrame([row])], ignore_index=True)
            cards["delta"] = cards["value"] - cards["previous"]
        cards = cards.set_index("kpi").reindex(list(SUMMARY_KPIS)).reset_index()
        kpi = cards["kpi"].map({k: self.kpi(k) for k in SUMMARY_KPIS})
        hours = cards["unit"].eq("hours")
        kpi = kpi.where(~hours, self.t("management_workbook_kpi_handling_hours"))
        frame = pd.DataFrame({
            "kpi": kpi, "this_period": cards["value"], "previous": cards["previous"],
            "delta": cards["delta"],
            **{c: cards[c].astype("Int64") for c in ("numerator", "denominator", "met",
                                                     "breached", "no_record", "pending")},
            "row_format": cards["unit"].map({"rate": PERCENT, "count": INTEGER,
                                             "hours": DECIMAL}),
        })
        trend = overview.monthly(self.db, self.scope, self.filters.trend())
        trend = trend.drop(columns=[c for c in ("handling",) if trend[c].isna().all()])
        rates = [c for c in (*TICKET_TREND, *SERVICE_TREND) if c in trend.columns]
        ticket_lines = [c for c in TICKET_TREND if c in trend.columns and trend[c].notna().any()]
        service_lines = [c for c in SERVICE_TREND if trend[c].notna().any()]
        charts = [Chart(self.t("management_workbook_chart_tickets_sla"), ticket_lines, percent=True,
                        anchor=f"A{len(frame) + len(trend) + 8}"),
                  Chart(self.t("management_workbook_chart_service"), service_lines, percent=True,
                        anchor=f"A{len(frame) + len(trend) + 25}")]
        below = self.table("", trend, percent=rates, charts=charts,
                           labels={c: self.kpi(c) for c in trend.columns if c != "month"},
                           title=self.t("management_workbook_trend_title"))
        return Sheet(self.t("management_workbook_sheet_summary"), frame, self.labels(frame),
                     percent=("this_period", "previous", "delta"), row_format="row_format",
                     title=self._summary_title(), below=[below])

    def _summary_title(self) -> str:
        prev = self.filters.previous()
        text = self.t("management_workbook_title", start=self.filters.start, end=self.filters.end,
                      prev_start=prev.start, prev_end=prev.end,
                      as_of=f"{self.as_of:%Y-%m-%d %H:%M}")
        narrowed = [f"{self.t(name)}: {', '.join(getattr(self.filters, name))}"
                    for name in LIST_FIELDS if getattr(self.filters, name)]
        if narrowed:
            text += " · " + self.t("management_workbook_filtered", what="; ".join(narrowed))
        if any(self.terms.differs(key) for key in TERMS):
            text += " · " + self.t("management_workbook_terms_differ")
        return text

    def agreement_terms(self) -> Sheet:
        frame = terms_words_frame(self.terms, self.lang)
        title = self.t("management_workbook_terms_title")
        note = self.terms.note(TERMS, self.lang)
        return Sheet(self.t("management_workbook_sheet_terms"), frame,
                     title=f"{title} {note}" if note else title)

    def breaches(self) -> Sheet:
        frame = self.words(breach_list(self.db, self.scope, self.filters))
        return self.table("management_workbook_sheet_breaches", frame,
                          title=self.title("management_workbook_breaches_title", frame))

    def severity(self) -> Sheet:
        summary = severity.severity_summary(self.db, self.scope, self.filters)
        split = pd.DataFrame({
            "level": [self.t(f"severity_{s}") for s in severity.SEVERITY_LEVELS],
            "by_rule": [summary.rule[s] for s in severity.SEVERITY_LEVELS],
            "as_reported": [summary.reported[s] for s in ("general", "severe", "none")],
        }).astype({"by_rule": "int64", "as_reported": "int64"})
        split.loc[2, "level"] = (f"{self.t('severity_unknown')} / "
                                 f"{self.t('severity_reported_none')}")
        matrix = summary.matrix.assign(
            reported_severity=summary.matrix["reported_severity"].replace(
                {"none": self.t("severity_reported_none")}))
        audit = self.words(severity_audit(self.db, self.scope, self.filters))
        return self.table(
            "management_workbook_sheet_severity", split,
            title=self.t("management_workbook_severity_split_title"),
            below=[self.table("", self.words(matrix),
                              title=self.t("management_workbook_severity_matrix_title")),
                   self.table("", audit,
                              title=self.title("management_workbook_severity_audit_title", audit))])

    def satisfaction(self) -> Sheet:
        s = satisfaction
        summary = s.satisfaction_summary(self.db, self.scope, self.filters)
        summary = self.words(summary)  # the total row's code `all` reads sat_type_all
        trend = s.satisfaction_trend(self.db, self.scope, self.filters.trend())
        wide = self._by_type(trend)
        csat = [c for c in wide.columns if c.startswith("csat ")]
        response = [c for c in wide.columns if c.startswith("response_rate ")]
        rates = [c for c in wide.columns if c.startswith(("csat ", "response_rate "))]
        by_engineer = s.satisfaction_by(self.db, self.scope, self.filters, "engineer")
        low = s.survey_list(self.db, self.scope, self.filters,
                            s.SurveyDrill(kind="low_without_action"), limit=SHEET_ROWS)
        low = self.words(low.drop(columns=["satisfied", "low_score", "has_action"]))
        return self.table(
            "management_workbook_sheet_satisfaction", summary,
            title=self.t("management_workbook_sat_summary_title"),
            below=[
                self.table("", wide, title=self.t("management_workbook_sat_trend_title"),
                           percent=rates,
                           labels=self._type_labels(wide),
                           charts=[Chart(self.t("management_workbook_chart_csat"), csat,
                                         percent=True),
                                   Chart(self.t("management_workbook_chart_response"), response,
                                         percent=True)]),
                self.table("", by_engineer.drop(columns=["grp"]),
                           title=self.t("management_workbook_sat_engineer_title")),
                self.table("", low, title=self.title("management_workbook_sat_low_title", low)),
            ])

    def _by_type(self, trend: pd.DataFrame) -> pd.DataFrame:
        """Monthly satisfaction, one column group per survey type (`csat case`, …)."""
        measures = ["sent", "answered", "mean_score", "csat", "response_rate"]
        wide = trend.pivot(index="month", columns="survey_type", values=measures)
        types = [x for x in satisfaction.SURVEY_TYPES if x in set(trend["survey_type"])]
        types += sorted(set(trend["survey_type"]) - set(types))
        wide = wide.reindex(index=self.filters.trend().months,
                            columns=[(m, x) for x in types for m in measures])
        wide.columns = [f"{m} {x}" for m, x in wide.columns]
        for col in wide.columns:
            if col.startswith(("sent ", "answered ")):
                wide[col] = wide[col].astype("Int64")
        return wide.rename_axis("month").reset_index()

    def _type_labels(self, wide: pd.DataFrame) -> dict[str, str]:
        out = {}
        for col in wide.columns[1:]:
            measure, kind = col.split(" ", 1)
            name = self.t(f"sat_type_{kind}") if has(f"sat_type_{kind}") else kind
            out[col] = f"{name} · {columns.label(measure, self.lang)}"
        return out

    def complaints(self) -> Sheet:
        c = complaints
        frame = c.complaint_list(self.db, self.scope, self.filters, limit=SHEET_ROWS)
        frame = self.words(frame.rename(columns={"category": "complaint_category"}))
        still_open = c.open_complaints(self.db, self.scope, self.filters, limit=SHEET_ROWS)
        still_open = self.words(still_open.rename(columns={"category": "complaint_category"}))
        return self.table(
            "management_workbook_sheet_complaints", frame,
            title=self.title("management_workbook_cmp_title", frame),
            below=[self.table("", still_open,
                              title=self.title("management_workbook_cmp_open_title", still_open))])

    def actions(self) -> Sheet:
        a = actions
        frame = a.action_list(self.db, self.scope, self.filters, limit=SHEET_ROWS)
        overdue = a.action_list(self.db, self.scope, self.filters, a.ActionDrill(overdue=True),
                                whole_history=True, limit=SHEET_ROWS)
        columns = ["action_id", "customer_id", "customer_name", "source_type", "source_id",
                   "problem_category", "measure", "owner_dept", "owner", "status", "created_at",
                   "due_date", "completed_at", "completion", "days_overdue", "verified_at",
                   "customer_notified_at", "result", "matching"]
        frame, overdue = (self.words(f[columns]) for f in (frame, overdue))
        return self.table(
            "management_workbook_sheet_actions", frame,
            title=self.title("management_workbook_act_title", frame),
            below=[self.table("", overdue,
                              title=self.title("management_workbook_act_overdue_title", overdue))])

    def fault_reports(self) -> Sheet:
        frame = self.words(fault_report_status(self.db, self.scope, self.filters))
        reasons = reports.rejection_reasons(self.db, self.scope, self.filters, limit=SHEET_ROWS)
        reasons["reason"] = reasons["reason"].astype("object").where(
            reasons["reason"].notna(), self.t("management_workbook_reason_none"))
        return self.table(
            "management_workbook_sheet_fault_reports", frame,
            title=self.title("management_workbook_fr_title", frame),
            below=[self.table("", reasons, title=self.t("management_workbook_fr_reasons_title"))])


def management_workbook(db: Database, scope: Scope, filters: Filters, lang: str = "zh") -> bytes:
    """The management workbook of the period, in the caller's scope and language, as .xlsx."""
    book = _Book(db, scope, filters, lang)
    return workbook_bytes([book.summary(), book.breaches(), book.severity(), book.satisfaction(),
                           book.complaints(), book.actions(), book.fault_reports(),
                           book.agreement_terms()])
