"""Moving a mind between two real servers (docs/mind.md, "Transfer"): exactly one live mind
before and after, with each process killed by SIGKILL at every step of the protocol."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from infinity.minds.transfer import POINTS
from tests.conftest import Server
from tests.minds.transfer_harness import (
    cli,
    died,
    dna,
    enlist,
    exactly_one,
    live_copies,
    operator,
    query,
    sent_document,
    start,
    transfer,
)

# The side that dies at each point, whether the destination refuses (a bad token) so that
# the protocol takes its cancel path, and how the transfer ends once recovery finished:
# moved (retired at the source) or returned (the mind lives at the source still). A source
# that restarts while the mind is in transit has no token (it is never stored): it asks
# the destination to cancel, which also tells it when the mind had arrived.
SIDE = {
    "source-marked": ("source", False, "returned"),
    "destination-received": ("destination", False, "retired"),
    "destination-admitted": ("destination", False, "retired"),
    "source-admitted": ("source", False, "retired"),
    "source-retired": ("source", False, "retired"),
    "destination-cancelled": ("destination", True, "returned"),
    "source-returned": ("source", True, "returned"),
}


class Pair:
    def __init__(self, root: Path) -> None:
        self.source = Server(root / "source", snapshot_seconds=1.0)
        self.destination = Server(root / "destination", snapshot_seconds=1.0)

    def start(self, dying: str | None = None, point: str | None = None) -> None:
        start(self.source, point if dying == "source" else None)
        start(self.destination, point if dying == "destination" else None)
        self.source_token = operator(self.source, "Ada")
        self.destination_token = operator(self.destination, "Grace")

    def stop(self) -> None:
        for server in (self.source, self.destination):
            if server.process is not None:
                server.stop()


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    made = Pair(tmp_path)
    try:
        yield made
    finally:
        made.stop()


def test_every_protocol_step_has_a_fault_point_tested_here() -> None:
    assert set(SIDE) == set(POINTS)


def test_a_transfer_moves_the_mind_whole_and_a_retry_never_makes_a_second(pair: Pair) -> None:
    pair.start()
    genome = dna(willing=True)
    agent = enlist(pair.source, pair.source_token, genome)
    answer = transfer(
        pair.source, pair.source_token, agent, pair.destination, pair.destination_token
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    record = body["record"]
    assert record["operation"] == "transfer" and record["result"] == "moved"
    assert record["consent"]["given"] and record["consent"]["operation"] == "transfer"
    assert body["announced"]["verb"] == "announce_transfer"
    assert body["announced"]["seq"] < body["entry"]["seq"]
    key, state, arrived = exactly_one(pair.source, pair.destination, agent, genome)
    assert (state, arrived, key) == ("retired", record["arrived_as"], record["key"])
    # it was told what was asked, as a transfer, before it ran: in its memory and aloud
    told = [m["text"] for m in sent_document(pair.source, key)["memories"]]
    assert any("a transfer, not a copy" in text for text in told), told[-5:]
    assert _said(pair.source, "a transfer, not a copy"), "not said in local chat"
    # the arrived mind lives in the running destination: it knows it came by transfer
    texts = [row[3] for row in _memories_when_saved(pair.destination, arrived)]
    assert any("by transfer" in text for text in texts), texts[-5:]
    again = transfer(
        pair.source, pair.source_token, agent, pair.destination, pair.destination_token, key
    )
    assert again.status_code == 200, again.text
    assert again.json()["record"]["arrived_as"] == arrived
    assert live_copies(pair.destination, genome) == [arrived]
    # the source cannot move it again: it is dead here
    twice = transfer(
        pair.source, pair.source_token, agent, pair.destination, pair.destination_token
    )
    assert twice.status_code == 409 and twice.json()["error"] == "dead", twice.text
    assert live_copies(pair.destination, genome) == [arrived]


def _tail(server: Server) -> str:
    return server.log.read_text(errors="replace")[-3000:]


def _said(server: Server, words: str) -> bool:
    began = time.monotonic()
    while time.monotonic() - began < 10:
        if query(server, "SELECT text FROM chat WHERE text LIKE ?", f"%{words}%"):
            return True
        time.sleep(0.25)
    return False


def _memories_when_saved(server: Server, agent: int) -> list[tuple[object, ...]]:
    began = time.monotonic()
    while time.monotonic() - began < 15:
        rows = query(
            server, "SELECT kind, at, importance, text FROM memories WHERE agent_id = ?", agent
        )
        if any("by transfer" in str(r[3]) for r in rows):
            return rows
        time.sleep(0.25)
    return rows


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_every_step_exactly_one_live_mind_remains(pair: Pair, point: str) -> None:
    dying, refused, ends = SIDE[point]
    pair.start(dying, point)
    genome = dna(willing=True, salt=1)
    agent = enlist(pair.source, pair.source_token, genome)
    token = "not-a-token" if refused else pair.destination_token
    try:
        answer: httpx.Response | None = transfer(
            pair.source, pair.source_token, agent, pair.destination, token
        )
    except httpx.TransportError:
        answer = None  # the source died with the request
    victim = pair.source if dying == "source" else pair.destination
    died(victim)
    if dying == "source":
        assert answer is None
    else:
        assert answer is not None and answer.status_code == 202, answer and answer.text
        assert answer.json()["record"]["result"] == "in_transit"
        # in transit it is neither copied nor moved a second time
        headers = {"authorization": f"Bearer {pair.source_token}"}
        copied = httpx.post(
            f"{pair.source.url}/api/operator/minds/{agent}/copy",
            json={"reason": "test"}, headers=headers, timeout=30,
        )  # fmt: skip
        assert copied.status_code == 409 and copied.json()["error"] == "in_transit", copied.text
        moved = transfer(pair.source, pair.source_token, agent, pair.destination, token)
        assert moved.status_code == 409 and moved.json()["error"] == "in_transit", moved.text
    start(victim)  # no fault this time: recovery finishes the transfer
    key, state, arrived = exactly_one(pair.source, pair.destination, agent, genome)
    assert state == ends
    # a retried transfer (same key) reports the same outcome and never makes a second
    retry = transfer(pair.source, pair.source_token, agent, pair.destination, token, key)
    assert retry.status_code in (200, 409), retry.text
    assert retry.json()["record"]["key"] == key
    assert exactly_one(pair.source, pair.destination, agent, genome) == (key, state, arrived)


def test_a_refusal_of_consent_moves_nothing_and_says_why(pair: Pair) -> None:
    pair.start()
    genome = dna(willing=False)
    agent = enlist(pair.source, pair.source_token, genome)
    answer = transfer(
        pair.source, pair.source_token, agent, pair.destination, pair.destination_token
    )
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["error"] == "refused" and "refused" in body["detail"]
    assert body["entry"]["result"] == "refused"
    assert query(pair.source, "SELECT * FROM mind_transfers") == []
    assert live_copies(pair.source, genome) == [agent]
    assert live_copies(pair.destination, genome) == []


def test_a_transfer_that_would_leave_two_live_minds_aborts_and_says_so(pair: Pair) -> None:
    pair.start()
    genome = dna(willing=True, salt=2)
    agent = enlist(pair.source, pair.source_token, genome)
    first = transfer(
        pair.source, pair.source_token, agent, pair.destination, pair.destination_token
    )
    assert first.status_code == 200, first.text
    arrived = first.json()["record"]["arrived_as"]
    # someone copies it back by hand (a plain export, imported into the source's store) ...
    document = cli("mind", "export", str(arrived), "--data", str(pair.destination.data))
    assert document.returncode == 0, document.stderr
    imported = cli("mind", "import", "-", "--data", str(pair.source.data), stdin=document.stdout)
    assert imported.returncode == 0, imported.stderr
    copy = int(imported.stdout)
    # ... so moving it back would leave two live minds there: aborted, reported as a transfer
    back = transfer(
        pair.destination, pair.destination_token, arrived, pair.source, pair.source_token
    )
    assert back.status_code == 409, (back.text, _tail(pair.destination), _tail(pair.source))
    record = back.json()["record"]
    assert record["operation"] == "transfer" and record["result"] == "aborted"
    assert "already alive" in record["detail"], record
    assert record["would_have_been"] == "copy"  # a copy offered as a transfer, said so
    assert back.json()["entry"]["result"] == "refused"
    assert live_copies(pair.destination, genome) == [arrived]
    assert live_copies(pair.source, genome) == [copy]
    # and a mind sent to the very server it lives on is never admitted twice either
    itself = transfer(
        pair.destination, pair.destination_token, arrived, pair.destination, pair.destination_token
    )
    assert itself.status_code == 409 and itself.json()["record"]["result"] == "aborted", itself.text
    assert itself.json()["record"]["would_have_been"] == "copy"  # two live minds on one server
    assert live_copies(pair.destination, genome) == [arrived]


def test_two_transfers_of_one_mind_at_once_move_it_once(pair: Pair) -> None:
    pair.start()
    genome = dna(willing=True, salt=5)
    agent = enlist(pair.source, pair.source_token, genome)
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda _: transfer(
                    pair.source, pair.source_token, agent, pair.destination,
                    pair.destination_token,
                ),
                range(2),
            )
        )  # fmt: skip
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.text for a in answers]
    exactly_one(pair.source, pair.destination, agent, genome)
