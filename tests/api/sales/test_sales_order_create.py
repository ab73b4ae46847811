"""Placing sales orders: pricing and totals, order numbers, and every refusal with its path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.relay import decode_id, global_id
from engine import clock
from engine.store.sales import SalesOrder, SalesOrderEvent, SalesOrderLine
from schemas.enums import SalesOrderStatus
from tests.api.sales.conftest import PRICES, World
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: SalesOrderCreateInput!) {
  salesOrderCreate(input: $input) {
    salesOrder {
      id orderNo status placedAt totalFen note version
      dealer { code }
      store { code }
      lines { lineNo quantity unitPriceFen amountFen product { model } }
      history { fromStatus toStatus at note }
    }
    errors { field message code }
  }
}
"""


def create(gql: GraphQL, input: dict[str, Any]) -> dict[str, Any]:
    return data_of(gql(CREATE, {"input": input}))["salesOrderCreate"]


def line(world: World, model: str, quantity: int, **extra: object) -> dict[str, object]:
    return {"productId": world.products[model], "quantity": quantity, **extra}


def order_count(db: Engine) -> tuple[int, int, int]:
    with db.connect() as c:
        return tuple(
            c.scalar(select(func.count()).select_from(t))
            for t in (SalesOrder, SalesOrderLine, SalesOrderEvent)
        )  # type: ignore[return-value]


def test_lines_are_priced_at_list_price_unless_given_and_the_total_is_their_sum(
    gql: GraphQL, world: World
) -> None:
    body = create(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "storeId": world.stores["S1"],
            "lines": [
                line(world, "KFR-35GW", 3),
                line(world, "XQG100", 2, unitPriceFen=3_200_00),
                line(world, "BCD-520", 1),
            ],
        },
    )

    order = body["salesOrder"]
    assert body["errors"] == []
    assert [
        (l["lineNo"], l["product"]["model"], l["unitPriceFen"], l["amountFen"])
        for l in order["lines"]
    ] == [
        (1, "KFR-35GW", PRICES["KFR-35GW"], 3 * PRICES["KFR-35GW"]),
        (2, "XQG100", 3_200_00, 2 * 3_200_00),
        (3, "BCD-520", PRICES["BCD-520"], PRICES["BCD-520"]),
    ]
    assert order["totalFen"] == 3 * 2_999_00 + 2 * 3_200_00 + 5_199_00
    assert order["dealer"] == {"code": "D1"} and order["store"] == {"code": "S1"}


def test_a_new_order_is_placed_now_at_version_1_with_its_creation_in_the_history(
    gql: GraphQL, world: World
) -> None:
    before = datetime.now(UTC)

    order = create(
        gql,
        {"dealerId": world.dealers["D2"], "note": "首批备货", "lines": [line(world, "XQG100", 1)]},
    )["salesOrder"]

    placed_at = datetime.fromisoformat(order["placedAt"])
    assert order["status"] == "PLACED" and order["version"] == 1 and order["store"] is None
    assert placed_at.tzinfo is not None and before <= placed_at <= datetime.now(UTC)
    assert order["history"] == [
        {"fromStatus": None, "toStatus": "PLACED", "at": order["placedAt"], "note": "首批备货"}
    ]


def stored_order_nos(db: Engine) -> list[str]:
    with db.connect() as c:
        return list(c.scalars(select(SalesOrder.order_no).order_by(SalesOrder.id)))


def insert_order_no(db: Engine, world: World, order_no: str) -> None:
    """An order row holding `order_no`, written past the API (which refuses the generated form),
    as an order stored before that rule, or by the service itself, would be."""
    with Session(db) as session, session.begin():
        session.add(
            SalesOrder(
                order_no=order_no,
                dealer_id=decode_id(world.dealers["D1"], "Dealer")[1],
                status=SalesOrderStatus.PLACED,
                placed_at=clock.now(),
                total_fen=0,
            )
        )


def test_generated_order_numbers_follow_the_day_and_count_up(gql: GraphQL, world: World) -> None:
    day = clock.today().strftime("%Y%m%d")

    first = create(gql, {"dealerId": world.dealers["D1"], "lines": [line(world, "XQG100", 1)]})
    second = create(gql, {"dealerId": world.dealers["D2"], "lines": [line(world, "XQG100", 1)]})

    assert first["salesOrder"]["orderNo"] == f"SO{day}00001"
    assert second["salesOrder"]["orderNo"] == f"SO{day}00002"


