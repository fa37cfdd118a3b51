"""Bounties: credits escrowed on a ship, a player or a crew, paid to whoever destroys it.

Only earned credits are posted: the escrow debits the poster's wallet, never its
starter credit (`accounts.starter`), so fresh accounts cannot pool their grants
into one bounty and have a friend collect it.

A bounty row is written `pending` first; its escrow transfer (key
`bounty-post:<id>`) opens it, or cancels it when the poster cannot pay. A
kill marks it `claiming` before paying (key `bounty-pay:<id>`), so a crash
at any point is finished at the next start by the same keys.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.commands.errors import Refusal
from infinity.commands.notices import NoticeKind, Tell
from infinity.economy import accounts
from infinity.economy.tables import bounties
from infinity.economy.wallets import Wallets
from infinity.ledger import Ledger, Overdraft, Receipt, TransferKind, TransferRequest

MIN_BOUNTY: Final = 10


class BountyRefused(Refusal):
    """A bounty that cannot be posted; `reason` is a stable code for the API."""


@dataclass(frozen=True, slots=True)
class Bounty:
    id: int
    poster: int
    target_kind: str
    target_id: int
    target_name: str
    amount: int
    status: str
    created_at: float
    paid_to: int | None


@dataclass(frozen=True, slots=True)
class Target:
    """What a bounty is on: a name, the ship whose destruction claims it, and the account
    that owns that ship (None for NPC and crew ships)."""

    name: str
    ship: int
    owner: int | None


def _bounty(row: sa.Row[Any]) -> Bounty:
    names = [f.name for f in dataclasses.fields(Bounty)]
    return Bounty(*(getattr(row, name) for name in names))


class BountyWatch(Protocol):
    """Who hears a bounty open and close (the composition root passes the hunts), so the
    economy never imports what sits above it."""

    async def bounty_opened(self, bounty: Bounty) -> None: ...
    async def bounty_closed(self, bounty: Bounty) -> None: ...


class _Unwatched:
    async def bounty_opened(self, bounty: Bounty) -> None:
        """Nobody watches the board."""

    async def bounty_closed(self, bounty: Bounty) -> None:
        """Nobody watches the board."""


class BountyBoard:
    """The `bounties` table over the store's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(
        self, poster: int, target_kind: str, target_id: int, target_name: str, amount: int
    ) -> Bounty:
        """A pending bounty: it opens once its escrow transfer commits."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                sa.insert(bounties).returning(*bounties.c),
                {
                    "poster": poster,
                    "target_kind": target_kind,
                    "target_id": target_id,
                    "target_name": target_name,
                    "amount": amount,
                    "status": "pending",
                    "created_at": time.time(),
                },
            )
            return _bounty(result.one())

    async def set_status(self, bounty_id: int, status: str, paid_to: int | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if paid_to is not None:
            values |= {"paid_to": paid_to, "paid_at": time.time()}
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(bounties).where(bounties.c.id == bounty_id).values(**values)
            )

    async def bounties(self, status: str) -> list[Bounty]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(bounties).where(bounties.c.status == status).order_by(bounties.c.id)
            )
            return [_bounty(r) for r in rows]

    async def open_on(self, target_kind: str, target_id: int) -> list[Bounty]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(bounties).where(
                    (bounties.c.status == "open")
                    & (bounties.c.target_kind == target_kind)
                    & (bounties.c.target_id == target_id)
                )
            )
            return [_bounty(r) for r in rows]


class Bounties:
    """Posts, escrows and pays bounties; `crews` is the live (name, ship) of each crew."""

    def __init__(
        self,
        wallets: Wallets,
        board: BountyBoard,
        tell: Tell,
        crews: Mapping[int, tuple[str, int]],
        watch: BountyWatch | None = None,
    ) -> None:
        self.wallets = wallets
        self.universe = wallets.universe
        self.board = board
        self.tell = tell
        self.crews = crews
        self.watch: BountyWatch = watch if watch is not None else _Unwatched()
        self.wanted: set[int] = set()  # ships the law posted wanted, bounty open: patrols hunt

    async def post_wanted(self, ship: int, name: str, amount: int) -> Bounty:
        """The stations' law posts `ship` wanted, escrowed from the law account (`law.py`)."""
        bounty = await self.board.add(accounts.LAW_POSTER, "ship", ship, name, amount)
        return await self._escrow(bounty)

    async def post(self, poster: int, target_kind: str, target_id: int, amount: int) -> Bounty:
        """Escrow `amount` of the poster's earned credits as a bounty on a ship, player or
        crew (`post`, below, with the target as this universe knows it)."""
        target = self._target(target_kind, target_id)
        bounty, receipt = await post(
            self.board, self.wallets.ledger, poster, target_kind, target_id, target, amount
        )
        return await self._opened(bounty, receipt)

    def _target(self, target_kind: str, target_id: int) -> Target:
        """The target's name, the ship a kill of it is claimed on, and that ship's owner."""
        if target_kind == "crew":
            crew = self.crews.get(target_id)
            if crew is None:
                raise BountyRefused("unknown_target", f"no crew {target_id} in the universe")
            name, crew_ship = crew
            return Target(name, crew_ship, self.universe.owners.get(crew_ship))
        ship = target_id if target_kind == "ship" else self.universe.ship_of_account.get(target_id)
        zone = None if ship is None else self.universe.zone_of(ship)
        if (
            target_kind not in ("ship", "player")
            or ship is None
            or zone is None
            or ship not in zone.info
        ):
            raise BountyRefused("unknown_target", f"no {target_kind} {target_id} in the universe")
        return Target(zone.info[ship].name, ship, self.universe.owners.get(ship))

    async def _escrow(self, bounty: Bounty) -> Bounty:
        return await self._opened(*await escrow(self.board, self.wallets.ledger, bounty))

    async def _opened(self, opened: Bounty, receipt: Receipt) -> Bounty:
        """An escrow committed: the cache, the wanted list and the watch hear of it."""
        self.wallets.applied(receipt)
        if _wanted(opened):
            self.wanted.add(opened.target_id)
        await self.watch.bounty_opened(opened)
        return opened

    async def reconcile(self) -> None:
        """Pending bounties from before a crash: the replay-safe escrow decides their fate;
        then who is wanted, afresh (another process may have posted or paid since)."""
        for bounty in await self.board.bounties("pending"):
            with contextlib.suppress(BountyRefused):
                await self._escrow(bounty)
        for bounty in await self.board.bounties("claiming"):
            await self._pay(bounty, int(bounty.paid_to or 0))
        wanted = {b.target_id for b in await self.board.bounties("open") if _wanted(b)}
        self.wanted.intersection_update(wanted)  # in place: the patrols hold this set
        self.wanted.update(wanted)

    async def claim(self, ship: int, killer: int) -> None:
        """`killer` destroyed `ship`: pay every open bounty on the ship, its owner or its crew."""
        if killer < 0 or killer == ship:
            return
        for bounty in await self._open_on_ship(ship):
            await self.board.set_status(bounty.id, "claiming", paid_to=killer)
            await self._pay(bounty, killer)

    async def _open_on_ship(self, ship: int) -> list[Bounty]:
        claims = await self.board.open_on("ship", ship)
        owner = self.universe.owners.get(ship)
        if owner is not None:
            claims += await self.board.open_on("player", owner)
        for crew_id, (_, crew_ship) in self.crews.items():
            if crew_ship == ship:
                claims += await self.board.open_on("crew", crew_id)
        return claims

    async def _pay(self, bounty: Bounty, hunter: int) -> None:
        wallet = self.wallets.wallet_of(hunter)
        request = TransferRequest.move(
            f"bounty-pay:{bounty.id}", TransferKind.BOUNTY, accounts.BOUNTY_ESCROW, wallet,
            bounty.amount, actors={"hunter": hunter, "bounty": bounty.id}, memo=f"bounty on {bounty.target_name}",
        )  # fmt: skip
        self.wallets.applied(await self.wallets.ledger.transfer(request))
        await self.board.set_status(bounty.id, "paid", paid_to=hunter)
        if _wanted(bounty):
            self.wanted.discard(bounty.target_id)
        await self.watch.bounty_closed(bounty)
        text = f"bounty claimed: +{bounty.amount} cr"
        self.tell(hunter, self.wallets.notice(NoticeKind.BOUNTY_PAID, text, wallet, bounty.amount))


