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
from scipy.optimize import brentq
from scipy.special import xlogy

from cem_research.stats.common import (
    as_list, check_confidence, check_frame, check_numeric, check_weights, iter_groups, t_crit, z_crit,
)

__all__ = ["reverse_key", "score_scale", "effective_sample_size", "weighted_summary", "mean_ci",
           "proportion_ci", "share_ci", "nps", "NPS_SMALL_N", "tercile_cuts"]


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
# groups of near-equal size
# ---------------------------------------------------------------------------------------------


def tercile_cuts(values) -> tuple[float, float]:
    """Cut points that split scores into low / medium / high groups of near-equal size, ties kept together.

    Parameters
    ----------
    values : array-like
        Scores (NaN ignored).

    Returns
    -------
    (float, float)
        ``(low_max, high_min)``: *low* is ``x <= low_max``, *high* is ``x >= high_min``, *medium*
        lies in between.  Both are observed scores.  With two distinct scores there is no medium
        group (``low_max`` the smaller, ``high_min`` the larger score); with one, everybody is
        medium (``(-inf, inf)``); without scores ``(nan, nan)``.

    Notes
    -----
    Plain terciles break on skewed scores with many ties: when more than a third of the answers
    share the top score, the 2/3 quantile *is* the top score and "above the 2/3 quantile" is empty,
    while everybody at the top is called medium.  Here the two cuts are placed *between distinct
    scores*, so tied respondents always share a group, and among all such placements the one whose
    group sizes come closest to thirds (least squares, :math:`\\sum_g (n_g - n/3)^2`) is chosen; with
    at least three distinct scores every group is non-empty.  For a given lower cut the best upper
    cut puts half of the rest on either side, so the search takes :math:`O(m \\log m)` for
    :math:`m` distinct scores.  Without ties this is the usual split into thirds.

    Examples
    --------
    >>> from cem_research.stats import tercile_cuts
    >>> tercile_cuts([1, 2, 3, 4, 5, 6])
    (2.0, 5.0)
    >>> tercile_cuts([3, 4, 5, 6, 6, 7, 7, 7, 7, 7])  # half at the ceiling: they form the high group
    (4.0, 7.0)
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return np.nan, np.nan
    uniq, counts = np.unique(x, return_counts=True)
    m = uniq.size
    if m == 1:
        return -np.inf, np.inf
    if m == 2:
        return float(uniq[0]), float(uniq[1])
    cum = np.cumsum(counts).astype(float)  # cum[i]: answers at or below uniq[i]
    n = cum[-1]
    best, best_cost = (0, 1), np.inf
    for i in range(m - 2):  # low = uniq[:i + 1]
        target = (n + cum[i]) / 2  # the best cum[j] for the end of medium
        pos = int(np.searchsorted(cum, target))
        for j in {pos - 1, pos}:
            j = min(max(j, i + 1), m - 2)  # medium = uniq[i + 1:j + 1], high non-empty
            sizes = np.array([cum[i], cum[j] - cum[i], n - cum[j]])
            cost = float(np.sum((sizes - n / 3) ** 2))
            if cost < best_cost - 1e-9:
                best, best_cost = (i, j), cost
    i, j = best
    return float(uniq[i]), float(uniq[j + 1])


# ---------------------------------------------------------------------------------------------
# NPS
# ---------------------------------------------------------------------------------------------


#: Below this (effective) number of answers an NPS is flagged ``small_n``: read its interval with care.
NPS_SMALL_N = 30


def _nps_restricted_mle(a: float, b: float, c: float, delta: float) -> tuple[float, float]:
    """Maximum-likelihood (promoter, detractor) shares of a trinomial with counts ``a`` promoters,
    ``b`` detractors, ``c`` passives under the constraint ``p_P - p_D = delta`` (|delta| < 1).

    With ``q = p_D`` the log-likelihood ``a log(q + delta) + b log q + c log(1 - 2q - delta)`` is concave on
    ``max(0, -delta) <= q <= (1 - delta) / 2``; its stationary point solves
    ``2N q^2 - B q - C = 0`` with ``B = a(1 - delta) + b(1 - 3 delta) - 2c delta`` and
    ``C = b delta (1 - delta)``; the maximum is that root or a bound of the range.
    """
    lo, hi = max(0.0, -delta), (1.0 - delta) / 2.0
    n = a + b + c
    bb = a * (1 - delta) + b * (1 - 3 * delta) - 2 * c * delta
    cc = b * delta * (1 - delta)
    disc = math.sqrt(max(bb * bb + 8 * n * cc, 0.0))
    cands = [lo, hi] + [q for q in ((bb - disc) / (4 * n), (bb + disc) / (4 * n)) if lo <= q <= hi]

    def loglik(q):
        return float(xlogy(a, q + delta) + xlogy(b, q) + xlogy(c, max(1.0 - 2 * q - delta, 0.0)))

    q = max(cands, key=loglik)
    return q + delta, q


def _nps_score_interval(a: float, b: float, c: float, z: float) -> tuple[float, float]:
    """Score interval of the net score ``p_P - p_D`` (in -1..1) from trinomial counts (see :func:`nps`)."""
    n = a + b + c
    est = (a - b) / n

    def f(delta):  # n (est - delta)^2 - z^2 Var(delta): negative inside the interval
        if abs(delta) >= 1:
            return n * (est - delta) ** 2
        pp, pd_ = _nps_restricted_mle(a, b, c, delta)
        return n * (est - delta) ** 2 - z * z * max(pp + pd_ - delta * delta, 0.0)

    def limit(end):  # the root of f between the estimate and the end of the range (-1 or 1)
        if est == end:
            return end
        inside = est
        step = 1e-9  # all answers in one category: V(est) = 0, so step just inside
        while f(inside) >= 0 and step < 1e-3:
            inside = est + np.sign(end - est) * step
            step *= 10
        if f(inside) >= 0:
            return est
        return float(brentq(f, min(inside, end), max(inside, end), xtol=1e-12, rtol=4e-15))

    return limit(-1.0), limit(1.0)


def nps(
    data: pd.DataFrame,
    column: str,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    r"""Net Promoter Score with a confidence interval, overall or per group.

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
        "pct_detractors", "nps", "ci_low", "ci_high", "n_eff", "se", "small_n"]``; counts are
        unweighted, percentages and NPS (in -100..100) are weighted when `weights` is given.
        ``se`` is the adjusted-Wald standard error (NPS points) for comparing groups or waves,
        ``small_n`` flags fewer than :data:`NPS_SMALL_N` (effective) answers: the interval is then
        approximate.

    Notes
    -----
    Promoters answer 9-10, passives 7-8, detractors 0-6 (Reichheld 2003, "The one number you
    need to grow", *HBR*); :math:`NPS = 100(\hat p_P - \hat p_D)`.

    **Interval**: the score interval of the net score, the analogue of Wilson's interval for the
    trinomial: every :math:`\delta` with :math:`n(\hat\delta - \delta)^2 \le z^2 V(\delta)`, where
    :math:`V(\delta) = \tilde p_P + \tilde p_D - \delta^2` is the trinomial variance at the
    maximum-likelihood shares under :math:`p_P - p_D = \delta`.  It stays within [-100, 100] without
    clipping, is not degenerate at the extremes (5 promoters out of 5: about 13 to 100, where the Wald
    interval gave 100 to 100) and reduces to Wilson's interval for :math:`2p - 1` when there are no
    passives.  Rocks (2016), Interval estimation for the "Net Promoter Score", *The American
    Statistician*, 70, 365-372, found score-type and adjusted-Wald intervals to cover best, the Wald
    interval worst at small n and extreme scores.

    **Standard error** (``se``): the adjusted Wald of Rocks (2016), adding 3/4 promoter, 3/4
    detractor and 3/2 passive: :math:`\tilde p = (x + 3/4)/(n + 3)`,
    :math:`SE = 100\sqrt{(\tilde p_P + \tilde p_D - (\tilde p_P - \tilde p_D)^2)/(n + 3)}`; it is
    never 0, so a difference of two scores (waves, groups) gets an interval
    :math:`\Delta \pm z\sqrt{SE_1^2 + SE_2^2}` even at 0% or 100% promoters.

    Weighted, the counts are the weighted shares times Kish's :math:`n_{eff}`.  Values outside 0-10
    or non-integers raise :class:`ValueError`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import nps
    >>> df = pd.DataFrame({"ltr": [10, 9, 8, 7, 6, 0, 10, 9]})
    >>> float(nps(df, "ltr")["nps"].iloc[0])
    25.0
    >>> nps(pd.DataFrame({"ltr": [10] * 5}), "ltr")[["nps", "ci_low", "ci_high", "small_n"]].round(1).to_dict("records")
    [{'nps': 100.0, 'ci_low': 13.1, 'ci_high': 100.0, 'small_n': True}]
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
            a, b = pp * n_eff, pd_ * n_eff
            lo, hi = (100 * lim for lim in _nps_score_interval(a, b, max(n_eff - a - b, 0.0), z))
            pt, dt = (a + 0.75) / (n_eff + 3), (b + 0.75) / (n_eff + 3)
            se = 100 * math.sqrt(max(pt + dt - (pt - dt) ** 2, 0.0) / (n_eff + 3))
        else:
            n_eff, pp, pd_, score, lo, hi, se = 0.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan
        rows.append({**dict(zip(by_l, key)), "n": n, "promoters": int(prom.sum()),
                     "passives": int(n - prom.sum() - det.sum()), "detractors": int(det.sum()),
                     "pct_promoters": 100 * pp, "pct_detractors": 100 * pd_, "nps": score,
                     "ci_low": lo, "ci_high": hi, "n_eff": n_eff, "se": se, "small_n": bool(n_eff < NPS_SMALL_N)})
    cols = [*by_l, "n", "promoters", "passives", "detractors", "pct_promoters", "pct_detractors", "nps",
            "ci_low", "ci_high", "n_eff", "se", "small_n"]
    return pd.DataFrame(rows, columns=cols)
