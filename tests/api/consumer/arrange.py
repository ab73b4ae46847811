"""Rows for registration tests, made through GraphQL as a client would (products, members, a
dealer's store), and the helpers the registration test modules share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from engine.store.consumer import ProductRegistration
from tests.conftest import GraphQL, data_of

CREATE_REGISTRATION = """
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


def register(gql: GraphQL, **fields: object) -> dict[str, Any]:
    """A registration made with these input fields; it must be accepted."""
    payload = data_of(gql(CREATE_REGISTRATION, {"input": fields}))["productRegistrationCreate"]
    assert payload["errors"] == []
    return payload["productRegistration"]


def errors_of(payload: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in payload["errors"]}


def registration_count(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(func.count()).select_from(ProductRegistration)))
