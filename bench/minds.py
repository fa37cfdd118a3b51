"""The mind document: size, export, parse and admit times for an agent with many memories.

One agent with 10,000 memories (the issue's figure) is flushed to a fresh SQLite store,
exported, parsed (every check: schema, hash, consistency) and admitted into a second
fresh store; median of several runs. The floor, in the same run: msgspec decoding the
same bytes as plain JSON with no schema and no checks, and a SHA-256 over them.

Usage: python bench/minds.py [--quick] [--memories N] [--runs R]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import tempfile
import time
from pathlib import Path

import msgspec

try:  # run as a script (bench/ on sys.path) or as a module
    import _common as common
except ImportError:  # pragma: no cover
    from bench import _common as common

from infinity.company.archive import DatabaseArchive
from infinity.crew.agent import Agent
from infinity.crew.memory import MemoryKind
from infinity.crew.mind import Minds
from infinity.minds.document import admit, export, parse
from infinity.store.store import Store, sqlite_url

DNA = "ACGT" * 64  # any valid genome: the persona is grown from it


async def one_run(memories: int, folder: Path) -> dict[str, float]:
    source = await Store.open(sqlite_url(folder / "source"))
    target = await Store.open(sqlite_url(folder / "target"))
    try:
        archive = DatabaseArchive(source.engine)
        (agent_id,) = await archive.allocate_ids(1)
        agent = Agent(agent_id, DNA)
        minds = Minds()
        minds.add(agent)
        for i in range(memories):
            agent.memory.add(
                MemoryKind(i % 3),
                f"Memory {i}: ore at rock {i % 97}, met Belelyr.",
                float(i),
                i % 10 + 1,
                subject="Belelyr" if i % 5 == 0 else "",
            )
        await archive.flush(minds)
        began = time.perf_counter()
        data = await export(source.engine, agent_id)
        exported = time.perf_counter()
        doc = parse(data)
        parsed = time.perf_counter()
        await admit(target.engine, doc)
        admitted = time.perf_counter()
        msgspec.json.decode(data)
        hashlib.sha256(data).digest()
        floor = time.perf_counter() - admitted
    finally:
        await source.close()
        await target.close()
    return {
        "mib": len(data) / 2**20,
        "export_s": exported - began,
        "parse_s": parsed - exported,
        "admit_s": admitted - parsed,
        "floor_s": floor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 memories, 2 runs")
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    memories, runs = (1_000, 2) if args.quick else (args.memories, args.runs)
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-minds-") as folder:
            results.append(asyncio.run(one_run(memories, Path(folder))))
    figures = common.median_of_runs(results)
    parse_ratio = figures["parse_s"] / figures["floor_s"]
    common.table(
        f"a mind document with {memories:,} memories (median of {runs} runs)",
        (
            "size MiB",
            "export s",
            "parse s (all checks)",
            "admit s",
            "floor s (JSON + SHA-256)",
            "parse ÷ floor",
        ),
        [
            (
                figures["mib"],
                figures["export_s"],
                figures["parse_s"],
                figures["admit_s"],
                figures["floor_s"],
                parse_ratio,
            )
        ],
    )
    common.emit(
        {
            "bench": "minds",
            "memories": memories,
            "runs": runs,
            **common.rounded(figures),
            "parse_floor_ratio": round(parse_ratio, 2),
            "machine": common.machine(),
        }
    )


if __name__ == "__main__":
    main()
