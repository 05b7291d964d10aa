"""Long commands show a progress bar with an estimate, on a terminal only.

The command runs with its stderr on a pseudo-terminal (as in a shell) and its
stdout on a pipe; the bar is drawn on stderr.  With ``--json``, or when
stderr is not a terminal, nothing but the result is printed.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

SMALL = Path(__file__).parent.parent / "docs" / "how-to" / "simulate-talks.yaml"
LONG = {  # small runs: the bar is drawn when the work starts, whatever its length
    "simulate": ["simulate", str(SMALL), "--rounds", "20", "--strategy", "*=hardliner"],
    "montecarlo": ["montecarlo", "-n", "50", "--seed", "1", "--processes", "1"],
    "tournament": [
        "tournament",
        str(SMALL),
        "--strategies",
        "linear,hardliner",
        "--rounds",
        "5",
        "--processes",
        "1",
    ],
}


def on_terminal(args: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout, and what the terminal (stderr) received."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "zopa.cli", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    assert proc.stdout is not None
    pipe = proc.stdout.fileno()
    streams = {leader: b"", pipe: b""}
    done: dict[int, bytes] = {}
    while streams:  # read both as they come: a full pipe must never block the command
        ready, _, _ = select.select(list(streams), [], [], 300)
        assert ready, "no output for 300 s"
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal's other end closed: the command has ended
                chunk = b""
            if chunk:
                streams[fd] += chunk
            else:
                done[fd] = streams.pop(fd)
    code = proc.wait(timeout=300)
    os.close(leader)
    proc.stdout.close()
    out, seen = done[pipe], done[leader]
    return code, out.decode(), seen.decode(errors="replace")


@pytest.mark.parametrize("name", sorted(LONG))
def test_a_bar_with_an_estimate_on_a_terminal(name: str) -> None:
    code, out, terminal = on_terminal(LONG[name])
    assert code == 0, terminal
    assert "left" in terminal and "elapsed" in terminal, terminal  # time elapsed and to go
    assert "\x1b" not in out and "elapsed" not in out  # the result itself is clean


@pytest.mark.parametrize("name", sorted(LONG))
def test_no_bar_with_json_or_without_a_terminal(name: str) -> None:
    code, out, terminal = on_terminal([*LONG[name], "--json"])
    assert code == 0
    assert "elapsed" not in terminal
    json.loads(out)
    piped = subprocess.run(
        [sys.executable, "-m", "zopa.cli", *LONG[name]], capture_output=True, text=True
    )
    assert piped.returncode == 0
    assert "elapsed" not in piped.stderr and "\x1b" not in piped.stderr + piped.stdout
