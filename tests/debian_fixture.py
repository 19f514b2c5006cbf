"""A tiny Debian archive built at test time: keys, source packages, Sources, InRelease.

Throwaway OpenPGP keys are made with ``gpg`` in a temporary GNUPGHOME (never the
user's); the archive key clearsigns ``InRelease`` as ftp-master's does, the
"upstream" key signs the orig tarball.  Everything is synthetic and harmless.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

GPG = shutil.which("gpg")
needs_gpg = pytest.mark.skipif(GPG is None, reason="gpg (Debian package gnupg) is not installed")


@dataclass
class KeyStore:
    home: Path

    def _gpg(self, *args: str, data: bytes | None = None) -> bytes:
        assert GPG is not None
        proc = subprocess.run(
            [GPG, "--homedir", str(self.home), "--batch", "--yes", "--quiet", *args],
            input=data,
            capture_output=True,
            check=True,
            env={**os.environ, "GNUPGHOME": str(self.home), "LC_ALL": "C"},
        )
        return proc.stdout

    def make_key(self, uid: str) -> str:
        self._gpg(
            "--pinentry-mode", "loopback", "--passphrase", "",
            "--quick-gen-key", uid, "ed25519", "sign", "never",
        )  # fmt: skip
        listing = self._gpg("--with-colons", "--list-keys", uid).decode()
        return next(ln.split(":")[9] for ln in listing.splitlines() if ln.startswith("fpr:"))

    def public(self, fpr: str, *, armor: bool) -> bytes:
        return self._gpg(*(["--armor"] if armor else []), "--export", fpr)

    def clearsign(self, fpr: str, text: bytes) -> bytes:
        return self._gpg("--local-user", fpr, "--clearsign", "--digest-algo", "SHA256", data=text)

    def detach_sign(self, fpr: str, data: bytes) -> bytes:
        return self._gpg("--local-user", fpr, "--armor", "--detach-sign", data=data)

    def close(self) -> None:
        gpgconf = shutil.which("gpgconf")
        if gpgconf:
            subprocess.run(
                [gpgconf, "--homedir", str(self.home), "--kill", "gpg-agent"],
                capture_output=True,
                check=False,
            )


@dataclass
class Keys:
    store: KeyStore
    archive: str
    upstream: str
    stranger: str

    def archive_keyring(self, path: Path) -> Path:
        path.write_bytes(self.store.public(self.archive, armor=False))
        return path


@pytest.fixture(scope="session")
def gpg_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keys]:
    if GPG is None:
        pytest.skip("gpg (Debian package gnupg) is not installed")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    store = KeyStore(home)
    try:
        yield Keys(
            store,
            store.make_key("Test Archive Signing Key <archive@example.invalid>"),
            store.make_key("Test Upstream <upstream@example.invalid>"),
            store.make_key("Someone Else <stranger@example.invalid>"),
        )
    finally:
        store.close()


def tar_bytes(files: dict[str, bytes], compression: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=f"w:{compression}") as tf:  # type: ignore[call-overload]
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1_700_000_000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


BUILD_PATCH = b"""\
Description: build the manual page too
Author: A Debian Maintainer <dm@example.invalid>
---
--- a/configure.ac
+++ b/configure.ac
@@ -1,3 +1,4 @@
 AC_INIT([hello], [1.0])
 AM_INIT_AUTOMAKE([foreign])
+AC_CONFIG_FILES([doc/Makefile])
 AC_OUTPUT
"""

CODE_PATCH = b"""\
From: Upstream <upstream@example.invalid>
Subject: [PATCH] greet politely

---
 src/hello.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/src/hello.c b/src/hello.c
--- a/src/hello.c
+++ b/src/hello.c
@@ -1,3 +1,3 @@
 #include <stdio.h>
-int main(void) { puts("hi"); return 0; }
+int main(void) { puts("hello"); return 0; }
 /* end */
