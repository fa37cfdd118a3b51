"""Plan steps made concrete: each planner action becomes player commands, one decision at a time.

An executor looks at the perception, appends commands (the same structs a
player sends) and says whether its step is RUNNING, DONE or FAILED. Steps
check their own effect in the next perception instead of trusting that a
command worked, so a rejected command simply shows up as no progress and,
after a few tries, as a failure that makes the mind re-plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from infinity.commands import types as c
from infinity.crew.goals import Goal
from infinity.crew.orders import Order
from infinity.crew.planner import ACTION_INDEX, Fact
from infinity.crew.senses import Chart, Contact, OwnShip, Perception, Place
from infinity.sim import rules
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind

MAX_TRIES: Final = 4  # the same command this many times without effect: the step failed
FLIGHT_PATIENCE: Final = 240.0  # simulated seconds a flight may take before we give up
CHASE_PATIENCE: Final = 90.0
WAIT_PATIENCE: Final = 120.0  # seconds we wait for a crewmate to do their station's part
ARRIVE_FIELD: Final = rules.MINE_RANGE - 60.0
ARRIVE_STATION: Final = rules.DOCK_RANGE - 60.0
ENGAGE_RANGE: Final = rules.BEAM_RANGE * 0.8
STANDOFF: Final = 800.0  # m from a foe we close in to
FLEE_DISTANCE: Final = 6000.0
FOLLOW_SLACK: Final = 400.0
COORD_LIMIT: Final = 999_000.0


class Status(IntEnum):
    RUNNING = 0
    DONE = 1
    FAILED = 2


@dataclass(slots=True)
class Intent:
    """What a mind is doing: its goal, the plan toward it, and the current step's state."""

    goal: Goal = Goal.IDLE
    target: int = NO_ENTITY  # the ship a hunting/follow goal is about
    target_name: str = ""
    plan: tuple[int, ...] | None = None  # planner action indices; None: plan again
    step: int = 0
    bound: int = NO_ENTITY  # the place or ship the current step chose
    rock: int = NO_ENTITY  # the asteroid this plan flew to (mine works it)
    station: int = NO_ENTITY  # the station this plan flew to (dock docks there)
    bx: float = 0.0
    by: float = 0.0
    tries: int = 0
    failures: int = 0  # plans for this goal that failed in a row
    started: float = 0.0
    order: Order | None = None  # the captain's order being carried out
    blocked: Goal | None = None  # a goal found impossible lately
    blocked_until: float = 0.0
    suggested: Goal | None = None  # a goal a language model proposed, followed for a while
    suggested_until: float = 0.0
    voice: str = ""  # a line the step wants said (greetings); the mind turns it into Say
    duties: frozenset[type[c.Command]] | None = None  # what this member's station may send
    siphoning: int = NO_ENTITY  # the ship our siphon drains (sent once: a resend restarts it)

    def begin_step(self, now: float) -> None:
        self.bound = NO_ENTITY
        self.tries = 0
        self.started = now

    def bind(self, entity: int, x: float, y: float) -> None:
        self.bound, self.bx, self.by = entity, x, y


Executor = Callable[[Intent, Perception, OwnShip, list[c.Command]], Status]
Nearest = Callable[[Chart, float, float], Place | None]  # a chart's nearest place of a kind


def _retry(intent: Intent) -> Status:
    intent.tries += 1
    return Status.FAILED if intent.tries > MAX_TRIES else Status.RUNNING


def _may(intent: Intent, kind: type[c.Command]) -> bool:
    return intent.duties is None or kind in intent.duties


def _issue(intent: Intent, p: Perception, out: list[c.Command], command: c.Command) -> Status:
    """Send a command of our station (counting tries), or wait for the crewmate whose it is."""
    if _may(intent, type(command)):
        out.append(command)
        return _retry(intent)
    return Status.FAILED if p.time - intent.started > WAIT_PATIENCE else Status.RUNNING


def _fly(
    intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command], reach: float
) -> Status:
    """Autopilot to the bound point; DONE within `reach`."""
    if math.hypot(intent.bx - ship.x, intent.by - ship.y) <= reach:
        return Status.DONE
    if p.time - intent.started > FLIGHT_PATIENCE:
        return Status.FAILED
    heading_there = (
        ship.autopilot and abs(ship.dest_x - intent.bx) < 1.0 and abs(ship.dest_y - intent.by) < 1.0
    )
    if heading_there:
        return Status.RUNNING
    return _issue(intent, p, out, c.MoveTo(ship=ship.id, x=_clamp(intent.bx), y=_clamp(intent.by)))


def _clamp(v: float) -> float:
    return max(-COORD_LIMIT, min(COORD_LIMIT, v))


