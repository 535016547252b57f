"""Regenerate the bad-input corpus: ``python tests/bad_inputs/make_cases.py``.

Every case is a complete small client folder ``tests/bad_inputs/<case>/``: the valid base
client below plus one mutation, and the expected outcome of reading it:

* ``expected.txt``  -- the exact one-line refusal (``str(ContractError)``; the CLI prints it
  after ``error: ``), or
* ``expected.json`` -- for input that is handled, what handling it gets (``ok``, the
  accounting of rows, extra columns, exclusions, missing answers, values kept intact).

Output is byte-stable (fixed row order, ``\\n`` line ends, sorted JSON), so regenerating
after a change shows up in ``git diff`` only where a case really changed.  Cases marked
``committed=False`` (the 1 MB verbatim) are only written by the tests, into a temporary
folder.  ``tests/test_bad_inputs.py`` checks that the committed folders match this script.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------
# the valid base client
BASE_YAML = """\
# A minimal valid client: every case in tests/bad_inputs/ is this plus one mutation.
name: Test Brew Coffee
market: B2C
brand: Test Brew
competitors:
  - {name: Rival Roast, kind: direct}
  - {name: QuickCup, kind: new_entrant}
scale: [1, 7]

survey:
  file: survey.csv
  id: resp_id
  wave: wave
  brand: brand_rated
  date: interview_date
waves: [W1, W2]

competitor_ratings:
  file: competitor_ratings.csv

constructs:
  sensory:
    items: [sens1, sens2, sens3r]
    reverse: [sens3r]
    experience: true
    kind: emotional
  quality:
    items: [qual1, qual2, qual3]
  recommend:
    items: [ltr]
    scale: [0, 10]
drivers: [sensory, quality]
outcomes: [recommend]
nps: recommend

segments:
  usage: Usage frequency

journey: [awareness, purchase, usage, service]

feedback:
  file: feedback.csv
  text: comment
  id: resp_id
  wave: wave
  brand: brand

touchpoints:
  file: touchpoints.csv
  id: resp_id
  touchpoint: touchpoint
  stage: stage
  interface: interface
  channel: channel
  time: timestamp
  satisfaction: tp_sat
  effort: effort
  scale: [1, 5]
  effort_scale: [1, 7]
