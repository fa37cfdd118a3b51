"""The one permission table: players play, builders build, operators operate; nobody else."""

from __future__ import annotations

import pytest

from infinity.accounts.permissions import PERMISSIONS, Forbidden, Role, Verb, allowed, require
from infinity.accounts.records import ROLES


def test_every_role_an_account_can_hold_has_a_row_and_nothing_else_does() -> None:
    assert set(PERMISSIONS) == set(Role) and {r.value for r in Role} == ROLES
    assert not any(allowed("root", verb) for verb in Verb)


@pytest.mark.parametrize("verb", [v for v in Verb if v not in (Verb.PLAY,)])
def test_a_player_may_only_play(verb: Verb) -> None:
    assert allowed("player", Verb.PLAY)
    with pytest.raises(Forbidden, match="a player may not"):
        require("player", verb)


def test_operators_operate_but_do_not_build_and_builders_do_not_operate() -> None:
    assert allowed("operator", Verb.BAN) and not allowed("operator", Verb.BUILD)
    assert allowed("builder", Verb.BUILD) and not allowed("builder", Verb.GRANT)
