"""An environment with zopa's base dependencies only, as ``pip install .`` would make.

It is built from the test environment in a second: the distributions that
``zopa``'s base requirements need (recursively, extras' markers evaluated
with no extra) are found with :mod:`importlib.metadata`, and a directory of
symlinks to exactly their files' top-level entries (packages, modules,
``*.libs``, ``*.dist-info``) stands in for site-packages.  Python runs with
``-S`` (no site-packages, no ``.pth`` files) and that directory and zopa's
sources on ``PYTHONPATH``: every other installed package, the optional extras
(Plotly, kaleido, Jinja2, FastAPI, uvicorn, Dask…) and the test tools among
them, cannot be imported, and ``importlib.util.find_spec`` does not find it,
as in a fresh environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def base_distributions() -> set[str]:
    """The distributions ``pip install zopa`` (no extras) installs, zopa excluded.

    A requirement's own extras count (``python-sat[pb]`` brings what ``pb`` needs).
    """
    seen: set[tuple[str, str]] = set()
    todo = [("zopa", "")]
    while todo:
        name, extra = todo.pop()
        name = canonicalize_name(name)
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:  # an optional dependency of a dependency
            continue
        for text in requires:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                todo += [(req.name, "")] + [(req.name, e) for e in req.extras]
    return {name for name, _ in seen} - {"zopa"}


def build(folder: Path) -> dict[str, str]:
    """Fill ``folder`` and return the environment variables that make Python use it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in base_distributions():
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        for top in {Path(str(f)).parts[0] for f in dist.files or []}:
            source = Path(str(dist.locate_file(top)))
            link = folder / top
            if top not in ("..", "bin") and source.exists() and not link.exists():
                link.symlink_to(source)
    src = Path(__file__).resolve().parent.parent / "src"  # zopa is installed from here
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update({"PYTHONPATH": f"{folder}{os.pathsep}{src}", "PYTHONNOUSERSITE": "1"})
    return env


def command(*args: str) -> list[str]:
    """The ``zopa`` command line to run in the base environment."""
    return [sys.executable, "-S", "-m", "zopa.cli", *args]


def run(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args), env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
