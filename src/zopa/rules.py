"""The red-line rule language: parse, print, bind, evaluate.

Grammar (docs/reference/rules.md)::

    rule    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp | "(" or ")"
    cmp     := NAME OP value | NAME ["not"] "in" "[" value ("," value)* "]"
             | "utility" "(" PARTY ")" OP NUMBER
    NAME    := ISSUE | ISSUE "." ATTRIBUTE
    OP      := "==" | "!=" | "<" | "<=" | ">" | ">="
    value   := NUMBER | 'option' | "option" | option_id

``ISSUE.ATTRIBUTE`` compares one attribute of an issue described by attributes
(:mod:`zopa.model`); it binds to the options whose combination has a value of
that attribute satisfying the comparison.

The parser is a hand-written recursive-descent parser over a small tokenizer;
user text is never handed to ``eval`` or ``ast``.  Parsing gives a syntax tree
(:class:`Cmp`, :class:`In`, :class:`UtilityCmp`, :class:`And`, :class:`Or`,
:class:`Not`) that keeps the column of every comparison for error messages.

:func:`bind` resolves a syntax tree against a scenario's issues and parties and
gives a *bound* formula whose leaves are

* :class:`Member` — "issue ``i`` takes one of the option indices in ``allowed``",
* :class:`UtilityAtom` — "party ``p``'s integer-scaled utility ``OP`` ``threshold``".

A red line may name uncertain *thresholds* (``army_cap >= ukraine_floor``, with
``thresholds: {ukraine_floor: {uniform: [700000, 900000]}}`` in the file).  A
threshold name stands where a number may stand in an order comparison
(``<``, ``<=``, ``>``, ``>=``) on a numeric issue; :func:`bind` takes the
numbers to use (the means, or one Monte Carlo sample).  On a numeric issue a
bare word can never be an option (options are numbers), so there a word is a
threshold name; a threshold name that is also an option of a categorical issue
the rule compares is an error.

Every comparison on an issue, whatever its operator, becomes a set of allowed
options, so the bound form compiles directly to SAT clauses, to CP-SAT
constraints and to numpy masks (:func:`evaluate_many`).

**Statements over yes/no options** (``parse(text, options=True)``, the language of
``zopa-gmcr/1`` models): every option is a yes/no issue whose options are ``N``
and ``Y``, a bare option id stands for ``id == Y`` ("the option is chosen"), and
a statement may end in ``if RULE`` or ``iff RULE`` (Fang, Hipel, Kilgour & Peng
2003, option prioritisation): ``A if B`` holds when B does not or A does, ``A iff
B`` when both or neither do.  Both forms are rewritten into the tree above, so
binding and evaluation are unchanged::

    statement := rule [("if" | "iff") rule]
    cmp       := ... | OPTION
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Union

from zopa.limits import MAX_RULE_DEPTH, MAX_RULE_DIGITS

if TYPE_CHECKING:
    import numpy as np

Op = Literal["==", "!=", "<", "<=", ">", ">="]
OPS: tuple[Op, ...] = ("==", "!=", "<=", ">=", "<", ">")
KEYWORDS = frozenset({"and", "or", "not", "in"})
CONDITIONALS = frozenset({"if", "iff"})  # keywords too in statements over options
YES, NO = "Y", "N"  # the two options of a yes/no option in statements over options
MAX_DEPTH = MAX_RULE_DEPTH  # nested 'not' and '(' levels; far from Python's recursion limit
MAX_DIGITS = MAX_RULE_DIGITS  # digits of one number


class RuleSyntaxError(ValueError):
    """A rule that does not parse or bind; ``column`` is 1-based within the rule text."""

    def __init__(self, message: str, column: int, name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.name = name  # the unknown issue or party, when that is the problem

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Value:
    """A literal in a rule: a number or an option id (quoted or bare)."""

    text: str
    number: Fraction | None = None  # set when the literal is a number
    column: int = field(default=0, compare=False)  # 1-based in the rule; 0 when built in code

    def render(self) -> str:
        if self.number is not None:
            return self.text
        bare = (
            _IDENT_RE.fullmatch(self.text)
            and self.text not in KEYWORDS
            and not _NUMBER_RE.fullmatch(self.text)
        )
        if bare:
            return self.text
        quote = '"' if "'" in self.text else "'"
        return quote + self.text + quote


@dataclass(frozen=True)
class Cmp:
    issue: str
    op: Op
    value: Value
    column: int = 1

    def __eq__(self, other: object) -> bool:  # columns do not change meaning
        return isinstance(other, Cmp) and (self.issue, self.op, self.value) == (
            other.issue,
            other.op,
            other.value,
        )

    def __hash__(self) -> int:
        return hash((self.issue, self.op, self.value))


@dataclass(frozen=True)
class In:
    issue: str
    values: tuple[Value, ...]
    negated: bool = False
    column: int = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, In) and (self.issue, self.values, self.negated) == (
            other.issue,
            other.values,
            other.negated,
        )

    def __hash__(self) -> int:
        return hash((self.issue, self.values, self.negated))


@dataclass(frozen=True)
class UtilityCmp:
    party: str
    op: Op
    value: Value
    column: int = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UtilityCmp) and (self.party, self.op, self.value) == (
            other.party,
            other.op,
            other.value,
        )

    def __hash__(self) -> int:
        return hash((self.party, self.op, self.value))


@dataclass(frozen=True)
class And:
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    arg: Expr


Expr = Union[Cmp, In, UtilityCmp, And, Or, Not]  # noqa: UP007 - recursive alias


# --------------------------------------------------------------------------- tokenizer

_NUMBER_RE = re.compile(r"-?[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?![A-Za-z0-9_\-])")
_IDENT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")
# ``ISSUE.ATTRIBUTE`` names an attribute of an issue described by attributes.
_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_\-]*)?")


@dataclass(frozen=True)
class _Token:
    kind: Literal["num", "ident", "str", "op", "punct", "end"]
    text: str
    column: int


_TOKEN_RE = re.compile(
    r"[ \t\r\n]+|(?P<punct>[()\[\],])|(?P<op>==|!=|<=|>=|<|>)"
    r"|'(?P<sq>[^']*)'|\"(?P<dq>[^\"]*)\""
    rf"|(?P<num>{_NUMBER_RE.pattern})|(?P<ident>{_NAME_RE.pattern})"
)


def _tokenize(text: str) -> list[_Token]:
    """Tokens by one regular expression, matched token by token (long rules stay fast)."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    match = _TOKEN_RE.match
    while i < n:
        m = match(text, i)
        if m is None:
            _bad_character(text, i)
        kind = m.lastgroup
        if kind is not None:
            if kind in ("sq", "dq"):
                tokens.append(_Token("str", m.group(kind), i + 1))
            else:
                tokens.append(_Token(kind, m.group(), i + 1))  # type: ignore[arg-type]
        i = m.end()
    tokens.append(_Token("end", "", n + 1))
    return tokens


