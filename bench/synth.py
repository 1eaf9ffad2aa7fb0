"""Deterministic synthetic news collections for the benchmarks.

Everything here is seeded: the same seed gives the same texts, files and databases, so two runs
(or two machines) measure the same work. Built databases are cached under the run's work
directory, keyed by what they hold.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from pathlib import Path

SYLLABLES = (
    "ka ri mo ta len sa vo ni ber gan dor el fi ha ju ko lu mar ne os pe qu ra si tor ul "
    "va wen xa yo za ach bri cla dra ev gri hol ind jas kel lor mun nor pra ros sten tri "
    "vik wal zem"
).split()
NOUNS = (
    "council budget hospital school road bridge election police court minister report plan "
    "tax rate market company bank storm flood strike protest treaty border vaccine study "
    "survey museum station airport harbour factory farm price wage pension contract deal"
).split()
VERBS = (
    "approved rejected delayed announced confirmed criticised defended cancelled expanded "
    "reviewed funded blocked proposed questioned welcomed"
).split()
ROLES = "mayor spokesperson chief executive minister professor director chair analyst".split()
ADJ = "baffling sensible reckless overdue welcome troubling bold modest costly".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def _name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


class Writer:
    """Makes news-like sentences, paragraphs and articles from one seeded generator."""

    def __init__(self, seed: int = 1, pool: int = 20_000):
        self.rng = random.Random(seed)
        rng = self.rng
        self.people = [f"{_name(rng)} {_name(rng, 3)}" for _ in range(2_000)]
        self.places = [_name(rng, 3) for _ in range(600)]
        self.orgs = [f"{_name(rng)} {rng.choice(['Council', 'Group', 'Trust', 'Bank', 'Party'])}" for _ in range(400)]
        self.pool = [self._sentence() for _ in range(pool)]

    def _sentence(self) -> str:
        rng = self.rng
        kind = rng.randrange(5)
        noun = rng.choice(NOUNS)
        if kind == 0:
            return (
                f"{rng.choice(self.people)}, the {rng.choice(ROLES)} of {rng.choice(self.orgs)}, "
                f"said on {rng.choice(DAYS)} that the {noun} had been {rng.choice(VERBS)}."
            )
        if kind == 1:
            return (
                f"About {rng.randrange(2, 90_000):,} people in {rng.choice(self.places)} were "
                f"affected, up {rng.randrange(1, 40)}.{rng.randrange(10)}% on last year."
            )
        if kind == 2:
            return f"The decision to back the {noun} is {rng.choice(ADJ)}, and it deserves a closer look."
        if kind == 3:
            return (
                f"“We {rng.choice(VERBS)} the {noun} because it matters,” {rng.choice(self.people)} "
                f"told reporters in {rng.choice(self.places)}."
            )
        return (
            f"The £{rng.randrange(1, 900)}m {noun} was {rng.choice(VERBS)} by "
            f"{rng.choice(self.orgs)} at {rng.randrange(7, 22)}:{rng.randrange(60):02d}."
        )

    def article(self, chars: int) -> tuple[str, str]:
        """(title, text) of about `chars` characters; the title is the first line of the text.

        One byline with a freshly made name per article gives every text a word found in only
        a handful of others (rare search terms) and keeps texts distinct.
        """
        rng = self.rng
        title = f"{rng.choice(self.places)} {rng.choice(NOUNS)} {rng.choice(VERBS)} after {rng.choice(NOUNS)} row"
        parts = [title, "", f"By {_name(rng, 2)} {_name(rng, 4)}, {rng.randrange(1, 28)} {rng.choice(DAYS)}"]
        size = sum(len(p) + 1 for p in parts)
        pool = self.pool
        while size < chars:
            para = " ".join(rng.choices(pool, k=rng.randrange(3, 6)))
            parts += ["", para]
            size += len(para) + 2
        return title, "\n".join(parts)


def write_folder(folder: Path, count: int, chars: int, seed: int = 1) -> Path:
    """`count` plain-text articles as files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = Writer(seed)
    for i in range(count):
        _, text = writer.article(chars)
        (folder / f"{i:06d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def new_store(path: Path):
    """An empty reader database with the default label set."""
    from db import Store
    from reader.labels import default_label_file, load_labels

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
