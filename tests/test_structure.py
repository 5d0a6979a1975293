"""The code's structure: where things live, which APIs it may use, how modules import each other."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from service_quality.messages import catalogue

ROOT = Path(__file__).resolve().parent.parent


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


def test_upload_is_a_streamlit_free_library_in_etl():
    """Preview, confirm, the job registry, name sanitising and the sweep live in etl.upload."""
    code = ("import sys, etl.upload as u; "
            "assert 'streamlit' not in sys.modules, 'etl.upload imports Streamlit'; "
            "print(all(callable(getattr(u, n)) for n in "
            "('safe_name', 'sweep', 'save_upload', 'build_preview', 'confirm', 'start', "
            "'may_upload')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "True"
    page = _functions(ROOT / "ui" / "upload.py")
    assert not page & {"safe_name", "sweep", "discard", "save_upload", "build_preview", "confirm",
                       "start", "Job", "Preview", "FilePreview", "Upload", "may_upload"}


def test_the_upload_role_check_is_written_once():
    """Only etl.upload.may_upload says who may load data; the page and confirm both ask it."""
    hits = [p for p in (*ROOT.glob("etl/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"))
            if "upload" in p.name and '"supervisor"' in p.read_text(encoding="utf-8")]
    assert hits == [ROOT / "etl" / "upload.py"]
    assert (ROOT / "etl" / "upload.py").read_text(encoding="utf-8").count('"supervisor"') == 1


PRIVATE = ("streamlit.runtime", "streamlit.emojis", "streamlit.web", "streamlit.elements",
           "PagesManager", "_getframe", "inspect.stack", "inspect.currentframe", "f_back")


def _code_files():
    skip = {"tests", "benchmarks"}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in skip and not rel.parts[0].startswith("."):
            yield rel, path.read_text(encoding="utf-8")


def test_no_private_streamlit_api_and_no_stack_inspection():
    """The app uses Streamlit's public API only and never looks up its caller on the stack."""
    found = [f"{rel}: {word}" for rel, text in _code_files() for word in PRIVATE if word in text]
    assert found == []


PACKAGES = ("service_quality", "ui", "etl")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports (at the top or inside a function)."""
    files = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([base] if base else [])])
                # `from pkg import mod` imports the module pkg.mod; `from pkg import name`, pkg.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                           for a in node.names]
            else:
                continue
            edges.update(t for t in targets if t in files and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle's modules (Tarjan's strongly connected components of two or more)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_finds_a_known_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_in_the_app():
    """service_quality, ui and etl import each other without a cycle (function imports too)."""
    assert cycles(import_graph()) == []


def test_nothing_reaches_past_the_cache_wrapper():
    """No module imports ui.data's private parts (its connection, its caches)."""
    reach = []
    for rel, text in _code_files():
        if rel == Path("ui/data.py"):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and (
                    node.module == "ui.data"
                    or (node.level == 1 and node.module == "data" and rel.parts[0] == "ui")):
                reach += [f"{rel}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert reach == []


def test_the_cache_wrapper_takes_any_domain_callable_and_nothing_else():
    from service_quality.queries.customer_report import report_customers
    from service_quality.reports.customer_report import scoped_customer_report
    from service_quality.reports.management_workbook import management_workbook
    from ui.data import _domain

    for fn in (report_customers, scoped_customer_report, management_workbook):
        assert _domain(fn) == (fn.__module__, fn.__name__)
    for fn in (lambda db, scope: None, _module_name, ast.parse):
        try:
            _domain(fn)
        except ValueError:
            continue
        raise AssertionError(f"{fn} was accepted")


def test_the_three_reports_have_three_names():
    """"report" alone names nothing: fault_report(s)_*, customer_report_*, management_workbook_*."""
    # customer_reports / fault_reports say which; "reports" alone says nothing
    ambiguous = {"report", "reports", "management", "customer", "mgmt"}
    modules = [p.relative_to(ROOT) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
               if p.stem in ambiguous]
    sql = [p.name for p in (ROOT / "service_quality" / "sql").glob("*.sql")
           if p.stem.split("_")[0] in {"report", "mgmt"}]
    tests = [p.name for p in (ROOT / "tests").glob("test_*.py")
             if p.stem.removeprefix("test_") in ambiguous]
    message_files = [p.name for p in (ROOT / "service_quality" / "messages").glob("*.toml")
                     if p.stem in ambiguous]
    message_keys = [k for k in catalogue() if k.split("_")[0] in {"report", "mgmt"}]
    assert (modules, sql, tests, message_files, message_keys) == ([], [], [], [], [])


def test_lists_count_their_matching_rows_apart_from_the_rows_they_show():
    # `count(*) OVER ()` beside a LIMIT made DuckDB hold every matching row's columns before
    # keeping the first few: at 10 M tickets a month's ticket list took 0.25-0.38 s instead of
    # 0.08 s. Lists count `matching` in a CROSS JOIN of the filtered rows' count (ticket_list.sql).
    sql_dir = Path(__file__).resolve().parents[1] / "service_quality" / "sql"
    windowed = [p.name for p in sorted(sql_dir.glob("*.sql"))
                if re.search(r"count\(\*\)\s+OVER\s*\(\s*\)\s+AS\s+matching",
                             p.read_text(encoding="utf-8"), re.IGNORECASE)]
    assert windowed == []
