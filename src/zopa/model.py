"""The scenario data model, format ``zopa/1`` (docs/reference/format.md).

This module is the single source of truth for what a scenario *is*.  Pydantic
models check the shape of each part (types, ranges, unknown keys); the
cross-reference checks in :func:`semantic_problems` check what pydantic cannot
see one object at a time (dangling references, duplicate ids, options off a
numeric grid, rules that do not bind).  Every problem carries the path of the
offending node so that :mod:`zopa.load` can point at the file, line and column.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    Strict,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from zopa import rules
from zopa.limits import MAX_MAGNITUDE, MAX_OPTIONS

FORMAT = "zopa/1"
ID_PATTERN = r"^[a-z0-9_-]+$"


def _sized(x: float) -> float:
    """A number the solvers and the forecasting models hold exactly (docs/reference/limits.md)."""
    if abs(x) > MAX_MAGNITUDE:
        raise ValueError(
            f"the number {_fmt(x)} is too large: numbers in a scenario are at most "
            f"{MAX_MAGNITUDE:.0e} in size".replace("e+", "e")
        )
    return x


def _iso_date(v: Any) -> Any:
    """A date written as YYYY-MM-DD (text), or a date object given through the Python API."""
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(v)
    raise ValueError(f"expected a date (YYYY-MM-DD), got {_shown(v)}")


def _shown(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict | list):
        return "a mapping" if isinstance(v, dict) else "a list"
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


# A number in a file: an int or a float (never true/false, never text), finite, not huge.
Number = Annotated[float, Strict(), Field(allow_inf_nan=False), AfterValidator(_sized)]
Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# A party's weights and values name an issue, or an attribute of one as ``ISSUE.ATTR``.
PrefKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+(\.[a-z0-9_-]+)?$")]
Unit = Annotated[Number, Field(ge=0, le=1)]
NonNegative = Annotated[Number, Field(ge=0)]
Stance = Literal["agreed", "open", "rejected"]
Tier = Literal["official", "original", "repost"]
OptionKey = str | int | float
Meta = Any


def exact(x: float | int | str | Fraction) -> Fraction:
    """The exact rational a user wrote: ``0.1`` is 1/10, not the nearest double."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def plain_number(x: Fraction) -> int | float:
    """A JSON-friendly number: an int when integral."""
    return int(x) if x.denominator == 1 else float(x)


def _scalar_to_id(v: Any) -> Any:
    """YAML turns ``true`` or ``2022`` into bools and ints; ids are text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return v


def _published_by(date: dt.date | None, on: dt.date | None) -> bool:
    """Whether something dated ``date`` was on the record on ``on`` (unknown dates count)."""
    return date is None or on is None or date <= on


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- uncertain numbers

Finite = Number
UNIT: tuple[float, float] = (0.0, 1.0)  # the valid range of values and reservations
WEIGHT: tuple[float, float] = (0.0, math.inf)  # weights are 0 or more
ARITY = {"uniform": (2,), "triangular": (3,), "normal": (2,), "beta": (2, 4)}
SHAPES = {
    "uniform": "[lo, hi]",
    "triangular": "[lo, mode, hi]",
    "normal": "[mean, sd]",
    "beta": "[a, b] or [a, b, lo, hi]",
}


class Distribution(_Part):
    """An uncertain number: exactly one of ``uniform``, ``triangular``, ``normal``, ``beta``.

    Every distribution lives inside the *valid range* of the number it stands
    for: [0, 1] for values and reservations, [0, ∞) for weights, the issue's
    range for a red-line threshold.  ``uniform`` and ``triangular`` must lie
    inside it; ``normal`` is truncated to it (its mean must lie inside);
    ``beta: [a, b]`` spans the valid range (or [0, 1] for weights) and
    ``beta: [a, b, lo, hi]`` spans [lo, hi].  :meth:`mean` is the mean of the
    distribution as truncated: the number every point analysis uses.
    """

    uniform: list[Finite] | None = None
    triangular: list[Finite] | None = None
    normal: list[Finite] | None = None
    beta: list[Finite] | None = None

    @model_validator(mode="before")
    @classmethod
    def _known(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in ARITY:
                    hint = _unknown("distribution", str(key), ARITY)
                    raise ValueError(f"{hint} (distributions: {', '.join(ARITY)})")
        return data

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        given = [k for k in ARITY if getattr(self, k) is not None]
        if len(given) != 1:
            found = f"; found {', '.join(given)}" if given else ""
            raise ValueError(f"a distribution has exactly one of {', '.join(ARITY)}{found}")
        kind, xs = given[0], getattr(self, given[0])
        if len(xs) not in ARITY[kind]:
            raise ValueError(f"{kind} takes {SHAPES[kind]}, got {len(xs)} numbers")
        problem = _parameter_problem(kind, xs)
        if problem:
            raise ValueError(f"{kind} {_fmt_list(xs)}: {problem}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ARITY if getattr(self, k) is not None)

    @property
    def params(self) -> list[float]:
        return list(getattr(self, self.kind))

    def to_json(self) -> dict[str, list[float]]:
        return {self.kind: self.params}

    def support(self, valid: tuple[float, float]) -> tuple[float, float]:
        """The interval the distribution lives on, given the valid range of its number."""
        kind, xs = self.kind, self.params
        if kind in ("uniform", "triangular"):
            return xs[0], xs[-1]
        if kind == "beta":
            if len(xs) == 4:
                return xs[2], xs[3]
            return valid if math.isfinite(valid[1]) else (valid[0], valid[0] + 1.0)
        return valid  # normal: truncated to the valid range

    def outside(self, valid: tuple[float, float]) -> str | None:
        """Why the distribution does not fit inside ``valid``, or None when it does."""
        lo, hi = valid
        kind, xs = self.kind, self.params
        if kind == "normal":
            if not lo <= xs[0] <= hi:
                return f"normal mean {_fmt(xs[0])} is outside {_fmt_range(valid)}"
            return None
        a, b = self.support(valid)
        if a < lo or b > hi:
            return f"{kind} {_fmt_list(xs)} reaches outside {_fmt_range(valid)}"
        return None

    def mean(self, valid: tuple[float, float]) -> float:
        """The mean (of the truncated normal, for ``normal``); exact for the others."""
        kind, xs = self.kind, [exact(x) for x in self.params]
        if kind == "uniform":
            return float((xs[0] + xs[1]) / 2)
        if kind == "triangular":
            return float(sum(xs) / 3)
        if kind == "beta":
            a, b = xs[0], xs[1]
            lo, hi = (exact(x) for x in self.support(valid))
            return float(lo + (hi - lo) * a / (a + b))
        return truncated_normal_mean(float(xs[0]), float(xs[1]), *valid)


def truncated_normal_mean(mu: float, sd: float, lo: float, hi: float) -> float:
    """Mean of N(mu, sd²) truncated to [lo, hi] (Johnson, Kotz & Balakrishnan 1994, §10.1)."""
    a, b = (lo - mu) / sd, (hi - mu) / sd
    if a > 0 or b < 0:  # same formula on the mirror image: the far tail cancels badly otherwise
        return -truncated_normal_mean(-mu, sd, -hi, -lo)
    mass = _phi_cdf(b) - _phi_cdf(a)
    return mu + sd * (_phi_pdf(a) - _phi_pdf(b)) / mass


def _phi_pdf(z: float) -> float:
    return 0.0 if math.isinf(z) else math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _phi_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def _parameter_problem(kind: str, xs: list[float]) -> str | None:
    if kind == "uniform" and xs[0] > xs[1]:
        return "lo is above hi"
    if kind == "triangular" and not xs[0] <= xs[1] <= xs[2]:
        return "needs lo <= mode <= hi"
    if kind == "normal" and xs[1] <= 0:
        return "the standard deviation must be greater than 0"
    if kind == "beta":
        if xs[0] <= 0 or xs[1] <= 0:
            return "a and b must be greater than 0"
        if len(xs) == 4 and xs[2] >= xs[3]:
            return "lo must be below hi"
    return None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def _fmt_list(xs: list[float]) -> str:
    return "[" + ", ".join(_fmt(x) for x in xs) + "]"


def _fmt_range(valid: tuple[float, float]) -> str:
    lo, hi = valid
    return f"[{_fmt(lo)}, {_fmt(hi)}]" if math.isfinite(hi) else f"[{_fmt(lo)}, ∞)"


def _dispatch(v: Any) -> str:
    """Route a mapping to :class:`Distribution` and anything else to the number."""
    return "dict" if isinstance(v, dict | Distribution) else "float"


def _within(valid: tuple[float, float], what: str) -> AfterValidator:
    def check(d: Distribution) -> Distribution:
        message = d.outside(valid)
        if message:
            raise ValueError(f"{message}; {what}")
        return d

    return AfterValidator(check)


# The tags are named like pydantic's own type tags so that error positions skip them.
UnitOrDistribution = Annotated[
    Annotated[Unit, Tag("float")]
    | Annotated[Distribution, _within(UNIT, "values are in [0, 1]"), Tag("dict")],
    Discriminator(_dispatch),
]
WeightOrDistribution = Annotated[
    Annotated[NonNegative, Tag("float")]
    | Annotated[Distribution, _within(WEIGHT, "weights are 0 or more"), Tag("dict")],
    Discriminator(_dispatch),
]


def is_uncertain(x: Any) -> bool:
    return isinstance(x, Distribution)


def point_value(x: float | Distribution, valid: tuple[float, float]) -> float:
    """A number as written, or a distribution's mean."""
    return x.mean(valid) if isinstance(x, Distribution) else x


