"""The textcat architecture ``arrecon.TextCatBOW.v1``: spaCy's BOW classifier with batched n-grams.

spaCy's ``extract_ngrams`` works doc by doc (four numpy calls per description) and was most of the
prediction time. This forward hashes the n-grams of a whole batch at once. The sparse linear layer
sums weight x count per key, so listing a repeated key twice (instead of once with count 2) and
in another order computes the same scores. Besides Docs, it takes lists of word ids (ORTH values),
which is how the tagger predicts without building Docs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

ARCHITECTURE = "arrecon.TextCatBOW.v1"


@dataclass(frozen=True)
class WordIds:
    """A batch of word-id (ORTH) sequences, flat: ``ids`` (uint64) and each sequence's length.

    Not a tuple or list on purpose: thinc's ``with_cpu`` walks those element by element.
    """

    ids: Any
    sizes: Any

    @classmethod
    def from_sequences(cls, sequences: Sequence[Sequence[int]]) -> WordIds:
        """The batch of the given id sequences, in order."""
        import numpy

        sizes = numpy.fromiter(map(len, sequences), dtype="int64", count=len(sequences))
        ids = numpy.fromiter(chain.from_iterable(sequences), dtype="uint64", count=int(sizes.sum()))
        return cls(ids, sizes)


def build_batched_bow(exclusive_classes: bool, ngram_size: int, no_output_layer: bool, length: int,
                      nO: int | None = None) -> Any:
    """``spacy.TextCatBOW.v3`` with its n-gram extraction replaced by the batched forward."""
    from spacy.ml.models.textcat import build_bow_text_classifier_v3

    model = build_bow_text_classifier_v3(exclusive_classes, ngram_size, no_output_layer, length, nO)
    for layer in model.walk():
        if layer.name == "extract_ngrams":
            layer._func = _batched_ngrams_forward
    return model


def _batched_ngrams_forward(model: Any, docs: Any, is_train: bool) -> Any:
    import numpy
    from spacy.attrs import ORTH

    ops = model.ops
    if not isinstance(docs, WordIds) and not docs:
        empty = numpy.zeros((0,), dtype="uint64")
        return (empty, numpy.zeros((0,), dtype="f"), numpy.zeros((0,), dtype="int32")), lambda dY: []
    if isinstance(docs, WordIds):  # the tagger's path without Docs
        sizes, unigrams = docs.sizes, docs.ids
    else:
        arrays = [doc.to_array(ORTH) for doc in docs]
        sizes = numpy.asarray([len(a) for a in arrays], dtype="int64")
        unigrams = numpy.ascontiguousarray(numpy.concatenate(arrays), dtype="uint64")
    count = len(sizes)
    owner = numpy.repeat(numpy.arange(count), sizes)
    keys = [unigrams]
    owners = [owner]
    for n in range(2, model.attrs["ngram_size"] + 1):
        if len(unigrams) < n:
            break
        grams = ops.ngrams(n, unigrams)
        # An n-gram belongs to a doc when its first and last words do; the others span two docs.
        inside = owner[: len(grams)] == owner[n - 1 :]
        keys.append(grams[inside])
        owners.append(owner[: len(grams)][inside])
    all_keys = numpy.concatenate(keys)
    all_owners = numpy.concatenate(owners)
    order = numpy.argsort(all_owners, kind="stable")
    lengths = numpy.bincount(all_owners, minlength=count).astype("int32")
    batch_keys = ops.asarray(all_keys[order])
    batch_vals = ops.asarray(numpy.ones(len(all_keys), dtype="f"))
    return (batch_keys, batch_vals, ops.asarray(lengths, dtype="int32")), lambda dY: []


def register_architecture() -> None:
    """Register ``arrecon.TextCatBOW.v1`` with spaCy (idempotent)."""
    from spacy.util import registry

    if ARCHITECTURE not in registry.architectures:
        registry.architectures.register(ARCHITECTURE, func=build_batched_bow)
