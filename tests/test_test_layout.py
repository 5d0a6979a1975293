"""The tests' own layout: shared helpers live in conftest.py or tests/support/, never in a test
module that another file imports (issue 13)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(name: str) -> bool:
    """Whether a dotted module name ends in a test module (test_*.py)."""
    return name.rsplit(".", 1)[-1].startswith("test_")


def _imports_by_name(call: ast.Call) -> bool:
    """Whether CALL is __import__("…") or importlib.import_module("…") with a literal name."""
    func = getattr(call.func, "id", getattr(call.func, "attr", ""))
    return (func in ("__import__", "import_module") and bool(call.args)
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))


def imports_of_test_modules(path: Path, root: Path = TESTS.parent) -> list[str]:
    """Each import in PATH that reaches into a test module, as "file:line: module"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            # `from tests import test_x` and `from . import test_x` name the module in the list.
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and _imports_by_name(node):
            names = [node.args[0].value]
        else:
            continue
        found += [f"{path.relative_to(root)}:{node.lineno}: {n}"
                  for n in names if n and _is_test_module(n)]
    return found


def test_no_file_of_the_tests_imports_a_test_module():
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 40
    offenders = [hit for path in files for hit in imports_of_test_modules(path)]
    assert offenders == [], "move shared helpers to tests/support/ or fixtures to conftest.py"


def test_the_check_sees_every_form_of_import(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("import tests.test_a\nfrom tests.test_b import x\nfrom test_c import y\n"
                      "from tests import test_d\nfrom . import test_e\n"
                      "from tests.support import z\nimport pytest\n"
                      "m = __import__('tests.test_f', fromlist=['g'])\n"
                      "n = importlib.import_module('tests.test_h')\n", encoding="utf-8")
    hits = [h.split(": ", 1)[1] for h in imports_of_test_modules(sample, tmp_path)]
    assert sorted(hits) == [".test_e", "test_c", "tests.test_a", "tests.test_b", "tests.test_d",
                            "tests.test_f", "tests.test_h"]
