"""The audit trail: every mutation attempt (done, refused, failed or denied) leaves one event
naming its actor, operation, object and the columns it changed, never their values; auditors
read the trail through `auditEvents`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from api.context import Context, Reader
from api.mutations import run_audited
from api.relay import decode_id, global_id
from engine.access.permissions import Role
from engine.access.principal import Principal
from engine.services import channel as channel_service
from engine.services import sales as sales_service
from engine.settings import Settings
from engine.store.access import ApiKey, AuditEvent
from engine.store.channel import Dealer
from engine.store.sales import SalesOrder, SalesOrderEvent
from engine.store.session import BoundSessions, make_async_engine, make_sessionmaker, transaction
from schemas.enums import SalesOrderStatus
from tests.api.sales.conftest import add_dealer, add_product
from tests.conftest import GraphQL, data_of, make_api_key

DEALER_CREATE = """
mutation DealerCreate($input: DealerCreateInput!) {
  dealerCreate(input: $input) { dealer { id } errors { field code } }
}
"""

DEALER_UPDATE = """
mutation DealerUpdate($id: ID!, $input: DealerUpdateInput!) {
  dealerUpdate(id: $id, input: $input) { dealer { id } errors { field code } }
}
"""

STORE_CREATE = """
mutation StoreCreate($input: StoreCreateInput!) {
  storeCreate(input: $input) { store { id } errors { field code } }
}
"""

STORE_UPDATE = """
mutation StoreUpdate($id: ID!, $input: StoreUpdateInput!) {
  storeUpdate(id: $id, input: $input) { store { id } errors { field code } }
}
"""

MEMBER_CREATE = """
mutation MemberCreate($input: MemberCreateInput!) {
  memberCreate(input: $input) { member { id } errors { field code } }
}
"""

MEMBER_UPDATE = """
mutation MemberUpdate($id: ID!, $input: MemberUpdateInput!) {
  memberUpdate(id: $id, input: $input) { member { id } errors { field code } }
}
"""

ORDER_CREATE = """
mutation OrderCreate($input: SalesOrderCreateInput!) {
  salesOrderCreate(input: $input) { salesOrder { id } errors { field code } }
}
"""

ORDER_APPROVE = """
mutation OrderApprove($id: ID!) {
  salesOrderApprove(id: $id) { salesOrder { status } errors { field code } }
}
"""

EVENTS = """
query Events($first: Int, $after: String, $where: AuditEventWhereInput, $sortBy: AuditEventOrder) {
  auditEvents(first: $first, after: $after, where: $where, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id at actorKind actorName actorId operation objectType objectId changes outcome errorCodes client
    } }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { id } }"

# Personal data of one member: none of it may reach the audit trail.
MEMBER = {"name": "欧阳娜娜", "mobile": "13912345678", "regionCode": "310115",
          "address": "上海市浦东新区张江路 88 弄 6 号 1201 室", "idNumber": "11010519491231002X"}
NEW_MOBILE = "13687654321"
# Whole values and telling parts of them (a surname, digits of the numbers, a birth year).
PERSONAL_VALUES = [MEMBER["name"], MEMBER["mobile"], MEMBER["address"], MEMBER["idNumber"], NEW_MOBILE,
                   "欧阳", "张江路", "12345678", "87654321", "19491231"]


def dealer_input(code: str, **extra: object) -> dict[str, object]:
    return {"code": code, "name": f"经销商 {code}", "legalRepresentative": "张伟", "channelType": "AGENT",
            "cooperationLevel": "CITY_AGENT", **extra}


def store_input(code: str, dealer_id: str) -> dict[str, object]:
    return {"code": code, "name": f"门店 {code}", "dealerId": dealer_id, "regionCode": "310115",
            "address": "上海市浦东新区世纪大道 100 号", "latitude": 31.23, "longitude": 121.5,
            "manager": "李娜", "phone": "021-5555-0101"}


def created(body: dict[str, Any], field: str, node: str) -> str:
    payload = data_of(body)[field]
    assert payload["errors"] == [], payload["errors"]
    return str(payload[node]["id"])


def events(gql: GraphQL, **variables: object) -> list[dict[str, Any]]:
    """Audit events as an admin reads them (first page of 100 unless told)."""
    body = data_of(gql(EVENTS, {"first": 100, **variables}))["auditEvents"]
    return [edge["node"] for edge in body["edges"]]


