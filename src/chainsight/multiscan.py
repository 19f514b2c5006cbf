"""Scan one text for a fixed set of regular expressions in a single pass.

The shell scanner's prefilters and the ``ioc-*`` needles run several whole-text
regular expressions over every changed build file; Python's engine tries each
of them at every position (about 9 ms per pattern per megabyte). Hyperscan
(Intel's multi-pattern engine, optional: x86-64 Linux wheels) runs them all in
one pass in about 1 ms. Its compiled database takes ~50 ms to build, so it is
built once and kept in the cache directory, keyed by the patterns and the
Hyperscan version; where the cache cannot be written, or Hyperscan is absent,
callers use ``re`` (``available`` is False and ``ends`` returns None).

Semantics. Patterns are written in the subset both engines share — ASCII
classes only (callers compile their ``re`` fallbacks with ``re.ASCII``), no
back-references — and a lookahead is allowed only as the pattern's last item,
where it is matched as a consumed group here: a match's end therefore includes
the lookahead's character, which callers account for (see ``ends``).
Hyperscan reports every end of every match, overlapping or not, where
``re.finditer`` reports the leftmost non-overlapping ones: the Hyperscan
result is a superset, equal whenever matches cannot overlap.

Setting ``CHAINSIGHT_NO_HYPERSCAN=1`` forces the ``re`` paths (tests compare both).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any


def _hyperscan() -> Any | None:
    if os.environ.get("CHAINSIGHT_NO_HYPERSCAN"):
        return None
    try:
        import hyperscan
    except ImportError:
        return None
    return hyperscan


_cache_dir: Path | None = None


def use_cache_dir(path: Path | None) -> None:
    """Keep compiled databases under ``path`` (the audit's ``--cache-dir``) instead of
    the default cache directory; call before the databases are first used."""
    global _cache_dir
    _cache_dir = path


def _cache_root() -> Path:
    from chainsight.sources.git import default_cache_dir

    return (_cache_dir if _cache_dir is not None else default_cache_dir()) / "hyperscan"


class PatternSet:
    """Regular expressions (as ``bytes``) compiled together for one-pass scanning."""

    def __init__(self, name: str, patterns: Sequence[bytes], *, caseless: bool = False) -> None:
        self.name = name
        self.patterns = tuple(p.replace(b"(?=", b"(?:") for p in patterns)
        self.caseless = caseless

    @cached_property
    def _database(self) -> Any | None:
        hs = _hyperscan()
        if hs is None:
            return None
        version = getattr(hs, "__version__", "?")
        key = hashlib.sha256(repr((version, self.caseless, self.patterns)).encode()).hexdigest()[
            :20
        ]
        path = _cache_root() / f"{self.name}-{key}.db"
        with contextlib.suppress(OSError, Exception):
            loaded = hs.loadb(path.read_bytes(), hs.HS_MODE_BLOCK)
            loaded.scratch = hs.Scratch(loaded)
            return loaded
        flags = hs.HS_FLAG_CASELESS if self.caseless else 0
        try:
            db = hs.Database(mode=hs.HS_MODE_BLOCK)
            db.compile(
                expressions=list(self.patterns),
                ids=list(range(len(self.patterns))),
                elements=len(self.patterns),
                flags=[flags] * len(self.patterns),
            )
            serialized = hs.dumpb(db)
        except Exception:  # pragma: no cover - a pattern Hyperscan rejects: use re
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(serialized)
            os.replace(tmp, path)
        except OSError:
            # no cache: building the database on every run would cost more than re
            return None
        return db

    @property
    def available(self) -> bool:
        return self._database is not None

    def ends(self, data: bytes) -> list[set[int]] | None:
        """For each pattern, the offsets of the last byte of its matches in ``data``
        (the byte a trailing lookahead looked at, when the pattern has one); None
        when Hyperscan is not in use."""
        db = self._database
        if db is None:
            return None
        found: list[set[int]] = [set() for _ in self.patterns]

        def on_match(pattern: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            found[pattern].add(end - 1)

        db.scan(data, match_event_handler=on_match)
        return found
