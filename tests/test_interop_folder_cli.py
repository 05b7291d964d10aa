"""GENIUS folders through the real ``zopa`` command: importer warnings, and safe exports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from tests.cli import zopa
from zopa.interop import InteropWarning
from zopa.interop.folder import load_folder
from zopa.interop.genius import ExportError, export_genius
from zopa.load import load_scenario
from zopa.model import Scenario

DATA = Path(__file__).parent / "data"
BASIC = DATA / "genius" / "basic"
HEAVY = "weights sum to 1.5 > 1; GENIUS caps utility at 1"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return zopa(*args)


@pytest.fixture
def heavy(tmp_path: Path) -> Path:
    """The basic GENIUS folder with the buyer's weights summing to 1.5: one warning."""
    folder = tmp_path / "heavy"
    shutil.copytree(BASIC, folder)
    buyer = folder / "buyer.xml"
    buyer.write_text(buyer.read_text().replace('value="0.5"/>', 'value="1.0"/>'))
    return folder


# --------------------------------------------------------------------------- warnings


@pytest.mark.parametrize("command", ["solve", "analyze", "frontier", "blockers"])
def test_folder_warnings_reach_stderr_and_json_stays_clean(heavy, command):
    out = run(command, str(heavy), "--json")
    assert out.returncode == 0, out.stderr
    json.loads(out.stdout)  # stdout is one JSON document, nothing else
    lines = [line for line in out.stderr.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 1 and lines[0].startswith(f"warning: {heavy / 'buyer.xml'}: {HEAVY}")
    assert "Traceback" not in out.stderr and "InteropWarning" not in out.stderr


def test_check_prints_folder_warnings_for_every_folder(heavy):
    out = run("check", str(heavy), str(heavy))
    assert out.returncode == 0, out.stderr
    assert " ".join(out.stdout.split()).count(": OK: scenario 'heavy'") == 2  # lines unwrapped
    assert out.stderr.count(f"warning: {heavy / 'buyer.xml'}: {HEAVY}") == 2


def test_import_and_folder_give_the_same_warnings(heavy):
    imported = run("import", "genius", str(heavy / "basic_domain.xml"), str(heavy / "buyer.xml"))
    loaded = run("solve", str(heavy), "--json")
    warned = [line for line in imported.stderr.splitlines() if line.startswith("warning:")]
    assert warned and all(line in loaded.stderr for line in warned)


def test_library_issues_interop_warnings_and_prints_nothing(heavy, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_scenario(heavy)
        load_scenario(BASIC)  # a clean folder: nothing
    assert [w.category for w in caught] == [InteropWarning]
    assert HEAVY in str(caught[0].message)
    assert load_folder(heavy).warnings == [str(caught[0].message)]
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------- export


def scenario_x(party: str = "x_domain") -> str:
    return (
        "format: zopa/1\nid: x\nissues:\n  - {id: colour, options: [red, blue]}\n"
        f"parties:\n  - {{id: {party}, weights: {{colour: 1}}, "
        "values: {colour: {red: 1, blue: 0}}}\n"
        "  - {id: b, weights: {colour: 1}, values: {colour: {red: 0, blue: 1}}}\n"
    )


def test_export_names_never_collide(tmp_path):
    source = tmp_path / "x.yaml"
    source.write_text(scenario_x())
    out = run("export", "genius", str(source), "-o", str(tmp_path / "g"))
    assert out.returncode == 0, out.stderr
    names = sorted(p.name for p in (tmp_path / "g").iterdir())
    assert names == ["b.xml", "x_domain.xml", "x_domain_2.xml"]
    assert "warning: the domain is x_domain_2.xml" in out.stderr
    assert sorted(p.id for p in load_scenario(tmp_path / "g").parties) == ["b", "x_domain"]


def test_export_refuses_a_non_empty_folder(tmp_path):
    target = tmp_path / "g"
    first = run("export", "genius", str(DATA / "example.yaml"), "-o", str(target))
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    source = tmp_path / "x.yaml"
    source.write_text(scenario_x("a"))
    again = run("export", "genius", str(source), "-o", str(target))
    assert again.returncode == 1
    assert "is not empty" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_force_replaces_only_the_genius_files(tmp_path):
    target = tmp_path / "g"
    assert run("export", "genius", str(DATA / "example.yaml"), "-o", str(target)).returncode == 0
    (target / "notes.txt").write_text("mine")
    (target / "pareto.xml").write_text("0.1, 0.9\n")  # GENIUS's frontier file, not XML
    source = tmp_path / "x.yaml"
    source.write_text(scenario_x("a"))
    out = run("export", "genius", str(source), "-o", str(target), "--force")
    assert out.returncode == 0, out.stderr
    names = sorted(p.name for p in target.iterdir())
    assert names == ["a.xml", "b.xml", "notes.txt", "pareto.xml", "x_domain.xml"]
    assert (target / "notes.txt").read_text() == "mine"
    scenario = load_scenario(target)
    assert scenario.id == "g" and sorted(p.id for p in scenario.parties) == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g", "x.yaml"]  # no temporary left


def test_force_refuses_xml_it_cannot_read(tmp_path):
    target = tmp_path / "g"
    target.mkdir()
    (target / "broken.xml").write_text("<utility_space>")
    out = run("export", "genius", str(DATA / "example.yaml"), "-o", str(target), "--force")
    assert out.returncode == 1 and "broken.xml is not readable XML" in out.stderr
    assert [p.name for p in target.iterdir()] == ["broken.xml"]


def test_export_into_an_empty_folder_and_never_half_written(tmp_path, monkeypatch):
    scenario = Scenario.model_validate(
        {
            "id": "x",
            "issues": [{"id": "colour", "options": ["red", "blue"]}],
            "parties": [
                {"id": p, "weights": {"colour": 1}, "values": {"colour": {"red": 1}}}
                for p in ("a", "b")
            ],
        }
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    report = export_genius(scenario, empty)
    assert sorted(p.name for p in empty.iterdir()) == ["a.xml", "b.xml", "x_domain.xml"]
    assert report.files == [empty / "x_domain.xml", empty / "a.xml", empty / "b.xml"]
    with pytest.raises(ExportError, match="is not empty"):
        export_genius(scenario, empty)

    calls = {"n": 0}
    real = os.fsync

    def failing(fd: int) -> None:  # the disk fills up while the second file is flushed
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="disk full"):
        export_genius(scenario, tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # no folder, no temporary
