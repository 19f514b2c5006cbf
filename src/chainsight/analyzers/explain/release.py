"""Release processes: stamping, changelogs from history, rendered documentation,
compiled outputs, vendored trees, npm publish fields and cargo packaging."""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections import Counter
from typing import Any

from chainsight.analyzers.classify import FileRole, role_of
from chainsight.analyzers.context import AuditContext, Difference, Explanation
from chainsight.model import Category, Status

# -- release stamping ---------------------------------------------------------

_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_OLD_TOKEN = re.compile(
    r"^(v?\d+([._-]\d+)*([._-]?(dev|rc|alpha|beta|pre|post|git|snapshot)\d*)?|"
    r"0x[0-9a-f]+|" + _MONTHS + r"|dev|unreleased|snapshot|git|mon|tue|wed|thu|fri|sat|sun|"
    r"utc|gmt|st|nd|rd|th|[\"',.()\[\]+-]|release|released|date|version)$",
    re.IGNORECASE,
)
"""What a stamped-over placeholder may have been: an old version, a date, -DEV, [unreleased]."""
_NEW_WORD = re.compile(
    r"^(" + _MONTHS + r"|mon|tue|wed|thu|fri|sat|sun|utc|gmt|st|nd|rd|th|"
    r"[\"',.()\[\]+-]|release|released|date|version)$",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_CONTEXT = re.compile(r"\d{4}-\d{2}-\d{2}|\b" + _MONTHS + r"\b", re.IGNORECASE)
_STAMP_CONTEXT = re.compile(r"version|date|release|\d{4}-\d{2}-\d{2}|" + _MONTHS, re.IGNORECASE)
_TOKENS = re.compile(r"0x[0-9A-Fa-f]+|[A-Za-z]+|\d+(?:[._-]\d+)*|\S")


def _stamp_only(a: str, s: str, release_version: str | None) -> bool:
    """True when the only changes write the release's version and date.

    Every changed line must concern versions or dates; every value that
    appears is the release version, one of its numbers (``MAJOR 8``), its hex
    encoding (``0x080500``), or a date on a line that holds a date. What was
    replaced may be any old version, date or ``-DEV`` marker. Linear in the
    file size: lines, then tokens, are compared as multisets.
    """
    if not release_version:
        return False
    numbers = re.findall(r"\d+", release_version)
    version_hex = "0x" + "".join(f"{int(n):02x}" for n in numbers[:3])

    def about_release(line: str) -> bool:
        return bool(_STAMP_CONTEXT.search(line)) or release_version in line

    a_count = Counter(a.splitlines())
    s_count = Counter(s.splitlines())
    added = list((a_count - s_count).elements())
    removed = list((s_count - a_count).elements())
    if not added and not removed:
        return False
    if len(added) + len(removed) > 60 or abs(len(added) - len(removed)) > 3:
        return False
    if not all(about_release(ln) for ln in added + removed):
        return False  # a changed line that says nothing of versions or dates
    dated = any(_DATE_CONTEXT.search(ln) for ln in added)

    def new_value_ok(tok: str) -> bool:
        if tok == release_version or _NEW_WORD.match(tok):
            return True
        if release_version.startswith(tok + ".") or tok.lstrip("vV") == release_version:
            return True
        if tok.isdigit():
            if tok.lstrip("0") in {n.lstrip("0") for n in numbers}:
                return True
            return dated and (len(tok) <= 2 or (len(tok) == 4 and 1970 <= int(tok) <= 2100))
        if tok.lower().startswith("0x"):
            return tok.lower() == version_hex
        return dated and bool(_DATE.match(tok))

    new = Counter(tok for ln in added for tok in _TOKENS.findall(ln))
    old = Counter(tok for ln in removed for tok in _TOKENS.findall(ln))
    gained = list((new - old).elements())
    lost = list((old - new).elements())
    if not gained and not lost:
        return False
    return all(new_value_ok(t) for t in gained) and all(_OLD_TOKEN.match(t) for t in lost)


def explain_release_stamping(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.MODIFIED:
        return None
    a = ctx.text(ctx.artifact, d.path, limit=2 * 1024 * 1024)
    s = ctx.text(ctx.source, d.path, limit=2 * 1024 * 1024)
    if a is None or s is None:
        return None
    if _stamp_only(a, s, ctx.release.version if ctx.release else None):
        return Explanation(
            Category.RELEASE_STAMPING,
            True,
            "only version strings and dates changed (release stamping)",
        )
    return None


# -- ChangeLog from history -----------------------------------------------------


def explain_changelog(ctx: AuditContext, d: Difference) -> Explanation | None:
    base = posixpath.basename(d.path)
    if base not in ("ChangeLog", "CHANGELOG", "ChangeLog.txt") or d.status not in (
        Status.ARTIFACT_ONLY,
        Status.MODIFIED,
    ):
        return None
    text = ctx.text(ctx.artifact, d.path, limit=64 * 1024 * 1024)
    if text is None:
        return None
    if ctx.repo is None:
        return Explanation(Category.CHANGELOG, False, "ChangeLog (history not available)")
    subjects: set[str] = set()
    for subject, _author, _when in ctx.repo.commit_messages(ctx.commit, limit=20_000):
        if subject:
            subjects.add(_squash(subject))
    entries = _changelog_subjects(text)
    if not entries:
        return Explanation(
            Category.CHANGELOG,
            False,
            "ChangeLog in a format that was not compared with the history",
        )
    sample = entries[:2000]
    matched = sum(1 for e in sample if _squash(e) in subjects)
    ratio = matched / len(sample)
    if ratio >= 0.9:
        return Explanation(
            Category.CHANGELOG,
            True,
            f"generated from the git history: {matched} of {len(sample)} entries "
            "match commit subjects",
        )
    return Explanation(
        Category.CHANGELOG,
        False,
        f"ChangeLog: only {matched} of {len(sample)} entries match commit subjects in the history",
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()[:120]


def _changelog_subjects(text: str) -> list[str]:
    """First message line of each entry, for git-log and gitlog-to-changelog formats."""
    lines = text.splitlines()
    out: list[str] = []
    if any(ln.startswith("commit ") for ln in lines[:5]):
        # git log format: header lines, blank, indented message
        want = False
        for ln in lines:
            if ln.startswith("commit "):
                want = True
                continue
            if want and ln.startswith("    ") and ln.strip():
                out.append(ln.strip())
                want = False
        return out
    header = re.compile(r"^\d{4}-\d{2}-\d{2}\s")
    expect = False
    for ln in lines:
        if header.match(ln):
            expect = True
            continue
        if expect and ln.strip():
            out.append(ln.strip())
            expect = False
    return out


# -- rendered documentation ---------------------------------------------------------

_DOC_SOURCES = (
    ".md",
    ".rst",
    ".txt",
    ".texi",
    ".texinfo",
    ".xml",
    ".pod",
    ".adoc",
    ".in",
    ".ronn",
    ".scd",
    ".sgml",
    ".docbook",
    ".asciidoc",
    ".h",
    ".c",
    ".py",
    ".sh",
    ".pl",
    ".dox",
    ".man",
    ".1",
    ".2",
    ".3",
    ".4",
    ".5",
    ".6",
    ".7",
    ".8",
    ".9",
    ".po",
    ".pot",
)


def explain_rendered_docs(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status not in (Status.ARTIFACT_ONLY, Status.MODIFIED) or d.artifact is None:
        return None
    data = ctx.artifact.read(d.path)
    if role_of(d.path, data) is not FileRole.DOC:
        return None
    base = posixpath.basename(d.path).lower()
    stem = base.split(".", 1)[0]
    for candidate in (stem, re.sub(r"[-_](a4|letter|us|html|pdf)$", "", stem)):
        sources = [
            p
            for p in ctx.source_stems.get(candidate, [])
            if p.lower().endswith(_DOC_SOURCES) and p != d.path
        ]
        if sources:
            return Explanation(
                Category.RENDERED_DOCS,
                False,
                f"documentation rendered from {sources[0]} (recognised by name)",
            )
    directory = posixpath.dirname(d.path)
    if directory and directory not in ctx.source_dirs and ctx.doc_generators:
        return Explanation(
            Category.RENDERED_DOCS,
            False,
            f"generated documentation in {directory}/, a directory git does not have "
            f"(documentation tooling in the source: {ctx.doc_generators[0]})",
        )
    return None


# -- compiled outputs -------------------------------------------------------------

_OUTPUT_SOURCES = {
    ".js": (".ts", ".tsx", ".mts", ".cts", ".jsx", ".coffee", ".js", ".mjs", ".vue", ".svelte"),
    ".mjs": (".ts", ".mts", ".js", ".mjs"),
    ".cjs": (".ts", ".cts", ".js", ".cjs"),
    ".d.ts": (".ts", ".tsx", ".mts", ".cts"),
    ".map": (".ts", ".tsx", ".js", ".scss", ".css", ".less"),
    ".css": (".scss", ".sass", ".less", ".styl", ".css"),
    ".so": (".c", ".pyx", ".cpp", ".cc", ".rs", ".cxx"),
    ".pyd": (".c", ".pyx", ".cpp", ".rs"),
    ".c": (".pyx", ".py", ".y", ".l", ".re", ".rl"),
    ".cpp": (".pyx",),
    ".h": (".pyx", ".y", ".h.in"),
    ".py": (".pyx", ".proto", ".ui"),
}


def explain_compiled_output(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.ARTIFACT_ONLY:
        return None
    base = posixpath.basename(d.path)
    lower = base.lower()
    ext = ".d.ts" if lower.endswith(".d.ts") else posixpath.splitext(lower)[1]
    if lower.endswith((".js.map", ".mjs.map", ".css.map", ".d.ts.map")):
        ext = ".map"
    srcs = _OUTPUT_SOURCES.get(ext)
    if srcs is None:
        if re.search(r"\.cpython-\d+.*\.so$|\.abi3\.so$", lower):
            srcs = _OUTPUT_SOURCES[".so"]
        else:
            return None
    stem = lower.split(".", 1)[0]
    candidates = [
        p for p in ctx.source_stems.get(stem, []) if p.lower().endswith(srcs) and p != d.path
    ]
    if not candidates:
        return None
    return Explanation(
        Category.COMPILED_OUTPUT,
        False,
        f"build output of {candidates[0]} (recognised by name; the compiled "
        "content is not reproduced)",
    )


# -- vendored trees -----------------------------------------------------------------

_VENDOR = re.compile(
    r"(^|/)(vendor|vendored|_vendor|third_party|third-party|thirdparty|"
    r"3rdparty|3rd_party|external|extern|deps|node_modules|bundled)/"
)


def explain_vendored(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.ARTIFACT_ONLY:
        return None
    m = _VENDOR.search(d.path)
    if not m:
        return None
    root = d.path[: m.end() - 1]
    if root in ctx.source_dirs:
        return None  # the directory is tracked: an extra file there is not vendoring
    return Explanation(
        Category.VENDORED,
        False,
        f"vendored third-party tree {root}/ added at release time (not checked "
        "against its upstream)",
    )


# -- npm ----------------------------------------------------------------------------

_NPM_PUBLISH_FIELDS = {
    "gitHead",
    "_id",
    "_from",
    "_resolved",
    "_integrity",
    "_shasum",
    "_spec",
    "_where",
    "_npmUser",
    "_npmVersion",
    "_nodeVersion",
    "_npmOperationalInternal",
    "_hasShrinkwrap",
    "readme",
    "readmeFilename",
    "_phantomChildren",
    "_requested",
    "_requiredBy",
    "_inBundle",
    "_location",
    "_args",
    "_development",
    "_optional",
    "_engineSupported",
    "_defaultsLoaded",
    "dist",
    "directories",
    "packageManager",
}


def explain_npm_publish(ctx: AuditContext, d: Difference) -> Explanation | None:
    if posixpath.basename(d.path) != "package.json" or d.status is not Status.MODIFIED:
        return None
    try:
        a = json.loads(ctx.artifact.read(d.path) or b"")
        s = json.loads(ctx.source.read(d.path) or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(a, dict) or not isinstance(s, dict):
        return None
    publish = s.get("publishConfig") if isinstance(s.get("publishConfig"), dict) else {}
    expected = dict(s)
    for k, v in (publish or {}).items():
        if k not in ("registry", "access", "tag", "provenance"):
            expected[k] = v  # pnpm/yarn apply publishConfig overrides
    changed = []
    for key in sorted(set(a) | set(expected)):
        if key in _NPM_PUBLISH_FIELDS:
            continue
        av, ev = a.get(key), expected.get(key)
        if av == ev:
            continue
        if key in (
            "dependencies",
            "peerDependencies",
            "optionalDependencies",
            "devDependencies",
        ) and _workspace_resolved(av, ev):
            continue
        if key == "publishConfig":
            continue
        changed.append(key)
    if changed:
        return None
    return Explanation(
        Category.NPM_PUBLISH,
        True,
        "npm publish added or normalised registry fields only (gitHead, _id, "
        "publishConfig overrides, workspace: ranges)",
    )


def _workspace_resolved(a: Any, e: Any) -> bool:
    if not isinstance(a, dict) or not isinstance(e, dict) or set(a) != set(e):
        return False
    for k in a:
        if a[k] != e[k] and not (
            isinstance(e[k], str) and e[k].startswith(("workspace:", "catalog:"))
        ):
            return False
    return True


# -- cargo ----------------------------------------------------------------------------


def explain_cargo_package(ctx: AuditContext, d: Difference) -> Explanation | None:
    base = posixpath.basename(d.path)
    if base == ".cargo_vcs_info.json" and d.status is Status.ARTIFACT_ONLY:
        try:
            info = json.loads(ctx.artifact.read(d.path) or b"")
            sha = info.get("git", {}).get("sha1", "")
        except (ValueError, AttributeError):
            return None
        ok = sha == ctx.commit
        return Explanation(
            Category.CARGO_PACKAGE,
            ok,
            f"cargo package provenance note (records commit {sha[:12]}"
            f"{'' if ok else ', not the audited commit'})",
        )
    if base == "Cargo.lock" and d.status is Status.ARTIFACT_ONLY:
        return Explanation(Category.CARGO_PACKAGE, False, "lock file written by cargo package")
    if base == "Cargo.toml" and d.status is Status.MODIFIED:
        orig = posixpath.join(posixpath.dirname(d.path), "Cargo.toml.orig")
        a = ctx.text(ctx.artifact, d.path)
        s = ctx.text(ctx.source, d.path)
        if a is None or s is None:
            return None
        try:
            pa, ps = tomllib.loads(a).get("package", {}), tomllib.loads(s).get("package", {})
        except tomllib.TOMLDecodeError:
            return None
        if orig in ctx.artifact and pa.get("name") == ps.get("name"):
            return Explanation(
                Category.CARGO_PACKAGE,
                False,
                "Cargo.toml normalised by cargo package (original kept as Cargo.toml.orig)",
            )
    return None
