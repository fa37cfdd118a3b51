"""The kill switch: two operators erase the whole universe, for good (docs/operators.md).

One operator arms it with a reason; a second, different operator confirms within the window
(`infinity serve --killswitch-window`, 120 s by default). The same operator twice, an expired
window, or anyone whose role lacks `kill_switch` is refused; every act, done or refused, is one
audit entry, like every operator verb.

On confirmation, in order, each step audited:

1. `killswitch_confirm`: the marker `erasing` is written to the `galaxy` table with the
   confirmation's audit seq: from here on the erase WILL happen, even if the process dies.
2. `killswitch_stop`: every zone and loop is told to stop (`KillHooks.halt`, from the
   composition root, which also ends the server), and every game session is told and closed
   with close code 4010 "the universe was erased" (`KillHooks.close_sessions`).
3. After the loops have stopped (no snapshot is taken): `killswitch_burn`: every ledger
   account holding credits, but the mint's and the burn accounts', is closed by moving its
   whole balance to `killswitch:burnt` (a burn account), one transfer each under the key
   `killswitch:SEQ:ACCOUNT`, so a resumed erase never burns twice and the books balance.
4. `killswitch_erase`: in one transaction, every world but enclaves, their systems, bodies,
   ships, voyages, members and bridge posts, the agents and crews not living in an enclave
   with their memories, market stock, chat, the trade journal; open bounties are cancelled
   (their rows stay, so bounty ids and their ledger keys are never reused). The galaxy's
   seed and clocks go; the marker becomes `erased_at`.

What survives: accounts and their login tokens (players can log in again), sanctions, the
audit log, the ledger's accounts (closed at zero) and its whole history, the id counters
(no id is ever reused), the main world's row (the slot a new galaxy fills) and, when they
exist, enclave worlds (`worlds.kind == "enclave"`) with their systems, the ships in them and
the agents and crews aboard those ships, and those ships' wallets.

A crash anywhere after step 1 is finished at the next start (`settle`). An erased store
starts no universe until an operator asks for a new galaxy (`infinity serve --new-galaxy`,
`new_galaxy` here), which bumps the galaxy's `era` so the one-time grants are made afresh.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.accounts.tables import accounts, sanctions, sessions
from infinity.audit.log import Act, AuditLog, Entry
from infinity.audit.tables import audit_log
from infinity.company.archive import agents, crews, memories
from infinity.economy.tables import bounties, deliveries, market_stock
from infinity.ledger import AccountKind, Ledger, LedgerError, TransferKind, TransferRequest
from infinity.ledger.schema import ledger_accounts, ledger_transfers
from infinity.operators.errors import Refused, Stop
from infinity.store.store import Store
from infinity.universe.tables import bodies, chat, galaxy, handovers, ships, systems, zone_epochs
from infinity.worlds.tables import MAIN_WORLD, bridge_posts, voyages, world_members, worlds

WINDOW: Final = 120.0  # seconds the second operator has to confirm
BURNT: Final = "killswitch:burnt"  # where every world account's credits go
ERASING: Final = "erasing"  # galaxy key: the confirmation, while the erase is not finished
ERASED_AT: Final = "erased_at"  # galaxy key: when the universe was erased
ERA: Final = "era"  # galaxy key: how many galaxies were erased before this one
ENCLAVE: Final = "enclave"  # worlds.kind of a host's enclave: survives the kill switch
CLOSE_REASON: Final = "the universe was erased"
TARGET: Final = "universe"
_KEPT_KINDS: Final = (AccountKind.MINT.value, AccountKind.BURN.value)
_FINAL_BOUNTIES: Final = ("paid", "cancelled")
_BURN_BATCH: Final = 200


class Erased(Exception):
    """The store's universe was erased; it runs again only as a new galaxy."""


@dataclass(frozen=True, slots=True)
class KillHooks:
    """What only the composition root (and through it the gateway) can do."""

    halt: Callable[[], None]  # stop every zone and loop now, and end the server
    close_sessions: Callable[[str], Awaitable[int]]  # tell and close every game session (4010)


@dataclass(frozen=True, slots=True)
class Armed:
    actor: int
    actor_name: str
    reason: str
    at: float
    seq: int  # the arming's audit entry


class State(msgspec.Struct, frozen=True, kw_only=True):
    """The switch as the Heart shows it."""

    armed: bool
    armed_by: str | None
    armed_by_id: int | None
    reason: str | None
    armed_at: float | None
    expires_at: float | None
    window: float
    confirmed: bool


