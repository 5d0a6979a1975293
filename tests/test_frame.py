"""Filters, their URL form, the scope rule and the message catalogue, without a UI."""

import pandas as pd
import pytest

from service_quality.database import Database
from service_quality.filters import Filters, default_filters
from service_quality.messages import LANGUAGES, catalogue
from service_quality.queries import Scope, run


def test_filters_round_trip_through_the_url():
    f = Filters("2025-01", "2025-06", ("C001", "C002"), ("severe",), ("onsite",), ("湛江一组",))
    q = f.to_query()
    assert q == {"from": "2025-01", "to": "2025-06", "customers": "C001,C002",
                 "severities": "severe", "service_modes": "onsite", "teams": "湛江一组"}
    assert Filters.from_query(q, default_filters(pd.Timestamp("2026-11-01"))) == f


@pytest.mark.parametrize("query, expected", [
    ({}, Filters("2026-10", "2026-10")),                            # the last full month
    ({"from": "2025-13", "to": "x"}, Filters("2026-10", "2026-10")),  # unreadable → default
    ({"from": "2026-05", "to": "2026-01"}, Filters("2026-10", "2026-10")),
    ({"from": "2026-01", "to": "2026-03", "customers": ",C1,"}, Filters("2026-01", "2026-03",
                                                                        ("C1",))),
])
def test_filters_from_a_hand_written_url(query, expected):
    assert Filters.from_query(query, default_filters(pd.Timestamp("2026-11-01 09:00"))) == expected


def test_previous_period_and_trend():
    f = Filters("2026-01", "2026-03")
    assert f.previous() == Filters("2025-10", "2025-12")
    assert f.trend().start == "2025-04" and f.trend().end == "2026-03"
    assert f.params()["end"] == pd.Timestamp("2026-04-01")


def test_a_query_without_a_scope_is_refused(fixture_db):
    db = Database(fixture_db)
    with pytest.raises(TypeError, match="scope"):
        run(db, "ticket_volume", None, Filters("2026-01", "2026-03"), base="_tickets")
    db.close()


def test_customer_scope_is_applied_in_sql(fixture_db):
    db = Database(fixture_db)
    f = Filters("2024-11", "2026-10")
    every = run(db, "ticket_list", Scope.everyone(), f, base="_tickets", d_limit=100000,
                **{f"d_{k}": None for k in ("metric", "status", "month", "customer", "engineer",
                                            "severity_check", "working_time", "holiday")})
    one = every["customer_id"].iloc[0]
    mine = run(db, "ticket_list", Scope.customer(one), f, base="_tickets", d_limit=100000,
               **{f"d_{k}": None for k in ("metric", "status", "month", "customer", "engineer",
                                           "severity_check", "working_time", "holiday")})
    db.close()
    assert set(mine["customer_id"]) == {one}
    assert len(mine) == (every["customer_id"] == one).sum()


def test_every_message_has_both_languages():
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
