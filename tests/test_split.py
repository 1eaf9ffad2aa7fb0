"""Deterministic train/dev/test split by article."""

import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from reader.io.split import parse_split, part_of, part_path, select, split_counts, unit_hash

PARTS = {"train": 0.8, "dev": 0.1, "test": 0.1}


def sha(n):
    return hashlib.sha256(f"article {n}".encode()).hexdigest()


class Rec:
    def __init__(self, n, annotator="alice"):
        self.sha256, self.n, self.annotator = sha(n), n, annotator


def test_parse_split():
    assert parse_split("train=0.8,dev=0.1,test=0.1") == PARTS
    assert list(parse_split(" test = 0.5 , train=0.5 ")) == ["test", "train"]
    assert parse_split("a=0.7,b=0.2,c=0.1") == {"a": 0.7, "b": 0.2, "c": 0.1}  # float sum 0.999..


@pytest.mark.parametrize(
    "spec, message",
    [
        ("train=0.8,dev=0.1", "add up to 0.9"),
        ("train=0.8,train=0.2", "given twice"),
        ("train=0.8,dev", "name=fraction"),
        ("train=x,dev=0.2", "not a number"),
        ("train=1.2,dev=-0.2", "above 0"),
        ("train=0.5,dev=nan", "above 0"),
        ("tr ain=1", "letters, digits"),
        ("", "name=fraction"),
    ],
)
def test_parse_split_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_split(spec)


def test_same_seed_same_split_and_seed_matters():
    shas = [sha(n) for n in range(500)]
    first = [part_of(s, PARTS, 13) for s in shas]
    assert first == [part_of(s, PARTS, 13) for s in shas]
    other = [part_of(s, PARTS, 14) for s in shas]
    assert sum(a != b for a, b in zip(first, other)) > 50


def test_split_is_stable_across_processes():
    # Python's own hash() is salted per process; the split must not depend on it.
    code = (
        "import hashlib; from reader.io.split import part_of\n"
        "print(''.join(part_of(hashlib.sha256(str(n).encode()).hexdigest(),"
        " {'train': 0.8, 'dev': 0.1, 'test': 0.1}, 5)[0] for n in range(200)))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
    expected = "".join(
        part_of(hashlib.sha256(str(n).encode()).hexdigest(), PARTS, 5)[0] for n in range(200)
    )
    assert runs == {expected + "\n"}


def test_parts_do_not_share_articles_and_cover_all():
    records = [Rec(n, who) for n in range(300) for who in ("alice", "bob")]
    chosen = {name: list(select(records, PARTS, 7, name)) for name in PARTS}
    assert sum(len(v) for v in chosen.values()) == len(records)
    owners = {}
    for name, recs in chosen.items():
        for r in recs:
            assert owners.setdefault(r.sha256, name) == name  # both annotators' records together
    assert len(owners) == 300


def test_adding_articles_moves_no_existing_article():
    before = {sha(n): part_of(sha(n), PARTS, 3) for n in range(400)}
    after = {sha(n): part_of(sha(n), PARTS, 3) for n in range(1000)}
    assert all(after[s] == part for s, part in before.items())


def test_sizes_follow_the_fractions_on_average():
    counts = split_counts((sha(n) for n in range(10_000)), PARTS, 1)
    assert sum(counts.values()) == 10_000
    assert abs(counts["train"] - 8000) < 250
    assert abs(counts["dev"] - 1000) < 150
    assert abs(counts["test"] - 1000) < 150


def test_duplicate_texts_land_together():
    counts = split_counts([sha(1), sha(1), sha(2)], PARTS, 1)
    assert sum(counts.values()) == 2


def test_unit_hash_range_and_errors():
    values = [unit_hash(sha(n), 0) for n in range(1000)]
    assert all(0 <= v < 1 for v in values) and len(set(values)) == 1000
    with pytest.raises(ValueError, match="sha256"):
        unit_hash("", 0)
    with pytest.raises(ValueError, match="no split part"):
        list(select([Rec(1)], PARTS, 1, "holdout"))


def test_part_path():
    assert part_path("out/data.jsonl", "train") == Path("out/data.train.jsonl")
    assert part_path("data", "dev") == Path("data.dev")
    with pytest.raises(ValueError, match="file name"):
        part_path("-", "train")


def test_fractions_map_to_parts_in_order():
    # A part of a tenth gets about a tenth, wherever it is listed.
    counts = Counter(part_of(sha(n), {"a": 0.1, "b": 0.9}, 2) for n in range(5000))
    assert abs(counts["a"] - 500) < 100
