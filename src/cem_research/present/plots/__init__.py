"""House style for every figure: one palette for own brand vs competitors, labels in words.

Axes-level functions take ``ax=`` and return the Axes (seaborn's habit); call
:func:`set_style` once at the top of a notebook.

Sizes are set for print: a figure is at most :data:`PAGE_WIDTH` inches wide (the text width of an
A4 page), so its text prints at the size it is set in, and no text is set below
:data:`MIN_PRINT_PT` points.  Colours have one meaning each across the report: :data:`OWN` is the
own brand and nothing else; :data:`PRIORITY` marks what needs attention ("concentrate here", a
promise not delivered); :data:`GOOD` what works; waves take :func:`wave_palette` (blues).

Client text (brands, segments, items, touchpoints, terms) is drawn as written: :func:`plain_text`
turns matplotlib's mathtext off for every figure (set on import and by :func:`set_style`), so a brand
such as "Ca$h_$aver" is neither typeset as a formula nor crashes the figure.  Turning it off once is
the one place this is done, rather than escaping each string: tick labels of a categorical axis are
made by matplotlib from the data, beyond the reach of an escaping helper.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from cem_research.present.narrative import KIND_LABELS, value_label  # noqa: F401 - KIND_LABELS re-exported

#: Text width of an A4 portrait page in inches: no figure is wider, so it prints at 100 %.
PAGE_WIDTH = 6.7
#: Smallest text size (points) of any figure printed at :data:`PAGE_WIDTH`.
MIN_PRINT_PT = 8.0

#: The own brand, and only the own brand.
OWN = "#c0392b"
#: What needs attention: "concentrate here", a promise not delivered (amber, never the own-brand red).
PRIORITY = "#d97706"
#: What works: "keep up the good work", a promise delivered.
GOOD = "#27ae60"
#: Marks without a meaning of their own (points of a chart that is not about brands).
NEUTRAL = "#323f4b"
#: Reference lines and "cannot tell".
MUTED = "#9aa5b1"
#: Colour of each importance–performance quadrant.
QUADRANT_COLORS = {"Concentrate here": PRIORITY, "Keep up the good work": GOOD, "Low priority": MUTED,
                   "Possible overkill": "#5b8fd6"}
#: Colour map of survey waves (earliest light, latest dark): blues, never the own-brand red.
WAVE_CMAP = "Blues"
#: Colour map of a rating in a heat map or journey map (low brown, high teal; no red).
RATING_CMAP = "BrBG"
KIND_COLORS = {"own": OWN, "direct": "#52606d", "new_entrant": "#9aa5b1", "outside_industry": "#cbd2d9"}
INTERFACE_COLORS = {"human_human": "#2f80ed", "human_technology": "#f2994a", "human_environment": "#27ae60"}
#: Colour map of shares in a heat map (no red: red is the own brand).
SEQUENTIAL = "mako_r"
DIVERGING = "PuOr"


#: Text sizes (points) of the house style: at :data:`PAGE_WIDTH` every one prints at least 8 pt.
FONT_SIZES = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8.5,
              "ytick.labelsize": 8.5, "legend.fontsize": 8.5, "legend.title_fontsize": 9, "figure.titlesize": 11}


def plain_text() -> None:
    """Draw every figure text as written: no ``$...$`` mathtext (``rcParams["text.parse_math"]``).

    Client text enters figures everywhere (titles, labels, legends, annotations and the tick labels a
    categorical axis makes from the data); a brand with two ``$`` would otherwise be typeset as a formula
    or stop the notebook (``ParseFatalException``).  No figure of the package uses mathtext.

    Examples
    --------
    >>> import matplotlib
    >>> plain_text()
    >>> matplotlib.rcParams["text.parse_math"]
    False
    """
    plt.rcParams["text.parse_math"] = False


plain_text()


def set_style() -> None:
    """Apply the house style (seaborn ``whitegrid``, print sizes of :data:`FONT_SIZES`, PNG at 110 dpi;
    client text drawn as written, :func:`plain_text`).

    Figures default to :data:`PAGE_WIDTH` inches wide, so text prints at the size set here.
    """
    plain_text()
    sns.set_theme(style="whitegrid", context="notebook",
                  rc={"figure.dpi": 110, "savefig.dpi": 110, "figure.figsize": (PAGE_WIDTH, 4),
                      "axes.titleweight": "bold", "axes.spines.top": False,
                      "axes.spines.right": False, "legend.frameon": False, **FONT_SIZES})
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


def wave_palette(waves) -> dict[str, str]:
    """Colour per wave, earliest light to latest dark, from :data:`WAVE_CMAP` (never the own-brand red).

    Parameters
    ----------
    waves : sequence of str
        The waves in order.

    Returns
    -------
    dict
        ``{wave: "#rrggbb"}``.
    """
    from matplotlib.colors import to_hex

    waves = list(waves)
    cols = plt.get_cmap(WAVE_CMAP)(np.linspace(0.45, 0.95, len(waves)) if len(waves) > 1 else [0.8])
    return {w: to_hex(c) for w, c in zip(waves, cols)}


def common_limits(frame: pd.DataFrame, low: str = "ci_low", high: str = "ci_high", pad: float = 0.06):
    """Axis limits that hold every interval of ``frame``, padded: one scale for small multiples.

    Parameters
    ----------
    frame : DataFrame
        The rows of every panel that shares the axis.
    low, high : str
        Interval columns.
    pad : float, default 0.06
        Share of the range added on each side.

    Returns
    -------
    tuple of float or None
        ``(lo, hi)``; ``None`` when no finite interval is present.
    """
    lo, hi = pd.to_numeric(frame[low], errors="coerce").min(), pd.to_numeric(frame[high], errors="coerce").max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return float(lo - pad * span), float(hi + pad * span)


def with_n(label: str, n: int) -> str:
    """``"label (n = 123)"`` — sample sizes belong on every chart."""
    return f"{label} (n = {int(n):,})"


def dot_interval(data: pd.DataFrame, x: str, y: str, low: str = "ci_low", high: str = "ci_high",
                 hue: str | None = None, palette: dict | None = None, ax=None, xlabel: str | None = None,
                 title: str | None = None, n: str | None = "n", dodge: float = 0.0, order: list | None = None,
                 tick_label=None):
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
    order : list, optional
        The categories of ``y`` from top to bottom (default: order of appearance); panels drawn with
        the same ``order`` line up.
    tick_label : callable, optional
        The text of a category's tick label (e.g. :func:`cem_research.present.narrative.value_label`
        of a touchpoint id); colours and order keep using the values themselves.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, max(2.5, 0.42 * data[y].nunique() * (1 + (hue is not None)) + 1)))
    cats = list(order) if order is not None else list(pd.unique(data[y]))
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
    words = [str(tick_label(c)) if tick_label else str(c) for c in cats]
    labels = words
    if n and n in data and not hue:
        nn = data.groupby(y, sort=False)[n].sum()
        labels = [with_n(w, nn[c]) if c in nn else w for c, w in zip(cats, words)]
    ax.set_yticks(range(len(cats)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    if hue:  # below the axes: inside, it can hide a dot
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    return ax


def quadrant_chart(data: pd.DataFrame, importance: str, performance: str, label: str,
                   quadrant: str = "quadrant", ax=None, xlabel: str = "Performance",
                   ylabel: str = "Derived importance", title: str | None = None,
                   xerr: tuple[str, str] | None = None, text=None):
    """Importance–performance chart split at the means, with the four standard quadrants.

    ``text``, a callable, gives the annotation of a point from its ``label`` value (default: the
    value itself).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, 5.2))
    colors = QUADRANT_COLORS
    for q, sub in data.groupby(quadrant, sort=False):
        if xerr:
            ax.hlines(sub[importance], sub[xerr[0]], sub[xerr[1]], colors=colors.get(q, "#52606d"), alpha=0.5)
        ax.scatter(sub[performance], sub[importance], s=60, color=colors.get(q, "#52606d"), label=q, zorder=3)
    for _, r in data.iterrows():
        ax.annotate(str(text(r[label]) if text else r[label]), (r[performance], r[importance]), xytext=(4, 4),
                    textcoords="offset points", fontsize=8)
    ax.axvline(data[performance].mean(), color="#9aa5b1", ls="--", lw=1)
    ax.axhline(data[importance].mean(), color="#9aa5b1", ls="--", lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def _savefig_png(fig, box) -> bytes:
    """``savefig`` PNG of ``fig`` cut to ``box`` (inches, or ``"tight"``), at the figure's dpi and facecolor.

    Given the box (the one ``"tight"`` finds) and no layout to run, ``savefig`` skips its measuring draw;
    with a layout engine or an axes locator it is left to find the box itself.
    """
    import io

    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = fig.get_layout_engine()
    if not (engine is None or isinstance(engine, PlaceHolderLayoutEngine)) or any(
            ax.get_axes_locator() is not None for ax in fig.axes):
        box = "tight"
    elif engine is not None:
        fig.set_layout_engine(None)  # a placeholder left by tight_layout would cost a measuring draw
    out = io.BytesIO()
    try:
        fig.savefig(out, format="png", dpi=fig.dpi, facecolor=fig.get_facecolor(),
                    edgecolor=fig.get_edgecolor(), bbox_inches=box)
    finally:
        if engine is not None and fig.get_layout_engine() is None:
            fig.set_layout_engine(engine)
    return out.getvalue()


def render_png(fig) -> bytes:
    """The figure as PNG, laid out by the caller and drawn once, cropped as ``bbox_inches="tight"`` crops.

    One Agg draw at the figure's dpi; the tight box is read from that draw's renderer, padded by
    ``rcParams["savefig.pad_inches"]`` and cut from the drawn pixels (where the padding reaches past the
    canvas it is filled with the facecolor, as ``savefig`` fills it), so the PNG has the size and content
    of IPython's ``print_figure`` (``savefig(bbox_inches="tight")``), which draws twice.  When an artist
    reaches outside the canvas (``savefig`` includes it by growing the image), ``savefig`` draws the
    figure again on that grown box, so nothing is cut off.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    >>> render_png(fig)[:4]
    b'\\x89PNG'
    >>> plt.close(fig)
    """
    import io

    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgba
    from PIL import Image, PngImagePlugin

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    dpi, pad = fig.dpi, mpl.rcParams["savefig.pad_inches"]
    tight = fig.get_tightbbox(canvas.get_renderer())  # inches, as savefig(bbox_inches="tight")
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    x0, y0, x1, y1 = tight.extents * dpi
    if x0 < 0 or y0 < 0 or x1 > width + 1e-3 or y1 > height + 1e-3 or isinstance(pad, str):
        # drawn partly off the canvas: savefig draws it again on a canvas grown to hold it
        return _savefig_png(fig, tight.padded(pad) if not isinstance(pad, str) else "tight")
    box = tight.padded(pad)
    # the size savefig gives the cropped canvas (truncated, as FigureCanvasBase.get_width_height)
    w, h = int(box.width * dpi + 1e-8), int(box.height * dpi + 1e-8)
    # display y grows upwards from the canvas bottom, buffer rows downwards from its top
    left, top = round(box.x0 * dpi), round(height - box.y0 * dpi) - h
    out, crop = io.BytesIO(), np.empty((h, w, 4), np.uint8)
    crop[...] = np.round(np.array(to_rgba(fig.get_facecolor())) * 255).astype(np.uint8)
    r0, r1, c0, c1 = max(top, 0), min(top + h, height), max(left, 0), min(left + w, width)
    crop[r0 - top:r1 - top, c0 - left:c1 - left] = rgba[r0:r1, c0:c1]
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"Matplotlib version{mpl.__version__}, https://matplotlib.org/")
    Image.fromarray(crop, "RGBA").save(out, format="png", pnginfo=info, dpi=(dpi, dpi))
    return out.getvalue()


