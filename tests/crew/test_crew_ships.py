"""Crew ships are crew ships, a recruit speaks as itself, a newcomer is hailed by a crew."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infinity.accounts.records import Account
from infinity.commands import types as c
from infinity.commands.internal import Speak
from infinity.company.company import Company
from infinity.company.muster import recruit
from infinity.company.refound import REFOUND_AFTER, refound
from infinity.crew.agent import Agent
from infinity.sim import events as ev
from infinity.universe.records import CREW_ROLE

from .harbour import Harbour, open_harbour

VEGA = Account(1, "Vega", "player", 0.0)


@pytest.fixture
async def harbour(tmp_path: Path) -> AsyncIterator[Harbour]:
    opened = await open_harbour(tmp_path)
    yield opened
    await opened.store.close()


def test_founding_crews_fly_ships_of_the_crew_role(harbour: Harbour) -> None:
    crewed = {crew.ship for crew in harbour.company.minds.crews.values()}
    assert {harbour.universe.roles[ship] for ship in crewed} == {CREW_ROLE}


def a_hand(company: Company) -> Agent:
    """A living crew member who is not a captain."""
    captains = {crew.captain.agent for crew in company.minds.crews.values()}
    return next(a for a in company.minds.agents.values() if a.alive and a.id not in captains)


def test_a_recruits_line_is_shown_under_the_recruits_name(harbour: Harbour) -> None:
    company = harbour.company
    hand = a_hand(company)
    assert hand.ship is not None
    flagship = harbour.player(VEGA.id, "Vega", near=hand.ship)
    recruit(company, VEGA, hand.id)
    assert hand.ship == flagship
    hand.inbox.say.append("Aye, Captain. Where to?")
    for _ in range(3):
        harbour.second()
    lines = [e for _, e in harbour.events if isinstance(e, ev.Chat) and e.ship == flagship]
    assert lines and lines[0].name == hand.name and lines[0].text == "Aye, Captain. Where to?"


def test_a_recruit_cannot_be_spoofed_by_a_player_speak_is_internal() -> None:
    assert Speak not in c.COMMAND_TYPES  # players send Say; only the company sends Speak


def test_a_newcomer_is_hailed_by_a_crew_captain_by_name(harbour: Harbour) -> None:
    company = harbour.company
    crew = next(iter(company.minds.crews.values()))
    harbour.player(VEGA.id, "Vega", near=crew.ship)
    for _ in range(3):
        harbour.second()
    said = harbour.chat(crew.ship)
    assert any("Welcome out here, Vega." in line for line in said), said
    before = len(said)
    harbour.seconds(3)
    assert sum("Welcome out here" in x for x in harbour.chat(crew.ship)[before:]) == 0  # once


async def test_a_lost_crews_ship_is_crewed_again_by_new_fugitives(harbour: Harbour) -> None:
    company = harbour.company
    crew = next(iter(company.minds.crews.values()))
    lost = [company.minds.agents[a] for a in crew.members]
    zone = company.universe.zone_of(crew.ship)
    assert zone is not None
    for agent in lost:
        agent.die("our ship was destroyed by Patrol TES-3", zone.clock.sim_time)
    assert await refound(company) == []  # not yet: the ship lies empty a while
    zone.clock.sim_time += REFOUND_AFTER
    assert await refound(company) == [crew]
    living = [a for a in crew.aboard(company.minds.agents)]
    assert len(living) == 4 and not {a.id for a in living} & {a.id for a in lost}
    captain = company.minds.agents[crew.captain.agent or -1]
    assert captain.alive and captain.ship == crew.ship and captain in living
    assert all(a.genome not in {x.genome for x in lost} for a in living)  # new people
    assert any("the crew before us is dead" in m.text for m in captain.memory.recent(5))
    harbour.seconds(2)  # and they decide like any crew
    assert any(d.agent == captain.id for d in harbour.decisions)
