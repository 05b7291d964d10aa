"""Long analyses in the background: job ids, progress, cancel and a time limit.

Each job runs in its own process (``spawn``: no state shared with the
server's threads), so a cancel or an exceeded time limit can stop it at once
by terminating the process — a solver deep in C++ does not poll a flag.  The
job reports progress through a queue; a small watcher thread per job collects
it and enforces the deadline.

A job *kind* names a function ``fn(params: dict, progress) -> dict`` by its
dotted path (``"zopa.web.tasks:analyze"``), imported only in the worker.
``progress(fraction, message)`` may be called any number of times.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import queue
import secrets
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

State = Literal["queued", "running", "done", "failed", "cancelled", "timed_out"]
DEFAULT_TIME_LIMIT = 300.0  # seconds
KEEP_FINISHED = 50
MAX_QUEUED = 20


class Busy(RuntimeError):
    """Too many jobs are waiting."""


class UnknownJob(LookupError):
    """No job with that id."""


@dataclass
class Job:
    id: str
    kind: str
    params: dict[str, Any]
    time_limit: float
    created: float = field(default_factory=time.time)
    started: float | None = None
    state: State = "queued"
    progress: float = 0.0
    message: str = "starting"
    result: dict[str, Any] | None = None
    error: str | None = None
    finished: float | None = None
    process: Any = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        begun = self.started or self.created
        end = self.finished or time.time()
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "progress": round(self.progress, 4),
            "message": self.message,
            "elapsed": round(end - begun, 3) if self.started else 0.0,
            "time_limit": self.time_limit,
            "error": self.error,
            "has_result": self.result is not None,
        }


def _worker(target: str, params: dict[str, Any], out: Any) -> None:
    """Runs in the child process: import the job function, run it, report."""

    def progress(fraction: float, message: str = "") -> None:
        out.put(("progress", max(0.0, min(1.0, float(fraction))), str(message)[:300]))

    try:
        module, _, name = target.partition(":")
        fn: Callable[..., dict[str, Any]] = getattr(importlib.import_module(module), name)
        out.put(("done", fn(params, progress), ""))
    except Exception as err:  # reported to the user as the job's error
        out.put(("error", 0.0, f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}"))


class Jobs:
    """The background jobs of one server."""

    def __init__(
        self,
        kinds: dict[str, str],
        max_running: int = 2,
        time_limit: float = DEFAULT_TIME_LIMIT,
    ) -> None:
        self.kinds = kinds
        self.max_running = max_running
        self.time_limit = time_limit
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ctx = mp.get_context("spawn")
        self._closed = False

    def start(self, kind: str, params: dict[str, Any], time_limit: float | None = None) -> Job:
        """Queue a job; it runs as soon as fewer than ``max_running`` jobs run."""
        if kind not in self.kinds:
            raise KeyError(kind)
        limit = min(time_limit or self.time_limit, self.time_limit)
        with self._lock:
            queued = sum(1 for j in self._jobs.values() if j.state == "queued")
            if queued >= MAX_QUEUED:
                raise Busy(f"{queued} jobs are waiting; the limit is {MAX_QUEUED}")
            job = Job(secrets.token_hex(8), kind, params, limit)
            self._jobs[job.id] = job
            self._forget_old()
        self._pump()
        return job

    def _pump(self) -> None:
        """Start queued jobs, oldest first, while there is room."""
        while not self._closed:
            with self._lock:
                running = sum(1 for j in self._jobs.values() if j.state == "running")
                waiting = sorted(
                    (j for j in self._jobs.values() if j.state == "queued"),
                    key=lambda j: j.created,
                )
                if running >= self.max_running or not waiting:
                    return
                job = waiting[0]
                job.state, job.started, job.message = "running", time.time(), "starting"
            out = self._ctx.Queue()
            job.process = self._ctx.Process(
                target=_worker, args=(self.kinds[job.kind], job.params, out), daemon=True
            )
            job.process.start()
            threading.Thread(target=self._watch, args=(job, out), daemon=True).start()

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJob(f"no job {job_id[:40]!r}")
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        self._stop(job, "cancelled", "cancelled by the user")
        return job

    def list(self) -> list[Job]:
        return sorted(self._jobs.values(), key=lambda j: -j.created)

    def shutdown(self) -> None:
        self._closed = True  # nothing queued starts any more
        for job in list(self._jobs.values()):
            self._stop(job, "cancelled", "the server stopped")

    # ----------------------------------------------------------------- internals

    def _stop(self, job: Job, state: State, message: str) -> None:
        """End the worker process first, then record why (so a stopped job has no process)."""
        with self._lock:
            if job.state == "queued":
                job.state, job.message, job.finished = state, message, time.time()
                return
        if job.state != "running":
            return
        process = job.process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        with self._lock:
            if job.state == "running":
                job.state, job.message, job.finished = state, message, time.time()
        self._pump()

    def _watch(self, job: Job, out: Any) -> None:
        deadline = (job.started or time.time()) + job.time_limit
        while job.state == "running":
            try:
                kind, value, text = out.get(timeout=0.2)
            except queue.Empty:
                if time.time() > deadline:
                    self._stop(
                        job, "timed_out", f"stopped at the time limit of {job.time_limit:g} s"
                    )
                elif not job.process.is_alive() and out.empty():
                    self._finish(job, "failed", error="the worker process ended unexpectedly")
                continue
            if kind == "progress":
                job.progress, job.message = value, text or job.message
            elif kind == "done":
                self._finish(job, "done", result=value)
            else:
                self._finish(job, "failed", error=text)
        if job.process is not None:
            job.process.join(timeout=5)

    def _finish(
        self, job: Job, state: State, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        with self._lock:
            if job.state != "running":
                return
            job.state, job.result, job.error = state, result, error
            job.progress = 1.0 if state == "done" else job.progress
            job.message = "finished" if state == "done" else "failed"
            job.finished = time.time()
        self._pump()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state not in ("queued", "running")]
        for job in sorted(finished, key=lambda j: j.created)[:-KEEP_FINISHED]:
            del self._jobs[job.id]
