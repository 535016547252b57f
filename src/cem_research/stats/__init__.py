"""Shared statistics for CEM research: CIs, reliability, comparisons, NPS, drivers, IPA.

Every function follows the pingouin conventions: it takes a DataFrame and column names,
checks its inputs first (a :class:`ValueError` says what was expected), and returns a tidy
DataFrame whose columns say what they hold -- ``n``, the estimate, ``ci_low``/``ci_high`` and,
for tests, ``p_unc``, ``p_corr`` and an effect size named after the measure (``hedges``,
``np2`` ...).  Multiple tests in one table are corrected with Holm's method by default
(:func:`adjust_pvalues`, which other modules can call on a combined table).

Survey weights
--------------
Functions that estimate means, proportions or NPS accept ``weights=`` (a column name of
non-negative survey weights).  Point estimates are weighted; standard errors use Kish's
effective sample size ``n_eff = (sum w)^2 / sum w^2`` (:func:`effective_sample_size`), a
design-effect approximation that ignores stratification and clustering.  Rows with weight
zero are ignored.  Functions whose signature has no ``weights`` do not support them (say so in
their docstring).

Group order
-----------
Groups (``by``, ``between``, ``group``) come out in categorical order when the column is a
pandas ``Categorical``, else in order of first appearance.  Rows with a missing group label are
ignored.
"""

from __future__ import annotations

import collections
import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import functools
import importlib

import numpy as np
import pandas as pd
from cem_research.client.paths import RESOURCES


class _Lazy:
    """Import a heavy module on first use (pingouin and scipy.stats cost seconds at start-up,
    and the processing stage only needs :func:`reverse_key` and :func:`score_scale`)."""

    def __init__(self, name: str):
        self._name = name
        self._mod = None

    def __getattr__(self, attr):
        if self._mod is None:
            self._mod = importlib.import_module(self._name)
        return getattr(self._mod, attr)


pg = _Lazy("pingouin")
sps = _Lazy("scipy.stats")

__all__ = [
    "RELIABILITY_THRESHOLD",
    "MIN_GROUP",
    "reverse_key",
    "score_scale",
    "mean_ci",
    "proportion_ci",
    "share_ci",
    "reliability",
    "group_reliability",
    "item_statistics",
    "nps",
    "compare_groups",
    "omnibus",
    "compare_to_reference",
    "relative_importance",
    "relative_weights",
    "driver_agreement",
    "importance_performance",
    "wave_changes",
    "adjust_pvalues",
    "effective_sample_size",
    "cohen_kappa",
    "krippendorff_alpha_nominal",
]

#: Cronbach's alpha below which a construct is flagged as unreliable in every table (Nunnally 1978).
RELIABILITY_THRESHOLD = 0.70
#: Smallest group (segment level, touchpoint experience group) a comparison analyses.
MIN_GROUP = 5

_CORRECTIONS = {"holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none"}
_MAX_LMG_DRIVERS = 12

# ---------------------------------------------------------------------------------------------
# input checks and small helpers
# ---------------------------------------------------------------------------------------------


def _as_list(cols: str | Sequence[str] | None, what: str) -> list[str]:
    if cols is None:
        return []
    if isinstance(cols, str):
        return [cols]
    if isinstance(cols, Sequence) and not isinstance(cols, bytes):
        out = list(cols)
        if not all(isinstance(c, str) for c in out):
            raise ValueError(f"expected `{what}` to be a column name or a list of column names, got {cols!r}")
        return out
    raise ValueError(f"expected `{what}` to be a column name or a list of column names, got {cols!r}")


def _check_frame(data: Any, columns: Sequence[str], func: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"{func}: expected `data` to be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{func}: expected column(s) {missing} in `data`; available: {list(data.columns)}")
    dupes = sorted({c for c in columns if list(columns).count(c) > 1})
    if dupes:
        raise ValueError(f"{func}: expected each column once, got {dupes} more than once")


def _check_numeric(data: pd.DataFrame, columns: Sequence[str], func: str) -> None:
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])]
    if bad:
        raise ValueError(f"{func}: expected numeric column(s), got non-numeric {bad}")


def _check_confidence(confidence: float, func: str) -> None:
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"{func}: expected `confidence` strictly between 0 and 1, got {confidence!r}")


def _check_weights(data: pd.DataFrame, weights: str | None, func: str) -> np.ndarray | None:
    """Return the weights as a float array (or None); they must be finite and non-negative."""
    if weights is None:
        return None
    if not isinstance(weights, str):
        raise ValueError(f"{func}: expected `weights` to be a column name or None, got {weights!r}")
    _check_frame(data, [weights], func)
    _check_numeric(data, [weights], func)
    w = data[weights].to_numpy(dtype=float)
    if np.isnan(w).any():
        raise ValueError(f"{func}: expected no missing values in weights column {weights!r}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"{func}: expected finite, non-negative weights in column {weights!r}")
    return w


def _check_correction(method: str, func: str) -> str:
    if not isinstance(method, str) or method.lower() not in _CORRECTIONS:
        raise ValueError(f"{func}: expected correction/method in {sorted(_CORRECTIONS)}, got {method!r}")
    return method.lower()


def _levels(series: pd.Series) -> list:
    """Observed levels: categorical order for a Categorical, else order of first appearance."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return list(pd.unique(series.dropna()))


def _groups(data: pd.DataFrame, by: list[str]):
    """Yield (key tuple, sub-frame) in categorical order / order of first appearance."""
    if not by:
        yield (), data
        return
    all_cat = all(isinstance(data[b].dtype, pd.CategoricalDtype) for b in by)
    gb = data.groupby(by, sort=all_cat, observed=True, dropna=True)
    for key, sub in gb:
        yield (key if isinstance(key, tuple) else (key,)), sub


def _tcrit(confidence: float, df) -> Any:
    return sps.t.ppf(0.5 + confidence / 2, df)


def _zcrit(confidence: float) -> float:
    return float(sps.norm.ppf(0.5 + confidence / 2))


def _weighted_summary(x: np.ndarray, w: np.ndarray | None) -> dict:
    """n, n_eff, mean and SD of x (NaN dropped; zero weights dropped).

    Weighted SD: sqrt(sum w (x - m)^2 / sum w * n_eff / (n_eff - 1)), which equals the usual
    sample SD (ddof=1) when all weights are equal.
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


def _hedges_from_summary(m1, s1, n1, m2, s2, n2) -> float:
    """Hedges g (pooled SD, small-sample correction 1 - 3/(4(n1+n2)-9)) as in pingouin."""
    dof = n1 + n2 - 2
    if dof <= 0:
        return np.nan
    pooled = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / dof)
    if pooled == 0 or not np.isfinite(pooled):
        return np.nan
    d = (m1 - m2) / pooled
    return d * (1 - 3 / (4 * (n1 + n2) - 9))


def _hedges_ci(g: float, n1: float, n2: float, confidence: float) -> tuple[float, float]:
    if not np.isfinite(g) or n1 < 2 or n2 < 2:
        return np.nan, np.nan
    ci = pg.compute_esci(stat=g, nx=n1, ny=n2, eftype="cohen", confidence=confidence, decimals=12)
    return float(ci[0]), float(ci[1])


