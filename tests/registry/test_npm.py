from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from loopback_registry import serve
from npm_builder import npm_tarball, package_json, publish, sri

from chainsight.registry.cache import DownloadCache, IntegrityError, OfflineMiss
from chainsight.registry.fetched import RegistryOptions
from chainsight.registry.http import HttpClient, NotFoundError
from chainsight.registry.npm import (
    NpmNotFoundError,
    configured_npm_registry,
    fetch_npm,
    normalise_repository,
    packument_url,
)
from chainsight.registry.target import parse_target

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def options(tmp_path: Path, registry: str, *, offline: bool = False) -> RegistryOptions:
    return RegistryOptions(
        cache=DownloadCache(tmp_path / "cache"),
        client=None if offline else HttpClient(retries=0, timeout=5),
        offline=offline,
        npm_registry=registry,
    )


def test_genuine_package(tmp_path: Path) -> None:
    files = {
        "package.json": package_json(
            "tinylib",
            "1.2.0",
            repository={
                "type": "git",
                "url": "git+https://github.com/example/mono.git",
                "directory": "packages/tinylib",
            },
            gitHead=COMMIT,
            _npmUser={"name": "alice", "email": "alice@example.invalid"},
            maintainers=[{"name": "alice"}, {"name": "bob"}],
        ),
        "index.js": "module.exports = 1;\n",
    }
    with serve() as reg:
        publish(reg, "tinylib", "1.1.0", {"package.json": package_json("tinylib", "1.1.0")})
        publish(reg, "tinylib", "1.2.0", files)
        pkg = fetch_npm(parse_target("npm:tinylib"), options(tmp_path, reg.base_url))
    assert str(pkg.target) == "npm:tinylib@1.2.0"
    (f,) = pkg.files
    assert f.role == "npm-tarball" and f.filename == "tinylib-1.2.0.tgz"
    assert f.path.read_bytes() == npm_tarball(files)
    assert f.sha256 == hashlib.sha256(f.path.read_bytes()).hexdigest()
    assert pkg.source_urls == ("https://github.com/example/mono",)
    assert pkg.source_commit == COMMIT
    assert pkg.metadata["source_subdir"] == "packages/tinylib"
    assert pkg.metadata["publisher"] == "alice <alice@example.invalid>"
    assert pkg.metadata["maintainers"] == "alice, bob"
    assert pkg.metadata["published"] == "2024-01-02T03:04:05.000Z"
    assert pkg.metadata["provenance"] == "no attestations published"
    assert json.loads(pkg.metadata["install_scripts"]) == {}
    assert not any("sha1" in n for n in pkg.notes)


def test_pinned_version_dist_tag_and_provenance(tmp_path: Path) -> None:
    with serve() as reg:
        publish(reg, "tagged", "1.0.0", {"package.json": package_json("tagged", "1.0.0")})
        doc = publish(
            reg,
            "tagged",
            "2.0.0-rc.1",
            {"package.json": package_json("tagged", "2.0.0-rc.1")},
            latest="1.0.0",
            packument_extra={"dist-tags": {"latest": "1.0.0", "next": "2.0.0-rc.1"}},
        )
        doc["versions"]["2.0.0-rc.1"]["dist"]["attestations"] = {
            "url": "https://registry.example/att",
            "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
        }
        reg.add("/tagged", json.dumps(doc).encode(), "application/json")
        opts = options(tmp_path, reg.base_url)
        assert str(fetch_npm(parse_target("npm:tagged"), opts).target) == "npm:tagged@1.0.0"
        nxt = fetch_npm(parse_target("npm:tagged@next"), opts)
        assert str(nxt.target) == "npm:tagged@2.0.0-rc.1"
        assert "slsa.dev/provenance/v1" in nxt.metadata["provenance"]
        assert "no gitHead" in " ".join(nxt.notes)


def test_scoped_package_uses_npm_escaping(tmp_path: Path) -> None:
    files = {"package.json": package_json("@acme/widget", "0.3.1", repository="github:acme/widget")}
    with serve() as reg:
        publish(reg, "@acme/widget", "0.3.1", files)
        pkg = fetch_npm(parse_target("npm:@acme/widget@0.3.1"), options(tmp_path, reg.base_url))
        assert "/@acme%2fwidget" in reg.requests
    assert pkg.files[0].filename == "widget-0.3.1.tgz"
    assert pkg.source_urls == ("https://github.com/acme/widget",)
    assert packument_url("https://r.example/npm/", "@a/b") == "https://r.example/npm/@a%2fb"


