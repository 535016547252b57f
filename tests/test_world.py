"""Step 1 (cem_research.steps.world): unit tests on hand-made data, the sections (skip reasons, results,
findings, what they show), planted-truth recovery on the demo clients, and the notebook's structure."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_research import stats
from cem_research.steps import world
from cem_research.client.config import parse_config
from cem_research.client.data import ClientData
from cem_research.steps.section import Settings, Shown
from cem_research.steps.world.frames import str_categorical

#: The sections this step always has (the optional methods' sections are tested with their methods).
CORE_SECTIONS = [s for s in world.SECTIONS if not getattr(s, "optional", False)]

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "01_experiential_world"


# ---------------------------------------------------------------------------------------------
# hand-made clients
# ---------------------------------------------------------------------------------------------


def make_config(**over):
    raw = {
        "name": "Unit", "brand": "Own",
        "competitors": [{"name": "RivalA", "kind": "direct"}, {"name": "RivalB", "kind": "direct"},
                        {"name": "Newbie", "kind": "new_entrant"}],
        "survey": {"file": "survey.csv", "id": "id", "wave": "wave", "brand": "brand"},
        "constructs": {
            "sens": {"items": ["sens"], "layer": "brand", "experience": True},
            "use": {"items": ["use"], "layer": "usage"},
            "sat": {"items": ["sat"], "scale": [1, 10]},
            "ltr": {"items": ["ltr"], "scale": [0, 10]},
        },
        "drivers": ["sens", "use"], "outcomes": ["sat", "ltr"], "nps": "ltr",
        "segments": {"usage": "Usage frequency"},
        "journey": ["awareness", "purchase", "usage", "disposal"],
    }
    raw.update(over)
    return parse_config(raw, "unit")


def own_ratings(n=60, seed=1, gap=2.0, waves=("W1",)):
    """Own-brand rows: 'daily' users score `gap` higher on sens than 'rare' users."""
    rng = np.random.default_rng(seed)
    usage = np.array(["daily", "rare", "weekly"] * (n // 3))
    sens = rng.normal(4, 0.6, n) + np.where(usage == "daily", gap / 2, 0) - np.where(usage == "rare", gap / 2, 0)
    return pd.DataFrame({
        "source": "survey", "row": np.arange(1, n + 1), "respondent": [f"R{i}" for i in range(n)],
        "wave": np.resize(np.array(waves), n), "brand": "Own", "brand_kind": "own", "usage": usage,
        "sens": sens.clip(1, 7), "use": rng.normal(5.5, 0.5, n).clip(1, 7),
        "sat": rng.normal(7, 1, n).clip(1, 10), "ltr": rng.integers(0, 11, n).astype(float),
    })


def comp_ratings(brand, kind, n=30, sens=3.0, seed=2):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "source": "competitor_ratings", "row": np.arange(1, n + 1), "respondent": [f"{brand}{i}" for i in range(n)],
        "wave": "W1", "brand": brand, "brand_kind": kind, "usage": pd.NA,
        "sens": rng.normal(sens, 0.6, n).clip(1, 7), "use": rng.normal(5.5, 0.5, n).clip(1, 7),
        "sat": rng.normal(7, 1, n).clip(1, 10), "ltr": rng.integers(0, 11, n).astype(float),
    })


def make_data(cfg=None, ratings=None, feedback=None, touchpoints=None, waves=("W1",)):
    cfg = cfg or make_config()
    if ratings is None:
        ratings = pd.concat([own_ratings(), comp_ratings("RivalA", "direct", seed=3),
                             comp_ratings("RivalB", "direct", seed=4),
                             comp_ratings("Newbie", "new_entrant", sens=3.5, seed=5)], ignore_index=True)
    return ClientData(cfg, ratings, feedback, touchpoints, {"waves": list(waves)})


@pytest.fixture()
def data():
    return make_data()


# ---------------------------------------------------------------------------------------------
# helpers and loyalty groups
# ---------------------------------------------------------------------------------------------


def test_loyalty_groups_nps_and_terciles():
    g = world.loyalty_groups(pd.Series([10, 9, 8, 7, 6, 0, np.nan]), "nps")
    assert g.tolist()[:6] == ["promoters", "promoters", "passives", "passives", "detractors", "detractors"]
    assert pd.isna(g.iloc[6])
    assert list(g.cat.categories) == ["promoters", "passives", "detractors"]
    t = world.loyalty_groups(pd.Series([1.0, 2, 3, 4, 5, 6]), "terciles")
    assert t.tolist() == ["low", "low", "medium", "medium", "high", "high"]
    ties = world.loyalty_groups(pd.Series([5.0] * 6), "terciles")  # no spread: nobody is low or high
    assert set(ties.dropna()) == {"medium"}
    with pytest.raises(ValueError):
        world.loyalty_groups(pd.Series([1.0]), "quartiles")


def test_loyalty_construct_prefers_nps_then_named_outcome():
    assert world.loyalty_construct(make_config()) == ("ltr", "nps")
    cfg = make_config(nps=None, constructs={"sens": {"items": ["sens"]}, "loyalty": {"items": ["loy"]},
                                            "sat": {"items": ["sat"]}},
                      drivers=["sens"], outcomes=["sat", "loyalty"])
    assert world.loyalty_construct(cfg) == ("loyalty", "terciles")
    cfg = make_config(nps=None, outcomes=["sat"])
    assert world.loyalty_construct(cfg) == (None, None)


def test_main_outcome_and_segment_constructs():
    cfg = make_config()
    assert world.main_outcome(cfg) == "sat"
    assert world.segment_constructs(cfg) == ["sat", "ltr", "sens", "use"]


# ---------------------------------------------------------------------------------------------
# 1. who the customer is
# ---------------------------------------------------------------------------------------------


def test_segment_sizes_are_wilson_shares(data):
    sizes = world.segment_sizes(data)
    assert list(sizes.columns) == ["segment", "segment_label", "level", "n", "count", "share", "ci_low", "ci_high"]
    usage = sizes[sizes["segment"] == "usage"].set_index("level")
    assert usage["count"].sum() == 60 and usage.loc["daily", "share"] == pytest.approx(1 / 3)
    lo, hi = stats.proportion_ci(20, 60)
    assert usage.loc["daily", "ci_low"] == pytest.approx(lo) and usage.loc["daily", "ci_high"] == pytest.approx(hi)
    # the loyalty group is derived from the NPS question and labelled as such
    loyal = sizes[sizes["segment"] == world.LOYALTY]
    assert list(loyal["level"]) == ["promoters", "passives", "detractors"]
    assert "promoters" in loyal["segment_label"].iloc[0]
    # only own-brand rows count
    assert int(loyal["n"].iloc[0]) == 60


def test_segment_profiles_means(data):
    prof = world.segment_profiles(data)
    own = data.own
    row = prof[(prof["segment"] == "usage") & (prof["construct"] == "sens") & (prof["level"] == "daily")].iloc[0]
    assert row["mean"] == pytest.approx(own.loc[own["usage"] == "daily", "sens"].mean())
    assert row["ci_low"] < row["mean"] < row["ci_high"]
    assert row["role"] == "driver" and row["scale_max"] == 7
    assert set(prof["role"]) == {"outcome", "driver"}


def test_segment_tests_and_pairs_find_planted_gap(data):
    tests = world.segment_tests(data)
    hit = tests[(tests["segment"] == "usage") & (tests["construct"] == "sens")].iloc[0]
    assert hit["significant"] and hit["p_corr"] >= hit["p_unc"] and hit["omega2"] > 0.3
    # loyalty groups are never tested on the construct they are formed from
    assert tests[(tests["segment"] == world.LOYALTY) & (tests["construct"] == "ltr")].empty
    pairs = world.segment_pairs(data, tests)
    # only significant tests are followed up
    followed = set(zip(pairs["segment"], pairs["construct"]))
    assert followed <= set(zip(tests.loc[tests["significant"], "segment"], tests.loc[tests["significant"], "construct"]))
    dr = pairs[(pairs["construct"] == "sens") & (pairs["A"] == "daily") & (pairs["B"] == "rare")].iloc[0]
    assert dr["diff"] == pytest.approx(2.0, abs=0.5) and dr["ci_low"] > 0 and dr["significant"]


def test_segment_finding_names_top_level_with_interval(data):
    sizes, prof = world.segment_sizes(data), world.segment_profiles(data)
    tests = world.segment_tests(data)
    pairs = world.segment_pairs(data, tests)
    gap = world.segment_gap(prof, tests, pairs)
    assert (gap["segment"], gap["construct"], gap["top"], gap["bottom"]) == ("usage", "sens", "daily", "rare")
    f = world.segment_finding(prof, tests, pairs, None, sizes, headline=True)
    assert f["key"] == "segment_difference" and f["headline"] is True
    assert f["value"] == pytest.approx(gap["diff"]) and f["ci"][0] > 0
    assert "'Daily'" in f["text"] and "'Rare'" in f["text"] and "Usage frequency" in f["text"]  # levels in words
    assert f"{abs(gap['diff']):.2f} points above" in f["text"] and "95% CI" in f["text"]


def test_segment_finding_without_difference_says_so():
    cfg = make_config()
    r = own_ratings(gap=0.0, seed=11)
    d = make_data(cfg, r)
    prof, tests = world.segment_profiles(d), world.segment_tests(d)
    pairs = world.segment_pairs(d, tests)
    f = world.segment_finding(prof, tests, pairs, "sat")
    assert f["key"] == "segment_sat"
    if not tests[(tests["construct"] == "sat") & (tests["segment"] != world.LOYALTY)]["significant"].any():
        assert f["text"].startswith("No segment differs significantly on Sat")
        assert f["ci"] is None


def test_segments_skip_without_segments_or_loyalty():
    cfg = make_config(segments=None, nps=None, outcomes=["sat"])
    d = make_data(cfg)
    assert world.segment_columns(d) == {}
    assert world.segment_sizes(d) is None and world.segment_tests(d) is None
    assert "segment" in world.CustomerSegments().skip_reason(d, Settings())
    f = world.segment_finding(None, None, None, "sat")
    assert f["value"] is None and "No segment could be compared" in f["text"]


# ---------------------------------------------------------------------------------------------
# 2. layers
# ---------------------------------------------------------------------------------------------


def test_layer_scores_pomp_and_missing(data):
    scores = world.layer_scores(data)
    assert list(scores["layer"]) == ["usage", "brand"]  # declared layer order, not construct order
    s = scores.set_index("construct").loc["sens"]
    assert s["pomp"] == pytest.approx(100 * (s["mean"] - 1) / 6)
    assert world.missing_layers(data.config) == ["context", "category"]
    cov = world.layer_coverage(data.config)
    assert cov["measured"].tolist() == [False, True, False, True]
    f = world.layer_finding(scores, world.missing_layers(data.config))
    assert "Not measured: sociocultural / business context and product category" in f["text"]
    assert f["key"] == "layer_top" and f["value"] == pytest.approx(scores["pomp"].max())


def test_layer_scores_by_wave_and_changes():
    r = own_ratings(n=120, waves=("W1", "W2"))
    r.loc[r["wave"] == "W2", "use"] += 1.0
    d = make_data(ratings=r, waves=("W1", "W2"))
    bw = world.layer_scores(d, by_wave=True)
    assert list(bw["wave"].unique()) == ["W1", "W2"] and len(bw) == 4
    ch = world.layer_changes(d)
    use = ch[ch["construct"] == "use"].iloc[0]
    assert use["diff"] == pytest.approx(1.0, abs=0.3) and use["significant"]
    assert "Use +" in world.layer_finding(world.layer_scores(d), [], ch)["text"]
    assert world.layer_changes(make_data()) is None  # one wave


def test_layers_skip_without_layered_constructs():
    cfg = make_config(constructs={"sens": {"items": ["sens"]}, "use": {"items": ["use"]},
                                  "sat": {"items": ["sat"], "scale": [1, 10]},
                                  "ltr": {"items": ["ltr"], "scale": [0, 10]}})
    d = make_data(cfg)
    assert world.layer_scores(d) is None
    assert "layer" in world.ExperientialLayers().skip_reason(d, Settings())
    assert "All four layers" not in world.layer_finding(None, world.missing_layers(cfg))["text"]


# ---------------------------------------------------------------------------------------------
# 3. journey
# ---------------------------------------------------------------------------------------------


def touchpoints_frame(with_time=True):
    rows = [  # respondent, stage, satisfaction, effort, time
        ("A", "purchase", 2, 6, "2026-01-02"), ("A", "awareness", 4, 2, "2026-01-01"),
        ("A", "purchase", 4, 4, "2026-01-03"),  # A: purchase mean 3 (respondent-level)
        ("B", "awareness", 5, 1, "2026-01-01"), ("B", "usage", 5, 2, "2026-01-05"),
        ("C", "awareness", 3, 3, "2026-01-01"), ("C", "purchase", 4, 5, "2026-01-02"),
        ("C", "disposal", 4, 3, "2026-01-09"),
        ("D", "usage", 4, 2, "2026-01-04"), ("D", "awareness", 3, 3, "2026-01-06"),  # last by time: awareness
    ]
    tp = pd.DataFrame(rows, columns=["respondent", "stage", "satisfaction", "effort", "time"])
    tp.insert(0, "row", np.arange(1, len(tp) + 1))
    tp["touchpoint"] = tp["stage"] + "_tp"
    tp["satisfaction"] = tp["satisfaction"].astype(float)
    tp["effort"] = tp["effort"].astype(float)
    tp["time"] = pd.to_datetime(tp["time"])
    return tp if with_time else tp.drop(columns="time")


def journey_config():
    return make_config(touchpoints={"file": "tp.csv", "id": "id", "touchpoint": "tp", "stage": "stage",
                                    "satisfaction": "sat", "effort": "eff", "time": "ts", "scale": [1, 5],
                                    "effort_scale": [1, 7]})


def test_journey_stages_reach_satisfaction_dropout():
    d = make_data(journey_config(), touchpoints=touchpoints_frame())
    st = world.journey_stages(d)
    assert list(st["stage"].drop_duplicates()) == ["awareness", "purchase", "usage", "disposal"]
    assert list(st[st["stage"] == "awareness"]["measure"]) == ["reach", "satisfaction", "effort", "dropout"]
    get = st.set_index(["stage", "measure"])
    assert get.loc[("awareness", "reach"), "estimate"] == pytest.approx(1.0)
    assert get.loc[("purchase", "reach"), "count"] == 2 and get.loc[("purchase", "reach"), "n"] == 4
    # respondent-level averaging: A's two purchase events count once (mean 3), C's once (4)
    assert get.loc[("purchase", "satisfaction"), "estimate"] == pytest.approx(3.5)
    assert get.loc[("purchase", "satisfaction"), "n"] == 2
    # furthest stage: A purchase, B usage, C disposal (completed), D usage; drop-out among those reaching a stage
    assert get.loc[("awareness", "dropout"), "estimate"] == pytest.approx(0.0)
    assert get.loc[("awareness", "dropout"), "n"] == 4
    assert (get.loc[("purchase", "dropout"), "count"], get.loc[("purchase", "dropout"), "n"]) == (1, 2)
    assert get.loc[("purchase", "dropout"), "estimate"] == pytest.approx(0.5)
    assert get.loc[("usage", "dropout"), "estimate"] == pytest.approx(1.0)  # B and D go no further
    lo, hi = stats.proportion_ci(2, 2)
    assert get.loc[("usage", "dropout"), "ci_low"] == pytest.approx(lo)
    # the final stage is completion, not drop-out
    assert ("disposal", "dropout") not in get.index
    assert list(st[st["stage"] == "disposal"]["measure"]) == ["reach", "satisfaction", "effort"]
    assert get.loc[("usage", "satisfaction"), "scale_max"] == 5
    wide = world.journey_table(st)
    assert list(wide["stage"]) == ["awareness", "purchase", "usage", "disposal"] and wide["n"].iloc[0] == 4


def test_journey_dropout_is_leaving_before_the_next_stage():
    # D's last contact by time is awareness, but D reached usage: D left the journey after usage, not
    # after awareness, so the order of contacts in time does not change drop-out
    timed = world.journey_stages(make_data(journey_config(), touchpoints=touchpoints_frame()))
    untimed = world.journey_stages(make_data(journey_config(), touchpoints=touchpoints_frame(with_time=False)))
    pd.testing.assert_frame_equal(timed[timed["measure"] == "dropout"], untimed[untimed["measure"] == "dropout"])
    drop = untimed[untimed["measure"] == "dropout"].set_index("stage")
    assert drop.loc["awareness", "estimate"] == pytest.approx(0.0)
    assert drop.loc["usage", "estimate"] == pytest.approx(1.0)
    # every customer either drops out at one stage or completes the journey
    reach = untimed[untimed["measure"] == "reach"]
    assert drop["count"].sum() + reach["count"].iloc[-1] == reach["n"].iloc[0]
    f = world.journey_finding(untimed)
    assert "the largest drop-out is at Usage: 100% of the 2 customers who reach it go no further" in f["text"]
    assert "Disposal:" not in f["text"]


def test_journey_finding_names_weakest_stage():
    d = make_data(journey_config(), touchpoints=touchpoints_frame())
    f = world.journey_finding(world.journey_stages(d))
    assert "satisfaction is lowest at Purchase (mean 3.50 on 1–5" in f["text"]
    assert f["value"] == pytest.approx(3.5) and f["key"] == "journey_low_stage"
    assert f["text"].startswith("Reach runs from 100% of customers at Awareness")


def test_journey_skips():
    assert world.journey_stages(make_data()) is None
    assert "no touchpoint file" in world.JourneyStages().skip_reason(make_data(), Settings())
    nostage = touchpoints_frame().drop(columns="stage")
    d = make_data(make_config(touchpoints={"file": "tp.csv", "id": "id", "touchpoint": "tp", "satisfaction": "s"}),
                  touchpoints=nostage)
    assert world.journey_stages(d) is None and "stage" in world.JourneyStages().skip_reason(d, Settings())


# ---------------------------------------------------------------------------------------------
# 4. competitive landscape
# ---------------------------------------------------------------------------------------------


def test_brand_profiles_brands_and_kinds(data):
    prof = world.brand_profiles(data)
    sens = prof[prof["construct"] == "sens"]
    assert list(sens["level"]) == ["Own", "RivalA", "RivalB", "Newbie", "All direct competitors"]
    kind = sens[sens["level_type"] == "kind"].iloc[0]
    assert kind["n"] == 60 and kind["brand_kind"] == "direct"  # new_entrant has one brand: no kind row
    pooled = data.ratings.loc[data.ratings["brand_kind"] == "direct", "sens"].mean()
    assert kind["mean"] == pytest.approx(pooled)


def test_brand_tests_holm_across_everything(data):
    t = world.brand_tests(data)
    assert len(t) == 4 * 5  # 4 constructs x (3 brands + 1 kind + all competitors pooled)
    assert set(t["comparison"]) == {"brand", "kind", "all competitors"}
    raw = stats.adjust_pvalues(t[["p_unc"]], "p_unc", "holm")
    assert np.allclose(t["p_corr"], raw["p_corr"])
    # the interval is adjusted for multiple comparisons: it excludes 0 exactly when the Holm verdict says so
    excludes = (t["ci_low"] > 0) | (t["ci_high"] < 0)
    assert (excludes == t["significant"]).all()
    a = t[(t["construct"] == "sens") & (t["competitor"] == "RivalA")].iloc[0]
    own = data.own["sens"].mean()
    assert a["diff"] == pytest.approx(own - data.ratings.loc[data.ratings["brand"] == "RivalA", "sens"].mean())
    assert a["mean_own"] == pytest.approx(own) and a["significant"] and a["brand_kind"] == "direct"


def test_brand_advantages_and_finding(data):
    t = world.brand_tests(data)
    adv = world.brand_advantages(t)
    top = adv.iloc[0]
    assert top["construct"] == "sens" and top["advantage"] and top["n_competitors"] == 3
    assert top["closest_competitor"] == "Newbie"
    f = world.competitive_finding(t, "Own")
    assert f["text"].startswith("Own is rated significantly higher than all 3 competitors on Sens")
    assert f["key"] == "brand_advantage" and f["headline"]
    assert f["value"] == pytest.approx(top["min_diff"]) and f["ci"][0] > 0


def test_competitive_finding_without_advantage():
    r = pd.concat([own_ratings(), comp_ratings("RivalA", "direct", sens=4.0, seed=3)], ignore_index=True)
    d = make_data(make_config(competitors=[{"name": "RivalA", "kind": "direct"}]), r)
    f = world.competitive_finding(world.brand_tests(d), "Own")
    assert ("does not lead every competitor" in f["text"] or "higher than all 1 competitors" in f["text"]
            or "is not significantly ahead of any competitor on any construct" in f["text"])


def test_competition_skips_without_competitors():
    d = make_data(ratings=own_ratings())
    assert world.brand_profiles(d) is None and world.brand_tests(d) is None
    assert "competitor" in world.CompetitiveLandscape().skip_reason(d, Settings())
    assert world.competitive_finding(None, "Own")["value"] is None


# ---------------------------------------------------------------------------------------------
# 5. what customers say
# ---------------------------------------------------------------------------------------------


def feedback_frame():
    texts = ["Great coffee, lovely staff!", "Terrible wait, awful app.", "It was fine.",
             "<script>alert(1)</script> awful, mail me at jo.doe@example.com", "Wonderful barista, great smile",
             "Bad app, terrible crash", "Love it", "The app is horrible and slow"]
    comp = [0.8, -0.7, 0.0, -0.6, 0.85, -0.75, 0.6, -0.65]
    fb = pd.DataFrame({"row": np.arange(1, 9), "respondent": ["R0", "R1", "R2", "R3", "R4", "R5", "R6", "X9"],
                       "wave": "W1", "brand": ["Own"] * 7 + ["RivalA"], "touchpoint":
                       ["store", "app", "store", "app", "store", "app", "store", "app"], "text": texts,
                       "compound": comp, "pos": 0.0, "neu": 0.0, "neg": 0.0})
    return fb


def test_feedback_frame_joins_segments_and_polarity(data):
    d = make_data(feedback=feedback_frame())
    fb = world.feedback_frame(d)
    assert len(fb) == 7  # the RivalA comment is left out
    assert fb["polarity"].tolist()[:3] == ["positive", "negative", "neutral"]
    own = data.own.set_index("respondent")
    assert fb.loc[fb["respondent"] == "R1", "usage"].iloc[0] == own.loc["R1", "usage"]
    assert world.LOYALTY in fb.columns


def test_sentiment_summary_shares():
    d = make_data(feedback=feedback_frame())
    s = world.sentiment_summary(d)
    a = s[s["dimension"] == "all"].iloc[0]
    assert a["n"] == 7 and a["share_positive"] == pytest.approx(3 / 7) and a["share_negative"] == pytest.approx(3 / 7)
    lo, hi = stats.proportion_ci(3, 7)
    assert a["positive_low"] == pytest.approx(lo) and a["negative_high"] == pytest.approx(hi)
    app = s[(s["dimension"] == "touchpoint") & (s["level"] == "app")].iloc[0]
    assert app["compound"] == pytest.approx(np.mean([-0.7, -0.6, -0.75])) and app["share_negative"] == 1.0
    assert "usage" in set(s["dimension"])
    f = world.feedback_finding(s)
    assert f["text"].startswith("Of 7 comments on the own brand, 43% are positive")
    assert f["value"] == pytest.approx(3 / 7)


def test_representative_quotes_are_masked_and_escaped():
    d = make_data(feedback=feedback_frame())
    q = world.representative_quotes(d, n=3)
    assert list(q.columns) == ["polarity", "rank", "touchpoint", "compound", "quote"]
    assert (q.groupby("polarity").size() == 3).all()
    joined = " ".join(q["quote"])
    assert "<script>" not in joined and "jo.doe@example.com" not in joined
    assert "&lt;script&gt;" in joined and "[email]" in joined
    html_out = world.quotes_html(q)
    assert "<script>" not in html_out and html_out.count("<blockquote>") == 6
    # typical, not extreme: the positive quote closest to the positive median comes first
    pos = q[q["polarity"] == "positive"]
    assert pos["compound"].iloc[0] == pytest.approx(0.8)


def test_feedback_skips():
    d = make_data()
    for f in (world.feedback_frame, world.sentiment_summary, world.feedback_terms, world.representative_quotes):
        assert f(d) is None
    assert "feedback" in world.WhatCustomersSay().skip_reason(d, Settings())
    assert world.quotes_html(None).startswith("<p>")
    # feedback that holds only competitor comments is no feedback on the own brand
    only_rival = feedback_frame().assign(brand="RivalA")
    assert "no comments about the client's own brand" in world.WhatCustomersSay().skip_reason(
        make_data(feedback=only_rival), Settings())


def test_sample_overview(data):
    ov = world.sample_overview(data)
    assert list(ov["brand"]) == ["Own", "RivalA", "RivalB", "Newbie"] and ov["n"].sum() == len(data.ratings)


# ---------------------------------------------------------------------------------------------
# the notebook
# ---------------------------------------------------------------------------------------------


def test_notebook_sections_match_findings_titles_and_ipynb_is_clean():
    py = (NOTEBOOK.with_suffix(".py")).read_text(encoding="utf-8")
    headings = re.findall(r"^# ## (.+)$", py, flags=re.M)
    # every section but the data overview (shown above the first heading) has the heading of its title
    assert headings == [s.title for s in CORE_SECTIONS if not isinstance(s, world.SampleOverview)]
    nb = json.loads(NOTEBOOK.with_suffix(".ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert nb["cells"][0]["cell_type"] == "markdown"
    # .py and .ipynb carry the same code
    py_code = [c.strip() for c in re.split(r"^# %%.*$", py, flags=re.M)[1:] if c.strip() and not c.strip().startswith("# ")]
    assert [("".join(c["source"])).strip() for c in code] == py_code
    # the parameters cell carries the shared settings; each section runs once, in report order
    params = "".join(code[0]["source"])
    for name in ("client", "raw_root", "wave", "n_boot", "seed", "confidence"):
        assert re.search(rf"^{name} = ", params, flags=re.M), name
    runs = re.findall(r"world\.(\w+)\(\)\.run\(data, settings\)", py)
    assert runs == [s.key for s in world.SECTIONS]


# ---------------------------------------------------------------------------------------------
# the sections
# ---------------------------------------------------------------------------------------------


def test_sections_of_step_one_in_report_order():
    assert [s.key for s in CORE_SECTIONS] == ["SampleOverview", "CustomerSegments", "ExperientialLayers",
                                               "JourneyStages", "CompetitiveLandscape", "WhatCustomersSay"]
    assert {s.step for s in CORE_SECTIONS} == {1}
    assert world.CustomerSegments.title == "Who the customer is"


def _bare_data():
    """A client with survey ratings of the own brand only: no segments, layers, touchpoints, rivals or comments."""
    cfg = make_config(segments=None, nps=None, outcomes=["sat"],
                      constructs={"sens": {"items": ["sens"]}, "use": {"items": ["use"]},
                                  "sat": {"items": ["sat"], "scale": [1, 10]}, "ltr": {"items": ["ltr"]}})
    return make_data(cfg, own_ratings())


def test_sections_skip_with_one_line_reasons_when_the_data_are_missing():
    d, settings = _bare_data(), Settings()
    reasons = {s.key: s.skip_reason(d, settings) for s in CORE_SECTIONS}
    assert reasons.pop("SampleOverview") is None
    assert set(reasons) == {"CustomerSegments", "ExperientialLayers", "JourneyStages", "CompetitiveLandscape",
                            "WhatCustomersSay"}
    for key, reason in reasons.items():
        assert isinstance(reason, str) and reason.strip() and "\n" not in reason, key
    assert "segment" in reasons["CustomerSegments"] and "layer" in reasons["ExperientialLayers"]
    assert "touchpoint" in reasons["JourneyStages"] and "competitor" in reasons["CompetitiveLandscape"]
    assert "feedback" in reasons["WhatCustomersSay"]
    for s in CORE_SECTIONS[1:]:
        assert s.result(d, settings) is None, s.key
    assert world.SampleOverview().result(d, settings)["n"].sum() == len(d.ratings)


def _kinds(shown):
    assert all(isinstance(item, Shown) for item in shown)
    return [item.kind for item in shown]


def _close(shown):
    import matplotlib.pyplot as plt

    for item in shown:
        if item.kind == "figure":
            assert item.caption and not item.caption.startswith("<Figure")  # descriptive alt text
            plt.close(item.content)


def test_segments_section_result_findings_and_shown(data):
    settings = Settings()
    sec = world.CustomerSegments()
    res = sec.result(data, settings)
    assert isinstance(res, world.SegmentResult) and res is sec.result(data, settings)  # computed once
    pd.testing.assert_frame_equal(res.sizes, world.segment_sizes(data))
    pd.testing.assert_frame_equal(res.tests, world.segment_tests(data))
    pd.testing.assert_frame_equal(res.pairs, world.segment_pairs(data, res.tests))
    found = sec.findings(res, data, settings)
    # first on the main outcome, then on any construct (a headline when significant: the planted gap is)
    assert [f["key"] for f in found] == [f"segment_{data.main_outcome}", "segment_difference"]
    assert found[1] == world.segment_finding(res.profiles, res.tests, res.pairs, None, res.sizes, headline="auto")
    assert found[1]["headline"] is True
    shown = sec.present(res, data, settings)
    # single-item constructs only: no reliability table
    assert _kinds(shown) == ["table", "table", "figure", "table", "table", "figure"]
    assert shown[0].caption == "Segment sizes among own-brand respondents (share with Wilson 95% CI)"
    assert list(shown[0].content.columns) == ["segment_label", "level", "count", "n", "share", "ci_low", "ci_high"]
    assert "role" not in shown[1].content and set(shown[1].content["label"]) == {"Sat", "Ltr"}  # outcomes only
    assert "Usage frequency" in shown[-1].caption
    _close(shown)


def test_segments_section_takes_the_reliability_threshold_from_settings():
    d = _reliability_data()
    sec = world.CustomerSegments()
    default = sec.result(d, Settings())
    strict = sec.result(d, Settings(reliability_threshold=0.99))
    assert default.reliability.set_index("level")["unreliable"].to_dict() == {"daily": False, "rare": True,
                                                                              "weekly": False}
    assert strict.reliability["unreliable"].all()
    exp = strict.tests[strict.tests["construct"] == "exp"].iloc[0]
    assert exp["unreliable_in"] == "daily, rare, weekly"
    text = sec.findings(strict, d, Settings(reliability_threshold=0.99))[1]["text"]
    assert "below .99" in text and "below .70" not in text
    grid = next(i for i in sec.present(strict, d, Settings(reliability_threshold=0.99)) if "Reliability" in i.caption)
    assert "below .99" in grid.caption and "\u26a0 in daily, rare, weekly" in grid.content.iloc[0, 1]
    _close(sec.present(default, d, Settings()))


def test_layers_section_with_two_waves():
    r = own_ratings(n=120, waves=("W1", "W2"))
    r.loc[r["wave"] == "W2", "use"] += 1.0
    d = make_data(ratings=r, waves=("W1", "W2"))
    sec, settings = world.ExperientialLayers(), Settings()
    res = sec.result(d, settings)
    assert res.missing == ("context", "category")
    pd.testing.assert_frame_equal(res.scores_by_wave, world.layer_scores(d, by_wave=True))
    pd.testing.assert_frame_equal(res.changes, world.layer_changes(d))
    (f,) = sec.findings(res, d, settings)
    assert f == world.layer_finding(res.scores, ["context", "category"], res.changes)
    shown = sec.present(res, d, settings)
    assert _kinds(shown) == ["table", "table", "figure", "figure", "table"]
    assert shown[0].caption == "Schmitt's four experiential layers: measured by this client?"
    assert "one colour per survey wave" in shown[3].caption
    _close(shown)
    one_wave = sec.result(make_data(), settings)  # one wave: no change table, no per-wave figure
    assert one_wave.scores_by_wave is None and one_wave.changes is None
    shown = sec.present(one_wave, make_data(), settings)
    assert _kinds(shown) == ["table", "table", "figure"]
    _close(shown)


def test_journey_section():
    d = make_data(journey_config(), touchpoints=touchpoints_frame())
    sec, settings = world.JourneyStages(), Settings()
    res = sec.result(d, settings)
    pd.testing.assert_frame_equal(res, world.journey_stages(d))
    (f,) = sec.findings(res, d, settings)
    assert f["key"] == "journey_low_stage" and f["value"] == pytest.approx(3.5)
    shown = sec.present(res, d, settings)
    assert _kinds(shown) == ["table", "figure"]
    assert list(shown[0].content["stage"]) == ["Awareness", "Purchase", "Usage", "Disposal"]  # in words, in order
    assert list(res["stage"].drop_duplicates()) == ["awareness", "purchase", "usage", "disposal"]  # the result: ids
    assert "reach" in shown[0].options["percent"]
    _close(shown)


def test_competition_section_states_intervals_at_the_settings_confidence(data):
    sec = world.CompetitiveLandscape()
    res95, res90 = sec.result(data, Settings()), sec.result(data, Settings(confidence=0.90))
    pd.testing.assert_frame_equal(res95.advantages, world.brand_advantages(world.brand_tests(data)))
    width = lambda r: (r.tests["ci_high"] - r.tests["ci_low"]).to_numpy()  # noqa: E731
    assert (width(res90) < width(res95)).all()
    (f95,) = sec.findings(res95, data, Settings())
    (f90,) = sec.findings(res90, data, Settings(confidence=0.90))
    assert f95 == world.competitive_finding(res95.tests, "Own")
    assert "90% CI" in f90["text"] and "95% CI" not in f90["text"]
    assert f90["ci"][1] - f90["ci"][0] < f95["ci"][1] - f95["ci"][0]
    shown = sec.present(res95, data, Settings())
    assert _kinds(shown) == ["figure", "table", "table"]
    assert shown[2].content["significant"].all() and "T" not in shown[2].content
    _close(shown)


def test_feedback_section_shows_quotes_as_html():
    from IPython.core.formatters import format_display_data

    d = make_data(feedback=feedback_frame())
    sec, settings = world.WhatCustomersSay(), Settings()
    res = sec.result(d, settings)
    pd.testing.assert_frame_equal(res.summary, world.sentiment_summary(d))
    (f,) = sec.findings(res, d, settings)
    assert f["key"] == "share_negative" and f["value"] == pytest.approx(3 / 7)
    shown = sec.present(res, d, settings)
    assert _kinds(shown) == ["table", "figure", "table", "markdown"]
    quotes = shown[-1].content
    assert quotes == world.quotes_html(res.quotes) and "<script>" not in quotes
    formats, _ = format_display_data(quotes)
    assert formats["text/html"] == str(quotes) and "text/markdown" not in formats
    _close(shown)


def test_figure_builders_follow_the_axes_and_figure_conventions(data):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cem_research.present.plots import world as world_plots

    prof, tests = world.segment_profiles(data), world.segment_tests(data)
    gap = world.segment_gap(prof, tests, world.segment_pairs(data, tests))
    fig, ax = plt.subplots()
    assert world_plots.segment_gap_chart(prof, gap, ax=ax) is ax
    assert "95% CI" in ax.get_title() and "[" not in ax.get_title()
    assert world_plots.layer_chart(world.layer_scores(data), ax=ax) is ax
    assert isinstance(world_plots.layer_chart(world.layer_scores(data)), Axes)
    assert isinstance(world_plots.segment_figure(world.segment_sizes(data), prof, "sat"), Figure)
    assert isinstance(world_plots.competitive_figure(world.brand_profiles(data)), Figure)
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# planted truth on the demo clients
# ---------------------------------------------------------------------------------------------


def _client_folder(name: str, tmp: Path) -> Path:
    """The committed demo/test client, or the same seeded client generated into ``tmp``."""
    for root in (REPO / "data" / "raw", REPO / "tests" / "fixtures"):
        if (root / name / "client.yaml").is_file() and (root / name / "truth.json").is_file():
            return root / name
    from datasets import demo

    if name == "tiny_client":
        return demo.write_tiny_client(tmp)
    return demo.generate_client(name, tmp)


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory):
    """A throw-away project folder holding the demo clients, so processing never writes to data/."""
    root = tmp_path_factory.mktemp("world_project")
    gen = tmp_path_factory.mktemp("world_generated")
    (root / "notebooks").mkdir()
    for name in ("coffee_house", "hotel_group", "tiny_client"):
        shutil.copytree(_client_folder(name, gen), root / "data" / "raw" / name)
    old = os.environ.get("CEM_PROJECT_ROOT")
    os.environ["CEM_PROJECT_ROOT"] = str(root)
    yield root
    if old is None:
        os.environ.pop("CEM_PROJECT_ROOT", None)
    else:
        os.environ["CEM_PROJECT_ROOT"] = old


def _load(root: Path, name: str):
    from cem_research.client.data import load_client

    truth = json.loads((root / "data" / "raw" / name / "truth.json").read_text())
    return load_client(name, raw_root=root / "data" / "raw"), truth


def test_recovers_planted_segment_difference(demo_project):
    d, truth = _load(demo_project, "coffee_house")
    planted = truth["segment_difference"]
    prof, tests = world.segment_profiles(d), world.segment_tests(d)
    pairs = world.segment_pairs(d, tests)
    gap = world.segment_gap(prof, tests, pairs)
    assert (gap["segment"], gap["construct"]) == (planted["segment"], planted["construct"])
    assert (gap["top"], gap["bottom"]) == (planted["higher"], planted["lower"])
    assert gap["significant"] and gap["ci"][0] > 0
    f = world.segment_finding(prof, tests, pairs, None, world.segment_sizes(d), headline=True)
    assert f"'{planted['higher'].capitalize()}'" in f["text"] and f["ci"][0] > 0  # the level in words


def test_recovers_planted_brand_advantage(demo_project):
    d, truth = _load(demo_project, "coffee_house")
    construct = truth["brand_advantage"]["construct"]
    tests = world.brand_tests(d)
    b = tests[(tests["comparison"] == "brand") & (tests["construct"] == construct)]
    assert len(b) == len(d.config.competitors)
    assert (b["significant"] & (b["diff"] > 0)).all()
    adv = world.brand_advantages(tests).set_index("construct")
    assert adv.loc[construct, "advantage"]
    f = world.competitive_finding(tests, d.config.brand)
    assert f"on {d.config.constructs[construct].title}" in f["text"] and f["ci"][0] > 0
    gap = truth["brand_gap"]  # and the planted weakness against one competitor
    g = tests[(tests["construct"] == gap["construct"]) & (tests["competitor"] == gap["competitor"])].iloc[0]
    assert g["significant"] and g["diff"] < 0


def test_tiny_client_journey_in_contract_order(demo_project):
    d, truth = _load(demo_project, "tiny_client")
    st = world.journey_stages(d)
    assert list(st["stage"].drop_duplicates()) == list(d.config.journey)
    assert st["stage_order"].is_monotonic_increasing
    reach = st[st["measure"] == "reach"]
    assert ((reach["estimate"] >= 0) & (reach["estimate"] <= 1)).all()
    drop = st[st["measure"] == "dropout"]
    assert set(drop["stage"]) == set(d.config.journey[:-1])  # the final stage is completion, not drop-out
    assert ((drop["count"] <= drop["n"]) & (drop["n"] == reach["count"].iloc[:-1].to_numpy())).all()
    # every customer's journey ends somewhere: at a drop-out stage or at the final stage
    assert drop["count"].sum() + reach["count"].iloc[-1] == reach["n"].iloc[0]
    worst_stage = d.touchpoints.loc[d.touchpoints["touchpoint"] == truth["worst_touchpoint"], "stage"].iloc[0]
    sat = st[st["measure"] == "satisfaction"]
    assert worst_stage in set(sat.nsmallest(2, "estimate")["stage"])
    for section in CORE_SECTIONS:
        assert section.skip_reason(d, Settings()) is None, section.key


def test_hotel_group_skips_touchpoints_and_feedback(demo_project):
    d, _ = _load(demo_project, "hotel_group")
    assert world.journey_stages(d) is None and world.JourneyStages().skip_reason(d, Settings())
    assert world.sentiment_summary(d) is None and world.feedback_terms(d) is None
    assert world.representative_quotes(d) is None and world.WhatCustomersSay().skip_reason(d, Settings())
    # survey-only, but competitors are in the brand column
    assert world.brand_tests(d) is not None and world.CompetitiveLandscape().skip_reason(d, Settings()) is None


def test_survey_weights_are_used_where_supported():
    r = own_ratings()
    r["weight"] = np.where(r["usage"] == "daily", 2.0, 1.0)
    d = make_data(ratings=r)
    assert d.weight == "weight"
    sizes = world.segment_sizes(d)
    daily = sizes[(sizes["segment"] == "usage") & (sizes["level"] == "daily")].iloc[0]
    assert daily["share"] == pytest.approx(0.5) and daily["count"] == 20
    prof = world.segment_profiles(d)
    row = prof[(prof["segment"] == world.LOYALTY) & (prof["construct"] == "sens") & (prof["level"] == "promoters")]
    prom = r[r["ltr"] >= 9]
    assert row["mean"].iloc[0] == pytest.approx(np.average(prom["sens"], weights=prom["weight"]))
    tests = world.segment_tests(d)
    pairs = world.segment_pairs(d, tests)
    assert pairs is not None and (pairs["construct"] == "sens").any()


def test_segment_finding_auto_headline_only_when_significant(data):
    prof, tests = world.segment_profiles(data), world.segment_tests(data)
    pairs = world.segment_pairs(data, tests)
    assert world.segment_finding(prof, tests, pairs, None, headline="auto")["headline"] is True
    d = make_data(ratings=own_ratings(gap=0.0, seed=11))
    prof, tests = world.segment_profiles(d), world.segment_tests(d)
    f = world.segment_finding(prof, tests, world.segment_pairs(d, tests), "sat", headline="auto")
    assert f["headline"] is (f["ci"] is not None)


# ---------------------------------------------------------------------------------------------
# comparable before compared: reliability within segment levels
# ---------------------------------------------------------------------------------------------


def _reliability_data(seed=6, n=90):
    """A 3-item construct 'exp' that is reliable among 'daily' and 'weekly' users and noise among 'rare'."""
    rng = np.random.default_rng(seed)
    usage = np.array(["daily", "rare", "weekly"] * (n // 3))
    f = rng.normal(size=n)
    good = usage != "rare"
    items = {f"e{i}": np.clip(np.round(4 + np.where(good, f + 0.5 * rng.normal(size=n), 1.5 * rng.normal(size=n))),
                              1, 7) for i in range(3)}
    r = pd.DataFrame({"source": "survey", "row": np.arange(2, n + 2), "respondent": [f"R{i}" for i in range(n)],
                      "wave": "W1", "brand": "Own", "brand_kind": "own", "usage": usage, **items,
                      "sat": rng.normal(7, 1, n).clip(1, 10)})
    r["exp"] = r[["e0", "e1", "e2"]].mean(axis=1)
    cfg = make_config(constructs={"exp": {"items": ["e0", "e1", "e2"]}, "sat": {"items": ["sat"], "scale": [1, 10]}},
                      drivers=[], outcomes=["sat"], nps=None, competitors=[])
    return ClientData(cfg, r, meta={"waves": ["W1"]})


def test_segment_reliability_flags_the_planted_level():
    d = _reliability_data()
    rel = world.segment_reliability(d)
    assert set(rel["construct"]) == {"exp"}  # single-item constructs have no alpha
    flags = rel.set_index("level")["unreliable"].to_dict()
    assert flags == {"daily": False, "rare": True, "weekly": False}
    grid = world.reliability_grid(rel)
    cell = grid.loc[grid["construct"] == "Exp", "Usage frequency"].iloc[0]
    assert "\u26a0 in rare" in cell
    tests = world.segment_tests(d, reliability=rel)
    row = tests[tests["construct"] == "exp"].iloc[0]
    assert row["unreliable_in"] == "rare"
    assert row["min_group_alpha"] == pytest.approx(rel.loc[rel["level"] == "rare", "alpha"].iloc[0])
    sat = tests[tests["construct"] == "sat"].iloc[0]
    assert sat["unreliable_in"] == "" and np.isnan(sat["min_group_alpha"])
    # computed on the fly when not passed
    assert world.segment_tests(d)["unreliable_in"].tolist() == tests["unreliable_in"].tolist()
    prof = world.segment_profiles(d)
    text = world.segment_finding(prof, tests, world.segment_pairs(d, tests), None)["text"]
    assert "alpha" in text and "Exp" in text


def test_segment_finding_unchanged_without_unreliable_constructs():
    d = make_data()
    prof, tests = world.segment_profiles(d), world.segment_tests(d)
    assert (tests["unreliable_in"] == "").all()  # single items only
    text = world.segment_finding(prof, tests, world.segment_pairs(d, tests), None)["text"]
    assert "alpha" not in text


# ---------------------------------------------------------------------------------------------
# shared frames: built once per data object, handed out as copies
# ---------------------------------------------------------------------------------------------


def test_shared_frames_are_cached_per_data_object_and_handed_out_as_copies():
    import gc

    d = make_data(feedback=feedback_frame())
    segs = world.customer_segments(d)
    segs["sens"] = -1.0  # the caller's copy only
    assert (world.customer_segments(d)["sens"] != -1.0).all()
    fb = world.feedback_frame(d)
    fb["polarity"] = "changed"
    assert (world.feedback_frame(d)["polarity"] != "changed").all()
    rel = world.segment_reliability(_reliability_data())
    assert rel is not None and world.segment_tests(d) is not None
    # replacing a table of the data object is noticed
    r = d.ratings.copy()
    r.loc[r["brand_kind"] == "own", "usage"] = "daily"
    d.ratings = r
    assert set(world.customer_segments(d)["usage"].dropna()) == {"daily"}
    assert set(world.feedback_frame(d)["usage"].dropna()) == {"daily"}
    # and the cache goes with the data object
    ident = id(d)
    from cem_research.client.data import _MEMO

    assert ident in _MEMO
    del d, r
    gc.collect()
    assert ident not in _MEMO


def test_text_categorical_matches_per_value_conversion():
    for values in (pd.Series(["b", None, "a", "b"], dtype="str"), pd.Series([2, 10, 2]),
                   pd.Series([1.5, np.nan, -0.0, 0.0]), pd.Series(["x", 1, None, 1.0], dtype=object),
                   pd.Series([np.nan, np.nan]), pd.Series([], dtype="str")):
        vals = values.astype(object).where(values.notna()).map(lambda v: v if pd.isna(v) else str(v))
        expected = pd.Categorical(vals, categories=sorted(vals.dropna().unique()))
        got = str_categorical(values)
        assert got.dtype == expected.dtype and got.categories.dtype == expected.categories.dtype
        assert list(got.codes) == list(expected.codes)
