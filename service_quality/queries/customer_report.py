"""Queries of the customer report (客户服务报告): one customer's period, nothing of any other."""

from __future__ import annotations

import pandas as pd

from ..database import Database
from ..filters import Filters
from . import Scope, load_info, run
from .tickets import DRILL_LIMIT


def report_customers(db: Database, scope: Scope, filters=None) -> pd.DataFrame:
    """Customers in scope with contract facts: customer_id, name, region, contract dates, PM."""
    return run(db, "customer_report_customers", scope).drop(columns="report_emails")


def report_recipients(db: Database, scope: Scope, filters=None) -> pd.DataFrame:
    """Customers in scope with where their report is mailed: customer_id, name, report_emails."""
    return run(db, "customer_report_customers", scope)[["customer_id", "name", "report_emails"]]


def service_summary(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Tickets, on-site visits and finished tickets per category and service mode."""
    return run(db, "customer_report_service", scope, filters, base="_tickets")


def severe_faults(db: Database, scope: Scope, filters: Filters,
                  limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """Severe faults by rule with their fault report: due, first submitted, status, decision."""
    return run(db, "customer_report_severe_faults", scope, filters, base="_tickets", limit=limit)


def open_tickets(db: Database, scope: Scope, filters: Filters,
                 limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """Unfinished tickets, oldest first, with days open at as_of (`matching` = all)."""
    as_of = pd.Timestamp(load_info(db)["as_of"]).to_pydatetime()
    return run(db, "customer_report_open_tickets", scope, filters, base="_tickets", as_of=as_of,
               limit=limit)


def satisfaction_months(db: Database, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Surveys of every type per month: sent, answered, mean score, CSAT, response rate."""
    return run(db, "customer_report_satisfaction_trend", scope, filters, base="_surveys")
