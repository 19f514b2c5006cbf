#!/usr/bin/env python3
"""Build chainsight's knowledge base of upstream build-system file *contents*.

For every m4 macro, auxiliary script (``build-aux/``) and gettext ``po/`` boilerplate
file that autoconf, automake, libtool, gettext/autopoint, gnulib, autoconf-archive,
pkgconf/pkg-config, glib, gtk-doc, intltool and config (config.guess/config.sub)
install into projects, record every version that can be found: sha256 of the exact
and of the normalised content, the declared serial / timestamp / version, who
provides it and where it came from, and the line hashes (one union per file name plus
a per-version bitmap over it). The result is ``src/chainsight/knowledge/data/
upstream_files.zip``, read by ``chainsight.knowledge.upstream_files``.

Known-good versions come **only** from the providers themselves:

- Debian binary packages of the providers (suites bullseye, bookworm, trixie and sid
  by default), fetched with ``apt-get download`` through a private apt configuration
  (its own sources.list, lists and cache; the host's apt state is neither read nor
  changed) and unpacked with ``dpkg-deb -x`` into a temporary directory. autopoint's
  archive of every gettext release's files is read member by member with ``tarfile``
  (never extracted).
- The providers' own git repositories (``--git PROVIDER=GIT_DIR``): every revision of
  each relevant path reachable from a branch or tag (``refs/heads``, ``refs/tags``;
  never ``refs/pull``, which holds anyone's proposals). They are read with plumbing
  (``git log --raw``, ``git cat-file --batch``) with system and global git config
  switched off.

Never feed this script files harvested from other projects' release tarballs: that
would whitelist an attacker's file.

Usage::

    python3 tools/build_knowledge.py \\
        --git gnulib=/path/to/gnulib.git --git autoconf=/path/to/autoconf.git \\
        --git automake=... --git libtool=... --git gettext=... \\
        --git autoconf-archive=... [--suite SUITE ...] [--out PATH] [--no-debian]
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

TOOLS = Path(__file__).resolve().parent
REPO_ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(REPO_ROOT / "src"))

from build_name_index import (  # noqa: E402
    RULES,
    BuildError,
    PrivateApt,
    Rule,
    deb_field,
    files_under,
    last_lines,
    unpack,
)

from chainsight.knowledge.upstream_files import SCHEMA, fingerprint  # noqa: E402

GENERATED_BY = "tools/build_knowledge.py"
DEFAULT_OUT = REPO_ROOT / "src" / "chainsight" / "knowledge" / "data" / "upstream_files.zip"
DEFAULT_SUITES = ("bullseye", "bookworm", "trixie", "sid")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
MAX_OUTPUT_BYTES = 8 * 1024 * 1024
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_ORIGINS = 3
"""Origins listed per version (earliest first); the rest are counted."""

# Debian package -> upstream project (provider).
PACKAGE_PROVIDER = {
    "autopoint": "gettext",
    "libltdl-dev": "libtool",
    "libglib2.0-dev-bin": "glib",
    "libgio-2.0-dev": "glib",
    "gtk-doc-tools": "gtk-doc",
    "autotools-dev": "config",
}
DEBIAN_RULES: dict[str, tuple[Rule, ...]] = {
    **RULES,
    # automake's and libtool's config.guess/config.sub are links to these.
    "autotools-dev": (Rule("build_aux", "usr/share/misc", "config.[gs][ue][eb]*"),),
}
GIT_PROVIDERS = ("gnulib", "autoconf", "automake", "libtool", "gettext", "autoconf-archive")

# Files that carry a project's own configuration, never an upstream tool's copy.
EXCLUDED_NAMES = frozenset(
    {
        "aclocal.m4",
        "acinclude.m4",
        "gnulib-cache.m4",
        "gnulib-comp.m4",
        "configure.ac",
        "configure.in",
        "Makefile.am",
        "Makefile.in",
        "Makefile",
        "ChangeLog",
        "README",
        "Makevars",
        "LINGUAS",
        "POTFILES.in",
        "local.mk",
        ".gitignore",
        ".cvsignore",
        ".gitattributes",
    }
)
# Directories of provider repositories that hold tests, examples, docs and sources.
SKIPPED_DIRS = frozenset(
    {
        "tests",
        "test",
        "t",
        "testsuite",
        "examples",
        "doc",
        "djgpp",
        "windows",
        "os2",
        "intl",
        "wizard",
        "git-hooks",
    }
)
# Auxiliary scripts other providers than gnulib install (gnulib: all of build-aux/).
AUX_NAMES = frozenset(
    {
        "ABOUT-NLS",
        "acinstall",
        "ansi2knr.1",
        "ansi2knr.c",
        "ar-lib",
        "compile",
        "config-ml.in",
        "config.guess",
        "config.rpath",
        "config.sub",
        "depcomp",
        "elisp-comp",
        "install-sh",
        "ltconfig",
        "ltmain.sh",
        "mdate-sh",
        "missing",
        "mkinstalldirs",
        "py-compile",
        "symlink-tree",
        "tap-driver.pl",
        "tap-driver.sh",
        "test-driver",
        "texinfo.tex",
        "ylwrap",
    }
)
AUX_DIRS = frozenset(
    {
        "",
        "build-aux",
        "config",
        "lib",
        "libltdl/config",
        "autoconf-lib-link",
        "gettext-tools/build-aux",
        "gettext-runtime",
        "gettext-tools",
    }
)
# Maintainer makefiles gnulib's bootstrap copies from top/ into a project's top directory.
GNULIB_TOP_NAMES = frozenset({"GNUmakefile", "maint.mk"})
PO_PATTERNS = ("Makefile.in.in", "Rules-*", "*.sed", "*.sin", "*.header", "Makevars.template")


def is_po_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PO_PATTERNS)


def classify(provider: str, path: str) -> tuple[str, str] | None:
    """(section, file name) when ``path`` in ``provider``'s repository is a file the
    provider installs into projects; ``None`` otherwise."""
    parts = PurePosixPath(path).parts
    name, dirs = parts[-1], parts[:-1]
    if name in EXCLUDED_NAMES or any(d in SKIPPED_DIRS for d in dirs):
        return None
    if provider == "gnulib":
        if dirs == ("m4",) and name.endswith(".m4"):
            return "m4", name
        if dirs == ("top",) and name in GNULIB_TOP_NAMES:
            return "build_aux", name  # gnulib-tool copies these to the top directory
        if dirs and dirs[0] == "build-aux":
            return ("po" if dirs[-1] == "po" else "build_aux"), name
        return None
    if name.endswith(".m4"):
        if any(d == "m4" or d.endswith("-m4") for d in dirs):
            return "m4", name
        if provider == "libtool" and not dirs:
            return "m4", name
        return None
    if dirs and dirs[-1] == "po" and is_po_name(name):
        return "po", name
    if name in AUX_NAMES and "/".join(dirs) in AUX_DIRS:
        return "build_aux", name
    if provider == "automake" and dirs == ("lib",) and name in ("COPYING", "INSTALL"):
        return "build_aux", name
    return None


# ----------------------------------------------------------------------- the store


@dataclass
class Version:
    exact: str
    normalised: str
    serial: int | None
    serial_text: str | None
    lines: array  # type: ignore[type-arg]
    providers: set[str] = field(default_factory=set)
    origins: dict[str, str] = field(default_factory=dict)
    """origin description -> date (YYYY-MM-DD)."""

    @property
    def date(self) -> str:
        return min(self.origins.values())


@dataclass
class NameRecord:
    sections: set[str] = field(default_factory=set)
    versions: dict[str, Version] = field(default_factory=dict)


class Store:
    def __init__(self) -> None:
        self.names: dict[str, NameRecord] = {}
        self.fingerprinted = 0

    def add(
        self, section: str, name: str, content: bytes, provider: str, origin: str, date: str
    ) -> None:
        record = self.names.setdefault(name, NameRecord())
        record.sections.add(section)
        exact = hashlib.sha256(content).hexdigest()[:16]
        version = record.versions.get(exact)
        if version is None:
            fp = fingerprint(name, content)
            self.fingerprinted += 1
            version = Version(
                fp.exact, fp.normalised, fp.serial, fp.serial_text, array("I", fp.lines)
            )
            record.versions[exact] = version
        version.providers.add(provider)
        known = version.origins.get(origin)
        if known is None or date < known:
            version.origins[origin] = date


def day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


# -------------------------------------------------------------------------- debian


def safe_target(root: Path, path: Path) -> Path | None:
    """Resolve ``path`` (maybe a symlink, absolute or relative) inside ``root`` only."""
    current = path
    for _ in range(16):
        if not current.is_symlink():
            return current if current.is_file() else None
        target = os.readlink(current)
        base = root if target.startswith("/") else current.parent
        candidate = Path(os.path.normpath(base / target.lstrip("/")))
        try:
            candidate.relative_to(root)
        except ValueError:
            return None
        current = candidate
    return None


def debian_files(package: str, root: Path) -> Iterator[tuple[str, str, Path]]:
    """(section, name, file) for each file ``package`` installs into projects."""
    seen: set[Path] = set()
    for rule in DEBIAN_RULES.get(package, ()):
        for directory in sorted(root.glob(rule.root)):
            if directory.is_symlink() or not directory.is_dir():
                continue
            for rel in sorted(files_under(directory, rule.recursive)):
                if not fnmatch.fnmatchcase(rel.name, rule.pattern):
                    continue
                if rel.name in EXCLUDED_NAMES:
                    continue
                section = rule.section
                if rel.parent.name == "po" or section == "po":
                    if not is_po_name(rel.name):
                        continue
                    section = "po"
                path = safe_target(root, directory / rel)
                if path is None or path in seen:
                    continue
                seen.add(path)
                yield section, rel.name, path


def read_autopoint_archive(store: Store, root: Path, origin_prefix: str) -> tuple[int, int]:
    """Add the m4/po/top-level files of every gettext release in autopoint's archive.

    The archive (``usr/share/gettext/archive.dir.tar*``) is read as a stream, member
    by member; nothing is extracted. Returns (gettext versions, files read).
    """
    versions: set[str] = set()
    count = 0
    for archive in sorted((root / "usr/share/gettext").glob("archive.dir.tar*")):
        with tarfile.open(archive, mode="r|*") as stream:
            for member in stream:
                if not member.isfile() or member.size > MAX_FILE_BYTES:
                    continue
                parts = PurePosixPath(member.name).parts
                if parts and parts[0] == ".":
                    parts = parts[1:]
                if len(parts) < 2 or not parts[0].startswith("gettext-"):
                    continue
                release, rest = parts[0], parts[1:]
                name = rest[-1]
                if name in EXCLUDED_NAMES:
                    continue
                if len(rest) == 1:
                    section = "build_aux"
                elif rest[0] == "m4" and name.endswith(".m4") and len(rest) == 2:
                    section = "m4"
                elif rest[0] == "po" and len(rest) == 2 and is_po_name(name):
                    section = "po"
                else:
                    continue
                handle = stream.extractfile(member)
                if handle is None:
                    continue
                content = handle.read()
                versions.add(release)
                count += 1
                store.add(
                    section,
                    name,
                    content,
                    "gettext",
                    f"{origin_prefix} {release}",
                    day(member.mtime),
                )
    return len(versions), count


def collect_debian(
    store: Store, args: argparse.Namespace, workdir: Path, coverage: dict[str, object]
) -> list[str]:
    suites: list[str] = list(dict.fromkeys(args.suites or DEFAULT_SUITES))
    packages = list(DEBIAN_RULES)
    apt = PrivateApt(workdir / "apt", suites, args.mirror, args.keyring)
    print(f"apt-get update ({args.mirror}: {', '.join(suites)})", flush=True)
    apt.update()
    available = apt.available(packages)
    failures: list[str] = []
    read: dict[str, dict[str, str]] = {}
    for suite in suites:
        in_suite = [p for p in packages if p in available.get(suite, set())]
        print(f"suite {suite}: apt-get download {len(in_suite)} packages", flush=True)
        debs_dir = workdir / "debs" / suite
        for error in apt.download(in_suite, suite, debs_dir):
            print(f"  error: {error}", file=sys.stderr, flush=True)
        debs = {deb_field(deb, "Package"): deb for deb in sorted(debs_dir.glob("*.deb"))}
        for package in in_suite:
            deb = debs.get(package)
            if deb is None:
                failures.append(f"{package}/{suite}")
                continue
            version = deb_field(deb, "Version")
            tree = workdir / "unpacked" / suite / package
            unpack(deb, tree)
            read.setdefault(package, {})[suite] = version
            provider = PACKAGE_PROVIDER.get(package, package)
            origin = f"debian:{suite}:{package} {version}"
            count = 0
            for section, name, path in debian_files(package, tree):
                content = path.read_bytes()
                if len(content) > MAX_FILE_BYTES:
                    continue
                store.add(section, name, content, provider, origin, day(path.stat().st_mtime))
                count += 1
            note = ""
            if package == "autopoint":
                releases, members = read_autopoint_archive(store, tree, origin + " archive")
                note = f" + archive: {members} files of {releases} gettext releases"
            print(f"  {package} {version}: {count} files{note}", flush=True)
    nowhere = [p for p in packages if not any(p in found for found in available.values())]
    failures.extend(f"{package}/*" for package in nowhere)
    coverage["debian"] = {"suites": suites, "mirror": args.mirror, "packages": read}
    return failures


# ----------------------------------------------------------------------------- git


def git_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_NO_REPLACE_OBJECTS": "1",
        "HOME": os.devnull,
        "LC_ALL": "C",
    }


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={repo}", *args],
        capture_output=True,
        env=git_env(),
        check=False,
    )
    if done.returncode != 0:
        raise BuildError(f"git {args[0]} in {repo} failed: {last_lines(done.stderr.decode())}")
    return done.stdout.decode("utf-8", "replace")


RAW_LINE = re.compile(r"^:\d{6} (\d{6}) [0-9a-f]{40} ([0-9a-f]{40}) ([AMT])\t(.+)$")


def history(repo: Path, provider: str) -> dict[str, tuple[str, str, str, str]]:
    """blob id -> (section, name, earliest commit, its date) for every revision of every
    relevant file reachable from a branch or tag."""
    text = git(
        repo,
        "log",
        "--branches",
        "--tags",
        "--no-renames",
        "--diff-merges=first-parent",
        "--raw",
        "--no-abbrev",
        "--format=C %H %ct",
    )
    blobs: dict[str, tuple[str, str, str, str]] = {}
    commit, date = "", ""
    for line in text.splitlines():
        if line.startswith("C "):
            _, commit, stamp = line.split()
            date = day(int(stamp))
            continue
        match = RAW_LINE.match(line)
        if match is None:
            continue
        mode, blob, _, path = match.groups()
        if mode not in ("100644", "100755"):
            continue
        if path.startswith('"'):  # quoted: unusual characters, never an upstream file
            continue
        found = classify(provider, path)
        if found is None:
            continue
        known = blobs.get(blob)
        if known is None or date < known[3]:
            blobs[blob] = (found[0], found[1], commit, date)
    return blobs


def cat_blobs(repo: Path, blobs: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    """Contents of ``blobs`` through one ``git cat-file --batch``."""
    proc = subprocess.Popen(
        ["git", f"--git-dir={repo}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=git_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        assert proc.stdin is not None
        try:
            for blob in blobs:
                proc.stdin.write(blob.encode() + b"\n")
        finally:
            proc.stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for _ in blobs:
            header = proc.stdout.readline().split()
            if len(header) < 2:
                raise BuildError(f"git cat-file in {repo} stopped early")
            if header[1] == b"missing":
                continue
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            yield header[0].decode(), data
    finally:
        writer.join()
        proc.stdout.close()
        if proc.wait() != 0:
            raise BuildError(f"git cat-file in {repo} failed")


def collect_git(store: Store, provider: str, repo: Path, coverage: dict[str, object]) -> None:
    started = time.monotonic()
    blobs = history(repo, provider)
    head = git(repo, "log", "-1", "--branches", "--tags", "--format=%H %ct").split()
    refs = git(repo, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags")
    order = sorted(blobs)
    count = 0
    for blob, content in cat_blobs(repo, order):
        if len(content) > MAX_FILE_BYTES:
            continue
        section, name, commit, date = blobs[blob]
        store.add(section, name, content, provider, f"{provider}@{commit[:12]}", date)
        count += 1
    dates = [info[3] for info in blobs.values()]
    repos = coverage.setdefault("git", {})
    assert isinstance(repos, dict)
    repos[provider] = {
        "head": head[0][:12] if head else None,
        "head_date": day(int(head[1])) if len(head) == 2 else None,
        "refs": len(refs.split()),
        "revisions": count,
        "first": min(dates) if dates else None,
        "last": max(dates) if dates else None,
    }
    print(
        f"  git {provider}: {count} file revisions of {len({b[1] for b in blobs.values()})}"
        f" names, {min(dates, default='-')} .. {max(dates, default='-')}"
        f" ({time.monotonic() - started:.1f} s)",
        flush=True,
    )


# -------------------------------------------------------------------------- output


def describe_origins(version: Version) -> str:
    ordered = sorted(version.origins.items(), key=lambda item: (item[1], item[0]))
    shown = [f"{origin} {date}" for origin, date in ordered[:MAX_ORIGINS]]
    rest = len(ordered) - MAX_ORIGINS
    if rest > 0:
        shown.append(f"+{rest} more")
    return "; ".join(shown)


def encode_name(record: NameRecord) -> dict[str, object]:
    versions = sorted(record.versions.values(), key=lambda v: (v.date, v.exact))
    union = sorted({h for v in versions for h in v.lines})
    index = {h: i for i, h in enumerate(union)}
    width = (len(union) + 7) // 8
    packed = bytearray()
    previous = 0
    for version in versions:
        bits = bytearray(width)
        for digest in version.lines:
            position = index[digest]
            bits[position >> 3] |= 1 << (position & 7)
        bitmap = int.from_bytes(bits, "little")
        packed += (bitmap ^ previous).to_bytes(width, "little")
        previous = bitmap
    union_bytes = array("I", union)
    if sys.byteorder == "little":
        union_bytes.byteswap()
    providers = sorted({p for v in versions for p in v.providers})
    return {
        "s": sorted(record.sections),
        "p": providers,
        "u": base64.b64encode(union_bytes.tobytes()).decode(),
        "b": base64.b64encode(zlib.compress(bytes(packed), 9)).decode(),
        "v": [
            [
                v.exact,
                v.normalised,
                v.serial,
                v.serial_text,
                " ".join(sorted(v.providers)),
                describe_origins(v),
            ]
            for v in versions
        ],
    }


def summarise(store: Store, coverage: dict[str, object]) -> None:
    providers: dict[str, dict[str, object]] = {}
    for name, record in store.names.items():
        for version in record.versions.values():
            for provider in version.providers:
                entry = providers.setdefault(
                    provider, {"names": set(), "versions": 0, "first": "9999", "last": "0000"}
                )
                names = entry["names"]
                assert isinstance(names, set)
                names.add(name)
                entry["versions"] = int(str(entry["versions"])) + 1
                entry["first"] = min(str(entry["first"]), version.date)
                entry["last"] = max(str(entry["last"]), version.date)
    coverage["providers"] = {
        provider: {**entry, "names": len(entry["names"])}  # type: ignore[arg-type]
        for provider, entry in sorted(providers.items())
    }
    sections: dict[str, int] = {}
    for record in store.names.values():
        for section in record.sections:
            sections[section] = sections.get(section, 0) + 1
    coverage["sections"] = sections
    coverage["names"] = len(store.names)
    coverage["versions"] = sum(len(r.versions) for r in store.names.values())
    coverage["lines"] = sum(
        len({h for v in r.versions.values() for h in v.lines}) for r in store.names.values()
    )


def render(store: Store, coverage: dict[str, object]) -> bytes:
    files = {name: encode_name(store.names[name]) for name in sorted(store.names)}
    return package(coverage, files)


def package(coverage: dict[str, object], files: dict[str, object]) -> bytes:
    """A zip with one member per file name, so an audit reads only the names it needs.

    Deterministic: fixed timestamps, sorted members, maximum compression.
    """
    meta = {
        "schema": SCHEMA,
        "generated_by": GENERATED_BY,
        "coverage": coverage,
        "names": sorted(files),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        members = [("meta.json", meta)] + [(f"files/{n}", files[n]) for n in sorted(files)]
        for member, value in members:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            text = json.dumps(value, sort_keys=True, separators=(",", ":"))
            archive.writestr(info, text.encode("utf-8"), compresslevel=9)
    return buffer.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def print_coverage(coverage: dict[str, object], size: int) -> None:
    print(f"names: {coverage['names']}  versions: {coverage['versions']}", end="")
    print(f"  distinct lines: {coverage['lines']}  data: {size} bytes")
    print(f"sections: {coverage['sections']}")
    providers = coverage["providers"]
    assert isinstance(providers, dict)
    for provider, entry in providers.items():
        print(
            f"  {provider:18} {entry['names']:5} names {entry['versions']:6} versions"
            f"  {entry['first']} .. {entry['last']}"
        )


# ---------------------------------------------------------------------------- main


def parse_git(values: Iterable[str]) -> dict[str, Path]:
    repos: dict[str, Path] = {}
    for value in values:
        provider, sep, path = value.partition("=")
        if not sep or provider not in GIT_PROVIDERS:
            raise BuildError(f"--git wants PROVIDER=GIT_DIR with PROVIDER in {GIT_PROVIDERS}")
        repos[provider] = Path(path)
    return repos


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="file to write (.zip)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep apt state and debs here")
    parser.add_argument(
        "--suite",
        dest="suites",
        action="append",
        default=None,
        help=f"Debian suite to read; repeatable (default: {' '.join(DEFAULT_SUITES)})",
    )
    parser.add_argument("--mirror", default=DEFAULT_MIRROR, help="Debian archive URL")
    parser.add_argument("--keyring", default=DEFAULT_KEYRING, help="keyring that signs the archive")
    parser.add_argument(
        "--git",
        action="append",
        default=[],
        metavar="PROVIDER=GIT_DIR",
        help=f"a provider's own repository; PROVIDER in {', '.join(GIT_PROVIDERS)}",
    )
    parser.add_argument("--no-debian", action="store_true", help="read no Debian packages")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="write the data even if some packages cannot be downloaded",
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace, workdir: Path) -> int:
    started = time.monotonic()
    repos = parse_git(args.git)
    store = Store()
    coverage: dict[str, object] = {}
    failures: list[str] = []
    if not args.no_debian:
        failures = collect_debian(store, args, workdir, coverage)
        print(f"debian: {time.monotonic() - started:.0f} s", flush=True)
    for provider, repo in repos.items():
        collect_git(store, provider, repo, coverage)
    if failures:
        message = f"could not get {len(failures)} package(s): {', '.join(failures)}"
        if not args.allow_missing:
            print(f"error: {message}; nothing written (--allow-missing)", file=sys.stderr)
            return 1
        print(f"warning: {message}", file=sys.stderr)
    summarise(store, coverage)
    data = render(store, coverage)
    write_atomically(args.out, data)
    # the names alone, so that an audit looking up a name the zip lacks never opens it
    names_file = args.out.with_name(args.out.stem + "_names.txt")
    write_atomically(names_file, "".join(f"{n}\n" for n in sorted(store.names)).encode())
    print(f"wrote {args.out} ({len(data)} bytes) in {time.monotonic() - started:.0f} s")
    print_coverage(coverage, len(data))
    if len(data) > MAX_OUTPUT_BYTES:
        print(f"warning: more than the {MAX_OUTPUT_BYTES} bytes aimed for", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    needed = ["git"] + ([] if args.no_debian else ["apt-get", "dpkg-deb"])
    for tool in needed:
        if not any((Path(d) / tool).is_file() for d in os.get_exec_path()):
            print(f"error: {tool} not found", file=sys.stderr)
            return 2
    try:
        if args.workdir is not None:
            workdir = args.workdir.resolve()
            workdir.mkdir(parents=True, exist_ok=True)
            return build(args, workdir)
        with tempfile.TemporaryDirectory(prefix="chainsight-knowledge-") as tmp:
            return build(args, Path(tmp))
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (OSError, tarfile.TarError) as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
