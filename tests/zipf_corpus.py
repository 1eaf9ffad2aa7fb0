"""Synthetic news-like articles with a realistic vocabulary, for import tests and measurements.

Words are made-up syllable strings over a vocabulary of 120,000 entries drawn with Zipf
frequencies (exponent about 1), which is how word counts in real news text fall off; a
small vocabulary makes the full-text index look cheaper than it is on real text.
"""

from __future__ import annotations

import itertools
import json
import random
from bisect import bisect_left

_ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p",
           "pl", "r", "s", "sh", "st", "t", "tr", "v", "w", "z"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
_CODAS = ["", "", "n", "r", "s", "l", "t", "nd", "rk", "st"]


def vocabulary(size: int = 120_000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    seen: set[str] = set()
    words: list[str] = []
    while len(words) < size:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Corpus:
    def __init__(self, seed: int = 1, vocab_size: int = 120_000) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(vocab_size)
        weights = [1 / (rank + 2.7) ** 1.0 for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))

    def _words(self, n: int) -> list[str]:
        total = self.cumulative[-1]
        cum = self.cumulative
        rand = self.rng.random
        return [self.words[bisect_left(cum, rand() * total)] for _ in range(n)]

    def sentence(self) -> str:
        words = self._words(self.rng.randint(8, 24))
        words[0] = words[0].capitalize()
        if self.rng.random() < 0.3:
            words[self.rng.randrange(1, len(words))] = self._words(1)[0].capitalize()
        return " ".join(words) + self.rng.choice((".", ".", ".", "?", "!"))

    def article(self, size: int = 5000) -> tuple[str, str]:
        title = " ".join(self._words(self.rng.randint(4, 9))).capitalize()
        paragraphs, length = [], 0
        while length < size:
            paragraph = " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
        return title, title + "\n\n" + "\n\n".join(paragraphs) + "\n"

    def jsonl_lines(self, count: int, size: int = 5000):
        for i in range(count):
            title, text = self.article(size)
            record = {"text": text, "meta": {"title": title, "source": "Synthetic Daily", "n": i}}
            yield json.dumps(record, ensure_ascii=False) + "\n"


def write_jsonl(path, count: int, size: int = 5000, seed: int = 1) -> None:
    corpus = Corpus(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(corpus.jsonl_lines(count, size))
