"""Odd client inputs against the GraphQL endpoint: each is answered or refused with a client code,
never masked as INTERNAL_ERROR, and a refused mutation changes no row."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from engine.store import Base
from schemas.errors import ErrorCode
from tests.conftest import GraphQL, data_of

CLIENT_CODES = {c.value for c in ErrorCode} - {ErrorCode.INTERNAL_ERROR.value}
GVF = "GRAPHQL_VALIDATION_FAILED"
HUGE = 70_000  # items: far beyond the 1,000-item cap, and beyond PostgreSQL's 65,535 parameters


def connection_query(field: str, type_name: str) -> str:
    """A page of a connection, aliased `result`; totalCount runs the count statement too."""
    return (
        f"query List($first: Int! = 5, $after: String, $where: {type_name}WhereInput, $sortBy: {type_name}Order) {{\n"
        f"  result: {field}(first: $first, after: $after, where: $where, sortBy: $sortBy) {{ totalCount edges {{ cursor }} }}\n}}"
    )


def mutation(field: str, input_type: str, node: str, with_id: bool = False) -> str:
    """One mutation field aliased `result`, its object aliased `node`."""
    params, args = ("$id: ID!, ", "id: $id, ") if with_id else ("", "")
    return (
        f"mutation Change({params}$input: {input_type}) {{\n"
        f"  result: {field}({args}input: $input) {{ node: {node} {{ id }} errors {{ field message code }} }}\n}}"
    )


WORK_ORDERS = connection_query("workOrders", "WorkOrder")
TECHNICIANS = connection_query("technicians", "Technician")
MEMBERS = connection_query("members", "Member")
DEALERS = connection_query("dealers", "Dealer")
STORES = connection_query("stores", "Store")
PRODUCTS = connection_query("products", "Product")
NETWORKS = connection_query("serviceNetworks", "ServiceNetwork")
REGISTRATIONS = connection_query("productRegistrations", "ProductRegistration")
SALES_ORDERS = connection_query("salesOrders", "SalesOrder")
SALES_TARGETS = connection_query("salesTargets", "SalesTarget")
NODE = "query One($id: ID!) { result: node(id: $id) { id } }"
READ_BACK = """
query ReadBack($id: ID!) {
  result: node(id: $id) {
    id
    ... on SalesTarget { periodStart periodEnd amountFen dealer { code } }
    ... on WorkOrder { orderNo windowStart windowEnd slaDeadline history { at } technician { code } }
    ... on ProductRegistration {
      purchaseDate warrantyEnd warrantyStatus
      late: warrantyStatus(asOf: "9999-12-31") early: warrantyStatus(asOf: "0001-01-01")
    }
    ... on Dealer { signingDate registeredCapitalFen }
    ... on Product { listPriceFen warrantyMonths }
    ... on Member { growthValue createdAt }
    ... on Technician { shiftStart shiftEnd rating }
  }
}
"""
NODES = "query Many($ids: [ID!]!) { result: nodes(ids: $ids) { id } }"
SURROGATE_LITERAL = 'query Literal { result: members(first: 1, where: { nameContains: "\\ud800" }) { totalCount } }'
FEN_LITERAL = (
    'mutation Literal { result: productCreate(input: { model: "L-1", name: "n", category: TV, brand: "b", '
    f"listPriceFen: {2**70}, warrantyMonths: 12 }}) {{ node: product {{ id }} errors {{ field message code }} }} }}"
)

DEALER_CREATE = mutation("dealerCreate", "DealerCreateInput!", "dealer")
STORE_CREATE = mutation("storeCreate", "StoreCreateInput!", "store")
PRODUCT_CREATE = mutation("productCreate", "ProductCreateInput!", "product")
PRODUCT_UPDATE = mutation("productUpdate", "ProductUpdateInput!", "product", with_id=True)
MEMBER_CREATE = mutation("memberCreate", "MemberCreateInput!", "member")
MEMBER_UPDATE = mutation("memberUpdate", "MemberUpdateInput!", "member", with_id=True)
REGISTRATION_CREATE = mutation("productRegistrationCreate", "ProductRegistrationCreateInput!", "productRegistration")
NETWORK_CREATE = mutation("serviceNetworkCreate", "ServiceNetworkCreateInput!", "serviceNetwork")
TECHNICIAN_CREATE = mutation("technicianCreate", "TechnicianCreateInput!", "technician")
TECHNICIAN_UPDATE = mutation("technicianUpdate", "TechnicianUpdateInput!", "technician", with_id=True)
WORK_ORDER_CREATE = mutation("workOrderCreate", "WorkOrderCreateInput!", "workOrder")
WORK_ORDER_UPDATE = mutation("workOrderUpdate", "WorkOrderUpdateInput!", "workOrder", with_id=True)
WORK_ORDER_ASSIGN = mutation("workOrderAssign", "WorkOrderAssignInput!", "workOrder", with_id=True)
WORK_ORDER_CANCEL = mutation("workOrderCancel", "WorkOrderCancelInput!", "workOrder", with_id=True)
SALES_TARGET_CREATE = mutation("salesTargetCreate", "SalesTargetCreateInput!", "salesTarget")
SALES_ORDER_CREATE = mutation("salesOrderCreate", "SalesOrderCreateInput!", "salesOrder")
SALES_ORDER_APPROVE = mutation("salesOrderApprove", "SalesOrderTransitionInput", "salesOrder", with_id=True)

TWO_DEALERS = """
mutation Two($first: DealerCreateInput!, $second: DealerCreateInput!) {
  first: dealerCreate(input: $first) { dealer { id code } errors { field message code } }
  second: dealerCreate(input: $second) { dealer { id code } errors { field message code } }
}
"""


@dataclass(frozen=True)
class Ref:
    """The global id of a seeded object, put in place when the row runs."""

    name: str


@dataclass(frozen=True)
class Expect:
    accepted: bool | None  # None: either answered or refused with a client code
    codes: frozenset[str] = frozenset()  # refused: one error carries one of these codes
    fields: frozenset[str] = frozenset()  # refused: one error is on one of these fields


OK = Expect(True)
EITHER = Expect(None)


def refused(*codes: str, field: str | None = None, fields: tuple[str, ...] = ()) -> Expect:
    return Expect(False, frozenset(codes), frozenset((field,) if field else fields))


BLANK = ("INVALID", "REQUIRED")


def cursor(value: Any, pk: Any = 1) -> str:
    """A cursor in the lists' own encoding with a value of our choosing."""
    return b64(json.dumps([value, pk]).encode())


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def gid(type_name: str, pk: str) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def nested(depth: int) -> str:
    return b64(("[" * depth + "]" * depth).encode())


