"""Help texts, their examples, ``--version``, and every command without the optional extras.

The examples are run in an environment holding only zopa's base dependencies
(:mod:`tests.base_env`): each must work there, or stop at once with a usage
error that names the extra to install — and then work in the full test
environment.  No command may end in an internal error for a missing package.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests import base_env

TESTS = Path(__file__).parent
EXTRA_MESSAGE = re.compile(r"needs? the optional '(\w+)' extra .*pip install 'zopa\[\1\]'")
NOT_RUN = {"serve": "runs until stopped; tests/test_web_*.py start it and use it"}


def zopa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zopa.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**base_env.os.environ, "COLUMNS": "80"},
    )


def commands() -> list[list[str]]:
    """Every command, as the words that name it (``["import", "genius"]``)."""
    import typer.main

    from zopa.cli import app

    group = typer.main.get_command(app)
    out = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        out += [[name, sub] for sub in subs] if subs else [[name]]
    return out


COMMANDS = commands()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = base_env.build(tmp_path_factory.mktemp("base") / "site-packages")
    env["COLUMNS"] = "80"
    return env


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    """Each command's --help at 80 columns, from the CLI entry in this process (help is
    stateless, and 19 interpreters would cost more than the rest of this file)."""
    from typer.testing import CliRunner

    from zopa.cli import app

    out = {}
    for words in COMMANDS:
        run = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "80"})
        assert run.exit_code == 0, run.output
        out[" ".join(words)] = run.output
    return out


def test_version_is_the_installed_one() -> None:
    run = zopa("--version")
    assert run.returncode == 0
    assert run.stdout == f"zopa {version('zopa')}\n"


def test_the_command_list_cuts_no_help_text_at_80_columns() -> None:
    run = zopa("--help")
    assert run.returncode == 0
    entries = [line for line in run.stdout.splitlines() if line.startswith("  ")]
    assert {words[0] for words in COMMANDS} <= {line.split()[0] for line in entries}
    assert not [line for line in entries if "..." in line]  # click cuts long ones with "..."
    assert all(len(line) <= 80 for line in run.stdout.splitlines())


def test_every_command_has_one_example(helps: dict[str, str]) -> None:
    for name, text in helps.items():
        assert text.count("Example:") == 1, name
        assert len(examples(text)) == 1, name
        assert examples(text)[0].startswith(f"zopa {name}"), name


def examples(help_text: str) -> list[str]:
    """The example commands: after "Example:", on the same line or the next."""
    lines = help_text.splitlines()
    out = []
    for k, line in enumerate(lines):
        head, found, rest = line.strip().partition("Example:")
        if found and not head:
            out.append(rest.strip() or lines[k + 1].strip())
    return out


def scratch(folder: Path) -> Path:
    """The files the examples name, in a fresh folder."""
    folder.mkdir()
    genius, web = TESTS / "data" / "genius" / "basic", TESTS / "data" / "geniusweb" / "basic"
    shutil.copy(genius / "basic_domain.xml", folder / "domain.xml")
    for name in ("buyer.xml", "seller.xml"):
        shutil.copy(genius / name, folder / name)
    shutil.copy(web / "basicweb.json", folder / "domain.json")
    for name in ("alice.json", "bob.json"):
        shutil.copy(web / name, folder / name)
    shutil.copy(TESTS / "data" / "example.yaml", folder / "talks.yaml")
    shutil.copy(
        TESTS.parent / "docs" / "how-to" / "find-bridging-formulas.yaml", folder / "dam.yaml"
    )
    return folder


def test_every_example_runs_or_names_the_missing_extra(
    helps: dict[str, str], base: dict[str, str], tmp_path: Path
) -> None:
    needed_extra = []
    for k, (name, text) in enumerate(sorted(helps.items())):
        (example,) = examples(text)
        args = example.split()[1:]
        if ">" in args:
            args = args[: args.index(">")]
        if name in NOT_RUN:
            run = base_env.run(base, *args, cwd=scratch(tmp_path / f"s{k}"))
            assert run.returncode == 2 and EXTRA_MESSAGE.search(run.stderr), (name, run.stderr)
            continue
        run = base_env.run(base, *args, cwd=scratch(tmp_path / f"b{k}"))
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, (name, run)
        if run.returncode == 2:
            assert EXTRA_MESSAGE.search(run.stderr), (name, run.stderr)
            assert not list((tmp_path / f"b{k}").glob("*.html")), name  # stopped before work
            needed_extra.append(name)
            run = zopa(*args, cwd=scratch(tmp_path / f"f{k}"))
        assert run.returncode == 0, (name, run.stdout[-500:], run.stderr[-1000:])
    assert sorted(needed_extra) == ["report", "timeline"]  # --plot: the charts extra


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["montecarlo", "-n", "10", "--workers", "2"], "dask"),
        (["tournament", "--strategies", "linear", "--workers", "2"], "dask"),
        (["simulate", "--rounds", "2", "--plot", "x.png"], "charts"),
        (["frontier", "--plot", "x.html"], "charts"),
        (["report", "-o", "r.md"], "report"),
    ],
)
def test_options_that_need_an_extra_say_which(
    args: list[str], extra: str, base: dict[str, str], tmp_path: Path
) -> None:
    run = base_env.run(base, *args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    found = EXTRA_MESSAGE.search(run.stderr)
    assert found and found[1] == extra, run.stderr
    assert "Traceback" not in run.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_the_base_environment_lacks_the_extras(base: dict[str, str]) -> None:
    def imports(module: str) -> bool:
        code = f"import {module}"
        run = subprocess.run([sys.executable, "-S", "-c", code], env=base, capture_output=True)
        return run.returncode == 0

    assert all(imports(m) for m in ("numpy", "ortools", "pysat", "rich", "typer", "zopa.cli"))
    assert not any(imports(m) for m in ("plotly", "kaleido", "jinja2", "fastapi", "distributed"))
