"""The report, the simulated store, and what the notebooks must make visible."""

import datetime as dt
import json
import re
import shutil

import nbformat
import numpy as np
import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.evaluate import binary_scores, calibration_by
from forecastbook.calibration import reliability
from conftest import FORECASTS, ROOT, store_files

SIMULATED = ROOT / "examples" / "simulated"


def test_simulated_store_is_what_the_seeded_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("simulate_store", ROOT / "scripts" / "simulate_store.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_store(tmp_path / "sim", seed=2025)
    committed = {p.relative_to(SIMULATED): p.read_bytes() for p in store_files(SIMULATED)}
    fresh = {p.relative_to(tmp_path / "sim"): p.read_bytes() for p in store_files(tmp_path / "sim")}
    assert committed == fresh
    store = forecastbook.load_store(SIMULATED)
    assert not store.problems
    assert all("simulated" in q.tags and q.title.startswith("SIMULATED") for q in store.questions.values())


@pytest.fixture(scope="module")
def simulated_scores():
    scores = binary_scores(forecastbook.load_store(SIMULATED), as_of="2026-01-31")
    return scores[scores["outcome"].isin([0.0, 1.0])]


def test_overconfident_forecaster_is_visibly_miscalibrated(simulated_scores):
    table = calibration_by(forecastbook.load_store(SIMULATED), as_of="2026-01-31").set_index("group")
    assert table.loc["overconfident", "miscalibration"] > 2 * table.loc["calibrated", "miscalibration"]
    assert table.loc["underconfident", "miscalibration"] > 2 * table.loc["calibrated", "miscalibration"]
    # a flatter reliability curve than the diagonal: the recalibrated values grow more slowly
    over = simulated_scores[simulated_scores["forecaster"] == "overconfident"]
    curve = reliability(over["outcome"], over["probability"])
    slope = np.polyfit(curve["forecast"], curve["calibrated"], 1, w=np.sqrt(curve["n"]))[0]
    assert slope < 0.8
    calibrated = simulated_scores[simulated_scores["forecaster"] == "calibrated"]
    curve_c = reliability(calibrated["outcome"], calibrated["probability"])
    assert np.polyfit(curve_c["forecast"], curve_c["calibrated"], 1, w=np.sqrt(curve_c["n"]))[0] > 0.85


def test_late_updater_is_seen_by_the_time_averaged_score():
    from forecastbook.evaluate import scoreboard

    board = scoreboard(forecastbook.load_store(SIMULATED), as_of="2026-01-31").set_index("forecaster")
    assert board.loc["late-updater", "brier"] == pytest.approx(board.loc["calibrated", "brier"])
    assert board.loc["late-updater", "time_averaged_brier"] > board.loc["calibrated", "time_averaged_brier"] + 0.05


HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


def test_report_escapes_hostile_text_and_embeds_every_figure(article_store, tmp_path):
    store = article_store
    path = store / "us-china-tech-pause-2026" / "visit-talks-fail.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Do the US-China talks", f"title: \"{HOSTILE} Do the US-China talks"
                                 ).replace("visit fail?\n", "visit fail?\"\n", 1), encoding="utf-8")
    src = store / "sources" / "moyunlanting-2026-02-13.yaml"
    src.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    q = forecastbook.load_store(store).questions["visit-talks-fail"]
    assert q.title.startswith(HOSTILE)
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "--store", str(store), "--as-of", "2026-11-27", "--out", str(out),
                                       "--notebooks", str(ROOT / "notebooks"), "--no-demo"])
    assert result.exit_code == 0, result.output
    assert f"[1/3] running article.ipynb on {store} ..." in result.output
    assert "7 overdue" in result.output and "No forecast is scored yet" in result.output
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    assert set(pages) == {"index.html", "article.html", "scoreboard.html", "calibration.html"}
    for name, page in pages.items():
        assert "<script>alert(" not in page, name
        assert "<b>bold</b>" not in page, name
    assert "&lt;script&gt;alert(" in pages["article.html"]
    assert "print(" not in pages["article.html"] and "import forecastbook" not in pages["article.html"]  # code hidden


