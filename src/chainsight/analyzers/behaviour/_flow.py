"""What a piece of build code does to data, and how single observations become signals.

Every language front end (shell, CMake, Meson, Python, JavaScript, Rust) reduces
the code it reads to :class:`Flow` values — the set of things that happened to
the data on its way through a pipeline, a variable or a file — and to raw
:class:`Hit` observations. :func:`finalize` then applies the severity policy of
issue 3 over the whole file: one weak observation stays low or medium; a decoder
that feeds an interpreter is high, critical when the data came from a binary or
test fixture; several independent obfuscation signals in one file are high.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chainsight.model import Severity

# ---------------------------------------------------------------- flow tags

DECODE = "decode"
"""Data went through a decoder, decompressor or decryptor."""
CIPHER = "cipher"
"""Data went through a substitution cipher (``tr`` with two sets, RC4, XOR...)."""
DATA = "data"
"""Data came from a binary file, a test fixture or a marker search."""
SLICE = "slice"
"""Bytes were cut at offsets (``head -c``, ``tail -c``, ``dd skip=``...)."""
NET = "net"
"""Data came from the network."""
EXTCMD = "extcmd"
"""A string was derived from a file-name extension (a command name in waiting)."""
COMPUTED = "computed"
"""A command whose text is not known statically."""
TESTTEXT = "testtext"
"""Content read from a text file in a test directory (expected output, notes...)."""
FIXPATH = "fixpath"
"""A value names a binary/test-fixture path (its content is not read yet)."""
TEXTPATH = "textpath"
"""A value names a text file of a test directory (``tests/files/x.txt``); a reader of
it yields ``TESTTEXT``."""
BLOB = "blob"
"""A long encoded literal (base64/hex) embedded in the code."""

OBFUSCATION_TAGS = frozenset({DECODE, CIPHER})


@dataclass
class Flow:
    """Tags and read locations accumulated along a data path (mutable while building)."""

    tags: set[str] = field(default_factory=set)
    reads: dict[str, None] = field(default_factory=dict)
    """Ordered set of paths, globs or marker strings the data was read from."""

    def add(self, tag: str, *reads: str) -> Flow:
        self.tags.add(tag)
        for r in reads:
            if r:
                self.reads[r] = None
        return self

    def merge(self, other: Flow | None) -> Flow:
        if other is not None:
            self.tags |= other.tags
            self.reads.update(other.reads)
        return self

    def copy(self) -> Flow:
        return Flow(set(self.tags), dict(self.reads))

    def __bool__(self) -> bool:
        return bool(self.tags)


# ---------------------------------------------------------------- rule ids

R_DECODE_EXEC = "build-decode-to-interpreter"
R_EVAL_COMPUTED = "build-eval-of-computed"
R_READS_FIXTURE = "build-reads-binary-fixture"
R_MARKER = "build-marker-search"
R_CIPHER = "build-substitution-cipher"
R_SLICE = "build-byte-slicing"
R_DECODER_DATA = "build-decoder-on-data"
R_SILENCED = "build-silenced-pipeline"
R_ENV_GATE = "build-env-gating"
R_SELF_PATCH = "build-self-patching"
R_NETWORK = "build-network"
R_EXT_CMD = "build-ext-derived-command"
R_STREAM_CIPHER = "build-stream-cipher"

RULES: dict[str, tuple[Severity, str]] = {
    R_DECODE_EXEC: (
        Severity.HIGH,
        "decoded, decompressed or deciphered data is run by an interpreter "
        "(critical when the data also comes from a binary/test fixture or is byte-sliced)",
    ),
    R_EVAL_COMPUTED: (
        Severity.MEDIUM,
        "content of a binary/test fixture is executed (high), or the output of a command "
        "whose text is computed at run time is piped into a shell (medium)",
    ),
    R_READS_FIXTURE: (Severity.MEDIUM, "build code reads a binary file or a test fixture"),
    R_MARKER: (Severity.MEDIUM, "build code searches files for a marker as binary text"),
    R_CIPHER: (Severity.MEDIUM, "a substitution cipher (tr/sed y with permuted sets)"),
    R_SLICE: (Severity.MEDIUM, "bytes are cut out of data at offsets"),
    R_DECODER_DATA: (Severity.MEDIUM, "a decoder or decompressor is applied to a data file"),
    R_SILENCED: (Severity.LOW, "errors of a decoding or executing pipeline are silenced"),
    R_ENV_GATE: (Severity.LOW, "behaviour is gated on the distribution build environment"),
    R_SELF_PATCH: (Severity.MEDIUM, "Makefiles, libtool or sources are edited in place"),
    R_NETWORK: (
        Severity.MEDIUM,
        "network access at build time (high when the download is executed, "
        "low for declared dependency downloads)",
    ),
    R_EXT_CMD: (Severity.MEDIUM, "a command name is derived from a file extension and run"),
    R_STREAM_CIPHER: (Severity.HIGH, "an RC4-like byte-permutation cipher in build code"),
}

# observations that, several together, make a file look like a loader
_OBFUSCATION_RULES = frozenset(
    {
        R_READS_FIXTURE,
        R_MARKER,
        R_CIPHER,
        R_SLICE,
        R_DECODER_DATA,
        R_EXT_CMD,
        R_SELF_PATCH,
        R_STREAM_CIPHER,
        R_EVAL_COMPUTED,
        R_NETWORK,
    }
)
_DATA_RULES = frozenset({R_READS_FIXTURE, R_MARKER, R_SLICE})
_STRONG_RULES = frozenset({R_DECODE_EXEC, R_STREAM_CIPHER, R_EVAL_COMPUTED, R_NETWORK})


@dataclass
class Hit:
    """One raw observation, before the file-level severity policy."""

    rule_id: str
    severity: Severity
    line: int
    why: str
    reads: tuple[str, ...] = ()
    weak: bool = False
    """Weak environment gating: kept only near another medium+ signal, never raises."""


def _raise(sev: Severity, cap: Severity = Severity.HIGH) -> Severity:
    order = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]
    up = order[min(order.index(sev) + 1, len(order) - 1)]
    return up if up.rank <= cap.rank else (sev if sev.rank >= cap.rank else cap)


def finalize(hits: list[Hit]) -> list[Hit]:
    """Apply the file-level severity policy; merge duplicates (same rule, same line)."""
    merged: dict[tuple[str, int], Hit] = {}
    for h in hits:
        key = (h.rule_id, h.line)
        old = merged.get(key)
        if old is None:
            merged[key] = Hit(h.rule_id, h.severity, h.line, h.why, h.reads, h.weak)
            continue
        if h.severity.rank > old.severity.rank:
            old.severity, old.why = h.severity, h.why
        old.reads = tuple(dict.fromkeys(old.reads + h.reads))
        old.weak = old.weak and h.weak
    out = sorted(merged.values(), key=lambda h: (h.line, h.rule_id))

    notes: dict[int, str] = {}
    strong = [h for h in out if h.rule_id in _STRONG_RULES and h.severity.rank >= 3]
    data_hits = [h for h in out if h.rule_id in _DATA_RULES and h.severity.rank >= 2]
    all_reads = tuple(dict.fromkeys(r for h in data_hits for r in h.reads))
    # (b) a decoder feeding an interpreter in a file that reads fixtures or slices bytes
    if data_hits:
        for h in strong:
            if h.rule_id == R_DECODE_EXEC and h.severity is Severity.HIGH:
                h.severity = Severity.CRITICAL
                h.reads = tuple(dict.fromkeys(h.reads + all_reads))
                notes[id(h)] = "the same file reads binary/test data or slices bytes"
    # (c) obfuscation signals next to a strong one, or several of them together
    obf = [h for h in out if h.rule_id in _OBFUSCATION_RULES and h.severity is Severity.MEDIUM]
    distinct = {h.rule_id for h in obf}
    if strong or len(distinct) >= 2:
        reason = (
            "the same file runs decoded data"
            if strong
            else "several independent obfuscation signals in the same file"
        )
        for h in obf:
            h.severity = Severity.HIGH
            notes[id(h)] = reason
    # (d) silenced errors on the same line raise one step (never to critical)
    silenced_lines = {h.line for h in out if h.rule_id == R_SILENCED}
    for h in out:
        if (
            h.line in silenced_lines
            and h.rule_id not in (R_SILENCED, R_ENV_GATE)
            and Severity.LOW.rank <= h.severity.rank < Severity.HIGH.rank
        ):
            h.severity = _raise(h.severity)
            notes.setdefault(id(h), "its errors are silenced")
    # (e) distribution build-environment triggers raise the other signals one step
    if any(h.rule_id == R_ENV_GATE and not h.weak for h in out):
        for h in out:
            if h.rule_id in _OBFUSCATION_RULES and Severity.MEDIUM.rank <= h.severity.rank < 3:
                h.severity = _raise(h.severity)
                notes.setdefault(id(h), "the file also gates on the distribution build")
    # (f) weak gating is only worth showing next to something that matters
    serious = [h.line for h in out if h.severity.rank >= 2 and h.rule_id != R_ENV_GATE]
    kept = []
    for h in out:
        if h.weak and not any(abs(h.line - ln) <= 25 for ln in serious):
            continue
        kept.append(h)
    for h in kept:
        note = notes.get(id(h))
        if note:
            h.why = h.why.rstrip(".") + f" (raised: {note})."
    return kept


# ---------------------------------------------------------------- paths

_OPAQUE_EXT = re.compile(
    r"\.(?:xz|lzma|lz|lz4|zst|zstd|gz|bz2|z|7z|rar|bin|dat|data|raw|blob|enc|img|iso|pak"
    r"|pkl|pickle|dmp|dump|der|p12|pfx|db|sqlite)(?=$|[\"'\s})\],;:*?])",
    re.IGNORECASE,
)
_MEDIA_EXT = re.compile(
    r"\.(?:png|jpe?g|gif|bmp|ico|tiff?|webp|wav|mp3|ogg|flac|mp4|avi|pdf|woff2?|ttf|otf)"
    r"(?=$|[\"'\s})\],;:*?])",
    re.IGNORECASE,
)
_DATA_SUBDIR = re.compile(
    r"(?:^|/)(?:files|data|testdata|test-data|test_data|fixtures?|samples?|corpus|inputs?"
    r"|golden|blobs?|payloads?|vectors)/",
    re.IGNORECASE,
)
_ARCHIVE = re.compile(
    r"\.(?:tar(?:\.\w+)?|tgz|tbz2?|txz|tlz|taz|zip|jar|whl|shar(?:\.\w+)?|cpio(?:\.\w+)?"
    r"|deb|rpm|gem|crate|egg)(?=$|[\"'\s})\],;:*?])",
    re.IGNORECASE,
)
_TEST_DIR = re.compile(
    r"(?:^|[/\s\"'=({])(?:tests?|testdata|test-data|test_data|testsuite|testing|fixtures?"
    r"|t|spec|unittests?|samples?)/",
    re.IGNORECASE,
)
_TEXT_EXT = re.compile(
    r"\.(?:sh|bash|in|am|ac|m4|c|h|cc|cpp|cxx|hpp|py|pl|pm|rb|js|ts|txt|log|trs|exp|tst|test"
    r"|rst|md|ok|out|expected|def|cfg|conf|ini|json|ya?ml|toml|xml|html?|mk|cmake|sed|awk"
    r"|pc|po|pot|list|ref|inc|supp|lua|tcl|rs|go|java|S|s|asm|sym|map|ver)(?=$|[\"'\s})\],;:])",
    re.IGNORECASE,
)


_TEXT_NAME = re.compile(
    r"(?:^|/)(?:GNU)?[Mm]akefile[^/]*$|(?:^|/)(?:README|ChangeLog|NEWS|AUTHORS|COPYING|THANKS"
    r"|TODO|LINGUAS|POTFILES|Makevars|CMakeLists)[^/]*$|/$|(?:^|/)\.\w+$"
)


_CODE_EXT = re.compile(
    r"\.(?:sh|bash|in|am|ac|m4|c|h|cc|cpp|cxx|hpp|py|pl|pm|rb|js|ts|mk|cmake|lua|tcl|rs|go"
    r"|java|S|s|asm)$",
    re.IGNORECASE,
)


def is_test_text(word: str) -> bool:
    """A data-like text file under a test directory (not code, not a build file)."""
    return bool(
        word
        and len(word) < 400
        and _TEST_DIR.search(word)
        and not _CODE_EXT.search(word)
        and not _TEXT_NAME.search(word)
    )


def has_text_name(word: str) -> bool:
    """The word names a source/text file (Makefile, *.c, *.log...), not opaque data."""
    return bool(_TEXT_EXT.search(word) or _TEXT_NAME.search(word))


def is_archive(word: str) -> bool:
    return bool(_ARCHIVE.search(word))


_DATA_DIR = re.compile(_TEST_DIR.pattern + "|" + _DATA_SUBDIR.pattern, re.IGNORECASE)


def is_data_archive(word: str) -> bool:
    """An archive of data rather than of sources: a fixture, or any archive kept in a
    test or data directory (``tests/data/corpus.tar``)."""
    return fixture_kind(word) is not None or bool(is_archive(word) and _DATA_DIR.search(word))


def fixture_kind(word: str, strict: bool = False) -> str | None:
    """'binary' for an opaque data file name, 'media', 'test' for a test fixture, else None.

    ``strict`` (used for names carried in variables, globs and loops) only accepts opaque
    binary names and files under data-like test directories (``tests/files/...``).
    """
    if not word or len(word) > 400:
        return None
    if _ARCHIVE.search(word):
        return None
    if _OPAQUE_EXT.search(word):
        return "binary"
    if _TEXT_EXT.search(word) or _TEXT_NAME.search(word):
        return None
    if _TEST_DIR.search(word) and (not strict or _DATA_SUBDIR.search(word)):
        return "test"
    if not strict and _MEDIA_EXT.search(word):
        return "media"
    return None


def in_test_tree(path: str) -> bool:
    """True for files that live in a test directory (reading fixtures is their job)."""
    return bool(re.search(r"(?:^|/)(?:tests?|testsuite|testing|t)/", path))
