"""Agreement between coders of open answers: Cohen's kappa and Krippendorff's alpha (nominal)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cem_research.stats.common import check_boot, check_confidence, percentile_ci, z_crit

__all__ = ["cohen_kappa", "krippendorff_alpha_nominal"]


def cohen_kappa(a, b, confidence: float = 0.95) -> pd.DataFrame:
    """Cohen's kappa for two raters' nominal codes, with an asymptotic CI.

    Parameters
    ----------
    a, b : array-like or pandas.Series
        Codes of rater A and rater B for the same units (same length); pairs with a missing
        code are dropped.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row: ``n, k, po, pe, kappa, se, ci_low, ci_high`` (``k`` categories used,
        ``po`` observed and ``pe`` chance agreement).

    Notes
    -----
    :math:`\\kappa = (p_o - p_e)/(1 - p_e)`, :math:`p_e = \\sum_i p_{i\\cdot}p_{\\cdot i}`
    (Cohen 1960, *Educ. Psychol. Meas.*, 20, 37-46). Standard error of Fleiss, Cohen & Everitt
    (1969, *Psychol. Bull.*, 72, 323-327):
    :math:`\\widehat{Var} = \\frac{A + B - C}{n(1-p_e)^2}`, with
    :math:`A = \\sum_i p_{ii}[1-(p_{i\\cdot}+p_{\\cdot i})(1-\\kappa)]^2`,
    :math:`B = (1-\\kappa)^2\\sum_{i\\ne j}p_{ij}(p_{\\cdot i}+p_{j\\cdot})^2`,
    :math:`C = [\\kappa - p_e(1-\\kappa)]^2`; normal CI clipped to [-1, 1]. Weights not supported.

    Examples
    --------
    >>> from cem_research.stats import cohen_kappa
    >>> a = ["y"] * 25 + ["n"] * 25
    >>> b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    >>> round(float(cohen_kappa(a, b)["kappa"].iloc[0]), 3)
    0.4
    """
    check_confidence(confidence, "cohen_kappa")
    sa = pd.Series(np.asarray(a, dtype=object))
    sb = pd.Series(np.asarray(b, dtype=object))
    if sa.ndim != 1 or len(sa) != len(sb):
        raise ValueError(f"cohen_kappa: expected two 1-d code sequences of equal length, got {len(sa)} and {len(sb)}")
    keep = sa.notna() & sb.notna()
    sa, sb = sa[keep], sb[keep]
    n = len(sa)
    if n < 2:
        raise ValueError(f"cohen_kappa: expected at least 2 units coded by both raters, got {n}")
    cats = list(pd.unique(pd.concat([sa, sb], ignore_index=True)))
    ia = pd.Categorical(sa, categories=cats).codes
    ib = pd.Categorical(sb, categories=cats).codes
    k = len(cats)
    table = np.zeros((k, k))
    np.add.at(table, (ia, ib), 1)
    p = table / n
    pr, pc = p.sum(axis=1), p.sum(axis=0)
    po = float(np.trace(p))
    pe = float(pr @ pc)
    if pe >= 1:
        kappa = se = lo = hi = np.nan
    else:
        kappa = (po - pe) / (1 - pe)
        diag = np.diag(p)
        A = float(np.sum(diag * (1 - (pr + pc) * (1 - kappa)) ** 2))
        off = ~np.eye(k, dtype=bool)
        B = float((1 - kappa) ** 2 * np.sum((p * (pc[:, None] + pr[None, :]) ** 2)[off]))
        C = float((kappa - pe * (1 - kappa)) ** 2)
        se = math.sqrt(max(A + B - C, 0.0) / (n * (1 - pe) ** 2))
        z = z_crit(confidence)
        lo, hi = max(-1.0, kappa - z * se), min(1.0, kappa + z * se)
    return pd.DataFrame([{"n": n, "k": k, "po": po, "pe": pe, "kappa": kappa, "se": se,
                          "ci_low": lo, "ci_high": hi}])


def _kripp_alpha_from_coincidence(o: np.ndarray) -> np.ndarray:
    """Nominal alpha from stacked coincidence matrices (b, c, c)."""
    nc = o.sum(axis=2)
    n = nc.sum(axis=1)
    d_o = n - np.einsum("bii->b", o)
    d_e = (n**2 - np.sum(nc**2, axis=1)) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d_e > 0, 1 - d_o / d_e, np.nan)


def krippendorff_alpha_nominal(
    codes_frame: pd.DataFrame, n_boot: int = 500, seed: int | None = 0, confidence: float = 0.95
) -> pd.DataFrame:
    """Krippendorff's alpha for nominal codes (2 or more coders, missing codes allowed).

    Parameters
    ----------
    codes_frame : pandas.DataFrame
        One row per unit, one column per coder; NaN where a coder did not code the unit.
    n_boot : int, default 500
        Bootstrap resamples of units for the percentile CI (0: no CI).
    seed : int, optional
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row: ``n_units, n_coders, n_values, alpha, ci_low, ci_high`` where ``n_units``
        counts pairable units (coded by at least 2 coders) and ``n_values`` the codes in them.
        ``alpha`` is NaN when all pairable codes are identical (no variation).

    Notes
    -----
    Coincidence matrix :math:`o_{ck} = \\sum_u \\frac{\\#(c,k \\text{ pairs in } u)}{m_u - 1}`,
    :math:`n_c = \\sum_k o_{ck}`, :math:`n = \\sum_c n_c`;
    :math:`\\alpha = 1 - (n-1)\\frac{\\sum_{c \\ne k} o_{ck}}{\\sum_{c \\ne k} n_c n_k}`
    (Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School,
    U. Pennsylvania; *Content Analysis*, 2004, ch. 11). The CI resamples units (percentile
    bootstrap), a simpler scheme than Krippendorff's own. Weights not supported.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import krippendorff_alpha_nominal
    >>> codes = pd.DataFrame({"c1": list("aabbcc"), "c2": list("aabbca")})
    >>> round(float(krippendorff_alpha_nominal(codes, n_boot=0)["alpha"].iloc[0]), 3)
    0.766
    """
    if not isinstance(codes_frame, pd.DataFrame):
        raise ValueError(
            f"krippendorff_alpha_nominal: expected a DataFrame (units x coders), got {type(codes_frame).__name__}"
        )
    if codes_frame.shape[1] < 2:
        raise ValueError(f"krippendorff_alpha_nominal: expected at least 2 coder columns, got {codes_frame.shape[1]}")
    check_confidence(confidence, "krippendorff_alpha_nominal")
    check_boot(n_boot, "krippendorff_alpha_nominal")
    frame = codes_frame.reset_index(drop=True)
    long = frame.melt(ignore_index=False)["value"].dropna()  # index = unit position
    upos = long.index.to_numpy()
    inv, cats = pd.factorize(long.to_numpy())
    c = len(cats)
    counts = np.zeros((len(frame), max(c, 1)))
    if c:
        np.add.at(counts, (upos, inv), 1)
    m = counts.sum(axis=1)
    pair = m >= 2
    counts, m = counts[pair], m[pair]
    n_units = int(pair.sum())
    if n_units < 1:
        raise ValueError("krippendorff_alpha_nominal: expected at least one unit coded by 2 or more coders")
    # per-unit coincidence matrices, flattened: (n_u c_u c_k - delta n_u c) / (m_u - 1)
    ou = (counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(counts.shape[1])[None]) / (
        m - 1
    )[:, None, None]
    flat = ou.reshape(n_units, -1)
    cc = counts.shape[1]
    alpha = float(_kripp_alpha_from_coincidence(flat.sum(axis=0).reshape(1, cc, cc))[0])
    lo = hi = np.nan
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n_units, size=(n_boot, n_units))
        w = np.bincount((idx + (np.arange(n_boot) * n_units)[:, None]).ravel(), minlength=n_boot * n_units)
        w = w.reshape(n_boot, n_units).astype(float)
        boot = _kripp_alpha_from_coincidence((w @ flat).reshape(n_boot, cc, cc))
        lo_a, hi_a = percentile_ci(boot[:, None], confidence)
        lo, hi = float(lo_a[0]), float(hi_a[0])
    return pd.DataFrame([{"n_units": n_units, "n_coders": codes_frame.shape[1], "n_values": int(m.sum()),
                          "alpha": alpha, "ci_low": lo, "ci_high": hi}])
