"""deb:SOURCE[=VERSION] against a Debian archive the test builds and serves on loopback."""

from __future__ import annotations

import hashlib
import lzma
from pathlib import Path

import pytest
from debian_fixture import Keys, Suite, build_source_package, publish
from loopback_registry import serve

from chainsight.analyzers.debian_package import debian_package_findings
from chainsight.registry import debian_archive
from chainsight.registry.cache import DownloadCache, IntegrityError
from chainsight.registry.debian import DebianConfig, default_config, fetch_deb
from chainsight.registry.debian_archive import ArchiveSignatureError
from chainsight.registry.debian_archive import Suite as ArchiveSuite
from chainsight.registry.fetched import RegistryOptions
from chainsight.registry.http import HttpClient, NotFoundError
from chainsight.registry.target import parse_target
from chainsight.sources.dsc import read_dsc


def _setup(tmp_path: Path, keys: Keys, mirror: str) -> tuple[RegistryOptions, DebianConfig]:
    options = RegistryOptions(DownloadCache(tmp_path / "cache"), HttpClient(retries=0))
    config = DebianConfig(
        tuple(ArchiveSuite(mirror, s) for s in ("bookworm", "trixie", "sid")),
        keyring=keys.archive_keyring(tmp_path / "archive.gpg"),
    )
    return options, config


def test_fetch_verifies_and_materialises(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys)
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg])])
        options, config = _setup(tmp_path, gpg_keys, mirror)
        fetched = fetch_deb(parse_target("deb:hello=1.0-1"), options, config)
    assert str(fetched.target) == "deb:hello=1.0-1"
    roles = {f.filename: f.role for f in fetched.files}
    assert roles == {
        "hello_1.0-1.dsc": "dsc",
        "hello_1.0.orig.tar.gz": "orig",
        "hello_1.0.orig.tar.gz.asc": "orig-signature",
        "hello_1.0-1.debian.tar.xz": "debian",
    }
    for f in fetched.files:  # real names, real content, in one directory
        assert f.path.name == f.filename
        assert f.path.read_bytes() == pkg.files[f.filename]
        assert f.sha256 == hashlib.sha256(pkg.files[f.filename]).hexdigest()
    assert len({f.path.parent for f in fetched.files}) == 1
    # upstream candidates from debian/upstream/metadata and debian/watch; Vcs-Git is metadata
    assert fetched.source_urls == ("https://github.com/example/hello",)
    assert fetched.metadata["Vcs-Git"] == "https://salsa.debian.org/debian/hello.git"
    assert fetched.metadata["suite"] == "bookworm"
    assert not any("trixie" in n for n in fetched.notes)  # found in the first suite: no more
    # the existing .dsc reader finds the orig next to the .dsc, checksums intact
    dsc = read_dsc(next(f.path for f in fetched.files if f.role == "dsc"))
    assert [t.path.name for t in dsc.tarballs] == ["hello_1.0.orig.tar.gz"]
    assert all(t.expected_sha256 == t.actual_sha256 for t in dsc.tarballs)

    findings = {f.rule_id: f for f in debian_package_findings(fetched)}
    assert findings["deb-upstream-signature-valid"].severity.value == "info"
    assert gpg_keys.upstream in findings["deb-upstream-signature-valid"].evidence[0].text
    summary = findings["deb-patches"]
    assert "2 patch(es)" in summary.title and "+2 -1" in summary.title
    line = "0002-greet.patch: 1 file(s), +1 -1: src/hello.c"
    assert any(line in e.text for e in summary.evidence)
    build = findings["deb-patch-build-system"]
    assert build.severity.value == "low"
    assert build.path == "debian/patches/0001-build-manual.patch"
    assert any("+AC_CONFIG_FILES([doc/Makefile])" in e.text for e in build.evidence)


def test_newest_across_suites_and_cache_reuse(tmp_path: Path, gpg_keys: Keys) -> None:
    old, new = build_source_package(gpg_keys), build_source_package(gpg_keys, version="1.0-2")
    suites = [Suite("bookworm", [old]), Suite("trixie", [new])]
    with serve() as reg:
        mirror = publish(reg, gpg_keys, suites)
        options, config = _setup(tmp_path, gpg_keys, mirror)
        fetched = fetch_deb(parse_target("deb:hello"), options, config)
        assert fetched.target.version == "1.0-2"
        assert fetched.metadata["suite"] == "trixie"
        assert any(n.startswith("sid: not on") for n in fetched.notes)
        # the old version is still reachable by name, without fetching any index again
        before = list(reg.requests)
        again = fetch_deb(parse_target("deb:hello=1.0-1"), options, config)
        assert again.target.version == "1.0-1"
        assert not [r for r in reg.requests[len(before) :] if "/dists/" in r]
    # a new process (fresh archive objects) with --offline replays the cache
    debian_archive_cache_reset()
    offline = RegistryOptions(options.cache, None, offline=True)
    replay = fetch_deb(parse_target("deb:hello=1.0-2"), offline, config)
    assert [f.sha256 for f in replay.files] == [f.sha256 for f in fetched.files]


