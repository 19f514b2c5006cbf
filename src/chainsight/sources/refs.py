"""Find the git tag a release artifact was made from.

The name and version come from the artifact's file name (sdist, wheel, npm
tarball, Debian orig tarball, plain ``NAME-VERSION.tar.*``). The tag is then
looked for among the usual spellings. No match is an error that lists the
nearest tags: chainsight never falls back to a branch.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from chainsight.errors import RefNotFoundError

_ARCHIVE_SUFFIX = re.compile(
    r"(\.orig(-[\w.-]+)?)?\.(tar\.(gz|xz|bz2|zst|lzma)|tgz|tbz2?|txz|tar|zip|whl|dsc)$",
    re.IGNORECASE,
)
# a version starts with a digit, or a 'v' followed by a digit
_NAME_VERSION = re.compile(r"^(?P<name>.+?)[-_]v?(?P<version>\d[\w.+~-]*)$")


@dataclass(frozen=True)
class ReleaseName:
    name: str
    version: str


def parse_release_name(filename: str) -> ReleaseName | None:
    """NAME and VERSION from an artifact file name, or None."""
    base = filename.rsplit("/", 1)[-1]
    if base.lower().endswith(".whl"):
        parts = base[:-4].split("-")
        if len(parts) >= 5:
            return ReleaseName(parts[0], parts[1])
        return None
    stem = _ARCHIVE_SUFFIX.sub("", base)
    if "_" in stem and ".orig" in base:  # Debian: source_version.orig.tar.xz
        name, _, version = stem.partition("_")
        return ReleaseName(name, _debian_upstream(version))
    m = _NAME_VERSION.match(stem)
    if not m:
        return None
    return ReleaseName(m.group("name"), m.group("version"))


def _debian_upstream(version: str) -> str:
    version = version.split(":", 1)[-1]
    version = re.sub(r"[+~](dfsg|ds|repack|really)[\w.]*$", "", version)
    return version


def tag_candidates(release: ReleaseName) -> list[str]:
    """Tag spellings in order of preference."""
    v = release.version
    versions = [v]
    if "~" in v:
        versions.append(v.replace("~", "-"))
        versions.append(v.replace("~", ""))
    names = [release.name]
    for sep in ("-", "_", "."):
        alt = release.name.replace("-", sep).replace("_", sep)
        if alt not in names:
            names.append(alt)
    short = re.sub(r"[-_](utils|python|py|js|node)$", "", release.name)
    if short not in names:
        names.append(short)
    out: list[str] = []
    for ver in versions:
        under = ver.replace(".", "_")
        dash = ver.replace(".", "-")
        out += [f"v{ver}", ver]
        for n in names:
            out += [
                f"{n}-{ver}",
                f"{n}-v{ver}",
                f"{n}_{ver}",
                f"{n}-{under}",
                f"{n}_{under}",
                f"{n}/{ver}",
                f"{n}/v{ver}",
                f"{n}@{ver}",
            ]
        out += [
            f"release-{ver}",
            f"release/{ver}",
            f"rel-{ver}",
            f"version-{ver}",
            f"release-{dash}",
            f"v{under}",
            f"RELEASE_{under}",
            under,
        ]
    return list(dict.fromkeys(out))


def match_tag(release: ReleaseName, tags: list[str]) -> str | None:
    """The tag for a release: a usual spelling, else one unambiguous near spelling."""
    exact = set(tags)
    lower = {t.lower(): t for t in tags}
    candidates = tag_candidates(release)
    for cand in candidates:
        if cand in exact:
            return cand
        if cand.lower() in lower:
            return lower[cand.lower()]
    # NAME-1.2-20220414: a usual spelling followed by a date or build number
    suffixed = {
        t
        for t in tags
        for c in candidates
        if t.lower().startswith(c.lower()) and re.fullmatch(r"[-_+.]\d{6,8}", t[len(c) :])
    }
    if len(suffixed) == 1:
        return suffixed.pop()
    # R_2_5_0, FILE5_44, cares-1_18_1: the same numbers, and no words but the project's
    numbers = _numbers(release.version)
    allowed = _allowed_words(release)
    same = [t for t in tags if _numbers(t) == numbers and set(_words(t)) <= allowed]
    return same[0] if len(same) == 1 else None


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z]+", text)]


def _allowed_words(release: ReleaseName) -> set[str]:
    name_words = _words(release.name)
    return {
        *name_words,
        "".join(name_words),
        *_words(release.version),
        "v",
        "r",
        "rel",
        "release",
        "version",
        "ver",
        "tag",
    }


def nearest_tags(release: ReleaseName, tags: list[str], n: int = 5) -> list[str]:
    """Tags most like the release: same numbers first, then by spelling."""
    numbers = _numbers(release.version)
    wanted = f"v{release.version}"

    def score(tag: str) -> tuple[int, float]:
        common = sum(1 for a, b in zip(_numbers(tag), numbers, strict=False) if a == b)
        return (common, difflib.SequenceMatcher(None, wanted, tag).ratio())

    return sorted(tags, key=score, reverse=True)[:n]


def derive_ref(filename: str, tags: list[str]) -> str:
    """The tag for an artifact, or RefNotFoundError listing the nearest tags."""
    release = parse_release_name(filename)
    if release is None:
        raise RefNotFoundError(f"cannot tell the version from {filename!r}; pass --ref TAG")
    tag = match_tag(release, tags)
    if tag is not None:
        return tag
    near = nearest_tags(release, tags)
    listing = ", ".join(near) if near else "the repository has no tags"
    raise RefNotFoundError(
        f"no tag matches {release.name} {release.version} "
        f"(nearest: {listing}); pass --ref to choose one"
    )
