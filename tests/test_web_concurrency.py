"""Saving through the web app under concurrency and attack: nothing sent is ever lost.

Concurrent saves are serialised by a lock per scenario (across processes too),
every acknowledged text survives as the file or as a kept version with a
unique name, and a save based on a stale revision gets 409 with both texts
kept.  Also: hostile scenario text never takes the server down, the Origin
check compares the scheme, and a link out of the workspace is neither listed
nor served.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.webserver import DATA, running_server

EXAMPLE = (DATA / "example.yaml").read_text()


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("webc")


@pytest.fixture(scope="module")
def base(tmp_module: Path) -> Iterator[str]:
    with running_server(tmp_module) as url:
        yield url


@pytest.fixture(scope="module")
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as client:
        yield client


def variant(name: str, k: int) -> str:
    return EXAMPLE.replace("id: example", f"id: {name}").replace(
        "Two parties, three issues", f"Version {k}"
    )


def surviving_texts(http: httpx.Client, name: str) -> list[str]:
    info = http.get(f"/api/scenarios/{name}").json()
    kept = [
        http.get(f"/api/scenarios/{name}/versions/{v}").json()["text"] for v in info["versions"]
    ]
    return [info["text"], *kept]


def test_twenty_concurrent_saves_lose_no_text(http: httpx.Client, base: str) -> None:
    """It used to keep 7 of 20 acknowledged texts (duplicate version names, unserialised)."""
    texts = [variant("race", k) for k in range(20)]

    def save(text: str) -> dict:
        with httpx.Client(base_url=base, timeout=120) as client:
            r = client.put("/api/scenarios/race", json={"text": text})
            assert r.status_code == 200, r.text
            return r.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(save, texts))
    assert all(a["valid"] and a["saved"] == "scenario" for a in answers)
    versions = [a["version"] for a in answers if a["version"] is not None]
    assert len(versions) == len(set(versions)) == 19  # every save but the first kept one
    survivors = surviving_texts(http, "race")
    assert sorted(survivors) == sorted(texts)


def test_saves_from_several_processes_are_serialised(tmp_path: Path) -> None:
    """The lock is a file lock: two server processes on one workspace lose nothing either."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from zopa.web.workspace import Catalogue
        example = Path({str(DATA / "example.yaml")!r}).read_text()
        catalogue = Catalogue(Path({str(tmp_path)!r}))
        for k in range(15):
            text = example.replace("Two parties, three issues", f"p{{sys.argv[1]}} v{{k}}")
            catalogue.save("shared", text)
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(p)]) for p in range(3)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    from zopa.web.workspace import Catalogue

    catalogue = Catalogue(tmp_path)
    versions = catalogue.versions("shared")
    assert len(versions) == len(set(versions)) == 44
    texts = {catalogue.text("shared")} | {catalogue.version_text("shared", v) for v in versions}
    assert len(texts) == 45  # all 45 texts, each once


def test_a_save_from_a_stale_revision_gets_409_and_both_texts_are_kept(
    http: httpx.Client,
) -> None:
    first = variant("occ", 0)
    r = http.put("/api/scenarios/occ", json={"text": first, "base_revision": ""})
    assert r.status_code == 200, r.text
    loaded = http.get("/api/scenarios/occ").json()
    assert loaded["revision"] == r.json()["revision"]

    mine, theirs = variant("occ", 1), variant("occ", 2)
    r = http.put("/api/scenarios/occ", json={"text": mine, "base_revision": loaded["revision"]})
    assert r.status_code == 200 and r.json()["valid"]
    r = http.put("/api/scenarios/occ", json={"text": theirs, "base_revision": loaded["revision"]})
    assert r.status_code == 409
    conflict = r.json()
    assert conflict["error"] == "conflict" and conflict["text"] == mine
    assert conflict["kept"].endswith(".conflict.yaml")
    assert http.get(f"/api/scenarios/occ/versions/{conflict['kept']}").json()["text"] == theirs
    assert http.get("/api/scenarios/occ").json()["text"] == mine  # nothing newer overwritten
    assert sorted(surviving_texts(http, "occ")) == sorted([first, mine, theirs])

    r = http.put("/api/scenarios/occ", json={"text": theirs, "base_revision": ""})
    assert r.status_code == 409, "'' means the name must be free"
    r = http.put("/api/scenarios/occ", json={"text": theirs, "base_revision": conflict["revision"]})
    assert r.status_code == 200


