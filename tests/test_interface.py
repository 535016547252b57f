"""Step 4 (steps/interface): unit tests on hand-made frames, the five sections (skip reasons, results,
findings, what they show) and planted-truth recovery on demo clients."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_notebook

from cem_research.steps import interface
from cem_research.client.config import parse_config
from cem_research.client.data import ClientData
from cem_research.steps.section import Settings, Shown

#: The sections this step always has (the optional methods' sections are tested with their methods).
CORE_SECTIONS = [s for s in interface.SECTIONS if not getattr(s, "optional", False)]

JOURNEY = ["awareness", "purchase", "usage", "service"]
SETTINGS = Settings()


# ---------------------------------------------------------------------------------------------
# hand-made clients
# ---------------------------------------------------------------------------------------------


def make_config(nps: bool = True, touchpoints: bool = True, feedback: bool = True, segments=None,
                main_outcome=None):
    raw = {
        "brand": "Own", "competitors": [{"name": "Rival", "kind": "direct"}],
        "survey": {"file": "s.csv", "id": "id", "wave": "wave", "brand": "brand"},
        "scale": [1, 7],
        "constructs": {"quality": {"items": ["q1"]}, "service": {"items": ["s1"]},
                       "satisfaction": {"items": ["osat"], "scale": [1, 10]},
                       "recommend": {"items": ["ltr"], "scale": [0, 10]}},
        "drivers": ["quality", "service"], "outcomes": ["satisfaction", "recommend"],
        "journey": JOURNEY,
        "segments": segments if segments is not None else {"tenure": "Customer since"},
    }
    if nps:
        raw["nps"] = "recommend"
    if main_outcome:
        raw["main_outcome"] = main_outcome
    if touchpoints:
        raw["touchpoints"] = {"file": "t.csv", "id": "id", "touchpoint": "tp", "stage": "stage",
                              "interface": "interface", "channel": "channel", "time": "time",
                              "satisfaction": "sat", "effort": "effort", "scale": [1, 5]}
    if feedback:
        raw["feedback"] = {"file": "f.csv", "text": "comment", "id": "id", "wave": "wave", "touchpoint": "tp"}
    return parse_config(raw, "unit")


def make_ratings(n: int = 40, waves=("W1",), seed: int = 0, outcome=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for w in waves:
        for i in range(n):
            rows.append({"respondent": f"{w}-{i:03d}", "wave": w, "brand": "Own", "brand_kind": "own",
                         "tenure": ["<1 year", "1-3 years", ">3 years"][i % 3]})
    r = pd.DataFrame(rows)
    r["quality"] = rng.normal(5, 1, len(r))
    r["service"] = rng.normal(4, 1, len(r))
    r["satisfaction"] = outcome if outcome is not None else rng.normal(7, 1.5, len(r))
    r["recommend"] = np.clip(np.round(r["satisfaction"]), 0, 10)
    return r


def make_data(ratings, touchpoints=None, feedback=None, waves=("W1",), cfg=None, **kw) -> ClientData:
    cfg = cfg or make_config(touchpoints=touchpoints is not None, feedback=feedback is not None, **kw)
    if touchpoints is not None and "row" not in touchpoints:
        touchpoints = touchpoints.assign(row=np.arange(2, len(touchpoints) + 2))
    if feedback is not None and "row" not in feedback:
        feedback = feedback.assign(row=np.arange(2, len(feedback) + 2))
    return ClientData(cfg, ratings, feedback, touchpoints, {"waves": list(waves)})


def events(spec, start="2026-01-01") -> pd.DataFrame:
    """Events from (respondent, touchpoint, stage, interface, channel, sat) tuples, one hour apart."""
    t0 = pd.Timestamp(start)
    rows = []
    for k, (resp, tp, stage, kind, channel, sat) in enumerate(spec):
        rows.append({"respondent": resp, "touchpoint": tp, "stage": stage, "interface": kind, "channel": channel,
                     "time": t0 + pd.Timedelta(hours=k), "satisfaction": float(sat), "effort": 2.0})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# helpers and data access
# ---------------------------------------------------------------------------------------------


def test_poor_threshold_is_scale_midpoint():
    assert interface.poor_threshold(make_config()) == 3.0


def test_main_outcome_is_the_declared_main_outcome():
    assert interface.main_outcome(make_config()) == "satisfaction"  # default: the first declared outcome
    assert interface.main_outcome(make_config(main_outcome="recommend")) == "recommend"


def test_diff_proportions_matches_newcombe_example():
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 vs 48/80 -> 0.2000, hybrid score CI 0.0524 to 0.3339
    d, lo, hi, p = interface.diff_proportions(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert lo == pytest.approx(0.0524, abs=5e-4)
    assert hi == pytest.approx(0.3339, abs=5e-4)
    assert 0 < p < 0.05


def test_level_order_numeric_and_text():
    assert interface.level_order([">3 years", "<1 year", "1-3 years"]) == ["<1 year", "1-3 years", ">3 years"]
    assert interface.level_order(["6+", "1-2", "3-5"]) == ["1-2", "3-5", "6+"]
    assert interface.level_order(["b", "a"]) == ["a", "b"]


def test_touchpoint_events_keep_only_analysed_respondents():
    r = make_ratings(3)
    tp = events([("W1-000", "web", "awareness", "human_technology", "web", 4),
                 ("X-999", "web", "awareness", "human_technology", "web", 1)])
    data = make_data(r, tp)
    ev = interface.touchpoint_events(data)
    assert ev["respondent"].tolist() == ["W1-000"]
    assert ev["stage_index"].tolist() == [0]


def test_memoised_events_are_private_copies_and_follow_the_data():
    r = make_ratings(3)
    data = make_data(r, events([("W1-000", "web", "awareness", "human_technology", "web", 4),
                                ("W1-001", "app", "purchase", "human_technology", "app", 2)]))
    ev = interface.touchpoint_events(data)
    ev.loc[0, "satisfaction"] = 99.0  # changing a result must not change the next one
    ev["extra"] = 1
    again = interface.touchpoint_events(data)
    assert again["satisfaction"].tolist() == [4.0, 2.0] and "extra" not in again
    perf = interface.touchpoint_performance(data)
    perf.loc[0, "satisfaction"] = 99.0
    assert interface.touchpoint_performance(data)["satisfaction"].max() == 4.0
    # a new touchpoint table (or a wave restriction) is picked up, not served from the memo
    data.touchpoints = data.touchpoints.assign(satisfaction=[5.0, 1.0])
    assert interface.touchpoint_events(data)["satisfaction"].tolist() == [5.0, 1.0]
    assert sorted(interface.touchpoint_performance(data)["satisfaction"]) == [1.0, 5.0]


def test_merge_unique_matches_pandas_merge():
    left = pd.DataFrame({"respondent": ["b", "a", None, "c", "a"], "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    right = pd.DataFrame({"respondent": ["a", "b", None], "y": [10, 20, 30], "s": ["p", None, "q"]})
    for how in ("inner", "left"):
        for r in (right, pd.concat([right, right.head(1)], ignore_index=True)):  # unique keys / duplicates
            pd.testing.assert_frame_equal(interface.merge_unique(left, r, ["respondent"], how),
                                          left.merge(r, on="respondent", how=how))
    both = left.assign(wave=["W1", "W1", "W2", "W2", "W2"])
    right2 = right.assign(wave=["W2", "W1", "W2"])
    pd.testing.assert_frame_equal(interface.merge_unique(both, right2, ["respondent", "wave"]),
                                  both.merge(right2, on=["respondent", "wave"]))


def test_sections_skip_without_optional_files():
    data = make_data(make_ratings(5))
    reasons = {type(sec).__name__: sec.skip_reason(data, SETTINGS) for sec in CORE_SECTIONS}
    assert all(reasons.values()), reasons
    assert "touchpoint" in reasons["TouchpointPerformance"] and "verbatim" in reasons["InterfaceVoice"]
    assert all(sec.result(data, SETTINGS) is None for sec in CORE_SECTIONS)
    for func in (interface.touchpoint_performance, interface.channel_consistency, interface.touchpoint_ipa,
                 interface.journey_paths, interface.stage_transitions, interface.journey_by_loyalty,
                 interface.exit_touchpoints, interface.stage_durations, interface.human_vs_technology,
                 interface.touchpoint_sentiment, interface.complaint_terms, interface.representative_quotes):
        assert func(data) is None


def test_sections_are_the_notebook_headings_in_order():
    nb = (Path(__file__).resolve().parents[1] / "notebooks" / "04_customer_interface.py").read_text()
    headings = [line[len("# ## "):].strip() for line in nb.splitlines() if line.startswith("# ## ")]
    assert [sec.title for sec in CORE_SECTIONS] == headings
    assert {sec.step for sec in CORE_SECTIONS} == {4}
    assert len({sec.key for sec in CORE_SECTIONS}) == len(CORE_SECTIONS) == 5


# ---------------------------------------------------------------------------------------------
# 1. performance
# ---------------------------------------------------------------------------------------------


def test_touchpoint_performance_numbers_and_order():
    r = make_ratings(4)
    tp = events([("W1-000", "shop", "purchase", "human_human", "store", 5),
                 ("W1-000", "shop", "purchase", "human_human", "store", 3),
                 ("W1-001", "shop", "purchase", "human_human", "store", 4),
                 ("W1-001", "ad", "awareness", "human_technology", "web", 2),
                 ("W1-002", "ad", "awareness", "human_technology", "web", 4)])
    data = make_data(r, tp)
    out = interface.touchpoint_performance(data, "touchpoint")
    assert out["touchpoint"].tolist() == ["ad", "shop"]  # journey order
    shop = out.set_index("touchpoint").loc["shop"]
    assert shop["n_events"] == 3 and shop["n_respondents"] == 2
    assert shop["satisfaction"] == pytest.approx(4.0)
    assert shop["ci_low"] < 4 < shop["ci_high"]
    assert shop["share_poor"] == pytest.approx(1 / 3)
    assert shop["iqr"] == pytest.approx(1.0)
    assert shop["channel"] == "store" and shop["interface"] == "human_human"
    kinds = interface.touchpoint_performance(data, "interface")
    assert kinds["interface"].tolist() == ["human_human", "human_technology"]  # contract order
    assert interface.touchpoint_performance(data, "nonexistent") is None


def test_channel_consistency_finds_worse_channel():
    rng = np.random.default_rng(1)
    r = make_ratings(60)
    spec = []
    for i in range(60):
        rid = f"W1-{i:03d}"
        spec.append((rid, "counter", "purchase", "human_human", "store",
                     int(np.clip(round(rng.normal(4.3, 0.6)), 1, 5))))
        if i % 2 == 0:
            spec.append((rid, "app_order", "purchase", "human_technology", "app",
                         int(np.clip(round(rng.normal(2.5, 0.6)), 1, 5))))
        spec.append((rid, "seat", "usage", "human_environment", "store", 4))
    data = make_data(r, events(spec))
    out = interface.channel_consistency(data)
    assert len(out) == 1  # usage is offered in one channel only
    row = out.iloc[0]
    assert row["stage"] == "purchase" and row["reference"] == "store" and row["channel"] == "app"
    assert row["diff"] < -1 and row["ci_high"] < 0 and row["hedges"] < 0
    assert bool(row["significant"]) and row["worse"] == "app"


def _two_touchpoints():
    tp = events([("W1-000", "a", "purchase", "human_human", "store", 5),
                 ("W1-001", "a", "purchase", "human_human", "store", 4),
                 ("W1-000", "b", "usage", "human_technology", "app", 2),
                 ("W1-001", "b", "usage", "human_technology", "app", 1)])
    return make_data(make_ratings(4), tp)


def test_performance_section_finding_names_lowest_touchpoint():
    data = _two_touchpoints()
    section = interface.TouchpointPerformance()
    assert section.skip_reason(data, SETTINGS) is None
    result = section.result(data, SETTINGS)
    assert isinstance(result, interface.PerformanceResult)
    assert result.by_touchpoint["touchpoint"].tolist() == ["a", "b"]
    assert result.by_interface["interface"].tolist() == ["human_human", "human_technology"]
    assert result.consistency is None  # every stage is served in one channel
    [f] = section.findings(result, data, SETTINGS)
    assert f["text"].startswith("Of 2 touchpoints, B is rated lowest: 1.50 (95% CI ")  # ids in words
    assert "By interface kind: human–human 4.50 (95% CI" in f["text"] and "[" not in f["text"]
    assert f["value"] == pytest.approx(1.5) and f["key"] == "lowest_touchpoint"
    shown = section.present(result, data, SETTINGS)
    assert [x.kind for x in shown] == ["table", "table", "table", "figure"]
    assert shown[2].caption == "Touchpoints in journey order" and shown[2].options == {"percent": ("share_poor",)}
    assert shown[3].caption.startswith("Journey map: the journey stages")


def test_performance_section_follows_the_confidence_setting():
    data = _two_touchpoints()
    section = interface.TouchpointPerformance()
    wide = section.result(data, SETTINGS).by_touchpoint.set_index("touchpoint")
    narrow_settings = Settings(confidence=0.5)
    narrow = section.result(data, narrow_settings).by_touchpoint.set_index("touchpoint")
    assert narrow.loc["b", "ci_high"] - narrow.loc["b", "ci_low"] < wide.loc["b", "ci_high"] - wide.loc["b", "ci_low"]
    [f] = section.findings(section.result(data, narrow_settings), data, narrow_settings)
    assert "(50% CI " in f["text"] and "95% CI" not in f["text"]


# ---------------------------------------------------------------------------------------------
# 2. importance-performance
# ---------------------------------------------------------------------------------------------


def _ipa_client(n=120, seed=3, **config):
    """Touchpoint 'bad' (often poor) drives satisfaction; 'fine' and 'meh' do not."""
    rng = np.random.default_rng(seed)
    bad = rng.integers(1, 6, n)
    fine = rng.choice([3, 4, 5], n, p=[0.2, 0.4, 0.4])
    meh = rng.choice([2, 3, 4], n)
    sat = 7 + 1.0 * (bad >= 4) - 1.0 * (bad <= 3) + rng.normal(0, 0.5, n)
    r = make_ratings(n, outcome=sat)
    spec = []
    for i in range(n):
        rid = f"W1-{i:03d}"
        spec += [(rid, "fine", "awareness", "human_environment", "store", fine[i]),
                 (rid, "bad", "purchase", "human_technology", "app", bad[i]),
                 (rid, "meh", "usage", "human_human", "store", meh[i])]
    return make_data(r, events(spec), **config)


def test_touchpoint_importance_recovers_penalty():
    imp = interface.touchpoint_importance(_ipa_client()).set_index("touchpoint")
    assert imp.loc["bad", "importance"] == pytest.approx(2.0, abs=0.3)
    assert imp.loc["bad", "importance_ci_low"] > 1.5
    assert imp.loc["fine", "importance_ci_low"] < 0 < imp.loc["fine", "importance_ci_high"]
    assert imp.loc["bad", "p_corr"] < 0.001
    assert (imp["p_corr"] >= imp["p_unc"]).all()


def test_touchpoint_importance_needs_both_groups():
    imp = interface.touchpoint_importance(_ipa_client(), min_group=10_000)
    assert imp["importance"].isna().all()
    assert interface.touchpoint_ipa(_ipa_client(), min_group=10_000) is None


def test_touchpoint_ipa_ranks_driver_of_outcome_first():
    ipa = interface.touchpoint_ipa(_ipa_client())
    assert ipa.iloc[0]["touchpoint"] == "bad"
    assert ipa.iloc[0]["quadrant"] == "Concentrate here"
    assert ipa["priority"].tolist() == [1, 2, 3]
    assert {"importance_ci_low", "performance_ci_high", "stage", "interface"} <= set(ipa.columns)


def test_ipa_section_finding_and_skip_reasons():
    data = _ipa_client()
    section = interface.TouchpointImportancePerformance()
    ipa = section.result(data, SETTINGS)
    pd.testing.assert_frame_equal(ipa, interface.touchpoint_ipa(data))
    [f] = section.findings(ipa, data, SETTINGS)
    assert f["headline"] and f["text"].startswith("Fix first: Bad (Concentrate here).")  # the id in words
    assert "rate satisfaction" in f["text"]  # stated on the main outcome
    assert f["value"] == pytest.approx(ipa.iloc[0]["importance"]) and f["key"] == "fix_first"
    top = ipa.iloc[0]
    assert f["ci"] == (pytest.approx(top["importance_ci_low"]), pytest.approx(top["importance_ci_high"]))
    shown = section.present(ipa, data, SETTINGS)
    assert [x.kind for x in shown] == ["table", "figure"]
    # the table lists every touchpoint: only its "Concentrate here" rows are the fix-first list
    assert shown[0].caption == ("Touchpoints in IPA priority order, 'Concentrate here' (the fix-first list) "
                                "first (importance in satisfaction points, 95% CI)")
    # min_group comes from the settings: nobody has 10,000 poor experiences
    reason = section.skip_reason(data, Settings(min_group=10_000))
    assert reason.startswith("fewer than two touchpoints have enough poor and good experiences")
    assert section.result(data, Settings(min_group=10_000)) is None


def test_ipa_section_states_importance_on_the_declared_main_outcome():
    data = _ipa_client(main_outcome="recommend")  # rounded satisfaction, so still driven by 'bad'
    section = interface.TouchpointImportancePerformance()
    ipa = section.result(data, SETTINGS)
    assert ipa.attrs["outcome"] == "recommend" and ipa.iloc[0]["touchpoint"] == "bad"
    [f] = section.findings(ipa, data, SETTINGS)
    assert "rate recommend" in f["text"]
    assert "recommend points" in section.present(ipa, data, SETTINGS)[0].caption


def test_ipa_section_notes_touchpoints_without_importance():
    data = _ipa_client()
    tp = data.touchpoints
    extra = tp[tp["touchpoint"] == "fine"].head(3).assign(touchpoint="rare")  # 3 users: too few to rate
    data.touchpoints = pd.concat([tp, extra], ignore_index=True)
    section = interface.TouchpointImportancePerformance()
    ipa = section.result(data, SETTINGS)
    assert ipa.attrs["excluded"] == ["rare"]
    [f] = section.findings(ipa, data, SETTINGS)
    assert f["text"].endswith(f"Not rated for importance (fewer than {SETTINGS.min_group} poor or good "
                              "experiences): Rare.")
    notes = [x for x in section.present(ipa, data, SETTINGS) if x.kind == "markdown"]
    assert notes and "Rare" in notes[0].content


# ---------------------------------------------------------------------------------------------
# 3. journeys
# ---------------------------------------------------------------------------------------------


def _journey_client():
    r = make_ratings(4)
    r["recommend"] = [2.0, 10.0, 9.0, 5.0]  # lost, loyal, loyal, lost
    spec = [("W1-000", "ad", "awareness", "human_technology", "web", 4),
            ("W1-000", "shop", "purchase", "human_human", "store", 2),            # ends early after 'shop'
            ("W1-001", "ad", "awareness", "human_technology", "web", 5),
            ("W1-001", "shop", "purchase", "human_human", "store", 5),
            ("W1-001", "shop", "purchase", "human_human", "store", 5),
            ("W1-001", "use", "usage", "human_environment", "store", 5),
            ("W1-001", "help", "service", "human_human", "store", 5),
            ("W1-002", "ad", "awareness", "human_technology", "web", 5),
            ("W1-002", "shop", "purchase", "human_human", "store", 4),
            ("W1-002", "use", "usage", "human_environment", "store", 4),
            ("W1-002", "help", "service", "human_human", "store", 4),
            ("W1-003", "ad", "awareness", "human_technology", "web", 3)]           # ends early after 'ad'
    return make_data(r, events(spec))


def test_journey_paths_and_shares():
    paths = interface.journey_paths(_journey_client())
    top = paths.iloc[0]
    assert top["path"] == "awareness → purchase → usage → service"
    assert top["respondents"] == 2 and top["share"] == pytest.approx(0.5) and top["steps"] == 4
    assert top["ci_low"] < 0.5 < top["ci_high"]
    assert paths.attrs["n_paths"] == 3 and paths["share"].sum() == pytest.approx(1.0)


def test_stage_transitions_counts_and_end():
    tr = interface.stage_transitions(_journey_client())
    m = interface.transition_matrix(tr, "count")
    assert m.loc["awareness", "purchase"] == 3 and m.loc["awareness", "(end)"] == 1
    assert m.loc["purchase", "usage"] == 2 and m.loc["purchase", "(end)"] == 1  # repeat events count once
    assert m.loc["service", "(end)"] == 2
    shares = interface.transition_matrix(tr)
    assert shares.loc["awareness"].sum() == pytest.approx(1.0)
    assert list(shares.index) == JOURNEY and list(shares.columns) == [*JOURNEY, "(end)"]


def test_loyalty_groups_from_nps_and_from_terciles():
    data = _journey_client()
    g = interface.loyalty_groups(data)
    assert g["group"].tolist() == ["lost", "loyal", "loyal", "lost"]
    assert "detractors" in g.attrs["definition"]
    cfg = make_config(nps=False)
    r = make_ratings(9, outcome=np.arange(1, 10, dtype=float))
    g2 = interface.loyalty_groups(make_data(r, cfg=cfg))
    assert g2["group"].tolist() == ["lost"] * 3 + ["middle"] * 3 + ["loyal"] * 3
    assert "third" in g2.attrs["definition"]


def test_exit_touchpoints_last_touchpoint_of_early_journeys():
    ex = interface.exit_touchpoints(_journey_client(), final_stages=["usage", "service"])
    assert ex.attrs["n_early"] == 2 and ex.attrs["n_respondents"] == 4
    ex = ex.set_index("touchpoint")
    assert ex.loc["shop", "exits"] == 1 and ex.loc["ad", "exits"] == 1
    assert ex.loc["ad", "users"] == 4 and ex.loc["ad", "exit_rate"] == pytest.approx(0.25)
    assert ex.loc["ad", "exit_rate_lost"] == pytest.approx(0.5) and ex.loc["ad", "exit_rate_loyal"] == 0
    assert interface.default_final_stages(JOURNEY) == ["service"]


def test_journey_by_loyalty_reach():
    out = interface.journey_by_loyalty(_journey_client()).set_index("stage")
    assert out.loc["usage", "reach_lost"] == 0 and out.loc["usage", "reach_loyal"] == 1
    assert out.loc["usage", "reach_diff"] == -1
    assert out.loc["awareness", "reach_diff"] == 0


def test_stage_durations_hours():
    d = interface.stage_durations(_journey_client()).set_index(["from_stage", "to_stage"])
    # W1-001: awareness at +2 h, purchase at +3 h; W1-002: +7 h, +8 h; W1-000: +0, +1
    assert d.loc[("awareness", "purchase"), "median_hours"] == pytest.approx(1.0)
    assert d.loc[("awareness", "purchase"), "n"] == 3
    # purchase -> usage: W1-001 2 h (from the FIRST purchase event), W1-002 1 h
    assert d.loc[("purchase", "usage"), "median_hours"] == pytest.approx(1.5)
    assert d.loc[("purchase", "usage"), "q3_hours"] == pytest.approx(1.75)


def test_journeys_section_finding_mentions_top_path():
    data = _journey_client()
    section = interface.Journeys()
    result = section.result(data, SETTINGS)
    assert isinstance(result, interface.JourneysResult)
    pd.testing.assert_frame_equal(result.paths, interface.journey_paths(data))
    [f] = section.findings(result, data, SETTINGS)
    assert "Awareness → Purchase → Usage → Service" in f["text"] and f["value"] == pytest.approx(0.5)
    assert f["text"].startswith("The most common journey (50%, 95% CI ") and f["key"] == "top_path_share"
    shown = section.present(result, data, SETTINGS)
    assert [x.kind for x in shown] == ["table", "figure", "table", "table", "table"]
    assert shown[0].caption == "Most common journeys (4 customers, 3 distinct paths)"
    assert shown[1].caption.startswith("Heatmap: ")


def test_journeys_section_skips_without_stages():
    tp = events([("W1-000", "ad", "awareness", "human_technology", "web", 4)]).drop(columns="stage")
    data = make_data(make_ratings(2), tp)
    assert interface.Journeys().skip_reason(data, SETTINGS) == "the touchpoint file declares no journey stage column"


# ---------------------------------------------------------------------------------------------
# 4. human touch
# ---------------------------------------------------------------------------------------------


def _human_client(delta: float, n=60, seed=5):
    rng = np.random.default_rng(seed)
    r = make_ratings(n)
    spec = []
    for i in range(n):
        base = rng.normal(3.5, 0.5)
        rid = f"W1-{i:03d}"
        h = np.clip(base + delta / 2 + rng.normal(0, .3), 1, 5)
        t = np.clip(base - delta / 2 + rng.normal(0, .3), 1, 5)
        spec.append((rid, "staff", "purchase", "human_human", "store", h))
        spec.append((rid, "app", "usage", "human_technology", "app", t))
    return make_data(r, events(spec))


@pytest.mark.parametrize("delta", [1.0, -1.0])
def test_human_vs_technology_sign_and_pairing(delta):
    out = interface.human_vs_technology(_human_client(delta))
    overall = out.iloc[0]
    assert overall["segment"] == "all" and overall["test"] == "paired t" and out.attrs["paired"]
    assert np.sign(overall["diff"]) == np.sign(delta)
    assert overall["diff"] == pytest.approx(delta, abs=0.2)
    assert overall["ci_low"] < overall["diff"] < overall["ci_high"] and overall["significant"]
    assert np.sign(overall["hedges"]) == np.sign(delta)
    seg = out.iloc[1:]
    assert seg["level"].tolist() == ["<1 year", "1-3 years", ">3 years"]
    assert (seg["p_corr"] >= seg["p_unc"]).all()
    section = interface.HumanTouch()
    data = _human_client(delta)
    [f] = section.findings(section.result(data, SETTINGS), data, SETTINGS)
    assert ("higher" if delta > 0 else "lower") in f["text"].split("than")[0]
    assert f["value"] == pytest.approx(overall["diff"]) and f["headline"]
    assert ", p < .001): a real difference." in f["text"]


def test_human_touch_section_skips_without_both_kinds():
    tp = events([("W1-000", "staff", "purchase", "human_human", "store", 4),
                 ("W1-001", "staff", "purchase", "human_human", "store", 2)])
    reason = interface.HumanTouch().skip_reason(make_data(make_ratings(2), tp), SETTINGS)
    assert reason == "the touchpoint events do not include both human–human and human–technology interactions"
    reason = interface.HumanTouch().skip_reason(make_data(make_ratings(2), tp.drop(columns="interface")), SETTINGS)
    assert reason == "the touchpoint file declares no interface column"


def test_human_vs_technology_welch_without_pairs():
    r = make_ratings(40)
    spec = [(f"W1-{i:03d}", "staff" if i < 20 else "app", "purchase",
             "human_human" if i < 20 else "human_technology", "store", 5 - (i % 2) - (i >= 20) * 2)
            for i in range(40)]
    out = interface.human_vs_technology(make_data(r, events(spec)))
    assert out.iloc[0]["test"] == "Welch t" and out.iloc[0]["diff"] == pytest.approx(2.0)


# ---------------------------------------------------------------------------------------------
# 5. voice of the customer
# ---------------------------------------------------------------------------------------------


def _voice_client():
    r = make_ratings(4)
    rows = ([("W1-000", "app", "The app crashed, terrible and slow", -0.7)] * 6
            + [("W1-001", "app", "Great app, love it", 0.8)] * 2
            + [("W1-002", "shop", "The queue was awful and the staff rude", -0.6)] * 6
            + [("W1-003", "shop", "Lovely shop", 0.6)] * 4
            + [("W1-003", "web", "<script>x</script> mail me at jo@example.com, awful site", -0.5)]
            + [("W1-003", None, "no touchpoint here", -0.9)])
    fb = pd.DataFrame(rows, columns=["respondent", "touchpoint", "text", "compound"])
    fb["wave"], fb["brand"] = "W1", "Own"
    return make_data(r, feedback=fb)


def test_touchpoint_sentiment():
    s = interface.touchpoint_sentiment(_voice_client()).set_index("touchpoint")
    assert list(s.index) == ["web", "app", "shop"]  # most negative first
    assert s.loc["app", "n"] == 8 and s.loc["app", "compound"] == pytest.approx((6 * -0.7 + 2 * 0.8) / 8)
    assert s.loc["shop", "share_negative"] == pytest.approx(6 / 10)
    assert s.loc["app", "negative_ci_low"] < 0.75 < s.loc["app", "negative_ci_high"]


def test_complaint_terms_per_touchpoint():
    t = interface.complaint_terms(_voice_client(), min_count=3)
    app_terms = set(t.loc[t["touchpoint"] == "app", "term"])
    assert {"app", "crashed"} <= app_terms and "queue" not in app_terms
    assert "queue" in set(t.loc[t["touchpoint"] == "shop", "term"])


def test_representative_quotes_are_safe():
    q = interface.representative_quotes(_voice_client(), touchpoints=["web"])
    joined = " ".join(q["quote"])
    assert "<script>" not in joined and "jo@example.com" not in joined
    assert "&lt;script&gt;" in joined and "[email]" in joined
    md = interface.quotes_markdown(q)
    assert "<script>" not in md and "jo@example.com" not in md and "[email]" not in md  # brackets escaped
    assert "\\[email\\]" in md and md.startswith("- **Web** (compound -0.50): “")  # the touchpoint in words
    md = interface.quotes_markdown(pd.DataFrame({"touchpoint": ["<b>x_y</b>"], "compound": [-0.5], "quote": ["ok"]}))
    assert "<b>" not in md and "&lt;b&gt;x\\_y" in md


def test_voice_section_finding_and_display():
    data = _voice_client()
    section = interface.InterfaceVoice()
    result = section.result(data, SETTINGS)
    assert isinstance(result, interface.VoiceResult)
    [f] = section.findings(result, data, SETTINGS)
    assert f["text"].startswith("Among the 2 touchpoints with at least 5 comments, verbatims about App are the "
                                "most negative: mean compound -0.32 (95% CI ")
    assert "crashed" in f["text"] and f["key"] == "most_negative_touchpoint"
    shown = section.present(result, data, SETTINGS)
    assert [x.kind for x in shown] == ["table", "figure", "table", "markdown"]
    assert all(isinstance(x, Shown) for x in shown)


def test_voice_section_skips_without_touchpoint_comments():
    fb = _voice_client().feedback.assign(touchpoint=None)
    reason = interface.InterfaceVoice().skip_reason(make_data(make_ratings(4), feedback=fb), SETTINGS)
    assert reason == "the verbatim comments are not linked to touchpoints (no touchpoint column)"


# ---------------------------------------------------------------------------------------------
# planted truth on the demo clients
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Demo clients generated (seeded) into a shared temp folder and processed there."""
    from cem_research.client.config import load_config
    from cem_research.client.data import read_processed
    from datasets.demo import write_demo_clients, write_tiny_client
    from cem_research.client.processing import process

    root = tmp_path_factory.getbasetemp() / "cem_demo_clients"
    if not (root / "raw" / "tiny_client" / "client.yaml").exists():
        write_demo_clients(root / "raw")
        write_tiny_client(root / "raw")
    cache: dict = {}

    def load(name: str) -> tuple[ClientData, dict]:
        if name not in cache:
            cfg = load_config(root / "raw" / name, name)
            process(cfg, root / "processed" / name)
            truth = json.loads((root / "raw" / name / "truth.json").read_text())
            cache[name] = (read_processed(cfg, root / "processed" / name), truth)
        return cache[name]

    load.raw = root / "raw"
    return load


