"""A Debian ``dpkg`` status file (``/var/lib/dpkg/status``): installed binaries -> sources.

Only packages whose ``Status`` is ``install ok installed`` (or ``hold ok
installed``: held packages are installed too) count.  Each binary package maps
to the source package it was built from: ``Source: NAME`` or ``Source: NAME
(VERSION)`` (the form dpkg writes when the versions differ, e.g. binNMUs);
without a ``Source`` field the source is the binary's own name and version.
Several binaries of one source (and multi-arch copies) are one target.
"""

from __future__ import annotations

import re
from pathlib import Path

from chainsight.depsets._common import make_target, read_text
from chainsight.depsets.interface import DepSet, DepsetError, DepsetFormat, EntryCollector, Origin
from chainsight.registry.target import Ecosystem

_SOURCE = re.compile(r"^\s*(\S+)(?:\s*\(\s*([^)\s]+)\s*\))?\s*$")
_INSTALLED_WANTS = {"install", "hold"}


def parse_dpkg_status(path: Path) -> DepSet:
    from debian.deb822 import Deb822

    text = read_text(path)
    out = EntryCollector()
    seen_package = False
    line = 1
    for block in re.split(r"\n[ \t]*\n", text):
        start = line
        line += block.count("\n") + 2
        if not block.strip():
            continue
        para = Deb822(block.splitlines())
        package = para.get("Package")
        if not package:
            continue
        seen_package = True
        origin = Origin(str(path), start + _leading_blank_lines(block))
        if not _installed(para.get("Status", "")):
            continue
        version = para.get("Version", "").strip()
        source_field = para.get("Source", "").strip()
        name, source_version = package.strip(), None
        if source_field:
            m = _SOURCE.match(source_field)
            if m is None:
                out.problem(f"{package} Source: {source_field}", "cannot audit: bad Source", origin)
                continue
            name, source_version = m.group(1), m.group(2)
        version = source_version or version
        if not version:
            out.problem(package, "cannot audit: no Version field", origin)
            continue
        target = make_target(Ecosystem.DEB, name, version)
        if isinstance(target, str):
            out.problem(f"{package} ({name} {version})", target, origin)
        else:
            out.add(target, origin)
    if not seen_package:
        raise DepsetError(f"{path}: no Package paragraphs: not a dpkg status file")
    return out.result(str(path), DepsetFormat.DPKG_STATUS)


def _installed(status: str) -> bool:
    parts = status.split()
    return len(parts) == 3 and parts[0] in _INSTALLED_WANTS and parts[1:] == ["ok", "installed"]


def _leading_blank_lines(block: str) -> int:
    return len(block) - len(block.lstrip("\n")) if block.startswith("\n") else 0
