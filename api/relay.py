"""Relay plumbing: global ids, the node registry, cursor connections with keyset paging."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import BigInteger, ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator
from strawberry import relay
from strawberry.types import Info

from api.errors import ClientError
from engine.errors import DomainError
from engine.store.base import Base
from schemas.errors import ErrorCode

T = TypeVar("T")

# The primary key inside a global id: a canonical decimal within the BIGINT range of our keys.
# Anything else ("1_0", " 5", "-1", 10**30) is refused here, not passed to the database, where
# an out-of-range integer would fail the statement (SQLite: OverflowError) as an unexpected error.
_PK = re.compile(r"0|[1-9][0-9]{0,18}")
_PK_MAX = 2**63 - 1

# GraphQL type name -> ORM model, filled by `node_type` as the domain types are declared.
NODE_MODELS: dict[str, type[Base]] = {}


def node_type(model: type[Base]) -> Callable[[type[T]], type[T]]:
    """Declare a strawberry Node type backed by an ORM model: resolvers return ORM rows and
    the type reads their attributes, so no copy of each row is made. Apply above @strawberry.type."""

    def register(cls: type[T]) -> type[T]:
        name = cls.__name__
        NODE_MODELS[name] = model

        def is_type_of(obj: Any, _info: Any) -> bool:
            return isinstance(obj, model)

        async def resolve_nodes(
            _cls: type, *, info: Info, node_ids: Sequence[str], required: bool = False
        ) -> list[Any]:
            loader = info.context.loaders.by_id(model)
            return list(await loader.load_many([int(i) for i in node_ids]))

        # strawberry read `is_type_of` when @strawberry.type ran; set it on the definition.
        cls.__strawberry_definition__.is_type_of = is_type_of  # type: ignore[attr-defined]
        cls.resolve_nodes = classmethod(resolve_nodes)  # type: ignore[attr-defined]
        return cls

    return register


def global_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def decode_id(value: str, expected: str | Sequence[str] | None = None) -> tuple[str, int]:
    """(type name, primary key) of a global id; ValueError with a readable reason if bad."""
    try:
        gid = relay.GlobalID.from_id(value)
    except (relay.GlobalIDValueError, ValueError, binascii.Error) as exc:
        raise ValueError(f"{value!r} is not a valid global id") from exc
    if not _PK.fullmatch(gid.node_id) or int(gid.node_id) > _PK_MAX:
        raise ValueError(f"{value!r} is not a valid global id")
    pk = int(gid.node_id)
    if gid.type_name not in NODE_MODELS:
        raise ValueError(f"{value!r} is not the id of any known type")
    allowed = [expected] if isinstance(expected, str) else expected
    if allowed and gid.type_name not in allowed:
        raise ValueError(f"{value!r} is the id of a {gid.type_name}, expected {' or '.join(allowed)}")
    return gid.type_name, pk


def pk_of(value: str, expected: str, path: tuple[str | int, ...]) -> int:
    """Primary key of an id argument of a mutation; a payload error if it is not one."""
    try:
        return decode_id(value, expected)[1]
    except ValueError as exc:
        raise DomainError.single(path, str(exc), ErrorCode.BAD_GLOBAL_ID) from exc


def filter_ids(values: Sequence[str] | None, type_name: str, field: str) -> list[int] | None:
    """Primary keys of the global ids in a `where` filter; a client error if one is bad."""
    if values is None:
        return None
    try:
        return [decode_id(v, type_name)[1] for v in values]
    except ValueError as exc:
        raise ClientError(str(exc), ErrorCode.BAD_GLOBAL_ID, field) from exc


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="An object and its cursor.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of objects (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    _count_stmt: strawberry.Private[Select[Any]]

    @strawberry.field(description="Number of objects matching the filter, across all pages.")
    async def total_count(self, info: Info) -> int:
        return int(await info.context.reader.scalar(self._count_stmt))


def _cursor_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def _parse_value(column: InstrumentedAttribute[Any], raw: Any) -> Any:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        # e.g. UTCDateTime: a TypeDecorator's own python_type is `object`; its impl knows better.
        column_type = column_type.impl_instance
    python_type = column_type.python_type
    if raw is None:
        return None
    if isinstance(raw, (list, dict)):
        raise ValueError("not a scalar")
    if issubclass(python_type, Enum):
        return python_type(raw)
    if python_type in (datetime, date, time):
        value = python_type.fromisoformat(raw)
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive time")  # the column type would refuse it at bind time
            value = value.astimezone(UTC)  # OverflowError at the calendar's edges: a bad cursor
        return value
    if python_type is float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ValueError("not a number")
        return float(raw)
    if python_type is int:
        # INTEGER columns hold 32 bits on PostgreSQL; a larger forged value would fail the statement.
        bound = _PK_MAX if isinstance(column_type, BigInteger) else 2**31 - 1
        if isinstance(raw, bool) or not isinstance(raw, int) or abs(raw) > bound:
            raise ValueError("not an integer of the column's size")
    if python_type is str and (not isinstance(raw, str) or "\x00" in raw):
        raise ValueError("not a string")  # PostgreSQL text cannot hold NUL
    if isinstance(raw, str):
        raw.encode("utf-8")  # a lone surrogate cannot be sent to the database: UnicodeError
    return raw


def encode_cursor(sort_value: Any, pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([_cursor_value(sort_value), pk]).encode()).decode()


# Our cursors are a few dozen characters; a longer one is forged (and could nest JSON deeply).
_CURSOR_MAX = 512


def decode_cursor(cursor: str, column: InstrumentedAttribute[Any]) -> tuple[Any, int]:
    try:
        if len(cursor) > _CURSOR_MAX:
            raise ValueError("too long")
        raw_value, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(pk, bool) or not isinstance(pk, int) or not 0 <= pk <= _PK_MAX:
            raise ValueError("bad key")
        return _parse_value(column, raw_value), pk
    except (ValueError, TypeError, ArithmeticError, RecursionError, binascii.Error, UnicodeError) as exc:
        raise ClientError(f"{cursor[:80]!r} is not a cursor of this list", ErrorCode.BAD_CURSOR, "after") from exc


async def paginate(
    info: Info,
    model: type[Base],
    conditions: Sequence[ColumnElement[bool]],
    sort_column: InstrumentedAttribute[Any],
    direction: OrderDirection,
    first: int,
    after: str | None,
) -> Connection[Any]:
    """One page by keyset on (sort column, id): stable under inserts, one statement a page."""
    limit = info.context.settings.page_size_max
    if not 1 <= first <= limit:
        raise ClientError(f"first must be between 1 and {limit}", ErrorCode.OUT_OF_RANGE, "first")
    pk_column = model.id  # type: ignore[attr-defined]
    descending = direction is OrderDirection.DESC
    stmt = select(model).where(*conditions)
    count_stmt = select(func.count()).select_from(model).where(*conditions)
    if after is not None:
        value, pk = decode_cursor(after, sort_column)
        if sort_column is pk_column:
            stmt = stmt.where(pk_column < pk if descending else pk_column > pk)
        else:
            beyond = sort_column < value if descending else sort_column > value
            tie = pk_column < pk if descending else pk_column > pk
            stmt = stmt.where(or_(beyond, and_(sort_column == value, tie)))
    order = [sort_column.desc(), pk_column.desc()] if descending else [sort_column.asc(), pk_column.asc()]
    if sort_column is pk_column:
        order = order[:1]
    rows = await info.context.reader.all(stmt.order_by(*order).limit(first + 1))
    page = rows[:first]
    edges = [Edge(cursor=encode_cursor(getattr(r, sort_column.key), r.id), node=r) for r in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count_stmt=count_stmt,
    )


async def paginate_sorted(
    info: Info,
    model: type[Base],
    conditions: Sequence[ColumnElement[bool]],
    sort_by: Any,
    default_field: Enum,
    first: int,
    after: str | None,
    default_direction: OrderDirection = OrderDirection.ASC,
) -> Connection[Any]:
    """`paginate` for a list with a `sortBy: XOrder { field, direction }` argument whose field
    enum's values are the model's column names."""
    field = sort_by.field if sort_by is not None else default_field
    direction = sort_by.direction if sort_by is not None else default_direction
    return await paginate(info, model, conditions, getattr(model, field.value), direction, first, after)
