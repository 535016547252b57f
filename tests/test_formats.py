"""Survey exports as they come: SPSS .sav, Excel .xlsx and Qualtrics CSV give the processed tables of
their CSV twin; the readers keep row numbers, wording, value labels and missing codes; `make new-client
FROM=` drafts a client.yaml that passes `check` after the edits its comments ask for."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml

from cem_research.client.config import load_config
from cem_research.client.contract import read_client, read_table
from cem_research.client.errors import ContractError
from cem_research.client.processing import process
from cem_research.client.readers import file_format, file_meta, read_csv, read_excel, read_spss
from cem_research.run.scaffold import new_client
from conftest import REPO, TINY

TEXT_COLUMNS = ("resp_id", "wave", "brand_rated", "interview_date", "role", "usage", "tenure", "age_group")
BRAND_CODES = {"Bean & Co.": 1, "Daily Grind": 2, "SipNow": 3}
AGREE = {1: "strongly disagree", 4: "neither", 7: "strongly agree", -99: "no answer"}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The survey as a statistics package holds it: numbers as numbers, dates as dates."""
    out = frame.copy()
    for col in out.columns:
        if col not in TEXT_COLUMNS:
            out[col] = pd.to_numeric(out[col])
    out["interview_date"] = pd.to_datetime(out["interview_date"]).dt.date
    return out


def write_sav(frame: pd.DataFrame, path: Path) -> None:
    """An SPSS file: brands coded 1-3 with value labels, item gaps as the user-missing code -99."""
    out = _typed(frame)
    items = [c for c in out.columns if c not in TEXT_COLUMNS]
    out[items] = out[items].fillna(-99)
    out["brand_rated"] = out["brand_rated"].map(BRAND_CODES).astype(float)
    pyreadstat.write_sav(
        out, str(path),
        column_labels={"bx_sens1": "This brand makes a strong impression on my visual sense or other senses.",
                       "osat": "Overall, how satisfied are you?", "role": "Purchaser or user"},
        variable_value_labels={"brand_rated": {v: k for k, v in BRAND_CODES.items()},
                               **{c: AGREE for c in items if c not in ("osat", "ltr")}},
        missing_ranges={c: [-99] for c in items})


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """A workbook whose second sheet holds the data (numbers as numbers, dates as dates)."""
    book = openpyxl.Workbook()
    book.active.title = "notes"
    book.active.append(["exported from the panel"])
    ws = book.create_sheet("data")
    ws.append(list(frame.columns))
    for record in _typed(frame).itertuples(index=False):
        ws.append([None if isinstance(v, float) and np.isnan(v) else v for v in record])
    book.save(path)


def write_qualtrics(frame: pd.DataFrame, path: Path) -> None:
    """A Qualtrics export: field names, question text, ImportId metadata, then the answers."""
    wording = [f"Question about {c}" for c in frame.columns]
    imports = [json.dumps({"ImportId": f"QID{i}"}) for i, _ in enumerate(frame.columns, start=1)]
    head = pd.DataFrame([wording, imports], columns=frame.columns)
    pd.concat([head, frame]).to_csv(path, index=False, encoding="utf-8-sig")


WRITERS = {"sav": write_sav, "xlsx": write_xlsx, "qualtrics": write_qualtrics}


def _variant(tmp_path: Path, kind: str) -> Path:
    """The tiny client with its survey and competitor files in format ``kind`` (everything else as is)."""
    folder = tmp_path / kind / "tiny"
    shutil.copytree(TINY, folder)
    raw = yaml.safe_load((folder / "client.yaml").read_text())
    for key in ("survey", "competitor_ratings"):
        name = raw[key]["file"]
        target = name.replace(".csv", {"sav": ".sav", "xlsx": ".xlsx", "qualtrics": "_qualtrics.csv"}[kind])
        WRITERS[kind](_csv(folder / name), folder / target)
        (folder / name).unlink()
        raw[key]["file"] = target
    if kind == "xlsx":
        raw["survey"]["sheet"] = "data"
        raw["competitor_ratings"]["sheet"] = 2
    if kind == "qualtrics":  # detected in the survey file, declared for the competitor file
        raw["competitor_ratings"]["format"] = "qualtrics"
    for c in raw["constructs"].values():  # the wording comes from the export, as in a first client.yaml
        c["items"] = [i["name"] if isinstance(i, dict) else i for i in c["items"]]
    (folder / "client.yaml").write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    return folder


