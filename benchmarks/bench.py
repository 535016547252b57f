"""Benchmark the pipeline at growing client sizes against what it cannot go below.

``python -m benchmarks.bench`` (``make bench``) builds a throw-away project folder (a
temporary folder; ``notebooks`` is a symlink to the project's notebooks), writes one seeded
demo client per size with :func:`datasets.demo.generate_client`, and measures:

* per size: the full pipeline (``Runner(...).run()`` for that client) — wall time, time per
  stage and per notebook, and peak memory of the runner process *and all its descendants*
  (pool workers, Jupyter kernels); the processing stage (contract read + construct scoring,
  sentiment); and sentiment scoring on its own (cold with ``n_jobs``, then warm with the
  returned cache, which must score nothing);
* the floors: (a) *kernel-and-import floor* — papermill executing, with the runner's own
  machinery and parallelism, as many notebooks as the real set, each of which only runs the
  real notebook's parameters cell and imports (parsed from the notebook) plus the heavy
  libraries the package uses; (b) *sentiment floor* — NLTK's VADER scoring the same
  verbatims in one plain Python loop;
* a no-op ``python -m cem_research run`` (nothing changed) as a subprocess, and selective
  rebuilds: touching a raw file, changing one client's raw data, changing one notebook.

Results go to ``reports/bench/bench.json`` and a short table in ``reports/bench/bench.md``.

Memory
------
Every measured stage runs in a child process of the bench.  A sampler thread in the bench
reads, every 0.2 s, the process tree of that child (``psutil``: the child and all its
descendants) and records the peak of the *sum of RSS* over the tree (conservative:
copy-on-write pages shared by forked workers are counted once per process) and the peak of
the *sum of PSS* (``/proc/<pid>/smaps_rollup``: shared pages split between the processes
sharing them — the tree's real footprint).  The child also reports
``getrusage(RUSAGE_SELF).ru_maxrss`` and ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (the
largest single descendant), as a cross-check that needs no sampling.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_SIZES = (1_000, 10_000, 100_000, 300_000)
QUICK_SIZES = (300, 3_000)
TEMPLATE = "coffee_house"
DEMO_SIZE = 1_000
BIG_SIZE = 300_000
SCHEMA = "cem-research-bench/1"

#: Libraries every floor notebook imports besides the real notebook's own imports: what the
#: package's step modules pull in while a notebook runs.
FLOOR_LIBRARIES = ("numpy", "pandas", "scipy.stats", "pyarrow.parquet", "matplotlib.pyplot",
                   "seaborn", "pingouin", "nltk", "cem_research.stats", "cem_research.text",
                   "cem_research.present.plots", "cem_research.client.data")

TARGETS = {
    "sentiment_speedup": "sentiment cold run with n_jobs = 2 at least 1.7x faster than the single-loop floor",
    "sentiment_warm_scores_none": "warm re-run with the returned cache scores 0 texts",
    "demo_pipeline_vs_kernel_floor": "pipeline for a demo-size client (~1000 respondents) at most 1.5x the "
                                     "kernel-and-import floor",
    "growth_slope": "pipeline time grows linearly or better with respondents (log-log slope <= 1.1)",
    "big_client_time": "300k-respondent client: full pipeline under 5 min",
    "big_client_memory": "300k-respondent client: peak memory (runner + kernels + workers) under 6 GB",
    "noop_run": "no-op `python -m cem_research run` under 2 s",
    "selective_rebuild": "changed raw file -> only that client rebuilds; changed notebook -> only that "
                         "notebook re-runs for each client, plus the reports",
}

_NB_LINE = re.compile(r"^\[\d+/\d+\] ✓ (\S+) (\S+\.ipynb) \(([\d.]+) s\)$")


# ---------------------------------------------------------------------------------------------
# machine and environment
def machine_info() -> dict:
    """CPU, memory, versions and load of this machine (the figures only mean something with it)."""
    import numpy
    import pandas

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    versions = {"python": platform.python_version(), "pandas": pandas.__version__, "numpy": numpy.__version__}
    for mod in ("papermill", "nltk", "pyarrow", "pandera"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - informational only
            versions[mod] = None
    from cem_research import __version__

    versions["cem_research"] = __version__
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {"cpu_count": os.cpu_count(), "cpus_usable": affinity, "cpu_model": model, "memory_gb": mem_gb,
            "platform": platform.platform(), "versions": versions,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_average_start": _load()}


def _git_state(folder: Path) -> dict:
    """Commit and number of changed files of the checkout holding ``folder`` (if it is one)."""
    def git(*args):
        try:
            r = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=20)
            return r.stdout.strip() if r.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            return None

    status = git("status", "--porcelain")
    return {"git_commit": git("rev-parse", "HEAD"),
            "git_changed_files": None if status is None else len(status.splitlines())}


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# memory of a process tree
def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak summed RSS and PSS of a process and all its descendants, sampled every ``interval`` s."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.peak_at = 0.0
        self.timeline: list[tuple[float, float, float, int]] = []  # seconds, RSS MB, PSS MB, processes
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        t0 = time.perf_counter()
        while not self._stop_event.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss = pss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    continue
                pss += _pss_kb(p.pid) * 1024
            now = time.perf_counter() - t0
            if rss > self.peak_rss:
                self.peak_rss, self.peak_at = rss, now
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, len(procs))
            self.timeline.append((round(now, 1), round(rss / 2 ** 20), round(pss / 2 ** 20), len(procs)))
            self._stop_event.wait(self.interval)

    def stop(self) -> dict:
        self._stop_event.set()
        self.join()
        step = max(1, len(self.timeline) // 120)  # at most ~120 points
        return {"peak_rss_mb": round(self.peak_rss / 2 ** 20, 1), "peak_pss_mb": round(self.peak_pss / 2 ** 20, 1),
                "peak_processes": self.peak_procs, "peak_rss_at_seconds": round(self.peak_at, 1),
                "timeline": self.timeline[::step]}


# ---------------------------------------------------------------------------------------------
# child processes: every measured stage runs in one, so that its memory can be measured alone
def run_child(kind: str, spec: dict, workdir: Path, env: dict | None = None) -> dict:
    """Run ``python -m benchmarks.bench _child <kind>`` and sample its process tree."""
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = f"{kind}-{time.time_ns()}"
    spec_path, out_path = workdir / f"{stamp}.spec.json", workdir / f"{stamp}.result.json"
    log_path = workdir / f"{stamp}.log"
    spec_path.write_text(json.dumps({**spec, "result": str(out_path)}))
    env = {**os.environ, **(env or {})}
    # the harness lives outside the installed package: let the child find it from any folder
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bench", "_child", kind, str(spec_path)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=spec.get("cwd"))
        sampler = TreeSampler(proc.pid)
        sampler.start()
        rc = proc.wait()
    memory = sampler.stop()
    wall = time.perf_counter() - t0
    if rc != 0 or not out_path.exists():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"bench child {kind!r} failed (exit {rc}); last lines of {log_path}:\n{tail}")
    result = json.loads(out_path.read_text())
    result["memory"] = {**memory, **result.pop("rusage", {})}
    result["child_wall_seconds"] = round(wall, 3)
    return result


def _rusage() -> dict:
    import resource

    def mb(who):  # ru_maxrss is in KiB on Linux
        return round(resource.getrusage(who).ru_maxrss / 1024, 1)

    return {"ru_maxrss_self_mb": mb(resource.RUSAGE_SELF), "ru_maxrss_children_mb": mb(resource.RUSAGE_CHILDREN)}


def _child_pipeline(spec: dict) -> dict:
    """Run the pipeline for ``spec['clients']`` and time its stages."""
    root = Path(spec["root"])
    os.environ["CEM_PROJECT_ROOT"] = str(root)
    t_import = time.perf_counter()
    from cem_research.run.pipeline import Runner

    import_seconds = time.perf_counter() - t_import
    events: list[tuple[float, str]] = []

    class TimedRunner(Runner):
        process_seconds: dict = {}
        built: dict = {}
        process_end = 0.0

        def _process(self, outcome):
            t = time.perf_counter()
            meta = super()._process(outcome)
            self.process_end = time.perf_counter()
            self.process_seconds[outcome.client] = round(self.process_end - t, 3)
            if meta:
                self.built[outcome.client] = {k: meta.get(k) for k in
                                              ("built", "timings", "sentiment_scored", "accounting")}
            return meta

    runner = TimedRunner(root, clients=spec["clients"], jobs=spec["jobs"],
                         echo=lambda m: events.append((time.perf_counter(), m)))
    runner.process_seconds, runner.built = {}, {}
    t0 = time.perf_counter()
    outcomes = runner.run()
    t1 = time.perf_counter()
    per_notebook: dict[str, dict[str, float]] = {}
    nb_times = []
    for when, msg in events:
        m = _NB_LINE.match(msg)
        if m:
            per_notebook.setdefault(m.group(1), {})[m.group(2)] = float(m.group(3))
            nb_times.append(when)
    process_end = runner.process_end or t0
    last_nb = max(nb_times) if nb_times else process_end
    timings = {}
    for c in spec["clients"]:
        meta_path = root / "data" / "processed" / c / "meta.json"
        m = runner.built.get(c)  # what the runner's processing stage returned
        if m:
            after = json.loads(meta_path.read_text()).get("built") if meta_path.exists() else None
            timings[c] = {**(m.get("timings") or {}), "sentiment_scored": m.get("sentiment_scored"),
                          "accounting": m.get("accounting"),
                          # a notebook's load_client() rebuilt the tables: the code changed mid-run
                          "rebuilt_during_notebooks": after != m.get("built")}
    return {
        "seconds": round(t1 - t0, 3),
        "import_seconds": round(import_seconds, 3),
        "stages": {"process": round(process_end - t0, 3), "notebooks": round(last_nb - process_end, 3),
                   "report": round(t1 - last_nb, 3)},
        "process_seconds": runner.process_seconds,
        "processing": timings,
        "notebooks": per_notebook,
        "outcomes": {o.client: {"ok": o.ok, "error": o.error, "processed": o.processed,
                                "executed": sorted(o.executed), "report_built": o.report_built}
                     for o in outcomes},
        "messages": [m for _, m in events],
    }


def _child_floor(spec: dict) -> dict:
    """Execute the import-only notebooks with the runner's machinery and parallelism."""
    root = Path(spec["root"])
    os.environ["CEM_PROJECT_ROOT"] = str(root)
    from cem_research.run.pipeline import Runner, Task, list_notebooks

    runner = Runner(root, clients=["floor"], jobs=spec["jobs"], echo=lambda m: None)
    params = {"client": spec["client"], "raw_root": str(root / "data" / "raw"), "wave": None}
    out = root / "reports" / "floor" / "notebooks"
    tasks = [Task("floor", str(nb), str(out / nb.name), params, "floor", str(root)) for nb in list_notebooks(root)]
    t0 = time.perf_counter()
    results = list(runner._execute(tasks))
    seconds = time.perf_counter() - t0
    errors = [err for _, _, err in results if err]
    if errors:
        raise RuntimeError("floor notebook failed: " + errors[0])
    return {"seconds": round(seconds, 3), "notebooks": {Path(t.notebook).name: round(s, 2) for t, s, _ in results}}


