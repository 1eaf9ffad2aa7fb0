"""The `reader` command. Each subcommand is a thin call into `db` or `reader.io`.

Exit codes: 0 success, 1 bad input (a file to import or validate), 2 wrong usage, 3 a database
problem (not a reader database, newer schema, label set mismatch), 4 an output that could not be
written.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import NoReturn

import click

from db import Store, StoreError
from db.models import STATUSES

from .config import ConfigError, Settings, db_path, load_settings, resolve_annotator
from .io.problem import ImportProblem
from .labels import label_file, load_labels
from .text.visible import json_line, one_line

EXIT_INPUT, EXIT_USAGE, EXIT_DATABASE, EXIT_OUTPUT = 1, 2, 3, 4


class Context:
    """What every subcommand needs, opened lazily so `--help` touches nothing."""

    def __init__(self, db: str | None, annotator: str | None, labels: str | None):
        self._db_flag, self._annotator_flag, self._labels_flag = db, annotator, labels
        self._store: Store | None = None
        self._settings: Settings | None = None
        self.is_default_db = False

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def annotator(self) -> str:
        return resolve_annotator(self._annotator_flag, self.settings)

    @property
    def label_path(self) -> Path:
        return label_file(self._labels_flag, self.settings.labels)

    @property
    def store(self) -> Store:
        if self._store is None:
            path, self.is_default_db = db_path(self._db_flag)
            store = Store.open(path, on_upgrade=partial(_upgrading, path))
            store.set_labels(load_labels(self.label_path))
            self._store = store
        return self._store

    @property
    def store_path(self) -> str:
        return str(db_path(self._db_flag)[0])

    def writable_store(self, what: str) -> Store:
        """The store, for a command that must write: a read-only one is refused in one line."""
        store = self.store
        if store.read_only:
            fail(f"{self.store_path} is read-only (the file or its directory cannot be written): "
                 f"cannot {what}", EXIT_DATABASE)
        return store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _upgrading(path, old: str, backup: str | None) -> None:
    where = f"; the old copy is {backup}" if backup else ""
    click.echo(one_line(f"reader: upgrading {path} from schema {old}{where} "
                        "(a large library takes a while)"), err=True)


def seed_samples(store: Store) -> int:
    """Fill an empty default database with the sample articles shipped in assets/."""
    from .importing import import_paths
    from .labels import ASSETS

    samples = ASSETS / "articles"
    return import_paths(store, [str(samples)]).imported


def fail(message: str, code: int) -> NoReturn:
    # Messages quote file names, label names and settings as given: shown, never obeyed.
    click.echo(one_line(f"reader: {message}"), err=True)
    sys.exit(code)


class ReaderGroup(click.Group):
    """Turns the errors users can act on into one line and an exit code, never a traceback."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.ClickException as exc:
            # Click's own messages quote what was typed ("Invalid value: '...'"): one line, safe.
            exc.message = one_line(exc.message)  # type: ignore[misc]
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ImportProblem as exc:
            fail(str(exc), EXIT_INPUT)
        except (StoreError, ConfigError) as exc:
            fail(str(exc), EXIT_DATABASE)
        except sqlite3.OperationalError as exc:
            if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == 8:  # SQLITE_READONLY
                where = ctx.obj.store_path if isinstance(ctx.obj, Context) else "the database"
                fail(f"{where} is read-only: {ctx.invoked_subcommand or 'this'} cannot write to it",
                     EXIT_DATABASE)
            # e.g. still locked after the busy timeout: one line, not a traceback.
            fail(f"database error: {exc}", EXIT_DATABASE)
        except BrokenPipeError:
            # `reader list | head`: the reader of our output left; that is not an error.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)


def _set_global(attr: str):
    def callback(ctx: click.Context, _param, value):
        if value is not None:
            ctx.find_object(Context).__dict__[attr] = value
        return value

    return callback