"""

RATING_HEADER = ["resp_id", "wave", "brand_rated", "interview_date", "usage",
                 "sens1", "sens2", "sens3r", "qual1", "qual2", "qual3", "ltr"]


@dataclass
class Table:
    """A CSV file: rows of cells (the first row is the header) and how it is exported."""

    rows: list[list[str]]
    delimiter: str = ","
    encoding: str = "utf-8"
    bom: bool = False

    def to_bytes(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
        writer.writerows(self.rows)
        data = buf.getvalue().encode(self.encoding)
        return (b"\xef\xbb\xbf" + data) if self.bom else data


def base_files() -> dict[str, str | bytes | Table]:
    """The valid base client: file name -> YAML text, raw bytes or :class:`Table`."""
    return {
        "client.yaml": BASE_YAML,
        "survey.csv": Table([
            list(RATING_HEADER),
            ["r01", "W1", "Test Brew", "2025-01-10", "daily", "6", "5", "2", "6", "7", "6", "9"],
            ["r02", "W1", "Test Brew", "2025-01-11", "weekly", "4", "4", "4", "5", "5", "4", "7"],
            ["r03", "W1", "Test Brew", "2025-01-12", "monthly", "7", "6", "1", "7", "6", "7", "10"],
            ["r01", "W2", "Test Brew", "2025-04-10", "daily", "5", "5", "3", "6", "6", "5", "8"],
            ["r02", "W2", "Test Brew", "2025-04-11", "weekly", "3", "4", "5", "4", "4", "3", "5"],
            ["r04", "W2", "Test Brew", "2025-04-12", "monthly", "6", "7", "2", "6", "7", "7", "9"],
        ]),
        "competitor_ratings.csv": Table([
            list(RATING_HEADER),
            ["r01", "W1", "Rival Roast", "2025-01-10", "daily", "5", "4", "3", "5", "5", "4", "6"],
            ["r02", "W1", "QuickCup", "2025-01-11", "weekly", "3", "3", "5", "4", "3", "4", "4"],
            ["r04", "W2", "Rival Roast", "2025-04-12", "monthly", "6", "5", "2", "5", "6", "6", "8"],
        ]),
        "feedback.csv": Table([
            ["resp_id", "wave", "brand", "comment"],
            ["r01", "W1", "Test Brew", "Lovely crema, friendly staff."],
            ["r02", "W1", "Test Brew", "Queue was too long at lunch."],
            ["r03", "W1", "Rival Roast", "Their app is easier to use."],
            ["r04", "W2", "Test Brew", "Great beans; the new cups leak."],
        ]),
        "touchpoints.csv": Table([
            ["resp_id", "touchpoint", "stage", "interface", "channel", "timestamp", "tp_sat", "effort"],
            ["r01", "poster", "awareness", "human_environment", "store", "2025-01-05T09:30", "4", "2"],
            ["r01", "barista", "purchase", "human_human", "store", "2025-01-06T08:15", "5", "1"],
            ["r02", "app order", "purchase", "human_technology", "app", "2025-01-07T12:00", "3", "4"],
            ["r03", "refill", "usage", "human_environment", "store", "2025-01-08T16:45", "4", "2"],
            ["r04", "hotline", "service", "human_human", "phone", "2025-04-09T10:00", "2", "6"],
        ]),
    }


# ---------------------------------------------------------------------------
# mutation helpers (rows are spreadsheet rows: header = row 1, first answer row = row 2)
def yaml_replace(old: str, new: str) -> Callable:
    def mutate(files):
        text = files["client.yaml"]
        assert text.count(old) == 1, f"{old!r} must occur once in client.yaml"
        files["client.yaml"] = text.replace(old, new)
    return mutate


def set_cell(file: str, row: int, column: str, value: str) -> Callable:
    def mutate(files):
        table = files[file]
        table.rows[row - 1][table.rows[0].index(column)] = value
    return mutate


def rename_column(file: str, old: str, new: str) -> Callable:
    def mutate(files):
        header = files[file].rows[0]
        header[header.index(old)] = new
    return mutate


def add_column(file: str, name: str, values: list[str]) -> Callable:
    def mutate(files):
        table = files[file]
        assert len(values) == len(table.rows) - 1
        table.rows[0].append(name)
        for r, v in zip(table.rows[1:], values):
            r.append(v)
    return mutate


def recode(file: str, column: str, codes: dict[str, str]) -> Callable:
    """Replace the values of ``column`` by their codes (a survey platform's export)."""
    def mutate(files):
        table = files[file]
        j = table.rows[0].index(column)
        for r in table.rows[1:]:
            r[j] = codes.get(r[j], r[j])
    return mutate


def drop_file(file: str) -> Callable:
    def mutate(files):
        del files[file]
    return mutate


def set_bytes(file: str, data: bytes) -> Callable:
    def mutate(files):
        files[file] = data
    return mutate


def keep_rows(file: str, n: int) -> Callable:
    """Keep the header and the first ``n`` answer rows."""
    def mutate(files):
        files[file].rows[:] = files[file].rows[: n + 1]
    return mutate


def table_format(file: str, **kw) -> Callable:
    def mutate(files):
        for k, v in kw.items():
            setattr(files[file], k, v)
    return mutate


def all_tables(**kw) -> Callable:
    def mutate(files):
        for f in files.values():
            if isinstance(f, Table):
                for k, v in kw.items():
                    setattr(f, k, v)
    return mutate


BEHAVIOUR_YAML = """
behaviour:
  file: behaviour.csv
  id: resp_id
  columns:
    referrals: {kind: count, period: 6 months after the survey, role: referral}
    churned: {kind: binary, period: 6 months after the survey, role: churn}
"""


def with_behaviour(rows: list[list[str]], yaml_extra: str = "") -> list[Callable]:
    """Declare ``behaviour:`` and add ``behaviour.csv`` holding ``rows`` (``resp_id, referrals, churned``)."""
    block = BEHAVIOUR_YAML.replace("  id: resp_id\n", "  id: resp_id\n" + yaml_extra)
    return [yaml_replace("\nsegments:\n", block + "\nsegments:\n"),
            set_bytes("behaviour.csv", Table([["resp_id", "referrals", "churned"], *rows]).to_bytes())]


@dataclass
class Case:
    """One corpus case: what is changed and what reading it must give."""

    name: str
    why: str
    mutations: list[Callable]
    expected: str | dict
    committed: bool = True
    extra: dict = field(default_factory=dict)


def c(name, why, mutations, expected, **kw) -> Case:
    return Case(name, why, mutations if isinstance(mutations, list) else [mutations], expected, **kw)


def _long_text() -> str:
    sentence = "The espresso was great but the queue was long. "
    text = (sentence * (1_048_576 // len(sentence) + 1))[:1_048_576]
    return text


BASE_ACCOUNTING = {
    "survey.csv": {"read": 6, "kept": 6, "excluded": {}},
    "competitor_ratings.csv": {"read": 3, "kept": 3, "excluded": {}},
    "feedback.csv": {"read": 4, "kept": 4, "excluded": {}},
    "touchpoints.csv": {"read": 5, "kept": 5, "excluded": {}},
}

CP1252_NAMES = ["Crème brûlée latte was superb.", "Señor Müller's café: très bien!"]
UNICODE_TEXTS = ["Great coffee ☕🙂👍", "咖啡很好喝，服务也很快。", "القهوة ممتازة والخدمة سريعة",
                 "Smiles 😀 and 日本語 and العربية in one"]
UNICODE_SEGMENTS = ["每天 daily", "أسبوعي", "☕ monthly"]

CASES: list[Case] = [
    # ---- handled: read, with documented handling --------------------------------------
    c("valid_base", "the base client itself reads cleanly", [],
      {"ok": True, "accounting": BASE_ACCOUNTING, "extra_columns": {}, "excluded": {},
       "missing_answers": {"sens1": 0, "sens2": 0, "sens3r": 0, "qual1": 0, "qual2": 0, "qual3": 0,
                           "ltr": 0},
       "waves": ["W1", "W2"]}),
    c("extra_columns", "undeclared columns are allowed and reported, never read as data",
      [add_column("survey.csv", "panel_source", ["A", "B", "A", "B", "A", "B"]),
       add_column("survey.csv", "notes", ["", "x", "", "", "", "y"]),
       add_column("touchpoints.csv", "store_id", ["s1", "s1", "s2", "s3", "s1"])],
      {"ok": True, "extra_columns": {"survey.csv": ["panel_source", "notes"],
                                     "touchpoints.csv": ["store_id"]},
       "accounting": BASE_ACCOUNTING}),
    c("extra_column_named_row", "an undeclared column called 'row' does not clash with row numbers",
      add_column("survey.csv", "row", ["1", "2", "3", "4", "5", "6"]),
      {"ok": True, "extra_columns": {"survey.csv": ["row"]}, "accounting": BASE_ACCOUNTING,
       "values": {"ratings.row": [2, 3, 4, 5, 6, 7, 2, 3, 4]}}),
    c("nan_items", "missing answers are kept and counted; a construct score needs half its items",
      [set_cell("survey.csv", 2, "sens1", ""),           # r01 W1: 2 of 3 answered -> scored
       set_cell("survey.csv", 3, "sens1", ""),           # r02 W1: 1 of 3 answered -> missing
       set_cell("survey.csv", 3, "sens2", ""),
       set_cell("survey.csv", 4, "ltr", ""),
       set_cell("competitor_ratings.csv", 2, "qual3", "")],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "missing_answers": {"sens1": 2, "sens2": 1, "sens3r": 0, "qual1": 0, "qual2": 0, "qual3": 1,
                           "ltr": 1},
       "missing_scores": {"sensory": 1, "quality": 0, "recommend": 1},
       # sens3r is reverse-keyed (8 - x) before averaging
       "values": {"ratings.sensory": [5.5, None, round(20 / 3, 6), 5.0, round(10 / 3, 6), round(19 / 3, 6),
                                      round(14 / 3, 6), 3.0, round(17 / 3, 6)]}}),
    c("utf8_bom", "a UTF-8 export with a byte-order mark: the first column name is read correctly",
      all_tables(bom=True),
      {"ok": True, "accounting": BASE_ACCOUNTING, "extra_columns": {}}),
    c("cp1252_declared", "a cp1252 export with accented names reads correctly when declared",
      [yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\ncsv:\n  encoding: cp1252\n"),
       yaml_replace("{name: Rival Roast, kind: direct}", "{name: Café Noé, kind: direct}"),
       set_cell("competitor_ratings.csv", 2, "brand_rated", "Café Noé"),
       set_cell("competitor_ratings.csv", 4, "brand_rated", "Café Noé"),
       set_cell("feedback.csv", 4, "brand", "Café Noé"),
       set_cell("feedback.csv", 2, "comment", CP1252_NAMES[0]),
       set_cell("feedback.csv", 3, "comment", CP1252_NAMES[1]),
       all_tables(encoding="cp1252")],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "values": {"feedback.text": [CP1252_NAMES[0], CP1252_NAMES[1], "Their app is easier to use.",
                                    "Great beans; the new cups leak."],
                  "feedback.brand": ["Test Brew", "Test Brew", "Café Noé", "Test Brew"],
                  "ratings.brand": ["Test Brew"] * 6 + ["Café Noé", "QuickCup", "Café Noé"]}}),
    c("semicolon_declared", "';' delimiter with decimal commas reads correctly when declared",
      [yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\ncsv:\n  delimiter: \";\"\n  decimal: \",\"\n"),
       set_cell("survey.csv", 2, "sens1", "5,5"),
       set_cell("survey.csv", 3, "qual2", "4,5"),
       set_cell("touchpoints.csv", 3, "tp_sat", "3,5"),
       all_tables(delimiter=";")],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "values": {"ratings.sens1": [5.5, 4.0, 7.0, 5.0, 3.0, 6.0, 5.0, 3.0, 6.0],
                  "ratings.qual2": [7.0, 4.5, 6.0, 6.0, 4.0, 7.0, 5.0, 3.0, 6.0],
                  "touchpoints.satisfaction": [4.0, 3.5, 3.0, 4.0, 2.0],
                  "feedback.text": ["Lovely crema, friendly staff.", "Queue was too long at lunch.",
                                    "Their app is easier to use.", "Great beans; the new cups leak."]}}),
    c("long_verbatim_1mb", "a 1 MB verbatim is kept whole (generated by the tests, not committed)",
      set_cell("feedback.csv", 3, "comment", _long_text()),
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "values": {"feedback.text_length": [29, 1_048_576, 27, 31]}},
      committed=False),
    c("multiline_verbatim", "a quoted comment spanning lines is one row; later rows keep their numbers",
      [set_cell("feedback.csv", 2, "comment", "Line one.\nLine two, after a break."),
       set_cell("feedback.csv", 4, "wave", "W9")],
      "client 'multiline_verbatim', file 'feedback.csv', column 'wave', row 4: "
      "wave not in the declared waves ['W1', 'W2'] (found 'W9')"),
    c("multiline_and_blank_lines", "multi-line comments and blank lines together: rows as a spreadsheet "
      "shows them",
      set_bytes("feedback.csv", (
          "resp_id,wave,brand,comment\n"
          "r01,W1,Test Brew,\"First line.\n\nSecond line after a blank one.\"\n"
          "\n"
          "r02,W1,Test Brew,Fine.\n"
          "r03,W3,Rival Roast,Their app is easier\n").encode()),
      "client 'multiline_and_blank_lines', file 'feedback.csv', column 'wave', row 5: "
      "wave not in the declared waves ['W1', 'W2'] (found 'W3')"),
    c("unicode_text", "emoji, CJK and Arabic in verbatims and segment labels are kept intact",
      [yaml_replace("usage: Usage frequency", "usage: 利用頻度 / معدل الاستخدام 📊"),
       set_cell("survey.csv", 2, "usage", UNICODE_SEGMENTS[0]),
       set_cell("survey.csv", 3, "usage", UNICODE_SEGMENTS[1]),
       set_cell("survey.csv", 4, "usage", UNICODE_SEGMENTS[2])]
      + [set_cell("feedback.csv", r, "comment", t) for r, t in zip(range(2, 6), UNICODE_TEXTS)],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "segments": {"usage": "利用頻度 / معدل الاستخدام 📊"},
       "values": {"feedback.text": UNICODE_TEXTS,
                  "ratings.usage": UNICODE_SEGMENTS + ["daily", "weekly", "monthly",
                                                       "daily", "weekly", "monthly"]}}),
    c("trailing_delimiter", "every answer row ends with a delimiter the header lacks: read unshifted",
      set_bytes("survey.csv", (
          ",".join(RATING_HEADER) + "\n"
          "r01,W1,Test Brew,2025-01-10,daily,6,5,2,6,7,6,9,\n"
          "r02,W1,Test Brew,2025-01-11,weekly,4,4,4,5,5,4,7,\n"
          "r03,W2,Test Brew,2025-04-12,monthly,7,6,1,7,6,7,10,\n").encode()),
      {"ok": True, "extra_columns": {},
       "accounting": {**BASE_ACCOUNTING, "survey.csv": {"read": 3, "kept": 3, "excluded": {}}},
       "values": {"ratings.respondent": ["r01", "r02", "r03", "r01", "r02", "r04"],
                  "ratings.ltr": [9.0, 7.0, 10.0, 6.0, 4.0, 8.0]}}),
    c("blank_verbatims", "blank and whitespace-only comments are excluded and counted",
      [set_cell("feedback.csv", 3, "comment", ""), set_cell("feedback.csv", 5, "comment", "   ")],
      {"ok": True, "excluded": {"blank comment": 2},
       "accounting": {**BASE_ACCOUNTING,
                      "feedback.csv": {"read": 4, "kept": 2, "excluded": {"blank comment": 2}}},
       "values": {"feedback.row": [2, 4]}}),
    c("blank_lines", "blank lines in an export are skipped; row numbers still match the file",
      set_bytes("survey.csv", (
          ",".join(RATING_HEADER) + "\n"
          "r01,W1,Test Brew,2025-01-10,daily,6,5,2,6,7,6,9\n"
          "\n"
          "r02,W1,Test Brew,2025-01-11,weekly,4,4,4,5,5,4,7\n"
          "r03,W1,Test Brew,2025-01-12,monthly,7,6,1,7,6,7,11\n").encode()),
      "client 'blank_lines', file 'survey.csv', column 'ltr', row 5: answers outside the declared "
      "scale 0-10 of construct 'recommend' (found 11)"),

    # ---- survey-export conventions: "no answer" codes, value labels, segment order ----------
    c("missing_code_declared", "a declared 'no answer' code (-99) becomes a missing answer and is counted",
      [yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\nmissing: [-99]\n"),
       set_cell("survey.csv", 3, "sens2", "-99"), set_cell("survey.csv", 5, "sens2", "-99"),
       set_cell("competitor_ratings.csv", 2, "qual1", "-99")],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "missing_answers": {"sens1": 0, "sens2": 2, "sens3r": 0, "qual1": 1, "qual2": 0, "qual3": 0, "ltr": 0},
       "missing_codes": {"sens2": {"-99": 2}, "qual1": {"-99": 1}},
       "values": {"ratings.sens2": [5.0, None, 6.0, None, 4.0, 7.0, 4.0, 3.0, 5.0]}}),
    c("missing_code_undeclared", "-99 ('no answer' in the export) without `missing:`: refused, pointing at it",
      [set_cell("survey.csv", 3, "sens2", "-99"), set_cell("survey.csv", 5, "sens2", "-99")],
      "client 'missing_code_undeclared', file 'survey.csv', column 'sens2', rows 3, 5: answers outside the "
      "declared scale 1-7 of construct 'sensory' (found -99); if -99 means \"no answer\", declare it under "
      "'missing:' in client.yaml (for every column, or on the construct or item)"),
    c("missing_code_beyond_scale", "a code beyond the scale (99) that is not among the declared codes",
      [yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\nmissing: [-99]\n"),
       set_cell("survey.csv", 6, "qual2", "99")],
      "client 'missing_code_beyond_scale', file 'survey.csv', column 'qual2', row 6: answers outside the "
      "declared scale 1-7 of construct 'quality' (found 99); if 99 means \"no answer\", declare it under "
      "'missing:' in client.yaml (for every column, or on the construct or item)"),
    c("labels_unused_code", "a label for a code that never occurs: read, with a warning (not refused: an "
      "export's labels often list options nobody chose)",
      yaml_replace("\njourney: [", "\nlabels:\n  usage: {daily: Every day, hourly: Every hour}\njourney: ["),
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "warnings": ["client 'labels_unused_code', file 'client.yaml', column 'usage': labels.usage labels code "
                    "'hourly', which never occurs in the data (values found: daily, monthly, weekly); check the "
                    "code or remove the label"]}),
    c("segment_order_unknown_level", "a segment `order:` naming a level the survey does not have",
      yaml_replace("usage: Usage frequency",
                   "usage: {label: Usage frequency, order: [daily, hourly, weekly, monthly]}"),
      "client 'segment_order_unknown_level', file 'client.yaml', column 'usage': 'segments.usage.order' names "
      "'hourly', which is not a level of column 'usage' in survey.csv (levels: daily, monthly, weekly)"),
    c("coded_brands_and_labels", "brands exported as codes 1-3 with `labels:`; brands named by label or code, "
      "segment order and question wording declared",
      [yaml_replace("brand: Test Brew\n", "brand: 1\n"),
       yaml_replace("\njourney: [", "\nlabels:\n  brand_rated: {1: Test Brew, 2: Rival Roast, 3: QuickCup}\n"
                    "  usage: {daily: Every day, weekly: Every week, monthly: Every month}\njourney: ["),
       yaml_replace("usage: Usage frequency", "usage: {label: Usage frequency, order: [Every day, weekly, monthly]}"),
       yaml_replace("items: [qual1, qual2, qual3]",
                    "items: [{name: qual1, question: The coffee tasted fresh}, qual2, qual3]"),
       recode("survey.csv", "brand_rated", {"Test Brew": "1"}),
       recode("competitor_ratings.csv", "brand_rated", {"Rival Roast": "2", "QuickCup": "3"}),
       recode("feedback.csv", "brand", {"Rival Roast": "2"})],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "segments": {"usage": "Usage frequency"},
       "values": {"ratings.brand": ["Test Brew"] * 6 + ["Rival Roast", "QuickCup", "Rival Roast"],
                  "ratings.brand_kind": ["own"] * 6 + ["direct", "new_entrant", "direct"],
                  "feedback.brand": ["Test Brew", "Test Brew", "Rival Roast", "Test Brew"]}}),

    # ---- refused: files --------------------------------------------------------------
    c("missing_survey_file", "the required survey file is absent", drop_file("survey.csv"),
      "client 'missing_survey_file', file 'survey.csv': required file is missing from "
      "data/raw/missing_survey_file/"),
    c("missing_feedback_file", "a declared optional file is absent", drop_file("feedback.csv"),
      "client 'missing_feedback_file', file 'feedback.csv': declared (feedback) file is missing "
      "from data/raw/missing_feedback_file/"),
    c("missing_client_yaml", "the folder has data but no client.yaml", drop_file("client.yaml"),
      "client 'missing_client_yaml', file 'client.yaml': required file is missing: every client "
      "folder needs a client.yaml (run `make new-client NAME=...` for a commented template)"),
    c("empty_file", "a 0-byte survey export", set_bytes("survey.csv", b""),
      "client 'empty_file', file 'survey.csv': file is empty: expected a header row and answer rows"),
    c("header_only", "a survey export with the header and no answers", keep_rows("survey.csv", 0),
      "client 'header_only', file 'survey.csv': file has a header row but no answer rows"),

    # ---- refused: columns ------------------------------------------------------------
    c("missing_column_typo", "a declared item column is misspelt in the export",
      rename_column("survey.csv", "sens2", "sens_2"),
      "client 'missing_column_typo', file 'survey.csv', column 'sens2': declared column is missing "
      "from the file; did you mean 'sens_2'?"),
    c("missing_column", "a declared column is absent, with no similar name",
      rename_column("touchpoints.csv", "effort", "ces_score"),
      "client 'missing_column', file 'touchpoints.csv', column 'effort': declared column is missing "
      "from the file"),
    c("duplicate_header", "a column name appears twice in the header",
      rename_column("survey.csv", "qual3", "qual1"),
      "client 'duplicate_header', file 'survey.csv', column 'qual1': the header names this column "
      "twice; rename or remove one of them"),

    # ---- refused: values -------------------------------------------------------------
    c("wrong_type", "text in a numeric item", set_cell("survey.csv", 3, "sens2", "Agree"),
      "client 'wrong_type', file 'survey.csv', column 'sens2', row 3: expected numbers, found text "
      "such as 'Agree'"),
    c("out_of_scale", "an 8 on a 1-7 item",
      [set_cell("survey.csv", 4, "qual1", "8"), set_cell("survey.csv", 6, "qual1", "8")],
      "client 'out_of_scale', file 'survey.csv', column 'qual1', rows 4, 6: answers outside the "
      "declared scale 1-7 of construct 'quality' (found 8)"),
    c("duplicate_respondent", "the same respondent twice in one wave",
      set_cell("survey.csv", 4, "resp_id", "r01"),
      "client 'duplicate_respondent', file 'survey.csv', column 'resp_id', rows 2, 4: duplicate "
      "respondent id 'r01' within wave 'W1' (and brand 'Test Brew'); each respondent may rate a brand "
      "once per wave"),
    c("blank_respondent_id", "a blank respondent id",
      [set_cell("survey.csv", 5, "resp_id", ""), set_cell("survey.csv", 7, "resp_id", " ")],
      "client 'blank_respondent_id', file 'survey.csv', column 'resp_id', rows 5, 7: respondent id "
      "is blank"),
    c("unknown_brand", "a brand in the survey's brand column that client.yaml does not declare",
      set_cell("survey.csv", 6, "brand_rated", "Bean Brothers"),
      "client 'unknown_brand', file 'survey.csv', column 'brand_rated', row 6: brand not declared in "
      "client.yaml (add it under 'brand' or 'competitors' with its kind) (found 'Bean Brothers')"),
    c("wave_not_declared", "a wave that is not in `waves`", set_cell("survey.csv", 7, "wave", "W3"),
      "client 'wave_not_declared', file 'survey.csv', column 'wave', row 7: wave not in the declared "
      "waves ['W1', 'W2'] (found 'W3')"),
    c("unknown_feedback_brand", "a brand in the feedback file that client.yaml does not declare",
      [set_cell("feedback.csv", 3, "brand", "Bean Brothers"), set_cell("feedback.csv", 5, "brand", "Nobody")],
      "client 'unknown_feedback_brand', file 'feedback.csv', column 'brand', rows 3, 5: brand not declared "
      "in client.yaml (add it under 'brand' or 'competitors' with its kind) (found 'Bean Brothers', "
      "'Nobody')"),
    c("touchpoint_wave_not_declared", "a touchpoint wave that is not in `waves`",
      [yaml_replace("  effort: effort\n", "  effort: effort\n  wave: wave\n"),
       add_column("touchpoints.csv", "wave", ["W1", "W1", "W1", "W2", "W4"])],
      "client 'touchpoint_wave_not_declared', file 'touchpoints.csv', column 'wave', row 6: wave not in "
      "the declared waves ['W1', 'W2'] (found 'W4')"),
    c("competitor_rates_own_brand", "a competitor-ratings row rating the client's own brand",
      set_cell("competitor_ratings.csv", 3, "brand_rated", "Test Brew"),
      "client 'competitor_rates_own_brand', file 'competitor_ratings.csv', column 'brand_rated', "
      "row 3: rows rating the own brand belong in the survey file"),
    c("unknown_journey_stage", "a touchpoint stage not in `journey`",
      set_cell("touchpoints.csv", 4, "stage", "checkout"),
      "client 'unknown_journey_stage', file 'touchpoints.csv', column 'stage', row 4: unknown journey "
      "stage; the declared stages are awareness, purchase, usage, service (found 'checkout')"),
    c("unknown_interface", "an interface kind that is not one of the three",
      set_cell("touchpoints.csv", 3, "interface", "human_robot"),
      "client 'unknown_interface', file 'touchpoints.csv', column 'interface', row 3: unknown "
      "interface kind; use human_human, human_technology, human_environment (found 'human_robot')"),
    c("bad_timestamps", "timestamps that do not parse",
      [set_cell("touchpoints.csv", 2, "timestamp", "05/01/2025 9.30"),
       set_cell("touchpoints.csv", 5, "timestamp", "yesterday")],
      "client 'bad_timestamps', file 'touchpoints.csv', column 'timestamp', rows 2, 5: timestamps that "
      "do not parse (expected ISO 8601 such as 2026-03-01 or 2026-03-01T14:30), e.g. '05/01/2025 9.30'"),
    c("bad_survey_date", "an interview date that does not parse",
      set_cell("survey.csv", 3, "interview_date", "2025-13-45"),
      "client 'bad_survey_date', file 'survey.csv', column 'interview_date', row 3: timestamps that do "
      "not parse (expected ISO 8601 such as 2026-03-01 or 2026-03-01T14:30), e.g. '2025-13-45'"),

    # ---- refused: export format ------------------------------------------------------
    c("cp1252_undeclared", "a cp1252 export read as the default UTF-8",
      [set_cell("feedback.csv", 3, "comment", CP1252_NAMES[0]),
       set_cell("feedback.csv", 5, "comment", CP1252_NAMES[1]),
       table_format("feedback.csv", encoding="cp1252")],
      "client 'cp1252_undeclared', file 'feedback.csv', column 'comment', rows 3, 5: cannot be decoded "
      "as utf-8; set csv.encoding in client.yaml to the export's encoding, e.g. cp1252 or latin-1"),
    c("semicolon_undeclared", "a ';'-delimited export with decimal commas, delimiter not declared",
      [set_cell("survey.csv", 2, "sens1", "5,5"), table_format("survey.csv", delimiter=";")],
      "client 'semicolon_undeclared', file 'survey.csv', row 2: more fields than the header has columns "
      "(1): a stray ',' or a text holding ',' without quotes; the file looks ';'-delimited: set "
      "csv.delimiter in client.yaml"),
    c("semicolon_undeclared_no_commas", "a ';'-delimited export without commas, delimiter not declared",
      table_format("survey.csv", delimiter=";"),
      "client 'semicolon_undeclared_no_commas', file 'survey.csv', column 'resp_id': declared column "
      "is missing from the file; the file looks ';'-delimited: set csv.delimiter in client.yaml"),
    c("decimal_comma_undeclared", "'4,5' in a comma-delimited file without csv.decimal",
      set_cell("survey.csv", 3, "qual2", "4,5"),
      "client 'decimal_comma_undeclared', file 'survey.csv', column 'qual2', row 3: expected numbers, "
      "found text such as '4,5'; the file may use decimal commas: set csv.decimal: ',' in client.yaml"),

    c("unquoted_delimiter", "a comment holding the delimiter without quotes",
      set_bytes("feedback.csv", (
          "resp_id,wave,brand,comment\n"
          "r01,W1,Test Brew,Lovely crema\n"
          "r02,W1,Test Brew,Queue too long, staff friendly\n"
          "r03,W1,Rival Roast,Their app is easier\n").encode()),
      "client 'unquoted_delimiter', file 'feedback.csv', row 3: more fields than the header has "
      "columns (4): a stray ',' or a text holding ',' without quotes"),
    c("unclosed_quote", "a quoted comment whose closing quote is missing",
      set_bytes("feedback.csv", (
          "resp_id,wave,brand,comment\n"
          "r01,W1,Test Brew,Lovely crema\n"
          "r02,W1,Test Brew,\"Queue too long\n"
          "r03,W1,Rival Roast,Their app is easier\n").encode()),
      "client 'unclosed_quote', file 'feedback.csv', row 3: a quoted text is never closed (a '\"' "
      "without its closing '\"')"),
    c("unknown_encoding", "an encoding name Python does not know",
      yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\ncsv:\n  encoding: utf-9\n"),
      "client 'unknown_encoding', file 'client.yaml': unknown encoding 'utf-9' in csv.encoding; use a "
      "name such as utf-8, cp1252 or latin-1"),

    # ---- refused: client.yaml ---------------------------------------------------------
    c("yaml_python_tag", "a YAML tag that would run a command if loaded unsafely",
      yaml_replace("name: Test Brew Coffee", 'name: !!python/object/apply:os.system ["echo hacked"]'),
      "client 'yaml_python_tag', file 'client.yaml': YAML tag refused at line 2 (could not determine "
      "a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'): client.yaml is "
      "read with safe loading only, so tags that construct objects are not allowed"),
    c("typo_top_key", "'constructz:' for 'constructs:'", yaml_replace("\nconstructs:", "\nconstructz:"),
      "client 'typo_top_key', file 'client.yaml': unknown key 'constructz' in client.yaml; did you "
      "mean 'constructs'?"),
    c("typo_construct_key", "'revers:' for 'reverse:' inside a construct",
      yaml_replace("reverse: [sens3r]", "revers: [sens3r]"),
      "client 'typo_construct_key', file 'client.yaml': unknown key 'revers' in constructs.sensory; "
      "did you mean 'reverse'?"),
    c("duplicate_yaml_key", "a construct declared twice (YAML would silently keep the last)",
      yaml_replace("  recommend:\n    items: [ltr]",
                   "  quality:\n    items: [qual1]\n  recommend:\n    items: [ltr]"),
      "client 'duplicate_yaml_key', file 'client.yaml': key 'quality' appears twice at line 29 "
      "(first at line 27); YAML would silently keep only the last"),
    c("unknown_competitor_kind", "a competitor kind outside direct/new_entrant/outside_industry",
      yaml_replace("{name: Rival Roast, kind: direct}", "{name: Rival Roast, kind: indirect}"),
      "client 'unknown_competitor_kind', file 'client.yaml': competitor 'Rival Roast' has unknown kind "
      "'indirect'; use one of direct, new_entrant, outside_industry"),
    c("item_in_two_constructs", "one item listed under two constructs",
      yaml_replace("items: [qual1, qual2, qual3]", "items: [qual1, qual2, qual3, sens2]"),
      "client 'item_in_two_constructs', file 'client.yaml', column 'sens2': item 'sens2' is declared in "
      "two constructs: 'sensory' and 'quality'"),
    c("reverse_not_in_construct", "a reverse-keyed item that is not an item of its construct",
      yaml_replace("reverse: [sens3r]", "reverse: [qual3]"),
      "client 'reverse_not_in_construct', file 'client.yaml', column 'qual3': reverse-keyed item "
      "'qual3' is not an item of construct 'sensory'"),
    c("nps_not_0_10", "the nps construct on a 1-10 scale",
      yaml_replace("    scale: [0, 10]", "    scale: [1, 10]"),
      "client 'nps_not_0_10', file 'client.yaml': 'nps' construct 'recommend' must be one item on a "
      "0-10 scale; it has 1 item on 1-10"),
    c("driver_not_declared", "a driver naming an undeclared construct",
      yaml_replace("drivers: [sensory, quality]", "drivers: [sensory, qualty]"),
      "client 'driver_not_declared', file 'client.yaml': 'drivers' names 'qualty', which is not a "
      "declared construct; did you mean 'quality'?"),
    # ---- refused: the optional methods' sections of client.yaml (parsed when it is loaded) ---------
    c("typo_under_kano", "'featurs:' for 'features:' under kano:",
      yaml_replace("\njourney: [", "\nkano:\n  featurs:\n    refill: {functional: sens1, dysfunctional: sens2}\n"
                                   "journey: ["),
      "client 'typo_under_kano', file 'client.yaml': unknown key 'featurs' in kano; did you mean 'features'?"),
    c("typo_under_modules", "'codbook:' for 'codebook:' under modules:",
      yaml_replace("\njourney: [", "\nmodules:\n  codbook: {RELATE: [community]}\njourney: ["),
      "client 'typo_under_modules', file 'client.yaml': unknown key 'codbook' in modules; did you mean "
      "'codebook'?"),
    c("typo_under_promises", "'constrcut:' for 'construct:' in a promise",
      yaml_replace("\njourney: [", "\npromises:\n  - {promise: A sensory treat, constrcut: sensory}\njourney: ["),
      "client 'typo_under_promises', file 'client.yaml': unknown key 'constrcut' in promises[0]; did you "
      "mean 'construct'?"),
    c("typo_under_weighting", "'trimm:' for 'trim:' under weighting:",
      yaml_replace("\njourney: [", "\nweighting:\n  targets:\n    usage: {daily: 0.5, weekly: 0.5}\n"
                                   "  trimm: [0.3, 3.0]\njourney: ["),
      "client 'typo_under_weighting', file 'client.yaml': unknown key 'trimm' in weighting; did you mean "
      "'trim'?"),
    c("main_outcome_not_declared", "main_outcome: naming a construct that is not an outcome",
      yaml_replace("\nnps: recommend\n", "\nnps: recommend\nmain_outcome: sensory\n"),
      "client 'main_outcome_not_declared', file 'client.yaml': 'main_outcome' names 'sensory', which is "
      "not one of the declared outcomes or the nps construct; outcomes: recommend"),
    c("delimiter_equals_decimal", "csv.decimal equal to csv.delimiter",
      yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\ncsv:\n  decimal: \",\"\n"),
      "client 'delimiter_equals_decimal', file 'client.yaml': csv.decimal ',' is also the delimiter; "
      "a file with decimal commas needs another delimiter, e.g. csv.delimiter: ';'"),
    # ---- hostile inputs, round two (issue 16) -------------------------------------------
    c("item_named_weight", "an item column called 'weight' would be read as survey weights",
      [yaml_replace("items: [qual1, qual2, qual3]", "items: [qual1, qual2, weight]"),
       rename_column("survey.csv", "qual3", "weight"), rename_column("competitor_ratings.csv", "qual3", "weight")],
      "client 'item_named_weight', file 'client.yaml', column 'weight': item 'weight' of construct 'quality' has a "
      "name the processed ratings keep for survey weights (survey.weight or weighting:); rename the column (in the "
      "export and in client.yaml)"),
    c("item_named_respondent", "an item column called 'respondent' would overwrite the respondent ids",
      [yaml_replace("items: [qual1, qual2, qual3]", "items: [qual1, qual2, respondent]"),
       rename_column("survey.csv", "qual3", "respondent"),
       rename_column("competitor_ratings.csv", "qual3", "respondent")],
      "client 'item_named_respondent', file 'client.yaml', column 'respondent': item 'respondent' of construct "
      "'quality' has a name the processed ratings keep for the respondent ids (survey.id); rename the column (in "
      "the export and in client.yaml)"),
    c("column_named_row_marker", "an undeclared column named '<row>', the reader's own name for row numbers",
      add_column("survey.csv", "<row>", ["1", "2", "3", "4", "5", "6"]),
      "client 'column_named_row_marker', file 'survey.csv', column '<row>': a column named '<row>' cannot be "
      "read: that name is kept for the row numbers of a file being read; rename or remove the column"),
    c("line_break_unquoted", "a line break inside an unquoted comment would split one row into two",
      set_bytes("feedback.csv", (
          "resp_id,wave,brand,comment\n"
          "r01,W1,Test Brew,Lovely crema\n"
          "r02,W1,Test Brew,Queue too long\n"
          "but the staff were friendly\n"
          "r03,W1,Rival Roast,Their app is easier\n").encode()),
      "client 'line_break_unquoted', file 'feedback.csv', row 4: fewer fields than the header has columns (4, "
      "found 1): a line break outside quotes splits a row in two: quote texts holding line breaks (re-export "
      "with quoted text)"),
    c("truncated_rows", "rows cut after 3 and 8 fields: their answers would silently become missing",
      set_bytes("survey.csv", (
          ",".join(RATING_HEADER) + "\n"
          "r01,W1,Test Brew,2025-01-10,daily,6,5,2,6,7,6,9\n"
          "r02,W1,Test Brew\n"
          "r03,W1,Test Brew,2025-01-12,monthly,7,6,1\n"
          "r04,W2,Test Brew,2025-04-12,monthly,6,7,2,6,7,7,9\n").encode()),
      "client 'truncated_rows', file 'survey.csv', rows 3, 4: fewer fields than the header has columns (12, "
      "found 3): the row is cut short (a damaged or truncated export): re-export the file"),
    c("waves_natural_order", "waves without `waves:` in natural order: 'Wave 9' before 'Wave 10'",
      [yaml_replace("waves: [W1, W2]\n", "")]
      + [recode(f, "wave", {"W1": "Wave 9", "W2": "Wave 10"}) for f in ("survey.csv", "competitor_ratings.csv",
                                                                        "feedback.csv")],
      {"ok": True, "accounting": BASE_ACCOUNTING, "waves": ["Wave 9", "Wave 10"]}),
    c("waves_order_unknown", "waves without `waves:` whose labels have no order of their own",
      [yaml_replace("waves: [W1, W2]\n", "")]
      + [recode(f, "wave", {"W1": "Spring 2025", "W2": "Autumn 2025"}) for f in ("survey.csv",
                                                                                 "competitor_ratings.csv",
                                                                                 "feedback.csv")],
      "client 'waves_order_unknown', file 'survey.csv', column 'wave': the order of the waves cannot be told from "
      "their labels ('Autumn 2025', 'Spring 2025'); list them in time order under 'waves:' in client.yaml, e.g. "
      "waves: [Spring 2025, Autumn 2025]"),
    c("yaml_alias_bomb", "nested YAML aliases that expand to a billion values (\"billion laughs\") in `name:`",
      yaml_replace("name: Test Brew Coffee\n", "laughs:\n" + "".join(
          f"  - &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}" if i else "lol"] * 9) + "]\n" for i in range(9))
          + "name: *i\n"),
      "client 'yaml_alias_bomb', file 'client.yaml': client.yaml expands through its aliases (*name) to more "
      "than 100,000 values; write the values out instead of repeating aliases"),
    c("name_not_text", "`name:` given as a list", yaml_replace("name: Test Brew Coffee", "name: [Test, Brew]"),
      "client 'name_not_text', file 'client.yaml': 'name' must be text, got ['Test', 'Brew']"),
    c("scale_infinite", "`scale: [1, .inf]`", yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, .inf]\n"),
      "client 'scale_infinite', file 'client.yaml': 'scale' must be [min, max] with finite numbers, got [1, inf]"),
    c("label_mapping", "a construct `label:` given as a mapping",
      yaml_replace("    kind: emotional\n", "    kind: emotional\n    label: {a: 1}\n"),
      "client 'label_mapping', file 'client.yaml': 'constructs.sensory.label' must be text, got {'a': 1}"),
    c("flag_as_yes", "`experience: yes` (text under YAML 1.2; Python would take 'no' for true as well)",
      yaml_replace("    experience: true\n", "    experience: yes\n"),
      "client 'flag_as_yes', file 'client.yaml': 'constructs.sensory.experience' must be true or false, got 'yes'"),
    c("brand_named_on", "a competitor called On and segment levels Yes/No: kept as the text written "
      "(YAML 1.1 would read them as booleans)",
      [yaml_replace("{name: QuickCup, kind: new_entrant}", "{name: On, kind: new_entrant}"),
       yaml_replace("usage: Usage frequency", "usage: {label: Usage frequency, order: [Yes, No]}"),
       recode("competitor_ratings.csv", "brand_rated", {"QuickCup": "On"}),
       recode("survey.csv", "usage", {"daily": "Yes", "weekly": "No", "monthly": "No"}),
       recode("competitor_ratings.csv", "usage", {"daily": "Yes", "weekly": "No", "monthly": "No"})],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "values": {"ratings.brand": ["Test Brew"] * 6 + ["Rival Roast", "On", "Rival Roast"],
                  "ratings.brand_kind": ["own"] * 6 + ["direct", "new_entrant", "direct"]}}),
    c("weight_infinite", "an infinite survey weight would turn every weighted mean into NaN",
      [yaml_replace("  date: interview_date\n", "  date: interview_date\n  weight: w\n"),
       add_column("survey.csv", "w", ["1", "1.5", "inf", "0.8", "1", "1"]),
       add_column("competitor_ratings.csv", "w", ["1", "1", "1"])],
      "client 'weight_infinite', file 'survey.csv', column 'w', row 4: expected finite numbers, found 'inf'"),
    c("bom_inside_file", "a byte-order mark in the middle of a file (two exports pasted together) is dropped, "
      "so that respondent's touchpoints still match",
      set_bytes("touchpoints.csv", (
          "resp_id,touchpoint,stage,interface,channel,timestamp,tp_sat,effort\n"
          "r01,poster,awareness,human_environment,store,2025-01-05T09:30,4,2\n"
          "r01,barista,purchase,human_human,store,2025-01-06T08:15,5,1\n"
          "\ufeffr02,app order,purchase,human_technology,app,2025-01-07T12:00,3,4\n"
          "r03,refill,usage,human_environment,store,2025-01-08T16:45,4,2\n"
          "r04,hotline,service,human_human,phone,2025-04-09T10:00,2,6\n").encode()),
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "values": {"touchpoints.respondent": ["r01", "r01", "r02", "r03", "r04"]}}),
    c("thousands_separator", "'1,250' (a thousands separator) in a numeric column: its own hint",
      [yaml_replace("  date: interview_date\n", "  date: interview_date\n  weight: w\n"),
       add_column("survey.csv", "w", ["1", "1,250", "1", "1", "1", "1"]),
       add_column("competitor_ratings.csv", "w", ["1", "1", "1"])],
      "client 'thousands_separator', file 'survey.csv', column 'w', row 3: expected numbers, found text such as "
      "'1,250'; '1,250' looks like a number with a thousands separator: export numbers without one"),
    c("timestamps_offsets_mixed", "touchpoint times with +01:00 and +02:00 (a daylight-saving change): one clock, "
      "UTC",
      [set_cell("touchpoints.csv", r, "timestamp", t) for r, t in (
          (2, "2025-03-29T09:30+01:00"), (3, "2025-03-30T08:15+02:00"), (4, "2025-03-30T12:00+02:00"),
          (5, "2025-03-31T16:45:00+02:00"), (6, "2025-04-09T10:00Z"))],
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "values": {"touchpoints.time": ["2025-03-29T08:30:00", "2025-03-30T06:15:00", "2025-03-30T10:00:00",
                                       "2025-03-31T14:45:00", "2025-04-09T10:00:00"]}}),
    c("survey_date_zone_in_one_row", "a survey date with 'Z' in one row and no zone elsewhere",
      set_cell("survey.csv", 3, "interview_date", "2025-01-11T10:00Z"),
      "client 'survey_date_zone_in_one_row', file 'survey.csv', column 'interview_date', row 3: some timestamps "
      "carry a time zone and others do not (e.g. '2025-01-11T10:00Z' beside '2025-01-10'), so they are not on one "
      "clock: export every timestamp with its zone, or none"),
    c("encoding_rot13", "`csv.encoding: rot13`, a codec Python knows that does not decode text",
      yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\ncsv:\n  encoding: rot13\n"),
      "client 'encoding_rot13', file 'client.yaml': encoding 'rot13' in csv.encoding is not a text encoding; use "
      "a name such as utf-8, cp1252 or latin-1"),
    c("encoding_hex", "`csv.encoding: hex`, a bytes-to-bytes codec",
      yaml_replace("\nscale: [1, 7]\n", "\nscale: [1, 7]\ncsv:\n  encoding: hex\n"),
      "client 'encoding_hex', file 'client.yaml': encoding 'hex' in csv.encoding is not a text encoding; use "
      "a name such as utf-8, cp1252 or latin-1"),
    # ---- uce: (issue 20): Pope's five factors of the Ultimate Client Experience -----------
    c("uce_unknown_factor", "a construct declaring a UCE factor Pope does not name",
      yaml_replace("items: [qual1, qual2, qual3]", "items: [qual1, qual2, qual3]\n    uce: service"),
      "client 'uce_unknown_factor', file 'client.yaml': construct 'quality' has uce 'service'; use one of "
      "culture, people, relationship, understanding, uncommon (Pope's five factors of the Ultimate Client "
      "Experience)"),
    # ---- behaviour: (issue 20): what respondents did, joined by respondent id ------------
    c("behaviour_unknown_ids", "a behaviour file whose ids are mostly not survey respondents (the wrong id column)",
      with_behaviour([["r01", "1", "0"], ["c07", "0", "1"], ["c08", "2", "0"], ["r03", "0", "0"]]),
      "client 'behaviour_unknown_ids', file 'behaviour.csv', column 'resp_id', rows 3, 4: 2 of 4 ids are not "
      "respondents of the survey (e.g. 'c07', 'c08'), more than behaviour.max_unknown = 0.05 allows; is "
      "'behaviour.id' the survey's respondent id?"),
    c("behaviour_unknown_id_tolerated", "one unknown id within a declared tolerance is kept and counted",
      with_behaviour([["r01", "1", "0"], ["r02", "0", "1"], ["r03", "2", "0"], ["x99", "0", "1"]],
                     "  max_unknown: 0.25\n"),
      {"ok": True, "accounting": BASE_ACCOUNTING,
       "values": {"behaviour.respondent": ["r01", "r02", "r03", "x99"],
                  "behaviour.matched": [True, True, True, False], "behaviour.referrals": [1.0, 0.0, 2.0, 0.0]}}),
    c("behaviour_duplicate_ids", "the same respondent twice in the behaviour file",
      with_behaviour([["r01", "1", "0"], ["r02", "0", "1"], ["r01", "2", "0"]]), "client 'behaviour_duplicate_ids', file 'behaviour.csv', column 'resp_id', rows 2, 4: duplicate respondent "
      "id 'r01': the behaviour file holds one row per respondent"),
    c("behaviour_count_not_numeric", "a count written as a word",
      with_behaviour([["r01", "1", "0"], ["r02", "two", "1"], ["r03", "0", "0"]]), "client 'behaviour_count_not_numeric', file 'behaviour.csv', column 'referrals', row 3: behaviour column "
      "'referrals' is declared kind count, so it must hold whole numbers of 0 or more (or be blank); found 'two'"),
]


