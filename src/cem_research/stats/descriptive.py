"""Scoring, means, proportions, shares and NPS, each with a confidence interval.

Scale scoring (:func:`reverse_key`, :func:`score_scale`), Kish's effective sample size, t intervals of
means (:func:`mean_ci`), Wilson intervals of proportions and shares (:func:`proportion_ci`,
:func:`share_ci`) and the Net Promoter Score (:func:`nps`). See :mod:`cem_research.stats` for the
conventions on survey weights and group order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research.stats.common import (
    as_list, check_confidence, check_frame, check_numeric, check_weights, iter_groups, t_crit, z_crit,
)

__all__ = ["reverse_key", "score_scale", "effective_sample_size", "weighted_summary", "mean_ci",
           "proportion_ci", "share_ci", "nps"]


# ---------------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------------


def reverse_key(x, scale_min: float, scale_max: float):
    """Reverse-key responses on a scale from `scale_min` to `scale_max`.

    Parameters
    ----------
    x : float, array-like, pandas.Series or pandas.DataFrame
        Responses. Missing values (NaN) stay missing.
    scale_min, scale_max : float
        Lowest and highest possible response (``scale_min < scale_max``).

    Returns
    -------
    float, numpy.ndarray, pandas.Series or pandas.DataFrame
        ``scale_min + scale_max - x``, of the same kind as `x` (lists become arrays).

    Notes
    -----
    Reverse keying maps the scale onto itself in reverse, :math:`x' = \\min + \\max - x`
    (e.g. 1-7: 1 <-> 7, 2 <-> 6, 4 stays 4); applying it twice returns the original values.
    A response outside ``[scale_min, scale_max]`` raises :class:`ValueError`.
    See e.g. DeVellis, R. F. (2017). *Scale development*, 4th ed., ch. 5.

    Examples
    --------
    >>> from cem_research.stats import reverse_key
    >>> reverse_key([1, 2, 7, float("nan")], 1, 7)
    array([ 7.,  6.,  1., nan])
    """
    if not all(isinstance(v, (int, float, np.integer, np.floating)) for v in (scale_min, scale_max)):
        raise ValueError(f"reverse_key: expected numeric scale_min and scale_max, got {scale_min!r}, {scale_max!r}")
    if not scale_min < scale_max:
        raise ValueError(f"reverse_key: expected scale_min < scale_max, got {scale_min} and {scale_max}")
    if isinstance(x, (pd.Series, pd.DataFrame)):
        vals = x.to_numpy(dtype=float)
        out = scale_min + scale_max - x.astype(float)
    elif np.isscalar(x):
        if not isinstance(x, (int, float, np.integer, np.floating)) or isinstance(x, bool):
            raise ValueError(f"reverse_key: expected numeric responses, got {x!r}")
        vals = np.asarray([x], dtype=float)
        out = float(scale_min + scale_max - float(x))
    else:
        try:
            vals = np.asarray(x, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"reverse_key: expected numeric responses ({exc})") from None
        out = scale_min + scale_max - vals
    v = vals[~np.isnan(vals)]
    if v.size and (v.min() < scale_min or v.max() > scale_max):
        raise ValueError(
            f"reverse_key: expected responses within [{scale_min}, {scale_max}], got values from {v.min()} to {v.max()}"
        )
    return out


def score_scale(data: pd.DataFrame, items: Sequence[str], min_answered: float = 0.5) -> pd.Series:
    """Score a multi-item scale as the row mean of the answered items.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : list of str
        Numeric item columns (already reverse-keyed where needed).
    min_answered : float, default 0.5
        Minimum fraction of `items` that must be answered, in (0, 1].

    Returns
    -------
    pandas.Series
        Scale score per row (index of `data`): the mean of the answered items when
        ``answered / len(items) >= min_answered``, else NaN.

    Notes
    -----
    Person-mean (prorated) scoring of available items; with the default 0.5 this is the
    "half rule" (e.g. 2 of 3 items, 2 of 4). See Schafer, J. L. & Graham, J. W. (2002).
    Missing data: our view of the state of the art. *Psychological Methods*, 7, 147-177.
    Weights do not apply (this is a per-row score).

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import score_scale
    >>> df = pd.DataFrame({"a": [1, 2, None], "b": [3, None, None], "c": [5, 4, 6]})
    >>> score_scale(df, ["a", "b", "c"]).tolist()
    [3.0, 3.0, nan]
    """
    items = as_list(items, "items")
    if not items:
        raise ValueError("score_scale: expected at least one item column")
    check_frame(data, items, "score_scale")
    check_numeric(data, items, "score_scale")
    if not (isinstance(min_answered, (int, float)) and 0 < min_answered <= 1):
        raise ValueError(f"score_scale: expected min_answered in (0, 1], got {min_answered!r}")
    block = data[items].astype(float)
    answered = block.notna().sum(axis=1)
    score = block.mean(axis=1, skipna=True)
    return score.where(answered / len(items) >= min_answered - 1e-12)


# ---------------------------------------------------------------------------------------------
# means and proportions
# ---------------------------------------------------------------------------------------------


def effective_sample_size(weights) -> float:
    """Kish effective sample size of a set of survey weights.

    Parameters
    ----------
    weights : array-like or pandas.Series
        Non-negative, finite weights (no missing values), not all zero.

    Returns
    -------
    float
        :math:`n_{eff} = (\\sum w)^2 / \\sum w^2`.

    Notes
    -----
    Equals the number of weights when all are equal and shrinks as they vary (design effect
    due to unequal weighting). Kish, L. (1965). *Survey Sampling*. New York: Wiley, sec. 11.7.

    Examples
    --------
    >>> from cem_research.stats import effective_sample_size
    >>> effective_sample_size([1, 1, 1, 1])
    4.0
    >>> effective_sample_size([1, 1, 1, 3])
    3.0
    """
    try:
        w = np.asarray(weights, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError("effective_sample_size: expected numeric weights") from None
    if w.size == 0 or np.isnan(w).any() or not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise ValueError("effective_sample_size: expected finite, non-negative, non-missing weights, not all zero")
    return float(w.sum() ** 2 / np.sum(w**2))


def weighted_summary(x: np.ndarray, w: np.ndarray | None) -> dict:
    """Count, effective count, mean and SD of values, optionally weighted.

    Parameters
    ----------
    x : array-like
        Values; NaN are dropped.
    w : array-like or None
        Survey weights aligned with `x` (rows with weight zero are dropped), or None.

    Returns
    -------
    dict
        ``{"n": int, "n_eff": float, "mean": float, "sd": float}``: ``n`` values used, ``n_eff``
        the Kish effective n (= ``n`` unweighted), the (weighted) mean and SD (NaN when
        undefined).

    Notes
    -----
    Weighted SD: :math:`\\sqrt{\\sum w (x - \\bar x_w)^2 / \\sum w \\cdot n_{eff} / (n_{eff} - 1)}`,
    which equals the usual sample SD (ddof=1) when all weights are equal (Kish 1965,
    *Survey Sampling*). The building block of :func:`mean_ci` and of the weighted comparisons.

    Examples
    --------
    >>> from cem_research.stats.descriptive import weighted_summary
    >>> weighted_summary([1.0, 2.0, 3.0, float("nan")], None)
    {'n': 3, 'n_eff': 3.0, 'mean': 2.0, 'sd': 1.0}
    """
    x = np.asarray(x, dtype=float)
    if w is None:
        x = x[~np.isnan(x)]
        n = x.size
        mean = float(x.mean()) if n else np.nan
        sd = float(x.std(ddof=1)) if n >= 2 else np.nan
        return {"n": n, "n_eff": float(n), "mean": mean, "sd": sd}
    w = np.asarray(w, dtype=float)
    keep = ~np.isnan(x) & (w > 0)
    x, w = x[keep], w[keep]
    n = x.size
    if n == 0:
        return {"n": 0, "n_eff": 0.0, "mean": np.nan, "sd": np.nan}
    n_eff = effective_sample_size(w)
    mean = float(np.sum(w * x) / np.sum(w))
    if n >= 2 and n_eff > 1:
        var = float(np.sum(w * (x - mean) ** 2) / np.sum(w)) * n_eff / (n_eff - 1)
        sd = math.sqrt(var)
    else:
        sd = np.nan
    return {"n": n, "n_eff": n_eff, "mean": mean, "sd": sd}


def mean_ci(
    data: pd.DataFrame,
    value: str,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean with a t confidence interval, overall or per group (optionally weighted).

    Parameters
    ----------
    data : pandas.DataFrame
    value : str
        Numeric column; missing values are dropped.
    by : str or list of str, optional
        Grouping column(s).
    weights : str, optional
        Column of survey weights (see module notes).
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns ``[*by, "n", "mean", "sd", "ci_low", "ci_high", "n_eff"]``: ``n`` non-missing
        values (with positive weight), ``n_eff`` the Kish effective n (= ``n`` unweighted).
        Groups with ``n < 2`` get NaN SD and CI.

    Notes
    -----
    :math:`\\bar x \\pm t_{1-\\alpha/2,\\,n-1}\\, s/\\sqrt n`. Weighted: :math:`\\bar x_w = \\sum w x/\\sum w`,
    :math:`s_w^2 = \\frac{\\sum w (x-\\bar x_w)^2}{\\sum w}\\frac{n_{eff}}{n_{eff}-1}`, and
    :math:`n_{eff}` (Kish 1965) in place of :math:`n` (SE and degrees of freedom); with equal weights
    this is the unweighted interval. Reference: Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import mean_ci
    >>> df = pd.DataFrame({"sat": [4, 5, 6, 7, 3, 5], "seg": list("aaabbb")})
    >>> mean_ci(df, "sat", by="seg")[["seg", "n", "mean"]].to_dict("records")
    [{'seg': 'a', 'n': 3, 'mean': 5.0}, {'seg': 'b', 'n': 3, 'mean': 5.0}]
    """
    by_l = as_list(by, "by")
    check_frame(data, [value, *by_l], "mean_ci")
    if value in by_l:
        raise ValueError("mean_ci: expected `value` not to be one of the `by` columns")
    check_numeric(data, [value], "mean_ci")
    check_confidence(confidence, "mean_ci")
    w_all = check_weights(data, weights, "mean_ci")
    frame = data[[value, *by_l]].copy()
    frame["__w"] = 1.0 if w_all is None else w_all
    rows = []
    for key, sub in iter_groups(frame, by_l):
        s = weighted_summary(sub[value].to_numpy(dtype=float), None if w_all is None else sub["__w"].to_numpy())
        if s["n"] >= 2 and s["n_eff"] > 1 and np.isfinite(s["sd"]):
            half = float(t_crit(confidence, s["n_eff"] - 1)) * s["sd"] / math.sqrt(s["n_eff"])
            lo, hi = s["mean"] - half, s["mean"] + half
        else:
            lo = hi = np.nan
        rows.append({**dict(zip(by_l, key)), "n": s["n"], "mean": s["mean"], "sd": s["sd"],
                     "ci_low": lo, "ci_high": hi, "n_eff": s["n_eff"]})
    cols = [*by_l, "n", "mean", "sd", "ci_low", "ci_high", "n_eff"]
    out = pd.DataFrame(rows, columns=cols)
    out["n"] = out["n"].astype(int)
    return out


