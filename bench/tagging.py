"""Tagger figures: per-tag precision / recall / F1 on the held-out split (clean and OCR-noised) beside a
keyword baseline, macro-F1, model load time, and one-core throughput (unique descriptions/s, and
ledger lines/s on a realistic 1M-line ledger whose descriptions repeat).

    .venv/bin/python bench/tagging.py [--model DIR] [--lines 1000000] [--skip-throughput]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract.tagging.corpus import DEFAULT_CORPUS_DIR, HELDOUT, TRAIN, read_descriptions
from extract.tagging.corpus_generator import LAYOUTS, damage, fill
from extract.tagging.noise import text_to_ocr_noise
from extract.tagging.normalize import text_to_words
from extract.tagging.pipeline import DEFAULT_MODEL_DIR
from extract.tagging.tagger import Tagger, load_tagger
from models.tags import ALL_TAGS

NOISE_SEED = 7
NOISE_RATE = 0.35

# The plain alternative: a tag for every lowercase substring found (no negation, no position, no OCR repair).
BASELINE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice", "inv ", "inv#", "inv-", "bill"),
    "payment": ("payment", "pmt", "receipt", "rcpt", "cheque", "chq", "check", "ach", "eft", "wire",
    "remittance"),
    "credit_note": ("credit note", "credit memo", "cr memo", "cn ", "cn-", "crn"),
    "debit_note": ("debit note", "debit memo", "dn ", "dn-", "dr memo"),
    "adjustment": ("adjustment", "adj", "journal", "je ", "correction", "reclass", "reversal"),
    "opening_balance": ("opening balance", "b/f", "brought forward", "bal fwd",
    "balance forward"),
    "freight": ("freight", "frt", "shipping", "shpg", "carriage", "delivery", "haulage", "courier",
                "postage"),
    "promotion": ("promo", "allowance", "allow", "co-op", "coop", "slotting", "display", "mdf", "coupon"),
    "discount": ("discount", "disc ", "epd"),
    "rebate": ("rebate", "rbt", "bonus"),
    "return": ("return", "rma", "rtv", "ret."),
    "interest_penalty": ("interest", "int.", "late fee", "penalty", "pen.", "finance charge", "overdue"),
    "dispute": ("disput", "claim", "chargeback", "deduction", "query", "on hold", "short ship"),
    "short_payment": ("short paid", "short pd", "short pay", "underpaid", "partial payment",
    "part pmt"),
    "damaged": ("damage", "dmgd", "broken", "defective", "faulty"),
    "service": ("service", "installation", "maintenance", "consulting", "labour", "labor", "repair",
                "training"),
    "price_rate": ("price", "rate", "ppv", "overcharg"),
    "tax": ("tax", "vat", "gst", "hst", "wht"),
    "write_off": ("write off", "w/o", "written off", "writeoff", "bad debt", "rounding"),
    "duplicate": ("duplicate", "dup ", "twice", "double"),
    "no_po": ("no po", "po missing", "without po", "not approved", "unapproved", "no purchase order"),
    "in_transit": ("in transit", "uncleared", "pending clearance", "in the post"),
}


def baseline_tags(text: str) -> set[str]:
    """The keyword baseline's tags for one description."""
    lowered = text.lower() + " "
    return {tag for tag, words in BASELINE_KEYWORDS.items() if any(w in lowered for w in words)}


