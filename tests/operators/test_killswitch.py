"""The kill switch over a real SQLite store and ledger: the two-operator rule (every act
audited, done or refused), and the erase: what the dry run lists is what goes, enclaves and
accounts stay, the books and the audit chain check, and only an operator's ask starts anew."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infinity.accounts.records import Account
from infinity.accounts.service import Accounts
from infinity.audit.log import AuditLog
from infinity.company.archive import agents, memories
from infinity.economy import accounts as names
from infinity.economy.service import Economy
from infinity.economy.wallets import Wallets
from infinity.galaxy.generate import generate
from infinity.ledger import Ledger
from infinity.operators import killswitch as ks
from infinity.operators.errors import Refused
from infinity.store.store import Store, sqlite_url
from infinity.universe.charts import Charts
from infinity.universe.tables import chat, handovers, ships, systems, zone_epochs
from infinity.universe.universe import Universe
from infinity.worlds.tables import worlds
from tests.pg import fresh_database, postgres_server  # noqa: F401

PASSWORD = "stardust-42"
ENCLAVE_WORLD, ENCLAVE_SYSTEM, ENCLAVE_SHIP, ENCLAVE_AGENT = 77, 900_001, 1_048_999, 5_000


@dataclass
class Bench:
    url: str
    data: Path
    store: Store
    ledger: Ledger
    audit: AuditLog
    switch: ks.KillSwitch
    first: Account
    second: Account
    player: Account
    now: list[float] = field(default_factory=lambda: [1000.0])
    halted: list[bool] = field(default_factory=list)
    told: list[str] = field(default_factory=list)


@pytest.fixture(params=["sqlite", "postgresql"])
async def bench(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bench]:
    """Every kill switch test on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = fresh_database(request.getfixturevalue("postgres_server"))
    store = await Store.open(url)
    ledger = await Ledger.open(url)
    audit = AuditLog(store.engine, tmp_path / "audit.anchor")
    registry = Accounts(store)
    first = (await registry.register("First", PASSWORD, "operator")).account
    second = (await registry.register("Second", PASSWORD, "operator")).account
    player = (await registry.register("Vega", PASSWORD)).account
    now = [1000.0]
    halted: list[bool] = []
    told: list[str] = []

    async def close_sessions(reason: str) -> int:
        told.append(reason)
        return 2

    hooks = ks.KillHooks(halt=lambda: halted.append(True), close_sessions=close_sessions)
    switch = ks.KillSwitch(store.engine, ledger, audit, hooks, window=30.0, clock=lambda: now[0])
    yield Bench(
        url, tmp_path, store, ledger, audit, switch, first, second, player, now, halted, told
    )
    await ledger.close()
    await store.close()


async def _verbs(bench: Bench) -> list[tuple[str, str, str]]:
    return [(e.verb, e.actor_name, e.result) for e in await bench.audit.tail(100)]


async def test_a_second_different_operator_must_confirm_within_the_window(bench: Bench) -> None:
    switch = bench.switch
    with pytest.raises(Refused) as refused:
        await switch.confirm(bench.second)
    assert refused.value.code == "not_armed"
    armed = await switch.arm(bench.first, "a clone copies minds")
    assert armed.entry.verb == "killswitch_arm" and switch.state().armed_by == "First"
    with pytest.raises(Refused) as refused:
        await switch.arm(bench.second, "again")
    assert refused.value.code == "already_armed"
    with pytest.raises(Refused) as refused:
        await switch.confirm(bench.first)
    assert refused.value.code == "same_operator" and refused.value.entry.result == "refused"
    bench.now[0] += 31.0  # the window has passed
    with pytest.raises(Refused) as refused:
        await switch.confirm(bench.second)
    assert refused.value.code == "expired"
    assert not switch.state().armed and not switch.confirmed and not bench.halted
    await switch.arm(bench.first, "once more")
    await switch.disarm(bench.second)
    with pytest.raises(Refused) as refused:
        await switch.confirm(bench.second)
    assert refused.value.code == "not_armed"
    assert await _verbs(bench) == [
        ("killswitch_confirm", "Second", "refused"),
        ("killswitch_arm", "First", "done"),
        ("killswitch_arm", "Second", "refused"),
        ("killswitch_confirm", "First", "refused"),
        ("killswitch_confirm", "Second", "refused"),
        ("killswitch_arm", "First", "done"),
        ("killswitch_disarm", "Second", "done"),
        ("killswitch_confirm", "Second", "refused"),
    ]
    assert (await bench.audit.verify()).ok


