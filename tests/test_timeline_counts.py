"""``zopa timeline``: the stance rows and the draft's point count read consistently.

A party's stance row counts the draft's points and any point outside the draft's
text it is reported to take a stance on; the JSON says how many (``stance_points``)
and the text says, under the stance table, that rows may cover such points.
"""

from __future__ import annotations

import json

from tests.cli import zopa

LEGEND = "Stances also cover points outside a draft's text"


def test_every_row_adds_up_to_the_points_its_stances_cover() -> None:
    run = zopa("timeline", "--json")
    assert run.returncode == 0, run.stderr
    entries = json.loads(run.stdout)["timeline"]
    assert entries
    outside = 0
    for e in entries:
        assert e["stance_points"] >= e["points"]
        outside += e["stance_points"] > e["points"]
        for p in e["parties"]:
            counted = sum(len(p[k]) for k in ("agreed", "rejected", "open", "not_reported"))
            assert counted == e["stance_points"], (e["draft"], p["party"])
    # the built-in records stances on points some drafts leave out (the Geneva revision)
    assert outside


def test_text_says_rows_cover_points_outside_the_draft() -> None:
    text = zopa("timeline").stdout
    table = text.index("Stances reported on each draft")
    legend = text.index(LEGEND)
    assert legend > table
    assert " ".join(text[legend:].split()).startswith(
        LEGEND + ", so a row can add up to more than the draft's points."
    )
    assert all(len(line) <= 80 for line in text.splitlines())


def test_no_legend_when_every_stance_is_on_the_draft_s_own_points() -> None:
    entries = json.loads(zopa("timeline", "--as-of", "2025-11-23", "--json").stdout)["timeline"]
    assert all(e["stance_points"] == e["points"] for e in entries)
    assert LEGEND not in zopa("timeline", "--as-of", "2025-11-23").stdout
