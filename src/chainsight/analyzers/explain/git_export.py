"""Differences that ``git archive`` and checkouts produce by themselves.

Relocated content, export-ignore / export-subst attributes, line-ending
conversion, symlinks shipped as copies, submodule contents, and files that only
serve the repository (VCS and CI configuration).
"""

from __future__ import annotations

import posixpath
import re

from chainsight.analyzers.classify import is_binary
from chainsight.analyzers.context import AuditContext, Difference, Explanation
from chainsight.model import Category, Status
from chainsight.sources.git import Repository
from chainsight.trees import EntryKind, FileTree, git_blob_id

_VCS_CI = re.compile(
    r"(^|/)(\.git(ignore|attributes|modules|-blame-ignore-revs|keep|review)?|\.mailmap"
    r"|\.github/.*|\.gitlab(-ci\.yml|/.*)|\.gitea/.*|\.forgejo/.*|\.circleci/.*|\.travis\.yml"
    r"|\.cirrus\.yml|\.appveyor\.yml|appveyor\.yml|azure-pipelines\.yml|\.azure-pipelines/.*"
    r"|\.buildkite/.*|\.drone\.yml|Jenkinsfile|\.woodpecker(\.yml|/.*)|\.pre-commit-config\.yaml"
    r"|\.pre-commit-hooks\.yaml|\.editorconfig|\.clang-format|\.clang-tidy|\.codecov\.yml"
    r"|codecov\.yml|\.coveragerc|\.readthedocs\.ya?ml|\.hgignore|\.hgtags|\.bzrignore"
    r"|\.cvsignore|\.dockerignore|\.devcontainer/.*|\.vscode/.*|\.idea/.*|renovate\.json"
    r"|\.renovaterc(\.json)?|\.dependabot/.*|\.lgtm\.yml|\.mergify\.yml|\.flake8|\.pylintrc"
    r"|\.yamllint(\.ya?ml)?|\.markdownlint.*|\.prettierrc.*|\.prettierignore|\.eslintrc.*"
    r"|\.eslintignore|\.npmignore|\.nvmrc|\.node-version|\.python-version|\.tool-versions"
    r"|\.envrc|\.git-blame-ignore-revs|\.travis/.*|\.ci/.*|ci/.*|\.cargo-ok|\.hgsigs"
    r"|\.packit\.ya?ml|\.zuul\.ya?ml|\.tx/.*|\.weblate|\.copr/.*|\.builds/.*|\.sourcehut/.*"
    r"|\.gitpod\.yml|\.gitpod\.Dockerfile|SECURITY\.md|CODE_OF_CONDUCT\.md|CODEOWNERS"
    r"|\.ruff\.toml|ruff\.toml|\.isort\.cfg|mypy\.ini|\.mypy\.ini|\.bumpversion\.cfg"
    r"|\.release-please.*|\.changeset/.*|\.husky/.*|\.yarnrc(\.yml)?|\.yarn/.*|\.npmrc"
    r"|lerna\.json|pnpm-workspace\.yaml|\.stylelintrc.*|\.browserslistrc|\.jshintrc"
    r"|\.jscsrc|\.semaphore/.*|\.github_changelog_generator|\.zenodo\.json|CITATION\.cff"
    r"|\.typos\.toml|_typos\.toml|\.codespellrc|\.cspell\.json|cspell\.json)$"
)


EMPTY_BLOB = git_blob_id(b"")


