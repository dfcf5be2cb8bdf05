"""The report: run the notebooks on a store with parameters and write self-contained HTML.

Each notebook has a cell tagged ``parameters``; the report inserts a cell tagged
``injected-parameters`` after it (as papermill does) with ``store``, ``as_of`` and ``seed``,
executes the notebook in its own folder, and exports it without code, figures embedded.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import _cache

NOTEBOOKS = ("article", "scoreboard", "calibration")
# The date the committed notebook outputs are made for: the test run (nbval) and
# scripts/regenerate_notebooks.py set $FORECASTBOOK_AS_OF to it.
STORED_AS_OF = "2026-11-30"
SHORT_TITLES = {"article": "Sources", "scoreboard": "Scoreboard", "calibration": "Calibration"}
TITLES = {"article": "Sources: their words, hedges, coherence, what is due and what happened",
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


def bundled_notebooks() -> Path | None:
    """The notebooks the package carries (``forecastbook/notebooks`` in a wheel), or the
    repository's ``notebooks/`` in a source checkout; None if neither is there."""
    here = Path(__file__).resolve().parent
    for folder in (here / "notebooks", here.parents[1] / "notebooks"):
        if (folder / "article.ipynb").is_file():
            return folder
    return None


class ReportError(Exception):
    """A notebook failed or printed a warning or an error: the page would show it."""


def execute(path: Path, params: dict | None = None, *, timeout: int = 600):  # noqa: ANN201
    """Execute a notebook in its folder (with parameters injected) and return it.

    Raises :class:`ReportError` naming the notebook and the cell when a cell fails or
    writes anything to stderr (a warning, a traceback from a display formatter)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    if params:
        inject_parameters(nb, params)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                       kernel_manager_class=_kernel_manager_class(),
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except CellExecutionError as exc:
        cell = next((i for i, c in _numbered(nb) if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
                    "?")
        raise ReportError(f"{path.name}, cell {cell}: {_first_line(exc.ename)}: {_first_line(exc.evalue)}") from None
    problems = output_problems(nb)
    if problems:
        raise ReportError(f"{path.name}: " + "; ".join(problems))
    return nb


def _first_line(text: object, limit: int = 300) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _numbered(nb):  # noqa: ANN001, ANN202
    """(number, cell) as the stored notebook numbers its cells: the injected parameters
    cell does not count."""
    cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    return enumerate(cells, 1)


def output_problems(nb) -> list[str]:  # noqa: ANN001
    """What in a notebook's outputs must not reach a page: errors and anything on stderr
    (warnings, tracebacks), each as ``cell N: first line``."""
    found = []
    for i, cell in _numbered(nb):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {_first_line(out.get('evalue', ''))}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {i}: stderr: {_first_line(out.get('text', ''))}")
    return found


TEMPLATES = Path(__file__).parent / "templates"


def to_html(nb, *, title: str | None = None, nav: list[tuple[str, str]] | None = None,  # noqa: ANN001
            page: str | None = None) -> str:
    """A notebook as a self-contained page without code: figures embedded, nothing loaded
    from the network, record text shown as text; ``title`` and a ``nav`` bar of
    (address, label) links, ``page`` being this page's address."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="forecastbook", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"fb_nav": nav or [], "fb_page": page})
    return body


DEMO_NOTEBOOKS = ("scoreboard", "calibration")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
            f"<style>body{{font-family:sans-serif;margin:0;line-height:1.4}}main{{max-width:60em;margin:1em auto;padding:0 1em}}"
            f"nav.fb-nav{{background:#f3f5f8;border-bottom:1px solid #d5dbe3;padding:8px 12px;display:flex;flex-wrap:wrap;"
            f"gap:4px 16px}}nav.fb-nav a{{color:#1a4f8b;text-decoration:none}}nav.fb-nav a[aria-current]{{font-weight:bold;"
            f"color:#111}}pre{{background:#f6f6f6;padding:1em;overflow-x:auto;white-space:pre-wrap}}</style></head>"
            f"<body>{body}</body></html>")


