"""The audit log is append-only and tamper-evident: edits, deletions and truncation are found."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from infinity.audit.log import GENESIS, Act, AuditLog
from infinity.store.store import Store, sqlite_url
from tests.pg import PgServer, fresh_database


def act(verb: str, target: str = "ship:1048576", **args: object) -> Act:
    return Act(actor=1, actor_name="Root", role="operator", verb=verb, target=target, args=args)


async def written(data: Path, *verbs: str) -> AuditLog:
    store = await Store.open(sqlite_url(data))
    log = AuditLog(store.engine, data / "audit.anchor")
    for verb in verbs:
        await log.append(act(verb, reason_given=verb))
    await store.close()
    return log


def sql(data: Path, *statements: str) -> None:
    """Change the file behind the product's back, as an attacker with the file would."""
    with closing(sqlite3.connect(data / "infinity.db")) as db:
        for statement in statements:
            db.execute(statement)
        db.commit()


async def verified(data: Path) -> tuple[bool, tuple[str, ...], int]:
    store = await Store.open(sqlite_url(data))
    try:
        report = await AuditLog(store.engine, data / "audit.anchor").verify()
    finally:
        await store.close()
    return report.ok, report.breaks, report.length


async def test_entries_chain_and_verify(tmp_path: Path) -> None:
    await written(tmp_path, "drop_in", "kick", "leave")
    store = await Store.open(sqlite_url(tmp_path))
    try:
        log = AuditLog(store.engine, tmp_path / "audit.anchor")
        entries = await log.tail(10)
        assert [e.verb for e in entries] == ["drop_in", "kick", "leave"]
        assert entries[0].prev == GENESIS
        assert [e.prev for e in entries[1:]] == [e.hash for e in entries[:-1]]
        report = await log.verify()
        assert report.ok and report.length == 3 and report.head == entries[-1].hash
        assert (await log.tail(1, after=2))[0].verb == "leave"
    finally:
        await store.close()


async def test_the_database_refuses_to_edit_or_delete_an_entry(tmp_path: Path) -> None:
    await written(tmp_path, "drop_in")
    for statement in ("UPDATE audit_log SET verb = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            sql(tmp_path, statement)
    assert await verified(tmp_path) == (True, (), 1)


async def test_an_edit_made_around_the_triggers_is_found(tmp_path: Path) -> None:
    await written(tmp_path, "drop_in", "grant", "leave")
    sql(
        tmp_path,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET args = '{\"amount\":1}' WHERE seq = 2",
    )
    ok, breaks, _ = await verified(tmp_path)
    assert not ok and breaks == ("entry 2 was altered",)


async def test_deleting_an_entry_in_the_middle_is_found(tmp_path: Path) -> None:
    await written(tmp_path, "drop_in", "grant", "leave")
    sql(tmp_path, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 2")
    ok, breaks, _ = await verified(tmp_path)
    assert not ok and "entry 2 is missing (found 3 next)" in breaks


async def test_deleting_the_newest_entries_is_caught_by_the_anchor(tmp_path: Path) -> None:
    await written(tmp_path, "drop_in", "grant", "leave")
    sql(tmp_path, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq >= 2")
    ok, breaks, length = await verified(tmp_path)
    assert not ok and length == 1
    assert breaks == ("the newest 2 entries were deleted (anchor says 3)",)


async def test_a_lost_anchor_is_a_break_not_a_pass(tmp_path: Path) -> None:
    await written(tmp_path, "drop_in")
    (tmp_path / "audit.anchor").unlink()
    ok, breaks, _ = await verified(tmp_path)
    assert not ok and "missing" in breaks[0]


async def test_postgres_refuses_edits_by_trigger_and_by_privilege(
    postgres_server: PgServer,
) -> None:
    url = fresh_database(postgres_server)
    store = await Store.open(url)
    try:
        await AuditLog(store.engine, None).append(act("drop_in"))
    finally:
        await store.close()
    database = url.rsplit("/", 1)[1]
    owner = await asyncpg.connect(postgres_server.dsn(database))
    try:
        for statement in ("UPDATE audit_log SET verb = 'x'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log"):  # fmt: skip
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await owner.execute(statement)
        await owner.execute("CREATE ROLE audit_app LOGIN")
        await owner.execute("GRANT SELECT, INSERT ON audit_log TO audit_app")
        await owner.execute("SET ROLE audit_app")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await owner.execute("UPDATE audit_log SET verb = 'x'")
        assert await owner.fetchval("SELECT count(*) FROM audit_log") == 1
    finally:
        await owner.close()


def test_the_cli_verifies_and_exits_1_on_a_break(tmp_path: Path) -> None:
    import asyncio

    from typer.testing import CliRunner

    from infinity.cli import app

    asyncio.run(written(tmp_path, "drop_in", "grant"))
    runner = CliRunner()
    good = runner.invoke(app, ["audit", "verify", "--data", str(tmp_path)])
    assert good.exit_code == 0 and "intact" in good.output
    shown = runner.invoke(app, ["audit", "tail", "--data", str(tmp_path)])
    assert shown.exit_code == 0 and "grant" in shown.output
    sql(tmp_path, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET target = 'x'")
    bad = runner.invoke(app, ["audit", "verify", "--data", str(tmp_path)])
    assert bad.exit_code == 1 and "altered" in bad.output


async def test_a_crash_between_insert_and_anchor_is_not_a_break(tmp_path: Path) -> None:
    await written(tmp_path, "drop_in", "grant")
    anchor = tmp_path / "audit.anchor"
    kept = anchor.read_text()
    await written(tmp_path, "leave")  # killed after the insert, before the anchor write:
    anchor.write_text(kept)
    assert await verified(tmp_path) == (True, (), 3)
    sql(
        tmp_path,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET verb = 'x' WHERE seq = 2",
    )
    ok, breaks, _ = await verified(tmp_path)  # an entry before the unanchored one altered
    assert not ok and breaks == ("entry 2 was altered",)
