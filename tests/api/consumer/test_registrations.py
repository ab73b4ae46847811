"""Product registrations through GraphQL: create with a computed warranty, update, the serial
number unique per product, references, and the derived warranty status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from api.relay import global_id
from engine import clock
from engine.store.consumer import ProductRegistration
from tests.api.consumer.arrange import CREATE_REGISTRATION as CREATE
from tests.api.consumer.arrange import errors_of, product, register, registration_count
from tests.conftest import GraphQL, data_of

UPDATE = """
mutation Update($id: ID!, $input: ProductRegistrationUpdateInput!) {
  productRegistrationUpdate(id: $id, input: $input) {
    productRegistration { id serialNumber purchaseDate warrantyEnd product { model } member { memberNo } }
    errors { field message code }
  }
}
"""

STATUS = """
query Status($id: ID!, $asOf: Date) {
  node(id: $id) { ... on ProductRegistration { warrantyEnd warrantyStatus(asOf: $asOf) today: warrantyStatus } }
}
"""


def test_registration_create_computes_the_warranty_end_from_the_product(gql: GraphQL, refs: dict[str, str]) -> None:
    washer = register(
        gql, memberId=refs["member"], productId=refs["washer"], storeId=refs["store"], serialNumber="SN-1", purchaseDate="2024-01-31"
    )
    ac = register(gql, memberId=refs["member"], productId=refs["ac"], serialNumber="SN-2", purchaseDate="2023-05-10")

    assert washer["warrantyEnd"] == "2025-01-31"
    assert ac["warrantyEnd"] == "2029-05-10"
    assert washer["member"] == {"memberNo": "M0000000001"} and washer["product"] == {"model": "XQG100"}
    assert washer["store"] == {"code": "S1"} and ac["store"] is None


def test_month_arithmetic_clamps_to_the_end_of_a_shorter_month(gql: GraphQL, refs: dict[str, str]) -> None:
    short = product(gql, "ONE-MONTH", 1)

    leap = register(gql, memberId=refs["member"], productId=short, serialNumber="SN-1", purchaseDate="2024-01-31")

    assert leap["warrantyEnd"] == "2024-02-29"


def test_an_explicit_warranty_end_is_kept_but_not_before_purchase(gql: GraphQL, db: Engine, refs: dict[str, str]) -> None:
    extended = register(
        gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate="2024-01-31", warrantyEnd="2027-01-31"
    )
    early = data_of(
        gql(
            CREATE,
            {"input": {"memberId": refs["member"], "productId": refs["washer"], "serialNumber": "SN-2", "purchaseDate": "2024-01-31", "warrantyEnd": "2024-01-30"}},
        )
    )["productRegistrationCreate"]

    assert extended["warrantyEnd"] == "2027-01-31"
    assert errors_of(early) == {("input.warrantyEnd", "INVALID")}
    assert registration_count(db) == 1


def test_a_serial_number_is_unique_per_product(gql: GraphQL, db: Engine, refs: dict[str, str]) -> None:
    register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate="2024-01-31")
    other_product = register(gql, memberId=refs["member"], productId=refs["ac"], serialNumber="SN-1", purchaseDate="2024-01-31")

    again = data_of(
        gql(CREATE, {"input": {"memberId": refs["other_member"], "productId": refs["washer"], "serialNumber": "SN-1", "purchaseDate": "2024-02-01"}})
    )["productRegistrationCreate"]

    assert other_product["serialNumber"] == "SN-1"
    assert again["productRegistration"] is None
    assert errors_of(again) == {("input.serialNumber", "DUPLICATE")}
    assert registration_count(db) == 2


def test_moving_a_unit_to_a_product_that_has_its_serial_number_is_a_duplicate(
    gql: GraphQL, db: Engine, refs: dict[str, str]
) -> None:
    register(gql, memberId=refs["member"], productId=refs["ac"], serialNumber="SN-1", purchaseDate="2024-01-31")
    washer = register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate="2024-01-31")

    moved = data_of(gql(UPDATE, {"id": washer["id"], "input": {"productId": refs["ac"]}}))["productRegistrationUpdate"]
    kept = data_of(gql(UPDATE, {"id": washer["id"], "input": {"serialNumber": "SN-1", "purchaseDate": "2024-02-01"}}))

    assert moved["productRegistration"] is None
    assert errors_of(moved) == {("input.serialNumber", "DUPLICATE")}
    assert kept["productRegistrationUpdate"]["errors"] == []  # its own number is no duplicate
    with db.connect() as c:
        assert c.execute(
            select(ProductRegistration.serial_number).where(ProductRegistration.product_id == 2)
        ).scalars().all() == ["SN-1"]


def test_a_purchase_in_the_future_is_refused(gql: GraphQL, db: Engine, refs: dict[str, str]) -> None:
    later = (clock.today() + timedelta(days=2)).isoformat()

    payload = data_of(
        gql(CREATE, {"input": {"memberId": refs["member"], "productId": refs["washer"], "serialNumber": "SN-1", "purchaseDate": later}})
    )["productRegistrationCreate"]

    assert errors_of(payload) == {("input.purchaseDate", "OUT_OF_RANGE")}
    assert registration_count(db) == 0


def test_unknown_member_product_and_store_are_each_not_found(gql: GraphQL, db: Engine) -> None:
    payload = data_of(
        gql(
            CREATE,
            {
                "input": {
                    "memberId": global_id("Member", 41),
                    "productId": global_id("Product", 42),
                    "storeId": global_id("Store", 43),
                    "serialNumber": "SN-1",
                    "purchaseDate": "2024-01-31",
                }
            },
        )
    )["productRegistrationCreate"]

    assert payload["productRegistration"] is None
    assert errors_of(payload) == {("input.memberId", "NOT_FOUND"), ("input.productId", "NOT_FOUND"), ("input.storeId", "NOT_FOUND")}
    assert registration_count(db) == 0


def test_ids_of_the_wrong_type_are_bad_global_ids(gql: GraphQL, db: Engine, refs: dict[str, str]) -> None:
    payload = data_of(
        gql(
            CREATE,
            {
                "input": {
                    "memberId": refs["washer"],
                    "productId": refs["member"],
                    "storeId": "garbage",
                    "serialNumber": "SN-1",
                    "purchaseDate": "2024-01-31",
                }
            },
        )
    )["productRegistrationCreate"]

    assert errors_of(payload) == {("input.memberId", "BAD_GLOBAL_ID"), ("input.productId", "BAD_GLOBAL_ID"), ("input.storeId", "BAD_GLOBAL_ID")}
    assert registration_count(db) == 0


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2025-01-30", "IN_WARRANTY"), ("2025-01-31", "IN_WARRANTY"), ("2025-02-01", "EXPIRED"), ("2023-06-01", "IN_WARRANTY")],
)
def test_warranty_status_is_judged_on_the_given_day(gql: GraphQL, refs: dict[str, str], as_of: str, expected: str) -> None:
    registration = register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate="2024-01-31")

    node = data_of(gql(STATUS, {"id": registration["id"], "asOf": as_of}))["node"]

    assert node["warrantyEnd"] == "2025-01-31"
    assert node["warrantyStatus"] == expected


def test_warranty_status_defaults_to_today_in_the_brand_time_zone(gql: GraphQL, refs: dict[str, str]) -> None:
    today = clock.today()
    fresh = register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate=today.isoformat())
    old = register(
        gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-2", purchaseDate=date(today.year - 3, 1, 1).isoformat()
    )

    assert data_of(gql(STATUS, {"id": fresh["id"]}))["node"]["today"] == "IN_WARRANTY"
    assert data_of(gql(STATUS, {"id": old["id"]}))["node"]["today"] == "EXPIRED"


def test_moving_the_purchase_date_moves_a_computed_warranty_end(gql: GraphQL, refs: dict[str, str]) -> None:
    registration = register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate="2024-01-31")

    moved = data_of(gql(UPDATE, {"id": registration["id"], "input": {"purchaseDate": "2024-06-15"}}))["productRegistrationUpdate"]
    other_product = data_of(gql(UPDATE, {"id": registration["id"], "input": {"productId": refs["ac"]}}))["productRegistrationUpdate"]

    assert moved["errors"] == [] and moved["productRegistration"]["warrantyEnd"] == "2025-06-15"
    assert other_product["productRegistration"]["warrantyEnd"] == "2030-06-15"
    assert other_product["productRegistration"]["product"] == {"model": "KFR-35"}


def test_a_hand_set_warranty_end_stays_until_cleared(gql: GraphQL, refs: dict[str, str]) -> None:
    registration = register(
        gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate="2024-01-31", warrantyEnd="2027-01-31"
    )

    moved = data_of(gql(UPDATE, {"id": registration["id"], "input": {"purchaseDate": "2024-02-10"}}))["productRegistrationUpdate"]
    cleared = data_of(gql(UPDATE, {"id": registration["id"], "input": {"warrantyEnd": None}}))["productRegistrationUpdate"]

    assert moved["productRegistration"]["warrantyEnd"] == "2027-01-31"
    assert cleared["productRegistration"]["warrantyEnd"] == "2025-02-10"


def test_registration_update_transfers_and_refuses_bad_changes(gql: GraphQL, db: Engine, refs: dict[str, str]) -> None:
    register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-1", purchaseDate="2024-01-31")
    second = register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="SN-2", purchaseDate="2024-01-31")

    transferred = data_of(gql(UPDATE, {"id": second["id"], "input": {"memberId": refs["other_member"]}}))["productRegistrationUpdate"]
    duplicate = data_of(gql(UPDATE, {"id": second["id"], "input": {"serialNumber": "SN-1"}}))["productRegistrationUpdate"]
    unknown = data_of(gql(UPDATE, {"id": second["id"], "input": {"storeId": global_id("Store", 99)}}))["productRegistrationUpdate"]
    future = data_of(
        gql(UPDATE, {"id": second["id"], "input": {"purchaseDate": (clock.today() + timedelta(days=2)).isoformat()}})
    )["productRegistrationUpdate"]

    assert transferred["productRegistration"]["member"] == {"memberNo": "M0000000002"}
    assert errors_of(duplicate) == {("input.serialNumber", "DUPLICATE")}
    assert errors_of(unknown) == {("input.storeId", "NOT_FOUND")}
    assert errors_of(future) == {("input.purchaseDate", "OUT_OF_RANGE")}
    with db.connect() as c:
        assert c.execute(select(ProductRegistration.serial_number, ProductRegistration.store_id).where(ProductRegistration.id == 2)).one() == (
            "SN-2",
            None,
        )


def test_registration_update_of_a_missing_or_wrong_type_id_is_refused_on_the_id(gql: GraphQL, refs: dict[str, str]) -> None:
    missing = data_of(gql(UPDATE, {"id": global_id("ProductRegistration", 99), "input": {"serialNumber": "X"}}))
    member_id = data_of(gql(UPDATE, {"id": refs["member"], "input": {"serialNumber": "X"}}))

    assert errors_of(missing["productRegistrationUpdate"]) == {("id", "NOT_FOUND")}
    assert errors_of(member_id["productRegistrationUpdate"]) == {("id", "BAD_GLOBAL_ID")}
