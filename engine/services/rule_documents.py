"""Rule documents by kind: their pydantic model, the domain's checker, the content address."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from engine import loyalty, pricing, rebates
from engine.errors import DomainError, FieldError, from_validation
from schemas.loyalty import LoyaltyDocument
from schemas.pricing import PricingDocument
from schemas.rebates import PriceProtectionDocument, RebateDocument
from schemas.rules import RuleSetKind

Path = tuple[str | int, ...]
DOCUMENT: Path = ("document",)

_MODELS: dict[RuleSetKind, type[BaseModel]] = {
    RuleSetKind.PRICING: PricingDocument,
    RuleSetKind.LOYALTY: LoyaltyDocument,
    RuleSetKind.REBATE: RebateDocument,
    RuleSetKind.PRICE_PROTECTION: PriceProtectionDocument,
}
_CHECKERS: dict[RuleSetKind, Callable[[Any, Path], list[FieldError]]] = {
    RuleSetKind.PRICING: pricing.check_document,
    RuleSetKind.LOYALTY: loyalty.check_document,
    RuleSetKind.REBATE: rebates.check_rebate_document,
    RuleSetKind.PRICE_PROTECTION: rebates.check_protection_document,
}


def document_model(kind: RuleSetKind) -> type[BaseModel]:
    """The pydantic model of a kind's documents (its JSON Schema is the documents' contract)."""
    return _MODELS[kind]


def parse(kind: RuleSetKind, document: Any, path: Path = DOCUMENT) -> BaseModel:
    """The document as its kind's model, or a DomainError with every problem: the model's
    errors (at `path` + their place in the document) and then the domain checker's."""
    try:
        parsed = document_model(kind).model_validate(document)
    except ValidationError as exc:
        raise DomainError(_in_document(from_validation(exc).errors, document, path)) from exc
    errors = _CHECKERS[kind](parsed, path)
    if errors:
        raise DomainError(list(errors))
    return parsed


def canonical_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(document: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a document: its content address."""
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def _in_document(errors: list[FieldError], document: Any, path: Path) -> list[FieldError]:
    """Pydantic's errors at their place in the document: union labels that pydantic puts in a
    location (a discriminator's tag, `str`/`int` members of a scalar union) are dropped, so the
    path names the field as the client wrote it; errors that then coincide are merged."""
    merged: dict[tuple[Path, Any], list[str]] = {}
    for error in errors:
        key = (path + _data_path(error.path, document), error.code)
        if error.message not in merged.setdefault(key, []):
            merged[key].append(error.message)
    return [FieldError(p, "; ".join(messages), code) for (p, code), messages in merged.items()]


def _data_path(location: Path, document: Any) -> Path:
    kept: list[str | int] = []
    here = document
    for index, part in enumerate(location):
        last = index == len(location) - 1
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        elif isinstance(here, dict) and last and part not in here.values():
            pass  # a missing field: named although absent
        else:
            continue  # a union label, not a field of the document
        kept.append(part)
    return tuple(kept)
