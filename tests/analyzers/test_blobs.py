"""The opaque-blob analyzer on synthetic, harmless blobs built here.

The "payload" in these fixtures is a shell snippet that would only touch a marker
file; nothing is ever executed. No real test file of xz 5.6.x is used.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import random
import struct
import zlib

import pytest
import zstandard

from chainsight.analyzers.blobs import MAX_OUTPUT, BlobReport, analyse_blob, is_opaque

SCRIPT = b"#!/bin/sh\ntouch marker\n"
# A shell snippet without a shebang, like a stage script piped to "sh".
SHELL_BODY = (
    b"srcdir=.\n"
    b'if test -f "$srcdir/config.status"; then\n'
    b"  eval `grep ^srcdir= $srcdir/config.status`\n"
    b"fi\n"
    b'export i="$srcdir/marker"\n'
    b'touch "$i" 2>/dev/null\n'
)
TEXT = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * 8


def _random(n: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(n)


def _elf_header() -> bytes:
    # ELF64, little endian, relocatable, x86-64: the first 64 bytes of an object file.
    ident = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
    return ident + struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, 64, 0, 64, 0, 0, 64, 4, 3)


def _report(path: str, data: bytes) -> BlobReport:
    report = analyse_blob(path, data)
    assert report is not None
    return report


# ----------------------------------------------------------------- text


def test_ordinary_text_is_dismissed() -> None:
    assert analyse_blob("src/main.c", b"int main(void) { return 0; }\n") is None
    assert analyse_blob("configure", b"#!/bin/sh\necho hello\n" * 100) is None
    assert analyse_blob("po/de.po", 'msgid "é"\nmsgstr "ü"\n'.encode("latin-1")) is None
    assert analyse_blob("empty", b"") is None
    assert not is_opaque("src/main.c", b"int main(void) { return 0; }\n")
    assert not is_opaque("doc/utf16.txt", "hello world\n".encode("utf-16"))


def test_binary_and_compressed_content_is_opaque() -> None:
    assert is_opaque("tests/files/good.xz", lzma.compress(TEXT))
    assert is_opaque("data.bin", _random(4096))
    assert is_opaque("logo.png", b"\x89PNG\r\n\x1a\n" + _random(200))


# ------------------------------------------------- what the brief requires


def test_corrupt_test_file_hiding_a_script_after_junk_is_suspicious() -> None:
    # Like bad-3-corrupt_lzma2.xz: junk first, a valid stream hidden further in.
    blob = _random(300, seed=7) + lzma.compress(SCRIPT)
    report = _report("tests/files/bad-corrupt.xz", blob)
    assert report.kind == "data"
    assert report.declared == "xz"
    assert report.decodes_to == "script"
    assert report.suspicious
    assert any(
        "corrupt test file, yet a complete xz stream at offset 300" in r for r in report.reasons
    )
    neutral = _report("tests/data/sample.bin", blob)
    assert neutral.suspicious
    assert any("hidden after 300 bytes" in r for r in neutral.reasons)


def test_really_corrupt_xz_that_decodes_to_nothing_is_not_suspicious() -> None:
    stream = bytearray(lzma.compress(TEXT * 4))
    for i in range(40, len(stream) - 40, 7):  # wreck the compressed data
        stream[i] ^= 0x55
    report = _report("tests/files/bad-1-lzma2-corrupt.xz", bytes(stream))
    assert report.kind == "xz"
    assert not report.suspicious
    truncated = _report("tests/files/bad-truncated.xz", lzma.compress(TEXT)[:30])
    assert not truncated.suspicious
    assert truncated.decodes_to is None


def test_png_is_not_suspicious() -> None:
    ihdr = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    chunk = (
        struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    idat = zlib.compress(_random(768))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk
        + struct.pack(">I", len(idat))
        + b"IDAT"
        + idat
        + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    )
    report = _report("doc/logo.png", png)
    assert report.kind == "png"
    assert report.declared == "png"
    assert not report.suspicious


def test_png_that_is_an_elf_object_is_suspicious() -> None:
    report = _report("doc/logo.png", _elf_header() + _random(512))
    assert report.kind == "elf"
    assert report.suspicious
    assert report.reasons[0] == "named .png but the content is an ELF object"


def test_random_bytes_are_not_suspicious_for_their_entropy_alone() -> None:
    report = _report("tests/data/random.bin", _random(64 * 1024))
    assert report.kind == "data"
    assert report.entropy > 7.9
    assert not report.suspicious


# ------------------------------------------------------------ more cases


def test_complete_xz_of_text_is_a_plain_description() -> None:
    report = _report("tests/files/good-1-lzma2.xz", lzma.compress(TEXT))
    assert report.decodes_to == "text"
    assert not report.suspicious
    assert report.reasons == (
        "Complete xz stream at offset 0 decodes to 456 bytes of readable text",
    )


@pytest.mark.parametrize(
    ("name", "blob"),
    [
        ("tests/files/good-1-check.xz", lzma.compress(SCRIPT)),
        ("tests/data/sample.gz", gzip.compress(SHELL_BODY, mtime=0)),
        ("tests/data/sample.bz2", bz2.compress(SCRIPT)),
        ("tests/data/sample.lzma", lzma.compress(SCRIPT, format=lzma.FORMAT_ALONE)),
        ("tests/data/sample.zst", zstandard.ZstdCompressor().compress(SCRIPT)),
    ],
)
def test_compressed_scripts_are_suspicious(name: str, blob: bytes) -> None:
    report = _report(name, blob)
    assert report.decodes_to == "script"
    assert report.suspicious


def test_compressed_text_is_not_suspicious() -> None:
    for name, blob in [
        ("testdata/grepinput.gz", gzip.compress(TEXT, mtime=0)),
        ("testdata/grepinput.bz2", bz2.compress(TEXT)),
    ]:
        report = _report(name, blob)
        assert report.decodes_to == "text"
        assert not report.suspicious


def test_executable_sample_compressed_with_a_branch_filter_is_expected() -> None:
    obj = _elf_header() + bytes(range(256)) * 4
    bcj = [{"id": lzma.FILTER_X86}, {"id": lzma.FILTER_LZMA2}]
    with_filter = _report("tests/files/good-1-x86-lzma2.xz", lzma.compress(obj, filters=bcj))
    assert with_filter.decodes_to == "elf"
    assert not with_filter.suspicious
    assert "x86 branch filter" in with_filter.reasons[0]
    plain = _report("tests/files/good-1-lzma2.xz", lzma.compress(obj))
    assert plain.decodes_to == "elf"
    assert plain.suspicious


def test_corrupt_file_made_of_valid_text_streams_around_opaque_bytes() -> None:
    # The shape of bad-3-corrupt_lzma2.xz without its content: text, opaque, text.
    first = lzma.compress(b"####Hallo####\n")
    last = lzma.compress(b"####Adieu####\n")
    blob = first + _random(360, seed=3) + last
    report = _report("tests/files/bad-3-corrupt.xz", blob)
    assert report.decodes_to == "text"
    assert report.suspicious
    assert "beside" in report.reasons[0]
    # A valid stream followed by a few bytes of trailing garbage is an honest test.
    honest = _report("tests/files/bad-trailing-garbage.xz", first + b"\x01\x02\x03\x04")
    assert not honest.suspicious


def test_corrupt_lzip_member_that_decodes_before_its_bad_trailer_is_not_suspicious() -> None:
    filters = [{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 16, "lc": 3, "lp": 0, "pb": 2}]
    body = lzma.compress(TEXT, format=lzma.FORMAT_RAW, filters=filters)
    member_size = 6 + len(body) + 20

    def lzip(crc: int) -> bytes:
        trailer = struct.pack("<IQQ", crc, len(TEXT), member_size)
        return b"LZIP\x01\x10" + body + trailer

    good = _report("tests/files/good-1-v1.lz", lzip(zlib.crc32(TEXT)))
    assert good.kind == "lzip"
    assert good.decodes_to == "text"
    bad = _report("tests/files/bad-1-v1-crc32.lz", lzip(zlib.crc32(TEXT) ^ 1))
    assert not bad.suspicious


def test_compression_layer_around_opaque_data_is_suspicious() -> None:
    # Like good-large_compressed.lzma: a "good" file whose content is itself opaque.
    blob = lzma.compress(_random(48 * 1024, seed=5), format=lzma.FORMAT_ALONE)
    report = _report("tests/files/good-large_compressed.lzma", blob)
    assert report.decodes_to == "data"
    assert report.suspicious
    assert "opaque data wrapped in a compression layer" in report.reasons[0]


def test_a_byte_substitution_hides_the_stream_until_it_is_undone() -> None:
    # tr "\t \-_" " \t_\-" style: four byte values swapped in pairs.
    swap = bytes.maketrans(b"\t -_", b" \t_-")
    seed = 0
    while True:
        stream = lzma.compress(SHELL_BODY * 3 + b"# %d\n" % seed)
        hidden = stream.translate(swap)
        if hidden != stream and lzma.LZMADecompressor().decompress(stream) and _fails(hidden):
            break
        seed += 1
    name = "tests/files/bad-2-corrupt.xz"
    assert _report(name, hidden).decodes_to != "script"
    # What a link analysis that reads the build code's tr can do: undo it, then look.
    revealed = _report(name, hidden.translate(swap))
    assert revealed.decodes_to == "script"
    assert revealed.suspicious


def _fails(data: bytes) -> bool:
    try:
        lzma.decompress(data)
    except lzma.LZMAError:
        return True
    return False


def test_decoding_is_bounded() -> None:
    bomb = lzma.compress(b"\x00" * (64 * 1024 * 1024), preset=9)
    assert len(bomb) < 64 * 1024
    report = _report("tests/files/good-bomb.xz", bomb)
    assert report.decodes_to == "data"
    assert not report.suspicious
    assert MAX_OUTPUT <= 16 * 1024 * 1024


def test_text_named_as_an_image_is_reported_but_a_script_so_named_is_suspicious() -> None:
    text = _report("doc/diagram.png", TEXT)
    assert text.kind == "text"
    assert not text.suspicious
    script = _report("tests/files/pixel.jpg", SCRIPT)
    assert script.kind == "script"
    assert script.suspicious


def test_xz_that_is_not_an_xz_stream_is_described() -> None:
    report = _report("tests/files/bad-0-header_magic.xz", b"\xfd7zXY\x00" + _random(26))
    assert report.kind == "data"
    assert not report.suspicious
    assert report.reasons[0].startswith("named .xz but the content is not xz data")


def test_window_entropy_is_the_direct_formula_to_the_last_bit() -> None:
    """1-KiB windows use precomputed terms; the value must not change at all, since
    the high-entropy share compares it with a threshold."""
    import math
    import random
    from collections import Counter

    from chainsight.analyzers import blobs

    def direct(span: bytes) -> float:
        n = len(span)
        return -sum(c / n * math.log2(c / n) for c in Counter(span).values())

    rng = random.Random(7)
    for k in range(300):
        skew = k % 4
        window = bytes(rng.randrange(256 >> (2 * skew)) for _ in range(1024))
        assert blobs._entropy(window) == direct(window)
    assert blobs._entropy(bytes(1024)) == 0.0
