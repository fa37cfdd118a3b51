"""The economy settles zone events in a real ledger (SQLite): trades, theft, loot, bounties."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infinity.commands import types as c
from infinity.commands.errors import Rejection
from infinity.commands.notices import Notice
from infinity.economy import accounts
from infinity.economy.bounties import BountyRefused
from infinity.economy.service import Economy
from infinity.economy.theft import SIPHON_PER_SECOND
from infinity.economy.wallets import NPC_GRANT, PLAYER_GRANT
from infinity.galaxy.generate import generate
from infinity.ledger import AccountKind, Ledger, TransferKind, TransferRequest
from infinity.sim.zone import TRANSIENT_ID_BASE, ShipState
from infinity.store.store import Store, sqlite_url
from infinity.universe.hangar import Hangar
from infinity.universe.universe import Universe

ME, YOU = 1_048_576, 1_048_577
MY_ACCOUNT, YOUR_ACCOUNT = 1, 2


@pytest.fixture
async def economy(tmp_path: Path) -> AsyncIterator[Economy]:
    url = sqlite_url(tmp_path)
    store = await Store.open(url)
    ledger = await Ledger.open(url)
    universe = Universe(generate(5))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    universe.place(home.id, ShipState(ME, "me", MY_ACCOUNT, station.id, home.id, station.x, station.y, docked_at=station.id, cargo=50.0), "player")  # fmt: skip
    universe.place(home.id, ShipState(YOU, "you", YOUR_ACCOUNT, station.id, home.id, 0.0, 3000.0), "player")  # fmt: skip
    told: list[tuple[int, Notice | Rejection]] = []
    crews: dict[int, tuple[str, int]] = {}  # the company's live roster, as the server gives it
    found = Economy(
        universe, ledger, store.engine, tell=lambda ship, m: told.append((ship, m)), crews=crews
    )
    await found.start()
    found.told = told  # type: ignore[attr-defined]
    found.roster = crews  # type: ignore[attr-defined]
    try:
        yield found
    finally:
        await ledger.close()
        await store.close()


def _deaf(ship: int, told: Notice | Rejection) -> None:
    """A restarted economy in these tests has nobody connected to tell."""


async def tick(economy: Economy, *commands: c.Command, ticks: int = 1) -> None:
    """Run the home zone and settle whatever it reported, in order."""
    home = economy.universe.galaxy.systems[0].id
    for command in commands:
        economy.universe.submit(command)
    for _ in range(ticks):
        economy.universe.tick(home)
        while not economy._queue.empty():
            zone, event = economy._queue.get_nowait()
            await economy.settle(zone, event)


async def balance(economy: Economy, account: int) -> int:
    """What a player holds in the ledger: earned credits plus starter credit."""
    earned, starter = await economy.wallets.books(accounts.wallet(0, account))
    return earned + starter


async def earned(economy: Economy, account: int) -> int:
    """The credits a player may move to others: the wallet alone."""
    return await economy.ledger.balance(accounts.wallet(0, account))


async def test_selling_ore_pays_from_the_station_till(economy: Economy) -> None:
    await tick(economy, c.Sell(ship=ME, quantity=20.0))
    paid = await balance(economy, MY_ACCOUNT) - PLAYER_GRANT
    assert paid == 240  # 20 t at the base price of 12
    await tick(economy)  # the paid ore leaves the hold at the next tick
    assert economy.universe.zone_of(ME).ship_state(ME).cargo == 30.0  # type: ignore[union-attr]
    assert (await economy.ledger.audit()).ok


async def test_a_purchase_that_no_longer_fits_is_refunded(economy: Economy) -> None:
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    zone.bodies.torpedoes[zone.bodies.row_of[ME]] = 0
    both = (
        c.Buy(ship=ME, good="torpedo", quantity=8.0),
        c.Buy(ship=ME, good="torpedo", quantity=8.0),
    )
    await tick(economy, *both)  # both accepted: the hold was empty when each was checked
    await tick(economy, ticks=3)  # grants land: the second one finds no room and is refunded
    assert zone.ship_state(ME).torpedoes == 8
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT - 8 * 60
    assert (await economy.ledger.audit()).ok


async def test_buying_more_than_you_can_afford_changes_nothing(economy: Economy) -> None:
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    economy.owe_upkeep(ME, PLAYER_GRANT - 100)  # upkeep spends the starter credit first
    assert await economy.settle_upkeep() == PLAYER_GRANT - 100
    zone.bodies.torpedoes[zone.bodies.row_of[ME]] = 0
    starter = accounts.starter(accounts.wallet(ME, MY_ACCOUNT))
    economy.credits[starter] = 10**9  # a stale display must not matter
    await tick(economy, c.Buy(ship=ME, good="torpedo", quantity=8.0), ticks=3)
    assert await balance(economy, MY_ACCOUNT) == 100
    assert zone.ship_state(ME).torpedoes == 0
    told = economy.told  # type: ignore[attr-defined]
    assert ("no_credits", ME) in [(m.reason, s) for s, m in told if isinstance(m, Rejection)]


async def test_siphon_is_recorded_as_theft_with_the_victim(economy: Economy) -> None:
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    await tick(economy, c.Unload(ship=ME), ticks=2)  # 600 cr earned: something to steal
    await tick(economy, c.Undock(ship=ME))
    zone.bodies.pos[zone.bodies.row_of[YOU]] = zone.bodies.pos[zone.bodies.row_of[ME]] + (
        300.0,
        0.0,
    )
    await tick(economy, c.Siphon(ship=YOU, target=ME), ticks=20 * 3 + 1)
    stolen = 3 * SIPHON_PER_SECOND
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT + 600 - stolen
    assert await balance(economy, YOUR_ACCOUNT) == PLAYER_GRANT + stolen
    assert await economy.ledger.victims("thief", YOU) == [ME]
    history, _ = await economy.ledger.history(accounts.wallet(0, MY_ACCOUNT))
    assert history[0].kind == TransferKind.THEFT
    told = [m for ship, m in economy.told if ship == ME]  # type: ignore[attr-defined]
    siphoned = [(m.amount, m.other) for m in told if isinstance(m, Notice) and m.kind == "siphoned"]
    assert siphoned == [(SIPHON_PER_SECOND, "you")] * 3
    texts = {m.text for m in told if isinstance(m, Notice) and m.kind == "siphoned"}
    assert texts == {f"siphoned: -{SIPHON_PER_SECOND} cr by you"}  # the victim knows the thief


async def test_a_siphon_cannot_drain_starter_credit(economy: Economy) -> None:
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    await tick(economy, c.Undock(ship=ME))
    zone.bodies.pos[zone.bodies.row_of[YOU]] = zone.bodies.pos[zone.bodies.row_of[ME]] + (
        300.0,
        0.0,
    )
    await tick(economy, c.Siphon(ship=YOU, target=ME), ticks=20 * 3 + 1)
    assert await balance(economy, MY_ACCOUNT) == await balance(economy, YOUR_ACCOUNT)
    assert await earned(economy, YOUR_ACCOUNT) == 0
    assert await economy.ledger.victims("thief", YOU) == []


async def test_a_bounty_is_escrowed_then_paid_to_the_hunter(economy: Economy) -> None:
    await tick(economy, c.Unload(ship=ME), ticks=2)  # 600 cr earned
    bounty = await economy.post_bounty(MY_ACCOUNT, "ship", YOU, 300)
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT + 600 - 300
    assert [b.id for b in await economy.board.bounties("open")] == [bounty.id]
    zone = economy.universe.zone_of(YOU)
    assert zone is not None
    await tick(economy, c.Undock(ship=ME))
    row = zone.bodies.row_of[YOU]
    zone.bodies.pos[zone.bodies.row_of[ME]] = zone.bodies.pos[row] + (200.0, 0.0)
    zone.bodies.hull[row], zone.bodies.shield[row] = 1.0, 0.0
    await tick(economy, c.Target(ship=ME, target=YOU), c.Fire(ship=ME))
    assert await balance(economy, MY_ACCOUNT) >= PLAYER_GRANT + 600  # bounty back, plus loot
    assert await economy.board.bounties("open") == []
    assert (await economy.board.bounties("paid"))[0].paid_to == ME
    assert (await economy.ledger.audit()).ok


async def test_bounty_bad_input_is_refused_and_changes_nothing(economy: Economy) -> None:
    await tick(economy, c.Unload(ship=ME), ticks=2)  # 600 cr earned
    economy.roster[3] = ("My Own Crew", ME)  # type: ignore[attr-defined]
    for kind, target, amount, reason in (
        ("ship", YOU, 1, "invalid"),
        ("ship", 999, 100, "unknown_target"),
        ("player", MY_ACCOUNT, 100, "invalid"),
        ("ship", ME, 100, "invalid"),
        ("crew", 3, 100, "invalid"),  # the crew of my own ship: I would be paid for my death
        ("ship", YOU, 601, "no_credits"),
    ):
        with pytest.raises(BountyRefused) as refused:
            await economy.post_bounty(MY_ACCOUNT, kind, target, amount)
        assert refused.value.reason == reason
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT + 600
    assert await economy.board.bounties("open") == []


async def test_fresh_accounts_cannot_pool_their_grants_into_one_bounty(economy: Economy) -> None:
    """The farm: 30 new accounts post their grants as bounties on one ship and a friend
    kills it. Only what the posters earned can be paid out."""
    home = economy.universe.galaxy.systems[0]
    station = home.stations()[0].id
    for account in range(10, 40):
        ship = 2_000_000 + account
        cargo = 50.0 if account == 10 else 0.0  # one of them mined something
        state = ShipState(
            ship, f"mule {account}", account, station, home.id, docked_at=station, cargo=cargo
        )
        economy.universe.place(home.id, state, "player")
        await economy.open_wallet(ship, account)
    await tick(economy, c.Unload(ship=2_000_010), ticks=2)  # 600 cr earned
    posted = 0
    for account in range(10, 40):
        with contextlib.suppress(BountyRefused):
            posted += (await economy.post_bounty(account, "ship", YOU, PLAYER_GRANT - 10)).amount
        with contextlib.suppress(BountyRefused):
            posted += (await economy.post_bounty(account, "ship", YOU, 500)).amount
    assert posted == 500
    before = await earned(economy, MY_ACCOUNT)
    await economy.bounties.claim(YOU, ME)
    assert await earned(economy, MY_ACCOUNT) - before == 500
    assert (await economy.ledger.audit()).ok


async def test_crew_upkeep_drains_the_ship_wallet_through_the_ledger(economy: Economy) -> None:
    crew_ship = 1_048_600
    home = economy.universe.galaxy.systems[0]
    station = home.stations()[0]
    economy.universe.place(home.id, ShipState(crew_ship, "crewed", None, station.id, home.id, docked_at=station.id), "trader")  # fmt: skip
    await economy.open_wallet(crew_ship, None)
    assert economy.spendable_of_ship(crew_ship) == NPC_GRANT
    for _ in range(30):  # what a crew's purses spend (infinity/company/purse.py)
        economy.owe_upkeep(crew_ship, 0.5)
    assert economy.spendable_of_ship(crew_ship) == NPC_GRANT - 15
    assert await economy.settle_upkeep() == 15
    wallet = accounts.wallet(crew_ship, None)
    assert await economy.wallets.books(wallet) == (0, NPC_GRANT - 15)  # starter credit first
    assert await economy.ledger.balance(accounts.UPKEEP) == 15
    assert (await economy.ledger.audit()).ok


async def test_unloaded_ore_is_bought_by_the_station(economy: Economy) -> None:
    await tick(economy, c.Unload(ship=ME))
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT + 50 * 12


async def test_a_bounty_on_a_crew_is_paid_when_its_ship_dies(economy: Economy) -> None:
    economy.roster[7] = ("The Drifters", YOU)  # type: ignore[attr-defined]
    await tick(economy, c.Unload(ship=ME), ticks=2)  # 600 cr earned
    bounty = await economy.post_bounty(MY_ACCOUNT, "crew", 7, 200)
    assert bounty.target_name == "The Drifters"
    await economy.bounties.claim(YOU, ME)
    assert (await economy.board.bounties("paid"))[0].id == bounty.id
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT + 600  # the hunter was the poster
    with pytest.raises(BountyRefused):
        await economy.post_bounty(MY_ACCOUNT, "crew", 99, 200)


def restarted(economy: Economy, torpedoes: int) -> Universe:
    """The universe as a restart loads it: my ship as last stored, with `torpedoes` aboard."""
    universe = Universe(generate(5))
    home = universe.galaxy.systems[0]
    station = home.stations()[0]
    state = ShipState(ME, "me", MY_ACCOUNT, station.id, home.id, docked_at=station.id, torpedoes=torpedoes)  # fmt: skip
    universe.place(home.id, state, "player")
    return universe


async def test_a_purchase_lost_in_a_crash_is_delivered_at_the_next_start(economy: Economy) -> None:
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    zone.bodies.torpedoes[zone.bodies.row_of[ME]] = 0
    await tick(economy, c.Buy(ship=ME, good="torpedo", quantity=4.0), ticks=2)
    assert zone.ship_state(ME).torpedoes == 4
    # the process dies before any snapshot: the store still says 0 torpedoes
    again = Economy(restarted(economy, 0), economy.ledger, economy.board.engine, tell=_deaf)
    await again.start()
    home = again.universe.galaxy.systems[0].id
    again.universe.tick(home)
    assert again.universe.zones[home].ship_state(ME).torpedoes == 4
    assert await balance(again, MY_ACCOUNT) == PLAYER_GRANT - 4 * 60  # charged once


async def test_a_purchase_stored_with_its_snapshot_is_not_delivered_twice(economy: Economy) -> None:
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    zone.bodies.torpedoes[zone.bodies.row_of[ME]] = 0
    await tick(economy, c.Buy(ship=ME, good="torpedo", quantity=4.0), ticks=2)
    delivered = economy.take_delivered()
    await Hangar(economy.board.engine).save_ships(
        economy.universe.ship_states(),
        lambda connection: economy.mark_delivered(connection, delivered),
    )
    assert await economy.journal.pending() == []
    again = Economy(restarted(economy, 4), economy.ledger, economy.board.engine, tell=_deaf)
    await again.start()
    home = again.universe.galaxy.systems[0].id
    again.universe.tick(home)
    assert again.universe.zones[home].ship_state(ME).torpedoes == 4
    assert await balance(again, MY_ACCOUNT) == PLAYER_GRANT - 4 * 60


async def test_a_sale_lost_in_a_crash_takes_the_ore_once_at_the_next_start(
    economy: Economy,
) -> None:
    await tick(economy, c.Sell(ship=ME, quantity=20.0), ticks=2)
    # the process dies before any snapshot: the store still says 50 t aboard
    again = Economy(restarted(economy, 8), economy.ledger, economy.board.engine, tell=_deaf)
    home = again.universe.galaxy.systems[0].id
    again.universe.zones[home].bodies.cargo[again.universe.zones[home].bodies.row_of[ME]] = 50.0
    await again.start()
    again.universe.tick(home)
    assert again.universe.zones[home].ship_state(ME).cargo == 30.0
    assert await balance(again, MY_ACCOUNT) == PLAYER_GRANT + 240  # paid once


async def wreck_me(economy: Economy) -> int:
    """I earn 600 cr, undock and am destroyed: my wreck holds a tenth of my wallet."""
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    await tick(economy, c.Unload(ship=ME), ticks=2)
    await tick(economy, c.Undock(ship=ME))
    zone.bodies.damage[zone.bodies.row_of[ME]] = 1_000.0
    await tick(economy)
    (wreck,) = [e for e in zone.bodies.row_of if e >= TRANSIENT_ID_BASE]
    assert await earned(economy, MY_ACCOUNT) == 600 - 60
    return wreck


async def test_a_wrecks_credits_go_back_to_its_owner_after_a_restart(economy: Economy) -> None:
    wreck = await wreck_me(economy)
    escrow = accounts.wreck(wreck, economy.wallets.epoch)
    assert await economy.ledger.balance(escrow) == 60
    for _ in range(2):  # the wreck is gone with the run; the second start finds nothing left
        again = Economy(restarted(economy, 8), economy.ledger, economy.board.engine, tell=_deaf)
        await again.start()
        assert await earned(again, MY_ACCOUNT) == 600
        assert await economy.ledger.balance(escrow) == 0
    assert (await economy.ledger.audit()).ok


async def test_untraceable_wreck_credits_go_to_the_unclaimed_account(economy: Economy) -> None:
    stray = accounts.wreck(5, "oldrun")
    await economy.ledger.open_account(stray, AccountKind.ESCROW)
    await economy.ledger.transfer(
        TransferRequest.move("stray", TransferKind.GRANT, accounts.MINT, stray, 40)
    )
    again = Economy(restarted(economy, 8), economy.ledger, economy.board.engine, tell=_deaf)
    await again.start()
    assert await economy.ledger.balance(accounts.UNCLAIMED) == 40
    assert (await economy.ledger.audit()).ok


async def test_a_wreck_that_drifts_apart_gives_its_credits_back(economy: Economy) -> None:
    wreck = await wreck_me(economy)
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    zone.bodies.life[zone.bodies.row_of[wreck]] = 0.0  # nobody came to loot it
    await tick(economy, ticks=2)
    assert wreck not in zone.bodies.row_of
    assert await earned(economy, MY_ACCOUNT) == 600
    assert (await economy.ledger.audit()).ok


async def test_starter_credit_pays_for_purchases_and_the_statement_shows_both(
    economy: Economy,
) -> None:
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    zone.bodies.torpedoes[zone.bodies.row_of[ME]] = 0
    await tick(economy, c.Sell(ship=ME, quantity=20.0), ticks=2)  # 240 cr earned
    await tick(economy, c.Buy(ship=ME, good="torpedo", quantity=4.0), ticks=2)  # 240 cr
    wallet = accounts.wallet(0, MY_ACCOUNT)
    assert await economy.wallets.books(wallet) == (240, PLAYER_GRANT - 240)
    pages, cursor = [], None
    while True:  # one entry a page, newest first, across both accounts
        page, cursor = await economy.wallets.statement(wallet, cursor, 1)
        pages += page
        if cursor is None:
            break
    assert [r.kind for r in pages] == [TransferKind.TRADE, TransferKind.TRADE, TransferKind.GRANT]
    assert [r.transfer_id for r in pages] == sorted({r.transfer_id for r in pages}, reverse=True)


async def test_a_wallet_granted_before_starter_credit_keeps_its_grant(economy: Economy) -> None:
    wallet = accounts.wallet(0, 77)
    await economy.ledger.open_account(wallet, AccountKind.WALLET)
    old = TransferRequest.move(f"grant:{wallet}", TransferKind.GRANT, accounts.MINT, wallet, 1000)
    await economy.ledger.transfer(old)  # as the grant was made before
    minted = (await economy.ledger.audit()).minted
    await economy.open_wallet(3_000_077, 77)
    assert await economy.wallets.books(wallet) == (1000, 0)
    assert (await economy.ledger.audit()).minted == minted  # nothing granted twice


# -- zones that move between processes (a cluster's zone hosts) --------------------------


async def test_a_zone_lost_mid_trade_is_finished_by_its_next_host_once(economy: Economy) -> None:
    """Host A charged a purchase and lost the zone before the goods arrived (the grant
    never ticked): A forgets the trade; B, taking the zone from its last snapshot, charges
    it again by key (a replay) and grants it, once."""
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    home = zone.system_id
    zone.bodies.torpedoes[zone.bodies.row_of[ME]] = 0
    economy.universe.submit(c.Buy(ship=ME, good="torpedo", quantity=2.0))
    economy.universe.tick(home)  # the trade is reported...
    while not economy._queue.empty():
        await economy.settle(*economy._queue.get_nowait())  # ...charged; its grant queued
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT - 2 * 60
    economy.drop_zone(home)  # lost before the grant's tick

    universe = restarted(economy, 0)  # what the next host loads: 0 torpedoes
    b = Economy(universe, economy.ledger, economy.board.engine, tell=_deaf)
    await b.open_books()
    await b.take_zone(home)
    universe.tick(home)
    assert universe.zones[home].ship_state(ME).torpedoes == 2
    assert await balance(b, MY_ACCOUNT) == PLAYER_GRANT - 2 * 60  # charged once
    assert (await economy.ledger.audit()).ok


async def test_an_orphaned_trade_is_taken_up_and_one_still_open_here_is_left_alone(
    economy: Economy,
) -> None:
    """A pending trade no process has open (its host charged it, then lost the zone, and
    this host had loaded the ship before it was journalled) is finished by the host of its
    ship, once; this host's own trade in flight is never granted twice."""
    zone = economy.universe.zone_of(ME)
    assert zone is not None
    home = zone.system_id
    zone.bodies.torpedoes[zone.bodies.row_of[ME]] = 0
    await tick(economy, c.Buy(ship=ME, good="torpedo", quantity=1.0), ticks=2)
    await economy.resume_orphans(age=0.0)  # the trade is this host's own: left alone
    await tick(economy, ticks=2)
    assert zone.ship_state(ME).torpedoes == 1

    # Another host, cut off from its lease, journalled and charged a purchase of 3.
    theirs = Economy(restarted(economy, 0), economy.ledger, economy.board.engine, tell=_deaf)
    await theirs.take_zone(home)
    theirs.desk.forget([ME])  # (its own leftovers: only the new trade matters here)
    theirs.universe.submit(c.Buy(ship=ME, good="torpedo", quantity=3.0))
    theirs.universe.tick(home)
    while not theirs._queue.empty():
        await theirs.settle(*theirs._queue.get_nowait())
    theirs.drop_zone(home)
    for _ in range(2):  # taken up once, then open here: never twice
        await economy.resume_orphans(age=0.0)
        await tick(economy, ticks=2)
    assert zone.ship_state(ME).torpedoes == 4
    assert await balance(economy, MY_ACCOUNT) == PLAYER_GRANT - 4 * 60
    assert (await economy.ledger.audit()).ok


async def test_a_sweep_gives_back_only_the_wrecks_of_runs_that_are_over(economy: Economy) -> None:
    """On a cluster every zone host's wrecks are live until it is gone from the roll: a
    sweep keeps the escrows of the runs it is told are live."""
    for run, amount in (("live-host", 30), ("gone-host", 40)):
        escrow = accounts.wreck(9, run)
        await economy.ledger.open_account(escrow, AccountKind.ESCROW)
        await economy.ledger.transfer(
            TransferRequest.move(f"spill-{run}", TransferKind.GRANT, accounts.MINT, escrow, amount)
        )
    assert await economy.theft.sweep(keep={"live-host"}) == 40
    assert await economy.ledger.balance(accounts.wreck(9, "live-host")) == 30
    assert await economy.ledger.balance(accounts.wreck(9, "gone-host")) == 0
    assert await economy.theft.sweep(keep={"live-host"}) == 0  # once
    assert (await economy.ledger.audit()).ok
