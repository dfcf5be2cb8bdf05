"""Legacy Metaculus formats: api2 JSON (float resolutions) and the data-download CSV pair
(with its short rows)."""

import datetime as dt

import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.evaluate import binary_scores
from forecastbook.importers import metaculus
from forecastbook.importers.common import ImportFailed, as_store, report
from conftest import shared_path

UTC = dt.timezone.utc


def sample(*parts):
    return shared_path("refdata", "interop", "metaculus", *parts)


API2 = ("api2-legacy", "api2-question-25769_binary-open.json")


def test_api2_open_binary():
    bundle = metaculus.parse_api2(sample(*API2))
    assert report(bundle) == "read: 1 questions\nwrote: 1 questions, 27 forecasts, 1 forecasters, 1 sources\nleft out: nothing"
    [q] = as_store(bundle).questions.values()
    # the first of my_predictions: t 1719889646.530353, x 0.5
    assert (q.forecasts[0].at, q.forecasts[0].probability) == (dt.datetime(2024, 7, 2, 3, 7, 26, 530353, tzinfo=UTC), 0.5)
    assert q.status == "open" and q.closes == dt.date(2024, 7, 8)


@pytest.mark.parametrize("value, status, outcome", [(1.0, "resolved", True), (0.0, "resolved", False),
                                                     (-1.0, "ambiguous", None), (-2.0, "annulled", None)])
def test_api2_float_resolutions(value, status, outcome):
    import json

    data = json.loads(sample(*API2).read_text())
    data["resolution"] = value
    [(_, q)] = metaculus.parse_api2(data).questions.values()
    assert q.status == status and q.outcome_value() == outcome
    if status == "resolved":
        # scores: the caller's last forecast before close on 2024-07-08
        store = as_store(metaculus.parse_api2(data))
        assert len(binary_scores(store, as_of="2025-01-01")) == 1
    data["resolution"] = 0.4
    with pytest.raises(ImportFailed, match=r"question 25769.resolution: expected 1, 0, -1 or -2, got 0.4"):
        metaculus.parse_api2(data)


def test_data_download_pairs():
    binary = metaculus.parse_download(sample("data-download-csv", "binary-40348", "question_data.csv"),
                                      sample("data-download-csv", "binary-40348", "forecast_data.csv"))
    # 67 aggregate rows, each 18 fields under the 19-column header
    assert report(binary) == ("read: 67 forecast rows, 1 question rows\nwrote: 1 questions, 67 forecasts, 1 forecasters, "
                              "1 sources\nleft out: nothing")
    [(_, q)] = binary.questions.values()
    assert q.id == "metaculus-40730-40348" and q.forecasts[0].probability == 0.69
    assert q.forecasts[-1].probability == 0.75
    numeric = metaculus.parse_download(sample("data-download-csv", "numeric-41422-trimmed", "question_data.csv"),
                                       sample("data-download-csv", "numeric-41422-trimmed", "forecast_data.csv"))
    [(_, n)] = numeric.questions.values()
    assert (n.lower, n.upper, len(n.forecasts)) == (4.0, 9.0, 3)
    assert n.forecasts[0].quantiles == {0.05: 4.431749270307766, 0.25: 5.328222442284139, 0.5: 5.844970671869563,
                                        0.75: 6.337684685310446, 0.95: 7.16072684466281}


def test_cli_legacy_commands(tmp_path):
    result = CliRunner().invoke(main, ["import", "metaculus-api2", str(sample(*API2)), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0 and not forecastbook.load_store(tmp_path / "a").errors
    d = sample("data-download-csv", "binary-40348")
    result = CliRunner().invoke(main, ["import", "metaculus-download", str(d / "question_data.csv"),
                                       str(d / "forecast_data.csv"), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0 and not forecastbook.load_store(tmp_path / "b").errors
    bad = tmp_path / "f.csv"
    bad.write_text((d / "forecast_data.csv").read_text().replace(",0.69,", ",1.3,", 1))
    result = CliRunner().invoke(main, ["import", "metaculus-download", str(d / "question_data.csv"), str(bad),
                                       "--out", str(tmp_path / "c")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:2: Probability Yes: must be between 0 and 1, got 1.3" in result.output
    assert not (tmp_path / "c").exists()