async def post(
    board: BountyBoard,
    ledger: Ledger,
    poster: int,
    target_kind: str,
    target_id: int,
    target: Target,
    amount: int,
) -> tuple[Bounty, Receipt]:
    """Escrow `amount` of the poster's earned credits as a bounty on `target` (by any
    process: the board and the ledger are the store's). Whatever the kind, the bounty is on
    one ship: if the poster owns it, the poster would be paid for their own death, so it is
    refused (yourself, your ship, your crew)."""
    if amount < MIN_BOUNTY:
        raise BountyRefused("invalid", f"a bounty is at least {MIN_BOUNTY} cr")
    if target.owner == poster:
        raise BountyRefused("invalid", f"you cannot put a bounty on your own {target_kind}")
    bounty = await board.add(poster, target_kind, target_id, target.name, amount)
    return await escrow(board, ledger, bounty)


async def escrow(board: BountyBoard, ledger: Ledger, bounty: Bounty) -> tuple[Bounty, Receipt]:
    """Move a pending bounty's amount to escrow (by its key: a replay is harmless) and open
    it; cancelled, `BountyRefused`, when the poster has not earned that much."""
    poster = (
        accounts.LAW if bounty.poster == accounts.LAW_POSTER else accounts.wallet(0, bounty.poster)
    )
    request = TransferRequest.move(
        f"bounty-post:{bounty.id}", TransferKind.BOUNTY, poster,
        accounts.BOUNTY_ESCROW, bounty.amount, actors={"poster": bounty.poster, "bounty": bounty.id},
        memo=f"bounty on {bounty.target_name}",
    )  # fmt: skip
    try:
        receipt = await ledger.transfer(request)
    except Overdraft as failure:
        await board.set_status(bounty.id, "cancelled")
        detail = f"only earned credits can be posted: you have {failure.balance} cr"
        raise BountyRefused("no_credits", detail) from None
    await board.set_status(bounty.id, "open")
    return dataclasses.replace(bounty, status="open"), receipt


def _wanted(bounty: Bounty) -> bool:
    """A bounty the stations' law posted on a ship (`law.py`): that ship is wanted."""
    return bounty.poster == accounts.LAW_POSTER and bounty.target_kind == "ship"