def test_an_invalid_save_from_a_stale_revision_is_kept_too(http: httpx.Client) -> None:
    http.put("/api/scenarios/occ2", json={"text": variant("occ2", 0)})
    r = http.put("/api/scenarios/occ2", json={"text": "garbage: [", "base_revision": "0" * 16})
    assert r.status_code == 409
    kept = r.json()["kept"]
    assert http.get(f"/api/scenarios/occ2/versions/{kept}").json()["text"] == "garbage: ["


NESTED = "meta: " + "[" * 50_000 + "]" * 50_000 + "\n"


@pytest.mark.parametrize("endpoint", ["validate", "save"])
def test_hostile_text_gets_diagnostics_and_the_server_lives(
    http: httpx.Client, endpoint: str
) -> None:
    """100 KB of nested YAML used to kill the server (a segmentation fault in the C loader)."""
    if endpoint == "validate":
        r = http.post("/api/validate", json={"text": NESTED})
    else:
        r = http.put("/api/scenarios/deep", json={"text": NESTED})
    assert r.status_code == 200, r.text
    (diagnostic,) = r.json()["diagnostics"]
    assert diagnostic["message"] == "the file is nested more than 100 levels deep"
    assert http.get("/api/health").json()["ok"] is True


@pytest.mark.parametrize("w", ["[" * 3_000, '{"drop": ' + "[" * 3_000 + "]" * 3_000 + "}"])
def test_a_deeply_nested_what_if_in_an_address_is_refused(http: httpx.Client, w: str) -> None:
    """A page's ``w`` (the what-if, JSON in the address) nested 3,000 deep gave a 500."""
    r = http.get("/s/ukraine-2025/whatif", params={"w": w})
    assert r.status_code == 422, r.text
    assert "The what-if in this address is not valid" in r.text
    assert http.get("/api/health").json()["ok"] is True


def test_the_origin_check_compares_scheme_host_and_port(http: httpx.Client, base: str) -> None:
    host = base.split("://", 1)[1]
    for origin in (f"https://{host}", "null", f"http://{host}.attacker.example"):
        r = http.put("/api/scenarios/o1", json={"text": EXAMPLE}, headers={"Origin": origin})
        assert r.status_code == 403, origin
    r = http.put("/api/scenarios/o1", json={"text": EXAMPLE}, headers={"Origin": base})
    assert r.status_code == 200


def test_a_link_out_of_the_workspace_is_neither_listed_nor_served(
    http: httpx.Client, tmp_module: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text(variant("secret", 0))
    workspace = tmp_module / "workspace"
    (workspace / "leak.yaml").symlink_to(outside)
    secret_versions = tmp_path / "versions"
    secret_versions.mkdir()
    (secret_versions / "20250101T000000.000000.invalid.yaml").write_text("secret: 1")
    (workspace / ".versions").mkdir(exist_ok=True)
    (workspace / ".versions" / "leak2").symlink_to(secret_versions)

    r = http.get("/api/scenarios")
    assert r.status_code == 200
    names = {s["name"] for s in r.json()["scenarios"]}
    assert "leak" not in names and "leak2" not in names
    for name in ("leak", "leak2"):
        r = http.get(f"/api/scenarios/{name}")
        assert r.status_code in (404, 422)
        assert "secret" not in r.text
        assert http.post("/api/board", json={"scenario": name}).status_code in (404, 422)
