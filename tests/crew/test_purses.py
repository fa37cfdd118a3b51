"""Every agent spends from its ship's ledger wallet from its first moment, shared by its crew."""

from __future__ import annotations

from pathlib import Path

from infinity.accounts.records import Account
from infinity.company.muster import enlist, recruit
from infinity.company.purse import WalletPurse

from .dna import ACGT
from .harbour import open_harbour
from .world import WALLET, Books

VEGA = Account(1, "Vega", "player", 0.0)


async def test_founders_and_enlisted_agents_spend_from_their_ships_wallet(tmp_path: Path) -> None:
    books = Books()
    h = await open_harbour(tmp_path, upkeep=books)
    try:
        assert all(isinstance(a.purse, WalletPurse) for a in h.company.minds.agents.values())
        founder = next(iter(h.company.minds.agents.values()))
        assert founder.purse.balance == WALLET / 4  # a crew of four shares one wallet
        newcomer = await enlist(h.company, ACGT)
        assert isinstance(newcomer.purse, WalletPurse)
        assert newcomer.purse.balance == WALLET  # alone on its own skiff
        assert newcomer.purse.spend(100.0, "upkeep") == 100.0
        assert newcomer.ship is not None and books.owed == {newcomer.ship: 100.0}
    finally:
        await h.store.close()


async def test_a_recruit_shares_its_new_ships_wallet_with_its_new_crew(tmp_path: Path) -> None:
    h = await open_harbour(tmp_path, upkeep=Books())
    try:
        kestrel = h.company.minds.crews[1]
        hand = next(
            h.company.minds.agents[a] for a in kestrel.members if a != kestrel.captain.agent
        )
        assert hand.purse.balance == WALLET / 4
        flagship = h.player(VEGA.id, "Vega", kestrel.ship)  # docked beside the Kestrel
        crew = recruit(h.company, VEGA, hand.id)
        assert hand.ship == flagship and list(crew.members) == [hand.id]
        assert hand.purse.balance == WALLET  # the new crew's size, not the old one's
    finally:
        await h.store.close()
