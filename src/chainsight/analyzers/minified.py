"""Minified or bundled JavaScript, and whether the package ships its readable source.

A reviewer can read a package's ``lib/index.js``; nobody reads 2 MB of
``dist/app.min.js``. Such files are where an appended payload hides best
(event-stream), so the npm checks list the ones that come without a readable
source. The heuristics, measured on the popular packages of
``eval/npm_corpus.py`` (docs/evaluation.md):

- **minified**: a ``.min.js``/``-min.js`` name, or at least half of the bytes on
  lines longer than 500 characters while whitespace is under 12 % of the file
  (hand-written code: 15-35 %; minifier output: 1-6 %);
- **bundled**: a bundler's bootstrap (webpack's ``__webpack_require__.r(``/
  ``/******/`` runtime, esbuild's ``var __commonJS =``/``__toESM``, browserify's prelude,
  Parcel's ``parcelRequire``, SystemJS ``System.register``) in the first 4 KiB;
- **has a source**: a source map (``//# sourceMappingURL=`` naming a file in the
  package or inline, or ``FILE.map`` next to it), or a readable file in the
  package with the same stem once ``min``/``prod``/``production``/``umd``/
  ``esm``/``cjs``/``bundle``... tokens are dropped (``react.production.min.js``
  -> ``react.development.js``; ``dist/x.js`` -> ``src/x.ts``).

Files under 2 KiB are never reported: they can be read as they are.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

MIN_SIZE = 2048
LONG_LINE = 500
LONG_SHARE = 0.5
MAX_WHITESPACE = 0.12
BOOTSTRAP_WINDOW = 4096
"""Bundlers put their bootstrap first; code generators (webpack's own plugins) only
mention the same names further down."""

JS_EXTS = (".js", ".cjs", ".mjs")
_SOURCE_EXTS = (".js", ".cjs", ".mjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".coffee", ".vue")
_MIN_NAME = re.compile(r"[.-]min\.[cm]?js$", re.IGNORECASE)
_BUNDLERS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    # the runtime helpers a bundle calls, not the names (webpack's own source has those)
    ("webpack bootstrap", re.compile(rb"__webpack_require__\.[rdnot]\(|/\*{6}/ ")),
    ("esbuild module wrappers", re.compile(rb"(?:var|let|const)\s+__(?:commonJS|toESM)\s*=")),
    (
        "browserify prelude",
        re.compile(rb"function\s*\w\(\w,\w,\w\)\{function \w\(\w,\w\)\{if\(!\w\[\w\]\)"),
    ),
    ("Parcel bootstrap", re.compile(rb"parcelRequire")),
    ("SystemJS register", re.compile(rb"System\.register\s*\(")),
)
_STEM_NOISE = frozenset(
    {
        "min",
        "prod",
        "production",
        "dev",
        "development",
        "umd",
        "esm",
        "cjs",
        "es",
        "es5",
        "es2015",
        "es6",
        "bundle",
        "browser",
        "global",
        "iife",
        "module",
        "node",
        "runtime",
        "slim",
        "full",
    }
)
_MAP_URL = re.compile(rb"[#@]\s*sourceMappingURL\s*=\s*(\S+)")


@dataclass(frozen=True)
class Opaque:
    """Why a JavaScript file cannot be reviewed as it is."""

    kind: str
    """``minified``, ``bundled`` or ``minified bundle``."""
    reasons: tuple[str, ...]
    """The measurements or markers that decided it."""


def is_js(path: str) -> bool:
    return path.lower().endswith(JS_EXTS)


def opaque_js(path: str, data: bytes) -> Opaque | None:
    """Is this JavaScript file minified or bundled? (None: it reads like source)."""
    if len(data) < MIN_SIZE:
        return None
    reasons: list[str] = []
    minified = False
    if _MIN_NAME.search(path):
        minified = True
        reasons.append("named .min.js")
    whitespace = (len(data) - len(data.translate(None, b" \t\r\n"))) / len(data)
    long_bytes = sum(len(line) for line in data.split(b"\n") if len(line) > LONG_LINE)
    share = long_bytes / len(data)
    if share >= LONG_SHARE and whitespace < MAX_WHITESPACE:
        minified = True
        reasons.append(
            f"{share:.0%} of the bytes on lines over {LONG_LINE} characters, "
            f"{whitespace:.0%} whitespace"
        )
    head = data[:BOOTSTRAP_WINDOW]
    bundled = [name for name, rx in _BUNDLERS if rx.search(head)]
    reasons += bundled
    if not minified and not bundled:
        return None
    kind = "minified bundle" if minified and bundled else "minified" if minified else "bundled"
    return Opaque(kind, tuple(reasons))


def _stem(path: str) -> str:
    base = posixpath.basename(path).lower()
    parts = [p for p in re.split(r"[.-]", base) if p]
    if len(parts) > 1:
        parts = parts[:-1]  # the extension
    kept = [p for p in parts if p not in _STEM_NOISE]
    return ".".join(kept or parts)


class SourceIndex:
    """The package's files, indexed by stem, to find what makes a file readable."""

    def __init__(self, paths: Collection[str]) -> None:
        self.paths = frozenset(paths)
        self._by_stem: dict[str, list[str]] = {}
        for p in self.paths:
            if p.lower().endswith(_SOURCE_EXTS) and not p.endswith(".d.ts"):
                self._by_stem.setdefault(_stem(p), []).append(p)

    def source_for(self, path: str, data: bytes, is_readable: Callable[[str], bool]) -> str | None:
        """What in the package lets a reviewer read ``path``'s source, or None.

        ``is_readable(p)`` says whether another JavaScript/TypeScript file is itself
        readable (not minified or bundled).
        """
        found = _MAP_URL.findall(data[-600:])
        if found:
            url = found[-1].decode("utf-8", "replace")
            if url.startswith("data:"):
                return "inline source map"
            base = posixpath.dirname(path)
            target = posixpath.normpath(posixpath.join(base, url.split("?")[0]))
            if target in self.paths:
                return f"source map {target}"
        if path + ".map" in self.paths:
            return f"source map {path}.map"
        here = posixpath.dirname(path)
        candidates = [p for p in self._by_stem.get(_stem(path), ()) if p != path]
        candidates.sort(key=lambda p: (posixpath.dirname(p) != here, len(p), p))
        for p in candidates[:8]:
            if is_readable(p):
                return f"readable file {p}"
        return None
