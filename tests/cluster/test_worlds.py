"""Every world's zones on the cluster (docs/cluster.md "Worlds on the cluster"): zone hosts
lease the systems of every open world, not only the main world's; each zone runs under its
world's rules, follows a change of them, and goes back when its world is closed; a player
whose ship is in an instance is welcomed there through a gateway and gets its frames.

Worlds are made here the way the worlds' service makes them (`Atlas.found`, one
transaction), and a ship is put in one as a committed travel leaves it (its row names a
system of that world): what the hosts and gateways do with them is what is tested.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2 as httpx
import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from infinity.accounts.service import Accounts
from infinity.cluster.hosts import HostRoll
from infinity.cluster.leases import ZoneLeases
from infinity.cluster.open_worlds import OpenWorlds
from infinity.cluster.status import zone_names
from infinity.cluster.zonehost import ZoneHosting
from infinity.commands import internal as ci
from infinity.galaxy.model import Galaxy
from infinity.sim.rules import ENGINE_RULES
from infinity.store.store import Store
from infinity.universe.charts import Charts
from infinity.universe.hangar import Hangar
from infinity.universe.records import FLAGSHIP_ROLE
from infinity.worlds.atlas import Atlas, Berth, Launch, Voyage, record_voyage
from infinity.worlds.records import World, zone_rules
from infinity.worlds.service import ENCLAVE, arrival_berth
from infinity.worlds.template import Template, shipped
from tests.cluster.processes import (
    SNAPSHOT,
    TTL,
    HostProcess,
    Player,
    Start,
    StartGateway,
    all_held,
    fetch,
    owners,
    sign_up,
    systems_in,
    until,
)
from tests.nats import TestNats

pytestmark = pytest.mark.slow


@pytest.fixture
async def atlas(seeded: str) -> AsyncIterator[Atlas]:
    store = await Store.open(seeded)
    try:
        yield Atlas(store.engine, Charts(store.engine))
    finally:
        await store.engine.dispose()


async def found(
    atlas: Atlas, template: Template, name: str, flagship: Launch | None = None
) -> tuple[World, Galaxy]:
    """A world made as the worlds' service makes it, owned by an account of its own."""
    store = Store(atlas.engine)
    owner = (await Accounts(store).register(f"{name}-owner", "correct horse battery")).account
    return await atlas.found(
        name=name, template=template.name, kind="instance", visibility="invite",
        owner=owner.id, owner_name=owner.name, seed=11, rules=template.rules,
        galaxy=template.galaxy_for(11), flagship=flagship,
    )  # fmt: skip


async def berth_in(db: str, ship: int, galaxy: Galaxy) -> int:
    """Dock `ship` at the first station of `galaxy`, its home while there, as a committed
    travel leaves its row; that station's system."""
    system = next(s for s in galaxy.systems if s.stations())
    station = system.stations()[0]
    await fetch(
        db,
        "UPDATE ships SET system_id = $1, docked_at = $2, x = $3, y = $4, vx = 0, vy = 0,"
        " home_station = $2, home_system = $1 WHERE id = $5",
        system.id, station.id, station.x, station.y, ship,
    )  # fmt: skip
    return system.id


def _systems(galaxy: Galaxy) -> set[int]:
    return {system.id for system in galaxy.systems}


