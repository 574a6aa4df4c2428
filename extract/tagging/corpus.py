"""The labeled corpus of descriptions: reading it, checking its labels, appending reviewed examples.

``train.jsonl`` and ``heldout.jsonl`` are generated (``extract.tagging.corpus_generator``);
``reviewed.jsonl`` grows only through ``append_reviewed_examples``, which accepts nothing but
examples an analyst confirmed: a model must never learn its own unreviewed predictions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extract.tagging.normalize import text_to_words
from models.errors import CorpusError
from models.tags import ALL_TAGS, DOCUMENT_TYPES

TRAIN = "train.jsonl"
HELDOUT = "heldout.jsonl"
REVIEWED = "reviewed.jsonl"
DEFAULT_CORPUS_DIR = Path(__file__).parent / "corpus"
MIN_PER_TAG = {TRAIN: 20, HELDOUT: 8}

# Label invariants: a description holding these canonical words must carry the tag. Only words
# that no negation ever governs in real ledgers are listed ("no freight" exists, "no RMA" does not).
REQUIRED_TAGS: dict[tuple[str, ...], str] = {
    ("rma",): "return",
    ("chargeback",): "dispute",
    ("wht",): "tax",
    ("b/f",): "opening_balance",
    ("w/o",): "write_off",
    ("finance", "charge"): "interest_penalty",
    ("short", "paid"): "short_payment",
    ("duplicate",): "duplicate",
    ("no", "po"): "no_po",
}
# ... and one holding these must not ("freight included - no charge" is not a freight cue).
FORBIDDEN_TAGS: dict[tuple[str, ...], str] = {
    ("freight", "included"): "freight",
    ("no", "freight"): "freight",
    ("no", "late", "fee"): "interest_penalty",
    ("discount", "not", "taken"): "discount",
}


@dataclass(frozen=True)
class LabeledDescription:
    """One corpus record: a description and its sorted tags."""

    text: str
    tags: tuple[str, ...]
    template: str | None = None


@dataclass(frozen=True)
class ReviewedExample:
    """A description whose tags an analyst confirmed (or corrected) in the review queue.

    Only ``confirmed=True`` with a named ``reviewer`` may enter the corpus.
    """

    text: str
    tags: tuple[str, ...]
    reviewer: str
    confirmed: bool
    reviewed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def read_descriptions(path: Path) -> list[LabeledDescription]:
    """The records of one JSONL corpus file (missing file -> empty list)."""
    if not path.exists():
        return []
    records: list[LabeledDescription] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                records.append(
                    LabeledDescription(str(raw["text"]), tuple(sorted(raw["tags"])), raw.get("template"))
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path}:{number}: not a corpus record: {exc}") from exc
    return records


def read_training_set(corpus_dir: Path) -> list[LabeledDescription]:
    """What training learns from: train.jsonl plus the analyst-confirmed reviewed.jsonl."""
    if not (corpus_dir / TRAIN).exists():
        raise CorpusError(f"{corpus_dir}: no {TRAIN} in the corpus directory")
    return read_descriptions(corpus_dir / TRAIN) + read_descriptions(corpus_dir / REVIEWED)


def append_reviewed_examples(
    examples: Iterable[ReviewedExample], corpus_dir: Path = DEFAULT_CORPUS_DIR
) -> int:
    """Append confirmed examples to reviewed.jsonl; return how many were new.

    Raises ``CorpusError`` (nothing written) if any example is unconfirmed, has no reviewer or an
    unknown tag. Texts of the held-out split are skipped: training must never see them.
    """
    batch = list(examples)
    for example in batch:
        if not example.confirmed or not example.reviewer.strip():
            raise CorpusError(f"not confirmed by a reviewer, refused: {example.text!r}")
        _check_tags(example.text, example.tags)
    heldout = {r.text for r in read_descriptions(corpus_dir / HELDOUT)}
    known = {(r.text, r.tags) for r in read_descriptions(corpus_dir / REVIEWED)}
    lines: list[str] = []
    for example in batch:
        tags = tuple(sorted(set(example.tags)))
        if example.text in heldout or (example.text, tags) in known:
            continue
        known.add((example.text, tags))
        record = {
            "text": example.text,
            "tags": list(tags),
            "reviewer": example.reviewer,
            "reviewed_at": example.reviewed_at.isoformat(),
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with (corpus_dir / REVIEWED).open("a", encoding="utf-8") as handle:
        handle.writelines(lines)
    return len(lines)


def _check_tags(text: str, tags: Sequence[str]) -> None:
    unknown = set(tags) - set(ALL_TAGS)
    if unknown:
        raise CorpusError(f"unknown tags {sorted(unknown)} for {text!r}")
    if len(set(tags) & DOCUMENT_TYPES) > 1:
        raise CorpusError(f"more than one document type for {text!r}: {sorted(tags)}")


def check_corpus(corpus_dir: Path) -> list[str]:
    """Every violated consistency rule of the corpus, one readable line each (empty: consistent)."""
    problems: list[str] = []
    files = {name: read_descriptions(corpus_dir / name) for name in (TRAIN, HELDOUT, REVIEWED)}
    for name, records in files.items():
        labels: dict[str, tuple[str, ...]] = {}
        for record in records:
            try:
                _check_tags(record.text, record.tags)
            except CorpusError as exc:
                problems.append(f"{name}: {exc}")
            if not record.text.strip():
                problems.append(f"{name}: empty description")
            if labels.setdefault(record.text, record.tags) != record.tags:
                problems.append(f"{name}: {record.text!r} labeled twice differently")
            problems.extend(f"{name}: {p}" for p in _invariant_problems(record))
        counts = Counter(tag for record in records for tag in record.tags)
        for tag in ALL_TAGS:
            if name in MIN_PER_TAG and counts[tag] < MIN_PER_TAG[name]:
                problems.append(f"{name}: only {counts[tag]} examples of {tag}")
    seen_in_training = {r.text for r in files[TRAIN] + files[REVIEWED]}
    problems.extend(
        f"held-out text also in training: {r.text!r}" for r in files[HELDOUT] if r.text in seen_in_training
    )
    return problems


def _invariant_problems(record: LabeledDescription) -> list[str]:
    words = text_to_words(record.text)
    problems: list[str] = []
    for phrase, tag in REQUIRED_TAGS.items():
        if _contains(words, phrase) and tag not in record.tags:
            problems.append(f"{record.text!r} lacks {tag} ({' '.join(phrase)})")
    for phrase, tag in FORBIDDEN_TAGS.items():
        if _contains(words, phrase) and tag in record.tags:
            problems.append(f"{record.text!r} must not carry {tag} ({' '.join(phrase)})")
    return problems


def _contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))
