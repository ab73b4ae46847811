"""The JSON Schema of each kind's rule documents, as served: a client can validate a document
with it before sending, and it agrees with the engine on good and bad documents."""

from __future__ import annotations

import jsonschema
import pytest

from tests.api.rules.arrange import CREATE, call, pricing, rule
from tests.conftest import GraphQL, data_of

SCHEMA = "query Schema($kind: RuleSetKind!) { ruleDocumentSchema(kind: $kind) }"


def schema_of(gql: GraphQL, kind: str) -> dict[str, object]:
    return data_of(gql(SCHEMA, {"kind": kind}))["ruleDocumentSchema"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("kind", "title", "top"), [("PRICING", "PricingDocument", "rules"), ("LOYALTY", "LoyaltyDocument", "earn_rules")]
)
def test_the_schema_is_the_document_models_json_schema(gql: GraphQL, kind: str, title: str, top: str) -> None:
    schema = schema_of(gql, kind)

    jsonschema.Draft202012Validator.check_schema(schema)
    assert (schema["title"], schema["type"]) == (title, "object")
    assert top in schema["properties"]  # type: ignore[operator]


def test_a_document_the_schema_accepts_the_engine_accepts_and_so_for_a_bad_one(gql: GraphQL) -> None:
    validator = jsonschema.Draft202012Validator(schema_of(gql, "PRICING"))
    good = pricing(rule("ac-10", 10), rule("gift", action={"kind": "gift", "model": "KFR-35", "quantity": 1}))
    bad = pricing(rule("too-much", 500))

    accepted = call(gql, CREATE, input={"key": "good", "kind": "PRICING", "name": "g", "document": good})
    refused = call(gql, CREATE, input={"key": "bad", "kind": "PRICING", "name": "b", "document": bad})

    assert list(validator.iter_errors(good)) == [] and accepted["errors"] == []
    # the schema's discriminated union is a oneOf: it refuses the action as a whole
    assert [list(e.absolute_path) for e in validator.iter_errors(bad)] == [["rules", 0, "action"]]
    assert [e["field"] for e in refused["errors"]] == ["input.document.rules.0.action.percent"]
