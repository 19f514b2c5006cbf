"""Audit the genuine releases listed in eval/corpus.toml with chainsight.

For each release: find the artifact in .eval-cache/ and the repository under
/work/.mirror/ (or .eval-cache/repos/, or the entry's ``repo_path``), run
``chainsight audit ART --source REPO --format json --output ...`` (first
letting chainsight derive the tag, then with ``--ref TAG`` if that fails),
time it, and print a summary table plus per-release details.

Nothing from an artifact or repository is built, configured or run here:
this script only calls chainsight, which reads archives as streams and
repositories through git objects.

Usage::

    .venv/bin/python eval/run_corpus.py [--only NAME ...] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".eval-cache"
MIRROR = Path("/work/.mirror")
CHAINSIGHT = ROOT / ".venv" / "bin" / "chainsight"
MEDIUM_UP = ("medium", "high", "critical")
HIGH_UP = ("high", "critical")


@dataclass
class AuditRun:
    """One chainsight invocation and what it reported."""

    label: str
    artifact: str
    command: list[str]
    returncode: int
    seconds: float
    ref_requested: str | None
    ref_used: str | None = None
    commit: str | None = None
    derived_first_error: str | None = None
    stderr_tail: str = ""
    traceback: bool = False
    summary: dict[str, Any] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    verified: int = 0
    plausible: int = 0
    unexplained: list[str] = field(default_factory=list)
    artifact_only_uncategorised: list[str] = field(default_factory=list)
    findings_medium_up: list[dict[str, Any]] = field(default_factory=list)
    partial: bool = False
    errors: list[Any] = field(default_factory=list)


@dataclass
class EntryResult:
    """Everything known about one corpus entry."""

    name: str
    kind: str
    build: str
    repo: str
    tag: str
    status: str  # "ok", "missing", "error"
    missing: list[str] = field(default_factory=list)
    runs: list[AuditRun] = field(default_factory=list)


def load_corpus(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    releases = data.get("release", [])
    if not isinstance(releases, list):
        raise SystemExit(f"{path}: [[release]] tables expected")
    return releases


def find_repo(entry: dict[str, Any]) -> Path | None:
    if entry.get("repo_path"):
        p = Path(entry["repo_path"]).expanduser()
        return p if p.exists() else None
    owner, name = entry["repo"].split("/", 1)
    for cand in (
        MIRROR / f"{owner}+{name}" / "repo",
        MIRROR / f"{owner}+{name}",
        CACHE / "repos" / f"{name}.git",
        CACHE / "repos" / name,
    ):
        if (cand / "HEAD").exists() or (cand / ".git").exists():
            return cand
    return None


def how_to_get_repo(entry: dict[str, Any]) -> str:
    repo = entry["repo"]
    name = repo.split("/", 1)[1]
    return (
        f"repository {repo}: fetch github:{repo} with the search tool's fetch verb, "
        f"or git clone --bare https://github.com/{repo} {CACHE}/repos/{name}.git"
    )


def artifacts_for(entry: dict[str, Any]) -> tuple[list[tuple[str, Path]], list[str]]:
    """Return ([(label, path)], [missing-and-how-to-get-it messages])."""
    kind = entry["kind"]
    missing: list[str] = []
    arts: list[tuple[str, Path]] = []
    if kind == "debian":
        spec = entry["debian"]
        pkg, version = spec.split("=", 1)
        upstream_rev = version.split(":", 1)[-1]
        dsc = CACHE / "debian" / f"{pkg}_{upstream_rev}.dsc"
        orig = CACHE / "debian" / entry["orig"]
        get = (
            f"cd {CACHE}/debian && apt-get source --download-only {shlex.quote(spec)}"
            "  (needs a deb-src line for bookworm and one apt-get update)"
        )
        if dsc.exists():
            arts.append(("dsc", dsc))
        else:
            missing.append(f"{dsc.name}: {get}")
        if orig.exists():
            arts.append(("orig", orig))
        else:
            missing.append(f"{orig.name}: {get}")
    elif kind == "pypi":
        name, version = entry["pypi"].split("==", 1)
        sdist = CACHE / "pypi" / entry["sdist"]
        if sdist.exists():
            arts.append(("sdist", sdist))
        else:
            missing.append(
                f"{sdist.name}: curl -s -H 'Accept: application/vnd.pypi.simple.v1+json' "
                f"https://pypi.org/simple/{name}/ , take the URL of {entry['sdist']}, "
                f"check its sha256 from that JSON, and curl -o {sdist} URL"
            )
    elif kind in ("npm", "url-cache"):
        p = CACHE / kind / entry["file"]
        if p.exists():
            arts.append((kind, p))
        else:
            missing.append(f"{p}: place the artifact there ({entry.get('url', 'see note')})")
    else:
        missing.append(f"unknown kind {kind!r}")
    return arts, missing


def summarise_report(run: AuditRun, report: dict[str, Any]) -> None:
    run.summary = report.get("summary", {})
    src = report.get("source", {})
    run.ref_used = src.get("ref")
    run.commit = src.get("commit")
    run.partial = bool(report.get("partial"))
    run.errors = list(report.get("errors") or [])
    cats: Counter[str] = Counter()
    for f in report.get("files", []):
        cat = f.get("category") or "(none)"
        key = f"{f.get('status')}:{cat}:{'verified' if f.get('verified') else 'by-name'}"
        cats[key] += 1
        if cat == "unexplained":
            run.unexplained.append(f"{f.get('status')} {f['path']}")
        elif f.get("verified"):
            run.verified += 1
        else:
            run.plausible += 1
        if f.get("status") == "artifact_only" and not f.get("category"):
            run.artifact_only_uncategorised.append(f["path"])
    run.by_category = dict(sorted(cats.items()))
    for fd in report.get("findings", []):
        if fd.get("severity") in MEDIUM_UP:
            ev = fd.get("evidence") or []
            first = f"{ev[0].get('line')}: {ev[0].get('text')}" if ev else ""
            run.findings_medium_up.append(
                {
                    "severity": fd.get("severity"),
                    "rule_id": fd.get("rule_id"),
                    "path": fd.get("path"),
                    "title": fd.get("title"),
                    "evidence": first,
                }
            )


def run_chainsight(
    label: str, artifact: Path, repo: Path, ref: str | None, out: Path
) -> tuple[AuditRun, dict[str, Any] | None]:
    cmd = [str(CHAINSIGHT), "audit", str(artifact), "--source", str(repo)]
    if ref:
        cmd += ["--ref", ref]
    cmd += ["--format", "json", "--output", str(out), "--fail-on", "never"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    seconds = time.perf_counter() - t0
    run = AuditRun(
        label=label,
        artifact=str(artifact),
        command=cmd,
        returncode=proc.returncode,
        seconds=round(seconds, 2),
        ref_requested=ref,
        stderr_tail="\n".join(proc.stderr.strip().splitlines()[-15:]),
        traceback="Traceback (most recent call last)" in proc.stderr
        or "Traceback (most recent call last)" in proc.stdout,
    )
    report: dict[str, Any] | None = None
    if proc.returncode in (0, 1) and out.exists():
        try:
            report = json.loads(out.read_text())
        except json.JSONDecodeError as exc:
            run.stderr_tail += f"\n[run_corpus] bad JSON in {out}: {exc}"
    return run, report


def audit_entry(entry: dict[str, Any], outdir: Path) -> EntryResult:
    res = EntryResult(
        name=entry["name"],
        kind=entry["kind"],
        build=entry.get("build", "?"),
        repo=entry["repo"],
        tag=entry.get("tag", ""),
        status="ok",
    )
    arts, missing = artifacts_for(entry)
    repo = find_repo(entry)
    if repo is None:
        missing.append(how_to_get_repo(entry))
    res.missing = missing
    if repo is None or not arts:
        res.status = "missing"
        return res
    slug = "".join(c if c.isalnum() else "_" for c in entry["name"])
    for label, art in arts:
        out = outdir / f"{slug}.{label}.json"
        out.unlink(missing_ok=True)
        run, report = run_chainsight(label, art, repo, None, out)
        if report is None and not run.traceback and entry.get("tag"):
            first_err = run.stderr_tail
            out.unlink(missing_ok=True)
            run, report = run_chainsight(label, art, repo, entry["tag"], out)
            run.derived_first_error = first_err
        if report is not None:
            summarise_report(run, report)
        else:
            res.status = "error"
        res.runs.append(run)
    return res


def fmt_row(cols: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))


def print_table(results: list[EntryResult]) -> None:
    head = [
        "release",
        "art",
        "files art/tag",
        "ident",
        "a-only",
        "s-only",
        "mod",
        "verif",
        "plaus",
        "unexpl",
        ">=med",
        ">=high",
        "ref",
        "secs",
    ]
    rows: list[list[str]] = []
    for r in results:
        if r.status == "missing":
            rows.append([r.name, "-", "MISSING", *[""] * 11])
            continue
        for run in r.runs:
            s = run.summary
            if not s:
                rows.append([r.name, run.label, f"ERROR rc={run.returncode}", *[""] * 11])
                continue
            high = sum(1 for f in run.findings_medium_up if f["severity"] in HIGH_UP)
            ref = run.ref_used or "?"
            if run.ref_requested:
                ref += " (given)"
            rows.append(
                [
                    r.name,
                    run.label,
                    f"{s.get('files_artifact')}/{s.get('files_source')}",
                    str(s.get("identical")),
                    str(s.get("artifact_only")),
                    str(s.get("source_only")),
                    str(s.get("modified")),
                    str(run.verified),
                    str(run.plausible),
                    str(len(run.unexplained)),
                    str(len(run.findings_medium_up)),
                    str(high),
                    ref,
                    f"{run.seconds:.2f}",
                ]
            )
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    print(fmt_row(head, widths))
    print(fmt_row(["-" * w for w in widths], widths))
    for row in rows:
        print(fmt_row(row, widths))


def print_details(results: list[EntryResult]) -> None:
    for r in results:
        print(f"\n=== {r.name} [{r.kind}, {r.build}] repo {r.repo} tag {r.tag}: {r.status}")
        for m in r.missing:
            print(f"  MISSING {m}")
        for run in r.runs:
            print(f"  --- {run.label}: {Path(run.artifact).name}  rc={run.returncode}")
            print(f"      $ {shlex.join(run.command)}")
            if run.derived_first_error:
                print("      tag derivation failed; retried with --ref:")
                for line in run.derived_first_error.splitlines():
                    print(f"        | {line}")
            if run.traceback or not run.summary:
                for line in run.stderr_tail.splitlines():
                    print(f"      ! {line}")
            if not run.summary:
                continue
            print(f"      ref {run.ref_used} ({run.commit}) partial={run.partial}")
            if run.errors:
                print(f"      errors: {run.errors}")
            for key, n in run.by_category.items():
                print(f"      {n:5d}  {key}")
            for p in run.artifact_only_uncategorised:
                print(f"      UNCATEGORISED artifact_only {p}")
            for p in run.unexplained:
                print(f"      UNEXPLAINED {p}")
            for f in run.findings_medium_up:
                print(
                    f"      FINDING {f['severity']:8s} {f['rule_id']}  {f['path']}"
                    f"  | {f['evidence']}"
                )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus.toml")
    ap.add_argument("--only", nargs="*", help="substrings of release names to run")
    ap.add_argument("--json", type=Path, help="save all results to this JSON file")
    ap.add_argument(
        "--outdir",
        type=Path,
        default=CACHE / "out",
        help="where chainsight's JSON reports go (default .eval-cache/out)",
    )
    args = ap.parse_args(argv)
    if not CHAINSIGHT.exists():
        print(f"{CHAINSIGHT} not found: run sh install.sh first", file=sys.stderr)
        return 2
    entries = load_corpus(args.corpus)
    if args.only:
        entries = [e for e in entries if any(s.lower() in e["name"].lower() for s in args.only)]
    args.outdir.mkdir(parents=True, exist_ok=True)
    results: list[EntryResult] = []
    for entry in entries:
        print(f"auditing {entry['name']} ...", file=sys.stderr, flush=True)
        results.append(audit_entry(entry, args.outdir))
    print_table(results)
    print_details(results)
    missing = [r for r in results if r.status == "missing"]
    crashed = [run for r in results for run in r.runs if run.traceback or not run.summary]
    print(
        f"\n{len(results)} releases, {len(missing)} missing, "
        f"{len(crashed)} audit runs failed or printed a traceback"
    )
    if args.json:
        payload = {
            "chainsight": str(CHAINSIGHT),
            "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "host": os.uname().nodename,
            "results": [asdict(r) for r in results],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"saved {args.json}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
