"""The single pass: what it reads, how it parses, and that the analysed repository's
configuration can run nothing."""

from __future__ import annotations

import io
import os
import stat
import subprocess
from pathlib import Path

import pytest

from chainsight.errors import SourceError
from chainsight.history.analysis import HistoryRequest, analyse, parse_date
from chainsight.history.reader import HistorySource, parse_log_stream
from history.scripted import GIT_ENV, Person, Script, fingerprint_for, openpgp_signature

ALICE = Person("Alice Example", "alice@example.org")
BOB = Person("Bob Example", "bob@example.org")


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", "--git-dir", str(repo), *args],
        input=stdin,
        capture_output=True,
        check=True,
        env=GIT_ENV,
    )
    return proc.stdout.decode()


def test_pass_reads_every_commit_once_in_time_order(tmp_path: Path) -> None:
    s = Script()
    for day in range(1, 21):
        s.commit(
            f"2020-01-{day:02d}",
            ALICE if day % 2 else BOB,
            {f"dir with space/f{day}.txt": f"{day}\n"},
            f"Commit {day}\n\nBody line",
        )
    s.tag("v1.0", "2020-01-20", ALICE, key="alice")
    repo = s.build(tmp_path / "r.git")
    data = HistorySource(str(repo)).read()
    assert len(data.commits) == int(_git(repo, "rev-list", "--all", "--count"))
    assert [c.author_time for c in data.commits] == sorted(c.author_time for c in data.commits)
    first = data.commits[0]
    assert first.subject == "Commit 1"
    assert first.message == "Commit 1\n\nBody line"
    assert [(ch.status, ch.path) for ch in first.changes] == [("A", "dir with space/f1.txt")]
    assert data.tags[0].name == "v1.0" and data.tags[0].tagger_name == "Alice Example"
    assert data.tags[0].signature is not None


def test_until_cuts_commits_and_tags(tmp_path: Path) -> None:
    s = Script()
    for m in range(1, 13):
        s.commit(f"2020-{m:02d}-10", ALICE)
        s.tag(f"v1.{m}", f"2020-{m:02d}-11", ALICE)
    repo = s.build(tmp_path / "r.git")
    data = HistorySource(str(repo)).read(parse_date("2020-06-10", end_of_day=True))
    assert len(data.commits) == 6
    assert [t.name for t in data.tags][-1] == "v1.5"
    assert data.head is not None


def test_parser_handles_merges_roots_and_paths_that_look_like_headers() -> None:
    raw = (
        b"commit "
        + b"a" * 40
        + b"\ntree "
        + b"1" * 40
        + b"\nparent "
        + b"b" * 40
        + b"\nparent "
        + b"c" * 40
        + b"\nauthor A <a@x> 100 +0000\ncommitter A <a@x> 100 +0000\n\n    Merge\n\0"
        + b"commit "
        + b"b" * 40
        + b"\ntree "
        + b"1" * 40
        + b"\nauthor B <b@x> 50 +0000\ncommitter B <b@x> 50 +0000\n"
        + b"gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\n"
        + b"    Root\n\n:000000 100644 "
        + b"0" * 40
        + b" "
        + b"d" * 40
        + b" A\0commit x\0"
        + b":000000 100644 "
        + b"0" * 40
        + b" "
        + b"e" * 40
        + b" A\0new\nline\0\0"
    )
    commits = list(parse_log_stream(io.BytesIO(raw)))
    assert [c.subject for c in commits] == ["Merge", "Root"]
    assert commits[0].parents == ("b" * 40, "c" * 40) and commits[0].changes == []
    assert [ch.path for ch in commits[1].changes] == ["commit x", "new\nline"]
    assert commits[1].signature is not None and b"abc" in commits[1].signature


def test_not_a_repository_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a git repository"):
        HistorySource(str(tmp_path))
    with pytest.raises(SourceError, match="does not exist"):
        HistorySource(str(tmp_path / "missing"))


def test_the_analysed_repositorys_config_runs_nothing(tmp_path: Path) -> None:
    """gpg.program with log.showSignature, a pager, external diff, hooks and fsmonitor
    all name a program that would leave a marker file; none may run."""
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\necho ran >> {marker}\nexit 1\n")
    evil.chmod(evil.stat().st_mode | stat.S_IXUSR)
    s = Script()
    s.commit("2020-01-01", ALICE, {"a.txt": "a\n"})
    s.commit("2020-01-02", ALICE, {"a.txt": "b\n", ".gitattributes": "*.txt diff=evil\n"})
    s.tag("v1.0", "2020-01-03", ALICE, key="alice")
    repo = s.build(tmp_path / "r.git")
    # a signed commit on top, so that gpg would be asked about it
    head = _git(repo, "rev-parse", "refs/heads/main").strip()
    tree = _git(repo, "rev-parse", "refs/heads/main^{tree}").strip()
    sig = openpgp_signature(fingerprint_for("alice"), 1577934000).rstrip("\n")
    body = (
        f"tree {tree}\nparent {head}\nauthor {ALICE.line(1577934000)}\n"
        f"committer {ALICE.line(1577934000)}\ngpgsig " + sig.replace("\n", "\n ") + "\n\nSigned\n"
    )
    oid = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", stdin=body.encode()).strip()
    _git(repo, "update-ref", "refs/heads/main", oid)
    for key, value in [
        ("log.showSignature", "true"),
        ("gpg.program", str(evil)),
        ("gpg.ssh.program", str(evil)),
        ("core.pager", str(evil)),
        ("diff.external", str(evil)),
        ("diff.evil.textconv", str(evil)),
        ("core.fsmonitor", str(evil)),
        ("core.hooksPath", str(tmp_path)),
    ]:
        _git(repo, "config", key, value)
    (tmp_path / "post-checkout").write_text(evil.read_text())
    report = analyse(HistoryRequest(str(repo)))
    assert not marker.exists()
    assert report.metrics.commits == 3
    signed = next(p for p in report.people if p.id == "alice-example")
    assert signed.keys  # the commit signature was parsed, not verified


def test_git_errors_become_source_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Script()
    s.commit("2020-01-01", ALICE)
    repo = s.build(tmp_path / "r.git")
    source = HistorySource(str(repo))
    monkeypatch.setattr(source, "tips", lambda: ["f" * 40])
    with pytest.raises(SourceError, match="git log failed"):
        source.read()


def test_linked_worktree_and_checkout_are_read(tmp_path: Path) -> None:
    s = Script()
    s.commit("2020-01-01", ALICE, {"a.txt": "a\n"})
    bare = s.build(tmp_path / "r.git")
    work = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", str(bare), str(work)],
        check=True,
        env={**GIT_ENV, "HOME": str(tmp_path)},
    )
    data = HistorySource(str(work)).read()
    assert len(data.commits) == 1
    assert os.path.isdir(work / ".git")


def test_head_naming_a_missing_branch_falls_back_to_the_newest_branch(tmp_path: Path) -> None:
    s = Script()
    s.commit("2020-01-01", ALICE, {".mailmap": "Alice Example <alice@example.org> <old@x>\n"})
    repo = s.build(tmp_path / "r.git")
    (repo / "HEAD").write_text("ref: refs/heads/master\n")
    data = HistorySource(str(repo)).read()
    assert data.head == _git(repo, "rev-parse", "refs/heads/main").strip()
    assert data.mailmap is not None
