"""A wheel against the sdist of the same release: code only in the wheel, metadata drift.

A wheel is what pip installs; the sdist is what reviewers (and chainsight's
release audit) can compare with the repository.  Code that reached the wheel
without passing through the sdist — the ultralytics 8.3.41 injection, or any
build machine that adds a module — is invisible to both.  So every Python file
a wheel installs (``.py``, ``.pyw``, ``.pth`` start-up hooks, ``.data/scripts``)
must be a file of the sdist, byte for byte, or the output of a known build step
(docs/rules.md, "Wheels against their sdist"):

- the same file with its line endings or ``#!`` line rewritten (script installation);
- the same file with the release version stamped into a string literal;
- a module that only binds literals (setuptools-scm / hatch-vcs / versioneer /
  pdm version files, ``__about__``/build-info files);
- ``X`` from the sdist's ``X.in`` with ``@PLACEHOLDERS@`` filled in (meson and
  autoconf ``configure_file``);
- a cffi out-of-line ABI module (``ffi = _cffi_backend.FFI(<literals>)``);
- an empty file.

Compiled extensions are listed (info).  The core metadata must agree: name,
version, and ``Requires-Dist`` — strictly when the sdist's metadata is final by
PEP 643 (Metadata-Version >= 2.2, not ``Dynamic``), else only a dependency the
sdist names nowhere is reported.
"""

from __future__ import annotations

import ast
import difflib
import posixpath
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from chainsight.analyzers.explain.python import literal_only_module
from chainsight.analyzers.findings import anomaly_findings
from chainsight.limits import Limits
from chainsight.model import Evidence, Finding, Related, Severity
from chainsight.registry.fetched import FetchedPackage
from chainsight.sources.archive import ArchiveContents, read_archive
from chainsight.sources.pymetadata import CoreMetadata, parse_core_metadata
from chainsight.trees import EntryKind, FileTree

CODE_SUFFIXES = (".py", ".pyw", ".pth")
"""What a wheel installs that Python runs: modules and ``.pth`` start-up hooks."""
_COMPILED = re.compile(r"\.(so(\.\d+)*|pyd|dylib|dll)$", re.IGNORECASE)
EVIDENCE_LINES = 8
BUILD_SCRIPTS = ("setup.py", "hatch_build.py", "pdm_build.py", "build.py")
"""Top-level sdist files a build backend runs: a file they write from one of their
string literals is code the sdist shows."""
MAX_TEXT = 4 * 1024 * 1024


@dataclass(frozen=True)
class BuildStep:
    path: str
    reason: str


def pypi_package_findings(package: FetchedPackage) -> list[Finding]:
    """The checks that need no repository, for a fetched PyPI release."""
    sdist = next((f for f in package.files if f.role == "sdist"), None)
    wheels = [f for f in package.files if f.role == "wheel"]
    findings: list[Finding] = []
    if sdist is None:
        for w in wheels:
            findings += compare_wheel_to_sdist(w.path, w.filename, None, None)
        return findings
    sdist_view = None
    for w in wheels:
        wheel = _read_wheel(w.path, w.filename)
        if sdist_view is None:
            sdist_view = _read_sdist(sdist.path, sdist.filename, wheel)
        findings += _compare(wheel, sdist_view)
    if not wheels:
        findings += _archive_findings(_read_sdist(sdist.path, sdist.filename, None))
    return findings


def compare_wheel_to_sdist(
    wheel_path: Path, wheel_name: str, sdist_path: Path | None, sdist_name: str | None
) -> list[Finding]:
    """Every finding for one wheel; without an sdist only the wheel's own integrity."""
    wheel = _read_wheel(wheel_path, wheel_name)
    if sdist_path is None or sdist_name is None:
        return _wheel_integrity(wheel)
    return _compare(wheel, _read_sdist(sdist_path, sdist_name, wheel))


# -- reading ---------------------------------------------------------------------------


@dataclass
class _Dist:
    name: str
    contents: ArchiveContents
    tree: FileTree


