"""Products through GraphQL: create, update, validation, filters, sorting and paging."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from api.relay import global_id
from engine.store.catalogue import Product
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { id model name category brand listPriceFen warrantyMonths needsInstallation requiredSkill createdAt }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: ProductUpdateInput!) {
  productUpdate(id: $id, input: $input) {
    product { id model name listPriceFen warrantyMonths needsInstallation requiredSkill }
    errors { field message code }
  }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: ProductWhereInput, $sortBy: ProductOrder) {
  products(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { model } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def product_input(model: str, **extra: object) -> dict[str, object]:
    return {
        "model": model,
        "name": f"空调 {model}",
        "category": "AIR_CONDITIONER",
        "brand": "Gree",
        "listPriceFen": 3_299_00,
        "warrantyMonths": 72,
        "needsInstallation": True,
        "requiredSkill": "AIR_CONDITIONER",
        **extra,
    }


def create(gql: GraphQL, model: str, **extra: object) -> dict[str, object]:
    payload = data_of(gql(CREATE, {"input": product_input(model, **extra)}))["productCreate"]
    assert payload["errors"] == []
    return payload["product"]


def errors_of(payload: dict[str, object]) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in payload["errors"]}  # type: ignore[attr-defined, index]


def product_count(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(func.count()).select_from(Product)))


def test_product_create_returns_every_column(gql: GraphQL) -> None:
    product = create(gql, "KFR-35GW/BpR3+1", listPriceFen=12_345_678_901)

    assert product["model"] == "KFR-35GW/BpR3+1"
    assert product["listPriceFen"] == 12_345_678_901  # beyond GraphQL's 32-bit Int
    assert (product["category"], product["brand"], product["warrantyMonths"]) == ("AIR_CONDITIONER", "Gree", 72)
    assert (product["needsInstallation"], product["requiredSkill"]) == (True, "AIR_CONDITIONER")
    assert product["createdAt"]


def test_a_product_without_installation_needs_no_skill(gql: GraphQL) -> None:
    product = create(gql, "TV-55", category="TV", needsInstallation=False, requiredSkill=None)

    assert (product["needsInstallation"], product["requiredSkill"]) == (False, None)


def test_duplicate_model_is_refused_and_writes_nothing(gql: GraphQL, db: Engine) -> None:
    create(gql, "KFR-35")

    payload = data_of(gql(CREATE, {"input": product_input("KFR-35", name="另一个")}))["productCreate"]

    assert payload["product"] is None
    assert errors_of(payload) == {("input.model", "DUPLICATE")}
    assert product_count(db) == 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"listPriceFen": -1}, ("input.listPriceFen", "OUT_OF_RANGE")),
        ({"warrantyMonths": -1}, ("input.warrantyMonths", "OUT_OF_RANGE")),
        ({"warrantyMonths": 241}, ("input.warrantyMonths", "OUT_OF_RANGE")),
        ({"requiredSkill": None}, ("input.requiredSkill", "REQUIRED")),
        ({"model": "bad model!"}, ("input.model", "INVALID")),
        ({"name": "  "}, ("input.name", "INVALID")),
    ],
)
def test_invalid_product_input_is_refused_on_its_field(
    gql: GraphQL, db: Engine, extra: dict[str, object], expected: tuple[str, str]
) -> None:
    payload = data_of(gql(CREATE, {"input": {**product_input("KFR-1"), **extra}}))["productCreate"]

    assert payload["product"] is None
    assert errors_of(payload) == {expected}
    assert product_count(db) == 0


def test_warranty_months_bounds_are_inclusive(gql: GraphQL) -> None:
    none = create(gql, "W0", warrantyMonths=0)
    most = create(gql, "W240", warrantyMonths=240)

    assert (none["warrantyMonths"], most["warrantyMonths"]) == (0, 240)


def test_product_update_changes_only_given_fields(gql: GraphQL) -> None:
    product = create(gql, "KFR-35")

    payload = data_of(gql(UPDATE, {"id": product["id"], "input": {"listPriceFen": 2_999_00, "name": "新空调"}}))["productUpdate"]

    assert payload["errors"] == []
    assert payload["product"] == {
        "id": product["id"],
        "model": "KFR-35",
        "name": "新空调",
        "listPriceFen": 2_999_00,
        "warrantyMonths": 72,
        "needsInstallation": True,
        "requiredSkill": "AIR_CONDITIONER",
    }


def test_update_requiring_installation_of_a_skill_less_product_needs_the_skill(gql: GraphQL) -> None:
    product = create(gql, "TV-55", category="TV", needsInstallation=False, requiredSkill=None)

    refused = data_of(gql(UPDATE, {"id": product["id"], "input": {"needsInstallation": True}}))["productUpdate"]
    accepted = data_of(gql(UPDATE, {"id": product["id"], "input": {"needsInstallation": True, "requiredSkill": "TV"}}))[
        "productUpdate"
    ]

    assert errors_of(refused) == {("input.requiredSkill", "REQUIRED")}
    assert accepted["product"]["requiredSkill"] == "TV"


def test_update_to_another_products_model_is_a_duplicate(gql: GraphQL) -> None:
    create(gql, "A1")
    second = create(gql, "A2")

    same = data_of(gql(UPDATE, {"id": second["id"], "input": {"model": "A2"}}))["productUpdate"]
    taken = data_of(gql(UPDATE, {"id": second["id"], "input": {"model": "A1"}}))["productUpdate"]

    assert same["errors"] == []
    assert errors_of(taken) == {("input.model", "DUPLICATE")}


def test_update_of_a_missing_or_wrong_type_id_is_refused_on_the_id(gql: GraphQL) -> None:
    missing = data_of(gql(UPDATE, {"id": global_id("Product", 999), "input": {"name": "x"}}))["productUpdate"]
    store_id = data_of(gql(UPDATE, {"id": global_id("Store", 1), "input": {"name": "x"}}))["productUpdate"]
    garbage = data_of(gql(UPDATE, {"id": "not-an-id", "input": {"name": "x"}}))["productUpdate"]

    assert errors_of(missing) == {("id", "NOT_FOUND")}
    assert errors_of(store_id) == {("id", "BAD_GLOBAL_ID")}
    assert errors_of(garbage) == {("id", "BAD_GLOBAL_ID")}


def models(body: dict[str, object]) -> list[str]:
    return [e["node"]["model"] for e in data_of(body)["products"]["edges"]]


def test_products_filter_by_every_condition(gql: GraphQL) -> None:
    create(gql, "AC-1", name="变频空调")
    create(gql, "AC-2", brand="Midea", name="定频空调")
    create(gql, "WH-1", category="WATER_HEATER", name="热水器", requiredSkill="WATER_HEATER")
    create(gql, "TV-1", category="TV", name="电视", needsInstallation=False, requiredSkill=None)

    def where(**condition: object) -> list[str]:
        return models(gql(LIST, {"first": 10, "where": condition}))

    assert where(category=["AIR_CONDITIONER", "TV"]) == ["AC-1", "AC-2", "TV-1"]
    assert where(brand=["Midea"]) == ["AC-2"]
    assert where(model="WH-1") == ["WH-1"]
    assert where(nameContains="空调") == ["AC-1", "AC-2"]
    assert where(needsInstallation=False) == ["TV-1"]
    assert where(needsInstallation=True, requiredSkill=["WATER_HEATER"]) == ["WH-1"]
    assert where(nameContains="%") == []


def test_products_sort_by_price_and_page_by_cursor(gql: GraphQL) -> None:
    for model, price in [("P1", 300), ("P2", 100), ("P3", 200), ("P4", 100)]:
        create(gql, model, listPriceFen=price)
    by_price = {"field": "LIST_PRICE", "direction": "DESC"}

    first = data_of(gql(LIST, {"first": 2, "sortBy": by_price}))["products"]
    second = data_of(gql(LIST, {"first": 2, "sortBy": by_price, "after": first["pageInfo"]["endCursor"]}))["products"]
    by_name = models(gql(LIST, {"first": 10, "sortBy": {"field": "NAME", "direction": "DESC"}}))

    assert [e["node"]["model"] for e in first["edges"]] == ["P1", "P3"] and first["pageInfo"]["hasNextPage"]
    assert [e["node"]["model"] for e in second["edges"]] == ["P4", "P2"] and not second["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == 4
    assert by_name == ["P4", "P3", "P2", "P1"]
