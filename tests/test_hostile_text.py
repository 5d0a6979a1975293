"""Hostile ids and names on every page: text from data is never Markdown, HTML or a link.

The fixture sample is loaded with Markdown links and images and HTML tags in every free-text
column, in a customer id and in a ticket id. Every page runs (AppTest) and every text Streamlit
renders as Markdown (titles, captions, alerts, labels, tooltips, tabs, expanders) must hold
"evil.example" only escaped and no web address GFM would link; every text plotly renders
(labels, legends, hover) no HTML tag.
"""

import csv
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from service_quality import pages as registry
from service_quality.schema import ENTITIES

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.file for p in registry.PAGES)
EVIL = ("<a href='https://evil.example/h'>h</a><img src=https://evil.example/i.png>"
        "[x](https://evil.example/l)![p](https://evil.example/p.png)")
# Free-text columns of each file, poisoned in every row (the original text kept in front).
POISONED = {
    "customers": ("name", "region", "project_manager"),
    "engineers": ("name", "team", "title"),
    "tickets": ("site", "device"),
    "ticket_events": ("note",),
    "fault_reports": ("reject_reason",),
    "surveys": ("problem_category", "comment"),
    "complaints": ("category", "description", "complaint_manager", "resolution"),
    "actions": ("problem_category", "measure", "owner_dept", "owner", "result"),
    "duty_roster": ("phone", "note"),
}
# One customer id and one ticket id become hostile in every file that names them.
CUSTOMER = "C001"
HOSTILE_CUSTOMER = "C001![c](https://evil.example/c.png)"
HOSTILE_TICKET = "T[x](https://evil.example/t)"
MARKDOWN_FIELDS = {"body", "label", "help", "content", "caption"}
PLAIN_TYPES = {"Text", "Code", "Dataframe", "Arrow", "Exception", "Json", "PlotlyChart",
               "Metric.body"}
TAG = re.compile(r"<\s*/?\s*(a|img|b|i|br|span|sup|sub|em|s|u)\b", re.IGNORECASE)


def _headers(entity: str, names) -> dict[str, set[str]]:
    """Canonical column → every header that means it (English and Chinese)."""
    return {n: {n, *ENTITIES[entity].column(n).zh} for n in names}


def _change(entity: str, header: list[str], row: list, first_ticket: list) -> list:
    row = list(row)
    poison = _headers(entity, POISONED.get(entity, ()))
    ids = _headers(entity, [c for c in ("customer_id", "ticket_id")
                            if c in ENTITIES[entity].column_names])
    for j, h in enumerate(header):
        if j >= len(row) or row[j] in (None, ""):
            continue
        if any(h in names for names in poison.values()):
            row[j] = f"{row[j]}{EVIL}"
        elif h in ids.get("customer_id", ()) and str(row[j]) == CUSTOMER:
            row[j] = HOSTILE_CUSTOMER
        elif h in ids.get("ticket_id", ()):
            if not first_ticket:
                first_ticket.append(str(row[j]))
            if str(row[j]) == first_ticket[0]:
                row[j] = HOSTILE_TICKET
    return row