def upper(x: float | Distribution, valid: tuple[float, float]) -> float:
    """The largest value a number (or a distribution) can take."""
    return x.support(valid)[1] if isinstance(x, Distribution) else x


class Source(_Part):
    """A cited document: every reported fact in a scenario points to one.

    ``publisher`` is who made the report (the wire service, newspaper or
    official body); ``url`` is where the copy cited was read and ``host`` the
    site at that address when it is not the publisher's own (a syndicator,
    an aggregator).  ``tier`` says what the copy is: ``official`` (a text
    published by the body it speaks for), ``original`` (the outlet that made
    the report, on its own site) or ``repost`` (a copy, summary or
    aggregation elsewhere).  ``date`` is the publication date of the report:
    an analysis as of a date cites only sources dated on or before it.
    """

    id: Id
    title: str
    url: str | None = None
    date: Date | None = None
    publisher: str | None = None
    host: str | None = None
    tier: Tier | None = None
    original_url: str | None = None
    note: str | None = None
    meta: Meta = None

    @property
    def repost(self) -> bool:
        """A copy read elsewhere than at its publisher: ``tier: repost``."""
        return self.tier == "repost"


OPTION_KEYS = ("id", "label", "description", "meta")
RESERVED_ATTRIBUTES = frozenset({*OPTION_KEYS, "attributes"})
MAX_COMBINATIONS = MAX_OPTIONS  # the attribute space of one issue, before exclusions


def _option_schema(schema: dict[str, Any]) -> None:
    """An option of an issue described by attributes names its attribute values as keys."""
    schema.get("properties", {}).pop("attributes", None)
    schema["additionalProperties"] = {"type": ["string", "number", "boolean"]}


class Option(_Part):
    """An option of a categorical issue; for an issue described by attributes, one named
    combination of attribute values (written as keys beside ``id`` in the file)."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_option_schema)

    id: Id
    label: str | None = None
    description: str | None = None
    meta: Meta = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return _scalar_to_id(v)

    @model_serializer(mode="wrap")
    def _flat(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Attribute values go back beside ``id``, as the file writes them."""
        data = handler(self)
        if isinstance(data, dict):
            extra = data.pop("attributes", None) or {}
            data.update(extra)
        return data


class Range(_Part):
    min: Number
    max: Number
    step: Annotated[Number, Field(gt=0)]

    @model_validator(mode="after")
    def _grid(self) -> Range:
        # Checked here rather than in Issue so that errors point at the range itself.
        lo, hi, step = exact(self.min), exact(self.max), exact(self.step)
        if hi < lo:
            raise ValueError(f"range max {plain_number(hi)} is below range min {plain_number(lo)}")
        count = (hi - lo) / step
        if count.denominator != 1:
            raise ValueError(
                f"range max {plain_number(hi)} is not on the grid min + k·step "
                f"({plain_number(lo)} + k·{plain_number(step)})"
            )
        if count + 1 > MAX_OPTIONS:
            raise ValueError(
                f"range has {int(count) + 1} options; the limit is {MAX_OPTIONS} (raise the step)"
            )
        return self


def _option_items(v: Any) -> Any:
    """Options may be written as bare ids; YAML's numbers and booleans become text."""
    if isinstance(v, list):
        return [{"id": _scalar_to_id(o)} if isinstance(o, str | int | bool) else o for o in v]
    return v


def _nonempty(v: list[Option] | None) -> list[Option] | None:
    if v is not None and not v:
        raise ValueError("'options' is empty; list at least one option")
    if v is not None and len(v) > MAX_OPTIONS:
        raise ValueError(f"the issue has {len(v):,} options; the limit is {MAX_OPTIONS:,}")
    return v


def _grid(options: list[Option] | None, rng: Range | None) -> tuple[str | Fraction, ...]:
    """Option ids (categorical) or the exact numbers of a range."""
    if options is not None:
        return tuple(o.id for o in options)
    assert rng is not None  # its grid was checked by Range
    lo, hi, step = exact(rng.min), exact(rng.max), exact(rng.step)
    return tuple(lo + k * step for k in range(int((hi - lo) / step) + 1))


class _Choices:
    """What issues and attributes share: a list of options or a numeric range."""

    if TYPE_CHECKING:  # declared by each model (a mixin's annotations are no fields)
        options: list[Option] | None
        range: Range | None
        unit: str | None
        _values: tuple[str | Fraction, ...]

    @property
    def numeric(self) -> bool:
        return self.range is not None

    @property
    def values(self) -> tuple[str | Fraction, ...]:
        """Option ids (categorical) or exact option numbers (numeric), in order."""
        return self._values

    def index_of(self, value: Any) -> int | None:
        """The option index of a value written in a file, or None if it is no option."""
        if self.numeric:
            if isinstance(value, bool):
                return None
            try:
                x = exact(value) if not isinstance(value, str) else Fraction(value.replace("_", ""))
            except (ValueError, ZeroDivisionError, TypeError):
                return None
            lo, step = (
                self._values[0],
                self._values[1] - self._values[0] if len(self._values) > 1 else 1,
            )
            k = (x - lo) / step  # type: ignore[operator]
            if k.denominator != 1 or not 0 <= k < len(self._values):
                return None
            return int(k)
        key = _scalar_to_id(value)
        if not isinstance(key, str):
            return None
        try:
            return self._values.index(key)
        except ValueError:
            return None

    def point(self, value: Any) -> Fraction | None:
        """A stated position on a numeric issue: any number within the range, on the grid or not."""
        if not self.numeric or isinstance(value, bool):
            return None
        try:
            x = exact(value) if not isinstance(value, str) else Fraction(value.replace("_", ""))
        except (ValueError, ZeroDivisionError, TypeError):
            return None
        return x if self._values[0] <= x <= self._values[-1] else None  # type: ignore[operator]

    def option_json(self, index: int) -> str | int | float:
        v = self._values[index]
        return plain_number(v) if isinstance(v, Fraction) else v

    def label(self, index: int) -> str:
        if self.options is not None:
            opt = self.options[index]
            return opt.label or opt.id
        text = f"{plain_number(self._values[index]):,}"  # type: ignore[arg-type]
        return f"{text} {self.unit}" if self.unit else text


