"""Survey weighting: raking (iterative proportional fitting) to target margins, with trimming.

A client may declare target margins for its segment columns in ``client.yaml``::

    weighting:
      targets:                 # target shares per segment column; each set must sum to 1
        age_group: {18-29: 0.25, 30-44: 0.30, 45-59: 0.25, 60+: 0.20}
        cust_type: {B2C: 0.7, B2B: 0.3}
      by_wave: true            # rake each wave separately (default true)
      trim: [0.3, 3.0]         # keep weights in this range relative to mean 1 (default; null: no trimming)

:func:`parse_weighting` validates the key (one-line :class:`~cem_research.client.errors.ContractError`
naming client and ``client.yaml``); :func:`compute_weights` rakes the **own-brand** rows
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

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cem_research.client.config import CONFIG_FILE, ClientConfig, suggest
from cem_research.client.errors import ContractError

KEYS = {"targets", "by_wave", "trim", "max_iter", "tolerance"}
DEFAULT_TRIM = (0.3, 3.0)
STALL_WINDOW = 50  # raking stops early when the margin error has not fallen over this many cycles
SUM_TOLERANCE = 1e-3  # shares written with three decimals (0.333, 0.333, 0.334) are accepted
STEP = 1
SECTION = "Survey weighting"

__all__ = [
    "WeightingSpec", "RakeResult", "parse_weighting", "rake", "trim_weights", "compute_weights",
    "apply_weighting", "is_declared", "margins_table", "weight_summary", "weighting_finding",
    "weighting_figure", "section_intro", "unweighted_note", "SECTION",
]


@dataclass(frozen=True)
class WeightingSpec:
    """A validated ``weighting:`` key (see the module docstring)."""

    targets: dict[str, dict[str, float]]
    by_wave: bool = True
    trim: tuple[float, float] | None = DEFAULT_TRIM
    max_iter: int = 2000
    tolerance: float = 1e-10


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
# validation
# ---------------------------------------------------------------------------------------------


def _err(cfg: ClientConfig, message: str, column: str | None = None) -> ContractError:
    return ContractError(message, client=cfg.client, file=CONFIG_FILE, column=column)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def parse_weighting(cfg: ClientConfig) -> WeightingSpec | None:
    """Validate ``weighting:`` of ``client.yaml`` (``None`` when the client declares none).

    Parameters
    ----------
    cfg : ClientConfig
        Its ``extras["weighting"]`` holds the raw YAML value.

    Returns
    -------
    WeightingSpec or None

    Raises
    ------
    ContractError
        One line naming the client and ``client.yaml``: unknown key (with the nearest valid
        key), no targets, a target column that is not a declared segment, a share that is not a
        positive number, shares of a column not summing to 1, a bad ``by_wave`` or ``trim``.
    """
    if "weighting" not in cfg.extras:
        return None
    raw = cfg.extras["weighting"]
    if not isinstance(raw, dict):
        raise _err(cfg, f"'weighting' must be a mapping with 'targets' (and optionally by_wave, trim), "
                        f"got {type(raw).__name__}")
    for key in raw:
        if key not in KEYS:
            raise _err(cfg, f"unknown key '{key}' in weighting{suggest(key, KEYS)}")
    targets_raw = raw.get("targets")
    if not isinstance(targets_raw, dict) or not targets_raw:
        raise _err(cfg, "'weighting.targets' must map segment columns to their target shares, "
                        "e.g. targets: {age_group: {18-29: 0.3, 30+: 0.7}}")
    targets: dict[str, dict[str, float]] = {}
    for col, shares in targets_raw.items():
        col = str(col)
        where = f"weighting.targets.{col}"
        if col not in cfg.segments:
            close = difflib.get_close_matches(col, sorted(cfg.segments), n=1, cutoff=0.6)
            hint = (f"; did you mean '{close[0]}'?" if close else
                    f"; declared segments: {', '.join(cfg.segments) or 'none'}")
            raise _err(cfg, f"'{where}': '{col}' is not a declared segment column (weighting columns "
                            f"must be listed under 'segments'){hint}", column=col)
        if not isinstance(shares, dict) or len(shares) < 2:
            raise _err(cfg, f"'{where}' must map at least two levels to their target shares, got {shares!r}",
                       column=col)
        levels: dict[str, float] = {}
        for level, share in shares.items():
            if isinstance(level, bool):
                raise _err(cfg, f"'{where}' has the level {level!r}, which YAML read as true/false: quote "
                                "the level (e.g. 'yes': 0.4)", column=col)
            if not _is_number(share) or not 0 < float(share) <= 1:
                raise _err(cfg, f"'{where}': the target share of level '{level}' must be a number in (0, 1], "
                                f"got {share!r}", column=col)
            if str(level) in levels:
                raise _err(cfg, f"'{where}' lists level '{level}' twice", column=col)
            levels[str(level)] = float(share)
        total = sum(levels.values())
        if abs(total - 1) > SUM_TOLERANCE:
            raise _err(cfg, f"'{where}': target shares must sum to 1, they sum to {total:.4g}", column=col)
        targets[col] = {k: v / total for k, v in levels.items()}
    by_wave = raw.get("by_wave", True)
    if not isinstance(by_wave, bool):
        raise _err(cfg, f"'weighting.by_wave' must be true or false, got {by_wave!r}")
    trim_raw = raw.get("trim", list(DEFAULT_TRIM))
    trim: tuple[float, float] | None
    if trim_raw is None or trim_raw is False:
        trim = None
    else:
        ok = (isinstance(trim_raw, (list, tuple)) and len(trim_raw) == 2 and all(_is_number(v) for v in trim_raw)
              and 0 < float(trim_raw[0]) <= 1 <= float(trim_raw[1]))
        if not ok:
            raise _err(cfg, f"'weighting.trim' must be [low, high] with 0 < low <= 1 <= high (relative to a "
                            f"mean weight of 1), or null for no trimming; got {trim_raw!r}")
        trim = (float(trim_raw[0]), float(trim_raw[1]))
    max_iter = raw.get("max_iter", 2000)
    if not isinstance(max_iter, int) or isinstance(max_iter, bool) or max_iter < 1:
        raise _err(cfg, f"'weighting.max_iter' must be a positive whole number, got {max_iter!r}")
    tol = raw.get("tolerance", 1e-10)
    if not _is_number(tol) or not 0 < float(tol) < 0.01:
        raise _err(cfg, f"'weighting.tolerance' must be a number in (0, 0.01), got {tol!r}")
    return WeightingSpec(targets=targets, by_wave=by_wave, trim=trim, max_iter=max_iter, tolerance=float(tol))


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
        Default :func:`parse_weighting` of ``cfg``.

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
    spec = spec or parse_weighting(cfg)
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
    spec = parse_weighting(cfg)
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


# ---------------------------------------------------------------------------------------------
# notebook 01: the "Survey weighting" section
# ---------------------------------------------------------------------------------------------


def is_declared(data) -> bool:
    """Whether the client declares ``weighting:`` (the notebook section appears only then)."""
    return "weighting" in data.config.extras


def _wave_groups(data, spec: WeightingSpec) -> list[tuple[str, pd.DataFrame]]:
    own = data.own
    if spec.by_wave:
        return [(str(w), own[own["wave"] == w]) for w in data.waves if (own["wave"] == w).any()]
    return [("all waves", own)]


def margins_table(data) -> pd.DataFrame | None:
    """Sample, target and weighted share of every level of every weighting column.

    Returns
    -------
    DataFrame or None
        ``wave, column, column_label, level, n, sample_share, target, weighted_share, gap`` for the
        own-brand rows (per wave with ``by_wave: true``, else ``wave = "all waves"``); ``gap =
        weighted_share - target`` (zero when raking converged). ``None`` without ``weighting:``.
    """
    if not is_declared(data) or "weight" not in data.ratings:
        return None
    cfg = data.config
    spec = parse_weighting(cfg)
    rows = []
    for wave, sub in _wave_groups(data, spec):
        w = sub["weight"].to_numpy(dtype=float)
        for col, shares in spec.targets.items():
            vals = sub[col].astype(str).to_numpy()
            for lv, t in shares.items():
                hit = vals == lv
                rows.append({"wave": wave, "column": col, "column_label": cfg.segments.get(col, col), "level": lv,
                             "n": int(hit.sum()), "sample_share": float(hit.mean()) if len(hit) else np.nan,
                             "target": t, "weighted_share": float(w[hit].sum() / w.sum()) if len(w) else np.nan})
    out = pd.DataFrame(rows)
    out["gap"] = out["weighted_share"] - out["target"]
    return out


def weight_summary(data) -> pd.DataFrame | None:
    """Distribution of the weights and what they cost in precision, per wave (own brand).

    Returns
    -------
    DataFrame or None
        ``wave, n, min, max, cv, n_eff, deff, trimmed, iterations, converged``: ``cv`` the
        coefficient of variation of the weights (SD / mean, population SD), ``n_eff`` Kish's
        effective sample size (:func:`cem_research.stats.effective_sample_size`), ``deff = n /
        n_eff = 1 + cv²`` the design effect due to weighting, ``trimmed`` weights at a trim bound;
        ``iterations``/``converged`` of the raking (from ``meta.json``).  With more than one wave
        a last row ``all waves`` pools them (the basis of the pooled estimates).  ``None``
        without ``weighting:``.
    """
    if not is_declared(data) or "weight" not in data.ratings:
        return None
    from cem_research.stats import effective_sample_size

    spec = parse_weighting(data.config)
    info = {w["wave"]: w for w in (data.meta.get("weighting") or {}).get("waves", [])}
    own = data.own
    groups = [(str(w), own[own["wave"] == w]) for w in data.waves if (own["wave"] == w).any()]
    if len(groups) > 1 or not groups:
        groups.append(("all waves", own))
    rows = []
    for wave, sub in groups:
        w = sub["weight"].to_numpy(dtype=float)
        n_eff = effective_sample_size(w)
        at = (np.isclose(w / w.mean(), spec.trim[0]) | np.isclose(w / w.mean(), spec.trim[1])) if spec.trim else []
        i = info.get(wave, {})
        rows.append({"wave": wave, "n": int(w.size), "min": float(w.min()), "max": float(w.max()),
                     "cv": float(w.std() / w.mean()), "n_eff": n_eff, "deff": w.size / n_eff,
                     "trimmed": int(np.sum(at)), "iterations": i.get("iterations", np.nan),
                     "converged": i.get("converged", np.nan)})
    out = pd.DataFrame(rows)
    out["iterations"] = out["iterations"].astype("Int64") if out["iterations"].notna().any() else ""
    out["converged"] = out["converged"].map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
    return out


def weighting_finding(margins: pd.DataFrame | None, summary: pd.DataFrame | None) -> dict:
    """The sentence for "Survey weighting": what the weights correct, and what they cost.

    Returns
    -------
    dict
        Keyword arguments for ``findings.record``: ``key="weighting_deff"``, value = the design
        effect of the pooled own-brand sample (no interval).
    """
    if margins is None or summary is None or margins.empty:
        return {"text": "No survey weights were computed.", "key": "weighting_deff", "value": None, "ci": None,
                "headline": False}
    m = margins.assign(raw_gap=(margins["sample_share"] - margins["target"]).abs())
    worst = m.loc[m["raw_gap"].idxmax()]
    cols = list(dict.fromkeys(margins["column_label"]))
    pooled = summary.iloc[-1]
    by_wave = (margins["wave"] != "all waves").any()
    text = (f"Own-brand respondents are weighted (raking{' per wave' if by_wave else ''}) to the target shares of "
            f"{_join(cols)}. The largest imbalance corrected: '{worst['level']}' of {worst['column_label']}"
            f"{'' if worst['wave'] == 'all waves' else ' in ' + str(worst['wave'])} made up "
            f"{100 * worst['sample_share']:.0f}% of the sample against a target of {100 * worst['target']:.0f}%. "
            f"Weights range from {summary['min'].min():.2f} to {summary['max'].max():.2f} (CV {pooled['cv']:.2f}); "
            f"the design effect of {pooled['deff']:.2f} means the {int(pooled['n']):,} own-brand ratings carry the "
            f"precision of {pooled['n_eff']:.0f} unweighted ones.")
    gap = margins["gap"].abs().max()
    if gap > 0.005:
        g = margins.loc[margins["gap"].abs().idxmax()]
        text += (f" The targets are not fully met: {g['column_label']} '{g['level']}'"
                 f"{'' if g['wave'] == 'all waves' else ' in ' + str(g['wave'])} is weighted to "
                 f"{100 * g['weighted_share']:.1f}% against {100 * g['target']:.1f}% (the trim bounds keep the "
                 "weights from going further; widen 'trim' or collect more of that group).")
    else:
        text += " Every weighted margin matches its target."
    return {"text": text, "key": "weighting_deff", "value": float(pooled["deff"]), "ci": None, "headline": False}


def _join(words) -> str:
    words = [str(w) for w in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def weighting_figure(data):
    """Distribution of the own-brand weights per wave (strip of dots and box), trim bounds dashed.

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` without ``weighting:``.
    """
    if not is_declared(data) or "weight" not in data.ratings:
        return None
    import matplotlib.pyplot as plt

    from cem_research.present import plots

    spec = parse_weighting(data.config)
    own = data.own
    waves = [w for w in data.waves if (own["wave"] == w).any()]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(waves) + 1.6))
    rng = np.random.default_rng(0)
    for i, wv in enumerate(waves):
        w = own.loc[own["wave"] == wv, "weight"].to_numpy(dtype=float)
        ax.boxplot(w, positions=[i], vert=False, widths=0.5, showfliers=False,
                   medianprops={"color": plots.OWN}, boxprops={"color": "#52606d"})
        ax.scatter(w, i + rng.uniform(-0.18, 0.18, w.size), s=9, color=plots.OWN, alpha=0.45, lw=0)
    ax.set_yticks(range(len(waves)), [plots.with_n(str(w), int((own["wave"] == w).sum())) for w in waves])
    if spec.trim:
        for b in spec.trim:
            ax.axvline(b, color="#9aa5b1", ls="--", lw=1)
    ax.axvline(1, color="#52606d", lw=0.8)
    ax.set_xlabel("survey weight (mean 1; dashed: trim bounds)")
    ax.set_title("Survey weights of own-brand respondents per wave")
    ax.invert_yaxis()
    return fig


class _SectionMarkdown:
    """Markdown shown as a section of the notebook (the report renders it as a ``##`` heading)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self):
        return self.text, {"cem_research": {"section": True}}

    def __repr__(self) -> str:  # pragma: no cover - plain-text fallback
        return self.text


def section_intro(data) -> _SectionMarkdown | None:
    """The heading and explanation of the "Survey weighting" section, only when declared.

    Returned as an object the notebook displays: clients without ``weighting:`` get nothing,
    so their notebook and report do not change.
    """
    if not is_declared(data):
        return None
    spec = parse_weighting(data.config)
    trim = (f"kept between {spec.trim[0]:g} and {spec.trim[1]:g} times the mean weight (trimmed, then raked "
            "again)" if spec.trim else "not trimmed")
    return _SectionMarkdown(
        f"## {SECTION}\n\n"
        "**What is computed.** The client declared the true make-up of its customer base (target shares in "
        "`client.yaml`). Surveys rarely hit it: some groups answer more readily than others. Each own-brand "
        "respondent gets a **weight** so that the weighted sample has the target shares on every declared "
        "column at once — by *raking* (iterative proportional fitting: adjust to one column's targets, then "
        f"the next, and repeat until all match){' in each wave separately' if spec.by_wave else ''}. "
        f"Weights are normalised to a mean of 1 and {trim}. Every mean, share, NPS and group comparison in "
        "the report uses these weights; competitors' raters keep weight 1.\n\n"
        "**How to read it.** The first table compares the sample's shares with the targets and the weighted "
        "shares (which should equal the targets). The second shows the weights' spread: the more they vary "
        "(CV), the less precise the weighted estimates — Kish's *effective sample size* n_eff = (Σw)²/Σw² is "
        "the number of unweighted respondents that would give the same precision, and the *design effect* "
        "n / n_eff = 1 + CV² says by how much the variance grows. **What would change the conclusion.** "
        "Weighting corrects the mix only on the declared columns, and only if respondents within a group are "
        "like the non-respondents of that group; a design effect above 2, or a group with very few "
        "respondents and a large target, makes weighted results fragile.")


_NOTES = {
    1: ("the Welch ANOVA of segment differences (weights enter the segment means, shares and "
        "Games-Howell pairs), the reliability of constructs within segments (Cronbach's alpha), and the "
        "journey and comment-sentiment sections (touchpoint events and verbatims are not survey rows and "
        "carry no survey weight)"),
    2: ("reliability and item analysis (Cronbach's alpha, item-total correlations), driver importance "
        "(LMG / Shapley and Johnson's relative weights, with their bootstrap intervals) and the "
        "implementation theme (verbatims)"),
    5: ("the reliability of constructs within waves (Cronbach's alpha), driver importance in the innovation "
        "agenda (LMG), the touchpoint analysis (touchpoint events) and emerging themes (verbatims)"),
}


def unweighted_note(data, step: int):
    """A one-off note naming the analyses of a notebook that do not use the survey weights.

    Returns
    -------
    IPython.display.Markdown or None
        ``None`` when the data carry no weights (then nothing is shown) or for a step without a note.
    """
    if getattr(data, "weight", None) is None or step not in _NOTES:
        return None
    from IPython.display import Markdown

    return Markdown(f"*Survey weights are used for every estimate and test that supports them. Unweighted: "
                    f"{_NOTES[step]} — these methods have no weighted form here.*")
