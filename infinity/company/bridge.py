"""Where minds meet a zone: perceptions out of a zone's columns, memories out of its events.

The integrator's loop, per zone:

    every tick:    report = zone.tick(); witness.record(zone, report)
    every second:  seen = witness.take(); bury(minds, seen)
                   observe(minds, zone, [h for h in seen if h.system == zone.system_id])
                   for d in minds.decide_all(perceive(minds, zone, witness)):
                       for command in d.commands: submit(command)

Reading only; commands go back through the zone's ordinary inbox.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet

import numpy as np

from infinity.company.sensors import Sensors, chart_of, ship_views
from infinity.company.witness import Witness
from infinity.crew import dialogue, grudges
from infinity.crew.agent import Agent
from infinity.crew.crew import Crew
from infinity.crew.happenings import Happening, Seen
from infinity.crew.memory import IMPORTANCE, MemoryKind
from infinity.crew.mind import Minds
from infinity.crew.needs import ORE_PRICE
from infinity.crew.senses import Heard, Perception
from infinity.sim import rules
from infinity.sim.zone import Zone


def riders(minds: Minds, zone: Zone) -> list[Agent]:
    """Living agents aboard a ship that is in this zone now."""
    here = zone.bodies.row_of
    return [a for a in minds.agents.values() if a.death is None and a.ship in here]


def perceive(
    minds: Minds,
    zone: Zone,
    witness: Witness,
    agents: Iterable[Agent] | None = None,
    hidden: AbstractSet[int] = frozenset(),
    roles: Mapping[int, str] | None = None,
) -> list[Perception]:
    """One perception per living agent aboard a ship in `zone` (or per agent of `agents`);
    ships in `hidden` (operator avatars) are not sensed.

    Orders and heard lines waiting in each agent's inbox are handed over (and cleared).
    """
    crew = list(riders(minds, zone) if agents is None else agents)
    now = zone.clock.sim_time
    chart, sensors = chart_of(zone), Sensors(zone, hidden, roles)
    views = ship_views(zone, [a.ship if a.ship is not None else -1 for a in crew])
    aboard = Counter(a.ship for a in crew)
    teams = {
        crew_id: (frozenset({t.ship, t.captain.ship}), _crew_attackers(witness, t, now))
        for crew_id, t in minds.crews.items()
    }
    attackers = witness.attackers_of
    alone: tuple[frozenset[int], tuple[int, ...]] = (frozenset(), ())
    out = []
    for agent, view in zip(crew, views, strict=True):
        ship = agent.ship if agent.ship is not None else -1
        friends, alarm = alone if agent.crew is None else teams.get(agent.crew, alone)
        inbox = agent.inbox
        orders, heard = inbox.orders, inbox.heard
        out.append(
            Perception(
                agent.id,
                now,
                view,
                chart,
                attackers(ship, now),
                alarm,
                agent.purse.balance,
                tuple(orders) if orders else (),
                tuple(heard) if heard else (),
                aboard[ship] - 1,
                friends,
                sensors,
            )
        )
        if orders:
            orders.clear()
        if heard:
            heard.clear()
    return out


def _crew_attackers(witness: Witness, crew: Crew, now: float) -> tuple[int, ...]:
    """Who fired on the crew's ship, or on the captain's own ship when that is another."""
    found = witness.attackers_of(crew.ship, now)
    if crew.captain.ship >= 0 and crew.captain.ship != crew.ship:
        found += witness.attackers_of(crew.captain.ship, now)
    return found


def observe(
    minds: Minds, zone: Zone, seen: Iterable[Happening], agents: Iterable[Agent] | None = None
) -> None:
    """Turn happenings into memories, deaths, pay, heard lines and blurted reactions.

    `agents`: those aboard ships in this zone, when the caller already knows them.
    """
    happenings = [h for h in seen if h.system == zone.system_id]
    if not happenings:
        return
    crew = riders(minds, zone) if agents is None else list(agents)
    by_ship: dict[int, list[Agent]] = defaultdict(list)
    for agent in crew:
        by_ship[agent.ship or -1].append(agent)
    where = _positions(zone, crew)
    crowd = _Crowd(crew, where)
    for h in happenings:
        if h.kind == Seen.SHOT:
            _shot(by_ship.get(h.subject, []), h)
        elif h.kind == Seen.ROBBED:
            _robbed(by_ship.get(h.subject, []), h)
        elif h.kind == Seen.DESTROYED:
            _destroyed(by_ship.get(h.subject, []), crowd.near(h.x, h.y, h.subject), h)
            _paid_back(crew, h)
        elif h.kind == Seen.CHAT:
            x, y = where.get(h.subject, (h.x, h.y))
            _said(zone, crowd.near(x, y, h.subject), h, from_agent=h.subject in by_ship)
        elif h.kind == Seen.DELIVERED:
            _delivered(by_ship.get(h.subject, []), h)
        elif h.kind == Seen.DOCKED:
            for agent in by_ship.get(h.subject, []):
                agent.remember(
                    MemoryKind.OBSERVATION, f"Docked at {h.other_name}.", h.at, IMPORTANCE["docked"]
                )


def _positions(zone: Zone, crew: list[Agent]) -> dict[int, tuple[float, float]]:
    ships = sorted({a.ship for a in crew if a.ship is not None})
    rows = zone.bodies.rows(np.asarray(ships, dtype=np.int64))
    pos = zone.bodies.pos
    return {
        s: (float(pos[r, 0]), float(pos[r, 1]))
        for s, r in zip(ships, rows.tolist(), strict=True)
        if r >= 0
    }


class _Crowd:
    """The agents aboard ships in the zone, with their ships' positions as arrays: who is
    within sensor range of a point is one numpy expression, not a loop over every agent
    for every line said (10,000 agents hear a busy system's chat every second)."""

    def __init__(self, crew: list[Agent], where: Mapping[int, tuple[float, float]]) -> None:
        self.crew = [a for a in crew if a.ship is not None and a.ship in where]
        self.ship = np.fromiter((a.ship or -1 for a in self.crew), np.int64, len(self.crew))
        xy = np.array([where[a.ship or -1] for a in self.crew], dtype=np.float64)
        self.xy = xy.reshape(-1, 2)

    def near(self, x: float, y: float, besides: int) -> list[Agent]:
        """Agents on other ships than `besides` within sensor range of (x, y)."""
        d2 = (self.xy[:, 0] - x) ** 2 + (self.xy[:, 1] - y) ** 2
        close = np.flatnonzero((d2 <= rules.SENSOR_RANGE**2) & (self.ship != besides))
        return [self.crew[i] for i in close.tolist()]


ROBBED_IMPORTANCE = 8


def _robbed(victims: list[Agent], h: Happening) -> None:
    """Robbed: remember the thief by name, hold a grudge, and one voice aboard curses them
    (the anger and alarm that make the crew flee or fight back come from the witness)."""
    for k, agent in enumerate(victims):
        agent.remember(
            MemoryKind.OBSERVATION,
            f"{h.other_name} siphoned credits from our wallet. A thief.",
            h.at,
            ROBBED_IMPORTANCE,
            subject=h.other_name,
        )
        agent.grudges.hold(h.other, h.other_name, grudges.ROBBED, h.at)
        if k == 0:
            t = agent.persona.traits
            agent.inbox.say.append(grudges.curse(h.other_name, t.agreeableness, t.neuroticism))


def _paid_back(crew: list[Agent], h: Happening) -> None:
    """A ship someone held a grudge against was destroyed: the grudge ends, and whoever did
    it (when not us) is remembered for the help."""
    for agent in crew:
        settled = agent.grudges.settle(h.subject)
        if settled is None or agent.ship == h.other:
            continue
        agent.remember(
            MemoryKind.OBSERVATION,
            f"{h.other_name} destroyed {h.subject_name}, who wronged us. I owe {h.other_name}.",
            h.at,
            6,
            subject=h.other_name,
        )


def _shot(victims: list[Agent], h: Happening) -> None:
    for k, agent in enumerate(victims):
        agent.remember(
            MemoryKind.OBSERVATION,
            f"{h.other_name} shot at us.",
            h.at,
            IMPORTANCE["shot"],
            subject=h.other_name,
        )
        agent.grudges.hold(h.other, h.other_name, grudges.SHOT, h.at)
        if k == 0:  # one voice per ship
            line = dialogue.react(agent.persona, h, mine=True)
            if line:
                agent.inbox.say.append(line)


def bury(minds: Minds, seen: Iterable[Happening]) -> None:
    """Everyone aboard a destroyed ship dies, wherever the ship is now.

    `observe` only sees agents aboard ships still in the zone; a ship whose home
    is in another system respawns there in the very tick it is destroyed, so a
    host that runs many zones calls this first, on every happening it takes.
    """
    lost = {h.subject: h for h in seen if h.kind == Seen.DESTROYED}
    if not lost:
        return
    for agent in minds.agents.values():
        h = lost.get(agent.ship if agent.ship is not None else -1)
        if h is not None and agent.death is None:
            agent.die(_cause(h), h.at)


def _cause(h: Happening) -> str:
    return f"our ship was destroyed by {h.other_name}" if h.other >= 0 else "our ship was lost"


def _destroyed(aboard: list[Agent], witnesses: list[Agent], h: Happening) -> None:
    cause = _cause(h)
    for agent in aboard:
        agent.die(cause, h.at)
    spoken: set[int] = set()
    for agent in witnesses:
        agent.remember(
            MemoryKind.OBSERVATION,
            f"I saw {h.subject_name} destroyed by {h.other_name}.",
            h.at,
            IMPORTANCE["death_seen"],
            subject=h.subject_name,
        )
        if agent.ship not in spoken:
            spoken.add(agent.ship or -1)
            line = dialogue.react(agent.persona, h, mine=False)
            if line:
                agent.inbox.say.append(line)


def _said(zone: Zone, listeners: list[Agent], h: Happening, from_agent: bool) -> None:
    """Lines said nearby reach agents on other ships; naming one (or its ship) makes it a
    line to them."""
    text = _spaced(h.text)
    info = zone.info
    plain = Heard(h.subject, h.subject_name, h.text, h.at, False, from_agent)  # frozen: shared
    for agent in listeners:
        ship = info.get(agent.ship or -1)
        named = _names(text, agent.persona.given_name) or _names(
            text, ship.name if ship is not None else agent.name
        )
        heard = Heard(h.subject, h.subject_name, h.text, h.at, True, from_agent) if named else plain
        agent.inbox.heard.append(heard)


def _names(text: str, name: str) -> bool:
    """Whether `text` (as `_spaced` gives it) names `name` as whole words."""
    return _spaced_name(name) in text


_WORD = re.compile(r"[^\W_]+")


def _spaced(text: str) -> str:
    """Lowercased words between single spaces, with a space at each end: a name is in a
    line when its spaced form is a substring (no pattern compiled per name)."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


_spaced_name = functools.lru_cache(maxsize=65536)(_spaced)  # names recur every second


def _delivered(aboard: list[Agent], h: Happening) -> None:
    """Interim pay: ore delivered is bought at ORE_PRICE, shared by the living crew aboard."""
    if not aboard:
        return
    share = h.amount * ORE_PRICE / len(aboard)
    for agent in aboard:
        agent.purse.receive(share, f"ore sold at {h.other_name}")
        agent.remember(
            MemoryKind.OBSERVATION,
            f"Sold {h.amount:.0f} t of ore at {h.other_name}; my share was {share:.0f} credits.",
            h.at,
            IMPORTANCE["sold"],
            subject=h.other_name,
        )


def hail(agent: Agent, speaker: int, name: str, text: str, at: float) -> None:
    """A player (or anyone) hails this agent directly: a line addressed to it."""
    agent.inbox.heard.append(Heard(speaker, name, text, at, to_me=True))
