"""Run every command shown in README.md and docs/**/*.md and compare its output.

This is the engine of ``tests/test_docs.py`` (one test per document) and a small
tool for writers: ``python tests/doc_examples.py docs/how-to/x.md`` runs one
document and prints what differs; ``--update`` rewrites the outputs of its
console blocks in place (abridged blocks are kept, and reported if they no
longer match).

Conventions a document follows (they render as ordinary Markdown):

* A ```` ```console ```` block is a terminal session: each line starting with
  ``$ `` is a command (a line ending in ``\\`` continues on the next), and the
  lines up to the next ``$ `` line are its output, stdout and stderr together
  as a terminal shows them.  A line holding only ``...`` stands for any number
  of omitted lines (zero or more).
* In a ```` ```sh ```` (or ``bash``/``shell``) block, every line starting with
  ``zopa`` is run too; it must exit 0 without a traceback.  Other lines
  (``pip install``, ``make``) are instructions, not examples, and are not run.
* A fenced block whose info string carries ``file=NAME`` (```` ```yaml file=talks.yaml ````)
  is written to NAME before the commands after it run.
* Hidden steps, in HTML comments on their own line(s):
  ``<!-- doctest: $ COMMAND -->`` runs a shell command (e.g. ``sed`` the typo
  the text asks the reader to make; it must exit 0);
  ``<!-- doctest: env NAME=VALUE -->`` sets an environment variable for the
  rest of the document; ``<!-- doctest: skip REASON -->`` skips the next
  fenced block (a reason is required and is listed in the test's output).

Every document runs in a fresh scratch directory that sees the files beside
the document and the repository's top-level files (symlinked, so commands can
read ``tests/data/...`` or a YAML file next to the page).  Commands run with
``bash -c`` in that directory with the ``zopa`` of the running interpreter's
environment first on ``PATH``, ``COLUMNS=80`` (a standard terminal: every
text output must read well at 80 columns), ``NO_COLOR=1`` and unbuffered
Python output, stderr merged into stdout.

Normalisation -- only what must vary between runs, applied to the document's
text and to the real output alike:

* trailing spaces at the end of each line, and trailing blank lines (rich pads
  table rows to the terminal width; Markdown editors strip them);
* wall-clock timings in JSON, ``"seconds": 0.123`` (they differ on every run).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELLIPSIS = "..."
TIMEOUT = 300  # seconds per command; the slowest documented example takes well under this
SHELL_LANGS = {"sh", "bash", "shell"}
ENV = {"COLUMNS": "80", "LINES": "24", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", "TERM": "dumb"}

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*doctest:\s*(?P<body>.*?)\s*-->\s*$", re.S)
# What varies between runs (see the module docstring); each applies to both sides.
_NORMALISE = [(re.compile(r'("seconds": )[0-9.e+-]+'), r"\1<time>")]


def documents() -> list[Path]:
    """README.md and every Markdown file under docs/, in a stable order."""
    docs = sorted((ROOT / "docs").rglob("*.md"))
    return [ROOT / "README.md", *docs]


# --------------------------------------------------------------------------- parsing


@dataclass
class Step:
    """One thing a document does, in order: a command, a file, an env var, a skip."""

    kind: str  # "console" | "sh" | "hidden" | "file" | "env" | "skip"
    line: int  # 1-based line in the document (of the command, or the block)
    text: str = ""  # the command, the file name, NAME=VALUE, or the skip reason
    expected: list[str] = field(default_factory=list)  # console: the output lines shown
    body: str = ""  # file: its content
    block: tuple[int, int] = (0, 0)  # console: the block's lines [start, end) for --update
    indent: int = 0  # console: how far the block is indented (inside a list item)


def parse(text: str) -> list[Step]:
    """The steps of a Markdown document (see the module docstring)."""
    lines = text.split("\n")
    steps: list[Step] = []
    skip: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("<!--") and "doctest:" in line:
            j = i
            while "-->" not in lines[j] and j + 1 < len(lines):
                j += 1
            found = _DIRECTIVE.match("\n".join(lines[i : j + 1]))
            if not found:
                raise ValueError(f"line {i + 1}: unreadable doctest directive")
            step = _directive(found["body"], i + 1)
            if step.kind == "skip":
                skip = step.text
            steps.append(step)
            i = j + 1
            continue
        fence = _FENCE.match(line)
        if not fence:
            i += 1
            continue
        closing, j = fence["fence"], i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(closing) and lines[j].strip().strip(closing[0]) == ""
        ):
            j += 1
        indent = len(fence["indent"])  # a block inside a list item: its lines are indented too
        body = [b[indent:] if b[:indent].strip() == "" else b for b in lines[i + 1 : j]]
        info = fence["info"].strip().split()
        if skip is None:
            steps.extend(_block(info, body, i + 1, indent))
        skip = None
        i = j + 1
    return steps


def _directive(body: str, line: int) -> Step:
    word, _, rest = body.partition(" ")
    rest = rest.strip()
    if word == "$" and rest:
        return Step("hidden", line, rest)
    if word == "env" and "=" in rest:
        return Step("env", line, rest)
    if word == "skip" and rest:
        return Step("skip", line, rest)
    raise ValueError(
        f"line {line}: unknown doctest directive {body!r} "
        "(use '$ COMMAND', 'env NAME=VALUE' or 'skip REASON')"
    )


def _block(info: list[str], body: list[str], line: int, indent: int) -> list[Step]:
    lang = info[0] if info else ""
    attrs = dict(a.split("=", 1) for a in info[1:] if "=" in a)
    steps = []
    if "file" in attrs:
        steps.append(Step("file", line, attrs["file"], body="\n".join(body) + "\n"))
    if lang == "console":
        steps.extend(_console(body, line, indent))
    elif lang in SHELL_LANGS:
        for k, text in enumerate(body):
            if text.lstrip().startswith("zopa ") or text.strip() == "zopa":
                steps.append(Step("sh", line + 1 + k, text.strip()))
    return steps


def _console(body: list[str], line: int, indent: int) -> list[Step]:
    steps: list[Step] = []
    k = 0
    while k < len(body):
        if not body[k].startswith("$ "):
            if body[k].strip():
                raise ValueError(f"line {line + 1 + k}: console output before any '$ ' command")
            k += 1
            continue
        start = k
        command = body[k][2:]
        while command.endswith("\\") and k + 1 < len(body):
            k += 1
            command += "\n" + body[k]  # bash reads backslash-newline as a continuation
        k += 1
        out_start = k
        while k < len(body) and not body[k].startswith("$ "):
            k += 1
        steps.append(
            Step(
                "console",
                line + 1 + start,
                command,
                body[out_start:k],
                block=(line + out_start, line + k),  # 0-based document lines of the output
                indent=indent,
            )
        )
    return steps


# --------------------------------------------------------------------------- running


def normalise(text: str) -> list[str]:
    """The lines to compare (see the module docstring for what is normalised)."""
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected`` with each ``...`` line standing for 0+ lines."""
    segments: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    if len(segments) == 1:
        return actual == segments[0]
    first, *middle, last = segments
    if actual[: len(first)] != first:
        return False
    end = len(actual) - len(last)
    if end < len(first) or (last and actual[end:] != last):
        return False
    at = len(first)
    for segment in middle:  # leftmost match of each in order is optimal for contiguous runs
        n = len(segment)
        found = next((s for s in range(at, end - n + 1) if actual[s : s + n] == segment), None)
        if found is None:
            return False
        at = found + len(segment)
    return True


