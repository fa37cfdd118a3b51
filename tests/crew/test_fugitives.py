"""Fugitives: who steals and when, a robbed agent's memory and reactions, grudges that fade."""

from __future__ import annotations

import numpy as np
import pytest

from infinity.commands import types as c
from infinity.crew import grudges
from infinity.crew.agent import Agent
from infinity.crew.goals import Goal
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import COMFORT_CREDITS, Balance, willingness_to_steal
from infinity.crew.senses import Heard
from infinity.sim import events as ev
from infinity.traffic.pilots import GRUDGE_SECONDS, Pilots

from .dna import bred
from .world import FIRST_SHIP, Run

VICTIM, THIEF = FIRST_SHIP, FIRST_SHIP + 1


def test_the_bold_steal_when_they_can_the_kind_only_when_they_must() -> None:
    greed, kind, courage = np.array([0.9, 0.9]), np.array([0.1, 0.9]), np.array([0.9, 0.9])
    comfortable = willingness_to_steal(greed, kind, np.zeros(2), courage)
    assert comfortable[0] > 0.5 and comfortable[1] < 0.25  # greedy, brave, hard: a thief anyway
    desperate = willingness_to_steal(greed, kind, np.ones(2), courage)
    assert desperate[1] > comfortable[1]


def test_a_bold_agent_in_comfort_goes_after_a_mark_in_sight() -> None:
    run = Run()
    bold = run.board(
        Agent(
            9,
            bred(filler="GCT", greed=0.99, agreeableness=0.01, courage=0.95),
            purse=Balance(5 * COMFORT_CREDITS),
        ),
        run.ship(THIEF, "Hungry", x=2000.0),
    )
    run.ship(VICTIM, "Mark", x=2600.0)
    run.seconds(20)
    assert run.minds.needs_of(bold.id)["credits"] == 1.0  # not in need: in it for the take
    assert any(d.goal == Goal.STEAL for d in run.decisions if d.agent == bold.id)
    assert any(isinstance(e, ev.Siphoned) and e.victim == VICTIM for e in run.events)


def robbed(run: Run) -> Agent:
    """An agent aboard VICTIM, drained by THIEF ("Vex") for a few seconds."""
    victim = run.board(
        Agent(1, bred(agreeableness=0.1, courage=0.9, neuroticism=0.1)),
        run.ship(VICTIM, "Dust Runner", x=2000.0),
    )
    run.ship(THIEF, "Vex", x=2300.0)
    run.scripted.append(c.Siphon(ship=THIEF, target=VICTIM))
    run.seconds(4)
    return victim


def test_a_robbed_agent_remembers_the_thief_curses_them_and_fights_back() -> None:
    run = Run()
    victim = robbed(run)
    memories = [m for m in victim.memory.recent(10) if m.kind == MemoryKind.OBSERVATION]
    robbery = [m for m in memories if "Vex siphoned credits" in m.text]
    assert robbery and robbery[0].importance >= 8 and robbery[0].subject == "Vex"
    assert any("Vex" in line for line in run.said(victim))  # cursed by name, aloud
    assert victim.grudges.weight(THIEF, run.zone.clock.sim_time) > grudges.REVENGE_AT
    goals = {d.goal for d in run.decisions if d.agent == victim.id}
    assert goals & {Goal.REVENGE, Goal.SURVIVE, Goal.FLEE}  # fight back (this one) or flee


def test_a_grudge_fades_by_half_life_and_ends_when_the_thief_is_destroyed() -> None:
    held = grudges.Grudges()
    held.hold(THIEF, "Vex", grudges.ROBBED, 0.0)
    assert held.weight(THIEF, grudges.HALF_LIFE) == pytest.approx(grudges.ROBBED / 2)
    assert held.weight(THIEF, 10 * grudges.HALF_LIFE) == 0.0  # forgotten
    held.hold(THIEF, "Vex", grudges.ROBBED, 0.0)
    assert held.settle(THIEF) is not None and held.weight(THIEF, 1.0) == 0.0


def test_a_robbed_agent_will_not_talk_to_the_thief_until_the_grudge_fades() -> None:
    run = Run()
    victim = robbed(run)
    now = run.zone.clock.sim_time
    victim.inbox.heard.append(Heard(THIEF, "Vex", "hello friend, any ore?", now, to_me=True))
    run.second()
    assert grudges.snub("Vex") in run.said(victim)
    later = now + 10 * grudges.HALF_LIFE
    assert victim.grudges.named("Vex", later) is None  # faded: they may talk again


def test_an_npc_forgives_a_stray_shot_in_time_and_at_once_when_the_shooter_respawns() -> None:
    run = Run()
    run.ship(VICTIM, "Miner", x=2000.0)
    run.ship(THIEF, "Stray", x=2500.0)

    class Host:
        zones = {run.zone.system_id: run.zone}
        roles: dict[int, str] = {}
        watchers: list[object] = []

        def observe(self, watcher: object) -> None:
            self.watchers.append(watcher)

    pilots = Pilots(Host(), 1)  # type: ignore[arg-type]
    pilots._grudge(VICTIM, THIEF, 10.0)
    assert pilots.foe(VICTIM, 10.0 + GRUDGE_SECONDS - 1) == THIEF
    assert pilots.foe(VICTIM, 10.0 + GRUDGE_SECONDS + 1) == -1  # faded
    pilots._grudge(VICTIM, THIEF, 100.0)
    pilots.forgive(THIEF)  # the shooter was destroyed (and respawns): a clean slate
    assert pilots.foe(VICTIM, 101.0) == -1
