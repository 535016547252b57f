"""How well a score ranks what customers did: ROC AUC for a 0/1 outcome and the concordance index
(Harrell's C) for a count or an amount, each with a percentile bootstrap interval.

Used to validate stated loyalty against behaviour (does likelihood to recommend tell the customers
who left from those who stayed, and those who referred many friends from those who referred few?).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research.stats.common import check_boot, check_confidence, check_frame, percentile_ci

__all__ = ["roc_auc", "auc_ci", "concordance", "concordance_ci"]


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


def _concordance_test(score: np.ndarray, outcome: np.ndarray) -> tuple[float, float]:
    """Harrell's C of ``score`` for ``outcome`` and the two-sided p-value of Kendall's tau-b = 0."""
    n = len(score)
    if n < 2:
        return np.nan, np.nan
    res = sps.kendalltau(score, outcome, variant="b")
    n0 = n * (n - 1) / 2

    def tied(v):
        c = np.unique(v, return_counts=True)[1].astype(float)
        return float((c * (c - 1) / 2).sum())

    untied_x, untied_y = n0 - tied(score), n0 - tied(outcome)
    if untied_y <= 0 or untied_x <= 0 or np.isnan(res.statistic):
        # every score tied: each pair untied on the outcome counts half
        return (0.5 if untied_y > 0 else np.nan), np.nan
    somers_d = float(res.statistic) * np.sqrt(untied_x / untied_y)   # Somers' D of the score given the outcome
    return (somers_d + 1) / 2, float(res.pvalue)


def concordance(score, outcome) -> float:
    """Harrell's concordance index C of ``score`` for an ordered ``outcome`` (a count, an amount).

    Parameters
    ----------
    score : array-like of float
        The predicting score (higher = more of the outcome expected).
    outcome : array-like of float
        What happened: referrals made, spend ...

    Returns
    -------
    float
        Of two customers whose outcomes differ, the probability that the one with the higher score did
        more (pairs tied on the score count half; pairs tied on the outcome are left out).  0.5 is
        chance, 1 a perfect ranking; NaN when every outcome is tied.  For a 0/1 outcome C equals the
        ROC AUC (:func:`roc_auc`).

    Notes
    -----
    C = (D + 1) / 2 with Somers' D of the score given the outcome (Harrell, Califf, Pryor, Lee & Rosati
    1982; Newson 2002), ``scipy.stats.somersd(outcome, score).statistic``.  Computed in O(n log n) from
    Kendall's tau-b (``scipy.stats.kendalltau``): D = tau_b * sqrt(untied_score / untied_outcome), the
    counts of pairs not tied on each variable.

    Examples
    --------
    >>> concordance([1, 2, 3, 4], [0, 1, 1, 5])
    1.0
    >>> concordance([4, 3, 2, 1], [0, 1, 1, 5])
    0.0
    >>> round(concordance([1, 2, 2, 4], [0, 3, 1, 5]), 3)
    0.917
    """
    x = np.asarray(score, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"concordance: score and outcome differ in length ({x.size} vs {y.size})")
    return float(_concordance_test(x, y)[0])


def concordance_ci(data: pd.DataFrame, outcome: str, score: str, n_boot: int = 400, seed: int = 2003,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Harrell's C of ``score`` for a count or amount ``outcome``, with a percentile bootstrap interval
    and the p-value of no association.

    Parameters
    ----------
    data : DataFrame
    outcome : str
        Column of what customers did (rows where it or ``score`` is missing are left out).
    score : str
        Column of the predicting score (higher = more expected).
    n_boot : int, default 400
        Bootstrap resamples of the rows; resample ``b`` is row ``b`` of
        ``default_rng(seed).integers(0, n, (n_boot, n))`` (as :func:`auc_ci`), so a plain loop over those
        rows gives the same interval.  Resamples whose outcomes are all tied are skipped.
    seed : int, default 2003
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        One row: ``n, n_nonzero`` (rows with an outcome above 0), ``c``, ``ci_low, ci_high``, ``p_unc``
        (two-sided test of Kendall's tau-b = 0, the same null as C = 0.5; ``scipy.stats.kendalltau``).

    Notes
    -----
    Why C rather than Spearman's rho: C is on the same footing as the ROC AUC the binary behaviours get
    (it *is* the AUC for a 0/1 outcome), reads as a probability ("the customer who said more did more,
    in 62% of pairs"), and ignores how far apart the amounts are, so a few big spenders do not dominate
    it.  Spearman's rho answers a related question on a correlation scale that cannot be set beside an AUC.

    Examples
    --------
    >>> df = pd.DataFrame({"ltr": [2, 5, 7, 9, 10, 8], "referrals": [0, 0, 1, 2, 3, 0]})
    >>> concordance_ci(df, "referrals", "ltr", n_boot=50)[["n", "n_nonzero", "c"]].round(3)
       n  n_nonzero      c
    0  6          3  0.917
    """
    check_frame(data, [outcome, score], "concordance_ci")
    check_confidence(confidence, "concordance_ci")
    check_boot(n_boot, "concordance_ci")
    d = data[[outcome, score]].astype(float).dropna()
    y = d[outcome].to_numpy()
    s = d[score].to_numpy()
    c, p = _concordance_test(s, y)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), (int(n_boot), len(y)))
    boot = np.array([_concordance_test(s[i], y[i])[0] for i in idx]) if n_boot and len(y) else np.array([])
    boot = boot[~np.isnan(boot)]
    lo, hi = percentile_ci(boot, confidence) if len(boot) else (np.nan, np.nan)
    return pd.DataFrame([{"n": len(y), "n_nonzero": int((y > 0).sum()), "c": c, "ci_low": float(lo),
                          "ci_high": float(hi), "p_unc": p}])
