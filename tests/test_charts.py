"""Charts a client can read: print sizes, shared axes, one meaning per colour, the expected pictures.

Every figure each section presents for coffee_house is built once (``Settings(n_boot=50)``) and
checked as it would print on an A4 page: the figure is scaled to the text width
(:data:`cem_research.present.plots.PAGE_WIDTH`) when wider, and no text may fall below 8 pt.
"""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex


matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

A4_TEXT_WIDTH = 6.7  # inches
MIN_PT = 8.0


@pytest.fixture(scope="module")
def figures(clients):
    """(section key, alt text, Figure) for every figure the sections present for coffee_house (``clients``:
    the session's processed clients, conftest.py)."""
    from cem_research.present import plots
    from cem_research.steps.section import Settings, all_sections

    plots.set_style()
    settings = Settings(n_boot=50)
    warn_at = matplotlib.rcParams["figure.max_open_warning"]
    matplotlib.rcParams["figure.max_open_warning"] = 0  # every figure stays open for the tests below
    out = []
    data = clients["coffee_house"]
    for section in all_sections():
        if section.skip_reason(data, settings) is not None:
            continue
        for item in section.present(section.result(data, settings), data, settings):
            if item is not None and item.kind == "figure" and item.content is not None:
                item.content.tight_layout()
                out.append((section.key, item.caption, item.content))
    yield out
    for _, _, fig in out:
        plt.close(fig)
    matplotlib.rcParams["figure.max_open_warning"] = warn_at


def _texts(fig):
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]


def _colours(fig) -> set[str]:
    """Every colour an artist of ``fig`` draws with (lines, markers, patches, collections)."""
    found = set()
    for art in fig.findobj():
        for getter in ("get_facecolor", "get_edgecolor", "get_color", "get_markerfacecolor"):
            if not hasattr(art, getter) or isinstance(art, matplotlib.text.Text):
                continue
            try:
                value = getattr(art, getter)()
            except Exception:  # noqa: BLE001 - artists without that colour
                continue
            arr = np.atleast_2d(np.asarray(matplotlib.colors.to_rgba_array(value)))
            found |= {to_hex(c) for c in arr if c[3] > 0}
    return found


def _by_section(figures, key):
    return [(alt, fig) for k, alt, fig in figures if k == key]


# ---- readable at page width -------------------------------------------------------------------
def test_every_text_prints_at_least_8pt(figures):
    assert len(figures) >= 15
    for key, alt, fig in figures:
        width = fig.get_size_inches()[0]
        scale = min(1.0, A4_TEXT_WIDTH / width)
        small = sorted({(round(t.get_fontsize() * scale, 1), t.get_text()[:30]) for t in _texts(fig)
                        if t.get_fontsize() * scale < MIN_PT})
        assert not small, f"{key}: text below {MIN_PT} pt at A4 width: {small[:5]}"


def test_figures_fit_the_text_width(figures):
    for key, _, fig in figures:
        assert fig.get_size_inches()[0] <= A4_TEXT_WIDTH + 1e-6, key
        box = fig.get_tightbbox(fig.canvas.get_renderer())
        assert box.width <= A4_TEXT_WIDTH + 0.1, f"{key}: drawn {box.width:.2f} in wide (a title sticks out?)"


def test_style_sizes_print_at_8pt():
    from cem_research.present import plots

    assert plots.PAGE_WIDTH <= A4_TEXT_WIDTH
    assert min(plots.FONT_SIZES.values()) >= MIN_PT
    plots.set_style()
    assert plt.rcParams["figure.figsize"][0] <= A4_TEXT_WIDTH
    assert plt.rcParams["xtick.labelsize"] >= MIN_PT and plt.rcParams["ytick.labelsize"] >= MIN_PT


# ---- small multiples share their axis ---------------------------------------------------------
def _scale_of(ax):
    m = re.search(r"([\d.]+)\u2013([\d.]+)\)", ax.get_title())
    return m.groups() if m else None


