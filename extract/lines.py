"""Table rows -> statement lines: the one path PDFs, OCR'd pages and spreadsheets share.

``rows_to_lines`` takes the visual rows of a document's tables (in reading order, any number of
pages) and returns statement lines signed on the receivable side, with what it learned on the
way (opening / closing balance rows, whether the document is printed from the payables side,
warnings). It finds header rows (repeated headers on later pages are skipped), joins the pages,
merges continuation rows (a wrapped description: no date, no amount) into the line above, keeps
brought/carried-forward, subtotal and total rows out of the lines, maps an opening-balance row
to the opening balance, flips payables-side documents and checks the running balance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from extract.amounts import DecimalConvention, currency_in_text, infer_convention, parse_amount
from extract.dates import DateOrder, infer_date_order, parse_date
from extract.headers import MONEY_ROLES, REFERENCE_ROLES, ColumnRole, is_header_row, split_header_cell
from extract.layout import Cell
from extract.references import choose_reference
from models.statement import BBox, StatementLine

__all__ = [
    "LinesResult",
    "RowKind",
    "SourceRow",
    "classify_marker",
    "customer_print_cue_in_text",
    "payables_cue_in_text",
    "rows_to_lines",
]

MISMATCH_CONFIDENCE = 0.6


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One visual table row as a reader produced it; ``page`` is 1-based, None for spreadsheets."""

    cells: tuple[Cell, ...]
    page: int | None = None


class RowKind(StrEnum):
    """What a non-line row of a statement table is."""

    opening = "opening"  # opening balance / balance brought forward
    carried = "carried"  # carried forward at a page end
    subtotal = "subtotal"  # page or running subtotal, column totals
    closing = "closing"  # closing balance / total due


@dataclass(frozen=True, slots=True)
class MarkerRow:
    """A brought/carried-forward, subtotal or closing row: its kind and the balance or amount it prints."""

    kind: RowKind
    value: Decimal | None
    page: int | None


@dataclass(frozen=True)
class LinesResult:
    """Statement lines on the receivable side plus what the rows said about the statement."""

    lines: tuple[StatementLine, ...]
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    payables_side: bool = False
    currency: str | None = None
    convention: DecimalConvention = DecimalConvention.point
    date_order: DateOrder = DateOrder.dmy
    warnings: tuple[str, ...] = ()
    rows_outside: tuple[SourceRow, ...] = field(default_factory=tuple)


_MARKERS: tuple[tuple[RowKind, re.Pattern[str]], ...] = (
    (
        RowKind.carried,
        re.compile(
            r"\b(carried\s+forward|carried\s+fwd|c/f|c/fwd|balance\s+c/?f|to\s+next\s+page|continued)\b", re.I
        ),
    ),
    (
        RowKind.opening,
        re.compile(
            r"(\bopening\s+balance|\bbalance\s+(brought|b/?f|fwd|forward)|\bbrought\s+(forward|fwd)|\bb/f\b|"
            r"\bb/fwd\b|\bbal\.?\s+(b/?f|fwd)\b|\bprevious\s+balance|\bbalance\s+forward|\bfrom\s+previous\s+page|"
            r"\bbeginning\s+balance|\bstarting\s+balance|\bsaldovortrag|\banfangssaldo)",
            re.I,
        ),
    ),
    (
        RowKind.closing,
        re.compile(
            r"(\bclosing\s+balance|\b(total|balance|amount)\s+(now\s+)?(due|outstanding|owing|payable)\b|"
            r"\bending\s+balance|\bnew\s+balance|\bbalance\s+(at|as\s+at|as\s+of)\b|\bfinal\s+balance|"
            r"\bendsaldo|\bschlusssaldo)",
            re.I,
        ),
    ),
    (
        RowKind.subtotal,
        re.compile(
            r"(\bsub-?\s?totals?\b|\bpage\s+totals?\b|^\s*totals?\b|\btotals?\s*(:|$)|\bsumme\b)", re.I
        ),
    ),
)

