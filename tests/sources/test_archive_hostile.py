"""Hostile archives: each gives an anomaly finding or a clean error, never a write."""

from __future__ import annotations

import bz2
import io
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import audit_json, make_repo, make_tar, run_cli

from chainsight.limits import Limits
from chainsight.sources.archive import read_archive

SOURCE = {"README": "hello\n", "src/a.c": "int a;\n"}


def _add(tf: tarfile.TarFile, name: str, data: bytes = b"x", **attrs: object) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for k, v in attrs.items():
        setattr(info, k, v)
    tf.addfile(info, io.BytesIO(data) if info.isreg() else None)


def _link(tf: tarfile.TarFile, name: str, target: str, kind: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tf.addfile(info)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", SOURCE)


def _rules(report: dict[str, object]) -> dict[str, str]:
    return {f["rule_id"]: f["severity"] for f in report["findings"]}  # type: ignore[index, union-attr]


def test_traversal_absolute_and_escaping_links_are_high(tmp_path: Path, repo: Path) -> None:
    def extra(tf: tarfile.TarFile) -> None:
        _add(tf, "pkg-1.0.0/../../evil.sh", b"#!/bin/sh\n")
        _add(tf, "/etc/evil.conf", b"x")
        _link(tf, "pkg-1.0.0/up", "../../../etc/passwd", tarfile.SYMTYPE)
        _link(tf, "pkg-1.0.0/abs", "/etc/shadow", tarfile.SYMTYPE)
        _link(tf, "pkg-1.0.0/hard", "../outside", tarfile.LNKTYPE)

    tar = make_tar(tmp_path / "pkg-1.0.0.tar.gz", SOURCE, extra=extra)
    before = set(tmp_path.parent.iterdir())
    code, report = audit_json(tar, repo)
    assert code == 1
    high = [f for f in report["findings"] if f["severity"] == "high"]
    kinds = sorted(f["rule_id"] for f in high)
    assert kinds.count("archive-path-traversal") == 2
    assert kinds.count("archive-link-escape") == 3
    assert set(tmp_path.parent.iterdir()) == before  # nothing written next to the tmp dir
    assert not (tmp_path / "evil.sh").exists()


def test_inside_links_devices_duplicates_unicode_setuid(tmp_path: Path, repo: Path) -> None:
    def extra(tf: tarfile.TarFile) -> None:
        _link(tf, "pkg-1.0.0/README.link", "README", tarfile.SYMTYPE)
        _link(tf, "pkg-1.0.0/README.hard", "pkg-1.0.0/README", tarfile.LNKTYPE)
        dev = tarfile.TarInfo("pkg-1.0.0/dev/null")
        dev.type = tarfile.CHRTYPE
        tf.addfile(dev)
        fifo = tarfile.TarInfo("pkg-1.0.0/fifo")
        fifo.type = tarfile.FIFOTYPE
        tf.addfile(fifo)
        _add(tf, "pkg-1.0.0/src/a.c", b"int a; /* second copy */\n")
        _add(tf, "pkg-1.0.0/caf\u00e9.txt", b"nfc")
        _add(tf, "pkg-1.0.0/cafe\u0301.txt", b"nfd")
        _add(tf, "pkg-1.0.0/tool", b"#!/bin/sh\n", mode=0o4755)

    tar = make_tar(tmp_path / "pkg-1.0.0.tar.gz", SOURCE, extra=extra)
    _, report = audit_json(tar, repo)
    rules = _rules(report)
    assert rules["archive-special-file"] == "medium"
    assert rules["archive-duplicate-member"] == "medium"
    assert rules["archive-unicode-collision"] == "medium"
    assert rules["archive-setuid"] == "medium"
    assert rules["archive-hardlink"] == "low"
    # the later copy of src/a.c wins, as extraction would: it differs from git
    assert any(f["path"] == "src/a.c" and f["status"] == "modified" for f in report["files"])
    # a symlink inside the tree is recorded, not followed, and is not an anomaly
    assert "archive-link-escape" not in rules


def test_member_limit_gives_partial_result(tmp_path: Path, repo: Path) -> None:
    files = {f"f{i}.txt": "x" for i in range(30)}
    tar = make_tar(tmp_path / "pkg-1.0.0.tar.gz", {**SOURCE, **files})
    code, report = audit_json(tar, repo, "--max-members", "10")
    assert code in (0, 1)
    assert report["partial"] is True
    assert any("member limit" in e for e in report["errors"])


def test_total_size_limit_gives_partial_result(tmp_path: Path, repo: Path) -> None:
    tar = make_tar(tmp_path / "pkg-1.0.0.tar.gz", {**SOURCE, "big.bin": b"\0" * 100_000})
    _, report = audit_json(tar, repo, "--max-total-bytes", "50000")
    assert report["partial"] is True
    assert any("total size limit" in e for e in report["errors"])


def test_decompression_bomb_stops_early(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.tar.xz"
    with lzma.open(bomb, "wb", preset=9) as raw, tarfile.open(fileobj=raw, mode="w|") as tf:
        info = tarfile.TarInfo("pkg/zeros")
        info.size = 64 * 1024 * 1024

        class Zeros(io.RawIOBase):
            left = info.size

            def readinto(self, b: bytearray) -> int:  # type: ignore[override]
                n = min(len(b), self.left)
                b[:n] = bytes(n)
                self.left -= n
                return n

        tf.addfile(info, Zeros())
    assert bomb.stat().st_size < 100_000
    limits = Limits(max_ratio=50, ratio_grace_bytes=1024 * 1024)
    out = read_archive(bomb, limits=limits)
    assert any("ratio" in r for r in out.partial_reasons)
    assert any(a.rule_id == "archive-bomb" for a in out.anomalies)


def test_zip_bomb_member_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "pkg-1.0.0.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/zeros", b"\0" * (8 * 1024 * 1024))
        zf.writestr("pkg/ok.txt", b"fine")
    out = read_archive(path, limits=Limits(max_ratio=50, ratio_grace_bytes=1024 * 1024))
    assert "ok.txt" in out.entries
    assert "zeros" not in out.entries
    assert any(a.rule_id == "archive-bomb" for a in out.anomalies)


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
def test_truncated_stream_is_partial_or_clean_error(tmp_path: Path, repo: Path, mode: str) -> None:
    files = {**SOURCE, **{f"d/f{i}.txt": f"payload {i}\n" * 2000 for i in range(20)}}
    tar = make_tar(tmp_path / "pkg-1.0.0.tar", files, mode=mode)
    data = tar.read_bytes()
    tar.write_bytes(data[: len(data) // 2])
    proc = run_cli("audit", str(tar), "--source", str(repo), "--ref", "v1.0.0", "--format", "json")
    assert "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1
    else:
        import json

        report = json.loads(proc.stdout)
        assert report["partial"] is True
        assert any("truncated or corrupt" in e or "truncated" in e for e in report["errors"])


def test_garbage_with_archive_magic_is_a_clean_error(tmp_path: Path, repo: Path) -> None:
    for name, head in (
        ("a.tar.gz", b"\x1f\x8b\x08\x00garbage"),
        ("b.tar.bz2", b"BZh9garbage"),
        ("c.tar.xz", b"\xfd7zXZ\x00garbage"),
        ("d.zip", b"PK\x03\x04garbage"),
        ("e.tar.zst", b"\x28\xb5\x2f\xfdgarbage"),
    ):
        p = tmp_path / name
        p.write_bytes(head + bytes(200))
        proc = run_cli("audit", str(p), "--source", str(repo), "--ref", "v1.0.0")
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("chainsight: error: "), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_all_compressions_read_the_same(tmp_path: Path) -> None:
    import zstandard

    files = {"a.txt": "alpha\n", "dir/b.txt": "beta\n"}
    plain = make_tar(tmp_path / "p.tar", files, mode="w")
    raw = plain.read_bytes()
    variants = {
        "x.tar.gz": make_tar(tmp_path / "x.tar.gz", files, mode="w:gz").read_bytes(),
        "x.tar.bz2": bz2.compress(raw),
        "x.tar.xz": lzma.compress(raw),
        "x.tar.zst": zstandard.ZstdCompressor().compress(raw),
        "x.tar": raw,
    }
    expected = read_archive(plain).entries
    assert set(expected) == {"a.txt", "dir/b.txt"}
    for name, data in variants.items():
        p = tmp_path / name
        p.write_bytes(data)
        got = read_archive(p).entries
        assert {k: v.blob_id for k, v in got.items()} == {
            k: v.blob_id for k, v in expected.items()
        }, name
