"""Tests of cem_research.stats: hand computations on tiny fixtures, pingouin cross-checks,
published reliabilities of the ECSI mobile-phone survey."""

from __future__ import annotations

import doctest
import importlib
import math
import pkgutil
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as sps

from cem_research import stats as S
from cem_research.stats import compare, drivers, psychometrics

MOBI = Path("/work/shared/external/ecsi-satisfaction/mobi.csv")


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def items6():
    """6 respondents x 3 items."""
    return pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 3, 3, 4, 5, 2]}, dtype=float)


@pytest.fixture
def groups3():
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "g": np.repeat(["c", "a", "b"], [15, 20, 25]),
            "y": rng.normal(size=60) + np.repeat([0.0, 0.6, 1.2], [15, 20, 25]),
            "w": 1.0,
        }
    )


@pytest.fixture
def drivers_df():
    rng = np.random.default_rng(3)
    n = 150
    x = rng.normal(size=(n, 4))
    x[:, 1] += 0.5 * x[:, 0]  # correlated drivers
    df = pd.DataFrame(x, columns=["d1", "d2", "d3", "d4"])
    df["y"] = 1.0 * df.d1 + 0.6 * df.d2 + 0.3 * df.d3 + rng.normal(size=n)
    return df


def _holm(p):
    """Holm adjustment by hand."""
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


# ------------------------------------------------------------------------------------ scoring


def test_reverse_key_values_and_involution():
    x = np.array([1.0, 2.0, 4.0, 7.0, np.nan])
    r = S.reverse_key(x, 1, 7)
    np.testing.assert_array_equal(r[:4], [7, 6, 4, 1])
    assert np.isnan(r[4])
    np.testing.assert_array_equal(S.reverse_key(r, 1, 7), x)
    s = pd.Series([0, 10, 3], index=[5, 6, 7], name="ltr")
    rs = S.reverse_key(s, 0, 10)
    assert isinstance(rs, pd.Series) and rs.name == "ltr" and rs.index.tolist() == [5, 6, 7]
    assert rs.tolist() == [10, 0, 7]
    assert S.reverse_key(3, 1, 5) == 3.0


def test_reverse_key_rejects_bad_input():
    with pytest.raises(ValueError, match="within"):
        S.reverse_key([0, 3], 1, 7)
    with pytest.raises(ValueError, match="scale_min < scale_max"):
        S.reverse_key([3], 7, 1)


def test_score_scale_half_rule():
    df = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "b": [3, np.nan, np.nan, 4], "c": [5, 4, 6, np.nan],
                       "d": [1, 1, 1, np.nan]})
    out = S.score_scale(df, ["a", "b", "c", "d"])
    # row 0: all 4 -> 2.5; row 1: 3 of 4 -> 7/3; row 2: 2 of 4 (half) -> 3.5; row 3: 1 of 4 -> NaN
    assert out.iloc[0] == pytest.approx(2.5)
    assert out.iloc[1] == pytest.approx(7 / 3)
    assert out.iloc[2] == pytest.approx(3.5)
    assert np.isnan(out.iloc[3])
    # three items: half rule needs 2 of 3
    assert np.isnan(S.score_scale(df, ["a", "b", "c"]).iloc[2])
    assert S.score_scale(df, ["a", "b", "c"], min_answered=0.3).iloc[2] == 6
    with pytest.raises(ValueError, match="min_answered"):
        S.score_scale(df, ["a"], min_answered=0)
    with pytest.raises(ValueError, match="missing|expected column"):
        S.score_scale(df, ["a", "zz"])


# ------------------------------------------------------------------------------------ means, shares


def test_mean_ci_hand_t_interval():
    x = [4.0, 5.0, 6.0, 9.0]
    out = S.mean_ci(pd.DataFrame({"v": x}), "v")
    m, sd = np.mean(x), np.std(x, ddof=1)
    half = sps.t.ppf(0.975, 3) * sd / 2
    assert list(out.columns) == ["n", "mean", "sd", "ci_low", "ci_high", "n_eff"]
    assert out.loc[0, "n"] == 4
    assert out.loc[0, "mean"] == pytest.approx(6.0)
    assert out.loc[0, "sd"] == pytest.approx(sd)
    assert out.loc[0, "ci_low"] == pytest.approx(m - half)
    assert out.loc[0, "ci_high"] == pytest.approx(m + half)


def test_mean_ci_groups_order_and_small_groups():
    df = pd.DataFrame({"v": [1, 2, 3, 4, 5, np.nan], "seg": ["z", "z", "a", "a", "m", "m"]})
    out = S.mean_ci(df, "v", by="seg")
    assert out["seg"].tolist() == ["z", "a", "m"]  # first appearance
    assert out.loc[2, "n"] == 1 and np.isnan(out.loc[2, "ci_low"])
    df["seg"] = pd.Categorical(df["seg"], categories=["m", "a", "z"])
    assert S.mean_ci(df, "v", by="seg")["seg"].tolist() == ["m", "a", "z"]
    out2 = S.mean_ci(df.assign(k=["x", "y"] * 3), "v", by=["seg", "k"])
    assert {"seg", "k"} <= set(out2.columns) and out2["n"].sum() == 5


def test_mean_ci_weights_all_one_equals_unweighted():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"v": rng.normal(size=40), "g": rng.choice(["a", "b"], 40), "w": 1.0})
    a = S.mean_ci(df, "v", by="g")
    b = S.mean_ci(df, "v", by="g", weights="w")
    pd.testing.assert_frame_equal(a, b)


