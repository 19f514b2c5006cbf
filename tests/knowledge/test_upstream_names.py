"""The packaged index of upstream build-system file names."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources

import pytest

from chainsight.knowledge.upstream_names import (
    SCHEMA,
    index_summary,
    known_build_aux,
    known_m4,
    known_po,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("build-to-host.m4", {"gettext", "autopoint", "gnulib"}),
        ("m4/build-to-host.m4", {"gettext", "autopoint", "gnulib"}),
        ("./config/m4/gettext.m4", {"gettext", "autopoint"}),
        ("m4/libtool.m4", {"libtool"}),
        ("m4/ltdl.m4", {"libltdl-dev"}),
        ("m4/ax_pthread.m4", {"autoconf-archive"}),
        ("m4/pkg.m4", {"pkgconf"}),
        ("m4/gnulib-common.m4", {"gnulib"}),
        ("m4/glib-gettext.m4", {"libglib2.0-dev-bin"}),
        ("m4/intltool.m4", {"intltool"}),
    ],
)
def test_m4_names_resolve_to_their_providers(name: str, expected: set[str]) -> None:
    providers = known_m4(name)
    assert expected <= set(providers)
    assert list(providers) == sorted(providers)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("build-aux/ltmain.sh", {"libtool"}),
        ("ltmain.sh", {"libtool"}),
        ("build-aux/config.guess", {"automake", "autoconf", "gnulib"}),
        ("build-aux/test-driver", {"automake"}),
        ("config.rpath", {"gettext", "autopoint"}),
        ("build-aux/snippet/link-warning.h", {"gnulib"}),
        ("git-version-gen", {"gnulib"}),
    ],
)
def test_build_aux_names_resolve(name: str, expected: set[str]) -> None:
    assert expected <= set(known_build_aux(name))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("po/Makefile.in.in", {"gettext", "autopoint", "intltool"}),
        ("po/Rules-quot", {"gettext", "autopoint"}),
        ("po/remove-potcdate.sin", {"gettext", "gnulib"}),
        ("en@quot.header", {"gettext"}),
    ],
)
def test_po_names_resolve(name: str, expected: set[str]) -> None:
    assert expected <= set(known_po(name))


@pytest.mark.parametrize("lookup", [known_m4, known_build_aux, known_po])
@pytest.mark.parametrize(
    "name",
    [
        "m4/chainsight-nonexistent.m4",
        "build-aux/chainsight-nonexistent",
        "po/chainsight-nonexistent.sin",
        "",
        ".",
        "m4/",
    ],
)
def test_unknown_names_resolve_to_nothing(
    lookup: Callable[[str], tuple[str, ...]], name: str
) -> None:
    assert lookup(name) == ()


def test_sections_do_not_leak_into_each_other() -> None:
    assert known_build_aux("libtool.m4") == ()
    assert known_m4("ltmain.sh") == ()
    assert known_po("ltmain.sh") == ()


def test_summary_counts_look_like_the_real_tools() -> None:
    summary = index_summary()
    assert summary["m4"] > 1000  # gnulib alone ships many hundreds
    assert 30 <= summary["build_aux"] < 1000
    assert 9 <= summary["po"] < 100
    assert summary["providers"] >= 10
    assert summary["suites"] >= 1


def test_data_file_is_consistent() -> None:
    source = resources.files("chainsight.knowledge").joinpath("data", "upstream_names.json")
    text = source.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["schema"] == SCHEMA
    assert len(text.encode("utf-8")) < 150 * 1024
    providers = data["providers"]
    for section in ("m4", "build_aux", "po"):
        for name, names_providers in data[section].items():
            assert name and not name.startswith("/") and ".." not in name.split("/")
            assert names_providers == sorted(set(names_providers))
            assert set(names_providers) <= set(providers), name
