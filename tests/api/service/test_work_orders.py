"""Work orders through GraphQL: create, with its defaults and rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from api.relay import global_id
from engine.store.service import WorkOrder, WorkOrderEvent
from tests.api.service.arrange import (
    add_member,
    add_network,
    add_product,
    add_registration,
)
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: WorkOrderCreateInput!) {
  workOrderCreate(input: $input) {
    workOrder {
      id orderNo kind status regionCode address latitude longitude requiredSkill minSkillLevel
      durationMinutes windowStart windowEnd priority slaDeadline description version
      network { code } member { name } registration { serialNumber } product { model } technician { code }
      history { from to at note technician { code } }
    }
    errors { field message code }
  }
}
"""

WINDOW = {"windowStart": "2025-03-01T09:00:00+08:00", "windowEnd": "2025-03-01T12:00:00+08:00"}


@pytest.fixture
def given(db) -> dict[str, str]:
    """A network, a member with coordinates, an air conditioner she registered."""
    member = add_member(db, "M1")
    product = add_product(db, "KFR-35GW")
    return {
        "network": add_network(db, "SH01"),
        "member": member,
        "product": product,
        "registration": add_registration(db, member, product, "SN-1"),
    }


def order_input(given: dict[str, str], **extra: object) -> dict[str, object]:
    return {
        "kind": "INSTALL",
        "networkId": given["network"],
        "memberId": given["member"],
        "durationMinutes": 90,
        **WINDOW,
        **extra,
    }


def create(gql: GraphQL, given: dict[str, str], **extra: object) -> dict:
    return data_of(gql(CREATE, {"input": order_input(given, **extra)}))["workOrderCreate"]


def errors_of(payload: dict) -> set[tuple[str, str]]:
    assert payload["workOrder"] is None
    return {(e["field"], e["code"]) for e in payload["errors"]}


def test_create_fills_product_skill_place_and_sla_from_registration_and_member(
    gql: GraphQL, given
) -> None:
    payload = create(gql, given, registrationId=given["registration"])

    order = payload["workOrder"]
    assert payload["errors"] == []
    assert order["status"] == "CREATED" and order["version"] == 1 and order["technician"] is None
    assert order["product"] == {"model": "KFR-35GW"} and order["registration"] == {
        "serialNumber": "SN-1"
    }
    assert order["requiredSkill"] == "AIR_CONDITIONER" and order["minSkillLevel"] == 1
    assert (order["regionCode"], order["address"]) == ("310101", "上海市黄浦区 M1 号")
    assert (order["latitude"], order["longitude"]) == (31.23, 121.47)
    assert order["priority"] == 3
    assert order["windowStart"] == "2025-03-01T01:00:00+00:00"
    assert order["slaDeadline"] == order["windowEnd"] == "2025-03-01T04:00:00+00:00"
    assert [(e["from"], e["to"], e["technician"]) for e in order["history"]] == [
        (None, "CREATED", None)
    ]


def test_generated_order_number_carries_the_day_in_the_network_time_zone(
    gql: GraphQL, given, db
) -> None:
    far_east = add_network(
        db, "KI01", time_zone="Pacific/Kiritimati"
    )  # UTC+14: often a day ahead of UTC
    before = datetime.now(UTC)

    first = create(gql, given, networkId=far_east, requiredSkill="TV")["workOrder"]
    second = create(gql, given, networkId=far_east, requiredSkill="TV")["workOrder"]

    days = {
        f"WO{t.astimezone(ZoneInfo('Pacific/Kiritimati')):%Y%m%d}"
        for t in (before, datetime.now(UTC))
    }
    assert re.fullmatch(r"WO[0-9]{8}[0-9A-HJKMNP-TV-Z]{8}", first["orderNo"])
    assert first["orderNo"][:10] in days
    assert first["orderNo"] != second["orderNo"]


def test_given_values_win_over_the_defaults(gql: GraphQL, given) -> None:
    order = create(
        gql,
        given,
        orderNo="WO-0001",
        productId=given["product"],
        requiredSkill="WASHER",
        minSkillLevel=3,
        regionCode="310115",
        address="浦东新区 2 号",
        latitude=31.1,
        longitude=121.6,
        priority=1,
        slaDeadline="2025-03-02T09:00:00+08:00",
        description="漏水",
    )["workOrder"]

    assert (
        order["orderNo"] == "WO-0001"
        and order["requiredSkill"] == "WASHER"
        and order["minSkillLevel"] == 3
    )
    assert (order["regionCode"], order["address"], order["latitude"], order["longitude"]) == (
        "310115",
        "浦东新区 2 号",
        31.1,
        121.6,
    )
    assert (
        order["priority"] == 1
        and order["slaDeadline"] == "2025-03-02T01:00:00+00:00"
        and order["description"] == "漏水"
    )
    assert order["registration"] is None and order["product"] == {"model": "KFR-35GW"}


