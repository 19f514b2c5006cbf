"""``debian/patches``: what Debian changes in the upstream code before building it.

A Debian patch is one more place code can enter a build, after the upstream
release and outside upstream's review.  This module reads the quilt ``series``
and each patch as text (nothing is applied) and reports, per patch, the files
it touches and the lines it adds and removes.  Patches that change build-system
files are singled out, with the hunk as evidence, and the lines they add are
read by the build-code behaviour analyzer.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from chainsight.analyzers.behaviour import build_code_kind, scan_build_code

_GENERATED_OR_AUX = frozenset(
    {
        "configure",
        "Makefile.in",
        "aclocal.m4",
        "ltmain.sh",
        "config.guess",
        "config.sub",
        "install-sh",
        "depcomp",
        "missing",
        "compile",
        "config.rpath",
        "libtool",
    }
)
"""Generated or vendored build files: a patch to them is as unreviewable as the file."""


@dataclass(frozen=True)
class Hunk:
    header: str
    """The ``@@ -a,b +c,d @@`` line."""
    lines: tuple[str, ...]
    """The hunk's body (``+``, ``-`` and context lines)."""

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(ln[1:] for ln in self.lines if ln.startswith("+"))


@dataclass(frozen=True)
class PatchedFile:
    path: str
    """The path in the upstream tree (first path component stripped, as ``-p1``)."""
    added: int
    removed: int
    hunks: tuple[Hunk, ...]
    binary: bool = False


@dataclass(frozen=True)
class Patch:
    name: str
    files: tuple[PatchedFile, ...]
    description: str = ""
    """First line of the DEP-3 ``Description:``/``Subject:`` header, if any."""

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)


def read_series(text: str) -> list[str]:
    """Patch names from a quilt ``series`` file (comments and options dropped)."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line.split()[0])
    return out


def _strip(path: str, level: int = 1) -> str:
    path = path.split("\t", 1)[0].strip()
    parts = path.split("/")
    return "/".join(parts[level:]) if len(parts) > level else path


_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


def parse_patch(name: str, text: str) -> Patch:
    """Files, hunks and line counts of a unified (or git) diff; unknown lines are skipped."""
    lines = text.splitlines()
    files: list[PatchedFile] = []
    description = ""
    i = 0
    git_path: str | None = None
    while i < len(lines):
        line = lines[i]
        if not files and not description:
            m = re.match(r"^(?:Description|Subject):\s*(?:\[PATCH[^\]]*\]\s*)?(.*)$", line)
            if m:
                description = m.group(1).strip()
        if line.startswith("diff --git "):
            parts = line.split()
            git_path = _strip(parts[3]) if len(parts) >= 4 else None
            i += 1
            continue
        if line.startswith("Binary files ") or line.startswith("GIT binary patch"):
            if git_path:
                files.append(PatchedFile(git_path, 0, 0, (), binary=True))
                git_path = None
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            old, new = line[4:], lines[i + 1][4:]
            path = _strip(new) if not new.startswith("/dev/null") else _strip(old)
            i += 2
            hunks: list[Hunk] = []
            added = removed = 0
            while i < len(lines) and (m := _HUNK.match(lines[i])):
                old_n = int(m.group(1) or 1)
                new_n = int(m.group(2) or 1)
                header = lines[i]
                body: list[str] = []
                i += 1
                while i < len(lines) and (old_n > 0 or new_n > 0):
                    ln = lines[i]
                    if ln.startswith("+"):
                        new_n -= 1
                        added += 1
                    elif ln.startswith("-"):
                        old_n -= 1
                        removed += 1
                    elif ln.startswith("\\"):
                        pass
                    else:  # context (a blank context line may have lost its space)
                        old_n -= 1
                        new_n -= 1
                    body.append(ln)
                    i += 1
                while i < len(lines) and lines[i].startswith("\\"):
                    i += 1
                hunks.append(Hunk(header, tuple(body)))
            files.append(PatchedFile(path, added, removed, tuple(hunks)))
            git_path = None
            continue
        i += 1
    return Patch(name, tuple(files), description)


def is_build_file(path: str) -> bool:
    """Build-system files, read at configure or build time (configure.ac, m4, Makefile.am…).

    Ordinary scripts (``tests/*.sh``) and Python modules are not: they are program
    code, which the patch summary lists without singling out.
    """
    base = posixpath.basename(path)
    if is_generated_or_aux(path) or base.startswith("configure"):
        return True
    if base in ("autogen.sh", "bootstrap", "setup.py", "pyproject.toml", "setup.cfg"):
        return True
    return build_code_kind(path) in ("m4", "make", "cmake", "meson", "rust")


def is_generated_or_aux(path: str) -> bool:
    """Generated files, aux scripts and m4 macros (where xz's injection lived)."""
    base = posixpath.basename(path)
    return (
        base in _GENERATED_OR_AUX
        or "build-aux/" in "/" + path
        or (base.endswith(".m4") and base != "configure.m4")
    )


def added_code_signals(patched: PatchedFile) -> list[tuple[int, str, str, str]]:
    """Behaviour signals in the lines a patch adds: (hunk index, rule, severity, evidence)."""
    out: list[tuple[int, str, str, str]] = []
    for n, hunk in enumerate(patched.hunks):
        text = "\n".join(hunk.added)
        if not text.strip():
            continue
        for sig in scan_build_code(patched.path, text):
            out.append((n, sig.rule_id, sig.severity.value, sig.text))
    return out
