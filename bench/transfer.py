"""Mind transfer latency: p50/p99 within a server (enclave move) and between two servers.

Starts two real `infinity serve` processes on 127.0.0.1 with fresh data folders (the
source with NPC crews, so there are minds to move; the destination `--no-npcs`), makes
an operator on each (register, `infinity role NAME operator`, log in). After a warm-up
the NPC crews' agents are the candidates, topped up with agents the operator grows from
random genomes (`POST /api/operator/crew`, not chosen for their consent) so that both
phases can move N, and split between the phases alternately. Then it moves agents one
after another, each request timed end to end on the client (wall clock):

- between servers: `POST /api/operator/minds/{id}/transfer {to, token, reason}` from the
  source to the destination, until N moved (agents that refuse consent are skipped and
  counted);
- within the source: `POST /api/enclave/minds {agent, reason}`, the operator moving other
  agents into its own enclave, the same way.

While it measures, the source is played on as real users play: `--pilots` lean pilots
(`infinity loadtest`, default 50) steer every 100 ms, in a process of their own.

The floor, in the same run on the same server and connection, under the same load: a
trivial authenticated REST call (`GET /api/me`), a few after every move; each latency is
shown ÷ its p50.

Usage: python bench/transfer.py [--quick] [--agents N] [--pilots N]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import httpx2 as httpx

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
    from idle_server import free_port
except ImportError:  # pragma: no cover
    from bench import _common as common
    from bench.idle_server import free_port

PASSWORD: Final = "stardust-42"
SEED: Final = 7
FLOOR_PER_MOVE: Final = 3  # GET /api/me calls after every move
BUDGET_S: Final = 240.0  # the whole measurement, both phases
REQUEST_TIMEOUT_S: Final = 60.0
ENLIST_BUDGET_S: Final = 90.0
POOL: Final = 5  # candidates per agent to move, both phases together
BOARDING_S: Final = 8.0  # for the pilots to sign up, board and steer before measuring


class Served:
    """One `infinity serve` subprocess on 127.0.0.1 with its own data folder."""

    def __init__(self, data: Path, npcs: bool) -> None:
        self.data = data
        self.npcs = npcs
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.ready_s = float("nan")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "infinity", "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--data", str(self.data), "--seed", str(SEED),
            "--log-level", "warning", "--login-rate", "0", *([] if self.npcs else ["--no-npcs"]),
        ]  # fmt: skip
        began = time.monotonic()
        with (self.data / "server.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    self.ready_s = time.monotonic() - began
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server not ready: {self.tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def tail(self) -> str:
        log = self.data / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def cpu_s(self) -> float:
        return common.proc_cpu_seconds(self.process.pid) if self.process else 0.0


def fly_pilots(url: str, count: int, seconds: float, log: Path) -> subprocess.Popen[bytes]:
    """`count` players steering every 100 ms on `url` for `seconds` (`infinity loadtest`)."""
    command = [
        sys.executable, "-m", "infinity", "loadtest", "--clients", str(count),
        "--seconds", str(seconds), "--url", url,
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def land(pilots: subprocess.Popen[bytes] | None) -> None:
    if pilots is not None and pilots.poll() is None:
        pilots.send_signal(signal.SIGINT)
        try:
            pilots.wait(20)
        except subprocess.TimeoutExpired:
            pilots.kill()
            pilots.wait(10)


def operator(server: Served, name: str) -> str:
    """Register `name`, make it an operator, log in: its session token."""
    made = httpx.post(
        f"{server.url}/api/register", json={"name": name, "password": PASSWORD}, timeout=30
    )
    if made.status_code != 201:
        raise RuntimeError(f"register {name}: {made.status_code} {made.text[:300]}")
    env = {k: v for k, v in os.environ.items() if k != "INFINITY_FAULT"}
    role = subprocess.run(
        [sys.executable, "-m", "infinity", "role", name, "operator", "--data", str(server.data)],
        capture_output=True, timeout=90, env=env, check=False,
    )  # fmt: skip
    if role.returncode != 0:
        raise RuntimeError(f"role {name}: {role.stderr.decode(errors='replace')[-500:]}")
    login = httpx.post(
        f"{server.url}/api/login", json={"name": name, "password": PASSWORD}, timeout=30
    )
    if login.status_code != 200:
        raise RuntimeError(f"login {name}: {login.status_code} {login.text[:300]}")
    return str(login.json()["token"])


def living_agents(client: httpx.Client, url: str) -> list[int]:
    """Ids of the live agents the operator sees, each on a ship."""
    answer = client.get(f"{url}/api/agents", timeout=REQUEST_TIMEOUT_S)
    answer.raise_for_status()
    agents = answer.json()
    agents = agents.get("agents", agents) if isinstance(agents, dict) else agents
    return [int(a["id"]) for a in agents if a["alive"] and a.get("ship") is not None]


def settled_agents(client: httpx.Client, url: str, warm: float, timeout: float) -> list[int]:
    """The NPC crews' agents once the universe has run `warm` seconds and their count holds."""
    began = time.monotonic()
    time.sleep(warm)
    found = living_agents(client, url)
    while time.monotonic() - began < timeout:
        time.sleep(1.0)
        again = living_agents(client, url)
        if len(again) == len(found):
            break
        found = again
    return found


