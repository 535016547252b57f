"""Multi-group comparison of PLS path coefficients (PLS-MGA permutation test): :func:`pls_mga`.

Does a path differ between two groups of respondents (two segment levels, two brands)? The model is
estimated in each group separately, and the difference of each path coefficient is set against its
distribution when the group labels are permuted at random (Chin & Dibbern 2010; Hair, Sarstedt, Ringle &
Gudergan 2018, *Advanced Issues in PLS-SEM*, ch. 4). The measurement model is checked in each group
first (reliability per group): a group comparison of paths assumes each construct is measured in both
groups (Henseler, Ringle & Sarstedt 2016, MICOM, which this module does not test).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research.stats.common import observed_levels
from cem_research.stats.pls.estimate import SCHEMES, ModelSpec, estimate, model_spec, prepare_items
from cem_research.stats.pls.quality import block_reliability

__all__ = ["MGAResult", "pls_mga", "permutation_draws"]


@dataclass(frozen=True)
class MGAResult:
    """A multi-group comparison of path coefficients; every table is tidy.

    Attributes
    ----------
    paths : pandas.DataFrame
        ``group_1, group_2, from, to, estimate_1, estimate_2, diff, p_unc, p_corr, significant, n_1, n_2,
        n_perm``: per pair of groups and path, the two groups' coefficients, their difference
        (group 1 minus group 2), the two-sided permutation p-value, its correction across every row
        and the number of permutations it rests on.
    reliability : pandas.DataFrame
        ``group, n, construct, mode, k, alpha_std, rho_c, rho_a, ave``: the measurement model in each group
        (:func:`~cem_research.stats.pls.quality.block_reliability` on the group's own estimate).
    spec : ModelSpec
    groups : tuple
        The compared levels, in order.
    n_perm, seed, correction
        The settings.
    """

    paths: pd.DataFrame
    reliability: pd.DataFrame
    spec: ModelSpec
    groups: tuple
    n_perm: int
    seed: int | None
    correction: str


def permutation_draws(sizes: Sequence[int], n_perm: int, seed: int | None):
    """The permuted row orders :func:`pls_mga` uses: `n_perm` for each pair of groups, pair after pair.

    ``numpy.random.default_rng(seed)``, then ``rng.permutation(n)`` `n_perm` times for each pair's
    pooled size ``n`` in `sizes`; the first ``n_1`` rows of a permuted order (group 1 first, then
    group 2) form the permuted group 1. A plain loop over these draws reproduces :func:`pls_mga`.
    """
    rng = np.random.default_rng(seed)
    for n in sizes:
        for _ in range(n_perm):
            yield rng.permutation(n)


def _paths(x: np.ndarray, spec: ModelSpec, scheme: str, max_iter: int, tol: float) -> np.ndarray | None:
    """The path coefficients of one group (in ``spec.paths`` order), None if it cannot be estimated."""
    if len(x) < len(spec.constructs) + 3 or (x.std(axis=0) == 0).any():
        return None
    with np.errstate(all="ignore"):
        est = estimate(x, spec, scheme, True, max_iter, tol)
    if not est.converged:
        return None
    idx = {c: i for i, c in enumerate(spec.constructs)}
    return np.array([est.B[idx[f], idx[t]] for f, t in spec.paths])


def pls_mga(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[Sequence[str]],
    group: str,
    levels: Sequence | None = None,
    modes: Mapping[str, str] | None = None,
    scheme: str = "path",
    missing: str = "mean",
    n_perm: int = 1000,
    seed: int | None = 42,
    correction: str = "holm",
    alpha: float = 0.05,
    max_iter: int = 300,
    tol: float = 1e-7,
) -> MGAResult:
    """Compare the path coefficients of a PLS path model between groups (permutation test).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent: the item columns (numeric, reverse-keyed already) and `group`.
    blocks, paths, modes, scheme, missing, max_iter, tol
        The model, as in :func:`~cem_research.stats.pls.pls_sem` (items standardized within each group).
    group : str
        Column holding the groups (a segment, the rated brand). Rows without a group are left out.
    levels : sequence, optional
        The groups to compare (at least two); default every observed level, in categorical order or
        order of appearance. Every pair of them is compared.
    n_perm : int, default 1000
        Random permutations of the group labels per pair of groups.
    seed : int or None, default 42
        Seed of the permutations (:func:`permutation_draws`).
    correction : str, default "holm"
        Correction of the p-values across every pair and path (:func:`cem_research.stats.adjust_pvalues`).
    alpha : float, default 0.05
        Level of ``significant``.

    Returns
    -------
    MGAResult

    Notes
    -----
    Chin & Dibbern (2010, in *Handbook of Partial Least Squares*, 171-193): for a pair of groups with
    :math:`n_1` and :math:`n_2` respondents, the observed difference :math:`d = b_1 - b_2` of each path
    is compared with the differences :math:`d^*` obtained when the pooled respondents are split at
    random into groups of :math:`n_1` and :math:`n_2` and the model is estimated in each. Two-sided
    :math:`p = (1 + \\#\\{|d^*| \\ge |d|\\}) / (1 + m)` over the :math:`m` permutations in which both
    groups could be estimated (Phipson & Smyth 2010: never 0). Missing item values are replaced by
    the mean of the pair's pooled rows (``missing="mean"``) before the groups are split.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(["a", "b"], 100)
    >>> f = rng.normal(size=200)
    >>> slope = np.where(g == "a", 0.8, 0.0)
    >>> df = pd.DataFrame({"x1": f + rng.normal(size=200) * .5, "x2": f + rng.normal(size=200) * .5,
    ...                    "y1": slope * f + rng.normal(size=200) * .5, "y2": slope * f + rng.normal(size=200) * .5,
    ...                    "g": g})
    >>> res = pls_mga(df, {"X": ["x1", "x2"], "Y": ["y1", "y2"]}, [("X", "Y")], "g", n_perm=200)
    >>> bool(res.paths["p_unc"].iloc[0] < 0.01)
    True
    """
    from cem_research.stats.compare import adjust_pvalues

    func = "pls_mga"
    spec = model_spec(blocks, paths, modes, func)
    if scheme not in SCHEMES:
        raise ValueError(f"{func}: expected `scheme` in {list(SCHEMES)}, got {scheme!r}")
    if not isinstance(n_perm, (int, np.integer)) or isinstance(n_perm, bool) or n_perm < 1:
        raise ValueError(f"{func}: expected a positive integer n_perm, got {n_perm!r}")
    if not isinstance(data, pd.DataFrame) or group not in data.columns:
        raise ValueError(f"{func}: expected a DataFrame with the group column {group!r}")
    g = data[group]
    observed = observed_levels(g)
    levels = observed if levels is None else list(levels)
    unknown = [lv for lv in levels if lv not in observed]
    if len(levels) < 2 or unknown:
        raise ValueError(f"{func}: expected at least two observed levels of {group!r}; observed {observed}, "
                         f"asked {levels}")
    rel = []
    for lv in levels:
        sub = prepare_items(data[g == lv], spec, missing, func)
        est = estimate(sub.to_numpy(), spec, scheme, True, max_iter, tol)
        rel.append(block_reliability(sub, spec, est).assign(group=lv, n=len(sub)))
    pairs = []
    for a, b in itertools.combinations(levels, 2):
        pair = data[g.isin([a, b])]
        x = prepare_items(pair, spec, missing, func).to_numpy()
        in_a = (pair[group] == a).to_numpy()
        pairs.append((a, b, int(in_a.sum()), np.concatenate([x[in_a], x[~in_a]])))  # group 1 first
    draws = permutation_draws([len(x) for *_, x in pairs], n_perm, seed)
    rows = []
    for a, b, n1, x in pairs:
        b1, b2 = _paths(x[:n1], spec, scheme, max_iter, tol), _paths(x[n1:], spec, scheme, max_iter, tol)
        if b1 is None or b2 is None:
            bad, size = (a, n1) if b1 is None else (b, len(x) - n1)
            raise ValueError(f"{func}: the model cannot be estimated in group {bad!r} ({size} rows)")
        d = b1 - b2
        perm = []
        for _ in range(n_perm):
            idx = next(draws)
            p1 = _paths(x[idx[:n1]], spec, scheme, max_iter, tol)
            p2 = _paths(x[idx[n1:]], spec, scheme, max_iter, tol)
            if p1 is not None and p2 is not None:
                perm.append(p1 - p2)
        perm = np.array(perm).reshape(-1, len(d))
        m = len(perm)
        # ties up to rounding count as at least as extreme
        p = (1 + (np.abs(perm) >= np.abs(d) - 1e-12).sum(axis=0)) / (1 + m)
        for k, (f, t) in enumerate(spec.paths):
            rows.append({"group_1": a, "group_2": b, "from": f, "to": t, "estimate_1": b1[k], "estimate_2": b2[k],
                         "diff": d[k], "p_unc": p[k] if m else np.nan, "n_1": n1, "n_2": len(x) - n1, "n_perm": m})
    out = adjust_pvalues(pd.DataFrame(rows), "p_unc", correction, alpha)
    cols = ["group_1", "group_2", "from", "to", "estimate_1", "estimate_2", "diff", "p_unc", "p_corr",
            "significant", "n_1", "n_2", "n_perm"]
    reliability = pd.concat(rel, ignore_index=True)[["group", "n", "construct", "mode", "k", "alpha_std", "rho_c",
                                                      "rho_a", "ave"]]
    return MGAResult(out[cols], reliability, spec, tuple(levels), int(n_perm), seed, correction)