def _bad_character(text: str, i: int) -> NoReturn:
    """The error for the character at ``i``, which starts no token."""
    ch, col = text[i], i + 1
    if ch == "=":
        raise RuleSyntaxError("'=' is not an operator; use '=='", col)
    if ch in "&|!":
        word = {"&": "and", "|": "or", "!": "not"}[ch]
        raise RuleSyntaxError(f"unexpected character {ch!r}; write '{word}'", col)
    if ch in "'\"":
        raise RuleSyntaxError(f"unclosed quote {ch}", col)
    raise RuleSyntaxError(f"unexpected character {ch!r}", col)


def reads_as_number(word: str) -> bool:
    """Whether the tokenizer reads ``word`` as a number (so it cannot name a threshold)."""
    return _NUMBER_RE.fullmatch(word) is not None


def _number(text: str, column: int) -> Fraction:
    cleaned = text.replace("_", "")
    if "__" in text or text.endswith("_") or "_." in text or "._" in text:
        raise RuleSyntaxError(f"malformed number {text!r}", column)
    digits = sum(ch.isdigit() for ch in cleaned)
    if digits > MAX_DIGITS:
        raise RuleSyntaxError(
            f"the number has {digits:,} digits; numbers in rules have at most {MAX_DIGITS}", column
        )
    return Fraction(cleaned)


