"""The experiential platform follows from the evidence (issue 14, items 1, 2, 3, 8 and 11).

* the positioning rule: reliability gate, strength (one-sample t, Holm; checked against scipy and
  statsmodels), distinctiveness from step 1's comparison table, importance with its interval, the tie
  rule, the runner-up, and "no dimension qualifies";
* "distinctly" and "drives" only where the corrected evidence says so;
* the implementation theme: phrases (not single words) from positive sentences about the chosen
  dimension, masked quotes, "not enough verbatims";
* a forgotten ``reverse:`` declaration is diagnosed by name and the positioning avoids the construct.

Demo clients are copied into a throw-away project (``Settings(n_boot=50)``).
"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, inject_verbatim, project_root
from cem_research.present import narrative as nv
from cem_research.steps import platform as pf
from cem_research.steps.section import Settings

SETTINGS = Settings(n_boot=50)
CLIENTS = ("coffee_house", "fitness_club", "hotel_group", "software_vendor")


def _load(root, name, edit=None):
    """Copy a demo client into ``root`` (optionally editing its client.yaml / folder) and load it."""
    from cem_research.client.data import load_client

    src = REPO / "data" / "raw" / name
    dest = root / "data" / "raw" / name
    if not dest.exists():
        shutil.copytree(src, dest)
        if edit is not None:
            edit(dest)
    with project_root(root):
        return load_client(name, raw_root=root / "data" / "raw")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("platform_rule")
    out = {}
    for name in CLIENTS:
        data = _load(root, name)
        truth = json.loads((REPO / "data" / "raw" / name / "truth.json").read_text())
        prop = pf.ExperientialPlatform().result(data, SETTINGS)
        out[name] = {"data": data, "truth": truth, "proposal": prop,
                     "findings": pf.ExperientialPlatform().findings(prop, data, SETTINGS)}
    return out


def _text(entry) -> str:
    return " ".join(f["text"] for f in entry["findings"])


# ------------------------------------------------------------------------------------ the rule


def test_software_vendor_is_positioned_on_its_planted_advantage(demo):
    e = demo["software_vendor"]
    prop = e["proposal"]
    assert e["truth"]["brand_advantage"]["construct"] == "intellectual"
    assert prop.positioning == ["intellectual"] and prop.evp == "intellectual"
    top = prop.candidates.iloc[0]
    assert top["chosen"] and top["qualifies"] and top["distinctive"]
    assert top["n_ahead"] == top["n_competitors"] == 4
    assert top["diff"] == pytest.approx(0.76, abs=0.01) and top["hedges"] == pytest.approx(0.73, abs=0.01)
    # Affective's lead is not significant after Holm: it cannot win, and the runner-up says why
    aff = prop.candidates.set_index("dimension").loc["affective"]
    assert not aff["distinctive"] and "distinctiveness" in aff["missing"]
    assert prop.candidates.iloc[1]["decision"].startswith("runner-up: ")
    assert "Runner-up: " in e["findings"][0]["text"]


@pytest.mark.parametrize("client", CLIENTS)
def test_chosen_dimension_follows_the_stated_rule(demo, client):
    """Independently of the code's ranking: the chosen dimension is reliable, strong, distinctive in
    step 1's table, and has the largest g among such dimensions unless the tie rule applies."""
    from cem_research.steps.world.competition import own_vs_competitors

    e = demo[client]
    data, cand = e["data"], e["proposal"].candidates
    home = own_vs_competitors(data, SETTINGS)
    pooled = home[home["comparison"] == "all competitors"].set_index("construct")
    rel = pf.Reliability().result(data, SETTINGS).set_index("construct")
    dims = list(cand["dimension"])
    ok = [d for d in dims if rel.loc[d, "alpha"] >= SETTINGS.reliability_threshold
          and cand.set_index("dimension").loc[d, "strong"]
          and bool(pooled.loc[d, "significant"]) and pooled.loc[d, "diff"] > 0]
    assert set(cand.loc[cand["qualifies"], "dimension"]) == set(ok)
    best_g = max(ok, key=lambda d: pooled.loc[d, "hedges"])
    chosen = cand.iloc[0]
    assert chosen["chosen"]
    if chosen["dimension"] != best_g:  # only the tie rule may overturn the largest lead
        lead = cand.set_index("dimension").loc[best_g]
        assert chosen["hedges_ci_high"] >= lead["hedges_ci_low"]
        assert chosen["importance_ci_low"] > lead["importance_ci_high"]
    # the difference, interval and p of the evidence are step 1's
    row = pooled.loc[chosen["dimension"]]
    assert (chosen["diff"], chosen["diff_ci_low"], chosen["diff_ci_high"], chosen["p_corr"]) == pytest.approx(
        (row["diff"], row["ci_low"], row["ci_high"], row["p_corr"]))


