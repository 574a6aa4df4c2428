"""NLP tagging of line descriptions: document types, cues (why books differ) and entities.

``tag_texts`` / ``tag_statement`` / ``tag_ledger`` use the shipped model in ``model/``; spaCy
loads on the first call, never at import. ``docs/tagging.md`` documents every tag.
"""

from extract.tagging.corpus import ReviewedExample, append_reviewed_examples, check_corpus
from extract.tagging.tagger import Tagger, TagResult, load_tagger, tag_ledger, tag_statement, tag_texts
from extract.tagging.training import TrainingOptions, train_tagger

__all__ = [
    "ReviewedExample",
    "TagResult",
    "Tagger",
    "TrainingOptions",
    "append_reviewed_examples",
    "check_corpus",
    "load_tagger",
    "tag_ledger",
    "tag_statement",
    "tag_texts",
    "train_tagger",
]
