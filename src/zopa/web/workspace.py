"""The scenarios the web app can open, and the workspace folder it saves into.

Security rules, all enforced here:

* a request names a scenario only by a *name* matching :data:`NAME_PATTERN`
  (no slashes, dots or ``..``); the path is built from the name and then
  resolved and checked to lie inside the workspace, so symbolic links cannot
  lead out of it either;
* saves never lose text: a valid scenario is written to a temporary file and
  renamed over ``NAME.yaml`` (atomic), after the previous content is kept as
  ``.versions/NAME/TIMESTAMP.yaml``; an invalid scenario is kept as
  ``.versions/NAME/TIMESTAMP.invalid.yaml`` and the last valid file stays.

Scenarios come from three places, looked up in this order: the workspace,
files named on the ``zopa serve`` command line (read-only: saving one writes
a copy into the workspace), and the built-in scenarios.  A name whose only
save so far was invalid is listed too, as an *invalid* workspace entry whose
text is that newest invalid draft: it opens in the editor with its
diagnostics, and analysing it answers with them (nothing written is hidden).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zopa.load import (
    ScenarioError,
    builtin_ids,
    builtin_path,
    display_name,
    parse_scenario,
    read_text,
)
from zopa.model import Scenario

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_SCENARIO_BYTES = 1_000_000  # per scenario text the app accepts (the loader's own cap is 10 MB)
VERSIONS = ".versions"
KEEP_VERSIONS = 200  # per scenario; the oldest are removed beyond this

Kind = Literal["workspace", "opened", "builtin"]


class NotFound(LookupError):
    """No scenario of that name."""


class BadName(ValueError):
    """A name that is not a valid scenario name."""


def default_workspace() -> Path:
    """``platformdirs.user_data_dir("zopa")/workspace``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("zopa")) / "workspace"


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise BadName(
            f"{name[:80]!r} is not a scenario name: use 1–64 characters a-z, 0-9, '_' or '-', "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class Entry:
    name: str
    kind: Kind
    path: Path
    invalid: bool = False  # no valid save yet: ``path`` is the newest invalid draft

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "editable": True, "valid": not self.invalid}


@dataclass(frozen=True)
class Saved:
    """What a save did: ``valid`` saves replace the file; invalid ones are kept as a version."""

    name: str
    valid: bool
    version: str | None  # the file name under .versions/NAME/ holding the kept text
    diagnostics: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "valid": self.valid,
            "saved": "scenario" if self.valid else "invalid-draft",
            "version": self.version,
            "diagnostics": self.diagnostics,
        }


def diagnostics_json(err: ScenarioError) -> list[dict[str, Any]]:
    return [
        {"file": d.file, "line": d.line, "column": d.column, "message": d.message}
        for d in err.diagnostics
    ]


