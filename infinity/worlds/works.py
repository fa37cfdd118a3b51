"""Building at run time: build commands checked, stored, applied at a tick boundary, audited.

`Works.build` runs a list of `BuildCommand`s for one builder in one world, in
order, stopping at the first refusal (what was done stays done). Each command
is written to the star charts first, then queued at its zone as a body command
(`Raise`, `Rename`, `Relocate`, `Raze`) or applied to the universe between
ticks (a founded or removed system), and the world's galaxy record follows.
Every command writes one audit entry, done or refused. Ships docked at a
removed station are undocked at a safe place by the zone and told here.

Who may build: in the main world, builders and operators; in an instance, as
its template's `rules.builders` says (the owner, its members, or operators
only), and operators always. docs/building.md.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import msgspec

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.audit.log import Act, AuditLog
from infinity.commands import build as bc
from infinity.commands import internal as ci
from infinity.commands.notices import Notice, NoticeKind, Tell
from infinity.galaxy.heart import is_heart
from infinity.galaxy.model import StarSystem
from infinity.sim import events as ev
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody, TickReport, Zone
from infinity.universe.charts import Charts
from infinity.universe.loop import ZoneLoops
from infinity.universe.universe import MAIN_WORLD, Universe
from infinity.worlds.atlas import Atlas, Berth
from infinity.worlds.records import World, zone_rules
from infinity.worlds.service import WorldRefused, Worlds, until

GATE_RADIUS: Final = 16_000.0  # m from the star, toward the system it leads to
MAX_BODIES: Final = 400  # per system: star, gates, stations and every rock
BELT_SPREAD: Final = 600.0  # m between rocks of one belt


@dataclass(frozen=True, slots=True)
class Built:
    """One build command done: what it touched (system, body ids) and its audit entry."""

    op: str
    system: int
    bodies: tuple[int, ...]
    entry: int


class Works:
    def __init__(
        self,
        worlds: Worlds,
        atlas: Atlas,
        charts: Charts,
        loops: ZoneLoops,
        audit: AuditLog,
        tell: Tell,
    ) -> None:
        self.worlds = worlds
        self.universe: Universe = worlds.universe
        self._atlas = atlas
        self._charts = charts
        self._loops = loops
        self._audit = audit
        self._tell = tell
        self._lock = asyncio.Lock()
        self.universe.observe(self._on_tick)

    def may_build(self, actor: Account, world: World) -> bool:
        if world.kind == "enclave":  # sealed: its host alone shapes it, no operator reaches in
            return actor.id == world.owner
        if allowed(actor.role, Verb.INSPECT):  # operators build everywhere
            return True
        if world.kind == "main":
            return allowed(actor.role, Verb.BUILD)
        who = world.rules.builders
        if who == "owner":
            return actor.id == world.owner
        if who == "members":
            return world.admits(actor.id)
        return False

    async def build(
        self, actor: Account, world_id: int, commands: Sequence[bc.BuildCommand], by: str = ""
    ) -> list[Built]:
        """Run `commands` in order; a refusal stops the rest (`WorldRefused`, audited).
        `by`: who did it in the actor's name (the builder in the Heart)."""
        if len(commands) > bc.MAX_PLAN:
            raise WorldRefused("too_many", f"at most {bc.MAX_PLAN} build commands at once")
        world = self.worlds.get(actor, world_id)
        async with self._lock:
            done: list[Built] = []
            for command in commands:
                try:
                    if not self.may_build(actor, world):
                        raise WorldRefused("not_builder", f"you may not build in {world.name}")
                    system, bodies = await self._apply(world, command)
                except WorldRefused as refused:
                    await self._record(actor, world, command, None, by, refused)
                    raise
                entry = await self._record(actor, world, command, system, by)
                done.append(Built(_op(command), system, bodies, entry))
                world = self.worlds.get(actor, world_id)  # rules may have changed
            return done

    # -- one command --------------------------------------------------------------

    async def _apply(self, world: World, c: bc.BuildCommand) -> tuple[int, tuple[int, ...]]:
        match c:
            case bc.FoundSystem():
                return await self._found(world, c)
            case bc.RenameSystem():
                system = self._system(world, c.system)
                self._fresh_name(world, c.name, system.id)
                await self._charts.rename_system(system.id, c.name)
                self.universe.zones[system.id].name = c.name
                self._replace(world, replace(system, name=c.name))
                return system.id, ()
            case bc.MoveSystem():
                system = self._system(world, c.system)
                await self._charts.move_system(system.id, c.x, c.y)
                self._replace(world, replace(system, x=c.x, y=c.y))
                return system.id, ()
            case bc.RemoveSystem():
                return await self._remove_system(world, self._system(world, c.system))
            case bc.AddStation():
                system = self._system(world, c.system)
                body = StaticBody(await self._body_id(), Kind.STATION, c.name, c.x, c.y)
                return system.id, await self._raise(world, system, [body])
            case bc.AddBelt():
                system = self._system(world, c.system)
                first = await self._body_id(c.rocks)
                rocks = [
                    StaticBody(
                        first + k, Kind.ASTEROID, f"{c.name} {k + 1}", *_rock(c, k), ore=c.ore
                    )
                    for k in range(c.rocks)
                ]
                return system.id, await self._raise(world, system, rocks)
            case bc.Link():
                return await self._link(
                    world, self._system(world, c.system), self._system(world, c.to)
                )
            case bc.RenameBody():
                system, body = self._body(world, c.system, c.body)
                await self._charts.rename_body(body.id, c.name)
                self.universe.submit_to(system.id, ci.Rename(body=body.id, name=c.name))
                self._replace_body(world, system, body.id, replace(body, name=c.name))
                return system.id, (body.id,)
            case bc.MoveBody():
                system, body = self._body(world, c.system, c.body)
                await self._charts.move_body(body.id, c.x, c.y)
                self.universe.submit_to(system.id, ci.Relocate(body=body.id, x=c.x, y=c.y))
                self._replace_body(world, system, body.id, replace(body, x=c.x, y=c.y))
                return system.id, (body.id,)
            case bc.RemoveBody():
                system, body = self._body(world, c.system, c.body)
                return system.id, await self._raze(world, system, body)
            case bc.SetRules():
                return 0, await self._set_rules(world, c)  # every zone of the world
        raise WorldRefused("invalid", "not a build command")  # pragma: no cover

    async def _found(self, world: World, c: bc.FoundSystem) -> tuple[int, tuple[int, ...]]:
        if (
            world.kind != "main"
            and len(self.universe.systems_of(world.id)) >= self.worlds.limits.systems
        ):
            raise WorldRefused(
                "limit", f"an instance may have {self.worlds.limits.systems} systems"
            )
        self._fresh_name(world, c.name)
        system_id = await self._atlas.take_system_id()
        star = StaticBody(await self._body_id(), Kind.STAR, c.name, 0.0, 0.0)
        system = StarSystem(system_id, c.name, c.x, c.y, (star,))
        await self._charts.add_system(system, world.id)
        self.universe.add_zone(world.id, system, zone_rules(world.rules))
        if world.id == MAIN_WORLD:
            self._loops.start_zone(system_id)  # an instance's loop follows its live list
        galaxy = self.universe.galaxies[world.id]
        self.universe.galaxies[world.id] = replace(galaxy, systems=(*galaxy.systems, system))
        return system_id, (star.id,)

    async def _remove_system(self, world: World, system: StarSystem) -> tuple[int, tuple[int, ...]]:
        """Ships in it go to another system's first station first; then the gates that led
        there and the system itself go."""
        refuge = next(
            (
                s
                for s in self.universe.galaxies[world.id].systems
                if s.id != system.id and s.stations()
            ),
            None,
        )
        if refuge is None:
            raise WorldRefused("last_system", "a world keeps at least one system with a station")
        station = refuge.stations()[0]
        inside = [ship for ship, where in self.universe.where.items() if where == system.id]
        refuge_berth = Berth(refuge.id, station.x, station.y, station.id, station.id, refuge.id)
        for ship in inside:  # stored first: killed now, they restart in the refuge
            await self._atlas.move(ship, refuge_berth)
            self.universe.submit(
                ci.Voyage(
                    ship=ship, system=refuge.id, station=station.id, x=station.x, y=station.y,
                    home_station=station.id, home_system=refuge.id,
                )
            )  # fmt: skip
            self._tell(
                ship, _notice(f"{system.name} is being removed: you were moved to {station.name}")
            )
        await until(lambda: not any(w == system.id for w in self.universe.where.values()))
        if any(w == system.id for w in self.universe.where.values()):
            raise WorldRefused("in_transit", f"ships are still leaving {system.name}; try again")
        gates = await self._charts.remove_system(system.id)
        galaxy = self.universe.galaxies[world.id]
        for other in galaxy.systems:
            for gate in other.gates():
                if gate.id in gates:
                    self.universe.submit_to(other.id, ci.Raze(body=gate.id))
        self.universe.remove_zone(system.id)
        kept = tuple(
            replace(s, bodies=tuple(b for b in s.bodies if b.id not in gates))
            for s in galaxy.systems
            if s.id != system.id
        )
        self.universe.galaxies[world.id] = replace(galaxy, systems=kept)
        return system.id, tuple(gates)

    async def _link(
        self, world: World, here: StarSystem, there: StarSystem
    ) -> tuple[int, tuple[int, ...]]:
        if here.id == there.id:
            raise WorldRefused("invalid", "a gate must lead to another system")
        if any(g.leads_to == there.id for g in here.gates()):
            raise WorldRefused("invalid", f"{here.name} already has a gate to {there.name}")
        _room(here, 1)
        _room(there, 1)
        first = await self._body_id(2)
        out_id, back_id = first, first + 1
        ox, oy = _toward(here, there)
        out = StaticBody(
            out_id, Kind.GATE, f"Gate to {there.name}", ox, oy, leads_to=there.id, dest_gate=back_id
        )
        bx, by = _toward(there, here)
        back = StaticBody(
            back_id, Kind.GATE, f"Gate to {here.name}", bx, by, leads_to=here.id, dest_gate=out_id
        )
        await self._raise(world, here, [out])
        await self._raise(world, self._system(world, there.id), [back])
        return here.id, (out_id, back_id)

    async def _raise(
        self, world: World, system: StarSystem, made: list[StaticBody]
    ) -> tuple[int, ...]:
        _room(system, len(made))
        for body in made:
            await self._charts.add_body(system.id, body)
            self.universe.submit_to(system.id, _raise_command(body))
        self._replace(world, replace(system, bodies=(*system.bodies, *made)))
        return tuple(b.id for b in made)

    async def _raze(self, world: World, system: StarSystem, body: StaticBody) -> tuple[int, ...]:
        if body.kind == Kind.STAR:
            raise WorldRefused("invalid", "a star goes only with its system (remove_system)")
        if body.kind == Kind.STATION and not any(
            b.kind == Kind.STATION and b.id != body.id
            for s in self.universe.galaxies[world.id].systems
            for b in s.bodies
        ):
            raise WorldRefused("last_system", "a world keeps at least one station to arrive at")
        gone = [(system, body)]
        if body.kind == Kind.GATE:  # and its twin on the far side
            far = self.universe.galaxies[world.id]
            for other in far.systems:
                gone += [(other, b) for b in other.gates() if b.id == body.dest_gate]
        for where, what in gone:
            await self._charts.remove_body(what.id)
            self.universe.submit_to(where.id, ci.Raze(body=what.id))
            current = self._system(world, where.id)
            self._replace(
                world, replace(current, bodies=tuple(b for b in current.bodies if b.id != what.id))
            )
        return tuple(b.id for _, b in gone)

    async def _set_rules(self, world: World, c: bc.SetRules) -> tuple[int, ...]:
        changes = {k: v for k, v in msgspec.structs.asdict(c).items() if v is not None}
        template = self.worlds.templates.get(world.template)
        ceiling = template.rules if template is not None else world.rules
        for rule in ("economy", "respawn"):  # what its template turns off stays off
            if changes.get(rule) and not getattr(ceiling, rule):
                raise WorldRefused("template_forbids", f"{world.template} has no {rule}")
        rules = msgspec.structs.replace(world.rules, **changes)
        await self._atlas.set_rules(world.id, rules)
        self.universe.set_rules(world.id, zone_rules(rules))
        self.worlds.keep(replace(world, rules=rules))
        return ()

    # -- names and ids --------------------------------------------------------------

    def _system(self, world: World, ref: int | str) -> StarSystem:
        for system in self.universe.galaxies[world.id].systems:
            if is_heart(system.id):  # outside the gate graph: never built on, linked or razed
                continue
            if system.id == ref or system.name == ref:
                return system
        raise WorldRefused("unknown_system", f"no system {ref!r} in {world.name}")

    def _body(
        self, world: World, system_ref: int | str, ref: int | str
    ) -> tuple[StarSystem, StaticBody]:
        system = self._system(world, system_ref)
        for body in system.bodies:
            if body.id == ref or body.name == ref:
                return system, body
        raise WorldRefused("unknown_body", f"no body {ref!r} in {system.name}")

    def _fresh_name(self, world: World, name: str, renamed: int = 0) -> None:
        """Refuse a system name the world has (whatever the case), but `renamed`'s own."""
        systems = self.universe.galaxies[world.id].systems
        if any(s.name.lower() == name.lower() and s.id != renamed for s in systems):
            raise WorldRefused("name_taken", f"{world.name} already has a system named {name}")

    async def _body_id(self, count: int = 1) -> int:
        """The first of `count` fresh body ids."""
        return await self._atlas.take_body_ids(count) - count + 1

    def _replace(self, world: World, system: StarSystem) -> None:
        galaxy = self.universe.galaxies[world.id]
        self.universe.galaxies[world.id] = replace(
            galaxy, systems=tuple(system if s.id == system.id else s for s in galaxy.systems)
        )

    def _replace_body(
        self, world: World, system: StarSystem, body_id: int, body: StaticBody
    ) -> None:
        current = self._system(world, system.id)
        bodies = tuple(body if b.id == body_id else b for b in current.bodies)
        self._replace(world, replace(current, bodies=bodies))

    async def _record(
        self, actor: Account, world: World, command: bc.BuildCommand, zone: int | None, by: str,
        refused: WorldRefused | None = None,
    ) -> int:  # fmt: skip
        args: dict[str, Any] = msgspec.to_builtins(command)
        if by:
            args["by"] = by
        act = Act(
            actor.id, actor.name, actor.role, "build", f"world:{world.id}", args,
            "refused" if refused else "done", refused.code if refused else "",
            zone=zone, world=world.id,
        )  # fmt: skip
        return (await self._audit.append(act)).seq

    def _on_tick(self, zone: Zone, report: TickReport) -> None:
        """Tell each player whose station was razed under them where they are now."""
        for event in report.events:
            if isinstance(event, ev.Evicted):
                self._tell(
                    event.ship,
                    _notice(
                        f"{zone.name}: your station was removed; you are "
                        "undocked at a safe distance and rehomed"
                    ),
                )


