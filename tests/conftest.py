import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FORECASTS = ROOT / "forecasts"

os.environ.setdefault("MPLBACKEND", "Agg")


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when it is absent, but fails under CI=true."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI must run with ../shared beside the checkout")
        pytest.skip(f"{path} is not here (../shared beside the checkout holds the reference data)")
    return path


@pytest.fixture
def repo_store():
    from forecastbook import load_store

    return load_store(FORECASTS)
