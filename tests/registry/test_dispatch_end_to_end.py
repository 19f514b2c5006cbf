"""npm: and deb: targets through the package audit, down to the release audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_repo, run_cli
from debian_fixture import Keys, Suite, build_source_package
from debian_fixture import publish as publish_deb
from loopback_registry import serve
from npm_builder import package_json
from npm_builder import publish as publish_npm

from chainsight.registry.cache import DownloadCache
from chainsight.registry.debian_archive import KEYRING_ENV
from chainsight.registry.dispatch import PackageAuditOptions, audit_target
from chainsight.registry.fetched import RegistryOptions
from chainsight.registry.http import HttpClient
from chainsight.registry.target import parse_target

INDEX = "module.exports = function add(a, b) { return a + b; };\n"
PAYLOAD = (
    "!function(){var d=Buffer.from('Y29uc29sZS5sb2coJ2JlbmlnbicpOw==','base64')"
    ".toString();new Function(d)()}();\n"
)


def test_npm_target_against_its_repository_flags_an_appended_payload(tmp_path: Path) -> None:
    manifest = package_json("adder", "1.0.0", repository="github:example/adder")
    repo = make_repo(tmp_path / "repo", {"package.json": manifest, "index.js": INDEX}, tag="v1.0.0")
    with serve() as reg:
        publish_npm(reg, "adder", "1.0.0", {"package.json": manifest, "index.js": INDEX + PAYLOAD})
        proc = run_cli(
            "audit",
            "npm:adder@1.0.0",
            "--registry",
            reg.base_url,
            "--source",
            str(repo),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--format",
            "json",
        )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["source"]["ref"] == "v1.0.0"
    assert report["package"]["target"] == "npm:adder@1.0.0"
    hits = [f for f in report["findings"] if f["path"] == "index.js"]
    assert hits and hits[0]["severity"] == "critical"
    assert hits[0]["rule_id"] == "runtime-decode-exec"
    assert any("Buffer.from" in e["text"] for e in hits[0]["evidence"])


def test_npm_target_genuine_release_is_clean(tmp_path: Path) -> None:
    manifest = package_json("adder", "1.0.0")
    repo = make_repo(tmp_path / "repo", {"package.json": manifest, "index.js": INDEX}, tag="v1.0.0")
    with serve() as reg:
        publish_npm(reg, "adder", "1.0.0", {"package.json": manifest, "index.js": INDEX})
        proc = run_cli(
            "audit",
            "npm:adder",
            "--registry",
            reg.base_url,
            "--source",
            str(repo),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--format",
            "json",
        )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["identical"] == 2
    assert not [f for f in report["findings"] if f["severity"] in ("high", "critical")]


def test_deb_target_audits_the_orig_against_the_repository(
    tmp_path: Path, gpg_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = build_source_package(gpg_keys)
    upstream = {
        "configure.ac": "AC_INIT([hello], [1.0])\nAM_INIT_AUTOMAKE([foreign])\nAC_OUTPUT\n",
        "Makefile.am": "bin_PROGRAMS = hello\n",
        "src/hello.c": '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n/* end */\n',
    }
    repo = make_repo(tmp_path / "repo", upstream, tag="v1.0")
    monkeypatch.setenv(KEYRING_ENV, str(gpg_keys.archive_keyring(tmp_path / "archive.gpg")))
    with serve() as reg:
        mirror = publish_deb(reg, gpg_keys, [Suite("bookworm", [pkg])])
        options = RegistryOptions(
            DownloadCache(tmp_path / "cache"), HttpClient(retries=0), debian_mirror=mirror
        )
        report = audit_target(
            parse_target("deb:hello=1.0-1"),
            options,
            PackageAuditOptions(source=str(repo), repo_cache_dir=tmp_path / "repos"),
        )
    assert report.source is not None, (report.errors, report.package)
    assert report.source.ref == "v1.0"
    assert report.artifact.kind == "dsc"
    assert report.summary.identical == 3 and report.summary.modified == 0
    rules = {f.rule_id: f.severity.value for f in report.findings}
    assert rules["deb-upstream-signature-valid"] == "info"
    assert "deb-patches" in rules
    assert not report.partial
