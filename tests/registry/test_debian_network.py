"""deb: targets against the real Debian archive (run with ``pytest -m network``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainsight.analyzers.debian_package import debian_package_findings
from chainsight.registry.cache import DownloadCache
from chainsight.registry.debian import DebianConfig, default_config, fetch_deb
from chainsight.registry.debian_archive import DEBIAN_KEYRING, Suite
from chainsight.registry.fetched import RegistryOptions
from chainsight.registry.http import HttpClient, NotFoundError
from chainsight.registry.target import parse_target

pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(not DEBIAN_KEYRING.is_file(), reason="debian-archive-keyring missing"),
]

MIRROR = "https://deb.debian.org/debian"


def _options(tmp_path: Path) -> RegistryOptions:
    return RegistryOptions(DownloadCache(tmp_path / "cache"), HttpClient(), debian_mirror=MIRROR)


def test_hello_in_bookworm(tmp_path: Path) -> None:
    # one suite keeps the download small; bookworm's current hello is always in the pool
    config = DebianConfig((Suite(MIRROR, "bookworm"),))
    fetched = fetch_deb(parse_target("deb:hello"), _options(tmp_path), config)
    assert {f.role for f in fetched.files} >= {"dsc", "orig", "orig-signature", "debian"}
    assert "https://git.savannah.gnu.org/git/hello.git" in fetched.source_urls
    rules = {f.rule_id: f.severity.value for f in debian_package_findings(fetched)}
    assert rules.get("deb-upstream-signature-valid") == "info"


def test_xz_utils_in_bookworm(tmp_path: Path) -> None:
    config = DebianConfig((Suite(MIRROR, "bookworm"),))
    fetched = fetch_deb(parse_target("deb:xz-utils"), _options(tmp_path), config)
    assert fetched.target.version is not None and fetched.target.version.startswith("5.4.1-")
    findings = debian_package_findings(fetched)
    assert not [f for f in findings if f.severity.rank >= 3]
    assert any(f.rule_id == "deb-upstream-signature-valid" for f in findings)


def test_missing_version_lists_what_exists(tmp_path: Path) -> None:
    options = _options(tmp_path)
    with pytest.raises(NotFoundError, match=r"only versions present in reachable suites exist"):
        fetch_deb(parse_target("deb:hello=0.1-1"), options, default_config(options))
