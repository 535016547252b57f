"""Run the numbered notebooks for every client and assemble the reports.

A run has three stages per client: *process* (raw → ``data/processed/<client>``),
*notebooks* (papermill executes each numbered notebook with the client's parameters
into ``reports/<client>/notebooks/``) and *report* (the executed notebooks become
``reports/<client>/report.html``).  Work is skipped when its inputs did not change:
every output records the hash of what it was made from in ``reports/<client>/manifest.json``.

A run uses one snapshot of each client's data: the client is processed once, before any of its
notebooks runs, and the processed snapshot's id (``meta.json["snapshot"]``,
:func:`cem_research.client.processing.snapshot_id`) is passed to every notebook as the papermill
parameter ``snapshot``; a notebook then reads exactly that snapshot (``load_client(...,
snapshot=snapshot)``) and never re-processes, so a raw file edited during the run reaches no
report of this run, and the report's reproducibility stamp (the snapshot's checksums) describes
the data every notebook read.

(client, notebook) tasks run in parallel in local processes (``jobs``) or on an existing
Dask distributed cluster (``scheduler``).  A client that fails does not stop the others:
anything it raises in any stage (processing, notebooks, report) becomes that client's one-line
failure (:func:`one_line`), the other clients build, and the index is always written with every
client's state.  Its previous report stays in place, since every output is written to a temporary
name and moved into place only when complete.

Before reuse, a processed snapshot is verified against its own checksums (a deleted or truncated
table is rebuilt, never reported "up to date"), and an executed notebook against the checksum the
manifest recorded.  Pool workers end with the runner, even when it is killed (:func:`worker_pool`);
a kernel that fails to start is started once more (:data:`KERNEL_START_FAILURES`).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from cem_research import __version__
from cem_research.client.errors import ContractError, SnapshotError
from cem_research.client.paths import PACKAGE_DIR

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
KERNEL = "python3"
#: Package files no notebook or report uses: editing them must not re-run every client's notebooks.
NOT_REPORT_CODE: frozenset[str] = frozenset()
#: Words of an error raised while a kernel starts (a port clash, a kernel that died at start): such a
#: notebook is started once more before its client fails.  A cell's error is never retried.
KERNEL_START_FAILURES = ("kernel died before replying", "kernel didn't respond", "address already in use",
                         "kernel_info", "failed to start the kernel", "zmqerror", "the warm kernel failed")
#: Longest failure message (characters) shown for a client.
MAX_MESSAGE = 400
#: How often (seconds) a pool worker checks that the runner is still alive.
PARENT_POLL = 0.5
#: Whether papermill rewrites the executed notebook after every cell.  Off: the output is a temporary
#: file nobody watches until it is complete (:func:`cem_research.client.io.atomic_path`), and each
#: rewrite JSON-encodes every output so far (figures included) in the worker, on the cores the kernels use.
SAVE_EACH_CELL = False


@dataclass
class Task:
    """One notebook to execute for one client."""

    client: str
    notebook: str          # absolute path of the source notebook
    output: str            # absolute path of the executed notebook
    parameters: dict
    key: str               # hash of everything the output depends on
    root: str
    cold: bool = False     # a fresh kernel for this notebook (else the worker's warm kernel)
    warm_key: str = ""     # what a warm kernel's state depends on (project and package code)
    warmup: tuple = ()     # the notebooks whose imports warm a kernel
    zygote: str = ""       # address of the run's zygote that forks warm kernels ("" : start them as usual)


@dataclass
class ClientOutcome:
    """What happened to one client in a run."""

    client: str
    ok: bool = True
    error: str = ""
    processed: bool = False
    executed: list[str] = field(default_factory=list)
    report_built: bool = False
    seconds: float = 0.0


def package_fingerprint() -> str:
    """Hash of every module of the package (a code change re-runs the notebooks)."""
    h = hashlib.sha256(__version__.encode())
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.name in NOT_REPORT_CODE:
            continue
        if p.is_file() and p.suffix in {".py", ".yaml", ".txt", ".css", ".html", ".j2"}:
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def list_notebooks(root: Path) -> list[Path]:
    """The numbered notebooks in ``root/notebooks``, in order."""
    return sorted((root / "notebooks").glob(NOTEBOOK_GLOB))


def _hash(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()[:20]


def one_line(exc: BaseException, limit: int = MAX_MESSAGE) -> str:
    r"""An exception as one line for a researcher: a contract error's own line, else ``Type: message``.

    A traceback inside the message (a kernel that failed to start prints one) is reduced to its last
    line; whitespace is collapsed and the line shortened to ``limit`` characters.

    Examples
    --------
    >>> one_line(ValueError("Mixed timezones detected.\n Pass utc=True"))
    'ValueError: Mixed timezones detected. Pass utc=True'
    >>> one_line(RuntimeError("Traceback (most recent call last):\n  File x\nOSError: port in use"))
    'RuntimeError: OSError: port in use'
    """
    text = _squash(str(exc))
    if not isinstance(exc, ContractError):
        name = getattr(exc, "ename", None) or type(exc).__name__
        text = f"{name}: {text}" if text else name
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _squash(text: str) -> str:
    """One line: a traceback reduced to its last line, whitespace collapsed."""
    if "Traceback (most recent call last)" in text:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        text = lines[-1] if lines else text
    return " ".join(text.split())


def parent_death_signal(signum: int) -> None:
    """Ask the operating system to send this process ``signum`` when its parent ends (Linux's
    ``prctl(PR_SET_PDEATHSIG)``; a no-op elsewhere, where callers also poll their parent)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signum))  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


