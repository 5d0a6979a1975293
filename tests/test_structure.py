"""The code's structure: where things live, which APIs it may use, how modules import each other."""

import ast
import subprocess
import sys
from pathlib import Path

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
