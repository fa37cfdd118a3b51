"""Persistence: the only package that knows SQL; rows in, domain dataclasses out."""