def show(fig=None, alt: str | None = None, layer: str = "client") -> None:
    """Lay out, render once, display and close a figure (keeps notebooks from accumulating open figures).

    The figure is laid out once (``tight_layout``) and drawn once (:func:`render_png`), at its own dpi
    (110, :func:`set_style`: :data:`PAGE_WIDTH` inches make 737 pixels, the width the report shows it
    at), and displayed as a PNG with the figure's ``text/plain`` line, as the inline backend would
    display it (which would draw it twice).

    Parameters
    ----------
    fig : Figure, optional
        Default: the current figure.
    alt : str, optional
        A description of the chart for readers who cannot see it; the report uses it as the
        image's alt text.
    layer : {'client', 'appendix'}
        Where the report shows the figure (:class:`cem_research.steps.section.Shown`).
    """
    import base64

    from IPython.display import display

    from cem_research.present.show import layer_metadata

    fig = fig or plt.gcf()
    try:
        metadata = layer_metadata(layer)
        if alt:
            metadata["image/png"] = {"alt": alt}
        if not fig.axes and not fig.lines:  # nothing to draw: IPython shows no image either
            display(fig, metadata=metadata)
            return
        fig.tight_layout()
        png = base64.b64encode(render_png(fig)).decode("ascii")
        display({"image/png": png, "text/plain": repr(fig)}, raw=True, metadata=metadata)
    finally:
        plt.close(fig)
