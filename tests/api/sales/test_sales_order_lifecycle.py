"""The sales order status machine through GraphQL: a scenario table of every transition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from api.relay import decode_id, global_id
from engine.store.sales import SalesOrder, SalesOrderEvent
from tests.api.sales.conftest import World
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: SalesOrderCreateInput!) {
  salesOrderCreate(input: $input) { salesOrder { id version } errors { field code } }
}
"""

HISTORY = """
query History($id: ID!) {
  node(id: $id) { ... on SalesOrder { history { fromStatus toStatus at note } } }
}
"""

# The status each transition mutation moves an order to.
ACTIONS = {
    "approve": "APPROVED",
    "reject": "REJECTED",
    "ship": "SHIPPED",
    "deliver": "DELIVERED",
    "sign": "SIGNED",
    "cancel": "CANCELLED",
}

# One document per transition mutation, all with the same arguments and selection.
TRANSITIONS = {
    action: f"""
mutation {action.title()}($id: ID!, $input: SalesOrderTransitionInput) {{
  result: salesOrder{action.title()}(id: $id, input: $input) {{
    salesOrder {{ id status version history {{ fromStatus toStatus at note }} }}
    errors {{ field message code }}
  }}
}}
"""
    for action in ACTIONS
}

# How a new order is brought into each status.
ROUTES = {
    "PLACED": [],
    "APPROVED": ["approve"],
    "SHIPPED": ["approve", "ship"],
    "DELIVERED": ["approve", "ship", "deliver"],
    "SIGNED": ["approve", "ship", "deliver", "sign"],
    "REJECTED": ["reject"],
    "CANCELLED": ["cancel"],
}

# Every allowed transition: (status the order is in, mutation).
ALLOWED = [
    ("PLACED", "approve"),
    ("PLACED", "reject"),
    ("PLACED", "cancel"),
    ("APPROVED", "ship"),
    ("APPROVED", "cancel"),
    ("SHIPPED", "deliver"),
    ("DELIVERED", "sign"),
]

# Every other (status, mutation) pair must be refused.
REFUSED = [
    (status, action) for status in ROUTES for action in ACTIONS if (status, action) not in ALLOWED
]


def place(gql: GraphQL, world: World) -> dict[str, Any]:
    payload = data_of(
        gql(
            CREATE,
            {
                "input": {
                    "dealerId": world.dealers["D1"],
                    "lines": [{"productId": world.products["XQG100"], "quantity": 2}],
                }
            },
        )
    )["salesOrderCreate"]
    assert payload["errors"] == []
    return payload["salesOrder"]


def transition(
    gql: GraphQL, action: str, order_id: str, input: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The payload of the transition `action` on the order, with `input` (none: omitted)."""
    variables: dict[str, Any] = {"id": order_id}
    if input is not None:
        variables["input"] = input
    return data_of(gql(TRANSITIONS[action], variables))["result"]


def order_in(gql: GraphQL, world: World, status: str) -> dict[str, Any]:
    """A new order walked along ROUTES into `status`."""
    order = place(gql, world)
    for action in ROUTES[status]:
        payload = transition(gql, action, order["id"])
        assert payload["errors"] == [], (action, payload["errors"])
        order = payload["salesOrder"]
    return order


def stored(db: Engine, order_id: str) -> tuple[Any, ...]:
    """The order's status, version and update time, and its events, as the database holds them."""
    pk = decode_id(order_id, "SalesOrder")[1]
    with db.connect() as c:
        row = c.execute(
            select(SalesOrder.status, SalesOrder.version, SalesOrder.updated_at).where(
                SalesOrder.id == pk
            )
        ).one()
        events = c.execute(
            select(
                SalesOrderEvent.from_status,
                SalesOrderEvent.to_status,
                SalesOrderEvent.at,
                SalesOrderEvent.note,
            )
            .where(SalesOrderEvent.order_id == pk)
            .order_by(SalesOrderEvent.at, SalesOrderEvent.id)
        ).all()
    return (*row, [tuple(e) for e in events])


@pytest.mark.parametrize(("start", "action"), ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_every_allowed_transition_changes_the_status_and_appends_a_timestamped_event(
    gql: GraphQL, world: World, db: Engine, start: str, action: str
) -> None:
    # given an order in the start status
    order = order_in(gql, world, start)

    # when the transition is requested with the version the caller saw
    payload = transition(
        gql, action, order["id"], {"note": f"{action} 备注", "expectedVersion": order["version"]}
    )

    # then the order moved, its version went up and the history ends with this change
    end = ACTIONS[action]
    after = payload["salesOrder"]
    statuses = ["PLACED", *(ACTIONS[a] for a in ROUTES[start]), end]
    assert payload["errors"] == []
    assert after["status"] == end and after["version"] == order["version"] + 1
    assert [(e["fromStatus"], e["toStatus"]) for e in after["history"]] == list(
        zip([None, *statuses[:-1]], statuses)
    )
    assert after["history"][-1]["note"] == f"{action} 备注"
    times = [datetime.fromisoformat(e["at"]) for e in after["history"]]
    assert all(t.tzinfo is not None for t in times) and times == sorted(times)
    status, version, _updated, events = stored(db, order["id"])
    assert (status.value, version) == (end.lower(), order["version"] + 1)
    assert [(f and f.value, t.value) for f, t, _at, _note in events] == [
        (f and f.lower(), t.lower()) for f, t in zip([None, *statuses[:-1]], statuses)
    ]
    assert all(at.tzinfo is not None for _f, _t, at, _note in events)


@pytest.mark.parametrize(("start", "action"), REFUSED, ids=[f"{s}-{a}" for s, a in REFUSED])
def test_a_disallowed_transition_is_refused_on_the_id_and_changes_nothing(
    gql: GraphQL, world: World, db: Engine, start: str, action: str
) -> None:
    order = order_in(gql, world, start)
    before = stored(db, order["id"])

    payload = transition(gql, action, order["id"], {"note": "should not be recorded"})

    assert payload["salesOrder"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "INVALID_TRANSITION")]
    assert start.lower() in payload["errors"][0]["message"]
    assert stored(db, order["id"]) == before


def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(
    gql: GraphQL, world: World, db: Engine
) -> None:
    order = order_in(gql, world, "APPROVED")  # version 2
    before = stored(db, order["id"])

    payload = transition(gql, "ship", order["id"], {"expectedVersion": 1})

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.expectedVersion", "CONFLICT")
    ]
    assert stored(db, order["id"]) == before


