"""Survey weighting: raking (iterative proportional fitting) to target margins, with trimming.

A client may declare target margins for its segment columns in ``client.yaml``::

    weighting:
      targets:                 # target shares per segment column; each set must sum to 1
        age_group: {18-29: 0.25, 30-44: 0.30, 45-59: 0.25, 60+: 0.20}
        cust_type: {B2C: 0.7, B2B: 0.3}
      by_wave: true            # rake each wave separately (default true)
      trim: [0.3, 3.0]         # keep weights in this range relative to mean 1 (default; null: no trimming)

The key is parsed when ``client.yaml`` is loaded (:mod:`cem_research.client.options.weighting`, the
spec is ``cfg.weighting``); :func:`compute_weights` rakes the **own-brand** rows
(``brand_kind == "own"``) to the targets with :func:`rake` and stores the result as the ``weight``
column of ``ratings.parquet`` (see :func:`apply_weighting`, called by
:mod:`cem_research.client.processing`).  Rows rating a competitor keep weight 1 (or the weight the
client supplied in ``survey.weight``): the targets describe the client's own customers, not the
competitors' raters.  When ``survey.weight`` is declared, those weights are the *base* (design)
weights that raking starts from.

Raking
------
Iterative proportional fitting (Deming & Stephan 1940; Kalton & Flores-Cervantes 2003, *J.
Official Statistics* 19, 81-97): the weights are multiplied, one segment column after the
other, by ``target share / current weighted share`` of the respondent's level, until every
weighted margin is within ``tolerance`` of its target.  Each step keeps the sum of the weights,
so they keep mean 1.  With ``trim`` the weights start trimmed to ``[low, high]`` and every
step is a *bounded* adjustment: the level's weights are scaled by the factor that reaches the
level's target once weights that would leave the bounds are held at the bound -- trimming and
re-raking in one move, repeated until margins and bounds hold together.  When they cannot
(a target out of reach within the bounds) raking stops after ``max_iter`` cycles with the
weights trimmed, and the remaining margin gap is reported (``meta.json`` and the notebook).
Weights are normalised to mean 1 in each wave (``by_wave: true``) or over all waves
(``by_wave: false``, where the pooled sample is raked).

Libraries: ``ipfn`` (last release 2021), ``weightipy`` (pulls in watchdog and requests) and
``samplics`` (polars, statsmodels; superseded by ``svy``) were considered; the algorithm is 30
lines of numpy, so it is implemented here and tested against a hand-computed example.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cem_research.client.config import CONFIG_FILE, ClientConfig
from cem_research.client.errors import ContractError
from cem_research.client.options.weighting import WeightingSpec

STALL_WINDOW = 50  # raking stops early when the margin error has not fallen over this many cycles

__all__ = ["WeightingSpec", "RakeResult", "rake", "trim_weights", "compute_weights", "apply_weighting"]

@dataclass
class RakeResult:
    """Output of :func:`rake`: weights (mean 1), iterations used, convergence and the largest
    remaining gap between a weighted margin and its target."""

    weights: np.ndarray
    iterations: int
    converged: bool
    max_error: float
    details: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# the algorithm
# ---------------------------------------------------------------------------------------------


def trim_weights(weights, low: float, high: float, max_iter: int = 1000) -> np.ndarray:
    """Weights rescaled to mean 1 and kept within ``[low, high]``.

    Clip to the bounds, renormalise to mean 1, and repeat until the bounds hold after
    renormalising (the trimmed excess is spread over the other weights in proportion to their
    size); a last clip guarantees the bounds (the mean then differs from 1 by rounding only).

    Parameters
    ----------
    weights : array-like
        Positive weights.
    low, high : float
        Bounds relative to a mean weight of 1, ``0 < low <= 1 <= high``.
    max_iter : int, default 1000

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> w = trim_weights([0.1, 1, 1, 1, 6.9], 0.5, 2.0)
    >>> bool(w.min() >= 0.5 and w.max() <= 2.0), round(float(w.mean()), 6)
    (True, 1.0)
    """
    if not 0 < low <= 1 <= high:
        raise ValueError(f"trim_weights: expected 0 < low <= 1 <= high, got {low}, {high}")
    w = np.asarray(weights, dtype=float)
    w = w / w.mean()
    for _ in range(max_iter):
        if w.min() >= low * (1 - 1e-12) and w.max() <= high * (1 + 1e-12):
            break
        w = np.clip(w, low, high)
        w = w / w.mean()
    return np.clip(w, low, high)


def _margins(codes: list[np.ndarray], sizes: list[int], w: np.ndarray) -> list[np.ndarray]:
    total = w.sum()
    return [np.bincount(c, weights=w, minlength=k) / total for c, k in zip(codes, sizes)]


def rake(codes, targets, base=None, tolerance: float = 1e-10, max_iter: int = 2000,
         trim: tuple[float, float] | None = None) -> RakeResult:
    """Raking (iterative proportional fitting) of weights to target margins.

    Parameters
    ----------
    codes : list of array-like of int
        One array per weighting variable: each respondent's level as an integer ``0..k-1``.
    targets : list of array-like of float
        One array per variable: the target share of each level (length ``k``, summing to 1).
    base : array-like, optional
        Starting (design) weights; default all 1.
    tolerance : float, default 1e-10
        Stop when every weighted margin is within this of its target (absolute share).
    max_iter : int, default 2000
        Maximum number of full cycles over the variables (raking stops earlier, not converged, when
        the largest margin error has not fallen over :data:`STALL_WINDOW` cycles).
    trim : (low, high), optional
        Keep the weights within these bounds (relative to mean 1): start from trimmed weights and
        scale each level by the factor that reaches its target with weights held at the bounds.

    Returns
    -------
    RakeResult
        ``weights`` (mean 1), ``iterations``, ``converged``, ``max_error`` (the largest
        ``|weighted share - target|`` at the end).

    Notes
    -----
    Each cycle multiplies, for every variable in turn, the weight of a respondent in level
    :math:`l` by :math:`t_l / \\hat p_l(w)` (target over current weighted share). Deming, W. E. &
    Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency table when the
    expected marginal totals are known. *Ann. Math. Statist.*, 11, 427-444.

    Examples
    --------
    >>> r = rake([[0, 0, 1, 1], [0, 1, 0, 1]], [[0.5, 0.5], [0.25, 0.75]])
    >>> r.converged, r.weights.round(3).tolist()
    (True, [0.5, 1.5, 0.5, 1.5])
    """
    codes = [np.asarray(c, dtype=np.intp) for c in codes]
    targets = [np.asarray(t, dtype=float) for t in targets]
    if not codes or len(codes) != len(targets):
        raise ValueError("rake: expected one target array per code array")
    n = codes[0].size
    if n == 0 or any(c.size != n for c in codes):
        raise ValueError("rake: expected code arrays of one common, non-zero length")
    sizes = [t.size for t in targets]
    for c, k in zip(codes, sizes):
        if c.min() < 0 or c.max() >= k:
            raise ValueError("rake: a code is outside 0..k-1 of its target array")
    w = np.ones(n) if base is None else np.asarray(base, dtype=float).copy()
    if w.shape != (n,) or not np.isfinite(w).all() or (w <= 0).any():
        raise ValueError("rake: expected positive, finite base weights, one per respondent")
    for share, t in zip(_margins(codes, sizes, w), targets):
        empty = (share == 0) & (t > 0)
        if empty.any():
            raise ValueError(f"rake: level(s) {np.flatnonzero(empty).tolist()} have a target but no respondent")
    w = trim_weights(w, *trim) if trim else w / w.mean()
    total = w.sum()
    err = np.inf
    history: list[float] = []
    for it in range(1, max_iter + 1):
        for c, t, k in zip(codes, targets, sizes):
            if trim is None:
                share = np.bincount(c, weights=w, minlength=k) / w.sum()
                with np.errstate(divide="ignore", invalid="ignore"):
                    factor = np.where(share > 0, t / share, 0.0)
                w = w * factor[c]
            else:
                for lev in range(k):
                    m = c == lev
                    if m.any():
                        w[m] = _bounded_scale(w[m], t[lev] * total, *trim)
        err = max(float(np.abs(m - t).max()) for m, t in zip(_margins(codes, sizes, w), targets))
        if err <= tolerance:
            return RakeResult(w / w.mean(), it, True, err)
        history.append(err)
        if len(history) > STALL_WINDOW and err >= history[-STALL_WINDOW - 1] * (1 - 1e-9):
            break  # no progress any more: the targets cannot be met (within the trim bounds)
    w = trim_weights(w, *trim) if trim else w / w.mean()
    return RakeResult(w, it, False, err)


def _bounded_scale(w: np.ndarray, target: float, low: float, high: float) -> np.ndarray:
    """``clip(f * w, low, high)`` with the factor ``f`` that makes it sum to ``target``; all weights at a
    bound when the target is out of reach.

    ``g(f) = sum clip(f w_i, low, high)`` is increasing and piecewise linear in ``f`` with breakpoints
    ``low / w_i`` and ``high / w_i``; it is evaluated at every breakpoint with sorted weights and cumulative
    sums, and solved exactly on the segment where it crosses ``target``.
    """
    n = w.size
    if target <= n * low:
        return np.full(n, low)
    if target >= n * high:
        return np.full(n, high)
    ws = np.sort(w)
    cum = np.concatenate([[0.0], np.cumsum(ws)])
    bps = np.unique(np.concatenate([low / ws, high / ws]))

    def parts(f):
        i_lo = np.searchsorted(ws, low / f, side="right")   # w_i f <= low: held at low
        i_hi = np.searchsorted(ws, high / f, side="left")   # w_i f >= high: held at high
        return i_lo * low + (n - i_hi) * high, cum[i_hi] - cum[i_lo]

    a, b = parts(bps)
    g = a + b * bps
    j = int(np.searchsorted(g, target))  # first breakpoint with g >= target (0 < j < len(bps))
    if j < len(bps) and np.isclose(g[j], target, rtol=1e-15, atol=0):
        f = bps[j]
    else:
        mid = 0.5 * (bps[j - 1] + bps[j]) if 0 < j < len(bps) else (bps[0] * 0.5 if j == 0 else bps[-1] * 2)
        a_m, b_m = parts(np.array([mid]))
        f = float((target - a_m[0]) / b_m[0]) if b_m[0] > 0 else mid
    return np.clip(w * f, low, high)


# ---------------------------------------------------------------------------------------------
# weights for a client's ratings
# ---------------------------------------------------------------------------------------------


def _wave_order(ratings: pd.DataFrame, cfg: ClientConfig) -> list:
    present = list(pd.unique(ratings["wave"].dropna()))
    if cfg.waves:
        return [w for w in cfg.waves if w in present] + [w for w in present if w not in cfg.waves]
    try:
        return sorted(present)
    except TypeError:
        return present


def compute_weights(cfg: ClientConfig, ratings: pd.DataFrame,
                    spec: WeightingSpec | None = None) -> tuple[pd.Series, dict]:
    """Raked weights for the own-brand rows of a ratings table (weight 1 elsewhere).

    Parameters
    ----------
    cfg : ClientConfig
    ratings : DataFrame
        The ratings table of :func:`cem_research.client.contract.read_client` (``brand_kind``, ``wave``,
        ``row``, the segment columns, and ``weight`` when ``survey.weight`` is declared).
    spec : WeightingSpec, optional
        Default ``cfg.weighting`` (parsed from ``client.yaml``).

    Returns
    -------
    (Series, dict)
        The weights (index of ``ratings``; own-brand rows raked and normalised to mean 1 per wave
        -- per all waves with ``by_wave: false``; other rows their supplied weight or 1) and a
        JSON-ready summary of the raking (stored in ``meta.json`` under ``weighting``).

    Raises
    ------
    ContractError
        A blank in a weighting column (naming the survey file, column and rows); a level in the
        data without a target (naming column, level and rows); a target for a level that no
        own-brand respondent has (naming column, level and wave).
    """
    spec = spec or cfg.weighting
    if spec is None:
        raise ValueError("compute_weights: the client declares no 'weighting:'")
    survey_file = cfg.survey.file
    own = (ratings["brand_kind"] == "own").to_numpy()
    supplied = "weight" in ratings
    weights = ratings["weight"].astype(float).copy() if supplied else pd.Series(1.0, index=ratings.index)
    waves = _wave_order(ratings[own], cfg)
    groups = [(w, own & (ratings["wave"] == w).to_numpy()) for w in waves] if spec.by_wave else [(None, own)]
    summary_waves, margins = [], []
    for wave, mask in groups:
        sub = ratings[mask]
        if sub.empty:
            continue
        where = f" in wave '{wave}'" if wave is not None else ""
        codes, targets, levels_of = [], [], {}
        for col, shares in spec.targets.items():
            vals = sub[col]
            blank = vals.isna() | (vals.astype("string").str.strip() == "")
            if blank.any():
                raise ContractError(f"blank answer in weighting column '{col}': raking needs every own-brand "
                                    "respondent's level (fill it, e.g. with 'unknown', and give that level a "
                                    "target)", client=cfg.client, file=survey_file, column=col,
                                    rows=sub.loc[blank, "row"])
            vals = vals.astype(str)
            unknown = sorted(set(vals) - set(shares))
            if unknown:
                bad = unknown[0]
                raise ContractError(f"level '{bad}' occurs in the data but has no target in "
                                    f"'weighting.targets.{col}' of client.yaml; add its target share",
                                    client=cfg.client, file=survey_file, column=col,
                                    rows=sub.loc[vals == bad, "row"])
            absent = [lv for lv in shares if not (vals == lv).any()]
            if absent:
                raise ContractError(f"'weighting.targets.{col}' has a target for level '{absent[0]}', but no "
                                    f"own-brand respondent has that level{where}; remove the target (and "
                                    "rescale the others) or check the spelling", client=cfg.client,
                                    file=CONFIG_FILE, column=col)
            lv = list(shares)
            levels_of[col] = lv
            codes.append(vals.map({l: i for i, l in enumerate(lv)}).to_numpy(dtype=np.intp))
            targets.append(np.array([shares[l] for l in lv]))
        base = weights[mask].to_numpy(dtype=float)
        res = rake(codes, targets, base=base, tolerance=spec.tolerance, max_iter=spec.max_iter, trim=spec.trim)
        weights.loc[mask] = res.weights
        wv = res.weights
        n = int(wv.size)
        n_eff = float(wv.sum() ** 2 / np.sum(wv ** 2))
        summary_waves.append({
            "wave": "all waves" if wave is None else str(wave), "n": n, "n_eff": n_eff, "deff": n / n_eff,
            "min": float(wv.min()), "max": float(wv.max()), "cv": float(wv.std() / wv.mean()),
            "trimmed": int(np.sum(np.isclose(wv, spec.trim[0]) | np.isclose(wv, spec.trim[1]))) if spec.trim else 0,
            "iterations": res.iterations, "converged": bool(res.converged), "max_margin_error": res.max_error})
        for col, code, t in zip(spec.targets, codes, targets):
            counts = np.bincount(code, minlength=t.size)
            wshare = np.bincount(code, weights=wv, minlength=t.size) / wv.sum()
            for i, lv in enumerate(levels_of[col]):
                margins.append({"wave": "all waves" if wave is None else str(wave), "column": col, "level": lv,
                                "n": int(counts[i]), "sample_share": float(counts[i] / n), "target": float(t[i]),
                                "weighted_share": float(wshare[i])})
    meta = {"targets": spec.targets, "by_wave": spec.by_wave, "trim": list(spec.trim) if spec.trim else None,
            "base": f"survey.weight column '{cfg.survey.col('weight')}'" if supplied else "equal",
            "tolerance": spec.tolerance, "max_iter": spec.max_iter, "waves": summary_waves, "margins": margins}
    return weights, meta


def apply_weighting(cfg: ClientConfig, ratings: pd.DataFrame) -> tuple[pd.DataFrame, dict | None]:
    """Add the raked ``weight`` column to ``ratings`` when the client declares ``weighting:``.

    Returns
    -------
    (DataFrame, dict or None)
        ``ratings`` unchanged and ``None`` without ``weighting:``; else a copy with ``weight``
        (placed after ``brand_kind`` when new) and the summary of :func:`compute_weights`.
    """
    spec = cfg.weighting
    if spec is None:
        return ratings, None
    w, meta = compute_weights(cfg, ratings, spec)
    out = ratings.copy()
    if "weight" in out:
        out["weight"] = w.to_numpy(dtype=float)
    else:
        pos = list(out.columns).index("brand_kind") + 1 if "brand_kind" in out else len(out.columns)
        out.insert(pos, "weight", w.to_numpy(dtype=float))
    return out, meta
