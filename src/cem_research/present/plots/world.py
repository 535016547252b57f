"""Figures of step 1, "Analyze the experiential world" (:mod:`cem_research.steps.world`).

Single-panel builders take ``ax=None`` and return the Axes; multi-panel builders return the Figure.
Each takes the tidy result of a step-1 section and draws it in the house style of
:mod:`cem_research.present.plots` (own brand red, competitors grey by kind, sample sizes on the axis).
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from cem_research.present import narrative as nv
from cem_research.present.plots import (KIND_COLORS, MUTED, OWN, PAGE_WIDTH, common_limits, dot_interval,
                                        wave_palette, with_n)

#: Panel titles of the journey figure, in the order drawn.
MEASURE_LABELS = {
    "reach": "Reach: % of customers with a contact",
    "satisfaction": "Satisfaction (mean)",
    "effort": "Effort (mean; high = harder)",
    "dropout": "Drop-out: % leaving here",
}


def segment_figure(sizes: pd.DataFrame, profiles: pd.DataFrame | None, construct: str,
                   confidence: float = 0.95, cfg=None):
    """Segment sizes (left) and mean ``construct`` per level (right), one row per segment.

    Parameters
    ----------
    sizes : DataFrame
        :func:`cem_research.steps.world.segment_sizes`.
    profiles : DataFrame or None
        :func:`cem_research.steps.world.segment_profiles`.
    construct : str
        The construct of the right-hand panels (the main outcome).
    confidence : float, default 0.95
        Level of the intervals, for the title.
    cfg : ClientConfig, optional
        Labels of the coded values (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    segs = list(pd.unique(sizes["segment"]))
    heights = [max(1.2, 0.42 * sizes[sizes["segment"] == s]["level"].nunique() + 0.7) for s in segs]
    fig, axes = plt.subplots(len(segs), 2, figsize=(PAGE_WIDTH, sum(heights) + 0.8), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    prof = profiles[profiles["construct"] == construct] if profiles is not None else None
    xlim = None
    if prof is not None and len(prof):
        lo, hi = prof["ci_low"].min(), prof["ci_high"].max()
        pad = 0.05 * (hi - lo) if np.isfinite(hi - lo) and hi > lo else 0.5
        xlim = (lo - pad, hi + pad) if np.isfinite(lo) and np.isfinite(hi) else None
    for i, seg in enumerate(segs):
        s = sizes[sizes["segment"] == seg].assign(pct=lambda d: 100 * d["share"], lo=lambda d: 100 * d["ci_low"],
                                                  hi=lambda d: 100 * d["ci_high"])
        dot_interval(s.assign(n=s["count"]), x="pct", y="level", low="lo", high="hi", ax=axes[i, 0],
                     xlabel="share of customers (%)", title=s["segment_label"].iloc[0],
                     palette={lv: OWN for lv in s["level"]}, tick_label=lambda v, c=seg: nv.value_label(cfg, c, v))
        axes[i, 0].set_xlim(0, 100)
        ax = axes[i, 1]
        if prof is not None and (prof["segment"] == seg).any():
            p = prof[prof["segment"] == seg]
            name = p["label"].iloc[0]
            scale = nv.scale_text((p["scale_min"].iloc[0], p["scale_max"].iloc[0]))
            dot_interval(p, x="mean", y="level", ax=ax, palette={lv: OWN for lv in p["level"]},
                         xlabel=f"mean ({scale})", title=f"{name} by level",
                         tick_label=lambda v, c=seg: nv.value_label(cfg, c, v))
            if xlim is not None:
                ax.set_xlim(*xlim)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"not compared on\n{construct}\n(loyalty groups are\nformed from it)",
                    ha="center", va="center", transform=ax.transAxes, fontsize=9)
    fig.suptitle(f"Who the customer is: segment sizes and scores\n(own brand, {nv.level(confidence)} CI)",
                 fontweight="bold")
    return fig  # laid out by plots.show (one pass lays it out as two did)


def segment_gap_chart(profiles: pd.DataFrame, gap: dict, ax=None, confidence: float = 0.95, cfg=None):
    """The segment that makes the largest difference: the mean of each of its levels.

    Parameters
    ----------
    profiles : DataFrame
        :func:`cem_research.steps.world.segment_profiles`.
    gap : dict
        :func:`cem_research.steps.world.segment_gap` (segment, construct, top and bottom level, difference).
    ax : matplotlib Axes, optional
    confidence : float, default 0.95
    cfg : ClientConfig, optional
        Labels of the coded values (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    p = profiles[(profiles["segment"] == gap["segment"]) & (profiles["construct"] == gap["construct"])]
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, 0.5 * len(p) + 1.9))
    def word(v):
        return nv.value_label(cfg, gap["segment"], v)

    title = (f"{gap['label']} by {gap['segment_label']}: '{word(gap['top'])}' - '{word(gap['bottom'])}' = "
             f"{nv.signed(gap['diff'])}")
    if not pd.isna(gap["ci"][0]):
        title += f" ({nv.ci(*gap['ci'], confidence=confidence)})"
    dot_interval(p, x="mean", y="level", ax=ax, palette={lv: OWN for lv in p["level"]},
                 xlabel=f"{gap['label']}: mean ({nv.scale_text(gap['scale'])}), {nv.level(confidence)} CI",
                 title=textwrap.fill(title, 64), tick_label=word)
    return ax


def layer_chart(scores: pd.DataFrame, ax=None, confidence: float = 0.95):
    """Own-brand layer constructs on a common 0-100 axis (% of scale maximum), with their intervals.

    Parameters
    ----------
    scores : DataFrame
        :func:`cem_research.steps.world.layer_scores`, pooled or by wave (then one colour per wave).
    ax : matplotlib Axes, optional
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.axes.Axes
    """
    s = scores.assign(row=lambda d: d["label"] + " \u2014 " + d["layer"])
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, max(2.5, 0.3 * len(s) + 1.2)))
    xlabel = "% of scale maximum (0 = lowest answer, 100 = highest)"
    if "wave" in s:
        n_wave = s.groupby("wave", sort=False)["n"].max()
        s = s.assign(wave_n=s["wave"].map(lambda w: with_n(str(w), n_wave[w])))
        waves = list(pd.unique(s["wave_n"]))
        dot_interval(s, x="pomp", y="row", low="pomp_low", high="pomp_high", hue="wave_n",
                     palette=dict(zip(waves, wave_palette(waves).values())), ax=ax, n=None, xlabel=xlabel)
    else:
        dot_interval(s, x="pomp", y="row", low="pomp_low", high="pomp_high",
                     palette={r: OWN for r in s["row"]}, ax=ax, xlabel=xlabel)
    ax.set_xlim(0, 100)
    ax.set_title(f"The experiential layers: own brand ({nv.level(confidence)} CI)"
                 + (", one colour per wave" if "wave" in s else ""))
    return ax


def journey_figure(stages: pd.DataFrame, confidence: float = 0.95, cfg=None):
    """Four panels (reach, satisfaction, effort, drop-out) along the journey stages, with their intervals.

    The drop-out panel has no point at the final stage (ending there is completing the journey).

    Drawn with seaborn point plots in the declared stage order; tick labels carry the sample sizes.

    Parameters
    ----------
    stages : DataFrame
        :func:`cem_research.steps.world.journey_stages`.
    confidence : float, default 0.95
    cfg : ClientConfig, optional
        Labels of the coded values (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    measures = [m for m in MEASURE_LABELS if m in set(stages["measure"])]
    order = list(stages.sort_values("stage_order")["stage"].drop_duplicates())
    ncols = 2 if len(measures) > 2 else len(measures)
    nrows = math.ceil(len(measures) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(PAGE_WIDTH, 3.4 * nrows + 0.4), squeeze=False)
    for ax in list(axes.flat)[len(measures):]:
        ax.set_axis_off()
    for ax, m in zip(axes.flat, measures):
        sub = stages[stages["measure"] == m].set_index("stage").reindex(order).reset_index()
        share = m in ("reach", "dropout")
        k = 100 if share else 1
        sns.pointplot(data=sub.assign(est=sub["estimate"] * k), x="stage", y="est", order=order,
                      color=OWN, errorbar=None, markers="o", ax=ax)
        x = np.arange(len(order))
        ok = sub["ci_low"].notna().to_numpy()
        ax.vlines(x[ok], (sub["ci_low"] * k)[ok], (sub["ci_high"] * k)[ok], color=OWN, lw=2, alpha=0.7)
        ticks = [with_n(nv.value_label(cfg, "stage", s), n) if pd.notna(n)  # no drop-out at the final stage
                 else f"{nv.value_label(cfg, 'stage', s)} (completion)" for s, n in zip(order, sub["n"])]
        ax.set_xticks(x, ticks, rotation=40, ha="right", rotation_mode="anchor")
        ax.set_xlabel("")
        if share:
            ax.set_ylim(0, 100)
            ax.set_ylabel("% of customers")
        else:
            ax.set_ylim(sub["scale_min"].dropna().iloc[0] if sub["scale_min"].notna().any() else None,
                        sub["scale_max"].dropna().iloc[0] if sub["scale_max"].notna().any() else None)
            ax.set_ylabel("mean rating")
        ax.set_title(textwrap.fill(MEASURE_LABELS[m], 34))
    fig.suptitle(f"The experience along the journey\n(stages in journey order, {nv.level(confidence)} CI)",
                 fontweight="bold")
    fig.tight_layout()  # kept: first of two passes (plots.show makes the second); one alone shifts axes by px
    return fig


def competitive_figure(profiles: pd.DataFrame, ncols: int = 4, confidence: float = 0.95):
    """One dot-and-interval panel per construct: own brand (red) vs competitors (grey by kind).

    The panels line up: the brands take the same rows in every panel (named once, in the left
    column), and constructs rated on the same scale share one x-axis range, so a difference of
    the same size looks the same size in every panel.

    Parameters
    ----------
    profiles : DataFrame
        :func:`cem_research.steps.world.brand_profiles`.
    ncols : int, default 4
        Panels per row.
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.figure.Figure
    """
    constructs = list(pd.unique(profiles["construct"]))
    ncols = min(ncols, len(constructs))
    nrows = math.ceil(len(constructs) / ncols)
    order = list(pd.unique(profiles["level"]))
    fig, axes = plt.subplots(nrows, ncols, figsize=(PAGE_WIDTH, (0.26 * len(order) + 0.75) * nrows + 1.2),
                             squeeze=False)
    palette = dict(zip(profiles["level"], profiles["brand_kind"].map(KIND_COLORS)))
    scale = profiles[["scale_min", "scale_max"]].astype(float).apply(tuple, axis=1)
    limits = {sc: common_limits(profiles[scale == sc]) for sc in pd.unique(scale)}
    for i, (ax, c) in enumerate(zip(axes.flat, constructs)):
        sub = profiles[profiles["construct"] == c]
        sc = (float(sub["scale_min"].iloc[0]), float(sub["scale_max"].iloc[0]))
        dot_interval(sub, x="mean", y="level", ax=ax, palette=palette, n=None, order=order,
                     title=textwrap.fill(str(sub["label"].iloc[0]), 15) + f"\n({nv.scale_text(sc)})")
        ax.set_xlabel("")
        ax.set_ylim(len(order) - 0.4, -0.6)
        ax.title.set_fontsize(9)
        if limits.get(sc):
            ax.set_xlim(*limits[sc])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 2.5, 5, 10]))
        if i % ncols:
            ax.tick_params(axis="y", labelleft=False)
        else:
            ax.set_yticks(range(len(order)), [textwrap.fill(str(lv), 14) for lv in order])
    for ax in list(axes.flat)[len(constructs):]:
        ax.set_axis_off()
    n_range = profiles.groupby("level", sort=False)["n"].agg(["min", "max"])
    sizes = "; ".join(f"{lv} {int(r['min']):,}" + (f"\u2013{int(r['max']):,}" if r["min"] != r["max"] else "")
                      for lv, r in n_range.iterrows())
    fig.supxlabel(textwrap.fill(f"Mean rating with {nv.level(confidence)} CI; panels on the same scale share the "
                                f"axis. Respondents (n): {sizes}.", 110), fontsize=8.5)
    fig.suptitle("The competitive landscape: own brand (red) vs competitors (grey)", fontweight="bold")
    fig.tight_layout()  # kept: first of two passes (plots.show makes the second); one alone shifts axes by px
    return fig