async def test_a_player_may_not_arm_confirm_disarm_or_look(bench: Bench) -> None:
    switch, player = bench.switch, bench.player
    await switch.arm(bench.first, "test")
    for act in (
        lambda: switch.arm(player, "mine"),
        lambda: switch.confirm(player),
        lambda: switch.disarm(player),
        lambda: switch.look(player),
    ):
        with pytest.raises(Refused) as refused:
            await act()
        assert refused.value.code == "forbidden" and refused.value.entry.result == "refused"
    assert switch.state().armed and not switch.confirmed


async def test_confirmed_it_stops_everything_and_the_erase_spares_only_what_survives(
    bench: Bench,
) -> None:
    await _populate(bench)
    switch = bench.switch
    before = await ks.inventory(bench.store.engine)
    assert before.erase["systems"] > 0 and before.erase["ships"] == 3
    assert before.erase["agents"] == 1 and before.erase["chat"] == 1
    assert before.names["ships"] == ["Vega", "Miner", "Kestrel"]
    assert before.survive["enclave_worlds"] == 1 and before.survive["enclave_agents"] == 1
    assert f"wallet:ship:{ENCLAVE_SHIP}" not in dict(before.ledger)
    player_starter = names.starter(names.wallet(0, bench.player.id))
    assert player_starter in dict(before.ledger) and before.credits > 0
    total = await _total(bench)

    await switch.arm(bench.first, "the clone")
    done = await switch.confirm(bench.second)
    assert done.record["sessions_closed"] == 2 and bench.halted == [True] and switch.over
    assert bench.told == [ks.CLOSE_REASON]
    with pytest.raises(Refused) as refused:
        await switch.arm(bench.first, "again")
    assert refused.value.code == "erased"

    erasure = await switch.erase()
    assert erasure is not None
    assert erasure.deleted == before.erase
    assert (erasure.closed, erasure.credits) == (len(before.ledger), before.credits)
    assert await switch.erase() is None  # done once; nothing pending
    after = await ks.inventory(bench.store.engine)
    assert not any(after.erase.values()) and after.ledger == []
    assert after.survive["accounts"] == 3 and after.survive["enclave_agents"] == 1
    assert await bench.ledger.balance(ks.BURNT) == before.credits
    assert await _total(bench) == total == 0
    assert (await bench.ledger.audit()).ok
    assert (await bench.audit.verify()).ok
    async with bench.store.engine.connect() as connection:
        left = (await connection.execute(sa.select(ships.c.id))).scalars().all()
        kept = (await connection.execute(sa.select(systems.c.id))).scalars().all()
        remembered = await connection.scalar(sa.select(sa.func.count()).select_from(memories))
    assert left == [ENCLAVE_SHIP] and kept == [ENCLAVE_SYSTEM] and remembered == 1
    assert await Charts(bench.store.engine).load_galaxy() is None
    done_verbs = [v for v, _, result in await _verbs(bench) if result == "done"]
    assert done_verbs == [
        "killswitch_arm", "killswitch_confirm", "killswitch_stop", "killswitch_burn",
        "killswitch_erase",
    ]  # fmt: skip

    # nothing comes back until an operator asks; then grants are made afresh, in a new era
    assert await ks.erased_at(bench.store.engine) is not None
    anchor = bench.data / "audit.anchor"
    said = await ks.prepare(bench.url, anchor, new=False, seed=3)
    assert said is not None and "--new-galaxy" in said
    assert await ks.prepare(bench.url, anchor, new=True, seed=3) is None
    assert await ks.erased_at(bench.store.engine) is None and await ks.era(bench.store.engine) == 1
    wallets = Wallets(Universe(generate(3)), bench.ledger, era=1)
    assert wallets.grant_key("market:station:5") == "grant:era1:market:station:5"


async def test_a_crash_after_confirming_is_finished_at_the_next_start(bench: Bench) -> None:
    await _populate(bench)
    before = await ks.inventory(bench.store.engine)
    await bench.switch.arm(bench.first, "the clone")
    await bench.switch.confirm(bench.second)  # ... and the process dies before the erase
    said = await ks.prepare(bench.url, bench.data / "audit.anchor", new=False, seed=1)
    assert said is not None
    after = await ks.inventory(bench.store.engine)
    assert not any(after.erase.values()) and before.erase["ships"] == 3
    assert (await bench.ledger.audit()).ok


async def _total(bench: Bench) -> int:
    async with bench.store.engine.connect() as connection:
        found = await connection.scalar(sa.text("SELECT SUM(balance) FROM ledger_accounts"))
    return int(found or 0)