def write_report(store: Path, *, as_of: dt.date, out: Path, notebooks_dir: Path, summary: str, seed: int = 0,
                 demo: Path | None = None, simulated: bool = False,
                 progress: Callable[[str], None] = lambda message: None, read: dict | None = None) -> Path:
    """Execute each notebook on ``store`` and write ``out/<name>.html`` and ``out/index.html``.

    With ``demo`` (a simulated store), the scoreboard and calibration pages are also made
    for it, as ``out/simulated-<name>.html``, and the store's own pages link to them where
    too few outcomes are known to show a curve. ``read``: the stores already read (path
    -> Store), handed to the notebooks instead of being read again by each.
    """
    with tempfile.TemporaryDirectory(prefix="forecastbook-report-") as tmp:
        snapshot = Path(tmp) / "stores.pickle"
        stores = {str(Path(p).resolve()): s.moved_to(Path(p).resolve()) for p, s in (read or {}).items()}
        handed = bool(stores) and _cache.write_snapshot(snapshot, stores)
        before = os.environ.get(_cache.SNAPSHOT_ENV)
        if handed:
            os.environ[_cache.SNAPSHOT_ENV] = str(snapshot)
        try:
            return _write_report(store, as_of=as_of, out=out, notebooks_dir=notebooks_dir, summary=summary,
                                 seed=seed, demo=demo, simulated=simulated, progress=progress)
        finally:
            if before is None:
                os.environ.pop(_cache.SNAPSHOT_ENV, None)
            else:
                os.environ[_cache.SNAPSHOT_ENV] = before


def _write_report(store: Path, *, as_of: dt.date, out: Path, notebooks_dir: Path, summary: str, seed: int,
                  demo: Path | None, simulated: bool, progress: Callable[[str], None]) -> Path:
    pages: dict[str, str] = {}  # every page is made before any is written: a failed run changes nothing
    runs = [(name, store, name, f"simulated-{name}.html" if demo is not None and name in DEMO_NOTEBOOKS else None)
            for name in NOTEBOOKS]
    if demo is not None:
        runs += [(name, demo, f"simulated-{name}", None) for name in DEMO_NOTEBOOKS]
    mark = " (simulated)" if simulated else ""
    nav = [("index.html", "Report"), *((f"{n}.html", SHORT_TITLES[n] + mark) for n in NOTEBOOKS)]
    if demo is not None:
        nav += [(f"simulated-{n}.html", f"{SHORT_TITLES[n]} (simulated)") for n in DEMO_NOTEBOOKS]
    for i, (name, on, page, demo_link) in enumerate(runs, 1):
        path = notebooks_dir / f"{name}.ipynb"
        progress(f"[{i}/{len(runs)}] running {path.name} on {on} ...")
        params = {"store": str(Path(on).resolve()), "as_of": as_of.isoformat(), "seed": seed}
        if name in DEMO_NOTEBOOKS:
            params["demo_link"] = demo_link
        marked = simulated or page.startswith("simulated-")
        title = f"{SHORT_TITLES[name]}{' (SIMULATED)' if marked else ''}, as of {as_of}"
        pages[f"{page}.html"] = to_html(execute(path, params), title=title, nav=nav, page=f"{page}.html")
    items = "".join(f"<li><a href='{n}.html'>{html.escape(TITLES[n])}</a></li>" for n in NOTEBOOKS)
    demo_items = "".join(f"<li><a href='simulated-{n}.html'>{html.escape(TITLES[n])} (SIMULATED)</a></li>"
                         for n in DEMO_NOTEBOOKS) if demo is not None else ""
    demo_part = (f"<h2>The same pages on simulated data</h2><p>Made up by a seeded script to show what the pages "
                 f"look like once hundreds of outcomes are known ({html.escape(str(demo))}). Nothing there is real.</p>"
                 f"<ul>{demo_items}</ul>") if demo_items else ""
    links = "".join(f"<a href='{html.escape(h)}'{' aria-current=page' if h == 'index.html' else ''}>{html.escape(t)}</a>"
                    for h, t in nav)
    index = _page(f"forecastbook report{' (SIMULATED)' if simulated else ''}, as of {as_of}",
                  f"<nav class='fb-nav'>{links}</nav><main><h1>forecastbook report</h1>"
                  f"<p>Store: {html.escape(str(store))}, as of {as_of}</p>"
                  f"<pre>{html.escape(summary)}</pre><ul>{items}</ul>{demo_part}</main>")
    pages["index.html"] = index
    _write_pages(out, pages)
    return out / "index.html"


def _write_pages(out: Path, pages: dict[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    staged = []
    try:
        for name, text in pages.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            staged.append((tmp, out / name))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


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
