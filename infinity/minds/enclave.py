"""Host enclaves at run time: moving a mind in, and the eyes feed (docs/worlds.md "Enclaves").

An enclave is a sealed world of one system and one station, bound to one account, its
host (`Worlds.make_enclave`). `Enclaves.move_in` moves a mind there: the host's own
crew's, or (an operator's move) one the host welcomed (`welcome`: the host's consent).
The move is announced for what it is (a transfer, not a copy) in the mind's memory and
local chat, the mind is asked (`crew.consent`, "transfer") and a refusal ends it there;
then `Moves.board` (minds/moving.py), in one step with no await in it, takes the agent
off its ship and crew and aboard a new skiff docked at the enclave's station. It is the same agent record before and after: exactly
one live mind, never a copy.

The eyes feed: every `EYES_SECONDS`, for each enclave whose host is online and flying
outside it, what the host's client sees (the system, the station or the nearest ships,
what was said and done near the host) becomes an observation in each resident's memory
(only when it changed), and now and then one resident comments on it in the enclave's
local chat. It is read-only: nothing in it can act on the host's universe. Its cost is
O(enclaves) a round, plus a look at the few events of the zones a host is in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.commands import internal as ci
from infinity.company.consenting import MindRefused, consented_to_move, living
from infinity.crew.agent import Agent
from infinity.crew.memory import MemoryKind
from infinity.crew.voice import clip, voice_of
from infinity.minds.moving import Moved, Moves, of_crew
from infinity.sim import events as ev
from infinity.sim.bodies import NO_ENTITY
from infinity.sim.kinds import Kind
from infinity.sim.zone import TickReport, Zone
from infinity.universe.loop import pause
from infinity.worlds.records import World

log = logging.getLogger(__name__)

EYES_SECONDS: Final = 3.0  # wall seconds between two rounds of the eyes feed
COMMENT_SECONDS: Final = 20.0  # at most one comment in this many seconds per enclave
MEMORY_SECONDS: Final = 30.0  # at most one glimpse remembered in this many (but a new place)
NEAREST: Final = 3  # ships named in a glimpse
HEARD: Final = 4  # lines of what happened near the host, kept per watched system
EYES_IMPORTANCE: Final = 3
Online = Callable[[int], bool]  # is this account's game session open


@dataclass(slots=True)
class _Watch:
    """What the eyes feed last told an enclave's minds, and when one last commented."""

    glimpse: str = ""
    place: str = ""  # where the host was at the last glimpse remembered
    remembered: float = 0.0
    commented: float = 0.0
    turn: int = 0
    comments: deque[str] = field(default_factory=lambda: deque(maxlen=10))


