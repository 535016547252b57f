"""Figures are rendered once (issue 19): :func:`cem_research.present.plots.show` lays a figure out once,
draws it once and crops the drawn pixels as ``savefig(bbox_inches="tight")`` (the inline backend's
PNG) would, falling back to ``savefig`` when an artist lies outside the canvas.

Pixel tolerance of the comparisons with ``savefig``: ``savefig`` shifts the figure by the tight box's
fractional offset before drawing it again, the crop here cuts at the nearest whole pixel, so every mark
may sit up to half a pixel elsewhere.  That changes only the anti-aliased rims of lines and glyphs:
measured on the figures below, the mean absolute difference is 0.6-1.4 (of 255) and at most 0.3 % of the
pixels differ by more than 64 in a channel; the same image moved by one whole pixel gives 2.9-4.6 and
2-3 %.  :data:`MEAN_TOL` and :data:`EDGE_SHARE` sit between the two, so a crop one pixel off fails.
They are too coarse to miss a small artist, so the tests of artists outside the canvas look for them.
"""

from __future__ import annotations

import base64
import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from cem_research.present import plots  # noqa: E402

#: Largest mean absolute difference (0-255 scale, all channels) between our PNG and savefig's.
MEAN_TOL = 2.0
#: Largest share of pixels whose colour differs by more than 64 (of 255) in any channel.
EDGE_SHARE = 0.01


@pytest.fixture(autouse=True)
def _style():
    with matplotlib.rc_context():
        plots.set_style()
        yield
    plt.close("all")