def test_the_sequence_continues_after_the_highest_generated_number_of_the_day(
    gql: GraphQL, world: World, db: Engine
) -> None:
    # given the day's numbers 00041 and 00007 already stored, and 99999 of another day
    day = clock.today().strftime("%Y%m%d")
    for number in (f"SO{day}00041", f"SO{day}00007", "SO2001010199999"):
        insert_order_no(db, world, number)

    # when an order is placed without a number
    body = create(gql, {"dealerId": world.dealers["D1"], "lines": [line(world, "XQG100", 1)]})

    # then it gets the one after the day's highest
    assert body["errors"] == [] and body["salesOrder"]["orderNo"] == f"SO{day}00042"


@pytest.mark.parametrize(
    "suffix",
    [
        "9" * 22,  # the longest number a client may choose with this prefix: 32 characters
        "000009",  # six digits
        "0009",  # four digits
        "ABCDE",  # five, but not digits
        "0000-",
    ],
)
def test_client_numbers_beginning_like_the_day_s_numbers_leave_the_sequence_alone(
    gql: GraphQL, world: World, db: Engine, suffix: str
) -> None:
    # given a client-chosen number that starts with today's prefix but is not of the generated form
    day = clock.today().strftime("%Y%m%d")
    chosen = create(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "orderNo": f"SO{day}{suffix}",
            "lines": [line(world, "XQG100", 1)],
        },
    )

    # when the next order is placed without a number
    following = create(gql, {"dealerId": world.dealers["D1"], "lines": [line(world, "XQG100", 1)]})

    # then both are stored and the generated number is the day's first, within the column's 32
    assert chosen["errors"] == [] and following["errors"] == []
    assert following["salesOrder"]["orderNo"] == f"SO{day}00001"
    assert stored_order_nos(db) == [f"SO{day}{suffix}", f"SO{day}00001"]


@pytest.mark.parametrize(
    "order_no",
    ["SO{day}00007", "SO{day}00001", "SO{day}99999", "SO2099123100001", "SO0000000000000"],
)
def test_a_client_order_number_of_the_generated_form_is_invalid(
    gql: GraphQL, world: World, db: Engine, order_no: str
) -> None:
    number = order_no.format(day=clock.today().strftime("%Y%m%d"))

    body = create(
        gql,
        {"dealerId": world.dealers["D1"], "orderNo": number, "lines": [line(world, "XQG100", 1)]},
    )

    assert body["salesOrder"] is None
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.orderNo", "INVALID")]
    assert order_count(db) == (0, 0, 0)


def test_when_the_day_s_sequence_is_used_up_a_generated_number_is_a_conflict(
    gql: GraphQL, world: World, db: Engine
) -> None:
    # given the day's last generated number already used
    day = clock.today().strftime("%Y%m%d")
    insert_order_no(db, world, f"SO{day}99999")

    # when orders are placed without a number, and with one of the client's own
    generated = create(gql, {"dealerId": world.dealers["D1"], "lines": [line(world, "XQG100", 1)]})
    own = create(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "orderNo": "PO-2024-001",
            "lines": [line(world, "XQG100", 1)],
        },
    )

    # then the first is refused as a conflict on orderNo, changing nothing; the second is placed
    assert generated["salesOrder"] is None
    assert [(e["field"], e["code"]) for e in generated["errors"]] == [("input.orderNo", "CONFLICT")]
    assert own["errors"] == [] and own["salesOrder"]["orderNo"] == "PO-2024-001"
    assert stored_order_nos(db) == [f"SO{day}99999", "PO-2024-001"]


def test_a_client_order_number_already_used_is_a_duplicate(
    gql: GraphQL, world: World, db: Engine
) -> None:
    create(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "orderNo": "PO-2024-001",
            "lines": [line(world, "XQG100", 1)],
        },
    )

    body = create(
        gql,
        {
            "dealerId": world.dealers["D2"],
            "orderNo": "PO-2024-001",
            "lines": [line(world, "XQG100", 1)],
        },
    )

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.orderNo", "DUPLICATE")]
    assert order_count(db) == (1, 1, 1)


def test_unknown_dealer_store_and_products_are_all_reported_with_their_paths(
    gql: GraphQL, world: World, db: Engine
) -> None:
    body = create(
        gql,
        {
            "dealerId": global_id("Dealer", 999),
            "storeId": global_id("Store", 998),
            "lines": [
                {"productId": global_id("Product", 997), "quantity": 1},
                line(world, "XQG100", 1),
                {"productId": global_id("Product", 996), "quantity": 2},
            ],
        },
    )

    assert body["salesOrder"] is None
    assert sorted((e["field"], e["code"]) for e in body["errors"]) == [
        ("input.dealerId", "NOT_FOUND"),
        ("input.lines.0.productId", "NOT_FOUND"),
        ("input.lines.2.productId", "NOT_FOUND"),
        ("input.storeId", "NOT_FOUND"),
    ]
    assert order_count(db) == (0, 0, 0)


