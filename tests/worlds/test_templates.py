"""World templates: the shipped ones are valid and make their galaxies; a bad file is refused
with the path of the bad field; `infinity template check` says so and exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infinity.sim.kinds import Kind
from infinity.worlds.template import (
    SHIPPED,
    Fixed,
    TemplateError,
    catalogue,
    load,
    parse,
    shipped,
)

SMALL = b"""
name = "two-rocks"
title = "Two Rocks"
[galaxy]
kind = "fixed"
[[galaxy.systems]]
name = "Alpha"
x = 1.0
y = 1.0
stations = [{ name = "Alpha Dock", x = 900.0, y = 0.0 }]
belts = [{ name = "Alpha Belt", x = 1500.0, y = 0.0, rocks = 3 }]
gates_to = ["Beta"]
[[galaxy.systems]]
name = "Beta"
x = 9.0
y = 4.0
"""


def test_the_shipped_templates_are_valid_and_make_their_galaxies() -> None:
    templates = shipped()
    assert {"infinity", "space-fleet"} <= set(templates)
    assert len(templates["infinity"].galaxy_for(1).systems) == 14
    fleet = templates["space-fleet"]
    assert isinstance(fleet.galaxy, Fixed)
    assert not fleet.rules.economy and fleet.rules.captain_orders
    assert fleet.theme.font == "retro" and fleet.theme.hud_labels["shield"] == "DEFLECTORS"
    galaxy = fleet.galaxy_for(1)
    assert [s.name for s in galaxy.systems][:2] == ["Starbase Ares", "Vulcanis"]
    assert galaxy.route(1, 4) in ([1, 2, 4], [1, 3, 4])  # every gate leads both ways


def test_a_fixed_galaxy_is_built_as_written() -> None:
    galaxy = parse(SMALL).galaxy_for(5)
    alpha, beta = galaxy.systems
    kinds = [b.kind for b in alpha.bodies]
    assert kinds.count(Kind.STATION) == 1 and kinds.count(Kind.ASTEROID) == 3
    (there,) = alpha.gates()
    (back,) = beta.gates()
    assert (there.leads_to, back.leads_to) == (beta.id, alpha.id)
    assert (there.dest_gate, back.dest_gate) == (back.id, there.id)
    ids = [b.id for s in galaxy.systems for b in s.bodies]
    assert len(ids) == len(set(ids))  # every body has its own id


def test_a_recipe_is_the_same_galaxy_for_the_same_seed() -> None:
    recipe = parse(b'name = "small"\ntitle = "Small"\n[galaxy]\nkind = "recipe"\nsystems = 3\n')
    assert recipe.galaxy_for(9) == recipe.galaxy_for(9)
    assert len(recipe.galaxy_for(9).systems) == 3


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'name = "ok"\ntitle = "T"\n[rules]\ndamage = 20\n', "$.rules.damage"),
        (b'name = "ok"\ntitle = "T"\n[rules]\nbuilders = "anyone"\n', "$.rules.builders"),
        (b'name = "ok"\ntitle = "T"\n[rules]\ndamgae = 2\n', "damgae"),  # a typo is an error
        (b'name = "Bad Name"\ntitle = "T"\n', "$.name"),
        (b'name = "ok"\n', "title"),
        (b'name = "ok"\ntitle = "T"\n[theme]\npalette = { a = "red" }\n', "$.theme.palette"),
        (b'name = "ok"\ntitle = "T"\n[galaxy]\nkind = "spiral"\n', "$.galaxy"),
        (b'name = "ok"\ntitle = "T"\n[galaxy]\nkind = "recipe"\nsystems = 999\n', "systems"),
        (SMALL.replace(b'gates_to = ["Beta"]', b'gates_to = ["Gamma"]'), "gates_to[0]"),
        (SMALL.replace(b'name = "Beta"', b'name = "Alpha"'), "$.galaxy.systems"),
        (b"version = 2\n", "$.version"),
        (b"name = [unclosed", "not valid TOML"),
        (b"\xff\xfe", "not valid TOML"),
    ],
)
def test_a_bad_template_is_refused_with_the_bad_field(data: bytes, where: str) -> None:
    with pytest.raises(TemplateError) as refused:
        parse(data, "mod.toml")
    assert where in str(refused.value) and str(refused.value).startswith("mod.toml: ")


def test_json_works_too_and_a_huge_file_is_refused(tmp_path: Path) -> None:
    assert parse(b'{"name": "json-world", "title": "J"}').name == "json-world"
    with pytest.raises(TemplateError, match="larger than"):
        parse(b"#" * (300 * 1024))
    with pytest.raises(TemplateError, match="No such file"):
        load(tmp_path / "missing.toml")


def test_a_servers_folder_adds_templates_but_may_not_reuse_a_name(tmp_path: Path) -> None:
    (tmp_path / "two-rocks.toml").write_bytes(SMALL)
    assert "two-rocks" in catalogue(tmp_path)
    (tmp_path / "clash.toml").write_bytes(b'name = "infinity"\ntitle = "Mine"\n')
    with pytest.raises(TemplateError, match="is taken"):
        catalogue(tmp_path)


def infinity(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infinity", *args], capture_output=True, text=True, timeout=60
    )


def test_template_check_says_valid_or_names_the_bad_field(tmp_path: Path) -> None:
    good = infinity("template", "check", str(SHIPPED / "space-fleet.toml"))
    assert good.returncode == 0 and "valid" in good.stdout and "4 fixed systems" in good.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "ok"\ntitle = "T"\n[rules]\nmining = -1\n')
    refused = infinity("template", "check", str(bad))
    assert refused.returncode == 2 and "$.rules.mining" in refused.stderr
    missing = infinity("template", "check", str(tmp_path / "none.toml"))
    assert missing.returncode == 2 and "none.toml" in missing.stderr
