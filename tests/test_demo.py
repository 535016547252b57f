"""Tests of the seeded demo-client generator (``datasets.demo``) and its spec files
(``datasets/specs/*.yaml``, read by ``datasets.spec``).

The planted effects recorded in ``truth.json`` are checked in the raw CSV files with plain
pandas, so these tests do not depend on the analysis modules they are meant to validate.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from datasets import demo
from datasets.spec import SPEC_DIR, SpecError, load_spec, read_spec_file, spec_names

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIRS = {t: ROOT / "data" / "raw" / t for t in demo.TEMPLATES}
TINY_DIR = ROOT / "tests" / "fixtures" / demo.TINY_CLIENT
ALL_DIRS = {**DEMO_DIRS, demo.TINY_CLIENT: TINY_DIR}

# keys of docs/contract.md, per section
CONTRACT_KEYS = {
    "top": {"name", "market", "brand", "competitors", "csv", "scale", "survey", "waves",
            "competitor_ratings", "constructs", "drivers", "outcomes", "nps", "segments", "journey",
            "feedback", "touchpoints", "kano", "promises", "modules", "weighting", "model", "behaviour"},
    "competitor": {"name", "kind"},
    "csv": {"delimiter", "decimal", "encoding"},
    "survey": {"file", "id", "wave", "brand", "date"},
    "competitor_ratings": {"file"},
    "construct": {"items", "reverse", "scale", "experience", "kind", "layer", "element", "uce"},
    "feedback": {"file", "text", "id", "wave", "brand", "touchpoint"},
    "touchpoints": {"file", "id", "touchpoint", "stage", "interface", "channel", "time",
                    "satisfaction", "effort", "scale", "effort_scale"},
    "model": {"paths", "mode", "scheme", "missing", "n_boot", "target", "groups"},
}
TRUTH_KEYS = {"top_driver", "poor_reliability", "reverse_items", "brand_advantage", "brand_gap",
              "segment_difference", "wave_shift", "no_change", "worst_touchpoint",
              "human_minus_technology", "human_touch_segment", "rising_theme", "stable_theme",
              "latest_wave", "waves", "n_respondents",
              # research methods planted in fitness_club
              "kano", "undelivered_promise", "delivered_promise", "module_theme", "weighting",
              "unreliable_segment",
              # the PLS path model planted in hotel_group
              "path_model",
              # what members did after the survey, planted in fitness_club (behaviour.csv)
              "behaviour",
              # Pope's UCE factors and their limiting factor, planted in software_vendor
              "uce"}
METHOD_KEYS = {"kano", "undelivered_promise", "delivered_promise", "module_theme", "weighting",
               "unreliable_segment"}
FITNESS = ROOT / "data" / "raw" / "fitness_club"


# --------------------------------------------------------------------------------------------
# helpers: read a client folder with pandas only
class Client:
    def __init__(self, folder: Path):
        self.folder = folder
        self.cfg = yaml.safe_load((folder / "client.yaml").read_text(encoding="utf-8"))
        self.questions = {}  # items are declared as {name, question}: keep the names, note the wording
        for c in self.cfg["constructs"].values():
            self.questions.update({i["name"]: i["question"] for i in c["items"] if isinstance(i, dict)})
            c["items"] = [i["name"] if isinstance(i, dict) else i for i in c["items"]]
        self.truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        self.sep = (self.cfg.get("csv") or {}).get("delimiter", ",")
        s = self.cfg["survey"]
        frames = [self._read(s["file"])]
        if "competitor_ratings" in self.cfg:
            frames.append(self._read(self.cfg["competitor_ratings"]["file"]))
        self.raw = pd.concat(frames, ignore_index=True)
        self.brand_col = s.get("brand")
        self.wave_col = s["wave"]
        self.id_col = s["id"]
        self.scored = self.raw.copy()
        default = self.cfg.get("scale", [1, 7])
        for name, c in self.cfg["constructs"].items():
            lo, hi = c.get("scale", default)
            for item in c.get("reverse", []):
                self.scored[item] = lo + hi - self.scored[item]
            self.scored[name] = self.scored[c["items"]].mean(axis=1)
        brand = self.cfg["brand"]
        self.own = self.scored[self.scored[self.brand_col] == brand] if self.brand_col else self.scored

    def _read(self, file: str) -> pd.DataFrame:
        return pd.read_csv(self.folder / file, sep=self.sep, keep_default_na=False, na_values=[""])

    def items(self, construct: str) -> list[str]:
        return self.cfg["constructs"][construct]["items"]

    def optional(self, key: str) -> pd.DataFrame | None:
        if key not in self.cfg:
            return None
        return self._read(self.cfg[key]["file"])


def _alpha(frame: pd.DataFrame) -> float:
    frame = frame.dropna()
    k = frame.shape[1]
    return k / (k - 1) * (1 - frame.var().sum() / frame.sum(axis=1).var())


def _shapley_r2(frame: pd.DataFrame, y: str, xs: list[str]) -> pd.Series:
    """Share of R^2 of each predictor (LMG / Shapley decomposition)."""
    d = frame[[y, *xs]].dropna()
    Y, X = d[y].to_numpy(float), d[xs].to_numpy(float)
    cache: dict[tuple, float] = {(): 0.0}

    def r2(subset: tuple) -> float:
        if subset not in cache:
            A = np.column_stack([np.ones(len(d)), X[:, list(subset)]])
            resid = Y - A @ np.linalg.lstsq(A, Y, rcond=None)[0]
            cache[subset] = 1 - resid.var() / Y.var()
        return cache[subset]

    k = len(xs)
    share = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for m in range(k):
            w = math.factorial(m) * math.factorial(k - m - 1) / math.factorial(k)
            for subset in itertools.combinations(others, m):
                share[j] += w * (r2(tuple(sorted(subset + (j,)))) - r2(subset))
    return pd.Series(share / share.sum(), index=xs).sort_values(ascending=False)


@pytest.fixture(scope="module", params=list(ALL_DIRS))
def client(request) -> Client:
    return Client(ALL_DIRS[request.param])


@pytest.fixture(scope="module", params=list(DEMO_DIRS))
def demo_client(request) -> Client:
    """The three committed demo clients (large enough for statistical checks)."""
    return Client(DEMO_DIRS[request.param])


# --------------------------------------------------------------------------------------------
# reproducibility
def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_same_seed_gives_identical_bytes(tmp_path):
    a = demo.generate_client("coffee_house", tmp_path / "a", seed=7)
    b = demo.generate_client("coffee_house", tmp_path / "b", seed=7)
    assert _files(a) == _files(b)
    t1, t2 = demo.write_tiny_client(tmp_path / "a"), demo.write_tiny_client(tmp_path / "b")
    assert _files(t1) == _files(t2)
    c = demo.generate_client("coffee_house", tmp_path / "c", seed=8)
    assert _files(c)["survey.csv"] != _files(a)["survey.csv"]


def test_committed_demo_clients_equal_a_fresh_generation(tmp_path):
    """Nobody edits the demo data by hand: it must equal the generator's output."""
    fresh = demo.write_demo_clients(tmp_path)
    assert [p.name for p in fresh] == list(demo.TEMPLATES)
    for folder in fresh:
        committed = DEMO_DIRS[folder.name]
        assert _files(committed) == _files(folder), (
            f"data/raw/{folder.name} differs from the generator: run "
            f"`python -m datasets.demo --out data/raw`")
    tiny = demo.write_tiny_client(tmp_path / "fixtures")
    assert _files(TINY_DIR) == _files(tiny), (
        "tests/fixtures/tiny_client differs from the generator: run "
        "`python -m datasets.demo --out tests/fixtures --client tiny_client`")


