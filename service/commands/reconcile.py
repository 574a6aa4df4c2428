"""``arrecon reconcile`` (a statement against the AR ledger) and ``arrecon stats`` (reasons over many).

The statement is any supported document (extracted and tagged) or a normalized JSON (its tags are
kept when it has some); the ledger is a CSV or XLSX export, tagged when the tagger is available.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from models.errors import ExtractionError, InputError, UnreadableDocumentError
from models.ledger import Ledger
from models.reconciliation import ItemStatus, Reconciliation
from models.statement import NormalizedStatement
from reconcile import ReconcileOptions, reconcile
from reconcile.ledger import load_ledger, parse_ledger_columns
from reconcile.stats import reconciliations_to_stats


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``arrecon reconcile`` and ``arrecon stats``."""
    parser = subparsers.add_parser(
        "reconcile",
        help="reconcile a customer statement against the AR ledger and explain every difference",
        description="Reconcile a statement (PDF, XLSX, CSV or a normalized JSON) against an AR ledger "
        "export (CSV or XLSX).",
    )
    parser.add_argument("--statement", required=True, metavar="PATH")
    parser.add_argument("--ledger", required=True, metavar="PATH")
    parser.add_argument(
        "--ledger-columns",
        metavar="MAP",
        help='explicit ledger columns, e.g. "date=Posting Date,reference=Document Number,amount=Amount"',
    )
    parser.add_argument("--format", choices=("json", "table", "xlsx", "html"), default="json")
    parser.add_argument("--out", metavar="FILE", help="write here instead of stdout (required for xlsx)")
    parser.add_argument("--no-tags", action="store_true", help="do not tag descriptions")
    parser.add_argument("--timing-days", type=int, default=7, help="payment-in-transit window before cut-off")
    parser.set_defaults(func=run_reconcile)

    stats = subparsers.add_parser(
        "stats",
        help="reasons per customer and per period over many reconciliation JSONs",
        description="Read reconciliation JSONs (files or directories of *.json) and total the reasons.",
    )
    stats.add_argument("paths", nargs="+", metavar="PATH")
    stats.add_argument("--format", choices=("table", "json"), default="table")
    stats.set_defaults(func=run_stats)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableDocumentError(f"{path}: {exc.strerror or exc}") from exc


def _tagger_note(exc: ExtractionError) -> None:
    print(
        f"arrecon: note: descriptions not tagged ({exc}); reasons rely on amounts and dates", file=sys.stderr
    )


def load_statement(path: Path, tag: bool) -> NormalizedStatement:
    """A statement document (extracted) or a normalized JSON, tagged if its lines carry no tags yet."""
    data = _read(path)
    if path.suffix.lower() == ".json":
        try:
            statement = NormalizedStatement.model_validate_json(data)
        except ValidationError as exc:
            raise UnreadableDocumentError(
                f"{path}: not a normalized statement JSON: {exc.errors()[0]['msg']}"
            ) from exc
    else:
        from extract import ExtractOptions, statement_from_bytes

        statement = statement_from_bytes(data, path.name, ExtractOptions(tag=tag))
    if tag and not any(line.tags for line in statement.lines):
        from extract.tagging import tag_statement

        try:
            statement = tag_statement(statement)
        except ExtractionError as exc:
            _tagger_note(exc)
    return statement


def load_tagged_ledger(path: Path, columns: str | None, tag: bool) -> Ledger:
    """The ledger export at ``path``, with its descriptions tagged when the tagger is available."""
    ledger = load_ledger(_read(path), path.name, parse_ledger_columns(columns) if columns else None)
    if not tag:
        return ledger
    from extract.tagging import tag_ledger

    try:
        return tag_ledger(ledger)
    except ExtractionError as exc:
        _tagger_note(exc)
        return ledger


def reconciliation_to_table(rec: Reconciliation) -> str:
    """A readable text table of the non-matched items and the totals."""
    matched = sum(1 for item in rec.items if item.status is ItemStatus.matched)
    out = [
        f"customer: {rec.customer or '-'}  date: {rec.statement_date or '-'}  "
        f"currency: {rec.currency or '-'}",
        f"ledger {rec.ledger_balance}  statement {rec.statement_balance}  difference {rec.difference}  "
        f"unexplained {rec.unexplained}  matched items {matched}",
        f"{'status':14}  {'ledger refs':20}  {'statement refs':18}  {'difference':>12}  "
        f"{'reason':22}  resolution",
    ]
    for item in rec.items:
        if item.status is ItemStatus.matched:
            continue
        ledger_refs, statement_refs = ", ".join(item.ledger_refs), ", ".join(item.statement_refs)
        out.append(
            f"{item.status.value:14}  {ledger_refs[:20]:20}  {statement_refs[:18]:18}  "
            f"{item.difference:>12}  {item.reason.value if item.reason else '':22}  {item.resolution or ''}"
        )
    out.extend(f"warning: {w}" for w in rec.warnings)
    return "\n".join(out)


def run_reconcile(args: argparse.Namespace) -> int:
    """Reconcile and print or write the result in the chosen format; 0 on success."""
    tag = not args.no_tags
    statement = load_statement(Path(args.statement), tag)
    ledger = load_tagged_ledger(Path(args.ledger), args.ledger_columns, tag)
    result = reconcile(statement, ledger, ReconcileOptions(timing_days=args.timing_days))
    if args.format == "xlsx":
        if not args.out:
            raise InputError("--format xlsx needs --out FILE")
        from reconcile.report_xlsx import reconciliation_to_xlsx

        Path(args.out).write_bytes(reconciliation_to_xlsx(result))
        return 0
    if args.format == "html":
        from reconcile.report_html import reconciliation_to_html

        text = reconciliation_to_html(result)
    elif args.format == "table":
        text = reconciliation_to_table(result)
    else:
        text = result.model_dump_json(indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _reconciliation_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return files


def run_stats(args: argparse.Namespace) -> int:
    """Total the reasons of many reconciliation JSONs per customer and per period."""
    recs: list[Reconciliation] = []
    for path in _reconciliation_files(args.paths):
        try:
            recs.append(Reconciliation.model_validate_json(_read(path)))
        except ValidationError as exc:
            raise UnreadableDocumentError(
                f"{path}: not a reconciliation JSON: {exc.errors()[0]['msg']}"
            ) from exc
    stats = reconciliations_to_stats(recs)
    if args.format == "json":
        payload = {
            dim: [
                {"group": r.group, "reason": r.reason, "count": r.count, "difference": str(r.difference),
                 "absolute": str(r.absolute)}
                for r in rows
            ]
            for dim, rows in stats.items()
        }  # fmt: skip
        print(json.dumps(payload, indent=2))
        return 0
    for dim, rows in stats.items():
        print(f"{dim:24}  {'reason':22}  {'items':>5}  {'difference':>14}  {'absolute':>14}")
        for r in rows:
            print(f"{r.group[:24]:24}  {r.reason:22}  {r.count:5}  {r.difference:>14}  {r.absolute:>14}")
        print()
    return 0