def debian_archive_cache_reset() -> None:
    from chainsight.registry import debian

    debian._ARCHIVES.clear()


def test_unknown_package(tmp_path: Path, gpg_keys: Keys) -> None:
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [build_source_package(gpg_keys)])])
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(NotFoundError, match=r"no source package 'nosuch'.*bookworm"):
            fetch_deb(parse_target("deb:nosuch"), options, config)


def test_unknown_version_lists_the_existing_ones(tmp_path: Path, gpg_keys: Keys) -> None:
    suites = [
        Suite("bookworm", [build_source_package(gpg_keys)]),
        Suite("trixie", [build_source_package(gpg_keys, version="1.0-2")]),
    ]
    with serve() as reg:
        mirror = publish(reg, gpg_keys, suites)
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(NotFoundError) as info:
            fetch_deb(parse_target("deb:hello=0.9-1"), options, config)
    message = str(info.value)
    assert "only versions present in reachable suites exist" in message
    assert message.endswith("1.0-2 (trixie), 1.0-1 (bookworm)")


def test_sources_not_matching_inrelease_is_an_error(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys)
    forged = lzma.compress(pkg.paragraph.replace("1.0-1", "1.0-9").encode())
    with serve() as reg:
        mirror = publish(
            reg, gpg_keys, [Suite("bookworm", [pkg])], sources_override={"bookworm": forged}
        )
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(IntegrityError, match="does not match the signed InRelease"):
            fetch_deb(parse_target("deb:hello"), options, config)


def test_inrelease_signed_by_another_key_is_an_error(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys)
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg])], signer=gpg_keys.stranger)
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(ArchiveSignatureError, match="not signed by a Debian archive key"):
            fetch_deb(parse_target("deb:hello"), options, config)


def test_inrelease_edited_after_signing_is_an_error(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys)
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg])])
        path = "/debian/dists/bookworm/InRelease"
        reg.files[path] = reg.files[path].replace(b"Label: Debian", b"Label: DebiaN")
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(ArchiveSignatureError, match="BAD signature"):
            fetch_deb(parse_target("deb:hello"), options, config)


def test_inrelease_of_another_suite_is_an_error(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys)
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg], codename="bullseye")])
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(ArchiveSignatureError, match="not 'bookworm'"):
            fetch_deb(parse_target("deb:hello"), options, config)


def test_expired_suite_is_skipped(tmp_path: Path, gpg_keys: Keys) -> None:
    suites = [
        Suite("bookworm", [build_source_package(gpg_keys)]),
        Suite(
            "trixie",
            [build_source_package(gpg_keys, version="1.0-2")],
            valid_until="Sat, 08 Jun 2024 00:00:00 UTC",
        ),
    ]
    with serve() as reg:
        mirror = publish(reg, gpg_keys, suites)
        options, config = _setup(tmp_path, gpg_keys, mirror)
        fetched = fetch_deb(parse_target("deb:hello"), options, config)
    assert fetched.target.version == "1.0-1"
    assert any("trixie" in n and "expired" in n for n in fetched.notes)


def test_tampered_orig_is_an_error_and_not_kept(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys)
    with serve() as reg:
        mirror = publish(
            reg,
            gpg_keys,
            [Suite("bookworm", [pkg])],
            file_overrides={"hello_1.0.orig.tar.gz": b"not the released tarball"},
        )
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(IntegrityError, match=r"hello_1\.0\.orig\.tar\.gz does not match"):
            fetch_deb(parse_target("deb:hello"), options, config)
    kept = [p.read_bytes() for p in (tmp_path / "cache").rglob("blobs/*/*/*")]
    assert b"not the released tarball" not in kept


def test_dsc_disagreeing_with_the_index_is_an_error(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys)
    name = pkg.dsc_name
    forged = pkg.files[name].replace(b"Version: 1.0-1", b"Version: 1.0-7")
    sha, size = hashlib.sha256(forged).hexdigest(), len(forged)
    old_sha = hashlib.sha256(pkg.files[name]).hexdigest()
    pkg.paragraph = pkg.paragraph.replace(
        f" {old_sha} {len(pkg.files[name])} {name}", f" {sha} {size} {name}"
    )
    pkg.files[name] = forged
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg])])
        options, config = _setup(tmp_path, gpg_keys, mirror)
        with pytest.raises(IntegrityError, match=r"says hello 1\.0-7"):
            fetch_deb(parse_target("deb:hello"), options, config)


