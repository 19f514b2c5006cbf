"""Opaque blobs: what a binary file really is, what it decodes to, and what that hides.

The xz-utils backdoor travelled as two "test files": ``bad-3-corrupt_lzma2.xz``,
a "corrupt" file that nevertheless held valid xz streams, and
``good-large_compressed.lzma``, a valid LZMA file whose content was itself
opaque data. This module answers, for one file and without running anything:

- what the content is by its magic bytes (``kind``) and what the file name
  claims (``declared``);
- how much information it carries (``entropy``, bits per byte);
- what it decompresses to (``decodes_to``) with lzma/xz (auto, ``.lzma``
  alone, lzip, raw LZMA1/LZMA2), gzip/zlib/deflate, bzip2 and zstd — also from
  streams that start after junk in the middle of the file;
- whether that combination hides something (``suspicious`` with ``reasons``).

High entropy alone is never suspicious: every compressed file is high-entropy.
What is suspicious is a contradiction that conceals: a file named as corrupt
that carries complete, valid streams of readable content; a compressed file
that unpacks to a script or to an executable object (outside the branch-filter
test samples decompressor projects ship); an image or data file that is
really an executable or a script; a stream hidden after junk that decodes to
one; a compression layer wrapped around data that is already opaque.

Decoding is bounded (at most :data:`MAX_OUTPUT` bytes of output per file, a
few candidate offsets, a memory limit for the LZMA dictionary) and every
decoder error is caught: most "bad" test files fail to decode, as they should.
Text files are dismissed after looking at their first 8 KiB.
"""

from __future__ import annotations

import bz2
import lzma
import math
import posixpath
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "MAX_OUTPUT",
    "BlobReport",
    "analyse_blob",
    "is_opaque",
]

KiB = 1024
MiB = 1024 * KiB

MAX_OUTPUT = 4 * MiB
"""Decoded bytes produced in all for one file, across every decoding attempt."""
_MAX_ATTEMPT_OUTPUT = 256 * KiB
"""Decoded bytes produced by one attempt (one stream at one offset): enough to tell what
the content is; a longer stream is reported as unfinished rather than complete."""
_MAX_STREAMS = 16
"""Concatenated streams followed from the start of a file."""
_MAX_EMBEDDED = 8
"""Offsets inside a file where an embedded stream is tried."""
_SEARCH_SPAN = 16 * MiB
"""Bytes searched for the magic of embedded streams."""
_MEMLIMIT = 256 * MiB
"""Memory the LZMA decoder may use (bounds the dictionary an input can ask for)."""
_RAW_DICT = 8 * MiB
"""Dictionary assumed for raw LZMA1/LZMA2 attempts (xz's default preset)."""
_RAW_OUTPUT = 64 * KiB
"""Output of a raw LZMA/deflate attempt: raw decoders turn noise into noise."""
_MIN_RAW_TEXT = 64
"""Readable bytes a raw attempt must produce to count as a decoding at all."""
_MIN_HIDDEN = 128
"""Undecodable bytes beside valid streams that make a "corrupt" file a container."""
_ENTROPY_SPAN = 1 * MiB
_ENTROPY_SAMPLES = 64 * KiB
_HEAD = 8 * KiB

# --------------------------------------------------------------------- report


@dataclass(frozen=True)
class BlobReport:
    """What one non-text file is, claims to be, and decodes to."""

    path: str
    size: int
    kind: str
    """What the content is by its magic: ``xz``, ``lzma``, ``lzip``, ``gzip``, ``bzip2``,
    ``zstd``, ``lz4``, ``zip``, ``7z``, ``rar``, ``tar``, ``ar``, ``cpio``, ``elf``,
    ``pe``, ``macho``, ``class``, ``wasm``, ``png``, ``jpeg``, ``gif``, ``tiff``,
    ``riff``, ``ogg``, ``flac``, ``pdf``, ``mo``, ``font``, ``sqlite``, ``script``
    (shebang), ``text`` or ``data``."""
    declared: str | None
    """What the file name claims (``xz`` for .xz/.txz, ``lzma``, ``gz``, ``bz2``, ``zst``,
    ``zip``, ``png``, ``jpg``, ``bin``...), None when the extension says nothing."""
    entropy: float
    """Shannon entropy in bits per byte over (up to) the first MiB."""
    decodes_to: str | None
    """When the file, or a sizable part of it, decompresses: what the decoded bytes are
    (``script``, ``elf``, ``pe``, ``macho``, ``text``, ``archive`` or ``data``)."""
    suspicious: bool
    reasons: tuple[str, ...]
    """One short sentence each, used as evidence lines."""


