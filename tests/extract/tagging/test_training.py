"""Training: seeded and reproducible, reads train + reviewed only, and the model it saves tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.tagging import TrainingOptions, load_tagger, train_tagger
from extract.tagging.corpus import DEFAULT_CORPUS_DIR, HELDOUT, TRAIN, read_descriptions
from extract.tagging.training import train_on_descriptions

SLICE = read_descriptions(DEFAULT_CORPUS_DIR / TRAIN)[:120]
OPTIONS = TrainingOptions(seed=7, epochs=2)


def model_bytes(model_dir: Path) -> bytes:
    return (model_dir / "textcat_multilabel" / "model").read_bytes()


def test_same_corpus_and_seed_give_the_same_model(tmp_path: Path) -> None:
    first = train_on_descriptions(SLICE, tmp_path / "a", OPTIONS)
    second = train_on_descriptions(SLICE, tmp_path / "b", OPTIONS)
    assert model_bytes(tmp_path / "a") == model_bytes(tmp_path / "b")
    assert first.corpus_sha256 == second.corpus_sha256
    other = train_on_descriptions(SLICE, tmp_path / "c", TrainingOptions(seed=8, epochs=2))
    assert model_bytes(tmp_path / "c") != model_bytes(tmp_path / "a")
    assert other.examples == 120


def test_training_never_reads_the_held_out_split(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / TRAIN).write_text(
        "\n".join((DEFAULT_CORPUS_DIR / TRAIN).read_text(encoding="utf-8").splitlines()[:200]) + "\n",
        encoding="utf-8",
    )
    (corpus / HELDOUT).write_text("this is not JSON and training must not care\n", encoding="utf-8")
    report = train_tagger(corpus, tmp_path / "model", OPTIONS)
    assert report.examples == 200
    results = load_tagger(tmp_path / "model").tag_texts(["Payment received", "Frt chg inv 10023"])
    assert "freight" in results[1].tags  # the rules work even on a barely trained model
    assert [e.text for e in results[1].entities] == ["10023"]


def test_shipped_model_records_its_corpus() -> None:
    import json

    meta = json.loads((Path(DEFAULT_CORPUS_DIR).parent / "model" / "meta.json").read_text(encoding="utf-8"))
    assert meta["arrecon"]["examples"] >= 2000
    assert meta["arrecon"]["seed"] == 0


def test_a_directory_without_a_model_is_an_extraction_error(tmp_path: Path) -> None:
    from models.errors import ExtractionError

    with pytest.raises(ExtractionError, match="arrecon train-tagger"):
        load_tagger(tmp_path)
