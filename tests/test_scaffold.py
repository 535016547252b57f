"""`make new-client` writes a template that parses and tells the researcher what is missing."""

import pytest

from cem_research.client.config import load_config
from cem_research.client.contract import read_client
from cem_research.client.errors import ContractError
from cem_research.run.scaffold import new_client


def test_new_client_template_parses_and_asks_for_data(tmp_path):
    folder = new_client("acme", tmp_path)
    # no empty optional files: the template describes them in comments only
    assert sorted(p.name for p in folder.iterdir()) == ["client.yaml", "survey.csv"]
    cfg = load_config(folder)
    assert cfg.brand == "Our Brand" and cfg.nps == "recommend"
    assert set(cfg.experience_dimensions) == {"sensory", "affective", "intellectual", "behavioral"}
    with pytest.raises(ContractError, match="header row but no answer rows"):
        read_client(cfg)
    # fill the survey with two answer rows: the template's own column names are accepted
    header = (folder / "survey.csv").read_text().strip().split(",")
    rows = []
    for i, brand in enumerate(["Our Brand", "Rival One"], start=1):
        values = {"respondent_id": f"r{i}", "wave": "W1", "brand": brand, "customer_type": "B2C", "role": "user",
                  "overall_satisfaction": "8", "likelihood_to_recommend": "9"}
        rows.append(",".join(values.get(h, "5") for h in header))
    (folder / "survey.csv").write_text(",".join(header) + "\n" + "\n".join(rows) + "\n")
    raw = read_client(cfg)
    assert len(raw.ratings) == 2
    assert raw.ratings.loc[0, "sens3_r"] == 5  # raw; reverse-keying happens in processing


def test_new_client_never_overwrites(tmp_path):
    new_client("acme", tmp_path)
    with pytest.raises(FileExistsError):
        new_client("acme", tmp_path)


def test_new_client_refuses_path_names(tmp_path):
    with pytest.raises(ContractError, match="not allowed"):
        new_client("../evil", tmp_path)
