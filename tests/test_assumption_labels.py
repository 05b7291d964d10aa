"""Every output whose numbers derive from a scenario's assumed weights, values and
reservations says so: the scenario's note in text (``zopa analyze``'s words, within
80 columns), ``derived_from_assumptions`` and ``assumption`` in JSON.

Through the real command (:func:`tests.cli.zopa`), on the built-in scenario and on
the small example with and without an ``assumptions.note``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import TESTS, zopa
from zopa.analysis import assumptions_note
from zopa.load import load_scenario

NOTE = (
    "Weights, values and reservations of this example are illustrative assumptions, "
    "chosen to exercise the engine rather than to describe any real party."
)
EXAMPLE = TESTS / "data" / "example.yaml"

# the commands whose numbers derive from the assumed weights, values and reservations
COMMANDS = [
    ["solve"],
    ["frontier"],
    ["amend"],
    ["fair", "--parties", "a,b"],
    ["simulate", "--rounds", "5"],
    ["montecarlo", "-n", "20"],
    ["bridge"],
    ["tournament", "--strategies", "linear,hardliner", "--rounds", "4", "--repeats", "1"],
    ["analyze"],
    ["forecast", "--issue", "army_cap", "--no-sensitivity"],
]


@pytest.fixture(scope="module")
def noted_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example scenario with an ``assumptions.note``, as a user would write it."""
    path = tmp_path_factory.mktemp("noted") / "noted.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(text + f"assumptions:\n  note: >-\n    {NOTE}\n", encoding="utf-8")
    assert assumptions_note(load_scenario(str(path))) == NOTE
    return path


def _joined(text: str) -> str:
    return " ".join(text.split())


def _args(command: list[str], scenario: str) -> list[str]:
    head, *rest = command
    return [head, scenario, *rest]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_text_ends_with_the_note_within_80_columns(noted_example: Path, command: list[str]) -> None:
    run = zopa(*_args(command, str(noted_example)))
    assert run.returncode == 0, run.stderr
    assert _joined(run.stdout).endswith(NOTE)
    assert all(len(line) <= 80 for line in run.stdout.splitlines()[-4:])


# zopa forecast --json carries the same keys, in the forecast's own words
@pytest.mark.parametrize("command", COMMANDS[:-1], ids=lambda c: c[0])
def test_json_carries_the_label(noted_example: Path, command: list[str]) -> None:
    run = zopa(*_args(command, str(noted_example)), "--json")
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["derived_from_assumptions"] is True
    assert document["assumption"] == NOTE


@pytest.mark.parametrize("command", [["solve"], ["fair", "--parties", "a,b"]], ids=lambda c: c[0])
def test_no_note_when_the_scenario_declares_none(command: list[str]) -> None:
    assert assumptions_note(load_scenario(str(EXAMPLE))) is None
    text = zopa(*_args(command, str(EXAMPLE)))
    assert text.returncode == 0, text.stderr
    assert "assumption" not in text.stdout
    document = json.loads(zopa(*_args(command, str(EXAMPLE)), "--json").stdout)
    assert "derived_from_assumptions" not in document and "assumption" not in document


def test_fair_from_a_points_table_is_not_labelled() -> None:
    table = str(TESTS / "data" / "aw-worked-example.csv")
    document = json.loads(zopa("fair", "--points", table, "--json").stdout)
    assert "derived_from_assumptions" not in document


def test_builtin_stability_says_its_utilities_are_assumed() -> None:
    """The most exposed output: a party's 'best move' with utilities from assumed weights."""
    note = assumptions_note(load_scenario("ukraine-2025"))
    assert note
    run = zopa("stability", "--as-of", "2025-11-26")
    assert run.returncode == 0, run.stderr
    assert "best such move" in run.stdout
    assert _joined(run.stdout).endswith(_joined(note))
    assert all(len(line) <= 80 for line in run.stdout.splitlines())
    document = json.loads(zopa("stability", "--as-of", "2025-11-26", "--json").stdout)
    assert document["derived_from_assumptions"] is True
    assert document["assumption"] == note


def test_stability_of_a_graph_model_is_not_labelled() -> None:
    model = next((TESTS / "data" / "gmcr").glob("*.yaml"))
    run = zopa("stability", str(model))
    assert run.returncode in (0, 3), run.stderr
    assert "illustrative assumptions" not in run.stdout
