"""The first commands: list, show, schema, and the store option."""

import json
import subprocess
import sys

from click.testing import CliRunner

from forecastbook.cli import main
from conftest import FORECASTS


def run(*args, env=None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    return result


def test_list_overdue_as_of_a_date():
    result = run("list", "--store", str(FORECASTS), "--as-of", "2026-11-27", "--status", "overdue", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [
        "no-china-mobile-unicom-us-order-by-2026-04-30",
        "no-chinese-electric-truck-bus-ban-by-2026-04-30",
        "no-tp-link-router-ban-by-2026-04-30",
        "reuters-pause-confirmed",
        "trump-visits-china-april-2026",
        "trump-visits-china-first-week-april-2026",
        "visit-talks-fail",
    ]
    assert {r["status"] for r in rows} == {"overdue"}


def test_list_filters_combine_and_csv_has_a_header():
    result = run("list", "--store", str(FORECASTS), "--as-of", "2026-11-27", "--forecaster", "moyunlanting",
                 "--tag", "re-tightening", "--format", "csv")
    lines = result.output.splitlines()
    assert lines[0] == "id,kind,status,closes,resolve_by,n_forecasts,latest,condition,title"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "retighten-by-2026-12-31-if-talks-fail", "retighten-by-2026-12-31-if-talks-succeed"]
    assert "visit-talks-fail = yes" in lines[1]


def test_store_from_the_environment(tmp_path):
    result = run("list", "--as-of", "2026-11-27", env={"FORECASTBOOK_STORE": str(FORECASTS)})
    assert result.exit_code == 0
    assert result.output.rstrip().endswith("14 of 14 questions (as of 2026-11-27)")


def test_show_prints_words_forecasts_and_tree():
    result = run("show", "--store", str(FORECASTS), "--as-of", "2026-11-27", "retighten-by-2026-12-31-if-talks-succeed")
    assert result.exit_code == 0
    out = result.output
    assert "「这次的松口" in out
    assert "2026-02-13T11:51:37+08:00  moyunlanting: 0.5  [可能]" in out
    assert "visit-talks-fail\n  └─ if yes: escalate-beyond" in out
    assert "└─ if no: retighten-by-2026-12-31-if-talks-succeed   <- this question" in out


def test_show_unknown_id_is_an_error_not_a_traceback():
    result = run("show", "--store", str(FORECASTS), "no-such-id")
    assert result.exit_code == 1
    assert result.output == f"Error: no question with id 'no-such-id' in {FORECASTS}\n"


def test_missing_store_is_a_clear_error(tmp_path):
    result = run("validate", "--store", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'nowhere'}:1:1: error: (store): no such folder" in result.output


def test_schema_is_json_schema():
    result = run("schema", "question")
    schema = json.loads(result.output)
    assert schema["title"] == "Question"
    assert "$schema" in schema


def test_commands_that_do_not_plot_import_neither_pandas_nor_matplotlib():
    code = ("import sys; from forecastbook.cli import main\n"
            "for args in (['validate', '--store', %r], ['list', '--store', %r], ['show', '--store', %r, 'visit-talks-fail']):\n"
            "    try: main(args)\n"
            "    except SystemExit: pass\n"
            "print(sorted(m for m in ('pandas', 'matplotlib', 'scipy') if m in sys.modules))") % ((str(FORECASTS),) * 3)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "forecastbook", "validate", "--store", str(FORECASTS)],
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert "0 error(s)" in out.stdout


def test_importing_the_package_and_the_cli_loads_no_records_or_yaml():
    code = ("import sys, forecastbook, forecastbook.cli\n"
            "print(sorted(m for m in ('pydantic', 'yaml', 'pandas', 'forecastbook.records', 'forecastbook.store')"
            " if m in sys.modules))\n"
            "print(forecastbook.Question.__name__, forecastbook.load_store.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "Question forecastbook.store"]


def test_the_cli_names_the_store_variable_as_the_store_does():
    from forecastbook import cli, store

    assert cli.STORE_ENV == store.STORE_ENV
