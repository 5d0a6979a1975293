"""Charts of the severity page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..messages import t
from . import SEVERITY_COLORS, STATUS_COLORS, base_layout, month_axis

SEVERITY_ORDER = ("severe", "general", "unknown")
REPORTED_ROWS = ("general", "severe", "none")
RULE_COLUMNS = ("general", "severe", "unknown")


def severity_label(severity: str, basis: str, lang: str) -> str:
    """A severity's label; a fault the desk gave no severity is "not reported", not "unknown"."""
    if severity in ("unknown", "none") and basis == "reported":
        return t("severity_reported_none", lang)
    return t(f"severity_{severity}", lang)


def severity_bars(frame: pd.DataFrame, x: str, lang: str, basis: str = "rule",
                  title: str | None = None, x_label: str | None = None,
                  horizontal: bool = False) -> go.Figure:
    """Stacked faults per severity over `x` (columns general, severe, unknown).

    Vertical (months) it carries the severe share as a line on a second axis; each bar's
    customdata is [severity, grp], so a click says which severity and which group it was.
    """
    fig = go.Figure()
    for severity in SEVERITY_ORDER:
        if severity not in frame or (severity == "unknown" and not frame[severity].any()):
            continue
        common = dict(name=severity_label(severity, basis, lang),
                      marker_color=SEVERITY_COLORS[severity],
                      customdata=[[severity, g] for g in frame["grp"]] if "grp" in frame
                      else [[severity, None]] * len(frame))
        if horizontal:
            fig.add_bar(y=frame[x], x=frame[severity], orientation="h", **common)
        else:
            fig.add_bar(x=frame[x], y=frame[severity], **common)
    fig.update_layout(barmode="stack")
    if horizontal:
        fig.update_yaxes(title=x_label, type="category", autorange="reversed")
        fig.update_xaxes(title=t("severity_faults", lang))
        return base_layout(fig, title, height=max(260, 28 * len(frame) + 100))
    if "severe_share" in frame:
        fig.add_scatter(x=frame[x], y=frame["severe_share"], yaxis="y2", mode="lines+markers",
                        name=t("severity_severe_share", lang),
                        line=dict(color=STATUS_COLORS["breached"], dash="dot"),
                        marker=dict(color=STATUS_COLORS["breached"]))
        fig.update_layout(yaxis2=dict(overlaying="y", side="right", tickformat=".0%",
                                      rangemode="tozero", showgrid=False,
                                      title=t("severity_severe_share", lang)))
    # update_yaxes would also retitle the share axis: name the count axis alone
    fig.update_layout(yaxis_title=t("severity_faults", lang))
    fig.update_xaxes(title=x_label)
    return month_axis(base_layout(fig, title))


def ratio_histogram(frame: pd.DataFrame, lang: str, lines: list[tuple[float, bool]],
                    bin_width: float, bin_cap: float, title: str | None = None) -> go.Figure:
    """Faults per ratio bin (columns bin_start in %, side, faults) with the severe lines drawn.

    `lines`: (threshold, inclusive) of the customers shown, one or (when their agreements
    differ) several; each fault's side was judged by its own customer's line.
    """
    fig = go.Figure()
    for side in ("general", "severe"):
        g = frame[frame["side"] == side]
        if g.empty:
            continue
        fig.add_bar(x=g["bin_start"] + bin_width / 2, y=g["faults"], width=bin_width * 0.92,
                    name=t(f"severity_side_{side}", lang), marker_color=SEVERITY_COLORS[side],
                    customdata=g[["bin_start", "side"]].to_numpy(),
                    hovertemplate="%{customdata[0]}%–: %{y}<extra></extra>")
    for threshold, inclusive in lines:
        line = threshold * 100
        fig.add_vline(x=line, line_dash="dash", line_color=STATUS_COLORS["breached"],
                      annotation_text=t("severity_threshold_line", lang,
                                        op="≥" if inclusive else ">", pct=f"{line:g}"),
                      annotation_position="top right")
    fig.update_layout(barmode="stack", bargap=0)
    fig.update_xaxes(title=t("severity_ratio_axis", lang, cap=f"{bin_cap:g}"), ticksuffix="%",
                     range=[0, bin_cap + bin_width])
    fig.update_yaxes(title=t("severity_faults", lang))
    return base_layout(fig, title, height=320)


def severity_heatmap(matrix: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Reported (rows) against rule (columns) severity with counts in every cell.

    The under-classified cell (reported general, rule severe) is outlined: it is the risk. An
    invisible marker sits on each cell so a click names its severity_check.
    """
    grid = matrix.pivot(index="reported_severity", columns="rule_severity", values="faults")
    grid = grid.reindex(index=list(REPORTED_ROWS), columns=list(RULE_COLUMNS)).fillna(0)
    checks = matrix.set_index(["reported_severity", "rule_severity"])["severity_check"]
    rows = [severity_label(r, "reported", lang) for r in REPORTED_ROWS]
    cols = [severity_label(c, "rule", lang) for c in RULE_COLUMNS]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=cols, y=rows, colorscale="Blues", showscale=False,
        texttemplate="%{z}", textfont=dict(size=16), hoverinfo="skip", xgap=2, ygap=2))
    cells = [(r, c) for r in REPORTED_ROWS for c in RULE_COLUMNS]
    fig.add_scatter(
        x=[cols[RULE_COLUMNS.index(c)] for _, c in cells],
        y=[rows[REPORTED_ROWS.index(r)] for r, _ in cells],
        mode="markers", marker=dict(size=48, symbol="square", color="rgba(0,0,0,0)"),
        customdata=[checks.get((r, c)) or "" for r, c in cells],
        text=[t(f"severity_check_{checks.get((r, c))}", lang) if isinstance(checks.get((r, c)), str)
              else "" for r, c in cells],
        hovertemplate="%{y} → %{x}<br>%{text}<extra></extra>", showlegend=False)
    col, row = RULE_COLUMNS.index("severe"), REPORTED_ROWS.index("general")
    fig.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5,
                  line=dict(color=STATUS_COLORS["breached"], width=3))
    fig.update_xaxes(type="category", title=t("severity_axis_rule", lang), side="top")
    fig.update_yaxes(type="category", title=t("severity_axis_reported", lang),
                     autorange="reversed")
    fig = base_layout(fig, title, height=340)
    fig.update_layout(margin=dict(t=100))
    return fig