def _two_sample(x, y, wx=None, wy=None, confidence: float = 0.95) -> dict:
    """Welch two-sample comparison of x and y (diff = mean x - mean y).

    Unweighted: ``pingouin.ttest(x, y, correction=True)`` and ``pingouin.compute_effsize``.
    Weighted: weighted means and SDs with Kish effective n in the Welch formulas.
    """
    sx, sy = _weighted_summary(x, wx), _weighted_summary(y, wy)
    out = {
        "n_x": sx["n"], "n_y": sy["n"], "mean_x": sx["mean"], "mean_y": sy["mean"],
        "diff": sx["mean"] - sy["mean"], "T": np.nan, "df": np.nan, "ci_low": np.nan,
        "ci_high": np.nan, "hedges": np.nan, "hedges_ci_low": np.nan, "hedges_ci_high": np.nan,
        "p_unc": np.nan,
    }
    if sx["n"] < 2 or sy["n"] < 2 or sx["n_eff"] <= 1 or sy["n_eff"] <= 1:
        return out
    if wx is None and wy is None:
        xa = np.asarray(x, dtype=float)
        ya = np.asarray(y, dtype=float)
        xa, ya = xa[~np.isnan(xa)], ya[~np.isnan(ya)]
        if np.var(xa) == 0 and np.var(ya) == 0:
            return out
        res = pg.ttest(xa, ya, correction=True, confidence=confidence)
        df = float(res["dof"].iloc[0])
        # pingouin rounds its CI to 2 decimals: rebuild it from the Welch SE and pingouin's df
        half = float(_tcrit(confidence, df)) * math.sqrt(sx["sd"] ** 2 / sx["n"] + sy["sd"] ** 2 / sy["n"])
        g = float(pg.compute_effsize(xa, ya, paired=False, eftype="hedges"))
        out.update(T=float(res["T"].iloc[0]), df=df, p_unc=float(res["p_val"].iloc[0]),
                   ci_low=out["diff"] - half, ci_high=out["diff"] + half, hedges=g)
        n1, n2 = sx["n"], sy["n"]
    else:
        n1, n2 = sx["n_eff"], sy["n_eff"]
        vx, vy = sx["sd"] ** 2 / n1, sy["sd"] ** 2 / n2
        se = math.sqrt(vx + vy)
        if se == 0:
            return out
        df = (vx + vy) ** 2 / (vx**2 / (n1 - 1) + vy**2 / (n2 - 1))
        t = out["diff"] / se
        half = float(_tcrit(confidence, df)) * se
        out.update(T=t, df=df, p_unc=float(2 * sps.t.sf(abs(t), df)), ci_low=out["diff"] - half,
                   ci_high=out["diff"] + half,
                   hedges=_hedges_from_summary(sx["mean"], sx["sd"], n1, sy["mean"], sy["sd"], n2))
    out["hedges_ci_low"], out["hedges_ci_high"] = _hedges_ci(out["hedges"], n1, n2, confidence)
    return out


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
    items = _as_list(items, "items")
    if not items:
        raise ValueError("score_scale: expected at least one item column")
    _check_frame(data, items, "score_scale")
    _check_numeric(data, items, "score_scale")
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
    by_l = _as_list(by, "by")
    _check_frame(data, [value, *by_l], "mean_ci")
    if value in by_l:
        raise ValueError("mean_ci: expected `value` not to be one of the `by` columns")
    _check_numeric(data, [value], "mean_ci")
    _check_confidence(confidence, "mean_ci")
    w_all = _check_weights(data, weights, "mean_ci")
    frame = data[[value, *by_l]].copy()
    frame["__w"] = 1.0 if w_all is None else w_all
    rows = []
    for key, sub in _groups(frame, by_l):
        s = _weighted_summary(sub[value].to_numpy(dtype=float), None if w_all is None else sub["__w"].to_numpy())
        if s["n"] >= 2 and s["n_eff"] > 1 and np.isfinite(s["sd"]):
            half = float(_tcrit(confidence, s["n_eff"] - 1)) * s["sd"] / math.sqrt(s["n_eff"])
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
    _check_confidence(confidence, "proportion_ci")
    scalar = np.isscalar(successes) and np.isscalar(n)
    try:
        x = np.asarray(successes, dtype=float)
        m = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("proportion_ci: expected numeric successes and n") from None
    with np.errstate(invalid="ignore", divide="ignore"):
        if np.any(m < 0) or np.any(x < 0) or np.any(x > m + 1e-9):
            raise ValueError("proportion_ci: expected 0 <= successes <= n")
        z = _zcrit(confidence)
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
    by_l = _as_list(by, "by")
    _check_frame(data, [column, *by_l], "share_ci")
    if column in by_l:
        raise ValueError("share_ci: expected `column` not to be one of the `by` columns")
    _check_confidence(confidence, "share_ci")
    w_all = _check_weights(data, weights, "share_ci")
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
    for key, sub in _groups(frame, by_l):
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
# reliability
# ---------------------------------------------------------------------------------------------


