"""Read the user's APT sources to find which Debian archive they use.

Both formats are read: one-line ``sources.list`` entries (``deb [opts] URI
SUITE COMPONENT...``) and deb822 ``*.sources`` stanzas.  ``deb`` and ``deb-src``
entries both count: only the archive's address and suites are wanted, the
source index is fetched over HTTP whatever the entry's type.  Nothing needs
root, and a file that cannot be read is skipped.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

DEBIAN_HOSTS = re.compile(
    r"^(deb\.debian\.org|security\.debian\.org|ftp\.debian\.org|"
    r"(ftp|http)\.[a-z]{2}\.debian\.org|debian\.[\w.-]+|mirrors?\.[\w.-]+|[\w.-]+\.debian\.org)$"
)


@dataclass(frozen=True)
class AptSource:
    uri: str
    """Archive base URL, without a trailing slash."""
    suites: tuple[str, ...]
    components: tuple[str, ...]
    signed_by: str | None = None

    @property
    def is_debian(self) -> bool:
        """A Debian archive (not Ubuntu, not a vendor repository) by its address and key."""
        if self.signed_by and "debian-archive-keyring" in self.signed_by:
            return True
        match = re.match(r"^https?://([^/:]+)(?::\d+)?(/.*)?$", self.uri)
        if not match:
            return False
        host, path = match.group(1), (match.group(2) or "").rstrip("/")
        return bool(DEBIAN_HOSTS.match(host)) and path.endswith(("/debian", "/debian-security"))


def read_apt_sources(etc_apt: Path = Path("/etc/apt")) -> list[AptSource]:
    """Every entry of ``sources.list``, ``sources.list.d/*.list`` and ``*.sources``, in order."""
    out: list[AptSource] = []
    files = [etc_apt / "sources.list"]
    parts = etc_apt / "sources.list.d"
    with contextlib.suppress(OSError):
        files += sorted(parts.iterdir()) if parts.is_dir() else []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if path.name.endswith(".list"):
            out += parse_one_line(text)
        elif path.name.endswith(".sources"):
            out += parse_deb822(text)
    return out


def debian_sources(etc_apt: Path = Path("/etc/apt")) -> list[AptSource]:
    return [s for s in read_apt_sources(etc_apt) if s.is_debian]


_ONE_LINE = re.compile(r"^(deb|deb-src)\s+(?:\[(?P<opts>[^\]]*)\]\s+)?(?P<rest>.+)$")


def parse_one_line(text: str) -> list[AptSource]:
    out: list[AptSource] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        m = _ONE_LINE.match(line)
        if not m:
            continue
        fields = m.group("rest").split()
        if len(fields) < 2:
            continue
        signed_by = None
        for opt in (m.group("opts") or "").split():
            key, _, value = opt.partition("=")
            if key == "signed-by":
                signed_by = value
        out.append(AptSource(fields[0].rstrip("/"), (fields[1],), tuple(fields[2:]), signed_by))
    return out


def parse_deb822(text: str) -> list[AptSource]:
    out: list[AptSource] = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for raw in stanza.splitlines():
            if raw.startswith("#"):
                continue
            if raw[:1] in (" ", "\t") and key is not None:
                fields[key] += "\n" + raw.strip()
                continue
            name, sep, value = raw.partition(":")
            if sep and name.strip():
                key = name.strip().lower()
                fields[key] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        types = fields.get("types", "").split()
        if not {"deb", "deb-src"} & set(types):
            continue
        signed = fields.get("signed-by")
        signed_by = signed if signed and "\n" not in signed else None
        for uri in fields.get("uris", "").split():
            out.append(
                AptSource(
                    uri.rstrip("/"),
                    tuple(fields.get("suites", "").split()),
                    tuple(fields.get("components", "").split()),
                    signed_by,
                )
            )
    return out
