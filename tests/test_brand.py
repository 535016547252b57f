"""Tests of cem_research.steps.brand (step 3): its functions, its three sections, its figures
(cem_research.present.plots.brand) and notebook 03.

Demo clients are copied (or generated) into a temporary project; see tests/test_platform.py for
the helpers' rationale (duplicated here in small form so the two files stay independent).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import project_root, run_notebook
from cem_research.steps import brand as br
from cem_research.steps import world
from cem_research.steps.section import Section, Settings
from cem_research.steps import platform as pf
from cem_research import stats

#: The sections this step always has (the optional methods' sections are tested with their methods).
CORE_SECTIONS = [s for s in br.SECTIONS if not getattr(s, "optional", False)]

REPO = Path(__file__).resolve().parents[1]
FINDING_MIME = "application/vnd.cem-research.finding+json"
QUADRANTS = ["Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"]


def add_demo_client(root: Path, name: str) -> Path:
    dest = root / "data" / "raw" / name
    for src in (REPO / "data" / "raw" / name, REPO / "tests" / "fixtures" / name):
        if (src / "client.yaml").exists():
            shutil.copytree(src, dest)
            return dest
    from datasets import demo

    if name == demo.TINY_CLIENT:
        return demo.write_tiny_client(root / "data" / "raw")
    return demo.generate_client(name, root / "data" / "raw")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from cem_research.client.data import load_client

    root = tmp_path_factory.mktemp("brand_demo")
    (root / "data" / "raw").mkdir(parents=True)
    (root / "notebooks").symlink_to(REPO / "notebooks", target_is_directory=True)
    out = {"root": root}
    with project_root(root):
        for name in ("coffee_house", "software_vendor", "hotel_group", "tiny_client"):
            folder = add_demo_client(root, name)
            out[name] = (load_client(name, raw_root=root / "data" / "raw"),
                         json.loads((folder / "truth.json").read_text()))
    return out


def write_bare(root: Path, **overrides):
    """A client with two drivers, one outcome, no elements, no segments, no competitors, no
    verbatims (``overrides`` replace or, with ``None``, drop client.yaml keys)."""
    from cem_research.client.data import load_client

    folder = root / "data" / "raw" / "bare"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(3)
    n = 60
    a, b = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame({"id": range(n), "wave": "W1",
                          "a1": np.clip(np.round(4 + a + rng.normal(0, .5, n)), 1, 7),
                          "a2": np.clip(np.round(4 + a + rng.normal(0, .5, n)), 1, 7),
                          "b1": np.clip(np.round(4 + b + rng.normal(0, .5, n)), 1, 7),
                          "b2": np.clip(np.round(4 + b + rng.normal(0, .5, n)), 1, 7),
                          "sat": np.clip(np.round(4 + a + .3 * b + rng.normal(0, .5, n)), 1, 7)})
    frame.to_csv(folder / "survey.csv", index=False)
    cfg = {"brand": "Bare", "survey": {"file": "survey.csv", "id": "id", "wave": "wave"},
           "constructs": {"alpha": {"items": ["a1", "a2"]}, "beta": {"items": ["b1", "b2"]},
                          "sat": {"items": ["sat"]}},
           "drivers": ["alpha", "beta"], "outcomes": ["sat"]}
    for key, value in overrides.items():
        if value is None:
            cfg.pop(key, None)
        else:
            cfg[key] = value
    (folder / "client.yaml").write_text(yaml.safe_dump(cfg))
    with project_root(root):
        return load_client("bare", raw_root=root / "data" / "raw")


@pytest.fixture
def bare(tmp_path):
    """Every section of step 3 except the IPA (on the drivers) has nothing to analyse."""
    return write_bare(tmp_path / "bare_project")


# ------------------------------------------------------------------------------------ elements


def test_element_profile_and_tests(demo):
    data, _ = demo["coffee_house"]
    cfg = data.config
    by = br.element_constructs(cfg)
    assert list(by) == ["product", "look_and_feel", "communications"]
    cons = [c for v in by.values() for c in v]
    prof = br.element_profile(data)
    assert list(pd.unique(prof["dimension"])) == cons
    assert set(prof["element_label"]) == set(br.ELEMENT_LABELS.values())
    tests = br.element_tests(data)
    assert set(tests["dimension"]) == set(cons)
    # one Holm family for every own-brand comparison: step 1's table, not the element rows alone
    home = world.brand_tests(data)
    assert len(home) > len(tests)
    assert np.allclose(stats.adjust_pvalues(home[["p_unc"]])["p_corr"], home["p_corr"])
    same = tests.merge(home, left_on=["dimension", "mean_other", "n_other"],
                       right_on=["construct", "mean_other", "n_other"], suffixes=("", "_home"))
    assert len(same) == len(tests)
    assert np.allclose(same["p_corr"], same["p_corr_home"]) and np.allclose(same["ci_low"], same["ci_low_home"])
    ov = br.element_overview(data)
    assert ov["rated"].all() and ov["verbatims"].all()


def test_aspects_counts_and_sentiment(demo):
    data, _ = demo["coffee_house"]
    m = br.aspect_mentions(data)
    assert {"aspect", "compound", "brand", "brand_kind"} <= set(m.columns)
    summ = br.aspect_summary(data, m)
    own = summ[summ["brand"] == data.config.brand].set_index("aspect")
    n_texts = len(data.feedback)
    for aspect, sub in m.groupby("aspect"):
        assert own.loc[aspect, "mentions"] == len(sub)
        assert own.loc[aspect, "mention_share"] == pytest.approx(len(sub) / n_texts)
        assert own.loc[aspect, "compound"] == pytest.approx(sub["compound"].mean())
        lo, hi = stats.proportion_ci(len(sub), n_texts)
        assert own.loc[aspect, "mention_ci_low"] == pytest.approx(lo)
    assert (own["verdict"] == "clearly positive").eq(own["ci_low"] > br.SENTIMENT_CLEAR).all()
    # the demo's verbatims are all about the own brand: no own-vs-competitor test
    assert br.aspect_tests(data, m) is None


def test_client_aspects_override_the_lexicon(demo):
    from dataclasses import replace

    from cem_research.client.data import ClientData

    data, _ = demo["tiny_client"]
    cfg = replace(data.config, aspects={"service": ["barista*", "staff"], "communications": []})
    lex = br.aspect_lexicon(cfg)
    assert "service" in lex and "communications" not in lex and "product" in lex
    d2 = ClientData(cfg, data.ratings, data.feedback, data.touchpoints, data.meta)
    summ = br.aspect_summary(d2, br.aspect_mentions(d2))
    assert "service" in set(summ["aspect"]) and "communications" not in set(summ["aspect"])


def test_strengths_gaps_and_finding(demo):
    data, truth = demo["software_vendor"]
    tests = br.element_tests(data)
    m = br.aspect_mentions(data)
    summ = br.aspect_summary(data, m)
    sg = br.strengths_gaps(tests, summ, br.aspect_tests(data, m), data.config.brand)
    rated = sg[sg["source"] == "ratings"]
    pooled = tests[tests["level"] == "all competitors"].set_index("label")
    for r in rated[rated["comparison"] == "vs all competitors"].itertuples():
        expected = {"higher": "strength", "lower": "gap"}.get(pooled.loc[r.measure, "direction"], "on par")
        assert r.verdict == expected
    gaps, strengths = sg[sg["verdict"] == "gap"], sg[sg["verdict"] == "strength"]
    assert (gaps["diff"] < 0).all() and (gaps["ci_high"] < 0).all()  # Holm p < .05 => CI excludes 0
    assert (strengths["diff"] > 0).all() and (strengths["ci_low"] > 0).all()
    neutral = sg[sg["comparison"] == "vs neutral (0)"]
    assert ((neutral["verdict"] == "strength") == (neutral["ci_low"] > br.SENTIMENT_CLEAR)).all()
    f = br.element_finding(sg, br.element_overview(data), data.config.brand)
    assert f["text"].startswith("Brand elements of") and "95% CI" in f["text"]
    assert f["key"] in {"element_gap", "element_strength", "element_sentiment_min"}
    lo, hi = f["ci"]
    assert lo <= f["value"] <= hi


def test_nothing_to_assess_skips(bare):
    assert br.element_profile(bare) is None and br.element_tests(bare) is None
    assert br.aspect_mentions(bare) is None and br.aspect_summary(bare, None) is None
    assert br.strengths_gaps(None, None, None, "Bare") is None
    ov = br.element_overview(bare)
    assert not ov["rated"].any() and not ov["verbatims"].any()
    f = br.element_finding(None, ov, "Bare")
    assert "cannot be assessed" in f["text"] and "Not measured at all" in f["text"]
    assert "no construct with `element:`" in br.element_skip_reason(ov)
    assert br.segment_differences(bare) is None and br.segment_means(bare) is None
    ipa = br.element_ipa(bare, n_boot=20)  # no elements: falls back to the drivers
    assert set(ipa["construct"]) == {"alpha", "beta"}


# ------------------------------------------------------------------------------------ IPA


def test_fix_first_order_is_as_documented():
    """Quadrants in the order Concentrate here, Keep up, Low priority, Possible overkill; within a
    quadrant by descending importance x gap to the best performer, then descending importance."""
    df = pd.DataFrame({"label": list("abcdefgh"),
                       "importance": [0.30, 0.25, 0.30, 0.05, 0.02, 0.04, 0.03, 0.01],
                       "performance": [40, 30, 80, 35, 20, 90, 85, 70]})
    ipa = stats.importance_performance(df, "importance", "performance", "label")
    for c in ("importance_ci_low", "importance_ci_high", "performance_ci_low", "performance_ci_high"):
        ipa[c] = np.nan
    ipa["quadrant"] = ipa["quadrant"].astype(str)
    ipa["reliability_flag"] = ""
    ff = br.fix_first(ipa)
    gap = 90 - df.set_index("label")["performance"]
    score = df.set_index("label")["importance"] * gap
    # by hand: high importance = >= mean (0.125): a, b, c; high performance = >= mean (56.25)
    # Concentrate here: a (0.3*50=15), b (0.25*60=15) -> tie, then importance: a before b
    # Keep up: c; Low priority: d (0.05*55), e (0.02*70); Possible overkill: h (.01*20), g (0.03*5), f (0)
    assert list(ff["label"]) == ["a", "b", "c", "d", "e", "h", "g", "f"]
    assert list(ff["priority"]) == list(range(1, 9))
    assert ff["priority_score"].tolist() == pytest.approx(score.loc[list(ff["label"])].tolist())
    ranks = ff["quadrant"].map(QUADRANTS.index)
    assert (ranks.diff().dropna() >= 0).all()
    assert ff.loc[0, "action"].startswith("fix first")


def test_element_ipa_on_demo(demo):
    data, _ = demo["coffee_house"]
    rel = pf.reliability_table(data)
    ipa = br.element_ipa(data, n_boot=60, reliability=rel)
    cons = [c for v in br.element_constructs(data.config).values() for c in v]
    assert set(ipa["construct"]) == set(cons)
    assert ipa["importance_measure"].str.startswith("share of R² of Satisfaction").all()
    # importance = the construct's LMG share in the model with all drivers
    ri = stats.relative_importance(data.own, "satisfaction", list(data.config.drivers), n_boot=0).set_index("driver")
    for r in ipa.itertuples():
        assert r.importance == pytest.approx(ri.loc[r.construct, "share"])
        lo, hi = data.config.constructs[r.construct].scale
        assert r.performance == pytest.approx(100 * (data.own[r.construct].mean() - lo) / (hi - lo))
        assert r.performance_ci_low < r.performance < r.performance_ci_high
    ff = br.fix_first(ipa)
    assert list(ff["priority"]) == sorted(ff["priority"])
    ranks = ff["quadrant"].map(QUADRANTS.index).to_numpy()
    assert (np.diff(ranks) >= 0).all()
    for q, sub in ff.groupby("quadrant"):
        assert (sub["priority_score"].diff().dropna() <= 1e-12).all()
    f = br.ipa_finding(ipa, data.config.brand)
    assert ff.loc[0, "label"] in f["text"] and "95% CI" in f["text"]


# ------------------------------------------------------------------------------------ segments


def test_segment_difference_planted(demo):
    data, truth = demo["coffee_house"]
    seg = br.segment_differences(data)
    t = truth["segment_difference"]
    row = seg[(seg["segment"] == t["segment"]) & (seg["dimension"] == t["construct"])].iloc[0]
    assert row["significant"] and row["highest_group"] == t["higher"] and row["lowest_group"] == t["lower"]
    assert row["pair_diff"] > 0 and row["pair_ci_low"] > 0 and row["pair_hedges"] > 0.3
    assert (seg["p_corr"] >= seg["p_unc"] - 1e-15).all()
    assert np.allclose(stats.adjust_pvalues(seg[["p_unc"]])["p_corr"], seg["p_corr"])
    assert set(seg["test"]) <= {"Welch ANOVA", "Kruskal-Wallis"}
    welch = seg[seg["test"] == "Welch ANOVA"].iloc[0]
    om = stats.omnibus(data.own, welch["dimension"], welch["segment"]).iloc[0]
    assert welch["effect"] == pytest.approx(om["omega2"]) and welch["p_unc"] == pytest.approx(om["p_unc"])
    f = br.segment_finding(seg)
    assert f["headline"] and t["higher"] in f["text"] and "Holm" in f["text"]
    pairs = br.segment_pairs(data, seg)
    assert set(pairs["segment"]) <= set(seg.loc[seg["significant"], "segment"])
    means = br.segment_means(data)
    sub = means[(means["segment"] == t["segment"]) & (means["dimension"] == t["construct"])].set_index("group")
    assert sub.loc[t["higher"], "mean"] == pytest.approx(row["highest_mean"])
    assert sub["series"].str.contains(r"\(n = ").all()


def test_segment_kruskal_for_small_groups_and_group_reliability(demo):
    data, truth = demo["tiny_client"]
    poor = truth["poor_reliability"]
    seg = br.segment_differences(data, constructs=[poor, "affective"])
    assert (seg.loc[seg["dimension"] == poor, "unreliable_in"] != "").all()
    assert seg.loc[seg["dimension"] == poor, "reliability_flag"].str.contains("alpha").all()
    # groups below 15 answers -> Kruskal-Wallis with eta2_H = (H - k + 1) / (n - k)
    small = seg[seg["test"] == "Kruskal-Wallis"]
    assert set(small["segment"]) == {"age_group"}  # tiny_client: the 60+ group has 9 answers
    r = small[small["dimension"] == "affective"].iloc[0]
    from scipy import stats as sps

    own = data.own.dropna(subset=["affective"])
    h = sps.kruskal(*[g["affective"].to_numpy() for _, g in own.groupby("age_group")]).statistic
    assert r["statistic"] == pytest.approx(h)
    assert r["effect_measure"] == "eta2_H"
    assert r["effect"] == pytest.approx(max(0.0, (h - r["k"] + 1) / (r["n"] - r["k"])))
    big = br.segment_differences(data, constructs=["affective"], min_group=30)
    assert big is None or (big["k"] >= 2).all()


# ------------------------------------------------------------------------------------ sections

FAST = Settings(n_boot=50)


def test_sections_in_report_order():
    assert [type(s) for s in CORE_SECTIONS] == [br.BrandElements, br.ElementImportancePerformance,
                                              br.SegmentDifferences]
    assert all(isinstance(s, Section) and s.step == 3 for s in CORE_SECTIONS)
    # the titles are the notebook's ## headings, word for word
    headings = [line[5:].strip() for line in (REPO / "notebooks" / "03_brand_experience.py").read_text(
        encoding="utf-8").splitlines() if line.startswith("# ## ")]
    assert [s.title for s in CORE_SECTIONS] == headings


def test_sections_skip_a_client_without_the_data(bare):
    assert "no construct with `element:`" in br.BrandElements().skip_reason(bare, FAST)
    assert br.BrandElements().result(bare, FAST) is None
    assert br.SegmentDifferences().skip_reason(bare, FAST) == "the client declares no segments"
    # the IPA falls back to the two drivers
    assert br.ElementImportancePerformance().skip_reason(bare, FAST) is None
    ipa = br.ElementImportancePerformance().result(bare, FAST)
    assert set(ipa["construct"]) == {"alpha", "beta"} and ipa.attrs["outcome"] == bare.main_outcome == "sat"


def test_ipa_section_skips_without_an_outcome_or_with_one_driver(tmp_path):
    no_outcome = write_bare(tmp_path / "a", outcomes=None)
    assert no_outcome.main_outcome is None
    reason = br.ElementImportancePerformance().skip_reason(no_outcome, FAST)
    assert reason and "no outcome" in reason and "\n" not in reason
    one_driver = write_bare(tmp_path / "b", drivers=["alpha"])
    assert "fewer than two" in br.ElementImportancePerformance().skip_reason(one_driver, FAST)
    assert br.element_ipa(one_driver) is None


def test_elements_section_on_demo(demo):
    data, _ = demo["coffee_house"]
    section = br.BrandElements()
    assert section.skip_reason(data, FAST) is None
    res = section.result(data, FAST)
    assert isinstance(res, br.ElementTables)
    assert section.result(data, FAST) is res  # computed once per client and settings
    # the reliability flags are step 2's
    rel = pf.reliability_table(data)
    expected = br.element_tests(data, reliability=rel)
    pd.testing.assert_frame_equal(res.tests, expected)
    m = br.aspect_mentions(data)
    summ = br.aspect_summary(data, m)
    pd.testing.assert_frame_equal(res.strengths_gaps,
                                  br.strengths_gaps(expected, summ, br.aspect_tests(data, m), data.config.brand))
    [f] = section.findings(res, data, FAST)
    assert f == br.element_finding(res.strengths_gaps, res.overview, data.config.brand)
    # coffee_house: Communications trails SipNow (the planted gap), sentence in the house style
    assert f["key"] == "element_gap" and f["value"] < 0 and f["ci"][1] < 0
    assert "Communications vs SipNow" in f["text"] and "Holm p < .001" in f["text"]
    assert "[" not in f["text"] and "p = 0." not in f["text"]
    shown = section.present(res, data, FAST)
    assert [s.kind for s in shown] == ["table", "figure", "table", "table", "figure", "table"]
    assert shown[0].caption == "What the client measures about each brand element"
    assert list(shown[2].content.columns[:3]) == ["element_label", "label", "comparison"]
    assert shown[3].options["percent"][0] == "mention_share"
    assert all(s.caption for s in shown)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_ipa_section_on_demo_uses_the_settings(demo):
    data, _ = demo["coffee_house"]
    section = br.ElementImportancePerformance()
    res = section.result(data, FAST)
    rel = pf.reliability_table(data)
    pd.testing.assert_frame_equal(res, br.element_ipa(data, n_boot=50, seed=FAST.seed, reliability=rel))
    other = section.result(data, Settings(n_boot=50, seed=7))
    assert other is not res
    assert not np.allclose(other["importance_ci_low"], res["importance_ci_low"])  # another bootstrap
    assert np.allclose(other["importance"], res["importance"])  # same point estimates
    [f] = section.findings(res, data, FAST)
    assert f["key"] == "fix_first" and f["ci"][0] <= f["value"] <= f["ci"][1]
    assert res.sort_values("priority")["label"].iloc[0] in f["text"]
    shown = section.present(res, data, FAST)
    assert [s.kind for s in shown] == ["figure", "table"]
    assert list(shown[1].content["priority"]) == sorted(shown[1].content["priority"])
    import matplotlib.pyplot as plt

    plt.close("all")


def test_ipa_states_importance_on_the_main_outcome(demo):
    from dataclasses import replace

    from cem_research.client.data import ClientData

    data, _ = demo["coffee_house"]
    assert data.main_outcome == "satisfaction"
    d2 = ClientData(replace(data.config, main_outcome="loyalty"), data.ratings, data.feedback,
                    data.touchpoints, data.meta)
    ipa = br.ElementImportancePerformance().result(d2, FAST)
    assert ipa.attrs["outcome"] == "loyalty"
    assert ipa["importance_measure"].str.startswith("share of R² of Loyalty").all()
    ri = stats.relative_importance(d2.own, "loyalty", [d for d in d2.config.drivers if d != "loyalty"],
                                   n_boot=0).set_index("driver")
    assert ipa.set_index("construct")["importance"].to_dict() == pytest.approx(
        ri.loc[list(ipa["construct"]), "share"].to_dict())


def test_segment_section_on_demo(demo):
    data, truth = demo["coffee_house"]
    section = br.SegmentDifferences()
    res = section.result(data, FAST)
    assert isinstance(res, br.SegmentTables)
    pd.testing.assert_frame_equal(res.differences, br.segment_differences(data))
    [f] = section.findings(res, data, FAST)
    assert f == br.segment_finding(res.differences)
    assert f["headline"] and truth["segment_difference"]["higher"] in f["text"]
    shown = section.present(res, data, FAST)
    kinds = [s.kind for s in shown]
    n_segments = res.means["segment_label"].nunique()
    # one figure of small multiples (one panel per segment, a shared axis)
    assert kinds == ["table", "figure"] + (["table"] if res.pairs is not None else [])
    assert len([ax for ax in shown[1].content.axes if ax.axison]) == n_segments
    assert "p_corr" in shown[0].content and "p (Games-Howell)" in shown[0].options["rename"].values()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_segment_section_takes_threshold_and_group_size_from_the_settings(demo):
    data, truth = demo["tiny_client"]
    poor = truth["poor_reliability"]
    section = br.SegmentDifferences()
    strict = section.result(data, Settings(n_boot=50, reliability_threshold=0.99))
    default = section.result(data, FAST)
    n_flag = lambda r: int(r.differences["unreliable_in"].astype(bool).sum())  # noqa: E731
    assert n_flag(strict) > n_flag(default)
    [f] = section.findings(strict, data, Settings(reliability_threshold=0.99))
    assert "Alpha falls below .99 within some compared groups" in f["text"]
    # the overall flag is step 2's reliability flag
    rows = default.differences[default.differences["dimension"] == poor]
    rel = pf.reliability_table(data).set_index("construct")
    assert rel.loc[poor, "below_threshold"]
    assert rows["reliability_flag"].str.startswith(f"{poor}: {rel.loc[poor, 'reliability_flag']}").all()
    # groups smaller than settings.min_group are left out (tiny_client: the 60+ group has 9 answers)
    big = section.result(data, Settings(n_boot=50, min_group=10)).differences
    small = default.differences
    k_small = small.loc[small["segment"] == "age_group", "k"].to_numpy()
    k_big = big.loc[big["segment"] == "age_group", "k"].to_numpy()
    assert len(k_small) == len(k_big) and (k_small == k_big + 1).all()


def test_brand_figures_take_an_axes_and_return_it(demo):
    import matplotlib
    import matplotlib.pyplot as plt

    from cem_research.present.plots import brand as bp
    from cem_research.present.plots import OWN

    data, _ = demo["coffee_house"]
    res = br.BrandElements().result(data, FAST)
    fig, axes = plt.subplots(1, 2)
    try:
        assert bp.element_profile_chart(res.profile, ax=axes[0]) is axes[0]
        own = res.profile.loc[res.profile["brand_kind"] == "own", "series"].iloc[0]
        handles, labels = axes[0].get_legend_handles_labels()
        legend = {label: h.get_facecolor()[0] for label, h in zip(labels, handles)}
        assert matplotlib.colors.to_hex(legend[own]) == OWN
        assert bp.aspect_sentiment_chart(res.aspects, ax=axes[1]) is axes[1]
        assert [ln.get_xdata()[0] for ln in axes[1].lines] == [0]  # the neutral line
        seg = br.SegmentDifferences().result(data, FAST).means
        pal = bp.group_palette(seg)
        assert set(pal) == set(seg["series"]) and OWN not in pal.values()
        ax = bp.ipa_chart(br.ElementImportancePerformance().result(data, FAST))
        assert ax.get_title() == "Importance–performance of brand elements"
    finally:
        plt.close("all")


# ------------------------------------------------------------------------------------ notebook


@pytest.mark.slow
@pytest.mark.parametrize("client", ["tiny_client", "hotel_group"])
def test_notebook_03_runs(demo, tmp_path, client):
    out = tmp_path / f"03_{client}.ipynb"
    root = demo["root"]
    with project_root(root):
        run_notebook(root / "notebooks" / "03_brand_experience.ipynb", out, {"client": client})
    fs = []
    for cell in json.loads(out.read_text())["cells"]:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error"
            if FINDING_MIME in o.get("data", {}):
                fs.append(o["data"][FINDING_MIME])
    assert {f["section"] for f in fs} == {s.title for s in CORE_SECTIONS}
    assert any(f["headline"] for f in fs)
    if client == "hotel_group":  # survey only: no verbatims, communications not rated
        elem = next(f for f in fs if f["section"] == br.BrandElements.title)
        assert "Not measured at all: Experiential communications" in elem["text"]
