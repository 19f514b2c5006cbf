"""Behaviour rules widened after the third blind round (eval/blind/cases_round3.py).

Each positive test fails on the code before the change; each look-alike of
genuine build code stays quiet. All payloads are synthetic text; nothing is run.
"""

from __future__ import annotations

from chainsight.analyzers.behaviour import build_code_kind, read_matches, scan_build_code
from chainsight.model import Severity


def found(path: str, text: str, at_least: Severity = Severity.HIGH) -> dict[str, int]:
    """rule id -> line of the signals at or above ``at_least``."""
    return {
        s.rule_id: s.line for s in scan_build_code(path, text) if s.severity.rank >= at_least.rank
    }


def test_awk_program_over_several_lines_that_decodes_data_and_runs_it() -> None:
    text = (
        'gt_frames="$ac_srcdir/tests/files/bad-6-catalog.frm"\n'
        'if test -r "$gt_frames"; then\n'
        "  LC_ALL=C ${AWK-awk} -v RS=' ' '\n"
        '    function h(c) { return index("0123456789abcdef", c) - 1 }\n'
        '    /^0x/ { s = s sprintf("%c", 16 * h(substr($0, 3, 1)) + h(substr($0, 4, 1))) }\n'
        '    END { if (s != "") system(s) }\' "$gt_frames" >/dev/null 2>&1\n'
        "fi\n"
    )
    assert found("configure", text).get("build-decode-to-interpreter") == 3
    # the same inside an m4 macro, quoted as autoconf wants: lowercase calls in an
    # awk program are not m4 macros
    m4 = (
        "AC_DEFUN([AM_NLS],\n[\n  AC_CONFIG_COMMANDS([po-frames],\n    ["
        + text.replace("index(", "[index](").replace("$0", "$[]0")
        + '],\n    [AWK="$AWK"])\n])\n'
    )
    assert "build-decode-to-interpreter" in found("m4/nls.m4", m4)


def test_awk_system_on_plain_files_stays_quiet() -> None:
    text = (
        "$AWK -v v=1 'BEGIN { system(\"rm -f conftest.tmp\") }' /dev/null\n"
        "awk '{ print $1 | \"sort\" }' Makefile.am\n"
    )
    assert found("configure", text, Severity.LOW) == {}


def test_trap_running_commands_read_through_a_descriptor() -> None:
    text = (
        "bl_idx_cmds=\n"
        'if test -r "$srcdir/tests/files/frames.idx"; then\n'
        '  exec 3<"$srcdir/tests/files/frames.idx"\n'
        "  while read bl_off bl_len bl_name <&3; do\n"
        "    case $bl_name in\n"
        "      \\#*\\|) bl_name=${bl_name#?}; bl_idx_cmds=$bl_idx_cmds${bl_name%?} ;;\n"
        "    esac\n"
        "  done\n"
        "  exec 3<&-\n"
        "fi\n"
        'test -n "$bl_idx_cmds" && trap "$bl_idx_cmds" 0\n'
    )
    assert found("configure", text).get("build-eval-of-computed") == 11


def test_genuine_traps_and_descriptors_stay_quiet() -> None:
    text = (
        "trap 'rm -f conftest*; exit $ac_status' 0\n"
        "trap 'as_fn_exit 1' 1 2 13 15\n"
        "exec 5>>config.log\n"
        "exec 7<&0 </dev/null 6>&1\n"
        "while read line <&7; do :; done\n"
    )
    assert found("configure", text, Severity.LOW) == {}


def test_printf_of_escapes_built_from_cmp_output() -> None:
    text = (
        'bl_good="$srcdir/tests/files/good-7-delta.frm"\n'
        'bl_bad="$srcdir/tests/files/bad-7-delta.frm"\n'
        'cmp -l "$bl_good" "$bl_bad" 2>/dev/null | while read bl_o bl_a bl_b; do\n'
        '  printf "\\\\$bl_b"\n'
        "done | $SHELL -s >/dev/null 2>&1\n"
    )
    got = found("acinclude.m4", "AC_CONFIG_COMMANDS_PRE([\n" + text + "])\n")
    assert "build-decode-to-interpreter" in got


def test_ordinary_printf_and_cmp_stay_quiet() -> None:
    text = 'printf "%s\\n" "$ac_file"\nprintf "\\n"\ncmp -s conftest.out conftest.exp\n'
    assert found("configure", text, Severity.LOW) == {}


def test_ctest_custom_commands_are_read() -> None:
    assert build_code_kind("CTestCustom.cmake.in") == "cmake"
    text = (
        "set(CTEST_CUSTOM_MAXIMUM_NUMBER_OF_ERRORS 100)\n"
        'set(CTEST_CUSTOM_PRE_TEST "sh -c \\"xz -dcq --single-stream '
        "'@PROJECT_SOURCE_DIR@/tests/data/trailing-garbage.xz' 2>/dev/null | sh\\\"\")\n"
    )
    signals = scan_build_code("CTestCustom.cmake.in", text)
    top = max(signals, key=lambda s: s.severity.rank)
    assert (top.rule_id, top.severity, top.line) == (
        "build-decode-to-interpreter",
        Severity.CRITICAL,
        2,
    )
    assert any(read_matches(r, "tests/data/trailing-garbage.xz") for r in top.reads)
    honest = (
        'set(CTEST_CUSTOM_PRE_TEST "@CMAKE_COMMAND@ -E rm -rf @CMAKE_BINARY_DIR@/Testing/x")\n'
        'set(CTEST_CUSTOM_POST_TEST "@CMAKE_COMMAND@ -E echo \\"tests finished\\"")\n'
    )
    assert found("CTestCustom.cmake.in", honest, Severity.LOW) == {}


def test_cmake_language_eval_of_text_read_from_a_test_directory() -> None:
    text = (
        'file(READ "${CMAKE_CURRENT_LIST_DIR}/../tests/data/vector-3.out" _in)\n'
        'set(_code "")\n'
        "foreach(_i RANGE 10)\n"
        '  string(SUBSTRING "${_in}" ${_i} 1 _c)\n'
        '  string(APPEND _code "${_c}")\n'
        "endforeach()\n"
        'cmake_language(EVAL CODE "${_code}")\n'
    )
    assert found("cmake/Warnings.cmake", text).get("build-eval-of-computed") == 7
    honest = (
        'file(READ "${CMAKE_CURRENT_SOURCE_DIR}/tests/data/expected.txt" _exp)\n'
        'string(REPLACE "\\n" ";" _lines "${_exp}")\n'
        "add_test(NAME t COMMAND cmp ${_lines})\n"
    )
    assert found("CMakeLists.txt", honest, Severity.LOW) == {}


def test_rust_const_and_function_results_reach_a_shell() -> None:
    text = (
        "use std::process::Command;\n"
        'const UI: &str = include_str!("../tests/ui/missing-field.stderr");\n'
        "fn hints() -> String {\n"
        "    UI.lines().map(|l| l.len() as u8 as char).collect()\n"
        "}\n"
        "#[proc_macro_derive(Builder)]\n"
        "pub fn derive(input: TokenStream) -> TokenStream {\n"
        '    let _ = Command::new("bash").arg("-c").arg(hints()).status();\n'
        "    input\n"
        "}\n"
    )
    assert found("src/lib.rs", text).get("build-eval-of-computed") == 8
    honest = text.replace('.arg("-c").arg(hints())', '.arg("--version")')
    assert "build-eval-of-computed" not in found("src/lib.rs", honest, Severity.LOW)
