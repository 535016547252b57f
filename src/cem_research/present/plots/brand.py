"""Figures of step 3, "Design the brand experience" (house style from :mod:`cem_research.present.plots`).

Each builder draws one panel: it takes ``ax=None`` (a new figure when omitted) and returns the Axes.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from cem_research.present.plots import PAGE_WIDTH, common_limits, dot_interval, quadrant_chart
from cem_research.present.plots.platform import profile_palette, profile_plot_frame

GROUP_COLORS = ("#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#56ccf2", "#828282", "#219653", "#bb6bd9")

__all__ = ["GROUP_COLORS", "group_palette", "element_profile_chart", "aspect_sentiment_chart",
           "ipa_chart", "segment_chart", "segment_figure"]


def group_palette(means: pd.DataFrame) -> dict[str, str]:
    """Distinct colours (never the own-brand red) per ``series`` of segment groups, in order of appearance."""
    return {s: GROUP_COLORS[i % len(GROUP_COLORS)] for i, s in enumerate(pd.unique(means["series"]))}


def element_profile_chart(profile: pd.DataFrame, ax=None):
    """Dot chart of the brand-element means (95% CI) per brand: own brand red, competitors grey by kind.

    Parameters
    ----------
    profile : DataFrame
        :func:`cem_research.steps.brand.element_profile`; its brand-level rows are drawn, flagged
        constructs marked (:func:`cem_research.present.plots.platform.profile_plot_frame`).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = profile_plot_frame(profile)
    return dot_interval(frame, x="mean", y="label", hue="series", n=None, palette=profile_palette(frame), ax=ax,
                        xlabel="Mean rating (95% CI)", title="Brand elements: own brand vs competitors")


def aspect_sentiment_chart(aspects: pd.DataFrame, ax=None):
    """Dot chart of the mean sentiment (95% CI) of the sentences mentioning each element, per brand.

    Parameters
    ----------
    aspects : DataFrame
        :func:`cem_research.steps.brand.aspect_summary`; elements without mentions are left out.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        With a vertical line at neutral sentiment (0).
    """
    ax = dot_interval(aspects[aspects["mentions"] > 0], x="compound", y="element_label", hue="series", n=None,
                      palette=profile_palette(aspects), ax=ax,
                      xlabel="Mean sentiment of mentioning sentences (VADER compound, 95% CI)",
                      title="How positively customers write about each element")
    ax.axvline(0, color="#9aa5b1", lw=1)
    return ax


def ipa_chart(ipa: pd.DataFrame, ax=None):
    """Importance–performance quadrant chart of the brand elements.

    Parameters
    ----------
    ipa : DataFrame
        :func:`cem_research.steps.brand.element_ipa`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    return quadrant_chart(ipa, importance="importance", performance="performance", label="label", ax=ax,
                          xerr=("performance_ci_low", "performance_ci_high"),
                          xlabel=f"Performance, 0–100 (95% CI; own brand, n = {int(ipa['n'].max()):,})",
                          ylabel=f"Derived importance ({ipa['importance_measure'].iloc[0]})",
                          title="Importance–performance of brand elements")


def segment_chart(frame: pd.DataFrame, segment_label: str, ax=None):
    """Dot chart of each brand-experience dimension's mean (95% CI) per group of one segment.

    Parameters
    ----------
    frame : DataFrame
        The rows of :func:`cem_research.steps.brand.segment_means` for one segment.
    segment_label : str
        The segment's label (the chart's title is "By <label>").
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    return dot_interval(frame, x="mean", y="label", hue="series", n=None, palette=group_palette(frame), ax=ax,
                        xlabel="Mean rating (95% CI), own brand", title=f"By {segment_label}")


def segment_figure(means: pd.DataFrame, ncols: int = 2, confidence: float = 0.95):
    """Small multiples, one panel per segment: each brand-experience dimension's mean per group.

    The panels share one x-axis range and list the dimensions in the same rows (named once, in
    the left column), so a gap between groups reads the same in every segment.

    Parameters
    ----------
    means : DataFrame
        :func:`cem_research.steps.brand.segment_means` (``segment_label``, ``label``, ``series``,
        ``mean``, ``ci_low``, ``ci_high``).
    ncols : int, default 2
        Panels per row.
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.figure.Figure
    """
    segments = list(pd.unique(means["segment_label"]))
    ncols = min(ncols, len(segments))
    nrows = math.ceil(len(segments) / ncols)
    order = list(pd.unique(means["label"]))
    per_row = [max((0.14 + 0.1 * means[means["segment_label"] == s]["series"].nunique()) * len(order) + 1.4
                   for s in segments[r * ncols:(r + 1) * ncols]) for r in range(nrows)]
    fig, axes = plt.subplots(nrows, ncols, figsize=(PAGE_WIDTH, sum(per_row) + 0.6), squeeze=False,
                             gridspec_kw={"height_ratios": per_row})
    limits = common_limits(means)
    for i, (ax, seg) in enumerate(zip(axes.flat, segments)):
        frame = means[means["segment_label"] == seg]
        dot_interval(frame, x="mean", y="label", hue="series", n=None, palette=group_palette(frame), ax=ax,
                     order=order, xlabel="mean rating", title=textwrap.fill(f"By {seg}", 30))
        if limits:
            ax.set_xlim(*limits)
        if i % ncols:
            ax.tick_params(axis="y", labelleft=False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1, fontsize=8.5)
    for ax in list(axes.flat)[len(segments):]:
        ax.set_axis_off()
    fig.suptitle(f"Brand experience by segment: own-brand mean rating ({int(100 * confidence)}% CI),\n"
                 "all panels on one axis", fontweight="bold")
    fig.tight_layout()  # kept: first of two passes (plots.show makes the second); one alone shifts axes by px
    return fig
