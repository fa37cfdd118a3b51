"""An agent: one crew member's whole self (genome, persona, memories, purse, intent, fate).

The vectorised needs and the decision loop live in `Minds`; this is the
per-person record they act for, and what the store saves and loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from infinity.commands import types as c
from infinity.crew.embed import Embedder
from infinity.crew.genome import Persona, normalise, persona
from infinity.crew.grudges import Grudges
from infinity.crew.lineage import Lineage, genome_key
from infinity.crew.memory import Memory, MemoryKind, MemoryStream
from infinity.crew.needs import Balance, Purse
from infinity.crew.orders import Order
from infinity.crew.senses import Heard
from infinity.crew.steps import Intent

if TYPE_CHECKING:
    from infinity.crew.consent import Consent

CommandTypes = frozenset[type[c.Command]]


@dataclass(frozen=True, slots=True)
class Death:
    """How and when an agent died. Dead is forever."""

    cause: str
    at: float


@dataclass(slots=True)
class Inbox:
    """What reached the agent between decisions: orders, lines said to or near it, lines to say."""

    orders: list[Order] = field(default_factory=list)
    heard: list[Heard] = field(default_factory=list)
    say: list[str] = field(default_factory=list)


class Agent:
    """A crew member. `ship` is the ship it is aboard; `duties` the command types its station
    may send (None: all, as for an agent flying alone)."""

    def __init__(
        self,
        agent_id: int,
        genome: str,
        *,
        purse: Purse | None = None,
        embedder: Embedder | None = None,
        grown: Persona | None = None,
        lineage: Lineage | None = None,
    ) -> None:
        self.id = agent_id
        self.genome = normalise(genome)
        self.persona = grown if grown is not None else persona(self.genome)
        self.lineage = lineage if lineage is not None else Lineage(genome=genome_key(self.genome))
        self.consents: list[Consent] = []  # every answer to a copy or a move (consent.py)
        self.memory = MemoryStream(embedder)
        self.purse: Purse = purse if purse is not None else Balance()
        self.ship: int | None = None
        self.crew: int | None = None
        self.duties: CommandTypes | None = None
        self.intent = Intent()
        self.inbox = Inbox()
        self.grudges = Grudges()  # wrongs held against other ships, fading (grudges.py)
        self.death: Death | None = None
        self.stored_memories = 0  # memories the store already holds (ids below this)

    def __repr__(self) -> str:
        return f"Agent({self.id}, {self.name!r}, alive={self.alive})"

    @property
    def name(self) -> str:
        return self.persona.name

    @property
    def alive(self) -> bool:
        return self.death is None

    def remember(
        self,
        kind: MemoryKind,
        text: str,
        at: float,
        importance: int | None = None,  # None: scored from the text
        *,
        subject: str = "",
    ) -> Memory:
        """Add a memory, and reflect if enough has happened since the last reflection."""
        memory = self.memory.add(kind, text, at, importance, subject=subject)
        if self.memory.reflection_due:
            self.memory.reflect(at)
        return memory

    def die(self, cause: str, at: float) -> None:
        """Die for good: the mind stays as a record (memories, persona), but never acts again."""
        if self.death is not None:
            return
        self.remember(MemoryKind.OBSERVATION, f"I died: {cause}.", at, 10)
        self.death = Death(cause, at)
        self.intent = Intent()
        self.inbox = Inbox()