def test_without_product_or_skill_the_skill_is_required(gql: GraphQL, given, db) -> None:
    skill_less = add_product(db, "TV-55", required_skill=None)

    assert errors_of(create(gql, given)) == {("input.requiredSkill", "REQUIRED")}
    assert errors_of(create(gql, given, productId=skill_less)) == {
        ("input.requiredSkill", "REQUIRED")
    }


def test_a_registration_of_another_member_is_invalid(gql: GraphQL, given, db) -> None:
    neighbour = add_member(db, "M2")
    theirs = add_registration(db, neighbour, given["product"], "SN-2")

    assert errors_of(create(gql, given, registrationId=theirs)) == {
        ("input.registrationId", "INVALID")
    }


def test_a_product_other_than_the_registered_one_is_invalid(gql: GraphQL, given, db) -> None:
    other = add_product(db, "KFR-50LW")

    assert errors_of(create(gql, given, registrationId=given["registration"], productId=other)) == {
        ("input.productId", "INVALID")
    }


def test_unknown_references_are_not_found_and_foreign_ids_are_bad(gql: GraphQL, given) -> None:
    missing = create(
        gql,
        given,
        networkId=global_id("ServiceNetwork", 999),
        memberId=global_id("Member", 999),
        registrationId=global_id("ProductRegistration", 999),
        productId=global_id("Product", 999),
    )
    foreign = create(gql, given, memberId=given["product"])

    assert errors_of(missing) == {
        ("input.networkId", "NOT_FOUND"),
        ("input.memberId", "NOT_FOUND"),
        ("input.registrationId", "NOT_FOUND"),
        ("input.productId", "NOT_FOUND"),
    }
    assert errors_of(foreign) == {("input.memberId", "BAD_GLOBAL_ID")}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"windowEnd": WINDOW["windowStart"]}, ("input.windowEnd", "INVALID")),
        ({"windowEnd": "2025-03-01T08:00:00+08:00"}, ("input.windowEnd", "INVALID")),
        ({"windowStart": "2025-03-01T09:00:00"}, ("input.windowStart", "INVALID")),
        ({"windowStart": "0001-01-01T00:00:00+14:00"}, ("input.windowStart", "INVALID")),
        ({"windowEnd": "9999-12-31T23:00:00-05:00"}, ("input.windowEnd", "INVALID")),
        ({"durationMinutes": 0}, ("input.durationMinutes", "OUT_OF_RANGE")),
        ({"durationMinutes": 1441}, ("input.durationMinutes", "OUT_OF_RANGE")),
        ({"priority": 0}, ("input.priority", "OUT_OF_RANGE")),
        ({"priority": 6}, ("input.priority", "OUT_OF_RANGE")),
        ({"minSkillLevel": 6}, ("input.minSkillLevel", "OUT_OF_RANGE")),
        ({"slaDeadline": "2025-03-01T12:00:00"}, ("input.slaDeadline", "INVALID")),
        ({"regionCode": "31"}, ("input.regionCode", "INVALID")),
        ({"orderNo": "WO 1"}, ("input.orderNo", "INVALID")),
        ({"latitude": 31.0}, ("input.longitude", "INVALID")),
        ({"longitude": 121.0}, ("input.latitude", "INVALID")),
        ({"latitude": -91.0, "longitude": 121.0}, ("input.latitude", "OUT_OF_RANGE")),
    ],
)
def test_invalid_work_order_input_is_refused_with_its_path_and_nothing_is_written(
    gql: GraphQL, given, db, extra: dict, expected: tuple[str, str]
) -> None:
    payload = create(gql, given, registrationId=given["registration"], **extra)

    assert errors_of(payload) == {expected}
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(WorkOrder)) == 0
        assert c.scalar(select(func.count()).select_from(WorkOrderEvent)) == 0


def test_a_member_without_coordinates_needs_them_given(gql: GraphQL, given, db) -> None:
    nowhere = add_member(db, "M9", latitude=None, longitude=None)

    refused = create(gql, given, memberId=nowhere, requiredSkill="TV")
    placed = create(
        gql, given, memberId=nowhere, requiredSkill="TV", latitude=30.0, longitude=120.0
    )["workOrder"]

    assert errors_of(refused) == {("input.latitude", "REQUIRED"), ("input.longitude", "REQUIRED")}
    assert (placed["latitude"], placed["longitude"]) == (30.0, 120.0)


def test_a_taken_order_number_is_a_duplicate(gql: GraphQL, given) -> None:
    create(gql, given, orderNo="WO-1", requiredSkill="TV")

    assert errors_of(create(gql, given, orderNo="WO-1", requiredSkill="TV")) == {
        ("input.orderNo", "DUPLICATE")
    }
