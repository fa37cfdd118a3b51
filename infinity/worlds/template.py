"""World templates: a galaxy, its rules and its look, as a data file a modder can write.

A template is TOML (or JSON) validated by msgspec into `Template`; a bad
file is refused with the path of the first bad field (`$.rules.damage`),
never half-read. The galaxy is either a recipe (`kind = "recipe"`: the
generator's seed and size) or fixed (`kind = "fixed"`: every system, station,
gate and belt written out). `Template.galaxy_for(seed)` builds the
`Galaxy` a world of this template starts from.

Shipped templates live beside this module (`infinity`, the default, and
`space-fleet`); a server also reads every `*.toml` / `*.json` in its
templates folder (`<data>/templates`), where a file may not reuse a shipped
name. docs/templates.md documents every field.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Final, Literal

import msgspec

from infinity.commands.build import Name
from infinity.galaxy.generate import generate
from infinity.galaxy.model import Galaxy, StarSystem
from infinity.sim.kinds import Kind
from infinity.sim.zone import StaticBody

SHIPPED: Final = Path(__file__).resolve().parent / "templates"
MAX_FILE: Final = 256 * 1024  # bytes: a template is a page of settings, not a dump

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
Text = Annotated[str, msgspec.Meta(max_length=400, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")]
Colour = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
Factor = Annotated[float, msgspec.Meta(ge=0.0, le=10.0)]
Metres = Annotated[float, msgspec.Meta(ge=-1e6, le=1e6)]
LightYears = Annotated[float, msgspec.Meta(ge=0.0, le=1000.0)]
Ore = Annotated[float, msgspec.Meta(ge=0.0, le=100_000.0)]


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Every template record refuses fields it does not know: a typo is an error."""


class Rules(_Strict, frozen=True, kw_only=True):
    """How a world of this template plays. Multipliers scale the engine's own rules."""

    damage: Factor = 1.0  # beams and torpedoes
    mining: Factor = 1.0  # ore per second
    max_speed: Annotated[float, msgspec.Meta(gt=0.0, le=3.0)] = 1.0
    economy: bool = True  # markets, upkeep and bounties run
    respawn: bool = True  # a destroyed player ship comes back at its home station
    permadeath: bool = False  # players: a destroyed ship is gone for good
    builders: Literal["owner", "members", "operators"] = "owner"  # who may build
    captain_orders: bool = False  # a ship's captain gives its crew orders that bind


class Theme(_Strict, frozen=True, kw_only=True):
    """How the web client looks inside a world of this template."""

    palette: dict[Annotated[str, msgspec.Meta(pattern=r"^[a-z-]{1,20}$")], Colour] = {}
    font: Literal["mono", "sans", "serif", "retro"] = "mono"
    hud_labels: dict[Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,20}$")], Name] = {}
    ship_style: Literal["wedge", "saucer", "needle"] = "wedge"


class Recipe(_Strict, tag_field="kind", tag="recipe", frozen=True, kw_only=True):
    """A generated galaxy: the same seed and size always make the same systems."""

    seed: Annotated[int, msgspec.Meta(ge=0, lt=2**31)] | None = None  # None: the world's
    systems: Annotated[int, msgspec.Meta(ge=2, le=64)] = 14


class Station(_Strict, frozen=True, kw_only=True):
    name: Name
    x: Metres
    y: Metres


class Belt(_Strict, frozen=True, kw_only=True):
    name: Name
    x: Metres
    y: Metres
    rocks: Annotated[int, msgspec.Meta(ge=1, le=40)] = 6
    ore: Ore = 500.0  # per rock


class System(_Strict, frozen=True, kw_only=True):
    name: Name
    x: LightYears
    y: LightYears
    star: Name | None = None  # the star's name; the system's by default
    stations: list[Station] = []
    belts: list[Belt] = []
    gates_to: list[Name] = []  # names of the systems this one has a gate to (both ways)


class Fixed(_Strict, tag_field="kind", tag="fixed", frozen=True, kw_only=True):
    """A galaxy written out in full."""

    systems: Annotated[list[System], msgspec.Meta(min_length=1, max_length=64)]


CommandTag = Literal[
    "thrust", "move_to", "stop", "target", "fire", "torpedo", "dock", "undock", "mine",
    "unload", "jump", "say", "sell", "buy", "repair", "siphon", "loot",
]  # fmt: skip


