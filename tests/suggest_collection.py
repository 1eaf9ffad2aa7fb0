"""A constructed news collection with its gold tags, for suggestion tests and the bench.

Two local news sites, each with its own page furniture (menus, share rows, newsletter prompts,
dates, credits, copyright and bio lines), articles that mention a recurring cast of people,
places and bodies, and sentences that are facts or opinions. Every article comes with the spans
a careful annotator would give it: each name as an entity, each cruft paragraph as boilerplate,
each body sentence as fact or opinion. Seeded: the same seed gives the same collection.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

PEOPLE = [
    "Priya Raman", "Tomas Berg", "Anwen Hale", "Marek Dvorak", "Leila Haddad", "Owen Pryce",
    "Grace Okafor", "Ines Carvalho", "Callum Reid", "Hana Sato", "Ruth Abernethy", "Dev Malhotra",
]
PLACES = [
    "Kellingford", "Marsh Lane", "Port Ellery", "Westmoor", "Tamsin Bay",
    "Saltash Quay", "Brindle Hill", "Ashcombe",
]
BODIES = [
    "Harbour Board", "Kellingford Council", "Ostrava Freight", "the Coastal Trust",
    "Westmoor Rovers", "Brindle Hill Academy", "Tamsin Water", "the Ferry Workers Union",
]
_PLACE_NAMES = [p.removeprefix("the ") for p in PLACES]
_BODY_NAMES = [b.removeprefix("the ") for b in BODIES]

FACTS = [
    "{p} said the {b} would spend £{n}m on new berths at {l} by {m}.",
    "The {b} voted {n} to {k} on {d} to close the depot at {l}.",
    "Figures published by the {b} show {n} per cent more passengers used the ferry in {m}.",
    "{p} told the meeting that {n} homes in {l} had been without water for two days.",
    "According to the {b}, the repairs at {l} will take {n} weeks.",
    "Police closed the road near {l} for {n} hours after the collision, a spokesperson said.",
    "The {b} confirmed that {p} will step down in {m} after {n} years in the post.",
    "{p}, who chairs the {b}, said the contract was signed on {d}.",
    "The report found that {n} of the {k} bridges around {l} needed urgent work.",
    "Tickets for the match at {l} sold out within {n} minutes, the {b} said.",
    "The {b} recorded {n} complaints about the new timetable in {m}.",
    "Work on the sea wall at {l} began on {d} and is due to finish in {m}.",
    "{p} said the closure at {l} was reckless and should be reversed.",
    "“We should have been told sooner,” {p} said.",
    "The {b} described the old timetable as a shameful mistake, according to the minutes.",
    "Residents told {p} they felt the plan was unfair to families in {l}.",
]
OPINIONS = [
    "It is hard to see why the {b} still deserves the benefit of the doubt.",
    "Frankly, the decision to close the depot at {l} is baffling.",
    "{p} is right to demand answers, and the {b} should give them.",
    "We think the plan for {l} is a welcome, if overdue, change of heart.",
    "The {b} ought to admit that this has been a costly mistake.",
    "Nobody should pretend that {l} can absorb another year of delays.",
    "This is surely the worst possible moment to cut the ferry service.",
    "The new timetable is a shameful way to treat the people of {l}.",
    "I cannot imagine a more reckless use of public money than this.",
    "It would be absurd to blame {p} alone for a failure this wide.",
    "The {b} must do better, and it must do so quickly.",
    "Perhaps the most troubling part is how little anyone seems to care.",
    "{l} has waited long enough for a proper bridge.",
    "Another year of this will leave {l} poorer and angrier.",
    "Nobody in {l} asked for a ferry that runs twice a day.",
    "The {b} has had {n} years to fix this and has not.",
]
WRITERS = ["Nell Corrigan", "Joss Whitfield", "Amara Quist", "Bram Lowther"]
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November December".split()

SITES = {
    "harbourgazette.example": {
        "top": ["Home | News | Sport | Opinion | Weather", "Share | Tweet | Email"],
        "dated": "Updated {d2} {m} 2026, {h}:{mm}",
        "middle": ["Subscribe to the Gazette's morning newsletter for the day's news.",
                   "Photo: Gazette archive"],
        "bottom": ["© 2026 Harbour Gazette Ltd. All rights reserved.",
                   "Comments are closed."],
        "bio": "{p2} is a reporter for the Harbour Gazette and covers the coast.",
    },
    "moorlandpost.example": {
        "top": ["The Moorland Post", "News  Business  Culture  Letters"],
        "dated": "{d} {d2} {m} 2026 · {n} min read",
        "middle": ["Already a member? Log in to keep reading.",
                   "Advertisement"],
        "bottom": ["Copyright 2026 Moorland Post Media. Reproduction without permission is prohibited.",
                   "f", "t"],
        "bio": "{p2} was a correspondent for the Moorland Post until 2025.",
    },
}


@dataclass
class Made:
    title: str
    text: str
    url: str
    site: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, str]] = []

    def add(self, text: str) -> int:
        self.parts.append(text)
        start = self.length
        self.length += len(text)
        return start

    def para(self, text: str, label: str | None, names: list[str] = ()) -> None:
        if self.parts:
            self.add("\n\n")
        start = self.add(text)
        if label:
            self.spans.append((start, start + len(text), label))
        self._names(start, text, names)

    def body(self, sentences: list[tuple[str, str, list[str]]]) -> None:
        if self.parts:
            self.add("\n\n")
        for k, (sentence, label, names) in enumerate(sentences):
            if k:
                self.add(" ")
            start = self.add(sentence)
            self.spans.append((start, start + len(sentence), label))
            self._names(start, sentence, names)

    def _names(self, start: int, text: str, names: list[str]) -> None:
        """Every whole-word mention of the names, longest first, none overlapping another."""
        taken: list[tuple[int, int]] = []
        for name in sorted(set(names), key=len, reverse=True):
            at = 0
            while (i := text.find(name, at)) != -1:
                j = i + len(name)
                at = j
                before = text[i - 1] if i else " "
                after = text[j] if j < len(text) else " "
                if before.isalnum() or after.isalnum():
                    continue
                if any(a < j and i < b for a, b in taken):
                    continue
                taken.append((i, j))
                self.spans.append((start + i, start + j, "entity"))


def _fill(template: str, rng: random.Random) -> tuple[str, list[str]]:
    used: list[str] = []
    values = {}
    p = rng.choice(PEOPLE)
    surname_only = rng.random() < 0.3
    values["p"] = p.split()[-1] if surname_only and template.startswith("{p} said") is False else p
    b = rng.choice(_BODY_NAMES)
    values["b"] = b
    values["l"] = rng.choice(_PLACE_NAMES)
    values["n"] = str(rng.choice([2, 3, 4, 6, 8, 12, 14, 19, 27, 31, 45]))
    values["k"] = str(rng.choice([5, 7, 9]))
    values["m"] = rng.choice(MONTHS)
    values["d"] = rng.choice(DAYS)
    text = template.format(**values)
    # "The Harbour Board" opens a sentence; the name is the body without the article.
    text = text.replace("the the ", "the ").replace("The the ", "The ")
    for key in ("p", "b", "l"):
        if "{" + key + "}" in template:
            used.append(values[key])
    return text, used


def make_collection(articles: int = 30, seed: int = 7) -> list[Made]:
    rng = random.Random(seed)
    out = []
    sites = list(SITES)
    for i in range(articles):
        site = sites[i % len(sites)]
        furniture = SITES[site]
        b = _Builder()
        for line in furniture["top"]:
            b.para(line, "boilerplate")
        title_text, title_names = _fill(rng.choice(FACTS), rng)
        title = title_text.rstrip(".")
        b.para(title, "fact", title_names)
        b.para(furniture["dated"].format(
            d=rng.choice(DAYS), d2=rng.randint(1, 28), m=rng.choice(MONTHS), h=rng.randint(6, 22),
            mm=f"{rng.randint(0, 59):02d}", n=rng.randint(2, 9)), "boilerplate")
        for k in range(rng.randint(3, 5)):
            sentences = []
            for _ in range(rng.randint(2, 4)):
                if rng.random() < 0.55:
                    text, names = _fill(rng.choice(FACTS), rng)
                    sentences.append((text, "fact", names))
                else:
                    text, names = _fill(rng.choice(OPINIONS), rng)
                    sentences.append((text, "opinion", names))
            b.body(sentences)
            if k == 1:
                for line in furniture["middle"]:
                    b.para(line, "boilerplate")
        bio_person = rng.choice(WRITERS)
        b.para(furniture["bio"].format(p2=bio_person), "boilerplate")
        for line in furniture["bottom"]:
            b.para(line, "boilerplate")
        spans = sorted(set(b.spans))
        out.append(Made(title, "".join(b.parts), f"https://{site}/news/{i + 1}", site, spans))
    return out
