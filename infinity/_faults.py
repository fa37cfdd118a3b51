"""Fault injection for the tests that kill a process at every step of a protocol
(mind transfers and moves, the cluster's handover): one module every layer may use.

`INFINITY_FAULT=<protocol>:<point>` (e.g. `transfer:source-marked`, `move:boarded`) makes
the process kill itself with SIGKILL when it reaches that point; never active unless set.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Final

log = logging.getLogger(__name__)

FAULT: Final = "INFINITY_FAULT"


def fault(protocol: str, point: str) -> None:
    """Die here, at once and uncleanly, when INFINITY_FAULT names this point."""
    if os.environ.get(FAULT) == f"{protocol}:{point}":
        log.warning("fault injected at %s:%s", protocol, point)
        os.kill(os.getpid(), signal.SIGKILL)
