"""Every table with its Excel download: exactly the rows and columns on screen, as a workbook."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from service_quality import columns
from service_quality.charts import STATUS_COLORS
from service_quality.excel import Sheet, workbook_bytes

from .auth import audit_export
from .frame import Context

_UNSAFE = re.compile(r"[^\w-]+")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(ctx: Context, name: str, page: str | None = None) -> str:
    """`<page>_<name>_<from>_<to>.xlsx` for the period the table was drawn for."""
    # Names may carry ids from data files (a ticket id): keep them to safe file-name characters.
    name = re.sub("_+", "_", _UNSAFE.sub("_", name))
    return f"{page or ctx.page or 'table'}_{name}_{ctx.filters.start}_{ctx.filters.end}.xlsx"


def _percent_columns(column_config: dict | None) -> list[str]:
    # A column the screen formats as a percentage is a 0–1 rate: Excel shows it as 0.0%.
    found = []
    for name, config in (column_config or {}).items():
        if isinstance(config, dict) and (config.get("type_config") or {}).get("format") \
                == "percent":
            found.append(name)
    return found


def _hidden_columns(column_config: dict | None) -> set[str]:
    return {name for name, config in (column_config or {}).items() if config is None}


def export_frame(shown: pd.DataFrame | Styler, labels: dict[str, str] | None = None,
                 column_order: Iterable[str] | None = None,
                 column_config: dict | None = None, hide_index: bool | None = None
                 ) -> pd.DataFrame:
    """The frame a table shows: the Styler's data, headers relabelled, hidden columns out."""
    frame = shown.data if isinstance(shown, Styler) else shown
    if labels:
        frame = frame.rename(columns=labels)
    if not hide_index and not isinstance(frame.index, pd.RangeIndex):
        # A meaningful index is a column on screen, so it is one in the workbook too.
        frame = frame.reset_index()
    if column_order is not None:
        frame = frame[[c for c in column_order if c in frame.columns]]
    hidden = _hidden_columns(column_config)
    if hidden:
        frame = frame.drop(columns=[c for c in frame.columns if c in hidden])
    return frame


def catalogue_names(ctx: Context, shown: Iterable, labels: dict[str, str] | None = None
                    ) -> dict:
    """Each shown column → its name in the column catalogue (None if it has none): through
    `labels` where the caller relabels, else the column is a name or a catalogue heading."""
    back = {heading: name for name, heading in (labels or {}).items()}
    headings = columns.heading_names(ctx.lang, ctx.terms)
    return {c: back.get(c) or (c if columns.column(c) else headings.get(c)) for c in shown}


def export_sheet(ctx: Context, shown: pd.DataFrame | Styler, sheet: str, *,
                 labels: dict[str, str] | None = None, percent: Iterable[str] = (),
                 flag_values: dict[str, Iterable[str]] | None = None,
                 flag_negative: Iterable[str] = (), flag_positive: Iterable[str] = (),
                 column_order: Iterable[str] | None = None, column_config: dict | None = None,
                 hide_index: bool | None = None) -> Sheet:
    """The workbook sheet of a table as show_table draws it (see there for the arguments)."""
    frame = export_frame(shown, labels, column_order, column_config, hide_index)
    names = dict(labels or {})
    # Red flags and rates by the column's name in the catalogue, never by the words in cells.
    known = {c: n for c, n in catalogue_names(ctx, frame.columns, labels).items() if n}
    rates = [names.get(c, c) for c in percent] + _percent_columns(column_config) \
        + [c for c, n in known.items() if columns.percent([n])]
    flags = {c: words for c, n in known.items()
             if (words := columns.red_words(n, ctx.lang, ctx.terms))} if flag_values is None \
        else {names.get(c, c): tuple(v) for c, v in flag_values.items()}
    negative, positive = ([names.get(c, c) for c in given]
                          + [c for c, n in known.items() if columns.signed([n], sign)]
                          for given, sign in ((flag_negative, "below_zero"),
                                              (flag_positive, "above_zero")))
    return Sheet(sheet, frame, percent=[c for c in dict.fromkeys(rates) if c in frame.columns],
                 flag_values=flags, flag_negative=list(dict.fromkeys(negative)),
                 flag_positive=list(dict.fromkeys(positive)))


def chip_columns(chips: dict[str, dict[str, str]]) -> dict:
    """Column configs drawing each word of a column as a chip in its colour ({column: {word:
    colour}}): the browser colours the cells, so a rerun does no work per cell."""
    return {column: st.column_config.MultiselectColumn(options=list(colors),
                                                       color=list(colors.values()))
            for column, colors in chips.items()}


def _number_format(config) -> str:
    # The printf format a NumberColumn config draws with ("%.1f"), else plain numbers.
    found = ((config or {}).get("type_config") or {}).get("format") if isinstance(config, dict) \
        else None
    return found if isinstance(found, str) and found.startswith("%") else "%g"