def _child_sentiment(spec: dict) -> dict:
    """Cold and warm :func:`score_sentiment` runs and the single-loop VADER floor on the same texts."""
    import numpy as np
    import pandas as pd

    from cem_research.client.processing import SENTIMENT_MAX_CHARS
    from cem_research.text import SENTIMENT_COLUMNS, score_sentiment, sentiment_analyzer

    feedback = pd.read_parquet(Path(spec["processed"]) / "feedback.parquet", columns=["text"])
    texts = feedback["text"].str.slice(0, SENTIMENT_MAX_CHARS)  # what processing scores
    del feedback
    sia = sentiment_analyzer()  # built before any timing: both sides use the same analyzer
    plain = texts.tolist()
    distinct = list(dict.fromkeys(plain))
    ps = sia.polarity_scores

    def timed(fn):
        t0 = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - t0

    # Small sets take a fraction of a second, where a busy machine's noise is as large as the
    # effect: cold run and floor loop are repeated, interleaved, until ~2 s were spent (at most 7
    # times) and the medians compared.
    cold_runs, floor_runs, distinct_runs = [], [], []
    while True:
        (cold, cache), s = timed(lambda: score_sentiment(texts, n_jobs=spec["jobs"]))
        cold_runs.append(s)
        floor, s = timed(lambda: [ps(t) for t in plain])
        floor_runs.append(s)
        _, s = timed(lambda: [ps(t) for t in distinct])
        distinct_runs.append(s)
        if len(cold_runs) >= 7 or sum(cold_runs) + sum(floor_runs) + sum(distinct_runs) > 2.0:
            break
    cold_s, floor_s, distinct_s = (statistics.median(r) for r in (cold_runs, floor_runs, distinct_runs))
    (warm, _), warm_s = timed(lambda: score_sentiment(texts, cache=cache, n_jobs=spec["jobs"]))
    ref = np.array([[s[c] for c in SENTIMENT_COLUMNS] for s in floor], dtype=float).reshape(len(floor), 4)
    diff = float(np.nanmax(np.abs(cold[list(SENTIMENT_COLUMNS)].to_numpy() - ref))) if len(ref) else 0.0
    warm_equal = bool(np.array_equal(cold.to_numpy(), warm.to_numpy(), equal_nan=True))
    return {
        "verbatims": len(plain), "distinct": len(distinct), "n_jobs": spec["jobs"],
        "cold_seconds": round(cold_s, 3), "cold_scored": int(cold.attrs.get("scored", -1)),
        "warm_seconds": round(warm_s, 3), "warm_scored": int(warm.attrs.get("scored", -1)),
        "warm_equals_cold": warm_equal,
        "floor_seconds": round(floor_s, 3), "floor_distinct_seconds": round(distinct_s, 3),
        "repeats": len(cold_runs), "cold_runs": [round(x, 3) for x in cold_runs],
        "floor_runs": [round(x, 3) for x in floor_runs],
        "speedup": round(floor_s / cold_s, 2) if cold_s else None,
        "speedup_over_distinct_loop": round(distinct_s / cold_s, 2) if cold_s else None,
        "max_abs_diff_vs_floor": diff,
    }


