"""Release processes: stamping, changelogs from history, rendered documentation,
compiled outputs, vendored trees, npm publish fields and cargo packaging."""

from __future__ import annotations

import difflib
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

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_WORD = r"(?<![A-Za-z])(?:{})(?![a-z])"
"""A whole word: `_`, digits and case changes separate words (VALIDATE is not 'date')."""
_STAMP_WORDS = re.compile(
    _WORD.format(
        r"version|date|release|released|timestamp|revision|ver|vers|year|"
        r"VERSION|DATE|RELEASE|RELEASED|TIMESTAMP|REVISION|VER|YEAR|"
        r"Version|Date|Release|Timestamp|Revision|Year"
    ),
)
_MONTH_WORD = re.compile(r"(?<![A-Za-z])" + _MONTHS + r"(?![a-z])", re.IGNORECASE)
_DATE_SPAN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?: ?[+-]\d{4})?)?"
    r"|(?<![A-Za-z])" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r",?\s+\d{4}"
    r"|(?<![A-Za-z])" + _MONTHS + r"\s+\d{4}",
    re.IGNORECASE,
)
_KEY = re.compile(
    r"^\s*(?i:#\s*define\s+|set\s*\(\s*|export\s+|(?:const|static|var|let|my|our)\s+|\.)?"
    r"([A-Za-z_$][\w.$-]*)"
)
_OLD_TOKEN = re.compile(
    r"^(v?\d+([._-]\d+)*([._-]?(dev|rc|alpha|beta|pre|post|git|snapshot)\d*)?|"
    r"0x[0-9a-f]+|" + _MONTHS + r"|dev|unreleased|snapshot|git|mon|tue|wed|thu|fri|sat|sun|"
    r"utc|gmt|st|nd|rd|th|[\"',.()\[\]+${}@-]|release|released|date|version|"
    r"[A-Za-z_]*(version|date|timestamp|release)[A-Za-z_]*)$",
    re.IGNORECASE,
)
"""What a stamp may replace: an old version or date, -DEV, [unreleased], a placeholder."""
_NEW_WORD = re.compile(
    r"^(" + _MONTHS + r"|mon|tue|wed|thu|fri|sat|sun|utc|gmt|st|nd|rd|th|"
    r"[\"',.()\[\]+-]|release|released)$",
    re.IGNORECASE,
)
_TOKENS = re.compile(r"0x[0-9A-Fa-f]+|v?\d+(?:[._-]\d+)*|[A-Za-z_][A-Za-z0-9_]*|\S")


def _pair(added: list[str], removed: list[str]) -> list[tuple[str, str]]:
    """Pair each added line with the most similar removed one (few lines: cheap)."""
    pairs = []
    pool = list(removed)
    for line in added:
        if not pool:
            pairs.append((line, ""))
            continue
        best = max(pool, key=lambda r: difflib.SequenceMatcher(None, r, line).ratio())
        pool.remove(best)
        pairs.append((line, best))
    return pairs


def _stamp_line_ok(new: str, old: str, version: str) -> bool:
    """Whether ``old`` -> ``new`` only writes the release's version or date."""
    numbers = {n.lstrip("0") or "0" for n in re.findall(r"\d+", version)}
    version_hex = "0x" + "".join(f"{int(n):02x}" for n in re.findall(r"\d+", version)[:3])
    key = _KEY.match(new)
    key_names_version = bool(key and _STAMP_WORDS.search(key.group(1)))
    about = key_names_version or version in new or bool(_DATE_SPAN.search(new))
    if not about:
        return False
    allowed_spans = [m.span() for m in _DATE_SPAN.finditer(new)]
    allowed_spans += [m.span() for m in re.finditer(re.escape(version), new)]
    old_tokens = Counter(_TOKENS.findall(old))
    for m in _TOKENS.finditer(new):
        tok = m.group(0)
        if old_tokens[tok] > 0:
            old_tokens[tok] -= 1
            continue
        if any(a <= m.start() and m.end() <= b for a, b in allowed_spans):
            continue  # part of the release version or of a date
        if _NEW_WORD.match(tok):
            continue
        if key_names_version and (
            (tok.isdigit() and (tok.lstrip("0") or "0") in numbers)
            or tok.lower() == version_hex
            or version.startswith(tok + ".")
            or tok.lstrip("vV") == version
        ):
            continue
        return False
    lost = [t for t, n in old_tokens.items() if n > 0]
    return all(_OLD_TOKEN.match(t) for t in lost)


