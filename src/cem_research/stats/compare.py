"""Group comparisons: Welch t-tests, Games-Howell, Welch ANOVA, wave changes, multiple-test correction.

:func:`compare_groups` (all pairs, Games-Howell), :func:`omnibus` (Welch's one-way ANOVA),
:func:`compare_to_reference` (one group against every other, several outcomes),
:func:`wave_changes` (consecutive survey waves) and :func:`adjust_pvalues` (Holm and other
corrections over a whole table), :func:`adjusted_interval` (the interval that agrees with a corrected
verdict). Weighted variants use Kish's effective sample size.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research.client.paths import RESOURCES
from cem_research.stats.common import (
    as_list, check_confidence, check_correction, check_frame, check_numeric, check_weights, observed_levels,
    pg, sps, t_crit,
)
from cem_research.stats.descriptive import weighted_summary

__all__ = ["MIN_GROUP", "adjust_pvalues", "adjusted_interval", "with_adjusted_interval", "compare_groups", "omnibus",
           "compare_to_reference", "wave_changes"]

#: Smallest group (segment level, touchpoint experience group) a comparison analyses.
MIN_GROUP = 5


# ---------------------------------------------------------------------------------------------
# two-sample Welch comparison
# ---------------------------------------------------------------------------------------------


def _hedges_from_summary(m1, s1, n1, m2, s2, n2) -> float:
    """Hedges g (pooled SD, small-sample correction 1 - 3/(4(n1+n2)-9)) as in pingouin."""
    dof = n1 + n2 - 2
    if dof <= 0:
        return np.nan
    pooled = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / dof)
    if pooled == 0 or not np.isfinite(pooled):
        return np.nan
    d = (m1 - m2) / pooled
    return d * (1 - 3 / (4 * (n1 + n2) - 9))


def _hedges_ci(g: float, n1: float, n2: float, confidence: float) -> tuple[float, float]:
    if not np.isfinite(g) or n1 < 2 or n2 < 2:
        return np.nan, np.nan
    ci = pg.compute_esci(stat=g, nx=n1, ny=n2, eftype="cohen", confidence=confidence, decimals=12)
    return float(ci[0]), float(ci[1])


def _two_sample(x, y, wx=None, wy=None, confidence: float = 0.95) -> dict:
    """Welch two-sample comparison of x and y (diff = mean x - mean y).

    Unweighted: Welch's t-test of ``scipy.stats.ttest_ind(x, y, equal_var=False)`` (the T, df and p of
    ``pingouin.ttest(x, y, correction=True)``, without the Bayes factor and power pingouin also
    integrates) and ``pingouin.compute_effsize``.
    Weighted: weighted means and SDs with Kish effective n in the Welch formulas.
    """
    sx, sy = weighted_summary(x, wx), weighted_summary(y, wy)
    out = {
        "n_x": sx["n"], "n_y": sy["n"], "mean_x": sx["mean"], "mean_y": sy["mean"],
        "diff": sx["mean"] - sy["mean"], "T": np.nan, "df": np.nan, "ci_low": np.nan,
        "ci_high": np.nan, "hedges": np.nan, "hedges_ci_low": np.nan, "hedges_ci_high": np.nan,
        "p_unc": np.nan,
    }
    if sx["n"] < 2 or sy["n"] < 2 or sx["n_eff"] <= 1 or sy["n_eff"] <= 1:
        return out
    if wx is None and wy is None:
        xa = np.asarray(x, dtype=float)
        ya = np.asarray(y, dtype=float)
        xa, ya = xa[~np.isnan(xa)], ya[~np.isnan(ya)]
        if np.var(xa) == 0 and np.var(ya) == 0:
            return out
        res = sps.ttest_ind(xa, ya, equal_var=False)
        df = float(res.df)
        half = float(t_crit(confidence, df)) * math.sqrt(sx["sd"] ** 2 / sx["n"] + sy["sd"] ** 2 / sy["n"])
        g = float(pg.compute_effsize(xa, ya, paired=False, eftype="hedges"))
        out.update(T=float(res.statistic), df=df, p_unc=float(res.pvalue),
                   ci_low=out["diff"] - half, ci_high=out["diff"] + half, hedges=g)
        n1, n2 = sx["n"], sy["n"]
    else:
        n1, n2 = sx["n_eff"], sy["n_eff"]
        vx, vy = sx["sd"] ** 2 / n1, sy["sd"] ** 2 / n2
        se = math.sqrt(vx + vy)
        if se == 0:
            return out
        df = (vx + vy) ** 2 / (vx**2 / (n1 - 1) + vy**2 / (n2 - 1))
        t = out["diff"] / se
        half = float(t_crit(confidence, df)) * se
        out.update(T=t, df=df, p_unc=float(2 * sps.t.sf(abs(t), df)), ci_low=out["diff"] - half,
                   ci_high=out["diff"] + half,
                   hedges=_hedges_from_summary(sx["mean"], sx["sd"], n1, sy["mean"], sy["sd"], n2))
    out["hedges_ci_low"], out["hedges_ci_high"] = _hedges_ci(out["hedges"], n1, n2, confidence)
    return out


# ---------------------------------------------------------------------------------------------
# multiple comparisons
# ---------------------------------------------------------------------------------------------


def adjust_pvalues(
    frame: pd.DataFrame, column: str = "p_unc", method: str = "holm", alpha: float = 0.05
) -> pd.DataFrame:
    """Correct p-values across all rows of a table (e.g. several tables concatenated).

    Parameters
    ----------
    frame : pandas.DataFrame
    column : str, default "p_unc"
        Column of uncorrected p-values; NaN rows are left NaN and not counted.
    method : {"holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none"}, default "holm"
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        A copy of `frame` with ``p_corr`` (overwritten if present) and ``significant``
        (``p_corr < alpha``; False where NaN).

    Notes
    -----
    Uses ``pingouin.multicomp``. Holm (1979), A simple sequentially rejective multiple test
    procedure, *Scand. J. Statist.*, 6, 65-70: controls the family-wise error rate, uniformly
    more powerful than Bonferroni. Correct once, over the whole family you report.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import adjust_pvalues
    >>> adjust_pvalues(pd.DataFrame({"p_unc": [0.01, 0.04, 0.03]}))["p_corr"].round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"adjust_pvalues: expected a DataFrame, got {type(frame).__name__}")
    check_frame(frame, [column], "adjust_pvalues")
    method = check_correction(method, "adjust_pvalues")
    if not 0 < alpha < 1:
        raise ValueError(f"adjust_pvalues: expected alpha in (0, 1), got {alpha!r}")
    p = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"adjust_pvalues: expected p-values in [0, 1] in column {column!r}")
    out = frame.copy()
    if method == "none" or p.size == 0 or np.isnan(p).all():
        pc = p.copy()
    else:
        pc = np.asarray(pg.multicomp(p, alpha=alpha, method=method)[1], dtype=float)
    out["p_corr"] = pc
    out["significant"] = np.where(np.isnan(pc), False, pc < alpha).astype(bool)
    return out


