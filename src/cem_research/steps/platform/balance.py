"""Technical vs emotional drivers, named as Pope (2010) does: which kind of driver explains the outcomes,
against the brand's performance on each kind.

Pope (2010, "The Ultimate Client Experience", *Business Strategy Series* 11(4), 219–222): clients expect
the TECHNICAL ELEMENTS of what they buy *and* an EMOTIONAL CONNECTION, and companies rely too often on the
technical side.  Constructs declare ``kind: emotional`` or ``kind: functional`` (the technical elements);
:func:`emotional_functional` splits each outcome's explained variance (the LMG parts of R²) between the
two kinds, with a bootstrap interval of the emotional share, and sets the own brand's performance on each
kind beside it; :func:`balance_sentence` says, only when the intervals support it, whether the brand
relies on technical elements while the emotional connection drives the outcome (or the reverse).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats.common import percentile_ci

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["lmg_boot", "emotional_functional", "kind_performance", "balance_sentence"]


def lmg_boot(z: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """LMG (Shapley) importances of bootstrap resamples of the rows of ``z``.

    Parameters
    ----------
    z : ndarray, shape (n, 1 + p)
        Complete rows, the outcome first, then the drivers.
    n_boot : int
        Resamples.
    seed : int
        Seed of the resampling (same resamples as :func:`cem_research.stats.relative_importance`).

    Returns
    -------
    (ndarray, ndarray)
        Importances ``(n_boot, p)`` and R² ``(n_boot,)`` of every resample.

    Notes
    -----
    :func:`cem_research.stats.relative_importance` returns only the percentile limits, not the
    resamples needed for the interval of a *sum* of importances (the emotional share).
    """
    return stats.lmg_from_corr(stats.boot_corr_all(z, n_boot, seed))


def kind_performance(data: "ClientData", confidence: float = 0.95) -> dict:
    """The own brand's performance on its emotional and on its functional (technical) drivers.

    Parameters
    ----------
    data : ClientData
    confidence : float, default 0.95

    Returns
    -------
    dict
        ``emotional_performance, functional_performance`` (mean rating as a share of the scale range,
        0 = scale minimum, 1 = maximum, averaged over the drivers of the kind), ``performance_gap``
        (emotional minus functional, within respondent) with ``performance_gap_ci_low/high`` (t
        interval of the paired difference) and ``performance_n``; NaN when a kind has no driver.

    Notes
    -----
    Rescaling every driver to its scale range (the "percent of maximum possible", POMP; Cohen, Cohen,
    Aiken & West 1999) lets drivers on different scales be averaged.  The gap is the mean of each
    respondent's emotional minus functional POMP, so respondents who rate everything high or low
    cancel out.  Unweighted, own brand only, respondents who rated at least one driver of each kind.
    """
    cfg = data.config
    drivers = list(cfg.drivers)
    own = data.own
    pomp = pd.DataFrame({d: (own[d].astype(float) - cfg.constructs[d].scale[0])
                         / (cfg.constructs[d].scale[1] - cfg.constructs[d].scale[0]) for d in drivers})
    emo = [d for d in drivers if cfg.constructs[d].kind == "emotional"]
    fun = [d for d in drivers if d not in emo]
    out = {"emotional_performance": np.nan, "functional_performance": np.nan, "performance_gap": np.nan,
           "performance_gap_ci_low": np.nan, "performance_gap_ci_high": np.nan, "performance_n": 0}
    if not emo or not fun:
        return out
    e, f = pomp[emo].mean(axis=1), pomp[fun].mean(axis=1)
    both = e.notna() & f.notna()
    if both.sum() < 3:
        return out
    diff = (e - f)[both]
    ci = sps.ttest_1samp(diff, 0.0).confidence_interval(confidence)
    out.update(emotional_performance=float(e[both].mean()), functional_performance=float(f[both].mean()),
               performance_gap=float(diff.mean()), performance_gap_ci_low=float(ci.low),
               performance_gap_ci_high=float(ci.high), performance_n=int(both.sum()))
    return out


def emotional_functional(data: "ClientData", importance: pd.DataFrame | None, n_boot: int = 400,
                         seed: int = 2003, confidence: float = 0.95) -> pd.DataFrame | None:
    """Emotional vs functional (technical) contribution to each outcome's explained variance, and the
    own brand's performance on each kind.

    Parameters
    ----------
    data : ClientData
    importance : DataFrame
        Output of :func:`cem_research.steps.platform.drivers.driver_importance`.
    n_boot, seed
        Bootstrap of the emotional share (same settings as the importances).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        One row per outcome: ``outcome, outcome_label, n, r2, emotional, functional,
        emotional_share, emotional_share_ci_low, emotional_share_ci_high, emotional_drivers,
        functional_drivers, reliability_flag`` (the flags of the drivers and the outcome, from
        ``importance``), then the columns of :func:`kind_performance` (the same on every row).
        ``emotional``/``functional`` are the summed relative importances (parts of R²) of drivers
        declared ``kind: emotional`` / functional; ``emotional_share = emotional / r2`` with a
        percentile bootstrap CI.  ``None`` without importances or when they are not LMG.

    Notes
    -----
    The bootstrap resamples own-brand rows and recomputes every driver's LMG importance in each
    resample (:func:`lmg_boot`), so the interval accounts for the correlation between the
    drivers' importances.  Only computed with LMG (Johnson's relative weights, used with many
    drivers, do not sum to R² in every resample).
    """
    if importance is None or importance.empty or not importance["method"].astype(str).str.startswith("LMG").all():
        return None
    cfg = data.config
    drivers = list(cfg.drivers)
    emo = [d for d in drivers if cfg.constructs[d].kind == "emotional"]
    fun = [d for d in drivers if d not in emo]
    perf = kind_performance(data, confidence=confidence)
    rows = []
    for outcome, t in importance.groupby("outcome", sort=False):
        e = float(t.loc[t["driver"].isin(emo), "relimp"].sum())
        f = float(t.loc[t["driver"].isin(fun), "relimp"].sum())
        r2 = float(t["r2"].iloc[0])
        lo = hi = np.nan
        if emo and fun and n_boot > 0:
            z = data.own[[outcome, *drivers]].astype(float).dropna().to_numpy()
            lmg, r2b = lmg_boot(z, n_boot, seed)
            mask = np.array([d in emo for d in drivers])
            share = lmg[:, mask].sum(axis=1) / r2b
            lo, hi = percentile_ci(share, confidence)
        elif not emo:
            lo = hi = 0.0
        elif not fun:
            lo = hi = 1.0
        rows.append({"outcome": outcome, "outcome_label": nv.label(cfg, outcome), "n": int(t["n"].iloc[0]),
                     "r2": r2, "emotional": e, "functional": f, "emotional_share": e / r2 if r2 > 0 else np.nan,
                     "emotional_share_ci_low": float(lo), "emotional_share_ci_high": float(hi),
                     "emotional_drivers": ", ".join(nv.label(cfg, d) for d in emo),
                     "functional_drivers": ", ".join(nv.label(cfg, d) for d in fun),
                     "reliability_flag": "; ".join(dict.fromkeys(
                         f for f in t.get("reliability_flag", pd.Series(dtype=object)) if f)),
                     **perf})
    return pd.DataFrame(rows)


def balance_sentence(row: pd.Series | dict, confidence: float = 0.95) -> str:
    """Pope's question in one sentence: does the brand rely on technical elements while the emotional
    connection drives the outcome (or the reverse)?

    Parameters
    ----------
    row : Series or dict
        One row of :func:`emotional_functional`.
    confidence : float, default 0.95

    Returns
    -------
    str
        The sentence, with the evidence (the emotional share and the performance gap, each with its
        interval); it says the data cannot tell when either interval leaves the answer open, and is
        empty when the row has no performance gap.

    Notes
    -----
    The emotional side *drives* the outcome when the interval of its share of R² lies above 50%
    (the technical side when it lies below); the brand *performs* better on one kind when the interval
    of the within-respondent gap excludes 0.

    Examples
    --------
    >>> balance_sentence({"outcome_label": "Loyalty", "emotional_share": 0.7, "emotional_share_ci_low": 0.6,
    ...                   "emotional_share_ci_high": 0.8, "emotional_performance": 0.55,
    ...                   "functional_performance": 0.7, "performance_gap": -0.15,
    ...                   "performance_gap_ci_low": -0.18, "performance_gap_ci_high": -0.12})[:61]
    "Pope's warning applies: the emotional connection drives Loyalty"
    """
    if nv.missing(row["performance_gap"]) or nv.missing(row["emotional_share_ci_low"]):
        return ""
    out = row["outcome_label"]
    share = (f"{nv.pct(row['emotional_share'])} of the explained variance in {out} comes from the emotional "
             "drivers, "
             f"{nv.pct_ci(row['emotional_share_ci_low'], row['emotional_share_ci_high'], confidence=confidence)}")
    gap = (f"The brand scores {nv.pct(row['emotional_performance'])} of the scale range on its emotional drivers "
           f"and {nv.pct(row['functional_performance'])} on its technical ones (emotional minus technical "
           f"{nv.pct(row['performance_gap'])}, "
           f"{nv.pct_ci(row['performance_gap_ci_low'], row['performance_gap_ci_high'], confidence=confidence)}).")
    emo_drives = row["emotional_share_ci_low"] > 0.5
    tech_drives = row["emotional_share_ci_high"] < 0.5
    emo_better = row["performance_gap_ci_low"] > 0
    tech_better = row["performance_gap_ci_high"] < 0
    if emo_drives and tech_better:
        return (f"Pope's warning applies: the emotional connection drives {out} ({share}) while the brand "
                f"relies on its technical elements. {gap}")
    if tech_drives and emo_better:
        return (f"The reverse of Pope's warning: technical elements drive {out} ({share}) while the brand is "
                f"stronger on the emotional connection. {gap}")
    if (emo_drives and emo_better) or (tech_drives and tech_better):
        side = "emotional connection" if emo_drives else "technical elements"
        return (f"The brand's strength matches what drives {out}: the {side} ({share}), not the other way "
                f"round Pope warns of. {gap}")
    return (f"The data cannot tell whether the brand relies on technical elements while the emotional "
            f"connection drives {out} ({share}). {gap}")
