"""PLS path models with bootstrap intervals: :func:`pls_sem` and its tidy :class:`PLSResult`."""

from __future__ import annotations

import warnings

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cem_research.stats.common import check_boot, check_confidence, percentile_ci
from cem_research.stats.pls.estimate import SCHEMES, Estimate, ModelSpec, estimate, model_spec, prepare_items
from cem_research.stats.pls.quality import (
    block_reliability, fornell_larcker, htmt_matrix, htmt_table, unidimensionality,
)

__all__ = ["PLSResult", "pls_sem", "bootstrap_draws"]


@dataclass(frozen=True)
class PLSResult:
    """A fitted PLS path model; every table is tidy.

    Attributes
    ----------
    spec : ModelSpec
        The checked model (constructs, blocks, modes, paths).
    paths : pandas.DataFrame
        ``from, to, estimate, ci_low, ci_high, boot_se``: path coefficients (standardized) with
        percentile bootstrap intervals (NaN without bootstrap).
    effects : pandas.DataFrame
        ``from, to, direct, indirect, total, indirect_ci_low, indirect_ci_high, total_ci_low,
        total_ci_high``, one row per pair of constructs joined by at least one directed chain.
    r2 : pandas.DataFrame
        ``construct, predictors, r2, r2_adj`` of each endogenous construct.
    loadings : pandas.DataFrame
        ``construct, item, mode, loading, weight, loading_ci_low, loading_ci_high, weight_ci_low,
        weight_ci_high`` (weights in the metric of the prepared items: standardized when ``scaled``).
    cross_loadings : pandas.DataFrame
        Items (rows) by constructs (columns): the correlation of each item with each construct score.
    reliability : pandas.DataFrame
        ``construct, mode, k, alpha, alpha_std, rho_c, rho_a, ave``
        (:func:`~cem_research.stats.pls.quality.block_reliability`).
    unidim : pandas.DataFrame
        R plspm's unidimensionality table (:func:`~cem_research.stats.pls.quality.unidimensionality`).
    htmt : pandas.DataFrame
        ``construct_1, construct_2, htmt, ci_low, ci_high``.
    fornell_larcker : pandas.DataFrame
        Square frame: sqrt(AVE) on the diagonal, construct correlations elsewhere.
    scores : pandas.DataFrame
        Standardized construct scores, one row per respondent used (index of `data`).
    n, iterations, converged, scheme, scaled, missing
        Sample size after the missing-value treatment and the estimation settings.
    n_boot, seed, confidence, n_boot_failed
        Bootstrap settings and the number of resamples that could not be estimated (left out).
    """

    spec: ModelSpec
    paths: pd.DataFrame
    effects: pd.DataFrame
    r2: pd.DataFrame
    loadings: pd.DataFrame
    cross_loadings: pd.DataFrame
    reliability: pd.DataFrame
    unidim: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    scores: pd.DataFrame
    n: int
    iterations: int
    converged: bool
    scheme: str
    scaled: bool
    missing: str
    n_boot: int = 0
    seed: int | None = None
    confidence: float = 0.95
    n_boot_failed: int = 0
    items: pd.DataFrame = field(default=None, repr=False)

    def matrix(self, what: str = "paths") -> pd.DataFrame:
        """Path coefficients (``"paths"``) or total effects (``"total"``) as a square from x to frame."""
        c = list(self.spec.constructs)
        col = {"paths": "estimate", "total": "total"}[what]
        tab = self.paths if what == "paths" else self.effects
        m = pd.DataFrame(0.0, index=c, columns=c)
        for f, t, v in zip(tab["from"], tab["to"], tab[col]):
            m.loc[f, t] = v
        return m


def bootstrap_draws(n: int, n_boot: int, seed: int | None):
    """The row indices of each bootstrap resample, in the order :func:`pls_sem` uses them.

    ``numpy.random.default_rng(seed)``, then ``rng.integers(0, n, n)`` once per resample: a plain
    loop over these draws reproduces :func:`pls_sem`'s intervals exactly.
    """
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        yield rng.integers(0, n, n)


