"""Manifold API JSON: binary and multi-answer markets, bets as forecasts, what is left out,
and every shared sample imported or refused with its reason."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.evaluate import binary_scores
from forecastbook.importers import manifold
from forecastbook.importers.common import ImportFailed, report
from conftest import shared_path

UTC = dt.timezone.utc


def sample(*parts):
    return shared_path("refdata", "interop", "manifold", *parts)


BINARY = ("pymanifold-vcr-2022", "GET_v0_market_rIR6mWqaO9xKLifr6cLL__binary_resolved_YES.json")
BETS = ("pymanifold-vcr-2022", "GET_v0_bets_market-will-bitcoins-price-fall-below-25k.json")


def test_binary_market_with_its_bets():
    bundle = manifold.parse([sample(*BINARY)], [sample(*BETS)])
    # 45 bets from /v0/bets and the 49 embedded in the 2022 market: 45 of those are the same bets;
    # of the 45, 10 are sells; of the 4 embedded only, none has a user id
    assert report(bundle) == ("read: 94 bets, 1 markets\nwrote: 1 questions, 35 forecasts, 24 forecasters, 1 sources\n"
                              "left out: 45 bets given twice; 4 bets without a user id (2022 embedded bets); "
                              "10 sells (not forecasts)")
    store = manifold.read([sample(*BINARY)], [sample(*BETS)])
    [q] = store.questions.values()
    assert q.outcome_value() is True and q.created == dt.date(2022, 5, 10) and q.closes == dt.date(2022, 6, 15)
    # bet hqrtGRb9Pz95DNZt5IEL by Ben: createdTime 1655298929711 ms, probAfter 0.9911535861392651
    ben = [f for f in q.forecasts if f.at == dt.datetime(2022, 6, 15, 13, 15, 29, 711000, tzinfo=UTC)]
    assert [(f.by, f.probability) for f in ben] == [("manifold-user-hjuzah4ykjuimgps1ar5tnfwjtg2-a53a370f",
                                                     0.9911535861392651)]
    assert store.forecasters[ben[0].by].name == "Ben"
    assert q.resolution.evidence[0].url == "https://manifold.markets/bcongdon/will-bitcoins-price-fall-below-25k"
    scores = binary_scores(store, as_of="2026-01-01")
    assert len(scores) == 24 and set(scores["outcome"]) == {1.0}


@pytest.mark.parametrize("name, outcomes", [
    ("POST_resolve_YES__binary_l6jsJPhOWSztXtzqhpU7__response.json", [True]),
    ("POST_resolve_CANCEL__free_response_H8Dc6yCj4TkvJfoOitYr__response.json", ["annulled"] * 4),
    # MKT with weights {'1': 50, '3': 50} over answers 1, 2, 3
    ("POST_resolve_MKT__free_response_qjwjSMWj1s8Hr21hVbPC__response.json", [0.5, False, 0.5]),
    ("POST_resolve_MKT__multiple_choice_TEW8dlA3pxk3GalxeQkI__response.json", [0.5, False, 0.5]),
    ("POST_resolve_MKT__pseudo_numeric_MIVgHSvQ1s9MRGpm9QUb__response.json", []),
])
def test_resolve_responses(name, outcomes):
    store = manifold.read([sample("pymanifold-vcr-2022", name)])
    got = [q.status if q.status != "resolved" else q.outcome_value() for _, q in sorted(store.questions.items())]
    assert got == outcomes


def test_pseudo_numeric_is_left_out_with_its_reason():
    bundle = manifold.parse([sample("pymanifold-vcr-2022", "POST_resolve_MKT__pseudo_numeric_MIVgHSvQ1s9MRGpm9QUb__response.json")])
    assert dict(bundle.left_out) == {"PSEUDO_NUMERIC markets (not imported)": 1}


def test_2026_multi_answer_markets_by_answer_id():
    data = json.loads(sample("api-v0-2026-captured", "manifold_multi_outcome_2026_08_05_TRIMMED.json").read_text())
    bundle = manifold.parse([data["search_all"], data["detail_multiple_choice"], data["detail_multi_numeric"]])
    # search rows for multiple-choice markets carry no answers; the details carry 2 and 1 answers
    assert dict(bundle.left_out) == {"multiple-choice markets without answers (search rows: fetch the market)": 2}
    store = manifold.read([data["search_all"], data["detail_multiple_choice"], data["detail_multi_numeric"]])
    got = {q.title: q.status if q.status != "resolved" else q.outcome_value() for q in store.questions.values()}
    assert got == {
        "Will national gas prices in the US average above $3.60": "open",
        "Will US average gas price exceed $4/gallon in March 2026?": True,
        "How high will the US national average gas price get in 2026? [Over $4.00]": True,  # answer resolved YES
        "How high will the US national average gas price get in 2026? [Over $4.60]": "open",
        "What will the national average gas price be on September 1st? [$3.80 - $4.19]": "open",
    }


@pytest.mark.parametrize("parts, reason", [
    (("api-v0-2026-captured", "manifold_multi_outcome_2026_08_05_TRIMMED.json"),
     r"\(top\): not a Manifold market \(no 'id' and 'outcomeType'"),
    (("official-docs-examples", "GET_v0_market_example_FREE_RESPONSE_dpm2_resolved_MKT.json"),
     r"resolved MKT without weights per answer"),
    (("official-docs-examples", "GET_v0_bets_example.json"), r"\[0\]: not a Manifold market"),
])
def test_samples_refused_as_markets_with_a_reason(parts, reason):
    with pytest.raises(ImportFailed, match=reason):
        manifold.parse([sample(*parts)])


def test_bets_on_markets_not_given_and_limit_orders_are_counted():
    bundle = manifold.parse([sample(*BINARY)], [sample("pymanifold-vcr-2022", "GET_v0_bets_limit45_recent_all_users.json"),
                                                sample("official-docs-examples", "GET_v0_bets_example.json")])
    assert bundle.left_out["redemptions (automatic, not forecasts)"] == 6
    assert bundle.left_out["unfilled or cancelled limit orders"] == 1  # 4 more were partly filled, then cancelled
    assert bundle.left_out["sells (not forecasts)"] == 10 + 5  # 10 embedded in the market, 5 site-wide
    assert bundle.n_forecasts == 0


def test_cli_and_bad_json(tmp_path):
    result = CliRunner().invoke(main, ["import", "manifold", str(sample(*BINARY)), "--bets", str(sample(*BETS)),
                                       "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "wrote: 1 questions, 35 forecasts, 24 forecasters, 1 sources" in result.output
    assert not forecastbook.load_store(tmp_path / "s").errors
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x", "outcomeType": "BINARY", "createdTime": 1, "closeTime": 2, "question": "Q?"}]')
    bets = tmp_path / "bets.json"
    bets.write_text('[{"id": "b", "contractId": "x", "userId": "u", "outcome": "YES", "amount": 1, '
                    '"probAfter": 1.3, "createdTime": 5}]')
    result = CliRunner().invoke(main, ["import", "manifold", str(bad), "--bets", str(bets), "--out", str(tmp_path / "t")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bets}: bet 'b'.probAfter: must be between 0 and 1, got 1.3" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x",\n "outcomeType": }')
    result = CliRunner().invoke(main, ["import", "manifold", str(broken), "--out", str(tmp_path / "u")])
    assert result.exit_code == 1 and f"{broken}:2: (json): Expecting value" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "bets.json", "broken.json", "s"]
