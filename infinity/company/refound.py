"""New fugitives for lost crews: a crew whose every member died is crewed again, in time.

Crews that steal too boldly are posted wanted and die for good (docs/economy.md,
"Fugitive crews"); fugitives keep coming to Infinity all the same.
`REFOUND_AFTER` simulated seconds after the last member of an agent-captained
crew died, four new people take its ship, the first of them captain (the dead
stay on its roll, as records). Their
genomes are read off the founders' label numbered by their agent ids, so each
newcomer is a new person, the same in every universe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from infinity.company.founding import CREW_SIZE, SEATS, founder_genome
from infinity.crew.agent import Agent
from infinity.crew.crew import Captain, Crew
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import STARTING_CREDITS

if TYPE_CHECKING:
    from infinity.company.company import Company

REFOUND_AFTER: Final = 1800.0  # simulated seconds a lost crew's ship lies empty


async def refound(company: Company) -> list[Crew]:
    """Crew again every agent-captained crew lost at least REFOUND_AFTER ago; returns them."""
    crewed = []
    for crew in list(company.minds.crews.values()):
        if _lost_long_enough(company, crew):
            await _crew_again(company, crew)
            crewed.append(crew)
    if crewed:
        await company.save()
    return crewed


def _lost_long_enough(company: Company, crew: Crew) -> bool:
    if crew.captain.account is not None:  # a player's crew is theirs to fill
        return False
    agents = company.minds.agents
    members = [agents[a] for a in crew.members if a in agents]
    if not members or any(a.alive for a in members):
        return False
    zone = company.universe.zone_of(crew.ship)
    deaths = [a.death.at for a in members if a.death is not None]
    return zone is not None and zone.clock.sim_time - max(deaths) >= REFOUND_AFTER


async def _crew_again(company: Company, crew: Crew) -> None:
    minds = company.minds
    zone = company.universe.zone_of(crew.ship)
    now = zone.clock.sim_time if zone is not None else 0.0
    ship_name = zone.info[crew.ship].name if zone is not None else crew.name
    ids = await company.archive.allocate_ids(CREW_SIZE)
    people = [Agent(i, founder_genome(i), purse=company.purses(i, STARTING_CREDITS)) for i in ids]
    crew.captain = Captain(people[0].name, agent=people[0].id)
    for agent, seat in zip(people, SEATS, strict=False):
        minds.add(agent)
        crew.join(agent, seat)
        text = f"I signed on to the {ship_name}; the crew before us is dead."
        agent.remember(MemoryKind.ACTION, text, now, 6, subject=ship_name)
    minds.add_crew(crew)