# ------------------------------------------------------------- kinds by magic

_EXEC_KINDS = frozenset({"elf", "pe", "macho"})
_COMPRESSED_KINDS = frozenset({"xz", "lzma", "lzip", "gzip", "bzip2", "zstd", "lz4"})
_ARCHIVE_KINDS = frozenset({*_COMPRESSED_KINDS, "zip", "7z", "rar", "tar", "ar", "cpio"})
_TEXT_KINDS = frozenset({"text", "script"})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"LZIP", "lzip"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"\x02\x21\x4c\x18", "lz4"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"!<arch>\n", "ar"),
    (b"070701", "cpio"),
    (b"070702", "cpio"),
    (b"070707", "cpio"),
    (b"\xc7\x71", "cpio"),
    (b"\x7fELF", "elf"),
    (b"\xfe\xed\xfa\xce", "macho"),
    (b"\xfe\xed\xfa\xcf", "macho"),
    (b"\xce\xfa\xed\xfe", "macho"),
    (b"\xcf\xfa\xed\xfe", "macho"),
    (b"\x00asm", "wasm"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"RIFF", "riff"),
    (b"OggS", "ogg"),
    (b"fLaC", "flac"),
    (b"%PDF-", "pdf"),
    (b"\xde\x12\x04\x95", "mo"),
    (b"\x95\x04\x12\xde", "mo"),
    (b"wOFF", "font"),
    (b"wOF2", "font"),
    (b"OTTO", "font"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x1a\x45\xdf\xa3", "matroska"),
)
_MAGIC_PREFIXES = tuple(m for m, _ in _MAGIC)

# Bytes that occur in text: whitespace controls, printable ASCII and every high byte
# (UTF-8 or a legacy 8-bit encoding). What is left after deleting them is "control".
_TEXT_BYTES = bytes([8, 9, 10, 12, 13, 27, *range(32, 127), *range(128, 256)])
_HIGH_BYTES = bytes(range(128, 256))


def _magic_kind(data: bytes) -> str | None:
    if data.startswith(_MAGIC_PREFIXES):
        for magic, kind in _MAGIC:
            if data.startswith(magic):
                if kind == "gzip" and (len(data) < 3 or data[2] != 8):
                    return None
                return kind
    if data.startswith(b"BZh") and len(data) > 9 and data[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    if data.startswith(b"\xca\xfe\xba\xbe") and len(data) >= 8:
        # Java class files and fat Mach-O share the magic; a fat binary lists few archs.
        return "macho" if int.from_bytes(data[4:8], "big") < 32 else "class"
    if data.startswith(b"MZ") and len(data) >= 64:
        pe = int.from_bytes(data[60:64], "little")
        if 64 <= pe <= len(data) - 4 and data[pe : pe + 4] == b"PE\x00\x00":
            return "pe"
        return "pe" if b"This program cannot be run in DOS mode" in data[:512] else None
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    if _looks_like_lzma_alone(data):
        return "lzma"
    return None


def _looks_like_lzma_alone(data: bytes) -> bool:
    """An ``.lzma`` (LZMA_Alone) header: properties byte, dictionary size, size or -1."""
    if len(data) < 14 or data[0] >= 225:
        return False
    dict_size = int.from_bytes(data[1:5], "little")
    if dict_size < 4096 or dict_size > 1536 * MiB:
        return False
    high = 1 << (dict_size.bit_length() - 1)
    if dict_size not in (high, high | (high >> 1)):
        return False
    size = int.from_bytes(data[5:13], "little")
    return size == 0xFFFF_FFFF_FFFF_FFFF or size < (1 << 40)


def _text_kind(head: bytes) -> str | None:
    """``text`` or ``script`` when the head reads as text, else None."""
    if not head or b"\x00" in head:
        return None
    control = len(head.translate(None, _TEXT_BYTES))
    if control > len(head) // 100 + 1:
        return None
    high = 0 if head.isascii() else len(head) - len(head.translate(None, _HIGH_BYTES))
    if high and high * 10 > len(head) * 3:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                return None
    return "script" if head.startswith(b"#!") else "text"


def _utf16_text(head: bytes) -> bool:
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) or len(head) < 4:
        return False
    try:
        text = head[: len(head) & ~1].decode("utf-16")
    except UnicodeDecodeError:
        return False
    return sum(ch.isprintable() or ch in "\t\r\n" for ch in text) >= 0.95 * len(text)


