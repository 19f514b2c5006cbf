"""The ``chainsight`` command's entry point.

Before the command line's modules load (about a tenth of a second), a one-file
audit's artifact starts decompressing on a thread (see
:mod:`chainsight.sources.prefetch`); then :func:`chainsight.cli.main` runs.
"""

from __future__ import annotations

import sys


def main() -> None:
    from chainsight.sources import prefetch

    prefetch.start_for_argv(sys.argv[1:])  # never raises; at worst nothing is started
    from chainsight.cli import main as cli_main

    cli_main()
