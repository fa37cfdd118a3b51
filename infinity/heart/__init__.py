"""The Heart of Infinity: the engine's live state, sampled once a second for operators."""