def _notebook_script(path: Path, parameters: dict) -> str:
    """A notebook's code cells as one script, the parameters cell replaced by ``parameters``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            parts.append("\n".join(f"{k} = {v!r}" for k, v in parameters.items()))
            continue
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _child_profile(spec: dict) -> dict:
    """Run each notebook's code in this process under cProfile (figures rendered to PNG as the
    inline backend does, rich outputs rendered to HTML) and keep the most expensive functions."""
    import cProfile
    import io as _io
    import pstats

    os.environ["CEM_PROJECT_ROOT"] = spec["root"]
    os.environ.setdefault("MPLBACKEND", "Agg")
    import IPython.display

    def display(*objs, **kwargs):
        for obj in objs:
            if hasattr(obj, "savefig"):
                obj.savefig(_io.BytesIO(), format="png", bbox_inches="tight")
            elif hasattr(obj, "_repr_html_"):
                obj._repr_html_()

    IPython.display.display = display
    out = {}
    for nb in spec["notebooks"]:
        path = Path(nb)
        code = compile(_notebook_script(path, spec["parameters"]), str(path), "exec")
        namespace = {"__name__": "__main__", "display": display}
        os.chdir(path.parent)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        try:
            exec(code, namespace)  # noqa: S102 - the project's own notebook
            error = ""
        except Exception as exc:  # noqa: BLE001 - reported
            error = f"{type(exc).__name__}: {exc}"
        prof.disable()
        wall = time.perf_counter() - t0
        import matplotlib.pyplot as plt

        plt.close("all")
        stats = pstats.Stats(prof)
        rows = []
        for (fn, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
            if "cem_research" in fn and name != "<module>":
                rows.append({"function": f"{Path(fn).stem}.{name}", "line": line,
                             "cumulative_s": round(ct, 2), "own_s": round(tt, 2)})
        rows.sort(key=lambda r: -r["cumulative_s"])
        hot = sorted(((tt, f"{Path(fn).name}:{line}:{name}") for (fn, line, name), (_, _, tt, _, _)
                      in stats.stats.items()), reverse=True)[:8]
        out[path.name] = {"seconds_under_profiler": round(wall, 2), "error": error,
                          "top_package_functions": rows[: spec.get("top", 12)],
                          "top_own_time": [{"where": w, "own_s": round(t, 2)} for t, w in hot]}
    return {"notebooks": out}


_CHILDREN = {"pipeline": _child_pipeline, "floor": _child_floor, "sentiment": _child_sentiment,
             "profile": _child_profile}


def _child_main(kind: str, spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    result = _CHILDREN[kind](spec)
    result["rusage"] = _rusage()
    Path(spec["result"]).write_text(json.dumps(result, indent=1, default=str))
    return 0


# ---------------------------------------------------------------------------------------------
# project folders
def make_project(root: Path, notebooks: Path, copy_notebooks: bool = False) -> Path:
    """An empty project folder: ``data/raw`` and ``notebooks`` (a symlink, or a copy)."""
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    if copy_notebooks:
        shutil.copytree(notebooks, root / "notebooks", symlinks=False)
    else:
        (root / "notebooks").symlink_to(notebooks.resolve(), target_is_directory=True)
    return root


def notebook_imports(path: Path) -> tuple[str, list[str]]:
    """The parameters cell and the import statements of a notebook's code cells (in order)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    params, imports = "", []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            params = cell.source
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # a magic or shell line: not an import anyway
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = ast.unparse(node)
                if line not in imports:
                    imports.append(line)
    return params, imports


