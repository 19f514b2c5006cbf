"""Resource limits for reading hostile archives."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Caps applied while streaming an artifact. Reaching one makes the result partial.

    The defaults are generous enough for llvm-project's source tarball
    (about 150,000 members and 1.5 GiB unpacked).
    """

    max_members: int = 400_000
    """Members read before the rest of the archive is skipped."""
    max_total_bytes: int = 8 * GiB
    """Uncompressed bytes read in all, across members."""
    max_member_bytes: int = 1 * GiB
    """Uncompressed bytes of any one member."""
    max_ratio: float = 250.0
    """Uncompressed/compressed ratio beyond which a stream is treated as a bomb."""
    ratio_grace_bytes: int = 64 * MiB
    """Uncompressed bytes allowed before the ratio check applies."""
    max_retained_file_bytes: int = 16 * MiB
    """Largest member whose content is kept in memory for analysis."""
    max_retained_total_bytes: int = 512 * MiB
    """Content kept in memory in all; beyond it members are hashed only."""
    # Archives inside archives are never opened (only a .dsc's named tarballs are
    # read), so there is no nesting limit to set.
