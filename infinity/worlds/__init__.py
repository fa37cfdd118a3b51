"""Worlds: templates of galaxy, rules and look that worlds are made from (docs/templates.md)."""