def _stamp_only(a: str, s: str, release_version: str | None) -> bool:
    """True when the only changes write the release's version and date.

    Changed lines are paired; in each, every new value must be the release
    version (or, under a key that names a version, one of its numbers or its
    hex encoding) or lie inside a date, and what it replaced must look like an
    old version, a date, a -DEV marker or a placeholder. Blank lines may come
    and go. Linear in the file size: lines are compared as multisets first.
    """
    if not release_version:
        return False
    a_count = Counter(ln for ln in a.splitlines() if ln.strip())
    s_count = Counter(ln for ln in s.splitlines() if ln.strip())
    added = list((a_count - s_count).elements())
    removed = list((s_count - a_count).elements())
    if not added or len(added) + len(removed) > 60 or len(removed) > len(added):
        return False
    return all(_stamp_line_ok(new, old, release_version) for new, old in _pair(added, removed))


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
    entries = _changelog_subjects(text)
    if not entries:
        return Explanation(
            Category.CHANGELOG,
            False,
            "ChangeLog in a format that was not compared with the history",
        )
    # newest entries first in both: the latest 300 entries must be among the subjects
    # of the latest commits (5x as many, for merges and entries spanning commits)
    sample = entries[:300]
    wanted = {_squash(e) for e in sample}
    subjects: set[str] = set()
    for subject, _author, _when in ctx.repo.commit_messages(ctx.commit, limit=1500):
        if subject:
            subjects.add(_squash(subject))
            if wanted <= subjects:
                break
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
    ".ronn",
    ".scd",
    ".sgml",
    ".docbook",
    ".asciidoc",
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
    ".1.in",
    ".3.in",
    ".8.in",
    ".md.in",
    ".texi.in",
    ".xml.in",
)


_HTML_GENERATOR = re.compile(
    rb"Generated by Doxygen"
    rb'|<meta name="generator" content="(?:Doxygen|Docutils|mkdocs|pdoc|gtk-doc)'
    rb'|Created using <a href="https?://(?:www\.)?sphinx-doc',
    re.IGNORECASE,
)


def _doc_site_asset(ctx: AuditContext, path: str) -> str | None:
    """A script or style sheet of generated HTML documentation: in a directory git
    does not have, next to (or one level below) HTML pages whose generator says so.
    Returns the generator page that vouches for it."""
    if not path.endswith((".js", ".css")) or not ctx.doc_generators:
        return None
    directory = posixpath.dirname(path)
    if not directory or directory in ctx.source_dirs:
        return None
    memo = ctx.memo.get("doc-pages")
    pages: dict[str, list[str]] = memo if isinstance(memo, dict) else {}
    if not isinstance(memo, dict):  # directory -> its HTML pages, built once per audit
        for p in ctx.artifact.paths():
            if p.endswith((".html", ".htm")):
                pages.setdefault(posixpath.dirname(p), []).append(p)
        ctx.memo["doc-pages"] = pages
    vouching = ctx.memo.setdefault("doc-generator-page", {})
    assert isinstance(vouching, dict)
    for where in (directory, posixpath.dirname(directory)):
        if not where or where in ctx.source_dirs:
            continue
        if where not in vouching:
            vouching[where] = next(
                (
                    page
                    for page in pages.get(where, [])[:20]
                    if _HTML_GENERATOR.search((ctx.artifact.read(page) or b"")[:16384])
                ),
                None,
            )
        if vouching[where] is not None:
            return str(vouching[where])
    return None