def scores(gold: Sequence[set[str]], predicted: Sequence[set[str]]) -> dict[str, tuple[float, float, float]]:
    """Precision, recall and F1 per tag."""
    result: dict[str, tuple[float, float, float]] = {}
    for tag in ALL_TAGS:
        tp = sum(tag in g and tag in p for g, p in zip(gold, predicted, strict=True))
        fp = sum(tag not in g and tag in p for g, p in zip(gold, predicted, strict=True))
        fn = sum(tag in g and tag not in p for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[tag] = (precision, recall, f1)
    return result


def macro_f1(table: dict[str, tuple[float, float, float]]) -> float:
    return sum(f for _, _, f in table.values()) / len(table)


def evaluate(
    name: str, texts: Sequence[str], gold: Sequence[set[str]], tagger: Tagger
) -> tuple[float, float]:
    """Print the per-tag table of the pipeline beside the baseline; return both macro-F1s."""
    predicted = [set(r.tags) for r in tagger.tag_texts(texts)]
    pipeline = scores(gold, predicted)
    baseline = scores(gold, [baseline_tags(t) for t in texts])
    exact = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    print(f"\n## held-out, {name} ({len(texts)} descriptions; exact tag-set match {exact:.3f})")
    print(f"{'tag':<17} {'support':>7} | {'P':>5} {'R':>5} {'F1':>5} | baseline {'P':>5} {'R':>5} {'F1':>5}")
    for tag in ALL_TAGS:
        support = sum(tag in g for g in gold)
        p, r, f = pipeline[tag]
        bp, br, bf = baseline[tag]
        print(f"{tag:<17} {support:>7} | {p:5.3f} {r:5.3f} {f:5.3f} |          {bp:5.3f} {br:5.3f} {bf:5.3f}")
    ours, theirs = macro_f1(pipeline), macro_f1(baseline)
    print(f"{'macro-F1':<17} {'':>7} | {'':>11} {ours:5.3f} | {'':>20} {theirs:5.3f}")
    return ours, theirs


def realistic_descriptions(count: int, seed: int) -> list[str]:
    """``count`` distinct fresh descriptions in the corpus's layouts (not the corpus's own texts)."""
    rng = random.Random(seed)
    layouts = [layout for layout, _ in LAYOUTS]
    weights = [weight for _, weight in LAYOUTS]
    seen: set[str] = set()
    while len(seen) < count:
        template, _, _ = rng.choices(layouts, weights)[0](rng, "heldout")
        seen.add(damage(fill(template, rng), rng, noisy=True).strip())
    return sorted(seen)


def ledger_lines(count: int, pool: Sequence[str], seed: int) -> list[str]:
    """A ledger of ``count`` lines: descriptions repeat Zipf-like; a third carry their own document number."""
    rng = random.Random(seed)
    weights = [1.0 / (rank + 1) for rank in range(len(pool))]
    picks = rng.choices(pool, weights, k=count)
    return [f"{text} {100000 + i}" if i % 3 == 0 else text for i, text in enumerate(picks)]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def timed_cpu(action: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): CPU time is what one core spends when others share it."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--unique", type=int, default=20_000)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says

    import spacy  # noqa: F401  (imported first: the load figure is the model's, not the library's)

    wall, cpu = timed_cpu(lambda: load_tagger(args.model))
    tagger = load_tagger(args.model)
    print(f"model {args.model}: loaded in {cpu:.2f} s CPU, {wall:.2f} s wall (spaCy already imported)")
    heldout = read_descriptions(args.corpus / HELDOUT)
    train_forms = {tuple(text_to_words(r.text)) for r in read_descriptions(args.corpus / TRAIN)}
    seen_form = sum(tuple(text_to_words(r.text)) in train_forms for r in heldout) / len(heldout)
    unseen = sum((r.template or "").endswith("heldout_only") for r in heldout) / len(heldout)
    print(f"held-out: {len(heldout)} descriptions; {unseen:.0%} use a phrasing or layout training never saw; "
          f"{seen_form:.0%} have a canonical form that also occurs in training")
    gold = [set(r.tags) for r in heldout]
    clean = evaluate("clean", [r.text for r in heldout], gold, Tagger(tagger.nlp))
    rng = random.Random(NOISE_SEED)
    noised_texts = [text_to_ocr_noise(r.text, rng, rate=NOISE_RATE) for r in heldout]
    noised_name = f"OCR-noised (rate {NOISE_RATE}, seed {NOISE_SEED})"
    noised = evaluate(noised_name, noised_texts, gold, Tagger(tagger.nlp))

    if not args.skip_throughput:
        print("\n## throughput, one core (pessimistic when other work shares the machine)")
        unique = realistic_descriptions(args.unique, seed=99)
        forms = len({tuple(text_to_words(t)) for t in unique})
        wall, cpu = timed_cpu(lambda: Tagger(tagger.nlp).tag_texts(unique))
        print(f"unique descriptions: {len(unique)} ({forms} distinct canonical forms): "
              f"{len(unique) / cpu:,.0f} descriptions/s of CPU time ({cpu:.2f} s), "
              f"{len(unique) / wall:,.0f}/s wall ({wall:.2f} s)")
        lines = ledger_lines(args.lines, unique, seed=5)
        distinct = len(set(lines))
        wall, cpu = timed_cpu(lambda: Tagger(tagger.nlp).tag_texts(lines))
        print(f"ledger: {len(lines):,} lines ({distinct:,} distinct descriptions): "
              f"{len(lines) / cpu:,.0f} lines/s of CPU time ({cpu:.2f} s), "
              f"{len(lines) / wall:,.0f}/s wall ({wall:.2f} s)")
    print(f"\nsummary: macro-F1 clean {clean[0]:.3f} (baseline {clean[1]:.3f}), "
          f"OCR-noised {noised[0]:.3f} (baseline {noised[1]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
