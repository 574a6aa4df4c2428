"""Reconciliation throughput, peak memory and match rate against a naive baseline.

    .venv/bin/python bench/reconcile.py [--sizes 10000 100000 1000000] [--seed 7]

For each size N it generates (seeded, in memory) an AR ledger and a customer statement of N items
each, with reference variants (leading zeros, prefixes, separators, OCR look-alikes), customer
payment numbers that only match by amount and date, split payments, price differences and items
missing on either side. Each size runs in a child process pinned to one core; the figures are
the wall time of ``reconcile.reconcile`` (models in, Reconciliation out), the child's peak RSS
(inputs included), and the share of true pairs found, beside a plain pandas merge on the
reference only (the naive baseline).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import Ledger, LedgerEntry, NormalizedStatement, Source, StatementLine  # noqa: E402

BASE_DAY = dt.date(2025, 10, 1).toordinal()


def generate(n: int, seed: int) -> tuple[NormalizedStatement, Ledger, set[tuple[int, int]]]:
    """A statement and a ledger of about n items each, and the true (ledger, statement) pairs."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, size=n, p=[0.58, 0.34, 0.08])  # invoice, payment, credit note
    cents = rng.integers(1_000, 2_000_000, size=n)
    cents = np.where(kind == 0, cents, -cents)
    day = BASE_DAY + np.sort(rng.integers(0, 365, size=n))
    fate = rng.random(n)
    # fate: < .010 ledger only, < .020 statement only, < .040 price difference, < .045 split payment
    variant = rng.integers(0, 20, size=n)
    shift = rng.integers(0, 4, size=n)
    theirs = rng.integers(0, 10**6, size=n)
    prefixes = ("INV", "PMT", "CN")
    empty: list[str] = []
    entries: list[LedgerEntry] = []
    lines: list[StatementLine] = []
    truth: set[tuple[int, int]] = set()
    # Shared field sets keep a million inputs small; the engine never mutates its inputs.
    entry_fields = set(LedgerEntry.model_fields)
    line_fields = set(StatementLine.model_fields)

    def make_entry(**values: object) -> LedgerEntry:
        return LedgerEntry.model_construct(entry_fields, **values)

    def make_line(**values: object) -> StatementLine:
        return StatementLine.model_construct(line_fields, **values)

    for i in range(n):
        k, c, d, f, v = int(kind[i]), int(cents[i]), int(day[i]), float(fate[i]), int(variant[i])
        number = 1_000_000 + i
        ours = f"{prefixes[k]}-{number:09d}"
        date = dt.date.fromordinal(d)
        amount = Decimal(c).scaleb(-2)
        li = ls = -1
        if not (0.010 <= f < 0.020):
            if k == 1 and 0.040 <= f < 0.045:  # our ledger posts the payment in two parts
                part = c // 3
                for a in (part, c - part):
                    entries.append(
                        make_entry(
                            date=date,
                            reference=f"PMT-{number:09d}-{len(entries) % 2}",
                            description="Payment",
                            amount=Decimal(a).scaleb(-2),
                            document_type="DZ",
                            other_references=empty,
                            currency="EUR",
                            tags=empty,
                            entities=empty,
                            row=len(entries) + 2,
                        )
                    )
                li = -2
            else:
                li = len(entries)
                entries.append(
                    make_entry(
                        date=date,
                        reference=ours,
                        description="Invoice" if k == 0 else "Payment",
                        amount=amount,
                        document_type=("DR", "DZ", "DG")[k],
                        other_references=empty,
                        currency="EUR",
                        tags=empty,
                        entities=empty,
                        row=len(entries) + 2,
                    )
                )
        if f < 0.010:
            continue
        if k == 1:
            ref = f"PAY{int(theirs[i])}" if v < 15 else None  # the customer's own payment number
            sdate = dt.date.fromordinal(d + int(shift[i]))
        else:
            digits = str(number)
            ref = (
                ours,
                digits,
                f"{prefixes[k]}{digits}",
                f"{prefixes[k].title()} {digits}",
                digits.replace("0", "O", 1),
            )[v % 5]
            sdate = date
        samount = amount
        if 0.020 <= f < 0.040 and k == 0:
            samount = (amount * Decimal("0.95")).quantize(Decimal("0.01"))
        ls = len(lines)
        lines.append(
            make_line(
                date=sdate,
                reference=ref,
                description="",
                amount=samount,
                balance=None,
                other_references=empty,
                tags=empty,
                entities=empty,
                confidence=1.0,
                field_confidence={},
                page=None,
                bbox=None,
            )
        )
        if li >= 0:
            truth.add((li, ls))
        elif li == -2:
            truth.add((len(entries) - 2, ls))
            truth.add((len(entries) - 1, ls))
    statement = NormalizedStatement.model_construct(
        source=Source(filename="bench.csv", form="csv", sha256="0" * 64),
        statement_date=dt.date.fromordinal(BASE_DAY + 365),
        currency="EUR",
        opening_balance=None,
        closing_balance=None,
        lines=lines,
        warnings=[],
    )
    return statement, Ledger.model_construct(entries=entries, warnings=[], currency="EUR"), truth


