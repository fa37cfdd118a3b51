"""The handover of a ship between zone hosts at a gate jump (docs/cluster.md "Handover
between hosts").

The store's `ships` row is the authority: a ship belongs to the zone its row names. A
jump from zone A (this host) to zone Z of another host moves that row, in one
transaction, together with a `cluster_handovers` record keyed by an idempotency key;
NATS only makes the arrival fast (a nudge on `zone.<Z>.arrivals`), and every host sweeps
its zones once a second for ships whose row names one of them but which it does not
simulate, so a lost nudge or a dead host still ends with the ship in exactly one zone.

The commit is fenced: each zone host writes a fresh epoch for a zone into
`cluster_zone_epochs` when it gains the zone, before it reads the zone's ships; a
handover commits only while the epoch of the zone it leaves is still its own (the row is
locked in the commit's transaction), so a host that lost the zone can no longer move a
ship that the zone's new owner has loaded.

These two tables belong to the cluster (`tables.py`, migration 0013).

Fault points (`INFINITY_FAULT=handover:<point>`, SIGKILL): `marked`, `committed`,
`nudged` on the leaving host, `arriving` on the arriving one.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity import _faults as faults
from infinity.cluster.subjects import host_key
from infinity.galaxy.model import StarSystem
from infinity.sim import kinds, rules
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.zone import SHIP_COLUMNS, ShipState
from infinity.store.sql import record_of
from infinity.universe.hangar import AlsoWrite
from infinity.universe.records import SavedShip
from infinity.universe.tables import handovers, ships, zone_epochs

log = logging.getLogger(__name__)

PROTOCOL: Final = "handover"

_SHIP_FIELDS: Final = {"account": "account_id"}


def fault(point: str) -> None:
    """Die here when INFINITY_FAULT is `handover:<point>` (tests; infinity/_faults.py)."""
    faults.fault(PROTOCOL, point)


def zone_arrivals(zone: int) -> str:
    """Where the host that handed a ship over nudges the host of its new zone."""
    if isinstance(zone, bool) or not isinstance(zone, int) or zone < 0:
        raise ValueError(f"zone must be an int >= 0, not {zone!r}")
    return f"zone.{zone}.arrivals"


ALL_ARRIVALS: Final = "zone.*.arrivals"


def host_ships(name: str) -> str:
    """Where a zone host answers which ships it simulates (a request)."""
    return f"cluster.{host_key(name)}.ships"


@dataclass(frozen=True, slots=True)
class Nudge:
    """A ship committed to `zone`: its host should load it now."""

    key: str
    ship: int
    zone: int

    def encode(self) -> bytes:
        return json.dumps({"key": self.key, "ship": self.ship, "zone": self.zone}).encode()

    @classmethod
    def decode(cls, data: bytes) -> Nudge:
        """`ValueError` for anything but a well-formed nudge."""
        try:
            found = json.loads(data)
            nudge = cls(str(found["key"]), int(found["ship"]), int(found["zone"]))
        except (TypeError, KeyError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a nudge: {error}") from error
        if not nudge.key or len(nudge.key) > 64:
            raise ValueError("a nudge's key is 1 to 64 characters")
        return nudge


def arrival(system: StarSystem, state: ShipState, arrival_gate: int) -> ShipState:
    """Where and how a ship enters `system` through `arrival_gate`, as the zone would put
    it (`Zone._spawn_ship`): JUMP_ARRIVAL_OFFSET inward of the gate, facing the star,
    stopped; or docked at its station (a ship sent home); else where it was, undocked."""
    bodies = {body.id: body for body in system.bodies}
    gate = bodies.get(arrival_gate)
    if gate is not None:
        inward = math.atan2(-gate.y, -gate.x)
        x = gate.x + math.cos(inward) * rules.JUMP_ARRIVAL_OFFSET
        y = gate.y + math.sin(inward) * rules.JUMP_ARRIVAL_OFFSET
        return replace(state, x=x, y=y, heading=inward, vx=0.0, vy=0.0, docked_at=NO_ENTITY)
    station = bodies.get(state.docked_at)
    if station is not None and station.kind == kinds.STATION:
        return replace(state, x=station.x, y=station.y, vx=0.0, vy=0.0)
    return replace(state, docked_at=NO_ENTITY)


async def claim_zone(engine: AsyncEngine, zone: int, owner: str, epoch: str) -> None:
    """Write this host's epoch for a zone it gained, before it reads the zone's ships: a
    handover out of the zone by its previous owner that has not committed yet never will,
    and one that has is seen by the read that follows (it waits for the row lock)."""
    row = {"zone": zone, "owner": owner, "epoch": epoch, "since": time.time()}
    statement = pg_insert(zone_epochs).values(row)
    statement = statement.on_conflict_do_update(
        index_elements=[zone_epochs.c.zone],
        set_={"owner": owner, "epoch": epoch, "since": row["since"]},
    )
    async with engine.begin() as connection:
        await connection.execute(statement)


class Fenced(RuntimeError):
    """The zone the ship leaves is no longer this host's (another epoch): not committed."""


