"""Adjusted Winner: worked examples, edge cases, and its three properties against brute force."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.cli import zopa
from zopa.load import ScenarioError
from zopa.models.fair import adjusted_winner, normalise, read_points

DATA = Path(__file__).parent / "data"


# --------------------------------------------------------------------------- worked examples


def test_worked_example_by_hand():
    # tests/data/aw-worked-example.csv; Ben's points sum to 300, so they are divided by 3:
    #            Ann  Ben(raw)  Ben
    # harbour     50     90      30
    # customs     30     30      10
    # fishing     15    120      40
    # pipeline     5     60      20
    # Step 1: harbour, customs -> Ann (80 points); fishing, pipeline -> Ben (60 points).
    # Step 2: Ann leads; her issues by ratio: harbour 50/30 = 5/3, customs 30/10 = 3.
    #   Moving all of harbour would leave Ann 30 < Ben 90, so harbour is split.
    # Step 3: f = (80 - 60) / (50 + 30) = 1/4 of harbour goes to Ben:
    #   Ann 80 - 50/4 = 135/2, Ben 60 + 30/4 = 135/2.
    names, table = read_points(DATA / "aw-worked-example.csv")
    d = adjusted_winner(names, table)
    assert names == ("Ann", "Ben")
    assert d.points["fishing"] == (F(15), F(40))
    assert d.share == {"harbour": F(3, 4), "customs": F(1), "fishing": F(0), "pipeline": F(0)}
    assert d.totals() == (F(135, 2), F(135, 2))
    assert d.split == "harbour"
    assert d.initial_totals == (F(80), F(60))
    assert [(t.issue, t.ratio, t.fraction) for t in d.transfers] == [("harbour", F(5, 3), F(1, 4))]
    assert d.ratio_order == [("harbour", F(5, 3)), ("customs", F(3))]


def test_tie_goes_to_the_party_with_fewer_points_so_far():
    # x -> A (70 > 20), z -> B (60 > 10): A 70, B 60, so the tie t goes to B (fewer).
    # B leads 80 to 70; its issues by ratio: t 20/20 = 1, z 60/10 = 6.  Moving all of t
    # would give A 90 > B 60, so t is split: f = (80 - 70) / (20 + 20) = 1/4 to A.
    d = adjusted_winner(["A", "B"], {"x": (70, 20), "t": (20, 20), "z": (10, 60)})
    tie = next(s for s in d.initial if s.issue == "t")
    assert (tie.winner, tie.rule) == ("B", "tie")
    assert d.share == {"x": 1, "t": F(1, 4), "z": 0}
    assert d.totals() == (F(75), F(75))
    assert d.split == "t"


def test_tie_with_equal_totals_goes_to_the_first_party():
    # x -> A, z -> B: 50 each, so the tie goes to A; then A leads 70 to 50 and the tie
    # (ratio 1) is split in half: f = (70 - 50) / (20 + 20) = 1/2.
    d = adjusted_winner(["A", "B"], {"x": (50, 30), "t": (20, 20), "z": (30, 50)})
    assert next(s for s in d.initial if s.issue == "t").winner == "A"
    assert d.share["t"] == F(1, 2)
    assert d.totals() == (F(60), F(60))


def test_an_issue_both_value_at_zero_is_assigned_but_never_moved():
    d = adjusted_winner(["A", "B"], {"x": (60, 40), "n": (0, 0), "y": (40, 60)})
    n = next(s for s in d.initial if s.issue == "n")
    assert n.rule == "valued by neither"
    assert n.winner == "A"  # 60 = 60 so far: the first party
    assert d.share == {"x": 1, "n": 1, "y": 0}
    assert d.totals() == (F(60), F(60))
    assert d.split is None and d.transfers == []


def test_all_points_on_one_issue():
    # Both put everything on x: a tie (x -> A), y is valued by neither (-> B, fewer so far).
    # A leads 100 to 0; x (ratio 1) is split in half.
    d = adjusted_winner(["A", "B"], {"x": (100, 100), "y": (0, 0)})
    assert d.share == {"x": F(1, 2), "y": 0}
    assert d.totals() == (F(50), F(50))
    # One party all on x, the other split evenly: x -> A (100 > 50), y -> B; A leads 100
    # to 50 and gives f = 50 / 150 = 1/3 of x: both end with 200/3.
    d = adjusted_winner(["A", "B"], {"x": (100, 50), "y": (0, 50)})
    assert d.share == {"x": F(2, 3), "y": 0}
    assert d.totals() == (F(200, 3), F(200, 3))


def test_no_transfer_when_the_totals_start_equal():
    d = adjusted_winner(["A", "B"], {"x": (70, 30), "y": (30, 70)})
    assert d.leader is None and d.split is None
    assert d.to_json()["points"] == {"A": "70", "B": "70"}


def test_transfers_go_by_increasing_ratio_and_an_issue_the_other_ignores_stays():
    # A wins x (ratio 40/10 = 4), y (ratio 40/20 = 2) and z (B gives it 0: infinite ratio);
    # B wins w.  A leads 100 to 70 and hands over y first; all of y would give A 60 < B 90,
    # so y is split: f = (100 - 70) / (40 + 20) = 1/2.  z, last in the order, never moves
    # (it cannot: once the finite-ratio issues are gone the other party has all 100 points).
    d = adjusted_winner(["A", "B"], {"x": (40, 10), "y": (40, 20), "z": (20, 0), "w": (0, 70)})
    assert [(t.issue, t.ratio, t.fraction) for t in d.transfers] == [("y", F(2), F(1, 2))]
    assert d.ratio_order == [("y", F(2)), ("x", F(4)), ("z", None)]
    assert d.share == {"x": 1, "y": F(1, 2), "z": 1, "w": 0}
    assert d.totals() == (F(80), F(80))


@pytest.mark.parametrize(
    ("parties", "points", "message"),
    [
        (["A", "B", "C"], {"x": (1, 1)}, "exactly two parties"),
        (["A"], {"x": (1, 1)}, "exactly two parties"),
        (["A", "A"], {"x": (1, 1)}, "must differ"),
        (["A", "B"], {}, "no issues"),
        (["A", "B"], {"x": (1, -1), "y": (1, 2)}, "negative"),
        (["A", "B"], {"x": (0, 1), "y": (0, 2)}, "'A' gives no points"),
    ],
)
def test_bad_inputs_raise(parties, points, message):
    with pytest.raises(ValueError, match=message):
        adjusted_winner(parties, points)


# --------------------------------------------------------------------------- properties


def _tables(max_issues: int = 5) -> st.SearchStrategy[dict[str, tuple[int, int]]]:
    pair = st.tuples(st.integers(0, 12), st.integers(0, 12))
    return (
        st.lists(pair, min_size=1, max_size=max_issues)
        .filter(lambda ps: any(a for a, _ in ps) and any(b for _, b in ps))
        .map(lambda ps: {f"i{k}": p for k, p in enumerate(ps)})
    )


def _vertices(pts: dict[str, tuple[F, F]]) -> list[tuple[F, F]]:
    """Utility pairs of the 2^n allocations that give each issue wholly to one party."""
    issues = list(pts)
    out = []
    for mask in itertools.product((0, 1), repeat=len(issues)):
        a = sum((pts[i][0] for i, m in zip(issues, mask, strict=True) if m), F(0))
        b = sum((pts[i][1] for i, m in zip(issues, mask, strict=True) if not m), F(0))
        out.append((a, b))
    return out


def _best_other(vertices: list[tuple[F, F]], k: int, floor: F) -> F:
    """Max of coordinate 1-k over the convex hull of ``vertices`` with coordinate k >= floor.

    The feasible utility pairs of divisible issues are exactly this hull (the image of
    the unit cube under a linear map), and the optimum of a linear objective over the
    hull cut by a half-plane lies at a vertex or where a segment between two vertices
    crosses the line: checking every vertex and every pair is exhaustive and exact.
    """
    best = max((v[1 - k] for v in vertices if v[k] >= floor), default=None)
    for p, q in itertools.combinations(vertices, 2):
        if (p[k] - floor) * (q[k] - floor) < 0:
            t = (floor - q[k]) / (p[k] - q[k])
            y = q[1 - k] + t * (p[1 - k] - q[1 - k])
            best = y if best is None else max(best, y)
    assert best is not None
    return best


@settings(max_examples=300, deadline=None)
@given(_tables())
def test_equitable_envy_free_efficient_one_split(table):
    d = adjusted_winner(["A", "B"], table)
    pts = normalise(table)
    own_a, own_b = d.totals()
    # equitable: each ends with the same number of its own points
    assert own_a == own_b
    # envy-free: each values its own share at least as much as the other's
    other_a = sum(((1 - d.share[i]) * p[0] for i, p in pts.items()), F(0))
    other_b = sum((d.share[i] * p[1] for i, p in pts.items()), F(0))
    assert own_a >= other_a and own_b >= other_b
    # efficient: no allocation is at least as good for both and better for one
    vertices = _vertices(pts)
    assert _best_other(vertices, 0, own_a) == own_b
    assert _best_other(vertices, 1, own_b) == own_a
    # at most one issue split, and it is the one reported
    split = [i for i, f in d.share.items() if 0 < f < 1]
    assert len(split) <= 1
    assert d.split == (split[0] if split else None)
    # transfers follow the reported ratio order: a prefix of it, ratios non-decreasing
    order = [i for i, _ in d.ratio_order]
    assert [t.issue for t in d.transfers] == order[: len(d.transfers)]
    finite = [r for _, r in d.ratio_order if r is not None]
    assert finite == sorted(finite)
    assert all(r is None for _, r in d.ratio_order[len(finite) :])


@settings(max_examples=200, deadline=None)
@given(_tables(), st.integers(1, 7), st.integers(1, 7))
def test_scaling_a_party_points_changes_nothing(table, ka, kb):
    scaled = {i: (a * ka, b * kb) for i, (a, b) in table.items()}
    assert adjusted_winner(["A", "B"], scaled).share == adjusted_winner(["A", "B"], table).share


@settings(max_examples=200, deadline=None)
@given(_tables())
def test_swapping_the_parties_mirrors_the_result_without_ties(table):
    # the tie rule favours the first party when totals are equal
    assume(all(a != b for a, b in normalise(table).values()))
    d = adjusted_winner(["A", "B"], table)
    e = adjusted_winner(["B", "A"], {i: (b, a) for i, (a, b) in table.items()})
    assert {i: 1 - f for i, f in e.share.items()} == d.share


# --------------------------------------------------------------------------- tables and CLI


def test_points_table_errors_point_at_the_cell(tmp_path):
    cases = {
        "issue,A,B\nx,1,oops\n": (2, 5, "expected a number, got 'oops'"),
        "issue,A,B\nx,1,-2\ny,3,4\n": (2, 5, "below 0"),
        "issue,A,B\nx,1,2\nx,3,4\n": (3, 1, "duplicate issue 'x'"),
        "issue,A,B\nx,1\n": (2, 3, "has 2 cells but the header has 3"),
        "item,A,B\nx,1,2\n": (1, 1, "first column must be 'issue'"),
        "issue,A,A\nx,1,2\n": (1, 9, "must differ"),
        "issue,A,B\nx,0,2\ny,0,1\n": (1, 7, "'A' gives no points"),
        'issue,A,B\n"x,1,2\n': (2, 1, "unclosed quote"),
    }
    for text, (line, col, message) in cases.items():
        path = tmp_path / "t.csv"
        path.write_text(text)
        with pytest.raises(ScenarioError) as err:
            read_points(path)
        d = err.value.diagnostics[0]
        assert (d.line, d.column) == (line, col), text
        assert message in d.message, text


def test_quoted_names_and_spaces_are_read():
    names, table = read_points_text('issue , "Ann, the elder" ,Ben\n "a, b" , 1.5 , 2_0\n')
    assert names == ("Ann, the elder", "Ben")
    assert table == {"a, b": (F(3, 2), F(20))}


def read_points_text(text: str) -> tuple[tuple[str, str], dict[str, tuple[F, F]]]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_text(text)
        return read_points(path)


def test_cli_points_table_json():
    run = zopa("fair", "--points", str(DATA / "aw-worked-example.csv"), "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["parties"] == ["Ann", "Ben"]
    assert doc["allocation"]["harbour"] == {"Ann": "3/4", "Ben": "1/4"}
    assert doc["allocation_float"]["harbour"] == {"Ann": 0.75, "Ben": 0.25}
    assert doc["points"] == {"Ann": "135/2", "Ben": "135/2"}
    assert doc["points_float"] == {"Ann": 67.5, "Ben": 67.5}
    assert doc["split"] == "harbour"
    assert doc["steps"]["transfers"] == [
        {"issue": "harbour", "ratio": "5/3", "ratio_float": 5 / 3, "fraction": "1/4"}
    ]
    assert doc["steps"]["ratio_order"] == [
        {"issue": "harbour", "ratio": "5/3", "ratio_float": 5 / 3},
        {"issue": "customs", "ratio": "3", "ratio_float": 3.0},
    ]
    text = zopa("fair", "--points", str(DATA / "aw-worked-example.csv"))
    assert "Ann's issues by increasing ratio: harbour 5/3 (1.667), customs 3." in text.stdout


def test_api_reads_an_uncertain_scenario_at_its_point_estimate():
    from zopa.load import load_scenario
    from zopa.models.fair import points_from_scenario

    scenario = load_scenario("ukraine-2025")
    assert scenario.uncertain
    points = points_from_scenario(scenario, ["ukraine", "russia"])
    assert points == points_from_scenario(scenario.point_estimate(), ["ukraine", "russia"])
    assert all(a >= 0 and b >= 0 for a, b in points.values())


def test_cli_scenario_parties_use_weights_as_points():
    run = zopa("fair", str(DATA / "example.yaml"), "--parties", "a,b", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["scenario"] == "example"
    totals = {F(v) for v in doc["points"].values()}
    assert len(totals) == 1 and totals.pop() >= 50
    text = zopa("fair", str(DATA / "example.yaml"), "--parties", "a,b")
    assert text.returncode == 0 and "Split issue" in text.stdout


def test_cli_more_than_two_parties():
    run = zopa("fair", str(DATA / "example.yaml"), "--parties", "a,b,m")
    assert run.returncode == 2
    assert "exactly two parties" in run.stderr
    table = DATA / "aw-three-parties.csv"
    run = zopa("fair", "--points", str(table))
    assert run.returncode == 1
    assert run.stderr.startswith(f"{table}:1:15: ")
    assert "exactly two parties" in run.stderr


def test_cli_usage_errors():
    assert zopa("fair", str(DATA / "example.yaml"), "--parties", "a,zz").returncode == 2
    assert zopa("fair", str(DATA / "example.yaml")).returncode == 2  # three parties: name two
    both = zopa("fair", str(DATA / "example.yaml"), "--points", str(DATA / "aw-worked-example.csv"))
    assert both.returncode == 2
    missing = zopa("fair", "--points", str(DATA / "no-such-file.csv"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr


def test_to_text_by_display_names_within_80_columns():
    """``Division.to_text`` with a scenario's names: parties and issues by their names
    (a long party name wraps in its column), every line within 80 columns, no id as a
    word; without names, by ids as before."""
    import re

    from zopa.commands.fair import fair
    from zopa.load import load_scenario
    from zopa.report.explain import issue_titles, party_names

    scenario = load_scenario()
    division = fair(scenario, ["ukraine", "europe"])
    text = division.to_text(party_names(scenario), issue_titles(scenario))
    assert all(len(line) <= 80 for line in text.splitlines())
    said = " ".join(text.split())
    assert f"Initial points: {scenario.party('ukraine').label} " in said
    for party in division.parties:
        label = scenario.party(party).label
        assert all(word in said for word in label.split()), party
        assert not re.search(rf"(?<![\w-]){party}(?![\w-])", text), party
    for issue in division.issues:
        assert " ".join((scenario.issue(issue).title or issue).split()) in said, issue
        # no row or step by id (a title wrapped onto a line of its own may read as one)
        assert not re.search(rf"^{issue}\s+\d|^\s*{issue}( ->|:)", text, re.M), issue
        assert "_" not in issue or issue not in text, issue
    # the table: each issue's title starts the line holding its four numbers
    names = (party_names(scenario), issue_titles(scenario))
    table = text[: text.index(division.NOTE)].splitlines()
    lines = [
        m.groups()
        for m in map(re.compile(r"^(\S.*?)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$").match, table)
        if m
    ]
    for title, *numbers in division.table(*names)[1]:
        assert any(title.startswith(first) and list(rest) == numbers for first, *rest in lines), (
            title
        )
    by_id = division.to_text()
    assert "ukraine pts" in by_id and "\nsovereignty " in by_id