def proportion_ci(successes, n, confidence: float = 0.95):
    """Wilson score confidence interval for a proportion.

    Parameters
    ----------
    successes : float or array-like
        Number of successes (may be non-integer, e.g. a weighted count ``share * n_eff``).
    n : float or array-like
        Number of trials (may be an effective n). ``n == 0`` gives NaN.
    confidence : float, default 0.95

    Returns
    -------
    tuple
        ``(low, high)``: floats for scalar input, arrays otherwise.

    Notes
    -----
    With :math:`\\hat p = x/n` and :math:`z = \\Phi^{-1}(1-\\alpha/2)`:
    :math:`\\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}`,
    without continuity correction (same as ``scipy.stats.binomtest(...).proportion_ci("wilson")``).
    Wilson, E. B. (1927). Probable inference... *JASA*, 22, 209-212; Brown, Cai & DasGupta (2001).
    Interval estimation for a binomial proportion. *Statistical Science*, 16, 101-133.

    Examples
    --------
    >>> from cem_research.stats import proportion_ci
    >>> lo, hi = proportion_ci(8, 20)
    >>> round(lo, 4), round(hi, 4)
    (0.2188, 0.6134)
    """
    check_confidence(confidence, "proportion_ci")
    scalar = np.isscalar(successes) and np.isscalar(n)
    try:
        x = np.asarray(successes, dtype=float)
        m = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("proportion_ci: expected numeric successes and n") from None
    with np.errstate(invalid="ignore", divide="ignore"):
        if np.any(m < 0) or np.any(x < 0) or np.any(x > m + 1e-9):
            raise ValueError("proportion_ci: expected 0 <= successes <= n")
        z = z_crit(confidence)
        p = np.where(m > 0, x / np.where(m > 0, m, 1), np.nan)
        denom = 1 + z**2 / m
        center = (p + z**2 / (2 * m)) / denom
        half = z / denom * np.sqrt(np.clip(p * (1 - p), 0, None) / m + z**2 / (4 * m**2))
        lo = np.clip(center - half, 0, 1)
        hi = np.clip(center + half, 0, 1)
        lo = np.where(m > 0, lo, np.nan)
        hi = np.where(m > 0, hi, np.nan)
    if scalar:
        return float(lo), float(hi)
    return lo, hi