@pytest.mark.parametrize("kind", ["tiny", "coffee"])
def test_fast_csv_writer_matches_pandas_to_csv(tmp_path, kind):
    """The fast field-joining writer produces exactly what DataFrame.to_csv produces."""
    spec = load_spec(demo.TINY_CLIENT if kind == "tiny" else "coffee_house")
    n = None if kind == "tiny" else 900
    out = {fast: demo.build(spec, tmp_path / str(fast), 3, n, None, fast) for fast in (False, True)}
    assert _files(out[True]) == _files(out[False])


def test_committed_data_stay_small():
    total = sum(p.stat().st_size for d in DEMO_DIRS.values() for p in d.iterdir())
    assert total < 3_000_000
    assert sum(p.stat().st_size for p in FITNESS.iterdir()) <= 500_000
    assert sum(p.stat().st_size for p in TINY_DIR.iterdir()) < 200_000


# --------------------------------------------------------------------------------------------
# the spec files
def test_every_spec_validates():
    assert spec_names() == sorted([*demo.TEMPLATES, demo.TINY_CLIENT])
    for name in spec_names():
        spec = load_spec(name)
        assert spec.name == spec.folder == name
        assert [o.name for o in spec.outcomes] == ["satisfaction", "recommend", "loyalty"]
        assert set(spec.drivers) <= {c.name for c in spec.constructs}
    # the tiny client is coffee_house made small, drawn from coffee_house's random stream
    tiny, coffee = load_spec(demo.TINY_CLIENT), load_spec("coffee_house")
    assert tiny.stream == "coffee_house" and tiny.brand == coffee.brand
    assert tiny.waves == coffee.waves[1:] and tiny.feedback.rising[2] == (0.02, 0.15)
    assert [c for c, _ in tiny.competitors] == ["Daily Grind", "SipNow"]
    assert tiny.constructs == coffee.constructs and tiny.feedback.topics == coffee.feedback.topics


def test_spec_reads_the_published_brand_experience_scale():
    sensory = next(c for c in load_spec("software_vendor").constructs if c.name == "sensory")
    assert sensory.items == ("q12_1", "q12_2", "q12_3") and sensory.reverse == ("q12_3",)
    assert sensory.wording[2] == "This brand does not appeal to my senses."
    assert (sensory.experience, sensory.kind, sensory.layer) == (True, "emotional", "brand")
    fitness = load_spec("fitness_club")
    assert fitness.feedback.codes["The changing rooms are spotless and smell fresh."] == "SENSE"
    assert fitness.early_stop == (-1.9, 1.5, {1: 0.2, 2: 0.3, 3: 0.5})     # joining, onboarding, training
    assert fitness.kano[1].shares == (0.55, 0.10, 0.05, 0.25, 0.03, 0.02)    # A, O, M, I, R, Q