DEEP_CURSOR = nested(1_500)  # 3 KB of brackets
SHALLOW_NESTED_CURSOR = nested(180)  # under the cursor length cap, so the JSON is parsed
EARLIEST = "0001-01-01T00:00:00+05:00"  # 0000-12-31 in UTC: before the calendar
LATEST = "9999-12-31T23:00:00-05:00"  # 10000-01-01 in UTC: after the calendar
WINDOW = {"windowStart": "2025-03-01T09:00:00+08:00", "windowEnd": "2025-03-01T12:00:00+08:00"}


def by(field: str, direction: str = "ASC") -> dict[str, str]:
    return {"field": field, "direction": direction}


def member_input(**extra: Any) -> dict[str, Any]:
    return {"name": "李娜", "mobile": "13900000001", "regionCode": "310115", "address": "张江路 2 号", **extra}


def product_input(**extra: Any) -> dict[str, Any]:
    return {"model": "P-2", "name": "洗衣机", "category": "WASHER", "brand": "b", "listPriceFen": 1, "warrantyMonths": 12, **extra}


def work_order_input(**extra: Any) -> dict[str, Any]:
    return {"kind": "INSTALL", "networkId": Ref("network"), "memberId": Ref("member"),
            "registrationId": Ref("registration"), "durationMinutes": 90, **WINDOW, **extra}


def registration_input(**extra: Any) -> dict[str, Any]:
    return {"memberId": Ref("member"), "productId": Ref("product"), "serialNumber": "SN-2", "purchaseDate": "2024-01-31", **extra}


def dealer_input(code: str = "D2", **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": "经销商", "legalRepresentative": "张伟", "channelType": "AGENT",
            "cooperationLevel": "CITY_AGENT", **extra}


def store_input(**extra: Any) -> dict[str, Any]:
    return {"code": "S2", "name": "张江店", "dealerId": Ref("dealer"), "regionCode": "310115", "address": "张江路 1 号",
            "latitude": 31.2, "longitude": 121.6, "manager": "王芳", "phone": "021-50800000", **extra}


def network_input(**extra: Any) -> dict[str, Any]:
    return {"code": "SH02", "name": "网点", "timeZone": "Asia/Shanghai", "address": "服务路 2 号",
            "latitude": 31.2, "longitude": 121.4, **extra}


def technician_input(**extra: Any) -> dict[str, Any]:
    return {"code": "T2", "name": "师傅", "networkId": Ref("network"), "homeLatitude": 31.2, "homeLongitude": 121.4,
            "shiftStart": "08:00:00", "shiftEnd": "17:00:00", "dailyCapacityMinutes": 480, **extra}


def target_input(**extra: Any) -> dict[str, Any]:
    return {"dealerId": Ref("dealer"), "periodKind": "MONTH", "periodStart": "2025-03-01", "amountFen": 100, **extra}


def row(name: str, document: str, variables: dict[str, Any], expect: Expect) -> Any:
    return pytest.param(document, variables, expect, id=name)