def share_ci(
    data: pd.DataFrame,
    column: str,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of each level of a categorical column, per group, with Wilson intervals.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        Categorical (or discrete) column whose level shares are estimated; missing values are
        excluded from the base.
    by : str or list of str, optional
        Grouping column(s).
    weights : str, optional
        Column of survey weights.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns ``[*by, column, "n", "count", "share", "ci_low", "ci_high", "n_eff"]``: one row
        per group x level (every level of `column` appears in every group, with count 0 if
        absent); ``n`` answers in the group, ``count`` unweighted answers with that level,
        ``share`` the (weighted) share in [0, 1].

    Notes
    -----
    Wilson score interval (:func:`proportion_ci`); weighted, the interval uses
    ``successes = share * n_eff`` and ``n = n_eff`` (Kish effective n), a common design-effect
    approximation (Kish 1965, *Survey Sampling*). Levels are in categorical order, else sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import share_ci
    >>> df = pd.DataFrame({"channel": ["web", "app", "web", "web"]})
    >>> share_ci(df, "channel")[["channel", "count", "share"]].to_dict("records")
    [{'channel': 'app', 'count': 1, 'share': 0.25}, {'channel': 'web', 'count': 3, 'share': 0.75}]
    """
    by_l = as_list(by, "by")
    check_frame(data, [column, *by_l], "share_ci")
    if column in by_l:
        raise ValueError("share_ci: expected `column` not to be one of the `by` columns")
    check_confidence(confidence, "share_ci")
    w_all = check_weights(data, weights, "share_ci")
    col = data[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = list(col.cat.categories)
    else:
        uniq = list(pd.unique(col.dropna()))
        try:
            levels = sorted(uniq)
        except TypeError:
            levels = uniq
    frame = data[[column, *by_l]].copy()
    frame["__w"] = 1.0 if w_all is None else w_all
    frame = frame[frame[column].notna() & (frame["__w"] > 0)]
    rows = []
    for key, sub in iter_groups(frame, by_l):
        n = len(sub)
        wsum = sub["__w"].sum()
        n_eff = effective_sample_size(sub["__w"]) if n else 0.0
        for lev in levels:
            hit = (sub[column] == lev).to_numpy()
            count = int(hit.sum())
            share = float(sub["__w"].to_numpy()[hit].sum() / wsum) if n else np.nan
            lo, hi = proportion_ci(share * n_eff, n_eff, confidence) if n else (np.nan, np.nan)
            rows.append({**dict(zip(by_l, key)), column: lev, "n": n, "count": count, "share": share,
                         "ci_low": lo, "ci_high": hi, "n_eff": n_eff})
    cols = [*by_l, column, "n", "count", "share", "ci_low", "ci_high", "n_eff"]
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------------------------
# NPS
# ---------------------------------------------------------------------------------------------


def nps(
    data: pd.DataFrame,
    column: str,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Net Promoter Score with a confidence interval, overall or per group.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
        0-10 likelihood-to-recommend answers (integers; missing values dropped).
    by : str or list of str, optional
    weights : str, optional
        Column of survey weights.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns ``[*by, "n", "promoters", "passives", "detractors", "pct_promoters",
        "pct_detractors", "nps", "ci_low", "ci_high", "n_eff"]``; counts are unweighted,
        percentages and NPS (in -100..100) are weighted when `weights` is given.

    Notes
    -----
    Promoters answer 9-10, passives 7-8, detractors 0-6 (Reichheld 2003, "The one number you
    need to grow", *HBR*). :math:`NPS = 100(p_P - p_D)`; the CI is the normal approximation with
    :math:`Var(\\hat p_P - \\hat p_D) = (p_P + p_D - (p_P - p_D)^2)/n` (trinomial variance; Rocks,
    2016), with Kish :math:`n_{eff}` for weighted data; limits are clipped to [-100, 100].
    Values outside 0-10 or non-integers raise :class:`ValueError`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import nps
    >>> df = pd.DataFrame({"ltr": [10, 9, 8, 7, 6, 0, 10, 9]})
    >>> float(nps(df, "ltr")["nps"].iloc[0])
    25.0
    """
    by_l = as_list(by, "by")
    check_frame(data, [column, *by_l], "nps")
    if column in by_l:
        raise ValueError("nps: expected `column` not to be one of the `by` columns")
    check_numeric(data, [column], "nps")
    check_confidence(confidence, "nps")
    w_all = check_weights(data, weights, "nps")
    vals = data[column].to_numpy(dtype=float)
    v = vals[~np.isnan(vals)]
    if v.size and (v.min() < 0 or v.max() > 10):
        raise ValueError(f"nps: expected 0-10 answers in {column!r}, got values from {v.min():g} to {v.max():g}")
    if v.size and not np.all(v == np.round(v)):
        raise ValueError(f"nps: expected whole-number 0-10 answers in {column!r}, got non-integer values")
    frame = data[[column, *by_l]].copy()
    frame["__w"] = 1.0 if w_all is None else w_all
    frame = frame[frame[column].notna() & (frame["__w"] > 0)]
    z = z_crit(confidence)
    rows = []
    for key, sub in iter_groups(frame, by_l):
        x = sub[column].to_numpy(dtype=float)
        w = sub["__w"].to_numpy(dtype=float)
        n = x.size
        prom, det = x >= 9, x <= 6
        if n:
            n_eff = effective_sample_size(w)
            pp, pd_ = float(w[prom].sum() / w.sum()), float(w[det].sum() / w.sum())
            score = 100 * (pp - pd_)
            var = (pp + pd_ - (pp - pd_) ** 2) / n_eff
            half = 100 * z * math.sqrt(max(var, 0.0))
            lo, hi = max(score - half, -100.0), min(score + half, 100.0)
        else:
            n_eff, pp, pd_, score, lo, hi = 0.0, np.nan, np.nan, np.nan, np.nan, np.nan
        rows.append({**dict(zip(by_l, key)), "n": n, "promoters": int(prom.sum()),
                     "passives": int(n - prom.sum() - det.sum()), "detractors": int(det.sum()),
                     "pct_promoters": 100 * pp, "pct_detractors": 100 * pd_, "nps": score,
                     "ci_low": lo, "ci_high": hi, "n_eff": n_eff})
    cols = [*by_l, "n", "promoters", "passives", "detractors", "pct_promoters", "pct_detractors", "nps",
            "ci_low", "ci_high", "n_eff"]
    return pd.DataFrame(rows, columns=cols)
