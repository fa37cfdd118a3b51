"""Why the store refused a write."""

from __future__ import annotations


class NameTaken(Exception):
    """An account name is already in use (names are unique regardless of case)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"name {name!r} is taken")
        self.name = name


class AlreadyHasShip(Exception):
    """A player account may fly only one ship at a time."""

    def __init__(self, account_id: int) -> None:
        super().__init__(f"account {account_id} already has a ship")
        self.account_id = account_id
