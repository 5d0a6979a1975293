"""Upload in the app: the page section over etl.upload (choose files, preview, confirm, follow)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from etl import profiles
from etl.load import LoadSummary
from etl.loss import warning_block
from etl.readers import entity_for
from etl.upload import (
    DATA_SUFFIXES,
    DATE_ORDERS,
    MB,
    PREVIEW_ROWS,
    PROFILE_NAMES,
    FilePreview,
    Job,
    Preview,
    Upload,
    build_preview,
    detected_profile,
    discard,
    may_upload,
    parse_maps,
    parse_nulls,
    parse_values,
    save_upload,
    start,
)
from service_quality.accounts import User
from service_quality.messages import has
from service_quality.schema import ENTITIES

from .columns import column_label

_UPLOADER = "upload_files"
_GEN = "_upload_generation"
_SAVED = "_upload_saved"
_PREVIEW = "_upload_preview"
_JOB = "_upload_job"
_RESULT = "_upload_result"
_REFUSED = "_upload_refused"
_BUSY = "_upload_busy"


def limit_mb() -> int:
    """The upload limit in force (server.maxUploadSize in .streamlit/config.toml), in MB."""
    return int(st.get_option("server.maxUploadSize"))

# ── the page section ───────────────────────────────────────────────────────────────────────────

def _on_confirm(user: User) -> None:
    # A callback runs before the script, one at a time per session: a second click of Confirm
    # finds the first load's job and does nothing.
    state = st.session_state
    held = state.get(_PREVIEW)
    if state.get(_JOB) is not None or held is None or not held[1].ready \
            or not may_upload(user):
        return
    job = start(held[1], user)
    state[_BUSY] = job is None
    state[_JOB] = job
    state.pop(_REFUSED, None)


def _follow(ctx, job: Job) -> None:
    """Show the running load's progress until it ends, then rerun with the new database."""
    with st.status(ctx.t("upload_running"), expanded=True) as status:
        log = st.empty()
        shown = -1
        while not job.done.wait(0.25):
            if len(job.messages) != shown:
                shown = len(job.messages)
                # The loader's messages name the files: shown literally.
                log.code("\n".join(job.messages), language=None)
        log.code("\n".join(job.messages), language=None)
        status.update(state="complete" if job.summary else "error")
    st.session_state[_JOB] = None
    if job.summary is not None:
        st.session_state[_RESULT] = job.summary
        st.session_state.pop(_SAVED, None)
        st.session_state.pop(_PREVIEW, None)
        # A new uploader key empties the uploader: the loaded files are not offered again.
        st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1
    else:
        st.session_state[_REFUSED] = job.refused
    # The page drew its figures from the old file; the rerun draws them from the new one.
    st.rerun()


def _show_result(ctx, summary: LoadSummary) -> None:
    files = summary.files
    st.success(ctx.t("upload_done", files=len(files), loaded=sum(f.rows_loaded for f in files),
                     rejected=sum(f.rows_rejected for f in files), seconds=summary.seconds,
                     batch=summary.batch_id))
    _table(pd.DataFrame({
        column_label(ctx, "saved_as"): [Path(f.file).name for f in files],
        column_label(ctx, "entity"): [f.entity for f in files],
        column_label(ctx, "encoding"): [f.encoding for f in files],
        column_label(ctx, "rows_read"): [f.rows_read for f in files],
        column_label(ctx, "rows_loaded"): [f.rows_loaded for f in files],
        column_label(ctx, "rows_rejected"): [f.rows_rejected for f in files],
        column_label(ctx, "warnings"): ["; ".join(f.warnings) for f in files],
    }), hide_index=True, width="stretch", key="upload_result_table")


def _table(data: pd.DataFrame, key: str, **kwargs) -> None:
    # In a keyed container, so tests and the browser find the table by its key.
    with st.container(key=key):
        st.dataframe(data, **kwargs)


