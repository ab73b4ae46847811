"""A quote built without validation is the quote validation would build: same fields, same
equality, same JSON, and it validates back to itself."""

from __future__ import annotations

from schemas.pricing import Quote, QuoteLine
from tests.engine.pricing.build import lines, pct, quote, rule, rules_of


def test_a_quote_equals_its_validated_copy() -> None:
    rules = rules_of(
        rule("a", "promotion", pct(7), ("quantity", "gte", 9)),
        rule("b", "order", {"kind": "order_percent_off", "percent": "2.5"}),
        rule("c", "promotion", {"kind": "buy_get", "buy": 3, "get": 1}),
        rule("g", "order", {"kind": "gift", "model": "GIFT", "unit_price_fen": 100}, stacking="stackable"),
    )
    built = quote(rules, lines(("TV1", 4, 999), ("AC1", 2, 3333)))

    validated = Quote.model_validate(built.model_dump())

    assert validated == built
    assert validated.model_dump_json() == built.model_dump_json()
    assert built.model_fields_set == validated.model_fields_set | built.model_fields_set


def test_records_of_a_frozen_model_share_one_field_set_that_copies_do_not_change() -> None:
    rules = rules_of(rule("a", "promotion", pct(7)))
    built = quote(rules, lines(("TV1", 4, 999), ("AC1", 2, 3333)))
    first, second = built.lines

    assert first.model_fields_set is second.model_fields_set
    copied = first.model_copy(update={"model": "X"})
    assert copied.model_fields_set is not first.model_fields_set
    assert first.model_fields_set == set(QuoteLine.model_fields)
