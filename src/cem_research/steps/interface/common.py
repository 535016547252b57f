"""Shared pieces of step 4: scale, thresholds, small statistics and fast frame helpers.

Everything here is used by more than one section of :mod:`cem_research.steps.interface` (and a
few names by other steps: :func:`main_outcome`, :func:`compare_quietly`, :func:`level_key`,
:func:`level_order`, :func:`poor_threshold`, :func:`touchpoint_scale`).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.client.data import memoize
from cem_research.present.narrative import INTERFACE_LABELS  # reader's names of the interface kinds

STEP = 4

#: VADER convention: a compound score at or below this is negative (Hutto & Gilbert 2014).
NEGATIVE = -0.05
#: Skip reason of every touchpoint section for a client without touchpoint events.
NO_TOUCHPOINTS = "the client supplies no touchpoint events (a touchpoints file in client.yaml)"

__all__ = [
    "STEP", "INTERFACE_LABELS", "NEGATIVE", "NO_TOUCHPOINTS", "main_outcome", "touchpoint_scale",
    "poor_threshold", "key_cols", "memo", "shared", "isin", "map_order", "merge_unique", "has",
    "group_ids", "joined_by", "compare_quietly", "diff_proportions", "level_key", "level_order",
]


# ---------------------------------------------------------------------------------------------
# the client's definitions
# ---------------------------------------------------------------------------------------------


def main_outcome(cfg) -> str | None:
    """The client's main outcome (``ClientConfig.main_outcome``), on which every headline is stated.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    str or None
        The declared ``main_outcome:``, else the first outcome, else the NPS construct, else ``None``.
        Inside a section prefer ``data.main_outcome`` (the same value).
    """
    return cfg.main_outcome


def touchpoint_scale(cfg) -> tuple[float, float]:
    """The response scale of the touchpoint ratings.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    tuple of float
        ``(low, high)`` from ``touchpoints: scale:`` in client.yaml; ``(1.0, 5.0)`` by default.
    """
    spec = cfg.touchpoints
    lo, hi = (spec.options.get("scale", [1, 5]) if spec is not None else [1, 5])
    return float(lo), float(hi)


def poor_threshold(cfg) -> float:
    """Highest touchpoint rating that counts as a poor (not satisfied) experience: the scale midpoint.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    float
        ``lo + (hi - lo) / 2``: 3 on a 1-5 scale (1-3 = poor, 4-5 = good), 5.5 on 1-10 (1-5 poor).

    Notes
    -----
    A stricter cut (1-2 on 1-5) leaves most touchpoints with too few poor experiences to estimate
    their importance; the midpoint separates "satisfied" from "not satisfied" (top-two-box logic).
    """
    lo, hi = touchpoint_scale(cfg)
    return lo + (hi - lo) / 2


def key_cols(tp: pd.DataFrame) -> list[str]:
    """The columns that identify a customer in the touchpoint events.

    Parameters
    ----------
    tp : DataFrame
        Touchpoint events.

    Returns
    -------
    list of str
        ``["respondent", "wave"]`` when the events carry a wave, else ``["respondent"]``.
    """
    return ["respondent", "wave"] if "wave" in tp.columns else ["respondent"]


def has(tp: pd.DataFrame | None, col: str) -> bool:
    """Whether ``tp`` has column ``col`` with at least one value.

    Parameters
    ----------
    tp : DataFrame or None
    col : str

    Returns
    -------
    bool
    """
    return tp is not None and col in tp.columns and tp[col].notna().any()


# ---------------------------------------------------------------------------------------------
# memoised frames
# ---------------------------------------------------------------------------------------------
# The joined and sorted events (and a few frames derived from them) are needed by most analyses of
# the step, and building them dominates the run time of large clients: they are computed once per
# data object (:func:`cem_research.client.data.memoize`); callers get shallow (copy-on-write)
# copies and never modify them in place.


def memo(data, name: str, compute: Callable):
    """``compute()``, once per data object and ``name`` (the step's memo namespace).

    Parameters
    ----------
    data : ClientData
    name : str
        Names the result within step 4.
    compute : callable
        Builds the result.

    Returns
    -------
    object
        The shared result: callers must not modify it (see :func:`shared`).
    """
    return memoize(data, ("interface", name), compute)


def shared(frame):
    """A memoised frame for the caller: a shallow (copy-on-write) copy; ``None`` stays ``None``.

    Parameters
    ----------
    frame : DataFrame or None

    Returns
    -------
    DataFrame or None
    """
    return None if frame is None else frame.copy(deep=False)


# ---------------------------------------------------------------------------------------------
# fast frame helpers
# ---------------------------------------------------------------------------------------------


def isin(values: pd.Series, allowed) -> np.ndarray:
    """``values.isin(set(allowed))`` as a boolean array, without pandas' per-value loop for strings.

    Parameters
    ----------
    values : Series
    allowed : array-like

    Returns
    -------
    ndarray of bool
        Both sides are factorised together (missing values match missing values, as in ``isin``).
    """
    allowed = pd.Series(allowed)
    if len(values) == 0 or len(allowed) == 0:
        return np.zeros(len(values), dtype=bool)
    codes, _ = pd.factorize(pd.concat([pd.Series(values.array), pd.Series(allowed.array)], ignore_index=True),
                            use_na_sentinel=False)
    n = len(values)
    return np.isin(codes[:n], codes[n:])


def map_order(values: pd.Series, order: dict) -> pd.Series:
    """``values.map(order)`` for a dict of positions, looked up once per distinct value.

    Parameters
    ----------
    values : Series
    order : dict
        Value -> position.

    Returns
    -------
    Series
        Like ``map``: int64 when every value is found, else float64 with NaN for the others.
    """
    codes, uniques = pd.factorize(values)
    pos = np.array([order.get(u, -1) for u in uniques] + [-1], dtype=np.int64)[codes]
    found = pos >= 0
    if found.all():
        return pd.Series(pos, index=values.index, name=values.name)
    return pd.Series(np.where(found, pos, np.nan), index=values.index, name=values.name)


def merge_unique(left: pd.DataFrame, right: pd.DataFrame, keys: list[str], how: str = "inner") -> pd.DataFrame:
    """``left.merge(right, on=keys, how=how)`` (``how`` inner or left) by row positions.

    Parameters
    ----------
    left, right : DataFrame
    keys : list of str
    how : {"inner", "left"}

    Returns
    -------
    DataFrame
        The same frame as ``merge``.

    Notes
    -----
    Fast path for a ``right`` with unique keys, the same key dtypes on both sides and no other
    shared column (and, for a left join, every left row matched): the left rows with a match, in
    their order, next to their ``right`` row.  Anything else goes to ``merge``.
    """
    other = [c for c in right.columns if c not in keys]
    if (how not in ("inner", "left") or not right.columns.is_unique or not left.columns.is_unique
            or set(other) & set(left.columns) or any(left[k].dtype != right[k].dtype for k in keys)):
        return left.merge(right, on=keys, how=how)
    n = len(left)
    code = np.zeros(n + len(right), dtype=np.int64)
    for k in keys:  # joint codes of the key tuples (missing keys match each other, as in merge)
        c, u = pd.factorize(pd.concat([left[k], right[k]], ignore_index=True), use_na_sentinel=False)
        code = pd.factorize(code * max(len(u), 1) + c)[0].astype(np.int64)
    lc, rc = code[:n], code[n:]
    if pd.Series(rc).duplicated().any():
        return left.merge(right, on=keys, how=how)
    pos = np.full(int(code.max()) + 1 if len(code) else 0, -1, dtype=np.int64)
    pos[rc] = np.arange(len(right))
    idx = pos[lc]
    hit = idx >= 0
    if how == "left" and not hit.all():
        return left.merge(right, on=keys, how=how)
    if not hit.all():
        left = left[hit]
    return pd.concat([left.reset_index(drop=True), right[other].iloc[idx[hit]].reset_index(drop=True)], axis=1)


def group_ids(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Group number of each row in ``frame.groupby(keys, sort=False)``.

    Parameters
    ----------
    frame : DataFrame
    keys : list of str

    Returns
    -------
    ndarray of int64
        Groups numbered in order of first appearance; -1 for rows with a missing key (dropped by
        ``groupby``).
    """
    codes = None
    for key in keys:
        c, uniques = pd.factorize(frame[key])
        c = c.astype(np.int64)
        codes = c if codes is None else np.where((codes < 0) | (c < 0), -1, codes * len(uniques) + c)
    if len(keys) > 1:
        valid = codes >= 0
        codes[valid] = pd.factorize(codes[valid])[0]
    return codes


def _joined(values: pd.Series) -> str:
    vals = sorted({str(v) for v in values.dropna()})
    return ", ".join(vals)


def joined_by(frame: pd.DataFrame, by: str, col: str, codes: np.ndarray | None = None,
              labels=None) -> pd.Series:
    """The distinct values of ``col`` per level of ``by``, sorted and joined by ", ".

    Parameters
    ----------
    frame : DataFrame
    by, col : str
    codes, labels : optional
        ``pd.factorize(frame[by])`` when already at hand.

    Returns
    -------
    Series
        Indexed by the levels of ``by`` (order of first appearance); computed on the distinct
        ``(by, col)`` pairs only.
    """
    col_codes, col_values = pd.factorize(frame[col])
    if len(col_values) == 0:  # nothing but missing values
        return frame[[by, col]].drop_duplicates().groupby(by, sort=False)[col].agg(_joined)
    if codes is None:
        codes, labels = pd.factorize(frame[by])
    width = len(col_values) + 1  # value code + 1; 0 = missing
    known = codes >= 0
    # distinct pairs in order of first appearance (as drop_duplicates keeps them)
    pairs = pd.unique(codes[known].astype(np.int64) * width + (col_codes[known] + 1))
    distinct = pd.DataFrame({by: pd.api.extensions.take(labels, pairs // width),
                             col: pd.api.extensions.take(col_values, pairs % width - 1, allow_fill=True)})
    return distinct.groupby(by, sort=False)[col].agg(_joined)


# ---------------------------------------------------------------------------------------------
# small statistics
# ---------------------------------------------------------------------------------------------


def compare_quietly(*args, **kwargs) -> pd.DataFrame:
    """:func:`cem_research.stats.compare_to_reference` without scipy's precision warnings.

    Parameters
    ----------
    *args, **kwargs
        Passed on to ``stats.compare_to_reference``.

    Returns
    -------
    DataFrame
        Its result; the RuntimeWarnings of near-constant groups are silenced.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return stats.compare_to_reference(*args, **kwargs)


def diff_proportions(x1: int, n1: int, x2: int, n2: int,
                     confidence: float = 0.95) -> tuple[float, float, float, float]:
    """Difference of two proportions with Newcombe's hybrid score interval and Fisher's exact test.

    Parameters
    ----------
    x1, n1 : int
        Successes and trials of the first group.
    x2, n2 : int
        Successes and trials of the second group.
    confidence : float, default 0.95

    Returns
    -------
    tuple of float
        ``(p1 - p2, ci_low, ci_high, p_value)``; all NaN when a group is empty.

    Notes
    -----
    Newcombe (1998), method 10: the Wilson intervals of both proportions combined.

    Examples
    --------
    >>> d, lo, hi, p = diff_proportions(56, 70, 48, 80)  # Newcombe (1998), example (a)
    >>> round(d, 4), round(lo, 4), round(hi, 4)
    (0.2, 0.0524, 0.3339)
    """
    if n1 == 0 or n2 == 0:
        return np.nan, np.nan, np.nan, np.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = stats.proportion_ci(x1, n1, confidence=confidence)
    l2, u2 = stats.proportion_ci(x2, n2, confidence=confidence)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    p = float(sps.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    return d, lo, hi, p


# ---------------------------------------------------------------------------------------------
# segment levels
# ---------------------------------------------------------------------------------------------


def level_key(level) -> float:
    """Numeric sort key of a segment level from its first number.

    Parameters
    ----------
    level : object

    Returns
    -------
    float
        ``'<1 year'`` < ``'1-3 years'`` < ``'>3 years'``; NaN when the level has no number.

    Examples
    --------
    >>> level_key("<1 year"), level_key("6+")
    (0.5, 6.5)
    """
    s = str(level)
    m = re.search(r"\d+(?:[.,]\d+)?", s)
    if not m:
        return math.nan
    x = float(m.group().replace(",", "."))
    before = s[: m.start()]
    if "<" in before or re.search(r"less|under|below|up to", before, re.I):
        x -= 0.5
    if ">" in before or s[m.end():m.end() + 1] == "+" or re.search(r"more|over|above", before, re.I):
        x += 0.5
    return x


def level_order(levels) -> list:
    """Segment levels in numeric order when every level starts with a number, else alphabetically.

    Parameters
    ----------
    levels : iterable

    Returns
    -------
    list

    Examples
    --------
    >>> level_order([">3 years", "<1 year", "1-3 years"])
    ['<1 year', '1-3 years', '>3 years']
    """
    levels = list(levels)
    keys = [level_key(lv) for lv in levels]
    if levels and not any(math.isnan(k) for k in keys):
        return [levels[i] for i in sorted(range(len(levels)), key=lambda i: keys[i])]
    return sorted(levels, key=str)