async def _populate(bench: Bench) -> None:
    """A stored galaxy with markets, a player's and an NPC's ship and wallet, chat, an
    agent at large, and an enclave with a ship and an agent living in it."""
    engine = bench.store.engine
    galaxy = generate(3)
    await Charts(engine).save_galaxy(galaxy)
    universe = Universe(galaxy)
    economy = Economy(universe, bench.ledger, engine, tell=lambda s, m: None, crews={})
    await economy.start()
    home = galaxy.systems[0]
    station = home.stations()[0]
    rows: list[dict[str, Any]] = [
        _ship(1_048_576, "Vega", bench.player.id, home.id, station.id),
        _ship(1_048_577, "Miner", None, home.id, station.id),
        _ship(1_048_578, "Kestrel", None, home.id, station.id),
        _ship(ENCLAVE_SHIP, "Ark", None, ENCLAVE_SYSTEM, 0),
    ]
    for row in rows[:3]:
        await economy.open_wallet(row["id"], row["account_id"])
    await economy.open_wallet(ENCLAVE_SHIP, None)
    async with engine.begin() as connection:
        await connection.execute(
            sa.insert(worlds),
            {"id": ENCLAVE_WORLD, "name": "Vega's enclave", "template": "enclave",
             "kind": ks.ENCLAVE, "visibility": "invite", "owner_id": bench.player.id,
             "seed": 1, "rules": "{}", "created_at": 1.0},
        )  # fmt: skip
        await connection.execute(
            sa.insert(systems),
            {"id": ENCLAVE_SYSTEM, "name": "Inside", "x": 0.0, "y": 0.0, "world_id": ENCLAVE_WORLD},
        )
        await connection.execute(sa.insert(ships), rows)
        for agent, ship in ((ENCLAVE_AGENT, ENCLAVE_SHIP), (ENCLAVE_AGENT + 1, 1_048_578)):
            await connection.execute(
                sa.insert(agents),
                {"id": agent, "genome": "g", "name": f"Agent {agent}", "persona": "{}",
                 "credits": 0.0, "needs": "[]", "intent": "{}", "ship_id": ship, "alive": True,
                 "embedder": "hash", "updated_at": 1.0},
            )  # fmt: skip
            await connection.execute(
                sa.insert(memories),
                {"agent_id": agent, "id": 0, "kind": 0, "at": 1.0, "importance": 5,
                 "text": "I remember", "subject": "", "last_access": 1.0, "cites": "[]",
                 "vector": b""},
            )  # fmt: skip
        await connection.execute(
            sa.insert(chat),
            {"system_id": home.id, "ship_id": 1_048_576, "name": "Vega", "text": "hi", "at": 1.0},
        )


def _ship(ship: int, name: str, account: int | None, system: int, station: int) -> dict[str, Any]:
    return {
        "id": ship, "account_id": account, "name": name, "role": "player" if account else "miner",
        "system_id": system, "x": 0.0, "y": 0.0, "vx": 0.0, "vy": 0.0, "heading": 0.0,
        "hull": 100.0, "shield": 100.0, "energy": 100.0, "cargo": 0.0, "torpedoes": 0,
        "docked_at": station, "home_station": station, "home_system": system, "updated_at": 1.0,
    }  # fmt: skip


async def test_a_host_visiting_their_enclave_loses_their_ship_with_the_world(
    bench: Bench,
) -> None:
    """Only the minds' skiffs in an enclave survive: a player's ship there (the host on a
    visit) is erased with every other player's, and its wallet burnt."""
    await _populate(bench)
    async with bench.store.engine.begin() as connection:
        await connection.execute(
            sa.update(ships).where(ships.c.id == 1_048_576).values(system_id=ENCLAVE_SYSTEM)
        )
        # a cluster's records: a handover of the NPC Miner, and two zones' owners
        await connection.execute(
            sa.insert(handovers),
            {"key": "k" * 32, "ship": 1_048_577, "from_zone": 1, "to_zone": 2, "host": "a",
             "committed_at": 1.0},
        )  # fmt: skip
        for zone in (1, ENCLAVE_SYSTEM):
            await connection.execute(
                sa.insert(zone_epochs), {"zone": zone, "owner": "a", "epoch": "e", "since": 1.0}
            )
    before = await ks.inventory(bench.store.engine)
    assert before.erase["cluster_handovers"] == 1 and before.erase["cluster_zone_epochs"] == 1
    assert before.names["ships"] == ["Vega", "Miner", "Kestrel"]
    await bench.switch.arm(bench.first, "the clone")
    await bench.switch.confirm(bench.second)
    assert await bench.switch.erase() is not None
    async with bench.store.engine.connect() as connection:
        left = (await connection.execute(sa.select(ships.c.id))).scalars().all()
        epochs = (await connection.execute(sa.select(zone_epochs.c.zone))).scalars().all()
        handed = await connection.scalar(sa.select(sa.func.count()).select_from(handovers))
    assert left == [ENCLAVE_SHIP] and epochs == [ENCLAVE_SYSTEM] and handed == 0
    assert (await bench.ledger.audit()).ok