@pytest.mark.parametrize("client", ["coffee_house", "software_vendor"])
def test_planted_worst_touchpoint_is_fixed_first(demo, client):
    data, truth = demo(client)
    ipa = interface.touchpoint_ipa(data)
    assert ipa.iloc[0]["touchpoint"] == truth["worst_touchpoint"]
    assert ipa.iloc[0]["quadrant"] == "Concentrate here"
    assert ipa.iloc[0]["importance_ci_low"] > 0


@pytest.mark.parametrize("client", ["coffee_house", "software_vendor"])
def test_planted_human_minus_technology_sign(demo, client):
    data, truth = demo(client)
    out = interface.human_vs_technology(data)
    overall = out.iloc[0]
    assert np.sign(overall["diff"]) == np.sign(truth["human_minus_technology"])
    assert overall["significant"]
    seg = truth.get("human_touch_segment")
    if seg:  # the planted segment shows a larger gap than the customers overall
        row = out[(out["segment"] == seg["segment"]) & (out["level"] == seg["level"])].iloc[0]
        assert row["diff"] > overall["diff"]


def test_demo_sections_run_and_find(demo):
    data, truth = demo("coffee_house")
    # the UCE scorecard needs constructs that declare uce: (software_vendor's do)
    assert not any(sec.skip_reason(data, SETTINGS) for sec in CORE_SECTIONS if sec.key != "UceScorecard")
    perf = interface.touchpoint_performance(data)
    assert perf.loc[perf["satisfaction"].idxmin(), "touchpoint"] == truth["worst_touchpoint"]
    cons = interface.channel_consistency(data)
    assert "app" in set(cons.loc[cons["significant"], "worse"])
    paths, exits = interface.journey_paths(data), interface.exit_touchpoints(data)
    by_loyalty, durations = interface.journey_by_loyalty(data), interface.stage_durations(data)
    journeys = interface.Journeys().result(data, SETTINGS)
    assert journeys.exits is not None and journeys.by_loyalty is not None and journeys.durations is not None
    [f] = interface.Journeys().findings(journeys, data, SETTINGS)
    assert "of journeys end before the final stages" in f["text"] and "The most travelled step" in f["text"]
    for got, expected in ((journeys.paths, paths), (journeys.exits, exits), (journeys.by_loyalty, by_loyalty),
                          (journeys.durations, durations)):
        pd.testing.assert_frame_equal(got, expected)
    sent = interface.touchpoint_sentiment(data)
    assert truth["worst_touchpoint"] in sent.head(3)["touchpoint"].tolist()
    q = interface.representative_quotes(data)
    assert not q["quote"].str.contains("@example.com").any()


