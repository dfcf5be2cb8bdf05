"""Capturing predictions from a text: the extractor, the command, drafts and the display."""

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import shared_path
from forecastbook import load_store
from forecastbook.capture import candidates, find, read_article
from forecastbook.capture._split import clauses, sentences
from forecastbook.cli import main

SOURCE = "moyunlanting-2026-02-13"


def run(*args, **kwargs):
    result = CliRunner().invoke(main, list(args), **kwargs)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def seed_text():
    return read_article(shared_path("seed", "article-2026-02-13.txt"))


# --- the extractor -------------------------------------------------------------------------------

def test_english_candidate_with_hedge_condition_and_horizon():
    text = ("If the talks fail, the US will very likely re-tighten by April. Prices rose last year. "
            "Will rates fall? Goldman expects two cuts in 2026, unless inflation returns.")
    found = find(text)
    assert [(c.start, c.end) for c in found] == [(0, 63), (104, 163)]
    first, second = found
    assert (first.hedge, first.band, first.probability) == ("very likely", (0.8, 0.95), 0.875)
    assert (first.condition, first.horizon) == ("If the talks fail", "by April")
    assert (second.hedge, second.band, second.condition, second.horizon) == (None, None, "unless inflation returns",
                                                                             "in 2026")


def test_chinese_past_question_and_semicolon():
    text = "美方已将关税提高。要是谈不拢,大概率会在明年4月重新收紧限制;也可能不会。你说呢?"
    found = find(text)
    assert [(c.quote, c.start, c.end) for c in found] == [
        ("要是谈不拢,大概率会在明年4月重新收紧限制;", 9, 31), ("也可能不会。", 31, 37)]
    assert (found[0].condition, found[0].horizon) == ("要是谈不拢", "明年 / 4月")
    assert (found[1].hedge, found[1].probability) == ("可能", 0.5)


def test_a_negated_hedge_has_no_band():
    (c,) = find("主席警告,12月的再度降息“并非板上钉钉”。")
    assert (c.hedge, c.band, c.probability) == ("并非板上钉钉", None, None)


def test_the_month_may_is_not_the_verb():
    assert find("Rates rose in May.") == []
    assert find("Rates may rise in May.")[0].hedge == "may"


def _quotes(text, **kwargs):
    return [c.quote for c in find(text, **kwargs)]


def test_time_words_that_point_ahead_make_a_candidate():
    text = ("Two meetings are left this year. The Fed met in March. Next year's plan was set. "
            "Rates stay high in the months ahead. Officials met ahead of the vote.")
    assert _quotes(text) == ["Two meetings are left this year.", "Rates stay high in the months ahead."]
    assert _quotes("去年下半年经济放缓。今年下半年经济回升。表明年轻人失业率上升。届时关税上调。") == [
        "今年下半年经济回升。", "届时关税上调。"]


def test_a_year_after_the_year_of_writing_points_ahead():
    text = "Growth is 2% in 2026. Growth is 2% in 2025."
    assert _quotes(text) == [] and _quotes(text, year=2025) == ["Growth is 2% in 2026."]


def test_a_day_after_the_day_of_writing_points_ahead():
    import datetime as dt

    text = "The group met on February 2. It meets March 1. Tariffs rise from 1 August 2025."
    assert _quotes(text) == [] and _quotes(text, year=2026) == []
    assert _quotes(text, year=dt.date(2026, 2, 16)) == ["It meets March 1."]
    assert _quotes(text, year=dt.date(2025, 7, 9)) == ["Tariffs rise from 1 August 2025."]
    assert _quotes("2月2日开会。3月1日开会。", year=dt.date(2026, 2, 16)) == ["3月1日开会。"]


def test_getting_ready_bracing_leaning_and_risking_point_ahead():
    text = ("Firms are getting ready to report. Markets brace for the vote. The group is leaning toward a hike. "
            "A cut risks pushing prices lower. The risks rose. Sales exceeded expectations in July.")
    assert _quotes(text) == ["Firms are getting ready to report.", "Markets brace for the vote.",
                             "The group is leaning toward a hike.", "A cut risks pushing prices lower."]


