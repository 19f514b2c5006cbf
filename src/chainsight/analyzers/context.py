"""What every explainer may look at: both trees, the repository and the release."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from chainsight.analyzers.gitattributes import GitAttributes, GitIgnore
from chainsight.model import Category, Status
from chainsight.sources.git import Repository
from chainsight.sources.refs import ReleaseName
from chainsight.trees import Entry, EntryKind, FileTree

_BUILD_FILES = re.compile(
    r"(^|/)(Makefile\.am|Makefile\.in|GNUmakefile|Makefile|[\w.-]+\.mk|[\w.-]+\.mak|"
    r"CMakeLists\.txt|[\w.-]+\.cmake|meson\.build|configure\.ac|configure\.in|"
    r"Makefile\.inc|[\w.-]+\.am)$"
)


@dataclass(frozen=True)
class AutotoolsRoot:
    directory: str
    """'' for the top level."""
    aux_dir: str | None
    """AC_CONFIG_AUX_DIR, relative to the root."""
    macro_dirs: frozenset[str]
    """AC_CONFIG_MACRO_DIR(S) and ACLOCAL_AMFLAGS -I directories."""
    configure_ac: str


LIFECYCLE_SCRIPTS = (
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "preprepare",
    "postprepare",
    "prepublish",
)


@dataclass(frozen=True)
class Difference:
    """A path that is not byte-identical, before it is explained."""

    path: str
    status: Status
    artifact: Entry | None
    source: Entry | None


@dataclass(frozen=True)
class Explanation:
    category: Category
    verified: bool
    text: str
    status: Status | None = None
    """Overrides the difference's status (relocated, submodule)."""
    source_path: str | None = None