@pytest.mark.parametrize("section", CORE_SECTIONS, ids=lambda s: s.key)
def test_every_section_on_a_demo_client(demo, section):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data, truth = demo("software_vendor" if section.key == "UceScorecard" else "coffee_house")
    assert section.skip_reason(data, SETTINGS) is None
    result = section.result(data, SETTINGS)
    assert result is section.result(data, SETTINGS)  # memoised per client and settings
    [f] = section.findings(result, data, SETTINGS)
    assert set(f) <= {"text", "headline", "key", "value", "ci"} and f["key"] and np.isfinite(f["value"])
    assert "95% CI " in f["text"] and "[" not in f["text"] and "p = 0." not in f["text"]
    shown = section.present(result, data, SETTINGS)
    try:
        assert shown and all(isinstance(x, Shown) for x in shown)
        figures = [x for x in shown if x.kind == "figure"]
        assert len(figures) == 1 and len(figures[0].caption) > 40  # a descriptive alt text
        assert all(hasattr(x.content, "columns") and x.caption for x in shown if x.kind == "table")
    finally:
        plt.close("all")


def test_headlines_are_stated_on_the_main_outcome(demo):
    data, _ = demo("coffee_house")
    ipa = interface.TouchpointImportancePerformance().result(data, SETTINGS)
    assert ipa.attrs["outcome"] == data.main_outcome
    paths = interface.Journeys().result(data, SETTINGS).paths
    assert paths.attrs["outcome"] == data.main_outcome


