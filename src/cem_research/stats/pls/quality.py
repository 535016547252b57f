"""Measurement quality of a PLS path model: reliability, unidimensionality, discriminant validity.

All functions take the prepared item frame (:func:`~cem_research.stats.pls.estimate.prepare_items`),
the :class:`~cem_research.stats.pls.estimate.ModelSpec` and, where needed, one
:class:`~cem_research.stats.pls.estimate.Estimate`; they return tidy DataFrames.

References
----------
Cronbach (1951), *Psychometrika* 16, 297-334 (alpha). Werts, Linn & Jöreskog (1974) and Chin (1998)
(composite reliability rhoC, the "Dillon-Goldstein rho" of R plspm). Dijkstra & Henseler (2015),
*MIS Quarterly* 39, 297-316 (rhoA). Fornell & Larcker (1981), *J. Marketing Research* 18, 39-50 (AVE
and their criterion). Henseler, Ringle & Sarstedt (2015), *J. Academy of Marketing Science* 43,
115-135 (HTMT).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research.stats.pls.estimate import Estimate, ModelSpec

__all__ = ["block_reliability", "unidimensionality", "htmt_matrix", "htmt_table", "fornell_larcker"]


def _alpha(c: np.ndarray) -> float:
    """Cronbach's alpha from a covariance (raw) or correlation (standardized) matrix."""
    k = len(c)
    return float(k / (k - 1) * (1 - np.trace(c) / c.sum())) if k > 1 else np.nan


def _own_loadings(est: Estimate, spec: ModelSpec) -> dict[str, np.ndarray]:
    out, start = {}, 0
    for j, c in enumerate(spec.constructs):
        k = len(spec.blocks[c])
        out[c] = est.loadings[start:start + k, j]
        start += k
    return out


def _own_weights(est: Estimate, spec: ModelSpec) -> dict[str, np.ndarray]:
    out, start = {}, 0
    for c in spec.constructs:
        k = len(spec.blocks[c])
        out[c] = est.weights[start:start + k]
        start += k
    return out


def block_reliability(items: pd.DataFrame, spec: ModelSpec, est: Estimate, scaled: bool = True) -> pd.DataFrame:
    """Reliability of each block in the conventions of seminr and SmartPLS.

    Returns
    -------
    pandas.DataFrame
        ``construct, mode, k, alpha, alpha_std, rho_c, rho_a, ave``. ``alpha`` is Cronbach's alpha of
        the raw items (covariance-based, as pingouin and SPSS), ``alpha_std`` of the standardized items
        (what R plspm and seminr print as "alpha"), ``rho_c`` composite reliability
        :math:`(\\sum\\lambda)^2 / ((\\sum\\lambda)^2 + \\sum(1-\\lambda^2))` and ``ave``
        :math:`\\overline{\\lambda^2}` from the model's loadings :math:`\\lambda`; ``rho_a`` Dijkstra and
        Henseler's :math:`(w^\\top w)^2\\, w^\\top(S - \\mathrm{diag} S)w \\,/\\, w^\\top(ww^\\top -
        \\mathrm{diag}\\, ww^\\top)w` with *S* the items' correlation matrix and *w* the outer weights
        of the standardized items. A single-item block has alpha, rhoC, rhoA and AVE of 1 by
        convention (seminr, SmartPLS). These measures assume a reflective block; for a mode B block
        they are shown but do not apply.
    """
    load = _own_loadings(est, spec)
    wts = _own_weights(est, spec)
    rows = []
    for c in spec.constructs:
        cols = list(spec.blocks[c])
        x = items[cols].to_numpy(dtype=float)
        lam = load[c]
        if len(cols) == 1:
            rows.append(dict(construct=c, mode=spec.modes[c], k=1, alpha=1.0, alpha_std=1.0, rho_c=1.0,
                             rho_a=1.0, ave=1.0))
            continue
        cov = np.cov(x, rowvar=False)
        r = np.corrcoef(x, rowvar=False)
        w = wts[c] if scaled else wts[c] * x.std(axis=0)  # weights of the standardized items
        ww = np.outer(w, w)
        off = ww - np.diag(np.diag(ww))
        rho_a = (w @ w) ** 2 * (w @ (r - np.eye(len(w))) @ w) / (w @ off @ w)
        s = lam.sum() ** 2
        rows.append(dict(construct=c, mode=spec.modes[c], k=len(cols), alpha=_alpha(cov), alpha_std=_alpha(r),
                         rho_c=float(s / (s + (1 - lam ** 2).sum())), rho_a=float(rho_a),
                         ave=float((lam ** 2).mean())))
    return pd.DataFrame(rows)


