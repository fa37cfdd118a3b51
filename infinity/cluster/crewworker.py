"""The crew worker role: runs the crews' minds for zones simulated by other processes
(docs/cluster.md "Crew workers").

A crew worker follows every zone's census (`census.py`) in a `ReplicaUniverse` and, while
it holds the company's lease, runs the same `Company` the embedded server runs on it: the
minds restored from the store, perceiving the replicas, deciding once a simulated second,
and acting only through commands relayed to the zones' hosts, as players do. One worker
holds the lease (`ZoneHost` over the crew-leases bucket, one key: the company); another
started beside it waits, and takes the minds over from their last save when the holder
stops renewing (killed, stalled or cut off). The minds are saved every
`--save-seconds` and at an orderly stop, before the lease is released. The holder also
answers the crews' REST that gateways carry over on `crew.calls` (`crew_api.carry_out`).

    python -m infinity.cluster.crewworker --db postgresql+asyncpg://... --nats nats://...
        --name NAME [--ttl S] [--save-seconds S]

The agents spend from their ships' wallets in the ledger: upkeep is settled in batches by
the thinking worker, as the embedded economy does (what their ships trade and steal is
settled by the zone hosts). Left out for now: the language-model mind, and minds in
transit between servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
import uuid
from collections.abc import Sequence
from typing import Final

import msgspec
from sqlalchemy.exc import SQLAlchemyError

from infinity.cluster import handover
from infinity.cluster.census import ReplicaUniverse
from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.ownership import ZoneHost
from infinity.cluster.role import (
    Links,
    arguments,
    parse_role,
    role_parser,
    run_role,
    until_signalled,
)
from infinity.cluster.subjects import COMPANY, CREW_CALLS, CREW_LEASES_BUCKET, CREW_WORKERS_BUCKET
from infinity.commands.types import Command
from infinity.company.archive import DatabaseArchive, Fence
from infinity.company.company import Company
from infinity.company.purse import ShipPurses
from infinity.crew.mind import Minds
from infinity.economy import accounts
from infinity.economy.upkeep import UPKEEP_EVERY, Upkeep
from infinity.economy.wallets import Wallets
from infinity.gateway import crew_api
from infinity.gateway.bus import Message, Subscription
from infinity.gateway.relay import CommandRelay
from infinity.gateway.rest import ApiError, error_response
from infinity.gateway.subjects import ALL_CENSUSES
from infinity.ledger import LedgerError, UnknownAccount
from infinity.universe.hangar import Hangar
from infinity.universe.loop import pause
from infinity.universe.shipyard import Shipyard

log = logging.getLogger(__name__)
_crew_call = msgspec.msgpack.Decoder(crew_api.CrewCall)

MINDS_FENCE: Final = -1
"""The `zone_epochs` row of the company's minds (no zone has a negative id): each worker
that takes the company's lease writes its epoch there, and every save of the minds checks
it, so a worker that lost the lease while a save was in flight writes nothing."""


class CrewWorker:
    """One crew worker: the replicas, the company's lease, and the minds while it holds
    it. Build it with `open`."""

    def __init__(
        self,
        name: str,
        links: Links,
        leases: ZoneLeases,
        roll: HostRoll,
        save_seconds: float,
    ) -> None:
        self.name = name
        self.company: Company | None = None
        self._links = links
        self._store = links.store
        self._bus = bus = links.bus
        self.universe = ReplicaUniverse(links.galaxy, self._send)
        # The crews spend from their ships' wallets: upkeep settled in the ledger in batches.
        self._wallets = Wallets(self.universe, links.ledger)
        self.upkeep = Upkeep(self._wallets)
        self._relay = CommandRelay(bus, self.universe.where)
        self._lease = ZoneHost(leases, roll, name, [COMPANY], self._gain, self._lose)
        self._save_seconds = save_seconds
        self._group: asyncio.TaskGroup | None = None
        self._thinking: tuple[asyncio.Task[None], asyncio.Event] | None = None

    @classmethod
    async def open(
        cls, db: str, nats_url: str, name: str, ttl: int = 6, save_seconds: float = 5.0
    ) -> CrewWorker:
        """Open the store, the ledger and NATS, and read the galaxy; `NoGalaxy` if never
        seeded."""
        links = await Links.open(db, nats_url, f"crew-worker-{name}")
        try:
            js = links.bus.client.jetstream(timeout=2.0)
            leases = await ZoneLeases.open(js, ttl, CREW_LEASES_BUCKET)
            roll = await HostRoll.open(js, ttl, CREW_WORKERS_BUCKET)
            return cls(name, links, leases, roll, save_seconds)
        except BaseException:
            await links.close()
            raise

    @property
    def thinking(self) -> bool:
        """Whether this worker runs the minds now."""
        return self.company is not None

    async def run(self, stopping: asyncio.Event) -> None:
        """Follow the zones and hold the company's lease until `stopping`; then save the
        minds (if held) before the lease goes back."""
        letting_go = asyncio.Event()
        censuses: Subscription = await self._bus.subscribe(ALL_CENSUSES, self.universe.on_census)
        calls: Subscription = await self._bus.subscribe(CREW_CALLS, self._on_call)
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                relaying = group.create_task(self._relay.run())
                group.create_task(self._lease.run(letting_go))
                settling = group.create_task(self._settle_upkeep_every(stopping))
                await stopping.wait()
                await self._stop_thinking(save=True)
                await settling  # what the crews spent, in the ledger
                self._group = None
                letting_go.set()
                relaying.cancel()
        finally:
            self._group = None
            await calls.close()
            await censuses.close()

    async def close(self) -> None:
        await self._links.close()

    async def _on_call(self, message: Message) -> None:
        """A call of the crews' REST from a gateway, answered while this worker holds the
        crews (else another does, or the gateway says they are away)."""
        company = self.company
        if company is None or not message.reply:
            return
        try:
            call = _crew_call.decode(message.data)
            answer = await crew_api.carry_out(company, call)
        except (msgspec.DecodeError, msgspec.ValidationError) as bad:
            answer = error_response(ApiError(400, "invalid", f"not a crew call: {bad}"))
        except ApiError as refused:
            answer = error_response(refused)
        except Exception:  # a bug: the caller hears so, the worker thinks on
            log.exception("crew worker %s: a crew call failed", self.name)
            answer = error_response(ApiError(500, "crew_failed", "the crews could not answer"))
        reply = crew_api.CrewAnswer(answer.status_code, bytes(answer.body))
        await self._bus.publish(message.reply, msgspec.msgpack.encode(reply))

    def _send(self, command: Command) -> bool:
        return self._relay.send(command)

    async def _gain(self, _company: int) -> None:
        """The lease is ours: restore every mind from its last save and start thinking."""
        if self._group is None:
            raise RuntimeError(f"crew worker {self.name} is stopping")
        engine = self._store.engine
        epoch = uuid.uuid4().hex
        await handover.claim_zone(engine, MINDS_FENCE, self.name, epoch)  # before the restore
        fence = minds_fence(epoch)
        shipyard = Shipyard(Hangar(engine), self.universe)
        minds = Minds(self.universe.galaxy.seed)
        company = Company(
            self.universe, minds, DatabaseArchive(engine, fence), shipyard,
            purses=ShipPurses(self.upkeep, minds), interval=self._save_seconds,
        )  # fmt: skip
        await company.start()
        await self._read_balances(company)
        stop = asyncio.Event()
        task = self._group.create_task(company.run(stop), name="company")
        self.company, self._thinking = company, (task, stop)
        log.info("crew worker %s: thinking for %d agents", self.name, len(company.minds.agents))

    def _lose(self, _company: int) -> None:
        """The lease may have lapsed: stop thinking at once, unsaved (the next holder
        restores the minds from their last save)."""
        if self._thinking is not None:
            task, stop = self._thinking
            stop.set()
            task.cancel()
        if self.company is not None:
            self.universe.unobserve(self.company.witness_tick)
        self.company, self._thinking = None, None
        if self._group is None:  # the orderly stop released it, after saving the minds
            log.info("crew worker %s: the company's lease released", self.name)
        else:
            log.warning("crew worker %s: the company's lease is lost: not thinking", self.name)

    async def _settle_upkeep_every(self, stopping: asyncio.Event) -> None:
        """Every `UPKEEP_EVERY` seconds, and once more at the end: the crews' wallets read
        again (the zone hosts pay and rob them), then what the crews spent is settled."""
        while not await pause(stopping, UPKEEP_EVERY):
            await self._settle_upkeep()
        await self._settle_upkeep()

    async def _settle_upkeep(self) -> None:
        try:
            if self.company is not None:
                await self._read_balances(self.company)
            await self.upkeep.settle()
        except (LedgerError, SQLAlchemyError, OSError) as failure:  # owed: the next batch
            log.warning("crew worker %s: upkeep not settled: %r", self.name, failure)

    async def _read_balances(self, company: Company) -> None:
        for ship in list(company.ships):
            wallet = self._wallets.wallet_of(ship)
            with contextlib.suppress(UnknownAccount):  # opened by its zone's host, later
                await self._wallets.refresh(wallet, accounts.starter(wallet))

    async def _stop_thinking(self, save: bool) -> None:
        """An orderly stop: the decision loop ends after its round, then the minds are
        saved while the lease is still ours."""
        if self._thinking is None or self.company is None:
            return
        task, stop = self._thinking
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if save and self._lease.holds(COMPANY):
            try:
                await self.company.save()
            except handover.Fenced as fenced:  # another worker restored them meanwhile
                log.warning("crew worker %s: minds not saved: %s", self.name, fenced)
                return
            log.info("crew worker %s: minds saved", self.name)


def minds_fence(epoch: str) -> Fence:
    """The check every save of the minds makes: the company's epoch is still `epoch`."""
    return functools.partial(handover.fence, zone=MINDS_FENCE, epoch=epoch)


def main(argv: Sequence[str] | None = None) -> int:
    """The crew worker's command line; 0 after an orderly stop, 2 when it cannot start."""
    parser = role_parser(
        "python -m infinity.cluster.crewworker",
        "A crew worker: the crews' minds, acting on zones of other processes.",
        lease="the company's lease TTL, seconds >= 1",
        saves=("--save-seconds", "how often minds are saved"),
    )
    o = parse_role(parser, arguments(argv))
    worker = CrewWorker.open(o.db, o.nats, o.name, o.ttl, o.save_seconds)
    doing = f"following the zones (lease TTL {o.ttl} s)"
    return run_role("crew worker", o, until_signalled(worker, "crew worker", doing))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
