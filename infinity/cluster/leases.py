"""Zone ownership by lease, in a JetStream KV bucket (docs/cluster.md "Leases").

Exactly one zone host simulates a zone: the one holding its lease. A lease is one key
(`subjects.lease_key`) whose value is the holder's name. It is taken create-only, kept by
compare-and-set on the revision its holder last wrote, and every write carries a
per-message TTL, so NATS itself forgets the lease of a host that stops renewing (dead,
stalled or cut off) and another host may take the zone; nobody has to delete it.
A holder renews every `renew_every` (TTL/3) and stops simulating as soon as a renewal
fails (`LeaseLost`), which is before anyone else can take the zone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import nats.js.errors
from nats.js.api import Header, KeyValueConfig
from nats.js.client import JetStreamContext
from nats.js.kv import KV_DEL, KV_OP, KV_PURGE, KeyValue

from infinity.cluster.subjects import LEASES_BUCKET, lease_key, zone_of_lease

_WRONG_LAST_SEQUENCE = (10071, 10164)  # JetStream's codes for a failed compare-and-set


class LeaseLost(RuntimeError):
    """The lease expired or someone else holds it now: stop simulating the zone."""


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease as its holder knows it: the revision it last wrote, and until when
    (`time.monotonic()` seconds) nobody else can hold the zone: the TTL counted from
    before the write was sent, so a holder cut off from NATS can stop in time."""

    zone: int
    owner: str
    revision: int
    good_until: float


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a zone, as anyone can read it; `age` is seconds since the last write."""

    zone: int
    owner: str
    revision: int
    age: float


async def ttl_bucket(js: JetStreamContext, bucket: str, ttl: int, what: str) -> KeyValue:
    """The KV bucket whose keys each live `ttl` whole seconds after their last write,
    created if it is new (shared by the zone leases and the host roll)."""
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 1:
        raise ValueError(f"{what} TTL is whole seconds >= 1, not {ttl!r}")
    try:
        return await js.key_value(bucket)
    except nats.js.errors.BucketNotFoundError:
        return await js.create_key_value(KeyValueConfig(bucket=bucket, history=1))


class TtlBucket:
    """A KV bucket (made by `ttl_bucket`) whose every key lives `ttl` seconds after its
    last write: the zone leases and the rolls."""

    def __init__(self, js: JetStreamContext, kv: KeyValue, bucket: str, ttl: int) -> None:
        self._js = js
        self._kv = kv
        self._bucket = bucket
        self.ttl = ttl

    def _subject_of(self, key: str) -> str:
        """The subject a write to `key` is published on (with a per-message TTL)."""
        return f"$KV.{self._bucket}.{key}"


class ZoneLeases(TtlBucket):
    """The zone leases of one cluster, in one KV bucket; every lease lives `ttl` seconds
    after its last write."""

    @classmethod
    async def open(
        cls, js: JetStreamContext, ttl: int = 6, bucket: str = LEASES_BUCKET
    ) -> ZoneLeases:
        """Open the bucket, creating it if it is new. `ttl`: whole seconds, >= 1 (the
        resolution of a JetStream message TTL)."""
        return cls(js, await ttl_bucket(js, bucket, ttl, "a lease"), bucket, ttl)

    @property
    def renew_every(self) -> float:
        """How often a holder renews: three tries before the lease lapses."""
        return self.ttl / 3

    async def acquire(self, zone: int, owner: str) -> Lease | None:
        """Take the zone's lease if nobody holds it (or `owner` already does: then a
        fresh revision replaces the old one); None when another holds it."""
        if not owner:
            raise ValueError("a lease needs an owner's name")
        key, sent = lease_key(zone), time.monotonic()
        try:
            revision = await self._kv.create(key, owner.encode(), msg_ttl=self.ttl)
        except nats.js.errors.KeyWrongLastSequenceError:
            held = await self.holder(zone)
            if held is None or held.owner != owner:
                return None  # held by another; or it lapsed this instant: try again later
            try:
                return await self.renew(Lease(zone, owner, held.revision, 0.0))
            except LeaseLost:
                return None
        return Lease(zone, owner, revision, sent + self.ttl)

    async def renew(self, lease: Lease) -> Lease:
        """Write the lease again, only over the revision `lease` holds; `LeaseLost` if
        it lapsed or changed hands since."""
        sent = time.monotonic()
        revision = await self._write(lease, lease.owner.encode(), {})
        return Lease(lease.zone, lease.owner, revision, sent + self.ttl)

    async def release(self, lease: Lease) -> bool:
        """Give the zone up at once (a clean shutdown); False if it was no longer ours.
        The delete marker carries the TTL too, so it leaves no trace behind."""
        try:
            await self._write(lease, b"", {KV_OP: KV_DEL})
        except LeaseLost:
            return False
        return True

    async def holder(self, zone: int) -> Holder | None:
        """Who holds the zone now, or None."""
        try:
            msg = await self._js.get_msg(
                f"KV_{self._bucket}", subject=self._subject(zone), direct=False
            )
        except nats.js.errors.NotFoundError:
            return None
        if msg.headers and msg.headers.get(KV_OP) in (KV_DEL, KV_PURGE):
            return None
        assert msg.seq is not None and msg.data is not None
        return Holder(zone, msg.data.decode(), msg.seq, _age(msg.time))

    async def holders(self) -> list[Holder]:
        """Every lease held now, by zone."""
        try:
            keys = await self._kv.keys()
        except nats.js.errors.NoKeysError:
            return []
        found = [await self.holder(zone) for zone in sorted(_zones(keys))]
        return [held for held in found if held is not None]

    async def held(self) -> set[int]:
        """The zones someone holds now, by anyone: one listing of the bucket, so a host
        looking for free zones tries only those instead of every zone."""
        try:
            return set(_zones(await self._kv.keys()))
        except nats.js.errors.NoKeysError:
            return set()

    async def _write(self, lease: Lease, value: bytes, headers: dict[str, str]) -> int:
        """Publish over `lease.revision` with the lease TTL: the compare-and-set."""
        headers = {**headers, Header.EXPECTED_LAST_SUBJECT_SEQUENCE: str(lease.revision)}
        try:
            ack = await self._js.publish(
                self._subject(lease.zone), value, headers=headers, msg_ttl=self.ttl
            )
        except nats.js.errors.APIError as error:
            if error.err_code in _WRONG_LAST_SEQUENCE:
                raise LeaseLost(f"zone {lease.zone}: lease of {lease.owner} lost") from error
            raise
        return ack.seq

    def _subject(self, zone: int) -> str:
        return self._subject_of(lease_key(zone))


def _zones(keys: list[str]) -> list[int]:
    zones: list[int] = []
    for key in keys:
        try:
            zones.append(zone_of_lease(key))
        except ValueError:
            continue  # not a lease: someone else's key in the bucket
    return zones


def _age(written: datetime | None) -> float:
    if written is None:
        return 0.0
    return max(0.0, (datetime.now(UTC) - written).total_seconds())