# --------------------------------------------------------------------------- parser


class _Parser:
    """Recursive descent over the token list, one method per grammar rule."""

    def __init__(self, text: str, options: bool = False) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0
        self.options = options  # statements over yes/no options (bare ids, if / iff)
        self.reserved = KEYWORDS | CONDITIONALS if options else KEYWORDS

    @property
    def tok(self) -> _Token:
        return self.tokens[self.pos]

    def _next(self) -> _Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def _is_kw(self, word: str) -> bool:
        return self.tok.kind == "ident" and self.tok.text == word

    def _expect_punct(self, ch: str, context: str) -> _Token:
        if self.tok.kind == "punct" and self.tok.text == ch:
            return self._next()
        raise RuleSyntaxError(
            f"expected '{ch}' {context}, found {_describe(self.tok)}", self.tok.column
        )

    def parse(self) -> Expr:
        if self.tok.kind == "end":
            raise RuleSyntaxError("empty rule", 1)
        expr = self.or_()
        conditional = self.options and self.tok.kind == "ident" and self.tok.text in CONDITIONALS
        if conditional:
            word = self._next().text
            if self.tok.kind == "end":
                raise RuleSyntaxError(f"expected a condition after {word!r}", self.tok.column)
            condition = self.or_()
            if word == "if":  # material implication: condition -> expr
                expr = Or((expr, Not(condition)))
            else:
                expr = Or((And((expr, condition)), And((Not(expr), Not(condition)))))
        if self.tok.kind != "end":
            more = self.options and not conditional
            expected = "'and', 'or', 'if', 'iff'" if more else "'and', 'or'"
            raise RuleSyntaxError(
                f"unexpected {_describe(self.tok)}; expected {expected} or the end of the rule",
                self.tok.column,
            )
        return expr

    def or_(self) -> Expr:
        args = [self.and_()]
        while self._is_kw("or"):
            self._next()
            args.append(self.and_())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def and_(self) -> Expr:
        args = [self.not_()]
        while self._is_kw("and"):
            self._next()
            args.append(self.not_())
        return args[0] if len(args) == 1 else And(tuple(args))

    def not_(self) -> Expr:
        opens = self._is_kw("not") or (self.tok.kind == "punct" and self.tok.text == "(")
        if not opens:
            return self.cmp()
        self.depth += 1  # one level per 'not' or '(' (docs/reference/rules.md)
        if self.depth > MAX_DEPTH:
            raise RuleSyntaxError(
                f"the rule is nested more than {MAX_DEPTH} levels deep", self.tok.column
            )
        try:
            if self._is_kw("not"):
                self._next()
                return Not(self.not_())
            self._next()
            inner = self.or_()
            self._expect_punct(")", "to close '('")
            return inner
        finally:
            self.depth -= 1

    def cmp(self) -> Expr:
        tok = self.tok
        if tok.kind != "ident" or tok.text in self.reserved:
            wanted = "an option id" if self.options else "an issue id, 'utility(...)'"
            raise RuleSyntaxError(
                f"expected {wanted}, 'not' or '(', found {_describe(tok)}", tok.column
            )
        self._next()
        if tok.text == "utility" and self.tok.kind == "punct" and self.tok.text == "(":
            return self.utility(tok)
        if self.options and not (self.tok.kind == "op" or self._is_kw("in") or self._is_kw("not")):
            return Cmp(tok.text, "==", Value(YES), tok.column)  # a bare option: it is chosen
        if self.tok.kind == "op":
            op = self._next().text
            return Cmp(tok.text, op, self.value(), tok.column)  # type: ignore[arg-type]
        negated = False
        if self._is_kw("not"):
            self._next()
            negated = True
            if not self._is_kw("in"):
                raise RuleSyntaxError(
                    f"expected 'in' after 'not', found {_describe(self.tok)}", self.tok.column
                )
        if self._is_kw("in"):
            self._next()
            self._expect_punct("[", "after 'in'")
            values = [self.value()]
            while self.tok.kind == "punct" and self.tok.text == ",":
                self._next()
                values.append(self.value())
            self._expect_punct("]", "to close the list")
            return In(tok.text, tuple(values), negated, tok.column)
        raise RuleSyntaxError(
            f"expected an operator (==, !=, <, <=, >, >=) or 'in' after {tok.text!r}, "
            f"found {_describe(self.tok)}",
            self.tok.column,
        )

    def utility(self, start: _Token) -> Expr:
        self._expect_punct("(", "after 'utility'")
        party = self.tok
        if party.kind != "ident" or party.text in KEYWORDS:
            raise RuleSyntaxError(f"expected a party id, found {_describe(party)}", party.column)
        self._next()
        self._expect_punct(")", "after the party id")
        if self.tok.kind != "op":
            raise RuleSyntaxError(
                f"expected an operator after 'utility({party.text})', found {_describe(self.tok)}",
                self.tok.column,
            )
        op = self._next().text
        num = self.tok
        if num.kind != "num":
            raise RuleSyntaxError(
                f"expected a number after '{op}', found {_describe(num)}", num.column
            )
        self._next()
        return UtilityCmp(
            party.text, op, Value(num.text, _number(num.text, num.column), num.column), start.column
        )  # type: ignore[arg-type]

    def value(self) -> Value:
        tok = self.tok
        if tok.kind == "num":
            self._next()
            return Value(tok.text, _number(tok.text, tok.column), tok.column)
        if tok.kind in ("ident", "str"):
            self._next()
            return Value(tok.text, column=tok.column)
        raise RuleSyntaxError(
            f"expected a number or an option id, found {_describe(tok)}", tok.column
        )


