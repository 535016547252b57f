"""Comparisons checked before they are stated (issue 14, items 4, 6, 7, 11, 13).

* step 1's best construct follows a stated rule (most competitors significantly beaten) and agrees
  with its table; every own-brand comparison carries the construct's reliability among each brand's
  raters, and a stated comparison on an unreliable construct carries a caveat;
* step 3's segment comparisons use the survey weights (weighted means, Welch ANOVA on weighted
  summaries, weighted Games-Howell pairs) and say which results are unweighted; the brand-element
  IPA says its importance is unweighted;
* verdicts over many items use corrected intervals (verbatim strengths and gaps, Kano's dominant
  category, the lowest/highest touchpoint sentiment);
* the demo clients declare Schmitt's THINK and ACT (intellectual, behavioral) as experiential.

References are independent of the code under test: pingouin's Cronbach alpha and Welch ANOVA,
statsmodels' ``DescrStatsW``, scipy's t and normal quantiles and ``ttest_ind_from_stats``.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import yaml
from scipy import stats as sps
from statsmodels.stats.weightstats import DescrStatsW

from conftest import project_root

from cem_research.client.config import parse_config
from cem_research.client.data import ClientData
from cem_research.steps import world
from cem_research.steps.brand import aspects, kano
from cem_research.steps.brand import segments as bseg
from cem_research.steps.section import Settings
from cem_research.steps.world.competition import BEST_RULE, brand_reliability
from cem_research.steps.world.feedback import extreme_gap

REPO = Path(__file__).resolve().parents[1]
DEMO = ["coffee_house", "fitness_club", "hotel_group", "software_vendor"]


# ---------------------------------------------------------------------------------------------
# a hand-made client: one two-item construct, reliable for the own brand, noise for one rival
# ---------------------------------------------------------------------------------------------


def _config(competitors=("RivalA", "RivalB"), element=None):
    return parse_config({
        "name": "Unit", "brand": "Own",
        "competitors": [{"name": c, "kind": "direct"} for c in competitors],
        "survey": {"file": "survey.csv", "id": "id", "wave": "wave", "brand": "brand"},
        "constructs": {"fun": {"items": ["f1", "f2"], "experience": True, "layer": "brand",
                               **({"element": element} if element else {})},
                       "sat": {"items": ["sat"], "scale": [1, 10]}},
        "drivers": ["fun"], "outcomes": ["sat"],
    }, "unit")


def _rows(brand, kind, n, mean, reliable, seed):
    rng = np.random.default_rng(seed)
    true = rng.normal(mean, 0.8, n)
    f1 = true + rng.normal(0, 0.4, n)
    f2 = true + rng.normal(0, 0.4, n) if reliable else rng.normal(mean, 0.8, n)  # unrelated to f1
    return pd.DataFrame({"source": "survey", "row": np.arange(n), "respondent": [f"{brand}{i}" for i in range(n)],
                         "wave": "W1", "brand": brand, "brand_kind": kind, "f1": f1, "f2": f2,
                         "fun": (f1 + f2) / 2, "sat": rng.normal(7, 1, n)})


@pytest.fixture()
def unreliable_rival():
    ratings = pd.concat([_rows("Own", "own", 200, 5.5, True, 1), _rows("RivalA", "direct", 80, 4.0, True, 2),
                         _rows("RivalB", "direct", 80, 4.0, False, 3)], ignore_index=True)
    return ClientData(_config(), ratings, None, None, {"waves": ["W1"]})


def test_brand_reliability_equals_pingouin_per_brand(unreliable_rival):
    rel = brand_reliability(unreliable_rival).set_index("level")
    r = unreliable_rival.ratings
    for brand in ("Own", "RivalA", "RivalB"):
        ref = pg.cronbach_alpha(r.loc[r["brand"] == brand, ["f1", "f2"]])[0]
        assert rel.loc[brand, "alpha"] == pytest.approx(ref)
    pooled = pg.cronbach_alpha(r.loc[r["brand_kind"] != "own", ["f1", "f2"]])[0]
    assert rel.loc["All competitors", "alpha"] == pytest.approx(pooled)
    assert not rel.loc["Own", "unreliable"] and not rel.loc["RivalA", "unreliable"]
    assert rel.loc["RivalB", "unreliable"]


def test_unreliable_comparison_flagged_and_caveated(unreliable_rival):
    t = world.brand_tests(unreliable_rival)
    row = t[(t["competitor"] == "RivalB") & (t["construct"] == "fun")].iloc[0]
    assert row["significant"] and row["diff"] > 0
    assert "among RivalB's raters" in row["reliability_flag"] and "below .70" in row["reliability_flag"]
    assert row["alpha_other"] < 0.7 <= row["alpha_own"]
    ok = t[(t["competitor"] == "RivalA") & (t["construct"] == "fun")].iloc[0]
    assert ok["reliability_flag"] == ""
    assert t.loc[t["construct"] == "sat", "reliability_flag"].eq("").all()  # one item: no alpha
    f = world.competitive_finding(t, "Own")
    assert "significantly higher than all 2 competitors on Fun" in f["text"]
    assert "caution" in f["text"] and "Fun vs RivalB" in f["text"] and "measurement noise" in f["text"]
    adv = world.brand_advantages(t)
    assert adv.set_index("construct").loc["fun", "flagged_comparisons"] == "RivalB"


def test_element_tests_carry_the_per_brand_flag(unreliable_rival):
    from cem_research.steps.brand import elements

    d = ClientData(_config(element="product"), unreliable_rival.ratings, None, None, {"waves": ["W1"]})
    t = elements.element_tests(d).set_index("comparison")
    assert "among RivalB's raters" in t.loc["RivalB", "reliability_flag"]
    assert t.loc["RivalA", "reliability_flag"] == ""
    sg = elements.strengths_gaps(elements.element_tests(d), None, None, "Own")
    f = elements.element_finding(sg, elements.element_overview(d), "Own")
    assert "with care" in f["text"]


def test_no_caveat_when_every_brand_is_reliable():
    ratings = pd.concat([_rows("Own", "own", 200, 5.5, True, 1), _rows("RivalA", "direct", 80, 4.0, True, 2)],
                        ignore_index=True)
    d = ClientData(_config(("RivalA",)), ratings, None, None, {"waves": ["W1"]})
    f = world.competitive_finding(world.brand_tests(d), "Own")
    assert "caution" not in f["text"] and "reliability gate" not in f["text"]


# ---------------------------------------------------------------------------------------------
# item 4: the best construct is the one ahead of the most competitors
# ---------------------------------------------------------------------------------------------


def _tests_frame(rows):
    """A brand_tests-like table from (construct, competitor, diff, ci_low, ci_high, significant)."""
    t = pd.DataFrame(rows, columns=["construct", "competitor", "diff", "ci_low", "ci_high", "significant"])
    return t.assign(comparison="brand", brand_kind="direct", label=t["construct"].str.capitalize(),
                    reliability_flag="")


def test_best_is_most_competitors_beaten_not_smallest_deficit():
    # the real survey of issue 14: Csor's smallest lead is the least negative, but Competence beats 2 of 3
    t = _tests_frame([
        ("csor", "A", 0.05, -0.2, 0.3, False), ("csor", "B", 0.02, -0.25, 0.29, False),
        ("csor", "C", -0.01, -0.3, 0.28, False),
        ("competence", "A", 0.6, 0.3, 0.9, True), ("competence", "B", 0.5, 0.2, 0.8, True),
        ("competence", "C", -0.2, -0.5, 0.1, False),
    ])
    adv = world.brand_advantages(t)
    assert adv.iloc[0]["construct"] == "competence" and adv.iloc[0]["rank"] == 1
    f = world.competitive_finding(t, "Own")
    assert "its best is Competence, significantly ahead of 2 of 3 competitors" in f["text"]
    assert "no construct is ahead of more" in f["text"]
    # the sentence agrees with its table: the number stated is the table's n_ahead
    assert int(adv.iloc[0]["n_ahead"]) == 2
    assert "significantly ahead" in BEST_RULE and "closest rival" in BEST_RULE


def test_ties_broken_by_lower_limit_and_said():
    t = _tests_frame([
        ("x", "A", 0.5, 0.2, 0.8, True), ("x", "B", 0.1, -0.3, 0.5, False),
        ("y", "A", 0.6, 0.3, 0.9, True), ("y", "B", 0.05, -0.1, 0.2, False),
    ])
    f = world.competitive_finding(t, "Own")
    assert "its best is Y" in f["text"] and "tied on that count with X" in f["text"]


def test_none_ahead_is_said_plainly():
    t = _tests_frame([("x", "A", 0.1, -0.2, 0.4, False), ("y", "A", -0.1, -0.4, 0.2, False)])
    f = world.competitive_finding(t, "Own")
    assert "is not significantly ahead of any competitor on any construct" in f["text"]
    assert "its best is" not in f["text"]


def test_software_vendor_step1_names_intellectual(tmp_path):
    from cem_research.client.data import load_client
    from cem_research.steps.world.competition import own_vs_competitors

    raw = tmp_path / "data" / "raw"
    shutil.copytree(REPO / "data" / "raw" / "software_vendor", raw / "software_vendor")
    with project_root(tmp_path):
        d = load_client("software_vendor", raw_root=raw)
    t = own_vs_competitors(d)
    f = world.competitive_finding(t, d.config.brand)
    assert "significantly higher than all 4 competitors on Intellectual" in f["text"]
    assert world.brand_advantages(t).iloc[0]["construct"] == "intellectual"
    assert {"alpha_own", "alpha_other", "reliability_flag"} <= set(t.columns)


# ---------------------------------------------------------------------------------------------
# item 6: step 3's segment comparisons use the survey weights
# ---------------------------------------------------------------------------------------------


def _weighted_frame(seed=0, n=90):
    rng = np.random.default_rng(seed)
    g = np.repeat(["a", "b", "c"], n // 3)
    y = rng.normal(4, 1, n) + np.select([g == "b", g == "c"], [0.4, 0.9], 0)
    w = rng.uniform(0.3, 3, n)
    return pd.DataFrame({"seg": g, "y": y, "w": w})


def test_weighted_welch_equals_pingouin_with_equal_weights():
    df = _weighted_frame().assign(w=1.0)
    summ = bseg._summaries(df, "y", "seg", "w")
    got = bseg._omnibus(df, "y", "seg", 3, summ, weighted=True)
    ref = pg.welch_anova(data=df, dv="y", between="seg")
    assert got["statistic"] == pytest.approx(float(ref["F"].iloc[0]))
    assert got["p_unc"] == pytest.approx(float(ref["p_unc"].iloc[0]))
    assert got["df2"] == pytest.approx(float(ref["ddof2"].iloc[0]))
    pair = bseg._extreme_pair(summ)
    gh = pg.pairwise_gameshowell(data=df, dv="y", between="seg")
    ref = gh[(gh["A"] == "a") & (gh["B"] == "c")].iloc[0]
    assert pair["pair"] == "c vs a" and pair["pair_diff"] == pytest.approx(-float(ref["diff"]))
    assert pair["pair_p"] == pytest.approx(float(ref["pval"]), abs=1e-6)


@pytest.mark.parametrize("seed", [0, 3])
def test_unweighted_extreme_pair_equals_pingouin_gameshowell(seed):
    """The extreme pair computed alone equals pingouin's Games-Howell row for that pair (4 groups)."""
    rng = np.random.default_rng(seed)
    g = np.repeat(["a", "b", "c", "d"], [40, 25, 60, 18])
    y = rng.normal(4, 1 + (g == "c"), len(g)) + np.select([g == "b", g == "d"], [0.5, -0.6], 0)
    df = pd.DataFrame({"seg": g, "y": y})
    pair = bseg._extreme_pair(bseg._summaries(df, "y", "seg", None))
    gh = pg.pairwise_gameshowell(data=df, dv="y", between="seg")
    hi, lo = pair["pair"].split(" vs ")
    ref = gh[((gh["A"] == hi) & (gh["B"] == lo)) | ((gh["A"] == lo) & (gh["B"] == hi))].iloc[0]
    sign = 1.0 if ref["A"] == hi else -1.0
    assert pair["pair_diff"] == pytest.approx(sign * float(ref["diff"]))
    assert pair["pair_hedges"] == pytest.approx(sign * float(ref["hedges"]))
    assert pair["pair_p"] == pytest.approx(float(ref["pval"]), rel=1e-9, abs=1e-12)
    half = pair["pair_ci_high"] - pair["pair_diff"]
    assert half == pytest.approx(float(sps.t.ppf(0.975, float(ref["df"]))) * float(ref["se"]))


