"""As-of purity, per-party stances and ``zopa audit``'s checks, through the real interfaces.

* dated wording and citations: an analysis as of D (the ``zopa blockers`` and
  ``zopa analyze`` commands) shows the wording in force on D and cites only
  sources published by then — checked against a brute-force reading of the
  file on many random cases;
* stances: per party, agreed / rejected / open / not reported, as reported by D;
* the audit: each kind of problem is listed at the right FILE:LINE:COL, and a
  file without problems has none.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from zopa.audit import Term, audit_text, unquoted_matches
from zopa.load import parse_scenario
from zopa.problem import Problem

D = dt.date


def zopa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zopa.cli", *args], capture_output=True, text=True, check=False
    )


DATED = textwrap.dedent(
    """\
    format: zopa/1
    id: dated
    reviewed: 2025-12-31
    sources:
      - {id: early, title: "Early report", publisher: "Wire A", date: 2025-11-01, tier: original}
      - {id: late, title: "Late report", publisher: "Wire B", date: 2025-12-01, tier: original}
    issues:
      - id: cap
        range: {min: 0, max: 100, step: 10}
    parties:
      - id: a
        weights: {cap: 1}
        values: {cap: {0: 0, 100: 1}}
        assumptions: {weights: {cap: only issue}, values: {cap: more is better}}
      - id: b
        weights: {cap: 1}
        values: {cap: {0: 1, 100: 0}}
        assumptions: {weights: {cap: only issue}, values: {cap: less is better}}
    red_lines:
      - id: a-floor
        party: a
        rule: "cap >= 60"
        text: A wants at least 60.
        reason: Its own stated need.
        source: early
        since: 2025-11-01
        wording:
          - since: 2025-12-01
            text: A repeated it after the December talks.
            source: late
      - id: b-ceiling
        party: b
        rule: "cap <= 40"
        text: B wants at most 40.
        source: early
        since: 2025-11-01
    drafts:
      - id: d1
        date: 2025-11-05
        source: early
        package: {cap: 50}
        positions:
          a:
            cap:
              - {stance: open, date: 2025-11-05, source: early}
              - {stance: rejected, date: 2025-12-01, source: late}
    """
)


def test_blockers_as_of_show_the_wording_and_sources_of_that_date(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text(DATED)

    def red_line(as_of: str) -> dict:
        run = zopa("blockers", str(path), "--as-of", as_of, "--json")
        assert run.returncode == 0, run.stderr
        (conflict,) = json.loads(run.stdout)["explanations"]
        return next(r for r in conflict["red_lines"] if r["id"] == "a-floor")

    november = red_line("2025-11-20")
    assert november["text"] == "A wants at least 60."
    assert november["sources"] == ["early"]  # the December report is not yet published
    december = red_line("2025-12-02")
    assert december["text"] == "A repeated it after the December talks."
    assert december["sources"] == ["early", "late"]
    text = zopa("blockers", str(path), "--as-of", "2025-11-20").stdout
    assert "Reason given: Its own stated need." in " ".join(text.split())


def test_board_and_timeline_show_stances_as_reported_by_the_date(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text(DATED)
    early = json.loads(zopa("analyze", str(path), "--json").stdout)  # as of the draft's date
    rows = {r["issue"]: r for r in early["board"]["rows"]}
    assert rows["cap"]["positions"] == {"a": "open", "b": None}  # b: not reported
    assert rows["cap"]["stances"]["a"]["sources"] == ["early"]
    parties = {p["party"]: p for p in early["board"]["parties"]}
    assert parties["a"]["open"] == ["cap"] and parties["b"]["not_reported"] == ["cap"]
    assert parties["b"]["rejected"] == []  # not reported is not disagreement
    late = json.loads(zopa("analyze", str(path), "--as-of", "2025-12-05", "--json").stdout)
    rows = {r["issue"]: r for r in late["board"]["rows"]}
    assert rows["cap"]["positions"]["a"] == "rejected"
    assert rows["cap"]["stances"]["a"] == {
        "stance": "rejected",
        "date": "2025-12-01",
        "sources": ["late"],
        "note": None,
    }
    (entry,) = json.loads(zopa("timeline", str(path), "--json").stdout)["timeline"]
    assert entry["stances_as_of"] is None  # everything recorded
    assert {p["party"]: p["rejected"] for p in entry["parties"]} == {"a": ["cap"], "b": []}


# --------------------------------------------------------------------------- brute force

SOURCE_DATES = st.lists(
    st.one_of(st.none(), st.dates(D(2025, 1, 1), D(2025, 12, 31))), min_size=1, max_size=5
)


@settings(max_examples=60, deadline=None)
@given(
    dates=SOURCE_DATES,
    starts=st.lists(st.dates(D(2025, 1, 1), D(2025, 12, 31)), max_size=4, unique=True),
    cites=st.lists(st.lists(st.integers(0, 4), max_size=3), min_size=5, max_size=5),
    on=st.one_of(st.none(), st.dates(D(2024, 12, 1), D(2026, 1, 31))),
)
def test_red_line_view_matches_a_direct_reading(dates, starts, cites, on) -> None:
    """The wording shown on D is the latest one started by D; the sources are those of every
    wording started by D, less those published after D (brute force over the file's lists)."""
    starts = sorted(starts)
    ids = [f"s{k}" for k in range(len(dates))]
    refs = [[ids[k % len(ids)] for k in c] for c in cites]
    sources = [
        {"id": i, "title": i, **({"date": d.isoformat()} if d else {})}
        for i, d in zip(ids, dates, strict=True)
    ]
    wording = [
        {"since": s.isoformat(), "text": f"w{k}", "source": refs[k + 1]}
        for k, s in enumerate(starts)
    ]
    document = {
        "format": "zopa/1",
        "id": "x",
        "sources": sources,
        "issues": [{"id": "i", "options": ["o"]}],
        "parties": [{"id": "p"}],
        "red_lines": [
            {"id": "r", "party": "p", "rule": "i == o", "text": "base", "source": refs[0]}
            | ({"since": "2024-12-31"} if starts else {})
            | ({"wording": wording} if wording else {})
        ],
    }
    scenario = parse_scenario(json.dumps(document))
    shown = Problem(scenario, on).at(on).red_lines
    if on is not None and on < D(2024, 12, 31) and starts:
        assert shown == []
        return
    (red,) = [r for r, _ in shown]
    entries = [("base", None, refs[0])] + [(f"w{k}", s, refs[k + 1]) for k, s in enumerate(starts)]
    live = [e for e in entries if e[1] is None or on is None or e[1] <= on]
    assert red.text == live[-1][0]
    published = dict(zip(ids, dates, strict=True))
    expected = [
        x for e in live for x in e[2] if published[x] is None or on is None or published[x] <= on
    ]
    assert red.sources == list(dict.fromkeys(expected))


# --------------------------------------------------------------------------- the audit

PROBLEMS = textwrap.dedent(
    """\
    format: zopa/1
    id: problems
    sources:
      - {id: undated, title: "No date", publisher: "Wire A"}
      - {id: nopub, title: "No publisher", date: 2025-11-01}
      - {id: later, title: "Later", publisher: "Wire B", date: 2025-12-10, tier: original}
      - {id: copy, title: "Copy", publisher: "Wire C", date: 2025-11-01, tier: repost}
    issues:
      - id: cap
        description: The regime's demands and "the regime's demands" in quotes.
        range: {min: 0, max: 100, step: 10}
    parties:
      - id: a
        reservation: 0.2
        weights: {cap: 1}
        values: {cap: {0: 0, 100: 1}}
        assumptions: {weights: {cap: only issue}}
    red_lines:
      - id: a-floor
        party: a
        rule: "cap >= floor"
        thresholds: {floor: {uniform: [50, 70]}}
        firmness: 0.8
        text: A wants at least 60.
        source: later
        since: 2025-11-15
      - id: a-copy
        party: a
        rule: "cap >= 10"
        source: copy
        since: 2025-11-15
    drafts:
      - id: d1
        date: 2025-11-20
        source: nopub
        package: {cap: 50}
    """
)


def test_audit_lists_each_problem_at_its_place() -> None:
    report = audit_text(PROBLEMS, "problems.yaml")
    lines = {f.text("problems.yaml") for f in report.problems}
    expected = {
        "problems.yaml:4:5: source 'undated' has no date",
        "problems.yaml:5:5: source 'nopub' has no publisher",
        "problems.yaml:10:22: loaded term 'regime' (listed as 'regime*') in the file's own "
        "voice; quote the speaker or use a neutral word",
        "problems.yaml:10:31: loaded term 'demands' (listed as 'demand*') in the file's own "
        "voice; quote the speaker or use a neutral word",
        "problems.yaml:14:5: a: the reservation has no rationale (assumptions.reservation)",
        "problems.yaml:16:14: a: the value for 'cap' has no rationale (assumptions.values.cap)",
        "problems.yaml:22:18: a-floor: the range of threshold 'floor' has no rationale "
        "(assumptions.thresholds.floor)",
        "problems.yaml:23:5: a-floor: firmness 0.8 has no rationale (assumptions.firmness "
        "here, or the file's rule under the top-level assumptions.firmness)",
        "problems.yaml:25:13: red line 'a-floor' is shown from 2025-11-15 but cites no source "
        "published by then",
        "problems.yaml:25:13: this text is shown from 2025-11-15 but cites later, published "
        "2025-12-10: give later reporting a wording of its own from that date",
        "problems.yaml:30:13: red line 'a-copy' rests only on reposts (copy without a note "
        "saying why no original is cited)",
    }
    assert lines == expected
    assert not report.ok
    (a,) = report.balance
    assert a.red_lines == 2 and a.with_reason == 0
    assert a.tiers == {"official": 0, "original": 1, "repost": 1, "unknown": 0}
    assert a.without_rationale == 4 and a.loaded_terms == 0  # the words are no party's
    assert report.sources["without_date"] == ["undated"]
    assert report.sources["without_publisher"] == ["nopub"]


def test_a_clean_file_has_no_problems() -> None:
    report = audit_text(DATED, "dated.yaml")
    assert report.ok, [f.text("dated.yaml") for f in report.problems]
    assert [b.with_reason for b in report.balance] == [1, 0]
    assert report.balance[0].in_force == {"d1": 1}


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.sampled_from(["a", "demands", "x", "regime", "the"]), max_size=8),
    quoted=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_loaded_terms_are_found_only_outside_quotes(words, quoted) -> None:
    parts = [f'"{w}"' if q else w for w, q in zip(words, quoted, strict=False)]
    text = " ".join(parts)
    terms = [Term.parse("demand*"), Term.parse("regime")]
    found = sorted(word for _, _, word in unquoted_matches(text, terms))
    expected = sorted(
        w for w, q in zip(words, quoted, strict=False) if not q and w in ("demands", "regime")
    )
    assert found == expected


