"""The store's disposable cache: a store read through it equals the store read from the
YAML files, whatever happened to the files or to the cache in between."""

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FORECASTS, ROOT
from forecastbook import _cache, coherence, files, queries, store as store_module
from forecastbook.cli import main
from forecastbook.store import load_store

BROKEN = Path(__file__).parent / "broken"


def broken_store(dst):
    """Every broken record of tests/broken in one store (files with every kind of problem)."""
    shutil.copytree(BROKEN / "_base", dst)
    for case in BROKEN.iterdir():
        if case.name != "_base" and case.suffix == ".yaml":
            shutil.copy(case, dst / case.name)
    return dst


@pytest.fixture
def parsed(monkeypatch):
    """The names of the files parsed from YAML (not taken from the cache) from now on."""
    names = []
    real = store_module._FileReader._parse

    def counting(self, raw, model):  # noqa: ANN001, ANN202
        names.append(self.path.name)
        return real(self, raw, model)
    monkeypatch.setattr(store_module._FileReader, "_parse", counting)
    return names


def same_store(a, b):
    assert a.problems == b.problems
    assert a.questions == b.questions and a.sources == b.sources and a.forecasters == b.forecasters
    assert a.paths == b.paths


@pytest.mark.parametrize("source", ["forecasts", "simulated", "broken"])
def test_a_store_read_through_the_cache_equals_the_store_read_from_yaml(tmp_path, source, parsed):
    if source == "broken":
        root = broken_store(tmp_path / "s")
    else:
        root = tmp_path / "s"
        shutil.copytree(FORECASTS if source == "forecasts" else ROOT / "examples" / "simulated", root,
                        ignore=shutil.ignore_patterns(".cache"))
    plain = load_store(root, cache=False)
    assert not (root / ".cache").exists() and parsed
    first = load_store(root, cache=True)  # writes the cache
    parsed.clear()
    warm = load_store(root, cache=True)
    assert (root / _cache.CACHE_FILE).is_file() and parsed == []
    same_store(plain, first)
    same_store(plain, warm)
    if source == "broken":
        assert len(warm.errors) > 30
    assert coherence.problems(warm) == coherence.problems(plain)  # placed once, then remembered


def test_warnings_are_placed_once_then_found_in_the_cache(tmp_path, monkeypatch):
    root = broken_store(tmp_path / "s")
    text = (root / "condition-target.yaml").read_text().replace("criteria: Resolves yes if", "criteria: If")
    (root / "vague.yaml").write_text(text.replace("id: condition-target", "id: vague").replace(
        "resolution_sources: [https://example.org/source]\n", "") + "implies: [condition-target]\n")
    want = coherence.problems(load_store(root, cache=False))
    assert want == coherence.problems(load_store(root))
    placed = []
    real = store_module.locate
    monkeypatch.setattr(store_module, "locate", lambda text, loc: placed.append(loc) or real(text, loc))
    assert coherence.problems(load_store(root)) == want and want and placed == []


def test_rows_that_learnt_where_warnings_are_keep_their_records_and_lines(tmp_path, parsed, monkeypatch):
    root = related_store(tmp_path / "s")
    plain = load_store(root, cache=False)
    want = (coherence.problems(plain), queries.lines_of(plain))
    first = load_store(root)  # writes every row whole
    assert want[0] and coherence.problems(first) == want[0]  # placing them rewrites those rows
    parsed.clear()
    warm = load_store(root)
    same_store(plain, warm)
    placed = []
    real = store_module.locate
    monkeypatch.setattr(store_module, "locate", lambda text, loc: placed.append(loc) or real(text, loc))
    monkeypatch.setattr(store_module.Store, "memoised", lambda self, what, compute, **kw: compute())
    assert (coherence.problems(warm), files.list_store(root).lines) == want
    assert parsed == [] and placed == []  # every placement found in the rows


