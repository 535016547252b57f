"""Step 5 (steps/innovation): unit tests on hand-made frames, the three Sections, the step's figures and
planted-truth recovery on demo clients."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cem_research.steps import innovation, interface
from cem_research import stats
from cem_research.client.config import parse_config
from cem_research.client.data import ClientData
from cem_research.steps.section import Settings, Shown
from conftest import REPO

TRACKING, THEMES, AGENDA, BEHAVIOUR = innovation.SECTIONS

WAVES = ["W1", "W2", "W3"]


def make_config(nps: bool = True, segments=None, feedback: bool = False, touchpoints: bool = False):
    raw = {
        "brand": "Own", "competitors": [{"name": "Rival", "kind": "direct"}, {"name": "Other", "kind": "new_entrant"}],
        "survey": {"file": "s.csv", "id": "id", "wave": "wave", "brand": "brand"},
        "scale": [1, 7],
        "constructs": {"quality": {"items": ["q1"]}, "service": {"items": ["s1"]}, "novelty": {"items": ["n1"]},
                       "mood": {"items": ["m1"]},
                       "satisfaction": {"items": ["osat"], "scale": [1, 10]},
                       "recommend": {"items": ["ltr"], "scale": [0, 10]}},
        "drivers": ["quality", "service", "novelty"], "outcomes": ["satisfaction", "recommend"],
        "journey": ["purchase", "usage"],
        "segments": segments if segments is not None else {"tenure": "Customer since"},
    }
    if nps:
        raw["nps"] = "recommend"
    if feedback:
        raw["feedback"] = {"file": "f.csv", "text": "comment", "id": "id", "wave": "wave"}
    if touchpoints:
        raw["touchpoints"] = {"file": "t.csv", "id": "id", "touchpoint": "tp", "stage": "stage",
                              "interface": "interface", "satisfaction": "sat", "scale": [1, 5]}
    return parse_config(raw, "unit")


def make_ratings(n=150, waves=WAVES, shift=None, seed=0, competitors=True):
    """Own-brand rows per wave (+ competitor rows in every wave).

    Satisfaction = 6 + 1.0 * quality + 0.3 * service + noise (z-scored drivers).  Quality: Rival 1 point
    ahead of Own; novelty: every brand around 3 on 1-7 (nobody performs).  ``shift``: (construct, wave,
    delta) added to the own brand.
    """
    rng = np.random.default_rng(seed)
    rows = []
    brands = [("Own", "own", 0.0)] + ([("Rival", "direct", 1.0), ("Other", "new_entrant", -0.5)] if competitors else [])
    for w in waves:
        for brand, kind, qoff in brands:
            m = n if kind == "own" else n // 2
            zq, zs = rng.normal(size=m), rng.normal(size=m)
            frame = pd.DataFrame({
                "respondent": [f"{brand}-{w}-{i}" for i in range(m)], "wave": w, "brand": brand, "brand_kind": kind,
                "tenure": np.array(["<1 year", "1-3 years", ">3 years"])[np.arange(m) % 3],
                "quality": 4.0 + qoff + zq, "service": 4.5 + zs, "novelty": 3.0 + 0.5 * rng.normal(size=m),
                "mood": 4 + rng.normal(size=m)})
            frame["satisfaction"] = 6 + 1.0 * zq + 0.3 * zs + 0.6 * rng.normal(size=m)
            frame["recommend"] = np.clip(np.round(frame["satisfaction"] + 1), 0, 10)
            if shift and kind == "own" and w == shift[1]:
                frame[shift[0]] += shift[2]
            rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def make_data(ratings, waves=WAVES, cfg=None, feedback=None, touchpoints=None) -> ClientData:
    cfg = cfg or make_config(feedback=feedback is not None, touchpoints=touchpoints is not None)
    if feedback is not None:
        feedback = feedback.assign(row=np.arange(2, len(feedback) + 2))
    if touchpoints is not None:
        touchpoints = touchpoints.assign(row=np.arange(2, len(touchpoints) + 2))
    return ClientData(cfg, ratings, feedback, touchpoints, {"waves": list(waves)})


# ---------------------------------------------------------------------------------------------
# tracking
# ---------------------------------------------------------------------------------------------


def test_tracking_means_per_wave():
    data = make_data(make_ratings())
    tr = innovation.tracking(data)
    assert list(tr["construct"].unique()) == ["satisfaction", "recommend", "quality", "service", "novelty", "mood"]
    q = tr[tr["construct"] == "quality"]
    own = data.own
    assert q["mean"].tolist() == pytest.approx(own.groupby("wave")["quality"].mean().loc[WAVES].tolist())
    assert (q["ci_low"] < q["mean"]).all() and q["role"].iloc[0] == "driver"
    assert list(tr["wave"].cat.categories) == WAVES


def test_wave_changes_holm_across_everything():
    data = make_data(make_ratings(shift=("service", "W3", 0.8)))
    ch = innovation.wave_change_tests(data)
    assert len(ch) == 6 * 2 and ch.attrs["n_tests"] == 12
    moved = ch[ch["significant"]]
    assert list(zip(moved["construct"], moved["to_wave"])) == [("service", "W3")]
    assert moved["movement"].iloc[0] == "up" and moved["diff"].iloc[0] == pytest.approx(0.8, abs=0.3)
    # one Holm family over the whole table
    assert ch["p_corr"].tolist() == pytest.approx(stats.adjust_pvalues(ch[["p_unc"]])["p_corr"].tolist())
    f = innovation.tracking_finding(ch, innovation.nps_by_wave(data))
    assert f["headline"] and f["key"] == "movement:service" and "Service up +" in f["text"]


def test_tracking_skips_single_wave():
    data = make_data(make_ratings(waves=["W1"]), waves=["W1"])
    assert innovation.tracking(data) is None and innovation.wave_change_tests(data) is None
    assert "single survey wave" in TRACKING.skip_reason(data, Settings())


def test_nps_by_wave_change():
    r = make_ratings(waves=["W1", "W2"])
    own = r["brand_kind"] == "own"
    r.loc[own & (r["wave"] == "W1"), "recommend"] = 10.0
    r.loc[own & (r["wave"] == "W2"), "recommend"] = np.tile([10.0, 0.0], 75)
    nps = innovation.nps_by_wave(make_data(r, waves=["W1", "W2"]))
    assert nps["nps"].tolist() == pytest.approx([100, 0])
    assert nps["change"].iloc[1] == pytest.approx(-100)
    assert nps["change_ci_low"].iloc[1] < -100 < nps["change_ci_high"].iloc[1]
    assert innovation.nps_by_wave(make_data(r, waves=["W1", "W2"], cfg=make_config(nps=False))) is None


def test_tracking_finding_without_movements():
    data = make_data(make_ratings(seed=4))
    ch = innovation.wave_change_tests(data)
    ch["significant"] = False  # force the no-movement branch
    f = innovation.tracking_finding(ch)
    assert f["text"].startswith("None of the 12")


# ---------------------------------------------------------------------------------------------
# emerging themes
# ---------------------------------------------------------------------------------------------


def _feedback():
    rng = np.random.default_rng(2)
    base = ["nice coffee and friendly staff", "the wifi is slow today", "good cake", "queue was long",
            "lovely music in the shop"]
    oat = ["please add oat milk without extra charge", "love the oat milk latte", "oat milk ran out again",
           "glad you stock oat milk now"]
    rows = []
    for w, n_oat in (("W1", 2), ("W2", 2), ("W3", 20)):
        for i in range(80):
            text = base[i % len(base)]
            if i < n_oat:
                text = oat[i % len(oat)]
            rows.append({"respondent": f"Own-{w}-{i}", "wave": w, "brand": "Own", "text": text,
                         "compound": 0.4 if "oat" in text else rng.uniform(-0.5, 0.8)})
    return pd.DataFrame(rows)


def test_emerging_themes_fold_and_detect():
    data = make_data(make_ratings(n=30), feedback=_feedback())
    themes = innovation.emerging_themes(data)
    assert themes.attrs["latest"] == "W3" and themes.attrs["n_latest"] == 80
    rising = innovation.rising_themes(themes)
    assert rising["term"].iloc[0] == "oat milk"
    assert {"oat", "milk"} <= set(rising["related"].iloc[0].split(", "))
    assert "wifi" not in set(themes.loc[themes["rising"], "term"])
    assert rising["latest_ci_low"].iloc[0] < 0.25 < rising["latest_ci_high"].iloc[0]
    f = innovation.themes_finding(themes)
    assert "“oat milk” in 25%" in f["text"] and f["value"] == pytest.approx(0.25)


def test_fold_terms_by_hand():
    # comments 0-3 hold "oat milk"; "oat" is also in 4; "milk" only inside "oat milk" plus 5;
    # "queue" in 6-7 only; "long queue" in 6-7 (a bigram, stronger than "queue" by G2 here)
    texts = ["oat milk great", "love oat milk", "oat milk again", "oat milk extra charge",
             "oat flakes", "milk foam", "long queue today", "long queue again", "nothing"]
    themes = pd.DataFrame({
        "term": ["oat milk", "oat", "milk", "long queue", "queue", "great"],
        "g2": [30.0, 20.0, 18.0, 15.0, 15.0, 1.0],
        "rising": [True, True, True, True, True, False],
    })
    part = innovation.fold_terms(themes, texts)
    # oat: 4 of its 5 comments (0.8) hold "oat milk" -> folded; milk: 4 of 5 -> folded;
    # queue ties long queue on G2, the longer term leads, queue's 2 comments are all in it
    assert part == ["", "oat milk", "oat milk", "", "long queue", ""]
    assert innovation.fold_terms(themes, texts, overlap=0.9) == ["", "", "", "", "long queue", ""]


def test_emerging_themes_need_latest_and_earlier_wave():
    fb = _feedback()
    data = make_data(make_ratings(n=30), feedback=fb[fb["wave"] != "W3"])
    assert innovation.emerging_themes(data) is None
    assert "latest wave" in THEMES.skip_reason(data, Settings())
    assert innovation.emerging_themes(make_data(make_ratings(n=30))) is None


# ---------------------------------------------------------------------------------------------
# agenda
# ---------------------------------------------------------------------------------------------


def test_driver_importance_and_effects():
    data = make_data(make_ratings(n=400, waves=["W1"]), waves=["W1"])
    imp = innovation.driver_importance(data, n_boot=50).set_index("driver")
    assert imp["rank"].idxmin() == "quality" and "slope" not in imp
    eff = innovation.driver_effects(data, n_boot=200).set_index("driver")
    own = data.own
    x = np.column_stack([np.ones(len(own)), own[["quality", "service", "novelty"]].to_numpy()])
    ref = np.linalg.lstsq(x, own["satisfaction"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(eff.loc[["quality", "service", "novelty"], "coef"], ref[1:], rtol=1e-10)
    assert eff.loc["quality", "coef"] == pytest.approx(1.0, abs=0.15)  # true slope of quality
    assert eff.loc["quality", "ci_low"] <= eff.loc["quality", "coef"] <= eff.loc["quality", "ci_high"]
    assert not eff.attrs["weighted"] and eff.attrs["outcome_sd"] == pytest.approx(own["satisfaction"].std())


def test_competitor_gaps():
    gaps = innovation.competitor_gaps(make_data(make_ratings())).set_index("construct")
    assert gaps.loc["quality", "best_competitor"] == "Rival"
    assert gaps.loc["quality", "gap"] == pytest.approx(1.0, abs=0.3) and gaps.loc["quality", "gap_p_corr"] < 0.05
    assert bool(gaps.loc["novelty", "no_brand_performs"]) and not bool(gaps.loc["quality", "no_brand_performs"])
    assert gaps.loc["novelty", "good_level"] == pytest.approx(1 + 0.6 * 6)
    nocomp = innovation.competitor_gaps(make_data(make_ratings(competitors=False))).set_index("construct")
    assert nocomp["gap"].isna().all() and nocomp["best_competitor"].isna().all()


def test_tenure_segment_detection():
    data = make_data(make_ratings(n=30))
    assert innovation.tenure_segment(data) == ("tenure", "<1 year", ">3 years")
    r = make_ratings(n=30).rename(columns={"tenure": "region"})
    other = make_data(r, cfg=make_config(segments={"region": "Region"}))
    assert innovation.tenure_segment(other) is None


def test_audience_labels():
    assert innovation.audience_label(0.3, 0.1, 0.5, "new", "loyal") == "new"
    assert innovation.audience_label(-0.3, -0.5, -0.1, "new", "loyal") == "loyal"
    assert innovation.audience_label(0.1, -0.1, 0.3, "new", "loyal").startswith("both alike")
    assert innovation.audience_label(np.nan, np.nan, np.nan, "new", "loyal").startswith("cannot be determined")


def test_audience_detects_what_matters_to_new_customers():
    r = make_ratings(n=450, waves=["W1"])
    own = r["brand_kind"] == "own"
    new = own & (r["tenure"] == "<1 year")
    old = own & (r["tenure"] == ">3 years")
    r.loc[new, "satisfaction"] = 6 + 1.5 * (r.loc[new, "service"] - 4.5) + 0.5 * np.random.default_rng(1).normal(
        size=new.sum())
    r.loc[old, "satisfaction"] = 6 + 1.5 * (r.loc[old, "quality"] - 4.0) + 0.5 * np.random.default_rng(2).normal(
        size=old.sum())
    aud = innovation.audience(make_data(r, waves=["W1"]), n_boot=100).set_index("item")
    assert aud.loc["service", "audience"] == "winning new customers"
    assert aud.loc["quality", "audience"] == "deepening loyalty"
    assert aud.loc["service", "basis"] == "Customer since: <1 year vs >3 years"


def test_audience_without_tenure_uses_competitor_raters():
    r = make_ratings(n=200, waves=["W1"]).rename(columns={"tenure": "region"})
    aud = innovation.audience(make_data(r, waves=["W1"], cfg=make_config(segments={"region": "Region"})), n_boot=50)
    assert set(aud["kind"]) == {"construct"} and aud["basis"].str.startswith("competitors'").all()


def test_innovation_agenda_scoring_rule():
    data = make_data(make_ratings(n=300, waves=["W1", "W2"]), waves=["W1", "W2"])
    agenda = innovation.innovation_agenda(data, n_boot=50)
    assert agenda["rank"].tolist() == list(range(1, len(agenda) + 1))
    assert agenda["gain"].is_monotonic_decreasing and (agenda["gain"] > 0).all()
    top = agenda.iloc[0]
    assert top["opportunity"] == "Quality" and top["kind"] == "close a gap" and top["feeds_step"] == 3
    eff = innovation.driver_effects(data, n_boot=50).set_index("driver")
    gaps = innovation.competitor_gaps(data).set_index("construct")
    room = gaps.loc["quality", "best_mean"] - gaps.loc["quality", "own_mean"]
    assert top["room"] == pytest.approx(room)
    assert top["gain"] == pytest.approx(eff.loc["quality", "coef"] * room)
    assert top["importance"] == pytest.approx(eff.loc["quality", "coef"])
    # novelty: nobody performs, but it does not move satisfaction -- a new experience, never a large innovation
    nov = agenda.attrs["considered"].set_index("opportunity").loc["Novelty"]
    assert nov["size"] == "small improvement" and nov["feeds_step"] == 2 and nov["kind"] == "new experience"
    assert nov["target"] == pytest.approx(gaps.loc["novelty", "good_level"])
    assert "Mood" not in set(agenda["opportunity"])  # not a driver
    f = innovation.agenda_finding(agenda)
    assert f["headline"] and f["text"].startswith("Top of the innovation agenda: Quality")
    assert f["value"] == pytest.approx(top["gain"])


def test_agenda_counts_significant_drop_as_lost_ground():
    r = make_ratings(n=300, waves=["W1", "W2"], competitors=False)
    r.loc[r["wave"] == "W1", "service"] += 1.5  # 6.0 in W1, 5.0 in W2: a drop, still above the good level
    r.loc[r["wave"] == "W2", "service"] += 0.5
    data = make_data(r, waves=["W1", "W2"])
    agenda = innovation.innovation_agenda(data, n_boot=50).set_index("opportunity")
    row = agenda.loc["Service"]
    assert row["kind"] == "lost ground" and row["trend"] < -0.8 and row["trend_p_corr"] < 0.05
    assert row["room"] == pytest.approx(-row["trend"])


def test_agenda_includes_concentrate_here_touchpoints():
    r = make_ratings(n=120, waves=["W1"])
    own = r[r["brand_kind"] == "own"]
    rng = np.random.default_rng(7)
    bad = rng.integers(1, 6, len(own))
    r.loc[own.index, "satisfaction"] = 6 + 1.5 * (bad >= 4) - 1.5 * (bad <= 3) + rng.normal(0, 0.5, len(own))
    tp = pd.DataFrame({"respondent": np.repeat(own["respondent"].to_numpy(), 2),
                       "touchpoint": np.tile(["app", "shop"], len(own)),
                       "stage": np.tile(["purchase", "usage"], len(own)),
                       "interface": np.tile(["human_technology", "human_human"], len(own)),
                       "satisfaction": np.column_stack([bad, rng.choice([3, 4, 5], len(own))]).ravel().astype(float)})
    data = make_data(r, waves=["W1"], touchpoints=tp)
    ipa = interface.touchpoint_ipa(data)
    agenda = innovation.innovation_agenda(data, ipa=ipa, n_boot=50)
    app = agenda[agenda["opportunity"] == "app"].iloc[0]
    t = ipa.set_index("touchpoint").loc["app"]
    assert app["kind"] == "fix a touchpoint" and app["feeds_step"] == 4 and app["size"] == "small improvement"
    assert app["gain"] == pytest.approx(t["importance"] * t["n_poor"] / ipa.attrs["n_respondents"])
    assert "shop" not in set(agenda["opportunity"])


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

    def load(name: str):
        if name not in cache:
            cfg = load_config(root / "raw" / name, name)
            process(cfg, root / "processed" / name)
            truth = json.loads((root / "raw" / name / "truth.json").read_text())
            cache[name] = (read_processed(cfg, root / "processed" / name), truth)
        return cache[name]

    return load


def test_planted_wave_shift_and_no_change_coffee(demo):
    data, truth = demo("coffee_house")
    ch = innovation.wave_change_tests(data)
    shift = truth["wave_shift"]
    row = ch[(ch["construct"] == shift["construct"]) & (ch["from_wave"] == shift["from"])
             & (ch["to_wave"] == shift["to"])].iloc[0]
    assert row["significant"] and row["movement"] == shift["direction"]
    assert not ch.loc[ch["construct"] == truth["no_change"], "significant"].any()


def test_planted_wave_shift_software(demo):
    """software_vendor: the planted shift is the strongest change into the latest wave and points the right way.

    With 150 own respondents per wave it is not significant after Holm across all 33 construct x wave
    tests (observed -0.34, p_unc ~ 0.01), so only direction and rank are asserted here.
    """
    data, truth = demo("software_vendor")
    ch = innovation.wave_change_tests(data)
    shift = truth["wave_shift"]
    latest = ch[ch["to_wave"] == shift["to"]].sort_values("p_unc")
    assert latest.iloc[0]["construct"] == shift["construct"]
    assert np.sign(latest.iloc[0]["diff"]) == (1 if shift["direction"] == "up" else -1)
    assert not ch.loc[ch["construct"] == truth["no_change"], "significant"].any()


@pytest.mark.parametrize("client", ["coffee_house", "software_vendor"])
def test_planted_rising_and_stable_theme(demo, client):
    data, truth = demo(client)
    themes = innovation.emerging_themes(data)
    assert themes.attrs["latest"] == truth["rising_theme"]["wave"]
    rising = innovation.rising_themes(themes)
    assert rising.iloc[0]["term"] == truth["rising_theme"]["phrase"].lower()
    flagged = set(themes.loc[themes["rising"], "term"])
    assert not any(truth["stable_theme"]["phrase"].lower() in t for t in flagged)


@pytest.mark.parametrize("client", ["coffee_house", "software_vendor"])
def test_agenda_puts_worst_touchpoint_first(demo, client):
    data, truth = demo(client)
    agenda = innovation.innovation_agenda(data, n_boot=100)
    assert agenda.iloc[0]["opportunity"] == truth["worst_touchpoint"]
    assert set(agenda["feeds_step"]) <= {2, 3, 4} and (agenda["gain_ci_low"] <= agenda["gain"]).all()
    assert agenda["audience"].str.len().gt(0).all()


def test_survey_only_and_single_wave(demo):
    hotel, truth = demo("hotel_group")
    reasons = [s.skip_reason(hotel, Settings()) for s in innovation.SECTIONS]
    assert reasons[0] is None and reasons[1] and reasons[2] is None
    assert innovation.emerging_themes(hotel) is None
    ch = innovation.wave_change_tests(hotel)
    assert ch is not None and not ch.loc[ch["construct"] == truth["no_change"], "significant"].any()
    agenda = innovation.innovation_agenda(hotel, n_boot=50)
    assert agenda is not None and "fix a touchpoint" not in set(agenda["kind"])
    first = hotel.upto(hotel.waves[0])
    assert innovation.tracking(first) is None and innovation.wave_change_tests(first) is None
    assert TRACKING.skip_reason(first, Settings())
    assert innovation.innovation_agenda(first, n_boot=50) is not None
    coffee, _ = demo("coffee_house")
    c1 = coffee.upto(coffee.waves[0])
    assert innovation.emerging_themes(c1) is None and THEMES.skip_reason(c1, Settings())
    assert innovation.innovation_agenda(c1, n_boot=50)["trend"].isna().all()


def test_agenda_finding_explains_an_empty_agenda():
    r = make_ratings(n=200, waves=["W1"], competitors=False)
    r[["quality", "service", "novelty"]] += 2  # every driver above the good level, no competitor, one wave
    agenda = innovation.innovation_agenda(make_data(r, waves=["W1"]), n_boot=20)
    assert agenda.empty and len(agenda.attrs["considered"]) == 3
    text = innovation.agenda_finding(agenda)["text"]
    assert "no competitor ratings" in text and "single wave" in text and "no touchpoint data" in text
    assert "strongest lever to keep is Quality" in text and "points per scale point in the multiple regression" in text


# ---------------------------------------------------------------------------------------------
# comparable before compared: reliability per wave
# ---------------------------------------------------------------------------------------------


def _wave_reliability_data(n=80, seed=9):
    """A 3-item construct 'feel' measured reliably in W1 and W3, as noise in W2."""
    rng = np.random.default_rng(seed)
    r = make_ratings(n=n, seed=seed, competitors=False)
    f = rng.normal(size=len(r))
    noisy = (r["wave"] == "W2").to_numpy()
    for i in range(3):
        r[f"f{i}"] = np.where(noisy, rng.normal(size=len(r)), f + 0.5 * rng.normal(size=len(r))) + 4
    r["feel"] = r[["f0", "f1", "f2"]].mean(axis=1)
    raw = {"brand": "Own", "survey": {"file": "s.csv", "id": "id", "wave": "wave"},
           "constructs": {"quality": {"items": ["q1"]}, "service": {"items": ["s1"]},
                          "feel": {"items": ["f0", "f1", "f2"]}, "satisfaction": {"items": ["osat"], "scale": [1, 10]}},
           "drivers": ["quality", "service"], "outcomes": ["satisfaction"]}
    return make_data(r, cfg=parse_config(raw, "unit"))


def test_wave_reliability_flags_the_planted_wave_in_the_change_table():
    d = _wave_reliability_data()
    rel = innovation.wave_reliability(d)
    assert list(rel["construct"].unique()) == ["feel"]
    assert rel.set_index("wave")["unreliable"].to_dict() == {"W1": False, "W2": True, "W3": False}
    grid = innovation.reliability_grid(rel)
    assert list(grid.columns) == ["construct", "W1", "W2", "W3"] and "\u26a0" in grid.loc[0, "W2"]
    ch = innovation.wave_change_tests(d, reliability=rel)
    feel = ch[ch["construct"] == "feel"].set_index("to_wave")
    assert feel.loc["W2", "unreliable_in"] == "W2" and feel.loc["W3", "unreliable_in"] == "W2"
    assert feel.loc["W2", "min_group_alpha"] == pytest.approx(rel.loc[rel["wave"] == "W2", "alpha"].iloc[0])
    assert (ch.loc[ch["construct"] != "feel", "unreliable_in"] == "").all()
    assert ch.loc[ch["construct"] != "feel", "min_group_alpha"].isna().all()
    text = innovation.tracking_finding(ch)["text"]
    assert "Not reliably measured in every compared wave" in text and "Feel" in text


def test_tracking_finding_without_unreliable_constructs_has_no_caveat():
    d = make_data(make_ratings())
    ch = innovation.wave_change_tests(d)
    assert innovation.wave_reliability(d) is None  # single items only
    assert (ch["unreliable_in"] == "").all()
    assert "reliably" not in innovation.tracking_finding(ch)["text"]


# ---------------------------------------------------------------------------------------------
# the three Sections
# ---------------------------------------------------------------------------------------------


def test_sections_are_the_notebook_headings_in_order():
    assert [type(s) for s in innovation.SECTIONS] == [innovation.TrackingAcrossWaves, innovation.EmergingThemes,
                                                      innovation.InnovationAgenda, innovation.StatedVsBehaviour]
    assert [s.title for s in innovation.SECTIONS] == ["Tracking across waves", "Emerging themes", "Innovation agenda",
                                                      "Stated loyalty against behaviour"]
    assert {s.step for s in innovation.SECTIONS} == {5}
    headings = [line[5:].strip() for line in (REPO / "notebooks" / "05_continuous_innovation.py").read_text(
        encoding="utf-8").splitlines() if line.startswith("# ## ")]
    assert headings == [s.title for s in innovation.SECTIONS if not getattr(s, "optional", False)]


def test_section_skip_reasons_for_clients_lacking_the_data():
    s = Settings(n_boot=20)
    single = make_data(make_ratings(n=60, waves=["W1"]), waves=["W1"])
    assert "single survey wave (W1)" in TRACKING.skip_reason(single, s)
    assert TRACKING.result(single, s) is None
    assert "no verbatim comments" in THEMES.skip_reason(single, s)
    raw = {"brand": "Own", "survey": {"file": "s.csv", "id": "id", "wave": "wave"},
           "constructs": {"quality": {"items": ["q1"]}, "satisfaction": {"items": ["osat"], "scale": [1, 10]}},
           "drivers": ["quality"], "outcomes": ["satisfaction"]}
    one_driver = make_data(make_ratings(n=60, waves=["W1"]), waves=["W1"], cfg=parse_config(raw, "unit"))
    assert "fewer than two drivers" in AGENDA.skip_reason(one_driver, s)
    # drivers declared, but too few complete own-brand rows to weigh them and no touchpoints
    few = make_data(make_ratings(n=12, waves=["W1"]), waves=["W1"])
    assert not innovation.can_weight_drivers(few)
    assert AGENDA.skip_reason(few, s) == "neither drivers nor touchpoints could be weighted"
    assert innovation.innovation_agenda(few, n_boot=20) is None  # what the reason stands for
    enough = make_data(make_ratings(n=60, waves=["W1"]), waves=["W1"])
    assert innovation.can_weight_drivers(enough) and AGENDA.skip_reason(enough, s) is None


def test_section_run_records_a_skip_line_or_the_finding(monkeypatch):
    from cem_research.present import findings

    seen = []
    monkeypatch.setattr(findings, "skip", lambda step, title, reason: seen.append(("skip", step, title, reason)))
    monkeypatch.setattr(findings, "record", lambda step, title, **kw: seen.append(("finding", step, title, kw)))
    data = make_data(make_ratings(n=80, shift=("service", "W3", 0.8)))
    s = Settings(n_boot=20)
    for section in innovation.SECTIONS:
        section.run(data, s, show=False)
    assert [x[:3] for x in seen] == [("finding", 5, "Tracking across waves"), ("skip", 5, "Emerging themes"),
                                     ("finding", 5, "Innovation agenda")]
    assert seen[0][3]["key"] == "movement:service" and seen[1][3] == THEMES.skip_reason(data, s)


def test_tracking_section_result_findings_and_presentation():
    data = make_data(make_ratings(shift=("service", "W3", 0.8)))
    s = Settings(n_boot=20)
    res = TRACKING.result(data, s)
    assert isinstance(res, innovation.TrackingResult)
    assert res.changes.equals(innovation.wave_change_tests(data)) and res.reliability is None
    assert res.nps["nps"].tolist() == pytest.approx(innovation.nps_by_wave(data)["nps"].tolist())
    [f] = TRACKING.findings(res, data, s)
    assert f["key"] == "movement:service" and f["headline"]
    # the one set of formatters: intervals and p-values read the same as in every other step
    assert "(95% CI " in f["text"] and "[" not in f["text"] and "p = 0." not in f["text"]
    shown = TRACKING.present(res, data, s)
    # no reliability grid (single items); the NPS and main-outcome trend chart comes last
    assert [x.kind for x in shown] == ["table", "table", "figure", "table", "figure"]
    assert shown[-1].caption.startswith("Trend chart")
    assert all(isinstance(x, Shown) for x in shown)
    assert shown[0].caption == "Own brand per wave: mean with 95% CI" and "construct" not in shown[0].content
    assert shown[1].caption == "Wave-over-wave changes (to minus from); Holm across all 12 tests"
    assert "Small multiples" in shown[2].caption
    import matplotlib.pyplot as plt

    plt.close("all")


def test_tracking_section_uses_the_reliability_threshold_of_the_settings():
    d = _wave_reliability_data()
    strict = TRACKING.result(d, Settings(n_boot=20))
    lax = TRACKING.result(d, Settings(n_boot=20, reliability_threshold=-1.0))
    feel = strict.changes[strict.changes["construct"] == "feel"]
    assert (feel["unreliable_in"] == "W2").all()
    assert (lax.changes["unreliable_in"] == "").all() and not lax.reliability["unreliable"].any()
    assert "Not reliably measured" not in TRACKING.findings(lax, d, Settings(reliability_threshold=-1.0))[0]["text"]
    text = TRACKING.findings(strict, d, Settings(n_boot=20))[0]["text"]
    assert "Cronbach's alpha < .70): Feel" in text
    grid = TRACKING.present(strict, d, Settings(n_boot=20))[1]
    assert grid.caption.endswith("(\u26a0 below .70)") and "\u26a0" in grid.content.loc[0, "W2"]
    import matplotlib.pyplot as plt

    plt.close("all")


def test_themes_section_result_findings_and_presentation():
    data = make_data(make_ratings(n=30), feedback=_feedback())
    s = Settings()
    themes = THEMES.result(data, s)
    assert themes.attrs["latest"] == "W3"
    [f] = THEMES.findings(themes, data, s)
    assert f["key"] == "rising_theme" and f["value"] == pytest.approx(0.25)
    assert "“oat milk” in 25% (95% CI " in f["text"]
    table, compact = THEMES.present(themes, data, s)  # the full table (appendix) and the client's compact one
    assert (table.layer, compact.layer) == ("appendix", "client")
    assert list(compact.content.columns) == ["term", "reference_share", "target_share", "change", "p_corr"]
    assert compact.content["change"].iloc[0].startswith("+") and compact.content["term"].iloc[0] == "oat milk"
    assert table.kind == "table" and table.content["term"].iloc[0] == "oat milk"
    assert table.options["percent"] == ("share_W1", "share_W2", "share_W3", "latest_ci_low", "latest_ci_high")
    assert table.caption == "Themes rising in W3 (80 comments) against earlier waves (160 comments)"


def test_agenda_section_reuses_the_tracking_section_and_passes_the_settings(monkeypatch):
    from cem_research.steps.innovation import agenda as agenda_module

    data = make_data(make_ratings(n=300, waves=["W1", "W2"]), waves=["W1", "W2"])
    s = Settings(n_boot=30, seed=11)
    changes = TRACKING.result(data, s).changes

    def refuse(*args, **kwargs):
        raise AssertionError("the agenda must take the wave changes from the tracking section")

    monkeypatch.setattr(agenda_module, "wave_change_tests", refuse)
    res = AGENDA.result(data, s)
    direct = innovation.innovation_agenda(data, changes=changes, n_boot=30, seed=11)
    pd.testing.assert_frame_equal(res, direct)
    other = AGENDA.result(data, Settings(n_boot=30, seed=12))
    assert other["gain"].tolist() == pytest.approx(res["gain"].tolist())  # point estimates do not resample
    assert other["gain_ci_low"].tolist() != pytest.approx(res["gain_ci_low"].tolist())  # the seed is used
    [f] = AGENDA.findings(res, data, s)
    assert f["text"].startswith("Top of the innovation agenda: Quality") and f["value"] == pytest.approx(
        res["gain"].iloc[0])
    assert "satisfaction points" in f["text"]  # stated on the main outcome
    shown = AGENDA.present(res, data, s)
    assert [(x.kind, x.layer) for x in shown] == [("table", "appendix"), ("table", "appendix"), ("figure", "client"),
                                                  ("table", "client")]
    assert shown[1].caption.startswith("Regression behind the drivers' gains")
    assert {"feeds_step", "label"}.isdisjoint(shown[0].content.columns)
    assert len(shown[3].content.columns) <= 6 and list(shown[3].content["rank"]) == list(res["rank"])[:10]
    assert shown[0].caption == "Innovation agenda, ranked by expected gain in satisfaction points"
    assert shown[2].caption.startswith("Dot chart: expected gain in satisfaction")
    effects = res.attrs["effects"]  # the regression table shows the coefficients the gains use
    assert shown[1].content["coefficient" if "coefficient" in shown[1].content else "coef"].tolist() == \
        effects["coef"].tolist()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_agenda_is_stated_on_the_declared_main_outcome():
    raw_cfg = make_config()
    data = make_data(make_ratings(n=200, waves=["W1"]), waves=["W1"])
    assert data.main_outcome == "satisfaction"
    import dataclasses

    cfg = dataclasses.replace(raw_cfg, main_outcome="recommend")
    other = make_data(make_ratings(n=200, waves=["W1"]), waves=["W1"], cfg=cfg)
    agenda = AGENDA.result(other, Settings(n_boot=20))
    assert agenda.attrs["outcome"] == "recommend"
    assert innovation.driver_importance(other, n_boot=20)["outcome"].iloc[0] == "recommend"


def test_unweighted_note_only_for_weighted_clients():
    from cem_research.steps.world import UnweightedNote

    plain = make_data(make_ratings(n=30))
    assert UnweightedNote(5).run(plain, Settings(), show=False) is None
    weighted = make_data(make_ratings(n=30).assign(weight=1.0))
    note = UnweightedNote(5).run(weighted, Settings(), show=False)
    assert "Unweighted:" in note.data and "emerging themes" in note.data


# ---------------------------------------------------------------------------------------------
# the step's figures (present/plots/innovation.py)
# ---------------------------------------------------------------------------------------------


def test_tracking_figure_has_one_panel_per_construct():
    import matplotlib.pyplot as plt

    from cem_research.present.plots import innovation as innovation_plots

    data = make_data(make_ratings(shift=("service", "W3", 0.8)))
    fig = innovation_plots.tracking_figure(innovation.tracking(data), innovation.wave_change_tests(data))
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6 and visible[3].get_title() == "Service (driver, 1\u20137)"
    assert len(visible[3].collections) == 2  # the interval band and the movement marker
    assert len(visible[2].collections) == 1  # quality did not move: band only
    plt.close(fig)


def test_agenda_chart_draws_on_the_given_axes_in_the_agenda_colours():
    import matplotlib.pyplot as plt

    from cem_research.present import plots
    from cem_research.present.plots import innovation as innovation_plots

    agenda = innovation.innovation_agenda(make_data(make_ratings(n=300, waves=["W1", "W2"]), waves=["W1", "W2"]),
                                          n_boot=20)
    palette = innovation_plots.agenda_palette(agenda)
    assert palette["1. Quality"] == innovation_plots.SMALL != plots.OWN  # red is the own brand only
    assert innovation_plots.agenda_palette(agenda.assign(size="large innovation"))["1. Quality"] == innovation_plots.LARGE
    fig, ax = plt.subplots()
    assert innovation_plots.agenda_chart(agenda, ax=ax) is ax
    assert "expected gain in satisfaction" in ax.get_xlabel() and "n = " in ax.get_xlabel()
    plt.close(fig)


@pytest.mark.parametrize("client", ["coffee_house", "hotel_group"])
def test_sections_on_demo_clients(demo, client):
    """Each section over a demo client: the planted truths through the Section API."""
    import matplotlib.pyplot as plt

    data, truth = demo(client)
    s = Settings(n_boot=50)
    tracked = TRACKING.result(data, s)
    [f] = TRACKING.findings(tracked, data, s)
    shift = truth["wave_shift"]
    assert f["key"] == f"movement:{shift['construct']}" and (f["value"] > 0) == (shift["direction"] == "up")
    agenda = AGENDA.result(data, s)
    [fa] = AGENDA.findings(agenda, data, s)
    assert fa["headline"] and fa["value"] == pytest.approx(agenda["gain"].iloc[0]) and fa["value"] > 0
    if client == "coffee_house":
        themes = THEMES.result(data, s)
        [ft] = THEMES.findings(themes, data, s)
        assert f"“{truth['rising_theme']['phrase'].lower()}”" in ft["text"]
        assert agenda["opportunity"].iloc[0] == truth["worst_touchpoint"]
        assert len(TRACKING.present(tracked, data, s)) == 6  # + reliability grid, NPS and the trend chart
    else:
        assert THEMES.skip_reason(data, s) and THEMES.result(data, s) is None
        assert "fix a touchpoint" not in set(agenda["kind"])
    plt.close("all")


def test_audience_verdicts_are_bonferroni_corrected():
    """'winning new customers' only when the interval, widened for the m items compared, excludes 0."""
    import pandas as pd
    from scipy.stats import norm

    from cem_research.steps.innovation.audience import bonferroni_audience

    t = pd.DataFrame({"item": ["a", "b", "c"], "kind": "construct", "importance_new": 0.0, "importance_loyal": 0.0,
                      "diff": [0.5, 0.12, -0.5], "diff_ci_low": [0.3, 0.02, -0.7], "diff_ci_high": [0.7, 0.22, -0.3],
                      "audience": "", "basis": "x"})
    out = bonferroni_audience(t)
    ratio = norm.ppf(1 - 0.025 / 3) / norm.ppf(0.975)
    assert out.loc[0, "diff_ci_high"] - out.loc[0, "diff_ci_low"] == pytest.approx(0.4 * ratio)
    assert list(out["audience"]) == ["winning new customers", "both alike (no clear difference)",
                                     "deepening loyalty"]
