"""Which format a dependency-set file is: by its name first, then by its content."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from chainsight.depsets.interface import DepsetFormat

_BY_NAME: list[tuple[re.Pattern[str], DepsetFormat]] = [
    (re.compile(r"^pylock(\.[^.]+)?\.toml$"), DepsetFormat.PYLOCK),
    (re.compile(r"^uv\.lock$"), DepsetFormat.UV_LOCK),
    (re.compile(r"^poetry\.lock$"), DepsetFormat.POETRY_LOCK),
    (re.compile(r"^(package-lock|npm-shrinkwrap)\.json$"), DepsetFormat.NPM_LOCK),
    (re.compile(r"(\.cdx\.json|^bom\.json|\.cyclonedx\.json)$"), DepsetFormat.CYCLONEDX),
    (re.compile(r"\.spdx\.json$"), DepsetFormat.SPDX),
    (re.compile(r"^status$"), DepsetFormat.DPKG_STATUS),
    (
        re.compile(r"(^requirements.*|.*requirements)\.(txt|in)$|^constraints.*\.txt$"),
        DepsetFormat.REQUIREMENTS,
    ),
]
_SNIFF_BYTES = 1 << 20


def detect_format(path: Path, head: bytes) -> DepsetFormat:
    """The format of ``path`` given its first bytes (or whole content).

    The name decides when it is a well-known one; otherwise the content:
    JSON with ``bomFormat``/``spdxVersion``/``lockfileVersion``, TOML with
    ``lock-version`` and ``packages`` (PEP 751), ``[[package]]`` with
    ``[metadata]`` (Poetry) or a top-level ``version`` (uv), a paragraph with
    ``Package:`` and ``Status:`` (dpkg); anything else is read as a
    requirements file.
    """
    name = path.name.lower()
    for pattern, by_name in _BY_NAME:
        if pattern.search(name):
            return by_name
    text = head[:_SNIFF_BYTES].decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    sniffed = _sniff_json(head) if stripped.startswith("{") else _sniff_toml(text)
    if sniffed is not None:
        return sniffed
    if re.search(r"^Package:", text, re.M) and re.search(r"^Status:", text, re.M):
        return DepsetFormat.DPKG_STATUS
    return DepsetFormat.REQUIREMENTS


def _sniff_json(data: bytes) -> DepsetFormat | None:
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = data[:4096].decode("utf-8", errors="replace")
        keys = {
            '"bomFormat"': DepsetFormat.CYCLONEDX,
            '"spdxVersion"': DepsetFormat.SPDX,
            '"lockfileVersion"': DepsetFormat.NPM_LOCK,
        }
        return next((fmt for key, fmt in keys.items() if key in text), None)
    if not isinstance(doc, dict):
        return None
    if doc.get("bomFormat") == "CycloneDX":
        return DepsetFormat.CYCLONEDX
    if "spdxVersion" in doc:
        return DepsetFormat.SPDX
    if "lockfileVersion" in doc:
        return DepsetFormat.NPM_LOCK
    return None


def _sniff_toml(text: str) -> DepsetFormat | None:
    if not re.search(r"^\s*(\[\[packages?\]\]|lock-version\s*=|version\s*=)", text, re.M):
        return None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if "lock-version" in doc and "packages" in doc:
        return DepsetFormat.PYLOCK
    if isinstance(doc.get("package"), list):
        if isinstance(doc.get("metadata"), dict):
            return DepsetFormat.POETRY_LOCK
        if "version" in doc:
            return DepsetFormat.UV_LOCK
    return None
