"""Run ``chainsight history`` over local mirrors and print one Markdown row each.

    .venv/bin/python eval/history_corpus.py /work/.mirror/*/repo > /tmp/rows.md

Columns: repository, commits, seconds (whole process), findings by severity,
who got a trust-escalation finding, truck factor, contributor absence factor,
single maintainer, funding links. Used for docs/evaluation.md ("Repository
history"); the repositories themselves are never committed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def row(repo: Path, extra: list[str]) -> str:
    name = repo.parent.name if repo.name == "repo" else repo.name
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "chainsight",
            "history",
            str(repo),
            "--format",
            "json",
            "--fail-on",
            "never",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return f"| {name} | error: {proc.stderr.strip()[:80]} |"
    doc = json.loads(proc.stdout)
    m = doc["metrics"]
    sev = doc["summary"]["findings_by_severity"]
    escalated = [
        f"{f['title'].split(': ', 1)[1]} ({f['severity']})"
        for f in doc["findings"]
        if f["rule_id"] == "history-trust-escalation"
    ]
    return (
        f"| {name} | {m['commits']} | {seconds:.1f} | {sev['high']} | {sev['medium']} | "
        f"{'; '.join(escalated) or '-'} | {m['truck_factor']} | "
        f"{m['contributor_absence_factor']} | {'yes' if m['single_maintainer'] else 'no'} | "
        f"{len(m['funding'])} |"
    )


def main() -> None:
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1 :]
    print(
        "| repository | commits | s | high | medium | trust escalation | TF | CAF | "
        "single | funding |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|---|---:|")
    for arg in args:
        print(row(Path(arg), extra), flush=True)


if __name__ == "__main__":
    main()