def write_floor_notebooks(real: list[Path], folder: Path) -> list[dict]:
    """One import-only notebook per real notebook (same name prefix, same kernel, same parameters)."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for path in real:
        params, imports = notebook_imports(path)
        extra = [f"import {m}" for m in FLOOR_LIBRARIES]
        lines = list(dict.fromkeys(imports + extra))
        src = nbformat.read(path, as_version=4)
        nb = nbformat.v4.new_notebook(metadata=src.metadata)
        p = nbformat.v4.new_code_cell(params or "client = None\nraw_root = None\nwave = None")
        p.metadata["tags"] = ["parameters"]
        nb.cells = [p, nbformat.v4.new_code_cell("\n".join(lines))]
        nbformat.write(nb, folder / f"{path.stem}.ipynb")
        made.append({"notebook": path.name, "imports": lines})
    return made


def _client_name(n: int, template: str) -> str:
    return f"{template}_{n}"


def _dir_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2 ** 20, 1)


def _clean_client(root: Path, client: str) -> None:
    for d in (root / "data" / "processed" / client, root / "reports" / client):
        shutil.rmtree(d, ignore_errors=True)


def _append_verbatim(folder: Path, text: str = "Bench edit: the flat white was excellent today.") -> str:
    """Change a client's raw data: one more comment in its feedback file.  Returns the file name."""
    import pandas as pd
    import yaml

    cfg = yaml.safe_load((folder / "client.yaml").read_text())
    fb = cfg["feedback"]
    path = folder / fb["file"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = frame.iloc[0].copy()
    row[fb.get("text", "comment")] = text
    pd.concat([frame, row.to_frame().T], ignore_index=True).to_csv(path, index=False)
    return path.name


def _touch_notebook(path: Path) -> None:
    """Change one notebook: add a markdown cell at the end."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("*(benchmark: changed notebook)*"))
    nbformat.write(nb, path)


# ---------------------------------------------------------------------------------------------
# measurements
def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _median(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 3) if xs else None


def measure_floor(root: Path, client: str, jobs: int, repeats: int, work: Path) -> dict:
    """The kernel-and-import floor: papermill running the import-only twin notebooks ``repeats`` times
    with the runner's parallelism; median seconds, every run, per-notebook seconds and peak memory."""
    runs = [run_child("floor", {"root": str(root), "client": client, "jobs": jobs}, work) for _ in range(repeats)]
    best = min(runs, key=lambda r: r["seconds"])
    return {"seconds": _median([r["seconds"] for r in runs]), "runs": [r["seconds"] for r in runs],
            "min_seconds": best["seconds"], "notebooks": best["notebooks"],
            "memory": max((r["memory"] for r in runs), key=lambda m: m["peak_rss_mb"])}


def measure_size(root: Path, n: int, template: str, jobs: int, repeats: int, seed: int, work: Path) -> dict:
    """Generate a seeded client of ``n`` respondents and measure it: the full pipeline (median of
    ``repeats`` runs: stages, notebooks, memory, simulated scheduling), the processing stage and
    sentiment scoring cold, warm and against the plain VADER loop."""
    from datasets.demo import generate_client

    client = _client_name(n, template)
    t0 = time.perf_counter()
    folder = generate_client(template, root / "data" / "raw", n_respondents=n, seed=seed, name=client)
    gen_s = time.perf_counter() - t0
    (folder / "truth.json").unlink(missing_ok=True)
    raw_mb = _dir_mb(folder)
    runs = []
    for i in range(repeats):
        if i:
            _clean_client(root, client)
        _log(f"{client}: pipeline run {i + 1}/{repeats}")
        r = run_child("pipeline", {"root": str(root), "clients": [client], "jobs": jobs}, work)
        o = r["outcomes"][client]
        runs.append(r)
        _log(f"{client}: {r['seconds']:.1f} s, peak RSS {r['memory']['peak_rss_mb']:.0f} MB"
             + ("" if o["ok"] else f" — FAILED: {o['error']}"))
        if not o["ok"]:
            break
    med = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    proc = med["processing"].get(client, {})
    accounting = {a["file"]: {"read": a["read"], "kept": a["kept"]} for a in proc.get("accounting") or []}
    secs = med["notebooks"].get(client, {})
    in_order = [secs[k] for k in sorted(secs)]
    scheduling = {"file_order_s": makespan(in_order, jobs),
                  "longest_first_s": makespan(sorted(in_order, reverse=True), jobs),
                  "lower_bound_s": round(max(sum(in_order) / jobs, max(in_order, default=0.0)), 1),
                  "note": "notebook-stage length simulated from the measured notebook times"}
    processed = root / "data" / "processed" / client
    sent = None
    if (processed / "feedback.parquet").exists():
        _log(f"{client}: sentiment cold / warm / floor")
        sent = run_child("sentiment", {"processed": str(processed), "jobs": jobs}, work)
    return {
        "respondents": n, "client": client, "generate_seconds": round(gen_s, 2), "raw_mb": raw_mb,
        "rows": accounting, "ok": med["outcomes"][client]["ok"], "error": med["outcomes"][client]["error"],
        "pipeline": {
            "seconds": med["seconds"], "runs": [r["seconds"] for r in runs], "stages": med["stages"],
            "notebooks": med["notebooks"].get(client, {}), "executed": med["outcomes"][client]["executed"],
            "scheduling": scheduling,
            "memory": max((r["memory"] for r in runs), key=lambda m: m["peak_rss_mb"]),
        },
        "processing": {"seconds": med["process_seconds"].get(client),
                       "rebuilt_during_notebooks": proc.get("rebuilt_during_notebooks"),
                       "read_and_score_seconds": proc.get("read_and_score"),
                       "sentiment_seconds": proc.get("sentiment"),
                       "sentiment_scored": proc.get("sentiment_scored")},
        "sentiment": sent,
    }


def measure_noop(root: Path, jobs: int, repeats: int = 3) -> dict:
    """``python -m cem_research run`` with nothing changed, as a subprocess (wall time)."""
    env = {**os.environ, "CEM_PROJECT_ROOT": str(root)}
    runs, last = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        last = subprocess.run([sys.executable, "-m", "cem_research", "run", "-j", str(jobs)], cwd=root, env=env,
                              capture_output=True, text=True)
        runs.append(round(time.perf_counter() - t0, 3))
    out = (last.stdout + last.stderr).strip().splitlines()
    return {"seconds": _median(runs), "runs": runs, "min_seconds": min(runs), "returncode": last.returncode,
            "up_to_date": last.returncode == 0 and any("up to date" in line for line in out),
            "output": out[-3:]}


def _counts(result: dict) -> dict:
    return {c: {"notebooks_executed": len(o["executed"]), "executed": o["executed"], "processed": o["processed"],
                "report_built": o["report_built"], "ok": o["ok"]} for c, o in result["outcomes"].items()}


def measure_rebuilds(base: Path, notebooks: Path, n: int, template: str, jobs: int, seed: int, work: Path) -> dict:
    """Selective rebuilds in a small project of two clients with copied notebooks."""
    from datasets.demo import generate_client
    from cem_research.run.pipeline import list_notebooks

    root = make_project(base, notebooks, copy_notebooks=True)
    a, b = "sel_a", "sel_b"
    for name, s in ((a, seed), (b, seed + 1)):
        generate_client(template, root / "data" / "raw", n_respondents=n, seed=s, name=name)
        (root / "data" / "raw" / name / "truth.json").unlink(missing_ok=True)
    nbs = list_notebooks(root)
    spec = {"root": str(root), "clients": [a, b], "jobs": jobs}
    steps = {}
    _log("rebuilds: first run of two clients")
    steps["first_run"] = _counts(run_child("pipeline", spec, work))
    steps["no_change"] = _counts(run_child("pipeline", spec, work))
    raw_file = root / "data" / "raw" / a / "feedback.csv"
    os.utime(raw_file)  # new mtime, same bytes
    steps["touch_raw_file"] = _counts(run_child("pipeline", spec, work))
    _log("rebuilds: one client's raw data changed")
    changed = _append_verbatim(root / "data" / "raw" / a)
    steps["modify_raw_file"] = _counts(run_child("pipeline", spec, work))
    target = nbs[-1]
    _touch_notebook(target)
    _log(f"rebuilds: notebook {target.name} changed")
    steps["modify_notebook"] = _counts(run_child("pipeline", spec, work))
    all_nb = sorted(p.name for p in nbs)
    checks = {
        "first_run_executes_all": all(s["executed"] == all_nb and s["report_built"]
                                      for s in steps["first_run"].values()),
        "no_change_executes_none": all(s["notebooks_executed"] == 0 and not s["processed"] and not s["report_built"]
                                       for s in steps["no_change"].values()),
        "touch_executes_none": all(s["notebooks_executed"] == 0 and not s["report_built"]
                                   for s in steps["touch_raw_file"].values()),
        "modify_raw_rebuilds_only_that_client": steps["modify_raw_file"][a]["executed"] == all_nb
        and steps["modify_raw_file"][a]["processed"] and steps["modify_raw_file"][a]["report_built"]
        and steps["modify_raw_file"][b]["notebooks_executed"] == 0
        and not steps["modify_raw_file"][b]["processed"] and not steps["modify_raw_file"][b]["report_built"],
        "modify_notebook_reruns_only_it": all(s["executed"] == [target.name] and s["report_built"]
                                              and not s["processed"] for s in steps["modify_notebook"].values()),
    }
    return {"clients": [a, b], "respondents": n, "notebooks": all_nb, "changed_raw_file": f"{a}/{changed}",
            "touched_raw_file": f"{a}/{raw_file.name}", "changed_notebook": target.name,
            "steps": steps, "checks": checks, "ok": all(checks.values())}


def makespan(durations: list[float], workers: int) -> float:
    """Finishing time of tasks started in the given order on ``workers`` workers (list scheduling)."""
    free = [0.0] * max(1, workers)
    for d in durations:
        i = free.index(min(free))
        free[i] += d
    return round(max(free), 1) if durations else 0.0


def loglog_slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) on log(x)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return round(sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx, 3) if sxx else None


