"""Agents earn, pay upkeep, refuse an order, and die, in a real zone driven only by commands."""

from __future__ import annotations

import pytest

from infinity.commands import types as c
from infinity.company.purse import ShipPurses
from infinity.crew import dialogue
from infinity.crew.agent import Agent
from infinity.crew.crew import Captain, Crew, Station
from infinity.crew.goals import Goal
from infinity.crew.memory import MemoryKind
from infinity.crew.needs import STARTING_CREDITS, UPKEEP_PER_SECOND
from infinity.crew.orders import Order, OrderKind
from infinity.crew.senses import Heard, OwnShip, Perception
from infinity.crew.voice import voice_of
from infinity.sim import events as ev

from .dna import ACGT, bred
from .world import FIRST_SHIP, WALLET, Books, Run

MINER, OTHER, PIRATE = FIRST_SHIP, FIRST_SHIP + 1, FIRST_SHIP + 2
HELLO = Heard(7, "Vega", "hello, are you there?", 99.0, to_me=True)


def test_an_agent_earns_by_mining_and_pays_upkeep() -> None:
    """As in the server: the agent spends from its ship's wallet (a `WalletPurse`), and what
    it earns is the ore it puts up for sale, which the station pays into that wallet."""
    run, books = Run(), Books()
    purse = ShipPurses(books, run.minds)(1, STARTING_CREDITS)
    miner = run.board(Agent(1, ACGT, purse=purse), run.ship(MINER, "Kobin's Luck", docked_at=2))
    run.seconds(90)
    delivered = sum(e.tonnes for e in run.events if isinstance(e, ev.Delivered))
    assert delivered >= 100.0
    sold = [e for e in run.events if isinstance(e, ev.Trade) and e.ship == MINER and e.selling]
    assert sum(e.quantity for e in sold) == delivered  # the station pays for all of it
    decided = sum(1 for d in run.decisions if d.agent == miner.id)
    upkeep = UPKEEP_PER_SECOND * (decided - 1)  # the first decision has no time behind it
    assert books.owed == {MINER: pytest.approx(upkeep)}  # owed by the ship's wallet
    assert miner.purse.balance == pytest.approx(WALLET - upkeep)
    assert any("Sold 100 t of ore" in m.text for m in miner.memory.recent(20))
    assert all(type(x) in c.COMMAND_TYPES for d in run.decisions for x in d.commands)


def test_upkeep_runs_an_idle_agent_dry_and_desperation_shows() -> None:
    run = Run()
    idler = run.board(Agent(1, ACGT), run.ship(MINER, "Drifter", docked_at=2))
    idler.purse.spend(idler.purse.balance - 2.0, "test: nearly broke")
    run.second()
    run.seconds(25)
    assert idler.purse.balance == 0.0
    assert run.minds.needs_of(idler.id)["credits"] == 0.0
    assert idler.intent.goal == Goal.EARN  # need drives it to work


def test_a_gentle_member_refuses_to_attack_an_innocent_and_a_loyal_one_obeys() -> None:
    run = Run()
    gentle = Agent(1, bred(agreeableness=0.95, courage=0.05, loyalty=0.1))
    loyal = Agent(2, bred(filler="TGA", agreeableness=0.95, courage=0.05, loyalty=0.99))
    ship = run.ship(MINER, "Crewship", x=1500.0)
    run.ship(OTHER, "Innocent", x=3500.0)
    crew = Crew(1, "Testers", ship, Captain("Captain Vega", account=7))
    for agent, station in ((gentle, Station.TACTICAL), (loyal, Station.HELM)):
        crew.join(agent, station)
        run.board(agent, ship)
    run.minds.add_crew(crew)
    order = Order(OrderKind.ATTACK, 0.0, OTHER, "Innocent", hostile=False, captain="Captain Vega")
    crew.order(order, run.minds.agents)
    run.seconds(3)
    refusal = run.said(gentle)[0]
    assert refusal.startswith(voice_of(gentle.persona).core("refuse"))
    assert "never fired on us" in refusal
    assert any(m.text.startswith("I refused Captain Vega's order") for m in gentle.memory.recent(5))
    assert gentle.intent.order is None and loyal.intent.order == order
    assert run.said(loyal)[0] == dialogue.acknowledge(loyal.persona, order)
    assert any(
        isinstance(x, c.MoveTo) for d in run.decisions if d.agent == loyal.id for x in d.commands
    )
    # the helm closes in, but nobody at tactical will lock or fire: the refusal shows in the world
    assert not any(isinstance(e, ev.Beam) for e in run.events)


