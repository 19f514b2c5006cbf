"""The identifiers of autoconf's own macro library, over every tagged release.

Built by ``tools/build_autoconf_vocabulary.py`` from autoconf's git history only
(``lib/m4sugar/*.m4``, ``lib/autoconf/*.m4``); read by the configure check.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from chainsight.errors import ChainsightError

SCHEMA = "chainsight.autoconf-words/1"


class VocabularyError(ChainsightError):
    """The packaged vocabulary is missing or damaged (a broken installation)."""


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    try:
        raw = resources.files("chainsight.knowledge").joinpath("data", "autoconf_words.json.gz")
        data: object = json.loads(gzip.decompress(raw.read_bytes()))
    except (OSError, ValueError) as error:
        raise VocabularyError(f"cannot read autoconf's vocabulary: {error}") from error
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise VocabularyError(f"autoconf's vocabulary is not {SCHEMA}")
    return data


def autoconf_words() -> frozenset[str]:
    """Every identifier (3+ characters) of autoconf's macro library, any release."""
    return _words()


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    return frozenset(str(w) for w in _data()["words"])


def autoconf_versions() -> tuple[str, ...]:
    """The autoconf releases the vocabulary was gathered from."""
    return tuple(str(v) for v in _data()["versions"])
