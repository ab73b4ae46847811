"""Members through GraphQL: create, update, every validation rule, filters (tags too), sorting, paging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text, update

from api.relay import global_id
from engine.store.consumer import Member
from schemas.enums import SpecialNeed
from tests.conftest import GraphQL, data_of

CREATE = """
mutation Create($input: MemberCreateInput!) {
  memberCreate(input: $input) {
    member {
      id memberNo name mobile regionCode address latitude longitude estate layout householdSize
      incomeBand specialNeeds tags tier growthValue registrations { id }
    }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: MemberUpdateInput!) {
  memberUpdate(id: $id, input: $input) {
    member { id memberNo name mobile tags tier growthValue latitude longitude }
    errors { field message code }
  }
}
"""

LIST = """
query List($first: Int!, $after: String, $where: MemberWhereInput, $sortBy: MemberOrder) {
  members(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    edges { node { memberNo } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def member_input(mobile: str, **extra: object) -> dict[str, object]:
    return {"name": "李娜", "mobile": mobile, "regionCode": "310115", "address": "上海市浦东新区张江路 1 号", **extra}


def create(gql: GraphQL, mobile: str, **extra: object) -> dict[str, object]:
    payload = data_of(gql(CREATE, {"input": member_input(mobile, **extra)}))["memberCreate"]
    assert payload["errors"] == []
    return payload["member"]


def errors_of(payload: dict[str, object]) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in payload["errors"]}  # type: ignore[attr-defined, index]


def member_count(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(func.count()).select_from(Member)))


def test_member_create_keeps_every_field(gql: GraphQL) -> None:
    member = create(
        gql,
        "13800138000",
        memberNo="VIP-001",
        latitude=31.2,
        longitude=121.6,
        estate="汤臣一品",
        layout="3室2厅",
        householdSize=4,
        incomeBand="UPPER_MIDDLE",
        specialNeeds=["INFANT", "PET"],
        tags=["老客户", "VIP"],
        tier="GOLD",
        growthValue=1200,
    )

    assert member["memberNo"] == "VIP-001" and member["mobile"] == "13800138000"
    assert (member["latitude"], member["longitude"]) == (31.2, 121.6)
    assert (member["estate"], member["layout"], member["householdSize"]) == ("汤臣一品", "3室2厅", 4)
    assert (member["incomeBand"], member["specialNeeds"]) == ("UPPER_MIDDLE", ["INFANT", "PET"])
    assert (member["tags"], member["tier"], member["growthValue"]) == (["老客户", "VIP"], "GOLD", 1200)
    assert member["registrations"] == []


def test_member_without_number_gets_one_from_its_id_and_defaults(gql: GraphQL) -> None:
    first = create(gql, "13800138000")
    second = create(gql, "13900139000", memberNo=None)

    assert first["memberNo"] == "M0000000001" and second["memberNo"] == "M0000000002"
    assert (first["tier"], first["growthValue"], first["tags"], first["specialNeeds"]) == ("NORMAL", 0, [], [])
    assert (first["latitude"], first["longitude"], first["householdSize"]) == (None, None, None)


def test_duplicate_mobile_is_refused_on_the_identity_key_and_writes_nothing(gql: GraphQL, db: Engine) -> None:
    create(gql, "13800138000")

    payload = data_of(gql(CREATE, {"input": member_input("13800138000", name="另一个人")}))["memberCreate"]

    assert payload["member"] is None
    assert errors_of(payload) == {("input.mobile", "DUPLICATE")}
    assert member_count(db) == 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"mobile": "12800138000"}, ("input.mobile", "INVALID")),
        ({"mobile": "1380013800"}, ("input.mobile", "INVALID")),
        ({"mobile": "+8613800138000"}, ("input.mobile", "INVALID")),
        ({"householdSize": 0}, ("input.householdSize", "OUT_OF_RANGE")),
        ({"householdSize": 21}, ("input.householdSize", "OUT_OF_RANGE")),
        ({"specialNeeds": ["PET", "PET"]}, ("input.specialNeeds", "INVALID")),
        ({"tags": ["vip", "vip"]}, ("input.tags", "INVALID")),
        ({"tags": ["a,b"]}, ("input.tags.0", "INVALID")),
        ({"tags": ["ok", 'say "hi"']}, ("input.tags.1", "INVALID")),
        ({"tags": ["x" * 33]}, ("input.tags.0", "INVALID")),
        ({"growthValue": -1}, ("input.growthValue", "OUT_OF_RANGE")),
        ({"latitude": 31.2}, ("input.longitude", "REQUIRED")),
        ({"longitude": 121.6}, ("input.latitude", "REQUIRED")),
        ({"latitude": 91.0, "longitude": 121.6}, ("input.latitude", "OUT_OF_RANGE")),
        ({"regionCode": "31"}, ("input.regionCode", "INVALID")),
        ({"memberNo": "M0000000001"}, ("input.memberNo", "INVALID")),
    ],
)
def test_invalid_member_input_is_refused_on_its_field(
    gql: GraphQL, db: Engine, extra: dict[str, object], expected: tuple[str, str]
) -> None:
    payload = data_of(gql(CREATE, {"input": {**member_input("13800138000"), **extra}}))["memberCreate"]

    assert payload["member"] is None
    assert errors_of(payload) == {expected}
    assert member_count(db) == 0


