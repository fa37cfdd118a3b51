"""The default CPU mind, for every agent at once: needs to goals (utility), goals to plans
(GOAP), plans to player commands.

`Minds.decide_all` is built for 10,000 agents deciding once per simulated
second: needs, drives and the utility of every goal are numpy over all
agents; the per-agent Python is a few attribute reads and one plan step.
Plans are re-made only when the goal or its target changes or a step
fails, and the planner itself is memoised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from infinity.commands import types as c
from infinity.crew import dialogue, grudges
from infinity.crew.agent import Agent
from infinity.crew.crew import Crew, consider_orders
from infinity.crew.goals import (
    ADVERTS,
    BASELINE,
    CHOSEN,
    GOAL_FACTS,
    GOAL_OF,
    GOALS,
    HABIT,
    ORDER_GOALS,
    Goal,
    Signal,
    persona_weights,
    urgencies,
)
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import (
    UPKEEP_PER_SECOND,
    Need,
    NeedsTable,
    WorldSigns,
    desperation,
    risk_taking,
    willingness_to_steal,
)
from infinity.crew.orders import Order, OrderKind
from infinity.crew.planner import ACTIONS, cached_plan
from infinity.crew.senses import Contact, OwnShip, Perception
from infinity.crew.steps import EXECUTOR_LIST, Intent, Status, facts
from infinity.sim import rules
from infinity.sim.bodies import NO_ENTITY

Floats = npt.NDArray[np.float64]
BLOCK_SECONDS = 30.0  # a goal found impossible is not tried again for this long
MAX_FAILURES = 3
STEPS_PER_DECISION = 4
CRITICAL_HULL = 0.25 * rules.SHIP_HULL
MAX_DT = 10.0  # seconds of upkeep and need decay charged at most per decision
STEAL_FROM = 0.25  # willingness to steal above which an agent looks for a mark
OPPORTUNITY = 0.8  # utility a mark in sight adds to stealing, times the willingness
SAFE_FROM = frozenset({"patrol", "crew"})  # the law, and fellow fugitives: never marks
NOTABLE = frozenset({Goal.SURVIVE, Goal.PROTECT, Goal.REVENGE, Goal.STEAL, Goal.FLEE})
CAPTAIN_ORDERS = {
    Goal.EARN: OrderKind.MINE,
    Goal.SURVIVE: OrderKind.DOCK,
    Goal.DOCK: OrderKind.DOCK,
    Goal.FLEE: OrderKind.FLEE,
    Goal.PROTECT: OrderKind.ATTACK,
    Goal.REVENGE: OrderKind.ATTACK,
    Goal.STEAL: OrderKind.STEAL,
    Goal.ATTACK: OrderKind.ATTACK,
}


@dataclass(slots=True)
class Decision:
    """What one agent does this decision: player commands for its ship, and why."""

    agent: int
    goal: Goal
    step: str  # the plan step being worked on ("" when none)
    commands: list[c.Command]
    replanned: bool = False


class Minds:
    """Every CPU mind of one host, with their needs and goal weights as numpy rows."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.agents: dict[int, Agent] = {}
        self.crews: dict[int, Crew] = {}
        self._captains: dict[int, Crew] = {}  # agent id of a captain -> its crew
        self._row: dict[int, int] = {}
        self.needs = NeedsTable()
        capacity = len(self.needs.levels)
        self.weights: Floats = np.zeros((capacity, GOALS))
        self.jitter: Floats = np.zeros((capacity, GOALS))
        self.drives: Floats = np.zeros((capacity, 4))  # courage, neuroticism, greed, agreeableness
        self.goal = np.zeros(capacity, dtype=np.int64)
        self.last_time: Floats = np.full(capacity, np.nan)
        self.spoke = np.zeros(capacity)

    # -- membership -----------------------------------------------------------

    def add(self, agent: Agent) -> None:
        """Register an agent (alive or dead: the dead are kept as records and never decide)."""
        if agent.id in self._row:
            raise ValueError(f"agent {agent.id} is already here")
        row = len(self._row)
        if row == len(self.goal):
            self._grow(2 * row)
        self._row[agent.id] = row
        self.agents[agent.id] = agent
        self.weights[row] = persona_weights(agent.persona)
        rng = np.random.default_rng([self.seed, agent.id])
        self.jitter[row, :CHOSEN] = rng.random(CHOSEN) * 0.01
        t, v = agent.persona.traits, agent.persona.values
        self.drives[row] = (v.courage, t.neuroticism, v.greed, t.agreeableness)
        self.goal[row] = agent.intent.goal

    def _grow(self, capacity: int) -> None:
        self.needs.grow(capacity)
        for name in ("weights", "jitter", "drives", "goal", "last_time", "spoke"):
            old = getattr(self, name)
            fresh = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            if name == "last_time":
                fresh[:] = np.nan
            fresh[: len(old)] = old
            setattr(self, name, fresh)

    def row_of(self, agent_id: int) -> int:
        return self._row[agent_id]

    def add_crew(self, crew: Crew) -> None:
        """Register a crew and deal its duties; an agent captain will command it."""
        self.crews[crew.id] = crew
        if crew.captain.agent is not None:
            self._captains[crew.captain.agent] = crew
        crew.deal_duties(self.agents)

    def needs_of(self, agent_id: int) -> dict[str, float]:
        """An agent's need levels (1 = met), for rosters and the language-model prompt."""
        levels = self.needs.levels[self._row[agent_id]]
        return {need.name.lower(): round(float(levels[need]), 3) for need in Need}

    # -- deciding -------------------------------------------------------------

    def decide(self, perception: Perception) -> Decision:
        """The per-agent path: one decision (same rules as the batch)."""
        return self.decide_all([perception])[0]

    def decide_all(self, perceptions: Sequence[Perception]) -> list[Decision]:
        """One decision per perception, in order. The dead get an empty decision."""
        agents = [self.agents[p.agent] for p in perceptions]
        rows = np.fromiter((self._row[p.agent] for p in perceptions), np.intp, len(perceptions))
        chosen = self._choose(perceptions, agents, rows).tolist()
        out = []
        for p, agent, goal, row in zip(perceptions, agents, chosen, rows.tolist(), strict=True):
            if agent.death is not None:
                out.append(Decision(agent.id, Goal.IDLE, "", []))
                continue
            before = agent.intent.goal
            decision = self._act(agent, p, goal)
            if agent.intent.goal != before and agent.id in self._captains:
                self._command(agent, self._captains[agent.id], p.time, decision)
            self.goal[row] = agent.intent.goal
            self.spoke[row] = 1.0 if decision.commands and _said(decision.commands) else 0.0
            out.append(decision)
        return out

    def _choose(
        self, ps: Sequence[Perception], agents: list[Agent], rows: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.intp]:
        """Update needs and pick each agent's best goal by utility, all rows at once."""
        count = len(ps)
        ships = [p.ship for p in ps]
        now = np.fromiter((p.time for p in ps), np.float64, count)
        dt = np.nan_to_num(np.clip(now - self.last_time[rows], 0.0, MAX_DT))
        self.last_time[rows] = now
        self._charge_upkeep(agents, dt)
        docked = np.fromiter((s is not None and s.docked_at >= 0 for s in ships), bool, count)
        attacked = np.fromiter((bool(p.attackers) for p in ps), bool, count)
        spite = np.fromiter(
            (_spite(a, p) if len(a.grudges) else 0.0 for a, p in zip(agents, ps, strict=True)),
            np.float64,
            count,
        )
        alarm = np.fromiter((bool(p.crew_attackers) for p in ps), bool, count)
        signs = WorldSigns(
            credits=np.fromiter((p.credits for p in ps), np.float64, count),
            hull=np.fromiter(
                (s.hull if s is not None else rules.SHIP_HULL for s in ships), np.float64, count
            ),
            docked=docked,
            attacked=attacked,
            company=docked | np.fromiter((p.aboard > 0 for p in ps), bool, count),
            talked=np.fromiter((len(p.heard) for p in ps), np.float64, count) + self.spoke[rows],
            working=self.goal[rows] != Goal.IDLE,
        )
        levels = self.needs.update(rows, signs, dt)
        signals = np.empty((count, len(Signal)))
        signals[:, :4] = urgencies(levels)
        signals[:, Signal.ANGER] = np.maximum(attacked, spite)
        signals[:, Signal.ALARM] = alarm
        score = self._utility(ps, rows, levels, signals, ships)
        best: npt.NDArray[np.intp] = np.argmax(score, axis=1)
        return best

    def _utility(
        self,
        ps: Sequence[Perception],
        rows: npt.NDArray[np.intp],
        levels: Floats,
        signals: Floats,
        ships: list[OwnShip | None],
    ) -> Floats:
        count = len(ps)
        drives = self.drives[rows]
        despair = desperation(levels[:, Need.CREDITS])
        weights = self.weights[rows, :CHOSEN].copy()
        weights[:, Goal.SURVIVE] *= 1.0 - 0.5 * risk_taking(drives[:, 0], drives[:, 1], despair)
        steal = willingness_to_steal(drives[:, 2], drives[:, 3], despair, drives[:, 0])
        weights[:, Goal.STEAL] *= steal
        available = np.ones((count, CHOSEN), dtype=bool)
        available[:, Goal.PROTECT] = signals[:, Signal.ALARM] > 0
        available[:, Goal.REVENGE] = signals[:, Signal.ANGER] > 0
        available[:, Goal.EARN] = np.fromiter(
            (
                (p.chart is not None and p.chart.can_mine) or (s is not None and s.cargo > 0.5)
                for p, s in zip(ps, ships, strict=True)
            ),
            bool,
            count,
        )
        available[:, Goal.STEAL] = steal > STEAL_FROM
        for k in np.flatnonzero(available[:, Goal.STEAL]).tolist():
            available[k, Goal.STEAL] = _mark(ps[k]) != NO_ENTITY
        score: Floats = (signals @ ADVERTS[:CHOSEN].T) * weights * available
        score[:, Goal.STEAL] += OPPORTUNITY * steal * available[:, Goal.STEAL]
        score += BASELINE[:CHOSEN] + self.jitter[rows, :CHOSEN]
        current = self.goal[rows]
        habitual = np.flatnonzero(current < CHOSEN)
        score[habitual, current[habitual]] += HABIT
        return score

    @staticmethod
    def _charge_upkeep(agents: list[Agent], dt: Floats) -> None:
        """Every living crew member pays for its keep (the ledger will post this in a batch)."""
        for agent, seconds in zip(agents, dt.tolist(), strict=True):
            if seconds > 0 and agent.death is None:
                agent.purse.spend(UPKEEP_PER_SECOND * seconds, "upkeep")

    # -- one agent ------------------------------------------------------------

    def _act(self, agent: Agent, p: Perception, chosen: int) -> Decision:
        intent = agent.intent
        ship = p.ship
        say = consider_orders(agent, p.orders, p.time) if p.orders else None
        if p.heard:
            say = self._answer(agent, p) or say
        if agent.inbox.say:
            say = say or agent.inbox.say[0]
            agent.inbox.say.clear()
        if ship is None:
            return Decision(agent.id, intent.goal, "", [])
        out: list[c.Command] = []
        intent.duties = agent.duties
        goal, target, name = self._goal(agent, p, ship, chosen)
        replanned = False
        if goal != intent.goal or target != intent.target or intent.plan is None:
            replanned = self._replan(agent, p, ship, goal, target, name)
        step = self._run(agent, p, ship, out)
        if intent.voice:
            say = say or self._greet(agent, intent.voice)
            intent.voice = ""
        if say:
            out.append(c.Say(ship=ship.id, text=say))
        duties = agent.duties
        if duties is not None:
            out = [command for command in out if type(command) in duties]
        return Decision(agent.id, intent.goal, step, out, replanned)

    def _goal(
        self, agent: Agent, p: Perception, ship: OwnShip, chosen: int
    ) -> tuple[Goal, int, str]:
        """The goal to pursue now and its target: a standing order wins over utility."""
        intent = agent.intent
        order = intent.order
        if order is not None:
            if ship.hull < CRITICAL_HULL and agent.persona.values.courage < 0.5:
                intent.order = None
                agent.remember(
                    MemoryKind.ACTION,
                    f"I broke off {order.captain or 'the captain'}'s order to save my skin.",
                    p.time,
                    7,
                    subject=order.captain,
                )
                return Goal.SURVIVE, NO_ENTITY, ""
            return ORDER_GOALS[order.kind], order.target, order.target_name
        goal = GOAL_OF[chosen]
        if intent.suggested is not None and p.time < intent.suggested_until:
            goal = intent.suggested if ship.hull >= CRITICAL_HULL else Goal.SURVIVE
        target = NO_ENTITY
        if goal == Goal.REVENGE and p.attackers:
            target = p.attackers[0]
        elif goal == Goal.REVENGE:
            held = _grudge_in_view(agent, p)
            target = held.id if held is not None else NO_ENTITY
        elif goal == Goal.PROTECT and p.crew_attackers:
            target = p.crew_attackers[0]
        elif goal == Goal.STEAL:
            target = _mark(p)
        if goal == intent.blocked and p.time < intent.blocked_until:
            return Goal.IDLE, NO_ENTITY, ""
        if goal == intent.goal and target == intent.target:
            return goal, target, intent.target_name
        found = p.find(target) if target != NO_ENTITY else None
        return goal, target, found.name if found is not None else ""

    def _replan(
        self, agent: Agent, p: Perception, ship: OwnShip, goal: Goal, target: int, name: str
    ) -> bool:
        intent = agent.intent
        if goal != intent.goal:
            intent.failures = 0
            intent.siphoning = NO_ENTITY
            if goal in NOTABLE:
                agent.remember(MemoryKind.ACTION, _resolve(goal, name), p.time, 5, subject=name)
        intent.goal, intent.target, intent.target_name = goal, target, name
        found = cached_plan(facts(p, ship, intent), GOAL_FACTS[goal])
        intent.step = 0
        intent.begin_step(p.time)
        if found is None:
            self._block(intent, p.time)
            return True
        intent.plan = found
        return True

    @staticmethod
    def _block(intent: Intent, now: float) -> None:
        """Give up on a goal for a while (impossible, or failing again and again)."""
        intent.blocked, intent.blocked_until = intent.goal, now + BLOCK_SECONDS
        intent.goal, intent.target, intent.plan = Goal.IDLE, NO_ENTITY, ()
        intent.order = None
        intent.failures = 0

    def _run(self, agent: Agent, p: Perception, ship: OwnShip, out: list[c.Command]) -> str:
        """Work the plan: finish steps that are done, start the next, stop at one that runs."""
        intent = agent.intent
        plan = intent.plan
        if plan is None:
            return ""
        for _ in range(STEPS_PER_DECISION):
            if intent.step >= len(plan):
                self._completed(agent)
                return ""
            action = plan[intent.step]
            status = EXECUTOR_LIST[action](intent, p, ship, out)
            if status == Status.RUNNING:
                return ACTIONS[action].name
            if status == Status.DONE:
                intent.step += 1
                intent.begin_step(p.time)
                continue
            intent.plan = None
            intent.failures += 1
            if intent.failures >= MAX_FAILURES:
                self._block(intent, p.time)
            return ACTIONS[action].name
        return ACTIONS[plan[min(intent.step, len(plan) - 1)]].name if plan else ""

    @staticmethod
    def _completed(agent: Agent) -> None:
        """A plan reached its goal: orders are fulfilled; repeatable goals start over."""
        intent = agent.intent
        intent.failures = 0
        if intent.order is not None and intent.order.kind != OrderKind.FOLLOW:
            intent.order = None
            intent.plan = None
        elif intent.goal == Goal.EARN:  # earning is a round; greeting once is enough
            intent.plan = None

    # -- talk and orders ------------------------------------------------------

    def _command(self, captain: Agent, crew: Crew, now: float, decision: Decision) -> None:
        """An agent captain who changes its mind tells the crew, who obey or refuse it."""
        intent = captain.intent
        kind = CAPTAIN_ORDERS.get(intent.goal, OrderKind.STAND_DOWN)
        hostile = intent.goal in (Goal.REVENGE, Goal.PROTECT)
        order = Order(kind, now, intent.target, intent.target_name, hostile, captain.name)
        if not crew.order(order, self.agents):
            return
        line = f"Crew, {kind.value.replace('_', ' ')} {intent.target_name}".strip() + "!"
        if decision.commands and isinstance(decision.commands[-1], c.Say):
            return  # one line a second: the order still went out over the crew channel
        ship = captain.ship
        if ship is not None:
            decision.commands.append(c.Say(ship=ship, text=line))

    @staticmethod
    def _answer(agent: Agent, p: Perception) -> str | None:
        """Reply to the first line addressed to us (others were overheard, not answered)."""
        for heard in p.heard:
            if heard.to_me:
                held = agent.grudges.named(heard.name, p.time)
                if held is not None and held.now(p.time) >= grudges.SPITE:
                    text = f"{heard.name} spoke to me; I would not talk to them."
                    agent.remember(MemoryKind.ACTION, text, p.time, 4, subject=heard.name)
                    return grudges.snub(heard.name)
                return dialogue.reply(agent, heard, p.time, agent.intent.goal)
        return None

    @staticmethod
    def _greet(agent: Agent, voice: str) -> str:
        to = voice[1:] if voice.startswith("@") and voice != "@all" else ""
        return dialogue.greeting(agent.persona, to)


