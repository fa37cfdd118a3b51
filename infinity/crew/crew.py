"""Crews: a ship, a captain (a player or an agent), members at stations, and orders.

Members carry out the captain's orders unless an order clashes hard with
who they are: `judge` scores the clash from the persona and refuses when it
exceeds what the member's loyalty will swallow. A refusal is said aloud, in
the member's voice, and remembered (the mind does both when it reads the
order, so the refusal travels as an ordinary `Say` command).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from infinity.commands import types as c
from infinity.crew import dialogue
from infinity.crew.agent import Agent, CommandTypes
from infinity.crew.genome import Persona
from infinity.crew.memory import IMPORTANCE, MemoryKind
from infinity.crew.orders import Order, OrderKind


class Station(StrEnum):
    HELM = "helm"
    TACTICAL = "tactical"
    ENGINEERING = "engineering"
    SCIENCE = "science"


# Which commands each station sends; anyone may speak (Say).
DUTIES: Final[dict[Station, CommandTypes]] = {
    Station.HELM: frozenset({c.Thrust, c.MoveTo, c.Stop, c.Dock, c.Undock, c.Jump}),
    Station.TACTICAL: frozenset({c.Target, c.Fire, c.LaunchTorpedo, c.Siphon}),
    Station.ENGINEERING: frozenset({c.Mine, c.Unload}),
    Station.SCIENCE: frozenset(),
}
SPEECH: Final[CommandTypes] = frozenset({c.Say})
REFUSE_BASE: Final = 0.45
REFUSE_LOYALTY: Final = 0.6  # how much loyalty raises the bar for refusing


@dataclass(frozen=True, slots=True)
class Captain:
    """Who commands: an agent (`agent`) or a player (`account`); `name` as the crew calls them."""

    name: str
    agent: int | None = None
    account: int | None = None
    ship: int = -1  # the captain's own ship when it is not the crew's (a player flying escort)


@dataclass(frozen=True, slots=True)
class Verdict:
    refuse: bool
    clash: float  # 0 (fine) .. ~1 (against everything they are)
    reason: str  # why it clashes, in plain words ("" when it does not)


@dataclass(slots=True)
class Crew:
    id: int
    name: str
    ship: int
    captain: Captain
    members: dict[int, Station] = field(default_factory=dict)

    def join(self, agent: Agent, station: Station) -> None:
        """Seat an agent (leaving any seat it had here); duties are re-dealt."""
        self.members[agent.id] = station
        agent.crew, agent.ship = self.id, self.ship

    def leave(self, agent: Agent) -> None:
        self.members.pop(agent.id, None)
        agent.crew, agent.duties = None, None

    def hand_over(self, gone: int, agents: Mapping[int, Agent]) -> list[Agent]:
        """Captain agent `gone` left the crew for good: the first living member takes
        command (returned), so the crew never names a captain who is not there."""
        if self.captain.agent != gone:
            return []
        heir = next(iter(self.aboard(agents)), None)
        if heir is None:
            return []
        self.captain = Captain(heir.name, agent=heir.id)
        return [heir]

    def deal_duties(self, agents: Mapping[int, Agent]) -> None:
        """Each member gets its station's commands; the acting captain also covers empty seats.

        The acting captain is the captain agent if aboard, else the first living member.
        """
        living = [a for a in self.members if a in agents and agents[a].alive]
        manned = {self.members[a] for a in living}
        spare: set[type[c.Command]] = set()
        for station in Station:
            if station not in manned:
                spare |= DUTIES[station]
        acting = self.captain.agent if self.captain.agent in living else None
        if acting is None and self.captain.account is None and living:
            acting = living[0]
        for agent_id in living:
            duties = DUTIES[self.members[agent_id]] | SPEECH
            agents[agent_id].duties = duties | spare if agent_id == acting else duties

    def order(self, order: Order, agents: Mapping[int, Agent]) -> list[int]:
        """Deliver an order to every living member but the captain; returns who got it."""
        reached = []
        for agent_id in self.members:
            agent = agents.get(agent_id)
            if agent is None or not agent.alive or agent_id == self.captain.agent:
                continue
            agent.inbox.orders.append(order)
            reached.append(agent_id)
        return reached

    def aboard(self, agents: Mapping[int, Agent]) -> Iterable[Agent]:
        return (agents[a] for a in self.members if a in agents and agents[a].alive)


def judge(persona: Persona, order: Order) -> Verdict:
    """Would this person carry out the order? Refuse when clash > 0.45 + 0.6 * loyalty."""
    clash, reason = _clash(persona, order)
    limit = REFUSE_BASE + REFUSE_LOYALTY * persona.values.loyalty
    return Verdict(clash > limit, round(clash, 4), reason if clash > limit else "")


def _clash(persona: Persona, order: Order) -> tuple[float, str]:
    t, v = persona.traits, persona.values
    target = order.target_name or "them"
    if order.kind == OrderKind.ATTACK and not order.hostile:
        return (
            0.6 * t.agreeableness + 0.4 * (1.0 - v.courage),
            f"{target} never fired on us",
        )
    if order.kind == OrderKind.STEAL:
        return (
            0.5 * t.agreeableness + 0.3 * (1.0 - v.greed) + 0.2 * t.conscientiousness,
            f"robbing {target} is beneath me",
        )
    if order.kind == OrderKind.ATTACK:
        return 0.9 * (1.0 - v.courage) * t.neuroticism, f"{target} would tear us apart"
    if order.kind == OrderKind.FLEE:
        return 0.7 * v.courage * (1.0 - t.neuroticism), "I do not run from a fight"
    if order.kind == OrderKind.MINE:
        return 0.3 * (1.0 - t.conscientiousness), "rock-cutting is beneath me"
    return 0.0, ""


def consider_orders(agent: Agent, orders: Iterable[Order], now: float) -> str | None:
    """Obey or refuse each new order (the last one wins); returns the line to say about it.

    Obeying makes the order the agent's standing order (its goal until done);
    refusing leaves the agent to its own goals. Both are remembered.
    """
    intent = agent.intent
    say = None
    for order in orders:
        captain = order.captain or "the captain"
        what = f"{order.kind.value} {order.target_name}".strip()
        if order.kind == OrderKind.STAND_DOWN:
            intent.order, intent.plan = None, None
            say = dialogue.acknowledge(agent.persona, order)
            continue
        verdict = judge(agent.persona, order)
        if verdict.refuse:
            say = dialogue.refusal(agent.persona, order, verdict.reason)
            text = f"I refused {captain}'s order to {what}: {verdict.reason}."
            agent.remember(MemoryKind.ACTION, text, now, IMPORTANCE["refused"], subject=captain)
            continue
        intent.order, intent.plan, intent.blocked = order, None, None
        say = dialogue.acknowledge(agent.persona, order)
        text = f"{captain} ordered me to {what}."
        agent.remember(MemoryKind.ACTION, text, now, IMPORTANCE["order"], subject=captain)
    return say
