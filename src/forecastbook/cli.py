"""The command line: a thin click layer over the library. Parse, call, print, exit code.

Every command takes ``--store`` (default ``$FORECASTBOOK_STORE`` or ``./forecasts``).
Library errors become ``Error: …`` on stderr with exit code 1, never a traceback.
Commands that do not plot never import pandas or matplotlib.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import sys
from pathlib import Path

import click

from typing import TYPE_CHECKING

from . import queries, textview

if TYPE_CHECKING:
    from .store import Store

# The records (pydantic models) load only when a command reads a store: --help stays fast.
STORE_ENV = "FORECASTBOOK_STORE"  # store.STORE_ENV (a test keeps the two equal)


def load_store(path: Path) -> Store:
    """:func:`forecastbook.store.load_store`, imported on first use."""
    from .store import load_store as load

    return load(path)

FORMATS = click.Choice(["table", "csv", "json"])


class IsoDate(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"expected a date as YYYY-MM-DD, got {value!r}", param, ctx)


DATE = IsoDate()


def _echo(message: object = "", **kwargs) -> None:  # noqa: ANN003
    """``click.echo`` with control characters neutralised: record text never moves the
    cursor, clears the screen or retitles the terminal."""
    from .textview import terminal_safe

    click.echo(terminal_safe(str(message)), **kwargs)


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


_store_path_option = click.option(
    "--store", "store_path", type=click.Path(path_type=Path), envvar=STORE_ENV,
    default="forecasts", show_default=True, show_envvar=True,
    help="The folder of records.",
)


def _no_cache(ctx: click.Context, param: click.Parameter, value: bool) -> None:  # noqa: ARG001
    """Read the store without its cache for the rest of this command."""
    if value:
        from ._cache import disabled

        token = disabled.set(True)
        ctx.call_on_close(lambda: disabled.reset(token))


_no_cache_option = click.option(
    "--no-cache", is_flag=True, expose_value=False, callback=_no_cache, is_eager=True,
    help="Read every record file, ignoring the store's cache (also: FORECASTBOOK_NO_CACHE=1).",
)


def store_option(command):  # noqa: ANN001, ANN201
    """``--store`` and ``--no-cache``, for every command that reads a store."""
    return _store_path_option(_no_cache_option(command))
as_of_option = click.option("--as-of", type=DATE, default=None, help="Date to judge status by [default: today, UTC].")


def _usable_store(path: Path) -> Store:
    """Load a store for a command that needs clean records; errors end the command."""
    from .store import load_store

    store = _frozen(lambda: load_store(path))
    _stop_on_errors(path, store.errors)
    return store


def _listed(path: Path) -> list[queries.QuestionLine]:
    """The questions of a store without errors, as ``list`` and ``due`` show them."""
    from .files import list_store

    listing = _frozen(lambda: list_store(path))
    _stop_on_errors(path, listing.errors)
    return listing.lines


def _frozen(read):  # noqa: ANN001, ANN202
    """What ``read()`` gives, built without the cyclic garbage collector and kept out of
    its scans: it lives until the command ends and holds no cycles."""
    import gc

    gc.disable()
    try:
        return read()
    finally:
        gc.freeze()
        gc.enable()


def _stop_on_errors(path: Path, errors: list) -> None:
    """Print ``errors`` and end the command, if there are any."""
    if errors:
        _echo("\n".join(str(p) for p in errors), err=True)
        raise click.ClickException(f"{len(errors)} error(s) in {path}; fix them first (forecastbook validate lists them)")


class _Group(click.Group):
    """A command group whose --help gives each command's first sentence whole."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


click.Group.group_class = _Group  # subgroups (import, forecaster, source) too


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="forecastbook")
def main() -> None:
    """Keep forecasts honest: records, resolution and scores."""


@main.command()
@store_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True,
              help="github: workflow commands that annotate a pull request's lines; json: one object per problem.")
def validate(store_path: Path, strict: bool, fmt: str) -> None:
    """Check every record in the store; list every problem as FILE:LINE:COL.

    Coherence of related forecasts and lints of the records are warnings.
    """
    from .files import check_store
    from .problems import github_annotation

    checked = check_store(store_path)
    found = checked.problems
    if fmt == "json":
        _echo(json.dumps([dataclasses.asdict(p) for p in found], ensure_ascii=False, indent=1))
    if fmt != "json" and found:  # one write: a large store has tens of thousands of lines
        _echo("\n".join(str(p) if fmt == "text" else github_annotation(p) for p in found))
    n_err = sum(p.severity == "error" for p in found)
    n_warn = len(found) - n_err
    in_bulk = f", {checked.bulk_forecasts} forecasts in Parquet" if checked.bulk_forecasts is not None else ""
    summary = (f"{checked.questions} questions, {checked.forecasters} forecasters, "
               f"{checked.sources} sources{in_bulk}: {n_err} error(s), {n_warn} warning(s)")
    _echo(summary, err=bool(found) or fmt == "json")
    if n_err or (strict and n_warn):
        sys.exit(1)