def test_unknown_package_and_version(tmp_path: Path) -> None:
    with serve() as reg:
        publish(reg, "known", "1.0.0", {"package.json": package_json("known", "1.0.0")})
        opts = options(tmp_path, reg.base_url)
        with pytest.raises(NpmNotFoundError, match="no such package"):
            fetch_npm(parse_target("npm:unknown-pkg"), opts)
        with pytest.raises(NpmNotFoundError, match=r"no version 9\.9\.9 .*latest is 1\.0\.0"):
            fetch_npm(parse_target("npm:known@9.9.9"), opts)
    # a NotFound error is still a NotFoundError for callers that catch the generic one
    assert issubclass(NpmNotFoundError, NotFoundError)


def test_integrity_mismatch_keeps_nothing(tmp_path: Path) -> None:
    with serve() as reg:
        publish(
            reg,
            "evil",
            "1.0.0",
            {"package.json": package_json("evil", "1.0.0")},
            dist={"integrity": sri(b"the genuine tarball")},
        )
        with pytest.raises(IntegrityError, match=r"npm:evil@1\.0\.0: .*sha512"):
            fetch_npm(parse_target("npm:evil@1.0.0"), options(tmp_path, reg.base_url))
    assert not list((tmp_path / "cache").rglob("blobs/*/*/*"))


def test_sha1_only_release_is_verified_and_noted(tmp_path: Path) -> None:
    files = {"package.json": package_json("oldie", "0.0.1")}
    body = npm_tarball(files)
    with serve() as reg:
        publish(reg, "oldie", "0.0.1", files, dist={"shasum": hashlib.sha1(body).hexdigest()})
        pkg = fetch_npm(parse_target("npm:oldie@0.0.1"), options(tmp_path, reg.base_url))
        assert pkg.files[0].path.read_bytes() == body
        assert pkg.metadata["integrity"] == "sha1 only (weak)"
        assert any("sha1" in n and "weak" in n for n in pkg.notes)
        publish(reg, "oldie", "0.0.2", files, dist={"shasum": "0" * 40})
        with pytest.raises(IntegrityError, match="sha1"):
            fetch_npm(parse_target("npm:oldie@0.0.2"), options(tmp_path, reg.base_url))


def test_no_digest_at_all_is_refused(tmp_path: Path) -> None:
    with serve() as reg:
        publish(reg, "bare", "1.0.0", {"package.json": package_json("bare", "1.0.0")}, dist={})
        with pytest.raises(IntegrityError, match="no digest"):
            fetch_npm(parse_target("npm:bare@1.0.0"), options(tmp_path, reg.base_url))


def test_cache_replays_offline_and_pinned_versions_skip_the_registry(tmp_path: Path) -> None:
    files = {"package.json": package_json("cached", "1.0.0")}
    with serve() as reg:
        publish(reg, "cached", "1.0.0", files)
        first = fetch_npm(parse_target("npm:cached@1.0.0"), options(tmp_path, reg.base_url))
        again = fetch_npm(parse_target("npm:cached@1.0.0"), options(tmp_path, reg.base_url))
        assert again.files[0].sha256 == first.files[0].sha256
        assert reg.requests.count("/cached") == 1
        assert reg.requests.count("/cached/-/cached-1.0.0.tgz") == 1
        url = reg.base_url
    offline = fetch_npm(parse_target("npm:cached"), options(tmp_path, url, offline=True))
    assert offline.files[0].path.read_bytes() == first.files[0].path.read_bytes()
    with pytest.raises(OfflineMiss):
        fetch_npm(parse_target("npm:other"), options(tmp_path, url, offline=True))


def test_tarball_host_is_rewritten_to_the_configured_registry(tmp_path: Path) -> None:
    files = {"package.json": package_json("mirrored", "1.0.0")}
    body = npm_tarball(files)
    with serve() as reg:
        reg.add("/mirrored/-/mirrored-1.0.0.tgz", body)
        publish(
            reg,
            "mirrored",
            "1.0.0",
            files,
            dist={
                "integrity": sri(body),
                "tarball": "https://registry.npmjs.org/mirrored/-/mirrored-1.0.0.tgz",
            },
        )
        pkg = fetch_npm(parse_target("npm:mirrored"), options(tmp_path, reg.base_url + "/"))
    assert pkg.files[0].url == reg.base_url + "/mirrored/-/mirrored-1.0.0.tgz"


