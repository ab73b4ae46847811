"""A problem is refused with every offender listed, each at its path, never silently trimmed."""

import pytest

from engine.dispatch.validate import parse
from engine.errors import DomainError
from schemas.errors import ErrorCode


def technician(**fields):
    return {"id": "t1", "start": {"x": 121.4, "y": 31.2}, "skills": {"washer": 3},
            "shifts": [{"start": 480, "end": 1080}]} | fields


def order(**fields):
    return {"id": "o1", "location": {"x": 121.5, "y": 31.3}, "skill": "washer",
            "duration": 60} | fields


def errors_of(data):
    with pytest.raises(DomainError) as caught:
        parse(data)
    return {(".".join(map(str, e.path)), e.code) for e in caught.value.errors}


@pytest.mark.parametrize(
    ("technicians", "orders", "path", "code"),
    [
        ([technician()], [order(duration=0)], "orders.0.duration", ErrorCode.OUT_OF_RANGE),
        ([technician()], [{k: v for k, v in order().items() if k != "duration"}],
         "orders.0.duration", ErrorCode.REQUIRED),
        ([technician(shifts=[])], [order()], "technicians.0.shifts", ErrorCode.REQUIRED),
        ([technician(skills={"welding": 2})], [order()], "technicians.0.skills.welding",
         ErrorCode.NOT_FOUND),
        ([technician()], [order(skill="welding")], "orders.0.skill", ErrorCode.NOT_FOUND),
        ([technician()], [order(windows=[{"start": 600, "end": 500}])], "orders.0.windows.0",
         ErrorCode.INVALID),
        ([technician()], [order(location={"x": float("nan"), "y": 31})], "orders.0.location.x",
         ErrorCode.INVALID),
        ([technician(skills={"washer": 1})], [order(min_level=3, pinned_technician="t1")],
         "orders.0.pinned_technician", ErrorCode.INVALID),
        ([technician()], [order(pinned_technician="t9")], "orders.0.pinned_technician",
         ErrorCode.NOT_FOUND),
        ([technician(route=[{"order_id": "o7"}])], [order()], "technicians.0.route.0.order_id",
         ErrorCode.NOT_FOUND),
        ([technician(), technician()], [order()], "technicians.1.id", ErrorCode.DUPLICATE),
    ],
)
def test_each_offence_is_reported_at_its_path(technicians, orders, path, code):
    assert (path, code) in errors_of({"technicians": technicians, "orders": orders})


def test_every_offender_is_listed_at_once():
    found = errors_of({
        "technicians": [technician(shifts=[], skills={"welding": 1})],
        "orders": [order(skill="plumbing"), order(id="o2", pinned_technician="nobody")],
    })
    assert {p for p, _ in found} == {
        "technicians.0.shifts", "technicians.0.skills.welding", "orders.0.skill",
        "orders.1.pinned_technician",
    }


def test_an_order_nobody_can_serve_is_not_an_error():
    parse({"technicians": [technician(skills={"tv": 2})], "orders": [order()]})


def test_matrix_travel_needs_every_place_on_the_matrix():
    found = errors_of({
        "technicians": [technician(start={"node": 0})],
        "orders": [order(location={"node": 5})],
        "travel": {"kind": "matrix", "minutes": [[0, 1], [1, 0]]},
    })
    assert ("orders.0.location.node", ErrorCode.OUT_OF_RANGE) in found
