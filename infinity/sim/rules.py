"""The numbers that make the game: ship, weapon and world constants.

Every duration here is in *simulated* seconds (the zone's dilated clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

TICK_HZ: Final = 20
TICK_SECONDS: Final = 1.0 / TICK_HZ
DILATION_FLOOR: Final = 0.1

# Ships
SHIP_ACCEL: Final = 90.0  # m/s² at full throttle
SHIP_MAX_SPEED: Final = 320.0  # m/s
SHIP_TURN_RATE: Final = 2.4  # rad/s at full turn
SHIP_COAST_DAMPING: Final = 0.6  # 1/s, flight assist bleeding speed with no throttle
SHIP_HULL: Final = 100.0
SHIP_SHIELD: Final = 100.0
SHIP_SHIELD_REGEN: Final = 4.0  # per second
SHIP_ENERGY: Final = 100.0
SHIP_ENERGY_REGEN: Final = 12.0  # per second
SHIP_CARGO: Final = 100.0  # tonnes of ore
SHIP_TORPEDOES: Final = 8
SENSOR_RANGE: Final = 2500.0  # m; equals the interest cell size

# Beam weapon
BEAM_RANGE: Final = 1500.0
BEAM_DAMAGE: Final = 12.0
BEAM_ENERGY: Final = 15.0
BEAM_COOLDOWN: Final = 0.8

# Torpedoes
TORPEDO_SPEED: Final = 520.0
TORPEDO_TURN_RATE: Final = 2.0  # rad/s of homing
TORPEDO_LIFETIME: Final = 7.0
TORPEDO_DAMAGE: Final = 45.0
TORPEDO_ENERGY: Final = 25.0
TORPEDO_COOLDOWN: Final = 3.0
TORPEDO_FUSE: Final = 60.0  # m proximity fuse

# Interactions
DOCK_RANGE: Final = 350.0
MINE_RANGE: Final = 450.0
MINE_RATE: Final = 6.0  # tonnes per second
DEPLETED_BELOW: Final = 1.0  # tonnes; a rock with less is mined out
ORE_REGROWTH: Final = 0.05  # tonnes a second each rock regrows: 180 t an hour
ORE_CAP: Final = 500.0  # tonnes a rock regrows to (richer rocks keep what they have)
GATE_RANGE: Final = 450.0
JUMP_ARRIVAL_OFFSET: Final = 600.0  # m from the arrival gate

# Economy (the sim moves goods; credits move in the ledger)
SHIP_FUEL: Final = 100.0
JUMP_FUEL: Final = 10.0
SIPHON_RANGE: Final = 800.0  # m; the victim breaks a siphon by leaving it or shooting back
WRECK_LIFETIME: Final = 120.0
LOOT_RANGE: Final = 300.0

# Chat
SAY_MAX_CHARS: Final = 280


@dataclass(frozen=True, slots=True)
class ZoneRules:
    """A world's rules as one zone applies them (a world template's `rules`, docs/templates.md).

    The multipliers scale the constants above; the defaults are the engine's own game.
    """

    damage: float = 1.0  # beams and torpedoes
    mining: float = 1.0  # ore per second
    max_speed: float = 1.0  # of SHIP_MAX_SPEED
    economy: bool = True  # trades (sell, buy, repair, unload) run; False: refused at the zone
    # A destroyed ship comes back at its home station. False changes nothing in the zone yet:
    # ships are never deleted, so there is no other place to send one (`Zone._destroy`).
    respawn: bool = True


ENGINE_RULES: Final = ZoneRules()  # the game as the engine ships it
