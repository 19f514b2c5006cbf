"""Indicators of one known incident: the xz-utils 5.6.0/5.6.1 backdoor (CVE-2024-3094).

This is the ``ioc-*`` rule family. It is deliberately separate from the general
rules (behaviour, provenance, blobs): those must find the *next* attack, written
with other idioms; these only recognise the published traces of *this* one, and
can be switched off (``--no-ioc``) without weakening anything else.

Every indicator is a published fact, and each carries where it was published:

- byte signatures of the backdoored liblzma object (the function prologue from
  Vegard Nossum's ``detect.sh`` attached to Andres Freund's report, and the
  strings/opcodes of the YARA rules published by Elastic, Florian Roth and
  Costin Raiu), searched only in ELF files;
- the marker lines ``####Hello####`` / ``####World####`` that the malicious
  ``build-to-host.m4`` searched for (``grep -aErls "#{4}[[:alnum:]]{5}#{4}$"``)
  to find the payload among the test files;
- the strings of the injected build code (the m4 macro, the Makefile lines and
  the decoded stage scripts) quoted in the report and in the YARA rules;
- sha256 of the released 5.6.0/5.6.1 tarballs, of their ``m4/build-to-host.m4``,
  of the two test files as committed (``tests/files/bad-3-corrupt_lzma2.xz``,
  ``tests/files/good-large_compressed.lzma``) and of backdoored liblzma samples
  listed in the YARA rules.

No payload is stored here: only signatures of a few dozen bytes and hashes.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass

from chainsight.model import Severity

__all__ = [
    "FAMILY",
    "INDICATORS",
    "Indicator",
    "IndicatorHit",
    "scan_artifact_name",
    "scan_indicators",
]

FAMILY = "ioc"
"""Prefix of every rule id of this family."""

# ---------------------------------------------------------------- sources

OPENWALL = "https://www.openwall.com/lists/oss-security/2024/03/29/4"
"""Andres Freund, "backdoor in upstream xz/liblzma leading to ssh server compromise"."""
GIST = "https://gist.github.com/thesamesam/223949d5a074ebc3dce9ee78baad9e27"
"""Sam James, "FAQ on the xz-utils backdoor" (diff of the malicious build-to-host.m4)."""
XZ_SCRIPT = "https://research.swtch.com/xz-script"
"""Russ Cox, "The xz attack shell script"."""
ELASTIC = (
    "https://github.com/elastic/protections-artifacts/blob/main/yara/rules/"
    "Linux_Trojan_XZBackdoor.yar"
)
NEO23X0 = (
    "https://github.com/Neo23x0/signature-base/blob/master/yara/bkdr_xz_util_cve_2024_3094.yar"
)
CRAIU = (
    "https://github.com/craiu/yararules/blob/68bc7e129467d2c027f06918f28c3196e5c684a1/"
    "files/unk_liblzma_backdoor.yara"
)
SECURELIST = "https://securelist.com/xz-backdoor-story-part-1/112354/"
XZ_ARCHIVE = "https://github.com/thesamesam/xz-archive"
"""Archive of the release files as published on GitHub and tukaani.org."""
COMMIT_ADD = "https://github.com/tukaani-project/xz/commit/cf44e4b7f5dfdbf8c78aef377c10f71e274f63c0"
COMMIT_UPDATE = (
    "https://github.com/tukaani-project/xz/commit/6e636819e8f070330d835fce46289a3ff72a7b89"
)
COMMIT_REMOVE = (
    "https://github.com/tukaani-project/xz/commit/e93e13c8b3bec925c56e0c0b675d8000a0f7f754"
)
CVE = "CVE-2024-3094"

# ------------------------------------------------------------------ types


@dataclass(frozen=True)
class IndicatorHit:
    """One indicator of a known incident found in one file or artifact."""

    rule_id: str
    """Stable id, ``ioc-xz-2024-...``; documented in docs/rules.md."""
    severity: Severity
    """Critical for the backdoor itself; lower for quotations in documentation."""
    path: str
    evidence: str
    """What matched and where (offset or line)."""
    source: str
    """Where the indicator was published (URL or advisory id)."""


@dataclass(frozen=True)
class Indicator:
    """A published trace of the incident: bytes to find, or a file's sha256."""

    rule_id: str
    title: str
    severity: Severity
    source: str
    needles: tuple[bytes, ...] = ()
    """Literal byte strings; the indicator matches when all of them are present."""
    patterns: tuple[re.Pattern[bytes], ...] = ()
    """For signatures with wildcard bytes; the indicator matches when all are found."""
    scope: str = "any"
    """``elf`` (searched in ELF files only), ``any`` (every file)."""
    sha256: str | None = None
    name: str | None = None
    """For hash indicators: the file the hash was published for."""