def _end_with_parent(parent: int) -> None:
    """Pool-worker initializer: end this worker when the runner (``parent``) ends, even by ``kill -9``.

    On Linux the kernel sends the worker SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
    everywhere a daemon thread checks every :data:`PARENT_POLL` seconds that the parent is still
    this worker's parent.  The worker's Jupyter kernels then end too (each polls its own parent).
    """
    if os.getppid() != parent:
        os._exit(1)
    parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:  # the runner died before the request took effect
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="cem-parent-watch", daemon=True).start()


def worker_pool(workers: int, mp_context=None) -> ProcessPoolExecutor:
    """A process pool whose workers end with this process (:func:`_end_with_parent`).

    Examples
    --------
    >>> with worker_pool(1) as pool:
    ...     pool.submit(abs, -2).result()
    2
    """
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp_context,
                               initializer=_end_with_parent, initargs=(os.getpid(),))


def _start_failure(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a kernel started (not by a cell of the notebook)."""
    if getattr(exc, "ename", None) is not None:  # papermill's PapermillExecutionError: a cell failed
        return False
    words = f"{type(exc).__name__} {exc}".lower()
    return any(w in words for w in KERNEL_START_FAILURES)


def execute_task(task: Task) -> tuple[str, str, float, str]:
    """Execute one notebook with papermill; move the result into place only on success.

    Returns
    -------
    tuple
        ``(client, notebook name, seconds, error)``; ``error`` is ``""`` on success.
    """
    import papermill as pm

    from cem_research.client.io import atomic_path

    os.environ["CEM_PROJECT_ROOT"] = task.root
    name = Path(task.notebook).name
    t0 = time.perf_counter()
    for attempt in (1, 2):
        try:
            with atomic_path(task.output, suffix=".ipynb") as tmp:
                if task.cold:
                    pm.execute_notebook(task.notebook, str(tmp), parameters=task.parameters,
                                        kernel_name=KERNEL, cwd=str(Path(task.notebook).parent),
                                        progress_bar=False, log_output=False,
                                        # written once, when complete (SAVE_EACH_CELL)
                                        request_save_on_cell_execute=SAVE_EACH_CELL,
                                        # CRITICAL: jupyter_client interrupts (SIGINT) every kernel before
                                        # asking it to shut down, and a kernel caught inside a message
                                        # handler then logs a harmless "KeyboardInterrupt caught in kernel"
                                        # ERROR. Cell errors reach us through the messaging protocol.
                                        extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
                else:
                    from cem_research.run.warm import warm_kernel

                    warm_kernel(task.warm_key, [Path(p) for p in task.warmup], task.zygote).run(
                        task.notebook, str(tmp), task.parameters)
        except Exception as exc:  # noqa: BLE001 - report one line; the previous output stays in place
            if not task.cold:
                from cem_research.run.warm import discard_kernel

                discard_kernel()  # after any error the next notebook gets a fresh kernel
            if attempt == 1 and _start_failure(exc):
                continue  # a kernel that failed to start (a port clash): once more
            msg = _notebook_error(exc)
            again = " (the kernel failed to start twice)" if attempt == 2 else ""
            return task.client, name, time.perf_counter() - t0, f"notebook {name} failed{again}: {msg}"
        return task.client, name, time.perf_counter() - t0, ""
    raise AssertionError("unreachable")  # pragma: no cover


def process_client_folder(folder: str, client: str, out_dir: str, n_jobs: int, force: bool) -> tuple[dict | None, str]:
    """Stage 1 for one client: ``(meta, "")``, or ``(None, one-line error)`` if the contract is broken."""
    from cem_research.client.config import load_config
    from cem_research.client.processing import process

    try:
        return process(load_config(Path(folder), client), out_dir, n_jobs=n_jobs, force=force), ""
    except ContractError as err:
        return None, str(err.with_client(client))
    except SnapshotError as err:
        return None, str(err)
    except Exception as exc:  # noqa: BLE001 - anything else the data provoke: this client's one line
        if os.environ.get("CEM_DEBUG"):
            traceback.print_exc()
        return None, f"client '{client}': processing failed: {one_line(exc)}"


def _in_child(fn, *args):
    """``fn(*args)`` in a short-lived child process, so that the memory it used (a large client's
    tables while they are read, checked and scored) is returned when it ends instead of staying
    with the runner and every notebook worker forked from it.  In a daemonic process (which may
    not start children) it runs here."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return fn(*args)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods and os.name == "posix" else "spawn")
    with worker_pool(1, mp_context=ctx) as pool:
        return pool.submit(fn, *args).result()


def _notebook_error(exc: Exception) -> str:
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None)
    if evalue is None:
        return one_line(exc)
    line = _squash(str(evalue))
    line = line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 1].rstrip() + "…"
    # a contract error raised inside a notebook is already a one-line message
    return line if ename in ("ContractError", "SnapshotError") else f"{ename}: {line}"


