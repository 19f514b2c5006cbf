"""Finished audits on disk: ``<cache>/batch/<key[:2]>/<key>.{report,result}.json``.

The key is a digest of the target, the chainsight version and the options that
change a report, so a rerun with the same inputs finds the targets already
audited and reuses them, and any change (a new chainsight, ``--no-ioc``...)
audits again.  The report is written first and the small result file last, so
the result file marks a finished audit; both are replaced atomically.  Errors
are not stored: a rerun tries those targets again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from chainsight import __version__
from chainsight.batch.results import BatchItem, TargetResult
from chainsight.errors import ChainsightError

STORE_FORMAT = 1


class StoreError(ChainsightError):
    """The result store cannot be written or a stored report cannot be read."""


class ResultStore:
    def __init__(self, root: Path, options: dict[str, Any] | None = None) -> None:
        self.root = root
        self.options = dict(options or {})
        self._options_json = json.dumps(self.options, sort_keys=True, default=str)

    def key(self, item: BatchItem) -> str:
        material = json.dumps(
            {
                "store": STORE_FORMAT,
                "target": str(item.target) if item.target else item.label,
                "chainsight": __version__,
                "options": self._options_json,
            },
            sort_keys=True,
        )
        return hashlib.sha256(material.encode()).hexdigest()

    def _path(self, key: str, kind: str) -> Path:
        return self.root / key[:2] / f"{key}.{kind}.json"

    def lookup(self, item: BatchItem) -> TargetResult | None:
        """A finished result of a previous run, or None.

        Targets without a version (the registry's newest) are never reused: the
        newest release may have changed since.
        """
        if item.target is None or item.target.version is None:
            return None
        key = self.key(item)
        path = self._path(key, "result")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if not self._path(key, "report").is_file():
                return None
            return TargetResult.from_json(doc, report_key=key, origin=item.origin)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, key: str, result: TargetResult, report: dict[str, Any]) -> None:
        self._write(self._path(key, "report"), report)
        self._write(self._path(key, "result"), result.to_json())

    def load_report(self, key: str) -> dict[str, Any]:
        path = self._path(key, "report")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the stored report {path}: {exc}") from None
        if not isinstance(doc, dict):
            raise StoreError(f"{path} is not a report")
        return doc

    def _write(self, path: Path, doc: dict[str, Any]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