def global_options(*, annotator: bool = True):
    """--db, --labels (and --annotator) after the command too: `reader import --db work.db x`."""

    def decorate(f):
        given = [
            click.option("--db", "_db", metavar="PATH", expose_value=False,
                         callback=_set_global("_db_flag"),
                         help="Database file (may also come before the command)."),
            click.option("--labels", "_labels", metavar="FILE", expose_value=False,
                         callback=_set_global("_labels_flag"),
                         help="Label set TOML file (may also come before the command)."),
        ]
        if annotator:
            given.append(click.option("--annotator", "_annotator", metavar="NAME",
                                      expose_value=False, callback=_set_global("_annotator_flag"),
                                      help="Who is annotating (may also come before the command)."))
        for option in reversed(given):
            f = option(f)
        return f

    return decorate


@click.group(cls=ReaderGroup, invoke_without_command=True)
@click.option("--db", "db", metavar="PATH", help="Database file (default: READER_DB, else the user data dir).")
@click.option("--annotator", metavar="NAME", help="Who is annotating (default: config file, else login name).")
@click.option("--labels", metavar="FILE", help="Label set TOML file (default: config dir, else built-in).")
@click.version_option(package_name="reader-annotate")
@click.pass_context
def main(ctx: click.Context, db: str | None, annotator: str | None, labels: str | None) -> None:
    """Read news articles in the terminal and tag spans as fact, opinion, boilerplate or entity.

    With no command, opens the app on the database. --db, --annotator and --labels may come
    before or after the command.

    \b
    Examples:
      reader                         open the app on the default database
      reader --db work.db            open the app on work.db
      reader import --db work.db articles/
    """
    context = Context(db, annotator, labels)
    ctx.obj = context
    ctx.call_on_close(context.close)
    if ctx.invoked_subcommand is None:
        # Start-up makes many long-lived objects and next to no garbage: the collector's passes
        # over them would only delay the first screen, which turns it back on (ReaderApp).
        gc.disable()
        from .app import run_app
        from .keymap import label_key_clash

        store = context.store
        clash = label_key_clash(store.labels(), context.settings.keymap)
        if clash:
            raise ConfigError(f"{context.label_path}: {clash}")
        if context.is_default_db and not store.read_only and store.count_articles() == 0:
            seed_samples(store)
        run_app(store, annotator=context.annotator, settings=context.settings)


@main.command("import")
@global_options()
@click.argument("paths", nargs=-1, required=True)
@click.option("--main-only", is_flag=True, help="HTML: keep only the article's main text (needs the 'main' extra).")
@click.option("--suggestions", "as_suggestions", is_flag=True,
              help="JSONL spans from a model: keep them as suggestions to review, not as tags.")
@click.pass_obj
def import_command(obj: Context, paths: tuple[str, ...], main_only: bool, as_suggestions: bool) -> None:
    """Import text, Markdown, HTML and JSONL files or folders ('-' reads stdin).

    All or nothing: on any problem, or when interrupted, nothing is written. Articles are
    stored as they are read, in short batches, so the app can keep saving meanwhile.

    With --suggestions, the spans of each JSONL task (Prodigy's {"text", "spans"} shape, with
    an optional "score" per span) are stored as suggestions for the article with that text
    (imported without spans when it is new), reviewed in the app or with `reader suggest`.

    \b
    Examples:
      reader import articles/ notes.md
      reader import --db work.db tasks.jsonl
      curl -s https://example.org/story | reader import -
      reader import --suggestions predictions.jsonl
    """
    from .importing import ImportInterrupted, import_paths
    from .io.importers import count_inputs

    store = obj.writable_store("import")
    if as_suggestions:
        from .suggest.imports import import_suggestions

        try:
            click.echo(import_suggestions(store, paths, stdin=sys.stdin.buffer).line())
        except KeyboardInterrupt:
            fail("interrupted; nothing was imported", 130)
        return
    total = count_inputs(list(paths)) if sys.stderr.isatty() else 0
    try:
        if total >= 20:
            # A progress bar only where someone is watching and the wait is noticeable.
            with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
                summary = import_paths(
                    store, paths, main_only=main_only, stdin=sys.stdin.buffer,
                    on_input_done=lambda _path: bar.update(1),
                )
        else:
            summary = import_paths(store, paths, main_only=main_only, stdin=sys.stdin.buffer)
    except ImportInterrupted as exc:
        fail(str(exc), 128 + exc.signum)
    except KeyboardInterrupt:
        fail("interrupted; nothing was imported", 130)
    for warning in summary.warnings:
        click.echo(one_line(f"reader: warning: {warning}"), err=True)
    click.echo(one_line(summary.line()))


