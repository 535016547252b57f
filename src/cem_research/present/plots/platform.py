"""Figures of step 2 (the experiential platform): plot frames, palettes and chart builders.

Single-panel builders take ``ax=None`` and return the Axes (seaborn's habit); they never show a
figure.  The frames and palettes are also used by step 3 for its element profile.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.present import plots
from cem_research.stats import RELIABILITY_THRESHOLD

__all__ = ["profile_plot_frame", "profile_palette", "importance_plot_frame", "outcome_palette",
           "profile_chart", "importance_chart", "driver_matrix", "OUTCOME_COLORS", "path_diagram", "ipma_chart"]

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


def driver_matrix(importance: pd.DataFrame, performance: pd.DataFrame, outcome: str, ax=None,
                  confidence: float = 0.95):
    """Key-driver matrix: each driver's importance for ``outcome`` against the own brand's performance
    on it, both with their intervals, split at the means into the four standard quadrants.

    Parameters
    ----------
    importance : DataFrame
        :func:`cem_research.steps.platform.driver_importance` (``share`` and its interval are drawn).
    performance : DataFrame
        The own brand's mean per construct: ``construct, mean, ci_low, ci_high, scale_min, scale_max``
        (the rows of the experiential profile, and of the competitive landscape for the other drivers).
    outcome : str
        The outcome whose importances are drawn (the main outcome).
    ax : matplotlib Axes, optional
    confidence : float, default 0.95

    Returns
    -------
    matplotlib.axes.Axes or None
        ``None`` when no driver has both an importance and an own-brand mean.

    Notes
    -----
    When the drivers use different response scales, performance is drawn as a percent of the
    scale maximum (0 = lowest answer, 100 = highest), so the drivers share one axis.
    """
    imp = importance[importance["outcome"] == outcome]
    frame = imp.merge(performance[["construct", "mean", "ci_low", "ci_high", "scale_min", "scale_max"]]
                      .drop_duplicates("construct"), left_on="driver", right_on="construct", how="inner")
    if frame.empty:
        return None
    scales = set(zip(frame["scale_min"], frame["scale_max"]))
    if len(scales) == 1:
        sc = next(iter(scales))
        perf, lo, hi = frame["mean"], frame["ci_low"], frame["ci_high"]
        xlabel = f"Performance: own brand's mean rating ({nv.scale_text(sc)}, {nv.ci_label(confidence)})"
    else:
        span = frame["scale_max"] - frame["scale_min"]
        perf, lo, hi = ((100 * (frame[c] - frame["scale_min"]) / span) for c in ("mean", "ci_low", "ci_high"))
        xlabel = f"Performance: own brand, % of scale maximum ({nv.ci_label(confidence)})"
    share = 100 * frame["share"]
    if ax is None:
        _, ax = plt.subplots(figsize=(plots.PAGE_WIDTH, 4.8))
    ax.errorbar(perf, share, xerr=[perf - lo, hi - perf],
                yerr=[share - 100 * frame["share_ci_low"], 100 * frame["share_ci_high"] - share],
                fmt="o", color=plots.NEUTRAL, ecolor=plots.MUTED, elinewidth=1.4, ms=6, capsize=0, zorder=3)
    for x, y, lab in zip(perf, share, frame["driver_label"]):
        ax.annotate(textwrap.fill(str(lab), 16), (x, y), xytext=(5, 4), textcoords="offset points", fontsize=8.5)
    ax.axvline(perf.mean(), color=plots.MUTED, ls="--", lw=1)
    ax.axhline(share.mean(), color=plots.MUTED, ls="--", lw=1)
    corners = (("Concentrate here", 0.02, 0.98), ("Keep up the good work", 0.98, 0.98),
               ("Low priority", 0.02, 0.02), ("Possible overkill", 0.98, 0.02))
    for text, x, y in corners:
        ax.text(x, y, text, transform=ax.transAxes, ha="left" if x < 0.5 else "right",
                va="top" if y > 0.5 else "bottom", fontsize=9, style="italic", fontweight="bold",
                color=plots.QUADRANT_COLORS[text])
    name = frame["outcome_label"].iloc[0] if "outcome_label" in frame else outcome
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"Importance: share of explained\nvariance in {name} (%)")
    ax.set_title(plots.with_n(f"Key-driver matrix: what drives {name}", int(frame["n"].max())))
    return ax


def _arch(constructs: list[str], paths) -> dict[str, tuple[float, float]]:
    """Positions of a path diagram: constructs in causal order (the longest chain of paths into each,
    then declaration order) along a half ellipse, left to right. The half ellipse is convex, so a straight arrow
    between two constructs never runs through a third."""
    depth = {c: 0 for c in constructs}
    for _ in constructs:
        for f, t in paths:
            depth[t] = max(depth[t], depth[f] + 1)
    order = sorted(constructs, key=lambda c: (depth[c], constructs.index(c)))
    last = max(len(order) - 1, 1)
    angle = np.pi * np.arange(len(order)) / last  # even steps along a half ellipse, left to right
    return {c: (float(last * (1 - np.cos(a)) / 2), float(0.42 * last * np.sin(a))) for c, a in zip(order, angle)}


def path_diagram(fit, labels: dict | None = None, ax=None):
    """Path diagram of a fitted PLS model: constructs along an arch in causal order, each path's
    standardized coefficient on its arrow (solid where its interval excludes zero, dashed otherwise), each
    endogenous construct's R² under its name.

    Parameters
    ----------
    fit : cem_research.stats.pls.PLSResult
    labels : dict, optional
        Construct -> the name a reader sees.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    labels = labels or {}
    pos = _arch(list(fit.spec.constructs), fit.spec.paths)
    if ax is None:
        _, ax = plt.subplots(figsize=(plots.PAGE_WIDTH, 3.8))
    r2 = dict(zip(fit.r2["construct"], fit.r2["r2"]))
    nodes = {}
    for c, (x, y) in pos.items():
        text = textwrap.fill(str(labels.get(c, c)), 12)
        if c in r2:
            text += f"\nR² {nv.num(r2[c])}"
        nodes[c] = ax.text(x, y, text, ha="center", va="center", fontsize=8.5, zorder=3,
                           bbox=dict(boxstyle="round,pad=0.4", fc="#eef2f6", ec=plots.NEUTRAL, lw=0.8))
    for _, p in fit.paths.iterrows():
        (x0, y0), (x1, y1) = pos[p["from"]], pos[p["to"]]
        sure = pd.notna(p["ci_low"]) and (p["ci_low"] > 0 or p["ci_high"] < 0)
        # from the side of one box to the facing side of the other, so every arrowhead shows
        if abs(x1 - x0) >= abs(y1 - y0):
            start, end = ((1, 0.5), (0, 0.5)) if x1 > x0 else ((0, 0.5), (1, 0.5))
        else:
            start, end = ((0.5, 1), (0.5, 0)) if y1 > y0 else ((0.5, 0), (0.5, 1))
        ax.annotate("", xy=end, xycoords=nodes[p["to"]], xytext=start, textcoords=nodes[p["from"]], zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=plots.NEUTRAL if sure else plots.MUTED,
                                    lw=0.8 + 2.5 * min(abs(p["estimate"]), 1), ls="-" if sure else "--",
                                    shrinkA=6, shrinkB=6, mutation_scale=14))
        ax.text(x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0), nv.num(p["estimate"]), ha="center", va="center",
                fontsize=8.5, color=plots.NEUTRAL, zorder=2.5,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
    xs = [v[0] for v in pos.values()]
    ys = [v[1] for v in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.45, max(ys) + 0.45)
    ax.axis("off")
    ax.set_title(plots.with_n("The path model: standardized coefficients and R²", int(fit.n)))
    return ax


def ipma_chart(ipma: pd.DataFrame, target: str, ax=None):
    """Importance-performance map of a PLS model: unstandardized total effect on ``target`` against
    performance (0-100), split at the means into the four standard quadrants.

    Parameters
    ----------
    ipma : DataFrame
        :func:`cem_research.stats.pls.ipma` (``construct`` as the reader should see it).
    target : str
        The target's name as the reader sees it.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = ipma.copy()
    hi_imp = frame["importance"] >= frame["importance"].mean()
    hi_perf = frame["performance"] >= frame["performance"].mean()
    frame["quadrant"] = np.select([hi_imp & ~hi_perf, hi_imp & hi_perf, ~hi_imp & ~hi_perf],
                                  ["Concentrate here", "Keep up the good work", "Low priority"],
                                  "Possible overkill")
    return plots.quadrant_chart(frame, "importance", "performance", "construct", ax=ax,
                                xlabel="Performance (0-100)",
                                ylabel=f"Importance: total effect on {target}\n(points per point)",
                                title=f"Importance-performance map for {target}")
