"""Recall and precision of ``forecastbook capture`` on the labelled development set.

The set is ``tests/capture_dev/`` (see its README for the labelling rules). Prints the
counts per language and split (``tune``: the excerpts the rules were tuned on;
``held-out-2``, ``held-out-3``: excerpts not looked at while tuning); ``--split`` shows
one of them, ``--detail`` lists each label missed and each candidate that matched no
label. Each excerpt is read as written on the day of its ``published`` field (or in its
year, when the field gives only a year or a month).

Run: ``.venv/bin/python benchmarks/measure_capture.py [--split tune|held-out-2|held-out-3] [--detail]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from forecastbook.capture import find
from forecastbook.capture._measure import Counts, counts, label_spans, written_on

DEV = Path(__file__).resolve().parents[1] / "tests" / "capture_dev"
SPLITS = ("tune", "held-out-2", "held-out-3")


def load(split: str | None = None) -> list[tuple[str, dict]]:
    """(file name, record) of each excerpt, in name order, of one split or all."""
    out = []
    for path in sorted(DEV.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if split is None or record["split"] == split:
            out.append((path.name, record))
    return out


def detail(name: str, record: dict) -> None:
    text, spans = record["text"], label_spans(record["text"], record["labels"])
    cands = find(text, lang=record["language"], year=written_on(record["published"]))
    for s, e in spans:
        if not any(s < c.end and c.start < e for c in cands):
            print(f"  {name} missed: {text[s:e]}")
    for c in cands:
        if not any(s < c.end and c.start < e for s, e in spans):
            print(f"  {name} extra:  {c.quote}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--detail", action="store_true")
    args = parser.parse_args()
    totals: dict[tuple[str, str], Counts] = {}
    for name, record in load(args.split):
        key = (record["language"], record["split"])
        found = counts(record["text"], record["labels"], lang=record["language"], year=written_on(record["published"]))
        totals[key] = totals.get(key, Counts(0, 0, 0, 0)) + found
        if args.detail:
            detail(name, record)
    for (lang, split), c in sorted(totals.items()):
        print(f"{lang} {split:<10} labels {c.labels:>3}  found {c.found:>3}  recall {c.recall:.2f}   "
              f"candidates {c.candidates:>3}  matching {c.matching:>3}  precision {c.precision:.2f}")


if __name__ == "__main__":
    main()
