"""The builder in the Heart: briefs read, plans made and refused, a model's plan distrusted."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeVar

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infinity.commands.build import MAX_PLAN, AddBelt, AddStation, BuildCommand, FoundSystem, Link
from infinity.crew.genome import persona
from infinity.crew.llm import LlmConfig, Prompt
from infinity.worlds.builder import (
    BUILDER_DNA,
    MIN_GAP,
    Limits,
    Plan,
    Refusal,
    Site,
    SiteSystem,
    builder_persona,
    plan,
    plan_with_llm,
    read_brief,
)
from infinity.worlds.template import Rules

C = TypeVar("C")
EXAMPLE = (
    "a mining colony of five systems around a red giant, with two pirate dens and a busy trade hub"
)
SITE = Site(
    systems=(
        SiteSystem(1, "Sol", 50.0, 50.0, 12),
        SiteSystem(2, "Vega", 62.0, 55.0, 8),
        SiteSystem(3, "Talium", 40.0, 70.0, 5),  # a name the example would otherwise draw
    ),
    body_names=frozenset({"Sol Station", "Vega Belt 1"}),
)


def made(
    brief: str, site: Site = SITE, limits: Limits | None = None, rules: Rules | None = None
) -> Plan:
    result = plan(read_brief(brief), site, limits or Limits(), rules or Rules())
    assert isinstance(result, Plan), result
    return result


def refused(
    brief: str, site: Site = SITE, limits: Limits | None = None, rules: Rules | None = None
) -> Refusal:
    result = plan(read_brief(brief), site, limits or Limits(), rules or Rules())
    assert isinstance(result, Refusal), result
    return result


def of(p: Plan, kind: type[C]) -> list[C]:
    return [c for c in p.commands if isinstance(c, kind)]


def connected(p: Plan, site: Site, anchored: bool = True) -> bool:
    """Every founded system reaches every other through the plan's links, and (`anchored`,
    when the old world has room for a gate) reaches the old world too."""
    names = {c.name for c in of(p, FoundSystem)} | {s.name for s in site.systems}
    touched = {c.name for c in of(p, FoundSystem)}
    edges = [(str(c.system), str(c.to)) for c in of(p, Link)]
    start = next(iter(touched))
    reached, frontier = {start}, [start]
    while frontier:
        here = frontier.pop()
        for a, b in edges:
            for x, y in ((a, b), (b, a)):
                if x == here and y not in reached:
                    reached.add(y)
                    frontier.append(y)
    joined = bool(reached - touched) or not (anchored and site.systems)
    return touched <= reached <= names and joined


# -- the builder as a person ---------------------------------------------------------------


def test_the_builder_is_grown_from_its_own_dna() -> None:
    grown = builder_persona()
    assert grown == persona(BUILDER_DNA)
    assert grown.name and grown.speech.style


# -- reading -------------------------------------------------------------------------------


def test_the_example_brief_is_read() -> None:
    brief = read_brief(EXAMPLE)
    assert (brief.systems, brief.star, brief.mining) == (5, "red giant", True)
    assert (brief.pirate_dens, brief.trade_hubs, brief.stations) == (2, 1, 0)
    assert brief.shape == "hub" and brief.theme is None and brief.readable


@pytest.mark.parametrize(
    ("text", "systems", "star", "shape"),
    [
        ("5 systems in a chain around a white dwarf", 5, "white dwarf", "chain"),
        ("a ring of seven systems round a blue star", 7, "blue", "ring"),
        ("three systems, hub and spokes, orange dwarf", 3, "orange dwarf", "hub"),
        ("a dozen systems around a neutron star", 12, "neutron star", "hub"),
        ("two hundred systems", 200, None, "hub"),
        ("a million systems", 10**6, None, "hub"),
    ],
)
def test_numbers_stars_and_shapes(text: str, systems: int, star: str | None, shape: str) -> None:
    brief = read_brief(text)
    assert (brief.systems, brief.star, brief.shape) == (systems, star, shape)


def test_counts_stations_belts_and_a_theme() -> None:
    brief = read_brief("Four systems called Ashfall with 3 stations, six belts and no pirate dens")
    assert (brief.systems, brief.stations, brief.belts, brief.pirate_dens) == (4, 3, 6, 0)
    assert brief.theme == "Ashfall" and brief.mining


# -- planning ------------------------------------------------------------------------------


def test_the_example_brief_makes_the_colony_it_asks_for() -> None:
    p = made(EXAMPLE)
    founded = of(p, FoundSystem)
    stations = of(p, AddStation)
    assert len(founded) == 5
    assert p.commands[0] == founded[0]  # the central one first
    assert "red giant" in p.steps[0].narration
    dens = [s for s in stations if s.name.endswith(" Den")]
    hubs = [s for s in stations if s.name.endswith((" Exchange", " Hub"))]
    assert len(dens) == 2 and len(hubs) == 1
    assert hubs[0].system == founded[0].name  # the trade hub is in the central system
    assert all(d.system != founded[0].name for d in dens)
    assert all(math.hypot(d.x, d.y) > 20_000 for d in dens)  # far out, away from the law
    assert len(of(p, AddBelt)) >= 3 and all(b.ore > 0 for b in of(p, AddBelt))
    assert connected(p, SITE)
    assert any(str(link.to) in {"Sol", "Vega", "Talium"} for link in of(p, Link))
    assert all(step.narration for step in p.steps) and p.summary
    assert p.builder == builder_persona().name


def test_every_command_round_trips_as_a_build_command() -> None:
    p = made(EXAMPLE)
    for command in p.commands:
        again = msgspec.json.decode(msgspec.json.encode(command), type=BuildCommand)
        assert again == command


def test_names_are_fresh_and_systems_are_not_on_top_of_others() -> None:
    p = made(EXAMPLE)
    names = [c.name for c in p.commands if isinstance(c, FoundSystem | AddStation | AddBelt)]
    taken = SITE.taken()
    assert len({n.casefold() for n in names}) == len(names)
    assert not {n.casefold() for n in names} & taken
    spots = [(s.x, s.y) for s in SITE.systems]
    for c in of(p, FoundSystem):
        assert all(math.hypot(c.x - x, c.y - y) >= MIN_GAP for x, y in spots)
        spots.append((c.x, c.y))
    nearest = min(
        math.hypot(c.x - s.x, c.y - s.y) for c in of(p, FoundSystem) for s in SITE.systems
    )
    assert nearest < 40.0  # near the world, not flung across the map


def test_a_plan_is_the_same_for_the_same_brief_and_site() -> None:
    assert made(EXAMPLE) == made(EXAMPLE)
    assert made(EXAMPLE, Site()) == made(EXAMPLE, Site())
    assert made(EXAMPLE).commands != made(EXAMPLE.replace("five", "four")).commands


@pytest.mark.parametrize("shape", ["chain", "ring"])
def test_chains_and_rings_connect_every_system(shape: str) -> None:
    p = made(f"six systems in a {shape} with a pirate den", Site())
    assert len(of(p, FoundSystem)) == 6 and connected(p, Site())


def test_a_themed_brief_names_the_central_system() -> None:
    p = made("a colony called Ashfall of three systems around a red dwarf", Site())
    assert of(p, FoundSystem)[0].name == "Ashfall"


# -- refusals ------------------------------------------------------------------------------


def test_too_many_systems_for_the_world_is_refused() -> None:
    no = refused("sixty systems around a yellow star", limits=Limits(max_systems=20))
    assert no.code == "too_many_systems" and no.line
    assert refused("a million systems").code == "too_many_systems"


def test_a_trade_hub_in_a_world_without_economy_is_refused() -> None:
    no = refused(EXAMPLE, rules=Rules(economy=False))
    assert no.code == "forbidden_by_rules" and "economy" in no.line


def test_mining_where_mining_is_off_is_refused() -> None:
    assert refused("three mining systems", rules=Rules(mining=0.0)).code == "forbidden_by_rules"


@pytest.mark.parametrize("text", ["", "xyzzy plugh frobnicate", "!!! ??? 42"])
def test_gibberish_is_refused(text: str) -> None:
    assert refused(text).code == "unreadable"


def test_too_long_a_plan_is_refused() -> None:
    no = refused("sixty systems with forty stations, forty pirate dens and forty belts", Site())
    assert no.code == "plan_too_long"


def test_too_many_bodies_in_one_system_is_refused() -> None:
    no = refused("one system with thirty stations", Site(), limits=Limits(max_bodies=10))
    assert no.code == "too_many_bodies"


def test_belts_nobody_counted_shrink_to_fit_the_plan() -> None:
    p = made("a mining colony of sixty systems", Site(), limits=Limits(max_plan=150))
    assert len(p.steps) <= 150


# -- the language model --------------------------------------------------------------------


@dataclass
class FakeModel:
    """Answers every prompt with `answer` (or raises it), as LlmMind's request would."""

    answer: str | Exception
    config: LlmConfig = field(default_factory=lambda: LlmConfig("http://model.invalid/v1", "fake"))
    asked: int = 0

    async def _complete(self, prompt: Prompt) -> str:
        self.asked += 1
        assert "JSON" in prompt.system
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def commands_json(*commands: BuildCommand) -> str:
    return msgspec.json.encode(list(commands)).decode()


