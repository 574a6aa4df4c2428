"""Reconciliation -> XLSX report: summary by reason with a chart, every item, and the resolutions
(ready to send to the customer or to post in the ERP)."""

from __future__ import annotations

import io
from decimal import Decimal

from models.reconciliation import ItemStatus, Reconciliation
from reconcile.stats import reconciliation_to_reason_totals

ITEM_COLUMNS = (
    "status", "ledger refs", "statement refs", "ledger amount", "statement amount", "difference",
    "reason", "rule", "confidence", "resolution", "evidence",
)  # fmt: skip


def _number(value: Decimal | None) -> float | None:
    # XLSX stores every number as an IEEE double: converting at this last edge keeps the cell
    # summable in a spreadsheet; the JSON contract keeps the exact decimal string.
    return float(value) if value is not None else None


def reconciliation_to_xlsx(reconciliation: Reconciliation) -> bytes:
    """The XLSX bytes of the report: sheets Summary (with a chart by reason), Items, Resolutions."""
    import xlsxwriter  # only the report needs it

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    rec = reconciliation

    summary = book.add_worksheet("Summary")
    summary.set_column(0, 0, 26)
    summary.set_column(1, 3, 16)
    header = [
        ("customer", rec.customer or ""), ("account", rec.account or ""),
        ("statement date", str(rec.statement_date or "")), ("currency", rec.currency or ""),
    ]  # fmt: skip
    row = 0
    for label, value in header:
        summary.write(row, 0, label, bold)
        summary.write(row, 1, value)
        row += 1
    for label, amount in (
        ("ledger balance", rec.ledger_balance), ("statement balance", rec.statement_balance),
        ("difference (ledger - statement)", rec.difference), ("unexplained", rec.unexplained),
    ):  # fmt: skip
        summary.write(row, 0, label, bold)
        summary.write_number(row, 1, float(amount), money)
        row += 1
    row += 1
    table_top = row
    summary.write_row(row, 0, ("reason", "items", "difference", "absolute"), bold)
    totals = reconciliation_to_reason_totals(rec)
    for total in totals:
        row += 1
        summary.write(row, 0, total.reason)
        summary.write_number(row, 1, total.count)
        summary.write_number(row, 2, float(total.difference), money)
        summary.write_number(row, 3, float(total.absolute), money)
    if totals:
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "absolute difference by reason",
                "categories": ["Summary", table_top + 1, 0, row, 0],
                "values": ["Summary", table_top + 1, 3, row, 3],
            }
        )
        chart.set_title({"name": "Differences by reason"})
        chart.set_legend({"none": True})
        summary.insert_chart(0, 5, chart)

    items = book.add_worksheet("Items")
    items.write_row(0, 0, ITEM_COLUMNS, bold)
    items.freeze_panes(1, 0)
    for i, item in enumerate(rec.items, start=1):
        items.write(i, 0, item.status.value)
        items.write(i, 1, ", ".join(item.ledger_refs))
        items.write(i, 2, ", ".join(item.statement_refs))
        for col, cell in ((3, item.ledger_amount), (4, item.statement_amount), (5, item.difference)):
            number = _number(cell)
            if number is not None:
                items.write_number(i, col, number, money)
        items.write(i, 6, item.reason.value if item.reason else "")
        items.write(i, 7, item.rule)
        items.write_number(i, 8, item.confidence)
        items.write(i, 9, item.resolution or "")
        items.write(i, 10, "; ".join(item.evidence))

    resolutions = book.add_worksheet("Resolutions")
    resolutions.write_row(0, 0, ("reason", "ledger refs", "statement refs", "difference", "resolution"), bold)
    resolutions.set_column(4, 4, 90)
    row = 0
    for item in rec.items:
        if item.status is ItemStatus.matched:
            continue
        row += 1
        resolutions.write(row, 0, item.reason.value if item.reason else "")
        resolutions.write(row, 1, ", ".join(item.ledger_refs))
        resolutions.write(row, 2, ", ".join(item.statement_refs))
        resolutions.write_number(row, 3, float(item.difference), money)
        resolutions.write(row, 4, item.resolution or "")
    book.close()
    return buffer.getvalue()
