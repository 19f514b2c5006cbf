"""One-pass multi-pattern scanning (Hyperscan, cached) and its agreement with ``re``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from chainsight import multiscan
from chainsight.analyzers.behaviour import shell
from chainsight.multiscan import PatternSet

hyperscan = pytest.importorskip("hyperscan", reason="hyperscan is x86-64 Linux only")

PATTERNS = [
    rb"[\s|;]tr(?=[\s;|])",  # a trailing lookahead: the match ends on the byte it looked at
    rb"\|\s*sh\b",
    rb"\.(?:xz|lzma)(?=[\s\"']|$)",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHAINSIGHT_CACHE", str(tmp_path))
    monkeypatch.delenv("CHAINSIGHT_NO_HYPERSCAN", raising=False)
    monkeypatch.setattr(multiscan, "_cache_dir", None)  # an earlier audit's --cache-dir
    return tmp_path / "hyperscan"


def _re_ends(pattern: bytes, data: bytes) -> set[int]:
    """What ``ends`` promises, computed with re: the last byte of each match, or the
    byte a trailing lookahead looked at (none at the end of the data)."""
    lookahead = b"(?=" in pattern
    return {
        m.end() if lookahead and m.end() < len(data) else m.end() - 1
        for m in re.finditer(pattern, data)
    }


def test_ends_agree_with_re(cache: Path) -> None:
    data = b'x=$(cat a.xz | tr a-z n-za-m |  sh)\nb.lzma\n echo tr\n"c.xz"'
    ends = PatternSet("t", PATTERNS).ends(data)
    assert ends is not None
    for pattern, found in zip(PATTERNS, ends, strict=True):
        assert found == _re_ends(pattern, data), pattern
    assert ends[0] and ends[1] and ends[2]


def test_database_is_cached_and_reused(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = PatternSet("t", PATTERNS)
    assert first.available
    files = list(cache.glob("t-*.db"))
    assert len(files) == 1

    class NoCompile:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("compiled again instead of loading the cached database")

    monkeypatch.setattr(hyperscan, "Database", NoCompile)
    second = PatternSet("t", PATTERNS)
    assert second.ends(b" tr |sh") == [{3}, {6}, set()]


def test_other_patterns_get_another_database(cache: Path) -> None:
    PatternSet("t", PATTERNS).ends(b"")
    PatternSet("t", PATTERNS[:2]).ends(b"")
    assert len(list(cache.glob("t-*.db"))) == 2


def test_corrupt_cache_is_rebuilt(cache: Path) -> None:
    PatternSet("t", PATTERNS).ends(b"")
    (path,) = cache.glob("t-*.db")
    path.write_bytes(b"not a database")
    again = PatternSet("t", PATTERNS)
    assert again.ends(b"| sh") == [set(), {3}, set()]
    assert path.read_bytes() != b"not a database"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_no_writable_cache_means_re(cache: Path) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.parent.chmod(0o500)
    try:
        ps = PatternSet("t", PATTERNS)
        assert not ps.available
        assert ps.ends(b"| sh") is None
    finally:
        cache.parent.chmod(0o700)


def test_unwritable_cache_path_means_re(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would go")
    monkeypatch.setenv("CHAINSIGHT_CACHE", str(blocker))
    monkeypatch.setattr(multiscan, "_cache_dir", None)
    ps = PatternSet("t", PATTERNS)
    assert not ps.available
    assert ps.ends(b"| sh") is None


def test_switched_off_by_environment(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINSIGHT_NO_HYPERSCAN", "1")
    ps = PatternSet("t", PATTERNS)
    assert not ps.available
    assert ps.ends(b"| sh") is None
    assert not cache.exists()


def _re_prefilter(
    analyzer: shell.ShellAnalyzer,
) -> tuple[set[int], set[int], set[int], set[int]]:
    joined = analyzer._joined
    lit = shell._lit_regex(tuple(True for _ in shell._LIT_PIECES))
    assert lit is not None

    def lines(rx: re.Pattern[str]) -> set[int]:
        return {analyzer._line_index(m.end() - 1) for m in rx.finditer(joined)}

    # the trigger is searched line by line, each line between newlines
    triggered = {
        i for i, line in enumerate(analyzer.lines) if shell._TRIGGER.search("\n" + line + "\n")
    }
    plain, qual = lines(shell._PREFILTER_PLAIN), lines(shell._PREFILTER_QUAL)
    return plain, qual, triggered, lines(lit)


TEXTS = {
    "ascii": (
        "#!/bin/sh\n"
        "gl_x=`sed -i -e s/a/b/ Makefile`\n"
        "cat tests/files/a.bin | tr '\\t -_' ' \\t_-' | xz -d | $SHELL\n"
        "echo ok  # tr head tail\n"
        "eval \"$(printf '\\x41\\x42')\"\n"
        "find . -name '*.lzma'\n"
        "done | sh\n"
    ),
    # multi-byte characters before the matches shift byte offsets from character ones
    "non-ascii": (
        "# Übersetzung: café, naïve, 日本語\n"
        "ÄÖÜ=1; x=$(head -c 1024 données.bin | base64 -d)\n"
        "y=`echo « tr » | rev`; echo ✓ | sh\n"
        "grep -ar marker tests/ 2>/dev/null\n"
    ),
    # Unicode spaces are not shell delimiters; ASCII classes ignore them on both paths
    "unicode-space": "a=1\u00a0tr x y\nb=1\u2028xz -d f.xz | sh\n",
    # the trigger's branches, and near misses that span two lines
    "trigger": (
        "$SED -i -e 's/x/y/' Makefile\n$SED\n-i x\n"
        "python3 -c 'print(1)'\nperl -w\n-e 1\n"
        "grep -r needle .\n$EGREP -a x f\ngit clone u\ngit\nclone u\n"
        "cp a Makefile\nmv b\nlibtool\ny/abc/def/ x\necho y%a%b%\n"
        "done |\nfi | sh\n>> Makefile.in\n$(suffix $x)\n$(suffix\n"
        "echo \\x41\\x42 \\101\\102\\103\\104\n"
        "f=tests/files/x.bin\ncat data.lzma\ncat data.lzmax\n"
    ),
}


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("dialect", ["sh", "make", "m4"])
def test_shell_prefilter_lines_agree(name: str, dialect: str) -> None:
    if not shell._PREFILTERS.available:
        pytest.skip("no Hyperscan database (cache not writable)")
    analyzer = shell.ShellAnalyzer(TEXTS[name], dialect, "configure")
    fast = analyzer._prefilter_lines()
    assert fast is not None
    assert fast == _re_prefilter(analyzer)
    assert any(fast)
    if name == "trigger":
        assert len(fast[2]) >= 12, fast[2]


def test_module_reports_absence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINSIGHT_NO_HYPERSCAN", "1")
    assert multiscan._hyperscan() is None


INJECTED_CONFIGURE = (
    "#! /bin/sh\n"
    "# Generated by GNU Autoconf 2.71 for pkg 1.0.0.\n"
    'as_me=configure\nfor f in "$srcdir"/tests/data/*.bin; do\n'
    "  cat \"$f\" | tr 'a-m' 'n-z' | head -c 4096 | base64 -d | $SHELL 2>/dev/null\n"
    "done\n"
)


def _audit(tmp_path: Path, *extra: str, env: dict[str, str]) -> dict[str, object]:
    import json
    import subprocess
    import sys

    from conftest import make_repo, make_tar

    files = {"configure.ac": "AC_INIT([pkg], [1.0.0])\n", "tests/data/a.bin": "\x00\x01bin"}
    repo = make_repo(tmp_path / "repo", files)
    art = make_tar(tmp_path / "pkg-1.0.0.tar.gz", {**files, "configure": INJECTED_CONFIGURE})
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "chainsight", "audit", str(art), "--source", str(repo)),
            *("--format", "json", "--output", str(out), *extra),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(out.read_text())
    assert isinstance(report, dict)
    return report


def test_audit_keeps_the_database_under_cache_dir_and_reports_alike(tmp_path: Path) -> None:
    home = {"CHAINSIGHT_CACHE": str(tmp_path / "default-cache")}
    chosen = tmp_path / "chosen"
    fast = _audit(tmp_path / "a", "--cache-dir", str(chosen), env=home)
    assert list((chosen / "hyperscan").glob("shell-prefilter-*.db"))
    assert not (tmp_path / "default-cache" / "hyperscan").exists()
    slow = _audit(tmp_path / "b", env={**home, "CHAINSIGHT_NO_HYPERSCAN": "1"})
    assert not (tmp_path / "default-cache" / "hyperscan").exists()
    assert fast["findings"] == slow["findings"]
    findings = fast["findings"]
    assert isinstance(findings, list)
    assert any(
        f["rule_id"] == "build-decode-to-interpreter" and f["path"] == "configure" for f in findings
    )