def _describe(tok: _Token) -> str:
    if tok.kind == "end":
        return "the end of the rule"
    return repr(tok.text) if tok.kind != "str" else f"'{tok.text}'"


@lru_cache(maxsize=256)
def parse(text: str, options: bool = False) -> Expr:
    """Parse a rule into its syntax tree; raise :class:`RuleSyntaxError` with the column.

    ``options=True`` parses a statement over yes/no options (see the module docstring).
    Trees are immutable, so a rule checked, bound for the engine and explained
    is parsed once (a very long rule takes seconds to parse).
    """
    return _Parser(text, options).parse()


def option_domain(option_id: str) -> IssueDomain:
    """A yes/no option as the issue statements over options bind against."""
    return IssueDomain(option_id, (NO, YES))


# --------------------------------------------------------------------------- printing


def to_text(expr: Expr) -> str:
    """Print a syntax tree so that ``parse(to_text(e)) == e`` (minimal parentheses)."""
    if isinstance(expr, Cmp):
        return f"{expr.issue} {expr.op} {expr.value.render()}"
    if isinstance(expr, In):
        inner = ", ".join(v.render() for v in expr.values)
        return f"{expr.issue} {'not in' if expr.negated else 'in'} [{inner}]"
    if isinstance(expr, UtilityCmp):
        return f"utility({expr.party}) {expr.op} {expr.value.render()}"
    if isinstance(expr, Not):
        inner = to_text(expr.arg)
        return f"not ({inner})" if isinstance(expr.arg, And | Or) else f"not {inner}"
    if isinstance(expr, And):
        return " and ".join(
            f"({to_text(a)})" if isinstance(a, And | Or) else to_text(a) for a in expr.args
        )
    return " or ".join(f"({to_text(a)})" if isinstance(a, Or) else to_text(a) for a in expr.args)


