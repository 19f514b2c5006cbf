#!/usr/bin/env python3
"""Build chainsight's index of the *names* of build-system files upstream tools install.

autoconf, automake, libtool, gettext/autopoint, gnulib, autoconf-archive, pkgconf,
gtk-doc, intltool and glib copy m4 macros, auxiliary scripts and ``po/`` boilerplate
into the projects that use them. A release tarball carrying ``m4/build-to-host.m4``
that is not in git is expected; ``m4/totally-new.m4`` is not. This script records
which names exist upstream and which Debian package(s) ship each one. It records
names only, never contents: whether a file *is* the upstream file is a separate,
content-level check.

Sources are Debian binary packages fetched with ``apt-get download`` through a private
apt configuration under the work directory (its own sources.list, lists and cache;
the host's apt state is neither read for sources nor changed). Several suites are
read and their names merged, because the names change over time: bookworm's
gettext 0.21 and gnulib 2023-02 predate ``build-to-host.m4``, while older suites
still carry macros that newer upstream releases dropped.

Packages are unpacked with ``dpkg-deb -x`` (these are Debian's own packages); the
autopoint archive inside the autopoint package is only listed, never extracted.

Usage::

    python3 tools/build_name_index.py [--out PATH] [--workdir DIR] [--suite SUITE ...]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

SCHEMA = "chainsight.upstream-names/1"
GENERATED_BY = "tools/build_name_index.py"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "src" / "chainsight" / "knowledge" / "data" / "upstream_names.json"
DEFAULT_SUITES = ("bullseye", "bookworm", "trixie")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
MAX_OUTPUT_BYTES = 150 * 1024

Section = Literal["m4", "build_aux", "po"]
SECTIONS: tuple[Section, ...] = ("m4", "build_aux", "po")


@dataclass(frozen=True)
class Rule:
    """Where one package keeps files of one section."""

    section: Section
    """Index section the matching file names go to."""
    root: str
    """Directory inside the unpacked package; may contain glob characters."""
    pattern: str = "*"
    """fnmatch pattern the file's base name must match."""
    recursive: bool = False
    """Descend into subdirectories of ``root``."""
    relative: bool = False
    """Key by the path relative to ``root`` (``vcstocl/misc_util.py``), not the base name."""


ACLOCAL_M4 = Rule("m4", "usr/share/aclocal", "*.m4")
GLIB_RULES = (
    ACLOCAL_M4,
    Rule("build_aux", "usr/share/glib-2.0/gettext"),
    Rule("po", "usr/share/glib-2.0/gettext/po"),
)

# Per package: where it keeps what it installs into projects. Internal files of the
# tools (autoconf's own m4sugar, automake's Automake/*.pm and am/*.am, aclocal's
# internal/ macros, libltdl's bundled sources) are deliberately not listed.
RULES: dict[str, tuple[Rule, ...]] = {
    "autoconf": (Rule("build_aux", "usr/share/autoconf/build-aux"),),
    "automake": (
        Rule("m4", "usr/share/aclocal-*", "*.m4"),
        Rule("m4", "usr/share/aclocal", "*.m4"),
        # config.guess, install-sh, depcomp, missing, compile, test-driver, INSTALL, ...
        Rule("build_aux", "usr/share/automake-*"),
    ),
    "libtool": (ACLOCAL_M4, Rule("build_aux", "usr/share/libtool/build-aux")),
    "libltdl-dev": (ACLOCAL_M4,),
    "gettext": (
        ACLOCAL_M4,
        Rule("m4", "usr/share/gettext/m4", "*.m4"),
        Rule("build_aux", "usr/share/gettext", "config.rpath"),
        Rule("build_aux", "usr/share/gettext", "ABOUT-NLS"),
        Rule("po", "usr/share/gettext/po"),
    ),
    # autopoint's own files come from its archive: see collect_autopoint_archive().
    "autopoint": (ACLOCAL_M4, Rule("m4", "usr/share/gettext/m4", "*.m4")),
    "autoconf-archive": (ACLOCAL_M4, Rule("m4", "usr/share/autoconf-archive", "*.m4", True)),
    "gnulib": (
        Rule("m4", "usr/share/gnulib/m4", "*.m4"),
        Rule("build_aux", "usr/share/gnulib/build-aux", recursive=True, relative=True),
        # gnulib-tool copies build-aux/po/* into the project's po/ directory.
        Rule("po", "usr/share/gnulib/build-aux/po"),
    ),
    "pkgconf": (ACLOCAL_M4,),
    "pkg-config": (ACLOCAL_M4,),
    "gtk-doc-tools": (ACLOCAL_M4, Rule("build_aux", "usr/share/gtk-doc/data", "gtk-doc.make")),
    # intltoolize copies Makefile.in.in into po/; see also collect_intltoolize().
    "intltool": (ACLOCAL_M4, Rule("po", "usr/share/intltool", "Makefile.in.in")),
    # glib's m4 macros (glib-2.0.m4, glib-gettext.m4, gsettings.m4) and the files
    # glib-gettextize copies (usr/share/glib-2.0/gettext/{*,po/*}) are in
    # libglib2.0-dev-bin up to bookworm and in libgio-2.0-dev from trixie on; the
    # libglib2.0-dev metapackage has none of them.
    "libglib2.0-dev-bin": GLIB_RULES,
    "libgio-2.0-dev": GLIB_RULES,
}
DEFAULT_PACKAGES = tuple(RULES)