ROWS = [
    # cursors
    row("cursor-3kb-nested-json", TECHNICIANS, {"after": DEEP_CURSOR}, refused("BAD_CURSOR")),
    row("cursor-nested-json-under-length-cap", TECHNICIANS, {"after": SHALLOW_NESTED_CURSOR}, refused("BAD_CURSOR")),
    row("cursor-rating-2e63", TECHNICIANS, {"sortBy": by("RATING"), "after": cursor(2**63)}, OK),
    row("cursor-rating-2e70", TECHNICIANS, {"sortBy": by("RATING"), "after": cursor(2**70)}, OK),
    row("cursor-rating-minus-2e70-desc", TECHNICIANS, {"sortBy": by("RATING", "DESC"), "after": cursor(-(2**70))}, OK),
    row("cursor-rating-1e400", TECHNICIANS, {"sortBy": by("RATING"), "after": cursor(10**400)}, refused("BAD_CURSOR")),
    row("cursor-rating-nan", TECHNICIANS, {"sortBy": by("RATING"), "after": b64(b"[NaN, 1]")}, EITHER),
    row("cursor-rating-infinity", TECHNICIANS, {"sortBy": by("RATING"), "after": b64(b"[-Infinity, 1]")}, EITHER),
    row("cursor-rating-as-text", TECHNICIANS, {"sortBy": by("RATING"), "after": cursor("4.5")}, refused("BAD_CURSOR")),
    row("cursor-priority-2e31", WORK_ORDERS, {"sortBy": by("PRIORITY"), "after": cursor(2**31)}, EITHER),
    row("cursor-priority-2e62", WORK_ORDERS, {"sortBy": by("PRIORITY"), "after": cursor(2**62)}, EITHER),
    row("cursor-growth-value-minus-2e31-desc", MEMBERS, {"sortBy": by("GROWTH_VALUE", "DESC"), "after": cursor(-(2**31) - 1)},
        EITHER),
    row("cursor-list-price-2e63-minus-1", PRODUCTS, {"sortBy": by("LIST_PRICE"), "after": cursor(2**63 - 1)}, OK),
    row("cursor-priority-2e63", WORK_ORDERS, {"sortBy": by("PRIORITY"), "after": cursor(2**63)}, refused("BAD_CURSOR")),
    row("cursor-window-start-year-1-plus-5h", WORK_ORDERS, {"sortBy": by("WINDOW_START"), "after": cursor(EARLIEST)},
        refused("BAD_CURSOR")),
    row("cursor-sla-year-9999-minus-5h", WORK_ORDERS, {"sortBy": by("SLA_DEADLINE"), "after": cursor(LATEST)},
        refused("BAD_CURSOR")),
    row("cursor-created-at-year-1-utc", MEMBERS, {"sortBy": by("CREATED_AT"), "after": cursor("0001-01-01T00:00:00+00:00")},
        OK),
    row("cursor-created-at-last-microsecond-desc", MEMBERS,
        {"sortBy": by("CREATED_AT", "DESC"), "after": cursor("9999-12-31T23:59:59.999999+00:00")}, OK),
    row("cursor-created-at-year-1-plus-5h", MEMBERS, {"sortBy": by("CREATED_AT"), "after": cursor(EARLIEST)},
        refused("BAD_CURSOR")),
    row("cursor-lone-surrogate-inside", WORK_ORDERS, {"sortBy": by("ORDER_NO"), "after": cursor("\ud800")},
        refused("BAD_CURSOR")),
    row("cursor-is-a-lone-surrogate", WORK_ORDERS, {"after": "\ud800"}, refused("INVALID")),
    row("cursor-not-utf8", WORK_ORDERS, {"after": b64(b'\xff\xfe["a", 1]')}, refused("BAD_CURSOR")),
    row("cursor-nul", MEMBERS, {"after": "\x00"}, refused("INVALID")),
    # time ranges at the calendar's edges, and without an offset
    row("window-start-gte-year-1-plus-5h", WORK_ORDERS, {"where": {"windowStart": {"gte": EARLIEST}}},
        refused("OUT_OF_RANGE")),
    row("window-start-lt-year-9999-minus-5h", WORK_ORDERS, {"where": {"windowStart": {"lt": LATEST}}},
        refused("OUT_OF_RANGE")),
    row("sla-deadline-gte-year-1-plus-5h", WORK_ORDERS, {"where": {"slaDeadline": {"gte": EARLIEST}}},
        refused("OUT_OF_RANGE")),
    row("sla-deadline-lt-year-9999-minus-5h", WORK_ORDERS, {"where": {"slaDeadline": {"lt": LATEST}}},
        refused("OUT_OF_RANGE")),
    row("members-created-at-gte-year-1-plus-5h", MEMBERS, {"where": {"createdAt": {"gte": EARLIEST}}},
        refused("OUT_OF_RANGE")),
    row("members-created-at-lt-year-9999-minus-5h", MEMBERS, {"where": {"createdAt": {"lt": LATEST}}},
        refused("OUT_OF_RANGE")),
    row("sales-orders-placed-at-year-9999-minus-5h", SALES_ORDERS, {"where": {"placedAt": {"gte": LATEST}}},
        refused("OUT_OF_RANGE")),
    row("window-start-whole-calendar-in-utc", WORK_ORDERS,
        {"where": {"windowStart": {"gte": "0001-01-01T00:00:00-05:00", "lt": "9999-12-31T23:00:00+05:00"}}}, OK),
    row("members-created-at-from-year-1-utc", MEMBERS, {"where": {"createdAt": {"gte": "0001-01-01T00:00:00Z"}}}, OK),
    row("filter-window-start-naive", WORK_ORDERS, {"where": {"windowStart": {"gte": "2025-03-01T00:00:00"}}}, refused("INVALID")),
    row("members-created-at-naive", MEMBERS, {"where": {"createdAt": {"lt": "2025-03-01T00:00:00"}}}, refused("INVALID")),
    row("window-start-february-30", WORK_ORDERS, {"where": {"windowStart": {"gte": "2025-02-30T00:00:00+08:00"}}},
        refused(GVF)),
    row("window-start-offset-24h", WORK_ORDERS, {"where": {"windowStart": {"gte": "2025-03-01T00:00:00+24:00"}}},
        refused(GVF)),
    row("registrations-whole-calendar-of-dates", REGISTRATIONS,
        {"where": {"purchaseDate": {"gte": "0001-01-01", "lte": "9999-12-31"}, "warrantyActiveOn": "0001-01-01"}}, OK),
    # list and text sizes
    row("priority-list-70000", WORK_ORDERS, {"where": {"priority": [1] * HUGE}}, refused("OUT_OF_RANGE")),
    row("region-code-list-70000", WORK_ORDERS, {"where": {"regionCode": ["310115"] * HUGE}}, refused("OUT_OF_RANGE")),
    row("network-id-list-70000", WORK_ORDERS, {"where": {"network": [Ref("network")] * HUGE}}, refused("OUT_OF_RANGE")),
    row("members-region-code-list-70000", MEMBERS, {"where": {"regionCode": ["310115"] * HUGE}}, refused("OUT_OF_RANGE")),
    row("technician-network-list-70000", TECHNICIANS, {"where": {"network": [Ref("network")] * HUGE}},
        refused("OUT_OF_RANGE")),
    row("nodes-70000-ids", NODES, {"ids": [Ref("member")] * HUGE}, refused("OUT_OF_RANGE")),
    row("priority-list-1000", WORK_ORDERS, {"where": {"priority": list(range(1000))}}, OK),
    row("network-id-list-1000", WORK_ORDERS, {"where": {"network": [Ref("network")] * 1000}}, OK),
    row("region-code-list-1000", WORK_ORDERS, {"where": {"regionCode": [f"{i:06d}" for i in range(1000)]}}, OK),
    row("members-name-contains-60000", MEMBERS, {"where": {"nameContains": "王" * 60_000}}, refused("OUT_OF_RANGE")),
    row("products-name-contains-60000", PRODUCTS, {"where": {"nameContains": "x" * 60_000}}, refused("OUT_OF_RANGE")),
    row("dealers-region-code-60000", DEALERS, {"where": {"regionCode": "3" * 60_000}}, refused("OUT_OF_RANGE")),
    row("members-name-contains-10000-percent", MEMBERS, {"where": {"nameContains": "%" * 10_000}}, OK),
    row("stores-name-contains-10000-emoji", STORES, {"where": {"nameContains": "\U0001f600" * 10_000}}, OK),
    row("networks-region-code-10000-emoji", NETWORKS, {"where": {"regionCode": "\U0001f600" * 10_000}}, OK),
    row("members-tag-10000-underscores", MEMBERS, {"where": {"tag": "_" * 10_000}}, OK),
    # unstorable text
    row("filter-lone-surrogate", MEMBERS, {"where": {"nameContains": "\ud800"}}, refused("INVALID")),
    row("filter-lone-surrogate-literal", SURROGATE_LITERAL, {}, refused(GVF, "INVALID")),
    row("filter-surrogate-pair-is-fine", MEMBERS, {"where": {"nameContains": "\ud83d\ude00"}}, OK),
    row("mutation-lone-surrogate", MEMBER_CREATE, {"input": member_input(name="李\udfff")}, refused("INVALID")),
    row("filter-nul", MEMBERS, {"where": {"nameContains": "\x00"}}, refused("INVALID")),
    row("filter-list-item-nul", WORK_ORDERS, {"where": {"regionCode": ["31\x000115"]}}, refused("INVALID")),
    row("node-id-nul", NODE, {"id": "\x00"}, refused("INVALID")),
    row("mutation-nul", MEMBER_CREATE, {"input": member_input(address="张江路\x00")}, refused("INVALID")),
    # numbers beyond their type
    row("fen-2e63", PRODUCT_CREATE, {"input": product_input(listPriceFen=2**63)}, refused(GVF)),
    row("fen-2e70", PRODUCT_CREATE, {"input": product_input(listPriceFen=2**70)}, refused(GVF)),
    row("fen-minus-2e63", SALES_TARGET_CREATE, {"input": target_input(amountFen=-(2**63))}, refused(GVF)),
    row("fen-2e70-literal", FEN_LITERAL, {}, refused(GVF)),
    row("fen-fraction", PRODUCT_CREATE, {"input": product_input(listPriceFen=1.5)}, refused(GVF)),
    row("fen-2e53-minus-1", PRODUCT_CREATE, {"input": product_input(listPriceFen=2**53 - 1)}, EITHER),
    row("fen-negative", PRODUCT_CREATE, {"input": product_input(listPriceFen=-1)}, refused(field="input.listPriceFen")),
    row("int-2e31", PRODUCT_CREATE, {"input": product_input(warrantyMonths=2**31)}, refused(GVF)),
    row("int-2e63", WORK_ORDER_CREATE, {"input": work_order_input(durationMinutes=2**63)}, refused(GVF)),
    row("int-2e70-in-filter", WORK_ORDERS, {"where": {"priority": [2**70]}}, refused(GVF)),
    row("int-max-in-filter", WORK_ORDERS, {"where": {"priority": [2**31 - 1, -(2**31)]}}, OK),
    row("int-max-min-level", TECHNICIANS, {"where": {"minLevel": 2**31 - 1}}, EITHER),
    row("int-max-warranty-months", PRODUCT_CREATE, {"input": product_input(warrantyMonths=2**31 - 1)},
        refused(field="input.warrantyMonths")),
    row("int-max-duration", WORK_ORDER_CREATE, {"input": work_order_input(durationMinutes=2**31 - 1)},
        refused(field="input.durationMinutes")),
    row("int-max-priority-update", WORK_ORDER_UPDATE, {"id": Ref("work_order"), "input": {"priority": 2**31 - 1}},
        refused(field="input.priority")),
    row("int-min-expected-version", WORK_ORDER_CANCEL, {"id": Ref("work_order"), "input": {"reason": "r", "expectedVersion": -(2**31)}},
        refused("CONFLICT", "OUT_OF_RANGE")),
    row("int-max-growth-value", MEMBER_UPDATE, {"id": Ref("member"), "input": {"growthValue": 2**31 - 1}}, EITHER),
    row("float-huge-latitude", NETWORK_CREATE, {"input": network_input(latitude=1e308)}, refused(field="input.latitude")),
    # first
    row("first-0", WORK_ORDERS, {"first": 0}, refused("OUT_OF_RANGE")),
    row("first-negative", MEMBERS, {"first": -1}, refused("OUT_OF_RANGE")),
    row("first-101", DEALERS, {"first": 101}, refused("OUT_OF_RANGE")),
    row("first-int-max", TECHNICIANS, {"first": 2**31 - 1}, refused("OUT_OF_RANGE")),
    row("first-2e31", PRODUCTS, {"first": 2**31}, refused(GVF)),
    row("first-2e70", STORES, {"first": 2**70}, refused(GVF)),
    row("first-null", STORES, {"first": None}, refused(GVF)),
    # empty and whitespace-only required text
    row("member-name-empty", MEMBER_CREATE, {"input": member_input(name="")}, refused(*BLANK, field="input.name")),
    row("member-address-whitespace", MEMBER_CREATE, {"input": member_input(address=" \t\n")},
        refused(*BLANK, field="input.address")),
    row("dealer-code-empty", DEALER_CREATE, {"input": dealer_input(code="")}, refused(*BLANK, field="input.code")),
    row("dealer-legal-representative-ideographic-space", DEALER_CREATE,
        {"input": dealer_input(legalRepresentative="\u3000")}, refused(*BLANK, field="input.legalRepresentative")),
    row("technician-name-whitespace", TECHNICIAN_CREATE, {"input": technician_input(name="   ")},
        refused(*BLANK, field="input.name")),
    row("serial-number-whitespace", REGISTRATION_CREATE, {"input": registration_input(serialNumber="  ")},
        refused(*BLANK, field="input.serialNumber")),
    row("cancel-reason-whitespace", WORK_ORDER_CANCEL, {"id": Ref("work_order"), "input": {"reason": "  "}},
        refused(*BLANK, field="input.reason")),
    row("network-time-zone-empty", NETWORK_CREATE, {"input": network_input(timeZone="")},
        refused(*BLANK, field="input.timeZone")),
    row("network-time-zone-path", NETWORK_CREATE, {"input": network_input(timeZone="../../etc/passwd")},
        refused("INVALID", field="input.timeZone")),
    row("update-name-empty", PRODUCT_UPDATE, {"id": Ref("product"), "input": {"name": ""}},
        refused(*BLANK, field="input.name")),
    # dates and times far away
    row("purchase-date-year-1", REGISTRATION_CREATE, {"input": registration_input(purchaseDate="0001-01-01")}, EITHER),
    row("purchase-date-year-9999", REGISTRATION_CREATE, {"input": registration_input(purchaseDate="9999-12-31")},
        refused(field="input.purchaseDate")),
    row("warranty-end-year-9999", REGISTRATION_CREATE, {"input": registration_input(warrantyEnd="9999-12-31")}, EITHER),
    row("window-year-9999", WORK_ORDER_CREATE,
        {"input": work_order_input(windowStart="9999-12-31T20:00:00+00:00", windowEnd="9999-12-31T22:00:00+00:00")}, EITHER),
    row("window-start-year-1-utc", WORK_ORDER_CREATE,
        {"input": work_order_input(windowStart="0001-01-01T00:00:00+00:00", windowEnd="0001-01-01T02:00:00+00:00")}, EITHER),
    row("window-end-past-the-calendar", WORK_ORDER_CREATE,
        {"input": work_order_input(windowStart="9999-12-31T20:00:00+00:00", windowEnd=LATEST)},
        refused(fields=("input.windowEnd",))),
    row("window-start-before-the-calendar", WORK_ORDER_CREATE,
        {"input": work_order_input(windowStart=EARLIEST, windowEnd="0001-01-01T02:00:00+00:00")},
        refused(fields=("input.windowStart",))),
    row("sla-deadline-past-the-calendar-update", WORK_ORDER_UPDATE, {"id": Ref("work_order"), "input": {"slaDeadline": LATEST}},
        refused(field="input.slaDeadline")),
    row("create-window-start-naive", WORK_ORDER_CREATE, {"input": work_order_input(windowStart="2025-03-01T09:00:00")},
        refused(field="input.windowStart")),
    row("sla-deadline-naive-update", WORK_ORDER_UPDATE, {"id": Ref("work_order"), "input": {"slaDeadline": "2025-03-02T09:00:00"}},
        refused(field="input.slaDeadline")),
    row("target-month-december-9999", SALES_TARGET_CREATE, {"input": target_input(periodStart="9999-12-01")}, EITHER),
    row("target-quarter-october-9999", SALES_TARGET_CREATE, {"input": target_input(periodKind="QUARTER", periodStart="9999-10-01")},
        EITHER),
    row("target-year-9999", SALES_TARGET_CREATE, {"input": target_input(periodKind="YEAR", periodStart="9999-01-01")},
        EITHER),
    row("target-year-1", SALES_TARGET_CREATE, {"input": target_input(periodKind="YEAR", periodStart="0001-01-01")}, EITHER),
    row("dealer-signing-date-year-1", DEALER_CREATE, {"input": dealer_input(signingDate="0001-01-01")}, EITHER),
    row("shift-start-with-offset", TECHNICIAN_CREATE, {"input": technician_input(shiftStart="08:00:00+08:00")}, EITHER),
    row("shift-start-24h", TECHNICIAN_CREATE, {"input": technician_input(shiftStart="24:00:00")}, refused(GVF)),
    # enums
    row("status-unknown", WORK_ORDERS, {"where": {"status": ["DONE"]}}, refused(GVF)),
    row("sort-field-of-another-list", WORK_ORDERS, {"sortBy": by("RATING")}, refused(GVF)),
    row("sort-direction-unknown", MEMBERS, {"sortBy": by("NAME", "UP")}, refused(GVF)),
    row("enum-by-value", WORK_ORDER_CREATE, {"input": work_order_input(kind="install")}, refused(GVF)),
    row("enum-as-number", TECHNICIANS, {"where": {"skill": [3]}}, refused(GVF)),
    row("tier-unknown", MEMBER_CREATE, {"input": member_input(tier="DIAMOND")}, refused(GVF)),
    # ids of other types, and ids that are no id at all
    row("work-order-network-is-member", WORK_ORDER_CREATE, {"input": work_order_input(networkId=Ref("member"))},
        refused("BAD_GLOBAL_ID", field="input.networkId")),
    row("work-order-member-is-network", WORK_ORDER_CREATE, {"input": work_order_input(memberId=Ref("network"))},
        refused("BAD_GLOBAL_ID", field="input.memberId")),
    row("work-order-registration-is-product", WORK_ORDER_CREATE,
        {"input": work_order_input(registrationId=Ref("product"))}, refused("BAD_GLOBAL_ID", field="input.registrationId")),
    row("work-order-product-is-registration", WORK_ORDER_CREATE,
        {"input": work_order_input(productId=Ref("registration"))}, refused("BAD_GLOBAL_ID", field="input.productId")),
    row("assign-technician-is-network", WORK_ORDER_ASSIGN,
        {"id": Ref("work_order"), "input": {"technicianId": Ref("network")}},
        refused("BAD_GLOBAL_ID", field="input.technicianId")),
    row("assign-target-is-technician", WORK_ORDER_ASSIGN,
        {"id": Ref("technician"), "input": {"technicianId": Ref("technician")}}, refused("BAD_GLOBAL_ID", field="id")),
    row("work-order-update-target-is-member", WORK_ORDER_UPDATE, {"id": Ref("member"), "input": {"priority": 1}},
        refused("BAD_GLOBAL_ID", field="id")),
    row("cancel-target-is-dealer", WORK_ORDER_CANCEL, {"id": Ref("dealer"), "input": {"reason": "r"}},
        refused("BAD_GLOBAL_ID", field="id")),
    row("technician-network-is-dealer", TECHNICIAN_CREATE, {"input": technician_input(networkId=Ref("dealer"))},
        refused("BAD_GLOBAL_ID", field="input.networkId")),
    row("technician-update-target-is-work-order", TECHNICIAN_UPDATE, {"id": Ref("work_order"), "input": {"name": "x"}},
        refused("BAD_GLOBAL_ID", field="id")),
    row("store-dealer-is-store", STORE_CREATE,
        {"input": store_input(dealerId=Ref("store"))}, refused("BAD_GLOBAL_ID", field="input.dealerId")),
    row("registration-member-is-dealer", REGISTRATION_CREATE, {"input": registration_input(memberId=Ref("dealer"))},
        refused("BAD_GLOBAL_ID", field="input.memberId")),
    row("registration-product-is-store", REGISTRATION_CREATE, {"input": registration_input(productId=Ref("store"))},
        refused("BAD_GLOBAL_ID", field="input.productId")),
    row("registration-store-is-dealer", REGISTRATION_CREATE, {"input": registration_input(storeId=Ref("dealer"))},
        refused("BAD_GLOBAL_ID", field="input.storeId")),
    row("target-dealer-is-store", SALES_TARGET_CREATE, {"input": target_input(dealerId=Ref("store"))},
        refused("BAD_GLOBAL_ID", field="input.dealerId")),
    row("member-update-target-is-product", MEMBER_UPDATE, {"id": Ref("product"), "input": {"name": "x"}},
        refused("BAD_GLOBAL_ID", field="id")),
    row("product-update-target-is-member", PRODUCT_UPDATE, {"id": Ref("member"), "input": {"name": "x"}},
        refused("BAD_GLOBAL_ID", field="id")),
    row("dealer-parent-is-store", DEALER_CREATE, {"input": dealer_input(parentId=Ref("store"))},
        refused("BAD_GLOBAL_ID", field="input.parentId")),
    row("sales-order-line-product-is-member", SALES_ORDER_CREATE,
        {"input": {"dealerId": Ref("dealer"), "lines": [{"productId": Ref("member"), "quantity": 1}]}},
        refused("BAD_GLOBAL_ID", field="input.lines.0.productId")),
    row("sales-order-dealer-is-store", SALES_ORDER_CREATE,
        {"input": {"dealerId": Ref("store"), "lines": [{"productId": Ref("product"), "quantity": 1}]}},
        refused("BAD_GLOBAL_ID", field="input.dealerId")),
    row("approve-target-is-work-order", SALES_ORDER_APPROVE, {"id": Ref("work_order")},
        refused("BAD_GLOBAL_ID", field="id")),
    row("filter-network-is-member", WORK_ORDERS, {"where": {"network": [Ref("member")]}}, refused("BAD_GLOBAL_ID")),
    row("filter-technician-is-network", WORK_ORDERS, {"where": {"technician": [Ref("network")]}}, refused("BAD_GLOBAL_ID")),
    row("filter-technicians-network-is-technician", TECHNICIANS, {"where": {"network": [Ref("technician")]}},
        refused("BAD_GLOBAL_ID")),
    row("filter-stores-dealer-is-member", STORES, {"where": {"dealer": [Ref("member")]}}, refused("BAD_GLOBAL_ID")),
    row("filter-dealers-parent-is-store", DEALERS, {"where": {"parent": Ref("store")}}, refused("BAD_GLOBAL_ID")),
    row("filter-registrations-member-is-product", REGISTRATIONS, {"where": {"member": [Ref("product")]}},
        refused("BAD_GLOBAL_ID")),
    row("filter-sales-orders-dealer-is-store", SALES_ORDERS, {"where": {"dealer": [Ref("store")]}},
        refused("BAD_GLOBAL_ID")),
    row("filter-sales-targets-store-is-dealer", SALES_TARGETS, {"where": {"store": [Ref("dealer")]}},
        refused("BAD_GLOBAL_ID")),
    row("filter-id-not-base64", WORK_ORDERS, {"where": {"network": ["%%%"]}}, refused("BAD_GLOBAL_ID")),
    row("filter-id-key-beyond-bigint", WORK_ORDERS, {"where": {"network": [gid("ServiceNetwork", str(2**64))]}},
        refused("BAD_GLOBAL_ID")),
    row("node-unknown-type", NODE, {"id": gid("Foo", "1")}, refused("BAD_GLOBAL_ID")),
    row("node-negative-key", NODE, {"id": gid("Member", "-1")}, refused("BAD_GLOBAL_ID")),
    row("node-arabic-indic-digit", NODE, {"id": gid("Member", "\u0663")}, refused("BAD_GLOBAL_ID")),
    row("node-empty", NODE, {"id": ""}, refused("BAD_GLOBAL_ID")),
    row("nodes-mixed", NODES, {"ids": [Ref("member"), gid("Member", str(2**70)), "x", Ref("work_order")]},
        refused("BAD_GLOBAL_ID")),
]