def comparisons(expr: Expr) -> list[Cmp | In | UtilityCmp]:
    """The leaves of a syntax tree, left to right."""
    if isinstance(expr, Cmp | In | UtilityCmp):
        return [expr]
    if isinstance(expr, Not):
        return comparisons(expr.arg)
    return [leaf for a in expr.args for leaf in comparisons(a)]


# --------------------------------------------------------------------------- binding


@dataclass(frozen=True)
class IssueDomain:
    """What binding needs to know about an issue (or about one attribute of an issue).

    An issue described by attributes lists them in ``attributes`` (each itself a
    domain, with ``kind`` "attribute" and id ``ISSUE.ATTR``), and ``combos``
    gives, for each of its options, the index of each attribute's value.
    """

    id: str
    options: tuple[str | Fraction, ...]  # option ids (categorical) or exact numbers (numeric)
    numeric: bool = False
    ordered: bool = False
    attributes: tuple[IssueDomain, ...] = ()
    combos: tuple[tuple[int, ...], ...] = ()
    kind: str = "issue"

    @cached_property
    def position(self) -> dict[str | Fraction, int]:
        """Option (id or number) to its index: one lookup per comparison, not a scan."""
        return {o: k for k, o in enumerate(self.options)}

    def attribute(self, name: str) -> int | None:
        """The index of attribute ``name`` (the part after ``ISSUE.``), or None."""
        prefix = f"{self.id}."
        return next(
            (a for a, d in enumerate(self.attributes) if d.id == prefix + name),
            None,
        )


@dataclass(frozen=True)
class Member:
    """Issue ``issue`` (index) takes one of the option indices in ``allowed``."""

    issue: int
    allowed: frozenset[int]


@dataclass(frozen=True)
class UtilityAtom:
    """``U_party OP threshold`` on integer-scaled utilities (see :mod:`zopa.problem`)."""

    party: int
    op: Op
    threshold: int


@dataclass(frozen=True)
class BAnd:
    args: tuple[Bound, ...]


@dataclass(frozen=True)
class BOr:
    args: tuple[Bound, ...]


@dataclass(frozen=True)
class BNot:
    arg: Bound


Bound = Union[Member, UtilityAtom, BAnd, BOr, BNot]  # noqa: UP007 - recursive alias


OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(a: Any, op: Op, b: Any) -> Any:
    """``a OP b``: a bool for numbers, an array for numpy arrays, a constraint for CP-SAT."""
    return OPERATORS[op](a, b)


def _option_index(domain: IssueDomain, value: Value, column: int) -> int:
    column = value.column or column  # point at the value itself when the parser saw it
    if domain.numeric:
        if value.number is None:
            raise RuleSyntaxError(
                f"{domain.kind} {domain.id!r} is numeric; expected a number, found {value.text!r}",
                column,
            )
        try:
            return domain.position[value.number]
        except KeyError:
            raise RuleSyntaxError(
                f"{value.text} is not an option of {domain.id!r} "
                f"(options run from {_fmt(domain.options[0])} to {_fmt(domain.options[-1])} "
                f"in steps of {_step(domain)})",
                column,
            ) from None
    try:
        return domain.position[value.text]
    except KeyError:
        raise RuleSyntaxError(
            f"{value.text!r} is not an option of {domain.id!r}"
            + _suggest(value.text, domain.options),
            column,
        ) from None


def _step(domain: IssueDomain) -> str:
    opts = domain.options
    return _fmt(opts[1] - opts[0]) if len(opts) > 1 else "0"  # type: ignore[operator]


def _fmt(x: object) -> str:
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else str(float(x))
    return str(x)


