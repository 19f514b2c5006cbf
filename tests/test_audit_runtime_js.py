"""Release audits read runtime JavaScript the release adds or changes (event-stream)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import audit_json, make_repo, make_tar

PAYLOAD = b"console.log('chainsight test payload');require('fs').writeFileSync('m','')"
INJECT = (
    '!function(){try{if(!process.env.CI){var n=Buffer.from("'
    + PAYLOAD.hex()
    + '","hex").toString();new Function("require",n)(require)}}catch(r){}}();\n'
)
SOURCE = {
    "package.json": json.dumps(
        {"name": "streamy", "version": "1.0.0", "main": "dist/index.js", "files": ["dist", "lib"]},
        indent=2,
    ),
    "src/index.js": "export default function map(fn) { return fn; }\n",
    "lib/util.js": "exports.id = function (x) { return x; };\n",
    "README.md": "# streamy\n",
}
DIST = '"use strict";exports.default=map;function map(fn){return fn}\n'


def runtime(report: dict[str, object]) -> dict[str, dict[str, object]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {f["path"]: f for f in findings if f["rule_id"] == "runtime-decode-exec"}


def test_payload_appended_to_build_output_is_high(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", SOURCE)
    files = {**SOURCE, "dist/index.js": DIST + INJECT}
    code, report = audit_json(make_tar(tmp_path / "streamy-1.0.0.tgz", files, "package"), repo)
    assert code == 1
    hit = runtime(report)["dist/index.js"]
    assert hit["severity"] == "high"
    assert any("Function" in e["text"] for e in hit["evidence"])


def test_honest_build_output_is_not_flagged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", SOURCE)
    files = {**SOURCE, "dist/index.js": DIST}
    _, report = audit_json(make_tar(tmp_path / "streamy-1.0.0.tgz", files, "package"), repo)
    assert runtime(report) == {}


def test_payload_in_a_tracked_file_changed_in_the_release_is_critical(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", SOURCE)
    files = {**SOURCE, "lib/util.js": SOURCE["lib/util.js"] + INJECT}
    _, report = audit_json(make_tar(tmp_path / "streamy-1.0.0.tgz", files, "package"), repo)
    assert runtime(report)["lib/util.js"]["severity"] == "critical"


def test_chain_already_in_git_is_medium(tmp_path: Path) -> None:
    tracked = {**SOURCE, "lib/util.js": SOURCE["lib/util.js"] + INJECT}
    repo = make_repo(tmp_path / "repo", tracked)
    files = {**tracked, "lib/util.js": "// release banner\n" + tracked["lib/util.js"]}
    _, report = audit_json(make_tar(tmp_path / "streamy-1.0.0.tgz", files, "package"), repo)
    assert runtime(report)["lib/util.js"]["severity"] == "medium"


def test_semantic_release_version_placeholder_is_publish_stamping(tmp_path: Path) -> None:
    pkg = json.loads(SOURCE["package.json"])
    pkg["version"] = "0.0.0-development"
    repo = make_repo(tmp_path / "repo", {**SOURCE, "package.json": json.dumps(pkg)})
    pkg["version"] = "1.0.0"
    files = {**SOURCE, "package.json": json.dumps(pkg)}
    code, report = audit_json(make_tar(tmp_path / "streamy-1.0.0.tgz", files, "package"), repo)
    rec = next(r for r in report["files"] if r["path"] == "package.json")
    assert rec["category"] == "npm_publish" and code == 0
    # any other version is not explained
    pkg["version"] = "2.0.0"
    files = {**SOURCE, "package.json": json.dumps(pkg)}
    _, report = audit_json(make_tar(tmp_path / "streamy-1.0.0.tgz", files, "package"), repo)
    rec = next(r for r in report["files"] if r["path"] == "package.json")
    assert rec["category"] == "unexplained"
