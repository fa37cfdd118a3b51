"""The roll of live zone hosts (and, in a bucket of their own, of live gateways), in a
JetStream KV bucket (docs/cluster.md "Ownership").

Each zone host keeps one key (`subjects.host_key`) alive by writing it every TTL/3 with a
per-message TTL, like a lease nobody contends for: NATS forgets a host that stops writing,
so every host can count the live ones and take its fair share of the zones without any
coordinator. A host leaving in order removes its key at once, so the others take its
zones over without waiting for the TTL.
"""

from __future__ import annotations

import contextlib

import nats.js.errors
from nats.js.client import JetStreamContext

from infinity.cluster.leases import TtlBucket, ttl_bucket
from infinity.cluster.subjects import HOSTS_BUCKET, host_key, host_of_key


class HostRoll(TtlBucket):
    """Who is hosting zones now: every host's heartbeat lives `ttl` seconds after its
    last write."""

    @classmethod
    async def open(cls, js: JetStreamContext, ttl: int = 6, bucket: str = HOSTS_BUCKET) -> HostRoll:
        """Open the bucket, creating it if it is new. `ttl`: whole seconds, >= 1, best the
        same as the leases' so a stalled host drops off the roll when its leases lapse."""
        return cls(js, await ttl_bucket(js, bucket, ttl, "a heartbeat"), bucket, ttl)

    async def announce(self, name: str, about: bytes = b"") -> None:
        """Say `name` is alive for another TTL (with `about`: what it tells the status)."""
        await self._js.publish(self._subject(name), about, msg_ttl=self.ttl)

    async def leave(self, name: str) -> None:
        """Take `name` off the roll at once (an orderly stop). The purge marker carries the
        TTL too, so it leaves no trace behind."""
        await self._kv.purge(host_key(name), msg_ttl=self.ttl)

    async def live(self) -> set[str]:
        """The names of every host whose heartbeat has not lapsed."""
        try:
            keys = await self._kv.keys()
        except nats.js.errors.NoKeysError:
            return set()
        names: set[str] = set()
        for key in keys:
            try:
                names.add(host_of_key(key))
            except ValueError:
                continue  # someone else's key in the bucket
        return names

    async def about(self) -> dict[str, bytes]:
        """What every live member last said of itself, by name."""
        found: dict[str, bytes] = {}
        for name in await self.live():
            with contextlib.suppress(
                nats.js.errors.KeyNotFoundError, nats.js.errors.KeyDeletedError
            ):
                entry = await self._kv.get(host_key(name))
                found[name] = entry.value or b""
        return found

    def _subject(self, name: str) -> str:
        return self._subject_of(host_key(name))
