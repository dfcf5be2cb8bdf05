"""The report: run the notebooks on a store with parameters and write self-contained HTML.

Each notebook has a cell tagged ``parameters``; the report inserts a cell tagged
``injected-parameters`` after it (as papermill does) with ``store``, ``as_of`` and ``seed``,
executes the notebook in its own folder, and exports it without code, figures embedded.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

NOTEBOOKS = ("article", "scoreboard", "calibration")
TITLES = {"article": "The 2026-02-13 commentary: claims, hedges, coherence, what is due",
          "scoreboard": "Scoreboard: scores per forecaster, skill, and how they moved",
          "calibration": "Calibration: CORP reliability diagrams and decompositions"}


def inject_parameters(nb, params: dict) -> None:  # noqa: ANN001
    """Insert an ``injected-parameters`` cell after the ``parameters`` cell (or first)."""
    import nbformat

    source = "# Parameters\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
    nb.cells.insert(at, cell)


def _kernel_manager_class():  # noqa: ANN202
    import os
    import tempfile

    from jupyter_client.manager import KernelManager
    from traitlets import CaselessStrEnum, default

    class LocalKernelManager(KernelManager):
        """Talks to the kernel over local sockets (IPC), not TCP: nothing listens on a port.
        The socket path is absolute, because the kernel runs in the notebook's folder."""

        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _ip_default(self) -> str:
            return os.path.join(tempfile.mkdtemp(prefix="forecastbook-kernel-"), "ipc")

    return LocalKernelManager


def execute(path: Path, params: dict | None = None, *, timeout: int = 600):  # noqa: ANN201
    """Execute a notebook in its folder (with parameters injected) and return it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    if params:
        inject_parameters(nb, params)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   kernel_manager_class=_kernel_manager_class(),
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def to_html(nb) -> str:  # noqa: ANN001
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    return body


DEMO_NOTEBOOKS = ("scoreboard", "calibration")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
            f"<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}}"
            f"pre{{background:#f6f6f6;padding:1em;overflow-x:auto;white-space:pre-wrap}}</style></head><body>{body}</body></html>")


def write_report(store: Path, *, as_of: dt.date, out: Path, notebooks_dir: Path, summary: str, seed: int = 0,
                 demo: Path | None = None, progress: Callable[[str], None] = lambda message: None) -> Path:
    """Execute each notebook on ``store`` and write ``out/<name>.html`` and ``out/index.html``.

    With ``demo`` (a simulated store), the scoreboard and calibration pages are also made
    for it, as ``out/simulated-<name>.html``, and the store's own pages link to them where
    too few outcomes are known to show a curve.
    """
    out.mkdir(parents=True, exist_ok=True)
    runs = [(name, store, name, f"simulated-{name}.html" if demo is not None and name in DEMO_NOTEBOOKS else None)
            for name in NOTEBOOKS]
    if demo is not None:
        runs += [(name, demo, f"simulated-{name}", None) for name in DEMO_NOTEBOOKS]
    for i, (name, on, page, demo_link) in enumerate(runs, 1):
        path = notebooks_dir / f"{name}.ipynb"
        progress(f"[{i}/{len(runs)}] running {path.name} on {on} ...")
        params = {"store": str(Path(on).resolve()), "as_of": as_of.isoformat(), "seed": seed}
        if name in DEMO_NOTEBOOKS:
            params["demo_link"] = demo_link
        (out / f"{page}.html").write_text(to_html(execute(path, params)), encoding="utf-8")
    items = "".join(f"<li><a href='{n}.html'>{html.escape(TITLES[n])}</a></li>" for n in NOTEBOOKS)
    demo_items = "".join(f"<li><a href='simulated-{n}.html'>{html.escape(TITLES[n])} (SIMULATED)</a></li>"
                         for n in DEMO_NOTEBOOKS) if demo is not None else ""
    demo_part = (f"<h2>The same pages on simulated data</h2><p>Made up by a seeded script to show what the pages "
                 f"look like once hundreds of outcomes are known ({html.escape(str(demo))}). Nothing there is real.</p>"
                 f"<ul>{demo_items}</ul>") if demo_items else ""
    index = _page("forecastbook report", f"<h1>forecastbook report</h1><p>Store: {html.escape(str(store))}, as of {as_of}</p>"
                  f"<pre>{html.escape(summary)}</pre><ul>{items}</ul>{demo_part}")
    (out / "index.html").write_text(index, encoding="utf-8")
    return out / "index.html"


def summary_text(store, *, as_of: dt.date) -> str:  # noqa: ANN001
    """The terminal summary: counts by status, overdue questions, scores per forecaster."""
    from .display import SimulatedBanner, is_simulated, status_counts
    from .evaluate import scoreboard
    from .resolve import due

    counts = status_counts(store, as_of=as_of)
    lines = [repr(SimulatedBanner(store))] if is_simulated(store) else []
    lines.append(f"{len(store.questions)} questions as of {as_of}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    overdue = [q for q, state in due(store, as_of=as_of) if state == "overdue"]
    if overdue:
        lines.append("Overdue (resolve with evidence):")
        lines += [f"  {q.id} (resolve by {q.resolve_by})" for q in overdue]
    board = scoreboard(store, as_of=as_of)
    scored = board[board["n"].fillna(0) > 0] if "n" in board else board.iloc[0:0]
    if scored.empty:
        lines.append("No forecast is scored yet: nothing resolved.")
    else:
        lines.append("Scores per forecaster (lower is better):")
        for row in scored.itertuples():
            lines.append(f"  {row.forecaster}: Brier {row.brier:.4f}, log {row.log:.4f}"
                         + (f" (+{int(row.log_inf)} infinite)" if row.log_inf else "") + f", n={int(row.n)}")
    return "\n".join(lines)
