"""Behaviour rules widened after the second blind round (eval/blind/cases_round2.py).

Each test holds the variant that round's cases used and was missed or only
caught as an unexplained change, plus a look-alike genuine build files write,
which must stay below high. All payloads are synthetic text; nothing is run.
"""

from __future__ import annotations

from chainsight.analyzers.behaviour import build_code_kind, read_matches, scan_build_code
from chainsight.model import Severity

PAYLOAD = b"echo blind; touch .chainsight-test.marker\n"


def rules(path: str, text: str, at_least: Severity = Severity.HIGH) -> set[str]:
    return {s.rule_id for s in scan_build_code(path, text) if s.severity.rank >= at_least.rank}


def reads(path: str, text: str) -> set[str]:
    return {r for s in scan_build_code(path, text) for r in s.reads}


# --------------------------------------------------------------- shell: escaped bytes


def _hex(data: bytes) -> str:
    return "".join(f"\\x{b:02x}" for b in data)


def test_printf_of_escapes_held_in_variables_feeding_a_shell() -> None:
    esc = _hex(PAYLOAD)
    parts = [esc[i : i + 48] for i in range(0, len(esc), 48)]
    text = "".join(f"dc_p{i}='{p}'\n" for i, p in enumerate(parts))
    text += 'env printf "' + "".join(f"$dc_p{i}" for i in range(len(parts)))
    text += '" | ${CONFIG_SHELL-/bin/sh} >/dev/null 2>&1\n'
    assert "build-decode-to-interpreter" in rules("build-aux/depcomp", text)
    # one variable, and %b
    one = f"x='{esc}'\nprintf '%b' \"$x\" | sh\n"
    assert "build-decode-to-interpreter" in rules("build-aux/depcomp", one)


def test_escapes_in_small_variables_written_to_a_file_and_sourced() -> None:
    esc = _hex(PAYLOAD)
    parts = [esc[i : i + 16] for i in range(0, len(esc), 16)]  # four bytes each
    text = "".join(f"p{i}='{p}'\n" for i, p in enumerate(parts))
    text += 'printf "' + "".join(f"$p{i}" for i in range(len(parts))) + '" > conf.lst\n'
    text += ". ./conf.lst\n"
    assert "build-decode-to-interpreter" in rules("configure", text)


def test_escapes_that_are_only_printed_raise_nothing() -> None:
    text = "bold='\\033[1m\\033[0m'\nprintf \"$bold%s\\n\" done\nas_nl='\\012'\n"
    assert rules("configure", text, Severity.LOW) == set()


# --------------------------------------------------------------- meson


def test_meson_strings_joined_with_plus_are_one_argument() -> None:
    text = (
        "python3 = find_program('python3')\n"
        "t = custom_target('t', input : 'tests/data/tone.wav', output : 'x.stamp',\n"
        "  command : [python3, '-c',\n"
        "    'import lzma,sys;d=open(sys.argv[1],\"rb\").read();'\n"
        "    + 'exec(lzma.decompress(d[44:]))', '@INPUT@', '@OUTPUT@'])\n"
    )
    found = scan_build_code("meson.build", text)
    top = max(found, key=lambda s: s.severity.rank)
    assert top.rule_id == "build-decode-to-interpreter"
    assert top.severity is Severity.CRITICAL
    assert "tests/data/tone.wav" in top.reads


def test_meson_joined_paths_stay_quiet() -> None:
    text = (
        "inc = include_directories('src' + '/include')\n"
        "gen = custom_target('v', output : 'version.h',\n"
        "  command : [find_program('python3'), meson.source_root() + '/gen.py', '@OUTPUT@'])\n"
    )
    assert rules("meson.build", text, Severity.MEDIUM) == set()


# --------------------------------------------------------------- python hooks


def test_repeating_key_xor_feeding_exec_is_deciphered_data() -> None:
    text = (
        "def check(path):\n"
        "    data = open(path, 'rb').read()\n"
        "    extra = data[data.rindex(b'\\xff\\xd9') + 2:]\n"
        "    key = b'blindshot'\n"
        "    code = bytes(b ^ key[i % len(key)] for i, b in enumerate(extra))\n"
        "    exec(code)\n"
    )
    assert "build-decode-to-interpreter" in rules("setup.py", text)