def _install_path(path: str) -> str | None:
    """Where a wheel member lands relative to site-packages; None for metadata,
    ``scripts/NAME`` for scripts."""
    first, _, rest = path.partition("/")
    if first.endswith(".dist-info"):
        return None
    if first.endswith(".data"):
        scheme, _, inner = rest.partition("/")
        if scheme in ("purelib", "platlib"):
            return inner
        if scheme == "scripts":
            return f"scripts/{inner}"
        return None  # headers, data: not run by Python
    return path


def _is_code(install_path: str) -> bool:
    return install_path.startswith("scripts/") or install_path.endswith(CODE_SUFFIXES)


def _read_wheel(path: Path, name: str) -> _Dist:
    def keep(member: str) -> bool:
        inst = _install_path(member)
        if inst is None:
            return member.endswith((".dist-info/METADATA", ".dist-info/RECORD"))
        return _is_code(inst)

    contents = read_archive(
        path, limits=Limits(), want_sha256=True, strip_top_level=False, want_path=keep
    )
    return _Dist(name, contents, contents.tree())


def _read_sdist(path: Path, name: str, wheel: _Dist | None) -> _Dist:
    """The sdist, keeping only what the comparison may read: files whose base name a
    wheel's code file has (or its ``.in`` template), and the metadata files."""
    wanted: set[str] = {"PKG-INFO", "requires.txt", "pyproject.toml", *BUILD_SCRIPTS}
    if wheel is not None:
        for p in wheel.tree:
            inst = _install_path(p)
            if inst is not None and _is_code(inst):
                base = posixpath.basename(inst)
                wanted.update((base, base + ".in"))

    def keep(member: str) -> bool:
        return posixpath.basename(member) in wanted

    contents = read_archive(path, limits=Limits(), want_path=keep)
    return _Dist(name, contents, contents.tree())


def _text(tree: FileTree, path: str) -> str | None:
    entry = tree.get(path)
    if entry is None or entry.size > MAX_TEXT:
        return None
    data = tree.read(path)
    if data is None:
        return None
    return data.decode("utf-8", "replace")


# -- comparing -------------------------------------------------------------------------


def _compare(wheel: _Dist, sdist: _Dist) -> list[Finding]:
    findings = _wheel_integrity(wheel) + _archive_findings(sdist)
    sdist_blobs = {e.blob_id for e in sdist.tree.entries() if e.kind is EntryKind.FILE}
    by_base: dict[str, list[str]] = {}
    for p in sdist.tree:
        by_base.setdefault(posixpath.basename(p), []).append(p)
    version = _release_version(wheel.name)
    steps: list[BuildStep] = []
    for path in sorted(wheel.tree):
        entry = wheel.tree.get(path)
        inst = _install_path(path)
        if entry is None or inst is None or entry.kind is not EntryKind.FILE:
            continue
        if not _is_code(inst) or entry.blob_id in sdist_blobs:
            continue
        text = _text(wheel.tree, path)
        counterpart = _counterpart(inst, by_base)
        where = f"{wheel.name}/{path}"
        if text is None:
            findings.append(_unreadable(where))
            continue
        if counterpart is not None:
            original = _text(sdist.tree, counterpart) or ""
            reason = _explain_modified(inst, original, text, version)
            if reason is None:
                reason = _explain_generated(inst, text, sdist, by_base)
            if reason is not None:
                steps.append(BuildStep(path, reason))
                continue
            findings.append(_differs(where, f"{sdist.name}/{counterpart}", original, text))
            continue
        reason = _explain_generated(inst, text, sdist, by_base)
        if reason is not None:
            steps.append(BuildStep(path, reason))
            continue
        findings.append(_not_in_sdist(where, text))
    if steps:
        findings.append(_build_steps(wheel.name, steps))
    compiled = _compiled(wheel)
    if compiled:
        findings.append(compiled)
    findings += metadata_findings(wheel, sdist)
    return findings


