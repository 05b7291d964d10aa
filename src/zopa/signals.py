"""Stopping on SIGINT and SIGTERM: one line, exit 130 or 143, no process left behind.

:func:`install` (called by the ``zopa`` entry point) makes either signal do
two things at once:

* in the main thread, Python raises :class:`Stopped` at the next bytecode,
  so the command unwinds through its ``finally`` blocks (which close process
  pools and Dask clusters, see :mod:`zopa.uncertainty.executors`);
* a watcher thread wakes at once, through the file descriptor Python's C
  signal handler writes the signal number to (:func:`signal.set_wakeup_fd`),
  even while the main thread is inside a long C call such as a solver; it
  asks registered searches to stop (:func:`on_stop`), and if the command has
  not finished a grace period later it stops every child process and ends
  the process itself with the same one-line message and exit code.

Child processes — pool workers, Dask's nanny and worker processes,
multiprocessing's resource tracker — are stopped with SIGTERM, then SIGKILL
after a short wait (:func:`stop_children`).  Workers ignore SIGINT
(:func:`worker_init`): Ctrl-C in a terminal reaches the whole foreground
process group, and a worker that died of it would break its pool
("BrokenProcessPool") before the command could stop it cleanly.  A local
Dask cluster's processes never see SIGINT at all, not even while they import
(:func:`shielded`).

Exit codes follow the shell convention, 128 + the signal number: 130 for
SIGINT, 143 for SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")

GRACE = 1.5  # seconds the command gets to unwind before the watcher ends it
KILL_AFTER = 0.5  # seconds children get between SIGTERM and SIGKILL
NAMES = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Stopped(BaseException):
    """SIGINT or SIGTERM arrived; ``signum`` says which.

    Not a KeyboardInterrupt: click would turn that into "Aborted!" and exit 1.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def message(self) -> str:
        name = signal.Signals(self.signum).name
        return f"zopa: {NAMES.get(self.signum, 'stopped')} ({name}); stopped"


_state: dict[str, Any] = {"signum": None, "done": threading.Event(), "callbacks": []}
_lock = threading.Lock()


def stopping() -> bool:
    """Whether a stop signal has arrived (so cleanups should not wait for work to finish)."""
    return _state["signum"] is not None


def interrupted(err: BaseException) -> bool:
    """Whether ``err`` is how a library reported a SIGINT it caught itself.

    PySAT's solvers take SIGINT over while they solve in the main thread and
    raise ``error("Caught keyboard interrupt")``: Python's handler never runs.
    """
    if "Caught keyboard interrupt" in str(err):
        _state["signum"] = _state["signum"] or signal.SIGINT
        return True
    return False


def signal_number() -> int:
    """The stop signal that arrived (SIGINT if none did)."""
    return _state["signum"] or signal.SIGINT


