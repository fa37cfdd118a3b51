"""What an operator sees when inspecting: plain records (JSON-ready dicts) of live state.

Nothing here changes anything; hidden ships are listed as hidden, never left out, so no
avatar is invisible to operators.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from infinity.accounts.registry import Registry
from infinity.accounts.sanctions import Kind, Sanctions
from infinity.company.company import Company
from infinity.economy import accounts
from infinity.economy.wallets import Wallets
from infinity.ledger import UnknownAccount
from infinity.operators.errors import Stop
from infinity.universe.universe import Universe

Record = dict[str, Any]
MEMORIES = 20
HISTORY = 10


def ship(universe: Universe, wallets: Wallets, ship_id: int) -> Record:
    zone = universe.zone_of(ship_id)
    if zone is None or ship_id not in zone.bodies.row_of:
        raise Stop("unknown_ship", f"no ship {ship_id} is in a star system now")
    record: Record = asdict(zone.ship_state(ship_id))
    wallet = wallets.wallet_of(ship_id)
    record |= {
        "system": zone.system_id, "system_name": zone.name,
        "role": universe.roles.get(ship_id, ""), "hidden": ship_id in universe.hidden,
        "wallet": wallet, "credits": wallets.held(wallet),
    }  # fmt: skip
    return record


def zone(universe: Universe, system_id: int) -> Record:
    found = universe.zones.get(system_id)
    if found is None:
        raise Stop("unknown_system", f"no star system {system_id}")
    ships = [
        {"id": i, "name": found.info[i].name, "role": universe.roles.get(i, ""),
         "account": found.info[i].account, "hidden": i in universe.hidden}
        for i in found.ship_ids()
    ]  # fmt: skip
    return {
        "id": system_id, "name": found.name, "tick": found.clock.tick,
        "dilation": found.clock.dilation, "ships": ships,
        "hidden": [s["id"] for s in ships if s["hidden"]],
    }  # fmt: skip


async def account(
    registry: Registry, sanctions: Sanctions, universe: Universe, account_id: int
) -> Record:
    found = await registry.account(account_id)
    if found is None:
        raise Stop("unknown_account", f"no account {account_id}")
    record: Record = asdict(found)
    record["ship"] = universe.ship_of_account.get(account_id)
    for kind in Kind:
        active = sanctions.active(account_id, kind)
        record[f"{kind.value}d"] = None if active is None else asdict(active)
    return record


async def wallet(wallets: Wallets, name: str) -> Record:
    """A wallet by its ledger name (`wallet:player:7`, `wallet:ship:12`, `operator:grants`)."""
    try:
        earned, starter = await wallets.books(name)
        page, _ = await wallets.statement(name, None, HISTORY)
    except UnknownAccount:
        raise Stop("unknown_wallet", f"no ledger account {name!r}") from None
    history = [
        {"transfer": r.transfer_id, "key": r.key, "kind": r.kind, "memo": r.memo,
         "postings": [asdict(p) for p in r.postings]}
        for r in page
    ]  # fmt: skip
    return {"name": name, "earned": earned, "starter": starter, "history": history}


def agent(company: Company | None, agent_id: int) -> Record:
    found = _company(company).minds.agents.get(agent_id)
    if found is None:
        raise Stop("unknown_agent", f"no agent {agent_id}")
    memories = [
        {"id": m.id, "at": m.at, "kind": int(m.kind), "importance": m.importance, "text": m.text}
        for m in found.memory.recent(MEMORIES)
    ]
    return {
        "id": found.id, "name": found.name, "alive": found.alive, "ship": found.ship,
        "crew": found.crew, "goal": found.intent.goal.name.lower(),
        "needs": _company(company).minds.needs_of(found.id), "memories": memories,
    }  # fmt: skip


def crew(company: Company | None, crew_id: int) -> Record:
    minds = _company(company).minds
    found = minds.crews.get(crew_id)
    if found is None:
        raise Stop("unknown_crew", f"no crew {crew_id}")
    members = [
        {"agent": a, "name": minds.agents[a].name, "station": station.value,
         "alive": minds.agents[a].alive}
        for a, station in found.members.items()
        if a in minds.agents
    ]  # fmt: skip
    return {"id": found.id, "name": found.name, "ship": found.ship, "members": members}


def player_wallet(account_id: int) -> str:
    return accounts.wallet(0, account_id)


def _company(company: Company | None) -> Company:
    if company is None:
        raise Stop("no_crew", "the crews are not running on this server")
    return company