@dataclass
class Outcome:
    step: Step
    ok: bool
    output: str
    message: str = ""


class Runner:
    """Runs one document's steps in a scratch directory."""

    def __init__(self, doc: Path, scratch: Path) -> None:
        self.doc = doc
        self.scratch = scratch
        self.env = {**os.environ, **ENV}
        self.env["PATH"] = f"{_bin_dir(scratch)}{os.pathsep}{self.env.get('PATH', '')}"
        self.env.pop("FORCE_COLOR", None)
        _populate(scratch, doc.parent)

    def run(self, steps: list[Step]) -> list[Outcome]:
        outcomes = []
        for step in steps:
            if step.kind == "file":
                target = self.scratch / step.text
                if target.is_symlink():
                    target.unlink()  # never write through into the repository
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(step.body, encoding="utf-8")
            elif step.kind == "env":
                name, _, value = step.text.partition("=")
                self.env[name.strip()] = value.strip()
            elif step.kind in ("console", "sh", "hidden"):
                outcomes.append(self._command(step))
        return outcomes

    def _command(self, step: Step) -> Outcome:
        returncode, out = self._bash(step.text)
        if returncode is None:
            return Outcome(step, False, out, f"still running after {TIMEOUT} s, stopped:\n{out}")
        crashed = "Traceback (most recent call last)" in out or "internal error" in out
        if step.kind == "console":
            expected = normalise("\n".join(step.expected))
            ok = matches(expected, normalise(out))
            if crashed and not any("internal error" in e or "Traceback" in e for e in expected):
                ok = False
            return Outcome(step, ok, out, "" if ok else _diff(expected, normalise(out)))
        ok = returncode == 0 and not crashed
        return Outcome(step, ok, out, "" if ok else f"exit {returncode}:\n{out}")

    def _bash(self, command: str) -> tuple[int | None, str]:
        """Exit code (None after the timeout) and output; the whole process group is
        stopped on a timeout, so nothing is left running."""
        with subprocess.Popen(
            ["bash", "-c", command],
            cwd=self.scratch,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        ) as proc:
            try:
                out, _ = proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, _ = proc.communicate()
                return None, out
            return proc.returncode, out


