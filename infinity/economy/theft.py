"""Theft and loot: a siphon drains a victim's wallet; a wreck holds a share of its ship's credits.

A siphon is a THEFT transfer naming thief and victim, so `Ledger.victims`
can answer who robbed whom. A destroyed ship spills `WRECK_SPILL` of its
wallet into an escrow account per wreck; the first ship to loot the wreck
takes it all.
"""

from __future__ import annotations

from typing import Final

from infinity.commands.notices import Notice, NoticeKind, Tell
from infinity.economy import accounts
from infinity.economy.wallets import Wallets
from infinity.ledger import AccountKind, Overdraft, TransferKind
from infinity.sim.zone import Zone

SIPHON_PER_SECOND: Final = 8
WRECK_SPILL: Final = 0.1  # share of a destroyed ship's credits left in its wreck


class Theft:
    """Settles `Siphoned`, `Wrecked` and `Looted` events."""

    def __init__(self, wallets: Wallets, tell: Tell) -> None:
        self.wallets = wallets
        self.tell = tell

    async def siphon(self, zone: Zone, thief: int, victim: int) -> None:
        source, dest = self.wallets.wallet_of(victim), self.wallets.wallet_of(thief)
        amount = min(SIPHON_PER_SECOND, self.wallets.balance(source))
        if amount <= 0 or source == dest:
            return
        try:
            await self.wallets.move(
                TransferKind.THEFT, source, dest, amount, "siphon", thief=thief, victim=victim
            )
        except Overdraft:
            return
        thief_info = zone.info.get(thief)  # it may have left since the zone reported
        self.tell(
            victim,
            Notice(
                kind=NoticeKind.SIPHONED,
                text=f"siphoned: -{amount} cr",
                credits=self.wallets.balance(source),
                amount=amount,
                other=None if thief_info is None else thief_info.name,
            ),
        )

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
        self.tell(
            ship,
            Notice(
                kind=NoticeKind.LOOTED,
                text=f"looted {amount} cr",
                credits=self.wallets.credits_of_ship(ship),
                amount=amount,
            ),
        )
