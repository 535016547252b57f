"""The benchmark's measurements: project folders, the kernel-and-import floor, the pipeline per
size, the no-op run and the selective rebuilds, and the arithmetic on their timings."""

from __future__ import annotations

import ast
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.measure import run_child
from cem_research.run.warm import notebook_imports  # re-exported: the floor and the warm kernels share it

__all__ = ["FLOOR_LIBRARIES", "make_project", "notebook_imports", "write_floor_notebooks", "client_name",
           "dir_mb", "clean_client", "append_verbatim", "touch_notebook", "log", "median", "measure_floor",
           "measure_size", "measure_demo_reports", "measure_noop", "outcome_counts", "measure_rebuilds", "makespan",
           "loglog_slope"]

#: Libraries every floor notebook imports besides the real notebook's own imports: what the
#: package's step modules pull in while a notebook runs.
FLOOR_LIBRARIES = ("numpy", "pandas", "scipy.stats", "pyarrow.parquet", "matplotlib.pyplot",
                   "seaborn", "pingouin", "nltk", "cem_research.stats", "cem_research.text",
                   "cem_research.present.plots", "cem_research.client.data")


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


def client_name(n: int, template: str) -> str:
    """Folder name of the benchmark client of ``n`` respondents."""
    return f"{template}_{n}"


def dir_mb(folder: Path) -> float:
    """Size of the files under ``folder`` in MiB."""
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2 ** 20, 1)


def clean_client(root: Path, client: str) -> None:
    """Delete a client's processed data and reports (its next run rebuilds everything)."""
    for d in (root / "data" / "processed" / client, root / "reports" / client):
        shutil.rmtree(d, ignore_errors=True)


def append_verbatim(folder: Path, text: str = "Bench edit: the flat white was excellent today.") -> str:
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


def touch_notebook(path: Path) -> None:
    """Change one notebook: add a markdown cell at the end."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("*(benchmark: changed notebook)*"))
    nbformat.write(nb, path)


# ---------------------------------------------------------------------------------------------
# measurements
def log(msg: str) -> None:
    """Print a time-stamped progress line."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def median(xs):
    """Median of the values that are not None, rounded to ms (None if there are none)."""
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 3) if xs else None


def measure_floor(root: Path, client: str, jobs: int, repeats: int, work: Path) -> dict:
    """The kernel-and-import floor: papermill running the import-only twin notebooks ``repeats`` times
    with the runner's parallelism, each in a fresh kernel; median seconds, every run, per-notebook
    seconds and peak memory.  ``warm``: the same notebooks in the workers' warm kernels, alternating
    with the cold runs; ``startup_remaining_s`` is the median time of a warm notebook that did not
    start its worker's kernel (the per-notebook start-up a warm run still pays)."""
    runs, warm = [], []
    for _ in range(repeats):
        runs.append(run_child("floor", {"root": str(root), "client": client, "jobs": jobs}, work))
        warm.append(run_child("floor", {"root": str(root), "client": client, "jobs": jobs, "cold": False}, work))
    best = min(runs, key=lambda r: r["seconds"])
    reused = [s for w in warm for s in sorted(w["notebooks"].values())[:-jobs or None]]
    return {"seconds": median([r["seconds"] for r in runs]), "runs": [r["seconds"] for r in runs],
            "min_seconds": best["seconds"], "notebooks": best["notebooks"],
            "memory": max((r["memory"] for r in runs), key=lambda m: m["peak_rss_mb"]),
            "warm": {"seconds": median([w["seconds"] for w in warm]), "runs": [w["seconds"] for w in warm],
                     "notebooks": min(warm, key=lambda w: w["seconds"])["notebooks"],
                     "startup_remaining_s": median(reused)}}


