"""Behavioural outcomes (issue 20): the ``behaviour:`` contract, the ROC AUC helper, and the step-5 section
that checks stated loyalty against what customers did, on the demo fitness club's planted behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_research.client.behaviour import parse_behaviour
from cem_research.client.config import parse_config
from cem_research.client.errors import ContractError
from cem_research.stats.discrimination import auc_ci, roc_auc
from cem_research.steps.innovation import StatedVsBehaviour, stated_and_done
from cem_research.steps.section import Settings

REPO = Path(__file__).resolve().parents[1]
SETTINGS = Settings(n_boot=200, seed=11)


# ---- the contract ---------------------------------------------------------------------------------
BASE = {"brand": "B", "survey": {"file": "s.csv", "id": "rid"}, "constructs": {"q": ["q1"]}}
COLUMNS = {"referrals": {"kind": "count", "period": "6 months", "role": "referral"},
           "left": {"kind": "binary", "period": "6 months", "role": "churn"}}


def test_behaviour_is_parsed():
    cfg = parse_config({**BASE, "behaviour": {"file": "b.csv", "id": "rid", "columns": COLUMNS}}, "demo")
    spec = cfg.behaviour
    assert spec.file.file == "b.csv" and spec.file.col("id") == "rid" and spec.max_unknown == 0.05
    assert spec.by_role("churn").name == "left" and spec.by_role("repeat") is None
    assert cfg.option_files()["behaviour"] == "b.csv"          # hashed with the raw files
    assert parse_config(BASE, "demo").behaviour is None


@pytest.mark.parametrize("change, message", [
    ({"columns": {"x": {"kind": "money", "period": "1 year"}}}, "'behaviour.columns.x.kind' is 'money'"),
    ({"columns": {"x": {"kind": "count"}}}, "'behaviour.columns.x.period' is required"),
    ({"columns": {"x": {"kind": "count", "period": "1 year", "role": "churn"}}}, "its kind must be binary"),
    ({"columns": {**COLUMNS, "more": {"kind": "count", "period": "1 year", "role": "referral"}}},
     "already declared for column 'referrals'"),
    ({"max_unknown": 2}, "'behaviour.max_unknown' must be a share between 0 and 1"),
    ({"colums": COLUMNS}, "unknown key 'colums' in behaviour"),
])
def test_bad_behaviour_declarations_are_refused(change, message):
    raw = {"file": "b.csv", "id": "rid", "columns": COLUMNS, **change}
    with pytest.raises(ContractError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_config({**BASE, "behaviour": raw}, "demo")


def test_behaviour_needs_respondent_ids():
    cfg = parse_config({**BASE, "survey": {"file": "s.csv"}}, "demo")
    with pytest.raises(ContractError, match="'survey.id' is not declared"):
        parse_behaviour({"file": "b.csv", "id": "rid", "columns": COLUMNS}, cfg)


# ---- ROC AUC ----------------------------------------------------------------------------------------
def test_roc_auc_equals_sklearn_with_ties():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    s = rng.integers(0, 11, 300) + y          # whole-point scores: many ties
    assert roc_auc(y, s) == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)
    assert np.isnan(roc_auc(np.zeros(5), np.arange(5)))


@pytest.fixture(scope="module")
def fitness(clients):
    return clients["fitness_club"]


@pytest.fixture(scope="module")
def truth():
    return json.loads((REPO / "data" / "raw" / "fitness_club" / "truth.json").read_text())


def test_auc_and_interval_equal_sklearn_and_a_plain_bootstrap_loop(fitness):
    """The demo club's churn against likelihood to recommend: sklearn's AUC, and a plain loop over the
    documented resamples."""
    metrics = pytest.importorskip("sklearn.metrics")
    joined = stated_and_done(fitness)
    d = joined[["churn", "ltr"]].dropna()
    y, s = d["churn"].to_numpy(), -d["ltr"].to_numpy()     # a low LTR should go with leaving
    got = auc_ci(d, "churn", "ltr", n_boot=300, seed=5, higher_means_event=False).iloc[0]
    assert got["auc"] == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)
    rng = np.random.default_rng(5)
    idx = rng.integers(0, len(y), (300, len(y)))
    boot = [metrics.roc_auc_score(y[i], s[i]) for i in idx if 0 < y[i].sum() < len(i)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    assert got["n"] == len(y) and got["n_event"] == int(y.sum())


# ---- the section on the demo fitness club -----------------------------------------------------------
def test_the_join_counts_unmatched_ids(fitness, truth):
    acc = StatedVsBehaviour().result(fitness, SETTINGS).accounting
    planted = truth["behaviour"]
    assert acc["unknown_ids"] == planted["unknown_ids"]
    assert acc["respondents_without"] == planted["no_record"]
    assert acc["matched"] == acc["rows"] - acc["unknown_ids"]


def test_rates_by_nps_group_are_wilson_intervals_of_hand_counts(fitness):
    from statsmodels.stats.proportion import proportion_confint

    result = StatedVsBehaviour().result(fitness, SETTINGS)
    behaviour = pd.read_csv(REPO / "data" / "raw" / "fitness_club" / "behaviour.csv")
    survey = pd.read_csv(REPO / "data" / "raw" / "fitness_club" / "survey.csv")
    both = survey.merge(behaviour, on="member_id")
    promoters = both[both["ltr"] >= 9]
    row = result.rates.set_index(["behaviour", "nps_group"]).loc[("referral", "promoters")]
    assert row["n"] == len(promoters) and row["events"] == (promoters["referrals"] > 0).sum()
    lo, hi = proportion_confint(row["events"], row["n"], method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))


def test_the_planted_pattern_is_recovered(fitness, truth):
    """The NPS predicts referrals everywhere and churn overall, but not churn among trial members."""
    planted = truth["behaviour"]["not_predicted"]
    section = StatedVsBehaviour()
    result = section.result(fitness, SETTINGS)
    auc = result.auc.set_index(["behaviour", "predictor", "segment", "level"])
    assert auc.loc[("referral", "ltr", "all", "all"), "verdict"] == "predicts"
    assert auc.loc[("churn", "ltr", "all", "all"), "verdict"] == "predicts"
    assert auc.loc[("referral", "ltr", planted["segment"], planted["level"]), "verdict"] == "predicts"
    assert auc.loc[("churn", "ltr", planted["segment"], planted["level"]), "verdict"] == "no better than chance"
    # the other levels of the planted segment keep the relation
    others = auc.xs(("churn", "ltr", planted["segment"]), level=[0, 1, 2]).drop(index=planted["level"])
    assert (others["verdict"] == "predicts").all()
    text = section.findings(result, fitness, SETTINGS)[0]["text"]
    assert "Likelihood to recommend predicts churn" in text
    assert f"But not within Membership type {planted['level'].capitalize()} (AUC" in text


def test_stated_loyalty_that_predicts_nothing_is_said_plainly(fitness):
    """Shuffle the churn column: the finding must say stated loyalty does not predict who left."""
    import dataclasses

    b = fitness.behaviour.copy()
    b["churned"] = np.random.default_rng(0).permutation(b["churned"].to_numpy())
    shuffled = dataclasses.replace(fitness, behaviour=b)
    section = StatedVsBehaviour()
    result = section.result(shuffled, SETTINGS)
    overall = result.auc[(result.auc["segment"] == "all") & (result.auc["behaviour"] == "churn")]
    assert (overall["ci_low"] < 0.5).all() and overall["verdict"].isin(["no better than chance", "reversed"]).all()
    text = section.findings(result, shuffled, SETTINGS)[0]["text"]
    assert "Stated loyalty does not predict which customers left." in text
    assert "Likelihood to recommend does not predict churn" in text


def test_without_behaviour_the_report_is_unchanged(clients, monkeypatch):
    """A client without ``behaviour:`` gets nothing from the section: no heading, no skip line."""
    from cem_research.present import findings

    data = clients["coffee_house"]
    assert data.behaviour is None and data.config.behaviour is None
    assert StatedVsBehaviour().skip_reason(data, SETTINGS) == "the client declares no 'behaviour:' in client.yaml"
    seen = []
    monkeypatch.setattr(findings, "skip", lambda *a, **k: seen.append(a))
    monkeypatch.setattr(findings, "record", lambda *a, **k: seen.append(a))
    assert StatedVsBehaviour().run(data, SETTINGS) is None and seen == []


def test_the_demo_behaviour_file_has_its_own_random_stream(tmp_path):
    """Adding behaviour.csv to a demo client leaves every other file byte-identical."""
    import dataclasses

    from datasets.demo import build
    from datasets.spec import load_spec

    spec = load_spec("fitness_club")
    with_b = build(spec, tmp_path / "with")
    without = build(dataclasses.replace(spec, behaviour=None), tmp_path / "without")
    assert (with_b / "behaviour.csv").exists() and not (without / "behaviour.csv").exists()
    for name in ("survey.csv", "competitor_ratings.csv", "feedback.csv", "touchpoints.csv", "hand_coded.csv"):
        assert (with_b / name).read_bytes() == (without / name).read_bytes(), name
    b = pd.read_csv(with_b / "behaviour.csv")
    survey = pd.read_csv(with_b / "survey.csv")
    unknown = ~b["member_id"].isin(survey["member_id"])
    assert unknown.sum() == spec.behaviour.unknown_ids
    assert (~survey["member_id"].isin(b["member_id"])).sum() == spec.behaviour.no_record