@pytest.mark.parametrize(
    ("spec", "url", "subdir"),
    [
        ("github:user/repo", "https://github.com/user/repo", None),
        ("gitlab:group/proj", "https://gitlab.com/group/proj", None),
        ("bitbucket:team/repo", "https://bitbucket.org/team/repo", None),
        ("user/repo", "https://github.com/user/repo", None),
        ("git+https://github.com/user/repo.git", "https://github.com/user/repo", None),
        ("git://github.com/user/repo.git", "https://github.com/user/repo", None),
        ("git+ssh://git@github.com/user/repo.git", "https://github.com/user/repo", None),
        ("git@github.com:user/repo.git", "https://github.com/user/repo", None),
        ("https://github.com/user/repo#main", "https://github.com/user/repo", None),
        ("http://www.github.com/user/repo", "https://github.com/user/repo", None),
        (
            "https://github.com/user/mono/tree/main/packages/a",
            "https://github.com/user/mono",
            "packages/a",
        ),
        (
            {"type": "git", "url": "git+https://gitlab.com/g/p.git", "directory": "./pkgs/x/"},
            "https://gitlab.com/g/p",
            "pkgs/x",
        ),
        ("git://git.example.org/proj.git", "https://git.example.org/proj.git", None),
        # never ssh to a host the package names: https instead
        ("git+ssh://git@git.example.org/proj.git", "https://git.example.org/proj.git", None),
        ("https://user:secret@git.example.org/p.git", "https://git.example.org/p.git", None),
        (
            {"type": "git", "url": "https://github.com/a/b", "directory": "../escape"},
            "https://github.com/a/b",
            None,
        ),
        ("not a url", None, None),
        (42, None, None),
    ],
)
def test_normalise_repository(spec: object, url: str | None, subdir: str | None) -> None:
    assert normalise_repository(spec) == (url, subdir)


def test_homepage_and_bugs_are_later_candidates(tmp_path: Path) -> None:
    files = {
        "package.json": package_json(
            "hp",
            "1.0.0",
            homepage="https://github.com/o/hp#readme",
            bugs={"url": "https://github.com/o/hp-issues/issues"},
        )
    }
    with serve() as reg:
        publish(reg, "hp", "1.0.0", files)
        pkg = fetch_npm(parse_target("npm:hp"), options(tmp_path, reg.base_url))
    assert pkg.source_urls == ("https://github.com/o/hp", "https://github.com/o/hp-issues")
    assert "package.json names no repository" in pkg.notes


def test_configured_registry(tmp_path: Path) -> None:
    assert configured_npm_registry({}, tmp_path) == "https://registry.npmjs.org/"
    (tmp_path / ".npmrc").write_text(
        "; comment\n//r.example/:_authToken=SECRET\nregistry = https://r.example/npm\n"
    )
    assert configured_npm_registry({}, tmp_path) == "https://r.example/npm/"
    env = {"npm_config_registry": "https://env.example/"}
    assert configured_npm_registry(env, tmp_path) == "https://env.example/"


@pytest.mark.network
def test_real_registry(tmp_path: Path) -> None:
    opts = options(tmp_path, "https://registry.npmjs.org/")
    pkg = fetch_npm(parse_target("npm:ms@2.1.3"), opts)
    assert pkg.source_urls[0] == "https://github.com/vercel/ms"
    assert pkg.files[0].path.stat().st_size > 1000
    scoped = fetch_npm(parse_target("npm:@babel/core@7.24.0"), opts)
    assert scoped.metadata["source_subdir"] == "packages/babel-core"
    with pytest.raises(NpmNotFoundError):
        fetch_npm(parse_target("npm:ms@0.0.0-no-such-version"), opts)


@pytest.mark.network
def test_real_packages_checked_without_repository(tmp_path: Path) -> None:
    from chainsight.analyzers.npm_package import npm_package_findings
    from chainsight.model import Severity

    opts = options(tmp_path, "https://registry.npmjs.org/")
    for spec in ("npm:ms@2.1.3", "npm:esbuild"):
        findings = npm_package_findings(fetch_npm(parse_target(spec), opts))
        assert not [f for f in findings if f.severity.rank >= Severity.HIGH.rank], spec
    esbuild = npm_package_findings(fetch_npm(parse_target("npm:esbuild"), opts))
    assert any(f.rule_id == "npm-install-script" for f in esbuild)
