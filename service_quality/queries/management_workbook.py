"""Queries of the management workbook (管理报表) that no page's query answers: whole lists."""

from __future__ import annotations

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, run

# Excel holds 1,048,576 rows a sheet; a list stops short of that (its title says so).
SHEET_ROWS = 1_000_000


def breach_list(db: Database, scope: Scope, filters: Filters,
                limit: int = SHEET_ROWS) -> pd.DataFrame:
    """Filtered tickets with any promise breached or no_record, oldest first (`matching`)."""
    return run(db, "management_workbook_breaches", scope, filters, base="_tickets", limit=limit)


def severity_audit(db: Database, scope: Scope, filters: Filters,
                   limit: int = SHEET_ROWS) -> pd.DataFrame:
    """Under-, over-classified and unverifiable faults with flags and ratios (`matching`)."""
    return run(db, "management_workbook_severity_audit", scope, filters, base="_tickets",
               limit=limit)


def fault_report_status(db: Database, scope: Scope, filters: Filters,
                        limit: int = SHEET_ROWS) -> pd.DataFrame:
    """Each fault the report rule applies to: report status, completeness, decision (`matching`)."""
    return run(db, "management_workbook_fault_reports", scope, filters, base="_tickets",
               limit=limit)
