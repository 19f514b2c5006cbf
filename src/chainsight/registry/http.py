"""HTTP downloads for registries: timeouts, bounded size, retries, one-line errors.

Standard library only (``urllib``): proxies come from the usual environment
variables (``https_proxy``, ``no_proxy``...).  A :class:`HttpClient` remembers
hosts that could not be reached, so that a batch of hundreds of packages does
not wait for the same dead host hundreds of times.
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from chainsight import __version__
from chainsight.errors import ChainsightError

USER_AGENT = f"chainsight/{__version__} (+supply-chain audit)"
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
CHUNK = 1 << 16


class NetworkError(ChainsightError):
    """A registry or mirror could not be reached or answered with an error."""


class NotFoundError(NetworkError):
    """The server answered 404/410: the package, version or file does not exist."""


class TooLargeError(NetworkError):
    """The download exceeded the size limit."""


@dataclass
class HttpClient:
    timeout: float = DEFAULT_TIMEOUT
    retries: int = 2
    max_bytes: int = DEFAULT_MAX_BYTES
    headers: dict[str, str] = field(default_factory=dict)
    unreachable: set[str] = field(default_factory=set)
    """Hosts that failed at the connection level during this run."""

    def get(self, url: str, *, accept: str | None = None) -> bytes:
        """Fetch ``url`` into memory (index documents; bounded by ``max_bytes``)."""
        chunks: list[bytes] = []
        self._stream(url, chunks.append, accept=accept, progress=None)
        return b"".join(chunks)

    def download(
        self, url: str, out: BinaryIO, *, progress: Callable[[int, int | None], None] | None = None
    ) -> int:
        """Stream ``url`` into ``out``; return the byte count."""
        return self._stream(url, out.write, accept=None, progress=progress)

    def _stream(
        self,
        url: str,
        sink: Callable[[bytes], object],
        *,
        accept: str | None,
        progress: Callable[[int, int | None], None] | None,
    ) -> int:
        parsed = urllib.parse.urlsplit(url)
        shown = redact_url(url)
        if parsed.scheme not in ("https", "http"):
            raise NetworkError(f"refusing to fetch {shown}: only http(s) URLs are used")
        host = parsed.hostname or ""
        if host in self.unreachable:
            raise NetworkError(f"{host} was unreachable earlier in this run; skipped {shown}")
        headers = {"User-Agent": USER_AGENT, **self.headers}
        if accept:
            headers["Accept"] = accept
        auth = _basic_auth(parsed)
        if auth is not None:  # user:token@host (pip's convention) -> a header, not a host
            netloc = host + (f":{parsed.port}" if parsed.port else "")
            url = urllib.parse.urlunsplit(parsed._replace(netloc=netloc))
        attempt = 0
        while True:
            written = 0
            try:
                request = urllib.request.Request(url, headers=headers)
                if auth is not None:
                    # unredirected: never sent on to wherever a redirect points
                    request.add_unredirected_header("Authorization", auth)
                with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                    length = resp.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else None
                    if total is not None and total > self.max_bytes:
                        raise TooLargeError(
                            f"{shown} is {total} bytes, over the {self.max_bytes}-byte limit"
                        )
                    while chunk := resp.read(CHUNK):
                        written += len(chunk)
                        if written > self.max_bytes:
                            raise TooLargeError(f"{shown} exceeds the {self.max_bytes}-byte limit")
                        sink(chunk)
                        if progress is not None:
                            progress(written, total)
                return written
            except urllib.error.HTTPError as exc:
                if exc.code in (404, 410):
                    raise NotFoundError(f"{shown}: not found (HTTP {exc.code})") from None
                if exc.code >= 500 and attempt < self.retries and written == 0:
                    attempt += 1
                    time.sleep(0.5 * attempt)
                    continue
                raise NetworkError(f"{shown}: HTTP {exc.code} {exc.reason}") from None
            except (TimeoutError, urllib.error.URLError, ConnectionError, ssl.SSLError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt < self.retries and written == 0 and not _is_permanent(reason):
                    attempt += 1
                    time.sleep(0.5 * attempt)
                    continue
                if written == 0:
                    self.unreachable.add(host)
                raise NetworkError(f"cannot fetch {shown}: {reason}") from None


def redact_url(url: str) -> str:
    """``url`` without its credentials, for messages and reports."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


def _basic_auth(parts: urllib.parse.SplitResult) -> str | None:
    if parts.username is None and parts.password is None:
        return None
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return f"Basic {token}"


def _is_permanent(reason: object) -> bool:
    """DNS failures and refused connections will not heal in a second."""
    permanent = (socket.gaierror, ConnectionRefusedError, ssl.SSLCertVerificationError)
    return isinstance(reason, permanent)