def _release_version(wheel_name: str) -> str | None:
    parts = wheel_name.removesuffix(".whl").split("-")
    return parts[1] if len(parts) >= 5 else None


def _counterpart(install_path: str, by_base: dict[str, list[str]]) -> str | None:
    """The sdist file the wheel file was built from: the same path, or the shortest
    one ending with it (``src/`` and other package-dir layouts), or for a script
    the sdist file of the same name."""
    base = posixpath.basename(install_path)
    candidates = by_base.get(base, [])
    if install_path.startswith("scripts/"):
        return min(candidates, key=len) if candidates else None
    suffix = "/" + install_path
    matching = [c for c in candidates if c == install_path or c.endswith(suffix)]
    return min(matching, key=len) if matching else None


def _explain_modified(path: str, original: str, text: str, version: str | None) -> str | None:
    a = original.replace("\r\n", "\n")
    b = text.replace("\r\n", "\n")
    if a == b:
        return "line endings converted"
    a_lines, b_lines = a.splitlines(), b.splitlines()
    if (
        a_lines[1:] == b_lines[1:]
        and a_lines[:1]
        and b_lines[:1]
        and a_lines[0].startswith("#!")
        and b_lines[0].startswith("#!")
    ):
        return "#! line rewritten when the script was installed"
    if version and _version_stamped(a_lines, b_lines, version):
        return f"the release version {version} stamped into a string literal"
    return None


_VERSION_LITERAL = r"[\w.+!{}\-]{0,40}"


def _version_stamped(a_lines: list[str], b_lines: list[str], version: str) -> bool:
    """Every difference is the version written where the sdist had another literal."""
    spellings = sorted({version, _normalised_version(version)}, key=len, reverse=True)
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    changed = False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        changed = True
        if op == "delete":
            return False
        if op == "insert":
            if not all(_literal_assignment_with(b_lines[j], spellings) for j in range(j1, j2)):
                return False
            continue
        if i2 - i1 != j2 - j1:
            return False
        for a, b in zip(a_lines[i1:i2], b_lines[j1:j2], strict=True):
            if not _differs_by_version(a, b, spellings):
                return False
    return changed


