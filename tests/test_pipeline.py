"""End to end: raw data → processed → notebooks → one HTML report per client + index."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, TINY, make_project

pytestmark = pytest.mark.slow

SECTIONS = ["Executive summary", "How to read this report", "Who the customer is",
            "Measurement quality", "What drives the outcomes", "Touchpoint performance",
            "Tracking across waves", "Methods appendix", "Reproducibility"]


def test_report_exists_with_sections(built_project):
    root = built_project["root"]
    outcome = built_project["outcomes"]["tiny"]
    assert outcome.ok, outcome.error
    html = (root / "reports" / "tiny" / "report.html").read_text()
    for section in SECTIONS:
        assert section in html, section
    assert html.index("Executive summary") < html.index("Who the customer is")
    assert "<script" not in html.lower()
    assert "src=\"http" not in html and "href=\"http" not in html  # self-contained
    assert (root / "reports" / "index.html").exists()


def test_hostile_verbatim_is_escaped_and_masked(built_project):
    html = (built_project["root"] / "reports" / "tiny" / "report.html").read_text()
    assert "jane.doe@example.com" not in html and "7946 0958" not in html
    assert "<script>alert(1)</script>" not in html
    if "alert(1)" in html:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_reproducibility_stamp(built_project):
    root = built_project["root"]
    html = (root / "reports" / "tiny" / "report.html").read_text()
    from cem_research import __version__
    from cem_research.client.io import sha256_file

    assert f"cem-research {__version__}" in html
    for f in (root / "data" / "raw" / "tiny").glob("*.csv"):
        assert sha256_file(f) in html, f.name
    assert "client = &#x27;tiny&#x27;" in html or "client = 'tiny'" in html


def test_broken_client_fails_alone_with_one_line(built_project):
    broken = built_project["outcomes"]["broken"]
    assert not broken.ok
    assert "\n" not in broken.error
    assert "client 'broken'" in broken.error and built_project["broken_item"] in broken.error
    assert "row 4" in broken.error  # lines[3] = 4th line of the file = spreadsheet row 4
    assert not (built_project["root"] / "reports" / "broken" / "report.html").exists()
    index = (built_project["root"] / "reports" / "index.html").read_text()
    assert "broken" in index and "failed" in index


def test_second_run_does_nothing(built_project):
    from cem_research.run.pipeline import Runner

    root = built_project["root"]
    report = root / "reports" / "tiny" / "report.html"
    before = report.stat().st_mtime_ns
    messages: list[str] = []
    outcomes = {o.client: o for o in Runner(root, clients=["tiny"], jobs=2, echo=messages.append).run()}
    assert outcomes["tiny"].ok and not outcomes["tiny"].executed and not outcomes["tiny"].processed
    assert not outcomes["tiny"].report_built
    assert report.stat().st_mtime_ns == before


def test_raw_files_never_written(built_project):
    root = built_project["root"]
    for f in (root / "data" / "raw" / "tiny").iterdir():
        assert f.stat().st_mtime <= (root / "data" / "processed" / "tiny" / "meta.json").stat().st_mtime


def test_failing_notebook_keeps_previous_report(tmp_path):
    """A notebook that fails on purpose: the previous report stays, no partial file appears."""
    from cem_research.run.pipeline import Runner

    nbdir = tmp_path / "nbsrc"
    nbdir.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("client = 'x'\nraw_root = None\nwave = None\nfail = False")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Probe\n\n## Section"), params,
                nbformat.v4.new_code_cell("import os\nif os.environ.get('CEM_FAIL'): raise RuntimeError('on purpose')\nprint('ok')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nbdir / "01_probe.ipynb")
    root = make_project(tmp_path / "project", {"tiny": TINY}, notebooks=nbdir)
    first = Runner(root, jobs=1, echo=lambda m: None).run()[0]
    assert first.ok, first.error
    report = root / "reports" / "tiny" / "report.html"
    good = report.read_bytes()
    executed = (root / "reports" / "tiny" / "notebooks" / "01_probe.ipynb").read_bytes()
    import os

    os.environ["CEM_FAIL"] = "1"
    try:
        second = Runner(root, jobs=1, force=True, echo=lambda m: None).run()[0]
    finally:
        del os.environ["CEM_FAIL"]
    assert not second.ok and "on purpose" in second.error and "01_probe.ipynb" in second.error
    assert report.read_bytes() == good
    assert (root / "reports" / "tiny" / "notebooks" / "01_probe.ipynb").read_bytes() == executed
    leftovers = [p for p in (root / "reports").rglob("*") if ".tmp" in p.name]
    assert leftovers == []


def test_cli_run_reports_failure_exit_code(built_project):
    root = built_project["root"]
    proc = subprocess.run([sys.executable, "-m", "cem_research", "--root", str(root), "run", "-j", "2"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "FAILED client 'broken'" in proc.stderr and "Traceback" not in proc.stderr
