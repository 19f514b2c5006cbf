"""Package targets named on the command line or read from a dependency set.

``pypi:NAME==VERSION``, ``npm:NAME@VERSION`` (scoped: ``npm:@scope/name@1.0``)
and ``deb:SOURCE[=VERSION]``.  The version may be left out; the registry's
newest is then audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from chainsight.errors import UsageError


class Ecosystem(StrEnum):
    PYPI = "pypi"
    NPM = "npm"
    DEB = "deb"


@dataclass(frozen=True)
class PackageTarget:
    """One package release to audit."""

    ecosystem: Ecosystem
    name: str
    """PyPI: the project name as written (normalise with ``canonical_name``);
    npm: the full name, scope included; deb: the source package name."""
    version: str | None = None

    def __str__(self) -> str:
        if self.version is None:
            return f"{self.ecosystem.value}:{self.name}"
        sep = {Ecosystem.PYPI: "==", Ecosystem.NPM: "@", Ecosystem.DEB: "="}[self.ecosystem]
        return f"{self.ecosystem.value}:{self.name}{sep}{self.version}"

    @property
    def canonical_name(self) -> str:
        """PEP 503 normalised for PyPI, lower-case for npm, as-is for Debian."""
        if self.ecosystem is Ecosystem.PYPI:
            return re.sub(r"[-_.]+", "-", self.name).lower()
        if self.ecosystem is Ecosystem.NPM:
            return self.name.lower()
        return self.name


_PYPI_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_NPM_NAME = re.compile(r"^(@[a-z0-9][\w.~-]*/)?[a-z0-9][\w.~-]*$", re.IGNORECASE)
_DEB_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_VERSION_CHARS = re.compile(r"^[A-Za-z0-9.+~:_!-]+$")


def looks_like_target(text: str) -> bool:
    """True when ``text`` names a registry package rather than a local file."""
    return bool(re.match(r"^(pypi|npm|deb):", text))


def parse_target(text: str) -> PackageTarget:
    """Parse ``pypi:NAME==VER``, ``npm:NAME@VER`` or ``deb:SRC=VER`` (version optional)."""
    scheme, sep, rest = text.partition(":")
    if not sep or scheme not in {e.value for e in Ecosystem}:
        raise UsageError(
            f"cannot read target {text!r}: expected pypi:NAME==VERSION, npm:NAME@VERSION "
            "or deb:SOURCE[=VERSION]"
        )
    eco = Ecosystem(scheme)
    name, version = _split(eco, rest.strip())
    pattern = {Ecosystem.PYPI: _PYPI_NAME, Ecosystem.NPM: _NPM_NAME, Ecosystem.DEB: _DEB_NAME}[eco]
    if not pattern.match(name):
        raise UsageError(f"{text!r}: {name!r} is not a valid {eco.value} package name")
    if version is not None and not _VERSION_CHARS.match(version):
        raise UsageError(f"{text!r}: {version!r} is not a valid version")
    return PackageTarget(eco, name, version)


def _split(eco: Ecosystem, rest: str) -> tuple[str, str | None]:
    if eco is Ecosystem.PYPI:
        if "==" in rest:
            name, _, version = rest.partition("==")
            return name.strip(), version.strip() or None
        if any(op in rest for op in ("<", ">", "~=", "!=", "@")):
            raise UsageError(
                f"pypi:{rest}: only exact pins (NAME==VERSION) or a bare name can be audited"
            )
        return rest, None
    if eco is Ecosystem.NPM:
        at = rest.rfind("@")
        if at > 0:
            return rest[:at], rest[at + 1 :] or None
        return rest, None
    name, _, version = rest.partition("=")
    return name, version or None
