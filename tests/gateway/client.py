"""A minimal protocol client for tests: decodes frames and tracks what it sees."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np
import websockets

from infinity.gateway.wire import MOVE

decode = msgspec.msgpack.Decoder().decode
encode = msgspec.msgpack.Encoder().encode


class Client:
    def __init__(self, ws: Any, token: str) -> None:
        self.ws = ws
        self.token = token
        self.welcome: dict[str, Any] = {}
        self.entities: dict[int, list[Any]] = {}  # id -> [id, kind, name, x, y, heading, ...]
        self.positions: dict[int, tuple[float, float]] = {}
        self.me: list[Any] = []
        self.errors: list[dict[str, Any]] = []
        self.chat: list[list[Any]] = []
        self.events: list[list[Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.frames = 0
        self.tick = 0
        self.seq = 0

    @classmethod
    async def connect(cls, ws_url: str, token: str, version: int = 1) -> Client:
        ws = await websockets.connect(ws_url, compression=None, open_timeout=10)
        client = cls(ws, token)
        await ws.send(encode({"t": "hello", "v": version, "token": token}))
        client.welcome = decode(await asyncio.wait_for(ws.recv(), 10))
        return client

    @property
    def ship(self) -> int:
        ship: int = self.welcome["ship"]
        return ship

    async def send(self, t: str, **fields: Any) -> int:
        self.seq += 1
        await self.ws.send(encode({"t": t, "seq": self.seq, "ship": self.ship, **fields}))
        return self.seq

    async def recv(self, timeout: float = 5.0) -> Any:
        message = decode(await asyncio.wait_for(self.ws.recv(), timeout))
        if isinstance(message, list):
            self._apply(message)
        elif message.get("t") == "error":
            self.errors.append(message)
        else:
            self.messages.append(message)
        return message

    async def until(self, done: Callable[[Client], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not done(self):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("condition not met")
            await self.recv(left)

    async def acked(self, seq: int, timeout: float = 5.0) -> None:
        await self.until(lambda c: bool(c.me) and c.me[0] >= seq, timeout)

    def _apply(self, frame: list[Any]) -> None:
        self.frames += 1
        _, self.tick, _dilation, cells, chat, me = frame
        for cell in cells:
            if cell[3]:
                for gone in [i for i, e in self.entities.items() if e[-1] == cell[0]]:
                    del self.entities[gone]
        for cell in cells:
            for gone in cell[5]:
                self.entities.pop(gone, None)
        for cell in cells:
            for record in cell[4]:
                self.entities[record[0]] = [*record, cell[0]]
                self.positions[record[0]] = (record[3], record[4])
        for cell in cells:
            for move in np.frombuffer(cell[6], dtype=MOVE):
                self.positions[int(move["id"])] = (
                    float(cell[1] + move["x"] / 10.0),
                    float(cell[2] + move["y"] / 10.0),
                )
            self.events.extend(cell[8])
        self.chat.extend(chat)
        self.me = me

    async def close(self) -> None:
        await self.ws.close()
