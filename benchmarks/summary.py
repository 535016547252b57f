"""The benchmark's targets and its short human-readable summary (``bench.md``)."""

from __future__ import annotations

import math

__all__ = ["DEMO_SIZE", "BIG_SIZE", "TARGETS", "evaluate", "met", "render_markdown", "explain"]

#: respondents of a demo-size client and of the big client the targets are judged at
DEMO_SIZE = 1_000
BIG_SIZE = 300_000

TARGETS = {
    "sentiment_speedup": "sentiment cold run with n_jobs = 2 at least 1.7x faster than the single-loop floor",
    "sentiment_warm_scores_none": "warm re-run with the returned cache scores 0 texts",
    "demo_pipeline_vs_kernel_floor": "pipeline for a demo-size client (~1000 respondents) at most 1.2x the "
                                     "kernel-and-import floor (the floor measured cold)",
    "demo_reports_warm_vs_cold": "`make reports` for the four demo clients at least 1.6x faster with warm kernels "
                                 "than in cold mode (same run)",
    "growth_slope": "pipeline time grows linearly or better with respondents (log-log slope <= 1.1)",
    "big_client_time": "300k-respondent client: full pipeline under 5 min",
    "big_client_memory": "300k-respondent client: peak memory (runner + kernels + workers) under 6 GB",
    "noop_run": "no-op `python -m cem_research run` under 2 s",
    "selective_rebuild": "changed raw file -> only that client rebuilds; changed notebook -> only that "
                         "notebook re-runs for each client, plus the reports",
    "pii_masking_2mb": "PII masking of a whole 2 MB hostile comment under 1 s (a report's 240-character quote is "
                       "reported beside it)",
}


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
        put("demo_pipeline_vs_kernel_floor", ratio, ratio <= 1.2 and demo["ok"], respondents=demo["respondents"],
            pipeline_seconds=demo["pipeline"]["seconds"], floor_seconds=floor,
            cold_mode_seconds=demo["pipeline"].get("cold_seconds"))
    else:
        put("demo_pipeline_vs_kernel_floor", None, None)
    dr = result.get("demo_reports")
    if dr:
        put("demo_reports_warm_vs_cold", dr["speedup"], bool(dr["speedup"] and dr["speedup"] >= 1.6 and not dr["failed"]),
            warm_seconds=dr["warm_seconds"], cold_seconds=dr["cold_seconds"])
    else:
        put("demo_reports_warm_vs_cold", None, None, note="skipped (--skip-demo-reports)")
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
    pii = result.get("pii_masking")
    put("pii_masking_2mb", pii and pii["worst_whole_seconds"],
        None if not pii else bool(pii["worst_whole_seconds"] < 1 and pii["all_masked"]),
        quoted_seconds=pii and pii["worst_quoted_seconds"])
    return t


def _fmt(x, spec=".1f", none="–"):
    return none if x is None else format(x, spec)


def met(v):
    """How a target's ``met`` value reads: met, **not met** or not measured."""
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
         f"**{_fmt(floor['seconds'])} s** (median of {len(floor['runs'])}: {floor['runs']}), each notebook in a "
         "fresh kernel; the same notebooks in the workers' warm kernels: "
         f"{_fmt((floor.get('warm') or {}).get('seconds'))} s, of which a notebook that reuses a warm kernel "
         f"still pays {_fmt((floor.get('warm') or {}).get('startup_remaining_s'), '.2f')} s.", "",
         "| respondents | verbatims | touchpoints | pipeline s | × floor | cold mode s | process s (read+score / sentiment) "
         "| notebooks s | report s | peak RSS / PSS MB | sentiment cold s (distinct) | floor loop s | speed-up | warm scored |",
         "|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|---:|---:|---:|"]
    for s in result["sizes"]:
        p, pr, rows = s["pipeline"], s["processing"], s["rows"]
        se = s.get("sentiment") or {"cold_seconds": None, "distinct": 0, "floor_seconds": None, "speedup": None,
                                    "warm_scored": "–"}
        fb = rows.get("feedback.csv", {}).get("read")
        tp = rows.get("touchpoints.csv", {}).get("read")
        L.append(
            f"| {s['respondents']:,} | {fb or 0:,} | {tp or 0:,} | {_fmt(p['seconds'])} | "
            f"{_fmt(p['seconds'] / floor['seconds'], '.2f')} | {_fmt(p.get('cold_seconds'))} | {_fmt(pr['seconds'])} "
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
    dr = result.get("demo_reports")
    if dr:
        L += ["", f"`make reports` for the four demo clients from scratch ({', '.join(dr['clients'])}): "
              f"**{_fmt(dr['warm_seconds'])} s** with warm kernels against {_fmt(dr['cold_seconds'])} s cold "
              f"(**{_fmt(dr['speedup'], '.2f')}×**; runs warm {dr['warm_runs']}, cold {dr['cold_runs']})"
              + (f"; FAILED: {'; '.join(dr['failed'])}" if dr["failed"] else "") + "."]
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
    pii = result.get("pii_masking")
    if pii:
        L += ["", f"PII masking of 2 MB hostile comments ({len(pii['comments'])} kinds): worst "
              f"**{pii['worst_quoted_seconds']:.3f} s** as a report quotes one ({pii['max_chars']} characters), "
              f"worst {pii['worst_whole_seconds']:.2f} s for the whole text (linear in its length)."]
    L += ["", "## Targets", "", "| target | measured | result |", "|---|---|---|"]
    for key, t in result["targets"].items():
        v = t["value"]
        if isinstance(v, dict):
            v = ", ".join(f"{k}: {'ok' if x else 'FAILED'}" for k, x in v.items())
        elif isinstance(v, float):
            v = f"{v:g}"
        L.append(f"| {t['target']} | {v} | {met(t['met'])} |")
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
