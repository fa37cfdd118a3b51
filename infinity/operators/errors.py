"""Why an operator act was refused: one typed error, carrying the audit entry of the refusal."""

from __future__ import annotations

from typing import Literal

from infinity.audit.log import Entry

Code = Literal[
    "forbidden",  # the permission table does not give the actor's role the verb
    "unknown_ship",
    "unknown_account",
    "unknown_agent",
    "unknown_crew",
    "unknown_system",
    "unknown_wallet",
    "invalid",  # an argument out of bounds for this act
    "no_credits",  # the source account cannot pay
    "not_online",  # kick: the account has no game session
    "not_present",  # leave: no avatar of this operator is in the world
    "no_crew",  # the crews are not running on this server
    "not_armed",  # kill switch: confirm or disarm, but no one armed it
    "already_armed",  # kill switch: armed already (confirm or disarm it first)
    "same_operator",  # kill switch: the operator who armed it may not confirm it
    "expired",  # kill switch: the window to confirm has passed
    "erased",  # kill switch: confirmed; the universe is being erased
    "sealed",  # inside a host's enclave: operators see that it exists, never reach in
]


class Stop(Exception):
    """Raised inside an act to refuse it; the service logs it and raises `Refused`."""

    def __init__(self, code: Code, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code: Code = code
        self.detail = detail


class Refused(Exception):
    """An operator act refused; `entry` is the audit entry that records the refusal."""

    def __init__(self, code: Code, detail: str, entry: Entry) -> None:
        super().__init__(f"{code}: {detail}")
        self.code: Code = code
        self.detail = detail
        self.entry = entry
