"""pip requirements files (``requirements.txt``), read the way pip reads them.

Logical lines: a trailing backslash joins the next line, ``#`` starts a comment
at the start of a line or after whitespace, ``${VAR}`` is expanded from the
environment.  Options: ``-r``/``--requirement`` and ``-c``/``--constraint``
include other files (relative to the including file), ``--hash`` is accepted
and ignored, ``-e``/``--editable`` is not auditable, global options (``-i``,
``--extra-index-url``, ``-f``...) are skipped.  Environment markers are kept
but not evaluated: every pinned release in the file is audited, whichever
platform it is meant for.

Only exact pins (``==V``, ``===V``) name a release.  An unpinned requirement
is pinned by a constraint file's exact pin when there is one (as pip would
install it); otherwise it is reported as ``cannot audit: not pinned``.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from chainsight.depsets._common import make_target, read_text
from chainsight.depsets.interface import (
    DepSet,
    DepsetError,
    DepsetFormat,
    EntryCollector,
    Origin,
)
from chainsight.registry.target import Ecosystem

_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$", re.DOTALL)
_URL_OR_PATH = re.compile(r"^([a-z][a-z0-9+.-]*://|[a-z]+\+|file:|\.{0,2}/|~)", re.IGNORECASE)
_ARCHIVE_SUFFIX = re.compile(r"\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz|tar)$", re.IGNORECASE)
_INCLUDE_OPTS = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE_OPTS = {"-e", "--editable"}
_MAX_INCLUDE_DEPTH = 20


@dataclass(frozen=True)
class _Line:
    origin: Origin
    text: str


@dataclass(frozen=True)
class _Unpinned:
    name: str
    text: str
    origin: Origin


@dataclass
class _State:
    out: EntryCollector
    constraints: dict[str, tuple[str, Origin]]
    unpinned: list[_Unpinned]
    seen: set[Path]
    files: list[str]
    """Every file read, in order (problems are listed in file and line order)."""


def parse_requirements(path: Path) -> DepSet:
    state = _State(EntryCollector(), {}, [], set(), [])
    _read_file(path, state, constraint=False, depth=0, included_from=None)
    for req in state.unpinned:
        pinned = state.constraints.get(_canonical(req.name))
        if pinned is None:
            state.out.problem(req.text, "cannot audit: not pinned (no ==VERSION)", req.origin)
            continue
        target = make_target(Ecosystem.PYPI, req.name, pinned[0])
        if isinstance(target, str):
            state.out.problem(req.text, target, req.origin)
        else:
            state.out.add(target, req.origin)
    return state.out.result(str(path), DepsetFormat.REQUIREMENTS, problem_order=state.files)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _read_file(
    path: Path, state: _State, *, constraint: bool, depth: int, included_from: Origin | None
) -> None:
    resolved = path.resolve()
    if resolved in state.seen:
        return
    state.seen.add(resolved)
    state.files.append(str(path))
    try:
        text = read_text(path)
    except DepsetError as exc:
        if included_from is None:
            raise
        state.out.problem(f"-r {path}", f"cannot audit: {exc}", included_from)
        return
    for line in _logical_lines(str(path), text):
        _read_line(line, path, state, constraint=constraint, depth=depth)


def _logical_lines(name: str, text: str) -> list[_Line]:
    lines: list[_Line] = []
    pending: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.endswith("\\") and not _COMMENT.match(raw):
            if not pending:
                first = number
            pending.append(raw[:-1])
            continue
        if pending:
            pending.append(raw if not _COMMENT.match(raw) else " " + raw)
            lines.append(_Line(Origin(name, first), "".join(pending)))
            pending = []
        else:
            lines.append(_Line(Origin(name, number), raw))
    if pending:
        lines.append(_Line(Origin(name, first), "".join(pending)))
    out = []
    for line in lines:
        stripped = _COMMENT.sub("", line.text).strip()
        if stripped:
            out.append(_Line(line.origin, _expand_env(stripped)))
    return out


def _expand_env(text: str) -> str:
    return _ENV_VAR.sub(lambda m: os.environ.get(m.group(1), m.group(0)), text)


def _split_args_options(text: str) -> tuple[str, str]:
    """pip's rule: the requirement is every token before the first that starts with ``-``."""
    tokens = text.split(" ")
    for i, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:i]).strip(), " ".join(tokens[i:]).strip()
    return text.strip(), ""


