"""A date outside the scenario's record is said, not answered silently (``record_note``).

Before the first event of the record (the earliest red-line start or draft date)
an analysis finds next to nothing recorded; after the ``reviewed`` date nothing
is in the record at all.  Every command that takes ``--as-of`` notes it first in
its text and as ``record_note`` in its JSON; a date inside the record gets no note.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.cli import zopa
from tests.webserver import DATA
from zopa.load import load_scenario

EXAMPLE = str(DATA / "example.yaml")


def test_a_date_before_the_record_is_noted_first() -> None:
    scenario = load_scenario()
    start = scenario.record_start()
    assert start is not None and start > dt.date(2024, 1, 1)
    assert not scenario.red_lines_in_force(dt.date(2024, 1, 1))
    done = zopa("analyze", "--as-of", "2024-01-01")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Note: 2024-01-01 is before the first event in this scenario's")
    head = " ".join(lines[:3])
    assert f"({start.isoformat()}): no red line is recorded yet" in head
    assert "'deal possible' answer says nothing about the talks." in head
    assert max(len(line) for line in lines[:3]) <= 80
    document = json.loads(zopa("analyze", "--as-of", "2024-01-01", "--json").stdout)
    assert document["record_note"].startswith("2024-01-01 is before the first event")
    assert document["feasible"] is True  # the answer itself is kept, with its note


def test_a_date_after_the_review_is_noted_first() -> None:
    reviewed = load_scenario().reviewed
    assert reviewed is not None
    done = zopa("blockers", "--as-of", "2030-01-01")
    assert done.returncode == 0, done.stderr
    note = f"Note: the record was reviewed up to {reviewed.isoformat()}; nothing after that"
    assert done.stdout.startswith(note)
    document = json.loads(zopa("blockers", "--as-of", "2030-01-01", "--json").stdout)
    expected = f"the record was reviewed up to {reviewed.isoformat()}; nothing after that date"
    assert document["record_note"] == expected + " is in it."


@pytest.mark.parametrize("args", [["--as-of", "2026-01-01"], [], ["--as-of", "2026-12-03"]])
def test_a_date_inside_the_record_gets_no_note(args: list[str]) -> None:
    done = zopa("blockers", *args)
    assert done.returncode == 0, done.stderr
    assert "record" not in done.stdout.splitlines()[0]
    assert "reviewed up to" not in done.stdout and "before the first event" not in done.stdout
    assert "record_note" not in json.loads(zopa("blockers", *args, "--json").stdout)


@pytest.mark.parametrize(
    "command",
    [
        ["analyze"],
        ["blockers"],
        ["solve"],
        ["frontier"],
        ["amend", "--draft", "first-draft"],
        ["timeline"],
        ["bridge"],
        ["stability"],
        ["simulate"],
        ["montecarlo", "--samples", "20", "--processes", "1"],
    ],
)
def test_every_command_with_a_date_notes_it(command: list[str]) -> None:
    """The example's red lines start on 2025-11-20; one has no start date and counts."""
    start = load_scenario(EXAMPLE).record_start()
    done = zopa(*command, EXAMPLE, "--as-of", "2020-01-01", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["record_note"] == (
        f"2020-01-01 is before the first event in this scenario's record ({start}): "
        "only the red lines recorded without a start date count."
    )
    text = zopa(*command, EXAMPLE, "--as-of", "2020-01-01")
    assert text.stdout.startswith("Note: 2020-01-01 is before the first event")


def test_the_bounds_of_the_record_are_inside_it() -> None:
    """Through the Python API: the first event and the review date themselves get no note;
    a day outside either does."""
    scenario = load_scenario()
    start, reviewed = scenario.record_start(), scenario.reviewed
    assert start is not None and reviewed is not None
    assert scenario.record_note(start) is None and scenario.record_note(reviewed) is None
    assert scenario.record_note(start - dt.timedelta(days=1)) is not None
    assert scenario.record_note(reviewed + dt.timedelta(days=1)) is not None
    assert scenario.record_note(None) is None
    dated = [r.since for r in scenario.red_lines if r.since]
    dated += [d.date for d in scenario.drafts if d.date]
    assert start == min(dated)
