"""Tests of cem_research.steps.platform (step 2) and notebook 02.

Demo clients are copied (or, if absent, generated with the seeded generator) into a temporary
project, so processed tables never land in the repository.  The real-data client ``ecsi_bank``
(R plspm's Spanish bank survey, GPL-3) is assembled at test time from /work/shared/external.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import yaml

from conftest import project_root
from conftest import run_notebook as execute_notebook
from cem_research.steps import platform as pf

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = Path("/work/shared/external/ecsi-satisfaction")
ECSI_CSV = EXTERNAL / "satisfaction.csv"
ECSI_UNIDIM = EXTERNAL / "published" / "plspm-python_satisfaction_unidim.csv"
ECSI_BLOCKS = {"image": "IMAG", "expectations": "EXPE", "quality": "QUAL", "value": "VAL",
               "satisfaction": "SAT", "loyalty": "LOY"}
FINDING_MIME = "application/vnd.cem-research.finding+json"
N_BOOT = 60


# ------------------------------------------------------------------------------------ helpers


def new_project(root: Path) -> Path:
    """A throw-away project: ``data/raw`` and a ``notebooks`` symlink to the repository's."""
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    nb = root / "notebooks"
    if not nb.exists():
        nb.symlink_to(REPO / "notebooks", target_is_directory=True)
    return root


def add_demo_client(root: Path, name: str) -> Path:
    """Copy a demo client from data/raw (or tests/fixtures), else generate it (same seed)."""
    dest = root / "data" / "raw" / name
    for src in (REPO / "data" / "raw" / name, REPO / "tests" / "fixtures" / name):
        if (src / "client.yaml").exists():
            shutil.copytree(src, dest)
            return dest
    from datasets import demo

    if name == demo.TINY_CLIENT:
        return demo.write_tiny_client(root / "data" / "raw")
    return demo.generate_client(name, root / "data" / "raw")


def add_ecsi_client(root: Path) -> Path:
    """The ecsi_bank client: our client.yaml + the external CSV with ``id`` and ``wave`` added."""
    dest = root / "data" / "raw" / "ecsi_bank"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "tests" / "fixtures" / "ecsi_bank" / "client.yaml", dest / "client.yaml")
    raw = pd.read_csv(ECSI_CSV)
    first = raw.columns[0]  # the unnamed row-number column ("Unnamed: 0")
    raw.insert(1, "id", raw[first].astype(str))
    raw.insert(2, "wave", "2005")
    raw.to_csv(dest / "satisfaction.csv", index=False)
    return dest


def notebook_findings(path: Path) -> list[dict]:
    nb = json.loads(Path(path).read_text())
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", f"{o.get('ename')}: {o.get('evalue')}"
            if FINDING_MIME in o.get("data", {}):
                out.append(o["data"][FINDING_MIME])
    return out


def run_notebook(root: Path, name: str, client: str, tmp: Path) -> Path:
    out = tmp / f"{name}_{client}.ipynb"
    with project_root(root):
        execute_notebook(root / "notebooks" / f"{name}.ipynb", out, {"client": client})
    return out


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """coffee_house, software_vendor, hotel_group and tiny_client, loaded once with their truth."""
    from cem_research.client.data import load_client

    root = new_project(tmp_path_factory.mktemp("platform_demo"))
    out = {"root": root}
    with project_root(root):
        for name in ("coffee_house", "software_vendor", "hotel_group", "tiny_client"):
            folder = add_demo_client(root, name)
            truth = json.loads((folder / "truth.json").read_text())
            out[name] = (load_client(name, raw_root=root / "data" / "raw"), truth)
    return out


@pytest.fixture(scope="module")
def ecsi(tmp_path_factory):
    if not ECSI_CSV.exists():
        pytest.skip("external ECSI satisfaction data not available")
    from cem_research.client.data import load_client

    root = new_project(tmp_path_factory.mktemp("ecsi_project"))
    add_ecsi_client(root)
    with project_root(root):
        data = load_client("ecsi_bank", raw_root=root / "data" / "raw")
    return {"root": root, "data": data}


