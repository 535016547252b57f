"""Figures of step 4, "Structure the customer interface" (house style of :mod:`cem_research.present.plots`).

Every builder draws one panel: it takes ``ax=None`` and returns the Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from cem_research.present import plots

__all__ = ["touchpoint_palette", "touchpoint_chart", "ipa_chart", "transition_heatmap", "human_touch_chart",
           "sentiment_chart"]

ZERO = "#9aa5b1"


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


def touchpoint_chart(by_touchpoint: pd.DataFrame, ax=None, ci_label: str = "95% CI"):
    """Dot chart of the mean satisfaction per touchpoint with its interval, coloured by interface kind.

    Parameters
    ----------
    by_touchpoint : DataFrame
        ``interface.touchpoint_performance(data, "touchpoint")``.
    ax : matplotlib Axes, optional
    ci_label : str, default "95% CI"
        Name of the intervals (for the axis label).

    Returns
    -------
    matplotlib.axes.Axes
    """
    return plots.dot_interval(by_touchpoint, x="satisfaction", y="touchpoint",
                              palette=touchpoint_palette(by_touchpoint), n="n_events", ax=ax,
                              xlabel=f"mean satisfaction ({ci_label})",
                              title="Satisfaction per touchpoint, coloured by interface kind")


def ipa_chart(ipa: pd.DataFrame, ax=None):
    """Importance–performance quadrant chart of the touchpoints.

    Parameters
    ----------
    ipa : DataFrame
        ``interface.touchpoint_ipa(data)`` (``attrs["outcome"]`` names the outcome).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    return plots.quadrant_chart(ipa, "importance", "performance", "touchpoint", ax=ax,
                                xerr=("performance_ci_low", "performance_ci_high"),
                                xlabel=plots.with_n("performance: mean touchpoint rating", ipa["n_events"].sum()),
                                ylabel=f"importance: {ipa.attrs['outcome']} penalty of a poor experience",
                                title="Importance–performance of touchpoints")


def transition_heatmap(transitions: pd.DataFrame, ax=None):
    """Heatmap of stage-to-stage transition shares (rows: from, columns: to; journey order).

    Parameters
    ----------
    transitions : DataFrame
        ``interface.stage_transitions(data)``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    mat = transitions.pivot_table(index="from_stage", columns="to_stage", values="share", observed=False,
                                  aggfunc="sum", dropna=False)
    counts = transitions.groupby("from_stage", observed=False)["count"].sum()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.55 * len(mat) + 1.8))
    sns.heatmap(mat, annot=True, fmt=".0%", cmap=plots.SEQUENTIAL, vmin=0, vmax=1,
                cbar_kws={"label": "share of moves"}, linewidths=0.5, ax=ax)
    ax.set_yticklabels([plots.with_n(str(s), counts.get(s, 0)) for s in mat.index], rotation=0)
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


def sentiment_chart(sentiment: pd.DataFrame, kinds: dict | None = None, ax=None, ci_label: str = "95% CI"):
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

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plots.dot_interval(sentiment, x="compound", y="touchpoint",
                            palette=touchpoint_palette(sentiment, kinds or {}),
                            xlabel=f"mean compound sentiment ({ci_label})", ax=ax,
                            title="How customers sound about each touchpoint")
    ax.axvline(0, color=ZERO, lw=1)
    return ax
