"""Tracking across waves: every outcome and construct of the own brand per wave, which changes are
real movements (Holm across all constructs and wave pairs), reliability per wave and NPS per wave.

Means, NPS, wave changes use the survey weights when present (``ClientData.weight``); reliability
does not (no weighted form).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps.innovation.common import (
    STEP, construct_order, construct_role, construct_title, tracked_constructs,
)
from cem_research.steps.section import Section, Settings, Shown

__all__ = ["tracking", "wave_reliability", "reliability_grid", "wave_change_tests", "nps_by_wave",
           "tracking_finding", "TrackingResult", "TrackingAcrossWaves"]

_Z95 = 1.959963984540054


def _alpha_text(threshold: float) -> str:
    """A Cronbach's alpha threshold as in APA style: ``'.70'``."""
    text = nv.num(threshold)
    return text[1:] if text.startswith("0.") else text


def tracking(data) -> pd.DataFrame | None:
    """Every outcome and construct per wave for the own brand, with confidence intervals.

    Parameters
    ----------
    data : ClientData

    Returns
    -------
    DataFrame or None
        ``construct, title, role (outcome/driver/other), wave, n, mean, sd, ci_low, ci_high,
        scale_min, scale_max``; ``wave`` an ordered Categorical in wave order.  Weighted means
        (Kish effective n) when the survey has weights.  ``None`` with fewer than two waves or no
        construct rated by the own brand's customers.
    """
    names = tracked_constructs(data)
    if len(data.waves) < 2 or not names:
        return None
    cfg = data.config
    frames = []
    for c in names:
        m = stats.mean_ci(data.own, c, by="wave", weights=data.weight)
        lo, hi = cfg.constructs[c].scale
        m.insert(0, "role", construct_role(cfg, c))
        m.insert(0, "title", construct_title(cfg, c))
        m.insert(0, "construct", c)
        m["scale_min"], m["scale_max"] = lo, hi
        frames.append(m)
    out = pd.concat(frames, ignore_index=True).drop(columns="n_eff")
    out = out[out["wave"].isin(data.waves)]
    out["wave"] = pd.Categorical(out["wave"], categories=list(data.waves), ordered=True)
    out["__o"] = out["construct"].map({c: i for i, c in enumerate(names)})
    return out.sort_values(["__o", "wave"], kind="stable").drop(columns="__o").reset_index(drop=True)


