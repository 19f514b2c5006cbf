"""chainsight: find the telltale signs of xz-style supply-chain attacks."""

__version__ = "0.1.0"
