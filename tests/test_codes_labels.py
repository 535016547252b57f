"""Survey-export conventions in client.yaml: "no answer" codes (`missing:`), value labels (`labels:`),
segment order (`segments: {col: {label:, order:}}`) and question wording (`{name:, question:}` items).

The corpus cases (tests/bad_inputs/: missing_code_*, labels_unused_code, segment_order_unknown_level,
coded_brands_and_labels) are checked by tests/test_bad_inputs.py; here: the parsing rules, the numbers
against an independent reference (pandas' own reading with the codes as ``na_values``), meta.json and the
methods appendix.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cem_research.client.config import load_config, parse_config
from cem_research.client.contract import read_client
from cem_research.client.errors import ContractError

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
BASE = yaml.safe_load((CORPUS / "valid_base" / "client.yaml").read_text(encoding="utf-8"))


def cfg_of(**changes):
    raw = copy.deepcopy(BASE)
    raw.update(changes)
    return parse_config(raw, "acme")


def folder_with(tmp_path: Path, yaml_changes: dict, cells: dict[tuple[str, int, str], str] = ()) -> Path:
    """valid_base copied to tmp_path/acme with client.yaml keys replaced and cells set (file, row, column)."""
    folder = tmp_path / "acme"
    shutil.copytree(CORPUS / "valid_base", folder, ignore=shutil.ignore_patterns("expected.*"))
    raw = copy.deepcopy(BASE)
    raw.update(yaml_changes)
    (folder / "client.yaml").write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for (file, row, column), value in dict(cells).items():
        frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
        frame.loc[row - 2, column] = value
        frame.to_csv(folder / file, index=False)
    return folder


# ---------------------------------------------------------------------------
# missing: codes
def test_missing_codes_resolve_item_over_construct_over_top():
    constructs = copy.deepcopy(BASE["constructs"])
    constructs["quality"] = {"items": ["qual1", {"name": "qual2", "missing": [99]}, "qual3"], "missing": [-1, 98]}
    cfg = cfg_of(missing=[-99, "DK"], constructs=constructs)
    assert cfg.missing == (-99, "DK")
    assert cfg.missing_codes("sens1") == (-99, "DK")      # top level
    assert cfg.missing_codes("qual1") == (-1, 98)         # the construct's own list
    assert cfg.missing_codes("qual2") == (99,)            # the item's own list
    assert cfg.missing_codes("usage") == (-99, "DK")      # a segment column: top level
    assert parse_config(BASE, "acme").missing_codes("sens1") == ()


def test_missing_code_inside_a_scale_is_refused():
    with pytest.raises(ContractError) as info:
        cfg_of(missing=[9])  # 9 is a real answer on the 0-10 recommend item
    assert str(info.value) == (
        "client 'acme', file 'client.yaml', column 'ltr': missing code 9 lies inside the scale 0-10 of construct "
        "'recommend', so real answers 9 would be lost; give the construct (or the item) its own 'missing:' list")
    constructs = copy.deepcopy(BASE["constructs"])
    constructs["recommend"]["missing"] = [-99]  # the override makes it valid
    assert cfg_of(missing=[9], constructs=constructs).missing_codes("ltr") == (-99,)
    with pytest.raises(ContractError, match="inside the touchpoint satisfaction scale 1-5"):
        cfg_of(missing=[-99, 5.0], scale=[6, 10], constructs={"q": {"items": ["qual1"], "scale": [0, 1]}},
               drivers=[], outcomes=[], nps=None)


def test_missing_must_be_codes():
    with pytest.raises(ContractError, match="'missing' must be a list of codes"):
        cfg_of(missing=[-99, None])
    with pytest.raises(ContractError, match="unknown key 'mising' in constructs.quality.items\\[0\\]; did you mean"):
        constructs = copy.deepcopy(BASE["constructs"])
        constructs["quality"]["items"][0] = {"name": "qual1", "mising": [1]}
        cfg_of(constructs=constructs)


def test_declared_codes_equal_pandas_na_values(tmp_path):
    """Items read with codes equal an independent read: pandas with the codes as na_values."""
    cells = {("survey.csv", 3, "sens2"): "-99", ("survey.csv", 4, "qual1"): "DK", ("survey.csv", 5, "qual1"): "-99.0",
             ("survey.csv", 6, "ltr"): " -99", ("competitor_ratings.csv", 2, "sens1"): "DK"}
    folder = folder_with(tmp_path, {"missing": [-99, "DK"]}, cells)
    raw = read_client(load_config(folder))
    items = ["sens1", "sens2", "sens3r", "qual1", "qual2", "qual3", "ltr"]
    ref = pd.concat([pd.read_csv(folder / f, na_values=["-99", "-99.0", " -99", "DK"], keep_default_na=False)
                     for f in ("survey.csv", "competitor_ratings.csv")], ignore_index=True)
    np.testing.assert_array_equal(raw.ratings[items].to_numpy(), ref[items].astype(float).to_numpy())
    assert raw.missing_codes == {"sens2": {"-99": 1}, "qual1": {"-99": 1, "DK": 1}, "ltr": {"-99": 1},
                                 "sens1": {"DK": 1}}
    assert raw.missing_answers == {i: int(ref[i].isna().sum()) for i in items}


def test_segment_and_touchpoint_codes(tmp_path):
    cells = {("survey.csv", 2, "usage"): "-99", ("touchpoints.csv", 3, "tp_sat"): "-99",
             ("touchpoints.csv", 4, "effort"): "-99"}
    raw = read_client(load_config(folder_with(tmp_path, {"missing": [-99]}, cells)))
    assert pd.isna(raw.ratings.loc[0, "usage"]) and raw.ratings["usage"].notna().sum() == 8
    assert pd.isna(raw.touchpoints.loc[1, "satisfaction"]) and pd.isna(raw.touchpoints.loc[2, "effort"])
    assert raw.missing_codes == {"usage": {"-99": 1}, "tp_sat": {"-99": 1}, "effort": {"-99": 1}}
    assert "missing_codes" not in raw.touchpoints.attrs


@pytest.mark.parametrize("value, hint", [("8", False), ("-1", True), ("999", True), ("97", True), ("12", False)])
def test_out_of_scale_message_points_at_missing_only_for_code_like_values(tmp_path, value, hint):
    folder = folder_with(tmp_path, {}, {("survey.csv", 4, "qual3"): value})
    with pytest.raises(ContractError) as info:
        read_client(load_config(folder))
    message = str(info.value)
    assert message.startswith("client 'acme', file 'survey.csv', column 'qual3', row 4: answers outside the "
                              f"declared scale 1-7 of construct 'quality' (found {value})")
    assert ("declare it under 'missing:'" in message) is hint


def test_touchpoint_code_hint(tmp_path):
    folder = folder_with(tmp_path, {}, {("touchpoints.csv", 3, "tp_sat"): "-99"})
    with pytest.raises(ContractError, match=r"column 'tp_sat', row 3: touchpoint ratings outside the declared "
                                            r"scale 1-5 \(found -99\); if -99 means \"no answer\""):
        read_client(load_config(folder))


def test_meta_and_appendix_count_codes(tmp_path, monkeypatch):
    from cem_research.client.processing import process_client
    from cem_research.present.report.appendix import _missing_answers

    raw_dir = tmp_path / "data" / "raw"
    raw_dir.mkdir(parents=True)
    folder = folder_with(raw_dir, {"missing": [-99]}, {("survey.csv", 3, "sens2"): "-99",
                                                       ("survey.csv", 5, "sens2"): "-99"})
    before = (folder / "survey.csv").read_bytes()
    monkeypatch.setenv("CEM_PROJECT_ROOT", str(tmp_path))
    meta = process_client("acme")
    assert (folder / "survey.csv").read_bytes() == before  # the raw export is untouched
    assert meta["missing_codes"] == {"sens2": {"-99": 2}} and meta["missing_answers"]["sens2"] == 2
    stored = json.loads((tmp_path / "data" / "processed" / "acme" / "meta.json").read_text())
    assert stored["missing_codes"] == {"sens2": {"-99": 2}} and stored["warnings"] == []
    text = _missing_answers(stored)
    assert "2 item answers were missing across 1 item: 0 blank and 2 coded as no answer" in text
    assert "sens2: -99 ×2" in text


# ---------------------------------------------------------------------------
# labels:
def test_labels_by_role_or_column_name():
    cfg = cfg_of(labels={"brand_rated": {1: "Test Brew", 2: "Rival Roast"}, "usage": {"daily": "Every day"},
                         "stage": {"awareness": "Hearing of us"}, "channel": {"app": "Mobile app"}})
    assert cfg.labels == {"brand": {"1": "Test Brew", "2": "Rival Roast"}, "usage": {"daily": "Every day"},
                          "stage": {"awareness": "Hearing of us"}, "channel": {"app": "Mobile app"}}
    from cem_research.present import narrative as nv

    assert nv.value_label(cfg, "usage", "daily") == "Every day"
    assert nv.value_label(cfg, "stage", "awareness") == "Hearing of us"


def test_brand_named_by_code_or_label():
    labels = {"brand": {1: "Test Brew", 2.0: "Rival Roast", 3: "QuickCup"}}
    by_code = cfg_of(labels=labels, brand=1, competitors=[{"name": 2, "kind": "direct"},
                                                          {"name": "QuickCup", "kind": "new_entrant"}])
    assert by_code.brand == "Test Brew" and by_code.competitors == {"Rival Roast": "direct", "QuickCup": "new_entrant"}
    with pytest.raises(ContractError, match="brand 'Test Brew' is also listed as a competitor"):
        cfg_of(labels=labels, brand=1, competitors=[{"name": "Test Brew", "kind": "direct"}])
    with pytest.raises(ContractError, match="gives codes '1' and '2' the same label 'X'"):
        cfg_of(labels={"brand": {1: "X", 2: "X"}})


@pytest.mark.parametrize("labels, message", [
    ({"usgae": {"daily": "Every day"}}, "'labels' names column 'usgae', which is not a declared brand, wave, "
                                        "segment, touchpoint, stage or channel column; did you mean 'usage'?"),
    ({"usage": ["daily"]}, "'labels.usage' must map each code to its label"),
    ({"usage": {"daily": None}}, "'labels.usage' gives code 'daily' no label"),
    ({"brand": {1: "A"}, "brand_rated": {2: "B"}}, "'labels' gives the labels of 'brand' twice"),
])
def test_bad_labels_refused(labels, message):
    with pytest.raises(ContractError) as info:
        cfg_of(labels=labels)
    assert message in str(info.value) and str(info.value).startswith("client 'acme', file 'client.yaml'")


def test_coded_brands_case_reads_labels():
    cfg = load_config(CORPUS / "coded_brands_and_labels")
    raw = read_client(cfg)
    assert cfg.brand == "Test Brew" and cfg.brands == ["Test Brew", "Rival Roast", "QuickCup"]
    assert sorted(raw.ratings["brand"].unique()) == ["QuickCup", "Rival Roast", "Test Brew"]
    assert cfg.segment_orders == {"usage": ("daily", "weekly", "monthly")}  # the label resolved to its code
    assert cfg.questions == {"qual1": "The coffee tasted fresh"}
    assert cfg.constructs["quality"].items == ("qual1", "qual2", "qual3")


# ---------------------------------------------------------------------------
# segments: {label:, order:}
def test_segment_label_and_order():
    cfg = cfg_of(segments={"usage": {"label": "Usage frequency", "order": ["daily", "weekly", "monthly"]}})
    assert cfg.segments == {"usage": "Usage frequency"}  # never the dict as label text
    assert cfg.segment_order("usage") == ["daily", "weekly", "monthly"]
    assert cfg.segment_order("usage", ["weekly", "monthly", "daily", "rarely"]) == ["daily", "weekly", "monthly",
                                                                                      "rarely"]
    assert cfg_of(segments={"usage": {"order": [1, 2]}}).segments == {"usage": "usage"}
    assert parse_config(BASE, "acme").segment_order("usage", ["b", "a", "10", "2"]) == ["2", "10", "a", "b"]


@pytest.mark.parametrize("spec, message", [
    ({"label": "U", "ordr": ["daily"]}, "unknown key 'ordr' in segments.usage; did you mean 'order'?"),
    ({"order": "daily"}, "'segments.usage.order' must list the levels"),
    ({"order": ["daily", "daily"]}, "'segments.usage.order' lists a level twice"),
    (["daily"], "'segments.usage' must be a label or {label: ..., order: [...]}"),
])
def test_bad_segment_spec_refused(spec, message):
    with pytest.raises(ContractError) as info:
        cfg_of(segments={"usage": spec})
    assert message in str(info.value)


def test_order_may_name_a_labelled_level_absent_from_the_data(tmp_path):
    folder = folder_with(tmp_path, {"segments": {"usage": {"order": ["daily", "hourly", "weekly"]}},
                                    "labels": {"usage": {"hourly": "Every hour"}}})
    with pytest.warns(UserWarning, match="labels.usage labels code 'hourly', which never occurs"):
        raw = read_client(load_config(folder))
    assert len(raw.warnings) == 1


# ---------------------------------------------------------------------------
# question wording
def test_question_wording_mixed_with_plain_items():
    constructs = copy.deepcopy(BASE["constructs"])
    constructs["sensory"]["items"] = [{"name": "sens1", "question": "The café  smells\ninviting"}, "sens2",
                                      {"name": "sens3r"}]
    cfg = cfg_of(constructs=constructs)
    assert cfg.questions == {"sens1": "The café smells inviting"}
    assert cfg.constructs["sensory"].items == ("sens1", "sens2", "sens3r")
    assert cfg.constructs["sensory"].reverse == ("sens3r",)
    for bad, message in (({"question": "x"}, "needs 'name'"), ({"name": "sens1", "question": 3}, "must be the item's")):
        constructs["sensory"]["items"] = [bad, "sens2", "sens3r"]
        with pytest.raises(ContractError, match=message):
            cfg_of(constructs=constructs)


def test_every_shipped_client_yaml_still_valid():
    repo = Path(__file__).resolve().parent.parent
    for path in [*repo.glob("data/raw/*/client.yaml"), *repo.glob("tests/fixtures/*/client.yaml")]:
        cfg = load_config(path.parent)
        assert cfg.labels == {} or isinstance(cfg.labels, dict)
        assert all(isinstance(v, str) for v in cfg.segments.values()), path
