"""Package URLs (purl) -> package targets.

``pkg:pypi/NAME@VERSION``, ``pkg:npm/NAME@VERSION`` and
``pkg:npm/%40scope/NAME@VERSION`` (an unencoded ``@scope`` is accepted too),
and ``pkg:deb/debian/NAME@VERSION?arch=...``.  A Debian purl names a *binary*
package; chainsight audits *source* packages, so the ``upstream`` qualifier
(syft) or ``source`` qualifier gives the source name, optionally as
``NAME@VERSION``; ``arch=source`` means the purl already names the source.
Without a source version the binary version is used, less a binNMU suffix
(``+b1``), which is how Debian derives a rebuilt binary's version.  Without
a source name the binary name is used as it is (right for most packages,
wrong for e.g. ``libssl3`` from ``openssl``: the audit then reports that no
such source package exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from chainsight.depsets._common import make_target
from chainsight.registry.target import Ecosystem, PackageTarget

_BINNMU = re.compile(r"\+b\d+$")


@dataclass(frozen=True)
class Purl:
    type: str
    namespace: str | None
    name: str
    version: str | None
    qualifiers: dict[str, str]


def parse_purl(text: str) -> Purl | None:
    """Split a purl into its parts (percent-decoded); None when it is not a purl."""
    text = text.strip()
    if not text.lower().startswith("pkg:"):
        return None
    rest = text[4:].lstrip("/")
    rest = rest.split("#", 1)[0]
    rest, _, query = rest.partition("?")
    qualifiers: dict[str, str] = {}
    for pair in query.split("&") if query else []:
        key, _, value = pair.partition("=")
        if key:
            qualifiers[key.lower()] = unquote(value)
    head, at, version = rest.rpartition("@")
    if not at or "/" in version or not head or head.endswith("/"):
        head, version = rest, ""
    segments = [unquote(s) for s in head.split("/") if s]
    if len(segments) < 2:
        return None
    return Purl(
        type=segments[0].lower(),
        namespace="/".join(segments[1:-1]) or None,
        name=segments[-1],
        version=unquote(version) or None,
        qualifiers=qualifiers,
    )


def purl_target(text: str) -> PackageTarget | str:
    """The target a purl names, or why it cannot be audited (``cannot audit: ...``)."""
    purl = parse_purl(text)
    if purl is None:
        return "cannot audit: not a package URL"
    if purl.type == "pypi":
        if not purl.version:
            return "cannot audit: not pinned (no version in the purl)"
        return make_target(Ecosystem.PYPI, purl.name, purl.version)
    if purl.type == "npm":
        if not purl.version:
            return "cannot audit: not pinned (no version in the purl)"
        name = purl.name
        if purl.namespace:
            scope = purl.namespace if purl.namespace.startswith("@") else "@" + purl.namespace
            name = f"{scope}/{name}"
        return make_target(Ecosystem.NPM, name, purl.version)
    if purl.type == "deb":
        return _deb_target(purl)
    return f"cannot audit: pkg:{purl.type} packages are not supported"


def _deb_target(purl: Purl) -> PackageTarget | str:
    if (purl.namespace or "").lower() != "debian":
        return (
            f"cannot audit: pkg:deb/{purl.namespace or ''} packages "
            "(only Debian's archive is supported)"
        )
    source = purl.qualifiers.get("upstream") or purl.qualifiers.get("source")
    name, version = purl.name, purl.version
    if purl.qualifiers.get("arch") == "source":
        source = None
    elif source:
        src_name, at, src_version = source.partition("@")
        name = src_name.strip()
        if at and src_version.strip():
            return make_target(Ecosystem.DEB, name, src_version.strip())
        if version:
            version = _BINNMU.sub("", version)
    if not version:
        return "cannot audit: not pinned (no version in the purl)"
    return make_target(Ecosystem.DEB, name, version)
