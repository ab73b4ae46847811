"""Robustness of quoting at volume (not timed by pytest-benchmark; figures printed and written
to var/pricing-robustness.json): 8 threads × 10,000 quotes give exactly the serial results with
no error, and 100,000 quotes in one thread leave memory flat (no leaked durable-rules sessions)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from benchmarks.pricing_rules import compiled, document, inputs
from engine.pricing import price
from schemas.pricing import Quote

THREADS, PER_THREAD, SOAK = 8, 10_000, 100_000
OUT = Path(__file__).resolve().parent.parent / "var" / "pricing-robustness.json"


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def record(**figures: float) -> None:
    OUT.parent.mkdir(exist_ok=True)
    found = json.loads(OUT.read_text()) if OUT.exists() else {}
    OUT.write_text(json.dumps({**found, **figures}, indent=2))
    print(figures)


def test_8_threads_quote_exactly_as_serial() -> None:
    doc = document()
    rules = compiled(doc)
    quotes = inputs(doc)
    # Each quote is compared with the serial result as it comes (keeping 90,000 quotes of about
    # 250 KiB each would need some 22 GB): serial and threaded runs both price and compare.
    start = time.perf_counter()
    serial: list[Quote] = []
    for k in range(PER_THREAD):
        quote = price(rules, quotes[k % len(quotes)])
        if k < len(quotes):
            serial.append(quote)
        else:
            assert quote == serial[k % len(quotes)]
    serial_s = time.perf_counter() - start
    mismatches = [0] * THREADS
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for k in range(PER_THREAD):
                if price(rules, quotes[k % len(quotes)]) != serial[k % len(quotes)]:
                    mismatches[t] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    threaded_s = time.perf_counter() - start

    assert errors == []
    assert mismatches == [0] * THREADS
    record(serial_quotes_per_s=PER_THREAD / serial_s, threaded_quotes_per_s=THREADS * PER_THREAD / threaded_s,
           threads=THREADS, quotes_per_thread=PER_THREAD)


def test_100000_quotes_keep_memory_flat() -> None:
    doc = document()
    rules = compiled(doc)
    quotes = inputs(doc)
    for k in range(10_000):
        price(rules, quotes[k % len(quotes)])
    before = rss_mb()
    for k in range(SOAK - 10_000):
        price(rules, quotes[k % len(quotes)])
    after = rss_mb()

    record(rss_after_10k_mb=before, rss_after_100k_mb=after, rss_growth_mb=after - before)
    assert after - before < 5
