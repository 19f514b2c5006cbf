"""npm front end: a packument and a verified tarball for ``npm:NAME[@VERSION]``.

The full packument (``GET <registry>/<name>``, scoped names written
``@scope%2fname``) is used rather than the abbreviated install document
(``Accept: application/vnd.npm.install-v1+json``), which lacks ``gitHead``,
``repository``, ``_npmUser`` and the publish times.  The version is the one
asked for, a dist-tag (``npm:react@next``) or ``dist-tags.latest``.

The tarball is fetched through the content-addressed :class:`DownloadCache`
and verified against ``dist.integrity`` (SRI, sha512 on every release since
2017) and ``dist.shasum``.  Releases old enough to publish only the sha1
``shasum`` are verified against it and kept, with a note that only a weak
digest pins them.

Tarball URLs on ``registry.npmjs.org`` are rewritten to the configured
registry, as npm does by default (``replace-registry-host=npmjs``), so that a
mirror serves both the packument and the files.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chainsight.errors import ChainsightError
from chainsight.registry.cache import IntegrityError, OfflineMiss, sri_to_hex
from chainsight.registry.fetched import FetchedFile, FetchedPackage, RegistryOptions
from chainsight.registry.http import NotFoundError
from chainsight.registry.target import Ecosystem, PackageTarget

NPMJS = "https://registry.npmjs.org/"
PACKUMENT_MAX_AGE = 600.0
"""Seconds a cached packument answers "which version is latest" without asking."""
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare")
"""Lifecycle scripts npm runs when the package is installed (``prepare`` for git deps)."""


class NpmNotFoundError(NotFoundError):
    """The registry has no such package, or no such version of it."""


class NpmMetadataError(ChainsightError):
    """The registry's answer is not a usable packument."""


# ------------------------------------------------------------------ configuration


def configured_npm_registry(env: Mapping[str, str] | None = None, home: Path | None = None) -> str:
    """The registry npm would use: ``npm_config_registry`` from the environment,
    else ``registry=`` in the user's ``.npmrc`` (``npm_config_userconfig`` or
    ``~/.npmrc``), else registry.npmjs.org.  Only the ``registry`` key is read."""
    env = os.environ if env is None else env
    for key in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        value = env.get(key, "").strip()
        if value:
            return _with_slash(value)
    rc = env.get("npm_config_userconfig") or env.get("NPM_CONFIG_USERCONFIG")
    path = Path(rc) if rc else (home if home is not None else Path.home()) / ".npmrc"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return NPMJS
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == "registry" and value.strip():
            return _with_slash(value.strip().strip("\"'"))
    return NPMJS


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def packument_url(registry: str, name: str) -> str:
    """``<registry>/<name>``; a scoped name's slash is written ``%2f`` as npm does."""
    escaped = urllib.parse.quote(name, safe="@~")
    escaped = escaped.replace("%2F", "%2f")
    return _with_slash(registry) + escaped


# ------------------------------------------------------------------ repository URLs

_SHORTCUTS = {
    "github": "https://github.com/",
    "gitlab": "https://gitlab.com/",
    "bitbucket": "https://bitbucket.org/",
    "gist": "https://gist.github.com/",
}
_FORGES = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com"})
_PATH_PART = r"[\w.~-]+"


def normalise_repository(spec: object) -> tuple[str | None, str | None]:
    """npm's ``repository`` (string or ``{type, url, directory}``) -> (clone URL, subdir).

    Handles the ``github:``/``gitlab:``/``bitbucket:``/``gist:`` prefixes, the bare
    ``user/repo`` GitHub shorthand, ``git+https://``, ``git://``, ``git+ssh://git@``,
    scp-like ``git@host:user/repo``, a trailing ``.git``, ``#committish`` fragments
    and forge ``/tree/<ref>/<dir>`` links.  Forge URLs become
    ``https://host/owner/repo``; other hosts keep their path (``git://`` becomes
    ``https://``).  The subdirectory comes from ``directory`` or the tree link.
    """
    directory: str | None = None
    if isinstance(spec, Mapping):
        raw_dir = spec.get("directory")
        if isinstance(raw_dir, str):
            directory = _clean_subdir(raw_dir)
        spec = spec.get("url")
    if not isinstance(spec, str) or not spec.strip():
        return None, directory
    text = spec.strip().partition("#")[0]
    short = re.fullmatch(rf"(github|gitlab|bitbucket|gist):({_PATH_PART}(?:/{_PATH_PART})?)", text)
    if short:
        return _SHORTCUTS[short[1]] + short[2].removesuffix(".git"), directory
    if re.fullmatch(rf"{_PATH_PART}/{_PATH_PART}", text) and not text.startswith("."):
        return "https://github.com/" + text.removesuffix(".git"), directory
    url, tree_dir = _normalise_url(text)
    return url, directory or tree_dir


