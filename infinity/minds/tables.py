"""The minds package's table: every step of every transfer, on both sides (docs/mind.md,
"Transfer"). Migration `0011_transfers` creates it; the drift test compares the two.

* `mind_transfers`: one row per transfer key and side. The source writes `leaving` when it
  marks the mind in transit, then `retired` (the mind lives on elsewhere) or `returned`
  (the destination refused for good: it lives here again). The destination writes
  `arrived` in the same transaction as the admitted mind, or `cancelled` when the source
  gave up first (the key is then refused for good).
"""

from __future__ import annotations

import sqlalchemy as sa

from infinity.store.schema import metadata

mind_transfers = sa.Table(
    "mind_transfers",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("agent_id", sa.BigInteger, nullable=False),  # this side's agent id
    sa.Column("role", sa.String(16), nullable=False),  # "source" or "destination"
    sa.Column("peer", sa.String(256), nullable=False),  # the other side's URL, or "file"
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("document_hash", sa.String(80), nullable=False),
    sa.Column("document", sa.LargeBinary, nullable=True),  # the source's sealed document
    sa.Column("peer_agent", sa.BigInteger, nullable=True),  # the mind's id on the other side
    sa.Column("detail", sa.Text, nullable=False, server_default=""),  # why it was returned
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
