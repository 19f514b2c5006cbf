"""Checks of a Debian source package that need no upstream repository.

1. **The upstream signature.**  When the ``.dsc`` carries ``*.orig.tar.*.asc``,
   it is verified with ``gpgv`` against the key Debian ships in
   ``debian/upstream/signing-key.asc`` — and only that key: a throwaway keyring
   is written for the check, the user's keyrings and agent are never used, and
   nothing is imported anywhere.
2. **Debian's patches.**  ``debian/patches/series`` (or the ``.diff.gz`` of a
   format 1.0 package) is summarised: files touched and lines added/removed per
   patch; patches that change build-system files are reported with the hunk.

Rules: ``deb-upstream-signature-*``, ``deb-upstream-signing-key-absent``,
``deb-patches``, ``deb-patch-build-system``, ``deb-patch-missing`` (docs/rules.md).
"""

from __future__ import annotations

import posixpath

from chainsight.analyzers.debian_patches import (
    Patch,
    added_code_signals,
    is_build_file,
    is_generated_or_aux,
    parse_patch,
    read_series,
)
from chainsight.errors import ChainsightError
from chainsight.model import Evidence, Finding, Related, Severity
from chainsight.openpgp import ArmorError, verify_detached
from chainsight.registry.debian import packaging_of
from chainsight.registry.fetched import FetchedFile, FetchedPackage
from chainsight.sources.debian_packaging import DebianPackaging

MAX_EVIDENCE = 24
"""Evidence lines per finding (a hunk is cut, never the finding)."""


def debian_package_findings(package: FetchedPackage) -> list[Finding]:
    """Upstream-signature and patch findings for a fetched Debian source package."""
    packaging = packaging_of(package)
    findings = signature_findings(package.files, packaging)
    findings += patch_findings(packaging)
    return findings


# -- the upstream signature -----------------------------------------------------------


def signature_findings(files: tuple[FetchedFile, ...], packaging: DebianPackaging) -> list[Finding]:
    origs = {f.filename: f for f in files if f.role == "orig"}
    signatures = [f for f in files if f.role == "orig-signature"]
    keys = packaging.signing_keys
    main_orig = next((f for f in origs.values() if ".orig." in f.filename), None)
    if not origs:
        return []
    if not keys:
        names = ", ".join(s.filename for s in signatures)
        return [
            Finding(
                "deb-upstream-signing-key-absent",
                Severity.INFO,
                "debian/upstream/signing-key.asc",
                "Debian ships no upstream signing key",
                "Nothing ties the upstream tarball to upstream's own key, so only the "
                "comparison with the upstream repository can vouch for it.",
                (Evidence(None, f"signature in the .dsc, not checkable: {names}"),)
                if signatures
                else (),
            )
        ]
    key_path = keys[0][0]
    if not signatures:
        target = main_orig or next(iter(origs.values()))
        return [
            Finding(
                "deb-upstream-signature-missing",
                Severity.LOW,
                target.filename,
                "Upstream signing key shipped, but no signature for the upstream tarball",
                "Debian knows upstream's key yet the source package carries no .asc, so the "
                "tarball was not (or can no longer be) checked against it.",
                (Evidence(None, f"key: {key_path}"),),
                (Related(key_path, "signing-key"),),
            )
        ]
    out: list[Finding] = []
    for sig in signatures:
        data = origs.get(sig.filename.removesuffix(".asc"))
        if data is None:
            out.append(_unchecked(sig, key_path, "no tarball of that name in the .dsc"))
            continue
        out.append(_check_signature(sig, data, keys, key_path))
    return out


def _unchecked(sig: FetchedFile, key_path: str, why: str) -> Finding:
    return Finding(
        "deb-upstream-signature-unchecked",
        Severity.LOW,
        sig.filename,
        "Upstream signature could not be checked",
        "The signature exists but could not be verified, so it vouches for nothing.",
        (Evidence(None, why),),
        (Related(key_path, "signing-key"),),
    )


def _check_signature(
    sig: FetchedFile,
    data: FetchedFile,
    keys: tuple[tuple[str, bytes], ...],
    key_path: str,
) -> Finding:
    try:
        result = verify_detached([k for _, k in keys], sig.path, data.path)
    except ArmorError as exc:
        return _unchecked(sig, key_path, f"{key_path}: {exc}")
    except ChainsightError as exc:  # gpgv missing
        return _unchecked(sig, key_path, str(exc))
    related = (Related(data.filename, "signed-file"), Related(key_path, "signing-key"))
    evidence = [Evidence(None, f"gpgv: {result.summary()}")]
    valid = result.valid
    if valid and not result.bad:
        revoked = [s for s in valid if s.status == "REVKEYSIG"]
        if revoked and len(revoked) == len(valid):
            return Finding(
                "deb-upstream-signature-invalid",
                Severity.MEDIUM,
                sig.filename,
                "Upstream tarball signed by a revoked key",
                "The signing key was revoked by its owner, which is what happens when a "
                "key is lost or stolen; ask upstream which releases it still vouches for.",
                tuple(evidence),
                related,
            )
        return Finding(
            "deb-upstream-signature-valid",
            Severity.INFO,
            sig.filename,
            "Upstream signature verified with the key Debian ships",
            "The upstream tarball is the one upstream's key signed (a signature says who "
            "released it, not that the release matches the repository).",
            tuple(evidence),
            related,
        )
    if result.bad:
        title = "Upstream signature does not match the tarball"
        why = "The tarball was changed after upstream signed it, or the signature is forged."
    elif any(s.missing_key for s in result.signatures):
        title = "Upstream tarball signed by a key Debian does not ship"
        why = (
            "The signature was made by a key that is not in debian/upstream/signing-key.asc, "
            "so nothing ties the tarball to the upstream Debian trusts."
        )
    else:
        title = "Upstream signature is not valid"
        why = "gpgv could not verify the signature with the key Debian ships."
    return Finding(
        "deb-upstream-signature-invalid",
        Severity.HIGH,
        sig.filename,
        title,
        why,
        tuple(evidence),
        related,
    )