def test_a_file_read_again_after_its_row_was_touched_is_kept_as_read(tmp_path):
    root = tmp_path / "s"
    shutil.copytree(ROOT / "examples" / "simulated", root, ignore=shutil.ignore_patterns(".cache"))
    paths = load_store(root).paths
    qid = sorted(paths)[0]
    name = str(paths[qid].relative_to(root))
    cache = _cache.RecordCache(root)
    raw = paths[qid].read_bytes()
    entry = cache.get(name, paths[qid].stat(), raw)
    cache.touch(entry)  # say, where a field is
    data = _cache.pickled_data(store_module.parse_yaml(raw.decode())[0])  # what a reading keeps to write the record
    cache.put(name, dataclasses.replace(entry, problems=((1, 1, "error", "id", "read again"),), data=data))
    cache.save()
    again = _cache.RecordCache(root).get(name, paths[qid].stat(), raw)
    assert again.problems == ((1, 1, "error", "id", "read again"),) and again.record == entry.record


def test_a_record_nested_deeper_than_pickle_goes_is_read_from_its_file(tmp_path, parsed):
    root = tmp_path / "s"
    shutil.copytree(ROOT / "examples" / "simulated", root, ignore=shutil.ignore_patterns(".cache"))
    path = load_store(root, cache=False).paths[sorted(load_store(root, cache=False).questions)[0]]
    deep = "[" * 990 + "1" + "]" * 990  # within libyaml's nesting limit, beyond pickle's
    path.write_text(path.read_text(encoding="utf-8") + "history:\n- at: 2026-01-01T00:00:00Z\n  action: unresolve\n"
                    f"  reason: kept\n  previous: {{a: {deep}}}\n", encoding="utf-8")
    plain = load_store(root, cache=False)
    parsed.clear()
    for _ in range(2):
        warm = load_store(root)  # (records this deep are too deep to compare with ==)
        assert warm.problems == plain.problems and warm.paths == plain.paths
        assert [q for q in warm.questions.values() if q.id != path.stem] == \
            [q for q in plain.questions.values() if q.id != path.stem]
    assert parsed.count(path.name) == 2 and len(parsed) > 2  # the others were cached once, then not parsed


def test_a_changed_added_or_removed_file_is_read_alone(tmp_path, parsed):
    root = tmp_path / "s"
    shutil.copytree(ROOT / "examples" / "simulated", root, ignore=shutil.ignore_patterns(".cache"))
    qid = sorted(load_store(root).questions)[-1]
    path = load_store(root).paths[qid]
    text = path.read_text(encoding="utf-8")
    parsed.clear()
    path.write_text(text.replace("title:", "title: Changed", 1), encoding="utf-8")
    changed = load_store(root)
    assert parsed == [path.name] and changed.questions[qid].title.startswith("Changed")
    same_store(changed, load_store(root, cache=False))
    parsed.clear()
    os.utime(path, ns=(1, 1))  # the same bytes, another mtime: read again, same result
    assert load_store(root).questions == changed.questions and parsed == [path.name]
    parsed.clear()
    copy = path.with_name("a-new-question.yaml")
    copy.write_text(text.replace(f"id: {qid}", "id: a-new-question"), encoding="utf-8")
    added = load_store(root)
    assert parsed == [copy.name] and "a-new-question" in added.questions
    path.unlink()
    parsed.clear()
    removed = load_store(root)
    assert parsed == [] and qid not in removed.questions
    same_store(removed, load_store(root, cache=False))


def test_a_broken_file_keeps_its_problems_through_the_cache(tmp_path, parsed):
    root = broken_store(tmp_path / "s")
    load_store(root)
    (root / "empty-file.yaml").write_text("id: empty-file\n")  # now another problem
    parsed.clear()
    again = load_store(root)
    assert parsed == ["empty-file.yaml"]
    same_store(again, load_store(root, cache=False))
    assert [p.message for p in again.problems if p.path.endswith("empty-file.yaml")][0] == "required field is missing"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "foreign key", "other version", "a folder"])
