"""Every dependency-set parser against small realistic files written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chainsight.depsets import DepSet, DepsetError, DepsetFormat, detect_format, read_depset
from chainsight.depsets.purl import purl_target
from chainsight.registry.target import Ecosystem, PackageTarget

PYPI, NPM, DEB = Ecosystem.PYPI, Ecosystem.NPM, Ecosystem.DEB


def targets(ds: DepSet) -> list[str]:
    return [str(e.target) for e in ds.entries]


def problems(ds: DepSet) -> dict[str, str]:
    return {p.entry: p.reason for p in ds.problems}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- requirements.txt ----------------------------------------------------------------


def test_requirements_pins_hashes_comments_markers(tmp_path: Path) -> None:
    req = write(
        tmp_path / "requirements.txt",
        "# top comment\n"
        "--index-url https://pypi.org/simple\n"
        "requests==2.31.0 \\\n"
        "    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f \\\n"
        "    --hash=sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1\n"
        "\n"
        'numpy==1.26.4 ; python_version >= "3.9"  # pinned for py3.9+\n'
        "Zope.Interface[test]==6.2\n"
        "urllib3===2.0.7\n"
        "requests==2.31.0\n"  # duplicate: one target
        "idna==3.*\n",
    )
    ds = read_depset(req)
    assert ds.format is DepsetFormat.REQUIREMENTS
    assert targets(ds) == [
        "pypi:requests==2.31.0",
        "pypi:numpy==1.26.4",
        "pypi:Zope.Interface==6.2",
        "pypi:urllib3==2.0.7",
    ]
    # the continuation starts on line 3; the marker line is line 7
    assert [e.origin.line for e in ds.entries] == [3, 7, 8, 9]
    assert problems(ds) == {"idna==3.*": "cannot audit: not pinned (no ==VERSION)"}
    assert ds.problems[0].origin.line == 11


def test_requirements_not_auditable_entries(tmp_path: Path) -> None:
    req = write(
        tmp_path / "requirements.txt",
        "-e .\n"
        "--editable git+https://example.org/lib.git#egg=lib\n"
        "git+https://example.org/other.git@v1#egg=other\n"
        "pkg @ https://example.org/pkg-1.0.tar.gz\n"
        "./vendor/local-1.0.tar.gz\n"
        "flask>=2,<3\n"
        "django\n"
        "black==24.1.0\n",
    )
    ds = read_depset(req)
    assert targets(ds) == ["pypi:black==24.1.0"]
    reasons = problems(ds)
    assert reasons["-e ."] == "cannot audit: an editable install (-e)"
    assert reasons["--editable git+https://example.org/lib.git#egg=lib"].startswith(
        "cannot audit: an editable"
    )
    assert "not a registry release" in reasons["git+https://example.org/other.git@v1#egg=other"]
    assert "direct URL" in reasons["pkg @ https://example.org/pkg-1.0.tar.gz"]
    assert "not a registry release" in reasons["./vendor/local-1.0.tar.gz"]
    assert reasons["flask>=2,<3"] == "cannot audit: not pinned (no ==VERSION)"
    assert reasons["django"] == "cannot audit: not pinned (no ==VERSION)"


def test_requirements_includes_and_constraints_relative_to_the_file(tmp_path: Path) -> None:
    write(tmp_path / "reqs" / "base.txt", "six==1.16.0\n-r ../reqs/base.txt\n")  # a cycle
    write(tmp_path / "reqs" / "constraints.txt", "flask==3.0.0\nnot-required==9.9\n")
    top = write(
        tmp_path / "reqs" / "prod.txt",
        "-r base.txt\n--constraint=constraints.txt\nflask\n-r missing.txt\n-rnested/dev.txt\n",
    )
    write(tmp_path / "reqs" / "nested" / "dev.txt", "pytest==8.0.0\n")
    ds = read_depset(top)
    # the constraint pins the unpinned requirement; constraints alone install nothing
    assert sorted(targets(ds)) == [
        "pypi:flask==3.0.0",
        "pypi:pytest==8.0.0",
        "pypi:six==1.16.0",
    ]
    flask = next(e for e in ds.entries if e.target.name == "flask")
    assert flask.origin.line == 3 and flask.origin.path.endswith("prod.txt")
    six = next(e for e in ds.entries if e.target.name == "six")
    assert six.origin.path.endswith("base.txt")
    (missing,) = ds.problems
    assert missing.origin.line == 4
    assert "does not exist" in missing.reason


def test_requirements_env_vars_and_bad_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTRS_VERSION", "23.2.0")
    req = write(tmp_path / "requirements.txt", "attrs==${ATTRS_VERSION}\ncharset==1 2\n")
    ds = read_depset(req)
    assert targets(ds) == ["pypi:attrs==23.2.0"]
    assert "not a valid version" in problems(ds)["charset==1 2"]


# -- pylock.toml (PEP 751) ---------------------------------------------------------------

PYLOCK = """\
lock-version = "1.0"
created-by = "pip"
requires-python = ">=3.11"

