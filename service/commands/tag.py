"""``arrecon tag`` (descriptions -> one JSON object a line) and ``arrecon train-tagger``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from extract.tagging import TrainingOptions, check_corpus, load_tagger, train_tagger
from extract.tagging.corpus import DEFAULT_CORPUS_DIR
from extract.tagging.pipeline import DEFAULT_MODEL_DIR
from models.errors import CorpusError, InputError


def register(subparsers: Any) -> None:
    """Add the tag and train-tagger sub-commands."""
    tag = subparsers.add_parser(
        "tag", help="tag line descriptions: prints {text, tags, entities} as one JSON object a line"
    )
    tag.add_argument("texts", nargs="*", metavar="TEXT", help="descriptions to tag")
    tag.add_argument("--stdin", action="store_true", help="read the descriptions from stdin, one a line")
    tag.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR,
                     help="a trained tagger (default: the shipped one)")
    tag.set_defaults(func=run_tag)

    train = subparsers.add_parser(
        "train-tagger", help="train the tagger on train.jsonl + reviewed.jsonl of a corpus (seeded)"
    )
    train.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS_DIR, help="corpus directory")
    train.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="where to save the model")
    train.add_argument("--seed", type=int, default=TrainingOptions.seed)
    train.add_argument("--epochs", type=int, default=TrainingOptions.epochs)
    train.set_defaults(func=run_train_tagger)


def run_tag(args: argparse.Namespace) -> int:
    """Print each description's tags and entities as one JSON object a line."""
    texts = list(args.texts)
    if args.stdin:
        texts.extend(line.rstrip("\r\n") for line in sys.stdin)
    if not texts:
        raise InputError("nothing to tag: give descriptions as arguments or one a line with --stdin")
    for result in load_tagger(args.model).tag_texts(texts):
        print(json.dumps(result.to_json_dict(), ensure_ascii=False))
    return 0


def run_train_tagger(args: argparse.Namespace) -> int:
    """Check the corpus, train, save; print what was done."""
    if args.epochs < 1:
        raise InputError(f"--epochs must be at least 1, not {args.epochs}")
    problems = check_corpus(args.corpus)
    if problems:
        raise CorpusError(f"{args.corpus}: {len(problems)} consistency problems, first: {problems[0]}")
    report = train_tagger(args.corpus, args.out, TrainingOptions(seed=args.seed, epochs=args.epochs))
    print(
        f"trained on {report.examples} descriptions, {report.epochs} epochs, seed {args.seed}, "
        f"in {report.seconds:.1f} s; final loss {report.final_loss:.4f}; corpus sha256 "
        f"{report.corpus_sha256[:12]}; saved to {report.out_dir}"
    )
    return 0
