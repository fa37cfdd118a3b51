"""Players and operators dealing with crews: orders from a player captain, recruiting an agent
docked at your station, and enlisting a new agent grown from DNA.

Everything here changes minds only (inboxes, seats, new agents); what the
agents then do still goes through their commands at the next decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from infinity.accounts.records import Account
from infinity.commands import errors
from infinity.company.company import Company
from infinity.company.founding import CREW_SHIP_ROLE, HOME_SYSTEMS, SEATS
from infinity.crew.agent import Agent
from infinity.crew.crew import Captain, Crew, Station, Verdict, judge
from infinity.crew.genome import persona
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import STARTING_CREDITS
from infinity.crew.orders import Order, OrderKind, parse_order
from infinity.crew.steps import Intent
from infinity.galaxy.model import StarSystem
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody, Zone

ORDERS_HELP = 'try "mine", "dock", "flee", "follow me", "attack <ship>" or "stand down"'


class Refusal(errors.Refusal):
    """What a player asked of a crew cannot be done; `reason` is a short code."""


@dataclass(frozen=True, slots=True)
class Answer:
    """How one crew member takes an order (what they will say and do at the next decision)."""

    agent: Agent
    verdict: Verdict


# -- orders ---------------------------------------------------------------------


def captained_by(company: Company, account: int) -> Crew | None:
    """The crew a player captains, if any."""
    for crew in company.minds.crews.values():
        if crew.captain.account == account:
            return crew
    return None


def give_order(company: Company, account: Account, text: str) -> tuple[Order, list[Answer]]:
    """Parse a player captain's order and hand it to the crew; who will obey and who refuses."""
    crew = captained_by(company, account.id)
    if crew is None:
        raise Refusal("not_captain", "you captain no crew: recruit an agent first")
    zone = company.universe.zone_of(crew.ship)
    if zone is None:
        raise Refusal("crew_away", "your crew's ship is between systems; try again")
    now = zone.clock.sim_time
    flagship = company.universe.ship_of_account.get(account.id, NO_ENTITY)
    hostile = company.witness.attackers_of(crew.ship, now)
    if flagship != crew.ship:
        hostile += company.witness.attackers_of(flagship, now)
    order = parse_order(
        text,
        now,
        ships_in(zone),
        captain=account.name,
        captain_ship=flagship,
        hostile=frozenset(hostile),
    )
    if order is None:
        raise Refusal("not_an_order", f"not an order your crew understands: {ORDERS_HELP}")
    agents = company.minds.agents
    reached = crew.order(order, agents)
    return order, [Answer(agents[a], _verdict(agents[a], order)) for a in reached]


def _verdict(agent: Agent, order: Order) -> Verdict:
    if order.kind == OrderKind.STAND_DOWN:
        return Verdict(False, 0.0, "")
    return judge(agent.persona, order)


def ships_in(zone: Zone) -> dict[str, int]:
    """Lowercased names of the ships in a zone, to their ids."""
    b = zone.bodies
    return {
        info.name.lower(): entity
        for entity, info in zone.info.items()
        if entity in b.row_of and b.kind[b.row_of[entity]] == Kind.SHIP
    }


# -- recruiting -----------------------------------------------------------------