def unidimensionality(items: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """Unidimensionality of each block as R plspm's ``unidim`` reports it.

    Returns
    -------
    pandas.DataFrame
        ``construct, mode, k, alpha_std, dg_rho, eig_1st, eig_2nd``: standardized alpha (negative values
        clamped to 0, as plspm does), Dillon-Goldstein's rho from the loadings of the block's first
        principal component, and the two largest eigenvalues of the items' correlation matrix (a
        block is unidimensional when only the first exceeds 1).
    """
    rows = []
    for c in spec.constructs:
        cols = list(spec.blocks[c])
        if len(cols) == 1:
            rows.append(dict(construct=c, mode=spec.modes[c], k=1, alpha_std=1.0, dg_rho=1.0, eig_1st=1.0,
                             eig_2nd=0.0))
            continue
        r = np.corrcoef(items[cols].to_numpy(dtype=float), rowvar=False)
        vals, vecs = np.linalg.eigh(r)
        vals, vecs = vals[::-1], vecs[:, ::-1]
        lam = np.abs(vecs[:, 0]) * np.sqrt(vals[0])
        s = lam.sum() ** 2
        rows.append(dict(construct=c, mode=spec.modes[c], k=len(cols), alpha_std=max(_alpha(r), 0.0),
                         dg_rho=float(s / (s + (1 - lam ** 2).sum())), eig_1st=float(vals[0]),
                         eig_2nd=float(vals[1])))
    return pd.DataFrame(rows)


def htmt_matrix(x: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """HTMT ratio for every pair of constructs (symmetric, NaN diagonal) from the item matrix `x`.

    The mean heterotrait-heteromethod correlation over the geometric mean of the two blocks' mean
    monotrait (within-block) correlations; a single-item block counts 1 as its monotrait mean.
    """
    r = np.corrcoef(x, rowvar=False)
    q = len(spec.constructs)
    sizes = [len(spec.blocks[c]) for c in spec.constructs]
    idx = np.split(np.arange(x.shape[1]), np.cumsum(sizes)[:-1])
    mono = np.array([r[np.ix_(i, i)][np.triu_indices(len(i), 1)].mean() if len(i) > 1 else 1.0 for i in idx])
    h = np.full((q, q), np.nan)
    for a in range(q):
        for b in range(a + 1, q):
            h[a, b] = h[b, a] = r[np.ix_(idx[a], idx[b])].mean() / np.sqrt(mono[a] * mono[b])
    return h


def htmt_table(h: np.ndarray, spec: ModelSpec) -> pd.DataFrame:
    """Tidy HTMT: one row per pair of constructs, ``construct_1, construct_2, htmt``."""
    c = spec.constructs
    rows = [dict(construct_1=c[a], construct_2=c[b], htmt=float(h[a, b]))
            for a in range(len(c)) for b in range(a + 1, len(c))]
    return pd.DataFrame(rows)


def fornell_larcker(est: Estimate, spec: ModelSpec) -> pd.DataFrame:
    """Fornell-Larcker matrix: square root of AVE on the diagonal, construct correlations elsewhere.

    Discriminant validity holds for a construct when its diagonal value exceeds every correlation in
    its row and column. Returned as a square frame indexed by construct.
    """
    load = _own_loadings(est, spec)
    m = np.corrcoef(est.scores, rowvar=False)
    np.fill_diagonal(m, [np.sqrt((load[c] ** 2).mean()) for c in spec.constructs])
    return pd.DataFrame(m, index=list(spec.constructs), columns=list(spec.constructs))
