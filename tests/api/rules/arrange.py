"""Documents and GraphQL operations shared by the rule-set tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQL, data_of

VERSION_FIELDS = """
  id version status document digest validFrom validTo author note publishedAt publishedBy retiredAt retiredBy
  rowVersion
"""

CREATE = f"""
mutation Create($input: RuleSetCreateInput!) {{
  ruleSetCreate(input: $input) {{
    ruleSet {{ id key kind name description createdBy versions {{ {VERSION_FIELDS} }} }}
    errors {{ field message code }}
  }}
}}
"""

VERSION_CREATE = f"""
mutation VersionCreate($input: RuleSetVersionCreateInput!) {{
  ruleSetVersionCreate(input: $input) {{
    ruleSetVersion {{ {VERSION_FIELDS} ruleSet {{ key }} }}
    errors {{ field message code }}
  }}
}}
"""

UPDATE = f"""
mutation Update($id: ID!, $input: RuleSetVersionUpdateInput!) {{
  ruleSetVersionUpdate(id: $id, input: $input) {{
    ruleSetVersion {{ {VERSION_FIELDS} }}
    errors {{ field message code }}
  }}
}}
"""

PUBLISH = f"""
mutation Publish($id: ID!, $input: RuleSetVersionTransitionInput) {{
  ruleSetVersionPublish(id: $id, input: $input) {{
    ruleSetVersion {{ {VERSION_FIELDS} }}
    errors {{ field message code }}
  }}
}}
"""

RETIRE = f"""
mutation Retire($id: ID!, $input: RuleSetVersionTransitionInput) {{
  ruleSetVersionRetire(id: $id, input: $input) {{
    ruleSetVersion {{ {VERSION_FIELDS} }}
    errors {{ field message code }}
  }}
}}
"""


def rule(rule_id: str, percent: Any = 10, stage: str = "promotion", priority: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": f"促销 {rule_id}",
        "stage": stage,
        "priority": priority,
        "action": {"kind": "percent_off", "percent": percent},
        **extra,
    }


def pricing(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


def create(gql: GraphQL, key: str, document: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A new rule set (its first draft is `versions[0]`); fails the test if refused."""
    data: dict[str, Any] = {"key": key, "kind": "PRICING", "name": f"规则 {key}", **extra}
    if document is not None:
        data["document"] = document
    payload = data_of(gql(CREATE, {"input": data}))["ruleSetCreate"]
    assert payload["errors"] == [], payload["errors"]
    return payload["ruleSet"]  # type: ignore[no-any-return]


def call(gql: GraphQL, operation: str, **variables: Any) -> dict[str, Any]:
    """The payload of a one-field mutation."""
    data = data_of(gql(operation, variables))
    (payload,) = data.values()
    return payload  # type: ignore[no-any-return]


def publish(gql: GraphQL, version_id: str) -> dict[str, Any]:
    payload = call(gql, PUBLISH, id=version_id)
    assert payload["errors"] == [], payload["errors"]
    return payload["ruleSetVersion"]  # type: ignore[no-any-return]


def errors_of(payload: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in payload["errors"]}
