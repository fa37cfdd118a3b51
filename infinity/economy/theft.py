"""Theft and loot: a siphon drains a victim's wallet; a wreck holds a share of its ship's credits.

A siphon is a THEFT transfer naming thief and victim, so `Ledger.victims`
can answer who robbed whom. A destroyed ship spills `WRECK_SPILL` of its
wallet into an escrow account per wreck; the first ship to loot the wreck
takes it all. A wreck lives only in the run that made it (its escrow is
named with the run's epoch): one that drifts apart unlooted, or that a
restart left behind, gives its credits back to the wallet that spilled them,
once, by the key `wreck-return:<escrow>`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

from infinity.commands.notices import NoticeKind, Tell
from infinity.economy import accounts
from infinity.economy.law import Law
from infinity.economy.wallets import Wallets
from infinity.ledger import AccountKind, Overdraft, TransferKind, TransferRequest, UnknownAccount
from infinity.sim.zone import Zone

SIPHON_PER_SECOND: Final = 8
WRECK_SPILL: Final = 0.1  # share of a destroyed ship's credits left in its wreck

# Who is behind a ship, in words ("Crew of the Kestrel, captain Zore Katon" or "player Vega");
# None when nobody in particular (an NPC pilot). The composition root passes one.
Pilot = Callable[[int], str | None]


def _nobody(ship: int) -> str | None:
    return None


class Theft:
    """Settles `Siphoned`, `Wrecked`, `Looted` and `WreckExpired` events."""

    def __init__(self, wallets: Wallets, tell: Tell, law: Law, pilot: Pilot | None = None) -> None:
        self.wallets = wallets
        self.tell = tell
        self.law = law
        self.pilot = pilot if pilot is not None else _nobody
        self.thefts = 0  # siphons settled since start: the Heart charts the rate

    async def siphon(self, zone: Zone, thief: int, victim: int) -> None:
        """One second of a siphon: a THEFT transfer whose memo names the thief (its ship, and
        the crew and captain or the player behind it), so the victim's history shows it."""
        source, dest = self.wallets.wallet_of(victim), self.wallets.wallet_of(thief)
        amount = min(SIPHON_PER_SECOND, self.wallets.balance(source))
        if amount <= 0 or source == dest:
            return
        thief_info = zone.info.get(thief)  # it may have left since the zone reported
        name = None if thief_info is None else thief_info.name
        who = self.thief(thief, name)
        victim_info = zone.info.get(victim)
        robbed = f" from {victim_info.name}" if victim_info is not None else ""
        try:
            await self.wallets.move(
                TransferKind.THEFT, source, dest, amount, f"siphon by {who}{robbed}",
                thief=thief, victim=victim,
            )  # fmt: skip
        except Overdraft:
            return
        self.thefts += 1
        text = f"siphoned: -{amount} cr by {who}"
        self.tell(victim, self.wallets.notice(NoticeKind.SIPHONED, text, source, amount, name))
        await self.law.stole(thief, amount)

    def thief(self, ship: int, name: str | None) -> str:
        """The thief in words: its ship and who is behind it."""
        behind = self.pilot(ship)
        called = name if name is not None else f"ship {ship}"
        return called if behind is None else f"{called} ({behind})"

    async def spill(self, wreck: int, ship: int) -> None:
        wallet = self.wallets.wallet_of(ship)
        spill = int(self.wallets.balance(wallet) * WRECK_SPILL)
        escrow = accounts.wreck(wreck, self.wallets.epoch)
        await self.wallets.ledger.open_account(escrow, AccountKind.ESCROW)
        if spill > 0:
            await self.wallets.move(
                TransferKind.LOOT, wallet, escrow, spill, "spilled into a wreck",
                ship=ship, wreck=wreck,
            )  # fmt: skip

    async def loot(self, ship: int, wreck: int, source: int) -> None:
        escrow = accounts.wreck(wreck, self.wallets.epoch)
        amount = self.wallets.balance(escrow)
        if amount <= 0:
            return
        await self.wallets.move(
            TransferKind.LOOT, escrow, self.wallets.wallet_of(ship), amount, "looted",
            ship=ship, wreck=wreck, wrecked=source,
        )  # fmt: skip
        text = f"looted {amount} cr"
        wallet = self.wallets.wallet_of(ship)
        self.tell(ship, self.wallets.notice(NoticeKind.LOOTED, text, wallet, amount))

    async def expire(self, wreck: int) -> None:
        """A wreck of this run drifted apart unlooted: its credits go back."""
        escrow = accounts.wreck(wreck, self.wallets.epoch)
        try:
            amount = await self.wallets.ledger.balance(escrow)
        except UnknownAccount:  # its spill never settled: nothing to give back
            return
        if amount > 0:
            await self._give_back(escrow, amount)

    async def sweep(self, keep: Collection[str] = ()) -> int:
        """Give back what the wrecks of runs that are over still hold (those wrecks are
        gone): every run but this one and the runs (epochs) in `keep`, still live
        elsewhere. Returns the credits moved."""
        live = [accounts.wreck_prefix(run) for run in {self.wallets.epoch, *keep}]
        held = await self.wallets.ledger.balances(accounts.WRECKS)
        stranded = [(e, amount) for e, amount in held if not e.startswith(tuple(live))]
        for escrow, amount in stranded:
            await self._give_back(escrow, amount)
        return sum(amount for _, amount in stranded)

    async def _give_back(self, escrow: str, amount: int) -> None:
        request = TransferRequest.move(
            f"wreck-return:{escrow}", TransferKind.LOOT, escrow, await self._spiller(escrow),
            amount, memo="wreck gone unlooted: spilled credits returned",
        )  # fmt: skip
        await self.wallets.transfer(request)

    async def _spiller(self, escrow: str) -> str:
        """The wallet whose spill filled `escrow` (its first transfer), else `UNCLAIMED`."""
        history, _ = await self.wallets.ledger.history(escrow, limit=10)
        first = history[-1].postings if history else ()
        source = next((p.account for p in first if p.amount < 0), accounts.UNCLAIMED)
        return source if source.startswith(accounts.WALLETS) else accounts.UNCLAIMED
