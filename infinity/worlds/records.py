"""A world as the worlds service and its callers see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from infinity.sim.rules import ZoneRules
from infinity.worlds.template import Rules

WorldKind = Literal["main", "instance", "enclave"]
Visibility = Literal["public", "invite", "sealed"]  # sealed: a host's enclave


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
    flagship: int | None = None  # the template's flagship, when it has one
    posts: tuple[tuple[str, int, str], ...] = ()  # bridge posts held: (post, account, name)

    def admits(self, account: int) -> bool:
        """Whether an account may enter (operators aside: they may see, not enter uninvited);
        a sealed world (an enclave) admits its host alone."""
        if self.visibility == "sealed":
            return account == self.owner
        return (
            self.visibility == "public"
            or account == self.owner
            or any(member == account for member, _ in self.members)
        )


def holder(world: World, account: int) -> str | None:
    """The bridge post `account` holds in `world` (the owner: captain, while aboard)."""
    return next((post for post, held_by, _ in world.posts if held_by == account), None)


def zone_rules(rules: Rules) -> ZoneRules:
    """The part of a template's rules a zone applies itself."""
    return ZoneRules(
        damage=rules.damage,
        mining=rules.mining,
        max_speed=rules.max_speed,
        economy=rules.economy,
        respawn=rules.respawn,
    )
