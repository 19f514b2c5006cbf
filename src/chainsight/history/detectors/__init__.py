"""Detectors: one module per pattern, each ``detect(ctx) -> list[Event]``.

Every event carries a severity and the ``weight`` it adds to its person's
escalation score; :mod:`chainsight.history.detectors.escalation` ties the
events of one person together. docs/rules.md documents each rule.
"""

from __future__ import annotations

from collections.abc import Callable

from chainsight.history.context import HistoryContext
from chainsight.history.detectors import (
    binaries,
    build_security,
    contact,
    dormancy,
    handover,
    rise,
    signers,
)
from chainsight.history.model import Event

Detector = Callable[[HistoryContext], list[Event]]

DETECTORS: tuple[Detector, ...] = (
    rise.detect,
    signers.detect,
    handover.detect,
    contact.detect,
    binaries.detect,
    build_security.detect,
    dormancy.detect,
)


def run_all(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    for detector in DETECTORS:
        events.extend(detector(ctx))
    events.sort(key=lambda e: (e.time, e.kind))
    return events
