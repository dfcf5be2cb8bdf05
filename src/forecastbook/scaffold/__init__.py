"""``forecastbook init``: start a forecasts repository of one's own.

The files it writes are templates beside this module (``files/``, with ``dot-`` standing
for a leading '.' so that packaging keeps them), filled with the team's names; the
notebooks are the ones the package carries, with their stored outputs cleared (they were
made for another store) and pointed at the new store.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

from .. import __version__

__all__ = ["plan", "write"]

TEMPLATES = Path(__file__).parent / "files"


def _target(rel: str) -> str:
    """``dot-github/workflows/ci.yml`` -> ``.github/workflows/ci.yml``."""
    return "/".join("." + part[4:] if part.startswith("dot-") else part for part in rel.split("/"))


def _notebook(path: Path) -> str:
    """A bundled notebook for a new repository: outputs cleared, the store parameter set to
    the new repository's ``forecasts``."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            lines = "".join(cell["source"]).splitlines(keepends=True)
            cell["source"] = ['store = "../forecasts"  # the folder of records\n' if line.startswith("store =") else line
                              for line in lines]
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def plan(*, team: str, forecaster: str) -> dict[str, str]:
    """Every file ``init`` writes: relative path -> text."""
    from ..report import bundled_notebooks
    from ..records import is_slug

    if not is_slug(forecaster):
        raise ValueError(f"the forecaster id must be a lowercase slug, got {forecaster[:40]!r}")
    values = {"team": team, "forecaster": forecaster, "version": __version__}
    files = {}
    for path in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        rel = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel.endswith(".tmpl"):
            rel, text = rel[: -len(".tmpl")], string.Template(text).substitute(values)
        files[_target(rel).replace("FORECASTER", forecaster)] = text
    notebooks = bundled_notebooks()
    if notebooks is None:
        raise ValueError("this installation carries no notebooks to copy")
    for path in sorted(notebooks.glob("*.ipynb")):
        files[f"notebooks/{path.name}"] = _notebook(path)
    return files


def write(folder: Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write ``files`` under ``folder`` all or nothing; refuses to overwrite unless ``force``."""
    from ..edits import EditError, write_atomic

    folder = Path(folder)
    existing = [rel for rel in files if (folder / rel).exists()]
    if existing and not force:
        raise EditError(f"{folder} already has {', '.join(existing[:5])}" + (" ..." if len(existing) > 5 else "")
                        + "; nothing was written (--force overwrites)")
    targets = {folder / rel: text for rel, text in files.items()}
    for path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(targets, root=folder)
    return sorted(targets)
