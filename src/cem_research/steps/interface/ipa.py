"""Section "Importance–performance of touchpoints": the outcome penalty of a poor experience at each
touchpoint against the touchpoint's rating, and the resulting fix-first list."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats import MIN_GROUP
from cem_research.steps.interface.common import (
    NO_TOUCHPOINTS, STEP, compare_quietly, isin, key_cols, memo, poor_threshold, shared, touchpoint_scale,
)
from cem_research.steps.interface.frames import respondent_experience, touchpoint_events
from cem_research.steps.interface.performance import touchpoint_performance
from cem_research.steps.section import Section, Settings, Shown

__all__ = ["touchpoint_importance", "touchpoint_ipa", "poor_users", "TouchpointImportancePerformance"]


def touchpoint_importance(data, outcome: str | None = None, min_group: int = MIN_GROUP,
                          alpha: float = 0.05, threshold: float | None = None,
                          confidence: float = 0.95) -> pd.DataFrame | None:
    """Derived importance of each touchpoint: the outcome penalty of a poor experience there.

    For each touchpoint, respondents who used it are split into those whose (mean) rating of it
    was poor (:func:`~cem_research.steps.interface.common.poor_threshold`, 1-3 on 1-5) and those
    whose rating was good; importance is the difference in their mean outcome (good minus poor, in
    outcome points) with a Welch CI.

    Parameters
    ----------
    data : ClientData
    outcome : str, optional
        Outcome construct (default: the client's main outcome, ``data.main_outcome``).
    min_group : int, default :data:`cem_research.stats.MIN_GROUP`
        Minimum respondents in each group; touchpoints below it get NaN importance.
    alpha : float, default 0.05
    threshold : float, optional
        Highest poor rating (default: the scale midpoint).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        One row per touchpoint: ``touchpoint, n_users, n_poor, share_poor, outcome_good,
        outcome_poor, importance, importance_ci_low, importance_ci_high, hedges, p_unc, p_corr``
        (``p_corr`` Holm across touchpoints).  ``attrs``: ``outcome``, ``threshold``,
        ``n_respondents`` (linked respondents).  ``None`` without linkable events or outcome.

    Notes
    -----
    This is a penalty (impact) analysis: it asks how much lower the outcome is among customers
    who had a poor experience at the touchpoint.  It is observational -- customers who are unhappy
    overall also rate touchpoints lower -- so it measures association, which is what an IPA
    needs to rank touchpoints against each other (all touchpoints share the same bias).  Compared
    with a correlation it reads in outcome points and does not depend on how much a touchpoint's
    ratings vary.  Welch test via ``stats.compare_to_reference``.
    """
    outcome = outcome or data.main_outcome
    tp = touchpoint_events(data)
    if tp is None or outcome is None or outcome not in data.ratings.columns:
        return None
    exp = respondent_experience(data, tp, outcome)
    keep = exp[outcome].notna().to_numpy()
    if not keep.any():
        return None
    n_respondents = int(exp.loc[keep, key_cols(tp)].drop_duplicates().shape[0])
    exp = exp.loc[keep, ["touchpoint", "rating", outcome]]
    thr = poor_threshold(data.config) if threshold is None else threshold
    exp["experience"] = np.where(exp["rating"] <= thr, "poor", "good")
    rows = []
    for name, sub in exp.groupby("touchpoint", sort=True):
        n_poor = int((sub["experience"] == "poor").sum())
        n_good = int((sub["experience"] == "good").sum())
        row = {"touchpoint": name, "n_users": len(sub), "n_poor": n_poor,
               "share_poor": n_poor / len(sub) if len(sub) else np.nan,
               "outcome_good": sub.loc[sub["experience"] == "good", outcome].mean(),
               "outcome_poor": sub.loc[sub["experience"] == "poor", outcome].mean(),
               "importance": np.nan, "importance_ci_low": np.nan, "importance_ci_high": np.nan,
               "hedges": np.nan, "p_unc": np.nan}
        if n_poor >= min_group and n_good >= min_group:
            r = compare_quietly(sub, outcome, "experience", "good", correction="none", confidence=confidence).iloc[0]
            row.update(importance=r["diff"], importance_ci_low=r["ci_low"], importance_ci_high=r["ci_high"],
                       hedges=r["hedges"], p_unc=r["p_unc"])
        rows.append(row)
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm", alpha=alpha).drop(columns="significant")
    out.attrs.update(outcome=outcome, threshold=thr, n_respondents=n_respondents)
    return out


def poor_users(t) -> str:
    """How many of a touchpoint's users had a poor experience there, as every section says it.

    Parameters
    ----------
    t : Series
        A row of :func:`touchpoint_importance` or :func:`touchpoint_ipa` (``n_poor``, ``n_users``,
        ``share_poor``: users whose mean rating of the touchpoint is poor).

    Returns
    -------
    str
        ``'499 of its 711 users (70%)'``.

    Examples
    --------
    >>> poor_users({"n_poor": 499, "n_users": 711, "share_poor": 499 / 711})
    '499 of its 711 users (70%)'
    """
    return f"{int(t['n_poor']):,} of its {int(t['n_users']):,} users ({nv.pct(t['share_poor'])})"


def touchpoint_ipa(data, outcome: str | None = None, min_group: int = MIN_GROUP,
                   threshold: float | None = None, confidence: float = 0.95) -> pd.DataFrame | None:
    """Importance-performance analysis of touchpoints with a ranked "fix first" list.

    Importance from :func:`touchpoint_importance`, performance = mean event satisfaction with its
    CI (:func:`~cem_research.steps.interface.performance.touchpoint_performance`); quadrants and
    priority from ``stats.importance_performance`` (split at the means; priority: "Concentrate
    here" first, then by importance x gap to the best-performing touchpoint).

    Parameters
    ----------
    data : ClientData
    outcome, min_group, threshold, confidence
        As in :func:`touchpoint_importance`.

    Returns
    -------
    DataFrame or None
        Sorted by ``priority`` (1 = fix first): ``priority, touchpoint, stage, interface, quadrant,
        importance, importance_ci_low, importance_ci_high, performance, performance_ci_low,
        performance_ci_high, n_events, n_users, n_poor, share_poor, p_corr, gap, priority_score``.
        ``attrs``: ``outcome``, ``threshold``, ``excluded`` (touchpoints with too few poor or good
        experiences to estimate importance), ``n_respondents``, ``scale``.  ``None`` with fewer than
        two estimable touchpoints.
    """
    imp = touchpoint_importance(data, outcome, min_group=min_group, threshold=threshold, confidence=confidence)
    perf = touchpoint_performance(data, "touchpoint", confidence)
    if imp is None or perf is None:
        return None
    meta = perf[[c for c in ("touchpoint", "stage", "interface") if c in perf.columns]]
    df = imp.merge(perf[["touchpoint", "satisfaction", "ci_low", "ci_high", "n_events"]], on="touchpoint")
    df = df.rename(columns={"satisfaction": "performance", "ci_low": "performance_ci_low",
                            "ci_high": "performance_ci_high"}).merge(meta, on="touchpoint", how="left")
    ok = df["importance"].notna() & df["performance"].notna()
    if ok.sum() < 2:
        return None
    res = stats.importance_performance(df[ok].reset_index(drop=True), "importance", "performance", "touchpoint")
    for col in ("stage", "interface"):
        if col not in res.columns:
            res[col] = ""
    cols = ["priority", "touchpoint", "stage", "interface", "quadrant", "importance", "importance_ci_low",
            "importance_ci_high", "performance", "performance_ci_low", "performance_ci_high", "n_events",
            "n_users", "n_poor", "share_poor", "p_corr", "gap", "priority_score"]
    res = res[cols]
    res.attrs.update(imp.attrs)
    res.attrs["excluded"] = sorted(df.loc[~ok, "touchpoint"].tolist())
    res.attrs["scale"] = touchpoint_scale(data.config)
    return res


class TouchpointImportancePerformance(Section):
    """Which touchpoints to fix first: importance (outcome penalty) against performance."""

    step = STEP
    title = "Importance–performance of touchpoints"

    @staticmethod
    def ipa(data, settings: Settings) -> pd.DataFrame | None:
        """:func:`touchpoint_ipa` on the main outcome with the settings (memoised; a shallow copy)."""
        key = f"ipa:{data.main_outcome}:{settings.min_group}:{settings.confidence}"
        return shared(memo(data, key, lambda: touchpoint_ipa(data, data.main_outcome, min_group=settings.min_group,
                                                             confidence=settings.confidence)))

    def skip_reason(self, data, settings: Settings) -> str | None:
        tp = touchpoint_events(data)
        if tp is None:
            return NO_TOUCHPOINTS
        if data.main_outcome is None:
            return "no outcome construct is declared (outcomes in client.yaml), so importance cannot be derived"
        if not isin(tp["respondent"], data.own["respondent"]).any():
            return ("the touchpoint events cannot be linked to survey respondents (no shared "
                    "respondent ids), so importance cannot be derived from the outcome")
        if self.ipa(data, settings) is None:
            return "fewer than two touchpoints have enough poor and good experiences to estimate their importance"
        return None

    def compute(self, data, settings: Settings) -> pd.DataFrame:
        return self.ipa(data, settings)

    def findings(self, ipa: pd.DataFrame, data, settings: Settings) -> list[dict]:
        c = settings.confidence
        top = ipa.iloc[0]
        outcome = ipa.attrs.get("outcome", "the outcome")
        scale = nv.scale_text(ipa.attrs.get("scale", (1, 5)))

        def word(touchpoint):
            return nv.value_label(data.config, "touchpoint", touchpoint)

        # "fix first" names only a touchpoint in "Concentrate here" (the agenda's first touchpoint, too)
        lead = (f"Fix first: {word(top['touchpoint'])} ({top['quadrant']})." if top["quadrant"] == "Concentrate here"
                else f"No touchpoint is in 'Concentrate here': nothing to fix first. The top priority is "
                     f"{word(top['touchpoint'])} ({top['quadrant']}).")
        text = (f"{lead} It performs at {nv.num(top['performance'])} "
                f"({nv.ci(top['performance_ci_low'], top['performance_ci_high'], confidence=c)}) on the {scale} "
                f"scale, and customers with a poor experience there (rated at or below the midpoint: "
                f"{poor_users(top)}) rate {outcome} "
                f"{nv.num(top['importance'])} points lower than those with a good one "
                f"({nv.ci(top['importance_ci_low'], top['importance_ci_high'], confidence=c)}).")
        others = ipa[(ipa["quadrant"] == "Concentrate here") & (ipa["priority"] > 1)]
        if len(others):
            text += " Also in 'Concentrate here': " + nv.join(
                f"{word(r['touchpoint'])} (importance {nv.num(r['importance'])}, "
                f"performance {nv.num(r['performance'])})"
                for _, r in others.iterrows()) + "."
        if ipa.attrs.get("excluded"):
            text += (f" Not rated for importance (fewer than {settings.min_group} poor or good experiences): "
                     f"{nv.join(word(t) for t in ipa.attrs['excluded'])}.")
        ci = (float(top["importance_ci_low"]), float(top["importance_ci_high"]))
        return [{"text": text, "headline": True, "key": "fix_first", "value": float(top["importance"]), "ci": ci}]

    def present(self, ipa: pd.DataFrame, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import interface as charts

        level = nv.ci_label(settings.confidence)
        outcome = ipa.attrs["outcome"]
        table = nv.label_values(ipa, data.config)
        shown = [Shown("table", table, f"Touchpoints in IPA priority order, 'Concentrate here' (the fix-first list) "
                                     f"first (importance in {outcome} points, {level})",
                       {"percent": ("share_poor",), "rename": {"share_poor": "share of users with a poor experience",
                                                               "n_poor": "users with a poor experience"}},
                       layer="appendix")]
        if ipa.attrs["excluded"]:
            excluded = nv.join([nv.value_label(data.config, "touchpoint", t) for t in ipa.attrs["excluded"]])
            shown.append(Shown("markdown", f"*Too few poor or good experiences to rate importance: "
                                           f"{nv.md(excluded)}.*", layer="appendix"))
        ax = charts.ipa_chart(ipa, cfg=data.config)
        shown.append(Shown("figure", ax.figure,
                           f"Quadrant chart: importance of each touchpoint ({outcome} penalty of a poor experience) "
                           f"against its mean rating with its {level}; the top-left quadrant is the fix-first list"))
        return shown