def test_bad_upstream_signature_is_high(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys, orig_override=b"\x1f\x8b" + b"changed after signing")
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg])])
        options, config = _setup(tmp_path, gpg_keys, mirror)
        fetched = fetch_deb(parse_target("deb:hello"), options, config)
    sig = [f for f in debian_package_findings(fetched) if f.rule_id.startswith("deb-upstream")]
    assert [(f.rule_id, f.severity.value) for f in sig] == [
        ("deb-upstream-signature-invalid", "high")
    ]
    assert "BAD signature" in sig[0].evidence[0].text


def test_signature_by_a_key_debian_does_not_ship_is_high(tmp_path: Path, gpg_keys: Keys) -> None:
    pkg = build_source_package(gpg_keys, signature_key=gpg_keys.stranger)
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg])])
        options, config = _setup(tmp_path, gpg_keys, mirror)
        fetched = fetch_deb(parse_target("deb:hello"), options, config)
    sig = [f for f in debian_package_findings(fetched) if f.rule_id.startswith("deb-upstream")]
    assert [(f.rule_id, f.severity.value) for f in sig] == [
        ("deb-upstream-signature-invalid", "high")
    ]
    assert "key Debian does not ship" in sig[0].title


@pytest.mark.parametrize(
    ("signature", "key", "expected"),
    [
        (False, True, ("deb-upstream-signature-missing", "low")),
        (True, False, ("deb-upstream-signing-key-absent", "info")),
        (False, False, ("deb-upstream-signing-key-absent", "info")),
    ],
)
def test_signature_or_key_absent(
    tmp_path: Path, gpg_keys: Keys, signature: bool, key: bool, expected: tuple[str, str]
) -> None:
    pkg = build_source_package(gpg_keys, with_signature=signature, with_signing_key=key)
    with serve() as reg:
        mirror = publish(reg, gpg_keys, [Suite("bookworm", [pkg])])
        options, config = _setup(tmp_path, gpg_keys, mirror)
        fetched = fetch_deb(parse_target("deb:hello"), options, config)
    sig = [f for f in debian_package_findings(fetched) if f.rule_id.startswith("deb-upstream")]
    assert [(f.rule_id, f.severity.value) for f in sig] == [expected]


def test_no_suite_reachable_is_one_clear_error(tmp_path: Path, gpg_keys: Keys) -> None:
    with serve() as reg:
        options, config = _setup(tmp_path, gpg_keys, reg.base_url + "/debian")
        with pytest.raises(Exception, match="no Debian suite could be used") as info:
            fetch_deb(parse_target("deb:hello"), options, config)
    assert "\n" not in str(info.value)


def test_default_config_reads_apt_sources(tmp_path: Path) -> None:
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    (etc / "sources.list").write_text("# nothing here\n")
    (etc / "sources.list.d" / "vendor.list").write_text(
        "deb https://download.docker.com/linux/debian bookworm stable\n"
    )
    (etc / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://ftp.de.debian.org/debian/\nSuites: bookworm bookworm-updates\n"
        "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        "Types: deb\nURIs: http://security.debian.org/debian-security\n"
        "Suites: bookworm-security\nComponents: main\n"
    )
    options = RegistryOptions(DownloadCache(tmp_path / "c"), None)
    config = default_config(options, etc)
    pairs = [(s.mirror, s.name) for s in config.suites]
    assert pairs[:3] == [
        ("http://ftp.de.debian.org/debian", "bookworm"),
        ("http://ftp.de.debian.org/debian", "bookworm-updates"),
        ("http://security.debian.org/debian-security", "bookworm-security"),
    ]
    assert ("http://ftp.de.debian.org/debian", "sid") in pairs
    assert not any("docker" in m for m, _ in pairs)
    # --debian-mirror wins over the sources, keeping the suites they name
    explicit = RegistryOptions(
        DownloadCache(tmp_path / "c"), None, debian_mirror="https://m.example/debian/"
    )
    chosen = default_config(explicit, etc)
    assert {s.mirror for s in chosen.suites} == {"https://m.example/debian"}
    assert [s.name for s in chosen.suites][:2] == ["bookworm", "bookworm-updates"]


def test_module_exports() -> None:
    assert debian_archive.DEBIAN_KEYRING.name == "debian-archive-keyring.gpg"
