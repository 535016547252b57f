"""Behavioural outcomes (issue 20): the ``behaviour:`` contract, the ROC AUC helper, and the step-5 section
that checks stated loyalty against what customers did, on the demo fitness club's planted behaviour."""

from __future__ import annotations

import json
import re
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
    churn = text[text.index("Churn: "):]
    assert re.match(r"Churn: [^:]*?Likelihood to recommend \(AUC [^)]*\)(?: and [^)]*\))? predicts? it\.", churn), churn
    assert f"But not within Membership type {planted['level'].capitalize()}: there likelihood to recommend (AUC" in churn


def _churn_shuffled(fitness, seed: int):
    """fitness_club with its churn column permuted (no relation to the survey left): ``(data, section,
    result)``."""
    import dataclasses

    b = fitness.behaviour.copy()
    b["churned"] = np.random.default_rng(seed).permutation(b["churned"].to_numpy())
    shuffled = dataclasses.replace(fitness, behaviour=b)
    section = StatedVsBehaviour()
    return shuffled, section, section.result(shuffled, SETTINGS)


def test_stated_loyalty_that_predicts_nothing_is_said_plainly(fitness):
    """Shuffle the churn column: the finding must say stated loyalty does not predict who left."""
    shuffled, section, result = _churn_shuffled(fitness, 0)
    overall = result.auc[(result.auc["segment"] == "all") & (result.auc["behaviour"] == "churn")]
    assert (overall["ci_low"] < 0.5).all() and overall["verdict"].isin(["no better than chance", "reversed"]).all()
    text = section.findings(result, shuffled, SETTINGS)[0]["text"]
    assert "Stated loyalty does not predict which customers left." in text
    churn = text[text.index("Churn: "):text.index("Stated loyalty does not predict")]
    assert re.search(r"Likelihood to recommend \(AUC [^)]*\)(?: and [^)]*\))? do(?:es)? not predict it", churn), churn
    assert "predicts it" not in churn and "predict it." not in churn


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


# ---- how much customers did: the concordance C -------------------------------------------------------
def _pairwise_c(score, outcome):
    """Harrell's C by a plain loop over the pairs: of two customers whose outcomes differ, the share in
    which the one who did more has the higher score (ties on the score count half)."""
    num = den = 0.0
    for i in range(len(score)):
        for j in range(len(score)):
            if outcome[i] > outcome[j]:
                den += 1
                num += 1.0 if score[i] > score[j] else 0.5 if score[i] == score[j] else 0.0
    return num / den


def test_concordance_equals_a_pairwise_loop_somers_d_and_the_auc():
    from scipy.stats import somersd

    from cem_research.stats.discrimination import concordance

    rng = np.random.default_rng(7)
    score = rng.integers(0, 11, 150).astype(float)                 # whole points: many ties
    outcome = rng.poisson(0.3 + score / 8)                         # a count with many zeros
    c = concordance(score, outcome)
    assert c == pytest.approx(_pairwise_c(score, outcome), abs=1e-12)
    assert c == pytest.approx((somersd(outcome, score).statistic + 1) / 2, abs=1e-12)
    assert c > 0.6                                                 # the planted relation
    spend = np.round(rng.gamma(2, 20, 150) * (1 + score / 10), 2)  # an amount: hardly any ties
    assert concordance(score, spend) == pytest.approx(_pairwise_c(score, spend), abs=1e-12)
    did = (outcome > 0).astype(float)                               # a 0/1 outcome: C is the AUC
    assert concordance(score, did) == pytest.approx(roc_auc(did, score), abs=1e-12)
    assert concordance(-score, outcome) == pytest.approx(1 - c, abs=1e-12)
    assert concordance(np.ones(10), np.arange(10)) == 0.5 and np.isnan(concordance(np.arange(5), np.ones(5)))