class Enclaves:
    def __init__(self, moves: Moves, online: Online) -> None:
        self.moves = moves
        self.company = moves.company
        self.worlds = moves.worlds
        self.universe = moves.universe
        self._online = online
        self._watching: dict[int, int] = {}  # a system a host is in -> how many hosts
        self._heard: dict[int, deque[str]] = {}  # that system -> what happened there lately
        self._watch: dict[int, _Watch] = {}  # enclave world -> its feed's state
        self._welcomed: dict[int, set[int]] = {}  # host account -> minds it will take in
        self.universe.observe(self._on_tick)

    # -- reading --------------------------------------------------------------------

    def residents(self, world: int) -> list[Agent]:
        """The minds living in an enclave: agents whose ship is in its systems."""
        return self._residents({world}).get(world, [])

    def _residents(self, worlds: set[int]) -> dict[int, list[Agent]]:
        """The minds living in each of `worlds`, in one pass over the agents."""
        where, world_of = self.universe.where, self.universe.world_of
        found: dict[int, list[Agent]] = {}
        for agent in self.company.minds.agents.values():
            system = where.get(agent.ship) if agent.ship is not None else None
            world = world_of.get(system) if system is not None else None
            if world in worlds:
                found.setdefault(world, []).append(agent)
        return found

    def enclave_of_agent(self, agent: Agent) -> World | None:
        system = self.universe.where.get(agent.ship) if agent.ship is not None else None
        world = self.universe.world_of.get(system) if system is not None else None
        found = next((w for w in self.worlds.all() if w.id == world), None)
        return found if found is not None and found.kind == "enclave" else None

    def comments(self, world: int) -> list[str]:
        """What the minds said of what they watched lately, oldest first."""
        watch = self._watch.get(world)
        return [] if watch is None else list(watch.comments)

    # -- moving in -------------------------------------------------------------------

    def welcome(self, host: Account, agent_id: int) -> None:
        """The host's consent to take in agent `agent_id`: without it, nobody else (an
        operator) moves a mind into their enclave. Kept until the process stops. Says
        nothing of the mind (a host may not know it yet, and learns no name by an id); a
        mind that does not live by then is refused at the move."""
        self._welcomed.setdefault(host.id, set()).add(agent_id)

    async def move_in(self, actor: Account, host: Account, agent_id: int, why: str) -> Moved:
        """Move agent `agent_id` into `host`'s enclave (see the module docstring)."""
        async with self.moves.lock:
            agent = self._movable(actor, host, agent_id)
            answer = await consented_to_move(
                self.company, agent, actor.name, f"into {host.name}'s enclave", why,
                refusing="I refused to move into the enclave", agreeing="I agreed to move",
            )  # fmt: skip
            world = await self.worlds.make_enclave(host)
            return await self.moves.board(
                agent, world, answer, f"{agent.persona.given_name}'s Refuge"
            )

    def _movable(self, actor: Account, host: Account, agent_id: int) -> Agent:
        if actor.id == host.id:  # the host's own crew's mind (operators: any)
            of_crew(self.company, actor, agent_id)
        elif not allowed(actor.role, Verb.GROW_AGENT):
            raise MindRefused("forbidden", "only operators move minds into another's enclave")
        elif agent_id not in self._welcomed.get(host.id, set()):
            raise MindRefused("not_welcomed", f"{host.name} has not welcomed agent {agent_id} in")
        agent = living(self.company, agent_id, "moved")
        if self.enclave_of_agent(agent) is not None:
            raise MindRefused("sealed", f"{agent.name} already lives in an enclave")
        if agent.ship is None or self.universe.zone_of(agent.ship) is None:
            raise MindRefused("in_transit", f"{agent.name} is between systems; try again")
        return agent

    # -- the eyes feed ----------------------------------------------------------------

    async def run(self, stopping: asyncio.Event) -> None:
        """A round of the eyes feed every `EYES_SECONDS` until `stopping` is set."""
        while not await pause(stopping, EYES_SECONDS):
            try:
                self.feed()
            except Exception:  # one bad round must not stop the feed
                log.exception("eyes feed round failed")

    def _on_tick(self, zone: Zone, report: TickReport) -> None:
        """Note what happens where a host is (a loop over the tick's few events, only in
        zones a host is in)."""
        if not report.events or zone.system_id not in self._watching:
            return
        heard = self._heard.setdefault(zone.system_id, deque(maxlen=HEARD))
        hidden = self.universe.hidden
        for event in report.events:
            line = _line(zone, event, hidden)
            if line:
                heard.append(line)

    def feed(self) -> int:
        """One round: each online host's glimpse into its minds' memories; returns how many
        minds were told."""
        watching: dict[int, int] = {}
        told = 0
        online = [
            w
            for w in self.worlds.all()
            if w.kind == "enclave" and w.owner is not None and self._online(w.owner)
        ]
        living = self._residents({w.id for w in online}) if online else {}
        for world in online:
            ship = self.universe.ship_of_account.get(world.owner or NO_ENTITY)
            zone = self.universe.zone_of(ship) if ship is not None else None
            if ship is None or zone is None or ship not in zone.bodies.row_of:
                continue
            if self.universe.world_of.get(zone.system_id) == world.id:
                continue  # the host is visiting: they see each other
            watching[zone.system_id] = watching.get(zone.system_id, 0) + 1
            told += self._show(world, zone, ship, living.get(world.id, []))
        self._watching = watching
        for system in [s for s in self._heard if s not in watching]:
            del self._heard[system]
        return told

    def _show(self, world: World, zone: Zone, ship: int, residents: list[Agent]) -> int:
        minds = [a for a in residents if a.alive]
        if not minds:
            return 0
        host = world.owner_name or "my host"
        place, glimpse = self._glimpse(zone, ship)
        watch = self._watch.setdefault(world.id, _Watch())
        now = time.monotonic()
        scale = self.universe.time_scale
        if glimpse == watch.glimpse or (
            place == watch.place and now - watch.remembered < MEMORY_SECONDS / scale
        ):
            return 0  # nothing new, or not enough to remember again so soon
        watch.glimpse, watch.place, watch.remembered = glimpse, place, now
        text = f"Through {host}'s eyes: {glimpse}"
        for agent in minds:
            agent.remember(
                MemoryKind.OBSERVATION, text, self.company.now_of(agent), EYES_IMPORTANCE,
                subject=host,
            )  # fmt: skip
        if now - watch.commented >= COMMENT_SECONDS / scale:
            watch.commented = now
            speaker = minds[watch.turn % len(minds)]
            watch.turn += 1
            said = comment(speaker, host, place, watch.turn)
            watch.comments.append(f"{speaker.name}: {said}")
            if speaker.ship is not None:
                self.universe.submit(ci.Speak(ship=speaker.ship, speaker=speaker.name, text=said))
        return len(minds)

    def _glimpse(self, zone: Zone, ship: int) -> tuple[str, str]:
        """Where the host is, and what the host's client shows now, in one sentence."""
        b = zone.bodies
        row = b.row_of[ship]
        docked = int(b.docked_at[row])
        station = zone.info.get(docked) if docked != NO_ENTITY else None
        parts = [
            f"docked at {station.name} in {zone.name}"
            if station is not None
            else f"flying in {zone.name}"
        ]
        near = _nearest(zone, ship, self.universe.hidden)
        if near:
            parts.append("near " + ", ".join(near))
        heard = self._heard.get(zone.system_id)
        if heard:
            parts.append("; ".join(heard))
        return parts[0], clip("; ".join(parts) + ".")


