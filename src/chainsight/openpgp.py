"""OpenPGP signature checks with ``gpgv`` (Debian package ``gpgv``), nothing else.

``gpgv`` only verifies: it never imports keys, never talks to an agent or a key
server and never reads the user's keyrings when it is given an explicit
``--keyring`` and a fresh, empty ``--homedir``.  Keys are handed to it as a
temporary binary keyring; armored keys (``signing-key.asc``) are dearmored here
in Python, so ``gpg`` is never run on anything an artifact ships.

The verdict is read from the machine-readable ``--status-fd`` lines, never from
the exit code alone: a signature counts when ``gpgv`` says ``GOODSIG`` *and*
``VALIDSIG`` for it, and any ``BADSIG`` makes the whole check fail.
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chainsight.errors import ChainsightError

GPGV_TIMEOUT = 60.0


class OpenPGPToolMissing(ChainsightError):
    """``gpgv`` is not installed."""


class ArmorError(ValueError):
    """An ASCII-armored block could not be decoded."""


@dataclass(frozen=True)
class Signature:
    """One signature ``gpgv`` reported on."""

    status: str
    """``GOODSIG``, ``EXPKEYSIG``, ``REVKEYSIG``, ``EXPSIG``, ``BADSIG`` or ``ERRSIG``."""
    key_id: str
    """Long key id of the signing (sub)key as gpgv printed it."""
    fingerprint: str | None = None
    """Fingerprint of the signing (sub)key (from ``VALIDSIG``)."""
    primary_fingerprint: str | None = None
    """Fingerprint of the primary key the signing key belongs to."""
    user_id: str = ""
    missing_key: bool = False
    """``ERRSIG`` because the keyring does not hold the key (``NO_PUBKEY``)."""

    @property
    def good(self) -> bool:
        """Cryptographically valid, from a key that is neither expired nor revoked."""
        return self.status == "GOODSIG" and self.fingerprint is not None

    @property
    def valid(self) -> bool:
        """Cryptographically valid, whatever the key's state today."""
        return self.status in ("GOODSIG", "EXPKEYSIG", "REVKEYSIG") and (
            self.fingerprint is not None
        )


@dataclass(frozen=True)
class Verification:
    signatures: tuple[Signature, ...]
    returncode: int
    stderr: str
    signed_data: bytes | None = None
    """For clearsigned input: the text that the signatures cover (from ``gpgv --output``)."""

    @property
    def bad(self) -> bool:
        return any(s.status == "BADSIG" for s in self.signatures)

    @property
    def good(self) -> tuple[Signature, ...]:
        return tuple(s for s in self.signatures if s.good)

    @property
    def valid(self) -> tuple[Signature, ...]:
        return tuple(s for s in self.signatures if s.valid)

    def summary(self) -> str:
        """One line saying what gpgv found (for errors and evidence)."""
        if not self.signatures:
            last = [ln for ln in self.stderr.splitlines() if ln.strip()]
            return last[-1].strip() if last else f"gpgv found no signature (exit {self.returncode})"
        parts = []
        for s in self.signatures:
            who = s.primary_fingerprint or s.fingerprint or s.key_id
            what = {
                "GOODSIG": "good signature",
                "EXPKEYSIG": "good signature by an expired key",
                "REVKEYSIG": "good signature by a revoked key",
                "EXPSIG": "expired signature",
                "BADSIG": "BAD signature",
                "ERRSIG": "no public key" if s.missing_key else "unverifiable signature",
            }.get(s.status, s.status)
            parts.append(f"{what} from {who}" + (f" ({s.user_id})" if s.user_id else ""))
        return "; ".join(parts)


def gpgv_path() -> str:
    found = shutil.which("gpgv")
    if found is None:
        raise OpenPGPToolMissing(
            "gpgv is not installed (Debian package gpgv); signatures cannot be checked"
        )
    return found


def dearmor(data: bytes) -> bytes:
    """Binary OpenPGP packets from one or more ASCII-armored blocks (or binary input as is)."""
    if data[:1] and data[0] & 0x80:
        return data
    text = data.decode("ascii", "replace")
    out = bytearray()
    lines = iter(text.splitlines())
    found = False
    for line in lines:
        if not (line.startswith("-----BEGIN PGP ") and line.rstrip().endswith("-----")):
            continue
        found = True
        # armor headers end at the first empty line
        for header in lines:
            if not header.strip():
                break
        else:
            raise ArmorError("armored block has no body")
        body: list[str] = []
        for raw in lines:
            line_s = raw.strip()
            if line_s.startswith("-----END PGP "):
                break
            if line_s.startswith("=") and len(line_s) == 5:
                continue  # CRC-24 checksum line
            body.append(line_s)
        else:
            raise ArmorError("armored block is not terminated")
        try:
            out += base64.b64decode("".join(body), validate=True)
        except (binascii.Error, ValueError):
            raise ArmorError("armored block is not valid base64") from None
    if not found:
        raise ArmorError("no ASCII-armored OpenPGP block found")
    return bytes(out)


