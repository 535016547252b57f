"""Tests of cem_research.steps.brand.modules: the codebook (default, overrides, file), coding of verbatims,
shares and changes by hand, agreement with a hand-coded sample, validation, and the planted
RELATE theme of fitness_club."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from conftest import make_client, run_captured
from cem_research.steps.brand import modules as md
from cem_research.steps.section import Settings
from cem_research import stats
from cem_research.client.errors import ContractError

REPO = Path(__file__).resolve().parents[1]


# comments with known modules under the default codebook
W1 = ["The music is too loud.",                        # SENSE
      "I love this place, and the staff explained everything.",  # FEEL, THINK
      "Great workout today.",                          # ACT
      "Nothing special.",                              # none
      "The community here is like a family."]          # RELATE
W2 = ["We train together every week, I love the community.",  # ACT, RELATE, FEEL
      "Such a friendly community.",                    # RELATE
      "Fine.",                                         # none
      "The smell in the changing room is awful."]      # SENSE


def _survey() -> pd.DataFrame:
    return pd.DataFrame({"id": [f"r{i}" for i in range(9)], "wave": ["W1"] * 5 + ["W2"] * 4,
                         "q1": [4, 5, 6, 3, 4, 5, 6, 7, 5], "q2": [4, 5, 5, 3, 4, 6, 6, 7, 4]})


def _feedback() -> pd.DataFrame:
    return pd.DataFrame({"id": [f"r{i}" for i in range(9)], "wave": ["W1"] * 5 + ["W2"] * 4, "text": W1 + W2})


def _cfg(modules=None) -> dict:
    cfg = {"brand": "Own", "survey": {"file": "survey.csv", "id": "id", "wave": "wave"},
           "constructs": {"q": {"items": ["q1", "q2"]}}, "waves": ["W1", "W2"],
           "feedback": {"file": "feedback.csv", "text": "text", "id": "id", "wave": "wave"}}
    if modules is not None:
        cfg["modules"] = modules
    return cfg


HAND = pd.DataFrame({"comment": ["The music is loud and I love it.", "We run together.", "Nothing to add.",
                                 "I learned new tips.", "Friendly community.", "The place smells.",
                                 "Annoying queue."],
                     "module": ["SENSE;FEEL", "act, relate", "none", "THINK", "RELATE", "SENSE", "FEEL"]})


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("modules_small")
    return make_client(root, "talker", _cfg({"hand_coded": {"file": "hand.csv", "text": "comment",
                                                                "module": "module"}}),
                       {"survey.csv": _survey(), "feedback.csv": _feedback(), "hand.csv": HAND})


# ----------------------------------------------------------------------------- codebook


def test_default_codebook_has_schmitts_five_modules():
    book = md.load_codebook()
    assert list(book) == list(md.MODULES)
    assert all(len(words) >= 10 for words in book.values())
    from cem_research.client.paths import RESOURCES

    text = (RESOURCES / "modules.yaml").read_text()
    assert "Schmitt" in text and "Experiential Marketing" in text and "editable" in text
    assert "modules:" in text and "codebook:" in text  # says how to override


def test_codebook_overrides_and_file(tmp_path):
    book = md.load_codebook({"RELATE": ["tribe"], "THINK": []})
    assert book["RELATE"] == ["tribe"] and "THINK" not in book and book["SENSE"] == md.load_codebook()["SENSE"]
    (tmp_path / "cb.yaml").write_text("SENSE: [shiny]\nrelate: [crew]\n")
    assert md.load_codebook("cb.yaml", tmp_path) == {"SENSE": ["shiny"], "RELATE": ["crew"]}


# ----------------------------------------------------------------------------- coding and shares


def test_mentions_and_shares_by_hand(small):
    m = md.module_mentions(small)
    assert m.attrs["modules"] == list(md.MODULES)
    coded = m.groupby(level=0)["module"].apply(set).to_dict()
    assert coded == {0: {"SENSE"}, 1: {"FEEL", "THINK"}, 2: {"ACT"}, 4: {"RELATE"},
                     5: {"ACT", "RELATE", "FEEL"}, 6: {"RELATE"}, 8: {"SENSE"}}
    s = md.module_shares(small, m)
    assert list(pd.unique(s["wave"])) == ["W1", "W2", "all waves"]
    r = s[(s["wave"] == "W2") & (s["module"] == "RELATE")].iloc[0]
    assert (r["n_texts"], r["mentions"], r["share"]) == (4, 2, 0.5)
    assert (r["share_ci_low"], r["share_ci_high"]) == pytest.approx(stats.proportion_ci(2, 4))
    allw = s[(s["wave"] == "all waves") & (s["module"] == "FEEL")].iloc[0]
    assert (allw["n_texts"], allw["mentions"]) == (9, 2)
    # sentiment: mean compound of the mentioning sentences, t interval
    feel = m[m["module"] == "FEEL"]["compound"].to_numpy()
    half = sps.t.ppf(0.975, 1) * feel.std(ddof=1) / math.sqrt(2)
    assert allw["compound"] == pytest.approx(feel.mean())
    assert (allw["ci_low"], allw["ci_high"]) == pytest.approx((feel.mean() - half, feel.mean() + half))


def test_changes_by_hand(small):
    ch = md.module_changes(md.module_shares(small, md.module_mentions(small))).set_index("module")
    r = ch.loc["RELATE"]
    assert (r["share_first"], r["share_latest"], r["diff"]) == pytest.approx((0.2, 0.5, 0.3))
    # Newcombe (1998) hybrid score interval from the two Wilson intervals
    l1, u1 = stats.proportion_ci(2, 4)
    l2, u2 = stats.proportion_ci(1, 5)
    assert r["ci_low"] == pytest.approx(0.3 - math.sqrt((0.5 - l1) ** 2 + (u2 - 0.2) ** 2))
    assert r["ci_high"] == pytest.approx(0.3 + math.sqrt((u1 - 0.5) ** 2 + (0.2 - l2) ** 2))
    assert r["p_unc"] == pytest.approx(sps.fisher_exact([[2, 2], [1, 4]]).pvalue)
    assert (ch["direction"] == "stable").all()  # nine comments prove nothing


def test_agreement_by_hand(small):
    a = md.hand_coding_agreement(small, n_boot=200).set_index("module")
    # machine codes of the hand-coded comments under the default codebook
    machine = [{"SENSE", "FEEL"}, {"ACT", "RELATE"}, set(), {"THINK"}, {"RELATE"}, {"SENSE"}, {"FEEL"}]
    human = [{"SENSE", "FEEL"}, {"ACT", "RELATE"}, set(), {"THINK"}, {"RELATE"}, {"SENSE"}, {"FEEL"}]
    for mod in md.MODULES:
        h = [int(mod in s) for s in human]
        mm = [int(mod in s) for s in machine]
        k = stats.cohen_kappa(h, mm).iloc[0]
        assert a.loc[mod, "kappa"] == pytest.approx(k["kappa"])
        assert a.loc[mod, "human_present"] == sum(h) and a.loc[mod, "n"] == 7
    assert a.loc["all modules", "n"] == 35 and a.loc["all modules", "agreement"] == 1.0
    assert a.loc["all modules", "kappa"] == pytest.approx(1.0)
    assert a.attrs["n_comments"] == 7 and a.attrs["file"] == "hand.csv"


def test_agreement_counts_disagreements(tmp_path):
    hand = HAND.assign(module=["SENSE", "ACT;RELATE", "FEEL", "THINK", "none", "SENSE", "FEEL"])
    data = make_client(tmp_path, "disagree", _cfg({"hand_coded": {"file": "hand.csv", "text": "comment",
                                                                      "module": "module"}}),
                       {"survey.csv": _survey(), "feedback.csv": _feedback(), "hand.csv": hand})
    a = md.hand_coding_agreement(data, n_boot=100).set_index("module")
    feel_h = [0, 0, 1, 0, 0, 0, 1]
    feel_m = [1, 0, 0, 0, 0, 0, 1]
    assert a.loc["FEEL", "kappa"] == pytest.approx(stats.cohen_kappa(feel_h, feel_m)["kappa"].iloc[0])
    assert a.loc["FEEL", "agreement"] == pytest.approx(5 / 7)
    codes = pd.DataFrame({"h": feel_h, "m": feel_m})
    assert a.loc["FEEL", "alpha"] == pytest.approx(stats.krippendorff_alpha_nominal(codes, n_boot=0)["alpha"].iloc[0])
    assert a.loc["all modules", "agreement"] == pytest.approx(32 / 35)


def test_bad_hand_code_is_one_line_error(tmp_path):
    hand = HAND.assign(module=["SENSE", "ACT;RELATIVE", "none", "THINK", "RELATE", "SENSE", "FEELING"])
    with pytest.raises(ContractError) as e:  # refused while the client is processed (`make check`)
        make_client(tmp_path, "badcode", _cfg({"hand_coded": {"file": "hand.csv", "text": "comment",
                                                              "module": "module"}}),
                    {"survey.csv": _survey(), "feedback.csv": _feedback(), "hand.csv": hand})
    msg = str(e.value)
    assert "\n" not in msg and "file 'hand.csv'" in msg and "column 'module'" in msg and "rows 3, 8" in msg


def test_finding_and_intro(small):
    s = md.module_shares(small, md.module_mentions(small))
    a = md.hand_coding_agreement(small, n_boot=50)
    f = md.modules_finding(s, md.module_changes(s), a, "Own")
    assert f["text"].startswith("In 9 comments about Own, RELATE is the most frequent")
    assert "No module's share changed significantly" in f["text"] and "kappa 1.00" in f["text"]
    assert f["key"] == "module_top_share" and not f["headline"]
    intro = md.section_intro(small, a)
    assert intro.startswith(f"## {md.SECTION}") and "7 comments a person coded by hand" in intro
    import matplotlib.pyplot as plt

    fig = md.share_figure(s, "Own")
    assert fig.axes[0].get_xlabel().startswith("share of comments")
    plt.close(fig)


def test_client_codebook_override_is_used(tmp_path):
    data = make_client(tmp_path, "custom", _cfg({"codebook": {"RELATE": ["fine"]}}),
                       {"survey.csv": _survey(), "feedback.csv": _feedback()})
    m = md.module_mentions(data)
    assert set(m.loc[m["module"] == "RELATE"].index) == {7}  # only "Fine." now
    assert "overrides (RELATE)" in m.attrs["codebook_source"]
    assert md.hand_coding_agreement(data) is None


def test_codebook_file_in_client_folder(tmp_path):
    data = make_client(tmp_path, "cbfile", _cfg({"codebook": "book.yaml"}),
                       {"survey.csv": _survey(), "feedback.csv": _feedback()},
                       {"book.yaml": "ACT: [workout*]\nFEEL: [love*]\n"})
    m = md.module_mentions(data)
    assert m.attrs["modules"] == ["FEEL", "ACT"] and m.attrs["codebook_source"] == "client file book.yaml"


@pytest.mark.parametrize("block, message", [
    ({"codebook": {"RELATES": ["x"]}}, "did you mean 'RELATE'"),
    ({"codebok": {}}, "did you mean 'codebook'"),
    ({"codebook": {"ACT": "x*y"}}, "only at the end"),
    ({"codebook": {"ACT": [1, 2]}}, "list of words or phrases"),
    ({"codebook": "missing.yaml"}, "not a file in the client folder"),
    ({"codebook": 3}, "must map modules"),
    ({"hand_coded": {"file": "h.csv", "text": "c"}}, "hand_coded.module' is required"),
    ({"hand_coded": {"file": "h.csv", "text": "c", "module": "m", "coder": "x"}}, "unknown key 'coder'"),
    ({"hand_coded": {"file": "../h.csv", "text": "c", "module": "m"}}, "inside the client folder"),
    (["SENSE"], "'modules' must be a mapping"),
])
def test_config_errors(block, message):
    from cem_research.client.config import parse_config

    with pytest.raises(ContractError, match=message) as e:  # refused when client.yaml is loaded
        parse_config(_cfg(block), "bad")
    assert "\n" not in str(e.value) and str(e.value).startswith("client 'bad', file 'client.yaml'")


def test_declared_without_feedback(tmp_path):
    cfg = _cfg({})
    del cfg["feedback"]
    data = make_client(tmp_path, "silent", cfg, {"survey.csv": _survey()})
    section = md.ExperientialModules()
    assert section.declared(data) and md.module_mentions(data) is None
    assert "no verbatim comments" in section.skip_reason(data, Settings())
    assert md.section_intro(data).startswith(f"## {md.SECTION}")
    assert md.modules_finding(md.module_shares(data, None)) is None


def test_clients_without_modules_get_none():
    from cem_research.client.config import load_config
    from cem_research.client.data import ClientData

    for folder in (REPO / "tests" / "fixtures" / "tiny_client", REPO / "data" / "raw" / "coffee_house"):
        cfg = load_config(folder)
        data = ClientData(cfg, pd.DataFrame())
        assert not md.ExperientialModules().declared(data) and cfg.modules is None
        mentions = md.module_mentions(data)
        shares = md.module_shares(data, mentions)
        changes = md.module_changes(shares)
        agreement = md.hand_coding_agreement(data)
        assert mentions is shares is changes is agreement is None
        assert md.section_intro(data, agreement) is None and md.share_figure(shares) is None
        assert md.modules_finding(shares, changes, agreement) is None


# ----------------------------------------------------------------------------- fitness_club


def test_fitness_module_theme_rises_and_leads(fitness_project):
    data, truth = fitness_project["data"], fitness_project["truth"]
    theme = truth["module_theme"]
    s = md.module_shares(data, md.module_mentions(data))
    ch = md.module_changes(s)
    assert ch.iloc[0]["module"] == theme["module"] and ch.iloc[0]["direction"] == theme["direction"]
    assert ch.iloc[0]["ci_low"] > 0.05
    assert (ch.iloc[1:]["direction"] == "stable").all()
    latest = s[(s["wave"] == theme["wave"]) & (s["brand_kind"] == "own")]
    assert latest.loc[latest["share"].idxmax(), "module"] == theme["module"]
    per_wave = s[(s["module"] == theme["module"]) & (s["wave"].isin(truth["waves"]))]["share"].to_numpy()
    assert np.all(np.diff(per_wave) > 0)
    f = md.modules_finding(s, ch, None, data.config.brand)
    assert f["key"] == "module_rising" and f["headline"] and f"{theme['module']} is rising" in f["text"]


def test_fitness_hand_coded_agreement(fitness_project):
    data, truth = fitness_project["data"], fitness_project["truth"]
    a = md.hand_coding_agreement(data).set_index("module")
    assert a.attrs["n_comments"] == truth["module_theme"]["hand_coded"]
    assert a.loc["all modules", "kappa"] > 0.6 and a.loc["all modules", "kappa_ci_low"] > 0.6
    assert (a.loc[list(md.MODULES), "kappa"] > 0.6).all()
    assert (a["alpha"] > 0.6).all()
    assert a.loc["all modules", "agreement"] < 1  # the human coder disagrees now and then


# ----------------------------------------------------------------------------- the Section


def test_modules_section_equals_the_functions(fitness_project, monkeypatch):
    from cem_research.steps.section import Settings

    data = fitness_project["data"]
    settings = Settings()
    section = md.ExperientialModules()
    assert section.step == 3 and section.title == md.SECTION and section.optional
    result, shown, recorded = run_captured(section, data, monkeypatch)
    mentions = md.module_mentions(data)
    shares = md.module_shares(data, mentions)
    changes = md.module_changes(shares)
    agreement = md.hand_coding_agreement(data, n_boot=settings.n_boot, seed=settings.seed)
    pd.testing.assert_frame_equal(result.shares, shares)
    pd.testing.assert_frame_equal(result.changes, changes)
    pd.testing.assert_frame_equal(result.agreement, agreement)
    old = md.modules_finding(shares, changes, agreement, data.config.brand)
    assert recorded == [("record", (3, md.SECTION), old)]
    assert "Holm-corrected p < .001" in old["text"] and "kappa 0.93, 95% CI" in old["text"]
    assert [(s.kind, s.layer) for s in shown] == [("markdown", "appendix"), ("table", "appendix"), ("figure", "client"),
                                                  ("table", "appendix"), ("table", "client"), ("table", "appendix")]
    assert len(shown[4].content.columns) <= 6 and "diff" in shown[4].content  # the client's compact change table
    assert "hand_coded.csv" in shown[-1].caption and "Dot chart" in shown[2].caption


def test_modules_section_silent_when_undeclared_and_skips_without_verbatims(tmp_path, monkeypatch):
    from cem_research.steps.section import Settings

    cfg = _cfg({})
    del cfg["modules"]
    data = make_client(tmp_path, "nomodules", cfg, {"survey.csv": _survey(), "feedback.csv": _feedback()})
    assert run_captured(md.ExperientialModules(), data, monkeypatch) == (None, [], [])
    assert md.ExperientialModules().skip_reason(data, Settings()).startswith("the client declares no 'modules:'")
    cfg = _cfg({})
    del cfg["feedback"]
    data = make_client(tmp_path, "mute", cfg, {"survey.csv": _survey()})
    result, shown, recorded = run_captured(md.ExperientialModules(), data, monkeypatch)
    assert result is None and shown == [] and recorded[0][0] == "skip"
    assert "no verbatim comments" in recorded[0][1][2]