def only_event(gql: GraphQL, operation: str) -> dict[str, Any]:
    found = events(gql, where={"operation": operation})
    assert len(found) == 1, found
    return found[0]


def change_of(event: dict[str, Any], type_name: str, action: str) -> list[dict[str, Any]]:
    return [c for c in event["changes"] if c["type"] == type_name and c["action"] == action]


def pk(global_id_value: str) -> int:
    return decode_id(global_id_value)[1]


def admin_key_id(db: Engine) -> int:
    with db.connect() as c:
        return int(c.scalar(select(ApiKey.id).where(ApiKey.name == "test-admin")))


def test_a_create_is_recorded_with_its_actor_its_new_object_and_the_columns_it_was_given(gql: GraphQL, db: Engine) -> None:
    # when
    dealer_id = created(gql(DEALER_CREATE, {"input": dealer_input("P01", regionCodes=["310115"])}), "dealerCreate", "dealer")

    # then
    event = only_event(gql, "dealerCreate")
    assert (event["actorKind"], event["actorName"], event["actorId"]) == ("api_key", "test-admin", global_id("ApiKey", admin_key_id(db)))
    assert (event["objectType"], event["objectId"]) == ("Dealer", dealer_id)
    assert (event["outcome"], event["errorCodes"], event["client"]) == ("OK", [], "testclient")
    [dealer] = change_of(event, "Dealer", "insert")
    assert dealer["id"] == pk(dealer_id)
    assert {"code", "name", "legal_representative", "channel_type", "cooperation_level"} <= set(dealer["fields"])
    assert "parent_id" not in dealer["fields"]  # not given a value
    assert change_of(event, "DealerRegion", "insert") == [
        {"type": "DealerRegion", "id": [pk(dealer_id), "310115"], "action": "insert", "fields": ["dealer_id", "region_code"]}
    ]


def test_an_update_records_only_the_columns_whose_value_changed(gql: GraphQL) -> None:
    # given
    dealer_id = created(gql(DEALER_CREATE, {"input": dealer_input("P01")}), "dealerCreate", "dealer")
    store_id = created(gql(STORE_CREATE, {"input": store_input("S01", dealer_id)}), "storeCreate", "store")

    # when: a new name, and the manager it already had
    data_of(gql(STORE_UPDATE, {"id": store_id, "input": {"name": "新门店", "manager": "李娜"}}))

    # then
    event = only_event(gql, "storeUpdate")
    assert (event["objectType"], event["objectId"], event["outcome"]) == ("Store", store_id, "OK")
    assert event["changes"] == [{"type": "Store", "id": pk(store_id), "action": "update", "fields": ["name"]}]


def test_replacing_a_dealers_regions_records_the_rows_inserted_and_deleted(gql: GraphQL) -> None:
    # given
    dealer_id = created(gql(DEALER_CREATE, {"input": dealer_input("P01", regionCodes=["310115"])}), "dealerCreate", "dealer")

    # when
    data_of(gql(DEALER_UPDATE, {"id": dealer_id, "input": {"regionCodes": ["310101"], "staff": 12}}))

    # then
    event = only_event(gql, "dealerUpdate")
    assert sorted((c["type"], c["action"], str(c["id"]), tuple(c["fields"])) for c in event["changes"]) == sorted([
        ("Dealer", "update", str(pk(dealer_id)), ("staff",)),
        ("DealerRegion", "insert", str([pk(dealer_id), "310101"]), ("dealer_id", "region_code")),
        ("DealerRegion", "delete", str([pk(dealer_id), "310115"]), ()),
    ])