def test_mean_ci_weighted_hand():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    w = np.array([1.0, 1.0, 2.0, 4.0])
    out = S.mean_ci(pd.DataFrame({"v": x, "w": w}), "v", weights="w")
    m = 25 / 8
    n_eff = 8**2 / (1 + 1 + 4 + 16)
    var = np.sum(w * (x - m) ** 2) / 8 * n_eff / (n_eff - 1)
    half = sps.t.ppf(0.975, n_eff - 1) * math.sqrt(var / n_eff)
    assert out.loc[0, "mean"] == pytest.approx(m)
    assert out.loc[0, "n_eff"] == pytest.approx(n_eff)
    assert out.loc[0, "ci_high"] - out.loc[0, "mean"] == pytest.approx(half)
    with pytest.raises(ValueError, match="non-negative"):
        S.mean_ci(pd.DataFrame({"v": x, "w": -w}), "v", weights="w")


def test_effective_sample_size_hand():
    assert S.effective_sample_size([2, 2, 2]) == pytest.approx(3)
    assert S.effective_sample_size(np.array([1, 1, 1, 3])) == pytest.approx(36 / 12)
    with pytest.raises(ValueError):
        S.effective_sample_size([1, -1])


def test_proportion_ci_wilson_hand_and_scipy():
    lo, hi = S.proportion_ci(8, 20)
    z = sps.norm.ppf(0.975)
    p, n = 0.4, 20
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert (lo, hi) == pytest.approx((centre - half, centre + half))
    ref = sps.binomtest(8, 20).proportion_ci(method="wilson")
    assert (lo, hi) == pytest.approx((ref.low, ref.high))
    los, his = S.proportion_ci(np.array([0, 20, 0]), np.array([20, 20, 0]))
    assert los[0] == 0 and his[1] == 1 and np.isnan(los[2])


def test_share_ci_counts_and_weights():
    df = pd.DataFrame({"ch": ["web", "app", "web", "web", "app", "shop"], "seg": list("aaabbb"),
                       "w": [1, 1, 2, 1, 1, 1]})
    out = S.share_ci(df, "ch", by="seg")
    assert list(out.columns) == ["seg", "ch", "n", "count", "share", "ci_low", "ci_high", "n_eff"]
    a = out[out.seg == "a"].set_index("ch")
    assert a.loc["web", "count"] == 2 and a.loc["web", "share"] == pytest.approx(2 / 3)
    assert a.loc["shop", "count"] == 0 and a.loc["shop", "ci_low"] == 0
    lo, hi = S.proportion_ci(2, 3)
    assert (a.loc["web", "ci_low"], a.loc["web", "ci_high"]) == pytest.approx((lo, hi))
    wa = S.share_ci(df, "ch", by="seg", weights="w").query("seg == 'a'").set_index("ch")
    assert wa.loc["web", "share"] == pytest.approx(3 / 4)  # weights 1 + 2 out of 4
    assert wa.loc["web", "n_eff"] == pytest.approx(16 / 6)


# ------------------------------------------------------------------------------------ reliability


def test_reliability_textbook_alpha(items6):
    k = 3
    total = items6.sum(axis=1)
    alpha = k / (k - 1) * (1 - items6.var(ddof=1).sum() / total.var(ddof=1))
    out = S.reliability(items6, ["q1", "q2", "q3"], name="ease")
    assert list(out.columns) == ["construct", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "alpha_std", "flag"]
    row = out.iloc[0]
    assert row["construct"] == "ease" and row["n"] == 6 and row["k"] == 3
    assert row["alpha"] == pytest.approx(alpha, abs=1e-12)
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
    # standardized alpha = k r / (1 + (k-1) r) with r the mean inter-item correlation
    r = items6.corr().to_numpy()[np.triu_indices(3, 1)].mean()
    assert row["alpha_std"] == pytest.approx(k * r / (1 + (k - 1) * r), abs=1e-12)
    assert row["flag"] == ""


def test_reliability_flags(items6):
    one = S.reliability(items6, ["q1"])
    assert one.loc[0, "k"] == 1 and np.isnan(one.loc[0, "alpha"])
    assert "single item" in one.loc[0, "flag"]
    noisy = items6.assign(q3=[5, 1, 4, 2, 1, 3])
    low = S.reliability(noisy, ["q1", "q2", "q3"], threshold=0.9)
    assert low.loc[0, "alpha"] < 0.9 and ("below 0.90" in low.loc[0, "flag"] or "negative" in low.loc[0, "flag"])
    # listwise deletion
    miss = items6.copy()
    miss.loc[0, "q2"] = np.nan
    assert S.reliability(miss, ["q1", "q2", "q3"]).loc[0, "n"] == 5


def test_item_statistics_hand(items6):
    out = S.item_statistics(items6, ["q1", "q2", "q3"], name="ease")
    assert list(out.columns) == ["construct", "item", "n", "mean", "sd", "item_total_r", "alpha_if_deleted"]
    for it in ["q1", "q2", "q3"]:
        others = [c for c in items6 if c != it]
        r = np.corrcoef(items6[it], items6[others].sum(axis=1))[0, 1]
        a, b = items6[others[0]], items6[others[1]]
        a_del = 2 * (1 - (a.var() + b.var()) / (a + b).var())
        row = out.set_index("item").loc[it]
        assert row["item_total_r"] == pytest.approx(r)
        assert row["alpha_if_deleted"] == pytest.approx(a_del)
        assert row["mean"] == pytest.approx(items6[it].mean())