@pytest.fixture
def seeded(gql: GraphQL) -> dict[str, str]:
    """One object of each kind the rows refer to, created through the API."""
    ids: dict[str, str] = {}

    def create(name: str, document: str, input: dict[str, Any]) -> None:
        payload = data_of(gql(document, {"input": resolve(input, ids)}))["result"]
        assert payload["errors"] == [], payload["errors"]
        ids[name] = payload["node"]["id"]

    create("dealer", DEALER_CREATE, dealer_input("D1"))
    create("store", STORE_CREATE, store_input(code="S1"))
    create("product", PRODUCT_CREATE, product_input(model="KFR-35", category="AIR_CONDITIONER", needsInstallation=True,
                                                    requiredSkill="AIR_CONDITIONER", warrantyMonths=36))
    create("member", MEMBER_CREATE, member_input(mobile="13800138000", latitude=31.2, longitude=121.6))
    create("registration", REGISTRATION_CREATE, registration_input(serialNumber="SN-1"))
    create("network", NETWORK_CREATE, network_input(code="SH01", regionCodes=["310115"]))
    create("technician", TECHNICIAN_CREATE, technician_input(code="T1", rating=4.5, skills=[{"skill": "AIR_CONDITIONER", "level": 3}]))
    create("work_order", WORK_ORDER_CREATE, work_order_input())
    return ids


