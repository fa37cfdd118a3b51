"""What the account registry hands back: plain frozen rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from infinity.accounts.permissions import Role

ROLES: Final = frozenset(role.value for role in Role)


@dataclass(frozen=True, slots=True)
class Account:
    """A player or operator login; the password hash never leaves the registry in this record."""

    id: int
    name: str
    role: str
    created_at: float