def test_competitive_panels_share_the_axis_per_scale(figures):
    (_, fig), = _by_section(figures, "CompetitiveLandscape")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison and ax.get_title()]
    assert len(panels) >= 10
    limits = {}
    for ax in panels:
        limits.setdefault(_scale_of(ax), set()).add(tuple(np.round(ax.get_xlim(), 6)))
    assert all(len(v) == 1 for v in limits.values()), limits
    assert len(limits[("1", "7")]) == 1
    # the brands take the same rows in every panel, named once in the left column
    rows = {tuple(np.round(ax.get_ylim(), 6)) for ax in panels}
    assert len(rows) == 1
    named = [ax for ax in panels if any(t.get_text() for t in ax.get_yticklabels())]
    assert 0 < len(named) < len(panels)


def test_tracking_panels_share_the_axis_per_scale(figures):
    figs = _by_section(figures, "TrackingAcrossWaves")
    fig = next(f for alt, f in figs if alt.startswith("Small multiples"))
    limits = {}
    for ax in fig.axes:
        if ax.get_visible() and _scale_of(ax):
            limits.setdefault(_scale_of(ax), set()).add(tuple(np.round(ax.get_ylim(), 6)))
    assert limits and all(len(v) == 1 for v in limits.values()), limits


def test_segment_differences_are_one_figure_on_one_axis(figures):
    figs = _by_section(figures, "SegmentDifferences")
    assert len(figs) == 1
    panels = [ax for ax in figs[0][1].axes if ax.axison]
    assert len(panels) == 4
    assert len({tuple(np.round(ax.get_xlim(), 6)) for ax in panels}) == 1


# ---- one colour, one meaning ------------------------------------------------------------------
def test_palettes_keep_the_own_brand_red_for_the_own_brand():
    from cem_research.present import plots
    from cem_research.present.plots import brand, innovation, optional, platform

    own = plots.OWN.lower()
    assert plots.KIND_COLORS["own"] == plots.OWN
    others = [*plots.QUADRANT_COLORS.values(), *optional.VERDICT_COLORS.values(), *plots.INTERFACE_COLORS.values(),
              *platform.OUTCOME_COLORS, *brand.GROUP_COLORS, innovation.LARGE, innovation.SMALL, plots.PRIORITY,
              plots.GOOD, plots.NEUTRAL, plots.MUTED,
              *[c for k, c in plots.KIND_COLORS.items() if k != "own"]]
    assert own not in {c.lower() for c in others}
    agenda = pd.DataFrame({"label": ["a", "b"], "size": ["small improvement", "large innovation"]})
    assert own not in {c.lower() for c in innovation.agenda_palette(agenda).values()}
    waves = plots.wave_palette(["w1", "w2", "w3", "w4"])
    assert len(set(waves.values())) == 4
    for c in waves.values():  # blues: blue channel dominant, never a red
        r, g, b = matplotlib.colors.to_rgb(c)
        assert b > r, c


def test_own_red_marks_the_own_brand_only_in_the_competitive_landscape(figures):
    from cem_research.present import plots

    (_, fig), = _by_section(figures, "CompetitiveLandscape")
    ax = fig.axes[0]
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    for coll in ax.collections:
        if coll.get_offsets().size == 0 or not isinstance(coll, matplotlib.collections.PathCollection):
            continue
        for (x, y), colour in zip(coll.get_offsets(), coll.get_facecolors()):
            is_red = to_hex(colour) == plots.OWN
            assert is_red == (labels[int(round(y))] == "Bean & Co."), (labels[int(round(y))], to_hex(colour))


@pytest.mark.parametrize("key", ["Drivers", "ElementImportancePerformance", "TouchpointImportancePerformance",
                                 "TouchpointPerformance", "InnovationAgenda", "SegmentDifferences"])
def test_charts_not_about_the_own_brand_do_not_use_its_red(figures, key):
    from cem_research.present import plots

    figs = _by_section(figures, key)
    assert figs
    for _, fig in figs:
        assert plots.OWN not in _colours(fig), key