async def test_a_host_leases_every_open_world_under_its_rules_and_gives_back_a_closed_one(
    seeded: str, atlas: Atlas, leases: tuple[ZoneLeases, HostRoll], nats_server: TestNats
) -> None:
    main = await systems_in(seeded)
    fleet, fleet_galaxy = await found(atlas, shipped()["space-fleet"], "Patrol")
    enclave, enclave_galaxy = await found(atlas, ENCLAVE, "Quiet")
    traveller = await _npc_ship(seeded)
    arrived_at = await berth_in(seeded, traveller, fleet_galaxy)
    every = main | _systems(fleet_galaxy) | _systems(enclave_galaxy)
    assert len(every) == len(main) + 5  # four fleet systems and the enclave
    charted = await OpenWorlds.read_from(atlas.engine)
    assert set(charted) == every and charted.name_of(arrived_at) == "Starbase Ares"
    world = charted.world_of(arrived_at)
    assert world is not None and world.id == fleet.id and world.rules == zone_rules(fleet.rules)

    hosting = await ZoneHosting.open(seeded, nats_server.url, "host-solo", TTL, SNAPSHOT, False)
    stopping = asyncio.Event()
    running = asyncio.create_task(hosting.run(stopping))
    try:

        async def all_owned() -> bool:
            return hosting.owned == every

        await until(all_owned, 20, "the host owns every open world's zones")
        universe = hosting.universe
        assert universe.where[traveller] == arrived_at  # loaded where its row names
        assert universe.world_of[arrived_at] == fleet.id
        assert {universe.zones[s].rules for s in main} == {ENGINE_RULES}
        assert {universe.zones[s].rules for s in _systems(fleet_galaxy)} == {
            zone_rules(fleet.rules)
        }
        (quiet,) = _systems(enclave_galaxy)
        assert universe.zones[quiet].rules.damage == 0.0 == zone_rules(enclave.rules).damage

        # The owner speeds the fleet world up: its zones follow within a sweep.
        faster = msgspec.structs.replace(fleet.rules, max_speed=2.0)
        await atlas.set_rules(fleet.id, faster)

        async def sped_up() -> bool:
            return universe.zones[arrived_at].rules == zone_rules(faster)

        await until(sped_up, 5, "the fleet's zones run under the new rules")

        # The enclave is closed: its zone is given back, and its map forgotten here.
        await atlas.close(enclave.id)

        async def closed() -> bool:
            held = await owners(leases[0])
            return quiet not in hosting.owned and quiet not in held

        await until(closed, 10, "the closed world's zone given back")
        assert enclave.id not in universe.galaxies and quiet not in universe.zones
        assert hosting.owned == every - {quiet}
        assert universe.where[traveller] == arrived_at
    finally:
        stopping.set()
        async with asyncio.timeout(10):
            await running
        await hosting.close()
    assert await leases[0].holders() == []


async def test_two_hosts_share_every_world_and_a_player_in_an_instance_flies_there(
    seeded: str,
    atlas: Atlas,
    start_host: Start,
    start_gateway: StartGateway,
    leases: tuple[ZoneLeases, HostRoll],
) -> None:
    """Through a gateway process, with two zone host processes: the instance's zones are
    shared out with the main world's, and its player is welcomed and framed there."""
    gateway = start_gateway("gw-a", seeded)
    await gateway.ready()
    _world, galaxy = await found(atlas, shipped()["space-fleet"], "Frontier")
    token, ship, _home = await sign_up(gateway.url, "voyager")
    arrived_at = await berth_in(seeded, ship, galaxy)  # no host has loaded it yet
    every = await systems_in(seeded) | _systems(galaxy)
    for name in ("host-a", "host-b"):
        start_host(name, seeded)
    await until(all_held(leases[0], every, 2), 30, "every world's zones held by both hosts")

    player = Player("voyager", token, ship)
    welcome = await player.connect(gateway.url)
    try:
        assert welcome["system"] == {"id": arrived_at, "name": "Starbase Ares"}

        async def framed() -> bool:
            return player.frames > 3 and ship in player.seen

        await until(framed, 20, f"frames of the instance's zone\n{gateway.tail()}")
        seq = await player.send("undock")

        async def acked() -> bool:
            return player.ack >= seq

        await until(acked, 10, "the undock applied by the instance zone's host")
        assert player.system == arrived_at and player.closed is None
    finally:
        await player.close()


async def _npc_ship(db: str, after: bool = False) -> int:
    """The first NPC miner (`after`: the last)."""
    (row,) = await fetch(
        db,
        f"SELECT {'max' if after else 'min'}(id) AS id FROM ships"
        " WHERE account_id IS NULL AND role = 'miner'",
    )
    assert row["id"] is not None
    return int(row["id"])