def _suggest(word: str, choices: Sequence[object]) -> str:
    import difflib

    match = difflib.get_close_matches(word, [str(c) for c in choices], n=1)
    return f"; did you mean {match[0]!r}?" if match else ""


def bind(
    expr: Expr,
    issues: Sequence[IssueDomain],
    parties: Sequence[str],
    scale_threshold: Callable[[Fraction], int] | None = None,
    thresholds: Mapping[str, Fraction] | None = None,
) -> Bound:
    """Resolve names and values against a scenario; raise :class:`RuleSyntaxError`.

    ``scale_threshold`` maps a utility threshold (a :class:`~fractions.Fraction`)
    to the integer scale of :mod:`zopa.problem`; by default thresholds are kept
    at scale 1 (only useful for checking).  ``thresholds`` gives the number
    each threshold name of the red line stands for.
    """
    named: Mapping[str, Fraction] = thresholds or {}
    index = {d.id: i for i, d in enumerate(issues)}
    party_index = {p: i for i, p in enumerate(parties)}
    scale: Callable[[Fraction], int | Fraction] = scale_threshold or (lambda f: f)

    def go(e: Expr) -> Bound:
        if isinstance(e, And):
            return BAnd(_merged(tuple(go(a) for a in e.args), frozenset.intersection))
        if isinstance(e, Or):
            return BOr(_merged(tuple(go(a) for a in e.args), frozenset.union))
        if isinstance(e, Not):
            return BNot(go(e.arg))
        if isinstance(e, UtilityCmp):
            if e.party not in party_index:
                raise RuleSyntaxError(
                    f"unknown party {e.party!r} in utility(){_suggest(e.party, list(parties))}",
                    e.column,
                    e.party,
                )
            assert e.value.number is not None
            return UtilityAtom(party_index[e.party], e.op, scale(e.value.number))
        name, _, attribute = e.issue.partition(".")
        if name not in index:
            raise RuleSyntaxError(
                f"unknown issue {name!r}{_suggest(name, list(index))}", e.column, name
            )
        i = index[name]
        dom = issues[i]
        if not attribute:
            return Member(i, _allowed(e, dom, named))
        a = dom.attribute(attribute)
        if a is None:
            known = [d.id.partition(".")[2] for d in dom.attributes]
            where = (
                f"; its attributes: {', '.join(known)}{_suggest(attribute, known)}"
                if known
                else " (it is not described by attributes)"
            )
            raise RuleSyntaxError(
                f"issue {name!r} has no attribute {attribute!r}{where}", e.column, e.issue
            )
        values = _allowed(e, dom.attributes[a], named)
        return Member(i, frozenset(k for k, combo in enumerate(dom.combos) if combo[a] in values))

    return go(expr)


def _allowed(e: Cmp | In, dom: IssueDomain, named: Mapping[str, Fraction]) -> frozenset[int]:
    """The option indices of ``dom`` for which the comparison ``e`` holds."""
    _check_threshold_use(e, dom, named)
    if isinstance(e, In):
        chosen = {_option_index(dom, v, e.column) for v in e.values}
        if e.negated:
            chosen = set(range(len(dom.options))) - chosen
        return frozenset(chosen)
    if e.op in ("==", "!="):
        k = _option_index(dom, e.value, e.column)
        return frozenset({k} if e.op == "==" else set(range(len(dom.options))) - {k})
    if dom.numeric:
        if e.value.number is None and e.value.text in named:
            ref: Fraction = named[e.value.text]
        elif e.value.number is None:
            raise RuleSyntaxError(
                f"{dom.kind} {dom.id!r} is numeric; expected a number after '{e.op}', "
                f"found {e.value.text!r}" + _threshold_hint(e.value.text, named),
                e.value.column or e.column,
            )
        else:
            ref = e.value.number
        return _ordered(e.op, dom.options, ref)  # numeric options ascend
    if not dom.ordered:
        raise RuleSyntaxError(
            f"'{e.op}' needs a numeric or ordered {dom.kind}; {dom.id!r} is categorical "
            f"(add 'ordered: true' to the {dom.kind}, or use == / in)",
            e.column,
        )
    k = _option_index(dom, e.value, e.column)
    return _ordered(e.op, range(len(dom.options)), k)


