"""The management workbook (管理报表): the period's figures against the previous period, as Excel.

Every number comes from the query functions the pages use (or, for whole lists, from
queries.management_workbook); this module only chooses columns, puts codes into words and lays
out sheets.
"""

from __future__ import annotations

import pandas as pd

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

STATUS_COLUMNS = ("response_status", "arrival_status", "confirm_status", "report_status",
                  "upgrade_status", "handling_status")
SUMMARY_KPIS = ("tickets", "response", "arrival", "confirm", "report", "upgrade", "handling",
                "complaint_first_reply", "complaint_resolution", "csat", "survey_response",
                "overdue_actions")
TICKET_TREND = ("response", "arrival", "confirm", "report", "upgrade", "handling")
SERVICE_TREND = ("complaint_first_reply", "complaint_resolution", "csat", "survey_response")

# Column → message key of its header. Keys from common.toml and the pages' own files are reused
# so a header reads the same in Excel as on screen.
LABELS = {
    "ticket_id": "col_ticket_id", "customer_id": "mgmt_col_customer_id",
    "customer_name": "col_customer_name", "reported_at": "col_reported_at",
    "category": "col_category", "service_mode": "col_service_mode",
    "engineer_name": "col_engineer_name", "engineer_id": "mgmt_col_engineer_id",
    "rule_severity": "col_rule_severity",
    "reported_severity": "col_reported_severity", "severity_check": "col_severity_check",
    "response_minutes": "mgmt_col_response_minutes", "response_status": "col_response_status",
    "arrival_limit_minutes": "col_arrival_limit_minutes",
    "arrival_minutes": "col_arrival_minutes", "arrival_status": "col_arrival_status",
    "confirm_deadline": "col_confirm_deadline", "confirm_status": "col_confirm_status",
    "report_due_at": "mgmt_col_report_due_at", "report_status": "col_report_status",
    "upgrade_status": "col_upgrade_status", "handling_minutes": "col_handling_minutes",
    "handling_status": "mgmt_col_handling_status", "resolved_at": "mgmt_col_resolved_at",
    "closed_at": "mgmt_col_closed_at",
    "kpi": "mgmt_kpi", "value": "mgmt_value", "previous": "mgmt_previous",
    "delta": "mgmt_change", "numerator": "mgmt_numerator", "denominator": "mgmt_denominator",
    "met": "mgmt_col_met", "breached": "mgmt_col_breached", "no_record": "mgmt_col_no_record",
    "pending": "mgmt_col_pending", "month": "month", "tickets": "mgmt_kpi_tickets",
    **{m: f"metric_{m}" for m in (*TICKET_TREND, "complaint_first_reply",
                                  "complaint_resolution")},
    "handling_hours": "mgmt_col_handling_hours", "csat": "mgmt_kpi_csat",
    "survey_response": "mgmt_kpi_survey_response", "overdue_actions": "mgmt_kpi_overdue_actions",
    "level": "mgmt_col_level", "by_rule": "mgmt_col_by_rule", "as_reported": "mgmt_col_as_reported",
    "faults": "mgmt_col_faults", "device": "mgmt_col_device",
    "system_down": "mgmt_col_system_down", "network_down": "mgmt_col_network_down",
    "key_device_down": "mgmt_col_key_device_down", "imminent_outage": "mgmt_col_imminent_outage",
    "error_ratio": "mgmt_col_error_ratio", "capacity_drop": "mgmt_col_capacity_drop",
    "survey_type": "mgmt_col_survey_type", "sent": "mgmt_col_sent",
    "answered": "mgmt_col_answered", "satisfied": "mgmt_col_satisfied", "low": "mgmt_col_low",
    "low_with_action": "mgmt_col_low_with_action",
    "low_without_action": "mgmt_col_low_without_action", "mean_score": "mgmt_col_mean_score",
    "response_rate": "mgmt_col_response_rate", "closed_loop": "mgmt_col_closed_loop",
    "label": "mgmt_col_engineer", "team": "mgmt_col_team", "survey_id": "mgmt_col_survey_id",
    "method": "mgmt_col_method", "sent_at": "mgmt_col_sent_at",
    "answered_at": "mgmt_col_answered_at", "score": "mgmt_col_score",
    "problem_category": "mgmt_col_problem_category", "comment": "mgmt_col_comment",
    "complaint_id": "mgmt_col_complaint_id", "received_at": "mgmt_col_received_at",
    "complaint_category": "mgmt_col_complaint_category", "channel": "mgmt_col_channel",
    "complaint_manager": "mgmt_col_complaint_manager",
    "first_reply_at": "mgmt_col_first_reply_at",
    "first_reply_minutes": "mgmt_col_first_reply_minutes",
    "first_reply_status": "mgmt_col_first_reply_status",
    "resolution_days": "mgmt_col_resolution_days",
    "resolution_status": "mgmt_col_resolution_status", "description": "mgmt_col_description",
    "resolution": "mgmt_col_resolution", "first_reply_due": "mgmt_col_first_reply_due",
    "first_reply_hours_left": "mgmt_col_first_reply_hours_left",
    "resolution_due": "mgmt_col_resolution_due",
    "resolution_days_left": "mgmt_col_resolution_days_left",
    "action_id": "mgmt_col_action_id", "source_type": "mgmt_col_source_type",
    "source_id": "mgmt_col_source_id", "measure": "mgmt_col_measure",
    "owner_dept": "mgmt_col_owner_dept", "owner": "mgmt_col_owner",
    "status": "mgmt_col_action_status", "created_at": "mgmt_col_created_at",
    "due_date": "mgmt_col_due_date", "completed_at": "mgmt_col_completed_at",
    "completion": "mgmt_col_completion", "days_overdue": "mgmt_col_days_overdue",
    "verified_at": "mgmt_col_verified_at",
    "customer_notified_at": "mgmt_col_customer_notified_at", "result": "mgmt_col_result",
    "first_submitted_at": "mgmt_col_first_submitted_at", "versions": "mgmt_col_versions",
    "sections": "mgmt_col_sections", "completeness": "mgmt_col_completeness",
    "decision": "mgmt_col_decision", "decided_at": "mgmt_col_decided_at",
    "rejections": "mgmt_col_rejections", "reject_reasons": "mgmt_col_reject_reasons",
    "no_reason_rejections": "fault_reports_col_no_reason_rejections",
    "reason": "mgmt_col_reason", "resubmitted": "mgmt_col_resubmitted",
    "accepted_later": "mgmt_col_accepted_later", "not_resubmitted": "mgmt_col_not_resubmitted",
    "later_versions": "mgmt_col_later_versions",
}
# Code columns put into words: column → message key prefix (a code without a key stays as is).
WORDS = {
    **{c: "status_" for c in (*STATUS_COLUMNS, "first_reply_status", "resolution_status")},
    "category": "category_", "service_mode": "mode_", "rule_severity": "severity_",
    "reported_severity": "severity_", "severity_check": "check_", "survey_type": "sat_type_",
    "method": "sat_method_", "channel": "cmp_channel_", "status": "act_status_",
    "completion": "act_completion_", "source_type": "act_source_",
    "decision": "fault_reports_decision_",
}
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

    def labels(self, frame: pd.DataFrame, **override: str) -> dict[str, str]:
        keys = {**LABELS, **override}
        return {c: self.t(keys[c]) for c in frame.columns if c in keys}

    def words(self, frame: pd.DataFrame, **override: str) -> pd.DataFrame:
        """Codes put into words in the UI language; flags as yes / no."""
        frame = frame.copy()
        prefixes = {**WORDS, **override}
        for col, prefix in prefixes.items():
            if col not in frame.columns:
                continue
            codes = frame[col].dropna().unique()
            names = {c: self.t(f"{prefix}{c}") if has(f"{prefix}{c}") else c for c in codes}
            frame[col] = frame[col].astype("object").map(names)
        for col in FLAGS:
            if col in frame.columns:
                frame[col] = frame[col].astype("object").map(
                    {True: self.t("mgmt_yes"), False: self.t("mgmt_no")})
        return frame

    def bad(self, *statuses: str) -> tuple[str, ...]:
        return tuple(self.t(f"status_{s}") for s in statuses)

    def title(self, key: str, frame: pd.DataFrame | None = None) -> str:
        text = self.t(key, **self.period, as_of=f"{self.as_of:%Y-%m-%d %H:%M}")
        if frame is not None and "matching" in frame.columns and len(frame):
            matching = int(frame["matching"].iloc[0])
            if matching > len(frame):
                text += " " + self.t("mgmt_rows_cut", matching=matching, shown=len(frame))
        return text

    def table(self, key: str, frame: pd.DataFrame, **kw) -> Sheet:
        """A sheet (or a table below one) of `frame` with localised headers and a title."""
        shown = frame.drop(columns=["matching"], errors="ignore")
        labels = kw.pop("labels", None) or {}
        return Sheet(self.t(key) if key.startswith("mgmt_sheet_") else "", shown,
                     {**self.labels(shown), **labels}, title=kw.pop("title", None), **kw)

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
        names = {k: self.t(LABELS[k]) for k in SUMMARY_KPIS}
        names["handling"] = self.t("metric_handling")
        kpi = cards["kpi"].map(names)
        hours = cards["unit"].eq("hours")
        kpi = kpi.where(~hours, self.t("mgmt_kpi_handling_hours"))
        frame = pd.DataFrame({
            "kpi": kpi, "value": cards["value"], "previous": cards["previous"],
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
        charts = [Chart(self.t("mgmt_chart_tickets_sla"), ticket_lines, percent=True,
                        anchor=f"A{len(frame) + len(trend) + 8}"),
                  Chart(self.t("mgmt_chart_service"), service_lines, percent=True,
                        anchor=f"A{len(frame) + len(trend) + 25}")]
        below = self.table("", trend, percent=rates, charts=charts,
                           title=self.t("mgmt_trend_title"))
        return Sheet(self.t("mgmt_sheet_summary"), frame, self.labels(frame),
                     percent=("value", "previous", "delta"), row_format="row_format",
                     title=self._summary_title(), below=[below])

    def _summary_title(self) -> str:
        prev = self.filters.previous()
        text = self.t("mgmt_title", start=self.filters.start, end=self.filters.end,
                      prev_start=prev.start, prev_end=prev.end,
                      as_of=f"{self.as_of:%Y-%m-%d %H:%M}")
        narrowed = [f"{self.t(name)}: {', '.join(getattr(self.filters, name))}"
                    for name in LIST_FIELDS if getattr(self.filters, name)]
        if narrowed:
            text += " · " + self.t("mgmt_filtered", what="; ".join(narrowed))
        if any(self.terms.differs(key) for key in TERMS):
            text += " · " + self.t("mgmt_terms_differ")
        return text

    def agreement_terms(self) -> Sheet:
        frame = terms_words_frame(self.terms, self.lang)
        title = self.t("mgmt_terms_title")
        note = self.terms.note(TERMS, self.lang)
        return Sheet(self.t("mgmt_sheet_terms"), frame, title=f"{title} {note}" if note else title)

    def breaches(self) -> Sheet:
        frame = self.words(breach_list(self.db, self.scope, self.filters))
        bad = self.bad("breached", "no_record")
        return self.table("mgmt_sheet_breaches", frame,
                          title=self.title("mgmt_breaches_title", frame),
                          flag_values={c: bad for c in STATUS_COLUMNS})

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
            "mgmt_sheet_severity", split, title=self.t("mgmt_severity_split_title"),
            below=[self.table("", self.words(matrix),
                              title=self.t("mgmt_severity_matrix_title")),
                   self.table("", audit, title=self.title("mgmt_severity_audit_title", audit),
                              percent=("error_ratio", "capacity_drop"),
                              flag_values={"severity_check": (
                                  self.t("check_under_classified"),)})])

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
        rate_cols = ("csat", "response_rate", "closed_loop")
        return self.table(
            "mgmt_sheet_satisfaction", summary, title=self.t("mgmt_sat_summary_title"),
            percent=rate_cols,
            below=[
                self.table("", wide, title=self.t("mgmt_sat_trend_title"), percent=rates,
                           labels=self._type_labels(wide),
                           charts=[Chart(self.t("mgmt_chart_csat"), csat, percent=True),
                                   Chart(self.t("mgmt_chart_response"), response,
                                         percent=True)]),
                self.table("", by_engineer.drop(columns=["grp"]),
                           title=self.t("mgmt_sat_engineer_title"), percent=rate_cols),
                self.table("", low, title=self.title("mgmt_sat_low_title", low)),
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
            out[col] = f"{name} · {self.t(LABELS[measure])}"
        return out

    def complaints(self) -> Sheet:
        c = complaints
        frame = c.complaint_list(self.db, self.scope, self.filters, limit=SHEET_ROWS)
        frame = self.words(frame.rename(columns={"category": "complaint_category"}))
        still_open = c.open_complaints(self.db, self.scope, self.filters, limit=SHEET_ROWS)
        still_open = self.words(still_open.rename(columns={"category": "complaint_category"}))
        bad = self.bad("breached", "no_record")
        flags = {"first_reply_status": bad, "resolution_status": bad}
        return self.table(
            "mgmt_sheet_complaints", frame, title=self.title("mgmt_cmp_title", frame),
            flag_values=flags,
            below=[self.table("", still_open, title=self.title("mgmt_cmp_open_title", still_open),
                              flag_values=flags,
                              flag_negative=("first_reply_hours_left",
                                             "resolution_days_left"))])

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
            "mgmt_sheet_actions", frame, title=self.title("mgmt_act_title", frame),
            flag_positive=("days_overdue",),
            below=[self.table("", overdue, title=self.title("mgmt_act_overdue_title", overdue),
                              flag_positive=("days_overdue",))])

    def fault_reports(self) -> Sheet:
        frame = self.words(fault_report_status(self.db, self.scope, self.filters))
        reasons = reports.rejection_reasons(self.db, self.scope, self.filters, limit=SHEET_ROWS)
        reasons["reason"] = reasons["reason"].astype("object").where(
            reasons["reason"].notna(), self.t("mgmt_reason_none"))
        return self.table(
            "mgmt_sheet_fault_reports", frame, title=self.title("mgmt_fr_title", frame),
            percent=("completeness",),
            flag_values={"report_status": self.bad("breached", "no_record")},
            flag_positive=("no_reason_rejections",),
            below=[self.table("", reasons, title=self.t("mgmt_fr_reasons_title"))])


def management_workbook(db: Database, scope: Scope, filters: Filters, lang: str = "zh") -> bytes:
    """The management workbook of the period, in the caller's scope and language, as .xlsx."""
    book = _Book(db, scope, filters, lang)
    return workbook_bytes([book.summary(), book.breaches(), book.severity(), book.satisfaction(),
                           book.complaints(), book.actions(), book.fault_reports(),
                           book.agreement_terms()])
