"""The collector as the service tunes it: a higher young threshold, and a freeze at startup."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from engine import heap


class Node:
    def __init__(self) -> None:
        self.next: Node | None = None


@pytest.fixture
def restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_tune_sets_the_young_threshold_and_keeps_the_older_ones(restored: None) -> None:
    _, gen1, gen2 = gc.get_threshold()

    heap.tune(12_345)

    assert gc.get_threshold() == (12_345, gen1, gen2)


def test_settle_collects_garbage_cycles_then_freezes_what_is_alive(restored: None) -> None:
    gc.unfreeze()
    cycle = Node()
    cycle.next = cycle
    gone = weakref.ref(cycle)
    del cycle  # garbage now, reachable only from itself: only the collector frees it
    alive = Node()
    frozen_before = gc.get_freeze_count()

    heap.settle()

    assert gone() is None  # collected before the freeze, not kept forever by it
    assert gc.get_freeze_count() > frozen_before
    assert alive.next is None

