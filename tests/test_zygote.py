"""The run's zygote (issue 19): kernels forked with their imports done, never different results."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import nbformat
import pytest
from conftest import TINY, code_notebook, make_project, survivors_of_kill

from cem_research.run import warm, zygote
from cem_research.run.zygote import ForkedProcess, Zygote, ZygoteUnavailable

pytestmark = pytest.mark.skipif(not zygote.available(), reason="no fork on this platform")

def test_a_zygote_that_cannot_serve_leaves_the_kernel_to_start_as_usual(tmp_path):
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    broken = Zygote.start("raise RuntimeError('no warm-up today')")
    try:
        with pytest.raises(ZygoteUnavailable, match="the warm-up failed: RuntimeError: no warm-up today"):
            zygote.fork_kernel(broken.address, cmd, {}, str(tmp_path), timeout=60)
        with pytest.raises(ZygoteUnavailable, match="another matplotlib backend"):
            zygote.fork_kernel(broken.address, cmd, {"MPLBACKEND": "Agg"}, str(tmp_path), timeout=60)
        with pytest.raises(ZygoteUnavailable, match="not an ipykernel launch command"):
            zygote.fork_kernel(broken.address, ["R", "--slave"], {}, str(tmp_path), timeout=60)
        kernel = warm.WarmKernel("k", "import os", str(tmp_path), broken.address).start()
        assert isinstance(kernel.km.provisioner.process, subprocess.Popen)  # started the usual way
        kernel.shutdown()
    finally:
        warm.shutdown_all()
        broken.stop()
    with pytest.raises(ZygoteUnavailable, match="did not answer"):
        zygote.fork_kernel(broken.address, cmd, {}, str(tmp_path), timeout=5)


def test_a_forked_process_stands_in_for_popen():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    fake = ForkedProcess(proc.pid)
    assert fake.poll() is None
    fake.terminate()
    proc.wait(timeout=10)  # reaped by its parent, as the zygote reaps its children
    assert fake.wait(timeout=5) == 0 and fake.poll() == 0


def test_a_warm_kernel_forked_by_the_zygote_runs_notebooks_and_can_be_interrupted(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = code_notebook(folder / "01_x.ipynb", [
        # `wave` (a standard module nothing here imports) comes from the zygote's warm-up
        "import os, sys\nprint('wave' in sys.modules, os.getppid(), os.getpgid(0) == os.getpid())",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\ndisplay(fig)\nplt.close(fig)",
    ])
    z = Zygote.start(warm.warmup_code([nb]) + "\nimport wave")
    try:
        kernel = warm.WarmKernel("k", warm.warmup_code([nb]), str(folder), z.address).start()
        assert isinstance(kernel.km.provisioner.process, ForkedProcess), "the kernel was not forked"
        out = tmp_path / "out.ipynb"
        kernel.run(str(nb), str(out), {"client": "c"})
        cells = nbformat.read(str(out), as_version=4).cells[-2:]  # after papermill's parameter cells
        preloaded, parent, own_group = cells[0].outputs[0]["text"].split()
        assert preloaded == "True" and int(parent) == z.process.pid and own_group == "True"
        assert "image/png" in cells[1].outputs[0]["data"]  # the inline backend, as in a cold kernel
        # an interrupt (nbclient's answer to a cell timeout) reaches the forked kernel
        from jupyter_core.utils import run_sync

        kernel.kc.execute("import time; time.sleep(60)")
        time.sleep(1)
        t0 = time.monotonic()
        run_sync(kernel.km.interrupt_kernel)()
        reply = run_sync(kernel.kc.get_shell_msg)(timeout=20)
        assert reply["content"]["ename"] == "KeyboardInterrupt" and time.monotonic() - t0 < 15
        pid = kernel.km.provisioner.pid
        kernel.shutdown()
        assert ForkedProcess(pid).wait(timeout=10) == 0
    finally:
        warm.shutdown_all()
        z.stop()


def test_a_local_run_forks_its_kernels_from_its_zygote_and_ends_it(tmp_path, monkeypatch):
    """A run with two workers starts one zygote; every notebook's kernel is its child; it ends with the run."""
    from cem_research.run.pipeline import Runner

    nbs = tmp_path / "nb"
    nbs.mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        code_notebook(nbs / name, ["import os\nprint(os.getppid())"])
    root = make_project(tmp_path / "project", {"tiny": TINY}, notebooks=nbs)
    started = []
    real = Zygote.start.__func__

    def start(cls, warmup):
        started.append(real(cls, warmup))
        return started[-1]

    monkeypatch.setattr(Zygote, "start", classmethod(start))
    monkeypatch.setenv("CEM_PROJECT_ROOT", str(root))
    outcomes = Runner(root, jobs=2, echo=lambda m: None).run()
    assert [o.ok for o in outcomes] == [True], outcomes
    assert len(started) == 1
    zyg = started[0]
    for name in ("01_a.ipynb", "02_b.ipynb"):
        cell = nbformat.read(str(root / "reports" / "tiny" / "notebooks" / name), as_version=4).cells[-1]
        assert int(cell.outputs[0]["text"]) == zyg.process.pid, "the kernel was not forked by the run's zygote"
    assert zyg.process.poll() is not None and not zyg.folder.exists()


KILLED = """
import sys, time
from pathlib import Path
from cem_research.run import warm
from cem_research.run.zygote import Zygote

z = Zygote.start("import os")
kernel = warm.WarmKernel("k", "import os", sys.argv[1], z.address).start()
print("started", z.process.pid, kernel.km.provisioner.pid, flush=True)
time.sleep(120)
"""


def test_the_zygote_and_its_kernels_end_with_a_killed_runner(tmp_path):
    """``kill -9`` of the process that started a zygote: the zygote and the kernels it forked end too."""
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "runner.py"
    script.write_text(textwrap.dedent(KILLED))
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        words = proc.stdout.readline().split()
        assert words[0] == "started", words
        procs = [psutil.Process(int(w)) for w in words[1:]]
        assert survivors_of_kill(proc, procs, timeout=15) == [], "the zygote or its kernel outlived the runner"
    finally:
        if proc.poll() is None:
            proc.kill()