def _stats(est: Estimate, spec: ModelSpec, x: np.ndarray) -> np.ndarray:
    """Every bootstrapped quantity of one estimate, flattened: B, total, indirect, own loadings, weights, HTMT."""
    own = _own_index(spec)
    total = est.total
    return np.concatenate([est.B.ravel(), total.ravel(), (total - est.B).ravel(),
                           est.loadings[np.arange(len(own)), own],
                           est.weights, htmt_matrix(x, spec).ravel()])


def _own_index(spec: ModelSpec) -> np.ndarray:
    return np.repeat(np.arange(len(spec.constructs)), [len(spec.blocks[c]) for c in spec.constructs])


def pls_sem(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[Sequence[str]],
    modes: Mapping[str, str] | None = None,
    scheme: str = "path",
    scaled: bool = True,
    missing: str = "mean",
    n_boot: int = 0,
    seed: int | None = 42,
    confidence: float = 0.95,
    max_iter: int = 300,
    tol: float = 1e-7,
) -> PLSResult:
    """Estimate a PLS path model (PLS-SEM) with percentile bootstrap intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; the item columns numeric (reverse-keyed already).
    blocks : mapping
        Construct name -> its item columns, e.g. ``{"Image": ["IMAG1", "IMAG2"], ...}``.
    paths : sequence of pairs
        Structural paths ``(from, to)``; the model must be recursive.
    modes : mapping, optional
        Construct -> ``"A"`` (reflective, default) or ``"B"`` (formative).
    scheme : {"path", "centroid", "factorial"}, default "path"
        Inner weighting scheme; "path" is Lohmöller's path weighting as in seminr and SmartPLS.
    scaled : bool, default True
        Standardize the items ("Mean 0, Var 1"); False only centres them (R plspm ``scaled = FALSE``:
        outer weights then use the items' own metric).
    missing : {"mean", "listwise"}, default "mean"
        Replace a missing item value by the item's mean (seminr, SmartPLS) or drop the row.
    n_boot : int, default 0
        Bootstrap resamples (rows drawn with replacement from the prepared data, the model
        re-estimated on each); 0 gives point estimates with NaN intervals.
    seed : int or None, default 42
        Seed of ``numpy.random.default_rng`` (see :func:`bootstrap_draws`).
    confidence : float, default 0.95
        Level of the percentile intervals.
    max_iter, tol : int, float
        Stop when the largest change of an outer weight is below `tol`, or after `max_iter` rounds.

    Returns
    -------
    PLSResult

    Notes
    -----
    The algorithm and its references are in :mod:`cem_research.stats.pls.estimate`. Tested to
    3 decimals against R plspm (``satisfaction``), SmartPLS 2.0 (ECSI model on ``mobi``, all three
    schemes) and seminr (``mobi``). Resamples in which an item is constant or the algorithm does not
    converge are left out of the intervals and counted in ``n_boot_failed``. No sign correction is
    applied to resampled weights (seminr's and SmartPLS's default).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=200)
    >>> df = pd.DataFrame({f"x{i}": f + rng.normal(size=200) for i in (1, 2)}
    ...                   | {f"y{i}": 0.6 * f + rng.normal(size=200) for i in (1, 2)})
    >>> fit = pls_sem(df, {"X": ["x1", "x2"], "Y": ["y1", "y2"]}, [("X", "Y")])
    >>> fit.paths[["from", "to"]].values.tolist()
    [['X', 'Y']]
    >>> bool(0.2 < fit.paths["estimate"].iloc[0] < 0.6)
    True
    """
    func = "pls_sem"
    spec = model_spec(blocks, paths, modes, func)
    if scheme not in SCHEMES:
        raise ValueError(f"{func}: expected `scheme` in {list(SCHEMES)}, got {scheme!r}")
    check_boot(n_boot, func)
    check_confidence(confidence, func)
    items = prepare_items(data, spec, missing, func)
    x = items.to_numpy()
    est = estimate(x, spec, scheme, scaled, max_iter, tol)
    point = _stats(est, spec, x)
    failed = 0
    lo = hi = se = np.full_like(point, np.nan)
    if n_boot:
        boot = np.full((n_boot, point.size), np.nan)
        with np.errstate(all="ignore"):
            for b, idx in enumerate(bootstrap_draws(len(x), n_boot, seed)):
                xb = x[idx]
                if (xb.std(axis=0) == 0).any():
                    failed += 1
                    continue
                eb = estimate(xb, spec, scheme, scaled, max_iter, tol)
                if not eb.converged:
                    failed += 1
                    continue
                boot[b] = _stats(eb, spec, xb)
        if failed < n_boot:
            with warnings.catch_warnings():  # the HTMT diagonal is NaN in every resample
                warnings.simplefilter("ignore", RuntimeWarning)
                lo, hi = percentile_ci(boot, confidence)
                se = np.nanstd(boot, axis=0, ddof=1)
    return _assemble(spec, est, items, point, lo, hi, se, scheme, scaled, missing, n_boot, seed, confidence,
                     failed)