def verify_detached(keys: Iterable[bytes], signature: Path, data: Path) -> Verification:
    """Check a detached signature of ``data`` against the given keys only."""
    with tempfile.TemporaryDirectory(prefix="chainsight-gpgv-") as tmp:
        keyring = _write_keyring(Path(tmp), keys)
        return _run_gpgv(Path(tmp), [keyring], [str(signature), str(data)])


def verify_clearsigned(
    keyrings: Iterable[Path], signed: bytes, *, extra_keys: Iterable[bytes] = ()
) -> Verification:
    """Check a clearsigned document (``InRelease``); return the text the signatures cover."""
    with tempfile.TemporaryDirectory(prefix="chainsight-gpgv-") as tmp:
        tmpdir = Path(tmp)
        rings = [p.resolve() for p in keyrings]
        extra = list(extra_keys)
        if extra:
            rings.append(_write_keyring(tmpdir, extra))
        doc = tmpdir / "signed.txt"
        doc.write_bytes(signed)
        out = tmpdir / "data.txt"
        result = _run_gpgv(tmpdir, rings, ["--output", str(out), str(doc)])
        data = out.read_bytes() if out.is_file() else None
        return Verification(result.signatures, result.returncode, result.stderr, data)


def _write_keyring(tmpdir: Path, keys: Iterable[bytes]) -> Path:
    keyring = tmpdir / "keyring.gpg"
    with keyring.open("wb") as fh:
        for key in keys:
            fh.write(dearmor(key))
    return keyring


def _run_gpgv(tmpdir: Path, keyrings: list[Path], args: list[str]) -> Verification:
    home = tmpdir / "home"
    home.mkdir(mode=0o700)
    cmd = [gpgv_path(), "--homedir", str(home), "--status-fd", "1"]
    for ring in keyrings:
        cmd += ["--keyring", str(ring)]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C", "LC_ALL": "C"}
    env["GNUPGHOME"] = str(home)
    try:
        proc = subprocess.run(
            [*cmd, *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=GPGV_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Verification((), -1, f"gpgv took longer than {GPGV_TIMEOUT:.0f} s")
    status = proc.stdout.decode("utf-8", "replace")
    return Verification(
        parse_status(status), proc.returncode, proc.stderr.decode("utf-8", "replace")
    )


_SIG_STATUSES = ("GOODSIG", "EXPKEYSIG", "REVKEYSIG", "EXPSIG", "BADSIG", "ERRSIG")


def parse_status(text: str) -> tuple[Signature, ...]:
    """Group ``[GNUPG:]`` status lines into one :class:`Signature` per signature."""
    sigs: list[dict[str, object]] = []
    current: dict[str, object] | None = None
    for line in text.splitlines():
        if not line.startswith("[GNUPG:] "):
            continue
        keyword, *fields = line[9:].split(" ")
        if keyword == "NEWSIG":
            current = None
        elif keyword in _SIG_STATUSES:
            if current is None or "status" in current:
                current = {}
                sigs.append(current)
            current["status"] = keyword
            current["key_id"] = fields[0] if fields else ""
            if keyword == "ERRSIG":
                current["missing_key"] = len(fields) > 5 and fields[5] == "9"
            else:
                current["user_id"] = " ".join(fields[1:])
        elif keyword == "VALIDSIG" and current is not None and fields:
            current["fingerprint"] = fields[0]
            current["primary_fingerprint"] = fields[9] if len(fields) > 9 else fields[0]
        elif keyword == "NO_PUBKEY" and current is not None:
            current["missing_key"] = True
    return tuple(
        Signature(
            status=str(s["status"]),
            key_id=str(s.get("key_id", "")),
            fingerprint=_opt(s.get("fingerprint")),
            primary_fingerprint=_opt(s.get("primary_fingerprint")),
            user_id=str(s.get("user_id", "")),
            missing_key=bool(s.get("missing_key", False)),
        )
        for s in sigs
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
