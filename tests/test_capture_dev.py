"""The development set of capture (tests/capture_dev): labels are exact substrings, and the
recall and precision the README reports are what the extractor gives today.

Each (language, split) found in the set has its counts frozen here: ``tune`` holds the
excerpts the rules were tuned on, ``held-out-2`` and ``held-out-3`` the excerpts labelled
apart and not looked at while tuning (measured once, then frozen like the others). Each
excerpt is read as written on the day of its ``published`` field (or in its year)."""

from pathlib import Path

import pytest
import yaml

from forecastbook.capture._measure import Counts, counts, label_spans, written_in, written_on

DEV = Path(__file__).resolve().parent / "capture_dev"
RECORDS = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(DEV.glob("*.yaml"))}
SPLITS = ("tune", "held-out-2", "held-out-3")

EXPECTED = {
    ("zh", "tune"): Counts(labels=38, found=37, candidates=35, matching=33),
    ("en", "tune"): Counts(labels=62, found=60, candidates=65, matching=54),
    ("zh", "held-out-2"): Counts(labels=27, found=25, candidates=24, matching=16),
    ("en", "held-out-3"): Counts(labels=40, found=35, candidates=30, matching=29),
}


def test_each_excerpt_is_well_formed():
    for name, r in RECORDS.items():
        assert r["split"] in SPLITS and r["language"] in ("zh", "en"), name
        assert r["url"].startswith("http") and 1990 <= written_in(r["published"]) <= 2100, name
        assert len(label_spans(r["text"], r["labels"])) == len(r["labels"]), name


def test_the_tuning_set_has_nine_english_and_six_chinese_excerpts():
    tune = sorted(r["language"] for r in RECORDS.values() if r["split"] == "tune")
    assert tune == ["en"] * 9 + ["zh"] * 6


def test_every_language_and_split_in_the_set_has_frozen_counts():
    assert {(r["language"], r["split"]) for r in RECORDS.values()} == set(EXPECTED)


@pytest.mark.parametrize("lang, split", sorted(EXPECTED))
def test_recall_and_precision(lang, split):
    total = Counts(0, 0, 0, 0)
    for r in RECORDS.values():
        if (r["language"], r["split"]) == (lang, split):
            total = total + counts(r["text"], r["labels"], lang=lang, year=written_on(r["published"]))
    assert total == EXPECTED[lang, split]
