"""Prints what the statement stage costs: rows -> normalized statement per page, and field parsers.

Usage: .venv/bin/python bench/fields.py [PAGES]   (default 100 pages of the samples generator's
long statement). CPU time of this process (time.process_time), so other load on the machine
inflates it less than wall time; still, numbers measured on a busy machine are pessimistic.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract import amounts, dates, headers
from extract.pdf import pdf_to_pages
from extract.statement import ExtractOptions, _page_to_rows, rows_to_statement
from models.statement import Form, Source
from samples.generate import generate_long_statement


def _clear_caches() -> None:
    caches = (amounts.parse_amount, amounts._bare_number, headers.cell_to_role, headers.split_header_cell)
    for cached in caches:
        cached.cache_clear()


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    data, _ = generate_long_statement(pages)
    t0 = time.process_time()
    layout_pages = list(pdf_to_pages(data))
    t1 = time.process_time()
    per_page = [_page_to_rows(page) for page in layout_pages]
    t2 = time.process_time()
    rows = [row for page_rows, _ in per_page for row in page_rows]
    text = [line for _, page_lines in per_page for line in page_lines]
    source = Source(filename="long.pdf", form=Form.digital_pdf, sha256="0" * 64)
    best = float("inf")
    for _ in range(3):
        _clear_caches()  # every document starts cold: no help from the previous run's caches
        start = time.process_time()
        statement = rows_to_statement(rows, text, source, ExtractOptions(tag=False))
        best = min(best, time.process_time() - start)
    n = len(layout_pages)
    print(f"long statement: {n} pages, {len(statement.lines)} lines, {len(statement.warnings)} warnings")
    print(f"  pdf layout            {1000 * (t1 - t0) / n:7.2f} ms/page")
    print(f"  tables + header text  {1000 * (t2 - t1) / n:7.2f} ms/page")
    print(f"  rows -> statement     {1000 * best / n:7.2f} ms/page (best of 3, cold caches)")

    texts = [f"{v:,.2f}" for v in (Decimal(i) * Decimal("13.37") for i in range(-5000, 5000))]
    _clear_caches()
    start = time.process_time()
    for text in texts:
        amounts.parse_amount(text)
    elapsed = time.process_time() - start
    print(f"parse_amount: {len(texts) / elapsed:,.0f} distinct amounts/s")
    day_texts = [f"{d:02d}/{m:02d}/20{y:02d}" for d in range(1, 29) for m in range(1, 13) for y in range(40)]
    start = time.process_time()
    for text in day_texts:
        dates.parse_date(text)
    elapsed = time.process_time() - start
    print(f"parse_date:   {len(day_texts) / elapsed:,.0f} dates/s")


if __name__ == "__main__":
    main()
