"""The cost of an operation, computed before it runs, and the extension that refuses one over
the limit: a few nested pages of 100 can ask for millions of rows within every depth limit.

Every field costs 1; a connection field (one with a `first` argument) costs 1 plus its
selection's cost times its page size (the literal, the variable's value, or the argument's
default, 20 when it has none), at most the largest page a connection serves: a larger `first`
is refused by the field itself (OUT_OF_RANGE), or by variable coercion when it is no Int at all.
`nodes(ids:)` counts its selection once per id, any other list field LIST_ITEMS (10) times.
Fragments count where they are spread; introspection fields cost 1 each, whatever they select."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from strawberry.extensions import SchemaExtension

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from schemas.errors import ErrorCode

DEFAULT_PAGE_SIZE = 20
PAGE_ARGUMENT = "first"
IDS_ARGUMENT = "ids"  # `nodes(ids:)`: one selection per id
# A plain list field (a dealer's children, its stores, a technician's skills) has no page size:
# priced as this many items, so nesting lists cannot hide a large fan-out behind a cost of 1.
LIST_ITEMS = 10


class QueryCostLimiter(SchemaExtension):
    """Refuse, before execution, an operation costing more than `max_cost`: nothing runs and
    one error (LIMIT_EXCEEDED) gives the cost and the limit."""

    def __init__(self, *, max_cost: int, max_page_size: int | None = None, execution_context: Any = None) -> None:
        self.max_cost = max_cost
        self.max_page_size = max_page_size
        if execution_context is not None:
            self.execution_context = execution_context

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            cost = operation_cost(
                context.schema._schema, document, context.operation_name, context.variables or {}, self.max_page_size
            )
            if cost > self.max_cost:
                # strawberry's _execute_operation skips execution when a result is already set.
                context.result = ExecutionResult(data=None, errors=[GraphQLError(
                    f"The query costs {cost}, more than the limit of {self.max_cost} (every field counts 1, "
                    "a connection's selection counts once per item of its `first`): ask for smaller pages.",
                    extensions={"code": ErrorCode.LIMIT_EXCEEDED.value, "cost": cost, "limit": self.max_cost},
                )])
        yield


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_page_size: int | None = None,
) -> int:
    """The cost of the named (or only) operation of a validated document; 0 if there is none."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    costing = _Costing(schema, document, operation, variables, max_page_size)
    return costing.selections(operation.selection_set, root, frozenset())


class _Costing:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        max_page_size: int | None,
    ) -> None:
        self.schema = schema
        self.max_page_size = max_page_size
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = dict(variables)
        # A variable the request leaves out takes its default from the operation, if it has one.
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, spread: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, spread)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in spread:  # validation refuses cycles; be safe
                    inner = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(fragment.selection_set, inner, spread | {name})
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, spread: frozenset[str]) -> int:
        if node.name.value.startswith("__"):
            return 1
        definition = parent.fields.get(node.name.value) if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)) else None
        if node.selection_set is None:
            return 1
        child = get_named_type(definition.type) if definition is not None else None
        # A connection's edges are its page, already counted by the connection's `first`.
        page = 1 if parent is not None and parent.name.endswith("Connection") else self.page_size(node, definition)
        return 1 + page * self.selections(node.selection_set, child, spread)

    def page_size(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """How many times a field's selection counts: its `first` for a connection, the number of
        ids for `nodes`, LIST_ITEMS for any other list, else once."""
        given = next((a.value for a in node.arguments or () if a.name.value == PAGE_ARGUMENT), None)
        declared = definition.args.get(PAGE_ARGUMENT) if definition is not None else None
        if given is None and declared is None:
            return self.list_size(node, definition)
        value: Any = None
        if isinstance(given, IntValueNode):
            value = int(given.value)
        elif isinstance(given, VariableNode):
            value = self.variables.get(given.name.value)
        if value is None and declared is not None:
            value = declared.default_value
        if isinstance(value, bool) or not isinstance(value, int):
            value = DEFAULT_PAGE_SIZE
        # At least 1: a negative `first` (refused when the field runs) must not offset other fields' cost.
        value = max(value, 1)
        return value if self.max_page_size is None else min(value, self.max_page_size)

    def list_size(self, node: FieldNode, definition: GraphQLField | None) -> int:
        if definition is None or not is_list_type(get_nullable_type(definition.type)):
            return 1
        ids = next((a.value for a in node.arguments or () if a.name.value == IDS_ARGUMENT), None)
        if ids is None:
            return LIST_ITEMS
        count: Any = None
        if isinstance(ids, ListValueNode):
            count = len(ids.values)
        elif isinstance(ids, VariableNode):
            value = self.variables.get(ids.name.value)
            count = len(value) if isinstance(value, list) else None
        count = max(count if isinstance(count, int) else LIST_ITEMS, 1)
        return count if self.max_page_size is None else min(count, self.max_page_size)
