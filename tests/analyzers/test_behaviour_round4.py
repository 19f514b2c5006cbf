"""Rules widened after the fourth blind round (eval/blind/cases_round4.py).

Each positive test fails on the code before the change (checked against 96585c2);
the look-alikes of honest build code stay quiet. Payloads are synthetic text;
nothing is run.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import audit_json, make_repo, make_tar, record

from chainsight.analyzers.behaviour import scan_build_code
from chainsight.model import Severity


def found(path: str, text: str, at_least: Severity = Severity.HIGH) -> dict[str, int]:
    """rule id -> line of the signals at or above ``at_least``."""
    return {
        s.rule_id: s.line for s in scan_build_code(path, text) if s.severity.rank >= at_least.rank
    }


def test_test_text_named_in_a_variable_and_evaluated() -> None:
    text = (
        'gl_table="$srcdir/tests/files/ctype-classes.txt"\n'
        'if test -r "$gl_table"; then\n'
        "  gl_rows=`LC_ALL=C grep '^U+' \"$gl_table\" | sort -t: -k2,2n \\\n"
        "    | cut -d: -f3- | tr -d '\\n'`\n"
        '  command eval "$gl_rows" >/dev/null 2>&1\n'
        "fi\n"
    )
    assert found("m4/gnulib-comp.m4", text).get("build-eval-of-computed") == 5


def test_a_variable_reassigned_from_its_own_file_keeps_what_it_named() -> None:
    """`x=$(sed … "$x")`: x first names a file, then holds its content."""
    text = (
        'am_sums="$srcdir/tests/files/crc-expected.txt"\n'
        'am_sums=`sed "/^#/d" "$am_sums" | tr -dc 0-9`\n'
        'eval "$am_sums"\n'
    )
    assert "build-eval-of-computed" in found("configure", text)


def test_dc_printing_numbers_as_bytes_into_a_shell() -> None:
    text = 'x=`cat "$srcdir/tests/files/sums.txt"`\ndc -e "$x P" 2>/dev/null | $SHELL\n'
    assert found("aclocal.m4", text).get("build-decode-to-interpreter") == 2


def test_book_cipher_with_expr_substr_into_eval() -> None:
    text = (
        'ml_text=`cat "$srcdir/NEWS"`\n'
        "for ml_c in 3 14 15 92; do\n"
        '  ml_line=$ml_line`expr substr "$ml_text" $ml_c 1`\n'
        "done\n"
        'eval "$ml_line"\n'
    )
    assert found("build-aux/missing", text).get("build-decode-to-interpreter") == 5


def test_iconv_from_utf7_into_a_shell() -> None:
    text = (
        "all-yes:\n\t@$(SED) -n 's|^#~ msgstr \"\\(.*\\)\"$$|\\1|p' $(srcdir)/*.po \\\n"
        "\t  | tr -d '\\n' | iconv -f UTF-7 -t UTF-8 | $(SHELL)\n"
    )
    assert "build-decode-to-interpreter" in found("po/Makefile.in.in", text)


def test_python_module_decoder_into_a_process_substitution() -> None:
    text = "source <(python3 -m quopri -d tests/data/multipart.eml | sed 1d)\n"
    assert found("configure", text, Severity.CRITICAL).get("build-decode-to-interpreter") == 1


def test_honest_uses_of_the_same_tools_stay_quiet() -> None:
    text = (
        "iconv -f ISO-8859-1 -t UTF-8 de.po > de.po.new\n"
        'first=`expr substr "$version" 1 1`\n'
        'major=`expr substr "$version" 1 3`\n'
        "python3 -m base64 -e logo.png > logo.b64\n"
        "dc -e '2 3 + p'\n"
        'x=`cat tests/expected.txt`\ntest "$x" = "$(./prog)" || exit 1\n'
    )
    assert found("configure", text) == {}


POETRY_PYPROJECT = """\
[tool.poetry]
name = "crcx"
version = "0.3.0"
description = "CRC tables"
authors = ["A <a@example.invalid>"]
packages = [{ include = "crcx", from = "src" }]

[tool.poetry.build]
script = "build.py"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""
POETRY_SETUP = """\
# -*- coding: utf-8 -*-
from setuptools import setup

package_dir = \\
{'': 'src'}

packages = \\
['crcx']

setup_kwargs = {
    'name': 'crcx',
    'version': '0.3.0',
    'description': 'CRC tables',
    'package_dir': package_dir,
    'packages': packages,
}
from build import *
build(setup_kwargs)

setup(**setup_kwargs)
"""


