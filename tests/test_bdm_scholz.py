"""The expected-utility model against Scholz, Calbert & Smith (2011), its readings, its properties.

Published figures (tests/data/scholz-2011-*.csv) are transcribed from the
ICAART 2011 paper: Table 2 (median and mean voter positions by round, Q = 1.0)
and the quadrants of the points plotted in Figures 7-9 (the signs of the two
expected utilities of each pair, as seen from one actor).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa.models import bdm
from zopa.models.sensitivity import sensitivity

DATA = Path(__file__).parent / "data"


def emissions() -> tuple[list[str], list[float], list[float], list[float]]:
    with open(DATA / "emissions-1994.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return (
        [r["actor"] for r in rows],
        [float(r["position"]) for r in rows],
        [float(r["capability"]) for r in rows],
        [float(r["salience"]) for r in rows],
    )


def published_table() -> list[dict[str, float]]:
    with open(DATA / "scholz-2011-table2.csv", newline="") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def run(variant: str, rounds: int = 8, q: float = 1.0) -> bdm.Simulation:
    return bdm.simulate_arrays(*emissions(), rounds=rounds, q=q, variant=variant)


def one_decimal(x: float) -> float:
    """The published table's precision: one decimal, cut (8.43 -> 8.4, 9.96 -> 9.9)."""
    return math.floor(x * 10 + 1e-9) / 10


# --------------------------------------------------------------------------- published figures


def test_first_round_reproduces_the_published_median_and_mean():
    first = published_table()[0]
    sim = run("scholz", rounds=1)
    assert sim.initial.median == 7
    assert abs(sim.rounds[0].median - first["median"]) < 0.05  # 8.43 against 8.4
    assert abs(sim.rounds[0].mean - first["mean"]) < 0.1  # 7.46 against 7.4
    moves = {m.actor: (m.kind, m.challenger, round(m.after, 2)) for m in sim.rounds[0].moves}
    # Belgium's compromise towards France makes it the median actor.
    assert moves == {
        "Belgium": ("compromise", "France", 8.43),
        "Luxembourg": ("conflict", "Belgium", 7.0),
        "Ireland": ("conflict", "Luxembourg", 4.0),
    }


def test_first_round_quadrants_match_the_published_figures():
    table = bdm.first_round(*emissions())
    with open(DATA / "scholz-2011-figures.csv", newline="") as f:
        points = list(csv.DictReader(f))
    wrong = []
    for p in points:
        a, b = table[(p["viewpoint"], p["other"])]
        got = tuple("0" if abs(v) < 1e-9 else "+" if v > 0 else "-" for v in (a, b))
        if got != (p["own"], p["challenger"]):
            wrong.append((p["figure"], p["viewpoint"], p["other"], got))
    # The one point we do not reproduce, documented in docs/reference/forecast.md:
    # Figure 9 plots Greece at about (0.6, 0.45) from the Netherlands' view; every other
    # point of Figures 7-9 lies in the published quadrant.
    assert wrong == [("9", "Netherlands", "Greece", ("-", "-"))]


def test_the_printed_equation_31_does_not_reproduce_the_published_first_round():
    # Documented difference: normalising each contest by its own votes keeps the median at 7.
    assert run("scholz-eq31", rounds=1).rounds[0].median == 7


def test_the_table2_reading_reproduces_the_published_table_except_round_2():
    sim = run("table2", rounds=8)
    got = [(one_decimal(r.median), one_decimal(r.mean)) for r in sim.rounds]
    want = [(row["median"], row["mean"]) for row in published_table()]
    medians_differ = [k + 1 for k, (g, w) in enumerate(zip(got, want, strict=True)) if g[0] != w[0]]
    assert medians_differ == [2]  # 9.61 here, 9.9 published (documented, unexplained)
    # the means agree within the table's last digit in every round
    assert all(abs(g[1] - w[1]) <= 0.1 + 1e-9 for g, w in zip(got, want, strict=True))


def test_default_reading_differs_from_table2_only_after_round_3():
    # Documented: scholz picks the compromise that moves an actor least (their section 6.2);
    # the published table follows another rule from round 4 on.
    a, b = run("scholz", rounds=8), run("table2", rounds=8)
    assert [round(r.median, 1) for r in a.rounds[:3]] == [round(r.median, 1) for r in b.rounds[:3]]
    assert round(a.rounds[3].median, 2) == 10 and one_decimal(b.rounds[3].median) == 9.9