def _entity_label(ctx, entity: str | None) -> str:
    if entity is None:
        return "—"
    return f"{ENTITIES[entity].zh}（{entity}）" if ctx.lang == "zh" else entity


def _profile_label(ctx, profile: str | None) -> str:
    if profile is None:
        return ctx.t("upload_profile_canonical")
    if profile == "file":
        return ctx.t("upload_profile_file")
    return PROFILE_NAMES.get(profile, profile)


def _status(ctx, f: FilePreview) -> str:
    if f.needs_entity:
        return ctx.t("upload_status_pick")
    return ctx.t("upload_status_error" if f.error else "upload_status_ok")


def _date_label(ctx, order: str | None) -> str:
    if not order:
        return "—"
    return ctx.t(f"upload_date_order_{order}") if has(f"upload_date_order_{order}") else order


def _draw_preview(ctx, preview: Preview) -> None:
    st.subheader(ctx.t("upload_preview_title"))
    st.caption(ctx.t("upload_preview_caption"))
    files = preview.files
    # File names, headers, cells and reasons come from the files: tables show them literally.
    _table(pd.DataFrame({
        column_label(ctx, "number"): [f.number for f in files],
        column_label(ctx, "file"): [f.original for f in files],
        column_label(ctx, "saved_as"): [f.load_name or f.path.name for f in files],
        column_label(ctx, "entity"): [_entity_label(ctx, f.entity) for f in files],
        column_label(ctx, "profile"): [_profile_label(ctx, f.profile) for f in files],
        column_label(ctx, "encoding"): [f.encoding or "—" for f in files],
        column_label(ctx, "date_order"): [_date_label(ctx, f.date_order) for f in files],
        column_label(ctx, "rows_read"): [f.rows_read for f in files],
        column_label(ctx, "rows_loaded"): [f.rows_loaded for f in files],
        column_label(ctx, "rows_rejected"): [f.rows_rejected for f in files],
        column_label(ctx, "status"): [_status(ctx, f) for f in files],
    }), hide_index=True, width="stretch", key="upload_summary_table")
    for problem in preview.problems:
        st.warning(ctx.t(problem))
    losses = [f.loss for f in files if f.loss is not None]
    if losses:
        # Before Confirm, as the command line ends with it; the block quotes the files: literal.
        st.warning(ctx.t("upload_loss"))
        with st.container(key="upload_loss"):
            st.code("\n".join(warning_block(losses)[1:]), language=None, wrap_lines=True)
    for i, f in enumerate(files):
        if f.needs_entity:
            continue
        title = ctx.t("upload_file_title", n=f.number, entity=_entity_label(ctx, f.entity))
        with st.expander(title, expanded=len(files) == 1 or bool(f.error)):
            if f.error:
                st.error(ctx.t("upload_error"))
                st.code(f.error, language=None, wrap_lines=True)
                if "--date-order" in f.error:
                    st.info(ctx.t("upload_hint_date_order"))
                continue
            facts = {
                "file": f.original, "saved_as": f.load_name,
                "entity": _entity_label(ctx, f.entity),
                "profile": _profile_label(ctx, f.profile),
                "encoding": f.encoding or "—", "sheet": f.sheet or "—",
                "date_order": _date_label(ctx, f.date_order),
                "rows_read": str(f.rows_read),
                "rows_loaded": str(f.rows_loaded),
                "rows_rejected": str(f.rows_rejected),
                "unknown": ", ".join(f.unknown_columns) or "—",
            }
            st.caption(ctx.t("upload_facts"))
            _table(pd.DataFrame({column_label(ctx, "item"): [column_label(ctx, k) for k in facts],
                                 column_label(ctx, "value"): list(facts.values())}),
                   hide_index=True, width="stretch", key=f"upload_facts_{i}")
            if f.notes:
                st.caption(ctx.t("upload_notes"))
                st.code("\n".join(f.notes), language=None, wrap_lines=True)
            st.caption(ctx.t("upload_mapping"))
            if f.mapping.empty:
                st.info(ctx.t("upload_mapping_none"))
            else:
                _table(f.mapping.rename(columns={
                    "canonical": column_label(ctx, "canonical"),
                    "zh": column_label(ctx, "canonical_zh"),
                    "source": column_label(ctx, "source")}),
                    hide_index=True, width="stretch", key=f"upload_mapping_{i}")
            st.caption(ctx.t("upload_first_rows", n=min(PREVIEW_ROWS, f.rows_loaded)))
            if f.head.empty:
                st.info(ctx.t("upload_no_good_rows"))
            else:
                _table(f.head.rename(columns={"row_number": column_label(ctx, "row_number")}),
                       hide_index=True, width="stretch", key=f"upload_head_{i}")
            st.caption(ctx.t("upload_rejected", shown=len(f.rejected), total=f.rows_rejected))
            if f.rejected.empty:
                st.success(ctx.t("upload_no_rejected"))
            else:
                _table(f.rejected.rename(columns={
                    "file": column_label(ctx, "saved_as"),
                    "row_number": column_label(ctx, "row_number"),
                    "reason": column_label(ctx, "reason")}),
                    hide_index=True, width="stretch", key=f"upload_rejected_{i}",
                    column_config={column_label(ctx, "reason"): st.column_config.TextColumn(
                        width="large")})


