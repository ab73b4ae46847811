"""Minimal valid documents for any root field of the served schema, generated from its types:
required arguments only, each a dummy value of its type (a global id of the right node type for a
row that does not exist), and `__typename` as the selection. Enough to reach the permission check
and the resolver, so that a test can send every operation without writing each by hand."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from api.relay import global_id
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLType,
    Undefined,
    get_named_type,
    is_composite_type,
    parse,
    validate,
)

# A primary key no test row has (and within PostgreSQL's INTEGER range).
MISSING_PK = 987_654_321
# One valid literal per scalar; an operation taking a scalar not listed here fails loudly.
SCALAR_LITERALS = {
    "String": '"x"',
    "Int": "1",
    "Float": "1.5",
    "Boolean": "false",
    "Fen": "100",
    "Date": '"2025-03-01"',
    "DateTime": '"2025-03-01T08:00:00+08:00"',
    "Time": '"08:00:00"',
    "JSON": "{}",
}
# Id arguments whose name does not spell their node type (`parentId` is a Dealer's id).
ID_STEMS = {"parent": "Dealer", "network": "ServiceNetwork", "registration": "ProductRegistration"}


def served_schema(app: Starlette) -> GraphQLSchema:
    """The GraphQL schema the app serves at /graphql (not a second build of it)."""
    route = next(r for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
    return route.endpoint.schema._schema  # type: ignore[attr-defined,no-any-return]


def node_types(schema: GraphQLSchema) -> list[str]:
    node = schema.get_type("Node")
    return sorted(t.name for t in schema.get_possible_types(node))  # type: ignore[arg-type]


def minimal_document(schema: GraphQLSchema, operation: str, field_name: str) -> str:
    """`query { field(requiredArg: value, …) { __typename } }` (or `mutation …`), validated."""
    root = schema.query_type if operation == "query" else schema.mutation_type
    assert root is not None and field_name in root.fields, f"{operation} field {field_name} is not in the schema"
    field = root.fields[field_name]
    literals = _Literals(node_types(schema), field_name)
    arguments = [f"{name}: {literals.of(a.type, name)}" for name, a in field.args.items() if _required(a)]
    call = field_name + (f"({', '.join(arguments)})" if arguments else "")
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    document = f"{operation} {{ {call}{selection} }}"
    errors = validate(schema, parse(document))
    assert not errors, f"generated an invalid document {document!r}: {errors}"
    return document


def _required(argument: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined


class _Literals:
    """Dummy literals for the arguments of one operation."""

    def __init__(self, nodes: list[str], operation: str) -> None:
        self.nodes = nodes
        # The object an operation acts on is the longest node type its name starts with
        # (salesOrderCancel -> SalesOrder); node and nodes take any: a Dealer's id.
        own = [n for n in nodes if operation.startswith(n[0].lower() + n[1:])]
        self.own_type = max(own, key=len) if own else "Dealer"

    def of(self, type_: GraphQLType, name: str) -> str:
        if isinstance(type_, GraphQLNonNull):
            return self.of(type_.of_type, name)
        if isinstance(type_, GraphQLList):
            return f"[{self.of(type_.of_type, name)}]"
        if isinstance(type_, GraphQLInputObjectType):
            fields = [f"{n}: {self.of(f.type, n)}" for n, f in type_.fields.items() if _required(f)]
            return "{" + ", ".join(fields) + "}"
        if isinstance(type_, GraphQLEnumType):
            return next(iter(type_.values))
        named: Any = type_
        if named.name == "ID":
            return json.dumps(global_id(self._id_type(name), MISSING_PK))
        if named.name not in SCALAR_LITERALS:
            raise KeyError(f"no dummy literal for scalar {named.name}: add one to SCALAR_LITERALS")
        return SCALAR_LITERALS[named.name]

    def _id_type(self, name: str) -> str:
        """`dealerId`/`dealerIds` -> Dealer; `id`/`ids` -> the operation's own type."""
        for suffix in ("Ids", "Id"):
            if name.endswith(suffix) and len(name) > len(suffix):
                stem = name[: -len(suffix)]
                candidate = ID_STEMS.get(stem, stem[0].upper() + stem[1:])
                if candidate in self.nodes:
                    return candidate
        return self.own_type

