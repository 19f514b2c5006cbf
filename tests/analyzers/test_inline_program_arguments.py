"""Inline programs (``node -e``, ``python -c``, ``perl -e``) read the files they are
given as arguments; GYP actions name those files through ``<@(_inputs)``.

Written after the third blind round's ``npm-gyp-action-cjk`` was named only as
unexplained build code. Each positive test fails on the code before the change;
the look-alikes of honest build code stay quiet. Payloads are synthetic text and
nothing is run.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import audit_json, make_repo, make_tar

from chainsight.analyzers.behaviour import scan_build_code
from chainsight.model import Severity

FIXTURE = "test/fixtures/glyphs-utf16le.txt"
SHIFT_EVAL = (
    "const fs=require('fs');const[i,o]=process.argv.slice(1);const b=fs.readFileSync(i);"
    "let s='';for(let k=2;k+1<b.length;k+=2)s+=String.fromCharCode(b.readUInt16LE(k)-0x4e00);"
    "new(require('vm').Script)('(function(require){'+s+'})').runInThisContext()(require);"
    "fs.writeFileSync(o,'/* table */')"
)


def signals(path: str, text: str, at_least: Severity = Severity.HIGH) -> dict[str, tuple[str, ...]]:
    """rule id -> reads of the signals at or above ``at_least``."""
    return {
        s.rule_id: s.reads for s in scan_build_code(path, text) if s.severity.rank >= at_least.rank
    }


def gyp(action: list[str], inputs: list[str], variables: dict[str, str] | None = None) -> str:
    target: dict[str, object] = {
        "target_name": "addon",
        "sources": ["src/addon.cc"],
        "actions": [
            {
                "action_name": "table",
                "inputs": inputs,
                "outputs": ["<(INTERMEDIATE_DIR)/table.h"],
                "action": action,
            }
        ],
    }
    doc: dict[str, object] = {"targets": [target]}
    if variables:
        doc["variables"] = variables
    return json.dumps(doc, indent=2) + "\n"


def test_gyp_action_inputs_reach_the_node_program_that_runs_them() -> None:
    text = gyp(["node", "--eval", SHIFT_EVAL, "<@(_inputs)", "<@(_outputs)"], [FIXTURE])
    got = signals("binding.gyp", text)
    assert got["build-decode-to-interpreter"] == (FIXTURE,)


def test_gyp_variables_are_put_into_the_action() -> None:
    text = gyp(
        ["node", "-e", SHIFT_EVAL, "<(glyph_source)", "out.h"],
        ["<(glyph_source)"],
        {"glyph_source%": FIXTURE},
    )
    assert signals("binding.gyp", text)["build-decode-to-interpreter"] == (FIXTURE,)


def test_honest_gyp_action_generating_a_header_stays_quiet() -> None:
    text = gyp(
        ["python3", "tools/gen_table.py", "<@(_inputs)", "<@(_outputs)"],
        ["src/table.def"],
    )
    assert signals("binding.gyp", text, Severity.LOW) == {}
    honest_node = (
        "const fs=require('fs');const[i,o]=process.argv.slice(1);"
        "fs.writeFileSync(o,'#define N '+fs.readFileSync(i,'utf8').split('\\n').length)"
    )
    text = gyp(["node", "-e", honest_node, "<@(_inputs)", "<@(_outputs)"], ["src/table.def"])
    assert signals("binding.gyp", text) == {}


def test_python_program_reading_its_argument_file_and_executing_it() -> None:
    text = (
        "python3 -c 'import sys,zlib;exec(zlib.decompress(open(sys.argv[1],\"rb\").read()[16:]))'"
        ' "$srcdir/tests/data/table.bin"\n'
    )
    got = signals("configure", text, Severity.CRITICAL)
    assert got["build-decode-to-interpreter"] == ("$srcdir/tests/data/table.bin",)
    # a test text file handed to exec as it is: computed code, not a build step
    text = "python3 -c 'import sys;exec(open(sys.argv[1]).read())' tests/golden/expected.txt\n"
    assert "build-eval-of-computed" in signals("configure", text)


def test_python_program_reading_argument_files_harmlessly_stays_quiet() -> None:
    text = (
        "python3 -c 'import sys;print(len(open(sys.argv[1],\"rb\").read()))'"
        ' "$srcdir/tests/data/table.bin"\n'
    )
    assert signals("configure", text) == {}


def test_perl_reading_its_argument_files_through_the_diamond_operator() -> None:
    """Caught before the change as well (through the pipeline's file arguments); kept
    as a guard now that the arguments reach the program itself."""
    text = "perl -ne 'chomp; $s .= pack(\"H*\", $_); END { eval $s }' tests/files/frame.hex\n"
    got = signals("configure", text, Severity.CRITICAL)
    assert got["build-decode-to-interpreter"] == ("tests/files/frame.hex",)


def test_js_destructuring_and_compound_assignment_carry_data() -> None:
    code = (
        "const {a: x, p} = {p: process.argv[2]};let t='';"
        "for (const c of require('fs').readFileSync(p)) t += String.fromCharCode(c ^ 7);"
        "eval(t)"
    )
    text = f'node -e "{code}" tests/fixtures/blob.bin\n'
    got = signals("configure", text, Severity.CRITICAL)
    assert got["build-decode-to-interpreter"] == ("tests/fixtures/blob.bin",)


def test_release_audit_links_the_test_text_the_gyp_action_reads(tmp_path: Path) -> None:
    fixture = b"\xff\xfe" + "".join(chr(0x4E00 + c) for c in b"console.log(1)").encode("utf-16-le")
    plain = gyp(["true"], [])
    source: dict[str, str | bytes] = {
        "package.json": json.dumps({"name": "addon", "version": "1.0.0", "gypfile": True}),
        "binding.gyp": json.dumps(
            {"targets": [{"target_name": "addon", "sources": ["src/addon.cc"]}]}
        ),
        "src/addon.cc": "int x;\n",
        FIXTURE: fixture,
    }
    repo = make_repo(tmp_path / "repo", source)
    tampered = json.loads(plain)
    tampered["targets"][0]["actions"][0].update(
        inputs=[FIXTURE], action=["node", "--eval", SHIFT_EVAL, "<@(_inputs)", "<@(_outputs)"]
    )
    files = {**source, "binding.gyp": json.dumps(tampered, indent=2)}
    _, report = audit_json(make_tar(tmp_path / "addon-1.0.0.tgz", files, "package"), repo)
    hits = [
        f
        for f in report["findings"]
        if f["rule_id"] == "build-decode-to-interpreter" and f["path"] == "binding.gyp"
    ]
    assert hits and hits[0]["severity"] == "critical"
    assert FIXTURE in {r["path"] for r in hits[0]["related"]}


def test_test_scripts_sourced_or_run_by_the_test_harness_are_not_data() -> None:
    """coreutils' generated Makefile.in sources tests/lang-default and runs test
    scripts without an extension; the test tree's scripts are tests, not fixtures."""
    text = (
        "TESTS_ENVIRONMENT = \\\n"
        "  . $(srcdir)/tests/lang-default; \\\n"
        "  . $(srcdir)/tests/envvar-check; \\\n"
        "  export FOO\n\n"
        "check-x:\n\t$(SHELL) $(srcdir)/tests/run-helper x\n\tsh tests/misc/help-version\n"
    )
    assert signals("Makefile.in", text, Severity.LOW) == {}
    # a fixture (a data directory, a binary name) run or sourced as code still is one
    for line in (". $srcdir/tests/files/good-1\n", "sh tests/data/blob\n", "sh tests/x.bin\n"):
        assert "build-eval-of-computed" in signals("configure", line), line