def explain_relocated(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is Status.ARTIFACT_ONLY and d.artifact is not None and d.artifact.size > 0:
        others = ctx.source.paths_with_blob(d.artifact.blob_id)
        if others:
            return Explanation(
                Category.RELOCATED,
                True,
                f"same content as {others[0]} in the source (moved or copied by the release)",
                status=Status.RELOCATED,
                source_path=others[0],
            )
    if (
        d.status is Status.SOURCE_ONLY
        and d.source is not None
        and d.source.kind is EntryKind.FILE
        and d.source.blob_id != EMPTY_BLOB
    ):
        others = ctx.artifact.paths_with_blob(d.source.blob_id)
        if others:
            return Explanation(
                Category.RELOCATED,
                True,
                f"shipped as {others[0]} in the artifact",
                status=Status.RELOCATED,
                source_path=d.path,
            )
    return None


def explain_submodule(ctx: AuditContext, d: Difference) -> Explanation | None:
    if not ctx.gitlinks:
        return None
    for link_path, link in ctx.gitlinks.items():
        if d.path == link_path:
            return Explanation(
                Category.SUBMODULE,
                True,
                f"submodule pinned at {link.blob_id[:12]}; its files are checked separately",
                status=Status.SUBMODULE,
            )
        if d.artifact is None or not d.path.startswith(link_path + "/"):
            continue
        rel = d.path[len(link_path) + 1 :]
        verdict = _check_in_submodule(ctx, link_path, link.blob_id, rel, d.artifact.blob_id)
        if verdict is True:
            return Explanation(
                Category.SUBMODULE,
                True,
                f"identical to {rel} at the pinned commit {link.blob_id[:12]} of submodule "
                f"{link_path}",
                status=Status.SUBMODULE,
            )
        if verdict is False:
            return None  # the submodule repository says otherwise: leave unexplained
        return Explanation(
            Category.SUBMODULE,
            False,
            f"inside submodule {link_path} (pinned at {link.blob_id[:12]}); that repository "
            "is not available here, so the content is not checked",
            status=Status.SUBMODULE,
        )
    return None


def _check_in_submodule(
    ctx: AuditContext, link_path: str, commit: str, rel: str, blob_id: str
) -> bool | None:
    """True/False when the submodule's objects are available, None otherwise."""
    if ctx.repo is None:
        return None
    name = ctx.repo.gitmodules(ctx.source).get(link_path, link_path)
    sub = ctx.repo.submodule_repository(name)
    if sub is None or not sub.has_object(commit):
        return None
    tree = _submodule_tree(ctx, sub, commit)
    entry = tree.get(rel)
    return entry is not None and entry.blob_id == blob_id


def _submodule_tree(ctx: AuditContext, sub: Repository, commit: str) -> FileTree:
    """The pinned commit's tree, loaded once per audit (kept on the context)."""
    tree = ctx.submodule_trees.get(commit)
    if tree is None:
        tree = ctx.submodule_trees[commit] = sub.tree_at(commit)
    return tree


def explain_export_ignore(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is Status.SOURCE_ONLY and ctx.attributes.is_set(d.path, "export-ignore"):
        return Explanation(
            Category.EXPORT_IGNORE,
            True,
            "marked export-ignore in .gitattributes, so git archive leaves it out",
        )
    return None


def explain_vcs_excluded(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is Status.SOURCE_ONLY and _VCS_CI.search(d.path):
        return Explanation(
            Category.VCS_EXCLUDED,
            True,
            "repository, CI or editor configuration; releases usually leave it out",
        )
    return None


def explain_omitted(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is Status.SOURCE_ONLY:
        return Explanation(
            Category.OMITTED,
            False,
            "in the source but not shipped; leaving a file out adds no code to the release",
        )
    return None


def explain_line_endings(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.MODIFIED:
        return None
    a = ctx.artifact.read(d.path)
    s = ctx.source.read(d.path)
    if a is None or s is None or (b"\r" not in a and b"\r" not in s):
        return None
    if a.replace(b"\r\n", b"\n") != s.replace(b"\r\n", b"\n"):
        return None
    text_attr = ctx.attributes.get(d.path, "text")
    if text_attr is False or ctx.attributes.get(d.path, "binary") is True:
        return None  # git never converts a file marked -text or binary
    if is_binary(s) and text_attr is None and ctx.attributes.get(d.path, "eol") is None:
        return None  # nor does it convert what it detects as binary
    attr = ctx.attributes.get(d.path, "eol") or text_attr
    how = f" (.gitattributes sets {attr!r})" if attr not in (None, False) else ""
    return Explanation(
        Category.LINE_ENDINGS,
        True,
        f"differs only in line endings (CRLF/LF conversion){how}",
    )


_FORMAT = re.compile(rb"\$Format:([^$]*)\$")
_SAFE = rb"[^\n\"'`;$\\|&]"
"""Characters an expansion of names or subjects may hold: never quotes or separators, so an
expansion cannot close a string and append code."""
_DIRECTIVE = {
    b"H": None,  # the commit id itself, filled in per audit
    b"h": rb"[0-9a-f]{4,40}",
    b"T": rb"[0-9a-f]{40}",
    b"t": rb"[0-9a-f]{4,40}",
    b"P": rb"[0-9a-f]{40}(?: [0-9a-f]{40})*",
    b"p": rb"[0-9a-f]{4,40}(?: [0-9a-f]{4,40})*",
    b"d": rb"[\w ./,:()>@+~^{}-]*",
    b"D": rb"[\w ./,:>@+~^{}-]*",
}


def _placeholder_regex(fmt: bytes, commit: str) -> bytes:
    """A regex for what git archive writes for one ``$Format:...$`` placeholder."""
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i : i + 1]
        if c != b"%" or i + 1 >= len(fmt):
            out.append(re.escape(c))
            i += 1
            continue
        d = fmt[i + 1 : i + 2]
        if d == b"%":
            out.append(b"%")
            i += 2
        elif d in _DIRECTIVE:
            out.append(_DIRECTIVE[d] or re.escape(commit.encode()))
            i += 2
        elif d in (b"a", b"c") and i + 2 < len(fmt):  # %aI %cd %an %ce ...
            kind = fmt[i + 2 : i + 3]
            if kind in b"dDrtiIs":
                out.append(rb"[\w :+,./-]{0,64}")
            else:
                out.append(_SAFE + rb"{0,200}")
            i += 3
        else:
            out.append(_SAFE + rb"{0,400}")
            i += 2
    return b"".join(out)


def explain_export_subst(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.status is not Status.MODIFIED or not ctx.attributes.is_set(d.path, "export-subst"):
        return None
    a = ctx.artifact.read(d.path)
    s = ctx.source.read(d.path)
    if a is None or s is None:
        return None
    # the source's literal text, with each placeholder replaced by what git may write
    pieces = []
    last = 0
    for m in _FORMAT.finditer(s):
        pieces.append(re.escape(s[last : m.start()]))
        pieces.append(_placeholder_regex(m.group(1), ctx.commit))
        last = m.end()
    if not pieces:
        return None
    pieces.append(re.escape(s[last:]))
    if re.fullmatch(b"".join(pieces), a, re.DOTALL):
        return Explanation(
            Category.EXPORT_SUBST,
            True,
            "export-subst placeholders ($Format:…$) expanded by git archive; nothing else changed",
        )
    return None


def explain_symlink_copy(ctx: AuditContext, d: Difference) -> Explanation | None:
    if d.artifact is None or d.artifact.kind is not EntryKind.FILE:
        return None
    # the path itself is a symlink in git, or lies below a symlinked directory
    links = ctx.source_symlinks
    if not links:
        return None
    parts = d.path.split("/")
    for i in range(len(parts), 0, -1):
        prefix = "/".join(parts[:i])
        target = links.get(prefix)
        if target is None:
            continue
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(prefix), target))
        rest = "/".join(parts[i:])
        real = posixpath.join(resolved, rest) if rest else resolved
        entry = ctx.source.get(real)
        if entry is not None and entry.blob_id == d.artifact.blob_id:
            return Explanation(
                Category.SYMLINK_COPY,
                True,
                f"{prefix} is a symbolic link to {target} in git; the release ships a copy "
                f"of {real}",
                source_path=real,
            )
        return None
    return None
