"""Where the Solomon files are (`../shared/bench-data/solomon/`, or $CRM_BENCH_DATA/solomon) and
their best-known distances under the truncated-to-one-decimal convention (the `.sol` costs; the
README beside the data), for tests and the benchmark. Skips clearly when the files are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_BESIDE = Path(__file__).resolve().parents[4] / "shared" / "bench-data"
BENCH_DATA = Path(os.environ.get("CRM_BENCH_DATA") or _BESIDE)
SOLOMON = BENCH_DATA / "solomon"

# instance -> (best-known distance with legs truncated to one decimal, routes in that solution)
BEST_KNOWN: dict[str, tuple[float, int]] = {
    "C101": (827.3, 10), "R101": (1637.7, 20), "RC101": (1619.8, 15),
}


def solomon_file(name: str, suffix: str = ".txt") -> Path:
    path = SOLOMON / f"{name}{suffix}"
    if not path.exists():
        pytest.skip(f"Solomon data not found at {path} (set CRM_BENCH_DATA to the bench-data)")
    return path