def test_the_report_shows_what_happened_beside_the_simulated_demo(tmp_path):
    """The real store after its first round: outcomes with linked evidence, the author's
    scores with n, and, where too few outcomes are known for a curve, a sentence that says
    so and links to the same page on the simulated store."""
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "--store", str(FORECASTS), "--as-of", "2026-11-30", "--out", str(out),
                                       "--demo", str(SIMULATED)])
    assert result.exit_code == 0, result.output
    assert "moyunlanting: Brier 0.2500, log 0.6931, n=1" in result.output
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    assert set(pages) == {"index.html", "article.html", "scoreboard.html", "calibration.html",
                          "simulated-scoreboard.html", "simulated-calibration.html"}
    article = pages["article.html"]
    assert "What happened" in article and "The track record" in article
    assert ('<a href="https://www.cooley.com/news/insight/2026/2026-03-26-fcc-moves-to-prevent-new-foreign-routers" '
            'rel="noopener" style="word-break:break-all" target="_blank">') in article
    assert "resolved yes on 2026-11-30 (known since 2026-03-23)" in article
    assert "Review in hindsight (the record is not changed)" in article
    assert ("moyunlanting: 1 of 3 forecast question(s) scored, Brier 0.2500 against 0.2500 for always 50% "
            "(skill +0.00). Too few to judge calibration.") in article
    assert "1 scored forecast(s), fewer than 20: read each one, not the means." in pages["scoreboard.html"]
    assert '<a href="simulated-scoreboard.html">The same page on the simulated store</a>' in pages["scoreboard.html"]
    calibration = pages["calibration.html"]
    assert "moyunlanting: 1 scored forecast(s), fewer than 20: a reliability curve would show noise" in calibration
    assert '<a href="simulated-calibration.html">' in calibration
    assert 'src="data:image/png' not in calibration  # no curve drawn for n = 1, and no outcome dates to plot
    assert "SIMULATED DATA" in pages["simulated-calibration.html"]
    assert 'src="data:image/png' in pages["simulated-calibration.html"]
    assert "<a href='simulated-calibration.html'>" in pages["index.html"]
    # every page: its own title, a navigation bar to every other page, nothing from the network
    titles = set()
    for name, page in pages.items():
        titles.add(re.search(r"<title>([^<]*)</title>", page).group(1))
        nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
        assert all(f"href=\"{other}\"" in nav or f"href='{other}'" in nav for other in pages), name
        assert not re.search(r"<script[^>]+src=", page), name
        assert "mathjax" not in page.lower() and "require.js" not in page, name
        assert "Traceback" not in page and "Warning" not in page, name
    assert len(titles) == len(pages)
    # counts on every page are as of the page's date, the same as the commands give
    listed = json.loads(CliRunner().invoke(main, ["list", "--store", str(FORECASTS), "--as-of", "2026-11-30",
                                                  "--format", "json"]).output)
    counts = {s: sum(r["status"] == s for r in listed) for s in ("open", "overdue", "resolved", "annulled", "ambiguous")}
    shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    for name in ("article.html", "scoreboard.html", "calibration.html"):
        assert f'by status on 2026-11-30</th><td style="text-align:left;vertical-align:top">{shown}</td>' in pages[name], name
    due = CliRunner().invoke(main, ["due", "--store", str(FORECASTS), "--as-of", "2026-11-30"]).output
    assert due.splitlines()[-1] == f"{counts['overdue']} overdue, as of 2026-11-30"
    assert article.count(">overdue</td>") == counts["overdue"]


def _notebooks_with(tmp_path, name, source):
    """A copy of the notebooks with one more cell at the end of ``name``."""
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder, len(nb.cells)


@pytest.mark.parametrize(("source", "message"), [
    ("import warnings\nwarnings.warn('the data look odd')", "stderr: "),
    ("1 / 0", "ZeroDivisionError: division by zero"),
])
def test_a_notebook_that_warns_or_fails_fails_the_report_and_writes_nothing(article_store, tmp_path, source, message):
    notebooks, cell = _notebooks_with(tmp_path, "article", source)
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "--store", str(article_store), "--as-of", "2026-11-30", "--out",
                                       str(out), "--notebooks", str(notebooks), "--no-demo"])
    assert result.exit_code == 1
    assert "Error: the report was not written: article.ipynb" in result.output
    assert f"cell {cell}: " in result.output and message in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_record_text_that_looks_like_math_stays_text(article_store, tmp_path):
    """A categorical outcome named like TeX used to put a matplotlib traceback on the page."""
    weird = "$\\notacommand{x}$"
    path = article_store / "us-china-tech-pause-2026" / "trump-first-china-visit-timing-2026.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("not-in-2026]", f"'{weird}']"), encoding="utf-8")
    cond = article_store / "us-china-tech-pause-2026" / "visit-talks-fail.yaml"
    cond.write_text(cond.read_text(encoding="utf-8") + f"condition: {{question: trump-first-china-visit-timing-2026, "
                    f"outcome: '{weird}'}}\n", encoding="utf-8")
    assert not forecastbook.load_store(article_store).errors
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "--store", str(article_store), "--as-of", "2026-11-30", "--out",
                                       str(out), "--no-demo"])
    assert result.exit_code == 0, result.output
    page = (out / "article.html").read_text(encoding="utf-8")
    assert "\\notacommand{x}" in page and "ParseException" not in page and "Traceback" not in page


def test_stored_notebook_outputs_carry_no_warning_or_error():
    from forecastbook.report import output_problems

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert output_problems(nbformat.read(path, as_version=4)) == [], path.name


def test_notebooks_judge_by_today_unless_a_date_is_fixed(monkeypatch):
    from forecastbook.queries import AS_OF_ENV, resolve_as_of

    monkeypatch.delenv(AS_OF_ENV, raising=False)
    assert resolve_as_of() == dt.datetime.now(dt.timezone.utc).date()
    monkeypatch.setenv(AS_OF_ENV, "2026-01-31")
    assert resolve_as_of() == dt.date(2026, 1, 31)
    assert resolve_as_of("2026-11-30") == dt.date(2026, 11, 30)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        params = next(c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
        assert "as_of = None" in params.source, path.name


def test_every_figure_of_a_notebook_is_in_its_html(tmp_path):
    from forecastbook.report import execute, to_html

    for name in ("scoreboard", "calibration"):
        nb = execute(ROOT / "notebooks" / f"{name}.ipynb", {"store": str(SIMULATED), "as_of": "2026-01-31", "seed": 0})
        figures = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
        html = to_html(nb)
        assert figures >= 2
        assert len(re.findall(r'src="data:image/png;base64,', html)) == figures
        assert "SIMULATED DATA" in html
    from forecastbook.report import summary_text

    assert summary_text(forecastbook.load_store(SIMULATED), as_of=dt.date(2026, 1, 31)).startswith(
        "SIMULATED DATA")


def test_notebooks_carry_outputs_and_parameters():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        tags = [c.get("metadata", {}).get("tags", []) for c in nb.cells]
        assert ["parameters"] in tags, path.name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), path.name
        source = "\n".join(c.source for c in nb.cells)
        assert "now()" not in source and "today()" not in source
