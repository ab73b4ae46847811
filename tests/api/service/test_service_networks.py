"""Service networks through GraphQL: create, update, time zone validation, filters and sorting."""

from __future__ import annotations

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


def test_network_create_returns_it_with_region_codes_sorted_and_unique(gql: GraphQL) -> None:
    network = create(
        gql, "SH01", regionCodes=["310115", "310101", "310115"], timeZone="Asia/Urumqi"
    )

    assert network["code"] == "SH01" and network["timeZone"] == "Asia/Urumqi"
    assert network["regionCodes"] == ["310101", "310115"]


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