def test_a_damaged_or_foreign_cache_is_rebuilt_in_silence(tmp_path, damage, parsed, monkeypatch, caplog):
    root = broken_store(tmp_path / "s")
    plain = load_store(root, cache=False)
    every_file = list(parsed)
    load_store(root)
    cache = root / _cache.CACHE_FILE
    data = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(os.urandom(5000))
    elif damage == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "foreign key":  # another user's cache, or one planted in the store: never unpickled
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    elif damage == "other version":
        monkeypatch.setattr(_cache, "FORMAT", _cache.FORMAT + 1)
    else:
        cache.unlink()
        cache.mkdir()
    parsed.clear()
    with caplog.at_level("DEBUG", logger="forecastbook.cache"):
        rebuilt = load_store(root)
    same_store(plain, rebuilt)
    assert parsed == every_file
    assert damage == "empty" or caplog.records  # why, at debug level
    if damage != "a folder":  # rewritten whole: the next reading parses nothing
        parsed.clear()
        same_store(plain, load_store(root))
        assert parsed == []


def test_no_cache_option_and_variable_leave_no_cache(tmp_path, monkeypatch):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root)
    shutil.rmtree(root / ".cache", ignore_errors=True)
    result = CliRunner().invoke(main, ["validate", "--store", str(root), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not (root / ".cache").exists()
    monkeypatch.setenv(_cache.NO_CACHE_ENV, "1")
    assert CliRunner().invoke(main, ["list", "--store", str(root)]).exit_code == 0
    assert not (root / ".cache").exists()
    monkeypatch.delenv(_cache.NO_CACHE_ENV)
    assert CliRunner().invoke(main, ["list", "--store", str(root)]).exit_code == 0
    assert (root / _cache.CACHE_FILE).is_file()
    assert (root / ".cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_two_processes_reading_and_writing_at_once(tmp_path):
    root = tmp_path / "s"
    shutil.copytree(ROOT / "examples" / "simulated", root, ignore=shutil.ignore_patterns(".cache"))
    code = ("import sys\nfrom forecastbook.store import load_store\n"
            "for _ in range(5):\n"
            "    s = load_store(sys.argv[1])\n"
            "print(len(s.questions), len(s.problems))")
    files = sorted(root.rglob("*.yaml"))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    for i, path in enumerate(files[:20]):  # files change while both read
        os.utime(path, ns=(i + 1, i + 1))
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    plain = load_store(root, cache=False)
    assert outs == [f"{len(plain.questions)} {len(plain.problems)}\n"] * 2
    same_store(plain, load_store(root))
    assert not [p for p in (root / ".cache").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("source", ["forecasts", "broken"])
def test_check_store_from_the_cache_equals_a_full_check(tmp_path, source, parsed, monkeypatch):
    if source == "broken":
        root = broken_store(tmp_path / "s")
    else:
        root = tmp_path / "s"
        shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    plain = store_module.check_store(root, cache=False)
    assert not (root / ".cache").exists()
    first = store_module.check_store(root)  # fills the cache and its memos
    built = []
    monkeypatch.setattr(store_module, "_load_store", lambda *a, **k: built.append(a) or real_load(*a, **k))
    parsed.clear()
    warm = store_module.check_store(root)
    assert warm == first == plain and parsed == [] and built == []  # no record was built
    # one file changed: a full check again, of that file alone
    path = sorted(root.glob("*/*.yaml"))[0] if source == "forecasts" else root / "unknown-forecaster.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    parsed.clear()
    again = store_module.check_store(root)
    assert parsed == [path.name] and len(built) == 1
    assert again == store_module.check_store(root, cache=False)


real_load = store_module._load_store


# --- edits through the cache ---------------------------------------------------------------

from conftest import unresolved_copy  # noqa: E402
from forecastbook import resolve as resolve_module  # noqa: E402
from forecastbook.records import Evidence  # noqa: E402

FIXED_NOW = __import__("datetime").datetime(2026, 11, 30, 12, 0, tzinfo=__import__("datetime").timezone.utc)
EVIDENCE = [Evidence(url="https://example.org/talks", quote="The talks ended without a deal.",
                     published="2026-05-20", retrieved="2026-11-30")]


def resolve_talks(root):
    return resolve_module.resolve(root, "visit-talks-fail", "yes", evidence=EVIDENCE, at=FIXED_NOW.date())


def texts(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*.yaml")) if ".cache" not in p.parts}


@pytest.fixture
def full_readings(monkeypatch):
    """How many times an edit read the whole store."""
    from forecastbook import edits

    calls = []
    real = edits.load_store
    monkeypatch.setattr(edits, "load_store", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(resolve_module, "_now", lambda: FIXED_NOW)
    return calls


def test_an_edit_through_the_cache_reads_only_the_files_it_changes(tmp_path, parsed, full_readings):
    root = unresolved_copy(tmp_path / "s")
    store_module.check_store(root)  # an unchanged store, checked today: the cache knows it
    parsed.clear()
    changed = resolve_talks(root)  # resolves one question, annuls one conditional in cascade
    assert full_readings == [] and sorted(parsed) == sorted(p.name for p in changed) and len(changed) == 2
    # the cache after the edit is what reading the files gives
    same_store(load_store(root), load_store(root, cache=False))
    assert store_module.check_store(root) == store_module.check_store(root, cache=False)
    # and the files are those an edit without the cache writes
    plain = unresolved_copy(tmp_path / "p")
    os.environ[_cache.NO_CACHE_ENV] = "1"
    try:
        resolve_talks(plain)
    finally:
        del os.environ[_cache.NO_CACHE_ENV]
    assert texts(root) == texts(plain)
    # a second edit through the cache, on the rows and the problems the first one kept
    full_readings.clear()
    heads = []
    real_heads = _cache.RecordCache.heads
    _cache.RecordCache.heads = lambda self, names: heads.append(names) or real_heads(self, names)
    try:
        resolve_module.unresolve(root, "visit-talks-fail", reason="wrong article")
    finally:
        _cache.RecordCache.heads = real_heads
    assert full_readings == [] and heads == []
    same_store(load_store(root), load_store(root, cache=False))


def test_a_file_changed_by_hand_makes_an_edit_read_the_whole_store(tmp_path, full_readings):
    root = unresolved_copy(tmp_path / "s")
    store_module.check_store(root)
    other = root / "us-china-tech-pause-2026" / "reuters-pause-confirmed.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# looked at again\n", encoding="utf-8")
    resolve_talks(root)
    assert len(full_readings) == 1
    same_store(load_store(root), load_store(root, cache=False))


def test_an_edit_that_read_the_whole_store_leaves_the_cache_for_the_next(tmp_path, full_readings, caplog):
    root = unresolved_copy(tmp_path / "s")  # no cache yet: the first edit reads every file
    with caplog.at_level("DEBUG", logger="forecastbook.cache"):
        for i in range(3):
            resolve_module.add_note(root, "visit-talks-fail", f"looked again ({i})", at=FIXED_NOW.date())
    assert len(full_readings) == 1
    assert not [r for r in caplog.records if "not kept" in r.getMessage()]
    assert store_module.check_store(root) == store_module.check_store(root, cache=False)


def test_a_store_with_errors_is_read_whole_and_the_edit_refused(tmp_path, full_readings):
    root = unresolved_copy(tmp_path / "s")
    (root / "forecasters" / "moyunlanting.yaml").unlink()  # forecasts now name an unknown forecaster
    store_module.check_store(root)
    with pytest.raises(resolve_module.EditError, match="error"):
        resolve_talks(root)
    assert len(full_readings) == 1


def test_a_file_changing_under_the_edit_makes_it_read_the_whole_store(tmp_path, full_readings, monkeypatch):
    from forecastbook import edits

    root = unresolved_copy(tmp_path / "s")
    store_module.check_store(root)
    target = root / "us-china-tech-pause-2026" / "visit-talks-fail.yaml"

    def view_then_touch(r):
        view = store_module.edit_view(r)
        os.utime(target, ns=(1, 1))  # after the view was taken, before the record is read
        return view
    monkeypatch.setattr(edits, "edit_view", view_then_touch)
    resolve_talks(root)
    assert len(full_readings) == 1
    same_store(load_store(root), load_store(root, cache=False))


# --- a store read once by the report, handed to its notebooks ------------------------------

def test_a_snapshot_hands_the_notebooks_the_store_the_command_read(tmp_path, monkeypatch, parsed):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    monkeypatch.chdir(tmp_path)
    read = load_store(Path("s"))  # as the command reads it: the path as given
    snapshot = tmp_path / "stores.pickle"
    assert _cache.write_snapshot(snapshot, {str(root.resolve()): read.moved_to(root.resolve())})
    monkeypatch.setenv(_cache.SNAPSHOT_ENV, str(snapshot))
    parsed.clear()
    handed = load_store(root.resolve())  # as a notebook asks for it
    assert parsed == []
    monkeypatch.delenv(_cache.SNAPSHOT_ENV)
    same_store(handed, load_store(root.resolve(), cache=False))
    # another user's snapshot, or a damaged one, is not used
    monkeypatch.setenv(_cache.SNAPSHOT_ENV, str(snapshot))
    snapshot.write_bytes(b"x" + snapshot.read_bytes()[1:])
    assert _cache.read_snapshot(root.resolve()) is None
    same_store(load_store(root.resolve()), handed)  # read from the files (through the cache) instead


def test_a_file_changed_in_the_tick_it_was_read_is_hashed_not_trusted(tmp_path, parsed, monkeypatch):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    path = root / "us-china-tech-pause-2026" / "visit-talks-fail.yaml"
    os.utime(path)  # changed just now
    load_store(root)  # cached just after: the file is "racy"
    before = os.lstat(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title:", "title:", 1).replace("a", "b", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    parsed.clear()
    again = load_store(root)
    assert parsed == [path.name]
    same_store(again, load_store(root, cache=False))
    # files changed before they were read (here: at all, not 2 s) are taken from the cache unread
    monkeypatch.setattr(_cache, "RACY_NS", 0)
    for p in root.rglob("*.yaml"):
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))
    load_store(root)
    parsed.clear()
    reads = []
    real_read = store_module.read_record
    store_module.read_record = lambda *a, **k: reads.append(a) or real_read(*a, **k)
    try:
        warm = load_store(root)
    finally:
        store_module.read_record = real_read
    assert parsed == [] and reads == []
    same_store(warm, load_store(root, cache=False))


@pytest.mark.parametrize("source", ["forecasts", "simulated"])
def test_list_and_due_from_the_cache_say_what_they_say_from_the_files(tmp_path, source, parsed, monkeypatch):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS if source == "forecasts" else ROOT / "examples" / "simulated", root,
                    ignore=shutil.ignore_patterns(".cache"))
    commands = [["list"], ["list", "--format", "json"], ["list", "--forecaster", "moyunlanting"],
                ["list", "--status", "open", "--format", "csv"], ["due", "--within", "400"],
                ["due", "--format", "markdown", "--as-of", "2026-06-01"]]
    plain = [CliRunner().invoke(main, [*c, "--store", str(root), "--no-cache"]).output for c in commands]
    store_module.check_store(root)  # a store checked today: its cache can answer
    parsed.clear()
    listed = files.list_store(root)
    assert parsed == [] and listed.errors == [] and len(listed.lines) == len(load_store(root).questions)
    assert listed == files.list_store(root, cache=False)
    assert listed.lines == queries.lines_of(load_store(root, cache=False))
    monkeypatch.setattr(store_module, "_load_store", lambda *a, **k: pytest.fail("read the whole store"))
    assert [CliRunner().invoke(main, [*c, "--store", str(root)]).output for c in commands] == plain


def test_list_store_after_an_edit_with_errors_and_with_forged_lines(tmp_path, monkeypatch):
    import pickle
    import sqlite3

    root = unresolved_copy(tmp_path / "s")
    files.list_store(root)  # keeps the lines of the store as it is
    resolve_talks(root)
    assert files.list_store(root) == files.list_store(root, cache=False)  # gathered row by row after the edit
    db = sqlite3.connect(root / _cache.CACHE_FILE)  # a line changed by someone without the key
    db.execute("UPDATE lines SET line = ?", (pickle.dumps(None),))
    db.execute("DELETE FROM meta WHERE k = 'memo:lines'")
    db.commit()
    db.close()
    assert files.list_store(root) == files.list_store(root, cache=False)
    broken = broken_store(tmp_path / "b")
    files.list_store(broken)
    listed = files.list_store(broken)
    assert listed.errors and listed == files.list_store(broken, cache=False)


def test_a_cache_folder_that_is_a_link_is_neither_read_nor_written(tmp_path, parsed):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".cache").symlink_to(elsewhere, target_is_directory=True)
    same_store(load_store(root), load_store(root, cache=False))
    assert list(elsewhere.iterdir()) == []


# --- what a reviewer tried: files moved in place, planted links, short keys, odd names ------

def test_a_file_moved_in_place_with_the_old_size_and_mtime_is_read_again(tmp_path):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    for p in root.rglob("*.yaml"):
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))
    path = root / "us-china-tech-pause-2026" / "retighten-by-2026-12-31-if-talks-fail.yaml"
    text = path.read_text(encoding="utf-8")
    assert "probability: 0.875" in text
    other = tmp_path / "other.yaml"
    other.write_text(text.replace("probability: 0.875", "probability: 0.125"), encoding="utf-8")
    os.utime(other, ns=(1_000_000_000, 1_000_000_000))
    files.list_store(root)
    store_module.check_store(root)
    os.replace(other, path)  # as mv, tar or cp -p leave it: same size, same mtime
    same_store(load_store(root), load_store(root, cache=False))
    assert store_module.check_store(root) == store_module.check_store(root, cache=False)
    listed = CliRunner().invoke(main, ["list", "--store", str(root), "--format", "json"]).output
    assert "0.125" in listed and "0.875" not in listed