@pytest.fixture(scope="module")
def csv_twin(tmp_path_factory):
    out = tmp_path_factory.mktemp("twin")
    process(load_config(TINY, "tiny"), out / "processed")
    return out / "processed"


@pytest.mark.parametrize("kind", ["sav", "xlsx", "qualtrics"])
def test_export_gives_the_processed_tables_of_its_csv_twin(kind, tmp_path, csv_twin):
    folder = _variant(tmp_path, kind)
    cfg = load_config(folder, "tiny")
    process(cfg, tmp_path / "processed")
    for name in ("ratings", "feedback", "touchpoints"):
        got = pd.read_parquet(tmp_path / "processed" / f"{name}.parquet")
        want = pd.read_parquet(csv_twin / f"{name}.parquet")
        if name == "ratings":  # the row numbers are the ones each program shows
            first = {"sav": 1, "xlsx": 2, "qualtrics": 4}[kind]
            assert got.loc[got["source"] == "survey", "row"].iloc[0] == first
            got, want = got.drop(columns="row"), want.drop(columns="row")
        pd.testing.assert_frame_equal(got, want)
    meta = json.loads((tmp_path / "processed" / "meta.json").read_text())
    assert meta["accounting"][0]["read"] == meta["accounting"][0]["kept"] == 80


def test_sav_metadata_reaches_the_contract(tmp_path):
    cfg = load_config(_variant(tmp_path, "sav"), "tiny")
    assert cfg.questions["osat"] == "Overall, how satisfied are you?"
    assert cfg.questions["bx_sens1"].startswith("This brand makes a strong impression")
    assert cfg.item_missing["bx_sens2"] == (-99,)  # the user-missing code, not declared in client.yaml
    assert cfg.labels["brand"] == {"1": "Bean & Co.", "2": "Daily Grind", "3": "SipNow"}
    raw = read_client(cfg)
    assert raw.ratings["brand"].isin(["Bean & Co.", "Daily Grind", "SipNow"]).all()  # brands by their labels
    assert sum(raw.missing_answers.values()) == sum(
        int(_csv(TINY / f).drop(columns=list(TEXT_COLUMNS)).isna().sum().sum())
        for f in ("survey.csv", "competitor_ratings.csv"))


def test_client_yaml_overrides_the_files_metadata(tmp_path):
    folder = _variant(tmp_path, "sav")
    raw = yaml.safe_load((folder / "client.yaml").read_text())
    raw["constructs"]["satisfaction"]["items"] = [{"name": "osat", "question": "Satisfied overall?"}]
    raw["labels"] = {"brand": {1: "Bean and Co"}}
    raw["brand"] = "Bean and Co"
    (folder / "client.yaml").write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    cfg = load_config(folder, "tiny")
    assert cfg.questions["osat"] == "Satisfied overall?"
    assert cfg.labels["brand"]["1"] == "Bean and Co" and cfg.labels["brand"]["2"] == "Daily Grind"


def test_read_spss_keeps_codes_labels_and_ranges(tmp_path):
    frame = pd.DataFrame({"q1": [1.0, 4.5, -99.0, np.nan, 98.0], "seg": ["a", "b", "", "a", "b"]})
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(frame, str(path), column_labels={"q1": "The staff were friendly", "seg": None},
                         variable_value_labels={"q1": {1: "bad", 5: "good"}},
                         missing_ranges={"q1": [-99, {"lo": 97, "hi": 99}]})
    table = read_spss(path)
    assert table.frame["q1"].tolist()[:3] == ["1", "4.5", "-99"] and pd.isna(table.frame["q1"][3])
    assert pd.isna(table.frame["seg"][2])
    assert table.rows.tolist() == [1, 2, 3, 4, 5]
    assert table.meta.questions == {"q1": "The staff were friendly"}
    assert table.meta.labels == {"q1": {"1": "bad", "5": "good"}}
    assert set(table.meta.missing["q1"]) == {-99, 98}  # a range gives the codes found in it
    assert file_format("x.ZSAV") == "spss"