@pytest.mark.skipif(not MOBI.exists(), reason="ECSI mobi data not available")
def test_reliability_ecsi_published_standardized_alpha():
    mobi = pd.read_csv(MOBI, index_col=0)
    published = {
        "IMAG": (["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"], 0.722834595),
        "CUEX": (["CUEX1", "CUEX2", "CUEX3"], 0.451902556),
        "PERV": (["PERV1", "PERV2"], 0.823631979),
        "CUSA": (["CUSA1", "CUSA2", "CUSA3"], 0.779195022),
    }
    table = pd.concat([S.reliability(mobi, items, name=nm) for nm, (items, _) in published.items()])
    table = table.set_index("construct")
    for nm, (_, value) in published.items():
        assert table.loc[nm, "alpha_std"] == pytest.approx(value, abs=1e-6)
        assert table.loc[nm, "n"] == 250
    assert table.loc["IMAG", "alpha"] == pytest.approx(0.7144, abs=5e-5)
    assert table.loc["CUEX", "flag"] == "below 0.70"
    assert table.loc["IMAG", "flag"] == ""


# ------------------------------------------------------------------------------------ NPS


def test_nps_hand_count_and_ci():
    ltr = [10, 9, 9, 8, 7, 6, 5, 0, 10, 3]  # 4 promoters, 2 passives, 4 detractors
    df = pd.DataFrame({"ltr": ltr, "seg": ["a"] * 5 + ["b"] * 5})
    out = S.nps(df, "ltr")
    row = out.iloc[0]
    assert (row["n"], row["promoters"], row["passives"], row["detractors"]) == (10, 4, 2, 4)
    assert row["nps"] == pytest.approx(0.0)
    # score interval (tests/test_intervals.py checks it against a brute-force reference): symmetric
    # around 0 for equal promoter and detractor counts, and narrower than the Wald interval here
    wald = 100 * 1.959963985 * math.sqrt((0.4 + 0.4 - 0.0) / 10)
    assert row["ci_low"] == pytest.approx(-row["ci_high"], abs=1e-9) and 0 < row["ci_high"] < wald
    by = S.nps(df, "ltr", by="seg").set_index("seg")
    # a: 10, 9, 9 promoters; 8, 7 passives -> NPS 60
    assert by.loc["a", "nps"] == pytest.approx(60.0)
    assert by.loc["a", "pct_promoters"] == pytest.approx(60.0)
    # b: 6, 5, 0, 3 detractors, 10 promoter -> NPS -60
    assert by.loc["b", "nps"] == pytest.approx(-60.0)
    assert by.loc["b", "pct_detractors"] == pytest.approx(80.0)
    assert list(out.columns)[:10] == ["n", "promoters", "passives", "detractors", "pct_promoters",
                                      "pct_detractors", "nps", "ci_low", "ci_high", "n_eff"][:10]


def test_nps_weights_and_validation():
    df = pd.DataFrame({"ltr": [10, 0, 8], "w": [3.0, 1.0, 1.0]})
    out = S.nps(df, "ltr", weights="w")
    assert out.loc[0, "nps"] == pytest.approx(100 * (3 / 5 - 1 / 5))
    assert out.loc[0, "n_eff"] == pytest.approx(25 / 11)
    pd.testing.assert_frame_equal(S.nps(df.assign(w=1.0), "ltr", weights="w"), S.nps(df, "ltr"))
    with pytest.raises(ValueError, match="0-10"):
        S.nps(pd.DataFrame({"ltr": [11, 3]}), "ltr")
    with pytest.raises(ValueError, match="whole-number"):
        S.nps(pd.DataFrame({"ltr": [8.5, 3]}), "ltr")


# ------------------------------------------------------------------------------------ tests of groups


def test_adjust_pvalues_holm_hand_and_nan():
    f = pd.DataFrame({"p_unc": [0.01, 0.04, 0.03, np.nan, 0.2]})
    out = S.adjust_pvalues(f)
    np.testing.assert_allclose(out["p_corr"].to_numpy()[[0, 1, 2, 4]], _holm([0.01, 0.04, 0.03, 0.2]))
    assert np.isnan(out.loc[3, "p_corr"])
    assert out["significant"].tolist() == [True, False, False, False, False]
    assert S.adjust_pvalues(f, method="none")["p_corr"].iloc[0] == 0.01
    with pytest.raises(ValueError, match="method"):
        S.adjust_pvalues(f, method="tukey")


def test_compare_groups_matches_pingouin(groups3):
    out = S.compare_groups(groups3, "y", "g")
    assert list(out.columns) == ["dv", "A", "B", "n_A", "n_B", "mean_A", "mean_B", "diff", "se", "T", "df",
                                 "ci_low", "ci_high", "hedges", "p_unc", "p_gameshowell", "p_corr"]
    ref = pg.pairwise_gameshowell(data=groups3, dv="y", between="g")
    np.testing.assert_allclose(out["diff"], ref["diff"])
    np.testing.assert_allclose(out["hedges"], ref["hedges"])
    np.testing.assert_allclose(out["p_gameshowell"], ref["pval"])
    assert out[["A", "B"]].values.tolist() == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert out.set_index(["A", "B"]).loc[("a", "c"), "n_B"] == 15
    # p_unc: per-pair Welch test; p_corr: Holm across the pairs
    for _, row in out.iterrows():
        x = groups3.loc[groups3.g == row.A, "y"]
        y = groups3.loc[groups3.g == row.B, "y"]
        assert row["p_unc"] == pytest.approx(sps.ttest_ind(x, y, equal_var=False).pvalue)
    np.testing.assert_allclose(out["p_corr"], _holm(out["p_unc"]))
    # the planted 1.2 gap between c and b is found
    assert out.set_index(["A", "B"]).loc[("b", "c"), "p_corr"] < 0.05
    # weights of 1 reproduce the unweighted table
    w = S.compare_groups(groups3, "y", "g", weights="w")
    pd.testing.assert_frame_equal(out, w, check_exact=False, rtol=1e-9)


