from __future__ import annotations

import numpy as np
import pytest

from infinity.crew.needs import (
    COMPANY_DECAY,
    Balance,
    Need,
    NeedsTable,
    WorldSigns,
    desperation,
    risk_taking,
    willingness_to_steal,
)


def signs(n: int, **over: object) -> WorldSigns:
    values: dict[str, object] = {
        "credits": np.full(n, 1000.0),
        "hull": np.full(n, 100.0),
        "docked": np.zeros(n, bool),
        "attacked": np.zeros(n, bool),
        "company": np.zeros(n, bool),
        "talked": np.zeros(n),
        "working": np.zeros(n, bool),
    }
    values.update(over)
    return WorldSigns(**values)  # type: ignore[arg-type]


def test_needs_follow_the_world_and_decay_with_time() -> None:
    table = NeedsTable(4)
    rows = np.arange(2)
    levels = table.update(
        rows,
        signs(2, credits=np.array([250.0, 0.0]), hull=np.array([50.0, 100.0]),
              attacked=np.array([True, False]), working=np.array([True, False])),
        np.full(2, 60.0),
    )  # fmt: skip
    assert levels[:, Need.CREDITS].tolist() == [0.25, 0.0]
    assert levels[:, Need.SAFETY].tolist() == pytest.approx([0.5 * 0.35, 1.0])
    assert levels[:, Need.COMPANY].tolist() == pytest.approx([1 - 60 * COMPANY_DECAY] * 2)
    assert levels[0, Need.PURPOSE] > 0.5 > levels[1, Need.PURPOSE]  # work gives purpose
    assert table.update(rows, signs(2, talked=np.array([1.0, 0.0])), np.zeros(2))[0, 2] == 1.0


def test_desperation_raises_risk_and_theft() -> None:
    broke, comfortable = desperation(np.array([0.0, 0.5]))
    assert (broke, comfortable) == (1.0, 0.0)
    calm = risk_taking(np.array([0.2]), np.array([0.8]), np.array([0.0]))[0]
    desperate = risk_taking(np.array([0.2]), np.array([0.8]), np.array([1.0]))[0]
    assert desperate > calm
    greedy = willingness_to_steal(np.array([0.9, 0.9]), np.array([0.1, 0.1]), np.array([1.0, 0.0]))
    assert greedy[0] > 0.5 and greedy[1] == 0.0  # nobody steals who is not desperate


def test_the_purse_never_overdraws() -> None:
    purse = Balance(10.0)
    assert purse.spend(4.0, "upkeep") == 4.0
    assert purse.spend(100.0, "upkeep") == 6.0
    assert purse.balance == 0.0
    purse.receive(3.5, "ore")
    assert purse.balance == 3.5
