"""The measured stages, each run in a child process: ``python -m benchmarks.bench _child <kind> <spec.json>``.

A stage reads its settings from the spec file, writes its result (with ``getrusage`` figures) to
the file named by ``spec["result"]`` and exits; :func:`benchmarks.measure.run_child` starts it
and samples its process tree.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from pathlib import Path

from benchmarks.measure import rusage

__all__ = ["NOTEBOOK_LINE", "CHILDREN", "child_pipeline", "child_floor", "child_sentiment", "child_profile",
           "notebook_script", "child_main"]

NOTEBOOK_LINE = re.compile(r"^\[\d+/\d+\] ✓ (\S+) (\S+\.ipynb) \(([\d.]+) s\)$")


def child_pipeline(spec: dict) -> dict:
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

        def process(self, outcome):
            t = time.perf_counter()
            meta = super().process(outcome)
            self.process_end = time.perf_counter()
            self.process_seconds[outcome.client] = round(self.process_end - t, 3)
            if meta:
                self.built[outcome.client] = {k: meta.get(k) for k in
                                              ("built", "timings", "sentiment_scored", "accounting")}
            return meta

    runner = TimedRunner(root, clients=spec["clients"], jobs=spec["jobs"], cold=spec.get("cold", False),
                         echo=lambda m: events.append((time.perf_counter(), m)))
    runner.process_seconds, runner.built = {}, {}
    t0 = time.perf_counter()
    outcomes = runner.run()
    t1 = time.perf_counter()
    per_notebook: dict[str, dict[str, float]] = {}
    nb_times = []
    for when, msg in events:
        m = NOTEBOOK_LINE.match(msg)
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


def child_floor(spec: dict) -> dict:
    """Execute the import-only notebooks with the runner's machinery and parallelism: each in a fresh
    kernel (``spec["cold"]``, the default: the floor), or in the workers' warm kernels (what start-up
    remains per notebook)."""
    root = Path(spec["root"])
    os.environ["CEM_PROJECT_ROOT"] = str(root)
    from cem_research.run.pipeline import Runner, Task, list_notebooks

    cold = spec.get("cold", True)
    runner = Runner(root, clients=["floor"], jobs=spec["jobs"], cold=cold, echo=lambda m: None)
    params = {"client": spec["client"], "raw_root": str(root / "data" / "raw"), "wave": None}
    out = root / "reports" / "floor" / "notebooks"
    nbs = list_notebooks(root)
    tasks = [Task("floor", str(nb), str(out / nb.name), params, "floor", str(root), cold=cold, warm_key="floor",
                  warmup=tuple(str(n) for n in nbs)) for nb in nbs]
    t0 = time.perf_counter()
    results = list(runner.execute(tasks))
    seconds = time.perf_counter() - t0
    errors = [err for _, _, err in results if err]
    if errors:
        raise RuntimeError("floor notebook failed: " + errors[0])
    return {"seconds": round(seconds, 3), "notebooks": {Path(t.notebook).name: round(s, 2) for t, s, _ in results}}


def child_sentiment(spec: dict) -> dict:
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


def notebook_script(path: Path, parameters: dict) -> str:
    """A notebook's code cells as one script, ``parameters`` set after the notebook's own parameters cell
    (as papermill injects them: every parameter not given keeps its default)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            parts.append(cell.source + "\n" + "\n".join(f"{k} = {v!r}" for k, v in parameters.items()))
            continue
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def child_profile(spec: dict) -> dict:
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
        code = compile(notebook_script(path, spec["parameters"]), str(path), "exec")
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


CHILDREN = {"pipeline": child_pipeline, "floor": child_floor, "sentiment": child_sentiment,
             "profile": child_profile}


def child_main(kind: str, spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    result = CHILDREN[kind](spec)
    result["rusage"] = rusage()
    Path(spec["result"]).write_text(json.dumps(result, indent=1, default=str))
    return 0