@main.command("retitle")
@global_options()
@click.argument("article_id", type=int)
@click.argument("title")
@click.pass_obj
def retitle_command(obj: Context, article_id: int, title: str) -> None:
    """Give article ARTICLE_ID a new TITLE (the text itself is not changed).

    One line of printable text, at most 200 characters; spaces are tidied.

    \b
    Examples:
      reader retitle 12 "Harbour board approves night ferries"
      reader retitle --db work.db 3 "Budget passes"
    """
    from db.store import check_title

    from .text.visible import visible

    try:
        title = check_title(title)
    except StoreError as exc:
        fail(str(exc), EXIT_USAGE)
    store = obj.writable_store("retitle")
    old = store.article(article_id).title
    stored = store.set_title(article_id, title)
    click.echo(
        f"article {article_id}: {visible(old, keep_newlines=False)!s} -> "
        f"{visible(stored, keep_newlines=False)}"
    )


@main.command("list")
@global_options()
@click.option("--status", type=click.Choice(STATUSES),
              help="Only articles with this status (the annotator's own).")
@click.option("--assigned", is_flag=True, help="Only the articles assigned to the annotator.")
@click.option("--query", "-q", metavar="TEXT", help="Only articles matching this full-text query.")
@click.option("--limit", type=int, default=None, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, for scripts.")
@click.pass_obj
def list_command(obj: Context, status, query, limit, as_json, assigned) -> None:
    """List articles: id, status (the annotator's own), words, spans, title.

    \b
    Examples:
      reader list --status done
      reader list -q "harbour AND ferry" --limit 20
      reader list --db work.db --json
      reader --annotator kim list --assigned --status new
    """
    from .text.visible import visible

    rows = obj.store.list_articles(
        annotator=obj.annotator, status=status, query=query, limit=limit, assigned=assigned
    )
    if as_json:
        for r in rows:
            click.echo(
                json_line(
                    {
                        "id": r.id,
                        "title": r.title,
                        "source": r.source,
                        "status": r.status,
                        "words": r.words,
                        "spans": r.spans,
                    }
                )
            )
        return
    click.echo(f"{'id':>5}  {'status':<11}  {'words':>6}  {'spans':>5}  title")
    for r in rows:
        title = visible(r.title, keep_newlines=False)
        click.echo(f"{r.id:>5}  {one_line(r.status):<11}  {r.words:>6}  {r.spans:>5}  {title}")


@main.command("show")
@global_options()
@click.argument("article_id", type=int)
@click.option("--all-annotators", is_flag=True, help="Show every annotator's spans, not just yours.")
@click.pass_obj
def show_command(obj: Context, article_id: int, all_annotators: bool) -> None:
    """Print an article with its spans marked (colours on a terminal, {label: …} in a pipe).

    \b
    Examples:
      reader show 12
      reader show 12 --all-annotators | less
      reader show --db work.db --annotator maya 3
    """
    from .io.inline import inline_marks
    from .styles import styled_text

    store = obj.store
    article = store.article(article_id)
    whose = (store.visible_annotators(article_id, obj.annotator, obj.settings.blind)
             if all_annotators else obj.annotator)
    spans = store.spans(article_id, whose)
    labels = {l.name: l for l in store.labels()}
    if sys.stdout.isatty():
        from rich.console import Console

        Console(highlight=False).print(styled_text(article.text, spans, labels))
    else:
        click.echo(inline_marks(article.text, spans))


@main.command("stats")
@global_options()
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
@click.pass_obj
def stats_command(obj: Context, as_json: bool) -> None:
    """Articles by status, spans by label and by annotator; per annotator: articles done, spans
    per hour over finished sessions, labels used; and agreement per label (overlap F1 over
    the articles every annotator has done; `reader agreement` gives every measure).

    \b
    Examples:
      reader stats
      reader stats --db work.db --json
    """
    from .teamwork import label_agreement, team_stats
    from .text.visible import visible

    stats = obj.store.stats()
    team = team_stats(obj.store, tokens=False)
    if as_json:
        click.echo(json_line(stats | {"team": team.to_dict()}))
        return
    s = stats["by_status"]
    click.echo(
        f"articles: {stats['articles']} (new {s['new']}, in progress {s['in_progress']}, done {s['done']})"
    )
    click.echo(f"spans: {stats['spans']}")
    for name, n in stats["by_label"].items():
        click.echo(f"  {visible(name, keep_newlines=False):<14} {n:>7}")
    if stats["by_annotator"]:
        click.echo("by annotator:")
        for name, n in stats["by_annotator"].items():
            click.echo(f"  {visible(name, keep_newlines=False):<14} {n:>7}")
    if team.annotators:
        click.echo("progress and pace:")
        click.echo(f"  {'annotator':<14} {'done':>7} {'touched':>7} {'hours':>7} {'spans/h':>7}")
        for p in team.annotators:
            rate = "—" if p.spans_per_hour is None else f"{p.spans_per_hour:,.0f}"
            click.echo(
                f"  {visible(p.name, keep_newlines=False):<14} {p.done:>7} {p.touched:>7} "
                f"{p.hours:>7.1f} {rate:>7}"
            )
        click.echo("labels per annotator:")
        labels = [visible(l, keep_newlines=False) for l in team.labels]
        click.echo(f"  {'annotator':<14}" + "".join(f" {l[:11]:>11}" for l in labels))
        for p in team.annotators:
            click.echo(
                f"  {visible(p.name, keep_newlines=False):<14}"
                + "".join(f" {p.by_label.get(l, 0):>11}" for l in team.labels)
            )
    if team.agreement is not None:
        report = team.agreement
        click.echo(
            f"agreement per label over {report.units} shared articles (overlap F1, all pairs):"
        )
        for label, value in label_agreement(report).items():
            shown = "—" if value is None else f"{value:.3f}"
            click.echo(f"  {visible(label, keep_newlines=False):<14} {shown:>7}")
        for warning in report.warnings:
            click.echo(f"reader: warning: {warning}", err=True)


@main.command("assign")
@global_options()
@click.option("--annotators", required=True, metavar="A,B,C", help="Comma-separated annotator names.")
@click.option("--per-article", type=int, default=1, show_default=True,
              help="How many annotators each article gets.")
@click.option("--status", type=click.Choice(STATUSES),
              help="Only articles whose status (the latest anyone set) is this.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same spread.")
@click.pass_obj
def assign_command(obj: Context, annotators: str, per_article: int, status, seed: int) -> None:
    """Spread articles over annotators, each article to PER-ARTICLE of them, balanced.

    Running it again adds only what is missing (new articles, a larger --per-article); what is
    assigned stays. Each annotator's `>` and the library's `a` filter follow their queue.

    \b
    Examples:
      reader assign --annotators kim,lee,sam --per-article 2 --status new --seed 7
      reader assign --db team.db --annotators kim,lee
    """
    names = [n.strip() for n in annotators.split(",") if n.strip()]
    if len(set(names)) != len(names):
        raise click.UsageError("--annotators names someone twice")
    try:
        added = obj.writable_store("assign").assign(names, per_article, status=status, seed=seed)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None
    from .text.visible import visible

    total = sum(added.values())
    queues = {name: len(obj.store.assigned_to(name)) for name in names}
    click.echo(f"assigned {total} article{'s' if total != 1 else ''} to annotators")
    for name in names:
        click.echo(f"  {visible(name, keep_newlines=False):<14} +{added[name]:<6} {queues[name]:>7} in queue")


@main.command("merge")
@global_options()
@click.argument("others", nargs=-1, required=True, metavar="OTHER.db...")
@click.option("--prefer", type=click.Choice(["this", "other"]),
              help="On a conflict (one annotator, different spans), keep this database's or the other's.")
@click.pass_obj
def merge_command(obj: Context, others: tuple[str, ...], prefer) -> None:
    """Bring other reader databases (a team's, from other machines) into this one.

    Articles are matched by their text, so ids may differ; spans keep their annotator and
    source; per-annotator statuses, sessions, places and assignments come along. All or
    nothing, and merging again changes nothing. The same annotator with different spans on an
    article in two databases is a conflict: listed with counts, nothing merged, unless --prefer
    picks a side. The label sets must be the same.

    \b
    Examples:
      reader merge --db team.db kim.db lee.db sam.db
      reader merge --db team.db kim.db --prefer other
    """
    from db.merge import MergeConflicts

    from .text.visible import visible

    try:
        report = obj.writable_store("merge").merge(list(others), prefer=prefer)
    except MergeConflicts as exc:
        for conflict in exc.conflicts[:MERGE_CONFLICTS_SHOWN]:
            click.echo(visible(f"conflict: {conflict.line()}", keep_newlines=False), err=True)
        if len(exc.conflicts) > MERGE_CONFLICTS_SHOWN:
            click.echo(f"... and {len(exc.conflicts) - MERGE_CONFLICTS_SHOWN} more", err=True)
        fail(visible(str(exc), keep_newlines=False), EXIT_DATABASE)
    except StoreError as exc:
        fail(visible(str(exc), keep_newlines=False), EXIT_DATABASE)
    for conflict in report.conflicts[:MERGE_CONFLICTS_SHOWN]:
        click.echo(visible(f"conflict: {conflict.line()}", keep_newlines=False), err=True)
    names = ", ".join(visible(p, keep_newlines=False) for p in others)
    click.echo(f"merged {names}: {report.line()}")


# Conflicts listed one a line before the count.
MERGE_CONFLICTS_SHOWN = 20
# Shared articles from which `reader agreement` shows a progress bar on a terminal.
AGREEMENT_BAR_MIN = 200


@main.command("agreement", epilog="""\b
Examples:
  reader agreement
  reader agreement --annotators ann,bo --label opinion
  reader agreement --per-article | head -20
  reader agreement --json > agreement.json
  reader agreement --db team.db --no-sentences""")
@global_options()
@click.option("--annotators", metavar="A,B,...",
              help="Compare these annotators (default: everyone who has finished an article).")
@click.option("--label", metavar="LABEL", help="Only this label (token measures: it against the rest).")
@click.option("--per-article", is_flag=True, help="Also score each article, least agreed first.")
@click.option("--no-sentences", is_flag=True,
              help="Skip sentence-level alpha (it splits every article not split before).")
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
@click.pass_obj
def agreement_command(obj: Context, annotators, label, per_article, no_sentences, as_json) -> None:
    """How far annotators agree, over the articles every one of them has marked done.

    Span-level exact and overlap F1 for each pair and label, token-level Cohen's kappa per pair
    and Krippendorff's alpha over all of them (segment and entity layers), sentence-level alpha
    for the sentence labels. An article someone has not finished is left out, never taken as
    "no spans". Fewer than 20 shared articles gives a warning.
    """
    from .agreement_text import report_json, report_lines
    from .teamwork import agreement_report, parse_annotators

    names = parse_annotators(annotators)
    if names is not None and len(names) < 2:
        fail("--annotators needs at least two names, e.g. --annotators ann,bo", EXIT_USAGE)
    store = obj.store
    if label is not None and label not in {l.name for l in store.labels()}:
        known = ", ".join(l.name for l in store.labels())
        fail(f"unknown label {label!r} (known: {known})", EXIT_USAGE)
    with ExitStack() as stack:
        bar = None

        def progress(done: int, total: int) -> None:
            # A bar only where someone is watching and the wait is noticeable (a first run
            # with sentences splits every text: minutes for ten thousand articles).
            nonlocal bar
            if bar is None:
                if total < AGREEMENT_BAR_MIN or not sys.stderr.isatty():
                    return
                bar = stack.enter_context(
                    click.progressbar(length=total, label="agreement", file=sys.stderr)
                )
            bar.update(done - bar.pos)

        try:
            report = agreement_report(
                store, names, label=label, per_article=per_article, sentences=not no_sentences,
                progress=progress,
            )
        except StoreError as exc:
            fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json_line(report_json(report)))
        for warning in report.warnings:
            click.echo(f"reader: warning: {warning}", err=True)
        return
    for warning in report.warnings:
        click.echo(f"reader: warning: {warning}", err=True)
    for line in report_lines(report):
        click.echo(line)


