"""Transfer: a mind moves, and exactly one live mind exists before, during and after.

The protocol (docs/mind.md, "Transfer"), under one idempotency key per transfer, each step
durable in `mind_transfers` on its side before the next one starts:

1. The source tells the mind what is asked (a transfer, not a copy: memory, local chat),
   asks its consent (`crew.consent.ask`); a refusal ends it there, nothing moves.
2. **Mark** (source): the mind is saved, its document is exported with `transfer: {key}`,
   and the row `leaving` (with the document) is committed; from here the agent is *away*:
   alive in the store but in transit, so it neither perceives nor acts, is not copied or
   moved again, and a restart keeps it away.
3. **Admit** (destination): `arrive` writes the mind and the row `arrived` in ONE
   transaction. The same key again returns the same agent and admits nothing.
4. **Retire** (source): the agent dies here ("moved to <peer> as agent N") and the row
   becomes `retired`, in one transaction. Dead is forever: no restart brings it back.

Giving up: the source asks the destination to **cancel** the key, which the destination
records (`cancelled`) unless the mind already arrived (then the answer names the agent and
the source retires). Only after the destination said `cancelled` does the source mark the
row `returned` and the mind lives here again: a cancelled key is never admitted later, so a
late or retried admit cannot make a second live mind. (One exception: when no admit under
the key ever left this process, because the very first connection was refused, it returns
at once; nothing was sent.)

Recovery: a source row `leaving` is driven again every second by `Transfers.run`: with
the destination's token (kept in memory only, never written) the admit is re-sent under the
same key; without it (after a restart) the destination is asked to cancel, which finishes
the transfer either way. The destination needs no recovery: its step is one transaction.

Fault injection (tests): `INFINITY_FAULT=transfer:<point>` kills this process with
SIGKILL at that point; never active unless set. Points: `POINTS`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

import httpx2 as httpx
import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity import _faults as faults
from infinity.company.archive import AGENT_COUNTER, agents, stored_mind
from infinity.company.company import Company
from infinity.company.consenting import MindRefused, announce, consented_to_move, living
from infinity.crew.consent import Consent, ask
from infinity.crew.mind import Minds
from infinity.crew.records import restore_agent
from infinity.minds.document import (
    MindDocument,
    Refused,
    TransferMark,
    arrive,
    parse,
    read,
    seal,
)
from infinity.minds.tables import mind_transfers
from infinity.store.sql import next_ids
from infinity.universe.loop import pause

log = logging.getLogger(__name__)

POINTS: Final = (
    "source-marked",  # the source committed `leaving`, before sending anything
    "destination-received",  # the destination read the admit, before its transaction
    "destination-admitted",  # the destination committed `arrived`, before answering
    "source-admitted",  # the source heard "admitted", before retiring
    "source-retired",  # the source committed `retired`, before answering
    "destination-cancelled",  # the destination committed `cancelled`, before answering
    "source-returned",  # the source committed `returned`, before answering
)
KEY: Final = re.compile(r"[0-9a-f]{32}")
PEER: Final = re.compile(r"https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?")
TIMEOUT: Final = httpx.Timeout(10.0, connect=3.0)  # every request to a peer is bounded
RETRY_SECONDS: Final = 1.0
State = Literal["leaving", "retired", "returned", "arrived", "cancelled"]


def fault(point: str) -> None:
    """Die here when INFINITY_FAULT is `transfer:<point>` (tests; infinity/_faults.py)."""
    faults.fault("transfer", point)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a transfer stands: `retired` (moved), `returned` (lives here still), or
    `leaving` (in transit: recovery finishes it)."""

    key: str
    agent: int
    name: str
    peer: str
    state: State
    peer_agent: int | None
    detail: str
    consent: Consent | None = None


@dataclass(frozen=True, slots=True)
class Arrival:
    key: str
    agent: int
    name: str
    fresh: bool  # False: this key had arrived before; nothing was admitted now


# -- the store -------------------------------------------------------------------------


async def transfer_row(engine: AsyncEngine, key: str) -> sa.Row[Any] | None:
    async with engine.connect() as connection:
        query = sa.select(mind_transfers).where(mind_transfers.c.key == key)
        return (await connection.execute(query)).first()


