"""End to end: raw data → processed → notebooks → one HTML report per client + index."""

from __future__ import annotations

import json
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
            "Tracking across waves", "About this report"]
#: ... and in the technical appendix beside it
APPENDIX_SECTIONS = ["All headline findings", "Who the customer is", "Methods appendix", "Reproducibility"]


def test_report_exists_with_sections(built_project):
    root = built_project["root"]
    outcome = built_project["outcomes"]["tiny"]
    assert outcome.ok, outcome.error
    html = (root / "reports" / "tiny" / "report.html").read_text()
    for section in SECTIONS:
        assert section in html, section
    appendix = (root / "reports" / "tiny" / "appendix.html").read_text()
    for section in APPENDIX_SECTIONS:
        assert section in appendix, section
    assert html.index("Executive summary") < html.index("Who the customer is")
    assert "<script" not in html.lower()
    assert "src=\"http" not in html and "href=\"http" not in html  # self-contained
    assert (root / "reports" / "index.html").exists()


def test_hostile_verbatim_is_escaped_and_masked(built_project):
    rdir = built_project["root"] / "reports" / "tiny"
    html = (rdir / "report.html").read_text() + (rdir / "appendix.html").read_text()
    assert "jane.doe@example.com" not in html and "7946 0958" not in html
    assert "<script>alert(1)</script>" not in html
    if "alert(1)" in html:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_reproducibility_stamp(built_project):
    root = built_project["root"]
    html = (root / "reports" / "tiny" / "appendix.html").read_text()  # the stamp is in the appendix
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
    assert "FAILED: broken (1 of" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    reason = next(line for line in proc.stdout.splitlines() if line.startswith("✗ client 'broken'"))
    assert (proc.stdout + proc.stderr).count(reason[2:]) == 1  # the reason is printed once


# ----------------------------------------------------------------------------- one snapshot per run

PROBE = """\
from cem_research.client.data import load_client
from cem_research.present import findings

data = load_client(client, raw_root=raw_root, wave=wave, snapshot=snapshot)
own = data.own
findings.record(1, "Probe", f"osat mean {own['osat'].mean():.6f} over {len(own)} rows", key="probe_osat",
                value=float(own["osat"].mean()))
"""


def _probe_notebooks(folder: Path) -> Path:
    """Two notebooks that read the client with the runner's ``snapshot`` parameter (as the lead's
    notebooks will: ``snapshot = None`` in the parameters cell, ``load_client(..., snapshot=snapshot)``)."""
    folder.mkdir()
    for name in ("01_probe.ipynb", "02_probe.ipynb"):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell("client = 'x'\nraw_root = None\nwave = None\nsnapshot = None")
        params.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell("# Probe\n\n## Probe"), params, nbformat.v4.new_code_cell(PROBE)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / name)
    return folder


def _edit_survey(folder: Path) -> None:
    """Set every own-brand 'osat' answer of the survey to 1 (the mean moves a lot)."""
    import pandas as pd

    survey = pd.read_csv(folder / "survey.csv", dtype=str)
    survey["osat"] = "1"
    survey.to_csv(folder / "survey.csv", index=False)