def adjusted_interval(diff, se, df, p_unc, p_adj, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The interval that agrees with a multiplicity-corrected verdict ("95% CI, adjusted for multiple comparisons").

    The t (or normal) interval of ``diff`` at level :math:`1 - \\alpha\\, p_{unc} / p_{adj}`, from the
    same distribution as the test.  It excludes 0 exactly when ``p_adj < alpha``: since
    :math:`p_{unc} = 2\\,P(T > |t|)`, :math:`|t|` exceeds the critical value at that level iff
    :math:`p_{unc} < \\alpha\\, p_{unc}/p_{adj}`.  For Bonferroni (:math:`p_{adj} = m\\,p_{unc}`) it is the
    Bonferroni interval (level :math:`1-\\alpha/m`); for Holm it inverts the test at the level at which
    that hypothesis was tested; without correction (:math:`p_{adj} = p_{unc}`) it is the ordinary
    :math:`1-\\alpha` interval.

    Parameters
    ----------
    diff, se : float or array-like
        Estimate and its standard error (``diff / T`` of the test).
    df : float or array-like
        Degrees of freedom of the t distribution; ``inf`` (or NaN) uses the normal distribution.
    p_unc, p_adj : float or array-like
        Uncorrected and corrected two-sided p-values of the same test.
    alpha : float, default 0.05
        Level of the verdict ``p_adj < alpha``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits (NaN where an input is missing).  When both p-values are 0 the
        ordinary :math:`1-\\alpha` interval is returned (it excludes 0, as the verdict says).

    Notes
    -----
    The multiplicity-compatible ("adjusted") interval of Hochberg & Tamhane (1987), *Multiple
    Comparison Procedures*, ch. 2: each hypothesis' interval at the level at which the corrected
    procedure tested it, so that the interval and the corrected p-value never disagree.  For
    step-down procedures (Holm) it is the single-step interval at the hypothesis' own adjusted level;
    it is not a simultaneous confidence region for all comparisons.

    Examples
    --------
    >>> from cem_research.stats import adjusted_interval
    >>> lo, hi = adjusted_interval(0.10, 0.0487, 1000, 0.0403, 0.21)
    >>> bool(lo[0] < 0 < hi[0])
    True
    >>> lo, hi = adjusted_interval(0.10, 0.0487, 1000, 0.0403, 0.0403)
    >>> bool(lo[0] > 0)
    True
    """
    if not 0 < alpha < 1:
        raise ValueError(f"adjusted_interval: expected alpha in (0, 1), got {alpha!r}")
    diff, se, df, p_unc, p_adj = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float))
                                                       for v in (diff, se, df, p_unc, p_adj)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((p_adj == 0) & (p_unc == 0), 1.0, p_unc / p_adj)
        tail = np.clip(alpha * ratio, 0.0, 1.0) / 2  # one tail of 1 - level
        normal = ~np.isfinite(df)
        crit = np.where(normal, sps.norm.isf(tail), sps.t.isf(tail, np.where(normal, 1.0, df)))
        half = crit * se
    bad = ~(np.isfinite(diff) & np.isfinite(se) & np.isfinite(ratio)) | (p_unc > p_adj + 1e-12)
    lo, hi = np.where(bad, np.nan, diff - half), np.where(bad, np.nan, diff + half)
    return lo, hi


def with_adjusted_interval(frame: pd.DataFrame, confidence: float = 0.95, alpha: float = 0.05) -> pd.DataFrame:
    """``frame`` with ``ci_low``/``ci_high`` replaced by :func:`adjusted_interval` (a copy).

    Parameters
    ----------
    frame : pandas.DataFrame
        A corrected comparison table (:func:`compare_to_reference` after :func:`adjust_pvalues`):
        ``diff, ci_low, ci_high, df, p_unc, p_corr``, the interval at ``confidence``.
    confidence : float, default 0.95
        Level of the interval in `frame` (to recover the standard error from it).
    alpha : float, default 0.05
        Level of the verdict ``p_corr < alpha``.

    Returns
    -------
    pandas.DataFrame
        The same rows with the adjusted interval in ``ci_low``/``ci_high``.

    Notes
    -----
    The standard error is recovered as ``(ci_high - ci_low) / (2 t(confidence, df))``, so the
    adjusted interval comes from the same t distribution as the test.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import adjust_pvalues, compare_to_reference, with_adjusted_interval
    >>> df = pd.DataFrame({"sat": [6, 7, 6, 7, 5, 4, 5, 6, 3, 5, 4, 4], "brand": list("oooobbbbcccc")})
    >>> t = with_adjusted_interval(compare_to_reference(df, "sat", "brand", "o"))
    >>> bool(((t["ci_low"] > 0) == t["significant"]).all())
    True
    """
    check_frame(frame, ["diff", "ci_low", "ci_high", "df", "p_unc", "p_corr"], "with_adjusted_interval")
    out = frame.copy()
    df = out["df"].to_numpy(dtype=float)
    se = (out["ci_high"].to_numpy(dtype=float) - out["ci_low"].to_numpy(dtype=float)) / (
        2 * np.asarray(t_crit(confidence, df), dtype=float))
    lo, hi = adjusted_interval(out["diff"].to_numpy(dtype=float), se, df, out["p_unc"].to_numpy(dtype=float),
                               out["p_corr"].to_numpy(dtype=float), alpha=alpha)
    out["ci_low"], out["ci_high"] = lo, hi
    return out


# ---------------------------------------------------------------------------------------------
# group comparisons
# ---------------------------------------------------------------------------------------------


_SRANGE_TABLE = RESOURCES / "studentized_range_q95.csv"


@functools.lru_cache(maxsize=1)
def _studentized_range_table() -> tuple[dict[int, int], np.ndarray] | None:
    """SciPy's q(0.95; k, df) for k = 3..12 and whole df 2..1000, precomputed
    (``scripts/make_studentized_range_table.py``): column of each k, and the (df, k) values."""
    try:
        table = np.loadtxt(_SRANGE_TABLE, delimiter=",", skiprows=1, ndmin=2)
        header = _SRANGE_TABLE.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    except OSError:
        return None
    cols = {int(h[1:]): i for i, h in enumerate(header) if h.startswith("k")}
    return cols, table


@functools.lru_cache(maxsize=4096)
def _studentized_range_quantile(confidence: float, k: int, df: float) -> float:
    """q(confidence; k, df): from the shipped table of SciPy's values when it holds them (0.95,
    k = 3..12, whole df = 2..1000), else SciPy's numerical integration (~0.1 s; ``df`` may be
    fractional or ``inf``)."""
    found = _studentized_range_table() if confidence == 0.95 and float(df).is_integer() else None
    if found is not None:
        cols, table = found
        row = int(df) - int(table[0, 0])
        if k in cols and 0 <= row < len(table) and table[row, 0] == df:
            return float(table[row, cols[k]])
    return float(sps.studentized_range.ppf(confidence, k, df))


#: Below this df the studentized-range quantile is always SciPy's exact value (no interpolation).
_SRANGE_EXACT_BELOW = 10.0
#: Largest df of the shipped table; above it, linear interpolation in 1/df towards df = inf.
_SRANGE_TABLE_MAX = 1000


def _studentized_range_crit(confidence: float, k: int, df: float) -> float:
    """Studentized-range critical value q(confidence; k, df), fast and within 1e-6 of SciPy.

    For two groups q = sqrt(2)·t exactly, so Student's t quantile is used.  For more groups:

    * ``df < 10``: :func:`scipy.stats.studentized_range` ``.ppf`` at the exact (fractional) df -- the
      quantile bends too sharply there to interpolate (linear interpolation in 1/df was 2% off at
      df = 2.5);
    * ``10 <= df <= 1000``: cubic (four-point Lagrange) interpolation in 1/df between the whole-number
      df around ``df`` (relative error below 1e-8 against SciPy);
    * ``df > 1000``: linear interpolation in 1/df between df = 1000 and df = inf (relative error below
      1e-6).

    The whole-number values come from the shipped table of SciPy's quantiles (0.95, k = 3..12) or,
    outside it, from SciPy (cached).
    """
    if not np.isfinite(df) and df != np.inf or df < 1:
        return float("nan")
    if k == 2:
        return float(np.sqrt(2) * sps.t.ppf((1 + confidence) / 2, df))
    conf, k = float(confidence), int(k)
    df = float(df)
    if df < _SRANGE_EXACT_BELOW or df.is_integer():
        return _studentized_range_quantile(conf, k, df)
    if df > _SRANGE_TABLE_MAX:
        q_max = _studentized_range_quantile(conf, k, float(_SRANGE_TABLE_MAX))
        q_inf = _studentized_range_quantile(conf, k, float("inf"))
        return q_max + (q_inf - q_max) * (1 - _SRANGE_TABLE_MAX / df)
    first = min(max(int(np.floor(df)) - 1, int(_SRANGE_EXACT_BELOW) - 1), _SRANGE_TABLE_MAX - 3)
    nodes = np.arange(first, first + 4, dtype=float)
    xs = 1 / nodes
    ys = np.array([_studentized_range_quantile(conf, k, d) for d in nodes])
    x = 1 / df
    q = 0.0
    for i in range(4):  # Lagrange form of the cubic through the four nodes
        others = np.delete(xs, i)
        q += ys[i] * float(np.prod((x - others) / (xs[i] - others)))
    return q


def _gameshowell_from_summary(labels, n, means, sds, confidence):
    """Games-Howell table from group summaries (n may be an effective n)."""
    k = len(labels)
    g1, g2 = np.triu_indices(k, k=1)
    n = np.asarray(n, dtype=float)
    v = np.asarray(sds, dtype=float) ** 2 / n
    se = np.sqrt(v[g1] + v[g2])
    diff = np.asarray(means)[g1] - np.asarray(means)[g2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
        df = (v[g1] + v[g2]) ** 2 / (v[g1] ** 2 / (n[g1] - 1) + v[g2] ** 2 / (n[g2] - 1))
        p_gh = np.clip(sps.studentized_range.sf(np.sqrt(2) * np.abs(t), k, df), 0, 1)
    hedges = [_hedges_from_summary(means[a], sds[a], n[a], means[b], sds[b], n[b]) for a, b in zip(g1, g2)]
    return pd.DataFrame({"A": [labels[i] for i in g1], "B": [labels[i] for i in g2],
                         "mean_A": np.asarray(means)[g1], "mean_B": np.asarray(means)[g2], "diff": diff,
                         "se": se, "T": t, "df": df, "pval": p_gh, "hedges": hedges})


def compare_groups(
    data: pd.DataFrame,
    dv: str,
    between: str,
    weights: str | None = None,
    confidence: float = 0.95,
    correction: str = "holm",
) -> pd.DataFrame:
    """Pairwise Games-Howell comparisons of a numeric outcome between all groups.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric outcome.
    between : str
        Group column (at least 2 groups with data).
    weights : str, optional
        Column of survey weights: weighted means/SDs and Kish effective n per group in the
        Games-Howell formulas (an approximation; unweighted uses ``pingouin.pairwise_gameshowell``).
    confidence : float, default 0.95
    correction : str, default "holm"
        Method for ``p_corr`` (see :func:`adjust_pvalues`).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``dv, A, B, n_A, n_B, mean_A, mean_B, diff, se, T, df, ci_low,
        ci_high, hedges, p_unc, p_gameshowell, p_corr``. ``diff = mean_A - mean_B``;
        ``ci_low/ci_high`` Games-Howell simultaneous interval; ``p_unc`` the per-pair Welch t-test
        p-value; ``p_corr`` `correction` (Holm) across the pairs; ``p_gameshowell`` pingouin's
        studentized-range p-value (already family-wise). Group order is pingouin's (sorted /
        categorical order). With ``n_eff``-based weights, ``n_A``/``n_B`` stay raw counts.

    Notes
    -----
    Games & Howell (1976), *J. Educ. Statist.*, 1, 113-125: Welch
    :math:`t = (\\bar x_A-\\bar x_B)/\\sqrt{s_A^2/n_A+s_B^2/n_B}` with Welch-Satterthwaite df;
    CI :math:`diff \\pm q_{1-\\alpha,k,df}/\\sqrt2 \\cdot se` (studentized range :math:`q`, k groups).
    Hedges g uses the pooled SD. For two groups the interval is the Welch t interval.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import compare_groups
    >>> df = pd.DataFrame({"sat": [5, 6, 7, 6, 2, 3, 4, 3, 5, 5, 6, 4], "seg": list("aaaabbbbcccc")})
    >>> compare_groups(df, "sat", "seg")[["A", "B", "diff"]].to_dict("records")[0]
    {'A': 'a', 'B': 'b', 'diff': 3.0}
    """
    check_frame(data, [dv, between], "compare_groups")
    check_numeric(data, [dv], "compare_groups")
    check_confidence(confidence, "compare_groups")
    correction = check_correction(correction, "compare_groups")
    w_all = check_weights(data, weights, "compare_groups")
    frame = data[[dv, between]].copy()
    frame["__w"] = 1.0 if w_all is None else w_all
    frame = frame[frame[dv].notna() & frame[between].notna() & (frame["__w"] > 0)]
    if isinstance(frame[between].dtype, pd.CategoricalDtype):
        frame[between] = frame[between].cat.remove_unused_categories()
    counts = frame.groupby(between, observed=True, sort=True)[dv].count()
    if len(counts) < 2:
        raise ValueError(f"compare_groups: expected at least 2 groups in {between!r} with data, got {len(counts)}")
    if (counts < 2).any():
        raise ValueError(f"compare_groups: expected at least 2 values per group, got {counts[counts < 2].to_dict()}")
    k = len(counts)
    if w_all is None:
        gh = pg.pairwise_gameshowell(data=frame[[dv, between]], dv=dv, between=between)
    else:
        labels, ns, ms, sds = [], [], [], []
        for lab, sub in frame.groupby(between, observed=True, sort=True):
            s = weighted_summary(sub[dv].to_numpy(dtype=float), sub["__w"].to_numpy())
            labels.append(lab)
            ns.append(s["n_eff"])
            ms.append(s["mean"])
            sds.append(s["sd"])
        gh = _gameshowell_from_summary(labels, ns, ms, sds, confidence)
    qcrit = np.array([_studentized_range_crit(confidence, k, d) for d in gh["df"].to_numpy(dtype=float)])
    qcrit = qcrit / np.sqrt(2)
    out = pd.DataFrame({
        "dv": dv, "A": gh["A"].to_numpy(), "B": gh["B"].to_numpy(),
        "n_A": gh["A"].map(counts).to_numpy(dtype=int), "n_B": gh["B"].map(counts).to_numpy(dtype=int),
        "mean_A": gh["mean_A"].to_numpy(dtype=float), "mean_B": gh["mean_B"].to_numpy(dtype=float),
        "diff": gh["diff"].to_numpy(dtype=float), "se": gh["se"].to_numpy(dtype=float),
        "T": gh["T"].to_numpy(dtype=float), "df": gh["df"].to_numpy(dtype=float),
    })
    out["ci_low"] = out["diff"] - qcrit * out["se"]
    out["ci_high"] = out["diff"] + qcrit * out["se"]
    out["hedges"] = gh["hedges"].to_numpy(dtype=float)
    out["p_unc"] = 2 * sps.t.sf(np.abs(out["T"]), out["df"])
    out["p_gameshowell"] = gh["pval"].to_numpy(dtype=float)
    out = adjust_pvalues(out, "p_unc", correction).drop(columns="significant")
    return out.reset_index(drop=True)


def _omega_squared(y: np.ndarray, groups: np.ndarray) -> float:
    """Hays' omega squared of a one-way layout from its sums of squares, floored at 0 (NaN if undefined)."""
    codes, _ = pd.factorize(groups)
    k = int(codes.max()) + 1
    n_g = np.bincount(codes, minlength=k).astype(float)
    means = np.bincount(codes, weights=y, minlength=k) / n_g
    ss_t = float(np.sum((y - y.mean()) ** 2))
    ss_w = float(np.sum((y - means[codes]) ** 2))
    ss_b = ss_t - ss_w
    if y.size - k <= 0 or ss_t <= 0:
        return np.nan
    ms_w = ss_w / (y.size - k)
    return max(0.0, (ss_b - (k - 1) * ms_w) / (ss_t + ms_w))


