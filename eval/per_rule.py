"""Per-rule false positives (genuine releases) and recall (injections), from saved runs.

    .venv/bin/python eval/run_corpus.py --json .eval-cache/results.json
    .venv/bin/python eval/blind/run_blind.py --json .eval-cache/blind.json
    .venv/bin/python eval/per_rule.py .eval-cache/results.json .eval-cache/blind.json

False positives: findings at medium or above on genuine releases (every one is
listed by the corpus run with a judgement in docs/evaluation.md), counted per
rule. Recall: for each injected case, which rules name the expected file at or
above the expected severity. Negative controls flagged at high or above count
as false positives of the rule that flagged them.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def corpus_false_positives(results: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for entry in results.get("results", []):
        runs = [r for r in entry.get("runs", []) if r.get("label") != "dsc"]  # orig == dsc
        for run in runs[:1]:
            for finding in run.get("findings_medium_up", []):
                counts[str(finding.get("rule_id"))] += 1
    return counts


def blind_attribution(blind: dict[str, Any]) -> tuple[Counter[str], Counter[str], int, int]:
    caught_by: Counter[str] = Counter()
    negatives_flagged: Counter[str] = Counter()
    positives = caught = 0
    for row in blind.get("rows", []):
        expected = row.get("expected", {})
        rules = row.get("path_rules") or []
        if expected.get("should_flag"):
            positives += 1
            if row.get("named"):
                caught += 1
                for rule in rules:
                    caught_by[str(rule)] += 1
        else:
            for _severity, rule, _path in row.get("high_findings", []) or []:
                negatives_flagged[str(rule)] += 1
    return caught_by, negatives_flagged, positives, caught


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="JSON written by eval/run_corpus.py --json")
    ap.add_argument("blind", type=Path, nargs="?", help="JSON written by run_blind.py --json")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"missing {args.corpus}: run eval/run_corpus.py --json {args.corpus} first")
        return 2
    fps = corpus_false_positives(json.loads(args.corpus.read_text()))
    caught_by: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    positives = caught = 0
    if args.blind:
        if not args.blind.exists():
            print(f"missing {args.blind}: run eval/blind/run_blind.py --json {args.blind} first")
            return 2
        caught_by, flagged, positives, caught = blind_attribution(
            json.loads(args.blind.read_text())
        )
    rules = sorted(set(fps) | set(caught_by) | set(flagged))
    table: dict[str, dict[str, int]] = defaultdict(dict)
    print(f"{'rule':34} {'FP >=medium (genuine)':>22} {'blind caught':>13} {'FP controls':>12}")
    for rule in rules:
        table[rule] = {"fp": fps[rule], "caught": caught_by[rule], "controls": flagged[rule]}
        print(f"{rule:34} {fps[rule]:>22} {caught_by[rule]:>13} {flagged[rule]:>12}")
    if positives:
        print(f"\nblind recall: {caught}/{positives} injections named at the expected severity")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