def _raw(name: str) -> dict:
    return yaml.safe_load((SPEC_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def _write_spec(folder: Path, name: str, raw: dict) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _rename_key(mapping: dict, old: str, new: str) -> None:
    items = list(mapping.items())
    mapping.clear()
    mapping.update((new if k == old else k, v) for k, v in items)


def test_a_copied_spec_generates_the_same_client(tmp_path):
    """A spec file is all the generator needs: a copy elsewhere gives the same bytes."""
    path = _write_spec(tmp_path, "hotel_group", _raw("hotel_group"))
    a = demo.build(load_spec(path), tmp_path / "copy", seed=5, n_respondents=400)
    b = demo.generate_client("hotel_group", tmp_path / "original", n_respondents=400, seed=5)
    assert _files(a) == _files(b)


def test_a_spec_edit_changes_the_client(tmp_path):
    raw = _raw("hotel_group")
    raw["brand"] = "Lighthouse Hotels"
    raw["planted"]["brand_advantage"] = "affective"
    folder = demo.build(load_spec(_write_spec(tmp_path, "hotel_group", raw)), tmp_path / "out", n_respondents=300)
    c = Client(folder)
    assert c.cfg["brand"] == "Lighthouse Hotels" and "Lighthouse Hotels" in set(c.raw[c.brand_col])
    assert c.truth["brand_advantage"] == {"construct": "affective", "direction": "higher"}


def _typo(raw):
    _rename_key(raw["constructs"]["sensory"], "items", "itmes")


def _no_brand(raw):
    del raw["brand"]


def _bad_mean(raw):
    raw["constructs"]["support"]["mean"] = "high"


def _bad_driver(raw):
    raw["drivers"].append("servce")


def _bad_stage(raw):
    raw["touchpoints"]["webinar"]["stage"] = "awarenes"


def _bad_shares(raw):
    raw["feedback"]["rising"]["shares"] = [0.02, 0.15]


def _bad_offset(raw):
    raw["brand_offsets"]["Vizora"]["sensry"] = 0.1


def _bad_level(raw):
    raw["planted"]["segment_effect"]["higher"] = "smb"


def _bad_template(raw):
    raw["feedback"]["topics"]["webinar"]["pos"].append("The {feture} webinar was great.")


def _missing_topic(raw):
    del raw["feedback"]["topics"]["webinar"]


@pytest.mark.parametrize("edit, key, message", [
    (_typo, "constructs.sensory.itmes", "unknown key 'constructs.sensory.itmes' (did you mean 'items'?)"),
    (_no_brand, "brand", "missing key 'brand'"),
    (_bad_mean, "constructs.support.mean", "expected a number, got 'high'"),
    (_bad_driver, "drivers[8]", "'servce' is not a construct; use one of sensory, affective"),
    (_bad_stage, "touchpoints.webinar.stage", "'awarenes' is not a journey stage (did you mean 'awareness'?)"),
    (_bad_shares, "feedback.rising.shares", "expected one share per wave (4), got 2"),
    (_bad_offset, "brand_offsets.Vizora.sensry", "(did you mean 'sensory'?)"),
    (_bad_level, "planted.segment_effect.higher", "'smb' is not a level of segment cust_type (did you mean 'SMB'?)"),
    (_bad_template, "feedback.topics.webinar.pos", "{feture} in 'The {feture} webinar was great.' is not in "
                                                   "feedback.vocab (did you mean 'feature'?)"),
    (_missing_topic, "feedback.topics", "touchpoint 'webinar' has no topic"),
])
def test_a_spec_mistake_is_refused_naming_file_and_key(tmp_path, edit, key, message):
    raw = _raw("software_vendor")
    edit(raw)
    path = _write_spec(tmp_path, "software_vendor", raw)
    with pytest.raises(SpecError) as err:
        load_spec(path)
    text = str(err.value)
    assert text.startswith(str(path) + ": ") and repr(key) in text and message in text, text


def test_fitness_method_mistakes_are_refused(tmp_path):
    for edit, message in [
        (lambda r: r["weighting"]["targets"].update({"60+": 0.5}), "must add up to 1"),
        (lambda r: _rename_key(r["kano"]["sauna"]["shares"], "must_be", "must"),
         "unknown key 'kano.sauna.shares.must'"),
        (lambda r: r["promises"][0]["touchpoints"].append("sauna"), "'sauna' is not a touchpoint"),
        (lambda r: r["feedback"]["closers"]["neg"].append(["Awful.", "ANGER"]),
         "'ANGER' is not an experiential module"),
    ]:
        raw = _raw("fitness_club")
        edit(raw)
        with pytest.raises(SpecError, match=re.escape(message)):
            load_spec(_write_spec(tmp_path, "fitness_club", raw))


def test_an_extending_spec_names_a_wrong_override(tmp_path):
    for name in ("coffee_house",):
        _write_spec(tmp_path, name, _raw(name))
    tiny = _raw(demo.TINY_CLIENT)
    assert set(tiny) == {"extends", "random_stream", "override"}
    tiny["override"]["feedback.risng.shares"] = tiny["override"].pop("feedback.rising.shares")
    path = _write_spec(tmp_path, demo.TINY_CLIENT, tiny)
    with pytest.raises(SpecError, match=re.escape("key 'override.feedback.risng.shares': the base spec coffee_house "
                                                  "has no key 'feedback.risng' (did you mean 'rising'?)")):
        read_spec_file(path)
    tiny["override"] = {"feedback.rising.shares": [0.02, 0.15], "waves": {"2026Q2": "2026-04-01"}}
    with pytest.raises(SpecError, match=re.escape("expected one share per wave (1), got 2")):
        load_spec(_write_spec(tmp_path, demo.TINY_CLIENT, tiny))


def test_model_mistakes_are_refused(tmp_path):
    for edit, message in [
        (lambda r: r["model"]["paths"].append(["sensory", "room_quality"]),
         "'room_quality' is not an outcome (the generator plants effects on outcomes)"),
        (lambda r: r["model"]["paths"].append(["loyalty", "satisfaction"]),
         "'loyalty' is not a construct or an outcome before satisfaction"),
        (lambda r: r["model"].update(groups="travel"), "'travel' is not a segment (did you mean 'traveller'?)"),
        (lambda r: r["betas"]["satisfaction"].update(loyalty=0.3), "unknown key 'betas.satisfaction.loyalty'"),
    ]:
        raw = _raw("hotel_group")
        edit(raw)
        with pytest.raises(SpecError, match=re.escape(message)):
            load_spec(_write_spec(tmp_path, "hotel_group", raw))


def test_unknown_spec_name():
    with pytest.raises(ValueError, match="unknown demo spec 'bakery'"):
        load_spec("bakery")


# --------------------------------------------------------------------------------------------
# the contract
def test_yaml_uses_only_contract_keys(client):
    cfg = client.cfg
    assert set(cfg) <= CONTRACT_KEYS["top"]
    for comp in cfg.get("competitors", []):
        assert set(comp) <= CONTRACT_KEYS["competitor"]
        assert comp["kind"] in ("direct", "new_entrant", "outside_industry")
    for section in ("csv", "survey", "competitor_ratings", "feedback", "touchpoints", "model"):
        if section in cfg:
            assert set(cfg[section]) <= CONTRACT_KEYS[section], section
    for name, c in cfg["constructs"].items():
        assert set(c) <= CONTRACT_KEYS["construct"], name
        assert c.get("kind", "functional") in ("emotional", "functional")
        assert c.get("layer") in (None, "context", "usage", "category", "brand")
        assert c.get("element") in (None, "product", "look_and_feel", "communications")
        assert set(c.get("reverse", [])) <= set(c["items"])
    assert set(cfg["drivers"]) <= set(cfg["constructs"])
    assert set(cfg["outcomes"]) == {"satisfaction", "recommend", "loyalty"}
    assert cfg["constructs"][cfg["nps"]]["scale"] == [0, 10]
    assert cfg["constructs"]["satisfaction"]["scale"] == [1, 10]


def test_every_item_declares_its_question(client):
    """The reports name items by their wording (issue 15): every demo item declares its ``question:``."""
    items = {i for c in client.cfg["constructs"].values() for i in c["items"]}
    assert set(client.questions) == items
    assert all(len(q.split()) >= 3 for q in client.questions.values())


def test_yaml_matches_the_csv_files(client):
    cfg = client.cfg
    cols = set(client.raw.columns)
    for c in cfg["constructs"].values():
        assert set(c["items"]) <= cols
    assert set(cfg["segments"]) <= cols
    assert {v for k, v in cfg["survey"].items() if k != "file"} <= cols
    assert set(client.raw[client.brand_col]) == {cfg["brand"], *(c["name"] for c in cfg["competitors"])}
    assert list(cfg["waves"]) == client.truth["waves"]
    assert set(client.raw[client.wave_col]) == set(cfg["waves"])
    ids = client.raw[[client.id_col, client.wave_col, client.brand_col]]
    assert not ids.duplicated().any()
    for key in ("feedback", "touchpoints"):
        if key in cfg:
            frame = client.optional(key)
            assert {v for k, v in cfg[key].items() if k not in ("file", "scale", "effort_scale")} <= \
                set(frame.columns)


def test_contract_reader_accepts_the_clients(client):
    config = pytest.importorskip("cem_research.client.config")
    contract = pytest.importorskip("cem_research.client.contract")
    pytest.importorskip("pandera")
    cfg = config.load_config(client.folder)
    raw = contract.read_client(cfg)
    assert raw.waves == client.truth["waves"]
    survey = [a for a in raw.accounting if a.file == "survey.csv"][0]
    assert survey.kept == survey.read == client.truth["n_respondents"]


def test_experience_constructs_are_the_brand_experience_scale(client):
    cons = client.cfg["constructs"]
    bes = [n for n, c in cons.items() if c.get("experience")]
    assert sorted(bes) == ["affective", "behavioral", "intellectual", "sensory"]
    for n in bes:
        assert len(cons[n]["items"]) == 3 and len(cons[n]["reverse"]) == 1
        assert cons[n]["layer"] == "brand"
    assert cons["sensory"]["kind"] == cons["affective"]["kind"] == "emotional"
    # the published reverse-keyed items: sensory 3, affective 2, behavioral 3, intellectual 2
    assert [cons[d]["items"].index(cons[d]["reverse"][0]) for d in
            ("sensory", "affective", "behavioral", "intellectual")] == [2, 1, 2, 1]
    text = (client.folder / "client.yaml").read_text(encoding="utf-8")
    for wording in ("This brand does not appeal to my senses.", "I do not have strong emotions for this brand.",
                    "This brand is not action oriented.", "This brand does not make me think."):
        assert wording in text


def test_item_names_differ_between_clients():
    names = [tuple(Client(d).items("sensory")) for d in DEMO_DIRS.values()]
    assert len(set(names)) == len(DEMO_DIRS)


def test_coffee_house_declares_every_element_and_layer():
    cons = Client(DEMO_DIRS["coffee_house"]).cfg["constructs"]
    assert {c.get("element") for c in cons.values()} >= {"product", "look_and_feel", "communications"}
    assert {c.get("layer") for c in cons.values()} >= {"brand", "category", "usage"}


def test_optional_files_per_client():
    names = {t: {p.name for p in d.iterdir()} for t, d in ALL_DIRS.items()}
    full = {"client.yaml", "truth.json", "survey.csv", "competitor_ratings.csv", "feedback.csv",
            "touchpoints.csv"}
    assert names["coffee_house"] == names["software_vendor"] == names[demo.TINY_CLIENT] == full
    assert names["hotel_group"] == {"client.yaml", "truth.json", "survey.csv"}
    assert names["fitness_club"] == full | {"hand_coded.csv", "behaviour.csv"}
    hotel = Client(DEMO_DIRS["hotel_group"])
    assert len(hotel.cfg["competitors"]) >= 3
    assert {c["kind"] for c in hotel.cfg["competitors"]} == {"direct", "new_entrant", "outside_industry"}


def test_truth_keys(client):
    truth = client.truth
    assert set(truth) <= TRUTH_KEYS
    assert truth["latest_wave"] == truth["waves"][-1]
    assert truth["n_respondents"] == len(client._read(client.cfg["survey"]["file"]))
    assert truth["reverse_items"] == [i for c in client.cfg["constructs"].values() for i in c.get("reverse", [])]
    has_tp = "touchpoints" in client.cfg
    assert ("worst_touchpoint" in truth) == has_tp
    # a declared path model is planted path by path
    assert ("path_model" in truth) == ("model" in client.cfg)
    if "model" in client.cfg:
        assert [[p["from"], p["to"]] for p in truth["path_model"]["paths"]] == client.cfg["model"]["paths"]
    assert ("rising_theme" in truth) == ("feedback" in client.cfg)
    # the research methods are planted (and declared) in fitness_club only
    assert ("behaviour" in truth) == ("behaviour" in client.cfg) == (client.folder == FITNESS)
    planted = set(truth) & METHOD_KEYS
    assert planted == (METHOD_KEYS if client.folder == FITNESS else set())
    assert ({"kano", "promises", "modules", "weighting"} & set(client.cfg)) == (
        {"kano", "promises", "modules", "weighting"} if client.folder == FITNESS else set())


# --------------------------------------------------------------------------------------------
# planted effects, visible in the raw data
def test_missing_answers_are_about_one_percent(demo_client):
    items = [i for c in demo_client.cfg["constructs"].values() for i in c["items"]]
    share = demo_client.raw[items].isna().mean().mean()
    assert 0.005 < share < 0.015


def test_reliability(demo_client):
    own, poor = demo_client.own, demo_client.truth["poor_reliability"]
    weak = demo_client.truth.get("unreliable_segment")
    for name, c in demo_client.cfg["constructs"].items():
        if len(c["items"]) < 2:
            continue
        a = _alpha(own[c["items"]])
        if weak and name == weak["construct"]:
            # acceptable overall, yet noise within one segment level (per-group reliability finds it)
            level = own[weak["segment"]] == weak["level"]
            assert 0.7 <= a <= 0.9, (name, a)
            assert _alpha(own.loc[~level, c["items"]]) >= 0.75
            assert _alpha(own.loc[level, c["items"]]) < 0.3
            assert level.sum() >= 60
            for other in set(own[weak["segment"]]) - {weak["level"]}:
                assert _alpha(own.loc[own[weak["segment"]] == other, c["items"]]) >= 0.75
            continue
        if name == poor:
            assert a < 0.5
            corr = own[c["items"]].corr().to_numpy()[np.triu_indices(len(c["items"]), 1)]
            assert corr.max() < 0.2
        else:
            assert 0.75 <= a <= 0.9, (name, a)
    assert poor in demo_client.cfg["drivers"]


def test_reverse_items_correlate_negatively_with_their_siblings(demo_client):
    raw = demo_client.raw
    for item in demo_client.truth["reverse_items"]:
        construct = [n for n, c in demo_client.cfg["constructs"].items() if item in c["items"]][0]
        for sibling in demo_client.items(construct):
            if sibling != item:
                assert raw[item].corr(raw[sibling]) < -0.4


def test_top_driver_is_recovered_by_a_shapley_decomposition(demo_client):
    for outcome, expected in demo_client.truth["top_driver"].items():
        shares = _shapley_r2(demo_client.own, outcome, demo_client.cfg["drivers"])
        assert shares.index[0] == expected, shares
        assert shares.iloc[0] > 1.6 * shares.iloc[1], shares


def test_brand_advantage_and_gap(demo_client):
    truth, s, col = demo_client.truth, demo_client.scored, demo_client.brand_col
    own_brand = demo_client.cfg["brand"]
    adv = truth["brand_advantage"]["construct"]
    own = s.loc[s[col] == own_brand, adv].dropna()
    for comp in (c["name"] for c in demo_client.cfg["competitors"]):
        other = s.loc[s[col] == comp, adv].dropna()
        t = (own.mean() - other.mean()) / math.sqrt(own.var() / len(own) + other.var() / len(other))
        assert t > 2.5, (comp, t)
    gap = truth["brand_gap"]
    means = s.groupby(col)[gap["construct"]].mean()
    assert means.drop(own_brand).idxmax() == gap["competitor"]
    assert means[gap["competitor"]] - means[own_brand] > 0.4


def test_segment_difference(demo_client):
    seg = demo_client.truth["segment_difference"]
    own = demo_client.own
    hi = own.loc[own[seg["segment"]] == seg["higher"], seg["construct"]].dropna()
    lo = own.loc[own[seg["segment"]] == seg["lower"], seg["construct"]].dropna()
    d = (hi.mean() - lo.mean()) / math.sqrt((hi.var() + lo.var()) / 2)
    assert abs(d - seg["effect_sd"]) < 0.2, d


def test_wave_shift_and_no_change(demo_client):
    truth, own, wave = demo_client.truth, demo_client.own, demo_client.wave_col
    ws = truth["wave_shift"]
    means = own.groupby(wave)[ws["construct"]].mean()
    diff = means[ws["to"]] - means[ws["from"]]
    assert abs(diff - ws["delta"]) < 0.15, diff
    assert (diff > 0) == (ws["direction"] == "up")
    flat = own.groupby(wave)[truth["no_change"]].mean()
    assert flat.max() - flat.min() < 0.12, flat


def _touchpoints(c: Client) -> tuple[pd.DataFrame, dict]:
    tp = c.optional("touchpoints")
    cols = {k: v for k, v in c.cfg["touchpoints"].items() if k not in ("file", "scale", "effort_scale")}
    return tp.rename(columns={v: k for k, v in cols.items()}), cols


@pytest.mark.parametrize("name", ["coffee_house", "software_vendor", "fitness_club"])
def test_touchpoints(name):
    c = Client(DEMO_DIRS[name])
    tp, _ = _touchpoints(c)
    truth = c.truth
    journey = c.cfg["journey"]
    assert set(tp["stage"]) <= set(journey) and len(set(tp["stage"])) == len(journey)
    assert set(tp["interface"]) == {"human_human", "human_technology", "human_environment"}
    assert tp["channel"].nunique() >= 3
    assert 8 <= tp["touchpoint"].nunique() <= 12
    per_resp = len(tp) / len(c.own)
    # fitness_club is kept small (<= 500 kB): about 4 events per member
    assert (3.5 <= per_resp <= 5) if name == "fitness_club" else (9 <= per_resp <= 11)
    assert set(tp["id"]) <= set(c.own[c.id_col])
    assert tp["satisfaction"].between(1, 5).all() and tp["effort"].between(1, 7).all()
    # the same need served through two channels: two touchpoints of one stage, other channels
    pairs = tp.groupby("stage")["channel"].nunique()
    assert (pairs >= 2).any()
    # timestamps follow the journey stages within each respondent
    tp["time"] = pd.to_datetime(tp["time"], format="ISO8601")
    tp["k"] = tp["stage"].map(journey.index)
    ordered = tp.sort_values(["id", "time"], kind="stable")
    assert (ordered.groupby("id")["k"].diff().dropna() >= 0).all()
    assert tp["time"].dt.strftime("%Y-%m-%dT%H:%M:%S").eq(c.optional("touchpoints")[c.cfg["touchpoints"]["time"]]).all()
    # worst touchpoint: lowest satisfaction and the strongest relation to overall satisfaction
    means = tp.groupby("touchpoint")["satisfaction"].mean()
    assert means.idxmin() == truth["worst_touchpoint"]
    per = tp.groupby(["id", "touchpoint"])["satisfaction"].mean().unstack()
    osat = c.own.set_index(c.id_col)["satisfaction"].reindex(per.index)
    corr = per.apply(lambda col: col.corr(osat))
    assert corr.idxmax() == truth["worst_touchpoint"]
    assert corr.max() > corr.drop(truth["worst_touchpoint"]).max() + 0.2
    bad = per[truth["worst_touchpoint"]] <= 2
    good = per[truth["worst_touchpoint"]] >= 4
    assert osat[bad].mean() < osat[good].mean() - 1
    # human touch: human_human minus human_technology satisfaction
    by_iface = tp.groupby("interface")["satisfaction"].mean()
    gap = by_iface["human_human"] - by_iface["human_technology"]
    assert abs(gap - truth["human_minus_technology"]) < 0.12, gap
    # disloyal respondents stop early in the journey
    depth = tp.groupby("id")["k"].max()
    loyal = c.own.set_index(c.id_col)["loyalty"].reindex(depth.index)
    assert loyal[depth < len(journey) - 1].mean() < loyal[depth == len(journey) - 1].mean() - 0.4


def test_human_touch_segment():
    c = Client(DEMO_DIRS["coffee_house"])
    tp, _ = _touchpoints(c)
    seg = c.truth["human_touch_segment"]
    level = c.own.set_index(c.id_col)[seg["segment"]]
    tp = tp[tp["id"].map(level) == seg["level"]]
    by_iface = tp.groupby("interface")["satisfaction"].mean()
    gap = by_iface["human_human"] - by_iface["human_technology"]
    assert abs(gap - seg["human_minus_technology"]) < 0.25, gap


@pytest.mark.parametrize("name", ["coffee_house", "software_vendor", "fitness_club"])
def test_feedback(name):
    c = Client(DEMO_DIRS[name])
    fcfg = c.cfg["feedback"]
    fb = c.optional("feedback")
    text = fb[fcfg["text"]]
    assert 1.0 <= len(fb) / len(c.own) <= 1.5
    blank = text.isna()
    assert 0.01 < blank.mean() < 0.1
    fb, text = fb[~blank], text[~blank]
    assert set(fb[fcfg["id"]]) <= set(c.own[c.id_col])
    tps = fb[fcfg["touchpoint"]].dropna()
    assert tps.nunique() >= 8 and 0.4 < len(tps) / len(fb) < 0.8
    # themes: shares of the non-blank comments per wave
    rising, stable = c.truth["rising_theme"], c.truth["stable_theme"]
    waves = fb[fcfg["wave"]]
    share = text.str.lower().str.contains(rising["phrase"].lower(), regex=False).groupby(waves).mean()
    for wave, expected in rising["shares"].items():
        assert abs(share[wave] - expected) < 0.01
    assert share[rising["wave"]] > 5 * share.drop(rising["wave"]).max()
    share = text.str.lower().str.contains(stable["phrase"].lower(), regex=False).groupby(waves).mean()
    assert (share - stable["share"]).abs().max() < 0.01
    # sentiment agrees with the respondent's ratings
    osat = c.own.set_index(c.id_col)["satisfaction"]
    sat = fb[fcfg["id"]].map(osat)
    low = text.str.contains(r"\b(?:terrible|awful|frustrating|disappointed|unacceptable|useless|never again)\b",
                            case=False)
    high = text.str.contains(r"\b(?:great|love|lovely|excellent|brilliant|impressive)\b", case=False) & ~low
    assert sat[low].mean() < sat[high].mean() - 0.8


def test_coffee_feedback_holds_personal_data_for_the_masking_test():
    c = Client(DEMO_DIRS["coffee_house"])
    text = c.optional("feedback")[c.cfg["feedback"]["text"]].dropna()
    assert text.str.contains(r"[\w.]+@[\w.]+\.\w+").sum() >= 1
    assert text.str.contains(r"\b0\d{4} \d{6}\b").sum() >= 1
    assert "oat milk" in c.truth["rising_theme"]["phrase"] and c.truth["stable_theme"]["phrase"] == "wifi"


def test_hotel_survey_rates_own_brand_and_competitors():
    c = Client(DEMO_DIRS["hotel_group"])
    counts = c.raw.groupby([c.wave_col, c.brand_col]).size().unstack()
    assert (counts > 30).all().all()
    assert 250 <= counts.sum(axis=1).min() and counts.sum(axis=1).max() <= 350
    assert set(c.cfg["segments"]) == {"traveller", "role", "stays_per_year"}


def test_tiny_client_is_small_and_complete():
    c = Client(TINY_DIR)
    assert 100 <= len(c.raw) <= 140
    assert len(c.truth["waves"]) == 2
    for key in ("competitor_ratings", "feedback", "touchpoints"):
        assert len(c.optional(key)) > 0


# --------------------------------------------------------------------------------------------
# scaling and API
def test_scaled_client(tmp_path):
    t0 = time.perf_counter()
    folder = demo.generate_client("coffee_house", tmp_path, n_respondents=20_000, name="coffee_20k")
    assert time.perf_counter() - t0 < 20
    assert folder == tmp_path / "coffee_20k"
    c = Client(folder)
    n = len(c.own)
    assert n == 20_000 == c.truth["n_respondents"]
    assert c.own.groupby(c.wave_col).size().tolist() == [6667, 6667, 6666]
    assert 2.8 < len(c.optional("feedback")) / n < 3.2
    assert 9 < len(c.optional("touchpoints")) / n < 11
    comp = len(c.optional("competitor_ratings"))
    assert abs(comp / n - 960 / 1050) < 0.01
    assert "coffee_20k" in (folder / "client.yaml").read_text(encoding="utf-8")


def test_scaled_survey_only_client(tmp_path):
    folder = demo.generate_client("hotel_group", tmp_path, n_respondents=1001, seed=1)
    c = Client(folder)
    assert len(c.raw) == 1001 == c.truth["n_respondents"]
    assert {p.name for p in folder.iterdir()} == {"client.yaml", "truth.json", "survey.csv"}


def test_regeneration_removes_stale_files(tmp_path):
    folder = demo.generate_client("coffee_house", tmp_path, n_respondents=300, name="x")
    demo.generate_client("hotel_group", tmp_path, n_respondents=300, name="x")
    assert not (folder / "touchpoints.csv").exists()


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown demo template"):
        demo.generate_client("bakery", tmp_path)
    with pytest.raises(ValueError, match="client name"):
        demo.generate_client("coffee_house", tmp_path, name="../escape")
    with pytest.raises(ValueError, match="at least"):
        demo.generate_client("coffee_house", tmp_path, n_respondents=2)


def test_command_line(tmp_path, capsys):
    assert demo.main(["--out", str(tmp_path), "--client", "software_vendor", "--respondents", "400",
                      "--seed", "5"]) == 0
    assert "software_vendor" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "software_vendor" / "survey.csv")) == 400
    assert demo.main(["--out", str(tmp_path), "--client", "tiny_client"]) == 0
    assert (tmp_path / "tiny_client" / "truth.json").is_file()