[[packages]]
name = "attrs"
version = "23.2.0"
index = "https://pypi.org/simple"
[[packages.wheels]]
name = "attrs-23.2.0-py3-none-any.whl"
url = "https://files.pythonhosted.org/packages/attrs-23.2.0-py3-none-any.whl"
hashes = {sha256 = "99b87a485a5820b23b879f04c2305b44b951b502fd64be915879d77a7e8fc6f1"}

[[packages]]
name = "tomli"
version = "2.0.1"
marker = "python_version < '3.11'"
[packages.sdist]
name = "tomli-2.0.1.tar.gz"
url = "https://files.pythonhosted.org/packages/tomli-2.0.1.tar.gz"
hashes = {sha256 = "de526c12914f0c550d15924c62d72abc48d6fe7364aa87328337a31007fe8a4f"}

[[packages]]
name = "mylib"
[packages.vcs]
type = "git"
url = "https://example.org/mylib.git"
commit-id = "0123456789abcdef0123456789abcdef01234567"

[[packages]]
name = "local"
[packages.directory]
path = "./local"

[[packages]]
name = "unversioned"
"""


def test_pylock(tmp_path: Path) -> None:
    ds = read_depset(write(tmp_path / "pylock.toml", PYLOCK))
    assert ds.format is DepsetFormat.PYLOCK
    assert targets(ds) == ["pypi:attrs==23.2.0", "pypi:tomli==2.0.1"]
    reasons = problems(ds)
    assert "VCS" in reasons["mylib"]
    assert "local directory" in reasons["local"]
    assert "not pinned" in reasons["unversioned"]


# -- uv.lock ----------------------------------------------------------------------

UV_LOCK = """\
version = 1
revision = 1
requires-python = ">=3.11"

[[package]]
name = "myapp"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "anyio" }]

[[package]]
name = "member"
version = "0.2.0"
source = { virtual = "packages/member" }

[[package]]
name = "anyio"
version = "4.3.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/anyio-4.3.0.tar.gz", hash = "sha256:f752" }

[[package]]
name = "sniffio"
version = "1.3.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "forked"
version = "1.0.0"
source = { git = "https://example.org/forked.git?rev=main#0123456789abcdef" }
"""


def test_uv_lock(tmp_path: Path) -> None:
    ds = read_depset(write(tmp_path / "uv.lock", UV_LOCK))
    assert ds.format is DepsetFormat.UV_LOCK
    assert targets(ds) == ["pypi:anyio==4.3.0", "pypi:sniffio==1.3.1"]
    (problem,) = ds.problems  # the project and the workspace member are skipped quietly
    assert problem.entry.startswith("forked") and "git" in problem.reason


# -- poetry.lock ---------------------------------------------------------------------

POETRY_LOCK = """\
# This file is automatically @generated by Poetry 1.8.2 and should not be changed by hand.

[[package]]
name = "certifi"
version = "2024.2.2"
description = "Python package for providing Mozilla's CA Bundle."
optional = false
python-versions = ">=3.6"
files = [
    {file = "certifi-2024.2.2-py3-none-any.whl", hash = "sha256:dc383c07b7610"},
]

[[package]]
name = "internal"
version = "1.4.0"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "legacy"
url = "https://pypi.example.org/simple"
reference = "private"