def test_duplicate_member_number_is_refused(gql: GraphQL) -> None:
    create(gql, "13800138000", memberNo="C-1")

    payload = data_of(gql(CREATE, {"input": member_input("13900139000", memberNo="C-1")}))["memberCreate"]

    assert errors_of(payload) == {("input.memberNo", "DUPLICATE")}


def test_member_update_changes_only_given_fields_and_keeps_a_generated_number(gql: GraphQL) -> None:
    member = create(gql, "13800138000", tags=["a"], growthValue=10)

    payload = data_of(gql(UPDATE, {"id": member["id"], "input": {"tier": "SILVER", "tags": ["a", "b"]}}))["memberUpdate"]

    assert payload["errors"] == []
    assert payload["member"] == {
        "id": member["id"],
        "memberNo": "M0000000001",
        "name": "李娜",
        "mobile": "13800138000",
        "tags": ["a", "b"],
        "tier": "SILVER",
        "growthValue": 10,
        "latitude": None,
        "longitude": None,
    }


def test_member_update_refuses_a_taken_mobile_a_cleared_number_and_half_a_location(gql: GraphQL, db: Engine) -> None:
    create(gql, "13800138000")
    member = create(gql, "13900139000")

    taken = data_of(gql(UPDATE, {"id": member["id"], "input": {"mobile": "13800138000"}}))["memberUpdate"]
    cleared = data_of(gql(UPDATE, {"id": member["id"], "input": {"memberNo": None}}))["memberUpdate"]
    half = data_of(gql(UPDATE, {"id": member["id"], "input": {"latitude": 31.2}}))["memberUpdate"]
    other_generated = data_of(gql(UPDATE, {"id": member["id"], "input": {"memberNo": "M0000000009"}}))["memberUpdate"]

    assert errors_of(taken) == {("input.mobile", "DUPLICATE")}
    assert errors_of(cleared) == {("input.memberNo", "REQUIRED")}
    assert errors_of(half) == {("input.longitude", "REQUIRED")}
    assert errors_of(other_generated) == {("input.memberNo", "INVALID")}
    with db.connect() as c:
        assert c.execute(select(Member.mobile, Member.member_no, Member.latitude).where(Member.id == 2)).one() == (
            "13900139000",
            "M0000000002",
            None,
        )


def test_member_update_refuses_repeated_tags_and_needs_instead_of_dropping_them(gql: GraphQL, db: Engine) -> None:
    member = create(gql, "13800138000", tags=["a"], specialNeeds=["PET"])

    tags = data_of(gql(UPDATE, {"id": member["id"], "input": {"tags": ["a", "b", "a"]}}))["memberUpdate"]
    needs = data_of(gql(UPDATE, {"id": member["id"], "input": {"specialNeeds": ["PET", "PET"]}}))["memberUpdate"]

    assert errors_of(tags) == {("input.tags", "INVALID")}
    assert errors_of(needs) == {("input.specialNeeds", "INVALID")}
    with db.connect() as c:
        assert c.execute(select(Member.tags, Member.special_needs)).one() == (["a"], [SpecialNeed.PET.value])


def test_member_update_of_a_missing_or_wrong_type_id_is_refused_on_the_id(gql: GraphQL) -> None:
    missing = data_of(gql(UPDATE, {"id": global_id("Member", 999), "input": {"name": "x"}}))["memberUpdate"]
    product_id = data_of(gql(UPDATE, {"id": global_id("Product", 1), "input": {"name": "x"}}))["memberUpdate"]

    assert errors_of(missing) == {("id", "NOT_FOUND")}
    assert errors_of(product_id) == {("id", "BAD_GLOBAL_ID")}


def numbers(body: dict[str, object]) -> list[str]:
    return [e["node"]["memberNo"] for e in data_of(body)["members"]["edges"]]


def test_members_filter_by_tier_region_mobile_number_and_name(gql: GraphQL) -> None:
    create(gql, "13800000001", memberNo="A1", name="王芳", tier="GOLD")
    create(gql, "13800000002", memberNo="A2", name="王强", regionCode="110105")
    create(gql, "13800000003", memberNo="A3", name="张伟", tier="GOLD", regionCode="110105")

    def where(**condition: object) -> list[str]:
        return numbers(gql(LIST, {"first": 10, "where": condition}))

    assert where(tier=["GOLD"]) == ["A1", "A3"]
    assert where(regionCode=["110105"]) == ["A2", "A3"]
    assert where(tier=["GOLD"], regionCode=["110105"]) == ["A3"]
    assert where(mobile="13800000002") == ["A2"]
    assert where(memberNo="A3") == ["A3"]
    assert where(nameContains="王") == ["A1", "A2"]


