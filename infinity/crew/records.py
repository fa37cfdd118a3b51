"""Agents, crews and memories as flat records: what the store writes and reads back.

Conversion is only here: `agent_record`/`restore_agent` for a
whole mind (persona, purse, needs, intent, fate, seat), `memory_records`
for the memories not yet written, `accesses` for recalls since the last
write. Vectors travel as float32 bytes with the embedder's name, so a
restart recalls exactly what it recalled before.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final

import msgspec
import numpy as np

from infinity.crew.agent import Agent, Death
from infinity.crew.consent import Consent
from infinity.crew.crew import Captain, Crew, Station
from infinity.crew.embed import Embedder
from infinity.crew.genome import Persona
from infinity.crew.goals import Goal
from infinity.crew.grudges import Grudge
from infinity.crew.lineage import Lineage
from infinity.crew.memory import Memory, MemoryKind
from infinity.crew.mind import Minds
from infinity.crew.needs import PurseOf, interim_purse
from infinity.crew.orders import Order, OrderKind
from infinity.crew.planner import ACTION_INDEX, ACTIONS
from infinity.crew.steps import Intent


@dataclass(frozen=True, slots=True)
class AgentRecord:
    id: int
    genome: str
    name: str
    persona: str  # JSON of `Persona`
    credits: float
    needs: tuple[float, ...]  # levels by `Need`
    intent: str  # JSON: goal, target, plan (action names), step, order
    ship: int | None
    crew: int | None
    station: str | None
    alive: bool
    died_at: float | None
    death_cause: str | None
    embedder: str  # the vector space of its memories (`Embedder.name`)
    lineage: str = "{}"  # JSON of `Lineage`; "{}" (stored before 0010): grown, from its genome
    consents: str = "[]"  # JSON list of `Consent`: every answer to a copy or a move
    grudges: str = "[]"  # JSON list of `Grudge` (unfaded, as held); "[]" before 0012


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    agent: int
    id: int
    kind: int
    at: float
    importance: int
    text: str
    subject: str
    last_access: float
    cites: tuple[int, ...]
    vector: bytes


@dataclass(frozen=True, slots=True)
class CrewRecord:
    id: int
    name: str
    ship: int
    captain_name: str
    captain_agent: int | None
    captain_account: int | None
    captain_ship: int


# Memory and MemoryRecord share these fields as they are (`kind` is an int in the record).
_SHARED: Final = tuple(f.name for f in fields(Memory) if f.name != "kind")


def agent_record(minds: Minds, agent: Agent) -> AgentRecord:
    """Snapshot one agent (its needs come from the `Minds` it belongs to)."""
    crew = minds.crews.get(agent.crew) if agent.crew is not None else None
    station = crew.members.get(agent.id) if crew is not None else None
    death = agent.death
    return AgentRecord(
        id=agent.id,
        genome=agent.genome,
        name=agent.name,
        persona=msgspec.json.encode(agent.persona).decode(),
        credits=agent.purse.balance,
        needs=tuple(minds.needs_of(agent.id).values()),
        intent=msgspec.json.encode(_intent_doc(agent.intent)).decode(),
        ship=agent.ship,
        crew=agent.crew,
        station=None if station is None else station.value,
        alive=death is None,
        died_at=None if death is None else death.at,
        death_cause=None if death is None else death.cause,
        embedder=agent.memory.embedder.name,
        lineage=msgspec.json.encode(agent.lineage).decode(),
        consents=msgspec.json.encode(agent.consents).decode(),
        grudges=msgspec.json.encode(agent.grudges.every()).decode(),
    )


def _intent_doc(intent: Intent) -> dict[str, Any]:
    order = intent.order
    return {
        "goal": intent.goal.name,
        "target": intent.target,
        "target_name": intent.target_name,
        "plan": None if intent.plan is None else [ACTIONS[i].name for i in intent.plan],
        "step": intent.step,
        "order": None
        if order is None
        else {
            "kind": order.kind.value,
            "at": order.at,
            "target": order.target,
            "target_name": order.target_name,
            "hostile": order.hostile,
            "captain": order.captain,
        },
    }


def _intent(doc: dict[str, Any]) -> Intent:
    plan = doc.get("plan")
    order = doc.get("order")
    return Intent(
        goal=Goal[doc["goal"]],
        target=int(doc["target"]),
        target_name=str(doc.get("target_name", "")),
        plan=None if plan is None else tuple(ACTION_INDEX[name] for name in plan),
        step=int(doc.get("step", 0)),
        order=None
        if order is None
        else Order(
            OrderKind(order["kind"]),
            float(order["at"]),
            int(order["target"]),
            str(order["target_name"]),
            bool(order["hostile"]),
            str(order["captain"]),
        ),
    )


def restore_agent(
    minds: Minds,
    record: AgentRecord,
    memories: list[MemoryRecord],
    embedder: Embedder | None = None,
    purse: PurseOf = interim_purse,
) -> Agent:
    """Rebuild an agent from its record and memories and add it to `minds`.

    Vectors made by another embedder than `embedder` are recomputed from the text.
    """
    grown = msgspec.json.decode(record.persona.encode(), type=Persona)
    agent = Agent(
        record.id,
        record.genome,
        purse=purse(record.id, record.credits),
        embedder=embedder,
        grown=grown,
        lineage=_lineage(record),
    )
    agent.ship, agent.crew = record.ship, record.crew
    agent.consents = msgspec.json.decode(record.consents.encode(), type=list[Consent])
    agent.grudges.load(msgspec.json.decode(record.grudges.encode(), type=list[Grudge]))
    agent.intent = _intent(msgspec.json.decode(record.intent.encode()))
    restore_memories(agent, memories, same_space=record.embedder == agent.memory.embedder.name)
    agent.stored_memories = len(memories)
    if not record.alive:
        agent.death = Death(record.death_cause or "unknown", record.died_at or 0.0)
    minds.add(agent)
    minds.needs.levels[minds.row_of(agent.id)] = record.needs
    return agent


def restore_memories(agent: Agent, memories: list[MemoryRecord], same_space: bool = True) -> None:
    """Load memory records into an agent's stream; vectors made in another embedder's space
    (`same_space` False) are recomputed from the text."""
    agent.memory.load(
        (_memory(m) for m in memories),
        (_vector(m.vector) if same_space else None for m in memories),
    )


def _lineage(record: AgentRecord) -> Lineage | None:
    """The stored lineage; None (grown from its genome) for a mind stored before 0010."""
    if record.lineage in ("", "{}"):
        return None
    return msgspec.json.decode(record.lineage.encode(), type=Lineage)


def _memory(record: MemoryRecord) -> Memory:
    return Memory(**_shared_fields(record), kind=MemoryKind(record.kind))


def _shared_fields(memory: Memory | MemoryRecord) -> dict[str, Any]:
    """The fields a recalled memory and its record both hold as they are, named once."""
    return {name: getattr(memory, name) for name in _SHARED}


def _vector(raw: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    return np.frombuffer(raw, dtype=np.float32)


def memory_records(agent: Agent, start: int = 0) -> list[MemoryRecord]:
    """Memories from id `start` on, ready to append to the store."""
    stream = agent.memory
    out = []
    for memory_id in range(start, len(stream)):
        m = stream.get(memory_id)
        vector = stream.vector_bytes(memory_id)
        record = MemoryRecord(agent=agent.id, kind=int(m.kind), vector=vector, **_shared_fields(m))
        out.append(record)
    return out


def accesses(agent: Agent, below: int) -> list[tuple[int, int, float]]:
    """(agent, memory id, last access) of recalled memories already stored; clears the marks."""
    stream = agent.memory
    out = [(agent.id, i, float(stream.last_access[i])) for i in sorted(stream.touched) if i < below]
    stream.touched.clear()
    return out


def crew_record(crew: Crew) -> CrewRecord:
    c = crew.captain
    return CrewRecord(crew.id, crew.name, crew.ship, c.name, c.agent, c.account, c.ship)


def restore_crew(minds: Minds, record: CrewRecord, seats: dict[int, str]) -> Crew:
    """Rebuild a crew from its record and its members' stations (agent id -> station)."""
    captain = Captain(
        record.captain_name, record.captain_agent, record.captain_account, record.captain_ship
    )
    crew = Crew(record.id, record.name, record.ship, captain)
    crew.members = {agent: Station(station) for agent, station in seats.items()}
    minds.add_crew(crew)
    return crew