# --------------------------------------------------------- byte signatures

_ELF_SIGNATURES: tuple[Indicator, ...] = (
    Indicator(
        rule_id="ioc-xz-2024-liblzma-signature",
        title="function prologue of the backdoor in liblzma (detect.sh)",
        severity=Severity.CRITICAL,
        source=OPENWALL,
        needles=(
            bytes.fromhex("f30f1efa554889f54c89ce5389fb81e7000000804883ec28488954241848894c2410"),
        ),
        scope="elf",
    ),
    Indicator(
        rule_id="ioc-xz-2024-liblzma-string",
        title="string embedded in the backdoored liblzma object",
        severity=Severity.CRITICAL,
        source=ELASTIC,
        needles=(b"yolAbejyiejuvnup=Evjtgvsh5okmkAvj",),
        scope="elf",
    ),
    Indicator(
        rule_id="ioc-xz-2024-liblzma-bytes",
        title="byte sequence of the backdoored liblzma object (Elastic, 2024-04-03)",
        severity=Severity.CRITICAL,
        source=ELASTIC,
        needles=(
            bytes.fromhex(
                "0a31fd3b2f1fc69292683252c8c1ac2834d1f2c975c4765eb1f6885888933e48"
                "100cb06c3abe14ee8955d24500c77f6e20d32c602b2c6d3100"
            ),
        ),
        scope="elf",
    ),
    Indicator(
        rule_id="ioc-xz-2024-liblzma-bytes",
        title="code sequence of the backdoored liblzma object (Costin Raiu)",
        severity=Severity.CRITICAL,
        source=CRAIU,
        needles=(bytes.fromhex("48bf30303030303030308bf14989d189432848893c24bf3ffcff03"),),
        scope="elf",
    ),
    Indicator(
        rule_id="ioc-xz-2024-liblzma-opcodes",
        title="three code sequences of the backdoored liblzma object, all present",
        severity=Severity.CRITICAL,
        source=NEO23X0,
        patterns=(
            re.compile(
                rb"\x48\x8d\x7c\x24\x08\xf3\xab\x48\x8d\x44\x24\x08\x48\x89\xd1\x4c\x89\xc7"
                rb"\x48\x89\xc2\xe8.{4}\x89\xc2",
                re.DOTALL,
            ),
            re.compile(
                rb"\x31\xc0\x49\x89\xff\xb9\x16\x00\x00\x00\x4d\x89\xc5\x48\x8d\x7c\x24\x48"
                rb"\x4d\x89\xce\xf3\xab\x48\x8d\x44\x24\x48"
            ),
            re.compile(
                rb"\x4d\x8b\x6c\x24\x08\x45\x8b\x3c\x24\x4c\x8b\x63\x10\x89\x85\x78\xf1\xff"
                rb"\xff\x31\xc0\x83\xbd\x78\xf1\xff\xff\x00\xf3\xab\x79\x07"
            ),
        ),
        scope="elf",
    ),
)

MARKERS = (b"####Hello####", b"####World####")
"""Marker lines the malicious build-to-host.m4 grepped for to find the payload files."""

_MARKER_RULE = "ioc-xz-2024-payload-marker"

