"""The bad-input corpus (``tests/bad_inputs/``) and the "nothing lost" guarantees.

Each folder in ``tests/bad_inputs/`` is a small client that breaks the contract in one way
(``expected.txt``: the exact one-line refusal) or that must be handled in a documented way
(``expected.json``).  ``tests/bad_inputs/make_cases.py`` writes them all from one valid base
client; ``test_corpus_matches_generator`` keeps the committed folders and the script in step.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cem_research.client.config import check_client_name, load_config
from cem_research.client.contract import read_client
from cem_research.client.errors import ContractError, ContractWarning
from cem_research.client.paths import find_raw_dir, processed_dir

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
PROJECT = CORPUS.parent.parent

_spec = importlib.util.spec_from_file_location("bad_inputs_make_cases", CORPUS / "make_cases.py")
make_cases = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
if not hasattr(make_cases, "CASES"):  # tests/test_config.py may have loaded it already
    _spec.loader.exec_module(make_cases)

CASES = {c.name: c for c in make_cases.CASES}
REFUSED = sorted(n for n, c in CASES.items() if isinstance(c.expected, str))
HANDLED = sorted(n for n, c in CASES.items() if not isinstance(c.expected, str))


def case_folder(name: str, tmp_path: Path) -> Path:
    """The committed folder of a case, or (``committed=False``) one generated into ``tmp_path``."""
    case = CASES[name]
    if case.committed:
        return CORPUS / name
    return make_cases.write_case(case, tmp_path)


def read(folder: Path):
    cfg = load_config(folder)
    return cfg, read_client(cfg)


# ---------------------------------------------------------------------------
# the corpus itself
def test_corpus_is_big_enough():
    assert len(CASES) >= 28
    assert len(REFUSED) >= 20 and len(HANDLED) >= 8


def test_corpus_matches_generator():
    """Committed folders are exactly what make_cases.py writes (byte-stable, nothing stale)."""
    committed = {n for n, c in CASES.items() if c.committed}
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert on_disk == committed, "run: python tests/bad_inputs/make_cases.py"
    for name in sorted(committed):
        want = make_cases.case_files(CASES[name])
        have = {p.name: p.read_bytes() for p in (CORPUS / name).iterdir()}
        assert sorted(have) == sorted(want), name
        for file, data in want.items():
            assert have[file] == data, f"{name}/{file} differs: run python tests/bad_inputs/make_cases.py"


def test_generator_is_deterministic():
    for case in make_cases.CASES:
        assert make_cases.case_files(case) == make_cases.case_files(case), case.name


def test_large_case_is_not_committed():
    assert not (CORPUS / "long_verbatim_1mb").exists()
    assert max(p.stat().st_size for p in CORPUS.glob("*/*") if p.is_file()) < 20_000


# ---------------------------------------------------------------------------
# refused cases: the exact one-line message
@pytest.mark.parametrize("name", REFUSED)
def test_refused(name, tmp_path):
    folder = case_folder(name, tmp_path)
    expected = (folder / "expected.txt").read_text(encoding="utf-8")
    assert expected.endswith("\n") and expected.count("\n") == 1
    with pytest.raises(ContractError) as info:
        read(folder)
    err = info.value
    message = str(err)
    assert message == expected.rstrip("\n")
    assert "\n" not in message and "\r" not in message
    assert err.client == name
    assert err.file, "every refusal of a client folder names a file"
    assert message.startswith(f"client '{name}', file '{err.file}'")
    if err.column:
        assert f"column '{err.column}'" in message
    if err.rows:
        assert all(r >= 1 for r in err.rows)
        assert ("row " if len(err.rows) == 1 else "rows ") + str(err.rows[0]) in message


def _values(cfg, raw, key: str) -> list:
    table, column = key.split(".", 1)
    if table == "ratings":
        from cem_research.client.processing import score_constructs

        frame = score_constructs(cfg, raw.ratings) if column in cfg.constructs else raw.ratings
    else:
        frame = getattr(raw, table)
    if column == "text_length":
        return frame["text"].str.len().tolist()
    if pd.api.types.is_datetime64_any_dtype(frame[column]):  # timestamps as ISO 8601 text
        return [None if pd.isna(t) else t.isoformat() for t in frame[column]]
    return frame[column].tolist()


def _same(got, want) -> bool:
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got)) or got is pd.NA
    if isinstance(want, float):
        return isinstance(got, (int, float)) and math.isclose(got, want, abs_tol=1e-6)
    return got == want


# ---------------------------------------------------------------------------
# handled cases: read, with the documented handling
@pytest.mark.parametrize("name", HANDLED)
def test_handled(name, tmp_path):
    folder = case_folder(name, tmp_path)
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert expected.pop("ok") is True
    if "warnings" in expected:  # read, with one warning line each (kept in raw.warnings too)
        with pytest.warns(ContractWarning) as caught:
            cfg, raw = read(folder)
        want = expected.pop("warnings")
        assert raw.warnings == want
        assert [str(w.message) for w in caught if issubclass(w.category, ContractWarning)] == want
    else:
        cfg, raw = read(folder)
        assert raw.warnings == []
    accounting = {a.file: {"read": a.read, "kept": a.kept, "excluded": a.excluded} for a in raw.accounting}
    for a in raw.accounting:  # nothing lost: every row read is kept or excluded with a reason
        assert a.read == a.kept + sum(a.excluded.values()), a
    if "accounting" in expected:
        assert accounting == expected.pop("accounting")
    if "extra_columns" in expected:
        assert raw.extra_columns == expected.pop("extra_columns")
    if "excluded" in expected:
        total: dict[str, int] = {}
        for a in raw.accounting:
            for reason, n in a.excluded.items():
                total[reason] = total.get(reason, 0) + n
        assert total == expected.pop("excluded")
    if "missing_answers" in expected:
        assert raw.missing_answers == expected.pop("missing_answers")
    assert raw.missing_codes == expected.pop("missing_codes", {})
    if "missing_scores" in expected:
        from cem_research.client.processing import score_constructs

        scored = score_constructs(cfg, raw.ratings)
        assert {c: int(scored[c].isna().sum()) for c in cfg.constructs} == expected.pop("missing_scores")
    if "waves" in expected:
        assert raw.waves == expected.pop("waves")
    if "segments" in expected:
        assert cfg.segments == expected.pop("segments")
    for key, want in expected.pop("values", {}).items():
        got = _values(cfg, raw, key)
        assert len(got) == len(want), key
        assert all(_same(g, w) for g, w in zip(got, want)), (key, got, want)
    assert not expected, f"unchecked expectations: {sorted(expected)}"


def test_nan_items_score_rule(tmp_path):
    """Half rule: 2 of 3 answered -> mean of the two; 1 of 3 -> missing; the answers stay NaN."""
    from cem_research.client.processing import score_constructs

    cfg, raw = read(CORPUS / "nan_items")
    scored = score_constructs(cfg, raw.ratings)
    first = scored.iloc[0]  # r01 W1: sens1 blank, sens2 = 5, sens3r = 2 -> reversed 6
    assert math.isnan(first["sens1"]) and first["sensory"] == pytest.approx((5 + 6) / 2)
    assert math.isnan(scored.iloc[1]["sensory"])  # r02 W1: only sens3r answered
    assert len(scored) == 9  # no row dropped for missing answers


def test_long_verbatim_is_kept_whole(tmp_path):
    folder = case_folder("long_verbatim_1mb", tmp_path)
    assert (folder / "feedback.csv").stat().st_size > 1_048_576
    _, raw = read(folder)
    assert raw.feedback["text"].iloc[1] == make_cases._long_text()


def test_unicode_round_trips_exactly():
    cfg, raw = read(CORPUS / "unicode_text")
    assert raw.feedback["text"].tolist() == make_cases.UNICODE_TEXTS
    assert cfg.segments["usage"] == "利用頻度 / معدل الاستخدام 📊"


def test_yaml_tag_executes_nothing(tmp_path, capfd):
    # the committed case: `echo hacked` would print if the tag were constructed
    with pytest.raises(ContractError, match="YAML tag refused"):
        load_config(CORPUS / "yaml_python_tag")
    assert "hacked" not in capfd.readouterr().out
    # a variant whose command would leave a file behind
    folder = tmp_path / "tagged"
    shutil.copytree(CORPUS / "valid_base", folder)
    marker = tmp_path / "HACKED"
    text = (folder / "client.yaml").read_text(encoding="utf-8")
    (folder / "client.yaml").write_text(
        text.replace("name: Test Brew Coffee",
                     f'name: !!python/object/apply:os.system ["touch {marker}"]'), encoding="utf-8")
    with pytest.raises(ContractError, match="YAML tag refused at line 2"):
        load_config(folder)
    assert not marker.exists()


# ---------------------------------------------------------------------------
# client names that could leave the project's folders
BAD_NAMES = ["../etc", "a/b", "..", ".", "a\\b", "/etc", ".hidden", "a b", "-rf", "x" * 65,
             "acme\n", "acme\r\n", "acme\x00"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_client_name_refused(name):
    want = (f"client name {name!r} is not allowed: use letters, digits, '_' and '-' only "
            "(no '..', '/' or spaces), so no path can leave the project's folders")
    for call in (lambda: check_client_name(name),
                 lambda: find_raw_dir(name, CORPUS),
                 lambda: load_config(CORPUS / "valid_base", client=name),
                 lambda: processed_dir(name, Path("/nonexistent"))):
        with pytest.raises(ContractError) as info:
            call()
        assert str(info.value) == want


def test_client_name_from_folder_refused(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(ContractError, match=r"client name '\.\.' is not allowed"):
        load_config(tmp_path / "x" / "..")


def test_client_name_blank_or_not_text_refused():
    for name in ("", None, 3):
        with pytest.raises(ContractError, match="is not allowed"):
            check_client_name(name)


def test_client_name_allowed():
    assert check_client_name("Acme_2025-b") == "Acme_2025-b"
    assert find_raw_dir("valid_base", CORPUS) == CORPUS / "valid_base"


# ---------------------------------------------------------------------------
# the command line: one line on stderr, exit code 1, no traceback (unless --debug)
CLI_CASES = ["missing_survey_file", "out_of_scale", "cp1252_undeclared", "yaml_python_tag", "typo_under_kano",
             "typo_under_modules", "typo_under_promises", "typo_under_weighting", "main_outcome_not_declared",
             "yaml_alias_bomb", "line_break_unquoted", "encoding_rot13"]
CLI_RUNS = {
    **{name: ("check", "--raw-root", str(CORPUS), "--client", name) for name in CLI_CASES},
    "ok_and_bad_name": ("check", "--raw-root", str(CORPUS), "--client", "valid_base", "--client", "../etc"),
    "debug": ("--debug", "check", "--raw-root", str(CORPUS), "--client", "out_of_scale"),
}


@pytest.fixture(scope="module", autouse=True)
def _cli_started(request):
    """Start every CLI run of this module when the module starts, if any CLI test is selected.

    Each run pays the interpreter and pandas start-up; they run in the background while the
    in-process tests above run.
    """
    wanted = any("cli_runs" in getattr(item, "fixturenames", ()) for item in request.session.items)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("CEM_DEBUG", None)
    procs = {key: subprocess.Popen([sys.executable, "-m", "cem_research", *args], cwd=PROJECT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   encoding="utf-8")
             for key, args in CLI_RUNS.items()} if wanted else {}
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@pytest.fixture(scope="module")
def cli_runs(_cli_started) -> dict[str, subprocess.CompletedProcess]:
    done = {}
    for key, proc in _cli_started.items():
        out, err = proc.communicate(timeout=120)
        done[key] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_check_refuses_in_one_line(name, cli_runs):
    expected = (CORPUS / name / "expected.txt").read_text(encoding="utf-8").rstrip("\n")
    done = cli_runs[name]
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "hacked" not in done.stdout
    lines = done.stderr.splitlines()
    assert lines == [f"error: {expected}"]
    line = lines[0]
    assert f"client '{name}'" in line and "file '" in line
    if name in ("out_of_scale", "cp1252_undeclared"):
        assert "column '" in line and " row" in line


def test_cli_check_ok_and_bad_name(cli_runs):
    done = cli_runs["ok_and_bad_name"]
    assert done.stdout == ("ok valid_base: survey.csv 6/6 rows kept, competitor_ratings.csv 3/3 rows kept, "
                           "feedback.csv 4/4 rows kept, touchpoints.csv 5/5 rows kept\n")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "error: client '../etc': client name '../etc' is not allowed: use letters, digits, '_' and '-' only "
        "(no '..', '/' or spaces), so no path can leave the project's folders"]


def test_cli_debug_shows_traceback(cli_runs):
    done = cli_runs["debug"]
    assert done.returncode == 1
    assert "Traceback" in done.stderr


# ---------------------------------------------------------------------------
# nothing lost
def _project(tmp_path: Path, monkeypatch, case: str = "valid_base", name: str = "acme") -> Path:
    """A tmp project root holding ``case`` as data/raw/<name> (expected.* removed)."""
    raw = tmp_path / "data" / "raw" / name
    shutil.copytree(CORPUS / case, raw, ignore=shutil.ignore_patterns("expected.*"))
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setenv("CEM_PROJECT_ROOT", str(tmp_path))
    return raw


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_raw_files_are_never_modified(tmp_path, monkeypatch):
    from cem_research.client.processing import process_client

    raw = _project(tmp_path, monkeypatch)
    before = _snapshot(raw)
    meta = process_client("acme")
    assert meta["rebuilt"] is True
    assert process_client("acme")["rebuilt"] is False
    assert process_client("acme", force=True)["rebuilt"] is True
    assert _snapshot(raw) == before  # same files, same bytes, not even touched
    assert meta["checksums"] == {k: v[0] for k, v in before.items()}


def test_processed_tables_are_written_atomically(tmp_path, monkeypatch):
    from cem_research.client.processing import process_client

    _project(tmp_path, monkeypatch)
    out = tmp_path / "data" / "processed" / "acme"
    process_client("acme")
    good = _snapshot(out)
    assert {"ratings.parquet", "feedback.parquet", "touchpoints.parquet", "meta.json"} <= set(good)

    real = pd.DataFrame.to_parquet
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(args[0] if args else kwargs.get("path"))
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    with pytest.raises(OSError, match="simulated"):
        process_client("acme", force=True)
    assert len(calls) == 2
    assert _snapshot(out) == good  # the previous build is intact
    assert sorted(p.name for p in out.parent.iterdir()) == ["acme"]  # no temp or .old folders left

    # a first build that fails leaves nothing behind
    shutil.rmtree(out)
    calls.clear()
    with pytest.raises(OSError, match="simulated"):
        process_client("acme")
    assert list(out.parent.iterdir()) == []


def test_every_row_read_is_accounted_for(tmp_path, monkeypatch):
    from cem_research.client.processing import process_client

    _project(tmp_path, monkeypatch, case="blank_verbatims")
    meta = process_client("acme")
    accounting = {a["file"]: a for a in meta["accounting"]}
    assert set(accounting) == {"survey.csv", "competitor_ratings.csv", "feedback.csv", "touchpoints.csv"}
    for a in accounting.values():
        assert a["read"] == a["kept"] + sum(a["excluded"].values()), a
    assert accounting["feedback.csv"]["excluded"] == {"blank comment": 2}
    out = tmp_path / "data" / "processed" / "acme"
    ratings = pd.read_parquet(out / "ratings.parquet")
    assert len(ratings) == accounting["survey.csv"]["kept"] + accounting["competitor_ratings.csv"]["kept"]
    assert len(pd.read_parquet(out / "feedback.parquet")) == accounting["feedback.csv"]["kept"]
    assert len(pd.read_parquet(out / "touchpoints.parquet")) == accounting["touchpoints.csv"]["kept"]
    # rows read = data rows in the files
    raw = tmp_path / "data" / "raw" / "acme"
    for file, a in accounting.items():
        lines = [ln for ln in (raw / file).read_text(encoding="utf-8").splitlines()[1:] if ln.strip()]
        assert a["read"] == len(lines), file


def test_survey_without_id_and_wave_columns(tmp_path):
    """A bare survey export (no id, no wave): one respondent per row, one wave 'all'."""
    import yaml as _yaml

    from cem_research.client.config import load_config
    from cem_research.client.contract import read_client

    folder = tmp_path / "bare"
    shutil.copytree(CORPUS / "valid_base", folder, ignore=shutil.ignore_patterns("expected.*"))
    cfg = _yaml.safe_load((folder / "client.yaml").read_text())
    for key in ("id", "wave"):
        cfg["survey"].pop(key)
    cfg.pop("competitor_ratings", None)
    cfg.pop("waves", None)
    (folder / "client.yaml").write_text(_yaml.safe_dump(cfg, sort_keys=False))
    raw = read_client(load_config(folder))
    assert set(raw.ratings["wave"]) == {"all"} and raw.waves == ["all"]
    assert raw.ratings["respondent"].is_unique
    assert raw.accounting[0].kept == raw.accounting[0].read