def test_survey_only_and_single_wave_clients(demo):
    hotel, _ = demo("hotel_group")
    reasons = [sec.skip_reason(hotel, SETTINGS) for sec in CORE_SECTIONS]
    assert all(reasons) and reasons[0] == "the client supplies no touchpoint events (a touchpoints file in client.yaml)"
    assert interface.touchpoint_ipa(hotel) is None and interface.human_vs_technology(hotel) is None
    assert interface.journey_paths(hotel) is None and interface.touchpoint_sentiment(hotel) is None
    coffee, _ = demo("coffee_house")
    first = coffee.upto(coffee.waves[0])
    ev = interface.touchpoint_events(first)
    assert set(ev["respondent"]) <= set(first.own["respondent"])
    assert interface.touchpoint_ipa(first) is not None
    assert interface.TouchpointImportancePerformance().skip_reason(first, SETTINGS) is None


# ---------------------------------------------------------------------------------------------
# notebooks end to end (survey-only and single-wave clients)
# ---------------------------------------------------------------------------------------------

FINDING_MIME = "application/vnd.cem-research.finding+json"
REPO = Path(__file__).resolve().parents[1]


def _run(tmp_path, notebook: str, client: str, raw_root: Path, wave=None) -> list[dict]:
    out = tmp_path / f"{notebook}_{client}_{wave}.ipynb"
    run_notebook(REPO / "notebooks" / f"{notebook}.ipynb", out,
                 {"client": client, "raw_root": str(raw_root), "wave": wave})
    found = []
    for cell in json.loads(out.read_text())["cells"]:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", f"{o.get('ename')}: {o.get('evalue')}"
            if FINDING_MIME in o.get("data", {}):
                found.append(o["data"][FINDING_MIME])
    return found