# --------------------------------------------------------------------------- the command


def test_audit_command_exit_codes_and_outputs(tmp_path: Path) -> None:
    bad = tmp_path / "problems.yaml"
    bad.write_text(PROBLEMS)
    clean = tmp_path / "dated.yaml"
    clean.write_text(DATED)
    report = zopa("audit", str(bad))
    assert report.returncode == 0, report.stderr  # a report, not a failure
    assert f"{bad}:4:5: source 'undated' has no date" in report.stdout
    strict = zopa("audit", str(bad), "--strict")
    assert strict.returncode == 1
    assert zopa("audit", str(clean), "--strict").returncode == 0
    document = json.loads(zopa("audit", str(bad), "--json").stdout)
    assert document["problem_counts"]["loaded_term"] == 2
    assert {p["line"] for p in document["problems"] if p["kind"] == "source"} == {4, 5}
    terms = tmp_path / "terms.txt"
    terms.write_text("# only one term\nquotes\n")
    custom = json.loads(zopa("audit", str(bad), "--json", "--terms", str(terms)).stdout)
    assert custom["terms"] == ["quotes"]
    (found,) = [p for p in custom["problems"] if p["kind"] == "loaded_term"]
    assert (found["line"], found["column"]) == (10, 69)  # "in quotes." after the quotation
    missing = zopa("audit", str(bad), "--terms", str(tmp_path / "missing.txt"))
    assert missing.returncode == 1  # an input that cannot be read, as any other file
    assert f"{tmp_path / 'missing.txt'}:1:1: cannot read the file" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(PROBLEMS.replace("party: a\n", "party: nobody\n", 1))
    invalid = zopa("audit", str(broken))
    assert invalid.returncode == 1 and "unknown party 'nobody'" in invalid.stdout + invalid.stderr
    assert "Traceback" not in invalid.stderr


