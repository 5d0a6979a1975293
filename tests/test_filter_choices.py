"""The sidebar's choices come from the small table the load builds, not from every ticket."""

import shutil

import duckdb
import pytest

from service_quality.database import Database
from service_quality.queries import Scope
from service_quality.queries.common import FilterOptions, filter_options

# What filter_options read per view before issue 16: the same answer from every ticket.
PER_TICKET = """
SELECT 'customer' AS kind, t.customer_id AS value, coalesce(c.name, t.customer_id) AS label
FROM (SELECT DISTINCT customer_id FROM ticket_facts
      WHERE $customers IS NULL OR list_contains($customers, customer_id)) AS t
LEFT JOIN customers AS c USING (customer_id)
UNION ALL
SELECT DISTINCT 'team', team, team
FROM ticket_facts
WHERE team IS NOT NULL AND ($customers IS NULL OR list_contains($customers, customer_id))
UNION ALL
SELECT 'month', strftime(min(reported_at), '%Y-%m'), strftime(max(reported_at), '%Y-%m')
FROM ticket_facts
WHERE $customers IS NULL OR list_contains($customers, customer_id)
ORDER BY kind, value
"""


def per_ticket(db: Database, scope: Scope) -> FilterOptions:
    frame = db.query(PER_TICKET, scope.params())
    months = frame[frame["kind"] == "month"]
    customers = frame[frame["kind"] == "customer"]
    return FilterOptions(dict(zip(customers["value"], customers["label"], strict=True)),
                         tuple(frame.loc[frame["kind"] == "team", "value"]),
                         months["value"].iloc[0], months["label"].iloc[0])


@pytest.mark.parametrize("scope", [
    Scope.everyone(), Scope.customer("C001"), Scope(("C002", "C005")), Scope(("NOBODY",)),
    Scope(()),
])
def test_filter_options_are_the_per_ticket_answer(db, scope):
    assert filter_options(db, scope) == per_ticket(db, scope)


def test_filter_options_do_not_read_the_tickets(fixture_db, tmp_path):
    copy = tmp_path / "service.duckdb"
    shutil.copyfile(fixture_db, copy)
    con = duckdb.connect(str(copy))
    rows = con.execute("SELECT count(*) FROM filter_choices").fetchall()[0][0]
    tickets = con.execute("SELECT count(*) FROM ticket_facts").fetchall()[0][0]
    con.execute("DROP TABLE ticket_facts")
    con.close()
    assert rows < tickets / 10   # a few rows per customer
    db = Database(copy)
    try:
        options = filter_options(db, Scope.everyone())
    finally:
        db.close()
    assert options.customers and options.teams and options.first_month <= options.last_month