def _room(system: StarSystem, count: int) -> None:
    """Refuse `count` more bodies in a system that would then hold more than `MAX_BODIES`."""
    if len(system.bodies) + count > MAX_BODIES:
        raise WorldRefused(
            "limit",
            f"{system.name} may hold at most {MAX_BODIES} bodies (it has {len(system.bodies)})",
        )


def _op(command: bc.BuildCommand) -> str:
    return str(msgspec.to_builtins(command)["op"])


def _notice(text: str) -> Notice:
    return Notice(kind=NoticeKind.BUILT, text=text)


_RAISED: Final[dict[Kind, ci.BodyKind]] = {
    Kind.STATION: "station", Kind.GATE: "gate", Kind.ASTEROID: "asteroid"
}  # fmt: skip


def _raise_command(body: StaticBody) -> ci.Raise:
    return ci.Raise(
        body=body.id, kind=_RAISED[body.kind], name=body.name, x=body.x, y=body.y, ore=body.ore,
        leads_to=body.leads_to, dest_gate=body.dest_gate,
    )  # fmt: skip


def _rock(c: bc.AddBelt, k: int) -> tuple[float, float]:
    """Rocks on a small spiral around the belt's centre, `BELT_SPREAD` apart."""
    angle, radius = k * 2.4, BELT_SPREAD * math.sqrt(k)
    return c.x + radius * math.cos(angle), c.y + radius * math.sin(angle)


def _toward(here: StarSystem, there: StarSystem) -> tuple[float, float]:
    dx, dy = there.x - here.x, there.y - here.y
    length = math.hypot(dx, dy) or 1.0
    return GATE_RADIUS * dx / length, GATE_RADIUS * dy / length
