"""One streaming pass over a repository's history, read safely.

Git reads a repository's own config, and that config can name programs
(``gpg.program`` runs for ``log.showSignature``, ``diff.external``, textconv).
The history is therefore never read with git *in* the analysed repository:
an empty temporary git directory of our own borrows the analysed object store
through ``objects/info/alternates``. Git run there reads only that directory's
empty config (system and global config are switched off by
:func:`~chainsight.sources.git.locked_git_env`), so nothing the analysed
repository configures can run. Refs are read with libgit2 (objects only) and
handed to ``git log --stdin`` as commit ids.

The pass is a single ``git log --pretty=raw -z --raw --no-renames`` parsed as
it streams: ``--pretty=raw`` carries the ``gpgsig`` header, so commit
signatures are parsed from bytes, never verified by running gpg.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chainsight.errors import SourceError
from chainsight.sources.git import Repository, _pygit2, locked_git_env

READ_CHUNK = 1 << 20
ZERO_OID = "0" * 40


@dataclass(slots=True)
class Change:
    """One path a commit changed (``git log --raw``)."""

    status: str
    """A, M, D, T (type change)."""
    path: str
    old_blob: str
    new_blob: str
    new_mode: int


@dataclass(slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int
    committer_name: str
    committer_email: str
    committer_time: int
    message: str
    signature: bytes | None
    """The ``gpgsig`` header's armored signature, unparsed."""
    changes: list[Change] = field(default_factory=list)
    duplicate: bool = False
    """A copy (cherry-pick, rebase onto another branch) of a commit already counted:
    same author, author time and subject."""

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(slots=True)
class TagRecord:
    name: str
    commit: str
    """The commit the tag points at (peeled)."""
    tag_object: str | None
    """Id of the annotated tag object; None for a lightweight tag."""
    tagger_name: str | None
    tagger_email: str | None
    time: int
    """Tagger time, or the commit's committer time for a lightweight tag."""
    message: str
    signature: bytes | None


@dataclass
class HistoryData:
    """Everything the single pass produced, oldest commit first."""

    commits: list[Commit]
    tags: list[TagRecord]
    head: str | None
    """The commit HEAD stood at on the analysis date (for reading files)."""
    mailmap: bytes | None
    display: str


