"""The company: every crew of this host at work in the running universe.

Wiring (see `infinity/embedded.py`):

    company = Company(universe, minds, archive, shipyard, purses=purses, llm=None)
    await company.start()                  # restore the minds, or found the first crews
    tasks.create_task(company.run(stopping))
    ...
    await company.save()                   # after the loops stopped

The company watches every tick of every zone from its constructor on.

Once per simulated second of each zone (zones keep their own, dilating,
clocks), `step` takes what was witnessed, buries the dead, lets the agents
aboard ships in the zones that are due observe and perceive, decides for all
of them in one batch and submits their commands through `Universe.submit`,
the path players' commands take. `run` does that a few times a wall second
and writes the minds to the store every `interval` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import KW_ONLY, dataclass, field
from typing import Final

from infinity._memory import collector_paused
from infinity.commands import types as c
from infinity.commands.internal import Speak
from infinity.company.bridge import bury, observe, perceive
from infinity.company.founding import found_crews
from infinity.company.hailing import hail_by_name, one_voice_per_ship, signed
from infinity.company.refound import refound
from infinity.company.witness import Witness
from infinity.crew.agent import Agent
from infinity.crew.archive import Archive
from infinity.crew.happenings import Happening
from infinity.crew.llm import LlmMind, apply_thought, prompt_for
from infinity.crew.mind import Decision, Minds
from infinity.crew.needs import PurseOf, interim_purse
from infinity.crew.senses import Perception
from infinity.sim import rules
from infinity.sim.zone import TickReport, Zone
from infinity.universe.loop import pause
from infinity.universe.shipyard import Shipyard
from infinity.universe.universe import Universe

log = logging.getLogger(__name__)

DECISION_SECONDS: Final = 1.0  # simulated seconds between two decisions of a zone's agents
POLL_SECONDS: Final = 0.2  # wall seconds between looks at the zones' clocks
WELCOME_SECONDS: Final = 120.0  # simulated seconds a newcomer may wait for a captain's hail
_EPSILON: Final = 1e-6


@dataclass(eq=False, repr=False)
class Company:
    """The minds of this host, the witness of its zones, and the ships its agents ride."""

    universe: Universe
    minds: Minds
    archive: Archive
    shipyard: Shipyard
    _: KW_ONLY
    # Every agent grown, restored or enlisted here spends from these.
    purses: PurseOf = interim_purse
    llm: LlmMind | None = None
    interval: float = 5.0
    witness: Witness = field(init=False, default_factory=Witness)
    # The ships agents ride: the NPC pilots leave them alone.
    ships: set[int] = field(init=False, default_factory=set)
    # Agents in transit to another server (infinity/minds/transfer.py): alive, but they
    # neither perceive nor act here, and are not copied or moved again, until the
    # transfer ends (retired: dead here; returned: back among the living).
    away: set[int] = field(init=False, default_factory=set)
    # zone -> its simulated time at the last decision
    _decided: dict[int, float] = field(init=False, default_factory=dict)
    _seen: defaultdict[int, list[Happening]] = field(
        init=False, default_factory=lambda: defaultdict(list)
    )
    _saving: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _players: set[int] = field(init=False)  # met: no welcome
    # ship -> sim time first unmet, to hail
    _newcomers: dict[int, float | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._players = set(self.universe.ship_of_account.values())
        self.universe.observe(self.witness_tick)

    # -- life cycle -----------------------------------------------------------

    async def start(self) -> None:
        """Restore every mind, crew and memory; found the crews when there are none (the first
        start, or a new galaxy after the kill switch, whose enclaves' minds live on crewless)."""
        await self.archive.restore(self.minds, self.purses)
        if self.minds.agents:
            resume_clocks(self.universe, latest(self.minds))
        if not self.minds.crews:
            await found_crews(self.archive, self.shipyard, self.minds, self.purses)
        from infinity.company.muster import berth  # late: muster builds on the company

        homeless = [a for a in self.minds.agents.values() if a.alive and a.ship is None]
        for agent in [a for a in homeless if a.id not in self.away]:
            await berth(self, agent)
        self.ships.update(a.ship for a in self.minds.agents.values() if a.ship is not None)
        self.ships.update(crew.ship for crew in self.minds.crews.values())
        await self.save()
        living = sum(a.alive for a in self.minds.agents.values())
        log.info(
            "%d crews, %d agents (%d alive)", len(self.minds.crews), len(self.minds.agents), living
        )

    def witness_tick(self, zone: Zone, report: TickReport) -> None:
        """A `Universe` observer: note what each tick showed (a loop over its few events)."""
        self.witness.record(zone, report)

    async def run(self, stopping: asyncio.Event) -> None:
        """Decide for every zone that is due, a few times a wall second; save every interval."""
        async with asyncio.TaskGroup() as tasks:
            thinking = tasks.create_task(self.llm.run()) if self.llm is not None else None
            try:
                await self._keep_watch(stopping)
            finally:
                if thinking is not None:
                    thinking.cancel()

    async def _keep_watch(self, stopping: asyncio.Event) -> None:
        saved = time.monotonic()
        while not await pause(stopping, POLL_SECONDS / self.universe.time_scale):
            try:
                self.step()
            except Exception:  # one bad round must not stop the universe
                log.exception("crew decision round failed")
            if time.monotonic() - saved >= self.interval:
                saved = time.monotonic()
                try:
                    await refound(self)
                    await self.save()
                except Exception:  # retried at the next interval
                    log.exception("saving the crew failed; will retry")

    async def save(self, *only: int) -> int:
        """Write every mind (or only these agents, and their crews) to the store; returns
        the memories written. An operation on one mind saves that mind, not all of them."""
        async with self._saving:
            return await self.archive.flush(self.minds, only or None)

    @contextlib.asynccontextmanager
    async def still(self) -> AsyncIterator[None]:
        """No save runs while the caller holds this: it writes minds to the store itself."""
        async with self._saving:
            yield

    # -- one round ------------------------------------------------------------

    def step(self) -> list[Decision]:
        """One decision round: every zone whose clock moved a simulated second since its last."""
        self._take_happenings()
        self._welcome()
        due = self._due()
        if not due:
            return []
        aboard = self.aboard()
        perceptions: list[Perception] = []
        with collector_paused():
            for zone in due:
                perceptions += self._look(zone, aboard.get(zone.system_id, []))
            decisions = self.minds.decide_all(perceptions) if perceptions else []
        self._carry_out(decisions)
        return decisions

    def _welcome(self) -> None:
        """A newcomer's ship appeared: a crew captain in that system hails them by name, or
        the first captain there within `WELCOME_SECONDS` (crews come and go)."""
        owned = self.universe.ship_of_account
        if len(owned) != len(self._players):
            fresh = [ship for ship in owned.values() if ship not in self._players]
            self._players.update(fresh)
            self._newcomers.update({ship: None for ship in fresh})
        for ship, since in list(self._newcomers.items()):
            zone = self.universe.zone_of(ship)
            info = None if zone is None else zone.info.get(ship)
            if zone is None or info is None or ship in self.universe.hidden:
                del self._newcomers[ship]
                continue
            now = zone.clock.sim_time
            if since is not None and now - since > WELCOME_SECONDS:
                del self._newcomers[ship]  # nobody met them in time: no belated welcome
                continue
            host = self._host(zone)
            if host is not None:
                host.inbox.say.append(welcome(info.name))
                del self._newcomers[ship]
            elif since is None:
                self._newcomers[ship] = now

    def _host(self, zone: Zone) -> Agent | None:
        """The captain of a crew whose ship is in `zone`, to speak for the crews there."""
        for crew in self.minds.crews.values():
            captain = self.minds.agents.get(crew.captain.agent or -1)
            if captain is None or captain.id in self.away:
                continue
            if captain.alive and captain.ship in zone.bodies.row_of:
                return captain
        return None

    def aboard(self) -> dict[int, list[Agent]]:
        """Living agents by the system their ship is in."""
        where = self.universe.where
        out: defaultdict[int, list[Agent]] = defaultdict(list)
        for agent in self.minds.agents.values():
            system = where.get(agent.ship) if agent.ship is not None else None
            if system is not None and agent.death is None and agent.id not in self.away:
                out[system].append(agent)
        return out

    def _take_happenings(self) -> None:
        seen = self.witness.take()
        bury(self.minds, seen)
        for h in seen:
            self._seen[h.system].append(h)
        if self.llm is not None:
            for thought in self.llm.answers():
                agent = self.minds.agents.get(thought.agent)
                if agent is not None:
                    apply_thought(agent, thought, self.now_of(agent))

    def _due(self) -> list[Zone]:
        due = []
        for system, zone in self.universe.zones.items():
            now = zone.clock.sim_time
            if now - self._decided.get(system, -math.inf) >= DECISION_SECONDS - _EPSILON:
                self._decided[system] = now
                due.append(zone)
        return due

    def _look(self, zone: Zone, crew: list[Agent]) -> list[Perception]:
        seen = self._seen.pop(zone.system_id, [])
        here = zone.bodies.row_of
        crew = [a for a in crew if a.ship in here]
        if not crew:
            return []
        observe(self.minds, zone, seen, crew)
        crew = [a for a in crew if a.alive]
        hail_by_name(zone, seen, crew, self.universe.owners)
        one_voice_per_ship(crew, self.minds.crews)
        if self.llm is not None:
            self._think_aloud(self.llm, zone, crew)
        universe = self.universe
        return perceive(self.minds, zone, self.witness, crew, universe.hidden, universe.roles)

    def _think_aloud(self, llm: LlmMind, zone: Zone, crew: list[Agent]) -> None:
        """Lines said to an agent go to the language model; the CPU mind answers the rest. The
        model may also add to the CPU mind's reflections and overrule its verdicts on orders."""
        now = zone.clock.sim_time
        for agent in crew:
            llm.muse(agent, now)
            heard = agent.inbox.heard
            for line in [x for x in heard if x.to_me]:
                if llm.ask(prompt_for(agent, self.minds.needs_of(agent.id), now, line)):
                    heard.remove(line)

    def _carry_out(self, decisions: list[Decision]) -> None:
        agents = self.minds.agents
        riders: defaultdict[int, int] = defaultdict(int)
        for agent in agents.values():
            if agent.alive and agent.ship is not None:
                riders[agent.ship] += 1
        submit, owners = self.universe.submit, self.universe.owners
        for decision in decisions:
            agent = agents[decision.agent]
            for command in decision.commands:
                if isinstance(command, c.Say) and owners.get(command.ship) is not None:
                    # a recruit aboard a player's ship speaks as itself, not as the player
                    submit(Speak(ship=command.ship, speaker=agent.name, text=command.text))
                    continue
                submit(signed(agent, command, riders[command.ship] > 1))

    def now_of(self, agent: Agent) -> float:
        """The simulated time where the agent is (0 if its ship is nowhere)."""
        zone = self.universe.zone_of(agent.ship) if agent.ship is not None else None
        return zone.clock.sim_time if zone is not None else 0.0


def welcome(name: str) -> str:
    """A crew's hail to a new pilot: where the work is, and what we are."""
    return (
        f"Welcome out here, {name}. There's a belt on your sensors: W undocks, M mines, U sells."
        " Keep your credits close; not everyone out here is honest."
    )[: rules.SAY_MAX_CHARS]


def latest(minds: Minds) -> float:
    """The latest simulated time any mind remembers (memories, recalls, deaths)."""
    found = 0.0
    for agent in minds.agents.values():
        n = len(agent.memory)
        if n:
            found = max(found, float(agent.memory.at[:n].max()))
            found = max(found, float(agent.memory.last_access[:n].max()))
        if agent.death is not None:
            found = max(found, agent.death.at)
    return found


def resume_clocks(universe: Universe, at: float) -> None:
    """Zones count simulated time from 0 at every start; minds remember across starts, so the
    zones resume from the latest remembered moment (until the universe keeps its own time)."""
    for zone in universe.zones.values():
        zone.clock.sim_time = max(zone.clock.sim_time, at)