def omnibus(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Welch's one-way ANOVA of a numeric outcome across groups.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric outcome.
    between : str
        Group column (at least 2 groups with at least 2 values each).

    Returns
    -------
    pandas.DataFrame
        One row: ``dv, between, k, n, F, ddof1, ddof2, p_unc, np2, omega2``.

    Notes
    -----
    ``pingouin.welch_anova`` (Welch 1951, *Biometrika*, 38, 330-336): robust to unequal
    variances. ``np2`` is pingouin's (partial) eta squared, :math:`\\eta^2 = SS_b / SS_t` (one factor:
    partial and total coincide). ``omega2`` is Hays' less biased estimate from the same one-way sums of
    squares, :math:`\\omega^2 = \\frac{SS_b - (k-1)\\,MS_w}{SS_t + MS_w}` (Hays 1963; Olejnik & Algina
    2003, *Contemp. Educ. Psychol.*, 28, 287-294), floored at 0.  It never exceeds ``np2`` (the
    numerator is below :math:`SS_b` and the denominator above :math:`SS_t`), so a ranking by ``omega2``
    and the ``np2`` beside it tell the same story; the Welch F is used for the test only (an
    :math:`\\omega^2` backed out of the Welch F could exceed :math:`\\eta^2`). Weights are not supported.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import omnibus
    >>> df = pd.DataFrame({"sat": [5, 6, 7, 6, 2, 3, 4, 3, 5, 5, 6, 4], "seg": list("aaaabbbbcccc")})
    >>> int(omnibus(df, "sat", "seg")["k"].iloc[0])
    3
    """
    check_frame(data, [dv, between], "omnibus")
    check_numeric(data, [dv], "omnibus")
    frame = data[[dv, between]].dropna()
    if isinstance(frame[between].dtype, pd.CategoricalDtype):
        frame[between] = frame[between].cat.remove_unused_categories()
    counts = frame.groupby(between, observed=True)[dv].count()
    if len(counts) < 2 or (counts < 2).any():
        raise ValueError(
            f"omnibus: expected at least 2 groups in {between!r} with at least 2 values each, got {counts.to_dict()}"
        )
    res = pg.welch_anova(data=frame, dv=dv, between=between)
    f = float(res["F"].iloc[0])
    d1 = float(res["ddof1"].iloc[0])
    n = int(counts.sum())
    omega2 = _omega_squared(frame[dv].to_numpy(dtype=float), frame[between].to_numpy())
    return pd.DataFrame([{
        "dv": dv, "between": between, "k": len(counts), "n": n, "F": f, "ddof1": d1,
        "ddof2": float(res["ddof2"].iloc[0]), "p_unc": float(res["p_unc"].iloc[0]),
        "np2": float(res["np2"].iloc[0]), "omega2": omega2,
    }])


def compare_to_reference(
    data: pd.DataFrame,
    dvs: str | Sequence[str],
    group: str,
    reference,
    correction: str = "holm",
    confidence: float = 0.95,
    alpha: float = 0.05,
    weights: str | None = None,
) -> pd.DataFrame:
    """Welch t-tests of a reference group against every other group, for several outcomes.

    Parameters
    ----------
    data : pandas.DataFrame
    dvs : str or list of str
        Numeric outcome column(s).
    group : str
        Group column (e.g. brand).
    reference : scalar
        The reference level of `group` (e.g. the client's own brand).
    correction : str, default "holm"
        Correction across ALL rows (every dv x level), see :func:`adjust_pvalues`.
    confidence : float, default 0.95
    alpha : float, default 0.05
        Level for ``significant``.
    weights : str, optional
        Column of survey weights: weighted means and SDs with Kish effective n in the Welch
        formulas (as :func:`wave_changes`); ``n_ref``/``n_other`` stay raw counts.

    Returns
    -------
    pandas.DataFrame
        One row per dv and non-reference level: ``dv, group, reference, n_ref, n_other,
        mean_ref, mean_other, diff, ci_low, ci_high, T, df, hedges, hedges_ci_low,
        hedges_ci_high, p_unc, p_corr, significant``; ``group`` holds the other level,
        ``diff = mean_ref - mean_other`` with its Welch CI. Levels with < 2 values get NaN tests.

    Notes
    -----
    Welch's t-test (Welch 1947, *Biometrika*, 34, 28-35; ``scipy.stats.ttest_ind(equal_var=False)``,
    the T, df and p of ``pingouin.ttest(ref, other, correction=True)``); CI :math:`diff \\pm t_{1-\\alpha/2,df}\\sqrt{s_r^2/n_r + s_o^2/n_o}` (pingouin's own
    CI is rounded to 2 decimals). Hedges g via ``pingouin.compute_effsize`` with the Hedges & Olkin (1985) CI
    (``pingouin.compute_esci``). Weighted: :math:`t = (\\bar x_{w,ref}-\\bar x_{w,o})/\\sqrt{s_{ref}^2/n_{eff,ref}
    + s_o^2/n_{eff,o}}` with Welch-Satterthwaite df on the effective n (Kish 1965); with all weights
    equal this is the unweighted test.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import compare_to_reference
    >>> df = pd.DataFrame({"sat": [6, 7, 6, 7, 3, 4, 3, 4], "brand": list("oooocccc")})
    >>> float(compare_to_reference(df, "sat", "brand", "o")["diff"].iloc[0])
    3.0
    """
    dvs_l = as_list(dvs, "dvs")
    if not dvs_l:
        raise ValueError("compare_to_reference: expected at least one dv")
    check_frame(data, [*dvs_l, group], "compare_to_reference")
    if group in dvs_l:
        raise ValueError("compare_to_reference: expected `group` not to be one of the dvs")
    check_numeric(data, dvs_l, "compare_to_reference")
    check_confidence(confidence, "compare_to_reference")
    correction = check_correction(correction, "compare_to_reference")
    w_all = check_weights(data, weights, "compare_to_reference")
    levels = observed_levels(data[group])
    if reference not in levels:
        raise ValueError(
            f"compare_to_reference: expected reference {reference!r} among the levels of {group!r}: {levels}"
        )
    others = [lv for lv in levels if lv != reference]
    if not others:
        raise ValueError(f"compare_to_reference: expected at least one level of {group!r} besides {reference!r}")
    rows = []
    ref_mask = (data[group] == reference).to_numpy()
    for dv in dvs_l:
        x = data.loc[ref_mask, dv].to_numpy(dtype=float)
        wx = None if w_all is None else w_all[ref_mask]
        for lv in others:
            mask = (data[group] == lv).to_numpy()
            y = data.loc[mask, dv].to_numpy(dtype=float)
            r = _two_sample(x, y, wx, None if w_all is None else w_all[mask], confidence=confidence)
            rows.append({"dv": dv, "group": lv, "reference": reference, "n_ref": r["n_x"], "n_other": r["n_y"],
                         "mean_ref": r["mean_x"], "mean_other": r["mean_y"], "diff": r["diff"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "T": r["T"], "df": r["df"],
                         "hedges": r["hedges"], "hedges_ci_low": r["hedges_ci_low"],
                         "hedges_ci_high": r["hedges_ci_high"], "p_unc": r["p_unc"]})
    out = pd.DataFrame(rows)
    return adjust_pvalues(out, "p_unc", correction, alpha=alpha)


def wave_changes(
    data: pd.DataFrame,
    value: str,
    wave: str,
    waves: Sequence,
    weights: str | None = None,
    confidence: float = 0.95,
    correction: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Change of a mean between consecutive survey waves (Welch t-tests, corrected).

    Parameters
    ----------
    data : pandas.DataFrame
    value : str
        Numeric column.
    wave : str
        Wave label column.
    waves : list
        Wave labels in chronological order (at least 2); rows of other waves are ignored.
    weights : str, optional
        Column of survey weights (weighted means/SDs, Kish effective n in the Welch formulas).
    confidence : float, default 0.95
    correction : str, default "holm"
        Correction across all rows (:func:`adjust_pvalues`).
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        One row per consecutive pair: ``dv, from_wave, to_wave, n_from, n_to, mean_from,
        mean_to, diff, ci_low, ci_high, T, df, hedges, hedges_ci_low, hedges_ci_high, p_unc,
        p_corr, significant`` with ``diff = mean_to - mean_from``. A wave with < 2 values
        gives NaN tests for its pairs. To correct across several outcomes, concatenate the
        tables and call :func:`adjust_pvalues` on the result.

    Notes
    -----
    Independent samples per wave (different respondents). Unweighted:
    Welch's t-test (``scipy.stats.ttest_ind(to, from, equal_var=False)``, as
    ``pingouin.ttest(to, from, correction=True)``); weighted:
    :math:`t = (\\bar x_{w,to}-\\bar x_{w,from})/\\sqrt{s_{to}^2/n_{eff,to}+s_{from}^2/n_{eff,from}}`
    with Welch-Satterthwaite df on the effective n (Kish 1965). Hedges g with the Hedges &
    Olkin (1985) CI. Holm (1979) correction.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem_research.stats import wave_changes
    >>> df = pd.DataFrame({"sat": [5, 6, 5, 6, 7, 8, 7, 8], "w": ["Q1"] * 4 + ["Q2"] * 4})
    >>> float(wave_changes(df, "sat", "w", ["Q1", "Q2"])["diff"].iloc[0])
    2.0
    """
    check_frame(data, [value, wave], "wave_changes")
    check_numeric(data, [value], "wave_changes")
    check_confidence(confidence, "wave_changes")
    correction = check_correction(correction, "wave_changes")
    if isinstance(waves, (str, bytes)) or not isinstance(waves, Sequence) or len(waves) < 2:
        raise ValueError(f"wave_changes: expected `waves` to be a list of at least 2 wave labels, got {waves!r}")
    if len(set(waves)) != len(waves):
        raise ValueError(f"wave_changes: expected distinct wave labels, got {list(waves)}")
    w_all = check_weights(data, weights, "wave_changes")
    present = set(data[wave].dropna().unique())
    missing = [wv for wv in waves if wv not in present]
    if len(missing) == len(waves):
        raise ValueError(
            f"wave_changes: expected the waves {list(waves)} in column {wave!r}; found {sorted(map(str, present))}"
        )
    rows = []
    for a, b in zip(waves[:-1], waves[1:]):
        ma = (data[wave] == a).to_numpy()
        mb = (data[wave] == b).to_numpy()
        x = data.loc[mb, value].to_numpy(dtype=float)
        y = data.loc[ma, value].to_numpy(dtype=float)
        r = _two_sample(x, y, None if w_all is None else w_all[mb], None if w_all is None else w_all[ma], confidence)
        rows.append({"dv": value, "from_wave": a, "to_wave": b, "n_from": r["n_y"], "n_to": r["n_x"],
                     "mean_from": r["mean_y"], "mean_to": r["mean_x"], "diff": r["diff"], "ci_low": r["ci_low"],
                     "ci_high": r["ci_high"], "T": r["T"], "df": r["df"], "hedges": r["hedges"],
                     "hedges_ci_low": r["hedges_ci_low"], "hedges_ci_high": r["hedges_ci_high"],
                     "p_unc": r["p_unc"]})
    return adjust_pvalues(pd.DataFrame(rows), "p_unc", correction, alpha=alpha)