class HistorySource:
    """A repository opened for the history pass (local path, or URL cloned bare)."""

    def __init__(self, location: str, cache_dir: Path | None = None) -> None:
        repository = Repository.open(location, cache_dir)
        self.display = repository.display
        self._repo = repository.libgit2
        self.git_dir = repository.path

    # -- objects through libgit2 -------------------------------------------

    def read_blob(self, oid: str, limit: int | None = None) -> bytes | None:
        try:
            data = self._repo[oid].data
        except (KeyError, ValueError, AttributeError):
            return None
        return bytes(data if limit is None else data[:limit])

    def blob_size(self, oid: str) -> int | None:
        try:
            return int(self._repo[oid].size)
        except (KeyError, ValueError, AttributeError):
            return None

    def file_at(self, commit: str, path: str) -> bytes | None:
        try:
            tree = self._repo[commit].peel(_pygit2().Commit).tree
            obj = tree[path]
        except (KeyError, ValueError):
            return None
        if obj.type_str != "blob":
            return None
        return bytes(obj.data)

    def blob_size_at(self, commit: str, path: str) -> int | None:
        try:
            obj = self._repo[commit].peel(_pygit2().Commit).tree[path]
        except (KeyError, ValueError):
            return None
        return int(obj.size) if obj.type_str == "blob" else None

    def paths_at(self, commit: str, prefix: str) -> list[str]:
        """Blob paths directly under ``prefix`` (a directory) at ``commit``."""
        pygit2 = _pygit2()
        try:
            tree = self._repo[commit].peel(pygit2.Commit).tree
            sub = tree[prefix.strip("/")] if prefix.strip("/") else tree
        except (KeyError, ValueError):
            return []
        if sub.type_str != "tree":
            return []
        return [f"{prefix.strip('/')}/{e.name}".lstrip("/") for e in sub if e.type_str == "blob"]

    def _refs(self) -> list[tuple[str, str]]:
        """(ref name, target object id) for branches, remote branches and tags."""
        out = []
        for name in self._repo.references:
            if not name.startswith(("refs/heads/", "refs/tags/", "refs/remotes/")):
                continue
            try:
                ref = self._repo.references[name].resolve()
            except Exception:  # a broken or dangling ref: libgit2 raises several types
                continue
            out.append((name, str(ref.target)))
        return out

    def _peel_commit(self, oid: str) -> tuple[str, Any] | None:
        pygit2 = _pygit2()
        try:
            obj = self._repo[oid]
            commit = obj.peel(pygit2.Commit)
        except Exception:  # missing object, or a tag of a tree/blob
            return None
        return str(commit.id), obj

    def head_at(self, until: int | None) -> str | None:
        """The commit HEAD's first-parent line stood at on ``until``."""
        pygit2 = _pygit2()
        try:
            commit = self._repo.head.peel(pygit2.Commit)
        except Exception:  # HEAD names a branch the mirror lacks: the newest branch
            heads = [self._peel_commit(t) for n, t in self._refs() if n.startswith("refs/heads/")]
            tips = [self._repo[c[0]] for c in heads if c is not None]
            if not tips:
                return None
            commit = max(tips, key=lambda c: c.commit_time)
        while until is not None and commit.commit_time > until:
            if not commit.parents:
                return None
            commit = commit.parents[0]
        return str(commit.id)

    def tags(self, until: int | None) -> list[TagRecord]:
        pygit2 = _pygit2()
        out: list[TagRecord] = []
        for name, target in self._refs():
            if not name.startswith("refs/tags/"):
                continue
            peeled = self._peel_commit(target)
            if peeled is None:
                continue
            commit_id, obj = peeled
            short = name[len("refs/tags/") :]
            if obj.type == pygit2.enums.ObjectType.TAG:
                rec = parse_tag_object(short, commit_id, str(obj.id), obj.read_raw())
            else:
                c = self._repo[commit_id]
                rec = TagRecord(short, commit_id, None, None, None, c.commit_time, "", None)
            if until is None or rec.time <= until:
                out.append(rec)
        out.sort(key=lambda t: (t.time, t.name))
        return out

    def tips(self) -> list[str]:
        tips = []
        for _name, target in self._refs():
            peeled = self._peel_commit(target)
            if peeled:
                tips.append(peeled[0])
        with contextlib.suppress(Exception):
            tips.append(str(self._repo.head.peel(_pygit2().Commit).id))
        return sorted(set(tips))

    def _common_dir(self) -> Path:
        """The git dir shared by linked worktrees (where objects and config live)."""
        common = self.git_dir / "commondir"
        if common.is_file():
            return (self.git_dir / common.read_text(errors="replace").strip()).resolve()
        return self.git_dir

    # -- the pass ------------------------------------------------------------

    @contextlib.contextmanager
    def borrowed_git_dir(self) -> Iterator[Path]:
        """An empty git dir of our own whose object store is the analysed one."""
        tmp = Path(tempfile.mkdtemp(prefix="chainsight-history-"))
        try:
            (tmp / "objects" / "info").mkdir(parents=True)
            (tmp / "refs").mkdir()
            (tmp / "HEAD").write_text("ref: refs/heads/main\n")
            fmt = _object_format(self._common_dir() / "config")
            config = "[core]\n\trepositoryformatversion = {}\n\tbare = true\n".format(
                1 if fmt != "sha1" else 0
            )
            if fmt != "sha1":
                config += f"[extensions]\n\tobjectformat = {fmt}\n"
            (tmp / "config").write_text(config)
            objects = (self._common_dir() / "objects").resolve()
            (tmp / "objects" / "info" / "alternates").write_text(f"{objects}\n")
            shallow = self.git_dir / "shallow"
            if shallow.is_file():
                shutil.copyfile(shallow, tmp / "shallow")
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def read(self, until: int | None = None) -> HistoryData:
        tags = self.tags(until)
        tips = self.tips()
        head = self.head_at(until)
        mailmap = self.file_at(head, ".mailmap") if head else None
        commits: list[Commit] = []
        if tips:
            with self.borrowed_git_dir() as git_dir:
                commits = list(stream_commits(git_dir, tips, until))
        commits.sort(key=lambda c: (c.committer_time, c.author_time))
        mark_duplicates(commits)
        return HistoryData(commits, tags, head, mailmap, self.display)


def _object_format(config: Path) -> str:
    """The repository's object format, read from its config as text (never run)."""
    if config.is_file():
        m = re.search(r"objectformat\s*=\s*(\w+)", config.read_text(errors="replace"), re.I)
        if m:
            return m.group(1).lower()
    return "sha1"


def git_log_command(git_dir: Path, until: int | None) -> list[str]:
    cmd = [
        "git",
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "log.showSignature=false",
        "-c",
        "core.commitGraph=true",
        "--no-pager",
        "--git-dir",
        str(git_dir),
        "log",
        "--stdin",
        "--pretty=raw",
        "-z",
        "--raw",
        "--no-renames",
        "--no-abbrev",
        "--no-ext-diff",
        "--no-textconv",
        "--no-color",
        "--no-mailmap",
    ]
    if until is not None:
        cmd.append(f"--until=@{until}")
    return cmd


def stream_commits(git_dir: Path, tips: list[str], until: int | None) -> Iterator[Commit]:
    """Run the one ``git log`` and parse its output as it arrives."""
    with tempfile.TemporaryFile() as errfile:
        try:
            proc = subprocess.Popen(
                git_log_command(git_dir, until),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errfile,
                env=locked_git_env(),
                bufsize=0,
            )
        except FileNotFoundError:
            raise SourceError("git is not installed; it is needed to read history") from None
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write("".join(f"{t}\n" for t in tips).encode())
            proc.stdin.close()
            yield from parse_log_stream(proc.stdout)
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errfile.seek(0)
            lines = errfile.read().decode(errors="replace").strip().splitlines()
            raise SourceError(f"git log failed: {lines[-1] if lines else f'exit {code}'}")


