"""Read an analysed git repository through its objects only.

Git reads a repository's own config, and that config can name programs
(``core.fsmonitor``, ``gpg.program``, ``diff.external``, textconv and
clean/smudge filters, hooks). chainsight therefore never runs porcelain
commands on an analysed repository: it reads objects with libgit2 (pygit2),
which implements none of those program hooks. Owner validation is switched off
for this process only (never in the user's git config), because reading
objects of someone else's checkout runs nothing of theirs.

Remote URLs are cloned bare into a cache with ``git clone`` under a locked-down
environment: no system or global config, an empty template (no hooks), no
prompts, no submodule recursion, and only https, ssh and file transports.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsight.errors import SourceError
from chainsight.trees import Entry, EntryKind, FileTree

_ALLOWED_URL = re.compile(r"^(https://|ssh://|git@[\w.-]+:|file://)", re.IGNORECASE)
CLONE_TIMEOUT_SECONDS = 600
CONNECT_TIMEOUT_SECONDS = 20


@functools.cache
def _pygit2() -> Any:
    """pygit2, with its process-wide options set once."""
    import pygit2

    # process-local: the user's config is not touched
    with contextlib.suppress(AttributeError, ValueError):
        pygit2.option(pygit2.enums.Option.SET_OWNER_VALIDATION, 0)
    with contextlib.suppress(AttributeError, ValueError):
        # blobs are read once each: a large object cache only grows the process
        pygit2.option(pygit2.enums.Option.SET_CACHE_MAX_SIZE, 32 * 1024 * 1024)
    return pygit2


def locked_git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the few git commands chainsight runs itself (clones)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false",
            "SSH_ASKPASS": "/bin/false",
            "GIT_SSH_COMMAND": f"ssh -o BatchMode=yes -o ConnectTimeout={CONNECT_TIMEOUT_SECONDS}",
            "GIT_ALLOW_PROTOCOL": "https:ssh:file",
            "GIT_PROTOCOL_FROM_USER": "0",
            "LC_ALL": "C",
        }
    )
    if extra:
        env.update(extra)
    return env


def is_url(text: str) -> bool:
    return "://" in text or bool(re.match(r"^[\w.-]+@[\w.-]+:", text))


def default_cache_dir() -> Path:
    base = os.environ.get("CHAINSIGHT_CACHE") or os.environ.get("XDG_CACHE_HOME")
    if os.environ.get("CHAINSIGHT_CACHE"):
        return Path(base or "")
    return Path(base or Path.home() / ".cache") / "chainsight"


def clone_into_cache(
    url: str, cache_dir: Path | None = None, *, connect_timeout: int | None = None
) -> Path:
    """Bare-clone (or refresh) ``url`` under the cache; return the git dir.

    ``connect_timeout`` (seconds) shortens ssh's connection timeout (batches).
    """
    if not _ALLOWED_URL.match(url):
        raise SourceError(f"refusing to clone {url}: only https, ssh and file URLs are allowed")
    cache = (cache_dir or default_cache_dir()) / "repos"
    cache.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    slug = re.sub(r"[^\w.-]+", "_", url.rstrip("/").rsplit("/", 1)[-1])[:40]
    dest = cache / f"{slug}-{key}.git"
    with tempfile.TemporaryDirectory(prefix="chainsight-tpl-") as template:
        env = locked_git_env()
        if connect_timeout is not None:
            env["GIT_SSH_COMMAND"] = (
                f"ssh -o BatchMode=yes -o ConnectTimeout={int(connect_timeout)}"
            )
        base = [
            "git",
            "-c",
            "protocol.allow=never",
            "-c",
            "protocol.https.allow=always",
            "-c",
            "protocol.ssh.allow=always",
            "-c",
            "protocol.file.allow=always",
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "http.lowSpeedLimit=1000",
            "-c",
            "http.lowSpeedTime=30",
        ]
        if dest.exists():
            cmd = [
                *base,
                "--git-dir",
                str(dest),
                "fetch",
                "--quiet",
                "--tags",
                "--force",
                "--no-recurse-submodules",
                url,
                "+refs/*:refs/*",
            ]
        else:
            tmp = dest.with_suffix(".partial")
            shutil.rmtree(tmp, ignore_errors=True)
            cmd = [
                *base,
                "clone",
                "--bare",
                "--quiet",
                f"--template={template}",
                "--no-recurse-submodules",
                "--",
                url,
                str(tmp),
            ]
        try:
            proc = subprocess.run(
                cmd,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=CLONE_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SourceError(f"cloning {url} timed out after {CLONE_TIMEOUT_SECONDS}s") from None
        except FileNotFoundError:
            raise SourceError("git is not installed; it is needed to clone URLs") from None
        if proc.returncode != 0:
            msg = proc.stderr.decode(errors="replace").strip().splitlines()
            last = msg[-1] if msg else f"git exited {proc.returncode}"
            if dest.exists():
                return dest  # keep using what the cache has; the fetch failed
            raise SourceError(f"cannot clone {url}: {last}")
        if not dest.exists():
            tmp.rename(dest)
    return dest


@dataclass(frozen=True)
class ResolvedRef:
    name: str
    commit: str
    tag_object: str | None
    """Id of the annotated tag object, when the ref is an annotated tag."""


class Repository:
    """A git repository opened read-only through libgit2."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        pygit2 = _pygit2()
        self.display = display or str(path)
        try:
            found = pygit2.discover_repository(str(path))
        except Exception:  # pragma: no cover - libgit2 raises several types
            found = None
        if not found:
            raise SourceError(f"{path} is not a git repository")
        try:
            self._repo = pygit2.Repository(found)
        except Exception as exc:
            raise SourceError(f"cannot open repository {path}: {exc}") from None
        self.path = Path(found)

    @property
    def libgit2(self) -> Any:
        """The pygit2 repository, for readers that need more than this class offers
        (``chainsight.history`` reads refs, tag objects and blobs through it)."""
        return self._repo

    @classmethod
    def open(cls, location: str, cache_dir: Path | None = None) -> Repository:
        if is_url(location):
            return cls(clone_into_cache(location, cache_dir), display=location)
        path = Path(location)
        if not path.exists():
            raise SourceError(f"source repository {location} does not exist")
        return cls(path)

    # -- refs ----------------------------------------------------------------

    def tag_names(self) -> list[str]:
        return [r[len("refs/tags/") :] for r in self._repo.references if r.startswith("refs/tags/")]

    def resolve(self, ref: str) -> ResolvedRef:
        """Resolve a tag, branch or commit id given explicitly by the user."""
        pygit2 = _pygit2()
        candidates = [f"refs/tags/{ref}", ref, f"refs/heads/{ref}", f"refs/remotes/{ref}"]
        for name in candidates:
            try:
                obj = self._repo.revparse_single(name)
            except (KeyError, ValueError, pygit2.GitError):
                continue
            tag_object = None
            if obj.type == pygit2.enums.ObjectType.TAG:
                tag_object = str(obj.id)
            commit = obj.peel(pygit2.Commit)
            return ResolvedRef(ref, str(commit.id), tag_object)
        raise SourceError(f"no ref named {ref!r} in {self.display}")

    # -- trees ---------------------------------------------------------------

    def tree_at(self, commit_id: str, subdir: str | None = None) -> FileTree:
        pygit2 = _pygit2()
        commit = self._repo[commit_id].peel(pygit2.Commit)
        tree = commit.tree
        if subdir:
            sub = subdir.strip("/")
            try:
                obj = tree[sub]
            except KeyError:
                raise SourceError(f"{sub}/ does not exist at {commit_id[:12]}") from None
            tree = self._repo[obj.id]
            if not isinstance(tree, pygit2.Tree):
                raise SourceError(f"{sub} is not a directory at {commit_id[:12]}")
        entries: dict[str, Entry] = {}
        for path, oid, mode in self._walk(tree, ""):
            if mode == 0o160000:
                entries[path] = Entry(path, EntryKind.GITLINK, oid, 0)
            elif mode == 0o120000:
                entries[path] = Entry(path, EntryKind.SYMLINK, oid, 0, link_target=None)
            else:
                entries[path] = Entry(path, EntryKind.FILE, oid, -1, executable=mode == 0o100755)
        repo = self._repo

        oid = _pygit2().Oid

        def read(entry: Entry) -> bytes | None:
            try:
                return bytes(repo[oid(hex=entry.blob_id)].data)
            except (KeyError, ValueError):
                return None

        return FileTree(entries, read)

    def _walk(self, tree: Any, prefix: str) -> Iterator[tuple[str, str, int]]:
        pygit2 = _pygit2()
        stack = [(tree, prefix)]
        while stack:
            current, pre = stack.pop()
            for item in current:
                path = pre + item.name
                if item.filemode == pygit2.enums.FileMode.TREE:
                    stack.append((self._repo[item.id], path + "/"))
                else:
                    yield path, str(item.id), int(item.filemode)

    def read_blob(self, blob_id: str) -> bytes | None:
        try:
            return bytes(self._repo[_pygit2().Oid(hex=blob_id)].data)
        except (KeyError, ValueError):
            return None

    def has_object(self, oid: str) -> bool:
        try:
            return oid in self._repo
        except ValueError:
            return False

    def commit_messages(
        self, commit_id: str, limit: int = 50_000
    ) -> Iterator[tuple[str, str, int]]:
        """(summary, author name, commit time) for history reachable from commit_id."""
        pygit2 = _pygit2()
        walker = self._repo.walk(commit_id, pygit2.enums.SortMode.TIME)
        for n, c in enumerate(walker):
            if n >= limit:
                break
            yield c.message.split("\n", 1)[0].strip(), c.author.name, c.commit_time

    def submodule_repository(self, name: str) -> Repository | None:
        """The submodule's own object store, when this checkout has it (.git/modules)."""
        candidate = self.path / "modules" / name
        if candidate.is_dir():
            try:
                return Repository(candidate)
            except SourceError:
                return None
        return None

    def gitmodules(self, tree: FileTree) -> dict[str, str]:
        """Map submodule path -> name, from the tree's .gitmodules."""
        data = tree.read(".gitmodules")
        if not data:
            return {}
        mapping: dict[str, str] = {}
        name = None
        for line in data.decode("utf-8", "replace").splitlines():
            m = re.match(r'\s*\[submodule\s+"(.+)"\]', line)
            if m:
                name = m.group(1)
                continue
            m = re.match(r"\s*path\s*=\s*(.+?)\s*$", line)
            if m and name:
                mapping[m.group(1)] = name
        return mapping
