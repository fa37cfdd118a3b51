"""Travel between worlds on a cluster (docs/cluster.md "Travel between worlds").

A ship goes to another world the way it crosses to a zone of another host: the host of
its zone moves it (a `Voyage` command at the zone's next tick) and commits the move as a
handover (`handover.commit`), whose transaction also writes the voyage: where the ship
set out from, or, coming home, that it is home. The ship's row is the authority, so a
SIGKILL of either host at any step leaves the ship in exactly one world: the one its row
names. A gateway asks by request on `zone.<Z>.travel` (Z: the zone the ship's row names);
only the host holding Z answers.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Final

import msgspec

from infinity.galaxy.model import Galaxy
from infinity.universe.universe import MAIN_WORLD
from infinity.worlds.atlas import Berth, Voyage
from infinity.worlds.service import arrival_berth

TRAVEL_SECONDS: Final = 8.0  # a host's answer waits this long for the ship to be committed
ALL_TRAVELS: Final = "zone.*.travel"

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Id = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Place = Annotated[float, msgspec.Meta(ge=-1e9, le=1e9)]
Docked = Annotated[int, msgspec.Meta(ge=-1, le=2**63 - 1)]


def zone_travel(zone: int) -> str:
    """Where the host of `zone` takes travel orders for its ships."""
    if isinstance(zone, bool) or not isinstance(zone, int) or zone < 0:
        raise ValueError(f"zone must be an int >= 0, not {zone!r}")
    return f"zone.{zone}.travel"


class Berthing(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Where a ship arrives: docked at `docked_at` in `system`, with its home there."""

    system: Id
    x: Place
    y: Place
    docked_at: Docked
    home_station: Id
    home_system: Id

    def berth(self) -> Berth:
        return Berth(
            self.system, self.x, self.y, self.docked_at, self.home_station, self.home_system
        )

    @classmethod
    def of(cls, berth: Berth) -> Berthing:
        return cls(
            berth.system, berth.x, berth.y, berth.docked_at, berth.home_station, berth.home_system
        )


class TravelOrder(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Send `ship` to `world`, arriving at `to`. `away`: a voyage out (recorded with where
    the ship set out from); else the ship comes home and its voyage ends. `key`: the
    travel's idempotency key (a retry never moves the ship twice)."""

    key: Key
    ship: Id
    world: Id
    to: Berthing
    away: bool

    def handover_key(self) -> str:
        """The handover's key: one per ship and travel key, whoever's key it was."""
        digest = hashlib.sha256(f"{self.ship}:{self.key}".encode()).hexdigest()
        return f"travel-{digest[:48]}"

    def voyage(self, origin: Berth) -> Voyage:
        return Voyage(self.ship, self.world, self.key, origin)


class TravelAnswer(msgspec.Struct, frozen=True):
    """The host's answer: arrived (`code` empty) in `world` at `system`, docked at
    `station`; or refused with a typed `code` and a sentence."""

    code: str = ""
    detail: str = ""
    world: int = 0
    system: int = 0
    station: int = -1

    @property
    def arrived(self) -> bool:
        return not self.code


def homeward(
    ship: int, key: str, origin: Berth | None, origin_world: int | None, main: Galaxy
) -> TravelOrder:
    """The order that brings a ship home: to where its voyage set out from, or, with no
    voyage or its origin's world closed, to the main world's first station."""
    if origin is None or origin_world is None:
        origin, origin_world = arrival_berth(main), MAIN_WORLD
    return TravelOrder(key, ship, origin_world, Berthing.of(origin), away=False)


IN_TRANSIT: Final = TravelAnswer("in_transit", "your ship is between systems; try again")
UNHOSTED: Final = TravelAnswer("in_transit", "that world's zones are not hosted yet; try again")

_decode_order = msgspec.json.Decoder(TravelOrder).decode
_decode_answer = msgspec.json.Decoder(TravelAnswer).decode
encode = msgspec.json.Encoder().encode


def decode_order(data: bytes) -> TravelOrder:
    """`ValueError` for anything but a well-formed order."""
    try:
        return _decode_order(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ValueError(f"not a travel order: {error}") from error


def decode_answer(data: bytes) -> TravelAnswer:
    try:
        return _decode_answer(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ValueError(f"not a travel answer: {error}") from error