GOOD = commands_json(
    FoundSystem(name="Orrin", x=80.0, y=80.0),
    FoundSystem(name="Pell", x=90.0, y=80.0),
    Link(system="Orrin", to="Pell"),
    Link(system="Orrin", to="Vega"),
    AddStation(system="Orrin", name="Orrin Exchange", x=2000.0, y=0.0),
    AddStation(system="Pell", name="Knife Den", x=30000.0, y=0.0),
    AddBelt(system="Pell", name="Pell Belt", x=6000.0, y=0.0, rocks=8, ore=500.0),
)


async def test_a_sound_model_plan_is_used() -> None:
    model = FakeModel("```json\n" + GOOD + "\n```")
    p = await plan_with_llm(EXAMPLE, SITE, Limits(), Rules(), model)
    assert isinstance(p, Plan) and p.source == "llm" and model.asked == 1
    assert len(p.steps) == 7 and all(s.narration for s in p.steps)


@pytest.mark.parametrize(
    "answer",
    [
        "this is not json",
        '{"op": "found_system"}',
        '[{"op": "found_system", "name": "X", "x": -5, "y": 0}]',
        '[{"op": "remove_system", "system": "Sol"}]',
        commands_json(*[FoundSystem(name=f"S{k}", x=float(k), y=0.0) for k in range(MAX_PLAN + 1)]),
        commands_json(FoundSystem(name="Sol", x=90.0, y=90.0)),  # a name taken
        commands_json(FoundSystem(name="Near", x=50.5, y=50.0), Link(system="Near", to="Sol")),
        commands_json(FoundSystem(name="Lost", x=90.0, y=90.0)),  # linked to nothing
        commands_json(Link(system="Nowhere", to="Sol")),
        OSError("connection refused"),
        TimeoutError(),
    ],
)
async def test_a_bad_model_answer_falls_back_to_the_rules(answer: str | Exception) -> None:
    p = await plan_with_llm(EXAMPLE, SITE, Limits(), Rules(), FakeModel(answer))
    assert isinstance(p, Plan) and p.source == "rules" and p.note
    assert p.commands == made(EXAMPLE).commands


