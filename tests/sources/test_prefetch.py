"""The artifact decompressed on a thread while chainsight loads (sources/prefetch.py):
handed over only for the same file and a clean, complete stream; the same result
either way."""

from __future__ import annotations

import gzip
import json
import lzma
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_repo, make_tar

from chainsight.analyzers import prescan
from chainsight.errors import ArtifactError
from chainsight.limits import Limits
from chainsight.sources import prefetch
from chainsight.sources.archive import read_archive

FILES = {f"src/f{i:03d}.c": f"int f{i}(void) {{ return {i}; }}\n" * 40 for i in range(60)}


@pytest.fixture(autouse=True)
def _no_leftover() -> Iterator[None]:
    prefetch.discard()
    yield
    prefetch.discard()


def _taken(path: Path, kind: str, grace: int = Limits().ratio_grace_bytes) -> bytes | None:
    with path.open("rb") as fh:
        chunks = prefetch.take(fh.fileno(), kind, grace)
    return None if chunks is None else b"".join(chunks)


@pytest.mark.parametrize(
    ("mode", "kind", "decompress"),
    [
        ("w:gz", "gz", gzip.decompress),
        ("w:xz", "xz", lzma.decompress),
    ],
)
def test_a_clean_stream_is_handed_over_once(tmp_path: Path, mode, kind, decompress) -> None:
    tar = make_tar(tmp_path / f"pkg.tar.{kind}", FILES, mode=mode)
    assert prefetch.start(str(tar))
    assert _taken(tar, kind) == decompress(tar.read_bytes())
    assert _taken(tar, kind) is None  # once


def test_another_file_or_format_gets_nothing(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)
    other = make_tar(tmp_path / "other.tar.gz", FILES)
    assert prefetch.start(str(tar))
    assert _taken(other, "gz") is None
    assert _taken(tar, "xz") is None
    assert _taken(tar, "gz") is not None


def test_a_file_rewritten_after_the_start_gets_nothing(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)
    assert prefetch.start(str(tar))
    prefetch._pending.thread.join()  # type: ignore[union-attr]
    data = tar.read_bytes()
    tar.unlink()
    tar.write_bytes(data)  # a new inode: not what was decompressed
    assert _taken(tar, "gz") is None


