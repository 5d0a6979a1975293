"""What the thinned pages (overview, process, fault reports, actions) stand on: the domain's
drill-downs on the fixture database and the ui/ helpers that draw for them (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from service_quality.filters import Filters
from service_quality.messages import t
from service_quality.queries import Scope
from service_quality.queries import process as q
from service_quality.queries.actions import ActionDrill, action_drill_for, action_list
from service_quality.queries.fault_reports import rejection_reasons, report_drill_for, report_list
from service_quality.queries.worklist import worklist
from ui.actions import drill_words, group_label
from ui.fault_reports import report_drill_words
from ui.frame import Context
from ui.kpis import kpi_card
from ui.metrics import counts_help, hours, rate_card
from ui.process import holiday_cards, process_view
from ui.text import md_escape
from ui.worklist import column_heading, worklist_view

EVERYTHING = Filters("2024-11", "2026-10")
EVERYONE = Scope.everyone()


def _ctx(lang: str = "zh") -> Context:
    return Context(lang, EVERYONE, EVERYTHING, pd.Timestamp("2026-04-01 08:30"), {})


# --- the domain: what a click lists, on the real database ---------------------------------------

def test_a_transfer_bar_lists_its_tickets_and_the_capped_bar_the_rest(db):
    every = q.process_tickets(db, EVERYONE, EVERYTHING, q.ProcessDrill(), limit=100_000)
    transfers = every["transfers"].fillna(0)
    assert transfers.max() >= q.REPEATED_TRANSFERS
    for n in range(int(transfers.max()) + 1):
        listed = q.process_tickets(db, EVERYONE, EVERYTHING, q.transfer_drill(n), limit=100_000)
        assert sorted(listed["ticket_id"]) == sorted(every.loc[transfers == n, "ticket_id"]), n
    # The last bar stands for "this many or more".
    assert q.transfer_drill(q.TRANSFERS_CAP) == q.ProcessDrill(transfers_min=q.TRANSFERS_CAP)
    assert q.transfer_drill(q.TRANSFERS_CAP + 2) == q.ProcessDrill(
        transfers_min=q.TRANSFERS_CAP + 2)


def test_without_a_click_the_transfer_list_is_the_chosen_one(db):
    every = q.process_tickets(db, EVERYONE, EVERYTHING, q.ProcessDrill(), limit=100_000)
    transfers = every["transfers"].fillna(0)
    for listing, expected in (("repeated", transfers >= q.REPEATED_TRANSFERS),
                              ("mismatch", transfers != every["transfer_events"])):
        listed = q.process_tickets(db, EVERYONE, EVERYTHING, q.transfer_drill(None, listing),
                                   limit=100_000)
        assert sorted(listed["ticket_id"]) == sorted(every.loc[expected, "ticket_id"]), listing
    assert q.transfer_drill(None, "mismatch") == q.ProcessDrill(transfer_mismatch=True)


def test_warranty_drills(db):
    month = q.process_tickets(db, EVERYONE, EVERYTHING, q.warranty_drill("warranty", "in",
                                                                        "2025-12"))
    assert not month.empty
    assert set(month["month"]) == {"2025-12"} and set(month["warranty"]) == {"in"}
    accepted = q.process_tickets(db, EVERYONE, EVERYTHING, q.warranty_drill("quote", "accepted"))
    assert not accepted.empty
    assert set(accepted["warranty"]) == {"out"} and set(accepted["quote_status"]) == {"accepted"}
    # Nothing clicked (or only the other chart's month): the quotes still pending.
    assert q.warranty_drill(None) == q.warranty_drill(None, None, "2025-12") \
        == q.ProcessDrill(warranty="out", quote_status="pending")


def test_an_unknown_warranty_gets_a_card_only_when_a_ticket_has_it():
    split = pd.DataFrame({"warranty": ["in", "out", "unknown"], "tickets": [3, 2, 0],
                          "share": [0.6, 0.4, 0.0]})
    assert list(q.shown_warranty(split)["warranty"]) == ["in", "out"]
    split.loc[2, "tickets"] = 1
    assert list(q.shown_warranty(split)["warranty"]) == ["in", "out", "unknown"]


def test_an_action_chart_click_lists_its_group_and_completion(db):
    everything = action_list(db, EVERYONE, EVERYTHING, ActionDrill(), limit=100_000)
    dept = everything["owner_dept"].dropna().iloc[0]
    drill = action_drill_for("owner_dept", [dept, "on_time"], "verified")
    assert drill == ActionDrill(status="verified", owner_dept=dept, completion="on_time")
    listed = action_list(db, EVERYONE, EVERYTHING, action_drill_for("source_type",
                                                                    ("survey", "late")))
    assert not listed.empty
    assert set(listed["source_type"]) == {"survey"} and set(listed["completion"]) == {"late"}
    # A click without the (value, completion) pair, or on no chart, narrows by status only.
    assert action_drill_for("owner_dept", "x", "open") == ActionDrill(status="open")
    assert action_drill_for(None, None) == ActionDrill()


# --- ui helpers without a running page ----------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rate_and_hours_cards(lang):
    ctx = _ctx(lang)
    counts = {"met": 3, "breached": 1.0, "no_record": 0, "pending": 2}
    shown = counts_help(ctx, counts)
    assert shown == t("counts_help", lang, met=3, breached=1, no_record=0, pending=2)
    card = rate_card(ctx, "x", 0.75, shown)
    assert (card.value, card.help) == ("75.0%", shown)
    # Nothing to divide: "—", and the help says why first.
    empty = rate_card(ctx, "x", None, shown, reason="empty_on_time")
    assert empty.value == "—" and empty.help == f"{t('empty_on_time', lang)} {shown}"
    assert [hours(v) for v in (1.25, None, float("nan"))] == ["1.2 h", "—", "—"]


def _kpi(**values) -> pd.Series:
    card = {"kpi": "arrival", "unit": "rate", "value": 0.9, "previous": 0.8, "delta": 0.1,
            "better": "higher", "trend": "arrival", "met": 9, "breached": 1, "no_record": 0,
            "pending": 0, "numerator": None, "denominator": None}
    return pd.Series({**card, **values})


def test_kpi_card_formats_value_and_delta_by_unit():
    ctx, trend = _ctx(), pd.DataFrame({"month": [], "arrival": []})
    card = kpi_card(ctx, _kpi(), trend)
    assert (card.label, card.value) == (t("metric_arrival", "zh"), "90.0%")
    assert card.more["delta"] == "+10.0 pp" and card.more["delta_color"] == "normal"
    # Lower is better: a rise reads red; no change is neither good nor bad.
    assert kpi_card(ctx, _kpi(better="lower"), trend).more["delta_color"] == "inverse"
    flat = kpi_card(ctx, _kpi(delta=0.0), trend).more
    assert (flat["delta_color"], flat["delta_arrow"]) == ("off", "off")
    empty = kpi_card(ctx, _kpi(value=None, delta=None), trend)
    assert empty.value == "—" and empty.more["delta"] is None
    assert empty.help.startswith(t("empty_rate", "zh"))
    count = kpi_card(ctx, _kpi(kpi="tickets", unit="count", value=1234, delta=-5), trend)
    assert (count.label, count.value, count.more["delta"]) == (
        t("tickets_in_period", "zh"), "1,234", "-5")


def test_worklist_view_words_codes_and_headings(db):
    ctx = _ctx("en")
    items = worklist(db, EVERYONE, EVERYTHING)
    view = worklist_view(ctx, "clocks", items.clocks)
    assert list(view.columns)[:3] == [column_heading(ctx, c)
                                      for c in ("ticket_id", "customer_name", "clock")]
    codes = set(items.clocks["clock"])
    assert set(view[column_heading(ctx, "clock")]) == {t(f"overview_clock_{c}", "en")
                                                       for c in codes}


def test_process_view_words_codes_and_leaves_no_holiday_blank():
    ctx = _ctx("en")
    frame = pd.DataFrame({"ticket_id": ["T1", "T2"], "holiday": ["National Day", None],
                          "channel": ["phone", "pigeon"], "arrival_status": ["met", None]})
    view = process_view(ctx, ("holiday", "channel", "arrival_status"), frame)
    assert list(view.iloc[:, 1]) == [t("holiday_National Day", "en"), ""]
    # A code the messages do not name stays as it is.
    assert list(view.iloc[:, 2]) == [t("process_channel_phone", "en"), "pigeon"]
    assert view.iloc[0, 3] == t("status_met", "en")


def test_holiday_cards_say_why_a_group_has_no_rate():
    ctx = _ctx("en")
    duty = pd.DataFrame({"gap": [None, "no_phone", "no_duty"]})
    comp = pd.DataFrame({"grp": ["other"], "compliance": [0.5], "tickets": [4]})
    days, gaps, holiday, other = holiday_cards(ctx, duty, comp, "arrival")
    assert (days.value, gaps.value) == (3, 2)
    assert holiday.value == "—" and holiday.help.startswith(t("empty_rate", "en"))
    assert other.value == "50.0%" and other.help == t(
        "process_holiday_tickets", "en", metric=t("metric_arrival", "en"), n=4)


def test_report_and_action_drill_words():
    ctx = _ctx("en")
    assert report_drill_words(ctx, None, None) is None
    assert report_drill_words(ctx, "reason", None) == t("fault_reports_drill_no_reason", "en")
    assert report_drill_words(ctx, "sections", 5) == t("fault_reports_drill_sections", "en", n=5)
    assert report_drill_words(ctx, "decision", "rejected") == t("fault_reports_decision_rejected",
                                                                "en")
    assert group_label(ctx, "owner_dept", "") == t("act_no_dept", "en")
    assert group_label(ctx, "source_type", "survey") == t("act_source_survey", "en")
    assert drill_words(ctx, ActionDrill(status="open", owner_dept="", completion="late")) == [
        t("act_status_open", "en"), t("act_no_dept", "en"), t("act_completion_late", "en")]


# --- ui helpers in a running script -------------------------------------------------------------

def _cards_app():
    import streamlit as st

    from ui.metrics import Card, metric_row

    n = st.session_state.get("n", 5)
    metric_row([Card(f"c{i}", i, "why" if i % 2 else "") for i in range(n)],
               columns=st.session_state.get("columns", 4))


def test_metric_row_wraps_and_borders_every_card():
    at = AppTest.from_function(_cards_app, default_timeout=60).run()
    assert not at.exception
    assert [m.label for m in at.metric] == [f"c{i}" for i in range(5)]
    assert all(m.proto.show_border for m in at.metric)
    assert [m.help for m in at.metric] == ["", "why", "", "why", ""]
    # Five cards four a row: two rows of four columns each.
    assert len(at.columns) == 8


def _tabs_app():
    import streamlit as st

    from ui.tabs import open_tabs

    for name, tab in open_tabs(["A", "B", "C"], ["a", "b", "c"], key="tabs"):
        with tab:
            st.text(f"drawn {name}")


def test_open_tabs_draw_only_the_open_tab():
    at = AppTest.from_function(_tabs_app, default_timeout=60).run()
    assert [x.value for x in at.text] == ["drawn a"]
    at.session_state["tabs"] = "C"
    at.run()
    assert [x.value for x in at.text] == ["drawn c"]


def _lists_app():
    import pandas as pd
    import streamlit as st

    from service_quality.filters import Filters
    from service_quality.queries import Scope
    from service_quality.queries.tickets import Drill, ticket_list
    from ui.drill import drill_caption, drill_list
    from ui.frame import Context

    ctx = Context("en", Scope.everyone(), Filters("2024-11", "2026-10"),
                  pd.Timestamp("2026-04-01"), {})
    drill_caption(ctx, *st.session_state.get("parts", ()), default="everything")
    drill = Drill(metric="arrival", status="breached", month=st.session_state.get("month"))
    drill_list(ctx, ticket_list, drill, "list", lambda frame: frame[["ticket_id"]], "tickets",
               what=st.session_state.get("what", ""))


@pytest.fixture
def lists(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    return AppTest.from_function(_lists_app, default_timeout=60)


def test_drill_list_counts_rows_and_opens_the_selected_or_typed_ticket(lists):
    lists.run()
    assert not lists.exception
    assert [c.value for c in lists.caption][0] == t("drill_filter", "en", what="everything")
    frame = lists.dataframe[0].value
    assert any(f"{len(frame)}" in c.value for c in lists.caption)   # how many are shown
    assert [s.value for s in lists.subheader] == [t("drill_title", "en")]   # no timeline yet
    lists.session_state["list"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    lists.run()
    second = frame["ticket_id"].iloc[1]
    assert lists.subheader[-1].value == t("timeline_title", "en", ticket=second)
    lists.session_state["list"] = {"selection": {"rows": [], "columns": [], "cells": []}}
    lists.text_input(key="list_lookup").input(frame["ticket_id"].iloc[0]).run()
    assert lists.subheader[-1].value == t("timeline_title", "en", ticket=frame["ticket_id"].iloc[0])


def test_drill_captions_are_shown_literally_and_empty_lists_say_so(lists):
    lists.session_state["parts"] = ("**x**", None, "", "2025-12")
    lists.session_state["what"] = "<b>y</b>"
    lists.session_state["month"] = "1999-01"
    lists.run()
    assert not lists.exception
    captions = [c.value for c in lists.caption]
    assert captions[0] == t("drill_filter", "en", what=r"\*\*x\*\* · 2025\-12")
    assert captions[1] == t("drill_filter", "en", what=r"\<b\>y\</b\>")
    assert [i.value for i in lists.info] == [t("empty", "en")] and not lists.dataframe


# --- the thinned pages' tables: a selected row narrows what follows -----------------------------

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def page(fixture_db, monkeypatch):
    """A page alone on the fixture database, every month of the sample."""
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))

    def make(name: str, lang: str = "en") -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
        at.query_params.update({"from": EVERYTHING.start, "to": EVERYTHING.end, "lang": lang})
        return at
    return make


def _select(at: AppTest, key: str, row: int) -> AppTest:
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def test_a_duty_day_and_an_engineer_picked_on_the_process_page(page, db):
    at = page("process")
    at.session_state["process_tab"] = t("process_tab_holidays", "en")   # the open tab is drawn
    at.run()
    assert not at.exception
    duty = q.holiday_duty(db, EVERYONE, EVERYTHING)
    row = int((duty["tickets"] > 0).to_numpy().argmax())   # a holiday with tickets
    day = str(duty["date"].iloc[row])[:10]
    _select(at, "process_duty_table", row)
    assert not at.exception
    assert t("drill_filter", "en", what=day.replace("-", r"\-")) in [c.value for c in at.caption]
    listed = [d for d in at.dataframe if d.key == "process_holiday_day_tickets"]
    assert len(listed[0].value) == duty["tickets"].iloc[row] > 0
    work = q.engineer_workload(db, EVERYONE, EVERYTHING)
    at.session_state["process_tab"] = t("process_tab_engineers", "en")
    at.run()
    _select(at, "process_engineer_table", 0)
    assert t("drill_filter", "en", what=work["engineer_name"].iloc[0]) in [x.value for x in at.text]
    assert any(d.key == "process_engineer_tickets" for d in at.dataframe)


def test_a_rejection_reason_picked_on_the_fault_report_page(page, db):
    at = page("fault_reports").run()
    assert not at.exception
    reasons = rejection_reasons(db, EVERYONE, EVERYTHING)
    _select(at, "fault_reports_reasons", 0)
    assert not at.exception
    reason = reasons["reason"].iloc[0]
    words = t("fault_reports_drill_no_reason", "en") if pd.isna(reason) \
        else t("fault_reports_drill_reason", "en", reason=reason)
    assert t("drill_filter", "en", what=md_escape(words)) in [c.value for c in at.caption]
    listed = next(d for d in at.dataframe if d.key == "fault_reports_list").value
    expected = report_list(db, EVERYONE, EVERYTHING, report_drill_for("reason", (
        None if pd.isna(reason) else reason)))
    assert sorted(listed.iloc[:, 0]) == sorted(expected["ticket_id"]) and len(expected)
