"""`chainsight volunteers -r`: package targets -> repositories, ranked by dependents."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import GIT_ENV, git
from loopback_registry import serve
from registry.pyfixtures import make_sdist, make_wheel, pkg_info, publish

from chainsight.history.volunteers import survey
from chainsight.history.volunteers_packages import entries_for_targets
from chainsight.registry.cache import DownloadCache
from chainsight.registry.fetched import RegistryOptions
from chainsight.registry.http import HttpClient
from chainsight.registry.target import parse_target


def _package(tmp: Path, name: str, requires: tuple[str, ...]) -> tuple[Path, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    meta = pkg_info(name=name, requires=requires, source_url=f"https://github.com/example/{name}")
    code = {f"{name}/__init__.py": "VALUE = 1\n"}
    s = make_sdist(tmp / f"{name}-1.0.tar.gz", {"PKG-INFO": meta, **code}, f"{name}-1.0")
    w = make_wheel(
        tmp / f"{name}-1.0-py3-none-any.whl",
        {
            **code,
            f"{name}-1.0.dist-info/METADATA": meta,
            f"{name}-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: py3-none-any\n",
        },
    )
    return s, w


def _repo(root: Path, authors: list[str]) -> Path:
    """Each commit authored and committed by the named person (no one merges for all)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main", "--template=")
    for i, who in enumerate(authors):
        (root / f"f{i}.txt").write_text(f"{i}\n")
        email = f"{who.lower()}@example.org"
        person = {"NAME": who, "EMAIL": email}
        env = {**GIT_ENV, "HOME": str(root)}
        env.update(
            {f"GIT_{role}_{k}": v for role in ("AUTHOR", "COMMITTER") for k, v in person.items()}
        )
        for args in (["add", "-A"], ["commit", "-q", "-m", f"change {i}"]):
            subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


def test_dependency_set_to_ranked_volunteers(tmp_path: Path) -> None:
    repos = {
        "core": _repo(tmp_path / "core", ["Solo"] * 6),
        "app": _repo(tmp_path / "app", ["Ann", "Bob", "Cid", "Dee", "Eve", "Fay"] * 2),
        "cli": _repo(tmp_path / "cli", ["Gus", "Hal", "Ivy", "Jo"] * 2),
    }
    located: list[tuple[str, ...]] = []

    def locate(urls: tuple[str, ...], cache: Path | None) -> tuple[str | None, str | None, str]:
        located.append(urls)  # a forge, simulated by local repositories
        name = urls[0].rsplit("/", 1)[-1] if urls else ""
        if name in repos:
            return str(repos[name]), urls[0], ""
        return None, None, "github.com is unreachable"

    with serve() as reg:
        index = ""
        for name, requires in (("core", ()), ("app", ("core>=1",)), ("cli", ("core", "App[x]"))):
            index = publish(reg, name, {"1.0": _package(tmp_path / "dist" / name, name, requires)})
        options = RegistryOptions(
            DownloadCache(tmp_path / "dl"), HttpClient(retries=0), pypi_index_url=index
        )
        targets = [
            parse_target(t)
            for t in ("pypi:cli==1.0", "pypi:app==1.0", "pypi:core==1.0", "pypi:ghost==1.0")
        ]
        entries = entries_for_targets(targets, options, tmp_path / "cache", locate=locate)
    by_name = {e.name: e for e in entries}
    assert by_name["pypi:core==1.0"].dependents == 2  # app and cli declare it
    assert by_name["pypi:app==1.0"].dependents == 1  # cli, through "App[x]"
    assert by_name["pypi:cli==1.0"].dependents == 0
    assert by_name["pypi:core==1.0"].location == "https://github.com/example/core"
    assert "no project named 'ghost'" in (by_name["pypi:ghost==1.0"].error or "")

    result = survey(entries, tmp_path / "cache")
    assert [p.entry.name for p in result][:3] == [
        "pypi:core==1.0",
        "pypi:app==1.0",
        "pypi:cli==1.0",
    ]
    core = result[0]
    assert core.one_volunteer and core.error is None
    assert core.maintainer is not None and core.maintainer.startswith("Solo")
    assert not result[1].one_volunteer  # six people share the work
    assert result[-1].error is not None  # the unknown package comes last, with its reason


def test_unreachable_repository_is_reported_not_fatal(tmp_path: Path) -> None:
    with serve() as reg:
        index = publish(reg, "core", {"1.0": _package(tmp_path / "dist", "core", ())})
        options = RegistryOptions(
            DownloadCache(tmp_path / "dl"), HttpClient(retries=0), pypi_index_url=index
        )
        (entry,) = entries_for_targets(
            [parse_target("pypi:core==1.0")],
            options,
            None,
            locate=lambda urls, cache: (None, None, "github.com is unreachable"),
        )
    assert entry.error == "no repository: github.com is unreachable"
    (row,) = survey([entry])
    assert row.error == entry.error and not row.one_volunteer


def test_cli_needs_a_list_or_a_dependency_set(tmp_path: Path) -> None:
    from conftest import run_cli

    proc = run_cli("volunteers")
    assert proc.returncode == 2
    assert "name a list of repositories, or a dependency set with -r FILE" in proc.stderr
    req = tmp_path / "requirements.txt"
    req.write_text("core==1.0\n")
    proc = run_cli("volunteers", "-r", str(req), "--offline", "--cache-dir", str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())  # rich wraps long lines
    assert "could not read pypi:core==1.0" in out and "--offline was given" in out