async def test_a_model_plan_over_the_worlds_limits_is_not_used() -> None:
    # Pell would hold its star, a gate, a den and 8 rocks: 11 bodies, over a limit of 10.
    p = await plan_with_llm(EXAMPLE, SITE, Limits(max_bodies=10), Rules(), FakeModel(GOOD))
    assert isinstance(p, Plan) and p.source == "rules" and "bodies" in p.note


async def test_a_model_plan_with_trade_in_a_world_without_economy_is_not_used() -> None:
    p = await plan_with_llm(
        "two systems and a den", SITE, Limits(), Rules(economy=False), FakeModel(GOOD)
    )
    assert isinstance(p, Plan) and p.source == "rules" and "economy" in p.note


async def test_gibberish_the_model_cannot_plan_is_still_refused() -> None:
    no = await plan_with_llm("xyzzy plugh", SITE, Limits(), Rules(), FakeModel("[]"))
    assert isinstance(no, Refusal) and no.code == "unreadable"


async def test_a_brief_the_rules_forbid_is_refused_without_asking() -> None:
    model = FakeModel(GOOD)
    no = await plan_with_llm(EXAMPLE, SITE, Limits(), Rules(economy=False), model)
    assert isinstance(no, Refusal) and no.code == "forbidden_by_rules" and model.asked == 0


