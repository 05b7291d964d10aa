"""``zopa bridge`` on the built-in scenario, at every draft date, checked by enumeration.

The built-in describes territory, NATO and the Zaporizhzhia plant by attributes. For
each conflict the command reports, every new combination of each attribute issue it
names is tried directly (the other issues the conflict names on every listed option)
against the conflict's red lines, as loaded; the formulas that satisfy them all must be
exactly the ones reported. The conflicts must be those of ``zopa blockers`` on the
same date, and everything shown must be as of that date.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

import pytest

from tests.cli import zopa
from zopa import rules
from zopa.load import load_scenario
from zopa.problem import Problem

SCENARIO = load_scenario(None)
DRAFTS = [d.id for d in SCENARIO.drafts]
ATTRIBUTED = [i.id for i in SCENARIO.issues if i.attributed]


def _json(*args: str) -> dict:
    run = zopa(*args, "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_contested_issues_are_described_by_attributes() -> None:
    assert {"territory", "nato", "znpp"} <= set(ATTRIBUTED)


def _enumerated_bridges(expanded: Problem, members: list, issue_id: str) -> list[dict]:
    """Every new formula of ``issue_id`` with which all ``members`` hold, by trying each one
    with every combination of listed options on the other issues they name."""
    i = expanded.issue_index[issue_id]
    issue = expanded.issues[i]
    named = sorted(set().union(*(m.issues for m in members)) | {i})
    ranges = [
        range(issue.listed, len(issue.values)) if j == i else range(expanded.issues[j].listed)
        for j in named
    ]
    found = []
    for choice in itertools.product(*ranges):
        package = [0] * expanded.n_issues
        for j, k in zip(named, choice, strict=True):
            package[j] = k
        if all(rules.evaluate(m.bound, package) for m in members):
            formula = issue.combo_json(issue.combos[package[i]])
            if formula not in found:
                found.append(formula)
    return found


@pytest.mark.parametrize("draft", DRAFTS)
def test_bridges_at_each_draft_date_match_enumeration(draft: str) -> None:
    out = _json("bridge", "--draft", draft)
    listed = _json("blockers", "--draft", draft)
    assert out["as_of"] == listed["as_of"]
    assert [c["constraints"] for c in out["conflicts"]] == listed["conflicts"]
    assert out["feasible_listed"] is listed["feasible"] is False

    as_of = dt.date.fromisoformat(out["as_of"])
    in_force = {r.id for r in SCENARIO.red_lines if r.in_force(as_of)}
    expanded = Problem(SCENARIO, as_of, expand=ATTRIBUTED)
    by_id = {c.id: c for c in expanded.constraints}
    for conflict in out["conflicts"]:
        assert set(conflict["constraints"]) <= in_force  # only red lines in force that day
        members = [by_id[c] for c in conflict["constraints"]]
        assert all(m.kind == "red_line" for m in members)
        for issue_id in set(conflict["issues"]) & set(ATTRIBUTED):
            reported = [b["attributes"] for b in conflict["bridged_by"] if b["issue"] == issue_id]
            assert sorted(map(str, reported)) == sorted(
                map(str, _enumerated_bridges(expanded, members, issue_id))
            )
        if not conflict["bridged_by"] and not conflict["undetermined"]:
            assert conflict["constraints"] in out["unbridgeable"]
    # A conflict naming at most one attribute issue that no new formula of it dissolves
    # cannot be dissolved by new formulas elsewhere: no deal with new formulas either.
    stuck = [
        c
        for c in out["conflicts"]
        if c["constraints"] in out["unbridgeable"] and len(set(c["issues"]) & set(ATTRIBUTED)) <= 1
    ]
    if stuck:
        assert out["feasible_with_new_formulas"] is False
        assert out["solutions"] == {}
    assert out["complete"] is True


def test_what_the_text_cites_was_published_by_the_analysis_date() -> None:
    published = {s.id: s.date for s in SCENARIO.sources}
    for draft, date in [("us-28-point", "2025-11-20"), ("us-december-leak", "2025-12-10")]:
        run = zopa("bridge", "--draft", draft)
        assert run.returncode == 0, run.stderr
        assert f"as of {date}" in run.stdout
        cited = set(re.findall(r"\b[sx]\d+\b", run.stdout))
        assert cited, "the red lines are shown with their sources"
        late = {c for c in cited if published[c] and published[c] > dt.date.fromisoformat(date)}
        assert not late, f"{draft}: cites sources published after {date}: {sorted(late)}"


def test_every_listed_option_keeps_its_attribute_values_in_the_expanded_issue() -> None:
    """The listed options come first in the expanded issue, with the same values, so a
    red line written over attributes accepts a listed option in both views alike."""
    listed = Problem(SCENARIO, None)
    expanded = Problem(SCENARIO, None, expand=ATTRIBUTED)
    for issue_id in ATTRIBUTED:
        a = listed.issues[listed.issue_index[issue_id]]
        b = expanded.issues[expanded.issue_index[issue_id]]
        assert b.listed == a.listed == len(SCENARIO.issue(issue_id).options)
        assert b.combos[: a.listed] == a.combos
        assert len(set(b.combos)) == len(b.combos)  # no new formula repeats a listed one
    for c_listed, c_expanded in zip(listed.constraints, expanded.constraints, strict=True):
        assert c_listed.id == c_expanded.id
