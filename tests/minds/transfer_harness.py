"""Two real servers, an operator on each, a mind to move, and what each store says after.

Used by the transfer tests (tests/minds/test_transfer*.py). Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import httpx2 as httpx

from infinity.crew.consent import TIES, WILLING
from infinity.crew.genome import persona
from tests.conftest import PASSWORD, Server


def willingness(dna: str) -> float:
    """The transfer consent score of the persona `dna` grows (crew/consent.py), less what
    a crew's ties may take (so the answer holds in a crew or out of one)."""
    grown = persona(dna)
    traits, values = grown.traits, grown.values
    score = 0.4 * traits.openness + 0.3 * values.courage + 0.3 * (1 - traits.neuroticism)
    return score - TIES * values.loyalty


def dna(willing: bool, salt: int = 0) -> str:
    """A genome whose persona agrees to be moved (or refuses), different for each `salt`."""
    for seed in range(salt * 1000, salt * 1000 + 1000):
        bases = "".join(random.Random(seed).choices("ACGT", k=256))
        if (willingness(bases) >= WILLING + 0.02) == willing and (
            willing or willingness(bases) < WILLING - 0.02
        ):
            return bases
    raise AssertionError("no genome found")


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "INFINITY_FAULT"}
    command = [sys.executable, "-m", "infinity", *args]
    return subprocess.run(command, capture_output=True, input=stdin, timeout=90, env=env)


@contextmanager
def fault(point: str | None) -> Iterator[None]:
    """INFINITY_FAULT for the processes started inside (Popen copies the environment)."""
    if point is None:
        yield
        return
    os.environ["INFINITY_FAULT"] = f"transfer:{point}"
    try:
        yield
    finally:
        del os.environ["INFINITY_FAULT"]


def start(server: Server, point: str | None = None) -> None:
    with fault(point):
        server.start(timeout=60)


def operator(server: Server, name: str) -> str:
    """Register `name`, make it an operator, log in: its token."""
    server.register(name)
    made = cli("role", name, "operator", "--data", str(server.data))
    assert made.returncode == 0, made.stderr
    answer = httpx.post(f"{server.url}/api/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def enlist(server: Server, token: str, genome: str) -> int:
    answer = httpx.post(
        f"{server.url}/api/operator/crew",
        json={"dna": genome},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def transfer(
    source: Server,
    token: str,
    agent: int,
    destination: Server,
    destination_token: str,
    key: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"to": destination.url, "token": destination_token, "reason": "test"}
    if key is not None:
        body["key"] = key
    return httpx.post(
        f"{source.url}/api/operator/minds/{agent}/transfer",
        json=body,
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    )


def query(server: Server, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(server.data / "infinity.db", timeout=10)) as db:
        return db.execute(sql, args).fetchall()


def died(server: Server, timeout: float = 30.0) -> None:
    """Wait until the server's process has killed itself; forget it (restartable)."""
    assert server.process is not None
    code = server.process.wait(timeout)
    assert code == -9, f"expected SIGKILL, got {code}"
    server.process = None


def settled(source: Server, agent: int, timeout: float = 45.0) -> tuple[str, str, int | None]:
    """The source's transfer of `agent` once it left `leaving`: (key, state, arrived as)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        rows = query(
            source,
            "SELECT key, state, peer_agent FROM mind_transfers WHERE agent_id = ? AND role = ?",
            agent,
            "source",
        )
        if rows and rows[-1][1] != "leaving":
            key, state, arrived = rows[-1]
            return str(key), str(state), arrived
        time.sleep(0.25)
    raise AssertionError(f"the transfer did not settle: {rows}")


def live_copies(server: Server, genome: str) -> list[int]:
    """Alive agents of this genome in the server's store."""
    rows = query(server, "SELECT id FROM agents WHERE genome = ? AND alive = 1", genome)
    return [int(r[0]) for r in rows]


def memories(server: Server, agent: int) -> list[tuple[Any, ...]]:
    return query(
        server,
        "SELECT kind, at, importance, text, subject FROM memories WHERE agent_id = ? ORDER BY id",
        agent,
    )


def sent_document(source: Server, key: str) -> dict[str, Any]:
    rows = query(source, "SELECT document FROM mind_transfers WHERE key = ?", key)
    document: dict[str, Any] = json.loads(bytes(rows[0][0]))
    return document


def exactly_one(
    source: Server, destination: Server, agent: int, genome: str
) -> tuple[str, str, int | None]:
    """After recovery: one live mind of `genome` across both stores, never two, never none,
    and where it moved its memories are whole (the document's, in order, then its own)."""
    key, state, arrived = settled(source, agent)
    here, there = live_copies(source, genome), live_copies(destination, genome)
    assert len(here) + len(there) == 1, (state, here, there)
    if state == "retired":
        assert here == [] and there == [arrived], (here, there, arrived)
        cause = query(source, "SELECT death_cause FROM agents WHERE id = ?", agent)[0][0]
        assert cause.startswith(f"moved to {destination.url}"), cause
        sent = sent_document(source, key)["memories"]
        kept = memories(destination, there[0])
        assert len(kept) >= len(sent) > 0
        for memory, row in zip(sent, kept, strict=False):
            kinds = ("observation", "action", "conversation", "reflection")
            assert (kinds[row[0]], row[1], row[2], row[3], row[4]) == (
                memory["kind"], memory["at"], memory["importance"], memory["text"],
                memory["subject"],
            )  # fmt: skip
    else:
        assert state == "returned", state
        assert here == [agent] and there == []
    return key, state, arrived