def _normalise_url(text: str) -> tuple[str | None, str | None]:
    text = re.sub(r"^git\+", "", text)
    scp = re.fullmatch(r"(?:([\w.-]+)@)?([\w.-]+\.[\w.-]+):(?!//)/?(.+)", text)
    if scp:
        text = f"ssh://{scp[1] + '@' if scp[1] else ''}{scp[2]}/{scp[3]}"
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("https", "http", "git", "ssh", "git+ssh") or not parts.hostname:
        return None, None
    host = parts.hostname.lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in _FORGES or host.endswith(".github.com"):
        if host.startswith("www."):
            host = host[4:]
        if len(segments) < 2:
            return None, None
        owner, repo = segments[0], segments[1].removesuffix(".git")
        rest = segments[2:]
        if rest and rest[0] == "-":  # GitLab: /owner/repo/-/tree/ref/dir
            rest = rest[1:]
        subdir = None
        if len(rest) >= 3 and rest[0] in ("tree", "blob", "src"):
            subdir = _clean_subdir("/".join(rest[2:]))
        return f"https://{host}/{owner}/{repo}", subdir
    # Other hosts: https only. An ssh URL would make chainsight run ssh, with the
    # user's identities and ssh config, against a host the package author chose.
    port = f":{parts.port}" if parts.port and parts.scheme in ("http", "https") else ""
    return urllib.parse.urlunsplit(("https", parts.hostname + port, parts.path, "", "")), None