def test_compare_groups_two_groups_ci_is_welch():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"y": rng.normal(size=30), "g": ["a"] * 12 + ["b"] * 18})
    out = S.compare_groups(df, "y", "g")
    x, y = df.y[df.g == "a"], df.y[df.g == "b"]
    tt = pg.ttest(x, y, correction=True)
    se = math.sqrt(x.var() / 12 + y.var() / 18)
    half = sps.t.ppf(0.975, tt["dof"].iloc[0]) * se
    assert (out.loc[0, "ci_low"], out.loc[0, "ci_high"]) == pytest.approx((x.mean() - y.mean() - half,
                                                                           x.mean() - y.mean() + half))
    # pingouin reports the same interval rounded to 2 decimals
    assert (out.loc[0, "ci_low"], out.loc[0, "ci_high"]) == pytest.approx(tuple(tt["CI95"].iloc[0]), abs=0.006)
    # the Welch test itself (scipy's) equals pingouin's p
    assert out.loc[0, "p_unc"] == pytest.approx(float(tt["p_val"].iloc[0]), rel=1e-10)
    with pytest.raises(ValueError, match="at least 2 groups"):
        S.compare_groups(df[df.g == "a"], "y", "g")


def test_omnibus_welch_anova(groups3):
    out = S.omnibus(groups3, "y", "g")
    ref = pg.welch_anova(data=groups3, dv="y", between="g")
    assert out.loc[0, "F"] == pytest.approx(ref["F"].iloc[0])
    assert out.loc[0, "p_unc"] == pytest.approx(ref["p_unc"].iloc[0])
    assert out.loc[0, "ddof2"] == pytest.approx(ref["ddof2"].iloc[0])
    # Hays' omega squared from the classical sums of squares (statsmodels' ANOVA table), <= eta squared
    import statsmodels.api as sm
    from statsmodels.formula.api import ols

    aov = sm.stats.anova_lm(ols("y ~ C(g)", data=groups3).fit(), typ=1)
    ss_b, ss_w, df_b = aov["sum_sq"].iloc[0], aov["sum_sq"].iloc[1], aov["df"].iloc[0]
    ms_w = aov["mean_sq"].iloc[1]
    assert out.loc[0, "omega2"] == pytest.approx((ss_b - df_b * ms_w) / (ss_b + ss_w + ms_w), rel=1e-10)
    assert out.loc[0, "np2"] == pytest.approx(ss_b / (ss_b + ss_w), rel=1e-10)
    assert out.loc[0, "omega2"] <= out.loc[0, "np2"]
    assert out.loc[0, "n"] == 60 and out.loc[0, "k"] == 3


def test_compare_to_reference_welch_and_correction():
    rng = np.random.default_rng(5)
    brand = np.repeat(["own", "rival1", "rival2"], 30)
    df = pd.DataFrame({"brand": brand,
                       "sat": rng.normal(size=90) + np.where(brand == "rival2", -1.0, 0.0),
                       "ease": rng.normal(size=90)})
    out = S.compare_to_reference(df, ["sat", "ease"], "brand", "own")
    assert len(out) == 4
    assert out[["dv", "group"]].values.tolist() == [["sat", "rival1"], ["sat", "rival2"], ["ease", "rival1"],
                                                   ["ease", "rival2"]]
    row = out.iloc[1]
    x, y = df.sat[df.brand == "own"], df.sat[df.brand == "rival2"]
    tt = pg.ttest(x, y, correction=True)
    assert row["diff"] == pytest.approx(x.mean() - y.mean())
    assert row["p_unc"] == pytest.approx(tt["p_val"].iloc[0])
    half = sps.t.ppf(0.975, tt["dof"].iloc[0]) * math.sqrt(x.var() / 30 + y.var() / 30)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((row["diff"] - half, row["diff"] + half))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(tt["CI95"].iloc[0]), abs=0.006)
    g = pg.compute_effsize(x, y, eftype="hedges")
    assert row["hedges"] == pytest.approx(g)
    assert row["hedges_ci_low"] < g < row["hedges_ci_high"]
    np.testing.assert_allclose(out["p_corr"], _holm(out["p_unc"]))  # across all 4 rows
    assert out["significant"].tolist() == (out["p_corr"] < 0.05).tolist()
    assert bool(out.iloc[1]["significant"])
    with pytest.raises(ValueError, match="reference"):
        S.compare_to_reference(df, "sat", "brand", "nobody")


def test_wave_changes_planted_shift_and_null():
    rng = np.random.default_rng(11)
    n = 120
    waves = ["2025Q1", "2025Q2", "2025Q3"]
    df = pd.DataFrame({
        "wave": np.repeat(waves, n),
        # Q1 -> Q2: no change; Q2 -> Q3: +0.8 SD
        "sat": np.concatenate([rng.normal(5, 1, n), rng.normal(5, 1, n), rng.normal(5.8, 1, n)]),
        "w": 1.0,
    })
    out = S.wave_changes(df.sample(frac=1, random_state=0), "sat", "wave", waves)
    assert list(out.columns) == ["dv", "from_wave", "to_wave", "n_from", "n_to", "mean_from", "mean_to", "diff",
                                 "ci_low", "ci_high", "T", "df", "hedges", "hedges_ci_low", "hedges_ci_high",
                                 "p_unc", "p_corr", "significant"]
    assert out[["from_wave", "to_wave"]].values.tolist() == [["2025Q1", "2025Q2"], ["2025Q2", "2025Q3"]]
    assert not out.loc[0, "significant"]
    assert out.loc[1, "significant"] and out.loc[1, "diff"] > 0 and out.loc[1, "hedges"] > 0
    q2, q3 = df.sat[df.wave == "2025Q2"], df.sat[df.wave == "2025Q3"]
    assert out.loc[1, "diff"] == pytest.approx(q3.mean() - q2.mean())
    np.testing.assert_allclose(out["p_corr"], _holm(out["p_unc"]))
    w = S.wave_changes(df, "sat", "wave", waves, weights="w")
    pd.testing.assert_frame_equal(out, w, check_exact=False, rtol=1e-9)
    with pytest.raises(ValueError, match="at least 2"):
        S.wave_changes(df, "sat", "wave", ["2025Q1"])


