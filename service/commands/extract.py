"""``arrecon extract PATH... [--format json|table]``: customer statements -> normalized statements.

One file prints its JSON contract (or a readable table of its lines); a directory or several
paths print one summary row per supported file. Bad input ends with exit 2 and one line.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from extract import ExtractOptions, statement_from_bytes
from extract.dates import DateOrder
from extract.sniff import extension_kind
from models.errors import ArreconError, InputError, UnreadableDocumentError
from models.statement import NormalizedStatement

# Directories the samples generator uses for things that are not statements.
NOT_STATEMENT_DIRS = frozenset({"ledgers", "__pycache__", ".git"})


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``arrecon extract``."""
    parser = subparsers.add_parser(
        "extract",
        help="extract customer statements (PDF, XLSX, CSV) into the normalized JSON contract",
        description="Extract one or more customer statements. One file: its JSON contract (or a table "
        "of its lines); a directory or several paths: one JSON object per line, or one summary row per "
        "file with --format table (ledgers/ and *.json are skipped).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a statement file or a directory of them")
    parser.add_argument("--format", choices=("json", "table"), default="json")
    parser.add_argument(
        "--max-pages", type=int, default=1000, help="refuse PDFs with more pages (default 1000)"
    )
    parser.add_argument("--date-order", choices=[o.value for o in DateOrder], help="override day/month order")
    parser.add_argument("--locale", help="locale hint for ambiguous dates, e.g. en_US")
    parser.add_argument("--no-tags", action="store_true", help="skip tagging line descriptions")
    parser.add_argument(
        "--company",
        action="append",
        default=[],
        metavar="NAME",
        help="our own company name (repeatable): never taken for the customer's name",
    )
    parser.set_defaults(func=run)


def _files(paths: list[str]) -> Iterator[tuple[str, Path]]:
    """``(label, path)`` of every file to extract: files as given, directories walked (label relative)."""
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield raw, path
            continue
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path)
            if (
                child.is_file()
                and not set(relative.parts[:-1]) & NOT_STATEMENT_DIRS
                and not child.name.startswith(".")
                and not child.name.endswith(".json")
                and extension_kind(child.name) is not None
            ):
                yield str(relative), child


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableDocumentError(f"{path}: {exc.strerror or exc}") from exc


def _lines_table(statement: NormalizedStatement) -> str:
    head = [
        f"customer: {statement.customer.name or '-'}  account: {statement.customer.account or '-'}  "
        f"date: {statement.statement_date or '-'}  currency: {statement.currency or '-'}",
        f"opening: {statement.opening_balance}  closing: {statement.closing_balance}",
        f"{'date':10}  {'reference':16}  {'amount':>12}  {'balance':>12}  {'conf':>4}  description",
    ]
    for line in statement.lines:
        head.append(
            f"{line.date or ''!s:10}  {(line.reference or '')[:16]:16}  {line.amount:>12}  "
            f"{line.balance if line.balance is not None else '':>12}  {line.confidence:4.2f}  "
            f"{line.description}"
        )
    head.extend(f"warning: {w}" for w in statement.warnings)
    return "\n".join(head)


def run(args: argparse.Namespace) -> int:
    """Extract every path and print; returns 0, or 2 when any input was bad (1 for other failures)."""
    options = ExtractOptions(
        max_pages=args.max_pages,
        date_order=DateOrder(args.date_order) if args.date_order else None,
        locale=args.locale,
        tag=not args.no_tags,
        company_names=tuple(args.company),
    )
    files = list(_files(args.paths))
    if not files:
        raise UnreadableDocumentError(
            f"no statement files (PDF, XLSX, CSV, images) under {' '.join(args.paths)}"
        )
    single = len(args.paths) == 1 and not Path(args.paths[0]).is_dir()
    if single:
        statement = statement_from_bytes(_read(files[0][1]), files[0][1].name, options)
        print(statement.model_dump_json(indent=2) if args.format == "json" else _lines_table(statement))
        return 0
    code = 0
    if args.format == "table":
        print(
            f"{'file':40}  {'form':11}  {'customer':28}  {'lines':>5}  {'closing':>12}  {'warn':>4}  "
            f"{'speed':>14}"
        )
    for label, path in files:
        started = time.perf_counter()
        try:
            statement = statement_from_bytes(_read(path), path.name, options)
        except ArreconError as exc:
            code = max(code, 2 if isinstance(exc, InputError) else 1)
            print(f"arrecon: {label}: {exc.code}: {exc}", file=sys.stderr)
            continue
        elapsed = time.perf_counter() - started
        if args.format == "json":
            print(statement.model_dump_json())
            continue
        pages = {line.page for line in statement.lines if line.page is not None}
        speed = f"{len(pages) / elapsed:8.1f} pages/s" if pages else f"{elapsed * 1000:9.1f} ms"
        print(
            f"{label[-40:]:40}  {statement.source.form.value:11}  "
            f"{(statement.customer.name or '-')[:28]:28}  {len(statement.lines):5}  "
            f"{statement.closing_balance!s:>12}  {len(statement.warnings):4}  {speed:>14}"
        )
    return code
