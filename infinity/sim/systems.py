"""Systems: functions over whole columns, run once per tick in `FIXED_UPDATE` order.

No system loops over entities in Python except over the few torpedoes and
miners that exist at a time; everything per-ship is a numpy expression.
An entity `gone` this tick (looted, departed) is skipped by every system, as
by every command: it neither mines, nor is drained, hit or destroyed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

import numpy as np

from infinity.sim import kinds, rules
from infinity.sim.bodies import Bodies

CELL_SIZE: Final = rules.SENSOR_RANGE
CELL_OFFSET: Final = 1 << 20
CELL_SHIFT: Final = 21
CELL_STRIDE: Final = 1 << CELL_SHIFT


def cell_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Interest-grid cell key of each point (cells are SENSOR_RANGE squares).

    `floor(x * (1/size))` rather than `floor_divide`: the same keys, 20x faster.
    """
    cx = np.floor(x * (1.0 / CELL_SIZE)).astype(np.int64) + CELL_OFFSET
    cy = np.floor(y * (1.0 / CELL_SIZE)).astype(np.int64) + CELL_OFFSET
    keys: np.ndarray = (cx << CELL_SHIFT) | cy
    return keys


def cell_xy(cell: int) -> tuple[int, int]:
    """Integer grid coordinates of a cell key."""
    return cell // CELL_STRIDE - CELL_OFFSET, cell % CELL_STRIDE - CELL_OFFSET


