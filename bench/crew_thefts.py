"""Fugitive crews at large: thefts by agents per hour in a default universe with bot players.

The default embedded universe (`run_embedded`: seed 1, the founding six crews
of four, NPC traffic) runs with `--bots` player accounts whose ships are flown
by bot pilots that mine and sell (so they hold earned credits a thief can
take), on an accelerated clock (`--speed`: every zone ticks that many times as
often, the crews' rounds, the NPC pilots and the economy's beat keep pace).
After `--minutes` simulated minutes it reads the ledger: every THEFT transfer
whose memo names a crew ("... (Crew of the ..., captain ...)") is a theft by
agents. Reported per simulated hour: siphon-seconds (ledger transfers),
robberies (one thief on one victim, a gap of 30 s ending one) and credits,
split by victim (players, NPC ships); plus wanted bounties posted and agents
dead.

Usage: python bench/crew_thefts.py [--minutes M] [--speed S] [--bots B] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import console, emit

from infinity.embedded import Settings, run_embedded
from infinity.gateway.state import Game
from infinity.ledger import TransferKind
from infinity.traffic.pilots import Pilots

EPISODE_GAP = 30.0  # wall-clock seconds of ledger time, scaled by speed below


async def bots(game: Game, count: int, stopping: asyncio.Event, speed: float) -> list[int]:
    """`count` player accounts whose ships mine and sell like a diligent new player."""
    ships = []
    for k in range(count):
        account = await game.accounts.registry.create_account(f"Bot{k + 1}", "-", "player")
        ships.append(await game.ensure_ship(account))
    pilot = Pilots(game.universe, seed=7)

    async def fly() -> None:
        while not stopping.is_set():
            for ship in ships:
                zone = game.universe.zone_of(ship)
                row = None if zone is None else zone.bodies.row(ship)
                if zone is not None and row is not None:
                    for command in pilot.decide(zone, row, ship, "miner"):
                        game.universe.submit(command)
            await asyncio.sleep(1.0 / speed)

    asyncio.get_running_loop().create_task(fly())
    return ships


async def measure(minutes: float, speed: float, count: int, seed: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data=Path(data), seed=seed, snapshot_seconds=30.0, time_scale=speed)
        async with run_embedded(settings) as game:
            stopping = asyncio.Event()
            players = await bots(game, count, stopping, speed)
            started = time.monotonic()
            clock = next(iter(game.universe.zones.values())).clock
            begun = clock.sim_time
            while clock.sim_time - begun < minutes * 60.0:
                await asyncio.sleep(1.0)
            stopping.set()
            simulated = clock.sim_time - begun
            wall = time.monotonic() - started
            return await tally(game, players, simulated, wall, speed)


async def tally(
    game: Game, players: list[int], simulated: float, wall: float, speed: float
) -> dict[str, Any]:
    economy, company = game.economy, game.company
    assert company is not None
    ledger = economy.ledger
    seen: dict[int, Any] = {}
    for wallet, _ in await ledger.balances("wallet:"):
        cursor = None
        while True:
            page, cursor = await ledger.history(wallet, cursor, 200)
            seen.update((r.transfer_id, r) for r in page if r.kind == TransferKind.THEFT)
            if cursor is None:
                break
    thefts = sorted(seen.values(), key=lambda r: r.at)
    by_agents = [r for r in thefts if "(Crew of the" in r.memo]
    victims: Counter[str] = Counter()  # robberies by the victim's ship role
    credits = 0
    episodes = 0
    last: dict[tuple[int, int], float] = {}
    for r in by_agents:
        pair = (r.actors["thief"], r.actors["victim"])
        if r.at - last.get(pair, -1e18) > EPISODE_GAP / speed:
            episodes += 1
            victims[game.universe.roles.get(pair[1], "?")] += 1
        last[pair] = r.at
        credits += sum(p.amount for p in r.postings if p.amount > 0)
    hours = simulated / 3600.0
    dead = sum(not a.alive for a in company.minds.agents.values())
    return {
        "bots": len(players),
        "speed": speed,
        "simulated_minutes": round(simulated / 60.0, 1),
        "wall_seconds": round(wall, 1),
        "thefts_all": len(thefts),
        "agent_siphon_seconds_per_hour": round(len(by_agents) / hours, 1),
        "agent_robberies_per_hour": round(episodes / hours, 1),
        "agent_robberies_of_players_per_hour": round(victims["player"] / hours, 1),
        "agent_robberies_of_npcs_per_hour": round((episodes - victims["player"]) / hours, 1),
        "agent_robberies_by_victim_role": dict(victims),
        "agent_credits_stolen_per_hour": round(credits / hours, 1),
        "seed": game.universe.galaxy.seed,
        "wanted_posted": economy.law.posted,
        "agents_dead": dead,
        "agents": len(company.minds.agents),
        "deaths": dict(Counter(a.death.cause for a in company.minds.agents.values() if a.death)),
        "crew_credits_at_end": {
            crew.name: economy.credits_of_ship(crew.ship) for crew in company.minds.crews.values()
        },
        "example_memo": by_agents[-1].memo if by_agents else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="simulated minutes")
    parser.add_argument("--speed", type=float, default=8.0, help="simulated seconds per second")
    parser.add_argument("--bots", type=int, default=4, help="bot players")
    parser.add_argument("--seed", type=int, default=1, help="the universe's seed")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures = asyncio.run(measure(args.minutes, args.speed, args.bots, args.seed))
    for name, value in figures.items():
        console.print(f"{name:40} {value}")
    emit(figures)


if __name__ == "__main__":
    main()
