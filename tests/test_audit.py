"""Tests of cem_research.steps.interface.promises (promise versus delivery): validation, hand computations of the
delivery, gap and verdict, the default targets, touchpoint evidence, the planted promises of
fitness_club, and notebook 04's section."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from conftest import make_client, project_root, run_captured, run_notebook
from cem_research.steps.interface import promises as audit
from cem_research import stats
from cem_research.client.errors import ContractError

REPO = Path(__file__).resolve().parents[1]
FINDING_MIME = "application/vnd.cem-research.finding+json"


# own-brand answers on three single-item constructs (1-7): high, low and middling
OWN = {"warm": [6, 7, 6, 7, 6, 7, 6, 7, 6, 7], "fast": [2, 3, 2, 3, 2, 3, 2, 3, 2, 3],
       "fun": [3, 6, 4, 5, 2, 7, 4, 5, 3, 6]}
RIVAL = {"warm": [5, 5, 6, 5, 5, 6], "fast": [5, 6, 5, 6, 5, 6], "fun": [4, 5, 4, 5, 5, 4]}


def _files(with_competitors: bool = True, with_touchpoints: bool = True) -> dict[str, pd.DataFrame]:
    own = pd.DataFrame({"id": [f"o{i}" for i in range(10)], "wave": "W1", "brand": "Own", **OWN})
    files = {"survey.csv": own}
    if with_competitors:
        files["competitors.csv"] = pd.DataFrame({"id": [f"c{i}" for i in range(6)], "wave": "W1",
                                                 "brand": "Rival", **RIVAL})
    if with_touchpoints:
        files["touchpoints.csv"] = pd.DataFrame({
            "id": [f"o{i}" for i in range(10)] * 2,
            "tp": ["desk"] * 10 + ["app"] * 10,
            "sat": [5, 5, 4, 4, 5, 5, 4, 4, 3, 5] + [1, 2, 2, 3, 1, 2, 4, 1, 2, 3]})
    return files


def _cfg(promises, with_competitors: bool = True, with_touchpoints: bool = True) -> dict:
    cfg = {"brand": "Own", "survey": {"file": "survey.csv", "id": "id", "wave": "wave", "brand": "brand"},
           "constructs": {c: {"items": [c]} for c in OWN}}
    if with_competitors:
        cfg["competitors"] = [{"name": "Rival", "kind": "direct"}]
        cfg["competitor_ratings"] = {"file": "competitors.csv"}
    if with_touchpoints:
        cfg["touchpoints"] = {"file": "touchpoints.csv", "id": "id", "touchpoint": "tp", "satisfaction": "sat",
                              "scale": [1, 5]}
    if promises is not None:
        cfg["promises"] = promises
    return cfg


PROMISES = [
    {"promise": "A warm welcome", "construct": "warm", "touchpoints": ["desk"], "target": 5.0},
    {"promise": "Fast service", "construct": "fast", "touchpoints": ["app", "desk"], "target": 5.0},
    {"promise": "Fun visits", "construct": "fun", "target": 4.5},
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit_small")
    return make_client(root, "promising", _cfg(PROMISES), _files())


def test_delivery_gap_and_verdict_by_hand(small):
    d = audit.promise_delivery(small).set_index("promise")
    for promise, construct, target, verdict in (("A warm welcome", "warm", 5.0, "delivered"),
                                                 ("Fast service", "fast", 5.0, "not delivered"),
                                                 ("Fun visits", "fun", 4.5, "cannot tell")):
        x = np.array(OWN[construct], float)
        half = sps.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
        r = d.loc[promise]
        assert r["mean"] == pytest.approx(x.mean()) and r["n"] == 10
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((x.mean() - half, x.mean() + half))
        assert r["target"] == target and r["target_source"] == "client.yaml" and r["target_n"] == 0
        assert r["gap"] == pytest.approx(x.mean() - target)
        assert (r["gap_ci_low"], r["gap_ci_high"]) == pytest.approx((x.mean() - half - target, x.mean() + half - target))
        assert r["verdict"] == verdict
        assert r["delivered_0_100"] == pytest.approx(100 * (x.mean() - 1) / 6)
        assert r["target_0_100"] == pytest.approx(100 * (target - 1) / 6)


def test_touchpoint_evidence_by_hand(small):
    tp = audit.promise_touchpoints(small)
    assert list(zip(tp["promise"], tp["touchpoint"])) == [("A warm welcome", "desk"), ("Fast service", "app"),
                                                          ("Fast service", "desk")]
    app = tp[tp["touchpoint"] == "app"].iloc[0]
    sat = np.array([1, 2, 2, 3, 1, 2, 4, 1, 2, 3], float)
    half = sps.t.ppf(0.975, 9) * sat.std(ddof=1) / np.sqrt(10)
    assert app["n_events"] == 10 and app["satisfaction"] == pytest.approx(sat.mean())
    assert app["satisfaction_0_100"] == pytest.approx(100 * (sat.mean() - 1) / 4)
    assert app["ci_low_0_100"] == pytest.approx(100 * (sat.mean() - half - 1) / 4)
    assert app["share_poor"] == pytest.approx(0.9)  # rated 1-3 (at or below the midpoint 3)
    assert (app["poor_ci_low"], app["poor_ci_high"]) == pytest.approx(stats.proportion_ci(9, 10))
    assert app["weakest"] and not tp[(tp["promise"] == "Fast service") & (tp["touchpoint"] == "desk")]["weakest"].any()
    trace = audit.traceability(audit.promise_delivery(small), tp)
    assert list(trace.columns) == ["promise", "measure", "target", "delivered", "gap", "verdict", "touchpoints"]
    fast = trace[trace["promise"] == "Fast service"].iloc[0]
    assert fast["verdict"] == "not delivered" and fast["measure"] == "Fast (1–7)"
    assert fast["touchpoints"].startswith("App 28/100") and "90% poor" in fast["touchpoints"]  # touchpoint in words
    assert trace[trace["promise"] == "Fun visits"]["touchpoints"].iloc[0] == "—"


def test_finding_names_the_undelivered_promise(small):
    d = audit.promise_delivery(small)
    f = audit.promise_finding(d, audit.promise_touchpoints(small))
    assert f["text"].startswith("1 of 3 brand promises is not delivered: 'Fast service'")
    assert "weakest touchpoint App" in f["text"] and "Delivered: 'A warm welcome'" in f["text"]
    assert "Cannot tell" in f["text"] and "'Fun visits'" in f["text"]
    assert f["headline"] and f["key"] == "promise_gap_min"
    fast = d[d["promise"] == "Fast service"].iloc[0]
    assert f["value"] == pytest.approx(fast["gap"]) and f["ci"] == pytest.approx((fast["gap_ci_low"], fast["gap_ci_high"]))
    assert audit.section_intro(d).startswith(f"## {audit.SECTION}")
    ax = audit.gap_figure(d)
    assert ax.get_xlabel().startswith("delivered minus target")
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_default_target_best_competitor_welch(tmp_path):
    promises = [{"promise": "Warm", "construct": "warm"}, {"promise": "Fast", "construct": "fast"}]
    data = make_client(tmp_path, "bestcomp", _cfg(promises, with_touchpoints=False), _files(with_touchpoints=False))
    d = audit.promise_delivery(data).set_index("promise")
    for promise, c in (("Warm", "warm"), ("Fast", "fast")):
        r = d.loc[promise]
        own, rival = np.array(OWN[c], float), np.array(RIVAL[c], float)
        assert r["target"] == pytest.approx(rival.mean()) and r["target_source"] == "best competitor (Rival)"
        assert r["target_n"] == 6
        ci = sps.ttest_ind(own, rival, equal_var=False).confidence_interval(0.95)
        assert (r["gap_ci_low"], r["gap_ci_high"]) == pytest.approx((ci.low, ci.high))
    assert d.loc["Warm", "verdict"] == "delivered" and d.loc["Fast", "verdict"] == "not delivered"
    assert audit.promise_touchpoints(data) is None


def test_default_target_scale_point_without_competitors(tmp_path):
    data = make_client(tmp_path, "nocomp", _cfg([{"promise": "Warm", "construct": "warm"}], False, False),
                       _files(False, False))
    r = audit.promise_delivery(data).iloc[0]
    assert r["target"] == pytest.approx(1 + 0.75 * 6) and r["target_source"] == "75% of the scale"
    assert r["gap"] == pytest.approx(np.mean(OWN["warm"]) - 5.5)


def test_unknown_touchpoint_is_named(tmp_path):
    promises = [{"promise": "Warm", "construct": "warm", "touchpoints": ["dsk"], "target": 5}]
    with pytest.raises(ContractError, match="names 'dsk', which is not a touchpoint.*did you mean 'desk'") as e:
        make_client(tmp_path, "typo", _cfg(promises), _files())  # refused while processed (`make check`)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("promises, message", [
    ({"promise": "x"}, "must be a list"),
    ([{"promise": "x", "construct": "wram"}], "did you mean 'warm'"),
    ([{"promise": "x", "construct": "warm", "target": 9}], "on the warm scale 1-7"),
    ([{"promise": "x", "construct": "warm", "target": "high"}], "promises\\[0\\].target"),
    ([{"promise": "x", "construct": "warm", "tuchpoints": ["desk"]}], "did you mean 'touchpoints'"),
    ([{"construct": "warm"}], "promises\\[0\\].promise' is required"),
    ([{"promise": "x", "construct": "warm"}, {"promise": " x ", "construct": "fast"}], "listed twice"),
    ([{"promise": "x", "construct": "warm", "touchpoints": [{"a": 1}]}], "list of touchpoint names"),
])
def test_config_errors(promises, message):
    from cem_research.client.config import parse_config

    with pytest.raises(ContractError, match=message) as e:  # refused when client.yaml is loaded
        parse_config(_cfg(promises), "bad")
    assert "\n" not in str(e.value) and str(e.value).startswith("client 'bad', file 'client.yaml'")


def test_touchpoints_need_a_touchpoint_file():
    from cem_research.client.config import parse_config

    with pytest.raises(ContractError, match="declares no touchpoints file"):
        parse_config(_cfg([{"promise": "x", "construct": "warm", "touchpoints": ["desk"]}],
                          with_touchpoints=False), "bad")


def test_clients_without_promises_get_none():
    from cem_research.client.config import load_config
    from cem_research.client.data import ClientData

    for folder in (REPO / "tests" / "fixtures" / "tiny_client", REPO / "data" / "raw" / "coffee_house"):
        cfg = load_config(folder)
        data = ClientData(cfg, pd.DataFrame())
        assert cfg.promises is None
        delivery, tps = audit.promise_delivery(data), audit.promise_touchpoints(data)
        assert delivery is None and tps is None
        assert audit.traceability(delivery, tps) is None and audit.section_intro(delivery) is None
        assert audit.gap_figure(delivery) is None and audit.promise_finding(delivery, tps) is None


# ----------------------------------------------------------------------------- fitness_club


def test_fitness_planted_promises(fitness_project):
    data, truth = fitness_project["data"], fitness_project["truth"]
    d = audit.promise_delivery(data).set_index("promise")
    assert d.loc[truth["undelivered_promise"], "verdict"] == "not delivered"
    assert d.loc[truth["delivered_promise"], "verdict"] == "delivered"
    flagged = set(d.index[d["verdict"] == "not delivered"])
    assert flagged == {truth["undelivered_promise"]}
    # the default target of the third promise is the best competitor's mean
    assert d["target_source"].str.startswith("best competitor").sum() == 1
    tp = audit.promise_touchpoints(data)
    weakest = tp[(tp["promise"] == truth["undelivered_promise"]) & tp["weakest"]].iloc[0]
    assert weakest["touchpoint"] == truth["worst_touchpoint"]
    assert weakest["share_poor"] > tp.loc[tp["promise"] == truth["delivered_promise"], "share_poor"].max()
    f = audit.promise_finding(d.reset_index(), tp)
    from cem_research.present.narrative import value_label

    worst = value_label(None, "touchpoint", truth["worst_touchpoint"])  # the id in words
    assert truth["undelivered_promise"] in f["text"] and worst in f["text"]


@pytest.mark.slow
def test_notebook_04_promise_section(fitness_project, tmp_path):
    root = fitness_project["root"]
    out = tmp_path / "04_fitness.ipynb"
    with project_root(root):
        run_notebook(root / "notebooks" / "04_customer_interface.ipynb", out, {"client": "fitness_club"})
    fs = []
    for cell in json.loads(out.read_text())["cells"]:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o.get("evalue")
            if FINDING_MIME in o.get("data", {}):
                fs.append(o["data"][FINDING_MIME])
    promise = [f for f in fs if f["section"] == audit.SECTION]
    assert len(promise) == 1 and promise[0]["headline"] and promise[0]["key"] == "promise_gap_min"
    assert fitness_project["truth"]["undelivered_promise"] in promise[0]["text"]


# ----------------------------------------------------------------------------- the Section


def test_promise_section_equals_the_functions(fitness_project, monkeypatch):
    data = fitness_project["data"]
    section = audit.PromiseAudit()
    assert section.step == 4 and section.title == audit.SECTION and section.optional
    result, shown, recorded = run_captured(section, data, monkeypatch)
    delivery, tps = audit.promise_delivery(data), audit.promise_touchpoints(data)
    pd.testing.assert_frame_equal(result.delivery, delivery)
    pd.testing.assert_frame_equal(result.touchpoints, tps)
    pd.testing.assert_frame_equal(result.trace, audit.traceability(delivery, tps))
    old = audit.promise_finding(delivery, tps)
    assert recorded == [("record", (4, audit.SECTION), old)]
    assert "gap -1.23, 95% CI -1.33 to -1.13" in old["text"]
    assert [(s.kind, s.layer) for s in shown] == [("markdown", "appendix"), ("table", "appendix"), ("figure", "client"),
                                                  ("table", "appendix"), ("table", "client")]
    assert list(shown[-1].content.columns) == [c for c in result.trace.columns if c != "gap"]  # the chart shows it
    assert shown[1].caption.startswith("Traceability") and "verdict" in shown[2].caption


def test_promise_section_silent_without_promises(tmp_path, monkeypatch):
    from cem_research.steps.section import Settings

    data = make_client(tmp_path, "nopromise", _cfg(None), _files())
    assert data.config.promises is None
    assert audit.PromiseAudit().skip_reason(data, Settings()) == "the client declares no 'promises:' in client.yaml"
    assert run_captured(audit.PromiseAudit(), data, monkeypatch) == (None, [], [])