# ---- the pictures people expect ---------------------------------------------------------------
def test_nps_trend_chart(figures):
    figs = _by_section(figures, "TrackingAcrossWaves")
    alt, fig = figs[-1]
    assert alt.startswith("Trend chart") and "Net Promoter Score" in alt
    titles = [ax.get_title() for ax in fig.axes]
    assert "Net Promoter Score" in titles and "Satisfaction (main outcome)" in titles
    nps_ax = fig.axes[titles.index("Net Promoter Score")]
    assert len(nps_ax.get_xticklabels()) == 3 and "n = " in nps_ax.get_xticklabels()[0].get_text()
    assert {t.get_text() for t in nps_ax.texts} >= {"12", "9", "14"}  # integers, as the NPS table rounds


def test_key_driver_matrix(figures):
    figs = _by_section(figures, "Drivers")
    assert len(figs) == 1  # the matrix replaces the importance dot chart
    alt, fig = figs[0]
    assert alt.startswith("Key-driver matrix") and "Satisfaction" in alt
    ax = fig.axes[0]
    names = {t.get_text().replace("\n", " ") for t in ax.texts}
    assert {"Affective", "Product quality", "Concentrate here", "Keep up the good work"} <= names
    assert "Importance" in ax.get_ylabel() and "Performance" in ax.get_xlabel()


def test_journey_map(figures):
    figs = _by_section(figures, "TouchpointPerformance")
    assert len(figs) == 1  # the map replaces the touchpoint dot chart
    alt, fig = figs[0]
    assert alt.startswith("Journey map") and "effort" in alt
    text = " ".join(t.get_text().replace("\n", " ") for t in fig.axes[0].texts)
    for word in ("Awareness", "Disposal", "Mobile app order", "2.88", "poor 72%", "effort 4.8/7"):
        assert word in text


def test_every_figure_has_a_descriptive_alt_text(figures):
    for key, alt, _ in figures:
        assert len(alt) >= 40 and not alt.startswith("<Figure"), (key, alt)


# ---- builders on small frames -----------------------------------------------------------------
def test_builders_handle_missing_parts():
    from cem_research.present import plots
    from cem_research.present.plots import innovation, platform

    assert innovation.trend_figure(None, None, None) is None
    imp = pd.DataFrame({"outcome": ["sat"], "driver": ["x"], "share": [0.5], "share_ci_low": [0.4],
                        "share_ci_high": [0.6], "n": [100], "driver_label": ["X"], "outcome_label": ["Sat"]})
    perf = pd.DataFrame({"construct": ["y"], "mean": [4.0], "ci_low": [3.9], "ci_high": [4.1], "scale_min": [1.0],
                         "scale_max": [7.0]})
    assert platform.driver_matrix(imp, perf, "sat") is None
    assert plots.common_limits(pd.DataFrame({"ci_low": [np.nan], "ci_high": [np.nan]})) is None
    lo, hi = plots.common_limits(pd.DataFrame({"ci_low": [1.0, 2.0], "ci_high": [3.0, 5.0]}))
    assert lo < 1.0 and hi > 5.0


def test_journey_map_wraps_a_crowded_stage():
    from cem_research.present.plots import interface

    tp = pd.DataFrame({"touchpoint": [f"tp_{i}" for i in range(8)], "stage": ["a"] + ["b"] * 6 + ["c"],
                       "n_events": 10, "satisfaction": np.linspace(2, 4.5, 8), "ci_low": 1.9, "ci_high": 4.6,
                       "share_poor": 0.2})
    ax = interface.journey_map(tp, stages=["a", "b", "c"], scale=(1, 5))
    tiles = [p for p in ax.patches]
    assert len(tiles) == 8
    assert len({round(p.get_y(), 3) for p in tiles}) == 2  # two tiles deep, the crowded stage spreads out
    plt.close(ax.figure)
