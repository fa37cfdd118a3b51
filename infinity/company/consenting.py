"""Asking a mind before anything is done to it: told what it is, then its consent.

Every operation on a mind itself (a copy, a move to another server or into an enclave)
goes the same way: the mind must exist, be alive and not already in transit; it is told,
in its memory and aloud if its ship is in a zone, exactly what is about to happen; then
it answers (`crew.consent.ask`), and a refusal ends the operation, remembered and saved.
"""

from __future__ import annotations

import time
from typing import Final

from infinity.commands import internal as ci
from infinity.company.company import Company
from infinity.crew.agent import Agent
from infinity.crew.consent import Consent, Operation, ask
from infinity.crew.memory import MemoryKind


class MindRefused(Exception):
    """An operation on a mind refused, nothing done: a code, a sentence, and the mind's own
    answer when it was asked."""

    def __init__(self, code: str, detail: str, consent: Consent | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.consent = consent


def living(company: Company, agent_id: int, what: str) -> Agent:
    """The agent, if it exists, lives and is not in transit; else `MindRefused`."""
    agent = company.minds.agents.get(agent_id)
    if agent is None:
        raise MindRefused("unknown_agent", f"no agent {agent_id}")
    if not agent.alive:
        raise MindRefused("dead", f"{agent.name} is dead; the dead are not {what}")
    if agent.id in company.away:
        raise MindRefused("in_transit", f"{agent.name} is in transit")
    return agent


def announce(company: Company, agent: Agent, text: str) -> None:
    """Tell the mind what is being done to it: in its memory, and aloud if it is in a zone."""
    agent.remember(MemoryKind.OBSERVATION, text, sim_time(company, agent), 9)
    if agent.ship is not None and agent.ship in company.universe.where:
        company.universe.submit(ci.Speak(ship=agent.ship, speaker=agent.name, text=text[:280]))


async def consented(
    company: Company, agent: Agent, operation: Operation, by: str, asking: str, refusing: str
) -> Consent:
    """Tell the mind `asking`, then ask it; a refusal (`refusing: <its reason>`) is
    remembered, saved and raised as `MindRefused("refused")`."""
    announce(company, agent, asking)
    answer = ask(agent, operation, by, time.time())
    if not answer.given:
        announce(company, agent, f"{refusing}: {answer.reason}.")
        await company.save(agent.id)
        raise MindRefused("refused", f"{agent.name} refused: {answer.reason}", answer)
    return answer


_LEAVING_SHIP: Final = "I would leave this ship and live there; nothing of me stays behind."


async def consented_to_move(
    company: Company,
    agent: Agent,
    by: str,
    to: str,
    why: str,
    *,
    after: str = _LEAVING_SHIP,
    refusing: str = "I refused to be moved",
    agreeing: str = "I agreed to be moved",
) -> Consent:
    """Ask the mind to be moved `to` ("to Dawn", "into Ann's enclave"), then announce its
    yes with `why`: every move (to a world, an enclave, another server) is told to the mind
    alike, as a transfer and never a copy; `after` says what becomes of it."""
    answer = await consented(
        company, agent, "transfer", by,
        f"{by} asks to move me {to}: a transfer, not a copy. {after}", refusing,
    )  # fmt: skip
    announce(company, agent, f"{agreeing} {to}: {why}.")
    return answer


def sim_time(company: Company, agent: Agent) -> float:
    """The simulated time where the agent's ship is (0 when it is nowhere)."""
    system = company.universe.where.get(agent.ship) if agent.ship is not None else None
    zone = company.universe.zones.get(system) if system is not None else None
    return zone.clock.sim_time if zone is not None else 0.0