def test_weighted_welch_hand():
    """Weighted Welch test: weighted means/SDs with Kish n_eff in the Welch formulas."""
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    wa = np.array([1.0, 2.0, 1.0, 2.0, 1.0])
    b = np.array([3.0, 5.0, 4.0, 6.0])
    wb = np.array([1.0, 1.0, 3.0, 1.0])
    df = pd.DataFrame({"v": np.r_[a, b], "wave": ["A"] * 5 + ["B"] * 4, "w": np.r_[wa, wb]})
    out = S.wave_changes(df, "v", "wave", ["A", "B"], weights="w").iloc[0]

    def summ(x, w):
        m = np.sum(w * x) / w.sum()
        ne = w.sum() ** 2 / np.sum(w**2)
        var = np.sum(w * (x - m) ** 2) / w.sum() * ne / (ne - 1)
        return m, var, ne

    ma, va, na = summ(a, wa)
    mb, vb, nb = summ(b, wb)
    se = math.sqrt(va / na + vb / nb)
    dfw = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    t = (mb - ma) / se
    assert out["diff"] == pytest.approx(mb - ma)
    assert out["T"] == pytest.approx(t)
    assert out["df"] == pytest.approx(dfw)
    assert out["p_unc"] == pytest.approx(2 * sps.t.sf(abs(t), dfw))


# ------------------------------------------------------------------------------------ drivers


def _lmg_brute_force(df, outcome, drivers):
    """LMG by averaging over all orderings, with OLS R^2 from numpy."""
    y = df[outcome].to_numpy()

    def r2(cols):
        if not cols:
            return 0.0
        X = np.column_stack([np.ones(len(df)), df[list(cols)].to_numpy()])
        resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        return 1 - resid.var() / y.var()

    from itertools import permutations

    out = dict.fromkeys(drivers, 0.0)
    perms = list(permutations(drivers))
    for perm in perms:
        for i, d in enumerate(perm):
            out[d] += (r2(perm[: i + 1]) - r2(perm[:i])) / len(perms)
    return out


def test_lmg_from_correlation_matrix_equals_pingouin(drivers_df):
    drivers = ["d1", "d2", "d3", "d4"]
    z = drivers_df[["y", *drivers]].to_numpy()
    mine, r2 = S.lmg_from_corr(np.corrcoef(z, rowvar=False)[None])
    lr = pg.linear_regression(drivers_df[drivers], drivers_df["y"], relimp=True).iloc[1:]
    np.testing.assert_allclose(mine[0], lr["relimp"].to_numpy(), atol=1e-8)
    assert r2[0] == pytest.approx(lr["r2"].iloc[0], abs=1e-10)
    brute = _lmg_brute_force(drivers_df.iloc[:40], "y", drivers[:3])
    z40 = drivers_df.iloc[:40][["y", *drivers[:3]]].to_numpy()
    mine40, _ = S.lmg_from_corr(np.corrcoef(z40, rowvar=False)[None])
    np.testing.assert_allclose(mine40[0], [brute[d] for d in drivers[:3]], atol=1e-10)


