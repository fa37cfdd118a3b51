"""The gateway: HTTP, the game WebSocket, interest management and the web client's files."""