class Attribute(_Choices, _Part):
    """One attribute of an issue described by attributes (``attributes: {name: …}``).

    Categorical (a list of values, or ``options``), ``ordered: true``, or numeric
    (``range``), exactly as issues are; a bare list is short for ``options``.
    """

    title: str | None = None
    description: str | None = None
    options: list[Option] | None = None
    range: Range | None = None
    ordered: bool = False
    unit: str | None = None
    meta: Meta = None

    _values: tuple[str | Fraction, ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"options": data} if isinstance(data, list) else data

    @field_validator("options", mode="before")
    @classmethod
    def _options(cls, v: Any) -> Any:
        return _option_items(v)

    @field_validator("options")
    @classmethod
    def _nonempty(cls, v: list[Option] | None) -> list[Option] | None:
        return _nonempty(v)

    @model_validator(mode="after")
    def _shape(self) -> Attribute:
        if self.options is not None and self.range is not None:
            raise ValueError("an attribute has 'options' or 'range', not both")
        if self.options is None and self.range is None:
            raise ValueError("an attribute needs 'options' (categorical) or 'range' (numeric)")
        if self.options is not None and any(o.attributes for o in self.options):
            raise ValueError("the values of an attribute have no attributes of their own")
        self._values = _grid(self.options, self.range)
        return self

    def domain(self, name: str) -> rules.IssueDomain:
        return rules.IssueDomain(name, self.values, self.numeric, self.ordered, kind="attribute")


class IssueAssumptions(_Part):
    """The modelling choices behind an issue described by attributes, each with its rationale:
    per attribute (why it and its values), per ``exclude`` rule (in the same order), a note."""

    attributes: dict[Id, str] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)
    note: str | None = None


class Issue(_Choices, _Part):
    """A question to settle: categorical (``options``) or numeric (``range``).

    An issue may instead describe its options by ``attributes``: its option
    space is then every combination of attribute values that no ``exclude``
    rule rules out, and ``options`` name the combinations proposed so far.
    Every analysis but ``zopa bridge`` uses the listed options only.
    """

    id: Id
    title: str | None = None
    description: str | None = None
    options: list[Option] | None = None
    range: Range | None = None
    ordered: bool = False
    unit: str | None = None
    attributes: dict[Id, Attribute] | None = None
    exclude: list[str] | None = None
    assumptions: IssueAssumptions | None = None
    meta: Meta = None

    _values: tuple[str | Fraction, ...] = PrivateAttr(default=())
    # per option, the index of each attribute's value (-1 where it is missing or no value)
    _combos: tuple[tuple[int, ...], ...] = PrivateAttr(default=())
    _listed: int = PrivateAttr(default=-1)  # options before the new formulas of :meth:`expanded`
    _space: tuple[tuple[int, ...], ...] | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _attribute_keys(cls, data: Any) -> Any:
        """Beside ``id`` and ``label``, an option's keys are its attribute values."""
        if not (isinstance(data, dict) and isinstance(data.get("attributes"), dict)):
            return data
        options = data.get("options")
        if not isinstance(options, list):
            return data
        split = [
            {
                **{k: v for k, v in o.items() if k in OPTION_KEYS},
                "attributes": {k: v for k, v in o.items() if k not in OPTION_KEYS},
            }
            if isinstance(o, dict)
            else o
            for o in options
        ]
        return {**data, "options": split}

    @field_validator("options", mode="before")
    @classmethod
    def _options(cls, v: Any) -> Any:
        return _option_items(v)

    @field_validator("options")
    @classmethod
    def _nonempty(cls, v: list[Option] | None) -> list[Option] | None:
        return _nonempty(v)

    @field_validator("attributes")
    @classmethod
    def _some_attributes(cls, v: dict[str, Attribute] | None) -> dict[str, Attribute] | None:
        if v is not None and not v:
            raise ValueError("'attributes' is empty; name at least one attribute")
        return v

    @model_validator(mode="after")
    def _shape(self) -> Issue:
        if self.attributes is not None:
            if self.range is not None:
                raise ValueError("an issue described by 'attributes' has no 'range'")
            if self.ordered:
                raise ValueError(
                    "an issue described by 'attributes' is not ordered itself; "
                    "mark its attributes 'ordered: true' instead"
                )
            if self.options is None:
                raise ValueError(
                    "an issue described by 'attributes' needs 'options': the combinations "
                    "proposed so far, each with an id"
                )
        elif self.exclude:
            raise ValueError("'exclude' rules need 'attributes' to rule out combinations of")
        if self.options is not None and self.range is not None:
            raise ValueError("an issue has 'options' or 'range', not both")
        if self.options is None and self.range is None:
            raise ValueError("an issue needs 'options' (categorical) or 'range' (numeric)")
        self._values = _grid(self.options, self.range)
        if self.attributes is not None:
            assert self.options is not None
            attrs = list(self.attributes.items())
            self._combos = tuple(
                tuple(
                    -1 if name not in o.attributes else _index_or(attr, o.attributes[name])
                    for name, attr in attrs
                )
                for o in self.options
            )
        return self

    @property
    def attributed(self) -> bool:
        """Whether the issue describes its options by attributes."""
        return self.attributes is not None

    @property
    def combos(self) -> tuple[tuple[int, ...], ...]:
        """Per option, the index of each attribute's value (attribute issues only)."""
        return self._combos

    @property
    def listed(self) -> int:
        """How many options are listed in the file (the rest are new formulas, see
        :meth:`expanded`)."""
        return len(self._values) if self._listed < 0 else self._listed

    def domain(self) -> rules.IssueDomain:
        if self.attributes is None:
            return rules.IssueDomain(self.id, self.values, self.numeric, self.ordered)
        return rules.IssueDomain(
            self.id,
            self.values,
            attributes=tuple(a.domain(f"{self.id}.{n}") for n, a in self.attributes.items()),
            combos=self._combos,
        )

    def attribute_list(self) -> list[tuple[str, Attribute]]:
        return list((self.attributes or {}).items())

    def space_size(self) -> int:
        """The number of combinations of attribute values, before exclusions."""
        return math.prod(len(a.values) for _, a in self.attribute_list())

    def space_domain(self) -> rules.IssueDomain:
        """The issue with every combination of attribute values as an option (for
        binding ``exclude`` rules)."""
        combos = tuple(itertools.product(*(range(len(a.values)) for _, a in self.attribute_list())))
        return rules.IssueDomain(
            self.id,
            tuple(f"#{k}" for k in range(len(combos))),
            attributes=tuple(a.domain(f"{self.id}.{n}") for n, a in self.attribute_list()),
            combos=combos,
        )

    def space(self) -> tuple[tuple[int, ...], ...]:
        """Every combination no ``exclude`` rule rules out, by attribute then value order
        (the issue must be valid: its rules bind)."""
        if self._space is None:
            domain = self.space_domain()
            keep = [True] * len(domain.combos)
            for text in self.exclude or ():
                bound = rules.bind(rules.parse(text), [domain], [])
                for k in range(len(keep)):
                    if keep[k] and rules.evaluate(bound, [k]):
                        keep[k] = False
            self._space = tuple(c for c, kept in zip(domain.combos, keep, strict=True) if kept)
        return self._space

    def expanded(self) -> Issue:
        """The issue with every new combination (not listed, not excluded) added as an
        option after the listed ones; each new option's label spells its attribute values."""
        if self.attributes is None:
            return self
        listed = set(self._combos)
        new = [c for c in self.space() if c not in listed]
        used = set(self._values)
        options = list(self.options or [])
        for combo in new:
            ident = new_formula_id(self, combo, used)
            used.add(ident)
            options.append(
                Option(id=ident, label=self.combo_text(combo), attributes=self.combo_json(combo))
            )
        out = self.model_copy(update={"options": options})
        out._values = tuple(o.id for o in options)
        out._combos = (*self._combos, *new)
        out._listed = len(self._combos)
        out._space = self._space
        return out

    def combo_json(self, combo: Sequence[int]) -> dict[str, str | int | float]:
        """A combination as the mapping of its attribute values (ids or numbers)."""
        return {n: a.option_json(k) for (n, a), k in zip(self.attribute_list(), combo, strict=True)}

    def combo_text(self, combo: Sequence[int]) -> str:
        """A combination in words: each attribute's value, by its label."""
        return ", ".join(
            f"{a.title or n}: {a.label(k)}"
            for (n, a), k in zip(self.attribute_list(), combo, strict=True)
        )


