"""The cluster scale: the bus zones, gateways and crew workers talk over (in-process or
NATS), zone ownership by lease, and a local nats-server (docs/cluster.md)."""
