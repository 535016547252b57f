"""The benchmark harness (``python -m benchmarks.bench``).

Nothing here asserts on seconds: timings depend on the machine.  The smoke test runs the whole
harness at a tiny size with a two-notebook set and checks the shape of ``bench.json`` and the
things that do not depend on the machine (the warm sentiment run scores nothing, rebuilds are
selective, the no-op run does nothing).
"""

from __future__ import annotations

import json
import math

import nbformat
import pytest

from benchmarks import bench

PARAMS = 'client = "tiny_client"\nraw_root = None\nwave = None'
NOTEBOOKS = {
    "01_load.ipynb": "from cem_research.client.data import load_client\n"
                     "data = load_client(client, raw_root=raw_root, wave=wave)\nprint(len(data.ratings))",
    "02_feedback.ipynb": "import pandas as pd\nfrom cem_research.client.data import load_client\n"
                         "data = load_client(client, raw_root=raw_root, wave=wave)\n"
                         "print(data.feedback['compound'].mean())",
}


def write_notebooks(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        params = nbformat.v4.new_code_cell(PARAMS)
        params.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params, nbformat.v4.new_code_cell(body)]
        nbformat.write(nb, folder / name)
    return folder


def test_notebook_imports_are_parsed(tmp_path):
    folder = write_notebooks(tmp_path / "nb")
    params, imports = bench.notebook_imports(folder / "02_feedback.ipynb")
    assert params == PARAMS
    assert imports == ["import pandas as pd", "from cem_research.client.data import load_client"]
    made = bench.write_floor_notebooks(sorted(folder.glob("*.ipynb")), tmp_path / "floor")
    assert [m["notebook"] for m in made] == sorted(NOTEBOOKS)
    floor = nbformat.read(tmp_path / "floor" / "02_feedback.ipynb", as_version=4)
    assert floor.cells[0].metadata["tags"] == ["parameters"]
    code = floor.cells[1].source
    assert "import pandas as pd" in code and "import pingouin" in code and "load_client(" not in code


def test_makespan():
    assert bench.makespan([10, 6, 7, 5, 5], 2) == 18.0
    assert bench.makespan(sorted([10, 6, 7, 5, 5], reverse=True), 2) == 18.0
    assert bench.makespan([35, 58, 30, 40, 75], 2) == 140.0  # the longest notebook last...
    assert bench.makespan([75, 58, 40, 35, 30], 2) == 128.0  # ...or first
    assert bench.makespan([], 2) == 0.0


def test_loglog_slope():
    assert bench.loglog_slope([(10, 2.0), (100, 20.0), (1000, 200.0)]) == pytest.approx(1.0)
    assert bench.loglog_slope([(10, 5.0), (1000, 5.0)]) == pytest.approx(0.0)
    assert bench.loglog_slope([(10, 5.0)]) is None
    assert math.isclose(bench.loglog_slope([(1, 1.0), (4, 2.0)]), 0.5)


def test_quick_sizes_and_defaults():
    args = bench.make_parser().parse_args([])
    assert args.sizes == [1_000, 10_000, 100_000, 300_000] and args.out == "reports/bench"
    assert bench.make_parser().parse_args(["--quick"]).quick
    assert list(bench.QUICK_SIZES) == [300, 3_000]


@pytest.mark.slow
def test_bench_smoke(tmp_path):
    notebooks = write_notebooks(tmp_path / "notebooks")
    out = tmp_path / "out"
    rc = bench.main(["--sizes", "200", "--out", str(out), "--jobs", "2", "--notebooks", str(notebooks),
                     "--repeats", "1", "--floor-repeats", "1", "--tmp", str(tmp_path), "--skip-demo-reports"])
    assert rc == 0
    result = json.loads((out / "bench.json").read_text())
    assert result["schema"] == bench.SCHEMA
    machine = result["machine"]
    for key in ("cpu_count", "cpu_model", "memory_gb", "date", "platform"):
        assert key in machine
    assert {"python", "pandas", "papermill", "nltk"} <= set(machine["versions"])
    assert result["settings"]["sizes"] == [200] and result["settings"]["notebooks"] == sorted(NOTEBOOKS)

    floor = result["kernel_floor"]
    assert set(floor["notebooks"]) == set(NOTEBOOKS) and isinstance(floor["seconds"], float)
    assert set(floor["warm"]["notebooks"]) == set(NOTEBOOKS)  # the same notebooks in warm kernels
    assert {"peak_rss_mb", "peak_pss_mb", "ru_maxrss_self_mb", "ru_maxrss_children_mb"} <= set(floor["memory"])

    (size,) = result["sizes"]
    assert size["respondents"] == 200 and size["ok"], size.get("error")
    pipe = size["pipeline"]
    assert pipe["executed"] == sorted(NOTEBOOKS) and set(pipe["notebooks"]) == set(NOTEBOOKS)
    assert set(pipe["stages"]) == {"process", "notebooks", "report"}
    assert pipe["memory"]["peak_rss_mb"] > 0 and pipe["memory"]["peak_processes"] >= 2  # runner + kernels
    assert len(pipe["cold_runs"]) == 1 and pipe["cold_seconds"] > 0  # the same run in cold mode
    assert size["rows"]["feedback.csv"]["read"] > 0
    assert size["processing"]["sentiment_scored"] > 0
    assert set(size["profile"]) == set(NOTEBOOKS)  # the demo-nearest size is profiled by default
    assert all(not p["error"] for p in size["profile"].values())
    assert {"file_order_s", "longest_first_s", "lower_bound_s"} <= set(pipe["scheduling"])

    sent = size["sentiment"]
    assert sent["cold_scored"] == sent["distinct"] > 0
    assert sent["warm_scored"] == 0 and sent["warm_equals_cold"]
    assert sent["max_abs_diff_vs_floor"] == 0.0  # parallel scoring = the plain VADER loop
    assert sent["verbatims"] >= sent["distinct"]

    assert result["noop_run"]["up_to_date"] and result["noop_run"]["returncode"] == 0
    rebuild = result["selective_rebuild"]
    assert rebuild["ok"], rebuild["checks"]
    assert rebuild["steps"]["modify_raw_file"]["sel_b"]["notebooks_executed"] == 0

    assert set(result["targets"]) == set(bench.TARGETS)
    for key, target in result["targets"].items():
        assert target["met"] in (True, False, None), key
        assert "value" in target and target["target"] == bench.TARGETS[key]
    assert result["targets"]["sentiment_warm_scores_none"]["met"] is True
    assert result["targets"]["selective_rebuild"]["met"] is True
    assert result["targets"]["big_client_time"]["met"] is None  # not measured at this size
    assert result["targets"]["demo_reports_warm_vs_cold"]["met"] is None  # skipped
    md = (out / "bench.md").read_text()
    assert "## Targets" in md and "| 200 |" in md


