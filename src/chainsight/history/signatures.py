"""Who signed: the issuer of an OpenPGP or SSH signature, parsed from its bytes.

Nothing is verified and nothing is executed (no gpg, no ``git verify-tag``,
no ``--show-signature``: those run the repository's ``gpg.program``). Noticing
that releases are suddenly signed by a *different key* needs only the issuer
key id or fingerprint, which OpenPGP carries in the signature packet's
subpackets (RFC 4880 §5.2.3, RFC 9580 §5.2.3) and an SSH signature carries as
its public key (OpenSSH PROTOCOL.sshsig).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

_SUB_CREATION_TIME = 2
_SUB_ISSUER = 16
_SUB_SIGNER_UID = 28
_SUB_ISSUER_FPR = 33


@dataclass(frozen=True)
class SignatureInfo:
    kind: str
    """``openpgp``, ``ssh``, ``x509`` or ``unparsed``."""
    key: str | None
    """The signing key as shown to a user: an OpenPGP fingerprint (upper-case hex) or
    long key id when there is no fingerprint subpacket, or an SSH ``SHA256:``
    fingerprint. None when the signature could not be parsed."""
    key_id: str | None = None
    """OpenPGP 64-bit key id (the low 16 hex digits of a v4 fingerprint)."""
    created: int | None = None
    signer_uid: str | None = None
    algorithm: str | None = None

    @property
    def identity(self) -> str | None:
        """What identifies the key across signatures: the 64-bit key id for OpenPGP
        (old signatures carry only the id, newer ones the full fingerprint too), the
        fingerprint for SSH."""
        return self.key_id or self.key

    @property
    def label(self) -> str:
        if self.key is None:
            return f"{self.kind} signature (issuer not parsed)"
        return f"{self.kind} key {self.key}"


def parse_signature(armored: bytes) -> SignatureInfo:
    """Parse an armored signature block as found in a tag or a ``gpgsig`` header."""
    text = armored.strip()
    if text.startswith(b"-----BEGIN SSH SIGNATURE-----"):
        return _parse_ssh(_dearmor(text))
    if text.startswith(b"-----BEGIN PGP SIGNATURE-----"):
        try:
            return _parse_openpgp(_dearmor(text))
        except (IndexError, ValueError, struct.error):
            return SignatureInfo("openpgp", None)
    if text.startswith(b"-----BEGIN SIGNED MESSAGE-----"):
        return SignatureInfo("x509", None)
    return SignatureInfo("unparsed", None)


def _dearmor(text: bytes) -> bytes:
    lines = text.split(b"\n")
    body: list[bytes] = []
    in_headers = True
    for line in lines[1:]:
        line = line.strip()
        if line.startswith(b"-----END"):
            break
        if in_headers:
            if not line:
                in_headers = False
                continue
            if b":" in line:
                continue  # armor header (Version:, Comment:)
            in_headers = False
        if line.startswith(b"=") and len(line) == 5:
            break  # CRC24 checksum line
        body.append(line)
    try:
        return base64.b64decode(b"".join(body), validate=False)
    except (binascii.Error, ValueError):
        return b""


def _packets(data: bytes) -> list[tuple[int, bytes]]:
    """OpenPGP packets (tag, body); old and new length formats."""
    out: list[tuple[int, bytes]] = []
    i = 0
    while i < len(data):
        ctb = data[i]
        i += 1
        if not ctb & 0x80:
            raise ValueError("not an OpenPGP packet")
        if ctb & 0x40:  # new format
            tag = ctb & 0x3F
            first = data[i]
            i += 1
            if first < 192:
                length = first
            elif first < 224:
                length = ((first - 192) << 8) + data[i] + 192
                i += 1
            elif first == 255:
                length = struct.unpack(">I", data[i : i + 4])[0]
                i += 4
            else:  # partial body lengths are not used for signatures
                raise ValueError("partial length")
        else:
            tag = (ctb >> 2) & 0x0F
            ltype = ctb & 3
            if ltype == 0:
                length = data[i]
                i += 1
            elif ltype == 1:
                length = struct.unpack(">H", data[i : i + 2])[0]
                i += 2
            elif ltype == 2:
                length = struct.unpack(">I", data[i : i + 4])[0]
                i += 4
            else:
                length = len(data) - i
        out.append((tag, data[i : i + length]))
        i += length
    return out


_PK_ALGOS = {1: "RSA", 3: "RSA", 17: "DSA", 18: "ECDH", 19: "ECDSA", 22: "EdDSA", 27: "Ed25519"}


def _subpackets(area: bytes) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    i = 0
    while i < len(area):
        first = area[i]
        i += 1
        if first < 192:
            length = first
        elif first < 255:
            length = ((first - 192) << 8) + area[i] + 192
            i += 1
        else:
            length = struct.unpack(">I", area[i : i + 4])[0]
            i += 4
        if length == 0:
            continue
        out.append((area[i] & 0x7F, area[i + 1 : i + length]))
        i += length
    return out


def _parse_openpgp(data: bytes) -> SignatureInfo:
    for tag, body in _packets(data):
        if tag != 2 or not body:
            continue
        version = body[0]
        if version == 3:
            v3_id = body[7:15].hex().upper()
            v3_time = int(struct.unpack(">I", body[3:7])[0])
            algo = _PK_ALGOS.get(body[15])
            return SignatureInfo("openpgp", v3_id, v3_id, v3_time, algorithm=algo)
        if version in (4, 5, 6):
            algo = _PK_ALGOS.get(body[2])
            i = 4
            width = 4 if version == 6 else 2
            hashed_len = int.from_bytes(body[i : i + width], "big")
            hashed = body[i + width : i + width + hashed_len]
            i += width + hashed_len
            unhashed_len = int.from_bytes(body[i : i + width], "big")
            unhashed = body[i + width : i + width + unhashed_len]
            fpr: str | None = None
            key_id: str | None = None
            uid: str | None = None
            created: int | None = None
            for sub_type, value in _subpackets(hashed) + _subpackets(unhashed):
                if sub_type == _SUB_ISSUER_FPR and len(value) > 1 and fpr is None:
                    fpr = value[1:].hex().upper()
                elif sub_type == _SUB_ISSUER and key_id is None:
                    key_id = value.hex().upper()
                elif sub_type == _SUB_CREATION_TIME and created is None and len(value) == 4:
                    created = struct.unpack(">I", value)[0]
                elif sub_type == _SUB_SIGNER_UID and uid is None:
                    uid = value.decode("utf-8", "replace")
            if key_id is None and fpr is not None:
                key_id = fpr[-16:] if version == 4 else fpr[:16]
            return SignatureInfo("openpgp", fpr or key_id, key_id, created, uid, algo)
    return SignatureInfo("openpgp", None)


def _ssh_string(data: bytes, i: int) -> tuple[bytes, int]:
    (n,) = struct.unpack(">I", data[i : i + 4])
    if i + 4 + n > len(data):
        raise ValueError("truncated")
    return data[i + 4 : i + 4 + n], i + 4 + n


def _parse_ssh(data: bytes) -> SignatureInfo:
    try:
        if not data.startswith(b"SSHSIG"):
            return SignatureInfo("ssh", None)
        i = 6 + 4  # magic, version
        pubkey, i = _ssh_string(data, i)
        key_type, _ = _ssh_string(pubkey, 0)
    except (ValueError, struct.error):
        return SignatureInfo("ssh", None)
    digest = base64.b64encode(hashlib.sha256(pubkey).digest()).rstrip(b"=").decode()
    return SignatureInfo("ssh", f"SHA256:{digest}", algorithm=key_type.decode(errors="replace"))
