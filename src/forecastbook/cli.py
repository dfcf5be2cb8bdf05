"""The command line: a thin click layer over the library. Parse, call, print, exit code.

Every command takes ``--store`` (default ``$FORECASTBOOK_STORE`` or ``./forecasts``).
Library errors become ``Error: …`` on stderr with exit code 1, never a traceback.
Commands that do not plot never import pandas or matplotlib.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

import click

from . import queries, textview
from .store import STORE_ENV, Store, load_store

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


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


store_option = click.option(
    "--store", "store_path", type=click.Path(path_type=Path), envvar=STORE_ENV,
    default="forecasts", show_default=True, show_envvar=True,
    help="The folder of records.",
)
as_of_option = click.option("--as-of", type=DATE, default=None, help="Date to judge status by [default: today, UTC].")


def _usable_store(path: Path) -> Store:
    """Load a store for a command that needs clean records; errors end the command."""
    store = load_store(path)
    if store.errors:
        for p in store.errors:
            click.echo(str(p), err=True)
        raise click.ClickException(
            f"{len(store.errors)} error(s) in {path}; fix them first (forecastbook validate lists them)"
        )
    return store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="forecastbook")
def main() -> None:
    """Keep forecasts honest: records, resolution and scores."""


@main.command()
@store_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(store_path: Path, strict: bool) -> None:
    """Check every record in the store; list every problem as FILE:LINE:COL."""
    store = load_store(store_path)
    for p in store.problems:
        click.echo(str(p))
    n_err, n_warn = len(store.errors), len(store.warnings)
    summary = (f"{len(store.questions)} questions, {len(store.forecasters)} forecasters, "
               f"{len(store.sources)} sources: {n_err} error(s), {n_warn} warning(s)")
    click.echo(summary, err=bool(store.problems))
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
    store = _usable_store(store_path)
    chosen = queries.select(store, as_of=as_of, status=status, tag=tag, source=source, forecaster=forecaster)
    rows = [dataclasses.asdict(r) for r in queries.list_rows(chosen, as_of=as_of)]
    if fmt == "json":
        click.echo(textview.to_json(rows))
    elif fmt == "csv":
        click.echo(textview.to_csv(rows), nl=False)
    else:
        shown = [{k: r[k] for k in ("id", "kind", "status", "resolve_by", "n_forecasts", "latest", "title")} for r in rows]
        click.echo(textview.table(shown, max_width=60))
        click.echo(f"\n{len(rows)} of {len(store.questions)} questions (as of {as_of})")


@main.command()
@store_option
@as_of_option
@click.argument("question_id")
def show(store_path: Path, as_of: dt.date | None, question_id: str) -> None:
    """Show one question: criteria, source words, forecasts and conditional tree."""
    store = _usable_store(store_path)
    if question_id not in store.questions:
        raise click.ClickException(f"no question with id '{question_id}' in {store_path}")
    click.echo(textview.show_question(store, store.questions[question_id], as_of=as_of or _today()))


@main.command()
@click.argument("kind", type=click.Choice(["question", "source", "forecaster"]), default="question")
def schema(kind: str) -> None:
    """Print the JSON Schema of a record kind (for editors that validate YAML)."""
    from .records import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))