[[package]]
name = "patched"
version = "0.9.0"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "git"
url = "https://example.org/patched.git"
reference = "main"
resolved_reference = "0123456789abcdef0123456789abcdef01234567"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0000000000000000000000000000000000000000000000000000000000000000"
"""


def test_poetry_lock(tmp_path: Path) -> None:
    ds = read_depset(write(tmp_path / "poetry.lock", POETRY_LOCK))
    assert ds.format is DepsetFormat.POETRY_LOCK
    assert targets(ds) == ["pypi:certifi==2024.2.2", "pypi:internal==1.4.0"]
    assert problems(ds) == {
        "patched https://example.org/patched.git": (
            "cannot audit: from a git repository, not a registry release"
        )
    }


# -- package-lock.json -------------------------------------------------------------------


def _v3() -> dict[str, object]:
    return {
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "app", "version": "1.0.0", "workspaces": ["packages/*"]},
            "node_modules/express": {
                "version": "4.18.2",
                "resolved": "https://registry.npmjs.org/express/-/express-4.18.2.tgz",
                "integrity": "sha512-AAAA",
            },
            "node_modules/express/node_modules/debug": {
                "version": "2.6.9",
                "resolved": "https://registry.npmjs.org/debug/-/debug-2.6.9.tgz",
            },
            "node_modules/debug": {"version": "4.3.4"},
            "node_modules/@babel/core": {"version": "7.24.0", "dev": True},
            "node_modules/@babel/core/node_modules/@babel/helper": {"version": "7.23.0"},
            "node_modules/lodash-legacy": {
                "name": "lodash",
                "version": "3.10.1",
                "resolved": "https://registry.npmjs.org/lodash/-/lodash-3.10.1.tgz",
            },
            "node_modules/my-ws": {"resolved": "packages/my-ws", "link": True},
            "packages/my-ws": {"name": "my-ws", "version": "0.0.1"},
            "node_modules/from-git": {
                "version": "1.0.0",
                "resolved": "git+ssh://git@github.com/example/from-git.git#0123abcd",
            },
            "node_modules/local-dep": {"version": "1.0.0", "resolved": "file:../local-dep"},
        },
    }


@pytest.mark.parametrize("version", [2, 3])
def test_package_lock_v2_v3(tmp_path: Path, version: int) -> None:
    doc = _v3()
    doc["lockfileVersion"] = version
    if version == 2:  # v2 also carries the v1 tree; the packages map wins
        doc["dependencies"] = {"ignored-v1": {"version": "9.9.9"}}
    ds = read_depset(write(tmp_path / "package-lock.json", json.dumps(doc)))
    assert ds.format is DepsetFormat.NPM_LOCK
    assert targets(ds) == [
        "npm:express@4.18.2",
        "npm:debug@2.6.9",
        "npm:debug@4.3.4",
        "npm:@babel/core@7.24.0",
        "npm:@babel/helper@7.23.0",
        "npm:lodash@3.10.1",
    ]
    reasons = problems(ds)
    assert len(reasons) == 2
    assert any("git" in r for r in reasons.values())
    assert any("file:" in r for r in reasons.values())


def test_package_lock_v1_nested_and_aliases(tmp_path: Path) -> None:
    doc = {
        "name": "app",
        "lockfileVersion": 1,
        "dependencies": {
            "accepts": {
                "version": "1.3.8",
                "resolved": "https://registry.npmjs.org/accepts/-/accepts-1.3.8.tgz",
                "dependencies": {"mime-types": {"version": "2.1.35"}},
            },
            "@types/node": {"version": "20.11.0", "dev": True},
            "old-lodash": {"version": "npm:lodash@4.17.21"},
            "forked": {"version": "github:example/forked#0123abcd"},
        },
    }
    ds = read_depset(write(tmp_path / "npm-shrinkwrap.json", json.dumps(doc)))
    assert targets(ds) == [
        "npm:accepts@1.3.8",
        "npm:mime-types@2.1.35",
        "npm:@types/node@20.11.0",
        "npm:lodash@4.17.21",
    ]
    assert list(problems(ds).values()) == ["cannot audit: installed from git"]


# -- purls, CycloneDX, SPDX --------------------------------------------------------------


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:pypi/django@5.0.2", PackageTarget(PYPI, "django", "5.0.2")),
        ("pkg:npm/left-pad@1.3.0", PackageTarget(NPM, "left-pad", "1.3.0")),
        ("pkg:npm/%40babel/core@7.24.0", PackageTarget(NPM, "@babel/core", "7.24.0")),
        ("pkg:npm/@babel/core@7.24.0", PackageTarget(NPM, "@babel/core", "7.24.0")),
        (
            "pkg:deb/debian/xz-utils@5.4.1-0.2?arch=amd64&distro=debian-12",
            PackageTarget(DEB, "xz-utils", "5.4.1-0.2"),
        ),
        (
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12",
            PackageTarget(DEB, "openssl", "3.0.11-1~deb12u2"),
        ),
        (
            "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&upstream=gcc-12%4012.2.0-14",
            PackageTarget(DEB, "gcc-12", "12.2.0-14"),
        ),
        (  # binNMU: the source version has no +bN
            "pkg:deb/debian/libfoo1@1.2-3%2Bb1?arch=amd64&source=foo",
            PackageTarget(DEB, "foo", "1.2-3"),
        ),
        ("pkg:deb/debian/openssl@3.0.11-1?arch=source", PackageTarget(DEB, "openssl", "3.0.11-1")),
    ],
)
def test_purl_targets(purl: str, expected: PackageTarget) -> None:
    assert purl_target(purl) == expected


@pytest.mark.parametrize(
    ("purl", "reason"),
    [
        ("pkg:golang/github.com/x/y@v1.0.0", "pkg:golang packages are not supported"),
        ("pkg:deb/ubuntu/curl@8.5.0-2ubuntu10?arch=amd64", "only Debian's archive"),
        ("pkg:pypi/django", "not pinned"),
        ("not-a-purl", "not a package URL"),
    ],
)
def test_purl_not_auditable(purl: str, reason: str) -> None:
    got = purl_target(purl)
    assert isinstance(got, str) and reason in got


def test_cyclonedx(tmp_path: Path) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {
            "component": {"type": "application", "name": "app", "purl": "pkg:pypi/app@1.0"}
        },
        "components": [
            {
                "type": "library",
                "name": "django",
                "version": "5.0.2",
                "purl": "pkg:pypi/django@5.0.2",
            },
            {
                "type": "library",
                "name": "core",
                "group": "@babel",
                "version": "7.24.0",
                "purl": "pkg:npm/%40babel/core@7.24.0",
                "components": [{"type": "library", "name": "inner", "purl": "pkg:npm/inner@1.0.0"}],
            },
            {
                "type": "library",
                "name": "libssl3",
                "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl",
            },
            {
                "type": "library",
                "name": "libssl-dev",
                "purl": "pkg:deb/debian/libssl-dev@3.0.11-1~deb12u2?arch=amd64&upstream=openssl",
            },
            *[
                {"type": "library", "name": f"go{i}", "purl": f"pkg:golang/example.org/m{i}@v1.{i}"}
                for i in range(50)
            ],
            {"type": "file", "name": "README"},
        ],
    }
    ds = read_depset(write(tmp_path / "bom.json", json.dumps(doc)))
    assert ds.format is DepsetFormat.CYCLONEDX
    assert targets(ds) == [  # the subject (metadata.component) is not a dependency
        "pypi:django==5.0.2",
        "npm:@babel/core@7.24.0",
        "npm:inner@1.0.0",
        "deb:openssl=3.0.11-1~deb12u2",
    ]
    reasons = {p.reason: p.entry for p in ds.problems}
    assert reasons == {  # 50 unsupported components: one line
        "cannot audit: pkg:golang packages are not supported": (
            "pkg:golang/example.org/m0@v1.0 (+49 more)"
        ),
        "cannot audit: a component without a purl": "README",
    }


def test_spdx(tmp_path: Path) -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "image",
        "documentDescribes": ["SPDXRef-root"],
        "packages": [
            {"SPDXID": "SPDXRef-root", "name": "image", "versionInfo": "latest"},
            {
                "SPDXID": "SPDXRef-1",
                "name": "requests",
                "versionInfo": "2.31.0",
                "externalRefs": [
                    {
                        "referenceCategory": "SECURITY",
                        "referenceType": "cpe23Type",
                        "referenceLocator": "cpe:2.3:a:python:requests:2.31.0:*:*:*:*:*:*:*",
                    },
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:pypi/requests@2.31.0",
                    },
                ],
            },
            {
                "SPDXID": "SPDXRef-2",
                "name": "libc6",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE_MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": (
                            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc"
                        ),
                    }
                ],
            },
            {"SPDXID": "SPDXRef-3", "name": "mystery", "versionInfo": "1"},
        ],
    }
    ds = read_depset(write(tmp_path / "sbom.spdx.json", json.dumps(doc)))
    assert ds.format is DepsetFormat.SPDX
    assert targets(ds) == ["pypi:requests==2.31.0", "deb:glibc=2.36-9+deb12u4"]
    assert problems(ds) == {"mystery 1": "cannot audit: a package without a purl"}


def test_spdx3_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "x.spdx.json", json.dumps({"@context": "spdx3", "@graph": []}))
    with pytest.raises(DepsetError, match="SPDX 3"):
        read_depset(path)


# -- dpkg status ------------------------------------------------------------------------

DPKG_STATUS = """\
Package: xz-utils
Status: install ok installed
Priority: standard
Architecture: amd64
Version: 5.4.1-0.2
Description: XZ-format compression utilities