def _ordered(op: Op, keys: Sequence[Any], ref: Any) -> frozenset[int]:
    """Indices ``k`` of ascending ``keys`` with ``keys[k] OP ref``, by bisection."""
    import bisect

    lo, hi = bisect.bisect_left(keys, ref), bisect.bisect_right(keys, ref)
    n = len(keys)
    spans = {"<": range(lo), "<=": range(hi), ">": range(hi, n), ">=": range(lo, n)}
    return frozenset(spans[op])


def _merged(args: tuple[Bound, ...], combine: Callable[..., frozenset[int]]) -> tuple[Bound, ...]:
    """Memberships of one issue side by side, as one: ``a in X or a in Y`` is ``a in X ∪ Y``.

    Same meaning, smaller formulas: a rule of 50,000 ``or``-ed comparisons on
    one issue becomes one set of options instead of 50,000 clauses.
    """
    sets: dict[int, list[frozenset[int]]] = {}
    out: list[Bound | int] = []  # an int holds the place of an issue's merged membership
    for a in args:
        if isinstance(a, Member):
            if a.issue not in sets:
                sets[a.issue] = []
                out.append(a.issue)
            sets[a.issue].append(a.allowed)
        else:
            out.append(a)
    return tuple(
        Member(a, combine(*sets[a]) if len(sets[a]) > 1 else sets[a][0])
        if isinstance(a, int)
        else a
        for a in out
    )


def _check_threshold_use(e: Cmp | In, dom: IssueDomain, named: Mapping[str, Fraction]) -> None:
    """A threshold name stands only for the number of an order comparison on a numeric issue."""
    values = e.values if isinstance(e, In) else (e.value,)
    for v in values:
        if v.number is not None or v.text not in named:
            continue
        column = v.column or e.column
        if dom.kind == "attribute":
            raise RuleSyntaxError(
                f"threshold {v.text!r} is compared with attribute {dom.id!r}; thresholds "
                "stand for numbers on numeric issues (write the number here)",
                column,
            )
        if not dom.numeric:
            if v.text in dom.options:
                raise RuleSyntaxError(
                    f"{v.text!r} is both an option of issue {dom.id!r} and a threshold of this "
                    "red line; rename the threshold",
                    column,
                )
            raise RuleSyntaxError(
                f"threshold {v.text!r} is compared with categorical issue {dom.id!r}; "
                "thresholds stand for numbers on numeric issues",
                column,
            )
        if isinstance(e, In) or e.op in ("==", "!="):
            raise RuleSyntaxError(
                f"threshold {v.text!r} needs an order comparison (<, <=, >, >=): an uncertain "
                "number almost never equals an option exactly",
                column,
            )


def _threshold_hint(word: str, named: Mapping[str, Fraction]) -> str:
    if not named:
        return ""
    return f" (this red line's thresholds: {', '.join(sorted(named))}){_suggest(word, list(named))}"


def threshold_uses(
    expr: Expr, issues: Sequence[IssueDomain], names: Iterable[str]
) -> dict[str, list[int]]:
    """For each threshold name, the numeric issues (indices) it is compared with in ``expr``."""
    wanted = set(names)
    index = {d.id: i for i, d in enumerate(issues)}
    uses: dict[str, list[int]] = {n: [] for n in sorted(wanted)}
    for leaf in comparisons(expr):
        if not isinstance(leaf, Cmp) or leaf.issue not in index:
            continue
        i = index[leaf.issue]
        v = leaf.value
        if issues[i].numeric and v.number is None and v.text in wanted and i not in uses[v.text]:
            uses[v.text].append(i)
    return uses


