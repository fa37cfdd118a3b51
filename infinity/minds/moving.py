"""Moving a mind between the worlds of one server (docs/mind.md "Between worlds").

Within one server a move needs no document: the store and the process are one, so the
mind is the same agent record before and after. `Moves.move` asks the mind (a
transfer, announced as such; a refusal ends it), then `board` moves it in one step with
no await between leaving and boarding: the agent leaves its ship and crew and is aboard
a new skiff docked at the destination world's arrival station. Host enclaves use the
same `board` (`minds/enclave.py`), with their own rules of who may move whom.

Killed at any point (fault points `move:commissioned`, `move:boarded`, `move:saved`), a
restart finds exactly one live mind: where it was (the skiff stays, empty) until the save,
where it went after.

Who may move whom: operators any living mind into any open world but an enclave; a
captain a mind of their own crew into a world they may enter. A mind living in an
enclave stays there (its host's; nobody reaches in).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from infinity._faults import fault
from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.company.company import Company
from infinity.company.consenting import MindRefused, announce, consented_to_move, living
from infinity.company.founding import CREW_SHIP_ROLE
from infinity.crew.agent import Agent
from infinity.crew.consent import Consent
from infinity.crew.steps import Intent
from infinity.universe.universe import MAIN_WORLD
from infinity.worlds.records import World
from infinity.worlds.service import Worlds

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Moved:
    """A mind moved to another world: the same agent, its old ship and its new one."""

    agent: Agent
    world: World
    old_ship: int | None
    ship: int
    system: int
    station: int
    consent: Consent


def of_crew(company: Company, actor: Account, agent_id: int) -> None:
    """`MindRefused("unknown_agent")` unless `actor` is an operator or captains the crew
    agent `agent_id` is in. Checked first, and naming nothing: a player learns no name,
    fate or whereabouts of a mind that is not theirs by probing ids."""
    if allowed(actor.role, Verb.GROW_AGENT):
        return
    agent = company.minds.agents.get(agent_id)
    crew = company.minds.crews.get(agent.crew) if agent and agent.crew is not None else None
    if crew is None or crew.captain.account != actor.id:
        raise MindRefused("unknown_agent", f"no agent {agent_id} in your crew")


class Moves:
    """Minds moved between the worlds of this server, one move at a time."""

    def __init__(self, company: Company, worlds: Worlds) -> None:
        self.company = company
        self.worlds = worlds
        self.universe = company.universe
        self.lock = asyncio.Lock()  # one move at a time: a mind is never boarded twice

    def world_of_agent(self, agent: Agent) -> World | None:
        """The open world the agent's ship is in (None: between systems, or no ship)."""
        system = self.universe.where.get(agent.ship) if agent.ship is not None else None
        world = self.universe.world_of.get(system) if system is not None else None
        return next((w for w in self.worlds.all() if w.id == world), None)

    async def move(self, actor: Account, agent_id: int, world_id: int, why: str) -> Moved:
        """Move agent `agent_id` to world `world_id`, with its consent (module docstring)."""
        async with self.lock:
            of_crew(self.company, actor, agent_id)
            agent = living(self.company, agent_id, "moved")
            world = self._destination(actor, agent, world_id)
            answer = await consented_to_move(
                self.company, agent, actor.name, f"to {world.name}", why
            )
            return await self.board(agent, world, answer, f"{agent.persona.given_name}'s Skiff")

    async def board(self, agent: Agent, world: World, answer: Consent, name: str) -> Moved:
        """Commission a skiff at `world`'s arrival station and move the agent aboard it.

        The caller holds `lock` and has the mind's consent.
        """
        company = self.company
        galaxy = self.worlds.galaxy_of(world.id)
        system = next(s for s in galaxy.systems if s.stations())
        station = system.stations()[0]
        ship = await company.shipyard.commission(name, None, CREW_SHIP_ROLE, system, station)
        fault("move", "commissioned")
        old, heir = self._step_over(agent, ship)  # one step: no await between leaving and boarding
        fault("move", "boarded")
        announce(
            company, agent,
            f"I moved to {world.name}, aboard {name} at {station.name}: the same me, "
            "nothing left behind.",
        )  # fmt: skip
        await company.save(agent.id, *heir)  # an heir's crew names its new captain
        fault("move", "saved")
        log.info("agent %d moved to world %d (%s)", agent.id, world.id, world.name)
        return Moved(agent, world, old, ship, system.id, station.id, answer)

    def _destination(self, actor: Account, agent: Agent, world_id: int) -> World:
        """The world to move to, if `actor` may move `agent` there; else `MindRefused`."""
        operator = allowed(actor.role, Verb.GROW_AGENT)
        world = next((w for w in self.worlds.all() if w.id == world_id), None)
        if world is None or not (operator or world.id == MAIN_WORLD or world.admits(actor.id)):
            raise MindRefused("unknown_world", f"no world {world_id} you may enter")
        if world.kind == "enclave":
            raise MindRefused("sealed", f"{world.name} is an enclave: its host moves minds in")
        here = self.world_of_agent(agent)
        if agent.ship is None or here is None or self.universe.zone_of(agent.ship) is None:
            raise MindRefused("in_transit", f"{agent.name} is between systems; try again")
        if here.kind == "enclave":
            raise MindRefused("sealed", f"{agent.name} lives in an enclave")
        if here.id == world.id:
            raise MindRefused("already_there", f"{agent.name} is in {world.name} already")
        return world

    def _step_over(self, agent: Agent, ship: int) -> tuple[int | None, list[int]]:
        """Leave the old ship and crew, board the new one: one synchronous step. Returns the
        old ship and the member who took command of the old crew, if the agent led it."""
        minds = self.company.minds
        gone = not agent.alive or agent.id in self.company.away  # died or left meanwhile
        if minds.agents.get(agent.id) is not agent or gone:
            raise MindRefused("aborted", f"{agent.name} is not one live mind here; nothing moved")
        old_ship = agent.ship
        crew = minds.crews.get(agent.crew) if agent.crew is not None else None
        heir: list[int] = []
        if crew is not None:
            crew.leave(agent)
            heir = [a.id for a in crew.hand_over(agent.id, minds.agents)]
            crew.deal_duties(minds.agents)
        agent.crew, agent.duties = None, None
        agent.ship = ship
        agent.intent = Intent()
        self.company.ships.add(ship)
        return old_ship, heir
