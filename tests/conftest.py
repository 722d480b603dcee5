"""Shared fixtures: where the project and the real third-party data live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "resources" / "sample"


@pytest.fixture(scope="session")
def root() -> Path:
    """The project's root folder."""
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real DocRED, Re-DocRED, Wikidata head, GAP); skips the test when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real third-party data not found at {SHARED_DATA} (see README, 'Data')")
    return SHARED_DATA


def shared_file(relative: str) -> Path:
    """Path of one file under ../shared/data; skips the calling test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {path} not found (see README, 'Data')")
    return path


@pytest.fixture(scope="session")
def sample() -> Path:
    """The bundled sample written by `kire sample` (resources/sample)."""
    return SAMPLE