def test_weighted_summaries_equal_statsmodels():
    df = _weighted_frame(1)
    summ = bseg._summaries(df, "y", "seg", "w")
    for g, part in df.groupby("seg"):
        ref = DescrStatsW(part["y"].to_numpy(), weights=part["w"].to_numpy())
        assert summ.loc[g, "mean"] == pytest.approx(ref.mean)
        n_eff = part["w"].sum() ** 2 / (part["w"] ** 2).sum()
        assert summ.loc[g, "n_eff"] == pytest.approx(n_eff)
        # Kish: the weighted population variance scaled by n_eff / (n_eff - 1)
        assert summ.loc[g, "sd"] ** 2 == pytest.approx(ref.var * n_eff / (n_eff - 1))


def test_fitness_segment_differences_agree_with_weighted_means(fitness_project):
    data = fitness_project["data"]
    assert data.weight is not None
    diffs = bseg.segment_differences(data)
    means = bseg.segment_means(data)
    assert diffs["weighted"].all()
    for r in diffs.itertuples():
        m = means[(means["segment"] == r.segment) & (means["dimension"] == r.dimension)].set_index("group")["mean"]
        assert r.highest_group == m.idxmax() and r.lowest_group == m.idxmin()
        assert r.highest_mean == pytest.approx(m.max()) and r.lowest_mean == pytest.approx(m.min())
    f = bseg.segment_finding(diffs, weighted=True)
    assert "use the survey weights" in f["text"] and "unweighted: the within-group reliability check" in f["text"]
    pairs = bseg.segment_pairs(data, diffs)
    if pairs is not None:
        r = pairs.iloc[0]
        own = data.own
        col = diffs.loc[diffs["label"] == r["label"], "dimension"].iloc[0]
        sub = own[own[r["segment"]].astype(str) == r["A"]].dropna(subset=[col])
        assert r["mean_A"] == pytest.approx(DescrStatsW(sub[col], weights=sub["weight"]).mean)