# Strings of the injected build code. The severity is lowered when they are only
# quoted (documentation, detection rules): see _is_quotation().
_CODE_STRINGS: tuple[Indicator, ...] = (
    Indicator(
        rule_id="ioc-xz-2024-m4-loader",
        title="marker search of the malicious build-to-host.m4",
        severity=Severity.CRITICAL,
        source=GIST,
        needles=(b'grep -aErls "#{4}[[:alnum:]]{5}#{4}$"',),
    ),
    Indicator(
        rule_id="ioc-xz-2024-m4-loader",
        title="tr substitution of the malicious build-to-host.m4",
        severity=Severity.CRITICAL,
        source=GIST,
        needles=(b'gl_path_map=\'tr "\\t \\-_" " \\t_\\-"\'',),
    ),
    Indicator(
        rule_id="ioc-xz-2024-m4-loader",
        title="config.status hook of the malicious build-to-host.m4",
        severity=Severity.CRITICAL,
        source=GIST,
        needles=(b"AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null]",),
    ),
    Indicator(
        rule_id="ioc-xz-2024-m4-serial",
        title="build-to-host.m4 declaring serial 30 (the genuine gnulib file then was serial 3)",
        severity=Severity.HIGH,
        source=GIST,
        needles=(b"# build-to-host.m4 serial 30\n",),
    ),
    Indicator(
        rule_id="ioc-xz-2024-makefile-injection",
        title="line injected into src/liblzma/Makefile by the stage-2 script",
        severity=Severity.CRITICAL,
        source=OPENWALL,
        needles=(b"am__test = bad-3-corrupt_lzma2.xz",),
    ),
    Indicator(
        rule_id="ioc-xz-2024-makefile-injection",
        title="line injected into src/liblzma/Makefile by the stage-2 script",
        severity=Severity.CRITICAL,
        source=OPENWALL,
        needles=(b"sed rpath $(am__test_dir) | $(am__dist_setup) >/dev/null 2>&1",),
    ),
    Indicator(
        rule_id="ioc-xz-2024-stage-script",
        title="decoding pipeline of the stage scripts",
        severity=Severity.CRITICAL,
        source=NEO23X0,
        needles=(b"/bad-3-corrupt_lzma2.xz | tr ",),
    ),
    Indicator(
        rule_id="ioc-xz-2024-stage-script",
        title="decoding pipeline of the stage-1 script",
        severity=Severity.CRITICAL,
        source=NEO23X0,
        needles=(b"/tests/files/good-large_compressed.lzma|eval $i|tail -c +31265|",),
    ),
    Indicator(
        rule_id="ioc-xz-2024-stage-script",
        title="variable evaluated by the stage-2 script",
        severity=Severity.CRITICAL,
        source=NEO23X0,
        needles=(b"eval $zrKcKQ",),
    ),
)

# ----------------------------------------------------------------- hashes


def _h(sha256: str, name: str, rule_id: str, source: str) -> Indicator:
    return Indicator(
        rule_id=rule_id,
        title=f"sha256 of {name}",
        severity=Severity.CRITICAL,
        source=source,
        sha256=sha256,
        name=name,
    )


_TARBALL = "ioc-xz-2024-tarball-hash"
_FILE = "ioc-xz-2024-file-hash"
_LIB = "ioc-xz-2024-liblzma-hash"

_HASHES: tuple[Indicator, ...] = (
    # Release files (hashes also in public package recipes, e.g. Homebrew's xz.rb).
    _h("0f5c81f14171b74fcc9777d302304d964e63ffc2d7b634ef023a7249d9b5d875",
       "xz-5.6.0.tar.gz", _TARBALL, SECURELIST),
    _h("2398f4a8e53345325f44bdd9f0cc7401bd9025d736c6d43b372f4dea77bf75b8",
       "xz-5.6.1.tar.gz", _TARBALL, SECURELIST),
    _h("cdafe1632f139c82937cc1ed824f7a60b7b0a0619dfbbd681dcac02b1ac28f5b",
       "xz-5.6.0.tar.xz", _TARBALL, XZ_ARCHIVE),
    _h("f334777310ca3ae9ba07206d78ed286a655aa3f44eec27854f740c26b2cd2ed0",
       "xz-5.6.1.tar.xz", _TARBALL, XZ_ARCHIVE),
    _h("88c8631cefba91664fdc47b14bb753e1876f4964a07db650821d203992b1e1ea",
       "xz-5.6.0.tar.bz2", _TARBALL, XZ_ARCHIVE),
    _h("d300422649a0124b1121630be559c890ceedf32667d7064b8128933166c217c8",
       "xz-5.6.1.tar.bz2", _TARBALL, XZ_ARCHIVE),
    # The loader, identical in the 5.6.0 and 5.6.1 tarballs.
    _h("054003928e240de8b9f3232e1bb885a5b6cc09488742159a0e3d6080e16499f4",
       "m4/build-to-host.m4 of xz 5.6.0 and 5.6.1", _FILE, GIST),
    # The payload carriers as committed (and shipped in the tarballs).
    _h("13bdc7473154593a0cf6456561cd543f1f341a7621f5863054c88ba49534e569",
       "tests/files/bad-3-corrupt_lzma2.xz of xz 5.6.0", _FILE, COMMIT_ADD),
    _h("616e38159153b8aa2a98193ae5325597b8732443421c81d0a57bd878b2c6d2a8",
       "tests/files/good-large_compressed.lzma of xz 5.6.0", _FILE, COMMIT_ADD),
    _h("ecda10d8877d555dbda4a4eba329e146b2be8ac4b7915fb723eaacc9f89d16bd",
       "tests/files/bad-3-corrupt_lzma2.xz of xz 5.6.1", _FILE, COMMIT_UPDATE),
    _h("9aef898229de60f94cdea42f19268e6e3047f7136f2ff97510390a2deeda7032",
       "tests/files/good-large_compressed.lzma of xz 5.6.1", _FILE, COMMIT_UPDATE),
    # Backdoored liblzma objects, as listed in the published YARA rules.
    _h("319feb5a9cddd81955d915b5632b4a5f8f9080281fb46e2f6d69d53f693c23ae",
       "a backdoored liblzma sample", _LIB, NEO23X0),
    _h("605861f833fc181c7cdcabd5577ddb8989bea332648a8f498b4eef89b8f85ad4",
       "a backdoored liblzma sample", _LIB, NEO23X0),
    _h("8fa641c454c3e0f76de73b7cc3446096b9c8b9d33d406d38b8ac76090b0344fd",
       "a backdoored liblzma sample", _LIB, NEO23X0),
    _h("b418bfd34aa246b2e7b5cb5d263a640e5d080810f767370c4d2c24662a274963",
       "a backdoored liblzma sample", _LIB, NEO23X0),
    _h("cbeef92e67bf41ca9c015557d81f39adaba67ca9fb3574139754999030b83537",
       "a backdoored liblzma sample", _LIB, NEO23X0),
    _h("5448850cdc3a7ae41ff53b433c2adbd0ff492515012412ee63a40d2685db3049",
       "a backdoored liblzma sample", _LIB, ELASTIC),
)  # fmt: skip