def _mark(p: Perception) -> int:
    """The nearest ship in flight that is neither a friend nor the law: a mark for a thief."""
    for contact in p.nearby:
        if contact.id not in p.friends and not contact.docked and contact.role not in SAFE_FROM:
            return contact.id
    return NO_ENTITY


def _grudge_in_view(agent: Agent, p: Perception) -> Contact | None:
    """The ship in sensor range we hold the heaviest grudge against, if heavy enough."""
    for held in agent.grudges.held(p.time):
        if held.now(p.time) < grudges.REVENGE_AT:
            return None
        found = p.find(held.ship)
        if found is not None and not found.docked:
            return found
    return None


def _spite(agent: Agent, p: Perception) -> float:
    """Anger at an old wrong whose doer is in sight: the grudge's weight, at most 1."""
    found = _grudge_in_view(agent, p)
    return 0.0 if found is None else min(1.0, agent.grudges.weight(found.id, p.time))


def _said(commands: list[c.Command]) -> bool:
    return any(type(command) is c.Say for command in commands)


def _resolve(goal: Goal, name: str) -> str:
    who = name or "them"
    return {
        Goal.SURVIVE: "I had to get to safety.",
        Goal.PROTECT: f"I went to defend my crew from {who}.",
        Goal.REVENGE: f"I set out to pay {who} back.",
        Goal.STEAL: f"Desperate for credits, I went after {who}.",
        Goal.FLEE: "I ran for it.",
    }.get(goal, f"I decided on {goal.name.lower()}.")
