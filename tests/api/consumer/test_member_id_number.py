"""A member's resident ID number: optional, 18 characters with a valid birth date and the
ISO 7064 MOD 11-2 check character, stored encrypted, never echoed in an error."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from schemas.consumer import id_number_check_character
from tests.api.consumer.personal import CREATE_MEMBER, ID_NUMBER, member_input
from tests.conftest import GraphQL, data_of

UPDATE = """
mutation Update($id: ID!, $input: MemberUpdateInput!) {
  memberUpdate(id: $id, input: $input) { member { idNumber } errors { field message code } }
}
"""


@pytest.mark.parametrize(
    ("first17", "check"), [("11010519491231002", "X"), ("44052418800101001", "4"), ("31010119900307123", "0")]
)
def test_the_check_character_is_iso_7064_mod_11_2(first17: str, check: str) -> None:
    assert id_number_check_character(first17) == check


def create(gql: GraphQL, id_number: str | None) -> dict[str, object]:
    return data_of(gql(CREATE_MEMBER, {"input": member_input(idNumber=id_number)}))["memberCreate"]


def test_a_valid_number_is_kept_with_a_lower_case_x_made_upper_case_and_stored_encrypted(gql: GraphQL, db: Engine) -> None:
    payload = create(gql, " 11010519491231002x ")

    assert payload["errors"] == [] and payload["member"]["idNumber"] == ID_NUMBER
    with db.connect() as c:
        stored = c.execute(text("SELECT id_number FROM members")).scalar_one()
    assert ID_NUMBER not in stored and stored.startswith("dev:")


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check character
        "11010519491231002",  # 17 characters
        "1101051949123100210",  # 19 characters
        "11010519491331002X",  # month 13
        "110105194902300026",  # 30 February
        "110105189912310025",  # born before 1900
        "110105299912310020",  # born in the future
        "01010519491231002X",  # no region starts with 0
        "11010519491231002Y",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
    ],
)
def test_an_invalid_number_is_refused_on_its_field_without_being_echoed(gql: GraphQL, number: str) -> None:
    payload = create(gql, number)

    assert payload["member"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("input.idNumber", "INVALID")]
    assert number[6:14] not in payload["errors"][0]["message"]


def test_the_number_can_be_set_changed_and_cleared_on_update(gql: GraphQL) -> None:
    member = create(gql, None)["member"]
    other = "310101199003071230"

    set_ = data_of(gql(UPDATE, {"id": member["id"], "input": {"idNumber": other}}))["memberUpdate"]
    bad = data_of(gql(UPDATE, {"id": member["id"], "input": {"idNumber": "310101199003071231"}}))["memberUpdate"]
    cleared = data_of(gql(UPDATE, {"id": member["id"], "input": {"idNumber": None}}))["memberUpdate"]

    assert member["idNumber"] is None
    assert set_["member"]["idNumber"] == other
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("input.idNumber", "INVALID")]
    assert cleared["member"]["idNumber"] is None
