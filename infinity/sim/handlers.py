"""Command handlers: one function per command type, each a ladder of guard clauses.

A handler either changes the zone or raises `Rejected` before changing
anything, so a refused command leaves no trace. Every lookup goes through
`Zone.live_row`: an entity a handler removed this tick (a looted wreck, a
ship that jumped) is unknown to every later command of the tick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from infinity.commands import internal as ci
from infinity.commands import types as c
from infinity.commands.errors import Reason, Rejected
from infinity.commands.text import printable
from infinity.sim import building, rules
from infinity.sim import events as ev
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind

if TYPE_CHECKING:
    from infinity.sim.zone import Zone


def apply(zone: Zone, command: c.Command | ci.SystemCommand) -> None:
    """Apply one command to the zone, or raise `Rejected`."""
    handler = _HANDLERS[type(command)]
    handler(zone, command)


# -- guards -------------------------------------------------------------------


def _own_row(zone: Zone, ship: int) -> int:
    row = zone.live_row(ship)
    if row is None or int(zone.bodies.kind[row]) != Kind.SHIP:
        raise Rejected(Reason.UNKNOWN_ENTITY, f"ship {ship} is not in {zone.name}")
    return row


def _flying_row(zone: Zone, ship: int) -> int:
    row = _own_row(zone, ship)
    if zone.bodies.docked_at[row] != NO_ENTITY:
        raise Rejected(Reason.DOCKED, "undock first")
    return row


def _other_row(zone: Zone, entity: int, kind: Kind) -> int:
    row = zone.live_row(entity)
    if row is None:
        raise Rejected(Reason.UNKNOWN_ENTITY, f"nothing with id {entity} in {zone.name}")
    if int(zone.bodies.kind[row]) != kind:
        raise Rejected(Reason.WRONG_KIND, f"{entity} is not a {kind.name.lower()}")
    return row


def _distance(zone: Zone, a: int, b: int) -> float:
    pos = zone.bodies.pos
    return float(np.hypot(*(pos[a] - pos[b])))


def _within(zone: Zone, a: int, b: int, reach: float, what: str) -> None:
    gap = _distance(zone, a, b)
    if gap > reach:
        raise Rejected(Reason.OUT_OF_RANGE, f"{what} is {gap:.0f} m away; range is {reach:.0f} m")


def _locked_target(zone: Zone, row: int, reach: float) -> int:
    b = zone.bodies
    target = zone.live_row(int(b.target[row]))
    if target is None:
        raise Rejected(Reason.NO_TARGET, "lock a target first")
    if int(b.kind[target]) != Kind.SHIP:
        raise Rejected(Reason.WRONG_KIND, "only ships can be attacked")
    if b.docked_at[target] != NO_ENTITY:
        raise Rejected(Reason.DOCKED, "the target is docked and safe")
    _within(zone, row, target, reach, "the target")
    return target


def _spend(zone: Zone, row: int, energy: float, cooldown_column: str) -> None:
    b = zone.bodies
    if getattr(b, cooldown_column)[row] > 0:
        raise Rejected(Reason.COOLDOWN, f"ready in {getattr(b, cooldown_column)[row]:.1f} s")
    if b.energy[row] < energy:
        raise Rejected(Reason.NO_ENERGY, f"needs {energy:.0f} energy, have {b.energy[row]:.0f}")


# -- handlers -----------------------------------------------------------------


def thrust(zone: Zone, cmd: c.Thrust) -> None:
    row = _flying_row(zone, cmd.ship)
    b = zone.bodies
    b.throttle[row] = cmd.throttle
    b.turn[row] = cmd.turn
    b.autopilot[row] = False


def move_to(zone: Zone, cmd: c.MoveTo) -> None:
    row = _flying_row(zone, cmd.ship)
    b = zone.bodies
    b.dest[row] = (cmd.x, cmd.y)
    b.autopilot[row] = True


def stop(zone: Zone, cmd: c.Stop) -> None:
    row = _own_row(zone, cmd.ship)
    b = zone.bodies
    b.throttle[row] = b.turn[row] = 0.0
    b.autopilot[row] = False


def target(zone: Zone, cmd: c.Target) -> None:
    row = _own_row(zone, cmd.ship)
    if cmd.target is not None:
        if cmd.target == cmd.ship:
            raise Rejected(Reason.WRONG_KIND, "you cannot target yourself")
        if zone.live_row(cmd.target) is None:
            raise Rejected(Reason.UNKNOWN_ENTITY, f"nothing with id {cmd.target} in {zone.name}")
    zone.bodies.target[row] = NO_ENTITY if cmd.target is None else cmd.target


def fire(zone: Zone, cmd: c.Fire) -> None:
    row = _flying_row(zone, cmd.ship)
    victim = _locked_target(zone, row, rules.BEAM_RANGE)
    _spend(zone, row, rules.BEAM_ENERGY, "beam_cd")
    b = zone.bodies
    b.energy[row] -= rules.BEAM_ENERGY
    b.beam_cd[row] = rules.BEAM_COOLDOWN
    b.damage[victim] += rules.BEAM_DAMAGE * zone.rules.damage
    b.last_hit_by[victim] = cmd.ship
    _shot_back(zone, row, victim)
    zone.emit(ev.Beam(cmd.ship, int(b.id[victim])))


def launch_torpedo(zone: Zone, cmd: c.LaunchTorpedo) -> None:
    row = _flying_row(zone, cmd.ship)
    b = zone.bodies
    victim = _locked_target(zone, row, rules.TORPEDO_SPEED * rules.TORPEDO_LIFETIME)
    if b.torpedoes[row] <= 0:
        raise Rejected(Reason.NO_AMMO, "no torpedoes left; dock to refit")
    _spend(zone, row, rules.TORPEDO_ENERGY, "torp_cd")
    b.energy[row] -= rules.TORPEDO_ENERGY
    b.torp_cd[row] = rules.TORPEDO_COOLDOWN
    b.torpedoes[row] -= 1
    _shot_back(zone, row, victim)
    heading = float(b.heading[row])
    nose = b.pos[row] + 40.0 * np.array([np.cos(heading), np.sin(heading)])
    zone.queue_spawn(
        Kind.TORPEDO,
        pos=nose,
        heading=heading,
        target=int(b.id[victim]),
        owner=cmd.ship,
        life=rules.TORPEDO_LIFETIME,
        hull=1.0,
    )


def dock(zone: Zone, cmd: c.Dock) -> None:
    row = _flying_row(zone, cmd.ship)
    station = _other_row(zone, cmd.station, Kind.STATION)
    _within(zone, row, station, rules.DOCK_RANGE, "the station")
    b = zone.bodies
    b.docked_at[row] = cmd.station
    b.pos[row] = b.pos[station]
    b.vel[row] = 0.0
    b.throttle[row] = b.turn[row] = 0.0
    b.autopilot[row] = False
    b.mining[row] = NO_ENTITY
    _end_siphon(zone, row, "stopped")
    zone.emit(ev.Docked(cmd.ship, cmd.station))


def undock(zone: Zone, cmd: c.Undock) -> None:
    row = _own_row(zone, cmd.ship)
    b = zone.bodies
    station = int(b.docked_at[row])
    if station == NO_ENTITY:
        raise Rejected(Reason.NOT_DOCKED, "you are not docked")
    if b.reserved[row] > 0.0:  # docked ships are safe: sold ore cannot sink or jump unpaid
        raise Rejected(Reason.SALE_PENDING, "ore on sale stays docked until the station pays")
    heading = float(b.heading[row])
    b.pos[row] += 150.0 * np.array([np.cos(heading), np.sin(heading)])
    b.docked_at[row] = NO_ENTITY
    zone.emit(ev.Undocked(cmd.ship, station))


def mine(zone: Zone, cmd: c.Mine) -> None:
    row = _flying_row(zone, cmd.ship)
    b = zone.bodies
    rock = _nearest(zone, row, Kind.ASTEROID) if cmd.asteroid is None else None
    if cmd.asteroid is not None:
        rock = _other_row(zone, cmd.asteroid, Kind.ASTEROID)
    if rock is None:
        raise Rejected(Reason.UNKNOWN_ENTITY, "no asteroid in this system")
    _within(zone, row, rock, rules.MINE_RANGE, "the asteroid")
    if b.cargo[row] >= rules.SHIP_CARGO:
        raise Rejected(Reason.CARGO_FULL, "the hold is full; unload at a station")
    if b.ore[rock] < rules.DEPLETED_BELOW:
        raise Rejected(Reason.DEPLETED, "that asteroid is mined out")
    b.mining[row] = b.id[rock]


def unload(zone: Zone, cmd: c.Unload) -> None:
    row = _own_row(zone, cmd.ship)
    b = zone.bodies
    _economy(zone, "unload")
    station = _docked_station(zone, row, "unload")
    tonnes = _unreserved(zone, row)
    if tonnes <= 0.0:
        raise Rejected(Reason.NOT_ENOUGH, "nothing to unload")
    b.reserved[row] += tonnes  # the station buys it all: a sale at its market price
    zone.info[station].delivered += tonnes
    zone.emit(ev.Delivered(cmd.ship, station, tonnes))
    zone.emit(ev.Trade(cmd.ship, station, "ore", tonnes, True, cmd.seq))


def jump(zone: Zone, cmd: c.Jump) -> None:
    row = _flying_row(zone, cmd.ship)
    gate = _other_row(zone, cmd.gate, Kind.GATE)
    _within(zone, row, gate, rules.GATE_RANGE, "the gate")
    b = zone.bodies
    if b.fuel[row] < rules.JUMP_FUEL:
        raise Rejected(Reason.NO_FUEL, f"a jump needs {rules.JUMP_FUEL:.0f} fuel; buy some docked")
    b.fuel[row] -= rules.JUMP_FUEL
    _end_siphon(zone, row, "gone")
    info = zone.info[cmd.gate]
    zone.queue_departure(row, info.leads_to, info.dest_gate)


def say(zone: Zone, cmd: c.Say) -> None:
    _own_row(zone, cmd.ship)
    text = printable(cmd.text)
    if not text:
        raise Rejected(Reason.INVALID, "say something")
    zone.emit(ev.Chat(cmd.ship, zone.info[cmd.ship].name, text))


def speak(zone: Zone, cmd: ci.Speak) -> None:
    """A line said aboard a ship under the speaker's name (a recruit on a player's ship)."""
    _own_row(zone, cmd.ship)
    text = printable(cmd.text)
    if not text:
        raise Rejected(Reason.INVALID, "say something")
    zone.emit(ev.Chat(cmd.ship, printable(cmd.speaker) or zone.info[cmd.ship].name, text))


def _economy(zone: Zone, what: str) -> None:
    """A world without an economy has no markets: a trade is refused before it changes anything
    (the settlements of trades made before, `grant` and `take`, still run)."""
    if not zone.rules.economy:
        raise Rejected(Reason.NO_ECONOMY, f"{zone.name} has no economy, so you cannot {what} here")


def _docked_station(zone: Zone, row: int, what: str) -> int:
    station = int(zone.bodies.docked_at[row])
    if station == NO_ENTITY:
        raise Rejected(Reason.NOT_DOCKED, f"dock at a station to {what}")
    return station


def sell(zone: Zone, cmd: c.Sell) -> None:
    row = _own_row(zone, cmd.ship)
    _economy(zone, "sell")
    station = _docked_station(zone, row, "sell")
    free = _unreserved(zone, row)
    if free + 1e-6 < cmd.quantity:
        raise Rejected(Reason.NOT_ENOUGH, f"you carry {free:.1f} t of ore not already on sale")
    zone.bodies.reserved[row] += cmd.quantity  # leaves the hold once paid for (`take`)
    zone.emit(ev.Trade(cmd.ship, station, cmd.good, cmd.quantity, True, cmd.seq))


def _unreserved(zone: Zone, row: int) -> float:
    b = zone.bodies
    return max(0.0, float(b.cargo[row]) - float(b.reserved[row]))


def _unsettled_row(zone: Zone, ship: int, key: str) -> int | None:
    """The ship's row for a settlement, or None when `key` was already settled here."""
    row = zone.live_row(ship)
    if row is None:
        raise Rejected(Reason.UNKNOWN_ENTITY, f"ship {ship} is not in {zone.name}")
    return row if zone.first_time(key) else None


