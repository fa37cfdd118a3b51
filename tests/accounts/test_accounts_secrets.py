from __future__ import annotations

from argon2 import PasswordHasher

from infinity.accounts.passwords import hash_password, needs_rehash, verify_password
from infinity.accounts.tokens import new_token, token_hash


def test_password_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "wrong horse")
    assert not needs_rehash(hashed)


def test_malformed_hash_does_not_verify() -> None:
    assert not verify_password("not a hash", "anything")


def test_hash_with_old_parameters_needs_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("pw")
    assert needs_rehash(old)
    assert verify_password(old, "pw")


def test_tokens_are_random_and_hash_to_sha256_hex() -> None:
    token = new_token()
    assert token != new_token()
    assert len(token) >= 43
    digest = token_hash(token)
    assert len(digest) == 64
    assert digest == token_hash(token)
    assert digest != token_hash(new_token())