def resolve(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, Ref):
        return ids[value.name]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value


def post_raw(client: TestClient, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Post JSON text as written by json.dumps, which escapes lone surrogates as `\\ud800`
    (the client's own JSON encoding could not send them)."""
    text = json.dumps({"query": document, "variables": variables})
    response = client.post("/graphql", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


def row_counts(db: Engine) -> dict[str, int]:
    """Rows per table; the audit trail aside, as it records refused attempts by design."""
    with db.connect() as c:
        return {t.name: int(c.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables if t.name != "audit_events"}


def errors_of(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(top-level errors, payload errors of the `result` mutation field)."""
    result = (body.get("data") or {}).get("result")
    payload = result.get("errors", []) if isinstance(result, dict) and "errors" in result else []
    return body.get("errors") or [], payload


@pytest.mark.parametrize(("document", "variables", "expect"), ROWS)
def test_odd_input_is_answered_or_refused_with_a_client_code_and_changes_nothing_when_refused(
    client: TestClient, db: Engine, seeded: dict[str, str], document: str, variables: dict[str, Any], expect: Expect
) -> None:
    # given: a little of everything, and the rows it left
    before = row_counts(db)

    # when
    body = post_raw(client, document, resolve(variables, seeded))

    # then: never masked, every top-level error carries a client code
    top, payload = errors_of(body)
    assert [e for e in top if e.get("extensions", {}).get("code") not in CLIENT_CODES] == [], top
    assert [e for e in payload if e["code"] not in CLIENT_CODES] == [], payload
    was_refused = bool(top or payload)
    if expect.accepted is not None:
        assert was_refused is not expect.accepted, body
    if was_refused:
        codes = {e["extensions"]["code"] for e in top} | {e["code"] for e in payload}
        fields = {e["extensions"].get("field") for e in top} | {e["field"] for e in payload}
        assert not expect.codes or codes & expect.codes, body
        assert not expect.fields or fields & expect.fields, body
        assert row_counts(db) == before
    else:
        assert_accepted_object_reads_back(client, body)


def assert_accepted_object_reads_back(client: TestClient, body: dict[str, Any]) -> None:
    """What a mutation accepted can be read again, derived fields included, without an error."""
    result = body["data"]["result"]
    created = result.get("node") if isinstance(result, dict) else None
    if created is None:
        return
    again = post_raw(client, READ_BACK, {"id": created["id"]})
    assert "errors" not in again, again["errors"]
    assert again["data"]["result"]["id"] == created["id"]


@pytest.mark.parametrize(
    ("second", "code", "field"),
    [
        (dealer_input("D2"), "DUPLICATE", "input.code"),
        (dealer_input("D3", parentId=Ref("store")), "BAD_GLOBAL_ID", "input.parentId"),
        (dealer_input("D3", name="  "), None, "input.name"),
        (dealer_input("D3", signingDate="2024-02-29", paymentTermsDays=2**31 - 1), None, "input.paymentTermsDays"),
    ],
    ids=["duplicate-of-the-first", "parent-of-another-type", "blank-name", "terms-out-of-range"],
)
def test_two_mutation_fields_keep_the_first_when_the_second_is_refused(
    gql: GraphQL, db: Engine, seeded: dict[str, str], second: dict[str, Any], code: str | None, field: str
) -> None:
    # given
    before = row_counts(db)

    # when: one document creates D2, then tries a second dealer that must be refused
    data = data_of(gql(TWO_DEALERS, {"first": dealer_input("D2"), "second": resolve(second, seeded)}))

    # then: the first is committed, the second changed nothing
    assert data["first"]["errors"] == [] and data["first"]["dealer"]["code"] == "D2"
    assert data["second"]["dealer"] is None
    assert field in {e["field"] for e in data["second"]["errors"]}
    assert code is None or code in {e["code"] for e in data["second"]["errors"]}
    after = row_counts(db)
    assert after == {**before, "dealers": before["dealers"] + 1}