def _index_or(attr: Attribute, value: Any) -> int:
    k = attr.index_of(value)
    return -1 if k is None else k


def new_formula_id(issue: Issue, combo: Sequence[int], used: set[str | Fraction]) -> str:
    """A readable id for a new combination: its attribute values joined by '-'."""
    parts = []
    for (_, a), k in zip(issue.attribute_list(), combo, strict=True):
        text = str(a.option_json(k)).lower()
        parts.append(re.sub(r"[^a-z0-9_-]", lambda m: "p" if m.group() == "." else "_", text))
    base = "-".join(parts)
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}-{n}"
    return ident


class PartyAssumptions(_Part):
    """One-line rationales for a party's assumed numbers, per number (per issue where keyed)."""

    reservation: str | None = None
    weights: dict[PrefKey, str] = Field(default_factory=dict)  # issue, or ``ISSUE.ATTR``
    values: dict[PrefKey, str] = Field(default_factory=dict)
    capability: str | None = None
    positions: dict[Id, str] = Field(default_factory=dict)
    salience: dict[Id, str] = Field(default_factory=dict)
    note: str | None = None


class Party(_Part):
    """A negotiating party with additive preferences (docs/explanation/concepts.md)."""

    id: Id
    name: str | None = None
    description: str | None = None
    veto: bool = True
    # Each number below may instead be a Distribution (an uncertain number).
    reservation: UnitOrDistribution = 0.0
    # Keys name issues, or attributes as ``ISSUE.ATTR`` (additive part-worths).
    weights: dict[PrefKey, WeightOrDistribution] = Field(default_factory=dict)
    values: dict[PrefKey, dict[OptionKey, UnitOrDistribution]] = Field(default_factory=dict)
    # Inputs of the forecasting models (zopa.models.forecast): power, stated positions,
    # 0–100 salience.
    capability: NonNegative | None = None
    positions: dict[Id, str | int | float] = Field(default_factory=dict)
    salience: dict[Id, Annotated[Number, Field(ge=0, le=100)]] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    assumptions: PartyAssumptions | None = None
    meta: Meta = None

    @field_validator("positions", mode="before")
    @classmethod
    def _position_ids(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: _scalar_to_id(x) if isinstance(x, bool) else x for k, x in v.items()}
        return v

    @field_validator("values", mode="before")
    @classmethod
    def _value_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {
                k: {(_scalar_to_id(o) if isinstance(o, bool) else o): x for o, x in t.items()}
                if isinstance(t, dict)
                else t
                for k, t in v.items()
            }
        return v

    @property
    def label(self) -> str:
        return self.name or self.id

    def by_attribute(self, issue_id: str) -> list[str]:
        """The attributes of ``issue_id`` this party weights or values (part-worths)."""
        prefix = f"{issue_id}."
        keys = dict.fromkeys([*self.weights, *self.values])
        return [k[len(prefix) :] for k in keys if k.startswith(prefix)]

    def issue_weight(self, issue_id: str) -> Fraction:
        """The weight on an issue: as written, or the sum of the weights on its attributes
        (distributions at their means); exact, as written."""
        prefix = f"{issue_id}."
        return sum(
            (
                exact(point_value(w, WEIGHT))
                for k, w in self.weights.items()
                if k == issue_id or k.startswith(prefix)
            ),
            Fraction(0),
        )

    @property
    def uncertain(self) -> bool:
        """Whether a weight, value or the reservation is a distribution."""
        return (
            is_uncertain(self.reservation)
            or any(is_uncertain(w) for w in self.weights.values())
            or any(is_uncertain(v) for t in self.values.values() for v in t.values())
        )

    def point(self) -> Party:
        """The party with every distribution replaced by its mean (point analyses)."""
        if not self.uncertain:
            return self
        return self.model_copy(
            update={
                "reservation": point_value(self.reservation, UNIT),
                "weights": {i: point_value(w, WEIGHT) for i, w in self.weights.items()},
                "values": {
                    i: {o: point_value(v, UNIT) for o, v in t.items()}
                    for i, t in self.values.items()
                },
            }
        )


def _source_list(source: str | list[str] | None) -> list[str]:
    if source is None:
        return []
    return [source] if isinstance(source, str) else list(source)


class Wording(_Part):
    """A later wording of a red line, shown from ``since`` on (until a later one)."""

    since: dt.date
    text: str
    reason: str | None = None
    source: Id | list[Id] | None = None
    meta: Meta = None

    @property
    def sources(self) -> list[str]:
        return _source_list(self.source)


class RedLineAssumptions(_Part):
    """One-line rationales for the assumed numbers of a red line."""

    firmness: str | None = None
    thresholds: dict[Id, str] = Field(default_factory=dict)
    note: str | None = None


class RedLine(_Part):
    """A rule a party will not sign without, optionally in force only between dates.

    ``thresholds`` name uncertain numbers the rule uses (``army_cap >= floor``);
    ``firmness`` is the probability that the red line is real rather than an
    opening position.  Point analyses keep red lines with firmness ≥ 0.5.

    ``text``, ``reason`` and ``source`` are the wording from ``since`` on;
    each entry of ``wording`` replaces them from its own ``since`` (as-of
    purity: an analysis as of a date shows the wording in force on that date,
    citing only what was published by then; see :meth:`view`).
    """

    id: Id
    party: Id
    rule: str
    text: str | None = None
    reason: str | None = None
    source: Id | list[Id] | None = None
    since: Date | None = None
    until: Date | None = None
    wording: list[Wording] = Field(default_factory=list)
    thresholds: dict[Id, Distribution] = Field(default_factory=dict)
    firmness: Annotated[Number, Field(ge=0, le=1)] = 1.0
    assumptions: RedLineAssumptions | None = None
    meta: Meta = None

    @field_validator("until")
    @classmethod
    def _after_since(cls, until: dt.date | None, info: ValidationInfo) -> dt.date | None:
        since = info.data.get("since")  # validated first: fields run in declaration order
        if since and until and until < since:
            raise ValueError(f"'until' ({until}) is before 'since' ({since})")
        return until

    @property
    def sources(self) -> list[str]:
        return _source_list(self.source)

    def entries(self) -> list[Wording | None]:
        """The wordings in order: None for the base (``text``), then each ``wording`` entry."""
        return [None, *self.wording]

    def view(self, on: dt.date | None, dates: Mapping[str, dt.date | None]) -> RedLine:
        """The red line as the record stood on ``on`` (None: as it stands now).

        The text is that of the latest wording in force on ``on``, the reason the
        latest one given by then;
        the sources are those of every wording in force by then, less any
        source dated after ``on`` (undated sources are kept).  Later wordings
        are dropped from the copy.
        """
        shown = [w for w in self.wording if on is None or w.since <= on]
        text, reason = self.text, self.reason
        for w in shown:  # a wording without a reason keeps the one given before
            text, reason = w.text, w.reason or reason
        cited = [*self.sources, *(x for w in shown for x in w.sources)]
        cited = list(dict.fromkeys(x for x in cited if _published_by(dates.get(x), on)))
        if not self.wording and cited == self.sources:
            return self
        source = cited[0] if len(cited) == 1 and isinstance(self.source, str) else cited
        return self.model_copy(
            update={"text": text, "reason": reason, "source": source or None, "wording": []}
        )

    def in_force(self, on: dt.date | None) -> bool:
        """In force on ``on`` (inclusive bounds); with no date, always."""
        if on is None:
            return True
        return (self.since is None or self.since <= on) and (self.until is None or on <= self.until)

    @property
    def firm(self) -> bool:
        """Whether point analyses count it: firmness ≥ 0.5."""
        return self.firmness >= 0.5

    @property
    def uncertain(self) -> bool:
        return bool(self.thresholds) or self.firmness < 1