@main.command(name="list")
@store_option
@as_of_option
@click.option("--status", multiple=True, type=click.Choice(queries.STATUSES), help="Keep these statuses (repeatable).")
@click.option("--tag", multiple=True, help="Keep questions with this tag (repeatable).")
@click.option("--source", multiple=True, help="Keep questions from this source id (repeatable).")
@click.option("--forecaster", multiple=True, help="Keep questions forecast by this forecaster id (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def list_(store_path: Path, as_of: dt.date | None, status, tag, source, forecaster, fmt: str) -> None:
    """List questions with their status and latest forecast."""
    as_of = as_of or _today()
    lines = _listed(store_path)
    chosen = queries.select(lines, as_of=as_of, status=status, tag=tag, source=source, forecaster=forecaster)
    rows = [vars(r).copy() for r in queries.list_rows(chosen, as_of=as_of)]  # flat: no deep copy
    if fmt == "json":
        _echo(textview.to_json(rows))
    elif fmt == "csv":
        _echo(textview.to_csv(rows), nl=False)
    else:
        shown = [{k: r[k] for k in ("id", "kind", "status", "resolve_by", "n_forecasts", "latest", "title")} for r in rows]
        _echo(textview.table(shown, max_width=60))
        _echo(f"\n{len(rows)} of {len(lines)} questions (as of {as_of})")


@main.command()
@store_option
@as_of_option
@click.argument("question_id")
def show(store_path: Path, as_of: dt.date | None, question_id: str) -> None:
    """Show one question: criteria, source words, forecasts and conditional tree."""
    store = _usable_store(store_path)
    if question_id not in store.questions:
        raise click.ClickException(f"no question with id '{question_id}' in {store_path}")
    _echo(textview.show_question(store, store.questions[question_id], as_of=as_of or _today()))


@main.command()
@click.argument("kind", type=click.Choice(["question", "source", "forecaster"]), default="question")
def schema(kind: str) -> None:
    """Print the JSON Schema of a record kind (for editors that validate YAML)."""
    from .records import json_schema

    _echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))



# --- the resolution round -------------------------------------------------------------------

def _edit(action, *args, **kwargs):  # noqa: ANN001, ANN201
    """Run a library edit; a refused change becomes a clear error and exit 1. An edit
    interrupted earlier is finished first, and the user is told."""
    from .edits import EditError, recover, store_lock

    store_path = kwargs.pop("store_path", None)
    try:
        if store_path is not None and Path(store_path).is_dir():
            with store_lock(Path(store_path)):
                done = recover(Path(store_path))
            if done:
                _echo(done)
        return action(*args, **kwargs)
    except EditError as exc:
        for p in exc.problems:
            _echo(str(p), err=True)
        raise click.ClickException(str(exc).splitlines()[0]) from None
    except OSError as exc:  # a read-only store, a full disk, a path too long: nothing was changed
        where = f"{str(exc.filename)[:200]}: " if exc.filename else ""
        raise click.ClickException(f"{where}{exc.strerror or exc}; no file was changed") from None


def _changed(paths: list[Path], report: list[tuple[str, str]] | None = None) -> None:
    for qid, what in report or []:
        _echo(f"{qid}: {what}")
    for path in paths:
        _echo(f"changed {path}")


@main.command()
@store_option
@as_of_option
@click.option("--within", type=click.IntRange(min=0, max=36500), default=0, show_default=True,
              help="Also list questions coming due within this many days.")
@click.option("--check", is_flag=True, help="Exit 1 when any question is overdue (for a scheduled job).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown: the body of an issue listing what is due, with links.")
def due(store_path: Path, as_of: dt.date | None, within: int, check: bool, fmt: str) -> None:
    """Unresolved questions past their resolve-by date, oldest first, with where to look."""
    as_of = as_of or _today()
    rows = queries.due_of(_listed(store_path), as_of=as_of, within=within)
    if fmt == "markdown":
        from .textview import due_markdown

        _echo(due_markdown(rows, as_of=as_of, within=within))
        if check and any(state == "overdue" for _, state in rows):
            sys.exit(1)
        return
    lines = []  # written at once: a large store has tens of thousands
    for q, state in rows:
        days = (as_of - q.resolve_by).days
        when = (f"overdue: was due by {q.resolve_by}, {days} day(s) ago" if state == "overdue"
                else f"due by {q.resolve_by}, in {-days} day(s)" if days < 0 else f"due by {q.resolve_by}, today")
        lines += [f"{q.id}  [{when}]", f"    {q.title}"]
        lines += [f"    - {source}" for source in q.resolution_sources or ["(no resolution sources given)"]]
        if q.last_search:
            day, text = q.last_search[0], " ".join(q.last_search[1].split())
            lines.append(f"    last searched {day}: {text if len(text) <= 200 else text[:199] + '…'}")
    if lines:
        _echo("\n".join(lines))
    n_overdue = sum(state == "overdue" for _, state in rows)
    coming = f", {len(rows) - n_overdue} coming due within {within} day(s)" if within else ""
    _echo(f"{n_overdue} overdue{coming}, as of {as_of}")
    if check and n_overdue:
        sys.exit(1)