def measure_size(root: Path, n: int, template: str, jobs: int, repeats: int, seed: int, work: Path) -> dict:
    """Generate a seeded client of ``n`` respondents and measure it: the full pipeline (median of
    ``repeats`` runs: stages, notebooks, memory, simulated scheduling), the processing stage and
    sentiment scoring cold, warm and against the plain VADER loop."""
    from datasets.demo import generate_client

    client = client_name(n, template)
    t0 = time.perf_counter()
    folder = generate_client(template, root / "data" / "raw", n_respondents=n, seed=seed, name=client)
    gen_s = time.perf_counter() - t0
    (folder / "truth.json").unlink(missing_ok=True)
    raw_mb = dir_mb(folder)
    runs, cold = [], []
    for i in range(repeats):
        if i:
            clean_client(root, client)
        log(f"{client}: pipeline run {i + 1}/{repeats}")
        r = run_child("pipeline", {"root": str(root), "clients": [client], "jobs": jobs}, work)
        o = r["outcomes"][client]
        runs.append(r)
        log(f"{client}: {r['seconds']:.1f} s, peak RSS {r['memory']['peak_rss_mb']:.0f} MB"
             + ("" if o["ok"] else f" — FAILED: {o['error']}"))
        if not o["ok"]:
            break
        if n <= 10_000:  # the same run in cold mode, alternating, on the same machine
            clean_client(root, client)
            c = run_child("pipeline", {"root": str(root), "clients": [client], "jobs": jobs, "cold": True}, work)
            cold.append(c["seconds"])
            log(f"{client}: cold mode {c['seconds']:.1f} s")
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
        log(f"{client}: sentiment cold / warm / floor")
        sent = run_child("sentiment", {"processed": str(processed), "jobs": jobs}, work)
    return {
        "respondents": n, "client": client, "generate_seconds": round(gen_s, 2), "raw_mb": raw_mb,
        "rows": accounting, "ok": med["outcomes"][client]["ok"], "error": med["outcomes"][client]["error"],
        "pipeline": {
            "seconds": med["seconds"], "runs": [r["seconds"] for r in runs], "stages": med["stages"],
            "notebooks": med["notebooks"].get(client, {}), "executed": med["outcomes"][client]["executed"],
            "scheduling": scheduling,
            "memory": max((r["memory"] for r in runs), key=lambda m: m["peak_rss_mb"]),
            "cold_seconds": median(cold), "cold_runs": cold,
        },
        "processing": {"seconds": med["process_seconds"].get(client),
                       "rebuilt_during_notebooks": proc.get("rebuilt_during_notebooks"),
                       "read_and_score_seconds": proc.get("read_and_score"),
                       "sentiment_seconds": proc.get("sentiment"),
                       "sentiment_scored": proc.get("sentiment_scored")},
        "sentiment": sent,
    }


def measure_demo_reports(base: Path, notebooks: Path, jobs: int, repeats: int, work: Path) -> dict:
    """``make reports`` for the four demo clients from scratch, warm and cold alternating ``repeats``
    times in one project (the seeded demo data, written by :func:`datasets.demo.write_demo_clients`)."""
    from datasets.demo import write_demo_clients

    root = make_project(base, notebooks)
    clients = [p.name for p in write_demo_clients(root / "data" / "raw")]
    for c in clients:
        (root / "data" / "raw" / c / "truth.json").unlink(missing_ok=True)
    times: dict[str, list[float]] = {"warm": [], "cold": []}
    failed = []
    for i in range(repeats):
        for mode in ("cold", "warm"):
            for c in clients:
                clean_client(root, c)
            log(f"demo clients: make reports, {mode} ({i + 1}/{repeats})")
            r = run_child("pipeline", {"root": str(root), "clients": clients, "jobs": jobs, "cold": mode == "cold"},
                          work)
            times[mode].append(r["seconds"])
            failed += [f"{c}: {o['error']}" for c, o in r["outcomes"].items() if not o["ok"]]
            log(f"demo clients {mode}: {r['seconds']:.1f} s")
    warm, cold = median(times["warm"]), median(times["cold"])
    return {"clients": clients, "warm_seconds": warm, "cold_seconds": cold, "warm_runs": times["warm"],
            "cold_runs": times["cold"], "speedup": round(cold / warm, 2) if warm else None, "failed": failed}


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
    return {"seconds": median(runs), "runs": runs, "min_seconds": min(runs), "returncode": last.returncode,
            "up_to_date": last.returncode == 0 and any("up to date" in line for line in out),
            "output": out[-3:]}


def outcome_counts(result: dict) -> dict:
    """Per client of a pipeline result: notebooks executed, processed, report built, ok."""
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
    log("rebuilds: first run of two clients")
    steps["first_run"] = outcome_counts(run_child("pipeline", spec, work))
    steps["no_change"] = outcome_counts(run_child("pipeline", spec, work))
    raw_file = root / "data" / "raw" / a / "feedback.csv"
    os.utime(raw_file)  # new mtime, same bytes
    steps["touch_raw_file"] = outcome_counts(run_child("pipeline", spec, work))
    log("rebuilds: one client's raw data changed")
    changed = append_verbatim(root / "data" / "raw" / a)
    steps["modify_raw_file"] = outcome_counts(run_child("pipeline", spec, work))
    target = nbs[-1]
    touch_notebook(target)
    log(f"rebuilds: notebook {target.name} changed")
    steps["modify_notebook"] = outcome_counts(run_child("pipeline", spec, work))
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
