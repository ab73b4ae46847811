"""Instant recommendation: candidates by cheapest feasible insertion, everyone else by reason."""

import pytest

from engine.dispatch import solve
from engine.dispatch.compiled import compile_problem
from engine.dispatch.recommend import RecommendIndex, recommend
from engine.dispatch.timeline import schedule
from engine.dispatch.validate import parse
from engine.errors import DomainError
from schemas.dispatch import ExclusionReason, Mode, Recommendation

SHIFT = [{"start": 480, "end": 1080}]


# A planar street: one distance unit = one minute, technicians and orders along x.
def tech(id, x=0, **extra):
    return {"id": id, "start": {"x": x, "y": 0}, "skills": {"washer": 3}, "shifts": SHIFT} | extra


def order(id, x, duration=60, **extra):
    return {"id": id, "location": {"x": x, "y": 0}, "duration": duration, "skill": "washer",
            "min_level": 2} | extra


def problem(technicians, orders, **extra):
    return {"travel": {"kind": "euclidean"}, "technicians": technicians, "orders": orders} | extra


def recommend_x(technicians, orders, **extra):
    c = compile_problem(parse(problem(technicians, orders, **extra)))
    return recommend(c, "x")


def test_every_other_technician_is_excluded_with_his_reason():
    technicians = [
        tech("ok", 0),
        tech("tv", 0, skills={"tv": 3}),
        tech("junior", 0, skills={"washer": 1}),
        tech("far", 100, max_radius_km=20),
        tech("short", 0, capacity_minutes=30),
        tech("jobs", 0, max_jobs=0),
        tech("van", 0, parts_capacity=1),
        tech("late", 0, shifts=[{"start": 480, "end": 540}]),
    ]
    rec = recommend_x(technicians, [order("x", 10, parts_volume=2)])
    assert [c.technician_id for c in rec.candidates] == ["ok"]
    assert {g.reason: g.technician_ids for g in rec.excluded} == {
        ExclusionReason.NO_SKILL: ["tv"],
        ExclusionReason.LEVEL_TOO_LOW: ["junior"],
        ExclusionReason.OUT_OF_RADIUS: ["far"],
        ExclusionReason.CAPACITY_FULL: ["short"],
        ExclusionReason.JOBS_FULL: ["jobs"],
        ExclusionReason.PARTS_FULL: ["van"],
        ExclusionReason.NO_SHIFT_FITS: ["late"],  # 490 + 60 + 10 is after 540
    }
    assert rec.considered == 8 and rec.current_technician is None


def test_a_pinned_order_excludes_everyone_else_as_pinned_elsewhere():
    rec = recommend_x([tech("a", 0), tech("b", 0)], [order("x", 10, pinned_technician="b")])
    assert [c.technician_id for c in rec.candidates] == ["b"]
    assert [(g.reason, g.technician_ids) for g in rec.excluded] == [
        (ExclusionReason.PINNED_ELSEWHERE, ["a"])]


def test_a_candidate_carries_position_eta_added_travel_and_score():
    technicians = [tech("a", 0, route=[{"order_id": "b"}], capacity_minutes=400)]
    rec = recommend_x(technicians, [order("b", 20, duration=30), order("x", 10)])
    best = rec.candidates[0]
    # 0 → 10 → 20 → 0 travels 40, as 0 → 20 → 0 did: the order lies on his way
    assert (best.position, best.eta, best.start, best.added_travel_minutes) == (0, 490, 490, 0)
    assert (best.added_km, best.distance_km, best.skill_level) == (0, 10, 3)
    assert best.load_minutes_after == 90 and best.late_minutes == 0
    assert best.score.total == best.score.travel == 0


def test_candidates_are_ranked_by_score_and_cut_at_top():
    technicians = [tech(f"t{x}", x) for x in (50, 0, 30, 12, 80)]
    c = compile_problem(parse(problem(technicians, [order("x", 10)])))
    rec = RecommendIndex.build(c).recommend(c.order_index["x"], top=3)
    assert [cand.technician_id for cand in rec.candidates] == ["t12", "t0", "t30"]
    totals = [cand.score.total for cand in rec.candidates]
    assert totals == sorted(totals) and totals[0] == 4  # 12 → 10 → 12


