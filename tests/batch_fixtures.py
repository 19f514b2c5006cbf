"""Injected audit functions for batch tests: the real release audit on local fixtures.

They are module-level and picklable, so the batch runner can send them to its
worker processes.  Behaviour is chosen by the target's name:

- ``ok*``: a clean release (the tarball equals the tag);
- ``tampered*``: an artifact-only m4 macro that runs a command (a high finding);
- ``partial*``: audited with a member limit, so the report is partial;
- ``broken*``: raises a ChainsightError (as for an unknown version);
- ``crash*``: raises an unexpected exception;
- ``die*``: the worker process exits abruptly;
- ``slow*``: a clean release, after recording when it ran;
- ``hang*``: sleeps a minute inside a try/except (a stuck download), for timeouts.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from conftest import make_repo, make_tar

from chainsight.audit import AuditRequest, audit
from chainsight.errors import ChainsightError
from chainsight.limits import Limits
from chainsight.model import AuditReport
from chainsight.registry.target import PackageTarget

SOURCE = {
    "README.md": "# pkg\n",
    "configure.ac": "AC_INIT([pkg], [1.0.0])\nAC_OUTPUT\n",
    "src/pkg.py": "def main():\n    return 0\n",
    "src/util.py": "X = 1\n",
}
TAMPERED = {**SOURCE, "m4/host-check.m4": "AC_DEFUN([HOST_CHECK], [\n  eval `echo benign`\n])\n"}


def build_fixtures(root: Path) -> Path:
    """The shared upstream repository (tag v1.0.0) and the two release tarballs."""
    make_repo(root / "repo", SOURCE)
    make_tar(root / "clean.tar.gz", SOURCE, prefix="pkg-1.0.0")
    make_tar(root / "tampered.tar.gz", TAMPERED, prefix="pkg-1.0.0")
    (root / "calls").mkdir()
    return root


@dataclass(frozen=True)
class FixtureAudit:
    root: Path

    def __call__(self, target: PackageTarget) -> AuditReport:
        name = target.name
        stamp = f"{time.time():.6f}"
        (self.root / "calls" / f"{name}.{uuid.uuid4().hex}").write_text(f"{stamp} {os.getpid()}\n")
        if name.startswith("broken"):
            raise ChainsightError(f"{target}: no such version on the registry")
        if name.startswith("crash"):
            raise RuntimeError("unexpected state")
        if name.startswith("die"):
            os._exit(3)
        if name.startswith("slow"):
            time.sleep(0.4)
        if name.startswith("hang"):
            # a stuck download or clone, in code that swallows errors: still stopped
            with contextlib.suppress(Exception):
                time.sleep(60)
        artifact = self.root / (
            "tampered.tar.gz" if name.startswith("tampered") else "clean.tar.gz"
        )
        limits = Limits(max_members=2) if name.startswith("partial") else Limits()
        request = AuditRequest(artifact, str(self.root / "repo"), "v1.0.0", limits=limits)
        report = audit(request)
        if name.startswith("slow"):
            with (self.root / "calls" / f"{name}.span").open("w") as fh:
                fh.write(f"{stamp} {time.time():.6f}\n")
        return report

    def calls(self, prefix: str = "") -> int:
        return sum(
            1
            for p in (self.root / "calls").iterdir()
            if p.name.startswith(prefix) and not p.name.endswith(".span")
        )


def trivial_audit(target: PackageTarget) -> AuditReport:
    """No work at all: measures the runner's own overhead."""
    from chainsight.model import ArtifactInfo, SourceInfo, Summary

    if target.name.startswith("broken"):
        raise ChainsightError(f"{target}: not found")
    return AuditReport(
        artifact=ArtifactInfo(f"{target.name}.tar.gz", "0" * 64, "tar"),
        source=SourceInfo("repo", "v1", "0" * 40),
        files=(),
        findings=(),
        summary=Summary(0, 0, 0, 0, 0, 0, {}),
        partial=False,
        errors=(),
    )
