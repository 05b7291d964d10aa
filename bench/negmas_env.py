"""The NegMAS environment the benchmarks compare against: ``bench/.venv-negmas``.

NegMAS is AGPL-licensed, so it is never a dependency of zopa and no code of it
is copied: it lives in its own virtual environment, created on first use with
``pip install negmas==0.16.0``.  Creation is idempotent and serialised by an
exclusive lock on ``bench/.venv-negmas.lock``, so two benchmark scripts started
together (the engine workloads and the GENIUS domains) do not collide.  A
marker file is written only once the install is complete and checked, so a
half-built environment is never taken for a ready one.

    python bench/negmas_env.py      # create if missing, print its python
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-negmas"
LOCK = HERE / ".venv-negmas.lock"
VERSION = "0.16.0"


def python_path() -> Path:
    return VENV / "bin" / "python"


def _installed_version(python: Path) -> str | None:
    probe = "import importlib.metadata as m; print(m.version('negmas'))"
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def ensure(base_python: str = sys.executable) -> Path:
    """The environment's interpreter, creating the environment if needed."""
    marker = VENV / f".negmas-{VERSION}-ready"
    python = python_path()
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if marker.exists():
            return python
        if not python.exists():
            print(f"creating {VENV} …", file=sys.stderr)
            subprocess.run([base_python, "-m", "venv", str(VENV)], check=True)
        if _installed_version(python) != VERSION:
            print(f"installing negmas=={VERSION} into {VENV} …", file=sys.stderr)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", f"negmas=={VERSION}"], check=True
            )
        found = _installed_version(python)
        if found != VERSION:
            raise RuntimeError(f"{VENV} has negmas {found}, expected {VERSION}")
        marker.touch()
    return python


if __name__ == "__main__":
    print(ensure())
