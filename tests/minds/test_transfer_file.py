"""Moving a mind through a file (docs/mind.md, "Transfer"): export --transfer marks it in
transit under a key the file carries, import admits it at most once and prints a receipt,
retire ends it at the source; exactly one live mind before and after."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

from tests.conftest import Server
from tests.minds.transfer_harness import cli, dna, enlist, live_copies, operator, query, start


def exported_in_transit(tmp_path: Path, salt: int) -> tuple[Server, int, str, bytes]:
    """A stopped source with one willing mind (`salt`) exported for a move through a file:
    the server, the agent, its operator's token and the document (it carries the key)."""
    source = Server(tmp_path / "source", snapshot_seconds=1.0)
    start(source)
    try:
        token = operator(source, "Ada")
        agent = enlist(source, token, dna(willing=True, salt=salt))
    finally:
        source.stop()
    exported = cli("mind", "export", str(agent), "--transfer", "--data", str(source.data))
    assert exported.returncode == 0, exported.stderr
    return source, agent, token, exported.stdout


def test_a_mind_moves_through_a_file_once(tmp_path: Path) -> None:
    source = Server(tmp_path / "source", snapshot_seconds=1.0)
    destination = Server(tmp_path / "destination", snapshot_seconds=1.0)
    start(source)
    start(destination)
    genome = dna(willing=True, salt=3)
    try:
        agent = enlist(source, operator(source, "Ada"), genome)
    finally:
        source.stop()
        destination.stop()
    src, dst = str(source.data), str(destination.data)

    exported = cli("mind", "export", str(agent), "--transfer", "--data", src)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    key = document["transfer"]["key"]
    assert query(source, "SELECT state, peer FROM mind_transfers WHERE key = ?", key) == [
        ("leaving", "file")
    ]
    again = cli("mind", "export", str(agent), "--transfer", "--data", src)
    assert again.returncode == 2 and b"in transit" in again.stderr  # never moved twice

    file = tmp_path / "mind.json"
    file.write_bytes(exported.stdout)
    first = cli("mind", "import", str(file), "--data", dst)
    assert first.returncode == 0, first.stderr
    receipt = json.loads(first.stdout)
    assert receipt["key"] == key and receipt["fresh"] is True
    second = cli("mind", "import", str(file), "--data", dst)  # the same file again
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == receipt | {"fresh": False}
    assert live_copies(destination, genome) == [receipt["agent"]]

    # in transit, the source keeps it away: alive in the store, not live (it does not act)
    start(source)
    try:
        assert live_copies(source, genome) == [agent]
    finally:
        source.stop()
    retired = cli("mind", "retire", key, "--as", str(receipt["agent"]), "--data", src)
    assert retired.returncode == 0, retired.stderr
    assert live_copies(source, genome) == []
    cause = query(source, "SELECT death_cause FROM agents WHERE id = ?", agent)[0][0]
    assert cause == f"moved to a file as agent {receipt['agent']}"
    twice = cli("mind", "retire", key, "--data", src)
    assert twice.returncode == 2 and b"retired already" in twice.stderr

    start(source)  # a restart brings no retired mind back
    try:
        assert live_copies(source, genome) == []
    finally:
        source.stop()
    assert live_copies(destination, genome) == [receipt["agent"]]


def test_a_tampered_transit_file_is_refused(tmp_path: Path) -> None:
    source, _, _, exported = exported_in_transit(tmp_path, salt=4)
    document = json.loads(exported)
    document["transfer"]["key"] = "0" * 32  # another key: the hash covers it
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    refused = cli("mind", "import", str(forged), "--data", str(source.data))
    assert refused.returncode == 2 and b"tampered" in refused.stderr, refused.stderr
    assert query(source, "SELECT role, state FROM mind_transfers") == [("source", "leaving")]


def test_two_admits_of_one_key_at_once_admit_it_once(tmp_path: Path) -> None:
    _, _, _, exported = exported_in_transit(tmp_path, salt=6)
    destination = Server(tmp_path / "destination", snapshot_seconds=1.0)
    genome = dna(willing=True, salt=6)
    key = json.loads(exported)["transfer"]["key"]
    body = b'{"key":"' + key.encode() + b'","document":' + exported + b"}"
    start(destination)
    try:
        token = operator(destination, "Grace")
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        url = f"{destination.url}/api/minds/admit"
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(lambda _: httpx.post(url, content=body, headers=headers, timeout=30),
                         range(4))
            )  # fmt: skip
        assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], [
            a.text for a in answers
        ]
        assert len({a.json()["agent"] for a in answers}) == 1
        assert live_copies(destination, genome) == [answers[0].json()["agent"]]
        status = httpx.post(f"{destination.url}/api/minds/transfers/status", json={"key": key})
        assert status.json() == {
            "key": key,
            "state": "arrived",
            "agent": answers[0].json()["agent"],
        }
        cancel = httpx.post(f"{destination.url}/api/minds/transfers/cancel", json={"key": key})
        assert cancel.json()["state"] == "arrived"  # too late to give it up: it lives here
    finally:
        destination.stop()


def test_a_file_never_imported_is_called_off_and_the_mind_acts_again(tmp_path: Path) -> None:
    """`infinity mind return KEY --never-imported`: the mind lives at the source again,
    no longer away; without the vouching flag, or twice, it is refused and nothing changes."""
    source, agent, token, exported = exported_in_transit(tmp_path, salt=5)
    genome = dna(willing=True, salt=5)
    src = str(source.data)
    key = json.loads(exported)["transfer"]["key"]

    unvouched = cli("mind", "return", key, "--data", src)
    assert unvouched.returncode == 2 and b"--never-imported" in unvouched.stderr
    assert query(source, "SELECT state FROM mind_transfers WHERE key = ?", key) == [("leaving",)]
    unknown = cli("mind", "return", "0" * 32, "--never-imported", "--data", src)
    assert unknown.returncode == 2 and b"no transfer" in unknown.stderr
    returned = cli("mind", "return", key, "--never-imported", "--data", src)
    assert returned.returncode == 0, returned.stderr
    assert b"lives here again" in returned.stdout
    assert query(source, "SELECT state FROM mind_transfers WHERE key = ?", key) == [("returned",)]
    twice = cli("mind", "return", key, "--never-imported", "--data", src)
    assert twice.returncode == 2 and b"returned already" in twice.stderr
    late = cli("mind", "retire", key, "--data", src)  # a receipt that cannot be: refused
    assert late.returncode == 2 and live_copies(source, genome) == [agent]

    start(source)
    try:
        answer = httpx.get(
            f"{source.url}/api/agents/{agent}",
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["alive"] and not answer.json()["in_transit"]
    finally:
        source.stop()