def naive_pairs(statement: NormalizedStatement, ledger: Ledger) -> set[tuple[int, int]]:
    """The baseline: a plain pandas merge on the reference text as printed."""
    import pandas as pd

    left = pd.DataFrame({"ref": [e.reference for e in ledger.entries]}).reset_index(names="li")
    right = pd.DataFrame({"ref": [s.reference for s in statement.lines]}).reset_index(names="si")
    joined = left.dropna().merge(right.dropna(), on="ref")
    return set(zip(joined["li"].tolist(), joined["si"].tolist(), strict=True))


def child(n: int, seed: int) -> None:
    """Run one size pinned to one core and print its figures as one JSON line."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from reconcile import reconcile

    statement, ledger, truth = generate(n, seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    result = reconcile(statement, ledger)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ours: set[tuple[int, int]] = set()
    for item in result.items:
        if item.ledger_entries and item.statement_lines:
            ours.update((li, si) for li in item.ledger_entries for si in item.statement_lines)
    started = time.perf_counter()
    naive = naive_pairs(statement, ledger)
    naive_time = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for item in result.items:
        statuses[item.status.value] = statuses.get(item.status.value, 0) + 1
    figures = {
        "n": n,
        "ledger": len(ledger.entries),
        "statement": len(statement.lines),
        "seconds": elapsed,
        "cpu": cpu,
        "peak_rss_mib": peak / 1024,
        "inputs_rss_mib": rss_before / 1024,
        "true_pairs": len(truth),
        "recall": len(ours & truth) / len(truth),
        "precision": len(ours & truth) / max(len(ours), 1),
        "naive_recall": len(naive & truth) / len(truth),
        "naive_precision": len(naive & truth) / max(len(naive), 1),
        "naive_seconds": naive_time,
        "statuses": statuses,
        "explained": str(result.difference - result.unexplained),
        "difference": str(result.difference),
    }
    print(json.dumps(figures))


def calibration() -> float:
    """CPU seconds of a fixed pure-Python loop: how loaded (or slow) this machine is right now."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seed)
        return 0
    print(
        f"machine check: a pure-Python loop of 10M additions takes {calibration():.2f} s of CPU here "
        "(about 0.5 s on an idle modern core: scale the figures below by the same factor)"
    )
    print(
        f"{'lines/side':>10}  {'wall s':>8}  {'cpu s':>7}  {'peak MiB':>8}  {'inputs MiB':>10}  "
        f"{'ours: recall':>12}  {'precision':>9}  {'naive: recall':>13}  {'precision':>9}  statuses"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if out.returncode != 0:
            print(f"{n:>10}  failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        f = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{n:>10}  {f['seconds']:8.2f}  {f['cpu']:7.2f}  {f['peak_rss_mib']:8.0f}  "
            f"{f['inputs_rss_mib']:10.0f}  {f['recall']:12.4f}  {f['precision']:9.4f}  "
            f"{f['naive_recall']:13.4f}  {f['naive_precision']:9.4f}  {f['statuses']}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
