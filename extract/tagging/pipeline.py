"""The spaCy pipeline of the tagger: blank English, lookup lemmatizer, cue rules, multilabel textcat.

spaCy is imported inside the functions: importing ``extract`` (or the web app) must stay cheap.
Docs are made from canonical words (``extract.tagging.normalize``), never from raw text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from extract.tagging.featurize import ARCHITECTURE, register_architecture
from extract.tagging.rules import COMPONENT, TOKENIZER, negation_words, phrase_table, register_components
from models.tags import ALL_TAGS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

TEXTCAT = "textcat_multilabel"
DEFAULT_MODEL_DIR = Path(__file__).parent / "model"
# Bag of words over unigrams and bigrams (spaCy's BOW, n-grams hashed per batch: featurize.py);
# "xbos inv" is how it learns that a leading "inv" means an invoice. 2**15 buckets keep the
# shipped model small with few collisions on this vocabulary.
TEXTCAT_MODEL = {
    "@architectures": ARCHITECTURE,
    "exclusive_classes": False,
    "ngram_size": 2,
    "no_output_layer": False,
    "length": 2**15,
}


def build_pipeline(labels: Sequence[str] = ALL_TAGS) -> Language:
    """A fresh, untrained pipeline with the textcat labels added (lemmatizer tables load at initialize)."""
    import spacy

    register_components()
    register_architecture()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe(COMPONENT)
    textcat = nlp.add_pipe(TEXTCAT, config={"model": TEXTCAT_MODEL, "threshold": 0.5})
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    return nlp


def load_pipeline(model_dir: Path) -> Language:
    """The trained pipeline saved in ``model_dir``."""
    import spacy

    register_components()
    register_architecture()
    return spacy.load(model_dir)


def words_to_doc(nlp: Language, words: Sequence[str]) -> Doc:
    """An unprocessed Doc of canonical words (no tokenizer: the words are already split)."""
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=list(words))


def prune_lemma_table(nlp: Language) -> None:
    """Keep only the lemma entries that can matter to a phrase (an initialized pipeline, in place).

    Matching on lemmas needs the forms whose lemma is a phrase word; the other 40,000 entries of
    the English table only slow loading.
    """
    from spacy.lookups import Table

    lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    table = lookups.get_table("lemma_lookup")
    words = {w for _, phrase in phrase_table() for w in phrase.lstrip("=").split()} | negation_words()
    lemmas = words | {table.get(w, w) for w in words}
    keep_keys = {nlp.vocab.strings.add(w) for w in lemmas}
    pruned = Table(name="lemma_lookup")
    for key, value in table.items():
        if value in lemmas or key in keep_keys:
            pruned[key] = value
    lookups.remove_table("lemma_lookup")
    lookups.set_table("lemma_lookup", pruned)
