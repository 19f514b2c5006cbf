"""Files a build runs by declaration (chainsight.analyzers.build_hooks), and the Python
and Rust behaviour rules added with them after the third blind round."""

from __future__ import annotations

from collections.abc import Mapping

from chainsight.analyzers.behaviour import build_code_kind, scan_build_code
from chainsight.analyzers.build_hooks import build_hook_files
from chainsight.model import Severity
from chainsight.sources.archive import git_blob_id
from chainsight.trees import Entry, EntryKind, FileTree


def _tree(files: Mapping[str, str]) -> FileTree:
    data = {p: t.encode() for p, t in files.items()}
    entries = {p: Entry(p, EntryKind.FILE, git_blob_id(d), len(d)) for p, d in data.items()}
    by_blob = {git_blob_id(d): d for d in data.values()}
    return FileTree(entries, lambda e: by_blob.get(e.blob_id))


def rules(path: str, text: str, at_least: Severity = Severity.HIGH) -> set[str]:
    return {s.rule_id for s in scan_build_code(path, text) if s.severity.rank >= at_least.rank}


def test_setuptools_hooks_declared_in_pyproject_and_setup_cfg() -> None:
    tree = _tree(
        {
            "pyproject.toml": (
                '[tool.setuptools.cmdclass]\nbuild_py = "_build_support.build_py"\n'
                '[tool.setuptools.dynamic]\nversion = {attr = "pkg._version.__version__"}\n'
                'readme = {file = "README.md"}\n'
            ),
            "_build_support.py": "",
            "src/pkg/__init__.py": "",
            "src/pkg/_version.py": "",
            "src/pkg/core.py": "",
            "setup.cfg": "[metadata]\nlicense = attr: other.LICENSE_NAME\n",
            "other.py": "",
            "README.md": "",
        }
    )
    assert build_hook_files(tree) == {"_build_support.py", "src/pkg/_version.py", "other.py"}


def test_a_proc_macro_crate_and_an_in_tree_backend() -> None:
    tree = _tree(
        {
            "Cargo.toml": '[package]\nname = "m"\n[lib]\nproc-macro = true\n',
            "src/lib.rs": "",
            "src/parse.rs": "",
            "tests/t.rs": "",
            "pyproject.toml": (
                '[build-system]\nbuild-backend = "backend"\nbackend-path = ["_build"]\n'
            ),
            "_build/backend.py": "",
            "_build/other.py": "",
        }
    )
    assert build_hook_files(tree) == {"src/lib.rs", "src/parse.rs", "_build/backend.py"}
    assert build_hook_files(_tree({"Cargo.toml": '[lib]\nname = "x"\n', "src/lib.rs": ""})) == (
        frozenset()
    )
    assert build_hook_files(_tree({"pyproject.toml": "not [toml"})) == frozenset()


def test_procedural_macro_sources_are_rust_build_code() -> None:
    assert build_code_kind("src/lib.rs", "#[proc_macro_derive(Builder)]\npub fn d() {}\n") == "rust"
    assert build_code_kind("src/lib.rs", "pub fn add(a: i32) -> i32 { a }\n") is None


def test_zipimport_of_a_test_archive_runs_it() -> None:
    text = (
        "import os, zipimport\n"
        "archive = os.path.join('tests', 'data', 'sample.zip')\n"
        "spec = zipimport.zipimporter(archive).find_spec('m')\n"
    )
    assert "build-eval-of-computed" in rules("setup.py", text)
    vendored = "import zipimport\nzipimport.zipimporter('vendor/wheels/six.zip')\n"
    assert rules("setup.py", vendored) == set()


def test_libc_system_through_ctypes_of_a_function_result() -> None:
    text = (
        "import codecs, ctypes\n"
        "def exceptions():\n"
        "    with open('tests/data/words-en.txt') as fh:\n"
        "        return codecs.decode(fh.read(), 'rot_13')\n"
        "table = exceptions()\n"
        "libc = ctypes.CDLL(None)\n"
        "libc.system(table.encode())\n"
    )
    assert "build-decode-to-interpreter" in rules("setup.py", text)
    quiet = "import ctypes\nlibc = ctypes.CDLL(None)\nprint(libc.getpid())\n"
    assert rules("setup.py", quiet, Severity.LOW) == set()


def test_a_builtin_fetched_by_name_is_exec() -> None:
    text = (
        "data = open('tests/files/table.bin', 'rb').read()[16:]\n"
        '__import__("builtins").__dict__["".join(("ex", "ec"))](data)\n'
    )
    found = {s.rule_id: s.line for s in scan_build_code("setup.py", text)}
    assert found.get("build-eval-of-computed") == 2
    harmless = "import builtins\ngetattr(builtins, 'print')('hello')\n"
    assert rules("setup.py", harmless, Severity.LOW) == set()