def _sniff(data: bytes) -> str:
    head = data[:_HEAD]
    kind = _magic_kind(head)
    if kind is not None:
        return kind
    if _utf16_text(head):
        return "text"
    return _text_kind(head) or "data"


# --------------------------------------------------------- declared by name

_EXT_DECLARED: dict[str, str] = {
    "xz": "xz",
    "txz": "xz",
    "lzma": "lzma",
    "tlz": "lzma",
    "lz": "lzip",
    "gz": "gz",
    "tgz": "gz",
    "z": "gz",
    "bz2": "bz2",
    "tbz": "bz2",
    "tbz2": "bz2",
    "zst": "zst",
    "zstd": "zst",
    "tzst": "zst",
    "lz4": "lz4",
    "zip": "zip",
    "jar": "zip",
    "whl": "zip",
    "egg": "zip",
    "apk": "zip",
    "7z": "7z",
    "rar": "rar",
    "tar": "tar",
    "png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
    "gif": "gif",
    "bmp": "bmp",
    "ico": "ico",
    "tif": "tiff",
    "tiff": "tiff",
    "webp": "webp",
    "wav": "wav",
    "ogg": "ogg",
    "oga": "ogg",
    "opus": "ogg",
    "flac": "flac",
    "mp3": "mp3",
    "pdf": "pdf",
    "ttf": "font",
    "otf": "font",
    "woff": "font",
    "woff2": "font",
    "mo": "mo",
    "gmo": "mo",
    "bin": "bin",
    "raw": "bin",
    "o": "elf",
    "so": "elf",
    "a": "ar",
    "exe": "pe",
    "dll": "pe",
    "dylib": "macho",
    "txt": "text",
    "md": "text",
    "rst": "text",
    "c": "text",
    "h": "text",
    "cc": "text",
    "cpp": "text",
    "py": "text",
    "sh": "text",
    "m4": "text",
    "am": "text",
    "ac": "text",
    "in": "text",
    "json": "text",
    "xml": "text",
    "html": "text",
    "yml": "text",
    "yaml": "text",
    "po": "text",
    "pot": "text",
    "cmake": "text",
}

_DECLARED_KIND = {
    "xz": "xz",
    "lzma": "lzma",
    "lzip": "lzip",
    "gz": "gzip",
    "bz2": "bzip2",
    "zst": "zstd",
    "lz4": "lz4",
    "zip": "zip",
    "7z": "7z",
    "rar": "rar",
    "tar": "tar",
    "png": "png",
    "jpg": "jpeg",
    "gif": "gif",
    "tiff": "tiff",
    "webp": "riff",
    "wav": "riff",
    "ogg": "ogg",
    "flac": "flac",
    "pdf": "pdf",
    "mo": "mo",
    "elf": "elf",
    "pe": "pe",
    "macho": "macho",
    "ar": "ar",
}
_DECLARED_COMPRESSED = frozenset(
    {"xz", "lzma", "lzip", "gz", "bz2", "zst", "lz4", "zip", "7z", "rar", "tar"}
)
_DECLARED_MEDIA = frozenset(
    {
        "png",
        "jpg",
        "gif",
        "bmp",
        "ico",
        "tiff",
        "webp",
        "wav",
        "ogg",
        "flac",
        "mp3",
        "pdf",
        "font",
        "mo",
    }
)
_DECLARED_DATA = frozenset({"bin"})
_DECLARED_TEXT = frozenset({"text"})
_DECLARED_BINARY = _DECLARED_COMPRESSED | _DECLARED_MEDIA | _DECLARED_DATA
"""Claims under which text content is itself worth a report."""

_BAD_WORDS = frozenset(
    {"bad", "corrupt", "corrupted", "broken", "invalid", "damaged", "malformed", "truncated"}
)


def _declared(path: str) -> str | None:
    name = posixpath.basename(path).lower()
    if "." not in name.lstrip("."):
        return None
    return _EXT_DECLARED.get(name.rsplit(".", 1)[1])


def _named_bad(path: str) -> bool:
    words = re.split(r"[^a-z]+", posixpath.basename(path).lower())
    return not _BAD_WORDS.isdisjoint(words)


# ------------------------------------------------------------------ entropy