# ---------------------------------------------------------------------------------------------
# targets and the report
def evaluate(result: dict) -> dict:
    """Each target of :data:`TARGETS` with its measured value and ``met`` (``True``, ``False``, or
    ``None`` when this run did not measure it, e.g. no 300k size)."""
    sizes = result["sizes"]
    floor = result["kernel_floor"]["seconds"]
    t: dict[str, dict] = {}

    def put(key, value, met, **extra):
        t[key] = {"target": TARGETS[key], "value": value, "met": met, **extra}

    with_sent = [s for s in sizes if s.get("sentiment")]
    judged = [s for s in with_sent if s["respondents"] >= DEMO_SIZE] or with_sent
    speed = {s["respondents"]: s["sentiment"]["speedup"] for s in with_sent}
    put("sentiment_speedup", min((speed[s["respondents"]] for s in judged), default=None),
        bool(judged) and all(speed[s["respondents"]] is not None and speed[s["respondents"]] >= 1.7
                             for s in judged), per_size=speed,
        parallel_only={s["respondents"]: s["sentiment"]["speedup_over_distinct_loop"] for s in with_sent},
        note=f"minimum over the sizes >= {DEMO_SIZE:,} respondents (all sizes if none) of (single-loop floor "
             "seconds) / (cold score_sentiment seconds); parallel_only: the loop over distinct texts only")
    warm = {s["respondents"]: s["sentiment"]["warm_scored"] for s in with_sent}
    put("sentiment_warm_scores_none", max(warm.values()) if warm else None,
        bool(warm) and all(v == 0 for v in warm.values()), per_size=warm)
    demo = min(sizes, key=lambda s: abs(math.log(s["respondents"] / DEMO_SIZE))) if sizes else None
    if demo and floor:
        ratio = round(demo["pipeline"]["seconds"] / floor, 2)
        put("demo_pipeline_vs_kernel_floor", ratio, ratio <= 1.5 and demo["ok"], respondents=demo["respondents"],
            pipeline_seconds=demo["pipeline"]["seconds"], floor_seconds=floor)
    else:
        put("demo_pipeline_vs_kernel_floor", None, None)
    slope = result["growth"]["slope"]
    put("growth_slope", slope, None if slope is None else slope <= 1.1)
    big = next((s for s in sizes if s["respondents"] >= BIG_SIZE), None)
    if big:
        secs, mem = big["pipeline"]["seconds"], big["pipeline"]["memory"]["peak_rss_mb"]
        put("big_client_time", secs, secs < 300 and big["ok"], respondents=big["respondents"])
        put("big_client_memory", mem, mem < 6 * 1024 and big["ok"], unit="MB (peak sum of RSS over the process tree)",
            peak_pss_mb=big["pipeline"]["memory"]["peak_pss_mb"], respondents=big["respondents"])
    else:
        put("big_client_time", None, None, note=f"no size >= {BIG_SIZE} in this run")
        put("big_client_memory", None, None, note=f"no size >= {BIG_SIZE} in this run")
    noop = result.get("noop_run")
    put("noop_run", noop and noop["seconds"], None if not noop else bool(noop["seconds"] < 2 and noop["up_to_date"]))
    reb = result.get("selective_rebuild")
    put("selective_rebuild", reb and reb["checks"], None if not reb else reb["ok"])
    return t


