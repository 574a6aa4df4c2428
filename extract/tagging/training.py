"""Corpus -> trained tagger pipeline on disk: seeded and reproducible (same corpus + seed, same model)."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from extract.tagging.corpus import LabeledDescription, read_training_set
from extract.tagging.normalize import text_to_words
from extract.tagging.pipeline import TEXTCAT, build_pipeline, prune_lemma_table, words_to_doc
from models.tags import ALL_TAGS


@dataclass(frozen=True)
class TrainingOptions:
    """How to train: the seed fixes shuffling, dropout and initial weights."""

    seed: int = 0
    epochs: int = 10
    batch_size: int = 64
    dropout: float = 0.1
    learn_rate: float = 0.002


@dataclass(frozen=True)
class TrainingReport:
    """What a training run did."""

    examples: int
    epochs: int
    seconds: float
    final_loss: float
    corpus_sha256: str
    out_dir: Path


def train_tagger(
    corpus_dir: Path, out_dir: Path, options: TrainingOptions = TrainingOptions()
) -> TrainingReport:
    """Train on train.jsonl + reviewed.jsonl of ``corpus_dir`` (never heldout.jsonl); save to ``out_dir``."""
    return train_on_descriptions(read_training_set(corpus_dir), out_dir, options)


def train_on_descriptions(
    records: Sequence[LabeledDescription], out_dir: Path, options: TrainingOptions = TrainingOptions()
) -> TrainingReport:
    """Train the pipeline on ``records`` and save it to ``out_dir``."""
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import Adam

    started = time.perf_counter()
    fix_random_seed(options.seed)
    nlp = build_pipeline()
    examples = [
        Example.from_dict(
            words_to_doc(nlp, text_to_words(r.text)), {"cats": {t: float(t in r.tags) for t in ALL_TAGS}}
        )
        for r in records
    ]
    optimizer = nlp.initialize(lambda: examples, sgd=Adam(options.learn_rate))
    prune_lemma_table(nlp)
    order = random.Random(options.seed)
    loss = 0.0
    for _ in range(options.epochs):
        order.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=options.batch_size):
            nlp.update(batch, drop=options.dropout, sgd=optimizer, losses=losses)
        loss = losses.get(TEXTCAT, 0.0)
    digest = hashlib.sha256("\n".join(f"{r.text}\t{','.join(r.tags)}" for r in records).encode()).hexdigest()
    nlp.meta["name"] = "arrecon_tagger"
    nlp.meta["version"] = "0.1.0"
    nlp.meta["description"] = "arrecon line-description tagger (rules + BOW multilabel textcat)"
    nlp.meta["arrecon"] = {"examples": len(records), "seed": options.seed, "epochs": options.epochs,
                           "corpus_sha256": digest}
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return TrainingReport(len(records), options.epochs, time.perf_counter() - started, loss, digest, out_dir)
