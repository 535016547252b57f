"""Warm kernels (issue 19): one kernel per worker, reset between notebooks, same notebooks as cold runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import DEMO, REPO, make_project, project_root

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


def _notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("client = None", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def pair(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbs = [_notebook(folder / "01_pollute.ipynb", POLLUTE), _notebook(folder / "02_check.ipynb", CHECK)]
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
    bad = _notebook(tmp / "notebooks" / "03_fails.ipynb", ["raise ValueError('boom')"])
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


def _content(path: Path) -> list:
    """An executed notebook without its timing metadata: each cell's source, count and outputs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["source"], c.get("execution_count"), c.get("outputs")) for c in nb["cells"]]


@pytest.mark.slow
def test_warm_and_cold_runs_give_the_same_notebooks_findings_and_tables(demo_reports, tmp_path_factory):
    from cem_research.run.pipeline import Runner

    root = make_project(tmp_path_factory.mktemp("cold"), {c: REPO / "data" / "raw" / c for c in DEMO})
    with project_root(root):
        outcomes = Runner(root, jobs=2, cold=True, echo=lambda m: None).run()
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    for client in DEMO:
        cold, hot = root / "reports" / client, demo_reports / "reports" / client
        names = sorted(p.name for p in (cold / "notebooks").glob("*.ipynb"))
        assert names and names == sorted(p.name for p in (hot / "notebooks").glob("*.ipynb"))
        for name in names:
            assert _content(cold / "notebooks" / name) == _content(hot / "notebooks" / name), (client, name)
        tables = sorted(p.relative_to(cold).as_posix() for p in (cold / "tables").rglob("*") if p.is_file())
        assert tables
        for rel in tables:
            assert (cold / rel).read_bytes() == (hot / rel).read_bytes(), (client, rel)
    shutil.rmtree(root / "reports", ignore_errors=True)