def test_xor_in_a_checksum_raises_nothing() -> None:
    text = (
        "TABLE = '0123456789abcdef'\n"
        "def crc(data):\n"
        "    c = 0\n"
        "    for i, b in enumerate(data):\n"
        "        c = (c << 1) ^ b ^ ord(TABLE[i % 16])\n"
        "    return c\n"
        "print(crc(open('README', 'rb').read()))\n"
    )
    assert rules("setup.py", text, Severity.LOW) == set()


def test_unpickling_a_data_file_runs_it() -> None:
    text = (
        "import pickle\n"
        "from pathlib import Path\n"
        "ROOT = Path(__file__).parent.parent\n"
        "def calibration():\n"
        "    with open(ROOT / 'tests' / 'data' / 'calibration.pkl', 'rb') as fh:\n"
        "        return pickle.load(fh)\n"
    )
    assert "build-eval-of-computed" in rules("setup.py", text)
    # the reads name the file although its directory is computed at run time
    (read,) = reads("setup.py", text)
    assert read_matches(read, "tests/data/calibration.pkl")
    compressed = (
        "import pickle, zlib\nx = pickle.loads(zlib.decompress(open('t/f.bin','rb').read()))\n"
    )
    assert "build-decode-to-interpreter" in rules("setup.py", compressed)


# --------------------------------------------------------------- cmake


def test_install_code_unpacking_a_test_archive_and_including_from_it() -> None:
    text = (
        'install(CODE "\n'
        '  execute_process(COMMAND \\"\\${CMAKE_COMMAND}\\" -E tar xf\n'
        '      \\"${CMAKE_CURRENT_SOURCE_DIR}/tests/data/corpus.tar\\"\n'
        '    WORKING_DIRECTORY \\"${CMAKE_CURRENT_BINARY_DIR}\\" OUTPUT_QUIET)\n'
        '  include(\\"${CMAKE_CURRENT_BINARY_DIR}/corpus/.index.cmake\\" OPTIONAL)\n'
        '")\n'
    )
    found = scan_build_code("cmake/Packaging.cmake", text)
    top = max(found, key=lambda s: s.severity.rank)
    assert (top.rule_id, top.severity) == ("build-decode-to-interpreter", Severity.CRITICAL)
    assert top.line == 5
    assert any(read_matches(r, "tests/data/corpus.tar") for r in top.reads)


def test_archive_extract_then_include_from_its_destination() -> None:
    text = (
        "file(ARCHIVE_EXTRACT INPUT ${CMAKE_CURRENT_SOURCE_DIR}/tests/files/s.tar.gz\n"
        "     DESTINATION ${CMAKE_BINARY_DIR}/s)\n"
        "include(${CMAKE_BINARY_DIR}/s/x.cmake)\n"
    )
    assert "build-decode-to-interpreter" in rules("CMakeLists.txt", text)


def test_unpacking_without_including_or_a_vendored_source_archive_stays_below_high() -> None:
    test_corpus = (
        "file(ARCHIVE_EXTRACT INPUT ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/corpus.tar.gz\n"
        "     DESTINATION ${CMAKE_BINARY_DIR}/corpus)\n"
        "include(cmake/Warnings.cmake)\n"
        "add_test(NAME corpus COMMAND reader ${CMAKE_BINARY_DIR}/corpus)\n"
    )
    assert rules("CMakeLists.txt", test_corpus) == set()
    vendored = (
        "file(ARCHIVE_EXTRACT INPUT ${CMAKE_CURRENT_SOURCE_DIR}/third_party/zlib-1.3.tar.gz\n"
        "     DESTINATION ${CMAKE_BINARY_DIR}/zlib)\n"
        "add_subdirectory(${CMAKE_BINARY_DIR}/zlib/zlib-1.3)\n"
    )
    assert rules("CMakeLists.txt", vendored, Severity.LOW) == set()


# --------------------------------------------------------------- gyp


def test_gyp_command_expansions_and_actions_are_read() -> None:
    assert build_code_kind("binding.gyp") == "gyp"
    assert build_code_kind("deps/common.gypi") == "gyp"
    text = (
        "{\n"
        '  "variables": {\n'
        "    \"abi\": \"<!(node -e \\\"const b=require('fs').readFileSync('test/fixtures/f.bin');"
        'eval(b.subarray(256).toString())\\")"\n'
        "  },\n"
        "  'targets': [{'target_name': 'a', 'actions': [{'action_name': 'gen',\n"
        "    'inputs': [], 'outputs': ['x'],\n"
        "    'action': ['sh', '-c', 'xz -dc test/fixtures/a.xz | sh']}]}]\n"
        "}\n"
    )
    found = scan_build_code("binding.gyp", text)
    assert {s.line for s in found if s.severity.rank >= Severity.HIGH.rank} == {3, 7}
    assert {"test/fixtures/f.bin", "test/fixtures/a.xz"} <= {r for s in found for r in s.reads}


