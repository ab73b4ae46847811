"""The generic status machine: allowed moves pass, others are refused with a code."""

from __future__ import annotations

from enum import Enum

import pytest

from engine.errors import DomainError
from engine.lifecycle import Lifecycle
from schemas.errors import ErrorCode


class Light(Enum):
    RED = "red"
    GREEN = "green"
    AMBER = "amber"


LIGHTS = Lifecycle("light", {Light.RED: frozenset({Light.GREEN}), Light.GREEN: frozenset({Light.AMBER})})


def test_allowed_transition_passes() -> None:
    LIGHTS.check(Light.RED, Light.GREEN)


@pytest.mark.parametrize(("current", "target"), [(Light.RED, Light.AMBER), (Light.AMBER, Light.RED), (Light.GREEN, Light.GREEN)])
def test_disallowed_transition_is_refused_on_the_id_with_the_allowed_ones_named(current: Light, target: Light) -> None:
    with pytest.raises(DomainError) as raised:
        LIGHTS.check(current, target)

    [error] = raised.value.errors
    assert error.path == ("id",) and error.code is ErrorCode.INVALID_TRANSITION
    assert "allowed:" in error.message
