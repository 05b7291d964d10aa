"""The scenarios the web app can open, and the workspace folder it saves into.

Security rules, all enforced here:

* a request names a scenario only by a *name* matching :data:`NAME_PATTERN`
  (no slashes, dots or ``..``); the path is built from the name and then
  resolved and checked to lie inside the workspace, so symbolic links cannot
  lead out of it either;
* saves never lose text: a valid scenario is written to a temporary file and
  renamed over ``NAME.yaml`` (atomic, :func:`zopa.fileio.write_atomic`), after
  the previous content is kept as ``.versions/NAME/TIMESTAMP.yaml``; an invalid
  scenario is kept as ``.versions/NAME/TIMESTAMP.invalid.yaml`` and the last
  valid file stays;
* saves of one scenario are serialised by a lock file
  (``.versions/.locks/NAME.lock``, :func:`zopa.fileio.locked`), which also
  holds across server processes, and version names only ever grow, so no two
  saves share one;
* a save may name the revision it was based on (``base_revision``, a hash of
  the text it was edited from): when the scenario changed since, the save is
  refused as a :class:`Conflict` and its text is kept as
  ``.versions/NAME/TIMESTAMP.conflict.yaml`` (optimistic concurrency: nothing
  sent is lost, nothing newer is overwritten).

Scenarios come from three places, looked up in this order: the workspace,
files named on the ``zopa serve`` command line (read-only: saving one writes
a copy into the workspace), and the built-in scenarios.  A name whose only
save so far was invalid is listed too, as an *invalid* workspace entry whose
text is that newest invalid draft: it opens in the editor with its
diagnostics, and analysing it answers with them (nothing written is hidden).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zopa.fileio import locked, write_atomic
from zopa.limits import MAX_WEB_BYTES
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
MAX_SCENARIO_BYTES = MAX_WEB_BYTES  # per scenario text the app accepts (the loader's own: 10 MB)
VERSIONS = ".versions"
LOCKS = ".locks"  # under VERSIONS; a dot keeps it out of the list of names
KEEP_VERSIONS = 200  # per scenario; the oldest are removed beyond this
VERSION_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}\.[0-9]{6}(\.invalid|\.conflict)?\.yaml$")

Kind = Literal["workspace", "opened", "builtin"]


class NotFound(LookupError):
    """No scenario of that name."""


class BadName(ValueError):
    """A name that is not a valid scenario name."""


class Conflict(Exception):
    """A save based on a revision that is no longer the scenario's (its text is kept)."""

    def __init__(self, name: str, current: str | None, text: str | None, kept: str) -> None:
        super().__init__(
            f"{name!r} was changed since your copy was loaded; your text is kept as "
            f"version {kept}, and the current text is returned"
        )
        self.name = name
        self.current = current  # the scenario's revision now
        self.text = text  # the scenario's text now
        self.kept = kept  # the version that holds the refused text


