"""The corpus of broken scenario files in ``tests/bad/``.

Each ``NAME.yaml`` (or ``NAME.json``) breaks the format in one way (a few in
several) and sits next to ``NAME.expected``: the exact lines ``zopa check``
prints for it, ``NAME.yaml:LINE:COL: message``, one per problem, sorted.

The command is run once over the whole corpus (``zopa check`` reports each file
on its own), through its entry point, and each file's lines are then compared
with its expectation; one file is also checked by a real ``zopa`` process.  The same file is
also loaded in-process, which is what ``zopa analyze`` and the web app do.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.cli import zopa, zopa_process
from zopa.load import ScenarioError, parse_scenario, read_text

BAD = Path(__file__).parent / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".yaml", ".json"))


def expected_lines(case: Path) -> list[str]:
    return case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def checked() -> tuple[int, dict[str, list[str]], str]:
    """Exit code, stdout lines by file name, and stderr of one ``zopa check`` run."""
    run = zopa("check", *(c.name for c in CASES), cwd=BAD)
    by_file: dict[str, list[str]] = defaultdict(list)
    for line in run.stdout.splitlines():
        by_file[line.partition(":")[0]].append(line)
    return run.returncode, by_file, run.stderr


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 45
    assert sum(c.suffix == ".json" for c in CASES) >= 3
    expectations = {p.stem for p in BAD.glob("*.expected")}
    assert expectations == {c.stem for c in CASES}
    for case in CASES:
        lines = expected_lines(case)
        assert lines, f"{case.name}: empty expectation"
        assert all(line.startswith(f"{case.name}:") for line in lines)


def test_check_fails_without_traceback(checked: tuple[int, dict[str, list[str]], str]) -> None:
    code, by_file, stderr = checked
    assert code == 1
    assert "Traceback" not in stderr
    assert stderr == ""
    assert set(by_file) == {c.name for c in CASES}, "every file is reported, nothing else"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_prints_expected_lines(
    case: Path, checked: tuple[int, dict[str, list[str]], str]
) -> None:
    _, by_file, _ = checked
    assert by_file[case.name] == expected_lines(case)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_loader_raises_the_same_diagnostics(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)  # files are named as given, here by their bare names
    with pytest.raises(ScenarioError) as err:
        parse_scenario(read_text(Path(case.name)), case.name)
    assert [str(d) for d in err.value.diagnostics] == expected_lines(case)


def test_single_bad_file_exits_1() -> None:
    case = BAD / "many-problems.yaml"
    run = zopa_process("check", case.name, cwd=BAD)  # the real process: its exit code
    assert run.returncode == 1
    assert run.stdout.splitlines() == expected_lines(case)
    assert "Traceback" not in run.stderr