class Inventory(msgspec.Struct, frozen=True, kw_only=True):
    """What a kill would erase and what would survive, read from the store.

    `erase` and `survive` count rows (or entries); `names` lists the erased worlds, systems,
    ships, agents and crews by name; `ledger` the accounts to close with their balances."""

    erase: dict[str, int]
    names: dict[str, list[str]]
    ledger: list[tuple[str, int]]
    credits: int  # the sum of `ledger`: what goes to killswitch:burnt
    survive: dict[str, int]


class Erasure(msgspec.Struct, frozen=True, kw_only=True):
    """What an erase did: rows deleted per table, accounts closed and credits burnt."""

    deleted: dict[str, int]
    closed: int
    credits: int


@dataclass(frozen=True, slots=True)
class Done:
    entry: Entry
    record: Mapping[str, Any] = field(default_factory=dict)


# -- what is erased: the enclaves' things are kept --------------------------------------


def _enclave_worlds() -> sa.Select[Any]:
    return sa.select(worlds.c.id).where(worlds.c.kind == ENCLAVE)


def _kept_systems() -> sa.Select[Any]:
    return sa.select(systems.c.id).where(systems.c.world_id.in_(_enclave_worlds()))


def _kept_ships() -> sa.Select[Any]:
    """The enclaves' minds' skiffs: ships in an enclave that no player flies (a host
    visiting their enclave loses their ship with the rest of the world)."""
    return (
        sa.select(ships.c.id)
        .where(ships.c.system_id.in_(_kept_systems()))
        .where(ships.c.account_id.is_(None))
    )


def _erased_agents() -> sa.ColumnElement[bool]:
    return sa.or_(agents.c.ship_id.is_(None), agents.c.ship_id.not_in(_kept_ships()))


def _erased() -> dict[str, tuple[sa.Table, sa.ColumnElement[bool]]]:
    """Each erased table and which of its rows go, in an order the foreign keys allow."""
    gone_worlds = worlds.c.kind != ENCLAVE
    return {
        "memories": (
            memories,
            memories.c.agent_id.in_(sa.select(agents.c.id).where(_erased_agents())),
        ),
        "agents": (agents, _erased_agents()),
        "crews": (crews, crews.c.ship_id.not_in(_kept_ships())),
        "voyages": (voyages, voyages.c.ship_id.not_in(_kept_ships())),
        "bridge_posts": (bridge_posts, bridge_posts.c.world_id.not_in(_enclave_worlds())),
        "world_members": (world_members, world_members.c.world_id.not_in(_enclave_worlds())),
        "ships": (ships, ships.c.id.not_in(_kept_ships())),
        "market_stock": (
            market_stock,
            market_stock.c.station.not_in(
                sa.select(bodies.c.id).where(bodies.c.system_id.in_(_kept_systems()))
            ),
        ),
        "bodies": (bodies, bodies.c.system_id.not_in(_kept_systems())),
        "systems": (systems, systems.c.id.not_in(_kept_systems())),
        "chat": (chat, chat.c.system_id.not_in(_kept_systems())),
        "deliveries": (deliveries, sa.true()),
        # a cluster's record of ships handed between zone hosts, and who owned each zone
        "cluster_handovers": (handovers, handovers.c.ship.not_in(_kept_ships())),
        "cluster_zone_epochs": (zone_epochs, zone_epochs.c.zone.not_in(_kept_systems())),
        # the main world's row stays: the slot the next galaxy fills
        "worlds": (worlds, sa.and_(gone_worlds, worlds.c.id != MAIN_WORLD)),
    }


def _open_bounties() -> sa.ColumnElement[bool]:
    return bounties.c.status.not_in(_FINAL_BOUNTIES)


async def _to_close(connection: AsyncConnection) -> list[tuple[str, int]]:
    """Every ledger account holding credits but the mint's and the burn accounts' (and the
    wallets of ships kept in an enclave), by name."""
    kept = await connection.execute(_kept_ships())
    spared = {f"wallet:ship:{ship}" for (ship,) in kept}
    spared |= {f"starter:{name}" for name in spared}
    rows = await connection.execute(
        sa.select(ledger_accounts.c.name, ledger_accounts.c.balance)
        .where(ledger_accounts.c.balance != 0)
        .where(ledger_accounts.c.kind.not_in(_KEPT_KINDS))
        .order_by(ledger_accounts.c.name)
    )
    return [(str(name), int(balance)) for name, balance in rows if name not in spared]


