"""Writes that a kill at any instant cannot tear: files, folders, locks (zopa.fileio).

The crash tests run a real writer process and kill it with SIGKILL at random
instants; after each kill the target must hold the old content or the new
one, never a mix, and the next write must leave no temporary file behind.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from zopa import fileio
from zopa.fileio import INCOMPLETE, TMP_SUFFIX, TooLarge, read_bounded, write_atomic

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from zopa import fileio

    target, mode = Path(sys.argv[1]), sys.argv[2]
    if len(sys.argv) > 3:  # no atomic exchange: the rename-aside fallback
        fileio._exchange = lambda a, b: False
    contents = [bytes([65 + k]) * 1_000_000 for k in range(2)]
    folders = [{f"f{i:03d}.xml": bytes([65 + k]) * 4000 for i in range(150)} for k in range(2)]
    print("ready", flush=True)
    k = 0
    while True:
        k ^= 1
        if mode == "file":
            fileio.write_atomic(target, contents[k])
        else:
            fileio.replace_folder(target, folders[k])
    """
)


def start_writer(target: Path, mode: str, fallback: bool = False) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", WRITER, str(target), mode, *(["fallback"] if fallback else [])]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    return proc


def kill_at_random(proc: subprocess.Popen[bytes], rng: random.Random) -> None:
    time.sleep(rng.uniform(0.02, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def run_zopa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zopa.cli", *args], capture_output=True, text=True)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_atomic_writes_keeps_permissions_and_never_clobbers_without_asking(
    tmp_path: Path,
) -> None:
    target = tmp_path / "sub" / "out.txt"
    write_atomic(target, "first")
    assert target.read_text() == "first"
    os.chmod(target, 0o640)
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    with pytest.raises(FileExistsError):
        write_atomic(target, "third", overwrite=False)
    assert target.read_text() == "second"
    assert leftovers(target.parent) == []


@pytest.mark.parametrize("seed", range(6))
def test_a_killed_file_write_leaves_old_or_new_and_the_next_run_cleans_up(
    seed: int, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    target = tmp_path / "report.html"
    write_atomic(target, b"A" * 1_000_000)
    proc = start_writer(target, "file")
    kill_at_random(proc, rng)
    data = target.read_bytes()
    assert data in (b"A" * 1_000_000, b"B" * 1_000_000)
    write_atomic(target, b"next run")  # the next write beside it removes the dead writer's file
    assert leftovers(tmp_path) == []


def folder_state(folder: Path) -> str:
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"f{i:03d}.xml" for i in range(150)], names[:5]
    contents = {p.read_bytes() for p in folder.iterdir()}
    assert len(contents) == 1, "a mix of the old and the new folder"
    return contents.pop()[:1].decode()


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "rename-aside"])
@pytest.mark.parametrize("seed", range(4))
def test_a_killed_folder_swap_leaves_the_old_or_the_new_folder(
    seed: int, fallback: bool, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    folder = tmp_path / "domain"
    fileio.replace_folder(folder, {f"f{i:03d}.xml": b"A" * 4000 for i in range(150)})
    proc = start_writer(folder, "folder", fallback)
    kill_at_random(proc, rng)
    fileio.clean_stale(tmp_path)  # what the next run does first
    assert folder_state(folder) in ("A", "B")
    assert leftovers(tmp_path) == []


def test_a_half_written_folder_is_never_loaded_as_a_smaller_domain(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "format: zopa/1\nid: s\nissues:\n  - id: zone\n    options: [north, south]\n"
        "parties:\n"
        + "".join(
            f"  - id: p{k}\n    weights: {{zone: 1}}\n"
            "    values: {zone: {north: 1, south: 0}}\n"
            for k in range(3)
        )
    )
    out = tmp_path / "export"
    assert run_zopa("export", "genius", str(scenario), "-o", str(out)).returncode == 0
    assert run_zopa("check", str(out)).returncode == 0
    (out / "p2.xml").unlink()
    (out / INCOMPLETE).touch()  # as a folder stopped mid-write looks
    done = run_zopa("check", str(out))
    assert done.returncode == 1
    assert "zopa was still writing when it stopped" in done.stdout


def test_leftovers_of_live_writers_are_kept(tmp_path: Path) -> None:
    mine = tmp_path / f".x.yaml.{os.getpid()}.0123abcd{TMP_SUFFIX}"
    mine.write_text("in flight")
    dead = tmp_path / f".x.yaml.{2**22 + 7}.0123abcd{TMP_SUFFIX}"  # above any pid_max in use
    dead.write_text("left by a killed writer")
    assert fileio.clean_stale(tmp_path) == [dead]
    assert mine.exists()


def test_the_lock_serialises_writers_across_processes(tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    counter.write_text("0")
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from zopa import fileio
        path = Path({str(counter)!r})
        for _ in range(200):
            with fileio.locked(str(path) + ".lock"):
                n = int(path.read_text())
                fileio.write_atomic(path, str(n + 1))
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert counter.read_text() == "600"  # no update lost


def test_read_bounded_refuses_more_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(TooLarge, match="the file is 100 bytes; the limit is 99"):
        read_bounded(path, 99)
    with pytest.raises(TooLarge, match="more than 1,000 bytes"):
        read_bounded("/dev/zero", 1000)
    with pytest.raises(IsADirectoryError):
        read_bounded(tmp_path, 1000)


@pytest.mark.parametrize("new_made_it", [False, True])
def test_a_swap_killed_between_its_two_renames_is_finished_on_the_next_run(
    new_made_it: bool, tmp_path: Path
) -> None:
    """The rename-aside fallback's one window: the old folder aside, the new one maybe in."""
    dead = 2**22 + 11  # above any pid_max in use: the writer is gone
    aside = tmp_path / f".domain.{dead}.0123abcd{fileio.ASIDE_SUFFIX}"
    aside.mkdir()
    (aside / "old.xml").write_text("old")
    new = tmp_path / f".domain.{dead}.0123abcd{TMP_SUFFIX}"
    new.mkdir()
    (new / "new.xml").write_text("new")
    if new_made_it:
        new.rename(tmp_path / "domain")
    fileio.clean_stale(tmp_path)
    kept = sorted(p.name for p in (tmp_path / "domain").iterdir())
    assert kept == (["new.xml"] if new_made_it else ["old.xml"])
    assert leftovers(tmp_path) == []


def many_parties(tag: str, n: int = 202) -> str:
    parties = "".join(
        f"  - id: p{k}\n    weights: {{zone: 1}}\n"
        f"    values: {{zone: {{north: 1, south: {tag}}}}}\n"
        for k in range(n)
    )
    return (
        "format: zopa/1\nid: big\nissues:\n  - id: zone\n    options: [north, south]\n"
        "parties:\n" + parties
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_export_force_killed_midway_leaves_the_old_or_the_new_export(tmp_path: Path) -> None:
    """It used to delete the old files first: killed, 32 of 203 files stayed behind."""
    old_s, new_s = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old_s.write_text(many_parties("0"))
    new_s.write_text(many_parties("0.5"))
    folder = tmp_path / "domain"
    reference = tmp_path / "reference"
    assert run_zopa("export", "genius", str(new_s), "-o", str(reference)).returncode == 0
    new = snapshot(reference)
    rng = random.Random(7)
    for _ in range(2):
        if folder.exists():
            subprocess.run(["rm", "-rf", str(folder)], check=True)
        assert run_zopa("export", "genius", str(old_s), "-o", str(folder)).returncode == 0
        old = snapshot(folder)
        assert len(old) == 203
        export = ["export", "genius", str(new_s), "-o", str(folder), "--force"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "zopa.cli", *export],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert snapshot(folder) in (old, new)
    done = run_zopa("export", "genius", str(new_s), "-o", str(folder), "--force")
    assert done.returncode == 0, done.stderr
    assert snapshot(folder) == new
    assert leftovers(tmp_path) == []


def test_every_writer_is_zopa_fileio() -> None:
    """There were three atomic-write helpers (interop, web workspace, charts), one fsyncing."""
    import re

    source = Path(__file__).parent.parent / "src" / "zopa"
    writes = re.compile(
        r"os\.(replace|rename)\(|shutil\.(move|copy)|mkstemp|\.write_(text|bytes)\(|"
        r"open\([^)]*[\"']w|\.write_html\(|\.write_image\("  # plotly's own writers
    )
    found = [
        f"{path.relative_to(source)}:{n}: {line.strip()}"
        for path in sorted(source.rglob("*.py"))
        if path.name != "fileio.py"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if writes.search(line)
    ]
    assert found == [], "\n".join(found)
