"""Behaviour of GYP files (``binding.gyp``, ``*.gyp``, ``*.gypi``).

gyp and node-gyp load a GYP file as a Python literal and run, through a shell,
every command expansion in it (``<!(command)``, ``<!@(command)``) and, at build
time, every ``action`` of its targets: for a native Node.js addon that happens at
``npm install``. Each command is handed to the shell analyzer (which reads
``node -e``/``python -c`` code too). The file is parsed with :func:`ast.parse`
only, never evaluated; a file that does not parse is searched as text.
"""

from __future__ import annotations

import ast
import re
import shlex

from chainsight.analyzers.behaviour._flow import Hit

_EXPANSION = re.compile(r"<!@?\(")
_RAW_EXPANSION = re.compile(r"<!@?\((.*?)\)\s*['\"]", re.S)
_RAW_ACTION = re.compile(r"['\"]action['\"]\s*:\s*\[([^\]]*)\]", re.S)
_RAW_WORD = re.compile(r"['\"]((?:\\.|[^'\"\\])*)['\"]")


def _expansions(value: str) -> list[str]:
    """The commands of the ``<!(…)`` / ``<!@(…)`` expansions in one string (up to the
    matching parenthesis)."""
    out = []
    for m in _EXPANSION.finditer(value):
        depth, i = 1, m.end()
        while i < len(value) and depth:
            depth += {"(": 1, ")": -1}.get(value[i], 0)
            i += 1
        out.append(value[m.end() : i - 1 if depth == 0 else i])
    return out


def _commands(text: str) -> list[tuple[str, int]]:
    """(shell command, line) of every expansion and action of the file."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        found = []
        for m in _RAW_EXPANSION.finditer(text):
            found.append((m.group(1), text.count("\n", 0, m.start()) + 1))
        for m in _RAW_ACTION.finditer(text):
            words = _RAW_WORD.findall(m.group(1))
            found.append(
                (" ".join(shlex.quote(w) for w in words), text.count("\n", 0, m.start()) + 1)
            )
        return found
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "<!" in node.value:
            found.extend((cmd, node.lineno) for cmd in _expansions(node.value))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "action"
                    and isinstance(value, ast.List)
                ):
                    words = [
                        e.value
                        for e in value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    ]
                    found.append((" ".join(shlex.quote(w) for w in words), value.lineno))
    return found


def analyze_gyp(text: str, path: str = "") -> list[Hit]:
    from chainsight.analyzers.behaviour.shell import shell_snippet_flow

    hits: list[Hit] = []
    for command, line in _commands(text):
        if command.strip():
            shell_snippet_flow(command, line, hits, path=path)
    return hits