def test_fitness_club_drives_claim_names_the_largest_share_or_is_absent(demo):
    e = demo["fitness_club"]
    prop, text = e["proposal"], _text(e)
    imp = pf.Drivers().result(e["data"], SETTINGS).importance
    main = imp[imp["outcome"] == e["data"].main_outcome]
    largest = main.loc[main["share"].idxmax(), "driver"]
    assert largest == "behavioral" and prop.evp != "behavioral"
    for m in re.finditer(r"(\w+) experience with [^–]+– the strongest driver|drives", text):
        pytest.fail(f"fitness_club claims a driver it cannot support: {m.group(0)!r}")
    assert prop.evp == e["truth"]["brand_advantage"]["construct"] == "sensory"


@pytest.mark.parametrize("client", CLIENTS)
def test_distinctly_and_strongest_driver_only_with_corrected_evidence(demo, client):
    e = demo[client]
    prop, text = e["proposal"], _text(e)
    best = prop.candidates.iloc[0]
    if "distinctly" in text:
        assert best["distinctive"] and best["p_corr"] < 0.05 and best["diff_ci_low"] > 0
    if "strongest driver" in text:
        imp = pf.Drivers().result(e["data"], SETTINGS).importance
        main = imp[imp["outcome"] == e["data"].main_outcome].set_index("driver")
        d = best["dimension"]
        assert main["share"].idxmax() == d
        assert main.loc[d, "share_ci_low"] > main.drop(index=d)["share_ci_high"].max()
    assert " drives " not in text


def test_strength_matches_scipy_and_statsmodels(demo):
    from scipy import stats as sps
    from statsmodels.stats.multitest import multipletests

    e = demo["software_vendor"]
    data, cand = e["data"], e["proposal"].candidates.set_index("dimension")
    assert data.weight is None
    dims = list(cand.index)
    p = [sps.ttest_1samp(data.own[d].dropna(), cand.loc[d, "midpoint"]).pvalue for d in dims]
    holm = multipletests(p, method="holm")[1]
    assert cand["strength_p_corr"].to_numpy() == pytest.approx(holm, rel=1e-6, abs=1e-300)
    excl = (cand["strength_ci_low"] > 0) | (cand["strength_ci_high"] < 0)
    assert (excl == (cand["strength_p_corr"] < 0.05)).all()
    assert (cand["strong"] == ((cand["strength_p_corr"] < 0.05) & (cand["strength_diff"] > 0))).all()
    means = data.own[dims].mean()
    assert cand["mean"].to_numpy() == pytest.approx(means.to_numpy())


def _frames(entry):
    data = entry["data"]
    prof = pf.ExperientialProfile().result(data, SETTINGS)
    imp = pf.Drivers().result(data, SETTINGS).importance
    return data, prof.profile, prof.tests.copy(), imp.copy()


def test_tie_rule_lets_clear_importance_decide_only_between_indistinguishable_leads(demo):
    data, profile, tests, imp = _frames(demo["fitness_club"])  # sensory (g .46) and affective (g .27) qualify
    pooled = (tests["level"] == "all competitors").to_numpy()
    main = (imp["outcome"] == data.main_outcome).to_numpy()
    aff = main & (imp["driver"] == "affective").to_numpy()
    imp.loc[aff, ["share", "share_ci_low", "share_ci_high"]] = [0.6, 0.5, 0.7]  # clearly more important
    cand = pf.positioning_candidates(data, profile, tests, imp)
    g = cand.set_index("dimension")
    overlap = g.loc["affective", "hedges_ci_high"] >= g.loc["sensory", "hedges_ci_low"]
    assert overlap  # the two leads cannot be told apart on these data
    assert cand.iloc[0]["dimension"] == "affective" and "clearly matters more" in cand.iloc[0]["decision"]
    assert cand.iloc[1]["dimension"] == "sensory" and "largest lead" in cand.iloc[1]["decision"]
    # with distinguishable leads the largest lead stays, however important the other is
    sens = pooled & (tests["dimension"] == "sensory").to_numpy()
    tests.loc[sens, ["hedges", "hedges_ci_low", "hedges_ci_high"]] = [1.5, 1.4, 1.6]
    cand = pf.positioning_candidates(data, profile, tests, imp)
    assert cand.iloc[0]["dimension"] == "sensory"
    assert "the two leads are distinguishable" in cand.iloc[1]["decision"]


def test_no_qualifying_dimension_is_said_with_what_would_decide_it(demo):
    data, profile, tests, imp = _frames(demo["software_vendor"])
    tests["significant"] = False
    tests["p_corr"] = 0.2
    prop = pf.propose_platform(data, profile, tests, imp, theme=None)
    assert prop.positioning == [] and prop.evp is None and not prop.candidates["chosen"].any()
    fs = pf.platform_findings(prop)
    assert [f["key"] for f in fs] == ["positioning", "implementation_theme"]
    text = fs[0]["text"]
    assert "No experience dimension qualifies" in text and "What would decide it: more competitor ratings" in text
    assert "distinctly" not in " ".join(f["text"] for f in fs)
    assert prop.candidates.iloc[0]["decision"].startswith("best available candidate")


