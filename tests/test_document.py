"""The open-article model on its own: one change applied once, layers kept consistent, and
listeners told exactly what changed."""

from db import Article, Change, Label, Span
from reader.document import SPANS, SUGGESTIONS, Delta, Document
from reader.suggest.model import Suggestion

TEXT = (
    "The harbour board met on Monday. Its chair, Odile Brannock, said the dredging would wait. "
    "Several fishermen called the delay a disgrace. Brannock left without answering questions."
)
LABELS = {
    "fact": Label("fact", "segment"),
    "opinion": Label("opinion", "segment"),
    "entity": Label("entity", "entity"),
}


def article(status="new"):
    return Article(1, "Harbour board", TEXT, "harbour-news", None, "0" * 64, None, None,
                   "2026-01-01T00:00:00", status, {}, len(TEXT.split()))


def span(i, word, label="entity", annotator="ann", occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(word, start + 1)
    return Span(i, 1, start, start + len(word), label, annotator)


def suggestion(word, label="entity", occurrence=0, score=0.8):
    s = span(0, word, label, occurrence=occurrence)
    return Suggestion(s.start, s.end, label, score, "name", "tagged elsewhere")


def make(spans=()):
    doc = Document(article(), LABELS, "ann", spans)
    seen: list[Delta] = []
    doc.subscribe(seen.append)
    return doc, seen


def test_a_change_updates_spans_status_and_tells_listeners_once():
    doc, seen = make()
    first = span(1, "Odile Brannock")
    removed = doc.apply(Change(1, (first,), ()))
    assert removed == []
    assert list(doc.spans) == [1] and doc.article.status == "in_progress"
    assert seen == [Delta(SPANS, (), (first,))]
    relabelled = first._replace(id=2, label="fact")
    seen.clear()
    removed = doc.apply(Change(1, (relabelled,), (first,)))
    assert removed == [first] and list(doc.spans) == [2]
    assert seen == [Delta(SPANS, (first,), (relabelled,))]


def test_removing_a_span_not_held_tells_nobody_of_it():
    doc, seen = make([span(1, "Odile Brannock")])
    doc.apply(Change(1, (), (span(99, "Brannock", occurrence=1),)))
    assert seen == [] and list(doc.spans) == [1]


def test_a_status_change_is_held_on_the_article():
    doc, _ = make()
    doc.apply(Change(1, (), (), status="done"))
    assert doc.article.status == "done"


def test_suggestions_over_own_tags_of_their_layer_are_not_kept():
    doc, seen = make([span(1, "Odile Brannock")])
    over_tag = suggestion("Odile Brannock")
    elsewhere = suggestion("Brannock", occurrence=1)
    sentence = Suggestion(0, TEXT.index(".") + 1, "fact", 0.7, "classifier")
    unknown = Suggestion(0, 3, "weather", 0.9, "imported")
    doc.set_suggestions([elsewhere, over_tag, sentence, unknown])
    # The sentence holds no fact span, and an entity tag does not cover the segment layer.
    assert list(doc.suggestions) == [sentence, elsewhere]
    assert seen[-1].layer == SUGGESTIONS and set(seen[-1].added) == {sentence, elsewhere}


def test_another_annotators_span_does_not_hide_a_suggestion():
    doc, _ = make([span(1, "Odile Brannock", annotator="bea")])
    doc.set_suggestions([suggestion("Odile Brannock")])
    assert len(doc.suggestions) == 1


def test_a_tag_drops_the_suggestions_it_covers_and_says_so():
    doc, seen = make()
    name = suggestion("Brannock", occurrence=1)
    other = suggestion("Odile Brannock")
    doc.set_suggestions([name, other])
    seen.clear()
    doc.apply(Change(1, (span(5, "Brannock", occurrence=1),), ()))
    assert list(doc.suggestions) == [other]
    assert [d.layer for d in seen] == [SPANS, SUGGESTIONS]
    assert seen[1].removed == (name,) and seen[1].added == ()


def test_innermost_suggestion_and_neighbours():
    doc, _ = make()
    sentence_end = TEXT.index("wait.") + 5
    sentence = Suggestion(TEXT.index("Its"), sentence_end, "fact", 0.6, "classifier")
    name = suggestion("Odile Brannock")
    later = suggestion("Brannock", occurrence=1)
    doc.set_suggestions([later, sentence, name])
    inside_name = TEXT.index("Odile") + 2
    assert doc.suggestion_at(inside_name) == name
    assert doc.suggestion_at(TEXT.index("dredging")) == sentence
    assert doc.suggestion_at(0) is None
    assert doc.next_suggestion_start(inside_name) == later.start
    assert doc.prev_suggestion_start(inside_name) == name.start
    assert doc.prev_suggestion_start(sentence.start) is None
    assert doc.next_suggestion_start(later.start) is None


def test_remove_and_add_back_a_suggestion():
    doc, seen = make()
    name, other = suggestion("Odile Brannock"), suggestion("Brannock", occurrence=1)
    doc.set_suggestions([name, other])
    doc.remove_suggestions([name])
    assert list(doc.suggestions) == [other]
    doc.add_suggestion(name)
    assert list(doc.suggestions) == [name, other]
    assert seen[-1] == Delta(SUGGESTIONS, (), (name,))


def test_the_same_suggestions_again_tell_nobody():
    doc, seen = make()
    found = [suggestion("Odile Brannock")]
    doc.set_suggestions(found)
    seen.clear()
    doc.set_suggestions(list(found))
    assert seen == []


def test_swap_puts_committed_spans_in_place_of_provisional_ones():
    doc, seen = make()
    provisional = span(-1, "Odile Brannock")
    doc.apply(Change(1, (provisional,), ()))
    gone = span(-2, "Brannock", occurrence=1)
    seen.clear()
    committed = provisional._replace(id=40)
    doc.swap([(provisional, committed), (gone, gone._replace(id=41))])
    assert list(doc.spans) == [40]
    assert seen == [Delta(SPANS, (provisional,), (committed,))]


def test_replacing_the_spans_resets_the_layer_and_drops_covered_suggestions():
    doc, seen = make()
    name = suggestion("Odile Brannock")
    doc.set_suggestions([name])
    seen.clear()
    doc.replace_spans([span(7, "Odile Brannock")])
    assert list(doc.spans) == [7] and list(doc.suggestions) == []
    assert seen[0] == Delta(SPANS, reset=True)
    assert seen[1] == Delta(SUGGESTIONS, (name,), ())


def test_a_listener_subscribed_twice_is_told_once():
    doc, seen = make()
    doc.subscribe(seen.append)
    doc.apply(Change(1, (span(1, "Odile Brannock"),), ()))
    assert len(seen) == 1