def test_an_edit_does_not_trust_a_file_changed_in_the_tick_it_was_cached(tmp_path, full_readings):
    root = unresolved_copy(tmp_path / "s")
    forecaster = root / "us-china-tech-pause-2026" / "visit-talks-fail.yaml"
    os.utime(forecaster)  # changed just now
    store_module.check_store(root)
    before = os.stat(forecaster)
    forecaster.write_text(forecaster.read_text(encoding="utf-8").replace("moyunlanting", "moyunlantinx"),
                          encoding="utf-8")
    os.utime(forecaster, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(resolve_module.EditError, match="error"):
        resolve_module.add_note(root, "visit-talks-fail", "looked again")
    assert len(full_readings) == 1


def test_a_planted_gitignore_link_in_the_cache_folder_is_not_followed(tmp_path):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    (root / ".cache").mkdir()
    victim = tmp_path / "victim"
    (root / ".cache" / ".gitignore").symlink_to(victim)
    load_store(root)
    assert not victim.exists() and (root / _cache.CACHE_FILE).is_file()


def test_a_key_too_short_to_be_secret_is_replaced_and_a_forged_cache_rebuilt(tmp_path, monkeypatch, parsed):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "forecastbook").mkdir(parents=True)
    key_file = tmp_path / "xdg" / "forecastbook" / "cache-key"
    key_file.write_bytes(b"")
    assert len(_cache._key()) >= 32 and len(key_file.read_bytes()) >= 32
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    load_store(root)
    key_file.write_bytes(b"")  # rows signed with the old key, or forged with an empty one, are not trusted
    parsed.clear()
    same_store(load_store(root), load_store(root, cache=False))
    assert parsed


