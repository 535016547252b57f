"""Figures of step 5 (continuous innovation): the NPS and main-outcome trend, the tracking small
multiples and the agenda dot chart.

Builders take tidy frames of :mod:`cem_research.steps.innovation` and draw in the house style of
:mod:`cem_research.present.plots`.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.present import plots

__all__ = ["LARGE", "SMALL", "agenda_palette", "agenda_chart", "tracking_figure", "trend_figure"]

#: Colour of a large innovation.
LARGE = "#1f2933"
#: Colour of a small improvement (blue: the own-brand red means the own brand only).
SMALL = "#4a90c2"


def agenda_palette(agenda: pd.DataFrame) -> dict[str, str]:
    """Colour per agenda ``label``: small improvements blue (:data:`SMALL`), large innovations dark.

    Parameters
    ----------
    agenda : DataFrame
        ``innovation.innovation_agenda`` (``label``, ``size``).

    Returns
    -------
    dict
    """
    return {lab: SMALL if size == "small improvement" else LARGE
            for lab, size in zip(agenda["label"], agenda["size"])}


def agenda_chart(agenda: pd.DataFrame, ax=None, cfg=None):
    """Dot chart of the innovation agenda: each opportunity's expected gain with its 95% interval.

    Parameters
    ----------
    agenda : DataFrame
        ``innovation.innovation_agenda`` (with at least one scored row), with ``attrs`` ``outcome`` and
        ``n_respondents``; rows without a gain (rising themes) are not drawn.
    ax : matplotlib Axes, optional
    cfg : ClientConfig, optional
        Labels of the touchpoints a row fixes (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    outcome = agenda.attrs.get("outcome", "outcome")
    agenda = agenda[agenda["gain"].notna()]  # rising themes carry no estimated gain: the table lists them
    names = [nv.value_label(cfg, "touchpoint", o) if k == "fix a touchpoint" else str(o)
             for o, k in zip(agenda["opportunity"], agenda["kind"])]
    frame = agenda.assign(label=[textwrap.fill(f"{r}. {o}", 40) for r, o in zip(agenda["rank"], names)])
    return plots.dot_interval(frame, x="gain", y="label", low="gain_ci_low", high="gain_ci_high", n=None,
                              palette=agenda_palette(frame), ax=ax,
                              xlabel=plots.with_n(f"expected gain in {outcome} (points, 95% CI)",
                                                  agenda.attrs.get("n_respondents", 0)),
                              title="Innovation agenda: small improvements (blue)\nand large innovations (dark)")


def tracking_figure(track: pd.DataFrame, changes: pd.DataFrame | None = None, ncols: int = 3):
    """Small multiples: each construct's own-brand mean per wave with its 95 % CI band.

    Constructs rated on the same scale share one y-axis range, so noise does not look like
    movement.  Significant wave-over-wave movements (Holm) are marked with a filled triangle at
    the later wave.

    Parameters
    ----------
    track : DataFrame
        ``innovation.tracking`` (``wave`` an ordered Categorical).
    changes : DataFrame, optional
        ``innovation.wave_change_tests``.
    ncols : int, default 3
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(pd.unique(track["construct"]))
    ncols = min(ncols, len(names))
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(plots.PAGE_WIDTH, 1.75 * nrows + 0.7), squeeze=False)
    waves = list(track["wave"].cat.categories)
    scale = track[["scale_min", "scale_max"]].astype(float).apply(tuple, axis=1)
    limits = {sc: plots.common_limits(track[scale == sc]) for sc in pd.unique(scale)}
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
        sc = (float(sub["scale_min"].iloc[0]), float(sub["scale_max"].iloc[0]))
        if limits.get(sc):
            ax.set_ylim(*limits[sc])
        ax.set_title(textwrap.fill(f"{sub['title'].iloc[0]} ({sub['role'].iloc[0]}, {nv.scale_text(sc)})", 28),
                     fontsize=9)
        ax.set_xticks(range(len(waves)), [str(w) for w in waves])
        ax.set_xlim(-0.3, len(waves) - 0.7)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    lo, hi = int(track["n"].min()), int(track["n"].max())
    fig.supxlabel(f"Respondents per wave and construct: {lo:,}" + (f" to {hi:,}" if hi != lo else ""), fontsize=8.5,
                  color="#52606d")
    fig.suptitle("Own brand per wave: mean and 95% CI\n(\u25b2\u25bc = real movement, Holm; "
                 "panels on the same scale share the axis)", fontweight="bold")
    fig.tight_layout()  # kept: first of two passes (plots.show makes the second); one alone shifts axes by px
    return fig


def trend_figure(nps: pd.DataFrame | None, track: pd.DataFrame | None, outcome: str | None,
                 changes: pd.DataFrame | None = None, confidence: float = 0.95):
    """The headline trend: the Net Promoter Score and the main outcome per wave, with their intervals.

    Parameters
    ----------
    nps : DataFrame or None
        ``innovation.nps_by_wave`` (``wave, n, nps, ci_low, ci_high``); ``None`` leaves its panel out.
    track : DataFrame or None
        ``innovation.tracking``; the rows of ``outcome`` are drawn.
    outcome : str or None
        The main outcome's construct name.
    changes : DataFrame, optional
        ``innovation.wave_change_tests``: movements of the main outcome that survive Holm are marked.
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` when there is nothing to draw.
    """
    main = None
    if track is not None and outcome is not None and (track["construct"] == outcome).any():
        main = track[track["construct"] == outcome].sort_values("wave")
    panels = [p for p in ("nps", "main") if (p == "nps" and nps is not None and len(nps)) or
              (p == "main" and main is not None)]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(plots.PAGE_WIDTH, 3.2), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        if panel == "nps":
            frame, est, label = nps, "nps", "Net Promoter Score (\u2212100 to +100)"
            title = "Net Promoter Score"
        else:
            sc = (float(main["scale_min"].iloc[0]), float(main["scale_max"].iloc[0]))
            frame, est, label = main, "mean", f"mean ({nv.scale_text(sc)})"
            title = f"{main['title'].iloc[0]} (main outcome)"
        waves = [str(w) for w in frame["wave"]]
        x = np.arange(len(waves))
        ax.fill_between(x, frame["ci_low"], frame["ci_high"], color=plots.OWN, alpha=0.18, lw=0)
        ax.plot(x, frame[est], color=plots.OWN, marker="o", ms=5, lw=1.8)
        for xi, v in zip(x, frame[est]):
            ax.annotate(nv.num(v, 0 if panel == "nps" else 2), (xi, v), xytext=(0, 7), ha="center",
                        textcoords="offset points", va="bottom", fontsize=8.5, color="#1f2933",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        if panel == "main" and changes is not None:
            sig = changes[(changes["construct"] == outcome) & changes["significant"]]
            for _, r in sig.iterrows():
                ax.scatter([waves.index(str(r["to_wave"]))], [r["mean_to"]], marker="^" if r["diff"] > 0 else "v",
                           s=70, color="black", zorder=4)
        if panel == "nps" and frame["ci_low"].min() < 0 < frame["ci_high"].max():
            ax.axhline(0, color=plots.MUTED, lw=1)
        ax.set_xticks(x, [plots.with_n(w, n).replace(" (", "\n(") for w, n in zip(waves, frame["n"])])
        ax.set_xlim(-0.4, len(waves) - 0.4)
        ax.set_ylabel(label)
        ax.set_title(title)
    fig.suptitle(f"The own brand across waves ({nv.level(confidence)} CI)", fontweight="bold")
    return fig  # laid out by plots.show (one pass lays it out as two did)
