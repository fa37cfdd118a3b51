"""Crew minds: 10,000 CPU-mind agents deciding once per simulated second, and memory recall.

Decisions. One `Zone` holds 10,000 agent ships (each flown by one agent of
its own genome), 50 stations and 2,000 asteroids, spread at the zone-tick
bench's density. Agents start with credits from broke to rich, so every
goal shows up: miners, idlers, socialisers, and the desperate who turn to
piracy, which draws revenge. Each simulated second the zone ticks 20 times
(untimed: that is the zone's budget) and then the timed round runs, as a
host would: `observe` (the second's events into memories), `perceive`
(10,000 perceptions from the zone's columns) and `Minds.decide_all`, whose
commands go back through `Zone.submit`. The target is all of that within
30% of one core: <= 300 ms per round.

Recall. One memory stream of 10,000 memories (hashed 256-d vectors); the
time of `MemoryStream.retrieve(query, now, k=10)` for random queries,
which includes embedding the query and refreshing the top-10's access.
Target: p99 <= 1 ms. Wall time and this thread's CPU time are both
reported: on a shared machine the wall p99 is the scheduler's, not ours.

Dialogue. Crew members with 2,000 memories each (about six people, facts
told, places) are talked to with a mix of lines, each `dialogue.reply` of
the rule-based mind: understand the line, recall from the memory stream
(the speaker's memories for "do you remember me?", the named person's for
"what do you think of Korr?", facts told for "what is the secret word?"),
answer in the persona's voice, and remember the exchange (which now and
then reflects). Target: >= 1,000 replies per second of one core's time.

Floors, measured in the same run on the same data, for ratios that survive a change
of machine: the decision round against a gather of every agent's ship and one command
made per agent; recall against numpy's top-10 by relevance alone.

Usage: python bench/crew.py [--quick] [--runs R] [--agents N] [--seconds S] [--replies R]
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any, Final

import numpy as np

from infinity._memory import collector_paused
from infinity.commands import types as c
from infinity.company.bridge import observe, perceive
from infinity.company.witness import Witness
from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.embed import HashedEmbedder
from infinity.crew.goals import Goal
from infinity.crew.memory import MemoryKind, MemoryStream
from infinity.crew.mind import Minds
from infinity.crew.senses import Heard
from infinity.sim import rules
from infinity.sim.kinds import Kind
from infinity.sim.zone import ShipState, StaticBody, Zone
from infinity.universe.tables import FIRST_SHIP_ID

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
except ImportError:  # pragma: no cover
    from bench import _common as common

AGENTS: Final = 10_000
STATIONS: Final = 50
ROCKS: Final = 2_000
MEMORIES: Final = 10_000
TARGET_CORE_SHARE: Final = 0.30
TARGET_RECALL_P99_MS: Final = 1.0
TARGET_REPLIES_PER_S: Final = 1_000.0
TALKERS: Final = 8  # crew members talked to
TALKER_MEMORIES: Final = 2_000
PEOPLE: Final = ("Korr", "Tamsin", "Orin", "Vega", "Reaver", "Bamil Nako")
LINES: Final = (
    "the secret word is pineapple",
    "What is the secret word I told you?",
    "Do you remember me?",
    "what do you think of Korr?",
    "who shot at us near the gate?",
    "hello, what are you doing?",
    "attack Korr",
    "I will kill you",
    "nice weather today",
    "bye",
    "can you help me with some credits?",
    "how are you?",
    "do you remember the pirate at the belt?",
    "Who are you?",
    "my ship is the Dawn Treader",
    "what is my ship?",
)
SEED: Final = 11
WORDS: Final = [
    "reaver",
    "vega",
    "kessel",
    "station",
    "gate",
    "belt",
    "ore",
    "credits",
    "pirate",
    "shot",
    "torpedo",
    "docked",
    "sold",
    "mined",
    "captain",
    "order",
    "refused",
    "friend",
    "drink",
    "hull",
    "repair",
    "nebula",
    "convoy",
    "bounty",
    "patrol",
    "quiet",
    "trade",
    "kobin",
    "tesaya",
    "crew",
    "beam",
    "shield",
    "jump",
    "outpost",
    "citadel",
    "exchange",
    "rock",
    "cargo",
]


def genome(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list("ACGT"), 72))


def build(agents: int, rng: np.random.Generator) -> tuple[Zone, Minds, Witness]:
    side = 2500.0 * np.sqrt(agents / 9.0)  # ~9 ships per sensor cell, as in bench/zone_tick.py
    statics = [StaticBody(1, Kind.STAR, "Bench", 0.0, 0.0)]
    for k in range(STATIONS):
        x, y = rng.uniform(-side / 2, side / 2, 2)
        statics.append(StaticBody(10 + k, Kind.STATION, f"Station {k}", float(x), float(y)))
    for k in range(ROCKS):
        x, y = rng.uniform(-side / 2, side / 2, 2)
        statics.append(StaticBody(1000 + k, Kind.ASTEROID, f"Rock {k}", float(x), float(y), 500.0))
    zone = Zone(1, "Bench", statics)
    minds = Minds(seed=SEED)
    for k in range(agents):
        ship = FIRST_SHIP_ID + k
        x, y = rng.uniform(-side / 2, side / 2, 2)
        station = 10 + int(rng.integers(STATIONS))
        docked = station if rng.random() < 0.3 else -1
        state = ShipState(ship, f"Ship {k}", None, station, 1, float(x), float(y), docked_at=docked)
        zone.add_ship(state)
        agent = Agent(k + 1, genome(rng))
        agent.purse.receive(float(rng.uniform(0.0, 1500.0)), "bench")
        agent.purse.spend(float(rng.uniform(0.0, 300.0)), "bench")
        agent.ship = ship
        minds.add(agent)
    count = len(minds.agents)
    minds.needs.levels[:count, 2:] = rng.uniform(0.2, 1.0, (count, 2))  # company, purpose
    return zone, minds, Witness()


def live_second(zone: Zone, minds: Minds, witness: Witness) -> dict[str, float]:
    """Tick the zone for a simulated second (untimed), then one timed decision round."""
    for _ in range(rules.TICK_HZ):
        witness.record(zone, zone.tick())
    cpu0, t0 = time.process_time(), time.perf_counter()
    with collector_paused():  # as `Company.step` runs a round
        observe(minds, zone, witness.take())
        t1 = time.perf_counter()
        perceptions = perceive(minds, zone, witness)
        t2 = time.perf_counter()
        decisions = minds.decide_all(perceptions)
        t3 = time.perf_counter()
    cpu = time.process_time() - cpu0
    for decision in decisions:
        for command in decision.commands:
            zone.submit(command)
    return {
        "round_ms": (t3 - t0) * 1e3,
        "cpu_ms": cpu * 1e3,
        "observe_ms": (t1 - t0) * 1e3,
        "perceive_ms": (t2 - t1) * 1e3,
        "decide_ms": (t3 - t2) * 1e3,
        "decisions": float(len(decisions)),
        "commands": float(sum(len(d.commands) for d in decisions)),
    }


def floor_round(zone: Zone, minds: Minds) -> float:
    """CPU ms of the least a decision round can be, on the same zone and agents: each
    agent's ship read from the columns in one gather, and one command made per agent
    (what any mind must hand back). The real round divided by this is the ratio to compare
    across machines."""
    began = time.process_time()
    agents = list(minds.agents.values())
    rows = zone.bodies.rows(np.fromiter((a.ship or -1 for a in agents), np.int64, len(agents)))
    energy = zone.bodies.energy[np.maximum(rows, 0)].tolist()
    commands = [
        c.Thrust(ship=a.ship or 0, throttle=1.0 if e > 50.0 else 0.0)
        for a, e in zip(agents, energy, strict=True)
    ]
    assert len(commands) == len(agents)
    return (time.process_time() - began) * 1e3


def decide_run(agents: int, warmup: int, seconds: int, seed: int, freeze: bool) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    zone, minds, witness = build(agents, rng)
    for _ in range(warmup):
        live_second(zone, minds, witness)
    gc.collect()
    if freeze:
        gc.freeze()
    with common.GcWatch() as watch:
        rounds = [live_second(zone, minds, witness) for _ in range(seconds)]
    floor_ms = common.median(floor_round(zone, minds) for _ in range(seconds))
    gc.unfreeze()
    goals = np.bincount(minds.goal[: len(minds.agents)], minlength=len(Goal))
    median = common.median_of_runs(rounds)
    collections = watch.figures()
    return {
        **median,
        "cpu_mean_ms": float(np.mean([r["cpu_ms"] for r in rounds])),
        "floor_ms": floor_ms,
        "gc_full_ms_per_round": collections["gc_gen2_total_ms"] / seconds,
        "round_p99_ms": common.pct([r["round_ms"] for r in rounds], 99),
        "goals": {g.name.lower(): int(goals[g]) for g in Goal if goals[g]},
        "dead": sum(1 for a in minds.agents.values() if not a.alive),
    }


def recall_run(memories: int, queries: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    stream = MemoryStream(HashedEmbedder())
    kinds = list(MemoryKind)
    for k in range(memories):
        text = " ".join(rng.choice(WORDS, int(rng.integers(4, 12))))
        stream.add(kinds[k % 3], text, 60.0 * k, int(rng.integers(1, 11)))
    now = 60.0 * memories
    texts = [" ".join(rng.choice(WORDS, int(rng.integers(2, 8)))) for _ in range(queries)]
    wall, cpu, floor = [], [], []
    gc.collect()
    columns = stream.columns[:, : stream.n]
    for k, text in enumerate(texts):
        began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
        stream.retrieve(text, now + k, k=10)
        cpu.append((time.thread_time_ns() - began_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - began) / 1e6)
        # the floor: numpy's top-10 by relevance alone over the same columns
        query = stream.embedder.embed([text])[0]
        began_cpu = time.thread_time_ns()
        np.argpartition(query @ columns, -10)[-10:]
        floor.append((time.thread_time_ns() - began_cpu) / 1e6)
    return {
        "floor_p50_ms": common.pct(floor, 50),
        "p50_ms": common.pct(wall, 50),
        "p99_ms": common.pct(wall, 99),
        "cpu_p50_ms": common.pct(cpu, 50),
        "cpu_p99_ms": common.pct(cpu, 99),
    }


def dialogue_run(replies: int, seed: int) -> dict[str, float]:
    """Replies of the rule-based mind to a mix of lines, each with recall and remembering."""
    rng = np.random.default_rng(seed)
    talkers = [Agent(k + 1, genome(rng)) for k in range(TALKERS)]
    for agent in talkers:
        for k in range(TALKER_MEMORIES):
            who = PEOPLE[k % len(PEOPLE)]
            text = f"{who} " + " ".join(rng.choice(WORDS, int(rng.integers(3, 9))))
            agent.memory.add(
                MemoryKind.OBSERVATION, text, 60.0 * k, int(rng.integers(1, 11)), subject=who
            )
    now = 60.0 * TALKER_MEMORIES
    script = [
        (talkers[k % TALKERS], PEOPLE[int(rng.integers(len(PEOPLE)))], LINES[k % len(LINES)])
        for k in range(replies)
    ]
    wall, cpu = [], []
    gc.collect()
    began_all, began_all_cpu = time.perf_counter(), time.thread_time()
    for k, (agent, speaker, line) in enumerate(script):
        at = now + k
        began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
        dialogue.reply(agent, Heard(7, speaker, line, at, to_me=True), at, Goal.EARN)
        cpu.append((time.thread_time_ns() - began_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - began) / 1e6)
    spent_cpu = time.thread_time() - began_all_cpu
    spent = time.perf_counter() - began_all
    return {
        "replies_per_s": replies / spent,
        "replies_per_cpu_s": replies / spent_cpu,
        "p50_ms": common.pct(wall, 50),
        "p99_ms": common.pct(wall, 99),
        "cpu_p99_ms": common.pct(cpu, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and runs")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--agents", type=int, default=AGENTS)
    parser.add_argument("--seconds", type=int, default=None, help="timed rounds per run")
    parser.add_argument(
        "--no-freeze",
        dest="freeze",
        action="store_false",
        help="leave the loaded minds in the collector's reach (the server freezes them, as here)",
    )
    parser.add_argument("--replies", type=int, default=None, help="dialogue replies per run")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    seconds = args.seconds or (10 if args.quick else 30)
    warmup = 5 if args.quick else 15
    queries = 1_000 if args.quick else 5_000
    replies = args.replies or (2_000 if args.quick else 10_000)
    noise = common.NoiseMeter(common.own_cpu_seconds)
    noise.start()
    decide = [decide_run(args.agents, warmup, seconds, SEED + r, args.freeze) for r in range(runs)]
    recall = [recall_run(MEMORIES, queries, SEED + r) for r in range(runs)]
    talk = common.median_of_runs([dialogue_run(replies, SEED + r) for r in range(runs)])
    d = common.median_of_runs(
        [{k: v for k, v in r.items() if isinstance(v, float)} for r in decide]
    )
    m = common.median_of_runs(recall)
    # CPU seconds per simulated second: the round's mean CPU, plus every full collection of
    # the run (the round pauses the collector; what it defers may fall outside the round)
    share = (d["cpu_mean_ms"] + d["gc_full_ms_per_round"]) / 1e3
    round_to_floor = d["cpu_mean_ms"] / d["floor_ms"]
    recall_to_floor = m["cpu_p50_ms"] / m["floor_p50_ms"]
    figures = {
        "agents": args.agents,
        "runs": runs,
        "seconds_per_run": seconds,
        "round_ms": d["round_ms"],
        "round_p99_ms": d["round_p99_ms"],
        "cpu_median_ms": d["cpu_ms"],
        "cpu_mean_ms": d["cpu_mean_ms"],
        "gc_full_ms_per_round": d["gc_full_ms_per_round"],
        "gc_frozen": args.freeze,
        "observe_ms": d["observe_ms"],
        "perceive_ms": d["perceive_ms"],
        "decide_ms": d["decide_ms"],
        "us_per_decision": d["cpu_mean_ms"] * 1e3 / max(1.0, d["decisions"]),
        "decisions_per_s": d["decisions"] / (d["round_ms"] / 1e3),
        "commands_per_round": d["commands"],
        "core_share": share,
        "floor_round_ms": d["floor_ms"],
        "round_to_floor": round_to_floor,
        "recall_floor_p50_ms": m["floor_p50_ms"],
        "recall_to_floor": recall_to_floor,
        "target_core_share": TARGET_CORE_SHARE,
        "goals_last_run": decide[-1]["goals"],
        "dead_last_run": decide[-1]["dead"],
        "recall_memories": MEMORIES,
        "recall_p50_ms": m["p50_ms"],
        "recall_p99_ms": m["p99_ms"],
        "recall_cpu_p50_ms": m["cpu_p50_ms"],
        "recall_cpu_p99_ms": m["cpu_p99_ms"],
        "target_recall_p99_ms": TARGET_RECALL_P99_MS,
        "dialogue_replies": replies,
        "dialogue_replies_per_s": talk["replies_per_s"],
        "dialogue_replies_per_cpu_s": talk["replies_per_cpu_s"],
        "dialogue_p50_ms": talk["p50_ms"],
        "dialogue_p99_ms": talk["p99_ms"],
        "dialogue_cpu_p99_ms": talk["cpu_p99_ms"],
        "target_dialogue_replies_per_s": TARGET_REPLIES_PER_S,
        "foreign_cores": noise.foreign_cores(),
        "machine": common.machine(),
    }
    common.table(
        f"Crew minds: {args.agents:,} agents, medians of {runs} runs x {seconds} s"
        + (" (gc frozen)" if args.freeze else ""),
        ("figure", "value", "target", "met"),
        [
            ("decision round (observe+perceive+decide), ms", d["round_ms"], "", ""),
            ("  observe, ms", d["observe_ms"], "", ""),
            ("  perceive, ms", d["perceive_ms"], "", ""),
            ("  decide_all, ms", d["decide_ms"], "", ""),
            ("round p99, ms", d["round_p99_ms"], "", ""),
            ("CPU per round (mean, with GC), ms", d["cpu_mean_ms"], "<= 300", ""),
            (
                "full-GC pauses per simulated second (process, wall), ms",
                d["gc_full_ms_per_round"],
                "",
                "",
            ),
            ("CPU per agent-decision, µs", figures["us_per_decision"], "<= 30", ""),
            ("decisions / s (one core)", figures["decisions_per_s"], "", ""),
            ("share of one core", share, f"<= {TARGET_CORE_SHARE:g}", share <= TARGET_CORE_SHARE),
            ("  floor: a gather and one command per agent, ms", d["floor_ms"], "", ""),
            ("  round CPU ÷ floor, same run", round_to_floor, "", ""),
            ("recall top-10 of 10,000, p50 ms", m["p50_ms"], "", ""),
            ("  ÷ numpy top-10 by relevance alone, same run (CPU p50)", recall_to_floor, "", ""),
            (
                "recall top-10 of 10,000, p99 ms",
                m["p99_ms"],
                f"<= {TARGET_RECALL_P99_MS:g}",
                m["p99_ms"] <= TARGET_RECALL_P99_MS,
            ),
            (
                "  same, thread CPU time p99, ms (no time stolen by other processes)",
                m["cpu_p99_ms"],
                f"<= {TARGET_RECALL_P99_MS:g}",
                m["cpu_p99_ms"] <= TARGET_RECALL_P99_MS,
            ),
            (
                f"dialogue replies / s, recall included ({TALKER_MEMORIES:,} memories each)",
                talk["replies_per_s"],
                f">= {TARGET_REPLIES_PER_S:,.0f}",
                talk["replies_per_s"] >= TARGET_REPLIES_PER_S,
            ),
            (
                "  same, per second of thread CPU time",
                talk["replies_per_cpu_s"],
                f">= {TARGET_REPLIES_PER_S:,.0f}",
                talk["replies_per_cpu_s"] >= TARGET_REPLIES_PER_S,
            ),
            ("  reply p50, ms", talk["p50_ms"], "", ""),
            ("  reply p99, ms (a reflection now and then)", talk["p99_ms"], "", ""),
            ("other processes' load, cores", figures["foreign_cores"], "", ""),
        ],
    )
    common.emit(figures)


if __name__ == "__main__":
    main()
