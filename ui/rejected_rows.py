"""The rows a load refused, as the data page draws them: rejections per file (a click picks the
file), the refused rows with their reasons, and one row's raw cells."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from service_quality.charts.data import rejected_by_file

from .chart_pick import click_sets_choice
from .columns import column_label
from .data import figure
from .drill import first_point
from .export import show_table
from .frame import Context


def rejected_filters(ctx: Context, files: pd.DataFrame) -> tuple[str | None, str]:
    """The chart of rejections per file, then the file chosen (None: all) and the search text."""
    event = st.plotly_chart(figure(rejected_by_file, files, ctx.lang,
                                   ctx.t("data_rejected_chart")),
                            key="data_rejected_chart", on_select="rerun",
                            selection_mode="points")
    # A click sets the file choice once; after that the choice box rules again.
    click_sets_choice("data_rejected_file", (first_point(event) or {}).get("customdata"),
                      set(files["file"]))
    names = {row.file: f"{row.entity} · {row.file_name} ({row.rows})"
             for row in files.itertuples()}
    left, right = st.columns(2)
    file = left.selectbox(ctx.t("data_rejected_file"), [None, *files["file"]],
                          key="data_rejected_file",
                          format_func=lambda f: ctx.t("data_all_files") if f is None
                          else names.get(f, f))
    search = right.text_input(ctx.t("data_rejected_search"), key="data_rejected_search",
                              placeholder=ctx.t("data_rejected_search_placeholder"))
    return file, search


def rejected_table(ctx: Context, rows: pd.DataFrame) -> int | None:
    """The refused rows with their reasons; returns the position of the selected row, if any."""
    label = partial(column_label, ctx)
    st.caption(ctx.t("data_rejected_showing", matching=int(rows["matching"].iloc[0]),
                     shown=len(rows)))
    shown = ("file_name", "entity", "row_number", "reason", "batch_id")
    picked = show_table(ctx, rows[list(shown)].rename(columns={c: label(c) for c in shown}),
                        "rejected", "data_rejected_table", sheet=ctx.t("data_tab_rejected"),
                        hide_index=True, width="stretch", on_select="rerun",
                        selection_mode="single-row",
                        column_config={label("reason"): st.column_config.TextColumn(
                            width="large")})
    selected = picked.selection.rows if picked is not None else []
    return selected[0] if selected else None


def raw_row_heading(ctx: Context, rows: pd.DataFrame, i: int, selected: bool) -> None:
    """Which file and row the raw cells below come from (the first row until one is picked)."""
    st.subheader(ctx.t("data_raw_title"))
    # The file's name is the operator's, not the data's; still plain text, never Markdown.
    st.text(ctx.t("data_raw_which", file=rows["file_name"].iloc[i],
                  row=int(rows["row_number"].iloc[i])))
    if not selected:
        st.caption(ctx.t("data_raw_first"))


def raw_row_table(ctx: Context, raw: pd.DataFrame) -> None:
    """One refused row's cells, column by column."""
    if raw.empty:
        st.info(ctx.t("data_raw_missing"))
        return
    label = partial(column_label, ctx)
    # The cells are the file's own text: a table shows them literally, never as HTML.
    show_table(ctx, raw.rename(columns={"column": label("column"), "value": label("value")}),
               "raw_row", "data_raw_table", sheet=ctx.t("data_raw_title"),
               hide_index=True, width="stretch")