@main.command("labels")
@global_options()
@click.pass_obj
def labels_command(obj: Context) -> None:
    """The label set in use, with keys, layers and guidelines.

    \b
    Examples:
      reader labels
      reader labels --labels my-labels.toml
    """
    from .labels import digit_keys, key_label

    digits = {label.name: d for d, label in digit_keys(obj.store.labels()).items()}
    click.echo(one_line(f"label set: {obj.label_path}"))
    for label in obj.store.labels():
        # Names and descriptions come from a label file or an older database: shown, not obeyed.
        keys = "/".join(k for k in (digits.get(label.name), key_label(label.key)) if k)
        click.echo(
            f"  {keys:<5} {one_line(label.name):<14} {label.layer:<8} {one_line(label.colour)}"
            f"  {one_line(label.description)}"
        )


@main.command("segment")
@global_options()
@click.argument("paths", nargs=-1, required=True)
@click.option("--unit", type=click.Choice(["sentence", "word", "paragraph", "name"]), default="sentence", show_default=True)
def segment_command(paths: tuple[str, ...], unit: str) -> None:
    """Print the sentences, words, paragraphs or names the keys will use, one JSON line each.

    \b
    Examples:
      reader segment story.txt
      reader segment --unit name story.html
    """
    from .io.importers import parse_paths
    from .text import names, segment

    split = {
        "sentence": segment.sentences,
        "word": segment.words,
        "paragraph": segment.paragraphs,
        "name": names.names_in,
    }[unit]
    for parsed in parse_paths(list(paths), stdin=sys.stdin.buffer):
        path = parsed.origin
        for start, end in split(parsed.text):
            click.echo(
                json_line({"path": path, "start": start, "end": end, "text": parsed.text[start:end]})
            )