# --------------------------------------------------------------------------------------------
# fitness_club: the research methods of issue 8, visible in the raw files
KANO_TABLE = {  # Berger et al. (1993): functional answer (row) x dysfunctional answer (column)
    1: {1: "questionable", 2: "attractive", 3: "attractive", 4: "attractive", 5: "one_dimensional"},
    **{f: {1: "reverse", 2: "indifferent", 3: "indifferent", 4: "indifferent", 5: "must_be"} for f in (2, 3, 4)},
    5: {1: "reverse", 2: "reverse", 3: "reverse", 4: "reverse", 5: "questionable"},
}


@pytest.fixture(scope="module")
def fitness() -> Client:
    return Client(FITNESS)


def test_fitness_kano_pairs(fitness):
    kano = fitness.cfg["kano"]
    assert kano["scale"] == [1, 5]
    survey = fitness._read(fitness.cfg["survey"]["file"])
    truth = fitness.truth["kano"]
    assert truth["categories"][truth["must_be"]] == "must_be"
    assert truth["categories"][truth["attractive"]] == "attractive"
    for feature, spec in kano["features"].items():
        pair = survey[[spec["functional"], spec["dysfunctional"]]].dropna().astype(int)
        assert pair.isin([1, 2, 3, 4, 5]).all().all()
        assert len(pair) > 0.95 * len(survey)
        cats = [KANO_TABLE[f][d] for f, d in pair.itertuples(index=False)]
        shares = pd.Series(cats).value_counts(normalize=True)
        assert shares.index[0] == truth["categories"][feature], shares
        assert shares.iloc[0] - shares.iloc[1] > 0.2
    # Kano questions are asked of the own brand's members only
    comp = fitness._read(fitness.cfg["competitor_ratings"]["file"])
    assert not any(c.startswith("kano_") for c in comp.columns)


