"""Issuer parsing from OpenPGP and SSH signature bytes (never verification)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chainsight.history.signatures import parse_signature
from history.scripted import fingerprint_for, openpgp_signature


def test_synthetic_v4_signature_gives_fingerprint_and_key_id() -> None:
    fpr = fingerprint_for("someone")
    info = parse_signature(openpgp_signature(fpr, 1_700_000_000).encode())
    assert info.kind == "openpgp"
    assert info.key == fpr.hex().upper()
    assert info.key_id == fpr.hex().upper()[-16:]
    assert info.identity == info.key_id
    assert info.created == 1_700_000_000


def test_garbage_is_reported_unparsed_not_raised() -> None:
    info = parse_signature(b"-----BEGIN PGP SIGNATURE-----\n\nnot base64 at all!!\n-----END")
    assert info.kind == "openpgp" and info.key is None
    assert parse_signature(b"random").kind == "unparsed"
    assert parse_signature(b"-----BEGIN SIGNED MESSAGE-----\nx").kind == "x509"
    assert parse_signature(b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END").key is None


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg not installed")
def test_real_gpg_signature(tmp_path: Path) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    try:
        subprocess.run(
            [
                "gpg",
                "--batch",
                "--passphrase",
                "",
                "--quick-gen-key",
                "Test Key <test@example.org>",
                "ed25519",
                "sign",
                "never",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        listing = subprocess.run(
            ["gpg", "--batch", "--with-colons", "--list-secret-keys"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        signed = subprocess.run(
            ["gpg", "--batch", "--armor", "--detach-sign"],
            input=b"object x\n",
            env=env,
            check=True,
            capture_output=True,
        ).stdout
    finally:  # the agent gpg started for this throwaway home
        subprocess.run(
            ["gpgconf", "--kill", "gpg-agent"], env=env, check=False, capture_output=True
        )
    fpr = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr"))
    info = parse_signature(signed)
    assert info.key == fpr
    assert info.key_id == fpr[-16:]
    assert info.algorithm == "EdDSA"


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen not installed")
def test_real_ssh_signature(tmp_path: Path) -> None:
    key = tmp_path / "id"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    message = tmp_path / "msg"
    message.write_bytes(b"object x\n")
    subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", str(key), str(message)],
        check=True,
        capture_output=True,
    )
    info = parse_signature((tmp_path / "msg.sig").read_bytes())
    expected = subprocess.run(
        ["ssh-keygen", "-l", "-f", f"{key}.pub"], check=True, capture_output=True, text=True
    ).stdout.split()[1]
    assert info.kind == "ssh"
    assert info.key == expected
    assert info.algorithm == "ssh-ed25519"
