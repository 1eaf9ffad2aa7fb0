"""The name finder: its rules, the motions, every mention, selection parts, and its cost."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from reader.text import names
from reader.text.names import mentions, name_at, names_in, next_name, prev_name, snap_to_parts


def found(text: str) -> list[str]:
    return [text[s:e] for s, e in names_in(text)]


def at(text: str, word: str, nth: int = 0) -> str | None:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(word, pos + 1)
    span = name_at(text, pos)
    return None if span is None else text[span[0] : span[1]]


@pytest.mark.parametrize(
    "text, word, name",
    [
        ("Germany’s exports fell.", "Germany", "Germany"),
        ("He met Merkel's aides.", "Merkel", "Merkel"),
        ("Officials in Ankara’s old town agreed.", "Ankara", "Ankara"),
        ("French President Emmanuel Macron spoke.", "Macron", "Emmanuel Macron"),
        ("It was Turkish Foreign Minister Hakan Fidan who spoke.", "Hakan", "Hakan Fidan"),
        ("Chancellor Olaf Scholz spoke.", "Olaf", "Olaf Scholz"),
        ("They heard Senator Amy Klobuchar.", "Amy", "Amy Klobuchar"),
        ("Charity Oxfam said it would help.", "Oxfam", "Oxfam"),
        ("After the Bundestag voted, they left.", "Bundestag", "Bundestag"),
        ("Both Germany and Spain objected.", "Germany", "Germany"),
        ("Despite Macron’s warning, it passed.", "Macron", "Macron"),
        ("Reuters' Global News Desk confirmed it.", "Reuters", "Reuters"),
        ("Reuters' Global News Desk confirmed it.", "Global", "Global News Desk"),
        ("It aired on the BBC's Newsnight.", "Newsnight", "Newsnight"),
        ("It aired on the BBC's Newsnight.", "BBC", "BBC"),
        ("Talks in Geneva the Swiss city ended.", "Geneva", "Geneva"),
        ("A Berlin-based group sued.", "Berlin", "Berlin"),
        ("An anti-Macron march set off.", "Macron", "Macron"),
        ("The Democratic Republic of the Congo voted.", "Congo", "Democratic Republic of the Congo"),
        ("She landed at Charles de Gaulle Airport.", "Gaulle", "Charles de Gaulle Airport"),
        ("Jean-Luc Mélenchon objected.", "Luc", "Jean-Luc Mélenchon"),
        ("The Macron–Scholz talks ended.", "Scholz", "Scholz"),
        ("The Macron–Scholz talks ended.", "Macron", "Macron"),
        ("Exports to the U.S. rose.", "U.S.", "U.S."),
        ("Secretary of State Antony Blinken flew in.", "Blinken", "Antony Blinken"),
        ("Bank of England Governor Andrew Bailey spoke.", "Bailey", "Andrew Bailey"),
        ("Bank of England Governor Andrew Bailey spoke.", "England", "Bank of England"),
        ("Mr. Boris Johnson left.", "Boris", "Boris Johnson"),
        ("Martin Luther King Jr. spoke.", "Luther", "Martin Luther King Jr."),
        ("Staff at the Justice Department left.", "Justice", "Justice Department"),
        ("He praised J. K. Rowling warmly.", "Rowling", "J. K. Rowling"),
        ("She grew up in St. Louis, Missouri.", "Louis", "St. Louis"),
        ("Exports to the U.S. The figures rose.", "U.S.", "U.S."),
        ("Macron Meets Scholz As Talks Stall In Berlin", "Scholz", "Scholz"),
        ("LISBON (Reuters) - The European Commission said no.", "European", "European Commission"),
        ("Ken Sato, 41, of Osaka said so.", "Osaka", "Osaka"),
        ("Green co-leader Carla Denyer of Bristol spoke.", "Carla", "Carla Denyer"),
        ("Fans in Hay-on-Wye cheered.", "Hay", "Hay-on-Wye"),
        ("Students at King's College London protested.", "College", "King's College London"),
        ("Counsel Alan Merriweather KC rose.", "Alan", "Alan Merriweather"),
        ("Novelist Ayesha Rahman spoke first.", "Ayesha", "Ayesha Rahman"),
        ("Figures from the Institute for Fiscal Studies differ.", "Fiscal", "Institute for Fiscal Studies"),
        ("The Intergovernmental Panel on Climate Change met.", "Climate", "Intergovernmental Panel on Climate Change"),
        ("It told the Senate Finance Committee on Tuesday.", "Finance", "Senate Finance Committee"),
        ("Natural Resources Wales issued a warning.", "Wales", "Natural Resources Wales"),
        ("Deutsche Bank declined to comment.", "Bank", "Deutsche Bank"),
    ],
)
def test_name_at(text, word, name):
    assert at(text, word) == name


@pytest.mark.parametrize(
    "text, word",
    [
        ("However, nothing changed.", "However"),
        ("Since then, prices rose.", "Since"),
        ("Ahead of the vote, they met.", "Ahead"),
        ("Photo: a crowd outside", "Photo"),
        ("Share\nA\nComment", "A"),
        ("Monday was quiet.", "Monday"),
        ("The French government said no.", "French"),
        ("President said nothing.", "President"),
        ("Police said the road was closed.", "Police"),
        ("Co-chairs of the panel met.", "Co"),
        ("LONDON - Two doctors resigned.", "Two"),
        ("Patients' groups met the Patients Association.", "Patients"),
    ],
)
def test_ordinary_capitalised_words_are_not_names(text, word):
    assert at(text, word) is None


def test_long_names_with_joiners_titles_and_initials():
    text = (
        "The Bank of England raised rates. Yesterday Boris Johnson met Dr. Jane van der Berg and "
        "J. K. Rowling in The Hague.\nLudwig van Beethoven of the city spoke, and I agreed with "
        "Mr Keir Starmer.\nTalks with Paris\nLondon said. Rome, Berlin"
    )
    assert found(text) == [
        "Bank of England", "Boris Johnson", "Jane van der Berg", "J. K. Rowling", "The Hague",
        "Ludwig van Beethoven", "Keir Starmer", "Paris", "London", "Rome", "Berlin",
    ]
    assert at(text, "der") == "Jane van der Berg"
    assert at(text, "K.") == "J. K. Rowling"
    assert at(text, "city") is None


def test_a_sentence_initial_word_seen_capitalised_inside_a_sentence_is_a_name():
    text = "Officials thanked Condoleezza Rice. Rice said so."
    assert found(text) == ["Condoleezza Rice", "Rice"]
    assert found("Rice prices rose. Officials agreed.") == []


def test_names_in_a_range_and_in_order():
    text = "Anna Berg met Olaf Scholz.\nThen Lisbon and Porto hosted Oxfam."
    assert found(text) == ["Anna Berg", "Olaf Scholz", "Lisbon", "Porto", "Oxfam"]
    start = text.index("Lisbon")
    assert [text[s:e] for s, e in names_in(text, start, start + 20)] == ["Lisbon", "Porto"]


def test_next_and_prev_name_skip_tagged_names_and_ordinary_words():
    text = "However, Anna Berg met Olaf Scholz. Since Monday, Oxfam has waited."
    anna, olaf, oxfam = (text.index(w) for w in ("Anna", "Olaf", "Oxfam"))
    assert next_name(text, 0) == anna
    assert next_name(text, anna) == olaf
    assert next_name(text, anna, [(olaf, olaf + len("Olaf Scholz"))]) == oxfam
    assert next_name(text, oxfam) is None
    assert prev_name(text, len(text)) == oxfam
    assert prev_name(text, oxfam, [(olaf, olaf + 11)]) == anna
    assert prev_name(text, anna) is None


def test_motions_on_a_long_single_line_and_many_lines_read_only_a_window():
    body = "The committee met again and heard evidence from officials. " * 17000
    text = body + "Late on, Ingrid Solberg spoke. " + body
    assert len(text) > 1_000_000
    target = text.index("Ingrid")
    t = time.perf_counter()
    nxt = next_name(text, target - 500)
    first = time.perf_counter() - t
    assert nxt == target
    t = time.perf_counter()
    for pos in range(target - 3000, target, 300):
        assert next_name(text, pos) == target
        assert prev_name(text, target + 500) == target
    later = (time.perf_counter() - t) / 20
    assert first < 0.2 and later < 0.01
    lines = "\n".join(f"Paragraph {k} names Nadia Quist once." for k in range(30000))
    mid = lines.index("Paragraph 15000")
    t = time.perf_counter()
    nxt = next_name(lines, mid)
    assert time.perf_counter() - t < 0.05
    assert lines[nxt:].startswith("Nadia Quist")


def test_entity_key_and_jump_stay_quick_anywhere_in_a_megabyte_of_news():
    import random

    from test_names_gold import CASES

    body = "\n\n".join(text for text, _ in CASES)
    text = (body + "\n\n") * (1_000_000 // len(body) + 1)
    names.warm()
    rng = random.Random(3)
    times = []
    for _ in range(200):
        pos = rng.randrange(len(text))
        t = time.perf_counter()
        name_at(text, pos)
        next_name(text, pos)
        times.append(time.perf_counter() - t)
    times.sort()
    # Each position reads its own lines for the first time; a frame is 16 ms.
    assert times[len(times) // 2] < 0.005 and times[-3] < 0.05
    t = time.perf_counter()
    found = mentions(text, text.index("Macron"), text.index("Macron") + 6)
    assert time.perf_counter() - t < 0.1 and len(found) > 100


def test_mentions_are_whole_words_outside_tagged_spans():
    text = (
        "Berlin agreed. Merkel's aides in Berlin-based offices met Jean-Luc. "
        "Berliner Zeitung said Berlin would wait. Merkel left."
    )
    first = (0, 6)
    spots = mentions(text, *first, [first])
    assert [text[s:e] for s, e in spots] == ["Berlin", "Berlin"]
    assert spots[0][0] == text.index("Berlin-based")
    later = text.index("Berlin would")
    assert mentions(text, *first, [first, (later, later + 6)]) == [spots[0]]
    merkel = text.index("Merkel")
    assert [s for s, _ in mentions(text, merkel, merkel + 6, [])] == [text.index("Merkel left")]
    jean = text.index("Jean")
    assert mentions(text, jean, jean + 4, []) == []
    assert mentions(text, 6, 7, []) == []
    assert mentions("Cafe met Cafe\u0301 owners", 0, 4) == []


def test_snap_to_parts():
    text = "Merkel’s Berlin-based aides"
    assert snap_to_parts(text, 0, 6) == (0, 6)
    assert snap_to_parts(text, 2, 4) == (0, 6)
    b = text.index("Berlin")
    assert snap_to_parts(text, b, b + 6) == (b, b + 6)
    assert snap_to_parts(text, b + 8, b + 10) == (b + 7, b + 12)


def test_word_lists_load_lazily_and_never_import_textblob():
    code = (
        "import sys\n"
        "import reader.text.names as n\n"
        "assert n._lexicon is None\n"
        "n.warm()\n"
        "assert n._lexicon and n._gazetteer\n"
        "assert 'textblob' not in sys.modules and 'nltk' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_the_finder_still_works_without_the_word_lists(monkeypatch):
    monkeypatch.setattr(names, "_lexicon", {})
    monkeypatch.setattr(names, "_gazetteer", frozenset())
    text = "However, Chancellor Olaf Scholz met Merkel's aides."
    assert found(text + " ") == ["Olaf Scholz", "Merkel"]