def _fmt(x, spec=".1f", none="–"):
    return none if x is None else format(x, spec)


def _met(v):
    return {True: "met", False: "**not met**", None: "not measured"}[v]


def render_markdown(result: dict) -> str:
    """The short human-readable table (``bench.md``) of a finished benchmark result."""
    m = result["machine"]
    floor = result["kernel_floor"]
    L = ["# cem-research benchmark", "",
         f"{m['date']} · {m['cpu_count']} CPUs ({m['cpu_model']}) · {m['memory_gb']} GB RAM · "
         f"Python {m['versions']['python']} · pandas {m['versions']['pandas']} · jobs = {result['settings']['jobs']} · "
         f"load average at start {m['load_average_start']}, at end {result.get('load_average_end')}", "",
         f"Template `{result['settings']['template']}`; feedback ≈ 3 comments and ≈ 10 touchpoint events per "
         "respondent. Kernel-and-import floor: papermill running "
         f"{len(floor['notebooks'])} import-only notebooks with the runner's parallelism = "
         f"**{_fmt(floor['seconds'])} s** (median of {len(floor['runs'])}: {floor['runs']}).", "",
         "| respondents | verbatims | touchpoints | pipeline s | × floor | process s (read+score / sentiment) "
         "| notebooks s | report s | peak RSS / PSS MB | sentiment cold s (distinct) | floor loop s | speed-up | warm scored |",
         "|---:|---:|---:|---:|---:|---|---:|---:|---|---|---:|---:|---:|"]
    for s in result["sizes"]:
        p, pr, rows = s["pipeline"], s["processing"], s["rows"]
        se = s.get("sentiment") or {"cold_seconds": None, "distinct": 0, "floor_seconds": None, "speedup": None,
                                    "warm_scored": "–"}
        fb = rows.get("feedback.csv", {}).get("read")
        tp = rows.get("touchpoints.csv", {}).get("read")
        L.append(
            f"| {s['respondents']:,} | {fb or 0:,} | {tp or 0:,} | {_fmt(p['seconds'])} | "
            f"{_fmt(p['seconds'] / floor['seconds'], '.2f')} | {_fmt(pr['seconds'])} "
            f"({_fmt(pr['read_and_score_seconds'])} / {_fmt(pr['sentiment_seconds'])}) | "
            f"{_fmt(p['stages']['notebooks'])} | {_fmt(p['stages']['report'])} | "
            f"{p['memory']['peak_rss_mb']:,.0f} / {p['memory']['peak_pss_mb']:,.0f} | "
            f"{_fmt(se['cold_seconds'], '.2f')} ({se['distinct']:,}) | {_fmt(se['floor_seconds'], '.2f')} | "
            f"{_fmt(se['speedup'], '.2f')}× | {se['warm_scored']} |" + ("" if s.get("ok", True) else " FAILED"))
    names = sorted({n for s in result["sizes"] for n in s["pipeline"]["notebooks"]} | set(floor["notebooks"]))
    L += ["", "Seconds per notebook (papermill, inside the pipeline run; floor = its import-only twin):", "",
          "| notebook | floor | " + " | ".join(f"{s['respondents']:,}" for s in result["sizes"]) + " |",
          "|---|---:|" + "---:|" * len(result["sizes"])]
    for n in names:
        L.append(f"| {n} | {_fmt(floor['notebooks'].get(n))} | "
                 + " | ".join(_fmt(s["pipeline"]["notebooks"].get(n)) for s in result["sizes"]) + " |")
    for s in result["sizes"]:
        if not s.get("profile"):
            continue
        L += ["", f"Where the notebook time goes at {s['respondents']:,} respondents (each notebook's code run "
              "once in one process under cProfile, figures rendered to PNG; package functions by cumulative "
              "seconds — nested calls overlap):", ""]
        for nb, pr in s["profile"].items():
            top = pr["top_package_functions"][:6]
            L.append(f"* {nb} ({pr['seconds_under_profiler']:.1f} s under the profiler"
                     + (f", FAILED: {pr['error']}" if pr["error"] else "") + "): "
                     + ", ".join(f"`{r['function']}` {r['cumulative_s']:.1f}" for r in top))
    sched = [(s["respondents"], s["pipeline"].get("scheduling")) for s in result["sizes"]]
    if any(x for _, x in sched):
        L += ["", "Notebook stage on " + f"{result['settings']['jobs']} workers, simulated from the measured notebook "
              "times (s): " + "; ".join(f"{n:,}: file order {x['file_order_s']}, longest first "
                                        f"{x['longest_first_s']}, lower bound {x['lower_bound_s']}"
                                        for n, x in sched if x) + "."]
    g = result["growth"]
    L += ["", f"Growth: log-log slope of pipeline seconds vs respondents **{_fmt(g['slope'], '.2f')}** over all "
          f"sizes; {_fmt(g['slope_largest_two'], '.2f')} between the two largest; slope of the time above the "
          f"kernel floor {_fmt(g['slope_above_floor'], '.2f')}."]
    noop = result.get("noop_run")
    if noop:
        L += ["", f"No-op `python -m cem_research run` over all {len(result['sizes'])} clients: "
              f"**{_fmt(noop['seconds'], '.2f')} s** (median of {noop['runs']}), output "
              f"`{noop['output'][-1] if noop['output'] else ''}`."]
    reb = result.get("selective_rebuild")
    if reb:
        L += ["", f"Selective rebuilds (two clients of {reb['respondents']:,} respondents, notebooks copied):", "",
              "| step | " + " | ".join(reb["clients"]) + " |", "|---|" + "---|" * len(reb["clients"])]
        for step, per in reb["steps"].items():
            cells = []
            for c in reb["clients"]:
                x = per[c]
                cells.append(f"{x['notebooks_executed']} notebooks"
                             + (", processed" if x["processed"] else "") + (", report" if x["report_built"] else ""))
            L.append(f"| {step.replace('_', ' ')} | " + " | ".join(cells) + " |")
    L += ["", "## Targets", "", "| target | measured | result |", "|---|---|---|"]
    for key, t in result["targets"].items():
        v = t["value"]
        if isinstance(v, dict):
            v = ", ".join(f"{k}: {'ok' if x else 'FAILED'}" for k, x in v.items())
        elif isinstance(v, float):
            v = f"{v:g}"
        L.append(f"| {t['target']} | {v} | {_met(t['met'])} |")
    if result.get("notes"):
        L += ["", "## Notes", ""] + [f"* {n}" for n in result["notes"]]
    L += ["", "Memory: peak over 0.2 s samples of the summed RSS (and PSS) of the runner process and all its "
          "descendants (pool workers, kernels); RSS double-counts pages forked processes share, PSS does not.", ""]
    return "\n".join(L)


