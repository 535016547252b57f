"""Pope's (2010) UCE scorecard (issue 20): the ``uce:`` contract key, the scorecard's statistics, the limiting
factor's rule, the demo plant and its recovery."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from cem_research import stats
from cem_research.client.config import UCE_FACTORS, parse_config
from cem_research.client.errors import ContractError
from cem_research.steps.interface.uce import UceResult, UceScorecard, limiting_factor, uce_finding, uce_scorecard
from cem_research.steps.section import Settings

REPO = Path(__file__).resolve().parents[1]


def _cfg(**uce):
    constructs = {"culture": {"items": ["c1", "c2"]}, "relation": {"items": ["r1", "r2"]},
                  "people": {"items": ["p1", "p2"]}, "sat": {"items": ["s1"], "scale": [1, 10]}}
    for name, factor in uce.items():
        constructs[name]["uce"] = factor
    return parse_config({"brand": "B", "survey": {"file": "s.csv"}, "constructs": constructs,
                         "outcomes": ["sat"]}, "demo")


# ---- the contract -----------------------------------------------------------------------------------
def test_uce_is_parsed_in_pope_order():
    cfg = _cfg(relation="relationship", culture="culture")
    assert cfg.uce_factors == {"culture": "culture", "relationship": "relation"}
    assert cfg.constructs["people"].uce is None
    assert UCE_FACTORS == ("culture", "people", "relationship", "understanding", "uncommon")


def test_unknown_factor_is_refused_in_one_line():
    with pytest.raises(ContractError) as e:
        _cfg(culture="service")
    msg = str(e.value)
    assert "\n" not in msg and "client 'demo'" in msg and "client.yaml" in msg and "'culture'" in msg
    assert "culture, people, relationship, understanding, uncommon" in msg


def test_one_construct_per_factor():
    with pytest.raises(ContractError, match="both declare uce: culture"):
        _cfg(culture="culture", people="culture")


def test_bad_input_case_expects_the_refusal():
    text = (REPO / "tests" / "bad_inputs" / "uce_unknown_factor" / "expected.txt").read_text().strip()
    assert text.endswith("use one of culture, people, relationship, understanding, uncommon (Pope's five factors "
                         "of the Ultimate Client Experience)")


# ---- the statistics ---------------------------------------------------------------------------------
def _data(n=300, seed=1, weights=False, strong="relation"):
    """A small own-brand frame: the outcome loads on ``strong`` most; ``relation`` is rated lowest."""
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(n)
    cols = {}
    for name, corr, mean in (("culture", 0.3, 5.3), ("relation", 0.3, 3.8), ("people", 0.3, 5.2)):
        corr = 0.7 if name == strong else corr
        cols[name] = mean + corr * y + np.sqrt(1 - corr ** 2) * rng.standard_normal(n)
    own = pd.DataFrame({**cols, "sat": 6 + 1.5 * y})
    if weights:
        own["weight"] = rng.uniform(0.5, 2.0, n)
    cfg = _cfg(culture="culture", relation="relationship", people="people")
    return SimpleNamespace(config=cfg, own=own, weight="weight" if weights else None, main_outcome="sat")


def test_scorecard_reuses_the_shared_statistics():
    data = _data(weights=True)
    card = uce_scorecard(data, n_boot=60, seed=3).set_index("construct")
    imp = stats.relative_importance(data.own, "sat", ["culture", "relation", "people"], n_boot=60, seed=3)
    imp = imp.set_index("driver")
    for c in ("culture", "relation", "people"):
        m = stats.mean_ci(data.own, c, weights="weight").iloc[0]
        assert card.at[c, "mean"] == pytest.approx(m["mean"])          # weighted mean, as the landscape's
        assert card.at[c, "ci_low"] == pytest.approx(m["ci_low"])
        assert card.at[c, "importance"] == pytest.approx(imp.at[c, "share"])
        assert card.at[c, "importance_ci_high"] == pytest.approx(imp.at[c, "share_ci_high"])
        room = (7 - m["mean"]) / 6
        assert card.at[c, "gain"] == pytest.approx(imp.at[c, "share"] * room)
        assert card.at[c, "gain_ci_low"] <= card.at[c, "gain"] <= card.at[c, "gain_ci_high"]


def test_gain_interval_equals_a_plain_bootstrap_loop_with_pingouin():
    """The vectorised resamples (LMG from correlation matrices) against pingouin's relimp, resample by resample."""
    data = _data(n=150, seed=5)
    names = ["culture", "relation", "people"]
    n_boot, seed = 40, 11
    card = uce_scorecard(data, n_boot=n_boot, seed=seed).set_index("construct")
    rng = np.random.default_rng(seed)
    own = data.own
    gains = []
    for _ in range(n_boot):
        b = own.iloc[rng.integers(0, len(own), len(own))]
        lr = pg.linear_regression(b[names], b["sat"], relimp=True).iloc[1:]
        share = lr["relimp"].to_numpy() / lr["r2"].iloc[0]
        gains.append(share * (7 - b[names].mean().to_numpy()) / 6)
    lo, hi = np.percentile(np.array(gains), [2.5, 97.5], axis=0)
    np.testing.assert_allclose(card.loc[names, "gain_ci_low"], lo, rtol=1e-6)
    np.testing.assert_allclose(card.loc[names, "gain_ci_high"], hi, rtol=1e-6)


