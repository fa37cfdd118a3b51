"""The floor of the fan-out bench: the least a server can do for the same pilots.

A picows server (the game lane's library) that welcomes each pilot, reads
and drops its commands (keeping the highest `seq` to ack), and every 50 ms
writes each client one frame: the same shared bytes (`--frame-bytes` long,
a real frame's size) followed by that client's `me`. No simulation, no
interest management, no validation. The gateway's µs per frame divided by
this server's, measured in the same run on the same core, is the ratio
BENCHMARKS.md leads with.

Usage: python bench/_fanout_floor.py --port P --frame-bytes B --status FILE
(until SIGINT/SIGTERM; FILE holds the number of welcomed clients, rewritten each second)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Final

import msgspec
import uvloop
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_create_server

from infinity.gateway import wire

TICK: Final = 0.05
_seq = msgspec.msgpack.Decoder(dict[str, object])


class FloorClient(WSListener):
    def __init__(self, clients: set[FloorClient]) -> None:
        super().__init__()
        self.clients = clients
        self.transport: WSTransport | None = None
        self.ack = 0
        self.me = wire.Me(0, 0, 0, 0, -1, -1, 0, 0, -1, None, 0, 0, -1)

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.clients.discard(self)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type != WSMsgType.BINARY:
            return
        if self not in self.clients:  # the hello
            account = wire.AccountInfo(1, "floor", "player")
            welcome = wire.Welcome(
                v=wire.PROTOCOL_VERSION, account=account, ship=1,
                system=wire.SystemInfo(1, "Floor"), tick=0, cell_size=1000.0, chat=[],
            )  # fmt: skip
            transport.send(WSMsgType.BINARY, wire.encode(welcome))
            self.clients.add(self)
            return
        seq = _seq.decode(frame.get_payload_as_bytes()).get("seq", 0)
        if isinstance(seq, int) and seq > self.ack:
            self.ack = seq


def shared_prefix(size: int) -> bytes:
    """A frame's shared part, `size` bytes long: one cell whose moves pad it out."""
    head = wire.frame_prefix(1, 1.0, [], wire.encode([]))
    cell = wire.Cell(0, 0.0, 0.0, False, [], [], b"", b"", [])
    pad = max(0, size - len(head) - len(wire.encode(cell)) - 8)
    cell.moves = bytes(pad)
    return wire.frame_prefix(1, 1.0, [wire.encode(cell)], wire.encode([]))


async def serve(port: int, frame_bytes: int, status: Path) -> None:
    clients: set[FloorClient] = set()
    prefix = shared_prefix(frame_bytes)
    server = await ws_create_server(lambda _request: FloorClient(clients), "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    next_at = loop.time()
    ticks = 0
    while not stop.is_set():
        if ticks % 20 == 0:
            status.write_text(str(len(clients)))
        ticks += 1
        for client in list(clients):
            client.me.ack = client.ack
            assert client.transport is not None
            client.transport.send(WSMsgType.BINARY, prefix + wire.encode(client.me))
        next_at += TICK
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, next_at - loop.time()))
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="fan-out floor server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--frame-bytes", type=int, default=1150)
    parser.add_argument("--status", type=Path, required=True)
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(args.port, args.frame_bytes, args.status))


if __name__ == "__main__":
    main()
