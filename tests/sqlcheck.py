"""Independent SQL on a database file: what the tests compare the app's numbers with."""

import duckdb
import pandas as pd


def frame(path, text: str, params=()) -> pd.DataFrame:
    """An independent query's rows as a DataFrame (read-only, its own connection)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, list(params)).df()
    finally:
        con.close()


def rows(path, text: str, params=()) -> list[tuple]:
    """An independent query's rows as tuples (read-only, its own connection)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, list(params)).fetchall()
    finally:
        con.close()


def value(path, text: str, params=()):
    """One number from an independent query."""
    return frame(path, text, params).iloc[0, 0]