def test_an_agent_dies_for_good_and_witnesses_remember() -> None:
    run = Run()
    doomed = run.board(Agent(1, ACGT), run.ship(MINER, "Glass Jaw", x=2000.0, hull=5.0, shield=0.0))
    watcher = run.board(Agent(2, bred(filler="TGA")), run.ship(OTHER, "Onlooker", x=2600.0))
    run.ship(PIRATE, "Reaver", x=2500.0)
    run.scripted += [c.Target(ship=PIRATE, target=MINER), c.Fire(ship=PIRATE)]
    run.second()
    run.seconds(2)
    assert doomed.death is not None and "destroyed by Reaver" in doomed.death.cause
    assert not doomed.alive
    last_words = doomed.memory.recent(1)[0]
    assert last_words.text.startswith("I died") and last_words.importance == 10
    assert any(m.text == "I saw Glass Jaw destroyed by Reaver." for m in watcher.memory.recent(10))
    before = len(run.decisions)
    run.seconds(20)
    later = [d for d in run.decisions[before:] if d.agent == doomed.id]
    assert later == []  # never perceived, never decides: it never acts again
    ship = OwnShip(MINER, 0.0, 0.0)
    asked_anyway = run.minds.decide(Perception(doomed.id, 99.0, ship, heard=(HELLO,)))
    assert asked_anyway.commands == [] and asked_anyway.goal == Goal.IDLE


def test_being_shot_is_remembered_and_answered() -> None:
    run = Run()
    brave = run.board(
        Agent(1, bred(agreeableness=0.1, courage=0.95, loyalty=0.5)),
        run.ship(MINER, "Hothead", x=2000.0),
    )
    run.ship(PIRATE, "Reaver", x=2400.0)
    run.scripted += [c.Target(ship=PIRATE, target=MINER), c.Fire(ship=PIRATE)]
    run.second()
    run.seconds(4)
    assert any(
        m.text == "Reaver shot at us." and m.importance == 8 for m in brave.memory.recent(10)
    )
    assert brave.intent.goal == Goal.REVENGE and brave.intent.target == PIRATE
    assert any(isinstance(e, ev.Beam) and e.shooter == MINER for e in run.events)
    assert "Reaver" in run.said(brave)[0]
    assert any(
        m.kind == MemoryKind.ACTION and "pay Reaver back" in m.text for m in brave.memory.recent(10)
    )


def test_an_agent_captain_commands_its_crew() -> None:
    run = Run()
    ship = run.ship(MINER, "Flagship", docked_at=2)
    captain = run.board(Agent(1, ACGT), ship)
    hand = run.board(Agent(2, bred(filler="TGA", conscientiousness=0.9, loyalty=0.8)), ship)
    crew = Crew(1, "Kobin's Crew", ship, Captain(captain.name, agent=captain.id))
    crew.join(captain, Station.HELM)
    crew.join(hand, Station.ENGINEERING)
    run.minds.add_crew(crew)
    run.seconds(3)
    assert captain.intent.goal == Goal.EARN
    assert "Crew, mine!" in run.said(captain)
    assert hand.intent.order is not None and hand.intent.order.kind == OrderKind.MINE
    assert run.said(hand)[0] == dialogue.acknowledge(hand.persona, hand.intent.order)
    run.seconds(60)
    assert any(
        isinstance(x, c.Mine) for d in run.decisions if d.agent == hand.id for x in d.commands
    )
    assert not any(
        isinstance(x, c.Mine) for d in run.decisions if d.agent == captain.id for x in d.commands
    )
    assert any(isinstance(e, ev.Delivered) for e in run.events)


def test_an_agent_set_on_stealing_uses_a_siphon() -> None:
    run = Run()
    thief = run.board(
        Agent(9, bred(filler="GCT", greed=0.99, agreeableness=0.01, courage=0.9)),
        run.ship(PIRATE, "Hungry", x=2000.0),
    )
    run.ship(OTHER, "Mark", x=2600.0)
    thief.purse.spend(thief.purse.balance, "test: broke")
    # Earning is on offer here, so push the goal the way a language model may suggest it.
    thief.intent.suggested, thief.intent.suggested_until = Goal.STEAL, 1e9
    for _ in range(30):
        run.second()
        if any(isinstance(x, c.Siphon) for d in run.decisions for x in d.commands):
            break
    siphons = [x for d in run.decisions for x in d.commands if isinstance(x, c.Siphon)]
    assert siphons and siphons[0].target == OTHER
    run.seconds(3)
    assert any(isinstance(e, ev.Siphoned) and e.victim == OTHER for e in run.events)
    assert len([x for d in run.decisions for x in d.commands if isinstance(x, c.Siphon)]) == 1
