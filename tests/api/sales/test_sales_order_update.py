"""Changing a placed sales order: lines replaced, total recomputed, version bumped; refused later."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from api.relay import decode_id
from engine.store.sales import SalesOrder, SalesOrderLine
from tests.api.sales.conftest import PRICES, World
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: SalesOrderCreateInput!) {
  salesOrderCreate(input: $input) { salesOrder { id version } errors { field code } }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: SalesOrderUpdateInput!) {
  salesOrderUpdate(id: $id, input: $input) {
    salesOrder {
      id status version totalFen note store { code }
      lines { lineNo quantity unitPriceFen amountFen product { model } }
      history { toStatus }
    }
    errors { field message code }
  }
}
"""

APPROVE = """
mutation Approve($id: ID!) {
  salesOrderApprove(id: $id) { salesOrder { version } errors { field code } }
}
"""


def place(gql: GraphQL, world: World, **extra: object) -> dict[str, Any]:
    input = {
        "dealerId": world.dealers["D1"],
        "lines": [{"productId": world.products["XQG100"], "quantity": 2}],
        **extra,
    }
    payload = data_of(gql(CREATE, {"input": input}))["salesOrderCreate"]
    assert payload["errors"] == []
    return payload["salesOrder"]


def update(gql: GraphQL, order_id: str, input: dict[str, Any]) -> dict[str, Any]:
    return data_of(gql(UPDATE, {"id": order_id, "input": input}))["salesOrderUpdate"]


def stored_lines(db: Engine, order_id: str) -> list[tuple[int, int, int]]:
    pk = decode_id(order_id, "SalesOrder")[1]
    with db.connect() as c:
        rows = c.execute(
            select(SalesOrderLine.line_no, SalesOrderLine.quantity, SalesOrderLine.amount_fen)
            .where(SalesOrderLine.order_id == pk)
            .order_by(SalesOrderLine.line_no)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def stored_order(db: Engine, order_id: str) -> tuple[Any, ...]:
    pk = decode_id(order_id, "SalesOrder")[1]
    with db.connect() as c:
        return tuple(
            c.execute(
                select(
                    SalesOrder.version, SalesOrder.total_fen, SalesOrder.note, SalesOrder.store_id
                ).where(SalesOrder.id == pk)
            ).one()
        )


def test_new_lines_replace_the_old_ones_and_the_total_follows(
    gql: GraphQL, world: World, db: Engine
) -> None:
    order = place(gql, world)

    payload = update(
        gql,
        order["id"],
        {
            "lines": [
                {"productId": world.products["BCD-520"], "quantity": 1},
                {"productId": world.products["KFR-35GW"], "quantity": 4, "unitPriceFen": 2_800_00},
            ],
            "expectedVersion": 1,
        },
    )

    after = payload["salesOrder"]
    assert payload["errors"] == []
    assert [(l["lineNo"], l["product"]["model"], l["amountFen"]) for l in after["lines"]] == [
        (1, "BCD-520", PRICES["BCD-520"]),
        (2, "KFR-35GW", 4 * 2_800_00),
    ]
    assert after["totalFen"] == PRICES["BCD-520"] + 4 * 2_800_00
    assert after["version"] == 2 and after["status"] == "PLACED"
    assert after["history"] == [{"toStatus": "PLACED"}]  # an edit is not a status change
    assert stored_lines(db, order["id"]) == [(1, 1, PRICES["BCD-520"]), (2, 4, 4 * 2_800_00)]


def test_omitted_fields_keep_their_value_and_the_store_can_be_set_and_cleared(
    gql: GraphQL, world: World
) -> None:
    order = place(gql, world, note="原备注")

    with_store = update(gql, order["id"], {"storeId": world.stores["S1"]})["salesOrder"]
    cleared = update(gql, order["id"], {"storeId": None, "note": None})["salesOrder"]

    assert with_store["store"] == {"code": "S1"} and with_store["note"] == "原备注"
    assert with_store["totalFen"] == 2 * PRICES["XQG100"] and len(with_store["lines"]) == 1
    assert cleared["store"] is None and cleared["note"] is None
    assert (with_store["version"], cleared["version"]) == (2, 3)


def test_an_order_is_changed_only_while_placed(gql: GraphQL, world: World, db: Engine) -> None:
    order = place(gql, world)
    assert data_of(gql(APPROVE, {"id": order["id"]}))["salesOrderApprove"]["errors"] == []
    before = (stored_order(db, order["id"]), stored_lines(db, order["id"]))

    payload = update(
        gql,
        order["id"],
        {"note": "too late", "lines": [{"productId": world.products["BCD-520"], "quantity": 9}]},
    )

    assert payload["salesOrder"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "WRONG_STATUS")]
    assert "approved" in payload["errors"][0]["message"]
    assert (stored_order(db, order["id"]), stored_lines(db, order["id"])) == before


def test_update_refusals_carry_their_paths_and_change_nothing(
    gql: GraphQL, world: World, db: Engine
) -> None:
    order = place(gql, world)
    before = (stored_order(db, order["id"]), stored_lines(db, order["id"]))

    payload = update(
        gql,
        order["id"],
        {
            "storeId": world.stores["S2"],  # run by D2, the order is D1's
            "lines": [
                {"productId": world.products["XQG100"], "quantity": 1},
                {"productId": world.dealers["D1"], "quantity": 1},
            ],
            "expectedVersion": 7,
        },
    )
    zero_quantity = update(
        gql, order["id"], {"lines": [{"productId": world.products["XQG100"], "quantity": 0}]}
    )

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.lines.1.productId", "BAD_GLOBAL_ID")
    ]
    assert [(e["field"], e["code"]) for e in zero_quantity["errors"]] == [
        ("input.lines.0.quantity", "OUT_OF_RANGE")
    ]
    assert (stored_order(db, order["id"]), stored_lines(db, order["id"])) == before


def test_a_store_of_another_dealer_and_a_stale_version_are_reported_together(
    gql: GraphQL, world: World, db: Engine
) -> None:
    order = place(gql, world)
    before = stored_order(db, order["id"])

    payload = update(gql, order["id"], {"storeId": world.stores["S2"], "expectedVersion": 7})

    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("input.expectedVersion", "CONFLICT"),
        ("input.storeId", "INVALID"),
    ]
    assert stored_order(db, order["id"]) == before


def test_replacing_lines_bumps_the_version_even_when_the_total_stays(
    gql: GraphQL, world: World, db: Engine
) -> None:
    order = place(gql, world)  # 2 × XQG100 at list price

    payload = update(
        gql,
        order["id"],
        {
            "lines": [
                {
                    "productId": world.products["XQG100"],
                    "quantity": 1,
                    "unitPriceFen": 2 * PRICES["XQG100"],
                }
            ]
        },
    )

    assert payload["salesOrder"]["totalFen"] == 2 * PRICES["XQG100"]
    assert payload["salesOrder"]["version"] == 2
    assert stored_lines(db, order["id"]) == [(1, 1, 2 * PRICES["XQG100"])]
