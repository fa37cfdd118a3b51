"""The worlds' tables: each world, who may enter it, and ships away from home.

World 1 is the main world (made by migration 0009); instances count up from 2
through the `WORLD_COUNTER` row. A world's star systems are rows of the
universe's `systems` table with its `world_id`.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

from infinity.store.schema import metadata, reference, required

MAIN_WORLD: Final = 1
WORLD_COUNTER: Final = "world_id"
SYSTEM_COUNTER: Final = "system_id"  # instance and built systems: ids above the Heart's
BODY_COUNTER: Final = "body_id"  # instance and built bodies: ids from 2**31 (ships' are lower)

worlds = sa.Table(
    "worlds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("template", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # main | instance | enclave
    sa.Column("visibility", sa.String(8), nullable=False),  # public | invite | sealed
    reference("owner_id", sa.Integer, "accounts.id", ondelete="SET NULL", nullable=True),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("rules", sa.Text, nullable=False),  # JSON: the template's rules as changed
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("closed_at", sa.Float, nullable=True),
    sa.Column("flagship_id", sa.BigInteger, nullable=True),  # the template's flagship, if any
)

# Who holds which post on a world's flagship bridge (the captain is the owner: no row).
bridge_posts = sa.Table(
    "bridge_posts",
    metadata,
    reference("world_id", sa.Integer, "worlds.id", ondelete="CASCADE", primary_key=True),
    sa.Column("post", sa.String(20), primary_key=True),
    reference("account_id", sa.Integer, "accounts.id", ondelete="CASCADE", nullable=False),
    sa.UniqueConstraint("world_id", "account_id"),
)

world_members = sa.Table(
    "world_members",
    metadata,
    reference("world_id", sa.Integer, "worlds.id", ondelete="CASCADE", primary_key=True),
    reference("account_id", sa.Integer, "accounts.id", ondelete="CASCADE", primary_key=True),
    sa.Column("added_at", sa.Float, nullable=False),
)

# A ship in another world than the one it set out from: where it comes back to.
voyages = sa.Table(
    "voyages",
    metadata,
    reference("ship_id", sa.BigInteger, "ships.id", ondelete="CASCADE", primary_key=True),
    sa.Column("world_id", sa.Integer, nullable=False),  # where it went
    sa.Column("key", sa.String(64), nullable=False),  # the travel's idempotency key
    sa.Column("from_system", sa.Integer, nullable=False),
    *required(sa.Float, "x", "y"),
    *required(sa.BigInteger, "docked_at", "home_station"),
    sa.Column("home_system", sa.Integer, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
