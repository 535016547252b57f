"""Tests of cem_research.steps.brand.kano: the Kano evaluation table, shares, coefficients, validation, the
planted features of fitness_club, and notebook 03's Kano section."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import make_client, project_root, run_captured, run_notebook
from cem_research.steps.brand import kano
from cem_research import stats
from cem_research.client.errors import ContractError

REPO = Path(__file__).resolve().parents[1]
FINDING_MIME = "application/vnd.cem-research.finding+json"


def answers_frame(pairs: list[tuple[int, int]], feature: str = "f", weights=None) -> pd.DataFrame:
    frame = pd.DataFrame(pairs, columns=["functional", "dysfunctional"])
    frame.insert(0, "feature", feature)
    frame.insert(1, "label", feature.upper())
    frame["category"] = kano.classify(frame["functional"], frame["dysfunctional"])
    if weights is not None:
        frame["w"] = weights
    frame.attrs.update(features={feature: feature.upper()}, segments=[], weight=None)
    return frame


# one answer pair per category (functional, dysfunctional)
PAIR = {"A": (1, 3), "O": (1, 5), "M": (2, 5), "I": (3, 3), "R": (5, 1), "Q": (1, 1)}


def pairs_for(counts: dict[str, int]) -> list[tuple[int, int]]:
    return [PAIR[c] for c, k in counts.items() for _ in range(k)]


# ----------------------------------------------------------------------------- the evaluation table


def test_classify_is_berger_et_al_table():
    expected = {  # functional row: categories for dysfunctional like, expect, neutral, live with, dislike
        1: "QAAAO", 2: "RIIIM", 3: "RIIIM", 4: "RIIIM", 5: "RRRRQ"}
    for f, row in expected.items():
        got = kano.classify([f] * 5, [1, 2, 3, 4, 5]).tolist()
        assert got == list(row), (f, got)
    assert kano.classify([1, np.nan], [5, 2]).tolist() == ["O", None]
    with pytest.raises(ValueError, match="1 \\(like\\) to 5"):
        kano.classify([0], [3])
    with pytest.raises(ValueError, match="equal shape"):
        kano.classify([1, 2], [3])


def test_hand_computed_table_and_coefficients():
    counts = {"A": 10, "O": 6, "M": 8, "I": 4, "R": 1, "Q": 1}
    t = kano.kano_table(answers_frame(pairs_for(counts))).iloc[0]
    assert [t[c] for c in kano.CATEGORIES] == [10, 6, 8, 4, 1, 1]
    assert t["n"] == 30 and t["n_aomi"] == 28
    assert t["dominant"] == "Attractive" and t["runner_up"] == "Must-be"
    assert t["dominant_share"] == pytest.approx(10 / 30)
    assert (t["dominant_ci_low"], t["dominant_ci_high"]) == pytest.approx(stats.proportion_ci(10, 30))
    # margin: Wald interval of a difference of two shares of one multinomial sample
    p1, p2 = 10 / 30, 8 / 30
    se = math.sqrt((p1 + p2 - (p1 - p2) ** 2) / 30)
    assert t["margin"] == pytest.approx(p1 - p2)
    assert (t["margin_ci_low"], t["margin_ci_high"]) == pytest.approx((p1 - p2 - 1.959964 * se, p1 - p2 + 1.959964 * se),
                                                                      abs=1e-5)
    assert not t["dominant_clear"]
    # Better = (A + O)/(A + O + M + I) = 16/28, Worse = -(O + M)/(A + O + M + I) = -14/28
    assert t["better"] == pytest.approx(16 / 28)
    assert t["worse"] == pytest.approx(-14 / 28) and t["worse_abs"] == pytest.approx(0.5)
    lo, hi = stats.proportion_ci(16, 28)
    assert (t["better_ci_low"], t["better_ci_high"]) == pytest.approx((lo, hi))
    lo, hi = stats.proportion_ci(14, 28)
    assert (t["worse_ci_low"], t["worse_ci_high"]) == pytest.approx((-hi, -lo))
    assert t["coefficient_quadrant"] == "One-dimensional"  # Better .57 >= .5, |Worse| .50 >= .5


def test_wilson_interval_by_hand():
    # Wilson (1927) for 16 of 28 at 95%: computed from the formula
    p, n, z = 16 / 28, 28, 1.959963984540054
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    t = kano.kano_table(answers_frame(pairs_for({"A": 10, "O": 6, "M": 8, "I": 4}))).iloc[0]
    assert (t["better_ci_low"], t["better_ci_high"]) == pytest.approx((centre - half, centre + half))


@pytest.mark.parametrize("counts, dominant, quadrant", [
    ({"M": 20, "I": 5, "O": 3}, "Must-be", "Must-be"),
    ({"A": 20, "I": 6, "M": 2}, "Attractive", "Attractive"),
    ({"O": 20, "A": 3, "M": 3}, "One-dimensional", "One-dimensional"),
    ({"I": 20, "A": 3, "M": 2}, "Indifferent", "Indifferent"),
    ({"R": 12, "I": 3}, "Reverse", "Indifferent"),
])
def test_each_category_recovered(counts, dominant, quadrant):
    t = kano.kano_table(answers_frame(pairs_for(counts))).iloc[0]
    assert t["dominant"] == dominant and t["dominant_clear"]
    assert t["coefficient_quadrant"] == quadrant


def test_ties_broken_must_be_first():
    t = kano.kano_table(answers_frame(pairs_for({"A": 5, "O": 5, "M": 5, "I": 5}))).iloc[0]
    assert t["dominant"] == "Must-be" and t["runner_up"] == "One-dimensional"
    t = kano.kano_table(answers_frame(pairs_for({"A": 5, "I": 5}))).iloc[0]
    assert t["dominant"] == "Attractive"


def test_category_shares_and_share_table():
    a = answers_frame(pairs_for({"A": 3, "M": 1}))
    s = kano.category_shares(a)
    assert list(s["category"]) == list(kano.CATEGORIES)
    assert s["share"].sum() == pytest.approx(1)
    assert s.set_index("category").loc["A", "share"] == 0.75
    assert s.set_index("category").loc["R", "count"] == 0
    wide = kano.share_table(a)
    assert list(wide.columns) == ["label", "n", *kano.CATEGORY_NAMES.values()]
    assert wide.iloc[0]["Attractive"].startswith("75% [")


def test_weights_move_shares_and_use_effective_n():
    a = answers_frame(pairs_for({"A": 2, "M": 2}), weights=[3.0, 3.0, 1.0, 1.0])
    s = kano.category_shares(a, weights="w").set_index("category")
    assert s.loc["A", "share"] == pytest.approx(0.75)
    n_eff = 8**2 / 20
    assert (s.loc["A", "ci_low"], s.loc["A", "ci_high"]) == pytest.approx(stats.proportion_ci(0.75 * n_eff, n_eff))
    t = kano.kano_table(a, weights="w").iloc[0]
    assert t["better"] == pytest.approx(0.75) and t["A"] == 2


def test_nothing_to_do_without_answers():
    for f in (kano.kano_table, kano.category_shares, kano.share_table, kano.segment_table):
        assert f(None) is None


# ----------------------------------------------------------------------------- client.yaml and survey


def _cfg(extra: dict | None = None, survey=None) -> dict:
    cfg = {"brand": "Own", "survey": {"file": "survey.csv", "id": "id", "wave": "wave", "brand": "brand"},
           "competitors": [{"name": "Rival", "kind": "direct"}],
           "constructs": {"q": {"items": ["q1", "q2"]}}, "segments": {"seg": "Segment"}}
    if extra:
        cfg.update(extra)
    return cfg


def _survey(n_own: int = 40, n_comp: int = 10, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_own + n_comp
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "wave": "W1",
                          "brand": ["Own"] * n_own + ["Rival"] * n_comp,
                          "seg": np.where(np.arange(n) % 2, "a", "b"),
                          "q1": rng.integers(1, 8, n), "q2": rng.integers(1, 8, n)})
    must = [PAIR["M"]] * (n_own - 5) + [PAIR["I"]] * 5
    frame["k_f"] = [p[0] for p in must] + [5] * n_comp    # competitor rows answer nonsense: ignored
    frame["k_d"] = [p[1] for p in must] + [5] * n_comp
    return frame


KANO = {"kano": {"scale": [1, 5], "features": {"showers": {"functional": "k_f", "dysfunctional": "k_d",
                                                              "label": "Clean showers"}}}}


def test_reads_own_survey_rows_only(tmp_path):
    data = make_client(tmp_path, "k1", _cfg(KANO), {"survey.csv": _survey()})
    a = kano.kano_answers(data)
    assert len(a) == 40 and set(a["category"]) == {"M", "I"}
    assert a.attrs["features"] == {"showers": "Clean showers"} and a.attrs["segments"] == ["seg"]
    t = kano.kano_table(a).iloc[0]
    assert t["dominant"] == "Must-be" and t["M"] == 35 and t["label"] == "Clean showers"
    seg = kano.segment_table(a, min_group=10)
    assert set(seg["level"]) == {"a", "b"} and (seg["segment_label"] == "Segment").all()
    assert kano.segment_table(a, min_group=1000) is None
    finding = kano.kano_finding(kano.kano_table(a))
    assert "Clean showers is must-be" in finding["text"] and finding["headline"]
    assert finding["key"] == "kano_worse_max" and finding["ci"][0] <= finding["value"] <= finding["ci"][1]
    intro = kano.section_intro(a)
    assert intro.startswith(f"## {kano.SECTION}")
    # displayed as a section: the report renders its heading like a markdown cell's
    assert intro._repr_markdown_() == (str(intro), {"cem_research": {"section": True}})


def test_scale_recoding_and_blanks(tmp_path):
    s = _survey()
    s["k_f"] = s["k_f"] - 1  # answers coded 0-4
    s["k_d"] = s["k_d"] - 1
    s.loc[3, "k_f"] = np.nan
    data = make_client(tmp_path, "k2", _cfg({"kano": {"scale": [0, 4], "features": {
        "showers": {"functional": "k_f", "dysfunctional": "k_d"}}}}), {"survey.csv": s})
    a = kano.kano_answers(data)
    assert len(a) == 39 and a.attrs["n_blank"] == {"showers": 1}
    assert a["label"].iloc[0] == "Showers"
    assert set(a["functional"]) <= {1, 2, 3, 4, 5}


def test_declared_missing_codes_are_blanks_in_kano_columns(tmp_path):
    """A "no answer" code declared under `missing:` is a blank in a Kano column; undeclared it is refused."""
    s = _survey()
    s["k_f"] = s["k_f"].astype(object)
    s.loc[[3, 5], "k_f"] = [-99, "-99.0"]
    data = make_client(tmp_path, "k5", _cfg({**KANO, "missing": [-99]}), {"survey.csv": s})
    a = kano.kano_answers(data)
    assert len(a) == 38 and a.attrs["n_blank"] == {"showers": 2}
    with pytest.raises(ContractError, match="missing:.*found '-99'"):
        make_client(tmp_path, "k6", _cfg(KANO), {"survey.csv": s})


def test_bad_answer_is_one_line_error_with_rows(tmp_path):
    s = _survey()
    s["k_d"] = s["k_d"].astype(object)
    s.loc[[2, 7], "k_d"] = ["7", "dislike"]
    with pytest.raises(ContractError) as e:  # refused while the client is processed (`make check`)
        make_client(tmp_path, "k3", _cfg(KANO), {"survey.csv": s})
    msg = str(e.value)
    assert "\n" not in msg and "client 'k3'" in msg and "file 'survey.csv'" in msg
    assert "column 'k_d'" in msg and "rows 4, 9" in msg and "1-5" in msg


def test_missing_column_is_named(tmp_path):
    with pytest.raises(ContractError, match="column 'k_dd'.*did you mean 'k_d'"):
        make_client(tmp_path, "k4", _cfg({"kano": {"features": {
            "showers": {"functional": "k_f", "dysfunctional": "k_dd"}}}}), {"survey.csv": _survey()})


@pytest.mark.parametrize("block, message", [
    ({"kano": {"features": {}}}, "kano.features' must map"),
    ({"kano": {"scale": [1, 7], "features": {"x": {"functional": "a", "dysfunctional": "b"}}}}, "kano.scale"),
    ({"kano": {"feature": {}}}, "did you mean 'features'"),
    ({"kano": {"features": {"x": {"functional": "a"}}}}, "kano.features.x.dysfunctional' is required"),
    ({"kano": {"features": {"x": {"functional": "a", "dysfunctional": "b", "lable": "X"}}}}, "did you mean 'label'"),
    ({"kano": {"features": {"x": {"functional": "a", "dysfunctional": "b"},
                            "y": {"functional": "b", "dysfunctional": "c"}}}}, "column 'b' is used twice"),
    ({"kano": ["a"]}, "'kano' must be a mapping"),
])
def test_config_errors(block, message):
    from cem_research.client.config import parse_config

    with pytest.raises(ContractError, match=message) as e:  # refused when client.yaml is loaded
        parse_config(_cfg(block), "bad")
    assert "\n" not in str(e.value) and str(e.value).startswith("client 'bad', file 'client.yaml'")


def test_clients_without_kano_get_none():
    from cem_research.client.config import load_config
    from cem_research.client.data import ClientData

    for folder in (REPO / "tests" / "fixtures" / "tiny_client", REPO / "data" / "raw" / "coffee_house"):
        cfg = load_config(folder)
        assert cfg.kano is None
        answers = kano.kano_answers(ClientData(cfg, pd.DataFrame()))
        assert answers is None and kano.section_intro(answers) is None
        table = kano.kano_table(answers)
        assert table is None and kano.kano_finding(table) is None and kano.quadrant_figure(table) is None
        for f in (kano.category_shares, kano.share_table, kano.segment_table):
            assert f(answers) is None


# ----------------------------------------------------------------------------- fitness_club


def test_fitness_must_be_and_attractive_features(fitness_project):
    truth = fitness_project["truth"]["kano"]
    a = kano.kano_answers(fitness_project["data"])
    t = kano.kano_table(a).set_index("feature")
    names = {"must_be": "Must-be", "attractive": "Attractive", "one_dimensional": "One-dimensional",
             "indifferent": "Indifferent"}
    for feature, cat in truth["categories"].items():
        assert t.loc[feature, "dominant"] == names[cat] and t.loc[feature, "dominant_clear"]
    must, attr = t.loc[truth["must_be"]], t.loc[truth["attractive"]]
    assert must["coefficient_quadrant"] == "Must-be" and attr["coefficient_quadrant"] == "Attractive"
    assert must["worse_ci_high"] < -0.5 and must["better_ci_high"] < 0.5
    assert attr["better_ci_low"] > 0.5 and attr["worse_ci_low"] > -0.5
    assert t.attrs["weighted"]  # fitness_club declares weighting: targets, so weights are used
    seg = kano.segment_table(a)
    assert set(seg["segment"]) == set(fitness_project["data"].config.segments)


@pytest.mark.slow
def test_notebook_03_kano_and_modules_sections(fitness_project, tmp_path):
    from cem_research.steps.brand import modules

    root = fitness_project["root"]
    out = tmp_path / "03_fitness.ipynb"
    with project_root(root):
        run_notebook(root / "notebooks" / "03_brand_experience.ipynb", out, {"client": "fitness_club"})
    nb = json.loads(out.read_text())
    fs, headings = [], []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o.get("evalue")
            data = o.get("data", {})
            if FINDING_MIME in data:
                fs.append(data[FINDING_MIME])
            elif "text/markdown" in data:
                md = "".join(data["text/markdown"])
                section = o.get("metadata", {}).get("text/markdown", {}).get("cem_research", {}).get("section")
                headings += [line[3:] for line in md.splitlines() if line.startswith("## ") and section]
    sections = {f["section"]: f for f in fs}
    assert kano.SECTION in sections and modules.SECTION in sections
    assert kano.SECTION in headings and modules.SECTION in headings
    assert sections[kano.SECTION]["kind"] == "finding" and sections[kano.SECTION]["headline"]
    assert "Clean showers is must-be" in sections[kano.SECTION]["text"]
    assert sections[modules.SECTION]["key"] == "module_rising"


# ----------------------------------------------------------------------------- the Section


def test_kano_section_equals_the_functions(fitness_project, monkeypatch):
    from cem_research.steps.section import Settings

    data = fitness_project["data"]
    section = kano.Kano()
    assert section.step == 3 and section.title == kano.SECTION and section.optional
    assert section.skip_reason(data, Settings()) is None
    result, shown, recorded = run_captured(section, data, monkeypatch)
    answers = kano.kano_answers(data)
    pd.testing.assert_frame_equal(result.overall, kano.kano_table(answers))
    pd.testing.assert_frame_equal(result.shares, kano.share_table(answers))
    pd.testing.assert_frame_equal(result.segments, kano.segment_table(answers))
    assert [r[0] for r in recorded] == ["record"]
    old = kano.kano_finding(kano.kano_table(answers))
    assert recorded[0][1] == (3, kano.SECTION) and recorded[0][2] == old
    assert "Clean showers is must-be (62%, 95% CI 57% to 66%" in old["text"]  # narrative's intervals
    assert [(s.kind, s.layer) for s in shown] == [
        ("markdown", "appendix"), ("table", "appendix"), ("table", "appendix"), ("figure", "client"),
        ("table", "appendix"), ("table", "client")]
    assert list(shown[-1].content["label"]) == list(result.overall["label"])  # the client's compact table
    assert str(shown[0].content).startswith(f"## {kano.SECTION}")
    assert "Better" in shown[3].caption and "|Worse|" in shown[3].caption  # a descriptive alt text


def test_kano_section_silent_without_kano(monkeypatch, tmp_path):
    from cem_research.steps.section import Settings

    data = make_client(tmp_path, "nokano", _cfg(), {"survey.csv": _survey()})
    section = kano.Kano()
    assert section.skip_reason(data, Settings()) == "the client declares no 'kano:' in client.yaml"
    assert run_captured(section, data, monkeypatch) == (None, [], [])


def test_kano_section_declared_but_unanswered_records_its_skip(monkeypatch, tmp_path):
    s = _survey()
    s["k_f"] = np.nan  # nobody answered the functional question
    data = make_client(tmp_path, "blankkano", _cfg(KANO), {"survey.csv": s})
    result, shown, recorded = run_captured(kano.Kano(), data, monkeypatch)
    assert result is None and shown == []
    assert recorded == [("skip", (3, kano.SECTION, "no respondent answered both questions of a Kano pair"), {})]
