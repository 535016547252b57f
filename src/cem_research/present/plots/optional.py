"""Figures of the optional research methods: survey weights, Kano coefficients, experiential
modules and promise versus delivery (house style of :mod:`cem_research.present.plots`).

Each builder takes the tidy result of its analysis; single-panel builders take ``ax=None`` and
return the Axes, the others return the Figure.  ``None`` in, ``None`` out.
"""

from __future__ import annotations

import textwrap

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from cem_research.present.plots import GOOD, MUTED, OWN, PAGE_WIDTH, PRIORITY, dot_interval, wave_palette, with_n

# matplotlib 3.10 replaced boxplot(vert=False) by orientation="horizontal" (vert deprecated in 3.11)
HORIZONTAL = ({"orientation": "horizontal"} if tuple(int(v) for v in matplotlib.__version__.split(".")[:2]) >= (3, 10)
              else {"vert": False})

#: Colour of each verdict of a promise (a promise not delivered needs attention: never the own-brand red).
VERDICT_COLORS = {"delivered": GOOD, "not delivered": PRIORITY, "cannot tell": MUTED}
VERDICTS = ("delivered", "not delivered", "cannot tell")

__all__ = ["kano_quadrants", "module_shares", "promise_gaps", "weights_by_wave", "VERDICT_COLORS"]


def kano_quadrants(table: pd.DataFrame | None, ax=None):
    """Better (CS+) against |Worse| (|CS−|) per feature with 95% intervals, split at 0.5.

    Parameters
    ----------
    table : DataFrame or None
        :func:`cem_research.steps.brand.kano.kano_table`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes or None
    """

    if table is None:
        return None

    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, 5.4))
    for _, r in table.iterrows():
        ax.errorbar(r["better"], r["worse_abs"],
                    xerr=[[r["better"] - r["better_ci_low"]], [r["better_ci_high"] - r["better"]]],
                    yerr=[[r["worse_abs"] + r["worse_ci_high"]], [-r["worse_ci_low"] - r["worse_abs"]]],
                    fmt="o", color=OWN, ecolor=OWN, alpha=0.85, ms=7, capsize=0, zorder=3)
        ax.annotate(with_n(str(r["label"]), r["n"]), (r["better"], r["worse_abs"]), xytext=(6, 5),
                    textcoords="offset points", fontsize=8)
    ax.axvline(0.5, color="#9aa5b1", ls="--", lw=1)
    ax.axhline(0.5, color="#9aa5b1", ls="--", lw=1)
    for x, y, text in ((0.98, 0.02, "Attractive"), (0.98, 0.98, "One-dimensional"), (0.02, 0.98, "Must-be"),
                       (0.02, 0.02, "Indifferent")):
        ax.text(x, y, text, transform=ax.transAxes, ha="right" if x > 0.5 else "left",
                va="top" if y > 0.5 else "bottom", color="#616e7c", fontsize=9, style="italic")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Better: satisfaction if present, (A + O) / (A + O + M + I)")
    ax.set_ylabel("|Worse|: dissatisfaction if absent,\n(O + M) / (A + O + M + I)")
    ax.set_title("Kano coefficients of the features (95% CI)")
    return ax


def module_shares(shares: pd.DataFrame | None, brand: str | None = None):
    """Share of the own brand's comments per experiential module, one colour per wave, Wilson intervals.

    Parameters
    ----------
    shares : DataFrame or None
        :func:`cem_research.steps.brand.modules.module_shares`.
    brand : str, optional
        The own brand's name (title).

    Returns
    -------
    matplotlib.figure.Figure or None
    """

    if shares is None:
        return None
    own = shares[shares["brand_kind"] == "own"]
    per_wave = own[own["wave"] != "all waves"]
    series = list(dict.fromkeys(per_wave["series"]))
    palette = dict(zip(series, wave_palette(series).values()))
    frame = per_wave.assign(module=per_wave["module_label"])
    ax = dot_interval(frame, x="share", y="module", low="share_ci_low", high="share_ci_high",
                            hue="series" if len(series) > 1 else None, palette=palette if len(series) > 1 else None,
                            n=None, xlabel="share of comments naming the module (95% CI)",
                            title=f"Experiential modules in {brand or 'the own brand'}'s comments, by wave")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    return ax.figure


def promise_gaps(delivery: pd.DataFrame | None, ax=None):
    """Delivered minus target per promise with its 95% interval, coloured by verdict.

    Parameters
    ----------
    delivery : DataFrame or None
        :func:`cem_research.steps.interface.promises.promise_delivery`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes or None
    """

    if delivery is None:
        return None
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, max(2.6, 0.75 * len(delivery) + 1.4)))
    labels = [textwrap.fill(f"{p} ({lab})", 34) for p, lab in zip(delivery["promise"], delivery["label"])]
    frame = delivery.assign(label=labels)
    palette = {lab: VERDICT_COLORS[v] for lab, v in zip(frame["label"], frame["verdict"])}
    dot_interval(frame, x="gap", y="label", low="gap_ci_low", high="gap_ci_high", palette=palette, n="n",
                       ax=ax, xlabel="delivered minus target, scale points (95% CI)",
                       title="Promise versus delivery")
    ax.axvline(0, color="#52606d", lw=1)
    handles = [Line2D([], [], marker="o", ls="", color=VERDICT_COLORS[v], label=v) for v in VERDICTS
               if v in set(delivery["verdict"])]
    ax.legend(handles=handles, loc="best", fontsize=8)
    return ax


def weights_by_wave(own: pd.DataFrame, waves: list, trim: tuple[float, float] | None = None):
    """Distribution of the own-brand survey weights per wave (box and jittered dots), trim bounds dashed.

    Parameters
    ----------
    own : DataFrame
        Own-brand ratings with ``wave`` and ``weight``.
    waves : list
        The waves to show, in order.
    trim : (float, float), optional
        Trim bounds of the weights (drawn dashed).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 0.55 * len(waves) + 1.6))
    rng = np.random.default_rng(0)
    for i, wv in enumerate(waves):
        w = own.loc[own["wave"] == wv, "weight"].to_numpy(dtype=float)
        ax.boxplot(w, positions=[i], **HORIZONTAL, widths=0.5, showfliers=False,
                   medianprops={"color": OWN}, boxprops={"color": "#52606d"})
        ax.scatter(w, i + rng.uniform(-0.18, 0.18, w.size), s=9, color=OWN, alpha=0.45, lw=0)
    ax.set_yticks(range(len(waves)), [with_n(str(w), int((own["wave"] == w).sum())) for w in waves])
    if trim:
        for b in trim:
            ax.axvline(b, color="#9aa5b1", ls="--", lw=1)
    ax.axvline(1, color="#52606d", lw=0.8)
    ax.set_xlabel("survey weight (mean 1; dashed: trim bounds)")
    ax.set_title("Survey weights of own-brand respondents per wave")
    ax.invert_yaxis()
    return fig