def _size(n, seconds, speedup, rss=900.0):
    notebooks = {"01_load.ipynb": seconds / 3, "02_feedback.ipynb": seconds / 3}
    return {"respondents": n, "client": f"coffee_house_{n}", "ok": True, "error": "",
            "rows": {"feedback.csv": {"read": 3 * n, "kept": 3 * n},
                     "touchpoints.csv": {"read": 10 * n, "kept": 10 * n}},
            "pipeline": {"seconds": seconds, "runs": [seconds], "notebooks": notebooks,
                         "stages": {"process": seconds / 6, "notebooks": 2 * seconds / 3, "report": seconds / 6},
                         "memory": {"peak_rss_mb": rss, "peak_pss_mb": rss / 2},
                         "scheduling": {"file_order_s": 1.0, "longest_first_s": 1.0, "lower_bound_s": 1.0}},
            "processing": {"seconds": seconds / 6, "read_and_score_seconds": 1.0, "sentiment_seconds": 0.5,
                           "rebuilt_during_notebooks": False},
            "sentiment": {"cold_seconds": 1.0, "distinct": n, "floor_seconds": speedup, "speedup": speedup,
                          "speedup_over_distinct_loop": speedup, "warm_scored": 0}}


def test_targets_and_summary_of_a_result():
    """The targets and bench.md follow from the measurements alone (no harness run)."""
    sizes = [_size(1_000, 12.0, 2.0), _size(300_000, 400.0, 1.5, rss=7_000.0)]
    pts = [(s["respondents"], s["pipeline"]["seconds"]) for s in sizes]
    result = {
        "machine": {"date": "2026-01-01", "cpu_count": 2, "cpu_model": "test CPU", "memory_gb": 8.0,
                    "versions": {"python": "3.11", "pandas": "3.0"}, "load_average_start": [0.1, 0.1, 0.1]},
        "settings": {"jobs": 2, "template": "coffee_house"},
        "kernel_floor": {"seconds": 10.0, "runs": [10.0],
                         "notebooks": {"01_load.ipynb": 3.0, "02_feedback.ipynb": 3.0}},
        "sizes": sizes, "growth": {"points": pts, "slope": bench.loglog_slope(pts), "slope_largest_two": None,
                                   "slope_above_floor": None},
        "noop_run": {"seconds": 1.2, "runs": [1.2], "up_to_date": True, "output": ["all up to date"]},
        "selective_rebuild": {"ok": False, "checks": {"first_run_executes_all": True, "no_change_executes_none": False},
                              "clients": ["sel_a"], "respondents": 200,
                              "steps": {"first_run": {"sel_a": {"notebooks_executed": 2, "processed": True,
                                                                "report_built": True}}}},
        "load_average_end": [0.2, 0.2, 0.2],
        "demo_reports": {"clients": ["a", "b"], "warm_seconds": 50.0, "cold_seconds": 75.0, "warm_runs": [50.0],
                         "cold_runs": [75.0], "speedup": 1.5, "failed": []},
    }
    t = bench.evaluate(result)
    assert set(t) == set(bench.TARGETS)
    assert t["sentiment_speedup"]["value"] == 1.5 and t["sentiment_speedup"]["met"] is False  # worst size counts
    assert t["demo_pipeline_vs_kernel_floor"]["value"] == 1.2 and t["demo_pipeline_vs_kernel_floor"]["met"] is True
    assert t["demo_reports_warm_vs_cold"]["value"] == 1.5 and t["demo_reports_warm_vs_cold"]["met"] is False
    assert t["big_client_time"]["met"] is False and t["big_client_memory"]["met"] is False
    assert t["growth_slope"]["met"] is True and t["noop_run"]["met"] is True
    assert t["selective_rebuild"]["met"] is False
    result["targets"] = t
    md = bench.render_markdown(result)
    assert "| 1,000 | 3,000 | 10,000 | 12.0 | 1.20 | – |" in md and "| 300,000 |" in md
    assert "**50.0 s** with warm kernels against 75.0 s cold (**1.50×**" in md
    assert "| first run | 2 notebooks, processed, report |" in md
    assert "no_change_executes_none: FAILED" in md and "**not met**" in md
