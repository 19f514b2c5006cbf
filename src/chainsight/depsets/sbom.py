"""SBOMs: CycloneDX JSON and SPDX 2.x JSON, read through the purls they carry.

CycloneDX: every component in ``components`` (nested ``components`` too; the
``metadata.component`` the BOM describes is the subject, not a dependency).
SPDX: every package's ``externalRefs`` entry of type ``purl``; packages the
document describes (``documentDescribes`` or a ``DESCRIBES`` relationship) are
the subject and skipped when they carry no purl.  Components of ecosystems
chainsight cannot audit are summarised as one problem per reason, so that an
SBOM of a whole container image does not turn into thousands of lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainsight.depsets._common import expect_dict, load_json, text_of
from chainsight.depsets.interface import DepSet, DepsetError, DepsetFormat, EntryCollector, Origin
from chainsight.depsets.purl import purl_target

_MAX_DEPTH = 100


@dataclass
class _Grouped:
    """Problems with the same reason, collapsed into one with a count and an example."""

    by_reason: dict[str, list[str]] = field(default_factory=dict)

    def add(self, entry: str, reason: str) -> None:
        self.by_reason.setdefault(reason, []).append(entry)

    def flush(self, out: EntryCollector, origin: Origin) -> None:
        for reason, entries in self.by_reason.items():
            entry = entries[0] if len(entries) == 1 else f"{entries[0]} (+{len(entries) - 1} more)"
            out.problem(entry, reason, origin)


def parse_cyclonedx(path: Path) -> DepSet:
    doc = expect_dict(load_json(path), path, "the document")
    if doc.get("bomFormat") != "CycloneDX":
        raise DepsetError(f"{path}: bomFormat is not CycloneDX")
    out, grouped, origin = EntryCollector(), _Grouped(), Origin(str(path))
    for comp in _components(doc.get("components"), 0):
        label = _label(comp.get("name"), comp.get("version"))
        purl = text_of(comp.get("purl"))
        if purl is None:
            grouped.add(label, "cannot audit: a component without a purl")
            continue
        _add(purl, out, grouped, origin)
    grouped.flush(out, origin)
    return out.result(str(path), DepsetFormat.CYCLONEDX)


def _components(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    if not isinstance(value, list) or depth > _MAX_DEPTH:
        return
    for comp in value:
        if isinstance(comp, dict):
            yield comp
            yield from _components(comp.get("components"), depth + 1)


def parse_spdx(path: Path) -> DepSet:
    doc = expect_dict(load_json(path), path, "the document")
    version = text_of(doc.get("spdxVersion"))
    if version is None or not version.startswith("SPDX-2"):
        raise DepsetError(
            f"{path}: not an SPDX 2.x JSON document (spdxVersion {version!r}); "
            "SPDX 3 JSON-LD is not supported"
        )
    described = set(doc.get("documentDescribes") or [])
    for rel in doc.get("relationships") or []:
        if isinstance(rel, dict) and rel.get("relationshipType") == "DESCRIBES":
            described.add(rel.get("relatedSpdxElement"))
    out, grouped, origin = EntryCollector(), _Grouped(), Origin(str(path))
    for pkg in doc.get("packages") or []:
        if not isinstance(pkg, dict):
            continue
        purls = [
            ref["referenceLocator"]
            for ref in pkg.get("externalRefs") or []
            if isinstance(ref, dict)
            and str(ref.get("referenceType", "")).lower() == "purl"
            and isinstance(ref.get("referenceLocator"), str)
        ]
        if not purls:
            if pkg.get("SPDXID") not in described:
                label = _label(pkg.get("name"), pkg.get("versionInfo"))
                grouped.add(label, "cannot audit: a package without a purl")
            continue
        _add(purls[0], out, grouped, origin)
    grouped.flush(out, origin)
    return out.result(str(path), DepsetFormat.SPDX)


def _add(purl: str, out: EntryCollector, grouped: _Grouped, origin: Origin) -> None:
    target = purl_target(purl)
    if isinstance(target, str):
        grouped.add(purl, target)
    else:
        out.add(target, origin)


def _label(name: Any, version: Any) -> str:
    return " ".join(str(v) for v in (name, version) if isinstance(v, str) and v) or "(unnamed)"