def wave_reliability(data, threshold: float = stats.RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Is each multi-item construct reliable in every wave? (own brand; shown before waves are compared)

    Parameters
    ----------
    data : ClientData
    threshold : float
        Cronbach's alpha below which a wave is flagged (``Settings.reliability_threshold``).

    Returns
    -------
    DataFrame or None
        One row per construct x wave (wave order): ``construct, title, wave, n, k, alpha, alpha_ci_low,
        alpha_ci_high, flag, unreliable`` (:func:`cem_research.stats.group_reliability`; ``unreliable``
        where raw Cronbach alpha < `threshold`).  ``None`` with fewer than two waves or no multi-item
        construct.
    """
    if len(data.waves) < 2:
        return None
    cfg = data.config
    own = data.own[data.own["wave"].isin(data.waves)]
    own = own.assign(wave=pd.Categorical(own["wave"], categories=list(data.waves), ordered=True))
    parts = []
    for c in construct_order(cfg):
        items = list(cfg.constructs[c].items)
        if len(items) < 2 or not all(i in own.columns for i in items):
            continue
        r = stats.group_reliability(own, items, "wave", threshold=threshold, name=c)
        r.insert(1, "title", construct_title(cfg, c))
        parts.append(r)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["wave"] = out["wave"].astype(str)
    return out[["construct", "title", "wave", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "flag",
                "unreliable"]]


def reliability_grid(reliability: pd.DataFrame | None, threshold: float = stats.RELIABILITY_THRESHOLD
                     ) -> pd.DataFrame | None:
    """:func:`wave_reliability` as a grid: one row per construct, one column per wave.

    Parameters
    ----------
    reliability : DataFrame or None
        :func:`wave_reliability`.
    threshold : float
        Only used to say what the mark means (the flags come from ``reliability["unreliable"]``).

    Returns
    -------
    DataFrame or None
        ``construct`` (title) and one column per wave with Cronbach's alpha; ``"0.62 \u26a0"`` marks a
        wave where it is below `threshold`.
    """
    if reliability is None or reliability.empty:
        return None
    cell = [("n/a" if pd.isna(a) else f"{a:.2f}") + (" \u26a0" if u else "")
            for a, u in zip(reliability["alpha"], reliability["unreliable"])]
    grid = reliability.assign(cell=cell).pivot(index="title", columns="wave", values="cell")
    grid = grid.reindex(index=list(dict.fromkeys(reliability["title"])),
                        columns=list(dict.fromkeys(reliability["wave"])))
    grid.columns.name = None
    return grid.rename_axis("construct").reset_index()


def wave_change_tests(data, alpha: float = 0.05, reliability: pd.DataFrame | None = None,
                      threshold: float = stats.RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Wave-over-wave changes of every construct, Holm-corrected across all constructs and pairs.

    ``stats.wave_changes`` (Welch t-test between consecutive waves, Hedges g; weighted when the
    survey has weights) for each construct, then one ``stats.adjust_pvalues`` (Holm) over the whole
    table, so a "movement" is only called when it survives the correction for every test reported.

    Parameters
    ----------
    data : ClientData
    alpha : float, default 0.05
    reliability : DataFrame, optional
        :func:`wave_reliability` (computed with `threshold` when not given).
    threshold : float
        Cronbach's alpha below which a wave is flagged, when `reliability` is computed here.

    Returns
    -------
    DataFrame or None
        ``construct, title, role, from_wave, to_wave, n_from, n_to, mean_from, mean_to, diff, ci_low,
        ci_high, T, df, hedges, hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant, movement,
        min_group_alpha, unreliable_in`` (``diff = mean_to - mean_from``; ``movement`` "up", "down" or
        "no real change"; ``min_group_alpha`` the lower Cronbach alpha of the two waves, NaN for single
        items; ``unreliable_in`` the compared waves flagged unreliable, "" when none).  ``attrs``:
        ``n_tests``.  ``None`` with fewer than two waves or no tracked construct.
    """
    names = tracked_constructs(data)
    if len(data.waves) < 2 or not names:
        return None
    cfg = data.config
    frames = []
    for c in names:
        r = stats.wave_changes(data.own, c, "wave", list(data.waves), weights=data.weight, correction="none")
        r.insert(0, "role", construct_role(cfg, c))
        r.insert(0, "title", construct_title(cfg, c))
        frames.append(r.rename(columns={"dv": "construct"}))
    out = stats.adjust_pvalues(pd.concat(frames, ignore_index=True), "p_unc", "holm", alpha=alpha)
    out.insert(0, "construct", out.pop("construct"))
    out["significant"] = out["significant"].astype(bool)
    out["movement"] = np.where(out["significant"], np.where(out["diff"] > 0, "up", "down"), "no real change")
    if reliability is None:
        reliability = wave_reliability(data, threshold=threshold)
    look = ({} if reliability is None else
            {(c, str(w)): (a, u) for c, w, a, u in zip(reliability["construct"], reliability["wave"],
                                                      reliability["alpha"], reliability["unreliable"])})
    mins, lows = [], []
    for c, a, b in zip(out["construct"], out["from_wave"], out["to_wave"]):
        pair = [(w, *look[(c, str(w))]) for w in (a, b) if (c, str(w)) in look]
        alphas = [x for _, x, _ in pair if pd.notna(x)]
        mins.append(float(min(alphas)) if alphas else np.nan)
        lows.append(", ".join(str(w) for w, _, u in pair if u))
    out["min_group_alpha"] = mins
    out["unreliable_in"] = lows
    out.attrs["n_tests"] = int(out["p_unc"].notna().sum())
    return out.reset_index(drop=True)


def nps_by_wave(data) -> pd.DataFrame | None:
    """Net Promoter Score per wave (own brand) with the change from the previous wave.

    Returns
    -------
    DataFrame or None
        ``wave, n, pct_promoters, pct_detractors, nps, ci_low, ci_high, small_n, change, change_ci_low,
        change_ci_high``: each wave's score interval (:func:`cem_research.stats.nps`; ``small_n`` flags fewer
        than 30 effective answers); the change's interval ``change ± z·sqrt(SE_from² + SE_to²)`` from the two
        waves' adjusted-Wald standard errors (Rocks 2016; normal approximation, independent samples), so it
        is never backed out of a clipped interval and keeps a width at 0% or 100% promoters.  ``None``
        without a declared NPS question.
    """
    cfg = data.config
    if not cfg.nps or cfg.nps not in data.own.columns:
        return None
    own = data.own[data.own["wave"].isin(data.waves)]
    own = own.assign(wave=pd.Categorical(own["wave"], categories=list(data.waves), ordered=True))
    res = stats.nps(own, cfg.nps, by="wave", weights=data.weight)
    res["change"] = res["nps"].diff()
    half = _Z95 * np.sqrt(res["se"] ** 2 + res["se"].shift() ** 2)
    res["change_ci_low"] = res["change"] - half
    res["change_ci_high"] = res["change"] + half
    res["wave"] = res["wave"].astype(str)
    return res[["wave", "n", "pct_promoters", "pct_detractors", "nps", "ci_low", "ci_high", "small_n", "change",
                "change_ci_low", "change_ci_high"]].reset_index(drop=True)


def tracking_finding(changes: pd.DataFrame, nps: pd.DataFrame | None = None,
                     threshold: float = stats.RELIABILITY_THRESHOLD) -> dict:
    """Headline finding for "Tracking across waves": the real movements (and what did not move).

    Parameters
    ----------
    changes : DataFrame
        :func:`wave_change_tests`.
    nps : DataFrame, optional
        :func:`nps_by_wave`.
    threshold : float
        The reliability threshold the flags of `changes` were set with (named in the caveat).

    Returns
    -------
    dict
        Keyword arguments of :func:`cem_research.present.findings.record`.
    """
    latest = changes["to_wave"].iloc[-1]
    sig = changes[changes["significant"]]
    n = changes.attrs.get("n_tests", len(changes))
    if len(sig):
        sig = sig.assign(__a=sig["hedges"].abs()).sort_values(["to_wave", "__a"], ascending=[False, False])
        bits = [f"{r['title']} {r['movement']} {nv.signed(r['diff'])} ({nv.ci(r['ci_low'], r['ci_high'])}) from "
                f"{r['from_wave']} to {r['to_wave']} (Hedges g {nv.num(r['hedges'])}, Holm {nv.p(r['p_corr'])})"
                for _, r in sig.iterrows()]
        top = sig.iloc[0]
        text = (f"{len(sig)} of {n} wave-over-wave changes are real movements after Holm correction across all "
                f"constructs and waves: " + "; ".join(bits) + ".")
        key, value = f"movement:{top['construct']}", float(top["diff"])
        ci = (float(top["ci_low"]), float(top["ci_high"]))
    else:
        text = (f"None of the {n} wave-over-wave changes survives Holm correction across all constructs and waves: "
                "no construct moved beyond sampling noise.")
        key, value, ci = "movements", 0.0, None
    still = changes[(changes["to_wave"] == latest) & ~changes["significant"]]
    if len(still):
        s = still.loc[still["diff"].abs().idxmax()]
        text += (f" The largest change into {latest} that is not a real movement: {s['title']} "
                 f"{nv.signed(s['diff'])} ({nv.ci(s['ci_low'], s['ci_high'])}, Holm {nv.p(s['p_corr'])}).")
    if "unreliable_in" in changes:
        flagged = changes[changes["unreliable_in"].astype(str) != ""]
        if len(flagged):
            moved = flagged[flagged["significant"]]
            names = list(dict.fromkeys(flagged["title"]))
            text += (f" Not reliably measured in every compared wave (Cronbach's alpha < {_alpha_text(threshold)}): "
                     f"{', '.join(names)}")
            if len(moved):
                text += (f" — the movement{'s' if len(moved) > 1 else ''} of "
                         f"{', '.join(dict.fromkeys(moved['title']))} may partly be measurement noise")
            text += "."
    if nps is not None and len(nps) >= 2:
        last = nps.iloc[-1]
        text += (f" NPS in {last['wave']}: {nv.num(last['nps'], 0)} ({nv.ci(last['ci_low'], last['ci_high'], 0)}), "
                 f"change {nv.signed(last['change'], 0)} "
                 f"({nv.ci(last['change_ci_low'], last['change_ci_high'], 0)}).")
        small = [str(w) for w, flag in zip(nps["wave"].iloc[-2:], nps.get("small_n", pd.Series(False, nps.index))
                                            .iloc[-2:]) if bool(flag)]
        if small:
            text += (f" Fewer than {stats.NPS_SMALL_N} NPS answers in {nv.join(small)}: the NPS interval"
                     f"{'s are' if len(small) > 1 else ' is'} approximate.")
    return {"text": text, "headline": True, "key": key, "value": value, "ci": ci}


@dataclass(frozen=True)
class TrackingResult:
    """Result of :class:`TrackingAcrossWaves`.

    Attributes
    ----------
    track : DataFrame
        :func:`tracking`.
    reliability : DataFrame or None
        :func:`wave_reliability` (``None``: no multi-item construct).
    changes : DataFrame
        :func:`wave_change_tests`.
    nps : DataFrame or None
        :func:`nps_by_wave` (``None``: no NPS question).
    """

    track: pd.DataFrame
    reliability: pd.DataFrame | None
    changes: pd.DataFrame
    nps: pd.DataFrame | None


class TrackingAcrossWaves(Section):
    """Every outcome and construct of the own brand per wave; real movements after Holm correction."""

    step = STEP
    title = "Tracking across waves"

    def skip_reason(self, data, settings: Settings) -> str | None:
        if len(data.waves) < 2:
            return (f"the client has a single survey wave ({data.waves[0]}); tracking needs at least "
                    "two waves")
        if not tracked_constructs(data):
            return "no construct could be tracked"
        return None

    def compute(self, data, settings: Settings) -> TrackingResult:
        rel = wave_reliability(data, threshold=settings.reliability_threshold)
        return TrackingResult(track=tracking(data), reliability=rel,
                              changes=wave_change_tests(data, reliability=rel), nps=nps_by_wave(data))

    def findings(self, result: TrackingResult, data, settings: Settings) -> list[dict]:
        return [tracking_finding(result.changes, result.nps, threshold=settings.reliability_threshold)]

    def present(self, result: TrackingResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import innovation as plots

        changes = result.changes
        trend = plots.trend_figure(result.nps, result.track, data.main_outcome, changes,
                                   confidence=settings.confidence)
        shown = [Shown("table", result.track.drop(columns=["construct", "scale_min", "scale_max"]),
                       "Own brand per wave: mean with 95% CI", layer="appendix")]
        grid = reliability_grid(result.reliability)
        if grid is not None:
            shown.append(Shown("table", grid, "Reliability per wave: Cronbach's alpha of each construct "
                                              f"(\u26a0 below {_alpha_text(settings.reliability_threshold)})",
                               layer="appendix"))
        shown.append(Shown("table", changes.drop(columns=["construct"]),
                           "Wave-over-wave changes (to minus from); "
                           f"Holm across all {changes.attrs['n_tests']} tests", layer="appendix"))
        # the client sees the trend chart; the small multiples only when there is no trend chart
        shown.append(Shown("figure", plots.tracking_figure(result.track, changes),
                           "Small multiples, one panel per construct: the own brand's mean per survey wave with "
                           "its 95% interval band; triangles mark wave-over-wave movements that survive Holm "
                           "correction", layer="client" if trend is None else "appendix"))
        if result.nps is not None:
            shown.append(Shown("table", result.nps,
                               "Net Promoter Score per wave (95% CI) and change from the previous wave",
                               layer="appendix"))
        if trend is not None:
            shown.append(Shown("figure", trend,
                               "Trend chart: the own brand's Net Promoter Score and its main outcome in each survey "
                               f"wave, with {nv.level(settings.confidence)} intervals and the number of respondents "
                               "per wave"))
        return shown
