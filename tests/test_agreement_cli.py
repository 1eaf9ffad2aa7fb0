"""`reader agreement` and `Store.articles_done_by` on constructed databases with known agreement."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from db import NewArticle, NewSpan, Store
from reader.cli import main
from reader.labels import default_label_file, load_labels

# Four sentences: fact, fact, opinion, and a name.
TEXT = (
    "The council met on Monday in Carrow. It approved the ferry budget by nine votes.\n"
    "That was a reckless choice. Mira Osei said she would appeal."
)
S1, S2 = (0, 36), (37, 80)
S3 = (81, 108)
S4 = (109, 146)
NAME = (109, 118)


def spans(who, *, second="fact", name=True):
    out = [NewSpan(*S1, "fact", who), NewSpan(*S2, second, who), NewSpan(*S3, "opinion", who)]
    if name:
        out.append(NewSpan(*NAME, "entity", who))
    return out


def build(path, n, *, disagree_on=(), unfinished=(), bo_missing=()):
    """n articles done by ann and bo (bo calls the second sentence opinion in `disagree_on`);
    articles in `unfinished` stay in progress; bo has nothing in `bo_missing`."""
    store = Store.open(path)
    store.set_labels(load_labels(default_label_file()))
    articles = []
    for i in range(n):
        text = TEXT + f" Item {i}."
        theirs = spans("ann")
        if i not in bo_missing:
            theirs += spans("bo", second="opinion" if i in disagree_on else "fact")
        status = "in_progress" if i in unfinished else "done"
        articles.append(NewArticle(f"Ferry vote {i}", text, spans=theirs, status=status))
    ids = store.add_articles(articles).ids
    store.close()
    assert TEXT[slice(*NAME)] == "Mira Osei"
    return ids


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "team.db"

    def invoke(*args):
        return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)

    invoke.db = db
    return invoke


def test_articles_done_by_is_each_annotators_own_status(run):
    ids = build(run.db, 4, unfinished={1}, bo_missing={2})
    with Store.open(run.db) as store:
        assert store.articles_done_by("ann") == {ids[0], ids[2], ids[3]}
        assert store.articles_done_by("bo") == {ids[0], ids[3]}
        assert store.articles_done_by("nobody") == set()
        # Marking it done is what counts, with or without spans.
        store.set_status(ids[2], "done", annotator="bo")
        assert store.articles_done_by("bo") == {ids[0], ids[2], ids[3]}


def test_perfect_agreement_over_twenty_articles(run):
    build(run.db, 20)
    result = run("agreement", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["units"] == 20 and report["annotators"] == ["ann", "bo"]
    pair = report["pairs"][0]
    assert pair["exact"]["overall"] == 1.0 and pair["overlap"]["overall"] == 1.0
    assert pair["kappa"]["segment"] == pytest.approx(1.0)
    assert report["alpha"]["entity"] == pytest.approx(1.0)
    assert report["sentence_alpha"]["overall"] == pytest.approx(1.0)
    assert report["spans"]["bo"] == {"fact": 40, "opinion": 20, "boilerplate": 0, "entity": 20}
    assert "warning" not in result.stderr


def test_known_disagreement_and_what_is_left_out(run):
    # 24 articles; bo calls sentence two an opinion in 6 of them; 2 are unfinished and 2 have
    # nothing from bo (so are not done by bo): 20 shared, of which articles 0-5 disagree.
    build(run.db, 24, disagree_on=range(6), unfinished={20, 21}, bo_missing={22, 23})
    result = run("agreement", "--json", "--no-sentences")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["units"] == 20
    pair = report["pairs"][0]
    # per article ann has 4 spans, bo 4; 6 articles share 3 of them exactly, 14 share 4
    assert pair["exact"]["overall"] == pytest.approx(2 * (6 * 3 + 14 * 4) / (80 + 80))
    assert pair["exact"]["fact"] == pytest.approx(2 * (20 + 14) / (40 + 34))
    assert pair["exact"]["opinion"] == pytest.approx(2 * 20 / (20 + 26))
    assert pair["overlap"] == pair["exact"]
    assert report["sentence_alpha"] is None
    assert 0 < pair["kappa"]["segment"] < 1
    assert pair["kappa"]["entity"] == pytest.approx(1.0)


def test_text_report_and_per_article_order(run):
    build(run.db, 5, disagree_on={3})
    result = run("agreement", "--per-article")
    assert result.exit_code == 0, result.output
    assert "warning: only 5 articles done by all of ann, bo" in result.stderr
    out = result.stdout
    assert "ann and bo" in out and "exact F1" in out and "overlap match: same label" in out
    rows = out.split("articles, least agreed first")[1].strip().splitlines()[1:]
    assert rows[0].split()[0] == "4" and rows[0].rstrip().endswith("Ferry vote 3")
    assert len(rows) == 5


def test_label_filter(run):
    build(run.db, 5, disagree_on={0, 1})
    result = run("agreement", "--label", "opinion", "--json")
    report = json.loads(result.stdout)
    assert set(report["pairs"][0]["exact"]) == {"opinion"}
    assert report["pairs"][0]["exact"]["opinion"] == pytest.approx(2 * 5 / (5 + 7))
    assert set(report["alpha_by_label"]) == {"opinion"}
    text = run("agreement", "--label", "opinion").stdout
    assert "opinion" in text and "boilerplate" not in text and "overall" not in text.split("ann and bo")[1].split("Krippendorff")[0]


def test_choosing_annotators(run):
    build(run.db, 3)
    with Store.open(run.db) as store:
        store.set_labels(load_labels(default_label_file()))
        store.add_articles([NewArticle("Other", "Only cy was here today.", spans=[NewSpan(0, 4, "fact", "cy")], status="done")])
    result = run("agreement", "--annotators", "ann,bo", "--json")
    assert json.loads(result.stdout)["units"] == 3
    # cy shares nothing with the others: no units, no figures, and a warning
    result = run("agreement", "--json")
    report = json.loads(result.stdout)
    assert report["annotators"] == ["ann", "bo", "cy"] and report["units"] == 0
    assert "only 0 articles" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--annotators", "ann"], "--annotators needs at least two names"),
        (["--annotators", "ann,zed"], "no annotator named 'zed'"),
        (["--label", "rumour"], "unknown label 'rumour'"),
    ],
)
def test_one_line_errors(run, args, message):
    build(run.db, 2)
    result = run("agreement", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_no_annotators_is_one_line(run):
    with Store.open(run.db) as store:
        store.set_labels(load_labels(default_label_file()))
    result = run("agreement")
    assert result.exit_code == 2
    assert result.stderr == (
        "reader: agreement needs two annotators who have finished articles; found nobody\n"
    )


def test_help_has_examples():
    result = CliRunner().invoke(main, ["agreement", "--help"])
    assert result.exit_code == 0
    assert "reader agreement --annotators ann,bo --label opinion" in result.output
    assert "--per-article" in result.output


def test_sentences_are_kept_between_runs_and_give_the_same_figures(run, tmp_path):
    from reader.sentence_cache import SentenceCache
    from reader.teamwork import agreement_report

    build(run.db, 6, disagree_on={1, 2})
    calls = []

    def counting(text):
        from reader.text.segment import sentences

        calls.append(text)
        return sentences(text)

    with Store.open(run.db) as store:
        plain = agreement_report(store, ["ann", "bo"], cache=False)
        first = SentenceCache(tmp_path / "cache.sqlite", split=counting)
        cold = agreement_report(store, ["ann", "bo"], cache=first)
        assert len(calls) == 6 and first.misses == 6
        second = SentenceCache(tmp_path / "cache.sqlite", split=counting)
        warm = agreement_report(store, ["ann", "bo"], cache=second)
        assert len(calls) == 6 and second.hits == 6
    assert plain.sentence_alpha == cold.sentence_alpha == warm.sentence_alpha
    assert plain.sentences == warm.sentences == 6 * 5
    assert plain.sentence_alpha["opinion"] < 1


def test_an_unusable_cache_file_is_ignored(run, tmp_path):
    from reader.sentence_cache import SentenceCache
    from reader.teamwork import agreement_report

    build(run.db, 3)
    bad = tmp_path / "cache.sqlite"
    bad.write_bytes(b"this is not a database at all, just some bytes" * 100)
    with Store.open(run.db) as store:
        report = agreement_report(store, ["ann", "bo"], cache=SentenceCache(bad))
    assert report.sentences == 15
    assert bad.read_bytes().startswith(b"this is not a database")


def _mixed_texts(n):
    """`n` distinct texts made of the sample articles' lines in varying orders."""
    import random
    from pathlib import Path

    import reader.assets

    lines = []
    for path in sorted(Path(reader.assets.__file__).parent.joinpath("articles").iterdir()):
        lines += [l for l in path.read_text(encoding="utf-8").splitlines() if len(l) > 40]
    rng = random.Random(5)
    return ["\n".join(rng.sample(lines, 6)) + f"\nLine {i} ends here." for i in range(n)]