def explain(result: dict) -> list[str]:
    """Plain-words notes on where the time goes, derived from the measurements."""
    notes = []
    floor = result["kernel_floor"]
    if result.get("code", {}).get("changed_during_run"):
        notes.append("the package code changed while the benchmark ran (other work in the checkout): "
                     "later sizes ran different code than earlier ones")
    for s in result["sizes"]:
        p = s["pipeline"]
        if not s.get("ok", True):
            notes.append(f"{s['respondents']:,} respondents: the pipeline FAILED: {s.get('error')}")
        if s["processing"].get("rebuilt_during_notebooks"):
            notes.append(f"{s['respondents']:,} respondents: the package code changed while the notebooks ran, so "
                         "their load_client() processed the raw data again: the notebook times include that")
        extra = {n: round(sec - floor["notebooks"].get(n, 0), 1) for n, sec in p["notebooks"].items()}
        top = sorted(extra.items(), key=lambda kv: -kv[1])[:3]
        notes.append(
            f"{s['respondents']:,} respondents: pipeline {p['seconds']:.1f} s = process {p['stages']['process']:.1f} s "
            f"+ notebooks {p['stages']['notebooks']:.1f} s (floor {floor['seconds']:.1f} s) + report "
            f"{p['stages']['report']:.1f} s; notebook work above its import floor: "
            + ", ".join(f"{n} +{x:.1f} s" for n, x in top) + ".")
    return notes


