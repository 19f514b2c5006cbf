"""Scripted repositories shared by the history tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from history import scenarios


@pytest.fixture(scope="session")
def takeover_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenarios.takeover(tmp_path_factory.mktemp("takeover") / "repo.git")


@pytest.fixture(scope="session")
def healthy_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenarios.healthy(tmp_path_factory.mktemp("healthy") / "repo.git")


@pytest.fixture(scope="session")
def handover_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenarios.honest_handover(tmp_path_factory.mktemp("handover") / "repo.git")
