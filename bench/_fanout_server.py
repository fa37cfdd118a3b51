"""The server side of the fan-out bench: the real app, under uvicorn as `infinity serve` runs it.

1. Opens a fresh Store (SQLite) in `--data` and creates `--clients` accounts
   and sessions through the Store API (a dummy password hash: nobody logs in
   with a password, so argon2 is skipped), writing the tokens to `--tokens`.
2. Builds the ASGI app with `infinity.gateway.app.create_app` over `run_embedded`
   with `infinity serve`'s defaults (zone loops for every system, snapshots, the
   fan-out, NPC traffic and the crews), and wraps its lifespan to populate one zone: `--ships`
   ships in total, spread uniformly so a 3x3-cell view holds ~80 of them. The
   first `--clients` ships belong to the bench accounts; the rest are traffic
   that gets a random `thrust` once a second through `Universe.submit`, the
   same path every command takes.
3. Serves with `infinity.cli.serve`'s `server_config` and `Gateway` (uvloop, the game
   lane for `/ws`, no per-message deflate) on 127.0.0.1 until SIGINT/SIGTERM.

Ships are placed directly with `Universe.place`, as `run_embedded` does for
ships it loads, instead of being created in the store first (that would
cost ~1 ms each at setup). The periodic snapshot therefore updates 5,000
rows that do not exist, slightly cheaper than a real snapshot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import random
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import numpy as np
from starlette.applications import Starlette

from infinity._memory import keep_large_allocations
from infinity.accounts.registry import Registry
from infinity.accounts.tokens import new_token, token_hash
from infinity.commands import types as c
from infinity.embedded import Settings, run_embedded
from infinity.galaxy.generate import generate
from infinity.gateway.app import Gateway, create_app, server_config
from infinity.gateway.limits import Limits
from infinity.gateway.state import Game
from infinity.sim import rules
from infinity.sim.systems import CELL_SIZE
from infinity.sim.zone import ShipState
from infinity.store.store import Store, sqlite_url
from infinity.universe.tables import FIRST_SHIP_ID
from infinity.universe.universe import Universe

try:  # run as a script (bench/ on sys.path) or as a module
    from _common import GcWatch
except ImportError:  # pragma: no cover
    from bench._common import GcWatch

SEED: Final = 1
VIEW_SHIPS: Final = 80.0
SESSION_SECONDS: Final = 24 * 3600.0
DUMMY_HASH: Final = "$bench$no-password-login"


async def create_accounts(data: Path, clients: int) -> list[tuple[int, str]]:
    """(account id, token) for `clients` fresh accounts with open sessions."""
    store = await Store.open(sqlite_url(data))
    made: list[tuple[int, str]] = []
    try:
        expires = time.time() + SESSION_SECONDS
        for i in range(clients):
            account = await Registry(store.engine).create_account(
                f"bench-{i}", DUMMY_HASH, "player"
            )
            token = new_token()
            await Registry(store.engine).create_session(account.id, token_hash(token), expires)
            made.append((account.id, token))
    finally:
        await store.close()
    return made


def square_side(ships: int) -> float:
    """Side (m) of the square that holds `ships` at ~80 ships per 3x3-cell view."""
    return float(np.sqrt(ships * (3 * CELL_SIZE) ** 2 / VIEW_SHIPS))


def populate(universe: Universe, accounts: list[int], ships: int, seed: int) -> list[int]:
    """Place `ships` ships in the first system; returns the ids of the traffic ships."""
    system = universe.galaxy.systems[0]
    home = system.stations()[0].id
    rng = np.random.default_rng(seed)
    half = square_side(ships) / 2
    xy = rng.uniform(-half, half, size=(ships, 2))
    heading = rng.uniform(-np.pi, np.pi, size=ships)
    traffic: list[int] = []
    first = max(universe.where, default=FIRST_SHIP_ID - 1) + 1  # after the NPCs' and crews'
    for i in range(ships):
        account = accounts[i] if i < len(accounts) else None
        ship_id = first + i
        name = f"bench-{i}" if account is not None else f"Trader-{i}"
        state = ShipState(
            ship_id, name, account, home, system.id,
            x=float(xy[i, 0]), y=float(xy[i, 1]), heading=float(heading[i]),
        )  # fmt: skip
        universe.place(system.id, state, "player" if account is not None else "trader")
        if account is None:
            traffic.append(ship_id)
    return traffic


async def drive_traffic(universe: Universe, ships: list[int], seed: int) -> None:
    """Every tick, a twentieth of the traffic ships get a new random thrust: one per second each."""
    rng = random.Random(seed)
    slices = rules.TICK_HZ
    phase = 0
    while True:
        for ship in ships[phase::slices]:
            throttle = rng.choice((0.3, 0.6, 1.0))
            universe.submit(c.Thrust(ship=ship, throttle=throttle, turn=rng.uniform(-1.0, 1.0)))
        phase = (phase + 1) % slices
        await asyncio.sleep(rules.TICK_SECONDS)


def bench_app(
    settings: Settings, accounts: list[int], ships: int, freeze: bool = False
) -> Starlette:
    """The server's app over `run_embedded`, with the bench zone populated and its traffic
    driven for as long as the universe runs.

    With `freeze`, everything alive after start-up is moved out of the collector's
    reach (`gc.freeze()`), an experiment the server does not do by itself.
    """

    @contextlib.asynccontextmanager
    async def run() -> AsyncIterator[Game]:
        async with run_embedded(settings) as game:
            traffic = populate(game.universe, accounts, ships, SEED)
            if freeze:
                gc.collect()
                gc.freeze()
            driver = asyncio.create_task(drive_traffic(game.universe, traffic, SEED))
            try:
                yield game
            finally:
                driver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await driver

    return create_app(run)


def serve(app: Starlette, port: int, clients: int) -> None:
    """uvicorn exactly as `infinity serve` configures it (quieter logs), with room for the
    bench's clients as `infinity serve --max-connections` gives it."""
    limits = Limits(max_connections=max(Limits().max_connections, clients + 100))
    Gateway(server_config(app, "127.0.0.1", port, "warning", limits)).run()


