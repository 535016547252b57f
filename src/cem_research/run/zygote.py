"""A pre-imported process that forks the run's warm kernels instead of starting each one cold.

Every warm kernel (:mod:`cem_research.run.warm`) used to import pandas, matplotlib, seaborn,
pingouin, statsmodels, IPython and the package itself: 2–3 s of CPU per worker, competing on two
cores with the processing of the first client.  A :class:`Zygote` is started once per run (``python
-m cem_research.run.zygote``).  It imports the notebooks' libraries once (the warm-up code), then
serves requests on a Unix socket in a private folder: for each, it forks a child that becomes an
IPython kernel exactly as ``python -m ipykernel_launcher -f <connection file>`` would, in its own
session (an interrupt reaches it alone), with the environment and working folder the kernel
manager asked for (:func:`fork_kernel`).  :func:`ZygoteProvisioner` is the ``jupyter_client``
provisioner that asks for it; the kernel manager, nbclient and papermill see an ordinary kernel.

The zygote forks kernels only: processing and reports stay in the runner's own children, which see
its state.  It is single-threaded (a fork copies no other thread's locks); it ends with the runner
(``PR_SET_PDEATHSIG`` and a check of its parent), and the kernels it forked end with it or with the
worker that asked for them.  Whatever fails here (no ``fork``, the warm-up failed, the zygote gone)
falls back to starting the kernel the usual way: the zygote changes how fast a run is, never what it
produces (``tests/test_warm.py`` compares warm and cold notebooks; ``tests/test_zygote.py``).
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from cem_research.run.pipeline import parent_death_signal

__all__ = ["Zygote", "ZygoteUnavailable", "fork_kernel", "ForkedProcess", "ZygoteProvisioner", "SOCKET",
           "available"]

#: The socket's file name inside the zygote's private folder.
SOCKET = "zygote.sock"
#: The kernel launcher whose command a zygote can replace (the kernelspec's ``-m ipykernel_launcher``).
LAUNCHER = "ipykernel_launcher"
#: What an IPython kernel imports while it starts (its debugger, history database, event loop), imported
#: by the zygote after the warm-up so that a forked kernel starts without importing.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
                  "IPython.core.debugger", "IPython.core.completerlib", "IPython.extensions.storemagic",
                  "sqlite3", "tornado.queues")
#: The default matplotlib backend of an IPython kernel (set before the zygote imports matplotlib).
INLINE = "module://matplotlib_inline.backend_inline"
#: Seconds between two checks that the parent (zygote) or the owner (kernel) still runs.
POLL = 0.5
_HEADER = struct.Struct("!Q")


def available() -> bool:
    """Whether this platform can fork (POSIX with ``os.fork``; not Windows)."""
    return os.name == "posix" and hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


class ZygoteUnavailable(RuntimeError):
    """The zygote could not serve a request (gone, its warm-up failed): start the kernel the usual way."""


# -- framing ------------------------------------------------------------------------------------
def _send(conn: socket.socket, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    conn.sendall(_HEADER.pack(len(data)) + data)


def _recv(conn: socket.socket):
    head = _exactly(conn, _HEADER.size)
    return pickle.loads(_exactly(conn, _HEADER.unpack(head)[0]))


def _exactly(conn: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise ConnectionError("the zygote closed the connection")
        buf += chunk
    return bytes(buf)


# -- the runner's side -------------------------------------------------------------------------
class Zygote:
    """The run's zygote process (started by :meth:`start`, ended by :meth:`stop`).

    Parameters
    ----------
    folder : Path
        Its private folder (mode 0700) holding the socket.
    process : subprocess.Popen
        The zygote process.
    """

    def __init__(self, folder: Path, process: subprocess.Popen):
        self.folder, self.process = folder, process

    @property
    def address(self) -> str:
        """The socket a request connects to."""
        return str(self.folder / SOCKET)

    @classmethod
    def start(cls, warmup: str) -> "Zygote | None":
        """Start a zygote that runs ``warmup`` (imports), imports :data:`KERNEL_MODULES` and then forks
        kernels; ``None`` where it cannot fork.

        The call returns at once: the socket is bound here, before the zygote starts, and a request
        waits in its backlog until the warm-up is done.  ``MPLBACKEND`` is the kernel default (the
        inline backend) unless this process sets it, as a kernel started by ``jupyter_client`` has it.
        """
        import tempfile

        if not available():
            return None
        folder = Path(tempfile.mkdtemp(prefix="cem-zygote-"))
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", INLINE)
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # as jupyter_client sets it for a Python kernel
        # bound here, before the zygote starts: a request sent at once waits in the backlog
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(folder / SOCKET))
            listener.listen(64)
            proc = subprocess.Popen([sys.executable, "-m", "cem_research.run.zygote", str(folder),
                                     str(os.getpid()), str(listener.fileno())],
                                    stdin=subprocess.PIPE, env=env, pass_fds=(listener.fileno(),))
        finally:
            listener.close()
        proc.stdin.write(warmup.encode())
        proc.stdin.close()
        return cls(folder, proc)

    def stop(self) -> None:
        """End the zygote (the processes it forked end with it) and remove its folder."""
        import shutil

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def fork_kernel(address: str, cmd: list[str], env: dict, cwd: str, timeout: float | None = 120) -> int:
    """Ask the zygote at ``address`` for a kernel running ``cmd`` (``python -m ipykernel_launcher ...``).

    Returns the kernel's process id (its own session leader).  Raises :class:`ZygoteUnavailable` for a
    command the zygote cannot replace and when the zygote cannot serve.
    """
    if len(cmd) < 3 or cmd[1:3] != ["-m", LAUNCHER]:
        raise ZygoteUnavailable(f"not an ipykernel launch command: {cmd[:3]}")
    request = {"argv": list(cmd[3:]), "env": dict(env), "cwd": str(cwd), "owner": os.getpid()}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(address)
            _send(conn, request)
            kind, value = _recv(conn)
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        raise ZygoteUnavailable(f"the zygote did not answer: {exc}") from exc
    if kind != "pid":
        raise ZygoteUnavailable(f"the zygote could not fork a kernel: {value}")
    return value


class ForkedProcess:
    """A :class:`subprocess.Popen` look-alike for a process this one did not start (a forked kernel).

    Its parent, the zygote, reaps it; liveness is a signal-0 probe.  The exit status is unknown (0).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """``None`` while the process runs, else 0."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # the pid now belongs to someone else: ours has ended
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the process has ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the process."""
        os.kill(self.pid, signum)

    def terminate(self) -> None:
        """Send SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Send SIGKILL."""
        self.send_signal(signal.SIGKILL)