def test_a_status_transition_records_the_status_change_and_the_history_row(gql: GraphQL, db: Engine) -> None:
    # given: a placed order
    with Session(db) as s, s.begin():
        dealer, product = add_dealer(s, "D1"), add_product(s, "XQG100", 3_499_00)
        order_input = {"dealerId": global_id("Dealer", dealer.id), "lines": [{"productId": global_id("Product", product.id), "quantity": 2}]}
    order_id = created(gql(ORDER_CREATE, {"input": order_input}), "salesOrderCreate", "salesOrder")

    # when
    body = data_of(gql(ORDER_APPROVE, {"id": order_id}))["salesOrderApprove"]

    # then
    assert body["salesOrder"]["status"] == "APPROVED"
    event = only_event(gql, "salesOrderApprove")
    assert (event["objectType"], event["objectId"], event["outcome"]) == ("SalesOrder", order_id, "OK")
    [order] = change_of(event, "SalesOrder", "update")
    assert order["id"] == pk(order_id) and "status" in order["fields"]
    [history] = change_of(event, "SalesOrderEvent", "insert")
    assert {"order_id", "from_status", "to_status", "at"} <= set(history["fields"])


def test_a_refused_mutation_is_recorded_with_its_error_codes_and_no_changes(gql: GraphQL, db: Engine) -> None:
    # given
    dealer_id = created(gql(DEALER_CREATE, {"input": dealer_input("P01")}), "dealerCreate", "dealer")

    # when: a duplicate code, and an update of a dealer that does not exist
    duplicate = data_of(gql(DEALER_CREATE, {"input": dealer_input("P01")}))["dealerCreate"]
    missing = data_of(gql(DEALER_UPDATE, {"id": global_id("Dealer", 999), "input": {"name": "x"}}))["dealerUpdate"]

    # then
    assert [e["code"] for e in duplicate["errors"]] == ["DUPLICATE"]
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]
    refused = events(gql, where={"outcome": ["REFUSED"]})
    assert [(e["operation"], e["objectId"], e["errorCodes"], e["changes"]) for e in refused] == [
        ("dealerUpdate", global_id("Dealer", 999), ["NOT_FOUND"], []),
        ("dealerCreate", None, ["DUPLICATE"], []),
    ]
    assert [e["objectId"] for e in events(gql, where={"outcome": ["OK"]})] == [dealer_id]


def test_a_mutation_denied_by_its_permission_is_recorded_as_denied(client: TestClient, gql: GraphQL, db: Engine) -> None:
    # given: a store, and an analyst (who may read channels, not change them)
    dealer_id = created(gql(DEALER_CREATE, {"input": dealer_input("P01")}), "dealerCreate", "dealer")
    store_id = created(gql(STORE_CREATE, {"input": store_input("S01", dealer_id)}), "storeCreate", "store")
    analyst = {"X-API-Key": make_api_key(db, [Role.ANALYST], name="analyst-key")}

    # when
    update = client.post("/graphql", json={"query": STORE_UPDATE, "variables": {"id": store_id, "input": {"name": "x"}}},
                         headers=analyst).json()
    trail = client.post("/graphql", json={"query": EVENTS, "variables": {"first": 5}}, headers=analyst).json()

    # then: both refused; only the mutation is audited, with the object it named
    assert [e["extensions"]["code"] for e in update["errors"]] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in trail["errors"]] == ["FORBIDDEN"]
    [denied] = events(gql, where={"outcome": ["DENIED"]})
    assert (denied["operation"], denied["actorName"], denied["actorKind"]) == ("storeUpdate", "analyst-key", "api_key")
    assert (denied["objectType"], denied["objectId"], denied["errorCodes"], denied["changes"]) == ("Store", store_id, ["FORBIDDEN"], [])
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_name == "analyst-key")) == 1


def test_personal_data_values_never_reach_the_audit_trail(gql: GraphQL, db: Engine) -> None:
    # given: a member created, then given a new mobile number
    member_id = created(gql(MEMBER_CREATE, {"input": MEMBER}), "memberCreate", "member")
    data_of(gql(MEMBER_UPDATE, {"id": member_id, "input": {"mobile": NEW_MOBILE}}))

    # when
    served = str(events(gql))
    with db.connect() as c:
        stored = str([tuple(row) for row in c.execute(select(AuditEvent.__table__))])

    # then: the columns are named, no value appears anywhere (stored or served)
    update = only_event(gql, "memberUpdate")
    assert update["changes"] == [{"type": "Member", "id": pk(member_id), "action": "update", "fields": ["mobile", "mobile_hash"]}]
    create = only_event(gql, "memberCreate")
    assert {"name", "mobile", "mobile_hash", "address", "id_number"} <= set(change_of(create, "Member", "insert")[0]["fields"])
    assert "mobile_hash" in stored and "mobile_hash" in served  # the text searched is the trail itself
    for value in PERSONAL_VALUES:
        assert value not in stored and value not in served, value


