"""Compare two trees by blob id and list every path that is not identical."""

from __future__ import annotations

from dataclasses import dataclass

from chainsight.analyzers.context import Difference
from chainsight.model import Status
from chainsight.trees import EntryKind, FileTree


@dataclass(frozen=True)
class Comparison:
    differences: tuple[Difference, ...]
    identical: int


def compare_trees(artifact: FileTree, source: FileTree) -> Comparison:
    """Differences in path order. Reads no content: ids decide."""
    diffs: list[Difference] = []
    identical = 0
    for path in sorted(set(artifact.paths()) | set(source.paths())):
        a = artifact.get(path)
        s = source.get(path)
        if a is not None and s is not None:
            if s.kind is EntryKind.GITLINK:
                diffs.append(Difference(path, Status.MODIFIED, a, s))
            elif a.blob_id == s.blob_id and (a.kind is s.kind):
                identical += 1
            else:
                diffs.append(Difference(path, Status.MODIFIED, a, s))
        elif a is not None:
            diffs.append(Difference(path, Status.ARTIFACT_ONLY, a, None))
        elif s is not None:
            diffs.append(Difference(path, Status.SOURCE_ONLY, None, s))
    return Comparison(tuple(diffs), identical)
