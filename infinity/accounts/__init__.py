"""Player and operator accounts: password hashes, session tokens, register and log in."""
