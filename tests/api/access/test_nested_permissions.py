"""Nested fields that lead into another permission's rows declare that permission: a caller
lacking it gets FORBIDDEN on that field (not an internal error from a row its scope hid)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from api.permissions import declared
from api.relay import NODE_MODELS
from engine.access.permissions import ROLE_PERMISSIONS, Permission, Role
from engine.access.scope import READ_PERMISSION
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type
from tests.api.access.documents import served_schema
from tests.api.access.tenants import Post, ServiceWorld, acting_as, seed_service_world
from tests.api.service.arrange import pk_of
from tests.conftest import data_of, make_api_key

WORK_ORDER_MEMBERS = "query { workOrders(first: 10) { edges { node { orderNo member { name } } } } }"
WORK_ORDER_RELATIONS = """
query { workOrders(first: 10) { edges { node { orderNo network { code } technician { code } history { technician { code } } } } } }
"""
REGISTRATION_STORES = "query { productRegistrations(first: 10) { edges { node { serialNumber store { code } } } } }"


@pytest.fixture
def world(client: TestClient, db: Engine) -> ServiceWorld:
    return seed_service_world(db)


def key_of(client: TestClient, db: Engine, role: Role, **scope: Any) -> Post:
    return acting_as(client, make_api_key(db, [role], **scope))


def test_an_analyst_asking_for_a_work_orders_member_is_forbidden_that_field(client: TestClient, db: Engine, world: ServiceWorld) -> None:
    # given an analyst, who reads work orders but no personal data
    as_analyst = key_of(client, db, Role.ANALYST)

    # when it asks for the work orders' members
    body = as_analyst(WORK_ORDER_MEMBERS)

    # then each member field is refused with FORBIDDEN, and nothing fails as an internal error
    assert {(tuple(e["path"][-1:]), e["extensions"]["code"]) for e in body["errors"]} == {(("member",), "FORBIDDEN")}
    assert body["errors"][0]["path"][:3] == ["workOrders", "edges", 0]


def test_an_analyst_reads_work_orders_with_their_network_and_technicians(client: TestClient, db: Engine, world: ServiceWorld) -> None:
    # given an analyst, who holds service:read
    as_analyst = key_of(client, db, Role.ANALYST)

    # when it reads the work orders' networks and technicians
    edges = data_of(as_analyst(WORK_ORDER_RELATIONS))["workOrders"]["edges"]

    # then it gets them
    assert {(e["node"]["network"]["code"], e["node"]["technician"]["code"]) for e in edges} == {
        ("N", "N-T1"), ("N", "N-T2"), ("M", "M-T1")}


def test_a_service_agent_asking_where_a_unit_was_bought_is_forbidden_only_that_field(
    client: TestClient, db: Engine, world: ServiceWorld
) -> None:
    # given a service agent, who reads members' units but not the channel's stores
    as_agent = key_of(client, db, Role.SERVICE_AGENT, network_ids=[pk_of(world.networks["N"])])

    # when it asks for its members' units and the stores they were bought at
    body = as_agent(REGISTRATION_STORES)

    # then the units come back, each store null with a FORBIDDEN error beside it
    units = [e["node"] for e in body["data"]["productRegistrations"]["edges"]]
    assert sorted(u["serialNumber"] for u in units) == ["SN-N-resident", "SN-served"]
    assert all(u["store"] is None for u in units)
    assert [(e["path"][-1], e["extensions"]["code"]) for e in body["errors"]] == [("store", "FORBIDDEN")] * 2


def _row_permissions(schema: GraphQLSchema) -> dict[str, Permission]:
    """The read permission guarding each object type's rows: a node type's from its model; a
    type embedded in one (an order's lines, a work order's history) inherits its parent's."""
    found = {name: READ_PERMISSION[model] for name, model in NODE_MODELS.items() if model in READ_PERMISSION}
    objects = {n: t for n, t in schema.type_map.items() if isinstance(t, GraphQLObjectType) and not n.startswith("__")}
    changed = True
    while changed:
        changed = False
        for name, type_ in objects.items():
            if name not in found:
                continue
            for field in type_.fields.values():
                target = get_named_type(field.type).name
                if target in objects and target not in NODE_MODELS and target not in found:
                    found[target] = found[name]
                    changed = True
    return {name: p for name, p in found.items() if name in objects}


def _readers(permission: Permission) -> set[Role]:
    return {role for role, held in ROLE_PERMISSIONS.items() if permission in held}


def test_every_field_into_rows_some_reader_may_not_see_declares_their_permission(client: TestClient) -> None:
    # given the served schema and the permission guarding each type's rows
    schema = served_schema(client.app)  # type: ignore[arg-type]
    guarded = _row_permissions(schema)

    # when we look for fields from one guarded type into another that a reader of the first
    # may lack, without the second's permission declared on the field
    undeclared = []
    for name, parent in guarded.items():
        for field_name, field in schema.type_map[name].fields.items():  # type: ignore[union-attr]
            child = guarded.get(get_named_type(field.type).name)
            if child is None or _readers(parent) <= _readers(child):
                continue
            if child not in (declared(field.extensions["strawberry-definition"]) or frozenset()):
                undeclared.append(f"{name}.{field_name} needs {child.value}")

    # then there are none
    assert undeclared == []


def test_every_role_allowed_a_mutation_may_read_what_its_payload_returns(client: TestClient) -> None:
    # given the served schema
    schema = served_schema(client.app)  # type: ignore[arg-type]
    guarded = _row_permissions(schema)
    assert schema.mutation_type is not None

    # when we compare each mutation's permissions with those of the objects its payload returns
    unreadable = []
    for name, mutation in schema.mutation_type.fields.items():
        needed = declared(mutation.extensions["strawberry-definition"]) or frozenset()
        callers = {role for role, held in ROLE_PERMISSIONS.items() if needed <= held}
        payload = get_named_type(mutation.type)
        for field_name, field in getattr(payload, "fields", {}).items():
            child = guarded.get(get_named_type(field.type).name)
            if child is not None and not callers <= _readers(child):
                unreadable.append(f"{name} returns {field_name}, which {sorted(r.value for r in callers - _readers(child))} may not read")

    # then no caller gets back an object it may not read
    assert unreadable == []