class Catalogue:
    """Named scenarios: workspace files, files opened on the command line, built-ins."""

    def __init__(self, workspace: Path, opened: list[Path] | None = None) -> None:
        self.workspace = workspace.expanduser().resolve()
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.opened: dict[str, Path] = {}
        for path in opened or []:
            name = _name_for(path.stem)
            self.opened[name] = path.resolve()
        self._cache: dict[tuple[str, int, int], Scenario] = {}

    # ----------------------------------------------------------------- lookup

    def inside(self, path: Path) -> Path:
        """``path`` resolved, and checked to lie inside the workspace."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.workspace):
            raise BadName(f"{path.name!r} resolves outside the workspace")
        return resolved

    def workspace_path(self, name: str) -> Path:
        return self.inside(self.workspace / f"{check_name(name)}.yaml")

    def entries(self) -> list[Entry]:
        seen: dict[str, Entry] = {}
        for path in sorted(self.workspace.glob("*.yaml")):
            if NAME_PATTERN.fullmatch(path.stem) and path.is_file():
                seen[path.stem] = Entry(path.stem, "workspace", path)
        for name, path in sorted(self.opened.items()):
            seen.setdefault(name, Entry(name, "opened", path))
        for name in builtin_ids():
            seen.setdefault(name, Entry(name, "builtin", builtin_path(name)))
        for name in self._draft_only_names():
            if name not in seen:
                entry = self._draft_only(name)
                if entry is not None:
                    seen[name] = entry
        return sorted(seen.values(), key=lambda e: e.name)

    def _draft_only_names(self) -> list[str]:
        folder = self.workspace / VERSIONS
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if NAME_PATTERN.fullmatch(p.name))

    def _draft_only(self, name: str) -> Entry | None:
        """The entry of a name saved only as invalid drafts: its newest draft."""
        version = self.newer_invalid_draft(name)
        if version is None:
            return None
        path = self.inside(self.versions_dir(name) / version)
        return Entry(name, "workspace", path, invalid=True) if path.is_file() else None

    def entry(self, name: str) -> Entry:
        check_name(name)
        path = self.workspace_path(name)
        if path.is_file():
            return Entry(name, "workspace", path)
        if name in self.opened:
            return Entry(name, "opened", self.opened[name])
        if name in builtin_ids():
            return Entry(name, "builtin", builtin_path(name))
        entry = self._draft_only(name)
        if entry is not None:
            return entry
        raise NotFound(f"no scenario named {name!r}")

    def text(self, name: str) -> str:
        entry = self.entry(name)
        return read_text(entry.path)

    def key(self, name: str) -> str:
        """Names the scenario's current content: its file, modification time and size."""
        entry = self.entry(name)
        stat = entry.path.stat()
        return f"{entry.path}:{stat.st_mtime_ns}:{stat.st_size}"

    def load(self, name: str) -> Scenario:
        """The validated scenario (cached while the file is unchanged)."""
        entry = self.entry(name)
        stat = entry.path.stat()
        if stat.st_size > MAX_SCENARIO_BYTES:
            raise ScenarioTooLarge(stat.st_size)
        key = (str(entry.path), stat.st_mtime_ns, stat.st_size)
        if key not in self._cache:
            if len(self._cache) > 32:
                self._cache.clear()
            shown = f"{name}.yaml" if entry.invalid else display_name(entry.path)
            self._cache[key] = parse_scenario(read_text(entry.path), shown)
        return self._cache[key]

    # ----------------------------------------------------------------- saving

    def versions_dir(self, name: str) -> Path:
        return self.inside(self.workspace / VERSIONS / check_name(name))

    def versions(self, name: str) -> list[str]:
        folder = self.versions_dir(name)
        if not folder.is_dir():
            return []
        return sorted((p.name for p in folder.glob("*.yaml")), reverse=True)

    def version_text(self, name: str, version: str) -> str:
        if not re.fullmatch(r"[0-9T_.-]+(\.invalid)?\.yaml", version):
            raise BadName(f"{version[:80]!r} is not a version file name")
        path = self.inside(self.versions_dir(name) / version)
        if not path.is_file():
            raise NotFound(f"no version {version!r} of {name!r}")
        return path.read_text(encoding="utf-8")

    def diagnostics(self, name: str) -> list[dict[str, Any]]:
        """The problems of the scenario's current text (empty when it is valid)."""
        try:
            self.load(name)
        except ScenarioError as err:
            return diagnostics_json(err)
        return []

    def newer_invalid_draft(self, name: str) -> str | None:
        """An invalid draft saved after the scenario's last valid save, if any."""
        versions = self.versions(name)
        if not versions or not versions[0].endswith(".invalid.yaml"):
            return None
        current = self.workspace_path(name)
        draft = self.versions_dir(name) / versions[0]
        if current.is_file() and current.stat().st_mtime_ns >= draft.stat().st_mtime_ns:
            return None  # a first valid save after invalid ones keeps no version of its own
        return versions[0]

    def save(self, name: str, text: str) -> Saved:
        """Validate and save ``text`` as scenario ``name`` (see the module docstring)."""
        check_name(name)
        if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
            raise ScenarioTooLarge(len(text.encode("utf-8")))
        path = self.workspace_path(name)
        try:
            parse_scenario(text, f"{name}.yaml")
        except ScenarioError as err:
            version = self._keep(name, text, invalid=True)
            return Saved(name, False, version, diagnostics_json(err))
        kept = None
        if path.is_file():
            kept = self._keep(name, path.read_text(encoding="utf-8"), invalid=False)
        write_atomic(path, text)
        return Saved(name, True, kept)

    def _keep(self, name: str, text: str, invalid: bool) -> str:
        folder = self.versions_dir(name)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")
        version = f"{stamp}{'.invalid' if invalid else ''}.yaml"
        write_atomic(folder / version, text)
        for old in sorted(folder.glob("*.yaml"))[:-KEEP_VERSIONS]:
            old.unlink(missing_ok=True)
        return version


class ScenarioTooLarge(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(f"the scenario is {size:,} bytes; the limit is {MAX_SCENARIO_BYTES:,}")


def _name_for(stem: str) -> str:
    """A valid scenario name for a file opened on the command line."""
    name = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")[:64] or "scenario"
    return name if NAME_PATTERN.fullmatch(name) else f"s{name}"[:64]


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