def take(zone: Zone, cmd: ci.Take) -> None:
    """Settle a sale: paid ore leaves the hold once (by key); unpaid ore is released."""
    row = _unsettled_row(zone, cmd.ship, cmd.key)
    if row is None:
        return
    b = zone.bodies
    b.reserved[row] = max(0.0, float(b.reserved[row]) - cmd.quantity)
    taken = min(cmd.quantity, float(b.cargo[row])) if cmd.paid else 0.0
    b.cargo[row] -= taken
    zone.emit(ev.Taken(cmd.ship, cmd.good, taken, cmd.key))


def buy(zone: Zone, cmd: c.Buy) -> None:
    row = _own_row(zone, cmd.ship)
    _economy(zone, "buy")
    station = _docked_station(zone, row, "buy")
    room = _room(zone, row, cmd.good)
    if cmd.quantity > room + 1e-6:
        raise Rejected(Reason.CARGO_FULL, f"room for {room:.0f} more {cmd.good}")
    zone.emit(ev.Trade(cmd.ship, station, cmd.good, cmd.quantity, False, cmd.seq))


def repair(zone: Zone, cmd: c.Repair) -> None:
    row = _own_row(zone, cmd.ship)
    _economy(zone, "repair")
    station = _docked_station(zone, row, "repair")
    missing = _room(zone, row, "repair")
    if missing <= 0.0:
        raise Rejected(Reason.INVALID, "the hull needs no repair")
    zone.emit(ev.Trade(cmd.ship, station, "repair", missing, False, cmd.seq))


