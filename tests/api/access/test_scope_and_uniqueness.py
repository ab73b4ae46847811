"""Row scope must not blind the checks that keep values unique or unmaskable: a generated number
is unique across every dealer's rows, and a role that sees personal fields masked cannot search
or sort by them (that would unmask them by guessing)."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.testclient import TestClient

from engine.access.permissions import Role
from tests.api.access.tenants import acting_as, seed_dealer_trees
from tests.api.service.arrange import pk_of
from tests.conftest import data_of, make_api_key

ORDER_CREATE = """
mutation Create($input: SalesOrderCreateInput!) {
  salesOrderCreate(input: $input) { salesOrder { orderNo } errors { field code } }
}
"""

MEMBERS = """
query Members($where: MemberWhereInput, $sortBy: MemberOrder) {
  members(first: 5, where: $where, sortBy: $sortBy) { totalCount }
}
"""


def test_two_dealers_get_distinct_generated_order_numbers_although_neither_sees_the_other(
    client: TestClient, db: Engine
) -> None:
    # given: dealers of two trees, each seeing only its own orders
    trees = seed_dealer_trees(db)
    as_a = acting_as(client, make_api_key(db, [Role.DEALER], dealer_id=pk_of(trees.dealers["A"])))
    as_b = acting_as(client, make_api_key(db, [Role.DEALER], dealer_id=pk_of(trees.dealers["B"])))
    line = [{"productId": trees.product, "quantity": 1}]

    # when: each places an order the same day with a generated number
    a = data_of(as_a(ORDER_CREATE, {"input": {"dealerId": trees.dealers["A"], "lines": line}}))["salesOrderCreate"]
    b = data_of(as_b(ORDER_CREATE, {"input": {"dealerId": trees.dealers["B"], "lines": line}}))["salesOrderCreate"]

    # then
    assert a["errors"] == [] and b["errors"] == []
    assert a["salesOrder"]["orderNo"] != b["salesOrder"]["orderNo"]


def test_a_role_seeing_masked_members_cannot_look_up_by_mobile_search_or_sort_by_name(
    client: TestClient, db: Engine
) -> None:
    # given: an ops planner (member:read, no personal_data:read) and a service agent's peer, an admin
    planner = acting_as(client, make_api_key(db, [Role.OPS_PLANNER]))

    # when
    by_mobile = planner(MEMBERS, {"where": {"mobile": "13900000001"}})
    by_name = planner(MEMBERS, {"where": {"nameContains": "王"}})
    sorted_by_name = planner(MEMBERS, {"sortBy": {"field": "NAME"}})
    by_number = planner(MEMBERS, {"where": {"memberNo": "M000001"}})

    # then: each personal key is refused on its own field; the member number still works
    assert [e["extensions"]["field"] for e in by_mobile["errors"]] == ["where.mobile"]
    assert [e["extensions"]["field"] for e in by_name["errors"]] == ["where.nameContains"]
    assert [e["extensions"]["field"] for e in sorted_by_name["errors"]] == ["sortBy.field"]
    assert {e["extensions"]["code"] for e in by_mobile["errors"] + by_name["errors"] + sorted_by_name["errors"]} == {"FORBIDDEN"}
    assert data_of(by_number)["members"]["totalCount"] == 0
