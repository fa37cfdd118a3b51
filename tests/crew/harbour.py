"""A whole universe with its company, as the server runs it, driven tick by tick by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from infinity.commands import types as c
from infinity.company.archive import DatabaseArchive
from infinity.company.company import Company
from infinity.company.purse import ShipPurses, Upkeep
from infinity.crew.mind import Decision, Minds
from infinity.crew.needs import interim_purse
from infinity.galaxy.generate import generate
from infinity.sim import events as ev
from infinity.sim import rules
from infinity.sim.zone import ShipState, TickReport, Zone
from infinity.store.store import Store, sqlite_url
from infinity.universe.charts import Charts
from infinity.universe.hangar import Hangar
from infinity.universe.shipyard import Shipyard
from infinity.universe.universe import Universe

SEED = 7
PLAYER_SHIP = 3_000_000  # far above the store's ship ids


@dataclass
class Harbour:
    """A universe, its store and its company; `seconds` ticks every zone and decides."""

    store: Store
    universe: Universe
    company: Company
    events: list[tuple[int, ev.Event]] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def _heard(self, zone: Zone, report: TickReport) -> None:
        self.events += [(zone.system_id, e) for e in report.events]

    def second(self) -> list[Decision]:
        decided = self.company.step()
        self.decisions += decided
        for _ in range(rules.TICK_HZ):
            for system in self.universe.zones:
                self.universe.tick(system)
        return decided

    def seconds(self, count: int) -> None:
        for _ in range(count):
            self.second()

    def chat(self, ship: int) -> list[str]:
        return [e.text for _, e in self.events if isinstance(e, ev.Chat) and e.ship == ship]

    def player(self, account: int, name: str, near: int, dx: float = 0.0) -> int:
        """A player's ship beside ship `near` (docked with it when `dx` is 0), in its zone."""
        zone = self.universe.zone_of(near)
        assert zone is not None
        at = zone.ship_state(near)
        ship = PLAYER_SHIP + account
        docked = at.docked_at if dx == 0.0 else -1
        state = ShipState(
            ship, name, account, at.home_station, zone.system_id, at.x + dx, at.y, docked_at=docked
        )
        self.universe.place(zone.system_id, state, "player")
        return ship

    def say(self, ship: int, text: str) -> None:
        self.universe.submit(c.Say(ship=ship, text=text))


async def open_harbour(data: Path, seed: int = SEED, upkeep: Upkeep | None = None) -> Harbour:
    """Open (or reopen) the universe stored in `data`, as `run_embedded` loads it; with
    `upkeep`, every agent spends from its ship's wallet there, as in the server."""
    store = await Store.open(sqlite_url(data))
    galaxy = await Charts(store.engine).load_galaxy()
    if galaxy is None:
        galaxy = generate(seed)
        await Charts(store.engine).save_galaxy(galaxy)
    universe = Universe(galaxy)
    for ship in await Hangar(store.engine).load_ships():
        universe.place(ship.system_id, ship.state, ship.role)
    shipyard = Shipyard(Hangar(store.engine), universe)
    minds = Minds(seed)
    purses = interim_purse if upkeep is None else ShipPurses(upkeep, minds)
    company = Company(universe, minds, DatabaseArchive(store.engine), shipyard, purses=purses)
    await company.start()
    harbour = Harbour(store, universe, company)
    universe.observe(harbour._heard)
    return harbour
