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
#: The ECSI mobile-phone survey (Tenenhaus et al. 2005), beside the bank survey.
MOBI = SOURCE.with_name("mobi.csv")


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
    mobile = root / "data" / "raw" / "mobile"  # built in the same run: the second ECSI survey
    mobile.mkdir(parents=True)
    shutil.copy(REPO / "tests" / "fixtures" / "ecsi_mobile" / "client.yaml", mobile / "client.yaml")
    shutil.copy(MOBI, mobile / "mobi.csv")
    outcomes = {o.client: o for o in Runner(root, jobs=2, echo=lambda m: None).run()}
    assert outcomes["mobile"].ok, outcomes["mobile"].error
    return root, outcomes["bank"]


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


@pytest.mark.parametrize("client, data, wording", [
    ("bank", SOURCE, ["Expectations, item 2 of 5"]),  # no wording published: block and place
    ("mobile", MOBI, ["Technical quality of the network", "Fulfillment of expectations"]),
])
def test_ecsi_reports_name_items_by_wording_never_by_code(bank_report, client, data, wording):
    """Issue 15: the reports show the question wording (or, without it, the block and place), never the codes."""
    import re

    import pandas as pd

    from cem_research.present.report.render import visible_text

    root, _ = bank_report
    codes = [c for c in pd.read_csv(data, index_col=0).columns if c != "gender"]
    shown = " ".join(visible_text((root / "reports" / client / f).read_text())
                     for f in ("report.html", "appendix.html"))
    leaked = sorted({c for c in codes if re.search(rf"\b{re.escape(c)}\b", shown)})
    assert not leaked, f"{client}: item codes shown to readers: {leaked}"
    for w in wording:
        assert w in shown
