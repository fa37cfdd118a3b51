"""The cluster's own names on NATS: its KV buckets and their keys (the zones' subjects are
`gateway/subjects.py`), in one place so no two processes spell one differently."""

from __future__ import annotations

from infinity.gateway.subjects import subject_id

LEASES_BUCKET = "zone-leases"
"""The JetStream KV bucket holding one lease per zone."""


def lease_key(zone: int) -> str:
    """The key of a zone's lease in `LEASES_BUCKET`."""
    return f"zone.{subject_id('zone', zone)}"


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


CREW_LEASES_BUCKET = "crew-leases"
"""The JetStream KV bucket holding the company's lease: one crew worker runs the minds."""

COMPANY = 0
"""The one key of the crew-leases bucket (as a zone id): whoever holds it runs every
crew's minds."""

CREW_WORKERS_BUCKET = "crew-workers"
"""The JetStream KV bucket of live crew workers' heartbeats (a roll, as the hosts')."""

CREW_CALLS = "crew.calls"
"""Calls of the crews' REST (`gateway/crew_api.CrewCall`), requested by gateways and
answered by the crew worker that holds the company's lease (the others keep quiet)."""

WALLETS_CHANGED = "wallets.changed"
"""A player's wallet changed outside the zone host that holds its ship (a bounty posted at
a gateway): the payload is the account id, in decimal; that host reads the balance again."""
