"""Travel legs: haversine against a known distance, Euclidean truncation, explicit matrices."""

import numpy as np
import pytest

from engine.dispatch.travel import Places, TravelModel, haversine_km, truncated_distance
from schemas.dispatch import Location, Travel, TravelKind


def test_haversine_matches_a_known_city_pair():
    # Shanghai People's Square to Hangzhou West Lake: about 165 km great-circle.
    km = haversine_km(np.array(121.4737), np.array(31.2304), np.array(120.1551), np.array(30.2741))
    assert 160 < float(km) < 170


def test_haversine_minutes_round_up_with_road_factor_and_speed():
    places = Places.of([Location(x=121.0, y=31.0), Location(x=121.0, y=31.1)])
    travel = TravelModel(Travel(road_factor=1.5, speed_kmh=60), places)
    minutes, km = travel.legs(np.array([0]), np.array([1]))
    assert km[0] == pytest.approx(11.119 * 1.5, rel=1e-3)
    assert minutes[0] == 17  # 16.68 minutes, never optimistic


def test_euclidean_minutes_truncate_at_ten_minutes_a_unit():
    places = Places.of([Location(x=0, y=0), Location(x=3, y=4), Location(x=1, y=1)])
    travel = TravelModel(Travel(kind=TravelKind.EUCLIDEAN, units_per_minute=0.1), places)
    minutes, km = travel.matrix()
    assert minutes[0, 1] == 50 and km[0, 1] == 5.0
    assert minutes[0, 2] == 14  # √2 = 1.414… → 14 tenths, truncated


def test_matrix_travel_reads_nodes():
    places = Places.of([Location(node=1), Location(node=0)])
    travel = TravelModel(Travel(kind=TravelKind.MATRIX, minutes=[[0, 7], [9, 0]]), places)
    minutes, _ = travel.legs(np.array([0, 1]), np.array([1, 0]))
    assert minutes.tolist() == [9, 7]


def test_truncated_distance_truncates_each_leg():
    x, y = np.array([0.0, 1.0, 1.0]), np.array([0.0, 1.0, 0.0])
    assert truncated_distance(x, y, [0, 1, 2, 0]) == pytest.approx(1.4 + 1.0 + 1.0)
