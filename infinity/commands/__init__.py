"""The one way in: typed commands, and the typed reasons a command is rejected."""
