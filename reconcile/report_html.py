"""Reconciliation -> one standalone HTML page (inline CSS and an inline SVG chart by reason; no
external assets, so it opens offline and can be mailed as it is)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from models.reconciliation import ItemStatus, Reconciliation
from reconcile.stats import ReasonTotal, reconciliation_to_reason_totals

CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}
th{background:#f2f2f2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.matched{color:#777}.warn{color:#a40}
"""
BAR_HEIGHT = 22
CHART_WIDTH = 640
LABEL_WIDTH = 190


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def reason_totals_to_svg(totals: list[ReasonTotal]) -> str:
    """A horizontal bar chart of the absolute difference per reason, as inline SVG."""
    height = BAR_HEIGHT * max(len(totals), 1) + 10
    top = max((t.absolute for t in totals), default=Decimal(1)) or Decimal(1)
    span = CHART_WIDTH - LABEL_WIDTH - 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{CHART_WIDTH}" height="{height}" '
        'role="img" aria-label="Differences by reason">'
    ]
    for i, total in enumerate(totals):
        y = 5 + i * BAR_HEIGHT
        width = int(span * total.absolute / top)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(total.reason)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{max(width, 1)}" height="{BAR_HEIGHT - 6}" '
            f'fill="#4a7ab5"><title>{escape(total.reason)}: {_money(total.absolute)}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}" font-size="12">{_money(total.absolute)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def reconciliation_to_html(reconciliation: Reconciliation, include_matched: bool = True) -> str:
    """The standalone HTML report: balances, chart and table by reason, differences, matched items."""
    rec = reconciliation
    totals = reconciliation_to_reason_totals(rec)
    title = f"Reconciliation {rec.customer or rec.account or ''} {rec.statement_date or ''}".strip()
    out = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1>",
        "<table>",
    ]
    for label, value in (
        ("currency", rec.currency or ""), ("ledger balance", _money(rec.ledger_balance)),
        ("statement balance", _money(rec.statement_balance)),
        ("difference (ledger - statement)", _money(rec.difference)), ("unexplained", _money(rec.unexplained)),
    ):  # fmt: skip
        out.append(f"<tr><th>{escape(label)}</th><td class=n>{escape(value)}</td></tr>")
    out.append("</table>")
    out.extend(f'<p class="warn">{escape(w)}</p>' for w in rec.warnings)
    out.append("<h2>Differences by reason</h2>")
    out.append(reason_totals_to_svg(totals))
    out.append("<table><tr><th>reason</th><th>items</th><th>difference</th></tr>")
    for total in totals:
        out.append(
            f"<tr><td>{escape(total.reason)}</td><td class=n>{total.count}</td>"
            f"<td class=n>{_money(total.difference)}</td></tr>"
        )
    out.append("</table><h2>Items</h2><table><tr>")
    out.extend(
        f"<th>{h}</th>"
        for h in ("status", "ledger refs", "statement refs", "ledger", "statement", "difference", "reason",
                  "resolution", "evidence", "rule", "confidence")
    )  # fmt: skip
    out.append("</tr>")
    items = sorted(rec.items, key=lambda item: item.status is ItemStatus.matched)
    for item in items:
        if item.status is ItemStatus.matched and not include_matched:
            continue
        css = ' class="matched"' if item.status is ItemStatus.matched else ""
        out.append(
            f"<tr{css}><td>{item.status.value}</td><td>{escape(', '.join(item.ledger_refs))}</td>"
            f"<td>{escape(', '.join(item.statement_refs))}</td><td class=n>{_money(item.ledger_amount)}</td>"
            f"<td class=n>{_money(item.statement_amount)}</td><td class=n>{_money(item.difference)}</td>"
            f"<td>{item.reason.value if item.reason else ''}</td><td>{escape(item.resolution or '')}</td>"
            f"<td>{escape('; '.join(item.evidence))}</td><td>{escape(item.rule)}</td>"
            f"<td class=n>{item.confidence:.2f}</td></tr>"
        )
    out.append("</table></body></html>")
    return "\n".join(out)