def _evidence_entries(urls, quotes, published, retrieved, no_quote, evidence_file) -> list:  # noqa: ANN001
    """Pair the repeated --evidence/--quote/--published/--retrieved options, in order."""
    from pydantic import ValidationError

    from .records import Evidence
    from .store import parse_yaml, pydantic_findings

    n = len(urls)
    if len(quotes) > n or (len(quotes) < n and not no_quote):
        raise click.UsageError(f"give one --quote per --evidence, in the same order (or --no-quote REASON for the "
                               f"rest): got {n} --evidence and {len(quotes)} --quote")
    if len(published) not in (0, n):
        raise click.UsageError(f"give one --published per --evidence, in the same order: got {n} and {len(published)}")
    if len(retrieved) not in (0, 1, n):
        raise click.UsageError(f"give --retrieved once (for all) or once per --evidence: got {n} and {len(retrieved)}")
    today = _today()
    entries = []
    for i, url in enumerate(urls):
        entries.append(Evidence(
            url=url, quote=quotes[i] if i < len(quotes) else None,
            no_quote=no_quote if i >= len(quotes) else None,
            published=published[i] if published else None,
            retrieved=(retrieved[i] if len(retrieved) == n else retrieved[0]) if retrieved else today))
    if evidence_file is not None:
        try:
            data, _ = parse_yaml(evidence_file.read_text(encoding="utf-8"))
        except Exception as exc:  # noqa: BLE001  any unreadable file is the user's to fix
            raise click.UsageError(f"{evidence_file}: cannot read it as YAML: {str(exc)[:200]}") from None
        if not isinstance(data, list):
            raise click.UsageError(f"{evidence_file}: expected a YAML list of evidence entries (url, quote, published, retrieved)")
        for i, item in enumerate(data):
            try:
                entry = Evidence.model_validate({"retrieved": today, **item} if isinstance(item, dict) else item)
            except ValidationError as exc:
                why = "; ".join(f"{'.'.join(map(str, f.loc))}: {f.message}" for f in pydantic_findings(exc))
                raise click.UsageError(f"{evidence_file}: entry {i}: {why}") from None
            entries.append(entry)
    return entries


@main.command()
@store_option
@click.argument("question_id")
@click.argument("outcome", required=False)
@click.option("--evidence", "evidence", multiple=True, metavar="URL",
              help="An http(s) page that shows the outcome (repeatable).")
@click.option("--quote", "quotes", multiple=True, help="The words on that page that settle it, verbatim (one per --evidence).")
@click.option("--published", multiple=True, type=DATE, help="The page's publication date (one per --evidence).")
@click.option("--retrieved", multiple=True, type=DATE, help="When the page was read [default: today]; once, or one per --evidence.")
@click.option("--no-quote", metavar="REASON", help="Why an --evidence has no quote (e.g. a data table).")
@click.option("--evidence-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A YAML list of evidence entries (url, quote, published, retrieved), for long quotes.")
@click.option("--note", help="Anything a later reader needs to know.")
@click.option("--at", type=DATE, help="Resolution date [default: today, UTC].")
@click.option("--known", type=DATE, help="The day the outcome became known, if earlier: later forecasts are not scored.")
@click.option("--by", help="Who resolved it.")
@click.option("--ambiguous", is_flag=True, help="The event is past but the criteria cannot settle it (say why in --note).")
def resolve(store_path: Path, question_id: str, outcome: str | None, evidence, quotes, published, retrieved, no_quote,
            evidence_file, note, at, known, by, ambiguous) -> None:
    """Resolve a question with evidence: OUTCOME is yes/no, an outcome name, a number, a
    date (YYYY-MM-DD), or a probability of yes (a probabilistic resolution).

    Each --evidence is paired with the --quote (and --published) in the same position.
    Questions conditional on this one whose condition failed are annulled, with the reason.
    """
    from .resolve import resolve as resolve_question

    if ambiguous == (outcome is not None):
        raise click.UsageError("give an OUTCOME, or --ambiguous with --note saying why the criteria cannot settle it")
    entries = _evidence_entries(evidence, quotes, published, retrieved, no_quote, evidence_file)
    if not ambiguous and not entries:
        raise click.UsageError("a resolution needs evidence: --evidence URL --quote WORDS --published DATE")
    report: list[tuple[str, str]] = []
    paths = _edit(resolve_question, store_path, question_id, outcome or "", evidence=entries, note=note, at=at,
                  known=known, by=by, status="ambiguous" if ambiguous else "resolved", report=report,
                  store_path=store_path)
    _changed(paths, report)


@main.command()
@store_option
@click.argument("question_id")
@click.option("--reason", required=True, help="Why the question is annulled (kept in the record).")
@click.option("--at", type=DATE, help="Date [default: today, UTC].")
def annul(store_path: Path, question_id: str, reason: str, at) -> None:
    """Annul a question (and, in cascade, the questions conditional on it)."""
    from .resolve import annul as annul_question

    report: list[tuple[str, str]] = []
    _changed(_edit(annul_question, store_path, question_id, reason=reason, at=at, report=report,
                   store_path=store_path), report)


@main.command()
@store_option
@click.argument("question_id")
@click.option("--reason", required=True, help="Why the resolution is withdrawn (kept in the history).")
def unresolve(store_path: Path, question_id: str, reason: str) -> None:
    """Withdraw a resolution; the old one and the reason stay in the record's history.

    The annulments that the resolution cascaded are withdrawn too.
    """
    from .resolve import unresolve as unresolve_question

    report: list[tuple[str, str]] = []
    _changed(_edit(unresolve_question, store_path, question_id, reason=reason, report=report,
                   store_path=store_path), report)