def test_fitness_promises(fitness):
    promises = {p["promise"]: p for p in fitness.cfg["promises"]}
    truth = fitness.truth
    own = fitness.own
    bad = promises[truth["undelivered_promise"]]
    good = promises[truth["delivered_promise"]]
    for p, sign in ((bad, -1), (good, +1)):
        x = own[p["construct"]].dropna()
        half = 1.96 * x.std() / math.sqrt(len(x))
        gap = x.mean() - p["target"]
        assert sign * gap - half > 0.1, (p["promise"], gap, half)   # clearly off / on target
    # the undelivered promise's touchpoints are the weakest ones
    tp, _ = _touchpoints(fitness)
    means = tp.groupby("touchpoint")["satisfaction"].mean()
    assert truth["worst_touchpoint"] in bad["touchpoints"]
    assert means[good["touchpoints"]].min() > means[bad["touchpoints"]].max()
    assert set(tp["touchpoint"]) >= {t for p in promises.values() for t in p["touchpoints"]}
    # a promise without a target (held against the best competitor) is declared too
    assert any("target" not in p for p in promises.values())


def test_fitness_modules_and_hand_coded_sample(fitness):
    theme = fitness.truth["module_theme"]
    assert theme["module"] == "RELATE" and theme["direction"] == "rising"
    assert fitness.truth["rising_theme"]["phrase"] == theme["phrase"]
    hc = fitness.cfg["modules"]["hand_coded"]
    sample = fitness._read(hc["file"])
    assert len(sample) == theme["hand_coded"] and 50 <= len(sample) <= 70
    codes = sample[hc["module"]].str.split(";")
    flat = [c for cs in codes for c in cs]
    assert set(flat) <= {"SENSE", "FEEL", "THINK", "ACT", "RELATE", "none"}
    counts = pd.Series(flat).value_counts()
    for m in ("SENSE", "FEEL", "THINK", "ACT", "RELATE"):
        assert counts.get(m, 0) >= 8, counts
    fb = fitness.optional("feedback")[fitness.cfg["feedback"]["text"]].dropna()
    assert set(sample[hc["text"]]) <= set(fb)