# ---------------------------------------------------------------------------
def case_files(case: Case) -> dict[str, bytes]:
    """The files of ``case`` as bytes (without the expected file)."""
    files = copy.deepcopy(base_files())
    for mutate in case.mutations:
        mutate(files)
    out = {}
    for name, content in files.items():
        if isinstance(content, Table):
            out[name] = content.to_bytes()
        elif isinstance(content, str):
            out[name] = content.encode("utf-8")
        else:
            out[name] = content
    if isinstance(case.expected, str):
        out["expected.txt"] = (case.expected + "\n").encode("utf-8")
    else:
        out["expected.json"] = (json.dumps(case.expected, indent=2, sort_keys=True,
                                           ensure_ascii=False) + "\n").encode("utf-8")
    return out


def write_case(case: Case, root: Path) -> Path:
    """Write ``case`` as ``root/<case.name>/`` (replacing what was there)."""
    folder = Path(root) / case.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in sorted(case_files(case).items()):
        (folder / name).write_bytes(data)
    return folder


def get_case(name: str) -> Case:
    return next(k for k in CASES if k.name == name)


def main(root: Path = HERE) -> None:
    names = [k.name for k in CASES]
    assert len(set(names)) == len(names), "case names must be unique"
    for old in sorted(p for p in root.iterdir() if p.is_dir()):
        if ((old / "expected.txt").exists() or (old / "expected.json").exists()) and old.name not in names:
            shutil.rmtree(old)  # a case that was removed from the list
    for case in CASES:
        folder = root / case.name
        if case.committed:
            write_case(case, root)
        elif folder.exists():
            shutil.rmtree(folder)
    print(f"wrote {sum(k.committed for k in CASES)} cases to {root} "
          f"({sum(not k.committed for k in CASES)} generated by the tests only)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
