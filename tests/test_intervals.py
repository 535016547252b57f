"""Intervals that are what they say (issue 14, items 9, 10 and 12): the NPS score interval and the wave
change's standard errors, omega squared bounded by eta squared, the studentized-range quantile, loyalty
groups on ceiling-skewed scores.  Each is checked against an independent reference (SciPy, statsmodels,
exact enumeration, a brute-force grid)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy import stats as sps

from cem_research import stats
from cem_research.client.config import parse_config
from cem_research.client.data import ClientData
from cem_research.stats import compare
from cem_research.steps import innovation, world

Z95 = sps.norm.ppf(0.975)


def nps_frame(promoters: int, passives: int, detractors: int) -> pd.DataFrame:
    return pd.DataFrame({"ltr": [10] * promoters + [8] * passives + [3] * detractors})


def reference_score_interval(a: float, b: float, c: float, z: float = Z95, grid: int = 2001) -> tuple[float, float]:
    """Brute force for ``a`` promoters, ``b`` detractors, ``c`` passives: the restricted MLE by numerical
    optimisation, the score statistic on a grid of delta, each end refined by bisection."""
    n = a + b + c
    est = (a - b) / n

    def variance(delta):
        lo, hi = max(0.0, -delta), (1 - delta) / 2

        def nll(q):
            terms = [(a, q + delta), (b, q), (c, 1 - 2 * q - delta)]
            return -sum(k * math.log(max(p, 1e-300)) for k, p in terms if k > 0)

        if hi - lo < 1e-12:
            q = lo
        else:
            res = optimize.minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
            q = min((res.x, lo, hi), key=nll)
        return (q + delta) + q - delta**2

    def inside(d):
        return n * (est - d) ** 2 <= z * z * variance(d) + 1e-12

    deltas = np.linspace(-1, 1, grid)
    ok = [d for d in deltas if inside(d)]
    step = deltas[1] - deltas[0]

    def refine(good, bad):
        for _ in range(40):
            mid = (good + bad) / 2
            good, bad = (mid, bad) if inside(mid) else (good, mid)
        return good

    low = ok[0] if ok[0] <= -1 else refine(ok[0], ok[0] - step)
    high = ok[-1] if ok[-1] >= 1 else refine(ok[-1], ok[-1] + step)
    return low, high


# ---------------------------------------------------------------------------------------------
# NPS
# ---------------------------------------------------------------------------------------------


def test_nps_five_promoters_is_not_a_point_and_equals_wilson():
    row = stats.nps(nps_frame(5, 0, 0), "ltr").iloc[0]
    assert row["nps"] == 100 and row["ci_high"] == 100 and row["ci_low"] < 100  # the Wald gave [100, 100]
    # without passives the net score is 2p - 1: the score interval is Wilson's, mapped
    wilson = sps.binomtest(5, 5).proportion_ci(method="wilson")
    assert row["ci_low"] == pytest.approx(100 * (2 * wilson.low - 1), abs=1e-7)
    assert row["small_n"]


@pytest.mark.parametrize("a, b", [(3, 7), (12, 4), (0, 9), (40, 25), (1, 0)])
def test_nps_without_passives_is_wilson(a, b):
    row = stats.nps(nps_frame(a, 0, b), "ltr").iloc[0]
    ci = sps.binomtest(a, a + b).proportion_ci(method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * (2 * ci.low - 1), 100 * (2 * ci.high - 1)),
                                                           abs=1e-7)


@pytest.mark.parametrize("counts", [(19, 1, 0), (18, 2, 0), (5, 3, 2), (2, 10, 8), (0, 5, 0), (0, 0, 7),
                                    (30, 12, 18), (7, 0, 1)])
def test_nps_score_interval_matches_brute_force(counts):
    promoters, passives, detractors = counts
    row = stats.nps(nps_frame(*counts), "ltr").iloc[0]
    lo, hi = reference_score_interval(promoters, detractors, passives)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * lo, 100 * hi), abs=1e-5)
    assert -100 <= row["ci_low"] <= row["nps"] <= row["ci_high"] <= 100


def test_nps_at_n_20_is_not_clipped():
    row = stats.nps(nps_frame(19, 1, 0), "ltr").iloc[0]  # NPS 95: the Wald interval ran to 104.5 and was cut at 100
    assert row["ci_high"] < 100 and row["ci_low"] < row["nps"] < row["ci_high"]
    assert row["ci_high"] - row["nps"] < row["nps"] - row["ci_low"]  # asymmetric towards the bound, not chopped


@pytest.mark.parametrize("n, p_p, p_d", [(10, 0.9, 0.05), (20, 0.85, 0.05), (20, 0.5, 0.2)])
def test_nps_interval_exact_coverage_near_nominal(n, p_p, p_d):
    """Exact coverage by enumerating every trinomial outcome (no simulation)."""
    covered = 0.0
    delta = p_p - p_d
    for a in range(n + 1):
        for b in range(n + 1 - a):
            c = n - a - b
            lo, hi = descriptive_interval(a, b, c)
            if lo <= delta <= hi:
                covered += sps.multinomial.pmf([a, b, c], n, [p_p, p_d, 1 - p_p - p_d])
    assert covered > 0.94  # the Wald interval covers 65% at n = 10, NPS 85


def descriptive_interval(a, b, c):
    row = stats.nps(nps_frame(a, c, b), "ltr").iloc[0]
    return row["ci_low"] / 100, row["ci_high"] / 100


def test_nps_standard_error_is_rocks_adjusted_wald_and_small_n_is_flagged():
    row = stats.nps(nps_frame(5, 0, 0), "ltr").iloc[0]
    pt, dt = 5.75 / 8, 0.75 / 8
    assert row["se"] == pytest.approx(100 * math.sqrt((pt + dt - (pt - dt) ** 2) / 8))
    assert stats.nps(nps_frame(20, 5, 4), "ltr")["small_n"].iloc[0]
    assert not stats.nps(nps_frame(20, 6, 4), "ltr")["small_n"].iloc[0]
    assert stats.NPS_SMALL_N == 30


def test_weighted_nps_interval_uses_the_effective_n():
    frame = nps_frame(12, 5, 3).assign(w=1.0)
    pd.testing.assert_frame_equal(stats.nps(frame, "ltr", weights="w"), stats.nps(frame, "ltr"))
    frame["w"] = np.r_[np.full(12, 2.0), np.ones(8)]
    row = stats.nps(frame, "ltr", weights="w").iloc[0]
    n_eff = stats.effective_sample_size(frame["w"])
    pp, pd_ = 24 / 32, 3 / 32
    lo, hi = reference_score_interval(pp * n_eff, pd_ * n_eff, (1 - pp - pd_) * n_eff)  # weighted counts
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * lo, 100 * hi), abs=1e-5)


# ---------------------------------------------------------------------------------------------
# wave changes of the NPS
# ---------------------------------------------------------------------------------------------


def nps_data(w1: list[int], w2: list[int]) -> ClientData:
    cfg = parse_config({
        "brand": "Own", "survey": {"file": "s.csv", "id": "id", "wave": "wave"},
        "constructs": {"sat": {"items": ["sat"], "scale": [1, 10]}, "ltr": {"items": ["ltr"], "scale": [0, 10]}},
        "outcomes": ["sat", "ltr"], "nps": "ltr", "scale": [1, 7],
    }, "unit")
    ltr = np.array(w1 + w2, dtype=float)
    n = len(ltr)
    ratings = pd.DataFrame({"source": "survey", "row": np.arange(1, n + 1), "respondent": [f"R{i}" for i in range(n)],
                            "wave": ["W1"] * len(w1) + ["W2"] * len(w2), "brand": "Own", "brand_kind": "own",
                            "sat": np.linspace(1, 10, n), "ltr": ltr})
    return ClientData(cfg, ratings, None, None, {"waves": ["W1", "W2"]})


@pytest.mark.filterwarnings("ignore:Precision loss")  # a wave of identical answers in the construct tests
def test_nps_wave_change_from_the_two_standard_errors():
    data = nps_data([10] * 5, [10] * 12 + [7] * 4 + [2] * 4)
    res = innovation.nps_by_wave(data)
    per = stats.nps(data.own.assign(wave=pd.Categorical(data.own["wave"], ["W1", "W2"])), "ltr", by="wave")
    half = Z95 * math.sqrt(per["se"].iloc[0] ** 2 + per["se"].iloc[1] ** 2)
    change = per["nps"].iloc[1] - per["nps"].iloc[0]
    assert res["change"].iloc[1] == pytest.approx(change)
    assert (res["change_ci_low"].iloc[1], res["change_ci_high"].iloc[1]) == pytest.approx((change - half,
                                                                                           change + half))
    assert res["small_n"].tolist() == [True, True]
    # the first wave is all promoters: a Wald SE (and one backed out of its [100, 100] interval) would be 0
    assert per["se"].iloc[0] > 15
    f = innovation.tracking_finding(innovation.wave_change_tests(data), res)
    assert "Fewer than 30 NPS answers in W1 and W2" in f["text"]


# ---------------------------------------------------------------------------------------------
# omega squared
# ---------------------------------------------------------------------------------------------


def test_omega_squared_never_exceeds_eta_squared_and_matches_statsmodels():
    import statsmodels.api as sm
    from statsmodels.formula.api import ols

    rng = np.random.default_rng(14)
    worst_old = 0.0
    for rep in range(40):
        sizes = rng.integers(5, 60, size=rng.integers(2, 6))
        y = np.concatenate([rng.normal(rng.normal(0, 0.7), rng.uniform(0.2, 3), s) for s in sizes])
        g = np.repeat([f"g{i}" for i in range(len(sizes))], sizes)
        frame = pd.DataFrame({"y": y, "g": g})
        out = stats.omnibus(frame, "y", "g").iloc[0]
        aov = sm.stats.anova_lm(ols("y ~ C(g)", data=frame).fit(), typ=1)
        ss_b, ss_w = aov["sum_sq"].iloc[0], aov["sum_sq"].iloc[1]
        ref = max(0.0, (ss_b - aov["df"].iloc[0] * aov["mean_sq"].iloc[1]) / (ss_b + ss_w + aov["mean_sq"].iloc[1]))
        assert out["omega2"] == pytest.approx(ref, abs=1e-12)
        assert out["omega2"] <= out["np2"] + 1e-12
        d1, f = out["ddof1"], out["F"]
        worst_old = max(worst_old, d1 * (f - 1) / (d1 * (f - 1) + out["n"]) - out["np2"])
    assert worst_old > 0  # the former omega squared from the Welch F did exceed eta squared on such data


def test_segment_gap_is_picked_and_reported_by_omega_squared():
    tests = pd.DataFrame({
        "segment": ["a", "b"], "segment_label": ["A", "B"], "construct": ["sat", "sat"], "label": ["Sat", "Sat"],
        "significant": [False, False], "p_corr": [0.5, 0.6], "np2": [0.010, 0.004], "omega2": [0.0003, 0.0004]})
    profiles = pd.DataFrame({
        "segment": ["a", "a", "b", "b"], "level": ["x", "y", "u", "v"], "construct": "sat", "n": 30,
        "mean": [5.0, 5.4, 5.0, 5.1], "ci_low": 4.0, "ci_high": 6.0, "scale_min": 1.0, "scale_max": 10.0})
    gap = world.segment_gap(profiles, tests, None)
    assert gap["segment"] == "b" and gap["omega2"] == pytest.approx(0.0004)
    f = world.segment_finding(profiles, tests, None, "sat")
    assert "ω² = 0.000" in f["text"] and "by B" in f["text"]


# ---------------------------------------------------------------------------------------------
# studentized range
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [3, 12, 14])
@pytest.mark.parametrize("df", [2.5, 3.7, 10.4, 27.25, 999.9, 25000.0])
def test_studentized_range_critical_value_equals_scipy(k, df):
    assert compare._studentized_range_crit(0.95, k, df) == pytest.approx(
        sps.studentized_range.ppf(0.95, k, df), rel=1e-6)


def test_games_howell_interval_at_small_fractional_df_uses_the_exact_quantile():
    frame = pd.DataFrame({"y": [1.0, 2.5, 2.0, 5.0, 7.5, 6.0, 3.0, 3.2, 3.1], "g": list("aaabbbccc")})
    out = stats.compare_groups(frame, "y", "g")
    q = sps.studentized_range.ppf(0.95, 3, out["df"].to_numpy()) / math.sqrt(2)
    assert out["ci_high"].to_numpy() == pytest.approx((out["diff"] + q * out["se"]).to_numpy(), rel=1e-9)
    assert (out["df"] < 10).all()


# ---------------------------------------------------------------------------------------------
# loyalty groups on ceiling-skewed scores
# ---------------------------------------------------------------------------------------------


def ceiling_scores(seed: int = 3) -> pd.Series:
    """300 loyalty scores (mean of 3 items on 1-7): 119 at 6.67-7 (105 at the ceiling), the rest spread below."""
    rng = np.random.default_rng(seed)
    top = np.r_[np.full(105, 7.0), np.full(14, 20 / 3)]
    rest = np.round(rng.uniform(1, 6.34, 181) * 3) / 3
    return pd.Series(rng.permutation(np.r_[top, rest]))


def test_tercile_cuts_keep_ties_together_on_ceiling_data():
    x = ceiling_scores()
    top = x >= 20 / 3 - 1e-9
    q1, q2 = x.quantile([1 / 3, 2 / 3])
    assert q2 == 7 and (x > q2).sum() == 0  # plain terciles: "high" is empty ...
    assert ((x > q1) & (x <= q2) & top).sum() == 119  # ... and the top 119 are "medium"
    groups = world.loyalty_groups(x, "terciles")
    assert set(groups[x == 7]) == {"high"} and (groups == "high").sum() == 105  # closest to a third: the ceiling
    assert "low" not in set(groups[top])
    sizes = groups.value_counts()
    assert (sizes > 0).all() and sizes.sum() == 300 and (abs(sizes - 100) <= 15).all()
    for value in np.unique(x):  # tied scores share a group
        assert groups[x == value].nunique() == 1


def test_tercile_cuts_are_the_closest_to_thirds():
    """Against exhaustive search over every pair of cuts between distinct scores."""
    rng = np.random.default_rng(0)
    for rep in range(25):
        x = rng.choice([1, 2, 3, 4, 5, 6, 7], size=rng.integers(6, 80), p=rng.dirichlet(np.ones(7)))
        uniq = np.unique(x)
        if uniq.size < 3:
            continue
        low_max, high_min = stats.tercile_cuts(x)
        cost = lambda lo, hi: sum((s - x.size / 3) ** 2 for s in ((x <= lo).sum(), ((x > lo) & (x < hi)).sum(),
                                                                  (x >= hi).sum()))
        best = min(cost(uniq[i], uniq[j + 1]) for i in range(uniq.size - 2) for j in range(i + 1, uniq.size - 1))
        assert cost(low_max, high_min) == pytest.approx(best)
        assert ((x <= low_max).any() and (x >= high_min).any() and ((x > low_max) & (x < high_min)).any())
    assert stats.tercile_cuts([1, 2, 3, 4, 5, 6]) == (2.0, 5.0)  # no ties: plain thirds
    assert stats.tercile_cuts([4.0, 4.0]) == (-np.inf, np.inf)
    assert np.isnan(stats.tercile_cuts([np.nan])[0])


def test_loyalty_segment_label_states_the_rule_and_cut_points():
    cfg = parse_config({
        "brand": "Own", "survey": {"file": "s.csv", "id": "id", "wave": "wave"},
        "constructs": {"sat": {"items": ["sat"], "scale": [1, 10]}, "loyalty": {"items": ["loy"]},
                       "sens": {"items": ["sens"]}},
        "drivers": ["sens"], "outcomes": ["sat", "loyalty"], "scale": [1, 7],
    }, "unit")
    x = ceiling_scores()
    n = len(x)
    ratings = pd.DataFrame({"source": "survey", "row": np.arange(1, n + 1), "respondent": [f"R{i}" for i in range(n)],
                            "wave": "W1", "brand": "Own", "brand_kind": "own", "sat": 7.0, "sens": 4.0,
                            "loyalty": x.to_numpy()})
    data = ClientData(cfg, ratings, None, None, {"waves": ["W1"]})
    label = world.segment_columns(data)[world.LOYALTY]
    low_max, high_min = stats.tercile_cuts(x)
    assert "near-thirds of Loyalty, ties kept together" in label
    assert f"high ≥ {high_min:.2f}" in label and f"low ≤ {low_max:.2f}" in label
    sizes = world.segment_sizes(data)
    loyal = sizes[sizes["segment"] == world.LOYALTY].set_index("level")
    assert loyal.loc["high", "count"] == 105 and (loyal["count"] > 0).all()
