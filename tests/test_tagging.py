from reader.tagging import natural_unit, next_untagged, snap_selection
from reader.text.segment import Segments

TEXT = (
    "Council backs budget\n"
    "By Ann Lee\n\n"
    "The council voted on Tuesday. Mr. Boris Johnson said it was “a disgrace”. Nobody agreed.\n\n"
    "Subscribe to our newsletter"
)


def piece(span):
    return TEXT[span[0] : span[1]]


def test_selection_snaps_outward_to_whole_words():
    seg = Segments(TEXT)
    start = TEXT.index("ouncil voted")
    end = TEXT.index("voted") + 2
    assert piece(snap_selection(seg, start, end, "sentence")) == "council voted"


def test_selection_is_trimmed_of_whitespace_but_sentences_keep_punctuation():
    seg = Segments(TEXT)
    start = TEXT.index("Mr.") - 1
    end = TEXT.index("Nobody") - 1
    assert piece(snap_selection(seg, start, end, "sentence")) == (
        "Mr. Boris Johnson said it was “a disgrace”."
    )


def test_word_sized_selection_drops_surrounding_punctuation():
    seg = Segments(TEXT)
    start = TEXT.index("“a disgrace”")
    end = start + len("“a disgrace”.")
    assert piece(snap_selection(seg, start, end, "word")) == "a disgrace"


def test_empty_or_blank_selection_is_nothing():
    seg = Segments(TEXT)
    blank = TEXT.index("\n\n")
    assert snap_selection(seg, blank, blank + 2, "sentence") is None
    assert snap_selection(seg, 5, 5, "sentence") is None


def test_natural_units():
    seg = Segments(TEXT)
    pos = TEXT.index("said")
    assert piece(natural_unit(seg, pos, "sentence")) == "Mr. Boris Johnson said it was “a disgrace”."
    assert piece(natural_unit(seg, pos, "paragraph")) == TEXT.split("\n\n")[1]
    assert piece(natural_unit(seg, TEXT.index("Johnson"), "word")) == "Boris Johnson"
    assert piece(natural_unit(seg, TEXT.index("voted"), "word")) == "voted"


def test_next_untagged_skips_tagged_units():
    seg = Segments(TEXT)
    first = natural_unit(seg, TEXT.index("council voted"), "sentence")
    second = natural_unit(seg, TEXT.index("Mr."), "sentence")
    nxt = next_untagged(seg, first[0], "sentence", [first, second])
    assert TEXT[nxt:].startswith("Nobody agreed.")
    assert next_untagged(seg, TEXT.index("Subscribe"), "sentence", []) is None


def test_next_untagged_entity_walks_from_name_to_name():
    seg = Segments(TEXT)
    ann = natural_unit(seg, TEXT.index("Ann"), "word")
    assert piece(ann) == "Ann Lee"
    nxt = next_untagged(seg, ann[0], "word", [ann])
    assert TEXT[nxt:].startswith("Boris Johnson")
    boris = natural_unit(seg, nxt, "word")
    # "Nobody" opens a sentence and is an ordinary word: not a name to stop at.
    assert next_untagged(seg, boris[0], "word", [ann, boris]) is None


def test_entity_unit_drops_possessives_titles_and_compounds():
    text = "French President Emmanuel Macron met Merkel's aides at a Berlin-based think tank."
    seg = Segments(text)
    at = lambda word: text[slice(*natural_unit(seg, text.index(word), "word"))]  # noqa: E731
    assert at("Macron") == "Emmanuel Macron"
    assert at("Merkel") == "Merkel"
    assert at("Berlin") == "Berlin"
    assert at("based") == "based"
    assert at("aides") == "aides"


def test_entity_selection_stops_at_a_possessive_or_hyphen():
    text = "Merkel’s aides met Berlin-based staff."
    seg = Segments(text)
    # Ending before the ’s, or inside the word: the name part, not the whole word.
    assert text[slice(*snap_selection(seg, 0, 6, "word"))] == "Merkel"
    assert text[slice(*snap_selection(seg, 0, 4, "word"))] == "Merkel"
    assert text[slice(*snap_selection(seg, 0, 8, "word"))] == "Merkel"
    b = text.index("Berlin")
    assert text[slice(*snap_selection(seg, b, b + 6, "word"))] == "Berlin"
    assert text[slice(*snap_selection(seg, b + 2, b + 4, "word"))] == "Berlin"
    # Sentence-sized labels still snap out to whole words.
    assert text[slice(*snap_selection(seg, b, b + 6, "sentence"))] == "Berlin-based"


def test_paragraph_unit_is_the_line_in_a_block_of_lines():
    seg = Segments(TEXT)
    assert piece(natural_unit(seg, TEXT.index("Ann"), "paragraph")) == "By Ann Lee"
    nxt = next_untagged(seg, 0, "paragraph", [])
    assert TEXT[nxt:].startswith("By Ann Lee")
    nxt = next_untagged(seg, nxt, "paragraph", [])
    assert TEXT[nxt:].startswith("The council voted")


def test_next_untagged_jumps_runs_of_tagged_sentences_and_agrees_with_a_plain_scan():
    import random

    rng = random.Random(5)
    text = "\n\n".join(
        " ".join(f"Sentence {p}.{k} is here." for k in range(rng.randrange(1, 6))) for p in range(120)
    )
    seg = Segments(text)
    units = [s for p in seg.paragraphs() for s in seg.sentences_in(*p)]
    for _ in range(30):
        tagged = sorted(u for u in units if rng.random() < 0.8)
        pos = rng.randrange(0, len(text))
        plain = next(
            (u[0] for u in units if u[0] > pos and not any(t[0] < u[1] and u[0] < t[1] for t in tagged)),
            None,
        )
        assert next_untagged(seg, pos, "sentence", tagged) == plain


def test_a_name_split_by_hand_stays_split_when_the_key_is_pressed_on_a_part():
    text = "The report by Reuters Global News Desk was late."
    seg = Segments(text)
    g = text.index("Global")
    assert text[slice(*natural_unit(seg, g, "word"))] == "Reuters Global News Desk"
    reuters = (text.index("Reuters"), text.index("Reuters") + 7)
    assert text[slice(*natural_unit(seg, g, "word", [reuters]))] == "Global News Desk"
    desk = (text.index("Desk"), text.index("Desk") + 4)
    assert text[slice(*natural_unit(seg, g, "word", [reuters, desk]))] == "Global News"
    # With the cursor inside an entity, the unit is the name there, whatever is tagged.
    assert natural_unit(seg, reuters[0], "word", [reuters]) == natural_unit(seg, reuters[0], "word")
