"""No command makes ore: random commands from several ships, several a tick, against a ledger.

The ledger of ore, from what a zone exposes: what the rocks hold + the ships' holds +
the wrecks + the holds of ships that left (`TickReport.departures`) + ore taken by paid
sales (`Taken`) + ore in wrecks that drifted apart (`WreckExpired`) - ore
granted (`Granted`). Mining moves ore from a rock to a hold, a
destroyed ship's hold becomes its wreck, looting moves a wreck's ore to a hold: the
total never changes. And a paid sale takes exactly the ore it was paid for, or the
station would have paid for ore that is still somewhere to be sold again.

Regrowth, the universe's one source of ore and no command's, is left out of these
ticks. Mined amounts are not binary fractions, so float32 columns round them: the
totals agree to `ROUNDING`, far below any quantity a command moves.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Final
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infinity.commands import internal as ci
from infinity.commands import types as c
from infinity.sim import events as ev
from infinity.sim import systems
from infinity.sim.kinds import Kind
from infinity.sim.zone import TickReport, Zone
from tests.sim.scenario import GATE, HUNTER, ME, ROCK, STATION, THIRD, YOU, close_quarters, ship

SHIPS: Final = (ME, YOU, THIRD)  # and HUNTER, always flying: it shoots (`destroy`) and raids
ROUNDING: Final = 1e-2  # tonnes
VERBS: Final = (
    "mine", "loot", "raid", "sell", "unload", "buy", "destroy", "dock", "undock", "jump", "drift"
)  # fmt: skip

Action = tuple[str, int, int, float]  # verb, ship, which (wreck, or good), quantity
action = st.tuples(
    st.sampled_from(VERBS),
    st.integers(0, len(SHIPS) - 1),
    st.integers(0, 7),
    st.integers(1, 400).map(lambda q: q / 4),
)
step = st.tuples(st.lists(action, min_size=1, max_size=6), st.integers(1, 12))


def ore_held(zone: Zone) -> float:
    """Ore in the rocks, the holds and the wrecks of the zone."""
    b, n = zone.bodies, zone.bodies.n
    kind = b.kind[:n]
    rocks = b.ore[:n][kind == Kind.ASTEROID].sum(dtype=np.float64)
    holds = b.cargo[:n][(kind == Kind.SHIP) | (kind == Kind.WRECK)].sum(dtype=np.float64)
    return float(rocks + holds)


@dataclass
class Station:
    """The economy as the zone meets it: each trade settled a few ticks late, a sale paid
    (its ore taken) or refused (its reservation released), a purchase granted."""

    due: list[tuple[int, ci.Grant | ci.Take]] = field(default_factory=list)
    paid: dict[str, float] = field(default_factory=dict)  # sale key -> tonnes paid for
    keys: itertools.count[int] = field(default_factory=itertools.count)

    def settle(self, trade: ev.Trade, at: int, pays: bool) -> None:
        key = f"trade:{next(self.keys)}"
        if not trade.selling:
            good = "torpedo" if trade.good == "torpedo" else "fuel"
            self.due.append(
                (at, ci.Grant(ship=trade.ship, good=good, quantity=trade.quantity, key=key))
            )
            return
        if pays:
            self.paid[key] = trade.quantity
        self.due.append((at, ci.Take(ship=trade.ship, quantity=trade.quantity, key=key, paid=pays)))

    def deliver(self, zone: Zone, now: int) -> None:
        for _, command in [d for d in self.due if d[0] <= now]:
            zone.submit(command)
        self.due = [d for d in self.due if d[0] > now]


@dataclass
class Books:
    """Ore that left the zone's columns, by the way the zone reported it."""

    departed: float = 0.0
    sold: float = 0.0
    granted: float = 0.0
    scattered: float = 0.0  # in wrecks that drifted apart unlooted

    def post(self, report: TickReport, station: Station) -> None:
        self.departed += sum(d.state.cargo for d in report.departures)
        for event in report.events:
            if isinstance(event, ev.Taken):
                paid = station.paid.get(event.key, 0.0)
                assert abs(event.quantity - paid) < ROUNDING, "a sale took other than it was paid"
                self.sold += event.quantity
            elif isinstance(event, ev.Granted) and event.good == "ore":
                self.granted += event.quantity
            elif isinstance(event, ev.WreckExpired):
                self.scattered += event.ore

    def total(self, zone: Zone) -> float:
        return ore_held(zone) + self.departed + self.sold + self.scattered - self.granted