def _clean_subdir(raw: str) -> str | None:
    parts = [p for p in raw.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def _forge_repo(url: object) -> str | None:
    """A repository URL from a forge link (``homepage``, ``bugs.url``), else None."""
    if not isinstance(url, str):
        return None
    got, _ = _normalise_url(url.strip().partition("#")[0])
    if got and urllib.parse.urlsplit(got).hostname in _FORGES:
        return got
    return None


# ------------------------------------------------------------------ the front end


def fetch_npm(target: PackageTarget, options: RegistryOptions) -> FetchedPackage:
    """Resolve ``target`` on ``options.npm_registry``, download and verify its tarball."""
    if target.ecosystem is not Ecosystem.NPM:
        raise ValueError(f"{target} is not an npm target")
    registry = _with_slash(options.npm_registry)
    packument = _packument(target, options, registry)
    version = _resolve_version(target, packument, registry)
    versions = packument.get("versions")
    manifest = versions.get(version) if isinstance(versions, dict) else None
    if not isinstance(manifest, dict):
        raise NpmMetadataError(f"{target}: the registry's entry for {version} is not an object")
    resolved = PackageTarget(Ecosystem.NPM, target.name, version)

    dist = manifest.get("dist")
    if not isinstance(dist, dict) or not isinstance(dist.get("tarball"), str):
        raise NpmMetadataError(f"{resolved}: the registry names no tarball (dist.tarball)")
    url = _tarball_url(dist["tarball"], registry)
    digests, weak = _digests(dist, resolved)
    try:
        cached = options.cache.fetch(
            options.client, url, digests, offline=options.offline, allow_weak=weak
        )
    except NotFoundError:
        raise NpmNotFoundError(f"{resolved}: the registry lists {url} but serves 404") from None
    except IntegrityError as exc:
        raise IntegrityError(f"{resolved}: {exc}") from None

    notes: list[str] = []
    if weak:
        notes.append(
            "the registry pins this tarball by sha1 only (dist.shasum, no dist.integrity): "
            "verified, but sha1 is a weak digest"
        )
    source_urls, subdir = _source_urls(manifest, packument)
    git_head = manifest.get("gitHead")
    commit = (
        git_head if isinstance(git_head, str) and re.fullmatch(r"[0-9a-f]{40}", git_head) else None
    )
    if commit is None:
        notes.append("the registry gives no gitHead: the source commit must be found by tag")
    if manifest.get("repository") is None:
        notes.append("package.json names no repository")
    elif not source_urls:
        notes.append("package.json's repository is not a URL chainsight can clone")
    deprecated = manifest.get("deprecated")
    if isinstance(deprecated, str) and deprecated:
        notes.append(f"deprecated on the registry: {deprecated[:200]}")
    metadata = _metadata(manifest, packument, version, registry, subdir, weak)
    filename = posixpath.basename(urllib.parse.urlsplit(url).path) or (
        f"{target.name.rsplit('/', 1)[-1]}-{version}.tgz"
    )
    return FetchedPackage(
        target=resolved,
        files=(FetchedFile("npm-tarball", filename, cached.path, cached.sha256, url),),
        source_urls=tuple(source_urls),
        source_commit=commit,
        metadata=metadata,
        notes=tuple(notes),
    )


def _packument(target: PackageTarget, options: RegistryOptions, registry: str) -> dict[str, Any]:
    url = packument_url(registry, target.name)
    cache = options.cache
    if target.version is not None and not options.offline:
        # a published version never changes: a cached packument that has it will do
        try:
            cached = cache.document(None, url, offline=True)
        except OfflineMiss:
            cached = None
        if cached is not None:
            doc = _parse(cached, target)
            versions = doc.get("versions")
            if isinstance(versions, dict) and target.version in versions:
                return doc
    try:
        body = cache.document(
            options.client,
            url,
            offline=options.offline,
            # "latest" may be answered from a recent copy; a version it lacked may not
            max_age=PACKUMENT_MAX_AGE if target.version is None else None,
            accept="application/json",
        )
    except NotFoundError:
        raise NpmNotFoundError(f"{target}: no such package on {registry}") from None
    return _parse(body, target)


def _parse(body: bytes, target: PackageTarget) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise NpmMetadataError(f"{target}: the registry's answer is not JSON") from None
    if not isinstance(doc, dict):
        raise NpmMetadataError(f"{target}: the registry's answer is not a packument")
    if "versions" not in doc and "error" in doc:
        raise NpmNotFoundError(f"{target}: {str(doc['error'])[:200]}")
    return doc


def _resolve_version(target: PackageTarget, packument: dict[str, Any], registry: str) -> str:
    versions = packument.get("versions")
    versions = versions if isinstance(versions, dict) else {}
    tags = packument.get("dist-tags")
    tags = tags if isinstance(tags, dict) else {}
    wanted = target.version
    if wanted is None:
        latest = tags.get("latest")
        if isinstance(latest, str) and latest in versions:
            return latest
        if not versions:
            raise NpmNotFoundError(f"{target}: the registry lists no versions (unpublished?)")
        raise NpmMetadataError(f"{target}: dist-tags.latest names no published version")
    if wanted in versions:
        return wanted
    tagged = tags.get(wanted)
    if isinstance(tagged, str) and tagged in versions:
        return tagged
    latest = tags.get("latest")
    if isinstance(latest, str):
        hint = f"; latest is {latest}"
    else:
        hint = f"; newest: {', '.join(list(versions)[-3:][::-1])}" if versions else ""
    raise NpmNotFoundError(f"{target}: no version {wanted} on {registry}{hint}")


def _tarball_url(url: str, registry: str) -> str:
    for default in (NPMJS, "http://registry.npmjs.org/"):
        if url.startswith(default) and registry != NPMJS:
            return registry + url[len(default) :]
    return url


def _digests(dist: dict[str, Any], target: PackageTarget) -> tuple[dict[str, str], bool]:
    digests: dict[str, str] = {}
    integrity = dist.get("integrity")
    if isinstance(integrity, str):
        for item in integrity.split():
            try:
                algo, hexdigest = sri_to_hex(item.partition("?")[0])
            except ValueError:
                continue
            digests.setdefault(algo, hexdigest)
    shasum = dist.get("shasum")
    if isinstance(shasum, str) and re.fullmatch(r"[0-9a-fA-F]{40}", shasum):
        digests.setdefault("sha1", shasum.lower())
    if not digests:
        raise IntegrityError(f"{target}: the registry publishes no digest for the tarball")
    weak = not ({"sha256", "sha384", "sha512"} & digests.keys())
    return digests, weak


def _source_urls(
    manifest: dict[str, Any], packument: dict[str, Any]
) -> tuple[list[str], str | None]:
    urls: list[str] = []
    subdir: str | None = None
    for spec in (manifest.get("repository"), packument.get("repository")):
        url, directory = normalise_repository(spec)
        if url:
            urls.append(url)
            subdir = subdir or directory
            break
    bugs = manifest.get("bugs")
    for extra in (manifest.get("homepage"), bugs.get("url") if isinstance(bugs, dict) else bugs):
        repo = _forge_repo(extra)
        if repo:
            urls.append(repo)
    return list(dict.fromkeys(urls)), subdir


def _person(value: object) -> str | None:
    if isinstance(value, dict):
        name, email = value.get("name"), value.get("email")
        if isinstance(name, str):
            return f"{name} <{email}>" if isinstance(email, str) and email else name
    if isinstance(value, str) and value:
        return value
    return None


def _metadata(
    manifest: dict[str, Any],
    packument: dict[str, Any],
    version: str,
    registry: str,
    subdir: str | None,
    weak: bool,
) -> dict[str, str]:
    meta: dict[str, str] = {"registry": registry}
    times = packument.get("time")
    if isinstance(times, dict) and isinstance(times.get(version), str):
        meta["published"] = times[version]
    publisher = _person(manifest.get("_npmUser"))
    if publisher:
        meta["publisher"] = publisher
    maintainers = manifest.get("maintainers") or packument.get("maintainers")
    if isinstance(maintainers, list):
        names = [p for p in (_person(m) for m in maintainers[:20]) if p]
        if names:
            meta["maintainers"] = ", ".join(names)
    repo = manifest.get("repository")
    if repo is not None:
        meta["repository"] = repo if isinstance(repo, str) else json.dumps(repo, sort_keys=True)
    if subdir:
        meta["source_subdir"] = subdir
    raw_dist = manifest.get("dist")
    dist: dict[str, Any] = raw_dist if isinstance(raw_dist, dict) else {}
    attestations = dist.get("attestations")
    if isinstance(attestations, dict):
        provenance = attestations.get("provenance")
        kind = provenance.get("predicateType") if isinstance(provenance, dict) else None
        meta["provenance"] = f"attestations published ({kind or 'unknown predicate'}); not verified"
    else:
        meta["provenance"] = "no attestations published"
    signatures = dist.get("signatures")
    if isinstance(signatures, list) and signatures:
        keys = [s.get("keyid") for s in signatures if isinstance(s, dict)]
        meta["registry_signatures"] = (
            f"{len(signatures)} published ({', '.join(k for k in keys if isinstance(k, str))}); "
            "not verified"
        )
    meta["integrity"] = "sha1 only (weak)" if weak else "sha512 (dist.integrity)"
    scripts = manifest.get("scripts")
    declared = {
        k: v
        for k, v in (scripts.items() if isinstance(scripts, dict) else [])
        if k in INSTALL_SCRIPTS
    }
    meta["install_scripts"] = json.dumps(declared, sort_keys=True)
    if isinstance(manifest.get("hasInstallScript"), bool):
        meta["has_install_script"] = str(manifest["hasInstallScript"]).lower()
    if manifest.get("gypfile") is True:
        meta["gypfile"] = "true"
    return meta
