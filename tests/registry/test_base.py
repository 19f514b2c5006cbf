from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from loopback_registry import serve

from chainsight.errors import UsageError
from chainsight.registry.cache import DownloadCache, IntegrityError, OfflineMiss, sri_to_hex
from chainsight.registry.http import HttpClient, NetworkError, NotFoundError
from chainsight.registry.target import Ecosystem, PackageTarget, parse_target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pypi:requests==2.31.0", PackageTarget(Ecosystem.PYPI, "requests", "2.31.0")),
        ("pypi:Zope.Interface", PackageTarget(Ecosystem.PYPI, "Zope.Interface", None)),
        ("npm:left-pad@1.3.0", PackageTarget(Ecosystem.NPM, "left-pad", "1.3.0")),
        ("npm:@babel/core@7.24.0", PackageTarget(Ecosystem.NPM, "@babel/core", "7.24.0")),
        ("npm:@babel/core", PackageTarget(Ecosystem.NPM, "@babel/core", None)),
        ("deb:xz-utils=5.4.1-0.2", PackageTarget(Ecosystem.DEB, "xz-utils", "5.4.1-0.2")),
        ("deb:xz-utils", PackageTarget(Ecosystem.DEB, "xz-utils", None)),
    ],
)
def test_parse_target(text: str, expected: PackageTarget) -> None:
    got = parse_target(text)
    assert got == expected
    assert parse_target(str(got)) == got


@pytest.mark.parametrize(
    "text", ["pip:requests", "pypi:requests>=2", "pypi:-bad", "deb:Xz", "npm:", "pypi:a==1 2"]
)
def test_parse_target_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_target(text)


def test_canonical_name() -> None:
    assert parse_target("pypi:Zope.Interface").canonical_name == "zope-interface"


def test_sri_to_hex() -> None:
    data = b"hello"
    import base64

    sri = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    assert sri_to_hex(sri) == ("sha512", hashlib.sha512(data).hexdigest())
    with pytest.raises(ValueError):
        sri_to_hex("sha512-!!!")


def test_fetch_verifies_and_caches(tmp_path: Path) -> None:
    body = b"release bytes" * 100
    digest = hashlib.sha256(body).hexdigest()
    cache = DownloadCache(tmp_path / "cache")
    with serve() as reg:
        url = reg.add("/files/pkg-1.0.tar.gz", body)
        client = HttpClient()
        first = cache.fetch(client, url, {"sha256": digest})
        assert not first.from_cache and first.path.read_bytes() == body
        second = cache.fetch(client, url, {"sha256": digest})
        assert second.from_cache and second.path == first.path
        assert reg.requests.count("/files/pkg-1.0.tar.gz") == 1
        # offline replays the cache and needs no client
        assert cache.fetch(None, url, {"sha256": digest}, offline=True).path == first.path


def test_fetch_rejects_wrong_digest_and_keeps_nothing(tmp_path: Path) -> None:
    cache = DownloadCache(tmp_path / "cache")
    with serve() as reg:
        url = reg.add("/f", b"tampered")
        with pytest.raises(IntegrityError, match="sha256"):
            cache.fetch(HttpClient(), url, {"sha256": hashlib.sha256(b"genuine").hexdigest()})
    assert not list((tmp_path / "cache").rglob("blobs/*/*/*"))
    assert not list((tmp_path / "cache" / "tmp").iterdir())


def test_fetch_requires_a_strong_digest(tmp_path: Path) -> None:
    with pytest.raises(IntegrityError, match="no sha256"):
        DownloadCache(tmp_path).fetch(HttpClient(), "http://127.0.0.1:9/x", {"md5": "00"})


def test_sha512_alias(tmp_path: Path) -> None:
    body = b"npm tarball"
    sha512 = hashlib.sha512(body).hexdigest()
    cache = DownloadCache(tmp_path / "cache")
    with serve() as reg:
        url = reg.add("/t.tgz", body)
        cache.fetch(HttpClient(), url, {"sha512": sha512})
    assert cache.lookup({"sha512": sha512}) is not None


def test_offline_miss(tmp_path: Path) -> None:
    cache = DownloadCache(tmp_path)
    with pytest.raises(OfflineMiss, match="--offline"):
        cache.fetch(None, "http://127.0.0.1:9/x", {"sha256": "ab" * 32}, offline=True)
    with pytest.raises(OfflineMiss):
        cache.document(None, "http://127.0.0.1:9/index", offline=True)


