"""Operators: every elevated verb, checked against the one permission table and audited.

Each act is one call here: the actor's role is checked (`accounts.permissions`), the act
goes through the normal paths (typed system commands queued at the owning zone, credits
through the ledger, sanctions through the account registry), and exactly ONE audit entry
is written, whether the act was done or refused (with the reason). A refusal raises
`Refused`, carrying its entry. There is no back door: the gateway's REST adapter
(`gateway/operator_api.py`) is a thin shell over these methods.

Zone commands are applied at the zone's next tick; "done" means checked and queued.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from infinity.accounts.permissions import PERMISSIONS, Verb, allowed
from infinity.accounts.records import Account
from infinity.accounts.registry import Registry
from infinity.accounts.sanctions import Kind, Sanctions
from infinity.audit.log import Act, AuditLog, Entry
from infinity.commands import internal as ci
from infinity.company.company import Company
from infinity.economy.wallets import Wallets
from infinity.ledger import (
    AccountKind,
    InvalidTransfer,
    Overdraft,
    Receipt,
    TransferKind,
    TransferRequest,
    UnknownAccount,
)
from infinity.operators import inspect
from infinity.operators.errors import Refused, Stop
from infinity.universe.universe import MAIN_WORLD, Universe

GRANTS: Final = "operator:grants"  # credits operators give come from here
SEIZED: Final = "operator:seized"  # credits operators take go here
GRANTS_FUND: Final = 10_000_000  # minted once into GRANTS, under a replay-safe key
InspectKind = Literal["ship", "agent", "account", "wallet", "crew", "zone"]
Disconnect = Callable[[int, str], Awaitable[bool]]  # (account, reason) -> was it connected
Refresh = Callable[[int], None]  # a star system whose players must be sent full cells
EnsureShip = Callable[[Account], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an act did: a plain record for the answer, and what the audit entry names."""

    record: Mapping[str, Any] = field(default_factory=dict)
    zone: int | None = None
    ledger_key: str | None = None


@dataclass(frozen=True, slots=True)
class Done:
    """A finished act and its audit entry."""

    entry: Entry
    record: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Hooks:
    """What the gateway lends the service (the composition root wires them)."""

    disconnect: Disconnect  # close an account's game session
    refresh: Refresh  # re-send full cells to a system's players (a ship was hidden or shown)
    ensure_ship: EnsureShip  # an operator's avatar: its account's ship


def _never_sealed(system: int) -> bool:
    return False


