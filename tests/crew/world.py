"""One place that runs minds in a real zone for tests: commands go in only by `zone.submit`."""

from __future__ import annotations

from dataclasses import dataclass, field

from infinity.commands import types as c
from infinity.company.bridge import observe, perceive
from infinity.company.witness import Witness
from infinity.crew.agent import Agent
from infinity.crew.mind import Decision, Minds
from infinity.sim import events as ev
from infinity.sim import rules
from infinity.sim.kinds import Kind
from infinity.sim.zone import ShipState, StaticBody, Zone

STATION, ROCK, GATE = 2, 3, 4
HOME = 1
FIRST_SHIP = 1_048_576
WALLET = 1_200.0


class Books:
    """The economy as purses see it: every ship's wallet holds WALLET, less upkeep owed."""

    def __init__(self) -> None:
        self.owed: dict[int, float] = {}

    def spendable_of_ship(self, ship: int) -> float:
        return WALLET - self.owed.get(ship, 0.0)

    def owe_upkeep(self, ship: int, credits: float) -> None:
        self.owed[ship] = self.owed.get(ship, 0.0) + credits


def zone() -> Zone:
    """A star, a station at (1000, 0) and a rich asteroid at (3000, 0)."""
    return Zone(
        HOME,
        "Testa",
        [
            StaticBody(1, Kind.STAR, "Testa", 0.0, 0.0),
            StaticBody(STATION, Kind.STATION, "Testa Station", 1000.0, 0.0),
            StaticBody(ROCK, Kind.ASTEROID, "Big Rock", 3000.0, 0.0, ore=2000.0),
        ],
    )


@dataclass
class Run:
    """Minds living in a zone, one decision round per simulated second."""

    zone: Zone = field(default_factory=zone)
    minds: Minds = field(default_factory=lambda: Minds(seed=3))
    witness: Witness = field(default_factory=Witness)
    decisions: list[Decision] = field(default_factory=list)
    events: list[ev.Event] = field(default_factory=list)
    scripted: list[c.Command] = field(default_factory=list)  # non-agent commands for next second

    def ship(self, ship_id: int, name: str, x: float = 0.0, **kw: object) -> int:
        state = ShipState(ship_id, name, None, STATION, HOME, x, 0.0, **kw)  # type: ignore[arg-type]
        self.zone.add_ship(state)
        return ship_id

    def board(self, agent: Agent, ship_id: int) -> Agent:
        agent.ship = ship_id
        self.minds.add(agent)
        return agent

    def second(self) -> list[Decision]:
        observe(self.minds, self.zone, self.witness.take())
        decided = self.minds.decide_all(perceive(self.minds, self.zone, self.witness))
        for command in [*self.scripted, *(x for d in decided for x in d.commands)]:
            self.zone.submit(command)
        self.scripted.clear()
        for _ in range(rules.TICK_HZ):
            report = self.zone.tick()
            self.witness.record(self.zone, report)
            self.events += report.events
        self.decisions += decided
        return decided

    def seconds(self, count: int) -> None:
        for _ in range(count):
            self.second()

    def said(self, agent: Agent) -> list[str]:
        return [
            x.text
            for d in self.decisions
            if d.agent == agent.id
            for x in d.commands
            if isinstance(x, c.Say)
        ]
