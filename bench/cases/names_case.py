"""Names: keys per name for an annotator who knows the gold names and uses only the keys.

Simulated with the same pure functions the article screen calls (no UI is driven): the
next/previous-name motion, the entity key (`natural_unit`), the jump after tagging
(`next_untagged`), tag-every-mention (`names.mentions`), and, when the entity key gets a name
wrong, undo and a selection made with shift + end-of-word before the key again. Word motions
reach a name the motion does not stop at. The texts are the hand-tagged ones in
tests/data/names/.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from cases.common import Result

from reader.tagging import natural_unit, next_untagged, snap_selection
from reader.text import names
from reader.text.segment import Segments

FOLDER = Path(__file__).resolve().parents[2] / "tests" / "data" / "names"
MARK = re.compile(r"\[\[(.+?)\]\]")


def load(path: Path) -> tuple[str, list[tuple[int, int]]]:
    raw = path.read_text("utf-8")
    parts, spans, last, length = [], [], 0, 0
    for m in MARK.finditer(raw):
        parts.append(raw[last : m.start()])
        length += m.start() - last
        spans.append((length, length + len(m.group(1))))
        parts.append(m.group(1))
        length += len(m.group(1))
        last = m.end()
    parts.append(raw[last:])
    return "".join(parts), spans


class Annotator:
    """Tags one text's gold names with keys, counting each key."""

    def __init__(self, text: str, gold: list[tuple[int, int]]):
        self.text, self.gold = text, sorted(gold)
        self.segments = Segments(text)
        self.tagged: list[tuple[int, int]] = []
        self.cursor = 0
        self.keys = {"motion": 0, "entity": 0, "mentions": 0, "correction": 0}
        self.first_exact = self.pressed = 0
        self.wrong_mentions = 0
        self.failed: list[str] = []

    def _add(self, span: tuple[int, int]) -> None:
        bisect.insort(self.tagged, span)

    def _reach(self, target: int) -> None:
        """Move the cursor to `target` with name motions, then word motions if need be."""
        text, seg = self.text, self.segments
        while self.cursor != target:
            if self.cursor < target:
                nxt = names.next_name(text, self.cursor, self.tagged)
                if nxt is not None and nxt <= target:
                    self.cursor = nxt
                    self.keys["motion"] += 1
                    continue
                while self.cursor < target:
                    self.cursor = seg.next_word(self.cursor)
                    self.keys["motion"] += 1
            else:
                prv = names.prev_name(text, self.cursor, self.tagged)
                if prv is not None and prv >= target:
                    self.cursor = prv
                    self.keys["motion"] += 1
                    continue
                while self.cursor > target:
                    self.cursor = seg.prev_word(self.cursor)
                    self.keys["motion"] += 1

    def _select_and_tag(self, span: tuple[int, int]) -> bool:
        """Undo the wrong tag, extend a selection by words from the name's start, tag it."""
        self.keys["correction"] += 1  # undo
        end = span[0]
        while end < span[1]:
            end = self.segments.word_end(end)
            self.keys["correction"] += 1
        snapped = snap_selection(self.segments, span[0], end, "word")
        self.keys["correction"] += 1  # the entity key on the selection
        return snapped == span

    def run(self) -> None:
        gold_set = set(self.gold)
        while True:
            pending = [g for g in self.gold if not any(t[0] < g[1] and g[0] < t[1] for t in self.tagged)]
            if not pending:
                return
            # In reading order: a name the jump passed over is tagged before going on.
            target = pending[0]
            self._reach(target[0])
            got = natural_unit(self.segments, self.cursor, "word")
            self.keys["entity"] += 1
            self.pressed += 1
            if got == target:
                self.first_exact += 1
            elif not self._select_and_tag(target):
                self.failed.append(self.text[target[0] : target[1]])
            self._add(target)
            # Every other mention of the same name at once, when that saves keys.
            same = [g for g in pending if g != target and self.text[g[0] : g[1]] == self.text[target[0] : target[1]]]
            if same:
                found = names.mentions(self.text, target[0], target[1], self.tagged)
                right = [m for m in found if m in gold_set]
                wrong = [m for m in found if m not in gold_set]
                if len(right) > 2 * len(wrong):
                    self.keys["mentions"] += 1
                    for m in right:
                        self._add(m)
                    # Each wrong mention: a motion to it and the delete key.
                    self.wrong_mentions += len(wrong)
                    self.keys["correction"] += 2 * len(wrong)
            nxt = next_untagged(self.segments, target[0], "word", self.tagged)
            if nxt is not None:
                self.cursor = nxt


def simulate(folder: Path = FOLDER) -> dict:
    total = {"motion": 0, "entity": 0, "mentions": 0, "correction": 0}
    names_count = pressed = first_exact = wrong = 0
    failed: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        text, gold = load(path)
        who = Annotator(text, gold)
        who.run()
        for k, v in who.keys.items():
            total[k] += v
        names_count += len(gold)
        pressed += who.pressed
        first_exact += who.first_exact
        wrong += who.wrong_mentions
        failed += who.failed
    keys = sum(total.values())
    return {
        "names": names_count,
        "keys": keys,
        "keys_per_name": keys / names_count,
        "pressed": pressed,
        "first_exact": first_exact,
        "first_exact_share": first_exact / pressed,
        "by_kind": total,
        "wrong_mentions": wrong,
        "failed": failed,
    }


def case_names(work: Path, quick: bool) -> list[Result]:
    names.warm()
    r = simulate()
    kinds = ", ".join(f"{k} {v}" for k, v in r["by_kind"].items())
    sim = "simulated with the pure functions, no UI"
    return [
        Result("names", f"{r['names']} names, 9 texts", r["keys_per_name"], "keys per name", None, None,
               "≤ 1.3", r["keys_per_name"] <= 1.3, note=f"{r['keys']} keys: {kinds}; {sim}"),
        Result("names", f"{r['pressed']} entity keys", 100 * r["first_exact_share"], "% exact on first key",
               None, None, "≥ 97 %", r["first_exact_share"] >= 0.97,
               note=f"{r['first_exact']} exact; {len(r['failed'])} not fixable by a selection; "
                    f"{r['wrong_mentions']} wrong mentions; {sim}"),
    ]
