"""The builder in the Heart at work: a brief becomes a plan, shown, then run or cancelled.

`Commissions.propose` asks the builder (`builder.plan`, or the language model
when one is configured) for a plan of one world and keeps it, unrun. Only the
account that asked (or an operator) may `start` it: the builder then carries it
out step by step through `Works.build`, under that account's permissions and
audit (each entry names the builder), narrating each step into the plan's log.
`cancel` stops a proposed plan, or a running one before its next step. The
builder refuses what it may not do (its refusal is the answer); a step that the
works refuse ends the plan there.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from typing import Final, Literal

from infinity.accounts.permissions import Verb, allowed
from infinity.accounts.records import Account
from infinity.galaxy.heart import is_heart
from infinity.worlds.builder import (
    Limits,
    Model,
    Plan,
    Refusal,
    Site,
    SiteSystem,
    builder_persona,
    plan_with_llm,
)
from infinity.worlds.service import WorldRefused
from infinity.worlds.works import Works

log = logging.getLogger(__name__)

KEPT: Final = 50  # plans remembered per server (the oldest not running are forgotten)
OPEN_EACH: Final = 5  # proposed, not yet run or cancelled, per account
STEP_SECONDS: Final = 0.25  # between steps, so players see the world grow

Status = Literal["proposed", "running", "done", "cancelled", "failed"]


@dataclass(slots=True)
class Commission:
    """One plan for one world, and how far it has got."""

    id: int
    world: int
    account: int
    plan: Plan
    status: Status = "proposed"
    done: int = 0  # steps carried out
    log: list[str] = field(default_factory=list)  # the builder's narration, step by step
    error: str = ""


class Commissions:
    def __init__(self, works: Works, llm: Model | None = None) -> None:
        self._works = works
        self._llm = llm
        self._ids = itertools.count(1)
        self._kept: dict[int, Commission] = {}
        self._group: asyncio.TaskGroup | None = None
        self.builder = builder_persona().name

    async def run(self, stopping: asyncio.Event) -> None:
        """Own the plans being carried out until `stopping` is set; then each stops before
        its next step (cancelled, saying why) and this returns when they have."""
        async with asyncio.TaskGroup() as group:
            self._group = group
            await stopping.wait()
            self._group = None
            for commission in self._kept.values():
                if commission.status == "running":
                    commission.status = "cancelled"
                    commission.log.append(f"{self.builder}: the server is stopping; I stop here.")

    async def propose(self, actor: Account, world_id: int, brief: str) -> Commission | Refusal:
        """A plan for `brief` in world `world_id`, shown and not yet run."""
        world = self._works.worlds.get(actor, world_id)
        if not self._works.may_build(actor, world):
            raise WorldRefused("not_builder", f"you may not build in {world.name}")
        waiting = [
            c for c in self._kept.values() if c.account == actor.id and c.status == "proposed"
        ]
        if len(waiting) >= OPEN_EACH:
            raise WorldRefused("limit", f"run or cancel one of your {OPEN_EACH} plans first")
        limits = Limits(max_systems=self._works.worlds.limits.systems)
        if world.kind == "main":
            limits = Limits()
        planned = await plan_with_llm(brief, self._site(world_id), limits, world.rules, self._llm)
        if isinstance(planned, Refusal):
            return planned
        commission = Commission(next(self._ids), world_id, actor.id, planned)
        self._keep(commission)
        return commission

    def get(self, actor: Account, commission_id: int) -> Commission:
        found = self._kept.get(commission_id)
        if found is None or not (found.account == actor.id or allowed(actor.role, Verb.INSPECT)):
            raise WorldRefused("unknown_plan", f"no plan {commission_id} of yours")
        return found

    def start(self, actor: Account, commission_id: int) -> Commission:
        """Carry out a proposed plan (in the background; `get` shows its progress)."""
        commission = self.get(actor, commission_id)
        if commission.status != "proposed":
            raise WorldRefused("not_proposed", f"plan {commission_id} is {commission.status}")
        if self._group is None:
            raise WorldRefused("stopping", "the builder is not at work: the server is stopping")
        commission.status = "running"
        self._group.create_task(self._run(actor, commission))
        return commission

    def cancel(self, actor: Account, commission_id: int) -> Commission:
        commission = self.get(actor, commission_id)
        if commission.status in ("proposed", "running"):
            commission.status = "cancelled"
            commission.log.append(f"{self.builder}: cancelled after {commission.done} steps.")
        return commission

    async def _run(self, actor: Account, commission: Commission) -> None:
        for step in commission.plan.steps:
            if commission.status != "running":
                return
            try:
                await self._works.build(actor, commission.world, [step.command], by=self.builder)
            except WorldRefused as refused:
                commission.status, commission.error = "failed", refused.detail
                commission.log.append(f"{self.builder}: I had to stop: {refused.detail}")
                return
            except Exception:  # a bug must end this plan, never the server
                log.exception("plan %d failed", commission.id)
                commission.status, commission.error = "failed", "an internal error"
                return
            commission.done += 1
            commission.log.append(step.narration)
            await asyncio.sleep(STEP_SECONDS)
        if commission.status == "running":
            commission.status = "done"

    def _site(self, world_id: int) -> Site:
        galaxy = self._works.universe.galaxies[world_id]
        systems = tuple(
            SiteSystem(s.id, s.name, s.x, s.y, len(s.bodies))
            for s in galaxy.systems
            if not is_heart(s.id)  # no gate may lead to the Heart
        )
        names = frozenset(b.name for s in galaxy.systems for b in s.bodies)
        return Site(systems, names)

    def _keep(self, commission: Commission) -> None:
        self._kept[commission.id] = commission
        # oldest first, the finished before the proposed: another account's churn of
        # proposing and cancelling must not make anyone's waiting plan vanish
        idle = [c for c in self._kept.values() if c.status not in ("running", "proposed")]
        idle += [c for c in self._kept.values() if c.status == "proposed"]
        while len(self._kept) > KEPT and idle:
            del self._kept[idle.pop(0).id]
