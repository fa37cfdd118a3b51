"""The mind document: one mind, whole, as a versioned, self-describing, hashed JSON file.

docs/mind.md is the reference for every field, the hash rule and what `parse` and
`admit` refuse. In short:

* `export(engine, agent_id)` reads one agent from the store (its row, its memories with
  their vectors, its crew and ship for the record) and returns the sealed document's bytes.
* `parse(data)` checks size, JSON and schema (errors name the field path), the content
  hash (a mismatch is `Tampered`), then the document's own consistency (memory ids,
  citations, vectors, genome, persona, lineage); it returns a `MindDocument` or raises
  a `Refused` saying why.
* `admit(engine, doc)` writes the mind into a store in one transaction: no ship, no
  crew, no credits; refused when the same mind already lives there.

A mind never carries money: credits belong to the ledger and stay where they are.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

import msgspec
import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity import __version__
from infinity.company.archive import AGENT_COUNTER, agents, crews, memories, stored_mind
from infinity.crew.agent import Agent
from infinity.crew.consent import Consent
from infinity.crew.crew import Station
from infinity.crew.embed import MiniLMEmbedder
from infinity.crew.genome import MAX_BASES, InvalidGenome, Persona, normalise, persona
from infinity.crew.grudges import MOST
from infinity.crew.lineage import Lineage, genome_key
from infinity.crew.memory import MAX_TEXT, MemoryKind
from infinity.crew.mind import Minds
from infinity.crew.needs import Balance, Need
from infinity.crew.records import AgentRecord, MemoryRecord, agent_record
from infinity.minds.tables import mind_transfers
from infinity.store.schema import counters
from infinity.store.sql import next_ids, row_of
from infinity.universe.tables import ships

FORMAT: Final = "infinity.mind"
VERSION: Final = 1
MAX_BYTES: Final = 128 * 2**20  # a document larger than this is neither written nor read
HASH_PREFIX: Final = "sha256:"
MAX_TIME: Final = 1e15  # simulated or unix seconds; anything later is not a time
NAME_LENGTH: Final = 128  # the store's name and subject columns

SimTime = Annotated[float, msgspec.Meta(ge=0.0, le=MAX_TIME)]
Name = Annotated[str, msgspec.Meta(max_length=NAME_LENGTH)]
Level = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
Id = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
KindName = Literal["observation", "action", "conversation", "reflection"]
NeedName = Literal["credits", "safety", "company", "purpose"]


class Refused(ValueError):
    """A mind document that is not admitted, and why (`str(refused)` is the reason)."""


class Invalid(Refused):
    """Not a well-formed, self-consistent mind document of a version this server reads."""


class Tampered(Refused):
    """Well-formed, but its content does not match its hash."""


class AlreadyAlive(Refused):
    """The mind already lives in this store: admitting it would make a second live copy."""


class Dead(Refused):
    """The mind is dead; the dead are records and are not admitted anywhere."""


class KeyUsed(Refused):
    """The transfer key was given up by its source, or came with another document."""


class UnknownAgent(LookupError):
    """No agent of that id in the store."""


# -- the format ----------------------------------------------------------------------


class Identity(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Id  # the agent id in the store it was exported from
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_LENGTH)]


class MemoryEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Id  # dense from 0, in order
    kind: KindName
    at: SimTime  # simulated seconds of the zone clock the mind lived on
    importance: Annotated[int, msgspec.Meta(ge=1, le=10)]
    text: Annotated[str, msgspec.Meta(max_length=MAX_TEXT)]
    subject: Name
    last_access: SimTime
    cites: list[Id]  # earlier memory ids a reflection was drawn from
    vector: bytes  # float32 little-endian, `embedder` space; base64 in JSON


class GrudgeEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    ship: Id
    name: Name
    weight: Annotated[float, msgspec.Meta(ge=0.0, le=MOST)]
    at: SimTime


class CrewSeat(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Id
    name: Name
    station: Station | None
    captain: Name


class ShipEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Id
    name: Name
    role: Annotated[str, msgspec.Meta(max_length=16)]


class DeathEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    cause: str
    at: SimTime


class TransferMark(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A document that carries a mind in transit: admitted under `key`, at most once."""

    key: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{32}$")]


