"""The command line: arguments are validated, and `role` changes an account's role."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from infinity.accounts.registry import Registry
from infinity.store.store import Store, sqlite_url


def infinity(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infinity", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [
        ("serve", "--port", "0"),
        ("serve", "--port", "99999"),
        ("serve", "--db", "mysql://nope"),
        ("serve", "--llm-url", "ftp://x"),
        ("serve", "--ledger-writer", "fork"),
        ("serve", "--max-connections", "0"),
        ("serve", "--idle-timeout", "0"),
        ("serve", "--time-scale", "0.5"),
        ("serve", "--time-scale", "1000"),
        ("serve", "--login-rate", "-1"),
        ("serve", "--tls-cert", "/nonexistent.pem"),
        ("serve", "--tls-key", "/nonexistent.pem"),
        ("serve", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"),
        ("loadtest", "--url", "http://example.com:8000"),
        ("loadtest", "--clients", "0"),
        ("ledger", "audit", "--data", "/nonexistent"),
        ("role", "nobody", "king", "--data", "/nonexistent"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: tuple[str, ...]) -> None:
    done = infinity(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Error" in done.stderr or "Invalid" in done.stderr


def test_role_makes_an_operator(tmp_path: Path) -> None:
    async def make() -> None:
        store = await Store.open(sqlite_url(tmp_path))
        await Registry(store.engine).create_account("Ada", "x", "player")
        await store.close()

    async def role_of() -> str:
        store = await Store.open(sqlite_url(tmp_path))
        account = await Registry(store.engine).account_by_name("ada")
        await store.close()
        assert account is not None
        return account.role

    asyncio.run(make())
    done = infinity("role", "Ada", "operator", "--data", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert asyncio.run(role_of()) == "operator"
    assert infinity("role", "Nobody", "operator", "--data", str(tmp_path)).returncode == 2
