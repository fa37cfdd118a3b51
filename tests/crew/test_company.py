"""The company in a whole universe: founding, acting through commands, death, persistence, chat."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from infinity.commands import types as c
from infinity.company.company import Company
from infinity.company.founding import CREW_SHIP_ROLE, SHIP_NAMES, founder_genome
from infinity.crew.agent import Agent
from infinity.crew.crew import Station
from infinity.crew.genome import persona
from infinity.crew.goals import Goal
from infinity.crew.llm import LlmConfig, LlmMind, Prompt, Thought
from infinity.crew.memory import MemoryKind
from infinity.sim import events as ev
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.zone import ShipState
from infinity.traffic.pilots import Pilots
from infinity.universe.hangar import Hangar

from .harbour import Harbour, open_harbour

PIRATE = 4_000_000
FOUNDING_CAPTAINS = (
    "Bamil Nako", "Dihas Foles", "Kimil Nahock", "Zagera Esheck", "Zinith Amevik", "Relis Boras",
)  # fmt: skip


@pytest.fixture
async def harbour(tmp_path: Path) -> Harbour:
    opened = await open_harbour(tmp_path)
    yield opened  # type: ignore[misc]
    await opened.store.close()


def flying(h: Harbour, ship: int) -> bool:
    zone = h.universe.zone_of(ship)
    assert zone is not None
    row = zone.bodies.row(ship)
    return row is not None and int(zone.bodies.docked_at[row]) == NO_ENTITY


def ambush(h: Harbour, victim: int) -> None:
    """Strip a ship's hull and shields and have a pirate beside it fire once."""
    zone = h.universe.zone_of(victim)
    assert zone is not None
    row = zone.bodies.row(victim)
    assert row is not None
    zone.bodies.hull[row], zone.bodies.shield[row] = 1.0, 0.0
    x, y = (float(v) for v in zone.bodies.pos[row])
    state = ShipState(PIRATE, "Reaver", None, NO_ENTITY, zone.system_id, x + 100.0, y)
    h.universe.place(zone.system_id, state, "patrol")
    h.universe.submit(c.Target(ship=PIRATE, target=victim))
    h.universe.submit(c.Fire(ship=PIRATE))


def test_the_first_start_founds_six_crews_of_four(harbour: Harbour) -> None:
    company, universe = harbour.company, harbour.universe
    crews = sorted(company.minds.crews.values(), key=lambda crew: crew.id)
    assert len(crews) == 6 and len(company.minds.agents) == 24
    assert tuple(company.minds.agents[crew.captain.agent or -1].name for crew in crews) == (
        FOUNDING_CAPTAINS
    )
    for crew, ship_name in zip(crews, SHIP_NAMES, strict=True):
        assert len(crew.members) == 4 and set(crew.members.values()) == set(Station)
        assert crew.members[crew.captain.agent or -1] == Station.HELM
        assert universe.roles[crew.ship] == CREW_SHIP_ROLE
        zone = universe.zone_of(crew.ship)
        assert zone is not None and zone.info[crew.ship].name == ship_name
        assert not flying(harbour, crew.ship)  # docked at a station of a starter system
        assert zone.system_id in {s.id for s in universe.galaxy.systems[:3]}
    assert company.ships == {crew.ship for crew in crews}
    first = company.minds.agents[crews[0].captain.agent or -1]
    assert first.genome == founder_genome(0) and first.persona == persona(founder_genome(0))


def test_the_npc_pilots_leave_crewed_ships_to_the_crew(harbour: Harbour) -> None:
    crewed = harbour.company.ships
    unaware = {ship for ship, _ in Pilots(harbour.universe, 1).npc_ships()}
    assert crewed and crewed <= unaware  # without being told, pilots would fly them
    pilots = Pilots(harbour.universe, 1, crewed=crewed)
    assert not {ship for ship, _ in pilots.npc_ships()} & crewed


def test_crews_act_only_through_commands_and_go_mining(harbour: Harbour) -> None:
    harbour.seconds(60)
    commands = [x for d in harbour.decisions for x in d.commands]
    assert commands and all(type(x) in c.COMMAND_TYPES for x in commands)
    ships = harbour.company.ships
    undocked = {e.ship for _, e in harbour.events if isinstance(e, ev.Undocked)}
    assert undocked == ships  # every crew left its station
    assert any(isinstance(x, c.Mine) for x in commands)
    assert any(isinstance(e, ev.Delivered) and e.ship in ships for _, e in harbour.events)
    # one decision per living agent per simulated second
    assert len(harbour.decisions) == 24 * 60


def test_a_destroyed_crew_ship_kills_its_crew_for_good(harbour: Harbour, tmp_path: Path) -> None:
    crew = harbour.company.minds.crews[1]
    harbour.seconds(8)
    assert flying(harbour, crew.ship)
    ambush(harbour, crew.ship)
    harbour.seconds(2)
    assert any(isinstance(e, ev.Destroyed) and e.ship == crew.ship for _, e in harbour.events)
    aboard = [harbour.company.minds.agents[a] for a in crew.members]
    for agent in aboard:
        assert agent.death is not None and agent.death.cause == "our ship was destroyed by Reaver"
        assert agent.memory.recent(1)[0].text == "I died: our ship was destroyed by Reaver."
    before, heard = len(harbour.decisions), len(harbour.events)
    harbour.seconds(20)
    acted = {d.agent for d in harbour.decisions[before:]}
    assert not acted & set(crew.members)
    assert len(acted) == 20  # the other crews go on
    assert not [
        e for _, e in harbour.events[heard:] if isinstance(e, ev.Chat) and e.ship == crew.ship
    ]


