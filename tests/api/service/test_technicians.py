"""Technicians through GraphQL: create, update (skills replaced), validation, filters and sorting."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.relay import global_id
from engine.store.service import Technician, TechnicianSkill
from schemas.enums import Skill
from tests.api.service.arrange import add_network, add_technician
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: TechnicianCreateInput!) {
  technicianCreate(input: $input) {
    technician {
      id code name shiftStart shiftEnd dailyCapacityMinutes rating active
      network { code timeZone }
      skills { skill level }
    }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: TechnicianUpdateInput!) {
  technicianUpdate(id: $id, input: $input) {
    technician { code name active skills { skill level } network { code } }
    errors { field message code }
  }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: TechnicianWhereInput, $sortBy: TechnicianOrder) {
  technicians(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { code } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def technician_input(network: str, code: str = "T1", **extra: object) -> dict[str, object]:
    return {
        "code": code,
        "name": f"师傅 {code}",
        "networkId": network,
        "homeLatitude": 31.2,
        "homeLongitude": 121.4,
        "shiftStart": "08:30:00",
        "shiftEnd": "17:30:00",
        "dailyCapacityMinutes": 480,
        **extra,
    }


def create(gql: GraphQL, network: str, code: str = "T1", **extra: object) -> dict[str, object]:
    payload = data_of(gql(CREATE, {"input": technician_input(network, code, **extra)}))[
        "technicianCreate"
    ]
    assert payload["errors"] == []
    return payload["technician"]


def errors_of(gql: GraphQL, network: str, **extra: object) -> set[tuple[str, str]]:
    body = data_of(gql(CREATE, {"input": technician_input(network, **extra)}))["technicianCreate"]
    assert body["technician"] is None
    return {(e["field"], e["code"]) for e in body["errors"]}


def test_technician_create_returns_network_and_skills_with_defaults(gql: GraphQL, db) -> None:
    network = add_network(db, "SH01")

    technician = create(
        gql,
        network,
        skills=[{"skill": "WASHER", "level": 2}, {"skill": "AIR_CONDITIONER", "level": 5}],
    )

    assert technician["network"] == {"code": "SH01", "timeZone": "Asia/Shanghai"}
    assert technician["shiftStart"] == "08:30:00" and technician["shiftEnd"] == "17:30:00"
    assert technician["rating"] == 5.0 and technician["active"] is True
    assert technician["skills"] == [
        {"skill": "AIR_CONDITIONER", "level": 5},
        {"skill": "WASHER", "level": 2},
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"shiftEnd": "08:30:00"}, {("input.shiftEnd", "INVALID")}),
        ({"shiftEnd": "07:00:00"}, {("input.shiftEnd", "INVALID")}),
        ({"shiftStart": "08:30:00+08:00"}, {("input.shiftStart", "INVALID")}),
        ({"dailyCapacityMinutes": 0}, {("input.dailyCapacityMinutes", "OUT_OF_RANGE")}),
        ({"dailyCapacityMinutes": 1441}, {("input.dailyCapacityMinutes", "OUT_OF_RANGE")}),
        ({"rating": -0.1}, {("input.rating", "OUT_OF_RANGE")}),
        ({"rating": 5.1}, {("input.rating", "OUT_OF_RANGE")}),
        ({"homeLatitude": 95.0}, {("input.homeLatitude", "OUT_OF_RANGE")}),
        ({"code": "T 1", "name": " "}, {("input.code", "INVALID"), ("input.name", "INVALID")}),
        ({"skills": [{"skill": "TV", "level": 0}]}, {("input.skills.0.level", "OUT_OF_RANGE")}),
        ({"skills": [{"skill": "TV", "level": 6}]}, {("input.skills.0.level", "OUT_OF_RANGE")}),
        (
            {
                "skills": [
                    {"skill": "TV", "level": 1},
                    {"skill": "WASHER", "level": 1},
                    {"skill": "TV", "level": 2},
                ]
            },
            {("input.skills.2.skill", "INVALID")},
        ),
    ],
)
def test_invalid_technician_input_is_refused_with_its_path(
    gql: GraphQL, db, extra: dict, expected: set
) -> None:
    network = add_network(db, "SH01")

    assert errors_of(gql, network, **extra) == expected
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(Technician)) == 0


def test_unknown_network_and_duplicate_code_are_refused(gql: GraphQL, db) -> None:
    network = add_network(db, "SH01")
    create(gql, network, "T1")

    assert errors_of(gql, network, code="T1") == {("input.code", "DUPLICATE")}
    assert errors_of(gql, global_id("ServiceNetwork", 999), code="T2") == {
        ("input.networkId", "NOT_FOUND")
    }
    assert errors_of(gql, global_id("Member", 1), code="T2") == {
        ("input.networkId", "BAD_GLOBAL_ID")
    }


def test_update_replaces_the_skill_list_when_given_and_keeps_it_otherwise(gql: GraphQL, db) -> None:
    network = add_network(db, "SH01")
    other = add_network(db, "SH02")
    technician = create(
        gql, network, skills=[{"skill": "TV", "level": 2}, {"skill": "WASHER", "level": 3}]
    )

    renamed = data_of(
        gql(UPDATE, {"id": technician["id"], "input": {"name": "王师傅", "networkId": other}})
    )
    replaced = data_of(
        gql(
            UPDATE,
            {
                "id": technician["id"],
                "input": {
                    "skills": [{"skill": "TV", "level": 4}, {"skill": "RANGE_HOOD", "level": 1}]
                },
            },
        )
    )

    assert renamed["technicianUpdate"]["technician"]["skills"] == [
        {"skill": "TV", "level": 2},
        {"skill": "WASHER", "level": 3},
    ]
    assert renamed["technicianUpdate"]["technician"]["network"] == {"code": "SH02"}
    assert replaced["technicianUpdate"]["technician"]["skills"] == [
        {"skill": "RANGE_HOOD", "level": 1},
        {"skill": "TV", "level": 4},
    ]
    with db.connect() as c:
        rows = c.execute(
            select(TechnicianSkill.skill, TechnicianSkill.level).order_by(TechnicianSkill.skill)
        ).all()
    assert rows == [(Skill.RANGE_HOOD, 1), (Skill.TV, 4)]


def test_update_checks_the_merged_shift_and_repeated_skills(gql: GraphQL, db) -> None:
    network = add_network(db, "SH01")
    technician = create(gql, network)

    early_end = data_of(gql(UPDATE, {"id": technician["id"], "input": {"shiftEnd": "08:00:00"}}))[
        "technicianUpdate"
    ]
    repeated = data_of(
        gql(
            UPDATE,
            {
                "id": technician["id"],
                "input": {"skills": [{"skill": "TV", "level": 1}, {"skill": "TV", "level": 2}]},
            },
        )
    )["technicianUpdate"]

    assert [(e["field"], e["code"]) for e in early_end["errors"]] == [("input.shiftEnd", "INVALID")]
    assert [(e["field"], e["code"]) for e in repeated["errors"]] == [
        ("input.skills.1.skill", "INVALID")
    ]


def test_clearing_all_skills_with_an_empty_list(gql: GraphQL, db) -> None:
    network = add_network(db, "SH01")
    technician = create(gql, network, skills=[{"skill": "TV", "level": 2}])

    body = data_of(gql(UPDATE, {"id": technician["id"], "input": {"skills": []}}))[
        "technicianUpdate"
    ]

    assert body["technician"]["skills"] == []


def test_technicians_filter_by_network_skill_level_and_active(gql: GraphQL, db) -> None:
    north, south = add_network(db, "N"), add_network(db, "S")
    add_technician(db, north, "T1", {Skill.AIR_CONDITIONER: 5})
    add_technician(db, north, "T2", {Skill.AIR_CONDITIONER: 2, Skill.WASHER: 4})
    add_technician(db, south, "T3", {Skill.TV: 3}, active=False)
    add_technician(db, south, "T4", {Skill.WASHER: 1})

    def codes(where: dict) -> list[str]:
        return [
            e["node"]["code"]
            for e in data_of(gql(LIST, {"first": 10, "where": where}))["technicians"]["edges"]
        ]

    assert codes({"network": [south]}) == ["T3", "T4"]
    assert codes({"skill": ["WASHER", "TV"]}) == ["T2", "T3", "T4"]
    assert codes({"skill": ["AIR_CONDITIONER"], "minLevel": 3}) == ["T1"]
    assert codes({"skill": ["WASHER", "AIR_CONDITIONER"], "minLevel": 4}) == ["T1", "T2"]
    assert codes({"minLevel": 3}) == ["T1", "T2", "T3"]
    assert codes({"active": False}) == ["T3"]
    assert codes({"active": True, "network": [north, south]}) == ["T1", "T2", "T4"]


def test_technicians_sort_by_rating_and_page(gql: GraphQL, db) -> None:
    network = add_network(db, "SH01")
    for code, rating in [("T1", 4.0), ("T2", 4.9), ("T3", 3.5), ("T4", 4.9)]:
        add_technician(db, network, code, rating=rating)
    order = {"field": "RATING", "direction": "DESC"}

    first = data_of(gql(LIST, {"first": 2, "sortBy": order}))["technicians"]
    rest = data_of(
        gql(LIST, {"first": 2, "sortBy": order, "after": first["pageInfo"]["endCursor"]})
    )["technicians"]

    assert [e["node"]["code"] for e in first["edges"]] == [
        "T4",
        "T2",
    ]  # ties: later id first when descending
    assert [e["node"]["code"] for e in rest["edges"]] == ["T1", "T3"] and not rest["pageInfo"][
        "hasNextPage"
    ]
    assert first["totalCount"] == 4


def test_a_bad_network_id_in_the_filter_is_a_client_error(gql: GraphQL) -> None:
    body = gql(LIST, {"first": 10, "where": {"network": ["nope"]}})

    assert body["errors"][0]["extensions"] == {"code": "BAD_GLOBAL_ID", "field": "where.network"}