def test_documents_replay_offline(tmp_path: Path) -> None:
    cache = DownloadCache(tmp_path)
    with serve() as reg:
        url = reg.add("/simple/pkg/", b'{"files": []}', "application/json")
        assert cache.document(HttpClient(), url) == b'{"files": []}'
        assert cache.document(HttpClient(), url, max_age=3600) == b'{"files": []}'
        assert reg.requests.count("/simple/pkg/") == 1
    assert cache.document(None, url, offline=True) == b'{"files": []}'


def test_not_found_and_unreachable_hosts(tmp_path: Path) -> None:
    client = HttpClient(retries=0, timeout=2)
    with serve() as reg, pytest.raises(NotFoundError, match="404"):
        client.get(reg.base_url + "/missing")
    # a port nobody listens on: refused, remembered, and the next call fails fast
    with pytest.raises(NetworkError):
        client.get("http://127.0.0.1:9/a")
    assert "127.0.0.1" in client.unreachable
    with pytest.raises(NetworkError, match="unreachable earlier"):
        client.get("http://127.0.0.1:9/b")


def test_size_limit() -> None:
    client = HttpClient(max_bytes=10)
    with serve() as reg, pytest.raises(NetworkError, match="limit"):
        client.get(reg.add("/big", b"x" * 100))


def test_only_http_urls() -> None:
    with pytest.raises(NetworkError, match="only http"):
        HttpClient().get("file:///etc/passwd")


def test_weak_digest_only_when_allowed(tmp_path: Path) -> None:
    body = b"an old npm tarball"
    sha1 = hashlib.sha1(body).hexdigest()
    cache = DownloadCache(tmp_path / "cache")
    with serve() as reg:
        url = reg.add("/old.tgz", body)
        with pytest.raises(IntegrityError, match="no sha256"):
            cache.fetch(HttpClient(), url, {"sha1": sha1})
        got = cache.fetch(HttpClient(), url, {"sha1": sha1}, allow_weak=True)
        assert got.path.read_bytes() == body and not got.from_cache
        again = cache.fetch(HttpClient(), url, {"sha1": sha1}, allow_weak=True)
        assert again.from_cache and reg.requests.count("/old.tgz") == 1
        with pytest.raises(IntegrityError, match="sha1"):
            cache.fetch(
                HttpClient(), reg.add("/bad.tgz", b"x"), {"sha1": sha1[::-1]}, allow_weak=True
            )
    # a weak alias never answers a lookup that has a strong digest to check
    assert cache.lookup({"sha1": sha1, "sha512": "00" * 64}, allow_weak=True) is None


@pytest.mark.parametrize(
    "digest", ["../../../../../../../../etc/passwd", "ab" * 31 + "zz", "AB" * 33, ""]
)
def test_a_malformed_digest_never_names_a_path(tmp_path: Path, digest: str) -> None:
    cache = DownloadCache(tmp_path / "cache")
    (tmp_path / "cache" / "blobs" / "sha256").mkdir(parents=True)
    with pytest.raises(IntegrityError, match="malformed"):
        cache.fetch(None, "http://127.0.0.1:9/x", {"sha256": digest}, offline=True)


def test_a_damaged_cache_file_is_not_served(tmp_path: Path) -> None:
    body = b"genuine release"
    digest = hashlib.sha256(body).hexdigest()
    cache = DownloadCache(tmp_path / "cache")
    with serve() as reg:
        url = reg.add("/f.tar.gz", body)
        first = cache.fetch(HttpClient(), url, {"sha256": digest})
        first.path.write_bytes(b"planted")  # someone wrote into the cache
        again = cache.fetch(HttpClient(), url, {"sha256": digest})
        assert not again.from_cache and again.path.read_bytes() == body
        assert reg.requests.count("/f.tar.gz") == 2
    first.path.write_bytes(b"planted")
    with pytest.raises(OfflineMiss):
        cache.fetch(None, url, {"sha256": digest}, offline=True)


def test_credentials_in_an_index_url_become_a_header_and_never_show() -> None:
    import base64

    from chainsight.registry.http import redact_url

    with serve() as reg:
        reg.add("/simple/x/", b"ok")
        url = reg.base_url.replace("http://", "http://alice:s3cr%40t@") + "/simple/x/"
        assert HttpClient(retries=0).get(url) == b"ok"
        sent = reg.last_headers.get("Authorization")
    assert sent == "Basic " + base64.b64encode(b"alice:s3cr@t").decode()
    assert redact_url(url) == reg.base_url.replace("http://", "http://***@") + "/simple/x/"
    with pytest.raises(NetworkError) as info:
        HttpClient(retries=0, timeout=2).get("http://alice:token123@127.0.0.1:9/simple/")
    assert "token123" not in str(info.value) and "***@127.0.0.1:9" in str(info.value)