def context_for(database_url: str, principal: Principal) -> tuple[Context, Any]:
    """A request context without a request, as the GraphQL app builds one, and its engine."""
    engine = make_async_engine(database_url)
    sessions = BoundSessions(make_sessionmaker(engine), principal)
    settings = Settings(database_url=database_url, crm_env="test")
    return Context(request=None, settings=settings, principal=principal, sessions=sessions, reader=Reader(sessions)), engine


ADMIN = Principal(kind="api_key", id=None, name="audit-test", roles=frozenset({Role.ADMIN}))


def test_the_event_of_a_refused_attempt_survives_the_rollback_of_its_writes(database_url: str, db: Engine) -> None:
    # given: a placed order, about to be approved on a stale read while someone else cancels it
    with Session(db) as s, s.begin():
        dealer, product = add_dealer(s, "D1"), add_product(s, "XQG100", 3_499_00)
        order_input = {"dealer_id": dealer.id, "lines": [{"product_id": product.id, "quantity": 1}]}

    async def scenario() -> tuple[Any, Any]:
        context, engine = context_for(database_url, ADMIN)
        try:
            async with transaction(context.sessions) as s:
                order = await sales_service.create_sales_order(s, order_input)

            async def approve_stale(session: AsyncSession) -> SalesOrder:
                seen = await session.get(SalesOrder, order.id)  # held: the session keeps what it read
                assert seen is not None and seen.status is SalesOrderStatus.PLACED
                async with transaction(context.sessions) as other:
                    await sales_service.change_sales_order_status(other, order.id, SalesOrderStatus.CANCELLED, {})
                return await sales_service.change_sales_order_status(session, seen.id, SalesOrderStatus.APPROVED, {})

            # when: the approval writes its history row, then its update finds the version moved on
            return await run_audited(context, "salesOrderApprove", ("SalesOrder", order.id), approve_stale)
        finally:
            await engine.dispose()

    result, errors = asyncio.run(scenario())

    # then: the approval is rolled back, its event is kept
    assert result is None and [e.code.value for e in errors] == ["CONFLICT"]
    with db.connect() as c:
        assert c.scalar(select(SalesOrder.status)) == SalesOrderStatus.CANCELLED
        history = c.scalars(select(SalesOrderEvent.to_status).order_by(SalesOrderEvent.id)).all()
        event = c.execute(select(AuditEvent)).one()
    assert history == [SalesOrderStatus.PLACED, SalesOrderStatus.CANCELLED]
    assert (event.operation, event.outcome, event.error_codes, event.changes) == ("salesOrderApprove", "refused", ["CONFLICT"], [])
    assert (event.actor_name, event.object_type, event.client) == ("audit-test", "SalesOrder", None)


def test_an_unexpected_error_is_recorded_as_error_and_raised_again(database_url: str, db: Engine) -> None:
    # given: a use case that creates a dealer, then fails with a database error
    async def create_then_fail(session: AsyncSession) -> Dealer:
        dealer = await channel_service.create_dealer(session, {
            "code": "P01", "name": "经销商", "legal_representative": "张伟", "channel_type": "agent",
            "cooperation_level": "city_agent"})
        await session.execute(text("SELECT no_such_column FROM dealers"))
        return dealer

    async def scenario() -> None:
        context, engine = context_for(database_url, ADMIN)
        try:
            await run_audited(context, "dealerCreate", None, create_then_fail)
        finally:
            await engine.dispose()

    # when
    with pytest.raises(Exception, match="no_such_column"):
        asyncio.run(scenario())

    # then
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(Dealer)) == 0
        event = c.execute(select(AuditEvent)).one()
    assert (event.operation, event.outcome, event.error_codes, event.changes) == ("dealerCreate", "error", ["INTERNAL_ERROR"], [])