def test_a_noun_of_forecasting_counts_with_what_it_forecasts():
    text = ("This steady prediction offers a clear signal. The consistency of this forecast is telling. "
            "Its expectation for one cut stands. Goldman forecasts two cuts. The forecasts see four cuts in 2026.")
    assert _quotes(text) == ["Its expectation for one cut stands.", "Goldman forecasts two cuts.",
                             "The forecasts see four cuts in 2026."]
    assert _quotes("这项预期与分歧形成对比。市场对降息的预期升温。") == ["市场对降息的预期升温。"]


def test_should_is_a_future_word_but_not_advice_or_a_mentioned_word():
    text = 'They should lose seats. You should think carefully. But "should" is a dangerous word.'
    assert _quotes(text) == ["They should lose seats."]


def test_a_lead_in_with_a_colon_passes_its_marker_to_the_list():
    text = "中值预测明确指出:\n3月将降息;\n全年累计降息50基点;\n利率落在3%。\n通胀回落了。"
    assert _quotes(text) == ["3月将降息;", "全年累计降息50基点;", "利率落在3%。"]
    assert _quotes("Goldman expects:\n\n- two cuts\n- one hike\n\nThe Fed met.") == ["two cuts", "one hike"]


def test_sentences_respect_quotes_and_wrapped_lines():
    text = "瓦特指出:“我们认为会降息。但风险在于“疲软印象”。”另有人预测不变。"
    assert [text[s:e] for s, e in sentences(text)] == ["瓦特指出:“我们认为会降息。但风险在于“疲软印象”。”", "另有人预测不变。"]
    wrapped = "- Generic-ballot\npolling and independent forecast models currently lean slightly toward\nDemocrats.\nSenate\n"
    assert [wrapped[s:e] for s, e in sentences(wrapped)] == [
        "Generic-ballot\npolling and independent forecast models currently lean slightly toward\nDemocrats.", "Senate"]


def test_clauses_split_on_both_commas_but_not_in_numbers():
    text = "成本将传导，通胀可能在5、6月显现,金额达1,000亿"
    assert [text[s:e] for s, e in clauses(text, 0, len(text))] == ["成本将传导", "通胀可能在5", "6月显现", "金额达1,000亿"]


def test_seed_article_records_are_among_the_candidates(seed_text):
    found = find(seed_text)
    assert len(found) == 26
    spans = [(c.start, c.end) for c in found]
    quotes = {q.source.quote for q in load_store("forecasts").questions.values() if q.source}
    assert len(quotes) == 13
    for quote in quotes:
        start = seed_text.index(quote)
        assert any(s < start + len(quote) and start < e for s, e in spans), quote


def test_seed_article_hedges_have_the_records_bands(seed_text):
    by_hedge = {c.hedge: c for c in find(seed_text) if c.hedge}
    store = load_store("forecasts")
    for q in store.questions.values():
        for f in q.forecasts:
            c = by_hedge[f.verbal]
            assert c.probability == f.probability, (q.id, f.verbal)
    assert [(h, by_hedge[h].start, by_hedge[h].end, by_hedge[h].band) for h in ("可信度够高", "可能", "大概率")] == [
        ("可信度够高", 153, 188, (0.55, 0.8)), ("可能", 1737, 1780, (0.3, 0.7)), ("大概率", 1780, 1814, (0.8, 0.95))]
    assert by_hedge["大概率"].condition == "要是谈不拢,或者美国觉得目的达到了"


# --- the command -----------------------------------------------------------------------------------

