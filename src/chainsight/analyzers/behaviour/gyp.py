"""Behaviour of GYP files (``binding.gyp``, ``*.gyp``, ``*.gypi``).

gyp and node-gyp load a GYP file as a Python literal and run, through a shell,
every command expansion in it (``<!(command)``, ``<!@(command)``) and, at build
time, every ``action`` of its targets: for a native Node.js addon that happens at
``npm install``. Each command is handed to the shell analyzer (which reads
``node -e``/``python -c`` code too), with an action's ``<@(_inputs)``,
``<@(_outputs)`` and the file's ``variables`` put in, so that the files the
program gets as arguments are known. The file is parsed with :func:`ast.parse`
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


_VARIABLE = re.compile(r"[<>]@?\(([A-Za-z_][\w.]*)\)")


def _str_list(node: ast.AST | None) -> list[str] | None:
    """A string constant or a list of string constants, as a list (else None)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List):
        out = [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        return out if len(out) == len(node.elts) else None
    return None


def _variables(tree: ast.AST) -> dict[str, list[str]]:
    """Every string or list of strings defined in a ``variables`` dict of the file
    (``name%`` defaults included), as gyp would substitute them: one level, no
    conditions."""
    out: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and key.value == "variables"):
                continue
            if not isinstance(value, ast.Dict):
                continue
            for k, v in zip(value.keys, value.values, strict=True):
                vals = _str_list(v)
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and vals is not None:
                    out.setdefault(k.value.rstrip("%"), vals)
    return out


def _expand(word: str, names: dict[str, list[str]]) -> list[str]:
    """A word of an action with ``<(name)``/``<@(name)`` replaced by what gyp puts
    there (``_inputs``, ``_outputs`` of the action, the file's variables); a word that
    is exactly a list expansion becomes several words."""
    m = _VARIABLE.fullmatch(word)
    if m and "@" in word[:2] and m.group(1) in names:
        return list(names[m.group(1)])

    def one(v: re.Match[str]) -> str:
        vals = names.get(v.group(1))
        return " ".join(vals) if vals is not None else v.group(0)

    return [_VARIABLE.sub(one, word)]


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
    variables = _variables(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "<!" in node.value:
            found.extend((cmd, node.lineno) for cmd in _expansions(node.value))
        elif isinstance(node, ast.Dict):
            entries = {
                key.value: value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            }
            value = entries.get("action")
            if not isinstance(value, ast.List):
                continue
            names = dict(variables)
            for own in ("inputs", "outputs"):  # the action's `<@(_inputs)`, `<@(_outputs)`
                vals = _str_list(entries.get(own))
                if vals is not None:
                    names["_" + own] = vals
            words = [
                w
                for e in value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
                for w in _expand(e.value, names)
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
