"""Indicators of the xz 5.6.0/5.6.1 backdoor, on synthetic files built here.

The fixtures carry only the short published strings and signatures the
indicators look for, embedded in otherwise meaningless bytes.
"""

from __future__ import annotations

import hashlib
import random
import re

import pytest

from chainsight.knowledge import indicators
from chainsight.knowledge.indicators import (
    INDICATORS,
    MARKERS,
    Indicator,
    scan_artifact_name,
    scan_indicators,
)
from chainsight.model import Severity


def _random(n: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(n)


def _elf(body: bytes) -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 57 + body


def _signature(rule_id: str) -> bytes:
    for ind in INDICATORS:
        if ind.rule_id == rule_id and ind.needles:
            return ind.needles[0]
    raise AssertionError(rule_id)


def test_every_indicator_is_an_ioc_rule_with_a_source() -> None:
    assert INDICATORS
    for ind in INDICATORS:
        assert re.fullmatch(r"ioc-xz-2024-[a-z0-9-]+", ind.rule_id)
        assert ind.source.startswith("https://") or ind.source.startswith("CVE-")
        assert ind.needles or ind.patterns or ind.sha256
        for needle in ind.needles:
            assert len(needle) <= 96  # short published signatures, never payloads
        if ind.sha256:
            assert re.fullmatch(r"[0-9a-f]{64}", ind.sha256)


def test_markers_inside_a_binary_test_file_are_critical() -> None:
    blob = b"\xfd7zXZ\x00" + _random(20) + MARKERS[0] + b"\n" + _random(300) + MARKERS[1]
    hits = scan_indicators("tests/files/bad-9-corrupt.xz", blob)
    assert [h.rule_id for h in hits] == ["ioc-xz-2024-payload-marker"]
    assert hits[0].severity is Severity.CRITICAL
    assert "offset 26" in hits[0].evidence
    assert hits[0].source.startswith("https://www.openwall.com/")


def test_markers_in_a_text_file_are_medium() -> None:
    text = b"The payload was found by its marker:\n" + MARKERS[0] + b"\n"
    hits = scan_indicators("NEWS", text)
    assert [(h.rule_id, h.severity) for h in hits] == [
        ("ioc-xz-2024-payload-marker", Severity.MEDIUM)
    ]
    assert "line 2" in hits[0].evidence


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("src/main.c", b"int main(void) { return 0; }\n"),
        ("tests/files/good-1-lzma2.xz", b"\xfd7zXZ\x00" + _random(400)),
        ("lib/liblzma.so.5.4.6", _elf(_random(4096))),
        ("m4/build-to-host.m4", b"# build-to-host.m4 serial 3\ndnl gnulib\n"),
        ("configure", b'#!/bin/sh\nif test -f debian/rules; then eval "$x"; fi\n####\n'),
        ("empty", b""),
    ],
)
def test_clean_files_have_no_indicator(path: str, data: bytes) -> None:
    assert scan_indicators(path, data) == []


def test_liblzma_signature_in_an_elf_object_is_critical() -> None:
    sig = _signature("ioc-xz-2024-liblzma-signature")
    hits = scan_indicators("usr/lib/liblzma.so.5", _elf(_random(1000) + sig + _random(100)))
    assert [(h.rule_id, h.severity) for h in hits] == [
        ("ioc-xz-2024-liblzma-signature", Severity.CRITICAL)
    ]
    # The same bytes outside an ELF file (a hex dump, a rule file) are not the backdoor.
    assert scan_indicators("notes.bin", _random(100) + sig) == []


def test_opcode_triple_needs_all_three() -> None:
    triple = next(i for i in INDICATORS if i.rule_id == "ioc-xz-2024-liblzma-opcodes")
    pieces = [
        bytes.fromhex("488d7c2408f3ab488d442408"
                      "4889d14c89c74889c2e8") + b"\x11\x22\x33\x44" + bytes.fromhex("89c2"),
        bytes.fromhex("31c04989ffb9160000004d89c5488d7c24484d89cef3ab488d442448"),
        bytes.fromhex("4d8b6c2408458b3c244c8b63108985"
                      "78f1ffff31c083bd78f1ffff00f3ab7907"),
    ]  # fmt: skip
    assert all(p.search(piece) for p, piece in zip(triple.patterns, pieces, strict=True))
    two = scan_indicators("liblzma.so", _elf(pieces[0] + _random(50) + pieces[1]))
    assert two == []
    three = scan_indicators("liblzma.so", _elf(pieces[0] + _random(50) + pieces[1] + pieces[2]))
    assert [h.rule_id for h in three] == ["ioc-xz-2024-liblzma-opcodes"]