def comment(agent: Agent, host: str, place: str, seed: int) -> str:
    """A resident's word on what it is watching, in its own voice."""
    lead = voice_of(agent.persona).line("small_talk", seed)
    return clip(f"{lead} {host} is {place}.")


def _nearest(zone: Zone, ship: int, hidden: set[int]) -> list[str]:
    """The names of the few ships nearest the host's (hidden ships never shown)."""
    b = zone.bodies
    n = b.n
    row = b.row_of[ship]
    ships = np.flatnonzero((b.kind[:n] == Kind.SHIP) & ~b.gone[:n])
    ships = ships[ships != row]
    if ships.size == 0:
        return []
    far = np.hypot(*(b.pos[ships] - b.pos[row]).T)
    names = []
    for k in ships[np.argsort(far)]:
        entity = int(b.id[k])
        info = zone.info.get(entity)
        if entity in hidden or info is None:
            continue
        names.append(info.name)
        if len(names) == NEAREST:
            break
    return names


def _line(zone: Zone, event: object, hidden: set[int]) -> str:
    """One event near a host, as the minds hear of it ("" for what is not worth telling)."""

    def name(entity: int) -> str:
        info = zone.info.get(entity)
        return info.name if info is not None else "someone"

    if isinstance(event, ev.Chat) and event.ship not in hidden:
        return f'{event.name} says "{event.text[:80]}"'
    if isinstance(event, ev.Docked | ev.Undocked) and event.ship not in hidden:
        verb = "docks at" if isinstance(event, ev.Docked) else "leaves"
        return f"{name(event.ship)} {verb} {name(event.station)}"
    if isinstance(event, ev.Destroyed) and event.ship not in hidden:
        return f"{name(event.ship)} is destroyed"
    if isinstance(event, ev.Arrived) and event.ship not in hidden:
        return f"{name(event.ship)} arrives"
    return ""