@pytest.fixture
def small(tmp_path):
    """8 respondents, one 3-item construct on 1-5 with a reverse-keyed item, a 2-item construct
    and a 0-10 recommendation item: small enough to compute everything by hand."""
    from cem_research.client.data import load_client

    root = new_project(tmp_path / "small_project")
    folder = root / "data" / "raw" / "small"
    folder.mkdir()
    survey = pd.DataFrame({
        "rid": [f"r{i}" for i in range(1, 9)],
        "wave": ["W1"] * 4 + ["W2"] * 4,
        "q1": [1, 2, 3, 4, 5, 3, 4, 2],
        "q2": [2, 2, 3, 5, 4, 3, 5, 1],
        "q3r": [5, 3, 3, 2, 1, 4, 1, 4],  # reverse-keyed: high = disagree
        "s1": [3, 4, 2, 5, 4, 3, 5, 2],
        "s2": [2, 4, 3, 5, 5, 2, 4, 1],
        "ltr": [10, 9, 8, 7, 6, 0, 10, 3],
    })
    survey.to_csv(folder / "survey.csv", index=False)
    cfg = {"brand": "Small Co", "scale": [1, 5],
           "survey": {"file": "survey.csv", "id": "rid", "wave": "wave"},
           "constructs": {"ease": {"items": ["q1", "q2", "q3r"], "reverse": ["q3r"]},
                          "style": {"items": ["s1", "s2"], "kind": "emotional"},
                          "recommend": {"items": ["ltr"], "scale": [0, 10]}},
           "drivers": ["ease", "style"], "outcomes": ["recommend"], "nps": "recommend"}
    (folder / "client.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    with project_root(root):
        data = load_client("small", raw_root=root / "data" / "raw")
    return {"data": data, "raw": survey}


# ------------------------------------------------------------------------------------ reliability


def _alpha(block: np.ndarray) -> float:
    k = block.shape[1]
    return k / (k - 1) * (1 - block.var(axis=0, ddof=1).sum() / block.sum(axis=1).var(ddof=1))


def test_reliability_equals_hand_computation(small):
    data, raw = small["data"], small["raw"]
    items = np.column_stack([raw["q1"], raw["q2"], 6 - raw["q3r"]]).astype(float)  # 1 + 5 - x
    rel = pf.reliability_table(data).set_index("construct")
    assert rel.loc["ease", "alpha"] == pytest.approx(_alpha(items), abs=1e-12)
    r = np.corrcoef(items, rowvar=False)[np.triu_indices(3, 1)].mean()
    assert rel.loc["ease", "alpha_std"] == pytest.approx(3 * r / (1 + 2 * r), abs=1e-12)
    assert rel.loc["ease", "reversed_items"] == "q3r"
    assert rel.loc["ease", "n"] == 8 and rel.loc["ease", "k"] == 3
    assert rel.loc["recommend", "reliability_flag"] == "single item: alpha not estimable"
    assert not rel.loc["recommend", "below_threshold"]

    it = pf.item_table(data)
    ease = it[it["construct"] == "ease"].set_index("item")
    for j, name in enumerate(["q1", "q2", "q3r"]):
        others = np.delete(items, j, axis=1)
        assert ease.loc[name, "item_total_r"] == pytest.approx(np.corrcoef(items[:, j], others.sum(1))[0, 1])
        assert ease.loc[name, "alpha_if_deleted"] == pytest.approx(_alpha(others))
    assert ease.loc["q3r", "reversed"] and not ease.loc["q1", "reversed"]
    assert "recommend" not in set(it["construct"])  # single items have no item analysis


def test_reverse_keyed_item_is_reversed(small, demo):
    data, raw = small["data"], small["raw"]
    own = data.own.sort_values("row")
    assert np.allclose(own["q3r"].to_numpy(), 6 - raw["q3r"].to_numpy())
    assert np.allclose(own["q1"].to_numpy(), raw["q1"].to_numpy())
    # on demo data: processed = min + max - raw for every planted reverse item
    data, truth = demo["coffee_house"]
    cfg = data.config
    survey = pd.read_csv(cfg.folder / cfg.survey.file)
    item = truth["reverse_items"][0]
    construct = next(c for c in cfg.constructs.values() if item in c.items)
    lo, hi = construct.scale
    proc = data.ratings[data.ratings["source"] == "survey"].set_index("row")[item]
    survey.index = np.arange(len(survey)) + 2  # spreadsheet row numbers: header = row 1
    raw_vals = survey.loc[proc.index, item]
    ok = raw_vals.notna()
    assert ok.sum() > 100
    assert np.allclose(proc[ok].to_numpy(), lo + hi - raw_vals[ok].to_numpy())
    rel = pf.reliability_table(data).set_index("construct")
    assert item in rel.loc[construct.name, "reversed_items"]


def test_poor_reliability_flagged_everywhere(demo):
    for name in ("coffee_house", "software_vendor", "tiny_client"):
        data, truth = demo[name]
        poor = truth["poor_reliability"]
        rel = pf.reliability_table(data)
        row = rel.set_index("construct").loc[poor]
        assert row["below_threshold"] and row["reliability_flag"].startswith("alpha = ")
        assert set(rel.loc[rel["below_threshold"], "construct"]) == {poor}
        f = pf.reliability_finding(rel)
        assert row["label"] in f["text"] and f["headline"]
        imp = pf.driver_importance(data, n_boot=0, reliability=rel)
        if poor in set(imp["driver"]):
            flagged = imp.loc[imp["driver"] == poor, "reliability_flag"]
            assert flagged.str.startswith(f"{poor}: alpha").all()
            assert (imp.loc[imp["driver"] != poor, "reliability_flag"] == "").all()
        prof = pf.experiential_profile(data, [poor, *pf.experience_dimensions(data.config)[0]], reliability=rel)
        assert prof.loc[prof["dimension"] == poor, "reliability_flag"].astype(bool).all()
        assert not prof.loc[prof["dimension"] != poor, "reliability_flag"].astype(bool).any()


def test_reliability_finding_without_multi_item_constructs():
    rel = pd.DataFrame({"construct": ["a"], "label": ["A"], "k": [1], "n": [10], "alpha": [np.nan],
                        "alpha_ci_low": [np.nan], "alpha_ci_high": [np.nan], "alpha_std": [np.nan],
                        "below_threshold": [False], "reliability_flag": ["single item: alpha not estimable"]})
    assert "single item" in pf.reliability_finding(rel)["text"]


# ------------------------------------------------------------------------------------ profile


def test_profile_and_tests_find_planted_advantage_and_gap(demo):
    data, truth = demo["coffee_house"]
    rel = pf.reliability_table(data)
    prof = pf.experiential_profile(data, reliability=rel)
    dims = data.config.experience_dimensions
    assert list(pd.unique(prof["dimension"])) == dims
    own = prof[(prof["level"] == "brand") & (prof["brand_kind"] == "own")]
    assert len(own) == len(dims) and (own["ci_low"] < own["mean"]).all() and (own["mean"] < own["ci_high"]).all()
    assert own["series"].str.contains(r"own brand, n = ").all()
    assert set(prof["level"]) == {"brand", "kind", "all competitors"}
    pal = pf.profile_palette(pf.profile_plot_frame(prof))
    from cem_research.present import plots

    assert pal[own["series"].iloc[0]] == plots.OWN

    tests = pf.profile_tests(data, reliability=rel)
    # Holm over step 1's whole table (the one home of every own-brand comparison): the profile's rows
    # carry that table's p_corr
    from cem_research import stats
    from cem_research.steps import world

    assert (tests["p_corr"] >= tests["p_unc"] - 1e-15).all()
    home = world.brand_tests(data)
    assert np.allclose(stats.adjust_pvalues(home[["p_unc"]])["p_corr"], home["p_corr"])
    assert set(np.round(tests["p_corr"], 12)) <= set(np.round(home["p_corr"], 12))
    adv = truth["brand_advantage"]["construct"]
    pooled = tests[(tests["level"] == "all competitors") & (tests["dimension"] == adv)].iloc[0]
    assert pooled["direction"] == "higher" and pooled["ci_low"] > 0 and pooled["hedges"] > 0
    gap = truth["brand_gap"]
    row = tests[(tests["comparison"] == gap["competitor"]) & (tests["dimension"] == gap["construct"])].iloc[0]
    assert row["direction"] == "lower" and row["ci_high"] < 0
    # the difference equals the two means in the profile
    m_own = own.set_index("dimension").loc[adv, "mean"]
    m_comp = prof[(prof["level"] == "all competitors") & (prof["dimension"] == adv)]["mean"].iloc[0]
    assert pooled["diff"] == pytest.approx(m_own - m_comp)
    f = pf.profile_finding(prof, tests, data.config.brand)
    assert f["key"] == "profile_lead_diff" and "Holm" in f["text"] and "95% CI" in f["text"]


def test_profile_without_competitors(ecsi):
    data = ecsi["data"]
    assert pf.profile_tests(data) is None
    dims, source = pf.experience_dimensions(data.config)
    assert source == "drivers" and dims == ["image", "expectations", "quality", "value"]
    assert "no experience dimensions" in pf.dimensions_note(data.config)
    prof = pf.experiential_profile(data)
    assert set(prof["level"]) == {"brand"} and len(prof) == 4
    f = pf.profile_finding(prof, None, data.config.brand)
    assert "No competitor ratings" in f["text"]


# ------------------------------------------------------------------------------------ drivers


@pytest.mark.parametrize("client", ["coffee_house", "software_vendor"])
def test_planted_top_driver_ranked_first(demo, client):
    data, truth = demo[client]
    imp = pf.driver_importance(data, n_boot=N_BOOT, seed=1)
    for outcome, top in truth["top_driver"].items():
        t = imp[imp["outcome"] == outcome]
        assert t.iloc[0]["driver"] == top and t.iloc[0]["rank"] == 1
        assert t["relimp"].sum() == pytest.approx(t["r2"].iloc[0])
        assert (t["share_ci_low"] <= t["share"] + 1e-12).all() and (t["share"] <= t["share_ci_high"] + 1e-12).all()
    f = pf.drivers_finding(imp)
    first = imp.iloc[0]
    assert f["text"].startswith(f"{first['outcome_label']} is driven most by {first['driver_label']}")
    assert f["value"] == pytest.approx(first["share"])


def test_emotional_functional_split(demo):
    data, _ = demo["coffee_house"]
    imp = pf.driver_importance(data, n_boot=N_BOOT, seed=1)
    ef = pf.emotional_functional(data, imp, n_boot=N_BOOT, seed=1)
    assert list(ef["outcome"]) == list(data.config.outcomes)
    emo = {d for d in data.config.drivers if data.config.constructs[d].kind == "emotional"}
    for r in ef.itertuples():
        t = imp[imp["outcome"] == r.outcome]
        assert r.emotional == pytest.approx(t.loc[t["driver"].isin(emo), "relimp"].sum())
        assert r.emotional + r.functional == pytest.approx(r.r2)
        assert r.emotional_share_ci_low <= r.emotional_share <= r.emotional_share_ci_high


def test_lmg_helper_matches_stats(demo):
    """The bootstrap helper resamples like stats.relative_importance and sums to R²."""
    from cem_research import stats

    data, _ = demo["tiny_client"]
    drivers = list(data.config.drivers)
    z = data.own[["satisfaction", *drivers]].dropna().to_numpy(dtype=float)
    boot, r2b = pf.lmg_boot(z, 200, seed=0)
    assert boot.shape == (200, len(drivers)) and np.allclose(boot.sum(axis=1), r2b)
    ref = stats.relative_importance(data.own, "satisfaction", drivers, n_boot=200, seed=0).set_index("driver")
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    assert np.allclose(lo, ref.loc[drivers, "relimp_ci_low"].to_numpy(), atol=1e-10)
    assert np.allclose(hi, ref.loc[drivers, "relimp_ci_high"].to_numpy(), atol=1e-10)


def test_nps_equals_hand_count(small, demo):
    raw = small["raw"]
    nps = pf.nps_table(small["data"])
    x = raw["ltr"]
    assert nps.iloc[0]["wave"] == "all waves"
    assert nps.iloc[0]["nps"] == pytest.approx(100 * ((x >= 9).sum() - (x <= 6).sum()) / len(x))
    for wave, sub in raw.groupby("wave"):
        row = nps[nps["wave"] == wave].iloc[0]
        assert row["promoters"] == (sub["ltr"] >= 9).sum() and row["detractors"] == (sub["ltr"] <= 6).sum()
        assert row["nps"] == pytest.approx(100 * ((sub["ltr"] >= 9).mean() - (sub["ltr"] <= 6).mean()))
    # demo: count the raw survey file by hand
    data, _ = demo["coffee_house"]
    cfg = data.config
    item = cfg.constructs[cfg.nps].items[0]
    survey = pd.read_csv(cfg.folder / cfg.survey.file)
    own = survey[survey[cfg.survey.col("brand")] == cfg.brand] if cfg.survey.col("brand") else survey
    ltr = own[item].dropna()
    table = pf.nps_table(data)
    assert table.iloc[0]["n"] == len(ltr)
    assert table.iloc[0]["nps"] == pytest.approx(100 * ((ltr >= 9).sum() - (ltr <= 6).sum()) / len(ltr))
    assert list(table["wave"])[1:] == data.waves
    wave_col = cfg.survey.col("wave")
    for wave, sub in own.groupby(wave_col):
        v = sub[item].dropna()
        row = table[table["wave"] == str(wave)].iloc[0]
        assert row["nps"] == pytest.approx(100 * ((v >= 9).sum() - (v <= 6).sum()) / len(v))
    assert pf.nps_table(demo["hotel_group"][0]) is not None or demo["hotel_group"][0].config.nps is None


def test_no_drivers_or_outcomes_gives_none(ecsi):
    from dataclasses import replace

    data = ecsi["data"]
    cfg = replace(data.config, outcomes=())
    from cem_research.client.data import ClientData

    assert pf.driver_importance(ClientData(cfg, data.ratings, meta=data.meta), n_boot=0) is None
    assert pf.emotional_functional(data, None) is None
    assert pf.nps_table(data) is None


# ------------------------------------------------------------------------------------ platform


def test_platform_proposal_coffee_house(demo):
    data, truth = demo["coffee_house"]
    rel = pf.reliability_table(data)
    prof = pf.experiential_profile(data, reliability=rel)
    tests = pf.profile_tests(data, reliability=rel)
    imp = pf.driver_importance(data, n_boot=N_BOOT, reliability=rel)
    prop = pf.propose_platform(data, prof, tests, imp)
    # the planted advantage is also the planted top driver: it must be the positioning and the EVP
    assert truth["brand_advantage"]["construct"] == truth["top_driver"]["satisfaction"] == "affective"
    assert prop.positioning[0] == "affective" and prop.evp == "affective"
    cand = prop.candidates
    top = cand.iloc[0]
    assert top["dimension"] == "affective" and top["criteria_met"] == top["criteria_assessed"] == 3
    assert list(cand.columns[:3]) == ["dimension", "label", "alpha"]
    assert top["chosen"] and not cand["chosen"].iloc[1:].any()
    assert cand.loc[cand["qualifies"], "dimension"].iloc[0] == "affective"  # qualifiers first
    assert list(prop.table.columns) == ["element", "proposal", "evidence", "edited"]
    assert list(prop.table["element"]) == list(pf.ELEMENTS)
    assert "Affective" in prop.table.loc[0, "evidence"] and "95% CI" in prop.table.loc[0, "evidence"]
    assert prop.theme is not None and prop.theme.enough
    assert (prop.theme.phrases["term"].str.count(" ") >= 1).all()  # phrases, not single words
    assert "Experiential positioning" in prop.markdown
    fs = pf.platform_findings(prop)
    assert [f["key"] for f in fs] == ["positioning", "evp", "implementation_theme"]
    assert fs[0]["headline"] and fs[1]["headline"] and "95% CI" in fs[0]["text"]


def test_platform_override(demo):
    data, _ = demo["tiny_client"]
    prof = pf.experiential_profile(data)
    prop = pf.propose_platform(data, prof, pf.profile_tests(data), pf.driver_importance(data, n_boot=0),
                               theme=None)
    assert pf.apply_override(prop, None) is prop
    edited = pf.apply_override(prop, {"evp": "Your daily moment of <warmth>.", "Overall implementation theme": "Warm"})
    assert edited.table.loc[1, "proposal"] == "Your daily moment of <warmth>." and edited.table.loc[1, "edited"]
    assert edited.table.loc[2, "proposal"] == "Warm" and not edited.table.loc[0, "edited"]
    assert edited.table.loc[1, "evidence"] == prop.table.loc[1, "evidence"]
    assert "&lt;warmth&gt;" in edited.markdown  # client text is escaped in the Markdown
    assert "edited by the researcher" in pf.platform_findings(edited)[1]["text"]
    assert pf.apply_override(prop, "My own paragraph.").markdown == "My own paragraph."
    with pytest.raises(ValueError, match="unknown platform element"):
        pf.apply_override(prop, {"slogan": "x"})
    assert "No verbatims" not in prop.table.loc[2, "proposal"] or data.feedback is None


def test_platform_without_competitors_or_verbatims(ecsi):
    data = ecsi["data"]
    prof = pf.experiential_profile(data)
    imp = pf.driver_importance(data, n_boot=N_BOOT)
    prop = pf.propose_platform(data, prof, None, imp)
    assert (prop.candidates["criteria_assessed"] == 2).all()
    assert prop.theme is None and "No verbatims supplied" in prop.table.loc[2, "proposal"]
    assert prop.positioning[0] in {"image", "expectations", "quality", "value"}
    # without competitor data: a provisional positioning, never "distinctly", and what would decide it
    assert "provisionally" in prop.table.loc[0, "proposal"] and "competitor ratings" in prop.table.loc[0, "proposal"]
    assert "distinctly" not in " ".join(f["text"] for f in pf.platform_findings(prop))
    assert prop.candidates.iloc[0]["decision"].startswith("chosen (provisional)")


# ------------------------------------------------------------------------------------ ECSI (real data)


def test_ecsi_reliability_matches_direct_and_published(ecsi):
    data = ecsi["data"]
    assert len(data.own) == 250 and data.waves == ["2005"]
    raw = pd.read_csv(ECSI_CSV, index_col=0)
    rel = pf.reliability_table(data).set_index("construct")
    published = pd.read_csv(ECSI_UNIDIM, index_col=0)["cronbach_alpha"]
    for name, block in ECSI_BLOCKS.items():
        items = list(data.config.constructs[name].items)
        X = raw[items].astype(float)
        assert rel.loc[name, "alpha"] == pytest.approx(pg.cronbach_alpha(X)[0], abs=1e-12)
        Z = (X - X.mean()) / X.std()
        assert rel.loc[name, "alpha_std"] == pytest.approx(pg.cronbach_alpha(Z)[0], abs=1e-12)
        assert rel.loc[name, "alpha_std"] == pytest.approx(published[block], abs=1e-6)
        assert rel.loc[name, "alpha"] != pytest.approx(published[block], abs=1e-4)  # raw differs
    assert not rel["below_threshold"].any()


@pytest.mark.slow
def test_ecsi_notebook_02_runs_on_own_constructs(ecsi, tmp_path):
    out = run_notebook(ecsi["root"], "02_experiential_platform", "ecsi_bank", tmp_path)
    fs = notebook_findings(out)
    by = {}
    for f in fs:
        by.setdefault(f["section"], []).append(f)
    assert set(by) == {s.title for s in pf.SECTIONS if not isinstance(s, pf.PathModel)}  # no `model:` declared
    assert all(f["kind"] == "finding" for f in fs)
    drivers = by["What drives the outcomes"][0]["text"]
    assert "Satisfaction is driven most by Perceived value" in drivers
    platform = " ".join(f["text"] for f in by["The experiential platform"])
    labels = ["Image", "Expectations", "Perceived quality", "Perceived value"]
    assert any(lab.lower() in platform.lower() for lab in labels)
    bes = ["Sensory", "Affective", "Intellectual", "Behavioral", "Brand Experience"]
    assert not any(w.lower() in " ".join(f["text"] for f in fs).lower() for w in bes)


@pytest.mark.slow
@pytest.mark.parametrize("client", ["tiny_client", "hotel_group"])
def test_notebook_02_runs(demo, tmp_path, client):
    out = run_notebook(demo["root"], "02_experiential_platform", client, tmp_path)
    fs = notebook_findings(out)
    declared_model = demo[client][0].config.model is not None  # the path model is optional (`model:`)
    expected = {s.title for s in pf.SECTIONS if declared_model or not isinstance(s, pf.PathModel)}
    assert {f["section"] for f in fs} == expected
    assert sum(f["headline"] for f in fs) >= 1
    truth = demo[client][1]
    drivers = next(f for f in fs if f["section"] == "What drives the outcomes")
    assert drivers["key"] == "top_driver_satisfaction"
    label = demo[client][0].config.constructs[truth["top_driver"]["satisfaction"]].title
    assert f"Satisfaction is driven most by {label}" in drivers["text"]


# ------------------------------------------------------------------- driver methods cross-checked


def test_driver_crosscheck_agrees_on_a_clear_ranking(tmp_path):
    from cem_research.client.config import parse_config
    from cem_research.client.data import ClientData

    rng = np.random.default_rng(12)
    n = 400
    X = rng.normal(size=(n, 3))
    y = 1.5 * X[:, 0] + 0.8 * X[:, 1] + 0.3 * X[:, 2] + rng.normal(size=n)
    r = pd.DataFrame({"brand_kind": "own", "brand": "Own", "wave": "W1", "respondent": [str(i) for i in range(n)],
                      "a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "y": y})
    cfg = parse_config({"brand": "Own", "survey": {"file": "s.csv"},
                        "constructs": {k: [k] for k in "abcy"}, "drivers": ["a", "b", "c"], "outcomes": ["y"]}, "unit")
    data = ClientData(cfg, r, meta={"waves": ["W1"]})
    imp = pf.driver_importance(data, n_boot=100, seed=1)
    cross = pf.driver_crosscheck(data, imp, n_boot=100, seed=1)
    assert cross["driver"].tolist() == ["a", "b", "c"]
    assert (cross["lmg_rank"] == cross["rw_rank"]).all() and not cross["disagree"].any()
    assert cross["spearman_rho"].iloc[0] == pytest.approx(1.0)
    assert cross["lmg_share"].sum() == pytest.approx(1.0) and cross["rw_share"].sum() == pytest.approx(1.0)
    assert ((cross["rw_ci_low"] <= cross["rw_share"]) & (cross["rw_share"] <= cross["rw_ci_high"])).all()
    f = pf.crosscheck_finding(cross)
    assert f["text"].startswith("Johnson's relative weights confirm the top driver of every outcome: A for Y")
    assert "same rank" in f["text"] and f["value"] == pytest.approx(1.0) and not f["headline"]


def test_driver_crosscheck_flags_disagreement():
    lmg = pd.DataFrame({"driver": ["x", "y", "z"], "rank": [1, 2, 3]})
    rw = pd.DataFrame({"driver": ["x", "y", "z"], "rank": [1, 3, 2]})
    from cem_research import stats

    agree = stats.driver_agreement(lmg, rw)
    assert agree["disagree"].tolist() == [False, True, True]
    cross = pd.DataFrame({"outcome": "o", "outcome_label": "O", "driver": ["x", "y", "z"],
                          "driver_label": ["X", "Y", "Z"], "lmg_rank": [1, 2, 3], "lmg_share": [0.5, 0.3, 0.2],
                          "lmg_ci_low": 0.1, "lmg_ci_high": 0.6, "rw_rank": [2, 3, 1], "rw_share": [0.3, 0.2, 0.5],
                          "rw_ci_low": 0.1, "rw_ci_high": 0.6, "rank_diff": [1, 1, -2],
                          "disagree": [True, True, True], "spearman_rho": -0.5, "n": 100})
    text = pf.crosscheck_finding(cross)["text"]
    assert "do not agree on every top driver" in text and "relative weights rank Z first" in text
    assert pf.crosscheck_finding(None)["value"] is None


@pytest.mark.parametrize("client", ["coffee_house", "software_vendor", "hotel_group"])
def test_driver_crosscheck_demo_top_driver_first_by_both(demo, client):
    data, truth = demo[client]
    imp = pf.driver_importance(data, n_boot=N_BOOT, seed=1)
    cross = pf.driver_crosscheck(data, imp, n_boot=N_BOOT, seed=1)
    for outcome, top in truth["top_driver"].items():
        t = cross[cross["outcome"] == outcome].set_index("driver")
        assert t.loc[top, "lmg_rank"] == 1 and t.loc[top, "rw_rank"] == 1
        assert not t.loc[top, "disagree"]
    assert pf.crosscheck_finding(cross)["text"].startswith("Johnson's relative weights confirm the top driver")


# ------------------------------------------------------------------------------------ sections


def _settings(**kw):
    from cem_research.steps.section import Settings

    return Settings(n_boot=kw.pop("n_boot", N_BOOT), **kw)


def _with_config(data, **changes):
    """The same ratings under a changed configuration (a new ClientData: a fresh memo)."""
    from dataclasses import replace

    from cem_research.client.data import ClientData

    return ClientData(replace(data.config, **changes), data.ratings, meta=data.meta)


def _own_rows_cut(data, keep: int):
    """The client's data with only ``keep`` own-brand rows (competitor rows unchanged)."""
    from cem_research.client.data import ClientData

    r = data.ratings
    own = r.index[r["brand_kind"] == "own"]
    return ClientData(data.config, r[(r["brand_kind"] != "own") | r.index.isin(own[:keep])], meta=data.meta)


def test_sections_in_report_order_with_notebook_titles():
    assert [s.key for s in pf.SECTIONS] == ["Reliability", "ExperientialProfile", "Drivers", "DriverCrosscheck",
                                            "PathModel", "ExperientialPlatform"]
    assert all(s.step == 2 for s in pf.SECTIONS)
    text = (REPO / "notebooks" / "02_experiential_platform.py").read_text()
    headings = [line[5:].strip() for line in text.splitlines() if line.startswith("# ## ")]
    assert [s.title for s in pf.SECTIONS] == ["Measurement quality", "Experiential profile", "What drives the outcomes",
                                              "What drives the outcomes", "The satisfaction-index path model",
                                              "The experiential platform"]
    # an optional section (PathModel, only with `model:`) brings its heading itself: no markdown cell
    assert {s.title for s in pf.SECTIONS if not getattr(s, "optional", False)} == set(headings)


def test_reliability_section_is_the_reliability_table(demo):
    data, truth = demo["coffee_house"]
    s = _settings()
    rel = pf.Reliability().result(data, s)
    pd.testing.assert_frame_equal(rel, pf.reliability_table(data))
    assert pf.Reliability().result(data, s) is rel  # memoised: every step shares one table
    (f,) = pf.Reliability().findings(rel, data, s)
    assert f["key"] == "reliability_min_alpha" and f["headline"]
    assert f["value"] == pytest.approx(rel.loc[rel["k"] >= 2, "alpha"].min())
    shown = pf.Reliability().present(rel, data, s)
    assert [x.kind for x in shown] == ["table", "table"]
    assert "below_threshold" not in shown[0].content and shown[0].options["rename"]["alpha"] == "alpha (raw)"
    assert set(shown[1].content["construct"]) <= set(rel.loc[rel["k"] >= 2, "construct"])
    # the threshold of the settings is the threshold of the flags, in every later table
    strict = _settings(reliability_threshold=0.99)
    rel99 = pf.Reliability().result(data, strict)
    assert rel99["below_threshold"].sum() > rel["below_threshold"].sum()
    prof = pf.ExperientialProfile().result(data, strict).profile
    dims = data.config.experience_dimensions
    flagged = set(rel99.loc[rel99["below_threshold"], "construct"]) & set(dims)
    assert flagged and set(prof.loc[prof["reliability_flag"].astype(bool), "dimension"]) == flagged
    assert "0.99" in pf.Reliability().findings(rel99, data, strict)[0]["text"]
    strict_profile = pf.ExperientialProfile().result(data, strict)
    assert "(alpha below .99)" in pf.ExperientialProfile().findings(strict_profile, data, strict)[0]["text"]
    frame = pf.profile_plot_frame(strict_profile.profile, threshold=0.99)
    assert frame.loc[frame["dimension"].isin(flagged), "label"].str.endswith(" (alpha < .99)").all()


def test_reliability_section_skips_without_constructs(demo):
    data = _with_config(demo["tiny_client"][0], constructs={})
    reason = pf.Reliability().skip_reason(data, _settings())
    assert reason and "no constructs" in reason
    assert pf.Reliability().result(data, _settings()) is None


def test_profile_section(demo, ecsi):
    data, truth = demo["coffee_house"]
    s = _settings()
    res = pf.ExperientialProfile().result(data, s)
    rel = pf.reliability_table(data)
    pd.testing.assert_frame_equal(res.profile, pf.experiential_profile(data, reliability=rel))
    pd.testing.assert_frame_equal(res.tests, pf.profile_tests(data, reliability=rel))
    (f,) = pf.ExperientialProfile().findings(res, data, s)
    adv = data.config.constructs[truth["brand_advantage"]["construct"]].title
    assert f["key"] == "profile_lead_diff" and f"Largest lead: {adv}" in f["text"] and f["headline"]
    shown = pf.ExperientialProfile().present(res, data, s)
    assert [x.kind for x in shown] == ["markdown", "table", "figure", "table"]
    assert "series" not in shown[1].content and "Dot chart" in shown[2].caption
    assert shown[3].content.columns[0] == "label"
    # without competitors: no test table, the finding compares the brand with itself
    e = pf.ExperientialProfile().result(ecsi["data"], s)
    assert e.tests is None
    assert [x.kind for x in pf.ExperientialProfile().present(e, ecsi["data"], s)] == ["markdown", "table", "figure"]
    assert "No competitor ratings" in pf.ExperientialProfile().findings(e, ecsi["data"], s)[0]["text"]


def test_profile_section_skips_when_every_construct_is_an_outcome(ecsi):
    data = ecsi["data"]
    only_outcomes = _with_config(data, drivers=(), outcomes=tuple(data.config.constructs))
    for section in (pf.ExperientialProfile(), pf.ExperientialPlatform()):
        assert "no experience dimension" in section.skip_reason(only_outcomes, _settings())


def test_drivers_section_uses_the_settings(demo):
    data, truth = demo["software_vendor"]
    s = _settings(seed=7)
    res = pf.Drivers().result(data, s)
    ref = pf.driver_importance(data, n_boot=N_BOOT, seed=7, reliability=pf.reliability_table(data))
    pd.testing.assert_frame_equal(res.importance, ref)
    pd.testing.assert_frame_equal(res.emotional, pf.emotional_functional(data, ref, n_boot=N_BOOT, seed=7))
    pd.testing.assert_frame_equal(res.nps, pf.nps_table(data))
    other = pf.Drivers().result(data, _settings(seed=8)).importance
    assert not np.allclose(other["share_ci_low"], ref["share_ci_low"])  # the seed reaches the bootstrap
    (f,) = pf.Drivers().findings(res, data, s)
    top = data.config.constructs[truth["top_driver"][data.main_outcome]].title
    assert f["key"] == f"top_driver_{data.main_outcome}" and f["headline"]
    assert f"{data.config.constructs[data.main_outcome].title} is driven most by {top}" in f["text"]
    shown = pf.Drivers().present(res, data, s)
    assert [x.kind for x in shown] == ["table", "figure", "table", "table"]
    assert shown[0].options["percent"] == ("share", "share_ci_low", "share_ci_high")
    assert shown[3].options == {"digits": 1} and "Net Promoter Score" in shown[3].caption


def test_drivers_headline_is_stated_on_the_main_outcome(demo):
    data, _ = demo["coffee_house"]
    main = "loyalty"
    assert main in data.config.outcomes and main != data.config.outcomes[0]
    loyal = _with_config(data, main_outcome=main)
    s = _settings()
    res = pf.Drivers().result(loyal, s)
    (f,) = pf.Drivers().findings(res, loyal, s)
    t = res.importance[res.importance["outcome"] == main].sort_values("rank").iloc[0]
    assert f["key"] == f"top_driver_{main}" and f["value"] == pytest.approx(t["share"])
    assert f["ci"] == pytest.approx((t["share_ci_low"], t["share_ci_high"]))
    e = res.emotional.set_index("outcome").loc[main]
    assert f"of the explained variance in {e['outcome_label']}" in f["text"]


def test_drivers_sections_skip_without_drivers_or_rows(ecsi, demo):
    s = _settings()
    no_outcome = _with_config(ecsi["data"], outcomes=())
    for section in (pf.Drivers(), pf.DriverCrosscheck()):
        assert "fewer than two drivers or no outcome" in section.skip_reason(no_outcome, s)
        assert section.result(no_outcome, s) is None
    few = _own_rows_cut(demo["tiny_client"][0], 3)
    assert "too few complete rows" in pf.Drivers().skip_reason(few, s)
    # the platform is still proposed, on the criteria that can be assessed (no importance claim)
    prop = pf.ExperientialPlatform().result(few, s)
    assert prop.candidates["importance_share"].isna().all() and prop.candidates["drives"].eq(False).all()
    assert "driver" not in prop.table.loc[1, "proposal"]


def test_crosscheck_section(demo):
    data, truth = demo["hotel_group"]
    s = _settings()
    cross = pf.DriverCrosscheck().result(data, s)
    ref = pf.driver_crosscheck(data, pf.Drivers().result(data, s).importance, n_boot=N_BOOT, seed=s.seed)
    pd.testing.assert_frame_equal(cross, ref)
    (f,) = pf.DriverCrosscheck().findings(cross, data, s)
    assert f["key"] == "driver_method_agreement" and not f["headline"]
    (table,) = pf.DriverCrosscheck().present(cross, data, s)
    assert table.options["rename"]["lmg_rank"] == "LMG rank"


def test_crosscheck_section_skips_with_more_than_max_lmg_drivers():
    from cem_research.client.config import parse_config
    from cem_research.client.data import ClientData

    rng = np.random.default_rng(3)
    n, p = 120, pf.MAX_LMG + 1
    names = [f"d{i}" for i in range(p)]
    X = rng.normal(size=(n, p))
    r = pd.DataFrame(X, columns=names)
    r["y"] = X[:, 0] + rng.normal(size=n)
    r = r.assign(brand_kind="own", brand="Own", wave="W1", respondent=[str(i) for i in range(n)])
    cfg = parse_config({"brand": "Own", "survey": {"file": "s.csv"}, "constructs": {k: [k] for k in [*names, "y"]},
                        "drivers": names, "outcomes": ["y"]}, "unit")
    data = ClientData(cfg, r, meta={"waves": ["W1"]})
    s = _settings(n_boot=20)
    assert pf.Drivers().skip_reason(data, s) is None
    assert (pf.Drivers().result(data, s).importance["method"] == "relative weights (Johnson)").all()
    assert f"more than {pf.MAX_LMG} drivers" in pf.DriverCrosscheck().skip_reason(data, s)


def test_crosscheck_run_is_silent_when_drivers_are_skipped(ecsi, monkeypatch):
    from cem_research.present import findings as fnd

    said = []
    monkeypatch.setattr(fnd, "skip", lambda *a: said.append(a))
    data = _with_config(ecsi["data"], outcomes=())
    assert pf.Drivers().run(data, _settings(), show=False) is None
    assert pf.DriverCrosscheck().run(data, _settings(), show=False) is None
    assert len(said) == 1 and said[0][1] == "What drives the outcomes"


def test_platform_section_and_override(demo):
    data, truth = demo["coffee_house"]
    s = _settings()
    prop = pf.ExperientialPlatform().result(data, s)
    assert prop.evp == truth["top_driver"]["satisfaction"] == prop.positioning[0]
    fs = pf.ExperientialPlatform().findings(prop, data, s)
    assert [f["key"] for f in fs] == ["positioning", "evp", "implementation_theme"]
    shown = pf.ExperientialPlatform().present(prop, data, s)
    assert [x.kind for x in shown] == ["table", "table", "table", "markdown", "table"]  # candidates, runner-up, theme
    assert [x.layer for x in shown] == ["appendix"] * 5  # the client reads the proposal in its findings
    assert list(shown[1].content["role"]) == ["chosen", "runner-up"]
    assert shown[3].content == prop.markdown and list(shown[4].content["element"]) == list(pf.ELEMENTS)
    edited = pf.ExperientialPlatform(override={"evp": "Your daily moment of warmth."})
    assert edited.key != pf.ExperientialPlatform().key  # not served the unedited proposal from the memo
    e = edited.result(data, s)
    assert e.table.loc[1, "proposal"] == "Your daily moment of warmth." and e.table.loc[1, "edited"]
    assert not prop.table["edited"].any()
    assert "edited by the researcher" in edited.findings(e, data, s)[1]["text"]


def test_platform_figures_return_axes(demo):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cem_research.present import plots
    from cem_research.present.plots import platform as plots_pf

    data, _ = demo["coffee_house"]
    s = _settings()
    prof = pf.ExperientialProfile().result(data, s).profile
    imp = pf.Drivers().result(data, s).importance
    try:
        _, ax = plt.subplots()
        assert plots_pf.profile_chart(prof, ax=ax) is ax
        own = prof.loc[(prof["level"] == "brand") & (prof["brand_kind"] == "own"), "series"].iloc[0]
        legend = {t.get_text() for t in ax.get_legend().get_texts()}
        assert own in legend and ax.get_xlabel() == "Mean rating (95% CI)"
        ax2 = plots_pf.importance_chart(imp, confidence=0.9)
        assert ax2.get_xlabel().endswith("(90% bootstrap CI)")
        assert len(ax2.get_yticklabels()) == imp["driver"].nunique()
        assert set(plots_pf.outcome_palette(imp).values()).isdisjoint({plots.OWN})
        frame = plots_pf.importance_plot_frame(imp)
        assert np.allclose(frame["share_pct"], 100 * imp["share"])
    finally:
        plt.close("all")
    assert pf.profile_plot_frame is plots_pf.profile_plot_frame  # one home, re-exported for step 3