@main.command("export")
@global_options(annotator=False)
@click.argument("out")
@click.option("--format", "fmt", default="jsonl", show_default=True,
              type=click.Choice(["jsonl", "doccano", "labelstudio", "spacy", "conll", "sentences"]))
@click.option("--offsets", type=click.Choice(["codepoint", "utf16", "utf8"]), default=None,
              help="Offset unit (default: code points; utf16 for doccano's browser front end).")
@click.option("--tokens", is_flag=True, help="jsonl: add Prodigy's tokens and token_start/token_end.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only articles with this status (repeatable; default: every article with spans).")
@click.option("--label", "labels", multiple=True, help="Only spans with this label (repeatable).")
@click.option("--annotator", "only_annotator", metavar="NAME",
              help="Only this annotator's spans (default: one record per annotator).")
@click.option("--since", metavar="DATE", help="Only spans changed on or after this ISO date.")
@click.option("--source", "sources", multiple=True, type=click.Choice(["manual", "imported", "suggested"]),
              help="Only spans from this source: tagged by hand, imported, accepted suggestions (repeatable).")
@click.option("--split", metavar="SPEC", help="e.g. train=0.8,dev=0.1,test=0.1: one file per part, by article.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --split.")
@click.option("--spans-key", default="sc", show_default=True, help="spacy: the doc.spans key for the segment layer.")
@click.pass_obj
def export_command(obj: Context, out, fmt, offsets, tokens, statuses, labels, only_annotator,
                   since, sources, split, seed, spans_key) -> None:
    """Export tagged articles as training data to OUT ('-' for stdout).

    A file appears only when complete; a failure or a signal leaves any earlier file as it
    was. A symlink's target is replaced, devices and FIFOs are written straight through, a
    read-only file is refused. --annotator after the command filters spans by annotator; the
    database and label set may be given after it too (--db, --labels).

    \b
    Examples:
      reader export train.jsonl
      reader export data.jsonl --split train=0.8,dev=0.1,test=0.1 --seed 13
      reader export --db work.db --format doccano --offsets utf16 doccano.jsonl
    """
    from .exporting import ExportRequest, run_export, summary_line
    from .io.export import get_format

    options: dict = {}
    takes = get_format(fmt).options
    if offsets and "offsets" not in takes:
        raise click.UsageError(f"--offsets does not apply to the {fmt} format")
    if "offsets" in takes:
        options["offsets"] = offsets or "codepoint"
    if tokens:
        if "tokens" not in takes:
            raise click.UsageError(f"--tokens does not apply to the {fmt} format")
        options["tokens"] = True
    if fmt == "spacy":
        options["spans_key"] = spans_key
    if since:
        from datetime import date

        try:
            date.fromisoformat(since[:10])
        except ValueError:
            raise click.UsageError(f"--since wants a date like 2026-03-01, not {since!r}") from None
    if fmt == "spacy" and out in ("-", "/dev/stdout") and sys.stdout.isatty():
        raise click.UsageError("a DocBin is binary: give a file name or redirect standard output")
    if split is not None:
        from .io.split import parse_split

        if not split.strip():
            raise click.UsageError("--split needs parts, e.g. --split train=0.8,dev=0.1,test=0.1")
        try:
            parse_split(split)
        except ValueError as exc:
            raise click.UsageError(f"--split: {exc}") from None
    request = ExportRequest(
        out=out, format=fmt, statuses=statuses, labels=labels, annotator=only_annotator,
        since=since, sources=sources, split=split, seed=seed, options=options,
    )
    from db.store import DatabaseDamaged, is_damage

    from .io.atomic import Interrupted, is_stdout, signals_interrupt
    from .io.export.spacy_docbin import MissingExtra
    from .text.visible import visible

    try:
        unknown = [l for l in labels if l not in {x.name for x in obj.store.labels()}]
        if unknown:
            raise click.UsageError(f"unknown label(s): {', '.join(unknown)}")
        with signals_interrupt():
            summary, paths = run_export(obj.store, request)
    except Interrupted as exc:
        obj.close()
        fail(f"export stopped by {exc.name}, nothing written", exc.exit_status)
    except MissingExtra as exc:
        fail(str(exc), EXIT_USAGE)
    except (OSError, ValueError, ImportError) as exc:
        # The message may carry a file name as given: shown, never obeyed by the terminal.
        fail(visible(f"export failed, nothing written: {exc}", keep_newlines=False),
             EXIT_OUTPUT if isinstance(exc, OSError) else EXIT_USAGE)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DatabaseDamaged(str(db_path(obj._db_flag)[0])) from None
        raise
    click.echo(visible(summary_line(summary, paths), keep_newlines=False), err=is_stdout(out))