_INVOICE = re.compile(
    r"\b(inv|invoice|invoices|bill|rechnung|facture|sales|sinv|charge|freight|interest)\b|^inv", re.I
)
_PAYMENT = re.compile(
    r"\b(payment|pmt|paid|receipt|rcpt|remittance|chq|cheque|check|bacs|ach|wire|transfer)\b", re.I
)
_CREDIT_NOTE = re.compile(r"\b(credit\s*note|cn|crn|credit\s*memo)\b|^cn", re.I)
# Wording that says the signs are the customer's payables view ("balance due to <supplier>").
_PAYABLES_CUES = re.compile(
    r"(\bdue\s+to\b|\bowed\s+to\b|\bpayable\s+to\b|\baccounts?\s+payable|\bwe\s+owe\b|\bour\s+payables)",
    re.I,
)
# Wording that says the customer printed the document (so "Your Ref" is the supplier's number).
_CUSTOMER_PRINT_CUES = re.compile(
    r"(\bvendor\b|\bsupplier\b|\bcreditor\b|\byour\s+customer\s+(no|number|id|account)|\bkreditor)",
    re.I,
)


_MARKER_WORDS = re.compile(
    r"forward|fwd|b/f|c/f|total|balance|due|outstanding|owing|payable|continued|next\s+page|previous|summe|saldo",
    re.I,
)


def classify_marker(text: str) -> RowKind | None:
    """The kind of brought/carried-forward, subtotal or closing row ``text`` names, or None."""
    if not _MARKER_WORDS.search(text):  # one cheap look first: most rows are plain lines
        return None
    for kind, pattern in _MARKERS:
        if pattern.search(text):
            return kind
    return None


def payables_cue_in_text(text: str) -> bool:
    """True when ``text`` says the document is printed from the customer's payables side."""
    return bool(_PAYABLES_CUES.search(text))


def customer_print_cue_in_text(text: str) -> bool:
    """True when ``text`` says the customer printed the document (it names us as vendor / supplier)."""
    return bool(_CUSTOMER_PRINT_CUES.search(text))


@dataclass
class _Draft:
    """A line being assembled from one row plus its continuation rows (local to ``rows_to_lines``)."""

    texts: dict[ColumnRole, list[str]]
    refs: list[tuple[ColumnRole, str]]
    page: int | None
    bbox: BBox | None
    conf: float
    date_conf: float = 1.0
    ref_conf: float = 1.0
    amount_conf: float = 1.0


def _union(a: BBox | None, b: BBox | None) -> BBox | None:
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _centre(bbox: BBox | None) -> float | None:
    return None if bbox is None else (bbox[0] + bbox[2]) / 2


@dataclass(frozen=True)
class _Header:
    """A table's column roles: one per cell (``by_index``), or x spans to map cells by position."""

    roles: tuple[ColumnRole, ...]
    spans: tuple[tuple[float, float], ...] | None
    by_index: bool


def _row_texts(row: SourceRow) -> list[str]:
    return [" ".join(c.text.split()) for c in row.cells]


def _row_to_header(row: SourceRow) -> _Header:
    """The header of a header row; merged header cells ("Debit Credit") become one column per role."""
    roles: list[ColumnRole] = []
    spans: list[tuple[float, float]] = []
    split = False
    for cell in row.cells:
        parts = split_header_cell(cell.text) if cell.text.strip() else [(None, 0.0, 1.0)]
        split = split or len(parts) > 1
        for role, a, b in parts:
            chosen = role or ColumnRole.ignored
            if chosen in MONEY_ROLES and chosen in roles:
                chosen = ColumnRole.ignored  # a second Balance column: keep the first
            roles.append(chosen)
            if cell.bbox is not None:
                x0, _, x1, _ = cell.bbox
                spans.append((x0 + a * (x1 - x0), x0 + b * (x1 - x0)))
    has_boxes = len(spans) == len(roles) and all(c.bbox is not None for c in row.cells if c.text.strip())
    return _Header(tuple(roles), tuple(spans) if has_boxes else None, by_index=not split)


