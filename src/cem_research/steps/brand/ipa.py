"""Section "Importance–performance of brand elements": which element to fix first.

* :func:`element_ipa` – derived importance of each element for the main outcome (LMG share of R²
  with a bootstrap interval) against the own brand's performance (0–100, t CI), in quadrants;
* :func:`fix_first` – the ranked "fix first" list;
* :class:`ElementImportancePerformance` – the report section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pingouin as pg

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps.brand.common import ELEMENT_LABELS, STEP, element_list, reliability
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

_DEFAULTS = Settings()
ACTIONS = {"Concentrate here": "fix first: matters and underperforms",
           "Keep up the good work": "protect: matters and performs",
           "Low priority": "monitor: matters less and underperforms",
           "Possible overkill": "reconsider investment: performs but matters less"}

__all__ = ["ACTIONS", "ipa_constructs", "pomp", "element_ipa", "fix_first", "ipa_finding",
           "ElementImportancePerformance"]


def ipa_constructs(data: "ClientData") -> list[str]:
    """The constructs the importance–performance analysis rates: the brand-element constructs, or
    every declared driver when fewer than two constructs declare an element."""
    cons = element_list(data.config)
    return cons if len(cons) >= 2 else list(data.config.drivers)


def pomp(x, lo: float, hi: float) -> np.ndarray:
    """Percent of maximum possible: ``100 (x − lo) / (hi − lo)`` (a scale rescaled to 0–100)."""
    return 100 * (np.asarray(x, dtype=float) - lo) / (hi - lo)


def _importance(data: "ClientData", cons: list[str], outcome: str, n_boot: int,
                seed: int) -> tuple[pd.DataFrame, str]:
    """Importance of ``cons`` for ``outcome``: LMG share of R² (bootstrap CI) or, when that cannot be
    fitted, the Pearson correlation (pingouin CI); with the measure's description."""
    from cem_research.steps import platform as pf

    cfg, own = data.config, data.own
    predictors = list(dict.fromkeys([*cons, *[d for d in cfg.drivers if d != outcome]]))
    predictors = [p for p in predictors if p != outcome]
    if 2 <= len(predictors) <= pf.MAX_LMG:
        try:
            ri = stats.relative_importance(own, outcome, predictors, n_boot=n_boot, seed=seed).set_index("driver")
            if "share_ci_low" in ri:  # the percentile interval of the resampled shares
                lo, hi = ri["share_ci_low"], ri["share_ci_high"]
            else:
                lo, hi = ri["relimp_ci_low"] / ri["r2"], ri["relimp_ci_high"] / ri["r2"]
            imp = pd.DataFrame({"importance": ri["share"], "importance_ci_low": lo,
                                "importance_ci_high": hi}).loc[cons]
            return imp, f"share of R² of {nv.label(cfg, outcome)} (LMG, {len(predictors)} predictors)"
        except ValueError:
            pass
    rows = []
    for c in cons:
        sub = own[[c, outcome]].dropna()
        if len(sub) < 4 or sub[c].std() == 0 or sub[outcome].std() == 0:
            rows.append({"importance": np.nan, "importance_ci_low": np.nan, "importance_ci_high": np.nan})
            continue
        r = pg.corr(sub[c], sub[outcome])
        lo, hi = r["CI95"].iloc[0]
        rows.append({"importance": float(r["r"].iloc[0]), "importance_ci_low": float(lo),
                     "importance_ci_high": float(hi)})
    return pd.DataFrame(rows, index=cons), f"correlation with {nv.label(cfg, outcome)}"


