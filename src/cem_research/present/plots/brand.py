"""Figures of step 3, "Design the brand experience" (house style from :mod:`cem_research.present.plots`).

Each builder draws one panel: it takes ``ax=None`` (a new figure when omitted) and returns the Axes.
"""

from __future__ import annotations

import pandas as pd

from cem_research.present.plots import dot_interval, quadrant_chart
from cem_research.present.plots.platform import profile_palette, profile_plot_frame

GROUP_COLORS = ("#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#56ccf2", "#828282", "#219653", "#bb6bd9")

__all__ = ["GROUP_COLORS", "group_palette", "element_profile_chart", "aspect_sentiment_chart",
           "ipa_chart", "segment_chart"]


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