# ------------------------------------------------------------------------------------ the theme


def test_theme_is_phrases_from_positive_sentences_about_the_chosen_dimension(demo, tmp_path):
    data = _load(tmp_path, "fitness_club", edit=lambda folder: inject_verbatim(
        folder, "Clean showers and bright colours everywhere, love it! Mail me at jane.doe@example.com."))
    theme = pf.implementation_theme(data, "sensory")
    assert theme.enough and "SENSE" in theme.lexicon_source
    assert (theme.phrases["term"].str.split().str.len() >= 2).all()  # phrases, never single words
    ph = theme.phrases
    assert ph["target_docs"].min() >= 3 and (ph["target_share"] > ph["reference_share"]).all()
    assert 2 <= len(theme.quotes) <= 3 and len(set(theme.quotes)) == len(theme.quotes)
    for r in theme.phrases.itertuples():
        assert r.phrase.lower() in r.quote.lower()
    assert not any("@" in q or "jane" in q.lower() for q in theme.quotes + list(theme.phrases["quote"]))
    assert "clean showers" in set(theme.phrases["phrase"])
    prop = demo["fitness_club"]["proposal"]
    row = prop.table.set_index("element").loc[pf.ELEMENTS[2]]
    assert "“clean showers”" in row["proposal"] and "As customers put it" in row["proposal"]


def test_not_enough_verbatims_is_one_line(demo):
    prop = demo["software_vendor"]["proposal"]
    assert prop.theme is not None and not prop.theme.enough
    line = prop.table.set_index("element").loc[pf.ELEMENTS[2], "proposal"]
    assert line.startswith("Not enough verbatims:") and "\n" not in line and line.count(". ") == 0


# ------------------------------------------------------------------------------------ item 8


def _drop_reverse(constructs):
    def edit(folder):
        path = folder / "client.yaml"
        cfg = yaml.safe_load(path.read_text())
        for c in constructs:
            cfg["constructs"][c].pop("reverse")
        path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return edit


ALL_FOUR = ["sensory", "affective", "intellectual", "behavioral"]


@pytest.mark.parametrize("client, constructs", [("coffee_house", ["affective"]), ("hotel_group", ALL_FOUR)])
def test_forgotten_reverse_declaration_is_named_and_avoided(tmp_path, client, constructs):
    truth = json.loads((REPO / "data" / "raw" / client / "truth.json").read_text())
    data = _load(tmp_path, client, edit=_drop_reverse(constructs))
    items = {c: next(i for i in truth["reverse_items"] if i in data.config.constructs[c].items) for c in constructs}
    rel = pf.Reliability()
    f = rel.findings(rel.result(data, SETTINGS), data, SETTINGS)[0]
    assert f["headline"] and "Probably reverse-worded" in f["text"] and "`reverse:`" in f["text"]
    assert "client.yaml" not in f["text"]
    for item in items.values():  # each item named once, by its wording, never by its code
        assert f["text"].count(f"“{nv.item_label(data.config, item)}” of ") == 1
        assert item not in f["text"]
    found = pf.reverse_worded_items(pf.item_table(data))
    assert set(found["item"]) == set(items.values()) and not found["reversed"].any()
    # the positioning never rests on a construct below the gate
    prop = pf.ExperientialPlatform().result(data, SETTINGS)
    cand = prop.candidates.set_index("dimension")
    for c in constructs:
        assert not cand.loc[c, "reliable"] and not cand.loc[c, "qualifies"]
        assert c not in prop.positioning
    if client == "coffee_house":  # affective was the positioning; sensory is the next reliable qualifier
        assert prop.positioning == ["sensory"]


def test_reliability_finding_without_items_is_unchanged_and_declared_reversals_are_checked():
    rel = pd.DataFrame({"construct": ["a"], "label": ["A"], "k": [3], "n": [50], "alpha": [0.4],
                        "alpha_ci_low": [0.2], "alpha_ci_high": [0.55], "alpha_std": [0.41],
                        "below_threshold": [True], "reliability_flag": ["alpha = .40 < .70"]})
    items = pd.DataFrame({"construct": ["a"] * 3, "item": ["x", "y", "z"], "reversed": [False, False, True],
                          "n": [50] * 3, "mean": [4.0] * 3, "sd": [1.0] * 3, "item_total_r": [0.6, 0.1, -0.3],
                          "alpha_if_deleted": [0.2, 0.45, 0.7], "alpha": [0.4] * 3,
                          "raises_alpha": [False, True, True]})
    base = pf.reliability_finding(rel)["text"]
    text = pf.reliability_finding(rel, items=items)["text"]
    assert text.startswith(base) and "Probably reverse-worded" not in text  # y is weak, not negative
    assert "Declared under `reverse:` yet still negative: “Z” of A" in text  # no config: the code in words
    assert np.isclose(pf.reliability_finding(rel, items=items)["value"], 0.4)
