"""The corpus: consistent labels, a held-out split training never sees, reviewed-only appends."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from extract.tagging import ReviewedExample, append_reviewed_examples, check_corpus
from extract.tagging.corpus import (
    DEFAULT_CORPUS_DIR,
    HELDOUT,
    REVIEWED,
    TRAIN,
    read_descriptions,
    read_training_set,
)
from extract.tagging.corpus_generator import generate
from models.errors import CorpusError


@pytest.fixture()
def corpus_dir(tmp_path: Path) -> Path:
    """A copy of the first 60 training and 20 held-out records of the shipped corpus."""
    for name, count in ((TRAIN, 60), (HELDOUT, 20)):
        lines = (DEFAULT_CORPUS_DIR / name).read_text(encoding="utf-8").splitlines()[:count]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_shipped_corpus_is_consistent_and_large_enough() -> None:
    assert check_corpus(DEFAULT_CORPUS_DIR) == []
    train = read_descriptions(DEFAULT_CORPUS_DIR / TRAIN)
    heldout = read_descriptions(DEFAULT_CORPUS_DIR / HELDOUT)
    assert len(train) + len(heldout) >= 2000
    assert not {r.text for r in train} & {r.text for r in heldout}


def test_generator_is_seeded() -> None:
    first = generate("train", 50, random.Random(3), set())
    again = generate("train", 50, random.Random(3), set())
    assert first == again
    assert all(not str(r["template"]).endswith("heldout_only") for r in first)


def test_confirmed_examples_are_appended_once(corpus_dir: Path) -> None:
    example = ReviewedExample("Frt recovery per BOL 5521", ("freight",), reviewer="ana", confirmed=True)
    assert append_reviewed_examples([example, example], corpus_dir) == 1
    assert append_reviewed_examples([example], corpus_dir) == 0
    record = json.loads((corpus_dir / REVIEWED).read_text(encoding="utf-8"))
    assert (record["text"], record["tags"], record["reviewer"]) == (
        "Frt recovery per BOL 5521",
        ["freight"],
        "ana",
    )
    assert [r.text for r in read_training_set(corpus_dir)][-1] == "Frt recovery per BOL 5521"
    # A 60-line slice is too small for the per-tag minimum; nothing else may be wrong with it.
    assert all(" only " in problem for problem in check_corpus(corpus_dir))


@pytest.mark.parametrize(
    "example",
    [
        ReviewedExample("Frt recovery", ("freight",), reviewer="ana", confirmed=False),
        ReviewedExample("Frt recovery", ("freight",), reviewer=" ", confirmed=True),
        ReviewedExample("Frt recovery", ("freight", "no_such_tag"), reviewer="ana", confirmed=True),
        ReviewedExample("Invoice 1 payment", ("invoice", "payment"), reviewer="ana", confirmed=True),
    ],
)
def test_unreviewed_or_invalid_examples_are_refused_and_nothing_is_written(
    corpus_dir: Path, example: ReviewedExample
) -> None:
    good = ReviewedExample("Promo allowance wk 34", ("promotion",), reviewer="ana", confirmed=True)
    with pytest.raises(CorpusError):
        append_reviewed_examples([good, example], corpus_dir)
    assert not (corpus_dir / REVIEWED).exists()


def test_held_out_texts_never_enter_training(corpus_dir: Path) -> None:
    heldout = read_descriptions(corpus_dir / HELDOUT)[0]
    example = ReviewedExample(heldout.text, heldout.tags, reviewer="ana", confirmed=True)
    assert append_reviewed_examples([example], corpus_dir) == 0
    assert heldout.text not in {r.text for r in read_training_set(corpus_dir)}


def test_inconsistent_labels_are_reported(corpus_dir: Path) -> None:
    with (corpus_dir / TRAIN).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"text": "RMA 5521 returned", "tags": ["freight"]}) + "\n")
        handle.write(json.dumps({"text": "freight included - no charge", "tags": ["freight"]}) + "\n")
    problems = check_corpus(corpus_dir)
    assert "train.jsonl: 'RMA 5521 returned' lacks return (rma)" in problems
    assert "train.jsonl: 'freight included - no charge' must not carry freight (freight included)" in problems


def test_missing_training_file_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"no train\.jsonl"):
        read_training_set(tmp_path)
