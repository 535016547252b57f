"""Shared fixtures: a throw-away project folder with test clients, built once per session."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "fixtures" / "tiny_client"
XSS = "<script>alert(1)</script> Mail me at jane.doe@example.com or call +44 20 7946 0958, great coffee"


@contextmanager
def project_root(root: Path):
    """Point ``CEM_PROJECT_ROOT`` at ``root`` for the block (the previous value is restored)."""
    old = os.environ.get("CEM_PROJECT_ROOT")
    os.environ["CEM_PROJECT_ROOT"] = str(root)
    try:
        yield root
    finally:
        if old is None:
            os.environ.pop("CEM_PROJECT_ROOT", None)
        else:
            os.environ["CEM_PROJECT_ROOT"] = old


def make_client(root: Path, name: str, cfg: dict, files: dict, extra_files: dict | None = None):
    """Write a client folder under ``root/data/raw`` and load it.

    ``files`` maps CSV names to DataFrames, ``extra_files`` other file names to their text;
    ``cfg`` becomes ``client.yaml``.
    """
    from cem_research.client.data import load_client

    folder = root / "data" / "raw" / name
    folder.mkdir(parents=True, exist_ok=True)
    for fname, frame in files.items():
        frame.to_csv(folder / fname, index=False)
    for fname, text in (extra_files or {}).items():
        (folder / fname).write_text(text)
    (folder / "client.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    with project_root(root):
        return load_client(name, raw_root=root / "data" / "raw")


def run_captured(section, data, monkeypatch):
    """``section.run(data)`` with what it shows and records captured: ``(result, shown, recorded)``."""
    from cem_research.present import findings as fnd
    from cem_research.present import show as show_mod

    shown, recorded = [], []
    monkeypatch.setattr(show_mod, "display_all", lambda items, cfg=None: shown.extend(items))
    monkeypatch.setattr(fnd, "record", lambda *a, **k: recorded.append(("record", a, k)))
    monkeypatch.setattr(fnd, "skip", lambda *a, **k: recorded.append(("skip", a, k)))
    return section.run(data), shown, recorded


def code_notebook(path: Path, cells: list[str]) -> Path:
    """A Python notebook at ``path``: a parameters cell (``client = None``), then one code cell per string."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("client = None", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def survivors_of_kill(proc, procs: list, timeout: float) -> list:
    """``kill -9`` the process ``proc`` (a ``subprocess.Popen``) and return those of ``procs`` (psutil
    processes it started) still running ``timeout`` seconds later; a zombie counts as ended."""
    import signal

    import psutil

    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def run_notebook(notebook: Path, output: Path, parameters: dict) -> Path:
    """Execute ``notebook`` into ``output`` with papermill as the runner does, in this test session's warm
    kernel (:mod:`cem_research.run.warm`; ``tests/test_warm.py`` holds warm runs to cold ones), so a test
    pays no kernel start-up; after a failure the next notebook gets a fresh kernel."""
    from cem_research.run import warm
    from cem_research.run.pipeline import list_notebooks

    try:
        warm.warm_kernel("tests", list_notebooks(REPO)).run(str(notebook), str(output), parameters)
    except Exception:
        warm.discard_kernel()
        raise
    return output


def make_project(root: Path, clients: dict[str, Path], notebooks: Path | None = None) -> Path:
    """A project folder at ``root``: ``notebooks`` (symlink) and ``data/raw/<name>`` copies."""
    root.mkdir(parents=True, exist_ok=True)
    nb = root / "notebooks"
    if notebooks is None:
        nb.symlink_to(REPO / "notebooks", target_is_directory=True)
    else:
        shutil.copytree(notebooks, nb)
    for name, src in clients.items():
        shutil.copytree(src, root / "data" / "raw" / name)
        (root / "data" / "raw" / name / "truth.json").unlink(missing_ok=True)
    return root


def inject_verbatim(folder: Path, text: str = XSS) -> None:
    """Append a verbatim (as the first own-brand respondent) to a client's feedback file."""
    import pandas as pd

    cfg = yaml.safe_load((folder / "client.yaml").read_text())
    fb = cfg["feedback"]
    path = folder / fb["file"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = frame.iloc[0].copy()
    row[fb["text"]] = text
    frame = pd.concat([frame, row.to_frame().T], ignore_index=True)
    frame.to_csv(path, index=False)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory):
    """Run the whole pipeline once for the tiny test client (with an injected hostile verbatim)
    and for a client whose survey breaks the contract."""
    from cem_research.run.pipeline import Runner

    old = os.environ.get("CEM_PROJECT_ROOT")
    root = make_project(tmp_path_factory.mktemp("project"), {"tiny": TINY, "broken": TINY})
    inject_verbatim(root / "data" / "raw" / "tiny")
    cfg = yaml.safe_load((root / "data" / "raw" / "broken" / "client.yaml").read_text())
    survey = root / "data" / "raw" / "broken" / cfg["survey"]["file"]
    lines = survey.read_text().splitlines()
    header = lines[0].split(",")
    item = next(iter(cfg["constructs"].values()))["items"][0]
    item = item["name"] if isinstance(item, dict) else item
    col = header.index(item)
    cells = lines[3].split(",")
    cells[col] = "99"
    lines[3] = ",".join(cells)
    survey.write_text("\n".join(lines) + "\n")
    messages: list[str] = []
    outcomes = Runner(root, jobs=2, echo=messages.append).run()
    yield {"root": root, "outcomes": {o.client: o for o in outcomes}, "messages": messages,
           "broken_item": item}
    if old is None:
        os.environ.pop("CEM_PROJECT_ROOT", None)
    else:
        os.environ["CEM_PROJECT_ROOT"] = old


