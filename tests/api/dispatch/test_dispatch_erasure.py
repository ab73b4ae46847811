"""Erasing a member reaches the stored dispatch plans: the copies of her work orders' positions
in the problems they solved are rounded as the orders' own are (0.01°), the others untouched."""

from __future__ import annotations

from sqlalchemy import Engine, select

from api.relay import decode_id, global_id
from engine.demo.generate import DemoData
from engine.demo.load import load
from engine.store.dispatch import DispatchPlan
from engine.store.service import WorkOrder
from tests.api.dispatch.arrange import CREATE, DAY
from tests.conftest import GraphQL, data_of

ERASE = """
mutation Erase($id: ID!, $input: MemberEraseInput!) { memberErase(id: $id, input: $input) { errors { code } } }
"""


def test_a_members_erasure_rounds_her_positions_in_the_stored_problems(gql: GraphQL, db: Engine, small: DemoData) -> None:
    # given a stored plan of the demo day, and the member of one of its orders
    load(db, small)
    body = data_of(gql(CREATE, {"input": {"network": global_id("ServiceNetwork", 1), "date": DAY, "mode": "ASSIGN",
                                          "timeLimit": 2}}))
    plan = decode_id(body["dispatchPlanCreate"]["dispatchPlan"]["id"])[1]

    def positions() -> dict[str, tuple[float, float]]:
        with db.connect() as c:
            problem = c.scalar(select(DispatchPlan.problem).where(DispatchPlan.id == plan))
        return {o["id"]: (o["location"]["x"], o["location"]["y"]) for o in problem["orders"]}

    before = positions()
    some_order = int(next(iter(before)))
    with db.connect() as c:
        member = c.scalar(select(WorkOrder.member_id).where(WorkOrder.id == some_order))
        hers = {str(pk) for pk in c.scalars(select(WorkOrder.id).where(WorkOrder.member_id == member))}

    # when she is erased
    erased = data_of(gql(ERASE, {"id": global_id("Member", member), "input": {"reason": "member request"}}))
    assert erased["memberErase"]["errors"] == []

    # then her orders' positions in the stored problem are rounded, everyone else's kept
    after = positions()
    for order_id, (x, y) in before.items():
        expected = (round(x, 2), round(y, 2)) if order_id in hers else (x, y)
        assert after[order_id] == expected
    assert any(before[o] != after[o] for o in hers & set(before))