class StanceRecord(_Part):
    """A party's reported stance on one point of a draft, with when and where it was reported.

    Without a ``date`` the stance dates from the draft; without a ``source`` it
    rests on the draft's sources.
    """

    stance: Stance
    date: Date | None = None
    source: Id | list[Id] | None = None
    note: str | None = None
    meta: Meta = None

    @property
    def sources(self) -> list[str]:
        return _source_list(self.source)


StanceEntry = Stance | StanceRecord | list[StanceRecord]


@dataclass(frozen=True)
class StanceView:
    """The stance shown as of a date: the latest record reported by then."""

    stance: str
    date: dt.date | None
    sources: tuple[str, ...]
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "stance": self.stance,
            "date": self.date.isoformat() if self.date else None,
            "sources": list(self.sources),
            "note": self.note,
        }


class Draft(_Part):
    """A proposal on the table: a (possibly partial) package and reported stances.

    A stance is ``agreed``, ``open`` or ``rejected``, or a record of it with
    its own date and source, or a list of such records, oldest first (the
    stance as it moved).  A point with no stance recorded is *not reported*,
    which is not disagreement.
    """

    id: Id
    title: str | None = None
    date: Date | None = None
    source: Id | list[Id] | None = None
    package: dict[Id, str | int | float] = Field(default_factory=dict)
    positions: dict[Id, dict[Id, StanceEntry]] = Field(default_factory=dict)
    meta: Meta = None

    @property
    def sources(self) -> list[str]:
        return _source_list(self.source)

    def records(self, party: str, issue: str) -> list[StanceRecord]:
        """Every recorded stance of ``party`` on ``issue``, oldest first, dates filled in."""
        entry = self.positions.get(party, {}).get(issue)
        if entry is None:
            return []
        if isinstance(entry, str):
            return [StanceRecord(stance=entry, date=self.date, source=self.source)]
        items = entry if isinstance(entry, list) else [entry]
        return [
            r.model_copy(
                update={"date": r.date or self.date, "source": r.source or self.source or None}
            )
            for r in items
        ]

    def points(self) -> list[str]:
        """The issues the draft settles, then the other issues a stance is recorded on."""
        extra = [i for stances in self.positions.values() for i in stances if i not in self.package]
        return list(dict.fromkeys([*self.package, *extra]))

    def stance(
        self, party: str, issue: str, on: dt.date | None, dates: Mapping[str, dt.date | None]
    ) -> StanceView | None:
        """The stance reported by ``on`` (None: the latest), or None when none was."""
        shown = [r for r in self.records(party, issue) if _published_by(r.date, on)]
        if not shown:
            return None
        last = shown[-1]
        cited = tuple(x for x in last.sources if _published_by(dates.get(x), on))
        return StanceView(last.stance, last.date, cited, last.note)


class ScenarioAssumptions(_Part):
    """Rationales that hold for the whole file: the rule for firmness, a general note."""

    firmness: str | None = None
    note: str | None = None


class Header(_Part):
    """The top level of a scenario file, before its lists are checked one item at a time."""

    format: Literal["zopa/1"]
    id: Id
    title: str | None = None
    description: str | None = None
    reviewed: Date | None = None
    assumptions: ScenarioAssumptions | None = None
    sources: list[Any] = Field(default_factory=list)
    issues: Annotated[list[Any], Field(min_length=1)]
    parties: Annotated[list[Any], Field(min_length=1)]
    red_lines: list[Any] = Field(default_factory=list)
    drafts: list[Any] = Field(default_factory=list)
    meta: Meta = None


# What a point analysis of an uncertain scenario uses (the ``point_estimate`` key of
# every JSON document from such an analysis: CLI, web app and reports alike).
POINT_ESTIMATE = "means; firmness >= 0.5"


class Scenario(_Part):
    """A whole negotiation: sources, issues, parties, red lines and drafts."""

    format: Literal["zopa/1"] = FORMAT
    id: Id
    title: str | None = None
    description: str | None = None
    reviewed: Date | None = None
    assumptions: ScenarioAssumptions | None = None
    sources: list[Source] = Field(default_factory=list)
    issues: list[Issue]
    parties: list[Party]
    red_lines: list[RedLine] = Field(default_factory=list)
    drafts: list[Draft] = Field(default_factory=list)
    meta: Meta = None

    def issue(self, issue_id: str) -> Issue:
        return next(i for i in self.issues if i.id == issue_id)

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def source_dates(self) -> dict[str, dt.date | None]:
        """Each source's publication date (None when the file gives none)."""
        return {s.id: s.date for s in self.sources}

    def sources_by(self, on: dt.date | None) -> list[Source]:
        """The sources published on or before ``on`` (undated ones always count)."""
        return [s for s in self.sources if _published_by(s.date, on)]

    def draft(self, draft_id: str) -> Draft:
        for d in self.drafts:
            if d.id == draft_id:
                return d
        known = ", ".join(d.id for d in self.drafts) or "none"
        raise KeyError(f"no draft {draft_id!r} in scenario {self.id!r} (drafts: {known})")

    def select(
        self, draft_id: str | None = None, as_of: dt.date | None = None
    ) -> tuple[Draft | None, dt.date | None]:
        """The draft and the date an analysis runs at (docs/explanation/concepts.md, *Time*).

        The date is ``as_of`` when given, else the selected draft's date, else
        the latest draft's date; with no drafts and no ``as_of`` it is None and
        every red line is in force.  Without ``draft_id`` the draft is the latest
        one on the table as of that date: with ``as_of``, drafts dated later are
        not yet written (undated drafts always count); None if there is none.
        """
        if draft_id:
            draft: Draft | None = self.draft(draft_id)
        else:
            tabled = [d for d in self.drafts if as_of is None or d.date is None or d.date <= as_of]
            draft = tabled[-1] if tabled else None
        date = as_of if as_of is not None else (draft.date if draft else None)
        return draft, date

    def red_lines_in_force(self, on: dt.date | None) -> list[RedLine]:
        return [r for r in self.red_lines if r.in_force(on)]

    def record_start(self) -> dt.date | None:
        """The first event of the record: the earliest red-line start or draft date.

        Sources are left out while a red line or draft is dated: a background source
        may be years older than the talks it informs, and a date after it but before
        any red line or draft still finds nothing of the talks in the record.
        """
        events = [r.since for r in self.red_lines if r.since] + [
            d.date for d in self.drafts if d.date
        ]
        return min(events or [s.date for s in self.sources if s.date], default=None)

    def record_note(self, on: dt.date | None) -> str | None:
        """A sentence when an analysis date lies outside the record, else None.

        Before the first event (:meth:`record_start`) the answer rests on an almost
        empty record; after ``reviewed`` nothing is in it.  Every command that takes
        a date, and the web app, prints it after ``Note:`` (``record_note`` in JSON).
        """
        start = self.record_start()
        if on is None:
            return None
        if start is not None and on < start:
            why = (
                "no red line is recorded yet, so a 'deal possible' answer says nothing "
                "about the talks"
                if not self.red_lines_in_force(on)
                else "only the red lines recorded without a start date count"
            )
            return (
                f"{on.isoformat()} is before the first event in this scenario's "
                f"record ({start.isoformat()}): {why}."
            )
        if self.reviewed is not None and on > self.reviewed:
            return (
                f"the record was reviewed up to {self.reviewed.isoformat()}; "
                "nothing after that date is in it."
            )
        return None

    @property
    def uncertain(self) -> bool:
        """Whether any number is a distribution or any red line has firmness below 1."""
        return any(p.uncertain for p in self.parties) or any(r.uncertain for r in self.red_lines)

    def point_estimate(self) -> Scenario:
        """The scenario with every party's distributions replaced by their means.

        Red lines keep their thresholds and firmness: :class:`zopa.problem.Problem`
        binds thresholds at their means and keeps red lines with firmness ≥ 0.5.
        """
        if not any(p.uncertain for p in self.parties):
            return self
        return self.model_copy(update={"parties": [p.point() for p in self.parties]})

    def threshold_ranges(self, red: RedLine) -> dict[str, tuple[float, float]]:
        """The valid range of each threshold of ``red``: the range of every issue it meets."""
        return threshold_ranges(red, self.domains())

    def threshold_means(self, red: RedLine) -> dict[str, Fraction]:
        """The numbers point analyses put in place of ``red``'s threshold names."""
        ranges = self.threshold_ranges(red)
        return {n: exact(d.mean(ranges[n])) for n, d in red.thresholds.items()}

    def domains(self) -> list[rules.IssueDomain]:
        return [i.domain() for i in self.issues]


