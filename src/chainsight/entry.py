"""The ``chainsight`` command's entry point.

Before the command line's modules load (about a tenth of a second), a one-file
audit's artifact starts decompressing on a thread (see
:mod:`chainsight.sources.prefetch`); then :func:`chainsight.cli.main` runs.

An ``audit`` runs without the cyclic garbage collector (:func:`one_shot_gc`).
"""

from __future__ import annotations

import gc
import sys


def one_shot_gc(argv: list[str]) -> bool:
    """Switch the cyclic garbage collector off for ``chainsight audit``; True if it was.

    Loading chainsight and auditing one release create hundreds of thousands of
    objects that live until the process ends; the collector walks them again and
    again and finds almost nothing to free (reference counting frees the rest). The
    process then leaves at once (see :func:`chainsight.cli.main`), which frees
    everything. Without it, the audit of xz-5.4.6.tar.gz takes about 15 ms less
    (0.440 -> 0.425 s), the synthetic x4 release 10 % less, at the same peak memory
    (see docs/performance.md). A batch, which runs for as long as its list, switches
    it back on (:func:`chainsight.cli.audit`); every other command keeps it."""
    if argv[:1] != ["audit"]:
        return False
    gc.disable()
    return True


def main() -> None:
    one_shot_gc(sys.argv[1:])
    from chainsight.sources import prefetch

    prefetch.start_for_argv(sys.argv[1:])  # never raises; at worst nothing is started
    from chainsight.cli import main as cli_main

    cli_main()
