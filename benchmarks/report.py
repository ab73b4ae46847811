"""Print a pytest-benchmark JSON file as the Markdown table of benchmarks/README.md, with the
percentiles pytest-benchmark does not show (median, p95, p99 over every round)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def table(path: Path) -> str:
    report = json.loads(path.read_text(encoding="utf-8"))
    machine = report["machine_info"]
    lines = [
        f"Measured {report['datetime'][:16].replace('T', ' ')} UTC on {machine['node']} "
        f"({machine['cpu'].get('brand_raw', machine['processor'])}, {machine.get('cpu', {}).get('count', '?')} cores), "
        f"Python {machine['python_version']}.",
        "",
        "| benchmark | rounds | median ms | p95 ms | p99 ms | min ms | ops/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for bench in sorted(report["benchmarks"], key=lambda b: b["fullname"]):
        samples = np.asarray(bench["stats"]["data"]) * 1000
        p50, p95, p99 = np.percentile(samples, [50, 95, 99])
        digits = 3 if p50 < 1 else 1  # sub-millisecond figures need their decimals
        lines.append(
            f"| `{bench['name']}` | {len(samples)} | {p50:.{digits}f} | {p95:.{digits}f} | {p99:.{digits}f} | "
            f"{samples.min():.{digits}f} | {1000 / samples.mean():,.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(Path(sys.argv[1] if len(sys.argv) > 1 else "var/benchmarks.json")))
