"""Section "Touchpoint performance": satisfaction, effort, volume and spread per interface kind,
channel and touchpoint, and whether a need (journey stage) is served worse in one channel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.client.config import INTERFACE_KINDS
from cem_research.present import narrative as nv
from cem_research.steps.interface.common import (
    NO_TOUCHPOINTS, STEP, compare_quietly, has, joined_by, key_cols, memo, poor_threshold,
    touchpoint_scale,
)
from cem_research.steps.interface.frames import touchpoint_events
from cem_research.steps.section import Section, Settings, Shown

__all__ = ["touchpoint_performance", "channel_consistency", "PerformanceResult", "TouchpointPerformance"]


def touchpoint_performance(data, by: str = "touchpoint", confidence: float = 0.95) -> pd.DataFrame | None:
    """Satisfaction, effort, volume and spread of touchpoint events, per group.

    Parameters
    ----------
    data : ClientData
    by : {"touchpoint", "interface", "channel", "stage"}
        Grouping column of the touchpoint file.
    confidence : float, default 0.95
        Level of the t intervals.

    Returns
    -------
    DataFrame or None
        One row per level of ``by``: ``[by, (stage, interface, channel for touchpoints),
        n_events, n_respondents, satisfaction, sd, iqr, ci_low, ci_high, share_poor, effort,
        effort_ci_low, effort_ci_high]``.  ``satisfaction`` is the mean event rating with its t
        interval (events as units; repeated events of one respondent count separately),
        ``iqr`` the interquartile range, ``share_poor`` the share of events rated poor
        (:func:`~cem_research.steps.interface.common.poor_threshold`), ``effort`` the mean
        customer-effort rating (NaN without an effort column).  Touchpoints in journey order,
        interface kinds in contract order, channels and stages by volume / journey order.
        ``attrs["scale"]``: the rating scale.  ``None`` without touchpoint events or without ``by``.
    """
    out = memo(data, f"performance:{by}:{confidence}", lambda: _touchpoint_performance(data, by, confidence))
    return None if out is None else out.copy()


def _touchpoint_performance(data, by: str, confidence: float) -> pd.DataFrame | None:
    """:func:`touchpoint_performance`, computed (not memoised)."""
    tp = touchpoint_events(data)
    if tp is None or not has(tp, by):
        return None
    known = tp[by].notna()
    if not known.all():
        tp = tp[known]
    # The groups as integer codes in order of first appearance, and as a Categorical with the
    # categories in that order: stats.mean_ci then visits the groups in the order it visits the
    # strings (groupby sort=False), without moving the strings around.
    codes, uniques = pd.factorize(tp[by])
    labels = pd.Index(uniques)
    k = len(labels)
    groups = pd.Categorical.from_codes(codes, categories=labels)
    sat = tp["satisfaction"].to_numpy()
    m = stats.mean_ci(pd.DataFrame({"satisfaction": sat, by: groups}), "satisfaction", by=by, confidence=confidence)
    m = m.rename(columns={"mean": "satisfaction", "n": "n_events"})
    g = pd.Series(sat).groupby(codes)
    rc, resp = pd.factorize(tp["respondent"])  # distinct respondents: distinct (group, respondent) codes
    pairs = pd.unique(codes[rc >= 0].astype(np.int64) * max(len(resp), 1) + rc[rc >= 0])
    poor = (sat <= poor_threshold(data.config)).astype(float)
    extra = pd.DataFrame({
        by: labels,
        "n_respondents": np.bincount(pairs // max(len(resp), 1), minlength=k).astype(np.int64),
        "iqr": (g.quantile(0.75) - g.quantile(0.25)).to_numpy(),
        "share_poor": np.bincount(codes, weights=poor, minlength=k) / np.bincount(codes, minlength=k),
    })
    out = m.merge(extra, on=by, how="left")
    if has(tp, "effort"):
        e = stats.mean_ci(pd.DataFrame({"effort": tp["effort"].to_numpy(), by: groups}), "effort", by=by,
                          confidence=confidence)
        e = e[[by, "mean", "ci_low", "ci_high"]]
        e.columns = [by, "effort", "effort_ci_low", "effort_ci_high"]
        out = out.merge(e, on=by, how="left")
    else:
        out["effort"] = out["effort_ci_low"] = out["effort_ci_high"] = np.nan
    lead: list[str] = [by]
    if by == "touchpoint":
        for col in ("stage", "interface", "channel"):
            if col in tp.columns:
                out[col] = out["touchpoint"].map(joined_by(tp, "touchpoint", col, codes, uniques))
                lead.append(col)
        if "stage_index" in tp.columns:
            first = pd.Series(tp["stage_index"].to_numpy()).groupby(codes).min()
            out["__o"] = out["touchpoint"].map(pd.Series(first.to_numpy(), index=labels))
            out = out.sort_values(["__o", "touchpoint"], kind="stable").drop(columns="__o")
    elif by == "interface":
        order = {k: i for i, k in enumerate(INTERFACE_KINDS)}
        out = out.sort_values(by, key=lambda s: s.map(order).fillna(99), kind="stable")
    elif by == "stage":
        order = {k: i for i, k in enumerate(data.config.journey)}
        out = out.sort_values(by, key=lambda s: s.map(order).fillna(99), kind="stable")
    else:
        out = out.sort_values("n_events", ascending=False, kind="stable")
    cols = [*lead, "n_events", "n_respondents", "satisfaction", "sd", "iqr", "ci_low", "ci_high",
            "share_poor", "effort", "effort_ci_low", "effort_ci_high"]
    out = out[cols].reset_index(drop=True)
    out.attrs["scale"] = touchpoint_scale(data.config)
    return out


def channel_consistency(data, alpha: float = 0.05, confidence: float = 0.95) -> pd.DataFrame | None:
    """Where a need (journey stage) is served in several channels, which channel serves it worse.

    Each channel of a stage is compared with the stage's **main channel** (the one with the most
    respondents; chosen by volume, not by score, so the comparison is not selected on the outcome).
    Units are respondents: each respondent's mean rating of the stage's touchpoints in that channel.

    Parameters
    ----------
    data : ClientData
    alpha : float, default 0.05
        Significance level after Holm's correction.
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame or None
        One row per stage and non-main channel: ``stage, channel, reference, touchpoints,
        n_channel, n_reference, mean_channel, mean_reference, diff, ci_low, ci_high, hedges,
        hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant, worse``.  ``diff = mean_channel -
        mean_reference`` (negative: the channel serves the need worse) with its Welch CI; Hedges g
        in the same direction; ``p_corr`` Holm across all rows; ``worse`` names the worse channel when
        significant, else ``""``.  ``None`` when no stage is offered in two or more channels (or no
        stage/channel columns).

    Notes
    -----
    ``stats.compare_to_reference`` (Welch 1947; Hedges g with the Hedges & Olkin CI), then
    ``stats.adjust_pvalues`` (Holm 1979) across all stages.  A respondent using both channels of a
    stage is in both groups (a mild dependence the Welch test ignores).
    """
    tp = touchpoint_events(data)
    if tp is None or not (has(tp, "stage") and has(tp, "channel")):
        return None
    keys = key_cols(tp)
    tp = tp[[*keys, "stage", "channel", "touchpoint", "satisfaction"]]
    tp = tp[tp["stage"].notna() & tp["channel"].notna()]
    # respondent x channel means of every stage at once (per stage: sorted by keys and channel)
    per = {stage: frame.drop(columns="stage").reset_index(drop=True) for stage, frame in
           tp.groupby(["stage", *keys, "channel"], as_index=False)["satisfaction"].mean().groupby("stage", sort=False)}
    pairs = tp[["stage", "channel", "touchpoint"]].drop_duplicates()
    frames = []
    for stage in [s for s in data.config.journey if s in per]:
        resp = per[stage]
        counts = resp["channel"].value_counts()
        counts = counts[counts >= 2]
        if len(counts) < 2:
            continue
        ref = sorted(counts.index, key=lambda c: (-counts[c], str(c)))[0]
        resp = resp[resp["channel"].isin(counts.index)]
        res = compare_quietly(resp, "satisfaction", "channel", ref, correction="none", confidence=confidence)
        res.insert(0, "stage", stage)
        tps = joined_by(pairs[pairs["stage"] == stage], "channel", "touchpoint")
        res["touchpoints"] = res["group"].map(tps)
        frames.append(res)
    if not frames:
        return None
    res = stats.adjust_pvalues(pd.concat(frames, ignore_index=True), "p_unc", "holm", alpha=alpha)
    out = pd.DataFrame({
        "stage": res["stage"], "channel": res["group"], "reference": res["reference"],
        "touchpoints": res["touchpoints"], "n_channel": res["n_other"], "n_reference": res["n_ref"],
        "mean_channel": res["mean_other"], "mean_reference": res["mean_ref"], "diff": -res["diff"],
        "ci_low": -res["ci_high"], "ci_high": -res["ci_low"], "hedges": -res["hedges"],
        "hedges_ci_low": -res["hedges_ci_high"], "hedges_ci_high": -res["hedges_ci_low"],
        "p_unc": res["p_unc"], "p_corr": res["p_corr"], "significant": res["significant"].astype(bool),
    })
    out["worse"] = np.where(out["significant"], np.where(out["diff"] < 0, out["channel"], out["reference"]), "")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class PerformanceResult:
    """Result of :class:`TouchpointPerformance` (tables of :func:`touchpoint_performance`).

    Attributes
    ----------
    by_interface, by_channel : DataFrame or None
        Per interface kind and per channel (``None`` without the column).
    by_touchpoint : DataFrame
        Per touchpoint, in journey order.
    consistency : DataFrame or None
        :func:`channel_consistency`.
    """

    by_interface: pd.DataFrame | None
    by_channel: pd.DataFrame | None
    by_touchpoint: pd.DataFrame
    consistency: pd.DataFrame | None


class TouchpointPerformance(Section):
    """How well each touchpoint performs, and whether one channel serves a need worse."""

    step = STEP
    title = "Touchpoint performance"

    def skip_reason(self, data, settings: Settings) -> str | None:
        if touchpoint_events(data) is None:
            return NO_TOUCHPOINTS
        if touchpoint_performance(data, "touchpoint", settings.confidence) is None:
            return "the touchpoint events name no touchpoints"
        return None

    def compute(self, data, settings: Settings) -> PerformanceResult:
        c = settings.confidence
        return PerformanceResult(by_interface=touchpoint_performance(data, "interface", c),
                                 by_channel=touchpoint_performance(data, "channel", c),
                                 by_touchpoint=touchpoint_performance(data, "touchpoint", c),
                                 consistency=channel_consistency(data, confidence=c))

    def findings(self, result: PerformanceResult, data, settings: Settings) -> list[dict]:
        c = settings.confidence
        df = result.by_touchpoint.dropna(subset=["satisfaction"])
        if df.empty:
            return []
        scale = nv.scale_text(result.by_touchpoint.attrs.get("scale", (1, 5)))
        worst = df.loc[df["satisfaction"].idxmin()]
        best = df.loc[df["satisfaction"].idxmax()]

        def word(column, value):
            return nv.value_label(data.config, column, value)

        parts = [
            f"Of {len(df)} touchpoints, {word('touchpoint', worst['touchpoint'])} is rated lowest: "
            f"{nv.num(worst['satisfaction'])} "
            f"({nv.ci(worst['ci_low'], worst['ci_high'], confidence=c)}) on the {scale} scale "
            f"({int(worst['n_events']):,} ratings, {nv.pct(worst['share_poor'])} of them at or below the scale "
            "midpoint), "
            f"against {nv.num(best['satisfaction'])} ({nv.ci(best['ci_low'], best['ci_high'], confidence=c)}) "
            f"for {word('touchpoint', best['touchpoint'])}."
        ]
        if df["effort"].notna().any():
            e = df.loc[df["effort"].idxmax()]
            parts.append(f"Customer effort is highest at {word('touchpoint', e['touchpoint'])} ({nv.num(e['effort'])}, "
                         f"{nv.ci(e['effort_ci_low'], e['effort_ci_high'], confidence=c)}).")
        if result.by_interface is not None and len(result.by_interface):
            kinds = "; ".join(f"{word('interface', r['interface'])} {nv.num(r['satisfaction'])} "
                              f"({nv.ci(r['ci_low'], r['ci_high'], confidence=c)})"
                              for _, r in result.by_interface.iterrows())
            parts.append(f"By interface kind: {kinds}.")
        cons = result.consistency
        if cons is not None and len(cons):
            sig = cons[cons["significant"]]
            if len(sig):
                bits = [f"at the {word('stage', r['stage'])} stage, {word('channel', r['channel'])} scores "
                        f"{nv.num(r['diff'])} points ({nv.ci(r['ci_low'], r['ci_high'], confidence=c)}) against "
                        f"{word('channel', r['reference'])} "
                        f"(Hedges g {nv.num(r['hedges'])}, Holm {nv.p(r['p_corr'])})" for _, r in sig.iterrows()]
                parts.append("Channels serve the same need differently: " + "; ".join(bits) + ".")
            else:
                parts.append(f"No channel serves a stage significantly worse than its main channel "
                             f"({nv.count(len(cons), 'comparison')}, Holm).")
        ci = (float(worst["ci_low"]), float(worst["ci_high"])) if np.isfinite(worst["ci_low"]) else None
        return [{"text": " ".join(parts), "key": "lowest_touchpoint", "value": float(worst["satisfaction"]),
                 "ci": ci}]

    def present(self, result: PerformanceResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import interface as charts

        level = nv.ci_label(settings.confidence)
        poor = {"percent": ("share_poor",)}
        cfg = data.config
        shown = []
        if result.by_interface is not None:
            shown.append(Shown("table", nv.label_values(result.by_interface, cfg),
                               f"Touchpoint events per interface kind (mean satisfaction and effort, {level})", poor,
                               layer="appendix"))
        if result.by_channel is not None:
            shown.append(Shown("table", nv.label_values(result.by_channel, cfg), "Touchpoint events per channel",
                               poor, layer="appendix"))
        shown.append(Shown("table", nv.label_values(result.by_touchpoint, cfg), "Touchpoints in journey order", poor,
                           layer="appendix"))
        tp = data.config.touchpoints
        ax = charts.journey_map(result.by_touchpoint, stages=list(data.config.journey),
                                scale=tp.options.get("scale") if tp else None,
                                effort_scale=tp.options.get("effort_scale") if tp else None,
                                confidence=settings.confidence, cfg=data.config)
        shown.append(Shown("figure", ax.figure,
                           "Journey map: the journey stages from left to right, each stage's touchpoints as tiles "
                           f"coloured by mean satisfaction (brown low, teal high), with its {level}, the share of "
                           "poor experiences and, where declared, the mean effort"))
        if result.consistency is not None:
            cons = nv.label_values(result.consistency, cfg)
            for col, kind in (("reference", "channel"), ("worse", "channel")):
                cons[col] = [nv.value_label(cfg, kind, v) if isinstance(v, str) and v else v for v in cons[col]]
            cons["touchpoints"] = [", ".join(nv.value_label(cfg, "touchpoint", t) for t in str(v).split(", "))
                                   if isinstance(v, str) and v else v for v in cons["touchpoints"]]
            shown.append(Shown("table", cons,
                               "Same stage, different channel: channel minus main channel "
                               "(Welch, Hedges g, Holm across all stages)", layer="appendix"))
        return shown
