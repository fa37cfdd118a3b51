"""The audit log: every operator act, append-only and hash-chained (docs/operators.md)."""
