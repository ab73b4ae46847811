"""A member's birth month (for the birthday-month points bonus) through the member mutations."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: MemberCreateInput!) {
  memberCreate(input: $input) { member { id birthMonth } errors { field code } }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: MemberUpdateInput!) {
  memberUpdate(id: $id, input: $input) { member { birthMonth } errors { field code } }
}
"""


def member_input(**extra: object) -> dict[str, object]:
    return {"name": "李娜", "mobile": "13800138000", "regionCode": "310115", "address": "上海市浦东新区张江路 1 号", **extra}


def test_a_birth_month_is_kept_changed_and_cleared(gql: GraphQL) -> None:
    created = data_of(gql(CREATE, {"input": member_input(birthMonth=3)}))["memberCreate"]
    member = created["member"]

    changed = data_of(gql(UPDATE, {"id": member["id"], "input": {"birthMonth": 12}}))["memberUpdate"]
    cleared = data_of(gql(UPDATE, {"id": member["id"], "input": {"birthMonth": None}}))["memberUpdate"]

    assert (member["birthMonth"], changed["member"]["birthMonth"], cleared["member"]["birthMonth"]) == (3, 12, None)


@pytest.mark.parametrize("month", [0, 13])
def test_a_birth_month_is_1_to_12(gql: GraphQL, month: int) -> None:
    payload = data_of(gql(CREATE, {"input": member_input(birthMonth=month)}))["memberCreate"]

    assert payload["member"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.birthMonth", "OUT_OF_RANGE")]
