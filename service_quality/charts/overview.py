"""Charts of the overview page: the KPI cards' monthly trend lines."""

from __future__ import annotations

import pandas as pd


def kpi_trend(trend: pd.DataFrame, column: str) -> list[float]:
    """One card's monthly values, oldest first, for the card's own line (st.metric chart_data):
    a month without data is NaN, a gap in the line."""
    return trend[column].astype("float64").tolist()