def _saved(files, profile_file) -> Upload:
    """This session's upload on disk: saved once per set of files, the old set removed."""
    signature = (tuple((f.file_id, f.name, f.size) for f in files),
                 None if profile_file is None else (profile_file.file_id, profile_file.size))
    held = st.session_state.get(_SAVED)
    if held is not None and held[0] == signature and held[1].folder.is_dir():
        return held[1]
    if held is not None:
        discard(held[1].folder)
    upload = save_upload([(f.name, f.getbuffer()) for f in files],
                         None if profile_file is None
                         else (profile_file.name, profile_file.getbuffer()))
    st.session_state[_SAVED] = (signature, upload)
    st.session_state.pop(_PREVIEW, None)
    # The table picked for "file 1" of the last upload is not the table of this one's file 1.
    for key in [k for k in st.session_state if str(k).startswith("upload_entity_")]:
        del st.session_state[key]
    return upload


def _forget() -> None:
    held = st.session_state.pop(_SAVED, None)
    if held is not None:
        discard(held[1].folder)
    st.session_state.pop(_PREVIEW, None)


def render(ctx) -> None:
    """The upload section of the Data page: files, profile, preview, confirm, result."""
    if not may_upload(ctx.user) or ctx.scope.customers is not None:
        st.info(ctx.t("upload_supervisor_only"))
        return
    state = st.session_state
    st.caption(ctx.t("upload_intro"))
    if state.pop(_BUSY, False):
        st.warning(ctx.t("upload_busy"))
    if state.get(_REFUSED):
        st.error(ctx.t("upload_refused"))
        st.code(state[_REFUSED], language=None, wrap_lines=True)
    if state.get(_RESULT) is not None:
        st.caption(ctx.t("upload_result_title"))
        _show_result(ctx, state[_RESULT])
    job = state.get(_JOB)
    preview = _choose(ctx, loading=job is not None)
    if job is not None:
        # Where Confirm was, so the progress shows where the supervisor is looking.
        _follow(ctx, job)
    elif preview is not None:
        st.button(ctx.t("upload_confirm"), key="upload_confirm", type="primary",
                  help=ctx.t("upload_confirm_help"), icon=":material/upload:",
                  disabled=not preview.ready, on_click=_on_confirm, args=(ctx.user,))