def test_unweighted_client_says_nothing_about_weights():
    seg = pd.DataFrame([{"segment": "seg", "segment_label": "Seg", "dimension": "y", "label": "Y",
                         "test": "Welch ANOVA", "weighted": False, "significant": False, "effect": 0.01,
                         "highest_group": "c", "highest_mean": 5.0, "lowest_group": "a", "lowest_mean": 4.0,
                         "effect_measure": "omega2", "p_corr": 0.2, "pair": "c vs a", "pair_diff": 1.0,
                         "pair_ci_low": 0.1, "pair_ci_high": 1.9, "pair_hedges": 0.5, "unreliable_in": ""}])
    assert "weights" not in bseg.segment_finding(seg)["text"]


def test_fitness_ipa_says_importance_is_unweighted(fitness_project):
    from cem_research.steps.brand import ipa

    out = ipa.element_ipa(fitness_project["data"], n_boot=40, seed=1)
    assert out["importance_measure"].str.endswith("; unweighted").all()
    assert "importance is estimated without them" in ipa.ipa_finding(out, "Pulse Fitness")["text"]


# ---------------------------------------------------------------------------------------------
# item 11: verdicts over many items use corrected intervals
# ---------------------------------------------------------------------------------------------


def test_aspect_verdict_uses_bonferroni_interval(fitness_project):
    data = fitness_project["data"]
    summary = aspects.aspect_summary(data, aspects.aspect_mentions(data))
    own = summary[(summary["brand"] == data.config.brand) & (summary["mentions"] >= aspects.MIN_MENTIONS)]
    m = len(own)
    assert m >= 2
    for r in own.itertuples():
        k = r.mentions
        half_95 = (r.ci_high - r.ci_low) / 2
        se = half_95 / sps.t.ppf(0.975, k - 1)
        lo, hi = sps.t.interval(1 - 0.05 / m, k - 1, loc=r.compound, scale=se)
        assert (r.adj_ci_low, r.adj_ci_high) == pytest.approx((lo, hi))
        expect = ("clearly positive" if lo > aspects.SENTIMENT_CLEAR else
                  "clearly negative" if hi < -aspects.SENTIMENT_CLEAR else "mixed")
        assert r.verdict == expect
    # the planted case: communications' uncorrected interval clears +.05, the corrected one does not
    comm = own.set_index("aspect").loc["communications"]
    assert comm["ci_low"] > aspects.SENTIMENT_CLEAR and comm["verdict"] == "mixed"


