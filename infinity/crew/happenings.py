"""What crew members can notice: a first shot, a robbery, a death, a line of chat, a delivery, a docking.

`company.witness.Witness` makes these from each tick's events; minds turn them
into memories.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from infinity.sim.bodies import NO_ENTITY


class Seen(StrEnum):
    SHOT = "shot"  # first hit of an attacker on a victim within a grudge window
    ROBBED = "robbed"  # a siphon began draining the subject's wallet (other: the thief)
    DESTROYED = "destroyed"  # the subject was destroyed (other: its killer, if known)
    CHAT = "chat"  # the subject said `text` in the system
    DELIVERED = "delivered"  # the subject unloaded `amount` tonnes of ore at station `other`
    DOCKED = "docked"  # the subject docked at station `other`


@dataclass(frozen=True, slots=True)
class Happening:
    """Something crew members may notice. `subject` is the ship it happened to (or the speaker)."""

    kind: Seen
    at: float
    system: int
    subject: int
    subject_name: str
    other: int = NO_ENTITY  # attacker, killer or station
    other_name: str = ""
    x: float = 0.0
    y: float = 0.0
    text: str = ""
    amount: float = 0.0