def _entropy(data: bytes) -> float:
    """Bits per byte over the first MiB (sampled evenly beyond 64 KiB)."""
    span = data[:_ENTROPY_SPAN]
    if not span:
        return 0.0
    if len(span) > _ENTROPY_SAMPLES:
        span = span[:: len(span) // _ENTROPY_SAMPLES + 1]
    n = len(span)
    counts = Counter(span).values()
    if n == KiB:  # the windows of _high_entropy_share: the same terms, computed once
        return -sum(map(_WINDOW_TERMS.__getitem__, counts))
    return -sum(c / n * math.log2(c / n) for c in counts)


_WINDOW_TERMS = [0.0] + [c / KiB * math.log2(c / KiB) for c in range(1, KiB + 1)]
"""``c / n * log2(c / n)`` for a 1-KiB window, by count: the very terms _entropy sums,
in the same order, so the result is the same to the last bit."""


def _high_entropy_share(data: bytes, window: int = KiB, threshold: float = 7.5) -> float:
    """Share of the 1-KiB windows (first 256 of them) that look compressed or encrypted."""
    windows = [data[i : i + window] for i in range(0, min(len(data), 256 * window), window)]
    windows = [w for w in windows if len(w) == window]
    if not windows:
        return 0.0
    return sum(_entropy(w) >= threshold for w in windows) / len(windows)


# ---------------------------------------------------------- decoded content

_SHELL_LINE = re.compile(
    rb"^\s*(?:if|then|else|elif|fi|for|while|until|do|done|case|esac|eval|export|exec|"
    rb"set|unset|test|echo|printf|cd|rm|mv|cp|cat|sed|grep|awk|tr|head|tail|dd|xz|gzip|"
    rb"sh|bash|exit|return|local|trap|source|\.|\(|\{|\}|[A-Za-z_][A-Za-z0-9_]*=)"
    rb"(?:\s|$|[;(`\"'$])"
)
_SHELL_SYNTAX = re.compile(rb"\$\(|`[^`]+`|\|\s*\S|&&|;\s*then\b|\$\{?[A-Za-z_]")


def _shellish(text: bytes) -> bool:
    """Readable text that is mostly shell statements."""
    lines = [ln for ln in text[: 64 * KiB].splitlines() if ln.strip()]
    code = [ln for ln in lines if not ln.lstrip().startswith(b"#")]
    if len(code) < 3:
        return False
    hits = sum(1 for ln in code if _SHELL_LINE.match(ln) or _SHELL_SYNTAX.search(ln))
    return hits >= 3 and hits * 10 >= len(code) * 4


def _content_kind(out: bytes) -> str:
    """What decoded bytes are: script, elf, pe, macho, archive, text or data."""
    kind = _sniff(out)
    if kind in _EXEC_KINDS or kind == "script":
        return kind
    if kind in _ARCHIVE_KINDS:
        return "archive"
    if kind == "text":
        return "script" if _shellish(out) else "text"
    return "data"


_RANK = {"elf": 6, "pe": 6, "macho": 6, "script": 5, "archive": 3, "text": 2, "data": 1}

# ----------------------------------------------------------------- decoding


class _Stream(Protocol):
    """The shared incremental API of ``lzma.LZMADecompressor`` and ``bz2.BZ2Decompressor``."""

    @property
    def eof(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    @property
    def needs_input(self) -> bool: ...
    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


@dataclass
class _Segment:
    offset: int
    fmt: str
    out: bytes
    complete: bool
    """The stream ended properly (end marker, integrity check, trailer)."""
    failed: bool
    """The decoder reported an error (output is what came before it)."""
    end: int | None
    """Offset just past the stream, when it ended properly."""
    sequential: bool
    """Reached from the start of the file (first stream or one right after another)."""
    filters: tuple[int, ...] = ()

    @property
    def kind(self) -> str | None:
        return _content_kind(self.out) if self.out else None


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total

    def take(self, want: int) -> int:
        return max(0, min(want, self.left))

    def spend(self, n: int) -> None:
        self.left -= n


def _chunks(data: bytes) -> Iterator[bytes]:
    # Small pieces for small inputs so that output produced before an error survives.
    step = 256 if len(data) <= 64 * KiB else 16 * KiB
    for i in range(0, len(data), step):
        yield data[i : i + step]


def _run_stream(dec: _Stream, data: bytes, cap: int) -> tuple[bytes, bool, bool, int | None]:
    """Feed ``data`` to an lzma/bz2 decompressor: (output, complete, failed, end offset)."""
    out = bytearray()
    fed = 0
    try:
        for chunk in _chunks(data):
            fed += len(chunk)
            out += dec.decompress(chunk, max_length=cap - len(out))
            while not dec.eof and not dec.needs_input and len(out) < cap:
                more = dec.decompress(b"", max_length=cap - len(out))
                if not more:
                    break
                out += more
            if dec.eof or len(out) >= cap:
                break
    except Exception:  # hostile input: any decoder error is a failed decoding
        return bytes(out), False, True, None
    if dec.eof:
        return bytes(out), True, False, fed - len(dec.unused_data)
    return bytes(out), False, False, None


def _run_zlib(data: bytes, wbits: int, cap: int) -> tuple[bytes, bool, bool, int | None]:
    dec = zlib.decompressobj(wbits)
    out = bytearray()
    fed = 0
    try:
        for chunk in _chunks(data):
            fed += len(chunk)
            buf = chunk
            while buf and len(out) < cap and not dec.eof:
                out += dec.decompress(buf, cap - len(out))
                buf = dec.unconsumed_tail
            if dec.eof or len(out) >= cap:
                break
    except Exception:  # hostile input: any decoder error is a failed decoding
        return bytes(out), False, True, None
    if dec.eof:
        return bytes(out), True, False, fed - len(dec.unconsumed_tail) - len(dec.unused_data)
    return bytes(out), False, False, None


def _run_zstd(data: bytes, cap: int) -> tuple[bytes, bool, bool, int | None]:
    import zstandard  # loaded only for zstd data (2 ms an audit otherwise pays)

    try:
        reader = zstandard.ZstdDecompressor(max_window_size=_MEMLIMIT).stream_reader(
            data, read_across_frames=False
        )
        out = bytes(reader.read(cap))
    except Exception:  # hostile input: any decoder error is a failed decoding
        return b"", False, True, None
    return out, len(out) < cap, False, None


def _lzip_filters(data: bytes) -> list[dict[str, int]] | None:
    if len(data) < 6 or data[4] != 1:
        return None
    code = data[5]
    base = 1 << (code & 0x1F)
    dict_size = base - (base // 16) * (code >> 5)
    if not 4096 <= dict_size <= _MEMLIMIT // 2:
        return None
    return [{"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": 3, "lp": 0, "pb": 2}]


def _decode_lzip(data: bytes, cap: int) -> tuple[bytes, bool, bool, int | None]:
    """An lzip member: raw LZMA1 with an end marker, then CRC32, data size, member size."""
    filters = _lzip_filters(data)
    if filters is None:
        return b"", False, True, None
    dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters)
    out, complete, failed, end = _run_stream(dec, data[6:], cap)
    if not complete or end is None:
        return out, False, failed, None
    trailer = data[6 + end : 6 + end + 20]
    member = 6 + end + 20
    valid = (
        len(trailer) == 20
        and int.from_bytes(trailer[0:4], "little") == zlib.crc32(out)
        and int.from_bytes(trailer[4:12], "little") == len(out)
        and int.from_bytes(trailer[12:20], "little") == member
    )
    if not valid:
        return out, False, True, None
    return out, True, False, member


def _decode_at(data: bytes, fmt: str, cap: int) -> tuple[bytes, bool, bool, int | None]:
    """Decode one stream of format ``fmt`` at the start of ``data``."""
    if cap <= 0:
        return b"", False, False, None
    if fmt in ("xz", "lzma"):
        form = lzma.FORMAT_XZ if fmt == "xz" else lzma.FORMAT_ALONE
        try:
            dec: _Stream = lzma.LZMADecompressor(form, memlimit=_MEMLIMIT)
        except Exception:  # hostile input: any decoder error is a failed decoding
            return b"", False, True, None
        return _run_stream(dec, data, cap)
    if fmt == "lzip":
        return _decode_lzip(data, cap)
    if fmt == "bzip2":
        return _run_stream(bz2.BZ2Decompressor(), data, cap)
    if fmt == "gzip":
        return _run_zlib(data, 31, cap)
    if fmt == "zlib":
        return _run_zlib(data, 15, cap)
    if fmt == "deflate":
        return _run_zlib(data, -15, cap)
    if fmt == "zstd":
        return _run_zstd(data, cap)
    if fmt in ("lzma1-raw", "lzma2-raw"):
        fid = lzma.FILTER_LZMA1 if fmt == "lzma1-raw" else lzma.FILTER_LZMA2
        filt: dict[str, int] = {"id": fid, "dict_size": _RAW_DICT}
        if fid == lzma.FILTER_LZMA1:
            filt.update(lc=3, lp=0, pb=2)
        return _run_stream(lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filt]), data, cap)
    return b"", False, True, None


