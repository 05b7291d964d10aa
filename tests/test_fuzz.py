"""The standing fuzz suite: generated and mutated scenarios through check, analyze and the web API.

Two generators, both with hypothesis:

* **grammar**: scenarios built from the format's parts (tests/strategies.py),
  then damaged the way people and programs damage files — a value of the
  wrong type or size, a key dropped or misspelt, an id broken, a rule
  replaced by valid or broken rule text, numbers no solver can hold, deep
  nesting — and written as YAML or JSON;
* **bytes**: small valid files mutated byte by byte — bytes flipped,
  inserted (control characters, tabs, brackets, non-UTF-8), deleted,
  duplicated or swapped, lines shuffled, the file cut short.

Every input goes through the real command-line entry (``zopa check`` and
``zopa analyze --json --time-limit 2`` in this process, through typer) and
through the web app (``POST /api/validate``, in-process), and is checked
against the contracts:

* no crash: only exit codes 0 and 1 for check, 0, 1 and 3 for analyze; no
  traceback, no "internal error", never an exception that is not a scenario
  error; the web app answers 200 (413 for oversized text), never 5xx;
* every diagnostic is ``FILE:LINE:COL: message`` at a position inside the text;
* check, analyze and the web app agree: all accept the text or all refuse it
  with the same problems;
* within budget: a refused text costs at most 2 s, an analysis at most its
  time limit plus slack (CPU seconds, so that a loaded machine does not count).

``make test`` runs a small seeded slice (a few dozen inputs).  ``make fuzz``
sets ``ZOPA_FUZZ`` to the number of inputs (10,000 by default, half from each
generator) and random seeds; a failure is shrunk by hypothesis and printed with
the input that caused it.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.strategies import scenarios
from zopa import rules
from zopa.cli import app
from zopa.load import ScenarioError

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")  # starlette's TestClient

FUZZ = int(os.environ.get("ZOPA_FUZZ", "0"))  # total inputs; 0: the small seeded slice
TIME_LIMIT = 2.0
REFUSE_BUDGET = 2.0  # CPU seconds for a text that is refused
ANALYZE_BUDGET = 3 * TIME_LIMIT + 4.0  # CPU seconds (two threads) for an analysis
DATA = Path(__file__).parent / "data"
BAD = Path(__file__).parent / "bad"
DIAGNOSTIC = re.compile(r"^(?P<file>.+?):(?P<line>[0-9]+):(?P<col>[0-9]+): (?P<message>.+)$")


def budget(share: float, slice_size: int) -> settings:
    if FUZZ:
        return settings(
            max_examples=max(1, int(FUZZ * share)),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    return settings(
        max_examples=slice_size,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failure prints unshrunk
    )


# --------------------------------------------------------------------------- running


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def web(folder: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from zopa.web.app import Settings, create_app

    app_ = create_app(Settings(workspace=folder / "workspace"))
    with TestClient(app_, base_url="http://127.0.0.1") as client:
        yield client


def cli(*args: str) -> tuple[int, str, BaseException | None, float]:
    """Exit code, output, the exception that escaped the command (if any), CPU seconds."""
    runner = CliRunner()
    start = time.process_time()
    result = runner.invoke(app, list(args), catch_exceptions=True)
    spent = time.process_time() - start
    error = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, error, spent


def diagnostics_of(lines: list[str], text: str, name: str) -> list[tuple[int, int, str]]:
    """The problems printed as FILE:LINE:COL: message, checked to point inside the text."""
    out = []
    lines_of_text = text.split("\n")
    for line in lines:
        match = DIAGNOSTIC.match(line)
        assert match, f"not FILE:LINE:COL: message: {line!r}"
        assert match["file"] == name, line
        row, col = int(match["line"]), int(match["col"])
        assert 1 <= row <= max(1, len(lines_of_text)), line
        assert 1 <= col <= len(lines_of_text[row - 1]) + 1 if row <= len(lines_of_text) else True
        out.append((row, col, match["message"]))
    return out


def exercise(text: str, folder: Path, web: Any, suffix: str = ".yaml") -> None:
    """The whole oracle for one input (see the module docstring)."""
    path = folder / f"input{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    name = str(path)

    code, out, error, spent = cli("check", name)
    assert error is None, f"check raised {type(error).__name__}: {error}"
    assert code in (0, 1), out
    assert "Traceback" not in out and "internal error" not in out
    accepted = code == 0
    problems = [] if accepted else diagnostics_of(out.splitlines(), text, name)
    if not accepted:
        assert problems, out
        assert spent <= REFUSE_BUDGET, f"refused after {spent:.1f} CPU seconds"

    code, out, error, spent = cli("analyze", name, "--json", "--time-limit", str(TIME_LIMIT))
    if accepted:
        assert error is None, f"analyze raised {type(error).__name__}: {error}"
        assert code in (0, 3), out
        document = json.loads(out)
        assert document["complete"] == (code == 0)
        assert spent <= ANALYZE_BUDGET, f"analysis took {spent:.1f} CPU seconds"
    else:  # the same problems, raised as the scenario error the entry point prints
        assert isinstance(error, ScenarioError), f"analyze: {error!r} after check refused"
        lines = [str(d) for d in error.diagnostics]
        assert diagnostics_of(lines, text, name) == problems, "check and analyze disagree"

    body = json.dumps({"text": text})  # \u escapes: a lone surrogate travels as JSON allows
    response = web.post("/api/validate", content=body, headers={"Content-Type": "application/json"})
    if len(text.encode("utf-8", "surrogatepass")) > 1_000_000:
        assert response.status_code == 413
        return
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        assert response.status_code == 422
        return
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["valid"] == accepted, "the web app and check disagree"
    if not accepted:  # the web app names every text scenario.yaml: YAML, not JSON, syntax

        def same(message: str) -> str:
            return message.replace("JSON syntax error", "YAML syntax error")

        got = [(d["line"], d["column"], same(d["message"])) for d in answer["diagnostics"]]
        want = [(row, col, same(message)) for row, col, message in problems]
        assert got == want, "the web app and check report different problems"


# --------------------------------------------------------------------------- grammar

ODD_VALUES = st.sampled_from(
    [
        None,
        True,
        False,
        -1,
        0,
        2,
        1.5,
        10**18,
        10**40,
        -(10**15) - 1,
        "",
        "x" * 300,
        "Bad Id",
        "zone",
        "2025-13-45",
        "20251120",
        "\u202e\u0000",
        [],
        {},
        [[[[[]]]]],
        {"uniform": [2, 1]},
        {"normal": [0.5, 0]},
        {"beta": [1, 1, 0, 1]},
        {"gauss": 1},
    ]
)
RAW = st.sampled_from(
    [
        ".inf",
        "-.inf",
        ".nan",
        "1e309",
        "1e-400",
        "0.10000000000000001",
        "1" * 5000,
        "0x1F",
        "0o17",
        "1_000",
        "~",
        "!!python/object:os.system",
        "!foo bar",
        "&a [1, *a]",
        "*nowhere",
        "[" * 200 + "]" * 200,
        "2025-02-30",
        "yes",
        "No",
        "'quoted'",
        '"\\x00"',
        "|\n  block",
    ]
)
RULE_TOKENS = [
    "(",
    ")",
    "not",
    "and",
    "or",
    "in",
    "[",
    "]",
    ",",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "utility(p0)",
    "utility(zz)",
    "i0",
    "i1",
    "i9",
    "o0",
    "o1",
    "'o2'",
    '"o3"',
    "0",
    "10",
    "5",
    "-3",
    "0.5",
    "1_000",
    "1" * 120,
    "=",
    "&",
    "|",
    "!",
    "'",
    "floor",
]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out += _paths(v, (*prefix, k))
    return out


def _set(node: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {k: (_set(v, rest, value) if k == head else v) for k, v in node.items()}
    if not isinstance(node, list):  # a later edit replaced the path's parent: nothing to set
        return node
    return [(_set(v, rest, value) if k == head else v) for k, v in enumerate(node)]


@st.composite
def rule_texts(draw: Any, tree_rule: str) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return tree_rule
    if kind == 1:  # token soup
        return " ".join(draw(st.lists(st.sampled_from(RULE_TOKENS), min_size=1, max_size=12)))
    if kind == 2:  # deep but maybe legal nesting
        depth = draw(st.integers(90, 110))
        return "not " * depth + tree_rule if draw(st.booleans()) else "(" * depth + tree_rule
    return draw(st.text(max_size=40))


@st.composite
def grammar_inputs(draw: Any) -> tuple[str, str]:
    scenario = draw(scenarios(max_red_lines=4, max_parties=3))
    data = scenario.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["format"] = "zopa/1"
    for red in data.get("red_lines", []):
        red["rule"] = draw(rule_texts(red["rule"]))
    raw_edit = None
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        action = draw(st.integers(0, 4))
        if action == 0:
            data = _set(data, path, draw(ODD_VALUES))
        elif action == 1 and path:  # drop a key or an item
            parent = _get(data, path[:-1])
            if isinstance(parent, dict):
                data = _set(data, path[:-1], {k: v for k, v in parent.items() if k != path[-1]})
        elif action == 2 and path:  # a misspelt or unknown key
            parent = _get(data, path[:-1])
            if isinstance(parent, dict):
                renamed = {(f"{k}s" if k == path[-1] else k): v for k, v in parent.items()}
                data = _set(data, path[:-1], renamed)
        elif action == 3:
            raw_edit = (path, draw(RAW))
    as_json = draw(st.booleans()) and raw_edit is None
    if as_json:
        return json.dumps(data, indent=draw(st.sampled_from([None, 2]))), ".json"
    text = _yaml(data)
    if raw_edit is not None:  # a YAML literal no Python value dumps to
        marker = "__zopa_fuzz_raw__"
        text = _yaml(_set(data, raw_edit[0], marker)).replace(marker, raw_edit[1], 1)
    return text, ".yaml"


def _get(node: Any, path: tuple) -> Any:
    for seg in path:
        node = node[seg]
    return node


def _yaml(data: Any) -> str:
    from io import StringIO

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@budget(0.5, 25)
@given(case=grammar_inputs())
def test_grammar_generated_scenarios(case: tuple[str, str], folder: Path, web: Any) -> None:
    text, suffix = case
    exercise(text, folder, web, suffix)


# --------------------------------------------------------------------------- bytes

SEEDS = [
    (DATA / "example.yaml").read_text(encoding="utf-8"),
    (DATA / "example.json").read_text(encoding="utf-8"),
    *(p.read_text(encoding="utf-8", errors="replace") for p in sorted(BAD.glob("rule-*.yaml"))[:6]),
]
INSERTS = st.sampled_from(
    [
        "\x00",
        "\t",
        "\r",
        "\x1b",
        "\ufeff",
        "\u2028",
        "é",
        "[",
        "{",
        "]",
        "}",
        ":",
        "- ",
        "&a ",
        "*a",
        "!!",
        "'",
        '"',
        "#",
        "\n",
        "  ",
        "1e999",
        "<<: *a\n",
        "\ud800",
    ]
)


@st.composite
def mutated(draw: Any) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 8))):
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        action = draw(st.integers(0, 6))
        if action == 0:  # replace a character
            text = text[:at] + chr(draw(st.integers(0, 0x2FF))) + text[at + 1 :]
        elif action == 1:
            text = text[:at] + draw(INSERTS) + text[at:]
        elif action == 2:
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif action == 3:  # duplicate a slice
            end = min(len(text), at + draw(st.integers(1, 200)))
            text = text[:end] + text[at:end] + text[end:]
        elif action == 4:  # swap two lines
            lines = text.split("\n")
            a, b = (draw(st.integers(0, len(lines) - 1)) for _ in range(2))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif action == 5:
            text = text[:at]
        else:  # a run of brackets
            text = (
                text[:at]
                + draw(st.sampled_from(["[", "{a: "])) * draw(st.integers(1, 3000))
                + text[at:]
            )
    return text


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffformat: zopa/1\nid: x: y\n",
        "\ufeffa: b\n c: d\n",
        "\ufeff x: y\nid: x: y\n",
        "\ufeffid: a\n\rb: c: d\n",
    ],
)
def test_a_byte_order_mark_moves_no_position(text: str, folder: Path, web: Any) -> None:
    """Found by the mutation fuzzer: the web app counted a leading byte-order mark in
    its columns (2:2 against check's 2:3)."""
    exercise(text, folder, web)


@budget(0.5, 40)
@given(text=mutated())
def test_mutated_files(text: str, folder: Path, web: Any) -> None:
    exercise(text, folder, web)


def test_rules_tokens_cover_the_grammar() -> None:
    """The token soup holds every operator and keyword of the rule language."""
    words = " ".join(RULE_TOKENS)
    assert all(op in words for op in rules.OPS) and all(k in words for k in rules.KEYWORDS)
