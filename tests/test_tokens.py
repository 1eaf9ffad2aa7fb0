"""Prodigy-style tokens: coverage, the split rules, and agreement with word snapping."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.text.segment import words
from reader.text.tokens import Token, TokenIndex, tokenize

HOSTILE = (
    "Kim Jong-un met O'Neill's aide in the U.S.-led talks, e.g. at 10:42 "
    "(£39bn; 10,000-strong)...\n"
    "“Why now?” she asked. 👨‍👩‍👧 and 🇬🇧 fans; Zoe\u0301 said 👨🏻‍🚒 firefighters came!!\n"
    "Uber’s Lesson: don't panic — 50% of US$4.2m, see https://example.com/a_(b) or "
    "mail john.doe@example.co.uk #tag @user AT&T 北京欢迎你 カタカナ 1️⃣ \u0301 end"
)


def texts(text):
    return [t.text for t in tokenize(text)]


def check_cover(text):
    """Tokens are in order, hold no whitespace, and cover every non-whitespace character once."""
    tokens = tokenize(text)
    covered = []
    for n, tok in enumerate(tokens):
        assert tok.id == n
        assert tok.text == text[tok.start : tok.end] != ""
        assert not any(ch.isspace() for ch in tok.text)
        assert tok.ws == (tok.end < len(text) and text[tok.end].isspace())
        if n:
            assert tokens[n - 1].end <= tok.start
        covered.extend(range(tok.start, tok.end))
    assert covered == [i for i, ch in enumerate(text) if not ch.isspace()]
    return tokens


def test_prodigy_example():
    assert tokenize("Uber’s Lesson") == [
        Token("Uber", 0, 4, 0, False),
        Token("’s", 4, 6, 1, True),
        Token("Lesson", 7, 13, 2, False),
    ]
    assert tokenize("Uber’s Lesson")[1].to_dict() == {
        "text": "’s", "start": 4, "end": 6, "id": 1, "ws": True,
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kim Jong-un", ["Kim", "Jong", "-", "un"]),
        ("O'Neill's aide", ["O'Neill", "'s", "aide"]),
        ("don't, can't", ["do", "n't", ",", "ca", "n't"]),
        ("the U.S.-led talks", ["the", "U.S.", "-", "led", "talks"]),
        ("£39bn and 50%", ["£", "39bn", "and", "50", "%"]),
        ("10,000-strong at 10:42", ["10,000", "-", "strong", "at", "10:42"]),
        ("wait... what?!", ["wait", "...", "what", "?", "!"]),
        ("“Quoted.”", ["“", "Quoted", ".", "”"]),
        ("see https://example.com/a?b=1.", ["see", "https://example.com/a?b=1", "."]),
        ("mail john.doe@example.co.uk,", ["mail", "john.doe@example.co.uk", ","]),
        ("#tag @user", ["#", "tag", "@", "user"]),
        ("北京 hi", ["北", "京", "hi"]),
    ],
)
def test_split_rules(text, expected):
    assert texts(text) == expected


def test_emoji_sequences_and_combining_marks_stay_whole():
    assert texts("👨‍👩‍👧 🇬🇧🇫🇷 👨🏻‍🚒x Zoe\u0301 1️⃣") == [
        "👨‍👩‍👧", "🇬🇧", "🇫🇷", "👨🏻‍🚒", "x", "Zoe\u0301", "1️⃣",
    ]


def test_hostile_text_is_covered():
    tokens = check_cover(HOSTILE)
    assert "\u0301" in [t.text for t in tokens]  # a stray mark after a space is still a token


def test_every_word_edge_is_a_token_edge():
    # Spans are snapped to words in the editor; on tokens they must still start and end cleanly.
    index = TokenIndex(tokenize(HOSTILE))
    found = words(HOSTILE)
    assert len(found) > 40
    for start, end in found:
        assert index.aligned(start, end) is not None, HOSTILE[start:end]


def test_empty_and_blank_text():
    assert tokenize("") == []
    assert tokenize(" \n\t ") == []


def test_token_index():
    tokens = tokenize("Kim Jong-un met O'Neill's aide")
    index = TokenIndex(tokens)
    assert index.aligned(0, 11) == (0, 3)  # Kim Jong-un
    assert index.aligned(16, 23) == (5, 5)  # O'Neill
    assert index.aligned(16, 25) == (5, 6)  # O'Neill's
    assert index.aligned(4, 6) is None  # "Jo": inside a token
    assert index.aligned(3, 11) is None  # starts on the space
    assert index.covering(5, 6) == (1, 1)  # "o" of Jong -> Jong
    assert index.covering(2, 13) == (0, 4)  # "m Jong-un m" -> Kim .. met
    assert index.covering(3, 4) is None  # only the space


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("ab Z.,'’-—:%£$@#/\n")
            + ["👨‍👩‍👧", "🇬", "\u0301", "\u200d", "é", "北", "9", "\ufe0f"]
        ),
        max_size=60,
    ).map("".join)
)
def test_cover_and_word_edges_hold_for_any_text(text):
    index = TokenIndex(check_cover(text))
    for start, end in words(text):
        assert index.aligned(start, end) is not None