@main.command("suggest")
@global_options()
@click.argument("article_id", type=int, required=False)
@click.option("--label", "labels", multiple=True, help="Only suggestions with this label (repeatable).")
@click.option("--limit", type=int, default=10, show_default=True,
              help="Without ARTICLE_ID: at most this many unfinished articles.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per suggestion, for scripts.")
@click.option("--eval", "evaluate", is_flag=True,
              help="Measure each suggester against your own tags instead (held out; see README).")
@click.option("--uncertain", type=int, metavar="N", default=None,
              help="The N untagged sentences the fact/opinion model is least sure of.")
@click.pass_obj
def suggest_command(obj: Context, article_id, labels, limit, as_json, evaluate, uncertain) -> None:
    """Print suggested spans for ARTICLE_ID (or for unfinished articles), with scores and
    reasons, learnt from your own tags: names tagged elsewhere and the name finder's,
    boilerplate lines of the same site and page-cruft rules, and a fact/opinion classifier.

    --eval prints precision, recall and F1 of each suggester against your tags: names and
    boilerplate with each article left out in turn, sentences with five folds by article.

    \b
    Examples:
      reader suggest 12 --label entity
      reader suggest --db work.db --eval
      reader suggest --uncertain 20 --json
    """
    from .suggest import classify
    from .suggest.collect import load_corpus, suggestions_for
    from .text.visible import visible

    store = obj.store
    unknown = [l for l in labels if l not in {x.name for x in store.labels()}]
    if unknown:
        raise click.UsageError(f"unknown label(s): {', '.join(unknown)}")
    if evaluate:
        from .suggest.evaluate import evaluate as run_eval

        corpus = load_corpus(store, obj.annotator)
        tagged = len(corpus.tagged_docs())
        if not tagged:
            fail(f"{obj.annotator} has tagged no articles yet: nothing to measure against", EXIT_USAGE)
        scores = run_eval(corpus)
        if as_json:
            for sc in scores:
                click.echo(json_line(sc.as_dict()))
            return
        click.echo(f"against {tagged} article{'s' if tagged != 1 else ''} tagged by "
                   f"{visible(obj.annotator, keep_newlines=False)}")
        click.echo(f"{'suggester':<26} {'label':<12} {'suggested':>9} {'right':>6} {'tagged':>6}"
                   f" {'precision':>9} {'recall':>6} {'F1':>5}")
        for sc in scores:
            click.echo(f"{sc.suggester:<26} {visible(sc.label, keep_newlines=False):<12} "
                       f"{sc.suggested:>9} {sc.correct:>6} {sc.gold:>6} {sc.precision:>9.2f} "
                       f"{sc.recall:>6.2f} {sc.f1:>5.2f}")
        model = classify.train_on(corpus)
        click.echo(f"fact/opinion model in use: {model.kind}; "
                   + (model.evaluation.line() if model.kind == "learnt" else "too few tags to learn from"))
        return
    if uncertain is not None:
        corpus = load_corpus(store, obj.annotator, all_articles=True)
        model = classify.train_on(corpus)
        rows = classify.most_uncertain(corpus, model, limit=uncertain)
        for aid, s, e, u in rows:
            text = corpus.docs[aid].text[s:e]
            if as_json:
                click.echo(json_line({"article": aid, "start": s, "end": e, "uncertainty": u,
                                       "text": text}))
            else:
                click.echo(f"{aid:>5} {s:>6}-{e:<6} {u:.2f}  {visible(text, keep_newlines=False)}")
        return
    if article_id is not None:
        ids = [article_id]
    else:
        ids = [r.id for r in store.list_articles(annotator=obj.annotator, limit=None)
               if r.status != "done"][:limit]
    corpus = load_corpus(store, obj.annotator)
    model = classify.train_on(corpus)
    for aid in ids:
        article_corpus = load_corpus(store, obj.annotator, aid)
        found = suggestions_for(store, obj.annotator, aid, model=model, corpus=article_corpus,
                                labels=labels or None)
        text = article_corpus.docs[aid].text
        for sug in found:
            if as_json:
                click.echo(json_line({"article": aid, "start": sug.start, "end": sug.end,
                                      "label": sug.label, "score": sug.score, "kind": sug.kind,
                                      "reason": sug.reason, "text": text[sug.start:sug.end]}))
            else:
                shown = visible(text[sug.start:sug.end], keep_newlines=False)
                if len(shown) > 60:
                    shown = shown[:59] + "…"
                click.echo(f"{aid:>5} {sug.start:>6}-{sug.end:<6} {visible(sug.label, keep_newlines=False):<12}"
                           f" {sug.score:.2f} {sug.kind:<11} {shown}  ({visible(sug.reason, keep_newlines=False)})")