def _read_vli(data: bytes, pos: int) -> tuple[int, int] | None:
    value = 0
    for i in range(9):
        if pos + i >= len(data):
            return None
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, pos + i + 1
    return None


def _xz_filters(data: bytes) -> tuple[int, ...]:
    """Filter IDs of the first block of the xz stream at the start of ``data``."""
    if len(data) < 14 or data[12] == 0:
        return ()
    flags = data[13]
    pos = 14
    for bit in (0x40, 0x80):
        if flags & bit:
            vli = _read_vli(data, pos)
            if vli is None:
                return ()
            pos = vli[1]
    ids = []
    for _ in range((flags & 0x03) + 1):
        fid = _read_vli(data, pos)
        if fid is None:
            return ()
        size = _read_vli(data, fid[1])
        if size is None:
            return ()
        ids.append(fid[0])
        pos = size[1] + size[0]
    return tuple(ids)


_BCJ_FILTERS = {
    4: "x86",
    5: "PowerPC",
    6: "IA-64",
    7: "ARM",
    8: "ARM-Thumb",
    9: "SPARC",
    10: "ARM64",
    11: "RISC-V",
}

_NEXT_MAGIC: dict[str, Callable[[bytes], bool]] = {
    "xz": lambda d: d.startswith(b"\xfd7zXZ\x00"),
    "gzip": lambda d: d.startswith(b"\x1f\x8b\x08"),
    "bzip2": lambda d: d.startswith(b"BZh"),
    "lzip": lambda d: d.startswith(b"LZIP"),
    "zstd": lambda d: d.startswith(b"\x28\xb5\x2f\xfd"),
}