# -- Debian's patches ---------------------------------------------------------------


def read_patches(packaging: DebianPackaging) -> tuple[list[Patch], list[str]]:
    """The applied patches in series order, and series entries with no patch file."""
    patches: list[Patch] = []
    missing: list[str] = []
    series = packaging.text("debian/patches/series")
    if series is not None:
        for name in read_series(series):
            path = posixpath.normpath(f"debian/patches/{name}")
            text = packaging.text(path) if path.startswith("debian/patches/") else None
            if text is None:
                missing.append(name)
                continue
            patches.append(parse_patch(path, text))
    if packaging.upstream_diff:
        patches.append(
            parse_patch("(format 1.0 .diff.gz)", packaging.upstream_diff.decode("utf-8", "replace"))
        )
    return patches, missing


def patch_findings(packaging: DebianPackaging) -> list[Finding]:
    patches, missing = read_patches(packaging)
    out: list[Finding] = []
    if patches:
        files = {f.path for p in patches for f in p.files}
        evidence = [Evidence(None, _patch_line(p)) for p in patches[:MAX_EVIDENCE]]
        if len(patches) > MAX_EVIDENCE:
            evidence.append(Evidence(None, f"… and {len(patches) - MAX_EVIDENCE} more patches"))
        out.append(
            Finding(
                "deb-patches",
                Severity.INFO,
                "debian/patches/series" if packaging.text("debian/patches/series") else "debian",
                f"Debian applies {len(patches)} patch(es) touching {len(files)} upstream file(s), "
                f"+{sum(p.added for p in patches)} -{sum(p.removed for p in patches)} lines",
                "Debian's patches change the upstream code after its release and outside "
                "upstream's review; they are part of what is built.",
                tuple(evidence),
            )
        )
    for name in missing:
        out.append(
            Finding(
                "deb-patch-missing",
                Severity.LOW,
                "debian/patches/series",
                "The series names a patch the package does not ship",
                "dpkg-source would refuse to unpack this package; what was built is unknown.",
                (Evidence(None, name),),
            )
        )
    for patch in patches:
        finding = _build_system_finding(patch)
        if finding is not None:
            out.append(finding)
    return out


def _patch_line(patch: Patch) -> str:
    names = [f.path for f in patch.files]
    shown = ", ".join(names[:5]) + (f", … (+{len(names) - 5})" if len(names) > 5 else "")
    label = posixpath.basename(patch.name)
    desc = f" — {patch.description[:80]}" if patch.description else ""
    return f"{label}: {len(names)} file(s), +{patch.added} -{patch.removed}: {shown}{desc}"


_RANK = {s.value: s for s in Severity}


def _build_system_finding(patch: Patch) -> Finding | None:
    touched = [f for f in patch.files if is_build_file(f.path)]
    if not touched:
        return None
    severity = Severity.LOW
    if any(is_generated_or_aux(f.path) for f in touched):
        severity = Severity.MEDIUM
    evidence: list[Evidence] = []
    signals: list[str] = []
    for f in touched:
        found = added_code_signals(f)
        for _hunk, rule, sev, text in found:
            signal_sev = _RANK.get(sev, Severity.LOW)
            capped = min(signal_sev, Severity.HIGH, key=lambda s: s.rank)
            if capped.rank > severity.rank:
                severity = capped
            signals.append(f"{f.path}: {rule} ({sev}): {text}")
        hunk_ids = sorted({h for h, *_ in found}) or [0]
        for n in hunk_ids[:2]:
            if n >= len(f.hunks):
                continue
            hunk = f.hunks[n]
            evidence.append(Evidence(None, f"{f.path} {hunk.header}"))
            changed = [ln for ln in hunk.lines if ln.startswith(("+", "-"))]
            evidence += [Evidence(None, ln[:200]) for ln in changed[:8]]
            if len(changed) > 8:
                evidence.append(Evidence(None, f"… {len(changed) - 8} more changed lines"))
    evidence = [Evidence(None, s[:200]) for s in signals[:6]] + evidence
    names = ", ".join(f.path for f in touched[:4]) + ("…" if len(touched) > 4 else "")
    if signals:
        why = (
            "A Debian patch adds build code that behaves like a loader; read it as you "
            "would the same change upstream."
        )
    elif severity is Severity.MEDIUM:
        why = (
            "A Debian patch changes generated or auxiliary build files (where the xz "
            "backdoor hid), which reviewers rarely read."
        )
    else:
        why = "A Debian patch changes what the build runs; another place code enters the build."
    return Finding(
        "deb-patch-build-system",
        severity,
        patch.name if patch.name.startswith("debian/") else "debian",
        f"Debian patch changes build-system files: {names}",
        why,
        tuple(evidence[:MAX_EVIDENCE]),
        tuple(Related(f.path, "patched-file") for f in touched[:10]),
    )
