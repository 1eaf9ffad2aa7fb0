"""Suggestions: the machine proposes spans, the annotator accepts or rejects them.

Pure: imports neither Textual nor Rich, and scikit-learn only when a classifier is trained
(`reader.suggest.classify`). The store hands in a `Corpus` (texts and the annotator's own spans);
everything here works on it and returns `Suggestion` records.

Sources of suggestions:
- names (`names.py`): text the annotator tagged as a name elsewhere, at its untagged whole-word
  mentions, scored by how often that text was tagged against left untagged or rejected; the name
  finder's candidates with a lower score.
- boilerplate (`boilerplate.py`): lines tagged boilerplate in other articles of the same site,
  lines that repeat across the site's articles, and rules for common page cruft.
- sentences (`classify.py`): a fact/opinion classifier trained on the annotator's tags, with a
  rules-only fallback.
- imported: spans another model wrote, brought in with `reader import --suggestions`.
"""

from .model import Corpus, Doc, Suggestion
from .engine import suggest_article

__all__ = ["Corpus", "Doc", "Suggestion", "suggest_article"]