def _sequential(data: bytes, kind: str, budget: _Budget) -> list[_Segment]:
    """The stream at offset 0 and any streams concatenated after it."""
    segments: list[_Segment] = []
    pos = 0
    while pos < len(data) and len(segments) < _MAX_STREAMS:
        piece = data[pos:]
        out, complete, failed, end = _decode_at(piece, kind, budget.take(_MAX_ATTEMPT_OUTPUT))
        budget.spend(len(out))
        filters = _xz_filters(piece) if kind == "xz" else ()
        segments.append(
            _Segment(
                pos, kind, out, complete, failed, None if end is None else pos + end, True, filters
            )
        )
        if not complete or end is None or end <= 0:
            break
        pos += end
        while pos < len(data) and data[pos] == 0:  # stream padding
            pos += 1
        follows = _NEXT_MAGIC.get(kind)
        if follows is None or not follows(data[pos : pos + 8]):
            break
    return segments


def _find_all(data: bytes, needle: bytes, limit: int) -> Iterator[int]:
    start = 1
    found = 0
    while found < limit:
        i = data.find(needle, start)
        if i < 0:
            return
        yield i
        found += 1
        start = i + 1


_LZMA_ALONE_DICT = {bytes([0, 0, b, 0]) for b in (1, 2, 4, 8, 16, 32, 64, 128)} | {
    bytes([0, 0, 0, b]) for b in (1, 2, 4)
}


def _candidates(data: bytes) -> list[tuple[int, str]]:
    """Offsets (> 0) where a compressed stream may start, a few per format."""
    span = data[:_SEARCH_SPAN]
    found: list[tuple[int, str]] = []
    found += [(i, "xz") for i in _find_all(span, b"\xfd7zXZ\x00", 4)]
    found += [
        (i, "gzip")
        for i in _find_all(span, b"\x1f\x8b\x08", 8)
        if i + 3 < len(span) and span[i + 3] < 0x20
    ]
    found += [
        (i - 4, "bzip2")
        for i in _find_all(span, b"1AY&SY", 8)
        if i >= 4 and span[i - 4 : i - 1] == b"BZh" and 0x31 <= span[i - 1] <= 0x39
    ]
    found += [(i, "zstd") for i in _find_all(span, b"\x28\xb5\x2f\xfd", 4)]
    found += [(i, "lzip") for i in _find_all(span, b"LZIP\x01", 4)]
    found += [
        (i, "lzma")
        for i in _find_all(span, b"\x5d\x00\x00", 64)
        if span[i + 1 : i + 5] in _LZMA_ALONE_DICT and _looks_like_lzma_alone(span[i:])
    ]
    return sorted(c for c in found if c[0] > 0)


def _covered(offset: int, segments: list[_Segment]) -> bool:
    for seg in segments:
        if seg.offset == offset:
            return True
        if seg.end is not None and seg.offset <= offset < seg.end:
            return True
    return False


