"""The agreement's terms the data was judged by (customer_terms), for every page and export."""

from __future__ import annotations

from ..database import Database
from ..filters import Filters
from ..terms import CustomerTerms, TermsInForce, settings_from_row
from . import Scope, run


def terms_in_force(db: Database, scope: Scope, filters: Filters | None = None) -> TermsInForce:
    """The defaults and each customer's terms, within the scope and the customer filter."""
    frame = run(db, "terms_in_force", scope, filters,
                **({} if filters else {"f_customers": None}))
    default = frame[frame["customer_id"].isna()]
    rows = frame[frame["customer_id"].notna()]
    return TermsInForce(
        default=settings_from_row(default.iloc[0]),
        customers=tuple(
            CustomerTerms(customer_id=row["customer_id"], name=str(row["customer_name"]),
                          overridden=tuple(row["overridden"]), terms=settings_from_row(row),
                          in_data=bool(row["in_data"]))
            for _, row in rows.iterrows()))