def _nearest_column(cell: Cell, spans: Sequence[tuple[float, float]]) -> int:
    """The header column a cell sits under: most x overlap, else the nearest aligned edge."""
    assert cell.bbox is not None
    x0, _, x1, _ = cell.bbox

    def score(i: int) -> tuple[float, float]:
        h0, h1 = spans[i]
        overlap = max(0.0, min(x1, h1) - max(x0, h0))
        distance = min(abs(x0 - h0), abs(x1 - h1), abs((x0 + x1) / 2 - (h0 + h1) / 2))
        return (overlap, -distance)

    return max(range(len(spans)), key=score)


def _cells_with_roles(row: SourceRow, header: _Header) -> list[tuple[ColumnRole, Cell]] | None:
    """The row's cells with their column roles (by index when the table agrees, else by position)."""
    if header.by_index and len(row.cells) == len(header.roles):
        return list(zip(header.roles, row.cells, strict=True))
    if all(c.bbox is None for c in row.cells):
        # spreadsheet rows: columns are aligned by index; a short (ragged) row is padded
        return list(zip(header.roles, row.cells, strict=False))
    if header.spans is None or any(c.bbox is None for c in row.cells if c.text.strip()):
        return None
    spans = header.spans
    return [(header.roles[_nearest_column(c, spans)], c) for c in row.cells if c.text.strip()]


def _looks_like_date(text: str) -> bool:
    return parse_date(text, DateOrder.dmy) is not None or parse_date(text, DateOrder.mdy) is not None


def _continues(last: _Draft, page: int | None, bbox: BBox | None) -> bool:
    """Whether a row without date or amount sits right under the line above (a wrapped description)."""
    if bbox is None or last.bbox is None:
        return True  # spreadsheets: adjacency is all there is
    if page != last.page:
        return True  # a description wrapped over a page break
    height = bbox[3] - bbox[1]
    return bbox[1] - last.bbox[3] <= 1.5 * max(height, 1.0)


def _signed(text: str, convention: DecimalConvention) -> Decimal | None:
    return parse_amount(text, convention) if text.strip() else None


def _line_kind_votes(draft: _Draft, raw: Decimal) -> int:
    """+1 when this line's raw sign says receivable-side print, -1 payables-side, 0 no evidence."""
    text = " ".join(
        [
            *draft.texts.get(ColumnRole.type, []),
            *draft.texts.get(ColumnRole.description, []),
            *(r for _, r in draft.refs),
        ]
    )
    if raw == 0:
        return 0
    if _CREDIT_NOTE.search(text) or _PAYMENT.search(text):
        return 1 if raw < 0 else -1
    if _INVOICE.search(text):
        return 1 if raw > 0 else -1
    return 0


