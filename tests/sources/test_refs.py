"""Unit tests of chainsight.sources.refs: release names and the tag they came from."""

from __future__ import annotations

import pytest

from chainsight.errors import RefNotFoundError
from chainsight.sources.refs import ReleaseName, derive_ref, parse_release_name


@pytest.mark.parametrize(
    "filename, name, version",
    [
        ("xz-5.4.1.tar.xz", "xz", "5.4.1"),
        ("xz-utils_5.4.1.orig.tar.xz", "xz-utils", "5.4.1"),
        ("xz-utils_5.4.1+dfsg.orig.tar.xz", "xz-utils", "5.4.1"),
        ("curl-8.5.0.tar.xz", "curl", "8.5.0"),
        ("pkg_name-1.2.3.tar.gz", "pkg_name", "1.2.3"),
        ("pkg-1.2.3-py3-none-any.whl", "pkg", "1.2.3"),
        ("pkg_name-1.2.3-1-cp311-cp311-manylinux_2_17_x86_64.whl", "pkg_name", "1.2.3"),
        ("left-pad-1.3.0.tgz", "left-pad", "1.3.0"),
        ("foo-1.0~rc1.tar.gz", "foo", "1.0~rc1"),
        ("foo_1.0~rc1.orig.tar.gz", "foo", "1.0~rc1"),
        ("tool-v2.0.0.tar.gz", "tool", "2.0.0"),
        ("/some/dir/xz-5.4.1.tar.bz2", "xz", "5.4.1"),
        ("xz-5.4.1.zip", "xz", "5.4.1"),
    ],
)
def test_parse_release_name(filename: str, name: str, version: str) -> None:
    assert parse_release_name(filename) == ReleaseName(name, version)


@pytest.mark.parametrize("filename", ["archive.tar.gz", "README", "snapshot.zip"])
def test_names_without_a_version_are_not_parsed(filename: str) -> None:
    assert parse_release_name(filename) is None


@pytest.mark.parametrize(
    "filename, tags, expected",
    [
        ("xz-5.4.1.tar.xz", ["v5.4.0", "v5.4.1", "v5.4.10", "v5.6.0"], "v5.4.1"),
        ("xz-utils_5.4.1.orig.tar.xz", ["v5.4.0", "v5.4.1"], "v5.4.1"),
        ("xz-utils_5.4.1.orig.tar.xz", ["xz-5.4.0", "xz-5.4.1"], "xz-5.4.1"),
        ("xz-utils_5.4.1+dfsg.orig.tar.xz", ["v5.4.1"], "v5.4.1"),
        ("curl-8.5.0.tar.xz", ["curl-8_4_0", "curl-8_5_0", "curl-8_6_0"], "curl-8_5_0"),
        ("pkg_name-1.2.3.tar.gz", ["1.2.2", "1.2.3", "1.2.4"], "1.2.3"),
        ("pkg_name-1.2.3.tar.gz", ["pkg-name-1.2.2", "pkg-name-1.2.3"], "pkg-name-1.2.3"),
        ("pkg-1.2.3-py3-none-any.whl", ["v1.2.2", "v1.2.3"], "v1.2.3"),
        ("pkg-1.2.3-py3-none-any.whl", ["1.2.3"], "1.2.3"),
        ("left-pad-1.3.0.tgz", ["v1.2.0", "v1.3.0"], "v1.3.0"),
        ("pkg-1.2.3.tar.gz", ["release-1.2.2", "release-1.2.3"], "release-1.2.3"),
        ("foo-1.0~rc1.tar.gz", ["v1.0", "v1.0-rc1", "v0.9"], "v1.0-rc1"),
        ("foo_1.0~rc1.orig.tar.gz", ["v1.0", "v1.0-rc1"], "v1.0-rc1"),
        ("pkg-1.2.3.tar.gz", ["other-1.2.3", "pkg-1.2.3"], "pkg-1.2.3"),
    ],
)
def test_derive_ref(filename: str, tags: list[str], expected: str) -> None:
    assert derive_ref(filename, tags) == expected


def test_no_matching_tag_lists_the_nearest_ones() -> None:
    tags = ["v1.2.2", "v1.2.4", "v2.0.0", "some-branch-like-tag", "v0.1"]
    with pytest.raises(RefNotFoundError) as info:
        derive_ref("pkg-1.2.3.tar.gz", tags)
    message = str(info.value)
    assert "\n" not in message
    assert "pkg" in message and "1.2.3" in message
    assert "nearest" in message
    assert "v1.2.2" in message and "v1.2.4" in message
    assert "--ref" in message


def test_release_candidate_does_not_fall_back_to_the_final_release() -> None:
    with pytest.raises(RefNotFoundError) as info:
        derive_ref("foo-1.0~rc1.tar.gz", ["v1.0", "v0.9"])
    assert "v1.0" in str(info.value)  # listed as a near tag, not chosen


def test_another_projects_tag_is_not_chosen() -> None:
    with pytest.raises(RefNotFoundError):
        derive_ref("pkg-1.2.3.tar.gz", ["other-1.2.3", "otherpkg-1.2.3"])


def test_repository_without_tags() -> None:
    with pytest.raises(RefNotFoundError) as info:
        derive_ref("pkg-1.2.3.tar.gz", [])
    assert "no tags" in str(info.value)


def test_unparseable_name_asks_for_ref() -> None:
    with pytest.raises(RefNotFoundError) as info:
        derive_ref("snapshot.tar.gz", ["v1.0.0"])
    assert "--ref" in str(info.value)
