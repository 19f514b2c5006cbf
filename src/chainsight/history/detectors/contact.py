"""Contact and distribution rewrites: bug-report address, SECURITY.md, homepage and
download URLs.

For each commit that changes a file where a project declares how to reach it
(``configure.ac`` AC_INIT, CMake ``PACKAGE_BUGREPORT``/``PACKAGE_URL``/
``HOMEPAGE_URL``, ``pyproject.toml`` and ``setup.cfg``/``setup.py`` URLs,
``package.json`` ``bugs``/``homepage``/``repository``, ``Cargo.toml``,
``debian/upstream/metadata``, ``SECURITY.md``), the contact values before and
after are compared by *place* (:func:`place`: an email's domain, a URL's host,
and the owner on a forge). A place replaced by another (not just added) is an
event: medium when the author is a newcomer, low otherwise. xz's move from
tukaani.org to xz.tukaani.org is a new host; a README rewording, an https
upgrade or a new path on the same site is not a rewrite.
"""

from __future__ import annotations

import json
import re

from chainsight.history.context import HistoryContext
from chainsight.history.detectors._util import short
from chainsight.history.model import Event
from chainsight.history.reader import ZERO_OID
from chainsight.model import Severity

_URL = re.compile(r"(?:https?|ftp)://[^\s\"'<>()\[\],]+|mailto:[^\s\"'<>()\[\],]+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_FORGES = (
    "github.com",
    "gitlab.com",
    "codeberg.org",
    "sourceforge.net",
    "bitbucket.org",
    "salsa.debian.org",
    "gitlab.gnome.org",
    "sr.ht",
    "git.sr.ht",
    "pypi.org",
    "www.npmjs.com",
    "npmjs.com",
)


def place(value: str) -> str:
    """Where a contact value leads: an email's domain, a URL's host (and the owner
    on a forge). Moving within one place (a new path, https) is not a rewrite. A value
    that wraps a URL or an address in prose (``a suitable mailing list => URL``) is
    placed by what it wraps."""
    inner = _URL.search(value) or _EMAIL.search(value)
    v = _norm(inner.group() if inner else value)
    if "@" in v and "/" not in v:
        return "@" + v.rsplit("@", 1)[1]
    host, _, path = v.partition("/")
    host = host.split(":", 1)[0]
    if host in _FORGES or host.endswith(".github.io"):
        owner = path.split("/", 1)[0]
        return f"{host}/{owner}"
    return host


def _norm(value: str) -> str:
    v = value.strip().strip(".").lower()
    v = re.sub(r"^(?:https?|ftp)://", "", v)
    v = re.sub(r"^mailto:", "", v)
    v = re.sub(r"^www\.", "", v)
    return v.rstrip("/")


def _ac_init(text: str) -> dict[str, set[str]]:
    m = re.search(r"AC_INIT\s*\(", text)
    if not m:
        return {}
    depth, i = 1, m.end()
    args: list[str] = []
    cur: list[str] = []
    while i < len(text) and depth:
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                break
        if ch == "," and depth == 1:
            args.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    args.append("".join(cur))
    clean = [re.sub(r"[\[\]\s]", "", a) for a in args]
    out: dict[str, set[str]] = {}
    if len(clean) > 2 and clean[2]:
        out["bug-report address (AC_INIT)"] = {clean[2]}
    if len(clean) > 4 and clean[4]:
        out["homepage (AC_INIT)"] = {clean[4]}
    return out


_CMAKE_SET = re.compile(r"(?i:set)\s*\(\s*(PACKAGE_BUGREPORT|PACKAGE_URL)\s+\"?([^\s\")]+)")
_CMAKE_HOMEPAGE = re.compile(r"HOMEPAGE_URL\s+\"?([^\s\")]+)")


