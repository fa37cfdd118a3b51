"""The crews at work in a running universe: the runtime around the crew's domain."""
