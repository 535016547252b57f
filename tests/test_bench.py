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
    args = bench._parser().parse_args([])
    assert args.sizes == [1_000, 10_000, 100_000, 300_000] and args.out == "reports/bench"
    assert bench._parser().parse_args(["--quick"]).quick
    assert list(bench.QUICK_SIZES) == [300, 3_000]


@pytest.mark.slow
def test_bench_smoke(tmp_path):
    notebooks = write_notebooks(tmp_path / "notebooks")
    out = tmp_path / "out"
    rc = bench.main(["--sizes", "200", "--out", str(out), "--jobs", "2", "--notebooks", str(notebooks),
                     "--repeats", "1", "--floor-repeats", "1", "--tmp", str(tmp_path)])
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
    assert {"peak_rss_mb", "peak_pss_mb", "ru_maxrss_self_mb", "ru_maxrss_children_mb"} <= set(floor["memory"])

    (size,) = result["sizes"]
    assert size["respondents"] == 200 and size["ok"], size.get("error")
    pipe = size["pipeline"]
    assert pipe["executed"] == sorted(NOTEBOOKS) and set(pipe["notebooks"]) == set(NOTEBOOKS)
    assert set(pipe["stages"]) == {"process", "notebooks", "report"}
    assert pipe["memory"]["peak_rss_mb"] > 0 and pipe["memory"]["peak_processes"] >= 2  # runner + kernels
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
    md = (out / "bench.md").read_text()
    assert "## Targets" in md and "| 200 |" in md