def census(top: int = 8) -> dict[str, float]:
    """What a full collection has to walk when the measured windows begin: every object
    the collector tracks (the frozen start-up objects are not among them), by type."""
    tracked = gc.get_objects()
    counts = Counter(type(o).__name__ for o in tracked)
    del tracked
    started = time.perf_counter()
    gc.collect()  # once, to time what a full collection costs here and now
    took = round(1000 * (time.perf_counter() - started), 1)
    return {
        "total": sum(counts.values()),
        "full_collect_ms": took,
        **dict(counts.most_common(top)),
    }


def main() -> None:
    keep_large_allocations()  # as `infinity serve` does
    parser = argparse.ArgumentParser(description="fan-out bench server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--ships", type=int, default=5000)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--tokens", type=Path, required=True)
    parser.add_argument("--gc-stats", type=Path, help="write GC pause figures here on exit")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after start-up")
    args = parser.parse_args()
    if generate(SEED).systems[0].stations() == []:
        raise SystemExit("the bench galaxy needs a station in its first system")
    made = asyncio.run(create_accounts(args.data, args.clients))
    args.tokens.write_text(json.dumps([token for _, token in made]))
    settings = Settings(data=args.data, seed=SEED)  # as `infinity serve` runs it
    app = bench_app(settings, [account for account, _ in made], args.ships, args.gc_freeze)
    with GcWatch() as watch, contextlib.suppress(KeyboardInterrupt):
        # the driver sends SIGUSR1 when its measured windows begin
        taken: dict[str, float] = {}

        def windows_begin(*_: object) -> None:
            taken.update(census())  # its timed full collection is not the windows' own
            watch.reset()

        signal.signal(signal.SIGUSR1, windows_begin)
        try:
            serve(app, args.port, args.clients)  # uvicorn re-raises the SIGINT that stopped it
        finally:
            if args.gc_stats:
                figures = {**watch.figures(), "gen2_census": taken}
                args.gc_stats.write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
