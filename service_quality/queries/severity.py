"""Queries of the severity page (故障级别): general vs severe, the ratio lines, the check."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, run
from .tickets import DRILL_LIMIT

BASES = ("rule", "reported")
GROUPS = ("month", "customer", "device")
SEVERITY_LEVELS = ("general", "severe", "unknown")
MEASURES = ("error_ratio", "capacity_drop")
# Risk first: a severe fault handled as general is what the supervisor must see before the rest.
CHECKS = ("under_classified", "over_classified", "unverifiable", "consistent")
BIN_WIDTH = 2  # percentage points per ratio bin: the agreement's default line falls on an edge
BIN_CAP = 50  # ratios of 50 % and more share the last bin
DEVICE_LIMIT = 20
GROUP_LIMIT = 1000


@dataclass(frozen=True)
class SeveritySummary:
    """The reported × rule grid of faults and the totals read from it."""

    matrix: pd.DataFrame
    faults: int
    checks: dict[str, int]
    rule: dict[str, int]
    reported: dict[str, int]

    @property
    def severe_share(self) -> float | None:
        """Severe ÷ (general + severe) by rule; unknown faults cannot be counted either way."""
        judged = self.rule["general"] + self.rule["severe"]
        return self.rule["severe"] / judged if judged else None


@dataclass(frozen=True)
class SeverityDrill:
    """What a clicked severity chart element stands for; None fields do not narrow."""

    month: str | None = None
    customer: str | None = None
    device: str | None = None
    basis: str = "rule"
    severity: str | None = None
    measure: str | None = None
    bin: float | None = None
    side: str | None = None

    def is_empty(self) -> bool:
        """Whether nothing was clicked."""
        return all(v is None for k, v in asdict(self).items() if k != "basis")


CHARTS = ("month", "customer", "device", *MEASURES)


def drill_for(chart: str | None, point: dict | None, basis: str = "rule") -> SeverityDrill:
    """The drill-down a click on `chart` stands for; no click lists the severe faults by rule.

    Severity bars carry [severity, group key] as customdata, ratio bins [bin_start, side].
    """
    data = (point or {}).get("customdata")
    if chart is None or not point:
        return SeverityDrill(severity="severe")
    if chart in MEASURES:
        return SeverityDrill(measure=chart, bin=float(data[0]), side=data[1]) if data \
            else SeverityDrill(measure=chart)
    if chart not in GROUPS:
        raise ValueError(f"unknown chart {chart!r}")
    severity, key = (data[0], data[1]) if isinstance(data, list | tuple) and len(data) == 2 \
        else (None, point.get("x"))
    return SeverityDrill(basis=basis, severity=severity, **{chart: key})


def severity_by(db: Database, scope: Scope, filters: Filters, basis: str,
                group: str) -> pd.DataFrame:
    """Faults per general / severe / unknown (by rule or as reported) for each `group` value."""
    if basis not in BASES or group not in GROUPS:
        raise ValueError(f"unknown basis {basis!r} or group {group!r}")
    limit = DEVICE_LIMIT if group == "device" else GROUP_LIMIT
    if basis == "rule" and group in ("month", "customer"):
        # ticket_monthly holds the rule severity per month and customer (not devices, nor the
        # severity as reported)
        return run(db, "severity_by_monthly", scope, filters, base="_monthly", group=group,
                   limit=limit)
    return run(db, "severity_by", scope, filters, base="_tickets", basis=basis, group=group,
               limit=limit)


def severity_summary(db: Database, scope: Scope, filters: Filters) -> SeveritySummary:
    """Reported vs rule severity of faults as a 3 × 3 grid, with check and severity totals."""
    matrix = run(db, "severity_matrix", scope, filters, base="_tickets")
    matrix["faults"] = matrix["faults"].astype("int64")
    checks = matrix.groupby("severity_check")["faults"].sum()
    rule = matrix.groupby("rule_severity")["faults"].sum()
    reported = matrix.groupby("reported_severity")["faults"].sum()
    return SeveritySummary(
        matrix=matrix,
        faults=int(matrix["faults"].sum()),
        checks={c: int(checks.get(c, 0)) for c in CHECKS},
        rule={s: int(rule.get(s, 0)) for s in SEVERITY_LEVELS},
        reported={s: int(reported.get(s, 0)) for s in ("general", "severe", "none")},
    )


def ratio_distribution(db: Database, scope: Scope, filters: Filters,
                       measure: str) -> pd.DataFrame:
    """Faults per BIN_WIDTH-point bin of error_ratio or capacity_drop, split at each fault's
    customer's line (side: severe or general)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    return run(db, "severity_ratio_bins", scope, filters, base="_tickets", measure=measure,
               bin_width=BIN_WIDTH, bin_cap=BIN_CAP)


def fault_list(db: Database, scope: Scope, filters: Filters, drill: SeverityDrill = SeverityDrill(),
               limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """The faults behind a severity chart, newest first, with flags and ratios (`matching`)."""
    if drill.basis not in BASES or (drill.measure is not None and drill.measure not in MEASURES):
        raise ValueError(f"unknown basis {drill.basis!r} or measure {drill.measure!r}")
    return run(db, "severity_faults", scope, filters, base="_tickets", d_limit=limit,
               d_month=drill.month, d_customer=drill.customer, d_device=drill.device,
               d_basis=drill.basis, d_severity=drill.severity, d_measure=drill.measure,
               d_bin=None if drill.bin is None else float(drill.bin), d_side=drill.side,
               bin_width=BIN_WIDTH, bin_cap=BIN_CAP)
