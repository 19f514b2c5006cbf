"""Small helpers shared by detectors."""

from __future__ import annotations

import time

from chainsight.history.thresholds import MONTH


def day(ts: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def months(seconds: float) -> str:
    m = seconds / MONTH
    return f"{m:.1f} months" if m < 24 else f"{m / 12:.1f} years"


def short(sha: str) -> str:
    return sha[:12]
