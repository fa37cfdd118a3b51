"""The cluster's tables (migration 0013): handovers of ships between zone hosts under
their idempotency keys, and each zone's ownership epoch, which fences a host that lost a
zone out of moving that zone's ships (docs/cluster.md "Handover between hosts")."""

from __future__ import annotations

import sqlalchemy as sa

from infinity.store.schema import metadata

handovers = sa.Table(
    "cluster_handovers",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),  # the idempotency key
    sa.Column("ship", sa.BigInteger, nullable=False, index=True),
    sa.Column("from_zone", sa.Integer, nullable=False),
    sa.Column("to_zone", sa.Integer, nullable=False),
    sa.Column("host", sa.String(128), nullable=False),  # the host that handed it over
    sa.Column("committed_at", sa.Float, nullable=False),
    sa.Column("done_at", sa.Float, nullable=True),  # loaded into the arrival zone
)

zone_epochs = sa.Table(
    "cluster_zone_epochs",
    metadata,
    sa.Column("zone", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("epoch", sa.String(64), nullable=False),  # new at every gain
    sa.Column("since", sa.Float, nullable=False),
)
