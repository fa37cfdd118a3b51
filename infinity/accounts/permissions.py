"""Who may do what: the one permission table (role -> verbs), kept here and nowhere else.

Every act that not everyone may do asks `allowed` (or `require`) with its verb;
docs/operators.md prints this table. A verb missing from a role is refused with
`Forbidden`, a typed error the gateway answers as 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    PLAYER = "player"
    OPERATOR = "operator"
    BUILDER = "builder"


class Verb(StrEnum):
    PLAY = "play"  # fly, fight, trade, talk: the player's command set
    SEE_ALL_AGENTS = "see_all_agents"
    GROW_AGENT = "grow_agent"
    READ_AUDIT = "read_audit"
    DROP_IN = "drop_in"
    LEAVE = "leave"
    WARP = "warp"
    INSPECT = "inspect"
    KICK = "kick"
    MUTE = "mute"
    BAN = "ban"
    GRANT = "grant"
    TAKE = "take"
    DESTROY = "destroy"
    REPAIR = "repair"
    SHARE_LOCATION = "share_location"
    BUILD = "build"
    HEART = "heart"  # the Heart of Infinity (/heart): operators only, builders too are refused
    KILL_SWITCH = "kill_switch"  # arm, confirm (a second operator) or disarm the kill switch


_OPERATING: Final = frozenset(Verb) - {Verb.BUILD}
PERMISSIONS: Final[Mapping[Role, frozenset[Verb]]] = {
    Role.PLAYER: frozenset({Verb.PLAY}),
    Role.OPERATOR: _OPERATING,
    Role.BUILDER: frozenset({Verb.PLAY, Verb.BUILD, Verb.READ_AUDIT}),
}


class Forbidden(Exception):
    """A role asked for a verb the permission table does not give it."""

    def __init__(self, role: str, verb: Verb) -> None:
        super().__init__(f"a {role} may not {verb.value.replace('_', ' ')}")
        self.role = role
        self.verb = verb


def allowed(role: str, verb: Verb) -> bool:
    """Whether `role` (an account's role; unknown roles may do nothing) may do `verb`."""
    try:
        return verb in PERMISSIONS[Role(role)]
    except ValueError:
        return False


def require(role: str, verb: Verb) -> None:
    """Raise `Forbidden` unless `role` may do `verb`."""
    if not allowed(role, verb):
        raise Forbidden(role, verb)