def recruit(company: Company, account: Account, agent_id: int) -> Crew:
    """Sign an agent on to the player's ship: it must be alive, docked at the same station as
    the player, not a captain, and not in another player's crew (an NPC crew's hands may
    leave it; a player's crew is theirs). The player captains the crew (a new one the first
    time)."""
    minds, universe = company.minds, company.universe
    agent = minds.agents.get(agent_id)
    if agent is None:
        raise Refusal("unknown_agent", f"no agent {agent_id}")
    if agent.death is not None:
        raise Refusal("dead", f"{agent.name} is dead: {agent.death.cause}")
    flagship = universe.ship_of_account.get(account.id)
    if flagship is None:
        raise Refusal("no_ship", "you have no ship yet")
    station = docked_at(company, flagship)
    if station == NO_ENTITY:
        raise Refusal("not_docked", "dock at a station to recruit")
    if agent.ship == flagship:
        raise Refusal("aboard", f"{agent.name} is already aboard your ship")
    if agent.ship is None or docked_at(company, agent.ship) != station:
        raise Refusal("not_here", f"{agent.name} is not docked at your station")
    old = minds.crews.get(agent.crew) if agent.crew is not None else None
    if old is not None and old.captain.agent == agent.id:
        raise Refusal("captain", f"{agent.name} captains their own ship and will not leave it")
    if old is not None and old.captain.account not in (None, account.id):
        raise Refusal(
            "crewed", f"{agent.name} serves {old.captain.name}, a player: not yours to take"
        )
    if old is not None:
        old.leave(agent)
        old.deal_duties(minds.agents)
    crew = captained_by(company, account.id) or _new_crew(company, account, flagship)
    crew.join(agent, _free_seat(crew))
    crew.deal_duties(minds.agents)
    agent.intent = Intent()
    now = company.now_of(agent)
    agent.remember(
        MemoryKind.ACTION, f"I signed on with {account.name}.", now, 6, subject=account.name
    )
    return crew


def docked_at(company: Company, ship: int) -> int:
    """The station a ship is docked at, or NO_ENTITY."""
    zone = company.universe.zone_of(ship)
    row = zone.bodies.row(ship) if zone is not None else None
    if zone is None or row is None:
        return NO_ENTITY
    return int(zone.bodies.docked_at[row])


def _new_crew(company: Company, account: Account, ship: int) -> Crew:
    crew_id = max(company.minds.crews, default=0) + 1
    crew = Crew(crew_id, f"{account.name}'s crew", ship, Captain(account.name, account=account.id))
    company.minds.add_crew(crew)
    return crew


def _free_seat(crew: Crew) -> Station:
    taken = set(crew.members.values())
    return next((seat for seat in SEATS if seat not in taken), Station.SCIENCE)


# -- enlisting ------------------------------------------------------------------


async def enlist(
    company: Company, dna: str, name: str | None = None, near: int | None = None
) -> Agent:
    """Grow a new agent from DNA and give it a ship of its own, docked where the ship `near`
    is docked (or at a starter station). Raises `InvalidGenome` for bad DNA."""
    grown = persona(dna)
    if name:
        given = name.split()[0]
        grown = msgspec.structs.replace(grown, name=name, given_name=given)
    (agent_id,) = await company.archive.allocate_ids(1)
    agent = Agent(agent_id, dna, grown=grown, purse=company.purses(agent_id, STARTING_CREDITS))
    company.minds.add(agent)
    await berth(company, agent, near)
    await company.save(agent.id)
    return agent


async def berth(company: Company, agent: Agent, near: int | None = None) -> int:
    """Commission a ship for an agent that has none, and put the agent aboard."""

    home, station = _harbour(company, agent, near)
    name = f"{agent.persona.given_name}'s Skiff"
    ship = await company.shipyard.commission(name, None, CREW_SHIP_ROLE, home, station)
    agent.ship = ship
    company.ships.add(ship)
    now = company.universe.zones[home.id].clock.sim_time
    agent.remember(MemoryKind.OBSERVATION, f"I took the {name} at {station.name}.", now, 4)
    return ship


def _harbour(company: Company, agent: Agent, near: int | None) -> tuple[StarSystem, StaticBody]:
    galaxy = company.universe.galaxy
    station = docked_at(company, near) if near is not None else NO_ENTITY
    system = company.universe.where.get(near) if near is not None else None
    if station != NO_ENTITY and system is not None:
        home = next(s for s in galaxy.systems if s.id == system)
        return home, next(b for b in home.stations() if b.id == station)
    home = galaxy.systems[agent.id % min(HOME_SYSTEMS, len(galaxy.systems))]
    return home, home.stations()[0]
