import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FORECASTS = ROOT / "forecasts"

os.environ.setdefault("MPLBACKEND", "Agg")
# the store cache's key (see forecastbook._cache) is kept in a folder of this run, not the user's
import tempfile  # noqa: E402

os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="forecastbook-test-cache-")
# nbval runs the notebooks in kernels that inherit this: their stored outputs are for this date
from forecastbook.queries import AS_OF_ENV  # noqa: E402
from forecastbook.report import STORED_AS_OF  # noqa: E402

os.environ[AS_OF_ENV] = STORED_AS_OF


def store_files(root: Path) -> list[Path]:
    """Every file below a store but its disposable reading cache (``.cache/``)."""
    return [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != ".cache"]


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when it is absent, but fails under CI=true."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI must run with ../shared beside the checkout")
        pytest.skip(f"{path} is not here (../shared beside the checkout holds the reference data)")
    return path


def run_cli(*args):
    """Invoke the command line as a user would (arguments as text); never a traceback."""
    from click.testing import CliRunner

    from forecastbook.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def unresolved_copy(dst: Path) -> Path:
    """A copy of the repository's store as first recorded: every question's resolution,
    history and notes (which edits append at the end of a file) cut off. Tests that make up
    outcomes start from it, so they do not depend on the real resolution round."""
    shutil.copytree(FORECASTS, dst)
    for path in dst.rglob("*.yaml"):
        if path.parent.name in ("sources", "forecasters"):
            continue
        kept, skipping = [], False
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            top_level = line[:1] not in (" ", "-", "#", "\n", "")
            if top_level:
                skipping = line.split(":", 1)[0] in ("resolution", "history", "notes")
            if not skipping:
                kept.append(line)
        path.write_text("".join(kept), encoding="utf-8")
    return dst


@pytest.fixture
def article_store(tmp_path):
    """The article's records, unresolved, in a temporary folder."""
    return unresolved_copy(tmp_path / "forecasts")


@pytest.fixture
def repo_store():
    from forecastbook import load_store

    return load_store(FORECASTS)