def test_loader_macro_strings() -> None:
    m4 = (
        b"# build-to-host.m4 serial 30\n"
        b"dnl synthetic: only the published lines, nothing that runs\n"
        b'  gl_am_configmake=`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null`\n'
    )
    hits = {h.rule_id: h for h in scan_indicators("m4/build-to-host.m4", m4)}
    assert hits["ioc-xz-2024-m4-serial"].severity is Severity.HIGH
    assert hits["ioc-xz-2024-m4-loader"].severity is Severity.CRITICAL
    assert hits["ioc-xz-2024-m4-loader"].evidence.endswith(
        'line 3: gl_am_configmake=`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null`'
    )
    serial_only = scan_indicators("m4/build-to-host.m4", b"# build-to-host.m4 serial 30\n")
    assert [h.rule_id for h in serial_only] == ["ioc-xz-2024-m4-serial"]


def test_quotations_in_documentation_are_medium() -> None:
    doc = b"The Makefile got the line `am__test = bad-3-corrupt_lzma2.xz`.\n"
    hits = scan_indicators("docs/xz-incident.md", doc)
    assert [(h.rule_id, h.severity) for h in hits] == [
        ("ioc-xz-2024-makefile-injection", Severity.MEDIUM)
    ]
    build = scan_indicators("src/liblzma/Makefile.in", b"am__test = bad-3-corrupt_lzma2.xz\n")
    assert [h.severity for h in build] == [Severity.CRITICAL]
    cmake = scan_indicators("CMakeLists.txt", b"# eval $zrKcKQ\n")
    assert [h.severity for h in cmake] == [Severity.CRITICAL]


def test_file_hash_is_checked_for_known_names(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = b"# synthetic stand-in for a known file\n"
    digest = hashlib.sha256(fake).hexdigest()
    monkeypatch.setitem(
        indicators._BY_HASH,
        digest,
        Indicator(
            rule_id="ioc-xz-2024-file-hash",
            title="sha256 of a test stand-in",
            severity=Severity.CRITICAL,
            source="https://example.org/advisory",
            sha256=digest,
            name="a test stand-in",
        ),
    )
    hits = scan_indicators("m4/build-to-host.m4", fake)
    assert [h.rule_id for h in hits] == ["ioc-xz-2024-file-hash"]
    assert digest in hits[0].evidence
    # Not hashed when neither the name, the size nor the format makes it a candidate.
    assert scan_indicators("m4/other.m4", fake) == []


def test_artifact_with_a_published_hash_is_critical() -> None:
    sha = "2398f4a8e53345325f44bdd9f0cc7401bd9025d736c6d43b372f4dea77bf75b8"
    hits = scan_artifact_name("downloads/release.tar.gz", sha.upper())
    assert [(h.rule_id, h.severity) for h in hits] == [
        ("ioc-xz-2024-tarball-hash", Severity.CRITICAL)
    ]
    assert "xz-5.6.1.tar.gz" in hits[0].evidence


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("xz-5.6.1.tar.gz", True),
        ("xz-5.6.0.tar.bz2", True),
        ("pool/main/x/xz-utils/xz-utils_5.6.1.orig.tar.xz", True),
        ("liblzma5_5.6.0-0.2_amd64.deb", True),
        ("xz-libs-5.6.1-1.fc40.x86_64.rpm", True),
        ("/usr/lib/x86_64-linux-gnu/liblzma.so.5.6.1", True),
        ("xz-utils_5.6.1+really5.4.5-1.debian.tar.xz", False),
        ("xz-5.6.2.tar.gz", False),
        ("xz-5.6.10.tar.gz", False),
        ("xz-5.4.6.tar.gz", False),
        ("lzma-5.6.1.tar.gz", False),
    ],
)
def test_affected_versions_by_name(name: str, expected: bool) -> None:
    hits = scan_artifact_name(name, "0" * 64)
    assert bool(hits) is expected
    if hits:
        assert hits[0].rule_id == "ioc-xz-2024-affected-version"
        assert hits[0].severity is Severity.HIGH
        assert hits[0].source == "CVE-2024-3094"