def commands(zone: Zone, act: Action, wrecks: list[int]) -> list[c.Command]:
    """The commands one action sends (a `destroy` also makes its victim fragile; a `drift`
    sends none, it ends a wreck's lifetime)."""
    verb, who, which, quantity = act
    me = SHIPS[who]
    wreck = wrecks[-1 - which % len(wrecks)] if wrecks else None
    match verb:
        case "mine":
            return [c.Mine(ship=me, asteroid=ROCK)]
        case "loot" if wreck is not None:
            return [c.Loot(ship=me, wreck=wreck)]
        case "raid" if wrecks:  # every ship at the newest wreck in the same tick
            return [c.Loot(ship=s, wreck=wrecks[-1]) for s in (*SHIPS, HUNTER)]
        case "sell":
            return [c.Sell(ship=me, quantity=min(quantity, 100.0))]
        case "unload":
            return [c.Unload(ship=me)]
        case "buy":
            good = "torpedo" if which % 2 else "fuel"
            return [c.Buy(ship=me, good=good, quantity=float(min(quantity, 8.0) // 1 or 1))]
        case "destroy":  # one beam is fatal, unless the ship is docked (and safe)
            row = zone.bodies.row(me)
            if row is not None:
                zone.bodies.hull[row], zone.bodies.shield[row] = 1.0, 0.0
            return [c.Target(ship=HUNTER, target=me), c.Fire(ship=HUNTER)]
        case "dock":
            return [c.Dock(ship=me, station=STATION)]
        case "undock":
            return [c.Undock(ship=me)]
        case "jump":
            return [c.Jump(ship=me, gate=GATE)]
        case "drift" if wreck is not None and wreck in zone.bodies.row_of:  # its time is up
            zone.bodies.life[zone.bodies.row_of[wreck]] = 0.0
    return []


def crowd() -> Zone:
    zone = close_quarters()
    zone.add_ship(ship(ME, 1000.0, 0.0, docked_at=STATION, cargo=40.0))
    zone.add_ship(ship(YOU, 1150.0, 0.0, cargo=30.0))
    zone.add_ship(ship(THIRD, 1000.0, 0.0, docked_at=STATION, cargo=60.0))
    zone.add_ship(ship(HUNTER, 1100.0, 0.0, cargo=12.5))
    return zone


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=40), data=st.data())
def test_no_sequence_of_commands_makes_or_loses_ore(
    steps: list[tuple[list[Action], int]], data: st.DataObject
) -> None:
    zone, station, books = crowd(), Station(), Books()
    wrecks: list[int] = []
    start = books.total(zone)
    no_regrowth = tuple(s for s in systems.FIXED_UPDATE if s is not systems.regrow_ore)
    with mock.patch.object(systems, "FIXED_UPDATE", no_regrowth):
        for actions, ticks in steps:
            for act in actions:
                for command in commands(zone, act, wrecks):
                    zone.submit(command)
            for _ in range(ticks):
                station.deliver(zone, zone.clock.tick)
                report = zone.tick()
                books.post(report, station)
                wrecks += [e.wreck for e in report.events if isinstance(e, ev.Wrecked)]
                for trade in (e for e in report.events if isinstance(e, ev.Trade)):
                    delay, pays = data.draw(st.integers(0, 120)), data.draw(st.booleans())
                    station.settle(trade, report.tick + delay, pays)
                assert abs(books.total(zone) - start) < ROUNDING
