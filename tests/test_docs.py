"""The documents are tested: every command shown in README.md and docs/ runs.

Each document is one test: its ``$ zopa ...`` lines in console blocks run in
order in a scratch directory and their output must equal what the document
shows (a line ``...`` marks omitted lines); ``zopa`` lines in sh blocks must
exit 0.  The conventions, the environment (``COLUMNS=80``) and the only
normalisations (trailing spaces; JSON ``"seconds"`` timings) are described in
``tests/doc_examples.py``; ``python tests/doc_examples.py --update DOC``
refreshes a document's outputs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import doc_examples as dx

DOCS = dx.documents()


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(dx.ROOT)) for d in DOCS])
def test_document_examples_match_real_output(doc: Path, tmp_path: Path) -> None:
    steps = dx.parse(doc.read_text(encoding="utf-8"))
    skipped = [s for s in steps if s.kind == "skip"]
    for s in skipped:  # a skip names why, so a reader of the test log knows what is not run
        print(f"{doc.name}:{s.line}: skipped block: {s.text}")
    outcomes = dx.Runner(doc, tmp_path / "doc").run(steps)
    failures = [dx.describe(doc, o) for o in outcomes if not o.ok]
    assert not failures, "\n\n".join(failures)


def test_every_document_is_found_and_the_examples_are_many() -> None:
    names = {str(d.relative_to(dx.ROOT)) for d in DOCS}
    assert "README.md" in names
    assert "docs/tutorial/first-analysis.md" in names
    commands = [
        s for d in DOCS for s in dx.parse(d.read_text(encoding="utf-8")) if s.kind == "console"
    ]
    assert len(commands) >= 20  # the docs show real sessions, not only prose


def test_no_document_refers_to_files_outside_the_repository() -> None:
    outside = re.compile(r"DESIGN(\.md)?\b|shared/research|/work/")
    for doc in DOCS:
        found = outside.search(doc.read_text(encoding="utf-8"))
        assert found is None, f"{doc}: refers to {found[0]!r}, which is not in the repository"


def test_no_file_of_the_project_refers_to_files_outside_the_repository() -> None:
    """Code, tests, benchmarks and the built-in scenarios too (this file names the patterns)."""
    import subprocess

    outside = re.compile(r"DESIGN\.md|DESIGN §|shared/research|/work/")
    listed = subprocess.run(
        ["git", "ls-files", "src", "tests", "bench"],
        cwd=dx.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert listed
    for name in listed:
        path = dx.ROOT / name
        if path.suffix not in {".py", ".md", ".yaml", ".yml", ".toml", ".html", ".js"}:
            continue
        if path == Path(__file__).resolve() or not path.is_file():
            continue
        found = outside.search(path.read_text(encoding="utf-8", errors="replace"))
        assert found is None, f"{path}: refers to {found[0]!r}, which is not in the repository"


def test_relative_links_between_documents_resolve() -> None:
    link = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
    for doc in DOCS:
        for target, _ in link.findall(doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (doc.parent / target).exists(), f"{doc}: broken link to {target}"


# --------------------------------------------------------------------------- the harness itself


def test_parse_reads_commands_outputs_files_and_directives() -> None:
    text = "\n".join(
        [
            "Intro",
            "```yaml file=talks.yaml",
            "id: talks",
            "```",
            "<!-- doctest: $ sed -i s/a/b/ talks.yaml -->",
            "<!-- doctest: env COLUMNS=100 -->",
            "```console",
            "$ zopa check talks.yaml",
            "talks.yaml: OK",
            "",
            "$ zopa blockers \\",
            "  talks.yaml",
            "...",
            "```",
            "<!-- doctest: skip needs a cluster -->",
            "```sh",
            "zopa montecarlo --scheduler tcp://x:1",
            "```",
            "```sh",
            "pip install .",
            "zopa serve  # comment",
            "```",
        ]
    )
    steps = dx.parse(text)
    assert [s.kind for s in steps] == ["file", "hidden", "env", "console", "console", "skip", "sh"]
    assert steps[0].text == "talks.yaml" and steps[0].body == "id: talks\n"
    assert steps[3].text == "zopa check talks.yaml"
    assert steps[3].expected == ["talks.yaml: OK", ""]
    assert steps[4].text == "zopa blockers \\\n  talks.yaml" and steps[4].expected == ["..."]
    assert steps[6].text == "zopa serve  # comment" and steps[6].line == 21


def test_an_unknown_directive_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown doctest directive"):
        dx.parse("<!-- doctest: skip-it -->\n")


def test_ellipsis_lines_stand_for_any_number_of_lines() -> None:
    actual = ["a", "b", "c", "d", "e"]
    assert dx.matches(["a", "b", "c", "d", "e"], actual)
    assert dx.matches(["a", "...", "e"], actual)
    assert dx.matches(["...", "c", "...", "e"], actual)
    assert dx.matches(["a", "b", "...", "c", "d", "e"], actual)  # '...' may stand for none
    assert dx.matches(["..."], actual)
    assert not dx.matches(["a", "...", "d"], actual)  # the end is anchored
    assert not dx.matches(["b", "..."], actual)  # so is the start
    assert not dx.matches(["a", "...", "d", "c", "...", "e"], actual)  # order matters
    assert not dx.matches(["a", "b", "c", "d"], actual)
    assert not dx.matches(["a", "...", "c", "...", "c", "e"], actual)  # 'c' is there only once


def test_normalise_only_strips_padding_and_timings() -> None:
    text = 'x   \n  "seconds": 0.0123,\n"oracle_calls": 7\n\n\n'
    assert dx.normalise(text) == ["x", '  "seconds": <time>,', '"oracle_calls": 7']
