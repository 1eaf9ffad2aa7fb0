"""Deterministic synthetic news collections for the benchmarks.

Everything here is seeded: the same seed gives the same texts, files and databases, so two runs
(or two machines) measure the same work. Built databases are cached under the run's work
directory, keyed by what they hold.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import sqlite3
from functools import cache
from pathlib import Path

SYLLABLES = (
    "ka ri mo ta len sa vo ni ber gan dor el fi ha ju ko lu mar ne os pe qu ra si tor ul "
    "va wen xa yo za ach bri cla dra ev gri hol ind jas kel lor mun nor pra ros sten tri "
    "vik wal zem"
).split()
# The head of the vocabulary: English function words and news words, most frequent first, so
# common-word queries ("council", "said") and phrases find what they would in real news.
HEAD = (
    "the of to and a in that is for on said it was with as by at he be from has have are his "
    "not but an this which they were had who their been will its would after more one also up "
    "year people new about than we could when two last over she into government minister first "
    "council police years there can all time some no out week told city other report budget "
    "plan state country public company market price school hospital health court party "
    "election workers local national service money cost rate bank deal tax spokesperson "
    "council's mayor decision road bridge storm flood strike protest treaty border vaccine "
    "study survey museum station airport harbour factory farm wage pension contract "
    "approved rejected delayed announced confirmed criticised defended cancelled expanded "
    "reviewed funded blocked proposed questioned welcomed reporters affected closer look "
    "baffling sensible reckless overdue welcome troubling bold modest costly"
).split()
_ONSETS = ("b br c ch d dr f g gr h j k l m n p pl r s sh st t tr v w z th sk sp bl cl fr qu y "
           "").split(" ")
_VOWELS = "a e i o u ai ea ou io ee oa au".split()
_CODAS = ("", "", "n", "r", "s", "l", "t", "nd", "rk", "st", "m", "ng", "ck", "x")
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
VOCABULARY = 120_000


def _name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def vocabulary(size: int = VOCABULARY, seed: int = 11) -> list[str]:
    """`size` distinct lower-case words, the HEAD words first, then made-up ones of one to four
    syllables (short ones come first, as in real text the frequent words are short)."""
    rng = random.Random(seed)
    words = list(dict.fromkeys(HEAD))
    seen = set(words)
    while len(words) < size:
        rank = len(words)
        syllables = 1 + min(3, int(rng.expovariate(1.0) + rank / 30_000))
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                       for _ in range(syllables))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


@cache
def _zipf(size: int) -> tuple[list[str], list[float]]:
    """The vocabulary and its cumulative Zipf weights (exponent 1, as word counts in news text
    fall off with rank; the offset keeps the few top words from taking over)."""
    words = vocabulary(size)
    return words, list(itertools.accumulate(1.0 / (rank + 2.7) for rank in range(size)))


class Writer:
    """Makes news-like sentences, paragraphs and articles from one seeded generator.

    Words are drawn with Zipf frequencies from a vocabulary of `vocab` words (120,000 by
    default), so 10,000 articles of 5 KB hold over 100,000 distinct words, as real news does;
    a small vocabulary makes full-text indexing and search look cheaper than they are.
    """

    def __init__(self, seed: int = 1, pool: int = 2_000, vocab: int = VOCABULARY):
        self.rng = random.Random(seed)
        rng = self.rng
        self.words, self.cum = _zipf(vocab)
        self._batch: list[str] = []
        self.people = [f"{_name(rng)} {_name(rng, 3)}" for _ in range(2_000)]
        self.places = [_name(rng, 3) for _ in range(600)]
        self.orgs = [f"{_name(rng)} {rng.choice(['Council', 'Group', 'Trust', 'Bank', 'Party'])}" for _ in range(400)]
        # Whole sentences kept for padding (export_db), drawn like any other.
        self.pool = [self._sentence() for _ in range(pool)]

    def _draw(self, n: int) -> list[str]:
        if len(self._batch) < n:
            self._batch += self.rng.choices(self.words, cum_weights=self.cum, k=max(n, 50_000))
        out = self._batch[-n:]
        del self._batch[-n:]
        return out

    def _sentence(self) -> str:
        rng = self.rng
        words = self._draw(rng.randint(8, 24))
        words[0] = words[0].capitalize()
        kind = rng.random()
        if kind < 0.25:
            words.insert(rng.randrange(1, len(words)), rng.choice(self.people))
        elif kind < 0.4:
            words.insert(rng.randrange(1, len(words)), f"{rng.randrange(2, 90_000):,}")
        elif kind < 0.5:
            words.insert(rng.randrange(1, len(words)), f"in {rng.choice(self.places)}")
        elif kind < 0.55:
            words.insert(rng.randrange(1, len(words)), rng.choice(self.orgs))
        if rng.random() < 0.15:
            return f"“{' '.join(words)},” {rng.choice(self.people)} said on {rng.choice(DAYS)}."
        return " ".join(words) + rng.choice((".", ".", ".", ".", "?", "!"))

    def article(self, chars: int) -> tuple[str, str]:
        """(title, text) of about `chars` characters; the title is the first line of the text.

        One byline with a freshly made name per article gives every text a word found in only
        a handful of others (rare search terms) and keeps texts distinct.
        """
        rng = self.rng
        title = " ".join(self._draw(rng.randint(4, 9))).capitalize()
        parts = [title, "", f"By {_name(rng, 2)} {_name(rng, 4)}, {rng.randrange(1, 28)} {rng.choice(DAYS)}"]
        size = sum(len(p) + 1 for p in parts)
        while size < chars:
            para = " ".join(self._sentence() for _ in range(rng.randrange(2, 6)))
            parts += ["", para]
            size += len(para) + 2
        return title, "\n".join(parts)


def write_jsonl(path: Path, count: int, chars: int, seed: int = 1) -> int:
    """`count` articles as JSON lines (`text`, `title`, `source`, and the title again under
    `meta`, where `reader import` reads it); returns how many distinct words they hold."""
    writer = Writer(seed)
    types: set[str] = set()
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            title, text = writer.article(chars)
            types.update(text.lower().split())
            out.write(json.dumps({"title": title, "text": text, "source": "Synthetic Daily",
                                  "meta": {"title": title, "n": i}}, ensure_ascii=False) + "\n")
    return len({w.strip(".,?!“”") for w in types})


def remove_db(path: Path) -> None:
    """Remove a database file with its -wal and -shm, whichever of them exist."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def new_store(path: Path):
    """An empty reader database with the default label set; whatever an interrupted run left
    at `path` is removed first."""
    from db import Store
    from reader.labels import default_label_file, load_labels

    remove_db(path)
    store = Store.open(path)
    store.set_labels(load_labels(default_label_file()))
    return store


