"""``zopa stability`` end to end: the real command, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gmcr_brute import equilibria
from tests.test_cli import zopa
from tests.test_gmcr_inverse import brute_counts
from zopa.gmcr.format import load_model

TESTS = Path(__file__).parent
PD = "data/gmcr/prisoners-dilemma.yaml"
CHICKEN = "data/gmcr/chicken.yaml"


def run_json(*args: str) -> dict:
    run = zopa("stability", *args, "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_json_has_every_state_and_the_equilibria_of_each_concept() -> None:
    doc = run_json(PD)
    model = load_model(TESTS / PD)
    assert doc["model"] == "prisoners-dilemma" and doc["complete"] is True
    assert [s["state"] for s in doc["states"]] == ["NN", "YN", "NY", "YY"]
    units = [(0,), (1,)]
    for concept in ("nash", "gmr", "smr", "seq", "sim", "seq_sim"):
        want = [model.text(s) for s in equilibria(model, units, concept)]
        assert doc["equilibria"][concept] == want
    nn = doc["states"][0]
    assert nn["moves"] == {"a": ["YN"], "b": ["NY"]}
    assert nn["improvements"] == {"a": ["YN"], "b": ["NY"]}
    assert nn["stable"]["nash"] == {"a": False, "b": False}
    assert nn["stable"]["gmr"] == {"a": True, "b": True}
    assert nn["chosen"] == {"a": [], "b": []} and doc["states"][3]["chosen"]["a"] == ["defect_a"]
    assert nn["rank"] == {"a": 2, "b": 2}


def test_coalition_changes_the_equilibria_and_says_which_it_breaks() -> None:
    doc = run_json(PD, "--coalition", "a,b")
    model = load_model(TESTS / PD)
    assert doc["movers"] == ["a+b"]
    assert doc["equilibria"]["nash"] == [model.text(s) for s in equilibria(model, [(0, 1)], "nash")]
    (effect,) = doc["coalition_effects"]
    assert effect["coalition"] == ["a", "b"]
    assert "YY" in effect["breaks"]["nash"]  # both would rather cooperate: mutual defection goes


def test_inverse_counts_match_every_ranking() -> None:
    model = load_model(TESTS / CHICKEN)
    for state in ("NN", "YN"):
        doc = run_json(CHICKEN, "--inverse", state, "--vary", "row")
        inv = doc["inverse"]
        assert inv["state"] == state and inv["vary"] == ["row"] and inv["rankings"] == 24
        assert inv["equilibrium_count"] == brute_counts(model, model.index(state), 0)


def test_status_quo_paths_lead_to_the_equilibria() -> None:
    doc = run_json(PD, "--from", "YN")
    sq = doc["status_quo"]
    assert sq["from"] == "YN"
    assert [r["state"] for r in sq["reachable"]] == ["YN", "YY"]
    assert sq["paths"]["YY"] == [{"mover": "b", "from": "YN", "to": "YY"}]
    assert sq["equilibria"]["nash"] == ["YY"]


def test_text_output_fits_80_columns_and_names_the_options() -> None:
    run = zopa("stability", PD, "--inverse", "NN", "--vary", "a")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    assert any(line.split()[:3] == ["4", "YY", "defect_a"] for line in lines if line.strip())
    assert "Nash     YY" in run.stdout
    assert "GMR      16 (66.7%)" in run.stdout
    words = " ".join(run.stdout.split())  # sentences wrap at 80 columns
    assert "Prisoner B takes defect_b (NN → NY), then Prisoner A takes defect_a" in words


@pytest.mark.parametrize(
    "args",
    [
        [PD, "--coalition", "a,x"],
        [PD, "--coalition", "a"],
        [PD, "--inverse", "NNN", "--vary", "a"],
        [PD, "--inverse", "NN"],
        [PD, "--vary", "a"],
        [PD, "--inverse", "NN", "--vary", "c"],
        [PD, "--from", "XY"],
        [PD, "--as-of", "2025-01-01"],
        ["ukraine-2025", "--outcome", "best"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    run = zopa("stability", *args)
    assert run.returncode == 2
    assert run.stderr.startswith("zopa: error:") and run.stdout == ""


def test_a_broken_model_reports_every_problem_with_its_position() -> None:
    run = zopa("stability", "bad_gmcr/states.yaml")
    assert run.returncode == 1
    want = (TESTS / "bad_gmcr" / "states.expected").read_text().splitlines()
    assert run.stderr.splitlines() == ["bad_gmcr/" + line for line in want]
    check = zopa("check", PD, "bad_gmcr/rules.yaml")
    assert check.returncode == 1
    lines = " ".join(check.stdout.split("\n  ")).splitlines()  # continuations joined
    assert lines[0] == (
        f"{PD}: OK: graph model 'prisoners-dilemma', 2 decision makers, 2 options, "
        "4 feasible states"
    )
    assert lines[1].startswith("bad_gmcr/rules.yaml:6:27: unknown option")


def test_a_model_too_large_exits_3(tmp_path: Path) -> None:
    options = ", ".join(f"o{k}" for k in range(21))
    big = tmp_path / "big.yaml"
    big.write_text(
        "format: zopa-gmcr/1\nid: big\n"
        f"decision_makers:\n  - {{id: a, options: [{options}]}}\n"
        "preferences: {a: {priorities: [o0]}}\n"
    )
    run = zopa("stability", str(big))
    assert run.returncode == 3
    assert "limit" in run.stderr and "20 options" in run.stderr
    check = zopa("check", str(big))
    assert check.returncode == 3 and "not checked" in check.stdout


@pytest.fixture(scope="module")
def builtin() -> tuple[dict, str]:
    return run_json(), zopa("stability").stdout


def test_builtin_standoff_json(builtin: tuple[dict, str]) -> None:
    doc, _ = builtin
    assert doc["kind"] == "standoff" and doc["scenario"] == "ukraine-2025"
    assert doc["outcome_rule"] == "nash" and doc["complete"] is True
    assert len(doc["states"]) == 2 ** len(doc["options"])
    first = doc["states"][0]
    assert set(first["state"]) == {"N"} and first["deal"] is False
    assert doc["deal_states"] == sum(s["deal"] for s in doc["states"])
    assert 0 < doc["engine_calls"] <= doc["deal_states"]
    for concept, states in doc["equilibria"].items():
        listed = {s["state"] for s in doc["states"] if s["equilibrium"][concept]}
        assert set(states) == listed
    assert doc["status_quo"]["from"] == first["state"]


def test_builtin_standoff_in_words(builtin: tuple[dict, str]) -> None:
    doc, text = builtin
    assert "Holding firm" in text and "engine calls" in text
    assert f"{doc['engine_calls']} engine calls" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    held_firm = doc["states"][0]["equilibrium"]
    if not all(held_firm.values()):
        assert "Holding firm is not stable for everyone" in text or "only" in text


def test_inverse_counts_stay_exact_beyond_floating_point(tmp_path: Path) -> None:
    """64 states: 64! rankings (90 digits) — exact in the JSON, abbreviated in the text."""
    from zopa.gmcr.inverse import inverse

    model_file = tmp_path / "six.yaml"
    model_file.write_text(
        "format: zopa-gmcr/1\nid: six\ndecision_makers:\n"
        "  - {id: a, options: [a1, a2, a3]}\n  - {id: b, options: [b1, b2, b3]}\n"
        "preferences:\n  a: {priorities: [a1, b1 if a2, not b3]}\n"
        "  b: {priorities: [b2 iff a3, not a1]}\n"
    )
    run = zopa("stability", str(model_file), "--inverse", "NNNNNN", "--vary", "a", "--json")
    model = load_model(model_file)
    want = inverse(model, model.index("NNNNNN"), 0)
    assert run.returncode == (3 if want.missing else 0)  # a count a limit stopped: exit 3
    doc = json.loads(run.stdout)["inverse"]
    assert doc["missing"] == want.missing
    assert doc["rankings"] == want.rankings == __import__("math").factorial(64)
    assert doc["equilibrium_count"] == {
        c: want.counts.get(c) for c in ("nash", "gmr", "smr", "seq")
    }
    text = zopa("stability", str(model_file), "--inverse", "NNNNNN", "--vary", "a").stdout
    assert "64! (about 1.269 × 10^89) strict rankings" in " ".join(text.split())