@main.command()
@store_option
@click.argument("question_id")
@click.argument("text")
@click.option("--kind", type=click.Choice(["search", "review", "note"]), default="note", show_default=True,
              help="search: what was searched and found nothing yet; review: a flaw seen in hindsight.")
@click.option("--query", "queries", multiple=True, help="Search notes: one query as run, with where (repeatable).")
@click.option("--at", type=DATE, help="Date [default: today, UTC].")
@click.option("--by", help="Who wrote it.")
def note(store_path: Path, question_id: str, text: str, kind: str, queries, at, by) -> None:
    """Keep a dated note with a question (open or resolved); nothing else changes."""
    from .resolve import add_note

    _changed(_edit(add_note, store_path, question_id, text, kind=kind, queries=list(queries), at=at, by=by,
                   store_path=store_path))


@main.command()
@store_option
def repair(store_path: Path) -> None:
    """Complete (or undo) an edit that was interrupted before all its files were written."""
    from .edits import EditError, recover, store_lock

    try:
        with store_lock(store_path):
            done = recover(store_path)
    except EditError as exc:
        raise click.ClickException(str(exc)) from None
    _echo(done or "nothing to repair: no edit was interrupted")


class Timestamp(click.ParamType):
    name = "TIMESTAMP"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"expected a timestamp such as 2026-03-01T09:00:00+08:00, got {value!r}", param, ctx)
        if stamp.tzinfo is None:
            self.fail(f"the timestamp needs a time zone, e.g. {value}+00:00", param, ctx)
        from .records import FIRST_DAY, LAST_DAY

        try:
            day = stamp.astimezone(dt.timezone.utc).date()
        except OverflowError:
            day = dt.date.max
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(f"must be between {FIRST_DAY} and {LAST_DAY}, got {value[:40]}", param, ctx)
        return stamp


@main.command()
@store_option
@click.argument("question_id")
@click.argument("value")
@click.option("--by", required=True, help="Forecaster id (a record under forecasters/).")
@click.option("--at", type=Timestamp(), help="When it was made, with a time zone [default: now].")
@click.option("--rationale", help="Why.")
@click.option("--verbal", help="The words the probability was read from.")
@click.option("--derived", help="How the probability was read from the words.")
def forecast(store_path: Path, question_id: str, value: str, by: str, at, rationale, verbal, derived) -> None:
    """Add a forecast: 0.7 (binary), a=0.2,b=0.8 (categorical), 0.1=5,0.5=9,0.9=14 (quantiles)."""
    from .resolve import add_forecast

    _changed(_edit(add_forecast, store_path, question_id, value, by=by, at=at, rationale=rationale,
                   verbal=verbal, derived=derived, store_path=store_path))


def _interactive() -> bool:
    """Whether to ask for what is missing (a person at a terminal) or to list it."""
    return sys.stdin.isatty()


def _ask_or_refuse(values: dict, asked: list[tuple[str, str, str, object]]) -> dict:
    """Fill the missing ``asked`` values (key, option, prompt, type) by asking on a
    terminal; elsewhere refuse, naming every missing option at once."""
    missing = [item for item in asked if values.get(item[0]) in (None, "")]
    if missing and not _interactive():
        raise click.UsageError("missing " + ", ".join(option for _, option, _, _ in missing)
                               + " (give them as options, or run the command on a terminal to be asked)")
    for key, _, label, kind in missing:
        values[key] = click.prompt(label, type=kind, default="binary" if key == "kind" else None)
    return values


