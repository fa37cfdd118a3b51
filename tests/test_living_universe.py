"""A living universe: the default embedded server with bot players, on an accelerated clock.

Left alone, fugitive crews steal from the bot players and NPC ships; the victims' wallet
history names the thief (ship, crew, captain). A crew robbed in turn remembers the thief
and reacts (curses them by name, fights back or flees). `bench/crew_thefts.py` measures
the rate over an hour.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from infinity.commands import types as c
from infinity.commands.internal import Warp
from infinity.crew.crew import Crew
from infinity.crew.goals import Goal
from infinity.economy import accounts
from infinity.embedded import Settings, run_embedded
from infinity.gateway.state import Game
from infinity.ledger import Receipt, TransferKind
from infinity.sim import events as ev
from infinity.sim.zone import TickReport, Zone
from infinity.traffic.pilots import Pilots

SPEED = 16.0
BOTS = 4
PATIENCE = 240.0  # wall seconds at most for the first theft by agents of a bot player


async def bot_players(game: Game, stopping: asyncio.Event, held: set[int]) -> dict[int, str]:
    """Player accounts whose ships mine and sell (as a diligent newcomer does): ship -> name;
    ships in `held` are left alone."""
    ships: dict[int, str] = {}
    for k in range(BOTS):
        account = await game.accounts.registry.create_account(f"Bot{k + 1}", "-", "player")
        ships[await game.ensure_ship(account)] = account.name
    pilot = Pilots(game.universe, seed=11)

    async def fly() -> None:
        while not stopping.is_set():
            for ship in [s for s in ships if s not in held]:
                zone = game.universe.zone_of(ship)
                row = None if zone is None else zone.bodies.row(ship)
                if zone is not None and row is not None:
                    for command in pilot.decide(zone, row, ship, "miner"):
                        game.universe.submit(command)
            await asyncio.sleep(1.0 / SPEED)

    asyncio.get_running_loop().create_task(fly())
    return ships


async def theft_by_agents(game: Game, wallet: str) -> Receipt | None:
    history, _ = await game.economy.wallets.statement(wallet, None, 200)
    return next(
        (r for r in history if r.kind == TransferKind.THEFT and "(Crew of the" in r.memo), None
    )


async def test_crews_steal_from_bot_players_and_a_robbed_crew_remembers(tmp_path: Path) -> None:
    # the universe itself runs SPEED times faster than life (`infinity serve --time-scale`)
    settings = Settings(data=tmp_path, snapshot_seconds=30.0, time_scale=SPEED)
    async with run_embedded(settings) as game:
        stopping = asyncio.Event()
        held: set[int] = set()
        bots = await bot_players(game, stopping, held)
        company = game.company
        assert company is not None
        wallets = {ship: accounts.wallet(ship, game.universe.owners[ship]) for ship in bots}
        robbed: tuple[int, Receipt] | None = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while robbed is None and loop.time() < deadline:
            await asyncio.sleep(1.0)
            for ship, wallet in wallets.items():
                found = await theft_by_agents(game, wallet)
                if found is not None:
                    robbed = (ship, found)
        assert robbed is not None, "no crew robbed a bot player"
        victim, receipt = robbed
        thief = receipt.actors["thief"]
        crew = next(k for k in company.minds.crews.values() if k.ship == thief)
        zone = game.universe.zone_of(thief)
        assert zone is not None
        name = zone.info[thief].name
        # the victim's history names the ship, its crew and its captain, and the victim
        assert receipt.memo.startswith(f"siphon by {name} ({crew.name}, captain ")
        assert receipt.memo.endswith(f"from {bots[victim]}")
        assert receipt.actors["victim"] == victim

        # now a bot player robs a crew in flight: they remember it and react
        target = await crew_in_flight(game)
        pirate = next(iter(bots))
        seen: list[ev.Event] = []

        def heard(_: Zone, report: TickReport) -> None:
            seen.extend(report.events)

        game.universe.observe(heard)
        held.add(pirate)  # its bot stops flying it
        aboard = [company.minds.agents[a] for a in target.members]
        pirate_name = bots[pirate]
        for attempt in range(60):
            if attempt % 6 == 0:  # (again) if it got away before a second was drained
                await rob(game, pirate, target.ship)
            await asyncio.sleep(0.5)
            if any(pirate_name in m.text for a in aboard for m in a.memory.recent(20)):
                break
        stopping.set()
        remembered = [
            m for a in aboard for m in a.memory.recent(30) if f"{pirate_name} siphoned" in m.text
        ]
        assert remembered and all(m.importance >= 8 for m in remembered)
        now = game.universe.zones[game.universe.where[target.ship]].clock.sim_time
        assert any(a.grudges.weight(pirate, now) > 0 for a in aboard)
        cursed = [
            e
            for e in seen
            if isinstance(e, ev.Chat) and e.ship == target.ship and pirate_name in e.text
        ]
        reacted = {Goal.REVENGE, Goal.SURVIVE, Goal.FLEE, Goal.PROTECT, Goal.ATTACK}
        assert cursed or any(a.intent.goal in reacted for a in aboard if a.alive)


async def crew_in_flight(game: Game) -> Crew:
    """A crew with someone alive aboard, its ship in flight (waiting for one if need be)."""
    company = game.company
    assert company is not None
    for _ in range(240):
        for crew in company.minds.crews.values():
            zone = game.universe.zone_of(crew.ship)
            row = None if zone is None else zone.bodies.row(crew.ship)
            alive = any(company.minds.agents[a].alive for a in crew.members)
            if alive and zone is not None and row is not None and zone.bodies.docked_at[row] < 0:
                return crew
        await asyncio.sleep(0.25)
    raise AssertionError("no crew ever left its station")


async def rob(game: Game, pirate: int, victim: int) -> None:
    """Put `pirate` 300 m from `victim` (an operator's warp: a test's shortcut) and siphon it;
    nothing when the victim is between systems (the caller tries again)."""
    for _ in range(50):
        zone = game.universe.zone_of(victim)
        row = None if zone is None else zone.bodies.row(victim)
        if zone is None or row is None:
            return
        x, y = (float(v) for v in zone.bodies.pos[row])
        game.universe.submit(Warp(ship=pirate, system=zone.system_id, x=x + 300.0, y=y))
        if game.universe.zone_of(pirate) is zone:  # the warp and the siphon in one tick
            game.universe.submit(c.Siphon(ship=pirate, target=victim))
            return
        await asyncio.sleep(0.1)
