"""Figures of step 4, "Structure the customer interface" (house style of :mod:`cem_research.present.plots`).

Every builder draws one panel: it takes ``ax=None`` and returns the Axes.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.patches import FancyBboxPatch

from cem_research.present import narrative as nv
from cem_research.present import plots

__all__ = ["touchpoint_palette", "touchpoint_chart", "ipa_chart", "transition_heatmap", "human_touch_chart",
           "sentiment_chart", "journey_map"]

ZERO = plots.MUTED


def touchpoint_palette(frame: pd.DataFrame, kinds: dict | None = None, label: str = "touchpoint") -> dict[str, str]:
    """Colour per touchpoint by its interface kind (:data:`cem_research.present.plots.INTERFACE_COLORS`).

    Parameters
    ----------
    frame : DataFrame
        One row per touchpoint.
    kinds : dict, optional
        Touchpoint -> interface kind; default ``frame["interface"]`` (none: every touchpoint grey).
    label : str, default "touchpoint"
        Column of the touchpoint names.

    Returns
    -------
    dict
        Touchpoint -> colour; touchpoints of unknown kind are grey.
    """
    if kinds is None:
        kinds = dict(zip(frame[label], frame["interface"])) if "interface" in frame.columns else {}
    return {t: plots.INTERFACE_COLORS.get(kinds.get(t), "#52606d") for t in frame[label]}


def touchpoint_chart(by_touchpoint: pd.DataFrame, ax=None, ci_label: str = "95% CI", cfg=None):
    """Dot chart of the mean satisfaction per touchpoint with its interval, coloured by interface kind.

    Parameters
    ----------
    by_touchpoint : DataFrame
        ``interface.touchpoint_performance(data, "touchpoint")``.
    ax : matplotlib Axes, optional
    ci_label : str, default "95% CI"
        Name of the intervals (for the axis label).
    cfg : ClientConfig, optional
        Labels of the touchpoints and stages (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    return plots.dot_interval(by_touchpoint, x="satisfaction", y="touchpoint",
                              palette=touchpoint_palette(by_touchpoint), n="n_events", ax=ax,
                              tick_label=lambda t: nv.value_label(cfg, "touchpoint", t),
                              xlabel=f"mean satisfaction ({ci_label})",
                              title="Satisfaction per touchpoint, coloured by interface kind")


def ipa_chart(ipa: pd.DataFrame, ax=None, cfg=None):
    """Importance–performance quadrant chart of the touchpoints.

    Parameters
    ----------
    ipa : DataFrame
        ``interface.touchpoint_ipa(data)`` (``attrs["outcome"]`` names the outcome).
    ax : matplotlib Axes, optional
    cfg : ClientConfig, optional
        Labels of the touchpoints and stages (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    return plots.quadrant_chart(ipa, "importance", "performance", "touchpoint", ax=ax,
                                text=lambda t: nv.value_label(cfg, "touchpoint", t),
                                xerr=("performance_ci_low", "performance_ci_high"),
                                xlabel=plots.with_n("performance: mean touchpoint rating", ipa["n_events"].sum()),
                                ylabel=f"importance: {ipa.attrs['outcome']} penalty of a poor experience",
                                title="Importance–performance of touchpoints")


def transition_heatmap(transitions: pd.DataFrame, ax=None, cfg=None):
    """Heatmap of stage-to-stage transition shares (rows: from, columns: to; journey order).

    Parameters
    ----------
    transitions : DataFrame
        ``interface.stage_transitions(data)``.
    ax : matplotlib Axes, optional
    cfg : ClientConfig, optional
        Labels of the touchpoints and stages (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    mat = transitions.pivot_table(index="from_stage", columns="to_stage", values="share", observed=False,
                                  aggfunc="sum", dropna=False)
    counts = transitions.groupby("from_stage", observed=False)["count"].sum()
    if ax is None:
        _, ax = plt.subplots(figsize=(plots.PAGE_WIDTH, 0.55 * len(mat) + 1.8))
    sns.heatmap(mat, annot=True, fmt=".0%", cmap=plots.SEQUENTIAL, vmin=0, vmax=1,
                cbar_kws={"label": "share of moves"}, linewidths=0.5, ax=ax)
    ax.set_yticklabels([plots.with_n(nv.value_label(cfg, "stage", s), counts.get(s, 0)) for s in mat.index],
                       rotation=0)
    ax.set_xticklabels([nv.value_label(cfg, "stage", s) for s in mat.columns])
    ax.set_xlabel("next stage")
    ax.set_ylabel("from stage (n = moves)")
    ax.set_title(f"Where customers go next ({transitions.attrs.get('n_respondents', '?')} journeys)")
    return ax


def human_touch_chart(human: pd.DataFrame, ax=None, ci_label: str = "95% CI"):
    """Dot chart of human–human minus human–technology ratings, overall and per segment level.

    Parameters
    ----------
    human : DataFrame
        ``interface.human_vs_technology(data)``.
    ax : matplotlib Axes, optional
    ci_label : str, default "95% CI"
        Name of the intervals (for the axis label).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plots.dot_interval(human, x="diff", y="group", n="n", ax=ax,
                            xlabel=f"human–human minus human–technology ({ci_label})",
                            title="Does the human touch score higher?")
    ax.axvline(0, color=ZERO, lw=1)
    return ax


def sentiment_chart(sentiment: pd.DataFrame, kinds: dict | None = None, ax=None, ci_label: str = "95% CI",
                    cfg=None):
    """Dot chart of the mean sentiment of the comments per touchpoint, coloured by interface kind.

    Parameters
    ----------
    sentiment : DataFrame
        ``interface.touchpoint_sentiment(data)``.
    kinds : dict, optional
        Touchpoint -> interface kind (colours; see :func:`touchpoint_palette`).
    ax : matplotlib Axes, optional
    ci_label : str, default "95% CI"
        Name of the intervals (for the axis label).
    cfg : ClientConfig, optional
        Labels of the touchpoints and stages (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plots.dot_interval(sentiment, x="compound", y="touchpoint",
                            palette=touchpoint_palette(sentiment, kinds or {}),
                            tick_label=lambda t: nv.value_label(cfg, "touchpoint", t),
                            xlabel=f"mean compound sentiment ({ci_label})", ax=ax,
                            title="How customers sound about each touchpoint")
    ax.axvline(0, color=ZERO, lw=1)
    return ax


def journey_map(by_touchpoint: pd.DataFrame, stages: list | None = None, scale: tuple | None = None,
                effort_scale: tuple | None = None, ax=None, confidence: float = 0.95, cfg=None):
    """Journey map: the stages left to right, each stage's touchpoints as tiles coloured by satisfaction.

    A stage with many touchpoints takes several columns, so the map stays about two tiles deep.

    Each tile names the touchpoint and shows its mean satisfaction with its interval, the share of
    poor experiences and, where declared, the mean effort.

    Parameters
    ----------
    by_touchpoint : DataFrame
        ``interface.touchpoint_performance(data, "touchpoint")`` (``touchpoint, stage, n_events,
        satisfaction, ci_low, ci_high, share_poor`` and optionally ``effort``).
    stages : list, optional
        The stages in journey order (default: order of appearance).
    scale : (float, float), optional
        The satisfaction scale (named in the legend; the colours span the observed range, so that the
        weakest touchpoint stands out).
    effort_scale : (float, float), optional
        The effort scale, for the tile text.
    ax : matplotlib Axes, optional
    confidence : float, default 0.95
    cfg : ClientConfig, optional
        Labels of the touchpoints and stages (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = by_touchpoint.copy()
    if "stage" not in frame or frame["stage"].isna().all():
        frame["stage"] = "all touchpoints"
    frame["stage"] = frame["stage"].fillna("no stage").astype(str)
    order = [s for s in (stages or []) if s in set(frame["stage"])]
    order += [s for s in pd.unique(frame["stage"]) if s not in order]
    counts = frame.groupby("stage", sort=False)["touchpoint"].size()
    depth = int(min(counts.max(), max(2, math.ceil(len(frame) / 8))))
    spans = {st: math.ceil(counts[st] / depth) for st in order}
    has_effort = "effort" in frame and frame["effort"].notna().any()
    norm = Normalize(vmin=float(frame["satisfaction"].min()), vmax=float(frame["satisfaction"].max()))
    cmap = plt.get_cmap(plots.RATING_CMAP)
    tile_h = 1.5 if has_effort else 1.3
    if ax is None:
        _, ax = plt.subplots(figsize=(plots.PAGE_WIDTH, 1.0 * tile_h * depth + 1.9))
    ncol = sum(spans.values())
    width = 13 if ncol <= 6 else 10
    left = 0
    for stage in order:
        span = spans[stage]
        ax.text(left + span / 2, 0.2, textwrap.fill(nv.value_label(cfg, "stage", stage), width * span,
                                                    break_long_words=False),
                ha="center", va="bottom", fontsize=9, fontweight="bold")
        if span > 1:
            ax.plot([left + 0.08, left + span - 0.08], [0.24, 0.24], color=plots.MUTED, lw=1)
        for k, (_, r) in enumerate(frame[frame["stage"] == stage].iterrows()):
            j, y = left + k // depth, 0.3 + (k % depth) * tile_h
            ok = not nv.missing(r["satisfaction"])
            color = cmap(norm(r["satisfaction"])) if ok else (0.9, 0.9, 0.9, 1)
            ax.add_patch(FancyBboxPatch((j + 0.04, y + 0.04), 0.92, tile_h - 0.08,
                                        boxstyle="round,pad=0,rounding_size=0.06", facecolor=color,
                                        edgecolor="white", lw=1.5))
            ink = "white" if ok and abs(norm(r["satisfaction"]) - 0.5) > 0.3 else "#1f2933"
            lines = [textwrap.fill(nv.value_label(cfg, "touchpoint", r["touchpoint"]), width, break_long_words=False),
                     nv.num(r["satisfaction"]), f"({nv.num(r['ci_low'])}\u2013{nv.num(r['ci_high'])})"]
            if "share_poor" in r and not nv.missing(r["share_poor"]):
                lines.append(f"poor {nv.pct(r['share_poor'])}")
            if has_effort and not nv.missing(r.get("effort")):
                lines.append(f"effort {nv.num(r['effort'], 1)}"
                             + (f"/{effort_scale[1]:g}" if effort_scale is not None else ""))
            ax.text(j + 0.5, y + tile_h / 2, "\n".join(lines), ha="center", va="center", fontsize=8, color=ink,
                    linespacing=1.1)
        left += span
    ax.set_xlim(0, ncol)
    ax.set_ylim(0.3 + depth * tile_h + 0.05, -0.35)
    ax.set_axis_off()
    cbar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, orientation="horizontal",
                              fraction=0.05, pad=0.02, aspect=40)
    scale_note = f" on its {nv.scale_text(scale)} scale" if scale is not None else ""
    cbar.set_label(textwrap.fill(f"mean satisfaction{scale_note} (colours span the lowest to the highest "
                                 f"touchpoint); below it its {nv.ci_label(confidence)}; poor = share of poor "
                                 "experiences" + ("; effort: mean effort (high = harder)" if has_effort else ""), 100),
                   fontsize=8.5)
    cbar.ax.tick_params(labelsize=8.5)
    ax.set_title(plots.with_n("Journey map: satisfaction at each touchpoint, stage by stage",
                              int(frame["n_events"].sum())) if "n_events" in frame else "Journey map")
    return ax
