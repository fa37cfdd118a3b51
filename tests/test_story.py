"""The story, end to end, on one real server (uvicorn on 127.0.0.1, the embedded universe on
an accelerated clock, REST and the game socket over real connections):

a crew steals from players; an operator shares its location with its victims; its
captain reaches the Heart; a copy offered as a transfer is refused and reported as a
copy; the captain, with its host's consent, moves into the host's enclave by transfer;
two operators pull the kill switch; after a new galaxy the enclave lives on, its mind
watching the world through the host's eyes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2 as httpx

from infinity.audit.log import ANCHOR
from infinity.crew.consent import willing
from infinity.economy import accounts
from infinity.embedded import Settings, web_app
from infinity.galaxy.heart import HEART_NAME, HEART_SYSTEM
from infinity.gateway.app import Gateway, server_config
from infinity.gateway.limits import Limits
from infinity.gateway.state import Game
from infinity.ledger import Receipt, TransferKind
from infinity.operators.killswitch import prepare
from tests.conftest import PASSWORD
from tests.gateway.client import Client
from tests.test_living_universe import SPEED, bot_players

PATIENCE = 300.0  # wall seconds at most for a theft by a crew whose captain would move
OPERATORS, HOST = ("Ada", "Boris"), "Nia"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[Game, str, asyncio.Task[None]]]:
    """`infinity serve` in this process: the real app under uvicorn (the `Gateway` server)."""
    app = web_app(settings)
    port = free_port()
    config = server_config(app, "127.0.0.1", port, "warning", Limits(login_rate=0))
    server = Gateway(config)
    task = asyncio.create_task(server.serve())
    for _ in range(600):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield app.state.game, f"http://127.0.0.1:{port}", task
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)


async def login(http: httpx.AsyncClient, name: str, register: bool = False) -> str:
    if register:
        made = await http.post("/api/register", json={"name": name, "password": PASSWORD})
        assert made.status_code == 201, made.text
    answer = await http.post("/api/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def thief_who_would_move(game: Game, wallets: dict[int, str]) -> tuple[int, Receipt, int]:
    """A theft by a crew from a bot player, by a crew whose captain is an agent that would
    consent to a move: (victim ship, the receipt, the captain's agent id)."""
    company = game.company
    assert company is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while loop.time() < deadline:
        await asyncio.sleep(1.0)
        for victim, wallet in wallets.items():
            history, _ = await game.economy.wallets.statement(wallet, None, 200)
            for receipt in history:
                if receipt.kind != TransferKind.THEFT or "(Crew of the" not in receipt.memo:
                    continue
                thief = receipt.actors["thief"]
                crew = next((k for k in company.minds.crews.values() if k.ship == thief), None)
                captain = (
                    None if crew is None else company.minds.agents.get(crew.captain.agent or -1)
                )
                if captain is not None and captain.alive and willing(captain, "transfer"):
                    return victim, receipt, captain.id
    raise AssertionError("no crew with a captain who would move robbed a bot player")


async def test_the_story(tmp_path: Path) -> None:
    settings = Settings(
        data=tmp_path, snapshot_seconds=30.0, time_scale=SPEED, killswitch_window=60.0
    )
    async with serving(settings) as (game, url, task):
        http = httpx.AsyncClient(base_url=url, timeout=60)
        try:
            tokens = {name: await login(http, name, register=True) for name in (*OPERATORS, HOST)}
            for name in OPERATORS:
                account = await game.accounts.registry.account_by_name(name)
                assert account is not None
                await game.accounts.registry.set_role(account.id, "operator")
            tokens = {name: await login(http, name) for name in tokens}
            ada, bo, nia = (bearer(tokens[n]) for n in (*OPERATORS, HOST))

            # 1. A crew steals from players (bots who mine and sell, as newcomers do).
            stopping = asyncio.Event()
            bots = await bot_players(game, stopping, set())
            wallets = {ship: accounts.wallet(ship, game.universe.owners[ship]) for ship in bots}
            victim, receipt, captain = await thief_who_would_move(game, wallets)
            stopping.set()
            thief_ship = receipt.actors["thief"]
            assert bots[victim] in receipt.memo  # the victim's history names both sides

            # 2. An operator shares the thief's location with everyone it robbed.
            share = await http.post(
                "/api/operator/share", headers=ada,
                json={"subject_kind": "ship", "subject_id": thief_ship, "audience": "victims",
                      "minutes": 30},
            )  # fmt: skip
            assert share.status_code == 201, share.text
            assert share.json()["share"]["members"] >= 1

            # 3. Its captain reaches the Heart of Infinity (no gate leads there: a warp).
            warp = await http.post(
                "/api/operator/warp", headers=ada,
                json={"ship": thief_ship, "system": HEART_SYSTEM, "x": 500.0, "y": 0.0},
            )  # fmt: skip
            assert warp.status_code == 200, warp.text
            for _ in range(100):
                heart = (await http.get("/api/heart", headers=ada)).json()
                mind = next(m for m in heart["minds"] if m["id"] == captain)
                if mind["system"] == HEART_SYSTEM:
                    break
                await asyncio.sleep(0.1)
            assert (mind["system"], mind["system_name"]) == (HEART_SYSTEM, HEART_NAME)
            name = mind["name"]

            # 4. In the Heart, a copy is offered as a transfer ("upload her into her body":
            #    to the very server she lives on): refused, and reported as the copy it was.
            offer = await http.post(
                f"/api/operator/minds/{captain}/transfer", headers=bo,
                json={"to": url, "token": tokens["Boris"], "reason": "an upload into her body"},
            )  # fmt: skip
            assert offer.status_code == 409, offer.text
            record = offer.json()["record"]
            assert record["operation"] == "transfer" and record["result"] == "aborted"
            assert record["would_have_been"] == "copy"
            assert "copy" in offer.json()["entry"]["reason"]
            heart = (await http.get("/api/heart", headers=ada)).json()
            assert sum(m["name"] == name and m["alive"] for m in heart["minds"]) == 1

            # 5. With its host's consent, the captain moves into the host's enclave.
            ask = {"agent": captain, "reason": "a refuge inside Nia", "host": HOST}
            early = await http.post("/api/enclave/minds", headers=ada, json=ask)
            assert (early.status_code, early.json()["error"]) == (403, "not_welcomed")
            assert (await http.post("/api/enclave", headers=nia)).status_code == 200
            welcomed = await http.post("/api/enclave/welcome", headers=nia, json={"agent": captain})
            assert welcomed.status_code == 200, welcomed.text
            moved = await http.post("/api/enclave/minds", headers=ada, json=ask)
            assert moved.status_code == 200, moved.text
            moved_record = moved.json()["record"]
            assert moved_record["operation"] == "transfer" and moved_record["live_minds"] == 1
            enclave = moved_record["world"]

            # 6. Two operators pull the kill switch: every session closed, the server ends.
            armed = await http.post(
                "/api/operator/killswitch/arm", headers=ada, json={"reason": "the clone"}
            )
            assert armed.status_code == 200, armed.text
            confirmed = await http.post("/api/operator/killswitch/confirm", headers=bo, json={})
            assert confirmed.status_code == 200, confirmed.text
            await asyncio.wait_for(asyncio.shield(task), 60)
        finally:
            await http.aclose()

    # 7. A new galaxy: the enclave lives on, and its mind watches through the host's eyes.
    refusal = await prepare(settings.db_url, tmp_path / ANCHOR, False, settings.seed)
    assert refusal is not None  # erased: no galaxy until an operator asks for one
    assert await prepare(settings.db_url, tmp_path / ANCHOR, True, settings.seed) is None
    async with (
        serving(settings) as (game, url, _),
        httpx.AsyncClient(base_url=url, timeout=60) as http,
    ):
        nia = bearer(await login(http, HOST))
        looked = (await http.get("/api/enclave", headers=nia)).json()
        assert looked["world"] == enclave
        assert [m["id"] for m in looked["minds"]] == [captain]
        client = await Client.connect(url.replace("http", "ws") + "/ws", nia["authorization"][7:])
        try:
            seen: list[str] = []
            assert game.company is not None
            resident = game.company.minds.agents[captain]
            deadline = asyncio.get_running_loop().time() + 30.0
            while asyncio.get_running_loop().time() < deadline:  # the feed runs every 3 s
                with contextlib.suppress(TimeoutError):
                    await client.recv(0.5)
                assert resident.alive
                recent = resident.memory.recent(10)
                seen = [m.text for m in recent if m.text.startswith(f"Through {HOST}'s eyes")]
                if seen:
                    break
            assert seen, "the enclave's mind saw nothing through its host's eyes"
            assert resident.ship == moved_record["ship"]  # the same mind, still at home
        finally:
            await client.close()