def test_own_view_moves_belgium_further_in_round_one():
    sim = run("own-view", rounds=1)
    assert one_decimal(sim.rounds[0].median) == 8.7  # 8.79: not the published 8.4


def test_zopa_v1_converges_to_the_median_position():
    sim = run("zopa-v1", rounds=10)
    assert sim.converged and len(sim.rounds) == 3 and sim.forecast == 7


# --------------------------------------------------------------------------- offer rules


def offers(a: float, g: float, p_challenger: float, variant: str) -> tuple[int, float]:
    """Kind and destination of the offer j (at 1) makes to i (at 0) given a, g and P_ji."""
    x = np.array([[0.0, 1.0]])
    own = np.array([[[0.0, a], [0.0, 0.0]]])
    seen = np.array([[[0.0, g], [0.0, 0.0]]])  # g[:, i, j]: j's utility of challenging i
    p = np.array([[[0.5, 1 - p_challenger], [p_challenger, 0.5]]])
    step = bdm._offers(x, own, seen, p, np.ones((1, 2)), bdm.VARIANTS[variant])
    return int(step.kind[0, 0]), float(step.x[0, 0])


@pytest.mark.parametrize(
    ("a", "g", "p", "variant", "kind", "to"),
    [
        (0.3, 0.5, 0.2, "scholz", 0, 1.0),  # conflict, challenger expects more: i gives in
        (0.5, 0.3, 0.9, "scholz", -1, 0.0),  # conflict, i expects more: i stays
        (0.5, 0.3, 0.9, "zopa-v1", 0, 1.0),  # zopa-v1: the likelier winner prevails
        (0.3, 0.5, 0.2, "zopa-v1", -1, 0.0),
        (-0.2, 0.8, 0.5, "scholz", 1, 0.25),  # compromise: the fraction |a| / g (eq. 36)
        (-0.8, 0.2, 0.5, "scholz", 2, 1.0),  # compel: i's loss exceeds j's gain
        (-0.2, 0.8, 0.5, "zopa-v1", 2, 1.0),  # zopa-v1: g >= |a| compels
        (-0.8, 0.2, 0.5, "zopa-v1", 1, 0.25),  # zopa-v1: the fraction g / |a|
        (-0.5, -0.1, 0.5, "scholz", -1, 0.0),  # stalemate: j expects to lose
    ],
)
def test_offer_rules_of_the_readings(a, g, p, variant, kind, to):
    assert offers(a, g, p, variant) == (kind, pytest.approx(to))


def test_a_lost_conflict_comes_before_a_smaller_compromise():
    # i at 0; j at 1 wins a conflict (either rule); k at -3 makes an offer that moves i
    # 0.3 under zopa-v1 (a compromise, g / |a| = 0.1 of the way) and all the way under
    # scholz (compelled: i's loss exceeds k's gain).  scholz takes the lost conflict first
    # (their section 6.2); zopa-v1 the smallest move.
    x = np.array([[0.0, 1.0, -3.0]])
    own = np.zeros((1, 3, 3))
    seen = np.zeros((1, 3, 3))
    own[0, 0, 1], seen[0, 0, 1] = 0.2, 0.4  # conflict with j, j expects more
    own[0, 0, 2], seen[0, 0, 2] = -1.0, 0.1
    p = np.full((1, 3, 3), 0.5)
    p[0, 1, 0], p[0, 0, 1] = 0.9, 0.1  # j is the likelier winner
    for variant, to in (("scholz", 1.0), ("zopa-v1", -0.3)):
        step = bdm._offers(x, own, seen, p, np.ones((1, 3)), bdm.VARIANTS[variant])
        assert step.x[0, 0] == pytest.approx(to), variant


def test_among_equal_kinds_the_smallest_move_wins():
    # actor 0 at 5 can be compelled by actors at 0, 10 and 6: it moves to 6 under every reading
    x = np.array([[5.0, 0.0, 10.0, 6.0]])
    own = np.zeros((1, 4, 4))
    seen = np.zeros((1, 4, 4))
    own[0, 0, 1:], seen[0, 0, 1:] = -0.9, 0.3  # i's loss exceeds each gain: compelled (scholz)
    p = np.full((1, 4, 4), 0.5)
    for name in ("scholz", "table2"):
        step = bdm._offers(x, own, seen, p, np.ones((1, 4)), bdm.VARIANTS[name])
        assert (step.x[0, 0], step.challenger[0, 0]) == (6.0, 3), name
    own[0, 0, 1:], seen[0, 0, 1:] = -0.3, 0.9  # zopa-v1 compels when the gain is the larger
    step = bdm._offers(x, own, seen, p, np.ones((1, 4)), bdm.VARIANTS["zopa-v1"])
    assert (step.x[0, 0], step.challenger[0, 0]) == (6.0, 3)


