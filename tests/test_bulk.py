"""Bulk forecasts in Parquet files: the schema and its checks (each located at file, row
and column, all in one pass), hostile files, the same scores, coherence warnings and lints
as the same forecasts in YAML, edits that respect them, the importers' Parquet output, the
message without pyarrow, and no stale reads."""

import datetime as dt
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import forecastbook
from forecastbook import bulk, coherence, evaluate, files, frames
from forecastbook.bulk import _read
from forecastbook.exporters import fatebook
from forecastbook.importers import common
from forecastbook.importers.forecastbench import import_round
from conftest import ROOT, run_cli
import bulk_store

BASE = ROOT / "tests" / "broken" / "_base"
AT = dt.datetime(2026, 1, 2, 9, tzinfo=dt.timezone.utc)
QUESTIONS = {
    "will-it": "kind: binary",
    "which-one": "kind: categorical\noutcomes: [low, mid, high]",
    "how-many": "kind: numeric\nunit: units",
    "when-done": "kind: date",
}
NUMBERS = pa.map_(pa.float64(), pa.float64())
DATES = pa.map_(pa.float64(), pa.date32())
CHOICES = pa.map_(pa.string(), pa.float64())


@pytest.fixture
def store(tmp_path):
    """The base store (forecaster ana, one binary question) with a question of each kind
    and a forecaster m1."""
    root = tmp_path / "store"
    shutil.copytree(BASE, root)
    (root / "forecasters" / "m1.yaml").write_text("id: m1\nname: Model one\nkind: model\n")
    for qid, kind in QUESTIONS.items():
        (root / f"{qid}.yaml").write_text(textwrap.dedent(f"""\
            id: {qid}
            title: A question
            {{kind}}
            criteria: Resolves on the published figure for 2026.
            created: 2026-01-01
            closes: 2026-03-31
            resolve_by: 2026-04-30
            resolution_sources: [https://example.org/source]
            """).replace("{kind}", kind))
    return root


def write(root: Path, columns: dict, name: str = "forecasts.parquet", types: dict | None = None) -> Path:
    """A Parquet file of ``columns`` (lists), typed by ``types`` where given."""
    types = types or {}
    table = pa.table({k: pa.array(v, type=types.get(k)) for k, v in columns.items()})
    pq.write_table(table, root / name)
    return root / name


def problems(root: Path) -> list[str]:
    s = forecastbook.load_store(root, cache=False)
    return [str(p).replace(f"{root}/", "") for p in s.problems]


def row(**changes) -> dict:
    """One valid binary forecast as columns, with ``changes``."""
    columns = {"question": ["will-it"], "by": ["m1"], "at": [AT], "probability": [0.4]}
    columns.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    return {k: v for k, v in columns.items() if v != [...]}


# --- the checks, one kind of problem each ---------------------------------------------------

