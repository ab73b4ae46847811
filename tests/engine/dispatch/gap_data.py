"""Where the OR-Library GAP files are (`../shared/bench-data/gap/`, or $CRM_BENCH_DATA/gap) and
their published optima (Chu & Beasley 1997; the README beside the data), for tests and the
benchmark. A test that needs the files skips with a clear message when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BENCH_DATA = Path(
    os.environ.get("CRM_BENCH_DATA")
    or Path(__file__).resolve().parents[4] / "shared" / "bench-data"
)

_MAXIMISE = {
    "gap1": (336, 327, 339, 341, 326),
    "gap2": (434, 436, 420, 419, 428),
    "gap3": (580, 564, 573, 570, 564),
    "gap4": (656, 644, 673, 647, 664),
    "gap5": (563, 558, 564, 568, 559),
    "gap6": (761, 759, 758, 752, 747),
    "gap7": (942, 949, 968, 945, 951),
    "gap8": (1133, 1134, 1141, 1117, 1127),
    "gap9": (709, 717, 712, 723, 706),
    "gap10": (958, 963, 960, 947, 947),
    "gap11": (1139, 1178, 1195, 1171, 1171),
    "gap12": (1451, 1449, 1433, 1447, 1446),
}
_MINIMISE = {
    "gapa": (1698, 3235, 1360, 2623, 1158, 2339),
    "gapb": (1843, 3552, 1407, 2827, 1166, 2339),
}
# "gap8#4" -> 1117: the optimum of the 4th problem of gap8.txt, in the file's own sense.
OPTIMA: dict[str, int] = {
    f"{stem}#{k}": value
    for stem, values in (_MAXIMISE | _MINIMISE).items()
    for k, value in enumerate(values, start=1)
}
MAXIMISED = frozenset(_MAXIMISE)
SMALL_SETS = tuple(_MAXIMISE)  # gap1 … gap12
LARGE_SETS = tuple(_MINIMISE)  # gapa, gapb


def gap_file(stem: str) -> Path:
    path = BENCH_DATA / "gap" / f"{stem}.txt"
    if not path.is_file():
        pytest.skip(
            f"benchmark data not found: {path} (set CRM_BENCH_DATA to the bench-data folder)"
        )
    return path
