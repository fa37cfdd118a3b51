from __future__ import annotations

import pytest

from infinity.commands import types as c
from infinity.crew.agent import Agent
from infinity.crew.crew import DUTIES, Captain, Crew, Station, judge
from infinity.crew.genome import persona
from infinity.crew.orders import Order, OrderKind, parse_order

from .dna import bred

ATTACK_INNOCENT = Order(OrderKind.ATTACK, 0.0, 9, "Kestrel", hostile=False, captain="Vega")
ATTACK_FOE = Order(OrderKind.ATTACK, 0.0, 9, "Reaver", hostile=True, captain="Vega")


@pytest.mark.parametrize(
    ("levels", "order", "refuses"),
    [
        ({"agreeableness": 0.95, "courage": 0.05, "loyalty": 0.1}, ATTACK_INNOCENT, True),
        ({"agreeableness": 0.95, "courage": 0.05, "loyalty": 0.97}, ATTACK_INNOCENT, False),
        ({"agreeableness": 0.95, "courage": 0.05, "loyalty": 0.1}, ATTACK_FOE, False),
        ({"agreeableness": 0.1, "courage": 0.9, "loyalty": 0.1}, ATTACK_INNOCENT, False),
        (
            {"courage": 0.97, "neuroticism": 0.02, "loyalty": 0.05},
            Order(OrderKind.FLEE, 0.0),
            True,
        ),
        ({"loyalty": 0.0}, Order(OrderKind.DOCK, 0.0), False),
    ],
)
def test_orders_are_refused_only_when_they_clash_hard(
    levels: dict[str, float], order: Order, refuses: bool
) -> None:
    verdict = judge(persona(bred(**levels)), order)
    assert verdict.refuse is refuses
    assert bool(verdict.reason) is refuses


def test_loyalty_raises_the_bar_for_refusing() -> None:
    clash = judge(persona(bred(agreeableness=0.95, courage=0.05)), ATTACK_INNOCENT).clash
    assert clash > 0.9
    gentle_loyalties = [judge(persona(bred(agreeableness=0.95, courage=0.05, loyalty=lo)),
                              ATTACK_INNOCENT).refuse for lo in (0.0, 0.3, 0.6, 0.9)]  # fmt: skip
    assert gentle_loyalties == [True, True, True, False]


def test_stations_split_the_commands_and_the_acting_captain_covers_empty_seats() -> None:
    helm, tactical = Agent(1, bred()), Agent(2, bred(filler="TGA"))
    crew = Crew(1, "Wing", 77, Captain("Helm Ace", agent=1))
    crew.join(helm, Station.HELM)
    crew.join(tactical, Station.TACTICAL)
    crew.deal_duties({1: helm, 2: tactical})
    assert tactical.duties == DUTIES[Station.TACTICAL] | {c.Say}
    assert helm.duties is not None and c.Mine in helm.duties and c.Fire not in helm.duties
    assert helm.ship == tactical.ship == 77
    assert crew.order(Order(OrderKind.MINE, 0.0), {1: helm, 2: tactical}) == [2]


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("attack Reaver", OrderKind.ATTACK, 9),
        ("Crew: attack reaver!", OrderKind.ATTACK, 9),
        ("follow me", OrderKind.FOLLOW, 5),
        ("mine", OrderKind.MINE, -1),
        ("dock.", OrderKind.DOCK, -1),
        ("run", OrderKind.FLEE, -1),
        ("stand down", OrderKind.STAND_DOWN, -1),
    ],
)
def test_orders_parse_from_chat(text: str, kind: OrderKind, target: int) -> None:
    order = parse_order(
        text, 1.0, {"reaver": 9}, captain="Vega", captain_ship=5, hostile=frozenset({9})
    )
    assert order is not None and (order.kind, order.target) == (kind, target)
    assert order.hostile is (target == 9)


def test_not_an_order() -> None:
    assert parse_order("attack the unknown", 1.0, {}) is None
    assert parse_order("nice day for mining, eh", 1.0, {}) is None
