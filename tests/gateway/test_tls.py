"""`infinity serve --tls-cert FILE --tls-key FILE` serves HTTPS (and WSS) itself.

WebXR needs a secure context, so a headset on the LAN reaches the server over
TLS; uvicorn's own `ssl_certfile`/`ssl_keyfile` do it. A self-signed
certificate for 127.0.0.1 is made with the `openssl` command in the test.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
import websockets

from infinity.gateway import wire
from tests.conftest import PASSWORD, free_port
from tests.gateway.client import encode


def self_signed(folder: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is missing")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


async def first_frame(url: str, token: str, trust: ssl.SSLContext) -> None:
    """Hello over WSS; the welcome, then a frame with the player's own ship in it."""
    async with websockets.connect(url, ssl=trust, compression=None, close_timeout=1) as ws:
        await ws.send(encode({"t": "hello", "v": 1, "token": token}))
        welcome = wire.decode(await asyncio.wait_for(ws.recv(), 10))
        assert isinstance(welcome, wire.Welcome), welcome
        frame = wire.decode(await asyncio.wait_for(ws.recv(), 10))
        assert isinstance(frame, wire.Frame)
        assert welcome.ship in {e.id for cell in frame.cells for e in cell.entered}


def test_serve_with_a_certificate_speaks_https(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    port = free_port()
    log = tmp_path / "server.log"
    command = [
        sys.executable, "-m", "infinity", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--data", str(tmp_path / "data"), "--no-npcs", "--log-level", "warning",
        "--tls-cert", str(cert), "--tls-key", str(key),
    ]  # fmt: skip
    trust = ssl.create_default_context(cafile=str(cert))
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"https://127.0.0.1:{port}/healthz", verify=trust, timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None, f"no HTTPS answer: {log.read_text()[-2000:]}"
        assert answer.status_code == 200
        # The page itself comes over TLS, with its security headers.
        page = httpx.get(f"https://127.0.0.1:{port}/", verify=trust, timeout=5.0)
        assert page.status_code == 200
        assert "content-security-policy" in page.headers
        # Plain HTTP on the same port is not served.
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2.0).raise_for_status()
        # The game socket (the game lane, picows behind uvicorn's TLS) speaks WSS.
        body = {"name": "headset", "password": PASSWORD}
        joined = httpx.post(f"https://127.0.0.1:{port}/api/register", json=body, verify=trust)
        assert joined.status_code == 201, joined.text
        asyncio.run(first_frame(f"wss://127.0.0.1:{port}/ws", joined.json()["token"], trust))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