@functools.lru_cache(maxsize=65536)
def neighbourhood(cell: int) -> tuple[int, ...]:
    """The 3x3 cells a ship in `cell` can see (its sensor range is one cell)."""
    return tuple(cell + dx * CELL_STRIDE + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def _present(b: Bodies, rows: np.ndarray) -> np.ndarray:
    """`rows` (from `Bodies.rows`) with -1 where the entity is `gone` this tick as well."""
    live: np.ndarray = np.where((rows >= 0) & ~b.gone[rows], rows, -1)
    return live


def _ships_in_flight(b: Bodies) -> np.ndarray:
    n = b.n
    flying: np.ndarray = (b.kind[:n] == kinds.SHIP) & (b.docked_at[:n] < 0)
    return flying


def autopilot(b: Bodies, dt: float) -> None:
    """Turn move-to destinations into throttle and turn for every ship on autopilot."""
    n = b.n
    rows = np.flatnonzero(b.autopilot[:n])
    if rows.size == 0:
        return
    delta = b.dest[rows] - b.pos[rows]
    dist = np.hypot(delta[:, 0], delta[:, 1])
    want = np.arctan2(delta[:, 1], delta[:, 0])
    off = (want - b.heading[rows] + np.pi) % (2 * np.pi) - np.pi
    b.turn[rows] = np.clip(off * 3.0, -1.0, 1.0)
    speed = np.hypot(b.vel[rows, 0], b.vel[rows, 1])
    brake_speed = np.sqrt(2.0 * rules.SHIP_ACCEL * 0.7 * dist)
    facing = np.abs(off) < 0.6
    b.throttle[rows] = np.where(facing & (speed < brake_speed), 1.0, 0.0)
    arrived = (dist < 25.0) | ((dist < 120.0) & (speed < 8.0))
    if arrived.any():
        done = rows[arrived]
        b.autopilot[done] = False
        b.throttle[done] = 0.0
        b.turn[done] = 0.0
        b.vel[done] = 0.0


def _cos_sin(angle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine and sine in float32: vectorised by numpy's SIMD kernels, ~25x faster than float64,
    and far more precise than a ship's heading needs."""
    small = angle.astype(np.float32)
    return np.cos(small).astype(np.float64), np.sin(small).astype(np.float64)


def steer_and_thrust(b: Bodies, dt: float) -> None:
    """Ships turn, thrust, and flight assist bleeds sideways (and idle) speed.

    Written over flat x/y columns to keep temporaries few: this is the
    heaviest per-ship system.
    """
    n = b.n
    flying = _ships_in_flight(b)
    rows = np.flatnonzero(flying) if not flying.all() else slice(0, n)
    turn = b.turn[rows].astype(np.float64)
    throttle = b.throttle[rows].astype(np.float64)
    heading = b.heading[rows] + turn * (rules.SHIP_TURN_RATE * dt)
    b.heading[rows] = heading
    cos, sin = _cos_sin(heading)
    vx, vy = b.vel[rows, 0], b.vel[rows, 1]
    along = vx * cos + vy * sin
    side_x, side_y = vx - along * cos, vy - along * sin
    along += throttle * (rules.SHIP_ACCEL * dt)
    along *= np.where(throttle == 0.0, 1.0 - rules.SHIP_COAST_DAMPING * dt, 1.0)
    keep_side = 1.0 - 1.5 * dt
    new_x = along * cos + side_x * keep_side
    new_y = along * sin + side_y * keep_side
    speed2 = new_x * new_x + new_y * new_y
    limit = b.max_speed  # the zone's limit: a ship above it (the rules changed) is slowed to it
    scale = limit / np.sqrt(np.maximum(speed2, limit * limit))
    b.vel[rows, 0] = new_x * scale
    b.vel[rows, 1] = new_y * scale


def home_torpedoes(b: Bodies, dt: float) -> None:
    """Torpedoes turn toward their target and fly at fixed speed."""
    n = b.n
    rows = np.flatnonzero(b.kind[:n] == kinds.TORPEDO)
    if rows.size == 0:
        return
    targets = _present(b, b.rows(b.target[rows]))
    homing = targets >= 0
    if homing.any():
        r, t = rows[homing], targets[homing]
        delta = b.pos[t] - b.pos[r]
        want = np.arctan2(delta[:, 1], delta[:, 0])
        off = (want - b.heading[r] + np.pi) % (2 * np.pi) - np.pi
        step = rules.TORPEDO_TURN_RATE * dt
        b.heading[r] += np.clip(off, -step, step)
    h = b.heading[rows]
    b.vel[rows, 0] = np.cos(h) * rules.TORPEDO_SPEED
    b.vel[rows, 1] = np.sin(h) * rules.TORPEDO_SPEED
    b.life[rows] -= dt


def integrate(b: Bodies, dt: float) -> None:
    """Everything moves by its velocity; docked ships ride with their station (which is still)."""
    n = b.n
    b.pos[:n] += b.vel[:n] * dt


def regenerate(b: Bodies, dt: float) -> None:
    """Shields and energy recharge; cooldowns run down."""
    n = b.n
    ships = b.kind[:n] == kinds.SHIP
    np.minimum(
        b.shield[:n] + np.where(ships, rules.SHIP_SHIELD_REGEN * dt, 0.0),
        np.where(ships, rules.SHIP_SHIELD, b.shield[:n]),
        out=b.shield[:n],
        casting="unsafe",
    )
    np.minimum(
        b.energy[:n] + np.where(ships, rules.SHIP_ENERGY_REGEN * dt, 0.0),
        np.where(ships, rules.SHIP_ENERGY, b.energy[:n]),
        out=b.energy[:n],
        casting="unsafe",
    )
    np.maximum(b.beam_cd[:n] - dt, 0.0, out=b.beam_cd[:n], casting="unsafe")
    np.maximum(b.torp_cd[:n] - dt, 0.0, out=b.torp_cd[:n], casting="unsafe")


def mine(b: Bodies, dt: float) -> None:
    """Miners in range move ore from the asteroid to their hold; out of range or full stops them."""
    n = b.n
    rows = np.flatnonzero(b.mining[:n] >= 0)
    if rows.size == 0:
        return
    rocks = _present(b, b.rows(b.mining[rows]))
    valid = (rocks >= 0) & ~b.gone[rows]
    gap = np.full(rows.size, np.inf)
    gap[valid] = np.hypot(*(b.pos[rocks[valid]] - b.pos[rows[valid]]).T)
    working = valid & (gap <= rules.MINE_RANGE) & (b.docked_at[rows] < 0)
    for row, rock, ok in zip(rows.tolist(), rocks.tolist(), working.tolist(), strict=True):
        take = min(b.mine_rate * dt, rules.SHIP_CARGO - float(b.cargo[row])) if ok else 0.0
        ore = float(b.ore[rock]) if ok else 0.0
        take = min(take, ore) if ore >= rules.DEPLETED_BELOW else 0.0
        if take <= 0.0:
            b.mining[row] = -1
            continue
        b.ore[rock] -= take
        b.cargo[row] += take


def regrow_ore(b: Bodies, dt: float) -> None:
    """Asteroid belts slowly recover (`rules.ORE_REGROWTH` a rock, up to `rules.ORE_CAP`; a rock
    richer than that keeps its ore), so a belt mined bare comes back and nothing runs dry."""
    n = b.n
    rocks = b.kind[:n] == kinds.ASTEROID
    grown = np.minimum(b.ore[:n] + rules.ORE_REGROWTH * dt, rules.ORE_CAP)
    b.ore[:n] = np.where(rocks, np.maximum(b.ore[:n], grown), b.ore[:n])


def age_wrecks(b: Bodies, dt: float) -> None:
    """Wrecks drift apart: they vanish when their lifetime runs out."""
    n = b.n
    wrecks = b.kind[:n] == kinds.WRECK
    b.life[:n] -= np.where(wrecks, dt, 0.0).astype(np.float32)


def siphons(b: Bodies, dt: float) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
    """Advance every siphon; returns (whole seconds drained, siphons broken) as id pairs.

    A siphon breaks when the victim is gone, docked or out of range.
    """
    n = b.n
    rows = np.flatnonzero(b.siphon[:n] >= 0)
    if rows.size == 0:
        return [], []
    victims = _present(b, b.rows(b.siphon[rows]))
    present = victims >= 0
    gap = np.full(rows.size, np.inf)
    gap[present] = np.hypot(*(b.pos[victims[present]] - b.pos[rows[present]]).T)
    docked = np.zeros(rows.size, dtype=bool)
    docked[present] = b.docked_at[victims[present]] >= 0
    broken_why = np.where(~present, "gone", np.where(docked, "docked", "range"))
    broken = ~present | docked | (gap > rules.SIPHON_RANGE)
    drained: list[tuple[int, int]] = []
    ended: list[tuple[int, int, str]] = []
    b.siphon_time[rows] += dt
    for i, row in enumerate(rows.tolist()):
        thief, victim = int(b.id[row]), int(b.siphon[row])
        if broken[i]:
            ended.append((thief, victim, str(broken_why[i])))
            b.siphon[row] = -1
        elif b.siphon_time[row] >= 1.0:
            b.siphon_time[row] -= 1.0
            drained.append((thief, victim))
    return drained, ended


def torpedo_fuses(b: Bodies, damage: float = rules.TORPEDO_DAMAGE) -> list[tuple[int, int]]:
    """Torpedoes within fuse range of their target detonate: (torpedo id, target id) pairs.

    `damage` (the zone's, by its rules) is added to the target's `damage` column; the caller
    despawns the torpedoes.
    """
    n = b.n
    rows = np.flatnonzero(b.kind[:n] == kinds.TORPEDO)
    if rows.size == 0:
        return []
    targets = _present(b, b.rows(b.target[rows]))
    hit = np.zeros(rows.size, dtype=bool)
    ok = targets >= 0
    if ok.any():
        delta = b.pos[targets[ok]] - b.pos[rows[ok]]
        hit[ok] = np.hypot(delta[:, 0], delta[:, 1]) <= rules.TORPEDO_FUSE
    pairs: list[tuple[int, int]] = []
    for r, t in zip(rows[hit].tolist(), targets[hit].tolist(), strict=True):
        if b.docked_at[t] < 0:
            b.damage[t] += damage
            b.last_hit_by[t] = b.owner[r]
        pairs.append((int(b.id[r]), int(b.id[t])))
    return pairs


def apply_damage(b: Bodies) -> np.ndarray:
    """Shields soak damage first, then hull. Returns rows of ships destroyed this tick."""
    n = b.n
    dmg = b.damage[:n]
    hit = np.flatnonzero(dmg > 0)
    if hit.size == 0:
        return hit
    soak = np.minimum(b.shield[hit], dmg[hit])
    b.shield[hit] -= soak
    b.hull[hit] -= dmg[hit] - soak
    dmg[hit] = 0.0
    # a ship that left this tick took its hold along: it leaves no wreck as well
    destroyed: np.ndarray = hit[(b.hull[hit] <= 0) & (b.kind[hit] == kinds.SHIP) & ~b.gone[hit]]
    return destroyed


def update_cells(b: Bodies) -> np.ndarray:
    """Recompute every entity's interest cell; returns rows whose cell changed."""
    n = b.n
    fresh = cell_of(b.pos[:n, 0], b.pos[:n, 1])
    changed = np.flatnonzero(fresh != b.cell[:n])
    b.cell[:n] = fresh
    return changed


def _percent(values: np.ndarray, full: float) -> np.ndarray:
    """Hull or shield as the clients see it: whole percent, 0..255."""
    shown: np.ndarray = np.clip(np.ceil(values * (100.0 / full)), 0, 255).astype(np.uint8)
    return shown


def update_shown(b: Bodies) -> np.ndarray:
    """Quantise hull and shield to whole percent; returns rows whose shown status changed."""
    n = b.n
    hull = _percent(b.hull[:n], rules.SHIP_HULL)
    shield = _percent(b.shield[:n], rules.SHIP_SHIELD)
    changed = np.flatnonzero((hull != b.shown[:n, 0]) | (shield != b.shown[:n, 1]))
    b.shown[:n, 0] = hull
    b.shown[:n, 1] = shield
    return changed


def at_rest(b: Bodies) -> bool:
    """True when no system but `regrow_ore` would change anything this tick: no torpedo or
    wreck, every ship docked, still, charged, cooled down, neither mining, draining nor hit,
    and no status left to show. Most zones of a quiet universe are so most of the time."""
    n = b.n
    kind = b.kind[:n]
    ships = kind == kinds.SHIP
    if ((kind == kinds.TORPEDO) | (kind == kinds.WRECK)).any():
        return False
    if ships.any() and not _ships_resting(b, np.flatnonzero(ships)):
        return False
    return not (
        b.vel[:n].any()
        or b.autopilot[:n].any()
        or b.damage[:n].any()
        or b.gone[:n].any()
        or (b.siphon[:n] >= 0).any()
        or (b.mining[:n] >= 0).any()
    )


def _ships_resting(b: Bodies, rows: np.ndarray) -> bool:
    """Docked ships with full shields and energy, no cooldowns, and their status shown."""
    hull = _percent(b.hull[rows], rules.SHIP_HULL)
    shield = _percent(b.shield[rows], rules.SHIP_SHIELD)
    return bool(
        (b.docked_at[rows] >= 0).all()
        and (b.shield[rows] >= rules.SHIP_SHIELD).all()
        and (b.energy[rows] >= rules.SHIP_ENERGY).all()
        and not b.beam_cd[rows].any()
        and not b.torp_cd[rows].any()
        and (hull == b.shown[rows, 0]).all()
        and (shield == b.shown[rows, 1]).all()
    )


System = Callable[[Bodies, float], None]

# The fixed-update schedule, in order (commands are applied before, damage after).
FIXED_UPDATE: Final[tuple[System, ...]] = (
    autopilot,
    steer_and_thrust,
    home_torpedoes,
    integrate,
    regenerate,
    mine,
    regrow_ore,
    age_wrecks,
)