def _room(zone: Zone, row: int, good: str) -> float:
    b = zone.bodies
    room = {
        "ore": rules.SHIP_CARGO - float(b.cargo[row]),
        "fuel": rules.SHIP_FUEL - float(b.fuel[row]),
        "torpedo": float(rules.SHIP_TORPEDOES - int(b.torpedoes[row])),
        "repair": rules.SHIP_HULL - float(b.hull[row]),
    }
    return max(0.0, room[good])


def grant(zone: Zone, cmd: ci.Grant) -> None:
    """Deliver goods the economy settled; a repeated key is ignored."""
    row = _unsettled_row(zone, cmd.ship, cmd.key)
    if row is None:
        return
    b = zone.bodies
    amount = min(cmd.quantity, _room(zone, row, cmd.good))
    if cmd.good == "ore":
        b.cargo[row] += amount
    elif cmd.good == "fuel":
        b.fuel[row] += amount
    elif cmd.good == "torpedo":
        b.torpedoes[row] += round(amount)
    else:
        b.hull[row] += amount
    zone.emit(ev.Granted(cmd.ship, cmd.good, amount, cmd.key))


def siphon(zone: Zone, cmd: c.Siphon) -> None:
    row = _flying_row(zone, cmd.ship)
    b = zone.bodies
    if cmd.target is None:
        _end_siphon(zone, row, "stopped")
        return
    victim = _other_row(zone, cmd.target, Kind.SHIP)
    if victim == row:
        raise Rejected(Reason.WRONG_KIND, "you cannot siphon yourself")
    if b.docked_at[victim] != NO_ENTITY:
        raise Rejected(Reason.DOCKED, "the target is docked and safe")
    _within(zone, row, victim, rules.SIPHON_RANGE, "the target")
    b.siphon[row] = cmd.target
    b.siphon_time[row] = 0.0