class BuildError(Exception):
    """A step failed; the message is one line for the user."""


Index = dict[Section, dict[str, set[str]]]


def new_index() -> Index:
    return {section: {} for section in SECTIONS}


def add(index: Index, section: Section, name: str, provider: str) -> None:
    index[section].setdefault(name, set()).add(provider)


# --------------------------------------------------------------------------- apt


class PrivateApt:
    """apt-get with its own sources.list, lists and cache under ``root``."""

    def __init__(self, root: Path, suites: Sequence[str], mirror: str, keyring: str) -> None:
        self.root = root
        etc = root / "etc"
        for sub in ("etc/sources.list.d", "etc/preferences.d", "lists/partial", "cache"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        sources = etc / "sources.list"
        sources.write_text(
            "".join(f"deb [signed-by={keyring}] {mirror} {suite} main\n" for suite in suites),
            encoding="utf-8",
        )
        status = root / "status"
        status.touch()
        self.options = [
            f"-oDir::Etc::SourceList={sources}",
            f"-oDir::Etc::SourceParts={etc / 'sources.list.d'}",
            f"-oDir::Etc::Preferences={etc / 'preferences'}",
            f"-oDir::Etc::PreferencesParts={etc / 'preferences.d'}",
            f"-oDir::State::Lists={root / 'lists'}",
            f"-oDir::State::status={status}",
            f"-oDir::Cache={root / 'cache'}",
        ]
        if os.geteuid() == 0:
            # As root, apt fetches as the _apt user and, when _apt cannot write to the
            # target (here a private 0700 temp dir), warns and fetches as root anyway.
            # Say so up front so that warnings left in `update` mean real trouble.
            # Release signatures are checked either way.
            self.options.append("-oAPT::Sandbox::User=root")

    def run(
        self, args: Sequence[str], cwd: Path | None = None, tool: str = "apt-get"
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [tool, "-q", *self.options, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )

    def update(self) -> None:
        done = self.run(["update"])
        if done.returncode != 0 or re.search(r"^(E|W): ", done.stderr, re.MULTILINE):
            raise BuildError(f"apt-get update failed: {last_lines(done.stderr or done.stdout)}")

    def available(self, packages: Sequence[str]) -> dict[str, set[str]]:
        """Which of ``packages`` each suite has: {suite: {package, ...}} (apt-cache madison)."""
        done = self.run(["madison", *packages], tool="apt-cache")
        if done.returncode != 0:
            raise BuildError(f"apt-cache madison failed: {last_lines(done.stderr)}")
        found: dict[str, set[str]] = {}
        for line in done.stdout.splitlines():
            fields = [field.strip() for field in line.split("|")]
            if len(fields) == 3 and fields[2].endswith(" Packages"):
                suite = fields[2].split()[1].split("/")[0]
                found.setdefault(suite, set()).add(fields[0])
        return found

    def download(self, packages: Sequence[str], suite: str, dest: Path) -> list[str]:
        """Download ``packages`` from ``suite`` into ``dest``; return one error per failure.

        One apt-get call for the whole suite; if it fails, one call per package so the
        error names the packages that could not be fetched.
        """
        dest.mkdir(parents=True, exist_ok=True)
        for old in dest.glob("*.deb"):
            old.unlink()
        wanted = [f"{package}/{suite}" for package in packages]
        done = self.run(["download", *wanted], cwd=dest)
        if done.returncode == 0:
            return []
        errors = []
        for spec in wanted:
            done = self.run(["download", spec], cwd=dest)
            if done.returncode != 0:
                errors.append(f"apt-get download {spec} failed: {last_lines(done.stderr)}")
        return errors


def last_lines(text: str, count: int = 2) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:])