def _cmake(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    if "PACKAGE_" in text:
        for m in _CMAKE_SET.finditer(text):
            out.setdefault(f"{m.group(1)} (CMake)", set()).add(m.group(2))
    if "HOMEPAGE_URL" in text:
        for m in _CMAKE_HOMEPAGE.finditer(text):
            out.setdefault("HOMEPAGE_URL (CMake)", set()).add(m.group(1))
    return out


def _keyed_urls(text: str, keys: str, label: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in re.finditer(
        r"^\s*[\"']?(" + keys + r")[\"']?\s*[=:]\s*[\"']?([^\s\"',]+)", text, re.I | re.M
    ):
        out.setdefault(f"{m.group(1).lower()} ({label})", set()).add(m.group(2))
    return out


def _package_json(text: str) -> dict[str, set[str]]:
    try:
        doc = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(doc, dict):
        return {}
    out: dict[str, set[str]] = {}
    for key in ("homepage", "bugs", "repository"):
        v = doc.get(key)
        values = []
        if isinstance(v, str):
            values = [v]
        elif isinstance(v, dict):
            values = [x for x in (v.get("url"), v.get("email")) if isinstance(x, str)]
        if values:
            out[f"{key} (package.json)"] = set(values)
    return out


def _free_text(text: str, label: str) -> dict[str, set[str]]:
    values: set[str] = set()
    for line in text.splitlines():
        values.update(_URL.findall(line))
        values.update(_EMAIL.findall(line))
    return {label: values} if values else {}


def contacts_of(path: str, data: bytes) -> dict[str, set[str]]:
    """Contact fields a file declares: label -> values."""
    text = data.decode("utf-8", "replace")
    name = path.rsplit("/", 1)[-1]
    low = name.lower()
    if path in ("configure.ac", "configure.in"):
        return _ac_init(text)
    if name == "CMakeLists.txt" and "/" not in path:
        return _cmake(text)
    if path == "pyproject.toml":
        return _keyed_urls(
            text,
            r"homepage|repository|documentation|bug ?tracker|issues|source|download|"
            r"changelog|tracker",
            "pyproject.toml",
        )
    if path in ("setup.cfg", "setup.py"):
        return _keyed_urls(text, r"url|download_url|author_email|maintainer_email", path)
    if path == "package.json":
        return _package_json(text)
    if path == "Cargo.toml":
        return _keyed_urls(text, r"homepage|repository|documentation", "Cargo.toml")
    if path == "debian/upstream/metadata":
        return _keyed_urls(
            text, r"Bug-Database|Bug-Submit|Repository|Repository-Browse|Contact", path
        )
    if low in ("security.md", "security.txt", "security.rst", "security"):
        return _free_text(text, f"security contact ({path})")
    return {}


def is_contact_file(path: str) -> bool:
    if path in (
        "configure.ac",
        "configure.in",
        "CMakeLists.txt",
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "package.json",
        "Cargo.toml",
        "debian/upstream/metadata",
    ):
        return True
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith("security") and path.count("/") <= 2


_CACHE: dict[tuple[str, str], dict[str, set[str]]] = {}


def _contacts(ctx: HistoryContext, path: str, oid: str) -> dict[str, set[str]]:
    """contacts_of a blob, parsed once (it is the old side of the next change)."""
    hit = _CACHE.get((path, oid))
    if hit is None:
        if len(_CACHE) > 256:
            _CACHE.clear()
        hit = _CACHE[(path, oid)] = contacts_of(path, ctx.source.read_blob(oid) or b"")
    return hit


def detect(ctx: HistoryContext) -> list[Event]:
    events: list[Event] = []
    for c, a in zip(ctx.data.commits, ctx.authors, strict=True):
        if c.duplicate or not ctx.in_window(c.committer_time):
            continue
        for ch in c.changes:
            if ch.status not in "MT" or not is_contact_file(ch.path):
                continue
            if ch.old_blob == ZERO_OID:
                continue
            old = _contacts(ctx, ch.path, ch.old_blob)
            new = _contacts(ctx, ch.path, ch.new_blob)
            for label in sorted(old.keys() & new.keys()):
                before = {place(v) for v in old[label]}
                after = {place(v) for v in new[label]}
                gone = before - after
                came = after - before
                if not gone or not came:
                    continue
                newcomer = ctx.is_newcomer(a, c.committer_time)
                events.append(
                    Event(
                        "contact-rewrite",
                        c.committer_time,
                        Severity.MEDIUM if newcomer else Severity.LOW,
                        a.id if a.person else None,
                        f"{a.name} changed the {label}: {', '.join(sorted(old[label]))} -> "
                        f"{', '.join(sorted(new[label]))} ({short(c.sha)}: {c.subject})",
                        (c.sha, ch.path),
                        0.15 if newcomer else 0.03,
                    )
                )
    return events
