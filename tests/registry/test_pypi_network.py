"""Against the real PyPI (deselected by default: ``pytest -m network``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainsight.registry.dispatch import PackageAuditOptions, audit_target
from chainsight.registry.options import registry_options
from chainsight.registry.target import parse_target

pytestmark = pytest.mark.network


@pytest.mark.parametrize("name", ["requests", "six", "pyyaml", "urllib3"])
def test_genuine_releases_raise_nothing_high(tmp_path: Path, name: str) -> None:
    options = registry_options(cache_dir=tmp_path, index_url="https://pypi.org/simple/")
    report = audit_target(
        parse_target(f"pypi:{name}"), options, PackageAuditOptions(find_source=False)
    )
    assert report.package is not None
    assert {f.role for f in report.package.files} == {"sdist", "wheel"}
    assert not report.has_finding_at_or_above(__import__("chainsight.model").model.Severity.HIGH)
    assert report.package.source_candidates, "metadata names a repository"


def test_unknown_project(tmp_path: Path) -> None:
    from chainsight.registry.pypi import PackageNotFoundError

    options = registry_options(cache_dir=tmp_path, index_url="https://pypi.org/simple/")
    with pytest.raises(PackageNotFoundError):
        audit_target(parse_target("pypi:this-project-does-not-exist-chainsight-xyz"), options)