@pytest.mark.slow
def test_notebooks_run_for_survey_only_and_single_wave(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("CEM_PROJECT_ROOT", str(tmp_path))  # processed tables go to tmp_path/data/processed
    raw = demo.raw
    hotel = _run(tmp_path, "04_customer_interface", "hotel_group", raw)
    assert [f["section"] for f in hotel] == [sec.title for sec in CORE_SECTIONS]
    assert all(f["kind"] == "skipped" for f in hotel)
    hotel5 = {f["section"]: f["kind"] for f in _run(tmp_path, "05_continuous_innovation", "hotel_group", raw)}
    assert hotel5 == {"Tracking across waves": "finding", "Emerging themes": "skipped", "Innovation agenda": "finding"}
    first = json.loads((raw / "coffee_house" / "truth.json").read_text())["waves"][0]
    coffee4 = _run(tmp_path, "04_customer_interface", "coffee_house", raw, wave=first)
    assert all(f["kind"] == "finding" for f in coffee4) and any(f["headline"] for f in coffee4)
    coffee5 = {f["section"]: f["kind"] for f in _run(tmp_path, "05_continuous_innovation", "coffee_house", raw, first)}
    assert coffee5 == {"Tracking across waves": "skipped", "Emerging themes": "skipped", "Innovation agenda": "finding"}