def test_members_filter_by_tag_matches_whole_tags_exactly(gql: GraphQL) -> None:
    create(gql, "13800000001", memberNo="T1", tags=["老客户", "VIP"])
    create(gql, "13800000002", memberNo="T2", tags=["老客户群"])
    create(gql, "13800000003", memberNo="T3", tags=["vip", "以旧换新"])
    create(gql, "13800000004", memberNo="T4")

    def tagged(tag: str) -> list[str]:
        return numbers(gql(LIST, {"first": 10, "where": {"tag": tag}}))

    assert tagged("老客户") == ["T1"]
    assert tagged("老客户群") == ["T2"]
    assert tagged("VIP") == ["T1"]
    assert tagged("vip") == ["T3"]
    assert tagged("以旧换新") == ["T3"]
    assert tagged("老") == []
    assert tagged("客户") == []
    assert tagged("VI") == []
    assert tagged("V_P") == [] and tagged("%") == []  # no LIKE wildcards
    assert tagged('", "') == []


def test_tag_filter_also_finds_tags_stored_with_unescaped_unicode(gql: GraphQL, db: Engine) -> None:
    create(gql, "13800000001", memberNo="U1", tags=["以旧换新"])
    # as another writer (or a JSONB column) would store it: raw UTF-8, not \uXXXX escapes
    value = "CAST(:tags AS JSON)" if db.dialect.name == "postgresql" else ":tags"
    with db.begin() as c:
        c.execute(text(f"UPDATE members SET tags = {value} WHERE member_no = 'U1'"), {"tags": '["VIP", "以旧换新"]'})

    found = numbers(gql(LIST, {"first": 10, "where": {"tag": "以旧换新"}}))

    assert found == ["U1"]


def test_members_filter_by_creation_time(gql: GraphQL, db: Engine) -> None:
    for i in range(1, 4):
        create(gql, f"1380000000{i}", memberNo=f"C{i}")
    with db.begin() as c:
        for i in range(1, 4):
            c.execute(update(Member).where(Member.member_no == f"C{i}").values(created_at=datetime(2024, i, 1, tzinfo=UTC)))

    window = numbers(gql(LIST, {"first": 10, "where": {"createdAt": {"gte": "2024-02-01T00:00:00+00:00", "lt": "2024-03-01T00:00:00+00:00"}}}))
    since = numbers(gql(LIST, {"first": 10, "where": {"createdAt": {"gte": "2024-02-01T08:00:00+08:00"}}}))
    naive = gql(LIST, {"first": 10, "where": {"createdAt": {"gte": "2024-02-01T00:00:00"}}})

    assert window == ["C2"]
    assert since == ["C2", "C3"]
    assert naive["errors"][0]["extensions"]["code"] == "INVALID"


def test_members_sort_by_growth_value_and_name_and_page_by_cursor(gql: GraphQL) -> None:
    for number, name, growth in [("G1", "Zhao", 50), ("G2", "Qian", 10), ("G3", "Sun", 50), ("G4", "Li", 0)]:
        create(gql, f"1380000000{number[1]}", memberNo=number, name=name, growthValue=growth)
    by_growth = {"field": "GROWTH_VALUE", "direction": "DESC"}

    first = data_of(gql(LIST, {"first": 3, "sortBy": by_growth}))["members"]
    rest = data_of(gql(LIST, {"first": 3, "sortBy": by_growth, "after": first["pageInfo"]["endCursor"]}))["members"]
    by_number = numbers(gql(LIST, {"first": 10, "sortBy": {"field": "MEMBER_NO", "direction": "DESC"}}))
    by_name = numbers(gql(LIST, {"first": 10, "sortBy": {"field": "NAME"}}))

    # equal growth values tie-break on the id, in the same direction
    assert [e["node"]["memberNo"] for e in first["edges"]] == ["G3", "G1", "G2"] and first["pageInfo"]["hasNextPage"]
    assert [e["node"]["memberNo"] for e in rest["edges"]] == ["G4"] and not rest["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == 4
    assert by_number == ["G4", "G3", "G2", "G1"]
    assert by_name == ["G4", "G2", "G3", "G1"]


def test_members_sort_by_creation_time(gql: GraphQL, db: Engine) -> None:
    for i, month in [(1, 3), (2, 1), (3, 2)]:
        create(gql, f"1380000000{i}", memberNo=f"S{i}")
        with db.begin() as c:
            c.execute(update(Member).where(Member.member_no == f"S{i}").values(created_at=datetime(2024, month, 1, tzinfo=UTC)))

    first = data_of(gql(LIST, {"first": 2, "sortBy": {"field": "CREATED_AT"}}))["members"]
    rest = data_of(gql(LIST, {"first": 2, "sortBy": {"field": "CREATED_AT"}, "after": first["pageInfo"]["endCursor"]}))["members"]

    assert [e["node"]["memberNo"] for e in first["edges"]] == ["S2", "S3"]
    assert [e["node"]["memberNo"] for e in rest["edges"]] == ["S1"]