@pytest.fixture(scope="session")
def fitness_project(tmp_path_factory):
    """The fitness_club demo client (it plants every optional method) in a throw-away project:
    ``{"root", "data", "truth"}``; read-only for the tests that share it."""
    from cem_research.client.data import load_client

    root = tmp_path_factory.mktemp("fitness_project")
    shutil.copytree(REPO / "data" / "raw" / "fitness_club", root / "data" / "raw" / "fitness_club")
    (root / "notebooks").symlink_to(REPO / "notebooks", target_is_directory=True)
    with project_root(root):
        data = load_client("fitness_club", raw_root=root / "data" / "raw")
    truth = json.loads((root / "data" / "raw" / "fitness_club" / "truth.json").read_text())
    return {"root": root, "data": data, "truth": truth}


#: The four demo clients (data/raw).
DEMO = ["coffee_house", "fitness_club", "hotel_group", "software_vendor"]


#: Bad-input cases (tests/bad_inputs/) that once stopped every client's run (issue 16, "high"): built
#: beside the demo clients by :func:`demo_reports`, each must fail alone with its one-line reason.
HIGH_CASES = ["survey_date_zone_in_one_row", "column_named_row_marker", "encoding_rot13", "yaml_alias_bomb",
              "item_named_weight"]


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory):
    """The four demo clients' reports, built once in a throw-away project (its root), in one run with the
    :data:`HIGH_CASES` broken clients beside them (as `make reports` would meet them)."""
    from cem_research.run.pipeline import Runner

    clients = {c: REPO / "data" / "raw" / c for c in DEMO}
    clients.update({c: REPO / "tests" / "bad_inputs" / c for c in HIGH_CASES})
    root = make_project(tmp_path_factory.mktemp("demo_reports"), clients)
    for c in HIGH_CASES:
        (root / "data" / "raw" / c / "expected.txt").unlink()
    with project_root(root):
        outcomes = Runner(root, jobs=2, echo=lambda m: None).run()
    bad = [o.error for o in outcomes if not o.ok and o.client in DEMO]
    assert not bad, bad
    return root


#: The real ECSI bank survey (read-only, never copied into the project).
ECSI = Path("/work/shared/external/ecsi-satisfaction/satisfaction.csv")
if not ECSI.exists():
    ECSI = REPO.parent / "shared" / "external" / "ecsi-satisfaction" / "satisfaction.csv"
#: The clients every section runs over: the demo clients, the tiny test client and the ECSI bank survey.
SECTION_CLIENTS = ["coffee_house", "software_vendor", "hotel_group", "fitness_club", "tiny_client", "ecsi_bank"]


@pytest.fixture(scope="session")
def clients(tmp_path_factory):
    """Each of :data:`SECTION_CLIENTS` processed once into a throw-away project: name -> ClientData."""
    from cem_research.client.data import load_client

    root = tmp_path_factory.mktemp("sections")
    raw = root / "data" / "raw"
    for name in SECTION_CLIENTS[:4]:
        shutil.copytree(REPO / "data" / "raw" / name, raw / name)
    shutil.copytree(TINY, raw / "tiny_client")
    if ECSI.exists():
        folder = raw / "ecsi_bank"
        folder.mkdir(parents=True)
        cfg = yaml.safe_load((REPO / "tests" / "fixtures" / "ecsi_bank" / "client.yaml").read_text())
        cfg["survey"] = {"file": "satisfaction.csv"}  # the export as it is: no id, no wave
        (folder / "client.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        shutil.copy(ECSI, folder / "satisfaction.csv")
    loaded = {}
    with project_root(root):
        for name in SECTION_CLIENTS:
            if (raw / name).exists():
                loaded[name] = load_client(name, raw_root=raw)
    return loaded


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's package) driven by Playwright; the test is skipped without it."""
    from cem_research.present.pdf import FLAGS, find_browser

    if find_browser() is None:
        pytest.skip("no Chromium on this machine: `make browser` (root) or apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_browser(), args=[f for f in FLAGS if f != "--headless"])
        yield b
        b.close()