@main.command()
@store_option
@click.option("--id", "qid", help="The question's id and file name (a lowercase slug).")
@click.option("--title", help="The question, in one line.")
@click.option("--kind", type=click.Choice(["binary", "categorical", "numeric", "date"]), help="[default: binary]")
@click.option("--criteria", help="Resolution criteria: precise, with a date.")
@click.option("--closes", type=DATE, help="Forecasts after this day (UTC) are not scored.")
@click.option("--resolve-by", type=DATE, help="After this day an unresolved question is overdue.")
@click.option("--created", type=DATE, help="[default: today, UTC]")
@click.option("--source-url", "resolution_sources", multiple=True, help="Where the answer will be found (repeatable).")
@click.option("--outcomes", help="Categorical: outcome names, comma-separated.")
@click.option("--ordered", is_flag=True, help="Categorical: the outcomes are ordered.")
@click.option("--unit", help="Numeric: the unit.")
@click.option("--tag", "tags", multiple=True)
@click.option("--folder", help="Sub-folder of the store to put the file in.")
@click.option("--source", "source_ref", help="Provenance: the id of the source record that made the claim.")
@click.option("--quote", help="Provenance: the source's own words, in its language.")
@click.option("--translation", help="Provenance: an English translation of the words.")
@click.option("--locator", help="Provenance: where in the source (paragraph, page, line).")
@click.option("--forecast", "forecast_value", help="A first forecast: 0.7, a=0.2,b=0.8 or 0.1=5,0.5=9,0.9=14.")
@click.option("--by", help="Who made the first forecast (a forecaster id).")
@click.option("--at", type=Timestamp(), help="When the first forecast was made, with a time zone [default: now].")
@click.option("--verbal", help="The words the first forecast was read from.")
@click.option("--derived", help="How the probability was read from the words.")
def new(store_path: Path, qid, title, kind, criteria, closes, resolve_by, created, resolution_sources, outcomes,
        ordered, unit, tags, folder, source_ref, quote, translation, locator, forecast_value, by, at, verbal,
        derived) -> None:
    """Scaffold a question that validates as written; on a terminal it asks for what is
    missing, elsewhere it lists the missing options."""
    from .resolve import new_question

    given = _ask_or_refuse({"qid": qid, "title": title, "kind": kind, "criteria": criteria, "closes": closes,
                            "resolve_by": resolve_by},
                           [("qid", "--id", "Id (a lowercase slug)", str), ("title", "--title", "Title", str),
                            ("kind", "--kind", "Kind", click.Choice(["binary", "categorical", "numeric", "date"])),
                            ("criteria", "--criteria", "Resolution criteria (with a date)", str),
                            ("closes", "--closes", "Closes (YYYY-MM-DD)", DATE),
                            ("resolve_by", "--resolve-by", "Resolve by (YYYY-MM-DD)", DATE)])
    if (source_ref is None) != (quote is None):
        raise click.UsageError("provenance needs both --source (the source record's id) and --quote (its words)")
    if (forecast_value is None) != (by is None):
        raise click.UsageError("a first forecast needs both --forecast VALUE and --by FORECASTER")
    fields = {"id": given["qid"], "title": given["title"], "kind": given["kind"], "criteria": given["criteria"],
              "created": created or _today(), "closes": given["closes"], "resolve_by": given["resolve_by"],
              "resolution_sources": list(resolution_sources), "tags": list(tags)}
    if outcomes:
        fields["outcomes"] = [o.strip() for o in outcomes.split(",") if o.strip()]
    if ordered:
        fields["ordered"] = True
    if unit:
        fields["unit"] = unit
    if source_ref is not None:
        fields["source"] = {k: v for k, v in (("ref", source_ref), ("quote", quote), ("translation", translation),
                                              ("locator", locator)) if v is not None}
    first = None
    if forecast_value is not None:
        first = {"value": forecast_value, "by": by, "at": at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
                 "verbal": verbal, "derived": derived}
    path = _edit(new_question, store_path, fields, folder=folder, first_forecast=first, store_path=store_path)
    _echo(f"wrote {path}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--team", default="Our team", show_default=True, help="The team's name, for the README and its forecaster.")
@click.option("--forecaster", "forecaster_id", default="team", show_default=True, help="The team's forecaster id.")
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
def init(folder: Path, team: str, forecaster_id: str, force: bool, dry_run: bool) -> None:
    """Start a forecasts repository in FOLDER: a store that validates, notebooks, a README,
    CI, report and due workflows, pre-commit, pinned requirements."""
    from . import scaffold
    from .edits import EditError

    try:
        files = scaffold.plan(team=team, forecaster=forecaster_id)
        if dry_run:
            for rel in files:
                _echo(f"would write {folder / rel}" + ("  (exists: --force overwrites)" if (folder / rel).exists() else ""))
            return
        written = scaffold.write(folder, files, force=force)
    except (ValueError, EditError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{str(exc.filename)[:200]}: {exc.strerror}; nothing was written") from None
    for path in written:
        _echo(f"wrote {path}")
    _echo(f"next: cd {folder} && git init, then follow README.md")


def _new_record(kind: str, store_path: Path, fields: dict) -> None:
    from .resolve import new_record

    path = _edit(new_record, store_path, kind, {k: v for k, v in fields.items() if v not in (None, "")},
                 store_path=store_path)
    _echo(f"wrote {path}")


@main.group()
def forecaster() -> None:
    """Forecaster records: the people, teams, models and baselines who forecast."""


@forecaster.command(name="add")
@store_option
@click.argument("forecaster_id")
@click.option("--name", help="The name shown on pages (asked on a terminal if missing).")
@click.option("--kind", type=click.Choice(["person", "team", "model", "crowd", "baseline"]), default="person",
              show_default=True)
@click.option("--description")
@click.option("--url")
def forecaster_add(store_path: Path, forecaster_id: str, name, kind, description, url) -> None:
    """Add a forecaster record (forecasters/ID.yaml); refuses to overwrite one."""
    given = _ask_or_refuse({"name": name}, [("name", "--name", "Name", str)])
    _new_record("forecaster", store_path, {"id": forecaster_id, "name": given["name"], "kind": kind,
                                           "description": description, "url": url})


@main.group()
def source() -> None:
    """Source records: the articles, reports and meetings where forecasts were said."""


@source.command(name="add")
@store_option
@click.argument("source_id")
@click.option("--title", help="The source's title, as published (asked on a terminal if missing).")
@click.option("--kind", type=click.Choice(["article", "report", "memo", "meeting", "dataset", "other"]),
              default="article", show_default=True)
@click.option("--published", help="When it was published: a date, or a timestamp with a time zone.")
@click.option("--author")
@click.option("--publisher")
@click.option("--language", help="A BCP 47 tag, e.g. zh-Hans or en.")
@click.option("--url")
@click.option("--locator", help="Where a copy of the text is kept.")
@click.option("--note")
def source_add(store_path: Path, source_id: str, title, kind, published, author, publisher, language, url, locator,
               note) -> None:
    """Add a source record (sources/ID.yaml); refuses to overwrite one."""
    given = _ask_or_refuse({"title": title, "published": published},
                           [("title", "--title", "Title", str), ("published", "--published", "Published (YYYY-MM-DD)", str)])
    _new_record("source", store_path, {"id": source_id, "kind": kind, "title": given["title"],
                                       "published": given["published"], "author": author, "publisher": publisher,
                                       "language": language, "url": url, "locator": locator, "note": note})


@main.command()
@store_option
@as_of_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default="report", show_default=True,
              help="Folder for the HTML report.")