def issues_of(bound: Bound) -> set[int]:
    """Indices of the issues a bound formula names directly (not via utility)."""
    if isinstance(bound, Member):
        return {bound.issue}
    if isinstance(bound, UtilityAtom):
        return set()
    if isinstance(bound, BNot):
        return issues_of(bound.arg)
    return set().union(*(issues_of(a) for a in bound.args))


def parties_of(bound: Bound) -> set[int]:
    """Indices of the parties whose utility a bound formula refers to."""
    if isinstance(bound, UtilityAtom):
        return {bound.party}
    if isinstance(bound, Member):
        return set()
    if isinstance(bound, BNot):
        return parties_of(bound.arg)
    return set().union(*(parties_of(a) for a in bound.args))


# --------------------------------------------------------------------------- evaluation


def evaluate(bound: Bound, package: Sequence[int], utilities: Sequence[int] = ()) -> bool:
    """Evaluate on one package (option index per issue) and its party utilities."""
    if isinstance(bound, Member):
        return package[bound.issue] in bound.allowed
    if isinstance(bound, UtilityAtom):
        return compare(utilities[bound.party], bound.op, bound.threshold)
    if isinstance(bound, BNot):
        return not evaluate(bound.arg, package, utilities)
    if isinstance(bound, BAnd):
        return all(evaluate(a, package, utilities) for a in bound.args)
    return any(evaluate(a, package, utilities) for a in bound.args)


def evaluate_many(
    bound: Bound,
    packages: np.ndarray,
    utilities: np.ndarray | None = None,
    sizes: Mapping[int, int] | None = None,
) -> np.ndarray:
    """Vectorised evaluation over ``packages`` (N × issues option indices).

    ``utilities`` is the N × parties integer utility matrix, needed only when
    the formula mentions ``utility(p)``.  ``sizes`` (issue → option count)
    lets membership tests use a lookup table instead of ``np.isin``.
    """
    import numpy as np

    if isinstance(bound, Member):
        column = packages[:, bound.issue]
        n = (sizes or {}).get(bound.issue, int(column.max(initial=0)) + 1)
        n = max(n, max(bound.allowed, default=-1) + 1, int(column.max(initial=0)) + 1)
        table = np.zeros(n, dtype=bool)
        table[list(bound.allowed)] = True
        return table[column]
    if isinstance(bound, UtilityAtom):
        if utilities is None:
            raise ValueError("this rule refers to utility(); pass the utility matrix")
        return compare(utilities[:, bound.party], bound.op, bound.threshold)
    if isinstance(bound, BNot):
        return ~evaluate_many(bound.arg, packages, utilities, sizes)
    parts = [evaluate_many(a, packages, utilities, sizes) for a in bound.args]
    out = parts[0].copy()
    for p in parts[1:]:
        if isinstance(bound, BAnd):
            out &= p
        else:
            out |= p
    return out


def evaluate_partial(
    bound: Bound, package: Sequence[int | None], utilities: Sequence[int] | None = None
) -> bool | None:
    """Kleene three-valued evaluation on a partial package: None when undetermined.

    A True or False answer holds for every completion of the package; None may
    also be returned for some formulas that are in fact determined.
    """
    if isinstance(bound, Member):
        k = package[bound.issue]
        return None if k is None else k in bound.allowed
    if isinstance(bound, UtilityAtom):
        if utilities is None:
            return None
        return compare(utilities[bound.party], bound.op, bound.threshold)
    if isinstance(bound, BNot):
        inner = evaluate_partial(bound.arg, package, utilities)
        return None if inner is None else not inner
    parts = [evaluate_partial(a, package, utilities) for a in bound.args]
    if isinstance(bound, BAnd):
        if any(p is False for p in parts):
            return False
        return None if any(p is None for p in parts) else True
    if any(p is True for p in parts):
        return True
    return None if any(p is None for p in parts) else False