@dataclass
class AuditContext:
    artifact: FileTree
    source: FileTree
    repo: Repository | None
    commit: str
    release: ReleaseName | None
    artifact_kind: str
    submodule_trees: dict[str, FileTree] = field(default_factory=dict)
    """Trees of submodule commits, loaded on first use."""
    memo: dict[str, object] = field(default_factory=dict)
    """What an explainer computed once per audit (e.g. the pinned gnulib's index)."""

    @cached_property
    def attributes(self) -> GitAttributes:
        return GitAttributes(self.source)

    @cached_property
    def source_dirs(self) -> set[str]:
        dirs: set[str] = set()
        for p in self.source:
            parts = p.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        return dirs

    @cached_property
    def source_stems(self) -> dict[str, list[str]]:
        """Map lower-case file stem (name without any extension) -> source paths."""
        stems: dict[str, list[str]] = {}
        for p in self.source:
            base = p.rsplit("/", 1)[-1].lower()
            stems.setdefault(base.split(".", 1)[0], []).append(p)
        return stems

    @cached_property
    def gitlinks(self) -> dict[str, Entry]:
        return {e.path: e for e in self.source.entries() if e.kind is EntryKind.GITLINK}

    @cached_property
    def source_symlinks(self) -> dict[str, str]:
        """Source symlink path -> target string."""
        out: dict[str, str] = {}
        for e in self.source.entries():
            if e.kind is EntryKind.SYMLINK:
                data = self.source.read(e.path)
                if data is not None:
                    out[e.path] = data.decode("utf-8", "surrogateescape")
        return out

    @cached_property
    def has_autotools(self) -> bool:
        return bool(self.autotools_roots) or "Makefile.am" in self.source

    @cached_property
    def autotools_roots(self) -> dict[str, AutotoolsRoot]:
        """Directories with their own configure.ac (nested packages too), by directory."""
        roots: dict[str, AutotoolsRoot] = {}
        for path in self.source:
            base = path.rsplit("/", 1)[-1]
            if base not in ("configure.ac", "configure.in"):
                continue
            directory = path[: -len(base)].rstrip("/")
            text = self.text(self.source, path) or ""
            aux = re.search(r"AC_CONFIG_AUX_DIR\(\s*\[?([^\])\s]+)", text)
            macro_dirs = re.findall(r"AC_CONFIG_MACRO_DIRS?\(\s*\[?([^\])]+)", text)
            am = self.text(self.source, f"{directory}/Makefile.am" if directory else "Makefile.am")
            include_dirs = re.findall(r"-I\s*([\w./-]+)", am or "")
            dirs = {d.strip() for group in macro_dirs for d in group.split()} | set(include_dirs)
            roots[directory] = AutotoolsRoot(
                directory,
                aux.group(1).strip("/") if aux else None,
                frozenset(d.strip("/") for d in dirs if d and not d.startswith("$")),
                text,
            )
        return roots

    def autotools_root_of(self, path: str) -> tuple[AutotoolsRoot, str] | None:
        """The innermost autotools root holding ``path``, and the path relative to it."""
        best: tuple[AutotoolsRoot, str] | None = None
        for directory, root in self.autotools_roots.items():
            prefix = directory + "/" if directory else ""
            deeper = best is None or len(directory) > len(best[0].directory)
            if path.startswith(prefix) and deeper:
                best = (root, path[len(prefix) :])
        return best

    @cached_property
    def build_files_by_dir(self) -> dict[str, list[str]]:
        """Source build files (Makefile.am, CMakeLists.txt, meson.build, ...) by directory."""
        out: dict[str, list[str]] = {}
        for path in self.source:
            if _BUILD_FILES.search(path):
                out.setdefault(path.rpartition("/")[0], []).append(path)
        return out

    @cached_property
    def scripts_by_dir(self) -> dict[str, list[str]]:
        """Source scripts (shell, Perl, Python, awk) by directory."""
        out: dict[str, list[str]] = {}
        for path in self.source:
            if path.endswith((".sh", ".pl", ".py", ".awk", ".bash")):
                out.setdefault(path.rpartition("/")[0], []).append(path)
        return out

    @cached_property
    def build_time_paths(self) -> frozenset[str]:
        """Artifact files that are build- or install-time code themselves."""
        from chainsight.analyzers.classify import is_build_time

        return frozenset(p for p in self.artifact if is_build_time(p))

    @cached_property
    def doc_generators(self) -> list[str]:
        """Source files that configure documentation generators (Doxygen, Sphinx, ...)."""
        pattern = re.compile(
            r"(^|/)(Doxyfile[\w.-]*|[\w.-]+\.doxy(gen)?|conf\.py|mkdocs\.ya?ml|po4a\.conf"
            r"|[\w-]+\.texi(nfo)?|antora\.ya?ml|book\.toml|c2man[\w.-]*"
            r"|(?:doc|docs|man)/[\w.-]+\.(?:sh|awk|pl|py))$"
        )
        return sorted(p for p in self.source if pattern.search(p))

    @cached_property
    def gitignore(self) -> GitIgnore:
        """What the tag's .gitignore files exclude."""
        return GitIgnore(self.source)

    @cached_property
    def meson_wraps(self) -> dict[tuple[str, str], str]:
        """(``subprojects`` directory, subproject directory) -> the tracked wrap file
        declaring it (``directory =``, else the wrap's own name)."""
        import posixpath

        out: dict[tuple[str, str], str] = {}
        for path in self.source:
            parent = posixpath.dirname(path)
            if not path.endswith(".wrap") or posixpath.basename(parent) != "subprojects":
                continue
            text = self.text(self.source, path, limit=64 * 1024) or ""
            named = re.search(r"^\s*directory\s*=\s*(\S+)\s*$", text, re.MULTILINE)
            declared = named.group(1) if named else posixpath.basename(path)[: -len(".wrap")]
            out.setdefault((parent, declared), path)
        return out

    @cached_property
    def generators(self) -> list[str]:
        """Tracked files that may name a generated output: build files, scripts, CMake
        modules, setup.py and pyproject.toml."""
        scripts = [p for paths in self.scripts_by_dir.values() for p in paths]
        builds = [p for paths in self.build_files_by_dir.values() for p in paths]
        more = [
            p
            for p in self.source
            if p.endswith((".cmake", ".cmake.in")) or p in ("setup.py", "pyproject.toml")
        ]
        return sorted(set(builds + scripts + more))

    @cached_property
    def build_hook_files(self) -> frozenset[str]:
        """Artifact files the build imports or runs by declaration: an in-tree PEP 517
        backend, setuptools cmdclass and ``attr`` modules, a proc-macro crate's source
        (see :mod:`chainsight.analyzers.build_hooks`)."""
        from chainsight.analyzers.build_hooks import build_hook_files

        return build_hook_files(self.artifact)

    @cached_property
    def install_scripts(self) -> set[str]:
        """Artifact files run by package.json lifecycle scripts (install time)."""
        import json

        out: set[str] = set()
        for pkg in ("package.json",):
            data = self.artifact.read(pkg)
            if not data:
                continue
            try:
                scripts = json.loads(data).get("scripts", {})
            except (ValueError, AttributeError):
                continue
            if not isinstance(scripts, dict):
                continue
            for hook in LIFECYCLE_SCRIPTS:
                command = scripts.get(hook)
                if not isinstance(command, str):
                    continue
                for token in re.split(r"[\s;&|()<>'\"]+", command):
                    token = token.removeprefix("./")
                    if token in self.artifact:
                        out.add(token)
        return out

    def text(self, tree: FileTree, path: str, limit: int = 4 * 1024 * 1024) -> str | None:
        data = tree.read(path)
        if data is None or len(data) > limit:
            return None
        return data.decode("utf-8", "replace")