@click.option("--notebooks", "notebooks_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="Folder of the notebooks [default: the repository's notebooks/].")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the resampled bands.")
@click.option("--demo", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="A simulated store whose scoreboard and calibration pages go beside the store's own "
                   "[default: the repository's examples/simulated, if there].")
@click.option("--no-demo", is_flag=True, help="Make no pages for a simulated store.")
def report(store_path: Path, as_of: dt.date | None, out: Path, notebooks_dir: Path | None, seed: int,
           demo: Path | None, no_demo: bool) -> None:
    """The main job: validate, summarise, run the notebooks on the store, write HTML."""
    from . import coherence
    from .report import summary_text, write_report

    as_of = as_of or _today()
    store = _usable_store(store_path)
    warnings = [*store.warnings, *coherence.problems(store)]
    _echo(f"validated {store_path}: 0 errors, {len(warnings)} warning(s)")
    for p in warnings:
        _echo(f"  {p}")
    summary = summary_text(store, as_of=as_of)
    _echo(summary)
    from .report import bundled_notebooks

    notebooks_dir = notebooks_dir or bundled_notebooks()
    if notebooks_dir is None or not (notebooks_dir / "article.ipynb").exists():
        raise click.ClickException(f"no notebooks in {notebooks_dir}; pass --notebooks DIR")
    if no_demo:
        demo = None
    elif demo is None:
        default = Path(__file__).resolve().parents[2] / "examples" / "simulated"
        demo = default if default.is_dir() else None
    if demo is not None and Path(demo).resolve() == Path(store_path).resolve():
        demo = None  # the store is the demo: its own pages are the simulated ones
    from .report import ReportError

    try:
        from .display import is_simulated

        read = {store_path: store, **({demo: load_store(demo)} if demo is not None else {})}  # once per run
        index = write_report(store_path, as_of=as_of, out=out, notebooks_dir=notebooks_dir, summary=summary,
                             seed=seed, demo=demo, simulated=is_simulated(store), progress=_echo, read=read)
    except ReportError as exc:
        raise click.ClickException(f"the report was not written: {exc}") from None
    _echo(f"report written: {index}")


# --- importers ------------------------------------------------------------------------------------

@main.group(name="import")
def import_() -> None:
    """Bring other formats in as a store."""


def _fb_files(func):  # noqa: ANN001, ANN202
    func = click.option("--forecasts", "forecasts", multiple=True, required=True,
                        type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="A forecast set (repeatable; .json or .json.gz).")(func)
    func = click.option("--resolutions", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="The resolution set (.json or .json.gz).")(func)
    return click.option("--questions", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="The question set (.json or .json.gz).")(func)


def _fb_call(action, *args, **kwargs):  # noqa: ANN001, ANN201
    try:
        return action(*args, **kwargs)
    except (KeyError, TypeError, ValueError, AttributeError, EOFError, FileExistsError, OSError) as exc:
        what = f"missing field {str(exc)[:80]}" if isinstance(exc, KeyError) else str(exc)[:400]
        raise click.ClickException(f"cannot read the ForecastBench files: {what}") from None


forecasts_in_option = click.option(
    "--forecasts-in", "forecasts_in", type=click.Choice(["auto", "yaml", "parquet"]), default="auto",
    show_default=True, help="Where the forecasts go: auto puts more than 10,000 in forecasts.parquet files "
                            "(needs pyarrow), else in the question records.")


def _bulk_note(out: Path) -> str:
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*forecasts.parquet"))
    return f"\nforecasts in {', '.join(files)}" if files else ""


@import_.command(name="forecastbench")
@_fb_files
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new folder for the store.")
@forecasts_in_option
def import_forecastbench(questions: Path, resolutions: Path, forecasts, out: Path, forecasts_in: str) -> None:
    """Import a ForecastBench round (questions, resolutions, forecast sets) as a store."""
    from .importers.forecastbench import import_round

    counts = _fb_call(import_round, questions, resolutions, list(forecasts), out, forecasts_in=forecasts_in)
    _echo(f"wrote {out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + _bulk_note(out))


out_option = click.option("--out", required=True, type=click.Path(path_type=Path), help="A new folder for the store.")
tz_option = click.option("--tz", default="UTC", show_default=True,
                         help="The time zone of timestamps written without one (an IANA name).")


def _import(parse, *args, out: Path, forecasts_in: str = "auto", **kwargs) -> None:  # noqa: ANN001
    """Parse with an importer, write the store all or nothing, print the counts."""
    from .importers.common import ImportFailed, report, write_store

    try:
        bundle = parse(*args, **kwargs)
        write_store(bundle, out, forecasts_in=forecasts_in)
    except (ImportFailed, FileExistsError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or out}: {exc.strerror or exc}") from None
    _echo(f"wrote {out}\n{report(bundle)}")


@import_.command(name="fatebook")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@out_option
@forecasts_in_option
@tz_option
def import_fatebook(export: Path, out: Path, tz: str, forecasts_in: str) -> None:
    """Import a Fatebook CSV export (fatebook-forecasts.csv)."""
    from .importers import fatebook

    _import(fatebook.parse, export, out=out, forecasts_in=forecasts_in, tz=tz)


@import_.command(name="manifold")
@click.argument("markets", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bets", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A /v0/bets response (repeatable); each bet by a known user becomes a forecast.")
@out_option
@forecasts_in_option
def import_manifold(markets, bets, out: Path, forecasts_in: str) -> None:
    """Import Manifold markets (/v0/market JSON, one or a list per file) and their bets."""
    from .importers import manifold

    _import(manifold.parse, list(markets), list(bets), out=out, forecasts_in=forecasts_in)


@import_.command(name="metaculus")
@click.argument("posts", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", default="https://www.metaculus.com", show_default=True,
              help="The server the posts came from (for page addresses).")
@out_option
@forecasts_in_option
def import_metaculus(posts, site: str, out: Path, forecasts_in: str) -> None:
    """Import Metaculus /api/posts/ JSON (a post or a list response per file)."""
    from .importers import metaculus

    _import(metaculus.parse, list(posts), out=out, forecasts_in=forecasts_in, site=site)


def _mapping(pairs) -> dict[str, str]:  # noqa: ANN001
    out = {}
    for pair in pairs:
        column, sep, name = pair.rpartition("=")
        if not sep or not column:
            raise click.BadParameter(f"expected COLUMN=FIELD, got {pair!r}", param_hint="--map")
        out[column] = name.strip()
    return out


@import_.command(name="csv")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "pairs", multiple=True, metavar="COLUMN=FIELD",
              help="Read COLUMN as FIELD (question, forecaster, at, probability, outcome, resolved_at, url).")
@click.option("--evidence-url", help="The page that shows the outcomes, for rows without a url.")
@out_option
@forecasts_in_option
@tz_option
def import_csv(table: Path, pairs, evidence_url, out: Path, tz: str, forecasts_in: str) -> None:
    """Import any table of binary forecasts: question, forecaster, at, probability[, outcome, resolved_at]."""
    from .importers import generic

    _import(generic.parse, table, out=out, forecasts_in=forecasts_in, mapping=_mapping(pairs), tz=tz, evidence_url=evidence_url)


@import_.command(name="hub")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", help="The model's id [default: the file name's part after its date].")
@out_option
@forecasts_in_option
def import_hub(file: Path, model, out: Path, forecasts_in: str) -> None:
    """Import forecast-hub quantiles (legacy COVID-19 hub CSV or hubverse model output)."""
    from .importers import hubs

    _import(hubs.parse, file, out=out, forecasts_in=forecasts_in, model=model)


EXPORT_FORMATS = ["csv", "jsonl", "parquet", "fatebook-csv", "metaculus-json"]


@main.command()
@store_option
@as_of_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="A tidy table (csv, jsonl, parquet) or a platform's format (binary questions).")
@click.option("--what", type=click.Choice(["questions", "forecasts", "scores"]), default="forecasts", show_default=True,
              help="Tidy tables: which frame.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to write.")
