"""The founding crews: on a universe's first start, six crews of four from fixed genomes.

Founder k's genome is read off SHA-256 of a fixed label (two bits a base),
so every new universe is crewed by the same people, whatever its seed. Each
crew gets its own ship, commissioned like any other (stored, then placed
docked at a station of one of the starter systems), and an agent captain.
"""

from __future__ import annotations

import hashlib
from typing import Final

from infinity.crew.agent import Agent
from infinity.crew.archive import Archive
from infinity.crew.crew import Captain, Crew, Station
from infinity.crew.genome import BASES
from infinity.crew.mind import Minds
from infinity.crew.needs import STARTING_CREDITS, PurseOf
from infinity.universe.records import CREW_ROLE
from infinity.universe.shipyard import Shipyard

CREWS: Final = 6
CREW_SIZE: Final = 4
FOUNDER_BASES: Final = 96
HOME_SYSTEMS: Final = 3  # the systems new players start in: crews are where people are
CREW_SHIP_ROLE: Final = CREW_ROLE  # the pilots leave them alone; stations pay them less
SHIP_NAMES: Final = ("Kestrel", "Long Haul", "Dust Runner", "Old Faithful", "Quiet Tide", "Ember")
SEATS: Final = (Station.HELM, Station.TACTICAL, Station.ENGINEERING, Station.SCIENCE)


def founder_genome(index: int) -> str:
    """The fixed genome of founder `index` (0-based, crew by crew, captain first)."""
    bases: list[str] = []
    block = 0
    while len(bases) < FOUNDER_BASES:
        digest = hashlib.sha256(f"infinity founder {index}/{block}".encode()).digest()
        bases += [BASES[(byte >> shift) & 3] for byte in digest for shift in (6, 4, 2, 0)]
        block += 1
    return "".join(bases[:FOUNDER_BASES])


async def found_crews(
    archive: Archive,
    shipyard: Shipyard,
    minds: Minds,
    purses: PurseOf,
    crews: int = CREWS,
    size: int = CREW_SIZE,
) -> list[Crew]:
    """Grow the founders, commission their ships and seat them; the first of each crew captains."""
    ids = await archive.allocate_ids(crews * size)
    founded = []
    for k in range(crews):
        people = [
            Agent(i, founder_genome(k * size + j), purse=purses(i, STARTING_CREDITS))
            for j, i in enumerate(ids[k * size : (k + 1) * size])
        ]
        ship = await _commission(shipyard, k)
        founded.append(_muster(minds, k + 1, ship, SHIP_NAMES[k % len(SHIP_NAMES)], people))
    return founded


async def _commission(shipyard: Shipyard, k: int) -> int:

    homes = shipyard.universe.galaxy.systems[:HOME_SYSTEMS]
    home = homes[k % len(homes)]
    stations = home.stations()
    station = stations[(k // len(homes)) % len(stations)]
    name = SHIP_NAMES[k % len(SHIP_NAMES)]
    return await shipyard.commission(name, None, CREW_SHIP_ROLE, home, station)


def _muster(minds: Minds, crew_id: int, ship: int, ship_name: str, people: list[Agent]) -> Crew:
    captain = people[0]
    crew = Crew(crew_id, f"Crew of the {ship_name}", ship, Captain(captain.name, agent=captain.id))
    for agent, seat in zip(people, SEATS * len(people), strict=False):
        minds.add(agent)
        crew.join(agent, seat)
    minds.add_crew(crew)
    return crew