async def _voyage_of(db: str, ship: int) -> tuple[int, int] | None:
    """(world, from_system) of the ship's voyage row, if it has one."""
    rows = await fetch(db, "SELECT world_id, from_system FROM voyages WHERE ship_id = $1", ship)
    return None if not rows else (rows[0]["world_id"], rows[0]["from_system"])


async def _rows_of(db: str, ship: int) -> list[int]:
    """The systems the store's rows put `ship` in: exactly one, always."""
    rows = await fetch(db, "SELECT system_id FROM ships WHERE id = $1", ship)
    return [row["system_id"] for row in rows]


class Pilot:
    """A player's REST calls through a gateway."""

    def __init__(self, client: httpx.AsyncClient, url: str, token: str) -> None:
        self._client = client
        self._url = url
        self._auth = {"authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, body: object = None) -> httpx.Response:
        return await self._client.request(
            method, f"{self._url}{path}", json=body, headers=self._auth
        )

    async def travel(self, world: int, key: str) -> httpx.Response:
        """Travel, asked again while the answer is `in_transit` (a zone between hosts)."""
        for _ in range(20):
            answer = await self.call("POST", f"/api/worlds/{world}/travel", {"key": key})
            if answer.status_code != 409 or answer.json()["error"] != "in_transit":
                return answer
            await asyncio.sleep(0.5)
        return answer


async def test_worlds_made_entered_left_and_closed_through_a_cluster_gateway(
    seeded: str, start_host: Start, start_gateway: StartGateway, leases: tuple[ZoneLeases, HostRoll]
) -> None:
    """The worlds' REST on a cluster gateway, with two zone host processes: a player makes a
    world, travels in (committed by the host of its zone as a handover that writes the
    voyage), a guest is refused until invited, both come home, and the world closes."""
    gateway = start_gateway("gw-a", seeded)
    await gateway.ready()
    main = await systems_in(seeded)
    for name in ("host-a", "host-b"):
        start_host(name, seeded)
    await until(all_held(leases[0], main, 2), 30, "the main world held by both hosts")
    (owner_token, ship, home), (guest_token, guest_ship, _) = [
        await sign_up(gateway.url, name) for name in ("founder", "guest")
    ]
    async with httpx.AsyncClient(timeout=20.0) as client:
        founder = Pilot(client, gateway.url, owner_token)
        guest = Pilot(client, gateway.url, guest_token)
        made = await founder.call("POST", "/api/worlds", {"template": "space-fleet", "name": "Far"})
        assert made.status_code == 201, made.text
        world = made.json()
        assert world["visibility"] == "invite" and world["flagship"] and not world["here"]
        systems = set(await _systems_of(seeded, world["id"]))
        await until(all_held(leases[0], main | systems, 2), 15, "the new world's zones held")

        player = Player("founder", owner_token, ship)
        await player.connect(gateway.url)
        try:
            went = await founder.travel(world["id"], "in-1")
            assert went.status_code == 200, went.text
            arrival = went.json()
            assert arrival["world"] == world["id"] and arrival["system"] in systems
            assert await _rows_of(seeded, ship) == [arrival["system"]]
            assert await _voyage_of(seeded, ship) == (world["id"], home)
            again = await founder.travel(world["id"], "in-1")  # a retry: not moved twice
            assert again.status_code == 200 and again.json()["system"] == arrival["system"]

            async def followed() -> bool:
                return player.system == arrival["system"] and ship in player.seen

            await until(followed, 15, "the player's socket follows its ship into the world")
        finally:
            await player.close()

        refused = await guest.travel(world["id"], "in-2")
        assert refused.status_code == 404, refused.text  # invite-only: unseen by strangers
        invited = await founder.call(
            "POST", f"/api/worlds/{world['id']}/invite", {"account": "guest"}
        )
        assert invited.status_code == 200 and invited.json()["members"] == ["guest"]
        assert (await guest.travel(world["id"], "in-2")).status_code == 200
        listed = (await guest.call("GET", "/api/worlds")).json()
        far = next(w for w in listed["worlds"] if w["id"] == world["id"])
        assert listed["here"] == world["id"] and far["ships"] == 3  # two players, a flagship
        drawn = await guest.call("GET", f"/api/galaxy?world={world['id']}")
        assert {s["id"] for s in drawn.json()["systems"]} == systems

        back = await founder.call("POST", "/api/worlds/home")
        assert back.status_code == 200 and back.json()["system"] == home, back.text
        assert await _rows_of(seeded, ship) == [home] and await _voyage_of(seeded, ship) is None
        reused = await founder.call("POST", f"/api/worlds/{world['id']}/travel", {"key": "in-1"})
        assert reused.status_code == 409 and reused.json()["error"] == "key_used", reused.text

        closed = await founder.call("DELETE", f"/api/worlds/{world['id']}")
        assert closed.status_code == 200, closed.text  # the guest was sent home first
        assert await _voyage_of(seeded, guest_ship) is None
        assert (await _rows_of(seeded, guest_ship))[0] in main
        gone = await founder.call("GET", f"/api/worlds/{world['id']}")
        assert gone.status_code == 404

        async def given_back() -> bool:
            return not systems & set(await owners(leases[0]))

        await until(given_back, 10, "the closed world's zones given back")
        built = await founder.call("POST", f"/api/worlds/{world['id']}/build", {"commands": []})
        assert built.status_code == 501 and built.json()["error"] == "not_in_cluster"


async def _systems_of(db: str, world: int) -> list[int]:
    rows = await fetch(db, "SELECT id FROM systems WHERE world_id = $1", world)
    return [row["id"] for row in rows]


@pytest.mark.parametrize("fault", ["marked", "committed"])
async def test_a_host_killed_mid_travel_leaves_the_ship_in_exactly_one_world(
    fault: str,
    seeded: str,
    atlas: Atlas,
    start_gateway: StartGateway,
    start_host: Start,
    leases: tuple[ZoneLeases, HostRoll],
    nats_server: TestNats,
    tmp_path: Path,
) -> None:
    """The host of the ship's zone is SIGKILLed as its travel's handover is marked (before
    the commit) or just committed: after another host takes the zones over, the ship is in
    one world only, its voyage row agrees with its row, and the retried travel (same key)
    ends in the world without moving it twice."""
    gateway = start_gateway("gw-a", seeded)
    await gateway.ready()
    world, galaxy = await found(atlas, shipped()["space-fleet"], "Peril")
    token, ship, home = await sign_up(gateway.url, "victim")
    member = await Accounts(Store(atlas.engine)).registry.account_by_name("victim")
    assert member is not None
    await atlas.add_member(world.id, member.id)
    every = await systems_in(seeded) | _systems(galaxy)
    victim = HostProcess("host-a", seeded, nats_server.url, tmp_path / "a.log", fault=fault)
    try:
        await until(all_held(leases[0], every, 1), 30, "every zone held by the victim")
        async with httpx.AsyncClient(timeout=20.0) as client:
            pilot = Pilot(client, gateway.url, token)
            first = await pilot.call("POST", f"/api/worlds/{world.id}/travel", {"key": "go"})
            assert first.status_code == 409 and first.json()["error"] == "in_transit", first.text
            assert victim.process.wait(10) == -9, victim.tail()  # SIGKILL at the fault point
            start_host("host-b", seeded)

            async def taken_over() -> dict[int, str] | None:
                held = await owners(leases[0])
                return held if set(held) == every and set(held.values()) == {"host-b"} else None

            await until(taken_over, 20, "host-b holds every zone")
            (row,) = await _rows_of(seeded, ship)
            if fault == "committed":  # the commit wrote the row and the voyage together
                assert row in _systems(galaxy) and await _voyage_of(seeded, ship) == (
                    world.id,
                    home,
                )
            else:  # nothing was written: it never left
                assert row == home and await _voyage_of(seeded, ship) is None
            again = await pilot.travel(world.id, "go")
            assert again.status_code == 200, again.text
            (row,) = await _rows_of(seeded, ship)
            assert row == again.json()["system"] and row in _systems(galaxy)
            assert await _voyage_of(seeded, ship) == (world.id, home)
    finally:
        victim.end()


async def test_ships_stranded_by_a_closed_world_are_sent_home(seeded: str, atlas: Atlas) -> None:
    """A ship whose row names a system of a world closed while it travelled in goes back
    where its voyage set out from, or, that gone too, to the main world's first station;
    every ship in a standing system stays put (what a zone host does every 10 s)."""
    main = await systems_in(seeded)
    world, galaxy = await found(atlas, shipped()["space-fleet"], "Doomed")
    left, lost = await _npc_ship(seeded), await _npc_ship(seeded, after=True)
    origin_of = {ship: (await ships_before(seeded))[ship] for ship in (left, lost)}
    async with atlas.engine.begin() as connection:
        for ship, origin in ((left, origin_of[left]), (lost, 999_999)):
            voyage = Voyage(ship, world.id, f"k{ship}", Berth(origin, 1.0, 2.0, -1, -1, origin))
            await record_voyage(connection, voyage)
    for ship in (left, lost):
        await berth_in(seeded, ship, galaxy)
    await atlas.close(world.id)
    home = Berth(min(main), 0.0, 0.0, -1, -1, min(main))
    assert sorted(await atlas.home_strays(home)) == sorted([left, lost])
    assert await _rows_of(seeded, left) == [origin_of[left]]  # where it set out from
    assert await _rows_of(seeded, lost) == [min(main)]  # its origin is no system: home
    assert await _voyage_of(seeded, left) is None and await _voyage_of(seeded, lost) is None
    assert await atlas.home_strays(home) == []


async def ships_before(db: str) -> dict[int, int]:
    rows = await fetch(db, "SELECT id, system_id FROM ships")
    return {row["id"]: row["system_id"] for row in rows}


async def test_a_flagship_bridge_crewed_through_two_gateways(
    seeded: str, start_host: Start, start_gateway: StartGateway, leases: tuple[ZoneLeases, HostRoll]
) -> None:
    """The captain, through gateway A, takes the chair and puts a guest who plays through
    gateway B at the helm: B seats the guest's socket on the flagship, whose helm orders
    it may give and no others; relieved, the guest is back aboard its own ship."""
    gw_a, gw_b = start_gateway("gw-a", seeded), start_gateway("gw-b", seeded)
    await gw_a.ready()
    await gw_b.ready()
    host = start_host("host-a", seeded)
    (captain_token, captain_ship, _), (guest_token, guest_ship, _) = [
        await sign_up(gw.url, name) for gw, name in ((gw_a, "skipper"), (gw_b, "ensign"))
    ]
    async with httpx.AsyncClient(timeout=20.0) as client:
        captain = Pilot(client, gw_a.url, captain_token)
        guest = Pilot(client, gw_b.url, guest_token)
        made = await captain.call("POST", "/api/worlds", {"template": "space-fleet", "name": "Bo"})
        world, flagship = made.json()["id"], made.json()["flagship"]
        await captain.call("POST", f"/api/worlds/{world}/invite", {"account": "ensign"})
        every = await systems_in(seeded) | set(await _systems_of(seeded, world))
        await until(all_held(leases[0], every, 1), 20, "every zone held")
        for pilot, key in ((captain, "a"), (guest, "b")):
            assert (await pilot.travel(world, key)).status_code == 200
        skipper, ensign = (
            Player("s", captain_token, captain_ship),
            Player("e", guest_token, guest_ship),
        )
        await skipper.connect(gw_a.url)
        await ensign.connect(gw_b.url)
        try:
            chair = await captain.call("POST", f"/api/worlds/{world}/bridge", {"post": "captain"})
            assert chair.status_code == 200, chair.text
            helm = await captain.call(
                "POST", f"/api/worlds/{world}/bridge", {"post": "helm", "account": "ensign"}
            )
            assert helm.status_code == 200, helm.text
            held = {p["post"]: p["holder"] for p in helm.json()["posts"]}
            assert held["captain"] == "skipper" and held["helm"] == "ensign"

            async def seated() -> bool:
                return bool(ensign.seats) and bool(skipper.seats) and flagship in ensign.seen

            await until(seated, 15, "both seated on the flagship, its frames at the helm")
            assert skipper.seats[-1] == {"t": "seat", "ship": flagship, "post": "captain",
                                         "commands": None}  # fmt: skip
            assert ensign.seats[-1]["ship"] == flagship and "undock" in ensign.seats[-1]["commands"]
            undock = await ensign.send("undock", ship=flagship)
            fire = await ensign.send("fire", ship=flagship)

            async def answered() -> bool:
                refused = [e for e in ensign.errors if e.get("seq") == fire]
                return ensign.ack >= undock and bool(refused)

            await until(answered, 10, f"the helm's undock applied, its fire refused\n{host.tail()}")
            assert next(e for e in ensign.errors if e.get("seq") == fire)["reason"] == (
                "not_your_post"
            )
            off = await captain.call(
                "POST", f"/api/worlds/{world}/bridge/leave", {"account": "ensign"}
            )
            assert off.status_code == 200 and "ensign" not in str(off.json()["posts"])

            async def relieved() -> bool:
                return ensign.seats[-1] == {"t": "seat", "ship": guest_ship, "post": "",
                                            "commands": None}  # fmt: skip

            await until(relieved, 10, "the guest back aboard its own ship")
            refused = await guest.call("POST", f"/api/worlds/{world}/bridge", {"post": "helm"})
            assert refused.status_code == 403 and refused.json()["error"] == "captains_orders"
        finally:
            await skipper.close()
            await ensign.close()


async def test_a_player_destroyed_in_a_world_of_permadeath_is_sent_home_for_good(
    seeded: str, atlas: Atlas, leases: tuple[ZoneLeases, HostRoll], nats_server: TestNats
) -> None:
    """A world whose rules say no respawn and permadeath: the host of its zone sends a
    player whose ship was destroyed there back where it set out from, ends its voyage,
    and takes the account off the world's members (as the worlds' service does in one
    process)."""
    fleet = shipped()["space-fleet"]
    harsh = msgspec.structs.replace(
        fleet, rules=msgspec.structs.replace(fleet.rules, respawn=False, permadeath=True)
    )
    world, galaxy = await found(atlas, harsh, "Harsh")
    store = Store(atlas.engine)
    player = (await Accounts(store).register("doomed", "correct horse battery")).account
    ship = await sign_in_ship(seeded, player.id)
    home = (await ships_before(seeded))[ship]
    await atlas.add_member(world.id, player.id)
    async with atlas.engine.begin() as connection:
        origin = Berth(home, 0.0, 0.0, -1, -1, home)
        await record_voyage(connection, Voyage(ship, world.id, "in", origin))
    arrived_at = await berth_in(seeded, ship, galaxy)

    hosting = await ZoneHosting.open(seeded, nats_server.url, "host-solo", TTL, SNAPSHOT, False)
    stopping = asyncio.Event()
    running = asyncio.create_task(hosting.run(stopping))
    try:

        async def loaded() -> bool:
            return hosting.universe.where.get(ship) == arrived_at and arrived_at in hosting.owned

        await until(loaded, 20, "the player's ship hosted in the harsh world")
        hosting.universe.submit(ci.Destroy(ship=ship))

        async def sent_home() -> bool:
            return await _rows_of(seeded, ship) == [home]

        await until(sent_home, 10, "the destroyed ship sent back where it set out from")
        assert await _voyage_of(seeded, ship) is None
        after = await atlas.world(world.id)
        assert after is not None and after.members == ()  # gone from that world for good
    finally:
        stopping.set()
        async with asyncio.timeout(10):
            await running
        await hosting.close()


async def sign_in_ship(db: str, account: int) -> int:
    """A new player's ship, built as a gateway builds it, at the main world's first system."""
    store = await Store.open(db)
    try:
        system = min(await systems_in(db))
        return await Hangar(store.engine).create_ship(
            name="Doomed", account_id=account, role="player", system_id=system,
            home_station=-1, home_system=system, docked_at=-1,
        )  # fmt: skip
    finally:
        await store.engine.dispose()


async def test_two_gateways_making_worlds_at_once_never_pass_the_owners_limit(
    seeded: str, start_gateway: StartGateway
) -> None:
    """Six worlds asked at once through two gateways by one account that may own three:
    three made, three refused `limit`; the check runs inside the making's transaction."""
    gw_a, gw_b = start_gateway("gw-a", seeded), start_gateway("gw-b", seeded)
    await gw_a.ready()
    await gw_b.ready()
    token, _ship, _home = await sign_up(gw_a.url, "hoarder")
    async with httpx.AsyncClient(timeout=20.0) as client:
        pilots = [Pilot(client, gw.url, token) for gw in (gw_a, gw_b)]
        answers = await asyncio.gather(
            *(
                pilots[k % 2].call(
                    "POST", "/api/worlds", {"template": "space-fleet", "name": f"W{k}"}
                )
                for k in range(6)
            )
        )
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201, 201, 201, 429, 429, 429], [a.text for a in answers]
    assert {a.json()["error"] for a in answers if a.status_code == 429} == {"limit"}


