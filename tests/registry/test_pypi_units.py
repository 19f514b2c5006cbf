"""Pieces of the PyPI front end: repository URLs, index pages, version and wheel choice."""

from __future__ import annotations

import pytest

from chainsight.registry.http import redact_url
from chainsight.registry.pypi import (
    PackageNotFoundError,
    choose_release,
    choose_wheels,
    parse_index_page,
    pip_index_url,
)
from chainsight.registry.repo_urls import normalise_repo_url, rank_candidates
from chainsight.registry.target import parse_target


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/psf/requests", "https://github.com/psf/requests"),
        ("git+https://github.com/psf/requests.git", "https://github.com/psf/requests"),
        ("https://github.com/psf/requests/tree/main/src", "https://github.com/psf/requests"),
        ("https://www.github.com/psf/requests#readme", "https://github.com/psf/requests"),
        ("git@github.com:psf/requests.git", "https://github.com/psf/requests"),
        ("https://github.com/psf/requests/issues", "https://github.com/psf/requests"),
        ("https://gitlab.com/grp/sub/proj/-/issues", "https://gitlab.com/grp/sub/proj"),
        ("https://codeberg.org/o/r.git", "https://codeberg.org/o/r"),
        ("https://pyyaml.github.io/pyyaml/", "https://github.com/pyyaml/pyyaml"),
        ("https://git.example.org/cgit/proj.git", "https://git.example.org/cgit/proj.git"),
        ("https://requests.readthedocs.io", None),
        ("https://github.com/sponsors/someone", None),
        ("https://github.com/psf", None),
        ("not a url", None),
    ],
)
def test_normalise_repo_url(url: str, expected: str | None) -> None:
    assert normalise_repo_url(url) == expected


def test_rank_candidates_source_first_then_home_then_others() -> None:
    ranked = rank_candidates(
        [
            ("Bug Tracker", "https://github.com/o/tracker/issues"),
            ("Homepage", "https://github.com/o/home"),
            ("Documentation", "https://o.readthedocs.io"),
            ("Source Code", "https://github.com/o/src"),
            ("Repository", "https://github.com/O/SRC.git"),
        ]
    )
    assert ranked == [
        "https://github.com/o/src",
        "https://github.com/o/home",
        "https://github.com/o/tracker",
    ]


def test_html_index_page() -> None:
    page = (
        b'<html><body><a href="../../files/demo-1.0.tar.gz#sha256=aa">demo-1.0.tar.gz</a>'
        b'<a href="/files/demo-1.0-py3-none-any.whl#sha256=bb" data-yanked="">w</a>'
        b"</body></html>"
    )
    files = parse_index_page(page, "https://idx.example/simple/demo/")
    assert [(f.filename, f.kind, f.hashes, f.yanked) for f in files] == [
        ("demo-1.0.tar.gz", "sdist", {"sha256": "aa"}, None),
        ("demo-1.0-py3-none-any.whl", "wheel", {"sha256": "bb"}, ""),
    ]
    assert files[0].url == "https://idx.example/files/demo-1.0.tar.gz"


def _files(*names: str, yanked: tuple[str, ...] = ()) -> list:  # type: ignore[type-arg]
    import json

    doc = {
        "files": [
            {"filename": n, "url": n, "hashes": {"sha256": "00"}, "yanked": n in yanked}
            for n in names
        ]
    }
    return parse_index_page(json.dumps(doc).encode(), "https://idx.example/simple/demo/")


def test_only_prereleases_are_chosen_with_a_note() -> None:
    choice = choose_release(
        _files("demo-1.0a1.tar.gz", "demo-1.0b2.tar.gz"), parse_target("pypi:demo"), "x"
    )
    assert choice.version == "1.0b2" and "pre-releases" in choice.notes[0]


def test_every_version_yanked_is_an_error() -> None:
    with pytest.raises(PackageNotFoundError, match="every version is yanked"):
        choose_release(
            _files("demo-1.0.tar.gz", yanked=("demo-1.0.tar.gz",)), parse_target("pypi:demo"), "x"
        )


def test_pinned_version_matches_by_pep440_equality() -> None:
    choice = choose_release(_files("demo-1.0.0.tar.gz"), parse_target("pypi:demo==1.0"), "x")
    assert choice.version == "1.0.0"


def test_wheel_choice_prefers_pure_then_manylinux_x86_64() -> None:
    files = _files(
        "demo-1.0-cp399-cp399-win_amd64.whl",
        "demo-1.0-cp399-cp399-manylinux_2_17_aarch64.whl",
        "demo-1.0-cp399-cp399-manylinux_2_17_x86_64.whl",
        "demo-1.0-cp399-cp399t-manylinux_2_17_x86_64.whl",
    )
    assert [w.filename for w in choose_wheels(files, 2)] == [
        "demo-1.0-cp399-cp399-manylinux_2_17_x86_64.whl",
        "demo-1.0-cp399-cp399t-manylinux_2_17_x86_64.whl",
    ]
    pure = _files("demo-1.0-py3-none-any.whl", "demo-1.0-cp399-cp399-manylinux_2_17_x86_64.whl")
    assert choose_wheels(pure)[0].filename == "demo-1.0-py3-none-any.whl"


def test_pip_index_url_conventions(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = https://mirror.example/simple/\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    assert pip_index_url() == "https://mirror.example/simple/"
    monkeypatch.setenv("PIP_INDEX_URL", "https://env.example/simple/")
    assert pip_index_url() == "https://env.example/simple/"
    assert pip_index_url("https://cli.example/simple/") == "https://cli.example/simple/"


def test_credentials_are_redacted() -> None:
    assert (
        redact_url("https://user:tok@idx.example:8443/simple/")
        == "https://***@idx.example:8443/simple/"
    )
