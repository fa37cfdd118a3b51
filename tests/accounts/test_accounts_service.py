from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from infinity.accounts.errors import BadCredentials, Busy, InvalidInput, NameTaken, Unauthorized
from infinity.accounts.passwords import needs_rehash
from infinity.accounts.registry import Registry
from infinity.accounts.service import Accounts, HashGate
from infinity.store.store import Store, sqlite_url

PASSWORD = "stardust-42"
HOUR = 3600.0


class FakeClock:
    """Wall-clock stand-in: starts at a fixed instant, moves only when told."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path)


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    opened = await Store.open(url)
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def accounts(store: Store, clock: FakeClock) -> Accounts:
    return Accounts(store, session_lifetime=HOUR, clock=clock)


async def test_register_logs_in_for_the_session_lifetime(
    accounts: Accounts, clock: FakeClock
) -> None:
    account, token, expires_at = await accounts.register("Vega", PASSWORD)
    assert (account.name, account.role) == ("Vega", "player")
    assert expires_at == clock.now + HOUR
    assert await accounts.authenticate(token) == account


async def test_login_ignores_name_case(accounts: Accounts) -> None:
    registered = await accounts.register("Vega", PASSWORD)
    session = await accounts.login("vEGA", PASSWORD)
    assert session.account == registered.account
    assert session.token != registered.token
    assert await accounts.authenticate(session.token) == registered.account


async def test_operators_can_be_registered(accounts: Accounts) -> None:
    session = await accounts.register("Overseer", PASSWORD, role="operator")
    assert session.account.role == "operator"


async def test_logout_ends_only_that_session(accounts: Accounts) -> None:
    first = await accounts.register("Vega", PASSWORD)
    second = await accounts.login("Vega", PASSWORD)
    await accounts.logout(first.token)
    await accounts.logout(first.token)
    with pytest.raises(Unauthorized):
        await accounts.authenticate(first.token)
    assert await accounts.authenticate(second.token) == second.account


async def test_sessions_expire(accounts: Accounts, clock: FakeClock) -> None:
    session = await accounts.register("Vega", PASSWORD)
    clock.now += HOUR - 1
    await accounts.authenticate(session.token)
    clock.now += 1
    with pytest.raises(Unauthorized):
        await accounts.authenticate(session.token)
    assert await accounts.purge_expired() == 1


async def test_unknown_token_is_unauthorized(accounts: Accounts) -> None:
    with pytest.raises(Unauthorized):
        await accounts.authenticate("no-such-token")


async def test_duplicate_names_in_any_case_are_taken(accounts: Accounts) -> None:
    await accounts.register("Vega", PASSWORD)
    with pytest.raises(NameTaken):
        await accounts.register("VEGA", PASSWORD)


@pytest.mark.parametrize(
    ("name", "password", "field"),
    [
        ("ab", PASSWORD, "name"),
        ("x" * 25, PASSWORD, "name"),
        ("with space", PASSWORD, "name"),
        ("Véga", PASSWORD, "name"),
        ("Vega\n", PASSWORD, "name"),
        ("Vega", "short", "password"),
        ("Vega", "p" * 129, "password"),
    ],
)
async def test_bad_input_names_the_field(
    accounts: Accounts, name: str, password: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await accounts.register(name, password)
    assert refused.value.field == field


async def test_unknown_role_is_invalid(accounts: Accounts) -> None:
    with pytest.raises(InvalidInput) as refused:
        await accounts.register("Vega", PASSWORD, role="admiral")
    assert refused.value.field == "role"


async def test_edge_lengths_are_accepted(accounts: Accounts) -> None:
    await accounts.register("a_-", "p" * 8)
    await accounts.register("Z" * 24, "p" * 128)


@pytest.mark.parametrize(
    ("name", "password"),
    [("Vega", "wrong-password"), ("Nobody", PASSWORD), ("no such name!", PASSWORD)],
)
async def test_wrong_credentials_are_refused(accounts: Accounts, name: str, password: str) -> None:
    await accounts.register("Vega", PASSWORD)
    with pytest.raises(BadCredentials):
        await accounts.login(name, password)


async def test_overlong_password_is_refused_without_hashing(accounts: Accounts) -> None:
    await accounts.register("Vega", PASSWORD)
    with pytest.raises(BadCredentials):
        await accounts.login("Vega", "p" * 10_000)


async def test_login_upgrades_an_old_hash(accounts: Accounts, store: Store) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    await Registry(store.engine).create_account("Legacy", weak, "player")
    await accounts.login("Legacy", PASSWORD)
    found = await Registry(store.engine).credentials("Legacy")
    assert found is not None
    assert found[1] != weak
    assert not needs_rehash(found[1])


async def test_everything_survives_a_restart(url: str, clock: FakeClock) -> None:
    store = await Store.open(url)
    session = await Accounts(store, clock=clock).register("Vega", PASSWORD)
    await store.close()
    store = await Store.open(url)
    try:
        accounts = Accounts(store, clock=clock)
        assert await accounts.authenticate(session.token) == session.account
        assert (await accounts.login("vega", PASSWORD)).account == session.account
    finally:
        await store.close()


@pytest.mark.parametrize(
    "password",
    [
        " " * 8,
        "\x00" * 8,
        "\t\n\t\n\t\n\t\n",
        "secret\x00word",
        "pass\u202eword1",
        "PASSWORD1",
        "Vega1234",
    ],
)
async def test_blank_invisible_and_common_passwords_are_refused(
    accounts: Accounts, password: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await accounts.register("Vega1234", password)
    assert refused.value.field == "password"


async def test_a_login_past_the_session_cap_ends_the_oldest_session(store: Store) -> None:
    accounts = Accounts(store, max_sessions=3)
    sessions = [await accounts.register("Vega", PASSWORD)]
    sessions += [await accounts.login("Vega", PASSWORD) for _ in range(4)]
    for gone in sessions[:2]:  # the two oldest
        with pytest.raises(Unauthorized):
            await accounts.authenticate(gone.token)
    for kept in sessions[2:]:
        await accounts.authenticate(kept.token)


async def test_expired_sessions_are_swept_by_a_later_login(
    accounts: Accounts, store: Store, clock: FakeClock
) -> None:
    for name in ("Vega", "Rigel", "Deneb"):
        await accounts.register(name, PASSWORD)
    clock.now += 2 * HOUR  # all three expired, and the hourly sweep is due
    await accounts.login("Vega", PASSWORD)
    assert await Registry(store.engine).purge_sessions(clock.now) == 0  # nothing left to sweep


async def test_hashing_beyond_its_slots_and_queue_is_refused_at_once() -> None:
    gate = HashGate(slots=1, queue=1)
    release = threading.Event()
    held = [asyncio.create_task(gate.run(lambda _: release.wait(5), "x")) for _ in range(2)]
    await asyncio.sleep(0.05)  # one hashing, one waiting
    with pytest.raises(Busy):
        await gate.run(str.upper, "refused")
    release.set()
    assert await asyncio.gather(*held) == [True, True]
    assert await gate.run(str.upper, "room again") == "ROOM AGAIN"
