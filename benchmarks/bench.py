"""Benchmark the pipeline at growing client sizes against what it cannot go below.

``python -m benchmarks.bench`` (``make bench``) builds a throw-away project folder (a
temporary folder; ``notebooks`` is a symlink to the project's notebooks), writes one seeded
demo client per size with :func:`datasets.demo.generate_client`, and measures:

* per size: the full pipeline (``Runner(...).run()`` for that client, warm kernels as
  ``make reports`` runs it, and up to 10,000 respondents the same run in ``--cold`` mode,
  alternating) — wall time, time per stage and per notebook, and peak memory of the runner process *and all its descendants*
  (pool workers, Jupyter kernels); the processing stage (contract read + construct scoring,
  sentiment); and sentiment scoring on its own (cold with ``n_jobs``, then warm with the
  returned cache, which must score nothing);
* the floors: (a) *kernel-and-import floor* — papermill executing, with the runner's own
  machinery and parallelism, as many notebooks as the real set, each of which only runs the
  real notebook's parameters cell and imports (parsed from the notebook) plus the heavy
  libraries the package uses, each in a fresh kernel; the same notebooks in warm kernels give the
  per-notebook start-up that remains; (b) *sentiment floor* — NLTK's VADER scoring the same
  verbatims in one plain Python loop;
* the four demo clients' ``make reports`` from scratch, warm against cold, alternating;
* a no-op ``python -m cem_research run`` (nothing changed) as a subprocess, and selective
  rebuilds: touching a raw file, changing one client's raw data, changing one notebook;
* PII masking of 2 MB hostile comments (:mod:`benchmarks.masking`), as quoted and whole.

Results go to ``reports/bench/bench.json`` and a short table in ``reports/bench/bench.md``.

Modules: :mod:`benchmarks.measure` (machine, child processes, process-tree memory),
:mod:`benchmarks.children` (the stages run in child processes), :mod:`benchmarks.stages` (the
measurements), :mod:`benchmarks.summary` (targets and ``bench.md``); this module is the command
line (``python -m benchmarks.bench _child <kind> <spec>`` runs one stage in a child process).

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
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.children import child_main
from benchmarks.masking import measure_masking
from benchmarks.measure import git_state, load_average, machine_info, run_child
from benchmarks.stages import (FLOOR_LIBRARIES, client_name, log, loglog_slope, make_project, makespan,
                               measure_demo_reports, measure_floor, measure_noop, measure_rebuilds, measure_size, notebook_imports,
                               write_floor_notebooks)
from benchmarks.summary import DEMO_SIZE, TARGETS, evaluate, explain, met, render_markdown

__all__ = [
    "DEFAULT_SIZES", "QUICK_SIZES", "TEMPLATE", "SCHEMA", "DEMO_SIZE", "TARGETS", "FLOOR_LIBRARIES",
    "notebook_imports", "write_floor_notebooks", "makespan", "loglog_slope", "evaluate", "render_markdown",
    "run_bench", "write_result", "make_parser", "main",
]

DEFAULT_SIZES = (1_000, 10_000, 100_000, 300_000)
QUICK_SIZES = (300, 3_000)
TEMPLATE = "coffee_house"
SCHEMA = "cem-research-bench/1"


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
                                                                     **git_state(notebooks.parent)},
              "settings": {"sizes": sizes, "jobs": jobs, "template": args.template, "seed": args.seed,
                           "notebooks": [p.name for p in real], "repeats_small": args.repeats,
                           "floor_repeats": args.floor_repeats,
                           "memory_method": "psutil process-tree sampling every 0.2 s: peak of summed RSS and of "
                                            "summed PSS (smaps_rollup) of the child running the stage and all its "
                                            "descendants; getrusage ru_maxrss of self and children as cross-check",
                           "floor_libraries": list(FLOOR_LIBRARIES)}}
    tmp = Path(tempfile.mkdtemp(prefix="cem-bench-", dir=args.tmp))
    log(f"working in {tmp}; sizes {sizes}; jobs {jobs}; notebooks {[p.name for p in real]}")
    try:
        work = tmp / "work"
        root = make_project(tmp / "project", notebooks)
        floor_root = tmp / "floor"
        (floor_root / "data" / "raw").mkdir(parents=True)
        made = write_floor_notebooks(real, floor_root / "notebooks")
        log("kernel-and-import floor")
        result["kernel_floor"] = {**measure_floor(floor_root, client_name(sizes[0], args.template), jobs,
                                                  args.floor_repeats, work), "imports": made}
        log(f"floor {result['kernel_floor']['seconds']} s")
        result["sizes"] = []
        for n in sizes:
            reps = args.repeats if n <= 10_000 else 1
            result["sizes"].append(measure_size(root, n, args.template, jobs, reps, args.seed, work))
            write_result(out, result)  # partial results survive an interruption
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
            log(f"{entry['client']}: profiling the notebooks in one process (cProfile)")
            prof = run_child("profile", {"root": str(root), "notebooks": [str(p) for p in real],
                                         "parameters": {"client": entry["client"],
                                                        "raw_root": str(root / "data" / "raw"), "wave": None}},
                             work)
            entry["profile"] = prof["notebooks"]
        if not args.skip_demo_reports:
            result["demo_reports"] = measure_demo_reports(tmp / "demo", notebooks, jobs, args.demo_repeats, work)
            write_result(out, result)
        if not args.skip_noop:
            log("no-op run")
            result["noop_run"] = measure_noop(root, jobs)
        if not args.skip_rebuilds:
            result["selective_rebuild"] = measure_rebuilds(tmp / "rebuild", notebooks, sizes[0], args.template,
                                                           jobs, args.seed, work)
        log("PII masking of 2 MB hostile comments")
        result["pii_masking"] = measure_masking()
        result["load_average_end"] = load_average()
        result["code"]["package_fingerprint_end"] = package_fingerprint()
        result["code"]["changed_during_run"] = result["code"]["package_fingerprint_end"] != code_at_start
        result["targets"] = evaluate(result)
        result["notes"] = explain(result)
        write_result(out, result)
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def write_result(out: Path, result: dict) -> None:
    """Write ``bench.json`` (and ``bench.md`` once the targets are evaluated) to ``out``."""
    from cem_research.client.io import write_json, write_text

    write_json(out / "bench.json", result)
    if "targets" in result:
        write_text(out / "bench.md", render_markdown(result))


def make_parser() -> argparse.ArgumentParser:
    """The command-line parser of ``python -m benchmarks.bench``."""
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
    p.add_argument("--skip-demo-reports", action="store_true",
                   help="skip `make reports` for the four demo clients, warm against cold")
    p.add_argument("--demo-repeats", type=int, default=1,
                   help="warm/cold pairs of the four-demo-client run (median reported)")
    p.add_argument("--skip-rebuilds", action="store_true", help="skip the selective rebuild checks")
    p.add_argument("--tmp", default=None, help="parent of the temporary project folder (default: system temp)")
    p.add_argument("--keep", action="store_true", help="keep the temporary project folder")
    return p


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.bench [--sizes ...]`` (``_child`` runs one measured stage)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["_child"]:
        return child_main(argv[1], argv[2])
    args = make_parser().parse_args(argv)
    if args.quick:
        args.sizes = list(QUICK_SIZES)
    result = run_bench(args)
    log(f"wrote {Path(args.out) / 'bench.json'} and bench.md")
    for key, t in result["targets"].items():
        print(f"  {met(t['met']):>12}  {key}: {t['value']}")
    return 0



if __name__ == "__main__":
    sys.exit(main())
