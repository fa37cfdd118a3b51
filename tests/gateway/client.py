"""A minimal protocol client for tests: decodes frames and tracks what it sees."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np
import websockets

from infinity.gateway import wire

encode = msgspec.msgpack.Encoder().encode


class Client:
    def __init__(self, ws: Any, token: str, welcome: wire.Welcome) -> None:
        self.ws = ws
        self.token = token
        self.welcome = welcome
        self.entities: dict[int, wire.Entity] = {}
        self.cell_of: dict[int, int] = {}  # entity id -> the cell it was last seen entering
        self.positions: dict[int, tuple[float, float]] = {}
        self.me: wire.Me | None = None
        self.errors: list[wire.ErrorMessage] = []
        self.chat: list[wire.ChatLine] = []
        self.events: list[wire.WireEvent] = []
        self.messages: list[wire.ServerMessage] = []
        self.frames = 0
        self.tick = 0
        self.seq = 0

    @classmethod
    async def connect(cls, ws_url: str, token: str, version: int = 1) -> Client:
        # a client that stopped reading (its queue full) would wait 10 s for the close reply
        ws = await websockets.connect(ws_url, compression=None, open_timeout=10, close_timeout=1)
        await ws.send(encode({"t": "hello", "v": version, "token": token}))
        welcome = wire.decode(await asyncio.wait_for(ws.recv(), 10))
        assert isinstance(welcome, wire.Welcome), welcome
        return cls(ws, token, welcome)

    @property
    def ship(self) -> int:
        return self.welcome.ship

    async def send(self, t: str, **fields: Any) -> int:
        self.seq += 1
        await self.ws.send(encode({"t": t, "seq": self.seq, "ship": self.ship, **fields}))
        return self.seq

    async def recv(self, timeout: float = 5.0) -> wire.Frame | wire.ServerMessage:
        message = wire.decode(await asyncio.wait_for(self.ws.recv(), timeout))
        if isinstance(message, wire.Frame):
            self._apply(message)
        elif isinstance(message, wire.ErrorMessage):
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
        await self.until(lambda c: c.me is not None and c.me.ack >= seq, timeout)

    def _apply(self, frame: wire.Frame) -> None:
        """In the protocol's order: full resets, then all left, then all entered, then moves."""
        self.frames += 1
        self.tick = frame.tick
        for cell in frame.cells:
            if cell.full:
                for gone in [i for i, c in self.cell_of.items() if c == cell.key]:
                    self._forget(gone)
        for cell in frame.cells:
            for gone in cell.left:
                self._forget(gone)
        for cell in frame.cells:
            for record in cell.entered:
                self.entities[record.id] = record
                self.cell_of[record.id] = cell.key
                self.positions[record.id] = (record.x, record.y)
        for cell in frame.cells:
            for move in np.frombuffer(cell.moves, dtype=wire.MOVE):
                self.positions[int(move["id"])] = (
                    float(cell.ox + move["x"] / 10.0),
                    float(cell.oy + move["y"] / 10.0),
                )
            self.events.extend(cell.events)
        self.chat.extend(frame.chat)
        self.me = frame.me

    def _forget(self, entity: int) -> None:
        self.entities.pop(entity, None)
        self.cell_of.pop(entity, None)

    async def close(self) -> None:
        await self.ws.close()