_BY_HASH = {ind.sha256: ind for ind in _HASHES if ind.sha256}

# Sizes of the files whose hashes are known: a cheap gate before hashing.
_KNOWN_SIZES = frozenset(
    {3036813, 3045434, 1773076, 1779292, 2286070, 2292062, 4399, 484, 512, 35430, 35421}
)
_KNOWN_NAMES = frozenset(
    {"build-to-host.m4", "bad-3-corrupt_lzma2.xz", "good-large_compressed.lzma"}
)

INDICATORS: tuple[Indicator, ...] = (*_ELF_SIGNATURES, *_CODE_STRINGS, *_HASHES)
"""Every indicator of the family, for documentation and tests."""

_VERSION_SOURCE = CVE

# A release, source package, binary package or library of xz 5.6.0/5.6.1. Debian's
# "5.6.1+really5.4.5" (the rollback) is excluded.
_BAD_VERSION = re.compile(
    r"(?:^|/)(?:"
    r"(?:xz|xz-utils|xz-libs|liblzma5?|liblzma-dev|xz-devel)[-_]5\.6\.[01](?![0-9])(?!\+really)"
    r"|liblzma\.so\.5\.6\.[01](?![0-9])"
    r")[^/]*$"
)

_QUOTE_EXT = frozenset(
    {".md", ".markdown", ".rst", ".txt", ".html", ".htm", ".adoc", ".org", ".texi", ".tex",
     ".yar", ".yara", ".rules", ".ipynb"}
)  # fmt: skip
_NOT_QUOTE = frozenset({"cmakelists.txt", "meson_options.txt", "meson.options"})
_QUOTE_DIRS = ("doc/", "docs/", "documentation/", "rules/", "signatures/")

# ------------------------------------------------------------------- scans


def _is_quotation(path: str) -> bool:
    """Documentation and detection rules quote indicators without being the attack."""
    lower = path.lower()
    if posixpath.basename(lower) in _NOT_QUOTE:
        return False
    _, ext = posixpath.splitext(lower)
    return ext in _QUOTE_EXT or any(lower.startswith(d) or f"/{d}" in lower for d in _QUOTE_DIRS)


def _location(data: bytes, offset: int, binary: bool, needle: bytes) -> str:
    if binary:
        return f"offset {offset}: {needle.decode('latin-1')!r}"
    line_no = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    line = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace").strip()
    if len(line) > 160:
        line = line[:157] + "..."
    return f"line {line_no}: {line}"