def revision(text: str) -> str:
    """A short name for one text of a scenario: what a save says it was based on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
    revision: str | None = None  # the scenario's revision after the save

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "valid": self.valid,
            "saved": "scenario" if self.valid else "invalid-draft",
            "version": self.version,
            "diagnostics": self.diagnostics,
            "revision": self.revision,
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
            if NAME_PATTERN.fullmatch(path.stem) and path.is_file() and self._within(path):
                seen[path.stem] = Entry(path.stem, "workspace", path)
        for name, path in sorted(self.opened.items()):
            seen.setdefault(name, Entry(name, "opened", path))
        for name in builtin_ids():
            seen.setdefault(name, Entry(name, "builtin", builtin_path(name)))
        for name in self._draft_only_names():
            if name not in seen:
                try:
                    entry = self._draft_only(name)
                except BadName:  # a link out of the workspace: neither listed nor served
                    continue
                if entry is not None:
                    seen[name] = entry
        return sorted(seen.values(), key=lambda e: e.name)

    def _within(self, path: Path) -> bool:
        try:
            self.inside(path)
        except (BadName, OSError):
            return False
        return True

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
        link = self.workspace / f"{name}.yaml"
        if link.is_file() and not self._within(link):
            raise NotFound(f"no scenario named {name!r} (its file leads out of the workspace)")
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

    def revision(self, name: str) -> str | None:
        """The revision of the scenario's current text; None when there is no such scenario."""
        try:
            return revision(self.text(name))
        except NotFound:
            return None

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
        names = (p.name for p in folder.glob("*.yaml") if VERSION_PATTERN.fullmatch(p.name))
        return sorted(names, reverse=True)

    def version_text(self, name: str, version: str) -> str:
        if not VERSION_PATTERN.fullmatch(version):
            raise BadName(f"{version[:80]!r} is not a version file name")
        path = self.inside(self.versions_dir(name) / version)
        if not path.is_file():
            raise NotFound(f"no version {version!r} of {name!r}")
        return read_text(path, MAX_SCENARIO_BYTES)

    def diagnostics(self, name: str) -> list[dict[str, Any]]:
        """The problems of the scenario's current text (empty when it is valid)."""
        try:
            self.load(name)
        except ScenarioError as err:
            return diagnostics_json(err)
        return []

    def newer_invalid_draft(self, name: str) -> str | None:
        """An invalid draft saved after the scenario's last valid save, if any."""
        versions = [v for v in self.versions(name) if not v.endswith(".conflict.yaml")]
        if not versions or not versions[0].endswith(".invalid.yaml"):
            return None
        current = self.workspace_path(name)
        draft = self.versions_dir(name) / versions[0]
        if current.is_file() and current.stat().st_mtime_ns >= draft.stat().st_mtime_ns:
            return None  # a first valid save after invalid ones keeps no version of its own
        return versions[0]

    def save(self, name: str, text: str, base_revision: str | None = None) -> Saved:
        """Validate and save ``text`` as scenario ``name`` (see the module docstring).

        ``base_revision`` is the revision the text was edited from (``""``: the
        name was free); when the scenario's revision differs, :class:`Conflict`.
        """
        check_name(name)
        if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
            raise ScenarioTooLarge(len(text.encode("utf-8")))
        path = self.workspace_path(name)
        try:
            parse_scenario(text, f"{name}.yaml")  # outside the lock: it may take a while
            problems: ScenarioError | None = None
        except ScenarioError as err:
            problems = err
        with self._lock(name):
            if base_revision is not None:
                current = self.revision(name)
                if base_revision != (current or ""):
                    kept = self._keep(name, text, "conflict")
                    now = self.text(name) if current is not None else None
                    raise Conflict(name, current, now, kept)
            if problems is not None:
                version = self._keep(name, text, "invalid")
                now = self.revision(name)
                return Saved(name, False, version, diagnostics_json(problems), now)
            kept = None
            if path.is_file():
                kept = self._keep(name, read_text(path), "")
            write_atomic(path, text)
        return Saved(name, True, kept, revision=revision(text))

    def _lock(self, name: str) -> Any:
        folder = self.inside(self.workspace / VERSIONS / LOCKS)
        folder.mkdir(parents=True, exist_ok=True)
        return locked(folder / f"{check_name(name)}.lock")

    def _keep(self, name: str, text: str, kind: str) -> str:
        """Keep ``text`` as a new version (called under the scenario's lock)."""
        folder = self.versions_dir(name)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        newest = self.versions(name)
        if newest:  # names only grow: a clock step back or two saves in one microsecond
            last = dt.datetime.strptime(newest[0][:22], "%Y%m%dT%H%M%S.%f")
            stamp = max(stamp, last + dt.timedelta(microseconds=1))
        version = f"{stamp:%Y%m%dT%H%M%S.%f}{'.' + kind if kind else ''}.yaml"
        write_atomic(folder / version, text, overwrite=False)
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
