"""Hailing in local chat: a player's line that names an agent or its ship reaches it anywhere
in the system, one voice answers per ship, and a crowded ship's lines say who is speaking.

The bridge already hands lines said within sensor range to agents, marking those
that name them; this widens a player's hail to the whole system (local chat is
system-wide) and keeps a hailed ship from answering four times.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from infinity.commands import types as c
from infinity.company.bridge import hail
from infinity.crew.agent import Agent
from infinity.crew.crew import Crew
from infinity.crew.happenings import Happening, Seen
from infinity.sim import rules
from infinity.sim.zone import Zone

Said = tuple[int, float, str]  # speaker, when, text: one line of chat


def names(text: str, name: str) -> bool:
    """Whether `text` names `name` as a whole word, whatever the case."""
    return re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE) is not None


def hail_by_name(
    zone: Zone, seen: Iterable[Happening], crew: list[Agent], owners: Mapping[int, int | None]
) -> None:
    """Deliver players' lines that name an agent (or its ship) to that agent, wherever it is
    in the zone, unless it already heard them (within sensor range, from the bridge)."""
    for h in seen:
        if h.kind != Seen.CHAT or owners.get(h.subject) is None:
            continue  # only players hail across the system; crews talk to whom they see
        for agent in crew:
            if _heard(agent, (h.subject, h.at, h.text)) or not _named(zone, agent, h.text):
                continue
            hail(agent, h.subject, h.subject_name, h.text, h.at)


def _heard(agent: Agent, line: Said) -> bool:
    return any((x.speaker, x.at, x.text) == line for x in agent.inbox.heard)


def _named(zone: Zone, agent: Agent, text: str) -> bool:
    info = zone.info.get(agent.ship if agent.ship is not None else -1)
    ship = info.name if info is not None else ""
    return names(text, agent.persona.given_name) or (bool(ship) and names(text, ship))


def one_voice_per_ship(crew: list[Agent], crews: Mapping[int, Crew]) -> None:
    """A line hailing a ship is answered by one of those aboard (its captain if aboard); a line
    naming a person is answered by that person. The others only overhear it."""
    by_ship: dict[int, list[Agent]] = defaultdict(list)
    for agent in crew:
        by_ship[agent.ship if agent.ship is not None else -1].append(agent)
    for people in by_ship.values():
        if len(people) > 1:
            people.sort(key=lambda a: (not _captains(a, crews), a.id))
            _hush(people)


def _captains(agent: Agent, crews: Mapping[int, Crew]) -> bool:
    crew = crews.get(agent.crew) if agent.crew is not None else None
    return crew is not None and crew.captain.agent == agent.id


def _hush(people: list[Agent]) -> None:
    personal: set[Said] = set()
    for agent in people:
        given = agent.persona.given_name
        personal |= {(x.speaker, x.at, x.text) for x in agent.inbox.heard if names(x.text, given)}
    answered: set[Said] = set()
    for agent in people:
        heard = agent.inbox.heard
        for k, line in enumerate(heard):
            said = (line.speaker, line.at, line.text)
            if not line.to_me or names(line.text, agent.persona.given_name):
                continue
            if said in personal or said in answered:
                heard[k] = replace(line, to_me=False)
            else:
                answered.add(said)


def signed(agent: Agent, command: c.Command, crowded: bool) -> c.Command:
    """On a ship with several people aboard, a line says who speaks ("Vega: On my way.")."""
    if not crowded or not isinstance(command, c.Say):
        return command
    text = f"{agent.persona.given_name}: {command.text}"[: rules.SAY_MAX_CHARS]
    return c.Say(ship=command.ship, text=text)
