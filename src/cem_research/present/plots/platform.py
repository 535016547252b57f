"""Figures of step 2 (the experiential platform): plot frames, palettes and chart builders.

Single-panel builders take ``ax=None`` and return the Axes (seaborn's habit); they never show a
figure.  The frames and palettes are also used by step 3 for its element profile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research.present import plots
from cem_research.stats import RELIABILITY_THRESHOLD

__all__ = ["profile_plot_frame", "profile_palette", "importance_plot_frame", "outcome_palette",
           "profile_chart", "importance_chart", "OUTCOME_COLORS"]

#: Colours of the outcomes in the driver chart (never the own-brand red).
OUTCOME_COLORS = ("#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#56ccf2", "#219653", "#828282")


def profile_palette(profile: pd.DataFrame) -> dict[str, str]:
    """Colour per ``series`` of a profile: the own brand red, competitors grey by kind.

    Parameters
    ----------
    profile : DataFrame
        A profile (or its plot frame) with ``series`` and ``brand_kind`` columns.

    Returns
    -------
    dict
        ``{series: colour}`` from :data:`cem_research.present.plots.KIND_COLORS`.
    """
    return {s: plots.KIND_COLORS.get(k, "#7b8794") for s, k in zip(profile["series"], profile["brand_kind"])}


def _alpha_note(threshold: float) -> str:
    return f" (alpha < {threshold:.2f})".replace("0.", ".", 1)


def profile_plot_frame(profile: pd.DataFrame, threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame:
    """The brand-level rows of a profile, ready for :func:`cem_research.present.plots.dot_interval`.

    Parameters
    ----------
    profile : DataFrame
        :func:`cem_research.steps.platform.experiential_profile`.
    threshold : float, default 0.70
        The reliability threshold of the flags (named in the note).

    Returns
    -------
    DataFrame
        Rows with ``level == "brand"`` (``y="label"``, ``hue="series"``); a reliability note
        " (alpha < .70)" is appended to flagged labels.
    """
    sub = profile[profile["level"] == "brand"].copy()
    sub["label"] = np.where(sub["reliability_flag"].astype(bool), sub["label"] + _alpha_note(threshold),
                            sub["label"])
    return sub


def importance_plot_frame(importance: pd.DataFrame, threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame:
    """Importance rows ready for :func:`cem_research.present.plots.dot_interval`.

    Parameters
    ----------
    importance : DataFrame
        :func:`cem_research.steps.platform.driver_importance`.
    threshold : float, default 0.70
        The reliability threshold of the flags (named in the note).

    Returns
    -------
    DataFrame
        A copy with ``share_pct, share_pct_low, share_pct_high`` (shares in percent) and a
        reliability note on flagged drivers' ``driver_label`` (``x="share_pct"``,
        ``y="driver_label"``, ``hue="series"``).
    """
    out = importance.copy()
    for a, b in (("share_pct", "share"), ("share_pct_low", "share_ci_low"), ("share_pct_high", "share_ci_high")):
        out[a] = 100 * out[b]
    flags = out["reliability_flag"] if "reliability_flag" in out else pd.Series("", index=out.index)
    notes = {d for d, f in zip(out["driver"], flags) if f and f"{d}:" in f}
    out["driver_label"] = [f"{lab}{_alpha_note(threshold)}" if d in notes else lab
                           for d, lab in zip(out["driver"], out["driver_label"])]
    return out


def outcome_palette(importance: pd.DataFrame) -> dict[str, str]:
    """Distinct colours per outcome ``series`` (never the own-brand red).

    Parameters
    ----------
    importance : DataFrame
        With a ``series`` column.

    Returns
    -------
    dict
        ``{series: colour}`` cycling through :data:`OUTCOME_COLORS`.
    """
    series = list(pd.unique(importance["series"]))
    return {s: OUTCOME_COLORS[i % len(OUTCOME_COLORS)] for i, s in enumerate(series)}


def profile_chart(profile: pd.DataFrame, ax=None, confidence: float = 0.95,
                  title: str = "Experiential profile: own brand vs competitors",
                  threshold: float = RELIABILITY_THRESHOLD):
    """Dot chart of a profile: each brand's mean per dimension with its confidence interval.

    Parameters
    ----------
    profile : DataFrame
        :func:`cem_research.steps.platform.experiential_profile`.
    ax : matplotlib Axes, optional
    confidence : float, default 0.95
        Level of the intervals (for the axis label).
    title : str
    threshold : float, default 0.70
        The reliability threshold of the flags (named on flagged labels).

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = profile_plot_frame(profile, threshold)
    return plots.dot_interval(frame, x="mean", y="label", hue="series", n=None, ax=ax,
                              palette=profile_palette(frame),
                              xlabel=f"Mean rating ({100 * confidence:g}% CI)", title=title)


def importance_chart(importance: pd.DataFrame, ax=None, confidence: float = 0.95,
                     title: str = "What drives the outcomes (own brand)", threshold: float = RELIABILITY_THRESHOLD):
    """Dot chart of relative importances: each driver's share of each outcome's R² with its interval.

    Parameters
    ----------
    importance : DataFrame
        :func:`cem_research.steps.platform.driver_importance`.
    ax : matplotlib Axes, optional
    confidence : float, default 0.95
    title : str
    threshold : float, default 0.70
        The reliability threshold of the flags (named on flagged labels).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plots.dot_interval(importance_plot_frame(importance, threshold), x="share_pct", y="driver_label",
                            low="share_pct_low", high="share_pct_high", hue="series", n=None, ax=ax,
                            palette=outcome_palette(importance),
                            xlabel=f"Share of explained variance, % ({100 * confidence:g}% bootstrap CI)",
                            title=title)
    ax.legend(loc="lower right", fontsize=8)
    return ax