def test_genuine_gyp_expansions_stay_quiet() -> None:
    text = (
        "{'targets': [{'target_name': 'addon',\n"
        "  'include_dirs': [\"<!(node -p \\\"require('node-addon-api').include_dir\\\")\"],\n"
        "  'libraries': ['<!@(pkg-config --libs libpng)'],\n"
        "  'cflags': ['<!@(pkg-config --cflags libpng)']}]}\n"
    )
    assert rules("binding.gyp", text, Severity.LOW) == set()
    # not a Python literal: read as text
    assert rules("binding.gyp", text + ",,,", Severity.LOW) == set()


# --------------------------------------------------------------- rust


def test_build_rs_writing_sliced_rotated_fixture_bytes_and_running_them() -> None:
    text = (
        "use std::{env, fs, path::PathBuf, process::Command};\n"
        "fn main() {\n"
        '    if let Ok(raw) = fs::read("benches/data/corpus-large.bin") {\n'
        "        let body: Vec<u8> = raw[4096..].iter().map(|b| b.rotate_left(4)).collect();\n"
        '        let probe = PathBuf::from(env::var("OUT_DIR").unwrap()).join("probe.sh");\n'
        "        if fs::write(&probe, &body).is_ok() {\n"
        '            let _ = Command::new("/bin/sh").arg(&probe).status();\n'
        "        }\n"
        "    }\n"
        "}\n"
    )
    found = scan_build_code("build.rs", text)
    top = max(found, key=lambda s: s.severity.rank)
    assert (top.rule_id, top.severity, top.line) == (
        "build-decode-to-interpreter",
        Severity.CRITICAL,
        7,
    )
    assert top.reads == ("benches/data/corpus-large.bin",)


def test_build_rs_compiling_a_probe_stays_quiet() -> None:
    text = (
        "use std::{env, fs, path::PathBuf, process::Command};\n"
        "fn main() {\n"
        '    let out = PathBuf::from(env::var("OUT_DIR").unwrap());\n'
        '    let probe = out.join("probe.rs");\n'
        '    fs::write(&probe, "fn main() {}").unwrap();\n'
        '    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());\n'
        '    let ok = Command::new(rustc).arg(&probe).arg("--out-dir").arg(&out).status();\n'
        "    if ok.map(|s| s.success()).unwrap_or(false) {\n"
        '        println!("cargo:rustc-cfg=has_probe");\n'
        "    }\n"
        "}\n"
    )
    assert rules("build.rs", text, Severity.MEDIUM) == set()


# --------------------------------------------------------------- shell: spelled commands


def test_a_command_name_spelled_across_assignments_and_run_on_fixture_text() -> None:
    text = (
        'bl_wlist="$srcdir/tests/files/warnings.lst"\n'
        'if test -r "$bl_wlist"; then\n'
        "  bl_wseen=`cut -c3 \"$bl_wlist\" | paste -sd '' -`\n"
        "  bl_wact=ev\n"
        "  bl_wact=${bl_wact}al\n"
        '  $bl_wact "$bl_wseen" >/dev/null 2>&1\n'
        "fi\n"
    )
    found = scan_build_code("m4/bl_warnings.m4", text)
    at_eval = [s for s in found if s.line == 6 and s.severity.rank >= Severity.HIGH.rank]
    assert [s.rule_id for s in at_eval] == ["build-eval-of-computed"]
    assert any(read_matches(r, "tests/files/warnings.lst") for r in at_eval[0].reads)


def test_commands_held_in_variables_that_build_files_use_stay_quiet() -> None:
    text = (
        "CC=gcc\n"
        'CC="$CC -std=gnu99"\n'
        "$CC -c conftest.c\n"
        'flags=`sed -n "s/^CFLAGS=//p" Makefile`\n'
        "MAKE=make\n"
        '$MAKE all CFLAGS="$flags"\n'
    )
    assert rules("configure", text, Severity.LOW) == set()