def _embedded(data: bytes, segments: list[_Segment], budget: _Budget) -> list[_Segment]:
    found: list[_Segment] = []
    for offset, fmt in _candidates(data):
        if len(found) >= _MAX_EMBEDDED or budget.left <= 0:
            break
        if _covered(offset, segments + found):
            continue
        piece = data[offset:]
        out, complete, failed, end = _decode_at(piece, fmt, budget.take(_MAX_ATTEMPT_OUTPUT))
        budget.spend(len(out))
        if not out and not complete:
            continue
        found.append(
            _Segment(
                offset,
                fmt,
                out,
                complete,
                failed,
                None if end is None else offset + end,
                False,
                _xz_filters(piece) if fmt == "xz" else (),
            )
        )
    return found


def _raw_attempts(data: bytes, budget: _Budget) -> list[_Segment]:
    """Headerless LZMA1/LZMA2/deflate from offset 0; kept only when readable or executable."""
    found: list[_Segment] = []
    for fmt in ("lzma1-raw", "lzma2-raw", "deflate"):
        out, complete, failed, end = _decode_at(data, fmt, budget.take(_RAW_OUTPUT))
        budget.spend(len(out))
        kind = _content_kind(out) if out else None
        if kind in _EXEC_KINDS or (kind in ("script", "text") and len(out) >= _MIN_RAW_TEXT):
            found.append(_Segment(0, fmt, out, complete, failed, end, True))
    return found


# ------------------------------------------------------------------ verdict

_FMT_NAME = {
    "xz": "xz",
    "lzma": ".lzma",
    "lzip": "lzip",
    "gzip": "gzip",
    "bzip2": "bzip2",
    "zstd": "zstd",
    "zlib": "zlib",
    "deflate": "raw deflate",
    "lzma1-raw": "raw LZMA1",
    "lzma2-raw": "raw LZMA2",
}
_KIND_NAME = {
    "elf": "an ELF object",
    "pe": "a PE executable",
    "macho": "a Mach-O object",
    "script": "a shell script",
}
_NOUN = {
    "elf": "ELF object",
    "pe": "PE executable",
    "macho": "Mach-O object",
    "script": "shell script",
    "text": "readable text",
    "archive": "archive data",
    "data": "binary data",
}
_EXEC_DECLARED = frozenset({"elf", "pe", "macho", "ar"})


def _describe(seg: _Segment) -> str:
    state = "complete" if seg.complete else ("failing" if seg.failed else "unfinished")
    noun = _NOUN.get(seg.kind or "", "nothing")
    return (
        f"{state} {_FMT_NAME.get(seg.fmt, seg.fmt)} stream at offset {seg.offset} "
        f"decodes to {len(seg.out)} bytes of {noun}"
    )


def _ext(path: str) -> str:
    name = posixpath.basename(path)
    return "." + name.rsplit(".", 1)[1] if "." in name.lstrip(".") else "(no extension)"


def _name_verdict(path: str, kind: str, declared: str | None) -> tuple[bool, list[str]]:
    """What the name claims against what the content is."""
    ext = _ext(path)
    if kind in _EXEC_KINDS:
        if declared in _DECLARED_BINARY | _DECLARED_TEXT:
            return True, [f"named {ext} but the content is {_KIND_NAME[kind]}"]
        return False, [f"the content is {_KIND_NAME[kind]}"]
    if kind == "script" and declared in _DECLARED_BINARY:
        return True, [f"named {ext} but the content is a script (starts with '#!')"]
    expected = _DECLARED_KIND.get(declared or "")
    if (
        expected is not None
        and expected != kind
        and declared not in _EXEC_DECLARED
        and (declared in _DECLARED_COMPRESSED or declared in _DECLARED_MEDIA)
    ):
        return False, [f"named {ext} but the content is not {declared} data (looks like {kind})"]
    return False, []


def _segment_verdict(seg: _Segment, bad: bool) -> tuple[bool, str | None]:
    skind = seg.kind
    if skind is None:
        if seg.sequential and seg.offset == 0 and seg.failed:
            return False, f"{_FMT_NAME.get(seg.fmt, seg.fmt)} data at offset 0 does not decode"
        return False, None
    line = _describe(seg)
    if bad and seg.complete and skind in ("script", *_EXEC_KINDS):
        return True, f"named as a corrupt test file, yet a {line}"
    if bad and seg.failed and skind in ("script", *_EXEC_KINDS):
        return True, f"named as a corrupt test file, yet its {line} before the error"
    if not seg.sequential and skind in ("script", *_EXEC_KINDS):
        return True, f"hidden after {seg.offset} bytes of other data, a {line}"
    if skind == "script":
        return True, f"compressed content is a script: {line}"
    if skind in _EXEC_KINDS:
        bcj = [_BCJ_FILTERS[f] for f in seg.filters if f in _BCJ_FILTERS]
        if bcj:
            return False, f"{line}, compressed with the {bcj[0]} branch filter made for executables"
        return True, f"compressed content is an executable object: {line}"
    if skind == "data" and len(seg.out) >= 8 * KiB:
        share = _high_entropy_share(seg.out)
        if share >= 0.5:
            return True, (
                f"{line}, {share:.0%} of it high-entropy: opaque data wrapped in a "
                "compression layer"
            )
    if not seg.sequential:
        return False, f"after {seg.offset} bytes of other data, a {line}"
    return False, line[0].upper() + line[1:]