async def fence(connection: AsyncConnection, zone: int, epoch: str) -> None:
    """Inside a transaction: `Fenced` unless `zone`'s epoch is still `epoch` (the row is
    locked until the transaction ends, so a claim by the next owner waits for it)."""
    held = await connection.scalar(
        sa.select(zone_epochs.c.epoch).where(zone_epochs.c.zone == zone).with_for_update()
    )
    if held != epoch:
        raise Fenced(f"zone {zone} has another owner's epoch")


class _NotMoved(Exception):
    """The ship's row does not name the zone it leaves: roll the transaction back."""


async def commit(
    engine: AsyncEngine,
    key: str,
    host: str,
    epochs: Mapping[int, str],
    to_zone: int,
    state: ShipState,
    also: AlsoWrite | None = None,
) -> bool:
    """Move the ship's row to `to_zone` with its arrival `state`, and record the handover
    under `key`, in one transaction (with what `also` writes: a travel's voyage). The row
    must name a zone of this host (`epochs`: zone -> the epoch this host wrote when it
    gained it) whose epoch is still this host's (else `Fenced`). False, nothing changed,
    when `key` was committed before (a retry) or the row names no zone of this host."""
    now = time.time()
    try:
        async with engine.begin() as connection:
            source = await connection.scalar(
                sa.select(ships.c.system_id).where(ships.c.id == state.id).with_for_update()
            )
            if source is None or source not in epochs:
                raise _NotMoved(state.id)
            await fence(connection, source, epochs[source])
            record = {
                "key": key, "ship": state.id, "from_zone": source, "to_zone": to_zone,
                "host": host, "committed_at": now, "done_at": None,
            }  # fmt: skip
            inserted = await connection.execute(
                pg_insert(handovers)
                .values(record)
                .on_conflict_do_nothing()
                .returning(handovers.c.key)
            )
            if inserted.first() is None:
                raise _NotMoved(state.id)  # this key was committed before: a retry does nothing
            values: dict[str, Any] = {column: getattr(state, column) for column in SHIP_COLUMNS}
            await connection.execute(
                sa.update(ships)
                .where(ships.c.id == state.id)
                .values(values | {"system_id": to_zone, "updated_at": now})
            )
            if also is not None:
                await also(connection)
    except _NotMoved:  # rolled back
        return False
    return True


async def mark_done(engine: AsyncEngine, ship_ids: Collection[int], zone: int) -> None:
    """The handovers of these ships into `zone` are complete: they are simulated there."""
    if not ship_ids:
        return
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(handovers)
            .where(
                handovers.c.ship.in_(list(ship_ids)),
                handovers.c.to_zone == zone,
                handovers.c.done_at.is_(None),
            )
            .values(done_at=time.time())
        )


async def committed(engine: AsyncEngine, key: str) -> bool:
    """Whether a handover under `key` was ever committed."""
    async with engine.connect() as connection:
        found = await connection.scalar(sa.select(handovers.c.key).where(handovers.c.key == key))
    return found is not None


async def is_done(engine: AsyncEngine, key: str) -> bool:
    async with engine.connect() as connection:
        done = await connection.scalar(sa.select(handovers.c.done_at).where(handovers.c.key == key))
    return done is not None


async def ships_of(engine: AsyncEngine, zones: Sequence[int]) -> list[SavedShip]:
    """The ships whose rows name one of `zones`."""
    if not zones:
        return []
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.select(ships).where(ships.c.system_id.in_(list(zones))).order_by(ships.c.id)
        )
    return [
        SavedShip(row.system_id, row.role, record_of(ShipState, row, _SHIP_FIELDS)) for row in rows
    ]
