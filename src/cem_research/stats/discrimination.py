"""How well a score tells two groups apart: ROC AUC with a percentile bootstrap interval.

Used to validate stated loyalty against behaviour (does likelihood to recommend tell the customers
who left from those who stayed?).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research.stats.common import check_boot, check_confidence, check_frame, percentile_ci

__all__ = ["roc_auc", "auc_ci"]


def roc_auc(y, score) -> float:
    """Area under the ROC curve of ``score`` for the binary outcome ``y``.

    Parameters
    ----------
    y : array-like of 0/1
        The outcome (1 = the event, e.g. churned).
    score : array-like of float
        Higher scores should mean the event is more likely.

    Returns
    -------
    float
        The probability that a random case with ``y = 1`` scores higher than a random case with
        ``y = 0`` (ties count half); NaN when one class is absent.

    Notes
    -----
    Computed as the Mann-Whitney U statistic of the scores of the two classes divided by
    ``n1 * n0`` (Hanley & McNeil 1982; rank-sum form with midranks for ties, as
    ``scipy.stats.mannwhitneyu``), which equals scikit-learn's ``roc_auc_score``.

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    return float(_auc_rows(np.asarray(y, dtype=float)[None, :], np.asarray(score, dtype=float)[None, :])[0])


def _auc_rows(y: np.ndarray, s: np.ndarray) -> np.ndarray:
    """AUC of every row of ``s`` (2-D) for the 0/1 rows of ``y``: the rank-sum form of the Mann-Whitney U
    (midranks for ties), NaN for a row holding one class only."""
    ranks = sps.rankdata(s, axis=1)
    n1 = y.sum(axis=1)
    n0 = y.shape[1] - n1
    u = (ranks * y).sum(axis=1) - n1 * (n1 + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((n1 > 0) & (n0 > 0), u / (n1 * n0), np.nan)


def auc_ci(data: pd.DataFrame, outcome: str, score: str, n_boot: int = 400, seed: int = 2003,
           confidence: float = 0.95, higher_means_event: bool = True) -> pd.DataFrame:
    """ROC AUC of ``score`` for ``outcome`` with a percentile bootstrap interval.

    Parameters
    ----------
    data : DataFrame
    outcome : str
        Column of 0/1 (rows where it or ``score`` is missing are left out).
    score : str
        Column of the predicting score.
    n_boot : int, default 400
        Bootstrap resamples of the rows (resamples holding one class only are skipped).  Resample
        ``b`` is row ``b`` of ``default_rng(seed).integers(0, n, (n_boot, n))``, so a plain loop
        over those rows gives the same interval.
    seed : int, default 2003
    confidence : float, default 0.95
    higher_means_event : bool, default True
        ``False`` when a high score should mean the event is *less* likely (likelihood to
        recommend for churn): the score is negated, so 0.5 is chance and 1 perfect either way.

    Returns
    -------
    DataFrame
        One row: ``n, n_event, auc, ci_low, ci_high``.

    Examples
    --------
    >>> df = pd.DataFrame({"left": [0, 0, 1, 1, 0, 1], "ltr": [9, 8, 3, 5, 10, 9]})
    >>> auc_ci(df, "left", "ltr", n_boot=50, higher_means_event=False)[["n", "n_event", "auc"]].round(3)
       n  n_event    auc
    0  6        3  0.833
    """
    check_frame(data, [outcome, score], "auc_ci")
    check_confidence(confidence, "auc_ci")
    check_boot(n_boot, "auc_ci")
    d = data[[outcome, score]].astype(float).dropna()
    if not d[outcome].isin([0, 1]).all():
        raise ValueError(f"auc_ci: expected 0/1 in column {outcome!r}")
    y = d[outcome].to_numpy()
    s = d[score].to_numpy() * (1 if higher_means_event else -1)
    auc = roc_auc(y, s)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), (int(n_boot), len(y)))   # row b = resample b, drawn in order
    boot = _auc_rows(y[idx], s[idx]) if n_boot else np.array([])
    boot = boot[~np.isnan(boot)]                           # resamples holding one class only
    lo, hi = percentile_ci(boot, confidence) if len(boot) else (np.nan, np.nan)
    return pd.DataFrame([{"n": len(y), "n_event": int(y.sum()), "auc": auc, "ci_low": float(lo),
                          "ci_high": float(hi)}])
