"""The one set of sentence formatters (present.narrative) and what the report makes of a figure."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from cem_research.present import narrative as nv


def test_doctests_run():
    result = doctest.testmod(nv)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize("value, text", [(5.6, "5.60"), (-0.004, "0.00"), (None, "n/a"), (np.nan, "n/a"),
                                         (math.inf, "n/a"), ("x", "n/a"), (1234.5, "1234.50")])
def test_num(value, text):
    assert nv.num(value) == text


@pytest.mark.parametrize("value, text", [(0.82, "+0.82"), (-0.1, "-0.10"), (-0.001, "0.00"), (0.0, "0.00"),
                                         (np.nan, "n/a")])
def test_signed_never_shows_a_signed_zero(value, text):
    assert nv.signed(value) == text


@pytest.mark.parametrize("value, text", [(0.134, "13%"), (-0.0004, "0%"), (1.0, "100%"), (None, "n/a")])
def test_pct(value, text):
    assert nv.pct(value) == text


def test_intervals_read_the_same_everywhere():
    assert nv.ci(5.6, 6.0) == "95% CI 5.60 to 6.00"
    assert nv.ci(5.6, np.nan) == "95% CI not available"
    assert nv.pct_ci(0.13, 0.21) == "95% CI 13% to 21%"
    assert nv.ci(1, 2, digits=1, confidence=0.9) == "90% CI 1.0 to 2.0"


@pytest.mark.parametrize("value, text", [(0.0004, "p < .001"), (0.0123, "p = .012"), (1.0, "p = 1.000"),
                                         (0.05, "p = .050"), (np.nan, "p n/a")])
def test_p_values_in_apa_style(value, text):
    assert nv.p(value) == text


def test_words():
    assert nv.join([]) == "" and nv.join(["a"]) == "a" and nv.join(["a", "b", "c"]) == "a, b and c"
    assert nv.count(1, "comparison") == "1 comparison" and nv.count(1200, "row") == "1,200 rows"
    assert nv.signed_pct(0.04) == "+4 points"
    assert nv.scale_text((1, 7)) == "1\u20137"


def test_md_escapes_markup_and_markdown_control_characters():
    assert nv.md("<b>*x*</b>") == "&lt;b&gt;\\*x\\*&lt;/b&gt;"


def test_section_markdown_is_marked_as_a_section():
    text, meta = nv.SectionMarkdown("## Kano")._repr_markdown_()
    assert text == "## Kano" and meta == {"cem_research": {"section": True}}


def test_report_uses_the_figure_alt_text():
    from cem_research.present.report import Doc

    doc = Doc()
    doc.add_output({"output_type": "display_data",
                    "data": {"image/png": "iVBOR", "text/plain": "<Figure size 640x480 with 1 Axes>"},
                    "metadata": {"image/png": {"alt": "Dot chart of <brand> means"}}})
    assert 'alt="Dot chart of &lt;brand&gt; means"' in doc.parts[-1]
    doc.add_output({"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": "a chart"}})
    assert 'alt="a chart"' in doc.parts[-1]


# ---- coded values in words (value_label) ----------------------------------------------------------
@pytest.mark.parametrize("column, value, text", [
    ("touchpoint", "mobile_app_order", "Mobile app order"),
    ("stage", "awareness", "Awareness"),
    ("channel", "in_store", "In store"),
    ("interface", "human_human", "human–human"),
    ("interface", "human_technology", "human–technology"),
    ("interface", "human_environment", "human–environment"),
    ("touchpoint", "human_technology", "human–technology"),  # an interface kind in any column
    ("brand_kind", "new_entrant", "new entrant"),
    ("brand_kind", "outside_industry", "outside the industry"),
    ("tenure", "1-3 years", "1-3 years"),            # already words: unchanged
    ("touchpoint", "App order", "App order"),         # the client's own text: unchanged
    ("touchpoint", "Mobile_App", "Mobile_App"),       # not a code (capitals): unchanged
    ("age_group", "60+", "60+"),
    ("wave", "2026Q1", "2026Q1"),
])
def test_value_label(column, value, text):
    assert nv.value_label(None, column, value) == text


def test_value_label_of_numbers_and_missing_values():
    assert nv.value_label(None, "stage", 3) == "3"
    assert nv.value_label(None, "stage", None) == "None"


def test_value_label_reuses_the_chart_kind_labels():
    from cem_research.present import plots

    assert plots.KIND_LABELS is nv.KIND_LABELS
    for kind, text in plots.KIND_LABELS.items():
        assert nv.value_label(None, "brand_kind", kind) == text


def test_declared_labels_win():
    class Cfg:
        labels = {"touchpoint": {"mobile_app_order": "Ordering in the app"}, "interface": {"human_human": "staff"}}

    assert nv.value_label(Cfg(), "touchpoint", "mobile_app_order") == "Ordering in the app"
    assert nv.value_label(Cfg(), "interface", "human_human") == "staff"
    assert nv.value_label(Cfg(), "touchpoint", "cup_return") == "Cup return"  # not declared: the fallback
    assert nv.value_label(Cfg(), "stage", "mobile_app_order") == "Mobile app order"  # declared for another column

    class NoLabels:  # a configuration without a labels attribute (issue 15 adds it)
        pass

    assert nv.value_label(NoLabels(), "stage", "awareness") == "Awareness"


def test_label_values_converts_a_copy_and_keeps_order():
    import pandas as pd

    frame = pd.DataFrame({"stage": pd.Categorical(["usage", "awareness"], categories=["awareness", "usage"]),
                          "touchpoint": ["cup_return", "social_media_ad"], "interface": ["human_human", None],
                          "n": [1, 2], "note": ["a_b", "c"]})
    out = nv.label_values(frame, None)
    assert list(frame["touchpoint"]) == ["cup_return", "social_media_ad"]  # the input keeps its ids
    assert list(out["touchpoint"]) == ["Cup return", "Social media ad"]
    assert list(out["stage"].cat.categories) == ["Awareness", "Usage"]  # the declared order is kept
    assert list(out["stage"]) == ["Usage", "Awareness"]
    assert out["interface"].iloc[0] == "human–human" and pd.isna(out["interface"].iloc[1])
    assert list(out["note"]) == ["a_b", "c"] and list(out["n"]) == [1, 2]  # other columns untouched


def test_displayed_tables_name_constructs_segments_and_items_in_words():
    """A section's table is displayed with its identifiers in words; a code column that then repeats
    its label column is dropped (the HTML and the CSV payload alike)."""
    import pandas as pd

    from cem_research.present import show

    class C:
        def __init__(self, title, items):
            self.title, self.items = title, items

    class Cfg:
        constructs = {"look_and_feel": C("Look and feel", ("lf1", "lf2"))}
        segments = {"cust_type": "Customer type"}
        questions = {"lf1": "The stores are attractive."}
        labels = {}

    frame = pd.DataFrame({"construct": ["look_and_feel", "look_and_feel"], "label": ["Look and feel"] * 2,
                          "segment": ["cust_type", "cust_type"], "item": ["lf1", "lf2"], "n": [3, 4]})
    out = show._in_words(frame, Cfg())
    assert list(out.columns) == ["label", "segment", "item", "n"]  # construct repeated its label
    assert out["segment"].tolist() == ["Customer type"] * 2
    assert out["item"].tolist() == ["The stores are attractive.", "Look and feel, item 2 of 2"]
    assert frame["construct"].iloc[0] == "look_and_feel"  # the section's result is untouched