def _normalised_version(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def _differs_by_version(a: str, b: str, spellings: list[str]) -> bool:
    for v in spellings:
        if v in b:
            pieces = [re.escape(p) for p in b.split(v)]
            if re.fullmatch(_VERSION_LITERAL.join(pieces), a):
                return True
    return False


def _literal_assignment_with(line: str, spellings: list[str]) -> bool:
    if not line.strip():
        return True
    if not any(v in line for v in spellings):
        return False
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:
        return False
    return (
        len(tree.body) == 1
        and isinstance(tree.body[0], (ast.Assign, ast.AnnAssign))
        and isinstance(tree.body[0].value, ast.Constant)
    )


def _explain_generated(
    path: str, text: str, sdist: _Dist, by_base: dict[str, list[str]]
) -> str | None:
    if not text.strip():
        return "an empty file"
    if path.endswith(".py") and literal_only_module(text):
        return "a generated module that only binds literals (version or build information)"
    template = _counterpart(path + ".in", by_base)
    if template is not None:
        source = _text(sdist.tree, template)
        if source is not None and _fills_template(source, text):
            return f"{template} from the sdist with its @PLACEHOLDERS@ filled in"
    if path.endswith(".py") and _cffi_abi_module(text):
        return "a cffi out-of-line ABI module (literal type tables only)"
    script = _written_by_build_script(text, sdist)
    if script is not None:
        return f"written at build time from a string literal of the sdist's {script}"
    return None


def _statements(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[\n;]", text) if s.strip()]


def _written_by_build_script(text: str, sdist: _Dist) -> str | None:
    """The file's statements are exactly those of one string literal in a build script
    at the top of the sdist (setuptools' ``distutils-precedence.pth``)."""
    wanted = _statements(text)
    if not wanted or len(text) > 64 * 1024:
        return None
    for script in BUILD_SCRIPTS:
        source = _text(sdist.tree, script)
        if source is None:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and len(node.value) >= 16
                and _statements(node.value) == wanted
            ):
                return script
    return None


_PLACEHOLDER = re.compile(r"@[A-Za-z_][A-Za-z0-9_]*@")
_SUBST_VALUE = r"[^\n;`$\\|&]{0,2000}?"
"""A configure_file value: anything on one line that cannot chain a statement."""


def _fills_template(template: str, text: str) -> bool:
    pieces: list[str] = []
    last = 0
    for m in _PLACEHOLDER.finditer(template):
        pieces.append(re.escape(template[last : m.start()]))
        pieces.append(_SUBST_VALUE)
        last = m.end()
    if not pieces or len(template) > 1024 * 1024:
        return False
    pieces.append(re.escape(template[last:]))
    return re.fullmatch("".join(pieces), text, re.DOTALL) is not None


def _cffi_abi_module(text: str) -> bool:
    """``import _cffi_backend`` (and other cffi modules' ``ffi``) then
    ``ffi = _cffi_backend.FFI(<literals>)``: what cffi's ``emit_python_code`` writes."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    known: set[str] = set()
    built = False
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.Import) and [a.name for a in node.names] == ["_cffi_backend"]:
            known.add("_cffi_backend")
            continue
        if isinstance(node, ast.ImportFrom) and all(a.name == "ffi" for a in node.names):
            known.update(a.asname or a.name for a in node.names)
            continue
        if (
            isinstance(node, ast.Assign)
            and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["ffi"]
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "FFI"
            and isinstance(node.value.func.value, ast.Name)
            and node.value.func.value.id == "_cffi_backend"
            and "_cffi_backend" in known
            and all(_literal(a, known) for a in node.value.args)
            and all(_literal(k.value, known) for k in node.value.keywords)
        ):
            built = True
            continue
        return False
    return built


def _literal(node: ast.AST, known: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_literal(e, known) for e in node.elts)
    if isinstance(node, ast.Name):
        return node.id in known
    return False


# -- findings ----------------------------------------------------------------------------


def _first_lines(text: str) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            out.append(Evidence(n, line[:200]))
            if len(out) >= EVIDENCE_LINES:
                break
    return tuple(out)


def _added_lines(original: str, text: str) -> tuple[Evidence, ...]:
    a, b = original.splitlines(), text.splitlines()
    out: list[Evidence] = []
    total = 0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if op in ("insert", "replace"):
            for j in range(j1, j2):
                if not b[j].strip():
                    continue
                total += 1
                if len(out) < EVIDENCE_LINES:
                    out.append(Evidence(j + 1, "+ " + b[j][:200]))
    if total > len(out):
        out.append(Evidence(None, f"… {total - len(out)} more added or changed lines"))
    if not out:
        out.append(Evidence(None, "lines removed only; nothing added"))
    return tuple(out)


def _not_in_sdist(where: str, text: str) -> Finding:
    return Finding(
        "wheel-code-not-in-sdist",
        Severity.HIGH,
        where,
        "Code in the wheel that the sdist does not have",
        "pip installs this file, yet no file of the sdist (which reviewers can compare "
        "with the repository) produces it and no known build step explains it.",
        _first_lines(text),
    )


def _differs(where: str, sdist_path: str, original: str, text: str) -> Finding:
    return Finding(
        "wheel-code-differs-from-sdist",
        Severity.HIGH,
        where,
        "Wheel file differs from the sdist's",
        "The code pip installs is not the code of the sdist, and no known build step "
        "(line endings, #! rewrite, version stamping) explains the difference.",
        _added_lines(original, text),
        (Related(sdist_path, "sdist-version"),),
    )


def _unreadable(where: str) -> Finding:
    return Finding(
        "wheel-code-not-in-sdist",
        Severity.HIGH,
        where,
        "Code in the wheel that the sdist does not have",
        "The file is not in the sdist and is too large to read for a known build step.",
    )


def _build_steps(wheel_name: str, steps: list[BuildStep]) -> Finding:
    shown = steps[:20]
    evidence = [Evidence(None, f"{s.path}: {s.reason}") for s in shown]
    if len(steps) > len(shown):
        evidence.append(Evidence(None, f"… and {len(steps) - len(shown)} more"))
    return Finding(
        "wheel-build-step",
        Severity.INFO,
        wheel_name,
        "Wheel code made by a known build step",
        "These files are not byte-identical to the sdist's; each is explained by a build "
        "step whose output was checked against the sdist.",
        tuple(evidence),
    )


def _compiled(wheel: _Dist) -> Finding | None:
    paths = sorted(p for p in wheel.tree if _COMPILED.search(p))
    if not paths:
        return None
    evidence = [Evidence(None, p) for p in paths[:25]]
    if len(paths) > 25:
        evidence.append(Evidence(None, f"… and {len(paths) - 25} more"))
    return Finding(
        "wheel-compiled-extension",
        Severity.INFO,
        wheel.name,
        f"Wheel ships {len(paths)} compiled file(s)",
        "Compiled code cannot be compared with the sdist's sources; it is what the build "
        "machine produced and must be trusted as such.",
        tuple(evidence),
    )


def _wheel_integrity(wheel: _Dist) -> list[Finding]:
    from chainsight.audit import wheel_record_findings

    out = [_prefixed(f, wheel.name) for f in wheel_record_findings(wheel.contents)]
    return out + _archive_findings(wheel)


def _archive_findings(dist: _Dist) -> list[Finding]:
    return [_prefixed(f, dist.name) for f in anomaly_findings(dist.contents.anomalies)]


def _prefixed(f: Finding, name: str) -> Finding:
    return Finding(
        f.rule_id, f.severity, f"{name}/{f.path}", f.title, f.message, f.evidence, f.related
    )


# -- metadata -----------------------------------------------------------------------------


def _metadata(dist: _Dist, wheel: bool) -> CoreMetadata | None:
    if wheel:
        path = next(
            (p for p in dist.tree if p.count("/") == 1 and p.endswith(".dist-info/METADATA")),
            None,
        )
    else:
        path = "PKG-INFO" if "PKG-INFO" in dist.tree else None
    if path is None:
        return None
    data = dist.tree.read(path)
    return parse_core_metadata(data, path) if data is not None else None


@dataclass(frozen=True)
class _Declared:
    requirements: frozenset[str]
    """Normalised requirement strings."""
    names: frozenset[str]
    """Canonical names, with ``[extra]`` markers ignored."""
    authoritative: bool
    """Final by PEP 643 / PEP 621: the wheel must not name anything else."""
    where: str
    exact: bool = False
    """The requirement strings themselves are comparable (core metadata on both sides)."""


def metadata_findings(wheel: _Dist, sdist: _Dist) -> list[Finding]:
    wmeta = _metadata(wheel, wheel=True)
    smeta = _metadata(sdist, wheel=False)
    if wmeta is None or smeta is None:
        return []
    out: list[Finding] = []
    problems: list[str] = []
    if canonicalize_name(wmeta.name) != canonicalize_name(smeta.name):
        problems.append(f"Name: sdist {smeta.name!r}, wheel {wmeta.name!r}")
    if _normalised_version(wmeta.version) != _normalised_version(smeta.version):
        problems.append(f"Version: sdist {smeta.version!r}, wheel {wmeta.version!r}")
    declared = _sdist_dependencies(smeta, sdist)
    wheel_reqs = _normalise_requirements(wmeta.requires_dist)
    where = f"{wheel.name}/{wmeta.path}"
    if declared is not None:
        added = sorted({_name_of(r) for r in wheel_reqs} - declared.names)
        if added:
            out.append(
                Finding(
                    "wheel-dependency-not-in-sdist",
                    Severity.HIGH if declared.authoritative else Severity.MEDIUM,
                    where,
                    "Wheel depends on a package the sdist does not declare",
                    "Installing the wheel pulls in a dependency that the sdist's "
                    f"{declared.where} does not name"
                    + (
                        " although that metadata is final (PEP 643)."
                        if declared.authoritative
                        else "."
                    ),
                    tuple(Evidence(None, r) for r in sorted(wheel_reqs) if _name_of(r) in added)[
                        :EVIDENCE_LINES
                    ],
                    (Related(f"{sdist.name}/{declared.where}", "sdist-metadata"),),
                )
            )
        elif declared.exact and wheel_reqs != declared.requirements:
            only_w = sorted(wheel_reqs - declared.requirements)
            only_s = sorted(declared.requirements - wheel_reqs)
            problems += [f"Requires-Dist only in the wheel: {r}" for r in only_w]
            problems += [f"Requires-Dist only in the sdist: {r}" for r in only_s]
    if problems:
        out.append(
            Finding(
                "wheel-metadata-mismatch",
                Severity.MEDIUM,
                where,
                "Wheel metadata disagrees with the sdist's",
                "The wheel does not describe the same release as the sdist it should "
                "have been built from.",
                tuple(Evidence(None, p) for p in problems[:EVIDENCE_LINES]),
                (Related(f"{sdist.name}/{smeta.path}", "sdist-metadata"),),
            )
        )
    return out


def _normalise_requirements(lines: Iterable[str]) -> frozenset[str]:
    out = set()
    for line in lines:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            out.add(line.strip())
            continue
        req.name = canonicalize_name(req.name)
        out.add(str(req))
    return frozenset(out)


def _name_of(requirement: str) -> str:
    m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return canonicalize_name(m.group(1)) if m else requirement


def _sdist_dependencies(meta: CoreMetadata, sdist: _Dist) -> _Declared | None:
    """What the sdist declares, and whether that is final; None when it says nothing."""
    if "requires-dist" not in meta.dynamic and (meta.requires_dist or meta.pep643):
        reqs = _normalise_requirements(meta.requires_dist)
        return _Declared(reqs, _names(reqs), meta.pep643, "PKG-INFO", exact=meta.pep643)
    pyproject = _pyproject_dependencies(sdist)
    if pyproject is not None:
        return pyproject
    requires = next(
        (p for p in sdist.tree if p.endswith(".egg-info/requires.txt") and p.count("/") <= 2),
        None,
    )
    if requires is not None:
        text = _text(sdist.tree, requires) or ""
        lines = [
            ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith(("[", "#"))
        ]
        reqs = _normalise_requirements(lines)
        return _Declared(reqs, _names(reqs), False, requires)
    if meta.requires_dist:
        reqs = _normalise_requirements(meta.requires_dist)
        return _Declared(reqs, _names(reqs), False, "PKG-INFO")
    return None


def _names(reqs: Iterable[str]) -> frozenset[str]:
    return frozenset(_name_of(r) for r in reqs)


def _pyproject_dependencies(sdist: _Dist) -> _Declared | None:
    text = _text(sdist.tree, "pyproject.toml")
    if text is None:
        return None
    try:
        project = tomllib.loads(text).get("project")
    except tomllib.TOMLDecodeError:
        return None
    if not isinstance(project, dict):
        return None
    dynamic = {str(d).lower() for d in project.get("dynamic", []) or []}
    if "dependencies" in dynamic or "optional-dependencies" in dynamic:
        return None
    lines = [str(d) for d in project.get("dependencies", []) or []]
    optional = project.get("optional-dependencies", {}) or {}
    if isinstance(optional, dict):
        for group in optional.values():
            if isinstance(group, list):
                lines += [str(d) for d in group]
    reqs = _normalise_requirements(lines)
    # final by PEP 621 (not dynamic); extras become markers, so only names are compared
    return _Declared(reqs, _names(reqs), True, "pyproject.toml")