class Post(_Strict, frozen=True, kw_only=True):
    """A bridge station of the flagship and the commands whoever holds it may give."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z-]{1,19}$")]
    title: Name
    commands: Annotated[list[CommandTag], msgspec.Meta(min_length=1)]


class Flagship(_Strict, frozen=True, kw_only=True):
    """One ship the world is built around, flown from its bridge: the world's owner is its
    captain (every command); members hold the other posts (docs/templates.md)."""

    name: Name
    posts: Annotated[list[Post], msgspec.Meta(min_length=1, max_length=12)]


class Template(_Strict, frozen=True, kw_only=True):
    """One world template (docs/templates.md)."""

    version: Literal[1] = 1
    name: Slug
    title: Name
    description: Text = ""
    galaxy: Recipe | Fixed = Recipe()
    rules: Rules = Rules()
    theme: Theme = Theme()
    flagship: Flagship | None = None

    def galaxy_for(self, seed: int) -> Galaxy:
        """The galaxy a world of this template starts from (`seed`: the world's own)."""
        if isinstance(self.galaxy, Recipe):
            chosen = self.galaxy.seed if self.galaxy.seed is not None else seed
            return generate(chosen, self.galaxy.systems)
        return _fixed(self.galaxy, seed)


class TemplateError(ValueError):
    """A template file that cannot be used, and why (the bad field's path included)."""


def parse(data: bytes, source: str = "template") -> Template:
    """Validate a template's bytes (TOML, or JSON when they start with `{`)."""
    if len(data) > MAX_FILE:
        raise TemplateError(f"{source}: larger than {MAX_FILE // 1024} KiB")
    try:
        text = data.decode()
        raw = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (UnicodeDecodeError, ValueError) as bad:  # TOMLDecodeError is a ValueError
        raise TemplateError(f"{source}: not valid TOML or JSON: {bad}") from None
    try:
        template = msgspec.convert(raw, Template)
    except msgspec.ValidationError as invalid:
        raise TemplateError(f"{source}: {invalid}") from None
    _check_galaxy(template, source)
    _check_posts(template, source)
    return template


def load(path: Path) -> Template:
    try:
        data = path.read_bytes()
    except OSError as unreadable:
        raise TemplateError(f"{path}: {unreadable.strerror or unreadable}") from None
    return parse(data, str(path))


def shipped() -> dict[str, Template]:
    """The templates that come with Infinity, by name."""
    return {t.name: t for t in (load(p) for p in sorted(SHIPPED.glob("*.toml")))}


def catalogue(folder: Path | None = None) -> dict[str, Template]:
    """The shipped templates and a server's own (`folder`); a bad or clashing file there is
    an error naming it, so a modder learns at start-up, not in play."""
    found = shipped()
    for path in _files(folder):
        template = load(path)
        if template.name in found:
            raise TemplateError(f"{path}: the name {template.name!r} is taken")
        found[template.name] = template
    return found


def _files(folder: Path | None) -> Iterable[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".toml", ".json") and p.is_file())


def _check_galaxy(template: Template, source: str) -> None:
    """What the schema cannot say of a fixed galaxy: unique names, gates that lead somewhere."""
    if not isinstance(template.galaxy, Fixed):
        return
    names = [s.name for s in template.galaxy.systems]
    if len(set(names)) != len(names):
        raise TemplateError(f"{source}: system names must be unique - at `$.galaxy.systems`")
    for k, system in enumerate(template.galaxy.systems):
        for j, other in enumerate(system.gates_to):
            if other not in names or other == system.name:
                where = f"$.galaxy.systems[{k}].gates_to[{j}]"
                raise TemplateError(f"{source}: no other system named {other!r} - at `{where}`")


CAPTAIN: Final = "captain"  # the post the world's owner holds: every command


def _check_posts(template: Template, source: str) -> None:
    """Post names are unique, and `captain` is the owner's, never a template's to define."""
    if template.flagship is None:
        return
    names = [p.name for p in template.flagship.posts]
    for k, name in enumerate(names):
        if name == CAPTAIN or names.index(name) != k:
            why = "is the owner's" if name == CAPTAIN else "is used twice"
            where = f"$.flagship.posts[{k}].name"
            raise TemplateError(f"{source}: the post {name!r} {why} - at `{where}`")


def _fixed(galaxy: Fixed, seed: int) -> Galaxy:
    """Number every body: systems from 1, bodies after them; gates in pairs, both ways."""
    ids = iter(range(len(galaxy.systems) + 1, 10**6))
    system_id = {s.name: k + 1 for k, s in enumerate(galaxy.systems)}
    links = sorted(
        {tuple(sorted((s.name, o))) for s in galaxy.systems for o in s.gates_to}  # each once
    )
    gate_id = {(a, b): next(ids) for a, b in links} | {(b, a): next(ids) for a, b in links}
    systems = []
    for s in galaxy.systems:
        bodies = [StaticBody(next(ids), Kind.STAR, s.star or s.name, 0.0, 0.0)]
        bodies += [StaticBody(next(ids), Kind.STATION, t.name, t.x, t.y) for t in s.stations]
        for belt in s.belts:
            bodies += [
                StaticBody(next(ids), Kind.ASTEROID, f"{belt.name} {k + 1}",
                           belt.x + 180.0 * (k % 3), belt.y + 180.0 * (k // 3), belt.ore)
                for k in range(belt.rocks)
            ]  # fmt: skip
        for (here, there), gid in gate_id.items():
            if here == s.name:
                x, y = _gate_spot(galaxy, s, there)
                bodies.append(
                    StaticBody(gid, Kind.GATE, f"Gate to {there}", x, y,
                               leads_to=system_id[there], dest_gate=gate_id[(there, here)])
                )  # fmt: skip
        systems.append(StarSystem(system_id[s.name], s.name, s.x, s.y, tuple(bodies)))
    return Galaxy(seed, tuple(systems))


def _gate_spot(galaxy: Fixed, here: System, there: str) -> tuple[float, float]:
    """A gate sits 6 km from the star, in the direction of the system it leads to."""
    target = next(s for s in galaxy.systems if s.name == there)
    dx, dy = target.x - here.x, target.y - here.y
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return 6000.0 * dx / length, 6000.0 * dy / length