def test_kano_margin_is_bonferroni_over_features():
    rows = []
    for feature, counts in {"f1": {"A": 100, "M": 72, "I": 28}, "f2": {"M": 60, "I": 10, "O": 10}}.items():
        for cat, k in counts.items():
            rows += [{"feature": feature, "label": feature.upper(), "category": cat}] * k
    answers = pd.DataFrame(rows)
    t = kano.kano_table(answers, weights=None).set_index("feature")
    z = sps.norm.ppf(1 - 0.05 / 4)  # two features
    p1, p2, n = 100 / 200, 72 / 200, 200
    se = math.sqrt((p1 + p2 - (p1 - p2) ** 2) / n)
    assert (t.loc["f1", "margin_ci_low"], t.loc["f1", "margin_ci_high"]) == pytest.approx(
        (p1 - p2 - z * se, p1 - p2 + z * se))
    # f1's lead is clear at the uncorrected level but not after correcting for two features
    assert p1 - p2 - sps.norm.ppf(0.975) * se > 0 and not t.loc["f1", "dominant_clear"]
    assert t.loc["f2", "dominant_clear"]
    text = kano.kano_finding(t.reset_index())["text"]
    assert "F1 is most often classified attractive" in text and "not clearly ahead of must-be" in text
    assert "F2 is must-be" in text and "Attractive features" not in text


