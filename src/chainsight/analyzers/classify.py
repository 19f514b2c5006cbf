"""What a file is: build-time code, runtime code, documentation or data.

The answer decides a finding's severity when nothing explains a difference:
code that runs at build or install time, and code that runs at all, are what
an attacker needs; documentation is what they need least.
"""

from __future__ import annotations

import posixpath
import re
from enum import StrEnum


class FileRole(StrEnum):
    BUILD = "build"
    CODE = "code"
    DOC = "doc"
    DATA = "data"


_BUILD_NAMES = {
    "configure",
    "configure.ac",
    "configure.in",
    "aclocal.m4",
    "acinclude.m4",
    "makefile",
    "makefile.in",
    "makefile.am",
    "gnumakefile",
    "config.status",
    "libtool",
    "ltmain.sh",
    "config.guess",
    "config.sub",
    "install-sh",
    "depcomp",
    "missing",
    "compile",
    "test-driver",
    "ar-lib",
    "config.rpath",
    "mkinstalldirs",
    "ylwrap",
    "py-compile",
    "tap-driver.sh",
    "mdate-sh",
    "elisp-comp",
    "autogen.sh",
    "bootstrap",
    "bootstrap.conf",
    "cmakelists.txt",
    "meson.build",
    "meson_options.txt",
    "meson.options",
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "build.rs",
    "cargo.toml",
    "package.json",
    "binding.gyp",
    "sconstruct",
    "sconscript",
    "wscript",
    "build",
    "build.bazel",
    "workspace",
    "workspace.bazel",
    "module.bazel",
    "rakefile",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "pom.xml",
    "build.xml",
    "conanfile.py",
    "conanfile.txt",
    "vcpkg.json",
    "justfile",
    "noxfile.py",
    "hatch_build.py",
    "pdm_build.py",
    ".npmrc",
    "cmakepresets.json",
    "cmakeuserpresets.json",
    "build.zig",
    "go.mod",
    "gemspec",
    "makefile.pl",
    "build.pl",
    "config.h.in",
    "config.h.cmake",
    "gettextize",
    "autopoint",
    "po/makefile.in.in",
}
_BUILD_SUFFIXES = (
    ".m4",
    ".am",
    ".in",
    ".cmake",
    ".mk",
    ".mak",
    ".gyp",
    ".gypi",
    ".bzl",
    ".gemspec",
    ".ac",
    ".sin",
)
_BUILD_DIRS = ("build-aux/", "m4/", "cmake/", "autotools/", "buildtools/", "aux/")

_CODE_SUFFIXES = {
    ".py",
    ".pyx",
    ".pth",
    ".pxd",
    ".pyi",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".mts",
    ".cts",
    ".jsx",
    ".tsx",
    ".c",
    ".h",
    ".cc",
    ".cpp",
    ".cxx",
    ".hh",
    ".hpp",
    ".hxx",
    ".inc",
    ".rs",
    ".go",
    ".rb",
    ".pl",
    ".pm",
    ".php",
    ".java",
    ".kt",
    ".scala",
    ".cs",
    ".swift",
    ".m",
    ".mm",
    ".lua",
    ".tcl",
    ".sh",
    ".bash",
    ".zsh",
    ".ksh",
    ".csh",
    ".ps1",
    ".bat",
    ".cmd",
    ".awk",
    ".sed",
    ".s",
    ".asm",
    ".S",
    ".so",
    ".dll",
    ".dylib",
    ".a",
    ".o",
    ".pyd",
    ".node",
    ".wasm",
    ".jar",
    ".class",
    ".el",
    ".vim",
    ".zig",
    ".d",
    ".f",
    ".f90",
    ".erl",
    ".ex",
    ".exs",
    ".hs",
    ".ml",
    ".clj",
    ".dart",
    ".r",
    ".jl",
    ".cu",
}
_DOC_SUFFIXES = {
    ".md",
    ".rst",
    ".txt",
    ".html",
    ".htm",
    ".css",
    ".texi",
    ".texinfo",
    ".info",
    ".pdf",
    ".1",
    ".2",
    ".3",
    ".4",
    ".5",
    ".6",
    ".7",
    ".8",
    ".9",
    ".man",
    ".adoc",
    ".asciidoc",
    ".pod",
    ".ps",
    ".dvi",
    ".tex",
    ".xml",
    ".xsl",
    ".docbook",
    ".png",
    ".svg",
    ".jpg",
    ".jpeg",
    ".gif",
    ".ico",
    ".rtf",
    ".org",
    ".epub",
    ".1in",
    ".3in",
    ".ronn",
    ".scd",
    ".wiki",
}
_DOC_NAMES = {
    "readme",
    "news",
    "changelog",
    "changes",
    "authors",
    "thanks",
    "todo",
    "copying",
    "copying.lib",
    "copying.lgpl",
    "copying.gpl",
    "license",
    "licence",
    "install",
    "history",
    "notice",
    "contributors",
    "maintainers",
    "bugs",
    "faq",
    "abs-nls",
    "about-nls",
    "changelog.old",
    "version",
    "copying.0bsd",
    "hacking",
}


def role_of(path: str, content: bytes | None = None) -> FileRole:
    """Classify ``path`` (relative, POSIX) optionally looking at its first bytes."""
    lower = path.lower()
    base = posixpath.basename(lower)
    if is_build_time(path):
        return FileRole.BUILD
    ext = posixpath.splitext(base)[1]
    if ext in _CODE_SUFFIXES or posixpath.splitext(path)[1] in _CODE_SUFFIXES:
        return FileRole.CODE
    if content is not None and (content.startswith(b"#!") or content.startswith(b"\x7fELF")):
        return FileRole.CODE
    if ext in _DOC_SUFFIXES or base in _DOC_NAMES or base.split(".")[0] in _DOC_NAMES:
        return FileRole.DOC
    if lower.startswith(("doc/", "docs/", "man/", "documentation/")):
        return FileRole.DOC
    return FileRole.DATA


def is_build_time(path: str) -> bool:
    """Whether a file is read or run as code when the package is built or installed."""
    lower = path.lower()
    base = posixpath.basename(lower)
    if base in _BUILD_NAMES or lower in _BUILD_NAMES:
        return True
    if base.endswith(_BUILD_SUFFIXES):
        # foo.h.in / foo.pc.in are templates filled at build time: build-time
        # input, but only shell-ish ones run. Treat templates as build-time.
        return True
    if any(lower.startswith(d) or f"/{d}" in lower for d in _BUILD_DIRS):
        return True
    if lower.startswith("inc/") and base.endswith(".pm"):
        return True  # modules a CPAN distribution bundles for its Makefile.PL
    return bool(re.search(r"(^|/)(makefile|gnumakefile)(\.[\w-]+)?$", lower))


_TEXT_BYTES = bytes([8, 9, 10, 12, 13, *range(32, 127), *range(128, 256)])


def is_binary(data: bytes) -> bool:
    """A quick text/binary split: NUL bytes or many non-text bytes in the head."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    control = len(head.translate(None, _TEXT_BYTES))
    return control / len(head) > 0.15