# --------------------------------------------------------------------------- properties

actor_sets = st.lists(
    st.tuples(
        st.integers(0, 10),  # capability
        st.integers(-5, 5),  # position
        st.integers(0, 100),  # salience
    ),
    min_size=2,
    max_size=6,
).filter(lambda rows: any(c * s for c, _, s in rows))


def simulate_rows(rows, variant, q=1.0, rounds=6):
    ids = [f"a{k}" for k in range(len(rows))]
    return bdm.simulate_arrays(
        ids, [r[1] for r in rows], [r[0] for r in rows], [r[2] for r in rows], rounds, q, variant
    )


@settings(max_examples=60, deadline=None)
@given(
    actor_sets, st.sampled_from(list(bdm.VARIANTS)), st.sampled_from([1.0, 0.5, 0.75]), st.randoms()
)
def test_the_order_of_the_actors_changes_nothing(rows, variant, q, rnd):
    ids = [f"a{k}" for k in range(len(rows))]
    order = list(range(len(rows)))
    rnd.shuffle(order)
    a = bdm.simulate_arrays(
        ids, [r[1] for r in rows], [r[0] for r in rows], [r[2] for r in rows], 6, q, variant
    )
    b = bdm.simulate_arrays(
        [ids[k] for k in order],
        [rows[k][1] for k in order],
        [rows[k][0] for k in order],
        [rows[k][2] for k in order],
        6,
        q,
        variant,
    )
    assert [r.positions for r in a.rounds] == [r.positions for r in b.rounds]
    assert [r.median for r in a.rounds] == [r.median for r in b.rounds]
    assert a.converged == b.converged


@settings(max_examples=60, deadline=None)
@given(actor_sets, st.sampled_from(list(bdm.VARIANTS)), st.floats(0, 1))
def test_positions_stay_within_the_initial_range(rows, variant, q):
    sim = simulate_rows(rows, variant, q)
    lo, hi = min(r[1] for r in rows), max(r[1] for r in rows)
    for r in sim.rounds:
        assert all(lo <= x <= hi for x in r.positions.values())
        assert lo <= r.median <= hi and lo - 1e-12 <= r.mean <= hi + 1e-12


@settings(max_examples=60, deadline=None)
@given(actor_sets, st.sampled_from(list(bdm.VARIANTS)))
def test_convergence_and_cycles_are_flagged_truthfully(rows, variant):
    sim = simulate_rows(rows, variant, rounds=8)
    if sim.converged:  # stopped early because nobody moved
        assert sim.rounds[-1].moves == [] and sim.cycle is None
        assert all(r.moves for r in sim.rounds[:-1])
    else:
        assert len(sim.rounds) == 8 and sim.rounds[-1].moves
    if sim.cycle is not None:
        states = [sim.initial.positions] + [r.positions for r in sim.rounds]
        k = next(k for k in range(len(states)) if states[k] in states[:k])
        assert states[k] == states[k - sim.cycle]


@settings(max_examples=40, deadline=None)
@given(actor_sets, st.sampled_from(list(bdm.VARIANTS)), st.floats(0, 1))
def test_batches_give_what_single_runs_give(rows, variant, q):
    sim = simulate_rows(rows, variant, q, rounds=5)
    final, converged = bdm.run_batch(
        np.array([[r[1] for r in rows]] * 2),
        np.array([[r[0] for r in rows]] * 2),
        np.array([[r[2] for r in rows]] * 2),
        np.array([q, q]),
        5,
        variant,
    )
    assert list(final[0]) == list(sim.rounds[-1].positions.values()) == list(final[1])
    assert bool(converged[0]) == sim.converged