def test_a_folder_name_that_is_not_utf8_leaves_the_cache_aside(tmp_path):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    odd = os.path.join(os.fsencode(root), b"bad\xff")
    os.mkdir(odd)
    src = root / "us-china-tech-pause-2026" / "visit-talks-fail.yaml"
    os.rename(src, os.path.join(odd, b"visit-talks-fail.yaml"))
    for command in (["validate"], ["list"], ["due"]):
        cached = CliRunner().invoke(main, [*command, "--store", str(root)])
        plain = CliRunner().invoke(main, [*command, "--store", str(root), "--no-cache"])
        assert (cached.exit_code, cached.output) == (plain.exit_code, plain.output)
        assert "Traceback" not in cached.output and cached.exception is None or isinstance(cached.exception, SystemExit)


def test_a_cache_folder_this_user_cannot_enter_is_left_aside(tmp_path, monkeypatch):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    real = Path.is_symlink

    def denied(self):  # noqa: ANN001, ANN202 - as a .cache of another user with mode 700 answers
        if self.name == ".cache" or self.parent.name == ".cache":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "is_symlink", denied)
    same_store(load_store(root), load_store(root, cache=False))
    monkeypatch.setattr(resolve_module, "_now", lambda: FIXED_NOW)
    assert resolve_module.add_note(root, "visit-talks-fail", "looked again")


