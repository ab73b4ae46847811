"""Product registrations through GraphQL: create with a computed warranty, update, derived
warranty status, references, filters, sorting, paging and the statement count of a page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from api.relay import global_id
from engine import clock
from engine.store.consumer import ProductRegistration
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: ProductRegistrationCreateInput!) {
  productRegistrationCreate(input: $input) {
    productRegistration {
      id serialNumber purchaseDate warrantyEnd
      member { memberNo } product { model } store { code }
    }
    errors { field message code }
  }
}
"""

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

MEMBER_REGISTRATIONS = """
query MemberRegistrations($id: ID!) {
  node(id: $id) { ... on Member { registrations { serialNumber } } }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: ProductRegistrationWhereInput, $sortBy: ProductRegistrationOrder) {
  productRegistrations(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { serialNumber member { memberNo } product { model } store { code } warrantyStatus } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CREATE_PRODUCT = """
mutation Product($input: ProductCreateInput!) { productCreate(input: $input) { product { id } errors { code } } }
"""

CREATE_MEMBER = """
mutation Member($input: MemberCreateInput!) { memberCreate(input: $input) { member { id } errors { code } } }
"""

CREATE_DEALER = """
mutation Dealer($input: DealerCreateInput!) { dealerCreate(input: $input) { dealer { id } errors { code } } }
"""

CREATE_STORE = """
mutation Store($input: StoreCreateInput!) { storeCreate(input: $input) { store { id } errors { code } } }
"""


def product(gql: GraphQL, model: str, warranty_months: int) -> str:
    body = data_of(
        gql(
            CREATE_PRODUCT,
            {
                "input": {
                    "model": model,
                    "name": model,
                    "category": "WASHER",
                    "brand": "Haier",
                    "listPriceFen": 2_599_00,
                    "warrantyMonths": warranty_months,
                }
            },
        )
    )["productCreate"]
    assert body["errors"] == []
    return body["product"]["id"]


def member(gql: GraphQL, mobile: str) -> str:
    body = data_of(
        gql(CREATE_MEMBER, {"input": {"name": "陈静", "mobile": mobile, "regionCode": "310115", "address": "浦东新区"}})
    )["memberCreate"]
    assert body["errors"] == []
    return body["member"]["id"]


def store(gql: GraphQL) -> str:
    dealer = data_of(
        gql(
            CREATE_DEALER,
            {"input": {"code": "D1", "name": "经销商", "legalRepresentative": "张伟", "channelType": "AGENT", "cooperationLevel": "CITY_AGENT"}},
        )
    )["dealerCreate"]["dealer"]["id"]
    body = data_of(
        gql(
            CREATE_STORE,
            {
                "input": {
                    "code": "S1",
                    "name": "张江店",
                    "dealerId": dealer,
                    "regionCode": "310115",
                    "address": "张江路 1 号",
                    "latitude": 31.2,
                    "longitude": 121.6,
                    "manager": "王芳",
                    "phone": "021-50800000",
                }
            },
        )
    )["storeCreate"]
    assert body["errors"] == []
    return body["store"]["id"]


@pytest.fixture
def refs(gql: GraphQL) -> dict[str, str]:
    """Two members, two products (12 and 72 months of warranty) and a store."""
    return {
        "member": member(gql, "13800138000"),
        "other_member": member(gql, "13900139000"),
        "washer": product(gql, "XQG100", 12),
        "ac": product(gql, "KFR-35", 72),
        "store": store(gql),
    }


def register(gql: GraphQL, **fields: object) -> dict[str, Any]:
    payload = data_of(gql(CREATE, {"input": fields}))["productRegistrationCreate"]
    assert payload["errors"] == []
    return payload["productRegistration"]


def errors_of(payload: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in payload["errors"]}


def registration_count(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(func.count()).select_from(ProductRegistration)))


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


def test_a_member_lists_its_registrations_by_purchase_date(gql: GraphQL, refs: dict[str, str]) -> None:
    register(gql, memberId=refs["member"], productId=refs["washer"], serialNumber="LATE", purchaseDate="2024-03-01")
    register(gql, memberId=refs["member"], productId=refs["ac"], serialNumber="EARLY", purchaseDate="2023-03-01")
    register(gql, memberId=refs["other_member"], productId=refs["ac"], serialNumber="OTHER", purchaseDate="2023-04-01")

    node = data_of(gql(MEMBER_REGISTRATIONS, {"id": refs["member"]}))["node"]

    assert node["registrations"] == [{"serialNumber": "EARLY"}, {"serialNumber": "LATE"}]


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


def serials(body: dict[str, Any]) -> list[str]:
    return [e["node"]["serialNumber"] for e in data_of(body)["productRegistrations"]["edges"]]


@pytest.fixture
def four(gql: GraphQL, refs: dict[str, str]) -> dict[str, str]:
    """R1..R4 over two members and two products; warranty ends 2025-01-10, 2029-02-10, 2025-03-10, 2029-04-10."""
    rows = [
        ("R1", "member", "washer", "2024-01-10"),
        ("R2", "member", "ac", "2023-02-10"),
        ("R3", "other_member", "washer", "2024-03-10"),
        ("R4", "other_member", "ac", "2023-04-10"),
    ]
    for serial, owner, model, purchased in rows:
        register(gql, memberId=refs[owner], productId=refs[model], storeId=refs["store"], serialNumber=serial, purchaseDate=purchased)
    return refs


def test_registrations_filter_by_member_product_serial_and_dates(gql: GraphQL, four: dict[str, str]) -> None:
    def where(**condition: object) -> list[str]:
        return serials(gql(LIST, {"first": 10, "where": condition, "sortBy": {"field": "CREATED_AT"}}))

    assert where(member=[four["member"]]) == ["R1", "R2"]
    assert where(product=[four["ac"]]) == ["R2", "R4"]
    assert where(member=[four["other_member"]], product=[four["washer"]]) == ["R3"]
    assert where(serialNumber="R4") == ["R4"]
    assert where(purchaseDate={"gte": "2023-04-10", "lte": "2024-01-10"}) == ["R1", "R4"]
    assert where(warrantyActiveOn="2025-03-10") == ["R2", "R3", "R4"]
    assert where(warrantyActiveOn="2025-03-11") == ["R2", "R4"]


def test_a_filter_id_of_the_wrong_type_is_a_client_error(gql: GraphQL, four: dict[str, str]) -> None:
    body = gql(LIST, {"first": 10, "where": {"member": [four["washer"]]}})

    assert body["errors"][0]["extensions"] == {"code": "BAD_GLOBAL_ID", "field": "where.member"}


def test_registrations_sort_by_dates_and_page_by_cursor(gql: GraphQL, four: dict[str, str]) -> None:
    first = data_of(gql(LIST, {"first": 3}))["productRegistrations"]
    rest = data_of(gql(LIST, {"first": 3, "after": first["pageInfo"]["endCursor"]}))["productRegistrations"]
    by_end = serials(gql(LIST, {"first": 10, "sortBy": {"field": "WARRANTY_END", "direction": "DESC"}}))
    newest = serials(gql(LIST, {"first": 10, "sortBy": {"field": "PURCHASE_DATE", "direction": "DESC"}}))

    assert [e["node"]["serialNumber"] for e in first["edges"]] == ["R2", "R4", "R1"] and first["pageInfo"]["hasNextPage"]
    assert [e["node"]["serialNumber"] for e in rest["edges"]] == ["R3"] and not rest["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == 4
    assert by_end == ["R4", "R2", "R3", "R1"]
    assert newest == ["R3", "R1", "R4", "R2"]


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs while the test is active."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def test_a_page_issues_the_same_statements_however_long_it_is(gql: GraphQL, four: dict[str, str], statements: list[str]) -> None:
    statements.clear()
    data_of(gql(LIST, {"first": 1}))
    one_row = len(statements)
    statements.clear()
    data_of(gql(LIST, {"first": 4}))
    four_rows = len(statements)

    # page, totalCount, then one batch each for members, products and stores
    assert one_row >= 5
    assert four_rows == one_row