async def test_a_world_and_its_flagship_are_stored_together_or_not_at_all(
    seeded: str, atlas: Atlas
) -> None:
    """A cluster gateway builds a new world's flagship inside the world's transaction: a
    failure after the ship's row was written leaves neither the world nor the ship, and a
    making that goes through stores the world naming its flagship, docked at its arrival."""
    template = shipped()["space-fleet"]
    assert template.flagship is not None
    name, hangar = template.flagship.name, Hangar(atlas.engine)

    async def launch(connection: AsyncConnection, placed: Galaxy, fail: bool) -> int:
        at = arrival_berth(placed)
        ship = await hangar.create_ship(
            name=name, account_id=None,
            role=FLAGSHIP_ROLE, system_id=at.system, home_station=at.home_station,
            home_system=at.system, docked_at=at.docked_at, x=at.x, y=at.y, within=connection,
        )  # fmt: skip
        if fail:
            raise ConnectionError("the gateway's store connection dropped")
        return ship

    ships = len(await ships_before(seeded))
    with pytest.raises(ConnectionError):
        await found(atlas, template, "Halfway", lambda c, g: launch(c, g, fail=True))
    assert await fetch(seeded, "SELECT id FROM worlds WHERE name = 'Halfway'") == []
    assert len(await ships_before(seeded)) == ships  # the flagship's row went with it

    world, galaxy = await found(atlas, template, "Whole", lambda c, g: launch(c, g, fail=False))
    assert world.flagship is not None
    [row] = await fetch(seeded, "SELECT flagship_id FROM worlds WHERE id = $1", world.id)
    assert row["flagship_id"] == world.flagship
    [ship] = await fetch(
        seeded, "SELECT system_id, docked_at, role FROM ships WHERE id = $1", world.flagship
    )
    assert ship["role"] == FLAGSHIP_ROLE and ship["system_id"] in _systems(galaxy)
    assert ship["docked_at"] == arrival_berth(galaxy).docked_at


async def test_the_status_names_every_worlds_zones(seeded: str, atlas: Atlas) -> None:
    """`infinity cluster status` names an instance's zones as it does the main world's,
    from the store, once the cluster is ready; before then (`up` may still be migrating
    the store), or with the store away, the main world's names `up` recorded."""
    _world, galaxy = await found(atlas, shipped()["space-fleet"], "Named")
    record = {"ready": True, "postgres": {"url": seeded}, "zones": {"1": "as recorded"}}
    names = await zone_names(record)
    assert {names[s.id] for s in galaxy.systems} == {s.name for s in galaxy.systems}
    assert set(names) == await systems_in(seeded) | _systems(galaxy)
    recorded = {1: "as recorded"}
    assert await zone_names(record | {"ready": False}) == recorded
    away = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    assert await zone_names(record | {"postgres": {"url": away}}) == recorded
    assert await zone_names(record | {"postgres": {"url": None}}) == recorded