# --- days: checks against today are kept until a record's own dates say otherwise --------

def on_day(monkeypatch, day: str) -> None:
    """Check records as if today (UTC) were ``day``."""
    monkeypatch.setattr(_cache, "today", lambda: dt.date.fromisoformat(day))


def dated_store(root: Path, *, forecast_at: str) -> Path:
    """A store of one question with one forecast made at ``forecast_at``."""
    (root / "forecasters").mkdir(parents=True)
    (root / "forecasters" / "ana.yaml").write_text("id: ana\nname: Ana\n", encoding="utf-8")
    (root / "q.yaml").write_text(
        "id: q\ntitle: Q\nkind: binary\ncriteria: Resolves yes if it happens by 2027-06-30.\ncreated: 2026-01-01\n"
        "closes: 2027-06-30\nresolve_by: 2027-07-31\nresolution_sources: [https://example.org]\n"
        f"forecasts:\n- by: ana\n  at: {forecast_at}\n  probability: 0.3\n", encoding="utf-8")
    return root


def every_answer(root: Path) -> tuple:
    return store_module.check_store(root), files.list_store(root)


def answered_from_the_cache(root: Path, monkeypatch) -> tuple:
    """:func:`every_answer`, failing if the store had to be read."""
    with monkeypatch.context() as m:
        m.setattr(store_module, "_load_store", lambda *a, **k: pytest.fail("read the whole store"))
        return every_answer(root)