def test_concordance_interval_equals_a_plain_bootstrap_loop_on_the_demo(fitness):
    """Referrals made against likelihood to recommend: the interval of a plain loop over the documented
    resamples, with the pairwise C; the p-value is Kendall's tau-b test."""
    from scipy.stats import kendalltau, somersd

    from cem_research.stats.discrimination import concordance_ci

    d = pd.read_csv(REPO / "data" / "raw" / "fitness_club" / "survey.csv").drop_duplicates("member_id", keep="last")
    d = d.merge(pd.read_csv(REPO / "data" / "raw" / "fitness_club" / "behaviour.csv"), on="member_id")
    d = d[d["ltr"] >= 0][["referrals", "ltr"]].astype(float).iloc[:200]
    got = concordance_ci(d, "referrals", "ltr", n_boot=60, seed=3).iloc[0]
    y, s = d["referrals"].to_numpy(), d["ltr"].to_numpy()
    assert got["c"] == pytest.approx(_pairwise_c(s, y), abs=1e-12)
    idx = np.random.default_rng(3).integers(0, len(y), (60, len(y)))
    boot = [(somersd(y[i], s[i]).statistic + 1) / 2 for i in idx]
    assert (got["ci_low"], got["ci_high"]) == pytest.approx(tuple(np.percentile(boot, [2.5, 97.5])), abs=1e-12)
    assert got["p_unc"] == pytest.approx(kendalltau(s, y).pvalue)
    assert got["n"] == len(y) and got["n_nonzero"] == int((y > 0).sum())


def test_stated_loyalty_ranks_how_much_members_did(fitness):
    """On the demo club: likelihood to recommend ranks referrals made (planted) with a Holm-corrected test;
    every verdict agrees with its corrected p and interval, and the finding says so with the row's numbers."""
    from cem_research.present import narrative as nv

    section = StatedVsBehaviour()
    result = section.result(fitness, SETTINGS)
    c = result.concordance.set_index(["behaviour", "predictor"])
    assert set(c.index) == {(b, p) for b in ("referrals", "spend") for p in ("ltr", "loyalty")}
    row = c.loc[("referrals", "ltr")]
    assert row["verdict"] == "predicts" and row["ci_low"] > 0.5 and row["p_corr"] < 0.05
    assert ((c["verdict"] == "predicts") == ((c["p_corr"] < 0.05) & (c["ci_low"] > 0.5))).all()
    assert (c["p_corr"] >= c["p_unc"]).all()
    text = section.findings(result, fitness, SETTINGS)[0]["text"]
    assert (f"referrals made: C = {nv.num(row['c'])}, {nv.ci(row['ci_low'], row['ci_high'])}, "
            f"Holm {nv.p(row['p_corr'])}") in text


# ---- which experiences predict behaviour ------------------------------------------------------------
def test_per_sd_effects_equal_closed_forms_for_one_binary_predictor():
    """One 0/1 predictor: the logistic odds ratio is the 2x2 cross-product ratio and the Poisson ratio of
    means the ratio of the two groups' means, each raised to the predictor's SD (effects are per SD)."""
    from statsmodels.stats.multitest import multipletests

    from cem_research.stats.outcome_models import per_sd_effects

    rng = np.random.default_rng(4)
    x = rng.integers(0, 2, 800).astype(float)
    noise = rng.normal(size=800)
    left = (rng.random(800) < np.where(x == 1, 0.15, 0.35)).astype(int)
    spend = rng.gamma(2.0, np.where(x == 1, 30.0, 20.0))
    df = pd.DataFrame({"x": x, "noise": noise, "left": left, "spend": spend})
    sd = x.std(ddof=1)
    t = pd.crosstab(x, left)
    cross = t.loc[1, 1] * t.loc[0, 0] / (t.loc[1, 0] * t.loc[0, 1])
    got = per_sd_effects(df, "left", ["x"]).iloc[0]
    assert got["ratio"] == pytest.approx(cross ** sd, rel=1e-8) and got["effect"] == "odds ratio"
    assert got["ci_low"] < got["ratio"] < got["ci_high"] < 1 and got["n_event"] == left.sum()
    got = per_sd_effects(df, "spend", ["x"], kind="amount").iloc[0]
    assert got["ratio"] == pytest.approx((spend[x == 1].mean() / spend[x == 0].mean()) ** sd, rel=1e-8)
    both = per_sd_effects(df, "left", ["x", "noise"])
    assert both["p_corr"].tolist() == pytest.approx(multipletests(both["p_unc"], method="holm")[1].tolist())
    assert both["significant"].tolist() == [True, False]
    with pytest.raises(ValueError, match="expected 0/1"):
        per_sd_effects(df, "spend", ["x"], kind="binary")
    with pytest.raises(ValueError, match="kind"):
        per_sd_effects(df, "spend", ["x"], kind="money")