async def _count(connection: AsyncConnection, table: sa.Table, where: Any = None) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    if where is not None:
        query = query.where(where)
    return int(await connection.scalar(query) or 0)


async def inventory(engine: AsyncEngine) -> Inventory:
    """What a kill would erase now, and what would survive (the dry run)."""
    parts = _erased()
    async with engine.connect() as connection:
        erase = {name: await _count(connection, t, where) for name, (t, where) in parts.items()}
        erase["open_bounties"] = await _count(connection, bounties, _open_bounties())
        names: dict[str, list[str]] = {}
        for name, column in (
            ("worlds", worlds.c.name),
            ("systems", systems.c.name),
            ("ships", ships.c.name),
            ("agents", agents.c.name),
            ("crews", crews.c.name),
        ):
            table, where = parts[name]
            rows = await connection.execute(
                sa.select(column).where(where).order_by(*table.primary_key.columns)
            )
            names[name] = [str(value) for (value,) in rows]
        main = await connection.scalar(sa.select(worlds.c.name).where(worlds.c.id == MAIN_WORLD))
        if main is not None and await _marker(connection, "seed") is not None:
            names["worlds"].insert(0, f"{main} (its galaxy; the row stays for the next one)")
        ledger = await _to_close(connection)
        survive = {
            "accounts": await _count(connection, accounts),
            "login_sessions": await _count(connection, sessions),
            "sanctions": await _count(connection, sanctions),
            "audit_entries": await _count(connection, audit_log),
            "ledger_accounts": await _count(connection, ledger_accounts),
            "ledger_transfers": await _count(connection, ledger_transfers),
            "enclave_worlds": await _count(connection, worlds, worlds.c.kind == ENCLAVE),
            "enclave_agents": await _count(connection, agents, sa.not_(_erased_agents())),
        }
    credits = sum(balance for _, balance in ledger)
    return Inventory(erase=erase, names=names, ledger=ledger, credits=credits, survive=survive)


# -- the markers in the galaxy table ---------------------------------------------------


async def _marker(connection: AsyncConnection, key: str) -> str | None:
    found = await connection.scalar(sa.select(galaxy.c.value).where(galaxy.c.key == key))
    return None if found is None else str(found)


async def _set(connection: AsyncConnection, key: str, value: str) -> None:
    await connection.execute(sa.delete(galaxy).where(galaxy.c.key == key))
    await connection.execute(sa.insert(galaxy), {"key": key, "value": value})


async def erased_at(engine: AsyncEngine) -> float | None:
    """When the store's universe was erased (None: it was not, or a new galaxy began)."""
    async with engine.connect() as connection:
        found = await _marker(connection, ERASED_AT)
    return None if found is None else float(found)


async def era(engine: AsyncEngine) -> int:
    """How many galaxies this store erased before the one it holds (0: none)."""
    async with engine.connect() as connection:
        found = await _marker(connection, ERA)
    return 0 if found is None else int(found)


class _Confirmation(msgspec.Struct, frozen=True):
    seq: int
    actor: int
    actor_name: str
    role: str


# -- erasing (also resumed at start) ---------------------------------------------------


async def settle(engine: AsyncEngine, ledger: Ledger, audit: AuditLog) -> Erasure | None:
    """Finish an erase a confirmation began (at the end of the run, or at the next start
    after a crash); None if none is pending. Idempotent: burns replay by key, deletes find
    nothing left."""
    async with engine.connect() as connection:
        pending = await _marker(connection, ERASING)
    if pending is None:
        return None
    confirmation = msgspec.json.decode(pending, type=_Confirmation)

    def act(verb: str, target: str, args: Mapping[str, Any]) -> Act:
        c = confirmation
        return Act(c.actor, c.actor_name, c.role, verb, target, {"confirmation": c.seq, **args})

    closed, credits = await _burn(engine, ledger, confirmation.seq)
    await audit.append(
        act("killswitch_burn", BURNT, {"accounts": closed, "credits": credits, "to": BURNT})
    )
    now = time.time()
    async with engine.begin() as connection:
        deleted = {}
        for name, (table, where) in _erased().items():
            deleted[name] = (await connection.execute(sa.delete(table).where(where))).rowcount
        cancelled = await connection.execute(
            sa.update(bounties).where(_open_bounties()).values(status="cancelled")
        )
        deleted["open_bounties"] = cancelled.rowcount
        # the galaxy's seed and clocks go; its era stays, and the marker says when
        await connection.execute(sa.delete(galaxy).where(galaxy.c.key != ERA))
        await _set(connection, ERASED_AT, repr(now))
    await audit.append(act("killswitch_erase", TARGET, {"deleted": deleted}))
    return Erasure(deleted=deleted, closed=closed, credits=credits)


