"""A member with every personal field and a work order at her home, made through GraphQL, and
callers of other roles: the world of the personal-data tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from engine.access.permissions import Role
from tests.api.service.arrange import add_network, pk_of
from tests.conftest import GraphQL, data_of, make_api_key

NAME = "王小明"
MOBILE = "13812345678"
ADDRESS = "上海市浦东新区张江路88弄金桥小区24号楼2704室"
ID_NUMBER = "11010519491231002X"  # the example number of GB 11643
REGION = "310115"

MEMBER_FIELDS = """
  id memberNo name mobile address idNumber regionCode latitude longitude estate layout householdSize
  incomeBand specialNeeds tags tier growthValue marketingConsent consentUpdatedAt erasedAt
  consentHistory { granted source actor at }
"""

CREATE_MEMBER = f"""
mutation CreateMember($input: MemberCreateInput!) {{
  memberCreate(input: $input) {{ member {{ {MEMBER_FIELDS} }} errors {{ field message code }} }}
}}
"""

CREATE_ORDER = """
mutation CreateOrder($input: WorkOrderCreateInput!) {
  workOrderCreate(input: $input) { workOrder { id orderNo address } errors { field message code } }
}
"""


def member_input(**extra: object) -> dict[str, object]:
    return {
        "name": NAME, "mobile": MOBILE, "regionCode": REGION, "address": ADDRESS, "idNumber": ID_NUMBER,
        "latitude": 31.2, "longitude": 121.6, "estate": "金桥小区", "layout": "3室2厅", "householdSize": 4,
        "incomeBand": "UPPER_MIDDLE", "specialNeeds": ["PET"], "tags": ["VIP"], "tier": "GOLD", "growthValue": 1200,
        **extra,
    }


def create_member(gql: GraphQL, **extra: object) -> dict[str, Any]:
    payload = data_of(gql(CREATE_MEMBER, {"input": member_input(**extra)}))["memberCreate"]
    assert payload["errors"] == []
    return payload["member"]


def network(db: Engine) -> str:
    """A service network whose territory holds the members' region."""
    return add_network(db, "PD01", [REGION])


def create_order(gql: GraphQL, network_id: str, member_id: str) -> dict[str, Any]:
    """An install at the member's home (address and coordinates from the member)."""
    payload = data_of(gql(CREATE_ORDER, {"input": {
        "kind": "INSTALL", "networkId": network_id, "memberId": member_id, "requiredSkill": "AIR_CONDITIONER",
        "durationMinutes": 90, "windowStart": "2025-03-01T09:00:00+08:00", "windowEnd": "2025-03-01T12:00:00+08:00",
    }}))["workOrderCreate"]
    assert payload["errors"] == []
    return payload["workOrder"]


def key_for(db: Engine, role: Role, network_id: str | None = None) -> dict[str, str]:
    """Request headers of an API key of this role (a service agent of `network_id`)."""
    networks = [pk_of(network_id)] if network_id else None
    return {"X-API-Key": make_api_key(db, [role], network_ids=networks)}
