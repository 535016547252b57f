"""Reliability of multi-item constructs: Cronbach's alpha overall and within groups, item analysis.

:func:`reliability` (raw and standardized alpha with pingouin's F-based interval),
:func:`group_reliability` (the same within each level of a group column, so that groups are compared
only on constructs they measure reliably) and :func:`item_statistics` (corrected item-total
correlations, alpha if an item is deleted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cem_research.stats.common import as_list, check_frame, check_numeric, observed_levels, pg, sps

__all__ = ["RELIABILITY_THRESHOLD", "reliability", "group_reliability", "group_reliability_table",
           "item_statistics"]

#: Cronbach's alpha below which a construct is flagged as unreliable in every table (Nunnally 1978).
RELIABILITY_THRESHOLD = 0.70


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
    data: pd.DataFrame, items: Sequence[str], name: str | None = None, threshold: float = RELIABILITY_THRESHOLD
) -> pd.DataFrame:
    """Cronbach's alpha (raw and standardized) of a multi-item construct.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str
        Numeric item columns (reverse-keyed already).
    name : str, optional
        Construct label for the output (default: the items joined with "+").
    threshold : float, default RELIABILITY_THRESHOLD (0.70)
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
    items = as_list(items, "items")
    if not items:
        raise ValueError("reliability: expected at least one item column")
    check_frame(data, items, "reliability")
    check_numeric(data, items, "reliability")
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
    data: pd.DataFrame,
    items: Sequence[str],
    group: str,
    threshold: float = RELIABILITY_THRESHOLD,
    name: str | None = None,
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
    threshold : float, default RELIABILITY_THRESHOLD (0.70)
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
    items = as_list(items, "items")
    if not items:
        raise ValueError("group_reliability: expected at least one item column")
    if not isinstance(group, str):
        raise ValueError(f"group_reliability: expected `group` to be a column name, got {group!r}")
    if group in items:
        raise ValueError("group_reliability: expected `group` not to be one of the items")
    check_frame(data, [*items, group], "group_reliability")
    check_numeric(data, items, "group_reliability")
    if not isinstance(threshold, (int, float)):
        raise ValueError(f"group_reliability: expected a numeric threshold, got {threshold!r}")
    construct = name if name is not None else "+".join(items)
    x = data[items].to_numpy(dtype=float)
    g = data[group]
    levels = observed_levels(g)
    codes = pd.Index(levels).get_indexer(np.asarray(g, dtype=object)) if levels else np.array([], dtype=int)
    return group_reliability_table(x, codes, list(enumerate(levels)), items, construct, threshold, group)


def group_reliability_table(x: np.ndarray, codes: np.ndarray, levels: list[tuple[int, Any]],
                             items: list[str], construct: str, threshold: float, group: str) -> pd.DataFrame:
    """The :func:`group_reliability` table from an item matrix and each row's level code.

    Parameters
    ----------
    x : numpy.ndarray
        (n, k) float item matrix, NaN where missing (listwise deletion within each level).
    codes : numpy.ndarray
        Level code of each row of `x` (-1 or any code not in `levels`: row not used).
    levels : list of (int, object)
        ``(code, label)`` of the levels to report, in report order.
    items : list of str
        Item names (for the flags).
    construct : str
        Construct label of every row.
    threshold : float
        Alpha below this value is flagged and marked ``unreliable``.
    group : str
        Name of the first output column (holding the level labels).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`group_reliability`: ``group, construct, n, k, alpha, alpha_ci_low,
        alpha_ci_high, alpha_std, flag, unreliable``, one row per level (empty frame with these
        columns when `levels` is empty).

    Notes
    -----
    :func:`reliability` within each level; for callers that already hold the item matrix and the
    level codes (e.g. one table per construct over the same segment column). Weights are not
    supported.

    Examples
    --------
    >>> import numpy as np
    >>> from cem_research.stats import group_reliability_table
    >>> x = np.array([[1, 2], [2, 2], [3, 3], [4, 5], [5, 4], [3, 5], [1, 1], [5, 1], [2, 4], [4, 2]], float)
    >>> codes = np.repeat([0, 1], 5)
    >>> out = group_reliability_table(x, codes, [(0, "a"), (1, "b")], ["q1", "q2"], "ease", 0.7, "seg")
    >>> out[["seg", "unreliable"]].values.tolist()
    [['a', False], ['b', True]]
    """
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
    items = as_list(items, "items")
    if not items:
        raise ValueError("item_statistics: expected at least one item column")
    check_frame(data, items, "item_statistics")
    check_numeric(data, items, "item_statistics")
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
