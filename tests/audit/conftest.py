from tests.pg import postgres_server

__all__ = ["postgres_server"]  # fixtures, re-exported for this folder
