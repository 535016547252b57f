"""Warm kernels: pay a Jupyter kernel's start-up and the heavy imports once per worker.

A cold run starts a fresh kernel for every notebook, and every kernel imports pandas, matplotlib,
seaborn, pingouin, statsmodels and the package again (3–5 s each on two busy cores).  A warm
kernel is started once per worker process (or per thread of a Dask worker), imports what the
numbered notebooks import (:func:`warmup_code`, parsed from the notebooks themselves), records
its state (:func:`cem_research.run.kernel_state.snapshot`) and then runs notebook after notebook.
In a local run with several workers the kernel is forked from the run's zygote
(:mod:`cem_research.run.zygote`), which has made those imports once for all workers.
Before each notebook it is reset (:func:`cem_research.run.kernel_state.reset`: namespace,
figures, rcParams, options, warnings, random seeds, environment, rebound functions, data caches),
so the executed notebook has the same content as a cold run's (``tests/test_warm.py``).

Papermill still parameterises, executes and writes the notebook: the engine :data:`ENGINE` is a papermill
engine (papermill's documented extension point) whose only difference from the default engine is
that it hands nbclient the warm kernel and its client instead of starting new ones.

A kernel is replaced by a fresh one after :data:`MAX_USES` notebooks, after any error (a failed
cell, a kernel that died, a reset that failed), and when the package's code or the project
changed (:func:`warm_kernel`).  Kernels end with their worker: :func:`shutdown_all` at exit, and
each kernel polls its parent process (a forked kernel also watches the worker that asked for it).
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import sys
import threading
from pathlib import Path

__all__ = ["MAX_USES", "WARM_LIBRARIES", "ENGINE", "notebook_imports", "warmup_code", "WarmKernel",
           "warm_kernel", "prewarm", "discard_kernel", "shutdown_all"]

#: Notebooks one kernel runs before it is replaced by a fresh one.
MAX_USES = 20
#: Libraries imported at warm-up besides the notebooks' own imports (what the package uses inside).
WARM_LIBRARIES = ("numpy", "pandas", "scipy.stats", "matplotlib.pyplot", "seaborn", "pingouin",
                  "statsmodels.api", "IPython.display")
#: Seconds allowed for a kernel to start and for the warm-up imports.
START_TIMEOUT = 120

#: The papermill engine that runs a notebook in a warm kernel (:func:`_engine_class`).
ENGINE = "cem-warm"

_LOCAL = threading.local()
_REGISTERED = False
_ALL: list["WarmKernel"] = []


def notebook_imports(path: Path) -> tuple[str, list[str]]:
    """The parameters cell and the import statements of a notebook's code cells (in order).

    Only top-level ``import`` and ``from ... import`` statements count; a cell that is not Python
    (a magic or shell line) is skipped.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    params, imports = "", []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            params = cell.source
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        imports += [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return params, list(dict.fromkeys(imports))


def warmup_code(notebooks: list[Path]) -> str:
    """:data:`WARM_LIBRARIES` and the imports of ``notebooks`` (:func:`notebook_imports`), one per line.

    Examples
    --------
    >>> "import pandas" in warmup_code([])
    True
    """
    lines = [f"import {lib}" for lib in WARM_LIBRARIES]
    for path in notebooks:
        lines += notebook_imports(path)[1]
    return "\n".join(dict.fromkeys(lines))


class WarmKernel:
    """One Jupyter kernel, warmed with imports, that runs many notebooks one after the other.

    Parameters
    ----------
    key : str
        What the warm state depends on (project folder and package fingerprint); a task with
        another key gets another kernel.
    warmup : str
        Code run once after start-up (imports).
    cwd : str
        The kernel's starting folder (the notebooks' folder).
    zygote : str, optional
        Address of the run's :class:`cem_research.run.zygote.Zygote`: the kernel is forked from it,
        its imports already done (else, or when the zygote cannot serve, it is started as usual).
    """

    def __init__(self, key: str, warmup: str, cwd: str, zygote: str = ""):
        self.key, self.warmup, self.cwd, self.zygote = key, warmup, cwd, zygote
        self.uses = 0
        self.km = self.kc = None

    def start(self) -> "WarmKernel":
        """Start the kernel, run the warm-up imports and record the state to restore."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from cem_research.run.pipeline import KERNEL

        self.km = AsyncKernelManager(kernel_name=KERNEL)
        if self.zygote:
            from cem_research.run.zygote import ZygoteProvisioner

            self.km.provisioner = ZygoteProvisioner(self.zygote, self.km)
        run_sync(self.km.start_kernel)(cwd=self.cwd, extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        _register_engine()  # papermill loads while the kernel starts
        self.kc = self.km.client()
        self.kc.allow_stdin = False
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
        self._run(f"{self.warmup}\nimport cem_research.run.kernel_state as _cem_state\n_cem_state.snapshot()\n"
                  "del _cem_state")
        if not _ALL:
            import multiprocessing.util

            # a pool worker ends with os._exit, which skips atexit: multiprocessing's finalizers still run
            multiprocessing.util.Finalize(None, shutdown_all, exitpriority=100)
        _ALL.append(self)
        return self

    def _run(self, code: str) -> None:
        """Run ``code`` silently in the kernel (no output, no execution count); raise if it fails."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False,
                                                       timeout=START_TIMEOUT, output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"the warm kernel failed: {content.get('ename')}: {content.get('evalue')}")

    def reset(self, cwd: str) -> None:
        """Restore the warm state before the next notebook, with this process's environment."""
        args = json.dumps([cwd, dict(os.environ), list(sys.path)])
        self._run("import json as _j, cem_research.run.kernel_state as _s\n"
                  f"_s.reset(*_j.loads({args!r}))\n")

    def run(self, notebook: str, output: str, parameters: dict) -> None:
        """Execute ``notebook`` into ``output`` with papermill in this kernel (after a reset)."""
        import papermill as pm

        from cem_research.run.pipeline import KERNEL, SAVE_EACH_CELL

        _register_engine()
        cwd = str(Path(notebook).parent)
        self.reset(cwd)
        self.uses += 1
        pm.execute_notebook(notebook, output, parameters=parameters, kernel_name=KERNEL, cwd=cwd,
                            progress_bar=False, log_output=False, engine_name=ENGINE, warm=self,
                            request_save_on_cell_execute=SAVE_EACH_CELL)

    def alive(self) -> bool:
        """Whether the kernel process still runs."""
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """End the kernel (idempotent)."""
        from jupyter_core.utils import run_sync

        if self in _ALL:
            _ALL.remove(self)
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and run_sync(self.km.is_alive)():
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel already gone; nothing left to end
            pass
        self.km = self.kc = None