def run_bench(args) -> dict:
    """Run the whole benchmark in a temporary project folder; returns (and writes) the result."""
    from cem_research.client.paths import project_root

    from cem_research.run.pipeline import NOTEBOOK_GLOB, package_fingerprint

    notebooks = Path(args.notebooks).resolve() if args.notebooks else project_root() / "notebooks"
    real = sorted(notebooks.glob(NOTEBOOK_GLOB))
    if not real:
        raise SystemExit(f"no numbered notebooks in {notebooks}")
    jobs = args.jobs or os.cpu_count() or 1
    sizes = sorted(set(args.sizes))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    code_at_start = package_fingerprint()
    result = {"schema": SCHEMA, "machine": machine_info(), "code": {"package_fingerprint": code_at_start,
                                                                     **_git_state(notebooks.parent)},
              "settings": {"sizes": sizes, "jobs": jobs, "template": args.template, "seed": args.seed,
                           "notebooks": [p.name for p in real], "repeats_small": args.repeats,
                           "floor_repeats": args.floor_repeats,
                           "memory_method": "psutil process-tree sampling every 0.2 s: peak of summed RSS and of "
                                            "summed PSS (smaps_rollup) of the child running the stage and all its "
                                            "descendants; getrusage ru_maxrss of self and children as cross-check",
                           "floor_libraries": list(FLOOR_LIBRARIES)}}
    tmp = Path(tempfile.mkdtemp(prefix="cem-bench-", dir=args.tmp))
    _log(f"working in {tmp}; sizes {sizes}; jobs {jobs}; notebooks {[p.name for p in real]}")
    try:
        work = tmp / "work"
        root = make_project(tmp / "project", notebooks)
        floor_root = tmp / "floor"
        (floor_root / "data" / "raw").mkdir(parents=True)
        made = write_floor_notebooks(real, floor_root / "notebooks")
        _log("kernel-and-import floor")
        result["kernel_floor"] = {**measure_floor(floor_root, _client_name(sizes[0], args.template), jobs,
                                                  args.floor_repeats, work), "imports": made}
        _log(f"floor {result['kernel_floor']['seconds']} s")
        result["sizes"] = []
        for n in sizes:
            reps = args.repeats if n <= 10_000 else 1
            result["sizes"].append(measure_size(root, n, args.template, jobs, reps, args.seed, work))
            _write(out, result)  # partial results survive an interruption
        pts = [(s["respondents"], s["pipeline"]["seconds"]) for s in result["sizes"]]
        above = [(n, t - result["kernel_floor"]["seconds"]) for n, t in pts]
        result["growth"] = {"points": pts, "slope": loglog_slope(pts),
                            "slope_largest_two": loglog_slope(pts[-2:]) if len(pts) >= 2 else None,
                            "slope_above_floor": loglog_slope(above)}
        profile = args.profile if args.profile is not None else \
            [min(sizes, key=lambda n: abs(math.log(n / DEMO_SIZE)))]
        for n in sorted(set(profile)):
            entry = next((s for s in result["sizes"] if s["respondents"] == n), None)
            if entry is None:
                continue
            _log(f"{entry['client']}: profiling the notebooks in one process (cProfile)")
            prof = run_child("profile", {"root": str(root), "notebooks": [str(p) for p in real],
                                         "parameters": {"client": entry["client"],
                                                        "raw_root": str(root / "data" / "raw"), "wave": None}},
                             work)
            entry["profile"] = prof["notebooks"]
        if not args.skip_noop:
            _log("no-op run")
            result["noop_run"] = measure_noop(root, jobs)
        if not args.skip_rebuilds:
            result["selective_rebuild"] = measure_rebuilds(tmp / "rebuild", notebooks, sizes[0], args.template,
                                                           jobs, args.seed, work)
        result["load_average_end"] = _load()
        result["code"]["package_fingerprint_end"] = package_fingerprint()
        result["code"]["changed_during_run"] = result["code"]["package_fingerprint_end"] != code_at_start
        result["targets"] = evaluate(result)
        result["notes"] = explain(result)
        _write(out, result)
    finally:
        if args.keep:
            _log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def _write(out: Path, result: dict) -> None:
    from cem_research.client.io import write_json, write_text

    write_json(out / "bench.json", result)
    if "targets" in result:
        write_text(out / "bench.md", render_markdown(result))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                   help="respondents per client (default: %(default)s)")
    p.add_argument("--quick", action="store_true", help=f"CI-sized smoke run: --sizes {' '.join(map(str, QUICK_SIZES))}")
    p.add_argument("--out", default="reports/bench", help="output folder (default %(default)s)")
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel notebook runs and sentiment workers "
                   "(default: number of CPUs, as the runner)")
    p.add_argument("--template", default=TEMPLATE, help="demo template (default %(default)s)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--notebooks", default=None, help="notebook folder (default: the project's notebooks/)")
    p.add_argument("--repeats", type=int, default=3, help="pipeline runs per size up to 10,000 respondents "
                   "(median reported; larger sizes run once)")
    p.add_argument("--floor-repeats", type=int, default=3, help="kernel-floor runs (median reported)")
    p.add_argument("--profile", type=int, nargs="*", default=None,
                   help="sizes whose notebooks are also run under cProfile to show where the time goes "
                        f"(default: the size nearest {DEMO_SIZE:,}; none: --profile without sizes)")
    p.add_argument("--skip-noop", action="store_true", help="skip the no-op run")
    p.add_argument("--skip-rebuilds", action="store_true", help="skip the selective rebuild checks")
    p.add_argument("--tmp", default=None, help="parent of the temporary project folder (default: system temp)")
    p.add_argument("--keep", action="store_true", help="keep the temporary project folder")
    return p


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.bench [--sizes ...]`` (``_child`` runs one measured stage)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["_child"]:
        return _child_main(argv[1], argv[2])
    args = _parser().parse_args(argv)
    if args.quick:
        args.sizes = list(QUICK_SIZES)
    result = run_bench(args)
    _log(f"wrote {Path(args.out) / 'bench.json'} and bench.md")
    for key, t in result["targets"].items():
        print(f"  {_met(t['met']):>12}  {key}: {t['value']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
