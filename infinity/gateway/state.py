"""What the gateway may ask of the running universe, handed over by the composition root.

The gateway never builds the universe: `infinity.embedded` (or, later, a cluster
root) runs it and yields one `Game`; `app.create_app` stores it on the app as
`app.state.game` for the routes and the socket.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from infinity.accounts.records import Account
from infinity.accounts.service import Accounts
from infinity.audit.log import AuditLog
from infinity.company.company import Company
from infinity.economy.service import Economy
from infinity.galaxy.model import Galaxy
from infinity.gateway.fanout import Fanout
from infinity.heart.heart import Heart
from infinity.minds.enclave import Enclaves
from infinity.minds.moving import Moves
from infinity.minds.transfer import Transfers
from infinity.operators.hunting import Hunts
from infinity.operators.killswitch import KillSwitch
from infinity.operators.service import Operators
from infinity.universe.records import ChatLine
from infinity.universe.universe import Universe
from infinity.worlds.commissions import Commissions
from infinity.worlds.service import Worlds
from infinity.worlds.works import Works


@dataclass(frozen=True, slots=True)
class Game:
    """The running universe as the gateway sees it."""

    universe: Universe
    accounts: Accounts
    economy: Economy
    fanout: Fanout
    company: Company | None  # the crews; None when run without NPCs
    audit: AuditLog  # every operator act, done or refused
    operators: Operators  # the operator verbs, each checked and audited
    ensure_ship: Callable[[Account], Awaitable[int]]  # the account's ship, built if it has none
    recent_chat: Callable[[int], Awaitable[list[ChatLine]]]  # a system's last lines, oldest first
    hunts: Hunts  # live location shares (hunting by the ledger)
    heart: Heart  # the engine's live figures, for operators (/heart)
    worlds: Worlds  # the main world and private instances: making, members, travel
    works: Works  # build commands, checked, stored, applied and audited
    commissions: Commissions  # the builder in the Heart: briefs, plans, runs
    killswitch: KillSwitch  # two operators erase the universe (docs/operators.md)
    transfers: Transfers | None = None  # minds moving between servers (docs/mind.md)
    enclaves: Enclaves | None = None  # hosts' enclaves and their eyes feed; None: no crews
    moves: Moves | None = None  # minds moved between this server's worlds; None: no crews

    @property
    def galaxy(self) -> Galaxy:
        return self.universe.galaxy


def game_of(connection: HTTPConnection) -> Game:
    """The game behind a request or a WebSocket."""
    game: Game = connection.app.state.game
    return game
