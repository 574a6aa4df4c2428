"""Writes every sample statement and ledger with its truth: ``python samples/generate.py [--out samples]``.

Seeded and deterministic: the same code writes the same bytes (PDFs with reportlab's invariant
mode, XLSX with a fixed creation date), so the committed samples never drift from their truth.
``generate_long_statement(pages)`` makes a long digital statement in memory for the benchmarks.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository root importable (samples/ is not a distribution package).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samples import stories as st
from samples.customers import GENERIC, SAMPLES, Sample
from samples.documents import Party, PrintSpec, statement_files
from samples.ledger_exports import entries_to_csv, entries_to_xlsx, postings_to_entries
from samples.truth import Account, Difference

DEFAULT_OUT = Path(__file__).resolve().parent


def sample_to_account(sample: Sample) -> Account:
    """The account history of one sample, built from its seeded story and checked."""
    account = Account(random.Random(sample.stem), sample.numbering, sample.ref_variant, sample.two_refs,
                      sample.party.opening)
    sample.story(account, sample.voice, sample.year, sample.month)
    account.check()
    return account


def json_text(data: Any) -> str:
    """Stable JSON text: two-space indent, keys in model order, one trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_statement(sample: Sample, account: Account, out: Path) -> dict[str, Any]:
    """Write one statement and its ``.expected.json``; returns the truth as JSON data."""
    content, truth = statement_files(sample.filename, account.sorted_lines(), sample.party, sample.spec)
    (out / sample.filename).write_bytes(content)
    data = json.loads(truth.model_dump_json())
    (out / f"{sample.stem}.expected.json").write_text(json_text(data), encoding="utf-8")
    return data


def write_ledger(sample: Sample, account: Account, out: Path) -> None:
    """Write our AR ledger export for the sample's customer, in its ERP's format."""
    entries = postings_to_entries(account.sorted_postings(), sample.party,
                                  dt.date(sample.year, sample.month, 1))
    to_bytes = entries_to_xlsx if sample.ledger_ext == "xlsx" else entries_to_csv
    path = out / sample.ledger_filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(sample.ledger, entries, sample.party))


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def difference_to_data(d: Difference) -> dict[str, Any]:
    """One difference in the reconciliation truth format."""
    return {"status": d.status, "ledger_refs": list(d.ledger_refs), "statement_refs": list(d.statement_refs),
            "ledger_amount": _decimal(d.ledger_amount), "statement_amount": _decimal(d.statement_amount),
            "difference": _decimal(d.difference), "reason": d.reason}


def reconciliation_truth(sample: Sample, account: Account) -> dict[str, Any]:
    """What reconciling the sample's statement against its ledger must find."""
    ledger, statement = account.ledger_balance(), account.statement_balance()
    differences = account.sorted_differences()
    assert sum((d.difference for d in differences), Decimal("0.00")) == ledger - statement
    return {"statement": sample.filename, "ledger": sample.ledger_filename,
            "ledger_balance": _decimal(ledger), "statement_balance": _decimal(statement),
            "difference": _decimal(ledger - statement), "matched_count": account.matched,
            "differences": [difference_to_data(d) for d in differences]}


def generate(out: Path) -> list[str]:
    """Write every sample into ``out``; returns one summary line per sample."""
    out.mkdir(parents=True, exist_ok=True)
    summary = []
    for sample in SAMPLES:
        account = sample_to_account(sample)
        data = write_statement(sample, account, out)
        write_ledger(sample, account, out)
        truth = reconciliation_truth(sample, account)
        (out / f"{sample.stem}.reconciliation.expected.json").write_text(json_text(truth), encoding="utf-8")
        pages = max((line["page"] or 0 for line in data["lines"]), default=0)
        size = (out / sample.filename).stat().st_size
        summary.append(f"{sample.filename:28} {len(data['lines']):3} lines  {pages or '-':>2} pages  "
                       f"{size / 1024:6.1f} KB  closing {data['closing_balance']:>10} {data['currency']}  "
                       f"{len(account.differences)} differences, {account.matched} matched, "
                       f"ledger {sample.ledger_filename}")
    return summary


LONG_PARTY = Party("Longbridge Wholesale Ltd", "C99001", ("1 Long Road", "Leicester LE1 1AA"), "GBP",
                   dt.date(2026, 9, 30), Decimal("50000.00"))
LONG_SPEC = PrintSpec("pdf", (("Date", "date", 55, "left"), ("Ref", "ref", 65, "left"),
                              ("Description", "desc", 190, "left"), ("Amount", "amount", 70, "right"),
                              ("Balance", "balance", 70, "right")),
                      dates="dmy_slash", amounts="us:minus", style="grid",
                      header=(("Account no:", "account"), ("Statement date:", "date"),
                              ("Currency:", "currency"), ("Opening balance:", "opening")),
                      footer=(("Closing balance", "closing"),), carry_key="balance")
LONG_VOICE = st.Voice(("Inv {ref}", "Invoice {ref} {item}", "{ref} {qty} x {item}"),
                      "BACS payment {pay}", "BACS-", "PO-", "none")


def generate_long_statement(pages: int, lines_per_page: int | None = None) -> tuple[bytes, dict[str, Any]]:
    """A ruled-grid digital statement of about ``pages`` pages and its truth as JSON data.

    ``lines_per_page``: statement lines on every page after the first (default: as many as fit).
    """
    spec = LONG_SPEC
    if lines_per_page is not None:  # the page also holds "Brought forward" and "Carried forward"
        spec = dataclasses.replace(LONG_SPEC, lines_per_page=lines_per_page + 2)
    account = Account(random.Random(f"long-{pages}"), GENERIC, "digits", False, LONG_PARTY.opening)
    # Rows that fit: the first page loses one row to "Carried forward", later pages two
    # (brought and carried forward); descriptions here never wrap.
    count = spec.first_page_lines - 1 + (spec.lines_per_page - 2) * (max(pages, 1) - 1)
    for i in range(count):
        day = dt.date(2026, 9, 1 + (i * 29) // count)
        if i % 5 == 4:
            st.payment(account, LONG_VOICE, day, Decimal(account.rng.randint(20000, 300000)) / 100)
        else:
            st.invoice(account, LONG_VOICE, day)
    filename = f"long-{pages}-pages.pdf"
    content, truth = statement_files(filename, account.sorted_lines(), LONG_PARTY, spec)
    return content, json.loads(truth.model_dump_json())


def main(argv: list[str] | None = None) -> int:
    """Command line: write the samples and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder to write into (default: samples/)")
    args = parser.parse_args(argv)
    for line in generate(args.out):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
