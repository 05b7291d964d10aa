"""The rule language (docs/reference/rules.md): parsing, printing, binding, evaluation.

Unit tests pin the grammar and the error columns; property tests check that
printing and re-parsing is the identity, that binding agrees with a direct
reading of the rule's meaning, that vectorised and single-package evaluation
agree, and that three-valued evaluation never contradicts a completion.
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa import rules
from zopa.problem import SCALE, Problem
from zopa.problem import scale as scale_threshold
from zopa.rules import (
    And,
    BAnd,
    BNot,
    BOr,
    Cmp,
    In,
    IssueDomain,
    Member,
    Not,
    Or,
    RuleSyntaxError,
    UtilityAtom,
    UtilityCmp,
    Value,
    bind,
    evaluate,
    evaluate_many,
    evaluate_partial,
    parse,
    to_text,
)


def num(text: str) -> Value:
    return Value(text, Fraction(text.replace("_", "")))


def opt(text: str) -> Value:
    return Value(text)


def cmp(issue: str, op: str, value: Value) -> Cmp:
    return Cmp(issue, op, value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- parsing


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    a, b, c = cmp("a", "==", opt("x")), cmp("b", "==", opt("y")), cmp("c", "==", opt("z"))
    assert parse("a == x or b == y and not c == z") == Or((a, And((b, Not(c)))))
    assert parse("not a == x and b == y") == And((Not(a), b))
    assert parse("a == x and b == y or c == z") == Or((And((a, b)), c))


def test_parentheses_override_precedence() -> None:
    a, b, c = cmp("a", "==", opt("x")), cmp("b", "==", opt("y")), cmp("c", "==", opt("z"))
    assert parse("(a == x or b == y) and c == z") == And((Or((a, b)), c))
    assert parse("not (a == x or b == y)") == Not(Or((a, b)))
    assert parse("((a == x))") == a


def test_chains_are_flat_and_nesting_by_parentheses_is_kept() -> None:
    a, b, c = cmp("a", "==", opt("x")), cmp("b", "==", opt("y")), cmp("c", "==", opt("z"))
    assert parse("a == x and b == y and c == z") == And((a, b, c))
    assert parse("(a == x and b == y) and c == z") == And((And((a, b)), c))
    assert parse("a == x or b == y or c == z") == Or((a, b, c))


def test_in_and_not_in() -> None:
    assert parse("zone in [north, 'south']") == In("zone", (opt("north"), opt("south")))
    assert parse("zone not in [north]") == In("zone", (opt("north"),), negated=True)
    assert parse("not zone in [north]") == Not(In("zone", (opt("north"),)))
    assert parse("cap in [1, 2_000]") == In("cap", (num("1"), num("2_000")))


def test_quoted_options_keep_their_text() -> None:
    assert parse("zone == 'the north'") == cmp("zone", "==", opt("the north"))
    assert parse('zone == "it\'s"') == cmp("zone", "==", opt("it's"))
    assert parse("zone == 'and'") == cmp("zone", "==", opt("and"))
    quoted_number = parse("zone == '12'")
    assert isinstance(quoted_number, Cmp)
    assert quoted_number.value.number is None  # a quoted number is an option id


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("800_000", Fraction(800_000)),
        ("1_000_000", Fraction(1_000_000)),
        ("-5", Fraction(-5)),
        ("0.25", Fraction(1, 4)),
        ("-1.5", Fraction(-3, 2)),
        ("1_0.5_0", Fraction(21, 2)),
    ],
)
def test_numbers(text: str, number: Fraction) -> None:
    expr = parse(f"cap >= {text}")
    assert isinstance(expr, Cmp)
    assert expr.value == Value(text, number)
    assert expr.value.number == number


def test_utility_comparison() -> None:
    assert parse("utility(a) >= 0.6") == UtilityCmp("a", ">=", num("0.6"))
    assert parse("utility( a )<0.5") == UtilityCmp("a", "<", num("0.5"))


def test_an_issue_may_be_called_utility() -> None:
    assert parse("utility == high") == cmp("utility", "==", opt("high"))


def test_all_operators() -> None:
    for op in ("==", "!=", "<", "<=", ">", ">="):
        assert parse(f"cap {op} 5") == cmp("cap", op, num("5"))
        assert parse(f"cap{op}5") == cmp("cap", op, num("5"))


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 1, "empty rule"),
        ("   ", 1, "empty rule"),
        ("zone = north", 6, "'=' is not an operator; use '=='"),
        ("zone in [north, south", 22, "expected ']' to close the list, found the end of the rule"),
        ("(cap >= 5", 10, "expected ')' to close '(', found the end of the rule"),
        ("cap >= 5)", 9, "unexpected ')'; expected 'and', 'or' or the end of the rule"),
        ("cap 5", 5, "expected an operator (==, !=, <, <=, >, >=) or 'in' after 'cap', found '5'"),
        ("cap >= 5 zone", 10, "unexpected 'zone'; expected 'and', 'or' or the end of the rule"),
        ("cap >= 8__0", 8, "malformed number '8__0'"),
        ("cap >= 80_", 8, "malformed number '80_'"),
        ("cap >= 1_.5", 8, "malformed number '1_.5'"),
        ("cap >=", 7, "expected a number or an option id, found the end of the rule"),
        ("zone == 'north", 9, "unclosed quote '"),
        ("cap >= 5 && zone == x", 10, "unexpected character '&'; write 'and'"),
        ("cap >= 5 || zone == x", 10, "unexpected character '|'; write 'or'"),
        ("!(cap >= 5)", 1, "unexpected character '!'; write 'not'"),
        ("cap >= 5 $", 10, "unexpected character '$'"),
        ("and cap >= 5", 1, "expected an issue id, 'utility(...)', 'not' or '(', found 'and'"),
        ("cap >= 5 and", 13, "expected an issue id, 'utility(...)', 'not' or '(', found the end"),
        ("5 == cap", 1, "expected an issue id, 'utility(...)', 'not' or '(', found '5'"),
        ("zone not north", 10, "expected 'in' after 'not', found 'north'"),
        ("zone in north", 9, "expected '[' after 'in', found 'north'"),
        ("zone in []", 10, "expected a number or an option id, found ']'"),
        ("zone in [a b]", 12, "expected ']' to close the list, found 'b'"),
        ("utility(a) >= high", 15, "expected a number after '>=', found 'high'"),
        ("utility(a)", 11, "expected an operator after 'utility(a)', found the end of the rule"),
        ("utility(and) > 1", 9, "expected a party id, found 'and'"),
        ("utility(a > 1", 11, "expected ')' after the party id, found '>'"),
        ("()", 2, "expected an issue id, 'utility(...)', 'not' or '(', found ')'"),
        ("not " * 101 + "cap >= 1", 401, "the rule is nested more than 100 levels deep"),
        ("(" * 101 + "cap >= 1" + ")" * 101, 101, "the rule is nested more than 100 levels deep"),
    ],
)
def test_syntax_errors_point_at_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as err:
        parse(text)
    assert err.value.column == column
    assert err.value.message.startswith(message)
    assert str(err.value) == f"column {column}: {err.value.message}"


def test_nesting_up_to_the_limit_parses() -> None:
    """The documented limit is 100 levels: 100 'not's, 100 parentheses or a mix all parse."""
    expr = parse("not " * 100 + "cap >= 1")
    for _ in range(100):
        assert isinstance(expr, Not)
        expr = expr.arg
    assert expr == cmp("cap", ">=", num("1"))
    assert parse("(" * 100 + "cap >= 1" + ")" * 100) == cmp("cap", ">=", num("1"))
    mixed = parse("not (" * 50 + "cap >= 1" + ")" * 50)
    for _ in range(50):
        assert isinstance(mixed, Not)
        mixed = mixed.arg
    assert mixed == cmp("cap", ">=", num("1"))
    with pytest.raises(RuleSyntaxError, match="nested more than 100"):
        parse("not (" * 50 + "not cap >= 1" + ")" * 50)


def test_comparisons_lists_leaves_left_to_right() -> None:
    expr = parse("a == x or not (b in [y] and utility(p) > 0.5)")
    leaves = rules.comparisons(expr)
    assert [type(leaf).__name__ for leaf in leaves] == ["Cmp", "In", "UtilityCmp"]
    assert [leaf.column for leaf in leaves] == [1, 16, 29]


def test_values_remember_their_column_but_compare_without_it() -> None:
    expr = parse("zone in [north,  south]")
    assert isinstance(expr, In)
    assert [v.column for v in expr.values] == [10, 18]
    assert expr == In("zone", (opt("north"), opt("south")))


# --------------------------------------------------------------------------- binding

CAP = IssueDomain("cap", tuple(Fraction(k) for k in range(0, 101, 10)), numeric=True)
ZONE = IssueDomain("zone", ("north", "south", "east"))
LEVEL = IssueDomain("level", ("low", "mid", "high"), ordered=True)
DOMAINS = [CAP, ZONE, LEVEL]
PARTIES = ["a", "b"]


def bound(text: str) -> rules.Bound:
    return bind(parse(text), DOMAINS, PARTIES)


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("cap >= 55", {6, 7, 8, 9, 10}),
        ("cap > 50", {6, 7, 8, 9, 10}),
        ("cap >= 50", {5, 6, 7, 8, 9, 10}),
        ("cap <= 0", {0}),
        ("cap < 0", set()),
        ("cap > 100", set()),
        ("cap >= -10", set(range(11))),
        ("cap == 30", {3}),
        ("cap != 30", set(range(11)) - {3}),
        ("cap <= 25.5", {0, 1, 2}),
        ("cap in [0, 100]", {0, 10}),
        ("cap not in [0, 100]", set(range(1, 10))),
        ("zone == north", {0}),
        ("zone == 'east'", {2}),
        ("zone != north", {1, 2}),
        ("zone in [north, east]", {0, 2}),
        ("zone not in [north]", {1, 2}),
        ("level >= mid", {1, 2}),
        ("level > mid", {2}),
        ("level < mid", {0}),
        ("level <= low", {0}),
        ("level != high", {0, 1}),
    ],
)
def test_bind_comparisons_to_allowed_options(text: str, allowed: set[int]) -> None:
    b = bound(text)
    assert isinstance(b, Member)
    assert b.issue == [d.id for d in DOMAINS].index(text.split()[0])
    assert b.allowed == frozenset(allowed)


def test_bind_keeps_structure() -> None:
    b = bound("not (zone == north or level >= high) and utility(b) < 0.5")
    assert b == BAnd(
        (
            BNot(BOr((Member(1, frozenset({0})), Member(2, frozenset({2}))))),
            UtilityAtom(1, "<", Fraction(1, 2)),  # type: ignore[arg-type]
        )
    )
    assert rules.issues_of(b) == {1, 2}
    assert rules.parties_of(b) == {1}


@pytest.mark.parametrize(
    ("text", "threshold"),
    [
        ("0.6", 432_432_000),  # SCALE = 720,720,000
        ("1", SCALE),
        ("0", 0),
        ("0.1234567891", 88_977_777),  # 88,977,777.04… rounded
        ("0.00000625", 4_504),  # exactly 4,504.5: half to even, down
        ("0.00001875", 13_514),  # exactly 13,513.5: half to even, up
        ("-0.5", -360_360_000),
    ],
)
def test_utility_thresholds_are_scaled_exactly(text: str, threshold: int) -> None:
    b = bind(parse(f"utility(b) >= {text}"), DOMAINS, PARTIES, scale_threshold)
    assert b == UtilityAtom(1, ">=", threshold)
    assert isinstance(b, UtilityAtom)
    assert isinstance(b.threshold, int)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("caps >= 5", 1, "unknown issue 'caps'; did you mean 'cap'?"),
        ("zone == nort", 9, "'nort' is not an option of 'zone'; did you mean 'north'?"),
        ("zone in [north, wets]", 17, "'wets' is not an option of 'zone'"),
        ("level >= medium", 10, "'medium' is not an option of 'level'"),
        ("zone >= north", 1, "'>=' needs a numeric or ordered issue; 'zone' is categorical"),
        ("cap == high", 8, "issue 'cap' is numeric; expected a number, found 'high'"),
        ("cap >= high", 8, "issue 'cap' is numeric; expected a number after '>=', found 'high'"),
        ("cap == 55", 8, "55 is not an option of 'cap' (options run from 0 to 100 in steps of 10)"),
        ("cap in [10, 15]", 13, "15 is not an option of 'cap'"),
        ("cap == '50'", 8, "issue 'cap' is numeric; expected a number, found '50'"),
        ("zone == north or utility(c) > 0", 18, "unknown party 'c' in utility()"),
    ],
)
def test_bind_errors(text: str, column: int, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as err:
        bound(text)
    assert err.value.column == column
    assert err.value.message.startswith(message)


def test_bind_error_names_the_unknown_identifier() -> None:
    with pytest.raises(RuleSyntaxError) as err:
        bound("zonee == north")
    assert err.value.name == "zonee"
    with pytest.raises(RuleSyntaxError) as err:
        bound("utility(q) > 0")
    assert err.value.name == "q"


def test_problem_binds_utility_thresholds_on_its_scale() -> None:
    from pathlib import Path

    from zopa.load import parse_scenario

    text = (Path(__file__).parent / "data" / "example.yaml").read_text()
    extra = '  - {id: b-util, party: b, rule: "utility(a) >= 0.35"}\n'
    text = text.replace("\ndrafts:", "\n" + extra + "drafts:", 1)
    problem = Problem(parse_scenario(text))
    red, b = problem.red_lines[-1]
    assert red.id == "b-util"
    assert b == UtilityAtom(problem.party_index["a"], ">=", 252_252_000)  # 0.35 · SCALE


# --------------------------------------------------------------------------- property tests

KEYWORDS = sorted(rules.KEYWORDS)
IDS = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from(["a", "zone", "x_1", "_", "9"]),
    st.text("abz09_-", max_size=4),
).map(lambda s: "k" + s if s in rules.KEYWORDS or re.fullmatch("[0-9][0-9_]*", s) else s)


def number_text(negative: bool, whole: int, grouped: bool, fraction: int | None) -> str:
    text = f"{whole:_}" if grouped else str(whole)
    return ("-" if negative else "") + text + ("" if fraction is None else f".{fraction:_}")


NUMBER_TEXTS = st.one_of(
    st.builds(
        number_text,
        st.booleans(),
        st.integers(0, 10**7),
        st.booleans(),
        st.none() | st.integers(0, 99_999),
    ),
    st.sampled_from(["0", "1_0", "0.0", "007", "1_2_3.4_5"]),
)
OPTION_TEXTS = st.one_of(
    IDS,
    st.sampled_from([*KEYWORDS, "12", "-x", "1e5", "a b", "it's", 'say "no"', "é", "", "1.5"]),
    st.text(max_size=4).filter(lambda t: not ("'" in t and '"' in t)),
)
OPS = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
VALUES = st.one_of(NUMBER_TEXTS.map(num), OPTION_TEXTS.map(opt))


def extend(children: st.SearchStrategy[rules.Expr]) -> st.SearchStrategy[rules.Expr]:
    many = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(st.builds(And, many), st.builds(Or, many), st.builds(Not, children))


SYNTAX_TREES = st.recursive(
    st.one_of(
        st.builds(Cmp, IDS, OPS, VALUES),
        st.builds(In, IDS, st.lists(VALUES, min_size=1, max_size=3).map(tuple), st.booleans()),
        st.builds(UtilityCmp, IDS, OPS, NUMBER_TEXTS.map(num)),
    ),
    extend,
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(SYNTAX_TREES)
def test_print_then_parse_is_the_identity(tree: rules.Expr) -> None:
    text = to_text(tree)
    assert parse(text) == tree
    assert to_text(parse(text)) == text


def respace(text: str, space: str) -> str:
    """Replace every space outside quotes by ``space``."""
    out, quote = [], ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        out.append(space if ch == " " and not quote else ch)
    return "".join(out)


@settings(max_examples=100, deadline=None)
@given(SYNTAX_TREES, st.sampled_from(["  ", "\n", "\t ", " \r\n "]))
def test_whitespace_does_not_change_the_tree(tree: rules.Expr, space: str) -> None:
    assert parse(respace(to_text(tree), space)) == tree


# Random domains, rules over them, and packages: the semantics read directly.


# A domain spec is (kind, size, low, step); a leaf spec is a row of small integers
# that picks an issue, an operator, values and a threshold.  Both are fixed
# strategies, realised against the drawn domains, which keeps generation fast.
DOMAIN_SPECS = st.lists(
    st.tuples(
        st.sampled_from(["categorical", "ordered", "numeric"]),
        st.integers(1, 4),
        st.integers(-5, 5),
        st.sampled_from(["1", "0.5", "10", "2.5"]),
    ),
    min_size=1,
    max_size=4,
)
LEAF_SPECS = st.tuples(
    st.integers(0, 5),  # 0: utility(p), 1-2: in / not in, 3-5: comparison
    st.integers(0, 3),  # issue
    st.integers(0, 5),  # operator
    st.lists(st.integers(0, 5), min_size=1, max_size=3),  # option picks; 4, 5 are off grid
    st.booleans(),  # negated
    st.integers(-2, 12),  # utility threshold in tenths
    st.integers(0, 1),  # party
)
SHAPES = st.recursive(LEAF_SPECS, extend, max_leaves=6)


def domain(k: int, spec: tuple[str, int, int, str]) -> IssueDomain:
    kind, size, low, step = spec
    if kind == "numeric":
        options = tuple(low + j * Fraction(step) for j in range(size))
        return IssueDomain(f"i{k}", options, numeric=True)
    return IssueDomain(f"i{k}", tuple(f"o{j}" for j in range(size)), ordered=kind == "ordered")


def literal(x: str | Fraction) -> Value:
    if isinstance(x, Fraction):
        text = str(x.numerator) if x.denominator == 1 else str(float(x))
        return Value(text, x)
    return Value(x)


def realise(shape: object, doms: list[IssueDomain], n_parties: int) -> rules.Expr:
    """The rule a shape stands for over ``doms``: every name and value valid."""
    if isinstance(shape, And | Or):
        return type(shape)(tuple(realise(a, doms, n_parties) for a in shape.args))
    if isinstance(shape, Not):
        return Not(realise(shape.arg, doms, n_parties))
    kind, issue, op_pick, picks, negated, tenths, party = shape  # type: ignore[misc]
    op = ["==", "!=", "<", "<=", ">", ">="][op_pick]
    if kind == 0:
        return UtilityCmp(f"p{party % n_parties}", op, literal(Fraction(tenths, 10)))  # type: ignore[arg-type]
    dom = doms[issue % len(doms)]
    on_grid = [dom.options[k % len(dom.options)] for k in picks]
    if kind <= 2:
        return In(dom.id, tuple(map(literal, on_grid)), negated)
    if dom.numeric:  # order comparisons take any number, on the grid or not
        ref = Fraction(7, 4) * (picks[0] - 4) if picks[0] >= 4 and op_pick >= 2 else on_grid[0]
        return Cmp(dom.id, op, literal(ref))  # type: ignore[arg-type]
    if not dom.ordered:
        op = op if op_pick < 2 else "=="
    return Cmp(dom.id, op, literal(on_grid[0]))  # type: ignore[arg-type]


COMPARE = rules.OPERATORS


def holds(expr: rules.Expr, doms: list[IssueDomain], x: list[int], u: list[int]) -> bool:
    """The meaning of a rule on one package, read straight from its grammar (no binding)."""
    if isinstance(expr, And):
        return all(holds(a, doms, x, u) for a in expr.args)
    if isinstance(expr, Or):
        return any(holds(a, doms, x, u) for a in expr.args)
    if isinstance(expr, Not):
        return not holds(expr.arg, doms, x, u)
    if isinstance(expr, UtilityCmp):
        assert expr.value.number is not None
        return COMPARE[expr.op](u[int(expr.party[1:])], scale_threshold(expr.value.number))
    i = [d.id for d in doms].index(expr.issue)
    dom, chosen = doms[i], doms[i].options[x[i]]

    def key(v: Value) -> str | Fraction:
        return v.number if dom.numeric else v.text  # type: ignore[return-value]

    if isinstance(expr, In):
        return (chosen in {key(v) for v in expr.values}) != expr.negated
    if dom.numeric:
        return COMPARE[expr.op](chosen, key(expr.value))
    if expr.op in ("==", "!="):
        return (chosen == expr.value.text) == (expr.op == "==")
    return COMPARE[expr.op](x[i], dom.options.index(expr.value.text))


Case = tuple[list[IssueDomain], rules.Expr, np.ndarray, np.ndarray]


def bound_case(
    specs: list[tuple[str, int, int, str]], shape: object, n_parties: int, n: int, seed: int
) -> Case:
    """Domains, a rule over them, N packages and an N × parties utility matrix."""
    doms = [domain(k, spec) for k, spec in enumerate(specs)]
    rng = np.random.default_rng(seed)
    packages = np.stack([rng.integers(0, len(d.options), n) for d in doms], axis=1)
    # utilities on and next to the thresholds (multiples of SCALE/10): ties must occur often
    tenths = rng.integers(-2, 13, (n, n_parties)) * (SCALE // 10)
    utils = tenths + rng.choice([-1, 0, 0, 0, 1], (n, n_parties))
    expr = realise(shape, doms, n_parties)
    return doms, expr, packages.astype(np.int64), utils.astype(np.int64)


BOUND_CASES = st.builds(
    bound_case,
    DOMAIN_SPECS,
    SHAPES,
    st.integers(1, 2),
    st.sampled_from([1, 2, 64]),
    st.integers(0, 2**32 - 1),
)


def _bind(doms: list[IssueDomain], expr: rules.Expr, n_parties: int) -> rules.Bound:
    return bind(expr, doms, [f"p{k}" for k in range(n_parties)], scale_threshold)


@settings(max_examples=200, deadline=None)
@given(BOUND_CASES)
def test_single_and_vectorised_evaluation_agree_with_the_meaning(case: Case) -> None:
    doms, expr, packages, utils = case
    b = _bind(doms, expr, utils.shape[1])
    sizes = {i: len(d.options) for i, d in enumerate(doms)}
    many = evaluate_many(b, packages, utils, sizes)
    without_sizes = evaluate_many(b, packages, utils)
    assert many.dtype == bool
    assert many.shape == (len(packages),)
    for row, x in enumerate(packages.tolist()):
        u = utils[row].tolist()
        single = evaluate(b, x, u)
        assert single == bool(many[row]) == bool(without_sizes[row])
        assert single == holds(expr, doms, x, u)


@settings(max_examples=200, deadline=None)
@given(BOUND_CASES, st.data())
def test_partial_evaluation_never_contradicts_a_completion(case: Case, data: st.DataObject) -> None:
    doms, expr, packages, utils = case
    b = _bind(doms, expr, utils.shape[1])
    x = packages[0].tolist()
    partial = [k if data.draw(st.booleans()) else None for k in x]
    u = utils[0].tolist() if data.draw(st.booleans()) else None
    verdict = evaluate_partial(b, partial, u)
    if u is not None and None not in partial:
        assert verdict == evaluate(b, x, u)
    if verdict is None:
        return
    free = [i for i, k in enumerate(partial) if k is None]
    completions = itertools.product(*(range(len(doms[i].options)) for i in free))
    utility_rows = [u] if u is not None else [r.tolist() for r in utils]
    for values in completions:
        full = list(partial)
        for i, k in zip(free, values, strict=True):
            full[i] = k
        for row in utility_rows:
            assert evaluate(b, full, row) == verdict  # type: ignore[arg-type]


def test_evaluate_many_needs_utilities_for_utility_rules() -> None:
    b = bound("utility(a) > 0")
    with pytest.raises(ValueError, match="utility matrix"):
        evaluate_many(b, np.zeros((2, 3), dtype=np.int64))


def test_evaluate_many_on_empty_allowed_set() -> None:
    b = bound("cap < 0")
    packages = np.array([[0, 0, 0], [10, 2, 2]], dtype=np.int64)
    assert evaluate_many(b, packages).tolist() == [False, False]
