"""The names zones and gateways meet under on the bus, in one place so no two processes
spell a subject differently (docs/cluster.md "Subjects")."""

from __future__ import annotations

LEASES_BUCKET = "zone-leases"
"""The JetStream KV bucket holding one lease per zone."""


def _id(name: str, value: int) -> int:
    """An id as it may appear in a subject: an int >= 0 (a bool is no id)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0, not {value!r}")
    return value


def zone_commands(zone: int) -> str:
    """Where gateways, crew workers and operators send commands for one zone."""
    return f"zone.{_id('zone', zone)}.commands"


def zone_cell(zone: int, cell: int) -> str:
    """Where a zone publishes one interest cell's encoded deltas, once per tick."""
    return f"zone.{_id('zone', zone)}.cell.{_id('cell', cell)}"


def zone_cells(zone: int) -> str:
    """Every cell of one zone: a wildcard for a watcher of the whole zone."""
    return f"zone.{_id('zone', zone)}.cell.*"


def lease_key(zone: int) -> str:
    """The key of a zone's lease in `LEASES_BUCKET`."""
    return f"zone.{_id('zone', zone)}"


def zone_of_lease(key: str) -> int:
    """The zone a lease key names; `ValueError` for a key that names none."""
    prefix, _, number = key.partition(".")
    if prefix != "zone" or not number.isdigit() or not number.isascii():
        raise ValueError(f"not a zone lease key: {key!r}")
    return int(number)


HOSTS_BUCKET = "zone-hosts"
"""The JetStream KV bucket where each live zone host keeps a heartbeat key, so every host
can count the others and take its fair share of the zones."""


GATEWAYS_BUCKET = "gateways"
"""The JetStream KV bucket where each live gateway keeps a heartbeat key (`host_key`),
its value what `infinity cluster status` shows: its address and its clients."""


def host_key(name: str) -> str:
    """The key of a zone host's heartbeat in `HOSTS_BUCKET`: one token, so a host name is
    letters, digits, '-' and '_'."""
    if not name or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        raise ValueError(f"a host name is letters, digits, '-' and '_': {name!r}")
    return f"host.{name}"


def host_of_key(key: str) -> str:
    """The host a heartbeat key names; `ValueError` for a key that names none."""
    prefix, _, name = key.partition(".")
    if prefix != "host":
        raise ValueError(f"not a host key: {key!r}")
    host_key(name)
    return name


def zone_tick(zone: int) -> str:
    """Where a zone publishes the close of each tick (after its cells): the tick, its
    pilots' own records, chat and refusals (docs/cluster.md "Frames over the bus")."""
    return f"zone.{_id('zone', zone)}.tick"


def zone_wants(zone: int) -> str:
    """Where a gateway asks a zone for full records of cells its clients newly see."""
    return f"zone.{_id('zone', zone)}.wants"


ALL_WANTS = "zone.*.wants"
"""Every zone's asks for full cells: a zone host subscribes once for all its zones."""


def zone_of_subject(subject: str) -> int:
    """The zone a `zone.<id>.…` subject names; `ValueError` for one that names none."""
    prefix, _, rest = subject.partition(".")
    number = rest.partition(".")[0]
    if prefix != "zone" or not number.isdigit() or not number.isascii():
        raise ValueError(f"not a zone subject: {subject!r}")
    return int(number)


def zone_census(zone: int) -> str:
    """Where a zone publishes its whole state once a simulated second, for crew workers."""
    return f"zone.{_id('zone', zone)}.census"


ALL_CENSUSES = "zone.*.census"
"""Every zone's census: a crew worker follows the whole galaxy its crews fly in."""

CREW_LEASES_BUCKET = "crew-leases"
"""The JetStream KV bucket holding the company's lease: one crew worker runs the minds."""

COMPANY = 0
"""The one key of the crew-leases bucket (as a zone id): whoever holds it runs every
crew's minds."""

CREW_WORKERS_BUCKET = "crew-workers"
"""The JetStream KV bucket of live crew workers' heartbeats (a roll, as the hosts')."""


WALLETS_CHANGED = "wallets.changed"
"""A player's wallet changed outside the zone host that holds its ship (a bounty posted at
a gateway): the payload is the account id, in decimal; that host reads the balance again."""
