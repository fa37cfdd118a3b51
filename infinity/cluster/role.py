"""What every cluster role's process shares: a seeded store, its command line, its stop
on SIGTERM or SIGINT, and its exit codes (0 after an orderly stop, 2 when it cannot
start), so the zone host, the gateway and the crew worker differ only in what they run."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import nats.errors
import uvloop

from infinity._memory import settle_collector
from infinity.cluster.nats_bus import NatsBus
from infinity.cluster.subjects import host_key
from infinity.galaxy.model import Galaxy
from infinity.ledger import Ledger
from infinity.store.store import Store
from infinity.universe.charts import Charts

log = logging.getLogger(__name__)


class NoGalaxy(RuntimeError):
    """The store was never seeded: no role makes a galaxy (`infinity cluster up` seeds it
    with the embedded server's first start)."""


@dataclass(frozen=True, slots=True)
class Links:
    """What every role holds open (the store, migrated; the ledger; NATS) and the galaxy
    the store holds. `open` opens all or none; `close` closes NATS, the ledger, then the
    store."""

    store: Store
    ledger: Ledger
    bus: NatsBus
    galaxy: Galaxy

    @classmethod
    async def open(cls, db: str, nats_url: str, client: str, hear: bool = False) -> Links:
        """`NoGalaxy` if the store was never seeded; `client`: this process on NATS;
        `hear`: its bus hears who reads what (a zone host's, to publish only that)."""
        async with contextlib.AsyncExitStack() as opened:
            store, galaxy = await seeded_store(db)
            opened.push_async_callback(store.close)
            ledger = await Ledger.open(db, migrate=False)
            opened.push_async_callback(ledger.close)
            bus = await NatsBus.connect(nats_url, name=client, hear=hear)
            opened.pop_all()  # the caller owns them now: `close` closes them
            return cls(store, ledger, bus, galaxy)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        try:
            await self.bus.close()
        finally:
            try:
                await self.ledger.close()
            finally:
                await self.store.close()


async def seeded_store(db: str) -> tuple[Store, Galaxy]:
    """The store, migrated, and the main world's galaxy in it; `NoGalaxy` if there is none
    (the store is closed again)."""
    store = await Store.open(db)
    try:
        galaxy = await Charts(store.engine).load_galaxy()
    except BaseException:
        await store.close()
        raise
    if galaxy is None:
        await store.close()
        raise NoGalaxy("the store holds no galaxy: seed it first (infinity cluster up does)")
    return store, galaxy


def role_parser(
    prog: str, description: str, lease: str | None = None, saves: tuple[str, str] | None = None
) -> argparse.ArgumentParser:
    """A role's options: the store, NATS, its name and its log level; with `lease`, a
    `--ttl` (its help); with `saves`, how often it saves (its flag and help). Add the rest."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--db", required=True, help="postgresql+asyncpg://... (seeded)")
    parser.add_argument("--nats", required=True, help="nats://host:port, JetStream on")
    parser.add_argument(
        "--name", required=True, help="unique per live process of the role: letters, digits, - _"
    )
    parser.add_argument("--log-level", default="info", help="debug, info, warning or error")
    if lease is not None:
        parser.add_argument("--ttl", type=int, default=6, help=lease)
    if saves is not None:
        parser.add_argument(saves[0], type=float, default=5.0, help=saves[1])
    return parser


def parse_role(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse and check what every role shares (a name a roll can hold, a lease TTL >= 1
    and seconds between saves in 0.5..300, where the role has them)."""
    options = parser.parse_args(argv)
    try:
        host_key(options.name)
    except ValueError as error:
        parser.error(str(error))
    if getattr(options, "ttl", 1) < 1:
        parser.error("--ttl must be at least 1")
    for flag in ("snapshot_seconds", "save_seconds"):
        seconds = getattr(options, flag, 1.0)
        if not 0.5 <= seconds <= 300:
            parser.error(f"--{flag.replace('_', '-')} must be between 0.5 and 300")
    return options


class Role(Protocol):
    """A role's process once open: it runs until told to stop, then closes."""

    name: str

    async def run(self, stopping: asyncio.Event) -> None: ...

    async def close(self) -> None: ...


async def until_signalled(opening: Awaitable[Role], what: str, doing: str) -> None:
    """Open a role (`opening`), say what it does, and run it until the first SIGTERM or
    SIGINT (its orderly stop); then close it."""
    role = await opening
    log.info("%s %s: %s", what, role.name, doing)
    settle_collector()  # open: what it loaded lives for the whole run
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await role.run(stopping)
    finally:
        await role.close()
    log.info("%s %s: stopped", what, role.name)


def run_role(what: str, options: argparse.Namespace, work: Coroutine[Any, Any, None]) -> int:
    """Run a role's work to its orderly end (0); 2, said in the log, when it cannot start."""
    logging.basicConfig(
        level=options.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        uvloop.run(work)  # the event loop `infinity serve` runs on, for every role
    except (NoGalaxy, ValueError, OSError, nats.errors.Error) as error:
        log.error("%s %s cannot start: %s", what, options.name, error)
        return 2
    return 0


def arguments(argv: Sequence[str] | None) -> Sequence[str]:
    """The command line's arguments: `argv`, or the process's own."""
    return sys.argv[1:] if argv is None else argv
