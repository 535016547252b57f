"""Survey weighting (weighting.py): raking on hand-computed examples, trimming, validation, processing,
weighted estimates, the notebook section and the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cem_research import stats
from cem_research.stats import weighting
from cem_research.steps.world import weighting as wsec
from cem_research.client.config import load_config, parse_config
from cem_research.client.data import ClientData, read_processed
from cem_research.client.errors import ContractError
from conftest import run_captured

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "fixtures" / "tiny_client"
AGE = {"18-29": 0.25, "30-44": 0.30, "45-59": 0.25, "60+": 0.20}


# ---------------------------------------------------------------------------------------------
# raking: hand-computed examples
# ---------------------------------------------------------------------------------------------


def _cells(counts):
    """Code arrays for a 2x2 sample table given as [[n11, n12], [n21, n22]]."""
    a, b = [], []
    for i in range(2):
        for j in range(2):
            a += [i] * counts[i][j]
            b += [j] * counts[i][j]
    return np.array(a), np.array(b)


def test_rake_independent_sample_gives_product_of_ratios():
    # sample A 60/40, B 50/50, independent; targets A 50/50, B 30/70: w_ij = (tA_i/pA_i) (tB_j/pB_j)
    a, b = _cells([[6, 6], [4, 4]])
    r = weighting.rake([a, b], [[0.5, 0.5], [0.3, 0.7]])
    expected = {(0, 0): 0.5 / 0.6 * 0.3 / 0.5, (0, 1): 0.5 / 0.6 * 0.7 / 0.5,
                (1, 0): 0.5 / 0.4 * 0.3 / 0.5, (1, 1): 0.5 / 0.4 * 0.7 / 0.5}
    assert r.converged
    for (i, j), w in expected.items():
        np.testing.assert_allclose(r.weights[(a == i) & (b == j)], w, atol=1e-10)


def test_rake_2x2_matches_the_analytic_solution():
    # sample cells 30, 10 / 20, 40 (N = 100), targets 50/50 on both margins. IPF keeps the sample odds
    # ratio theta = 30*40 / (10*20) = 6, so the fitted shares are x, .5-x / .5-x, x with
    # x^2 / (.5-x)^2 = 6  ->  x = .5 sqrt(6) / (1 + sqrt(6)); weight = fitted share / sample share.
    a, b = _cells([[30, 10], [20, 40]])
    r = weighting.rake([a, b], [[0.5, 0.5], [0.5, 0.5]], tolerance=1e-13)
    x = 0.5 * np.sqrt(6) / (1 + np.sqrt(6))
    expected = {(0, 0): x / 0.30, (0, 1): (0.5 - x) / 0.10, (1, 0): (0.5 - x) / 0.20, (1, 1): x / 0.40}
    assert r.converged and r.max_error <= 1e-13
    for (i, j), w in expected.items():
        np.testing.assert_allclose(r.weights[(a == i) & (b == j)], w, rtol=1e-9)
    assert r.weights.mean() == pytest.approx(1.0, abs=1e-12)


def test_rake_reproduces_margins_of_three_variables():
    rng = np.random.default_rng(3)
    n = 500
    codes = [rng.choice(4, n, p=[0.1, 0.2, 0.3, 0.4]), rng.choice(2, n, p=[0.7, 0.3]),
             rng.choice(3, n, p=[0.5, 0.3, 0.2])]
    targets = [np.array([0.25, 0.25, 0.25, 0.25]), np.array([0.5, 0.5]), np.array([0.2, 0.3, 0.5])]
    r = weighting.rake(codes, targets)
    assert r.converged
    for c, t in zip(codes, targets):
        got = np.bincount(c, weights=r.weights, minlength=t.size) / r.weights.sum()
        np.testing.assert_allclose(got, t, atol=1e-8)
    assert r.weights.mean() == pytest.approx(1.0)


def test_rake_with_base_weights_and_bad_input():
    a, b = _cells([[6, 6], [4, 4]])
    base = np.where(a == 0, 2.0, 1.0)
    r = weighting.rake([a, b], [[0.5, 0.5], [0.3, 0.7]], base=base)
    got = np.bincount(a, weights=r.weights) / r.weights.sum()
    np.testing.assert_allclose(got, [0.5, 0.5], atol=1e-9)
    with pytest.raises(ValueError, match="no respondent"):
        weighting.rake([np.zeros(4, int)], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="positive"):
        weighting.rake([a], [[0.5, 0.5]], base=-np.ones(a.size))


def _feasible(codes, targets, low, high) -> bool:
    """Whether weights in [low, high] with mean 1 can meet the targets (a linear programme)."""
    from scipy.optimize import linprog

    n = codes[0].size
    A = [(c == lev).astype(float) for c, t in zip(codes, targets) for lev in range(len(t))]
    b = [t[lev] * n for t in targets for lev in range(len(t))]
    return linprog(np.zeros(n), A_eq=np.array(A), b_eq=np.array(b), bounds=[(low, high)] * n).status == 0


def test_trimming_bounds_respected_and_margins_met():
    rng = np.random.default_rng(3)
    n = 400
    codes = [rng.choice(3, n, p=[0.5, 0.3, 0.2]), rng.choice(2, n, p=[0.7, 0.3])]
    targets = [np.array([0.3, 0.3, 0.4]), np.array([0.5, 0.5])]
    untrimmed = weighting.rake(codes, targets)
    assert untrimmed.weights.max() > 4  # the example needs trimming ...
    assert _feasible(codes, targets, 0.3, 3.0)  # ... and can be trimmed to [0.3, 3]
    r = weighting.rake(codes, targets, trim=(0.3, 3.0))
    assert r.converged
    assert r.weights.min() >= 0.3 - 1e-12 and r.weights.max() <= 3.0 + 1e-12
    assert r.weights.max() == pytest.approx(3.0)  # the bound binds
    assert r.weights.mean() == pytest.approx(1.0, abs=1e-12)
    for c, t in zip(codes, targets):
        np.testing.assert_allclose(np.bincount(c, weights=r.weights) / r.weights.sum(), t, atol=1e-8)


def test_infeasible_trim_is_reported_not_hidden():
    rng = np.random.default_rng(5)
    codes = [rng.choice(3, 400, p=[0.5, 0.3, 0.2]), rng.choice(2, 400, p=[0.8, 0.2])]
    targets = [np.array([0.3, 0.3, 0.4]), np.array([0.5, 0.5])]
    assert not _feasible(codes, targets, 0.3, 3.0)
    r = weighting.rake(codes, targets, trim=(0.3, 3.0), max_iter=200)
    assert not r.converged and r.max_error > 0.05
    assert r.weights.min() >= 0.3 - 1e-12 and r.weights.max() <= 3.0 + 1e-12
    assert r.weights.mean() == pytest.approx(1.0)


def test_trim_weights():
    w = weighting.trim_weights([0.01, 0.5, 1, 1, 1, 1, 12.0], 0.3, 3.0)
    assert w.min() >= 0.3 and w.max() <= 3.0 + 1e-12
    assert w.mean() == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(weighting.trim_weights([2, 2, 2], 0.5, 2), [1, 1, 1])
    with pytest.raises(ValueError):
        weighting.trim_weights([1, 2], 1.5, 3)


# ---------------------------------------------------------------------------------------------
# effective n and weighted estimates
# ---------------------------------------------------------------------------------------------


def test_effective_sample_size_formula():
    w = np.array([0.5, 1.0, 1.5, 2.0, 0.25])
    assert stats.effective_sample_size(w) == pytest.approx(w.sum() ** 2 / (w**2).sum())
    # Kish: n / n_eff = 1 + CV^2 (population CV)
    cv = w.std() / w.mean()
    assert w.size / stats.effective_sample_size(w) == pytest.approx(1 + cv**2)
    assert stats.effective_sample_size(np.ones(7)) == pytest.approx(7)


@pytest.fixture
def frame():
    rng = np.random.default_rng(11)
    n = 90
    return pd.DataFrame({
        "x": rng.normal(5, 1.2, n).round(1), "ltr": rng.integers(0, 11, n).astype(float),
        "g": np.repeat(["a", "b", "c"], n // 3), "wave": np.tile(["W1", "W2", "W3"], n // 3),
        "one": 1.0})


def _close(a: pd.DataFrame, b: pd.DataFrame, cols):
    for c in cols:
        np.testing.assert_allclose(a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float), rtol=1e-7, atol=1e-9,
                                   err_msg=c)


def test_weighted_estimates_equal_unweighted_when_all_weights_are_one(frame):
    _close(stats.mean_ci(frame, "x", by="g"), stats.mean_ci(frame, "x", by="g", weights="one"),
           ["n", "mean", "sd", "ci_low", "ci_high", "n_eff"])
    _close(stats.share_ci(frame, "g"), stats.share_ci(frame, "g", weights="one"), ["share", "ci_low", "ci_high"])
    _close(stats.nps(frame, "ltr", by="g"), stats.nps(frame, "ltr", by="g", weights="one"),
           ["nps", "ci_low", "ci_high"])
    _close(stats.compare_groups(frame, "x", "g"), stats.compare_groups(frame, "x", "g", weights="one"),
           ["diff", "se", "T", "df", "ci_low", "ci_high", "p_unc"])
    _close(stats.wave_changes(frame, "x", "wave", ["W1", "W2", "W3"]),
           stats.wave_changes(frame, "x", "wave", ["W1", "W2", "W3"], weights="one"),
           ["diff", "ci_low", "ci_high", "T", "df", "p_unc", "hedges"])
    _close(stats.compare_to_reference(frame, ["x", "ltr"], "g", "a"),
           stats.compare_to_reference(frame, ["x", "ltr"], "g", "a", weights="one"),
           ["diff", "ci_low", "ci_high", "T", "df", "p_unc", "p_corr", "hedges"])


def test_compare_to_reference_uses_weights(frame):
    f = frame.assign(w=np.where(frame["x"] > 5, 3.0, 1.0))
    plain = stats.compare_to_reference(f, "x", "g", "a")
    weighted = stats.compare_to_reference(f, "x", "g", "a", weights="w")
    assert (weighted["mean_ref"] > plain["mean_ref"]).all()
    assert (weighted["n_ref"] == plain["n_ref"]).all()


# ---------------------------------------------------------------------------------------------
# validation: one line, naming client and client.yaml
# ---------------------------------------------------------------------------------------------


def _spec(weighting_raw, segments=None):
    """The parsed ``weighting:`` of a small contract (``cfg.weighting``)."""
    return _cfg(weighting_raw, segments).weighting


def _cfg(weighting_raw, segments=None):
    raw = {"brand": "Own", "survey": {"file": "survey.csv", "id": "id", "wave": "wave"},
           "constructs": {"sat": {"items": ["sat"], "scale": [1, 10]}},
           "segments": segments if segments is not None else {"age_group": "Age group", "cust": "Customer type"},
           "weighting": weighting_raw}
    return parse_config(raw, "unit")


@pytest.mark.parametrize("raw, match", [
    ({"targets": {"age_group": {"18-29": 0.5, "30+": 0.4}}}, "must sum to 1, they sum to 0.9"),
    ({"targets": {"age_grop": {"a": 0.5, "b": 0.5}}}, "did you mean 'age_group'"),
    ({"targets": {"age_group": {"a": 0.5, "b": 0.5}}, "trm": [0.3, 3]}, "did you mean 'trim'"),
    ({"targets": {}}, "must map segment columns"),
    ({"targets": {"age_group": {"a": 1.0}}}, "at least two levels"),
    ({"targets": {"age_group": {"a": -0.5, "b": 1.5}}}, "must be a number in"),
    ({"targets": {"age_group": {"a": 0.5, "b": 0.5}}, "trim": [2, 3]}, "0 < low <= 1 <= high"),
    ({"targets": {"age_group": {"a": 0.5, "b": 0.5}}, "by_wave": "yes please"}, "true or false"),
    ({"targets": {"age_group": {True: 0.5, "b": 0.5}}}, "quote"),
    ("raking", "must be a mapping"),
])
def test_validation_errors_are_one_line(raw, match):
    with pytest.raises(ContractError, match=match) as err:
        _cfg(raw)  # refused when client.yaml is loaded
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("client 'unit', file 'client.yaml'")


def test_valid_spec_defaults():
    from cem_research.client.options.weighting import DEFAULT_TRIM

    spec = _spec({"targets": {"age_group": {"a": 0.333, "b": 0.333, "c": 0.334}}})
    assert spec.by_wave is True and spec.trim == DEFAULT_TRIM
    assert sum(spec.targets["age_group"].values()) == pytest.approx(1.0, abs=1e-15)
    spec = _spec({"targets": {"cust": {"b2b": 0.3, "b2c": 0.7}}, "trim": None, "by_wave": False})
    assert spec.trim is None and spec.by_wave is False
    assert parse_config({"brand": "O", "survey": {"file": "s.csv"}, "constructs": {"a": ["a"]}}, "unit").weighting is None


def _ratings(n=60, seed=0, waves=("W1", "W2")):
    """Own-brand rows where young respondents are under-sampled and score higher; 10 competitor rows."""
    rng = np.random.default_rng(seed)
    age = rng.choice(["young", "old"], n, p=[0.2, 0.8])
    cust = rng.choice(["b2b", "b2c"], n, p=[0.5, 0.5])
    own = pd.DataFrame({"source": "survey", "row": np.arange(2, n + 2), "respondent": [f"r{i}" for i in range(n)],
                        "wave": np.resize(np.array(waves), n), "brand": "Own", "brand_kind": "own",
                        "age_group": age, "cust": cust,
                        "sat": np.where(age == "young", 8.0, 5.0) + rng.normal(0, 0.5, n)})
    comp = own.head(10).assign(source="competitor_ratings", brand="Rival", brand_kind="direct", age_group="old")
    return pd.concat([own, comp], ignore_index=True)


def test_levels_without_target_and_targets_without_level():
    r = _ratings(n=200)
    cfg = _cfg({"targets": {"age_group": {"young": 0.5, "old": 0.5}}})
    weights, meta = weighting.compute_weights(cfg, r)
    assert meta["waves"][0]["converged"]
    r2 = r.copy()
    r2.loc[3, "age_group"] = "middle"
    with pytest.raises(ContractError) as err:
        weighting.compute_weights(cfg, r2)
    msg = str(err.value)
    assert "\n" not in msg and "column 'age_group'" in msg and "level 'middle'" in msg and "row 5" in msg
    cfg3 = _cfg({"targets": {"age_group": {"young": 0.4, "old": 0.4, "middle": 0.2}}})
    with pytest.raises(ContractError) as err:
        weighting.compute_weights(cfg3, r)
    msg = str(err.value)
    assert "\n" not in msg and "client.yaml" in msg and "column 'age_group'" in msg and "'middle'" in msg
    assert "wave 'W1'" in msg
    r4 = r.copy()
    r4.loc[7, "age_group"] = np.nan
    with pytest.raises(ContractError, match="blank answer in weighting column") as err:
        weighting.compute_weights(cfg, r4)
    assert "row 9" in str(err.value)


def test_weights_move_the_mean_towards_the_target_mix():
    r = _ratings(n=200)
    cfg = _cfg({"targets": {"age_group": {"young": 0.5, "old": 0.5}, "cust": {"b2b": 0.5, "b2c": 0.5}}})
    out, meta = weighting.apply_weighting(cfg, r)
    own = out[out["brand_kind"] == "own"]
    for wv, sub in own.groupby("wave"):
        assert sub["weight"].mean() == pytest.approx(1.0)
        young = sub.loc[sub["age_group"] == "young", "weight"].sum() / sub["weight"].sum()
        assert young == pytest.approx(0.5, abs=1e-8)
    assert (out.loc[out["brand_kind"] != "own", "weight"] == 1).all()
    plain = stats.mean_ci(own, "sat")["mean"].iloc[0]
    weighted = stats.mean_ci(own, "sat", weights="weight")["mean"].iloc[0]
    assert weighted > plain + 0.5  # the under-sampled young score higher
    assert list(out.columns).index("weight") == list(out.columns).index("brand_kind") + 1
    assert {w["wave"] for w in meta["waves"]} == {"W1", "W2"}
    json.dumps(meta)  # stored in meta.json


def test_pooled_raking_by_wave_false():
    r = _ratings(n=120)
    cfg = _cfg({"targets": {"age_group": {"young": 0.5, "old": 0.5}}, "by_wave": False})
    out, meta = weighting.apply_weighting(cfg, r)
    own = out[out["brand_kind"] == "own"]
    young = own.loc[own["age_group"] == "young", "weight"].sum() / own["weight"].sum()
    assert young == pytest.approx(0.5, abs=1e-8)
    assert own["weight"].mean() == pytest.approx(1.0)
    assert [w["wave"] for w in meta["waves"]] == ["all waves"]


def test_client_without_weighting_is_untouched():
    r = _ratings()
    cfg = parse_config({"brand": "Own", "survey": {"file": "s.csv", "id": "id", "wave": "wave"},
                        "constructs": {"sat": {"items": ["sat"], "scale": [1, 10]}},
                        "segments": {"age_group": "Age"}}, "unit")
    out, meta = weighting.apply_weighting(cfg, r)
    assert out is r and meta is None
    data = ClientData(cfg, r, meta={"waves": ["W1", "W2"]})
    assert data.weight is None
    assert wsec.section_intro(data) is None and wsec.unweighted_note(data, 1) is None
    assert wsec.margins_table(data) is None and wsec.weight_summary(data) is None


# ---------------------------------------------------------------------------------------------
# processing, notebook section and report on the tiny client with targets
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def weighted_tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("weighted")
    folder = root / "tinyw"
    shutil.copytree(TINY, folder)
    raw = yaml.safe_load((folder / "client.yaml").read_text())
    raw["weighting"] = {"targets": {"age_group": AGE, "role": {"purchaser": 0.4, "user": 0.6}}, "trim": [0.3, 4.0]}
    (folder / "client.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    from cem_research.client.processing import process

    cfg = load_config(folder)
    meta = process(cfg, root / "processed", force=True)
    return read_processed(cfg, root / "processed"), meta


def test_processing_stores_weights_and_summary(weighted_tiny):
    data, meta = weighted_tiny
    assert data.weight == "weight"
    own = data.own
    assert np.allclose(own.groupby("wave")["weight"].mean(), 1.0)
    assert (data.ratings.loc[data.ratings["brand_kind"] != "own", "weight"] == 1).all()
    assert {w["wave"] for w in meta["weighting"]["waves"]} == set(data.waves)
    assert all(w["converged"] for w in meta["weighting"]["waves"])
    margins = wsec.margins_table(data)
    np.testing.assert_allclose(margins["weighted_share"], margins["target"], atol=1e-8)
    summary = wsec.weight_summary(data)
    assert list(summary["wave"]) == [*data.waves, "all waves"]
    np.testing.assert_allclose(summary["deff"], 1 + summary["cv"] ** 2)
    f = wsec.weighting_finding(margins, summary)
    assert "design effect" in f["text"] and "Every weighted margin matches its target" in f["text"]
    assert f["value"] == pytest.approx(summary["deff"].iloc[-1])


def test_weighting_is_part_of_the_fingerprint():
    from cem_research.client import processing
    from cem_research.client.paths import PACKAGE_DIR
    from cem_research.stats import weighting

    module = Path(weighting.__file__).resolve().relative_to(PACKAGE_DIR)
    assert module.parts[0] in processing.CODE_PARTS


def test_section_intro_renders_as_a_section_in_the_report(weighted_tiny):
    from cem_research.present.report import Doc
    from cem_research.present.report.appendix import weighting_methods

    data, meta = weighted_tiny
    intro = wsec.section_intro(data)
    text, md = intro._repr_markdown_()
    assert text.startswith(f"## {wsec.SECTION}")
    doc = Doc()
    doc.add_output({"output_type": "display_data", "data": {"text/markdown": text}, "metadata": {"text/markdown": md}})
    doc.add_output({"output_type": "display_data", "data": {"text/markdown": "## plain"}, "metadata": {}})
    assert (3, "survey-weighting", wsec.SECTION) in doc.headings
    assert '<h4 id="plain">' in doc.parts[-1]
    assert "raking" in weighting_methods(Doc(), meta) and weighting_methods(Doc(), {}) == ""
    note = wsec.unweighted_note(data, 2)
    assert "Unweighted:" in note.data and "relative weights" in note.data


def test_weighted_client_runs_the_weighted_step_functions(weighted_tiny):
    from cem_research.steps import innovation, platform, world

    data, _ = weighted_tiny
    prof = world.brand_profiles(data)
    own = prof[(prof["level"] == data.config.brand)].set_index("construct")["mean"]
    assert own["satisfaction"] == pytest.approx(np.average(data.own["satisfaction"], weights=data.own["weight"]))
    tests = world.brand_tests(data)
    t = tests[(tests["comparison"] == "brand") & (tests["construct"] == "satisfaction")].iloc[0]
    assert t["mean_own"] == pytest.approx(own["satisfaction"])
    pt = platform.profile_tests(data)
    assert pt["mean_ref"].notna().all()
    gaps = innovation.competitor_gaps(data)
    latest = data.own[data.own["wave"] == data.latest_wave]
    assert gaps.set_index("construct").loc["sensory", "own_mean"] == pytest.approx(
        np.average(latest["sensory"], weights=latest["weight"]))


# ---------------------------------------------------------------------------------------------
# the fitness_club demo client: declares weighting and plants a segment with an unreliable scale
# ---------------------------------------------------------------------------------------------

FITNESS = REPO / "data" / "raw" / "fitness_club"


@pytest.fixture(scope="module")
def fitness(tmp_path_factory):
    if not (FITNESS / "client.yaml").is_file() or not (FITNESS / "truth.json").is_file():
        pytest.skip("the fitness_club demo client is not in data/raw")
    from cem_research.client.processing import process

    out = tmp_path_factory.mktemp("fitness") / "processed"
    cfg = load_config(FITNESS)
    meta = process(cfg, out, force=True)
    return read_processed(cfg, out), meta, json.loads((FITNESS / "truth.json").read_text())


def test_fitness_club_weighting_moves_the_planted_mean(fitness):
    data, meta, truth = fitness
    t = truth.get("weighting")
    if not t:
        pytest.skip("truth.json has no 'weighting' key")
    assert data.weight == "weight" and "weighting" in meta
    own = data.own
    assert np.allclose(own.groupby("wave")["weight"].mean(), 1.0)
    plain = stats.mean_ci(own, t["construct"])["mean"].iloc[0]
    weighted = stats.mean_ci(own, t["construct"], weights="weight")["mean"].iloc[0]
    assert plain == pytest.approx(t["unweighted_mean"], abs=0.01)
    assert (weighted > plain) == (t["direction"] == "up")
    margins = wsec.margins_table(data)
    pooled = margins.groupby("level")["n"].sum() / margins.groupby("level")["n"].sum().sum()
    for level, share in t["sample_shares"].items():
        assert pooled[level] == pytest.approx(share, abs=0.01)
    # every wave either meets the targets or says by how much it misses them
    for w in meta["weighting"]["waves"]:
        assert w["converged"] or w["max_margin_error"] > 0
    f = wsec.weighting_finding(margins, wsec.weight_summary(data))
    assert "design effect" in f["text"]


def test_fitness_club_planted_unreliable_segment_is_flagged(fitness):
    from cem_research.steps import world

    data, _, truth = fitness
    u = truth.get("unreliable_segment")
    if not u:
        pytest.skip("truth.json has no 'unreliable_segment' key")
    rel = world.segment_reliability(data)
    sub = rel[(rel["segment"] == u["segment"]) & (rel["construct"] == u["construct"])].set_index("level")
    assert sub.loc[u["level"], "unreliable"]
    assert not sub.drop(index=u["level"])["unreliable"].any()  # reliable in the other levels
    groups = stats.group_reliability(data.own, list(data.config.constructs[u["construct"]].items), u["segment"])
    assert groups.loc[groups["unreliable"], u["segment"]].tolist() == [u["level"]]
    tests = world.segment_tests(data, reliability=rel)
    row = tests[(tests["segment"] == u["segment"]) & (tests["construct"] == u["construct"])].iloc[0]
    assert row["unreliable_in"] == u["level"]


# ----------------------------------------------------------------------------- the Section


def test_weighting_section_equals_the_functions(fitness, monkeypatch):
    data = fitness[0]
    section = wsec.SurveyWeighting()
    assert section.step == 1 and section.title == "Survey weighting" and section.optional
    result, shown, recorded = run_captured(section, data, monkeypatch)
    margins, summary = wsec.margins_table(data), wsec.weight_summary(data)
    pd.testing.assert_frame_equal(result.margins, margins)
    pd.testing.assert_frame_equal(result.summary, summary)
    assert recorded == [("record", (1, "Survey weighting"), wsec.weighting_finding(margins, summary))]
    assert [(s.kind, s.layer) for s in shown] == [
        ("markdown", "appendix"), ("table", "appendix"), ("table", "appendix"), ("figure", "client"),
        ("table", "client")]
    assert list(shown[-1].content.columns) == ["wave", "n", "n_eff", "deff", "converged"]
    assert "column" not in shown[1].content and shown[1].options["percent"][0] == "sample_share"
    assert "survey weights" in shown[3].caption and "trim bounds" in shown[3].caption


def test_weighting_section_and_note_silent_without_weighting(monkeypatch):
    from cem_research.steps.section import Settings

    cfg = load_config(Path(__file__).parent / "fixtures" / "tiny_client")
    data = ClientData(cfg, pd.DataFrame({"wave": ["W1"], "brand_kind": ["own"]}))
    assert wsec.SurveyWeighting().skip_reason(data, Settings()).startswith("the client declares no 'weighting:'")
    assert run_captured(wsec.SurveyWeighting(), data, monkeypatch) == (None, [], [])
    assert run_captured(wsec.UnweightedNote(2), data, monkeypatch) == (None, [], [])


def test_unweighted_note_section_shows_the_note_only(fitness, monkeypatch):
    data = fitness[0]
    result, shown, recorded = run_captured(wsec.UnweightedNote(2), data, monkeypatch)
    assert recorded == [] and len(shown) == 1 and "Unweighted:" in shown[0].content.data
    for step in (1, 3, 4, 5):  # every step names what it leaves unweighted
        assert len(run_captured(wsec.UnweightedNote(step), data, monkeypatch)[1]) == 1
