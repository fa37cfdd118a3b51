"""Process memory policy for the simulation's large temporary arrays.

glibc serves allocations above its mmap threshold (128 KiB at first) with
fresh mmaps, so every 100,000-entity numpy temporary is mapped, page-faulted
and unmapped again each tick: measured at 5x the cost of the arithmetic in
`steer_and_thrust`. Raising the thresholds keeps such blocks in the heap.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from typing import Final

_M_TRIM_THRESHOLD: Final = -1
_M_MMAP_THRESHOLD: Final = -3
_KEEP: Final = 32 * 1024 * 1024  # glibc's ceiling for the mmap threshold on 64-bit

YOUNG_THRESHOLD: Final = 10_000
"""Allocations between young collections (CPython's default: 700). A server's frames
make thousands of short-lived containers a tick; at 700 the young collections ran many
times a tick and promoted whatever was in flight (a pending send, a waiting future) to
the oldest generation, which filled up and set off full collections of every
connection's objects: a 30-45 ms pause every few seconds at 1,000 clients (bench/
gateway_fanout.py). At 10,000 such objects have died before they are looked at, and a
young collection still takes about a millisecond."""


def keep_large_allocations() -> bool:
    """Tell glibc to reuse large blocks instead of mapping each anew; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, _KEEP)) and bool(mallopt(_M_TRIM_THRESHOLD, 2 * _KEEP))


def settle_collector() -> None:
    """Once the universe is loaded: what is alive now lives for the whole run, so it
    leaves the collector's reach (`gc.freeze`); young collections come less often
    (`YOUNG_THRESHOLD`). Full collections then walk only what came since: sessions,
    connections."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector for a burst of work whose objects die with it.

    A crew decision round makes a perception and a decision per agent, alive until the
    round ends; young collections in the middle would promote them all to the oldest
    generation and bring on full collections (measured: 190 ms a round for 10,000
    agents). Reference counting frees them at the end either way; the collector runs
    again afterwards as usual."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