def test_fitness_weighting_targets(fitness):
    w = fitness.truth["weighting"]
    targets = fitness.cfg["weighting"]["targets"][w["segment"]]
    assert {str(k): v for k, v in targets.items()} == w["targets"]
    assert abs(sum(targets.values()) - 1) < 1e-9
    own = fitness.own
    sample = own[w["segment"]].value_counts(normalize=True)
    gaps = {lv: abs(sample[lv] - t) for lv, t in w["targets"].items()}
    assert sum(g > 0.05 for g in gaps.values()) >= 2, gaps
    # post-stratified (cell-weighted) mean of the planted construct moves away from the raw mean
    x = own[w["construct"]]
    level_means = x.groupby(own[w["segment"]]).mean()
    weighted = sum(w["targets"][lv] * level_means[lv] for lv in w["targets"])
    assert abs(x.mean() - w["unweighted_mean"]) < 0.01 and abs(weighted - w["weighted_mean"]) < 0.01
    assert (weighted - x.mean() > 0.1) == (w["direction"] == "up") and abs(weighted - x.mean()) > 0.1


def _johnson_weights(frame: pd.DataFrame, y: str, xs: list[str]) -> pd.Series:
    """Johnson's (2000) relative weights, raw shares of R^2."""
    d = frame[[y, *xs]].dropna()
    R = d.corr().to_numpy()
    rxx, rxy = R[1:, 1:], R[1:, 0]
    vals, vecs = np.linalg.eigh(rxx)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T
    beta = np.linalg.solve(lam, rxy)
    raw = (lam**2) @ (beta**2)
    return pd.Series(raw / raw.sum(), index=xs).sort_values(ascending=False)


