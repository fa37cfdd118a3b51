"""The universe's tables: the galaxy, its bodies, ships, the chat log, and ships handed
over between zone hosts.

Ship ids start at `FIRST_SHIP_ID` so they never collide with body ids; they
come from the `SHIP_COUNTER` row of the store's counters.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

from infinity.store.schema import SerialId, metadata, reference, required

FIRST_SHIP_ID: Final = 1 << 20
SHIP_COUNTER: Final = "ship_id"

galaxy = sa.Table(
    "galaxy",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),  # "seed", "clock:<system>", ...
    sa.Column("value", sa.Text, nullable=False),
)

systems = sa.Table(
    "systems",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(128), nullable=False),
    *required(sa.Float, "x", "y"),
    # the world it belongs to (worlds/tables.py; 1: the main world), since 0009
    sa.Column("world_id", sa.Integer, nullable=False, server_default="1", index=True),
)

bodies = sa.Table(
    "bodies",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),  # below FIRST_SHIP_ID
    reference(
        "system_id", sa.Integer, "systems.id", ondelete="CASCADE", nullable=False, index=True
    ),
    sa.Column("seq", sa.Integer, nullable=False),  # order within its system, kept on reload
    sa.Column("kind", sa.Integer, nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    *required(sa.Float, "x", "y", "ore"),
    sa.Column("leads_to", sa.Integer, nullable=False),  # a gate's destination system
    sa.Column("dest_gate", sa.BigInteger, nullable=False),  # the gate arrived at on the far side
)

ships = sa.Table(
    "ships",
    metadata,
    # from the SHIP_COUNTER, from FIRST_SHIP_ID up
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    # NULL for NPC ships; one ship per player account
    reference(
        "account_id", sa.Integer, "accounts.id", ondelete="CASCADE", nullable=True, unique=True
    ),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("system_id", sa.Integer, nullable=False),
    *required(sa.Float, "x", "y", "vx", "vy", "heading", "hull", "shield", "energy", "cargo"),
    sa.Column("torpedoes", sa.Integer, nullable=False),
    sa.Column("fuel", sa.Float, nullable=False, server_default="100"),  # since 0004
    *required(sa.BigInteger, "docked_at", "home_station"),
    sa.Column("home_system", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

chat = sa.Table(
    "chat",
    metadata,
    sa.Column("id", SerialId, primary_key=True, autoincrement=True),
    sa.Column("system_id", sa.Integer, nullable=False),
    sa.Column("ship_id", sa.BigInteger, nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("ix_chat_system_id_id", "system_id", "id"),
)

# The cluster's (migration 0013): handovers of ships between zone hosts under their
# idempotency keys, and each zone's ownership epoch, which fences a host that lost a zone
# out of moving that zone's ships (docs/cluster.md "Handover between hosts").

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
