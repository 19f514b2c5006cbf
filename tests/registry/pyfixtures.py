"""Build small, harmless sdists, wheels and a PEP 691 index for the PyPI tests."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from loopback_registry import StaticRegistry

MODULE = '"""demo: a tiny library."""\n\n\ndef greet(name):\n    return f"hello {name}"\n'
VERSION_FILE = '__version__ = "{v}"\n'


def pkg_info(
    name: str = "demo",
    version: str = "1.0",
    requires: tuple[str, ...] = (),
    metadata_version: str = "2.2",
    source_url: str | None = None,
) -> str:
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    if source_url:
        lines.append(f"Project-URL: Source, {source_url}")
    lines += [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(lines) + "\n\n"


def sdist_files(version: str = "1.0", **meta: object) -> dict[str, str]:
    return {
        "PKG-INFO": pkg_info(version=version, **meta),  # type: ignore[arg-type]
        "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\n',
        "src/demo/__init__.py": MODULE,
        "src/demo/util.py": "def double(x):\n    return 2 * x\n",
    }


def wheel_files(version: str = "1.0", **meta: object) -> dict[str, str]:
    return {
        "demo/__init__.py": MODULE,
        "demo/util.py": "def double(x):\n    return 2 * x\n",
        f"demo-{version}.dist-info/METADATA": pkg_info(version=version, **meta),  # type: ignore[arg-type]
        f"demo-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }


def make_sdist(path: Path, files: Mapping[str, str], prefix: str) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{prefix}/{rel}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def make_wheel(path: Path, files: Mapping[str, str]) -> Path:
    """A wheel with a correct RECORD (so only what a test changes is reported)."""
    record_path = next(p for p in files if p.endswith(".dist-info/METADATA")).replace(
        "METADATA", "RECORD"
    )
    rows = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, text in files.items():
            data = text.encode()
            zf.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            rows.append(f"{rel},sha256={digest.decode()},{len(data)}")
        rows.append(f"{record_path},,")
        zf.writestr(record_path, "\n".join(rows) + "\n")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publish(
    reg: StaticRegistry,
    name: str,
    releases: Mapping[str, tuple[Path | None, Path | None]],
    *,
    yanked: Mapping[str, str | bool] | None = None,
    wrong_hash: set[str] | None = None,
) -> str:
    """Serve ``/simple/NAME/`` (PEP 691 JSON) and the files; return the index URL."""
    files = []
    for version, pair in releases.items():
        for path in pair:
            if path is None:
                continue
            url = reg.add(f"/files/{path.name}", path.read_bytes())
            digest = sha256(path)
            if wrong_hash and path.name in wrong_hash:
                digest = hashlib.sha256(b"something else").hexdigest()
            files.append(
                {
                    "filename": path.name,
                    "url": url,
                    "hashes": {"sha256": digest},
                    "yanked": (yanked or {}).get(version, False),
                }
            )
    doc = {"meta": {"api-version": "1.1"}, "name": name, "files": files}
    reg.add(f"/simple/{name}/", json.dumps(doc).encode(), "application/vnd.pypi.simple.v1+json")
    return reg.base_url + "/simple/"


def release(
    tmp: Path,
    version: str = "1.0",
    *,
    sdist: Mapping[str, str] | None = None,
    wheel: Mapping[str, str] | None = None,
) -> tuple[Path, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    s = make_sdist(tmp / f"demo-{version}.tar.gz", sdist or sdist_files(version), f"demo-{version}")
    w = make_wheel(tmp / f"demo-{version}-py3-none-any.whl", wheel or wheel_files(version))
    return s, w