def test_texts_split_ahead_in_worker_processes_match_the_splitter(tmp_path):
    from reader.sentence_cache import PARALLEL_MIN, SentenceCache
    from reader.text.segment import sentences

    texts = _mixed_texts(PARALLEL_MIN + 20)
    texts += texts[:5]  # seen again later in the same run: hits
    cache = SentenceCache(tmp_path / "cache.sqlite")
    passed = []
    got = []
    for text in cache.split_ahead(texts, lambda t: t, workers=2):
        if not passed:  # the whole batch was split before its first text is handed on
            assert len(cache.new) == len(texts) - 5
        passed.append(text)
        got.append(cache(text))
    assert passed == texts
    assert got == [sentences(t) for t in texts]
    assert (cache.misses, cache.hits) == (len(texts) - 5, 5)
    cache.save()
    again = SentenceCache(tmp_path / "cache.sqlite")
    assert [again(t) for t in again.split_ahead(texts, lambda t: t, workers=2)] == got
    assert (again.misses, again.hits) == (0, len(texts))


def test_sentence_agreement_split_in_workers_equals_splitting_in_turn(run, tmp_path):
    from reader.sentence_cache import PARALLEL_MIN, SentenceCache
    from reader.teamwork import agreement_report

    build(run.db, PARALLEL_MIN + 10, disagree_on=set(range(0, 60, 7)))
    with Store.open(run.db) as store:
        plain = agreement_report(store, ["ann", "bo"], cache=False)
        cache = SentenceCache(tmp_path / "cache.sqlite")
        calls = []
        ahead = agreement_report(
            store, ["ann", "bo"], cache=cache, progress=lambda *call: calls.append(call)
        )
    assert calls == [(n, PARALLEL_MIN + 10) for n in range(1, PARALLEL_MIN + 11)]
    assert cache.misses == PARALLEL_MIN + 10
    assert ahead.sentence_alpha == plain.sentence_alpha and ahead.sentences == plain.sentences
    assert plain.sentence_alpha["opinion"] < 1
