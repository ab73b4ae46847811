"""Quotes from 8 threads at once (durable-rules is not thread-safe; the adapter keeps one Host per
thread) give exactly the serial results."""

from __future__ import annotations

import threading

from schemas.pricing import Buyer, Quote
from tests.engine.pricing.build import lines, pct, quote, rule, rules_of

RULES = rules_of(
    rule("tier", "tier", {"kind": "percent_of_list", "percent": "90"}, ("cooperation_level", "eq", "city_agent")),
    rule("tv", "promotion", pct(5), ("category", "eq", "tv"), ("quantity", "gte", 3)),
    rule("ac", "promotion", {"kind": "amount_off", "amount_fen": 50_00}, ("category", "eq", "air_conditioner")),
    rule("b3g1", "promotion", {"kind": "buy_get", "buy": 3, "get": 1}, ("model", "eq", "W1")),
    rule("order", "order", {"kind": "order_percent_off", "percent": "2"}, ("order_amount_fen", "gte", 5_000_00)),
)
BASKETS = [lines(("TV1", q, 999), ("AC1", q + 1, 2999), ("W1", q * 2, 1499)) for q in range(1, 7)]
BUYER = Buyer(channel_type="agent", cooperation_level="city_agent")
PER_THREAD = 300


def test_eight_threads_quote_exactly_as_one() -> None:
    serial = [quote(RULES, BASKETS[k % len(BASKETS)], BUYER) for k in range(PER_THREAD)]
    results: list[list[Quote]] = [[] for _ in range(8)]
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            results[t] = [quote(RULES, BASKETS[k % len(BASKETS)], BUYER) for k in range(PER_THREAD)]
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert all(result == serial for result in results)
    assert len({q.totals.final_amount_fen for q in serial}) == len(BASKETS)