def test_limiting_factor_needs_separated_intervals_and_reliability():
    t = pd.DataFrame({"factor": ["culture", "relationship", "people"], "reliable": [True, True, True],
                      "gain": [0.05, 0.30, 0.04], "gain_ci_low": [0.03, 0.22, 0.02], "gain_ci_high": [0.08, 0.38, 0.06]})
    assert limiting_factor(t) == {"leader": "relationship", "runner_up": "culture", "separated": True,
                                  "tied": ["relationship"]}
    tied = t.assign(gain_ci_high=[0.25, 0.38, 0.06])
    v = limiting_factor(tied)
    assert not v["separated"] and v["tied"] == ["relationship", "culture"]
    unreliable = t.assign(reliable=[True, False, True])
    assert limiting_factor(unreliable)["leader"] == "culture"


def test_finding_names_the_limit_only_when_separated():
    clear = _data(n=600, seed=2)
    card = uce_scorecard(clear, n_boot=80, seed=1)
    v = limiting_factor(card)
    assert v["leader"] == "relationship" and v["separated"]
    text = uce_finding(UceResult(card, v), outcome_label="Sat")["text"]
    assert "Relation most limits the client experience" in text

    tie = _data(n=60, seed=4, strong="none")  # no factor matters more than another
    card = uce_scorecard(tie, n_boot=80, seed=1)
    v = limiting_factor(card)
    f = uce_finding(UceResult(card, v), outcome_label="Sat")
    if not v["separated"]:
        assert "most limits" not in f["text"] and "cannot single out" in f["text"] and not f["headline"]
    assert v["leader"] is not None


def test_present_without_competitors_and_with_one_factor():
    """No competitor ratings: the chart shows the own brand alone; one factor: scores, no limiting verdict."""
    data = _data(n=200, seed=6)
    card = uce_scorecard(data, n_boot=40, seed=1)
    result = UceResult(card, limiting_factor(card))
    shown = UceScorecard().present(result, data, Settings(n_boot=40))
    assert [s.kind for s in shown] == ["markdown", "figure", "table"] and shown[1].layer == "client"
    assert str(shown[0].content).startswith("## The Ultimate Client Experience scorecard")  # the optional heading
    labels = [t.get_text() for t in shown[1].content.axes[0].get_yticklabels()]
    assert result.verdict["separated"]
    assert labels == ["Culture (culture)", "People (people)", "Relation (relationship) — limits most"]
    one = SimpleNamespace(config=_cfg(culture="culture"), own=data.own, weight=None, main_outcome="sat")
    card = uce_scorecard(one, n_boot=40, seed=1)
    assert len(card) == 1 and card["importance"].isna().all()
    f = uce_finding(UceResult(card, limiting_factor(card)))
    assert "cannot be said" in f["text"] and f["value"] is None and "most limits" not in f["text"]


# ---- the demo plant ----------------------------------------------------------------------------------
def test_the_factors_have_their_own_random_stream():
    """With or without the UCE factors, every other answer of software_vendor is the same."""
    from datasets.demo import seed_for
    from datasets.spec import load_spec
    from datasets.survey import row_counts, simulate

    spec = load_spec("software_vendor")
    assert spec.uce is not None and spec.uce.limiting == "relationship"
    runs = []
    for s in (spec, dataclasses.replace(spec, uce=None)):
        rng = np.random.default_rng(seed_for(s.stream, 2026))
        runs.append(simulate(s, rng, row_counts(s, 200), 1.0, np.datetime64("2025-07-01")))
    with_uce, without = runs
    assert set(with_uce.items) - set(without.items) == set(spec.uce.items)
    for item, v in without.items.items():
        np.testing.assert_array_equal(with_uce.items[item], v, err_msg=item)


def test_demo_truth_records_the_limiting_factor():
    truth = json.loads((REPO / "data" / "raw" / "software_vendor" / "truth.json").read_text())
    assert truth["uce"]["limiting_factor"] == "relationship"
    assert set(truth["uce"]["constructs"]) == set(UCE_FACTORS)


def test_planted_limiting_factor_is_recovered(clients):
    data = clients["software_vendor"]
    truth = json.loads((REPO / "data" / "raw" / "software_vendor" / "truth.json").read_text())["uce"]
    section, settings = UceScorecard(), Settings(n_boot=200)
    assert section.skip_reason(data, settings) is None
    result = section.result(data, settings)
    assert result.verdict["leader"] == truth["limiting_factor"] and result.verdict["separated"]
    label = data.config.constructs[truth["constructs"][truth["limiting_factor"]]].title
    f = section.findings(result, data, settings)[0]
    assert f"{label} most limits the client experience" in f["text"] and f["headline"]
    assert result.brands is not None and set(result.brands["brand"]) == set(data.config.brands)
    assert (result.scorecard["reliable"]).all()
    shown = section.present(result, data, settings)
    assert [s.layer for s in shown if s.kind == "figure"] == ["client"]
    assert all(s.layer == "appendix" for s in shown if s.kind == "table")


@pytest.mark.parametrize("client", ["coffee_house", "fitness_club", "tiny_client"])
def test_a_client_without_uce_gets_nothing(client, clients):
    """No heading, no skip line: the report of a client without ``uce:`` is the report it had before."""
    data = clients[client]
    assert not data.config.uce_factors
    reason = UceScorecard().skip_reason(data, Settings())
    assert reason and "\n" not in reason and "uce:" in reason
    assert UceScorecard().run(data, Settings()) is None
