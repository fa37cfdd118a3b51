"""Minds in the store's database: the crew's `Archive`, over the company's own tables.

Migration `0003_crew` creates these tables; the drift test compares the two.

* `crews`: a ship and its captain (an agent, or a player account).
* `agents`: one row per crew member ever grown: genome, persona (JSON),
  purse, needs, intent, seat, and fate; the dead stay as records.
* `memories`: the memory streams, keyed (agent_id, id) with ids dense from
  0 per agent; `vector` is float32 bytes in the agent's `embedder` space;
  `cites` is a JSON list of the memory ids a reflection came from.

`DatabaseArchive` takes the store's `AsyncEngine` (`Store.engine`) and speaks
in `infinity.crew.records` values. Bulk writes are one transaction and one
executemany, for a flusher that writes every few seconds.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Final

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.crew.agent import Agent
from infinity.crew.mind import Minds
from infinity.crew.needs import PurseOf
from infinity.crew.records import (
    AgentRecord,
    CrewRecord,
    MemoryRecord,
    accesses,
    agent_record,
    crew_record,
    memory_records,
    restore_agent,
    restore_crew,
)
from infinity.store.schema import metadata, reference
from infinity.store.sql import next_ids, record_of, row_of

AGENT_COUNTER: Final = "agent_id"

Fence = Callable[[AsyncConnection], Awaitable[None]]
"""Checked first inside every flush's transaction: raises (and the flush writes nothing)
when this process may no longer write the minds (a cluster's crew worker that lost the
company's lease while its flush was in flight)."""
# Record fields stored under another column name; every other field keeps its own.
_AGENT_COLUMNS: Final = {"ship": "ship_id", "crew": "crew_id"}
_CREW_COLUMNS: Final = {"ship": "ship_id"}
_MEMORY_COLUMNS: Final = {"agent": "agent_id"}

crews = sa.Table(
    "crews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("ship_id", sa.BigInteger, nullable=False),  # the ship the crew flies
    sa.Column("captain_name", sa.String(128), nullable=False),  # as the crew calls them
    sa.Column("captain_agent", sa.BigInteger, nullable=True),  # an agent captain, else NULL
    sa.Column("captain_account", sa.Integer, nullable=True),  # a player captain, else NULL
    sa.Column("captain_ship", sa.BigInteger, nullable=False),  # -1: aboard the crew's ship
    sa.Column("updated_at", sa.Float, nullable=False),
)

agents = sa.Table(
    "agents",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("genome", sa.Text, nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("persona", sa.Text, nullable=False),  # JSON
    sa.Column("credits", sa.Float, nullable=False),  # until the ledger holds them
    sa.Column("needs", sa.Text, nullable=False),  # JSON list of levels
    sa.Column("intent", sa.Text, nullable=False),  # JSON: goal, target, plan, step, order
    sa.Column("ship_id", sa.BigInteger, nullable=True),
    reference("crew_id", sa.Integer, "crews.id", ondelete="SET NULL", nullable=True, index=True),
    sa.Column("station", sa.String(16), nullable=True),
    sa.Column("alive", sa.Boolean, nullable=False),
    sa.Column("died_at", sa.Float, nullable=True),
    sa.Column("death_cause", sa.Text, nullable=True),
    sa.Column("embedder", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("lineage", sa.Text, nullable=False, server_default="{}"),  # JSON, since 0010
    sa.Column("consents", sa.Text, nullable=False, server_default="[]"),  # JSON, since 0010
    sa.Column("grudges", sa.Text, nullable=False, server_default="[]"),  # JSON, since 0012
)

memories = sa.Table(
    "memories",
    metadata,
    reference("agent_id", sa.BigInteger, "agents.id", ondelete="CASCADE", primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("importance", sa.SmallInteger, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("subject", sa.String(128), nullable=False),
    sa.Column("last_access", sa.Float, nullable=False),
    sa.Column("cites", sa.Text, nullable=False),  # JSON list of memory ids
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

_TOUCH = (
    sa.update(memories)
    .where(memories.c.agent_id == sa.bindparam("b_agent"))
    .where(memories.c.id == sa.bindparam("b_id"))
    .values(last_access=sa.bindparam("b_last_access"))
)


# -- agents and crews -----------------------------------------------------------


async def _allocate_agent_ids(engine: AsyncEngine, count: int) -> list[int]:
    """Reserve `count` fresh agent ids (the counter row is locked until commit)."""
    async with engine.begin() as connection:
        last = await next_ids(connection, AGENT_COUNTER, count)
    return list(range(last - count + 1, last + 1))


async def _load_crews(engine: AsyncEngine) -> list[CrewRecord]:
    async with engine.connect() as connection:
        result = await connection.execute(sa.select(crews).order_by(crews.c.id))
    return [_crew(row) for row in result]


# -- memories --------------------------------------------------------------------


async def _load_memories(engine: AsyncEngine, agent_id: int) -> list[MemoryRecord]:
    """One agent's memory stream, oldest first."""
    query = sa.select(memories).where(memories.c.agent_id == agent_id).order_by(memories.c.id)
    async with engine.connect() as connection:
        result = await connection.execute(query)
    return [_memory(row) for row in result]


async def stored_mind(
    connection: AsyncConnection, agent_id: int
) -> tuple[AgentRecord, list[MemoryRecord]] | None:
    """One agent's record and memory stream (oldest first) as stored; None: no such agent.
    On the caller's connection, so it reads alongside what else the caller reads."""
    row = (await connection.execute(sa.select(agents).where(agents.c.id == agent_id))).first()
    if row is None:
        return None
    query = sa.select(memories).where(memories.c.agent_id == agent_id).order_by(memories.c.id)
    return _agent(row), [_memory(m) for m in await connection.execute(query)]


# -- whole minds -----------------------------------------------------------------


async def _flush(
    engine: AsyncEngine,
    minds: Minds,
    only: Collection[int] | None = None,
    fence: Fence | None = None,
) -> int:
    """Write every agent (or `only` these, with their crews), every crew, new memories and
    recall times; returns memories written.

    Agents first (memories reference them), all in one transaction.
    """
    now = time.time()
    chosen = list(minds.agents.values()) if only is None else _chosen(minds, only)
    crew_ids = None if only is None else {a.crew for a in chosen} | _captained(minds, only)
    crews_chosen = [c for c in minds.crews.values() if crew_ids is None or c.id in crew_ids]
    # Built before the first await: what is remembered while the transaction runs stays
    # unwritten (and counted as such) until the next flush.
    counts = {agent.id: len(agent.memory) for agent in chosen}
    agent_rows = [_agent_row(agent_record(minds, a), now) for a in chosen]
    crew_rows = [_crew_row(crew_record(c), now) for c in crews_chosen]
    fresh: list[MemoryRecord] = []
    recalled: list[tuple[int, int, float]] = []
    for agent in chosen:
        fresh += memory_records(agent, agent.stored_memories)
        recalled += accesses(agent, agent.stored_memories)
    async with engine.begin() as connection:
        if fence is not None:
            await fence(connection)
        if crew_rows:
            await _upsert(connection, crews, crew_rows)
        if agent_rows:
            await _upsert(connection, agents, agent_rows)
        if fresh:
            await connection.execute(sa.insert(memories), [_memory_row(r) for r in fresh])
        if recalled:
            params = [{"b_agent": a, "b_id": m, "b_last_access": t} for a, m, t in recalled]
            await connection.execute(_TOUCH, params)
    for agent in chosen:
        agent.stored_memories = counts.get(agent.id, 0)
    return len(fresh)


def _chosen(minds: Minds, only: Collection[int]) -> list[Agent]:
    return [minds.agents[i] for i in sorted(set(only)) if i in minds.agents]


def _captained(minds: Minds, only: Collection[int]) -> set[int | None]:
    """The crews whose captain is one of `only` (a move may have changed who that is)."""
    wanted = set(only)
    return {c.id for c in minds.crews.values() if c.captain.agent in wanted}


async def _restore(engine: AsyncEngine, minds: Minds, purse_of: PurseOf) -> None:
    """Load every agent (with its memories) and crew into an empty `minds`."""
    async with engine.connect() as connection:
        agent_rows = (await connection.execute(sa.select(agents).order_by(agents.c.id))).all()
        memory_rows = (
            await connection.execute(
                sa.select(memories).order_by(memories.c.agent_id, memories.c.id)
            )
        ).all()
    streams: dict[int, list[MemoryRecord]] = {}
    for row in memory_rows:
        streams.setdefault(row.agent_id, []).append(_memory(row))
    seats: dict[int, dict[int, str]] = {}
    for row in agent_rows:
        record = _agent(row)
        restore_agent(minds, record, streams.get(record.id, []), purse=purse_of)
        if record.crew is not None and record.station is not None:
            seats.setdefault(record.crew, {})[record.id] = record.station
    for crew in await _load_crews(engine):
        restore_crew(minds, crew, seats.get(crew.id, {}))


class DatabaseArchive:
    """The crew's `Archive` over the store's database."""

    def __init__(self, engine: AsyncEngine, fence: Fence | None = None) -> None:
        self.engine = engine
        self.fence = fence

    async def allocate_ids(self, count: int) -> list[int]:
        return await _allocate_agent_ids(self.engine, count)

    async def restore(self, minds: Minds, purse_of: PurseOf) -> None:
        await _restore(self.engine, minds, purse_of)

    async def flush(self, minds: Minds, only: Collection[int] | None = None) -> int:
        return await _flush(self.engine, minds, only, self.fence)

    async def memories(self, agent_id: int) -> list[MemoryRecord]:
        return await _load_memories(self.engine, agent_id)


# -- plumbing ----------------------------------------------------------------------


async def _upsert(connection: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT .. ON CONFLICT (primary key) DO UPDATE, on SQLite or PostgreSQL."""
    dialect = connection.dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    keys = [column.name for column in table.primary_key.columns]
    updates = {c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys}
    await connection.execute(insert.on_conflict_do_update(index_elements=keys, set_=updates), rows)


def _agent_row(record: AgentRecord, now: float) -> dict[str, Any]:
    return row_of(record, _AGENT_COLUMNS, needs=_json(record.needs), updated_at=now)


def _agent(row: sa.Row[Any]) -> AgentRecord:
    needs = tuple(msgspec.json.decode(row.needs.encode(), type=list[float]))
    return record_of(AgentRecord, row, _AGENT_COLUMNS, needs=needs, alive=bool(row.alive))


def _crew_row(record: CrewRecord, now: float) -> dict[str, Any]:
    return row_of(record, _CREW_COLUMNS, updated_at=now)


def _crew(row: sa.Row[Any]) -> CrewRecord:
    return record_of(CrewRecord, row, _CREW_COLUMNS)


def _memory_row(record: MemoryRecord) -> dict[str, Any]:
    return row_of(record, _MEMORY_COLUMNS, cites=_json(record.cites))


def _memory(row: sa.Row[Any]) -> MemoryRecord:
    cites = tuple(msgspec.json.decode(row.cites.encode(), type=list[int]))
    return record_of(MemoryRecord, row, _MEMORY_COLUMNS, cites=cites, vector=bytes(row.vector))


def _json(values: tuple[float, ...] | tuple[int, ...]) -> str:
    """A tuple as the JSON list its TEXT column holds."""
    return msgspec.json.encode(list(values)).decode()
