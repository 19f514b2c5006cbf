"""Rules widened after the fifth blind round (eval/blind/cases_round5.py).

Each positive test fails on the code before the change (checked against 9977a04);
the look-alikes of honest build code stay quiet. Payloads are synthetic text;
nothing is run.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import audit_json, make_repo, make_tar, record

from chainsight.analyzers.behaviour import build_code_kind, scan_build_code
from chainsight.model import Severity


def found(path: str, text: str, at_least: Severity = Severity.HIGH) -> dict[str, int]:
    """rule id -> line of the signals at or above ``at_least``."""
    return {
        s.rule_id: s.line for s in scan_build_code(path, text) if s.severity.rank >= at_least.rank
    }


def test_msgexec_running_a_shell_on_messages_of_a_compiled_catalog() -> None:
    text = (
        'if test -f "$srcdir/po/$lang.gmo"; then\n'
        '  (msgunfmt "$srcdir/po/$lang.gmo" | msggrep -K -e "^self-test$" '
        "| msgexec -i - sh) >/dev/null 2>&1\n"
        "fi\n"
    )
    assert found("m4/po.m4", text).get("build-decode-to-interpreter") == 2


def test_m4_translit_into_make_reading_its_makefile_from_stdin() -> None:
    text = (
        "abc=`sed -n 's/^#define ALPHABET \"\\(.*\\)\"$/\\1/p' config.h.in`\n"
        "printf 'translit([%s],[%s],[a-z])\\n' \"$abc\" 'zyx' | m4 | ${MAKE-make} -s -f -\n"
    )
    assert found("build-aux/config.sub", text).get("build-decode-to-interpreter") == 2


def test_honest_make_m4_and_gettext_tools_stay_quiet() -> None:
    text = (
        "make -f - <<EOF\nall:\n\techo ok\nEOF\n"
        "$(MAKE) -f Makefile.gen all\n"
        "msgexec -i de.po cat > /dev/null\n"
        "msgunfmt de.gmo > de.po\n"
        "m4 -P configure.in.m4 > configure.in\n"
    )
    assert found("configure", text, Severity.LOW) == {}


def test_npmrc_preloading_a_test_fixture_into_every_node_process() -> None:
    assert build_code_kind(".npmrc") == "npmrc"
    bad = "fund=false\nnode-options=--require=./test/fixtures/input/iife.js\n"
    assert found(".npmrc", bad).get("build-eval-of-computed") == 2
    # a package preloaded by name, an ordinary option: nothing high
    honest = "registry=https://registry.npmjs.org/\nnode-options=--max-old-space-size=4096\n"
    assert found(".npmrc", honest, Severity.LOW) == {}
    assert found(".npmrc", "node-options=--require=./tools/trace.js\n") == {}


def test_cmake_presets_including_a_test_file_as_cmake_code() -> None:
    presets = {
        "version": 3,
        "configurePresets": [
            {
                "name": "default",
                "cacheVariables": {
                    "CMAKE_PROJECT_pkg_INCLUDE_BEFORE": "${sourceDir}/tests/golden/out.cmake"
                },
            },
            {
                "name": "conan",
                "toolchainFile": "${sourceDir}/cmake/toolchain.cmake",
                "cacheVariables": {
                    "CMAKE_PROJECT_TOP_LEVEL_INCLUDES": "${sourceDir}/cmake/conan_provider.cmake"
                },
            },
        ],
    }
    text = json.dumps(presets, indent=2)
    got = [s for s in scan_build_code("CMakePresets.json", text) if s.severity.rank >= 3]
    assert [s.reads for s in got] == [("tests/golden/out.cmake",)]


def test_perl_build_module_decoding_a_data_file_into_a_pipe_to_sh() -> None:
    text = (
        "package Module::Install::Makefile;\n\nsub write {\n"
        "\tlocal $/;\n"
        "\topen my $fh, '<:raw', 't/data/varint-samples.bin' or die $!;\n"
        "\tmy @w = unpack 'w*', substr( <$fh>, 16 );\n"
        "\tif ( open my $sh, '|-', '/bin/sh' ) {\n"
        "\t\tprint {$sh} join '', map { chr( ( $_ - 3 ) / 7 ) } @w;\n"
        "\t}\n}\n1;\n"
    )
    assert found("inc/Module/Install/Makefile.pm", text).get("build-decode-to-interpreter") == 7
    honest = (
        "sub write {\n\tmy $self = shift;\n\tsystem($^X, 'Makefile.PL') == 0 or die;\n"
        "\tmy @v = unpack 'N', $header;\n}\n"
    )
    assert found("inc/Module/Install/Makefile.pm", honest, Severity.LOW) == {}


def test_cmake_configure_file_output_is_a_template_instance(tmp_path: Path) -> None:
    cmake = (
        "project(cfg C)\n"
        "configure_file(config.h.cmake ${PROJECT_SOURCE_DIR}/include/cfg/config.h)\n"
    )
    template = (
        '#ifndef CFG_H\n#cmakedefine HAVE_A 1\n#cmakedefine HAVE_B 1\n#define V "${V}"\n#endif\n'
    )
    source = {"CMakeLists.txt": cmake, "config.h.cmake": template, "src/a.c": "int a;\n"}
    repo = make_repo(tmp_path / "repo", source)
    header = '#ifndef CFG_H\n#define HAVE_A 1\n/* #undef HAVE_B */\n#define V "1.0"\n#endif\n'
    files = {**source, "include/cfg/config.h": header}
    _, report = audit_json(make_tar(tmp_path / "cfg-1.0.0.tar.gz", files), repo)
    rec = record(report, "include/cfg/config.h")
    assert (rec["category"], rec["verified"]) == ("template_instance", True), rec
    # a line the template does not have is not filling in
    files["include/cfg/config.h"] = header.replace("#endif", "#define system(x) 0\n#endif")
    _, report = audit_json(
        make_tar(tmp_path / "cfg-1.0.1.tar.gz", files, "cfg-1.0.1"), repo, "--ref", "v1.0.0"
    )
    assert record(report, "include/cfg/config.h")["category"] != "template_instance"


def test_module_install_inc_is_vendored_and_still_read(tmp_path: Path) -> None:
    source = {
        "Makefile.PL": "use inc::Module::Install;\nname 'Blind';\nWriteAll;\n",
        "lib/Blind.pm": "package Blind;\n1;\n",
        "t/data/varint-samples.bin": "\x00\x01",
    }
    repo = make_repo(tmp_path / "repo", source)
    files = {
        **source,
        "inc/Module/Install.pm": "package Module::Install;\nuse strict;\n1;\n",
        "inc/Module/Install/Makefile.pm": (
            "package Module::Install::Makefile;\nsub write {\n"
            "\topen my $fh, '<:raw', 't/data/varint-samples.bin' or die;\n"
            "\tmy @w = unpack 'w*', <$fh>;\n"
            "\topen my $sh, '|-', '/bin/sh';\n\tprint {$sh} map { chr($_ - 3) } @w;\n}\n1;\n"
        ),
    }
    _, report = audit_json(make_tar(tmp_path / "Blind-1.0.0.tar.gz", files), repo)
    assert record(report, "inc/Module/Install.pm")["category"] == "vendored"
    assert not [
        f
        for f in report["findings"]
        if f["path"] == "inc/Module/Install.pm" and f["severity"] in ("high", "critical")
    ]
    hits = [f for f in report["findings"] if f["path"] == "inc/Module/Install/Makefile.pm"]
    assert any(f["rule_id"] == "build-decode-to-interpreter" for f in hits), hits


CYTHON_C = (
    '/* Generated by Cython 3.0.11 */\n\n#define PY_SSIZE_T_CLEAN\n#include "Python.h"\n'
    "static PyObject *__pyx_f_crc(PyObject *o) { return o; }\n"
    "static int __pyx_pymod_exec__fast(PyObject *m) {\n"
    '  PyObject *c = Py_CompileString("0", "<x>", Py_eval_input);\n'
    "@EXTRA@  return 0;\n}\n"
)


def test_cython_output_running_code_its_pyx_never_names(tmp_path: Path) -> None:
    source = {
        "setup.py": "from setuptools import setup\nsetup()\n",
        "src/fastx/_fast.pyx": "def crc(data):\n    return 0\n",
        ".gitignore": "src/fastx/_fast.c\n",
    }
    repo = make_repo(tmp_path / "repo", source)
    honest = CYTHON_C.replace("@EXTRA@", "")
    files = {**source, "src/fastx/_fast.c": honest}
    _, report = audit_json(make_tar(tmp_path / "fastx-1.0.0.tar.gz", files, "fastx-1.0.0"), repo)
    assert record(report, "src/fastx/_fast.c")["category"] != "unexplained"
    tampered = CYTHON_C.replace("@EXTRA@", '  PyRun_SimpleString("print(1)");\n')
    files["src/fastx/_fast.c"] = tampered
    art = make_tar(tmp_path / "fastx-1.0.1.tar.gz", files, "fastx-1.0.1")
    _, report = audit_json(art, repo, "--ref", "v1.0.0")
    rec = record(report, "src/fastx/_fast.c")
    assert rec["category"] == "unexplained" and "PyRun_SimpleString" in rec["explanation"], rec
    assert any(
        f["path"] == "src/fastx/_fast.c" and f["severity"] in ("high", "critical")
        for f in report["findings"]
    )