def element_ipa(data: "ClientData", outcome: str | None = None, n_boot: int = _DEFAULTS.n_boot,
                seed: int = _DEFAULTS.seed, reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Importance–performance analysis of the brand-element constructs (own brand).

    Parameters
    ----------
    data : ClientData
    outcome : str, optional
        The outcome importance is derived for (default: the main outcome, ``data.main_outcome``).
    n_boot, seed : int
        Bootstrap of the importance intervals.
    reliability : DataFrame, optional
        Step 2's reliability table, for ``reliability_flag``.

    Returns
    -------
    DataFrame or None
        One row per element construct, in "fix first" order: ``priority, construct, label,
        element_label, importance, importance_ci_low, importance_ci_high, importance_measure,
        performance, performance_ci_low, performance_ci_high, mean, mean_ci_low, mean_ci_high,
        n, quadrant, importance_split, performance_split, gap, priority_score,
        reliability_flag``; ``attrs["outcome"]`` names the outcome.  ``None`` when fewer than two
        constructs (with an importance) or no outcome.

    Notes
    -----
    Elements: the constructs declared with ``element:``; with fewer than two, every declared
    driver (:func:`ipa_constructs`).  **Importance** (derived, not stated): the construct's
    Shapley/LMG share of R² of the main outcome in a regression on the elements *and* the
    declared drivers (at most 12; so importance is net of the other drivers), with percentile
    bootstrap CIs; with more than 12 predictors, or when the regression cannot be fitted, the
    Pearson correlation with the outcome (CI from pingouin) – ``importance_measure`` says which.
    **Performance**: the own brand's mean on a 0–100 scale (percent of maximum possible,
    :func:`pomp`, so constructs on different scales are comparable), t CI; ``mean`` on the
    original scale.  **Survey weights**: performance is weighted (Kish effective n in its
    interval); importance is not (neither the LMG decomposition nor the correlation takes weights
    here), and ``importance_measure`` then ends in "; unweighted".  Quadrants and priority:
    :func:`cem_research.stats.importance_performance`
    (split at the means; "fix first" order = quadrants Concentrate here, Keep up the good work,
    Low priority, Possible overkill, within a quadrant by descending importance × gap to the best
    performer).
    """
    from cem_research.steps import platform as pf

    cfg = data.config
    cons = ipa_constructs(data)
    outcome = outcome or data.main_outcome
    if len(cons) < 2 or outcome is None:
        return None
    imp, measure = _importance(data, cons, outcome, n_boot, seed)
    perf = []
    for c in cons:
        lo, hi = cfg.constructs[c].scale
        m = stats.mean_ci(data.own, c, weights=data.weight).iloc[0]
        perf.append({"construct": c, "label": nv.label(cfg, c),
                     "element_label": ELEMENT_LABELS.get(cfg.constructs[c].element or "", "(driver)"),
                     "performance": float(pomp(m["mean"], lo, hi)),
                     "performance_ci_low": float(pomp(m["ci_low"], lo, hi)),
                     "performance_ci_high": float(pomp(m["ci_high"], lo, hi)),
                     "mean": float(m["mean"]), "mean_ci_low": float(m["ci_low"]),
                     "mean_ci_high": float(m["ci_high"]), "n": int(m["n"])})
    df = pd.DataFrame(perf).join(imp, on="construct")
    if data.weight is not None:  # performance is weighted; the importance measures have no weighted form here
        measure += "; unweighted"
    df["importance_measure"] = measure
    df = df.dropna(subset=["importance", "performance"])
    if len(df) < 2:
        return None
    out = stats.importance_performance(df, "importance", "performance", "label")
    out["quadrant"] = out["quadrant"].astype(str)
    out = pf.add_reliability_flag(out, reliability, on="construct")
    cols = ["priority", "construct", "label", "element_label", "importance", "importance_ci_low",
            "importance_ci_high", "importance_measure", "performance", "performance_ci_low", "performance_ci_high",
            "mean", "mean_ci_low", "mean_ci_high", "n", "quadrant", "importance_split", "performance_split", "gap",
            "priority_score", "reliability_flag"]
    out = out[cols]
    out.attrs["outcome"] = outcome
    return out


def fix_first(ipa: pd.DataFrame | None) -> pd.DataFrame | None:
    """The ranked "fix first" list.

    Parameters
    ----------
    ipa : DataFrame or None
        :func:`element_ipa`.

    Returns
    -------
    DataFrame or None
        ``priority, label, quadrant, importance, importance_ci_low, importance_ci_high,
        performance, performance_ci_low, performance_ci_high, gap, priority_score, action,
        reliability_flag`` in priority order: quadrants "Concentrate here", "Keep up the good
        work", "Low priority", "Possible overkill"; within a quadrant by descending
        ``priority_score`` (= importance × gap to the best-performing element), then descending
        importance (the rule of :func:`cem_research.stats.importance_performance`).
    """
    if ipa is None:
        return None
    out = ipa.sort_values("priority", kind="stable").copy()
    out["action"] = out["quadrant"].map(ACTIONS)
    return out[["priority", "label", "quadrant", "importance", "importance_ci_low", "importance_ci_high",
                "performance", "performance_ci_low", "performance_ci_high", "gap", "priority_score", "action",
                "reliability_flag"]].reset_index(drop=True)


def ipa_finding(ipa: pd.DataFrame, brand: str) -> dict:
    """Plain-words finding for the importance–performance section.

    Parameters
    ----------
    ipa : DataFrame
        :func:`element_ipa`.
    brand : str
        The own brand.

    Returns
    -------
    dict
        Keyword arguments of :func:`cem_research.present.findings.record`: what to fix first,
        with its importance and performance intervals (``key`` "fix_first", ``value`` its
        importance); a headline when an element falls in "Concentrate here".
    """
    first = ipa.sort_values("priority").iloc[0]
    conc = ipa[ipa["quadrant"] == "Concentrate here"]
    fmt = nv.pct if "share of R²" in str(first["importance_measure"]) else nv.num
    imp_txt = (f"importance {fmt(first['importance'])} (95% CI {fmt(first['importance_ci_low'])} to "
               f"{fmt(first['importance_ci_high'])}; {first['importance_measure']})")
    perf_txt = (f"performance {nv.num(first['performance'], 0)}/100 (95% CI {nv.num(first['performance_ci_low'], 0)} "
                f"to {nv.num(first['performance_ci_high'], 0)})")
    if len(conc):
        text = (f"Fix first for {brand}: {first['label']} – above-average importance but below-average performance: "
                f"{imp_txt}, {perf_txt}.")
        if len(conc) > 1:
            text += f" Also in 'Concentrate here': {nv.join(conc['label'].iloc[1:].tolist())}."
    else:
        text = (f"No brand element combines above-average importance with below-average performance for {brand}, "
                f"so nothing to fix first; the top priority is {first['label']} ({first['quadrant']}): {imp_txt}, {perf_txt}.")
    if first["reliability_flag"]:
        text += f" Caution: {first['reliability_flag']}."
    if "unweighted" in str(first["importance_measure"]):
        text += (" Performance uses the survey weights; importance is estimated without them (the LMG "
                 "decomposition has no weighted form here).")
    return {"text": text, "headline": bool(len(conc)), "key": "fix_first", "value": float(first["importance"]),
            "ci": (float(first["importance_ci_low"]), float(first["importance_ci_high"]))}


class ElementImportancePerformance(Section):
    """Derived importance of each brand element for the main outcome against the own brand's
    performance on it, and the "fix first" list (:func:`element_ipa`)."""

    step = STEP
    title = "Importance–performance of brand elements"

    def _ipa(self, data: "ClientData", settings: Settings) -> pd.DataFrame | None:
        from cem_research.client.data import memoize

        return memoize(data, ("brand", "element_ipa", settings), lambda: element_ipa(
            data, n_boot=settings.n_boot, seed=settings.seed, reliability=reliability(data, settings)))

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        if data.main_outcome is None:
            return "the client declares no outcome: derived importance cannot be estimated"
        if len(ipa_constructs(data)) < 2:
            return ("fewer than two brand-element constructs and fewer than two drivers are declared: "
                    "importance–performance needs at least two")
        if self._ipa(data, settings) is None:
            return "fewer than two brand elements have an importance and a performance estimate"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> pd.DataFrame:
        return self._ipa(data, settings)

    def findings(self, result: pd.DataFrame, data: "ClientData", settings: Settings) -> list[dict]:
        return [ipa_finding(result, data.config.brand)]

    def present(self, result: pd.DataFrame, data: "ClientData", settings: Settings) -> list[Shown]:
        from cem_research.present.plots import brand as plots

        ax = plots.ipa_chart(result)
        return [Shown("figure", ax.figure,
                      "Quadrant chart: derived importance of each brand element for the main outcome against the "
                      "own brand's performance on it (0–100, with 95% intervals), split at the means"
                      + ("; performance survey-weighted, importance unweighted" if data.weight else "")),
                Shown("table", fix_first(result), "Elements in priority order" + (
                    "" if (result["quadrant"] == "Concentrate here").any() else
                    " (none in 'Concentrate here': nothing to fix first)"), layer="appendix")]
