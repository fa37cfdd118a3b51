"""Time dilation: an overloaded zone slows its simulated clock instead of dropping work.

Every tick advances simulated time by the same fixed step (so the
simulation is deterministic); what dilates is how often ticks happen on the
wall clock. At dilation 0.5 a zone ticks every 100 ms, its ships move half
as fast in wall time, and every command is still applied. The floor keeps
a zone at least at 10% speed: below that it ticks as fast as it can.
"""

from __future__ import annotations

from dataclasses import dataclass

from infinity.sim import rules


@dataclass(slots=True)
class ZoneClock:
    """Simulated time of one zone. `dilation` is simulated seconds per wall second (0.1..1)."""

    tick: int = 0
    sim_time: float = 0.0
    dilation: float = 1.0
    scale: float = 1.0  # simulated seconds per wall second at full speed (>1: faster than life)

    @property
    def dt(self) -> float:
        """Simulated seconds every tick advances: always one fixed step."""
        return rules.TICK_SECONDS

    @property
    def period(self) -> float:
        """Wall seconds between tick starts at the current dilation."""
        return rules.TICK_SECONDS / self.dilation / self.scale

    def resume(self, tick: int) -> None:
        """Continue from a stored tick count: simulated time survives restarts."""
        self.tick = max(self.tick, tick)
        self.sim_time = max(self.sim_time, self.tick * rules.TICK_SECONDS)

    def advance(self) -> float:
        self.tick += 1
        self.sim_time += rules.TICK_SECONDS
        return rules.TICK_SECONDS

    def observe(self, busy_seconds: float) -> None:
        """Feed the wall time one tick cost (its work plus how late it started).

        A tick that costs more than its 50 ms budget means the zone cannot keep
        one simulated second per wall second, so dilation drops to match
        (never below the floor). Recovery is gradual so it does not oscillate.
        """
        load = busy_seconds * self.scale / rules.TICK_SECONDS
        target = 1.0 if load <= 1.0 else max(rules.DILATION_FLOOR, 1.0 / load)
        rate = 0.5 if target < self.dilation else 0.05
        self.dilation += (target - self.dilation) * rate
        self.dilation = min(1.0, max(rules.DILATION_FLOOR, self.dilation))