def _end_siphon(zone: Zone, row: int, why: str) -> None:
    b = zone.bodies
    victim = int(b.siphon[row])
    if victim != NO_ENTITY:
        b.siphon[row] = NO_ENTITY
        zone.emit(ev.SiphonBroken(int(b.id[row]), victim, why))


def _shot_back(zone: Zone, shooter: int, victim: int) -> None:
    """Shooting the ship that siphons you breaks its siphon."""
    if zone.bodies.siphon[victim] == zone.bodies.id[shooter]:
        _end_siphon(zone, victim, "shot")


def loot(zone: Zone, cmd: c.Loot) -> None:
    """Move a wreck's ore into the hold, as much as fits; an emptied wreck is gone at once."""
    row = _flying_row(zone, cmd.ship)
    wreck = _other_row(zone, cmd.wreck, Kind.WRECK)
    _within(zone, row, wreck, rules.LOOT_RANGE, "the wreck")
    b = zone.bodies
    ore = max(0.0, min(float(b.cargo[wreck]), rules.SHIP_CARGO - float(b.cargo[row])))
    b.cargo[wreck] -= ore
    b.cargo[row] += ore
    zone.emit(ev.Looted(cmd.ship, cmd.wreck, ore, int(b.owner[wreck])))
    if b.cargo[wreck] <= 0.0:
        zone.remove(cmd.wreck)


