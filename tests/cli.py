"""Running the ``zopa`` command in tests: through its entry point in this process, or as a
real process.

:func:`zopa` calls :func:`zopa.cli.main` — the function the installed ``zopa``
script calls — with stdout and stderr captured, and returns what a process would:
the exit code and the two texts.  Starting a Python process that imports zopa,
numpy and the solvers costs about half a second of CPU per command; the suite runs
hundreds of commands, so most tests run them here.  ``main()`` keeps no state
between calls (a test checks it), so a command run here prints exactly what it
prints in a fresh process.

:func:`zopa_process` starts the real process, for what only a process shows: the
start-up itself, a module hidden before zopa is imported, output written by
native code, ``--debug`` tracebacks.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ZOPA = [sys.executable, "-m", "zopa.cli"]


def zopa(*args: str, cwd: Path | str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``zopa ARGS`` in this process (in ``cwd`` if given); never a traceback."""
    from zopa.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    place = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    with place, _columns(80), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as done:
            code = done.code
    if isinstance(code, str):  # sys.exit("message"): printed, exit 1, as Python does
        err.write(code + "\n")
        code = 1
    run = subprocess.CompletedProcess(["zopa", *args], code or 0, out.getvalue(), err.getvalue())
    assert "Traceback" not in run.stderr + run.stdout
    return run


def zopa_process(
    *args: str, cwd: Path | str | None = None, prelude: str = "", timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``zopa ARGS`` as a new process; ``prelude`` is Python run first (to hide a module)."""
    command = (
        [sys.executable, "-c", f"{prelude}\nfrom zopa.cli import main; main()", *args]
        if prelude
        else [*ZOPA, *args]
    )
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )


@contextlib.contextmanager
def _columns(width: int):  # type: ignore[no-untyped-def]
    """Text as wide as a process writing to a pipe makes it, whatever terminal runs pytest."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