def rows_to_lines(
    rows: Sequence[SourceRow],
    *,
    context_text: str = "",
    convention: DecimalConvention | None = None,
    date_order: DateOrder | None = None,
    locale: str | None = None,
) -> LinesResult:
    """Statement lines on the receivable side from a document's visual table rows (see module doc).

    ``context_text`` is the text around the tables (payables-side cues); ``convention`` and
    ``date_order`` override what is inferred from the rows.
    """
    header: _Header | None = None
    drafts: list[_Draft] = []
    outside: list[SourceRow] = []
    raw_money: list[str] = []
    raw_dates: list[str] = []
    pending_marker_money: list[tuple[int, dict[ColumnRole, str], RowKind, int | None]] = []
    currencies: list[str] = []

    for row in rows:
        texts = _row_texts(row)
        if not any(texts):
            continue
        if is_header_row(texts):
            header = _row_to_header(row)  # repeated headers on later pages just renew it
            continue
        if header is None:
            outside.append(row)
            continue
        cells = _cells_with_roles(row, header)
        if cells is None:
            outside.append(row)
            continue
        by_role: dict[ColumnRole, list[str]] = {}
        refs: list[tuple[ColumnRole, str]] = []
        bbox: BBox | None = None
        conf = 1.0
        date_conf = ref_conf = amount_conf = 1.0
        for role, cell in cells:
            text = " ".join(cell.text.split())
            if not text:
                continue
            bbox = _union(bbox, cell.bbox)
            conf = min(conf, cell.conf)
            by_role.setdefault(role, []).append(text)
            if role in REFERENCE_ROLES:
                refs.append((role, text))
                ref_conf = min(ref_conf, cell.conf)
            elif role is ColumnRole.date:
                date_conf = min(date_conf, cell.conf)
            elif role in MONEY_ROLES:
                amount_conf = min(amount_conf, cell.conf)
        money = {r: " ".join(by_role[r]) for r in MONEY_ROLES if r in by_role}
        has_money = any(
            parse_amount(t, None) is not None or parse_amount(t) is not None for t in money.values()
        )
        has_date = ColumnRole.date in by_role
        label = " ".join(t for r, ts in by_role.items() if r not in MONEY_ROLES for t in ts)
        kind = classify_marker(label) if label else None
        if kind is not None and not any(any(ch.isdigit() for ch in t) for _, t in refs):
            pending_marker_money.append((len(drafts), money, kind, row.page))
            raw_money.extend(money.values())
            if kind in (RowKind.closing, RowKind.subtotal):
                outside.append(row)  # totals wording may name the closing balance ("Total <supplier>")
            continue
        if not has_money:
            if has_date or refs or not drafts or not _continues(drafts[-1], row.page, bbox):
                outside.append(row)  # not a line and not a wrapped description: the header block may use it
                continue
            # a continuation row: wrapped text joins the line above
            last = drafts[-1]
            for role, ts in by_role.items():
                target = ColumnRole.description if role not in (ColumnRole.type,) else role
                last.texts.setdefault(target, []).extend(ts)
            last.bbox = _union(last.bbox, bbox)
            last.conf = min(last.conf, conf)
            continue
        if (
            ColumnRole.date in header.roles
            and conf >= 1.0
            and all(parse_amount(t) is not None for _, t in refs)
            and not any(parse_amount(t) is None for t in by_role.get(ColumnRole.description, []))
            and not any(_looks_like_date(t) for t in by_role.get(ColumnRole.date, []))
        ):
            # amounts without date, reference or text under a dated table: a summary (ageing
            # buckets, totals) printed under the lines, not a line. OCR'd rows (conf < 1) that
            # lost their date stay lines, for review.
            outside.append(row)
            continue
        raw_money.extend(money.values())
        raw_dates.extend(by_role.get(ColumnRole.date, []))
        if ColumnRole.currency in by_role:
            currencies.extend(by_role[ColumnRole.currency])
        drafts.append(
            _Draft(
                texts=by_role,
                refs=refs,
                page=row.page,
                bbox=bbox,
                conf=conf,
                date_conf=date_conf,
                ref_conf=ref_conf,
                amount_conf=amount_conf,
            )
        )

    conv = convention or infer_convention(raw_money)
    order = date_order or infer_date_order(raw_dates, locale)
    warnings: list[str] = []

    # Raw amounts as printed (debit positive), before deciding the side.
    raw_amounts: list[Decimal | None] = []
    raw_balances: list[Decimal | None] = []
    for draft in drafts:
        raw_amounts.append(_draft_amount(draft.texts, conv))
        bal = draft.texts.get(ColumnRole.balance)
        raw_balances.append(_signed(" ".join(bal), conv) if bal else None)

    votes = sum(_line_kind_votes(d, a) for d, a in zip(drafts, raw_amounts, strict=True) if a is not None)
    cue = payables_cue_in_text(context_text)
    payables = votes < 0 or (votes == 0 and cue)
    if payables:
        warnings.append(
            "statement printed from the customer's payables side "
            f"({'wording' if cue else 'signs'} and line signs): amounts flipped to the receivable side"
        )
    printed_by_customer = payables or customer_print_cue_in_text(context_text)
    sign = Decimal(-1) if payables else Decimal(1)
    amounts = [None if a is None else a * sign for a in raw_amounts]

    # Balance direction: which orientation makes balance[i] - balance[i-1] == amount[i] more often.
    keep = flip = 0
    for i in range(1, len(drafts)):
        b0, b1, a = raw_balances[i - 1], raw_balances[i], amounts[i]
        if b0 is None or b1 is None or a is None:
            continue
        keep += b1 - b0 == a
        flip += b0 - b1 == a
    bal_sign = Decimal(-1) if flip > keep else Decimal(1)
    balances = [None if b is None else b * bal_sign for b in raw_balances]

    opening: Decimal | None = None
    closing: Decimal | None = None
    for position, money, kind, _page in pending_marker_money:
        value = _marker_value(money, conv)
        if value is None:
            continue
        value = value * (bal_sign if ColumnRole.balance in money else sign)
        if kind is RowKind.opening and position == 0 and opening is None:
            opening = value
        elif kind is RowKind.closing or (kind is RowKind.carried and position == len(drafts)):
            closing = value

    lines: list[StatementLine] = []
    previous = opening
    for number, (draft, amount, balance) in enumerate(zip(drafts, amounts, balances, strict=True), start=1):
        if amount is None:
            continue
        dates = draft.texts.get(ColumnRole.date, [])
        date = parse_date(dates[0], order) if dates else None
        reference, others = choose_reference(draft.refs, printed_by_customer)
        description = " ".join(draft.texts.get(ColumnRole.description, []))
        if not description:
            description = " ".join(draft.texts.get(ColumnRole.type, []))
        confidence = draft.conf
        field_confidence: dict[str, float] = {}
        if draft.conf < 1.0:
            field_confidence = {
                "date": draft.date_conf,
                "reference": draft.ref_conf,
                "amount": draft.amount_conf,
            }
        if dates and date is None:
            warnings.append(f"line {number}: date {dates[0]!r} not understood")
            confidence = min(confidence, MISMATCH_CONFIDENCE)
        if balance is not None and previous is not None and previous + amount != balance:
            warnings.append(
                f"line {number} ({reference or description or '?'}, page {draft.page}): running balance "
                f"{balance} != previous {previous} + amount {amount}"
            )
            confidence = min(confidence, MISMATCH_CONFIDENCE)
        if balance is not None:
            previous = balance
        lines.append(
            StatementLine(
                date=date,
                reference=reference,
                description=description,
                amount=amount,
                balance=balance,
                other_references=others,
                confidence=confidence,
                field_confidence=field_confidence,
                page=draft.page,
                bbox=draft.bbox,
            )
        )

    if opening is None and lines and lines[0].balance is not None:
        opening = lines[0].balance - lines[0].amount
    # A currency column, else the symbols / ISO codes printed with the amounts.
    currency = _common_currency(currencies) or _common_currency(
        code for text in raw_money if (code := currency_in_text(text)) is not None
    )
    return LinesResult(
        lines=tuple(lines),
        opening_balance=opening,
        closing_balance=closing,
        payables_side=payables,
        currency=currency,
        convention=conv,
        date_order=order,
        warnings=tuple(warnings),
        rows_outside=tuple(outside),
    )