async def _burn(engine: AsyncEngine, ledger: Ledger, seq: int) -> tuple[int, int]:
    """Close every world account by moving its balance to BURNT, one keyed transfer each."""
    await ledger.open_account(BURNT, AccountKind.BURN)
    async with engine.connect() as connection:
        owing = await _to_close(connection)
    closed = credits = 0
    for start in range(0, len(owing), _BURN_BATCH):
        batch = owing[start : start + _BURN_BATCH]
        requests = [
            TransferRequest.move(
                f"killswitch:{seq}:{name}",
                TransferKind.TRANSFER,
                name,
                BURNT,
                balance,
                memo=f"kill switch, audit {seq}: account closed",
            )
            for name, balance in batch
            if balance > 0
        ]
        for request, outcome in zip(requests, await ledger.transfer_many(requests), strict=True):
            if isinstance(outcome, LedgerError):
                raise outcome
            closed += 1
            credits += request.postings[1].amount
    return closed, credits


async def new_galaxy(engine: AsyncEngine, audit: AuditLog, asker: str, seed: int) -> int | None:
    """Let an erased store start a new galaxy at the next load (its era one higher); the new
    era, or None if the store was not erased. Audited as `galaxy_new`."""
    async with engine.begin() as connection:
        if await _marker(connection, ERASED_AT) is None:
            return None
        fresh = int(await _marker(connection, ERA) or 0) + 1
        await connection.execute(sa.delete(galaxy).where(galaxy.c.key == ERASED_AT))
        await _set(connection, ERA, str(fresh))
    await audit.append(
        Act(None, asker, "operator", "galaxy_new", TARGET, {"era": fresh, "seed": seed})
    )
    return fresh


