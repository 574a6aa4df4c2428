"""Descriptions -> tags and entities, each distinct text tagged once; statements and ledgers -> new
values with their lines tagged.

Tags are the textcat's labels at or above the threshold, united with the rule component's
non-negated cue matches, minus the cues it found negated; the document type named at the start
wins over the textcat's guess. The shipped model loads on first use, not at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from extract.tagging.entities import text_to_entities
from extract.tagging.featurize import WordIds
from extract.tagging.normalize import text_to_words
from extract.tagging.pipeline import DEFAULT_MODEL_DIR, TEXTCAT, load_pipeline
from extract.tagging.rules import COMPONENT, CueRules, doc_to_rule_findings
from models import Entity, Ledger, LedgerEntry, NormalizedStatement, StatementLine
from models.errors import ExtractionError
from models.tags import CUES, DOCUMENT_TYPES

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

BATCH_SIZE = 1000
_DIGITS = re.compile(r"\d+")
# Anchored on the digit (rare) rather than the letter (common): the same matches, 3x faster scan.
_DIGIT_TOUCHING_LETTER = re.compile(r"\d(?:(?<=[^\W\d_]\d)|[^\W\d_])")
# Canonical forms repeat far more than raw texts ("Invoice 10023" and "Invoice 10024" are one);
# the cache is cleared when full rather than evicted entry by entry.
CACHE_LIMIT = 500_000


@dataclass(frozen=True)
class TagResult:
    """The tags (sorted) and entities (reading order) of one description."""

    text: str
    tags: tuple[str, ...]
    entities: tuple[Entity, ...]

    def to_json_dict(self) -> dict[str, Any]:
        """The ``arrecon tag`` output object."""
        return {
            "text": self.text,
            "tags": list(self.tags),
            "entities": [{"label": e.label, "text": e.text} for e in self.entities],
        }


class Tagger:
    """A loaded pipeline plus a cache from canonical words to tags."""

    def __init__(self, nlp: Language, threshold: float = 0.5) -> None:
        self.nlp = nlp
        self.threshold = threshold
        self._tags: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._word_ids: dict[str, int] = {}
        self._rules: CueRules = nlp.get_pipe(COMPONENT)  # type: ignore[assignment]
        textcat = nlp.get_pipe(TEXTCAT)
        self._textcat_model = textcat.model  # type: ignore[attr-defined]
        self._columns = _columns(list(textcat.labels))  # type: ignore[attr-defined]

    def tag_texts(self, texts: Sequence[str]) -> list[TagResult]:
        """One result per text, in order; each distinct text (and canonical form) is tagged once."""
        distinct = dict.fromkeys(texts)
        words_of = _texts_to_words(distinct)
        missing = list(dict.fromkeys(w for w in words_of.values() if w not in self._tags))
        if len(self._tags) + len(missing) > CACHE_LIMIT:
            self._tags.clear()
        for start in range(0, len(missing), BATCH_SIZE):
            self._tag_forms(missing[start : start + BATCH_SIZE])
        results = {
            text: TagResult(text, self._tags[words], tuple(text_to_entities(text)))
            for text, words in words_of.items()
        }
        return [results[text] for text in texts]

    def _tag_forms(self, forms: Sequence[tuple[str, ...]]) -> None:
        # No Docs: the rules match on word strings (PhraseIndex) and the textcat's batched
        # featurizer takes word ids, so a form costs dict lookups instead of a Doc, a lemmatizer
        # pass and two PhraseMatchers. The textcat's scores are read from its model directly:
        # writing 22 labels into every doc.cats would cost more than the prediction itself.
        if not forms:
            return
        index = self._rules.index
        ids = self._word_ids
        for words in forms:
            for word in words:
                if word not in ids:
                    ids[word] = self.nlp.vocab.strings.add(word)
        batch = WordIds.from_sequences([[ids[w] for w in words] for words in forms])
        scores = self._textcat_model.predict(batch)
        for words, row in zip(forms, self._scores_to_textcat_tags(scores), strict=True):
            found, negated, leading_type = index.words_to_findings(words)
            cues, best_type = row
            self._tags[words] = _tags(cues | found, negated, leading_type or best_type)

    def _scores_to_textcat_tags(self, scores: Any) -> list[tuple[frozenset[str], str | None]]:
        """Per row of scores: the cues at or above the threshold, the best document type if above it."""
        import numpy

        scores = numpy.asarray(scores)
        columns = self._columns
        cue_hits = scores[:, columns.cues] >= self.threshold
        type_scores = scores[:, columns.types]
        best = type_scores.argmax(axis=1)  # the first of equal scores, as max() over DOCUMENT_TYPES
        best_ok = type_scores[numpy.arange(len(best)), best] >= self.threshold
        rows: list[tuple[frozenset[str], str | None]] = []
        cue_names, type_names = columns.cue_names, columns.type_names
        for hits, kind, ok in zip(cue_hits.tolist(), best.tolist(), best_ok.tolist(), strict=True):
            cues = frozenset(name for name, hit in zip(cue_names, hits, strict=True) if hit)
            rows.append((cues, type_names[kind] if ok else None))
        return rows

    def doc_to_tags(self, doc: Doc) -> tuple[str, ...]:
        """The sorted tags of one doc the whole pipeline processed (``doc.cats`` filled)."""
        return self.scores_to_tags(doc, doc.cats)

    def scores_to_tags(self, doc: Doc, scores: dict[str, float]) -> tuple[str, ...]:
        """The sorted tags from the textcat's scores and the rule component's findings on ``doc``."""
        found, negated, leading_type = doc_to_rule_findings(doc)
        cues = {c for c in CUES if scores.get(c, 0.0) >= self.threshold} | found
        document_type = leading_type
        if document_type is None:
            best = max(DOCUMENT_TYPES, key=lambda t: scores.get(t, 0.0))
            document_type = best if scores.get(best, 0.0) >= self.threshold else None
        return _tags(cues, negated, document_type)


class _Columns(NamedTuple):
    """Where the cues and the document types sit among the textcat's labels."""

    cues: list[int]
    cue_names: list[str]
    types: list[int]
    type_names: list[str]


