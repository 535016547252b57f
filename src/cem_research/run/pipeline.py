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
Dask distributed cluster (``scheduler``).  A client that fails does not stop the others;
its previous report stays in place, since every output is written to a temporary name and
moved into place only when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import traceback
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


@dataclass
class Task:
    """One notebook to execute for one client."""

    client: str
    notebook: str          # absolute path of the source notebook
    output: str            # absolute path of the executed notebook
    parameters: dict
    key: str               # hash of everything the output depends on
    root: str


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
    try:
        with atomic_path(task.output, suffix=".ipynb") as tmp:
            pm.execute_notebook(task.notebook, str(tmp), parameters=task.parameters,
                                kernel_name=KERNEL, cwd=str(Path(task.notebook).parent),
                                progress_bar=False, log_output=False,
                                # CRITICAL: jupyter_client interrupts (SIGINT) every kernel before
                                # asking it to shut down, and a kernel caught inside a message
                                # handler then logs a harmless "KeyboardInterrupt caught in kernel"
                                # ERROR. Cell errors reach us through the messaging protocol.
                                extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    except Exception as exc:  # report one line; the previous output stays in place
        msg = _notebook_error(exc)
        return task.client, name, time.perf_counter() - t0, f"notebook {name} failed: {msg}"
    return task.client, name, time.perf_counter() - t0, ""


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
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args).result()


def _notebook_error(exc: Exception) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    line = " ".join(str(evalue).split())
    # a contract error raised inside a notebook is already a one-line message
    return line if ename == "ContractError" else f"{ename}: {line}"


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
    echo : callable
        Where progress lines go.
    """

    def __init__(self, root, clients=None, raw_root=None, jobs=None, scheduler=None, force=False,
                 wave=None, notebooks=None, echo=print):
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
        self.echo = echo

    # -- stage 1 --------------------------------------------------------------
    def process(self, outcome: ClientOutcome) -> dict | None:
        """Stage 1: process one client's raw data once for this run (or reuse its up-to-date snapshot).

        Returns the processed snapshot's ``meta.json`` (``None`` when the client is refused; the
        reason is on ``outcome``).  Subclasses may wrap it (the benchmark times it).
        """
        from cem_research.client.config import load_config
        from cem_research.client.paths import processed_dir
        from cem_research.client.processing import fingerprint, up_to_date

        try:
            cfg = load_config(self.raw_root / outcome.client, outcome.client)
            out = processed_dir(outcome.client, self.root)
            meta = None if self.force else up_to_date(out, fingerprint(cfg))
            if meta is not None and not meta.get("snapshot"):
                meta = None  # built before snapshots were recorded
        except ContractError as err:
            outcome.ok, outcome.error = False, str(err.with_client(outcome.client))
            return None
        if meta is None:
            meta, error = _in_child(process_client_folder, str(cfg.folder), outcome.client, str(out),
                                    self.jobs, self.force)
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
            if not self.force and out.exists() and manifest.get("notebooks", {}).get(nb.name) == key:
                continue
            tasks.append(Task(client, str(nb), str(out), params, key, str(self.root)))
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

    def execute(self, tasks: list[Task]):
        """Yield ``(task, seconds, error)`` as tasks finish."""
        if not tasks:
            return
        if self.scheduler:
            from distributed import Client, as_completed as dask_completed

            with Client(self.scheduler) as dc:
                futures = {dc.submit(execute_task, t, pure=False): t for t in tasks}
                for fut in dask_completed(futures):
                    _, _, secs, err = fut.result()
                    yield futures[fut], secs, err
            return
        if self.jobs == 1 or len(tasks) == 1:
            for t in tasks:
                _, _, secs, err = execute_task(t)
                yield t, secs, err
            return
        with ProcessPoolExecutor(max_workers=min(self.jobs, len(tasks))) as pool:
            futures = {pool.submit(execute_task, t): t for t in tasks}
            for fut in as_completed(futures):
                _, _, secs, err = fut.result()
                yield futures[fut], secs, err

    # -- the run ---------------------------------------------------------------
    def run(self) -> list[ClientOutcome]:
        """Run every stage for every client; return one outcome per client."""
        from cem_research.client.io import write_json
        from cem_research.client.paths import reports_dir

        os.environ["CEM_PROJECT_ROOT"] = str(self.root)
        t0 = time.perf_counter()
        code = package_fingerprint()
        outcomes = {c: ClientOutcome(c) for c in self.clients}
        metas, manifests, tasks = {}, {}, []
        for client, outcome in outcomes.items():
            meta = self.process(outcome)
            if meta is None:
                self.echo(f"✗ {outcome.error}")
                continue
            metas[client] = meta
            mpath = reports_dir(client, self.root) / "manifest.json"
            manifests[client] = json.loads(mpath.read_text()) if mpath.exists() else {}
            tasks += self._tasks(client, meta, manifests[client], code)

        total = len(tasks)
        tasks = self._longest_first(tasks, manifests)
        for i, (task, secs, err) in enumerate(self.execute(tasks), start=1):
            outcome = outcomes[task.client]
            name = Path(task.notebook).name
            if err:
                outcome.ok = False
                outcome.error = outcome.error or f"client '{task.client}': {err}"
                self.echo(f"[{i}/{total}] ✗ {task.client} {name}: {err}")
            else:
                outcome.executed.append(name)
                manifests[task.client].setdefault("notebooks", {})[name] = task.key
                manifests[task.client].setdefault("seconds", {})[name] = round(secs, 1)
                self.echo(f"[{i}/{total}] ✓ {task.client} {name} ({secs:.1f} s)")

        from cem_research.present.report import build_index, build_report

        for client, outcome in outcomes.items():
            if client not in metas:
                continue
            manifest = manifests[client]
            rdir = reports_dir(client, self.root)
            if outcome.ok:
                report_key = _hash(manifest.get("notebooks", {}), code)
                if self.force or outcome.executed or manifest.get("report") != report_key \
                        or not all((rdir / f).exists() for f in ("report.html", "appendix.html")):
                    try:
                        build_report(client, self.root, self.notebooks, metas[client],
                                     parameters={"client": client, "wave": self.wave,
                                                 "raw_root": str(self.raw_root)})
                    except Exception as exc:  # noqa: BLE001 - reported, other clients go on
                        outcome.ok = False
                        outcome.error = f"client '{client}': report failed: {type(exc).__name__}: {exc}"
                        self.echo(f"✗ {outcome.error}")
                        if os.environ.get("CEM_DEBUG"):
                            traceback.print_exc()
                    else:
                        outcome.report_built = True
                        manifest["report"] = report_key
                        self.echo(f"✓ {client}: report written to {rdir / 'report.html'}")
            manifest["updated"] = manifest.get("updated") if not (outcome.executed or outcome.report_built) \
                else time.strftime("%Y-%m-%dT%H:%M:%S")
            if outcome.executed or outcome.report_built:
                write_json(rdir / "manifest.json", manifest)
            outcome.seconds = time.perf_counter() - t0

        changed = any(o.report_built or not o.ok for o in outcomes.values())
        index = reports_dir(None, self.root) / "index.html"
        if changed or not index.exists():
            build_index(self.root, list(outcomes.values()))
        return list(outcomes.values())