def deb_field(deb: Path, field: str) -> str:
    done = subprocess.run(
        ["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BuildError(f"dpkg-deb -f {deb.name} {field} failed: {last_lines(done.stderr)}")
    return done.stdout.strip()


def unpack(deb: Path, dest: Path) -> None:
    if dest.exists():  # left by an earlier run with --workdir: start clean
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    done = subprocess.run(
        ["dpkg-deb", "-x", str(deb), str(dest)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BuildError(f"dpkg-deb -x {deb.name} failed: {last_lines(done.stderr)}")


# --------------------------------------------------------------------- collection


def files_under(directory: Path, recursive: bool) -> Iterator[PurePosixPath]:
    """Paths relative to ``directory`` of everything that is not a real directory.

    Symbolic links count as files (automake's config.guess is a link into
    /usr/share/misc); links are never followed.
    """
    if recursive:
        for current, dirnames, filenames in os.walk(directory, followlinks=False):
            base = Path(current)
            names = list(filenames) + [d for d in dirnames if (base / d).is_symlink()]
            for name in names:
                yield PurePosixPath((base / name).relative_to(directory).as_posix())
    else:
        with os.scandir(directory) as entries:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    yield PurePosixPath(entry.name)


def collect_rules(index: Index, package: str, root: Path) -> None:
    for rule in RULES.get(package, ()):
        for directory in sorted(root.glob(rule.root)):
            if directory.is_symlink() or not directory.is_dir():
                continue
            for rel in files_under(directory, rule.recursive):
                if fnmatch.fnmatchcase(rel.name, rule.pattern):
                    add(index, rule.section, str(rel) if rule.relative else rel.name, package)


def collect_autopoint_archive(index: Index, package: str, root: Path) -> dict[str, int]:
    """List (never extract) the member names of autopoint's archive of gettext files.

    Members are ``gettext-<version>/<path>``: ``m4/*`` and ``po/*`` go to their
    sections, top-level files (ABOUT-NLS, config.rpath, mkinstalldirs) to build_aux,
    ``intl/`` (the libintl sources old gettext versions copied) is skipped.
    """
    counts = {"versions": 0, "skipped": 0}
    archives = sorted((root / "usr/share/gettext").glob("archive.dir.tar*"))
    if not archives:
        print(f"  warning: {package}: no usr/share/gettext/archive.dir.tar* found", flush=True)
        return counts
    versions: set[str] = set()
    for archive in archives:
        with tarfile.open(archive, mode="r|*") as stream:
            for member in stream:
                if not (member.isfile() or member.issym() or member.islnk()):
                    continue
                parts = PurePosixPath(member.name).parts
                if parts and parts[0] == ".":
                    parts = parts[1:]
                if len(parts) < 2:
                    counts["skipped"] += 1
                    continue
                versions.add(parts[0])
                rest = parts[1:]
                if len(rest) == 1:
                    add(index, "build_aux", rest[0], package)
                elif rest[0] == "m4" and rest[-1].endswith(".m4"):
                    add(index, "m4", "/".join(rest[1:]), package)
                elif rest[0] == "po":
                    add(index, "po", "/".join(rest[1:]), package)
                else:
                    counts["skipped"] += 1
    counts["versions"] = len(versions)
    return counts


INTLTOOLIZE_SCRIPTS = re.compile(r"for script in ((?:intltool-[\w.-]+\s*)+);")


def collect_intltoolize(index: Index, package: str, root: Path) -> None:
    """intltoolize creates intltool-{extract,merge,update}.in when Makefile.am names them.

    Those names live only in the script's text, so read them from there.
    """
    script = root / "usr/bin/intltoolize"
    if not script.is_file():
        print(f"  warning: {package}: usr/bin/intltoolize not found", flush=True)
        return
    match = INTLTOOLIZE_SCRIPTS.search(script.read_text(encoding="utf-8", errors="replace"))
    if match is None:
        print(f"  warning: {package}: no intltool-*.in names found in intltoolize", flush=True)
        return
    for name in match.group(1).split():
        add(index, "build_aux", name, package)


def collect_package(package: str, root: Path) -> tuple[Index, str]:
    """Names one unpacked package provides, and a note for the log."""
    index = new_index()
    collect_rules(index, package, root)
    note = ""
    if package == "autopoint":
        counts = collect_autopoint_archive(index, package, root)
        note = (
            f" (archive: {counts['versions']} gettext versions;"
            f" {counts['skipped']} intl/ and other members not indexed)"
        )
    elif package == "intltool":
        collect_intltoolize(index, package, root)
    return index, note


def merge(into: Index, index: Index) -> dict[Section, int]:
    """Merge ``index`` into ``into``; return how many names were new per section."""
    new = {section: len(set(index[section]) - set(into[section])) for section in SECTIONS}
    for section in SECTIONS:
        for name, providers in index[section].items():
            into[section].setdefault(name, set()).update(providers)
    return new


# ------------------------------------------------------------------------ output


def render(index: Index, suites: Sequence[str], providers: dict[str, dict[str, str]]) -> str:
    """Deterministic JSON: sorted keys, one top-level key per line, compact values."""
    document: dict[str, object] = {
        "schema": SCHEMA,
        "generated_by": GENERATED_BY,
        "suites": list(suites),
        "providers": providers,
    }
    for section in SECTIONS:
        document[section] = {name: sorted(p) for name, p in index[section].items()}
    lines = [
        f"{json.dumps(key)}:{json.dumps(document[key], sort_keys=True, separators=(',', ':'))}"
        for key in sorted(document)
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep apt state, .deb files and unpacked trees here (default: a temp dir)",
    )
    parser.add_argument(
        "--suite",
        dest="suites",
        action="append",
        default=None,
        help=f"Debian suite to read; repeatable (default: {' '.join(DEFAULT_SUITES)})",
    )
    parser.add_argument(
        "--package",
        dest="packages",
        action="append",
        default=None,
        choices=sorted(RULES),
        help="package to read; repeatable (default: all known)",
    )
    parser.add_argument("--mirror", default=DEFAULT_MIRROR, help="Debian archive URL")
    parser.add_argument("--keyring", default=DEFAULT_KEYRING, help="keyring that signs the archive")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="write the index even if some packages cannot be downloaded",
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace, workdir: Path) -> int:
    suites: list[str] = list(dict.fromkeys(args.suites or DEFAULT_SUITES))
    packages: list[str] = list(dict.fromkeys(args.packages or DEFAULT_PACKAGES))
    apt = PrivateApt(workdir / "apt", suites, args.mirror, args.keyring)
    print(f"work directory: {workdir}", flush=True)
    print(f"apt-get update ({args.mirror}: {', '.join(suites)})", flush=True)
    apt.update()

    index = new_index()
    providers: dict[str, dict[str, str]] = {}
    failures: list[str] = []
    available = apt.available(packages)
    for suite in suites:
        in_suite = [p for p in packages if p in available.get(suite, set())]
        print(f"suite {suite}: apt-get download {len(in_suite)} packages", flush=True)
        absent = [p for p in packages if p not in in_suite]
        if absent:
            print(f"  not in {suite}: {', '.join(absent)}", flush=True)
        debs_dir = workdir / "debs" / suite
        errors = apt.download(in_suite, suite, debs_dir)
        for error in errors:
            print(f"  error: {error}", file=sys.stderr, flush=True)
        debs: dict[str, Path] = {}
        for deb in sorted(debs_dir.glob("*.deb")):
            debs[deb_field(deb, "Package")] = deb
        for package in in_suite:
            deb_or_none = debs.get(package)
            if deb_or_none is None:
                failures.append(f"{package}/{suite}")
                continue
            version = deb_field(deb_or_none, "Version")
            tree = workdir / "unpacked" / suite / package
            unpack(deb_or_none, tree)
            providers.setdefault(package, {})[suite] = version
            found, note = collect_package(package, tree)
            new = merge(index, found)
            counts = ", ".join(f"{s} {len(found[s])} (+{new[s]} new)" for s in SECTIONS)
            print(f"  {package} {version}: {counts}{note}", flush=True)

    nowhere = [p for p in packages if not any(p in found for found in available.values())]
    if nowhere:
        print(f"error: not in any suite: {', '.join(nowhere)}", file=sys.stderr, flush=True)
        failures.extend(f"{package}/*" for package in nowhere)
    if failures:
        message = f"could not get {len(failures)} package(s): {', '.join(failures)}"
        if not args.allow_missing:
            print(
                f"error: {message}; nothing written (--allow-missing to write anyway)",
                file=sys.stderr,
            )
            return 1
        print(f"warning: {message}; the index is incomplete", file=sys.stderr, flush=True)

    for package in providers:
        if not any(package in p for s in SECTIONS for p in index[s].values()):
            print(f"warning: {package} provided no names in any suite", file=sys.stderr)

    text = render(index, suites, providers)
    write_atomically(args.out, text)
    size = len(text.encode("utf-8"))
    print(f"wrote {args.out} ({size} bytes)")
    for section in SECTIONS:
        print(f"  {section}: {len(index[section])} names")
    print(f"  providers: {len(providers)} packages")
    if size > MAX_OUTPUT_BYTES:
        print(
            f"warning: {size} bytes is more than the {MAX_OUTPUT_BYTES} aimed for", file=sys.stderr
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for tool in ("apt-get", "dpkg-deb"):
        if not any((Path(d) / tool).is_file() for d in os.get_exec_path()):
            print(
                f"error: {tool} not found; this script needs a Debian-like system", file=sys.stderr
            )
            return 2
    try:
        if args.workdir is not None:
            workdir = args.workdir.resolve()
            workdir.mkdir(parents=True, exist_ok=True)
            return build(args, workdir)
        with tempfile.TemporaryDirectory(prefix="chainsight-names-") as tmp:
            return build(args, Path(tmp))
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (OSError, tarfile.TarError) as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
