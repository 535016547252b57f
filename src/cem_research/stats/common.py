"""Argument checks and small helpers shared by the :mod:`cem_research.stats` submodules.

Every check raises a :class:`ValueError` whose message starts with the calling function's name
(`func`) and says what was expected, in the pingouin manner. pingouin and scipy.stats are
imported lazily (:data:`pg`, :data:`sps`): they cost seconds at start-up, and the processing
stage only needs :func:`~cem_research.stats.reverse_key` and :func:`~cem_research.stats.score_scale`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "LazyModule", "pg", "sps", "CORRECTIONS", "as_list", "check_frame", "check_numeric", "check_confidence",
    "check_weights", "check_correction", "check_boot", "observed_levels", "iter_groups", "t_crit", "z_crit",
    "percentile_ci",
]


class LazyModule:
    """A module imported on first attribute access.

    Parameters
    ----------
    name : str
        Importable module name, e.g. ``"scipy.stats"``.
    """

    def __init__(self, name: str):
        self._name = name
        self._mod = None

    def __getattr__(self, attr):
        if self._mod is None:
            self._mod = importlib.import_module(self._name)
        return getattr(self._mod, attr)


#: pingouin, imported on first use.
pg = LazyModule("pingouin")
#: scipy.stats, imported on first use.
sps = LazyModule("scipy.stats")

#: Multiple-testing corrections accepted by :func:`~cem_research.stats.adjust_pvalues` (pingouin's names).
CORRECTIONS = {"holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none"}


def as_list(cols: str | Sequence[str] | None, what: str) -> list[str]:
    """Column argument as a list: None -> ``[]``, a name -> ``[name]``, a sequence of names -> list.

    `what` names the argument in the error message.
    """
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


def check_frame(data: Any, columns: Sequence[str], func: str) -> None:
    """Check that `data` is a DataFrame holding each of `columns`, each named once."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"{func}: expected `data` to be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{func}: expected column(s) {missing} in `data`; available: {list(data.columns)}")
    dupes = sorted({c for c in columns if list(columns).count(c) > 1})
    if dupes:
        raise ValueError(f"{func}: expected each column once, got {dupes} more than once")


def check_numeric(data: pd.DataFrame, columns: Sequence[str], func: str) -> None:
    """Check that `columns` of `data` are numeric (booleans do not count)."""
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])]
    if bad:
        raise ValueError(f"{func}: expected numeric column(s), got non-numeric {bad}")


def check_confidence(confidence: float, func: str) -> None:
    """Check that `confidence` is a number strictly between 0 and 1."""
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"{func}: expected `confidence` strictly between 0 and 1, got {confidence!r}")


def check_weights(data: pd.DataFrame, weights: str | None, func: str) -> np.ndarray | None:
    """Return the weights column as a float array (or None); they must be finite and non-negative."""
    if weights is None:
        return None
    if not isinstance(weights, str):
        raise ValueError(f"{func}: expected `weights` to be a column name or None, got {weights!r}")
    check_frame(data, [weights], func)
    check_numeric(data, [weights], func)
    w = data[weights].to_numpy(dtype=float)
    if np.isnan(w).any():
        raise ValueError(f"{func}: expected no missing values in weights column {weights!r}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"{func}: expected finite, non-negative weights in column {weights!r}")
    return w


def check_correction(method: str, func: str) -> str:
    """Return the correction method lower-cased, after checking it is one of :data:`CORRECTIONS`."""
    if not isinstance(method, str) or method.lower() not in CORRECTIONS:
        raise ValueError(f"{func}: expected correction/method in {sorted(CORRECTIONS)}, got {method!r}")
    return method.lower()


def check_boot(n_boot, func: str) -> None:
    """Check that `n_boot` (bootstrap resamples) is a non-negative integer."""
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"{func}: expected a non-negative integer n_boot, got {n_boot!r}")


def observed_levels(series: pd.Series) -> list:
    """Observed levels: categorical order for a Categorical, else order of first appearance."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return list(pd.unique(series.dropna()))


def iter_groups(data: pd.DataFrame, by: list[str]) -> Iterator[tuple[tuple, pd.DataFrame]]:
    """Yield (key tuple, sub-frame) in categorical order / order of first appearance.

    Without `by`, yields ``((), data)`` once; rows with a missing group label are left out.
    """
    if not by:
        yield (), data
        return
    all_cat = all(isinstance(data[b].dtype, pd.CategoricalDtype) for b in by)
    gb = data.groupby(by, sort=all_cat, observed=True, dropna=True)
    for key, sub in gb:
        yield (key if isinstance(key, tuple) else (key,)), sub


def t_crit(confidence: float, df) -> Any:
    """Two-sided Student t critical value for `confidence` with `df` degrees of freedom (array-aware)."""
    return sps.t.ppf(0.5 + confidence / 2, df)


def z_crit(confidence: float) -> float:
    """Two-sided standard normal critical value for `confidence` (1.96 for 0.95)."""
    return float(sps.norm.ppf(0.5 + confidence / 2))


def percentile_ci(boot: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval along axis 0 of the resampled estimates `boot` (NaN ignored)."""
    lo = np.nanpercentile(boot, 100 * (1 - confidence) / 2, axis=0)
    hi = np.nanpercentile(boot, 100 * (1 + confidence) / 2, axis=0)
    return lo, hi
