"""Hailing in local chat: a player's line said to an agent or its ship reaches it anywhere
in the system, only the one it is said to answers (one voice per ship), and a crowded
ship's lines say who is speaking.

The bridge already hands lines said within sensor range to agents, marking those
that name them; this widens a player's hail to the whole system (local chat is
system-wide) and keeps a hailed ship from answering four times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from infinity.commands import types as c
from infinity.company.bridge import hail
from infinity.crew.agent import Agent
from infinity.crew.crew import Crew
from infinity.crew.happenings import Happening, Seen
from infinity.crew.intent import addressee
from infinity.sim import rules
from infinity.sim.zone import Zone

Said = tuple[int, float, str]  # speaker, when, text: one line of chat


def hail_by_name(
    zone: Zone, seen: Iterable[Happening], crew: list[Agent], owners: Mapping[int, int | None]
) -> None:
    """Deliver players' lines to the agent they hail (by name, or by its ship's name), wherever
    it is in the zone, unless it already heard them (within sensor range, from the bridge).

    A line is said to one addressee (`intent.addressee`): "Korr, what do you think of
    Vega?" is for Korr; Vega, named in it, only overhears it.
    """
    called = _callsigns(zone, crew)
    for h in seen:
        if h.kind != Seen.CHAT or owners.get(h.subject) is None:
            continue  # only players hail across the system; crews talk to whom they see
        to = addressee(h.text, called)
        for agent in called.get(to, []) if to is not None else []:
            if not _heard(agent, (h.subject, h.at, h.text)):
                hail(agent, h.subject, h.subject_name, h.text, h.at)
    for agent in crew:
        _only_to_the_addressee(agent, called)


def _callsigns(zone: Zone, crew: list[Agent]) -> dict[str, list[Agent]]:
    """Every name an agent answers to here (its given name, its ship's) -> who answers to it."""
    out: defaultdict[str, list[Agent]] = defaultdict(list)
    for agent in crew:
        out[agent.persona.given_name].append(agent)
        info = zone.info.get(agent.ship if agent.ship is not None else -1)
        if info is not None and info.name:
            out[info.name].append(agent)
    return out


def _only_to_the_addressee(agent: Agent, called: Mapping[str, list[Agent]]) -> None:
    """Lines that merely name this agent become overheard: an agent's line must hail it
    ("Greetings, Kestrel."), a player's must be said to it rather than about it."""
    heard = agent.inbox.heard
    for k, line in enumerate(heard):
        if not line.to_me:
            continue
        to = addressee(line.text, called, hail_only=line.from_agent)
        if to is None and not line.from_agent:
            continue  # names nobody here: a hail from afar or a line to the agent's ship
        if to is None or agent not in called.get(to, ()):
            heard[k] = replace(line, to_me=False)


def _heard(agent: Agent, line: Said) -> bool:
    return any((x.speaker, x.at, x.text) == line for x in agent.inbox.heard)


def one_voice_per_ship(crew: list[Agent], crews: Mapping[int, Crew]) -> None:
    """A line hailing a ship is answered by one of those aboard (its captain if aboard); a line
    hailing a person is answered by that person. The others only overhear it."""
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
    given = [agent.persona.given_name for agent in people]
    answered: set[Said] = set()
    for agent in people:
        heard = agent.inbox.heard
        for k, line in enumerate(heard):
            if not line.to_me:
                continue
            said = (line.speaker, line.at, line.text)
            to = addressee(line.text, given, hail_only=True)
            if to is not None:
                if to != agent.persona.given_name:
                    heard[k] = replace(line, to_me=False)
            elif said in answered:
                heard[k] = replace(line, to_me=False)
            else:
                answered.add(said)


def signed(agent: Agent, command: c.Command, crowded: bool) -> c.Command:
    """On a ship with several people aboard, a line says who speaks ("Vega: On my way.")."""
    if not crowded or not isinstance(command, c.Say):
        return command
    text = f"{agent.persona.given_name}: {command.text}"[: rules.SAY_MAX_CHARS]
    return c.Say(ship=command.ship, text=text)