def _bin_dir(scratch: Path) -> Path:
    """A directory whose ``zopa`` is the one installed beside this interpreter."""
    beside = Path(sys.executable).parent
    if (beside / "zopa").exists():
        return beside
    shim = scratch.parent / f"{scratch.name}-bin"
    shim.mkdir(exist_ok=True)
    script = shim / "zopa"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m zopa.cli "$@"\n')
    script.chmod(0o755)
    return shim


def _populate(scratch: Path, doc_dir: Path) -> None:
    """Symlink the files beside the document, then the repository's top level."""
    scratch.mkdir(parents=True, exist_ok=True)
    for folder in (doc_dir, ROOT):
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(".") or entry.name.endswith(".egg-info"):
                continue
            link = scratch / entry.name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(entry)


def _diff(expected: list[str], actual: list[str]) -> str:
    return "\n".join(difflib.unified_diff(expected, actual, "document", "zopa", lineterm="", n=2))


def describe(doc: Path, outcome: Outcome) -> str:
    where = f"{doc.relative_to(ROOT)}:{outcome.step.line}"
    return f"{where}: $ {outcome.step.text}\n{outcome.message}"


# --------------------------------------------------------------------------- --update


def update(doc: Path, outcomes: list[Outcome]) -> list[str]:
    """Rewrite the output of every console command whose block is not abridged.

    Returns the failures left (abridged blocks that no longer match; failing
    sh or hidden commands), for the writer to fix by hand.
    """
    lines = doc.read_text(encoding="utf-8").split("\n")
    left = []
    for outcome in sorted(outcomes, key=lambda o: -o.step.line):
        if outcome.ok:
            continue
        step = outcome.step
        abridged = any(e.strip() == ELLIPSIS for e in step.expected)
        if step.kind != "console" or abridged:
            left.append(describe(doc, outcome))
            continue
        start, end = step.block
        fresh = [" " * step.indent + f if f else f for f in normalise(outcome.output)]
        # keep the blank line that separated this output from the next command
        tail = [""] if step.expected and not step.expected[-1].strip() else []
        lines[start:end] = fresh + tail
    doc.write_text("\n".join(lines), encoding="utf-8")
    return left


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("docs", nargs="*", type=Path, help="default: every document")
    parser.add_argument("--update", action="store_true", help="rewrite unabridged outputs")
    args = parser.parse_args(argv)
    failed = 0
    for doc in [d.resolve() for d in args.docs] or documents():
        steps = parse(doc.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            outcomes = Runner(doc, Path(tmp) / "doc").run(steps)
        bad = [o for o in outcomes if not o.ok]
        fixed_by_hand = update(doc, outcomes) if args.update and bad else None
        bad_text = fixed_by_hand if fixed_by_hand is not None else [describe(doc, o) for o in bad]
        for text in bad_text:
            print(text, end="\n\n")
        failed += len(bad_text)
        print(f"{doc.relative_to(ROOT)}: {len(outcomes)} commands, {len(bad_text)} failing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
