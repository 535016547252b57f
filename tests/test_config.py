"""Unit tests of ``client.yaml`` parsing (:mod:`cem_research.client.config`): the valid base, the
defaults, and the exact one-line message of every refusal."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

from cem_research.client.config import (
    COMPETITOR_KINDS,
    TOP_KEYS,
    ClientConfig,
    CsvFormat,
    load_config,
    parse_config,
)
from cem_research.client.errors import ContractError, format_rows

_spec = importlib.util.spec_from_file_location(
    "bad_inputs_make_cases", Path(__file__).resolve().parent / "bad_inputs" / "make_cases.py")
make_cases = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
if not hasattr(make_cases, "BASE_YAML"):
    _spec.loader.exec_module(make_cases)

BASE = yaml.safe_load(make_cases.BASE_YAML)
WHERE = "client 'acme', file 'client.yaml'"


def parse(*changes, client: str = "acme") -> ClientConfig:
    """Parse the base client.yaml after ``changes``: (dotted path, value) pairs; value DEL deletes."""
    raw = copy.deepcopy(BASE)
    for path, value in changes:
        *parents, last = path.split(".")
        node = raw
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
        if isinstance(node, list):
            last = int(last)
        if value is DEL:
            del node[last]
        else:
            node[last] = value
    return parse_config(raw, client)


DEL = object()


# ---------------------------------------------------------------------------
def test_valid_base_parses():
    cfg = parse()
    assert cfg.client == "acme" and cfg.name == "Test Brew Coffee" and cfg.market == "B2C"
    assert cfg.brand == "Test Brew"
    assert cfg.competitors == {"Rival Roast": "direct", "QuickCup": "new_entrant"}
    assert cfg.brands == ["Test Brew", "Rival Roast", "QuickCup"]
    assert cfg.brand_kind("Test Brew") == "own" and cfg.brand_kind("QuickCup") == "new_entrant"
    assert cfg.brand_kind("Nobody") is None
    assert cfg.csv == CsvFormat(",", ".", "utf-8")
    assert cfg.survey.file == "survey.csv"
    assert cfg.survey.columns == {"id": "resp_id", "wave": "wave", "brand": "brand_rated",
                                  "date": "interview_date"}
    assert cfg.survey.col("weight") is None
    assert cfg.waves == ("W1", "W2")
    assert cfg.competitor_ratings.file == "competitor_ratings.csv"
    assert list(cfg.constructs) == ["sensory", "quality", "recommend"]
    sensory = cfg.constructs["sensory"]
    assert sensory.items == ("sens1", "sens2", "sens3r") and sensory.reverse == ("sens3r",)
    assert sensory.scale == (1.0, 7.0) and sensory.experience and sensory.kind == "emotional"
    assert sensory.title == "Sensory"
    assert cfg.constructs["recommend"].scale == (0.0, 10.0)
    assert cfg.items == ["sens1", "sens2", "sens3r", "qual1", "qual2", "qual3", "ltr"]
    assert cfg.experience_dimensions == ["sensory"]
    assert cfg.drivers == ("sensory", "quality") and cfg.outcomes == ("recommend",)
    assert cfg.nps == "recommend"
    assert cfg.segments == {"usage": "Usage frequency"}
    assert cfg.journey == ("awareness", "purchase", "usage", "service")
    assert cfg.feedback.columns == {"text": "comment", "id": "resp_id", "wave": "wave", "brand": "brand"}
    assert cfg.touchpoints.options == {"scale": [1, 5], "effort_scale": [1, 7]}
    assert "scale" not in cfg.touchpoints.columns
    assert list(cfg.files()) == ["survey", "competitor_ratings", "feedback", "touchpoints"]


def test_defaults():
    cfg = parse_config({"brand": "B", "survey": {"file": "s.csv", "id": "id", "wave": "w"},
                        "constructs": {"overall": ["q1", "q2"]}}, "minimal")
    assert cfg.name == "minimal" and cfg.market == ""
    assert cfg.competitors == {} and cfg.brands == ["B"]
    assert cfg.csv == CsvFormat(delimiter=",", decimal=".", encoding="utf-8")
    c = cfg.constructs["overall"]
    assert c.items == ("q1", "q2") and c.scale == (1.0, 7.0) and c.reverse == ()
    assert (c.experience, c.kind, c.layer, c.element, c.label) == (False, "functional", None, None, None)
    assert c.title == "Overall"
    assert (cfg.drivers, cfg.outcomes, cfg.nps, cfg.journey, cfg.waves) == ((), (), None, (), None)
    assert cfg.segments == {} and cfg.aspects is None and cfg.extras == {}
    assert cfg.competitor_ratings is cfg.feedback is cfg.touchpoints is None
    assert list(cfg.files()) == ["survey"]


def test_default_scale_applies_to_constructs_without_their_own():
    cfg = parse(("scale", [1, 5]))
    assert cfg.constructs["sensory"].scale == (1.0, 5.0)
    assert cfg.constructs["recommend"].scale == (0.0, 10.0)


def test_shorthands():
    cfg = parse(("segments", ["usage"]), ("waves", "W1"), ("constructs.quality", ["qual1", "qual2", "qual3"]))
    assert cfg.segments == {"usage": "usage"}  # a list: the label is the column name
    assert cfg.waves == ("W1",)
    assert cfg.constructs["quality"].items == ("qual1", "qual2", "qual3")


def test_blank_optional_keys_are_not_declared():
    cfg = parse(("survey.date", None), ("competitor_ratings", None), ("touchpoints.channel", None))
    assert "date" not in cfg.survey.columns
    assert cfg.competitor_ratings is None
    assert "channel" not in cfg.touchpoints.columns


def test_waves_and_names_as_numbers():
    cfg = parse(("waves", [2024, 2025]), ("constructs.quality.items", ["qual1", 2, 3]))
    assert cfg.waves == ("2024", "2025")
    assert cfg.constructs["quality"].items == ("qual1", "2", "3")


def test_label_and_optional_methods_parsed_at_load():
    kano = {"features": {"pre": {"functional": "k_f", "dysfunctional": "k_d"}}}
    cfg = parse(("constructs.quality.label", "Product quality"), ("kano", kano))
    assert cfg.constructs["quality"].title == "Product quality"
    assert cfg.extras == {"kano": kano}  # as written, for reference
    assert cfg.kano.features == {"pre": ("k_f", "k_d", "Pre")} and cfg.kano.scale == (1, 5)
    assert cfg.weighting is cfg.modules is cfg.promises is None
    with pytest.raises(ContractError, match="unknown key 'file' in kano; valid keys: features, scale"):
        parse(("kano", {"file": "kano.csv"}))


def test_format_rows():
    assert format_rows(None) == "" and format_rows([]) == ""
    assert format_rows([4]) == "row 4"
    assert format_rows([9, 3, 3, 7]) == "rows 3, 7, 9"
    assert format_rows(range(2, 10)) == "rows 2, 3, 4, 5, 6 (+3 more)"


def test_error_line_and_with_client():
    err = ContractError("bad\n  value", file="s.csv", column="q1", rows=[7, 3])
    assert str(err) == "file 's.csv', column 'q1', rows 3, 7: bad value"
    assert str(err.with_client("acme")) == "client 'acme', file 's.csv', column 'q1', rows 3, 7: bad value"
    assert err.with_client("acme").with_client("other").client == "acme"
    assert str(ContractError("plain")) == "plain"


# ---------------------------------------------------------------------------
# every refusal, with its exact message
VALID_TOP = ", ".join(sorted(TOP_KEYS))
REFUSALS = [
    ("unknown_top_key_close", [("constructz", {})],
     "unknown key 'constructz' in client.yaml; did you mean 'constructs'?"),
    ("unknown_top_key_far", [("zzz", 1)], f"unknown key 'zzz' in client.yaml; valid keys: {VALID_TOP}"),
    ("missing_brand", [("brand", DEL)], "required key 'brand' is missing"),
    ("missing_survey", [("survey", DEL)], "required key 'survey' is missing"),
    ("missing_constructs", [("constructs", DEL), ("drivers", DEL), ("outcomes", DEL), ("nps", DEL)],
     "required key 'constructs' is missing"),
    ("blank_brand", [("brand", None)], "'brand' is blank: give the client's own brand as written in the data"),
    ("competitor_not_mapping", [("competitors", ["Rival Roast"])],
     "'competitors[0]' must be a mapping of keys to values, got str"),
    ("competitor_key_typo", [("competitors.1.kidn", "direct")],
     "unknown key 'kidn' in competitors[1]; did you mean 'kind'?"),
    ("competitor_no_name", [("competitors.0.name", DEL)], "competitors[0] has no name"),
    ("competitor_kind", [("competitors.0.kind", "indirect")],
     f"competitor 'Rival Roast' has unknown kind 'indirect'; use one of {', '.join(COMPETITOR_KINDS)}"),
    ("competitor_kind_missing", [("competitors.0.kind", DEL)],
     "competitor 'Rival Roast' has unknown kind None; use one of direct, new_entrant, outside_industry"),
    ("brand_is_competitor", [("competitors.0.name", "Test Brew")],
     "brand 'Test Brew' is also listed as a competitor"),
    ("csv_key_typo", [("csv", {"delimeter": ";"})], "unknown key 'delimeter' in csv; did you mean 'delimiter'?"),
    ("csv_delimiter_long", [("csv", {"delimiter": ";;"})],
     "csv.delimiter must be one character such as ',' ';' or a tab, got ';;'"),
    ("csv_decimal", [("csv", {"decimal": "·"})], "csv.decimal must be '.' or ',', got '·'"),
    ("csv_decimal_is_delimiter", [("csv", {"decimal": ","})],
     "csv.decimal ',' is also the delimiter; a file with decimal commas needs another delimiter, "
     "e.g. csv.delimiter: ';'"),
    ("scale_reversed", [("scale", [7, 1])], "'scale' must be [min, max] with min < max, got [7, 1]"),
    ("scale_text", [("scale", "1-7")], "'scale' must be [min, max] with min < max, got '1-7'"),
    ("scale_bool", [("scale", [0, True])], "'scale' must be [min, max] with min < max, got [0, True]"),
    ("construct_scale", [("constructs.quality.scale", [1])],
     "'constructs.quality.scale' must be [min, max] with min < max, got [1]"),
    ("survey_not_mapping", [("survey", "survey.csv")], "'survey' must be a mapping of keys to values, got str"),
    ("survey_key_typo", [("survey.weigth", "w")], "unknown key 'weigth' in survey; did you mean 'weight'?"),
    ("survey_no_file", [("survey.file", "")], "'survey.file' is required"),
    ("survey_file_path", [("survey.file", "../other/survey.csv")],
     "'survey.file' must be a file name inside the client folder, got '../other/survey.csv'"),
    ("survey_file_hidden", [("survey.file", ".survey.csv")],
     "'survey.file' must be a file name inside the client folder, got '.survey.csv'"),
    ("survey_file_absolute", [("survey.file", "/etc/passwd")],
     "'survey.file' must be a file name inside the client folder, got '/etc/passwd'"),
    ("competitor_ratings_without_brand", [("survey.brand", DEL)],
     "'competitor_ratings' needs 'survey.brand': the column naming the rated brand, present in both files"),
    ("competitor_ratings_key", [("competitor_ratings.brand", "b")],
     "unknown key 'brand' in competitor_ratings; valid keys: file, format, sheet"),
    ("constructs_empty", [("constructs", {})], "'constructs' must map construct names to their items"),
    ("constructs_list", [("constructs", ["sensory"])], "'constructs' must map construct names to their items"),
    ("construct_none", [("constructs.quality", None)],
     "'constructs.quality' must be a mapping of keys to values, got NoneType"),
    ("construct_key_typo", [("constructs.sensory.revers", ["sens3r"])],
     "unknown key 'revers' in constructs.sensory; did you mean 'reverse'?"),
    ("construct_no_items", [("constructs.quality.items", [])], "construct 'quality' declares no items"),
    ("construct_items_mapping", [("constructs.quality.items", {"a": 1})],
     "'constructs.quality.items' must be a list of names, got {'a': 1}"),
    ("construct_item_twice", [("constructs.quality.items", ["qual1", "qual1"])],
     "construct 'quality' lists an item twice"),
    ("item_in_two_constructs", [("constructs.quality.items", ["qual1", "sens1"])],
     "column 'sens1': item 'sens1' is declared in two constructs: 'sensory' and 'quality'"),
    ("reverse_stray", [("constructs.sensory.reverse", ["sens3r", "qual1"])],
     "column 'qual1': reverse-keyed item 'qual1' is not an item of construct 'sensory'"),
    ("construct_kind", [("constructs.sensory.kind", "rational")],
     "construct 'sensory' has kind 'rational'; use one of emotional, functional"),
    ("construct_layer", [("constructs.sensory.layer", "galaxy")],
     "construct 'sensory' has layer 'galaxy'; use one of context, usage, category, brand"),
    ("construct_element", [("constructs.sensory.element", "logo")],
     "construct 'sensory' has element 'logo'; use one of product, look_and_feel, communications"),
    ("driver_close", [("drivers", ["sensory", "qualty"])],
     "'drivers' names 'qualty', which is not a declared construct; did you mean 'quality'?"),
    ("driver_far", [("drivers", ["zzz"])],
     "'drivers' names 'zzz', which is not a declared construct; declared constructs: quality, recommend, sensory"),
    ("outcome_undeclared", [("outcomes", ["loyalty"])],  # not "did you mean 'quality'?"
     "'outcomes' names 'loyalty', which is not a declared construct; declared constructs: quality, "
     "recommend, sensory"),
    ("drivers_not_names", [("drivers", {"sensory": 1})], "'drivers' must be a list of names, got {'sensory': 1}"),
    ("driver_and_outcome", [("outcomes", ["recommend", "quality"])],
     "construct 'quality' is both a driver and an outcome"),
    ("nps_undeclared", [("nps", "recomend")],
     "'nps' names 'recomend', which is not a declared construct; did you mean 'recommend'?"),
    ("nps_scale", [("constructs.recommend.scale", [1, 10])],
     "'nps' construct 'recommend' must be one item on a 0-10 scale; it has 1 item on 1-10"),
    ("nps_items", [("constructs.recommend.items", ["ltr", "ltr2"])],
     "'nps' construct 'recommend' must be one item on a 0-10 scale; it has 2 items on 0-10"),
    ("segments_text", [("segments", "usage")], "'segments' must be a mapping of keys to values, got str"),
    ("construct_reserved", [("constructs.wave", ["w_item"])],
     "construct name 'wave' is reserved; rename the construct"),
    ("construct_is_item", [("constructs.sens1", ["other_item"])],
     "construct name 'sens1' clashes with a item column of the same name; rename the construct"),
    ("construct_is_segment", [("constructs.usage", ["use1"])],
     "construct name 'usage' clashes with a segment column of the same name; rename the construct"),
    ("segment_is_item", [("segments.qual1", "Quality 1")],
     "column 'qual1': segment column 'qual1' clashes with a reserved or item column"),
    ("segment_reserved", [("segments.brand", "Brand")],
     "column 'brand': segment column 'brand' clashes with a reserved or item column"),
    ("feedback_no_text", [("feedback.text", DEL)], "'feedback.text' is required"),
    ("feedback_key_typo", [("feedback.txt", "comment")],
     "unknown key 'txt' in feedback; did you mean 'text'?"),
    ("touchpoints_no_satisfaction", [("touchpoints.satisfaction", DEL)], "'touchpoints.satisfaction' is required"),
    ("touchpoints_stage_without_journey", [("journey", DEL)],
     "'touchpoints.stage' is declared but 'journey' (the stage order) is not"),
    ("touchpoints_scale", [("touchpoints.scale", [5, 1])],
     "'touchpoints.scale' must be [min, max] with min < max, got [5, 1]"),
    ("touchpoints_effort_scale", [("touchpoints.effort_scale", "1-7")],
     "'touchpoints.effort_scale' must be [min, max] with min < max, got '1-7'"),
    ("aspects", [("aspects", {"price": "cheap"})], "'aspects' must map each aspect to a list of words or phrases"),
    ("same_file_twice", [("feedback.file", "survey.csv")], "two declared roles point to the same file"),
]


@pytest.mark.parametrize("changes, message", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusal(changes, message):
    with pytest.raises(ContractError) as info:
        parse(*changes)
    err = info.value
    assert err.client == "acme" and err.file == "client.yaml"
    # messages naming a column read "client 'acme', file 'client.yaml', column 'x': ..."
    assert str(err) == (f"{WHERE}, {message}" if message.startswith("column '") else f"{WHERE}: {message}")
    assert "\n" not in str(err)


def test_refusal_ids_are_unique():
    assert len({r[0] for r in REFUSALS}) == len(REFUSALS)


def test_empty_or_not_a_mapping():
    with pytest.raises(ContractError) as info:
        parse_config(None, "acme")
    assert str(info.value) == f"{WHERE}: client.yaml is empty"
    with pytest.raises(ContractError) as info:
        parse_config(["brand"], "acme")
    assert str(info.value) == f"{WHERE}: 'client.yaml' must be a mapping of keys to values, got list"


def test_bad_client_name():
    with pytest.raises(ContractError) as info:
        parse(client="../acme")
    assert str(info.value).startswith("client name '../acme' is not allowed")


# ---------------------------------------------------------------------------
# load_config: the file itself
def write(tmp_path: Path, text: str | bytes, name: str = "acme") -> Path:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    (folder / "client.yaml").write_bytes(data)
    return folder


def refused(folder: Path) -> str:
    with pytest.raises(ContractError) as info:
        load_config(folder)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_load_valid(tmp_path):
    folder = write(tmp_path, make_cases.BASE_YAML)
    cfg = load_config(folder)
    assert cfg.client == "acme" and cfg.path == folder / "client.yaml" and cfg.folder == folder
    assert load_config(folder, client="other").client == "other"


def test_load_with_bom(tmp_path):
    folder = write(tmp_path, b"\xef\xbb\xbf" + make_cases.BASE_YAML.encode())
    assert load_config(folder).brand == "Test Brew"


def test_load_missing(tmp_path):
    (tmp_path / "acme").mkdir()
    assert refused(tmp_path / "acme") == (
        f"{WHERE}: required file is missing: every client folder needs a client.yaml "
        "(run `make new-client NAME=...` for a commented template)")


def test_load_empty(tmp_path):
    assert refused(write(tmp_path, "")) == f"{WHERE}: client.yaml is empty"
    assert refused(write(tmp_path, "# only a comment\n")) == f"{WHERE}: client.yaml is empty"


def test_load_invalid_yaml(tmp_path):
    text = make_cases.BASE_YAML.replace("brand: Test Brew\n", "brand: [Test Brew\n")
    assert refused(write(tmp_path, text)) == (
        f"{WHERE}: not valid YAML at line 5: expected ',' or ']', but got ':'")


def test_load_tab_indent(tmp_path):
    text = make_cases.BASE_YAML.replace("  usage: Usage frequency", "\tusage: Usage frequency")
    assert refused(write(tmp_path, text)).startswith(f"{WHERE}: not valid YAML at line ")


def test_load_not_utf8(tmp_path):
    text = make_cases.BASE_YAML.replace("name: Test Brew Coffee", "name: Café Crème")
    assert refused(write(tmp_path, text.encode("cp1252"))) == f"{WHERE}: client.yaml is not UTF-8 text"


def test_load_python_tag(tmp_path, capfd):
    marker = tmp_path / "HACKED"
    for tag in ("!!python/object/apply:os.system", "!!python/object/new:os.system",
                "!!python/name:os.system"):
        text = make_cases.BASE_YAML.replace("market: B2C", f'market: {tag} ["touch {marker}"]')
        message = refused(write(tmp_path, text))
        assert message.startswith(f"{WHERE}: YAML tag refused at line 3 (could not determine a constructor")
        assert message.endswith("client.yaml is read with safe loading only, so tags that construct "
                                "objects are not allowed")
    assert not marker.exists()


def test_load_duplicate_keys(tmp_path):
    text = make_cases.BASE_YAML.replace("market: B2C\n", "market: B2C\nbrand: Other\n")
    assert refused(write(tmp_path, text)) == (
        f"{WHERE}: key 'brand' appears twice at line 5 (first at line 4); YAML would silently keep only the last")
    text = make_cases.BASE_YAML.replace("  wave: wave\n  brand: brand_rated", "  wave: wave\n  wave: w2\n  "
                                        "brand: brand_rated", 1)
    assert refused(write(tmp_path, text)) == (
        f"{WHERE}: key 'wave' appears twice at line 14 (first at line 13); YAML would silently keep only the last")


def test_load_merge_keys_are_not_duplicates(tmp_path):
    text = make_cases.BASE_YAML.replace(
        "  quality:\n    items: [qual1, qual2, qual3]",
        "  quality: &q\n    items: [qual1, qual2, qual3]\n    kind: functional\n"
        "  quality2:\n    <<: *q\n    items: [q4]")
    cfg = load_config(write(tmp_path, text))
    assert cfg.constructs["quality2"].items == ("q4",)
    assert cfg.constructs["quality2"].kind == "functional"


def test_load_client_name_from_folder(tmp_path):
    folder = write(tmp_path, make_cases.BASE_YAML, name="bad name")
    assert refused(folder).startswith("client name 'bad name' is not allowed")