def _probe_findings(root: Path) -> list[dict]:
    from cem_research.present.findings import MIME

    out = []
    for path in sorted((root / "reports" / "tiny" / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, 4).cells:
            for o in cell.get("outputs", []):
                if MIME in o.get("data", {}):
                    out.append(o["data"][MIME])
    return out


def test_raw_edit_during_a_run_never_mixes_two_data_versions(tmp_path, monkeypatch):
    """A raw file edited after processing and before the notebooks run: every notebook reads the
    snapshot the run processed, and the report's stamp carries that snapshot's checksums."""
    import pandas as pd

    from cem_research.client.io import sha256_file
    from cem_research.run.pipeline import Runner

    root = make_project(tmp_path / "project", {"tiny": TINY}, notebooks=_probe_notebooks(tmp_path / "nb"))
    raw = root / "data" / "raw" / "tiny"
    old_mean = pd.read_csv(raw / "survey.csv").query("brand_rated == 'Bean & Co.'")["osat"].mean()
    old_sum = sha256_file(raw / "survey.csv")
    original = Runner._tasks
    seen = {}

    def tasks_then_edit(self, client, meta, manifest, code):
        out = original(self, client, meta, manifest, code)
        seen["snapshot"] = meta["snapshot"]
        seen["params"] = [t.parameters for t in out]
        _edit_survey(raw)  # between processing and the notebooks
        return out

    monkeypatch.setattr(Runner, "_tasks", tasks_then_edit)
    outcome = Runner(root, jobs=2, echo=lambda m: None).run()[0]
    assert outcome.ok, outcome.error
    assert all(p["snapshot"] == seen["snapshot"] for p in seen["params"]) and len(seen["params"]) == 2
    new_sum = sha256_file(raw / "survey.csv")
    assert new_sum != old_sum
    html = (root / "reports" / "tiny" / "appendix.html").read_text()
    assert old_sum in html and new_sum not in html  # the stamp: the data the notebooks read
    probes = [f for f in _probe_findings(root) if f.get("key") == "probe_osat"]
    assert len(probes) == 2 and all(f["value"] == pytest.approx(old_mean) for f in probes)
    assert json.loads((root / "data" / "processed" / "tiny" / "meta.json").read_text())["snapshot"] == seen["snapshot"]

    # the next run processes the edited data once, and the whole report moves to it
    monkeypatch.setattr(Runner, "_tasks", original)
    again = Runner(root, jobs=2, echo=lambda m: None).run()[0]
    assert again.ok and again.processed, again.error
    html = (root / "reports" / "tiny" / "appendix.html").read_text()
    assert new_sum in html and old_sum not in html
    probes = [f for f in _probe_findings(root) if f.get("key") == "probe_osat"]
    assert len(probes) == 2 and all(f["value"] == pytest.approx(1.0) for f in probes)


def test_load_client_with_a_snapshot_never_processes(tmp_path):
    """``load_client(..., snapshot=)`` reads that snapshot (even after a raw edit) and refuses a
    processed folder that was replaced; without a snapshot it processes as before."""
    from cem_research.client.data import load_client
    from cem_research.client.errors import SnapshotError
    from cem_research.client.processing import snapshot_id

    from conftest import project_root

    root = make_project(tmp_path / "project", {"tiny": TINY})
    raw = root / "data" / "raw"
    with project_root(root):
        first = load_client("tiny", raw_root=raw)
        snap = first.meta["snapshot"]
        assert snap == snapshot_id(root / "data" / "processed" / "tiny")
        built = first.meta["built"]
        _edit_survey(raw / "tiny")
        (raw / "tiny" / "client.yaml").write_text((raw / "tiny" / "client.yaml").read_text()
                                                  .replace("name: Tiny Client", "name: Renamed Client"))
        same = load_client("tiny", raw_root=raw, snapshot=snap)  # no processing: the old data and contract
        assert same.meta["built"] == built and same.meta["snapshot"] == snap
        assert (same.own["osat"] == first.own["osat"]).all() and not (same.own["osat"] == 1).all()
        assert same.config.name == first.config.name != "Renamed Client"
        assert same.upto("2026Q1").waves == ["2026Q1"]
        fresh = load_client("tiny", raw_root=raw)  # a researcher in JupyterLab: processes the edit
        assert fresh.meta["snapshot"] != snap and (fresh.own["osat"] == 1).all()
        assert fresh.config.name.startswith("Renamed Client")
        with pytest.raises(SnapshotError, match=f"client 'tiny'.*not the snapshot {snap}") as err:
            load_client("tiny", raw_root=raw, snapshot=snap)  # the processed folder was replaced
        assert "\n" not in str(err.value)