def test_relative_importance_output(drivers_df):
    drivers = ["d1", "d2", "d3", "d4"]
    out = S.relative_importance(drivers_df, "y", drivers, n_boot=200, seed=1)
    assert list(out.columns) == ["outcome", "driver", "beta", "relimp", "relimp_ci_low", "relimp_ci_high", "share",
                                 "share_ci_low", "share_ci_high", "rank", "r2", "r2_ci_low", "r2_ci_high", "n"]
    lr = pg.linear_regression(drivers_df[drivers], drivers_df["y"], relimp=True).iloc[1:].set_index("names")
    o = out.set_index("driver")
    for d in drivers:
        assert o.loc[d, "relimp"] == pytest.approx(lr.loc[d, "relimp"], abs=1e-12)
        assert o.loc[d, "relimp_ci_low"] <= o.loc[d, "relimp"] <= o.loc[d, "relimp_ci_high"]
    assert out["relimp"].sum() == pytest.approx(out["r2"].iloc[0])
    assert out["share"].sum() == pytest.approx(1.0)
    assert out["driver"].tolist()[0] == "d1" and out["rank"].tolist() == [1, 2, 3, 4]
    # standardized beta
    zs = (drivers_df - drivers_df.mean()) / drivers_df.std()
    beta = np.linalg.lstsq(zs[drivers].to_numpy(), zs["y"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(o.loc[drivers, "beta"], beta, atol=1e-10)
    assert out["r2_ci_low"].iloc[0] < out["r2"].iloc[0] < out["r2_ci_high"].iloc[0]
    again = S.relative_importance(drivers_df, "y", drivers, n_boot=200, seed=1)
    pd.testing.assert_frame_equal(out, again)
    # listwise deletion
    d2 = drivers_df.copy()
    d2.loc[:9, "d3"] = np.nan
    assert S.relative_importance(d2, "y", drivers, n_boot=0)["n"].iloc[0] == 140


def test_relative_importance_validation(drivers_df):
    with pytest.raises(ValueError, match="at least 2 drivers"):
        S.relative_importance(drivers_df, "y", ["d1"])
    with pytest.raises(ValueError, match="complete rows"):
        S.relative_importance(drivers_df.iloc[:6], "y", ["d1", "d2", "d3", "d4"])
    with pytest.raises(ValueError, match="collinear"):
        S.relative_weights(drivers_df.assign(d5=drivers_df.d1 + drivers_df.d2), "y", ["d1", "d2", "d5"])
    with pytest.raises(ValueError, match="constant"):
        S.relative_importance(drivers_df.assign(d5=1.0), "y", ["d1", "d5"])


def test_relative_weights_sum_to_r2_and_orthogonal_case(drivers_df):
    drivers = ["d1", "d2", "d3", "d4"]
    out = S.relative_weights(drivers_df, "y", drivers, n_boot=100)
    assert list(out.columns) == ["outcome", "driver", "beta", "raw_weight", "raw_weight_ci_low", "raw_weight_ci_high",
                                 "share", "share_ci_low", "share_ci_high", "rank", "r2", "r2_ci_low", "r2_ci_high", "n"]
    r2 = pg.linear_regression(drivers_df[drivers], drivers_df["y"])["r2"].iloc[0]
    assert out["raw_weight"].sum() == pytest.approx(r2, abs=1e-10)
    assert out["r2"].iloc[0] == pytest.approx(r2, abs=1e-10)
    # uncorrelated drivers: raw weights = squared correlations with the outcome (= LMG)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60, 3))
    x -= x.mean(axis=0)
    q, _ = np.linalg.qr(x)  # orthogonal, centred columns
    df = pd.DataFrame(q, columns=["a", "b", "c"])
    df["y"] = 3 * df.a + 2 * df.b + df.c + rng.normal(scale=0.1, size=60)
    rw = S.relative_weights(df, "y", ["a", "b", "c"], n_boot=0).set_index("driver")
    r = df.corr().loc[["a", "b", "c"], "y"]
    np.testing.assert_allclose(rw.loc[["a", "b", "c"], "raw_weight"], r**2, atol=1e-10)
    li = S.relative_importance(df, "y", ["a", "b", "c"], n_boot=0).set_index("driver")
    np.testing.assert_allclose(li.loc[["a", "b", "c"], "relimp"], r**2, atol=1e-10)


def test_driver_agreement():
    a = pd.DataFrame({"driver": ["x", "y", "z", "w"], "rank": [1, 2, 3, 4], "share": [0.4, 0.3, 0.2, 0.1]})
    b = pd.DataFrame({"driver": ["w", "x", "y", "z"], "rank": [4, 2, 1, 3]})
    out = S.driver_agreement(a, b)
    assert list(out.columns) == ["driver", "rank_a", "rank_b", "rank_diff", "share_a", "share_b", "disagree",
                                 "spearman_rho"]
    assert out["driver"].tolist() == ["x", "y", "z", "w"]
    assert out["disagree"].tolist() == [True, True, False, False]
    # rho = 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - 6 * 2 / 60
    assert out["spearman_rho"].iloc[0] == pytest.approx(0.8)
    with pytest.raises(ValueError, match="same drivers"):
        S.driver_agreement(a, b.iloc[:3])


def test_importance_performance_quadrants():
    df = pd.DataFrame({"el": ["speed", "price", "decor", "music"], "imp": [0.4, 0.35, 0.1, 0.15],
                       "perf": [3.0, 6.0, 2.0, 6.5]})
    out = S.importance_performance(df, "imp", "perf", "el").set_index("el")
    assert out.loc["speed", "quadrant"] == "Concentrate here"
    assert out.loc["price", "quadrant"] == "Keep up the good work"
    assert out.loc["decor", "quadrant"] == "Low priority"
    assert out.loc["music", "quadrant"] == "Possible overkill"
    assert out.loc["speed", "priority"] == 1
    assert sorted(out["priority"]) == [1, 2, 3, 4]
    assert out.loc["speed", "importance_split"] == pytest.approx(0.25)
    assert out.loc["speed", "performance_split"] == pytest.approx(4.375)
    # within Concentrate here: larger importance x gap first
    df2 = pd.DataFrame({"el": list("abcd"), "imp": [0.5, 0.6, 0.1, 0.1], "perf": [2.0, 3.0, 6.0, 6.0]})
    out2 = S.importance_performance(df2, "imp", "perf", "el")
    # a: 0.5 * (6 - 2) = 2.0 beats b: 0.6 * 3 = 1.8
    assert out2["el"].tolist()[:2] == ["a", "b"]
    assert (out2["quadrant"].iloc[:2] == "Concentrate here").all()


# ------------------------------------------------------------------------------------ agreement


def test_cohen_kappa_textbook():
    # 2x2 textbook example (50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15): po .7, pe .5, kappa .4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    out = S.cohen_kappa(a, b)
    row = out.iloc[0]
    assert (row["n"], row["k"]) == (50, 2)
    assert row["po"] == pytest.approx(0.7) and row["pe"] == pytest.approx(0.5)
    assert row["kappa"] == pytest.approx(0.4)
    # Fleiss-Cohen-Everitt SE by hand: p11=.4, p12=.1, p21=.2, p22=.3; rows .5/.5, cols .6/.4
    k = 0.4
    A = 0.4 * (1 - (0.5 + 0.6) * (1 - k)) ** 2 + 0.3 * (1 - (0.5 + 0.4) * (1 - k)) ** 2
    B = (1 - k) ** 2 * (0.1 * (0.6 + 0.5) ** 2 + 0.2 * (0.4 + 0.5) ** 2)
    C = (k - 0.5 * (1 - k)) ** 2
    se = math.sqrt((A + B - C) / (50 * 0.25))
    assert row["se"] == pytest.approx(se)
    assert row["ci_low"] == pytest.approx(0.4 - 1.959963985 * se)
    assert S.cohen_kappa([1, 2, 3, 1], [1, 2, 3, 1])["kappa"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="equal length"):
        S.cohen_kappa([1, 2], [1])


def test_krippendorff_alpha_nominal_textbook():
    nan = np.nan
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders with missing data
    codes = pd.DataFrame({
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    })
    out = S.krippendorff_alpha_nominal(codes, n_boot=200)
    assert out.loc[0, "alpha"] == pytest.approx(0.743, abs=5e-4)
    assert out.loc[0, "n_units"] == 11 and out.loc[0, "n_values"] == 40
    assert out.loc[0, "ci_low"] < out.loc[0, "alpha"] <= out.loc[0, "ci_high"]
    # same paper, two coders, nominal: alpha = 0.692
    two = pd.DataFrame({"A": list("aabbdcccedda"), "B": list("babbbccceddd")})
    assert S.krippendorff_alpha_nominal(two, n_boot=0).loc[0, "alpha"] == pytest.approx(0.692, abs=5e-4)
    perfect = pd.DataFrame({"A": list("abcab"), "B": list("abcab")})
    assert S.krippendorff_alpha_nominal(perfect, n_boot=0).loc[0, "alpha"] == pytest.approx(1.0)


# ------------------------------------------------------------------------------------ docs


def _stats_modules():
    """The stats package and every submodule (doctest only finds a module's own functions)."""
    names = sorted(m.name for m in pkgutil.iter_modules(S.__path__))
    return [S] + [importlib.import_module(f"{S.__name__}.{name}") for name in names]


def test_every_stats_submodule_is_found():
    names = {m.__name__.rsplit(".", 1)[-1] for m in _stats_modules()}
    assert {"descriptive", "psychometrics", "compare", "drivers", "agreement", "common"} <= names


@pytest.mark.parametrize("module", _stats_modules(), ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_docstring_examples_cover_the_public_functions():
    attempted = 0
    for module in _stats_modules():
        attempted += doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE).attempted
    assert attempted > 20
    for name in S.__all__:
        obj = getattr(S, name)
        if callable(obj):
            assert ">>> " in (obj.__doc__ or ""), f"{name} has no example"


def test_public_names_keep_their_home_and_stay_importable():
    """Every name of stats.__all__ is the object defined in its submodule (no copies)."""
    for name in S.__all__:
        obj = getattr(S, name)
        if callable(obj):
            home = importlib.import_module(obj.__module__)
            assert home.__name__.startswith("cem_research.stats."), name
            assert getattr(home, name) is obj
            assert name in home.__all__, f"{name} missing from {home.__name__}.__all__"
    assert S.RELIABILITY_THRESHOLD == psychometrics.RELIABILITY_THRESHOLD == 0.70
    assert S.MIN_GROUP == compare.MIN_GROUP == 5


def test_importing_stats_does_not_import_pingouin_or_scipy_stats():
    """The processing stage imports stats for reverse_key/score_scale: the heavy libraries stay lazy."""
    import subprocess
    import sys

    code = "import sys, cem_research.stats; print('pingouin' in sys.modules, 'scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_public_functions_have_numpydoc_sections():
    for name in S.__all__:
        if not callable(getattr(S, name)):
            continue  # constants (RELIABILITY_THRESHOLD, MIN_GROUP)
        doc = getattr(S, name).__doc__ or ""
        for section in ("Parameters", "Returns", "Notes", "Examples"):
            assert f"{section}\n    ---" in doc, f"{name} lacks {section}"



# ---------------------------------------------------------------------------------------------
# reliability within groups (comparable before compared)
# ---------------------------------------------------------------------------------------------


def _planted_unreliable(n=60, seed=4):
    """Three items driven by one factor in groups 'a' and 'c'; pure noise in group 'b'."""
    rng = np.random.default_rng(seed)
    group = np.repeat(["a", "b", "c"], n)
    f = rng.normal(size=3 * n)
    good = group != "b"
    items = {f"q{i}": np.where(good, f + 0.6 * rng.normal(size=3 * n), rng.normal(size=3 * n)) for i in range(3)}
    return pd.DataFrame({**items, "g": group})


def test_group_reliability_flags_the_planted_group():
    df = _planted_unreliable()
    out = S.group_reliability(df, ["q0", "q1", "q2"], "g", name="exp")
    assert list(out.columns) == ["g", "construct", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "alpha_std",
                                 "flag", "unreliable"]
    assert out["g"].tolist() == ["a", "b", "c"]
    assert out.set_index("g")["unreliable"].to_dict() == {"a": False, "b": True, "c": False}
    assert (out["construct"] == "exp").all() and (out["n"] == 60).all()
    # each row is stats.reliability within the group
    b = S.reliability(df[df["g"] == "b"], ["q0", "q1", "q2"], name="exp")
    assert out.loc[1, "alpha"] == pytest.approx(b["alpha"].iloc[0])
    assert out.loc[1, "flag"] == b["flag"].iloc[0]


def test_group_reliability_categorical_order_single_item_and_errors():
    df = _planted_unreliable()
    df["g"] = pd.Categorical(df["g"], categories=["c", "b", "a", "zzz"])
    assert S.group_reliability(df, ["q0", "q1"], "g")["g"].tolist() == ["c", "b", "a"]
    single = S.group_reliability(df, ["q0"], "g")
    assert not single["unreliable"].any() and single["alpha"].isna().all()
    with pytest.raises(ValueError, match="expected column"):
        S.group_reliability(df, ["q0", "nope"], "g")
    with pytest.raises(ValueError, match="not to be one of the items"):
        S.group_reliability(df, ["q0", "g"], "g")


def test_fast_cronbach_matches_pingouin():
    rng = np.random.default_rng(8)
    for _ in range(50):
        n, k = int(rng.integers(4, 80)), int(rng.integers(2, 6))
        x = pd.DataFrame(rng.integers(1, 8, (n, k)).astype(float) + rng.normal(0, 1, (n, 1)))
        a, ci = pg.cronbach_alpha(x)
        b, ci2 = psychometrics._cronbach(x.to_numpy())
        assert b == pytest.approx(a, abs=1e-12)
        assert list(ci2) == pytest.approx(list(ci), abs=1e-12)


def test_boot_corr_equals_corrcoef_of_the_resampled_rows():
    """The count-encoded resamples are exactly the rows an index-resampling bootstrap draws."""
    rng = np.random.default_rng(5)
    z = rng.normal(size=(60, 4))
    stack = np.concatenate(list(drivers._boot_corr(z, 30, seed=9, chunk_cells=60 * 7)))  # chunks of 7
    draw = np.random.default_rng(9)
    expected = []
    while len(expected) < 30:
        b = min(7, 30 - len(expected))
        for idx in draw.integers(0, 60, size=(b, 60)):
            expected.append(np.corrcoef(z[idx], rowvar=False))
    assert stack.shape == (30, 4, 4)
    assert np.allclose(stack, np.array(expected), atol=1e-12)


def test_boot_corr_all_is_shared_for_a_fixed_seed():
    rng = np.random.default_rng(6)
    z = rng.normal(size=(80, 3))
    a = S.boot_corr_all(z, 50, seed=1)
    assert S.boot_corr_all(z.copy(), 50, seed=1) is a  # same data, same seed: same resamples
    assert not a.flags.writeable
    assert not np.allclose(S.boot_corr_all(z, 50, seed=2), a)
    assert S.boot_corr_all(z, 50, seed=None) is not S.boot_corr_all(z, 50, seed=None)
    assert S.boot_corr_all(z, 0, seed=1).shape == (0, 3, 3)


@pytest.mark.parametrize("k, df", [(3, 2), (4, 7), (7, 33), (12, 1000)])
def test_studentized_range_table_holds_scipys_values(k, df):
    cols, table = compare._studentized_range_table()
    assert sorted(cols) == list(range(3, 13)) and table[:, 0].tolist() == list(range(2, 1001))
    compare._studentized_range_quantile.cache_clear()
    assert compare._studentized_range_quantile(0.95, k, df) == pytest.approx(
        sps.studentized_range.ppf(0.95, k, df), rel=1e-9)


def test_studentized_range_outside_the_table_asks_scipy():
    compare._studentized_range_quantile.cache_clear()
    for confidence, k, df in [(0.9, 4, 20), (0.95, 13, 20)]:
        assert compare._studentized_range_quantile(confidence, k, df) == pytest.approx(
            sps.studentized_range.ppf(confidence, k, df), rel=1e-12)


# ---- the interval that agrees with a corrected verdict -------------------------------------------------


def test_adjusted_interval_excludes_zero_iff_the_corrected_p_is_below_alpha():
    rng = np.random.default_rng(7)
    diff = rng.normal(0, 0.3, 200)
    se = rng.uniform(0.05, 0.2, 200)
    df = rng.uniform(5, 400, 200)
    p_unc = 2 * sps.t.sf(np.abs(diff / se), df)
    p_adj = S.adjust_pvalues(pd.DataFrame({"p_unc": p_unc}), "p_unc", "holm")["p_corr"].to_numpy()
    lo, hi = S.adjusted_interval(diff, se, df, p_unc, p_adj, alpha=0.05)
    excludes = (lo > 0) | (hi < 0)
    assert ((p_adj < 0.05) == excludes).all()
    assert ((p_adj < 0.05) & (p_adj > 0.01)).any() and ((p_adj >= 0.05) & (p_unc < 0.05)).any()  # both kinds seen
    assert (lo <= diff).all() and (diff <= hi).all()


def test_adjusted_interval_is_the_bonferroni_interval_and_the_plain_one_without_correction():
    diff, se, df, m = 0.4, 0.15, 60.0, 6
    p_unc = float(2 * sps.t.sf(diff / se, df))
    lo, hi = S.adjusted_interval(diff, se, df, p_unc, min(m * p_unc, 1.0))
    half = sps.t.ppf(1 - 0.05 / (2 * m), df) * se
    assert (lo[0], hi[0]) == (pytest.approx(diff - half), pytest.approx(diff + half))
    lo, hi = S.adjusted_interval(diff, se, df, p_unc, p_unc)
    assert hi[0] - diff == pytest.approx(sps.t.ppf(0.975, df) * se)
    lo, hi = S.adjusted_interval(diff, se, np.inf, p_unc, min(m * p_unc, 1.0))  # normal distribution
    assert hi[0] - diff == pytest.approx(sps.norm.ppf(1 - 0.05 / (2 * m)) * se)
    lo, hi = S.adjusted_interval(np.nan, se, df, p_unc, p_unc)
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    with pytest.raises(ValueError, match="alpha"):
        S.adjusted_interval(diff, se, df, p_unc, p_unc, alpha=1.5)


def test_with_adjusted_interval_agrees_with_the_holm_verdict_of_compare_to_reference():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"y": np.r_[rng.normal(5, 1, 40), rng.normal(5.5, 1, 40), rng.normal(5.3, 1, 40)],
                       "z": rng.normal(4, 1, 120), "g": np.repeat(["o", "a", "b"], 40)})
    t = S.with_adjusted_interval(S.compare_to_reference(df, ["y", "z"], "g", "o"))
    plain = S.compare_to_reference(df, ["y", "z"], "g", "o")
    assert (((t["ci_low"] > 0) | (t["ci_high"] < 0)) == t["significant"]).all()
    assert ((t["ci_high"] - t["ci_low"]) >= (plain["ci_high"] - plain["ci_low"]) - 1e-12).all()  # never narrower
