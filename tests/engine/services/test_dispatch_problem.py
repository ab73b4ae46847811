"""A network's day in the store as a dispatch problem: minutes from the local midnight, open
orders of that day only, current routes from held orders (in progress = locked), and versions
that change when anything a plan read changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
import itertools
from typing import Any

from sqlalchemy import Engine, update

from engine.services.dispatch_problem import Snapshot, problem_for
from engine.store.service import Technician, WorkOrder
from schemas.dispatch import Window
from schemas.enums import Skill, WorkOrderStatus
from tests.api.service.arrange import NOON, add_member, add_network, add_technician, pk_of
from tests.api.service.arrange import add_work_orders as add_rows
from tests.engine.use_cases import run

DAY = date(2025, 3, 1)  # NOON is 12:00 of this day in Shanghai
S = WorkOrderStatus
_NUMBERS = itertools.count(1)


def add_work_orders(db: Engine, rows: list[dict[str, Any]]) -> list[int]:
    """`arrange.add_work_orders` with order numbers WO1, WO2, …"""
    return add_rows(db, [{"order_no": f"WO{next(_NUMBERS)}", **r} for r in rows])


def snapshot(database_url: str, network: str, day: date = DAY) -> Snapshot:
    return run(database_url, lambda s: problem_for(s, pk_of(network), day))


def test_a_network_day_is_in_minutes_from_its_local_midnight(db: Engine, database_url: str) -> None:
    # given a technician on 08:00-18:00 and an order with a 12:00-14:00 window in Shanghai
    network = add_network(db)
    technician = add_technician(db, network, "T1", {Skill.WASHER: 4})
    member = pk_of(add_member(db))
    [order] = add_work_orders(db, [{"network_id": pk_of(network), "member_id": member, "required_skill": Skill.WASHER,
                                    "min_skill_level": 2, "duration_minutes": 45, "priority": 2,
                                    "latitude": 31.25, "longitude": 121.5}])

    # when the day becomes a problem
    problem = snapshot(database_url, network).problem

    # then every time is minutes from midnight in the network's zone
    assert problem.origin == datetime(2025, 2, 28, 16, 0, tzinfo=UTC)
    [tech] = problem.technicians
    assert (tech.id, tech.shifts, tech.skills, tech.capacity_minutes) == (
        str(pk_of(technician)), [Window(start=480, end=1080)], {"washer": 4}, 480)
    assert (tech.start.x, tech.start.y) == (121.4, 31.2) and tech.end == tech.start and tech.route == []
    [item] = problem.orders
    assert (item.id, item.skill, item.min_level, item.duration, item.priority) == (str(order), "washer", 2, 45, 2)
    assert (item.windows, item.sla_deadline) == ([Window(start=720, end=840)], 840)
    assert (item.location.x, item.location.y) == (121.5, 31.25)


def test_a_shift_on_a_daylight_saving_day_counts_real_minutes(db: Engine, database_url: str) -> None:
    # given a network in Berlin on the day the clocks go forward (02:00 -> 03:00)
    network = add_network(db, "BER", time_zone="Europe/Berlin")
    add_technician(db, network, "T1")

    # when that day becomes a problem
    [tech] = snapshot(database_url, network, date(2025, 3, 30)).problem.technicians

    # then 08:00 local is only seven hours after midnight
    assert tech.shifts == [Window(start=7 * 60, end=17 * 60)]


def test_only_the_days_open_orders_of_the_network_and_its_active_technicians_count(db: Engine, database_url: str) -> None:
    # given orders of the day, of the next day, of another network and closed ones; an inactive technician
    network, other = add_network(db, "N1"), add_network(db, "N2")
    active = add_technician(db, network, "T1")
    add_technician(db, network, "T2", active=False)
    add_technician(db, other, "T3")
    member = pk_of(add_member(db))
    base = {"network_id": pk_of(network), "member_id": member}
    today, *_ = add_work_orders(db, [
        base,
        {**base, "window_start": NOON.replace(day=2), "window_end": NOON.replace(day=2, hour=6)},
        {**base, "status": S.COMPLETED, "technician_id": pk_of(active)},
        {**base, "status": S.CANCELLED},
        {**base, "network_id": pk_of(other)},
    ])

    # when the day becomes a problem
    problem = snapshot(database_url, network).problem

    # then
    assert [o.id for o in problem.orders] == [str(today)]
    assert [t.id for t in problem.technicians] == [str(pk_of(active))]


def test_held_orders_are_routes_and_those_in_progress_are_locked(db: Engine, database_url: str) -> None:
    # given T1 holding an accepted order at 12:00 and one he is driving to at 10:00; an order held by
    # an inactive technician; one checked in by him
    network = add_network(db)
    t1 = pk_of(add_technician(db, network, "T1"))
    gone = pk_of(add_technician(db, network, "T2", active=False))
    member = pk_of(add_member(db))
    base = {"network_id": pk_of(network), "member_id": member}
    accepted, driving, orphan, on_site = add_work_orders(db, [
        {**base, "status": S.ACCEPTED, "technician_id": t1},
        {**base, "status": S.EN_ROUTE, "technician_id": t1, "window_start": NOON.replace(hour=2)},
        {**base, "status": S.ASSIGNED, "technician_id": gone},
        {**base, "status": S.CHECKED_IN, "technician_id": gone},
    ])

    # when the day becomes a problem
    problem = snapshot(database_url, network).problem

    # then his route is in the order he works it, the drive locked; the orphan is open again,
    # and what the inactive technician is doing on site is no one's to plan
    [tech] = problem.technicians
    assert [(s.order_id, s.locked) for s in tech.route] == [(str(driving), True), (str(accepted), False)]
    assert sorted(o.id for o in problem.orders) == sorted([str(accepted), str(driving), str(orphan)])
    assert str(on_site) not in {o.id for o in problem.orders}


def test_versions_follow_the_orders_and_the_technicians_entries(db: Engine, database_url: str) -> None:
    # given a day with one technician and one order
    network = add_network(db)
    technician = pk_of(add_technician(db, network, "T1"))
    [order] = add_work_orders(db, [{"network_id": pk_of(network), "member_id": pk_of(add_member(db))}])
    before = snapshot(database_url, network)

    # when the order is rescheduled and the technician's shift changes
    with db.begin() as c:
        c.execute(update(WorkOrder).where(WorkOrder.id == order).values(version=2, duration_minutes=90))
        c.execute(update(Technician).where(Technician.id == technician).values(shift_end=time(17)))
    after = snapshot(database_url, network)

    # then both show in the versions, and the problem's digest moved
    assert before.versions()["work_orders"] == {str(order): 1} and after.versions()["work_orders"] == {str(order): 2}
    assert before.versions()["technicians"][str(technician)] != after.versions()["technicians"][str(technician)]
    assert before.digest != after.digest
    assert snapshot(database_url, network).digest == after.digest


def test_a_recommendation_weighs_the_current_routes_and_takes_its_order_off_them(db: Engine, database_url: str) -> None:
    # given T1 holding two orders, and two open ones
    network = add_network(db)
    t1 = pk_of(add_technician(db, network, "T1"))
    base = {"network_id": pk_of(network), "member_id": pk_of(add_member(db))}
    kept, moving, wanted, _other = add_work_orders(db, [
        {**base, "status": S.ASSIGNED, "technician_id": t1},
        {**base, "status": S.ASSIGNED, "technician_id": t1, "window_start": NOON.replace(hour=5)},
        base,
        base,
    ])

    # when the day is read to recommend someone for the second held order, and for an open one
    for target, route, orders in ((moving, [kept], {kept, moving}), (wanted, [kept, moving], {kept, moving, wanted})):
        problem = run(database_url, lambda s, target=target: problem_for(s, pk_of(network), DAY,
                                                                           recommend_order=target)).problem

        # then the order to place is on no route, and open orders other than it are left out
        [tech] = problem.technicians
        assert [s.order_id for s in tech.route] == [str(o) for o in route]
        assert problem.recommend_order == str(target)
        assert {o.id for o in problem.orders} == {str(o) for o in orders}