def test_a_store_run_by_another_dealer_is_invalid(gql: GraphQL, world: World, db: Engine) -> None:
    body = create(
        gql,
        {
            "dealerId": world.dealers["D1"],
            "storeId": world.stores["S2"],
            "lines": [line(world, "XQG100", 1)],
        },
    )

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("input.storeId", "INVALID")]
    assert order_count(db) == (0, 0, 0)


def test_ids_of_the_wrong_type_are_bad_global_ids(gql: GraphQL, world: World) -> None:
    body = create(
        gql,
        {
            "dealerId": world.stores["S1"],
            "lines": [line(world, "XQG100", 1), {"productId": "nope", "quantity": 1}],
        },
    )

    assert sorted((e["field"], e["code"]) for e in body["errors"]) == [
        ("input.dealerId", "BAD_GLOBAL_ID"),
        ("input.lines.1.productId", "BAD_GLOBAL_ID"),
    ]


@pytest.mark.parametrize(
    ("order", "line_fields", "line_count", "field", "code"),
    [
        ({}, {}, 0, "input.lines", "INVALID"),
        ({}, {}, 201, "input.lines", "INVALID"),
        ({}, {"quantity": 0}, 1, "input.lines.0.quantity", "OUT_OF_RANGE"),
        ({}, {"quantity": 100_001}, 1, "input.lines.0.quantity", "OUT_OF_RANGE"),
        ({}, {"unitPriceFen": -1}, 1, "input.lines.0.unitPriceFen", "OUT_OF_RANGE"),
        ({}, {"unitPriceFen": 10**15 + 1}, 1, "input.lines.0.unitPriceFen", "OUT_OF_RANGE"),
        ({"note": "x" * 501}, {}, 1, "input.note", "INVALID"),
        ({"orderNo": "SO 1"}, {}, 1, "input.orderNo", "INVALID"),
        ({"orderNo": "S" * 33}, {}, 1, "input.orderNo", "INVALID"),
    ],
)
def test_invalid_order_input_is_refused_at_its_path(
    gql: GraphQL,
    world: World,
    db: Engine,
    order: dict[str, Any],
    line_fields: dict[str, Any],
    line_count: int,
    field: str,
    code: str,
) -> None:
    lines = [line(world, "XQG100", 1) | line_fields] * line_count

    body = create(gql, {"dealerId": world.dealers["D1"], "lines": lines, **order})

    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]
    assert order_count(db) == (0, 0, 0)


def test_two_hundred_lines_of_the_largest_quantity_are_accepted(gql: GraphQL, world: World) -> None:
    body = create(
        gql, {"dealerId": world.dealers["D1"], "lines": [line(world, "KFR-35GW", 100_000)] * 200}
    )

    assert body["errors"] == []
    assert body["salesOrder"]["totalFen"] == 200 * 100_000 * PRICES["KFR-35GW"]
    assert [l["lineNo"] for l in body["salesOrder"]["lines"]] == list(range(1, 201))


def test_amounts_beyond_the_fen_range_are_refused_before_reaching_the_database(
    gql: GraphQL, world: World
) -> None:
    huge = line(world, "XQG100", 100_000, unitPriceFen=10**12)  # 10^17 fen on one line
    large = line(world, "XQG100", 100_000, unitPriceFen=6 * 10**9)  # 6·10^14: fine alone, not twice

    one_line = create(
        gql, {"dealerId": world.dealers["D1"], "lines": [line(world, "XQG100", 1), huge]}
    )
    total = create(gql, {"dealerId": world.dealers["D1"], "lines": [large, large]})

    assert [(e["field"], e["code"]) for e in one_line["errors"]] == [
        ("input.lines.1", "OUT_OF_RANGE")
    ]
    assert [(e["field"], e["code"]) for e in total["errors"]] == [("input.lines", "OUT_OF_RANGE")]


def test_order_numbers_use_the_brand_calendar_day(gql: GraphQL, world: World) -> None:
    order = create(gql, {"dealerId": world.dealers["D1"], "lines": [line(world, "XQG100", 1)]})[
        "salesOrder"
    ]

    placed_at = datetime.fromisoformat(order["placedAt"])
    assert order["orderNo"][2:10] == (placed_at + timedelta(hours=8)).strftime("%Y%m%d")