def undock(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    if ship.docked_at == NO_ENTITY:
        return Status.DONE
    return _issue(intent, p, out, c.Undock(ship=ship.id))


def _fly_to_nearest(
    intent: Intent,
    p: Perception,
    ship: OwnShip,
    out: list[c.Command],
    nearest: Nearest,
    reach: float,
) -> Status:
    """Fly to the place `nearest` picks on the chart when the step starts; the plan keeps it
    as its rock or its station, for the mining or docking step that follows."""
    if intent.bound == NO_ENTITY:
        place = nearest(p.chart, ship.x, ship.y) if p.chart is not None else None
        if place is None:
            return Status.FAILED
        intent.bind(place.id, place.x, place.y)
        if place.kind == Kind.STATION:
            intent.station = place.id
        else:
            intent.rock = place.id
    return _fly(intent, p, ship, out, reach)


def fly_to_field(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    return _fly_to_nearest(intent, p, ship, out, Chart.nearest_rock, ARRIVE_FIELD)


def mine(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    if ship.cargo >= rules.SHIP_CARGO - 0.5:
        return Status.DONE
    if ship.mining != NO_ENTITY:
        intent.tries = 0
        return Status.RUNNING
    rock = _chosen(p, intent.rock)
    if rock is None or rock.ore < rules.DEPLETED_BELOW:
        rock = p.chart.nearest_rock(ship.x, ship.y) if p.chart is not None else None
    if rock is None or math.hypot(rock.x - ship.x, rock.y - ship.y) > rules.MINE_RANGE:
        return Status.FAILED
    intent.rock = rock.id
    return _issue(intent, p, out, c.Mine(ship=ship.id, asteroid=rock.id))


def _chosen(p: Perception, entity: int) -> Place | None:
    """A place this plan already picked (a dict lookup, no search)."""
    if entity == NO_ENTITY or p.chart is None:
        return None
    return p.chart.place(entity)


def fly_to_station(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    return _fly_to_nearest(intent, p, ship, out, Chart.nearest_station, ARRIVE_STATION)


def dock(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    if ship.docked_at != NO_ENTITY:
        return Status.DONE
    station = _chosen(p, intent.station)
    if station is None or math.hypot(station.x - ship.x, station.y - ship.y) > rules.DOCK_RANGE:
        station = p.chart.nearest_station(ship.x, ship.y) if p.chart is not None else None
    if station is None:
        return Status.FAILED
    intent.station = station.id
    return _issue(intent, p, out, c.Dock(ship=ship.id, station=station.id))


def unload(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    if ship.cargo <= 0.01:
        return Status.DONE
    return _issue(intent, p, out, c.Unload(ship=ship.id))


def flee(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    """Run straight away from the threat (our latest attacker, else the nearest ship)."""
    threat = _threat(p)
    if intent.bound == NO_ENTITY:
        tx, ty = (threat.x, threat.y) if threat is not None else (0.0, 0.0)
        dx, dy = ship.x - tx, ship.y - ty
        gap = math.hypot(dx, dy) or 1.0
        intent.bind(-2, ship.x + dx / gap * FLEE_DISTANCE, ship.y + dy / gap * FLEE_DISTANCE)
    if threat is not None and math.hypot(threat.x - ship.x, threat.y - ship.y) > FLEE_DISTANCE:
        return Status.DONE
    return _fly(intent, p, ship, out, 300.0)


def _threat(p: Perception) -> Contact | None:
    for attacker in p.attackers:
        found = p.find(attacker)
        if found is not None:
            return found
    return p.nearby[0] if p.nearby else None


def lock_target(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    """Lock the target; a member without the guns leaves that to tactical and moves on."""
    if p.find(intent.target) is None:
        return Status.FAILED
    if ship.target == intent.target or not _may(intent, c.Target):
        return Status.DONE
    return _issue(intent, p, out, c.Target(ship=ship.id, target=intent.target))


def close_in(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    foe = p.find(intent.target)
    if foe is None or p.time - intent.started > CHASE_PATIENCE:
        return Status.FAILED
    gap = math.hypot(foe.x - ship.x, foe.y - ship.y)
    if gap <= ENGAGE_RANGE:
        return Status.DONE
    _approach(intent, ship, foe, gap, STANDOFF, out)  # at helm; others wait for it to close in
    return Status.RUNNING


def _approach(
    intent: Intent, ship: OwnShip, other: Contact, gap: float, stand: float, out: list[c.Command]
) -> None:
    """Keep an autopilot point `stand` metres short of a moving ship, re-aimed when it drifts."""
    scale = stand / gap if gap > 0 else 0.0
    x, y = other.x + (ship.x - other.x) * scale, other.y + (ship.y - other.y) * scale
    if ship.autopilot and math.hypot(ship.dest_x - x, ship.dest_y - y) < 300.0:
        return
    intent.bind(other.id, x, y)
    out.append(c.MoveTo(ship=ship.id, x=_clamp(x), y=_clamp(y)))


def attack(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    """Fire on the target until it is gone (destroyed, docked, or out of sensor range)."""
    foe = p.find(intent.target)
    if foe is None or foe.docked:
        return Status.DONE
    if intent.goal == Goal.STEAL:
        return _siphon(intent, ship, foe, out)
    guns = _may(intent, c.Fire)
    if ship.target != intent.target:
        return Status.FAILED if guns else Status.RUNNING  # lost the lock / not our station
    gap = math.hypot(foe.x - ship.x, foe.y - ship.y)
    if gap > rules.BEAM_RANGE and _may(intent, c.MoveTo):
        return Status.FAILED
    if gap > ENGAGE_RANGE:
        _approach(intent, ship, foe, gap, STANDOFF, out)
    if not guns or gap > rules.BEAM_RANGE:
        return Status.RUNNING
    if ship.beam_ready and ship.energy >= rules.BEAM_ENERGY:
        out.append(c.Fire(ship=ship.id))
    elif ship.torpedo_ready and ship.torpedoes > 0 and ship.energy >= rules.TORPEDO_ENERGY:
        out.append(c.LaunchTorpedo(ship=ship.id))
    return Status.RUNNING


def _siphon(intent: Intent, ship: OwnShip, mark: Contact, out: list[c.Command]) -> Status:
    """A thief steals: the helm keeps the ship close, tactical drains the mark's wallet
    (recorded as theft); one member alone does both."""
    gap = math.hypot(mark.x - ship.x, mark.y - ship.y)
    if gap > rules.SIPHON_RANGE * 0.6 and _may(intent, c.MoveTo):
        _approach(intent, ship, mark, gap, rules.SIPHON_RANGE * 0.4, out)
    if gap > rules.SIPHON_RANGE * 0.9:
        intent.siphoning = NO_ENTITY  # out of reach: the siphon broke
    elif intent.siphoning != mark.id and _may(intent, c.Siphon):
        intent.siphoning = mark.id
        out.append(c.Siphon(ship=ship.id, target=mark.id))
    return Status.RUNNING


def hail(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    other = p.nearby[0] if p.nearby else None
    if other is None:
        return Status.FAILED
    intent.voice = f"@{other.name}"  # the mind greets them in its own voice
    return Status.DONE


def chat_at_station(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    intent.voice = "@all"
    return Status.DONE


def follow(intent: Intent, p: Perception, ship: OwnShip, out: list[c.Command]) -> Status:
    """Stay near the leader for as long as the order stands (never DONE by itself)."""
    leader = p.find(intent.target)
    if leader is None:
        return Status.FAILED
    gap = math.hypot(leader.x - ship.x, leader.y - ship.y)
    if gap > FOLLOW_SLACK:
        _approach(intent, ship, leader, gap, FOLLOW_SLACK * 0.5, out)
    return Status.RUNNING


EXECUTORS: Final[dict[int, Executor]] = {
    ACTION_INDEX["undock"]: undock,
    ACTION_INDEX["fly_to_field"]: fly_to_field,
    ACTION_INDEX["mine"]: mine,
    ACTION_INDEX["fly_to_station"]: fly_to_station,
    ACTION_INDEX["dock"]: dock,
    ACTION_INDEX["unload"]: unload,
    ACTION_INDEX["flee"]: flee,
    ACTION_INDEX["lock_target"]: lock_target,
    ACTION_INDEX["close_in"]: close_in,
    ACTION_INDEX["attack"]: attack,
    ACTION_INDEX["hail"]: hail,
    ACTION_INDEX["chat_at_station"]: chat_at_station,
    ACTION_INDEX["follow"]: follow,
}
EXECUTOR_LIST: Final = tuple(EXECUTORS[i] for i in range(len(EXECUTORS)))


def facts(p: Perception, ship: OwnShip, intent: Intent) -> int:
    """The symbolic state the planner starts from (computed only when re-planning)."""
    state = 0
    docked = ship.docked_at != NO_ENTITY
    chart = p.chart
    if docked:
        state |= Fact.DOCKED | Fact.SAFE
    elif ship.hull >= 0.6 * rules.SHIP_HULL and not p.attackers:
        state |= Fact.SAFE
    if ship.cargo >= rules.SHIP_CARGO - 0.5:
        state |= Fact.CARGO_FULL
    if ship.cargo > 0.5:
        state |= Fact.HAS_CARGO
    if chart is not None:
        station = chart.nearest_station(ship.x, ship.y)
        if station is not None:
            state |= Fact.STATION_KNOWN
            near = math.hypot(station.x - ship.x, station.y - ship.y) <= ARRIVE_STATION
            if near and not docked:
                state |= Fact.AT_STATION
        rock = chart.nearest_rock(ship.x, ship.y)
        if rock is not None:
            state |= Fact.FIELD_KNOWN
            if not docked and math.hypot(rock.x - ship.x, rock.y - ship.y) <= rules.MINE_RANGE:
                state |= Fact.AT_FIELD
    if intent.target != NO_ENTITY:
        state |= _target_facts(p, ship, intent.target)
    if intent.goal == Goal.SOCIALISE and not docked and p.nearby:  # sensors only when asked
        state |= Fact.COMPANY_NEAR
    return state


def _target_facts(p: Perception, ship: OwnShip, target: int) -> int:
    other = p.find(target)
    if other is None:
        return 0
    state = Fact.LEADER_KNOWN if other.docked else Fact.FOE_KNOWN | Fact.LEADER_KNOWN
    if ship.target == target:
        state |= Fact.HAS_TARGET
    if math.hypot(other.x - ship.x, other.y - ship.y) <= ENGAGE_RANGE:
        state |= Fact.IN_RANGE
    return state
