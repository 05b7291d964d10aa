"""Arguments in ``--help`` read as their metavars are written: ``[SCENARIO]`` for an
optional one, ``FILE...`` for a repeated one, never ``[[SCENARIO]]``, ``{FILE...}...``
or a Python type such as ``<list[str]>``."""

from __future__ import annotations

import re

import pytest

from tests.cli import zopa

COMMANDS = [
    ["check"],
    ["analyze"],
    ["montecarlo"],
    ["stability"],
    ["tournament"],
    ["serve"],
    ["import", "genius"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_arguments_show_their_metavars_once(command: list[str]) -> None:
    run = zopa(*command, "--help")
    assert run.returncode == 0, run.stderr
    assert "[[" not in run.stdout and "{" not in run.stdout
    assert "<list[str]>" not in run.stdout
    if "Arguments:" in run.stdout:  # the arguments' section: no Python type after a metavar
        arguments = run.stdout.split("Arguments:", 1)[1].split("Options:", 1)[0]
        assert "<" not in arguments


def test_check_usage_and_argument() -> None:
    text = zopa("check", "--help").stdout
    assert "Usage: zopa check [OPTIONS] FILE...\n" in text
    assert re.search(r"^  FILE\.\.\.\s+Scenario files", text, re.M)


def test_optional_scenario_in_usage() -> None:
    assert "Usage: zopa analyze [OPTIONS] [SCENARIO]\n" in zopa("analyze", "--help").stdout
    usage = zopa("import", "genius", "--help").stdout.splitlines()[0]
    assert usage.endswith("[OPTIONS] DOMAIN.xml PROFILE.xml...")
