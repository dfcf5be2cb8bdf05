"""The development set of capture (tests/capture_dev): labels are exact substrings, and the
recall and precision the README reports are what the extractor gives today."""

from pathlib import Path

import pytest
import yaml

from forecastbook.capture._measure import Counts, counts, label_spans

DEV = Path(__file__).resolve().parent / "capture_dev"
RECORDS = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(DEV.glob("*.yaml"))}


def test_the_set_has_three_excerpts_per_language_and_split():
    keys = sorted((r["language"], r["split"]) for r in RECORDS.values())
    assert keys == [("en", "held-out")] * 3 + [("en", "tune")] * 3 + [("zh", "held-out")] * 3 + [("zh", "tune")] * 3
    for name, r in RECORDS.items():
        assert r["url"].startswith("http") and r["published"], name
        assert len(label_spans(r["text"], r["labels"])) == len(r["labels"]), name


@pytest.mark.parametrize("lang, split, expected", [
    ("zh", "tune", Counts(labels=20, found=20, candidates=19, matching=16)),
    ("zh", "held-out", Counts(labels=18, found=15, candidates=16, matching=15)),
    ("en", "tune", Counts(labels=18, found=17, candidates=19, matching=17)),
    ("en", "held-out", Counts(labels=12, found=9, candidates=14, matching=9)),
])
def test_recall_and_precision(lang, split, expected):
    total = Counts(0, 0, 0, 0)
    for r in RECORDS.values():
        if (r["language"], r["split"]) == (lang, split):
            total = total + counts(r["text"], r["labels"], lang=lang)
    assert total == expected