def test_an_order_on_a_route_is_recommended_as_if_taken_off_it():
    # x sits on a's route; with it taken off, a's day is empty again and a still competes
    technicians = [tech("a", 0, capacity_minutes=60, route=[{"order_id": "x"}]), tech("b", 30)]
    rec = recommend_x(technicians, [order("x", 10)])
    assert rec.current_technician == "a"
    assert [(c.technician_id, c.added_travel_minutes) for c in rec.candidates] == [
        ("a", 20), ("b", 40)]
    assert rec.candidates[0].load_minutes_after == 60  # not 120: his minutes without x


def test_lateness_of_visits_pushed_later_counts_and_moves_the_order_after_them():
    # b (at 20, due by 520) is on a's route; x before b would make b end at 540
    technicians = [tech("a", 0, route=[{"order_id": "b"}])]
    orders = [order("b", 20, duration=10, sla_deadline=520), order("x", 10, duration=30)]
    best = recommend_x(technicians, orders).candidates[0]
    assert best.position == 1 and best.score.lateness == 0
    c = compile_problem(parse(problem(technicians, orders)))
    day = schedule(c, 0, [c.order_index["b"], c.order_index["x"]])
    assert best.eta == day.visits[1].arrival


def test_a_candidate_with_a_break_is_confirmed_by_the_day_rules():
    brk = {"earliest": 480, "latest": 480, "duration": 30}
    technicians = [tech("a", 0, **{"break": brk})]
    best = recommend_x(technicians, [order("x", 10)]).candidates[0]
    assert (best.eta, best.start) == (520, 520)  # the break first, then 10 minutes' drive


def test_nobody_able_means_no_candidates_and_everyone_excluded():
    rec = recommend_x([tech("a", skills={"tv": 1}), tech("b", capacity_minutes=10)],
                      [order("x", 10)])
    assert rec.candidates == []
    assert sum(len(g.technician_ids) for g in rec.excluded) == 2


def test_solve_in_recommend_mode_returns_a_recommendation():
    data = problem([tech("a", 0)], [order("x", 10)], recommend_order="x")
    rec = solve(data, Mode.RECOMMEND)
    assert isinstance(rec, Recommendation) and rec.candidates[0].technician_id == "a"


def test_recommend_mode_without_an_order_is_a_domain_error():
    with pytest.raises(DomainError) as caught:
        solve(problem([tech("a", 0)], [order("x", 10)], recommend_order="nope"), Mode.RECOMMEND)
    assert "recommend_order" in str(caught.value.errors[0].path)


def test_an_unknown_order_is_a_domain_error_from_python_too():
    c = compile_problem(parse(problem([tech("a", 0)], [order("x", 10)])))
    with pytest.raises(DomainError) as caught:
        recommend(c, "nope")
    assert caught.value.errors[0].path == ("recommend_order",)


def test_the_same_problem_gives_the_same_recommendation():
    technicians = [tech(f"t{i}", i * 7 % 40, route=[{"order_id": f"o{i}"}]) for i in range(6)]
    orders = [order(f"o{i}", i * 11 % 50, duration=20) for i in range(6)] + [order("x", 25)]
    first, second = (recommend_x(technicians, orders) for _ in range(2))
    assert first.model_dump(exclude={"elapsed_ms"}) == second.model_dump(exclude={"elapsed_ms"})


def test_a_one_off_recommendation_answers_like_the_full_index():
    # recommend() lays out only the routes of those who could take the order
    technicians = [tech(f"t{i}", i * 7 % 40, skills={"washer": 1 + i % 3},
                        route=[{"order_id": f"o{i}"}]) for i in range(9)]
    orders = [order(f"o{i}", i * 11 % 50, duration=20, min_level=1) for i in range(9)]
    c = compile_problem(parse(problem(technicians, orders + [order("x", 25)])))
    for order_id in ("x", "o4"):
        one_off = recommend(c, order_id)
        full = RecommendIndex.build(c).recommend(c.order_index[order_id])
        assert one_off.model_dump(exclude={"elapsed_ms"}) == full.model_dump(exclude={"elapsed_ms"})
        assert one_off.candidates