def _article_row(title: str, text: str, stamp: str) -> tuple:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return (title, "bench", None, text, digest, digest, "utf-8", stamp, "new", "{}",
            len(text.split()), len(text))


_INSERT_ARTICLE = (
    "INSERT INTO articles (title, source, url, text, sha256, raw_sha256, encoding, imported_at, "
    "status, meta, words, chars) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_SPAN = (
    'INSERT INTO annotations (article_id, start, "end", label, annotator, source, created_at, '
    "updated_at) VALUES (?,?,?,?,?,?,?,?)"
)
STAMP = "2026-01-01T00:00:00.000+00:00"


def _schema_tag() -> str:
    """Part of every cached file name: a database built by an older schema is built anew, not
    migrated inside a timed run."""
    from db.schema import KNOWN

    return KNOWN[-1].split("_")[0]


def _bulk(path: Path, rows_fn) -> None:
    """Create the database and fill it straight through SQL in one transaction."""
    new_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        rows_fn(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def library_db(workdir: Path, count: int, chars: int = 5_000, seed: int = 2) -> Path:
    """A database of `count` articles, no spans, FTS filled by its triggers. Cached."""
    path = workdir / f"library-{count}-{chars}-{seed}-s{_schema_tag()}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    for leftover in workdir.glob(tmp.name + "*"):
        leftover.unlink()
    writer = Writer(seed)

    def fill(conn):
        def rows():
            for _ in range(count):
                yield _article_row(*writer.article(chars), STAMP)

        conn.executemany(_INSERT_ARTICLE, rows())

    _bulk(tmp, fill)
    tmp.rename(path)
    return path


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans (end at ". " / ".\n" / "?"), enough to place synthetic tags."""
    out, start, i, n = [], 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in ".?!”" and (i + 1 == n or text[i + 1] in " \n"):
            while start < i and text[start] in " \n":
                start += 1
            if i + 1 - start > 1:
                out.append((start, i + 1))
            start = i + 1
        elif ch == "\n":
            while start < i and text[start] in " \n":
                start += 1
            if i - start > 1:
                out.append((start, i))
            start = i + 1
        i += 1
    return out


def _spans_for(text: str, count: int, annotator: str, rng: random.Random) -> list[tuple]:
    """About `count` spans: sentences tagged fact/opinion/boilerplate, plus entities on words
    inside them (the entity layer may sit on top of segments)."""
    sentences = sentence_bounds(text)
    segment_count = min(len(sentences), count * 4 // 5)
    chosen = sorted(rng.sample(range(len(sentences)), segment_count))
    out = []
    for k in chosen:
        s, e = sentences[k]
        out.append((s, e, rng.choice(("fact", "fact", "opinion", "boilerplate"))))
    entities = count - len(out)
    for k in sorted(rng.sample(range(len(sentences)), min(entities, len(sentences)))):
        s, e = sentences[k]
        space = text.find(" ", s, e)
        if space > s:
            out.append((s, space, "entity"))
    return [(a, b, label, annotator, "imported", STAMP, STAMP) for a, b, label in out]


def annotator_version(article_id: int, draft: list[tuple], who: str, rng: random.Random,
                      changed: float) -> list[tuple]:
    """One annotator's rows from a shared draft of spans: about one in twenty dropped, and up to
    `changed` of them dropped or relabelled in all (entities keep their label)."""
    rows = []
    for start, end, label, _who, *rest in draft:
        roll = rng.random()
        if roll < 0.05:
            continue
        if roll < changed and label != "entity":
            label = rng.choice(("fact", "opinion", "boilerplate"))
        rows.append((article_id, start, end, label, who, *rest))
    return rows


def review_db(workdir: Path, annotators: tuple[str, ...] = ("ann", "bea", "cy"),
              seed: int = 5) -> tuple[Path, int]:
    """A 1 MB article that three annotators have each tagged with about 5,000 spans and marked
    done, agreeing on most (each drops or relabels about one span in ten of a shared draft);
    returns (path, article id). Cached."""
    path = workdir / f"review-{seed}-s{_schema_tag()}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text())["article"]
    writer = Writer(seed)
    rng = random.Random(seed)
    ids = {}

    def fill(conn):
        title, text = writer.article(1_000_000)
        cur = conn.execute(_INSERT_ARTICLE, _article_row(title, text, STAMP))
        ids["article"] = cur.lastrowid
        draft = _spans_for(text, 5_000, "", rng)
        for who in annotators:
            conn.executemany(_INSERT_SPAN, annotator_version(cur.lastrowid, draft, who, rng, 0.10))
            conn.execute(
                "INSERT INTO annotator_status (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, 'done', ?)", (cur.lastrowid, who, STAMP),
            )

    if path.exists():
        path.unlink()
    _bulk(path, fill)
    meta.write_text(json.dumps(ids))
    return path, ids["article"]


def export_db(workdir: Path, articles: int, spans: int, chars: int = 5_000, seed: int = 3) -> Path:
    """`articles` articles with `spans` spans spread evenly over them. Cached."""
    path = workdir / f"export-{articles}-{spans}-{chars}-{seed}-s{_schema_tag()}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    for leftover in workdir.glob(tmp.name + "*"):
        leftover.unlink()
    writer = Writer(seed)
    rng = random.Random(seed)
    per = spans // articles

    def fill(conn):
        for _ in range(articles):
            title, text = writer.article(chars)
            # Long enough for `per` spans at ~80 % sentences.
            while len(sentence_bounds(text)) < per:
                text += "\n\n" + " ".join(rng.choices(writer.pool, k=5))
            cur = conn.execute(_INSERT_ARTICLE, _article_row(title, text, STAMP))
            rows = _spans_for(text, per, "ana", rng)
            conn.executemany(_INSERT_SPAN, [(cur.lastrowid, *r) for r in rows])

    _bulk(tmp, fill)
    tmp.rename(path)
    return path


def reading_db(workdir: Path, annotator: str, seed: int = 4) -> tuple[Path, int, int]:
    """A 1 MB article with 5,000 spans and a 10 KB one with 50; returns (path, big id, small id)."""
    path = workdir / f"reading-{seed}-s{_schema_tag()}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        ids = json.loads(meta.read_text())
        return path, ids["big"], ids["small"]
    writer = Writer(seed)
    rng = random.Random(seed)
    ids = {}

    def fill(conn):
        for name, chars, count in (("big", 1_000_000, 5_000), ("small", 10_000, 50)):
            title, text = writer.article(chars)
            cur = conn.execute(_INSERT_ARTICLE, _article_row(title, text, STAMP))
            ids[name] = cur.lastrowid
            rows = _spans_for(text, count, annotator, rng)
            conn.executemany(_INSERT_SPAN, [(cur.lastrowid, *r) for r in rows])

    if path.exists():
        path.unlink()
    _bulk(path, fill)
    meta.write_text(json.dumps(ids))
    return path, ids["big"], ids["small"]