SLUG = "must be a lowercase slug (a-z, 0-9 and '-', starting with a letter or digit, at most 80 characters), got"
ROWS = [
    ("unknown question", row(question="no-such"), {},
     ["forecasts.parquet:1:1: error: question: no question with id 'no-such' in the store"]),
    ("missing question", row(question=[None]), {"question": pa.string()},
     ["forecasts.parquet:1:1: error: question: required value is missing"]),
    ("unknown forecaster", row(by="bob"), {},
     ["forecasts.parquet:1:2: error: by: no forecaster with id 'bob' under forecasters/ "
      "(add one: forecastbook forecaster add bob --name NAME)"]),
    ("forecaster not a slug", row(by="Bob Smith"), {}, [f"forecasts.parquet:1:2: error: by: {SLUG} 'Bob Smith'"]),
    ("probability above 1", row(probability=1.3), {},
     ["forecasts.parquet:1:4: error: probability: must be between 0 and 1, got 1.3"]),
    ("probability below 0", row(probability=-0.1), {},
     ["forecasts.parquet:1:4: error: probability: must be between 0 and 1, got -0.1"]),
    ("probability NaN", row(probability=float("nan")), {},
     ["forecasts.parquet:1:4: error: probability: must be between 0 and 1, got nan"]),
    ("probability infinite", row(probability=float("inf")), {},
     ["forecasts.parquet:1:4: error: probability: must be between 0 and 1, got inf"]),
    ("binary without probability", row(probability=[None]), {"probability": pa.float64()},
     ["forecasts.parquet:1:4: error: probability: a binary question's forecast needs 'probability'"]),
    ("probability on a categorical question", row(question="which-one"), {},
     ["forecasts.parquet:1:4: error: probability: not used by a categorical question; use 'probabilities'"]),
    ("probabilities on a binary question", row(probability=[...], probabilities=[[("yes", 1.0)]]),
     {"probabilities": CHOICES},
     ["forecasts.parquet:1:4: error: probabilities: not used by a binary question; use 'probability'"]),
    ("categorical not summing to 1", row(question="which-one", probability=[...],
                                         probabilities=[[("low", 0.2), ("mid", 0.2), ("high", 0.2)]]),
     {"probabilities": CHOICES}, ["forecasts.parquet:1:4: error: probabilities: must sum to 1, got 0.6"]),
    ("categorical unknown outcome", row(question="which-one", probability=[...],
                                        probabilities=[[("low", 0.5), ("mid", 0.3), ("huge", 0.2)]]),
     {"probabilities": CHOICES},
     ["forecasts.parquet:1:4: error: probabilities.huge: 'huge' is not one of the outcomes ['low', 'mid', 'high']"]),
    ("categorical missing outcome", row(question="which-one", probability=[...],
                                        probabilities=[[("low", 0.5), ("low", 0.25), ("high", 0.25)]]),
     {"probabilities": CHOICES},
     ["forecasts.parquet:1:4: error: probabilities.low: duplicate key: given twice in this forecast",
      "forecasts.parquet:1:4: error: probabilities: missing outcomes: mid"]),
    ("categorical value out of range", row(question="which-one", probability=[...],
                                           probabilities=[[("low", 1.5), ("mid", -0.5), ("high", 0.0)]]),
     {"probabilities": CHOICES}, ["forecasts.parquet:1:4: error: probabilities.low: must be between 0 and 1, got 1.5"]),
    ("quantiles out of order", row(question="how-many", probability=[...], quantiles=[[(0.1, 5), (0.9, 4), (0.5, 9)]]),
     {"quantiles": NUMBERS},
     ["forecasts.parquet:1:4: error: quantiles: out of order: the 0.9 quantile (4.0) is below the 0.5 quantile (9.0)"]),
    ("quantile level outside (0, 1)", row(question="how-many", probability=[...], quantiles=[[(0.5, 1), (1.5, 2)]]),
     {"quantiles": NUMBERS},
     ["forecasts.parquet:1:4: error: quantiles: levels must be strictly between 0 and 1, got 1.5"]),
    ("no quantile", row(question="how-many", probability=[...], quantiles=[[]]), {"quantiles": NUMBERS},
     ["forecasts.parquet:1:4: error: quantiles: must hold at least one quantile"]),
    ("infinite quantile", row(question="how-many", probability=[...], quantiles=[[(0.5, float("inf"))]]),
     {"quantiles": NUMBERS},
     ["forecasts.parquet:1:4: error: quantiles: the 0.5 quantile must be a finite number, got inf"]),
    ("number quantiles on a date question", row(question="when-done", probability=[...], quantiles=[[(0.5, 3.0)]]),
     {"quantiles": NUMBERS},
     ["forecasts.parquet:1:4: error: quantiles: a date question's quantiles must be dates"]),
    ("date quantiles on a numeric question",
     row(question="how-many", probability=[...], quantiles=[[(0.5, dt.date(2026, 5, 1))]]), {"quantiles": DATES},
     ["forecasts.parquet:1:4: error: quantiles: a numeric question's quantiles must be numbers"]),
    ("before the question was created", row(at=dt.datetime(2025, 12, 31, 23, tzinfo=dt.timezone.utc)), {},
     ["forecasts.parquet:1:3: warning: at: made before the question was created on 2026-01-01"]),
    ("after the question closed", row(at=dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)), {},
     ["forecasts.parquet:1:3: warning: at: made after the question closed on 2026-03-31; it will not be scored"]),
    ("in the future", row(at=dt.datetime(2999, 1, 2, 9, tzinfo=dt.timezone.utc)), {},
     ["forecasts.parquet:1:3: error: at: 2999-01-02T09:00:00+00:00 is in the future",
      "forecasts.parquet:1:3: warning: at: made after the question closed on 2026-03-31; it will not be scored"]),
    ("after 2999", row(at=[32503680000]), {"at": pa.timestamp("s", tz="UTC")},
     ["forecasts.parquet:1:3: error: at: must be between 1900-01-01 and 2999-12-31"]),
    ("derived without verbal", row(derived="read at the band's midpoint"), {},
     ["forecasts.parquet:1:5: error: derived: says how words were read, but 'verbal' (the words) is missing"]),
    ("the same forecast twice", {k: v * 2 for k, v in row().items()}, {},
     ["forecasts.parquet:2:3: error: at: the same question, forecaster and time as row 1"]),
    ("a forecast of a record again",
     row(question="condition-target", by="ana", probability=0.6), {},
     ["forecasts.parquet:1:3: error: at: the same question, forecaster and time as forecasts[0] in the record "
      "of 'condition-target'"]),
]


