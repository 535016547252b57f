"""Measuring one benchmark stage: the machine, child processes and the memory of a process tree.

Every measured stage runs in a child process (``python -m benchmarks.bench _child <kind>``, see
:mod:`benchmarks.children`).  :class:`TreeSampler`, a thread in the bench, reads every 0.2 s the
process tree of that child (``psutil``: the child and all its descendants) and records the peak
of the *sum of RSS* over the tree and the peak of the *sum of PSS*
(``/proc/<pid>/smaps_rollup``: shared pages split between the processes sharing them).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["machine_info", "git_state", "load_average", "pss_kb", "TreeSampler", "run_child", "rusage"]


# ---------------------------------------------------------------------------------------------
# machine and environment
def machine_info() -> dict:
    """CPU, memory, versions and load of this machine (the figures only mean something with it)."""
    import numpy
    import pandas

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    versions = {"python": platform.python_version(), "pandas": pandas.__version__, "numpy": numpy.__version__}
    for mod in ("papermill", "nltk", "pyarrow", "pandera"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - informational only
            versions[mod] = None
    from cem_research import __version__

    versions["cem_research"] = __version__
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {"cpu_count": os.cpu_count(), "cpus_usable": affinity, "cpu_model": model, "memory_gb": mem_gb,
            "platform": platform.platform(), "versions": versions,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_average_start": load_average()}


def git_state(folder: Path) -> dict:
    """Commit and number of changed files of the checkout holding ``folder`` (if it is one)."""
    def git(*args):
        try:
            r = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=20)
            return r.stdout.strip() if r.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            return None

    status = git("status", "--porcelain")
    return {"git_commit": git("rev-parse", "HEAD"),
            "git_changed_files": None if status is None else len(status.splitlines())}


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (None where the platform has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# memory of a process tree
def pss_kb(pid: int) -> int:
    """Proportional set size of process ``pid`` in KiB (0 if it cannot be read)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak summed RSS and PSS of a process and all its descendants, sampled every ``interval`` s."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.peak_at = 0.0
        self.timeline: list[tuple[float, float, float, int]] = []  # seconds, RSS MB, PSS MB, processes
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        t0 = time.perf_counter()
        while not self._stop_event.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss = pss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    continue
                pss += pss_kb(p.pid) * 1024
            now = time.perf_counter() - t0
            if rss > self.peak_rss:
                self.peak_rss, self.peak_at = rss, now
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, len(procs))
            self.timeline.append((round(now, 1), round(rss / 2 ** 20), round(pss / 2 ** 20), len(procs)))
            self._stop_event.wait(self.interval)

    def stop(self) -> dict:
        self._stop_event.set()
        self.join()
        step = max(1, len(self.timeline) // 120)  # at most ~120 points
        return {"peak_rss_mb": round(self.peak_rss / 2 ** 20, 1), "peak_pss_mb": round(self.peak_pss / 2 ** 20, 1),
                "peak_processes": self.peak_procs, "peak_rss_at_seconds": round(self.peak_at, 1),
                "timeline": self.timeline[::step]}


# ---------------------------------------------------------------------------------------------
# child processes: every measured stage runs in one, so that its memory can be measured alone
def run_child(kind: str, spec: dict, workdir: Path, env: dict | None = None) -> dict:
    """Run ``python -m benchmarks.bench _child <kind>`` and sample its process tree."""
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = f"{kind}-{time.time_ns()}"
    spec_path, out_path = workdir / f"{stamp}.spec.json", workdir / f"{stamp}.result.json"
    log_path = workdir / f"{stamp}.log"
    spec_path.write_text(json.dumps({**spec, "result": str(out_path)}))
    env = {**os.environ, **(env or {})}
    # the harness lives outside the installed package: let the child find it from any folder
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bench", "_child", kind, str(spec_path)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=spec.get("cwd"))
        sampler = TreeSampler(proc.pid)
        sampler.start()
        rc = proc.wait()
    memory = sampler.stop()
    wall = time.perf_counter() - t0
    if rc != 0 or not out_path.exists():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"bench child {kind!r} failed (exit {rc}); last lines of {log_path}:\n{tail}")
    result = json.loads(out_path.read_text())
    result["memory"] = {**memory, **result.pop("rusage", {})}
    result["child_wall_seconds"] = round(wall, 3)
    return result


def rusage() -> dict:
    """Peak RSS of this process and of its largest waited-for descendant (getrusage), in MB."""
    import resource

    def mb(who):  # ru_maxrss is in KiB on Linux
        return round(resource.getrusage(who).ru_maxrss / 1024, 1)

    return {"ru_maxrss_self_mb": mb(resource.RUSAGE_SELF), "ru_maxrss_children_mb": mb(resource.RUSAGE_CHILDREN)}