@pytest.fixture(scope="module")
def hostile_db(sample_dir, tmp_path_factory):
    """The fixture sample with hostile text in every free-text column, loaded."""
    from etl.load import load
    from etl.readers import _decode
    from service_quality.settings import load_settings

    folder = tmp_path_factory.mktemp("hostile")
    src = folder / "input"
    shutil.copytree(sample_dir, src)
    first_ticket: list[str] = []
    for path in sorted(src.glob("tickets.*")) + sorted(p for p in src.iterdir()
                                                         if not p.stem.startswith("tickets")):
        entity = path.stem
        if entity not in ENTITIES:
            continue
        if path.suffix == ".csv":
            encoding, text = _decode(path.name, path.read_bytes())
            rows = list(csv.reader(text.decode("utf-8").splitlines()))
            rows = [rows[0]] + [_change(entity, rows[0], r, first_ticket) for r in rows[1:]]
            with open(path, "w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows(rows)
        else:
            book = openpyxl.load_workbook(path)
            sheet = book.worksheets[0]
            values = [list(r) for r in sheet.iter_rows(values_only=True)]
            for i, row in enumerate(values[1:], start=2):
                for j, v in enumerate(_change(entity, values[0], row, first_ticket), start=1):
                    if v != row[j - 1]:
                        sheet.cell(i, j, v)
            book.save(path)
    db = folder / "service.duckdb"
    load([src], db, load_settings())
    return db


def markdown_texts(at: AppTest) -> list[str]:
    """Every string of the run that Streamlit renders as Markdown."""
    out = []

    def proto_strings(message, kind: str):
        for field, value in message.ListFields():
            name = f"{kind}.{field.name}"
            if name in PLAIN_TYPES:
                continue
            if field.type == field.TYPE_MESSAGE:
                for item in (value if field.is_repeated else [value]):
                    proto_strings(item, type(item).__name__)
            elif field.name in MARKDOWN_FIELDS and isinstance(value, str):
                out.append(value)

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields") \
                and type(proto).__name__ not in PLAIN_TYPES:
            proto_strings(proto, type(proto).__name__)
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else ()):
            walk(child)

    walk(at._tree)
    return out


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def chart_texts(at: AppTest) -> list[str]:
    """Every string plotly would render as text in the run's charts (labels, legends, hover)."""
    out = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            for key in ("x", "y", "z", "text", "hovertext", "labels", "name", "ids"):
                out += list(_strings(trace.get(key)))
            template = str(trace.get("hovertemplate", "")) + str(trace.get("texttemplate", ""))
            if "customdata" in template:
                out += list(_strings(trace.get("customdata")))
        layout = spec.get("layout", {})
        for key, value in layout.items():
            if key.startswith(("xaxis", "yaxis")):
                out += list(_strings({k: value.get(k) for k in ("title", "ticktext",
                                                                   "tickvals", "categoryarray")
                                      if isinstance(value, dict)}))
            elif key in ("title", "annotations", "legend"):
                out += list(_strings(value))
    return out


def run_page(name: str, db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.delenv("DASHBOARD_USERS", raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=120)
    at.query_params["from"] = "2024-01"
    at.query_params["to"] = "2026-12"
    at.run()
    assert not at.exception, at.exception
    return at


# What GitHub-flavoured Markdown links by itself in plain text, once escapes are undone.
AUTOLINK = re.compile(r"(?i)(https?://|www\.)\S*evil")


def assert_no_live_text(at: AppTest, where: str) -> None:
    markdown = [s for s in markdown_texts(at) if "evil.example" in s
                or AUTOLINK.search(re.sub(r"\\(.)", r"\1", s))]
    assert not markdown, (where, markdown[:3])
    tags = [s for s in chart_texts(at) if TAG.search(s)]
    assert not tags, (where, tags[:3])


def test_the_hostile_data_is_in_the_database(hostile_db):
    import duckdb

    with duckdb.connect(str(hostile_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM customers WHERE customer_id = ?",
                           [HOSTILE_CUSTOMER]).fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM tickets WHERE ticket_id = ?",
                           [HOSTILE_TICKET]).fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM engineers WHERE name LIKE '%evil.example%'"
                           ).fetchall()[0][0] > 0


@pytest.mark.parametrize("name", PAGES)
def test_every_page_shows_hostile_text_literally(name, hostile_db, monkeypatch):
    at = run_page(name, hostile_db, monkeypatch)
    assert_no_live_text(at, name)
    # The timeline lookup: a stored hostile id and a typed one reach the same heading.
    for key in [b.key for b in at.text_input if str(b.key or "").endswith("_lookup")]:
        for typed in (HOSTILE_TICKET, "![p](https://evil.example/p.png)"):
            at.text_input(key=key).input(typed).run()
            assert not at.exception, at.exception
            assert_no_live_text(at, f"{name} lookup {typed}")