def warp(zone: Zone, cmd: ci.Warp) -> None:
    """Move a ship to (x, y) here, or hand it to another zone as a departure (a gate jump's path)."""
    row = _own_row(zone, cmd.ship)
    _halt_at(zone, row, cmd.x, cmd.y)
    if cmd.system != zone.system_id:
        zone.queue_departure(row, cmd.system, NO_ENTITY)


def voyage(zone: Zone, cmd: ci.Voyage) -> None:
    """Leave for another world: arrive docked at its station, which is home while there."""
    row = _own_row(zone, cmd.ship)
    _halt_at(zone, row, cmd.x, cmd.y)
    zone.bodies.docked_at[row] = cmd.station
    info = zone.info[cmd.ship]
    info.home_station, info.home_system = cmd.home_station, cmd.home_system
    zone.queue_departure(row, cmd.system, NO_ENTITY)


def _halt_at(zone: Zone, row: int, x: float, y: float) -> None:
    """A ship put somewhere by the server: stopped there, every activity ended."""
    b = zone.bodies
    b.pos[row] = (x, y)
    b.vel[row] = 0.0
    b.docked_at[row] = NO_ENTITY
    b.throttle[row] = b.turn[row] = 0.0
    b.autopilot[row] = False
    b.mining[row] = NO_ENTITY
    _end_siphon(zone, row, "gone")


def destroy(zone: Zone, cmd: ci.Destroy) -> None:
    """Damage beyond shield and hull: the damage step destroys it as weapons would."""
    row = _own_row(zone, cmd.ship)
    b = zone.bodies
    b.damage[row] += float(b.shield[row]) + float(b.hull[row]) + 1.0


def mend(zone: Zone, cmd: ci.Mend) -> None:
    row = _own_row(zone, cmd.ship)
    b = zone.bodies
    b.hull[row] = rules.SHIP_HULL
    b.shield[row] = rules.SHIP_SHIELD
    b.energy[row] = rules.SHIP_ENERGY


def _nearest(zone: Zone, row: int, kind: Kind) -> int | None:
    b, n = zone.bodies, zone.bodies.n
    rows = np.flatnonzero(b.kind[:n] == kind)
    if rows.size == 0:
        return None
    gaps = np.hypot(*(b.pos[rows] - b.pos[row]).T)
    return int(rows[int(np.argmin(gaps))])


_HANDLERS: dict[type[Any], Callable[[Zone, Any], None]] = {
    c.Thrust: thrust,
    c.MoveTo: move_to,
    c.Stop: stop,
    c.Target: target,
    c.Fire: fire,
    c.LaunchTorpedo: launch_torpedo,
    c.Dock: dock,
    c.Undock: undock,
    c.Mine: mine,
    c.Unload: unload,
    c.Jump: jump,
    c.Say: say,
    c.Sell: sell,
    c.Buy: buy,
    c.Repair: repair,
    c.Siphon: siphon,
    c.Loot: loot,
    ci.Grant: grant,
    ci.Take: take,
    ci.Warp: warp,
    ci.Voyage: voyage,
    ci.Destroy: destroy,
    ci.Mend: mend,
    ci.Speak: speak,
    ci.Raise: building.raise_body,
    ci.Rename: building.rename,
    ci.Relocate: building.relocate,
    ci.Raze: building.raze,
    ci.Rehome: building.rehome,
}
