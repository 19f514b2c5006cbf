"""Checks on an npm package that need no repository.

:func:`npm_package_findings` reads the tarball as a stream (never extracted,
nothing in it run) and reports:

- ``npm-install-script``: the lifecycle scripts npm runs when the package is
  installed (``preinstall``, ``install``, ``postinstall``; ``prepare`` and its
  pre/post for git and local installs), and the ``node-gyp rebuild`` npm runs
  on its own when ``binding.gyp`` exists and no install script is declared;
- the ``build-*`` behaviour rules (docs/rules.md) on those scripts, on the files
  they run (``node install.js``, ``sh x.sh``, ``npm run other``...) and on the
  local modules those files ``require``, and on ``binding.gyp``'s command
  expansions (``<!(cmd)``) and actions;
- ``runtime-decode-exec`` on every other JavaScript file: decoded data run as
  code (the event-stream payload);
- ``npm-minified-without-source``: minified or bundled files the package ships
  without a readable source (info; medium for a file an install script runs);
- ``npm-manifest-mismatch``: the tarball's ``package.json`` disagrees with the
  registry's copy of it (name, version, install scripts) — tools that trust
  the registry's manifest do not see an install script only the tarball has.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chainsight.analyzers.behaviour import Signal, _flow, scan_build_code
from chainsight.analyzers.behaviour.runtime_js import scan_runtime_js
from chainsight.analyzers.findings import anomaly_findings
from chainsight.analyzers.minified import MIN_SIZE, SourceIndex, is_js, opaque_js
from chainsight.errors import ArtifactError
from chainsight.model import Evidence, Finding, Related, Severity
from chainsight.registry.fetched import FetchedPackage
from chainsight.sources.archive import ArchiveContents, read_archive
from chainsight.trees import FileTree

INSTALL_TIME = ("preinstall", "install", "postinstall")
"""Run by ``npm install`` for a package from a registry."""
LOCAL_ONLY = ("preprepare", "prepare", "postprepare")
"""Run for git dependencies and local installs, not for registry tarballs."""
MAX_RUN_FILES = 40
MAX_EVIDENCE = 16
MAX_LISTED = 12
_INTERPRETERS = frozenset(
    {"node", "nodejs", "sh", "bash", "dash", "zsh", "python", "python3", "perl", "ruby", "bun"}
)
_OPTS_WITH_VALUE = frozenset({"-r", "--require", "--import", "--loader", "-c"})
_RUNS_CODE = frozenset({_flow.R_DECODE_EXEC, _flow.R_EVAL_COMPUTED, _flow.R_STREAM_CIPHER})
_LOCAL_REQUIRE = re.compile(
    r"""(?:require\s*\(\s*|import\s*\(\s*|\bfrom\s+|^\s*import\s+)['"](\.{1,2}/[^'"\n]+)['"]""",
    re.MULTILINE,
)


def npm_package_findings(package: FetchedPackage) -> list[Finding]:
    """Findings for the npm tarball of ``package`` (see the module docstring)."""
    tarball = next((f for f in package.files if f.role == "npm-tarball"), None)
    if tarball is None:
        raise ArtifactError(f"{package.target}: no npm tarball was fetched")
    contents = read_archive(tarball.path)
    findings = npm_tarball_findings(contents, package.metadata)
    findings += _target_mismatch(contents, package)
    findings.sort(key=lambda f: (-f.severity.rank, f.path, f.rule_id))
    return findings


def npm_tarball_findings(
    contents: ArchiveContents, registry_metadata: Mapping[str, str] | None = None
) -> list[Finding]:
    """The checks on an already-read npm tarball (``package/`` prefix stripped)."""
    tree = contents.tree()
    findings = anomaly_findings(contents.anomalies)
    if contents.partial_reasons:
        findings.append(
            Finding(
                "npm-tarball-partial",
                Severity.MEDIUM,
                "package.json",
                "Only part of the tarball could be read",
                "Files after the point where reading stopped were not checked.",
                tuple(Evidence(None, r) for r in contents.partial_reasons[:MAX_EVIDENCE]),
            )
        )
    manifest, manifest_text = _manifest(tree)
    if manifest is None:
        findings.append(
            Finding(
                "npm-manifest-mismatch",
                Severity.MEDIUM,
                "package.json",
                "The tarball has no readable package.json",
                "npm installs a package from its package.json; without one the registry's "
                "metadata cannot be checked against the tarball.",
            )
        )
        manifest, manifest_text = {}, ""
    scripts = _install_scripts(manifest, tree)
    findings += _script_findings(scripts, manifest_text)
    run_files = _run_files(scripts, manifest, tree)
    opaque = opaque_files(tree)
    findings += _run_file_findings(run_files, tree, opaque)
    if "binding.gyp" in tree:
        findings += _gyp_findings(tree)
    install_paths = set(run_files)
    findings += _runtime_findings(tree, install_paths)
    findings += _minified_findings(opaque, install_paths)
    if registry_metadata is not None:
        findings += _registry_mismatch(scripts, registry_metadata, "binding.gyp" in tree)
    return findings


# ------------------------------------------------------------------ package.json


def _manifest(tree: FileTree) -> tuple[dict[str, Any] | None, str]:
    data = tree.read("package.json")
    if data is None:
        return None, ""
    text = data.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None, text
    return (doc, text) if isinstance(doc, dict) else (None, text)


def _install_scripts(manifest: Mapping[str, Any], tree: FileTree) -> dict[str, str]:
    """Lifecycle scripts run at install, in npm's order; the implicit node-gyp one too."""
    raw = manifest.get("scripts")
    scripts = raw if isinstance(raw, dict) else {}
    out = {
        k: scripts[k]
        for k in (*INSTALL_TIME, *LOCAL_ONLY)
        if isinstance(scripts.get(k), str) and scripts[k].strip()
    }
    if "binding.gyp" in tree and "install" not in out and "preinstall" not in out:
        out["install"] = "node-gyp rebuild"
        out["(implicit)"] = "install"
    return out


def _line_of(text: str, key: str) -> int | None:
    pos = text.find(json.dumps(key) + ":")
    if pos < 0:
        pos = text.find(json.dumps(key))
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _script_findings(scripts: dict[str, str], manifest_text: str) -> list[Finding]:
    implicit = scripts.get("(implicit)")
    named = {k: v for k, v in scripts.items() if k != "(implicit)"}
    if not named:
        return []
    evidence = []
    for key, cmd in named.items():
        if key == implicit:
            evidence.append(Evidence(None, f"{key} (implicit, binding.gyp present): {cmd}"))
        else:
            evidence.append(Evidence(_line_of(manifest_text, key), f"{key}: {cmd}"[:200]))
    at_install = [k for k in named if k in INSTALL_TIME]
    findings = [
        Finding(
            "npm-install-script",
            Severity.LOW if at_install else Severity.INFO,
            "package.json",
            "Runs code when installed" if at_install else "Runs code on git or local installs",
            "npm runs these commands on the installing machine with the user's rights"
            + ("" if at_install else " (prepare: only for git dependencies and local installs)")
            + "; they and the files they run are read below.",
            tuple(evidence),
        )
    ]
    if manifest_text:
        signals = scan_build_code("package.json", manifest_text)
        finding = _behaviour_finding("package.json", signals, "Install script", ())
        if finding is not None:
            findings.append(finding)
    return findings


# ------------------------------------------------------------------ files the scripts run


def _commands(script: str) -> list[list[str]]:
    """Simple commands of a script line, split on ``&&``, ``||``, ``;``, ``|``."""
    out: list[list[str]] = []
    lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # an unbalanced quote: fall back to words
        tokens = re.split(r"\s+|(&&|\|\||;|\|)", script)
    parts: list[list[str]] = [[]]
    for token in tokens:
        if not token:
            continue
        if token in ("&&", "||", ";", "|", "&"):
            parts.append([])
        else:
            parts[-1].append(token)
    for argv in parts:
        while argv and re.fullmatch(r"\w+=.*", argv[0]):  # FOO=1 node x.js
            argv = argv[1:]
        if argv and argv[0] in ("env", "exec", "nice", "cross-env"):
            argv = [a for a in argv[1:] if not re.fullmatch(r"\w+=.*", a)]
        if argv:
            out.append(argv)
    return out


def _resolve(tree: FileTree, ref: str, base: str = "") -> str | None:
    """A path in the package for ``ref`` (node's resolution for extension-less names)."""
    joined = posixpath.normpath(posixpath.join(base, ref)) if base else posixpath.normpath(ref)
    if joined.startswith(("..", "/")):
        return None
    for cand in (joined, joined + ".js", joined + ".cjs", joined + ".mjs", joined + "/index.js"):
        if cand in tree:
            return cand
    return None


def _script_targets(
    cmd: str, scripts: Mapping[str, Any], tree: FileTree, depth: int = 0
) -> list[str]:
    found: list[str] = []
    for argv in _commands(cmd):
        prog = posixpath.basename(argv[0])
        if prog in ("npm", "yarn", "pnpm") and len(argv) >= 3 and argv[1] in ("run", "run-script"):
            other = scripts.get(argv[2])
            if isinstance(other, str) and depth < 3:
                found += _script_targets(other, scripts, tree, depth + 1)
            continue
        if prog in ("node-gyp", "node-gyp-build", "prebuild-install") or prog.startswith(
            "node-pre-gyp"
        ):
            if "binding.gyp" in tree:
                found.append("binding.gyp")
            continue
        if prog in _INTERPRETERS:
            args = iter(argv[1:])
            for arg in args:
                if arg in ("-e", "--eval", "-p", "--print", "-c"):
                    # inline code is read on package.json; the modules it requires here
                    code = next(args, "")
                    for ref in _LOCAL_REQUIRE.findall(code):
                        path = _resolve(tree, ref)
                        if path:
                            found.append(path)
                    break
                if arg in _OPTS_WITH_VALUE:
                    path = _resolve(tree, next(args, ""))
                    if path:
                        found.append(path)
                    continue
                if arg.startswith("-"):
                    continue
                path = _resolve(tree, arg)
                if path:
                    found.append(path)
                break
            continue
        path = _resolve(tree, argv[0])  # ./install.sh, bin/setup
        if path:
            found.append(path)
    return found


def _run_files(
    scripts: Mapping[str, str], manifest: Mapping[str, Any], tree: FileTree
) -> list[str]:
    """Files the install scripts run, then the local modules those require (bounded)."""
    raw = manifest.get("scripts")
    all_scripts = raw if isinstance(raw, dict) else {}
    queue: list[str] = []
    for key, cmd in scripts.items():
        if key != "(implicit)":
            queue += _script_targets(cmd, all_scripts, tree)
    seen: dict[str, None] = {}
    while queue and len(seen) < MAX_RUN_FILES:
        path = queue.pop(0)
        if path in seen:
            continue
        if not is_js(path) and path.endswith((".json", ".node", ".gyp", ".gypi")):
            continue  # data, a compiled addon, or read by node-gyp
        seen[path] = None
        if not is_js(path):
            continue
        data = tree.read(path)
        if data is None or len(data) > 4_000_000:
            continue
        text = data.decode("utf-8", "replace")
        for ref in _LOCAL_REQUIRE.findall(text):
            target = _resolve(tree, ref, posixpath.dirname(path))
            if target and target not in seen:
                queue.append(target)
    return list(seen)


def _behaviour_finding(
    path: str, signals: list[Signal], what: str, related: tuple[Related, ...]
) -> Finding | None:
    if not signals:
        return None
    # on a tie the signal that runs code names the finding, not the one it aggravated
    worst = max(signals, key=lambda s: (s.severity.rank, s.rule_id in _RUNS_CODE))
    if worst.severity.rank < Severity.LOW.rank:
        return None
    strong = worst.severity.rank >= Severity.HIGH.rank
    ordered = sorted(signals, key=lambda s: (-s.severity.rank, s.line, s.rule_id))
    others = sorted({s.rule_id for s in signals} - {worst.rule_id})
    message = (
        worst.why.rstrip(".; ")
        + "."
        + (f" Other signals in this file: {', '.join(others)}." if others else "")
    )
    return Finding(
        worst.rule_id,
        worst.severity,
        path,
        f"{what} behaves like a loader" if strong else f"{what} does something unusual",
        message,
        tuple(Evidence(s.line, f"[{s.rule_id}] {s.text}") for s in ordered[:MAX_EVIDENCE]),
        related,
    )


def _run_file_findings(
    run_files: list[str], tree: FileTree, opaque: dict[str, OpaqueFile]
) -> list[Finding]:
    findings: list[Finding] = []
    related = (Related("package.json", "install script that runs this file"),)
    for path in run_files:
        data = tree.read(path)
        if data is None:
            continue
        text = data.decode("utf-8", "replace")
        signals = scan_build_code(path, text)
        finding = _behaviour_finding(path, signals, "Install-time code", related)
        if finding is not None:
            findings.append(finding)
        # a readable bundle (esbuild's own install.js) can be reviewed; minified code cannot
        if path in opaque and opaque[path].source is None and "minified" in opaque[path].kind:
            kind = opaque[path].kind
            findings.append(
                Finding(
                    "npm-minified-without-source",
                    Severity.MEDIUM,
                    path,
                    f"An install script runs a {kind} file with no readable source",
                    "Code that runs at install time cannot be reviewed when it is shipped "
                    "minified or bundled without its source (the 2025 npm worms ran a "
                    "bundled bundle.js from postinstall).",
                    (Evidence(None, f"{kind}: {'; '.join(opaque[path].reasons)}"[:200]),),
                    related,
                )
            )
    return findings


def _gyp_findings(tree: FileTree) -> list[Finding]:
    """Commands node-gyp runs from binding.gyp: ``<!(cmd)`` expansions and actions
    (read by :mod:`chainsight.analyzers.behaviour.gyp`)."""
    from chainsight.analyzers.behaviour.gyp import analyze_gyp

    data = tree.read("binding.gyp")
    if data is None:
        return []
    text = data.decode("utf-8", "replace")
    hits = analyze_gyp(text, "binding.gyp")
    lines = text.split("\n")
    signals = [
        Signal(
            h.rule_id,
            h.severity,
            h.line,
            lines[min(max(h.line, 1), len(lines)) - 1].strip()[:200],
            h.why,
            h.reads,
        )
        for h in _flow.finalize(hits)
    ]
    finding = _behaviour_finding(
        "binding.gyp",
        signals,
        "Build commands in binding.gyp",
        (Related("package.json", "runs node-gyp"),),
    )
    return [finding] if finding is not None else []


# ------------------------------------------------------------------ runtime code


def _runtime_findings(tree: FileTree, install_paths: set[str]) -> list[Finding]:
    findings: list[Finding] = []
    for entry in tree.entries():
        path = entry.path
        if path in install_paths or entry.kind.value != "file" or not is_js(path):
            continue
        data = tree.read(path)
        if data is None:
            continue
        signals = scan_runtime_js(path, data.decode("utf-8", "replace"))
        if not signals:
            continue
        findings.append(runtime_finding(path, signals, "in the package"))
    return findings


def runtime_finding(
    path: str, signals: list[Signal], where: str, severity: Severity | None = None
) -> Finding:
    """One ``runtime-decode-exec`` finding for a file's signals (see runtime_js)."""
    first = next(s for s in signals if s.severity is Severity.HIGH)
    return Finding(
        first.rule_id,
        severity or Severity.HIGH,
        path,
        f"JavaScript {where} decodes data and runs it",
        first.why,
        tuple(Evidence(s.line, s.text) for s in signals[:MAX_EVIDENCE]),
    )


# ------------------------------------------------------------------ minified files


@dataclass(frozen=True)
class OpaqueFile:
    kind: str
    """``minified``, ``bundled`` or ``minified bundle``."""
    reasons: tuple[str, ...]
    source: str | None
    """What in the package gives its readable source, or None."""


def opaque_files(tree: FileTree) -> dict[str, OpaqueFile]:
    """Minified or bundled JavaScript files of the package, and their sources."""
    paths = set(tree.paths())
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for path in paths:
        entry = tree.get(path)
        if entry is None or entry.size < MIN_SIZE or not is_js(path):
            continue
        data = tree.read(path)
        opaque = opaque_js(path, data) if data is not None else None
        if opaque is not None:
            found[path] = (opaque.kind, opaque.reasons)

    def readable(p: str) -> bool:
        return p not in found

    index = SourceIndex(paths)
    return {
        path: OpaqueFile(kind, reasons, index.source_for(path, tree.read(path) or b"", readable))
        for path, (kind, reasons) in found.items()
    }


def _minified_findings(opaque: dict[str, OpaqueFile], install_paths: set[str]) -> list[Finding]:
    lacking = sorted(p for p, o in opaque.items() if o.source is None and p not in install_paths)
    if not lacking:
        return []
    with_source = sum(1 for o in opaque.values() if o.source is not None)
    evidence = [
        Evidence(None, f"{p}: {opaque[p].kind} ({'; '.join(opaque[p].reasons)})"[:200])
        for p in lacking[:MAX_LISTED]
    ]
    if len(lacking) > MAX_LISTED:
        evidence.append(Evidence(None, f"… and {len(lacking) - MAX_LISTED} more"))
    return [
        Finding(
            "npm-minified-without-source",
            Severity.INFO,
            lacking[0],
            f"{len(lacking)} minified or bundled file(s) without a readable source",
            "Code shipped only in a form nobody reviews is where an appended payload hides "
            f"best; {with_source} other minified/bundled file(s) come with a source map or "
            "a readable copy.",
            tuple(evidence),
            tuple(Related(p, "minified or bundled without source") for p in lacking[1:MAX_LISTED]),
        )
    ]


# ------------------------------------------------------------------ registry vs tarball


def _registry_mismatch(
    scripts: Mapping[str, str], meta: Mapping[str, str], has_gyp: bool
) -> list[Finding]:
    raw = meta.get("install_scripts")
    if raw is None:
        return []
    try:
        declared = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(declared, dict):
        return []
    implicit = scripts.get("(implicit)")
    shipped = {k: v for k, v in scripts.items() if k != "(implicit)" and k != implicit}
    findings: list[Finding] = []
    hidden = [k for k, v in shipped.items() if declared.get(k) != v]
    if hidden:
        findings.append(
            Finding(
                "npm-manifest-mismatch",
                Severity.HIGH,
                "package.json",
                "The tarball runs install scripts the registry's manifest does not show",
                "npm runs the scripts of the tarball's package.json, while the registry's "
                "copy — what scanners and lock files read — says otherwise (manifest "
                "confusion).",
                tuple(
                    Evidence(None, f"{k}: tarball {shipped[k]!r}, registry {declared.get(k)!r}")
                    for k in hidden
                ),
            )
        )
    missing = [
        k
        for k, v in declared.items()
        if k not in shipped and not (k == "install" and v == "node-gyp rebuild" and has_gyp)
    ]
    if missing:
        findings.append(
            Finding(
                "npm-manifest-mismatch",
                Severity.MEDIUM,
                "package.json",
                "The registry's manifest lists install scripts the tarball does not have",
                "The registry's metadata and the package disagree; the tarball is what runs.",
                tuple(Evidence(None, f"{k}: registry {declared[k]!r}") for k in missing),
            )
        )
    return findings


def _target_mismatch(contents: ArchiveContents, package: FetchedPackage) -> list[Finding]:
    manifest, _ = _manifest(contents.tree())
    if not manifest:
        return []
    problems = []
    name, version = manifest.get("name"), manifest.get("version")
    if isinstance(name, str) and name != package.target.name:
        problems.append(f"name: tarball {name!r}, registry {package.target.name!r}")
    if isinstance(version, str) and version != package.target.version:
        problems.append(f"version: tarball {version!r}, registry {package.target.version!r}")
    if not problems:
        return []
    return [
        Finding(
            "npm-manifest-mismatch",
            Severity.HIGH,
            "package.json",
            "The tarball is not the release the registry names",
            "The registry serves, under this name and version, a package.json that names "
            "another package or version.",
            tuple(Evidence(None, p) for p in problems),
        )
    ]
