"""Bring the notebooks' stored outputs and the images in docs/ up to date.

Run this after resolving or adding forecasts, or after changing the library, so that
CI's strict nbval check (which compares every stored output with a fresh run) passes:

    .venv/bin/python scripts/regenerate_notebooks.py

Each notebook runs in its own folder with the defaults of its ``parameters`` cell and
``$FORECASTBOOK_AS_OF`` set to ``forecastbook.report.STORED_AS_OF`` (the date the test run
uses too), so the outputs depend only on the records and the library.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402

from forecastbook.queries import AS_OF_ENV  # noqa: E402
from forecastbook.report import NOTEBOOKS, STORED_AS_OF, execute  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def regenerate_notebook(path: Path) -> None:
    nb = execute(path)
    nb.metadata["kernelspec"] = KERNELSPEC  # as JupyterLab names the kernel: opening marks nothing modified
    nbformat.write(nb, path)


def regenerate_docs() -> None:
    """The main plots as PNG images, for the README."""
    import datetime as dt

    import forecastbook
    from forecastbook.calibration import plot_reliability_diagram, plot_score_over_time
    from forecastbook.evaluate import binary_scores, replay
    from forecastbook.figures import plot_conditional_tree

    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    plt.rcParams["svg.hashsalt"] = "forecastbook"
    sim = forecastbook.load_store(ROOT / "examples" / "simulated")
    as_of = dt.date.fromisoformat(STORED_AS_OF)
    scores = binary_scores(sim, as_of=as_of)
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.5))
    for ax, who in zip(axes, ("calibrated", "overconfident")):
        part = scores[(scores["forecaster"] == who) & scores["outcome"].isin([0.0, 1.0])]
        plot_reliability_diagram(part["outcome"], part["probability"], seed=0, ax=ax)
        ax.set_title(f"SIMULATED: {who} forecaster")
    fig.tight_layout()
    fig.savefig(docs / "reliability-diagram.png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_score_over_time(replay(sim, until=as_of), ax=ax)
    ax.set_title("SIMULATED: Brier score as outcomes arrived")
    fig.tight_layout()
    fig.savefig(docs / "score-over-time.png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    real = forecastbook.load_store(ROOT / "forecasts")
    fig, ax = plt.subplots(figsize=(11, 4.5))
    plot_conditional_tree(real, "visit-talks-fail", as_of=as_of, ax=ax)
    fig.tight_layout()
    fig.savefig(docs / "conditional-tree.png", dpi=110, metadata={"Software": None})
    plt.close(fig)


def main() -> None:
    os.environ[AS_OF_ENV] = STORED_AS_OF  # the kernels inherit it: outputs for one fixed date
    names = sys.argv[1:] or NOTEBOOKS
    for name in names:
        path = ROOT / "notebooks" / f"{name}.ipynb"
        print(f"running {path.relative_to(ROOT)} ...", flush=True)
        regenerate_notebook(path)
    regenerate_docs()
    print("notebooks and docs/ images are up to date")


if __name__ == "__main__":
    main()