def test_a_stale_version_and_a_disallowed_transition_are_reported_together(
    gql: GraphQL, world: World
) -> None:
    order = order_in(gql, world, "SIGNED")

    payload = transition(gql, "approve", order["id"], {"expectedVersion": 1})

    assert sorted((e["field"], e["code"]) for e in payload["errors"]) == [
        ("id", "INVALID_TRANSITION"),
        ("input.expectedVersion", "CONFLICT"),
    ]


def test_an_unknown_order_or_an_id_of_another_type_is_refused_on_the_id(
    gql: GraphQL, world: World
) -> None:
    unknown = transition(gql, "approve", global_id("SalesOrder", 404))
    wrong_type = transition(gql, "approve", world.dealers["D1"])

    assert [(e["field"], e["code"]) for e in unknown["errors"]] == [("id", "NOT_FOUND")]
    assert [(e["field"], e["code"]) for e in wrong_type["errors"]] == [("id", "BAD_GLOBAL_ID")]


def test_a_transition_note_over_500_characters_is_invalid(
    gql: GraphQL, world: World, db: Engine
) -> None:
    order = place(gql, world)
    before = stored(db, order["id"])

    payload = transition(gql, "approve", order["id"], {"note": "长" * 501})

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.note", "INVALID")]
    assert stored(db, order["id"]) == before


def test_a_transition_note_is_stripped_and_a_blank_one_is_invalid(
    gql: GraphQL, world: World, db: Engine
) -> None:
    # given two placed orders
    blank_target, noted_target = place(gql, world), place(gql, world)
    before = stored(db, blank_target["id"])

    # when one is approved with a blank note and the other with a padded one
    blank = transition(gql, "approve", blank_target["id"], {"note": "   "})
    noted = transition(gql, "approve", noted_target["id"], {"note": "  同意  "})

    # then the blank note is refused and the padded one is kept without its padding
    assert [(e["field"], e["code"]) for e in blank["errors"]] == [("input.note", "INVALID")]
    assert stored(db, blank_target["id"]) == before
    assert noted["errors"] == [] and noted["salesOrder"]["history"][-1]["note"] == "同意"


def test_a_transition_without_input_moves_the_order_with_no_note(
    gql: GraphQL, world: World
) -> None:
    order = place(gql, world)

    payload = transition(gql, "approve", order["id"])

    assert payload["errors"] == []
    assert payload["salesOrder"]["status"] == "APPROVED"
    assert payload["salesOrder"]["history"][-1]["note"] is None


def test_history_events_recorded_at_the_same_instant_are_listed_in_the_order_they_were_added(
    gql: GraphQL, world: World, db: Engine
) -> None:
    # given a signed order whose five events all carry the same timestamp
    order = order_in(gql, world, "SIGNED")
    pk = decode_id(order["id"], "SalesOrder")[1]
    with db.begin() as c:
        c.execute(
            update(SalesOrderEvent)
            .where(SalesOrderEvent.order_id == pk)
            .values(at=datetime.fromisoformat("2024-03-01T02:00:00+00:00"))
        )

    # when its history is read
    history = data_of(gql(HISTORY, {"id": order["id"]}))["node"]["history"]

    # then the events follow the order they were added in (by id), not an arbitrary one
    assert [e["toStatus"] for e in history] == [
        "PLACED",
        "APPROVED",
        "SHIPPED",
        "DELIVERED",
        "SIGNED",
    ]
