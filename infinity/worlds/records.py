"""A world as the worlds service and its callers see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from infinity.sim.rules import ZoneRules
from infinity.worlds.template import Rules

WorldKind = Literal["main", "instance", "enclave"]
Visibility = Literal["public", "invite"]


@dataclass(frozen=True, slots=True)
class World:
    """One world: a galaxy with its own zones and rules, an owner and who may enter.

    The main world (id 1) has no owner and is public; an instance is owned by the
    account that made it and is invite-only: its owner and members enter, operators see it.
    """

    id: int
    name: str
    template: str
    kind: WorldKind
    visibility: Visibility
    owner: int | None
    seed: int
    rules: Rules
    created_at: float
    owner_name: str = ""
    members: tuple[tuple[int, str], ...] = ()  # (account, name), by name

    def admits(self, account: int) -> bool:
        """Whether an account may enter (operators aside: they may see, not enter uninvited)."""
        return (
            self.visibility == "public"
            or account == self.owner
            or any(member == account for member, _ in self.members)
        )


def zone_rules(rules: Rules) -> ZoneRules:
    """The part of a template's rules a zone applies itself."""
    return ZoneRules(
        damage=rules.damage,
        mining=rules.mining,
        max_speed=rules.max_speed,
        economy=rules.economy,
        respawn=rules.respawn,
    )
