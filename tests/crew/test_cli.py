"""`infinity crew new`: a persona printed from DNA, bad DNA refused, saved into a universe."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from typer.testing import CliRunner

from infinity.company.cli import crew_app

from .dna import ACGT, FASTA
from .harbour import open_harbour

app = typer.Typer()
app.add_typer(crew_app, name="crew")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["crew", "new", *args])
    return result.exit_code, result.output


def test_a_persona_is_printed_from_a_string_or_a_fasta_file(tmp_path: Path) -> None:
    code, out = run("--dna", ACGT, "--data", str(tmp_path))
    assert code == 0 and "Tesaya Kobin" in out and "not saved" in out
    fasta = tmp_path / "crew.fa"
    fasta.write_text(FASTA)
    code, out = run("--dna", str(fasta), "--data", str(tmp_path))
    assert code == 0 and "traits: openness" in out


def test_bad_dna_names_the_first_bad_position_and_exits_2(tmp_path: Path) -> None:
    code, out = run("--dna", "ACGTACGTXACGT" + "A" * 64, "--data", str(tmp_path))
    assert code == 2 and "position 9" in out
    code, out = run("--dna", "ACGT", "--data", str(tmp_path))
    assert code == 2 and "too short" in out


def test_a_saved_agent_boards_a_ship_of_its_own_at_the_next_start(tmp_path: Path) -> None:
    asyncio.run(_found(tmp_path))
    code, out = run("--dna", ACGT, "--data", str(tmp_path))
    assert code == 0 and "saved as agent 25" in out, out
    asyncio.run(_newcomer_at_work(tmp_path, 25))


async def _found(data: Path) -> None:
    first = await open_harbour(data)
    await first.store.close()


async def _newcomer_at_work(data: Path, agent: int) -> None:
    again = await open_harbour(data)
    try:
        newcomer = again.company.minds.agents[agent]
        assert newcomer.name == "Tesaya Kobin" and newcomer.ship in again.company.ships
        assert len(again.company.minds.crews) == 6  # no reseeding
        again.seconds(2)
        assert any(d.agent == agent for d in again.decisions)
    finally:
        await again.store.close()
