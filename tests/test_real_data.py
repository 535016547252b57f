"""A real survey nobody here made, onboarded from the contract alone, gets a full report.

The ECSI bank survey (R plspm ``satisfaction``; GPL-3, read-only from ``../shared/external``) is
copied unchanged into a temporary project with a client.yaml naming its own items: no id or wave
column, no competitors, no verbatims, no touchpoints.  Every notebook must run and every section
it cannot support must say why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, make_project

pytestmark = pytest.mark.slow

SOURCE = Path("/work/shared/external/ecsi-satisfaction/satisfaction.csv")
if not SOURCE.exists():
    SOURCE = REPO.parent / "shared" / "external" / "ecsi-satisfaction" / "satisfaction.csv"


@pytest.fixture(scope="module")
def bank_report(tmp_path_factory):
    if not SOURCE.exists():
        pytest.skip("shared/external/ecsi-satisfaction is not beside the project")
    from cem_research.run.pipeline import Runner

    root = make_project(tmp_path_factory.mktemp("bank"), {})
    folder = root / "data" / "raw" / "bank"
    folder.mkdir(parents=True)
    cfg = yaml.safe_load((REPO / "tests" / "fixtures" / "ecsi_bank" / "client.yaml").read_text())
    cfg["survey"] = {"file": "satisfaction.csv"}  # the export as it is: no id, no wave
    (folder / "client.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    shutil.copy(SOURCE, folder / "satisfaction.csv")
    outcome = Runner(root, jobs=2, echo=lambda m: None).run()[0]
    return root, outcome


def test_bank_report_builds_with_skips_explained(bank_report):
    root, outcome = bank_report
    assert outcome.ok, outcome.error
    html = (root / "reports" / "bank" / "report.html").read_text()
    assert "Executive summary" in html and "Perceived value" in html
    assert "Not analysed for this client" in html
    appendix = (root / "reports" / "bank" / "appendix.html").read_text()
    appendix = appendix[appendix.index("Analyses skipped for this client"):]
    assert "touchpoint" in appendix.lower() and "<li>" in appendix
    assert "Sensory" not in html  # nothing of the Brand Experience Scale leaks in


def test_bank_reliability_in_appendix_equals_direct_computation(bank_report):
    import pandas as pd
    import pingouin as pg

    root, _ = bank_report
    html = (root / "reports" / "bank" / "appendix.html").read_text()  # the methods are in the appendix
    data = pd.read_csv(SOURCE, index_col=0)
    items = ["imag1", "imag2", "imag3", "imag4", "imag5"]
    raw = pg.cronbach_alpha(data[items])[0]
    z = (data[items] - data[items].mean()) / data[items].std()
    std = pg.cronbach_alpha(z)[0]
    appendix = html[html.index("id='reliability'"):]
    row = appendix[appendix.index("<td>Image</td>"):]
    row = row[: row.index("</tr>")]
    assert f"<td>{raw:.2f}</td>" in row and f"<td>{std:.2f}</td>" in row