def _legend_below():
    fig, ax = plt.subplots(figsize=(plots.PAGE_WIDTH, 3.2))
    for k, name in enumerate(["Own brand (n = 1,204)", "Competitor A (n = 988)"]):
        ax.plot(range(6), np.arange(6) * (k + 1) / 3, marker="o", label=name)
    ax.set_title("Satisfaction per wave")
    ax.set_ylabel("Mean rating (1\u20137)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    return fig


def _long_ticks():
    fig, axes = plt.subplots(1, 2, figsize=(plots.PAGE_WIDTH, 3.6), sharey=True)
    labels = ["Friendly and competent staff at the counter", "Waiting time", "Cleanliness of the seating area"]
    for ax in axes:
        ax.hlines(range(3), [1, 2, 3], [3, 4, 5], lw=2.2)
        ax.scatter([2, 3, 4], range(3), zorder=3)
        ax.set_yticks(range(3), labels)
        ax.set_xlabel("Mean with 95% CI")
    fig.suptitle("Touchpoints: own brand vs competitors\n(two-line title)", fontweight="bold")
    return fig


def _supxlabel():
    fig, axes = plt.subplots(2, 2, figsize=(plots.PAGE_WIDTH, 4.5))
    for ax in axes.flat:
        ax.bar(["a", "b", "c"], [3, 1, 2])
    fig.supxlabel("Respondents per wave and construct: 120 to 340", fontsize=8.5)
    fig.suptitle("Small multiples", fontweight="bold")
    return fig


NORMAL = {"legend below the axes": _legend_below, "long tick labels": _long_ticks, "supxlabel": _supxlabel}


def _savefig_tight(fig) -> bytes:
    """The PNG the inline backend makes (IPython's ``print_figure``: figure dpi, facecolor, tight box)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor(),
                bbox_inches="tight")
    return buf.getvalue()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def _compare(ours: bytes, theirs: bytes) -> tuple[float, float]:
    """(mean absolute difference, share of pixels off by more than 64) over the common area;
    asserts that the sizes agree to one pixel."""
    a, b = _pixels(ours), _pixels(theirs)
    assert abs(a.shape[0] - b.shape[0]) <= 1 and abs(a.shape[1] - b.shape[1]) <= 1, (a.shape, b.shape)
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    diff = np.abs(a[:h, :w] - b[:h, :w])
    return float(diff.mean()), float((diff.max(axis=2) > 64).mean())


@pytest.fixture
def captured(monkeypatch):
    """Every ``IPython.display.display`` call of :func:`plots.show`, as ``(objs, kwargs)``."""
    import IPython.display

    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: calls.append((objs, kw)))
    return calls


@pytest.fixture
def draws(monkeypatch):
    """Counts :meth:`Figure.draw` calls (every render of a figure goes through it)."""
    count = {"n": 0}
    real = Figure.draw

    def counting(self, renderer):
        count["n"] += 1
        return real(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    return count


@pytest.mark.parametrize("build", NORMAL.values(), ids=NORMAL.keys())
def test_show_draws_the_figure_once(build, captured, draws):
    fig = build()
    plots.show(fig, alt="a chart")
    assert draws["n"] == 1
    assert len(captured) == 1
    assert not plt.fignum_exists(fig.number)  # closed


@pytest.mark.parametrize("build", NORMAL.values(), ids=NORMAL.keys())
def test_png_is_what_savefig_tight_makes(build):
    reference = build()
    reference.tight_layout()
    theirs = _savefig_tight(reference)
    fig = build()
    fig.tight_layout()
    ours = plots.render_png(fig)
    mean, edges = _compare(ours, theirs)
    assert mean < MEAN_TOL and edges < EDGE_SHARE, (mean, edges)


@pytest.mark.parametrize("build", NORMAL.values(), ids=NORMAL.keys())
def test_a_crop_one_pixel_off_is_told_apart(build):
    """The tolerance is tight enough to see a shifted crop (so the comparison above can fail)."""
    fig = build()
    fig.tight_layout()
    theirs = _savefig_tight(fig)
    shifted = _pixels(theirs)[1:, 1:]
    buf = io.BytesIO()
    Image.fromarray(np.pad(shifted, ((0, 1), (0, 1), (0, 0)), constant_values=255).astype(np.uint8)).save(
        buf, format="png")
    mean, edges = _compare(buf.getvalue(), theirs)
    assert not (mean < MEAN_TOL and edges < EDGE_SHARE), (mean, edges)


def test_padding_past_the_canvas_is_filled_like_savefig():
    """Text close to the edge: the tight box is inside the canvas, its padding is not."""
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot([0, 1], [0, 1])
    fig.tight_layout()
    fig.text(0.5, 0.999, "Title at the very top", ha="center", va="top", fontsize=11)
    fig.text(0.999, 0.5, "right", ha="right", rotation=90)
    canvas_h = fig.canvas.get_width_height(physical=True)[1]
    ours, theirs = plots.render_png(fig), _savefig_tight(fig)
    assert _pixels(theirs).shape[0] > canvas_h - 15  # the padding reaches past the canvas
    mean, edges = _compare(ours, theirs)
    assert mean < MEAN_TOL and edges < EDGE_SHARE, (mean, edges)


def test_an_artist_outside_the_canvas_stays_in_the_png(draws):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    fig.text(1.3, 0.5, "far right", fontsize=14)
    fig.tight_layout()
    ours = _pixels(plots.render_png(fig))
    assert draws["n"] == 2  # the crop's draw, then savefig's on the grown box (not three)
    width = fig.canvas.get_width_height(physical=True)[0]
    assert ours.shape[1] > 1.3 * width  # grown to hold the text, as savefig grows it
    beyond = ours[:, int(1.25 * width):, :3]
    assert (beyond < 128).any()  # the text's dark pixels are there
    mean, edges = _compare(plots.render_png(fig), _savefig_tight(fig))
    assert mean < MEAN_TOL and edges < EDGE_SHARE


@pytest.mark.parametrize("outside", [False, True], ids=["inside", "outside"])
def test_a_constrained_layout_figure_matches_savefig(outside):
    fig, axes = plt.subplots(1, 2, figsize=(5, 3), layout="constrained")
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_title("panel")
    if outside:
        fig.text(-0.2, 0.5, "far left", fontsize=14)
    ours = plots.render_png(fig)
    mean, edges = _compare(ours, _savefig_tight(fig))
    assert mean < MEAN_TOL and edges < EDGE_SHARE, (mean, edges)
    if outside:
        left = _pixels(ours)[:, :int(0.15 * fig.canvas.get_width_height(physical=True)[0]), :3]
        assert (left < 128).any()  # the text's dark pixels, left of where the canvas begins


def test_a_figure_without_an_agg_canvas_is_rendered():
    fig = Figure(figsize=(3, 2), dpi=80)
    fig.add_subplot().plot([0, 1], [1, 0])
    fig.tight_layout()
    assert Image.open(io.BytesIO(plots.render_png(fig))).size[0] <= 3 * 80


def test_output_keeps_png_alt_and_layer(captured):
    from cem_research.present.report.render import Doc, layer_of

    fig = _legend_below()
    size_line = repr(fig)
    plots.show(fig, alt="Line chart of satisfaction per wave", layer="appendix")
    (objs, kw), = captured
    bundle = objs[0]
    assert kw["raw"] is True
    assert kw["metadata"] == {"cem_research": {"layer": "appendix"},
                              "image/png": {"alt": "Line chart of satisfaction per wave"}}
    assert bundle["text/plain"] == size_line and size_line.startswith("<Figure size 737x352")
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).info.get("dpi", (0,))[0] == pytest.approx(110, abs=0.5)

    out = {"output_type": "display_data", "data": bundle, "metadata": kw["metadata"]}
    doc = Doc()
    doc.add_output(out)
    assert layer_of(out) == "appendix"
    assert 'alt="Line chart of satisfaction per wave"' in doc.parts[-1]
    assert bundle["image/png"] in doc.parts[-1]


def test_output_without_alt_has_layer_only(captured):
    fig = _supxlabel()
    plots.show(fig)
    (objs, kw), = captured
    assert kw["metadata"] == {"cem_research": {"layer": "client"}}
    assert "image/png" in objs[0]


def test_an_empty_figure_is_not_drawn(captured, draws):
    fig = plt.figure()
    plots.show(fig, alt="nothing")
    (objs, kw), = captured
    assert objs == (fig,) and draws["n"] == 0  # as IPython: no axes, no image
    assert not plt.fignum_exists(fig.number)
