"""Driver analysis: relative importance (LMG), Johnson's relative weights, regression coefficients,
importance-performance.

:func:`relative_importance` (LMG / Shapley decomposition of R²) and :func:`relative_weights`
(Johnson 2000), both with percentile bootstrap intervals computed on one shared set of resampled
correlation matrices (:func:`boot_corr_all`) -- the share of R² gets its own interval, the
percentiles of the resampled shares; :func:`regression_coefficients` gives the (survey-weighted)
multiple-regression coefficients with percentile bootstrap intervals, in outcome points per driver
point; :func:`driver_agreement` compares two rankings and :func:`importance_performance` places
elements on the importance-performance grid.
"""

from __future__ import annotations

import collections
import hashlib
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research.stats.common import (
    as_list, check_boot, check_confidence, check_frame, check_numeric, check_weights, percentile_ci, pg, sps,
)

__all__ = ["boot_corr_all", "lmg_from_corr", "relative_importance", "relative_weights", "regression_coefficients",
           "driver_agreement", "importance_performance"]

_MAX_LMG_DRIVERS = 12


def _driver_frame(data, outcome, drivers, func, max_drivers=None) -> tuple[list[str], np.ndarray]:
    drivers_l = as_list(drivers, "drivers")
    if not isinstance(outcome, str):
        raise ValueError(f"{func}: expected `outcome` to be a column name, got {outcome!r}")
    check_frame(data, [outcome, *drivers_l], func)
    if len(drivers_l) < 2:
        raise ValueError(f"{func}: expected at least 2 drivers, got {drivers_l}")
    if max_drivers is not None and len(drivers_l) > max_drivers:
        raise ValueError(
            f"{func}: expected at most {max_drivers} drivers (LMG needs 2^p subsets), got {len(drivers_l)}; "
            "use relative_weights for more"
        )
    check_numeric(data, [outcome, *drivers_l], func)
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
    """All bootstrap correlation matrices of the rows of ``z``, shared between analyses.

    Parameters
    ----------
    z : numpy.ndarray
        (n, q) complete float data, e.g. the outcome followed by the drivers.
    n_boot : int
        Number of resamples of the rows (0: an empty stack).
    seed : int or None
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    numpy.ndarray
        Read-only stack (n_boot, q, q) of the resamples' correlation matrices.

    Notes
    -----
    With an integer ``seed`` the resamples are a function of ``(z, n_boot, seed)``, so they are
    kept (the last few, keyed by a digest of ``z``): LMG, Johnson's relative weights and the
    emotional share of the same outcome and drivers then share one set of resamples, and their
    intervals are computed on the same bootstrap samples. Resamples are encoded as row counts and
    their moments computed with one matrix product per chunk (Efron & Tibshirani 1993, *An
    Introduction to the Bootstrap*, for the nonparametric bootstrap itself).

    Examples
    --------
    >>> import numpy as np
    >>> from cem_research.stats import boot_corr_all
    >>> z = np.random.default_rng(0).normal(size=(50, 3))
    >>> stack = boot_corr_all(z, 20, seed=1)
    >>> stack.shape, boot_corr_all(z, 20, seed=1) is stack
    ((20, 3, 3), True)
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
    """LMG relative importance and full-model R² from stacked correlation matrices.

    Parameters
    ----------
    R : numpy.ndarray
        (b, p + 1, p + 1) correlation matrices with the outcome first, then the p drivers
        (e.g. from :func:`boot_corr_all`, or one matrix as ``R[None]``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(relimp, r2)``: the LMG parts of R² (b, p), which sum to the full-model ``r2`` (b,).
        A matrix with non-finite entries gives NaN.

    Notes
    -----
    R² of every subset S of drivers as :math:`r_{yS}^\\top R_{SS}^{-1} r_{yS}`, combined with the
    LMG (Shapley) weights :math:`1/(p\\binom{p-1}{|S|})` (Lindeman, Merenda & Gold 1980; Grömping
    2006, *J. Stat. Softw.* 17(1)); see :func:`relative_importance`.

    Examples
    --------
    >>> import numpy as np
    >>> from cem_research.stats import lmg_from_corr
    >>> R = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.0], [0.3, 0.0, 1.0]])
    >>> relimp, r2 = lmg_from_corr(R[None])
    >>> np.round(relimp, 2).tolist(), round(float(r2[0]), 2)
    ([[0.25, 0.09]], 0.34)
    """
    r2 = _subset_r2(R)
    p = R.shape[1] - 1
    return r2 @ _lmg_weights(p), r2[:, -1]


def _share_ci(parts: np.ndarray, r2: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of the share of R² from resampled parts (b, p) and R² (b,): each resample's
    own share ``parts_b / r2_b`` (a resample with R² 0 counts as missing)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(r2[:, None] > 0, parts / r2[:, None], np.nan)
    return percentile_ci(shares, confidence)


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
        relimp_ci_low, relimp_ci_high, share, share_ci_low, share_ci_high, rank, r2, r2_ci_low,
        r2_ci_high, n``.
        ``beta`` standardized OLS coefficient; ``relimp`` the driver's part of R² (the parts
        sum to ``r2``); ``share = relimp / r2`` with its own percentile interval (the share
        recomputed in every resample, ``relimp_b / r2_b``: not the relimp interval divided by the
        point R²); ``rank`` 1 = most important; ``n`` complete rows (listwise deletion on outcome
        + drivers).

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
    check_confidence(confidence, "relative_importance")
    check_boot(n_boot, "relative_importance")
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
        lo, hi = percentile_ci(boots, confidence)
        slo, shi = _share_ci(boots, r2s, confidence)
        r2lo, r2hi = percentile_ci(r2s[:, None], confidence)
        r2lo, r2hi = float(r2lo[0]), float(r2hi[0])
    else:
        lo = hi = slo = shi = np.full(p, np.nan)
        r2lo = r2hi = np.nan
    out = pd.DataFrame({"outcome": outcome, "driver": drivers_l, "beta": beta, "relimp": relimp,
                        "relimp_ci_low": lo, "relimp_ci_high": hi, "share": relimp / r2, "share_ci_low": slo,
                        "share_ci_high": shi, "rank": _rank_desc(relimp), "r2": r2, "r2_ci_low": r2lo,
                        "r2_ci_high": r2hi, "n": n})
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
        raw_weight_ci_low, raw_weight_ci_high, share, share_ci_low, share_ci_high, rank, r2,
        r2_ci_low, r2_ci_high, n``.  Raw weights sum to ``r2``; ``share = raw_weight / r2`` with
        the percentile interval of the resampled shares.

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
    check_confidence(confidence, "relative_weights")
    check_boot(n_boot, "relative_weights")
    drivers_l, z = _driver_frame(data, outcome, drivers, "relative_weights")
    n, p = z.shape[0], len(drivers_l)
    R = np.corrcoef(z, rowvar=False)[None]
    raw, r2, beta = (a[0] for a in _johnson_from_corr(R))
    r2 = float(r2)
    if n_boot > 0:
        boots, r2s, _ = _johnson_from_corr(boot_corr_all(z, n_boot, seed))
        lo, hi = percentile_ci(boots, confidence)
        slo, shi = _share_ci(boots, r2s, confidence)
        r2lo, r2hi = percentile_ci(r2s[:, None], confidence)
        r2lo, r2hi = float(r2lo[0]), float(r2hi[0])
    else:
        lo = hi = slo = shi = np.full(p, np.nan)
        r2lo = r2hi = np.nan
    out = pd.DataFrame({"outcome": outcome, "driver": drivers_l, "beta": beta, "raw_weight": raw,
                        "raw_weight_ci_low": lo, "raw_weight_ci_high": hi, "share": raw / r2, "share_ci_low": slo,
                        "share_ci_high": shi, "rank": _rank_desc(raw), "r2": r2, "r2_ci_low": r2lo,
                        "r2_ci_high": r2hi, "n": n})
    return out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)


def _boot_wls(x1: np.ndarray, y: np.ndarray, w: np.ndarray, n_boot: int, seed,
              chunk_cells: int = 4_000_000) -> np.ndarray:
    """Weighted least-squares coefficients (n_boot, k) of bootstrap resamples of the rows.

    A resample is a row count vector c; its normal equations ``X'(c w)X b = X'(c w)y`` come from
    one matrix product of the counts with the rows' distinct cross-products (as :func:`_boot_corr`).
    The drivers are centred first (the slopes do not change) so the equations are well conditioned.
    """
    rng = np.random.default_rng(seed)
    n, k = x1.shape
    xc = x1.copy()
    xc[:, 1:] -= np.average(x1[:, 1:], axis=0, weights=w)
    iu, ju = np.triu_indices(k)
    prods = np.ascontiguousarray(np.hstack([xc[:, iu] * xc[:, ju], xc * y[:, None]]).T * w)  # (kk + k, n)
    chunk = max(1, min(n_boot, chunk_cells // max(n, 1)))
    out, done = [], 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n).astype(float)
        del idx
        mom = (prods @ counts.T).T
        A = np.empty((b, k, k))
        A[:, iu, ju] = mom[:, :len(iu)]
        A[:, ju, iu] = mom[:, :len(iu)]
        rhs = mom[:, len(iu):]
        try:
            coef = np.linalg.solve(A, rhs[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            coef = (np.linalg.pinv(A, hermitian=True) @ rhs[:, :, None])[:, :, 0]
        out.append(coef)
        done += b
    return np.concatenate(out)


def regression_coefficients(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    weights: str | None = None,
    n_boot: int = 500,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Multiple-regression coefficients of the drivers (OLS, or WLS with survey weights) with bootstrap CIs.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        Numeric outcome column.
    drivers : list of str
        At least 2 numeric driver columns.
    weights : str, optional
        Column of non-negative survey weights: weighted least squares (rows with weight 0 are ignored).
    n_boot : int, default 500
        Bootstrap resamples of the rows for the percentile CIs (0: no CIs).
    seed : int, optional
        Seed of the bootstrap.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per driver, in the given order: ``outcome, driver, coef, ci_low, ci_high, beta,
        r2, n, n_eff``.  ``coef`` is the change in the outcome (its points) per point of the driver,
        the other drivers held constant, sign kept; ``ci_low``/``ci_high`` its percentile bootstrap
        interval; ``beta`` the standardized coefficient (``coef x SD(driver) / SD(outcome)``,
        weighted SDs with weights); ``r2`` the model's (weighted) R²; ``n`` complete rows (listwise
        deletion on outcome + drivers), ``n_eff`` Kish's effective sample size (``n`` unweighted).
        ``attrs["intercept"]`` holds the intercept.

    Notes
    -----
    Point estimates: ``pingouin.linear_regression`` (weighted least squares when ``weights``; equal to
    ``statsmodels`` OLS/WLS ``params``).  Bootstrap: rows resampled with their weights (Efron &
    Tibshirani 1993), the (weighted) normal equations of all resamples solved at once; percentile
    intervals, which need no normality and no model-based standard error (WLS standard errors would
    treat survey weights as precision weights).  Stratification and clustering are ignored.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cem_research.stats import regression_coefficients
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(300, 2)), columns=["x1", "x2"])
    >>> df["y"] = 2 * df.x1 - 0.5 * df.x2 + rng.normal(size=300)
    >>> out = regression_coefficients(df, "y", ["x1", "x2"], n_boot=200)
    >>> np.round(out["coef"], 1).tolist(), bool((out["ci_low"] < out["coef"]).all())
    ([2.0, -0.5], True)
    """
    func = "regression_coefficients"
    check_confidence(confidence, func)
    check_boot(n_boot, func)
    drivers_l, z = _driver_frame(data, outcome, drivers, func)
    keep = data[[outcome, *drivers_l]].astype(float).notna().all(axis=1).to_numpy()
    w = check_weights(data, weights, func)
    w = np.ones(len(z)) if w is None else w[keep]
    pos = w > 0
    z, w = z[pos], w[pos]
    n, p = z.shape[0], len(drivers_l)
    if n <= p + 2:
        raise ValueError(f"{func}: expected more than {p + 2} complete rows with a positive weight, got {n}")
    lr = pg.linear_regression(z[:, 1:], z[:, 0], weights=None if weights is None else w, coef_only=False)
    coef = lr["coef"].to_numpy(dtype=float)
    r2 = float(lr["r2"].iloc[0])
    mean = np.average(z, axis=0, weights=w)
    sd = np.sqrt(np.average((z - mean) ** 2, axis=0, weights=w))
    if n_boot > 0:
        x1 = np.column_stack([np.ones(n), z[:, 1:]])
        lo, hi = percentile_ci(_boot_wls(x1, z[:, 0], w, n_boot, seed)[:, 1:], confidence)
    else:
        lo = hi = np.full(p, np.nan)
    out = pd.DataFrame({"outcome": outcome, "driver": drivers_l, "coef": coef[1:], "ci_low": lo, "ci_high": hi,
                        "beta": coef[1:] * sd[1:] / sd[0], "r2": r2, "n": n,
                        "n_eff": float(w.sum() ** 2 / (w**2).sum())})
    out.attrs["intercept"] = float(coef[0])
    return out


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
        check_frame(f, ["driver", "rank"], f"driver_agreement ({nm})")
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
    check_frame(data, [importance, performance, label], "importance_performance")
    check_numeric(data, [importance, performance], "importance_performance")
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