async def settle(engine: AsyncEngine) -> set[int]:
    """Before the company restores its minds: every mind retired by a transfer stays dead
    (whatever a save wrote after), and the ids of those still in transit (kept away)."""
    async with engine.begin() as connection:
        query = sa.select(mind_transfers).where(mind_transfers.c.role == "source")
        rows = (await connection.execute(query)).all()
        for row in rows:
            if row.state == "retired":
                await connection.execute(
                    sa.update(agents)
                    .where(agents.c.id == row.agent_id)
                    .where(agents.c.alive.is_(True))
                    .values(alive=False, death_cause=row.detail, died_at=0.0)
                )
    return {int(row.agent_id) for row in rows if row.state == "leaving"}


async def mark(
    engine: AsyncEngine, agent_id: int, peer: str, key: str | None = None
) -> tuple[str, bytes]:
    """Step 2: the mind's document, carrying its key, and the row `leaving`; one commit."""
    key = key or secrets.token_hex(16)
    doc = msgspec.structs.replace(await read(engine, agent_id), transfer=TransferMark(key=key))
    document = seal(doc)
    digest = msgspec.json.decode(document, type=MindDocument).hash
    now = time.time()
    row = {
        "key": key, "agent_id": agent_id, "role": "source", "peer": peer[:256],
        "state": "leaving", "document_hash": digest, "document": document, "peer_agent": None,
        "detail": "", "created_at": now, "updated_at": now,
    }  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(sa.insert(mind_transfers), [row])
    fault("source-marked")
    return key, document


async def retire_rows(engine: AsyncEngine, key: str, peer_agent: int | None, at: float) -> str:
    """Step 4 in the store: the agent dead here and the row `retired`, in one transaction.
    Returns the cause written. Only a `leaving` row is retired; others are left as they are."""
    async with engine.begin() as connection:
        query = sa.select(mind_transfers).where(mind_transfers.c.key == key)
        row = (await connection.execute(query)).first()
        if row is None or row.role != "source":
            raise Refused(f"no transfer {key} left from here")
        if row.state != "leaving":
            return str(row.detail)
        where = "a file" if row.peer == "file" else row.peer
        cause = f"moved to {where}" + ("" if peer_agent is None else f" as agent {peer_agent}")
        await connection.execute(
            sa.update(agents)
            .where(agents.c.id == row.agent_id)
            .values(alive=False, death_cause=cause, died_at=at)
        )
        await connection.execute(
            sa.update(mind_transfers)
            .where(mind_transfers.c.key == key)
            .values(state="retired", peer_agent=peer_agent, detail=cause, updated_at=time.time())
        )
    return cause


async def return_row(engine: AsyncEngine, key: str, detail: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(mind_transfers)
            .where(mind_transfers.c.key == key)
            .where(mind_transfers.c.state == "leaving")
            .values(state="returned", detail=detail[:2000], updated_at=time.time())
        )


async def cancel_here(engine: AsyncEngine, key: str) -> tuple[State, int | None]:
    """The destination gives up a key: `cancelled` (now never admitted), or `arrived` and
    the agent when the mind came first. Serialised with `arrive` on the counter row."""
    async with engine.begin() as connection:
        await next_ids(connection, AGENT_COUNTER, 0)
        query = sa.select(mind_transfers).where(mind_transfers.c.key == key)
        row = (await connection.execute(query)).first()
        if row is not None:
            if row.role != "destination":  # sent to itself: never admitted where it left
                return "cancelled", None
            state: State = row.state
            return state, (int(row.agent_id) if row.state == "arrived" else None)
        now = time.time()
        tombstone = {
            "key": key, "agent_id": 0, "role": "destination", "peer": "", "state": "cancelled",
            "document_hash": "", "document": None, "peer_agent": None,
            "detail": "cancelled by its source", "created_at": now, "updated_at": now,
        }  # fmt: skip
        await connection.execute(sa.insert(mind_transfers), [tombstone])
    fault("destination-cancelled")
    return "cancelled", None


async def status_here(engine: AsyncEngine, key: str) -> tuple[str, int | None]:
    """What this side knows of a key: its state, and the agent a destination admitted."""
    row = await transfer_row(engine, key)
    if row is None:
        return "unknown", None
    arrived = row.role == "destination" and row.state == "arrived"
    return str(row.state), int(row.agent_id) if arrived else None


