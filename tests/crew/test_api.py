"""The crew's REST handlers on a tiny app around a real company (TestClient, one event loop)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from infinity.accounts.errors import Unauthorized
from infinity.accounts.records import Account
from infinity.commands import types as c
from infinity.company.company import Company
from infinity.crew.orders import OrderKind
from infinity.crew.voice import voice_of
from infinity.gateway import crew_api as api

from .dna import ACGT
from .harbour import Harbour, open_harbour

VEGA = Account(1, "Vega", "player", 0.0)
ROOT = Account(2, "Root", "operator", 0.0)
TOKENS = {"vega": VEGA, "root": ROOT}


class FakeAccounts:
    async def authenticate(self, token: str) -> Account:
        if token not in TOKENS:
            raise Unauthorized
        return TOKENS[token]


@dataclass
class World:
    company: Company
    accounts: FakeAccounts = field(default_factory=FakeAccounts)


@dataclass
class Bench:
    client: TestClient
    harbour: Harbour

    def get(self, path: str, who: str | None = "vega") -> tuple[int, dict[str, object]]:
        answer = self.client.get(path, headers=_auth(who))
        return answer.status_code, answer.json()

    def post(
        self, path: str, body: object, who: str | None = "vega"
    ) -> tuple[int, dict[str, object]]:
        answer = self.client.post(path, json=body, headers=_auth(who))
        return answer.status_code, answer.json()


def _auth(who: str | None) -> dict[str, str]:
    return {} if who is None else {"Authorization": f"Bearer {who}"}


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    opened: list[Harbour] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        harbour = await open_harbour(tmp_path)
        opened.append(harbour)
        app.state.game = World(harbour.company)
        try:
            yield
        finally:
            await harbour.store.close()

    app = Starlette(routes=api.routes(), lifespan=lifespan)
    with TestClient(app) as client:
        harbour = opened[0]
        crew = harbour.company.minds.crews[1]
        harbour.player(VEGA.id, "Vega", crew.ship)  # docked beside the Kestrel
        yield Bench(client, harbour)


def test_tokens_are_required(bench: Bench) -> None:
    status, body = bench.get("/api/agents", who=None)
    assert (status, body["error"]) == (401, "unauthorized")
    status, body = bench.get("/api/agents", who="nobody")
    assert (status, body["error"]) == (401, "unauthorized")


def test_the_roster_shows_the_agents_in_your_system(bench: Bench) -> None:
    bench.harbour.seconds(5)
    status, body = bench.get("/api/agents")
    assert status == 200
    roster = body["agents"]
    assert isinstance(roster, list)
    here = bench.harbour.universe.where[bench.harbour.company.minds.crews[1].ship]
    expected = {
        a.id
        for a in bench.harbour.company.minds.agents.values()
        if bench.harbour.universe.where.get(a.ship or -1) == here
    }
    assert {a["id"] for a in roster} == expected and len(expected) == 8  # two crews there
    one = roster[0]
    assert set(one) >= {"persona", "needs", "goal", "plan", "step", "memories", "alive", "ship"}
    assert one["alive"] is True
    assert all(len(a["memories"]) <= 5 for a in roster) and any(a["memories"] for a in roster)
    assert one["persona"]["name"] == one["name"] and set(one["needs"]) == {
        "credits",
        "safety",
        "company",
        "purpose",
    }


def test_one_agent_by_id_and_unseen_agents_are_unknown(bench: Bench) -> None:
    crews = bench.harbour.company.minds.crews
    seen, unseen = crews[1].captain.agent, crews[2].captain.agent  # crew 2 is in another system
    status, body = bench.get(f"/api/agents/{seen}")
    assert status == 200 and body["captain"] is True and body["station"] == "helm"
    assert bench.get(f"/api/agents/{unseen}")[0] == 404
    assert bench.get("/api/agents/nope")[0] == 422  # not an id: an invalid parameter
    assert bench.get(f"/api/agents/{unseen}", who="root")[0] == 200  # operators see everyone


def test_recruit_then_give_orders(bench: Bench) -> None:
    company, universe = bench.harbour.company, bench.harbour.universe
    kestrel = company.minds.crews[1]
    captain, hand = (
        kestrel.captain.agent,
        next(a for a in kestrel.members if a != kestrel.captain.agent),
    )
    status, body = bench.post("/api/crew/orders", {"text": "mine"})
    assert (status, body["error"]) == (403, "not_captain")
    status, body = bench.post("/api/crew/recruit", {"agent": captain})
    assert (status, body["error"]) == (409, "captain")
    far = company.minds.crews[2].members
    status, body = bench.post("/api/crew/recruit", {"agent": next(iter(far))})
    assert (status, body["error"]) == (409, "not_here")
    status, body = bench.post("/api/crew/recruit", {"agent": 10**9})
    assert status == 404
    status, body = bench.post("/api/crew/recruit", {"agent": hand})
    assert status == 200, body
    assert body["captain"] == "Vega" and [m["agent"] for m in body["members"]] == [hand]
    flagship = universe.ship_of_account[VEGA.id]
    assert company.minds.agents[hand].ship == flagship and hand not in kestrel.members
    assert flagship in company.ships or universe.roles[flagship] == "player"

    status, body = bench.post("/api/crew/orders", {"text": "dance a jig"})
    assert (status, body["error"]) == (422, "not_an_order")
    status, body = bench.post("/api/crew/orders", {"text": "mine"})
    assert status == 200 and body["order"] == OrderKind.MINE.value
    answers = body["answers"]
    assert isinstance(answers, list) and [a["agent"] for a in answers] == [hand]
    bench.harbour.seconds(2)
    said = bench.harbour.chat(flagship)
    agent = company.minds.agents[hand]
    voice = voice_of(agent.persona)
    assert said and said[0].startswith((voice.core("agree"), voice.core("refuse")))
    assert (agent.intent.order is not None) == answers[0]["obeys"]
    assert all(type(x) in c.COMMAND_TYPES for d in bench.harbour.decisions for x in d.commands)


def test_a_players_crew_cannot_be_poached(bench: Bench) -> None:
    company, harbour = bench.harbour.company, bench.harbour
    kestrel = company.minds.crews[1]
    first, second = [a for a in kestrel.members if a != kestrel.captain.agent][:2]
    assert bench.post("/api/crew/recruit", {"agent": first})[0] == 200  # from an NPC crew
    harbour.player(ROOT.id, "Root", kestrel.ship)  # another player, docked at the same station
    status, body = bench.post("/api/crew/recruit", {"agent": first}, who="root")
    assert (status, body["error"]) == (409, "crewed") and "Vega" in str(body["detail"])
    assert company.minds.agents[first].ship == harbour.universe.ship_of_account[VEGA.id]
    status, body = bench.post("/api/crew/recruit", {"agent": second}, who="root")
    assert status == 200 and body["captain"] == "Root"  # an NPC crew's hand still may go


def test_operators_enlist_agents_from_dna(bench: Bench) -> None:
    status, body = bench.post("/api/operator/crew", {"dna": ACGT}, who="vega")
    assert (status, body["error"]) == (403, "forbidden")
    status, body = bench.post("/api/operator/crew", {"dna": "ACGTNACGT" * 10}, who="root")
    assert (status, body["error"]) == (422, "invalid_dna")
    assert "position 5" in str(body["detail"])
    status, body = bench.post("/api/operator/crew", {"dna": "ACGT" * 3}, who="root")
    assert status == 422 and "too short" in str(body["detail"])
    status, body = bench.post("/api/operator/crew", {"dna": ACGT, "name": "Nova Quill"}, who="root")
    assert (
        status == 201 and body["name"] == "Nova Quill" and body["persona"]["given_name"] == "Nova"
    )
    company = bench.harbour.company
    grown = company.minds.agents[int(str(body["id"]))]
    assert grown.ship in company.ships and body["ship_name"] == "Nova's Skiff"
    bench.harbour.seconds(3)
    assert any(d.agent == grown.id for d in bench.harbour.decisions)