class MindDocument(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """One mind (docs/mind.md). `hash` is over everything else (`content_hash`).

    `transfer` is the one field that may be absent: only a mind in transit carries it."""

    format: Literal["infinity.mind"]
    version: Literal[1]
    exported_at: Annotated[datetime, msgspec.Meta(tz=True)]
    source: str
    identity: Identity
    genome: Annotated[str, msgspec.Meta(max_length=MAX_BASES)]
    persona: Persona
    lineage: Lineage
    needs: dict[NeedName, Level]
    embedder: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    memories: list[MemoryEntry]
    grudges: list[GrudgeEntry]
    crew: CrewSeat | None
    ship: ShipEntry | None
    death: DeathEntry | None
    consent: list[Consent]  # every answer the mind gave to a copy or a move, oldest first
    hash: str
    transfer: TransferMark | None = None  # in transit under this key (docs/mind.md, Transfer)


class _Header(msgspec.Struct):
    format: Any = None
    version: Any = None


_KINDS: Final[dict[MemoryKind, Any]] = {kind: kind.name.lower() for kind in MemoryKind}
_KIND_OF: Final[dict[str, MemoryKind]] = {name: kind for kind, name in _KINDS.items()}
_HASHED: Final = re.compile(r"hashed-(\d+)")


def content_hash(doc: MindDocument) -> str:
    """The content hash: "sha256:" + hex SHA-256 of the canonical JSON of the document
    without `hash` (msgspec's encoding, every object's keys sorted, no whitespace)."""
    fields = msgspec.structs.asdict(doc)
    del fields["hash"]
    if fields["transfer"] is None:  # absent, as in every document not in transit
        del fields["transfer"]
    return HASH_PREFIX + hashlib.sha256(msgspec.json.encode(fields, order="sorted")).hexdigest()


def seal(doc: MindDocument) -> bytes:
    """The document with its hash, as the canonical bytes a file holds."""
    sealed = msgspec.structs.replace(doc, hash=content_hash(doc))
    return msgspec.json.encode(sealed, order="sorted")


def build(
    record: AgentRecord,
    stream: Sequence[MemoryRecord],
    *,
    crew: CrewSeat | None = None,
    ship: ShipEntry | None = None,
    at: datetime | None = None,
) -> MindDocument:
    """A mind document (unsealed: `hash` empty) from an agent's record and memories."""
    lineage = (
        Lineage(genome=genome_key(record.genome))
        if record.lineage in ("", "{}")
        else msgspec.json.decode(record.lineage, type=Lineage)
    )
    death = None
    if not record.alive:
        death = DeathEntry(cause=record.death_cause or "unknown", at=record.died_at or 0.0)
    return MindDocument(
        format=FORMAT,
        version=VERSION,
        exported_at=at or datetime.now(UTC),
        source=f"infinity {__version__}",
        identity=Identity(id=record.id, name=record.name),
        genome=record.genome,
        persona=msgspec.json.decode(record.persona, type=Persona),
        lineage=lineage,
        needs=_needs(record.needs),
        embedder=record.embedder,
        memories=[
            MemoryEntry(
                id=m.id,
                kind=_KINDS[MemoryKind(m.kind)],
                at=m.at,
                importance=m.importance,
                text=m.text,
                subject=m.subject,
                last_access=m.last_access,
                cites=list(m.cites),
                vector=m.vector,
            )
            for m in stream
        ],
        grudges=msgspec.json.decode(record.grudges, type=list[GrudgeEntry]),
        crew=crew,
        ship=ship,
        death=death,
        consent=msgspec.json.decode(record.consents, type=list[Consent]),
        hash="",
    )


def _needs(levels: Sequence[float]) -> dict[NeedName, float]:
    named: dict[Any, float] = {n.name.lower(): float(v) for n, v in zip(Need, levels, strict=True)}
    return named


def _levels(needs: dict[NeedName, float]) -> list[float]:
    named: dict[Any, float] = dict(needs)
    return [named[need.name.lower()] for need in Need]


# -- reading a document ----------------------------------------------------------------


def parse(data: bytes) -> MindDocument:
    """The document in `data`, checked whole; raises `Invalid` or `Tampered` with the reason."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"too large: {len(data)} bytes, at most {MAX_BYTES}")
    try:
        header = msgspec.json.decode(data, type=_Header)
    except msgspec.DecodeError as bad:
        raise Invalid(f"not a JSON object: {bad}") from None
    if header.format != FORMAT:
        raise Invalid(f"not a mind document: format is {header.format!r}, expected {FORMAT!r}")
    if header.version != VERSION:
        raise Invalid(f"version {header.version!r} is not one this server reads ({VERSION})")
    try:
        doc = msgspec.json.decode(data, type=MindDocument)
    except msgspec.DecodeError as bad:
        raise Invalid(f"invalid: {bad}") from None
    expected = content_hash(doc)
    if doc.hash != expected:
        raise Tampered(
            f"tampered: the content hash is {expected}, the document says {doc.hash or '(none)'}"
        )
    check(doc)
    return doc


def check(doc: MindDocument) -> None:
    """Everything the schema cannot say; raises `Invalid` naming the field."""
    try:
        genome = normalise(doc.genome)
    except InvalidGenome as bad:
        raise Invalid(f"$.genome: {bad}") from None
    if genome != doc.genome:
        raise Invalid("$.genome: not normalised (upper-case A, C, G, T only, no header)")
    grown = persona(genome)
    named = msgspec.structs.replace(
        doc.persona,
        name=grown.name,
        given_name=grown.given_name,
        family_name=grown.family_name,
    )
    if named != grown:
        raise Invalid("$.persona: not the persona this genome grows (only the names may differ)")
    if doc.identity.name != doc.persona.name:
        raise Invalid(f"$.identity.name: {doc.identity.name!r} is not the persona's name")
    if doc.lineage.genome != genome_key(genome):
        raise Invalid(f"$.lineage.genome: {doc.lineage.genome!r} is not this genome's key")
    if doc.lineage.kind == "copy" and doc.lineage.derived_from is None:
        raise Invalid("$.lineage.derived_from: a copy must name its original")
    missing = sorted({need.name.lower() for need in Need} - doc.needs.keys())
    if missing:
        raise Invalid(f"$.needs: missing {', '.join(missing)}")
    _check_memories(doc)


def _check_memories(doc: MindDocument) -> None:
    width = _vector_bytes(doc)
    for position, memory in enumerate(doc.memories):
        where = f"$.memories[{position}]"
        if memory.id != position:
            raise Invalid(f"{where}.id: {memory.id}, expected {position} (ids are dense from 0)")
        for cited in memory.cites:
            if cited >= position:
                raise Invalid(f"{where}.cites: {cited} is not an earlier memory")
        if len(memory.vector) != width:
            raise Invalid(
                f"{where}.vector: {len(memory.vector)} bytes, expected {width} for {doc.embedder}"
            )
    if doc.memories:
        columns = np.frombuffer(b"".join(m.vector for m in doc.memories), dtype="<f4")
        if not np.isfinite(columns).all():
            raise Invalid("$.memories: a vector holds a value that is not a finite number")


def _vector_bytes(doc: MindDocument) -> int:
    """Bytes of one vector: the embedder's dims x 4 when known, else the first vector's."""
    hashed = _HASHED.fullmatch(doc.embedder)
    if hashed is not None:
        return 4 * int(hashed.group(1))
    if doc.embedder == MiniLMEmbedder.name:
        return 4 * MiniLMEmbedder.dims
    width = len(doc.memories[0].vector) if doc.memories else 4
    if width == 0 or width % 4:
        raise Invalid(f"$.memories[0].vector: {width} bytes is not a float32 vector")
    return width


# -- the store --------------------------------------------------------------------------


async def export(engine: AsyncEngine, agent_id: int) -> bytes:
    """The sealed document of agent `agent_id` as stored; raises `UnknownAgent`.

    What the store holds is what a running server last saved (it saves every few seconds).
    """
    data = seal(await read(engine, agent_id))
    if len(data) > MAX_BYTES:
        raise Refused(f"the document would be {len(data)} bytes, more than {MAX_BYTES}")
    return data


async def read(engine: AsyncEngine, agent_id: int) -> MindDocument:
    """Agent `agent_id`'s unsealed document, from one consistent read of the store."""
    async with engine.connect() as connection:
        found = await stored_mind(connection, agent_id)
        if found is None:
            raise UnknownAgent(f"no agent {agent_id}")
        record, stream = found
        crew = await _crew_seat(connection, record)
        ship = await _ship(connection, record.ship)
    return build(record, stream, crew=crew, ship=ship)


async def _crew_seat(connection: AsyncConnection, agent: AgentRecord) -> CrewSeat | None:
    if agent.crew is None:
        return None
    query = sa.select(crews.c.name, crews.c.captain_name).where(crews.c.id == agent.crew)
    row = (await connection.execute(query)).first()
    if row is None:
        return None
    station = None if agent.station is None else Station(agent.station)
    return CrewSeat(id=agent.crew, name=row.name, station=station, captain=row.captain_name)


async def _ship(connection: AsyncConnection, ship_id: int | None) -> ShipEntry | None:
    if ship_id is None:
        return None
    query = sa.select(ships.c.name, ships.c.role).where(ships.c.id == ship_id)
    row = (await connection.execute(query)).first()
    return None if row is None else ShipEntry(id=ship_id, name=row.name, role=row.role)


async def admit(engine: AsyncEngine, doc: MindDocument, *, peer: str = "file") -> int:
    """Write the mind into the store in one transaction; returns its agent id here.

    It keeps its id when this store never handed that id out, else takes a fresh one. It
    arrives with no ship, no crew and no credits (the company berths it at its next start).
    Refused (`AlreadyAlive`) when the same mind lives here already: an alive agent of the
    same genome and name whose memories and the document's agree as far as both go.
    A document in transit (`transfer`) is admitted at most once under its key: see `arrive`.
    """
    agent_id, _ = await arrive(engine, doc, peer=peer)
    return agent_id


async def arrive(engine: AsyncEngine, doc: MindDocument, *, peer: str = "file") -> tuple[int, bool]:
    """`admit`, saying whether the mind arrived now (True) or had arrived before (False).

    A document in transit writes its `mind_transfers` row (`arrived`) in the same
    transaction as the mind: admitted again under that key, it returns the same agent id
    and admits nothing; a key its source gave up (`cancelled`) or that came with another
    document is refused (`KeyUsed`).
    """
    if doc.death is not None:
        raise Dead(f"the mind is dead ({doc.death.cause}); the dead are not admitted")
    key = doc.transfer.key if doc.transfer is not None else None
    async with engine.begin() as connection:
        # Taking the counter row first serialises admissions: two cannot both pass the check.
        last = await next_ids(connection, AGENT_COUNTER, 0)
        if key is not None:
            before = await _arrived(connection, key, doc.hash)
            if before is not None:
                return before, False
        twin = await _alive_here(connection, doc)
        if twin is not None:
            raise AlreadyAlive(f"already alive here (agent {twin})")
        agent_id = await _fresh_id(connection, doc.identity.id, last)
        await connection.execute(sa.insert(agents), [_agent_row(doc, agent_id)])
        if doc.memories:
            await connection.execute(sa.insert(memories), _memory_rows(doc, agent_id))
        if key is not None:
            now = time.time()
            row = {
                "key": key, "agent_id": agent_id, "role": "destination", "peer": peer[:256],
                "state": "arrived", "document_hash": doc.hash, "document": None,
                "peer_agent": doc.identity.id, "detail": "", "created_at": now, "updated_at": now,
            }  # fmt: skip
            await connection.execute(sa.insert(mind_transfers), [row])
    return agent_id, True


async def _arrived(connection: AsyncConnection, key: str, digest: str) -> int | None:
    """The agent a key already admitted here, None if it is new; `KeyUsed` if refused;
    `AlreadyAlive` if the mind left from here (a second live mind, never admitted)."""
    query = sa.select(mind_transfers).where(mind_transfers.c.key == key)
    row = (await connection.execute(query)).first()
    if row is None:
        return None
    if row.role != "destination":  # sent to the server it lives on: admitting it makes two
        raise AlreadyAlive(
            f"transfer {key} left from here: the mind lives here (agent {row.agent_id})"
        )
    if row.state != "arrived":
        raise KeyUsed(f"transfer {key} was {row.state} by its source; it is not admitted")
    if row.document_hash != digest:
        raise KeyUsed(f"transfer {key} arrived with another document ({row.document_hash})")
    return int(row.agent_id)


async def _fresh_id(connection: AsyncConnection, wanted: int, last: int) -> int:
    taken = await connection.scalar(sa.select(agents.c.id).where(agents.c.id == wanted))
    if wanted > last and taken is None:
        this = counters.c.name == AGENT_COUNTER
        await connection.execute(sa.update(counters).where(this).values(value=wanted))
        return wanted
    return await next_ids(connection, AGENT_COUNTER, 1)


async def _alive_here(connection: AsyncConnection, doc: MindDocument) -> int | None:
    """The id of an alive agent here that is this mind, if any.

    Same genome, same name, and the memories agree (kind, time, importance, text,
    subject, citations) as far as both histories go: one is the other, earlier or later.
    With no memory in common, only the same id makes it the same mind.
    """
    query = (
        sa.select(agents.c.id)
        .where(agents.c.genome == doc.genome)
        .where(agents.c.name == doc.identity.name)
        .where(agents.c.alive.is_(True))
        .order_by(agents.c.id)
    )
    for candidate in (await connection.execute(query)).scalars():
        shared = await connection.execute(
            sa.select(
                memories.c.kind,
                memories.c.at,
                memories.c.importance,
                memories.c.text,
                memories.c.subject,
                memories.c.cites,
            )
            .where(memories.c.agent_id == candidate)
            .where(memories.c.id < len(doc.memories))
            .order_by(memories.c.id)
        )
        rows = shared.all()
        if not rows:
            if candidate == doc.identity.id:
                return int(candidate)
            continue
        if all(_same(row, memory) for row, memory in zip(rows, doc.memories, strict=False)):
            return int(candidate)
    return None


def _same(row: Any, memory: MemoryEntry) -> bool:
    return (
        _KINDS[MemoryKind(row.kind)] == memory.kind
        and row.at == memory.at
        and row.importance == memory.importance
        and row.text == memory.text
        and row.subject == memory.subject
        and msgspec.json.decode(row.cites, type=list[int]) == memory.cites
    )


def _agent_row(doc: MindDocument, agent_id: int) -> dict[str, Any]:
    """The agents row of the admitted mind, through the crew's own record of a fresh agent
    (so intent and persona are written exactly as the company writes them)."""
    agent = Agent(agent_id, doc.genome, purse=Balance(0.0), grown=doc.persona, lineage=doc.lineage)
    agent.consents = list(doc.consent)
    minds = Minds()
    minds.add(agent)
    levels = _levels(doc.needs)
    minds.needs.levels[minds.row_of(agent_id)] = levels
    record = replace(agent_record(minds, agent), embedder=doc.embedder)
    needs = msgspec.json.encode(levels).decode()
    columns = {"ship": "ship_id", "crew": "crew_id"}
    return row_of(record, columns, needs=needs, updated_at=time.time())


def _memory_rows(doc: MindDocument, agent_id: int) -> list[dict[str, Any]]:
    return [
        {
            "agent_id": agent_id,
            "id": m.id,
            "kind": int(_KIND_OF[m.kind]),
            "at": m.at,
            "importance": m.importance,
            "text": m.text,
            "subject": m.subject,
            "last_access": m.last_access,
            "cites": msgspec.json.encode(m.cites).decode(),
            "vector": m.vector,
        }
        for m in doc.memories
    ]
