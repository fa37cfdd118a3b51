from __future__ import annotations

import math
from dataclasses import dataclass, field

from infinity.commands import types as c
from infinity.crew.agent import Agent
from infinity.crew.goals import GOAL_FACTS, Goal
from infinity.crew.mind import Decision, Minds
from infinity.crew.planner import Action, Fact, plan
from infinity.crew.senses import Chart, OwnShip, Perception, Place
from infinity.sim import rules
from infinity.sim.kinds import Kind

from .dna import ACGT

F = Fact
STATION, ROCK, SHIP = 2, 3, 100
CHART = Chart(
    1,
    [
        Place(STATION, Kind.STATION, "Home", 0.0, 0.0),
        Place(ROCK, Kind.ASTEROID, "Rock", 5000.0, 0.0, ore=500.0),
    ],
)


def names(found: tuple[Action, ...] | None) -> list[str] | None:
    return None if found is None else [a.name for a in found]


def test_earning_from_a_dock_is_the_whole_mining_run() -> None:
    start = F.DOCKED | F.SAFE | F.STATION_KNOWN | F.FIELD_KNOWN
    assert names(plan(start, GOAL_FACTS[Goal.EARN])) == [
        "undock", "fly_to_field", "mine", "fly_to_station", "dock", "unload",
    ]  # fmt: skip


def test_a_full_hold_at_the_field_goes_straight_to_market() -> None:
    start = F.AT_FIELD | F.CARGO_FULL | F.HAS_CARGO | F.STATION_KNOWN | F.FIELD_KNOWN
    assert names(plan(start, GOAL_FACTS[Goal.EARN])) == ["fly_to_station", "dock", "unload"]


def test_survive_docks_when_it_can_and_flees_when_it_cannot() -> None:
    assert names(plan(F.STATION_KNOWN, F.SAFE)) == ["fly_to_station", "dock"]
    assert names(plan(0, F.SAFE)) == ["flee"]
    assert names(plan(F.DOCKED | F.SAFE, F.SAFE)) == []


def test_attack_needs_a_foe_in_sight() -> None:
    assert names(plan(F.FOE_KNOWN, F.ENGAGED)) == ["lock_target", "close_in", "attack"]
    assert names(plan(F.FOE_KNOWN | F.DOCKED, F.ENGAGED)) == [
        "undock", "lock_target", "close_in", "attack",
    ]  # fmt: skip
    assert plan(F.STATION_KNOWN | F.FIELD_KNOWN, F.ENGAGED) is None


def test_no_plan_when_impossible() -> None:
    assert plan(F.DOCKED, GOAL_FACTS[Goal.EARN]) is None  # no field, no station on the chart
    assert plan(0, F.FOLLOWING) is None


@dataclass
class FakeWorld:
    """One ship in a 1-d world: autopilot at 500 m/s, mining at 25 t/s, a dock that may refuse."""

    x: float = 0.0
    docked: int = STATION
    cargo: float = 0.0
    mining: int = -1
    dest: float | None = None
    dock_open: bool = True
    delivered: float = 0.0
    time: float = 0.0
    log: list[str] = field(default_factory=list)

    def view(self) -> OwnShip:
        dest = self.dest if self.dest is not None else 0.0
        return OwnShip(
            SHIP, self.x, 0.0, cargo=self.cargo, docked_at=self.docked, mining=self.mining,
            autopilot=self.dest is not None, dest_x=dest,
        )  # fmt: skip

    def apply(self, command: c.Command) -> None:
        self.log.append(type(command).__name__)
        if isinstance(command, c.Undock):
            self.docked = -1
        elif isinstance(command, c.MoveTo):
            self.dest = command.x
        elif isinstance(command, c.Mine) and abs(self.x - 5000.0) <= rules.MINE_RANGE:
            self.mining = ROCK
        elif isinstance(command, c.Dock) and abs(self.x) <= rules.DOCK_RANGE and self.dock_open:
            self.docked, self.dest = STATION, None
        elif isinstance(command, c.Unload) and self.docked == STATION:
            self.delivered += self.cargo
            self.cargo = 0.0

    def second(self) -> None:
        self.time += 1.0
        if self.dest is not None:
            gap = self.dest - self.x
            self.x += math.copysign(min(500.0, abs(gap)), gap)
            if self.x == self.dest:
                self.dest = None
        if self.mining >= 0:
            self.cargo = min(rules.SHIP_CARGO, self.cargo + 25.0)
            if self.cargo >= rules.SHIP_CARGO:
                self.mining = -1


def live(world: FakeWorld, minds: Minds, agent: Agent, seconds: int) -> list[Decision]:
    decisions = []
    for _ in range(seconds):
        p = Perception(agent.id, world.time, world.view(), CHART, credits=agent.purse.balance)
        decision = minds.decide(p)
        decisions.append(decision)
        for command in decision.commands:
            world.apply(command)
        world.second()
    return decisions


def test_the_mind_executes_the_plan_step_by_step() -> None:
    minds, agent = Minds(seed=1), Agent(1, ACGT)
    minds.add(agent)
    world = FakeWorld()
    decisions = live(world, minds, agent, 40)
    assert world.delivered == rules.SHIP_CARGO
    steps = [d.step for d in decisions if d.step]
    seen = [s for k, s in enumerate(steps) if k == 0 or steps[k - 1] != s]
    assert seen[:6] == ["undock", "fly_to_field", "mine", "fly_to_station", "dock", "unload"]
    assert {d.goal for d in decisions} == {Goal.EARN}
    assert world.log[:3] == ["Undock", "MoveTo", "Mine"]
    assert (
        sum(d.replanned for d in decisions) == 2
    )  # the first run, and starting over after selling


def test_a_failing_step_makes_the_mind_replan_then_give_up_for_a_while() -> None:
    minds, agent = Minds(seed=1), Agent(1, ACGT)
    minds.add(agent)
    world = FakeWorld(x=0.0, docked=-1, cargo=rules.SHIP_CARGO, dock_open=False)
    decisions = live(world, minds, agent, 30)
    docking = [d for d in decisions if d.step == "dock"]
    assert docking and all(c.Dock in {type(x) for x in d.commands} for d in docking[:3])
    assert sum(d.replanned for d in decisions) >= 3
    assert decisions[-1].goal == Goal.IDLE and agent.intent.blocked == Goal.EARN


def test_same_seed_same_decisions() -> None:
    runs = []
    for _ in range(2):
        minds, agent = Minds(seed=7), Agent(1, ACGT)
        minds.add(agent)
        runs.append([(d.goal, d.step, d.commands) for d in live(FakeWorld(), minds, agent, 25)])
    assert runs[0] == runs[1]