def enlist(client: httpx.Client, url: str, count: int, seed: int) -> list[int]:
    """Grow `count` agents from random genomes (not chosen for their consent): their ids."""
    rng = random.Random(seed)
    grown: list[int] = []
    deadline = time.monotonic() + ENLIST_BUDGET_S
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        dna = "".join(rng.choices("ACGT", k=256))
        answer = client.post(f"{url}/api/operator/crew", json={"dna": dna}, timeout=30)
        if answer.status_code != 201:
            raise RuntimeError(f"enlist: {answer.status_code} {answer.text[:300]}")
        grown.append(int(answer.json()["id"]))
    return grown


class Phase:
    """One kind of move: its latencies by outcome, and the floor measured between moves."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.moved: list[float] = []  # ms, end to end
        self.refused: list[float] = []
        self.other: dict[str, int] = {}  # outcome (error code / status) -> count
        self.floor: list[float] = []
        self.server_cpu_s = 0.0
        self.peer_cpu_s = float("nan")  # the destination's, transfers only
        self.wall_s = 0.0

    def count(self, outcome: str) -> None:
        self.other[outcome] = self.other.get(outcome, 0) + 1

    def figures(self) -> dict[str, Any]:
        floor = common.pct(self.floor, 50)
        p50 = common.pct(self.moved, 50)
        attempts = max(1, len(self.moved) + len(self.refused) + sum(self.other.values()))
        return {
            "moved": len(self.moved),
            "refused": len(self.refused),
            "other": dict(self.other),
            "p50_ms": p50,
            "p99_ms": common.pct(self.moved, 99),
            "max_ms": max(self.moved, default=float("nan")),
            "mean_ms": sum(self.moved) / len(self.moved) if self.moved else float("nan"),
            "refused_p50_ms": common.pct(self.refused, 50),
            "floor_p50_ms": floor,
            "floor_p99_ms": common.pct(self.floor, 99),
            "p50_to_floor": p50 / floor if floor == floor and floor > 0 else float("nan"),
            # per request (moved or refused), the floor calls and the universe's own ticking
            # between them included
            "server_cpu_ms_per_attempt": 1e3 * self.server_cpu_s / attempts,
            "peer_cpu_ms_per_attempt": 1e3 * self.peer_cpu_s / attempts,
            "wall_s": self.wall_s,
        }


def timed(client: httpx.Client, method: str, url: str, **kwargs: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    answer = client.request(method, url, timeout=REQUEST_TIMEOUT_S, **kwargs)
    return (time.perf_counter() - began) * 1e3, answer


def sample_floor(client: httpx.Client, url: str, phase: Phase) -> None:
    for _ in range(FLOOR_PER_MOVE):
        ms, answer = timed(client, "GET", f"{url}/api/me")
        if answer.status_code == 200:
            phase.floor.append(ms)


def run_phase(
    phase: Phase,
    client: httpx.Client,
    server: Served,
    candidates: list[int],
    want: int,
    deadline: float,
    move: Any,
    peer: Served | None = None,
) -> None:
    """Move candidates one after another until `want` moved (or none is left)."""
    for _ in range(5):  # warm the connection and the floor
        timed(client, "GET", f"{server.url}/api/me")
    left = list(candidates)
    cpu0, began = server.cpu_s(), time.monotonic()
    peer0 = peer.cpu_s() if peer else 0.0
    while left and len(phase.moved) < want and time.monotonic() < deadline:
        agent = left.pop(0)
        ms, answer = move(agent)
        code = answer.status_code
        error = ""
        if code >= 400:
            try:
                error = str(answer.json().get("error", ""))
            except ValueError:
                error = ""
        if code in (200, 201):
            phase.moved.append(ms)
        elif error == "refused":
            phase.refused.append(ms)
        else:
            phase.count(f"{code} {error}".strip())
        sample_floor(client, server.url, phase)
    phase.server_cpu_s = server.cpu_s() - cpu0
    phase.peer_cpu_s = peer.cpu_s() - peer0 if peer else float("nan")
    phase.wall_s = time.monotonic() - began


def measure(want: int, warm: float, pilots: int) -> tuple[Phase, Phase, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="infinity-transfer-") as tmp:
        source = Served(Path(tmp) / "source", npcs=True)
        destination = Served(Path(tmp) / "destination", npcs=False)
        flying: subprocess.Popen[bytes] | None = None
        try:
            source.start()
            destination.start()
            if pilots:
                log = Path(tmp) / "pilots.log"
                flying = fly_pilots(source.url, pilots, 2 * BUDGET_S + BOARDING_S, log)
                time.sleep(BOARDING_S)
                if flying.poll() is not None:
                    raise RuntimeError(f"the pilots stopped: {log.read_text()[-2000:]}")
            there = operator(destination, "Harbourmaster")
            here = operator(source, "Dispatcher")
            auth = {"authorization": f"Bearer {here}"}
            with httpx.Client(headers=auth) as client:
                npcs = settled_agents(client, source.url, warm, timeout=30.0)
                # both phases, with room for refusals (about half refuse): top up with
                # agents grown from random genomes
                grown = enlist(client, source.url, max(0, POOL * want - len(npcs)), SEED)
                agents = npcs + grown
                # alternate NPCs and grown ones between the phases: the same mix in each
                to_transfer, to_enclave = agents[0::2], agents[1::2]
                pilots_cpu = (
                    (lambda: common.proc_cpu_seconds(flying.pid)) if flying else (lambda: 0.0)
                )
                meter = common.NoiseMeter(
                    lambda: (
                        common.own_cpu_seconds()
                        + source.cpu_s()
                        + destination.cpu_s()
                        + pilots_cpu()
                    )
                )
                meter.start()
                deadline = time.monotonic() + BUDGET_S
                between = Phase("between two servers (transfer)")
                body = {"to": destination.url, "token": there, "reason": "bench"}

                def transfer(agent: int) -> tuple[float, Any]:
                    url = f"{source.url}/api/operator/minds/{agent}/transfer"
                    return timed(client, "POST", url, json=body)

                run_phase(
                    between, client, source, to_transfer, want, deadline, transfer, destination
                )
                within = Phase("within a server (enclave move)")

                def enclave(agent: int) -> tuple[float, Any]:
                    move = {"agent": agent, "reason": "bench"}
                    return timed(client, "POST", f"{source.url}/api/enclave/minds", json=move)

                deadline = max(deadline, time.monotonic() + BUDGET_S / 2)
                run_phase(within, client, source, to_enclave, want, deadline, enclave)
                context = {
                    "pilots": pilots,
                    "pilots_alive": flying is not None and flying.poll() is None,
                    "npc_agents": len(npcs),
                    "grown_agents": len(grown),
                    "foreign_cores": meter.foreign_cores(),
                    "source_ready_s": source.ready_s,
                    "destination_ready_s": destination.ready_s,
                }
        finally:
            try:
                land(flying)
                source.stop()
            finally:
                destination.stop()
    return between, within, context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 agents each way")
    parser.add_argument("--agents", type=int, help="agents to move per phase (default 20)")
    parser.add_argument(
        "--pilots", type=int, default=50, help="players steering on the source meanwhile"
    )
    args = parser.parse_args()
    # a SIGTERM unwinds like Ctrl-C: the servers are stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    want = args.agents or (5 if args.quick else 20)
    load_before = os.getloadavg()[0]
    between, within, context = measure(want, 3.0 if args.quick else 10.0, max(0, args.pilots))
    rows = []
    for phase in (between, within):
        f = phase.figures()
        rows.append(
            (phase.name, f["moved"], f["refused"], f["p50_ms"], f["p99_ms"], f["max_ms"],
             f["refused_p50_ms"], f["floor_p50_ms"], f["p50_to_floor"],
             f["server_cpu_ms_per_attempt"], f["peer_cpu_ms_per_attempt"])
        )  # fmt: skip
    common.table(
        f"mind transfer latency, end to end on the client, {want} agents per phase, "
        f"{context['pilots']} pilots steering every 100 ms on the source "
        f"(floor: GET /api/me on the source, same run, same load; other load "
        f"{context['foreign_cores']:.2f} cores)",
        ("move", "moved", "refused", "p50 ms", "p99 ms", "max ms", "refused p50 ms",
         "floor p50 ms", "p50 ÷ floor", "source CPU ms/try", "destination CPU ms/try"),
        rows,
    )  # fmt: skip
    for phase in (between, within):
        if phase.other:
            common.console.print(f"{phase.name}: other outcomes {phase.other}")
    figures: dict[str, Any] = {
        "bench": "transfer",
        "agents": want,
        "between": between.figures(),
        "within": within.figures(),
        **context,
        "machine": common.machine() | {"load_avg_1m_before": round(load_before, 2)},
    }
    common.emit(figures)


if __name__ == "__main__":
    main()
