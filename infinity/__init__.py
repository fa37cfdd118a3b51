"""Infinity: a persistent, massively multiplayer space universe."""

__version__ = "0.1.0"