def _hash_hits(path: str, data: bytes, is_elf: bool) -> list[IndicatorHit]:
    if not (is_elf or len(data) in _KNOWN_SIZES or posixpath.basename(path) in _KNOWN_NAMES):
        return []
    digest = hashlib.sha256(data).hexdigest()
    ind = _BY_HASH.get(digest)
    if ind is None:
        return []
    return [
        IndicatorHit(
            rule_id=ind.rule_id,
            severity=ind.severity,
            path=path,
            evidence=f"sha256 {digest} is the published hash of {ind.name}",
            source=ind.source,
        )
    ]


def _signature_hits(path: str, data: bytes) -> list[IndicatorHit]:
    hits: list[IndicatorHit] = []
    for ind in _ELF_SIGNATURES:
        if ind.patterns:
            found = [p.search(data) for p in ind.patterns]
            if all(found):
                first = min(m.start() for m in found if m is not None)
                hits.append(
                    IndicatorHit(
                        ind.rule_id,
                        ind.severity,
                        path,
                        f"{ind.title}, from offset {first}",
                        ind.source,
                    )
                )
            continue
        offsets = [data.find(n) for n in ind.needles]
        if offsets and min(offsets) >= 0:
            hits.append(
                IndicatorHit(
                    ind.rule_id,
                    ind.severity,
                    path,
                    f"{ind.title} at offset {offsets[0]}",
                    ind.source,
                )
            )
    return hits


def _marker_hits(path: str, data: bytes, binary: bool) -> list[IndicatorHit]:
    found = [(data.find(m), m) for m in MARKERS]
    found = [(o, m) for o, m in found if o >= 0]
    if not found:
        return []
    where = "; ".join(_location(data, o, binary, m) for o, m in found)
    if binary:
        severity = Severity.CRITICAL
        what = "payload marker(s) of the xz backdoor inside a binary file"
    else:
        severity = Severity.MEDIUM
        what = "payload marker(s) of the xz backdoor in a text file"
    return [IndicatorHit(_MARKER_RULE, severity, path, f"{what} ({where})", OPENWALL)]


def _code_hits(path: str, data: bytes, binary: bool) -> list[IndicatorHit]:
    """One hit per rule id, with the first match as evidence and a count of the others."""
    matched: dict[str, list[tuple[Indicator, int]]] = {}
    for ind in _CODE_STRINGS:
        offsets = [data.find(n) for n in ind.needles]
        if offsets and min(offsets) >= 0:
            matched.setdefault(ind.rule_id, []).append((ind, offsets[0]))
    quoted = _is_quotation(path)
    hits: list[IndicatorHit] = []
    for rule_id, found in matched.items():
        ind, offset = min(found, key=lambda f: f[1])
        severity = Severity.MEDIUM if quoted else ind.severity
        note = " (quoted in documentation or a detection rule)" if quoted else ""
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        where = _location(data, offset, binary, ind.needles[0])
        hits.append(
            IndicatorHit(rule_id, severity, path, f"{ind.title}{note}; {where}{more}", ind.source)
        )
    return hits


def scan_indicators(path: str, data: bytes) -> list[IndicatorHit]:
    """Indicators of the xz 5.6.0/5.6.1 backdoor in one file's content."""
    if not data:
        return []
    is_elf = data.startswith(b"\x7fELF")
    binary = is_elf or b"\x00" in data[:8192]
    hits = _hash_hits(path, data, is_elf)
    if is_elf:
        hits += _signature_hits(path, data)
    hits += _marker_hits(path, data, binary)
    hits += _code_hits(path, data, binary)
    return hits


def scan_artifact_name(name: str, sha256: str) -> list[IndicatorHit]:
    """Indicators for a whole artifact: a known backdoored file, or an affected version."""
    ind = _BY_HASH.get(sha256.strip().lower())
    if ind is not None:
        return [
            IndicatorHit(
                rule_id=ind.rule_id,
                severity=ind.severity,
                path=name,
                evidence=f"sha256 {sha256.lower()} is the published hash of {ind.name}",
                source=ind.source,
            )
        ]
    if _BAD_VERSION.search(name.replace("\\", "/")):
        return [
            IndicatorHit(
                rule_id="ioc-xz-2024-affected-version",
                severity=Severity.HIGH,
                path=name,
                evidence=(
                    f"{posixpath.basename(name)} is xz/liblzma 5.6.0 or 5.6.1, the releases "
                    "that carried the backdoor; its sha256 is not one of the published "
                    "release files (repacked or rebuilt): check its m4/build-to-host.m4 and "
                    "test files"
                ),
                source=_VERSION_SOURCE,
            )
        ]
    return []