def on_stop(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` (from the watcher thread) as soon as a stop signal arrives.

    Returns a function that unregisters it.  Used to interrupt searches that
    run in C (a CP-SAT solve) without waiting for them to notice.
    """
    with _lock:
        _state["callbacks"].append(callback)

    def forget() -> None:
        with _lock, contextlib.suppress(ValueError):
            _state["callbacks"].remove(callback)

    return forget


@contextlib.contextmanager
def stops(callback: Callable[[], None]) -> Iterator[None]:
    """``on_stop(callback)`` for the duration of a ``with`` block."""
    forget = on_stop(callback)
    try:
        yield
    finally:
        forget()


def _handler(signum: int, frame: Any) -> None:
    _state["signum"] = signum
    # One Stopped per command: a second signal must not interrupt the unwinding of the
    # first, which may be running a library's cleanup (an asyncio callback closing a
    # Dask cluster logs a BaseException raised inside it as a traceback).  The watcher
    # still ends the process if the unwinding hangs.
    if _state.get("unwinding") or _state.get("raised"):
        return
    if _in_unraisable_hook(frame):  # raised there, it would only be printed
        _redeliver(signum)
        return
    _state["raised"] = True
    raise Stopped(signum)


def unwinding() -> None:
    """The command caught :class:`Stopped` and is cleaning up: further signals are ignored
    (the watcher still ends the process if the cleanup hangs)."""
    _state["unwinding"] = True


def _unraisable(info: Any) -> None:
    """``sys.unraisablehook`` that re-delivers a :class:`Stopped` swallowed where exceptions
    cannot propagate (a garbage-collector callback, say) instead of printing it."""
    if isinstance(info.exc_value, Stopped):
        _state["raised"] = False  # this one never reached the command: raise it again
        _redeliver(info.exc_value.signum)
        return
    _state["hook"](info)


def _in_unraisable_hook(frame: Any) -> bool:
    while frame is not None:
        if frame.f_code is _unraisable.__code__:
            return True
        frame = frame.f_back
    return False


def _redeliver(signum: int, delay: float = 0.01) -> None:
    """Deliver ``signum`` to the main thread again, from another thread a moment later.

    Not from :func:`_unraisable` itself: the handler would run at once, inside the
    hook, where Python prints the Stopped it raises ("Exception ignored in
    sys.unraisablehook", seen under load) and drops it.  If the main thread is still
    in the hook when the signal comes, :func:`_handler` sends it again later.
    """
    import _thread

    def later() -> None:
        time.sleep(delay)
        _thread.interrupt_main(signum)

    with contextlib.suppress(RuntimeError):  # no new threads at interpreter shutdown
        threading.Thread(target=later, name="zopa-redeliver", daemon=True).start()


def install() -> None:
    """Turn SIGINT and SIGTERM into :class:`Stopped` and start the watcher (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
    if sys.unraisablehook is not _unraisable:
        _state["hook"] = sys.unraisablehook
        sys.unraisablehook = _unraisable
    threading.Thread(target=_watch, args=(read,), name="zopa-signals", daemon=True).start()


def finished() -> None:
    """The command is done (normally or not): the watcher must not end the process."""
    _state["done"].set()


def _watch(fd: int) -> None:
    data = os.read(fd, 1)
    if not data:
        return
    signum = data[0]
    _state["signum"] = signum
    with _lock:
        callbacks = list(_state["callbacks"])
    for callback in callbacks:
        with contextlib.suppress(Exception):
            callback()
    if _state["done"].wait(GRACE):
        return
    # the main thread is stuck (in C, or in a cleanup that waits): end it from here
    stop_children()
    leave(Stopped(signum))


def leave(stopped: Stopped) -> NoReturn:
    """Print the one line and end the process with 130 or 143, skipping exit handlers
    (a library's, such as Dask's, may wait for processes that were just stopped)."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    with contextlib.suppress(Exception):
        os.write(2, (stopped.message + "\n").encode())
    os._exit(stopped.exit_code)


@contextlib.contextmanager
def sheltered() -> Iterator[None]:
    """Processes started in this block ignore SIGINT for their whole life.

    SIGINT is ignored while the block runs: a process started meanwhile
    inherits that (through fork and exec alike, and Python then installs no
    KeyboardInterrupt handler), so a Ctrl-C sent to the process group cannot hit
    a worker while it is still starting, which printed its traceback.  The
    blocks are short (starting a pool's processes, a local Dask cluster); a
    Ctrl-C within one is lost, SIGTERM is not.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def shielded(start: Callable[[], T]) -> T:
    """``start()`` called in a new thread that blocks SIGINT; this thread waits for its result.

    For starting a local Dask cluster.  A signal mask is inherited by the
    threads a thread creates and by the processes it starts (through fork and
    exec alike), so the cluster's event-loop thread, the threads it starts
    processes from, and so every nanny and worker process — including the
    ones a nanny starts again later, after this call — live with SIGINT
    blocked from their first instruction.  Ctrl-C reaches the terminal's whole
    foreground process group; a worker process that got it while still
    importing printed its KeyboardInterrupt traceback, before any initializer
    could ignore it (the standard library starts its resource tracker the same
    way, for the same reason).  Unlike :func:`sheltered`, no Ctrl-C is lost:
    this thread still receives it, raises :class:`Stopped` while it waits, and
    :func:`stop_children` then stops the processes with SIGTERM.
    """
    from multiprocessing import resource_tracker

    # The thread that first needs multiprocessing's resource tracker starts it and then
    # *unblocks* SIGINT in itself (CPython 3.11's resource_tracker.ensure_running): the
    # cluster's event-loop thread did, and every worker started after it got Ctrl-C
    # again.  Started here first, no thread of the cluster has to start it.
    resource_tracker.ensure_running()
    outcome: dict[str, Any] = {}

    def run() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            outcome["value"] = start()
        except BaseException as err:  # handed to the waiting thread
            outcome["error"] = err

    thread = threading.Thread(target=run, name="zopa-shielded", daemon=True)
    thread.start()
    thread.join()  # a signal interrupts the wait: Stopped is raised here
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@contextlib.contextmanager
def silent_children() -> Iterator[None]:
    """Processes started in this block write their stderr nowhere.

    For the processes of a local Dask cluster, which start slowly: a Ctrl-C
    reaching one while it imports would print its traceback over the
    command's one line.  This process keeps its own stderr (through a copy of
    the descriptor); only descriptor 2 of the processes started meanwhile
    points at ``/dev/null``.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    real = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=real.encoding)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = real
        os.dup2(saved, 2)
        os.close(saved)


def worker_init() -> None:
    """Initializer of worker processes: ignore SIGINT (the parent decides), die of SIGTERM."""
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


# --------------------------------------------------------------------------- children


def children() -> list[int]:
    """Process ids of every descendant of this process (Linux ``/proc``; psutil elsewhere)."""
    try:
        import psutil

        return [p.pid for p in psutil.Process().children(recursive=True)]
    except ImportError:
        pass
    parents: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read().decode(errors="replace")
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [os.getpid()]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def stop_children(wait: float = KILL_AFTER) -> None:
    """SIGTERM every descendant, then SIGKILL those still alive after ``wait`` seconds.

    Logging is switched off first: libraries (Dask's nannies) would otherwise
    report each stopped process on stderr.
    """
    import logging

    logging.disable(logging.CRITICAL)
    pids = children()
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [pid for pid in alive if _running(pid)]
    for pid in alive:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for pid in pids:  # reap our own children so that none is left a zombie
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def _running(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child (a grandchild): ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat", "rb") as handle:
        if handle.read().decode(errors="replace").rsplit(")", 1)[1].split()[0] == "Z":
            return False  # a zombie: dead, waiting for its parent
    return True
