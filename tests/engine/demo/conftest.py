"""The small demo data set, generated once per run (generation is pure; tests only read it)."""

from __future__ import annotations

import pytest

from engine.demo.generate import DemoData, generate
from engine.demo.sizes import DemoSize

SEED = 7


@pytest.fixture(scope="session")
def small() -> DemoData:
    return generate(DemoSize.SMALL, SEED)
