from __future__ import annotations

import pytest

from infinity.accounts.errors import NameTaken
from infinity.accounts.registry import Registry
from infinity.store.store import Store


async def test_accounts_are_found_by_id_and_any_case_name(store: Store) -> None:
    made = await Registry(store.engine).create_account("Altair", "hash", "operator")
    assert await Registry(store.engine).account(made.id) == made
    assert await Registry(store.engine).account_by_name("aLTAIR") == made
    assert await Registry(store.engine).credentials("ALTAIR") == (made, "hash")
    assert await Registry(store.engine).account_by_name("Deneb") is None
    assert await Registry(store.engine).account(made.id + 1) is None


async def test_names_are_unique_regardless_of_case(store: Store) -> None:
    await Registry(store.engine).create_account("Rigel", "hash", "player")
    with pytest.raises(NameTaken):
        await Registry(store.engine).create_account("RIGEL", "other", "player")


async def test_unknown_role_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await Registry(store.engine).create_account("Spica", "hash", "admiral")


async def test_set_password_hash(store: Store) -> None:
    made = await Registry(store.engine).create_account("Mira", "old", "player")
    await Registry(store.engine).set_password_hash(made.id, "new")
    assert await Registry(store.engine).credentials("mira") == (made, "new")


async def test_sessions_last_until_they_expire(store: Store) -> None:
    made = await Registry(store.engine).create_account("Sirius", "hash", "player")
    await Registry(store.engine).create_session(made.id, "a" * 64, expires_at=100.0)
    assert await Registry(store.engine).session_account("a" * 64, now=99.0) == made
    assert await Registry(store.engine).session_account("a" * 64, now=100.0) is None
    assert await Registry(store.engine).session_account("b" * 64, now=0.0) is None


async def test_deleted_and_purged_sessions_are_gone(store: Store) -> None:
    made = await Registry(store.engine).create_account("Polaris", "hash", "player")
    for token, expires in (("a", 10.0), ("b", 20.0), ("c", 30.0)):
        await Registry(store.engine).create_session(made.id, token * 64, expires)
    await Registry(store.engine).delete_session("c" * 64)
    assert await Registry(store.engine).purge_sessions(now=15.0) == 1
    assert await Registry(store.engine).session_account("a" * 64, now=0.0) is None
    assert await Registry(store.engine).session_account("b" * 64, now=0.0) == made
    assert await Registry(store.engine).session_account("c" * 64, now=0.0) is None


async def test_accounts_and_sessions_survive_a_restart(url: str) -> None:
    store = await Store.open(url)
    made = await Registry(store.engine).create_account("Castor", "hash", "player")
    await Registry(store.engine).create_session(made.id, "f" * 64, expires_at=1e12)
    await store.close()
    store = await Store.open(url)
    try:
        assert await Registry(store.engine).session_account("f" * 64, now=0.0) == made
    finally:
        await store.close()