def threshold_ranges(
    red: RedLine, domains: list[rules.IssueDomain]
) -> dict[str, tuple[float, float]]:
    """Each threshold's valid range: the intersection of the ranges of the issues it is compared
    with (the whole line when it is compared with none, which :func:`semantic_problems` reports)."""
    try:
        uses = rules.threshold_uses(rules.parse(red.rule), domains, red.thresholds)
    except rules.RuleSyntaxError:
        uses = {}
    out: dict[str, tuple[float, float]] = {}
    for name in red.thresholds:
        lo, hi = -math.inf, math.inf
        for i in uses.get(name, []):
            grid = domains[i].options
            lo, hi = max(lo, float(grid[0])), min(hi, float(grid[-1]))  # type: ignore[arg-type]
        out[name] = (lo, hi)
    return out


# --------------------------------------------------------------------------- cross-checks


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, at a path into the file's tree.

    ``on_key`` points at the key itself rather than its value; ``offset`` is a
    0-based column offset inside a string value (for rule errors).
    """

    path: tuple[str | int, ...]
    message: str
    on_key: bool = False
    offset: int | None = None


def _duplicates(kind: str, field: str, items: Iterable[tuple[int, str]]) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, ident in items:
        if ident in seen:
            yield Problem((field, index, "id"), f"duplicate {kind} id {ident!r}")
        seen.add(ident)


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {match[0]!r}?" if match else ""
    return f"unknown {kind} {name!r}{hint}"


def semantic_problems(s: Scenario, broken: frozenset[str] = frozenset()) -> list[Problem]:
    """Cross-reference checks on a structurally valid scenario.

    ``broken`` holds ids of items that failed their own validation; references
    to them are not reported again as unknown.
    """
    out: list[Problem] = []
    for kind, field, items in (
        ("source", "sources", s.sources),
        ("issue", "issues", s.issues),
        ("party", "parties", s.parties),
        ("red line", "red_lines", s.red_lines),
        ("draft", "drafts", s.drafts),
    ):
        out += _duplicates(kind, field, ((idx, x.id) for idx, x in _indexed(items)))

    issues = {i.id: i for _, i in _indexed(s.issues)}
    parties = {p.id for _, p in _indexed(s.parties)}
    sources = {x.id for _, x in _indexed(s.sources)}

    for idx, issue in _indexed(s.issues):
        if issue.id in rules.KEYWORDS:
            out.append(
                Problem(
                    ("issues", idx, "id"), f"{issue.id!r} is a reserved word of the rule language"
                )
            )
        elif not _nameable(issue.id):
            out.append(
                Problem(
                    ("issues", idx, "id"),
                    f"a rule cannot name issue {issue.id!r}: it reads as a number "
                    "or starts with '-' (start the id with a letter or '_')",
                )
            )
        if issue.options:
            seen: set[str] = set()
            for k, opt in enumerate(issue.options):
                if opt.id in seen:
                    out.append(
                        Problem(
                            ("issues", idx, "options", k),
                            f"duplicate option {opt.id!r} in issue {issue.id!r}",
                        )
                    )
                seen.add(opt.id)
                if opt.attributes and issue.attributes is None:
                    key = next(iter(opt.attributes))
                    out.append(
                        Problem(
                            ("issues", idx, "options", k, key),
                            f"issue {issue.id!r} is not described by attributes, so its options "
                            f"have none (unknown key {key!r})",
                            on_key=True,
                        )
                    )
        if issue.attributes is not None:
            out += _attribute_problems(idx, issue)

    for idx, party in _indexed(s.parties):
        out += _party_problems(idx, party, issues, broken)

    domains = [i.domain() for i in issues.values()]
    party_list = [p.id for _, p in _indexed(s.parties)]
    for idx, red in _indexed(s.red_lines):
        base = ("red_lines", idx)
        if red.party not in parties and red.party not in broken:
            out.append(Problem((*base, "party"), _unknown("party", red.party, parties)))
        out += _source_refs(base, red.source, sources, broken)
        out += _wording_problems(base, red, sources, broken)
        out += _rule_problems(base, red, domains, party_list, broken)
        if red.assumptions is not None:
            for name in red.assumptions.thresholds:
                if name not in red.thresholds:
                    path = (*base, "assumptions", "thresholds", name)
                    message = _unknown("threshold", name, red.thresholds)
                    out.append(Problem(path, message, on_key=True))

    newest: tuple[dt.date, str] | None = None  # drafts are listed oldest first
    for idx, draft in _indexed(s.drafts):
        base = ("drafts", idx)
        if draft.date is not None:
            if newest is not None and draft.date < newest[0]:
                out.append(
                    Problem(
                        (*base, "date"),
                        f"drafts are listed oldest first, but {draft.date.isoformat()} is before "
                        f"{newest[0].isoformat()}, the date of draft {newest[1]!r} above",
                    )
                )
            else:
                newest = (draft.date, draft.id)
        out += _source_refs(base, draft.source, sources, broken)
        for issue_id, value in draft.package.items():
            if issue_id not in issues:
                if issue_id not in broken:
                    out.append(
                        Problem(
                            (*base, "package", issue_id),
                            _unknown("issue", issue_id, issues),
                            on_key=True,
                        )
                    )
            elif issues[issue_id].index_of(value) is None:
                out.append(
                    Problem((*base, "package", issue_id), _not_an_option(issues[issue_id], value))
                )
        for party_id, stances in draft.positions.items():
            if party_id not in parties:
                if party_id not in broken:
                    out.append(
                        Problem(
                            (*base, "positions", party_id),
                            _unknown("party", party_id, parties),
                            on_key=True,
                        )
                    )
                continue
            for issue_id, entry in stances.items():
                if issue_id not in issues and issue_id not in broken:
                    out.append(
                        Problem(
                            (*base, "positions", party_id, issue_id),
                            _unknown("issue", issue_id, issues),
                            on_key=True,
                        )
                    )
                out += _stance_problems(
                    (*base, "positions", party_id, issue_id), draft, entry, sources, broken
                )
    return out


def _wording_problems(
    base: tuple[str | int, ...], red: RedLine, sources: set[str], broken: frozenset[str]
) -> list[Problem]:
    """Later wordings cite known sources, run oldest first and lie within the red line's dates."""
    out: list[Problem] = []
    previous = red.since
    for k, w in enumerate(red.wording):
        path = (*base, "wording", k)
        out += _source_refs(path, w.source, sources, broken)
        if previous is not None and w.since < previous:
            what = "the red line's 'since'" if k == 0 else "the wording above"
            out.append(
                Problem(
                    (*path, "since"),
                    f"wordings are listed oldest first, but {w.since.isoformat()} is before "
                    f"{previous.isoformat()}, the date of {what}",
                )
            )
        if red.until is not None and w.since > red.until:
            out.append(
                Problem(
                    (*path, "since"),
                    f"this wording starts on {w.since.isoformat()}, after the red line's "
                    f"'until' ({red.until.isoformat()})",
                )
            )
        previous = w.since
    return out