def test_extreme_touchpoint_gap_equals_scipy_welch_times_pairs():
    rng = np.random.default_rng(4)
    groups = {"a": rng.normal(0.1, 0.4, 40), "b": rng.normal(0.2, 0.5, 30), "c": rng.normal(0.35, 0.3, 50)}
    rows = []
    for g, x in groups.items():
        lo, hi = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
        rows.append({"level": g, "n": len(x), "compound": x.mean(), "ci_low": lo, "ci_high": hi})
    gap = extreme_gap(pd.DataFrame(rows))
    a, c = groups["a"], groups["c"]
    ref = sps.ttest_ind_from_stats(c.mean(), c.std(ddof=1), len(c), a.mean(), a.std(ddof=1), len(a), equal_var=False)
    assert gap["diff"] == pytest.approx(c.mean() - a.mean())
    assert gap["p_unc"] == pytest.approx(ref.pvalue) and gap["m"] == 3
    assert gap["p_corr"] == pytest.approx(min(1.0, 3 * ref.pvalue))
    assert gap["significant"] == (gap["ci_low"] > 0)  # the adjusted interval agrees with the verdict


def test_feedback_finding_states_whether_the_extremes_differ():
    summary = pd.DataFrame([
        {"dimension": "all", "level": "all comments", "n": 60, "compound": 0.2, "ci_low": 0.1, "ci_high": 0.3,
         "share_positive": 0.5, "positive_low": 0.4, "positive_high": 0.6, "share_negative": 0.1,
         "negative_low": 0.05, "negative_high": 0.2},
        *[{"dimension": "touchpoint", "level": tp, "n": 20, "compound": c, "ci_low": c - 0.2, "ci_high": c + 0.2,
           "share_positive": 0.5, "positive_low": 0.3, "positive_high": 0.7, "share_negative": 0.1,
           "negative_low": 0.03, "negative_high": 0.3} for tp, c in (("web", 0.1), ("shop", 0.2), ("app", 0.3))],
    ])
    text = world.feedback_finding(summary)["text"]
    assert "not a significant difference, so this ranking is exploratory" in text
    assert "Bonferroni over the 3 touchpoint pairs" in text


# ---------------------------------------------------------------------------------------------
# item 13: Schmitt's THINK and ACT are experiential
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [*(REPO / "data" / "raw" / c for c in DEMO),
                                    REPO / "tests" / "fixtures" / "tiny_client"])
def test_demo_bes_dimensions_are_experiential(folder):
    cons = yaml.safe_load((folder / "client.yaml").read_text())["constructs"]
    for dim in ("sensory", "affective", "intellectual", "behavioral"):
        if dim in cons:
            assert cons[dim].get("kind") == "emotional", (folder.name, dim)  # the contract's experiential kind


def test_demo_generator_declares_bes_experiential():
    from datasets.model import BES_KIND

    assert set(BES_KIND.values()) == {"emotional"}
