"""Forecast hubs: the legacy COVID-19 hub CSV and hubverse model output as numeric
questions with quantile forecasts; location codes keep their zeros; bad rows refused."""

import datetime as dt
import re

import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.importers import hubs
from forecastbook.importers.common import report
from conftest import shared_path


def sample(name):
    return shared_path("refdata", "interop", "forecast-hubs", name)


LEGACY = "covid19-forecast-hub_legacy_2020-05-04-COVIDhub-ensemble_HEAD.csv"
FLUSIGHT = "FluSight-forecast-hub_hubverse_2024-11-23-FluSight-baseline_HEAD.csv"
EXAMPLE = "hubverse-example-simple-forecast-hub_2022-11-28-UMass-ar_HEAD.csv"


def test_legacy_hub_quantiles():
    bundle = hubs.parse(sample(LEGACY), model="COVIDhub-ensemble")
    assert report(bundle) == ("read: 27 rows\nwrote: 1 questions, 1 forecasts, 1 forecasters, 1 sources\n"
                              "left out: 4 point rows (only quantiles are imported)")
    store = hubs.read(sample(LEGACY), model="COVIDhub-ensemble")
    [q] = store.questions.values()
    assert q.kind == "numeric" and q.title == "1 wk ahead cum death, location 01, 2020-05-09"
    [f] = q.forecasts
    assert len(f.quantiles) == 23 and f.quantiles[0.01] == 315.508439480061 and f.quantiles[0.5] == 350.652524853181
    assert list(f.quantiles) == sorted(f.quantiles)  # the file's rows are not sorted
    assert f.at == dt.datetime(2020, 5, 4, tzinfo=dt.timezone.utc) and q.resolve_by == dt.date(2020, 5, 9)
    assert store.forecasters[f.by].name == "COVIDhub-ensemble"


def test_hubverse_files():
    flu = hubs.read(sample(FLUSIGHT), model="FluSight-baseline")
    [q] = flu.questions.values()
    assert "location-01" in q.tags and q.title == "wk inc flu hosp, location 01, 2024-11-16"
    assert q.forecasts[0].quantiles[0.025] == 44.0
    bundle = hubs.parse(sample(EXAMPLE), model="UMass-ar")
    assert dict(bundle.left_out) == {"median rows (only quantiles are imported)": 1}
    [(_, q)] = bundle.questions.values()
    # no target_end_date in the example hub: the target date is the origin date and horizon
    assert q.title == "inc covid hosp, location 20, origin 2022-12-05 horizon -6"


def test_model_from_the_file_name_and_cli(tmp_path):
    assert hubs.model_from_name("2020-05-04-COVIDhub-ensemble.csv") == "COVIDhub-ensemble"
    result = CliRunner().invoke(main, ["import", "hub", str(sample(LEGACY)), "--model", "COVIDhub-ensemble",
                                       "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert not forecastbook.load_store(tmp_path / "s").errors


HEAD = "forecast_date,target,target_end_date,location,type,quantile,value\n"


@pytest.mark.parametrize("rows, message", [
    ("2020-05-04,t,2020-05-09,01,quantile,1.3,5\n", r"f.csv:2: quantile: a quantile level is strictly between 0 and 1"),
    ("2020-05-04,t,2020-05-09,01,quantile,0.5,NaN\n", r"f.csv:2: value: expected a finite number, got 'NaN'"),
    ("2020-05-04,t,2020-05-09,01,quantile,0.1,9\n2020-05-04,t,2020-05-09,01,quantile,0.9,2\n",
     r"f.csv:2: value: .*out of order"),
    ("2020-05-04,t,05/09/2020,01,quantile,0.5,1\n", r"f.csv:2: target_end_date: expected a date YYYY-MM-DD"),
])
def test_bad_rows(tmp_path, rows, message):
    path = tmp_path / "f.csv"
    path.write_text(HEAD + rows)
    result = CliRunner().invoke(main, ["import", "hub", str(path), "--model", "m", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(message, result.output), result.output
    assert not (tmp_path / "o").exists()


def test_unknown_columns(tmp_path):
    path = tmp_path / "2020-05-04-m.csv"
    path.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(main, ["import", "hub", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "header: neither the legacy hub columns" in result.output
