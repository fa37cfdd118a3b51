"""The REST API against a real server: typed errors, tokens, and the OpenAPI document."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from tests.conftest import PASSWORD, Server


def post(server: Server, path: str, **kw: object) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", **kw)  # type: ignore[arg-type]


def test_register_login_me_logout(server: Server) -> None:
    created = server.register("restful")
    assert created["account"] == {
        "id": created["account"]["id"],
        "name": "restful",
        "role": "player",
    }  # type: ignore[index]
    login = post(server, "/api/login", json={"name": "RESTFUL", "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()["token"]
    me = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["ship"]["id"] == created["ship"]
    assert me.json()["ship"]["docked_at"] > 0
    assert (
        post(server, "/api/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    )
    again = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401 and again.json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"name": "ab", "password": PASSWORD}, 422, "invalid"),
        ({"name": "good_name", "password": "short"}, 422, "invalid"),
        ({"name": "bad name!", "password": PASSWORD}, 422, "invalid"),
        ({"name": 5, "password": PASSWORD}, 422, "invalid"),
        ({"name": "x", "password": "y", "extra": 1}, 422, "invalid"),
        ({"password": PASSWORD}, 422, "invalid"),
    ],
)
def test_register_rejects_bad_bodies(
    server: Server, body: dict[str, object], status: int, error: str
) -> None:
    answer = post(server, "/api/register", json=body)
    assert (answer.status_code, answer.json()["error"]) == (status, error)


def test_register_rejects_non_json_and_oversized_bodies(server: Server) -> None:
    assert post(server, "/api/register", content=b"{nope").status_code == 400
    assert post(server, "/api/register", content=b"x" * 10_000).status_code == 413


def test_duplicate_names_conflict_case_insensitively(server: Server) -> None:
    server.register("Twin")
    answer = post(server, "/api/register", json={"name": "twin", "password": PASSWORD})
    assert (answer.status_code, answer.json()["error"]) == (409, "name_taken")


def test_wrong_password_is_unauthorized(server: Server) -> None:
    server.register("locked")
    answer = post(server, "/api/login", json={"name": "locked", "password": "wrong-password"})
    assert (answer.status_code, answer.json()["error"]) == (401, "unauthorized")


def test_me_without_a_token(server: Server) -> None:
    assert httpx.get(f"{server.url}/api/me").status_code == 401


def test_galaxy_is_connected_and_has_at_least_twelve_systems(server: Server) -> None:
    galaxy = httpx.get(f"{server.url}/api/galaxy").json()
    ids = {s["id"] for s in galaxy["systems"]}
    assert len(ids) >= 12
    reached, frontier = {min(ids)}, [min(ids)]
    while frontier:
        here = frontier.pop()
        for a, b in galaxy["lanes"]:
            for there in (b,) if a == here else (a,) if b == here else ():
                if there not in reached:
                    reached.add(there)
                    frontier.append(there)
    assert reached == ids


def test_openapi_document_lists_the_api(server: Server) -> None:
    doc = httpx.get(f"{server.url}/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/register", "/api/login", "/api/logout", "/api/me", "/api/galaxy"} <= set(
        doc["paths"]
    )
    assert {
        "/api/wallet",
        "/api/market",
        "/api/bounties",
        "/api/agents",
        "/api/crew/orders",
    } <= set(doc["paths"])
    assert {"Credentials", "BountyRequest", "AgentView"} <= set(doc["components"]["schemas"])


def test_openapi_declares_every_parameter_with_its_bounds(server: Server) -> None:
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    declared = {
        (path, p["name"], p["in"], p["schema"]["type"], p["schema"].get("minimum"))
        for path, ops in paths.items()
        for op in ops.values()
        for p in op.get("parameters", ())
    }
    assert declared == {
        ("/api/wallet", "cursor", "query", "integer", 0),
        ("/api/wallet", "limit", "query", "integer", 1),
        ("/api/market", "station", "query", "integer", 0),
        ("/api/agents/{id}", "id", "path", "integer", 0),
        ("/api/operator/share/{id}", "id", "path", "integer", 0),
        ("/api/operator/inspect", "kind", "query", "string", None),  # an enum
        ("/api/operator/inspect", "id", "query", "integer", 0),
        ("/api/operator/audit", "after", "query", "integer", 0),
        ("/api/operator/audit", "limit", "query", "integer", 1),
        ("/api/galaxy", "world", "query", "integer", 1),
        ("/api/worlds/{id}", "id", "path", "integer", 1),
        ("/api/worlds/{id}/invite", "id", "path", "integer", 1),
        ("/api/worlds/{id}/uninvite", "id", "path", "integer", 1),
        ("/api/worlds/{id}/travel", "id", "path", "integer", 1),
        ("/api/worlds/{id}/build", "id", "path", "integer", 1),
        ("/api/worlds/{id}/bridge", "id", "path", "integer", 1),
        ("/api/worlds/{id}/bridge/leave", "id", "path", "integer", 1),
        ("/api/worlds/{id}/plans", "id", "path", "integer", 1),
        ("/api/plans/{id}", "id", "path", "integer", 1),
        ("/api/plans/{id}/run", "id", "path", "integer", 1),
        ("/api/operator/minds/{id}/copy", "id", "path", "integer", 0),
        ("/api/minds/{id}/move", "id", "path", "integer", 0),
        ("/api/operator/minds/{id}/transfer", "id", "path", "integer", 0),
    }
    assert paths["/api/wallet"]["get"]["parameters"][1]["schema"]["maximum"] == 200
    assert "429" in paths["/api/login"]["post"]["responses"]
    assert "413" in paths["/api/register"]["post"]["responses"]


def test_client_and_metrics_are_served(server: Server) -> None:
    assert httpx.get(f"{server.url}/metrics").text.count("infinity_zone_tick_seconds") > 0
