"""The stations' law: what being a fugitive crew costs, and when a thief becomes wanted.

The digital crews are fugitives (docs/economy.md, "Fugitive crews"): a station
pays a crew ship only `FUGITIVE_SHARE` of its market price for ore, and buys
nothing at all from a wanted ship. A crew ship that steals `WANTED_AFTER`
credits is posted wanted: a bounty escrowed from the stations' law account
(`accounts.LAW`, funded once from the mint), which patrols hunt
(`traffic.pilots`) and anyone may claim by destroying the ship. The bounty
paid, the ship is no longer wanted and its tally starts again.
"""

from __future__ import annotations

import logging
import math
from typing import Final

from infinity.economy import accounts
from infinity.economy.bounties import Bounties, BountyRefused
from infinity.economy.wallets import Wallets
from infinity.ledger import AccountKind, TransferKind
from infinity.sim.zone import Zone
from infinity.universe.records import CREW_ROLE

log = logging.getLogger(__name__)

FUGITIVE_SHARE: Final = 0.25  # of the market price a station pays a crew ship for its ore
WANTED_AFTER: Final = 600  # credits stolen by one crew ship, lately, that get it posted wanted
TALLY_HALF_LIFE: Final = 600.0  # simulated seconds for a thief's tally to halve: "lately"
WANTED_BOUNTY: Final = 2.0  # the bounty, times what the ship stole (at least MIN_WANTED)
MIN_WANTED: Final = 300
LAW_CAPITAL: Final = 1_000_000  # the law account's one-time grant from the mint
FREIGHT: Final = 40  # what a station pays an NPC trader for each gate-run's goods


class Law:
    """Tallies what each crew ship stole, posts the bold ones wanted, and prices fugitives."""

    def __init__(self, wallets: Wallets, bounties: Bounties) -> None:
        self.wallets = wallets
        self.universe = wallets.universe
        self.bounties = bounties
        self.stolen: dict[int, tuple[float, float]] = {}  # crew ship -> (tally, as of sim s)
        self.posted = 0  # wanted bounties posted since start

    @property
    def wanted(self) -> set[int]:
        """Ships the law posted wanted, bounty still open (a live set: patrols read it)."""
        return self.bounties.wanted

    async def start(self) -> None:
        await self.wallets.fund(accounts.LAW, AccountKind.MARKET, LAW_CAPITAL)

    def fugitive(self, ship: int) -> bool:
        return self.universe.roles.get(ship) == CREW_ROLE

    def refuses(self, ship: int) -> bool:
        """A station deals with no wanted ship."""
        return ship in self.wanted

    def pays(self, ship: int, price: int) -> int:
        """What a station pays `ship` for goods priced `price`: a fugitive gets a share."""
        return math.floor(price * FUGITIVE_SHARE) if self.fugitive(ship) else price

    async def stole(self, thief: int, amount: int) -> None:
        """A crew ship stole `amount`: once its fading tally passes WANTED_AFTER, the stations
        post it wanted."""
        if not self.fugitive(thief) or thief in self.wanted:
            return
        zone = self.universe.zone_of(thief)
        now = zone.clock.sim_time if zone is not None else 0.0
        tally, at = self.stolen.get(thief, (0.0, now))
        total = tally * 0.5 ** (max(0.0, now - at) / TALLY_HALF_LIFE) + amount
        self.stolen[thief] = (total, now)
        if total < WANTED_AFTER:
            return
        info = None if zone is None else zone.info.get(thief)
        name = info.name if info is not None else f"ship {thief}"
        bounty = max(MIN_WANTED, int(total * WANTED_BOUNTY))
        try:
            await self.bounties.post_wanted(thief, name, bounty)
        except BountyRefused as refusal:  # the law's purse ran dry: tally on, try again later
            log.warning("no wanted bounty on %s: %s", name, refusal)
            return
        self.stolen.pop(thief, None)
        self.posted += 1

    async def freight(self, zone: Zone, ship: int) -> None:
        """An NPC trader arrived through a gate: the system's first station pays it FREIGHT
        for the goods it carries (so traders hold earned credits, and are worth robbing)."""
        if self.universe.roles.get(ship) != "trader" or self.universe.owners.get(ship) is not None:
            return
        stations = [s for s in self.universe.galaxy.systems if s.id == zone.system_id]
        found = stations[0].stations() if stations else []
        if not found:
            return
        till = accounts.market(found[0].id)
        if self.wallets.balance(till) < FREIGHT:
            return
        wallet = self.wallets.wallet_of(ship)
        await self.wallets.move(
            TransferKind.TRADE, till, wallet, FREIGHT, "freight delivered", ship=ship,
            station=found[0].id,
        )  # fmt: skip