# -- the switch ------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class KillSwitch:
    """Arm, confirm, disarm: two operators, one window, every act audited."""

    engine: AsyncEngine  # the store's, which keeps the erasure's markers
    ledger: Ledger
    audit: AuditLog
    hooks: KillHooks
    window: float = WINDOW
    clock: Callable[[], float] = time.time
    armed: Armed | None = field(init=False, default=None)
    # The erase is decided: no one joins the game any more.
    confirmed: bool = field(init=False, default=False)
    # Zones stopped, sessions closed (4010): the server may end now.
    over: bool = field(init=False, default=False)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def state(self) -> State:
        armed = self._live()
        return State(
            armed=armed is not None,
            armed_by=None if armed is None else armed.actor_name,
            armed_by_id=None if armed is None else armed.actor,
            reason=None if armed is None else armed.reason,
            armed_at=None if armed is None else armed.at,
            expires_at=None if armed is None else armed.at + self.window,
            window=self.window,
            confirmed=self.confirmed,
        )

    def _live(self) -> Armed | None:
        if self.armed is not None and self.clock() > self.armed.at + self.window:
            return None
        return self.armed

    async def look(self, actor: Account) -> tuple[State, Inventory]:
        """The switch and what a kill would erase (the dry run); reading is not an act, but
        a refusal is audited."""
        if not allowed(actor.role, Verb.KILL_SWITCH):
            why = f"a {actor.role} may not pull the kill switch"
            entry = await self.audit.append(_act(actor, "killswitch_look", {}, why))
            raise Refused("forbidden", why, entry)
        return self.state(), await inventory(self.engine)

    async def arm(self, actor: Account, reason: str) -> Done:
        """The first operator: arm the switch for `window` seconds."""

        async def work(seq: int) -> Mapping[str, Any]:
            self._not_confirmed()
            live = self._live()
            if live is not None:
                raise Stop("already_armed", f"armed by {live.actor_name}: confirm or disarm it")
            now = self.clock()
            self.armed = Armed(actor.id, actor.name, reason, now, seq)
            return {"expires_at": now + self.window, "window": self.window}

        args = {"reason": reason, "window": self.window}
        return await self._run(actor, "killswitch_arm", args, work)

    async def disarm(self, actor: Account) -> Done:
        """Any operator: take the switch back before it is confirmed."""

        async def work(seq: int) -> Mapping[str, Any]:
            self._not_confirmed()
            if self.armed is None:
                raise Stop("not_armed", "the kill switch is not armed")
            was, self.armed = self.armed, None
            return {"armed_by": was.actor_name, "armed_seq": was.seq}

        return await self._run(actor, "killswitch_disarm", {}, work)

    async def confirm(self, actor: Account) -> Done:
        """The second operator: erase the universe. Stops every zone, closes every session
        (4010) and ends the server; the erase itself runs once the loops have stopped."""

        async def work(seq: int) -> Mapping[str, Any]:
            self._not_confirmed()
            armed = self.armed
            if armed is None:
                raise Stop("not_armed", "the kill switch is not armed")
            if self._live() is None:
                self.armed = None
                raise Stop("expired", f"the {self.window:g} s window to confirm has passed")
            if armed.actor == actor.id:
                raise Stop("same_operator", "a second, different operator must confirm")
            mark = _Confirmation(seq, actor.id, actor.name, actor.role)
            async with self.engine.begin() as connection:
                await _set(connection, ERASING, msgspec.json.encode(mark).decode())
            self.confirmed = True
            return {"armed_by": armed.actor_name, "armed_seq": armed.seq, "reason": armed.reason}

        done = await self._run(actor, "killswitch_confirm", {}, work)
        self.hooks.halt()  # every zone stops after the tick it is in
        closed = await self.hooks.close_sessions(CLOSE_REASON)
        stop = _act(actor, "killswitch_stop", {"confirmation": done.entry.seq, "sessions": closed})
        await self.audit.append(stop)
        self.over = True
        return Done(done.entry, {**done.record, "sessions_closed": closed})

    async def erase(self) -> Erasure | None:
        """The erase a confirmation decided (the composition root calls it after the loops)."""
        return await settle(self.engine, self.ledger, self.audit)

    def _not_confirmed(self) -> None:
        if self.confirmed:
            raise Stop("erased", "the kill switch was confirmed: the universe is being erased")

    async def _run(
        self,
        actor: Account,
        verb: str,
        args: Mapping[str, Any],
        work: Callable[[int], Awaitable[Mapping[str, Any]]],
    ) -> Done:
        """Check the table, do `work`, and write one audit entry, done or refused."""
        async with self._lock:
            if not allowed(actor.role, Verb.KILL_SWITCH):
                why = f"a {actor.role} may not pull the kill switch"
                entry = await self.audit.append(_act(actor, verb, args, why))
                raise Refused("forbidden", why, entry)
            record: list[Mapping[str, Any]] = []

            async def act(seq: int) -> Act:
                record.append(await work(seq))
                return _act(actor, verb, args)

            try:
                entry = await self.audit.append_after(act)
            except Stop as stop:
                refused = await self.audit.append(_act(actor, verb, args, stop.detail))
                raise Refused(stop.code, stop.detail, refused) from None
            return Done(entry, record[0])


def _act(actor: Account, verb: str, args: Mapping[str, Any], refused: str = "") -> Act:
    return Act(
        actor=actor.id, actor_name=actor.name, role=actor.role, verb=verb, target=TARGET,
        args=args, result="refused" if refused else "done", reason=refused,
    )  # fmt: skip


# -- before `infinity serve` -------------------------------------------------------------


async def prepare(
    url: str, anchor: Path, new: bool, seed: int, by: str = "infinity serve --new-galaxy"
) -> str | None:
    """Before a start: finish an interrupted erase; then, if the store was erased, begin a
    new galaxy when `new` (an operator asked: `by`) or say why it cannot start."""
    store = await Store.open(url)
    try:
        ledger = await Ledger.open(url, migrate=False)
        try:
            audit = AuditLog(store.engine, anchor)
            await settle(store.engine, ledger, audit)
            when = await erased_at(store.engine)
            if when is None:
                return None
            if new:
                await new_galaxy(store.engine, audit, by, seed)
                return None
        finally:
            await ledger.close()
    finally:
        await store.close()
    at = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(when))
    return (
        f"the universe in this store was erased by the kill switch at {at}; accounts and the"
        " audit log remain. Start a new galaxy with `infinity galaxy new` (or"
        " `infinity serve --new-galaxy`)."
    )