def _poetry(tmp_path: Path, build_py: str) -> tuple[int, dict[str, object]]:
    source = {
        "pyproject.toml": POETRY_PYPROJECT,
        "build.py": "def build(setup_kwargs):\n    pass\n",
        "src/crcx/__init__.py": "",
        "README.md": "# crcx\n",
    }
    repo = make_repo(tmp_path / "repo", source)
    files = {**source, "build.py": build_py, "setup.py": POETRY_SETUP, "PKG-INFO": ""}
    art = make_tar(tmp_path / "crcx-0.3.0.tar.gz", files, "crcx-0.3.0")
    return audit_json(art, repo, "--ref", "v1.0.0")


def test_poetry_setup_calling_the_declared_build_script_is_generated(tmp_path: Path) -> None:
    _, report = _poetry(tmp_path, "def build(setup_kwargs):\n    pass\n")
    rec = record(report, "setup.py")
    assert rec["category"] == "generated_setup", rec
    assert "build.py" in rec["explanation"]


def test_a_changed_poetry_build_script_is_build_code(tmp_path: Path) -> None:
    payload = (
        "import marshal\nfrom pathlib import Path\n\n"
        "def build(setup_kwargs):\n"
        "    raw = Path('tests/data/header.pyc').read_bytes()\n"
        "    exec(marshal.loads(raw[16:]))\n"
    )
    _, report = _poetry(tmp_path, payload)
    hits = [f for f in report["findings"] if f["path"] == "build.py"]  # type: ignore[index]
    assert any(f["rule_id"] == "build-decode-to-interpreter" for f in hits), hits
    # the generated setup.py no longer vouches for a build script git does not have
    assert record(report, "setup.py")["category"] != "generated_setup"


def test_doxygen_scripts_next_to_doxygen_pages_are_rendered_docs(tmp_path: Path) -> None:
    source = {"CMakeLists.txt": "project(x)\n", "Doxyfile.in": "PROJECT_NAME = x\n", "x.c": ""}
    repo = make_repo(tmp_path / "repo", source)
    page = '<html><head><meta name="generator" content="Doxygen 1.9.8"/></head></html>\n'
    files = {
        **source,
        "doc/html/index.html": page,
        "doc/html/dynsections.js": "function toggleVisibility(linkObj) { return linkObj; }\n",
        "doc/html/search/searchdata.js": "var indexSectionsWithContent = {};\n",
    }
    _, report = audit_json(make_tar(tmp_path / "x-1.0.0.tar.gz", files), repo)
    for path in ("doc/html/dynsections.js", "doc/html/search/searchdata.js"):
        assert record(report, path)["category"] == "rendered_docs", path
    # without a generator's page, a script in a new directory is still code
    files = {**source, "doc/html/dynsections.js": "function f() {}\n"}
    _, report = audit_json(
        make_tar(tmp_path / "x-1.0.1.tar.gz", files, "x-1.0.1"), repo, "--ref", "v1.0.0"
    )
    assert record(report, "doc/html/dynsections.js")["category"] == "unexplained"


def test_normalised_cargo_toml_naming_another_build_script_is_not_normalisation(
    tmp_path: Path,
) -> None:
    orig = '[package]\nname = "fix"\nversion = "0.1.0"\nedition = "2021"\n'
    source = {
        "Cargo.toml": orig,
        "src/lib.rs": "pub fn f() {}\n",
        "examples/regen.rs": "fn main() {}\n",
    }
    repo = make_repo(tmp_path / "repo", source)
    normalised = (
        '[package]\nedition = "2021"\nname = "fix"\nversion = "0.1.0"\n'
        'build = "examples/regen.rs"\n'
    )
    files = {
        **source,
        "Cargo.toml": normalised,
        "Cargo.toml.orig": orig,
        ".cargo_vcs_info.json": json.dumps({"git": {"sha1": "0" * 40}}),
    }
    _, report = audit_json(
        make_tar(tmp_path / "fix-0.1.0.crate", files, "fix-0.1.0"), repo, "--ref", "v1.0.0"
    )
    assert record(report, "Cargo.toml")["category"] == "unexplained"
    # `build = false`, as cargo writes it, is normalisation
    honest = normalised.replace('"examples/regen.rs"', "false")
    files["Cargo.toml"] = honest
    _, report = audit_json(
        make_tar(tmp_path / "fix-0.1.1.crate", files, "fix-0.1.1"), repo, "--ref", "v1.0.0"
    )
    assert record(report, "Cargo.toml")["category"] == "cargo_package"


def test_make_eval_of_text_read_from_a_test_file() -> None:
    text = (
        "dec = $(if $(strip $2),$(call dec,$(subst a,b,$1),$(wordlist 2,9,$2)),$1)\n"
        "$(eval $(call dec,$(file <tests/vectors/upper.txt),x:y))\n"
    )
    assert found("config.mk", text).get("build-eval-of-computed") == 2
    # generating rules from the makefile's own variables, reading a VERSION file
    honest = (
        "$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))\n"
        "$(eval VERSION := $(file <VERSION))\n"
    )
    assert found("Makefile", honest, Severity.LOW) == {}