@functools.cache
def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class _ZygoteProvisioner(LocalProvisioner):
        """``jupyter_client``'s local provisioner, launching the kernel by a fork of the zygote at
        :attr:`address` (falls back to its own launch when the zygote cannot serve)."""

        address = ""

        async def launch_kernel(self, cmd, **kwargs):
            env = kwargs.get("env") or dict(os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                # blocking, as Popen is in the local provisioner: an executor thread would hang in a worker
                # forked from a process whose event loop had started its executor threads
                pid = fork_kernel(self.address, cmd, env, cwd)
            except ZygoteUnavailable:
                return await super().launch_kernel(cmd, **kwargs)
            self.process = ForkedProcess(pid)
            self.pid = self.pgid = pid  # the kernel leads its own session and process group
            self.cwd = cwd
            return self.connection_info

    return _ZygoteProvisioner


def ZygoteProvisioner(address: str, km):  # noqa: N802 - builds the class lazily (jupyter_client only when used)
    """A provisioner for kernel manager ``km`` whose kernel is forked by the zygote at ``address``."""
    import uuid

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    prov = _provisioner_class()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    prov.address = address
    return prov


# -- the zygote's side -------------------------------------------------------------------------
def _run_kernel(conn: socket.socket, request: dict, first_path: str) -> None:
    """Become the kernel ``request`` asks for, with the requester's environment and working folder."""
    os.setsid()  # as jupyter_client's launcher: an interrupt goes to the kernel's own group
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if sys.path and sys.path[0] == first_path:  # ipykernel_launcher drops the launch folder from the path
        del sys.path[0]
    _send(conn, ("pid", os.getpid()))
    conn.close()
    owner = request["owner"]

    def watch_owner():
        while True:
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)
            time.sleep(POLL)

    import threading

    threading.Thread(target=watch_owner, name="cem-owner-watch", daemon=True).start()
    import importlib.util

    from ipykernel import kernelapp

    sys.argv = [importlib.util.find_spec(LAUNCHER).origin, *request["argv"]]
    kernelapp.IPKernelApp.launch_instance(argv=request["argv"])


def _fork(listener: socket.socket, conn: socket.socket, request: dict, first_path: str) -> None:
    """Fork a kernel for ``request`` (the child never returns)."""
    if os.fork():
        return
    code = 0
    try:
        listener.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        parent_death_signal(signal.SIGKILL)  # the kernel ends with the zygote
        _run_kernel(conn, request, first_path)
    except BaseException:  # noqa: BLE001 - a child never returns into the zygote's loop
        code = 1
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _serve(folder: str, parent: int, fd: int) -> None:
    """The zygote: run the warm-up, then fork a kernel per request, until the parent ends."""
    import select

    parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:  # the runner ended before the request took effect
        os._exit(1)
    warmup = sys.stdin.read()
    first_path = sys.path[0] if sys.path else ""
    listener = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked children are reaped by the system
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C ends the runner, which ends the zygote
    backend = os.environ.get("MPLBACKEND", INLINE)  # what matplotlib reads when the warm-up imports it
    try:
        exec(compile(warmup, "<zygote warm-up>", "exec"), {"__name__": "__cem_zygote__"})  # noqa: S102
        for name in KERNEL_MODULES:
            importlib.import_module(name)
        failed = ""
        # the pre-fork pattern of the gc module's documentation: the imported libraries are frozen, so
        # a kernel's collections skip them and leave their memory pages shared with the zygote
        gc.collect()
        gc.freeze()
    except BaseException as exc:  # noqa: BLE001 - every request is refused and starts its kernel as usual
        failed = f"the warm-up failed: {type(exc).__name__}: {exc}"
    while os.getppid() == parent:
        if not select.select([listener], [], [], POLL)[0]:
            continue
        conn, _ = listener.accept()
        try:
            conn.settimeout(30)
            request = _recv(conn)
            refused = failed
            if request["env"].get("MPLBACKEND", INLINE) != backend:
                refused = "the kernel asks for another matplotlib backend than the zygote imported"
            if refused:
                _send(conn, ("refused", refused))
            else:
                _fork(listener, conn, request, first_path)
        except (OSError, EOFError, pickle.PickleError):
            pass  # a requester that went away
        finally:
            conn.close()
    os._exit(0)


if __name__ == "__main__":  # python -m cem_research.run.zygote <folder> <parent pid> <socket fd>
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
