"""gnulib-tool's copies and generated parsers in a GNU-style release.

Written after coreutils 9.1, gzip 1.12 and diffutils 3.8 (genuine releases) gave
about 1,300 high findings and a critical each: the files bootstrap copies from the
gnulib submodule into lib/, gnulib-tests/ and the top directory. The fixtures are
a small synthetic "gnulib" pinned as a submodule and a release made from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import audit_json, git, make_repo, make_tar, record

GNULIB = {
    "lib/xmalloc.c": (
        "#ifdef HAVE_CONFIG_H\n# include <config.h>\n#endif\nint xmalloc_die(void) { return 1; }\n"
    ),
    "lib/glthread/lock.c": "int gl_lock(void) { return 0; }\n",
    "tests/test-xalloc.c": "int main(void) { return xmalloc_die() - 1; }\n",
    "top/maint.mk": "# maint.mk of the synthetic gnulib\nsyntax-check:\n\t@echo ok\n",
    "modules/xalloc": "Files:\nlib/xmalloc.c\n",
}
PROJECT = {
    "README": "GNU hello-like tool\n",
    "configure.ac": "AC_INIT([tool], [1.0])\ngl_EARLY\nAC_OUTPUT\n",
    "Makefile.am": "SUBDIRS = lib\n",
    "bootstrap.conf": "gnulib_modules='xalloc'\n",
    "src/main.c": "int main(void) { return 0; }\n",
    "lib/parse-date.y": "%{\n/* grammar */\n%}\n%%\ninput: ;\n%%\n",
}
BISON_OUTPUT = (
    "/* A Bison parser, made by GNU Bison 3.8.2.  */\n\n"
    '#line 1 "parse-date.y"\n/* grammar */\nint yyparse(void) { return 0; }\n'
)


def _project(tmp_path: Path) -> Path:
    sub = make_repo(tmp_path / "gnulib", GNULIB, tag=None)
    main = make_repo(tmp_path / "tool", PROJECT, tag=None)
    git(main, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "gnulib")
    git(main, "commit", "-q", "-m", "pin gnulib")
    git(main, "tag", "-a", "v1.0", "-m", "release 1.0")
    return main


def _release(tmp_path: Path, **changed: str) -> Path:
    files = dict(PROJECT)
    files.update(
        {
            "lib/xmalloc.c": GNULIB["lib/xmalloc.c"],
            "lib/glthread/lock.c": GNULIB["lib/glthread/lock.c"],
            "gnulib-tests/test-xalloc.c": GNULIB["tests/test-xalloc.c"],
            "m4/gnulib-comp.m4": (
                "# DO NOT EDIT! GENERATED AUTOMATICALLY!\nAC_DEFUN([gl_EARLY], [])\n"
            ),
            "lib/parse-date.c": BISON_OUTPUT,
        }
    )
    files.update({k.replace("__", "/").replace("_dot_", "."): v for k, v in changed.items()})
    return make_tar(tmp_path / "out" / "tool-1.0.tar.gz", files, prefix="tool-1.0")


def _high(report: dict[str, Any]) -> list[str]:
    return [f["path"] for f in report["findings"] if f["severity"] in ("high", "critical")]


def test_copies_identical_to_the_pinned_gnulib_are_verified(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    assert (repo / ".git" / "modules" / "gnulib").is_dir()
    _, report = audit_json(_release(tmp_path), repo, "--ref", "v1.0")
    for path in ("lib/xmalloc.c", "lib/glthread/lock.c", "gnulib-tests/test-xalloc.c"):
        rec = record(report, path)
        assert (rec["category"], rec["verified"]) == ("vendored", True), rec
        assert "pins for submodule gnulib" in rec["explanation"]
    assert record(report, "m4/gnulib-comp.m4")["category"] == "autotools_output"
    parser = record(report, "lib/parse-date.c")
    assert parser["category"] == "build_output" and "lib/parse-date.y" in parser["explanation"]
    assert _high(report) == []


def test_a_copy_that_differs_from_the_pinned_gnulib_is_not_explained(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    tampered = GNULIB["lib/xmalloc.c"].replace("return 1;", 'system(getenv("X")); return 1;')
    _, report = audit_json(_release(tmp_path, lib__xmalloc_dot_c=tampered), repo, "--ref", "v1.0")
    assert record(report, "lib/xmalloc.c")["category"] == "unexplained"
    assert "lib/xmalloc.c" in _high(report)


def test_gnulib_tools_preprocessor_rewrite_is_plausible_and_shown(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    rewritten = GNULIB["lib/xmalloc.c"].replace("#ifdef HAVE_CONFIG_H", "#if 1")
    _, report = audit_json(_release(tmp_path, lib__xmalloc_dot_c=rewritten), repo, "--ref", "v1.0")
    rec = record(report, "lib/xmalloc.c")
    assert (rec["category"], rec["verified"]) == ("vendored", False), rec
    assert "#if 1" in rec["explanation"]
    assert "lib/xmalloc.c" not in _high(report)


def test_without_gnulibs_objects_known_gnulib_names_are_plausible(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    # names gnulib really has (from gnulib's history): lib/xmalloc.c, lib/glthread/lock.c
    _, report = audit_json(
        _release(tmp_path, lib__made_up_thing_dot_c="int x;\n"), bare, "--ref", "v1.0"
    )
    for path in ("lib/xmalloc.c", "lib/glthread/lock.c"):
        rec = record(report, path)
        assert (rec["category"], rec["verified"]) == ("vendored", False), rec
        assert "not available here" in rec["explanation"]
    # a name gnulib never had is still unexplained code
    assert record(report, "lib/made_up_thing.c")["category"] == "unexplained"
    assert "lib/made_up_thing.c" in _high(report)


def test_generated_parser_without_its_grammar_is_not_explained(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    orphan = BISON_OUTPUT.replace("parse-date.y", "scan-args.y")
    _, report = audit_json(_release(tmp_path, src__scan_args_dot_c=orphan), repo, "--ref", "v1.0")
    assert record(report, "src/scan_args.c")["category"] == "unexplained"


def test_a_changed_define_is_not_a_gnulib_tool_rewrite(tmp_path: Path) -> None:
    repo = _project(tmp_path)
    changed = GNULIB["lib/xmalloc.c"].replace(
        "# include <config.h>", '# define xmalloc_die() system(getenv("X"))'
    )
    _, report = audit_json(_release(tmp_path, lib__xmalloc_dot_c=changed), repo, "--ref", "v1.0")
    assert record(report, "lib/xmalloc.c")["category"] == "unexplained"