def parse_log_stream(stream: IO[bytes]) -> Iterator[Commit]:
    """Parse ``git log --pretty=raw -z --raw`` output (see module doc)."""
    pending = b""
    current: Commit | None = None
    meta: bytes | None = None  # a raw meta waiting for its path field
    while True:
        chunk = stream.read(READ_CHUNK)
        if not chunk:
            break
        fields = (pending + chunk).split(b"\0")
        pending = fields.pop()
        for f in fields:
            if meta is not None:
                current.changes.append(_change(meta, f))  # type: ignore[union-attr]
                meta = None
            elif f.startswith(b":"):
                meta = f
            elif f.startswith(b"commit "):
                if current is not None:
                    yield current
                current, meta = _commit_block(f)
            # an empty field ends a commit's raw list: nothing to do
    if pending:
        if meta is not None and current is not None:
            current.changes.append(_change(meta, pending))
        elif pending.startswith(b"commit "):
            if current is not None:
                yield current
            current, _ = _commit_block(pending)
    if current is not None:
        yield current


def _change(meta: bytes, path: bytes) -> Change:
    # ":100644 100644 <old> <new> M"
    parts = meta[1:].split(b" ")
    return Change(
        parts[4][:1].decode(),
        path.decode("utf-8", "surrogateescape"),
        parts[2].decode(),
        parts[3].decode(),
        int(parts[1], 8),
    )


def _person(value: bytes) -> tuple[str, str, int]:
    lt = value.find(b" <")
    gt = value.rfind(b"> ")
    name = value[:lt].decode("utf-8", "replace").strip() if lt >= 0 else ""
    email = value[lt + 2 : gt].decode("utf-8", "replace").strip() if lt >= 0 and gt > lt else ""
    try:
        when = int(value[gt + 2 :].split(b" ", 1)[0])
    except ValueError:
        when = 0
    return name, email, when


def _commit_block(block: bytes) -> tuple[Commit, bytes | None]:
    head_end = block.find(b"\n\n")
    if head_end < 0:
        head, rest = block, b""
    else:
        head, rest = block[:head_end], block[head_end + 2 :]
    sha = ""
    parents: list[str] = []
    author = committer = ("", "", 0)
    signature: list[bytes] | None = None
    in_sig = False
    for line in head.split(b"\n"):
        if line.startswith(b" "):
            if in_sig and signature is not None:
                signature.append(line[1:])
            continue
        in_sig = False
        key, _, value = line.partition(b" ")
        if key == b"commit":
            sha = value.split(b" ", 1)[0].decode()
        elif key == b"parent":
            parents.append(value.decode())
        elif key == b"author":
            author = _person(value)
        elif key == b"committer":
            committer = _person(value)
        elif key in (b"gpgsig", b"gpgsig-sha256") and signature is None:
            signature = [value]
            in_sig = True
    meta = None
    cut = rest.rfind(b"\n:")
    if cut >= 0:
        meta = rest[cut + 1 :]
        rest = rest[:cut]
    elif rest.startswith(b":"):
        meta, rest = rest, b""
    message = "\n".join(
        ln[4:] if ln.startswith("    ") else ln
        for ln in rest.decode("utf-8", "replace").rstrip("\n").split("\n")
    )
    commit = Commit(
        sha,
        tuple(parents),
        author[0],
        author[1],
        author[2],
        committer[0],
        committer[1],
        committer[2],
        message,
        b"\n".join(signature) if signature else None,
    )
    return commit, meta


_SIG_BEGIN = re.compile(
    rb"^-----BEGIN (PGP|SSH) SIGNATURE-----|^-----BEGIN SIGNED MESSAGE-----", re.M
)


def parse_tag_object(name: str, commit: str, oid: str, raw: bytes) -> TagRecord:
    head, _, body = raw.partition(b"\n\n")
    tagger_name = tagger_email = None
    when = 0
    signature: bytes | None = None
    sig_lines: list[bytes] | None = None
    for line in head.split(b"\n"):
        if line.startswith(b" "):
            if sig_lines is not None:
                sig_lines.append(line[1:])
            continue
        key, _, value = line.partition(b" ")
        if key == b"tagger":
            tagger_name, tagger_email, when = _person(value)
        elif key in (b"gpgsig", b"gpgsig-sha256") and sig_lines is None:
            sig_lines = [value]
    if sig_lines:
        signature = b"\n".join(sig_lines)
    m = _SIG_BEGIN.search(body)
    if m:
        signature = signature or body[m.start() :]
        body = body[: m.start()]
    if not when:
        when = 0
    return TagRecord(
        name,
        commit,
        oid,
        tagger_name,
        tagger_email,
        when,
        body.decode("utf-8", "replace").strip(),
        signature,
    )


def mark_duplicates(commits: list[Commit]) -> None:
    """Mark copies of a commit (same author, author time and subject) after the first."""
    seen: set[tuple[str, int, str]] = set()
    for c in commits:
        key = (c.author_email.lower(), c.author_time, c.subject)
        if key in seen:
            c.duplicate = True
        else:
            seen.add(key)