def test_json_has_exactly_the_keys(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("The Fed will probably cut rates next year.\n", encoding="utf-8")
    result = run("capture", str(path), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == [{
        "quote": "The Fed will probably cut rates next year.", "start": 0, "end": 42, "hedge": "probably",
        "band": [0.55, 0.8], "probability": 0.675, "condition": None, "horizon": "next year"}]


def test_year_of_writing_defaults_to_this_year(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Growth reaches 2% in 2099.\n", encoding="utf-8")
    assert len(json.loads(run("capture", str(path), "--format", "json").output)) == 1
    assert json.loads(run("capture", str(path), "--format", "json", "--year", "2099").output) == []
    path.write_text("The group meets on March 1.\n", encoding="utf-8")
    assert len(json.loads(run("capture", str(path), "--format", "json", "--date", "2026-02-16").output)) == 1
    assert json.loads(run("capture", str(path), "--format", "json", "--date", "2026-03-02").output) == []
    assert run("capture", str(path), "--year", "2026", "--date", "2026-02-16").exit_code != 0


def test_csv_and_table(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("如果谈崩,美国可能重新收紧限制。去年已经收紧。", encoding="utf-8")
    assert run("capture", str(path), "--format", "csv").output == (
        "quote,start,end,hedge,band,probability,condition,horizon\n"
        '"如果谈崩,美国可能重新收紧限制。",0,16,可能,0.3-0.7,0.5,如果谈崩,\n')
    table = run("capture", str(path)).output.splitlines()
    assert table[0].split() == ["n", "start", "end", "hedge", "band", "probability", "condition", "horizon", "quote"]
    assert table[2].split() == ["1", "0", "16", "可能", "0.3-0.7", "0.5", "如果谈崩,美国可能重新收紧限制。"][:6] + [
        "如果谈崩", "如果谈崩,美国可能重新收紧限制。"]
    assert table[-1] == f"1 candidate(s) in {path}"


@pytest.mark.parametrize("content, args, message", [
    (b"\xff\xfeabc", (), r"a\.txt: not UTF-8 text: byte 0 \(0xff\) cannot be decoded"),
    (b"  \n ", (), r"a\.txt: empty: no text to capture"),
    (b"GIF89a\x00\x01", (), r"a\.txt: a binary file \(a NUL byte at byte 6\), not plain text"),
    (None, (), r"nowhere\.txt: no such file"),
    (b"It will rain.", ("--lang", "fr"), r"Invalid value for '--lang': 'fr' is not one of 'auto', 'zh', 'en'"),
    (b"It will rain.", ("--write", "--source", SOURCE, "--pick", "2"), r"--pick: 2 is out of range: there are 1 "
                                                                       r"candidates \(1-1\)"),
    (b"It will rain.", ("--write", "--source", SOURCE, "--pick", "x" * 500), r"--pick: expected candidate numbers "
                                                                             r"like 1,3,5, got 'x{38}…$"),
    (b"It will rain.", ("--write", "--source", "no-such-source", "--all"), r"--source: no source with id "
                                                                           r"'no-such-source' under .*sources"),
    (b"It will rain.", ("--write", "--source", SOURCE), r"choose the candidates to write with --pick 1,3,5 or --all"),
    (b"It will rain.", ("--write",), r"--write needs --source ID"),
    (b"It rained.", ("--write", "--source", SOURCE, "--all"), r"a\.txt: no candidate statements found"),
])
def test_bad_input_is_a_clear_error(tmp_path, article_store, content, args, message):
    path = tmp_path / ("a.txt" if content is not None else "nowhere.txt")
    if content is not None:
        path.write_bytes(content)
    result = run("capture", str(path), *args, "--store", str(article_store))
    assert result.exit_code != 0
    assert re.search(message, result.output.strip().splitlines()[-1]), result.output


def test_a_huge_file_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 5_000_001)
    result = run("capture", str(path))
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: too large: more than 5,000,000 bytes; split the text and capture each part\n"


def test_capture_imports_no_pandas(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("明年很可能会降息。", encoding="utf-8")
    code = ("import sys; from forecastbook.cli import main\n"
            "for fmt in ('table', 'json', 'csv'):\n"
            "    try: main(['capture', %r, '--format', fmt])\n"
            "    except SystemExit: pass\n"
            "print(sorted(m for m in ('pandas', 'matplotlib', 'scipy') if m in sys.modules))") % str(path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


# --- drafts ---------------------------------------------------------------------------------------

@pytest.fixture
def seed_copy(tmp_path, seed_text):
    path = tmp_path / "article.txt"
    path.write_text(seed_text, encoding="utf-8")
    return path


def test_drafts_are_written_validated_and_left_out_of_due_and_scores(seed_copy, article_store):
    result = run("capture", str(seed_copy), "--write", "--source", SOURCE, "--pick", "24,8", "--folder", "drafts",
                 "--store", str(article_store))
    assert result.exit_code == 0, result.output
    written = [article_store / "drafts" / f"draft-{SOURCE}-{n}.yaml" for n in (24, 8)]
    assert result.output == "".join(f"wrote {p}\n" for p in written)
    store = load_store(article_store)
    hedged, flat = (store.questions[f"draft-{SOURCE}-{n}"] for n in (24, 8))
    assert hedged.draft and hedged.source.quote == "要是谈不拢,或者美国觉得目的达到了,大概率会重新收紧限制,甚至加码。"
    assert hedged.source.locator == "characters 1780-1814 of article.txt"
    (f,) = hedged.forecasts
    assert (f.by, f.probability, f.verbal, f.at.isoformat()) == ("moyunlanting", 0.875, "大概率", "2026-02-13T11:51:37+08:00")
    assert flat.forecasts == [] and str(flat.created) == "2026-02-13"

    out = run("validate", "--store", str(article_store)).output
    draft_lines = [line.split(": warning: ", 1)[1] for line in out.splitlines() if f"draft-{SOURCE}-24" in line]
    assert draft_lines == [
        "resolution_sources: none given: say where the answer will be found",
        "criteria: still the draft's placeholder: write criteria two strangers would resolve the same way",
        "criteria: names no date or year: say by when",
        "closes: still the draft's placeholder (the day it was created): set the real date",
        "resolve_by: still the draft's placeholder (the day it was created): set the real date",
        "draft: a draft captured from a text: not scored and not listed by due until it is finished and "
        "'draft: true' is removed",
    ]
    assert run("validate", "--store", str(article_store)).exit_code == 0
    assert run("validate", "--strict", "--store", str(article_store)).exit_code == 1
    due = run("due", "--store", str(article_store), "--as-of", "2026-11-27").output
    assert "draft-" not in due
    from forecastbook.evaluate import exclusions
    from forecastbook.frames import binary_forecasts, questions_frame
    assert not questions_frame(store, as_of="2026-11-27")["id"].str.startswith("draft-").any()
    assert not binary_forecasts(store, as_of="2026-11-27")["question_id"].str.startswith("draft-").any()
    assert exclusions(store, as_of="2026-11-27")["forecast_questions"].tolist() == [3]
    shown = run("show", "--store", str(article_store), "--as-of", "2026-11-27", f"draft-{SOURCE}-24").output
    assert shown.splitlines()[1].startswith("DRAFT: captured from a text and not finished")


def test_drafts_are_all_or_nothing(seed_copy, article_store):
    assert run("capture", str(seed_copy), "--write", "--source", SOURCE, "--pick", "3",
               "--store", str(article_store)).exit_code == 0
    before = sorted(p.name for p in article_store.rglob("*.yaml"))
    result = run("capture", str(seed_copy), "--write", "--source", SOURCE, "--pick", "23,3",
                 "--store", str(article_store))
    assert result.exit_code == 1
    assert result.output == f"Error: a question with id 'draft-{SOURCE}-3' exists already; nothing was written\n"
    assert sorted(p.name for p in article_store.rglob("*.yaml")) == before


def test_drafts_chosen_on_a_terminal(seed_copy, article_store, monkeypatch):
    monkeypatch.setattr("forecastbook.cli._on_terminal", lambda: True)
    result = run("capture", str(seed_copy), "--write", "--source", SOURCE, "--store", str(article_store), input="3\n")
    assert result.exit_code == 0, result.output
    assert "Candidates to write as drafts (e.g. 1,3,5, or all): 3" in result.output
    assert result.output.endswith(f"wrote {article_store / f'draft-{SOURCE}-3.yaml'}\n")


# --- the notebook display ---------------------------------------------------------------------------

def test_candidates_frame_marks_the_quotes_escaped():
    text = "<script>x</script> 去年加征了关税。明年很可能会再加。"
    frame = candidates(text)
    assert frame.columns.tolist() == ["quote", "start", "end", "hedge", "band", "probability", "condition", "horizon"]
    assert frame[["start", "end", "hedge"]].values.tolist() == [[27, 36, "很可能"]]
    html = frame._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<mark title='1: 很可能 (0.8-0.95); when: 明年' style='background:#fde68a'><sup>1</sup>明年很可能会再加。</mark>" in html
    assert "<mark" not in frame[["quote"]]._repr_html_()  # without the columns, a plain table