def _draft_amount(texts: dict[ColumnRole, list[str]], conv: DecimalConvention) -> Decimal | None:
    """The row's amount as printed, debit positive: the Amount column, or |debit| - |credit|."""
    if ColumnRole.amount in texts:
        value = _signed(" ".join(texts[ColumnRole.amount]), conv)
        indicator = " ".join(texts.get(ColumnRole.sign, [])).strip().upper()
        if value is not None and indicator:
            # a Dr/Cr (or German S/H) column beside an unsigned amount says the side
            if indicator[0] in "CH-":
                return -abs(value)
            if indicator[0] in "DS+":
                return abs(value)
        return value
    debit = _signed(" ".join(texts.get(ColumnRole.debit, [])), conv)
    credit = _signed(" ".join(texts.get(ColumnRole.credit, [])), conv)
    if debit is None and credit is None:
        return None
    return abs(debit or Decimal("0.00")) - abs(credit or Decimal("0.00"))


def _marker_value(money: dict[ColumnRole, str], conv: DecimalConvention) -> Decimal | None:
    """What a brought-forward / closing row prints: its balance, else its amount."""
    if ColumnRole.balance in money:
        value = _signed(money[ColumnRole.balance], conv)
        if value is not None:
            return value
    return _draft_amount({r: [t] for r, t in money.items()}, conv)


def _common_currency(values: Iterable[str]) -> str | None:
    counts: dict[str, int] = {}
    for v in values:
        code = v.strip().upper()
        if len(code) == 3 and code.isalpha():
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else None
