"""``arrecon tables PDF``: print every table our reconstruction finds on a digital PDF's pages.

JSON (default) is ``[{"page": int, "bbox": [x0, top, x1, bottom], "rows": [[cell text, ...], ...]}]``
in PDF points from the page's top-left corner; ``--format table`` prints aligned text for people.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from extract.layout import Table
from extract.pdf import pdf_to_pages
from extract.tables import page_to_tables
from models.errors import InputError


def register(subparsers: Any) -> None:
    """Add the ``tables`` sub-command."""
    parser = subparsers.add_parser("tables", help="print the tables reconstructed from a digital PDF")
    parser.add_argument("pdf", type=Path, help="the PDF file")
    parser.add_argument("--pages", default=None, help="1-based pages to read, e.g. 1,3-5 (default: all)")
    parser.add_argument("--format", choices=("json", "table"), default="json", help="output format")
    parser.set_defaults(func=run_tables)


def pages_to_numbers(spec: str) -> list[int]:
    """``"1,3-5"`` -> ``[1, 3, 4, 5]``; InputError for anything else."""
    numbers: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        first, _, last = part.partition("-")
        try:
            start = int(first)
            end = int(last) if last else start
        except ValueError as exc:
            raise InputError(f"--pages: {part!r} is not a page number or range like 3-5") from exc
        if start < 1 or end < start:
            raise InputError(f"--pages: {part!r} is not a range of 1-based pages")
        numbers.extend(range(start, end + 1))
    return sorted(set(numbers))


def tables_to_json(tables: list[Table]) -> list[dict[str, Any]]:
    """Tables in the JSON shape ``arrecon tables`` prints."""
    return [
        {"page": t.page, "bbox": [round(v, 2) for v in t.bbox], "rows": t.texts()}
        for t in tables
    ]


def table_to_text(table: Table) -> str:
    """One table as aligned text columns, under a line naming its page and box."""
    texts = table.texts()
    widths = [max(len(row[j]) for row in texts) for j in range(len(texts[0]))] if texts else []
    box = ", ".join(f"{v:.0f}" for v in table.bbox)
    lines = [f"page {table.page}  bbox [{box}]  {len(texts)} rows x {len(widths)} columns"]
    for row in texts:
        lines.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def run_tables(args: argparse.Namespace) -> int:
    """Read the PDF, reconstruct the tables of the chosen pages and print them."""
    try:
        data = args.pdf.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {args.pdf}: {exc.strerror or exc}") from exc
    numbers = pages_to_numbers(args.pages) if args.pages else None
    tables: list[Table] = []
    for page in pdf_to_pages(data, numbers):
        tables.extend(page_to_tables(page))
    if args.format == "json":
        json.dump(tables_to_json(tables), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("\n\n".join(table_to_text(t) for t in tables) + ("\n" if tables else ""))
    return 0