@settings(max_examples=60, deadline=None)
@given(actor_sets)
def test_batched_weighted_median_minimises_the_linear_loss(rows):
    x = np.array([[float(r[1]) for r in rows]])
    w = np.array([[float(r[0] * r[2]) for r in rows]])
    m = bdm.weighted_medians(x, w)[0]
    loss = lambda y: float((w * np.abs(x - y)).sum())  # noqa: E731
    assert all(loss(m) <= loss(y) + 1e-9 for y in np.linspace(-5, 5, 201))


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_is_reproducible_and_depends_on_the_seed():
    a = sensitivity("bdm", *emissions(), samples=20, seed=3).to_json()
    b = sensitivity("bdm", *emissions(), samples=20, seed=3).to_json()
    c = sensitivity("bdm", *emissions(), samples=20, seed=4).to_json()
    assert a == b
    assert a["samples"] == 20 * len(bdm.VARIANTS) and sum(a["histogram"]["counts"]) == a["samples"]
    assert a["low"] <= a["p10"] <= a["median"] <= a["p90"] <= a["high"]
    assert set(a["by_variant"]) == set(bdm.VARIANTS)
    assert a["histogram"] != c["histogram"] or a["median"] != c["median"]


def test_sensitivity_draws_use_the_scenario_monte_carlo_streams():
    """Draw i of seed S perturbs actor k (by name) with the uniforms 1 + k and 1 + n + k
    of the stream the scenario Monte Carlo gives sample i of seed S."""
    from zopa.models.sensitivity import sensitivity
    from zopa.uncertainty.sampling import stream

    ids, x, c, s = ["b", "a"], [10.0, 90.0], [40.0, 60.0], [50.0, 80.0]
    got = sensitivity("compromise", ids, x, c, s, samples=3, seed=5, spread=0.5)
    for i in range(3):
        u = stream(5, i).random(5)  # Q, then capability and salience of "a", "b"
        ca, cb = 60 * (1 + 0.5 * (2 * u[1] - 1)), 40 * (1 + 0.5 * (2 * u[2] - 1))
        sa, sb = min(100, 80 * (1 + 0.5 * (2 * u[3] - 1))), 50 * (1 + 0.5 * (2 * u[4] - 1))
        want = (ca * sa * 90 + cb * sb * 10) / (ca * sa + cb * sb)
        assert got.values[i] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("model", ["compromise", "median"])
def test_without_perturbation_the_exact_models_do_not_move(model):
    from fractions import Fraction

    from zopa.models.forecast import compromise, read_actors, weighted_median

    exact = {"compromise": compromise, "median": weighted_median}[model](
        read_actors(DATA / "emissions-1994.csv")
    )
    s = sensitivity(model, *emissions(), samples=10, spread=0.0)
    assert s.low == s.high == pytest.approx(float(Fraction(exact)))


@settings(max_examples=20, deadline=None)
@given(actor_sets, st.sampled_from(["compromise", "median", "bdm"]), st.randoms())
def test_sensitivity_ignores_the_order_of_the_actors(rows, model, rnd):
    ids = [f"a{k}" for k in range(len(rows))]
    order = list(range(len(rows)))
    rnd.shuffle(order)
    cols = lambda o: (  # noqa: E731
        [ids[k] for k in o],
        [rows[k][1] for k in o],
        [rows[k][0] for k in o],
        [rows[k][2] for k in o],
    )
    a = sensitivity(model, *cols(range(len(rows))), samples=5, rounds=4)
    b = sensitivity(model, *cols(order), samples=5, rounds=4)
    assert a.to_json() == b.to_json()


def test_compromise_range_is_within_the_bounds_of_the_perturbation():
    # Each weight moves by a factor in [0.9², 1.1²]; the weighted mean stays between the
    # extreme reweightings, which is checked here against brute force over the corners.
    ids, x, c, s = emissions()
    got = sensitivity("compromise", ids, x, c, s, samples=200)
    w = np.array(c) * np.array(s)
    lo_w, hi_w = 0.81 * w, 1.21 * w
    # the smallest mean gives the high weights to the positions up to some threshold
    best_lo = min(
        float(
            np.where(np.array(x) <= t, hi_w, lo_w)
            @ x
            / np.where(np.array(x) <= t, hi_w, lo_w).sum()
        )
        for t in sorted(set(x))
    )
    best_hi = max(
        float(
            np.where(np.array(x) >= t, hi_w, lo_w)
            @ x
            / np.where(np.array(x) >= t, hi_w, lo_w).sum()
        )
        for t in sorted(set(x))
    )
    assert best_lo - 1e-12 <= got.low <= got.high <= best_hi + 1e-12