def test_death_reaches_a_crew_whose_ship_respawns_in_another_system(harbour: Harbour) -> None:
    """A ship destroyed away from home respawns there in the same tick; its crew still dies."""
    company, universe = harbour.company, harbour.universe
    home, away = universe.galaxy.systems[0], universe.galaxy.systems[1]
    station = home.stations()[0]
    ship = 3_500_000
    universe.place(
        away.id, ShipState(ship, "Far Drifter", None, station.id, home.id, 0, 0), "trader"
    )
    loner = Agent(9_000, founder_genome(99))
    loner.ship = ship
    company.minds.add(loner)
    company.ships.add(ship)
    harbour.second()
    ambush(harbour, ship)
    harbour.seconds(2)
    assert universe.where[ship] == home.id  # respawned at home
    assert loner.death is not None and "Reaver" in loner.death.cause


async def test_minds_persist_across_a_restart_without_reseeding(tmp_path: Path) -> None:
    h = await open_harbour(tmp_path)
    h.seconds(30)
    crew = h.company.minds.crews[2]
    lost = [h.company.minds.agents[a] for a in crew.members]
    for agent in lost:
        agent.die("lost in a test", 25.0)
    await h.company.save()
    h.seconds(3)  # remembered after the last interval save: the shutdown save keeps it
    await h.company.save()
    before = {
        a.id: (a.name, a.alive, [m.text for m in a.memory.recent(len(a.memory))])
        for a in h.company.minds.agents.values()
    }
    ships = len(await Hangar(h.store.engine).load_ships())
    await h.store.close()

    again = await open_harbour(tmp_path)
    try:
        after = {
            a.id: (a.name, a.alive, [m.text for m in a.memory.recent(len(a.memory))])
            for a in again.company.minds.agents.values()
        }
        assert after == before
        assert (
            len(await Hangar(again.store.engine).load_ships()) == ships
        )  # no new crews, no new ships
        assert again.company.ships == h.company.ships
        assert {k: v.members for k, v in again.company.minds.crews.items()} == {
            k: v.members for k, v in h.company.minds.crews.items()
        }
        zone = next(iter(again.universe.zones.values()))
        assert zone.clock.sim_time >= 25.0  # game time resumes from the latest memory (a death)
        again.seconds(3)
        assert not {d.agent for d in again.decisions} & {a.id for a in lost}
        assert len({d.agent for d in again.decisions}) == 20
    finally:
        await again.store.close()


def test_a_player_hail_by_name_is_answered_in_character_through_say(harbour: Harbour) -> None:
    crew = harbour.company.minds.crews[1]
    captain = harbour.company.minds.agents[crew.captain.agent or -1]
    harbour.seconds(5)
    far = harbour.player(7, "Vega", crew.ship, dx=6000.0)  # well beyond sensor range
    harbour.say(far, f"{captain.persona.given_name}, who are you?")
    harbour.seconds(3)
    answers = [t for t in harbour.chat(crew.ship) if captain.persona.name in t]
    assert answers and answers[0].startswith(f"{captain.persona.given_name}: ")
    assert any(
        m.kind == MemoryKind.CONVERSATION and m.text.startswith("Vega said to me")
        for m in captain.memory.recent(10)
    )


def test_hailing_a_ship_gets_one_voice(harbour: Harbour) -> None:
    crew = harbour.company.minds.crews[1]
    zone = harbour.universe.zone_of(crew.ship)
    assert zone is not None
    harbour.seconds(5)
    vega = harbour.player(7, "Vega", crew.ship, dx=300.0)
    harbour.say(vega, f"{zone.info[crew.ship].name}, what are you doing?")
    harbour.seconds(2)
    aboard = [harbour.company.minds.agents[a] for a in crew.members]
    answered = [
        a for a in aboard if any(m.text.startswith("Vega said to me") for m in a.memory.recent(5))
    ]
    assert [a.id for a in answered] == [crew.captain.agent]  # the captain speaks for the ship


async def test_what_is_remembered_during_a_save_is_written_by_the_next(harbour: Harbour) -> None:
    company: Company = harbour.company
    agent = next(iter(company.minds.agents.values()))
    saving = asyncio.create_task(company.save())
    await asyncio.sleep(0)  # the save has built its rows and waits on the database
    agent.remember(MemoryKind.OBSERVATION, "A comet went by.", 1.0, 3)
    await saving
    assert agent.stored_memories == len(agent.memory) - 1
    assert await company.save() == 1


class Scripted(LlmMind):
    """A language model that answers at once, in a voice no template has."""

    async def think(self, prompt: Prompt) -> Thought:
        return Thought(prompt.agent, "The model speaks.", Goal.EARN, "scripted")


async def test_hails_go_to_the_language_model_when_one_is_configured(tmp_path: Path) -> None:
    h = await open_harbour(tmp_path)
    h.company.llm = Scripted(LlmConfig(url="http://127.0.0.1:9", model="none"))
    thinking = asyncio.create_task(h.company.llm.run())
    try:
        crew = h.company.minds.crews[1]
        captain = h.company.minds.agents[crew.captain.agent or -1]
        vega = h.player(7, "Vega", crew.ship, dx=6000.0)
        h.say(vega, f"{captain.persona.given_name}, what now?")
        for _ in range(4):
            h.second()
            await asyncio.sleep(0.01)  # the model's worker answers between rounds
        assert f"{captain.persona.given_name}: The model speaks." in h.chat(crew.ship)
        assert captain.intent.suggested == Goal.EARN
    finally:
        thinking.cancel()
        await h.store.close()
