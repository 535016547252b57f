"""Warm kernels (issue 19): one kernel per worker, reset between notebooks, same notebooks as cold runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from conftest import DEMO, REPO, code_notebook, project_root

from cem_research.run import warm

POLLUTE = [
    "import os, sys, warnings\nimport matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd\n"
    "import cem_research.present.narrative as nv\nprint(os.getpid())",
    "LEAK = 1\n"
    "matplotlib.rcParams['lines.linewidth'] = 9\n"
    "nv.num = lambda *a, **k: 'patched'\n"
    "pd.DataFrame.head = lambda self, n=5: 'patched'\n"
    "pd.DataFrame.leak = lambda self: 'leaked'\n"
    "pd.set_option('display.max_rows', 3)\n"
    "warnings.simplefilter('error')\n"
    "os.environ['CEM_LEAK'] = '1'\n"
    "sys.path.append('/leak')\n"
    "plt.figure()\n"
    "np.random.seed(0)\n"
    "os.chdir('/')",
]

CHECK = [
    "import os, sys, warnings\nimport matplotlib, matplotlib.pyplot as plt, numpy as np, pandas as pd\n"
    "import cem_research.present.narrative as nv\nprint(os.getpid())",
    "assert 'LEAK' not in globals(), 'a global survived'\n"
    "assert matplotlib.rcParams['lines.linewidth'] != 9, 'an rcParam survived'\n"
    "assert nv.num(1.5) != 'patched', 'a patched package function survived'\n"
    "assert isinstance(pd.DataFrame({'a': [1]}).head(), pd.DataFrame), 'a patched pandas method survived'\n"
    "assert not hasattr(pd.DataFrame, 'leak'), 'an added method survived'\n"
    "assert pd.get_option('display.max_rows') != 3, 'a pandas option survived'\n"
    "warnings.warn('harmless')\n"
    "assert 'CEM_LEAK' not in os.environ, 'an environment variable survived'\n"
    "assert '/leak' not in sys.path, 'a sys.path entry survived'\n"
    "assert plt.get_fignums() == [], 'an open figure survived'\n"
    "assert np.random.rand() != np.random.RandomState(0).rand(), 'the random seed survived'\n"
    "assert os.getcwd() != '/', 'the working folder survived'",
]


@pytest.fixture
def pair(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbs = [code_notebook(folder / "01_pollute.ipynb", POLLUTE), code_notebook(folder / "02_check.ipynb", CHECK)]
    yield tmp_path, nbs
    warm.shutdown_all()


def _pid(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("import os"))
    return cell.outputs[0]["text"].strip()


def test_state_left_behind_by_a_notebook_cannot_reach_the_next(pair):
    tmp, nbs = pair
    kernel = warm.warm_kernel("k", nbs)
    kernel.run(str(nbs[0]), str(tmp / "out1.ipynb"), {"client": "x"})
    assert warm.warm_kernel("k", nbs) is kernel
    kernel.run(str(nbs[1]), str(tmp / "out2.ipynb"), {"client": "x"})  # raises if a leak is seen
    assert _pid(tmp / "out1.ipynb") == _pid(tmp / "out2.ipynb")  # one kernel ran both
    checked = nbformat.read(str(tmp / "out2.ipynb"), as_version=4)
    # counted from 1, as in a new kernel (papermill adds the injected-parameters cell)
    assert [c.execution_count for c in checked.cells] == [1, 2, 3, 4]


def test_the_check_notebook_sees_leaks_when_nothing_is_reset(pair, monkeypatch):
    """The control: without the reset the same two notebooks fail, so the test above can fail."""
    import papermill as pm

    tmp, nbs = pair
    monkeypatch.setattr(warm.WarmKernel, "reset", lambda self, cwd: None)
    kernel = warm.warm_kernel("control", nbs)
    kernel.run(str(nbs[0]), str(tmp / "out1.ipynb"), {"client": "x"})
    with pytest.raises(pm.PapermillExecutionError, match="survived"):
        kernel.run(str(nbs[1]), str(tmp / "out2.ipynb"), {"client": "x"})


def test_a_kernel_is_replaced_after_max_uses_and_after_an_error(pair, monkeypatch):
    from cem_research.run.pipeline import Task, execute_task

    tmp, nbs = pair
    monkeypatch.setattr(warm, "MAX_USES", 1)
    first = warm.warm_kernel("k", nbs)
    first.run(str(nbs[1]), str(tmp / "a.ipynb"), {"client": "x"})
    second = warm.warm_kernel("k", nbs)
    assert second is not first and not first.alive()
    bad = code_notebook(tmp / "notebooks" / "03_fails.ipynb", ["raise ValueError('boom')"])
    monkeypatch.setattr(warm, "MAX_USES", 20)
    task = Task("c", str(bad), str(tmp / "b.ipynb"), {"client": "x"}, "key", str(tmp), warm_key="k",
                warmup=tuple(str(n) for n in nbs))
    _, _, _, err = execute_task(task)
    assert "boom" in err
    assert warm.warm_kernel("k", nbs) is not second


def test_warmup_code_holds_the_notebooks_imports():
    code = warm.warmup_code(sorted((REPO / "notebooks").glob("0*.ipynb")))
    assert "from cem_research.client.data import load_client" in code
    assert "import seaborn" in code
    compile(code, "warmup", "exec")


#: Long decimals in text outputs (a float's repr): compared to 10 significant digits, as the JSON numbers.
LONG_DECIMAL = re.compile(r"-?\d+\.\d{10,}(?:e[-+]?\d+)?")


def _same_float(x: float) -> float:
    """``x`` to 10 significant digits: numpy's sums can differ in the last bits from one process to the
    next (SIMD loops depend on memory alignment), in cold runs as in warm ones; no report shows them."""
    return float(f"{x:.10g}")


def _normal(value):
    if isinstance(value, float):
        return _same_float(value)
    if isinstance(value, str):
        return LONG_DECIMAL.sub(lambda m: repr(_same_float(float(m.group(0)))), value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def _content(path: Path) -> list:
    """An executed notebook without its timing metadata: each cell's source, count and outputs (floats to
    10 significant digits, :func:`_same_float`)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["source"], c.get("execution_count"), _normal(c.get("outputs"))) for c in nb["cells"]]


