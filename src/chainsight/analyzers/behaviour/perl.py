"""Behaviour of Perl build code: ``Makefile.PL``, ``Build.PL`` and the modules a
distribution bundles for its build (``inc/``, Module::Install's copy of itself).

Perl is read with regular expressions, block by block (a ``sub`` or a top-level
stretch of at most 40 lines): a block that reads a data or test file (a path of
``t/``, ``tests/``, ``data/``… or an opaque extension), decodes or deciphers
(``unpack`` of a binary format, ``pack 'H*'``, ``decode_base64``, ``chr`` of
computed numbers, ``tr///``, ``Compress::``) and runs code (a ``|-`` pipe, ``system``,
``exec``, backticks/``qx``, string ``eval``, ``do FILE``) is a loader
(``build-decode-to-interpreter``, high). Nothing is run.
"""

from __future__ import annotations

import itertools
import re

from chainsight.analyzers.behaviour import _flow as F
from chainsight.analyzers.behaviour._flow import Hit
from chainsight.model import Severity

_SUB = re.compile(r"^\s*sub\s+\w+", re.M)
_PATH = re.compile(r"""['"]([\w./${}-]*/[\w.-]+)['"]""")
_DECODE = re.compile(
    r"\bunpack\s*\(?\s*['\"][^'\"]*[wHhuBbNnVvCcU]|\bpack\s*\(?\s*['\"][HhuBbw]"
    r"|decode_base64|MIME::Base64|Compress::|IO::Uncompress|\btr/|\by/"
    r"|\bchr\s*\(\s*[^)]*[-+*/%^]|\bmap\s*\{\s*chr\b"
)
_SINK = re.compile(
    r"""open\s*\(?\s*(?:my\s+)?\$?\w+\s*,\s*['"]\|-['"]|open\s*\(?[^;]*['"]\s*\|\s*\w*sh\b"""
    r"""|\bsystem\s*[({'"$]|\bexec\s*[({'"$]|`[^`]+`|\bqx\s*[({/]|\beval\s*[$"]|\bdo\s+\$"""
)


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each ``sub`` and of the stretches between them (40 lines
    at most)."""
    starts = [0, *(m.start() for m in _SUB.finditer(text)), len(text)]
    out: list[tuple[int, str]] = []
    for a, b in itertools.pairwise(starts):
        chunk = text[a:b]
        first = text.count("\n", 0, a) + 1
        lines = chunk.split("\n")
        for k in range(0, len(lines), 40):
            out.append((first + k, "\n".join(lines[k : k + 40])))
    return out


def analyze_perl(text: str, path: str = "") -> list[Hit]:
    hits: list[Hit] = []
    if F.in_test_tree(path):
        return hits
    for first, block in _blocks(text):
        reads = [p for p in _PATH.findall(block) if F.fixture_kind(p) or F.in_test_tree(p)]
        if not reads:
            continue
        sink = _SINK.search(block)
        if sink is None or not _DECODE.search(block):
            continue
        hits.append(
            Hit(
                F.R_DECODE_EXEC,
                Severity.HIGH,
                first + block.count("\n", 0, sink.start()),
                "Perl build code reads a data or test file, decodes it and runs the result.",
                tuple(dict.fromkeys(reads)),
            )
        )
    return hits