async def test_no_model_means_the_rule_based_plan() -> None:
    p = await plan_with_llm(EXAMPLE, SITE, Limits(), Rules(), None)
    assert isinstance(p, Plan) and p == made(EXAMPLE)


# -- properties ----------------------------------------------------------------------------

NUMBERS = ["a", "one", "two", "3", "four", "five", "7", "a dozen", "twenty", "sixty", "99"]
THINGS = ["systems", "pirate dens", "trade hubs", "stations", "belts", "asteroid fields"]
EXTRAS = ["mining", "colony", "around a red giant", "white dwarf", "in a chain", "in a ring",
          "blue star", "called Ashfall", "with", "and", "busy", "spokes"]  # fmt: skip


@st.composite
def briefs(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(
            st.one_of(
                st.tuples(st.sampled_from(NUMBERS), st.sampled_from(THINGS)).map(" ".join),
                st.sampled_from(EXTRAS),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return " ".join(parts)


sites = st.lists(
    st.tuples(st.floats(0, 100), st.floats(0, 100), st.integers(1, 30)), max_size=10
).map(
    lambda rows: Site(
        systems=tuple(SiteSystem(k + 1, f"Old {k}", x, y, n) for k, (x, y, n) in enumerate(rows))
    )
)
limits = st.builds(
    Limits,
    max_systems=st.integers(1, 64),
    max_bodies=st.integers(5, 400),
    max_plan=st.integers(10, MAX_PLAN),
)


@settings(max_examples=150, deadline=None)
@given(text=briefs(), site=sites, limit=limits, economy=st.booleans())
def test_no_plan_breaks_a_limit_or_reuses_a_name(
    text: str, site: Site, limit: Limits, economy: bool
) -> None:
    result = plan(read_brief(text), site, limit, Rules(economy=economy))
    if isinstance(result, Refusal):
        assert result.line and result.code
        return
    assert len(result.steps) <= limit.max_plan
    founded = of(result, FoundSystem)
    assert len(founded) >= 1 and len(founded) + len(site.systems) <= limit.max_systems
    names = [
        c.name.casefold()
        for c in result.commands
        if isinstance(c, FoundSystem | AddStation | AddBelt)
    ]
    assert len(set(names)) == len(names) and not set(names) & site.taken()
    bodies = {s.name: s.bodies for s in site.systems} | {c.name: 1 for c in founded}
    for c in result.commands:
        if isinstance(c, Link):
            bodies[str(c.system)] += 1
            bodies[str(c.to)] += 1
        elif isinstance(c, AddStation):
            bodies[str(c.system)] += 1
        elif isinstance(c, AddBelt):
            bodies[str(c.system)] += c.rocks
    changed = {c.name for c in founded} | {str(c.to) for c in of(result, Link)}
    assert all(bodies[name] <= limit.max_bodies for name in changed)
    spots = [(s.x, s.y) for s in site.systems]
    for c in founded:
        assert all(math.hypot(c.x - x, c.y - y) >= MIN_GAP - 1e-6 for x, y in spots)
        spots.append((c.x, c.y))
    assert connected(result, site, any(s.bodies < limit.max_bodies for s in site.systems))
    if not economy:
        assert not any(c.name.endswith(("Exchange", "Hub")) for c in of(result, AddStation))
    for command in result.commands:
        assert msgspec.json.decode(msgspec.json.encode(command), type=BuildCommand) == command