def test_content_compares_floats_to_ten_digits_and_nothing_else(tmp_path):
    def notebook(outputs):
        path = tmp_path / "nb.ipynb"
        path.write_text(json.dumps({"cells": [{"source": "x", "execution_count": 1, "outputs": outputs}]}))
        return _content(path)

    a = notebook([{"data": {"rows": [[0.3615988455273465, "p = 0.012"]]}, "text": "0.49738958859086857"}])
    b = notebook([{"data": {"rows": [[0.36159884552734656, "p = 0.012"]]}, "text": "0.4973895885908686"}])
    assert a == b
    assert a != notebook([{"data": {"rows": [[0.3615988456, "p = 0.012"]]}, "text": "0.4973895885908686"}])
    assert a != notebook([{"data": {"rows": [[0.3615988455273465, "p = 0.013"]]}, "text": "0.4973895885908686"}])


@pytest.mark.slow
def test_warm_and_cold_runs_give_the_same_notebooks_findings_and_tables(demo_reports, tmp_path):
    """Every demo client's notebooks, run again each in a fresh kernel (``cold``) with the parameters the
    warm run recorded, have the same cells, execution counts and outputs: the findings payloads, the
    tables (their data and HTML) and the figures are outputs of the notebooks."""
    from cem_research.run.pipeline import Runner, Task

    root = demo_reports
    tasks = []
    for client in DEMO:
        for hot in sorted((root / "reports" / client / "notebooks").glob("*.ipynb")):
            nb = json.loads(hot.read_text(encoding="utf-8"))
            recorded = nb["metadata"]["papermill"]["parameters"]  # sorted by name; injected in the runner's order
            injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
            params = {k: recorded[k] for k in (ln.split(" = ")[0] for ln in injected["source"][1:])}
            tasks.append(Task(client, str(root / "notebooks" / hot.name), str(tmp_path / client / hot.name),
                              params, "cold", str(root), cold=True))
    assert len(tasks) == 5 * len(DEMO)
    with project_root(root):
        errors = [err for _, _, err in Runner(root, jobs=2, cold=True, echo=lambda m: None).execute(tasks) if err]
    assert not errors, errors
    findings = 0
    for task in tasks:
        cold, hot = Path(task.output), root / "reports" / task.client / "notebooks" / Path(task.output).name
        assert _content(cold) == _content(hot), (task.client, cold.name)
        findings += json.dumps(_content(cold)).count("cem-research.finding")
    assert findings >= 4 * len(DEMO)  # the comparison covers the findings payloads