_MAX_REASONS = 8


def _undecodable(data: bytes, segments: list[_Segment]) -> int:
    """Non-zero bytes outside every stream that decoded completely."""
    covered = bytearray(len(data))
    for seg in segments:
        if seg.complete and seg.end is not None:
            covered[seg.offset : seg.end] = b"\x01" * (seg.end - seg.offset)
    return sum(1 for byte, mark in zip(data, covered, strict=True) if byte and not mark)


def _hidden_in_corrupt(data: bytes, segments: list[_Segment]) -> str | None:
    """A "corrupt" file that is really a container: valid text streams beside opaque bytes."""
    texts = [s for s in segments if s.complete and s.kind == "text"]
    if not texts:
        return None
    hidden = _undecodable(data, segments)
    if hidden < _MIN_HIDDEN or hidden * 4 < len(data):
        return None
    offsets = ", ".join(str(s.offset) for s in texts)
    size = sum(len(s.out) for s in texts)
    streams = "stream" if len(texts) == 1 else "streams"
    return (
        f"named as a corrupt test file, yet it holds {len(texts)} complete {streams} "
        f"(offset {offsets}) decoding to {size} bytes of readable text, beside {hidden} "
        "bytes that do not decode"
    )


def _verdict(
    path: str, data: bytes, kind: str, declared: str | None, segments: list[_Segment]
) -> tuple[bool, list[str]]:
    suspicious, reasons = _name_verdict(path, kind, declared)
    bad = _named_bad(path)
    notes: list[str] = []
    for seg in segments:
        flag, reason = _segment_verdict(seg, bad)
        if reason is None:
            continue
        if flag:
            suspicious = True
            reasons.append(reason)
        else:
            notes.append(reason)
    hidden = _hidden_in_corrupt(data, segments) if bad else None
    if hidden is not None:
        suspicious = True
        reasons.append(hidden)
    # Suspicious reasons first; plain descriptions fill the remaining lines.
    reasons += notes[: max(0, _MAX_REASONS - len(reasons))]
    return suspicious, reasons


# ---------------------------------------------------------------------- API


def _segments(data: bytes, kind: str) -> list[_Segment]:
    budget = _Budget(MAX_OUTPUT)
    segments: list[_Segment] = []
    if kind in _COMPRESSED_KINDS and kind != "lz4":
        segments = _sequential(data, kind, budget)
    if kind not in ("zip", "7z", "rar"):
        segments += _embedded(data, segments, budget)
    if kind == "data" and len(data) >= 16 and not any(s.out for s in segments):
        segments += _raw_attempts(data, budget)
    return segments


def analyse_blob(path: str, data: bytes) -> BlobReport | None:
    """Report on a binary, compressed or misnamed file; None for an ordinary text file."""
    if not data:
        return None
    declared = _declared(path)
    kind = _sniff(data)
    if kind in _TEXT_KINDS and declared not in _DECLARED_BINARY:
        return None
    segments = [] if kind in _TEXT_KINDS else _segments(data, kind)
    suspicious, reasons = _verdict(path, data, kind, declared, segments)
    decoded = [s.kind for s in segments if s.kind is not None]
    decodes_to = max(decoded, key=lambda k: _RANK.get(k, 0)) if decoded else None
    return BlobReport(
        path=path,
        size=len(data),
        kind=kind,
        declared=declared,
        entropy=round(_entropy(data), 3),
        decodes_to=decodes_to,
        suspicious=suspicious,
        reasons=tuple(reasons),
    )


def is_opaque(path: str, data: bytes) -> bool:
    """True for binary, compressed or high-entropy content (not readable text)."""
    del path  # the decision is made on content; the name may lie
    return bool(data) and _sniff(data) not in _TEXT_KINDS