def _gz_variants(tmp_path: Path) -> dict[str, Path]:
    tar = make_tar(tmp_path / "base.tar.gz", FILES)
    data = tar.read_bytes()
    raw = gzip.decompress(data)
    bad_crc = bytearray(data)
    bad_crc[-8] ^= 0xFF
    out = {
        "two members": gzip.compress(raw[:20_000]) + gzip.compress(raw[20_000:]),
        "trailing bytes": data + b"junk after the stream",
        "zero padding": data + b"\0" * 16,
        "bad crc": bytes(bad_crc),
        "truncated": data[: len(data) // 2],
    }
    paths = {}
    for name, content in out.items():
        p = tmp_path / (name.replace(" ", "-") + ".tar.gz")
        p.write_bytes(content)
        paths[name] = p
    return paths


def test_anything_but_one_clean_member_is_dropped(tmp_path: Path) -> None:
    for name, path in _gz_variants(tmp_path).items():
        started = prefetch.start(str(path))
        # the others fail the trailer's size check before any work
        assert started or name in ("trailing bytes", "truncated"), name
        assert _taken(path, "gz") is None, name


def test_the_reader_gives_the_same_result_with_or_without(tmp_path: Path) -> None:
    """Odd streams fall back to the reader's own decompression, which reports what it
    always reported (partial reads, errors)."""
    paths = {"clean": make_tar(tmp_path / "clean.tar.gz", FILES), **_gz_variants(tmp_path)}
    paths["xz"] = make_tar(tmp_path / "clean.tar.xz", FILES, mode="w:xz")

    def summary(path: Path) -> object:
        try:
            got = read_archive(path)
        except ArtifactError as error:
            return ("error", str(error))
        return (
            sorted((e.path, e.blob_id, e.size) for e in got.entries.values()),
            [(a.rule_id, a.member, a.detail) for a in got.anomalies],
            got.partial_reasons,
        )

    results = {}
    for name, path in paths.items():
        without = summary(path)
        results[name] = without
        prefetch.start(str(path))
        with_prefetch = summary(path)
        assert prefetch._pending is None, name  # the reader took it (or dropped it)
        assert with_prefetch == without, name
    assert len(results["clean"][0]) == len(FILES) == len(results["xz"][0])  # type: ignore[index,arg-type]
    # the reader stops at the tar's end: a bad gzip checksum after it goes unseen,
    # and the prefetch, which sees it, must not change that
    assert results["bad crc"] == results["clean"]
    assert "truncated or corrupt" in results["truncated"][2][0]  # type: ignore[index]


def test_more_output_than_the_ratio_grace_is_not_handed_over(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)
    size = len(gzip.decompress(tar.read_bytes()))
    assert prefetch.start(str(tar))
    assert _taken(tar, "gz", grace=size - 1) is None
    assert prefetch.start(str(tar))
    assert _taken(tar, "gz", grace=size) is not None


def test_a_bomb_stops_the_thread_at_its_cap(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(prefetch, "MAX_DECOMPRESSED_BYTES", 1_000_000)
    monkeypatch.setattr(prefetch, "CHUNK_BYTES", 256 * 1024)
    bomb = tmp_path / "bomb.tar.xz"
    bomb.write_bytes(lzma.compress(b"\0" * 20_000_000))  # xz declares no size up front
    assert prefetch.start(str(bomb))
    job = prefetch._pending
    assert job is not None and job.thread is not None
    job.thread.join()
    assert not job.complete and job.chunks == [] and job.total <= 1_000_000 + 256 * 1024


def test_a_gzip_trailer_declaring_too_much_is_not_started(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(prefetch, "MAX_DECOMPRESSED_BYTES", 1_000_000)
    big = tmp_path / "big.tar.gz"
    big.write_bytes(gzip.compress(b"\0" * 1_000_001))
    small = tmp_path / "small.tar.gz"
    small.write_bytes(gzip.compress(b"\0" * 1_000_000))
    assert not prefetch.start(str(big))
    assert prefetch.start(str(small))


def test_what_is_never_started(tmp_path: Path, monkeypatch) -> None:
    plain = make_tar(tmp_path / "pkg.tar", FILES, mode="w")
    assert not prefetch.start(str(plain))  # nothing to decompress
    assert not prefetch.start(str(tmp_path))  # a directory
    assert not prefetch.start(str(tmp_path / "missing.tar.gz"))
    fifo = tmp_path / "pipe.tar.gz"
    os.mkfifo(fifo)
    assert not prefetch.start(str(fifo))  # and opening it did not wait for a writer
    monkeypatch.setattr(prefetch, "MAX_COMPRESSED_BYTES", {"gz": 100, "xz": 100})
    assert not prefetch.start(str(make_tar(tmp_path / "big.tar.gz", FILES)))


def test_the_artifact_is_guessed_from_the_audit_command_line(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)
    out = tmp_path / "out.json"
    out.write_text("{}")
    assert not prefetch.start_for_argv(["history", str(tar)])
    assert not prefetch.start_for_argv([])
    assert not prefetch.start_for_argv(["audit", "--output", str(out), "deb:xz-utils"])
    assert prefetch.start_for_argv(
        ["audit", "--source", str(tmp_path), "--output", str(out), str(tar)]
    )
    assert _taken(tar, "gz") is not None
    assert prefetch.start_for_argv(["audit", "--", str(tar)])
    assert _taken(tar, "gz") is not None


def test_batches_and_ambiguous_command_lines_start_nothing(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)
    other = make_tar(tmp_path / "other.tar.xz", FILES, mode="w:xz")
    for argv in (
        ["audit", "-r", str(tar)],
        ["audit", "-vr", str(tar)],
        ["audit", f"-r{tar}"],
        ["audit", "--deps", str(tar)],
        ["audit", f"--deps={tar}"],
        ["audit", str(tar), str(other)],  # several targets: a batch
    ):
        assert not prefetch.start_for_argv(argv), argv
        assert prefetch._pending is None


def test_a_fifo_on_the_command_line_is_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO releases a writer waiting for a reader; the command's own open
    would then wait for ever."""
    fifo = tmp_path / "deps.fifo"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer() -> None:
        with open(fifo, "wb"):  # blocks until someone opens it for reading
            opened.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        assert not prefetch.start_for_argv(["audit", str(fifo)])
        assert not prefetch.start(str(fifo))
        assert not opened.wait(0.2)
    finally:
        with open(fifo, "rb"):  # let the writer go
            pass
        thread.join(5)
    assert opened.is_set()


def test_a_thread_that_cannot_start_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    fds_before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(threading.Thread, "start", refuse)
    assert not prefetch.start(str(tar))
    assert not prefetch.start_for_argv(["audit", str(tar)])
    assert prefetch._pending is None
    assert len(os.listdir("/proc/self/fd")) == fds_before
    monkeypatch.undo()
    assert read_archive(tar).entries  # and the reader reads it itself


def test_a_rewrite_that_restores_size_and_mtime_gets_nothing(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)
    assert prefetch.start(str(tar))
    prefetch._pending.thread.join()  # type: ignore[union-attr]
    st = tar.stat()
    time.sleep(0.05)  # past the kernel's coarse timestamp tick
    data = bytearray(tar.read_bytes())
    with tar.open("r+b") as fh:  # same inode, same size
        fh.write(bytes(data))
    os.utime(tar, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert tar.stat().st_mtime_ns == st.st_mtime_ns and tar.stat().st_ino == st.st_ino
    assert _taken(tar, "gz") is None


def test_only_one_of_two_readers_gets_the_bytes(tmp_path: Path) -> None:
    tar = make_tar(tmp_path / "pkg.tar.gz", FILES)
    for _ in range(30):
        assert prefetch.start(str(tar))
        got: list[bytes | None] = []
        readers = [
            threading.Thread(target=lambda got=got: got.append(_taken(tar, "gz"))) for _ in "ab"
        ]
        for r in readers:
            r.start()
        for r in readers:
            r.join()
        assert sorted(g is None for g in got) == [False, True]


def test_the_worker_may_fork_while_the_prefetch_runs(tmp_path: Path, monkeypatch) -> None:
    release = threading.Event()
    job = prefetch._Prefetch((0, 0, 0, 0), "gz")
    job.thread = threading.Thread(target=release.wait, daemon=True)
    job.thread.start()
    monkeypatch.setattr(prefetch, "_pending", job)
    try:
        assert not prescan._other_threads()
        other = threading.Thread(target=release.wait, daemon=True)
        other.start()
        assert prescan._other_threads()  # any other thread still forbids the fork
    finally:
        release.set()


def test_the_command_gives_the_same_report_with_or_without(tmp_path: Path) -> None:
    files = {
        "configure.ac": "AC_INIT([pkg], [1.0.0])\nAC_OUTPUT\n",
        **{f"src/f{i:03d}.c": f"int f{i};\n" * 20 for i in range(30)},
    }
    repo = make_repo(tmp_path / "repo", files, tag="v1.0.0")
    tar = make_tar(
        tmp_path / "pkg-1.0.0.tar.gz",
        {**files, "m4/extra.m4": "AC_DEFUN([X], [eval `cat tests/files/x.bin | xz -d`])\n"},
    )
    # the reader's calls of take() are reported, so that the entry's run is known to
    # have read through the prefetch and the plain one not
    report_take = (
        "import sys\n"
        "from chainsight.sources import prefetch\n"
        "real = prefetch.take\n"
        "def take(*args):\n"
        "    got = real(*args)\n"
        "    print('prefetch taken:', got is not None, file=sys.stderr)\n"
        "    return got\n"
        "prefetch.take = take\n"
    )
    reports = {}
    taken = {}
    for variant, code in (
        ("entry", report_take + "from chainsight.entry import main; main()"),
        ("cli", report_take + "from chainsight.cli import main; main()"),
    ):
        out = tmp_path / f"{variant}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                "audit",
                str(tar),
                "--source",
                str(repo),
                "--ref",
                "v1.0.0",
                "--format",
                "json",
                "--output",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stderr
        taken[variant] = [ln for ln in proc.stderr.splitlines() if ln.startswith("prefetch")]
        report = json.loads(out.read_text())
        report.pop("elapsed_seconds", None)
        reports[variant] = report
    assert taken == {"entry": ["prefetch taken: True"], "cli": ["prefetch taken: False"]}
    assert reports["entry"] == reports["cli"]
    assert reports["entry"]["findings"]
