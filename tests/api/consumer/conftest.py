"""Registration tests' world: two members, two products (12 and 72 months of warranty), a store."""

from __future__ import annotations

import pytest

from tests.api.consumer.arrange import member, product, store
from tests.conftest import GraphQL


@pytest.fixture
def refs(gql: GraphQL) -> dict[str, str]:
    """Global ids: member, other_member, washer (12 months), ac (72 months), store."""
    return {
        "member": member(gql, "13800138000"),
        "other_member": member(gql, "13900139000"),
        "washer": product(gql, "XQG100", 12),
        "ac": product(gql, "KFR-35", 72),
        "store": store(gql),
    }