@pytest.mark.parametrize(("columns", "types", "expected"), [c[1:] for c in ROWS], ids=[c[0] for c in ROWS])
def test_each_bad_row_is_located_by_file_row_and_column(store, columns, types, expected):
    write(store, columns, types=types)
    assert problems(store) == expected
    loaded = forecastbook.load_store(store, cache=False)
    with_errors = {e.split(":")[1] for e in expected if ": error: " in e}
    kept = len(columns["question"]) - len(with_errors)
    assert (len(loaded.bulk) if loaded.bulk is not None else 0) == kept  # a row with an error is left out


def test_a_valid_file_of_every_kind_reads_whole(store):
    columns = {
        "question": ["will-it", "which-one", "how-many", "will-it"],
        "by": ["m1", "m1", "m1", "ana"],
        "at": [AT, AT, AT, AT + dt.timedelta(hours=1)],
        "probability": [0.4, None, None, 0.7],
        "probabilities": [None, [("low", 0.2), ("mid", 0.3), ("high", 0.5)], None, None],
        "quantiles": [None, None, [(0.9, 14.0), (0.1, 5.0), (0.5, 9.0)], None],
        "verbal": [None, None, None, "likely"],
        "rationale": ["a reason", None, None, None],
    }
    write(store, columns, types={"probabilities": CHOICES, "quantiles": NUMBERS})
    write(store, {"question": ["when-done"], "by": ["m1"], "at": [AT], "quantiles": [[(0.5, dt.date(2026, 5, 1))]]},
          name="dates.forecasts.parquet", types={"quantiles": DATES})
    s = forecastbook.load_store(store, cache=False)
    assert s.problems == [] and len(s.bulk) == 5
    q = s.questions["how-many"]
    [f] = bulk.forecasts_of(s, q)
    assert f.quantiles == {0.1: 5.0, 0.5: 9.0, 0.9: 14.0} and f.at == AT  # by level, as a record holds them
    assert [f.quantiles for f in bulk.forecasts_of(s, s.questions["when-done"])] == [{0.5: dt.date(2026, 5, 1)}]
    will = bulk.forecasts_of(s, s.questions["will-it"])
    assert [(f.by, f.probability, f.verbal, f.rationale) for f in will] == [
        ("m1", 0.4, None, "a reason"), ("ana", 0.7, "likely", None)]
    ff = frames.forecasts_frame(s)
    assert list(ff["question_id"]) == ["condition-target", "how-many", "when-done", "which-one", "will-it", "will-it"]
    assert ff.loc[3, "probabilities"] == {"low": 0.2, "mid": 0.3, "high": 0.5}


@pytest.mark.parametrize(("columns", "types", "expected"), [
    ({"question": ["will-it"], "by": ["m1"], "probability": [0.4]}, {},
     "forecasts.parquet:1:1: error: at: required column is missing"),
    ({**row(), "confidence": ["high"]}, {},
     "forecasts.parquet:1:5: error: confidence: unknown column (the columns are question, by, at, probability, "
     "probabilities, quantiles, verbal, derived, rationale)"),
    (row(probability="0.4"), {}, "forecasts.parquet:1:4: error: probability: must be float64, got string"),
    (row(at=dt.datetime(2026, 1, 2, 9)), {},
     "forecasts.parquet:1:3: error: at: must be a timestamp with a time zone (UTC), e.g. timestamp[us, tz=UTC], got "
     "timestamp[us] without a time zone (write it with tz='UTC')"),
    (row(question=1), {}, "forecasts.parquet:1:1: error: question: must be string, got int64"),
    (row(probability=[...], probabilities=[[0.2, 0.8]]), {},
     "forecasts.parquet:1:4: error: probabilities: must be map<string, float64>, got list<element: double>"),
], ids=["missing column", "unknown column", "text probability", "time without a zone", "numeric id",
        "probabilities as a list"])
def test_a_file_with_wrong_columns_is_one_located_problem(store, columns, types, expected):
    write(store, columns, types=types)
    assert problems(store) == [expected]


def test_a_column_given_twice(store):
    table = pa.Table.from_arrays([pa.array(["will-it"]), pa.array(["m1"]), pa.array([AT]), pa.array(["m1"])],
                                 names=["question", "by", "at", "by"])
    pq.write_table(table, store / "forecasts.parquet")
    assert problems(store) == ["forecasts.parquet:1:4: error: by: the column is given twice"]


