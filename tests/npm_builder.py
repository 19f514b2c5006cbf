"""Build npm tarballs and packuments at test time (``npm pack`` layout: ``package/``)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from typing import Any

from loopback_registry import StaticRegistry

NPM_MTIME = 499_162_500  # npm pack stamps every member 1985-10-26T08:15:00Z


def npm_tarball(files: Mapping[str, bytes | str], prefix: str = "package") -> bytes:
    """A gzip'd tar with every file under ``prefix/`` and no directory entries."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{prefix}/{path}")
            info.size = len(data)
            info.mtime = NPM_MTIME
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def package_json(name: str, version: str, **extra: Any) -> str:
    return json.dumps({"name": name, "version": version, **extra}, indent=2) + "\n"


def publish(
    reg: StaticRegistry,
    name: str,
    version: str,
    files: Mapping[str, bytes | str],
    *,
    manifest: Mapping[str, Any] | None = None,
    dist: Mapping[str, Any] | None = None,
    latest: str | None = None,
    packument_extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Serve ``files`` as ``name@version`` on ``reg``; returns the packument.

    The package.json in ``files`` is used as the manifest unless ``manifest`` is
    given (the registry's copy can differ from the tarball's). Several calls for
    the same name add versions to the same packument.
    """
    body = npm_tarball(files)
    base = name.rsplit("/", 1)[-1]
    escaped = name.replace("/", "%2f")
    tar_path = f"/{name}/-/{base}-{version}.tgz"
    url = reg.add(tar_path, body)
    if manifest is None:
        raw = files.get("package.json", "{}")
        manifest = json.loads(raw if isinstance(raw, str) else raw.decode())
    entry = dict(manifest)
    entry.setdefault("name", name)
    entry.setdefault("version", version)
    entry["dist"] = (
        dict(dist)
        if dist is not None
        else {
            "integrity": sri(body),
            "shasum": hashlib.sha1(body).hexdigest(),
            "tarball": url,
        }
    )
    entry["dist"].setdefault("tarball", url)
    doc_path = f"/{escaped}"
    old = reg.files.get(doc_path)
    doc: dict[str, Any] = json.loads(old) if old else {"name": name, "versions": {}, "time": {}}
    doc["versions"][version] = entry
    doc["time"][version] = "2024-01-02T03:04:05.000Z"
    doc["dist-tags"] = {"latest": latest or version}
    doc.update(packument_extra or {})
    reg.add(doc_path, json.dumps(doc).encode(), "application/json")
    return doc
