"""The text output, as a newcomer reads it in an 80 × 24 terminal (``COLUMNS=80``).

Everything runs through the real ``zopa`` command.  What the text must say is
taken from the same command's ``--json`` document, so that each assertion
checks that the words carry what the JSON knows.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from zopa.load import load_scenario

TESTS = Path(__file__).parent
EXAMPLE = TESTS / "data" / "example.yaml"


def zopa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    run = subprocess.run(
        [sys.executable, "-m", "zopa.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert "Traceback" not in run.stderr, run.stderr
    return run


def flat(text: str) -> str:
    """The text with the terminal's line wrapping undone."""
    return " ".join(text.split())


def check_80_columns(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= 80, line
        if "│" in line or "┃" in line:  # a table row: no cell cut to a word and an ellipsis
            assert "…" not in line, line


@pytest.fixture(scope="module")
def builtin() -> tuple[str, dict]:
    text = zopa("analyze")
    doc = zopa("analyze", "--json")
    assert text.returncode == doc.returncode == 0, text.stderr
    return text.stdout, json.loads(doc.stdout)


@pytest.fixture(scope="module")
def deal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with a deal: Party B accepts a ceiling up to 800,000; the mediator (no
    veto) has a red line every bargaining solution breaks; the draft has no title and leaves
    the alliance open."""
    text = EXAMPLE.read_text()
    text = text.replace('rule: "army_cap <= 600000"', 'rule: "army_cap <= 800000"')
    text = text.replace(
        "drafts:",
        '  - id: m-withdrawal\n    party: m\n    rule: "territory == full_withdrawal"\n'
        "    text: The mediator wants a full withdrawal\n    source: s1\n"
        "drafts:",
    )
    text = text.replace("    title: First draft\n", "")
    text = text.replace(", alliance: renounce}", "}")
    path = tmp_path_factory.mktemp("deal") / "deal.yaml"
    path.write_text(text)
    assert zopa("check", str(path)).returncode == 0
    return path


# --------------------------------------------------------------------------- zopa analyze


def test_the_first_screen_says_what_blocks_a_deal_and_who_is_on_each_side(
    builtin: tuple[str, dict],
) -> None:
    text, doc = builtin
    summary = text[: text.index("The draft, point by point")].splitlines()
    assert len(summary) <= 23  # with the command line above it, one 80 × 24 screen
    screen = flat("\n".join(summary))
    assert doc["feasible"] is False
    assert f"No deal is possible as of {doc['as_of']}" in screen
    assert f"{len(doc['blockers']['conflicts'])} conflicts between red lines" in screen
    titles = {r["issue"]: r["title"] for r in doc["board"]["rows"]}
    for issue in doc["blockers"]["blocking_issues"]:
        assert titles[issue] in screen, issue
    # both sides of every conflict are named: each conflict's parties appear in the summary
    names = {"ukraine": "Ukraine", "russia": "Russia", "europe": "European states"}
    for explanation in doc["blockers"]["explanations"]:
        for red in explanation["red_lines"]:
            assert names[red["party"]] in screen
    assert " against " in screen
    smallest = min(len(c) for c in doc["blockers"]["concessions"])
    ways = sum(len(c) == smallest for c in doc["blockers"]["concessions"])
    assert f"drop {smallest} red lines, in {ways} ways" in screen
    assert f"{len(doc['blockers']['concessions'])} concessions in all" in screen
    assert "Below:" in screen and "zopa serve" in screen
    # make run shows the latest draft and says why, naming the comprehensive one to look at
    assert doc["fuller_draft"] is not None
    assert f"zopa analyze --draft {doc['fuller_draft']}" in screen
    addressed = sum(r["option"] is not None for r in doc["board"]["rows"])
    assert "the latest on the table (--draft ID shows another)" in screen
    assert f"It addresses only {addressed} of {len(doc['board']['rows'])} points" in screen
    # an uncertain scenario: the summary says it is a point analysis, no note above it
    assert doc["point_estimate"]
    assert "this is a point analysis" in screen and "zopa montecarlo" in screen
    assert not text.startswith("Note:")


def test_the_board_lists_the_points_addressed_and_counts_the_rest(
    builtin: tuple[str, dict],
) -> None:
    text, doc = builtin
    check_80_columns(text)
    rows = doc["board"]["rows"]
    left = sum(r["option"] is None for r in rows)
    assert f"{left} points not addressed by this draft." in text
    assert "(not addressed)" not in text
    board = text[text.index("The draft, point by point") : text.index("not addressed by")]
    cells = [line.split("│") for line in board.splitlines() if "│" in line]
    points = flat(" ".join(c[0] for c in cells))  # the Point column, wrapped lines joined
    broken = flat(" ".join(c[-1] for c in cells))
    for row in rows:
        assert (row["title"] in points) == (row["option"] is not None), row["title"]
        for red in row["red_lines_violated"]:
            assert red in broken
    # the red lines the draft leaves undecided, under their parties' names
    open_part = flat(text[text.index("depend on points") : text.index("Stances reported by")])
    undecided = [r for r in doc["board"]["red_lines"] if r["status"] == "undetermined"]
    assert open_part.startswith("depend on points the draft leaves open: ")
    names = {p.id: p.label for p in load_scenario().parties}
    for party in dict.fromkeys(r["party"] for r in undecided):
        ids = ", ".join(sorted(r["id"] for r in undecided if r["party"] == party))
        assert f"{names[party]}: {ids}" in open_part, party
    # every party is named under the stances: with its counts, or as reporting none
    stances = flat(text[text.index("Stances reported by") : text.index("Why no deal")])
    silent = stances[stances.index("No stance reported for") :]
    label = names
    for party in doc["board"]["parties"]:
        name = label[party["party"]]
        said = party["agreed"] or party["rejected"] or party["open"]
        assert (f"{name}: {len(party['agreed'])} agreed" in stances) == bool(said), name
        assert (name in silent) != bool(said), name


def test_the_fuller_draft_is_named_only_when_the_draft_is_short(
    builtin: tuple[str, dict],
) -> None:
    _, doc = builtin
    run = zopa("analyze", "--draft", doc["fuller_draft"], "--json")
    assert json.loads(run.stdout)["fuller_draft"] is None


def test_a_feasible_analysis_with_objections_fill_ins_and_no_draft_title(deal: Path) -> None:
    run = zopa("analyze", str(deal))
    doc = json.loads(zopa("analyze", str(deal), "--json").stdout)
    assert run.returncode == 0, run.stderr
    text = run.stdout
    check_80_columns(text)
    words = flat(text)
    assert "A deal is possible as of 2025-11-20" in words
    assert "first-draft (first-draft)" not in words  # a draft without a title: its id once
    # every solution breaks the mediator's red line: said in words
    assert all(s["objections"] == ["m-withdrawal"] for s in doc["solutions"].values())
    objections = flat(text[text.index("Objections of parties without a veto") :])
    assert objections.startswith(
        "Objections of parties without a veto (they cannot block a deal): • Mediator's red "
        "line, broken by every solution: The mediator wants a full withdrawal"
    )
    assert "m-withdrawal" not in words  # the red line by its text, never its id
    # what the amendment fills in is listed, as the JSON has it
    filled = doc["amendment"]["filled"]
    assert filled == [{"issue": "alliance", "to": filled[0]["to"]}]
    assert f"+ Alliance membership: {filled[0]['to']}" in text
    # each solution's value is explained
    for meaning in (
        "the sum of the veto parties' utilities",
        "the smallest gain over reservation",
        "the product of the veto parties' gains over their reservations",
        "the smallest share of its ideal gain",
    ):
        assert meaning in words
    assert "objective value" not in words


# --------------------------------------------------------------------------- other commands


def test_the_frontier_shows_every_listed_point_with_its_package(deal: Path) -> None:
    from zopa.load import load_scenario
    from zopa.problem import Problem
    from zopa.report.explain import option_label

    problem = Problem(load_scenario(str(deal)))
    run = zopa("frontier", str(deal))
    doc = json.loads(zopa("frontier", str(deal), "--json").stdout)
    assert run.returncode == 0
    check_80_columns(run.stdout)
    words = flat(run.stdout)
    assert f"{len(doc['points'])} points (exact)" in words
    for method in ("decomposition", "dominance-cuts"):
        assert method not in words  # internal method names stay in the JSON
    rows = re.split(r"\n\s*(?=\d+ │)", run.stdout)  # one chunk per numbered row
    for k, point in enumerate(doc["points"], 1):
        row = flat(next(r for r in rows if r.strip().startswith(f"{k} │")))
        for party, u in point["utilities"].items():
            assert f"{u:.3f}" in row, (k, party)
        for issue, option in point["package"].items():
            assert option_label(problem, issue, option) in words, (k, issue)


def test_an_empty_frontier_says_why() -> None:
    run = zopa("frontier", str(EXAMPLE))
    assert run.returncode == 0
    assert flat(run.stdout) == (
        "The Pareto frontier of Party A and Party B is empty: no package is acceptable "
        "to every veto party as of 2025-11-20 (see zopa blockers for why)."
    )


def test_numbers_have_one_format_in_every_text_output() -> None:
    """``85,000 personnel``, never ``army_cap=85000``: simulate and montecarlo included."""
    for args in (
        ["simulate", "--protocol", "single-text", "--rounds", "5"],
        ["montecarlo", "-n", "200", "--seed", "1"],
        ["solve", str(EXAMPLE)],
    ):
        run = zopa(*args)
        assert run.returncode == 0, run.stderr
        assert not re.search(r"\w=\d", run.stdout), args
        assert not re.search(r"(?<![\d,.])\d{5,}(?![\d,])", run.stdout), args  # 85000


def test_concessions_group_each_partys_red_lines(builtin: tuple[str, dict]) -> None:
    text, doc = builtin
    owner = {
        red["id"]: red["party"]
        for explanation in doc["blockers"]["explanations"]
        for red in explanation["red_lines"]
    }
    first = doc["blockers"]["concessions"][0]
    listed = text[text.index("Smallest concessions (ranked") :]
    line = flat(listed[listed.index("  1. ") : listed.index("  2. ")])
    assert line.startswith(f"1. {len(first)} red lines set aside — ")
    assert all(red in line for red in first)
    # one group per party, each its name then its red lines, no verb to agree with it
    groups = line.split(" — ", 1)[1].split("; ")
    assert len(groups) == len({owner[red] for red in first})
    assert " drops " not in line


@pytest.mark.parametrize(
    "args",
    [
        ["scenarios"],
        ["audit"],
        ["timeline"],
        ["bridge"],
        ["stability"],
        ["fair", "--parties", "ukraine,russia"],
        ["forecast", "--issue", "army_cap"],
    ],
)
def test_the_other_commands_read_at_80_columns_on_the_built_in(args: list[str]) -> None:
    run = zopa(*args)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()
    check_80_columns(run.stdout)


# --------------------------------------------------------------------------- tables too wide


def test_a_table_too_wide_for_its_words_becomes_a_list_and_cuts_no_word() -> None:
    """Four solutions over 28 points: the columns' longest words alone exceed 80 columns,
    so the table is written as a list; every option and utility is there whole."""
    from zopa.load import load_scenario

    text = zopa("solve", "--drop-conflicting")
    doc = json.loads(zopa("solve", "--drop-conflicting", "--json").stdout)
    assert text.returncode == 0, text.stderr
    check_80_columns(text.stdout)
    said = flat(text.stdout)
    scenario = load_scenario()
    for name, solution in doc["solutions"].items():
        for issue_id, option in solution["package"].items():
            issue = scenario.issue(issue_id)
            label = issue.label(issue.index_of(option))
            assert flat(label) in said, (name, issue_id, label)
        for party, u in solution["utilities"].items():
            assert f"{u:.3f}" in said, (name, party)
    # the same point under every solution is said once
    assert "all: Sovereignty confirmed" in said


def test_montecarlo_names_issues_and_parties() -> None:
    from zopa.load import load_scenario

    scenario = load_scenario()
    run = zopa("montecarlo", "--samples", "50")
    doc = json.loads(zopa("montecarlo", "--samples", "50", "--json").stdout)
    assert run.returncode == 0, run.stderr
    check_80_columns(run.stdout)
    said = flat(run.stdout)
    for issue_id, p in doc["p_blocking_issue"].items():
        if p > 0:
            assert flat(scenario.issue(issue_id).title or issue_id) in said, issue_id
    for party in doc["draft_acceptance"]:
        assert f"{scenario.party(party).label}: " in said, party
    # the scenario and the draft by their titles (the JSON keeps the ids)
    assert said.startswith(f"{flat(scenario.title or '')} as of {doc['as_of']}")
    title = flat(scenario.draft(doc["draft"]).title or "")
    assert f"Draft {title}: P(party accepts some completion of it)" in said
    assert doc["scenario"] not in said and doc["draft"] not in said
    if doc["robust_package"]["p_accepted"] == 0:
        assert "in none, so it is no way to a deal" in said


# --------------------------------------------------------------------------- display names


@pytest.mark.parametrize(
    ("args", "parties"),
    [
        (["fair", "--parties", "ukraine,russia"], ["ukraine", "russia"]),
        (["forecast", "--issue", "army_cap", "--model", "bdm", "--samples", "20"], None),
        (["simulate", "--protocol", "single-text", "--rounds", "5"], None),
        (["timeline"], None),
    ],
)
def test_parties_and_issues_are_shown_by_their_names_not_their_ids(
    args: list[str], parties: list[str] | None
) -> None:
    """Every party the JSON names is shown by its display name; its id is never used as
    a label in the text (the JSON keeps the ids)."""
    from zopa.load import load_scenario

    scenario = load_scenario()
    run = zopa(*args)
    doc = json.loads(zopa(*args, "--json").stdout)
    assert run.returncode == 0, run.stderr
    check_80_columns(run.stdout)
    said = flat(run.stdout)
    ids = parties or [p.id for p in scenario.parties]
    for party in ids:
        assert party in json.dumps(doc), party  # the JSON still names the party by its id
        label = scenario.party(party).label
        if args[0] == "timeline":  # a column header: the name wraps within its column
            assert all(word in said for word in label.split()), party
        else:
            assert flat(label) in said, party
        # an id is still visible inside red-line ids (``ukraine-territory``), never as a word
        assert not re.search(rf"(?<![\w-]){re.escape(party)}(?![\w-])", run.stdout), party
    if args[0] == "fair":
        for issue_id in doc["allocation"]:
            assert flat(scenario.issue(issue_id).title or issue_id) in said, issue_id
            # never an id at the start of a row or a step (``army_cap -> russia``)
            assert not re.search(rf"^\s*{issue_id}\b", run.stdout, re.M), issue_id
    if args[0] == "forecast":
        assert flat(scenario.issue("army_cap").title or "") in said
    if args[0] == "simulate":  # the scenario by its title
        assert f"{flat(scenario.title or '')} as of " in said
        assert scenario.id not in said


def _word(ident: str) -> str:
    """A pattern for ``ident`` as a word of its own (not inside a longer id)."""
    return rf"(?<![\w-]){re.escape(ident)}(?![\w-])"


def test_the_timeline_names_drafts_and_blocking_points_by_their_titles() -> None:
    """Each draft by its title, in the list and in the stance table; the points blocking it
    by their titles; no draft id or issue id in the text (the JSON keeps them)."""
    from zopa.load import load_scenario

    scenario = load_scenario()
    run = zopa("timeline")
    doc = json.loads(zopa("timeline", "--json").stdout)
    assert run.returncode == 0, run.stderr
    text = run.stdout
    check_80_columns(text)
    listing, stances = text.split("Stances reported on each draft")
    paragraphs = re.split(r"\n(?=\d{4}-\d\d-\d\d  )", listing)[1:]  # one per draft
    assert len(paragraphs) == len(doc["timeline"])
    for entry, paragraph in zip(doc["timeline"], paragraphs, strict=True):
        said = flat(paragraph)
        assert said.startswith(f"{entry['date']} {flat(entry['title'])}"), said
        assert f"{entry['points']} point" in said and f"{entry['agreed']} agreed" in said
        blocking = [flat(scenario.issue(i).title or i) for i in entry["blocking_issues"]]
        assert ("no deal, blocked on " + "; ".join(blocking)) in said
        assert not re.search(_word(entry["draft"]), text), entry["draft"]
    for issue in {i for e in doc["timeline"] for i in e["blocking_issues"]}:
        assert not re.search(_word(issue), text), issue
    # the stance table: drafts by their titles in its first column
    rows = [line.split("│") for line in stances.splitlines() if "│" in line]
    first = flat(" ".join(r[0] for r in rows))
    for entry in doc["timeline"]:
        assert flat(entry["title"]) in first, entry["title"]
    # a long party name wraps over a few header lines, never a lone "/" or one word a line
    header = [line.split("┃") for line in stances.splitlines() if "┃" in line]
    europe = [cells[-1].strip() for cells in header if cells[-1].strip()]
    assert " ".join(europe) == scenario.party("europe").label
    assert "/" not in europe and len(europe) <= 4


def test_stances_name_the_points_open_or_rejected_by_their_titles(deal: Path) -> None:
    run = zopa("analyze", str(deal))
    assert run.returncode == 0, run.stderr
    said = flat(run.stdout)
    assert (
        "rejected: Status of the contested region, Ceiling on armed forces and Alliance "
        "membership [s1]"
    ) in said
    assert "rejected: territory" not in said


def test_the_amendment_names_its_draft_by_its_title() -> None:
    from zopa.load import load_scenario

    run = zopa("amend")
    doc = json.loads(zopa("amend", "--json").stdout)
    assert run.returncode == 0, run.stderr
    check_80_columns(run.stdout)
    title = load_scenario().draft(doc["draft"]).title
    assert title and f"No amendment of {flat(title)} is acceptable" in flat(run.stdout)
    assert not re.search(_word(doc["draft"]), run.stdout)


def test_a_what_if_weight_names_the_point_by_its_title() -> None:
    """The departure says the issue's (and the attribute's) title; the JSON keeps the ids."""
    from zopa.load import load_scenario

    scenario = load_scenario()
    args = [
        "blockers",
        "--weight",
        "ukraine.army_cap=5",
        "--weight",
        "ukraine.territory.withdrawal=3",
    ]
    run = zopa(*args)
    doc = json.loads(zopa(*args, "--json").stdout)
    assert run.returncode == 0, run.stderr
    said = flat(run.stdout + run.stderr)
    territory = scenario.issue("territory")
    assert f"Ukraine's weight on {flat(scenario.issue('army_cap').title or '')} changes" in said
    assert (
        f"Ukraine's weight on {flat(territory.title or '')}: "
        f"{flat(territory.attributes['withdrawal'].title or '')} changes"
    ) in said
    assert "weight on army_cap" not in said and "territory.withdrawal" not in said
    targets = {d["target"] for d in doc["departures"]}
    assert {"ukraine.army_cap", "ukraine.territory.withdrawal"} <= targets


def test_a_strict_threshold_names_itself_beside_its_step_on_the_grid() -> None:
    """ "at most 695,000 (… the mean, 700,000 …)" puzzled a reader: the threshold is now
    said beside the grid step it lands on."""
    text = zopa("blockers", "--as-of", "2025-11-26")
    doc = json.loads(zopa("blockers", "--as-of", "2025-11-26", "--json").stdout)
    strict = [
        g
        for e in doc["explanations"]
        for g in e["thresholds"]
        if g["op"] in ("<", ">") and g["bound"] != g["threshold"]
    ]
    assert strict
    said = flat(text.stdout)
    for g in strict:
        side = "below" if g["op"] == "<" else "above"
        assert f"{g['bound']:,} personnel (the nearest step {side} {g['threshold']:,}" in said


def test_amend_before_any_draft_says_none_was_tabled_yet() -> None:
    """It said "the scenario has no drafts to amend" of a scenario that has drafts."""
    from zopa.load import load_scenario as load

    first = min(d.date for d in load(str(EXAMPLE)).drafts if d.date is not None)
    run = zopa("amend", str(EXAMPLE), "--as-of", "2020-01-01")
    assert run.returncode == 2
    said = "no draft had been tabled by 2020-01-01"
    assert f"{said} (the first is dated {first.isoformat()})" in run.stderr
