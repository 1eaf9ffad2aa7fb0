"""What every case returns, and small statistics."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass
class Result:
    case: str
    size: str
    figure: float
    unit: str
    baseline: float | None
    ratio: float | None
    target: str
    met: bool
    note: str = ""


def p99(values: list[float]) -> float:
    """Nearest-rank 99th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values)