def sentiment_figure(summary: pd.DataFrame, confidence: float = 0.95, cfg=None):
    """Mean compound sentiment with its interval by touchpoint and by segment (one panel per dimension).

    Parameters
    ----------
    summary : DataFrame
        :func:`cem_research.steps.world.sentiment_summary`.
    confidence : float, default 0.95
    cfg : ClientConfig, optional
        Labels of the coded values (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    dims = [d for d in pd.unique(summary["dimension"]) if d != "all"] or ["all"]
    rows = [int((summary["dimension"] == d).sum()) for d in dims]
    heights = [0.27 * r + 0.45 for r in rows]
    fig, axes = plt.subplots(len(dims), 1, figsize=(PAGE_WIDTH, sum(heights) + 1.3), squeeze=False, sharex=True,
                             gridspec_kw={"height_ratios": heights})
    for ax, d, r in zip(axes[:, 0], dims, rows):
        sub = summary[summary["dimension"] == d]
        dot_interval(sub, x="compound", y="level", ax=ax, palette={lv: OWN for lv in sub["level"]}, xlabel="",
                     title=sub["dimension_label"].iloc[0], tick_label=lambda v, c=d: nv.value_label(cfg, c, v))
        ax.set_xlabel("")
        ax.set_ylim(r - 0.5, -0.5)
        ax.axvline(0, color=MUTED, lw=1, ls="--")
        ax.set_xlim(-1, 1)
    axes[-1, 0].set_xlabel("mean VADER compound (\u22121 negative \u2026 +1 positive)")
    fig.suptitle(f"What customers say: sentiment of own-brand comments ({nv.level(confidence)} CI)",
                 fontweight="bold")
    return fig  # laid out by plots.show (one pass lays it out as two did)
