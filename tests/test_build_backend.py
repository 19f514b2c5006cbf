"""An in-tree PEP 517 build backend (``backend-path``) is build-time code: a change to
it in the sdist is read by the behaviour analyzer like setup.py."""

from __future__ import annotations

from pathlib import Path

from conftest import audit_json, make_repo, make_tar, record

PYPROJECT = """\
[build-system]
requires = []
build-backend = "blind_backend"
backend-path = ["_build"]

[project]
name = "pkg"
version = "1.0.0"
"""

BACKEND = """\
from setuptools import build_meta as _orig

build_sdist = _orig.build_sdist


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _orig.build_wheel(wheel_directory, config_settings, metadata_directory)
"""

TAMPERED = BACKEND.replace(
    "def build_wheel(",
    "import pickle\n\n\ndef _calibration():\n"
    "    with open('tests/data/calibration.pkl', 'rb') as fh:\n"
    "        return pickle.load(fh)\n\n\ndef build_wheel(",
)


def _release(tmp_path: Path, backend: str, pyproject: str = PYPROJECT) -> tuple[Path, Path]:
    files = {
        "pyproject.toml": pyproject,
        "_build/blind_backend.py": BACKEND,
        "_build/helpers/__init__.py": "",
        "src/pkg/__init__.py": "VALUE = 1\n",
        "tests/data/calibration.pkl": b"\x80\x04K\x01.",
    }
    repo = make_repo(tmp_path / "repo", files)
    art = make_tar(tmp_path / "pkg-1.0.0.tar.gz", {**files, "_build/blind_backend.py": backend})
    return repo, art


def test_a_tampered_in_tree_backend_is_build_code(tmp_path: Path) -> None:
    repo, art = _release(tmp_path, TAMPERED)
    _code, report = audit_json(art, repo)
    assert record(report, "_build/blind_backend.py")["build_time"] is True
    at_backend = [f for f in report["findings"] if f["path"] == "_build/blind_backend.py"]
    order = ["info", "low", "medium", "high", "critical"]
    worst = max(at_backend, key=lambda f: order.index(f["severity"]))
    assert worst["severity"] == "critical"
    assert worst["rule_id"].startswith("build-")
    assert "tests/data/calibration.pkl" in [r["path"] for r in worst["related"]]


def test_without_backend_path_the_module_is_ordinary_code(tmp_path: Path) -> None:
    no_path = PYPROJECT.replace('backend-path = ["_build"]\n', "")
    repo, art = _release(tmp_path, TAMPERED, no_path)
    _code, report = audit_json(art, repo)
    assert record(report, "_build/blind_backend.py")["build_time"] is False
    assert not [
        f
        for f in report["findings"]
        if f["path"] == "_build/blind_backend.py" and f["rule_id"].startswith("build-")
    ]