def test_read_spss_refuses_a_broken_file(tmp_path):
    (tmp_path / "bad.sav").write_bytes(b"not an spss file")
    with pytest.raises(ContractError, match=r"file 'bad.sav': cannot be read as an SPSS data file"):
        read_spss(tmp_path / "bad.sav")


def test_read_excel_rows_sheets_and_cells(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "first"
    for row in (["id", "q1", "when", None], ["r1", 5, dt.datetime(2026, 3, 1), None], [None, None],
                ["r2", 4.5, dt.datetime(2026, 3, 2, 14, 30), None]):
        ws.append(row)
    book.create_sheet("second").append(["x"])
    book.save(tmp_path / "b.xlsx")
    table = read_excel(tmp_path / "b.xlsx")
    assert list(table.frame.columns) == ["id", "q1", "when"]
    assert table.frame["q1"].tolist() == ["5", "4.5"]
    assert table.frame["when"].tolist() == ["2026-03-01", "2026-03-02T14:30:00"]
    assert table.rows.tolist() == [2, 4]  # the blank row 3 is skipped, numbers as Excel shows them
    assert read_excel(tmp_path / "b.xlsx", sheet="first").meta.sheet == "first"
    with pytest.raises(ContractError, match="no sheet named 'third'; the workbook's sheets are first, second"):
        read_excel(tmp_path / "b.xlsx", sheet="third")
    with pytest.raises(ContractError, match="has a header row but no answer rows"):
        read_excel(tmp_path / "b.xlsx", sheet=2)
    with pytest.raises(ContractError, match="save it as .xlsx"):
        read_excel(tmp_path / "old.xls")


def test_read_excel_refuses_a_repeated_column(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["id", "q1", "q1"])
    book.active.append(["r1", 1, 2])
    book.save(tmp_path / "b.xlsx")
    with pytest.raises(ContractError, match="column 'q1': the header names this column twice"):
        read_excel(tmp_path / "b.xlsx")


def test_excel_refusal_names_the_excel_row(tmp_path):
    folder = _variant(tmp_path, "xlsx")
    book = openpyxl.load_workbook(folder / "survey.xlsx")
    book["data"]["I6"] = 9  # bx_sens1 of the fifth answer, Excel row 6
    book.save(folder / "survey.xlsx")
    with pytest.raises(ContractError, match=r"file 'survey.xlsx', column 'bx_sens1', row 6: answers outside"):
        read_client(load_config(folder, "tiny"))


def test_qualtrics_header_rows_are_never_answers(tmp_path):
    text = ('ResponseId,Q1,Q2\n"Response ID","The staff were friendly","How did you hear - Selected Choice"\n'
            '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"\nR_1,5,web\nR_2,,tv\n')
    (tmp_path / "q.csv").write_text(text)
    table = read_csv(tmp_path / "q.csv")
    assert table.meta.format == "qualtrics" and table.rows.tolist() == [4, 5]
    assert table.frame["Q1"].tolist()[0] == "5" and pd.isna(table.frame["Q1"][1])
    assert table.meta.questions["Q1"] == "The staff were friendly"
    plain = read_csv(tmp_path / "q.csv", qualtrics=False)  # `format: csv` reads every row as answers
    assert len(plain.frame) == 4
    legacy = tmp_path / "legacy.csv"  # an older export: the question text row only
    legacy.write_text("id,Q1\nID,Friendly?\nr1,5\n")
    assert read_csv(legacy).frame["Q1"].tolist() == ["Friendly?", "5"]  # not detected without ImportIds
    assert read_csv(legacy, qualtrics=True).frame["Q1"].tolist() == ["5"]


def test_qualtrics_wording_reaches_the_contract(tmp_path):
    cfg = load_config(_variant(tmp_path, "qualtrics"), "tiny")
    assert cfg.questions["bx_sens1"] == "Question about bx_sens1"
    assert file_meta(cfg, cfg.survey).format == "qualtrics"
    assert file_meta(cfg, cfg.competitor_ratings).format == "qualtrics"  # declared
    assert read_table(cfg, cfg.survey, "survey")["<row>"].iloc[0] == 4


def test_unknown_format_is_refused(tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    raw = yaml.safe_load((folder / "client.yaml").read_text())
    raw["survey"]["format"] = "sas"
    (folder / "client.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ContractError, match=r"'survey.format' is 'sas'; use one of csv, qualtrics, spss, excel"):
        load_config(folder, "tiny")


# ---------------------------------------------------------------------------
# make new-client FROM=
def _own_survey(tmp_path: Path, kind: str) -> Path:
    frame = _csv(TINY / "survey.csv")
    path = tmp_path / {"sav": "export.sav", "xlsx": "export.xlsx", "qualtrics": "export.csv"}[kind]
    WRITERS[kind](frame, path)
    return path


def _apply_edits(text: str) -> str:
    """The edits the draft's EDIT comments ask for, as a researcher would make them."""
    text = text.replace("market: B2C", "market: B2C")  # kept: the demo client is B2C
    # "the questionnaire's full scale": recommendation is asked 0-10
    text = re.sub(r"(  ltr:\n    items:\n.*\n    scale: )\[\d+, 10\]", r"\1[0, 10]", text)
    text = text.replace("# drivers:", "drivers:").replace("# outcomes:", "outcomes:")
    return text


@pytest.mark.parametrize("kind", ["sav", "xlsx", "qualtrics"])
def test_new_client_from_an_export_drafts_a_config_that_passes_check(kind, tmp_path):
    source = _own_survey(tmp_path, kind)
    folder = new_client("acme", tmp_path / "raw", source=source)
    assert sorted(p.name for p in folder.iterdir()) == ["client.yaml", source.name]
    assert (folder / source.name).read_bytes() == source.read_bytes()  # the export, untouched
    draft = (folder / "client.yaml").read_text()
    assert "id: resp_id" in draft and "wave: wave" in draft and "brand: brand_rated" in draft
    assert "brand: Bean & Co." in draft
    for seg in ("role", "usage", "tenure", "age_group"):
        assert re.search(rf"^  {seg}: ", draft, re.M), seg
    if kind == "sav":
        assert "missing: [-99]" in draft
        assert '{name: osat, question: "Overall, how satisfied are you?"}' in draft
    if kind == "qualtrics":
        assert "format: qualtrics" in draft and 'question: "Question about bx_sens1"' in draft
    (folder / "client.yaml").write_text(_apply_edits(draft))
    cfg = load_config(folder, "acme")
    assert {"bx_sens1", "bx_sens2", "bx_sens3r"} <= set(cfg.constructs["bx_sens"].items)
    assert cfg.constructs["bx_sens"].scale == (1.0, 7.0) and cfg.constructs["osat"].scale == (1.0, 10.0)
    assert cfg.constructs["ltr"].scale == (0.0, 10.0) and "loy" in cfg.outcomes
    raw = read_client(cfg)
    assert len(raw.ratings) == 80


def test_new_client_from_the_command_line(tmp_path, capsys):
    from cem_research.run.cli import main

    source = _own_survey(tmp_path, "sav")
    assert main(["--root", str(tmp_path), "new-client", "acme", "--from", str(source)]) == 0
    assert "drafted client.yaml" in capsys.readouterr().out
    assert main(["--root", str(tmp_path), "new-client", "other", "--from", str(tmp_path / "nope.sav")]) == 1
    assert not (tmp_path / "data" / "raw" / "other").exists()


def test_new_client_from_an_unreadable_export_creates_nothing(tmp_path):
    (tmp_path / "bad.sav").write_bytes(b"garbage")
    with pytest.raises(ContractError, match="cannot be read as an SPSS data file"):
        new_client("acme", tmp_path / "raw", source=tmp_path / "bad.sav")
    assert not (tmp_path / "raw" / "acme").exists()


def test_makefile_passes_from():
    text = (REPO / "Makefile").read_text()
    assert '$(if $(FROM),--from "$(FROM)",)' in text


def test_doctests_run():
    import doctest

    from cem_research.client import readers
    from cem_research.run import draft

    for module in (readers, draft):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__
