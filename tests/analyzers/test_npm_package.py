"""npm package checks that need no repository, on tarballs built by the test."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from npm_builder import npm_tarball, package_json

from chainsight.analyzers.npm_package import npm_package_findings
from chainsight.model import Finding, Severity
from chainsight.registry.fetched import FetchedFile, FetchedPackage
from chainsight.registry.target import Ecosystem, PackageTarget

# benign payload: prints a line and writes a marker file in the current directory
PAYLOAD = b"console.log('chainsight test payload');require('fs').writeFileSync('marker','')"
B64 = base64.b64encode(PAYLOAD).decode()

READABLE_LIB = "".join(
    f"function helper{i}(value) {{\n  return value + {i};\n}}\nexports.helper{i} = helper{i};\n"
    for i in range(60)
)
MINIFIED_LIB = "var " + ",".join(f"a{i}=function(b){{return b+{i}}}" for i in range(400)) + ";"


def package(
    tmp_path: Path,
    files: dict[str, str | bytes],
    *,
    name: str = "demo",
    version: str = "1.0.0",
    metadata: dict[str, str] | None = None,
) -> FetchedPackage:
    path = tmp_path / f"{name}-{version}.tgz"
    path.write_bytes(npm_tarball(files))
    return FetchedPackage(
        target=PackageTarget(Ecosystem.NPM, name, version),
        files=(FetchedFile("npm-tarball", path.name, path, "0" * 64, "http://127.0.0.1/x"),),
        metadata=metadata or {},
    )


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule]


def at_least(findings: list[Finding], severity: Severity) -> list[Finding]:
    return [f for f in findings if f.severity.rank >= severity.rank]


def test_genuine_package_is_silent(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0", main="lib/index.js"),
        "lib/index.js": READABLE_LIB,
        "dist/demo.min.js": MINIFIED_LIB,  # with a readable copy: has a source
        "dist/demo.js": READABLE_LIB,
        "README.md": "# demo\n",
    }
    assert npm_package_findings(package(tmp_path, files)) == []


def test_postinstall_node_e_decoding_and_running_is_flagged(tmp_path: Path) -> None:
    script = f"node -e \"eval(Buffer.from('{B64}','base64').toString())\""
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0", scripts={"postinstall": script}),
        "index.js": "module.exports = 1;\n",
    }
    findings = npm_package_findings(package(tmp_path, files))
    (listed,) = by_rule(findings, "npm-install-script")
    assert listed.severity is Severity.LOW
    assert any("postinstall" in e.text for e in listed.evidence)
    strong = [f for f in at_least(findings, Severity.HIGH) if f.path == "package.json"]
    assert strong and strong[0].rule_id == "build-decode-to-interpreter"
    assert any("postinstall" in e.text or "Buffer.from" in e.text for e in strong[0].evidence)


def test_postinstall_child_process_of_decoded_command(tmp_path: Path) -> None:
    script = (
        "node -e \"require('child_process').execSync("
        f"Buffer.from('{base64.b64encode(b'touch marker').decode()}','base64').toString())\""
    )
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0", scripts={"install": script}),
    }
    findings = npm_package_findings(package(tmp_path, files))
    assert any(f.path == "package.json" for f in at_least(findings, Severity.HIGH))


def test_file_run_by_postinstall_and_its_required_module_are_read(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "package.json": package_json(
            "demo", "1.0.0", scripts={"postinstall": "npm run setup", "setup": "node scripts/setup"}
        ),
        "scripts/setup.js": "const h = require('./helper');\nh.go();\n",
        "scripts/helper.js": (
            f"const blob = '{B64}';\n"
            "exports.go = function () {\n"
            "  const code = Buffer.from(blob, 'base64').toString();\n"
            "  new Function(code)();\n"
            "};\n"
        ),
    }
    findings = npm_package_findings(package(tmp_path, files))
    strong = {f.path: f for f in at_least(findings, Severity.HIGH)}
    assert "scripts/helper.js" in strong
    hit = strong["scripts/helper.js"]
    assert hit.rule_id == "build-decode-to-interpreter"
    assert any(r.path == "package.json" for r in hit.related)
    assert any(e.line == 4 for e in hit.evidence)
    # read as install-time code, not a second time as runtime code
    assert not by_rule(findings, "runtime-decode-exec")


def test_appended_payload_in_minified_runtime_file(tmp_path: Path) -> None:
    inject = (
        '!function(){try{var e=process.env;if(!e.CI){var n=Buffer.from("'
        + PAYLOAD.hex()
        + '","hex").toString();new Function("require",n)(require)}}catch(r){}}();'
    )
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0", main="dist/index.min.js"),
        "dist/index.min.js": MINIFIED_LIB + "\n" + inject,
    }
    findings = npm_package_findings(package(tmp_path, files))
    (runtime,) = by_rule(findings, "runtime-decode-exec")
    assert runtime.severity is Severity.HIGH and runtime.path == "dist/index.min.js"
    assert any("Function" in e.text for e in runtime.evidence)
    assert any("Buffer.from" in e.text for e in runtime.evidence)
    (opaque,) = by_rule(findings, "npm-minified-without-source")
    assert opaque.severity is Severity.INFO and opaque.path == "dist/index.min.js"


def test_minified_files_with_and_without_source(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0"),
        "dist/mapped.js": MINIFIED_LIB + "\n//# sourceMappingURL=mapped.js.map\n",
        "dist/mapped.js.map": json.dumps({"version": 3, "sources": ["../src/mapped.ts"]}),
        "dist/inline.js": MINIFIED_LIB
        + "\n//# sourceMappingURL=data:application/json;base64,e30=\n",
        "dist/react.production.min.js": MINIFIED_LIB,
        "dist/react.development.js": READABLE_LIB,
        "dist/opaque.js": MINIFIED_LIB,
        "lib/readable.js": READABLE_LIB,
    }
    findings = npm_package_findings(package(tmp_path, files))
    (opaque,) = by_rule(findings, "npm-minified-without-source")
    assert opaque.path == "dist/opaque.js"
    assert opaque.severity is Severity.INFO
    assert not opaque.related  # the only one


def test_install_script_running_a_minified_file_without_source_is_medium(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0", scripts={"preinstall": "node bundle.js"}),
        "bundle.js": MINIFIED_LIB,
    }
    findings = npm_package_findings(package(tmp_path, files))
    (opaque,) = by_rule(findings, "npm-minified-without-source")
    assert opaque.path == "bundle.js" and opaque.severity is Severity.MEDIUM
    assert any(r.path == "package.json" for r in opaque.related)


GYP = """{
  "targets": [{
    "target_name": "addon",
    "sources": ["src/addon.cc"],
    "include_dirs": ["<!(node -p \\"require('node-addon-api').include_dir\\")"]
  }]
}
"""


def test_binding_gyp_means_an_implicit_install_script(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0"),
        "binding.gyp": GYP,
        "src/addon.cc": "int x;\n",
    }
    findings = npm_package_findings(package(tmp_path, files))
    (listed,) = by_rule(findings, "npm-install-script")
    assert listed.severity is Severity.LOW
    assert "node-gyp rebuild" in listed.evidence[0].text
    assert "implicit" in listed.evidence[0].text
    assert not at_least(findings, Severity.MEDIUM)
    # the registry's manifest carries the install script npm adds: that is no mismatch
    meta = {"install_scripts": json.dumps({"install": "node-gyp rebuild"})}
    assert not by_rule(
        npm_package_findings(package(tmp_path, files, metadata=meta)), "npm-manifest-mismatch"
    )


def test_binding_gyp_command_that_decodes_and_runs(tmp_path: Path) -> None:
    gyp = GYP.replace(
        "<!(node -p",
        f"<!(echo {base64.b64encode(b'touch marker').decode()} | base64 -d | sh; node -p",
    )
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0"),
        "binding.gyp": gyp,
    }
    findings = npm_package_findings(package(tmp_path, files))
    strong = [f for f in at_least(findings, Severity.HIGH) if f.path == "binding.gyp"]
    assert strong and strong[0].rule_id == "build-decode-to-interpreter"
    assert strong[0].evidence[0].line == 5


def test_install_script_the_registry_does_not_show(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0", scripts={"postinstall": "node x.js"}),
        "x.js": "console.log(1);\n",
    }
    meta = {"install_scripts": "{}"}
    findings = npm_package_findings(package(tmp_path, files, metadata=meta))
    (hidden,) = by_rule(findings, "npm-manifest-mismatch")
    assert hidden.severity is Severity.HIGH
    assert "postinstall" in hidden.evidence[0].text
    same = {"install_scripts": json.dumps({"postinstall": "node x.js"})}
    assert not by_rule(
        npm_package_findings(package(tmp_path, files, metadata=same)), "npm-manifest-mismatch"
    )


def test_tarball_naming_another_version(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"package.json": package_json("demo", "0.9.0")}
    findings = npm_package_findings(package(tmp_path, files, version="1.0.0"))
    (bad,) = by_rule(findings, "npm-manifest-mismatch")
    assert bad.severity is Severity.HIGH and "0.9.0" in bad.evidence[0].text


def test_archive_anomalies_are_reported(tmp_path: Path) -> None:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (
            ("package/package.json", package_json("demo", "1.0.0").encode()),
            ("package/../../evil.js", b"x"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path = tmp_path / "demo-1.0.0.tgz"
    path.write_bytes(buf.getvalue())
    pkg = FetchedPackage(
        PackageTarget(Ecosystem.NPM, "demo", "1.0.0"),
        (FetchedFile("npm-tarball", path.name, path, "0" * 64, "http://x"),),
    )
    findings = npm_package_findings(pkg)
    assert by_rule(findings, "archive-path-traversal")


def test_prepare_alone_is_info(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "package.json": package_json("demo", "1.0.0", scripts={"prepare": "tsc"}),
    }
    (listed,) = by_rule(npm_package_findings(package(tmp_path, files)), "npm-install-script")
    assert listed.severity is Severity.INFO


def test_no_tarball_is_an_error(tmp_path: Path) -> None:
    from chainsight.errors import ArtifactError

    pkg = FetchedPackage(PackageTarget(Ecosystem.NPM, "demo", "1.0.0"), ())
    with pytest.raises(ArtifactError):
        npm_package_findings(pkg)


def test_node_e_through_required_vm_and_xor_char_codes(tmp_path: Path) -> None:
    node_e = (
        "node -e \"require('vm').runInThisContext(Buffer.from(process.argv[1],'base64')+'')\" "
        + B64
    )
    codes = ",".join(str(b ^ 23) for b in PAYLOAD)
    loader = (
        "!function(){var t=[" + codes + "];"
        'Function(t.map(function(c){return String.fromCharCode(c^23)}).join(""))()}();\n'
    )
    files: dict[str, str | bytes] = {
        "package.json": package_json(
            "demo", "1.0.0", scripts={"preinstall": node_e, "install": "node lib/compat.min.js"}
        ),
        "lib/compat.min.js": loader,
    }
    strong = {
        f.path: f.rule_id
        for f in at_least(npm_package_findings(package(tmp_path, files)), Severity.HIGH)
    }
    assert strong == {
        "package.json": "build-decode-to-interpreter",
        "lib/compat.min.js": "build-decode-to-interpreter",
    }