def test_an_admin_filters_the_trail_by_actor_operation_object_outcome_and_time(client: TestClient, gql: GraphQL, db: Engine) -> None:
    # given: two dealers created and one updated by the admin, a refused create, a denied one by a dealer key
    start = datetime.now(UTC) - timedelta(seconds=1)
    first = created(gql(DEALER_CREATE, {"input": dealer_input("P01")}), "dealerCreate", "dealer")
    second = created(gql(DEALER_CREATE, {"input": dealer_input("P02")}), "dealerCreate", "dealer")
    data_of(gql(DEALER_UPDATE, {"id": first, "input": {"staff": 3}}))
    data_of(gql(DEALER_CREATE, {"input": dealer_input("P01")}))
    dealer_key = make_api_key(db, [Role.DEALER], name="dealer-key", dealer_id=pk(first))
    client.post("/graphql", json={"query": DEALER_CREATE, "variables": {"input": dealer_input("P03")}},
                headers={"X-API-Key": dealer_key})
    end = datetime.now(UTC) + timedelta(seconds=1)

    # when
    def ops(**where: object) -> list[tuple[str, str]]:
        return [(e["operation"], e["outcome"]) for e in events(gql, where=where)]

    # then: newest first
    assert ops() == [("dealerCreate", "DENIED"), ("dealerCreate", "REFUSED"), ("dealerUpdate", "OK"),
                     ("dealerCreate", "OK"), ("dealerCreate", "OK")]
    assert ops(actorName="dealer-key") == [("dealerCreate", "DENIED")]
    assert ops(operation="dealerUpdate") == [("dealerUpdate", "OK")]
    assert ops(object=first) == [("dealerUpdate", "OK"), ("dealerCreate", "OK")]
    assert [e["objectId"] for e in events(gql, where={"object": second})] == [second]
    assert ops(objectType="Dealer", outcome=["OK"]) == [("dealerUpdate", "OK"), ("dealerCreate", "OK"), ("dealerCreate", "OK")]
    assert ops(outcome=["REFUSED", "DENIED"]) == [("dealerCreate", "DENIED"), ("dealerCreate", "REFUSED")]
    assert len(ops(at={"gte": start.isoformat(), "lt": end.isoformat()})) == 5
    assert ops(at={"lt": start.isoformat()}) == []


def test_the_trail_pages_by_cursor_and_sorts_on_request(gql: GraphQL) -> None:
    # given
    for code in ("P01", "P02", "P03"):
        created(gql(DEALER_CREATE, {"input": dealer_input(code)}), "dealerCreate", "dealer")
    dealer_id = created(gql(DEALER_CREATE, {"input": dealer_input("P04")}), "dealerCreate", "dealer")
    data_of(gql(DEALER_UPDATE, {"id": dealer_id, "input": {"staff": 3}}))

    # when
    page1 = data_of(gql(EVENTS, {"first": 2}))["auditEvents"]
    page2 = data_of(gql(EVENTS, {"first": 2, "after": page1["pageInfo"]["endCursor"]}))["auditEvents"]
    oldest_first = events(gql, sortBy={"field": "AT", "direction": "ASC"})
    by_operation = events(gql, sortBy={"field": "OPERATION", "direction": "DESC"})

    # then
    newest = events(gql)
    assert page1["totalCount"] == 5 and page1["pageInfo"]["hasNextPage"]
    assert [e["node"]["id"] for e in page1["edges"] + page2["edges"]] == [e["id"] for e in newest[:4]]
    assert [e["id"] for e in oldest_first] == [e["id"] for e in reversed(newest)]
    assert by_operation[0]["operation"] == "dealerUpdate"


def test_a_caller_without_audit_read_cannot_see_the_trail(client: TestClient, gql: GraphQL, db: Engine) -> None:
    # given: an event, and a channel manager's key (every channel permission, no audit:read)
    created(gql(DEALER_CREATE, {"input": dealer_input("P01")}), "dealerCreate", "dealer")
    event_id = events(gql)[0]["id"]
    manager = {"X-API-Key": make_api_key(db, [Role.CHANNEL_MANAGER], name="manager-key")}

    # when
    listed = client.post("/graphql", json={"query": EVENTS, "variables": {"first": 5}}, headers=manager).json()
    by_id = client.post("/graphql", json={"query": NODE, "variables": {"id": event_id}}, headers=manager).json()

    # then
    assert listed["data"] is None
    assert [e["extensions"]["code"] for e in listed["errors"]] == ["FORBIDDEN"]
    assert data_of(by_id)["node"] is None
    assert data_of(gql(NODE, {"id": event_id}))["node"] == {"id": event_id}
