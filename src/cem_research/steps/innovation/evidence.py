"""Evidence the innovation agenda weighs: how strongly each driver moves the main outcome
(:func:`driver_importance`) and how far the own brand trails the best competitor (:func:`competitor_gaps`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.steps import interface
from cem_research.steps.innovation.common import DEFAULTS, GOOD_SHARE, construct_title

__all__ = ["driver_importance", "competitor_gaps"]


def driver_importance(data, outcome: str | None = None, rows: pd.DataFrame | None = None,
                      n_boot: int = DEFAULTS.n_boot, seed: int = DEFAULTS.seed,
                      confidence: float = DEFAULTS.confidence) -> pd.DataFrame | None:
    """Relative importance (LMG) of the declared drivers on the main outcome, own brand.

    ``stats.relative_importance`` on ``rows`` (default: all own-brand ratings), plus ``slope``
    (``sqrt(relimp) x SD(outcome)/SD(driver)``, outcome points per driver point) and its interval
    from the relimp interval.

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
        ``stats.relative_importance`` columns plus ``slope, slope_ci_low, slope_ci_high``; ``None``
        with fewer than two drivers or fewer than 20 complete rows.
    """
    cfg = data.config
    outcome = outcome or data.main_outcome
    rows = data.own if rows is None else rows
    drivers = [d for d in cfg.drivers if d in rows.columns and rows[d].notna().any()]
    if outcome is None or outcome not in rows.columns or len(drivers) < 2:
        return None
    complete = rows[[outcome, *drivers]].dropna()
    if len(complete) < max(20, 2 * len(drivers) + 2):
        return None
    res = stats.relative_importance(complete, outcome, drivers, n_boot=n_boot, seed=seed, confidence=confidence)
    sd_y = complete[outcome].std()
    sd_x = res["driver"].map(complete[drivers].std())
    ratio = sd_y / sd_x
    res["slope"] = np.sqrt(res["relimp"].clip(lower=0)) * ratio
    res["slope_ci_low"] = np.sqrt(res["relimp_ci_low"].clip(lower=0)) * ratio
    res["slope_ci_high"] = np.sqrt(res["relimp_ci_high"].clip(lower=0)) * ratio
    return res


def competitor_gaps(data, constructs: Sequence[str] | None = None, alpha: float = 0.05) -> pd.DataFrame | None:
    """Own brand vs the best competitor and the category best, per construct.

    The own brand's latest wave against competitors' ratings in the latest wave (all waves when
    competitors were not rated in the latest wave).  The best competitor is
    the competitor with the highest mean (at least 5 ratings); the gap is tested with a Welch
    t-test (``stats.compare_to_reference``), Holm across constructs.  Choosing the best competitor
    after looking at the means favours finding a gap; the test does not correct for that choice.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default: the client's drivers.
    alpha : float, default 0.05

    Returns
    -------
    DataFrame or None
        One row per construct: ``construct, title, scale_min, scale_max,
        own_n, own_mean, own_ci_low, own_ci_high, best_competitor, best_n, best_mean, gap, gap_ci_low,
        gap_ci_high, gap_p_corr, category_best, category_best_brand, good_level, no_brand_performs``.
        ``gap = best competitor - own`` (positive: a competitor is ahead).  Without competitor
        ratings the competitor columns are NaN.  ``attrs["basis"]`` says which waves were used.
    """
    cfg = data.config
    names = [c for c in (constructs if constructs is not None else cfg.drivers) if c in data.ratings.columns]
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
        comp = means[(means.index != cfg.brand) & (means["size"] >= 5)]
        good = lo + GOOD_SHARE * (hi - lo)
        row = {"construct": c, "title": construct_title(cfg, c), "scale_min": lo, "scale_max": hi,
               "own_n": int(own["n"]), "own_mean": own["mean"], "own_ci_low": own["ci_low"],
               "own_ci_high": own["ci_high"], "best_competitor": None, "best_n": np.nan, "best_mean": np.nan,
               "gap": np.nan, "gap_ci_low": np.nan, "gap_ci_high": np.nan, "p_unc": np.nan}
        if len(comp):
            best = comp["mean"].idxmax()
            pair = sub[sub["brand"].isin([best, cfg.brand])]
            t = interface.compare_quietly(pair, c, "brand", best, correction="none", weights=data.weight).iloc[0]
            row.update(best_competitor=best, best_n=int(t["n_ref"]), best_mean=t["mean_ref"], gap=t["diff"],
                       gap_ci_low=t["ci_low"], gap_ci_high=t["ci_high"], p_unc=t["p_unc"])
        cat = means[means["size"] >= 5]["mean"] if (means["size"] >= 5).any() else means["mean"]
        row.update(category_best=float(cat.max()), category_best_brand=str(cat.idxmax()), good_level=good,
                   no_brand_performs=bool(cat.max() < good))
        rows.append(row)
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm", alpha=alpha)
    out = out.rename(columns={"p_corr": "gap_p_corr"}).drop(columns=["p_unc", "significant"])
    out.attrs["basis"] = basis
    return out