def _stance_problems(
    path: tuple[str | int, ...],
    draft: Draft,
    entry: Any,
    sources: set[str],
    broken: frozenset[str],
) -> list[Problem]:
    """Stance records cite known sources, run oldest first and are not dated before the draft."""
    if isinstance(entry, str):
        return []
    items = entry if isinstance(entry, list) else [entry]
    out: list[Problem] = []
    previous = draft.date
    for k, r in enumerate(items):
        at = (*path, k) if isinstance(entry, list) else path
        out += _source_refs(at, r.source, sources, broken)
        if r.date is not None and previous is not None and r.date < previous:
            what = "the draft" if k == 0 else "the record above"
            out.append(
                Problem(
                    (*at, "date"),
                    f"stance records are listed oldest first and not before the draft, but "
                    f"{r.date.isoformat()} is before {previous.isoformat()}, the date of {what}",
                )
            )
        previous = r.date or previous
    return out


def _no_attribute(issue: Issue, name: str) -> str:
    known = list(issue.attributes or {})
    hint = _unknown("", name, known).partition(";")[2]
    return f"issue {issue.id!r} has no attribute {name!r}" + (
        f";{hint}" if hint else f" (attributes: {', '.join(known)})"
    )


def _issue_assumption_problems(base: tuple[str | int, ...], issue: Issue) -> list[Problem]:
    """An issue's ``assumptions`` name its own attributes, and give at most one rationale
    per ``exclude`` rule."""
    given = issue.assumptions
    if given is None:
        return []
    out = []
    for name in given.attributes:
        if name not in (issue.attributes or {}):
            path = (*base, "assumptions", "attributes", name)
            out.append(Problem(path, _no_attribute(issue, name), on_key=True))
    rules_given = len(issue.exclude or [])
    if len(given.exclude) > rules_given:
        out.append(
            Problem(
                (*base, "assumptions", "exclude"),
                f"{len(given.exclude)} rationales for {rules_given} 'exclude' rule"
                f"{'s' if rules_given != 1 else ''} (one per rule, in the same order)",
                on_key=True,
            )
        )
    return out


def _attribute_problems(idx: int, issue: Issue) -> list[Problem]:
    """Attribute names, the values each listed option gives, and the ``exclude`` rules."""
    base: tuple[str | int, ...] = ("issues", idx)
    out: list[Problem] = []
    attributes = issue.attribute_list()
    for name, attr in attributes:
        path = (*base, "attributes", name)
        if name in RESERVED_ATTRIBUTES:
            message = f"{name!r} cannot name an attribute: options use it for their own {name}"
            out.append(Problem(path, message, on_key=True))
        elif not _nameable(f"{issue.id}.{name}", dotted=True):
            message = f"a rule cannot name attribute {name!r} (start it with a letter or '_')"
            out.append(Problem(path, message, on_key=True))
        seen: set[str] = set()
        for k, opt in enumerate(attr.options or []):
            if opt.id in seen:
                out.append(
                    Problem(
                        (*path, "options", k), f"duplicate value {opt.id!r} of attribute {name!r}"
                    )
                )
            seen.add(opt.id)
    size = issue.space_size()
    if size > MAX_COMBINATIONS:
        out.append(
            Problem(
                (*base, "attributes"),
                f"the attributes of issue {issue.id!r} make {size:,} combinations; the limit is "
                f"{MAX_COMBINATIONS:,} (fewer values, or a coarser range step)",
                on_key=True,
            )
        )
        return out
    out += _issue_assumption_problems(base, issue)
    first: dict[tuple[int, ...], str] = {}
    for k, opt in enumerate(issue.options or []):
        path = (*base, "options", k)
        for key in opt.attributes:
            if key not in (issue.attributes or {}):
                out.append(Problem((*path, key), _no_attribute(issue, key), on_key=True))
        missing = [n for n, _ in attributes if n not in opt.attributes]
        if missing:
            out.append(
                Problem(
                    path,
                    f"option {opt.id!r} gives no value for attribute"
                    f"{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)}",
                )
            )
        for name, attr in attributes:
            if name in opt.attributes and attr.index_of(opt.attributes[name]) is None:
                message = _not_an_option(
                    attr, opt.attributes[name], f"attribute '{issue.id}.{name}'"
                )
                out.append(Problem((*path, name), message))
        combo = issue.combos[k]
        if -1 in combo or any(key not in (issue.attributes or {}) for key in opt.attributes):
            continue
        if combo in first:
            out.append(
                Problem(
                    path,
                    f"option {opt.id!r} has the same attribute values as option {first[combo]!r}",
                )
            )
        first.setdefault(combo, opt.id)
    out += _exclude_problems(base, issue, first)
    return out


def _exclude_problems(
    base: tuple[str | int, ...], issue: Issue, listed: dict[tuple[int, ...], str]
) -> list[Problem]:
    """Each ``exclude`` rule names only this issue's attributes and rules out no listed option."""
    out: list[Problem] = []
    domain = issue.space_domain()
    position = {c: k for k, c in enumerate(domain.combos)}
    for j, text in enumerate(issue.exclude or ()):
        path = (*base, "exclude", j)
        try:
            expr = rules.parse(text)
            for leaf in rules.comparisons(expr):
                _exclude_leaf(issue, leaf)
            bound = rules.bind(expr, [domain], [])
        except rules.RuleSyntaxError as err:
            out.append(Problem(path, err.message, offset=err.column - 1))
            continue
        for combo, ident in listed.items():
            if rules.evaluate(bound, [position[combo]]):
                k = next(i for i, o in enumerate(issue.options or []) if o.id == ident)
                out.append(
                    Problem(
                        (*base, "options", k),
                        f"option {ident!r} is ruled out by exclude rule {text!r}",
                    )
                )
    return out


def _exclude_leaf(issue: Issue, leaf: rules.Cmp | rules.In | rules.UtilityCmp) -> None:
    """An exclude rule compares attributes of its own issue, nothing else."""
    if isinstance(leaf, rules.UtilityCmp):
        raise rules.RuleSyntaxError(
            "an exclude rule rules out combinations of attribute values; it cannot use utility()",
            leaf.column,
        )
    name, dot, _ = leaf.issue.partition(".")
    if name != issue.id or not dot:
        raise rules.RuleSyntaxError(
            f"an exclude rule of issue {issue.id!r} compares its attributes "
            f"({issue.id}.ATTRIBUTE), not {leaf.issue!r}",
            leaf.column,
        )


def _nameable(ident: str, dotted: bool = False) -> bool:
    """Whether a rule can name this id: ``2024`` reads as a number, ``-x`` starts with '-'.

    ``dotted`` allows ``ISSUE.ATTR``; otherwise a name with a '.' is no issue id."""
    try:
        expr = rules.parse(f"{ident} == x")
    except rules.RuleSyntaxError:
        return False
    return isinstance(expr, rules.Cmp) and expr.issue == ident and (dotted or "." not in ident)