def _cronbach(x: np.ndarray, confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Raw Cronbach alpha and its F-based CI of a complete (n, k) array, as ``pingouin.cronbach_alpha``
    computes them (same formula and CI rounded to 3 decimals), without pandas overhead."""
    n, k = x.shape
    C = np.cov(x, rowvar=False, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = (k / (k - 1)) * (1 - np.trace(C) / C.sum())
    df1 = n - 1
    df2 = df1 * (k - 1)
    lower = 1 - (1 - alpha) * sps.f.isf((1 - confidence) / 2, df1, df2)
    upper = 1 - (1 - alpha) * sps.f.isf(1 - (1 - confidence) / 2, df1, df2)
    lo, hi = np.round([lower, upper], 3)
    return float(alpha), (float(lo), float(hi))


def _alpha_std(x: np.ndarray) -> float:
    """Standardized alpha: raw alpha of the z-scored items (complete rows, no constant item)."""
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    return _cronbach(z)[0]


def reliability(
    data: pd.DataFrame, items: Sequence[str], name: str | None = None, threshold: float = 0.7
) -> pd.DataFrame:
    """Cronbach's alpha (raw and standardized) of a multi-item construct.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str
        Numeric item columns (reverse-keyed already).
    name : str, optional
        Construct label for the output (default: the items joined with "+").
    threshold : float, default 0.7
        Alpha below this value is flagged.

    Returns
    -------
    pandas.DataFrame
        One row: ``construct, n, k, alpha, alpha_ci_low, alpha_ci_high, alpha_std, flag``.
        ``n`` complete rows (listwise), ``k`` items; ``alpha`` raw (covariance-based) alpha with
        pingouin's CI; ``alpha_std`` standardized alpha; ``flag`` is "" when fine, else short
        notes joined by "; " ("single item: reliability not estimable", "below 0.70",
        "negative alpha: check reverse-keyed items", "constant item(s): ...",
        "too few complete rows"). The threshold flag refers to raw ``alpha``.

    Notes
    -----
    Raw alpha :math:`\\alpha = \\frac{k}{k-1}(1 - \\sum_i s_i^2 / s_X^2)` via
    ``pingouin.cronbach_alpha`` on the complete rows (Cronbach 1951, *Psychometrika*, 16, 297-334);
    its CI is pingouin's F-based interval (Feldt, Woodruff & Salih 1987). Standardized alpha is
    alpha of the z-scored items, :math:`k\\bar r / (1 + (k-1)\\bar r)` with :math:`\\bar r` the mean
    inter-item correlation -- the value reported by PLS software (R plspm, seminr).
    Weights are not supported.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import reliability
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 3, 3, 4, 5, 2]})
    >>> out = reliability(df, ["q1", "q2", "q3"], name="ease")
    >>> round(float(out["alpha"].iloc[0]), 3), out["flag"].iloc[0]
    (0.932, '')
    """
    items = _as_list(items, "items")
    if not items:
        raise ValueError("reliability: expected at least one item column")
    _check_frame(data, items, "reliability")
    _check_numeric(data, items, "reliability")
    if not isinstance(threshold, (int, float)):
        raise ValueError(f"reliability: expected a numeric threshold, got {threshold!r}")
    construct = name if name is not None else "+".join(items)
    row = _reliability_row(data[items].to_numpy(dtype=float), items, construct, threshold)
    return pd.DataFrame([row], columns=list(row))


def _reliability_row(x: np.ndarray, items: list[str], construct: str, threshold: float) -> dict:
    """The one row of :func:`reliability` from an (n, k) float array (NaN = missing; listwise)."""
    block = x[~np.isnan(x).any(axis=1)]
    n, k = block.shape[0], len(items)
    row = {"construct": construct, "n": n, "k": k, "alpha": np.nan, "alpha_ci_low": np.nan,
           "alpha_ci_high": np.nan, "alpha_std": np.nan, "flag": ""}
    flags = []
    if k < 2:
        flags.append("single item: reliability not estimable")
    elif n < 3:
        flags.append("too few complete rows")
    else:
        constant = [c for j, c in enumerate(items) if np.all(block[:, j] == block[0, j])]
        if constant:
            flags.append(f"constant item(s): {', '.join(constant)}")
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha, ci = _cronbach(block)
        row.update(alpha=float(alpha), alpha_ci_low=float(ci[0]), alpha_ci_high=float(ci[1]))
        if not constant:
            row["alpha_std"] = _alpha_std(block)
        if np.isfinite(alpha) and alpha < 0:
            flags.append("negative alpha: check reverse-keyed items")
        elif np.isfinite(alpha) and alpha < threshold:
            flags.append(f"below {threshold:.2f}")
    row["flag"] = "; ".join(flags)
    return row


def group_reliability(
    data: pd.DataFrame, items: Sequence[str], group: str, threshold: float = 0.7, name: str | None = None
) -> pd.DataFrame:
    """Cronbach's alpha of a construct within each group: is it comparable across the groups?

    Before groups (segments, waves) are compared on a construct, the construct should measure
    reliably in every one of them; a construct that is unreliable in one group compares noise.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str
        Numeric item columns of the construct (reverse-keyed already).
    group : str
        Group column; rows with a missing group are ignored.
    threshold : float, default 0.7
        Alpha below this value flags the group.
    name : str, optional
        Construct label (default: the items joined with "+").

    Returns
    -------
    pandas.DataFrame
        One row per group level (see module notes on group order): ``[group], construct, n, k,
        alpha, alpha_ci_low, alpha_ci_high, alpha_std, flag, unreliable`` -- the columns of
        :func:`reliability` computed within the level, and ``unreliable`` True where raw alpha is
        below `threshold` (False when alpha cannot be estimated, e.g. for a single item).

    Notes
    -----
    Per-group :func:`reliability` (raw Cronbach alpha with pingouin's F-based CI). A group with
    few respondents has a wide interval: its alpha may fall below the threshold by chance.
    Weights are not supported.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import group_reliability
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3, 1, 5, 2, 4], "q2": [2, 2, 3, 5, 4, 5, 1, 1, 4, 2],
    ...                    "seg": list("aaaaabbbbb")})
    >>> group_reliability(df, ["q1", "q2"], "seg")[["seg", "unreliable"]].values.tolist()
    [['a', False], ['b', True]]
    """
    items = _as_list(items, "items")
    if not items:
        raise ValueError("group_reliability: expected at least one item column")
    if not isinstance(group, str):
        raise ValueError(f"group_reliability: expected `group` to be a column name, got {group!r}")
    if group in items:
        raise ValueError("group_reliability: expected `group` not to be one of the items")
    _check_frame(data, [*items, group], "group_reliability")
    _check_numeric(data, items, "group_reliability")
    if not isinstance(threshold, (int, float)):
        raise ValueError(f"group_reliability: expected a numeric threshold, got {threshold!r}")
    construct = name if name is not None else "+".join(items)
    x = data[items].to_numpy(dtype=float)
    g = data[group]
    levels = _levels(g)
    codes = pd.Index(levels).get_indexer(np.asarray(g, dtype=object)) if levels else np.array([], dtype=int)
    return group_reliability_table(x, codes, list(enumerate(levels)), items, construct, threshold, group)


def group_reliability_table(x: np.ndarray, codes: np.ndarray, levels: list[tuple[int, Any]],
                             items: list[str], construct: str, threshold: float, group: str) -> pd.DataFrame:
    """The :func:`group_reliability` table from the item matrix ``x``, each row's level code and the
    ``(code, label)`` of the levels to report, in order: :func:`reliability` within each level."""
    rows = [{group: lev, **_reliability_row(x[codes == i], items, construct, threshold)} for i, lev in levels]
    cols = [group, "construct", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "alpha_std", "flag"]
    if not rows:
        return pd.DataFrame(columns=[*cols, "unreliable"])
    out = pd.DataFrame(rows, columns=cols)
    a = out["alpha"].astype(float)
    out["unreliable"] = (a.notna() & (a < threshold)).astype(bool)
    return out


def item_statistics(data: pd.DataFrame, items: Sequence[str], name: str | None = None) -> pd.DataFrame:
    """Item analysis: mean, SD, corrected item-total correlation and alpha if item deleted.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str
        Numeric item columns of one construct.
    name : str, optional
        Construct label (default: the items joined with "+").

    Returns
    -------
    pandas.DataFrame
        One row per item: ``construct, item, n, mean, sd, item_total_r, alpha_if_deleted``,
        all computed on the complete rows (listwise, as :func:`reliability`). ``item_total_r`` is
        NaN for a single item; ``alpha_if_deleted`` is NaN when fewer than 2 items would remain.

    Notes
    -----
    Corrected item-total correlation: Pearson r of item :math:`i` with the sum of the *other*
    items, :math:`r(x_i, \\sum_{j \\ne i} x_j)`; alpha if deleted: raw Cronbach alpha
    (``pingouin.cronbach_alpha``) of the remaining items. Nunnally, J. C. & Bernstein, I. H.
    (1994). *Psychometric Theory*, 3rd ed., ch. 8. Weights are not supported.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import item_statistics
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 3, 3, 4, 5, 2]})
    >>> item_statistics(df, ["q1", "q2", "q3"])["item_total_r"].round(3).tolist()
    [0.942, 0.807, 0.854]
    """
    items = _as_list(items, "items")
    if not items:
        raise ValueError("item_statistics: expected at least one item column")
    _check_frame(data, items, "item_statistics")
    _check_numeric(data, items, "item_statistics")
    construct = name if name is not None else "+".join(items)
    block = data[items].astype(float).dropna()
    n = len(block)
    rows = []
    for it in items:
        others = [c for c in items if c != it]
        r = np.nan
        a_del = np.nan
        if others and n >= 3:
            rest = block[others].sum(axis=1)
            if block[it].std() > 0 and rest.std() > 0:
                r = float(np.corrcoef(block[it], rest)[0, 1])
            if len(others) >= 2:
                a_del = float(pg.cronbach_alpha(block[others], nan_policy="listwise")[0])
        rows.append({"construct": construct, "item": it, "n": n, "mean": float(block[it].mean()) if n else np.nan,
                     "sd": float(block[it].std(ddof=1)) if n >= 2 else np.nan, "item_total_r": r,
                     "alpha_if_deleted": a_del})
    return pd.DataFrame(rows, columns=["construct", "item", "n", "mean", "sd", "item_total_r", "alpha_if_deleted"])


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
    by_l = _as_list(by, "by")
    _check_frame(data, [column, *by_l], "nps")
    if column in by_l:
        raise ValueError("nps: expected `column` not to be one of the `by` columns")
    _check_numeric(data, [column], "nps")
    _check_confidence(confidence, "nps")
    w_all = _check_weights(data, weights, "nps")
    vals = data[column].to_numpy(dtype=float)
    v = vals[~np.isnan(vals)]
    if v.size and (v.min() < 0 or v.max() > 10):
        raise ValueError(f"nps: expected 0-10 answers in {column!r}, got values from {v.min():g} to {v.max():g}")
    if v.size and not np.all(v == np.round(v)):
        raise ValueError(f"nps: expected whole-number 0-10 answers in {column!r}, got non-integer values")
    frame = data[[column, *by_l]].copy()
    frame["__w"] = 1.0 if w_all is None else w_all
    frame = frame[frame[column].notna() & (frame["__w"] > 0)]
    z = _zcrit(confidence)
    rows = []
    for key, sub in _groups(frame, by_l):
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


# ---------------------------------------------------------------------------------------------
# multiple comparisons
# ---------------------------------------------------------------------------------------------


def adjust_pvalues(
    frame: pd.DataFrame, column: str = "p_unc", method: str = "holm", alpha: float = 0.05
) -> pd.DataFrame:
    """Correct p-values across all rows of a table (e.g. several tables concatenated).

    Parameters
    ----------
    frame : pandas.DataFrame
    column : str, default "p_unc"
        Column of uncorrected p-values; NaN rows are left NaN and not counted.
    method : {"holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none"}, default "holm"
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        A copy of `frame` with ``p_corr`` (overwritten if present) and ``significant``
        (``p_corr < alpha``; False where NaN).

    Notes
    -----
    Uses ``pingouin.multicomp``. Holm (1979), A simple sequentially rejective multiple test
    procedure, *Scand. J. Statist.*, 6, 65-70: controls the family-wise error rate, uniformly
    more powerful than Bonferroni. Correct once, over the whole family you report.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import adjust_pvalues
    >>> adjust_pvalues(pd.DataFrame({"p_unc": [0.01, 0.04, 0.03]}))["p_corr"].round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"adjust_pvalues: expected a DataFrame, got {type(frame).__name__}")
    _check_frame(frame, [column], "adjust_pvalues")
    method = _check_correction(method, "adjust_pvalues")
    if not 0 < alpha < 1:
        raise ValueError(f"adjust_pvalues: expected alpha in (0, 1), got {alpha!r}")
    p = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"adjust_pvalues: expected p-values in [0, 1] in column {column!r}")
    out = frame.copy()
    if method == "none" or p.size == 0 or np.isnan(p).all():
        pc = p.copy()
    else:
        pc = np.asarray(pg.multicomp(p, alpha=alpha, method=method)[1], dtype=float)
    out["p_corr"] = pc
    out["significant"] = np.where(np.isnan(pc), False, pc < alpha).astype(bool)
    return out


# ---------------------------------------------------------------------------------------------
# group comparisons
# ---------------------------------------------------------------------------------------------


_SRANGE_TABLE = RESOURCES / "studentized_range_q95.csv"


@functools.lru_cache(maxsize=1)
def _studentized_range_table() -> tuple[dict[int, int], np.ndarray] | None:
    """SciPy's q(0.95; k, df) for k = 3..12 and whole df 2..1000, precomputed
    (``scripts/make_studentized_range_table.py``): column of each k, and the (df, k) values."""
    try:
        table = np.loadtxt(_SRANGE_TABLE, delimiter=",", skiprows=1, ndmin=2)
        header = _SRANGE_TABLE.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    except OSError:
        return None
    cols = {int(h[1:]): i for i, h in enumerate(header) if h.startswith("k")}
    return cols, table


@functools.lru_cache(maxsize=4096)
def _studentized_range_quantile(confidence: float, k: int, df: int) -> float:
    """q(confidence; k, df) for whole ``df``: from the shipped table of SciPy's values when it
    holds them (0.95, k = 3..12, df = 2..1000), else SciPy's numerical integration (~0.1 s)."""
    found = _studentized_range_table() if confidence == 0.95 else None
    if found is not None:
        cols, table = found
        row = int(df) - int(table[0, 0])
        if k in cols and 0 <= row < len(table) and table[row, 0] == df:
            return float(table[row, cols[k]])
    return float(sps.studentized_range.ppf(confidence, k, df))