def _register_engine() -> None:
    """Register :data:`ENGINE` with papermill (once per process; papermill is imported only here)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE, _engine_class())
    _REGISTERED = True


def _engine_class():
    """The papermill engine class of :data:`ENGINE` (built here so that papermill loads only when used)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class _WarmEngine(NBClientEngine):
        """Papermill's nbclient engine, executing in a :class:`WarmKernel` instead of a new kernel."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            warm = kwargs.pop("warm")
            kwargs = remove_args(["input_path"], **kwargs)
            safe = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(safe, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                                 startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                                 log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=warm.km, **final)
            client.kc = warm.kc  # nbclient keeps a kernel and a client it did not create
            return client.execute()

    return _WarmEngine


def warm_kernel(key: str, notebooks: list[Path], zygote: str = "") -> WarmKernel:
    """This thread's warm kernel for ``key`` (started and warmed on first use, replaced after
    :data:`MAX_USES` notebooks or when ``key`` changes); forked from the zygote at ``zygote`` if given."""
    kernel = getattr(_LOCAL, "kernel", None)
    if kernel is not None and (kernel.key != key or kernel.uses >= MAX_USES or not kernel.alive()):
        discard_kernel()
        kernel = None
    if kernel is None:
        cwd = str(Path(notebooks[0]).parent) if notebooks else os.getcwd()
        kernel = WarmKernel(key, warmup_code(notebooks), cwd, zygote)
        _LOCAL.kernel = kernel
        kernel.start()
    return kernel


def prewarm(key: str, warmup: tuple[str, ...], zygote: str = "") -> int:
    """Start this worker's warm kernel ahead of its first notebook; returns the worker's process id."""
    try:
        warm_kernel(key, [Path(p) for p in warmup], zygote)
    except Exception:  # noqa: BLE001 - the first notebook starts it again and reports what fails
        discard_kernel()
    return os.getpid()


def discard_kernel() -> None:
    """End this thread's warm kernel (after an error: the next notebook gets a fresh one)."""
    kernel = getattr(_LOCAL, "kernel", None)
    _LOCAL.kernel = None
    if kernel is not None:
        kernel.shutdown()


def shutdown_all() -> None:
    """End every warm kernel of this process (at exit, and at the end of an in-process run)."""
    for kernel in list(_ALL):
        kernel.shutdown()
    _LOCAL.kernel = None


atexit.register(shutdown_all)
