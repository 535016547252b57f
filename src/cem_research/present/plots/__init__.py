"""House style for every figure: one palette for own brand vs competitors, labels in words.

Axes-level functions take ``ax=`` and return the Axes (seaborn's habit); call
:func:`set_style` once at the top of a notebook.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

OWN = "#c0392b"
KIND_COLORS = {"own": OWN, "direct": "#52606d", "new_entrant": "#9aa5b1", "outside_industry": "#cbd2d9"}
INTERFACE_COLORS = {"human_human": "#2f80ed", "human_technology": "#f2994a", "human_environment": "#27ae60"}
KIND_LABELS = {"own": "own brand", "direct": "direct competitor", "new_entrant": "new entrant",
               "outside_industry": "outside the industry"}
SEQUENTIAL = "rocket_r"
DIVERGING = "vlag"


def set_style() -> None:
    """Apply the house style (seaborn ``whitegrid``, readable sizes, PNG output at 110 dpi)."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95,
                  rc={"figure.dpi": 110, "savefig.dpi": 110, "figure.figsize": (8, 4.5),
                      "axes.titleweight": "bold", "axes.titlesize": 12, "axes.spines.top": False,
                      "axes.spines.right": False, "legend.frameon": False})
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except Exception:  # noqa: BLE001 - outside IPython
        pass


def brand_palette(brands: list[str], kinds: list[str] | dict) -> dict[str, str]:
    """Colour per brand: the own brand red, competitors in grey tones by kind.

    Parameters
    ----------
    brands : list of str
    kinds : list of str or dict
        Kind of each brand (``own``, ``direct``, ``new_entrant``, ``outside_industry``).
    """
    if isinstance(kinds, dict):
        kinds = [kinds[b] for b in brands]
    return {b: KIND_COLORS.get(k, "#7b8794") for b, k in zip(brands, kinds)}


def with_n(label: str, n: int) -> str:
    """``"label (n = 123)"`` — sample sizes belong on every chart."""
    return f"{label} (n = {int(n):,})"


def dot_interval(data: pd.DataFrame, x: str, y: str, low: str = "ci_low", high: str = "ci_high",
                 hue: str | None = None, palette: dict | None = None, ax=None, xlabel: str | None = None,
                 title: str | None = None, n: str | None = "n", dodge: float = 0.0):
    """Dot-and-interval chart: an estimate with its confidence interval per row.

    Parameters
    ----------
    data : DataFrame
        One row per estimate.
    x, y : str
        Columns of the estimate (numeric) and of the category label.
    low, high : str
        Interval columns.
    hue : str, optional
        Column whose levels are drawn side by side in different colours.
    palette : dict, optional
        Colour per ``hue`` level (or per ``y`` level without ``hue``).
    n : str, optional
        Column of sample sizes, appended to the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, max(2.5, 0.42 * data[y].nunique() * (1 + (hue is not None)) + 1)))
    cats = list(pd.unique(data[y]))
    levels = list(pd.unique(data[hue])) if hue else [None]
    step = 0.8 / max(len(levels), 1) if hue else 0
    for j, lev in enumerate(levels):
        sub = data if lev is None else data[data[hue] == lev]
        pos = np.array([cats.index(v) for v in sub[y]], dtype=float)
        pos = pos - (0.4 - step / 2 - j * step if hue else 0) + dodge
        color = (palette or {}).get(lev, None) if hue else None
        if not hue and palette:
            colors = [palette.get(v, "#52606d") for v in sub[y]]
        else:
            colors = [color or "#52606d"] * len(sub)
        ax.hlines(pos, sub[low], sub[high], colors=colors, lw=2.2, alpha=0.85)
        lab = None
        if hue:
            lab = str(lev)
            if n and n in sub:
                lab = with_n(lab, sub[n].sum())
        ax.scatter(sub[x], pos, c=colors, s=46, zorder=3, label=lab)
    labels = cats
    if n and n in data and not hue:
        nn = data.groupby(y, sort=False)[n].sum()
        labels = [with_n(str(c), nn[c]) for c in cats]
    ax.set_yticks(range(len(cats)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    if hue:
        ax.legend(loc="best", fontsize=8)
    return ax


def quadrant_chart(data: pd.DataFrame, importance: str, performance: str, label: str,
                   quadrant: str = "quadrant", ax=None, xlabel: str = "Performance",
                   ylabel: str = "Derived importance", title: str | None = None,
                   xerr: tuple[str, str] | None = None):
    """Importance–performance chart split at the means, with the four standard quadrants.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6))
    colors = {"Concentrate here": OWN, "Keep up the good work": "#27ae60", "Low priority": "#9aa5b1",
              "Possible overkill": "#f2994a"}
    for q, sub in data.groupby(quadrant, sort=False):
        if xerr:
            ax.hlines(sub[importance], sub[xerr[0]], sub[xerr[1]], colors=colors.get(q, "#52606d"), alpha=0.5)
        ax.scatter(sub[performance], sub[importance], s=60, color=colors.get(q, "#52606d"), label=q, zorder=3)
    for _, r in data.iterrows():
        ax.annotate(str(r[label]), (r[performance], r[importance]), xytext=(4, 4),
                    textcoords="offset points", fontsize=8)
    ax.axvline(data[performance].mean(), color="#9aa5b1", ls="--", lw=1)
    ax.axhline(data[importance].mean(), color="#9aa5b1", ls="--", lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def show(fig=None, alt: str | None = None) -> None:
    """Display and close a figure (keeps notebooks from accumulating open figures).

    Parameters
    ----------
    fig : Figure, optional
        Default: the current figure.
    alt : str, optional
        A description of the chart for readers who cannot see it; the report uses it as the
        image's alt text.
    """
    fig = fig or plt.gcf()
    fig.tight_layout()
    try:
        from IPython.display import display

        display(fig, metadata={"image/png": {"alt": alt}} if alt else None)
    finally:
        plt.close(fig)