def test_a_store_checked_on_an_earlier_day_is_answered_from_the_cache(tmp_path, monkeypatch):
    root = tmp_path / "s"
    shutil.copytree(FORECASTS, root, ignore=shutil.ignore_patterns(".cache"))
    on_day(monkeypatch, "2026-11-30")
    every_answer(root)
    for day in ("2026-12-01", "2027-03-15"):
        on_day(monkeypatch, day)
        kept = answered_from_the_cache(root, monkeypatch)  # nothing in these records is dated after 2026-11-30
        assert kept == (store_module.check_store(root, cache=False), files.list_store(root, cache=False))
    same_store(load_store(root), load_store(root, cache=False))


def test_a_date_in_the_future_is_checked_again_once_that_day_has_come(tmp_path, monkeypatch):
    root = dated_store(tmp_path / "s", forecast_at="2026-12-02T09:00:00+00:00")
    on_day(monkeypatch, "2026-11-30")
    before = every_answer(root)
    assert [p.message for p in before[0].problems] == ["2026-12-02T09:00:00+00:00 is in the future"]
    assert before[1].errors == before[0].problems
    assert answered_from_the_cache(root, monkeypatch) == before  # the same day
    on_day(monkeypatch, "2026-12-01")  # still in the future: checked again for this day
    assert every_answer(root) == before
    assert answered_from_the_cache(root, monkeypatch) == before
    on_day(monkeypatch, "2026-12-02")  # that day has come: no error is left
    after = every_answer(root)
    assert after[0].problems == [] and after[1].errors == [] and len(after[1].lines) == 1
    assert after == (store_module.check_store(root, cache=False), files.list_store(root, cache=False))
    on_day(monkeypatch, "2027-05-01")  # and from then on, the cache answers
    assert answered_from_the_cache(root, monkeypatch) == after
    on_day(monkeypatch, "2026-11-30")  # a clock set back: the date is in the future again
    assert every_answer(root) == before


@given(days=st.lists(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)), min_size=4, max_size=4),
       later=st.integers(0, 800))
