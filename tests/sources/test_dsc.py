"""Debian source packages: a .dsc and the tarballs it names, built by code."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from conftest import audit_json, make_repo, make_tar, record, run_cli

SOURCE = {
    "README": "pkg: a package\n",
    "src/pkg.c": "int pkg(void) { return 0; }\n",
    "docs/manual.txt": "The manual.\n",
}
UPSTREAM = {k: v for k, v in SOURCE.items() if not k.startswith("docs/")}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _debian_tarball(path: Path) -> Path:
    files = {
        "debian/control": "Source: pkg\nMaintainer: M <m@example.org>\n",
        "debian/rules": "#!/usr/bin/make -f\n%:\n\tdh $@\n",
        "debian/changelog": "pkg (1.0.0-1) unstable; urgency=medium\n",
    }
    with tarfile.open(path, "w:xz") as tf:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def write_dsc(
    directory: Path,
    files: list[Path],
    *,
    names: dict[Path, str] | None = None,
    sha256: dict[Path, str] | None = None,
    version: str = "1.0.0-1",
    signed: bool = False,
) -> Path:
    """A .dsc listing ``files`` (by name, with their real checksums unless overridden)."""
    names = names or {}
    sha256 = sha256 or {}

    def listing(digest: str) -> list[str]:
        out = []
        for f in files:
            data = f.read_bytes()
            value = (
                sha256.get(f, hashlib.sha256(data).hexdigest())
                if digest == "sha256"
                else hashlib.new(digest, data).hexdigest()
            )
            out.append(f" {value} {len(data)} {names.get(f, f.name)}")
        return out

    lines = [
        "Format: 3.0 (quilt)",
        "Source: pkg",
        "Binary: pkg",
        "Architecture: any",
        f"Version: {version}",
        "Maintainer: Test Maintainer <maint@example.org>",
        "Standards-Version: 4.6.2",
        "Build-Depends: debhelper-compat (= 13)",
        "Package-List:",
        " pkg deb misc optional arch=any",
        "Checksums-Sha1:",
        *listing("sha1"),
        "Checksums-Sha256:",
        *listing("sha256"),
        "Files:",
        *listing("md5"),
    ]
    body = "\n".join(lines) + "\n"
    if signed:  # clearsigned like every .dsc in the archive (the signature is not checked)
        body = (
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
            + body
            + "\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n=abcd\n"
            "-----END PGP SIGNATURE-----\n"
        )
    dsc = directory / f"pkg_{version}.dsc"
    dsc.write_text(body)
    return dsc


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", SOURCE)


@pytest.fixture()
def pool(tmp_path: Path) -> Path:
    d = tmp_path / "pool"
    d.mkdir()
    return d


def _orig(pool: Path, extra: dict[str, str] | None = None) -> Path:
    return make_tar(pool / "pkg_1.0.0.orig.tar.gz", {**UPSTREAM, **(extra or {})}, "pkg-1.0.0")


@pytest.mark.parametrize("signed", [False, True], ids=["plain", "clearsigned"])
def test_dsc_audits_its_orig_tarball(tmp_path: Path, repo: Path, pool: Path, signed: bool) -> None:
    orig = _orig(pool, {"configure.extra": "data only\n"})
    deb = _debian_tarball(pool / "pkg_1.0.0-1.debian.tar.xz")
    dsc = write_dsc(pool, [orig, deb], signed=signed)
    proc = run_cli("audit", str(dsc), "--source", str(repo), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "v1.0.0" in proc.stderr  # the derived tag is printed
    _, report = audit_json(dsc, repo)
    assert report["artifact"]["kind"] == "dsc"
    assert report["artifact"]["sha256"] == _sha256(dsc)
    assert report["source"]["ref"] == "v1.0.0"
    assert report["summary"]["identical"] == len(UPSTREAM)
    assert record(report, "configure.extra")["status"] == "artifact_only"
    # only upstream tarballs are audited: Debian's packaging is not an artifact difference
    assert not [f for f in report["files"] if f["path"].startswith("debian/")]
    assert record(report, "docs/manual.txt")["status"] == "source_only"
    assert not [f for f in report["findings"] if f["rule_id"] == "dsc-checksum-mismatch"]


def test_upstream_signature_listed_in_the_dsc_is_not_audited(
    tmp_path: Path, repo: Path, pool: Path
) -> None:
    orig = _orig(pool)
    asc = pool / "pkg_1.0.0.orig.tar.gz.asc"
    asc.write_text("-----BEGIN PGP SIGNATURE-----\n\nabcd\n-----END PGP SIGNATURE-----\n")
    deb = _debian_tarball(pool / "pkg_1.0.0-1.debian.tar.xz")
    code, report = audit_json(write_dsc(pool, [orig, asc, deb]), repo)
    assert code == 0
    assert report["artifact"]["kind"] == "dsc"
    assert report["summary"]["identical"] == len(UPSTREAM)
    assert not report["findings"]


@pytest.mark.parametrize("top", ["pkg-docs-1.0.0", None], ids=["with-top-dir", "flat"])
def test_component_tarball_lands_under_its_name(
    tmp_path: Path, repo: Path, pool: Path, top: str | None
) -> None:
    orig = _orig(pool)
    docs = make_tar(
        pool / "pkg_1.0.0.orig-docs.tar.gz",
        {"manual.txt": SOURCE["docs/manual.txt"], "guide.md": "# Guide\n"},
        top,
    )
    deb = _debian_tarball(pool / "pkg_1.0.0-1.debian.tar.xz")
    code, report = audit_json(write_dsc(pool, [orig, docs, deb]), repo)
    assert code == 0
    paths = {f["path"] for f in report["files"]}
    assert "docs/manual.txt" not in paths  # identical to git's docs/manual.txt
    assert report["summary"]["identical"] == len(SOURCE)
    assert record(report, "docs/guide.md")["status"] == "artifact_only"
    assert not {"manual.txt", "guide.md"} & paths
    assert not [p for p in paths if p.startswith(("pkg-docs-1.0.0", "docs/pkg-docs"))]


def test_checksum_mismatch_is_a_high_finding(tmp_path: Path, repo: Path, pool: Path) -> None:
    orig = _orig(pool)
    deb = _debian_tarball(pool / "pkg_1.0.0-1.debian.tar.xz")
    dsc = write_dsc(pool, [orig, deb], sha256={orig: hashlib.sha256(b"another").hexdigest()})
    code, report = audit_json(dsc, repo)
    assert code == 1
    found = [f for f in report["findings"] if f["rule_id"] == "dsc-checksum-mismatch"]
    assert len(found) == 1
    assert found[0]["severity"] == "high"
    assert found[0]["path"] == "pkg_1.0.0.orig.tar.gz"
    assert any(_sha256(orig) in e["text"] for e in found[0]["evidence"])


def test_dsc_naming_a_missing_file_is_a_one_line_error(
    tmp_path: Path, repo: Path, pool: Path
) -> None:
    orig = _orig(pool)
    deb = _debian_tarball(pool / "pkg_1.0.0-1.debian.tar.xz")
    dsc = write_dsc(pool, [orig, deb])
    orig.unlink()
    proc = run_cli("audit", str(dsc), "--source", str(repo), "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "pkg_1.0.0.orig.tar.gz" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "name", ["sub/pkg_1.0.0.orig.tar.gz", "../pool/pkg_1.0.0.orig.tar.gz"], ids=["sub", "dotdot"]
)
def test_file_name_with_a_slash_is_refused(
    tmp_path: Path, repo: Path, pool: Path, name: str
) -> None:
    orig = _orig(pool)
    # the file does exist where the name points: refusing it is about the name, not a lookup
    (pool / "sub").mkdir()
    (pool / "sub" / orig.name).write_bytes(orig.read_bytes())
    deb = _debian_tarball(pool / "pkg_1.0.0-1.debian.tar.xz")
    dsc = write_dsc(pool, [orig, deb], names={orig: name})
    proc = run_cli("audit", str(dsc), "--source", str(repo), "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert name in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
