"""Decode-then-execute chains in *runtime* JavaScript (the event-stream pattern).

Build- and install-time code is read by :mod:`.js` with every ``build-*`` rule.
Runtime code — a package's ``index.js``, a published ``dist/`` bundle — is
different: network access, ``require``, ``eval`` and ``new Function`` are all
normal there (template engines, ``new Function("return this")``, webpack's
``eval`` devtool), so only one thing is looked for: data that went through a
decoder, decompressor or decipher (``Buffer.from(x, 'hex'|'base64')``,
``atob``, ``zlib.*Sync``, ``crypto.createDecipher*``, ``String.fromCharCode``
over code lists, XOR over ``charCodeAt``, or a helper function that returns one
of those) and then reaches something that runs code: ``eval``, ``Function``,
``vm.runIn*``/``vm.Script``/``compileFunction``, ``module._compile``,
``require`` of a decoded name, ``child_process``, or a method called by a
decoded name (``f[decode("5f636f6d70696c65")](src)``).

The decoded value is followed backwards from the sink through the nearest
earlier assignment of each name (three hops at most, within a window), which
keeps minified code — where ``e``, ``t`` and ``n`` are reused in every function
— from linking unrelated statements. Long string literals are blanked before
decoders are looked for, so code *quoted* inside an ``eval`` string (webpack's
``eval`` devtool) does not count as decoding.

Nothing is executed; the file is read as text with regular expressions.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from chainsight.analyzers.behaviour import Signal
from chainsight.analyzers.behaviour.js import _balanced_args, _rhs
from chainsight.model import Severity

R_RUNTIME_DECODE_EXEC = "runtime-decode-exec"

MAX_TEXT = 16_000_000
"""Larger files are not read (no hand-written module is that large)."""
WINDOW = 6_000
"""How far back (characters) an assignment may be from the statement using it."""
MAX_HOPS = 3
_DECODED_NAME = "a method called by a decoded name"

_DECODER = re.compile(
    r"Buffer\.from\s*\([^;]{0,4000}?,\s*(['\"`])(?:base64|base64url|hex|latin1|binary|ucs2)\1"
    r"|new\s+Buffer\s*\([^;]{0,4000}?,\s*(['\"`])(?:base64|hex)\2"
    r"|(?<![\w$.])atob\s*\("
    r"|\b(?:inflate|inflateRaw|gunzip|unzip|brotliDecompress)Sync\s*\("
    r"|createDecipher(?:iv)?\s*\("
    r"|String\.fromCharCode\s*(?:\.apply\s*\(|\(\s*\.\.\.|\((?:\s*\d+\s*,){8})"
    r"|(?<![\w$.])unescape\s*\(\s*['\"`]%"
    r"|\.split\(\s*(?:''|\"\")\s*\)\s*\.reverse\(\)\s*\.join\("
    r"|charCodeAt\s*\([^)]*\)\s*\^|\^\s*[\w$]+(?:\[[^\]]*\])?\.charCodeAt\s*\("
    r"|String\.fromCharCode\s*\([^)]*\^"
)
"""Expressions whose value is decoded data."""

_DECODER_HINTS = tuple(
    re.compile(p)
    for p in (
        # one literal-prefixed pattern each: far faster than one alternation on big bundles
        r"Buffer\.from",
        r"new Buffer",
        r"atob\(",
        r"(?:inflate|inflateRaw|gunzip|unzip|brotliDecompress)Sync",
        r"createDecipher",
        r"fromCharCode",
        r"unescape\(",
        r"\.reverse\(\)\s*\.join",
        r"charCodeAt\s*\([^)]*\)\s*\^",
        r"\^\s*[\w$]+(?:\[[^\]]*\])?\.charCodeAt",
    )
)
_SINK_HINT = re.compile(
    r"eval\s*\(|Function\s*\(|_compile|vm\.|runIn\w*Context|compileFunction|child_process"
    r"|require\s*\(|\]\s*\("
)

_SINKS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # (kind, pattern starting with a literal so that the scan is fast, characters that
    # must not precede the match)
    ("eval", re.compile(r"eval\s*\("), "\\w$."),
    ("func", re.compile(r"Function\s*\("), "\\w$."),
    (
        "vm",
        re.compile(r"(?:runInNewContext|runInThisContext|runInContext|compileFunction)\s*\("),
        "\\w$",
    ),
    ("vm", re.compile(r"Script\s*\("), "\\w$"),
    ("compile", re.compile(r"\._compile\s*\("), ""),
    ("require", re.compile(r"require\s*\("), "\\w$."),
    (
        "cp",
        re.compile(r"(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)\s*\("),
        "\\w$",
    ),
    # obj[decode(...)](...): a call inside the brackets gives the method's name
    ("computed", re.compile(r"\[\s*[A-Za-z_$][\w$.]*\s*\("), ""),
)
_FUNC_HEADER = re.compile(
    r"function\s+([A-Za-z_$][\w$]*)\s*\([^)]{0,80}\)\s*\{"
    r"|([A-Za-z_$][\w$]*)\s*[:=]\s*(?:function\s*[\w$]*\s*\([^)]{0,80}\)\s*\{"
    r"|(?:\([^)]{0,80}\)|[A-Za-z_$][\w$]*)\s*=>\s*\{?)"
)
RHS_LIMIT = 3000
ARGS_LIMIT = 4000
"""How far an assignment's value and a call's arguments are read (characters)."""
_IDENT = re.compile(r"(?<![\w$.])[A-Za-z_$][\w$]*")
_KEYWORDS = frozenset(
    {
        "var",
        "let",
        "const",
        "function",
        "return",
        "new",
        "typeof",
        "instanceof",
        "in",
        "of",
        "if",
        "else",
        "for",
        "while",
        "do",
        "this",
        "true",
        "false",
        "null",
        "undefined",
        "void",
        "delete",
        "await",
        "async",
        "yield",
        "catch",
        "try",
        "throw",
        "class",
        "super",
        "require",
        "module",
        "exports",
        "process",
        "Buffer",
        "String",
        "Object",
        "Array",
        "JSON",
        "Math",
        "window",
        "global",
        "globalThis",
        "self",
    }
)
_LONG_STRING = re.compile(
    r"'(?:\\.|[^'\\\n]){16,}'|\"(?:\\.|[^\"\\\n]){16,}\"|`(?:\\.|[^`\\]){16,}`"
)
_BLOB = re.compile(r"['\"`]([A-Za-z0-9+/=_-]{80,})['\"`]")
"""A long base64/hex literal: data embedded in the code rather than read."""
_TOKEN = re.compile(
    r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*.*?\*/", re.S
)


def _blank_long_strings(text: str) -> str:
    return _LONG_STRING.sub(
        lambda m: m.group(0)[0] + "_" * (len(m.group(0)) - 2) + m.group(0)[0], text
    )


@dataclass(frozen=True)
class _Origin:
    pos: int
    """Where the decoder is."""
    blob: int
    """Length of the longest encoded literal involved (0 when none)."""


class _RuntimeScan:
    def __init__(self, src: str) -> None:
        self.src = src
        self._lit_starts: list[int] | None = None
        self._lit_ends: list[int] = []
        self._hints = sorted(m.start() for rx in _DECODER_HINTS for m in rx.finditer(src))
        self._func_at_hint: dict[int, tuple[str, int] | None] = {}
        self._memo: dict[tuple[str, int], _Origin | None] = {}

    def in_literal(self, pos: int) -> bool:
        """Is ``pos`` inside a string literal or a comment? (Spans are found on first
        use: only a sink that is part of a chain is asked about.)"""
        if self._lit_starts is None:
            spans = [(m.start(), m.end()) for m in _TOKEN.finditer(self.src)]
            self._lit_starts = [a for a, _ in spans]
            self._lit_ends = [b for _, b in spans]
        i = bisect.bisect_right(self._lit_starts, pos) - 1
        return i >= 0 and pos < self._lit_ends[i] and pos != self._lit_starts[i]

    def _function_of(self, hint: int) -> tuple[str, int] | None:
        """(name, position) of a small function returning the decoder at ``hint``
        (``function e(r){return Buffer.from(r,"hex").toString()}``, ``d = s => atob(s)``)."""
        if hint in self._func_at_hint:
            return self._func_at_hint[hint]
        src = self.src
        result: tuple[str, int] | None = None
        headers = list(_FUNC_HEADER.finditer(src, max(0, hint - 600), hint))
        if headers:
            m = headers[-1]
            name = m.group(1) or m.group(2)
            if m.group(0).endswith("{"):
                body = _balanced_args(src, m.end(), 600)
                ok = len(body) < 590 and "return" in body
            else:
                body = _rhs(src, m.end(), 400)
                ok = True
            if (
                name
                and ok
                and m.end() + len(body) >= hint  # the decoder is inside the function
                and _DECODER.search(_blank_long_strings(body))
            ):
                result = (name, m.start())
        self._func_at_hint[hint] = result
        return result

    def is_decoder_function(self, name: str, pos: int) -> bool:
        """Is ``name``, called at ``pos``, a decoder function defined nearby? Minified
        code reuses one-letter names, so only definitions within reach count."""
        lo = bisect.bisect_left(self._hints, pos - 2 * WINDOW)
        hi = bisect.bisect_right(self._hints, pos + 2 * WINDOW)
        for hint in self._hints[lo:hi]:
            found = self._function_of(hint)
            if found is not None and found[0] == name:
                return True
        return False

    def decoded(self, expr: str, pos: int, hops: int = 0) -> _Origin | None:
        """Is ``expr`` (ending at ``pos`` in the file) decoded data? Where was it decoded?"""
        blanked = _blank_long_strings(expr)
        m = _DECODER.search(blanked)
        if m is None and self._hints:
            base = max(pos - len(expr), 0)
            for call in re.finditer(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(", blanked):
                if call.group(1) not in _KEYWORDS and self.is_decoder_function(
                    call.group(1), base + call.start()
                ):
                    m = call
                    break
        if m is not None:
            blob = max((len(b) for b in _BLOB.findall(expr)), default=0)
            return _Origin(max(pos - len(expr), 0) + m.start(), blob)
        if hops >= MAX_HOPS:
            return None
        seen: set[str] = set()
        limit = 24 if hops == 0 else 8
        for ident in _IDENT.findall(blanked):
            if ident in _KEYWORDS or ident in seen:
                continue
            if len(seen) >= limit:
                break
            seen.add(ident)
            key = (ident, pos - len(expr))
            if key not in self._memo:
                self._memo[key] = None  # cycles: a = f(a)
                self._memo[key] = self._assigned_decoded(ident, pos - len(expr), hops)
            found = self._memo[key]
            if found is not None:
                return found
        return None

    def _assigned_decoded(self, name: str, before: int, hops: int) -> _Origin | None:
        """The nearest assignments of ``name`` before ``before`` (``=`` and ``+=``)."""
        start = max(0, before - WINDOW)
        window = self.src[start:before]
        pattern = re.compile(rf"(?<![\w$.]){re.escape(name)}\s*(\+?=)(?![=>])\s*")
        matches = list(pattern.finditer(window))
        for m in reversed(matches[-3:]):
            rhs = _rhs(self.src, start + m.end(), RHS_LIMIT)
            found = self.decoded(rhs, start + m.end() + len(rhs), hops + 1)
            if found is not None:
                return found
            if m.group(1) == "=":
                break  # a plain assignment ends the search; += continues to earlier ones
        return None

    def uses_child_process(self, obj: str | None, pos: int) -> bool:
        if obj in ("child_process", "childProcess", "cp"):
            return True
        if "child_process" not in self.src:
            return False
        if obj is None:
            return True  # const { exec } = require('child_process')
        start = max(0, pos - WINDOW * 4)
        return bool(
            re.search(
                rf"(?<![\w$.]){re.escape(obj)}\s*=\s*require\s*\(\s*['\"](?:node:)?child_process",
                self.src[start:pos],
            )
        )

    def _sinks(self) -> list[tuple[str, re.Match[str]]]:
        src = self.src
        found: list[tuple[str, re.Match[str]]] = []
        for kind, pattern, not_before in _SINKS:
            bad = re.compile(f"[{not_before}]") if not_before else None
            for m in pattern.finditer(src):
                prev = src[m.start() - 1] if m.start() else ""
                if bad is not None and prev and bad.match(prev):
                    continue
                if (
                    kind == "vm"
                    and m.group(0).startswith("Script")
                    and not re.search(
                        r"new\s+(?:[\w$]+\.)?$", src[max(m.start() - 40, 0) : m.start()]
                    )
                ):
                    continue
                if kind == "computed" and not re.search(
                    r"[\w$\])]\s*$", src[max(m.start() - 8, 0) : m.start()]
                ):
                    continue
                found.append((kind, m))
        found.sort(key=lambda km: km[1].start())
        return found

    def chains(self) -> list[tuple[int, int, str, _Origin]]:
        """(sink position, sink end, what runs, origin) for every decode->execute chain."""
        src = self.src
        out: list[tuple[int, int, str, _Origin]] = []
        for kind, m in self._sinks():
            if kind == "cp":
                before = src[max(m.start() - 80, 0) : m.start()]
                member = re.search(r"(?:([A-Za-z_$][\w$]*)|[^\s\w$])\s*\.\s*$", before)
                obj = member.group(1) if member else None
                if member and obj is None:
                    # /re/.exec(s) no; require("child_process").exec(...) yes
                    if not re.search(r"child_process['\"]\s*\)\s*\.\s*$", before):
                        continue
                elif not self.uses_child_process(obj, m.start()):
                    continue
            token = m.group(0)
            if kind == "computed":
                name_expr = _balanced_args(src, m.start() + 1, 200)
                end = m.start() + 1 + len(name_expr)
                if not re.match(r"\]\s*\(", src[end : end + 20]):
                    continue
                # the name itself must be decoded here: no following of variables
                origin = self.decoded(name_expr, end, MAX_HOPS)
                if origin is not None and not self.in_literal(m.start()):
                    out.append((m.start(), m.end(), _DECODED_NAME, origin))
                continue
            args = _balanced_args(src, m.end(), ARGS_LIMIT)
            origin = self.decoded(args, m.end() + len(args))
            if origin is None or self.in_literal(m.start()):
                continue  # (a sink quoted in a string or a comment does not run)
            what = {
                "eval": "eval()",
                "func": "new Function()",
                "vm": "the vm module",
                "compile": "module._compile()",
                "require": "require() of a decoded module name",
                "cp": "child_process",
            }.get(kind or "", token)
            out.append((m.start(), m.end(), what, origin))
        return out


def _line_and_text(src: str, pos: int) -> tuple[int, str]:
    line = src.count("\n", 0, pos) + 1
    start = src.rfind("\n", 0, pos) + 1
    end = src.find("\n", pos)
    end = len(src) if end < 0 else end
    if end - start <= 200:
        return line, src[start:end].strip()
    lo = max(start, pos - 80)
    hi = min(end, pos + 120)
    return line, ("…" if lo > start else "") + src[lo:hi].strip() + ("…" if hi < end else "")


def worth_scanning(text: str) -> bool:
    """Cheap test: the file has something that decodes and something that runs code."""
    return any(rx.search(text) for rx in _DECODER_HINTS) and bool(_SINK_HINT.search(text))


def scan_runtime_js(path: str, text: str) -> list[Signal]:
    """``runtime-decode-exec`` signals (high) for one JavaScript file; pure, never runs it.

    Each chain gives the sink's line and the decoder's line as evidence.
    """
    del path  # the rule is the same wherever the file lives
    if not text or len(text) > MAX_TEXT or not worth_scanning(text):
        return []
    scan = _RuntimeScan(text)
    signals: list[Signal] = []
    seen: set[int] = set()
    for pos, _end, what, origin in scan.chains():
        line, snippet = _line_and_text(scan.src, pos)
        if line in seen and len(signals) >= 2:
            continue
        seen.add(line)
        blob = f" from an embedded {origin.blob}-character encoded literal" if origin.blob else ""
        if what == _DECODED_NAME:
            why = f"A method is called by a name decoded at run time{blob}"
        else:
            why = f"Decoded data{blob} is handed to {what}"
        signals.append(
            Signal(
                R_RUNTIME_DECODE_EXEC,
                Severity.HIGH,
                line,
                snippet,
                why + ": code hidden from review runs when the module is loaded.",
            )
        )
        o_line, o_text = _line_and_text(scan.src, origin.pos)
        signals.append(
            Signal(
                R_RUNTIME_DECODE_EXEC,
                Severity.MEDIUM,
                o_line,
                o_text,
                "Where the data executed above is decoded.",
            )
        )
        if len(signals) >= 16:
            break
    return signals