def test_every_problem_in_one_pass_with_twenty_of_a_kind_then_a_count(store, monkeypatch):
    rows = {"question": ["will-it"] * 25 + ["nope", "will-it"], "by": ["m1"] * 25 + ["m1", "bob"],
            "at": [AT + dt.timedelta(minutes=k) for k in range(27)], "probability": [1.3] * 25 + [0.5, 0.5]}
    write(store, rows)
    write(store, {**row(), "probability": [float("nan")]}, name="b.forecasts.parquet")
    (store / "bad.yaml").write_text((BASE / "condition-target.yaml").read_text().replace("0.6", "1.6")
                                    .replace("condition-target", "bad"))
    monkeypatch.chdir(store)
    result = run_cli("validate", "--store", ".")
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert lines == [
        "b.forecasts.parquet:1:4: error: probability: must be between 0 and 1, got nan",
        "bad.yaml:11:16: error: forecasts[0].probability: must be between 0 and 1, got 1.6",
        *[f"forecasts.parquet:{k}:4: error: probability: must be between 0 and 1, got 1.3" for k in range(1, 21)],
        "forecasts.parquet:21:4: error: probability: and 5 more rows with this problem (the first 20 are listed)",
        "forecasts.parquet:26:1: error: question: no question with id 'nope' in the store",
        "forecasts.parquet:27:2: error: by: no forecaster with id 'bob' under forecasters/ "
        "(add one: forecastbook forecaster add bob --name NAME)",
    ]
    assert result.stderr.strip().endswith(": 25 error(s), 0 warning(s)")  # the problems listed


def test_the_same_forecast_in_two_files_is_reported_at_the_second(store):
    write(store, row(), name="a.forecasts.parquet")
    write(store, row(), name="b.forecasts.parquet")
    assert problems(store) == [
        "b.forecasts.parquet:1:3: error: at: the same question, forecaster and time as row 1 of a.forecasts.parquet"]


# --- hostile files ------------------------------------------------------------------------------

def _parquet_bytes(n: int = 3) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({**{k: v * n for k, v in row().items()},
                             "at": [AT + dt.timedelta(minutes=k) for k in range(n)]}), buffer)
    return buffer.getvalue()


def _declaring(raw: bytes, rows: int) -> bytes:
    """``raw`` with its footer declaring ``rows`` rows (the row groups unchanged): the
    file's num_rows is thrift field 3 (an i64, varint of its zigzag), after the schema."""
    n = struct.unpack("<I", raw[-8:-4])[0]
    footer = raw[-8 - n:-8]
    at = footer.index(b"\x16" + bytes([2 * 3]))
    value, varint = 2 * rows, b""
    while True:
        byte, value = value & 0x7F, value >> 7
        varint += bytes([byte | (0x80 if value else 0)])
        if not value:
            break
    footer = footer[:at + 1] + varint + footer[at + 2:]
    out = raw[:-8 - n] + footer + struct.pack("<I", len(footer)) + b"PAR1"
    assert pq.ParquetFile(io.BytesIO(out)).metadata.num_rows == rows
    return out


NOT_PARQUET = ("forecasts.parquet:1:1: error: (file): not a Parquet file: a Parquet file starts and ends with the "
               "bytes PAR1 (truncated, or another format)")
