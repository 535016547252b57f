"""Figures of step 5 (continuous innovation): the tracking small multiples and the agenda dot chart.

Builders take tidy frames of :mod:`cem_research.steps.innovation` and draw in the house style of
:mod:`cem_research.present.plots`.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from cem_research.present import plots

__all__ = ["LARGE", "agenda_palette", "agenda_chart", "tracking_figure"]

#: Colour of a large innovation (small improvements take the own-brand red).
LARGE = "#1f2933"


def agenda_palette(agenda: pd.DataFrame) -> dict[str, str]:
    """Colour per agenda ``label``: small improvements in the own-brand red, large innovations dark.

    Parameters
    ----------
    agenda : DataFrame
        ``innovation.innovation_agenda`` (``label``, ``size``).

    Returns
    -------
    dict
    """
    return {lab: plots.OWN if size == "small improvement" else LARGE
            for lab, size in zip(agenda["label"], agenda["size"])}


def agenda_chart(agenda: pd.DataFrame, ax=None):
    """Dot chart of the innovation agenda: each opportunity's expected gain with its 95% interval.

    Parameters
    ----------
    agenda : DataFrame
        ``innovation.innovation_agenda`` (non-empty), with ``attrs`` ``outcome`` and ``n_respondents``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    outcome = agenda.attrs.get("outcome", "outcome")
    return plots.dot_interval(agenda, x="gain", y="label", low="gain_ci_low", high="gain_ci_high", n=None,
                              palette=agenda_palette(agenda), ax=ax,
                              xlabel=plots.with_n(f"expected gain in {outcome} (points, 95% CI)",
                                                  agenda.attrs.get("n_respondents", 0)),
                              title="Innovation agenda: small improvements (red) and large innovations (dark)")


def tracking_figure(track: pd.DataFrame, changes: pd.DataFrame | None = None, ncols: int = 4):
    """Small multiples: each construct's own-brand mean per wave with its 95 % CI band.

    Significant wave-over-wave movements (Holm) are marked with a filled triangle at the later wave.

    Parameters
    ----------
    track : DataFrame
        ``innovation.tracking`` (``wave`` an ordered Categorical).
    changes : DataFrame, optional
        ``innovation.wave_change_tests``.
    ncols : int, default 4
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(pd.unique(track["construct"]))
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 2.4 * nrows + 0.6), squeeze=False)
    waves = list(track["wave"].cat.categories)
    for ax, name in zip(axes.flat, names):
        sub = track[track["construct"] == name].sort_values("wave")
        x = [waves.index(w) for w in sub["wave"]]
        ax.fill_between(x, sub["ci_low"], sub["ci_high"], color=plots.OWN, alpha=0.18, lw=0)
        ax.plot(x, sub["mean"], color=plots.OWN, marker="o", ms=4, lw=1.8)
        if changes is not None:
            sig = changes[(changes["construct"] == name) & changes["significant"]]
            for _, r in sig.iterrows():
                xi = waves.index(r["to_wave"])
                ax.scatter([xi], [r["mean_to"]], marker="^" if r["diff"] > 0 else "v", s=70, color="black", zorder=4)
        ax.set_title(f"{sub['title'].iloc[0]} ({sub['role'].iloc[0]})", fontsize=9)
        ax.set_xticks(range(len(waves)), [str(w) for w in waves], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        n = int(sub["n"].min())
        ax.text(0.02, 0.04, f"n ≥ {n:,} per wave", transform=ax.transAxes, fontsize=7, color="#52606d")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Own brand per wave: mean and 95% CI (▲▼ = real movement, Holm)", fontsize=11, fontweight="bold")
    return fig