def late_chips(screen: pd.DataFrame, negative: Iterable[str], positive: Iterable[str],
               column_config: dict | None) -> tuple[pd.DataFrame, dict]:
    """Number columns whose late values are drawn red on screen: below zero (time left) for
    NEGATIVE, above zero (days overdue) for POSITIVE; the others in the running-clock colour.

    Each value becomes the text of its on-screen format and a chip of one of the column's
    options (one per distinct value), so the browser colours the cells: no per-cell styling on
    a rerun. Missing values stay missing.
    """
    out, config = screen, {}
    wanted = [(c, True) for c in negative] + [(c, False) for c in positive]
    for column, below in wanted:
        if column not in screen.columns or not pd.api.types.is_numeric_dtype(screen[column]):
            continue
        values = screen[column].to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(values)
        text = np.full(len(values), None, dtype=object)
        text[present] = np.char.mod(_number_format((column_config or {}).get(column)),
                                    values[present])
        late = (values < 0) if below else (values > 0)
        options = pd.unique(text[present])
        late_text = set(text[present & late])
        colors = [STATUS_COLORS["breached"] if o in late_text else STATUS_COLORS["pending"]
                  for o in options]
        if out is screen:
            out = screen.copy(deep=False)
        out[column] = text
        config[column] = st.column_config.MultiselectColumn(options=list(options), color=colors)
    return out, config


def show_table(ctx: Context, shown: pd.DataFrame | Styler, name: str, key: str | None, *,
               labels: dict[str, str] | None = None, percent: Iterable[str] = (),
               flag_values: dict[str, Iterable[str]] | None = None,
               flag_negative: Iterable[str] = (), flag_positive: Iterable[str] = (),
               sheet: str | None = None, chips: dict[str, dict[str, str]] | None = None,
               **dataframe_kwargs):
    """Draw `shown` with st.dataframe and an Excel download of the same rows and columns.

    `shown` is the frame (or its Styler) as the page draws it, statuses already in words;
    `labels` renames its columns on screen and in the file. `percent` and `flag_*` name columns
    before or after relabelling; columns the screen formats as percent are 0.0% too, and so are
    the catalogue's rates. Red fills: by column name from the catalogue (service_quality/
    columns.toml: a status column's breached words, a time-left column below zero…) unless
    `flag_values` is given, plus `flag_negative` below zero and `flag_positive` above it. The
    file is `<page>_<name>_<from>_<to>.xlsx`, its sheet `sheet` (default `name`). `chips` draws the
    words of the named (shown) columns as coloured chips. Returns st.dataframe's event, so
    on_select drill-downs work as before.
    """
    if labels and isinstance(shown, Styler):
        # Relabelling a Styler would drop its styles: relabel the data before styling it.
        raise ValueError("pass labels only with a DataFrame; relabel before styling")
    screen = shown.rename(columns=labels) if labels else shown
    if chips:
        present = {c: colors for c, colors in chips.items() if c in screen.columns}
        dataframe_kwargs["column_config"] = {**chip_columns(present),
                                             **(dataframe_kwargs.get("column_config") or {})}
    export_config = dataframe_kwargs.get("column_config")
    if isinstance(screen, pd.DataFrame) and (flag_negative or flag_positive):
        names = dict(labels or {})
        screen, late = late_chips(screen, [names.get(c, c) for c in flag_negative],
                                  [names.get(c, c) for c in flag_positive], export_config)
        dataframe_kwargs["column_config"] = {**(export_config or {}), **late}
    # A missing value reads "—" like every empty figure, not Streamlit's "None".
    dataframe_kwargs.setdefault("placeholder", "—")
    event = st.dataframe(screen, key=key, **dataframe_kwargs)

    def spec() -> Sheet:
        # Built on the click with the workbook: finding the flagged words scans every text
        # column, which a rerun should not pay for a file nobody asked for.
        return export_sheet(ctx, shown, sheet or name, labels=labels, percent=percent,
                            flag_values=flag_values, flag_negative=flag_negative,
                            flag_positive=flag_positive,
                            column_order=dataframe_kwargs.get("column_order"),
                            column_config=export_config,
                            hide_index=dataframe_kwargs.get("hide_index"))

    download(ctx, spec, file_name(ctx, name), key=f"{key or name}_xlsx")
    return event


def download(ctx: Context, sheet: Sheet | Callable[[], Sheet], name: str, key: str) -> None:
    """A download button for one sheet (or what makes it); both are built only on the click."""
    user, scope = ctx.user, ctx.scope

    def build() -> bytes:
        # Runs on click, on Streamlit's download thread: reruns never pay for the workbook.
        audit_export(user, name, scope)
        return workbook_bytes([sheet() if callable(sheet) else sheet])

    st.download_button(ctx.t("export_xlsx"), build, file_name=name, mime=XLSX, key=key,
                       on_click="ignore", type="tertiary", icon=":material/download:",
                       help=ctx.t("export_xlsx_help"))
