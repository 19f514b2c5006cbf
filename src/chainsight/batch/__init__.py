"""Batches: audit many package targets (a dependency set) concurrently, resumably.

- ``runner``: concurrent audits with an injectable audit function; one failure
  never stops the set;
- ``store``: finished results on disk, keyed by target + chainsight version +
  options, reused by a rerun;
- ``output``: ``chainsight.batch/1`` JSON, one aggregated SARIF run, the summary table;
- ``command``: what ``chainsight audit -r FILE`` / several targets runs;
- ``registry_audit``: the default audit function (the registry package audit).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def is_batch(targets: Sequence[str], deps: Sequence[Path]) -> bool:
    """True when the command line asks for a batch rather than one artifact. Kept here,
    not in ``command``, so that deciding costs no import of the batch machinery."""
    return bool(deps) or len(targets) > 1