def export(store_path: Path, as_of, fmt: str, what: str, out: Path) -> None:
    """Write the store for other tools: tidy frames, a Fatebook CSV or Metaculus JSON."""
    from .exporters.common import write_atomic

    store = _usable_store(store_path)
    try:
        if fmt in ("csv", "jsonl", "parquet"):
            from .exporters.tables import encode, table

            frame = table(store, what, as_of=as_of or _today())
            write_atomic(out, encode(frame, fmt))
            summary = f"wrote: {len(frame)} rows of {what}"
        else:
            from .exporters import fatebook, metaculus

            text, done = (fatebook if fmt == "fatebook-csv" else metaculus).export(store)
            write_atomic(out, text.encode("utf-8"))
            summary = done.summary()
    except ImportError as exc:
        raise click.ClickException(f"{fmt} needs {exc.name}: pip install 'forecastbook[parquet]'") from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or out}: {exc.strerror or exc}") from None
    _echo(f"{out}: {summary}")


@import_.command(name="metaculus-api2")
@click.argument("questions", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@out_option
@forecasts_in_option
def import_metaculus_api2(questions, out: Path, forecasts_in: str) -> None:
    """Import legacy Metaculus /api2/questions/ JSON (binary questions)."""
    from .importers import metaculus

    _import(metaculus.parse_api2, list(questions), out=out, forecasts_in=forecasts_in)


@import_.command(name="metaculus-download")
@click.argument("question_data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("forecast_data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@out_option
@forecasts_in_option
def import_metaculus_download(question_data: Path, forecast_data: Path, out: Path, forecasts_in: str) -> None:
    """Import a Metaculus data download (question_data.csv and forecast_data.csv)."""
    from .importers import metaculus

    _import(metaculus.parse_download, question_data, forecast_data, out=out, forecasts_in=forecasts_in)


@main.command(name="forecastbench-score")
@_fb_files
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def forecastbench_score(questions: Path, resolutions: Path, forecasts, fmt: str) -> None:
    """ForecastBench's leaderboard figures (Brier; lower is better) for a forecast set."""
    from .importers.forecastbench import leaderboard

    figures = _fb_call(leaderboard, questions, resolutions, list(forecasts))
    if fmt == "json":  # strict JSON: an undefined figure is null, never NaN or Infinity
        def finite(v):  # noqa: ANN001, ANN202
            if isinstance(v, tuple):
                return [finite(x) for x in v]
            return None if isinstance(v, float) and not math.isfinite(v) else v
        clean = {k: finite(v) for k, v in figures.items()}
        _echo(json.dumps(clean, indent=2, allow_nan=False))
        return
    for key, value in figures.items():
        shown = f"[{value[0]:.4f}, {value[1]:.4f}]" if isinstance(value, tuple) else (
            f"{value:.4f}" if isinstance(value, float) else str(value))
        _echo(f"{key:<22}{shown}")


# --- capturing predictions from a text ---------------------------------------------------------

def _capture_rows(found: list, *, numbered: bool) -> list[dict]:
    """Candidates as flat rows (the band as low-high), numbered for the table."""
    rows = []
    for n, c in enumerate(found, 1):
        row = c.as_dict()
        row["band"] = f"{c.band[0]:g}-{c.band[1]:g}" if c.band else None
        if numbered:
            quote = row.pop("quote")
            row.update((k, _fit(row[k], 30)) for k in ("condition", "horizon") if row[k])
            row = {"n": n, **row, "quote": _fit(" ".join(quote.split()), 60)}
        rows.append(row)
    return rows


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns (a Chinese character takes two), with '…'."""
    if textview._width(text) <= width:
        return text
    while textview._width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _capture_picks(found: list, pick: str | None, pick_all: bool) -> list[int]:
    """The candidates chosen: --all, --pick, or asked on a terminal after showing them."""
    from .capture.drafts import parse_picks

    if pick_all:
        return parse_picks("all", len(found))
    if pick is None:
        if not _on_terminal():
            raise click.UsageError("choose the candidates to write with --pick 1,3,5 or --all "
                                   "(there is no terminal to ask on)")
        _echo(textview.table(_capture_rows(found, numbered=True), max_width=60))
        pick = click.prompt("Candidates to write as drafts (e.g. 1,3,5, or all)")
    return parse_picks(pick, len(found))


def _print_candidates(found: list, fmt: str, article: Path) -> None:
    if fmt == "json":
        _echo(textview.to_json([c.as_dict() for c in found]))
    elif fmt == "csv":
        _echo(textview.to_csv(_capture_rows(found, numbered=False)), nl=False)
    else:
        _echo(textview.table(_capture_rows(found, numbered=True), max_width=60))
        _echo(f"\n{len(found)} candidate(s) in {article}")


@main.command()
@click.argument("article", type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True,
              help="The article's language (auto: by its share of Chinese characters).")
@click.option("--year", type=click.IntRange(1900, 2999),
              help="The year the article was written: a later year named in a sentence points ahead "
                   "[default: this year].")
@click.option("--date", "written", type=click.DateTime(["%Y-%m-%d"]),
              help="The day the article was written (instead of --year): a later day named by month and "
                   "day (March 1, 3月1日) points ahead too.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--source", "source_id", help="With --write: the id of the article's source record.")
@click.option("--write", is_flag=True, help="Write a draft question per chosen candidate.")
@click.option("--pick", help="With --write: the candidates to write, e.g. 1,3,5 (asked on a terminal).")
@click.option("--all", "pick_all", is_flag=True, help="With --write: write every candidate.")
@click.option("--folder", help="With --write: sub-folder of the store for the drafts.")
@click.option("--by", help="With --write: forecaster id of the author [default: the forecaster named as the "
                           "source's author].")
@store_option
def capture(article: Path, lang: str, year: int | None, written, fmt: str, source_id, write: bool, pick, pick_all: bool,
            folder, by, store_path: Path) -> None:
    """List the candidate forecast statements in ARTICLE (plain UTF-8 text), in order;
    with --write, write the chosen ones as draft questions."""
    from .capture import CaptureError, find, read_article

    if (pick or pick_all or folder or by) and not write:
        raise click.UsageError("--pick, --all, --folder and --by go with --write")
    if write and not source_id:
        raise click.UsageError("--write needs --source ID (the article's record under sources/)")
    if year and written:
        raise click.UsageError("give --year or --date, not both")
    try:
        when = written.date() if written else year or dt.date.today().year
        found = find(read_article(article), lang=lang, year=when)
        if not write:
            _print_candidates(found, fmt, article)
            return
        if not found:
            raise CaptureError(f"{article}: no candidate statements found; nothing to write")
        picks = _capture_picks(found, pick, pick_all)
    except CaptureError as exc:
        raise click.ClickException(str(exc)) from None
    from .capture.drafts import write_drafts

    paths = _edit(write_drafts, store_path, found, picks, source_id=source_id, article=Path(article).name,
                  folder=folder, by=by, store_path=store_path)
    for path in paths:
        _echo(f"wrote {path}")