def test_the_planted_experience_predicts_churn_beyond_what_members_said(fitness, truth):
    """The demo plants one experience that makes members leave beyond their stated intention (truth.json):
    the churn model recovers it with corrected evidence, it is not the top driver of stated loyalty, and the
    finding names it -- and names as predicting only constructs whose Holm p is below .05."""
    import re

    planted = truth["behaviour"]["churn_driver"]
    section = StatedVsBehaviour()
    result = section.result(fitness, SETTINGS)
    t = result.drivers
    churn = t[t["behaviour"] == "churned"].set_index("construct")
    row = churn.loc[planted["construct"]]
    assert row["significant"] and row["ratio"] < 1 and row["ci_high"] < 1 and row["effect"] == "odds ratio"
    assert churn.loc[churn["significant"]].index.tolist() == [planted["construct"]]
    assert churn["stated_outcome"].eq("loyalty").all() and churn["stated_share"].idxmax() != planted["construct"]
    assert t.loc[t["behaviour"] == "referrals", "stated_outcome"].eq("recommend").all()
    assert set(t["effect"]) == {"odds ratio", "rate ratio", "ratio of means"}
    text = section.findings(result, fitness, SETTINGS)[1]["text"]
    label = row["construct_label"]
    assert f"Left the club is predicted by {label} (odds ratio {row['ratio']:.2f} per SD" in text
    top = churn.loc[churn["stated_share"].idxmax()]
    assert f"not by {top['construct_label']}, which drives stated Loyalty most" in text
    checked = 0
    for sentence in re.split(r"(?<=\.) ", text):
        m = re.search(r"^(.+?) is predicted by (.+?)(?: — |\.$)", sentence)
        if m:
            checked += 1
            named = re.findall(r"(?:^|, | and )([A-Z][\w ]+?) \((?:odds ratio|rate ratio|ratio of means)", m.group(2))
            sub = t[t["behaviour_label"] == m.group(1)]
            assert named and all(sub.set_index("construct_label").loc[n, "p_corr"] < 0.05 for n in named), sentence
    assert checked == 1
    # the unreliable construct stays in the models but is never read
    assert "Convenience (" not in text and "not read, for reliability: convenience" in text


def test_without_a_relation_no_experience_is_said_to_predict(fitness):
    """Shuffle churn: no construct may be named as predicting it."""
    shuffled, section, result = _churn_shuffled(fitness, 1)
    churn = result.drivers[result.drivers["behaviour"] == "churned"]
    text = section.findings(result, shuffled, SETTINGS)[1]["text"]
    assert not churn["significant"].any() and (churn["p_corr"] >= 0.05).all()
    assert re.search(r"No experience dimension predicts .*?left the club \(smallest Holm p = [.\d]+\)", text), text
    assert "Left the club is predicted by" not in text


def test_the_drivers_finding_stands_on_its_tables_and_a_nudged_ratio_falls(fitness):
    """The claims checker reads the new finding: it stands as written and falls once its odds ratio moves."""
    import re

    from claims_caveats import finding_problems, section_tables

    from cem_research.present import narrative as nv

    settings = Settings(n_boot=50)
    section = StatedVsBehaviour()
    cfg = fitness.config
    brands, labels = [cfg.brand, *cfg.competitors], [nv.label(cfg, c) for c in cfg.constructs]
    tables = section_tables(section, fitness, settings, extra=brands + labels)
    text = section.findings(section.result(fitness, settings), fitness, settings)[1]["text"]
    assert finding_problems(text, tables, brands, labels) == []
    m = re.search(r"odds ratio (\d\.\d\d)", text)
    nudged = text[:m.start(1)] + f"{float(m.group(1)) + 0.07:.2f}" + text[m.end(1):]
    assert finding_problems(nudged, tables, brands, labels), nudged