@main.command("validate")
@global_options()
@click.argument("path")
@click.pass_obj
def validate_command(obj: Context, path: str) -> None:
    """Check a file before training on it: any format reader exports (jsonl, doccano, sentences,
    Label Studio JSON, CoNLL, spaCy DocBin), found from its content, against the label set in use.

    JSONL tasks are checked with the rules `reader import` applies.

    \b
    Examples:
      reader validate train.jsonl
      reader validate --labels my-labels.toml doccano.jsonl
    """
    from .io.validate import validate_file
    from .text.visible import visible

    shown = visible(path, keep_newlines=False)
    layers = {label.name: label.layer for label in obj.store.labels()}
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        fail(f"{shown}: {exc.strerror}", EXIT_INPUT)
    if not data.strip():
        fail(f"{shown}: empty file", EXIT_INPUT)
    report = validate_file(data, path, layers)
    if report is None:
        fail(f"{shown}: not a format reader reads or writes (jsonl, doccano, sentences, "
             "Label Studio JSON, CoNLL, spaCy DocBin)", EXIT_INPUT)
    if report.unavailable:
        fail(f"{shown}: {report.summary()}", EXIT_USAGE)
    problems = report.problems
    for problem in problems[:VALIDATE_SHOWN]:
        where = f"{shown}:{problem.line}" if problem.unit == "line" else f"{shown}: {problem.unit} {problem.line}"
        click.echo(visible(f"{where}: {problem.message}", keep_newlines=False))
    if len(problems) > VALIDATE_SHOWN:
        click.echo(f"... and {len(problems) - VALIDATE_SHOWN} more")
    if problems:
        fail(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {shown} "
             f"({report.description})", EXIT_INPUT)
    click.echo(one_line(f"{shown}: ok: {report.summary()}"))


# Problems listed before the count: enough to see the pattern without a screenful of repeats.
VALIDATE_SHOWN = 50