def _read_line(line: _Line, path: Path, state: _State, *, constraint: bool, depth: int) -> None:
    requirement, options = _split_args_options(line.text)
    if options:
        try:
            tokens = shlex.split(options)
        except ValueError:
            tokens = options.split()
        if not requirement and _read_options(tokens, line, path, state, depth=depth):
            return
    if requirement:
        _read_requirement(requirement, line.origin, state, constraint=constraint)


def _read_options(tokens: list[str], line: _Line, path: Path, state: _State, *, depth: int) -> bool:
    """Handle an option line; True when it was an include or an editable."""
    opt, value = tokens[0], tokens[1] if len(tokens) > 1 else ""
    if "=" in opt and opt.startswith("--"):
        opt, _, value = opt.partition("=")
    elif opt[:2] in ("-r", "-c", "-e") and len(opt) > 2:
        opt, value = opt[:2], opt[2:]
    if opt in _EDITABLE_OPTS:
        state.out.problem(line.text, "cannot audit: an editable install (-e)", line.origin)
        return True
    if opt in _INCLUDE_OPTS:
        if not value:
            state.out.problem(line.text, "cannot audit: the include names no file", line.origin)
        elif re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
            state.out.problem(
                line.text, "cannot audit: remote requirement files are not fetched", line.origin
            )
        elif depth >= _MAX_INCLUDE_DEPTH:
            state.out.problem(line.text, "cannot audit: includes nested too deep", line.origin)
        else:
            _read_file(
                path.parent / value,
                state,
                constraint=_INCLUDE_OPTS[opt],
                depth=depth + 1,
                included_from=line.origin,
            )
        return True
    return False  # a global option (-i, --hash alone, --pre...): nothing to audit


def _read_requirement(text: str, origin: Origin, state: _State, *, constraint: bool) -> None:
    spec = text.split(";", 1)[0].strip()  # environment markers are kept, not evaluated
    is_file = _ARCHIVE_SUFFIX.search(spec) and not re.search(r"[=<>~!@]", spec)
    if _URL_OR_PATH.match(text) or is_file:
        if not constraint:
            state.out.problem(
                text, "cannot audit: a URL, VCS or local path, not a registry release", origin
            )
        return
    m = _NAME.match(spec)
    if m is None:
        if not constraint:
            state.out.problem(text, "cannot audit: not a requirement pip understands", origin)
        return
    name, rest = m.group(1), m.group(3).strip()
    if rest.startswith("@"):
        if not constraint:
            state.out.problem(text, "cannot audit: a direct URL reference (NAME @ URL)", origin)
        return
    version = _exact_pin(rest)
    if constraint:
        if version is not None:
            state.constraints.setdefault(_canonical(name), (version, origin))
        return
    if version is None:
        state.unpinned.append(_Unpinned(name, text, origin))
        return
    target = make_target(Ecosystem.PYPI, name, version)
    if isinstance(target, str):
        state.out.problem(text, target, origin)
    else:
        state.out.add(target, origin)


def _exact_pin(specifier: str) -> str | None:
    specifier = specifier.strip()
    if specifier.startswith("(") and specifier.endswith(")"):
        specifier = specifier[1:-1]
    for clause in specifier.split(","):
        clause = clause.strip()
        for op in ("===", "=="):
            if clause.startswith(op):
                version = clause[len(op) :].strip()
                if version and "*" not in version:
                    return version
                break
    return None