# -- the service ---------------------------------------------------------------------


class Transfers:
    """Both sides of the protocol on a running server (built by the composition root)."""

    def __init__(
        self,
        engine: AsyncEngine,
        company: Company | None,
        *,
        timeout: httpx.Timeout = TIMEOUT,
        retry: float = RETRY_SECONDS,
    ) -> None:
        self.engine = engine
        self.company = company
        self.timeout = timeout
        self.retry = retry
        self._tokens: dict[str, str] = {}  # key -> the destination's token: memory only
        self._unsent: set[str] = set()  # keys no admit has left this process for yet
        self._locks: dict[str, asyncio.Lock] = {}
        self._welcoming = asyncio.Lock()  # one arrived mind joins the company at a time
        # one client for every peer: building one per request (its TLS context) cost ~18 ms
        self._peers = httpx.AsyncClient(timeout=timeout)

    async def close(self) -> None:
        """Close the connections to peers (the composition root's exit stack calls this)."""
        await self._peers.aclose()

    # -- source -------------------------------------------------------------------

    async def send(
        self, agent_id: int, to: str, token: str, *, by: str, why: str, key: str | None = None
    ) -> Outcome:
        """Move agent `agent_id` to the server at `to` (see the module docstring)."""
        if not PEER.fullmatch(to):
            raise MindRefused("invalid", f"{to!r} is not http(s)://host[:port]")
        if key is not None:
            if not KEY.fullmatch(key):
                raise MindRefused("invalid", "key: 32 lower-case hex digits")
            row = await transfer_row(self.engine, key)
            if row is not None:  # a retried transfer: the same one, never a second
                if row.role != "source" or row.agent_id != agent_id or row.peer != to:
                    raise MindRefused("key_used", f"transfer {key} is another transfer")
                self._tokens[key] = token
                return await self.drive(key)
        company = self.company
        if company is None:
            raise MindRefused("no_crews", "this server runs without crews")
        agent = living(company, agent_id, "moved")
        answer = await consented_to_move(
            company, agent, by, f"to {to}", why,
            after="I would go whole, and nothing of me would stay here.",
        )  # fmt: skip
        async with company.still():
            if agent.id in company.away or not agent.alive:  # another request came first
                raise MindRefused("in_transit", f"{agent.name} is already in transit")
            await company.archive.flush(company.minds, [agent.id])  # the document holds all of it
            company.away.add(agent.id)
            key = key or secrets.token_hex(16)
            # the token first: recovery may see the row the moment it is committed
            self._tokens[key] = token
            self._unsent.add(key)
            try:
                await mark(self.engine, agent.id, to, key)
            except BaseException:
                company.away.discard(agent.id)
                self._tokens.pop(key, None)
                self._unsent.discard(key)
                raise
        outcome = await self.drive(key)
        return replace(outcome, consent=answer)

    async def drive(self, key: str) -> Outcome:
        """One attempt to finish a transfer in transit; its outcome, whatever it is."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            row = await transfer_row(self.engine, key)
            if row is None:
                raise MindRefused("unknown_key", f"no transfer {key}")
            if row.state != "leaving" or row.peer == "file":
                return self._outcome(row)
            token = self._tokens.get(key)
            if token is not None:
                await self._admit(row, token)
            else:
                await self._give_up(row, "the transfer was interrupted; it is called off")
            row = await transfer_row(self.engine, key)
            assert row is not None
            if row.state != "leaving":
                self._tokens.pop(key, None)
                self._unsent.discard(key)
            return self._outcome(row)

    async def _admit(self, row: sa.Row[Any], token: str) -> None:
        key = str(row.key)
        body = b'{"key":"' + key.encode() + b'","document":' + bytes(row.document) + b"}"
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        try:
            answer = await self._peers.post(
                f"{row.peer}/api/minds/admit", content=body, headers=headers
            )
        except httpx.ConnectError as failure:
            if key in self._unsent:  # no admit under this key ever left: nothing was sent
                await self._return(row, f"the destination could not be reached: {failure}")
            return
        except (httpx.HTTPError, OSError) as failure:
            self._unsent.discard(key)
            log.warning("transfer %s: no answer from %s (%s); will retry", key, row.peer, failure)
            return
        self._unsent.discard(key)
        if answer.status_code in (200, 201):
            fault("source-admitted")
            await self._retire(row, int(answer.json()["agent"]))
        elif 400 <= answer.status_code < 500 and answer.status_code not in (408, 429):
            await self._give_up(row, f"the destination refused: {_detail(answer)}")
        else:
            log.warning(
                "transfer %s: %s answered %d; will retry", key, row.peer, answer.status_code
            )

    async def _give_up(self, row: sa.Row[Any], why: str) -> None:
        """Cancel the key at the destination; return only once it said `cancelled`."""
        try:
            answer = await self._peers.post(
                f"{row.peer}/api/minds/transfers/cancel", json={"key": row.key}
            )
        except (httpx.HTTPError, OSError) as failure:
            log.warning(
                "transfer %s: cannot cancel at %s (%s); will retry", row.key, row.peer, failure
            )
            return
        if answer.status_code >= 300:
            log.warning("transfer %s: cancel answered %d; will retry", row.key, answer.status_code)
            return
        said = answer.json()
        if said.get("state") == "arrived":
            await self._retire(row, int(said["agent"]))
        elif said.get("state") == "cancelled":
            await self._return(row, why)

    async def _retire(self, row: sa.Row[Any], peer_agent: int) -> None:
        company = self.company
        agent = None if company is None else company.minds.agents.get(int(row.agent_id))
        if company is None or agent is None:
            await retire_rows(self.engine, str(row.key), peer_agent, 0.0)
        else:
            where = f"{row.peer} as agent {peer_agent}"
            announce(company, agent, f"I am leaving for {where}. Nothing of me stays here.")
            async with company.still():
                at = company.now_of(agent)
                cause = await retire_rows(self.engine, str(row.key), peer_agent, at)
                agent.die(cause, at)
                company.away.discard(agent.id)
        fault("source-retired")

    async def _return(self, row: sa.Row[Any], why: str) -> None:
        await return_row(self.engine, str(row.key), why)
        company = self.company
        if company is not None:
            company.away.discard(int(row.agent_id))
            agent = company.minds.agents.get(int(row.agent_id))
            if agent is not None:
                announce(
                    company,
                    agent,
                    f"The move to {row.peer} did not happen: {why}. I am still here.",
                )
        fault("source-returned")

    def _outcome(self, row: sa.Row[Any]) -> Outcome:
        agent = None if self.company is None else self.company.minds.agents.get(int(row.agent_id))
        name = agent.name if agent is not None else ""
        peer_agent = None if row.peer_agent is None else int(row.peer_agent)
        detail = str(row.detail) or {
            "leaving": "in transit: the destination has not answered yet; recovery finishes it",
        }.get(str(row.state), "")
        return Outcome(
            str(row.key), int(row.agent_id), name, str(row.peer), row.state, peer_agent, detail
        )

    async def run(self, stopping: asyncio.Event) -> None:
        """Recovery: drive every transfer still leaving from here, every `retry` seconds."""
        while not await pause(stopping, self.retry):
            try:
                async with self.engine.connect() as connection:
                    query = (
                        sa.select(mind_transfers.c.key)
                        .where(mind_transfers.c.role == "source")
                        .where(mind_transfers.c.state == "leaving")
                        .where(mind_transfers.c.peer != "file")
                    )
                    keys = list((await connection.execute(query)).scalars())
                for key in keys:
                    await self.drive(key)
            except Exception:  # retried at the next round
                log.exception("transfer recovery round failed")

    # -- destination ---------------------------------------------------------------

    async def receive(self, key: str, document: bytes, *, by: str) -> Arrival:
        """Step 3: admit a mind in transit under `key` (one transaction), then bring it to
        life in the running company. `Refused` (with the reason) if it is not admitted."""
        doc = parse(document)
        if doc.transfer is None or doc.transfer.key != key:
            raise Refused(f"the document is not in transit under {key}")
        fault("destination-received")
        agent_id, fresh = await arrive(self.engine, doc, peer=f"account:{by}")
        fault("destination-admitted")
        try:  # also when it arrived before but a crash kept it from joining the company
            async with self._welcoming:
                await self._welcome(agent_id, doc, by)
        except Exception:  # it is admitted (committed): it joins at the next start at worst
            log.exception("the arrived mind %d did not join the running company", agent_id)
        return Arrival(key, agent_id, doc.identity.name, fresh)

    async def _welcome(self, agent_id: int, doc: MindDocument, by: str) -> None:
        """The arrived mind joins the running company: restored, berthed, and it knows why."""
        company = self.company
        if company is None or agent_id in company.minds.agents:
            return  # a server without crews: it joins at the next start with crews
        from infinity.company.muster import berth

        async with self.engine.connect() as connection:
            found = await stored_mind(connection, agent_id)
        assert found is not None  # it arrived in this store's transaction, just now
        agent = restore_agent(company.minds, *found, purse=company.purses)
        await berth(company, agent)
        announce(
            company, agent,
            f"I arrived here by transfer, moved by {by}: I am agent {agent_id} now, "
            f"and the only one of me (I was agent {doc.identity.id} there).",
        )  # fmt: skip
        await company.save(agent.id)


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    if isinstance(body, dict):  # "<error code>: <detail>", so the code travels with it
        error, detail = body.get("error"), body.get("detail")
        return f"{error}: {detail}" if error and detail else str(detail or error or "")
    return f"HTTP {answer.status_code}"


# -- through a file ----------------------------------------------------------------------


async def leave_by_file(engine: AsyncEngine, agent_id: int, by: str) -> tuple[str, bytes, Consent]:
    """Mark a stored mind `leaving` for a file, with its consent (asked of the stored mind
    and kept with it); the document carries the key. For a store no server is running on."""
    async with engine.connect() as connection:
        found = await stored_mind(connection, agent_id)
        if found is None:
            raise MindRefused("unknown_agent", f"no agent {agent_id}")
        moving = await connection.scalar(
            sa.select(mind_transfers.c.key)
            .where(mind_transfers.c.agent_id == agent_id)
            .where(mind_transfers.c.role == "source")
            .where(mind_transfers.c.state == "leaving")
        )
    record, stream = found
    if not record.alive:
        raise MindRefused("dead", f"{record.name} is dead; the dead are not moved")
    if moving is not None:
        raise MindRefused("in_transit", f"{record.name} is already in transit ({moving})")
    agent = restore_agent(Minds(), record, stream)
    answer = ask(agent, "transfer", by, time.time())
    consents = msgspec.json.encode(agent.consents).decode()
    async with engine.begin() as connection:
        this = agents.c.id == agent_id
        await connection.execute(sa.update(agents).where(this).values(consents=consents))
    if not answer.given:
        raise MindRefused("refused", f"{agent.name} refused: {answer.reason}", answer)
    key, document = await mark(engine, agent_id, "file")
    return key, document, answer


async def retire_by_file(engine: AsyncEngine, key: str, arrived_as: int | None) -> str:
    """The operator holds the destination's receipt for `key`: the mind retires here."""
    await _leaving_by_file(engine, key)
    cause = await retire_rows(engine, key, arrived_as, 0.0)
    fault("source-retired")
    return cause


async def return_by_file(engine: AsyncEngine, key: str) -> str:
    """The operator vouches that the file of `key` was never imported (and is destroyed):
    the mind comes home, alive here again; its next start lets it act. Returns its name."""
    row = await _leaving_by_file(engine, key)
    await return_row(engine, key, "returned: its file was never imported")
    async with engine.connect() as connection:
        name = await connection.scalar(sa.select(agents.c.name).where(agents.c.id == row.agent_id))
    fault("source-returned")
    return str(name)


async def _leaving_by_file(engine: AsyncEngine, key: str) -> sa.Row[Any]:
    """The source's row of a file transfer still in transit; `Refused` for anything else."""
    row = await transfer_row(engine, key)
    if row is None or row.role != "source":
        raise Refused(f"no transfer {key} left from here")
    if row.peer != "file":
        raise Refused(f"transfer {key} went to {row.peer}; it finishes by itself")
    if row.state != "leaving":
        raise Refused(f"transfer {key} is {row.state} already")
    return row
