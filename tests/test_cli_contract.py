"""Command-line contract slips: usage errors exit 2, outputs are checked before any work.

Every case runs the real ``zopa`` command.  A bad value of an option is a
usage error (exit 2) with a message naming the option; an output path that
exists, is an input, is a folder, lies under a file or cannot be written is
refused before the scenario is even read (so a broken scenario does not get
reported first), and nothing is overwritten without ``--force``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ZOPA = [sys.executable, "-m", "zopa.cli"]
DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "example.yaml"
GENIUS = DATA / "genius" / "basic"


def zopa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ZOPA, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["blockers", "--limit", "0"], "Invalid value for '--limit'"),
        (["blockers", "--limit", "-1"], "Invalid value for '--limit'"),
        (["frontier", "--limit", "0"], "Invalid value for '--limit'"),
        (["blockers", "--time-limit", "-1"], "Invalid value for '--time-limit'"),
        (["blockers", "--time-limit", "0"], "Invalid value for '--time-limit'"),
        (["solve", "--time-limit", "nan"], "Invalid value for '--time-limit'"),
        (["analyze", "--time-limit", "inf"], "Invalid value for '--time-limit'"),
        (["analyze", "--as-of", "20251120"], "--as-of: '20251120' is not a date (YYYY-MM-DD)"),
        (["analyze", "--as-of", "2025-W47-4"], "--as-of: '2025-W47-4' is not a date"),
        # bounded work: 100,000 rounds ran for minutes at 1.1 GB; now at most 1,000
        (["simulate", "--rounds", "100000"], "rounds: give a number from 1 to 1000"),
        (["tournament", "--repeats", "1001"], "--repeats: give a number of runs from 1 to 1,000"),
        (["montecarlo", "-n", "1000001"], "give a number of samples from 1 to 1,000,000"),
    ],
)
def test_bad_option_values_are_usage_errors(args: list[str], message: str) -> None:
    """``--limit 0``/``-1`` and ``--time-limit -1`` exited 3; 0, nan and inf meant no limit."""
    done = zopa(*args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    """A scenario with a problem: an output check that comes first wins over it."""
    path = tmp_path / "broken.yaml"
    path.write_text(EXAMPLE.read_text().replace("format: zopa/1", "format: zopa/9"))
    return path


def test_report_never_overwrites_without_force(tmp_path: Path, broken: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("mine")
    done = zopa("report", str(broken), "-o", str(out))
    assert done.returncode == 2
    assert f"-o: {out} exists; give --force to replace it" in done.stderr
    assert out.read_text() == "mine"
    done = zopa("report", str(EXAMPLE), "-o", str(out), "--force")
    assert done.returncode in (0, 3), done.stderr
    assert out.read_text().startswith("<!doctype html>") or "<html" in out.read_text()


@pytest.mark.parametrize("where", ["folder", "under-a-file", "read-only"])
def test_unwritable_outputs_are_refused_before_the_analysis(
    tmp_path: Path, broken: Path, where: str
) -> None:
    """These were "internal error: PermissionError / IsADirectoryError ..." after the analysis."""
    (tmp_path / "afile").write_text("x")
    target = {
        "folder": tmp_path,
        "under-a-file": tmp_path / "afile" / "report.html",
        "read-only": Path("/proc/zopa-report.html"),  # read-only even for root
    }[where]
    if where == "folder":
        target = tmp_path / "dir.html"
        target.mkdir()
    for command in (["report", str(broken), "-o"], ["frontier", str(broken), "--plot"]):
        done = zopa(*command, str(target))
        assert done.returncode == 2, done.stderr
        assert "cannot write" in done.stderr or "is a folder" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
        assert "zopa/9" not in done.stderr  # refused before the scenario was read


def test_plots_are_not_overwritten_without_force(tmp_path: Path) -> None:
    chart = tmp_path / "chart.html"
    chart.write_text("mine")
    done = zopa("timeline", str(EXAMPLE), "--plot", str(chart))
    assert done.returncode == 2 and "give --force" in done.stderr
    assert chart.read_text() == "mine"
    done = zopa("timeline", str(EXAMPLE), "--plot", str(chart), "--force")
    assert done.returncode in (0, 3), done.stderr
    assert chart.read_text() != "mine"


def test_a_what_if_file_is_an_input_too(tmp_path: Path) -> None:
    """``--whatif FILE`` is read by the command: --plot or -o never write over it."""
    whatif = tmp_path / "w.html"
    whatif.write_text("{}")
    for command in (["frontier", "--plot"], ["report", "-o"]):
        done = zopa(*command, str(whatif), str(EXAMPLE), "--whatif", str(whatif), "--force")
        assert done.returncode == 2, done.stderr
        assert f"{whatif} is an input of this command" in done.stderr
        assert whatif.read_text() == "{}"


def test_import_never_writes_over_its_own_input(tmp_path: Path) -> None:
    """``import genius dom.xml a.xml b.xml -o a.xml`` overwrote its own input profile."""
    for name in ("basic_domain.xml", "buyer.xml", "seller.xml"):
        shutil.copy(GENIUS / name, tmp_path / name)
    before = (tmp_path / "buyer.xml").read_bytes()
    args = ["import", "genius", "basic_domain.xml", "buyer.xml", "seller.xml", "-o", "buyer.xml"]
    for extra in ([], ["--force"]):
        done = zopa(*args, *extra, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "-o: buyer.xml is an input of this command" in done.stderr
        assert (tmp_path / "buyer.xml").read_bytes() == before
    (tmp_path / "out.yaml").write_text("mine")
    done = zopa(*args[:-1], "out.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "give --force" in done.stderr
    assert (tmp_path / "out.yaml").read_text() == "mine"
    done = zopa(*args[:-1], "out.yaml", "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert zopa("check", str(tmp_path / "out.yaml")).returncode == 0


def test_export_never_writes_into_its_own_input(tmp_path: Path) -> None:
    folder = tmp_path / "basic"
    shutil.copytree(GENIUS, folder)
    before = sorted(p.name for p in folder.iterdir())
    done = zopa("export", "genius", str(folder), "-o", str(folder), "--force")
    assert done.returncode == 2
    assert "holds the scenario being exported" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_markdown_report_keeps_its_chart_folder_unless_forced(tmp_path: Path) -> None:
    images = tmp_path / "r_files"
    images.mkdir()
    (images / "mine.png").write_text("mine")
    done = zopa("report", str(EXAMPLE), "-o", str(tmp_path / "r.md"))
    assert done.returncode == 2 and f"{images} exists" in done.stderr
    assert (images / "mine.png").read_text() == "mine"


@pytest.mark.parametrize(
    ("hidden", "output", "message"),
    [
        ("plotly", "r.html", "pip install 'zopa[report]'"),
        ("jinja2", "r.md", "pip install 'zopa[report]'"),
        ("kaleido", "r.md", "pip install 'zopa[charts]'"),
    ],
)
def test_report_without_an_extra_is_a_usage_error(
    tmp_path: Path, hidden: str, output: str, message: str
) -> None:
    """It printed "internal error: ModuleNotFoundError: No module named 'plotly'"."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.modules[{hidden!r}] = None\n"
            f"from zopa.cli import main; main(['report', {str(EXAMPLE)!r}, '-o', {output!r}])",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "internal error" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_a_report_killed_midway_leaves_nothing_behind_after_the_next_run(tmp_path: Path) -> None:
    """A killed report left a hidden partial file; the next write beside it removes it."""
    out = tmp_path / "r.html"
    child = subprocess.Popen(["true"])  # a writer that has died: its pid is in the name
    child.wait()
    stale = tmp_path / f".r.html.{child.pid}.0123abcd.zopa-tmp"
    stale.write_text("<html>half a report")
    done = zopa("report", str(EXAMPLE), "-o", str(out))
    assert done.returncode in (0, 3), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    assert "</html>" in out.read_text()