def _result(future, task: Task) -> tuple[float, str]:
    """``(seconds, error)`` of a finished task; a worker that died or raised gives its one-line error."""
    try:
        _, _, secs, err = future.result()
    except Exception as exc:  # noqa: BLE001 - e.g. BrokenProcessPool: a worker was killed (out of memory)
        return 0.0, f"notebook {Path(task.notebook).name} failed: {one_line(exc)}"
    return secs, err


def _output_intact(path: Path, checksum: str | None) -> bool:
    """Whether an executed notebook is still the file the manifest recorded (no checksum: older manifest)."""
    from cem_research.client.io import sha256_file

    return checksum is None or sha256_file(path) == checksum


def _read_manifest(path: Path) -> dict:
    """``reports/<client>/manifest.json``, or ``{}`` when it is missing or damaged (everything is rebuilt)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


class Runner:
    """Run the pipeline for a set of clients.

    Parameters
    ----------
    root : Path
        The project folder (holds ``notebooks/``, ``data/``, ``reports/``).
    clients : list of str, optional
        Client names; default every client folder under ``raw_root``.
    raw_root : Path, optional
        Folder holding client folders (default ``root/data/raw``).
    jobs : int, optional
        Parallel notebook executions (default: number of cores).
    scheduler : str, optional
        Address of a Dask distributed scheduler; tasks run there instead of locally.
    force : bool
        Ignore the manifests and rebuild everything.
    wave : str, optional
        Analyse waves up to this one.
    notebooks : list of str, optional
        Only these notebooks (names or prefixes such as ``01``).
    cold : bool
        Start a fresh kernel for every notebook instead of reusing each worker's warm kernel
        (:mod:`cem_research.run.warm`).
    echo : callable
        Where progress lines go.
    """

    def __init__(self, root, clients=None, raw_root=None, jobs=None, scheduler=None, force=False,
                 wave=None, notebooks=None, cold=False, echo=print):
        from cem_research.client.paths import list_clients

        self.root = Path(root).resolve()
        self.raw_root = Path(raw_root).resolve() if raw_root else self.root / "data" / "raw"
        self.clients = list(clients) if clients else list_clients(self.raw_root)
        self.jobs = jobs or os.cpu_count() or 1
        self.scheduler = scheduler
        self.force = force
        self.wave = wave
        nbs = list_notebooks(self.root)
        if notebooks:
            nbs = [n for n in nbs if any(n.name.startswith(s) or n.name == s for s in notebooks)]
        self.notebooks = nbs
        self._warmup = tuple(str(n) for n in nbs)  # the notebooks whose imports warm a kernel
        self.cold = cold
        self.echo = echo
        self._pool = None
        self._code = None
        self._zygote = None  # the run's zygote (cem_research.run.zygote), started when notebooks will run

    # -- stage 1 --------------------------------------------------------------
    def process(self, outcome: ClientOutcome) -> dict | None:
        """Stage 1: process one client's raw data once for this run (or reuse its up-to-date snapshot).

        Returns the processed snapshot's ``meta.json`` (``None`` when the client is refused; the
        reason is on ``outcome``).  Subclasses may wrap it (the benchmark times it).
        """
        try:
            return self._process(outcome)
        except Exception as exc:  # noqa: BLE001 - whatever a client's data provoke stays with that client
            if os.environ.get("CEM_DEBUG"):
                traceback.print_exc()
            outcome.ok = False
            outcome.error = (str(exc.with_client(outcome.client)) if isinstance(exc, ContractError)
                             else f"client '{outcome.client}': processing failed: {one_line(exc)}")
            return None

    def _process(self, outcome: ClientOutcome) -> dict | None:
        from cem_research.client.config import load_config
        from cem_research.client.paths import processed_dir
        from cem_research.client.processing import fingerprint, snapshot_id, up_to_date

        cfg = load_config(self.raw_root / outcome.client, outcome.client)
        out = processed_dir(outcome.client, self.root)
        force = self.force
        meta = None if force else up_to_date(out, fingerprint(cfg))
        if meta is not None and not meta.get("snapshot"):
            meta = None  # built before snapshots were recorded
        if meta is not None and snapshot_id(out, meta) != meta["snapshot"]:
            # a processed table was deleted, truncated or edited since it was built: rebuild it
            self.echo(f"· client '{outcome.client}': the processed tables no longer match their checksums "
                      "(a file was deleted or changed); processing again")
            meta, force = None, True
        if meta is None:
            self._prewarm()  # notebooks will run: the workers warm their kernels while this client is processed
            meta, error = _in_child(process_client_folder, str(cfg.folder), outcome.client, str(out),
                                    self.jobs, force)
            if error:
                outcome.ok, outcome.error = False, error
                return None
        outcome.processed = bool(meta.get("rebuilt"))
        return meta

    # -- stage 2 --------------------------------------------------------------
    def _tasks(self, client: str, meta: dict, manifest: dict, code: str) -> list[Task]:
        from cem_research.client.paths import reports_dir

        out_dir = reports_dir(client, self.root) / "notebooks"
        params = {"client": client, "raw_root": str(self.raw_root), "wave": self.wave,
                  "snapshot": meta["snapshot"]}
        tasks = []
        for nb in self.notebooks:
            key = _hash(nb.read_bytes(), meta["fingerprint"], code, params)
            out = out_dir / nb.name
            if not self.force and out.exists() and manifest.get("notebooks", {}).get(nb.name) == key \
                    and _output_intact(out, manifest.get("outputs", {}).get(nb.name)):
                continue
            tasks.append(Task(client, str(nb), str(out), params, key, str(self.root), cold=self.cold,
                              warm_key=self._warm_key(code), warmup=self._warmup, zygote=self._zygote_address()))
        return tasks

    @staticmethod
    def _longest_first(tasks: list[Task], manifests: dict) -> list[Task]:
        """Order tasks by their expected run time, longest first (ties keep notebook order).

        With fewer workers than tasks, a long notebook started last runs alone while the other
        workers idle; starting it first shortens the run.  Expected time: this client's last run
        of the notebook, else the longest recorded run of that notebook for any client, else 0.
        """
        seen: dict[str, float] = {}
        for manifest in manifests.values():
            for name, secs in (manifest.get("seconds") or {}).items():
                seen[name] = max(seen.get(name, 0.0), float(secs))

        def expected(task: Task) -> float:
            name = Path(task.notebook).name
            own = (manifests.get(task.client, {}).get("seconds") or {}).get(name)
            return float(own) if own is not None else seen.get(name, 0.0)

        return sorted(tasks, key=lambda t: -expected(t))

    def execute(self, tasks):
        """Yield ``(task, seconds, error)`` as tasks finish (a task whose worker failed: its one-line error).

        ``tasks`` may be a lazy iterable: with a pool or a Dask cluster each task is submitted as soon
        as it is produced, so the notebooks of a client already run while the next client is
        processed (:meth:`run`); results are yielded once every task is submitted.
        """
        if self.scheduler:
            from distributed import Client, as_completed as dask_completed

            with Client(self.scheduler) as dc:
                futures = {dc.submit(execute_task, t, pure=False): t for t in tasks}
                for fut in dask_completed(futures):
                    yield futures[fut], *_result(fut, futures[fut])
            return
        if self.jobs == 1:
            try:
                for t in list(tasks):
                    try:
                        _, _, secs, err = execute_task(t)
                    except Exception as exc:  # noqa: BLE001 - this task's client fails, the others go on
                        secs, err = 0.0, f"notebook {Path(t.notebook).name} failed: {one_line(exc)}"
                    yield t, secs, err
            finally:
                if not self.cold:
                    from cem_research.run.warm import shutdown_all

                    shutdown_all()  # this process's warm kernel ends with the run
            return
        try:
            futures = {}
            for t in tasks:
                futures[self._worker_pool().submit(execute_task, t)] = t
            for fut in as_completed(futures):
                yield futures[fut], *_result(fut, futures[fut])
        finally:
            self._close_pool()

    def _warm_key(self, code: str) -> str:
        """What a warm kernel's state depends on: the project folder and the package's code."""
        return _hash(str(self.root), code)

    def _worker_pool(self) -> ProcessPoolExecutor:
        """The run's pool of notebook workers, started on first use (no pool, no fork, when nothing runs)."""
        if self._pool is None:
            self._pool = worker_pool(self.jobs)
        return self._pool

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _prewarm(self) -> None:
        """Start every local worker's warm kernel now (once per run), so that start-up overlaps processing."""
        if self.cold or self.scheduler or self.jobs == 1 or self._pool is not None or self._code is None:
            return
        from cem_research.run.warm import prewarm

        zygote = self._zygote_address()
        for _ in range(self.jobs):
            self._worker_pool().submit(prewarm, self._warm_key(self._code), self._warmup, zygote)

    def _zygote_address(self) -> str:
        """The address of the run's zygote, started on first use ("" in cold mode, on a Dask cluster,
        with one job, or where processes cannot fork): the workers' warm kernels are forked from it
        with their imports done (:mod:`cem_research.run.zygote`)."""
        if self.cold or self.scheduler or self.jobs == 1:
            return ""
        if self._zygote is None:
            from cem_research.run.warm import warmup_code
            from cem_research.run.zygote import Zygote

            self._zygote = Zygote.start(warmup_code(self.notebooks)) or False
        return self._zygote.address if self._zygote else ""

    def _stop_zygote(self) -> None:
        if self._zygote:
            self._zygote.stop()
        self._zygote = None

    # -- the run ---------------------------------------------------------------
    def run(self) -> list[ClientOutcome]:
        """Run every stage for every client; return one outcome per client.

        Whatever a client raises in any stage (processing, notebooks, report) becomes that client's
        one-line failure; the other clients go on, and ``reports/index.html`` is always written with
        every client's state (a failure in writing the index itself is reported, never raised).
        """
        from cem_research.client.paths import reports_dir

        os.environ["CEM_PROJECT_ROOT"] = str(self.root)
        t0 = time.perf_counter()
        code = self._code = package_fingerprint()
        outcomes = {c: ClientOutcome(c) for c in self.clients}
        metas, manifests, planned = {}, {}, []
        if self.clients and self.notebooks:
            self._zygote_address()  # its imports overlap the checks and the processing below

        def tasks():
            """Process each client, then hand its notebooks to the workers at once (longest first)."""
            for client, outcome in outcomes.items():
                meta = self.process(outcome)
                if meta is None:
                    self.echo(f"✗ {outcome.error}")
                    continue
                try:
                    manifests[client] = _read_manifest(reports_dir(client, self.root) / "manifest.json")
                    mine = self._longest_first(self._tasks(client, meta, manifests[client], code), manifests)
                except Exception as exc:  # noqa: BLE001
                    self._fail(outcome, "notebooks", exc)
                    continue
                metas[client] = meta
                planned.extend(mine)
                yield from mine
            if planned:
                # every client is processed and the workers' kernels may still be warming up: load the
                # report builder now, while a core is free, rather than after the last notebook
                import cem_research.present.report  # noqa: F401
            else:
                self._stop_zygote()  # nothing to run

        reported: set[str] = set()

        def report(client: str) -> None:
            """Stage 3 for ``client``, as soon as its last notebook is done (other clients' notebooks go on)."""
            reported.add(client)
            outcome = outcomes[client]
            if client in metas:
                try:
                    self._report(outcome, metas[client], manifests[client], code)
                except Exception as exc:  # noqa: BLE001 - reported, other clients go on
                    self._fail(outcome, "report", exc)
            outcome.seconds = time.perf_counter() - t0

        left: Counter[str] = Counter()  # notebooks still running per client
        for i, (task, secs, err) in enumerate(self.execute(tasks()), start=1):
            total = len(planned)  # every task is submitted before the first result is yielded
            left = left or Counter(t.client for t in planned)
            outcome = outcomes[task.client]
            name = Path(task.notebook).name
            if not err:
                try:
                    self._record(manifests[task.client], task, secs)
                except Exception as exc:  # noqa: BLE001 - e.g. the output vanished
                    err = f"notebook {name} failed: {one_line(exc)}"
            if err:
                outcome.ok = False
                outcome.error = outcome.error or f"client '{task.client}': {err}"
                self.echo(f"[{i}/{total}] ✗ {task.client} {name}: {err}")
            else:
                outcome.executed.append(name)
                self.echo(f"[{i}/{total}] ✓ {task.client} {name} ({secs:.1f} s)")
            left[task.client] -= 1
            if left[task.client] == 0:
                report(task.client)

        for client in outcomes:
            if client not in reported:
                report(client)

        try:
            from cem_research.present.report import build_index

            build_index(self.root, list(outcomes.values()), raw_root=self.raw_root)
        except Exception as exc:  # noqa: BLE001 - every report is in place; only the overview is missing
            self.echo(f"✗ the index (reports/index.html) could not be written: {one_line(exc)}")
            if os.environ.get("CEM_DEBUG"):
                traceback.print_exc()
        finally:
            self._stop_zygote()
        return list(outcomes.values())

    def _fail(self, outcome: ClientOutcome, stage: str, exc: Exception) -> None:
        """Record ``exc`` as the client's one-line failure in ``stage`` and echo it."""
        if os.environ.get("CEM_DEBUG"):
            traceback.print_exc()
        outcome.ok = False
        outcome.error = outcome.error or (str(exc.with_client(outcome.client)) if isinstance(exc, ContractError)
                                          else f"client '{outcome.client}': {stage} failed: {one_line(exc)}")
        self.echo(f"✗ {outcome.error}")

    @staticmethod
    def _record(manifest: dict, task: Task, secs: float) -> None:
        """Note an executed notebook in its client's manifest: its key, time and checksum."""
        from cem_research.client.io import sha256_file

        name = Path(task.notebook).name
        manifest.setdefault("notebooks", {})[name] = task.key
        manifest.setdefault("seconds", {})[name] = round(secs, 1)
        manifest.setdefault("outputs", {})[name] = sha256_file(task.output)

    def _changed_during_run(self, client: str, meta: dict) -> list[str]:
        """Raw files whose checksum is no longer the one the run's snapshot was built from."""
        from cem_research.client.io import sha256_file

        folder = self.raw_root / client
        return [name for name, digest in sorted((meta.get("checksums") or {}).items())
                if not (folder / name).is_file() or sha256_file(folder / name) != digest]

    # -- stage 3 --------------------------------------------------------------
    def _report(self, outcome: ClientOutcome, meta: dict, manifest: dict, code: str) -> None:
        """Stage 3 for one client: build its report when its notebooks changed; update its manifest.

        The report is built from the run's snapshot; its stamp carries that snapshot's checksums, which
        the manifest keeps (``checksums``) so the index can tell a report whose data changed since.
        A raw file edited during the run is named here and the index marks the report stale.
        """
        from cem_research.client.io import write_json
        from cem_research.client.paths import reports_dir
        from cem_research.present.report import build_report

        client = outcome.client
        rdir = reports_dir(client, self.root)
        if outcome.ok:
            report_key = _hash(manifest.get("notebooks", {}), code)
            if self.force or outcome.executed or manifest.get("report") != report_key \
                    or not all((rdir / f).exists() for f in ("report.html", "appendix.html")):
                build_report(client, self.root, self.notebooks, meta,
                             parameters={"client": client, "wave": self.wave, "raw_root": str(self.raw_root)})
                outcome.report_built = True
                manifest["report"] = report_key
                self.echo(f"✓ {client}: report written to {rdir / 'report.html'}")
            changed = self._changed_during_run(client, meta)
            if changed and outcome.report_built:
                self.echo(f"· client '{client}': {', '.join(changed)} changed during this run; the report shows "
                          f"the data the run started with (snapshot {meta.get('snapshot')}): run again")
        record = outcome.ok and manifest.get("checksums") != meta.get("checksums")
        if outcome.ok:
            manifest["checksums"] = meta.get("checksums")  # the data the report in place was built from
        if outcome.executed or outcome.report_built:
            manifest["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        if outcome.executed or outcome.report_built or record:
            write_json(rdir / "manifest.json", manifest)
