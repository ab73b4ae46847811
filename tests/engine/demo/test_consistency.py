"""Demo rows agree with each other: references resolve, work orders fit their technicians,
warranties follow the products, and every status ends a history the status machine allows."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from engine.clock import BRAND_TZ, add_months
from engine.demo.generate import DemoData
from engine.demo.geography import DISTRICT_INDEX, DISTRICTS
from engine.services.sales import SALES_ORDER_LIFECYCLE
from engine.services.work_orders import WORK_ORDER
from engine.store import Base
from schemas.enums import SalesOrderStatus, WorkOrderStatus

OPEN_WORK_ORDER = {WorkOrderStatus.CREATED, WorkOrderStatus.ASSIGNED, WorkOrderStatus.ACCEPTED}


def by_id(data: DemoData, table: str) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in data.tables[table]}


def fits(technician: dict[str, Any], order: dict[str, Any], day: date) -> bool:
    """Whether the technician could arrive within the window and finish within the shift."""
    arrive = max(order["window_start"].astimezone(BRAND_TZ).time(), technician["shift_start"])
    finish = datetime.combine(day, arrive) + timedelta(minutes=order["duration_minutes"])
    return arrive <= order["window_end"].astimezone(BRAND_TZ).time() and (
        finish.time() <= technician["shift_end"] and finish.date() == day
    )


def test_every_foreign_key_points_at_a_generated_row(small: DemoData) -> None:
    ids = {
        name: {row["id"] for row in rows}
        for name, rows in small.tables.items()
        if rows and "id" in rows[0]
    }
    checked = 0

    for name, rows in small.tables.items():
        for fk in Base.metadata.tables[name].foreign_keys:
            target = fk.column.table.name
            values = {row[fk.parent.name] for row in rows} - {None}
            assert values <= ids[target], f"{name}.{fk.parent.name} -> {target}"
            checked += 1

    assert checked >= 20


def test_registration_warranty_ends_the_products_warranty_months_after_purchase(
    small: DemoData,
) -> None:
    products = by_id(small, "products")
    registrations = small.tables["product_registrations"]

    for r in registrations:
        assert r["warranty_end"] == add_months(
            r["purchase_date"], products[r["product_id"]]["warranty_months"]
        )
        assert r["purchase_date"] < small.day
    assert len({(r["product_id"], r["serial_number"]) for r in registrations}) == len(registrations)


def test_assigned_work_orders_go_to_a_skilled_technician_of_their_network_whose_day_fits(
    small: DemoData,
) -> None:
    technicians = by_id(small, "technicians")
    levels = {
        (s["technician_id"], s["skill"]): s["level"] for s in small.tables["technician_skills"]
    }
    booked: dict[int, int] = defaultdict(int)
    assigned = [w for w in small.tables["work_orders"] if w["technician_id"] is not None]

    for w in assigned:
        tech = technicians[w["technician_id"]]
        assert tech["network_id"] == w["network_id"] and tech["active"]
        assert levels.get((tech["id"], w["required_skill"]), 0) >= w["min_skill_level"]
        assert fits(tech, w, small.day)
        booked[tech["id"]] += w["duration_minutes"]

    assert (
        0.1 * len(small.tables["work_orders"])
        <= len(assigned)
        <= 0.4 * len(small.tables["work_orders"])
    )
    assert all(minutes <= technicians[t]["daily_capacity_minutes"] for t, minutes in booked.items())


def test_every_work_order_has_a_technician_in_its_network_who_could_take_it(
    small: DemoData,
) -> None:
    technicians = [t for t in small.tables["technicians"] if t["active"]]
    levels = {
        (s["technician_id"], s["skill"]): s["level"] for s in small.tables["technician_skills"]
    }

    for w in small.tables["work_orders"]:
        able = [
            t
            for t in technicians
            if t["network_id"] == w["network_id"]
            and levels.get((t["id"], w["required_skill"]), 0) >= w["min_skill_level"]
            and fits(t, w, small.day)
        ]
        assert able, w["order_no"]


def test_work_orders_are_open_on_the_service_day_inside_their_networks_territory(
    small: DemoData,
) -> None:
    networks = by_id(small, "service_networks")
    members = by_id(small, "members")
    products = by_id(small, "products")
    registrations = by_id(small, "product_registrations")

    for w in small.tables["work_orders"]:
        start, end = (w[k].astimezone(BRAND_TZ) for k in ("window_start", "window_end"))
        assert w["status"] in OPEN_WORK_ORDER
        assert start.date() == end.date() == small.day
        assert time(8) <= start.time() and end.time() <= time(18)
        assert timedelta(hours=2) <= end - start <= timedelta(hours=4)
        assert w["sla_deadline"] >= w["window_end"] and w["created_at"] < w["window_start"]
        assert w["region_code"] in networks[w["network_id"]]["region_codes"]
        assert (w["latitude"], w["longitude"]) == (
            members[w["member_id"]]["latitude"],
            members[w["member_id"]]["longitude"],
        )
        assert w["required_skill"] == products[w["product_id"]]["required_skill"]
        if w["registration_id"] is not None:
            registration = registrations[w["registration_id"]]
            assert (registration["member_id"], registration["product_id"]) == (
                w["member_id"],
                w["product_id"],
            )
    assert {w["status"] for w in small.tables["work_orders"]} == OPEN_WORK_ORDER


def test_technicians_live_in_their_network_and_cover_every_skill_there(small: DemoData) -> None:
    networks = by_id(small, "service_networks")
    skills_in: dict[int, set[Any]] = defaultdict(set)
    technicians = by_id(small, "technicians")
    for s in small.tables["technician_skills"]:
        skills_in[technicians[s["technician_id"]]["network_id"]].add(s["skill"])
    held: dict[int, int] = defaultdict(int)
    for s in small.tables["technician_skills"]:
        held[s["technician_id"]] += 1

    for t in technicians.values():
        centres = [DISTRICTS[DISTRICT_INDEX[c]] for c in networks[t["network_id"]]["region_codes"]]
        assert any(
            _km(t["home_latitude"], t["home_longitude"], d.latitude, d.longitude)
            <= 1.7 * d.spread_km
            for d in centres
        )
        assert (t["shift_start"], t["shift_end"]) in {
            (time(8), time(17)),
            (time(9), time(18)),
            (time(8, 30), time(17, 30)),
        }
        assert 420 <= t["daily_capacity_minutes"] <= 540
        assert 1 <= held[t["id"]] <= 3
    assert all(len(skills) == 6 for skills in skills_in.values())
    assert all(1 <= s["level"] <= 5 for s in small.tables["technician_skills"])


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat1 - lat2) * 111.32
    dx = (lon1 - lon2) * 111.32 * math.cos(math.radians(lat2))
    return math.hypot(dx, dy)


def _histories(events: list[dict[str, Any]], key: str) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in sorted(events, key=lambda e: e["id"]):
        out[e[key]].append(e)
    return out


def test_each_sales_order_history_is_a_chain_of_allowed_moves_ending_in_its_status(
    small: DemoData,
) -> None:
    histories = _histories(small.tables["sales_order_events"], "order_id")
    service_day = datetime.combine(small.day, time(0), tzinfo=BRAND_TZ)

    for order in small.tables["sales_orders"]:
        history = histories[order["id"]]
        assert (history[0]["from_status"], history[0]["to_status"]) == (
            None,
            SalesOrderStatus.PLACED,
        )
        assert history[0]["at"] == order["placed_at"]
        for before, after in pairwise(history):
            assert after["from_status"] == before["to_status"]
            assert after["to_status"] in SALES_ORDER_LIFECYCLE.allowed(before["to_status"])
            assert before["at"] < after["at"]
        assert history[-1]["to_status"] == order["status"]
        assert history[-1]["at"] == order["updated_at"] and history[-1]["at"] < service_day
        assert order["version"] == len(history)
    assert {o["status"] for o in small.tables["sales_orders"]} == set(SalesOrderStatus)


def test_sales_order_totals_are_the_sum_of_their_lines_at_a_dealer_discount(
    small: DemoData,
) -> None:
    products = by_id(small, "products")
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in small.tables["sales_order_lines"]:
        lines[line["order_id"]].append(line)

    for order in small.tables["sales_orders"]:
        own = lines[order["id"]]
        assert order["total_fen"] == sum(line["amount_fen"] for line in own)
        assert [line["line_no"] for line in own] == list(range(1, len(own) + 1))
        assert len({line["product_id"] for line in own}) == len(own)
        for line in own:
            assert line["amount_fen"] == line["unit_price_fen"] * line["quantity"]
            assert (
                0.6 < line["unit_price_fen"] / products[line["product_id"]]["list_price_fen"] < 0.9
            )


def test_each_work_order_history_is_a_chain_of_allowed_moves_by_its_technician(
    small: DemoData,
) -> None:
    histories = _histories(small.tables["work_order_events"], "work_order_id")

    for order in small.tables["work_orders"]:
        history = histories[order["id"]]
        assert (history[0]["from_status"], history[0]["to_status"]) == (
            None,
            WorkOrderStatus.CREATED,
        )
        assert history[0]["at"] == order["created_at"]
        for before, after in pairwise(history):
            assert after["from_status"] == before["to_status"]
            assert after["to_status"] in WORK_ORDER.allowed(before["to_status"])
            assert before["at"] < after["at"] < order["window_start"]
            assert after["technician_id"] == order["technician_id"]
        assert history[-1]["to_status"] == order["status"]
        assert order["version"] == len(history) and history[-1]["at"] == order["updated_at"]
        assert (order["technician_id"] is None) == (order["status"] is WorkOrderStatus.CREATED)
