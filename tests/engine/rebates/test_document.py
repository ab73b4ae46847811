"""What a publisher is told about a rebate or price-protection document, each error on its path."""

from __future__ import annotations

from typing import Any

import pytest

from engine.rebates import check_protection_document, check_rebate_document
from schemas.errors import ErrorCode
from schemas.rebates import PriceProtectionDocument, RebateDocument

P = ("document", "policies", 0)
PCT = {"percent": 2}
UNIT = {"per_unit_fen": 100}
FIXED = {"amount_fen": 100_000}


def document(**fields: Any) -> RebateDocument:
    base: dict[str, Any] = {"id": "q", "name": "Quarterly", "period": "quarter", "tiers": [{"at_least": 0, **PCT}]}
    return RebateDocument.model_validate({"policies": [{**base, **fields}]})


def errors_of(doc: RebateDocument) -> list[tuple[tuple[str | int, ...], ErrorCode]]:
    return [(e.path, e.code) for e in check_rebate_document(doc)]


@pytest.mark.parametrize("fields", [
    {},
    {"mode": "marginal", "tiers": [{"at_least": 0, **PCT}, {"at_least": 10_000, **PCT}], "up_to": 35_000},
    {"basis": "quantity", "tiers": [{"at_least": 10, **UNIT}, {"at_least": 20, **FIXED}]},
    {"measure": "target_percent", "tiers": [{"at_least": "99.5", **PCT}, {"at_least": 100, **FIXED}]},
    {"period": None, "campaign": {"key": "618", "starts_at": "2026-06-01T00:00:00+08:00",
                                  "ends_at": "2026-06-19T00:00:00+08:00"}},
])
def test_a_sound_policy_has_no_errors(fields: dict[str, Any]) -> None:
    assert errors_of(document(**fields)) == []


@pytest.mark.parametrize(("fields", "errors"), [
    ({"tiers": [{"at_least": 100, **PCT}, {"at_least": 100, **PCT}]},
     [((*P, "tiers", 1, "at_least"), ErrorCode.INVALID)]),
    ({"tiers": [{"at_least": 100, **PCT}, {"at_least": 50, **PCT}]},
     [((*P, "tiers", 1, "at_least"), ErrorCode.INVALID)]),
    ({"period": None}, [((*P, "period"), ErrorCode.REQUIRED)]),
    ({"campaign": {"key": "618", "starts_at": "2026-06-01T00:00:00+08:00", "ends_at": "2026-06-19T00:00:00+08:00"}},
     [((*P, "campaign"), ErrorCode.INVALID)]),
    ({"mode": "marginal", "measure": "growth_percent"}, [((*P, "mode"), ErrorCode.INVALID)]),
    ({"mode": "marginal", "tiers": [{"at_least": 0, **PCT}, {"at_least": 100, **FIXED}]},
     [((*P, "tiers", 1, "amount_fen"), ErrorCode.INVALID)]),
    ({"basis": "quantity"}, [((*P, "tiers", 0, "percent"), ErrorCode.INVALID)]),
    ({"basis": "paid_amount", "tiers": [{"at_least": 0, **UNIT}]},
     [((*P, "tiers", 0, "per_unit_fen"), ErrorCode.INVALID)]),
    ({"tiers": [{"at_least": "100.5", **PCT}]}, [((*P, "tiers", 0, "at_least"), ErrorCode.INVALID)]),
    ({"basis": "quantity", "tiers": [{"at_least": "1.5", **UNIT}]},
     [((*P, "tiers", 0, "at_least"), ErrorCode.INVALID)]),
    ({"up_to": 500}, [((*P, "up_to"), ErrorCode.INVALID)]),
    ({"mode": "marginal", "tiers": [{"at_least": 0, **PCT}, {"at_least": 500, **PCT}], "up_to": 500},
     [((*P, "up_to"), ErrorCode.OUT_OF_RANGE)]),
    ({"mode": "marginal", "up_to": "99.5"}, [((*P, "up_to"), ErrorCode.INVALID)]),
    ({"eligibility": [{"fact": "overdue", "op": "lte", "value": 0}]},
     [((*P, "eligibility", 0, "fact"), ErrorCode.INVALID)]),
    ({"scope": [{"fact": "category", "op": "eq", "value": 3}]}, [((*P, "scope", 0, "value"), ErrorCode.INVALID)]),
])
def test_a_policy_the_core_cannot_settle_is_refused_on_its_path(
    fields: dict[str, Any], errors: list[tuple[tuple[str | int, ...], ErrorCode]]
) -> None:
    assert errors_of(document(**fields)) == errors


def test_every_problem_of_a_document_is_reported_at_once() -> None:
    doc = RebateDocument.model_validate({"policies": [
        {"id": "a", "name": "A", "period": "month", "basis": "quantity", "tiers": [{"at_least": 5, **PCT}]},
        {"id": "a", "name": "B", "tiers": [{"at_least": 0, **PCT}]},
    ]})
    assert errors_of(doc) == [
        (("document", "policies", 1, "id"), ErrorCode.DUPLICATE),
        ((*P, "tiers", 0, "percent"), ErrorCode.INVALID),
        (("document", "policies", 1, "period"), ErrorCode.REQUIRED),
    ]


def test_a_protection_document_needs_unique_ids_and_sound_conditions() -> None:
    doc = PriceProtectionDocument.model_validate({"policies": [
        {"id": "cut", "name": "A", "window_days": 30},
        {"id": "cut", "name": "B", "window_days": 30, "scope": [{"fact": "model", "op": "has", "value": "x"}]},
    ]})
    assert [(e.path, e.code) for e in check_protection_document(doc)] == [
        (("document", "policies", 1, "id"), ErrorCode.DUPLICATE),
        (("document", "policies", 1, "scope", 0, "op"), ErrorCode.INVALID),
    ]
