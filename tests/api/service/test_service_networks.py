"""Service networks through GraphQL: create, update, time zone validation, filters and sorting."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.relay import global_id
from engine.store.service import ServiceNetwork
from tests.api.service.arrange import add_network, add_technician
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: ServiceNetworkCreateInput!) {
  serviceNetworkCreate(input: $input) {
    serviceNetwork { id code name timeZone regionCodes address latitude longitude }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: ServiceNetworkUpdateInput!) {
  serviceNetworkUpdate(id: $id, input: $input) {
    serviceNetwork { code name timeZone regionCodes }
    errors { field message code }
  }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: ServiceNetworkWhereInput, $sortBy: ServiceNetworkOrder) {
  serviceNetworks(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { code technicians { code } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def network_input(code: str, **extra: object) -> dict[str, object]:
    return {
        "code": code,
        "name": f"网点 {code}",
        "timeZone": "Asia/Shanghai",
        "address": "上海市黄浦区服务路 1 号",
        "latitude": 31.2,
        "longitude": 121.4,
        **extra,
    }


def create(gql: GraphQL, code: str, **extra: object) -> dict[str, object]:
    payload = data_of(gql(CREATE, {"input": network_input(code, **extra)}))["serviceNetworkCreate"]
    assert payload["errors"] == []
    return payload["serviceNetwork"]


def test_network_create_returns_it_with_region_codes_sorted(gql: GraphQL) -> None:
    network = create(
        gql, "SH01", regionCodes=["310115", "310120", "310101"], timeZone="Asia/Urumqi"
    )

    assert network["code"] == "SH01" and network["timeZone"] == "Asia/Urumqi"
    assert network["regionCodes"] == ["310101", "310115", "310120"]


def test_a_repeated_region_code_is_invalid_not_dropped(gql: GraphQL, db) -> None:
    network = create(gql, "SH01", regionCodes=["310101"])

    created = data_of(
        gql(CREATE, {"input": network_input("SH02", regionCodes=["310115", "310101", "310115"])})
    )["serviceNetworkCreate"]
    updated = data_of(
        gql(UPDATE, {"id": network["id"], "input": {"regionCodes": ["310101", "310101"]}})
    )["serviceNetworkUpdate"]

    assert created["serviceNetwork"] is None and updated["serviceNetwork"] is None
    assert [(e["field"], e["code"]) for e in created["errors"]] == [("input.regionCodes", "INVALID")]
    assert [(e["field"], e["code"]) for e in updated["errors"]] == [("input.regionCodes", "INVALID")]
    with db.connect() as c:
        assert c.execute(select(ServiceNetwork.code, ServiceNetwork.region_codes)).all() == [
            ("SH01", ["310101"])
        ]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/Argentina/Buenos_Aires", "Etc/GMT-8"])
def test_utc_and_area_location_time_zones_are_accepted(gql: GraphQL, zone: str) -> None:
    assert create(gql, "SH01", timeZone=zone)["timeZone"] == zone


@pytest.mark.parametrize("zone", ["localtime", "Factory", "PRC", "EST", "GMT", "asia/shanghai", ""])
def test_server_local_factory_and_legacy_zone_names_are_invalid(gql: GraphQL, db, zone: str) -> None:
    body = data_of(gql(CREATE, {"input": network_input("SH01", timeZone=zone)}))[
        "serviceNetworkCreate"
    ]

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.timeZone", "INVALID")]
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(ServiceNetwork)) == 0


def test_unknown_time_zone_is_invalid_and_nothing_is_written(gql: GraphQL, db) -> None:
    body = data_of(gql(CREATE, {"input": network_input("SH01", timeZone="Asia/Atlantis")}))[
        "serviceNetworkCreate"
    ]

    assert body["serviceNetwork"] is None
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.timeZone", "INVALID")]
    assert "Asia/Atlantis" in body["errors"][0]["message"]
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(ServiceNetwork)) == 0


def test_invalid_network_fields_are_each_reported_with_their_path(gql: GraphQL) -> None:
    body = data_of(
        gql(
            CREATE,
            {
                "input": network_input(
                    "bad code", regionCodes=["310101", "31"], latitude=91.0, address=" "
                )
            },
        )
    )["serviceNetworkCreate"]

    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("input.code", "INVALID"),
        ("input.regionCodes.1", "INVALID"),
        ("input.latitude", "OUT_OF_RANGE"),
        ("input.address", "INVALID"),
    }


def test_duplicate_network_code_is_refused(gql: GraphQL) -> None:
    create(gql, "SH01")

    body = data_of(gql(CREATE, {"input": network_input("SH01")}))["serviceNetworkCreate"]

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.code", "DUPLICATE")]


def test_network_update_changes_only_given_fields_and_checks_the_time_zone(gql: GraphQL) -> None:
    network = create(gql, "SH01", regionCodes=["310101"])

    renamed = data_of(
        gql(UPDATE, {"id": network["id"], "input": {"name": "浦东网点", "timeZone": "Asia/Harbin"}})
    )
    refused = data_of(gql(UPDATE, {"id": network["id"], "input": {"timeZone": "UTC+8"}}))

    assert renamed["serviceNetworkUpdate"] == {
        "serviceNetwork": {
            "code": "SH01",
            "name": "浦东网点",
            "timeZone": "Asia/Harbin",
            "regionCodes": ["310101"],
        },
        "errors": [],
    }
    assert [(e["field"], e["code"]) for e in refused["serviceNetworkUpdate"]["errors"]] == [
        ("input.timeZone", "INVALID")
    ]


def test_update_of_an_unknown_network_is_not_found(gql: GraphQL) -> None:
    body = data_of(gql(UPDATE, {"id": global_id("ServiceNetwork", 999), "input": {"name": "x"}}))

    assert [(e["field"], e["code"]) for e in body["serviceNetworkUpdate"]["errors"]] == [
        ("id", "NOT_FOUND")
    ]


def test_networks_filter_by_served_region_and_code_sort_and_page(gql: GraphQL, db) -> None:
    south = add_network(db, "SH02", ["310115", "310120"])
    add_network(db, "SH01", ["310101", "310115"])
    add_network(db, "SH03", ["310116"])
    add_technician(db, south, "T2")
    add_technician(db, south, "T1")

    by_region = data_of(gql(LIST, {"first": 10, "where": {"regionCode": "310115"}}))[
        "serviceNetworks"
    ]
    partial = data_of(gql(LIST, {"first": 10, "where": {"regionCode": "31011"}}))["serviceNetworks"]
    by_code = data_of(gql(LIST, {"first": 10, "where": {"code": "SH03"}}))["serviceNetworks"]
    first = data_of(gql(LIST, {"first": 2, "sortBy": {"field": "NAME", "direction": "DESC"}}))[
        "serviceNetworks"
    ]
    rest = data_of(
        gql(
            LIST,
            {
                "first": 2,
                "after": first["pageInfo"]["endCursor"],
                "sortBy": {"field": "NAME", "direction": "DESC"},
            },
        )
    )["serviceNetworks"]

    assert [e["node"] for e in by_region["edges"]] == [
        {"code": "SH01", "technicians": []},
        {"code": "SH02", "technicians": [{"code": "T1"}, {"code": "T2"}]},
    ]
    assert by_region["totalCount"] == 2
    assert partial["edges"] == []  # a code matches whole, never as a prefix
    assert [e["node"]["code"] for e in by_code["edges"]] == ["SH03"]
    assert [e["node"]["code"] for e in first["edges"]] == ["SH03", "SH02"] and first["pageInfo"][
        "hasNextPage"
    ]
    assert [e["node"]["code"] for e in rest["edges"]] == ["SH01"] and not rest["pageInfo"][
        "hasNextPage"
    ]


@pytest.mark.parametrize(
    ("region_code", "expected"),
    [
        ("310101", ["SH01"]),
        ("310115", ["SH01", "SH02"]),
        ("31010", []),  # a prefix of a served code
        ("10101", []),  # a suffix
        ("3101011", []),  # a longer code holding a served one
        ('310101", "310115', []),  # text spanning two elements of the stored list
        (" 310101", []),
    ],
)
def test_the_region_filter_matches_one_whole_served_code(
    gql: GraphQL, db, region_code: str, expected: list[str]
) -> None:
    add_network(db, "SH01", ["310101", "310115"])
    add_network(db, "SH02", ["310115", "310120"])

    body = data_of(gql(LIST, {"first": 10, "where": {"regionCode": region_code}}))

    assert [e["node"]["code"] for e in body["serviceNetworks"]["edges"]] == expected