def _choose(ctx, loading: bool) -> Preview | None:
    """The uploader, the profile and options, and the preview of the files chosen."""
    state = st.session_state
    mb = limit_mb()
    gen = state.get(_GEN, 0)
    files = st.file_uploader(
        ctx.t("upload_files"), type=[s[1:] for s in DATA_SUFFIXES], accept_multiple_files=True,
        key=_UPLOADER if gen == 0 else f"{_UPLOADER}_{gen}", max_upload_size=mb,
        help=ctx.t("upload_files_help", mb=mb), disabled=loading)
    st.caption(ctx.t("upload_limit", mb=mb))
    choices = ["auto", "canonical", *profiles.BUILTIN, "file"]
    left, right = st.columns(2)
    choice = left.selectbox(
        ctx.t("upload_profile"), choices, key="upload_profile", help=ctx.t("upload_profile_help"),
        format_func=lambda c: ctx.t(f"upload_profile_{c}") if c in ("auto", "canonical", "file")
        else PROFILE_NAMES.get(c, c), disabled=loading)
    order = right.selectbox(
        ctx.t("upload_date_order"), DATE_ORDERS, key="upload_date_order",
        help=ctx.t("upload_date_order_help"), disabled=loading,
        format_func=lambda o: ctx.t(f"upload_date_order_{o}"))
    date_order = None if order == "auto" else order
    profile_file = None
    if choice == "file":
        profile_file = st.file_uploader(ctx.t("upload_profile_toml"), type=["toml"],
                                        key="upload_profile_file", max_upload_size=1,
                                        disabled=loading)
    with st.expander(ctx.t("upload_advanced")):
        maps_text = st.text_area(ctx.t("upload_maps"), key="upload_maps",
                                 help=ctx.t("upload_maps_help"), disabled=loading)
        values_text = st.text_area(ctx.t("upload_values"), key="upload_values",
                                   help=ctx.t("upload_values_help"), disabled=loading)
        nulls_text = st.text_input(ctx.t("upload_nulls"), key="upload_nulls",
                                   help=ctx.t("upload_nulls_help"), disabled=loading)
    if loading:
        # The files are being loaded from where the preview saved them: show that preview,
        # neither save them again nor check them again.
        held = state.get(_PREVIEW)
        if held is not None:
            _draw_preview(ctx, held[1])
        return None
    if not files:
        _forget()
        return None
    state.pop(_RESULT, None)
    too_big = [f for f in files if f.size > mb * MB]
    if too_big:
        _forget()
        st.error(ctx.t("upload_too_big", mb=mb))
        _table(pd.DataFrame({
            column_label(ctx, "file"): [f.name for f in too_big],
            column_label(ctx, "size"): [round(f.size / MB, 1) for f in too_big],
        }), hide_index=True, key="upload_too_big_table")
        return None
    maps, bad = parse_maps(maps_text)
    if bad:
        st.error(ctx.t("upload_bad_maps"))
        st.code("\n".join(bad), language=None)
        return None
    values, bad = parse_values(values_text)
    if bad:
        st.error(ctx.t("upload_bad_values"))
        st.code("\n".join(bad), language=None)
        return None
    nulls = parse_nulls(nulls_text)
    upload = _saved(files, profile_file)
    entities = {}
    if choice in ("auto", "canonical"):
        for number, (_, path) in enumerate(upload.files, 1):
            if entity_for(path) is None and detected_profile(path) is None:
                csv = path.suffix.lower() == ".csv"
                entities[path] = st.selectbox(
                    ctx.t("upload_entity", n=number), [None, *ENTITIES],
                    key=f"upload_entity_{number}", help=ctx.t("upload_entity_help"),
                    format_func=lambda e, csv=csv: _entity_label(ctx, e) if e else ctx.t(
                        "upload_entity_pick" if csv else "upload_entity_from_sheets"))
    key = (upload, choice, date_order, maps, nulls,
           tuple(sorted((str(p), e) for p, e in entities.items() if e)), values)
    held = state.get(_PREVIEW)
    if held is None or held[0] != key:
        with st.spinner(ctx.t("upload_checking")):
            preview = build_preview(upload, choice, date_order, maps, nulls, entities, values)
        state[_PREVIEW] = held = (key, preview)
    _draw_preview(ctx, held[1])
    return held[1]