@settings(max_examples=60, deadline=None)
def test_checks_find_the_same_problems_on_every_day_from_settles_on(days, later):
    from forecastbook import checks
    from forecastbook.records import Question

    forecast_day, note_day, resolved_on, retrieved = days
    q = Question.model_validate({
        "id": "x", "title": "X", "kind": "binary", "criteria": "c", "created": "2025-01-01",
        "closes": "2027-12-31", "resolve_by": "2028-01-31",
        "forecasts": [{"by": "a", "at": f"{forecast_day}T23:30:00-02:00", "probability": 0.5}],
        "notes": [{"at": note_day, "text": "searched"}],
        "resolution": {"outcome": "yes", "at": resolved_on,
                       "evidence": [{"url": "https://e.org", "quote": "done", "retrieved": retrieved}]}})
    settled = checks.settles_on(q)
    found = [f.message for f in checks.check_question(q, today=settled)]
    assert found == [f.message for f in checks.check_question(q, today=settled + dt.timedelta(days=later))]
    assert all("future" not in m for m in found)
    assert any("future" in f.message for f in checks.check_question(q, today=settled - dt.timedelta(days=1)))


# --- coherence warnings kept across an edit that changes no forecast ---------------------

def related_store(root: Path) -> Path:
    """Two questions whose forecasts break 'a implies b', a short criteria (a lint), and
    notes above the forecasts (a note added moves them down)."""
    (root / "forecasters").mkdir(parents=True)
    (root / "forecasters" / "ana.yaml").write_text("id: ana\nname: Ana\n", encoding="utf-8")
    head = ("title: {q}\nkind: binary\ncriteria: {criteria}\ncreated: 2026-01-01\ncloses: 2026-06-30\n"
            "resolve_by: 2026-07-31\nresolution_sources: [https://example.org]\n")
    long = "Resolves yes if the event is reported by 2026-06-30."
    (root / "a.yaml").write_text(
        "id: a\n" + head.format(q="a", criteria=long) + "implies: [b]\nnotes:\n- at: 2026-01-03\n  text: first look\n"
        "forecasts:\n- by: ana\n  at: 2026-01-05T10:00:00+00:00\n  probability: 0.7\n", encoding="utf-8")
    (root / "b.yaml").write_text(
        "id: b\n" + head.format(q="b", criteria="Short, 2026.") +
        "forecasts:\n- by: ana\n  at: 2026-01-02T10:00:00+00:00\n  probability: 0.5\n", encoding="utf-8")
    return root


def test_an_edit_that_changes_no_forecast_keeps_the_coherence_warnings(tmp_path, monkeypatch):
    root = related_store(tmp_path / "s")
    before = store_module.check_store(root)
    assert sorted((p.path.rsplit("/", 1)[-1], p.line, p.field) for p in before.problems) == \
        [("a.yaml", 16, "forecasts[0].probability"), ("b.yaml", 4, "criteria")]
    for edit in (lambda: resolve_module.add_note(root, "a", "looked again", at=dt.date(2026, 2, 1)),
                 lambda: resolve_module.resolve(root, "a", "no", evidence=EVIDENCE, at=dt.date(2026, 7, 1))):
        edit()
        kept = answered_from_the_cache(root, monkeypatch)[0]  # the warnings kept, placed again in a.yaml
        assert kept == store_module.check_store(root, cache=False)
    assert [p.line for p in kept.problems if p.path.endswith("a.yaml")] == [19]  # moved down by the note
    resolve_module.add_note(root, "a", "one", at=dt.date(2026, 2, 1))  # two edits before the next check
    resolve_module.add_note(root, "b", "two", at=dt.date(2026, 2, 2))
    assert answered_from_the_cache(root, monkeypatch)[0] == store_module.check_store(root, cache=False)
    resolve_module.add_forecast(root, "b", "0.8", by="ana", at=dt.datetime(2026, 1, 4, tzinfo=dt.timezone.utc))
    assert store_module.check_store(root) == store_module.check_store(root, cache=False)
    assert [p.field for p in store_module.check_store(root).problems] == ["criteria"]  # 0.7 <= 0.8 from then on