def _rule_problems(
    base: tuple[str | int, ...],
    red: RedLine,
    domains: list[rules.IssueDomain],
    parties: list[str],
    broken: frozenset[str],
) -> list[Problem]:
    """The rule parses and binds (thresholds at their means); each threshold is used and fits."""
    ranges = threshold_ranges(red, domains)
    fits = {n: d.outside(ranges[n]) is None for n, d in red.thresholds.items()}
    means = {
        n: exact(d.mean(ranges[n]) if fits[n] else d.params[0]) for n, d in red.thresholds.items()
    }
    try:
        expr = rules.parse(red.rule)
        rules.bind(expr, domains, parties, thresholds=means)
    except rules.RuleSyntaxError as err:
        if err.name in broken:
            return []
        return [Problem((*base, "rule"), err.message, offset=err.column - 1)]
    out: list[Problem] = []
    uses = rules.threshold_uses(expr, domains, red.thresholds)
    for name, dist in red.thresholds.items():
        path = (*base, "thresholds", name)
        if name in rules.KEYWORDS or rules.reads_as_number(name):
            out.append(
                Problem(
                    path,
                    f"threshold name {name!r} cannot be told from a number or "
                    "keyword in a rule; use a name with a letter",
                    on_key=True,
                )
            )
        elif not uses[name]:
            out.append(
                Problem(
                    path,
                    f"threshold {name!r} is not used in the rule; write it where a number goes "
                    f"in a comparison on a numeric issue (e.g. 'ISSUE >= {name}')",
                    on_key=True,
                )
            )
        elif not fits[name]:
            where = ", ".join(repr(domains[i].id) for i in uses[name])
            message = dist.outside(ranges[name])
            out.append(Problem(path, f"{message}: the range of issue {where}"))
    return out


def _indexed(items: list[Any]) -> Iterator[tuple[int, Any]]:
    """Items with their index in the file; ``None`` marks an item that failed validation."""
    for idx, item in enumerate(items):
        if item is not None:
            yield idx, item


def _source_refs(
    base: tuple[str | int, ...],
    ref: str | list[str] | None,
    sources: set[str],
    broken: frozenset[str],
) -> list[Problem]:
    if ref is None:
        return []
    refs = [ref] if isinstance(ref, str) else ref
    path: tuple[str | int, ...] = (*base, "source")
    return [
        Problem(path if isinstance(ref, str) else (*path, k), _unknown("source", r, sources))
        for k, r in enumerate(refs)
        if r not in sources and r not in broken
    ]


def _not_an_option(issue: _Choices, value: Any, name: str | None = None) -> str:
    """Why ``value`` is no option of an issue (or of an attribute, named ``name``)."""
    what = name or f"issue {getattr(issue, 'id', '?')!r}"
    if issue.numeric:
        values = issue.values
        step = values[1] - values[0] if len(values) > 1 else Fraction(0)  # type: ignore[operator]
        return (
            f"{value!r} is not an option of numeric {what}: options are "
            f"{plain_number(values[0])} + k·{plain_number(step)} "  # type: ignore[arg-type]
            f"up to {plain_number(values[-1])}"  # type: ignore[arg-type]
        )
    hint = _unknown("", str(value), [str(v) for v in issue.values]).partition(";")[2]
    return f"{str(value)!r} is not an option of {what}" + (f";{hint}" if hint else "")


def _pref_target(
    key: str, issues: dict[str, Issue], broken: frozenset[str]
) -> tuple[_Choices | None, str, str | None]:
    """What a weights/values key names: (issue or attribute, its name, the problem)."""
    issue_id, _, attr = key.partition(".")
    if issue_id not in issues:
        return None, key, None if issue_id in broken else _unknown("issue", issue_id, issues)
    issue = issues[issue_id]
    if not attr:
        return issue, f"issue {issue_id!r}", None
    if issue.attributes is None:
        return None, key, f"issue {issue_id!r} is not described by attributes"
    if attr not in issue.attributes:
        return None, key, _no_attribute(issue, attr)
    return issue.attributes[attr], f"attribute {key!r}", None


def _party_problems(
    idx: int, party: Party, issues: dict[str, Issue], broken: frozenset[str]
) -> list[Problem]:
    out: list[Problem] = []
    base = ("parties", idx)
    for key in party.weights:
        _, _, problem = _pref_target(key, issues, broken)
        if problem:
            out.append(Problem((*base, "weights", key), problem, on_key=True))
    for key, table in party.values.items():
        target, name, problem = _pref_target(key, issues, broken)
        if problem:
            out.append(Problem((*base, "values", key), problem, on_key=True))
        if target is None:
            continue
        named: dict[int, Any] = {}
        for option in table:
            k = target.index_of(option)
            path = (*base, "values", key, option)
            if k is None:
                out.append(Problem(path, _not_an_option(target, option, name), on_key=True))
            elif k in named:  # 1 and "1", say: two keys for one option
                message = f"{option!r} and {named[k]!r} are the same option of {name}"
                out.append(Problem(path, message, on_key=True))
            else:
                named[k] = option
    out += _mixed_preferences(base, party, issues)
    for key, weight in party.weights.items():
        target, name, problem = _pref_target(key, issues, broken)
        if upper(weight, WEIGHT) <= 0 or target is None or problem:
            continue
        table = party.values.get(key)
        if not table:
            message = f"{name} has a positive weight but no values"
            out.append(Problem((*base, "weights", key), message, on_key=True))
            continue
        if not target.numeric:
            given = {_scalar_to_id(k) for k in table}
            missing = [str(v) for v in target.values if v not in given]
            if missing:
                out.append(
                    Problem(
                        (*base, "values", key),
                        f"no value for option{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(repr(m) for m in missing)} of {name}",
                        on_key=True,
                    )
                )
    out += _forecast_input_problems(base, party, issues, broken)
    if party.assumptions is not None:
        for key in ("weights", "values", "positions", "salience"):
            for issue_id in getattr(party.assumptions, key):
                path = (*base, "assumptions", key, issue_id)
                if key in ("weights", "values"):  # an issue, or an attribute as ISSUE.ATTR
                    _, _, problem = _pref_target(issue_id, issues, broken)
                    if problem:
                        out.append(Problem(path, problem, on_key=True))
                elif issue_id not in issues and issue_id not in broken:
                    out.append(Problem(path, _unknown("issue", issue_id, issues), on_key=True))
    return out


def _mixed_preferences(
    base: tuple[str | int, ...], party: Party, issues: dict[str, Issue]
) -> list[Problem]:
    """An issue described by attributes is valued as a whole or by attribute, not both."""
    out: list[Problem] = []
    for issue_id, issue in issues.items():
        by_attribute = party.by_attribute(issue_id)
        if issue.attributes is None or not by_attribute:
            continue
        for field in ("weights", "values"):
            if issue_id in getattr(party, field):
                out.append(
                    Problem(
                        (*base, field, issue_id),
                        f"issue {issue_id!r} is valued both as a whole and by attribute "
                        f"({issue_id}.{by_attribute[0]}); give weights and values for one or "
                        "the other",
                        on_key=True,
                    )
                )
    return out


def _forecast_input_problems(
    base: tuple[str | int, ...], party: Party, issues: dict[str, Issue], broken: frozenset[str]
) -> list[Problem]:
    """Positions name issues and lie on them; saliences name issues (their range is typed).

    A position on a numeric issue may be any number within the range, on the
    grid or not: stated positions (85,000 troops, say) rarely fall on a grid,
    and the forecasting models work on the continuous scale.
    """
    out: list[Problem] = []
    for key in ("positions", "salience"):
        for issue_id in getattr(party, key):
            if issue_id not in issues and issue_id not in broken:
                message = _unknown("issue", issue_id, issues)
                out.append(Problem((*base, key, issue_id), message, on_key=True))
    for issue_id, value in party.positions.items():
        issue = issues.get(issue_id)
        if issue is None:
            continue
        if issue.numeric and issue.point(value) is None:
            lo, hi = (plain_number(issue.values[k]) for k in (0, -1))  # type: ignore[arg-type]
            out.append(
                Problem(
                    (*base, "positions", issue_id),
                    f"position {value!r} on numeric issue {issue_id!r} must be a number "
                    f"from {lo} to {hi}",
                )
            )
        elif not issue.numeric and issue.index_of(value) is None:
            out.append(Problem((*base, "positions", issue_id), _not_an_option(issue, value)))
    return out