def test_timeline_as_of_cuts_drafts_and_stances(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text(DATED)
    (early,) = json.loads(zopa("timeline", str(path), "--as-of", "2025-11-20", "--json").stdout)[
        "timeline"
    ]
    assert early["stances_as_of"] == "2025-11-20"
    assert {p["party"]: p["open"] for p in early["parties"]} == {"a": ["cap"], "b": []}
    none = json.loads(zopa("timeline", str(path), "--as-of", "2025-11-01", "--json").stdout)
    assert none["timeline"] == []  # the draft was not yet tabled


ZONE = textwrap.dedent(
    """\
    format: zopa/1
    id: zone
    issues:
      - id: zone
        attributes:
          troops: [ua, ru, none]
          admin: [ua, ru, intl]
        options:
          - {id: ua_holds, troops: ua, admin: ua}
          - {id: ru_takes, troops: ru, admin: ru}
        exclude:
          - "zone.troops == ru and zone.admin == ua"
          - "zone.troops == ua and zone.admin == ru"
        assumptions:
          attributes: {troops: whose forces are present}
          exclude: [a force serves its own administration]
    parties:
      - id: a
        weights: {zone.troops: 2, zone.admin: 1}
        values:
          zone.troops: {ua: 1, ru: 0, none: 0.5}
          zone.admin: {ua: 1, ru: 0, intl: 0.6}
        assumptions:
          weights: {zone.troops: forces first, zone.admin: then administration}
          values: {zone.troops: own forces best, zone.admin: own administration best}
    """
)


def test_audit_asks_a_rationale_for_each_attribute_and_exclude_rule() -> None:
    report = audit_text(ZONE, "zone.yaml")
    lines = {f.text("zone.yaml") for f in report.problems}
    assert lines == {
        "zone.yaml:7:7: issue zone: attribute 'admin' has no rationale "
        "(assumptions.attributes.admin)",
        "zone.yaml:13:9: issue zone: exclude rule 2 (zone.troops == ua and zone.admin == ru) "
        "has no rationale (assumptions.exclude, item 2)",
    }
    complete = ZONE.replace(
        "exclude: [a force serves its own administration]",
        "exclude: [a force serves its own administration, likewise]",
    ).replace("{troops: whose forces are present}", "{troops: whose forces, admin: who governs}")
    report = audit_text(complete, "zone.yaml")
    assert report.ok, [f.text("zone.yaml") for f in report.problems]


# --------------------------------------------------------------------------- reasons by date

# A reason of its own in the December wording, so that the date selects the reason too.
RESTATED = DATED.replace(
    "        text: A repeated it after the December talks.\n",
    "        text: A repeated it after the December talks.\n"
    "        reason: Its need, restated in December.\n",
)


def test_blockers_and_board_json_give_the_reason_in_force_on_the_date(tmp_path: Path) -> None:
    path = tmp_path / "restated.yaml"
    path.write_text(RESTATED)

    def lines(as_of: str) -> dict[str, dict]:
        run = zopa("blockers", str(path), "--as-of", as_of, "--json")
        assert run.returncode == 0, run.stderr
        (conflict,) = json.loads(run.stdout)["explanations"]
        return {r["id"]: r for r in conflict["red_lines"]}

    november, december = lines("2025-11-20"), lines("2025-12-02")
    assert november["a-floor"]["reason"] == "Its own stated need."
    assert december["a-floor"]["reason"] == "Its need, restated in December."
    assert november["b-ceiling"]["reason"] is None and december["b-ceiling"]["reason"] is None
    # keys are added, never renamed
    assert set(november["a-floor"]) == {"id", "party", "kind", "rule", "text", "sources", "reason"}
    text = " ".join(zopa("blockers", str(path), "--as-of", "2025-12-02").stdout.split())
    assert "Reason given: Its need, restated in December." in text
    assert "Its own stated need." not in text
    board = json.loads(zopa("analyze", str(path), "--as-of", "2025-12-02", "--json").stdout)
    reasons = {r["id"]: r["reason"] for r in board["board"]["red_lines"]}
    assert reasons == {"a-floor": "Its need, restated in December.", "b-ceiling": None}


def test_audit_counts_reasons_per_date(tmp_path: Path) -> None:
    """A reason given only from December on counts on December dates, not before."""
    late_only = (
        DATED.replace("    reason: Its own stated need.\n", "").replace(
            "        text: A repeated it after the December talks.\n",
            "        text: A repeated it after the December talks.\n"
            "        reason: Its need, first stated in December.\n",
        )
    ) + "  - {id: d2, date: 2025-12-05, source: late, package: {cap: 50}}\n"  # the last draft
    assert late_only.count("reason:") == 1 and "id: d2" in late_only
    path = tmp_path / "late.yaml"
    path.write_text(late_only)
    run = zopa("audit", str(path), "--json")
    assert run.returncode == 0, run.stderr
    a, b = json.loads(run.stdout)["balance"]
    assert a["red_lines_with_reason"] == 0  # not on every date it is shown
    assert a["red_lines_in_force"] == {"d1": 1, "d2": 1}
    assert a["red_lines_in_force_with_reason"] == {"d1": 0, "d2": 1}
    assert a["red_lines_without_reason"] == [
        {"red_line": "a-floor", "from": "2025-11-01", "to": "2025-11-30"}
    ]
    assert b["red_lines_without_reason"] == [
        {"red_line": "b-ceiling", "from": "2025-11-01", "to": None}
    ]
    text = zopa("audit", str(path)).stdout
    assert "a-floor: from 2025-11-01 to 2025-11-30" in text
    (tmp_path / "dated.yaml").write_text(DATED)
    clean = json.loads(zopa("audit", str(tmp_path / "dated.yaml"), "--json").stdout)
    assert clean["balance"][0]["red_lines_without_reason"] == []  # the December wording keeps it


REASONS = st.one_of(st.none(), st.just("why"))


@settings(max_examples=80, deadline=None)
@given(
    since=st.one_of(st.none(), st.dates(D(2025, 2, 1), D(2025, 11, 30))),
    length=st.one_of(st.none(), st.integers(0, 200)),
    base=REASONS,
    wordings=st.lists(
        st.tuples(st.dates(D(2025, 1, 15), D(2025, 12, 15)), REASONS),
        max_size=4,
        unique_by=lambda w: w[0],
    ),
    first=st.one_of(st.none(), st.dates(D(2025, 2, 1), D(2025, 11, 30))),
)
def test_reason_gaps_match_a_day_by_day_reading(since, length, base, wordings, first) -> None:
    """The spans without a reason are exactly the days on which the view gives none."""
    from zopa.audit import reason_gaps
    from zopa.model import RedLine, Wording

    until = since + dt.timedelta(days=length) if since and length is not None else None
    red = RedLine(
        id="r",
        party="p",
        rule="x == 1",
        text="t",
        reason=base,
        since=since,
        until=until,
        wording=[Wording(since=d, text=f"w{k}", reason=r) for k, (d, r) in enumerate(wordings)],
    )
    lo, hi = D(2025, 1, 1), D(2026, 1, 31)
    start = since or first
    days = [lo + dt.timedelta(days=k) for k in range((hi - lo).days + 1)]
    shown = [d for d in days if (start is None or d >= start) and (until is None or d <= until)]
    expected = {d for d in shown if not red.view(d, {}).reason}
    gaps = reason_gaps(red, first)
    got = {
        d
        for g in gaps
        for d in shown
        if (g.start is None or d >= g.start) and (g.end is None or d <= g.end)
    }
    assert got == expected
    for g, h in itertools.pairwise(gaps):  # disjoint, ordered, not adjacent
        assert g.end is not None and h.start is not None and g.end + dt.timedelta(days=1) < h.start
