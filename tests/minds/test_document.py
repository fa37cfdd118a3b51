"""The mind document: export, parse and admit; refusals that change nothing; the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.company.archive import DatabaseArchive, agents, memories
from infinity.crew.agent import Agent
from infinity.crew.consent import ask
from infinity.crew.lineage import Lineage, genome_key
from infinity.crew.memory import MemoryKind
from infinity.crew.mind import Minds
from infinity.crew.needs import interim_purse
from infinity.minds.document import (
    MAX_BYTES,
    AlreadyAlive,
    Dead,
    Invalid,
    MindDocument,
    Tampered,
    admit,
    content_hash,
    export,
    parse,
    seal,
)
from infinity.store.schema import counters
from infinity.store.store import Store, sqlite_url
from tests.crew.dna import ACGT, GATTACA
from tests.crew.harbour import open_harbour

NEEDS = (0.5, 0.25, 0.75, 0.125)  # credits, safety, company, purpose


@pytest.fixture
async def other(tmp_path: Path) -> AsyncIterator[Store]:
    """A second, fresh store: where minds are admitted."""
    opened = await Store.open(sqlite_url(tmp_path / "other"))
    yield opened
    await opened.close()


async def grow(
    engine: AsyncEngine, dna: str = ACGT, count: int = 40, lineage: Lineage | None = None
) -> Agent:
    """An agent with memories (reflections among them), recalls, needs, stored in `engine`."""
    archive = DatabaseArchive(engine)
    (agent_id,) = await archive.allocate_ids(1)
    agent = Agent(agent_id, dna, lineage=lineage)
    minds = Minds()
    minds.add(agent)
    for i in range(count):
        if i % 3 == 0:
            agent.remember(
                MemoryKind.OBSERVATION, f"Shot at by Belelyr near gate {i}.", 10.0 * i, 8,
                subject="Belelyr",
            )  # fmt: skip
        else:
            agent.remember(MemoryKind.ACTION, f"I mined ore at rock {i}.", 10.0 * i)
    minds.needs.levels[minds.row_of(agent.id)] = NEEDS
    ask(agent, "transfer", "operator:ada", 1_790_000_000.0)
    agent.grudges.hold(1_048_700, "Belelyr", 0.8, 10.0 * count)
    await archive.flush(minds)
    agent.memory.retrieve("Belelyr shot", 10.0 * count + 5.0, k=3)  # recalls move last_access
    await archive.flush(minds)
    return agent


async def restored(engine: AsyncEngine) -> Minds:
    minds = Minds()
    await DatabaseArchive(engine).restore(minds, interim_purse)
    return minds


def mind(minds: Minds, agent_id: int) -> dict[str, Any]:
    """Everything that makes the mind, for comparing two (not its id, ship or crew)."""
    agent = minds.agents[agent_id]
    stream = agent.memory
    return {
        "genome": agent.genome,
        "persona": agent.persona,
        "lineage": agent.lineage,
        "consents": agent.consents,
        "alive": agent.alive,
        "needs": minds.needs_of(agent_id),
        "embedder": stream.embedder.name,
        "memories": [stream.get(i) for i in range(len(stream))],
        "vectors": [stream.vector_bytes(i) for i in range(len(stream))],
    }


async def contents(engine: AsyncEngine) -> tuple[Any, ...]:
    """All a store holds of minds, for "nothing changed"."""
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(agents).order_by(agents.c.id))).all()
        stream = (await connection.execute(sa.select(memories))).all()
        count = (await connection.execute(sa.select(counters))).all()
    return tuple(rows), len(stream), tuple(count)


def reseal(doc: MindDocument, **changes: Any) -> bytes:
    """A changed document with a correct hash: what a careful forger would send."""
    return seal(msgspec.structs.replace(doc, **changes))


# -- round trip -------------------------------------------------------------------------


async def test_a_mind_exported_and_admitted_elsewhere_is_the_same_mind(
    store: Store, other: Store
) -> None:
    agent = await grow(store.engine)
    data = await export(store.engine, agent.id)
    doc = parse(data)
    assert doc.hash == content_hash(doc) and doc.hash.startswith("sha256:")
    assert doc.identity.name == agent.name and len(doc.memories) == len(agent.memory)
    assert any(m.kind == "reflection" and m.cites for m in doc.memories)
    assert doc.needs == dict(zip(("credits", "safety", "company", "purpose"), NEEDS, strict=True))
    assert doc.crew is None and doc.ship is None and doc.death is None
    assert [(g.ship, g.name, g.weight) for g in doc.grudges] == [(1_048_700, "Belelyr", 0.8)]
    assert doc.consent == agent.consents and len(doc.consent) == 1
    assert b'credits":' in data and b"balance" not in data  # a need level, never money

    admitted = await admit(other.engine, doc)
    assert admitted == agent.id  # never handed out there: the mind keeps its id
    here = await restored(other.engine)
    assert mind(here, admitted) == mind(await restored(store.engine), agent.id)
    arrived = here.agents[admitted]
    assert arrived.ship is None and arrived.crew is None and arrived.purse.balance == 0.0
    (fresh,) = await DatabaseArchive(other.engine).allocate_ids(1)
    assert fresh == admitted + 1  # the counter moved past the kept id

    again = parse(await export(other.engine, admitted))
    assert again.grudges == []  # they named ships of the world it left (docs/mind.md)
    same = msgspec.structs.replace(again, exported_at=doc.exported_at, hash=doc.hash)
    assert same == msgspec.structs.replace(doc, grudges=[])


async def test_a_taken_id_gives_the_admitted_mind_a_fresh_one(store: Store, other: Store) -> None:
    agent = await grow(store.engine)
    sibling = await grow(other.engine, dna=GATTACA)  # takes id 1 there
    assert sibling.id == agent.id
    admitted = await admit(other.engine, parse(await export(store.engine, agent.id)))
    assert admitted == sibling.id + 1
    here = await restored(other.engine)
    assert here.agents[admitted].name == agent.name
    assert here.agents[sibling.id].genome == sibling.genome  # untouched


async def test_a_copys_lineage_and_a_chosen_name_travel(store: Store, other: Store) -> None:
    lineage = Lineage(
        genome=genome_key(ACGT), kind="copy", derived_from=7, derived_from_name="X", by="op"
    )
    agent = await grow(store.engine, lineage=lineage)
    doc = parse(await export(store.engine, agent.id))
    assert doc.lineage == lineage
    renamed = msgspec.structs.replace(
        doc.persona, name="Ada Vance", given_name="Ada", family_name="Vance"
    )
    chosen = parse(
        reseal(
            doc, persona=renamed, identity=msgspec.structs.replace(doc.identity, name="Ada Vance")
        )
    )
    admitted = await admit(other.engine, chosen)
    arrived = (await restored(other.engine)).agents[admitted]
    assert arrived.name == "Ada Vance" and arrived.lineage == lineage


# -- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"Belelyr near gate 3.", b"Belelyr near gate 4."),  # a memory's text
        (b'"genome":"ACGT', b'"genome":"ACGA'),  # the genome (still valid DNA)
        (b'"importance":8', b'"importance":9'),
        (b'"hash":"sha256:', b'"hash":"sha256:0'),
    ],
)
async def test_a_tampered_document_is_refused_and_nothing_changes(
    store: Store, other: Store, old: bytes, new: bytes
) -> None:
    agent = await grow(store.engine)
    await grow(other.engine, dna=GATTACA)
    data = await export(store.engine, agent.id)
    assert old in data
    before = await contents(other.engine)
    with pytest.raises(Tampered, match="tampered: the content hash"):
        parse(data.replace(old, new, 1))
    assert await contents(other.engine) == before


async def test_a_changed_vector_byte_is_tampering(store: Store) -> None:
    agent = await grow(store.engine)
    doc = json.loads(await export(store.engine, agent.id))
    vector = doc["memories"][5]["vector"]
    doc["memories"][5]["vector"] = ("B" if vector[0] != "B" else "C") + vector[1:]
    with pytest.raises(Tampered):
        parse(json.dumps(doc).encode())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["memories"][0].update(importance="8"), r"Expected `int`.*\$\.memories\[0\]"),
        (lambda d: d["memories"][2].update(importance=11), r"\$\.memories\[2\]\.importance"),
        (lambda d: d["memories"][1].pop("text"), r"missing required field `text`.*\$\.memories"),
        (lambda d: d["needs"].update(safety=1.5), r"\$\.needs"),
        (lambda d: d["identity"].update(extra=1), r"unknown field `extra`.*\$\.identity"),
        (lambda d: d.update(version=2), r"version 2 is not one this server reads"),
        (lambda d: d.update(format="pdf"), r"not a mind document"),
    ],
    ids=["type", "bound", "missing", "level", "unknown", "version", "format"],
)
async def test_a_bad_document_is_refused_naming_the_field(
    store: Store, change: Any, reason: str
) -> None:
    agent = await grow(store.engine)
    doc = json.loads(await export(store.engine, agent.id))
    change(doc)
    with pytest.raises(Invalid, match=reason):
        parse(json.dumps(doc).encode())


def test_not_json_and_too_large_are_refused() -> None:
    with pytest.raises(Invalid, match="not a JSON object"):
        parse(b'{"format": "infinity.mind", ')
    with pytest.raises(Invalid, match="not a JSON object"):
        parse(b"[1, 2]")
    with pytest.raises(Invalid, match="too large"):
        parse(b" " * (MAX_BYTES + 1))


async def test_an_inconsistent_document_is_refused_even_with_a_good_hash(store: Store) -> None:
    agent = await grow(store.engine)
    doc = parse(await export(store.engine, agent.id))
    m = doc.memories
    cases: list[tuple[dict[str, Any], str]] = [
        (dict(memories=[*m[:3], *m[4:]]), r"\$\.memories\[3\]\.id: 4, expected 3"),
        (
            dict(memories=[m[0], msgspec.structs.replace(m[1], cites=[1])]),
            r"\$\.memories\[1\]\.cites: 1 is not an earlier memory",
        ),
        (
            dict(memories=[msgspec.structs.replace(m[0], vector=m[0].vector[:-4])]),
            r"\$\.memories\[0\]\.vector: 1020 bytes, expected 1024 for hashed-256",
        ),
        (
            dict(memories=[msgspec.structs.replace(m[0], vector=b"\xff" * 1024)]),
            r"not a finite number",
        ),
        (dict(genome=GATTACA), r"\$\.persona: not the persona this genome grows"),
        (dict(genome="acgt" * 16), r"\$\.genome: not normalised"),
        (dict(genome="ACGX" * 16), r"\$\.genome: invalid base 'X' at position 4"),
        (
            dict(persona=msgspec.structs.replace(doc.persona, name="Zed Vance")),
            r"\$\.identity\.name",
        ),
        (
            dict(lineage=Lineage(genome="0" * 16)),
            r"\$\.lineage\.genome",
        ),
        (dict(needs={"credits": 0.5}), r"\$\.needs: missing company, purpose, safety"),
    ]
    for changes, reason in cases:
        with pytest.raises(Invalid, match=reason):
            parse(reseal(doc, **changes))
            pytest.fail(f"accepted: {reason}")
    traits = msgspec.structs.replace(doc.persona.traits, openness=0.0)
    with pytest.raises(Invalid, match="only the names may differ"):
        parse(reseal(doc, persona=msgspec.structs.replace(doc.persona, traits=traits)))


async def test_a_mind_alive_in_the_store_is_not_admitted_again(store: Store, other: Store) -> None:
    agent = await grow(store.engine)
    data = await export(store.engine, agent.id)
    before = await contents(store.engine)
    with pytest.raises(AlreadyAlive, match=f"already alive here \\(agent {agent.id}\\)"):
        await admit(store.engine, parse(data))
    assert await contents(store.engine) == before

    # Admitted elsewhere under another id, then lived on: still the same mind, both ways.
    await grow(other.engine, dna=GATTACA)
    moved = await admit(other.engine, parse(data))
    minds = await restored(other.engine)
    minds.agents[moved].remember(MemoryKind.OBSERVATION, "A new sky.", 1e4)
    await DatabaseArchive(other.engine).flush(minds)
    with pytest.raises(AlreadyAlive, match=f"agent {moved}"):
        await admit(other.engine, parse(data))  # the older document
    later = await export(other.engine, moved)
    with pytest.raises(AlreadyAlive, match=f"agent {agent.id}"):
        await admit(store.engine, parse(later))  # the newer one, back at the source


async def test_a_sibling_is_not_the_same_mind(store: Store, other: Store) -> None:
    """Grown from the same DNA, with a life of its own: a second person, admitted."""
    agent = await grow(store.engine)
    sibling = await grow(other.engine, count=5)  # same genome and name, other memories
    sibling_minds = await restored(other.engine)
    sibling_minds.agents[sibling.id].remember(MemoryKind.OBSERVATION, "Not you.", 1.0)
    await DatabaseArchive(other.engine).flush(sibling_minds)
    doc = parse(await export(store.engine, agent.id))
    doc = parse(reseal(doc, memories=[msgspec.structs.replace(doc.memories[0], at=0.5)]))
    assert await admit(other.engine, doc) == sibling.id + 1


async def test_a_dead_mind_is_not_admitted(store: Store, other: Store) -> None:
    agent = await grow(store.engine)
    minds = await restored(store.engine)
    minds.agents[agent.id].die("hull breach", 500.0)
    await DatabaseArchive(store.engine).flush(minds)
    doc = parse(await export(store.engine, agent.id))
    assert doc.death is not None and doc.death.cause == "hull breach"
    before = await contents(other.engine)
    with pytest.raises(Dead, match="hull breach"):
        await admit(other.engine, doc)
    assert await contents(other.engine) == before


# -- the company -------------------------------------------------------------------------


async def test_an_admitted_mind_is_berthed_and_goes_to_work(store: Store, tmp_path: Path) -> None:
    agent = await grow(store.engine, dna=GATTACA)
    doc = parse(await export(store.engine, agent.id))
    data = tmp_path / "universe"
    first = await open_harbour(data)  # founds 6 crews of 4: ids 1..24
    await first.store.close()
    target = await Store.open(sqlite_url(data))
    try:
        admitted = await admit(target.engine, doc)
    finally:
        await target.close()
    assert admitted == 25
    again = await open_harbour(data)
    try:
        arrived = again.company.minds.agents[admitted]
        assert arrived.name == agent.name and arrived.ship in again.company.ships
        assert arrived.memory.recent(1)[0].text.startswith(f"I took the {agent.persona.given_name}")
        assert len(again.company.minds.crews) == 6
        again.seconds(2)
        assert any(d.agent == admitted for d in again.decisions)
    finally:
        await again.store.close()


# -- 10,000 memories ---------------------------------------------------------------------


async def test_ten_thousand_memories_export_and_import(store: Store, other: Store) -> None:
    archive = DatabaseArchive(store.engine)
    (agent_id,) = await archive.allocate_ids(1)
    agent = Agent(agent_id, ACGT)
    minds = Minds()
    minds.add(agent)
    for i in range(10_000):
        agent.memory.add(
            MemoryKind(i % 3), f"Memory {i}: ore at rock {i % 97}, met Belelyr.", float(i), i % 10 + 1,
            subject="Belelyr" if i % 5 == 0 else "",
        )  # fmt: skip
    await archive.flush(minds)

    started = time.perf_counter()
    data = await export(store.engine, agent_id)
    exported = time.perf_counter()
    doc = parse(data)
    parsed = time.perf_counter()
    admitted = await admit(other.engine, doc)
    done = time.perf_counter()
    print(
        f"\n10,000 memories: {len(data) / 2**20:.1f} MiB, export {exported - started:.3f} s, "
        f"parse {parsed - exported:.3f} s, admit {done - parsed:.3f} s"
    )
    assert len(doc.memories) == 10_000  # the times are bench/minds.py's to measure
    here = await restored(other.engine)
    assert mind(here, admitted) == mind(await restored(store.engine), agent_id)


# -- the command line ----------------------------------------------------------------------


def infinity(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "infinity", "mind", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


async def test_the_cli_exports_and_imports_and_refuses_with_exit_2(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    for data in (source, target):
        opened = await Store.open(sqlite_url(data))
        if data == source:
            agent = await grow(opened.engine)
        else:
            await grow(opened.engine, dna=GATTACA)
        await opened.close()

    printed = infinity("export", str(agent.id), "--data", str(source))
    assert printed.returncode == 0, printed.stderr
    assert parse(printed.stdout).identity.id == agent.id
    file = tmp_path / "mind.json"
    written = infinity("export", str(agent.id), "--data", str(source), "--out", str(file))
    assert written.returncode == 0 and b"exported to" in written.stdout
    assert parse(file.read_bytes()).memories == parse(printed.stdout).memories
    assert file.stat().st_mode & 0o077 == 0  # owner-only: memories are private

    missing = infinity("export", "99", "--data", str(source))
    assert missing.returncode == 2 and b"no agent 99" in missing.stderr
    nowhere = infinity("export", "1", "--data", str(tmp_path / "nothing"))
    assert nowhere.returncode == 2 and b"no universe" in nowhere.stderr

    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(
        file.read_bytes().replace(b"Belelyr near gate 3.", b"Belelyr near gate 4.")
    )
    refused = infinity("import", str(tampered), "--data", str(target))
    assert refused.returncode == 2 and b"tampered" in refused.stderr, refused.stderr
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{not json")
    invalid = infinity("import", str(bad), "--data", str(target))
    assert invalid.returncode == 2 and b"not a JSON object" in invalid.stderr

    admitted = infinity("import", str(file), "--data", str(target))
    assert admitted.returncode == 0, admitted.stderr
    assert admitted.stdout.strip() == str(agent.id + 1).encode()  # id 1 is taken there
    twice = infinity("import", "-", "--data", str(target), stdin=file.read_bytes())
    assert twice.returncode == 2 and f"already alive here (agent {agent.id + 1})".encode() in (
        twice.stderr
    )