"""


@dataclass
class SourcePackage:
    name: str
    version: str
    files: dict[str, bytes]
    """File name -> content, the .dsc included."""
    paragraph: str
    """The Sources entry."""

    @property
    def dsc_name(self) -> str:
        return f"{self.name}_{self.version}.dsc"


def build_source_package(
    keys: Keys,
    *,
    version: str = "1.0-1",
    orig_override: bytes | None = None,
    signature_key: str | None = None,
    with_signature: bool = True,
    with_signing_key: bool = True,
    patches: dict[str, bytes] | None = None,
) -> SourcePackage:
    name = "hello"
    upstream = version.split("-", 1)[0]
    orig = tar_bytes(
        {
            f"{name}-{upstream}/configure.ac": b"AC_INIT([hello], [1.0])\n"
            b"AM_INIT_AUTOMAKE([foreign])\nAC_OUTPUT\n",
            f"{name}-{upstream}/Makefile.am": b"bin_PROGRAMS = hello\n",
            f"{name}-{upstream}/src/hello.c": b'#include <stdio.h>\nint main(void) { puts("hi"); '
            b"return 0; }\n/* end */\n",
        },
        "gz",
    )
    signature = keys.store.detach_sign(signature_key or keys.upstream, orig)
    if orig_override is not None:
        orig = orig_override
    if patches is None:
        patches = {"0001-build-manual.patch": BUILD_PATCH, "0002-greet.patch": CODE_PATCH}
    debian: dict[str, bytes] = {
        "debian/control": f"Source: {name}\nMaintainer: DM <dm@example.invalid>\n".encode(),
        "debian/source/format": b"3.0 (quilt)\n",
        "debian/upstream/metadata": b"---\nName: hello\n"
        b"Repository: https://github.com/example/hello.git\n"
        b"Repository-Browse: https://github.com/example/hello\n",
        "debian/watch": b"version=4\nopts=pgpsigurlmangle=s/$/.asc/ \\\n"
        b"  https://github.com/example/@PACKAGE@/tags .*/v?(\\d\\S+)\\.tar\\.gz\n",
        "debian/patches/series": ("\n".join(patches) + "\n").encode(),
    }
    for pname, body in patches.items():
        debian[f"debian/patches/{pname}"] = body
    if with_signing_key:
        debian["debian/upstream/signing-key.asc"] = keys.store.public(keys.upstream, armor=True)
    files = {
        f"{name}_{upstream}.orig.tar.gz": orig,
        f"{name}_{version}.debian.tar.xz": tar_bytes(debian, "xz"),
    }
    if with_signature:
        files[f"{name}_{upstream}.orig.tar.gz.asc"] = signature

    def sums(names: dict[str, bytes]) -> str:
        return "".join(
            f" {hashlib.sha256(b).hexdigest()} {len(b)} {n}\n" for n, b in sorted(names.items())
        )

    def md5s(names: dict[str, bytes]) -> str:
        return "".join(f" {hashlib.md5(b).hexdigest()} {len(b)} {n}\n" for n, b in names.items())

    dsc = (
        f"Format: 3.0 (quilt)\nSource: {name}\nBinary: {name}\nArchitecture: any\n"
        f"Version: {version}\nMaintainer: DM <dm@example.invalid>\n"
        "Homepage: https://example.invalid/hello\n"
        "Vcs-Git: https://salsa.debian.org/debian/hello.git\n"
        f"Checksums-Sha256:\n{sums(files)}Files:\n{md5s(files)}"
    ).encode()
    files[f"{name}_{version}.dsc"] = dsc
    paragraph = (
        f"Package: {name}\nBinary: {name}\nVersion: {version}\n"
        "Maintainer: DM <dm@example.invalid>\nFormat: 3.0 (quilt)\n"
        f"Directory: pool/main/h/{name}\n"
        "Homepage: https://example.invalid/hello\n"
        "Vcs-Git: https://salsa.debian.org/debian/hello.git\n"
        f"Files:\n{md5s(files)}Checksums-Sha256:\n{sums(files)}"
    )
    return SourcePackage(name, version, files, paragraph)


FILLER = "".join(
    f"Package: other{i}\nVersion: 1.{i}-1\nDirectory: pool/main/o/other{i}\n"
    f"Checksums-Sha256:\n {'0' * 64} 1 other{i}_1.{i}-1.dsc\n\n"
    for i in range(3)
)


@dataclass
class Suite:
    name: str
    packages: list[SourcePackage] = field(default_factory=list)
    valid_until: str | None = None
    codename: str | None = None


def release_files(suite: Suite) -> tuple[bytes, bytes, bytes]:
    """(Sources, Sources.xz, Release text) for one suite."""
    sources = (FILLER + "\n".join(p.paragraph for p in suite.packages)).encode()
    sources_xz = lzma.compress(sources)
    lines = [
        "Origin: Debian",
        "Label: Debian",
        f"Suite: {'stable' if suite.codename else suite.name}",
        f"Codename: {suite.codename or suite.name}",
        "Date: Sat, 01 Jun 2024 00:00:00 UTC",
    ]
    if suite.valid_until:
        lines.append(f"Valid-Until: {suite.valid_until}")
    lines += ["Components: main", "SHA256:"]
    for rel, data in (("main/source/Sources", sources), ("main/source/Sources.xz", sources_xz)):
        lines.append(f" {hashlib.sha256(data).hexdigest()} {len(data):>8} {rel}")
    return sources, sources_xz, ("\n".join(lines) + "\n").encode()


def publish(
    registry: object,
    keys: Keys,
    suites: list[Suite],
    *,
    signer: str | None = None,
    sources_override: dict[str, bytes] | None = None,
    file_overrides: dict[str, bytes] | None = None,
) -> str:
    """Serve the suites and their packages under ``/debian``; return the mirror URL."""
    add = registry.add  # type: ignore[attr-defined]
    for suite in suites:
        _sources, sources_xz, release = release_files(suite)
        inrelease = keys.store.clearsign(signer or keys.archive, release)
        add(f"/debian/dists/{suite.name}/InRelease", inrelease)
        body = (sources_override or {}).get(suite.name, sources_xz)
        add(f"/debian/dists/{suite.name}/main/source/Sources.xz", body)
        for pkg in suite.packages:
            for fname, data in pkg.files.items():
                data = (file_overrides or {}).get(fname, data)
                add(f"/debian/pool/main/h/{pkg.name}/{fname}", data)
    return str(registry.base_url) + "/debian"  # type: ignore[attr-defined]
