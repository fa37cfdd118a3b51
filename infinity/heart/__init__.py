"""The Heart of Infinity: the live state of the engine, sampled for the operators' console."""