def _columns(labels: Sequence[str]) -> _Columns:
    cue_names = [c for c in CUES if c in labels]
    type_names = [t for t in DOCUMENT_TYPES if t in labels]
    return _Columns(
        [labels.index(c) for c in cue_names], cue_names, [labels.index(t) for t in type_names], type_names
    )


def _tags(cues: Iterable[str], negated: frozenset[str], document_type: str | None) -> tuple[str, ...]:
    tags = set(cues) - negated
    if document_type:
        tags.add(document_type)
    return tuple(sorted(tags))


def _texts_to_words(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Canonical words of each text; texts that differ only in free-standing numbers share the work.

    Numbers fold to ``0``, so "Invoice 10023" and "Invoice 10024" have the same words; a digit
    touching a letter ("Fre1ght", "INV12345") is OCR repair or a glued reference: no sharing then.
    """
    by_skeleton: dict[str, tuple[str, ...]] = {}
    words_of: dict[str, tuple[str, ...]] = {}
    for text in texts:
        if _DIGIT_TOUCHING_LETTER.search(text):
            words_of[text] = tuple(text_to_words(text))
            continue
        skeleton = _DIGITS.sub("0", text)
        words = by_skeleton.get(skeleton)
        if words is None:
            words = by_skeleton[skeleton] = tuple(text_to_words(skeleton))
        words_of[text] = words
    return words_of


@lru_cache(maxsize=4)
def load_tagger(model_dir: Path = DEFAULT_MODEL_DIR) -> Tagger:
    """The tagger saved in ``model_dir`` (the shipped one by default), loaded once per process."""
    if not (model_dir / "config.cfg").exists():
        raise ExtractionError(f"no trained tagger in {model_dir}: run `arrecon train-tagger`")
    try:
        return Tagger(load_pipeline(model_dir))
    except (OSError, ValueError) as exc:
        raise ExtractionError(f"cannot load the tagger in {model_dir}: {exc}") from exc


def tag_texts(texts: Sequence[str], tagger: Tagger | None = None) -> list[TagResult]:
    """Tags and entities of each description, in order (the shipped tagger unless one is given)."""
    return (tagger or load_tagger()).tag_texts(texts)


def tag_statement(statement: NormalizedStatement, tagger: Tagger | None = None) -> NormalizedStatement:
    """A new statement whose lines carry the tags and entities of their descriptions."""
    return statement.model_copy(update={"lines": _lines_tagged(statement.lines, tagger)})


def tag_ledger(ledger: Ledger, tagger: Tagger | None = None) -> Ledger:
    """A new ledger whose entries carry the tags and entities of their descriptions."""
    return ledger.model_copy(update={"entries": _lines_tagged(ledger.entries, tagger)})


Line = TypeVar("Line", StatementLine, LedgerEntry)


def _lines_tagged(lines: Sequence[Line], tagger: Tagger | None) -> list[Line]:
    results = tag_texts([line.description for line in lines], tagger)
    return [
        line.model_copy(update={"tags": list(r.tags), "entities": list(r.entities)})
        for line, r in zip(lines, results, strict=True)
    ]
