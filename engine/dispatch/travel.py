"""Travel time and distance between places, vectorised: haversine with a road factor and a
speed (real coordinates), Euclidean (planar benchmark data) or an explicit matrix.

Minutes are integers (the solvers work in whole minutes). Haversine rounds up, so an ETA is
never optimistic; Euclidean truncates, which with an importer's scale of ten minutes a unit is
exactly the Solomon convention of distances truncated to one decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from schemas.dispatch import Location, Travel, TravelKind

EARTH_RADIUS_KM = 6371.0088
_EPSILON = 1e-9  # keeps 2.0 / 0.1 from truncating to 19


@dataclass(frozen=True)
class Places:
    """Coordinates (or matrix nodes) of a list of places, as arrays."""

    x: np.ndarray
    y: np.ndarray
    node: np.ndarray  # -1 where a place has no matrix node

    @classmethod
    def of(cls, locations: Sequence[Location]) -> Places:
        return cls(
            np.fromiter((p.x for p in locations), float, len(locations)),
            np.fromiter((p.y for p in locations), float, len(locations)),
            np.fromiter((-1 if p.node is None else p.node for p in locations), np.int64, len(locations)),
        )


def haversine_km(x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> np.ndarray:
    """Great-circle distance; x is longitude and y latitude, in degrees (broadcasts)."""
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (x1, y1, x2, y2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class TravelModel:
    """Answers "how many minutes and km from a to b" for index arrays into one Places."""

    def __init__(self, travel: Travel, places: Places) -> None:
        self.travel = travel
        self.places = places
        if travel.kind is TravelKind.MATRIX:
            assert travel.minutes is not None  # checked by the contract
            self._minutes = np.asarray(travel.minutes, dtype=np.int64)
            self._km = (
                np.asarray(travel.km, dtype=float)
                if travel.km is not None
                else self._minutes.astype(float)  # no distances given: report minutes
            )

    def legs(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Minutes (int64) and km (float) from places a to places b, element-wise (broadcasts)."""
        p, travel = self.places, self.travel
        if travel.kind is TravelKind.MATRIX:
            na, nb = p.node[a], p.node[b]
            return self._minutes[na, nb], self._km[na, nb]
        if travel.kind is TravelKind.EUCLIDEAN:
            distance = np.hypot(p.x[b] - p.x[a], p.y[b] - p.y[a])
            minutes = np.floor(distance / travel.units_per_minute + _EPSILON).astype(np.int64)
            return minutes, distance
        km = haversine_km(p.x[a], p.y[a], p.x[b], p.y[b]) * travel.road_factor
        minutes = np.ceil(km / travel.speed_kmh * 60.0 - _EPSILON).astype(np.int64)
        return minutes, km

    def matrix(self, index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Full minutes and km matrices over the given places (default: all of them)."""
        if index is None:
            index = np.arange(len(self.places.x))
        return self.legs(index[:, None], index[None, :])


def truncated_distance(x: np.ndarray, y: np.ndarray, path: Sequence[int]) -> float:
    """Length of a path with each leg truncated to one decimal (the Solomon `.sol` convention)."""
    if len(path) < 2:
        return 0.0
    idx = np.asarray(path)
    legs = np.hypot(np.diff(x[idx]), np.diff(y[idx]))
    return float(np.floor(legs * 10 + _EPSILON).sum()) / 10
