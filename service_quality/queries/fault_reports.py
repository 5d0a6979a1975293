"""Queries of the fault-report page (故障报告): report deadline, completeness, decisions."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, load_info, run
from .sla import sla_by
from .tickets import DRILL_LIMIT

# The seven sections of the fault analysis report, in the agreement's order.
SECTIONS = ("fault_content", "affected_time", "affected_users", "handling_process", "analysis",
            "lessons", "prevention")
DECISIONS = ("accepted", "rejected", "pending")
STAGES = ("due", "overdue", "late")
GROUPS = ("month", "customer")
RATE_STATUSES = ("met", "breached", "no_record")
REASON_LIMIT = 50


@dataclass(frozen=True)
class ReportOverview:
    """The fault-report picture of the filtered tickets."""

    statuses: dict[str, int]  # report_status → faults (met, breached, no_record, pending)
    compliance: float | None  # met / (met + breached + no_record); None when nothing is judged
    reports: int  # tickets with at least one report version
    completeness: pd.DataFrame  # sections (0–7), reports: latest versions by sections present
    mean_completeness: float | None  # mean of sections / 7 over latest versions
    missing: pd.DataFrame  # section, reports: latest versions lacking it, most missed first
    decisions: pd.DataFrame  # decision, reports: the customer's decision on the latest version
    versions: pd.DataFrame  # versions, tickets
    stages: dict[str, int]  # due / overdue / late → faults (the due-or-late list)
    rejected_no_reason: int  # versions rejected without the reason the agreement requires


@dataclass(frozen=True)
class ReportDrill:
    """What a clicked report chart element stands for; None fields do not narrow."""

    sections: int | None = None
    missing: str | None = None
    incomplete: bool | None = None
    decision: str | None = None
    rejected: bool | None = None
    reason: str | None = None
    no_reason: bool | None = None

    def is_empty(self) -> bool:
        """Whether nothing was clicked."""
        return all(v is None for v in (self.sections, self.missing, self.incomplete,
                                       self.decision, self.rejected, self.reason,
                                       self.no_reason))


REPORT_CHARTS = ("sections", "missing", "decision", "reason")


def report_drill_for(chart: str | None, value=None) -> ReportDrill:
    """The reports a click stands for; no click lists the incomplete ones (a section missing).

    `value` is the clicked bar's customdata (sections, section, decision) or, for `reason`, the
    selected rejection reason (None: rejected without a reason given).
    """
    if chart == "reason":
        if value is None:
            return ReportDrill(rejected=True, no_reason=True)
        return ReportDrill(rejected=True, reason=str(value))
    if chart is None or value is None:
        return ReportDrill(incomplete=True)
    if chart == "sections":
        return ReportDrill(sections=int(value))
    if chart == "missing":
        if value not in SECTIONS:
            raise ValueError(f"unknown section {value!r}")
        return ReportDrill(missing=str(value))
    if chart == "decision":
        return ReportDrill(decision=str(value))
    raise ValueError(f"unknown chart {chart!r}")


def report_compliance_by(db: Database, scope: Scope, filters: Filters,
                         group: str) -> pd.DataFrame:
    """report_status counts and compliance per month or customer (sla_by on `report`)."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    return sla_by(db, scope, filters, "report", group)


def report_overview(db: Database, scope: Scope, filters: Filters) -> ReportOverview:
    """Status counts, completeness of latest versions, decisions, versions and stages."""
    # Counted by the load per month and filter value (report_monthly): a month of 10 M tickets
    # is spread over every row group of ticket_facts.
    frame = run(db, "fault_reports_overview", scope, filters, base="_monthly")
    kinds = {k: g.set_index("key")["n"].astype("int64") for k, g in frame.groupby("kind")}

    def counts(kind: str, keys) -> pd.Series:
        return kinds.get(kind, pd.Series(dtype="int64")).reindex(list(keys), fill_value=0)

    statuses = counts("status", ("met", "breached", "no_record", "pending"))
    judged = int(statuses[list(RATE_STATUSES)].sum())
    sections = counts("sections", [str(n) for n in range(len(SECTIONS) + 1)])
    completeness = pd.DataFrame({"sections": range(len(SECTIONS) + 1),
                                 "reports": sections.to_numpy()})
    reports = int(completeness["reports"].sum())
    missing = counts("missing", SECTIONS).rename_axis("section").reset_index(name="reports")
    versions = kinds.get("versions", pd.Series(dtype="int64"))
    return ReportOverview(
        statuses={k: int(v) for k, v in statuses.items()},
        compliance=float(statuses["met"] / judged) if judged else None,
        reports=reports,
        completeness=completeness,
        mean_completeness=float((completeness["sections"] * completeness["reports"]).sum()
                                / reports / len(SECTIONS)) if reports else None,
        missing=missing.sort_values("reports", ascending=False, kind="stable")
        .reset_index(drop=True),
        decisions=counts("decision", DECISIONS).rename_axis("decision")
        .reset_index(name="reports"),
        versions=pd.DataFrame({"versions": versions.index.astype("int64"),
                               "tickets": versions.to_numpy()}).sort_values("versions")
        .reset_index(drop=True),
        stages={k: int(v) for k, v in counts("stage", STAGES).items()},
        rejected_no_reason=int(counts("flag", ["rejected_no_reason"]).iloc[0]),
    )


def rejection_reasons(db: Database, scope: Scope, filters: Filters,
                      limit: int = REASON_LIMIT) -> pd.DataFrame:
    """Rejected versions per reason: rejections, tickets, resubmitted, accepted later, open."""
    return run(db, "fault_reports_rejections", scope, filters, base="_monthly",
               limit=limit)


def report_list(db: Database, scope: Scope, filters: Filters, drill: ReportDrill = ReportDrill(),
                limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """Each ticket's latest report version narrowed by `drill`, newest first (`matching`)."""
    if drill.missing is not None and drill.missing not in SECTIONS:
        raise ValueError(f"unknown section {drill.missing!r}")
    return run(db, "fault_reports_list", scope, filters, base="_tickets", d_limit=limit,
               d_sections=drill.sections, d_missing=drill.missing,
               d_incomplete=drill.incomplete, d_decision=drill.decision,
               d_rejected=drill.rejected, d_reason=drill.reason, d_no_reason=drill.no_reason)


def reports_due(db: Database, scope: Scope, filters: Filters, stage: str | None = None,
                limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """Reports due (pending with a due time) or late (breached), still-open ones first."""
    return _due(db, scope, filters, None if stage is None else (stage,), limit, per_stage=False)


def reports_due_by_stage(db: Database, scope: Scope, filters: Filters, stages: tuple[str, ...],
                         limit: int = DRILL_LIMIT) -> dict[str, pd.DataFrame]:
    """reports_due of each stage (its own `matching` and LIMIT rows), from one scan."""
    frame = _due(db, scope, filters, stages, limit, per_stage=True)
    return {stage: frame[frame["stage"] == stage].reset_index(drop=True) for stage in stages}


def _due(db: Database, scope: Scope, filters: Filters, stages: tuple[str, ...] | None,
         limit: int, per_stage: bool) -> pd.DataFrame:
    unknown = [s for s in stages or () if s not in STAGES]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}")
    return run(db, "fault_reports_due", scope, filters, base="_tickets", d_limit=limit,
               d_stages=None if stages is None else list(stages), d_per_stage=per_stage,
               as_of=pd.Timestamp(load_info(db)["as_of"]).to_pydatetime())