Package: liblzma5
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: xz-utils
Version: 5.4.1-0.2
Description: XZ-format compression library

Package: liblzma5
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: xz-utils
Version: 5.4.1-0.2
Description: XZ-format compression library

Package: libfoo1
Status: hold ok installed
Architecture: amd64
Source: foo (1.2-3)
Version: 1.2-3+b1
Description: rebuilt by a binNMU
 continuation line of the description

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 2.0-1

Package: half
Status: install ok half-configured
Architecture: amd64
Version: 1.0-1
"""


def test_dpkg_status(tmp_path: Path) -> None:
    path = write(tmp_path / "status", DPKG_STATUS)
    ds = read_depset(path)
    assert ds.format is DepsetFormat.DPKG_STATUS
    assert targets(ds) == ["deb:xz-utils=5.4.1-0.2", "deb:foo=1.2-3"]
    assert ds.problems == ()
    assert [e.origin.line for e in ds.entries] == [1, 24]


def test_dpkg_status_without_packages_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DepsetError, match="not a dpkg status"):
        read_depset(write(tmp_path / "status", "Hello: world\n"))


# -- detection and whole-file errors --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("deps.lock", PYLOCK, DepsetFormat.PYLOCK),
        ("deps.lock", UV_LOCK, DepsetFormat.UV_LOCK),
        ("deps.lock", POETRY_LOCK, DepsetFormat.POETRY_LOCK),
        ("deps.json", json.dumps(_v3()), DepsetFormat.NPM_LOCK),
        (
            "deps.json",
            json.dumps({"bomFormat": "CycloneDX", "components": []}),
            DepsetFormat.CYCLONEDX,
        ),
        ("deps.json", json.dumps({"spdxVersion": "SPDX-2.3", "packages": []}), DepsetFormat.SPDX),
        ("installed", DPKG_STATUS, DepsetFormat.DPKG_STATUS),
        ("deps.txt", "requests==2.31.0\n", DepsetFormat.REQUIREMENTS),
        ("pylock.dev.toml", "", DepsetFormat.PYLOCK),
        ("requirements-dev.txt", "", DepsetFormat.REQUIREMENTS),
        ("app.cdx.json", "", DepsetFormat.CYCLONEDX),
    ],
)
def test_detect_format(tmp_path: Path, name: str, content: str, fmt: DepsetFormat) -> None:
    assert detect_format(tmp_path / name, content.encode()) is fmt


def test_renamed_files_parse_by_content(tmp_path: Path) -> None:
    ds = read_depset(write(tmp_path / "deps.lock", UV_LOCK))
    assert targets(ds) == ["pypi:anyio==4.3.0", "pypi:sniffio==1.3.1"]


def test_format_override(tmp_path: Path) -> None:
    path = write(tmp_path / "package-lock.json", "requests==2.31.0\n")
    with pytest.raises(DepsetError, match="not valid JSON"):
        read_depset(path)
    assert targets(read_depset(path, DepsetFormat.REQUIREMENTS)) == ["pypi:requests==2.31.0"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "does not exist"),
        ("package-lock.json", "{not json", "not valid JSON"),
        ("uv.lock", "version = [", "not valid TOML"),
        ("package-lock.json", '{"name": "x"}', "no lockfileVersion"),
    ],
)
def test_unreadable_files_are_one_line_errors(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(DepsetError, match=message) as info:
        read_depset(path)
    assert "\n" not in str(info.value)
