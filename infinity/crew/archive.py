"""Where minds are kept between runs: the small interface the crew asks of any store.

`company.archive.DatabaseArchive` implements it over the store's database; a
test or another host may bring its own.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from infinity.crew.mind import Minds
from infinity.crew.needs import PurseOf
from infinity.crew.records import MemoryRecord


class Archive(Protocol):
    async def allocate_ids(self, count: int) -> list[int]:
        """`count` fresh agent ids, never handed out before, even across restarts."""
        ...

    async def restore(self, minds: Minds, purse_of: PurseOf) -> None:
        """Load every agent (with its memories and a purse from `purse_of`) and crew."""
        ...

    async def flush(self, minds: Minds, only: Collection[int] | None = None) -> int:
        """Write every agent, crew, new memory and recall time (or only those of the agents
        `only`, and their crews); returns memories written."""
        ...

    async def memories(self, agent_id: int) -> list[MemoryRecord]:
        """One agent's stored memory stream, oldest first."""
        ...