def _catman_source(ctx: AuditContext, path: str, data: bytes | None) -> str | None:
    """``ssh.0`` beside a tracked ``ssh.1`` (``make distprep``'s catman pages): text
    whose first line is a manual page header (``SSH(1) General Commands Manual``)."""
    if not path.endswith(".0") or data is None or b"\0" in data[:4096]:
        return None
    stem = path[:-2]
    upper = re.escape(posixpath.basename(stem).upper().encode())
    first = data.lstrip()[:200].split(b"\n", 1)[0]
    if not re.match(rb"^" + upper + rb"\(\d\w*\)\s", first.upper()):
        return None
    for section in "182345679":
        if f"{stem}.{section}" in ctx.source:
            return f"{stem}.{section}"
    return None


def explain_rendered_docs(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.ARTIFACT_ONLY or d.artifact is None:
        return None
    data = ctx.artifact.read(d.path)
    catman = _catman_source(ctx, d.path, data)
    if catman is not None:
        return Explanation(
            Category.RENDERED_DOCS,
            False,
            f"preformatted manual page (BSD catman .0) rendered from {catman} (recognised by name)",
        )
    if role_of(d.path, data) is not FileRole.DOC:
        page = _doc_site_asset(ctx, d.path)
        if page is not None:
            return Explanation(
                Category.RENDERED_DOCS,
                False,
                f"script or style of the generated HTML documentation ({page} names its "
                f"generator; documentation tooling in the source: {ctx.doc_generators[0]}); "
                "runtime JavaScript rules still read it",
            )
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
    ".s": (".s", ".asm"),
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
    stems = dict.fromkeys([stem, re.sub(r"[-_](gnu|gen|generated)$", "", stem)])
    candidates = [
        p
        for st in stems
        for p in ctx.source_stems.get(st, [])
        if p.lower().endswith(srcs) and p != d.path
    ]
    if not candidates:
        return None
    return Explanation(
        Category.COMPILED_OUTPUT,
        False,
        f"build output of {candidates[0]} (recognised by name; the compiled "
        "content is not reproduced)",
    )


_C_RUNNERS = re.compile(
    rb"\b(PyRun_\w+|PyImport_ExecCodeModule\w*|system|popen|execv\w*"
    rb"|execl\w*|dlopen|posix_spawn\w*)\s*\("
)
"""Calls that run code or programs. Not ``Py_CompileString``: Cython 3's own utility
code calls it (12 of 12 generated files of aiohttp, lxml, msgpack and grpcio)."""


def refuse_tampered_cython(ctx: AuditContext, d: Difference) -> Explanation | None:
    """Cython output calling an interpreter or a process (``PyRun_SimpleString``,
    ``system``, ``popen``, ``dlopen``…) that its ``.pyx`` never names stays
    unexplained, whatever else would explain it: Cython does not emit those calls on
    its own, so they were added to the generated file."""
    if d.status is not Status.ARTIFACT_ONLY or not d.path.endswith((".c", ".cpp")):
        return None
    data = ctx.artifact.read(d.path) or b""
    if b"Generated by Cython" not in data[:2048]:
        return None
    stem = d.path.rsplit(".", 1)[0]
    source = next(
        (stem + e for e in (".pyx", ".py") if stem + e in ctx.artifact or stem + e in ctx.source),
        None,
    )
    if source is None:
        return None
    src = ctx.artifact.read(source) or ctx.source.read(source) or b""
    added = sorted(
        {m.group(1).decode() for m in _C_RUNNERS.finditer(data) if m.group(1) not in src}
    )
    if not added:
        return None
    return Explanation(
        Category.UNEXPLAINED,
        False,
        f"Cython output of {source} that calls {', '.join(added[:4])}, which {source} never "
        "names: Cython does not write such calls on its own",
    )


# -- outputs of the project's own build rules --------------------------------------


def explain_build_rule_output(ctx: AuditContext, d: Difference) -> Explanation | None:
    """An artifact-only file that the tag's own build files or scripts produce.

    Projects generate files at ``make dist`` (curl's tool_hugehelp.c, test
    lists, Unicode tables, doc Makefiles written by a doc script): the rule or
    script that makes them is in git even when the output is not. It counts
    when a build file in the file's directory or above names the file, or a
    script there redirects output into it. Plausible only: nothing is run.
    """
    if d.status is not Status.ARTIFACT_ONLY:
        return None
    base = posixpath.basename(d.path)
    if len(base) < 4:
        return None
    named = re.compile(r"(?<![\w.-])" + re.escape(base) + r"(?![\w.-])")
    written = re.compile(r">>?\s*[\"']?(?:[\w.$/{}-]*/)?" + re.escape(base) + r"(?![\w.-])")
    generic = base.lower() in _GENERIC_BUILD_NAMES
    directory = posixpath.dirname(d.path)
    parts = directory.split("/") if directory else []
    for depth in range(len(parts), -1, -1):  # the file's directory, then its parents
        here = "/".join(parts[:depth])
        for build_file in ctx.build_files_by_dir.get(here, []):
            text = ctx.text(ctx.source, build_file, limit=2 * 1024 * 1024)
            if text and not generic and named.search(text):
                return Explanation(
                    Category.BUILD_OUTPUT,
                    False,
                    f"named by {build_file} in the source: generated by the project's own "
                    "build rules (the generator is not run to check it)",
                )
        for script in ctx.scripts_by_dir.get(here, []):
            text = ctx.text(ctx.source, script, limit=1024 * 1024)
            if text and written.search(text):
                return Explanation(
                    Category.BUILD_OUTPUT,
                    False,
                    f"written by {script} in the source (not run to check it)",
                )
    return None


_GENERIC_BUILD_NAMES = {"makefile", "makefile.in", "config.h", "config.status", "libtool"}


_PLACEHOLDER = re.compile(rb"@[A-Za-z_][A-Za-z0-9_]*@")
_SUBST_VALUE = rb"[^\n\"'`;$\\|&]{0,300}"


_CMAKE_PLACEHOLDER = re.compile(
    rb"@[A-Za-z_][A-Za-z0-9_]*@|\$\{[A-Za-z_][A-Za-z0-9_]*\}"
    rb"|^#cmakedefine01[ \t]+\w+[^\n]*|^#cmakedefine[ \t]+(\w+)[^\n]*",
    re.MULTILINE,
)
_CONFIGURE_FILE = re.compile(r"configure_file\s*\(\s*([^\s)]+)\s+([^\s)]+)", re.IGNORECASE)


def _cmake_templates(ctx: AuditContext, path: str) -> list[str]:
    """Templates a tracked CMakeLists.txt's ``configure_file(IN OUT)`` writes ``path``
    from (OUT relative to the source tree, ``${PROJECT_SOURCE_DIR}/…`` and the like).
    The tag's CMakeLists.txt files are read once per audit."""
    memo = ctx.memo.get("cmake-configure-file")
    outputs: dict[str, list[str]] = memo if isinstance(memo, dict) else {}
    if not isinstance(memo, dict):
        for cm in (p for p in ctx.source if posixpath.basename(p) == "CMakeLists.txt"):
            text = ctx.text(ctx.source, cm)
            if not text or "configure_file" not in text.lower():
                continue
            base = posixpath.dirname(cm)
            for m in _CONFIGURE_FILE.finditer(text):
                src, dst = (
                    re.sub(r"^\$\{(?:PROJECT|CMAKE_CURRENT|CMAKE)_SOURCE_DIR\}/", "", x)
                    for x in (m.group(1), m.group(2))
                )
                if "$" in dst or "$" in src:
                    continue
                key = posixpath.normpath(posixpath.join(base, dst))
                outputs.setdefault(key, []).append(posixpath.normpath(posixpath.join(base, src)))
        ctx.memo["cmake-configure-file"] = outputs
    return outputs.get(path, [])


def _filled_in(template: bytes, output: bytes, cmake: bool) -> bool:
    """``output`` is ``template`` with its placeholders (``@X@``; for CMake also
    ``${X}`` and ``#cmakedefine`` lines) filled in, and nothing else changed."""
    pieces = []
    last = 0
    for m in (_CMAKE_PLACEHOLDER if cmake else _PLACEHOLDER).finditer(template):
        pieces.append(re.escape(template[last : m.start()]))
        token = m.group(0)
        if token.startswith(b"#cmakedefine01"):
            name = token.split()[1]
            pieces.append(rb"#define[ \t]+" + re.escape(name) + rb"[ \t]+[01]")
        elif token.startswith(b"#cmakedefine"):
            name = token.split()[1]
            pieces.append(
                rb"(?:#define[ \t]+" + re.escape(name) + rb"\b[^\n]{0,300}"
                rb"|/\*[ \t]*#undef[ \t]+" + re.escape(name) + rb"[ \t]*\*/)"
            )
        else:
            pieces.append(_SUBST_VALUE)
        last = m.end()
    if not pieces:
        return False
    pieces.append(re.escape(template[last:]))
    return re.fullmatch(b"".join(pieces), output, re.DOTALL) is not None


def explain_template_instance(ctx: AuditContext, d: Difference) -> Explanation | None:
    """X shipped beside X.in from git, differing only where X.in has @PLACEHOLDERS@;
    or written by a tracked CMakeLists.txt's ``configure_file`` from a tracked
    template (``#cmakedefine``, ``${VAR}``, ``@VAR@`` filled in)."""
    if d.status is not Status.ARTIFACT_ONLY:
        return None
    a = ctx.artifact.read(d.path)
    if a is None:
        return None
    candidates = [(d.path + ".in", False)] + [(t, True) for t in _cmake_templates(ctx, d.path)]
    for template, cmake in candidates:
        s = ctx.source.read(template) if template in ctx.source else None
        if s is None or len(s) > 1024 * 1024:
            continue
        if _filled_in(s, a, cmake):
            what = (
                "its placeholders filled in by a tracked CMakeLists.txt's configure_file"
                if cmake
                else "its @PLACEHOLDERS@ filled in"
            )
            return Explanation(
                Category.TEMPLATE_INSTANCE,
                True,
                f"{template} from git with {what}; nothing else differs",
                source_path=template,
            )
    return None


_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?[\w.-]*\s*[=:]?\s*[\"']?v?(?P<v>[\w.+~-]+)[\"']?\s*$")


def explain_version_stamp_file(ctx: AuditContext, d: Difference) -> Explanation | None:
    """A one-line artifact-only file that only states the release version."""
    if d.status is not Status.ARTIFACT_ONLY or ctx.release is None or d.artifact is None:
        return None
    if d.artifact.size > 200:
        return None
    text = (ctx.text(ctx.artifact, d.path) or "").strip()
    if "\n" in text:
        return None
    m = _ASSIGNMENT.match(text)
    if m and m.group("v") == ctx.release.version:
        return Explanation(
            Category.VERSION_FILE, True, f"states only the release version ({text[:60]})"
        )
    return None


def explain_empty_file(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is Status.ARTIFACT_ONLY and d.artifact is not None and d.artifact.size == 0:
        return Explanation(Category.EMPTY_FILE, True, "an empty file: it carries no content")
    return None


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


def explain_module_install(ctx: AuditContext, d: Difference) -> Explanation | None:
    """``inc/`` of a CPAN distribution whose tracked Makefile.PL uses
    ``inc::Module::Install``: Module::Install copies itself (and its extensions) there
    when the author runs Makefile.PL, and the distribution ships them. Plausible only;
    the behaviour rules still read them (they run at ``perl Makefile.PL``)."""
    if d.status is not Status.ARTIFACT_ONLY or not d.path.startswith("inc/"):
        return None
    memo = ctx.memo.get("module-install")
    if memo is None:
        text = ctx.text(ctx.source, "Makefile.PL") or ""
        memo = ctx.memo["module-install"] = "inc::Module::Install" in text
    if not memo:
        return None
    return Explanation(
        Category.VENDORED,
        False,
        "Module::Install's bundled copy in inc/ (written when the author ran Makefile.PL; "
        "not checked against a Module::Install release)",
    )


def explain_meson_subproject(ctx: AuditContext, d: Difference) -> Explanation | None:
    """A file of a Meson subproject that ``meson dist --include-subprojects`` ships:
    under ``subprojects/DIR/``, where the tag has a ``subprojects/*.wrap`` naming DIR
    (``directory =``, or the wrap's own name). The wrap pins the upstream archive by
    hash; that archive is not fetched here, so the files are not checked against it.
    Build files among them are still read by the behaviour analyzer."""
    if d.status is not Status.ARTIFACT_ONLY:
        return None
    m = re.match(r"^((?:.*/)?subprojects)/([^/]+)/", d.path)
    if not m:
        return None
    directory = m.group(2)
    wrap = ctx.meson_wraps.get((m.group(1), directory))
    if wrap is None:
        return None
    return Explanation(
        Category.VENDORED,
        False,
        f"Meson subproject {directory}/ declared by {wrap} and shipped by meson dist "
        "(not checked against the archive the wrap pins)",
    )


def explain_ignored_output(ctx: AuditContext, d: Difference) -> Explanation | None:
    """An artifact-only file that the tag's .gitignore excludes and a tracked file names
    by its path (a generator writing it, a build script, a comment giving the command
    that makes it): an output kept out of git on purpose. Plausible only: the
    generator is not run."""
    if d.status is not Status.ARTIFACT_ONLY or not ctx.gitignore.ignored(d.path):
        return None
    base = posixpath.basename(d.path)
    if len(base) < 4 or base.lower() in _GENERIC_BUILD_NAMES:
        return None
    tail = "/".join(d.path.split("/")[-2:])  # src/crc_table.h, blindwidth/_table.py
    parts = tail.split("/")
    spelled = re.compile(
        r"[\"'/]" + r"(?:[\"'/,\s]+)".join(re.escape(p) for p in parts) + r"[\"'\s)]"
    )
    for path in ctx.generators:
        text = ctx.text(ctx.source, path, limit=1024 * 1024)
        if text and (tail in text or spelled.search(text)):
            return Explanation(
                Category.BUILD_OUTPUT,
                False,
                f"ignored by the tag's .gitignore and named by {path}: an output kept "
                "out of git (the generator is not run to check it)",
            )
    return None


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
    raw_scripts = s.get("scripts")
    scripts: dict[str, Any] = raw_scripts if isinstance(raw_scripts, dict) else {}
    if "binding.gyp" in ctx.artifact and "install" not in scripts and "preinstall" not in scripts:
        # npm's normalisation: a package with binding.gyp and no install script
        # is given `install: node-gyp rebuild` and `gypfile: true` when published
        expected["scripts"] = {**scripts, "install": "node-gyp rebuild"}
        expected["gypfile"] = True
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
        if key == "version" and _release_version_stamped(ctx, av, ev):
            continue
        changed.append(key)
    if changed:
        return None
    return Explanation(
        Category.NPM_PUBLISH,
        True,
        "npm publish added or normalised registry fields only (gitHead, _id, "
        "publishConfig overrides, workspace: ranges, node-gyp install for binding.gyp)",
    )


def _release_version_stamped(ctx: AuditContext, artifact: Any, source: Any) -> bool:
    """semantic-release and similar keep a placeholder version in git
    (``0.0.0-development``) and write the release's version at publish time."""
    if not isinstance(artifact, str) or not isinstance(source, str):
        return False
    if not re.fullmatch(r"0\.0\.0(?:-[\w.-]+)?", source):
        return False
    return ctx.release is None or artifact == ctx.release.version


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
            # cargo writes `build = false` or the script it found (build.rs), never
            # another program: a build script the source does not name is not
            # normalisation
            built, declared = pa.get("build"), ps.get("build")
            rs = posixpath.join(posixpath.dirname(d.path), "build.rs")
            found = "build.rs" if rs in ctx.source or rs in ctx.artifact else None
            if isinstance(built, str) and built not in (declared, found):
                return None
            return Explanation(
                Category.CARGO_PACKAGE,
                False,
                "Cargo.toml normalised by cargo package (original kept as Cargo.toml.orig)",
            )
    return None