@dataclass(eq=False, repr=False)
class Operators:
    """The operator verbs over the universe, the wallets, the accounts and the audit log."""

    universe: Universe
    wallets: Wallets
    registry: Registry
    sanctions: Sanctions
    audit: AuditLog
    company: Company | None
    hooks: Hooks
    sealed: Callable[[int], bool] = _never_sealed  # inside a host's enclave
    # operator account -> its avatar ship, while dropped in
    present: dict[int, int] = field(init=False, default_factory=dict)

    async def start(self) -> None:
        """Open the operator accounts (GRANTS funded once from the mint) and hide every
        operator's ship: an avatar is in the world only while its operator is dropped in."""
        await self.wallets.fund(GRANTS, AccountKind.ESCROW, GRANTS_FUND)
        await self.wallets.ledger.open_account(SEIZED, AccountKind.ESCROW)
        await self.wallets.refresh(SEIZED)
        for operator in await self.registry.accounts_with_role(_dropping_roles()):
            ship = self.universe.ship_of_account.get(operator)
            if ship is not None:
                self.universe.hidden.add(ship)

    # -- inspect ------------------------------------------------------------------------

    async def inspect(self, actor: Account, kind: InspectKind, target: int) -> Done:
        """A plain record of a ship, agent, account, wallet (an account's), crew or zone."""

        async def work(seq: int) -> Outcome:
            return Outcome(await self._record(kind, target))

        return await self._run(actor, Verb.INSPECT, "inspect", f"{kind}:{target}", {}, work)

    async def _record(self, kind: InspectKind, target: int) -> Mapping[str, Any]:
        if kind == "ship":
            return inspect.ship(self.universe, self.wallets, target)
        if kind == "zone":
            if self.sealed(target):
                raise Stop("sealed", f"system {target} is a host's enclave: not seen inside")
            return inspect.zone(self.universe, target)
        if kind == "account":
            return await inspect.account(self.registry, self.sanctions, self.universe, target)
        if kind == "wallet":
            return await inspect.wallet(self.wallets, inspect.player_wallet(target))
        if kind == "agent":
            return inspect.agent(self.company, target)
        return inspect.crew(self.company, target)

    # -- ships ----------------------------------------------------------------------------

    async def warp(self, actor: Account, ship: int, system: int, x: float, y: float) -> Done:
        """Put a ship at (x, y) in its system, or in another (it leaves like a gate jump)."""
        args = {"system": system, "x": x, "y": y}

        async def work(seq: int) -> Outcome:
            here = self._zone_of(ship)
            self._system(system)
            self.universe.submit(ci.Warp(ship=ship, system=system, x=x, y=y))
            return Outcome({"ship": ship, "from": here, **args}, zone=here)

        return await self._run(actor, Verb.WARP, "warp", f"ship:{ship}", args, work)

    async def destroy(self, actor: Account, ship: int, reason: str) -> Done:
        """Destroy a ship as weapons would: a wreck, and a respawn at its home station."""
        return await self._on_ship(actor, Verb.DESTROY, ci.Destroy(ship=ship), reason)

    async def repair(self, actor: Account, ship: int, reason: str) -> Done:
        """Restore a ship's hull, shield and energy, free."""
        return await self._on_ship(actor, Verb.REPAIR, ci.Mend(ship=ship), reason)

    async def _on_ship(
        self, actor: Account, verb: Verb, command: ci.Destroy | ci.Mend, reason: str
    ) -> Done:
        """An act that is one system command queued at the ship's zone, audited as the verb."""

        async def work(seq: int) -> Outcome:
            here = self._zone_of(command.ship)
            self.universe.submit(command)
            return Outcome({"ship": command.ship}, zone=here)

        args = {"reason": reason}
        return await self._run(actor, verb, verb.value, f"ship:{command.ship}", args, work)

    # -- drop in, leave -------------------------------------------------------------------

    async def drop_in(self, actor: Account, system: int, x: float, y: float, hidden: bool) -> Done:
        """Place the operator's avatar (its account's ship) at (x, y) of `system`; hidden, it
        is in no player's frames but is listed by inspect and in this audit entry."""
        args = {"system": system, "x": x, "y": y, "hidden": hidden}

        async def work(seq: int) -> Outcome:
            self._system(system)
            ship = await self.hooks.ensure_ship(actor)
            came_from = self.universe.where.get(ship, system)
            self._set_hidden(ship, hidden, came_from, system)
            self.universe.submit(ci.Warp(ship=ship, system=system, x=x, y=y))
            self.present[actor.id] = ship
            return Outcome({"ship": ship, **args}, zone=system)

        return await self._run(actor, Verb.DROP_IN, "drop_in", f"system:{system}", args, work)

    async def leave(self, actor: Account) -> Done:
        """The avatar leaves the world: hidden, and sent back to its home station."""

        async def work(seq: int) -> Outcome:
            ship = self.present.pop(actor.id, None)
            if ship is None:
                raise Stop("not_present", "you have not dropped in")
            here = self._zone_of(ship)
            zone = self.universe.zones[here]
            info = zone.info[ship]
            home = self.universe.star_system(info.home_system)
            # its home station, or (razed by a builder) the system's first body: its star
            station = next((b for b in home.bodies if b.id == info.home_station), home.bodies[0])
            self._set_hidden(ship, True, here, home.id)
            self.universe.submit(ci.Warp(ship=ship, system=home.id, x=station.x, y=station.y))
            return Outcome({"ship": ship, "home": home.id}, zone=here)

        return await self._run(actor, Verb.LEAVE, "leave", f"account:{actor.id}", {}, work)

    def _set_hidden(self, ship: int, hidden: bool, *systems: int) -> None:
        if hidden:
            self.universe.hidden.add(ship)
        else:
            self.universe.hidden.discard(ship)
        for system in set(systems):
            self.hooks.refresh(system)

    # -- credits --------------------------------------------------------------------------

    async def grant(self, actor: Account, account: int, amount: int, reason: str) -> Done:
        """Give a player credits from GRANTS, through the ledger."""
        return await self._credits(actor, Verb.GRANT, account, amount, reason)

    async def take(self, actor: Account, account: int, amount: int, reason: str) -> Done:
        """Take a player's earned credits into SEIZED, through the ledger."""
        return await self._credits(actor, Verb.TAKE, account, amount, reason)

    async def _credits(
        self, actor: Account, verb: Verb, account: int, amount: int, reason: str
    ) -> Done:
        """One ledger transfer whose key is in the audit entry and whose memo names the entry."""
        wallet = inspect.player_wallet(account)
        source, dest = (GRANTS, wallet) if verb is Verb.GRANT else (wallet, SEIZED)
        args = {"amount": amount, "reason": reason}

        async def work(seq: int) -> Outcome:
            await self._account(account)
            key = self.wallets.key(f"operator-{verb.value}")
            memo = f"operator {verb.value} by {actor.name}, audit {seq}: {reason}"
            kind = TransferKind.GRANT if verb is Verb.GRANT else TransferKind.TRANSFER
            request = TransferRequest.move(
                key, kind, source, dest, amount, actors={"operator": actor.id}, memo=memo
            )
            receipt = await self._transfer(request)
            record = {"from": source, "to": dest, "amount": amount, "transfer": receipt.transfer_id}
            return Outcome(record, ledger_key=key)

        return await self._run(actor, verb, verb.value, wallet, args, work)

    async def _transfer(self, request: TransferRequest) -> Receipt:
        try:
            return await self.wallets.transfer(request)
        except Overdraft:
            raise Stop("no_credits", f"{request.postings[0].account} cannot pay that") from None
        except UnknownAccount as error:
            raise Stop("unknown_wallet", str(error)) from None
        except InvalidTransfer as error:
            raise Stop("invalid", str(error)) from None

    # -- sanctions, kick -------------------------------------------------------------------

    async def mute(self, actor: Account, account: int, seconds: float, reason: str) -> Done:
        """Refuse the account's chat (a typed `muted` error) until the expiry."""
        return await self._sanction(actor, Verb.MUTE, Kind.MUTE, account, seconds, reason)

    async def ban(self, actor: Account, account: int, seconds: float, reason: str) -> Done:
        """Refuse the account's login and game socket until the expiry; end its sessions (its
        tokens stop working everywhere) and close its game socket."""
        return await self._sanction(actor, Verb.BAN, Kind.BAN, account, seconds, reason)

    async def _sanction(
        self, actor: Account, verb: Verb, kind: Kind, account: int, seconds: float, reason: str
    ) -> Done:
        args = {"seconds": seconds, "reason": reason}

        async def work(seq: int) -> Outcome:
            await self._account(account)
            made = await self.sanctions.impose(account, kind, seconds, reason, actor.id)
            closed = kind is Kind.BAN and await self.hooks.disconnect(account, f"banned: {reason}")
            ended = await self.registry.trim_sessions(account, 0) if kind is Kind.BAN else 0
            return Outcome(
                {"account": account, "until": made.until, "disconnected": closed, "sessions": ended}
            )

        return await self._run(actor, verb, kind.value, f"account:{account}", args, work)

    async def unban(self, actor: Account, account: int, kind: Kind, reason: str) -> Done:
        """Lift a ban (or a mute) now."""
        args = {"kind": kind.value, "reason": reason}

        async def work(seq: int) -> Outcome:
            await self._account(account)
            lifted = await self.sanctions.lift(account, kind)
            return Outcome({"account": account, "lifted": lifted is not None})

        verb = Verb.BAN if kind is Kind.BAN else Verb.MUTE
        return await self._run(actor, verb, f"un{kind.value}", f"account:{account}", args, work)

    async def kick(self, actor: Account, account: int, reason: str) -> Done:
        """Close the account's game session (it may connect again)."""
        args = {"reason": reason}

        async def work(seq: int) -> Outcome:
            await self._account(account)
            if not await self.hooks.disconnect(account, f"kicked: {reason}"):
                raise Stop("not_online", f"account {account} has no game session")
            return Outcome({"account": account})

        return await self._run(actor, Verb.KICK, "kick", f"account:{account}", args, work)

    # -- the audit ------------------------------------------------------------------------

    async def audit_tail(self, actor: Account, after: int, limit: int) -> list[Entry]:
        """The audit entries after `after` (oldest first); reading is not itself an act."""
        if not allowed(actor.role, Verb.READ_AUDIT):
            entry = await self._refusal(actor, Verb.READ_AUDIT, "read_audit", "audit", {})
            raise Refused("forbidden", _forbidden(actor, Verb.READ_AUDIT), entry)
        return await self.audit.tail(limit, after)

    # -- the one path every act takes --------------------------------------------------------

    async def _run(
        self,
        actor: Account,
        verb: Verb,
        name: str,
        target: str,
        args: Mapping[str, Any],
        work: Callable[[int], Awaitable[Outcome]],
    ) -> Done:
        """Check the table, do `work`, and write one audit entry, done or refused."""
        if not allowed(actor.role, verb):
            entry = await self._refusal(actor, verb, name, target, args)
            raise Refused("forbidden", _forbidden(actor, verb), entry)
        outcome: list[Outcome] = []

        async def act(seq: int) -> Act:
            done = await work(seq)
            outcome.append(done)
            world = self.universe.world_of.get(done.zone, MAIN_WORLD) if done.zone else MAIN_WORLD
            return _act(
                actor, name, target, args, zone=done.zone, world=world, ledger_key=done.ledger_key
            )

        try:
            entry = await self.audit.append_after(act)
        except Stop as stop:
            act_ = _act(actor, name, target, args, result="refused", reason=stop.detail)
            raise Refused(stop.code, stop.detail, await self.audit.append(act_)) from None
        return Done(entry, outcome[0].record)

    async def _refusal(
        self, actor: Account, verb: Verb, name: str, target: str, args: Mapping[str, Any]
    ) -> Entry:
        reason = _forbidden(actor, verb)
        return await self.audit.append(
            _act(actor, name, target, args, result="refused", reason=reason)
        )

    def _zone_of(self, ship: int) -> int:
        system = self.universe.where.get(ship)
        if system is None:
            raise Stop("unknown_ship", f"no ship {ship} is in a star system now")
        if self.sealed(system):
            raise Stop("sealed", f"ship {ship} is in a host's enclave: no operator reaches in")
        return system

    def _system(self, system: int) -> None:
        if system not in self.universe.zones:
            raise Stop("unknown_system", f"no star system {system}")
        if self.sealed(system):
            raise Stop("sealed", f"system {system} is a host's enclave: no operator drops in")

    async def _account(self, account: int) -> Account:
        found = await self.registry.account(account)
        if found is None:
            raise Stop("unknown_account", f"no account {account}")
        return found


def _act(
    actor: Account,
    verb: str,
    target: str,
    args: Mapping[str, Any],
    *,
    result: Literal["done", "refused"] = "done",
    reason: str = "",
    zone: int | None = None,
    world: int = MAIN_WORLD,
    ledger_key: str | None = None,
) -> Act:
    return Act(
        actor=actor.id, actor_name=actor.name, role=actor.role, verb=verb, target=target,
        args=args, result=result, reason=reason, zone=zone, world=world, ledger_key=ledger_key,
    )  # fmt: skip


def _forbidden(actor: Account, verb: Verb) -> str:
    return f"a {actor.role} may not {verb.value.replace('_', ' ')}"


def _dropping_roles() -> list[str]:
    """Roles whose accounts' ships are avatars (hidden unless dropped in)."""
    return [role.value for role, verbs in PERMISSIONS.items() if Verb.DROP_IN in verbs]