HOSTILE = [
    ("YAML named forecasts.parquet", lambda raw: b"question: will-it\n", NOT_PARQUET),
    ("empty", lambda raw: b"", NOT_PARQUET),
    ("truncated", lambda raw: raw[: len(raw) // 2], NOT_PARQUET),
    ("encrypted", lambda raw: raw[:-4] + b"PARE",
     "forecasts.parquet:1:1: error: (file): not a Parquet file: encrypted Parquet is not read"),
    ("cut out of the middle", lambda raw: raw[:40] + raw[-30:], None),
    ("a quadrillion rows declared", lambda raw: _declaring(raw, 10**15),
     "forecasts.parquet:1:1: error: (file): declares 1000000000000000 rows, over the 10,000,000 a forecasts file may "
     "have: not read (split it)"),
    ("more rows declared than its row groups hold", lambda raw: _declaring(raw, 5),
     "forecasts.parquet:1:1: error: (file): declares 5 rows but its row groups hold 3: not read"),
]


@pytest.mark.parametrize(("damage", "expected"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_one_problem_never_a_traceback(store, damage, expected):
    (store / "forecasts.parquet").write_bytes(damage(_parquet_bytes()))
    found = problems(store)
    assert len(found) == 1
    if expected is None:
        assert found[0].startswith("forecasts.parquet:1:1: error: (file): cannot be read as Parquet: ")
        assert len(found[0]) < 300
    else:
        assert found == [expected]
    result = run_cli("validate", "--store", store)
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_links_fifos_and_oversized_files_are_not_opened(store, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere.parquet"
    elsewhere.write_bytes(_parquet_bytes())
    (store / "forecasts.parquet").symlink_to(elsewhere)
    os.mkfifo(store / "pipe.forecasts.parquet")
    (store / "big.forecasts.parquet").write_bytes(_parquet_bytes())
    monkeypatch.setattr(_read, "MAX_BYTES", 100)
    assert problems(store) == [
        f"big.forecasts.parquet:1:1: error: (file): is {len(_parquet_bytes())} bytes, over the 1 GiB a forecasts file "
        "may have: not read",
        "forecasts.parquet:1:1: error: (file): is a symbolic link: forecast files are regular files (links are not read)",
        "pipe.forecasts.parquet:1:1: error: (file): is not a regular file (a FIFO, device or socket): not read",
    ]


def test_without_pyarrow_a_store_with_parquet_says_what_to_install(store, monkeypatch):
    write(store, row())
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert problems(store) == ["forecasts.parquet:1:1: error: (file): reading forecasts from Parquet needs pyarrow: "
                               "pip install 'forecastbook[parquet]'"]


def test_other_parquet_names_are_not_read_and_said_so(store):
    write(store, row(), name="model-run.parquet")
    assert problems(store) == ["model-run.parquet:1:1: warning: (file): not a record (only .yaml files are): ignored"]


def test_a_file_changed_between_loads_is_read_again(store):
    path = write(store, row(probability=0.4))
    first = forecastbook.load_store(store, cache=True)
    stat = path.stat()
    write(store, row(probability=0.9))  # the same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time
    again = forecastbook.load_store(store, cache=True)
    assert first.bulk.probability.tolist() == [0.4] and again.bulk.probability.tolist() == [0.9]
    assert path.stat().st_size == stat.st_size
    assert path.name.encode() not in (store / ".cache" / "forecastbook.sqlite").read_bytes()  # never cached


def test_importing_forecastbook_or_asking_for_help_loads_neither_pyarrow_nor_pandas(store):
    write(store, row())
    code = ("import sys, forecastbook; from forecastbook.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pyarrow', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip().splitlines()[-1] == "[]"


# --- the same forecasts in YAML and in Parquet score the same -------------------------------------

AS_OF = "2025-12-31"
TABLES = {
    "questions_frame": lambda s: frames.questions_frame(s, as_of=AS_OF).drop(columns="path"),
    "forecasts_frame": lambda s: frames.forecasts_frame(s),
    "forecasts_frame as of": lambda s: frames.forecasts_frame(s, as_of="2025-02-10"),
    "binary_forecasts": lambda s: frames.binary_forecasts(s, as_of=AS_OF),
    "categorical_forecasts": lambda s: frames.categorical_forecasts(s, as_of=AS_OF).sort_values(
        ["question_id", "at", "forecaster", "position"], ignore_index=True),
    "binary_scores": lambda s: evaluate.binary_scores(s, as_of=AS_OF),
    "categorical_scores": lambda s: evaluate.categorical_scores(s, as_of=AS_OF),
    "quantile_scores": lambda s: evaluate.quantile_scores(s, as_of=AS_OF),
    "exclusions": lambda s: evaluate.exclusions(s, as_of=AS_OF),
    "scoreboard": lambda s: evaluate.scoreboard(s, as_of=AS_OF),
    "scoreboard midway": lambda s: evaluate.scoreboard(s, as_of="2025-06-01", references=("always-50", "m-03")),
    "time_averaged": lambda s: evaluate.time_averaged(s, as_of=AS_OF),
    "calibration_by forecaster": lambda s: evaluate.calibration_by(s, as_of=AS_OF),
    "calibration_by tag": lambda s: evaluate.calibration_by(s, as_of=AS_OF, by="tag"),
    "replay": lambda s: evaluate.replay(s, until=AS_OF),
    "track_record": lambda s: evaluate.track_record(s, as_of=AS_OF),
}


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory):
    """The generated store with every forecast in YAML, every one in Parquet, and about
    half in each."""
    base = tmp_path_factory.mktemp("bulk")
    return {share: forecastbook.load_store(bulk_store.write(base / str(share), parquet_share=share), cache=False)
            for share in (0.0, 1.0, 0.5)}


def test_the_generated_store_is_valid_every_way(three_ways):
    for share, s in three_ways.items():
        assert not s.errors, (share, s.errors[:3])
    assert three_ways[0.0].bulk is None and len(three_ways[1.0].bulk) > 700
    assert 0 < len(three_ways[0.5].bulk) < len(three_ways[1.0].bulk)


@pytest.mark.parametrize("share", [1.0, 0.5], ids=["all in Parquet", "half in Parquet"])
@pytest.mark.parametrize("table", list(TABLES))
def test_scores_are_the_same_whether_forecasts_are_in_yaml_or_parquet(three_ways, table, share):
    in_yaml, other = TABLES[table](three_ways[0.0]), TABLES[table](three_ways[share])
    assert len(in_yaml) > 0
    pd.testing.assert_frame_equal(in_yaml, other, check_exact=False, rtol=0, atol=1e-12)


def test_exports_and_show_include_bulk_forecasts(three_ways, tmp_path):
    in_yaml, in_parquet = three_ways[0.0], three_ways[1.0]
    assert fatebook.export(in_yaml)[0] == fatebook.export(in_parquet)[0]
    shown = run_cli("show", "binary-000", "--store", in_parquet.root, "--as-of", AS_OF).output
    n = bulk.count_of(in_parquet, "binary-000")
    assert f"Bulk forecasts ({n} in Parquet, by " in shown and "(none in the record)" in shown
    listed = run_cli("list", "--store", in_parquet.root, "--format", "csv", "--forecaster", "m-03").output
    rows = list(pd.read_csv(io.StringIO(listed)).itertuples())
    by_yaml = {r.id: r for r in pd.read_csv(io.StringIO(run_cli(
        "list", "--store", in_yaml.root, "--format", "csv", "--forecaster", "m-03").output)).itertuples()}
    assert [(r.id, r.n_forecasts) for r in rows] == [(k, v.n_forecasts) for k, v in by_yaml.items()]
    out = tmp_path / "f.csv"
    assert run_cli("export", "--store", in_parquet.root, "--format", "csv", "--out", out, "--as-of", AS_OF).exit_code == 0
    assert len(pd.read_csv(out)) == len(in_parquet.bulk)


# --- coherence and lints see bulk forecasts --------------------------------------------------------

UTC = dt.timezone.utc


def _in_utc(message: str) -> str:
    """A message with its moments written in UTC (a record keeps the zone it was given)."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d",
                  lambda m: dt.datetime.fromisoformat(m[0]).astimezone(UTC).isoformat(), message)


def _findings(s) -> list[tuple]:
    """Every coherence warning and lint, with the forecast it is about (question,
    forecaster, time in UTC) and its field, wherever the forecast is kept."""
    out = []
    for qid, f in [*coherence.coherence_findings(s), *coherence.lint_findings(s)]:
        if f.loc[0] == coherence.BULK:
            forecast = s.bulk.forecasts(np.array([f.loc[1]]))[0]
            assert s.bulk.question_ids[s.bulk.question[f.loc[1]]] == qid
        else:
            assert f.loc[0] == "forecasts", f
            forecast = s.questions[qid].forecasts[f.loc[1]]
        out.append((qid, forecast.by, forecast.at.astimezone(UTC), f.loc[2], f.severity, _in_utc(f.message)))
    return sorted(out)


@pytest.fixture(scope="module")
def related_three_ways(tmp_path_factory):
    base = tmp_path_factory.mktemp("related")
    return {share: forecastbook.load_store(bulk_store.write_related(base / str(share), parquet_share=share), cache=False)
            for share in (0.0, 1.0, 0.5)}


def test_coherence_and_lints_are_the_same_whether_forecasts_are_in_yaml_or_parquet(related_three_ways):
    in_yaml, in_parquet, split = (related_three_ways[share] for share in (0.0, 1.0, 0.5))
    assert not any(s.errors for s in related_three_ways.values())
    assert in_yaml.bulk is None and all(not q.forecasts for q in in_parquet.questions.values())
    assert 0 < len(split.bulk) < len(in_parquet.bulk)
    expected = _findings(in_yaml)
    assert _findings(in_parquet) == expected and _findings(split) == expected
    said = " ".join(f[-1] for f in expected)
    for words in ("but this question implies that one", "exclude each other", "but the same event in 'cat' has",
                  "with P(this | yes)", "outside the band of", "is not on the verbal scale"):
        assert words in said
    assert {f[3] for f in expected} == {"probability", "probabilities", "verbal"}
    table = coherence.implied_unconditional(in_yaml)
    assert len(table) and table.drop(columns="at").equals(coherence.implied_unconditional(in_parquet).drop(columns="at"))


def test_validate_places_a_bulk_forecasts_warnings_at_its_file_row_and_column(related_three_ways):
    s = related_three_ways[1.0]
    placed = coherence.problems(s)
    assert len(placed) == len(_findings(s)) and {p.path for p in placed} == {str(s.root / "forecasts.parquet")}
    table = pq.read_table(s.root / "forecasts.parquet")
    for p in placed:  # the row named is the forecast the warning is about
        qid, by, at = (table.column(name)[p.line - 1].as_py() for name in ("question", "by", "at"))
        assert (p.field, p.col) in {("probability", 4), ("probabilities", 5), ("verbal", 6)}
        assert any(f[:3] == (qid, by, at) and f[3] == p.field and f[-1] == _in_utc(p.message) for f in _findings(s))
    result = run_cli("validate", "--store", s.root, "--strict")
    assert result.exit_code == 1
    assert sorted(result.stdout.splitlines()) == sorted(str(p) for p in placed)


def _implies_other(store: Path) -> None:
    """``will-it`` implies a new question, ``other``."""
    text = (store / "will-it.yaml").read_text()
    (store / "other.yaml").write_text(text.replace("id: will-it", "id: other"))
    (store / "will-it.yaml").write_text(text + "implies: [other]\n")


def _pair(store: Path, p_will_it: float) -> Path:
    """m1's forecasts on ``will-it`` and, an hour earlier, on ``other`` (0.5)."""
    return write(store, {"question": ["will-it", "other"], "by": ["m1", "m1"], "at": [AT, AT - dt.timedelta(hours=1)],
                         "probability": [p_will_it, 0.5]})


def test_a_changed_parquet_file_is_checked_for_coherence_again(store, monkeypatch):
    computed = []
    findings = coherence.coherence_findings
    monkeypatch.setattr(coherence, "coherence_findings", lambda s: computed.append(1) or findings(s))
    _implies_other(store)
    path = _pair(store, 0.4)
    assert [p for p in files.check_store(store, cache=True).problems if p.severity == "warning"] == []
    assert [p for p in files.check_store(store, cache=True).problems if p.severity == "warning"] == []
    assert len(computed) == 1  # the second time from the cache
    stat = path.stat()
    _pair(store, 0.7)  # the same size, and the same time
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    warnings = [str(p).replace(f"{store}/", "") for p in files.check_store(store, cache=True).problems]
    assert warnings == ["forecasts.parquet:1:4: warning: probability: m1, standing at 2026-01-02T09:00:00+00:00: "
                        "P(this) = 0.7 exceeds P('other') = 0.5, but this question implies that one"]
    assert run_cli("validate", "--store", store).stdout.strip() == f"{store}/{warnings[0]}"
    path.unlink()
    assert [p for p in files.check_store(store, cache=True).problems if p.severity == "warning"] == []


def test_bulk_warnings_list_twenty_of_a_column_then_a_count(store):
    write(store, row(question=["will-it"] * 25, by=["m1"] * 25, at=[AT + dt.timedelta(minutes=k) for k in range(25)],
                     probability=[0.3] * 25, verbal=["very likely"] * 25))
    placed = [str(p).replace(f"{store}/", "") for p in coherence.problems(forecastbook.load_store(store, cache=False))]
    assert placed == [
        *[f"forecasts.parquet:{k}:4: warning: probability: 0.3 is outside the band of 'very likely' (0.8-0.95), "
          "read either way" for k in range(1, 21)],
        "forecasts.parquet:21:4: warning: probability: and 5 more verbal-scale warnings (the first 20 are listed)"]


def test_without_relations_no_bulk_forecast_is_grouped(store, monkeypatch):
    write(store, row(question=["will-it", "which-one"], by=["m1", "m1"], at=[AT, AT], probability=[0.4, None],
                     probabilities=[None, [("low", 0.2), ("mid", 0.3), ("high", 0.5)]]), types={"probabilities": CHOICES})
    s = forecastbook.load_store(store, cache=False)
    assert len(s.bulk) == 2

    def refused(*args):
        raise AssertionError("a question no relation names was grouped")
    monkeypatch.setattr(coherence, "_group_binary", refused)
    monkeypatch.setattr(coherence, "_group_summed", refused)
    assert coherence.problems(s) == [] and coherence._related(s) == set()


def test_the_rows_of_any_questions_are_the_rows_of_each(three_ways):
    b = three_ways[1.0].bulk
    ids = ["binary-003", "numeric-001", "nope", "binary-003", "date-002", "binary-039"]
    assert b.rows_of_any(ids).tolist() == sorted(k for qid in set(ids) for k in b.rows_of(qid).tolist())
    assert b.rows_of_any([]).tolist() == [] and b.rows_of_any(["nope"]).tolist() == []


# --- edits see bulk forecasts ----------------------------------------------------------------------

def test_a_forecast_made_at_the_moment_of_another_by_the_same_forecaster_is_refused(store):
    write(store, row(at=[AT, AT + dt.timedelta(hours=1)], by=["m1", "m1"], question=["will-it", "will-it"],
                     probability=[0.4, 0.5]))
    before = (store / "will-it.yaml").read_bytes()
    result = run_cli("forecast", "will-it", "0.6", "--by", "m1", "--at", "2026-01-02T18:00:00+08:00", "--store", store)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: m1 has a forecast on will-it made at 2026-01-02T18:00:00+08:00 already (row 2 of "
        f"{store}/forecasts.parquet); a forecaster has one forecast at a moment: give another --at")
    assert (store / "will-it.yaml").read_bytes() == before
    result = run_cli("forecast", "will-it", "0.6", "--by", "m1", "--at", "2026-01-02T10:00:01Z", "--store", store)
    assert result.exit_code == 0, result.output
    again = run_cli("forecast", "will-it", "0.7", "--by", "m1", "--at", "2026-01-02T10:00:01Z", "--store", store)
    assert again.exit_code == 1 and f"already (forecasts[0] in {store}/will-it.yaml)" in again.output
    checked = files.check_store(store)
    assert not [p for p in checked.problems if p.severity == "error"] and checked.bulk_forecasts == 2


# --- importers write Parquet above the threshold ------------------------------------------------

def _sheet(path: Path, n_questions: int, n_forecasters: int) -> Path:
    lines = ["question,forecaster,at,probability"]
    for i in range(n_questions):
        for j in range(n_forecasters):
            lines.append(f"Does event {i} happen by 2026-06-30?,model {j},2026-01-0{1 + j % 9}T0{j % 10}:00:00Z,"
                         f"{(i * 7 + j * 13) % 97 / 100 + 0.01:.2f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_import_of_more_than_the_threshold_writes_parquet(tmp_path):
    assert common.BULK_THRESHOLD == 10_000 and "more than 10,000 forecasts" in (ROOT / "README.md").read_text()
    sheet = _sheet(tmp_path / "sheet.csv", 100, 101)  # 10,100 forecasts
    result = run_cli("import", "csv", sheet, "--out", tmp_path / "big")
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(tmp_path / "big") for p in (tmp_path / "big").rglob("*.parquet"))
    assert len(files) == 1 and files[0].name == "forecasts.parquet" and f"(in {files[0]})" in result.output
    s = forecastbook.load_store(tmp_path / "big")
    assert not s.errors and len(s.bulk) == 10_100
    assert all(not q.forecasts for q in s.questions.values())
    yaml_result = run_cli("import", "csv", sheet, "--out", tmp_path / "as-yaml", "--forecasts-in", "yaml")
    assert yaml_result.exit_code == 0 and not list((tmp_path / "as-yaml").rglob("*.parquet"))
    in_yaml = forecastbook.load_store(tmp_path / "as-yaml")
    pd.testing.assert_frame_equal(frames.forecasts_frame(in_yaml), frames.forecasts_frame(s), check_exact=False,
                                  rtol=0, atol=1e-12)


def test_small_imports_stay_in_yaml_unless_told(tmp_path):
    sheet = _sheet(tmp_path / "sheet.csv", 3, 4)
    assert run_cli("import", "csv", sheet, "--out", tmp_path / "small").exit_code == 0
    assert not list((tmp_path / "small").rglob("*.parquet"))
    forced = run_cli("import", "csv", sheet, "--out", tmp_path / "forced", "--forecasts-in", "parquet")
    assert forced.exit_code == 0 and len(forecastbook.load_store(tmp_path / "forced").bulk) == 12


def test_forecastbench_round_in_parquet(tmp_path):
    from test_forecastbench import _tiny

    q, r, f = _tiny()
    import_round(q, r, [f], tmp_path / "yaml", forecasts_in="yaml")
    import_round(q, r, [f], tmp_path / "parquet", forecasts_in="parquet")
    in_yaml, in_parquet = (forecastbook.load_store(tmp_path / name) for name in ("yaml", "parquet"))
    assert not in_parquet.errors and len(in_parquet.bulk) == sum(len(q.forecasts) for q in in_yaml.questions.values())
    assert all(not q.forecasts for q in in_parquet.questions.values())
    folders = {in_yaml.paths[qid].parent.name for qid, q in in_yaml.questions.items() if q.forecasts}
    assert {p.parent.name for p in (tmp_path / "parquet").rglob("*.parquet")} == folders
    pd.testing.assert_frame_equal(evaluate.scoreboard(in_yaml, as_of="2025-02-17"),
                                  evaluate.scoreboard(in_parquet, as_of="2025-02-17"), check_exact=False, rtol=0,
                                  atol=1e-12)
    with pytest.raises(ValueError, match="forecasts_in must be one of auto, yaml, parquet, got 'csv'"):
        import_round(q, r, [f], tmp_path / "bad", forecasts_in="csv")


def test_forcing_parquet_without_pyarrow_is_refused(tmp_path, monkeypatch):
    sheet = _sheet(tmp_path / "sheet.csv", 2, 2)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = run_cli("import", "csv", sheet, "--out", tmp_path / "s", "--forecasts-in", "parquet")
    assert result.exit_code == 1 and "pip install 'forecastbook[parquet]'" in result.output
    assert not (tmp_path / "s").exists()


def test_ragged_columns_take_rows_in_any_order():
    r = bulk._columns.Ragged(np.array([0, 1, 1, 3]), np.array(["a", "b", "c"], dtype=object), np.array([1.0, 0.4, 0.6]))
    taken = r.take(np.array([2, 1, 0, 2]))
    assert [taken.row(i) for i in range(4)] == [{"b": 0.4, "c": 0.6}, None, {"a": 1.0}, {"b": 0.4, "c": 0.6}]
