"""Scripted histories, built at test time with ``git fast-import``.

A :class:`Script` collects commits and tags in time order and writes one
fast-import stream; a repository of a thousand commits over fifteen years is
built in a fraction of a second. Signatures on tags are synthetic OpenPGP
signature packets carrying an issuer fingerprint (nothing here or in the code
under test verifies them).
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import os
import random
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}


def ts(date: str) -> int:
    """'2022-01-28' or '2022-01-28T10:00' (UTC) -> epoch seconds."""
    if "T" in date:
        d, t = date.split("T")
        hh, mm = (int(x) for x in t.split(":")[:2])
    else:
        d, hh, mm = date, 12, 0
    y, mo, da = (int(x) for x in d.split("-"))
    return calendar.timegm((y, mo, da, hh, mm, 0, 0, 0, 0))


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def line(self, when: int) -> str:
        return f"{self.name} <{self.email}> {when} +0000"


def fingerprint_for(label: str) -> bytes:
    """A stable fake 20-byte v4 fingerprint for a key label."""
    return hashlib.sha1(label.encode()).digest()


def openpgp_signature(fpr: bytes, created: int) -> str:
    """An armored v4 OpenPGP signature packet with issuer-fingerprint and issuer
    subpackets and a dummy MPI (it parses; it does not verify)."""
    hashed = (
        bytes([5, 2])
        + struct.pack(">I", created)  # creation time
        + bytes([22, 33, 4])
        + fpr  # issuer fingerprint (v4)
    )
    unhashed = bytes([9, 16]) + fpr[-8:]  # issuer key id
    body = (
        bytes([4, 0x00, 1, 8])  # v4, binary doc, RSA, SHA256
        + struct.pack(">H", len(hashed))
        + hashed
        + struct.pack(">H", len(unhashed))
        + unhashed
        + b"\xab\xcd"  # left 16 bits of hash
        + struct.pack(">H", 64)
        + b"\x5a" * 8  # one 64-bit MPI
    )
    packet = bytes([0xC2, len(body)]) + body  # new-format tag 2, one-octet length
    b64 = base64.b64encode(packet).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return (
        "-----BEGIN PGP SIGNATURE-----\n\n"
        + "\n".join(lines)
        + "\n=abcd\n"
        + ("-----END PGP SIGNATURE-----\n")
    )


@dataclass
class _Commit:
    when: int
    author: Person
    committer: Person
    message: str
    files: dict[str, bytes | None]
    branch: str
    mark: int


@dataclass
class _Tag:
    name: str
    when: int
    tagger: Person
    mark: int
    key: str | None


@dataclass
class Script:
    branch: str = "main"
    commits: list[_Commit] = field(default_factory=list)
    tags: list[_Tag] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    def commit(
        self,
        when: int | str,
        author: Person,
        files: dict[str, str | bytes | None] | None = None,
        message: str = "Update",
        committer: Person | None = None,
    ) -> int:
        t = ts(when) if isinstance(when, str) else when
        if self.commits and t < self.commits[-1].when:
            raise ValueError("commits must be scripted in time order")
        encoded: dict[str, bytes | None] = {}
        for path, content in (files or {}).items():
            encoded[path] = content.encode() if isinstance(content, str) else content
            if content is None:
                self.files.pop(path, None)
            else:
                self.files[path] = encoded[path]  # type: ignore[assignment]
        if not encoded:
            n = len(self.commits)
            path = f"src/file{n % 7}.c"
            encoded[path] = f"/* change {n} by {author.name} */\nint v{n} = {n};\n".encode()
        mark = len(self.commits) + 1
        self.commits.append(
            _Commit(t, author, committer or author, message, encoded, self.branch, mark)
        )
        return mark

    def tag(self, name: str, when: int | str, tagger: Person, key: str | None = None) -> None:
        t = ts(when) if isinstance(when, str) else when
        self.tags.append(_Tag(name, t, tagger, len(self.commits), key))

    def stream(self) -> bytes:
        out: list[bytes] = []

        def data(payload: bytes) -> None:
            out.append(b"data %d\n" % len(payload) + payload + b"\n")

        for c in self.commits:
            out.append(f"commit refs/heads/{c.branch}\nmark :{c.mark}\n".encode())
            out.append(f"author {c.author.line(c.when)}\n".encode())
            out.append(f"committer {c.committer.line(c.when)}\n".encode())
            data(c.message.encode() + b"\n")
            for path, content in c.files.items():
                if content is None:
                    out.append(f"D {path}\n".encode())
                else:
                    out.append(f"M 100644 inline {path}\n".encode())
                    data(content)
            out.append(b"\n")
        for t in self.tags:
            out.append(f"tag {t.name}\nfrom :{t.mark}\ntagger {t.tagger.line(t.when)}\n".encode())
            message = f"Release {t.name}\n"
            if t.key:
                message += openpgp_signature(fingerprint_for(t.key), t.when)
            data(message.encode())
        return b"".join(out)

    def build(self, root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "-q", "--bare", "-b", self.branch, str(root)], check=True, env=GIT_ENV
        )
        subprocess.run(
            ["git", "--git-dir", str(root), "fast-import", "--quiet"],
            input=self.stream(),
            check=True,
            env=GIT_ENV,
        )
        return root


def noise_binary(seed: int, size: int = 2048) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(size))


def weekly(start: str, end: str, step_days: int = 7) -> list[int]:
    a, b = ts(start), ts(end)
    return list(range(a, b, step_days * 86_400))
