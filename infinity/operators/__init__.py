"""Operators: the elevated verbs of the one permission table, each act audited."""