def _assemble(spec, est, items, point, lo, hi, se, scheme, scaled, missing, n_boot, seed, confidence, failed):
    c = list(spec.constructs)
    q, p = len(c), len(spec.items)
    cut = np.cumsum([q * q, q * q, q * q, p, p])
    parts = [np.split(a, cut) for a in (point, lo, hi, se)]
    (B, T, _, L, W, H), (Blo, Tlo, Ilo, Llo, Wlo, Hlo), (Bhi, Thi, Ihi, Lhi, Whi, Hhi), (Bse, *_) = parts
    ix = {k: i for i, k in enumerate(c)}
    paths = pd.DataFrame([dict(**{"from": f, "to": t}, estimate=B[ix[f] * q + ix[t]], ci_low=Blo[ix[f] * q + ix[t]],
                               ci_high=Bhi[ix[f] * q + ix[t]], boot_se=Bse[ix[f] * q + ix[t]])
                          for f, t in spec.paths])
    eff = []
    reach = np.linalg.matrix_power(spec.adjacency + np.eye(q), q) - np.eye(q) > 0
    Bm = B.reshape(q, q)
    for a in range(q):
        for b in range(q):
            if a != b and reach[a, b]:
                k = a * q + b
                eff.append({"from": c[a], "to": c[b], "direct": Bm[a, b], "indirect": T[k] - Bm[a, b],
                            "total": T[k], "indirect_ci_low": Ilo[k], "indirect_ci_high": Ihi[k],
                            "total_ci_low": Tlo[k], "total_ci_high": Thi[k]})
    effects = pd.DataFrame(eff)
    own = _own_index(spec)
    loadings = pd.DataFrame({"construct": [c[j] for j in own], "item": spec.items,
                             "mode": [spec.modes[c[j]] for j in own], "loading": L, "weight": W,
                             "loading_ci_low": Llo, "loading_ci_high": Lhi, "weight_ci_low": Wlo,
                             "weight_ci_high": Whi})
    preds = {t: [f for f, tt in spec.paths if tt == t] for t in c}
    n = len(items)
    r2 = pd.DataFrame([dict(construct=t, predictors=len(preds[t]), r2=est.r2[ix[t]],
                            r2_adj=1 - (1 - est.r2[ix[t]]) * (n - 1) / (n - len(preds[t]) - 1))
                       for t in c if preds[t]])
    htmt = htmt_table(H.reshape(q, q), spec)
    htmt["ci_low"] = [Hlo[ix[a] * q + ix[b]] for a, b in zip(htmt["construct_1"], htmt["construct_2"])]
    htmt["ci_high"] = [Hhi[ix[a] * q + ix[b]] for a, b in zip(htmt["construct_1"], htmt["construct_2"])]
    return PLSResult(
        spec=spec, paths=paths, effects=effects, r2=r2, loadings=loadings,
        cross_loadings=pd.DataFrame(est.loadings, index=spec.items, columns=c),
        reliability=block_reliability(items, spec, est, scaled), unidim=unidimensionality(items, spec),
        htmt=htmt, fornell_larcker=fornell_larcker(est, spec),
        scores=pd.DataFrame(est.scores, index=items.index, columns=c), n=n, iterations=est.iterations,
        converged=est.converged, scheme=scheme, scaled=scaled, missing=missing, n_boot=n_boot, seed=seed,
        confidence=confidence, n_boot_failed=failed, items=items,
    )

