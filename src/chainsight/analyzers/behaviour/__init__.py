"""Behaviour analyzer: what build- and install-time code *does*, read as text.

:func:`scan_build_code` takes one file of build code — shell (configure, m4,
Makefiles, build-aux scripts), CMake, Meson, Python build hooks, npm
``package.json`` lifecycle scripts and the JavaScript they run, Rust ``build.rs``
— and returns :class:`Signal` records with evidence lines. Nothing is executed or
imported: shell is lexed, Python is parsed with :mod:`ast`, the rest is read with
small purpose-built scanners.

The rules (``build-*``) describe behaviour — decoded data reaching an interpreter,
binary or test fixtures read by build code, substitution ciphers, byte slicing,
marker searches, commands derived from file extensions, silenced errors, gates on
the distribution build environment, self-patching of generated files, network
access — so that a loader written with ``awk``, ``perl``, ``base64``, ``rev``,
CMake or Python instead of ``tr``/``xz`` is caught the same way. The severity
policy (issue 3) is applied per file in :func:`._flow.finalize`.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass

from chainsight.analyzers.behaviour._flow import RULES, Hit, finalize
from chainsight.model import Severity

__all__ = ["RULES", "Signal", "build_code_kind", "read_matches", "scan_build_code"]

MAX_TEXT = 8_000_000
"""Files larger than this are not analysed (no build script is that large)."""


@dataclass(frozen=True)
class Signal:
    """One piece of evidence that build code behaves like a loader."""

    rule_id: str
    """Stable identifier, ``build-*`` (see :data:`RULES` and docs/rules.md)."""
    severity: Severity
    """After the file-level severity policy (issue 3)."""
    line: int
    """1-based line in the analysed file."""
    text: str
    """The evidence line, stripped, at most 200 characters."""
    why: str
    """One sentence: why this matters."""
    reads: tuple[str, ...] = ()
    """File paths, globs or marker patterns (as written) this code reads; lets the
    caller link binary blobs to the build file (see :func:`read_matches`)."""


_SHELL_NAMES = frozenset(
    {
        "configure",
        "config.status",
        "libtool",
        "ltmain.sh",
        "config.guess",
        "config.sub",
        "depcomp",
        "install-sh",
        "missing",
        "compile",
        "ar-lib",
        "test-driver",
        "config.rpath",
        "mkinstalldirs",
        "ylwrap",
        "mdate-sh",
        "texinfo.tex",
        "py-compile",
        "tap-driver.sh",
        "autogen.sh",
        "bootstrap",
        "build.sh",
        "install.sh",
        "configure.sh",
    }
)
_PY_HOOKS = re.compile(
    r"(?:^|/)(?:setup\.py|[^/]*_build\.py|hatch_build\.py|conanfile\.py|build\.py|noxfile\.py"
    r"|build_ext\.py|pdm_build\.py|scons(?:truct|cript)|SConstruct|SConscript|wscript)$",
    re.IGNORECASE,
)


_PROC_MACRO = re.compile(r"#\[proc_macro(?:_derive|_attribute)?\b|\bextern crate proc_macro\b")


def build_code_kind(path: str, text: str | None = None) -> str | None:
    """Which analyser reads ``path``: sh, m4, make, cmake, meson, python, npm, js, gyp,
    rust, npmrc, cmake-presets, perl."""
    base = posixpath.basename(path)
    low = base.lower()
    if low in ("meson.build", "meson_options.txt", "meson.options"):
        return "meson"
    if base == "CMakeLists.txt" or low.endswith((".cmake", ".cmake.in")):
        return "cmake"
    if base == "package.json":
        return "npm"
    if base == ".npmrc":
        return "npmrc"
    if base in ("Makefile.PL", "Build.PL") or (
        low.endswith(".pm") and (path.startswith("inc/") or "/inc/" in path)
    ):
        return "perl"  # a CPAN distribution's build, and the modules it bundles for it
    if base in ("CMakePresets.json", "CMakeUserPresets.json"):
        return "cmake-presets"
    if low.endswith((".gyp", ".gypi")):
        return "gyp"
    if low.endswith((".m4", ".ac")) or base in ("aclocal.m4", "configure.in"):
        return "m4"
    if (
        base
        in ("Makefile", "GNUmakefile", "makefile", "Makefile.in", "Makefile.am", "Makefile.in.in")
        or low.endswith((".mk", ".am", ".make"))
        or (low.startswith("makefile") and not low.endswith((".py", ".js", ".pl")))
    ):
        return "make"
    if base == "build.rs" or (
        low.endswith(".rs") and text is not None and _PROC_MACRO.search(text)
    ):
        return "rust"  # build scripts, and procedural macros (they run in the compiler)
    if _PY_HOOKS.search(path) or low.endswith((".py", ".pyw")):
        return "python"
    if low.endswith((".js", ".cjs", ".mjs")):
        return "js"
    if (
        base in _SHELL_NAMES
        or low.endswith((".sh", ".bash", ".ksh", ".zsh"))
        or "/build-aux/" in "/" + path
        or base.startswith("configure")
    ):
        return "sh"
    if text:
        first = text[:200].split("\n", 1)[0]
        if first.startswith("#!"):
            if re.search(r"\b(?:ba|da|k|z)?sh\b", first):
                return "sh"
            if "python" in first:
                return "python"
            if "node" in first:
                return "js"
    return None


def _hits_for(kind: str, path: str, text: str) -> list[Hit]:
    if kind in ("sh", "m4", "make"):
        from chainsight.analyzers.behaviour.shell import analyze_shell

        return analyze_shell(text, kind, path)
    if kind == "cmake":
        from chainsight.analyzers.behaviour.cmake import analyze_cmake

        return analyze_cmake(text, path)
    if kind == "meson":
        from chainsight.analyzers.behaviour.meson import analyze_meson

        return analyze_meson(text, path)
    if kind == "python":
        from chainsight.analyzers.behaviour.python_hooks import analyze_python

        return analyze_python(text, path)
    if kind == "npm":
        from chainsight.analyzers.behaviour.js import analyze_package_json

        return analyze_package_json(text, path)
    if kind == "js":
        from chainsight.analyzers.behaviour.js import analyze_js

        return analyze_js(text, path)
    if kind == "gyp":
        from chainsight.analyzers.behaviour.gyp import analyze_gyp

        return analyze_gyp(text, path)
    if kind == "rust":
        from chainsight.analyzers.behaviour.rust import analyze_build_rs

        return analyze_build_rs(text, path)
    if kind == "perl":
        from chainsight.analyzers.behaviour.perl import analyze_perl

        return analyze_perl(text, path)
    if kind == "npmrc":
        from chainsight.analyzers.behaviour.tool_config import analyze_npmrc

        return analyze_npmrc(text, path)
    if kind == "cmake-presets":
        from chainsight.analyzers.behaviour.tool_config import analyze_cmake_presets

        return analyze_cmake_presets(text, path)
    return []


def scan_build_code(path: str, text: str) -> list[Signal]:
    """Signals for one file of build- or install-time code (empty for other files).

    Pure: reads ``text`` only, never the file system, never runs anything.
    """
    kind = build_code_kind(path, text)
    if kind is None or not text or len(text) > MAX_TEXT:
        return []
    try:
        hits = _hits_for(kind, path, text)
    except RecursionError:  # pathological nesting: better nothing than a traceback
        return []
    lines = text.split("\n")
    out: list[Signal] = []
    for h in finalize(hits):
        line = min(max(h.line, 1), len(lines))
        evidence = lines[line - 1].strip()[:200] if lines else ""
        out.append(Signal(h.rule_id, h.severity, line, evidence, h.why, h.reads))
    return out


# ------------------------------------------------------------------ linking reads to blobs

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "digit": "0-9",
    "lower": "a-z",
    "upper": "A-Z",
    "space": r"\s",
    "blank": r" \t",
    "xdigit": "0-9A-Fa-f",
    "punct": r"!-/:-@\[-`{-~",
    "print": r" -~",
    "graph": r"!-~",
    "cntrl": r"\x00-\x1f",
}


def _posix_regex(pattern: str) -> re.Pattern[bytes] | None:
    p = re.sub(r"\[:(\w+):\]", lambda m: _POSIX_CLASSES.get(m.group(1), m.group(0)), pattern)
    p = p.replace("[[", "[").replace("]]", "]") if "[[" in pattern else p
    try:
        return re.compile(p.encode("latin-1", "replace"), re.MULTILINE)
    except (re.error, ValueError):
        return None


def read_matches(read: str, path: str, content: bytes | None = None) -> bool:
    """Does a ``reads`` entry designate this file? (path, glob, or marker found in content)

    ``read`` is as written in the build code: a path (``$srcdir/tests/files/x.xz``), a
    glob (``*.xz``) or a grep pattern (``#{4}[[:alnum:]]{5}#{4}$``). Shell and make
    variables and ``@SUBST@`` placeholders at the start of paths are ignored, and so is
    a leading ``*/`` (a directory
    computed at run time, such as a Python build hook's project root).
    """
    raw = read.strip("'\"")
    r = re.sub(r"^(?:\$\{?\w+\}?/|\$\(\w+\)/|@\w+@/|\./|\*/)+", "", raw)
    pathlike = (
        "/" in raw or raw.startswith(("*", "$")) or bool(re.fullmatch(r"[\w.*?-]+\.[\w*?]+", raw))
    )
    if pathlike:
        if not r or "$" in r:
            return False
        if "/" in r:
            return fnmatch.fnmatch(path, r) or fnmatch.fnmatch(path, "*/" + r)
        return fnmatch.fnmatch(posixpath.basename(path), r)
    if content is None or len(raw) < 3:
        return False
    if re.search(r"[\[\]{}()^$*+?|\\]", raw):
        rx = _posix_regex(raw)
        return bool(rx and rx.search(content))
    return raw.encode("utf-8", "replace") in content