def test_fitness_lmg_and_johnson_agree_on_the_top_driver(fitness):
    for outcome, expected in fitness.truth["top_driver"].items():
        lmg = _shapley_r2(fitness.own, outcome, fitness.cfg["drivers"])
        jw = _johnson_weights(fitness.own, outcome, fitness.cfg["drivers"])
        assert lmg.index[0] == jw.index[0] == expected
        assert jw.iloc[0] > 1.6 * jw.iloc[1]


# --------------------------------------------------------------------------------------------
# the planted path model (hotel_group): PLS recovers its structure
HOTEL = ROOT / "data" / "raw" / "hotel_group"
#: a planted effect (latent SD units) a path must show clearly: positive, bootstrap interval above zero
CLEAR = 0.3


def test_the_planted_path_model_is_recovered():
    """Every path the generator planted clearly is found (positive, its 95% interval above zero),
    every path planted as 0 is not (interval covering zero, estimate below 0.15), and the paths into
    each construct rank as planted wherever their planted effects differ by 0.1 or more."""
    from cem_research.stats.pls import pls_sem

    c = Client(HOTEL)
    model, planted = c.cfg["model"], c.truth["path_model"]["paths"]
    used = list(dict.fromkeys(x for pair in model["paths"] for x in pair))
    fit = pls_sem(c.own, {k: c.items(k) for k in used}, model["paths"], n_boot=300, seed=7)
    est = fit.paths.set_index(["from", "to"])
    assert len(planted) == len(est) == 6
    clear = [p for p in planted if p["effect"] >= CLEAR]
    zero = [p for p in planted if p["effect"] == 0]
    assert len(clear) >= 3 and len(zero) >= 1  # the test can tell found from not found
    for p in clear:
        row = est.loc[(p["from"], p["to"])]
        assert row["estimate"] > 0.2 and row["ci_low"] > 0, (p, row)
    for p in zero:
        row = est.loc[(p["from"], p["to"])]
        assert abs(row["estimate"]) < 0.15 and row["ci_low"] < 0 < row["ci_high"], (p, row)
    for p in planted:
        if p["effect"] > 0:
            assert est.loc[(p["from"], p["to"]), "estimate"] > 0, p
    for a, b in itertools.permutations(planted, 2):
        if a["to"] == b["to"] and a["effect"] >= b["effect"] + 0.1:
            assert est.loc[(a["from"], a["to"]), "estimate"] > est.loc[(b["from"], b["to"]), "estimate"], (a, b)
    # satisfaction carries part of the drivers' effect on loyalty: a mediated (indirect) effect
    eff = fit.effects.set_index(["from", "to"])
    assert eff.loc[("room_quality", "loyalty"), "indirect_ci_low"] > 0


def test_only_hotel_group_declares_a_path_model():
    """The other clients' reports stay as they were (no path-model section)."""
    assert [n for n, d in ALL_DIRS.items() if "model" in Client(d).cfg] == ["hotel_group"]