def _studentized_range_crit(confidence: float, k: int, df: float) -> float:
    """Studentized-range critical value q(confidence; k, df), fast.

    For two groups q = sqrt(2)·t exactly, so Student's t quantile is used.  For more groups the
    quantile (~0.1 s per scipy call) is computed at the whole numbers around ``df`` (cached) and
    interpolated linearly in 1/df (relative error below 2e-4 at df = 7, 1e-6 above df = 25); df above 1000 is
    treated as 1000.
    """
    if not np.isfinite(df) or df < 1:
        return float("nan")
    if k == 2:
        return float(np.sqrt(2) * sps.t.ppf((1 + confidence) / 2, df))
    df = min(float(df), 1000.0)
    lo, hi = int(np.floor(df)), int(np.ceil(df))
    q_lo = _studentized_range_quantile(float(confidence), int(k), lo)
    if hi == lo:
        return q_lo
    q_hi = _studentized_range_quantile(float(confidence), int(k), hi)
    w = (1 / lo - 1 / df) / (1 / lo - 1 / hi)
    return q_lo + w * (q_hi - q_lo)


def _gameshowell_from_summary(labels, n, means, sds, confidence):
    """Games-Howell table from group summaries (n may be an effective n)."""
    k = len(labels)
    g1, g2 = np.triu_indices(k, k=1)
    n = np.asarray(n, dtype=float)
    v = np.asarray(sds, dtype=float) ** 2 / n
    se = np.sqrt(v[g1] + v[g2])
    diff = np.asarray(means)[g1] - np.asarray(means)[g2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
        df = (v[g1] + v[g2]) ** 2 / (v[g1] ** 2 / (n[g1] - 1) + v[g2] ** 2 / (n[g2] - 1))
        p_gh = np.clip(sps.studentized_range.sf(np.sqrt(2) * np.abs(t), k, df), 0, 1)
    hedges = [_hedges_from_summary(means[a], sds[a], n[a], means[b], sds[b], n[b]) for a, b in zip(g1, g2)]
    return pd.DataFrame({"A": [labels[i] for i in g1], "B": [labels[i] for i in g2],
                         "mean_A": np.asarray(means)[g1], "mean_B": np.asarray(means)[g2], "diff": diff,
                         "se": se, "T": t, "df": df, "pval": p_gh, "hedges": hedges})


def compare_groups(
    data: pd.DataFrame,
    dv: str,
    between: str,
    weights: str | None = None,
    confidence: float = 0.95,
    correction: str = "holm",
) -> pd.DataFrame:
    """Pairwise Games-Howell comparisons of a numeric outcome between all groups.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric outcome.
    between : str
        Group column (at least 2 groups with data).
    weights : str, optional
        Column of survey weights: weighted means/SDs and Kish effective n per group in the
        Games-Howell formulas (an approximation; unweighted uses ``pingouin.pairwise_gameshowell``).
    confidence : float, default 0.95
    correction : str, default "holm"
        Method for ``p_corr`` (see :func:`adjust_pvalues`).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``dv, A, B, n_A, n_B, mean_A, mean_B, diff, se, T, df, ci_low,
        ci_high, hedges, p_unc, p_gameshowell, p_corr``. ``diff = mean_A - mean_B``;
        ``ci_low/ci_high`` Games-Howell simultaneous interval; ``p_unc`` the per-pair Welch t-test
        p-value; ``p_corr`` `correction` (Holm) across the pairs; ``p_gameshowell`` pingouin's
        studentized-range p-value (already family-wise). Group order is pingouin's (sorted /
        categorical order). With ``n_eff``-based weights, ``n_A``/``n_B`` stay raw counts.

    Notes
    -----
    Games & Howell (1976), *J. Educ. Statist.*, 1, 113-125: Welch
    :math:`t = (\\bar x_A-\\bar x_B)/\\sqrt{s_A^2/n_A+s_B^2/n_B}` with Welch-Satterthwaite df;
    CI :math:`diff \\pm q_{1-\\alpha,k,df}/\\sqrt2 \\cdot se` (studentized range :math:`q`, k groups).
    Hedges g uses the pooled SD. For two groups the interval is the Welch t interval.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import compare_groups
    >>> df = pd.DataFrame({"sat": [5, 6, 7, 6, 2, 3, 4, 3, 5, 5, 6, 4], "seg": list("aaaabbbbcccc")})
    >>> compare_groups(df, "sat", "seg")[["A", "B", "diff"]].to_dict("records")[0]
    {'A': 'a', 'B': 'b', 'diff': 3.0}
    """
    _check_frame(data, [dv, between], "compare_groups")
    _check_numeric(data, [dv], "compare_groups")
    _check_confidence(confidence, "compare_groups")
    correction = _check_correction(correction, "compare_groups")
    w_all = _check_weights(data, weights, "compare_groups")
    frame = data[[dv, between]].copy()
    frame["__w"] = 1.0 if w_all is None else w_all
    frame = frame[frame[dv].notna() & frame[between].notna() & (frame["__w"] > 0)]
    if isinstance(frame[between].dtype, pd.CategoricalDtype):
        frame[between] = frame[between].cat.remove_unused_categories()
    counts = frame.groupby(between, observed=True, sort=True)[dv].count()
    if len(counts) < 2:
        raise ValueError(f"compare_groups: expected at least 2 groups in {between!r} with data, got {len(counts)}")
    if (counts < 2).any():
        raise ValueError(f"compare_groups: expected at least 2 values per group, got {counts[counts < 2].to_dict()}")
    k = len(counts)
    if w_all is None:
        gh = pg.pairwise_gameshowell(data=frame[[dv, between]], dv=dv, between=between)
    else:
        labels, ns, ms, sds = [], [], [], []
        for lab, sub in frame.groupby(between, observed=True, sort=True):
            s = _weighted_summary(sub[dv].to_numpy(dtype=float), sub["__w"].to_numpy())
            labels.append(lab)
            ns.append(s["n_eff"])
            ms.append(s["mean"])
            sds.append(s["sd"])
        gh = _gameshowell_from_summary(labels, ns, ms, sds, confidence)
    qcrit = np.array([_studentized_range_crit(confidence, k, d) for d in gh["df"].to_numpy(dtype=float)])
    qcrit = qcrit / np.sqrt(2)
    out = pd.DataFrame({
        "dv": dv, "A": gh["A"].to_numpy(), "B": gh["B"].to_numpy(),
        "n_A": gh["A"].map(counts).to_numpy(dtype=int), "n_B": gh["B"].map(counts).to_numpy(dtype=int),
        "mean_A": gh["mean_A"].to_numpy(dtype=float), "mean_B": gh["mean_B"].to_numpy(dtype=float),
        "diff": gh["diff"].to_numpy(dtype=float), "se": gh["se"].to_numpy(dtype=float),
        "T": gh["T"].to_numpy(dtype=float), "df": gh["df"].to_numpy(dtype=float),
    })
    out["ci_low"] = out["diff"] - qcrit * out["se"]
    out["ci_high"] = out["diff"] + qcrit * out["se"]
    out["hedges"] = gh["hedges"].to_numpy(dtype=float)
    out["p_unc"] = 2 * sps.t.sf(np.abs(out["T"]), out["df"])
    out["p_gameshowell"] = gh["pval"].to_numpy(dtype=float)
    out = adjust_pvalues(out, "p_unc", correction).drop(columns="significant")
    return out.reset_index(drop=True)


def omnibus(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Welch's one-way ANOVA of a numeric outcome across groups.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric outcome.
    between : str
        Group column (at least 2 groups with at least 2 values each).

    Returns
    -------
    pandas.DataFrame
        One row: ``dv, between, k, n, F, ddof1, ddof2, p_unc, np2, omega2``.

    Notes
    -----
    ``pingouin.welch_anova`` (Welch 1951, *Biometrika*, 38, 330-336): robust to unequal
    variances. ``np2`` is pingouin's partial eta squared. ``omega2`` is the less biased estimate
    :math:`\\omega^2 = \\frac{df_1(F-1)}{df_1(F-1)+N}` (Hays 1963; Olejnik & Algina 2003), computed
    from the Welch F as an approximation and floored at 0. Weights are not supported.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import omnibus
    >>> df = pd.DataFrame({"sat": [5, 6, 7, 6, 2, 3, 4, 3, 5, 5, 6, 4], "seg": list("aaaabbbbcccc")})
    >>> int(omnibus(df, "sat", "seg")["k"].iloc[0])
    3
    """
    _check_frame(data, [dv, between], "omnibus")
    _check_numeric(data, [dv], "omnibus")
    frame = data[[dv, between]].dropna()
    if isinstance(frame[between].dtype, pd.CategoricalDtype):
        frame[between] = frame[between].cat.remove_unused_categories()
    counts = frame.groupby(between, observed=True)[dv].count()
    if len(counts) < 2 or (counts < 2).any():
        raise ValueError(
            f"omnibus: expected at least 2 groups in {between!r} with at least 2 values each, got {counts.to_dict()}"
        )
    res = pg.welch_anova(data=frame, dv=dv, between=between)
    f = float(res["F"].iloc[0])
    d1 = float(res["ddof1"].iloc[0])
    n = int(counts.sum())
    omega2 = max(0.0, d1 * (f - 1) / (d1 * (f - 1) + n)) if np.isfinite(f) else np.nan
    return pd.DataFrame([{
        "dv": dv, "between": between, "k": len(counts), "n": n, "F": f, "ddof1": d1,
        "ddof2": float(res["ddof2"].iloc[0]), "p_unc": float(res["p_unc"].iloc[0]),
        "np2": float(res["np2"].iloc[0]), "omega2": omega2,
    }])


def compare_to_reference(
    data: pd.DataFrame,
    dvs: str | Sequence[str],
    group: str,
    reference,
    correction: str = "holm",
    confidence: float = 0.95,
    alpha: float = 0.05,
    weights: str | None = None,
) -> pd.DataFrame:
    """Welch t-tests of a reference group against every other group, for several outcomes.

    Parameters
    ----------
    data : pandas.DataFrame
    dvs : str or list of str
        Numeric outcome column(s).
    group : str
        Group column (e.g. brand).
    reference : scalar
        The reference level of `group` (e.g. the client's own brand).
    correction : str, default "holm"
        Correction across ALL rows (every dv x level), see :func:`adjust_pvalues`.
    confidence : float, default 0.95
    alpha : float, default 0.05
        Level for ``significant``.
    weights : str, optional
        Column of survey weights: weighted means and SDs with Kish effective n in the Welch
        formulas (as :func:`wave_changes`); ``n_ref``/``n_other`` stay raw counts.

    Returns
    -------
    pandas.DataFrame
        One row per dv and non-reference level: ``dv, group, reference, n_ref, n_other,
        mean_ref, mean_other, diff, ci_low, ci_high, T, df, hedges, hedges_ci_low,
        hedges_ci_high, p_unc, p_corr, significant``; ``group`` holds the other level,
        ``diff = mean_ref - mean_other`` with its Welch CI. Levels with < 2 values get NaN tests.

    Notes
    -----
    ``pingouin.ttest(ref, other, correction=True)`` (Welch 1947, *Biometrika*, 34, 28-35) for
    T, df and p; CI :math:`diff \\pm t_{1-\\alpha/2,df}\\sqrt{s_r^2/n_r + s_o^2/n_o}` (pingouin's own
    CI is rounded to 2 decimals). Hedges g via ``pingouin.compute_effsize`` with the Hedges & Olkin (1985) CI
    (``pingouin.compute_esci``). Weighted: :math:`t = (\\bar x_{w,ref}-\\bar x_{w,o})/\\sqrt{s_{ref}^2/n_{eff,ref}
    + s_o^2/n_{eff,o}}` with Welch-Satterthwaite df on the effective n (Kish 1965); with all weights
    equal this is the unweighted test.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import compare_to_reference
    >>> df = pd.DataFrame({"sat": [6, 7, 6, 7, 3, 4, 3, 4], "brand": list("oooocccc")})
    >>> float(compare_to_reference(df, "sat", "brand", "o")["diff"].iloc[0])
    3.0
    """
    dvs_l = _as_list(dvs, "dvs")
    if not dvs_l:
        raise ValueError("compare_to_reference: expected at least one dv")
    _check_frame(data, [*dvs_l, group], "compare_to_reference")
    if group in dvs_l:
        raise ValueError("compare_to_reference: expected `group` not to be one of the dvs")
    _check_numeric(data, dvs_l, "compare_to_reference")
    _check_confidence(confidence, "compare_to_reference")
    correction = _check_correction(correction, "compare_to_reference")
    w_all = _check_weights(data, weights, "compare_to_reference")
    levels = _levels(data[group])
    if reference not in levels:
        raise ValueError(
            f"compare_to_reference: expected reference {reference!r} among the levels of {group!r}: {levels}"
        )
    others = [lv for lv in levels if lv != reference]
    if not others:
        raise ValueError(f"compare_to_reference: expected at least one level of {group!r} besides {reference!r}")
    rows = []
    ref_mask = (data[group] == reference).to_numpy()
    for dv in dvs_l:
        x = data.loc[ref_mask, dv].to_numpy(dtype=float)
        wx = None if w_all is None else w_all[ref_mask]
        for lv in others:
            mask = (data[group] == lv).to_numpy()
            y = data.loc[mask, dv].to_numpy(dtype=float)
            r = _two_sample(x, y, wx, None if w_all is None else w_all[mask], confidence=confidence)
            rows.append({"dv": dv, "group": lv, "reference": reference, "n_ref": r["n_x"], "n_other": r["n_y"],
                         "mean_ref": r["mean_x"], "mean_other": r["mean_y"], "diff": r["diff"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "T": r["T"], "df": r["df"],
                         "hedges": r["hedges"], "hedges_ci_low": r["hedges_ci_low"],
                         "hedges_ci_high": r["hedges_ci_high"], "p_unc": r["p_unc"]})
    out = pd.DataFrame(rows)
    return adjust_pvalues(out, "p_unc", correction, alpha=alpha)


def wave_changes(
    data: pd.DataFrame,
    value: str,
    wave: str,
    waves: Sequence,
    weights: str | None = None,
    confidence: float = 0.95,
    correction: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Change of a mean between consecutive survey waves (Welch t-tests, corrected).

    Parameters
    ----------
    data : pandas.DataFrame
    value : str
        Numeric column.
    wave : str
        Wave label column.
    waves : list
        Wave labels in chronological order (at least 2); rows of other waves are ignored.
    weights : str, optional
        Column of survey weights (weighted means/SDs, Kish effective n in the Welch formulas).
    confidence : float, default 0.95
    correction : str, default "holm"
        Correction across all rows (:func:`adjust_pvalues`).
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        One row per consecutive pair: ``dv, from_wave, to_wave, n_from, n_to, mean_from,
        mean_to, diff, ci_low, ci_high, T, df, hedges, hedges_ci_low, hedges_ci_high, p_unc,
        p_corr, significant`` with ``diff = mean_to - mean_from``. A wave with < 2 values
        gives NaN tests for its pairs. To correct across several outcomes, concatenate the
        tables and call :func:`adjust_pvalues` on the result.

    Notes
    -----
    Independent samples per wave (different respondents). Unweighted:
    ``pingouin.ttest(to, from, correction=True)`` (Welch); weighted:
    :math:`t = (\\bar x_{w,to}-\\bar x_{w,from})/\\sqrt{s_{to}^2/n_{eff,to}+s_{from}^2/n_{eff,from}}`
    with Welch-Satterthwaite df on the effective n (Kish 1965). Hedges g with the Hedges &
    Olkin (1985) CI. Holm (1979) correction.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import wave_changes
    >>> df = pd.DataFrame({"sat": [5, 6, 5, 6, 7, 8, 7, 8], "w": ["Q1"] * 4 + ["Q2"] * 4})
    >>> float(wave_changes(df, "sat", "w", ["Q1", "Q2"])["diff"].iloc[0])
    2.0
    """
    _check_frame(data, [value, wave], "wave_changes")
    _check_numeric(data, [value], "wave_changes")
    _check_confidence(confidence, "wave_changes")
    correction = _check_correction(correction, "wave_changes")
    if isinstance(waves, (str, bytes)) or not isinstance(waves, Sequence) or len(waves) < 2:
        raise ValueError(f"wave_changes: expected `waves` to be a list of at least 2 wave labels, got {waves!r}")
    if len(set(waves)) != len(waves):
        raise ValueError(f"wave_changes: expected distinct wave labels, got {list(waves)}")
    w_all = _check_weights(data, weights, "wave_changes")
    present = set(data[wave].dropna().unique())
    missing = [wv for wv in waves if wv not in present]
    if len(missing) == len(waves):
        raise ValueError(
            f"wave_changes: expected the waves {list(waves)} in column {wave!r}; found {sorted(map(str, present))}"
        )
    rows = []
    for a, b in zip(waves[:-1], waves[1:]):
        ma = (data[wave] == a).to_numpy()
        mb = (data[wave] == b).to_numpy()
        x = data.loc[mb, value].to_numpy(dtype=float)
        y = data.loc[ma, value].to_numpy(dtype=float)
        r = _two_sample(x, y, None if w_all is None else w_all[mb], None if w_all is None else w_all[ma], confidence)
        rows.append({"dv": value, "from_wave": a, "to_wave": b, "n_from": r["n_y"], "n_to": r["n_x"],
                     "mean_from": r["mean_y"], "mean_to": r["mean_x"], "diff": r["diff"], "ci_low": r["ci_low"],
                     "ci_high": r["ci_high"], "T": r["T"], "df": r["df"], "hedges": r["hedges"],
                     "hedges_ci_low": r["hedges_ci_low"], "hedges_ci_high": r["hedges_ci_high"],
                     "p_unc": r["p_unc"]})
    return adjust_pvalues(pd.DataFrame(rows), "p_unc", correction, alpha=alpha)


# ---------------------------------------------------------------------------------------------
# driver analysis
# ---------------------------------------------------------------------------------------------


def _driver_frame(data, outcome, drivers, func, max_drivers=None) -> tuple[list[str], np.ndarray]:
    drivers_l = _as_list(drivers, "drivers")
    if not isinstance(outcome, str):
        raise ValueError(f"{func}: expected `outcome` to be a column name, got {outcome!r}")
    _check_frame(data, [outcome, *drivers_l], func)
    if len(drivers_l) < 2:
        raise ValueError(f"{func}: expected at least 2 drivers, got {drivers_l}")
    if max_drivers is not None and len(drivers_l) > max_drivers:
        raise ValueError(
            f"{func}: expected at most {max_drivers} drivers (LMG needs 2^p subsets), got {len(drivers_l)}; "
            "use relative_weights for more"
        )
    _check_numeric(data, [outcome, *drivers_l], func)
    z = data[[outcome, *drivers_l]].astype(float).dropna().to_numpy()
    n = z.shape[0]
    if n <= len(drivers_l) + 2:
        raise ValueError(f"{func}: expected more than {len(drivers_l) + 2} complete rows, got {n}")
    sd = z.std(axis=0, ddof=1)
    const = [c for c, s in zip([outcome, *drivers_l], sd) if s == 0]
    if const:
        raise ValueError(f"{func}: expected varying columns, got constant {const}")
    if np.linalg.matrix_rank((z[:, 1:] - z[:, 1:].mean(axis=0)) / sd[1:]) < len(drivers_l):
        raise ValueError(f"{func}: expected linearly independent drivers, got perfectly collinear {drivers_l}")
    return drivers_l, z


def _boot_corr(z: np.ndarray, n_boot: int, seed, chunk_cells: int = 4_000_000):
    """Yield stacks of correlation matrices of bootstrap resamples of the rows of z.

    Resamples are encoded as row counts; the first and second moments of a chunk of resamples
    come from one matrix product of the counts with the centred rows and their distinct
    cross-products (the upper triangle: q(q+1)/2 columns), laid out so that BLAS reads both
    operands along their long axis.
    """
    rng = np.random.default_rng(seed)
    n, q = z.shape
    zc = z - z.mean(axis=0)
    iu, ju = np.triu_indices(q)
    rows_t = np.ascontiguousarray(np.hstack([zc, zc[:, iu] * zc[:, ju]]).T)  # (q + q(q+1)/2, n)
    chunk = max(1, min(n_boot, chunk_cells // max(n, 1)))
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n).astype(float)
        del idx
        moments = (rows_t @ counts.T).T / n
        m1, upper = moments[:, :q], moments[:, q:]
        cov = np.empty((b, q, q))
        cov[:, iu, ju] = upper
        cov[:, ju, iu] = upper
        cov -= m1[:, :, None] * m1[:, None, :]
        sd = np.sqrt(np.clip(np.einsum("bii->bi", cov), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            yield cov / (sd[:, :, None] * sd[:, None, :])
        done += b


_BOOT_CACHE: "collections.OrderedDict[tuple, np.ndarray]" = collections.OrderedDict()
_BOOT_CACHE_SIZE = 16


def boot_corr_all(z: np.ndarray, n_boot: int, seed) -> np.ndarray:
    """All ``n_boot`` bootstrap correlation matrices of ``z`` (n_boot, q, q), read-only.

    With an integer ``seed`` the resamples are a function of ``(z, n_boot, seed)``, so they are
    kept (the last few, keyed by a digest of ``z``): LMG, Johnson's relative weights and the
    emotional share of the same outcome and drivers then share one set of resamples, and their
    intervals are computed on the same bootstrap samples.
    """
    z = np.ascontiguousarray(z, dtype=float)
    key = None
    if isinstance(seed, (int, np.integer)):
        key = (hashlib.blake2b(z.tobytes(), digest_size=16).hexdigest(), z.shape, int(n_boot), int(seed))
        hit = _BOOT_CACHE.get(key)
        if hit is not None:
            _BOOT_CACHE.move_to_end(key)
            return hit
    stack = np.concatenate(list(_boot_corr(z, n_boot, seed))) if n_boot else np.empty((0, z.shape[1], z.shape[1]))
    stack.setflags(write=False)
    if key is not None:
        _BOOT_CACHE[key] = stack
        while len(_BOOT_CACHE) > _BOOT_CACHE_SIZE:
            _BOOT_CACHE.popitem(last=False)
    return stack


def _lmg_weights(p: int) -> np.ndarray:
    """Matrix W (2^p x p) with LMG_j = sum_S R2(S) W[S, j], subsets S encoded as bitmasks."""
    masks = np.arange(2**p)
    size = np.array([bin(m).count("1") for m in masks])
    W = np.zeros((2**p, p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        wgt = 1.0 / (p * np.array([math.comb(p - 1, s) for s in size[without]]))
        W[without | (1 << j), j] += wgt
        W[without, j] -= wgt
    return W


def _subset_r2(R: np.ndarray) -> np.ndarray:
    """R^2 of every subset of predictors from stacked correlation matrices (outcome first).

    R has shape (b, p+1, p+1); returns (b, 2^p) with column `mask` the R^2 of that subset.
    """
    b, q, _ = R.shape
    p = q - 1
    out = np.zeros((b, 2**p))
    ok = np.isfinite(R).all(axis=(1, 2))
    Rg = np.where(ok[:, None, None], R, np.eye(q))
    for mask in range(1, 2**p):
        idx = 1 + np.flatnonzero((mask >> np.arange(p)) & 1)
        A = Rg[:, idx[:, None], idx[None, :]]
        r = Rg[:, idx, 0]
        try:
            sol = np.linalg.solve(A, r[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            sol = (np.linalg.pinv(A, hermitian=True) @ r[:, :, None])[:, :, 0]
        out[:, mask] = np.einsum("bi,bi->b", r, sol)
    out[~ok] = np.nan
    return out


def lmg_from_corr(R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LMG relative importance (b, p) and full-model R^2 (b,) from stacked correlation matrices."""
    r2 = _subset_r2(R)
    p = R.shape[1] - 1
    return r2 @ _lmg_weights(p), r2[:, -1]


def _percentile_ci(boot: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    lo = np.nanpercentile(boot, 100 * (1 - confidence) / 2, axis=0)
    hi = np.nanpercentile(boot, 100 * (1 + confidence) / 2, axis=0)
    return lo, hi


def _check_boot(n_boot, func):
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"{func}: expected a non-negative integer n_boot, got {n_boot!r}")


def _rank_desc(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).rank(ascending=False, method="min").to_numpy(dtype=int)


def relative_importance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    n_boot: int = 500,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Relative importance of drivers (LMG / Shapley decomposition of R²) with bootstrap CIs.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        Numeric outcome column.
    drivers : list of str
        2 to 12 numeric driver columns.
    n_boot : int, default 500
        Bootstrap resamples for the percentile CIs (0: no CIs).
    seed : int, optional
        Seed of the bootstrap.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per driver, sorted by importance: ``outcome, driver, beta, relimp,
        relimp_ci_low, relimp_ci_high, share, rank, r2, r2_ci_low, r2_ci_high, n``.
        ``beta`` standardized OLS coefficient; ``relimp`` the driver's part of R² (the parts
        sum to ``r2``); ``share = relimp / r2``; ``rank`` 1 = most important; ``n`` complete
        rows (listwise deletion on outcome + drivers).

    Notes
    -----
    LMG (Lindeman, Merenda & Gold 1980; Grömping 2006, *J. Stat. Softw.* 17(1)): the increase
    in R² from adding driver j, averaged over all orderings of the drivers -- equivalently
    :math:`\\sum_{S \\not\\ni j} \\frac{1}{p\\binom{p-1}{|S|}}(R^2_{S\\cup j}-R^2_S)` (Shapley value).
    Point estimates: ``pingouin.linear_regression(relimp=True)``. Bootstrap: rows resampled,
    R² of every subset computed from the resample's correlation matrix
    (:math:`R^2_S = r_{yS}^\\top R_{SS}^{-1} r_{yS}`), all resamples at once; percentile
    intervals. Weights are not supported (pingouin's relimp has no weights).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cem_research.stats import relative_importance
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(200, 3)), columns=["x1", "x2", "x3"])
    >>> df["y"] = 2 * df.x1 + df.x2 + rng.normal(size=200)
    >>> relative_importance(df, "y", ["x1", "x2", "x3"], n_boot=50)["driver"].tolist()
    ['x1', 'x2', 'x3']
    """
    _check_confidence(confidence, "relative_importance")
    _check_boot(n_boot, "relative_importance")
    drivers_l, z = _driver_frame(data, outcome, drivers, "relative_importance", _MAX_LMG_DRIVERS)
    n = z.shape[0]
    lr = pg.linear_regression(z[:, 1:], z[:, 0], relimp=True)
    lr = lr.iloc[1:]  # drop the intercept row
    relimp = lr["relimp"].to_numpy(dtype=float)
    r2 = float(lr["r2"].iloc[0])
    sd = z.std(axis=0, ddof=1)
    beta = lr["coef"].to_numpy(dtype=float) * sd[1:] / sd[0]
    p = len(drivers_l)
    if n_boot > 0:
        boots, r2s = lmg_from_corr(boot_corr_all(z, n_boot, seed))
        lo, hi = _percentile_ci(boots, confidence)
        r2lo, r2hi = _percentile_ci(r2s[:, None], confidence)
        r2lo, r2hi = float(r2lo[0]), float(r2hi[0])
    else:
        lo = hi = np.full(p, np.nan)
        r2lo = r2hi = np.nan
    out = pd.DataFrame({"outcome": outcome, "driver": drivers_l, "beta": beta, "relimp": relimp,
                        "relimp_ci_low": lo, "relimp_ci_high": hi, "share": relimp / r2,
                        "rank": _rank_desc(relimp), "r2": r2, "r2_ci_low": r2lo, "r2_ci_high": r2hi, "n": n})
    return out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)


def _johnson_from_corr(R: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Johnson relative weights (b, p), R^2 (b,) and standardized betas (b, p) from stacked R."""
    ok = np.isfinite(R).all(axis=(1, 2))
    q = R.shape[1]
    Rg = np.where(ok[:, None, None], R, np.eye(q))
    Rxx, rxy = Rg[:, 1:, 1:], Rg[:, 1:, 0]
    vals, vecs = np.linalg.eigh(Rxx)
    lam = (vecs * np.sqrt(np.clip(vals, 0, None))[:, None, :]) @ np.swapaxes(vecs, 1, 2)  # Rxx^(1/2)
    bz = np.linalg.solve(lam, rxy[:, :, None])[:, :, 0]  # regress y on the orthogonal Z's
    raw = (lam**2) @ (bz**2)[:, :, None]
    raw = raw[:, :, 0]
    beta = np.linalg.solve(Rxx, rxy[:, :, None])[:, :, 0]
    r2 = raw.sum(axis=1)
    raw[~ok], r2[~ok], beta[~ok] = np.nan, np.nan, np.nan
    return raw, r2, beta


def relative_weights(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    n_boot: int = 500,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Johnson's (2000) relative weights of drivers with bootstrap CIs.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        Numeric outcome column.
    drivers : list of str
        At least 2 numeric driver columns (no upper limit).
    n_boot : int, default 500
        Bootstrap resamples (0: no CIs).
    seed : int, optional
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per driver, sorted by importance: ``outcome, driver, beta, raw_weight,
        raw_weight_ci_low, raw_weight_ci_high, share, rank, r2, r2_ci_low, r2_ci_high, n``.
        Raw weights sum to ``r2``; ``share = raw_weight / r2``.

    Notes
    -----
    With :math:`R_{xx} = V\\Lambda V^\\top`, :math:`\\Lambda^* = R_{xx}^{1/2} = V\\Lambda^{1/2}V^\\top`
    (loadings of the drivers on their closest orthogonal counterparts Z),
    :math:`\\beta^* = \\Lambda^{*-1} r_{xy}` (regression of y on Z) and
    :math:`\\epsilon_j = \\sum_k \\lambda^{*2}_{jk}\\beta^{*2}_k`. Johnson, J. W. (2000). A
    heuristic method for estimating the relative weight of predictor variables in multiple
    regression. *Multivariate Behavioral Research*, 35, 1-19. Close to LMG in practice and
    cheap for many drivers. Percentile bootstrap over rows (vectorized). Weights not supported.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cem_research.stats import relative_weights
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(200, 3)), columns=["x1", "x2", "x3"])
    >>> df["y"] = 2 * df.x1 + df.x2 + rng.normal(size=200)
    >>> out = relative_weights(df, "y", ["x1", "x2", "x3"], n_boot=50)
    >>> bool(np.isclose(out["raw_weight"].sum(), out["r2"].iloc[0]))
    True
    """
    _check_confidence(confidence, "relative_weights")
    _check_boot(n_boot, "relative_weights")
    drivers_l, z = _driver_frame(data, outcome, drivers, "relative_weights")
    n, p = z.shape[0], len(drivers_l)
    R = np.corrcoef(z, rowvar=False)[None]
    raw, r2, beta = (a[0] for a in _johnson_from_corr(R))
    r2 = float(r2)
    if n_boot > 0:
        boots, r2s, _ = _johnson_from_corr(boot_corr_all(z, n_boot, seed))
        lo, hi = _percentile_ci(boots, confidence)
        r2lo, r2hi = _percentile_ci(r2s[:, None], confidence)
        r2lo, r2hi = float(r2lo[0]), float(r2hi[0])
    else:
        lo = hi = np.full(p, np.nan)
        r2lo = r2hi = np.nan
    out = pd.DataFrame({"outcome": outcome, "driver": drivers_l, "beta": beta, "raw_weight": raw,
                        "raw_weight_ci_low": lo, "raw_weight_ci_high": hi, "share": raw / r2,
                        "rank": _rank_desc(raw), "r2": r2, "r2_ci_low": r2lo, "r2_ci_high": r2hi, "n": n})
    return out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)


def driver_agreement(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Compare the driver rankings of two importance tables (e.g. LMG vs relative weights).

    Parameters
    ----------
    a, b : pandas.DataFrame
        Outputs of :func:`relative_importance` / :func:`relative_weights` (or any frames with
        ``driver`` and ``rank`` columns, one row per driver, same drivers).

    Returns
    -------
    pandas.DataFrame
        One row per driver (ordered by ``rank_a``): ``driver, rank_a, rank_b, rank_diff,
        share_a, share_b, disagree, spearman_rho``; ``rank_diff = rank_b - rank_a``;
        ``disagree`` True where the two ranks differ; ``spearman_rho`` (same on every row) the
        Spearman correlation of the two rankings (``share_*`` NaN when absent).

    Notes
    -----
    Spearman's rho via ``scipy.stats.spearmanr`` on the ranks (NaN with fewer than 3 drivers
    or a constant ranking). Weights do not apply.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import driver_agreement
    >>> a = pd.DataFrame({"driver": ["x", "y", "z"], "rank": [1, 2, 3]})
    >>> b = pd.DataFrame({"driver": ["x", "y", "z"], "rank": [2, 1, 3]})
    >>> driver_agreement(a, b)["disagree"].tolist()
    [True, True, False]
    """
    for nm, f in (("a", a), ("b", b)):
        _check_frame(f, ["driver", "rank"], f"driver_agreement ({nm})")
        if f["driver"].duplicated().any():
            raise ValueError(f"driver_agreement: expected one row per driver in `{nm}` (filter to one outcome)")
    if set(a["driver"]) != set(b["driver"]):
        raise ValueError(
            "driver_agreement: expected the same drivers in both frames, "
            f"got {sorted(a['driver'])} and {sorted(b['driver'])}"
        )
    left = a[["driver", "rank"]].assign(share=a["share"] if "share" in a else np.nan)
    right = b[["driver", "rank"]].assign(share=b["share"] if "share" in b else np.nan)
    m = left.merge(right, on="driver", suffixes=("_a", "_b"))
    m = m.sort_values(["rank_a", "rank_b"], kind="stable").reset_index(drop=True)
    m["rank_diff"] = m["rank_b"] - m["rank_a"]
    m["disagree"] = (m["rank_a"] != m["rank_b"]).astype(bool)
    if len(m) >= 3 and m["rank_a"].nunique() > 1 and m["rank_b"].nunique() > 1:
        rho = float(sps.spearmanr(m["rank_a"], m["rank_b"]).statistic)
    else:
        rho = np.nan
    m["spearman_rho"] = rho
    return m[["driver", "rank_a", "rank_b", "rank_diff", "share_a", "share_b", "disagree", "spearman_rho"]]


_QUADRANT_ORDER = ["Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"]


def importance_performance(data: pd.DataFrame, importance: str, performance: str, label: str) -> pd.DataFrame:
    """Importance-performance analysis (IPA): quadrant and improvement priority per element.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per element (attribute, driver, touchpoint).
    importance, performance : str
        Numeric columns (e.g. relative-importance share and mean rating).
    label : str
        Column naming the element (unique).

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``quadrant``, ``importance_split``, ``performance_split``,
        ``gap``, ``priority_score`` and ``priority`` (1 = fix first), sorted by priority.

    Notes
    -----
    Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing*, 41(1), 77-79. The grid is split at the means of importance and performance
    (data-centred crosshair); a value equal to the mean counts as high.
    Quadrants: "Concentrate here" (high importance, low performance), "Keep up the good work"
    (high, high), "Low priority" (low, low), "Possible overkill" (low importance, high
    performance). ``gap = max(performance) - performance``; ``priority_score = importance x
    gap``. Priority rule: quadrants in the order Concentrate here, Keep up the good work, Low
    priority, Possible overkill; within a quadrant by descending ``priority_score``, then by
    descending importance. Weights do not apply (one row per element).

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import importance_performance
    >>> df = pd.DataFrame({"el": ["a", "b", "c", "d"], "imp": [0.4, 0.4, 0.1, 0.1], "perf": [3, 6, 3, 6]})
    >>> importance_performance(df, "imp", "perf", "el")[["el", "quadrant"]].values.tolist()[0]
    ['a', 'Concentrate here']
    """
    _check_frame(data, [importance, performance, label], "importance_performance")
    _check_numeric(data, [importance, performance], "importance_performance")
    if data[label].duplicated().any():
        raise ValueError(f"importance_performance: expected unique labels in {label!r}")
    if data[[importance, performance]].isna().any().any():
        raise ValueError("importance_performance: expected no missing importance or performance values")
    if len(data) < 2:
        raise ValueError("importance_performance: expected at least 2 elements")
    out = data.reset_index(drop=True)
    imp = out[importance].astype(float)
    perf = out[performance].astype(float)
    isplit, psplit = float(imp.mean()), float(perf.mean())
    tol = 1e-12 * max(1.0, abs(isplit), abs(psplit))
    hi_imp = imp >= isplit - tol
    hi_perf = perf >= psplit - tol
    quad = np.select(
        [hi_imp & ~hi_perf, hi_imp & hi_perf, ~hi_imp & ~hi_perf],
        _QUADRANT_ORDER[:3],
        default=_QUADRANT_ORDER[3],
    )
    out["quadrant"] = pd.Categorical(quad, categories=_QUADRANT_ORDER, ordered=True)
    out["importance_split"] = isplit
    out["performance_split"] = psplit
    out["gap"] = float(perf.max()) - perf
    out["priority_score"] = imp * out["gap"]
    order = out.assign(__q=out["quadrant"].cat.codes, __s=-out["priority_score"], __i=-imp).sort_values(
        ["__q", "__s", "__i"], kind="stable"
    )
    out.loc[order.index, "priority"] = np.arange(1, len(out) + 1)
    out["priority"] = out["priority"].astype(int)
    return out.sort_values("priority").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# agreement between coders
# ---------------------------------------------------------------------------------------------


def cohen_kappa(a, b, confidence: float = 0.95) -> pd.DataFrame:
    """Cohen's kappa for two raters' nominal codes, with an asymptotic CI.

    Parameters
    ----------
    a, b : array-like or pandas.Series
        Codes of rater A and rater B for the same units (same length); pairs with a missing
        code are dropped.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row: ``n, k, po, pe, kappa, se, ci_low, ci_high`` (``k`` categories used,
        ``po`` observed and ``pe`` chance agreement).

    Notes
    -----
    :math:`\\kappa = (p_o - p_e)/(1 - p_e)`, :math:`p_e = \\sum_i p_{i\\cdot}p_{\\cdot i}`
    (Cohen 1960, *Educ. Psychol. Meas.*, 20, 37-46). Standard error of Fleiss, Cohen & Everitt
    (1969, *Psychol. Bull.*, 72, 323-327):
    :math:`\\widehat{Var} = \\frac{A + B - C}{n(1-p_e)^2}`, with
    :math:`A = \\sum_i p_{ii}[1-(p_{i\\cdot}+p_{\\cdot i})(1-\\kappa)]^2`,
    :math:`B = (1-\\kappa)^2\\sum_{i\\ne j}p_{ij}(p_{\\cdot i}+p_{j\\cdot})^2`,
    :math:`C = [\\kappa - p_e(1-\\kappa)]^2`; normal CI clipped to [-1, 1]. Weights not supported.

    Examples
    --------
    >>> from cem_research.stats import cohen_kappa
    >>> a = ["y"] * 25 + ["n"] * 25
    >>> b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    >>> round(float(cohen_kappa(a, b)["kappa"].iloc[0]), 3)
    0.4
    """
    _check_confidence(confidence, "cohen_kappa")
    sa = pd.Series(np.asarray(a, dtype=object))
    sb = pd.Series(np.asarray(b, dtype=object))
    if sa.ndim != 1 or len(sa) != len(sb):
        raise ValueError(f"cohen_kappa: expected two 1-d code sequences of equal length, got {len(sa)} and {len(sb)}")
    keep = sa.notna() & sb.notna()
    sa, sb = sa[keep], sb[keep]
    n = len(sa)
    if n < 2:
        raise ValueError(f"cohen_kappa: expected at least 2 units coded by both raters, got {n}")
    cats = list(pd.unique(pd.concat([sa, sb], ignore_index=True)))
    ia = pd.Categorical(sa, categories=cats).codes
    ib = pd.Categorical(sb, categories=cats).codes
    k = len(cats)
    table = np.zeros((k, k))
    np.add.at(table, (ia, ib), 1)
    p = table / n
    pr, pc = p.sum(axis=1), p.sum(axis=0)
    po = float(np.trace(p))
    pe = float(pr @ pc)
    if pe >= 1:
        kappa = se = lo = hi = np.nan
    else:
        kappa = (po - pe) / (1 - pe)
        diag = np.diag(p)
        A = float(np.sum(diag * (1 - (pr + pc) * (1 - kappa)) ** 2))
        off = ~np.eye(k, dtype=bool)
        B = float((1 - kappa) ** 2 * np.sum((p * (pc[:, None] + pr[None, :]) ** 2)[off]))
        C = float((kappa - pe * (1 - kappa)) ** 2)
        se = math.sqrt(max(A + B - C, 0.0) / (n * (1 - pe) ** 2))
        z = _zcrit(confidence)
        lo, hi = max(-1.0, kappa - z * se), min(1.0, kappa + z * se)
    return pd.DataFrame([{"n": n, "k": k, "po": po, "pe": pe, "kappa": kappa, "se": se,
                          "ci_low": lo, "ci_high": hi}])


def _kripp_alpha_from_coincidence(o: np.ndarray) -> np.ndarray:
    """Nominal alpha from stacked coincidence matrices (b, c, c)."""
    nc = o.sum(axis=2)
    n = nc.sum(axis=1)
    d_o = n - np.einsum("bii->b", o)
    d_e = (n**2 - np.sum(nc**2, axis=1)) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d_e > 0, 1 - d_o / d_e, np.nan)


def krippendorff_alpha_nominal(
    codes_frame: pd.DataFrame, n_boot: int = 500, seed: int | None = 0, confidence: float = 0.95
) -> pd.DataFrame:
    """Krippendorff's alpha for nominal codes (2 or more coders, missing codes allowed).

    Parameters
    ----------
    codes_frame : pandas.DataFrame
        One row per unit, one column per coder; NaN where a coder did not code the unit.
    n_boot : int, default 500
        Bootstrap resamples of units for the percentile CI (0: no CI).
    seed : int, optional
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row: ``n_units, n_coders, n_values, alpha, ci_low, ci_high`` where ``n_units``
        counts pairable units (coded by at least 2 coders) and ``n_values`` the codes in them.
        ``alpha`` is NaN when all pairable codes are identical (no variation).

    Notes
    -----
    Coincidence matrix :math:`o_{ck} = \\sum_u \\frac{\\#(c,k \\text{ pairs in } u)}{m_u - 1}`,
    :math:`n_c = \\sum_k o_{ck}`, :math:`n = \\sum_c n_c`;
    :math:`\\alpha = 1 - (n-1)\\frac{\\sum_{c \\ne k} o_{ck}}{\\sum_{c \\ne k} n_c n_k}`
    (Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School,
    U. Pennsylvania; *Content Analysis*, 2004, ch. 11). The CI resamples units (percentile
    bootstrap), a simpler scheme than Krippendorff's own. Weights not supported.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import krippendorff_alpha_nominal
    >>> codes = pd.DataFrame({"c1": list("aabbcc"), "c2": list("aabbca")})
    >>> round(float(krippendorff_alpha_nominal(codes, n_boot=0)["alpha"].iloc[0]), 3)
    0.766
    """
    if not isinstance(codes_frame, pd.DataFrame):
        raise ValueError(
            f"krippendorff_alpha_nominal: expected a DataFrame (units x coders), got {type(codes_frame).__name__}"
        )
    if codes_frame.shape[1] < 2:
        raise ValueError(f"krippendorff_alpha_nominal: expected at least 2 coder columns, got {codes_frame.shape[1]}")
    _check_confidence(confidence, "krippendorff_alpha_nominal")
    _check_boot(n_boot, "krippendorff_alpha_nominal")
    frame = codes_frame.reset_index(drop=True)
    long = frame.melt(ignore_index=False)["value"].dropna()  # index = unit position
    upos = long.index.to_numpy()
    inv, cats = pd.factorize(long.to_numpy())
    c = len(cats)
    counts = np.zeros((len(frame), max(c, 1)))
    if c:
        np.add.at(counts, (upos, inv), 1)
    m = counts.sum(axis=1)
    pair = m >= 2
    counts, m = counts[pair], m[pair]
    n_units = int(pair.sum())
    if n_units < 1:
        raise ValueError("krippendorff_alpha_nominal: expected at least one unit coded by 2 or more coders")
    # per-unit coincidence matrices, flattened: (n_u c_u c_k - delta n_u c) / (m_u - 1)
    ou = (counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(counts.shape[1])[None]) / (
        m - 1
    )[:, None, None]
    flat = ou.reshape(n_units, -1)
    cc = counts.shape[1]
    alpha = float(_kripp_alpha_from_coincidence(flat.sum(axis=0).reshape(1, cc, cc))[0])
    lo = hi = np.nan
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n_units, size=(n_boot, n_units))
        w = np.bincount((idx + (np.arange(n_boot) * n_units)[:, None]).ravel(), minlength=n_boot * n_units)
        w = w.reshape(n_boot, n_units).astype(float)
        boot = _kripp_alpha_from_coincidence((w @ flat).reshape(n_boot, cc, cc))
        lo_a, hi_a = _percentile_ci(boot[:, None], confidence)
        lo, hi = float(lo_a[0]), float(hi_a[0])
    return pd.DataFrame([{"n_units": n_units, "n_coders": codes_frame.shape[1], "n_values": int(m.sum()),
                          "alpha": alpha, "ci_low": lo, "ci_high": hi}])
