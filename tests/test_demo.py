"""``chainsight demo``: runs the real pipeline on an honest and a tampered release, and
never runs the tampered release's payload."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

MARKER = "CHAINSIGHT-DEMO-MARKER"
INJECTED = "m4/hello-host-check.m4"


def _sections(stdout: str) -> tuple[str, str, str]:
    honest_at = stdout.index("=== honest release")
    tampered_at = stdout.index("=== tampered release")
    summary_at = stdout.index("=== what changed")
    assert honest_at < tampered_at < summary_at
    return (
        stdout[honest_at:tampered_at],
        stdout[tampered_at:summary_at],
        stdout[summary_at:],
    )


def _markers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if MARKER in p.name]


def _run_demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "cwd"
    tmp = tmp_path / "tmp"
    home = tmp_path / "home"
    for d in (work, tmp, home):
        d.mkdir(exist_ok=True)
    exe = shutil.which("chainsight") or str(Path(os.sys.executable).parent / "chainsight")
    env = {**os.environ, "TMPDIR": str(tmp), "HOME": str(home), "COLUMNS": "120"}
    return subprocess.run(
        [exe, "demo", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )


def test_demo_shows_the_tampered_release_high_and_the_honest_one_not(tmp_path: Path) -> None:
    proc = _run_demo(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    honest, tampered, summary = _sections(proc.stdout)

    assert "[high]" not in honest and "[critical]" not in honest
    assert INJECTED not in honest
    high_lines = [ln for ln in tampered.splitlines() if ln.startswith("[high]")]
    assert any(INJECTED in ln for ln in high_lines), tampered
    assert "unexplained-build-code" in tampered
    critical_lines = [ln for ln in tampered.splitlines() if ln.startswith("[critical]")]
    assert any(INJECTED in ln for ln in critical_lines), tampered

    lines = {ln.split(":", 1)[0].strip(): ln for ln in summary.splitlines() if ":" in ln}
    # the behaviour rules make it critical (decoded fixture data run by configure)
    assert "worst finding critical" in lines["tampered"]
    assert INJECTED in lines["tampered"]
    assert "worst finding high" not in lines["honest"]
    assert "worst finding critical" not in lines["honest"]

    # the temporary directory is gone and no payload ran anywhere we can see
    assert list((tmp_path / "tmp").iterdir()) == []
    assert _markers(tmp_path) == []


def test_demo_payload_never_runs_even_when_kept(tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    proc = _run_demo(tmp_path, "--keep", str(keep))
    assert proc.returncode == 0, proc.stderr
    # the tampered tarball really carries the hook that would create the marker ...
    tampered = next(keep.rglob("tampered/*.tar.gz"))
    with tarfile.open(tampered) as tf:
        names = tf.getnames()
        member = next(n for n in names if n.endswith(INJECTED))
        hook = tf.extractfile(member)
        assert hook is not None
        assert MARKER in hook.read().decode()
    # ... and yet no marker exists in the demo tree, the working directory, TMPDIR or HOME
    assert _markers(tmp_path) == []
