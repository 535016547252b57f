"""Evidence the innovation agenda weighs: how many outcome points a driver point is worth
(:func:`driver_effects`, the multiple regression), each driver's share of the explained variance
(:func:`driver_importance`, LMG) and how far the own brand trails the best competitor
(:func:`competitor_gaps`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.steps.innovation.common import DEFAULTS, GOOD_SHARE, construct_title

__all__ = ["driver_importance", "driver_effects", "competitor_gaps"]


def _driver_rows(data, outcome, rows):
    """The outcome, the usable drivers and the complete rows of :func:`driver_importance` and
    :func:`driver_effects` (``None`` with fewer than two drivers or too few complete rows)."""
    cfg = data.config
    outcome = outcome or data.main_outcome
    rows = data.own if rows is None else rows
    # a driver nobody answered, or everyone answered alike, explains nothing (and has no effect to estimate)
    drivers = [d for d in cfg.drivers if d in rows.columns and rows[d].nunique() > 1]
    if outcome is None or outcome not in rows.columns or rows[outcome].nunique() < 2 or len(drivers) < 2:
        return None
    cols = [outcome, *drivers] + ([data.weight] if data.weight and data.weight in rows.columns else [])
    complete = rows[cols].dropna()
    if len(complete) < max(20, 2 * len(drivers) + 2):
        return None
    return outcome, drivers, complete


def driver_importance(data, outcome: str | None = None, rows: pd.DataFrame | None = None,
                      n_boot: int = DEFAULTS.n_boot, seed: int = DEFAULTS.seed,
                      confidence: float = DEFAULTS.confidence) -> pd.DataFrame | None:
    """Relative importance (LMG) of the declared drivers on the main outcome, own brand.

    ``stats.relative_importance`` on ``rows`` (default: all own-brand ratings): each driver's part
    of R² and its share, unweighted (LMG has no weighted form).  How many outcome points a driver
    point is worth is :func:`driver_effects`, not this.

    Parameters
    ----------
    data : ClientData
    outcome : str, optional
        Default: the client's main outcome (``data.main_outcome``).
    rows : DataFrame, optional
        The ratings analysed (default: the own brand's).
    n_boot, seed, confidence
        Bootstrap of the relative importance (``Settings.n_boot``, ``seed``, ``confidence``).

    Returns
    -------
    DataFrame or None
        ``stats.relative_importance`` columns; ``None`` with fewer than two drivers or fewer than 20
        complete rows.
    """
    got = _driver_rows(data, outcome, rows)
    if got is None:
        return None
    outcome, drivers, complete = got
    return stats.relative_importance(complete, outcome, drivers, n_boot=n_boot, seed=seed, confidence=confidence)


def driver_effects(data, outcome: str | None = None, rows: pd.DataFrame | None = None,
                   n_boot: int = DEFAULTS.n_boot, seed: int = DEFAULTS.seed,
                   confidence: float = DEFAULTS.confidence) -> pd.DataFrame | None:
    """How many outcome points one driver point is worth: the multiple regression of the main outcome on the drivers.

    ``stats.regression_coefficients`` on ``rows`` (default: all own-brand ratings, every wave),
    weighted least squares with the survey weights when the client has them (``data.weight``),
    ordinary least squares otherwise; percentile bootstrap intervals; signs kept (a driver whose
    coefficient is negative lowers the outcome when it rises, the others held constant).

    Parameters
    ----------
    data : ClientData
    outcome : str, optional
        Default: the client's main outcome (``data.main_outcome``).
    rows : DataFrame, optional
        The ratings analysed (default: the own brand's).
    n_boot, seed, confidence
        Bootstrap of the coefficients (``Settings.n_boot``, ``seed``, ``confidence``).

    Returns
    -------
    DataFrame or None
        ``stats.regression_coefficients`` columns (``driver, coef, ci_low, ci_high, beta, r2, n,
        n_eff`` ...); ``attrs``: ``weighted`` (bool), ``outcome_sd`` (the outcome's (weighted)
        standard deviation in the same rows).  ``None`` with fewer than two drivers or fewer than
        20 complete rows.
    """
    got = _driver_rows(data, outcome, rows)
    if got is None:
        return None
    outcome, drivers, complete = got
    weights = data.weight if data.weight in complete.columns else None
    try:
        res = stats.regression_coefficients(complete, outcome, drivers, weights=weights, n_boot=n_boot, seed=seed,
                                            confidence=confidence)
    except ValueError:  # collinear or constant drivers: no model
        return None
    y = complete[outcome].to_numpy(dtype=float)
    w = complete[weights].to_numpy(dtype=float) if weights else np.ones(len(y))
    sd = float(np.sqrt(np.cov(y, aweights=w))) if weights else float(np.std(y, ddof=1))
    res.attrs.update(weighted=weights is not None, outcome_sd=sd)
    return res


def competitor_gaps(data, constructs: Sequence[str] | None = None, alpha: float = 0.05,
                    tests: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Own brand vs the best competitor and the category best, per construct.

    The own brand's level is its latest wave; the gap to the best competitor is step 1's comparison
    (:func:`cem_research.steps.world.brand_tests`, the one home of every own-brand comparison: all
    waves, Welch t-test, Holm over step 1's whole table, interval adjusted for multiple comparisons),
    so the agenda cites the same difference, interval, p and verdict as steps 1 to 3.  The best
    competitor is the competitor brand with the highest mean there (at least 5 ratings).  Choosing it
    after looking at the means favours finding a gap; the test does not correct for that choice.  The
    category best (any brand, own included, latest wave; all waves for competitors not rated in it)
    decides whether any brand performs well.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default: the client's drivers.
    alpha : float, default 0.05
        Level of ``gap_significant`` when ``tests`` is computed here.
    tests : DataFrame, optional
        Step 1's comparison table (``world.own_vs_competitors``); computed when omitted.

    Returns
    -------
    DataFrame or None
        One row per construct: ``construct, title, scale_min, scale_max,
        own_n, own_mean, own_ci_low, own_ci_high, best_competitor, best_n, best_mean, gap, gap_ci_low,
        gap_ci_high, gap_p_corr, gap_significant, category_best, category_best_brand, good_level,
        no_brand_performs``.  ``gap = best competitor - own`` as step 1 tests it (positive: the competitor
        is ahead), ``best_mean`` the competitor's mean there.  Without competitor ratings the competitor
        columns are NaN.  ``attrs["basis"]`` says which waves were used.
    """
    from cem_research.steps.world.competition import brand_tests

    cfg = data.config
    names = [c for c in (constructs if constructs is not None else cfg.drivers)
             if c in data.ratings.columns and data.ratings[c].notna().any()]  # a construct nobody answered: no gap
    if not names:
        return None
    r = data.ratings[data.ratings["wave"].isin(data.waves)]
    latest = r[r["wave"] == data.latest_wave]
    own_rows = latest[latest["brand_kind"] == "own"]
    if not len(own_rows):
        return None
    if (latest["brand_kind"] != "own").any():
        comp_rows, basis = latest[latest["brand_kind"] != "own"], f"latest wave ({data.latest_wave})"
    else:
        comp_rows = r[r["brand_kind"] != "own"]
        basis = (f"own brand: latest wave ({data.latest_wave}); competitors: all waves" if len(comp_rows)
                 else f"latest wave ({data.latest_wave}); no competitor ratings")
    if len(comp_rows):
        basis += "; gap to the best competitor: all waves, as step 1 compares the brands"
    home = None
    if data.has_competitors:
        home = brand_tests(data, confidence=1 - alpha) if tests is None else tests
    r = pd.concat([own_rows, comp_rows], ignore_index=True)
    rows = []
    for c in names:
        lo, hi = cfg.constructs[c].scale
        sub = r[r[c].notna()]
        own = stats.mean_ci(sub[sub["brand_kind"] == "own"], c, weights=data.weight).iloc[0]
        means = sub.groupby("brand")[c].agg(["mean", "size"])
        if data.weight:
            means["mean"] = sub.groupby("brand").apply(
                lambda g: float(np.average(g[c], weights=g[data.weight])), include_groups=False)
        good = lo + GOOD_SHARE * (hi - lo)
        row = {"construct": c, "title": construct_title(cfg, c), "scale_min": lo, "scale_max": hi,
               "own_n": int(own["n"]), "own_mean": own["mean"], "own_ci_low": own["ci_low"],
               "own_ci_high": own["ci_high"], "best_competitor": None, "best_n": np.nan, "best_mean": np.nan,
               "gap": np.nan, "gap_ci_low": np.nan, "gap_ci_high": np.nan, "gap_p_corr": np.nan,
               "gap_significant": False}
        if home is not None:
            cand = home[(home["comparison"] == "brand") & (home["construct"] == c) & (home["n_other"] >= 5)]
            cand = cand.dropna(subset=["mean_other"])
            if len(cand):
                t = cand.loc[cand["mean_other"].idxmax()]
                row.update(best_competitor=str(t["competitor"]), best_n=int(t["n_other"]),
                           best_mean=float(t["mean_other"]), gap=-float(t["diff"]), gap_ci_low=-float(t["ci_high"]),
                           gap_ci_high=-float(t["ci_low"]), gap_p_corr=float(t["p_corr"]),
                           gap_significant=bool(t["significant"]))
        cat = means[means["size"] >= 5]["mean"] if (means["size"] >= 5).any() else means["mean"]
        row.update(category_best=float(cat.max()), category_best_brand=str(cat.idxmax()), good_level=good,
                   no_brand_performs=bool(cat.max() < good))
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["basis"] = basis
    return out
