"""What a hostile client cannot do to a real server on 127.0.0.1 (docs/security.md).

Each test replays one attack of issue 8 against `infinity serve` with small
limits, and checks the typed answer or close code, that the server stays
responsive, and that nothing reached its log as a traceback.
"""

from __future__ import annotations

import asyncio
import itertools
import select
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import websockets

from infinity.gateway.socket import HELLO_TIMEOUT
from tests.conftest import PASSWORD, Server
from tests.gateway.client import Client, encode

IDLE = 1  # --idle-timeout of the server under test
CAP = 40  # --max-connections
BURST = 10  # --login-burst
MiB = 1024 * 1024
NAMES = itertools.count()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    options = ["--idle-timeout", str(IDLE), "--max-connections", str(CAP)]
    options += ["--login-rate", "2", "--login-burst", str(BURST)]
    server = Server(tmp_path_factory.mktemp("hardened") / "data", options=options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def no_traceback(guarded: Server) -> Iterator[None]:
    """Whatever a test sends, the server logs no traceback (at most one short line)."""
    start = guarded.log.stat().st_size
    yield
    with guarded.log.open("rb") as log:
        log.seek(start)
        added = log.read().decode(errors="replace")
    assert "Traceback" not in added and "Exception in ASGI" not in added, added[-3000:]


def token(server: Server) -> str:
    return str(server.register(f"hardy{next(NAMES)}")["token"])


@pytest.fixture(scope="module")
def bearer(guarded: Server) -> dict[str, str]:
    """One player's Authorization header, for the routes that need one."""
    return {"Authorization": f"Bearer {token(guarded)}"}


def raw(server: Server, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)


def closed_by_peer(sock: socket.socket, wait: float = 0.0) -> bool:
    """True if the server has closed (or reset) the connection."""
    readable, _, _ = select.select([sock], [], [], wait)
    if not readable:
        return False
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def read_all(sock: socket.socket) -> bytes:
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def rss(server: Server) -> int:
    """The server process's resident memory, in bytes."""
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


# -- 6. request bodies ------------------------------------------------------------------


def test_a_declared_oversized_body_is_refused_before_it_is_sent(guarded: Server) -> None:
    with raw(guarded) as sock:
        sock.sendall(
            b"POST /api/register HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 536870912\r\n\r\n"
        )
        answer = read_all(sock)  # the server answers and closes without reading a byte
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"error":"too_large"' in answer and b"connection: close" in answer.lower()


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(guarded: Server) -> None:
    with raw(guarded) as sock:
        sock.sendall(
            b"POST /api/login HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2000\r\n" + b"x" * 0x2000 + b"\r\n"
        )  # 8 KiB and no last chunk: the server must not wait for the rest
        assert read_all(sock).startswith(b"HTTP/1.1 413")


def stream(server: Server, size: int) -> int:
    """Send a chunked body of `size` bytes until the server hangs up; returns bytes sent."""
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    sent = 0
    with raw(server, timeout=10.0) as sock:
        try:
            sock.sendall(
                b"POST /api/register HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            while sent < size:
                sock.sendall(chunk)
                sent += 0x10000
        except OSError:  # reset or broken pipe: the server stopped reading and closed
            pass
    return sent


def test_streamed_bodies_are_cut_off_and_never_held(guarded: Server) -> None:
    before = rss(guarded)
    sent, peak = [], before
    for _ in range(4):
        sent.append(stream(guarded, 64 * MiB))
        peak = max(peak, rss(guarded))
    assert max(sent) < 16 * MiB, sent  # only what socket buffers hold, never the 64 MiB
    assert peak - before < 32 * MiB, (before, peak)
    assert httpx.get(f"{guarded.url}/healthz").status_code == 200


# -- 7. idle and trickling connections ------------------------------------------------


def test_a_connection_that_sends_nothing_is_closed_after_the_idle_timeout(
    guarded: Server,
) -> None:
    with raw(guarded) as sock:
        began = time.monotonic()
        assert closed_by_peer(sock, wait=IDLE + 3.0)
        assert time.monotonic() - began < IDLE + 1.5


def trickle(sock: socket.socket, seconds: float) -> float:
    """Send a request head one byte every 0.1 s; returns when the server closed it."""
    began = time.monotonic()
    for byte in itertools.cycle(b"X-Slow: aaaa\r\n"):
        if time.monotonic() - began > seconds:
            break
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            break
        if closed_by_peer(sock, wait=0.1):
            break
    return time.monotonic() - began


def test_a_trickled_request_head_is_closed(guarded: Server) -> None:
    with raw(guarded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        assert trickle(sock, seconds=IDLE + 5.0) < IDLE + 1.5


def test_a_trickled_second_request_is_closed_too(guarded: Server) -> None:
    with raw(guarded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert trickle(sock, seconds=IDLE + 5.0) < IDLE + 1.5


def test_connections_beyond_the_cap_are_closed_at_once(guarded: Server) -> None:
    time.sleep(IDLE + 0.5)  # earlier tests' keep-alive connections are gone
    sockets = [raw(guarded) for _ in range(CAP + 20)]
    try:
        time.sleep(0.3)  # well inside the idle timeout
        refused = sum(closed_by_peer(sock) for sock in sockets)
        assert 20 <= refused <= 22, refused
    finally:
        for sock in sockets:
            sock.close()
    time.sleep(0.2)
    assert httpx.get(f"{guarded.url}/healthz").status_code == 200


async def test_a_socket_that_never_says_hello_is_closed_4000(guarded: Server) -> None:
    async with websockets.connect(guarded.ws_url, compression=None) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT + 3.0)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000


# -- 8. text frames are rate-limited like any other -----------------------------------


@pytest.fixture
async def client(guarded: Server) -> AsyncIterator[Client]:
    joined = await Client.connect(guarded.ws_url, token(guarded))
    yield joined
    await joined.close()


async def test_a_flood_of_text_frames_is_rate_limited_then_closed_4008(client: Client) -> None:
    for _ in range(90):  # past the burst of 60: told, not yet closed
        await client.ws.send("not msgpack")
    await client.until(lambda c: any(e.reason == "rate_limited" for e in c.errors))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        async with asyncio.timeout(15):
            for _ in range(2000):
                await client.ws.send("not msgpack")
            while True:
                await client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008


# -- 9. register and login are limited per address ------------------------------------


async def test_a_login_flood_gets_429_while_others_log_in_and_the_server_answers(
    guarded: Server,
) -> None:
    name = f"target{next(NAMES)}"
    guarded.register(name)
    flood = httpx.AsyncClient(  # 16 connections at a time: within --max-connections
        base_url=guarded.url,
        transport=httpx.AsyncHTTPTransport(
            local_address="127.0.0.5", limits=httpx.Limits(max_connections=16)
        ),
    )
    honest = httpx.AsyncClient(
        base_url=guarded.url, transport=httpx.AsyncHTTPTransport(local_address="127.0.0.6")
    )
    async with flood, honest:
        wrong = {"name": name, "password": "not-the-password"}
        attempts = [flood.post("/api/login", json=wrong) for _ in range(120)]
        floods = asyncio.gather(*attempts)
        latencies = []
        for _ in range(10):
            began = time.monotonic()
            assert (await honest.get("/healthz")).status_code == 200
            latencies.append(time.monotonic() - began)
        mine = await honest.post("/api/login", json={"name": name, "password": PASSWORD})
        answers = await floods
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) >= 120 - BURST - 5
    assert all(int(a.headers["retry-after"]) >= 1 for a in refused)
    assert {a.json()["error"] for a in refused} <= {"rate_limited", "busy"}
    assert mine.status_code == 200  # another address is not held up by the flood
    assert max(latencies) < 0.5, latencies


# -- 10. bad input is a typed 4xx, never a 500 ----------------------------------------


def test_head_on_every_get_route_answers_headers_only(
    guarded: Server, bearer: dict[str, str]
) -> None:
    doc = httpx.get(f"{guarded.url}/openapi.json").json()
    paths = [path.replace("{id}", "1") for path, ops in doc["paths"].items() if "get" in ops]
    for path in [*paths, "/", "/main.js", "/healthz", "/metrics", "/openapi.json"]:
        answer = httpx.head(f"{guarded.url}{path}", headers=bearer)
        assert answer.status_code < 500 and answer.content == b"", path


HUGE = "9" * 5000


@pytest.mark.parametrize(
    "path",
    [
        "/api/market?station=²",
        f"/api/market?station={HUGE}",
        "/api/market?station=-1",
        "/api/market",
        "/api/wallet?cursor=²",
        "/api/wallet?limit=٣",
        f"/api/wallet?cursor={HUGE}",
        "/api/wallet?limit=0",
        "/api/agents/²",
        f"/api/agents/{HUGE}",
    ],
)
def test_bad_parameters_are_422(guarded: Server, bearer: dict[str, str], path: str) -> None:
    answer = httpx.get(f"{guarded.url}{path}", headers=bearer)
    assert (answer.status_code, answer.json()["error"]) == (422, "invalid")


async def test_a_deeply_nested_frame_is_a_bad_frame(client: Client) -> None:
    await client.ws.send(b"\x91" * 4000 + b"\xc0")  # 4,000 nested arrays in 4 KiB
    await client.until(lambda c: bool(c.errors))
    assert client.errors[0].reason == "bad_frame"
    frames = client.frames
    await client.until(lambda c: c.frames > frames + 5)  # still connected, still served


@pytest.mark.parametrize("size", [5_000, 100_000])
async def test_an_oversized_hello_is_closed_1009(guarded: Server, size: int) -> None:
    async with websockets.connect(guarded.ws_url, compression=None, max_size=None) as ws:
        await ws.send(encode({"t": "hello", "v": 1, "token": "x" * size}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


# -- 11. security headers -------------------------------------------------------------


def test_every_answer_carries_the_security_headers(guarded: Server) -> None:
    answers = [
        httpx.get(f"{guarded.url}/"),
        httpx.get(f"{guarded.url}/api/galaxy"),
        httpx.get(f"{guarded.url}/no/such/page"),
        httpx.head(f"{guarded.url}/style.css"),
        httpx.post(f"{guarded.url}/api/register", content=b"x" * 10_000),
    ]
    assert [a.status_code for a in answers] == [200, 200, 404, 200, 413]
    for answer in answers:
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        policy = answer.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self' 'sha256-" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
